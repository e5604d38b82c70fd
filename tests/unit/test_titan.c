/*
 * test_titan: the Titan request line (src/titan.c): parameters in any
 * order, percent-encoding, duplicates, unknown parameters, a missing
 * size, sizes past 2^63, ";edit", and Gemini's host and path checks.
 */
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "check.h"
#include "config.h"
#include "titan.h"

static char	 work[2048];

static int
parse(const char *in, struct titan_request *r, const char **errstr)
{
	*errstr = NULL;
	snprintf(work, sizeof(work), "%s", in);
	return titan_parse(work, r, errstr);
}

static bool
rejects(const char *in)
{
	struct titan_request	 r;
	const char		*errstr;

	if (parse(in, &r, &errstr) == -1)
		return errstr != NULL && errstr[0] != '\0';
	fprintf(stderr, "  accepted: \"%s\"\n", in);
	return false;
}

static void
test_both_orders(void)
{
	struct titan_request	 r;
	const char		*errstr;

	/* Lagrange's order */
	CHECK(parse("titan://example.org/notes/a.gmi;mime=text/plain;"
	    "size=12;token=s3cret", &r, &errstr) == 0);
	CHECK_STR(r.url.host, "example.org");
	CHECK(r.url.port == NULL);
	CHECK_STR(r.url.path, "/notes/a.gmi");
	CHECK(r.has_size && r.size == 12);
	CHECK_STR(r.mime, "text/plain");
	CHECK_STR(r.token, "s3cret");
	CHECK(!r.edit && r.nunknown == 0);
	/* gmid's titan(1) order */
	CHECK(parse("titan://example.org:1965/notes/a.gmi;size=7;token=t;"
	    "mime=text/gemini", &r, &errstr) == 0);
	CHECK_STR(r.url.port, "1965");
	CHECK(r.size == 7);
	CHECK_STR(r.mime, "text/gemini");
	CHECK_STR(r.token, "t");
	/* size alone; the host's case and trailing dot as Gemini's */
	CHECK(parse("TITAN://Example.ORG./a.gmi;size=0", &r, &errstr) == 0);
	CHECK_STR(r.url.host, "example.org");
	CHECK(r.size == 0 && r.mime == NULL && r.token == NULL);
}

static void
test_percent_encoding(void)
{
	struct titan_request	 r;
	const char		*errstr;

	CHECK(parse("titan://h/caf%C3%A9%3Bx.gmi;size=1;token=a%3Bb%3Dc%20d;"
	    "mime=text%2Fgemini", &r, &errstr) == 0);
	CHECK_STR(r.url.path, "/caf\xc3\xa9;x.gmi");
	CHECK_STR(r.token, "a;b=c d");
	CHECK_STR(r.mime, "text/gemini");
	CHECK(rejects("titan://h/a;size=1;token=%00"));
	CHECK(rejects("titan://h/a;size=1;token=%0a"));
	CHECK(rejects("titan://h/a;size=1;token=%zz"));
	CHECK(rejects("titan://h/a;size=1;token=%4"));
	CHECK(rejects("titan://h/a;size=1;token=a b"));
	CHECK(rejects("titan://h/%2e%2e/%2e%2e/etc/passwd;size=1"));
}

static void
test_duplicates(void)
{
	CHECK(rejects("titan://h/a;size=1;size=1"));
	CHECK(rejects("titan://h/a;size=1;mime=text/plain;mime=text/plain"));
	CHECK(rejects("titan://h/a;token=x;size=1;token=y"));
	CHECK(rejects("titan://h/a;edit;edit"));
	CHECK(rejects("titan://h/a;si%7Ae=1;size=2"));	/* encoded name */
}

static void
test_unknown(void)
{
	struct titan_request	 r;
	const char		*errstr;

	CHECK(parse("titan://h/a;charset=utf-8;size=3;lang=de;x", &r,
	    &errstr) == 0);
	CHECK(r.nunknown == 3);
	CHECK_STR(r.unknown, "charset");
	CHECK(r.size == 3);
}

static void
test_size(void)
{
	struct titan_request	 r;
	const char		*errstr;

	CHECK(rejects("titan://h/a;mime=text/plain"));		/* missing */
	CHECK(rejects("titan://h/a;size="));
	CHECK(rejects("titan://h/a;size"));
	CHECK(rejects("titan://h/a;size=-1"));
	CHECK(rejects("titan://h/a;size=+1"));
	CHECK(rejects("titan://h/a;size=1k"));
	CHECK(rejects("titan://h/a;size=0x10"));
	CHECK(parse("titan://h/a;size=9223372036854775807", &r, &errstr) ==
	    0);
	CHECK(r.size == 9223372036854775807ULL);
	CHECK(rejects("titan://h/a;size=9223372036854775808"));	/* 2^63 */
	CHECK(rejects("titan://h/a;size=18446744073709551616"));	/* 2^64 */
	CHECK(rejects("titan://h/a;size=99999999999999999999999999"));
	CHECK(parse("titan://h/a;size=000012", &r, &errstr) == 0 &&
	    r.size == 12);
}

static void
test_edit(void)
{
	struct titan_request	 r;
	const char		*errstr;

	CHECK(parse("titan://h/notes/a.gmi;edit", &r, &errstr) == 0);
	CHECK(r.edit && !r.has_size);
	CHECK_STR(r.url.path, "/notes/a.gmi");
	CHECK(parse("titan://h/a.gmi;token=t;edit", &r, &errstr) == 0);
	CHECK(r.edit);
	CHECK_STR(r.token, "t");
	CHECK(rejects("titan://h/a.gmi;edit;size=3"));
	CHECK(rejects("titan://h/a.gmi;edit=1"));
}

static void
test_url_checks(void)
{
	CHECK(rejects("gemini://h/a;size=1"));
	CHECK(rejects("titan:/h/a;size=1"));
	CHECK(rejects("titan://h;size=1"));
	CHECK(rejects("titan://h/a"));				/* no ';' */
	CHECK(rejects("titan://h/a?q;size=1"));
	CHECK(rejects("titan://h/a;size=1?q"));
	CHECK(rejects("titan://h/a;size=1#f"));
	CHECK(rejects("titan://u@h/a;size=1"));
	CHECK(rejects("titan://h:99999/a;size=1"));
	CHECK(rejects("titan:///a;size=1"));
	CHECK(rejects("titan://h/a;;size=1"));
	CHECK(rejects("titan://h/a;size=1;"));
	CHECK(rejects("titan://h/a\xff;size=1"));
	CHECK(rejects("titan://h/a;size=1;mime=\xff"));
}

static const char conf_text[] =
    "host \"a.example\" {\n"
    "	root \"/srv/a\"\n"
    "	certs \"/srv/certs\"\n"
    "	token \"host-token\"\n"
    "	history \"/srv/a.kept\"\n"
    "	location \"/notes/\" {\n"
    "		titan on\n"
    "		upload_max 1M\n"
    "		upload_delete on\n"
    "	}\n"
    "	location \"/notes/fixed/\" {\n"
    "		upload_create off\n"
    "		token \"fixed\"\n"
    "		upload_types \"text/gemini\" \"image/png\"\n"
    "	}\n"
    "	location \"/closed/\" {\n"
    "		titan off\n"
    "		upload_max 2K\n"
    "	}\n"
    "}\n"
    "host \"b.example\" {\n"
    "	root \"/srv/b\"\n"
    "	certs \"/srv/certs\"\n"
    "	titan on\n"
    "}\n";

/* The rule of a path: the longest location setting each key, else the host. */
static void
test_rule(void)
{
	struct conf		 conf;
	struct titan_rule	 r;
	char			 err[256];

	CHECK(conf_parse(conf_text, strlen(conf_text), "/etc/z.conf", &conf,
	    err, sizeof(err)) == 0);
	CHECK_STR(conf.hosts[0].history, "/srv/a.kept");
	CHECK(titan_host_open(&conf.hosts[0]));
	CHECK(titan_host_open(&conf.hosts[1]));
	titan_rule(&conf.hosts[0], "/index.gmi", &r);
	CHECK(!r.on);
	CHECK_STR(r.token, "host-token");
	CHECK(r.max == 64 * 1024 && r.create && !r.delete);
	CHECK(r.ntypes == 2);
	CHECK(titan_type_ok(&r, "text/gemini") && titan_type_ok(&r,
	    "TEXT/Plain; charset=utf-8") && !titan_type_ok(&r, "image/png") &&
	    !titan_type_ok(&r, "text/plainx"));
	titan_rule(&conf.hosts[0], "/notes/a.gmi", &r);
	CHECK(r.on && r.max == 1024 * 1024 && r.create && r.delete);
	CHECK_STR(r.token, "host-token");
	titan_rule(&conf.hosts[0], "/notes/fixed/a.gmi", &r);
	CHECK(r.on && r.max == 1024 * 1024 && !r.create && r.delete);
	CHECK_STR(r.token, "fixed");
	CHECK(titan_type_ok(&r, "image/png") && !titan_type_ok(&r,
	    "text/plain"));
	titan_rule(&conf.hosts[0], "/closed/a.gmi", &r);
	CHECK(!r.on && r.max == 2048);
	titan_rule(&conf.hosts[0], "/notesx/a.gmi", &r);
	CHECK(!r.on);
	titan_rule(&conf.hosts[1], "/a.gmi", &r);
	CHECK(r.on && r.token == NULL);
	conf_free(&conf);
}

/* The message for a configuration TEXT refused, or "(accepted)". */
static const char *
conf_error(const char *text)
{
	static char	 err[256];
	struct conf	 conf;

	if (conf_parse(text, strlen(text), "z.conf", &conf, err,
	    sizeof(err)) == 0) {
		conf_free(&conf);
		return "(accepted)";
	}
	return err;
}

static void
test_conf_errors(void)
{
#define HOST(x)	"host h {\nroot r\ncerts c\n" x "\n}\n"
	CHECK_STR(conf_error(HOST("upload_max 65M")), "z.conf:4:12: expected "
	    "a size from 1 to 67108864 bytes (or with K or M)");
	CHECK_STR(conf_error(HOST("upload_max 0")), "z.conf:4:12: expected "
	    "a size from 1 to 67108864 bytes (or with K or M)");
	CHECK_STR(conf_error(HOST("upload_max 10G")), "z.conf:4:12: expected "
	    "a size from 1 to 67108864 bytes (or with K or M)");
	CHECK_STR(conf_error(HOST("upload_max 64M")), "(accepted)");
	CHECK_STR(conf_error(HOST("upload_max 100k")), "(accepted)");
	CHECK_STR(conf_error(HOST("upload_types")), "z.conf:4:13: expected a "
	    "media type such as \"text/gemini\", not the end of the line");
	CHECK_STR(conf_error(HOST("upload_types \"text/gemini\" text")),
	    "z.conf:4:28: expected a media type such as \"text/gemini\"");
	CHECK_STR(conf_error(HOST("titan maybe")), "z.conf:4:7: expected on "
	    "or off");
	CHECK_STR(conf_error(HOST("token \"\"")), "z.conf:5:1: expected a "
	    "token that is not empty");
	CHECK_STR(conf_error(HOST("titan on\ntitan off")), "z.conf:5:1: "
	    "\"titan\" given twice (first on line 4)");
	CHECK_STR(conf_error(HOST("location /x/ {\nhistory h\n}")),
	    "z.conf:5:1: unknown directive \"history\" in a host block");
	CHECK_STR(conf_error("host h {\nroot /srv/c/\ncerts c\nhistory "
	    "/srv/c/old\n}\n"), "z.conf:5:1: expected \"history\" outside "
	    "the capsule folder in host \"h\": it would be served");
	CHECK_STR(conf_error("host h {\nroot /srv/c\ncerts c\nhistory "
	    "/srv/c.old\n}\n"), "(accepted)");
#undef HOST
}

int
main(void)
{
	test_both_orders();
	test_percent_encoding();
	test_duplicates();
	test_unknown();
	test_size();
	test_edit();
	test_url_checks();
	test_rule();
	test_conf_errors();
	CHECK_DONE();
}
