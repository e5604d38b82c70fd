#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>

#include <netinet/in.h>
#include <arpa/inet.h>

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <openssl/ssl.h>

#include "access.h"
#include "capsule.h"
#include "config.h"
#include "export.h"
#include "hostrate.h"
#include "log.h"
#include "reaper.h"
#include "render.h"
#include "search.h"
#include "section.h"
#include "server.h"
#include "site.h"
#include "tls.h"

/* Which host each Gopher listener serves: its own, or the first with
 * "gopher on".  Returns the index into hosts, or -1. */
static long
gopher_index(const struct conf *conf, size_t i)
{
	const struct conf_host	*h;
	size_t			 j;

	const struct conf_listen	*la = &conf->listen[PROTO_GOPHER][i];

	if (la->host != NULL) {
		if ((h = conf_find_host(conf, la->host)) == NULL)
			return -1;
		return h - conf->hosts;
	}
	for (j = 0; j < conf->nhosts; j++)
		if (conf->hosts[j].gopher)
			return (long)j;
	return -1;
}

/*
 * The port host J names in its links for protocol P: that of the first
 * listener serving it (its public port, if it has one), or NULL when
 * none does (the protocol is off for it).
 */
static const char *
public_port(const struct conf *conf, int p, size_t j)
{
	const struct conf_listen	*la;
	size_t				 i;

	for (i = 0; i < conf->nlisten[p]; i++) {
		la = &conf->listen[p][i];
		if (p != PROTO_GOPHER || gopher_index(conf, i) == (long)j)
			return la->public != NULL ? la->public : la->port;
	}
	return NULL;
}

/* A and B are the same file, unchanged (B known). */
static bool
same_file(const struct stat *a, const struct stat *b)
{
	return b->st_ino != 0 && a->st_dev == b->st_dev &&
	    a->st_ino == b->st_ino && a->st_size == b->st_size &&
	    a->st_mtim.tv_sec == b->st_mtim.tv_sec &&
	    a->st_mtim.tv_nsec == b->st_mtim.tv_nsec &&
	    a->st_ctim.tv_sec == b->st_ctim.tv_sec &&
	    a->st_ctim.tv_nsec == b->st_ctim.tv_nsec;
}

/* Share OV's TLS context and what vh keeps of it. */
static void
share_cert(struct vhost *vh, const struct vhost *ov)
{
	SSL_CTX_up_ref(ov->ctx);
	vh->ctx = ov->ctx;
	memcpy(vh->crt, ov->crt, sizeof(vh->crt));
	memcpy(vh->key, ov->key, sizeof(vh->key));
	vh->crt_st = ov->crt_st;
	vh->key_st = ov->key_st;
	memcpy(vh->fp, ov->fp, sizeof(vh->fp));
}

/*
 * Does VH's certificate name every name of its host?  One zeche made for
 * fewer names (an alias added since) is made anew for all of them when
 * MAKE, with the same key; any other is served as it is, with a warning
 * in vh->note.
 */
static void
cover_names(struct vhost *vh, bool make)
{
	const struct conf_host	*h = vh->conf;
	const char		*names[1 + CONF_ALIASES_MAX];
	char			 err[512];
	size_t			 i, n = 0;
	bool			 generated;
	int			 k;

	names[n++] = h->name;
	for (i = 0; i < h->naliases && n < sizeof(names) / sizeof(names[0]);
	    i++)
		names[n++] = h->aliases[i];
	if ((k = tls_cert_covers(vh->crt, names, n, &generated)) == -1 ||
	    (size_t)k == n)
		return;			/* unreadable: tls_load says why */
	if (!generated || h->cert != NULL)
		snprintf(vh->note, sizeof(vh->note), "certificate %s does not "
		    "name %s%s: clients that check host names refuse it "
		    "there", vh->crt, k == 0 ? "the host " : "the alias ",
		    names[k]);
	else if (!make)
		snprintf(vh->note, sizeof(vh->note), "certificate %s, made by "
		    "zeche, does not name %s yet: it is made anew, with the "
		    "same key, when zeche starts or reloads", vh->crt,
		    names[k]);
	else if (tls_cert_renew(vh->crt, vh->key, names, n, err,
	    sizeof(err)) == -1)
		snprintf(vh->note, sizeof(vh->note), "certificate %s does not "
		    "name %s, and making it anew failed: %s", vh->crt,
		    names[k], err);
	else
		vh->made = VHOST_CERT_RENEWED;
}

/*
 * May user UID, of the groups GROUPS (N), do WANT (S_IRUSR: read, or
 * S_IXUSR: enter a folder) on ST, by its owner, group and mode?  Root may.
 */
static bool
may(const struct stat *st, uid_t uid, const gid_t *groups, int n,
    mode_t want)
{
	int	 i;

	if (uid == 0)
		return true;
	if (st->st_uid == uid)
		return (st->st_mode & want) == want;
	for (i = 0; i < n; i++)
		if (groups[i] == st->st_gid)
			return (st->st_mode & (want >> 3)) == (want >> 3);
	return (st->st_mode & (want >> 6)) == (want >> 6);
}

size_t
server_cert_access(const struct vhost *vh, const struct passwd *pw,
    char *err, size_t errlen)
{
	const char	*what[3], *path;
	struct passwd	*opw;
	struct group	*gr;
	struct stat	 st;
	gid_t		 groups[64];
	uid_t		 uid = pw->pw_uid;
	char		 user[64], group[64], owner[64], ogroup[64];
	size_t		 i, len, count = 0;
	int		 n = 64;

	what[0] = vh->conf->cert == NULL ? vh->conf->certs : NULL;
	what[1] = vh->crt;
	what[2] = vh->key;
	snprintf(user, sizeof(user), "%s", pw->pw_name);
	if ((gr = getgrgid(pw->pw_gid)) != NULL)
		snprintf(group, sizeof(group), "%s", gr->gr_name);
	else
		snprintf(group, sizeof(group), "%u", (unsigned)pw->pw_gid);
	if (getgrouplist(user, pw->pw_gid, groups, &n) == -1) {
		groups[0] = pw->pw_gid;
		n = 1;
	}
	err[0] = '\0';
	for (i = 0; i < 3; i++) {
		path = what[i];
		if (path == NULL || path[0] == '\0' || stat(path, &st) == -1)
			continue;
		/* as itself, the kernel says, with every group it has */
		if (uid == geteuid() ? faccessat(AT_FDCWD, path, i == 0 ?
		    X_OK : R_OK, AT_EACCESS) == 0 || errno != EACCES :
		    may(&st, uid, groups, n, i == 0 ? S_IXUSR : S_IRUSR))
			continue;
		if ((opw = getpwuid(st.st_uid)) != NULL)
			snprintf(owner, sizeof(owner), "%s", opw->pw_name);
		else
			snprintf(owner, sizeof(owner), "%u",
			    (unsigned)st.st_uid);
		if ((gr = getgrgid(st.st_gid)) != NULL)
			snprintf(ogroup, sizeof(ogroup), "%s", gr->gr_name);
		else
			snprintf(ogroup, sizeof(ogroup), "%u",
			    (unsigned)st.st_gid);
		len = strlen(err);
		snprintf(err + len, errlen - len, "%s%s: user %s cannot %s "
		    "(owner %s:%s, mode %04o); as root: chown %s:%s %s",
		    len > 0 ? "\n" : "", path, user, i == 0 ?
		    "enter this folder" : "read it", owner, ogroup,
		    (unsigned)(st.st_mode & 07777), user, group, path);
		count++;
	}
	return count;
}

/*
 * Check, as the user zeche runs as (not root, who may read anything),
 * that it may read what VH's certificate takes; -1 with the chown that
 * lets it in ERR when it may not.
 */
static int
cert_access(const struct vhost *vh, char *err, size_t errlen)
{
	struct passwd	*pw;

	if (geteuid() == 0 || (pw = getpwuid(geteuid())) == NULL)
		return 0;
	return server_cert_access(vh, pw, err, errlen) > 0 ? -1 : 0;
}

/*
 * VH's certificate and key: OLD's context when OLD's host of that name
 * served the same files, unchanged, else read them (generating a missing
 * pair if MAKE).
 */
static int
load_cert(struct vhost *vh, bool make, const struct server *old, char *err,
    size_t errlen)
{
	const struct conf_host	*h = vh->conf;
	const struct vhost	*ov;
	const char		*names[1 + CONF_ALIASES_MAX];
	size_t			 i, n = 0;
	int			 rc;

	if (h->cert != NULL) {
		snprintf(vh->crt, sizeof(vh->crt), "%s", h->cert);
		snprintf(vh->key, sizeof(vh->key), "%s", h->key);
	} else {
		if (cert_access(vh, err, errlen) == -1)	/* the folder */
			return -1;
		names[n++] = h->name;
		for (i = 0; i < h->naliases &&
		    n < sizeof(names) / sizeof(names[0]); i++)
			names[n++] = h->aliases[i];
		rc = tls_cert_paths(h->certs, names, n, make, vh->crt,
		    vh->key, sizeof(vh->key), err, errlen);
		if (rc == -1)
			return -1;
		if (rc == 1)
			return 0;	/* a check: made at the first start */
		if (rc == 2)
			vh->made = VHOST_CERT_MADE;
	}
	if (vh->made == VHOST_CERT_KEPT)
		cover_names(vh, make);
	/* before reading: a file replaced meanwhile is read next time */
	if (stat(vh->crt, &vh->crt_st) == -1 ||
	    stat(vh->key, &vh->key_st) == -1) {
		memset(&vh->crt_st, 0, sizeof(vh->crt_st));
		memset(&vh->key_st, 0, sizeof(vh->key_st));
	}
	if (old != NULL && (ov = server_host(old, h->name)) != NULL &&
	    ov->ctx != NULL && strcmp(ov->crt, vh->crt) == 0 &&
	    strcmp(ov->key, vh->key) == 0 &&
	    same_file(&vh->crt_st, &ov->crt_st) &&
	    same_file(&vh->key_st, &ov->key_st)) {
		share_cert(vh, ov);
		return 0;
	}
	if (cert_access(vh, err, errlen) == -1 ||
	    (vh->ctx = tls_load(vh->crt, vh->key, h->name, vh->fp,
	    sizeof(vh->fp), err, errlen)) == NULL)
		return -1;
	return 0;
}

/* The TLS context of OLD's host NAME, shared. */
static int
keep_cert(struct vhost *vh, const struct server *old, char *err,
    size_t errlen)
{
	const struct vhost	*ov;

	if ((ov = server_host(old, vh->conf->name)) == NULL ||
	    ov->ctx == NULL) {
		snprintf(err, errlen, "%s: no certificate loaded for it",
		    vh->conf->name);
		return -1;
	}
	share_cert(vh, ov);
	return 0;
}

/*
 * The stages of host I's load, in order, none calling the next: read and
 * parse its capsule (capsule_load), then render what each protocol sends
 * (render_site).  The swap is the caller's: the server built from all
 * the hosts replaces the old one whole.  NULL with ERR set on an error.
 */
static struct site *
load_site(const struct conf *conf, size_t i, const struct server *old,
    const struct capsule_scope *scope, bool later, char *err, size_t errlen)
{
	const struct vhost	*ov;
	const struct conf_host	*h = &conf->hosts[i];
	struct site_opts	 so;
	struct site		*s;
	char			 why[512];
	int			 p;

	memset(&so, 0, sizeof(so));
	so.host = h->name;
	for (p = 0; p < PROTO_COUNT; p++)
		so.port[p] = public_port(conf, p, i);
	so.lang = h->lang;
	so.description = h->description;
	so.no_listing = !h->listing;
	so.author = h->author;
	so.posts = !h->set_posts ? SITE_AUTO :
	    h->posts ? SITE_ON : SITE_OFF;
	so.spartan_link = !h->set_spartan_link ? SITE_AUTO :
	    h->spartan_link ? SITE_ON : SITE_OFF;
	so.pageindex = !h->set_pageindex ? SITE_AUTO :
	    h->pageindex ? SITE_ON : SITE_OFF;
	so.search = !h->set_search ? SITE_AUTO :
	    h->search ? SITE_ON : SITE_OFF;
	so.search_later = later;
	so.text_later = later;
	so.menu_later = later ? RENDER_MENU_LATER : 0;
	so.locations = h->locations;
	so.nlocations = h->nlocations;
	so.closed = h->readers != NULL || h->ca != NULL;
	so.redirects = h->redirects;
	so.nredirects = h->nredirects;
	/* a reload takes over what did not change (capsule.h) */
	ov = old != NULL ? server_host(old, h->name) : NULL;
	if ((s = capsule_reload_in(h->root, &so, ov != NULL ? ov->site : NULL,
	    scope, err, errlen)) == NULL)
		return NULL;
	if (render_site(s) == -1) {
		snprintf(err, errlen, "%s: out of memory", h->root);
		site_free(s);
		return NULL;
	}
	/* the capsule's own capsule.tar wins */
	if (h->archive && site_lookup(s, ARCHIVE_PATH) == NULL &&
	    (s->archive = export_archive(s, why, sizeof(why))) == NULL) {
		snprintf(err, errlen, "%s: archive: %s", h->root, why);
		site_free(s);
		return NULL;
	}
	(void)site_compact(s);	/* what it could not drop, it serves */
	return s;
}

/* The "ca" files of the access rules: X.509 is tls.c's. */
static const struct access_ca_loader ca_loader = { tls_ca_load, tls_ca_free };

struct server *
server_load(struct conf *conf, enum server_certs certs,
    const struct server *old, bool reuse, const struct capsule_scope *scope,
    char *err, size_t errlen)
{
	struct server		*srv;
	struct vhost		*vh;
	size_t			 i;
	long			 j;

	if ((srv = calloc(1, sizeof(*srv))) == NULL) {
		snprintf(err, errlen, "out of memory");
		conf_free(conf);
		return NULL;
	}
	atomic_init(&srv->refs, 1);
	srv->conf = *conf;
	memset(conf, 0, sizeof(*conf));
	conf = &srv->conf;
	if ((srv->hosts = calloc(conf->nhosts, sizeof(*srv->hosts))) == NULL ||
	    (srv->gopher_host = calloc(conf->nlisten[PROTO_GOPHER] + 1,
	    sizeof(*srv->gopher_host))) == NULL) {
		snprintf(err, errlen, "out of memory");
		goto bad;
	}
	for (i = 0; i < conf->nlisten[PROTO_GOPHER]; i++) {
		if ((j = gopher_index(conf, i)) == -1) {
			snprintf(err, errlen, "gopher listener on port %s: no "
			    "host has \"gopher on\"",
			    conf->listen[PROTO_GOPHER][i].port);
			goto bad;
		}
		srv->gopher_host[i] = (size_t)j;
	}
	for (i = 0; i < conf->nhosts; i++) {
		vh = &srv->hosts[i];
		vh->conf = &conf->hosts[i];
		srv->nhosts++;
		if ((vh->access = access_rules_load(vh->conf, &ca_loader, err,
		    errlen)) == NULL ||
		    (vh->site = load_site(conf, i, reuse ? old : NULL, scope,
		    certs != SERVER_CERTS_CHECK, err, errlen)) == NULL)
			goto bad;
		if (certs == SERVER_CERTS_KEEP ?
		    keep_cert(vh, old, err, errlen) == -1 :
		    load_cert(vh, certs == SERVER_CERTS_MAKE, old, err,
		    errlen) == -1)
			goto bad;
		if (vh->ctx != NULL)	/* rules that ask: a full handshake */
			tls_ctx_fresh(vh->ctx, access_guards_reading(
			    vh->access));
	}
	if (hostrate_load(srv, old, err, errlen) == -1)
		goto bad;
	return srv;
 bad:
	server_unref(srv);
	return NULL;
}

bool
server_pending(const struct server *srv)
{
	const struct section	*sec;
	size_t			 i;

	for (i = 0; i < srv->nhosts; i++)
		if ((sec = site_section(srv->hosts[i].site, &search_section)) !=
		    NULL && !search_ready(sec->ctx))
			return true;
	return false;
}

void
server_finish(void *arg, const atomic_bool *cancel)
{
	struct server		*srv = arg;
	const struct vhost	*vh;
	const struct section	*sec;
	struct timespec		 t0, t1;
	const char		*errstr;
	size_t			 i, shared, nseg;

	for (i = 0; i < srv->nhosts && !atomic_load(cancel); i++) {
		vh = &srv->hosts[i];
		if ((sec = site_section(vh->site, &search_section)) == NULL ||
		    search_ready(sec->ctx))
			continue;
		clock_gettime(CLOCK_MONOTONIC, &t0);
		if (search_index(sec->ctx, vh->site, cancel, &errstr) == -1) {
			if (!atomic_load(cancel))
				log_warnx("host %s: no search: %s",
				    vh->conf->name, errstr);
			continue;
		}
		clock_gettime(CLOCK_MONOTONIC, &t1);
		search_segments(sec->ctx, &shared, &nseg);
		log_info("host %s: search index of %zu pages built in %.0f ms "
		    "(%zu of %zu segments shared)", vh->conf->name,
		    search_count(sec->ctx),
		    (double)(t1.tv_sec - t0.tv_sec) * 1e3 +
		    (double)(t1.tv_nsec - t0.tv_nsec) / 1e6, shared, nseg);
	}
}

void
server_done(void *arg)
{
	server_unref(arg);
}

void
server_ref(struct server *srv)
{
	atomic_fetch_add_explicit(&srv->refs, 1, memory_order_relaxed);
}

void
server_unref(struct server *srv)
{
	/* the last one to let go frees, seeing every other's writes */
	if (srv == NULL || atomic_fetch_sub_explicit(&srv->refs, 1,
	    memory_order_acq_rel) > 1)
		return;
	/* off the loops when the reaper runs: it takes long for a big one */
	if (reaper_put(srv) == -1)
		server_free(srv);
}

void
server_free(void *arg)
{
	struct server	*srv = arg;
	size_t		 i;

	for (i = 0; i < srv->nhosts; i++) {
		site_free(srv->hosts[i].site);
		access_rules_free(srv->hosts[i].access);
		SSL_CTX_free(srv->hosts[i].ctx);
		hostrate_unref(srv->hosts[i].rate);
	}
	free(srv->hosts);
	free(srv->gopher_host);
	conf_free(&srv->conf);
	free(srv);
}

struct vhost *
server_host(const struct server *srv, const char *name)
{
	const struct conf_host	*h;
	char			 buf[256];

	/* names compare in lower case, without a trailing dot */
	if (snprintf(buf, sizeof(buf), "%s", name) >= (int)sizeof(buf) ||
	    conf_host_normalise(buf) == -1 ||
	    (h = conf_find_host(&srv->conf, buf)) == NULL)
		return NULL;
	return &srv->hosts[h - srv->conf.hosts];
}

struct vhost *
server_pick(const struct server *srv, const char *sni, const char *host,
    bool is_ours, const char **why)
{
	struct vhost	*vh;

	if (sni == NULL)
		vh = server_default(srv);
	else if ((vh = server_host(srv, sni)) == NULL) {
		*why = "SNI names no host served here";
		return NULL;
	}
	if (!is_ours && server_host(srv, host) != vh) {
		*why = sni == NULL ? "other host (no SNI: the default host)" :
		    "other host than the SNI named";
		return NULL;
	}
	return vh;
}

struct vhost *
server_default(const struct server *srv)
{
	return &srv->hosts[0];
}

/* Does the listener LA take connections that arrive at SA? */
static bool
listener_is(const struct conf_listen *la, const struct sockaddr *sa,
    bool by_address)
{
	const struct sockaddr_in	*sin = (const struct sockaddr_in *)sa;
	const struct sockaddr_in6	*sin6 = (const struct sockaddr_in6 *)sa;
	struct in6_addr			 a6;
	struct in_addr			 a4;
	long				 port;

	/* a Unix socket: its path (the address the kernel gives is whole) */
	if (sa->sa_family == AF_UNIX || la->path != NULL)
		return sa->sa_family == AF_UNIX && la->path != NULL &&
		    strcmp(((const struct sockaddr_un *)sa)->sun_path,
		    la->path) == 0;
	port = strtol(la->port, NULL, 10);
	if (sa->sa_family == AF_INET) {
		if (ntohs(sin->sin_port) != port)
			return false;
		return !by_address || (la->addr != NULL &&
		    inet_pton(AF_INET, la->addr, &a4) == 1 &&
		    a4.s_addr == sin->sin_addr.s_addr);
	}
	if (sa->sa_family == AF_INET6) {
		if (ntohs(sin6->sin6_port) != port)
			return false;
		return !by_address || (la->addr != NULL &&
		    inet_pton(AF_INET6, la->addr, &a6) == 1 &&
		    memcmp(&a6, &sin6->sin6_addr, sizeof(a6)) == 0);
	}
	return false;
}

/* The listener of protocol P that SA (NULL: unknown) arrived at. */
static size_t
listener_index(const struct server *srv, int p, const struct sockaddr *sa)
{
	size_t	 i, n = srv->conf.nlisten[p];

	if (sa == NULL)
		return 0;
	/* a listener on this very address first, then one on its port */
	for (i = 0; i < n; i++)
		if (listener_is(&srv->conf.listen[p][i], sa, true))
			return i;
	for (i = 0; i < n; i++)
		if (listener_is(&srv->conf.listen[p][i], sa, false))
			return i;
	return 0;
}

struct vhost *
server_listener_host(const struct server *srv, int p,
    const struct sockaddr *sa)
{
	return server_listen_host(srv, p, listener_index(srv, p, sa));
}

/* Ports alike as numbers: "01965" is 1965. */
static bool
same_port(const char *a, const char *b)
{
	char	*end;
	long	 x, y;

	x = strtol(a, &end, 10);
	if (*end != '\0' || x < 0)
		return false;
	y = strtol(b, &end, 10);
	return *end == '\0' && x == y;
}

bool
server_is_port(const struct server *srv, int p, const struct sockaddr *sa,
    const char *port, const char *dflt)
{
	const struct conf_listen	*la;

	if (port == NULL || port[0] == '\0' || same_port(port, dflt))
		return true;
	if (srv->conf.nlisten[p] == 0)
		return false;
	la = &srv->conf.listen[p][listener_index(srv, p, sa)];
	return same_port(port, la->port) ||
	    (la->public != NULL && same_port(port, la->public));
}

bool
server_listeners_differ(const struct server *srv, int p)
{
	size_t	 i;

	if (p != PROTO_GOPHER)
		return false;
	for (i = 1; i < srv->conf.nlisten[p]; i++)
		if (srv->gopher_host[i] != srv->gopher_host[0])
			return true;
	return false;
}

struct vhost *
server_listen_host(const struct server *srv, int p, size_t i)
{
	if (p != PROTO_GOPHER || i >= srv->conf.nlisten[PROTO_GOPHER])
		return server_default(srv);
	return &srv->hosts[srv->gopher_host[i]];
}
