/*
 * titan: the Titan request line, parsed in place (pure: no I/O, no
 * globals, no log).  What the request may do is upload.c's to decide.
 */
#include <ctype.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "config.h"
#include "titan.h"
#include "url.h"
#include "utf8.h"

/* Decode V in place: UTF-8 with no bad escape, %00 or control byte. */
static int
decode_value(char *v, const char **errstr)
{
	const unsigned char	*p;

	if (url_decode(v) == -1) {
		*errstr = "bad percent-encoding in a parameter";
		return -1;
	}
	if (!utf8_is_valid(v, strlen(v))) {
		*errstr = "a parameter is not UTF-8";
		return -1;
	}
	for (p = (const unsigned char *)v; *p != '\0'; p++)
		if (*p < 0x20 || *p == 0x7f) {
			*errstr = "control character in a parameter";
			return -1;
		}
	return 0;
}

/* N: decimal digits alone, at most TITAN_SIZE_MAX. */
static int
parse_size(const char *v, uint64_t *n, const char **errstr)
{
	uint64_t	 x = 0;

	if (*v == '\0') {
		*errstr = "empty size";
		return -1;
	}
	for (; *v != '\0'; v++) {
		if (!isdigit((unsigned char)*v)) {
			*errstr = "size is not a decimal number";
			return -1;
		}
		if (x > (TITAN_SIZE_MAX - (uint64_t)(*v - '0')) / 10) {
			*errstr = "size too large";
			return -1;
		}
		x = x * 10 + (uint64_t)(*v - '0');
	}
	*n = x;
	return 0;
}

/* One "name=value" (or "edit") parameter P, its name still encoded. */
static int
parameter(char *p, struct titan_request *r, const char **errstr)
{
	char	*v;

	if ((v = strchr(p, '=')) != NULL)
		*v++ = '\0';
	if (decode_value(p, errstr) == -1)
		return -1;
	if (strcmp(p, "edit") == 0) {
		if (r->edit || v != NULL) {
			*errstr = r->edit ? "\"edit\" given twice" :
			    "\"edit\" takes no value";
			return -1;
		}
		r->edit = true;
		return 0;
	}
	if (strcmp(p, "size") != 0 && strcmp(p, "mime") != 0 &&
	    strcmp(p, "token") != 0) {
		if (r->nunknown++ == 0)
			r->unknown = p;
		return 0;
	}
	if (v == NULL) {
		*errstr = "a parameter without a value";
		return -1;
	}
	if ((p[0] == 's' && r->has_size) || (p[0] == 'm' && r->mime != NULL) ||
	    (p[0] == 't' && r->token != NULL)) {
		*errstr = p[0] == 's' ? "\"size\" given twice" :
		    p[0] == 'm' ? "\"mime\" given twice" :
		    "\"token\" given twice";
		return -1;
	}
	if (decode_value(v, errstr) == -1)
		return -1;
	if (p[0] == 's') {
		if (parse_size(v, &r->size, errstr) == -1)
			return -1;
		r->has_size = true;
	} else if (p[0] == 'm')
		r->mime = v;
	else
		r->token = v;
	return 0;
}

int
titan_parse(char *s, struct titan_request *r, const char **errstr)
{
	char	*auth, *path, *params, *p, *next;

	memset(r, 0, sizeof(*r));
	if (strncasecmp(s, "titan://", 8) != 0) {
		*errstr = "not a titan:// URL";
		return -1;
	}
	if (strchr(s, '?') != NULL) {
		*errstr = "a query in a Titan request";
		return -1;
	}
	auth = s + 8;
	if ((path = strchr(auth, '/')) == NULL ||
	    (size_t)(path - auth) > strcspn(auth, ";")) {
		*errstr = "Titan request without a path";
		return -1;
	}
	if ((params = strchr(path, ';')) == NULL) {
		*errstr = "Titan request without parameters";
		return -1;
	}
	*params++ = '\0';
	/* the URL first: the parameters' bytes are checked there too */
	for (p = params; *p != '\0'; p++)
		if ((unsigned char)*p <= 0x20 || *p == 0x7f || *p == '#') {
			*errstr = "space or control character in URL";
			return -1;
		}
	if (url_parse(s, &r->url, errstr) == -1)
		return -1;
	if (strcmp(r->url.scheme, "titan") != 0) {
		*errstr = "not a titan:// URL";
		return -1;
	}
	for (p = params; p != NULL; p = next) {
		if ((next = strchr(p, ';')) != NULL)
			*next++ = '\0';
		if (*p == '\0') {
			*errstr = "an empty parameter";
			return -1;
		}
		if (parameter(p, r, errstr) == -1)
			return -1;
	}
	if (r->edit && r->has_size) {
		*errstr = "\"edit\" takes no size";
		return -1;
	}
	if (!r->edit && !r->has_size) {
		*errstr = "Titan request without a size";
		return -1;
	}
	return 0;
}

static const char *const default_types[] = { "text/gemini", "text/plain" };

void
titan_rule(const struct conf_host *h, const char *path, struct titan_rule *r)
{
	const struct conf_titan	*by[6];		/* per CONF_TITAN_SET_* */
	size_t			 len[6] = { 0 }, i, k, n;

	for (k = 0; k < 6; k++)
		by[k] = &h->titan;
	for (i = 0; i < h->nlocations; i++) {
		n = strlen(h->locations[i].path);
		if (strncmp(path, h->locations[i].path, n) != 0)
			continue;
		for (k = 0; k < 6; k++)
			if ((h->locations[i].titan.set & (1U << k)) &&
			    n > len[k]) {
				by[k] = &h->locations[i].titan;
				len[k] = n;
			}
	}
	r->on = by[0]->on;
	r->token = by[1]->token;
	r->max = by[2]->max > 0 ? (uint64_t)by[2]->max :
	    CONF_UPLOAD_MAX_DEFAULT;
	if (by[3]->ntypes > 0) {
		r->types = (const char *const *)by[3]->types;
		r->ntypes = by[3]->ntypes;
	} else {
		r->types = default_types;
		r->ntypes = sizeof(default_types) / sizeof(default_types[0]);
	}
	/* a location that does not set it: the host's (on by default) */
	r->create = by[4] == &h->titan ? h->titan.create : by[4]->create;
	r->delete = by[5]->delete;
}

bool
titan_host_open(const struct conf_host *h)
{
	size_t	 i;

	if (h->titan.on)
		return true;
	for (i = 0; i < h->nlocations; i++)
		if (h->locations[i].titan.on)
			return true;
	return false;
}

bool
titan_type_ok(const struct titan_rule *r, const char *mime)
{
	size_t	 i, n;

	n = strcspn(mime, "; \t");
	for (i = 0; i < r->ntypes; i++)
		if (strlen(r->types[i]) == n &&
		    strncasecmp(r->types[i], mime, n) == 0)
			return true;
	return false;
}

int
titan_history(const struct conf_host *h, char *out, size_t len)
{
	size_t	 n;
	int	 w;

	if (h->history != NULL)
		w = snprintf(out, len, "%s", h->history);
	else {
		/* beside the capsule folder: "/srv/capsule.history" */
		n = strlen(h->root);
		while (n > 1 && h->root[n - 1] == '/')
			n--;
		w = snprintf(out, len, "%.*s.history", (int)n, h->root);
	}
	return w < 0 || (size_t)w >= len ? -1 : 0;
}
