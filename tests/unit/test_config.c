/*
 * test_config: the configuration file parser (src/config.c): every
 * directive, and every kind of error with its line and column.
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "config.h"

static char	 err[512];

static int
parse(const char *text, struct conf *conf)
{
	return conf_parse(text, strlen(text), "/etc/zeche/zeche.conf", conf,
	    err, sizeof(err));
}

/* The error message for TEXT, or "(accepted)". */
static const char *
error_of(const char *text)
{
	struct conf	 conf;

	if (parse(text, &conf) == 0) {
		conf_free(&conf);
		return "(accepted)";
	}
	if (conf.nhosts != 0 || conf.hosts != NULL)
		return "(conf not emptied)";
	return err;
}

#define HOST_OK "host \"a.example\" {\n root \"/srv/a\"\n certs \"c\"\n}\n"

static void
test_full_example(void)
{
	struct conf	 conf;
	const char	*text =
	    "gemini  *:1965                  # repeatable\n"
	    "gemini  [::1]:1966\n"
	    "gemini  127.0.0.1:1967\n"
	    "gopher  70\n"
	    "gopher  7070 host \"b.example\"\n"
	    "spartan 300\n"
	    "user    _zeche\n"
	    "timeout 10\n"
	    "log     \"/var/log/zeche/access.log\"\n"
	    "log_ip  full\n"
	    "watch   on\n"
	    "\n"
	    "host \"Example.ORG.\" {\n"
	    "\talias       \"www.example.org\"\n"
	    "\talias       gem.example.org\n"
	    "\troot        \"/srv/zeche/example\"\n"
	    "\tcerts       \"certs\"   # relative: to the file\n"
	    "\tlang        \"de\"\n"
	    "\tdescription \"Themenforum 17 \xe2\x80\x93 Innovation \\\"x\\\"\"\n"
	    "\tgopher      on\n"
	    "}\n"
	    "host \"b.example\" {\n"
	    "  root ../b\n"
	    "  cert \"/etc/b.crt\"\n"
	    "  key \"/etc/b.key\"\n"
	    "}";

	CHECK(parse(text, &conf) == 0);
	CHECK(conf.nlisten[PROTO_GEMINI] == 3);
	CHECK(conf.nlisten[PROTO_GEMINI] == 3 && conf.listen[PROTO_GEMINI][0].addr == NULL);
	CHECK_STR(conf.nlisten[PROTO_GEMINI] == 3 ? conf.listen[PROTO_GEMINI][0].port : NULL, "1965");
	CHECK_STR(conf.nlisten[PROTO_GEMINI] == 3 ? conf.listen[PROTO_GEMINI][1].addr : NULL, "::1");
	CHECK_STR(conf.nlisten[PROTO_GEMINI] == 3 ? conf.listen[PROTO_GEMINI][1].port : NULL, "1966");
	CHECK_STR(conf.nlisten[PROTO_GEMINI] == 3 ? conf.listen[PROTO_GEMINI][2].addr : NULL,
	    "127.0.0.1");
	CHECK(conf.nlisten[PROTO_GOPHER] == 2);
	CHECK(conf.nlisten[PROTO_GOPHER] == 2 && conf.listen[PROTO_GOPHER][0].host == NULL);
	CHECK_STR(conf.nlisten[PROTO_GOPHER] == 2 ? conf.listen[PROTO_GOPHER][1].host : NULL,
	    "b.example");
	CHECK(conf.nlisten[PROTO_SPARTAN] == 1);
	CHECK_STR(conf.nlisten[PROTO_SPARTAN] == 1 ?
	    conf.listen[PROTO_SPARTAN][0].port : NULL, "300");
	CHECK_STR(conf.user, "_zeche");
	CHECK(conf.timeout == 10);
	CHECK_STR(conf.log, "/var/log/zeche/access.log");
	CHECK(conf.log_ip == CONF_LOG_IP_FULL);
	CHECK(conf.watch);
	CHECK(conf.nhosts == 2);
	if (conf.nhosts != 2) {
		conf_free(&conf);
		return;
	}
	CHECK_STR(conf.hosts[0].name, "example.org");
	CHECK(conf.hosts[0].naliases == 2);
	CHECK_STR(conf.hosts[0].aliases[0], "www.example.org");
	CHECK_STR(conf.hosts[0].aliases[1], "gem.example.org");
	CHECK_STR(conf.hosts[0].root, "/srv/zeche/example");
	CHECK_STR(conf.hosts[0].certs, "/etc/zeche/certs");
	CHECK_STR(conf.hosts[0].lang, "de");
	CHECK_STR(conf.hosts[0].description,
	    "Themenforum 17 \xe2\x80\x93 Innovation \"x\"");
	CHECK(conf.hosts[0].gopher);
	CHECK(conf.hosts[0].line == 13);
	CHECK_STR(conf.hosts[1].root, "/etc/zeche/../b");
	CHECK_STR(conf.hosts[1].cert, "/etc/b.crt");
	CHECK_STR(conf.hosts[1].key, "/etc/b.key");
	CHECK(conf.hosts[1].lang == NULL);
	CHECK(!conf.hosts[1].gopher);
	CHECK(conf_find_host(&conf, "gem.example.org") == &conf.hosts[0]);
	CHECK(conf_find_host(&conf, "b.example") == &conf.hosts[1]);
	CHECK(conf_find_host(&conf, "c.example") == NULL);
	conf_free(&conf);
}

static void
test_defaults(void)
{
	struct conf	 conf;

	CHECK(parse(HOST_OK, &conf) == 0);
	CHECK(conf.nlisten[PROTO_GEMINI] == 0 && conf.nlisten[PROTO_GOPHER] == 0);
	CHECK(conf.nlisten[PROTO_SPARTAN] == 0);
	CHECK(conf.user == NULL);
	CHECK(conf.timeout == 0);
	CHECK(conf.log_ip == CONF_LOG_IP_OFF);
	CHECK(conf.nhosts == 1 && !conf.hosts[0].gopher);
	conf_free(&conf);
}

static void
test_relative_paths(void)
{
	struct conf	 conf;
	const char	*t = "host a {\n root capsule\n certs c\n}\n";

	/* a file named without a folder: paths stay as they are */
	CHECK(conf_parse(t, strlen(t), "zeche.conf", &conf, err,
	    sizeof(err)) == 0);
	CHECK_STR(conf.nhosts ? conf.hosts[0].root : NULL, "capsule");
	conf_free(&conf);
	CHECK(conf_parse(t, strlen(t), "contrib/zeche.conf", &conf, err,
	    sizeof(err)) == 0);
	CHECK_STR(conf.nhosts ? conf.hosts[0].root : NULL, "contrib/capsule");
	CHECK_STR(conf.nhosts ? conf.hosts[0].certs : NULL, "contrib/c");
	conf_free(&conf);
}

static void
test_one_line_block(void)
{
	struct conf	 conf;

	CHECK(parse("host a {\nroot r\ncerts c }\n", &conf) == 0);
	conf_free(&conf);
	CHECK(parse("host a {\r\nroot r\r\ncerts c\r\n}\r\n", &conf) == 0);
	conf_free(&conf);
}

static void
test_error_unknown_directive(void)
{
	CHECK_STR(error_of("listen 1965\n" HOST_OK),
	    "/etc/zeche/zeche.conf:1:1: unknown directive \"listen\"");
	CHECK_STR(error_of(HOST_OK "host b {\n\troot r\n\tcerts c\n"
	    "\tindex x\n}\n"), "/etc/zeche/zeche.conf:8:2: unknown "
	    "directive \"index\" in a host block");
	/* a global directive is no host directive, and the reverse */
	CHECK_STR(error_of("root /srv\n" HOST_OK),
	    "/etc/zeche/zeche.conf:1:1: unknown directive \"root\"");
	CHECK_STR(error_of("host a {\n root r\n certs c\n user x\n}\n"),
	    "/etc/zeche/zeche.conf:4:2: unknown directive \"user\" in a host "
	    "block");
}

static void
test_error_port(void)
{
	CHECK_STR(error_of("gemini *:x\n" HOST_OK),
	    "/etc/zeche/zeche.conf:1:10: expected a port number from 1 to "
	    "65535");
	CHECK_STR(error_of("\n\ngemini  70000\n" HOST_OK),
	    "/etc/zeche/zeche.conf:3:9: expected a port number from 1 to "
	    "65535");
	CHECK_STR(error_of("gopher 0\n" HOST_OK),
	    "/etc/zeche/zeche.conf:1:8: expected a port number from 1 to "
	    "65535");
	CHECK_STR(error_of("gemini\n" HOST_OK),
	    "/etc/zeche/zeche.conf:1:7: expected [ADDRESS:]PORT or "
	    "\"unix:/PATH\", not the end of the line");
	CHECK_STR(error_of("gemini ::1:1965\n" HOST_OK),
	    "/etc/zeche/zeche.conf:1:8: expected an IPv6 address in "
	    "brackets: [ADDRESS]:PORT");
	CHECK_STR(error_of("gemini [::1]1965\n" HOST_OK),
	    "/etc/zeche/zeche.conf:1:8: expected [ADDRESS]:PORT");
	CHECK_STR(error_of("gemini 1965 1966\n" HOST_OK),
	    "/etc/zeche/zeche.conf:1:13: expected the end of the line, not "
	    "another value");
	CHECK_STR(error_of("gopher 70 for a\n" HOST_OK),
	    "/etc/zeche/zeche.conf:1:11: expected \"host\", \"proxy\" or the "
	    "end of the line");
	CHECK_STR(error_of("gopher 70 host nowhere\n" HOST_OK),
	    "/etc/zeche/zeche.conf:1:1: expected the name of a host block, "
	    "not \"nowhere\"");
}

/* The connection budgets: max_conns in all, per_address from one. */
static void
test_budgets(void)
{
	struct conf	 conf;

	CHECK(parse("max_conns 500\nper_address 8\nworkers 3\n" HOST_OK,
	    &conf) == 0);
	CHECK(conf.max_conns == 500);
	CHECK(conf.per_address == 8);
	CHECK(conf.workers == 3);
	conf_free(&conf);
	CHECK(parse(HOST_OK, &conf) == 0);
	CHECK(conf.max_conns == 0 && conf.per_address == 0 &&
	    conf.workers == 0);
	conf_free(&conf);
	CHECK_STR(error_of("workers 0\n" HOST_OK),
	    "/etc/zeche/zeche.conf:1:9: expected a number from 1 to 1024");
	CHECK_STR(error_of("workers 1025\n" HOST_OK),
	    "/etc/zeche/zeche.conf:1:9: expected a number from 1 to 1024");
	CHECK_STR(error_of("per_address 0\n" HOST_OK),
	    "/etc/zeche/zeche.conf:1:13: expected a number from 1 to 1000000");
	CHECK_STR(error_of("max_conns many\n" HOST_OK),
	    "/etc/zeche/zeche.conf:1:11: expected a number from 1 to 1000000");
}

/* metrics ADDR:PORT or "unix:PATH"; log_style zeche or combined. */
static void
test_metrics_and_log_style(void)
{
	struct conf	 conf;

	CHECK(parse("metrics 127.0.0.1:9165\nlog_style combined\n" HOST_OK,
	    &conf) == 0);
	CHECK_STR(conf.metrics, "127.0.0.1:9165");
	CHECK(conf.log_combined);
	conf_free(&conf);
	CHECK(parse("metrics \"unix:/run/zeche/metrics.sock\"\n"
	    "log_style zeche\n" HOST_OK, &conf) == 0);
	CHECK_STR(conf.metrics, "unix:/run/zeche/metrics.sock");
	CHECK(!conf.log_combined);
	conf_free(&conf);
	CHECK(parse(HOST_OK, &conf) == 0);
	CHECK(conf.metrics == NULL && !conf.log_combined);
	conf_free(&conf);
	CHECK_STR(error_of("metrics 9165\n" HOST_OK),
	    "/etc/zeche/zeche.conf:1:9: expected ADDRESS:PORT or "
	    "\"unix:PATH\"");
	CHECK_STR(error_of("metrics \"unix:m.sock\"\n" HOST_OK),
	    "/etc/zeche/zeche.conf:1:9: a Unix socket's path must be "
	    "absolute");
	CHECK_STR(error_of("metrics 127.0.0.1:99999\n" HOST_OK),
	    "/etc/zeche/zeche.conf:1:9: expected a port from 1 to 65535");
	CHECK_STR(error_of("log_style apache\n" HOST_OK),
	    "/etc/zeche/zeche.conf:1:11: expected zeche or combined");
}

/* Every list has a limit, said with its line and column. */
static void
test_limits(void)
{
	char	 text[4096];
	size_t	 i, len = 0;

	for (i = 0; i < 17; i++)
		len += (size_t)snprintf(text + len, sizeof(text) - len,
		    "gemini %zu\n", 1000 + i);
	snprintf(text + len, sizeof(text) - len, "%s", HOST_OK);
	CHECK_STR(error_of(text),
	    "/etc/zeche/zeche.conf:17:8: expected at most 16 listeners in "
	    "all");
	/* the bound is for all protocols together: 16 pass, 17 do not */
	for (i = len = 0; i < 16; i++)
		len += (size_t)snprintf(text + len, sizeof(text) - len,
		    "%s *:%zu\n", i % 3 == 0 ? "gemini" : i % 3 == 1 ?
		    "gopher" : "spartan", 1000 + i);
	snprintf(text + len, sizeof(text) - len, "%s", HOST_OK);
	CHECK_STR(error_of(text), "(accepted)");
	snprintf(text + len, sizeof(text) - len, "spartan 2000\n%s", HOST_OK);
	CHECK_STR(error_of(text),
	    "/etc/zeche/zeche.conf:17:9: expected at most 16 listeners in "
	    "all");

	len = (size_t)snprintf(text, sizeof(text), "host a {\n root r\n"
	    " certs c\n");
	for (i = 0; i < 33; i++)
		len += (size_t)snprintf(text + len, sizeof(text) - len,
		    " alias a%zu\n", i);
	snprintf(text + len, sizeof(text) - len, "}\n");
	CHECK_STR(error_of(text),
	    "/etc/zeche/zeche.conf:36:8: expected at most 32 aliases");
}

static void
test_error_values(void)
{
	CHECK_STR(error_of("timeout 0\n" HOST_OK),
	    "/etc/zeche/zeche.conf:1:9: expected a number from 1 to 3600");
	CHECK_STR(error_of("timeout 10s\n" HOST_OK),
	    "/etc/zeche/zeche.conf:1:9: expected a number from 1 to 3600");

	CHECK_STR(error_of("watch yes\n" HOST_OK),
	    "/etc/zeche/zeche.conf:1:7: expected on or off");
	CHECK_STR(error_of("log_ip some\n" HOST_OK),
	    "/etc/zeche/zeche.conf:1:8: expected off, anon or full");
	CHECK_STR(error_of("log \"\"\n" HOST_OK),
	    "/etc/zeche/zeche.conf:1:5: expected a path");
	CHECK_STR(error_of("user \"a b\"\n" HOST_OK),
	    "/etc/zeche/zeche.conf:1:6: expected a user name");

	CHECK_STR(error_of("host a {\n root r\n certs c\n lang \"d e\"\n}\n"),
	    "/etc/zeche/zeche.conf:4:7: expected a language tag such as "
	    "\"en\" or \"de-CH\"");
	CHECK_STR(error_of("host a {\n root r\n certs c\n gopher 1\n}\n"),
	    "/etc/zeche/zeche.conf:4:9: expected on or off");
	CHECK_STR(error_of("host \"a/b\" {\n root r\n certs c\n}\n"),
	    "/etc/zeche/zeche.conf:1:6: expected a host name");
	CHECK_STR(error_of("host a {\n root r\n certs c\n alias \"\"\n}\n"),
	    "/etc/zeche/zeche.conf:4:8: expected a host name");
	/* no "," nor "=": a certificate's names are no list to extend */
	CHECK_STR(error_of("host \"a.example,DNS:evil.example\" {\n root r\n "
	    "certs c\n}\n"), "/etc/zeche/zeche.conf:1:6: expected a host name");
	CHECK_STR(error_of("host a {\n root r\n certs c\n alias "
	    "\"b.example, IP:10.0.0.1\"\n}\n"),
	    "/etc/zeche/zeche.conf:4:8: expected a host name");
	CHECK_STR(error_of("host a {\n root r\n certs c\n alias "
	    "b=c.example\n}\n"), "/etc/zeche/zeche.conf:4:8: expected a host "
	    "name");
	CHECK_STR(error_of("gopher 70 host \"a,b\"\n" HOST_OK),
	    "/etc/zeche/zeche.conf:1:16: expected a host name");
	CHECK_STR(error_of("host \"xn--bcher-kva.example\" {\n root r\n "
	    "certs c\n alias \"b_c.example\"\n alias \"::1\"\n}\n"),
	    "(accepted)");
	CHECK_STR(error_of("timeout 5\ntimeout 6\n" HOST_OK),
	    "/etc/zeche/zeche.conf:2:1: \"timeout\" given twice (first on "
	    "line 1)");
	CHECK_STR(error_of("host a {\n root r\n root s\n certs c\n}\n"),
	    "/etc/zeche/zeche.conf:3:2: \"root\" given twice (first on line "
	    "2)");
}

static void
test_error_syntax(void)
{
	CHECK_STR(error_of("user \"_zeche\n" HOST_OK),
	    "/etc/zeche/zeche.conf:1:6: expected a closing quote for this "
	    "string");
	CHECK_STR(error_of("user \"a\\nb\"\n" HOST_OK),
	    "/etc/zeche/zeche.conf:1:8: expected \\\" or \\\\ in a string");
	CHECK_STR(error_of("user \"a\tb\"\n" HOST_OK),
	    "/etc/zeche/zeche.conf:1:8: expected text, not a control "
	    "character");
	CHECK_STR(error_of("}\n" HOST_OK),
	    "/etc/zeche/zeche.conf:1:1: expected a directive, not \"}\"");
	CHECK_STR(error_of("host a\n root r\n"),
	    "/etc/zeche/zeche.conf:1:7: expected \"{\" after the host name, "
	    "not the end of the line");
	CHECK_STR(error_of("host a {\n root r\n certs c\n"),
	    "/etc/zeche/zeche.conf:4:1: expected \"}\" to end host \"a\" "
	    "(line 1)");
	CHECK_STR(error_of("host a {\n root r\n certs c\nhost b {\n"),
	    "/etc/zeche/zeche.conf:4:1: expected \"}\" to end host \"a\" "
	    "(line 1) before the next host");
	CHECK_STR(error_of("host a { root r\n certs c\n}\n"),
	    "/etc/zeche/zeche.conf:1:10: expected the end of the line, not "
	    "another value");
	CHECK_STR(error_of("user a\x01\n" HOST_OK),
	    "/etc/zeche/zeche.conf:1:7: expected a word, not a control "
	    "character");
	CHECK_STR(error_of("user a\\b\n" HOST_OK),
	    "/etc/zeche/zeche.conf:1:7: expected a word, not \"\\\"");
	CHECK(strstr(error_of("user a\0b\n"), ":1:1: expected text, not a "
	    "NUL byte") == NULL);	/* strlen stops at the NUL */
	CHECK_STR(error_of(""),
	    "/etc/zeche/zeche.conf:1:1: expected at least one host block");
	CHECK_STR(error_of("# nothing\n\n"),
	    "/etc/zeche/zeche.conf:3:1: expected at least one host block");
}

static void
test_error_nul(void)
{
	struct conf	 conf;
	const char	 text[] = "user a\0b\n" HOST_OK;

	CHECK(conf_parse(text, sizeof(text) - 1, "z.conf", &conf, err,
	    sizeof(err)) == -1);
	CHECK_STR(err, "z.conf:1:7: expected text, not a NUL byte");
}

/* A NUL byte further down is reported where it is, not at 1:1. */
static void
test_error_nul_position(void)
{
	struct conf	 conf;
	const char	 text[] = HOST_OK "# a comment\n\tuser \"a\0b\"\n";
	const char	 first[] = "\0user a\n" HOST_OK;

	CHECK(conf_parse(text, sizeof(text) - 1, "z.conf", &conf, err,
	    sizeof(err)) == -1);
	CHECK_STR(err, "z.conf:6:9: expected text, not a NUL byte");
	CHECK(conf_parse(first, sizeof(first) - 1, "z.conf", &conf, err,
	    sizeof(err)) == -1);
	CHECK_STR(err, "z.conf:1:1: expected text, not a NUL byte");
}

static void
test_error_hosts(void)
{
	/* a host without a capsule */
	CHECK_STR(error_of("host a {\n certs c\n}\n"),
	    "/etc/zeche/zeche.conf:3:1: expected \"root\" in host \"a\" "
	    "(line 1): its capsule folder");
	CHECK_STR(error_of("host a {\n root r\n}\n"),
	    "/etc/zeche/zeche.conf:3:1: expected \"certs\", or \"cert\" and "
	    "\"key\", in host \"a\" (line 1)");
	CHECK_STR(error_of("host a {\n root r\n cert x\n}\n"),
	    "/etc/zeche/zeche.conf:4:1: expected \"certs\", or \"cert\" and "
	    "\"key\", in host \"a\" (line 1)");
	CHECK_STR(error_of("host a {\n root r\n certs c\n key k\n}\n"),
	    "/etc/zeche/zeche.conf:5:1: expected either \"certs\" or \"cert\" "
	    "and \"key\" in host \"a\", not both");
	/* duplicate hosts, in any spelling */
	CHECK_STR(error_of(HOST_OK "host \"A.Example.\" {\n root r\n "
	    "certs c\n}\n"), "/etc/zeche/zeche.conf:5:6: duplicate host "
	    "\"a.example\" (first on line 1)");
	/* two hosts with one name, through an alias */
	CHECK_STR(error_of(HOST_OK "host b {\n root r\n certs c\n alias "
	    "a.example\n}\n"), "/etc/zeche/zeche.conf:8:8: two hosts named "
	    "\"a.example\": host \"a.example\" (line 1) and host \"b\" (line "
	    "5)");
	CHECK_STR(error_of("host b {\n root r\n certs c\n alias a.example\n}\n"
	    HOST_OK), "/etc/zeche/zeche.conf:6:6: two hosts named "
	    "\"a.example\": it is an alias of host \"b\" (line 1)");
	CHECK_STR(error_of("host b {\n root r\n certs c\n alias x\n alias "
	    "X.\n}\n"), "/etc/zeche/zeche.conf:5:8: alias \"x\" given twice "
	    "in host \"b\"");
	CHECK_STR(error_of("host b {\n root r\n certs c\n alias b\n}\n"),
	    "/etc/zeche/zeche.conf:4:8: alias \"b\" given twice in host "
	    "\"b\"");
}

static void
test_listen(void)
{
	struct conf_listen	 la;
	const char		*errstr;

	CHECK(conf_parse_listen("1965", &la, &errstr) == 0);
	CHECK(la.addr == NULL);
	CHECK_STR(la.port, "1965");
	free(la.port);
	CHECK(conf_parse_listen("*:70", &la, &errstr) == 0);
	CHECK(la.addr == NULL);
	free(la.port);
	CHECK(conf_parse_listen("[2001:db8::1]:70", &la, &errstr) == 0);
	CHECK_STR(la.addr, "2001:db8::1");
	free(la.addr);
	free(la.port);
	CHECK(conf_parse_listen("localhost:70", &la, &errstr) == 0);
	CHECK_STR(la.addr, "localhost");
	free(la.addr);
	free(la.port);
	CHECK(conf_parse_listen("70x", &la, &errstr) == -1);
	CHECK(conf_parse_listen("+70", &la, &errstr) == -1);
	CHECK(conf_parse_listen("", &la, &errstr) == -1);
	CHECK(conf_parse_listen("a:", &la, &errstr) == -1);
}

/*
 * A listener on a Unix socket: its path, "proxy", "public", the mode,
 * owner and group of the file, and the port its clients reach it at.
 */
static void
test_listen_unix(void)
{
	struct conf	 conf;
	const char	*text =
	    "gemini  \"unix:/run/zeche/gemini.sock\" proxy mode 0660 "
	    "owner \"_zeche\" group \"haproxy\"\n"
	    "gopher  \"unix:/run/zeche/gopher.sock\" public 7070 "
	    "host \"a.example\"\n"
	    "spartan unix:/run/zeche/spartan.sock\n"
	    HOST_OK;

	CHECK(parse(text, &conf) == 0);
	CHECK_STR(conf.listen[PROTO_GEMINI][0].path,
	    "/run/zeche/gemini.sock");
	CHECK(conf.listen[PROTO_GEMINI][0].addr == NULL);
	CHECK_STR(conf.listen[PROTO_GEMINI][0].port, "1965");
	CHECK(conf.listen[PROTO_GEMINI][0].proxy);
	CHECK(conf.listen[PROTO_GEMINI][0].mode == 0660);
	CHECK_STR(conf.listen[PROTO_GEMINI][0].owner, "_zeche");
	CHECK_STR(conf.listen[PROTO_GEMINI][0].group, "haproxy");
	CHECK_STR(conf.listen[PROTO_GOPHER][0].port, "7070");
	CHECK_STR(conf.listen[PROTO_GOPHER][0].host, "a.example");
	CHECK(conf.listen[PROTO_GOPHER][0].mode == 0);
	CHECK(conf.listen[PROTO_GOPHER][0].owner == NULL);
	CHECK_STR(conf.listen[PROTO_SPARTAN][0].path,
	    "/run/zeche/spartan.sock");
	CHECK_STR(conf.listen[PROTO_SPARTAN][0].port, "300");
	conf_free(&conf);

	CHECK_STR(error_of("gemini \"unix:run/g.sock\"\n" HOST_OK),
	    "/etc/zeche/zeche.conf:1:9: expected \"unix:/PATH\", an "
	    "absolute path of at most 107 bytes");
	CHECK_STR(error_of("gemini \"unix:/g.sock\" mode 0999\n" HOST_OK),
	    "/etc/zeche/zeche.conf:1:28: expected a mode in octal from 01 "
	    "to 0777, such as 0660");
	CHECK_STR(error_of("gemini \"unix:/g.sock\" mode 660\n" HOST_OK),
	    "/etc/zeche/zeche.conf:1:28: expected a mode in octal from 01 "
	    "to 0777, such as 0660");
	CHECK_STR(error_of("gemini 1965 mode 0600\n" HOST_OK),
	    "/etc/zeche/zeche.conf:1:13: \"mode\" is for a listener on a "
	    "Unix socket (\"unix:/PATH\")");
	CHECK_STR(error_of("gemini \"unix:/g.sock\" owner \"a:b\"\n"
	    HOST_OK), "/etc/zeche/zeche.conf:1:29: expected a user name");
	CHECK(strncmp(error_of("gemini \"unix:/g.sock\" mode 0600 mode "
	    "0600\n" HOST_OK), "/etc/zeche/zeche.conf:1:", 24) == 0);
}

/* rate REQUESTS per SECONDS burst N, and rate_allow networks. */
static void
test_rate(void)
{
	struct conf	 conf;
	const char	*text =
	    "rate 10 per 60 burst 20\n"
	    "rate_allow \"192.0.2.0/24\"\n"
	    "rate_allow 2001:db8::/32\n"
	    HOST_OK;

	CHECK(parse(text, &conf) == 0);
	CHECK(conf.rate_requests == 10 && conf.rate_seconds == 60 &&
	    conf.rate_burst == 20);
	CHECK(conf.nrate_allow == 2);
	if (conf.nrate_allow == 2) {
		CHECK_STR(conf.rate_allow[0], "192.0.2.0/24");
		CHECK_STR(conf.rate_allow[1], "2001:db8::/32");
	}
	conf_free(&conf);
	CHECK(parse(HOST_OK, &conf) == 0);
	CHECK(conf.rate_requests == 0);		/* off by default */
	conf_free(&conf);
	CHECK_STR(error_of("rate 10 in 60 burst 20\n" HOST_OK),
	    "/etc/zeche/zeche.conf:1:9: expected \"per\"");
	CHECK_STR(error_of("rate 10 per 60\n" HOST_OK),
	    "/etc/zeche/zeche.conf:1:15: expected burst, not the end of "
	    "the line");
	CHECK_STR(error_of("rate 0 per 60 burst 1\n" HOST_OK),
	    "/etc/zeche/zeche.conf:1:6: expected a number from 1 to "
	    "1000000");
	CHECK_STR(error_of("rate 1 per 0 burst 1\n" HOST_OK),
	    "/etc/zeche/zeche.conf:1:12: expected a number from 1 to 86400");
	CHECK_STR(error_of("rate_allow \"192.0.2.0/33\"\n" HOST_OK),
	    "/etc/zeche/zeche.conf:1:12: expected an IPv4 or IPv6 address "
	    "or network, such as \"192.0.2.0/24\"");
	CHECK(strstr(error_of("rate 1 per 1 burst 1\nrate 1 per 1 burst 1\n"
	    HOST_OK), ":2:1:") != NULL);
}

/* rate inside a host block: that host's own, beside the global one. */
static void
test_host_rate(void)
{
	struct conf	 conf;
	const char	*text =
	    "rate 10 per 60 burst 20\n"
	    "host \"a.example\" {\n root \"/srv/a\"\n certs \"c\"\n"
	    " rate 2 per 30 burst 3\n}\n"
	    "host \"b.example\" {\n root \"/srv/b\"\n certs \"c\"\n}\n";

	CHECK(parse(text, &conf) == 0);
	CHECK(conf.rate_requests == 10 && conf.rate_seconds == 60 &&
	    conf.rate_burst == 20);
	CHECK(conf.nhosts == 2);
	if (conf.nhosts == 2) {
		CHECK(conf.hosts[0].rate.requests == 2 &&
		    conf.hosts[0].rate.seconds == 30 &&
		    conf.hosts[0].rate.burst == 3);
		CHECK(conf.hosts[1].rate.requests == 0);	/* none */
	}
	conf_free(&conf);
	/* a host's rate alone: no global limit */
	CHECK(parse("host \"a.example\" {\n root \"/srv/a\"\n certs \"c\"\n"
	    " rate 1 per 1 burst 1\n}\n", &conf) == 0);
	CHECK(conf.rate_requests == 0 && conf.nhosts == 1 &&
	    conf.hosts[0].rate.requests == 1);
	conf_free(&conf);
	CHECK_STR(error_of("host \"a.example\" {\n root \"/srv/a\"\n"
	    " certs \"c\"\n rate 1 per 90000 burst 1\n}\n"),
	    "/etc/zeche/zeche.conf:4:13: expected a number from 1 to 86400");
	CHECK(strstr(error_of("host \"a.example\" {\n root \"/srv/a\"\n"
	    " certs \"c\"\n rate 1 per 1 burst 1\n rate 2 per 1 burst 1\n"
	    "}\n"), ":5:2: \"rate\" given twice") != NULL);
	/* rate_allow stays global */
	CHECK(strstr(error_of("host \"a.example\" {\n root \"/srv/a\"\n"
	    " certs \"c\"\n rate_allow \"192.0.2.1\"\n}\n"),
	    "unknown directive \"rate_allow\" in a host block") != NULL);
}

/* "proxy" after a listener: a PROXY header starts its connections. */
static void
test_listen_proxy(void)
{
	struct conf	 conf;
	const char	*text =
	    "gemini  1965\n"
	    "gemini  10.0.0.2:1966 proxy\n"
	    "gopher  70 proxy\n"
	    "gopher  7070 host \"a.example\" proxy\n"
	    "gopher  7071 proxy host \"a.example\"\n"
	    HOST_OK;

	CHECK(parse(text, &conf) == 0);
	CHECK(conf.nlisten[PROTO_GEMINI] == 2 &&
	    !conf.listen[PROTO_GEMINI][0].proxy &&
	    conf.listen[PROTO_GEMINI][1].proxy);
	CHECK(conf.nlisten[PROTO_GOPHER] == 3 &&
	    conf.listen[PROTO_GOPHER][0].proxy &&
	    conf.listen[PROTO_GOPHER][1].proxy &&
	    conf.listen[PROTO_GOPHER][2].proxy);
	CHECK_STR(conf.nlisten[PROTO_GOPHER] == 3 ?
	    conf.listen[PROTO_GOPHER][1].host : NULL, "a.example");
	CHECK_STR(conf.nlisten[PROTO_GOPHER] == 3 ?
	    conf.listen[PROTO_GOPHER][2].host : NULL, "a.example");
	conf_free(&conf);

	CHECK_STR(error_of("gemini 1965 proxy proxy\n" HOST_OK),
	    "/etc/zeche/zeche.conf:1:19: expected the end of the line, not "
	    "another value");
	CHECK_STR(error_of("gemini 1965 \"proxy\"\n" HOST_OK),
	    "/etc/zeche/zeche.conf:1:13: expected the end of the line, not "
	    "another value");
	CHECK_STR(error_of("gemini 1965 host a.example\n" HOST_OK),
	    "/etc/zeche/zeche.conf:1:13: expected the end of the line, not "
	    "another value");
	CHECK_STR(error_of("gopher 70 proxy proxy\n" HOST_OK),
	    "/etc/zeche/zeche.conf:1:17: expected \"host\" or the end of the "
	    "line");
	CHECK_STR(error_of("gopher 70 host a.example x\n" HOST_OK),
	    "/etc/zeche/zeche.conf:1:26: expected \"proxy\" or the end of the "
	    "line");
}

/* "public PORT" after a listener: the port clients reach it at. */
static void
test_listen_public(void)
{
	struct conf	 conf;
	const char	*text =
	    "gemini  11965 public 1965\n"
	    "gemini  11966 proxy public 01966\n"
	    "gopher  7070 public 70 host \"a.example\" proxy\n"
	    "spartan 3000 public 300\n"
	    HOST_OK;

	CHECK(parse(text, &conf) == 0);
	CHECK_STR(conf.nlisten[PROTO_GEMINI] == 2 ?
	    conf.listen[PROTO_GEMINI][0].public : NULL, "1965");
	CHECK_STR(conf.nlisten[PROTO_GEMINI] == 2 ?
	    conf.listen[PROTO_GEMINI][1].public : NULL, "01966");
	CHECK(conf.nlisten[PROTO_GEMINI] == 2 &&
	    conf.listen[PROTO_GEMINI][1].proxy);
	CHECK_STR(conf.nlisten[PROTO_GOPHER] == 1 ?
	    conf.listen[PROTO_GOPHER][0].public : NULL, "70");
	CHECK_STR(conf.nlisten[PROTO_SPARTAN] == 1 ?
	    conf.listen[PROTO_SPARTAN][0].public : NULL, "300");
	conf_free(&conf);
	CHECK(parse("gemini 1965\n" HOST_OK, &conf) == 0);
	CHECK(conf.listen[PROTO_GEMINI][0].public == NULL);
	conf_free(&conf);

	CHECK_STR(error_of("gemini 11965 public 0\n" HOST_OK),
	    "/etc/zeche/zeche.conf:1:21: expected a port number from 1 to "
	    "65535");
	CHECK_STR(error_of("gemini 11965 public\n" HOST_OK),
	    "/etc/zeche/zeche.conf:1:20: expected a port number, not the end "
	    "of the line");
	CHECK_STR(error_of("gemini 11965 public 1 public 2\n" HOST_OK),
	    "/etc/zeche/zeche.conf:1:23: expected the end of the line, not "
	    "another value");
}

static void
test_host_normalise(void)
{
	char	 a[] = "WWW.Example.ORG.", b[] = ".", c[] = "a b", d[] = "";

	CHECK(conf_host_normalise(a) == 0);
	CHECK_STR(a, "www.example.org");
	CHECK(conf_host_normalise(b) == -1);
	{
		char	 e[] = "a..", f[] = "a..b", g[] = ".a";

		CHECK(conf_host_normalise(e) == -1);
		CHECK(conf_host_normalise(f) == -1);
		CHECK(conf_host_normalise(g) == -1);
	}
	CHECK(conf_host_normalise(c) == -1);
	CHECK(conf_host_normalise(d) == -1);
	{
		char	 h[] = "a,b", i[] = "a=b", j[] = "a\"b", k[] = "a*b";

		CHECK(conf_host_normalise(h) == -1);
		CHECK(conf_host_normalise(i) == -1);
		CHECK(conf_host_normalise(j) == -1);
		CHECK(conf_host_normalise(k) == -1);
	}
}

static void
test_read_shipped_example(void)
{
	struct conf	 conf;
	const char	*top = getenv("ZECHE_SOURCE_DIR");
	char		 path[1024];

	snprintf(path, sizeof(path), "%s/contrib/zeche.conf",
	    top != NULL ? top : "..");
	CHECK(conf_read(path, &conf, err, sizeof(err)) == 0);
	/* contrib/dev.sh serve: Spartan beside Gemini and Gopher */
	CHECK_STR(conf.nlisten[PROTO_SPARTAN] == 1 ?
	    conf.listen[PROTO_SPARTAN][0].port : NULL, "3000");
	if (conf.nhosts > 0) {
		CHECK_STR(conf.hosts[0].lang, "de");
		CHECK(conf.hosts[0].gopher);
		CHECK(strstr(conf.hosts[0].root, "/capsule") != NULL);
	}
	conf_free(&conf);
	CHECK(conf_read("/nonexistent/zeche.conf", &conf, err,
	    sizeof(err)) == -1);
	CHECK_STR(err, "/nonexistent/zeche.conf: No such file or directory");
}

static void
test_locations_and_redirects(void)
{
	struct conf		 conf;
	const struct conf_host	*h;

	CHECK(parse("host a {\n root r\n certs c\n listing off\n"
	    " redirect \"/old.gmi\" \"/new.gmi\"\n"
	    " redirect 30 /tmp/ gemini://b.example/x\n"
	    " location \"/notes\" {\n  listing on\n }\n"
	    " location /gemlog/ {\n  posts off\n  lang de\n }\n}\n",
	    &conf) == 0);
	h = &conf.hosts[0];
	CHECK(!h->listing && h->posts);
	CHECK(h->nredirects == 2);
	if (h->nredirects == 2) {
		CHECK_STR(h->redirects[0].from, "/old.gmi");
		CHECK_STR(h->redirects[0].to, "/new.gmi");
		CHECK(h->redirects[0].status == 31 &&
		    h->redirects[0].line == 5);
		CHECK_STR(h->redirects[1].to, "gemini://b.example/x");
		CHECK(h->redirects[1].status == 30);
	}
	CHECK(h->nlocations == 2);
	if (h->nlocations == 2) {
		CHECK_STR(h->locations[0].path, "/notes/");
		CHECK(h->locations[0].set_listing && h->locations[0].listing);
		CHECK(!h->locations[0].set_posts);
		CHECK_STR(h->locations[1].path, "/gemlog/");
		CHECK(h->locations[1].set_posts && !h->locations[1].posts);
		CHECK_STR(h->locations[1].lang, "de");
		CHECK(h->locations[0].lang == NULL);
		CHECK(!h->locations[1].set_listing);
	}
	conf_free(&conf);

	CHECK(parse(HOST_OK, &conf) == 0);
	CHECK(conf.hosts[0].listing && conf.hosts[0].posts);
	/* unset: zeche's rule, not "on" */
	CHECK(!conf.hosts[0].set_posts && !conf.hosts[0].set_spartan_link);
	CHECK(!conf.hosts[0].set_pageindex);
	CHECK(conf.hosts[0].author == NULL);
	conf_free(&conf);

	/* the feeds' author, the home page's Spartan link, a folder title */
	CHECK(parse("host a {\n root r\n certs c\n author \"Ada L.\"\n"
	    " posts on\n spartan_link off\n"
	    " location /travel/ {\n  title \"On the road\"\n }\n}\n",
	    &conf) == 0);
	h = &conf.hosts[0];
	CHECK_STR(h->author, "Ada L.");
	CHECK(h->set_posts && h->posts);
	CHECK(h->set_spartan_link && !h->spartan_link);
	CHECK(h->nlocations == 1 && strcmp(h->locations[0].title,
	    "On the road") == 0 && !h->locations[0].set_posts);
	conf_free(&conf);
	CHECK_STR(error_of("host a {\n root r\n certs c\n spartan_link yes\n"
	    "}\n"), "/etc/zeche/zeche.conf:4:15: expected on or off");
	/* the page index */
	CHECK(parse("host a {\n root r\n certs c\n pageindex off\n}\n",
	    &conf) == 0);
	CHECK(conf.hosts[0].set_pageindex && !conf.hosts[0].pageindex);
	conf_free(&conf);
	CHECK(parse("host a {\n root r\n certs c\n pageindex on\n}\n",
	    &conf) == 0);
	CHECK(conf.hosts[0].set_pageindex && conf.hosts[0].pageindex);
	conf_free(&conf);
	CHECK_STR(error_of("host a {\n root r\n certs c\n pageindex 1\n"
	    "}\n"), "/etc/zeche/zeche.conf:4:12: expected on or off");

	CHECK_STR(error_of("host a {\n root r\n certs c\n redirect old "
	    "new\n}\n"),
	    "/etc/zeche/zeche.conf:4:11: expected an absolute path such as "
	    "\"/old.gmi\"");
	CHECK_STR(error_of("host a {\n root r\n certs c\n redirect /a b\n}\n"),
	    "/etc/zeche/zeche.conf:4:14: expected an absolute path or a URL "
	    "such as \"gemini://example.org/\"");
	CHECK_STR(error_of("host a {\n root r\n certs c\n redirect /a\n}\n"),
	    "/etc/zeche/zeche.conf:4:13: expected where it leads: a path or "
	    "a URL, not the end of the line");
	CHECK_STR(error_of("host a {\n root r\n certs c\n location /n {\n"
	    "  root x\n }\n}\n"),
	    "/etc/zeche/zeche.conf:5:3: unknown directive \"root\" in a host "
	    "block");
	CHECK_STR(error_of("host a {\n root r\n certs c\n location /n {\n"
	    "  posts on\n  posts off\n }\n}\n"),
	    "/etc/zeche/zeche.conf:6:3: \"posts\" given twice (first on line "
	    "5)");
	CHECK_STR(error_of("host a {\n root r\n certs c\n location /n {\n"
	    "  posts on\n"),
	    "/etc/zeche/zeche.conf:6:1: expected \"}\" to end location "
	    "\"/n/\" (line 4)");
}

/* readers and writers: a host's, a location's, relative to the file */
static void
test_access_lists(void)
{
	struct conf		 conf;
	const struct conf_host	*h;

	CHECK(parse("host a {\n root r\n certs c\n readers \"all.txt\"\n"
	    " location /members {\n  readers members.txt\n"
	    "  writers \"/srv/editors.txt\"\n }\n"
	    " location /open/ {\n  listing on\n }\n}\n", &conf) == 0);
	h = &conf.hosts[0];
	CHECK_STR(h->readers, "/etc/zeche/all.txt");
	CHECK(h->writers == NULL);
	CHECK(h->nlocations == 2);
	if (h->nlocations == 2) {
		CHECK_STR(h->locations[0].path, "/members/");
		CHECK_STR(h->locations[0].readers, "/etc/zeche/members.txt");
		CHECK_STR(h->locations[0].writers, "/srv/editors.txt");
		CHECK(h->locations[1].readers == NULL &&
		    h->locations[1].writers == NULL);
	}
	conf_free(&conf);
	CHECK_STR(error_of("host a {\n root r\n certs c\n location /n {\n"
	    "  readers a\n  readers b\n }\n}\n"),
	    "/etc/zeche/zeche.conf:6:3: \"readers\" given twice (first on "
	    "line 5)");
	CHECK_STR(error_of("host a {\n root r\n certs c\n writers \"\"\n}\n"),
	    "/etc/zeche/zeche.conf:4:10: expected a path");
}

int
main(void)
{
	test_full_example();
	test_budgets();
	test_metrics_and_log_style();
	test_limits();
	test_defaults();
	test_relative_paths();
	test_one_line_block();
	test_error_unknown_directive();
	test_error_port();
	test_error_values();
	test_error_syntax();
	test_error_nul();
	test_error_nul_position();
	test_error_hosts();
	test_listen();
	test_listen_proxy();
	test_listen_unix();
	test_rate();
	test_host_rate();
	test_listen_public();
	test_host_normalise();
	test_read_shipped_example();
	test_locations_and_redirects();
	test_access_lists();
	CHECK_DONE();
}
