/*
 * confvalue: the values of zeche.conf(5)'s directives, one parser per key
 * type (conf_set_key), and the checks the daemon shares with them
 * (conf_parse_listen, conf_host_normalise, ...).  The lexer, the key
 * tables and the blocks are in config.c; both see config_impl.h.  Pure,
 * as config.c: no I/O, no logging, no globals.
 */
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "config_impl.h"
#include "ratelimit.h"
#include "scrape.h"

int
conf_parse_listen(const char *spec, struct conf_listen *la,
    const char **errstr)
{
	const char	*colon, *close, *addr = NULL, *port = spec;
	size_t		 addrlen = 0;
	long		 n;
	char		*end;

	memset(la, 0, sizeof(*la));
	if (strncmp(spec, "unix:", 5) == 0) {
		if (spec[5] != '/' || strlen(spec + 5) > CONF_UNIX_PATH_MAX ||
		    conf_has_control(spec)) {
			*errstr = "expected \"unix:/PATH\", an absolute path of "
			    "at most 107 bytes";
			return -1;
		}
		if ((la->path = strdup(spec + 5)) == NULL) {
			*errstr = "out of memory";
			return -1;
		}
		return 0;
	}
	if (spec[0] == '[') {		/* [v6]:PORT */
		if ((close = strchr(spec, ']')) == NULL || close[1] != ':') {
			*errstr = "expected [ADDRESS]:PORT";
			return -1;
		}
		addr = spec + 1;
		addrlen = (size_t)(close - addr);
		port = close + 2;
	} else if ((colon = strrchr(spec, ':')) != NULL) {
		if (strchr(spec, ':') != colon) {
			*errstr = "expected an IPv6 address in brackets: "
			    "[ADDRESS]:PORT";
			return -1;
		}
		addr = spec;
		addrlen = (size_t)(colon - spec);
		port = colon + 1;
	}
	if (addr != NULL && (addrlen == 0 ||
	    (addrlen == 1 && addr[0] == '*')))
		addr = NULL;		/* every address */
	errno = 0;
	n = strtol(port, &end, 10);
	if (!isdigit((unsigned char)port[0]) || *end != '\0' || n < 1 ||
	    n > 65535) {
		*errstr = "expected a port number from 1 to 65535";
		return -1;
	}
	if ((addr != NULL && (la->addr = strndup(addr, addrlen)) == NULL) ||
	    (la->port = strdup(port)) == NULL) {
		free(la->addr);
		la->addr = NULL;
		*errstr = "out of memory";
		return -1;
	}
	return 0;
}

int
conf_listen_port(struct conf_listen *la, int p)
{
	static const char *const	 port[PROTO_COUNT] = {
		[PROTO_GEMINI] = "1965",
		[PROTO_GOPHER] = "70",
		[PROTO_SPARTAN] = "300",
	};

	if (la->path == NULL || la->port != NULL)
		return 0;
	la->port = strdup(la->public != NULL ? la->public : port[p]);
	return la->port == NULL ? -1 : 0;
}

int
conf_host_normalise(char *name)
{
	size_t	 len;
	char	*p;

	/*
	 * Letters, digits, "-", "." and "_" (RFC 952, 1123; "_" as found in
	 * the wild), ":" of an IPv6 literal, and UTF-8 of a name not yet in
	 * punycode.  Nothing else: a "," or "=" would be read as syntax by
	 * whatever takes the name as text (a certificate's subjectAltName).
	 */
	for (p = name; *p != '\0'; p++) {
		if (!isalnum((unsigned char)*p) && *p != '-' && *p != '.' &&
		    *p != '_' && *p != ':' && (unsigned char)*p < 0x80)
			return -1;
		*p = (char)tolower((unsigned char)*p);
	}
	len = (size_t)(p - name);
	if (len > 1 && name[len - 1] == '.')
		name[--len] = '\0';
	/* no empty label: not ".", "a..b", ".a" nor "a.." */
	if (len == 0 || len > 253 || name[0] == '.' || name[len - 1] == '.' ||
	    strstr(name, "..") != NULL)
		return -1;
	return 0;
}

int
conf_parse_log_ip(const char *s, enum conf_log_ip *type)
{
	if (strcmp(s, "off") == 0)
		*type = CONF_LOG_IP_OFF;
	else if (strcmp(s, "anon") == 0)
		*type = CONF_LOG_IP_ANON;
	else if (strcmp(s, "full") == 0)
		*type = CONF_LOG_IP_FULL;
	else
		return -1;
	return 0;
}

bool
conf_has_control(const char *s)
{
	for (; *s != '\0'; s++)
		if ((unsigned char)*s < ' ' || *s == 0x7f)
			return true;
	return false;
}

/* A path relative to the folder of the file, as a new string. */
static char *
path_value(struct parser *ps, const char *text)
{
	char	*p;
	size_t	 len;

	if (text[0] == '/' || ps->dirlen == 0)
		return conf_dup(ps, text);
	len = ps->dirlen + strlen(text) + 1;
	if ((p = malloc(len)) == NULL) {
		conf_fail(ps, ps->tok.line, ps->tok.col, "out of memory");
		return NULL;
	}
	snprintf(p, len, "%.*s%s", (int)ps->dirlen, ps->file, text);
	return p;
}

/* A port number, 1 to 65535, in decimal. */
static bool
is_port(const char *s)
{
	char	*end;
	long	 n;

	n = strtol(s, &end, 10);
	return isdigit((unsigned char)s[0]) && *end == '\0' && n >= 1 &&
	    n <= 65535;
}

/* After a Unix listener: "mode 0NNN", "owner USER" or "group GROUP". */
static int
unix_option(struct parser *ps, struct conf_listen *l)
{
	const char	*what = ps->tok.text;
	char		*end, **sp;
	long		 n;

	if (l->path == NULL) {
		conf_fail(ps, ps->tok.line, ps->tok.col, "\"%s\" is for a listener "
		    "on a Unix socket (\"unix:/PATH\")", what);
		return -1;
	}
	if (strcmp(what, "mode") == 0) {
		if (!conf_value(ps, "a mode in octal, such as 0660"))
			return -1;
		n = strtol(ps->tok.text, &end, 8);
		if (ps->tok.text[0] != '0' || *end != '\0' || n < 1 ||
		    n > 0777) {
			conf_fail(ps, ps->tok.line, ps->tok.col, "expected a mode "
			    "in octal from 01 to 0777, such as 0660");
			return -1;
		}
		l->mode = (int)n;
		return 0;
	}
	sp = strcmp(what, "owner") == 0 ? &l->owner : &l->group;
	if (!conf_value(ps, sp == &l->owner ? "a user name" : "a group name"))
		return -1;
	if (ps->tok.text[0] == '\0' || conf_has_control(ps->tok.text) ||
	    strchr(ps->tok.text, ':') != NULL) {
		conf_fail(ps, ps->tok.line, ps->tok.col, "expected a %s name",
		    sp == &l->owner ? "user" : "group");
		return -1;
	}
	return (*sp = conf_dup(ps, ps->tok.text)) == NULL ? -1 : 0;
}

/* A word after a listener's address that unix_option() takes, once. */
static bool
is_unix_option(const struct parser *ps, const struct conf_listen *l)
{
	const char	*w = ps->peek.text;

	return !ps->peek.quoted &&
	    ((strcmp(w, "mode") == 0 && l->mode == 0) ||
	    (strcmp(w, "owner") == 0 && l->owner == NULL) ||
	    (strcmp(w, "group") == 0 && l->group == NULL));
}

static int
add_listen(struct parser *ps, int p, bool named)
{
	struct conf_listen	 la, *l, **list = &ps->conf->listen[p];
	size_t			*n = &ps->conf->nlisten[p];
	const char		*errstr;
	size_t			 col, all = 0;
	int			 q;

	if (!conf_value(ps, "[ADDRESS:]PORT or \"unix:/PATH\""))
		return -1;
	/* one bound for all protocols together, as the transport has it */
	for (q = 0; q < PROTO_COUNT; q++)
		all += ps->conf->nlisten[q];
	if (all >= CONF_LISTEN_MAX) {
		conf_fail(ps, ps->tok.line, ps->tok.col, "expected at most %d "
		    "listeners in all", CONF_LISTEN_MAX);
		return -1;
	}
	if (conf_parse_listen(ps->tok.text, &la, &errstr) == -1) {
		col = ps->tok.col + ps->tok.quoted;
		if (strncmp(errstr, "expected a port", 15) == 0 &&
		    strrchr(ps->tok.text, ':') != NULL)
			col += (size_t)(strrchr(ps->tok.text, ':') -
			    ps->tok.text) + 1;
		conf_fail(ps, ps->tok.line, col, "%s", errstr);
		return -1;
	}
	la.line = ps->tok.line;
	if ((l = conf_grow(ps, ps->tok.line, ps->tok.col, *list, *n,
	    CONF_LISTEN_MAX, sizeof(*l), "listeners")) == NULL) {
		free(la.addr);
		free(la.port);
		free(la.path);
		return -1;
	}
	*list = l;
	l[(*n)++] = la;
	l = &l[*n - 1];
	/*
	 * then "proxy", "public PORT", (Gopher) "host NAME" and (a Unix
	 * socket) "mode", "owner" and "group", each once, in any order
	 */
	while (conf_peek(ps) == TOK_WORD) {
		if (strcmp(ps->peek.text, "proxy") == 0 && !ps->peek.quoted &&
		    !l->proxy) {
			conf_next(ps);
			l->proxy = true;
			continue;
		}
		if (is_unix_option(ps, l)) {
			conf_next(ps);
			if (unix_option(ps, l) == -1)
				return -1;
			continue;
		}
		if (strcmp(ps->peek.text, "public") == 0 && !ps->peek.quoted &&
		    l->public == NULL) {
			conf_next(ps);
			if (!conf_value(ps, "a port number"))
				return -1;
			if (!is_port(ps->tok.text)) {
				conf_fail(ps, ps->tok.line, ps->tok.col, "expected "
				    "a port number from 1 to 65535");
				return -1;
			}
			if ((l->public = conf_dup(ps, ps->tok.text)) ==
			    NULL)
				return -1;
			continue;
		}
		if (!named)
			break;		/* the end of the directive is checked */
		conf_next(ps);
		if (strcmp(ps->tok.text, "host") != 0 || ps->tok.quoted ||
		    l->host != NULL) {
			conf_fail(ps, ps->tok.line, ps->tok.col, "expected %s the "
			    "end of the line", l->host != NULL ?
			    "\"proxy\" or" : l->proxy ? "\"host\" or" :
			    "\"host\", \"proxy\" or");
			return -1;
		}
		if (!conf_value(ps, "a host name"))
			return -1;
		if ((l->host = conf_dup(ps, ps->tok.text)) == NULL)
			return -1;
		if (conf_host_normalise(l->host) == -1) {
			conf_fail(ps, ps->tok.line, ps->tok.col,
			    "expected a host name");
			return -1;
		}
	}
	if (conf_listen_port(l, p) == -1) {
		conf_fail(ps, ps->tok.line, ps->tok.col, "out of memory");
		return -1;
	}
	return 0;
}

/* An alias names no other host, nor this one twice. */
static int
check_alias(struct parser *ps, const struct conf_host *h, const char *alias)
{
	const struct conf_host	*other;
	size_t			 i;

	if ((other = conf_name_taken(ps->conf, h, alias)) != NULL) {
		conf_fail(ps, ps->tok.line, ps->tok.col, "two hosts named \"%s\": "
		    "host \"%s\" (line %zu) and host \"%s\" (line %zu)",
		    alias, other->name, other->line, h->name, h->line);
		return -1;
	}
	for (i = 0; i + 1 < h->naliases; i++)
		if (strcmp(h->aliases[i], alias) == 0)
			break;
	if (strcmp(alias, h->name) == 0 || i + 1 < h->naliases) {
		conf_fail(ps, ps->tok.line, ps->tok.col, "alias \"%s\" given twice "
		    "in host \"%s\"", alias, h->name);
		return -1;
	}
	return 0;
}

/* One number of "rate", from MIN to MAX, into *N. */
static int
rate_number(struct parser *ps, long min, long max, int *n)
{
	char	*end;
	long	 v;

	if (!conf_value(ps, "a number"))
		return -1;
	errno = 0;
	v = strtol(ps->tok.text, &end, 10);
	if (!isdigit((unsigned char)ps->tok.text[0]) || *end != '\0' ||
	    errno != 0 || v < min || v > max) {
		conf_fail(ps, ps->tok.line, ps->tok.col, "expected a number from "
		    "%ld to %ld", min, max);
		return -1;
	}
	*n = (int)v;
	return 0;
}

/* The word W next, as in "per" and "burst". */
static int
rate_word(struct parser *ps, const char *w)
{
	if (!conf_value(ps, w))
		return -1;
	if (strcmp(ps->tok.text, w) != 0 || ps->tok.quoted) {
		conf_fail(ps, ps->tok.line, ps->tok.col, "expected \"%s\"", w);
		return -1;
	}
	return 0;
}

/*
 * rate REQUESTS per SECONDS burst N (of the host H, or NULL: global);
 * rate_allow NETWORK
 */
static int
set_rate(struct parser *ps, const struct key *k, struct conf_host *h)
{
	struct conf		*conf = ps->conf;
	struct conf_rate	 r = { 0, 0, 0 }, *dst = h != NULL ? &h->rate :
				    &r;
	struct rate_net		 net;
	char			**a;

	if (k->type == KEY_RATE) {
		if (rate_number(ps, k->min, k->max, &dst->requests) == -1 ||
		    rate_word(ps, "per") == -1 ||
		    rate_number(ps, 1, 86400, &dst->seconds) == -1 ||
		    rate_word(ps, "burst") == -1 ||
		    rate_number(ps, 1, 1000000, &dst->burst) == -1)
			return -1;
		if (h == NULL) {
			conf->rate_requests = r.requests;
			conf->rate_seconds = r.seconds;
			conf->rate_burst = r.burst;
		}
		return 0;
	}
	if (!conf_value(ps, "an address or network, such as \"192.0.2.0/24\""))
		return -1;
	if (ratelimit_parse_net(ps->tok.text, &net) == -1) {
		conf_fail(ps, ps->tok.line, ps->tok.col, "expected an IPv4 or IPv6 "
		    "address or network, such as \"192.0.2.0/24\"");
		return -1;
	}
	if ((a = conf_grow(ps, ps->tok.line, ps->tok.col, conf->rate_allow,
	    conf->nrate_allow, CONF_RATE_ALLOW_MAX, sizeof(*a),
	    "rate_allow networks")) == NULL)
		return -1;
	conf->rate_allow = a;
	if ((a[conf->nrate_allow] = conf_dup(ps, ps->tok.text)) == NULL)
		return -1;
	conf->nrate_allow++;
	return 0;
}

/* A media type as upload_types takes it: "type/subtype", no parameter. */
static bool
is_media_type(const char *s)
{
	const char	*slash = strchr(s, '/');
	size_t		 n = strspn(s, "abcdefghijklmnopqrstuvwxyz"
			    "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789!#$&-^_.+/");

	return slash != NULL && slash != s && slash[1] != '\0' &&
	    strchr(slash + 1, '/') == NULL && n == strlen(s);
}

/* upload_types "TYPE" ...: one or more, to the end of the line. */
static int
add_types(struct parser *ps, struct conf_titan *t)
{
	char	**a;

	do {
		if (!conf_value(ps, "a media type such as \"text/gemini\""))
			return -1;
		if (!is_media_type(ps->tok.text)) {
			conf_fail(ps, ps->tok.line, ps->tok.col, "expected a media "
			    "type such as \"text/gemini\"");
			return -1;
		}
		if ((a = conf_grow(ps, ps->tok.line, ps->tok.col, t->types,
		    t->ntypes, CONF_UPLOAD_TYPES_MAX, sizeof(*a),
		    "upload types")) == NULL)
			return -1;
		t->types = a;
		if ((a[t->ntypes] = conf_dup(ps, ps->tok.text)) == NULL)
			return -1;
		t->ntypes++;
	} while (conf_peek(ps) == TOK_WORD);
	return 0;
}

/* KEY_INT: a number from k->min to k->max; KEY_SIZE: with K or M too. */
static int
set_number(struct parser *ps, const struct key *k, const char *t, int *dst)
{
	char	*end;
	long	 n;

	errno = 0;
	n = strtol(t, &end, 10);
	if (k->type == KEY_SIZE && isdigit((unsigned char)t[0]) &&
	    errno == 0 && n <= INT_MAX / (1024 * 1024)) {
		if (*end == 'K' || *end == 'k')
			n *= 1024, end++;
		else if (*end == 'M' || *end == 'm')
			n *= 1024 * 1024, end++;
	}
	if (!isdigit((unsigned char)t[0]) || *end != '\0' || errno != 0 ||
	    n < k->min || n > k->max) {
		if (k->type == KEY_SIZE)
			conf_fail(ps, ps->tok.line, ps->tok.col, "expected a "
			    "size from %ld to %ld bytes (or with K or M)",
			    k->min, k->max);
		else
			conf_fail(ps, ps->tok.line, ps->tok.col, "expected a "
			    "number from %ld to %ld", k->min, k->max);
		return -1;
	}
	*dst = (int)n;
	return 0;
}

int
conf_set_key(struct parser *ps, const struct key *k, void *base,
    struct conf_host *h)
{
	char		**sp = (char **)((char *)base + k->off);
	char		**a;
	const char	*t, *errstr;

	if (k->type == KEY_LISTEN)
		return add_listen(ps, (int)k->min, k->max == 1);
	if (k->type == KEY_RATE || k->type == KEY_RATE_ALLOW)
		return set_rate(ps, k, h);
	if (k->type == KEY_TYPES)
		return add_types(ps, (struct conf_titan *)((char *)base +
		    k->off));
	if (!conf_value(ps, k->type == KEY_INT || k->type == KEY_SIZE ?
	    "a number" :
	    k->type == KEY_BOOL ? "on or off" :
	    k->type == KEY_LOG_IP ? "off, anon or full" :
	    k->type == KEY_LOG_STYLE ? "zeche or combined" :
	    k->type == KEY_METRICS ? "ADDRESS:PORT or \"unix:PATH\"" :
	    k->type == KEY_PATH ? "a path" :
	    k->type == KEY_ALIAS ? "a host name" :
	    k->type == KEY_PING ? "a gemini:// URL" :
	    k->type == KEY_LANG ? "a language tag" : "a string"))
		return -1;
	t = ps->tok.text;
	switch (k->type) {
	case KEY_STRING:
		if (conf_has_control(t))
			goto bad;
		return (*sp = conf_dup(ps, t)) == NULL ? -1 : 0;
	case KEY_USER:
		if (t[0] == '\0' || strpbrk(t, ":/ \t") != NULL ||
		    conf_has_control(t))
			goto bad;
		return (*sp = conf_dup(ps, t)) == NULL ? -1 : 0;
	case KEY_PATH:
		if (t[0] == '\0' || conf_has_control(t))
			goto bad;
		return (*sp = path_value(ps, t)) == NULL ? -1 : 0;
	case KEY_LANG:
		/* BCP 47 in its simplest form: letters, digits, "-" */
		if (t[0] == '\0' || strlen(t) > 35 ||
		    strspn(t, "abcdefghijklmnopqrstuvwxyz"
		    "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-") != strlen(t) ||
		    !isalpha((unsigned char)t[0]))
			goto bad;
		return (*sp = conf_dup(ps, t)) == NULL ? -1 : 0;
	case KEY_ALIAS:
		if ((a = conf_grow(ps, ps->tok.line, ps->tok.col, h->aliases,
		    h->naliases, CONF_ALIASES_MAX, sizeof(*a), "aliases")) ==
		    NULL)
			return -1;
		h->aliases = a;
		if ((a[h->naliases] = conf_dup(ps, t)) == NULL)
			return -1;
		if (conf_host_normalise(a[h->naliases]) == -1) {
			free(a[h->naliases]);
			goto bad;
		}
		h->naliases++;
		return check_alias(ps, h, a[h->naliases - 1]);
	case KEY_PING:
		if (strncmp(t, "gemini://", 9) != 0 || strlen(t) > 512 ||
		    strpbrk(t, " ?#") != NULL || conf_has_control(t))
			goto bad;
		if ((a = conf_grow(ps, ps->tok.line, ps->tok.col, h->pings,
		    h->npings, CONF_PINGS_MAX, sizeof(*a), "pings")) == NULL)
			return -1;
		h->pings = a;
		if ((a[h->npings] = conf_dup(ps, t)) == NULL)
			return -1;
		h->npings++;
		return 0;
	case KEY_INT:
	case KEY_SIZE:
		return set_number(ps, k, t, (int *)((char *)base + k->off));
	case KEY_BOOL:
		if (strcmp(t, "on") != 0 && strcmp(t, "off") != 0)
			goto bad;
		*(bool *)((char *)base + k->off) = strcmp(t, "on") == 0;
		return 0;
	case KEY_LOG_IP:
		if (conf_parse_log_ip(t, (enum conf_log_ip *)((char *)base +
		    k->off)) == -1)
			goto bad;
		return 0;
	case KEY_LOG_STYLE:
		if (strcmp(t, "zeche") != 0 && strcmp(t, "combined") != 0)
			goto bad;
		*(bool *)((char *)base + k->off) = strcmp(t, "combined") == 0;
		return 0;
	case KEY_METRICS:
		if (scrape_check_spec(t, &errstr) == -1) {
			conf_fail(ps, ps->tok.line, ps->tok.col, "%s", errstr);
			return -1;
		}
		return (*sp = conf_dup(ps, t)) == NULL ? -1 : 0;
	default:
		break;
	}
 bad:
	conf_fail(ps, ps->tok.line, ps->tok.col, "expected %s",
	    k->type == KEY_BOOL ? "on or off" :
	    k->type == KEY_LOG_IP ? "off, anon or full" :
	    k->type == KEY_LOG_STYLE ? "zeche or combined" :
	    k->type == KEY_PATH ? "a path" :
	    k->type == KEY_USER ? "a user name" :
	    k->type == KEY_ALIAS ? "a host name" :
	    k->type == KEY_PING ? "a gemini:// URL without a query" :
	    k->type == KEY_LANG ? "a language tag such as \"en\" or \"de-CH\"" :
	    "one line of text");
	return -1;
}

