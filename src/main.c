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
#include <stdarg.h>
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
#include "control.h"
#include "export.h"
#include "log.h"
#include "net.h"
#include "notify.h"
#include "protocols.h"
#include "rootfs.h"
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
	const char		*control;	/* --control PATH, or NULL */
	bool			 reload;	/* --reload */
};

static struct opts	 opts = { .log_ip = -1 };

/*
 * Inside the sandbox (--user without --config) the capsule is read
 * through this path, and reloads keep the certificates they cannot read.
 */
static const char	*sandbox_root;
static char		 logpath[PATH_MAX];	/* the log file open, or "" */
/*
 * The name the log is opened by on SIGUSR1: its path, or in the chroot
 * its path there.
 */
static char		 logname[PATH_MAX];

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
"      --control PATH      listen for reload commands on the Unix socket\n"
"                          PATH (mode 0600, given to --user)\n"
"      --reload            ask the zeche listening on --control PATH (or the\n"
"                          --config file's control) to reload, wait, and exit\n"
"                          0 if it took effect, 1 with the reason if not\n"
"      --watch             reload by itself when the configuration file or a\n"
"                          capsule changes (once changes settle for 0.5 s)\n"
"      --log FILE          write the log (messages and the access lines) to\n"
"                          FILE (a regular file, not a link, outside every\n"
"                          capsule, in a folder only its owner may write or\n"
"                          a sticky one; with --user and no --config,\n"
"                          inside the chroot) instead of\n"
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
"  -u, --user NAME         run as this user once the ports are open,\n"
"                          detached from the terminal; without --config in\n"
"                          a chroot into the capsule's parent folder; on\n"
"                          Linux read-only beneath the capsule (with\n"
"                          --config: the file's, capsules' and certificates'\n"
"                          folders; no Landlock then refuses to start), with\n"
"                          a seccomp filter; a certificate made as root is\n"
"                          the user's\n"
"  -v, --verbose           log debugging details\n"
"  -h, --help              show this help and exit\n"
"  -V, --version           show the version and exit\n"
"\n"
"Signals: SIGHUP reloads the configuration file and every capsule (a failed\n"
"reload keeps the old ones; --reload does the same and waits for it); SIGUSR1 reopens the --log file (either, sent\n"
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
		{ "control",	required_argument,	NULL, 'K' },
		{ "reload",	no_argument,		NULL, 'R' },
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
		case 'K':
			opts.control = optarg;
			break;
		case 'R':
			opts.reload = true;
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
		free((*list)[*n].public);
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
		    rootfs_is_beneath(rdir, rroot)) {
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
	if (opts.control != NULL && set_str(&conf->control, opts.control) ==
	    -1)
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
	return 0;
 bad:
	snprintf(err, errlen, "%s", errstr);
	conf_free(conf);
	return -1;
}

/* The host VH: its name and aliases, and what it serves. */
static void
log_host(const struct vhost *vh)
{
	char	 aliases[1024];
	size_t	 i, n = 0;

	aliases[0] = '\0';
	for (i = 0; i < vh->conf->naliases && n < sizeof(aliases); i++)
		n += (size_t)snprintf(aliases + n, sizeof(aliases) - n,
		    "%s%s", i == 0 ? vh->conf->naliases == 1 ? " (alias " :
		    " (aliases " : ", ", vh->conf->aliases[i]);
	if (n > 0 && n + 1 < sizeof(aliases))
		snprintf(aliases + n, sizeof(aliases) - n, ")");
	log_info("host %s%s: loaded %s: %zu pages", vh->conf->name, aliases,
	    vh->conf->root, vh->site->npages);
}

/*
 * Name both fingerprints of the host's certificate, since clients pin one
 * or the other, and say when zeche made it or made it anew.
 */
static void
log_certificate(const struct vhost *vh)
{
	const char	*name = vh->conf->name;
	char		 crt[128], spki[128], names[1024];
	size_t		 i, n;

	if (vh->crt[0] == '\0' || tls_fingerprints(vh->crt, crt, sizeof(crt),
	    spki, sizeof(spki)) == -1) {
		log_info("host %s: no certificate yet in %s; one is made at "
		    "the first start", name, vh->conf->certs);
		return;
	}
	if (vh->made != VHOST_CERT_KEPT) {
		n = (size_t)snprintf(names, sizeof(names), "%s", name);
		for (i = 0; i < vh->conf->naliases && n < sizeof(names); i++)
			n += (size_t)snprintf(names + n, sizeof(names) - n,
			    ", %s", vh->conf->aliases[i]);
		log_info("host %s: certificate %s %s for %s%s", name, vh->crt,
		    vh->made == VHOST_CERT_MADE ? "made" : "made anew", names,
		    vh->made == VHOST_CERT_RENEWED ? " (the same key)" : "");
	}
	log_info("host %s: certificate %s: certificate SHA-256 %s", name,
	    vh->crt, crt);
	log_info("host %s: certificate %s: public key (SPKI) SHA-256 %s",
	    name, vh->crt, spki);
	if (vh->note[0] != '\0')
		log_warnx("host %s: %s", name, vh->note);
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
			log_errors(err);
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
	    SERVER_CERTS_CHECK, NULL, err, sizeof(err))) == NULL ||
	    log_outside_capsules(&srv->conf, srv->conf.log, err,
	    sizeof(err)) == -1)
		goto bad;
	warn_cert_access(srv);
	return srv;
 bad:
	if (srv != NULL)
		server_unref(srv);
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
	unsigned long	 seq;		/* reloads started (control.h) */
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

	if (folder_of(path, dir, sizeof(dir)) == -1)
		fatalx("--user: %s: path too long", path);
	allow_folder(dir);
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
	const char		*paths[4 * CONF_HOSTS_MAX + 1];
	char			 dir[PATH_MAX], rdir[PATH_MAX];
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
	}
	for (i = 0; i < nallowed; i++)
		paths[i] = allowed[i];
	if (conf->log != NULL) {
		if (folder_of(conf->log, dir, sizeof(dir)) == -1 ||
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
	sandbox_confine(conf->user, paths, nallowed, fd);
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
		else if (h->cert != NULL && (folder_of(h->cert, dir,
		    sizeof(dir)) == -1 || !is_allowed(dir)))
			bad = h->cert;
		else if (h->key != NULL && (folder_of(h->key, dir,
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
	if (conf->log != NULL && strcmp(conf->log, logpath) != 0 &&
	    (folder_of(conf->log, dir, sizeof(dir)) == -1 ||
	    realpath(dir, rdir) == NULL || strcmp(rdir, allowed_log) != 0)) {
		snprintf(err, errlen, "log %s: outside the folder this server "
		    "may write (Landlock, under --user, allows only the log's "
		    "folder at the start); restart zeche to write it there",
		    conf->log);
		return -1;
	}
	return 0;
}

static void *
reload_thread(void *arg)
{
	struct conf	 conf;

	reload.srv = NULL;
	if (make_conf(&conf, reload.err, sizeof(reload.err)) == -1)
		goto done;
	if (within_confinement(&conf, reload.err, sizeof(reload.err)) == -1) {
		conf_free(&conf);
		goto done;
	}
	reload.srv = server_load(&conf, sandbox_root != NULL ?
	    SERVER_CERTS_KEEP : SERVER_CERTS_MAKE, current, reload.err,
	    sizeof(reload.err));
 done:
	atomic_store(&reload.finished, true);
	event_active(reload.done, EV_READ, 0);
	return NULL;
}

/* Reload, WHY ("SIGHUP", "control", "--watch: files changed") in the log. */
static void
reload_start(const char *why)
{
	if (reload.running) {
		reload.again = true;
		return;
	}
	log_info("%s: reloading %s", why, opts.config != NULL ? opts.config :
	    current->hosts[0].conf->root);
	clock_gettime(CLOCK_MONOTONIC, &reload.t0);
	reload.seq++;
	notify_reloading();
	reload.running = true;
	atomic_store(&reload.finished, false);
	if ((errno = pthread_create(&reload.thread, NULL, reload_thread,
	    NULL)) != 0) {
		log_warn("reload");
		/* it ends all the same, failed, for who waits for it */
		snprintf(reload.err, sizeof(reload.err), "reload: cannot "
		    "start its thread: %s", strerror(errno));
		reload.srv = NULL;
		reload.running = false;
		event_active(reload.done, EV_READ, 0);
	}
}

/* control.h: a reload asked for on the control socket. */
static unsigned long
reload_asked(void)
{
	reload_start("control");
	return reload.running && reload.again ? reload.seq + 1 : reload.seq;
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

static int	 switch_log(const struct server *, char *, size_t);
static void	 watch_update(void);

/* A reload took effect: tell systemd and the clients waiting for it. */
static void
reload_reported(size_t npages)
{
	char	 text[PATH_MAX + 128];

	notify_reloaded(true, current->nhosts, NULL);
	snprintf(text, sizeof(text), "reloaded %s: %zu hosts, %zu pages",
	    opts.config != NULL ? opts.config : current->hosts[0].conf->root,
	    current->nhosts, npages);
	control_reloaded(reload.seq, true, text);
}

/*
 * zeche --reload: the control socket --control names, or the one the
 * --config file does; ask the zeche listening there.
 */
static int
reload_client(void)
{
	struct conf	 conf;
	char		 err[1024];
	int		 rc;

	if (opts.control != NULL)
		return control_reload(opts.control);
	if (opts.config == NULL) {
		fprintf(stderr, "zeche: --reload: no control socket: give "
		    "--control PATH, or --config FILE with a control line\n");
		return 1;
	}
	if (conf_read(opts.config, &conf, err, sizeof(err)) == -1) {
		fprintf(stderr, "zeche: --reload: %s\n", err);
		return 1;
	}
	if (conf.control == NULL) {
		fprintf(stderr, "zeche: --reload: %s names no control socket "
		    "(control \"PATH\")\n", opts.config);
		rc = 1;
	} else
		rc = control_reload(conf.control);
	conf_free(&conf);
	return rc;
}

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

/* Do A and B have the same aliases? */
static bool
same_names(const struct conf_host *a, const struct conf_host *b)
{
	size_t	 i;

	if (a->naliases != b->naliases)
		return false;
	for (i = 0; i < a->naliases; i++)
		if (strcmp(a->aliases[i], b->aliases[i]) != 0)
			return false;
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
	const struct vhost	*vh, *ov;
	struct timespec		 t1;
	size_t			 i, npages = 0;

	if (reload.running)	/* not if its thread could not start */
		pthread_join(reload.thread, NULL);
	reload.running = false;
	if (reload.srv != NULL && switch_log(reload.srv, reload.err,
	    sizeof(reload.err)) == -1) {
		server_unref(reload.srv);
		reload.srv = NULL;
	}
	if (reload.srv == NULL) {
		log_errors(reload.err);
		log_warnx("reload failed; still serving the last good "
		    "capsule and configuration");
		notify_reloaded(false, 0, reload.err);
		control_reloaded(reload.seq, false, reload.err);
	} else {
		for (i = 0; i < reload.srv->nhosts; i++)
			npages += reload.srv->hosts[i].site->npages;
		if (!same_listeners(&current->conf, &reload.srv->conf))
			log_warnx("reload: the listeners in %s changed; they "
			    "take effect at the next start", opts.config);
		if (current->conf.workers != reload.srv->conf.workers)
			log_warnx("reload: the workers in %s changed; they "
			    "take effect at the next start", opts.config);
		for (i = 0; i < reload.srv->nhosts; i++) {
			vh = &reload.srv->hosts[i];
			ov = server_host(current, vh->conf->name);
			if (ov == NULL || !same_names(ov->conf, vh->conf))
				log_host(vh);
			/* a certificate read or made anew: its lines */
			if (ov == NULL || ov->ctx != vh->ctx)
				log_certificate(vh);
			else if (vh->note[0] != '\0')
				log_warnx("host %s: %s", vh->conf->name,
				    vh->note);
		}
		set_current(reload.srv);
		watch_update();
		reload.srv = NULL;
		clock_gettime(CLOCK_MONOTONIC, &t1);
		log_info("reloaded %s: %zu hosts, %zu pages in %.0f ms",
		    opts.config != NULL ? opts.config :
		    current->hosts[0].conf->root, current->nhosts, npages,
		    (double)(t1.tv_sec - reload.t0.tv_sec) * 1e3 +
		    (double)(t1.tv_nsec - reload.t0.tv_nsec) / 1e6);
		reload_reported(npages);
	}
	if (reload.again) {
		reload.again = false;
		reload_start("changes during the last reload");
	}
}

/*
 * --check: every host's capsule and, with --config, certificate, each
 * line once on stdout (the capsules' warnings and errors are logged as
 * they are found).
 */
static int
check(void)
{
	struct server		*srv;
	const struct vhost	*vh;
	char			 warnings[64], crt[128], spki[128];
	const char		*who;
	size_t			 i;
	bool			 has_crt;

	if ((srv = load(false)) == NULL)
		return 1;
	for (i = 0; i < srv->nhosts; i++) {
		vh = &srv->hosts[i];
		has_crt = vh->ctx != NULL && tls_fingerprints(vh->crt, crt,
		    sizeof(crt), spki, sizeof(spki)) == 0;
		warnings[0] = '\0';
		if (vh->site->nwarnings > 0)
			snprintf(warnings, sizeof(warnings), ", %zu warning%s",
			    vh->site->nwarnings,
			    vh->site->nwarnings == 1 ? "" : "s");
		if (opts.config == NULL)
			printf("%s: OK, %zu pages%s\n", vh->conf->root,
			    vh->site->npages, warnings);
		else if (!has_crt)
			printf("%s: OK, %zu pages%s in %s; no certificate in "
			    "%s yet: one is made at the first start\n",
			    vh->conf->name, vh->site->npages, warnings,
			    vh->conf->root, vh->conf->certs);
		else
			printf("%s: OK, %zu pages%s in %s; certificate %s "
			    "SHA-256 %s\n", vh->conf->name, vh->site->npages,
			    warnings, vh->conf->root, vh->crt, crt);
		who = opts.config != NULL ? vh->conf->name : vh->conf->root;
		if (!has_crt && opts.config == NULL)
			printf("%s: no certificate in %s yet: one is made at "
			    "the first start\n", who, vh->conf->certs);
		if (has_crt && opts.config == NULL)
			printf("%s: certificate %s: certificate SHA-256 %s\n",
			    who, vh->crt, crt);
		if (has_crt)
			printf("%s: certificate %s: public key (SPKI) SHA-256 "
			    "%s\n", who, vh->crt, spki);
		if (vh->note[0] != '\0')
			printf("%s: warning: %s\n", who, vh->note);
	}
	server_unref(srv);
	return 0;
}

static void
sighup(evutil_socket_t sig, short what, void *arg)
{
	reload_start("SIGHUP");
}

/*
 * The log for the server SRV about to be switched to, its capsules
 * loaded: the log it names (or, naming none, the one open, which stays)
 * must lie outside every one of them, and a log it names anew is opened
 * now, so that a log that cannot be opened fails the reload too.
 * Returns 0, or -1 with a message in ERR.  The one check of a reload's
 * log, right before it is switched to: on the loop, which alone knows
 * which log is open.  In the chroot the log is the one of the start,
 * checked then, which no reload can change.
 */
static int
switch_log(const struct server *srv, char *err, size_t errlen)
{
	const char	*path = srv->conf.log, *errstr;

	if (sandbox_root != NULL)
		return 0;
	if (log_outside_capsules(&srv->conf, path != NULL ? path :
	    logpath[0] != '\0' ? logpath : NULL, err, errlen) == -1)
		return -1;
	if (path == NULL || strcmp(path, logpath) == 0)
		return 0;
	if (log_open(path, &errstr) == -1) {
		snprintf(err, errlen, "log %s: %s", path, errstr);
		return -1;
	}
	snprintf(logpath, sizeof(logpath), "%s", path);
	snprintf(logname, sizeof(logname), "%s", path);
	return 0;
}

/*
 * --user without --config: the log must lie inside the folder zeche
 * chroots into (the capsule ROOT's parent, links resolved), so that it
 * can be opened anew there by its path (logname) on SIGUSR1, and the
 * process keeps no handle on anything outside its root.  A log outside
 * is refused: reopening it would need such a handle, through which a
 * confined process reaches the whole file system.  Returns the log's
 * folder, open (O_PATH) for Landlock's rule that lets files be written
 * and made there, to be closed once the rule is made; -1 when that
 * folder holds the capsule (it then stays read-only, and a rotated log
 * is not opened anew).
 */
static int
log_in_chroot(const char *path, const char *root)
{
	char		 dir[PATH_MAX], rdir[PATH_MAX], rroot[PATH_MAX];
	char		 top[PATH_MAX], *slash;
	const char	*base = strrchr(path, '/'), *in;
	int		 fd;

	base = base != NULL ? base + 1 : path;
	if (folder_of(path, dir, sizeof(dir)) == -1)
		fatalx("log %s: path too long", path);
	if (base[0] == '\0')
		fatalx("log %s: not a file name", path);
	if (realpath(dir, rdir) == NULL)
		fatal("log %s: its folder %s", path, dir);
	if (realpath(root, rroot) == NULL)
		fatal("--root %s", root);
	/* the chroot: ROOT's parent, as sandbox_enter() makes it */
	snprintf(top, sizeof(top), "%s", rroot);
	if ((slash = strrchr(top, '/')) == top)
		slash[1] = '\0';
	else if (slash != NULL)
		*slash = '\0';
	if (!rootfs_is_beneath(rdir, top))
		fatalx("log %s: outside %s, the folder zeche chroots into "
		    "with --user: keep the log beneath it (in a folder of its "
		    "own, not in the capsule), or on stderr", path, top);
	in = strcmp(top, "/") == 0 ? rdir : rdir + strlen(top);
	if (snprintf(logname, sizeof(logname), "%s/%s", in, base) >=
	    (int)sizeof(logname))
		fatalx("log %s: path too long", path);
	if (rootfs_is_beneath(rroot, rdir))
		return -1;
	if ((fd = open(rdir, O_PATH | O_DIRECTORY | O_CLOEXEC)) == -1)
		fatal("log %s: its folder %s", path, rdir);
	return fd;
}

/* SIGUSR1: open the log anew, once logrotate has moved it away. */
static void
reopen_log(void)
{
	const char	*errstr;

	if (logname[0] == '\0')
		return;
	if (log_open(logname, &errstr) == -1) {
		log_warnx("log %s: %s", logpath, errstr);
		return;
	}
	log_info("SIGUSR1: log %s reopened", logpath);
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
	reload_start("--watch: files changed");
}

static void
sigusr1(evutil_socket_t sig, short what, void *arg)
{
	reopen_log();
}

static void
sigterm(evutil_socket_t sig, short what, void *arg)
{
	log_info("signal %d: stopping", (int)sig);
	notify_stopping();
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
	const char		*errstr;
	char			 err[1024];
	long			 n;
	size_t			 i;
	int			 logdir = -1, p;

	setvbuf(stderr, NULL, _IOLBF, 0);
	parse_options(argc, argv);
	log_init(opts.verbose);

	if (opts.reload)
		return reload_client();
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
	notify_open();		/* before a chroot or Landlock hides it */
	if ((current = load(true)) == NULL)
		return 1;
	conf = &current->conf;
	/* before the log is made: a log the chroot would not hold is not */
	if (conf->user != NULL && opts.config == NULL && conf->log != NULL)
		logdir = log_in_chroot(conf->log,
		    server_default(current)->conf->root);
	if (conf->log != NULL) {
		if (log_open(conf->log, &errstr) == -1)
			fatalx("log %s: %s", conf->log, errstr);
		snprintf(logpath, sizeof(logpath), "%s", conf->log);
		if (logname[0] == '\0')
			snprintf(logname, sizeof(logname), "%s", conf->log);
		else if (logdir == -1)
			log_warnx("log %s: its folder holds the capsule, which "
			    "stays read-only: SIGUSR1 cannot open it anew (keep "
			    "the log in a folder of its own, or rotate it with "
			    "copytruncate)", conf->log);
	}
	for (i = 0; i < current->nhosts; i++) {
		vh = &current->hosts[i];
		log_host(vh);
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
	raise_fd_limit();
	nc.max_conns = conf->max_conns;		/* 0: net_start fits it */
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
	if (conf->control != NULL && control_listen(base, conf->control,
	    conf->user, reload_asked, err, sizeof(err)) == -1)
		fatalx("%s", err);
	if (conf->watch) {	/* before a chroot hides the paths */
		if ((watcher = watch_new(base, watch_changed, NULL)) == NULL)
			fatal("--watch");
		watch_update();
		log_info("watch on: a change to %s%s reloads, once changes "
		    "settle", opts.config != NULL ? opts.config : "",
		    opts.config != NULL ? " or a capsule folder" :
		    "the capsule folder");
	}
	/*
	 * With --config, no chroot: reloads read the file, every capsule and
	 * every certificate, wherever they are, as the user.
	 */
	if (conf->user != NULL && opts.config != NULL)
		confine_config(conf);
	else if (conf->user != NULL) {
		sandbox_root = sandbox_enter(server_default(current)->conf->root,
		    conf->user, logdir);
		/* Landlock's rule is made: no handle on a folder is kept */
		if (logdir != -1)
			close(logdir);
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
	notify_ready(current->nhosts);

	event_base_dispatch(base);
	control_close();
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
