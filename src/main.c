#include <sys/resource.h>

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <pthread.h>
#include <pwd.h>
#include <sched.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <event2/event.h>
#include <event2/thread.h>

#include "capsule.h"
#include "config.h"
#include "export.h"
#include "log.h"
#include "net.h"
#include "protocols.h"
#include "sandbox.h"
#include "server.h"
#include "site.h"
#include "tls.h"
#include "watch.h"

/*
 * The command line.  Options given beside --config override the file;
 * without --config they make a configuration of one host.
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
};

static struct opts	 opts = { .log_ip = -1 };

/*
 * Inside the sandbox (--user without --config) the capsule is read
 * through this path, and reloads keep the certificates they cannot read.
 */
static const char	*sandbox_root;
static char		 logpath[1024];	/* the log file open, or "" */

static void __attribute__((noreturn))
usage(int status)
{
	fprintf(status ? stderr : stdout,
"usage: zeche [options]\n"
"Serve the capsule in --root over Gemini (TLS), Gopher and Spartan, or the\n"
"hosts of a configuration file (--config).\n"
"\n"
"  -f, --config FILE       read the hosts and settings from FILE\n"
"                          (zeche.conf(5)); the options below override it\n"
"  -r, --root DIR          the capsule folder (default: capsule)\n"
"  -c, --certs DIR         TLS certificate and key folder (default: certs);\n"
"                          a self-signed one is made there if missing\n"
"  -H, --host NAME         the host name served (default: localhost)\n"
"  -L, --lang TAG          the capsule's language: the lang parameter of\n"
"                          gemtext and zeche's own labels (default: none,\n"
"                          English labels)\n"
"  -g, --gemini [ADDR:]PORT  Gemini listener (default: 1965, all addresses)\n"
"  -G, --gopher [ADDR:]PORT  Gopher listener (default: 70 as root, else 7070)\n"
"      --spartan [ADDR:]PORT Spartan listener (default: off; usually 300)\n"
"  -n, --check             load the capsule, report every error and warning,\n"
"                          exit 1 only on errors; with --config every host's\n"
"                          capsule and certificate\n"
"      --watch             reload by itself when the configuration file or a\n"
"                          capsule changes (once changes settle for 0.5 s)\n"
"      --log FILE          write the log (messages and the access lines) to\n"
"                          FILE (outside every capsule) instead of\n"
"                          stderr; SIGUSR1 reopens it.  A log written\n"
"                          too slowly never holds up serving:\n"
"                          lines beyond 1 MiB queued are dropped, and counted\n"
"      --log-ip[=anon]     write client addresses to the access log (anon:\n"
"                          only the network, IPv4 /24, IPv6 /48)\n"
"      --proxy-protocol    every listener expects a PROXY protocol header\n"
"                          (v1 or v2, as HAProxy sends) before the client's\n"
"                          bytes; the client address in it is logged and\n"
"                          counted\n"
"      --export DIR        write the site as files for a static Gemini server\n"
"                          (DIR/gemini) and Gophernicus (DIR/gopher), exit\n"
"  -t, --timeout SECONDS   time a client has for the TLS handshake and its\n"
"                          whole request, with a Spartan data block\n"
"                          (default: 10); a reader that takes\n"
"                          less than 1 KiB a second of the answer over such a\n"
"                          span is cut off\n"
"  -m, --max-conns N       open connections at most (default: fitted to the\n"
"                          file descriptor limit)\n"
"      --per-address N     open connections from one address, an IPv6 /64\n"
"                          counting as one (default: 32)\n"
"  -w, --workers N         event loops serving connections, each on its own\n"
"                          thread and listening sockets (default: one per\n"
"                          core); the budgets above are for all of them\n"
"  -u, --user NAME         run as this user once the ports are open; without\n"
"                          --config also in a chroot into the capsule's\n"
"                          parent folder and, on Linux, read-only beneath\n"
"                          the capsule (Landlock) with a seccomp filter; a\n"
"                          certificate made as root is the user's\n"
"  -v, --verbose           log debugging details\n"
"  -h, --help              show this help and exit\n"
"  -V, --version           show the version and exit\n"
"\n"
"Signals: SIGHUP reloads the configuration file and every capsule (a failed\n"
"reload keeps the old ones); SIGUSR1 reopens the --log file (either, sent\n"
"during the start, waits until zeche serves); SIGINT and SIGTERM stop the\n"
"server: answers being sent get a few seconds, connections without a request\n"
"are closed at once.  Once the last connection is gone, these signals are\n"
"ignored.\n");
	exit(status);
}

/* Long options of their own, then one per row of the protocol table. */
#define OPT_PROTO	0x100

static void
parse_options(int argc, char **argv)
{
	static const struct option	 fixed[] = {
		{ "config",	required_argument,	NULL, 'f' },
		{ "root",	required_argument,	NULL, 'r' },
		{ "certs",	required_argument,	NULL, 'c' },
		{ "host",	required_argument,	NULL, 'H' },
		{ "lang",	required_argument,	NULL, 'L' },
		{ "check",	no_argument,		NULL, 'n' },
		{ "log",	required_argument,	NULL, 'l' },
		{ "watch",	no_argument,		NULL, 'W' },
		{ "log-ip",	optional_argument,	NULL, 'I' },
		{ "proxy-protocol", no_argument,	NULL, 'P' },
		{ "export",	required_argument,	NULL, 'X' },
		{ "timeout",	required_argument,	NULL, 't' },
		{ "max-conns",	required_argument,	NULL, 'm' },
		{ "per-address", required_argument,	NULL, 'A' },
		{ "workers",	required_argument,	NULL, 'w' },
		{ "user",	required_argument,	NULL, 'u' },
		{ "verbose",	no_argument,		NULL, 'v' },
		{ "help",	no_argument,		NULL, 'h' },
		{ "version",	no_argument,		NULL, 'V' },
	};
	struct option	 longopts[sizeof(fixed) / sizeof(fixed[0]) +
			    PROTO_COUNT + 1];
	const struct protocol	*pr;
	struct conf_listen	 la;
	enum conf_log_ip	 lip;
	const char		*errstr;
	char			 shorts[64] = "f:r:c:H:L:nt:m:w:u:vhV";
	char			*end;
	size_t			 nfixed = sizeof(fixed) / sizeof(fixed[0]), len;
	long			 n;
	int			 ch, i;

	memset(longopts, 0, sizeof(longopts));
	memcpy(longopts, fixed, sizeof(fixed));
	for (i = 0; i < PROTO_COUNT; i++) {
		pr = &protocols[i];
		longopts[nfixed + i].name = pr->name;
		longopts[nfixed + i].has_arg = required_argument;
		longopts[nfixed + i].val = pr->short_opt ? pr->short_opt :
		    OPT_PROTO + i;
		if (pr->short_opt) {
			len = strlen(shorts);
			shorts[len] = (char)pr->short_opt;
			shorts[len + 1] = ':';
			shorts[len + 2] = '\0';
		}
	}
	while ((ch = getopt_long(argc, argv, shorts, longopts, NULL)) != -1) {
		for (i = 0; i < PROTO_COUNT; i++)
			if (ch == longopts[nfixed + i].val)
				break;
		if (i < PROTO_COUNT) {
			if (conf_parse_listen(optarg, &la, &errstr) == -1)
				fatalx("--%s %s: %s", protocols[i].name,
				    optarg, errstr);
			free(la.addr);
			free(la.port);
			opts.listen[i] = optarg;
			continue;
		}
		switch (ch) {
		case 'f':
			opts.config = optarg;
			break;
		case 'r':
			opts.root = optarg;
			break;
		case 'c':
			opts.certs = optarg;
			break;
		case 'H':
			opts.host = optarg;
			break;
		case 'L':
			opts.lang = optarg;
			break;
		case 'n':
			opts.check = true;
			break;
		case 'I':
			if (optarg == NULL)
				opts.log_ip = CONF_LOG_IP_FULL;
			else if (conf_parse_log_ip(optarg, &lip) == -1)
				fatalx("--log-ip=%s: off, anon or full", optarg);
			else
				opts.log_ip = (int)lip;
			break;
		case 'l':
			opts.log = optarg;
			break;
		case 'P':
			opts.proxy = true;
			break;
		case 'W':
			opts.watch = true;
			break;
		case 'u':
			opts.user = optarg;
			break;
		case 'X':
			opts.export = optarg;
			break;
		case 't':
			n = strtol(optarg, &end, 10);
			if (optarg[0] == '\0' || *end != '\0' || n < 1 ||
			    n > 3600)
				fatalx("--timeout %s: seconds from 1 to 3600",
				    optarg);
			opts.timeout = (int)n;
			break;
		case 'm':
			n = strtol(optarg, &end, 10);
			if (optarg[0] == '\0' || *end != '\0' || n < 1 ||
			    n > 1000000)
				fatalx("--max-conns %s: a number from 1 to "
				    "1000000", optarg);
			opts.max_conns = (int)n;
			break;
		case 'A':
			n = strtol(optarg, &end, 10);
			if (optarg[0] == '\0' || *end != '\0' || n < 1 ||
			    n > 1000000)
				fatalx("--per-address %s: a number from 1 to "
				    "1000000", optarg);
			opts.per_address = (int)n;
			break;
		case 'w':
			n = strtol(optarg, &end, 10);
			if (optarg[0] == '\0' || *end != '\0' || n < 1 ||
			    n > CONF_WORKERS_MAX)
				fatalx("--workers %s: a number from 1 to %d",
				    optarg, CONF_WORKERS_MAX);
			opts.workers = (int)n;
			break;
		case 'v':
			opts.verbose = true;
			break;
		case 'h':
			usage(0);
		case 'V':
			printf("zeche %s\n", ZECHE_VERSION);
			exit(0);
		default:
			usage(1);
		}
	}
	if (optind != argc)
		usage(1);
}

/* Replace *P (owned) by a copy of S. */
static int
set_str(char **p, const char *s)
{
	char	*d;

	if ((d = strdup(s)) == NULL)
		return -1;
	free(*p);
	*p = d;
	return 0;
}

/* Replace the listeners in *LIST by SPEC alone. */
static int
set_listen(struct conf_listen **list, size_t *n, const char *spec,
    const char **errstr)
{
	struct conf_listen	*l;

	if ((l = calloc(1, sizeof(*l))) == NULL) {
		*errstr = "out of memory";
		return -1;
	}
	if (conf_parse_listen(spec, l, errstr) == -1) {
		free(l);
		return -1;
	}
	while (*n > 0) {
		(*n)--;
		free((*list)[*n].addr);
		free((*list)[*n].port);
		free((*list)[*n].host);
	}
	free(*list);
	*list = l;
	*n = 1;
	return 0;
}

/* The folder of the file PATH into DIR; -1 if it does not fit. */
static int
folder_of(const char *path, char *dir, size_t size)
{
	const char	*slash = strrchr(path, '/');

	if (slash == NULL)
		return snprintf(dir, size, ".") >= (int)size ? -1 : 0;
	if (slash == path)
		return snprintf(dir, size, "/") >= (int)size ? -1 : 0;
	if ((size_t)(slash - path) >= size)
		return -1;
	snprintf(dir, size, "%.*s", (int)(slash - path), path);
	return 0;
}

/* The resolved path IN is OUTER or lies beneath it. */
static bool
beneath(const char *in, const char *outer)
{
	size_t	 n = strlen(outer);

	return strncmp(in, outer, n) == 0 && (in[n] == '/' || in[n] == '\0' ||
	    strcmp(outer, "/") == 0);
}

/*
 * The log LOG (or none) must not lie in a capsule of CONF, where the next
 * load would serve it, client addresses and all.  -1 with a message in
 * ERR if it does.  What cannot be resolved is left to the log's own open
 * and to the capsule's load, which say what is wrong with it.
 */
static int
log_outside_capsules(const struct conf *conf, const char *log, char *err,
    size_t errlen)
{
	char	 dir[PATH_MAX], rdir[PATH_MAX], rroot[PATH_MAX];
	size_t	 i;

	if (log == NULL || folder_of(log, dir, sizeof(dir)) == -1 ||
	    realpath(dir, rdir) == NULL)
		return 0;
	for (i = 0; i < conf->nhosts; i++)
		if (realpath(conf->hosts[i].root, rroot) != NULL &&
		    beneath(rdir, rroot)) {
			snprintf(err, errlen, "log %s: inside the capsule "
			    "folder %s (host %s), which would serve it; keep "
			    "the log outside every capsule", log,
			    conf->hosts[i].root, conf->hosts[i].name);
			return -1;
		}
	return 0;
}

/*
 * The configuration: the file (--config) or one host made of the
 * defaults, with the options on top.  Returns 0, or -1 with a message in
 * ERR.  Runs again on every reload, in the reload thread.
 */
static int
make_conf(struct conf *conf, char *err, size_t errlen)
{
	struct conf_host	*h;
	const struct protocol	*pr;
	const char		*errstr = "out of memory";
	char			*name = NULL;
	int			 p;

	if (opts.config != NULL) {
		if (conf_read(opts.config, conf, err, errlen) == -1)
			return -1;
		pr = &protocols[PROTO_GEMINI];
		if (conf->nlisten[PROTO_GEMINI] == 0 &&
		    set_listen(&conf->listen[PROTO_GEMINI],
		    &conf->nlisten[PROTO_GEMINI], geteuid() == 0 ?
		    pr->root_port : pr->port, &errstr) == -1)
			goto bad;
	} else {
		memset(conf, 0, sizeof(*conf));
		if ((conf->hosts = calloc(1, sizeof(*conf->hosts))) == NULL)
			goto bad;
		conf->nhosts = 1;
		h = &conf->hosts[0];
		h->gopher = true;
		h->listing = h->posts = true;
		if (set_str(&h->name, "localhost") == -1 ||
		    set_str(&h->root, "capsule") == -1 ||
		    set_str(&h->certs, "certs") == -1)
			goto bad;
		for (p = 0; p < PROTO_COUNT; p++) {
			pr = &protocols[p];
			if (pr->port != NULL && set_listen(&conf->listen[p],
			    &conf->nlisten[p], geteuid() == 0 ?
			    pr->root_port : pr->port, &errstr) == -1)
				goto bad;
		}
	}
	h = &conf->hosts[0];		/* the options set the default host */
	if (opts.host != NULL) {
		if ((name = strdup(opts.host)) == NULL)
			goto bad;
		if (conf_host_normalise(name) == -1) {
			snprintf(err, errlen, "--host %s: not a host name",
			    opts.host);
			free(name);
			conf_free(conf);
			return -1;
		}
		free(h->name);
		h->name = name;
	}
	if ((sandbox_root != NULL && set_str(&h->root, sandbox_root) == -1) ||
	    (sandbox_root == NULL && opts.root != NULL &&
	    set_str(&h->root, opts.root) == -1) ||
	    (opts.lang != NULL && set_str(&h->lang, opts.lang) == -1))
		goto bad;
	if (opts.certs != NULL) {
		if (set_str(&h->certs, opts.certs) == -1)
			goto bad;
		free(h->cert);
		free(h->key);
		h->cert = h->key = NULL;
	}
	for (p = 0; p < PROTO_COUNT; p++)
		if (opts.listen[p] != NULL && set_listen(&conf->listen[p],
		    &conf->nlisten[p], opts.listen[p], &errstr) == -1)
			goto bad;
	if (opts.user != NULL && set_str(&conf->user, opts.user) == -1)
		goto bad;
	if (opts.log != NULL && set_str(&conf->log, opts.log) == -1)
		goto bad;
	if (opts.timeout != 0)
		conf->timeout = opts.timeout;
	if (opts.max_conns != 0)
		conf->max_conns = opts.max_conns;
	if (opts.per_address != 0)
		conf->per_address = opts.per_address;
	if (opts.workers != 0)
		conf->workers = opts.workers;
	if (conf->timeout == 0)
		conf->timeout = NET_READ_TIMEOUT;
	if (opts.watch)
		conf->watch = true;
	if (opts.log_ip != -1)
		conf->log_ip = (enum conf_log_ip)opts.log_ip;
	/* the log written: the one open, which a reload keeps */
	if (sandbox_root == NULL && log_outside_capsules(conf,
	    logpath[0] != '\0' ? logpath : conf->log, err, errlen) == -1) {
		conf_free(conf);
		return -1;
	}
	return 0;
 bad:
	snprintf(err, errlen, "%s", errstr);
	conf_free(conf);
	return -1;
}

/*
 * Name both fingerprints of the host's certificate, since clients pin one
 * or the other; --check does this too, without making a certificate.
 */
static void
log_certificate(const struct vhost *vh)
{
	char	 crt[128], spki[128];

	if (vh->crt[0] == '\0' || tls_fingerprints(vh->crt, crt, sizeof(crt),
	    spki, sizeof(spki)) == -1) {
		log_info("certificate for %s: none yet in %s; one is made at "
		    "the first start", vh->conf->name, vh->conf->certs);
		return;
	}
	log_info("certificate %s: certificate SHA-256 %s", vh->crt, crt);
	log_info("certificate %s: public key (SPKI) SHA-256 %s", vh->crt,
	    spki);
}

/* Log the errors of a failed load, one per line; returns how many. */
static size_t
log_errors(const char *err)
{
	size_t	 n, count = 0;

	for (; *err != '\0'; err += n + (err[n] == '\n')) {
		n = strcspn(err, "\n");
		log_warnx("%.*s", (int)n, err);
		count++;
	}
	return count;
}

/*
 * Raise the soft descriptor limit to the hard one, and return how many
 * connections fit: each may hold a socket and a file being sent, and some
 * descriptors stay for listeners, the log and reloads.
 */
static int
fit_max_conns(void)
{
	struct rlimit	 rl;
	rlim_t		 n;

	if (getrlimit(RLIMIT_NOFILE, &rl) == -1)
		return 256;
	if (rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		if (setrlimit(RLIMIT_NOFILE, &rl) == -1)
			getrlimit(RLIMIT_NOFILE, &rl);
	}
	n = rl.rlim_cur;
	if (n == RLIM_INFINITY || n > 2000000)
		n = 2000000;
	if (n < 128)
		return 32;
	return (int)((n - 64) / 2);
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
			log_errors(err);
}

/* Load what the configuration names; NULL after logging why. */
static struct server *
load(bool make_certs)
{
	struct conf	 conf;
	struct server	*srv;
	char		 err[8192];
	size_t		 n;

	if (make_conf(&conf, err, sizeof(err)) == -1)
		goto bad;
	if (make_certs)
		cert_owner(conf.user);
	if ((srv = server_load(&conf, make_certs ? SERVER_CERTS_MAKE :
	    SERVER_CERTS_CHECK, NULL, err, sizeof(err))) == NULL)
		goto bad;
	warn_cert_access(srv);
	return srv;
 bad:
	n = log_errors(err);
	if (opts.check)
		printf("%s: %zu error%s, not served\n",
		    opts.config != NULL ? opts.config :
		    opts.root != NULL ? opts.root : "capsule", n,
		    n == 1 ? "" : "s");
	return NULL;
}

/*
 * Reloads run in a thread of their own, so that the loop goes on serving
 * the old server while the new one is read, sorted and rendered (a third
 * of a second for 100,000 partners).  The thread touches nothing but what
 * it builds; reload_done() takes the result on the loop.
 */
#define RELOAD_STOP_WAIT	5	/* seconds a stop waits for a reload */

struct reload {
	pthread_t	 thread;
	bool		 running;
	bool		 again;		/* another SIGHUP came meanwhile */
	struct server	*srv;		/* the thread's result, or NULL */
	char		 err[8192];
	struct timespec	 t0;
	struct event	*done;		/* made active by the thread */
	atomic_bool	 finished;	/* the thread is about to return */
};

static struct reload	 reload;
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

static void *
reload_thread(void *arg)
{
	struct conf	 conf;

	reload.srv = NULL;
	if (make_conf(&conf, reload.err, sizeof(reload.err)) == 0)
		reload.srv = server_load(&conf, sandbox_root != NULL ?
		    SERVER_CERTS_KEEP : SERVER_CERTS_MAKE, current,
		    reload.err, sizeof(reload.err));
	atomic_store(&reload.finished, true);
	event_active(reload.done, EV_READ, 0);
	return NULL;
}

static void
reload_start(void)
{
	if (reload.running) {
		reload.again = true;
		return;
	}
	log_info("SIGHUP: reloading %s", opts.config != NULL ? opts.config :
	    current->hosts[0].conf->root);
	clock_gettime(CLOCK_MONOTONIC, &reload.t0);
	reload.running = true;
	atomic_store(&reload.finished, false);
	if ((errno = pthread_create(&reload.thread, NULL, reload_thread,
	    NULL)) != 0) {
		log_warn("reload");
		reload.running = false;
	}
}

/* Wait up to SECONDS for the reload thread to finish; true if it did. */
static bool
reload_wait(int seconds)
{
	struct timespec	 tick = { 0, 10 * 1000 * 1000 };
	int		 i;

	for (i = 0; i < seconds * 100; i++) {
		if (atomic_load(&reload.finished))
			return true;
		nanosleep(&tick, NULL);
	}
	return atomic_load(&reload.finished);
}

static void	 open_log(bool);
static void	 watch_update(void);

/* Do A and B name the same listeners?  The loop keeps A's sockets. */
static bool
same_listeners(const struct conf *a, const struct conf *b)
{
	const struct conf_listen	*x, *y;
	size_t				 i;
	int				 p;

	for (p = 0; p < PROTO_COUNT; p++) {
		if (a->nlisten[p] != b->nlisten[p])
			return false;
		for (i = 0; i < a->nlisten[p]; i++) {
			x = &a->listen[p][i];
			y = &b->listen[p][i];
			if (strcmp(x->port, y->port) != 0 ||
			    (x->addr == NULL) != (y->addr == NULL) ||
			    (x->addr != NULL && strcmp(x->addr, y->addr) != 0))
				return false;
		}
	}
	return true;
}

static void
set_current(struct server *srv)
{
	if (srv != current)
		server_unref(current);
	current = srv;
	net_set_ctx(srv);
}

static void
reload_done(evutil_socket_t fd, short what, void *arg)
{
	struct timespec	 t1;
	size_t		 i, npages = 0;

	pthread_join(reload.thread, NULL);
	reload.running = false;
	if (reload.srv == NULL) {
		log_errors(reload.err);
		log_warnx("reload failed; still serving the last good "
		    "capsule and configuration");
	} else {
		for (i = 0; i < reload.srv->nhosts; i++)
			npages += reload.srv->hosts[i].site->npages;
		if (!same_listeners(&current->conf, &reload.srv->conf))
			log_warnx("reload: the listeners in %s changed; they "
			    "take effect at the next start", opts.config);
		if (current->conf.workers != reload.srv->conf.workers)
			log_warnx("reload: the workers in %s changed; they "
			    "take effect at the next start", opts.config);
		set_current(reload.srv);
		open_log(false);
		watch_update();
		reload.srv = NULL;
		clock_gettime(CLOCK_MONOTONIC, &t1);
		log_info("reloaded %s: %zu hosts, %zu pages in %.0f ms",
		    opts.config != NULL ? opts.config :
		    current->hosts[0].conf->root, current->nhosts, npages,
		    (double)(t1.tv_sec - reload.t0.tv_sec) * 1e3 +
		    (double)(t1.tv_nsec - reload.t0.tv_nsec) / 1e6);
	}
	if (reload.again) {
		reload.again = false;
		reload_start();
	}
}

/* --check: every host's capsule and, with --config, certificate. */
static int
check(void)
{
	struct server		*srv;
	const struct vhost	*vh;
	char			 warnings[64];
	size_t			 i;

	if ((srv = load(false)) == NULL)
		return 1;
	for (i = 0; i < srv->nhosts; i++) {
		vh = &srv->hosts[i];
		log_certificate(vh);
		warnings[0] = '\0';
		if (vh->site->nwarnings > 0)
			snprintf(warnings, sizeof(warnings), ", %zu warning%s",
			    vh->site->nwarnings,
			    vh->site->nwarnings == 1 ? "" : "s");
		if (opts.config == NULL)
			printf("%s: OK, %zu pages%s\n", vh->conf->root,
			    vh->site->npages, warnings);
		else if (vh->ctx == NULL)
			printf("%s: OK, %zu pages%s in %s; no certificate in "
			    "%s yet: one is made at the first start\n",
			    vh->conf->name, vh->site->npages, warnings,
			    vh->conf->root, vh->conf->certs);
		else
			printf("%s: OK, %zu pages%s in %s; certificate %s "
			    "SHA-256 %s\n", vh->conf->name, vh->site->npages,
			    warnings, vh->conf->root, vh->crt, vh->fp);
	}
	server_unref(srv);
	return 0;
}

static void
sighup(evutil_socket_t sig, short what, void *arg)
{
	reload_start();
}

/*
 * In the chroot (--user without --config) the log's path names nothing:
 * its folder is opened before the chroot and kept, and the file is opened
 * anew through it (the sandbox lets files there be written and made).
 * Not when that folder holds the capsule ROOT: the capsule stays
 * read-only, and a rotated log is then not opened anew.
 */
static int	 logdir = -1;
static char	 logbase[NAME_MAX + 1];

static void
keep_log_dir(const char *path, const char *root)
{
	char		 dir[PATH_MAX], rdir[PATH_MAX], rroot[PATH_MAX];
	const char	*slash = strrchr(path, '/');

	if (folder_of(path, dir, sizeof(dir)) == -1)
		fatalx("log %s: path too long", path);
	if (snprintf(logbase, sizeof(logbase), "%s", slash ? slash + 1 :
	    path) >= (int)sizeof(logbase) || logbase[0] == '\0')
		fatalx("log %s: not a file name", path);
	if (realpath(dir, rdir) == NULL || realpath(root, rroot) == NULL)
		fatal("log %s", path);
	if (beneath(rroot, rdir)) {
		log_warnx("log %s: its folder holds the capsule, which stays "
		    "read-only: SIGUSR1 cannot open it anew (keep the log in "
		    "a folder of its own, or rotate it with copytruncate)",
		    path);
		return;
	}
	if ((logdir = open(dir, O_PATH | O_DIRECTORY | O_CLOEXEC)) == -1)
		fatal("log %s: its folder %s", path, dir);
}

/*
 * The log file: open the one the configuration names (a reload may name
 * another), or open it anew on SIGUSR1 once logrotate has moved it away.
 */
static void
open_log(bool again)
{
	const char	*path = current->conf.log;

	if (path == NULL || (!again && strcmp(path, logpath) == 0))
		return;
	if ((logdir != -1 ? log_openat(logdir, logbase) : log_open(path)) ==
	    -1) {
		log_warn("log %s", path);
		return;
	}
	snprintf(logpath, sizeof(logpath), "%s", path);
	if (again)
		log_info("SIGUSR1: log %s reopened", path);
}

/* --watch: the configuration file and every capsule folder. */
static struct watch	*watcher;

static void
watch_update(void)
{
	const char	*paths[CONF_HOSTS_MAX + 1];
	size_t		 i, n = 0;

	if (watcher == NULL)
		return;
	if (opts.config != NULL)
		paths[n++] = opts.config;
	for (i = 0; i < current->nhosts; i++)
		paths[n++] = current->hosts[i].conf->root;
	if (watch_set(watcher, paths, n) == -1)
		log_warn("watch");
}

static void
watch_changed(void *arg)
{
	log_info("watch: files changed");
	reload_start();
}

static void
sigusr1(evutil_socket_t sig, short what, void *arg)
{
	open_log(true);
}

static void
sigterm(evutil_socket_t sig, short what, void *arg)
{
	log_info("signal %d: stopping", (int)sig);
	net_stop();
}

int
main(int argc, char **argv)
{
	struct event_base	*base;
	struct event		*ev_hup, *ev_int, *ev_term, *ev_usr1;
	const struct conf	*conf;
	struct vhost		*vh;
	SSL_CTX			*ctx;
	struct net_conf		 nc;
	sigset_t		 requests;
	char			 err[1024];
	long			 n;
	size_t			 i;
	int			 p;

	setvbuf(stderr, NULL, _IOLBF, 0);
	parse_options(argc, argv);
	log_init(opts.verbose);

	if (opts.check)
		return check();
	if (opts.export != NULL) {	/* no TLS, no network */
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
	if ((current = load(true)) == NULL)
		return 1;
	conf = &current->conf;
	if (conf->log != NULL) {
		if (log_open(conf->log) == -1)
			fatal("log %s", conf->log);
		snprintf(logpath, sizeof(logpath), "%s", conf->log);
	}
	for (i = 0; i < current->nhosts; i++) {
		vh = &current->hosts[i];
		log_info("loaded %s: %zu pages", vh->conf->root,
		    vh->site->npages);
		log_certificate(vh);
	}

	signal(SIGPIPE, SIG_IGN);
	if (evthread_use_pthreads() == -1 ||
	    (base = net_base_new()) == NULL ||
	    (reload.done = event_new(base, -1, 0, reload_done, NULL)) == NULL)
		fatalx("cannot set up the event loop");
	ctx = server_default(current)->ctx;
	SSL_CTX_up_ref(ctx);
	memset(&nc, 0, sizeof(nc));
	nc.timeout = conf->timeout;
	nc.max_conns = conf->max_conns ? conf->max_conns : fit_max_conns();
	nc.per_address = conf->per_address;
	nc.log_ip = conf->log_ip != CONF_LOG_IP_OFF;
	nc.log_ip_anon = conf->log_ip == CONF_LOG_IP_ANON;
	nc.ref = ctx_ref;
	nc.unref = ctx_unref;
	nc.workers = conf->workers ? conf->workers : ncores();
	tls_set_sni(sni_ctx, NULL);
	if (net_init(base, ctx, &nc) == -1)
		fatalx("cannot set up %d workers", nc.workers);
	set_current(current);
	for (p = 0; p < PROTO_COUNT; p++)
		for (i = 0; i < conf->nlisten[p]; i++)
			if (net_listen(conf->listen[p][i].addr,
			    conf->listen[p][i].port, protocols[p].front,
			    protocols[p].tls, opts.proxy ||
			    conf->listen[p][i].proxy, err, sizeof(err)) == -1)
				fatalx("%s: %s", protocols[p].name, err);
	if (conf->watch) {	/* before a chroot hides the paths */
		if ((watcher = watch_new(base, watch_changed, NULL)) == NULL)
			fatal("--watch");
		watch_update();
	}
	/*
	 * With --config, no chroot: reloads read the file, every capsule and
	 * every certificate, wherever they are, as the user.
	 */
	if (conf->user != NULL && opts.config != NULL)
		sandbox_become(conf->user);
	else if (conf->user != NULL) {
		if (conf->log != NULL)
			keep_log_dir(conf->log,
			    server_default(current)->conf->root);
		sandbox_root = sandbox_enter(server_default(current)->conf->root,
		    conf->user, logdir);
	} else if (geteuid() == 0)
		log_warnx("running as root; --user NAME drops root once the "
		    "ports are open");
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
	log_info("%d worker%s", nc.workers, nc.workers == 1 ? "" : "s");
	for (p = 0; p < PROTO_COUNT; p++)
		for (i = 0; i < conf->nlisten[p]; i++)
			log_info("serving %s://%s:%s/", protocols[p].name,
			    server_listen_host(current, p, i)->conf->name,
			    conf->listen[p][i].port);

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

	event_base_dispatch(base);
	sigaddset(&requests, SIGINT);
	sigaddset(&requests, SIGTERM);
	pthread_sigmask(SIG_BLOCK, &requests, NULL);

	/*
	 * Let a reload finish, and drop its result, but wait a bounded time:
	 * a reload stuck in the file system must not keep zeche from
	 * stopping (the process then exits with the thread still in it).
	 */
	if (reload.running && !reload_wait(RELOAD_STOP_WAIT)) {
		log_warnx("a reload is still running after %d s; exiting "
		    "without it", RELOAD_STOP_WAIT);
		log_stop();
		return 1;
	}
	if (reload.running) {
		pthread_join(reload.thread, NULL);
		server_unref(reload.srv);
	}
	event_free(reload.done);
	net_shutdown();
	server_unref(current);
	event_free(ev_hup);
	event_free(ev_usr1);
	watch_free(watcher);
	event_free(ev_int);
	event_free(ev_term);
	event_base_free(base);
	SSL_CTX_free(ctx);
	log_stop();		/* the last access lines included */
	return 0;
}
