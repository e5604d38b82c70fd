#include <ctype.h>
#include <errno.h>
#include <getopt.h>
#include <grp.h>
#include <pthread.h>
#include <pwd.h>
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
#include "export.h"
#include "log.h"
#include "net.h"
#include "protocols.h"
#include "sandbox.h"
#include "site.h"
#include "tls.h"

struct listen_addr {
	char	 spec[300];	/* a copy of the option; the fields point in */
	char	*addr;		/* NULL: every address */
	char	*port;
};

struct conf {
	const char		*root;
	const char		*certs;
	const char		*host;
	char			 hostbuf[256];
	struct listen_addr	 listen[PROTO_COUNT];	/* port NULL: off */
	bool			 check;
	const char		*export;	/* --export DIR, or NULL */
	bool			 verbose;
	bool			 log_ip;
	int			 timeout;
	const char		*user;		/* --user NAME, or NULL */
};

static struct conf	 conf;
static struct site_opts	 site_opts;

static void __attribute__((noreturn))
usage(int status)
{
	fprintf(status ? stderr : stdout,
"usage: zeche [options]\n"
"Serve the capsule in --root over Gemini (TLS) and Gopher.\n"
"\n"
"  -r, --root DIR          the capsule folder (default: capsule)\n"
"  -c, --certs DIR         TLS certificate and key folder (default: certs);\n"
"                          a self-signed one is made there if missing\n"
"  -H, --host NAME         the host name served (default: localhost)\n"
"  -g, --gemini [ADDR:]PORT  Gemini listener (default: 1965, all addresses)\n"
"  -G, --gopher [ADDR:]PORT  Gopher listener (default: 70 as root, else 7070)\n"
"  -n, --check             load the capsule, report every error and warning,\n"
"                          exit 1 only on errors\n"
"      --log-ip            write client addresses to the access log\n"
"      --export DIR        write the site as files for a static Gemini server\n"
"                          (DIR/gemini) and Gophernicus (DIR/gopher), exit\n"
"  -t, --timeout SECONDS   time a client has to send its request (default: 10)\n"
"  -u, --user NAME         run as this user once the ports are open, in a\n"
"                          chroot into the capsule's parent folder and, on\n"
"                          Linux, read-only beneath the capsule (Landlock)\n"
"                          with a seccomp filter\n"
"  -v, --verbose           log debugging details\n"
"  -h, --help              show this help and exit\n"
"  -V, --version           show the version and exit\n"
"\n"
"Signals: SIGHUP reloads the capsule (a failed reload keeps the old one);\n"
"SIGINT and SIGTERM stop the server.\n");
	exit(status);
}

/* [ADDR:]PORT, ADDR may be "*" or an IPv6 address in brackets. */
static void
parse_listen(const char *opt, const char *arg, struct listen_addr *la)
{
	char		*s = la->spec, *colon, *end;
	long		 port;

	if (snprintf(la->spec, sizeof(la->spec), "%s", arg) >=
	    (int)sizeof(la->spec))
		fatalx("%s %s: too long", opt, arg);
	if ((colon = strrchr(s, ':')) != NULL &&
	    (s[0] != '[' || colon > strchr(s, ']'))) {
		*colon = '\0';
		la->port = colon + 1;
		la->addr = s;
		if (s[0] == '[') {
			la->addr = s + 1;
			if ((end = strchr(la->addr, ']')) != NULL)
				*end = '\0';
		}
		if (strcmp(la->addr, "*") == 0 || la->addr[0] == '\0')
			la->addr = NULL;
	} else {
		la->port = s;
		la->addr = NULL;
	}
	errno = 0;
	port = strtol(la->port, &end, 10);
	if (la->port[0] == '\0' || *end != '\0' || port < 1 || port > 65535)
		fatalx("%s %s: the port must be a number from 1 to 65535",
		    opt, arg);
}

/* Long options of their own, then one per row of the protocol table. */
#define OPT_PROTO	0x100

static void
parse_options(int argc, char **argv)
{
	static const struct option	 fixed[] = {
		{ "root",	required_argument,	NULL, 'r' },
		{ "certs",	required_argument,	NULL, 'c' },
		{ "host",	required_argument,	NULL, 'H' },
		{ "check",	no_argument,		NULL, 'n' },
		{ "log-ip",	no_argument,		NULL, 'I' },
		{ "export",	required_argument,	NULL, 'X' },
		{ "timeout",	required_argument,	NULL, 't' },
		{ "user",	required_argument,	NULL, 'u' },
		{ "verbose",	no_argument,		NULL, 'v' },
		{ "help",	no_argument,		NULL, 'h' },
		{ "version",	no_argument,		NULL, 'V' },
	};
	struct option	 opts[sizeof(fixed) / sizeof(fixed[0]) + PROTO_COUNT + 1];
	const struct protocol	*pr;
	char		 shorts[64] = "r:c:H:nt:u:vhV", optname[32];
	char		*end, *p;
	size_t		 nfixed = sizeof(fixed) / sizeof(fixed[0]), len;
	long		 n;
	int		 ch, i;

	memset(opts, 0, sizeof(opts));
	memcpy(opts, fixed, sizeof(fixed));
	conf.root = "capsule";
	conf.timeout = NET_READ_TIMEOUT;
	conf.certs = "certs";
	conf.host = "localhost";
	for (i = 0; i < PROTO_COUNT; i++) {
		pr = &protocols[i];
		opts[nfixed + i].name = pr->name;
		opts[nfixed + i].has_arg = required_argument;
		opts[nfixed + i].val = pr->short_opt ? pr->short_opt :
		    OPT_PROTO + i;
		if (pr->short_opt) {
			len = strlen(shorts);
			shorts[len] = (char)pr->short_opt;
			shorts[len + 1] = ':';
			shorts[len + 2] = '\0';
		}
		snprintf(optname, sizeof(optname), "--%s", pr->name);
		if (pr->port != NULL)
			parse_listen(optname, geteuid() == 0 ? pr->root_port :
			    pr->port, &conf.listen[i]);
	}
	while ((ch = getopt_long(argc, argv, shorts, opts, NULL)) != -1) {
		for (i = 0; i < PROTO_COUNT; i++)
			if (ch == opts[nfixed + i].val)
				break;
		if (i < PROTO_COUNT) {
			snprintf(optname, sizeof(optname), "--%s",
			    protocols[i].name);
			parse_listen(optname, optarg, &conf.listen[i]);
			continue;
		}
		switch (ch) {
		case 'r':
			conf.root = optarg;
			break;
		case 'c':
			conf.certs = optarg;
			break;
		case 'H':
			conf.host = optarg;
			break;
		case 'n':
			conf.check = true;
			break;
		case 'I':
			conf.log_ip = true;
			break;
		case 'u':
			conf.user = optarg;
			break;
		case 'X':
			conf.export = optarg;
			break;
		case 't':
			n = strtol(optarg, &end, 10);
			if (optarg[0] == '\0' || *end != '\0' || n < 1 ||
			    n > 3600)
				fatalx("--timeout %s: seconds from 1 to 3600",
				    optarg);
			conf.timeout = (int)n;
			break;
		case 'v':
			conf.verbose = true;
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
	if (conf.host[0] == '\0' || strpbrk(conf.host, "/\t\r\n ") != NULL)
		fatalx("--host %s: not a host name", conf.host);
	/* requests are compared in lower case, without a trailing dot */
	if (snprintf(conf.hostbuf, sizeof(conf.hostbuf), "%s", conf.host) >=
	    (int)sizeof(conf.hostbuf))
		fatalx("--host %s: too long", conf.host);
	for (p = conf.hostbuf; *p != '\0'; p++)
		*p = (char)tolower((unsigned char)*p);
	if (p - conf.hostbuf > 1 && p[-1] == '.')
		p[-1] = '\0';
	conf.host = conf.hostbuf;
}

/*
 * Name both fingerprints of the certificate, since clients pin one or the
 * other; --check does this too, without making a certificate.
 */
static void
log_certificate(void)
{
	char	 path[1024], crt[128], spki[128];

	snprintf(path, sizeof(path), "%s/%s.crt", conf.certs, conf.host);
	if (tls_fingerprints(path, crt, sizeof(crt), spki, sizeof(spki)) ==
	    -1) {
		log_info("certificate %s: none yet; one is made at the first "
		    "start", path);
		return;
	}
	log_info("certificate %s: certificate SHA-256 %s", path, crt);
	log_info("certificate %s: public key (SPKI) SHA-256 %s", path, spki);
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

static struct site *
load(void)
{
	struct site	*s;
	char		 err[8192];
	size_t		 n;

	if ((s = capsule_load(conf.root, &site_opts, err, sizeof(err))) ==
	    NULL) {
		n = log_errors(err);
		if (conf.check)
			printf("%s: %zu error%s, not served\n", conf.root, n,
			    n == 1 ? "" : "s");
	}
	return s;
}

/*
 * Reloads run in a thread of their own, so that the loop goes on serving
 * the old site while the new one is read, sorted and rendered (a third of
 * a second for 100,000 partners).  The thread touches nothing but what
 * capsule_load() builds; reload_done() takes the result on the loop.
 */
#define RELOAD_STOP_WAIT	5	/* seconds a stop waits for a reload */

struct reload {
	pthread_t	 thread;
	bool		 running;
	bool		 again;		/* another SIGHUP came meanwhile */
	struct site	*site;		/* the thread's result, or NULL */
	char		 err[8192];
	struct timespec	 t0;
	struct event	*done;		/* made active by the thread */
	atomic_bool	 finished;	/* the thread is about to return */
};

static struct reload	 reload;

static void *
reload_thread(void *arg)
{
	reload.site = capsule_load(conf.root, &site_opts, reload.err,
	    sizeof(reload.err));
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
	log_info("SIGHUP: reloading %s", conf.root);
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

static void
reload_done(evutil_socket_t fd, short what, void *arg)
{
	struct timespec	 t1;
	size_t		 npages;

	pthread_join(reload.thread, NULL);
	reload.running = false;
	if (reload.site == NULL) {
		log_errors(reload.err);
		log_warnx("reload failed; still serving the last good capsule");
	} else {
		npages = reload.site->npages;
		net_set_site(reload.site);
		site_unref(reload.site);
		reload.site = NULL;
		clock_gettime(CLOCK_MONOTONIC, &t1);
		log_info("reloaded %s: %zu pages in %.0f ms", conf.root,
		    npages, (double)(t1.tv_sec - reload.t0.tv_sec) * 1e3 +
		    (double)(t1.tv_nsec - reload.t0.tv_nsec) / 1e6);
	}
	if (reload.again) {
		reload.again = false;
		reload_start();
	}
}

static void
sighup(evutil_socket_t sig, short what, void *arg)
{
	reload_start();
}

static void
sigterm(evutil_socket_t sig, short what, void *arg)
{
	log_info("signal %d: stopping", (int)sig);
	event_base_loopbreak(arg);
}

int
main(int argc, char **argv)
{
	struct event_base	*base;
	struct event		*ev_hup, *ev_int, *ev_term;
	struct site		*s;
	SSL_CTX			*ctx;
	char			 err[1024], fp[128];
	long			 n;
	int			 i;

	setvbuf(stderr, NULL, _IOLBF, 0);
	parse_options(argc, argv);
	log_init(conf.verbose);
	site_opts.host = conf.host;
	for (i = 0; i < PROTO_COUNT; i++)
		site_opts.port[i] = conf.listen[i].port;

	if ((s = load()) == NULL)
		return 1;
	if (conf.check) {
		log_certificate();
		printf("%s: OK, %zu pages", conf.root, s->npages);
		if (s->nwarnings > 0)
			printf(", %zu warning%s", s->nwarnings,
			    s->nwarnings == 1 ? "" : "s");
		printf("\n");
		site_unref(s);
		return 0;
	}
	if (conf.export != NULL) {	/* no TLS, no network */
		n = export_site(s, conf.export, conf.root, err, sizeof(err));
		site_unref(s);
		if (n == -1) {
			log_warnx("export failed: %s", err);
			return 1;
		}
		printf("%s: exported %ld pages to %s/gemini and %s/gopher\n",
		    conf.root, n, conf.export, conf.export);
		return 0;
	}
	log_info("loaded %s: %zu pages", conf.root, s->npages);

	if ((ctx = tls_init(conf.certs, conf.host, fp, sizeof(fp), err,
	    sizeof(err))) == NULL)
		fatalx("%s", err);
	log_certificate();

	signal(SIGPIPE, SIG_IGN);
	if (evthread_use_pthreads() == -1 ||
	    (base = event_base_new()) == NULL ||
	    (reload.done = event_new(base, -1, 0, reload_done, NULL)) == NULL)
		fatalx("cannot set up the event loop");
	net_init(base, ctx, conf.log_ip, conf.timeout);
	net_set_site(s);
	site_unref(s);
	for (i = 0; i < PROTO_COUNT; i++)
		if (conf.listen[i].port != NULL &&
		    net_listen(conf.listen[i].addr, conf.listen[i].port,
		    protocols[i].front, protocols[i].tls, err,
		    sizeof(err)) == -1)
			fatalx("%s: %s", protocols[i].name, err);
	if (conf.user != NULL)
		conf.root = sandbox_enter(conf.root, conf.user);
	else if (geteuid() == 0)
		log_warnx("running as root; --user NAME drops root once the "
		    "ports are open");
	for (i = 0; i < PROTO_COUNT; i++)
		if (conf.listen[i].port != NULL)
			log_info("serving %s://%s:%s/", protocols[i].name,
			    conf.host, conf.listen[i].port);

	ev_hup = evsignal_new(base, SIGHUP, sighup, NULL);
	ev_int = evsignal_new(base, SIGINT, sigterm, base);
	ev_term = evsignal_new(base, SIGTERM, sigterm, base);
	if (ev_hup == NULL || ev_int == NULL || ev_term == NULL ||
	    evsignal_add(ev_hup, NULL) == -1 ||
	    evsignal_add(ev_int, NULL) == -1 ||
	    evsignal_add(ev_term, NULL) == -1)
		fatalx("cannot install signal handlers");

	event_base_dispatch(base);

	/*
	 * Let a reload finish, and drop its site, but wait a bounded time:
	 * a reload stuck in the file system must not keep zeche from
	 * stopping (the process then exits with the thread still in it).
	 */
	if (reload.running && !reload_wait(RELOAD_STOP_WAIT)) {
		log_warnx("a reload is still running after %d s; exiting "
		    "without it", RELOAD_STOP_WAIT);
		return 1;
	}
	if (reload.running) {
		pthread_join(reload.thread, NULL);
		site_unref(reload.site);
	}
	event_free(reload.done);
	net_shutdown();
	event_free(ev_hup);
	event_free(ev_int);
	event_free(ev_term);
	event_base_free(base);
	SSL_CTX_free(ctx);
	return 0;
}
