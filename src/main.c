/*
 * main: the start-up in order (options, load, log, transport, privilege
 * drop), the signals and the loop, and the stop.  What each step does
 * lives in its module; main only holds the current server and hands it on.
 */
#include <sys/resource.h>
#include <sys/stat.h>

#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <pwd.h>
#include <sched.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <event2/event.h>
#include <event2/thread.h>

#include <openssl/crypto.h>
#include <openssl/rand.h>

#include "accesslog.h"
#include "capsule.h"
#include "config.h"
#include "control.h"
#include "export.h"
#include "later.h"
#include "listen.h"
#include "log.h"
#include "logfile.h"
#include "metrics.h"
#include "net.h"
#include "notify.h"
#include "options.h"
#include "partners.h"
#include "ping.h"
#include "protocols.h"
#include "ratelimit.h"
#include "reaper.h"
#include "reload.h"
#include "report.h"
#include "rootfs.h"
#include "sandbox.h"
#include "scrape.h"
#include "section.h"
#include "server.h"
#include "site.h"
#include "textcache.h"
#include "titan.h"
#include "tls.h"

static struct opts	 opts;

/*
 * Inside the sandbox (--user without --config) the capsule is read
 * through this path, and reloads keep the certificates they cannot read.
 */
static const char	*sandbox_root;

/*
 * The configuration: the options over the file or the defaults.  In the
 * chroot the capsule is read by its path there.  Runs again on every
 * reload, in the reload thread.
 */
static int
make_conf(struct conf *conf, char *err, size_t errlen)
{
	struct options_env	 env;

	env.root = sandbox_root;
	env.as_root = geteuid() == 0;
	return options_conf(&opts, &env, conf, err, errlen);
}

/*
 * Raise the soft descriptor limit to the hard one; net_start() then fits
 * --max-conns's default to it, once the workers' own descriptors are
 * known.
 */
static void
raise_fd_limit(void)
{
	struct rlimit	 rl;

	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		(void)setrlimit(RLIMIT_NOFILE, &rl);
	}
}

/*
 * The cores this process may run on (taskset(1) and cgroup cpusets
 * narrow them): one worker each by default.
 */
static int
ncores(void)
{
	long		 n = -1;
#ifdef __linux__
	cpu_set_t	 set;

	if (sched_getaffinity(0, sizeof(set), &set) == 0)
		n = CPU_COUNT(&set);
#endif
	if (n < 1)
		n = sysconf(_SC_NPROCESSORS_ONLN);
	if (n < 1)
		return 1;
	return n > CONF_WORKERS_MAX ? CONF_WORKERS_MAX : (int)n;
}

/*
 * The context the transport hands the front-ends is the server: every
 * host with its site, swapped whole by a reload.
 */
static void
ctx_ref(void *srv)
{
	server_ref(srv);
}

static void
ctx_unref(void *srv)
{
	server_unref(srv);
}

/*
 * As root with --user: a certificate made now goes to the user, who reads
 * it at a reload; one already there that the user may not read is named,
 * with the chown that lets it.  It is served (root reads it now), and so
 * is a key of one's own ("cert", "key") that only root may read.
 */
static void
cert_owner(const char *user)
{
	struct passwd	*pw;

	if (user == NULL || geteuid() != 0)
		return;
	if ((pw = getpwnam(user)) == NULL)
		fatalx("--user %s: no such user", user);
	tls_set_owner(pw->pw_uid, pw->pw_gid);
}

static void
warn_cert_access(const struct server *srv)
{
	struct passwd	*pw;
	char		 err[4096];
	size_t		 i;

	if (srv->conf.user == NULL || geteuid() != 0 ||
	    (pw = getpwnam(srv->conf.user)) == NULL)
		return;
	for (i = 0; i < srv->nhosts; i++)
		if (srv->hosts[i].conf->cert == NULL &&
		    server_cert_access(&srv->hosts[i], pw, err,
		    sizeof(err)) > 0)
			report_errors(err);
}

/*
 * --check: the log must lie where the start would accept it, in the chroot
 * when zeche would chroot (--user without --config; start_log()).
 */
static int
check_chroot_log(const struct server *srv, char *err, size_t errlen)
{
	if (srv->conf.user == NULL || opts.config != NULL ||
	    srv->conf.log == NULL)
		return 0;
	return logfile_chroot_check(srv->conf.log,
	    server_default(srv)->conf->root, err, errlen);
}

/* Load what the configuration names; NULL after logging why. */
static struct server *
load(bool make_certs)
{
	struct conf	 conf;
	struct server	*srv = NULL;
	char		 err[8192];
	size_t		 n;

	if (make_conf(&conf, err, sizeof(err)) == -1)
		goto bad;
	if (make_certs)
		cert_owner(conf.user);
	if ((srv = server_load(&conf, make_certs ? SERVER_CERTS_MAKE :
	    SERVER_CERTS_CHECK, NULL, false, NULL, err, sizeof(err))) == NULL ||
	    logfile_outside_capsules(&srv->conf, srv->conf.log, err,
	    sizeof(err)) == -1 ||
	    (opts.check && check_chroot_log(srv, err, sizeof(err)) == -1))
		goto bad;
	warn_cert_access(srv);
	return srv;
 bad:
	if (srv != NULL)
		server_unref(srv);
	n = report_errors(err);
	if (opts.check)
		printf("%s: %zu error%s, not served\n",
		    opts.config != NULL ? opts.config :
		    opts.root != NULL ? opts.root : "capsule", n,
		    n == 1 ? "" : "s");
	return NULL;
}

static struct server	*current;	/* what new requests are served from */

/*
 * SNI, before the handshake goes on: the certificate of the host so named
 * in the server the worker serves new requests from, or the default
 * host's (no name, or one no host has: the request then gets a 53).  It
 * runs on the worker's thread, so it takes that worker's server, not
 * "current", which only the main loop may read; the reference it returns
 * on the SSL_CTX keeps that alive should a reload free the server.
 */
static SSL_CTX *
sni_ctx(const char *name, void *arg)
{
	struct server	*srv;
	struct vhost	*vh = NULL;
	SSL_CTX		*ctx;

	if ((srv = net_ctx_take()) == NULL)
		return NULL;
	if (name != NULL)
		vh = server_host(srv, name);
	if (vh == NULL || vh->ctx == NULL)
		vh = server_default(srv);
	if ((ctx = vh->ctx) != NULL)
		SSL_CTX_up_ref(ctx);
	server_unref(srv);
	return ctx;
}

/*
 * With --config and --user, Landlock lets the process read only beneath
 * the folders the configuration named at the start (resolved), and write
 * only beneath the log's folder then (allowed_log, "" for none): a reload
 * that names a folder beyond them cannot be served without a restart.
 */
static char	(*allowed)[PATH_MAX];	/* owned */
static size_t	 nallowed;
static char	 allowed_log[PATH_MAX];

/* Add the folder DIR, resolved, to the folders read at the start. */
static void
allow_folder(const char *dir)
{
	char	 rdir[PATH_MAX];
	size_t	 i;

	if (realpath(dir, rdir) == NULL)
		fatal("--user: %s", dir);
	for (i = 0; i < nallowed; i++)
		if (strcmp(allowed[i], rdir) == 0)
			return;
	if ((allowed = reallocarray(allowed, nallowed + 1,
	    sizeof(*allowed))) == NULL)
		fatal("--user");
	memcpy(allowed[nallowed++], rdir, sizeof(rdir));
}

/* Add the folder of the file PATH to the folders read at the start. */
static void
allow_folder_of(const char *path)
{
	char	 dir[PATH_MAX];

	if (logfile_folder(path, dir, sizeof(dir)) == -1)
		fatalx("--user: %s: path too long", path);
	allow_folder(dir);
}

/* The folders of the access lists of H and its locations (access.h). */
static void
allow_lists(const struct conf_host *h)
{
	size_t	 i;

	if (h->readers != NULL)
		allow_folder_of(h->readers);
	if (h->writers != NULL)
		allow_folder_of(h->writers);
	if (h->deny != NULL)
		allow_folder_of(h->deny);
	if (h->ca != NULL)
		allow_folder_of(h->ca);
	for (i = 0; i < h->nlocations; i++) {
		if (h->locations[i].readers != NULL)
			allow_folder_of(h->locations[i].readers);
		if (h->locations[i].writers != NULL)
			allow_folder_of(h->locations[i].writers);
		if (h->locations[i].deny != NULL)
			allow_folder_of(h->locations[i].deny);
		if (h->locations[i].ca != NULL)
			allow_folder_of(h->locations[i].ca);
	}
}

/*
 * Titan: the folders open for uploads at the start (a host's capsule, a
 * location's folder) and their history folders, made now if missing and
 * given to the user, may be written beneath (allowed_write).  A folder
 * opened for uploads by a reload needs a restart to be written.
 */
static char	(*allowed_write)[PATH_MAX];	/* owned */
static const char **write_paths;		/* owned: into allowed_write */
static size_t	 nallowed_write;

static void
allow_write(const char *dir)
{
	char	 rdir[PATH_MAX];

	if (realpath(dir, rdir) == NULL) {
		log_warn("uploads to %s", dir);
		return;
	}
	if ((allowed_write = reallocarray(allowed_write, nallowed_write + 1,
	    sizeof(*allowed_write))) == NULL)
		fatal("--user");
	memcpy(allowed_write[nallowed_write++], rdir, sizeof(rdir));
}

static void
allow_uploads(const struct conf *conf)
{
	const struct conf_host	*h;
	struct passwd		*pw;
	char			 dir[PATH_MAX];
	size_t			 i, j;

	for (i = 0; i < conf->nhosts; i++) {
		h = &conf->hosts[i];
		if (!titan_host_open(h))
			continue;
		if (titan_history(h, dir, sizeof(dir)) == -1)
			fatalx("host %s: history path too long", h->name);
		if (mkdir(dir, 0700) == 0 && (pw = getpwnam(conf->user)) !=
		    NULL && chown(dir, pw->pw_uid, pw->pw_gid) == -1)
			log_warn("history %s", dir);
		allow_write(dir);
		if (h->titan.on) {
			allow_write(h->root);
			continue;
		}
		for (j = 0; j < h->nlocations; j++)
			if (h->locations[j].titan.on && snprintf(dir,
			    sizeof(dir), "%s%s", h->root, h->locations[j].path) <
			    (int)sizeof(dir))
				allow_write(dir);
	}
	if (nallowed_write == 0)
		return;
	if ((write_paths = calloc(nallowed_write, sizeof(*write_paths))) ==
	    NULL)
		fatal("--user");
	for (i = 0; i < nallowed_write; i++)
		write_paths[i] = allowed_write[i];
	sandbox_allow_write(write_paths, nallowed_write);
}

/*
 * The folders the configuration CONF names: the file's own, every
 * capsule, every certificate folder (or the folders of a certificate and
 * its key); and the log's folder, unless it holds one of those, which
 * must stay read-only.  Then confine the process to them.
 */
static void
confine_config(const struct conf *conf)
{
	const struct conf_host	*h;
	const char		**paths;
	char			 dir[PATH_MAX], rdir[PATH_MAX];
	unsigned short		 ports[64];
	size_t			 i;
	int			 fd = -1;

	allow_folder_of(opts.config);
	for (i = 0; i < conf->nhosts; i++) {
		h = &conf->hosts[i];
		allow_folder(h->root);
		if (h->certs != NULL)
			allow_folder(h->certs);
		if (h->cert != NULL)
			allow_folder_of(h->cert);
		if (h->key != NULL)
			allow_folder_of(h->key);
		allow_lists(h);
	}
	if ((paths = calloc(nallowed, sizeof(*paths))) == NULL)
		fatal("--user");
	for (i = 0; i < nallowed; i++)
		paths[i] = allowed[i];
	if (conf->log != NULL) {
		if (logfile_folder(conf->log, dir, sizeof(dir)) == -1 ||
		    realpath(dir, rdir) == NULL)
			fatal("log %s", conf->log);
		for (i = 0; i < nallowed; i++)
			if (rootfs_is_beneath(allowed[i], rdir))
				break;
		if (i < nallowed)
			log_warnx("log %s: its folder holds %s, which stays "
			    "read-only: SIGUSR1 cannot open it anew (keep the "
			    "log in a folder of its own, or rotate it with "
			    "copytruncate)", conf->log, allowed[i]);
		else if ((fd = open(rdir, O_PATH | O_DIRECTORY |
		    O_CLOEXEC)) == -1)
			fatal("log %s: its folder %s", conf->log, rdir);
		else
			memcpy(allowed_log, rdir, sizeof(rdir));
	}
	allow_uploads(conf);
	/* pings: their hosts resolved now, their ports may be connected to */
	sandbox_allow_connect(ports, ping_prepare(conf, ports, 64));
	sandbox_confine(conf->user, paths, nallowed, fd);
	free(paths);
	if (fd != -1)
		close(fd);
}

/* The resolved path of the folder DIR lies beneath a folder allowed. */
static bool
is_allowed(const char *dir)
{
	char	 rdir[PATH_MAX];
	size_t	 i;

	/* what does not resolve is for the load to report */
	if (realpath(dir, rdir) == NULL)
		return true;
	for (i = 0; i < nallowed; i++)
		if (rootfs_is_beneath(rdir, allowed[i]))
			return true;
	return false;
}

/*
 * With --config and --user, the folders CONF names must lie beneath
 * those allowed at the start.  -1 with a message in ERR if one does not.
 */
static int
within_confinement(const struct conf *conf, char *err, size_t errlen)
{
	const struct conf_host	*h;
	const char		*bad = NULL;
	char			 dir[PATH_MAX], rdir[PATH_MAX];
	size_t			 i;

	if (nallowed == 0)
		return 0;
	for (i = 0; i < conf->nhosts && bad == NULL; i++) {
		h = &conf->hosts[i];
		if (!is_allowed(h->root))
			bad = h->root;
		else if (h->certs != NULL && !is_allowed(h->certs))
			bad = h->certs;
		else if (h->cert != NULL && (logfile_folder(h->cert, dir,
		    sizeof(dir)) == -1 || !is_allowed(dir)))
			bad = h->cert;
		else if (h->key != NULL && (logfile_folder(h->key, dir,
		    sizeof(dir)) == -1 || !is_allowed(dir)))
			bad = h->key;
	}
	if (bad != NULL) {
		snprintf(err, errlen, "host %s: %s is outside the folders this "
		    "server may read (Landlock, under --user, allows only "
		    "those named at the start); restart zeche to serve it",
		    conf->hosts[i - 1].name, bad);
		return -1;
	}
	if (conf->log != NULL && strcmp(conf->log, logfile_path()) != 0 &&
	    (logfile_folder(conf->log, dir, sizeof(dir)) == -1 ||
	    realpath(dir, rdir) == NULL || strcmp(rdir, allowed_log) != 0)) {
		snprintf(err, errlen, "log %s: outside the folder this server "
		    "may write (Landlock, under --user, allows only the log's "
		    "folder at the start); restart zeche to write it there",
		    conf->log);
		return -1;
	}
	return 0;
}

static int	 later_state = -1;	/* later.h's thread: -1 not yet */
					/* started, 0 none, 1 running */

/*
 * What the load of SRV left for after it is served (a big capsule's
 * search index): on later.h's thread, or at once if it cannot run.
 * Before the thread starts (the start's own server) nothing: its start
 * calls this again.
 */
static void
finish_later(struct server *srv)
{
	static const atomic_bool never = false;

	if (later_state == -1 || !server_pending(srv))
		return;
	server_ref(srv);
	if (later_state == 1 && later_put(srv) == 0)
		return;
	server_finish(srv, &never);
	server_done(srv);
}

static void
set_current(struct server *srv)
{
	if (srv != current)
		server_unref(current);
	current = srv;
	net_set_ctx(srv);
	finish_later(srv);
	accesslog_set_style(srv->conf.log_combined ? ACCESSLOG_COMBINED :
	    ACCESSLOG_ZECHE);
	textcache_limit(srv->conf.set_text_cache ?
	    (size_t)srv->conf.text_cache : TEXTCACHE_MAX);
}

/* For a scrape, on the main loop: each host's pages and partners. */
static size_t
metrics_sites(struct metrics_site *sites, size_t max)
{
	const struct section	*sec;
	const struct site	*s;
	size_t			 i;

	for (i = 0; i < current->nhosts && i < max; i++) {
		s = current->hosts[i].site;
		sec = site_section(s, &partners_section);
		sites[i].host = current->hosts[i].conf->name;
		sites[i].pages = s->npages;
		sites[i].partners = sec != NULL ? partners_count(sec->ctx) : 0;
	}
	return i;
}

static struct server *
get_current(void)
{
	return current;
}

/*
 * With --config and --user, a reload cannot make a certificate: the
 * process is no longer root, and Landlock keeps every certificate folder
 * read-only.  A host of CONF whose pair is not there yet fails the reload,
 * naming the host and what to do, before anything is loaded; the hosts
 * served go on.  -1 with a message in ERR for the first such host.
 */
static int
certs_there(const struct conf *conf, char *err, size_t errlen)
{
	const struct conf_host	*h;
	const char		*name;
	char			 crt[PATH_MAX], key[PATH_MAX];
	size_t			 i;

	if (nallowed == 0)
		return 0;
	for (i = 0; i < conf->nhosts; i++) {
		h = &conf->hosts[i];
		name = h->name;
		if (h->cert != NULL || h->certs == NULL ||
		    tls_cert_paths(h->certs, &name, 1, false, crt, key,
		    sizeof(key), err, errlen) != 1)
			continue;	/* there, or for the load to report */
		snprintf(err, errlen, "host %s: no certificate %s and key %s "
		    "yet, and zeche, no longer root and confined (--user), "
		    "cannot make them: restart zeche to make them, or put a "
		    "certificate and its key there (or name them with cert and "
		    "key) and reload", h->name, crt, key);
		return -1;
	}
	return 0;
}

/*
 * The reload thread's load: the configuration as at the start, within
 * the folders the process may read, with the certificates it can read.
 */
static struct server *
load_again(const struct server *old, bool full,
    const struct capsule_scope *scope, char *err, size_t errlen)
{
	struct conf	 conf;

	if (make_conf(&conf, err, errlen) == -1)
		return NULL;
	if (within_confinement(&conf, err, errlen) == -1 ||
	    certs_there(&conf, err, errlen) == -1) {
		conf_free(&conf);
		return NULL;
	}
	return server_load(&conf, sandbox_root != NULL ? SERVER_CERTS_KEEP :
	    SERVER_CERTS_MAKE, old, !full, scope, err, errlen);
}

/* Before the reload's server is switched to: its log (logfile.h). */
static int
switch_log(const struct server *srv, char *err, size_t errlen)
{
	return logfile_switch(&srv->conf, sandbox_root != NULL, err, errlen);
}

static void
sighup(evutil_socket_t sig, short what, void *arg)
{
	reload_start("SIGHUP");
}

static void
sigusr1(evutil_socket_t sig, short what, void *arg)
{
	logfile_reopen();
}

static void
sigterm(evutil_socket_t sig, short what, void *arg)
{
	log_info("signal %d: stopping", (int)sig);
	notify_stopping();
	net_stop();
}

/* The command line into opts; exits on -h, -V and an error. */
static void
read_options(int argc, char **argv)
{
	char	 err[1024];

	switch (options_parse(argc, argv, &opts, err, sizeof(err))) {
	case OPTIONS_OK:
		break;
	case OPTIONS_HELP:
		options_usage(stdout);
		exit(0);
	case OPTIONS_VERSION:
		printf("zeche %s\n", ZECHE_VERSION);
		exit(0);
	case OPTIONS_USAGE:
		options_usage(stderr);
		exit(1);
	case OPTIONS_BAD:
		fatalx("%s", err);
	}
}

/* --export: the default host's site as files; the exit status. */
static int
export(void)
{
	struct vhost	*vh;
	char		 err[1024];
	long		 n;

	if ((current = load(false)) == NULL)
		return 1;
	vh = server_default(current);
	n = export_site(vh->site, opts.export, vh->conf->root, err,
	    sizeof(err));
	if (n == -1)
		log_warnx("export failed: %s", err);
	else
		printf("%s: exported %ld pages to %s/gemini and "
		    "%s/gopher\n", vh->conf->root, n, opts.export,
		    opts.export);
	server_unref(current);
	return n == -1;
}

/*
 * The log of the server loaded, then the hosts in it.  Returns the log's
 * folder for the chroot's Landlock rule (logfile_in_chroot()), or -1.
 */
static int
start_log(void)
{
	const struct conf	*conf = &current->conf;
	struct vhost		*vh;
	size_t			 i;
	int			 logdir = -1;

	/* before the log is made: a log the chroot would not hold is not */
	if (conf->user != NULL && opts.config == NULL && conf->log != NULL)
		logdir = logfile_in_chroot(conf->log,
		    server_default(current)->conf->root);
	if (conf->log != NULL)
		logfile_open(conf->log, logdir);
	for (i = 0; i < current->nhosts; i++) {
		vh = &current->hosts[i];
		report_host(vh);
		report_certificate(vh);
	}
	return logdir;
}

static struct ratelimit	*rate;		/* owned, or NULL: no limit */

/* The rate limit CONF sets (read at start), or NULL: none. */
static struct ratelimit *
rate_limit(const struct conf *conf)
{
	struct rate_net		 nets[CONF_RATE_ALLOW_MAX];
	unsigned char		 key[RATE_SECRET_LEN];
	struct ratelimit	*rl;
	size_t			 i;

	if (conf->rate_requests == 0)
		return NULL;
	for (i = 0; i < conf->nrate_allow; i++)
		if (ratelimit_parse_net(conf->rate_allow[i], &nets[i]) == -1)
			fatalx("rate_allow %s: not a network",
			    conf->rate_allow[i]);
	if (RAND_bytes(key, sizeof(key)) != 1 ||
	    (rl = ratelimit_new(key, (unsigned int)conf->rate_requests,
	    (unsigned int)conf->rate_seconds, (unsigned int)conf->rate_burst,
	    nets, conf->nrate_allow)) == NULL)
		fatalx("cannot set up the rate limit");
	OPENSSL_cleanse(key, sizeof(key));
	log_info("rate limit: %d requests per %d s from one address, bursts "
	    "of %d; %zu network%s never limited", conf->rate_requests,
	    conf->rate_seconds, conf->rate_burst, conf->nrate_allow,
	    conf->nrate_allow == 1 ? "" : "s");
	return rl;
}

/* What the transport listens on for the listener CL of protocol NAME. */
static const struct listen_addr *
listen_addr(const struct conf_listen *cl, const char *name,
    struct listen_addr *la)
{
	memset(la, 0, sizeof(*la));
	la->addr = cl->addr;
	la->port = cl->port;
	la->path = cl->path;
	la->mode = cl->mode;
	la->owner = cl->owner;
	la->group = cl->group;
	la->name = name;
	return la;
}

/*
 * The transport on BASE: its workers (how many into *WORKERS), the
 * listeners, the control socket and --watch, all while still root and
 * before a chroot hides the paths.  Returns the default host's SSL_CTX,
 * a reference the caller frees at the end.
 */
static SSL_CTX *
start_net(struct event_base *base, int *workers)
{
	const struct conf	*conf = &current->conf;
	struct net_conf		 nc;
	struct listen_addr	 la;
	SSL_CTX			*ctx;
	char			 err[1024];
	size_t			 i;
	int			 p;

	ctx = server_default(current)->ctx;
	SSL_CTX_up_ref(ctx);
	memset(&nc, 0, sizeof(nc));
	nc.timeout = conf->timeout;
	raise_fd_limit();
	nc.max_conns = conf->max_conns;		/* 0: net_start fits it */
	nc.per_address = conf->per_address;
	nc.log_ip = conf->log_ip != CONF_LOG_IP_OFF;
	nc.log_ip_anon = conf->log_ip == CONF_LOG_IP_ANON;
	nc.ref = ctx_ref;
	nc.unref = ctx_unref;
	nc.workers = conf->workers ? conf->workers : ncores();
	nc.rate = rate = rate_limit(conf);
	tls_set_sni(sni_ctx, NULL);
	if (net_init(base, ctx, &nc) == -1 || (conf->metrics != NULL &&
	    metrics_init((unsigned int)nc.workers) == -1))
		fatalx("cannot set up %d workers", nc.workers);
	set_current(current);
	if (listen_inherit(err, sizeof(err)) == -1)
		fatalx("%s", err);
	for (p = 0; p < PROTO_COUNT; p++)
		for (i = 0; i < conf->nlisten[p]; i++)
			if (net_listen_at(listen_addr(&conf->listen[p][i],
			    protocols[p].name, &la), protocols[p].front,
			    protocols[p].tls, opts.proxy ||
			    conf->listen[p][i].proxy, err, sizeof(err)) == -1)
				fatalx("%s: %s", protocols[p].name, err);
	listen_inherit_end();
	if (conf->control != NULL && control_listen(base, conf->control,
	    conf->user, reload_asked, err, sizeof(err)) == -1)
		fatalx("%s", err);
	if (conf->metrics != NULL && scrape_listen(base, conf->metrics,
	    metrics_sites, err, sizeof(err)) == -1)
		fatalx("%s", err);
	if (conf->watch && reload_watch() == -1)	/* before a chroot */
		fatal("--watch");
	*workers = nc.workers;
	return ctx;
}

/*
 * Drop root once the ports are open: with --config, Landlock on the
 * folders CONF names; without, a chroot into the capsule's parent, where
 * the log's folder LOGDIR (or -1) stays writable.
 */
static void
drop_privileges(const struct conf *conf, int logdir)
{
	/*
	 * With --config, no chroot: reloads read the file, every capsule and
	 * every certificate, wherever they are, as the user.
	 */
	if (conf->user != NULL && opts.config != NULL)
		confine_config(conf);
	else if (conf->user != NULL) {
		sandbox_root = sandbox_enter(
		    server_default(current)->conf->root, conf->user, logdir);
		/* Landlock's rule is made: no handle on a folder is kept */
		if (logdir != -1)
			close(logdir);
	} else if (geteuid() == 0)
		log_warnx("running as root; --user NAME drops root once the "
		    "ports are open");
}

int
main(int argc, char **argv)
{
	struct event_base	*base;
	struct event		*ev_hup, *ev_int, *ev_term, *ev_usr1;
	const struct conf	*conf;
	SSL_CTX			*ctx;
	struct reload_hooks	 hooks = { load_again, switch_log, set_current,
				    get_current, NULL };
	sigset_t		 requests;
	size_t			 i;
	int			 logdir, p, workers;

	setvbuf(stderr, NULL, _IOLBF, 0);
	read_options(argc, argv);
	log_init(opts.verbose);

	if (opts.reload)
		return reload_ask(opts.control, opts.config, opts.full);
	if (opts.check) {
		if ((current = load(false)) == NULL)
			return 1;
		report_check(current, opts.config != NULL);
		server_unref(current);
		return 0;
	}
	if (opts.export != NULL)		/* no TLS, no network */
		return export();
	/*
	 * SIGHUP and SIGUSR1 ask a running server for something, and their
	 * default action kills: one that comes before the handlers are in
	 * place (the load can take seconds) waits for them.  Once the loop
	 * has ended, they and a further SIGINT or SIGTERM are dropped: zeche
	 * is on its way out, and exits 0.  Threads made meanwhile block
	 * every signal anyway.
	 */
	sigemptyset(&requests);
	sigaddset(&requests, SIGHUP);
	sigaddset(&requests, SIGUSR1);
	pthread_sigmask(SIG_BLOCK, &requests, NULL);
	notify_open();		/* before a chroot or Landlock hides it */
	if ((current = load(true)) == NULL)
		return 1;
	conf = &current->conf;
	logdir = start_log();

	signal(SIGPIPE, SIG_IGN);
	hooks.config = opts.config;
	if (evthread_use_pthreads() == -1 ||
	    (base = net_base_new()) == NULL ||
	    reload_init(base, &hooks) == -1)
		fatalx("cannot set up the event loop");
	ctx = start_net(base, &workers);
	drop_privileges(conf, logdir);
	/*
	 * From here on a thread writes the log, so that a slow destination
	 * never stalls the loop; it starts confined, as the process now is.
	 */
	if (log_start() == -1)
		log_warn("log: no writer thread; lines are written by the "
		    "loop");
	/* in the sandbox: the workers' threads are confined as well */
	if (net_start() == -1)
		fatal("cannot start the workers");
	if (reaper_start(server_free) == -1)
		log_warn("no reaper thread; old snapshots are freed by the "
		    "loops");
	later_state = later_start(server_finish, server_done,
	    RELOAD_NICE) == 0;
	if (later_state == 0)
		log_warn("no thread for the search index: built on the loop");
	finish_later(current);
	log_info("%d worker%s", workers, workers == 1 ? "" : "s");
	for (p = 0; p < PROTO_COUNT; p++)
		for (i = 0; i < conf->nlisten[p]; i++)
			log_info("serving %s://%s:%s/%s%s", protocols[p].name,
			    server_listen_host(current, p, i)->conf->name,
			    conf->listen[p][i].port, conf->listen[p][i].path ?
			    " on unix:" : "", conf->listen[p][i].path ?
			    conf->listen[p][i].path : "");

	ev_hup = evsignal_new(base, SIGHUP, sighup, NULL);
	ev_usr1 = evsignal_new(base, SIGUSR1, sigusr1, NULL);
	ev_int = evsignal_new(base, SIGINT, sigterm, base);
	ev_term = evsignal_new(base, SIGTERM, sigterm, base);
	if (ev_hup == NULL || ev_int == NULL || ev_term == NULL ||
	    ev_usr1 == NULL || evsignal_add(ev_usr1, NULL) == -1 ||
	    evsignal_add(ev_hup, NULL) == -1 ||
	    evsignal_add(ev_int, NULL) == -1 ||
	    evsignal_add(ev_term, NULL) == -1)
		fatalx("cannot install signal handlers");
	pthread_sigmask(SIG_UNBLOCK, &requests, NULL);
	notify_ready(current->nhosts);

	event_base_dispatch(base);
	control_close();
	listen_close();
	scrape_close();
	sigaddset(&requests, SIGINT);
	sigaddset(&requests, SIGTERM);
	pthread_sigmask(SIG_BLOCK, &requests, NULL);

	/* the jobs first: one may still signal reload_stop()'s events */
	reload_closing();	/* an upload waits for no reload now */
	if (conn_jobs_wait(RELOAD_STOP_WAIT) == -1 || reload_stop() == -1) {
		log_stop();
		return 1;
	}
	later_stop();		/* a search index half built is dropped */
	net_shutdown();
	ratelimit_free(rate);
	metrics_free();
	server_unref(current);
	reaper_stop();		/* frees what is left, current included */
	event_free(ev_hup);
	event_free(ev_usr1);
	event_free(ev_int);
	event_free(ev_term);
	event_base_free(base);
	SSL_CTX_free(ctx);
	log_stop();		/* the last access lines included */
	return 0;
}
