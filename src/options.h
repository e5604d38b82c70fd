/*
 * options: the command line into struct opts, and the configuration it
 * makes: the --config file, or one host of defaults, with the options on
 * top.  Pure but for reading the --config file: no libevent, no OpenSSL,
 * no exit, no log.
 */
#ifndef OPTIONS_H
#define OPTIONS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "proto.h"

struct conf;

/*
 * The command line.  Options given beside --config override the file;
 * without --config they make a configuration of one host.  The strings
 * are borrowed from argv.
 */
struct opts {
	const char		*config;	/* --config FILE, or NULL */
	const char		*root;		/* NULL: not given */
	const char		*certs;
	const char		*host;
	const char		*lang;
	const char		*listen[PROTO_COUNT];	/* [ADDR:]PORT */
	const char		*user;
	const char		*log;		/* --log FILE, or NULL */
	const char		*export;	/* --export DIR, or NULL */
	int			 timeout;	/* 0: not given */
	int			 log_ip;	/* -1: not given */
	bool			 check;
	bool			 verbose;
	bool			 proxy;		/* --proxy-protocol */
	int			 max_conns;	/* 0: fitted to the fd limit */
	int			 per_address;	/* 0: not given */
	int			 workers;	/* 0: not given */
	bool			 watch;		/* --watch */
	const char		*control;	/* --control PATH, or NULL */
	bool			 reload;	/* --reload */
	bool			 full;		/* --full, with --reload */
};

/* What options_parse() found. */
enum options_result {
	OPTIONS_OK,		/* OPTS holds the command line */
	OPTIONS_HELP,		/* -h: print options_usage() to stdout */
	OPTIONS_VERSION,	/* -V */
	OPTIONS_USAGE,		/* unknown option or operand (getopt said) */
	OPTIONS_BAD		/* a bad value: the message is in ERR */
};

/*
 * Parse ARGC/ARGV into OPTS (cleared first).  Rescans from the start on
 * every call (getopt's optind is reset), so tests may call it again.
 */
enum options_result options_parse(int, char **, struct opts *, char *,
		    size_t);

/* The --help text, word for word, onto the stream given. */
void		 options_usage(FILE *);

/* What the options are merged over, beside the --config file. */
struct options_env {
	const char	*root;		/* the capsule's path in the chroot, */
					/* over --root; NULL: none */
	bool		 as_root;	/* the root-only default ports */
};

/*
 * The configuration: the file (--config) or one host made of the
 * defaults, with OPTS on top (an option wins over the file).  Returns 0,
 * or -1 with a message in ERR and CONF left empty.
 */
int		 options_conf(const struct opts *, const struct options_env *,
		    struct conf *, char *, size_t);

#endif
