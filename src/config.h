/*
 * config: the configuration file (zeche.conf(5)) → struct conf (pure:
 * no I/O but conf_read(), no logging, no globals, so that a reload, the
 * unit tests and the fuzzer can parse as often as they like).
 *
 *	gemini  *:1965			# repeatable: ADDR:PORT, *:PORT, PORT
 *	gopher  70 host "example.org"	# the host it serves (default: the
 *					# first host with "gopher on")
 *	spartan 300			# repeatable; none: no Spartan
 *	gemini  10.0.0.2:1965 proxy	# behind a proxy: a PROXY header
 *					# (v1 or v2) starts each connection
 *	gemini  11965 public 1965	# clients reach it at port 1965
 *	gemini  "unix:/run/zeche/gemini.sock" proxy mode 0660 group "haproxy"
 *	user    _zeche
 *	timeout 10
 *	rate    10 per 60 burst 20	# requests per seconds from one address
 *	rate_allow "192.0.2.0/24"	# repeatable: never limited
 *	log     "/var/log/zeche/zeche.log"
 *	host "example.org" {
 *		alias "www.example.org"
 *		root  "/srv/zeche/example"
 *		certs "/var/lib/zeche/certs"	# or: cert "x.crt" and key "x.key"
 *		lang  "en"
 *		description "A capsule"
 *		author "Ada"		# of the Atom feeds
 *		gopher on
 *		spartan_link on		# the Spartan address on the home
 *					# page, written by hand or not
 *		pageindex on		# the page index, linked from a
 *					# home page written by hand too
 *		search on		# the capsule-wide search: alike
 *		ping "gemini://agg.example/submit"	# repeatable: tell it
 *		ping_interval 600	# of a changed feed, at most this often
 *		rate 5 per 60 burst 5	# this host's own limit, as "rate"
 *		listing off		# no generated folder pages
 *		posts off		# no generated post lists
 *		redirect "/old.gmi" "/new.gmi"	# 31; or: redirect 30 ...
 *		location "/notes/" {	# below a folder: listing, posts, lang
 *			listing on
 *			title "Notes"	# the folder's own generated title
 *		}
 *		location "/members/" {
 *			readers "members.txt"	# client certificates that
 *			writers "editors.txt"	# may read, write (access.h)
 *			deny "banned.txt"	# and those refused
 *			ca "club-ca.pem"	# those it issued may read
 *		}
 *			titan on	# Titan uploads (also in a host)
 *			token "s3cret"	# ... with this token
 *			upload_max 1M	# upload_types, upload_create,
 *		}			# upload_delete; history per host
 *	}
 *
 * One directive a line, "#" starts a comment, strings may be quoted
 * ("...", with \" and \\), blocks are in braces.  Relative paths are
 * relative to the folder of the file.
 */
#ifndef CONFIG_H
#define CONFIG_H

#include <stdbool.h>
#include <stddef.h>

#include "proto.h"

#define CONF_FILE_MAX		(1024 * 1024)
#define CONF_STRING_MAX		1024
#define CONF_HOSTS_MAX		256
#define CONF_LISTEN_MAX		16	/* listeners, all protocols */
#define CONF_WORKERS_MAX	1024	/* event loops */
#define CONF_ALIASES_MAX	32
#define CONF_RATE_ALLOW_MAX	64	/* rate_allow networks */
#define CONF_UNIX_PATH_MAX	107	/* bytes of a Unix socket's path */
#define CONF_UNIX_MODE		0660	/* a Unix listener's, by default */
#define CONF_PINGS_MAX		16	/* aggregators per host */

enum conf_log_ip {
	CONF_LOG_IP_OFF,		/* no client addresses (default) */
	CONF_LOG_IP_ANON,		/* the network: IPv4 /24, IPv6 /48 */
	CONF_LOG_IP_FULL,
};

struct conf_listen {
	char	*addr;			/* owned; NULL: every address */
	char	*port;			/* owned: digits, 1-65535; of a Unix */
					/* listener, its public port or the */
					/* protocol's own (after conf_parse) */
	char	*path;			/* owned: a Unix socket instead of */
					/* ADDR and PORT, or NULL */
	int	 mode;			/* the socket file's; 0: CONF_UNIX_MODE */
	char	*owner;			/* owned: its user, or NULL */
	char	*group;			/* owned: its group, or NULL */
	char	*host;			/* owned: the host served, or NULL */
	char	*public;		/* owned: the port clients reach it at */
					/* (a proxy's, a port forward's), */
					/* or NULL: PORT */
	bool	 proxy;			/* a PROXY header starts each connection */
	size_t	 line;			/* where it was given, 0: an option */
};

#define CONF_LOCATIONS_MAX	256
#define CONF_UPLOAD_TYPES_MAX	32
#define CONF_UPLOAD_MAX_LIMIT	(64 * 1024 * 1024)	/* "64M" */
#define CONF_UPLOAD_MAX_DEFAULT	(64 * 1024)

/*
 * Titan uploads in a host or location block.  A location's rule is its
 * host's with what the location sets (set: CONF_TITAN_SET_* bits) on top.
 */
enum {
	CONF_TITAN_SET_ON = 1,
	CONF_TITAN_SET_TOKEN = 2,
	CONF_TITAN_SET_MAX = 4,
	CONF_TITAN_SET_TYPES = 8,
	CONF_TITAN_SET_CREATE = 16,
	CONF_TITAN_SET_DELETE = 32,
};

struct conf_titan {
	bool		 on;		/* titan on (off) */
	char		*token;		/* owned, or NULL: none */
	int		 max;		/* upload_max, bytes; 0: the default */
	char		**types;	/* owned: upload_types, or NULL: */
	size_t		 ntypes;	/* text/gemini and text/plain */
	bool		 create;	/* upload_create (on) */
	bool		 delete;	/* upload_delete (off) */
	unsigned int	 set;		/* CONF_TITAN_SET_*: given here */
};
#define CONF_REDIRECTS_MAX	4096

/* location "PATH" { ... }: settings for a folder and all below it. */
struct conf_location {
	char		*path;		/* owned: absolute, ends in "/" */
	bool		 listing;	/* when set_listing */
	bool		 posts;		/* when set_posts */
	bool		 set_listing;
	bool		 set_posts;
	char		*lang;		/* owned: a language tag, or NULL */
	char		*title;		/* owned: the title of this very */
					/* folder's generated page and feed, */
					/* or NULL */
	char		*readers;	/* owned: the file of fingerprints */
	char		*writers;	/* that may read, write; or NULL */
	char		*deny;		/* owned: those refused, or NULL */
	char		*ca;		/* owned: issuers trusted to read */
	struct conf_titan titan;
	size_t		 line;
};

/* redirect [30|31] FROM TO */
struct conf_redirect {
	char		*from;		/* owned: an absolute path */
	char		*to;		/* owned: a path or an absolute URL */
	int		 status;	/* 30 temporary, 31 permanent */
	size_t		 line;
};

/* rate REQUESTS per SECONDS burst N; REQUESTS 0: none */
struct conf_rate {
	int		 requests;
	int		 seconds;
	int		 burst;
};

struct conf_host {
	char		*name;		/* owned: lower case, no trailing dot */
	char		**aliases;	/* owned, alike */
	size_t		 naliases;
	char		*root;		/* owned: the capsule folder */
	char		*certs;		/* owned: folder of NAME.crt/.key, or */
	char		*cert;		/* owned: the certificate and */
	char		*key;		/* owned: its key */
	char		*lang;		/* owned: BCP 47 tag, or NULL */
	char		*description;	/* owned: one line, or NULL */
	char		*author;	/* owned: of the feeds, or NULL */
	bool		 gopher;	/* served over Gopher */
	bool		 listing;	/* generated folder pages (on) */
	bool		 posts;		/* generated post lists (on) */
	bool		 set_posts;	/* "posts" given: also on an index */
	bool		 spartan_link;	/* when set_spartan_link */
	bool		 set_spartan_link;	/* unset: generated home only */
	bool		 pageindex;	/* when set_pageindex */
	bool		 set_pageindex;	/* unset: on, linked from generated */
					/* pages only */
	bool		 archive;	/* /capsule.tar over Gemini (off) */
	char		*readers;	/* owned: the file of fingerprints */
	char		*writers;	/* that may read, write; or NULL */
	char		*deny;		/* owned: those refused, or NULL */
	char		*ca;		/* owned: issuers trusted to read */
	struct conf_titan titan;
	char		*history;	/* owned: kept versions of uploads, */
					/* or NULL: ROOT.history */
	bool		 search;	/* when set_search; unset: as */
	bool		 set_search;	/* pageindex */
	char		**pings;	/* owned: aggregators' submit URLs */
	size_t		 npings;
	int		 ping_interval;	/* seconds; 0: PING_INTERVAL */
	struct conf_rate rate;		/* the host's own limit, or none */
	struct conf_location *locations;	/* owned */
	size_t		 nlocations;
	struct conf_redirect *redirects;	/* owned */
	size_t		 nredirects;
	size_t		 line;		/* of the "host" line */
};

struct conf {
	struct conf_listen	*listen[PROTO_COUNT];	/* owned, per protocol */
	size_t			 nlisten[PROTO_COUNT];
	char			*user;		/* owned, or NULL */
	int			 timeout;	/* seconds, 0: the default */
	int			 max_conns;	/* 0: fitted to the fd limit */
	int			 per_address;	/* 0: NET_PEER_MAX */
	int			 workers;	/* event loops; 0: one a core */
	int			 text_cache;	/* bytes (textcache.h), if set */
	bool			 set_text_cache;
	char			*log;		/* owned: the log file, or NULL */
	enum conf_log_ip	 log_ip;
	bool			 watch;		/* reload when files change */
	char			*control;	/* owned: the control socket's
						   path, or NULL */
	int			 rate_requests;	/* "rate": 0, off */
	int			 rate_seconds;
	int			 rate_burst;
	char			**rate_allow;	/* owned: networks, as given */
	size_t			 nrate_allow;
	char			*metrics;	/* owned: "ADDR:PORT" or
						   "unix:PATH", or NULL */
	bool			 log_combined;	/* log_style combined */
	struct conf_host	*hosts;		/* owned; the first is the */
	size_t			 nhosts;	/* default host */
};

/*
 * Parse LEN bytes of BUF, read from the file FILE (named in messages;
 * relative paths in it are taken relative to its folder), into CONF,
 * which is cleared first.  Returns 0, or -1 with
 * "FILE:LINE:COLUMN: message" in ERR (of ERRLEN) and CONF empty.
 */
int	conf_parse(const char *, size_t, const char *, struct conf *, char *,
	    size_t);

/* conf_parse() on the contents of the file PATH. */
int	conf_read(const char *, struct conf *, char *, size_t);

/* Free what CONF owns and clear it; CONF may be empty. */
void	conf_free(struct conf *);

/*
 * Parse "[ADDR:]PORT" (ADDR "*", a name, an address, or an IPv6 address
 * in brackets) into LA's addr and port, or "unix:/PATH" into LA's path
 * (LA's port is then NULL: see conf_listen_port).  Returns 0, or -1 with
 * ERRSTR set (LA then owns nothing).
 */
int	conf_parse_listen(const char *, struct conf_listen *, const char **);

/*
 * A Unix listener of protocol P gets the port its clients reach it at as
 * its port: its public one, or the protocol's own (1965, 70, 300).  Does
 * nothing to another listener.  Returns 0, or -1 when memory ran out.
 */
int	conf_listen_port(struct conf_listen *, int);

/*
 * Lower-case NAME in place and drop one trailing dot.  Returns 0, or -1
 * if it is no host name: empty, too long, an empty label, or holding a
 * byte other than an ASCII letter or digit, "-", ".", "_", ":" (an IPv6
 * literal) or one of UTF-8 (128 and up).
 */
int	conf_host_normalise(char *);

/* The host named NAME or one of its aliases, or NULL. */
const struct conf_host *conf_find_host(const struct conf *, const char *);

/* Set TYPE from "off", "anon" or "full"; returns 0 or -1. */
int	conf_parse_log_ip(const char *, enum conf_log_ip *);

#endif
