/*
 * test_options: the command line (src/options.c): what it parses, the
 * defaults of a configuration of one host, and the merge over a --config
 * file, where an option given wins over the file.
 */
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "config.h"
#include "net.h"
#include "options.h"
#include "tmptree.h"

static char	 err[512];

/* Parse the NULL-ended words after "zeche" into O. */
static enum options_result
parse(struct opts *o, ...)
{
	char		*argv[32];
	const char	*w;
	va_list		 ap;
	int		 argc = 0;

	argv[argc++] = (char *)"zeche";
	va_start(ap, o);
	while ((w = va_arg(ap, const char *)) != NULL && argc < 31)
		argv[argc++] = (char *)w;
	va_end(ap);
	argv[argc] = NULL;
	err[0] = '\0';
	return options_parse(argc, argv, o, err, sizeof(err));
}

/* The configuration O makes, as root or not; -1 with the error in err. */
static int
merge(const struct opts *o, bool as_root, struct conf *conf)
{
	struct options_env	 env = { NULL, as_root };

	err[0] = '\0';
	return options_conf(o, &env, conf, err, sizeof(err));
}

static void
test_parse_values(void)
{
	struct opts	 o;

	CHECK(parse(&o, "-r", "cap", "--certs", "crt", "-H", "example.org",
	    "--gopher", "127.0.0.1:7071", "--spartan", "3000", "-t", "30",
	    "--log-ip=anon", "--watch", "-w", "2", NULL) == OPTIONS_OK);
	CHECK_STR(o.root, "cap");
	CHECK_STR(o.certs, "crt");
	CHECK_STR(o.host, "example.org");
	CHECK_STR(o.listen[PROTO_GOPHER], "127.0.0.1:7071");
	CHECK_STR(o.listen[PROTO_SPARTAN], "3000");
	CHECK(o.listen[PROTO_GEMINI] == NULL);
	CHECK(o.timeout == 30);
	CHECK(o.log_ip == CONF_LOG_IP_ANON);
	CHECK(o.watch);
	CHECK(o.workers == 2);
	CHECK(o.config == NULL && o.max_conns == 0 && !o.check);

	/* a second parse starts afresh: nothing carried over */
	CHECK(parse(&o, "--log-ip", NULL) == OPTIONS_OK);
	CHECK(o.log_ip == CONF_LOG_IP_FULL);
	CHECK(o.root == NULL && o.timeout == 0 && !o.watch);
	CHECK(parse(&o, NULL) == OPTIONS_OK);
	CHECK(o.log_ip == -1);
}

static void
test_parse_errors(void)
{
	struct opts	 o;

	CHECK(parse(&o, "--timeout", "0", NULL) == OPTIONS_BAD);
	CHECK_STR(err, "--timeout 0: seconds from 1 to 3600");
	CHECK(parse(&o, "-t", "3601", NULL) == OPTIONS_BAD);
	CHECK(parse(&o, "-t", "10s", NULL) == OPTIONS_BAD);
	CHECK(parse(&o, "--max-conns", "", NULL) == OPTIONS_BAD);
	CHECK_STR(err, "--max-conns : a number from 1 to 1000000");
	CHECK(parse(&o, "--per-address", "1000001", NULL) == OPTIONS_BAD);
	CHECK_STR(err, "--per-address 1000001: a number from 1 to 1000000");
	CHECK(parse(&o, "--workers", "0", NULL) == OPTIONS_BAD);
	CHECK_STR(err, "--workers 0: a number from 1 to 1024");
	CHECK(parse(&o, "--log-ip=some", NULL) == OPTIONS_BAD);
	CHECK_STR(err, "--log-ip=some: off, anon or full");
	CHECK(parse(&o, "--gemini", "1965x", NULL) == OPTIONS_BAD);
	CHECK(strncmp(err, "--gemini 1965x: ", 16) == 0);
	/* getopt's own complaints go to stderr; the caller prints usage */
	fprintf(stderr, "(two usage complaints from getopt follow)\n");
	CHECK(parse(&o, "--no-such-option", NULL) == OPTIONS_USAGE);
	CHECK(parse(&o, "-t", NULL) == OPTIONS_USAGE);
	CHECK(parse(&o, "an-operand", NULL) == OPTIONS_USAGE);
	CHECK(parse(&o, "-h", NULL) == OPTIONS_HELP);
	CHECK(parse(&o, "--version", NULL) == OPTIONS_VERSION);
}

static void
test_defaults(void)
{
	struct opts	 o;
	struct conf	 conf;

	CHECK(parse(&o, NULL) == OPTIONS_OK);
	CHECK(merge(&o, false, &conf) == 0);
	CHECK(conf.nhosts == 1);
	CHECK_STR(conf.hosts[0].name, "localhost");
	CHECK_STR(conf.hosts[0].root, "capsule");
	CHECK_STR(conf.hosts[0].certs, "certs");
	CHECK(conf.hosts[0].gopher && conf.hosts[0].listing &&
	    conf.hosts[0].posts);
	CHECK(conf.nlisten[PROTO_GEMINI] == 1 &&
	    conf.nlisten[PROTO_GOPHER] == 1);
	CHECK(conf.nlisten[PROTO_SPARTAN] == 0);
	CHECK_STR(conf.listen[PROTO_GEMINI][0].port, "1965");
	CHECK_STR(conf.listen[PROTO_GOPHER][0].port, "7070");
	CHECK(conf.listen[PROTO_GOPHER][0].addr == NULL);
	CHECK(conf.timeout == NET_READ_TIMEOUT);
	CHECK(conf.user == NULL && conf.log == NULL && !conf.watch);
	CHECK(conf.log_ip == CONF_LOG_IP_OFF);
	conf_free(&conf);

	/* as root, Gopher gets its own port */
	CHECK(merge(&o, true, &conf) == 0);
	CHECK_STR(conf.listen[PROTO_GOPHER][0].port, "70");
	conf_free(&conf);
}

static void
test_options_over_defaults(void)
{
	struct opts		 o;
	struct conf		 conf;
	struct options_env	 env = { "/capsule", false };

	CHECK(parse(&o, "-r", "mine", "-H", "Example.ORG.", "-L", "de",
	    "-g", "[::1]:1966", "--spartan", "300", "-u", "nobody",
	    "--log", "/var/log/zeche.log", "--control", "/run/z.sock",
	    "-m", "100", "--per-address", "4", "--log-ip", NULL) ==
	    OPTIONS_OK);
	CHECK(merge(&o, false, &conf) == 0);
	CHECK_STR(conf.hosts[0].root, "mine");
	CHECK_STR(conf.hosts[0].name, "example.org");
	CHECK_STR(conf.hosts[0].lang, "de");
	CHECK(conf.nlisten[PROTO_GEMINI] == 1);
	CHECK_STR(conf.listen[PROTO_GEMINI][0].addr, "::1");
	CHECK_STR(conf.listen[PROTO_GEMINI][0].port, "1966");
	CHECK_STR(conf.listen[PROTO_SPARTAN][0].port, "300");
	CHECK_STR(conf.listen[PROTO_GOPHER][0].port, "7070");
	CHECK_STR(conf.user, "nobody");
	CHECK_STR(conf.log, "/var/log/zeche.log");
	CHECK_STR(conf.control, "/run/z.sock");
	CHECK(conf.max_conns == 100 && conf.per_address == 4);
	CHECK(conf.log_ip == CONF_LOG_IP_FULL);
	conf_free(&conf);

	/* in the chroot the capsule's path there wins over --root */
	CHECK(options_conf(&o, &env, &conf, err, sizeof(err)) == 0);
	CHECK_STR(conf.hosts[0].root, "/capsule");
	conf_free(&conf);
}

static void
test_options_over_file(void)
{
	struct opts	 o;
	struct conf	 conf;
	char		 path[128], want[192];

	tmptree_new();
	tmptree_mkdir("cap1");
	tmptree_put("zeche.conf",
	    "gopher 7071\n"
	    "timeout 20\n"
	    "workers 3\n"
	    "log \"/var/log/file.log\"\n"
	    "host \"one.example\" {\n"
	    "\troot \"cap1\"\n"
	    "\tcert \"/etc/one.crt\"\n"
	    "\tkey \"/etc/one.key\"\n"
	    "\tlang \"fr\"\n"
	    "}\n"
	    "host \"two.example\" {\n"
	    "\troot \"cap2\"\n"
	    "\tcerts \"certs\"\n"
	    "}\n");
	snprintf(path, sizeof(path), "%s/zeche.conf", tmptree);

	/* the file alone: its values, and a Gemini listener by default */
	CHECK(parse(&o, "-f", path, NULL) == OPTIONS_OK);
	if (merge(&o, false, &conf) == -1) {
		CHECK_STR(err, "(no error)");
		tmptree_rm();
		return;
	}
	CHECK(conf.nhosts == 2);
	CHECK_STR(conf.hosts[0].name, "one.example");
	snprintf(want, sizeof(want), "%s/cap1", tmptree);
	CHECK_STR(conf.hosts[0].root, want);
	CHECK_STR(conf.hosts[0].lang, "fr");
	CHECK_STR(conf.hosts[0].cert, "/etc/one.crt");
	CHECK(conf.timeout == 20 && conf.workers == 3);
	CHECK_STR(conf.listen[PROTO_GOPHER][0].port, "7071");
	CHECK(conf.nlisten[PROTO_GEMINI] == 1);
	CHECK_STR(conf.listen[PROTO_GEMINI][0].port, "1965");
	CHECK(conf.nlisten[PROTO_SPARTAN] == 0);
	CHECK_STR(conf.log, "/var/log/file.log");
	conf_free(&conf);

	/* an option given wins over the file, for the first host only */
	CHECK(parse(&o, "-f", path, "-r", "other", "-H", "three.example",
	    "-L", "de", "-c", "/etc/certs", "-G", "7072", "-t", "5",
	    "-w", "1", "--log", "/tmp/opt.log", "--watch", NULL) ==
	    OPTIONS_OK);
	if (merge(&o, true, &conf) == -1) {
		CHECK_STR(err, "(no error)");
		tmptree_rm();
		return;
	}
	CHECK_STR(conf.hosts[0].name, "three.example");
	CHECK_STR(conf.hosts[0].root, "other");
	CHECK_STR(conf.hosts[0].lang, "de");
	CHECK_STR(conf.hosts[0].certs, "/etc/certs");
	CHECK(conf.hosts[0].cert == NULL && conf.hosts[0].key == NULL);
	CHECK_STR(conf.hosts[1].name, "two.example");
	snprintf(want, sizeof(want), "%s/cap2", tmptree);
	CHECK_STR(conf.hosts[1].root, want);
	CHECK(conf.nlisten[PROTO_GOPHER] == 1);
	CHECK_STR(conf.listen[PROTO_GOPHER][0].port, "7072");
	CHECK(conf.timeout == 5 && conf.workers == 1 && conf.watch);
	CHECK_STR(conf.log, "/tmp/opt.log");
	conf_free(&conf);

	/* errors: a bad --host, a file with an error, a file missing */
	CHECK(parse(&o, "-f", path, "-H", "bad host", NULL) == OPTIONS_OK);
	CHECK(merge(&o, false, &conf) == -1);
	CHECK_STR(err, "--host bad host: not a host name");
	tmptree_put("bad.conf", "timeout 0\n");
	snprintf(path, sizeof(path), "%s/bad.conf", tmptree);
	CHECK(parse(&o, "-f", path, NULL) == OPTIONS_OK);
	CHECK(merge(&o, false, &conf) == -1);
	CHECK(strncmp(err, path, strlen(path)) == 0);
	snprintf(path, sizeof(path), "%s/missing.conf", tmptree);
	CHECK(parse(&o, "-f", path, NULL) == OPTIONS_OK);
	CHECK(merge(&o, false, &conf) == -1);
	CHECK(strstr(err, "missing.conf") != NULL);
	tmptree_rm();
}

int
main(void)
{
	test_parse_values();
	test_parse_errors();
	test_defaults();
	test_options_over_defaults();
	test_options_over_file();
	CHECK_DONE();
}
