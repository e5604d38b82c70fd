/*
 * server: everything zeche serves at one time, built whole from a struct
 * conf: each host with its site snapshot and its TLS context.  A server
 * never changes once built; a reload builds a new one beside it and swaps
 * it in at once.  It is reference-counted like a site: the "current"
 * pointer holds one reference and every request served from it another.
 */
#ifndef SERVER_H
#define SERVER_H

#include <sys/stat.h>

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>

#include "config.h"

struct passwd;
struct site;
struct ssl_ctx_st;

struct vhost {
	const struct conf_host	*conf;		/* borrowed from server.conf */
	struct site		*site;		/* counted */
	struct ssl_ctx_st	*ctx;		/* owned SSL_CTX; NULL in a check */
	char			 crt[1024];	/* the certificate's path */
	char			 key[1024];	/* the key's path */
	struct stat		 crt_st;	/* both as they were read; */
	struct stat		 key_st;	/* st_ino 0: not known */
	char			 fp[100];	/* its SHA-256 fingerprint */
};

/* What server_load does with each host's certificate and key. */
enum server_certs {
	SERVER_CERTS_CHECK,	/* read them; a missing pair leaves ctx NULL */
	SERVER_CERTS_MAKE,	/* read them, generating a missing pair */
	SERVER_CERTS_KEEP	/* read nothing: take OLD's contexts */
};

struct server {
	atomic_int	 refs;		/* by every worker: atomic */
	struct conf	 conf;			/* owned */
	struct vhost	*hosts;			/* owned, as conf.hosts */
	size_t		 nhosts;
	size_t		*gopher_host;		/* owned: per Gopher listener, */
						/* the index of its host */
};

/*
 * Load every host of CONF (the server takes it over and clears it): the
 * capsule, and the certificate as CERTS says.  With OLD (a reload), a
 * host whose certificate and key are the same files as those of OLD's
 * host of that name, unchanged since (device, inode, size, modification
 * and change times), shares OLD's TLS context instead of reading them:
 * keys only root may read stay served by a process that is no longer
 * root, and a renewed pair is read.  SERVER_CERTS_KEEP takes OLD's
 * context for every host (a chroot cannot see the keys).  Returns a
 * server with one reference, or NULL with "file:line: message" in ERR.
 */
struct server	*server_load(struct conf *, enum server_certs,
		    const struct server *, char *, size_t);

/*
 * What of VH's certificate the user PW may not use: the folder a
 * generated pair is in (entered), the certificate and the key (read).
 * For the user zeche runs as, the kernel decides (access(2), with the
 * process's groups); for another, the files' owner, group and mode.  Each goes into ERR as a line naming
 * the chown that lets it: "PATH: user U cannot read it (owner root:root,
 * mode 0600); as root: chown U:G PATH".  Returns how many.
 */
size_t		 server_cert_access(const struct vhost *,
		    const struct passwd *, char *, size_t);

void		 server_ref(struct server *);
void		 server_unref(struct server *);

/* The host named NAME or one of its aliases (lower case), or NULL. */
struct vhost	*server_host(const struct server *, const char *);

/*
 * The host a request is served from: the one the SNI name SNI names (or
 * the default host when there is none).  The request's HOST must name the
 * same host, by its name or an alias, unless IS_OURS (an address of this
 * server).  NULL with WHY set for a 53.
 */
struct vhost	*server_pick(const struct server *, const char *,
		    const char *, bool, const char **);

/* The default host: the first one. */
struct vhost	*server_default(const struct server *);

/*
 * The host that listener I of protocol P serves when a request names
 * none: for Gopher the host of the listener, else the default host.
 */
struct vhost	*server_listen_host(const struct server *, int, size_t);

/*
 * True if the listeners of protocol P serve more than one host, so that
 * the one a connection came in on (its local address) decides.
 */
bool		 server_listeners_differ(const struct server *, int);

/*
 * The same for the listener of protocol P a connection came in on, by
 * its local address SA (NULL: unknown, the first listener).  Never NULL.
 */
struct sockaddr;
struct vhost	*server_listener_host(const struct server *, int,
		    const struct sockaddr *);

#endif
