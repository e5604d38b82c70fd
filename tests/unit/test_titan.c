/*
 * test_titan: the Titan request line (src/titan.c): parameters in any
 * order, percent-encoding, duplicates, unknown parameters, a missing
 * size, sizes past 2^63, ";edit", and Gemini's host and path checks.
 */
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "check.h"
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
	CHECK_DONE();
}
