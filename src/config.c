#include <sys/stat.h>

#include <fcntl.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "buf.h"
#include "config.h"
#include "config_impl.h"
#include "file.h"

void
conf_fail(struct parser *ps, size_t line, size_t col, const char *fmt, ...)
{
	va_list	 ap;
	int	 n;

	if (ps->failed)
		return;			/* the first error is the one */
	ps->failed = true;
	if (ps->errlen == 0)
		return;
	n = snprintf(ps->err, ps->errlen, "%s:%zu:%zu: ", ps->file, line,
	    col);
	if (n < 0 || (size_t)n >= ps->errlen)
		return;
	va_start(ap, fmt);
	vsnprintf(ps->err + n, ps->errlen - (size_t)n, fmt, ap);
	va_end(ap);
}

/*
 * Make room for one more element of SIZE bytes at the end of BASE, which
 * holds N: returns the new array (the new element zeroed), or NULL with
 * "expected at most MAX WHAT" or "out of memory" failed at LINE:COL.
 */
void *
conf_grow(struct parser *ps, size_t line, size_t col, void *base, size_t n,
    size_t max, size_t size, const char *what)
{
	char	*p;

	if (n >= max) {
		conf_fail(ps, line, col, "expected at most %zu %s", max, what);
		return NULL;
	}
	if ((p = reallocarray(base, n + 1, size)) == NULL) {
		conf_fail(ps, line, col, "out of memory");
		return NULL;
	}
	memset(p + n * size, 0, size);
	return p;
}

static bool
is_word_byte(unsigned char ch)
{
	return ch > ' ' && ch != 0x7f && ch != '"' && ch != '#' &&
	    ch != '{' && ch != '}' && ch != '\\';
}

static void
lex(struct parser *ps, struct tok *t)
{
	unsigned char	 ch;
	size_t		 n = 0;

	t->quoted = false;
	t->text[0] = '\0';
	while (ps->p < ps->end && (*ps->p == ' ' || *ps->p == '\t' ||
	    *ps->p == '\r'))
		ps->p++;
	if (ps->p < ps->end && *ps->p == '#')	/* a comment, to the EOL */
		while (ps->p < ps->end && *ps->p != '\n')
			ps->p++;
	t->line = ps->line;
	t->col = (size_t)(ps->p - ps->bol) + 1;
	if (ps->p == ps->end) {
		t->type = TOK_EOF;
		return;
	}
	ch = (unsigned char)*ps->p;
	if (ch == '\n') {
		ps->p++;
		ps->line++;
		ps->bol = ps->p;
		t->type = TOK_EOL;
		return;
	}
	if (ch == '{' || ch == '}') {
		ps->p++;
		t->type = ch == '{' ? TOK_OPEN : TOK_CLOSE;
		return;
	}
	t->type = TOK_WORD;
	if (ch == '"') {
		t->quoted = true;
		for (ps->p++;; ps->p++) {
			if (ps->p == ps->end || *ps->p == '\n') {
				conf_fail(ps, t->line, t->col, "expected a closing "
				    "quote for this string");
				t->type = TOK_ERROR;
				return;
			}
			ch = (unsigned char)*ps->p;
			if (ch == '"')
				break;
			if (ch == '\\') {
				if (ps->p + 1 == ps->end || (ps->p[1] != '"' &&
				    ps->p[1] != '\\')) {
					conf_fail(ps, ps->line, (size_t)(ps->p -
					    ps->bol) + 1, "expected \\\" or "
					    "\\\\ in a string");
					t->type = TOK_ERROR;
					return;
				}
				ch = (unsigned char)*++ps->p;
			} else if (ch < ' ' || ch == 0x7f) {
				conf_fail(ps, ps->line, (size_t)(ps->p - ps->bol) +
				    1, "expected text, not a control "
				    "character");
				t->type = TOK_ERROR;
				return;
			}
			if (n == CONF_STRING_MAX) {
				conf_fail(ps, t->line, t->col, "expected a string "
				    "of at most %d bytes", CONF_STRING_MAX);
				t->type = TOK_ERROR;
				return;
			}
			t->text[n++] = (char)ch;
		}
		ps->p++;
		t->text[n] = '\0';
		return;
	}
	if (!is_word_byte(ch)) {
		conf_fail(ps, t->line, t->col, ch < ' ' || ch == 0x7f ?
		    "expected a word, not a control character" :
		    "expected a word, not \"%c\"", ch);
		t->type = TOK_ERROR;
		return;
	}
	while (ps->p < ps->end && is_word_byte((unsigned char)*ps->p)) {
		if (n == CONF_STRING_MAX) {
			conf_fail(ps, t->line, t->col, "expected a word of at most "
			    "%d bytes", CONF_STRING_MAX);
			t->type = TOK_ERROR;
			return;
		}
		t->text[n++] = *ps->p++;
	}
	t->text[n] = '\0';
}

/* The next token into ps->tok. */
enum tok_type
conf_next(struct parser *ps)
{
	if (ps->has_peek) {
		ps->tok = ps->peek;
		ps->has_peek = false;
	} else
		lex(ps, &ps->tok);
	return ps->tok.type;
}

enum tok_type
conf_peek(struct parser *ps)
{
	if (!ps->has_peek) {
		lex(ps, &ps->peek);
		ps->has_peek = true;
	}
	return ps->peek.type;
}

/* What the token looks like, for "expected X, not Y" messages. */
static const char *
tok_name(const struct tok *t)
{
	switch (t->type) {
	case TOK_EOF:
		return "the end of the file";
	case TOK_EOL:
		return "the end of the line";
	case TOK_OPEN:
		return "\"{\"";
	case TOK_CLOSE:
		return "\"}\"";
	default:
		return "a word";
	}
}

/* A value token; anything else is "expected WHAT". */
bool
conf_value(struct parser *ps, const char *what)
{
	if (conf_next(ps) == TOK_WORD)
		return true;
	if (ps->tok.type != TOK_ERROR)
		conf_fail(ps, ps->tok.line, ps->tok.col, "expected %s, not %s",
		    what, tok_name(&ps->tok));
	return false;
}

/* The directive ends here: at the end of the line, the file, or a "}". */
static bool
end_of_directive(struct parser *ps)
{
	enum tok_type	 t = conf_peek(ps);

	if (t == TOK_EOL) {
		conf_next(ps);
		return true;
	}
	if (t == TOK_EOF || t == TOK_CLOSE)
		return true;
	if (t != TOK_ERROR)
		conf_fail(ps, ps->peek.line, ps->peek.col, "expected the end of "
		    "the line, not %s", ps->peek.type == TOK_WORD ?
		    "another value" : tok_name(&ps->peek));
	return false;
}

char *
conf_dup(struct parser *ps, const char *s)
{
	char	*d;

	if ((d = strdup(s)) == NULL)
		conf_fail(ps, ps->tok.line, ps->tok.col, "out of memory");
	return d;
}


#define G(m)	offsetof(struct conf, m)
#define H(m)	offsetof(struct conf_host, m)

static const struct key global_keys[] = {
	{ "gemini",	KEY_LISTEN,		0,	PROTO_GEMINI, 0 },
	{ "gopher",	KEY_LISTEN,		0,	PROTO_GOPHER, 1 },
	{ "spartan",	KEY_LISTEN,		0,	PROTO_SPARTAN, 0 },
	{ "user",	KEY_USER,		G(user),	0, 0 },
	{ "timeout",	KEY_INT,		G(timeout),	1, 3600 },
	{ "max_conns",	KEY_INT,		G(max_conns),	1, 1000000 },
	{ "per_address", KEY_INT,		G(per_address),	1, 1000000 },
	{ "workers",	KEY_INT,		G(workers),	1, CONF_WORKERS_MAX },
	{ "log",	KEY_PATH,		G(log),		0, 0 },
	{ "log_ip",	KEY_LOG_IP,		G(log_ip),	0, 0 },
	{ "watch",	KEY_BOOL,		G(watch),	0, 0 },
	{ "control",	KEY_PATH,		G(control),	0, 0 },
	{ "rate",	KEY_RATE,		0,		1, 1000000 },
	{ "rate_allow",	KEY_RATE_ALLOW,		0,		0, 0 },
	{ "metrics",	KEY_METRICS,		G(metrics),	0, 0 },
	{ "log_style",	KEY_LOG_STYLE,		G(log_combined), 0, 0 },
	{ "text_cache",	KEY_SIZE,		G(text_cache),	0,
	    1024 * 1024 * 1024 },
	{ NULL,		0,			0,		0, 0 },
};

static const struct key host_keys[] = {
	{ "alias",	KEY_ALIAS,		0,		0, 0 },
	{ "root",	KEY_PATH,		H(root),	0, 0 },
	{ "certs",	KEY_PATH,		H(certs),	0, 0 },
	{ "cert",	KEY_PATH,		H(cert),	0, 0 },
	{ "key",	KEY_PATH,		H(key),		0, 0 },
	{ "lang",	KEY_LANG,		H(lang),	0, 0 },
	{ "description", KEY_STRING,		H(description),	0, 0 },
	{ "author",	KEY_STRING,		H(author),	0, 0 },
	{ "gopher",	KEY_BOOL,		H(gopher),	0, 0 },
	{ "listing",	KEY_BOOL,		H(listing),	0, 0 },
	{ "posts",	KEY_BOOL,		H(posts),	0, 0 },
	{ "spartan_link", KEY_BOOL,		H(spartan_link), 0, 0 },
	{ "pageindex",	KEY_BOOL,		H(pageindex),	0, 0 },
	{ "archive",	KEY_BOOL,		H(archive),	0, 0 },
	{ "readers",	KEY_PATH,		H(readers),	0, 0 },
	{ "writers",	KEY_PATH,		H(writers),	0, 0 },
	{ "deny",	KEY_PATH,		H(deny),	0, 0 },
	{ "ca",		KEY_PATH,		H(ca),		0, 0 },
	{ "titan",	KEY_BOOL,		H(titan.on),	0, 0 },
	{ "token",	KEY_STRING,		H(titan.token),	0, 0 },
	{ "upload_max",	KEY_SIZE,		H(titan.max),	1,
	    CONF_UPLOAD_MAX_LIMIT },
	{ "upload_types", KEY_TYPES,		H(titan),	0, 0 },
	{ "upload_create", KEY_BOOL,		H(titan.create), 0, 0 },
	{ "upload_delete", KEY_BOOL,		H(titan.delete), 0, 0 },
	{ "history",	KEY_PATH,		H(history),	0, 0 },
	{ "search",	KEY_BOOL,		H(search),	0, 0 },
	{ "ping",	KEY_PING,		0,		0, 0 },
	{ "ping_interval", KEY_INT,		H(ping_interval), 1, 604800 },
	{ "rate",	KEY_RATE,		H(rate),	1, 1000000 },
	{ NULL,		0,			0,		0, 0 },
};

#define L(m)	offsetof(struct conf_location, m)

/* In a location block; the first two bits of "seen" say what was set. */
static const struct key location_keys[] = {
	{ "listing",	KEY_BOOL,		L(listing),	0, 0 },
	{ "posts",	KEY_BOOL,		L(posts),	0, 0 },
	{ "lang",	KEY_LANG,		L(lang),	0, 0 },
	{ "title",	KEY_STRING,		L(title),	0, 0 },
	{ "readers",	KEY_PATH,		L(readers),	0, 0 },
	{ "writers",	KEY_PATH,		L(writers),	0, 0 },
	{ "deny",	KEY_PATH,		L(deny),	0, 0 },
	{ "ca",		KEY_PATH,		L(ca),		0, 0 },
	{ "titan",	KEY_BOOL,		L(titan.on),	0, 0 },
	{ "token",	KEY_STRING,		L(titan.token),	0, 0 },
	{ "upload_max",	KEY_SIZE,		L(titan.max),	1,
	    CONF_UPLOAD_MAX_LIMIT },
	{ "upload_types", KEY_TYPES,		L(titan),	0, 0 },
	{ "upload_create", KEY_BOOL,		L(titan.create), 0, 0 },
	{ "upload_delete", KEY_BOOL,		L(titan.delete), 0, 0 },
	{ NULL,		0,			0,		0, 0 },
};

#undef G
#undef H
#undef L

/* The place of the key NAME in KEYS: its bit in a block's "seen". */
static size_t
key_index(const struct key *keys, const char *name)
{
	size_t	 i;

	for (i = 0; keys[i].name != NULL; i++)
		if (strcmp(keys[i].name, name) == 0)
			break;
	return i;
}

/* The directives that may be given more than once. */
static bool
is_repeatable(enum key_type type)
{
	return type == KEY_LISTEN || type == KEY_ALIAS ||
	    type == KEY_RATE_ALLOW || type == KEY_PING;
}

/*
 * One directive, its name in ps->tok: look it up in KEYS, refuse a second
 * one that may be given once (SEEN has a bit per key), read its value.
 */
static int
directive(struct parser *ps, const struct key *keys, void *base,
    struct conf_host *h, unsigned long *seen, size_t *seen_line)
{
	const struct key	*k;
	size_t			 i, line = ps->tok.line, col = ps->tok.col;

	for (i = 0; keys[i].name != NULL; i++)
		if (strcmp(keys[i].name, ps->tok.text) == 0 && !ps->tok.quoted)
			break;
	k = &keys[i];
	if (k->name == NULL) {
		if (strcmp(ps->tok.text, "host") == 0 && h != NULL)
			conf_fail(ps, line, col, "expected \"}\" to end host \"%s\" "
			    "(line %zu) before the next host", h->name,
			    h->line);
		else
			conf_fail(ps, line, col, "unknown directive \"%s\"%s",
			    ps->tok.text, h != NULL ? " in a host block" : "");
		return -1;
	}
	if (!is_repeatable(k->type)) {
		if (*seen & (1UL << i)) {
			conf_fail(ps, line, col, "\"%s\" given twice (first on "
			    "line %zu)", k->name, seen_line[i]);
			return -1;
		}
		*seen |= 1UL << i;
		seen_line[i] = line;
	}
	if (conf_set_key(ps, k, base, h) == -1 || !end_of_directive(ps))
		return -1;
	return 0;
}

/* Is NAME already a host's name or alias (other than in H itself)? */
const struct conf_host *
conf_name_taken(const struct conf *conf, const struct conf_host *h,
    const char *name)
{
	size_t	 i, j;

	for (i = 0; i < conf->nhosts; i++) {
		if (&conf->hosts[i] == h)
			continue;
		if (strcmp(conf->hosts[i].name, name) == 0)
			return &conf->hosts[i];
		for (j = 0; j < conf->hosts[i].naliases; j++)
			if (strcmp(conf->hosts[i].aliases[j], name) == 0)
				return &conf->hosts[i];
	}
	return NULL;
}

static void
titan_free(struct conf_titan *t)
{
	size_t	 i;

	free(t->token);
	for (i = 0; i < t->ntypes; i++)
		free(t->types[i]);
	free(t->types);
}

/*
 * What a block set of the Titan keys (SEEN, its bits after KEYS), and a
 * token that cannot be sent: empty.
 */
static int
titan_seen(struct parser *ps, const struct key *keys, unsigned long seen,
    struct conf_titan *t)
{
	static const struct {
		const char	*key;
		unsigned int	 bit;
	} bits[] = {
		{ "titan", CONF_TITAN_SET_ON },
		{ "token", CONF_TITAN_SET_TOKEN },
		{ "upload_max", CONF_TITAN_SET_MAX },
		{ "upload_types", CONF_TITAN_SET_TYPES },
		{ "upload_create", CONF_TITAN_SET_CREATE },
		{ "upload_delete", CONF_TITAN_SET_DELETE },
	};
	size_t	 i;

	for (i = 0; i < sizeof(bits) / sizeof(bits[0]); i++)
		if (seen & (1UL << key_index(keys, bits[i].key)))
			t->set |= bits[i].bit;
	if (t->token != NULL && t->token[0] == '\0') {
		conf_fail(ps, ps->tok.line, ps->tok.col, "expected a token that is "
		    "not empty");
		return -1;
	}
	return 0;
}

static void
host_free(struct conf_host *h)
{
	size_t	 i;

	free(h->name);
	for (i = 0; i < h->naliases; i++)
		free(h->aliases[i]);
	free(h->aliases);
	for (i = 0; i < h->npings; i++)
		free(h->pings[i]);
	free(h->pings);
	free(h->root);
	free(h->certs);
	free(h->cert);
	free(h->key);
	free(h->lang);
	free(h->description);
	free(h->author);
	free(h->readers);
	free(h->writers);
	free(h->deny);
	free(h->ca);
	free(h->history);
	titan_free(&h->titan);
	for (i = 0; i < h->nlocations; i++) {
		free(h->locations[i].path);
		free(h->locations[i].lang);
		free(h->locations[i].title);
		free(h->locations[i].readers);
		free(h->locations[i].writers);
		free(h->locations[i].deny);
		free(h->locations[i].ca);
		titan_free(&h->locations[i].titan);
	}
	free(h->locations);
	for (i = 0; i < h->nredirects; i++) {
		free(h->redirects[i].from);
		free(h->redirects[i].to);
	}
	free(h->redirects);
	memset(h, 0, sizeof(*h));
}

/* An absolute path of the capsule: "/" and no control character. */
static bool
is_abs_path(const char *s)
{
	return s[0] == '/' && !conf_has_control(s) && strchr(s, ' ') == NULL;
}

/* redirect [30|31] FROM TO, "redirect" in ps->tok. */
static int
redirect_line(struct parser *ps, struct conf_host *h)
{
	struct conf_redirect	*r;
	int			 status = 31;

	if (!conf_value(ps, "30, 31 or a path"))
		return -1;
	if (!ps->tok.quoted && (strcmp(ps->tok.text, "30") == 0 ||
	    strcmp(ps->tok.text, "31") == 0)) {
		status = atoi(ps->tok.text);
		if (!conf_value(ps, "a path"))
			return -1;
	}
	if (!is_abs_path(ps->tok.text)) {
		conf_fail(ps, ps->tok.line, ps->tok.col, "expected an absolute "
		    "path such as \"/old.gmi\"");
		return -1;
	}
	if ((r = conf_grow(ps, ps->tok.line, ps->tok.col, h->redirects,
	    h->nredirects, CONF_REDIRECTS_MAX, sizeof(*r), "redirects")) ==
	    NULL)
		return -1;
	h->redirects = r;
	r = &h->redirects[h->nredirects];
	r->status = status;
	r->line = ps->tok.line;
	if ((r->from = conf_dup(ps, ps->tok.text)) == NULL)
		return -1;
	h->nredirects++;
	if (!conf_value(ps, "where it leads: a path or a URL"))
		return -1;
	if (!is_abs_path(ps->tok.text) && (strstr(ps->tok.text, "://") ==
	    NULL || conf_has_control(ps->tok.text) ||
	    strpbrk(ps->tok.text, " \t") != NULL)) {
		conf_fail(ps, ps->tok.line, ps->tok.col, "expected an absolute "
		    "path or a URL such as \"gemini://example.org/\"");
		return -1;
	}
	if ((r->to = conf_dup(ps, ps->tok.text)) == NULL)
		return -1;
	return end_of_directive(ps) ? 0 : -1;
}

/* location "PATH" { ... }, "location" in ps->tok. */
static int
location_block(struct parser *ps, struct conf_host *h)
{
	struct conf_location	*l;
	unsigned long		 seen = 0;
	size_t			 seen_line[sizeof(location_keys) /
				    sizeof(location_keys[0])];
	size_t			 len, line = ps->tok.line;

	if (!conf_value(ps, "a folder path such as \"/notes/\""))
		return -1;
	if (!is_abs_path(ps->tok.text)) {
		conf_fail(ps, ps->tok.line, ps->tok.col, "expected a folder path "
		    "such as \"/notes/\"");
		return -1;
	}
	if ((l = conf_grow(ps, ps->tok.line, ps->tok.col, h->locations,
	    h->nlocations, CONF_LOCATIONS_MAX, sizeof(*l), "locations")) ==
	    NULL)
		return -1;
	h->locations = l;
	l = &h->locations[h->nlocations];
	l->line = line;
	/* a folder: "/notes" is "/notes/" */
	len = strlen(ps->tok.text);
	if ((l->path = malloc(len + 2)) == NULL) {
		conf_fail(ps, ps->tok.line, ps->tok.col, "out of memory");
		return -1;
	}
	snprintf(l->path, len + 2, "%s%s", ps->tok.text,
	    ps->tok.text[len - 1] == '/' ? "" : "/");
	h->nlocations++;
	if (conf_next(ps) != TOK_OPEN) {
		if (ps->tok.type != TOK_ERROR)
			conf_fail(ps, ps->tok.line, ps->tok.col, "expected \"{\" "
			    "after the location's path, not %s",
			    tok_name(&ps->tok));
		return -1;
	}
	if (!end_of_directive(ps))
		return -1;
	for (;;) {
		switch (conf_next(ps)) {
		case TOK_EOL:
			continue;
		case TOK_CLOSE:
			l->set_listing = (seen & 1) != 0;
			l->set_posts = (seen & 2) != 0;
			if (titan_seen(ps, location_keys, seen, &l->titan) ==
			    -1)
				return -1;
			return end_of_directive(ps) ? 0 : -1;
		case TOK_WORD:
			if (directive(ps, location_keys, l, h, &seen,
			    seen_line) == -1)
				return -1;
			continue;
		case TOK_EOF:
			conf_fail(ps, ps->tok.line, ps->tok.col, "expected \"}\" to "
			    "end location \"%s\" (line %zu)", l->path, l->line);
			return -1;
		case TOK_OPEN:
			conf_fail(ps, ps->tok.line, ps->tok.col, "expected a "
			    "directive, not \"{\"");
			return -1;
		default:
			return -1;
		}
	}
}

/* The kept versions of uploads must not lie in the capsule: served. */
static int
check_history(struct parser *ps, const struct conf_host *h)
{
	size_t	 len = strlen(h->root);

	while (len > 1 && h->root[len - 1] == '/')
		len--;
	if (h->history != NULL && strncmp(h->history, h->root, len) == 0 &&
	    (h->history[len] == '/' || h->history[len] == '\0')) {
		conf_fail(ps, ps->tok.line, ps->tok.col, "expected \"history\" "
		    "outside the capsule folder in host \"%s\": it would be "
		    "served", h->name);
		return -1;
	}
	return 0;
}

/* host "NAME" { ... }, "host" in ps->tok. */
static int
host_block(struct parser *ps)
{
	struct conf		*conf = ps->conf;
	struct conf_host	*h, *hosts;
	const struct conf_host	*other;
	unsigned long		 seen = 0;
	size_t			 seen_line[sizeof(host_keys) /
				    sizeof(host_keys[0])];
	size_t			 i, line = ps->tok.line, col = ps->tok.col;
	size_t			 name_line, name_col;

	if ((hosts = conf_grow(ps, line, col, conf->hosts, conf->nhosts,
	    CONF_HOSTS_MAX, sizeof(*hosts), "hosts")) == NULL)
		return -1;
	conf->hosts = hosts;
	h = &conf->hosts[conf->nhosts++];
	h->line = line;
	h->listing = h->posts = true;
	h->titan.create = true;
	if (!conf_value(ps, "a host name"))
		return -1;
	name_line = ps->tok.line;
	name_col = ps->tok.col;
	if ((h->name = conf_dup(ps, ps->tok.text)) == NULL)
		return -1;
	if (conf_host_normalise(h->name) == -1) {
		conf_fail(ps, name_line, name_col, "expected a host name");
		return -1;
	}
	for (i = 0; i + 1 < conf->nhosts; i++)
		if (strcmp(conf->hosts[i].name, h->name) == 0) {
			conf_fail(ps, name_line, name_col, "duplicate host \"%s\" "
			    "(first on line %zu)", h->name,
			    conf->hosts[i].line);
			return -1;
		}
	if ((other = conf_name_taken(conf, h, h->name)) != NULL) {
		conf_fail(ps, name_line, name_col, "two hosts named \"%s\": it is "
		    "an alias of host \"%s\" (line %zu)", h->name, other->name,
		    other->line);
		return -1;
	}
	if (conf_next(ps) != TOK_OPEN) {
		if (ps->tok.type != TOK_ERROR)
			conf_fail(ps, ps->tok.line, ps->tok.col, "expected \"{\" "
			    "after the host name, not %s", tok_name(&ps->tok));
		return -1;
	}
	if (!end_of_directive(ps))
		return -1;
	for (;;) {
		switch (conf_next(ps)) {
		case TOK_EOL:
			continue;
		case TOK_CLOSE:
			break;
		case TOK_WORD:
			if (!ps->tok.quoted &&
			    strcmp(ps->tok.text, "redirect") == 0) {
				if (redirect_line(ps, h) == -1)
					return -1;
			} else if (!ps->tok.quoted &&
			    strcmp(ps->tok.text, "location") == 0) {
				if (location_block(ps, h) == -1)
					return -1;
			} else if (directive(ps, host_keys, h, h, &seen,
			    seen_line) == -1)
				return -1;
			continue;
		case TOK_EOF:
			conf_fail(ps, ps->tok.line, ps->tok.col, "expected \"}\" to "
			    "end host \"%s\" (line %zu)", h->name, h->line);
			return -1;
		case TOK_OPEN:
			conf_fail(ps, ps->tok.line, ps->tok.col, "expected a "
			    "directive, not \"{\"");
			return -1;
		default:
			return -1;
		}
		break;
	}
	/* the block is whole: check what needs all of it */
	h->set_posts = (seen & (1UL << key_index(host_keys, "posts"))) != 0;
	h->set_spartan_link = (seen & (1UL << key_index(host_keys,
	    "spartan_link"))) != 0;
	h->set_pageindex = (seen & (1UL << key_index(host_keys,
	    "pageindex"))) != 0;
	if (titan_seen(ps, host_keys, seen, &h->titan) == -1)
		return -1;
	h->set_search = (seen & (1UL << key_index(host_keys,
	    "search"))) != 0;
	if (h->root == NULL) {
		conf_fail(ps, ps->tok.line, ps->tok.col, "expected \"root\" in host "
		    "\"%s\" (line %zu): its capsule folder", h->name, h->line);
		return -1;
	}
	if (check_history(ps, h) == -1)
		return -1;
	if (h->certs != NULL && (h->cert != NULL || h->key != NULL)) {
		conf_fail(ps, ps->tok.line, ps->tok.col, "expected either \"certs\" "
		    "or \"cert\" and \"key\" in host \"%s\", not both",
		    h->name);
		return -1;
	}
	if (h->certs == NULL && (h->cert == NULL || h->key == NULL)) {
		conf_fail(ps, ps->tok.line, ps->tok.col, "expected \"certs\", or "
		    "\"cert\" and \"key\", in host \"%s\" (line %zu)", h->name,
		    h->line);
		return -1;
	}
	return end_of_directive(ps) ? 0 : -1;
}

static int
parse(struct parser *ps)
{
	struct conf	*conf = ps->conf;
	unsigned long	 seen = 0;
	size_t		 seen_line[sizeof(global_keys) /
			    sizeof(global_keys[0])];
	size_t		 i, j;
	int		 p;

	for (;;) {
		switch (conf_next(ps)) {
		case TOK_EOF:
			break;
		case TOK_EOL:
			continue;
		case TOK_WORD:
			if (strcmp(ps->tok.text, "host") == 0 &&
			    !ps->tok.quoted) {
				if (host_block(ps) == -1)
					return -1;
			} else if (directive(ps, global_keys, conf, NULL,
			    &seen, seen_line) == -1)
				return -1;
			continue;
		case TOK_OPEN:
		case TOK_CLOSE:
			conf_fail(ps, ps->tok.line, ps->tok.col, "expected a "
			    "directive, not %s", tok_name(&ps->tok));
			return -1;
		default:
			return -1;
		}
		break;
	}
	if (conf->nhosts == 0) {
		conf_fail(ps, ps->tok.line, ps->tok.col, "expected at least one "
		    "host block");
		return -1;
	}
	conf->set_text_cache = (seen & (1UL << key_index(global_keys,
	    "text_cache"))) != 0;
	for (p = 0; p < PROTO_COUNT; p++)
		for (i = 0; i < conf->nlisten[p]; i++) {
			if (conf->listen[p][i].host == NULL)
				continue;
			for (j = 0; j < conf->nhosts; j++)
				if (strcmp(conf->hosts[j].name,
				    conf->listen[p][i].host) == 0)
					break;
			if (j == conf->nhosts) {
				conf_fail(ps, conf->listen[p][i].line, 1, "expected "
				    "the name of a host block, not \"%s\"",
				    conf->listen[p][i].host);
				return -1;
			}
		}
	return 0;
}

int
conf_parse(const char *buf, size_t len, const char *file, struct conf *conf,
    char *err, size_t errlen)
{
	struct parser	*ps;
	const char	*slash, *nul, *p;
	int		 ret;

	memset(conf, 0, sizeof(*conf));
	if (errlen > 0)
		err[0] = '\0';
	/* the parser holds two tokens of up to 1 KiB: not on the stack */
	if ((ps = calloc(1, sizeof(*ps))) == NULL) {
		snprintf(err, errlen, "%s: out of memory", file);
		return -1;
	}
	ps->p = ps->bol = buf;
	ps->end = buf + len;
	ps->line = 1;
	ps->file = file;
	if ((slash = strrchr(file, '/')) != NULL)
		ps->dirlen = (size_t)(slash - file) + 1;
	ps->conf = conf;
	ps->err = err;
	ps->errlen = errlen;
	if ((nul = memchr(buf, '\0', len)) != NULL) {
		/* where it is: its line, and its column in that line */
		for (p = buf; p < nul; p++)
			if (*p == '\n') {
				ps->line++;
				ps->bol = p + 1;
			}
		conf_fail(ps, ps->line, (size_t)(nul - ps->bol) + 1,
		    "expected text, not a NUL byte");
		ret = -1;
	} else
		ret = parse(ps);
	if (ret == -1 && !ps->failed)
		conf_fail(ps, ps->tok.line, ps->tok.col, "syntax error");
	free(ps);
	if (ret == -1)
		conf_free(conf);
	return ret;
}

int
conf_read(const char *path, struct conf *conf, char *err, size_t errlen)
{
	struct buf	 b = BUF_INIT;
	const char	*errstr;
	int		 ret = -1;

	memset(conf, 0, sizeof(*conf));
	/* a FIFO or a device is turned away, not waited on */
	if (file_read(AT_FDCWD, path, 0, CONF_FILE_MAX, &b, &errstr) == -1)
		snprintf(err, errlen, "%s: %s", path, errstr);
	else
		ret = conf_parse(b.data, b.len, path, conf, err, errlen);
	buf_free(&b);
	return ret;
}

void
conf_free(struct conf *conf)
{
	size_t	 i;
	int	 p;

	for (p = 0; p < PROTO_COUNT; p++) {
		for (i = 0; i < conf->nlisten[p]; i++) {
			free(conf->listen[p][i].addr);
			free(conf->listen[p][i].port);
			free(conf->listen[p][i].host);
			free(conf->listen[p][i].public);
			free(conf->listen[p][i].path);
			free(conf->listen[p][i].owner);
			free(conf->listen[p][i].group);
		}
		free(conf->listen[p]);
	}
	for (i = 0; i < conf->nhosts; i++)
		host_free(&conf->hosts[i]);
	free(conf->hosts);
	free(conf->user);
	free(conf->log);
	free(conf->control);
	for (i = 0; i < conf->nrate_allow; i++)
		free(conf->rate_allow[i]);
	free(conf->rate_allow);
	free(conf->metrics);
	memset(conf, 0, sizeof(*conf));
}

const struct conf_host *
conf_find_host(const struct conf *conf, const char *name)
{
	size_t	 i, j;

	for (i = 0; i < conf->nhosts; i++) {
		if (strcmp(conf->hosts[i].name, name) == 0)
			return &conf->hosts[i];
		for (j = 0; j < conf->hosts[i].naliases; j++)
			if (strcmp(conf->hosts[i].aliases[j], name) == 0)
				return &conf->hosts[i];
	}
	return NULL;
}
