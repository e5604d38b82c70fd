/*
 * options: argv into struct opts, and struct opts over the --config file
 * (or the one-host defaults) into struct conf.  Knows no server, no
 * event loop and no log; errors go back as text for main to report.
 */
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "options.h"
#include "protocols.h"

void
options_usage(FILE *fp)
{
	fprintf(fp,
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
"  -g, --gemini [ADDR:]PORT  Gemini listener (default: 1965, all addresses;\n"
"                          unix:/PATH: a Unix socket, likewise for the others)\n"
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
"      --full              with --reload: load every capsule whole, taking\n"
"                          over nothing unchanged from the last load\n"
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
"reload keeps the old ones; --reload does the same and waits for it);\n"
"SIGUSR1 reopens the --log file (either, sent during the start, waits until\n"
"zeche serves); SIGINT and SIGTERM stop the server: answers being sent get\n"
"a few seconds, connections without a request are closed at once.  Once the\n"
"last connection is gone, these signals are ignored.\n");
}

/* Long options of their own, then one per row of the protocol table. */
#define OPT_PROTO	0x100

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
	{ "full",	no_argument,		NULL, 'F' },
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
#define NFIXED	(sizeof(fixed) / sizeof(fixed[0]))

/*
 * The long options: the fixed ones, then --gemini, --gopher, ... from
 * the protocol table, into LONGOPTS; the short ones into SHORTS.
 */
static void
options_table(struct option *longopts, char *shorts)
{
	const struct protocol	*pr;
	size_t			 len;
	int			 i;

	memcpy(longopts, fixed, sizeof(fixed));
	for (i = 0; i < PROTO_COUNT; i++) {
		pr = &protocols[i];
		longopts[NFIXED + i].name = pr->name;
		longopts[NFIXED + i].has_arg = required_argument;
		longopts[NFIXED + i].val = pr->short_opt ? pr->short_opt :
		    OPT_PROTO + i;
		if (pr->short_opt) {
			len = strlen(shorts);
			shorts[len] = (char)pr->short_opt;
			shorts[len + 1] = ':';
			shorts[len + 2] = '\0';
		}
	}
}

/* ARG as a whole number from MIN to MAX into *N; -1 if it is not one. */
static int
number(const char *arg, long min, long max, int *n)
{
	char	*end;
	long	 v;

	v = strtol(arg, &end, 10);
	if (arg[0] == '\0' || *end != '\0' || v < min || v > max)
		return -1;
	*n = (int)v;
	return 0;
}

/* One option CH with its ARG into O; OPTIONS_OK or what ends the parse. */
static enum options_result
option(int ch, const char *arg, struct opts *o, char *err, size_t errlen)
{
	enum conf_log_ip	 lip;

	switch (ch) {
	case 'f':
		o->config = arg;
		break;
	case 'r':
		o->root = arg;
		break;
	case 'c':
		o->certs = arg;
		break;
	case 'H':
		o->host = arg;
		break;
	case 'L':
		o->lang = arg;
		break;
	case 'n':
		o->check = true;
		break;
	case 'I':
		if (arg == NULL)
			o->log_ip = CONF_LOG_IP_FULL;
		else if (conf_parse_log_ip(arg, &lip) == -1)
			goto bad_log_ip;
		else
			o->log_ip = (int)lip;
		break;
	case 'l':
		o->log = arg;
		break;
	case 'P':
		o->proxy = true;
		break;
	case 'W':
		o->watch = true;
		break;
	case 'K':
		o->control = arg;
		break;
	case 'R':
		o->reload = true;
		break;
	case 'F':
		o->full = true;
		break;
	case 'u':
		o->user = arg;
		break;
	case 'X':
		o->export = arg;
		break;
	case 't':
		if (number(arg, 1, 3600, &o->timeout) == -1)
			goto bad_timeout;
		break;
	case 'm':
		if (number(arg, 1, 1000000, &o->max_conns) == -1)
			goto bad_max_conns;
		break;
	case 'A':
		if (number(arg, 1, 1000000, &o->per_address) == -1)
			goto bad_per_address;
		break;
	case 'w':
		if (number(arg, 1, CONF_WORKERS_MAX, &o->workers) == -1)
			goto bad_workers;
		break;
	case 'v':
		o->verbose = true;
		break;
	case 'h':
		return OPTIONS_HELP;
	case 'V':
		return OPTIONS_VERSION;
	default:
		return OPTIONS_USAGE;
	}
	return OPTIONS_OK;
 bad_log_ip:
	snprintf(err, errlen, "--log-ip=%s: off, anon or full", arg);
	return OPTIONS_BAD;
 bad_timeout:
	snprintf(err, errlen, "--timeout %s: seconds from 1 to 3600", arg);
	return OPTIONS_BAD;
 bad_max_conns:
	snprintf(err, errlen, "--max-conns %s: a number from 1 to 1000000",
	    arg);
	return OPTIONS_BAD;
 bad_per_address:
	snprintf(err, errlen, "--per-address %s: a number from 1 to 1000000",
	    arg);
	return OPTIONS_BAD;
 bad_workers:
	snprintf(err, errlen, "--workers %s: a number from 1 to %d", arg,
	    CONF_WORKERS_MAX);
	return OPTIONS_BAD;
}

enum options_result
options_parse(int argc, char **argv, struct opts *o, char *err,
    size_t errlen)
{
	struct option		 longopts[NFIXED + PROTO_COUNT + 1];
	struct conf_listen	 la;
	enum options_result	 r;
	const char		*errstr;
	char			 shorts[64] = "f:r:c:H:L:nt:m:w:u:vhV";
	int			 ch, i;

	memset(o, 0, sizeof(*o));
	o->log_ip = -1;
	memset(longopts, 0, sizeof(longopts));
	options_table(longopts, shorts);
	optind = 0;		/* glibc: start afresh */
	while ((ch = getopt_long(argc, argv, shorts, longopts, NULL)) != -1) {
		for (i = 0; i < PROTO_COUNT; i++)
			if (ch == longopts[NFIXED + i].val)
				break;
		if (i < PROTO_COUNT) {
			if (conf_parse_listen(optarg, &la, &errstr) == -1) {
				snprintf(err, errlen, "--%s %s: %s",
				    protocols[i].name, optarg, errstr);
				return OPTIONS_BAD;
			}
			free(la.addr);
			free(la.port);
			free(la.path);
			o->listen[i] = optarg;
			continue;
		}
		if ((r = option(ch, optarg, o, err, errlen)) != OPTIONS_OK)
			return r;
	}
	if (optind != argc)
		return OPTIONS_USAGE;
	return OPTIONS_OK;
}

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

/* Replace the listeners of protocol P in CONF by SPEC alone. */
static int
set_listen(struct conf *conf, int p, const char *spec, const char **errstr)
{
	struct conf_listen	*l, **list = &conf->listen[p];
	size_t			*n = &conf->nlisten[p];

	if ((l = calloc(1, sizeof(*l))) == NULL) {
		*errstr = "out of memory";
		return -1;
	}
	if (conf_parse_listen(spec, l, errstr) == -1) {
		free(l);
		return -1;
	}
	if (conf_listen_port(l, p) == -1) {
		free(l->path);
		free(l);
		*errstr = "out of memory";
		return -1;
	}
	while (*n > 0) {
		(*n)--;
		free((*list)[*n].addr);
		free((*list)[*n].port);
		free((*list)[*n].host);
		free((*list)[*n].public);
		free((*list)[*n].path);
		free((*list)[*n].owner);
		free((*list)[*n].group);
	}
	free(*list);
	*list = l;
	*n = 1;
	return 0;
}

/*
 * The configuration: the file (--config) or one host made of the
 * defaults, with the options on top.  Runs again on every reload, in the
 * reload thread.
 */
int
options_conf(const struct opts *opts, const struct options_env *env,
    struct conf *conf, char *err, size_t errlen)
{
	struct conf_host	*h;
	const struct protocol	*pr;
	const char		*errstr = "out of memory";
	char			*name = NULL;
	int			 p;

	if (opts->config != NULL) {
		if (conf_read(opts->config, conf, err, errlen) == -1)
			return -1;
		pr = &protocols[PROTO_GEMINI];
		if (conf->nlisten[PROTO_GEMINI] == 0 &&
		    set_listen(conf, PROTO_GEMINI, env->as_root ?
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
			if (pr->port != NULL && set_listen(conf, p,
			    env->as_root ?
			    pr->root_port : pr->port, &errstr) == -1)
				goto bad;
		}
	}
	h = &conf->hosts[0];		/* the options set the default host */
	if (opts->host != NULL) {
		if ((name = strdup(opts->host)) == NULL)
			goto bad;
		if (conf_host_normalise(name) == -1) {
			snprintf(err, errlen, "--host %s: not a host name",
			    opts->host);
			free(name);
			conf_free(conf);
			return -1;
		}
		free(h->name);
		h->name = name;
	}
	if ((env->root != NULL && set_str(&h->root, env->root) == -1) ||
	    (env->root == NULL && opts->root != NULL &&
	    set_str(&h->root, opts->root) == -1) ||
	    (opts->lang != NULL && set_str(&h->lang, opts->lang) == -1))
		goto bad;
	if (opts->certs != NULL) {
		if (set_str(&h->certs, opts->certs) == -1)
			goto bad;
		free(h->cert);
		free(h->key);
		h->cert = h->key = NULL;
	}
	for (p = 0; p < PROTO_COUNT; p++)
		if (opts->listen[p] != NULL && set_listen(conf, p,
		    opts->listen[p], &errstr) == -1)
			goto bad;
	if (opts->user != NULL && set_str(&conf->user, opts->user) == -1)
		goto bad;
	if (opts->log != NULL && set_str(&conf->log, opts->log) == -1)
		goto bad;
	if (opts->control != NULL &&
	    set_str(&conf->control, opts->control) == -1)
		goto bad;
	if (opts->timeout != 0)
		conf->timeout = opts->timeout;
	if (opts->max_conns != 0)
		conf->max_conns = opts->max_conns;
	if (opts->per_address != 0)
		conf->per_address = opts->per_address;
	if (opts->workers != 0)
		conf->workers = opts->workers;
	if (conf->timeout == 0)
		conf->timeout = NET_READ_TIMEOUT;
	if (opts->watch)
		conf->watch = true;
	if (opts->log_ip != -1)
		conf->log_ip = (enum conf_log_ip)opts->log_ip;
	return 0;
 bad:
	snprintf(err, errlen, "%s", errstr);
	conf_free(conf);
	return -1;
}
