/*
 * config_impl.h: private to the configuration parser, shared by config.c
 * (the lexer, the key tables, the blocks) and confvalue.c (a directive's
 * value, one parser per key type).  Nothing else includes it: the rest of
 * zeche sees config.h only.
 */
#ifndef CONFIG_IMPL_H
#define CONFIG_IMPL_H

#include <stdbool.h>
#include <stddef.h>

#include "config.h"

/*
 * The lexer: words, quoted strings, braces, ends of line.  A token's
 * text is copied into tok.text (unquoted, unescaped).
 */
enum tok_type {
	TOK_EOF,
	TOK_EOL,			/* end of line (a comment ends there) */
	TOK_WORD,			/* bare or quoted */
	TOK_OPEN,			/* { */
	TOK_CLOSE,			/* } */
	TOK_ERROR,
};

struct tok {
	enum tok_type	 type;
	bool		 quoted;
	size_t		 line, col;	/* where it starts, from 1 */
	char		 text[CONF_STRING_MAX + 1];
};

struct parser {
	const char	*p, *end;
	size_t		 line;
	const char	*bol;		/* the start of the current line */
	const char	*file;		/* for messages */
	size_t		 dirlen;	/* FILE's folder: the first DIRLEN */
	struct conf	*conf;		/* bytes of FILE, with the "/" */
	char		*err;
	size_t		 errlen;
	bool		 failed;
	struct tok	 tok;		/* the current token */
	struct tok	 peek;		/* one token of look-ahead */
	bool		 has_peek;
};

/*
 * Values, one function per type.  Each reads the value token(s) after the
 * directive and stores at DST; the table below says which goes where.
 */
enum key_type {
	KEY_LISTEN,			/* append to conf->listen[MIN]; MAX 1:
					   "host NAME" may follow */
	KEY_STRING,			/* char *: any text without controls */
	KEY_USER,			/* char *: a user name */
	KEY_PATH,			/* char *: relative to the file */
	KEY_LANG,			/* char *: a language tag */
	KEY_ALIAS,			/* append to host->aliases */
	KEY_PING,			/* append to host->pings */
	KEY_INT,			/* int, from MIN to MAX */
	KEY_BOOL,			/* bool: on or off */
	KEY_LOG_IP,			/* enum conf_log_ip */
	KEY_RATE,			/* N per SECONDS burst N */
	KEY_RATE_ALLOW,			/* append to conf->rate_allow */
	KEY_SIZE,			/* int: bytes, or with K or M, MIN
					   to MAX */
	KEY_TYPES,			/* struct conf_titan's types: one
					   or more media types */
	KEY_METRICS,			/* char *: scrape_check_spec() */
	KEY_LOG_STYLE,			/* bool: "combined" (or "zeche") */
};

struct key {
	const char	*name;
	enum key_type	 type;
	size_t		 off;		/* in struct conf or conf_host */
	long		 min, max;
};

/* config.c: the lexer and its helpers */
void		 conf_fail(struct parser *, size_t, size_t, const char *, ...)
		    __attribute__((format(printf, 4, 5)));
void		*conf_grow(struct parser *, size_t, size_t, void *, size_t,
		    size_t, size_t, const char *);
enum tok_type	 conf_next(struct parser *);
enum tok_type	 conf_peek(struct parser *);
bool		 conf_value(struct parser *, const char *);
char		*conf_dup(struct parser *, const char *);
const struct conf_host *conf_name_taken(const struct conf *,
		    const struct conf_host *, const char *);

/* confvalue.c */
bool		 conf_has_control(const char *);
int		 conf_set_key(struct parser *, const struct key *, void *,
		    struct conf_host *);

#endif
