/*
 * fuzz_url: parse any bytes as a request URL and resolve them as a link.
 *
 * url_parse, on success: scheme and host lower case, the port digits, the
 * path absolute, valid UTF-8 without control bytes, and normalised (no
 * "//", no "." or ".." segment).  url_path_clean on any absolute path: a
 * clean path, and -1 exactly when a ".." would climb above the root.  url_resolve_path against "/f/a.gmi", on
 * success: an absolute path without "//", "." or "..".
 */
#include <assert.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "url.h"
#include "utf8.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static bool
no_upper(const char *s)
{
	for (; *s != '\0'; s++)
		if (*s >= 'A' && *s <= 'Z')
			return false;
	return true;
}

static bool
no_control(const char *s)
{
	for (; *s != '\0'; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			return false;
	return true;
}

/* Absolute, and no empty, "." or ".." segment but a trailing "/". */
static bool
is_clean(const char *p)
{
	const char	*seg, *e;
	size_t		 n;

	if (p[0] != '/')
		return false;
	for (seg = p + 1; *seg != '\0'; seg = e + 1) {
		if ((e = strchr(seg, '/')) == NULL)
			e = seg + strlen(seg);
		n = (size_t)(e - seg);
		if (n == 0 || (n == 1 && seg[0] == '.') ||
		    (n == 2 && seg[0] == '.' && seg[1] == '.'))
			return false;
		if (*e == '\0')
			break;
	}
	return true;
}

/* Would the ".." segments of the absolute path P climb above "/"? */
static bool
climbs(const char *p)
{
	const char	*seg, *e;
	size_t		 n, depth = 0;

	for (seg = p + 1; ; seg = e + 1) {
		if ((e = strchr(seg, '/')) == NULL)
			e = seg + strlen(seg);
		n = (size_t)(e - seg);
		if (n == 2 && seg[0] == '.' && seg[1] == '.') {
			if (depth == 0)
				return true;
			depth--;
		} else if (n > 0 && !(n == 1 && seg[0] == '.'))
			depth++;
		if (*e == '\0')
			return false;
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct url		 u;
	struct spartan_request	 sr;
	struct buf		 out = BUF_INIT;
	const char		*errstr;
	char			*s;
	size_t			 i;

	if ((s = malloc(size + 1)) == NULL)
		return 0;
	memcpy(s, data, size);
	s[size] = '\0';

	if (url_resolve_path("/f/a.gmi", s, &out) == 0) {
		assert(!out.failed);
		assert(strlen(out.data) == out.len);
		assert(is_clean(out.data));
	}
	buf_free(&out);

	/* url_path_clean: a clean path, and -1 exactly when ".." climbs */
	if (s[0] == '/') {
		char	*p = strdup(s);

		if (p != NULL) {
			assert(url_path_clean(p) == (climbs(s) ? -1 : 0));
			assert(is_clean(p));
			free(p);
		}
	}

	if (url_parse(s, &u, &errstr) == 0) {
		assert(u.scheme != NULL && u.scheme[0] != '\0');
		assert(no_upper(u.scheme));
		assert(u.host != NULL && u.host[0] != '\0');
		assert(no_upper(u.host));
		assert(u.port == NULL || (u.port[0] != '\0' &&
		    strspn(u.port, "0123456789") == strlen(u.port)));
		assert(u.path != NULL);
		assert(is_clean(u.path));
		assert(utf8_is_valid(u.path, strlen(u.path)));
		assert(no_control(u.path));
	} else
		assert(errstr != NULL);
	memcpy(s, data, size);
	if (url_parse_spartan(s, &sr, &errstr) == 0) {
		for (i = 0; i < size && data[i] != '\0'; i++)
			assert(data[i] >= 0x20 && data[i] < 0x7f);
		assert(sr.host != NULL && sr.host[0] != '\0');
		assert(no_upper(sr.host));
		assert(strspn(sr.host, "abcdefghijklmnopqrstuvwxyz0123456789"
		    ".:-") == strlen(sr.host));
		assert(sr.path != NULL);
		assert(is_clean(sr.path));
		assert(utf8_is_valid(sr.path, strlen(sr.path)));
		assert(no_control(sr.path));
		assert(sr.content_length <= SPARTAN_DATA_MAX);
	} else
		assert(errstr != NULL);
	free(s);
	return 0;
}
