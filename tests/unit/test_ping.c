/*
 * test_ping: the ping's request line (src/ping.c, ping_request): the
 * submit URL, "?" and the feed's address percent-encoded, the host and
 * port to connect to; what it refuses; and the "ping" and
 * "ping_interval" keys of zeche.conf(5).
 */
#include <stdio.h>
#include <string.h>

#include "buf.h"
#include "check.h"
#include "config.h"
#include "ping.h"

static int
req(const char *submit, const char *feed, struct buf *out, char *host,
    char *port, const char **errstr)
{
	buf_reset(out);
	return ping_request(submit, feed, out, host, 256, port, 16, errstr);
}

static void
test_request(void)
{
	struct buf	 b = BUF_INIT;
	char		 host[256], port[16], big[1100];
	const char	*errstr;

	CHECK(req("gemini://agg.example/submit", "gemini://h.test/f/atom.xml",
	    &b, host, port, &errstr) == 0);
	CHECK_STR(b.data, "gemini://agg.example/submit?"
	    "gemini%3A%2F%2Fh.test%2Ff%2Fatom.xml\r\n");
	CHECK_STR(host, "agg.example");
	CHECK_STR(port, "1965");
	CHECK(req("gemini://127.0.0.1:1966/x/submit", "gemini://h.test:1970/"
	    "a b/ä~_.-/atom.xml", &b, host, port, &errstr) == 0);
	CHECK_STR(b.data, "gemini://127.0.0.1:1966/x/submit?gemini%3A%2F%2F"
	    "h.test%3A1970%2Fa%20b%2F%C3%A4~_.-%2Fatom.xml\r\n");
	CHECK_STR(host, "127.0.0.1");
	CHECK_STR(port, "1966");
	CHECK(req("gemini://[::1]:2000/s", "f", &b, host, port, &errstr) ==
	    0);
	CHECK_STR(host, "::1");
	CHECK_STR(port, "2000");
	/* refused */
	CHECK(req("https://agg.example/submit", "f", &b, host, port,
	    &errstr) == -1);
	CHECK(req("gemini://agg.example/submit?x", "f", &b, host, port,
	    &errstr) == -1);
	CHECK(req("gemini:///submit", "f", &b, host, port, &errstr) == -1);
	CHECK(req("gemini://a b/submit", "f", &b, host, port, &errstr) == -1);
	memset(big, 'a', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	CHECK(req("gemini://agg.example/submit", big, &b, host, port,
	    &errstr) == -1 && strstr(errstr, "1024") != NULL);
	buf_free(&b);
}

static int
parse(const char *text, struct conf *conf, char *err, size_t errlen)
{
	return conf_parse(text, strlen(text), "/etc/zeche.conf", conf, err,
	    errlen);
}

static void
test_config(void)
{
	struct conf	 conf;
	char		 err[1024];

	CHECK(parse("host a {\n root r\n certs c\n ping \"gemini://x.test/submit\"\n"
	    " ping \"gemini://y.test:1966/s\"\n ping_interval 600\n}\n",
	    &conf, err, sizeof(err)) == 0);
	CHECK(conf.nhosts == 1 && conf.hosts[0].npings == 2 &&
	    strcmp(conf.hosts[0].pings[1], "gemini://y.test:1966/s") == 0 &&
	    conf.hosts[0].ping_interval == 600);
	conf_free(&conf);
	/* off by default */
	CHECK(parse("host a {\n root r\n certs c\n}\n", &conf, err, sizeof(err)) == 0);
	CHECK(conf.hosts[0].npings == 0 && conf.hosts[0].ping_interval == 0);
	conf_free(&conf);
	CHECK(parse("host a {\n root r\n certs c\n ping \"https://x.test/\"\n}\n",
	    &conf, err, sizeof(err)) == -1);
	CHECK(strstr(err, "zeche.conf:4:") != NULL &&
	    strstr(err, "gemini:// URL") != NULL);
	CHECK(parse("host a {\n root r\n certs c\n ping \"gemini://x.test/s?q\"\n}\n",
	    &conf, err, sizeof(err)) == -1);
	CHECK(parse("host a {\n root r\n certs c\n ping_interval 0\n}\n", &conf, err,
	    sizeof(err)) == -1);
	CHECK(parse("host a {\n root r\n certs c\n ping_interval 1\n ping_interval 2\n"
	    "}\n", &conf, err, sizeof(err)) == -1);
}

int
main(void)
{
	test_request();
	test_config();
	CHECK_DONE();
}
