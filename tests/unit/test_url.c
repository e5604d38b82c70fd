/*
 * test_url: request URL parsing, path normalisation, link resolution and
 * percent-encoding (src/url.c).
 */
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "buf.h"
#include "check.h"
#include "url.h"

static char	 work[URL_MAX + 64];

/* Parse a copy of IN into U (its fields point into a static buffer). */
static int
parse(const char *in, struct url *u)
{
	const char	*errstr = NULL;
	int		 ret;

	snprintf(work, sizeof(work), "%s", in);
	ret = url_parse(work, u, &errstr);
	if (ret == -1 && errstr == NULL)
		return -2;		/* an error must say why */
	return ret;
}

/* The normalised path of the request IN, or "(rejected)". */
static const char *
path_of(const char *in)
{
	struct url	 u;

	if (parse(in, &u) != 0)
		return "(rejected)";
	return u.path;
}

static bool
rejects(const char *in)
{
	struct url	 u;

	if (parse(in, &u) == -1)
		return true;
	fprintf(stderr, "  accepted: \"%s\"\n", in);
	return false;
}

/* url_path_clean() on a copy of IN. */
static const char *
clean(const char *in)
{
	static char	 p[256];

	snprintf(p, sizeof(p), "%s", in);
	url_path_clean(p);
	return p;
}

/* url_resolve_path() into a static buffer; "(-1)" when it refuses. */
static const char *
resolve(const char *base, const char *ref)
{
	static char	 res[256];
	struct buf	 out = BUF_INIT;

	buf_adds(&out, "junk");		/* appends, never overwrites */
	if (url_resolve_path(base, ref, &out) == -1)
		snprintf(res, sizeof(res), "%s", strcmp(out.data, "junk") == 0 &&
		    out.len == 4 ? "(-1)" : "(-1, clobbered)");
	else if (strncmp(out.data, "junk", 4) != 0 ||
	    strlen(out.data) != out.len)
		snprintf(res, sizeof(res), "(clobbered: %s)", out.data);
	else
		snprintf(res, sizeof(res), "%s", out.data + 4);
	buf_free(&out);
	return res;
}

static const char *
encode(const char *in)
{
	static char	 res[256];
	struct buf	 out = BUF_INIT;

	url_encode_path(&out, in);
	snprintf(res, sizeof(res), "%s", out.data ? out.data : "");
	buf_free(&out);
	return res;
}

static void
test_parse_fields(void)
{
	struct url	 u;

	CHECK(parse("gemini://example.org:1965/a/b.gmi?x=1", &u) == 0);
	CHECK_STR(u.scheme, "gemini");
	CHECK_STR(u.host, "example.org");
	CHECK_STR(u.port, "1965");
	CHECK_STR(u.path, "/a/b.gmi");
	CHECK_STR(u.query, "x=1");
}

static void
test_scheme_and_host_lower_cased(void)
{
	struct url	 u;

	CHECK(parse("GeMiNi://ExAmPle.ORG/Readme.GMI", &u) == 0);
	CHECK_STR(u.scheme, "gemini");
	CHECK_STR(u.host, "example.org");
	CHECK_STR(u.path, "/Readme.GMI");	/* the path keeps its case */
}

static void
test_trailing_dot_host(void)
{
	struct url	 u;

	CHECK(parse("gemini://example.org./", &u) == 0);
	CHECK_STR(u.host, "example.org");
}

static void
test_ipv6_literal(void)
{
	struct url	 u;

	CHECK(parse("gemini://[::1]:1965/", &u) == 0);
	CHECK_STR(u.host, "::1");
	CHECK_STR(u.port, "1965");
	CHECK_STR(u.path, "/");
	CHECK(parse("gemini://[::1]/x", &u) == 0);
	CHECK_STR(u.host, "::1");
	CHECK(u.port == NULL);
	CHECK_STR(u.path, "/x");
	CHECK(rejects("gemini://[::1/"));
	CHECK(rejects("gemini://[::1]x/"));
}

static void
test_port(void)
{
	struct url	 u;

	CHECK(parse("gemini://h/", &u) == 0);
	CHECK(u.port == NULL);
	CHECK(parse("gemini://h:/", &u) == 0);	/* empty port: absent */
	CHECK(u.port == NULL);
	CHECK(parse("gemini://h:70", &u) == 0);
	CHECK_STR(u.port, "70");
	CHECK_STR(u.path, "/");
	/* leading zeros: the port is a number */
	CHECK(parse("gemini://h:01965/", &u) == 0);
	CHECK_STR(u.port, "01965");
	CHECK(parse("gemini://h:000000000070/", &u) == 0);
	CHECK(parse("gemini://h:0/", &u) == 0);
}

static void
test_bad_port_rejected(void)
{
	CHECK(rejects("gemini://h:abc/"));
	CHECK(rejects("gemini://h:-1/"));
	CHECK(rejects("gemini://h:19 65/"));
	CHECK(rejects("gemini://h:123456/"));
	CHECK(rejects("gemini://h:1965x/"));
	CHECK(rejects("gemini://h:65536/"));
	CHECK(rejects("gemini://h:99999/"));
	CHECK(rejects("gemini://h:0065536/"));
}

static void
test_empty_path_is_root(void)
{
	struct url	 u;

	CHECK(parse("gemini://example.org", &u) == 0);
	CHECK_STR(u.path, "/");
	CHECK(u.query == NULL);
	CHECK(parse("gemini://example.org?q", &u) == 0);
	CHECK_STR(u.path, "/");
	CHECK_STR(u.query, "q");
}

static void
test_query_kept_encoded(void)
{
	struct url	 u;

	CHECK(parse("gemini://h/search?M%C3%BCller%20+x/y", &u) == 0);
	CHECK_STR(u.path, "/search");
	CHECK_STR(u.query, "M%C3%BCller%20+x/y");
	CHECK(parse("gemini://h/?", &u) == 0);
	CHECK_STR(u.query, "");
}

static void
test_not_absolute_rejected(void)
{
	CHECK(rejects(""));
	CHECK(rejects("example.org/"));
	CHECK(rejects("/x"));
	CHECK(rejects("//host/"));
	CHECK(rejects("x"));
	CHECK(rejects(":foo"));
	CHECK(rejects("1gemini://h/"));
	CHECK(rejects("gemini:/h/"));
	CHECK(rejects("gemini:h"));
	CHECK(rejects("gemini://"));
	CHECK(rejects("gemini:///x"));
	CHECK(rejects("gemini://:1965/"));
}

static void
test_userinfo_rejected(void)
{
	struct url	 u;

	CHECK(rejects("gemini://user@h/"));
	CHECK(rejects("gemini://user:pw@h:1965/"));
	/* "@" in the path is no userinfo */
	CHECK(parse("gemini://h/a@b", &u) == 0);
	CHECK_STR(u.path, "/a@b");
}

static void
test_fragment_rejected(void)
{
	CHECK(rejects("gemini://h/#x"));
	CHECK(rejects("gemini://h/a.gmi#"));
	CHECK(rejects("gemini://h/a?q#x"));
}

static void
test_space_and_control_rejected(void)
{
	CHECK(rejects("gemini://h/a b"));
	CHECK(rejects(" gemini://h/"));
	CHECK(rejects("gemini://h/\t"));
	CHECK(rejects("gemini://h/\r"));
	CHECK(rejects("gemini://h/\n"));
	CHECK(rejects("gemini://h/\x01"));
	CHECK(rejects("gemini://h/\x7f"));
	CHECK(rejects("gemini://h/?a b"));
	/* the same bytes encoded are refused once decoded */
	CHECK(rejects("gemini://h/%0A"));
	CHECK(rejects("gemini://h/%0d%0a"));
	CHECK(rejects("gemini://h/%7F"));
	CHECK(rejects("gemini://h/%09"));
}

static void
test_bom_rejected(void)
{
	CHECK(rejects("\xef\xbb\xbfgemini://h/"));
}

static void
test_encoded_nul_rejected(void)
{
	CHECK(rejects("gemini://h/%00"));
	CHECK(rejects("gemini://h/a.gmi%00.txt"));
}

static void
test_bad_escape_rejected(void)
{
	CHECK(rejects("gemini://h/%zz"));
	CHECK(rejects("gemini://h/%4"));
	CHECK(rejects("gemini://h/%"));
	CHECK(rejects("gemini://h/%g0"));
	CHECK(rejects("gemini://h/a%4?q"));
}

static void
test_invalid_utf8_rejected(void)
{
	CHECK(rejects("gemini://h/\xff"));
	CHECK(rejects("gemini://h/\xc3"));
	CHECK(rejects("gemini://h/\xc0\xaf"));
	CHECK(rejects("gemini://h/\xed\xa0\x80"));
	CHECK(rejects("gemini://h\xff/"));
}

static void
test_invalid_utf8_after_decoding_rejected(void)
{
	CHECK(rejects("gemini://h/%FF"));
	CHECK(rejects("gemini://h/%C3"));
	CHECK(rejects("gemini://h/%C0%AF"));
	CHECK(rejects("gemini://h/%ED%A0%80"));
	CHECK(rejects("gemini://h/%F4%90%80%80"));
}

static void
test_encoded_utf8_equals_raw(void)
{
	char	 enc[64], raw[64];

	snprintf(enc, sizeof(enc), "%s",
	    path_of("gemini://h/%C3%9Cbersicht.gmi"));
	snprintf(raw, sizeof(raw), "%s",
	    path_of("gemini://h/\xc3\x9c" "bersicht.gmi"));
	CHECK_STR(enc, "/\xc3\x9c" "bersicht.gmi");
	CHECK_STR(raw, enc);
	/* lower-case hex digits decode the same */
	CHECK_STR(path_of("gemini://h/%c3%9cbersicht.gmi"), enc);
}

static void
test_plus_stays_plus(void)
{
	CHECK_STR(path_of("gemini://h/a+b.gmi"), "/a+b.gmi");
	CHECK_STR(path_of("gemini://h/a%2Bb.gmi"), "/a+b.gmi");
	CHECK_STR(path_of("gemini://h/a%20b.gmi"), "/a b.gmi");
}

static void
test_dot_segments(void)
{
	CHECK_STR(path_of("gemini://h/a/../b"), "/b");
	CHECK_STR(path_of("gemini://h/a/./b"), "/a/b");
	CHECK_STR(path_of("gemini://h/a/."), "/a/");
	CHECK_STR(path_of("gemini://h/a/.."), "/");
	CHECK_STR(path_of("gemini://h/a/b/.."), "/a/");
	CHECK_STR(path_of("gemini://h/..."), "/...");
	CHECK_STR(path_of("gemini://h/.a/..b"), "/.a/..b");
}

static void
test_dot_segments_above_root_rejected(void)
{
	const char	*errstr = NULL;
	char		 s[64];
	struct url	 u;

	CHECK(rejects("gemini://h/../../etc/passwd"));
	CHECK(rejects("gemini://h/.."));
	CHECK(rejects("gemini://h/../"));
	CHECK(rejects("gemini://h/../../"));
	CHECK(rejects("gemini://h/a/../../../b"));
	CHECK(rejects("gemini://h/a/b/../../.."));
	snprintf(s, sizeof(s), "gemini://localhost/../../");
	CHECK(url_parse(s, &u, &errstr) == -1);
	CHECK_STR(errstr, "path climbs above the root");
	/* down to the root, and no further, is fine */
	CHECK_STR(path_of("gemini://h/a/.."), "/");
	CHECK_STR(path_of("gemini://h/a/b/../../"), "/");
	CHECK_STR(path_of("gemini://h/a/../b/../c"), "/c");
}

static void
test_encoded_dot_segments(void)
{
	CHECK_STR(path_of("gemini://h/a/b/%2e%2e/%2e%2e/x"), "/x");
	CHECK_STR(path_of("gemini://h/a/b/%2E%2E/%2E%2E/x"), "/x");
	CHECK(rejects("gemini://h/a/%2e%2e/%2e%2e/x"));
	CHECK(rejects("gemini://h/%2e%2e%2f%2e%2e%2fetc/passwd"));
	CHECK_STR(path_of("gemini://h/a/%2e"), "/a/");
}

static void
test_encoded_slash_never_above_root(void)
{
	CHECK(rejects("gemini://h/a%2F..%2F..%2Fetc"));
	CHECK(rejects("gemini://h/x/a%2F..%2F..%2F..%2F..%2Fetc%2Fpasswd"));
	CHECK_STR(path_of("gemini://h/x/a%2F..%2F..%2Fetc"), "/etc");
}

static void
test_repeated_slashes_collapse(void)
{
	CHECK_STR(path_of("gemini://h//a///b/"), "/a/b/");
	CHECK_STR(path_of("gemini://h///"), "/");
	CHECK_STR(path_of("gemini://h/a//"), "/a/");
}

static void
test_path_clean(void)
{
	CHECK_STR(clean("/"), "/");
	CHECK_STR(clean("//a///b/"), "/a/b/");
	CHECK_STR(clean("/a/."), "/a/");
	CHECK_STR(clean("/a/.."), "/");
	CHECK_STR(clean("/a/b/../c/./d"), "/a/c/d");
	CHECK_STR(clean("/../../etc/passwd"), "/etc/passwd");
	CHECK_STR(clean("/a/b/c/../../../.."), "/");
	CHECK_STR(clean("/./"), "/");
}

/* url_path_clean() says whether a ".." tried to climb above the root. */
static void
test_path_clean_reports_climbing(void)
{
	char	 p[64];

	snprintf(p, sizeof(p), "/a/b/../..");
	CHECK(url_path_clean(p) == 0);
	CHECK_STR(p, "/");
	snprintf(p, sizeof(p), "/a/../..");
	CHECK(url_path_clean(p) == -1);
	CHECK_STR(p, "/");
	snprintf(p, sizeof(p), "/../x");
	CHECK(url_path_clean(p) == -1);
	CHECK_STR(p, "/x");
	snprintf(p, sizeof(p), "/x/./../y");
	CHECK(url_path_clean(p) == 0);
	CHECK_STR(p, "/y");
}

/* Parse a copy of LINE; the fields as "host|path|length", or the error. */
static const char *
spartan(const char *line)
{
	static char		 buf[2048], out[2200];
	struct spartan_request	 r;
	const char		*errstr = NULL;

	snprintf(buf, sizeof(buf), "%s", line);
	if (url_parse_spartan(buf, &r, &errstr) == -1)
		snprintf(out, sizeof(out), "error: %s", errstr);
	else
		snprintf(out, sizeof(out), "%s|%s|%zu", r.host, r.path,
		    r.content_length);
	return out;
}

static void
test_spartan_fields(void)
{
	CHECK_STR(spartan("example.org / 0"), "example.org|/|0");
	CHECK_STR(spartan("Example.ORG. /a/b.gmi 12"),
	    "example.org|/a/b.gmi|12");
	CHECK_STR(spartan("[::1] /x 0"), "::1|/x|0");
	CHECK_STR(spartan("127.0.0.1 /x 4096"), "127.0.0.1|/x|4096");
	CHECK_STR(spartan("h /m%C3%BCnster/ 0"), "h|/münster/|0");
	CHECK_STR(spartan("h //a/./b/../c 0"), "h|/a/c|0");
	CHECK_STR(spartan("h /a/.. 0"), "h|/|0");
	CHECK_STR(spartan("h / 007"), "h|/|7");
}

static void
test_spartan_rejects(void)
{
	CHECK(strncmp(spartan("h / 4097"), "error: content length over", 26)
	    == 0);
	CHECK(strncmp(spartan("h / 99999999999999999999999999"),
	    "error: content length over", 26) == 0);
	CHECK(strncmp(spartan("h / -1"), "error: the content length", 25)
	    == 0);
	CHECK(strncmp(spartan("h / "), "error: the content length", 25) == 0);
	CHECK(strncmp(spartan("h / 1x"), "error: the content length", 25)
	    == 0);
	CHECK(strncmp(spartan("h /"), "error: the request line", 23) == 0);
	CHECK(strncmp(spartan("h  / 0"), "error:", 6) == 0);
	CHECK(strncmp(spartan("h / 0 "), "error: the request line", 23) == 0);
	CHECK(strncmp(spartan(" / 0"), "error: bad host", 15) == 0);
	CHECK(strncmp(spartan("h_x / 0"), "error: bad host", 15) == 0);
	CHECK(strncmp(spartan("u@h / 0"), "error: bad host", 15) == 0);
	/* an empty label: the trailing dot is dropped once, not again */
	CHECK(strncmp(spartan("h.. / 0"), "error: bad host", 15) == 0);
	CHECK(strncmp(spartan(".h / 0"), "error: bad host", 15) == 0);
	CHECK(strncmp(spartan("a..b / 0"), "error: bad host", 15) == 0);
	CHECK(strncmp(spartan(". / 0"), "error: bad host", 15) == 0);
	CHECK_STR(spartan("[::..] /x 0"), "::..|/x|0");
	CHECK(strncmp(spartan("h x 0"), "error: the path must be", 23) == 0);
	CHECK(strncmp(spartan("h /.. 0"), "error: path climbs above the root", 33)
	    == 0);
	CHECK(strncmp(spartan("h /a/../../b 0"),
	    "error: path climbs above the root", 33) == 0);
	CHECK(strncmp(spartan("h /%2e%2e/x 0"),
	    "error: path climbs above the root", 33) == 0);
	CHECK(strncmp(spartan("h /%00 0"), "error: bad percent", 18) == 0);
	CHECK(strncmp(spartan("h /%zz 0"), "error: bad percent", 18) == 0);
	CHECK(strncmp(spartan("h /%0a 0"), "error: control character in "
	    "path", 32) == 0);
	CHECK(strncmp(spartan("h /%ff 0"), "error: path is not UTF-8", 24)
	    == 0);
	CHECK(strncmp(spartan("h /\t 0"), "error: control character", 24)
	    == 0);
	CHECK(strncmp(spartan("h /\x7f 0"), "error: control character", 24)
	    == 0);
	CHECK(strncmp(spartan("h /\xc3\xbc 0"), "error: non-ASCII", 16)
	    == 0);
	CHECK(strncmp(spartan("h\xc3\xbc / 0"), "error: non-ASCII", 16)
	    == 0);
}

static void
test_resolve_relative(void)
{
	CHECK_STR(resolve("/f/a.gmi", "b.gmi"), "/f/b.gmi");
	CHECK_STR(resolve("/f/a.gmi", "./"), "/f/");
	CHECK_STR(resolve("/f/a.gmi", "."), "/f/");
	CHECK_STR(resolve("/f/a.gmi", "../"), "/");
	CHECK_STR(resolve("/f/a.gmi", ".."), "/");
	CHECK_STR(resolve("/f/a.gmi", "../../../x"), "/x");
	CHECK_STR(resolve("/f/a.gmi", "sub/c.gmi"), "/f/sub/c.gmi");
	CHECK_STR(resolve("/f/", "b.gmi"), "/f/b.gmi");
	CHECK_STR(resolve("/", "b.gmi"), "/b.gmi");
	CHECK_STR(resolve("/f/a.gmi", "%C3%BC.gmi"), "/f/\xc3\xbc.gmi");
}

static void
test_resolve_absolute_path(void)
{
	CHECK_STR(resolve("/f/a.gmi", "/x"), "/x");
	CHECK_STR(resolve("/f/a.gmi", "/"), "/");
	CHECK_STR(resolve("/f/a.gmi", "/x/../y/"), "/y/");
}

static void
test_resolve_other_capsule_refused(void)
{
	CHECK_STR(resolve("/f/a.gmi", "gemini://example.org/x"), "(-1)");
	CHECK_STR(resolve("/f/a.gmi", "GEMINI://example.org/x"), "(-1)");
	CHECK_STR(resolve("/f/a.gmi", "//host/x"), "(-1)");
	CHECK_STR(resolve("/f/a.gmi", "mailto:x"), "(-1)");
	CHECK_STR(resolve("/f/a.gmi", "https://example.org/"), "(-1)");
	/* a colon after a slash is no scheme */
	CHECK_STR(resolve("/f/a.gmi", "./a:b"), "/f/a:b");
}

static void
test_resolve_drops_query_and_fragment(void)
{
	CHECK_STR(resolve("/f/a.gmi", "b.gmi?x=1"), "/f/b.gmi");
	CHECK_STR(resolve("/f/a.gmi", "b.gmi#top"), "/f/b.gmi");
	CHECK_STR(resolve("/f/a.gmi", "b.gmi?x=1#top"), "/f/b.gmi");
	CHECK_STR(resolve("/f/a.gmi", "/x?y"), "/x");
}

static void
test_resolve_empty_path_is_base_page(void)
{
	CHECK_STR(resolve("/f/a.gmi", ""), "/f/a.gmi");
	CHECK_STR(resolve("/f/a.gmi", "#top"), "/f/a.gmi");
	CHECK_STR(resolve("/f/a.gmi", "?q"), "/f/a.gmi");
	CHECK_STR(resolve("/f/", "#top"), "/f/");
}

static void
test_resolve_bad_escape_refused(void)
{
	CHECK_STR(resolve("/f/a.gmi", "%41%zz.gmi"), "(-1)");
	CHECK_STR(resolve("/f/a.gmi", "a%4"), "(-1)");
	CHECK_STR(resolve("/f/a.gmi", "b%"), "(-1)");
	CHECK_STR(resolve("/f/a.gmi", "%00x"), "(-1)");
}

static void
test_encode_keeps_unreserved(void)
{
	CHECK_STR(encode("abcxyzABCXYZ0189-._~/"), "abcxyzABCXYZ0189-._~/");
	CHECK_STR(encode(""), "");
}

static void
test_encode_escapes_the_rest(void)
{
	CHECK_STR(encode("a b"), "a%20b");
	CHECK_STR(encode("\xc3\xbc"), "%C3%BC");
	CHECK_STR(encode("/f/M\xc3\xbcller Stra\xc3\x9f" "e.gmi"),
	    "/f/M%C3%BCller%20Stra%C3%9Fe.gmi");
	CHECK_STR(encode("?#%+&="), "%3F%23%25%2B%26%3D");
}

static void
test_decode(void)
{
	char	 s[64];

	snprintf(s, sizeof(s), "a%%20b%%2fc%%C3%%BC");
	CHECK(url_decode(s) == 7);
	CHECK_STR(s, "a b/c\xc3\xbc");
	snprintf(s, sizeof(s), "plain+text");
	CHECK(url_decode(s) == 10);
	CHECK_STR(s, "plain+text");
	snprintf(s, sizeof(s), "%s", "");
	CHECK(url_decode(s) == 0);
	snprintf(s, sizeof(s), "%%zz");
	CHECK(url_decode(s) == -1);
	snprintf(s, sizeof(s), "%%4");
	CHECK(url_decode(s) == -1);
	snprintf(s, sizeof(s), "x%%");
	CHECK(url_decode(s) == -1);
	snprintf(s, sizeof(s), "%%00");
	CHECK(url_decode(s) == -1);
}

static void
test_encode_decode_round_trip(void)
{
	static const char	*in = "/f/\xc3\x9c" "ber sicht?#%.gmi";
	char			 s[128];

	snprintf(s, sizeof(s), "%s", encode(in));
	CHECK(url_decode(s) == (int)strlen(in));
	CHECK_STR(s, in);
}

/* url_own_path() into a static buffer; "(-1)" when it refuses. */
static const char *
own(const char *url, const char *port)
{
	static char	 res[256];
	struct buf	 out = BUF_INIT;

	if (url_own_path(url, "example.org", port, &out) == -1)
		snprintf(res, sizeof(res), "(-1)");
	else
		snprintf(res, sizeof(res), "%s", out.data);
	buf_free(&out);
	return res;
}

static void
test_own_path(void)
{
	CHECK_STR(own("gemini://example.org/a.gmi", "1965"), "/a.gmi");
	CHECK_STR(own("gemini://EXAMPLE.org./a%20b.gmi?q", "1965"), "/a b.gmi");
	CHECK_STR(own("gemini://example.org", "1965"), "/");
	CHECK_STR(own("gemini://example.org:1965/x/../y/", "1965"), "/y/");
	CHECK_STR(own("gemini://example.org:01966/a", "1966"), "/a");
	CHECK_STR(own("gemini://example.org/a", "1966"), "(-1)");
	CHECK_STR(own("gemini://example.org:1967/a", "1966"), "(-1)");
	CHECK_STR(own("gemini://example.org.evil/a", "1965"), "(-1)");
	CHECK_STR(own("gemini://example.orgx/a", "1965"), "(-1)");
	CHECK_STR(own("gopher://example.org/a", "1965"), "(-1)");
	CHECK_STR(own("https://example.org/a", "1965"), "(-1)");
}

int
main(void)
{
	test_parse_fields();
	test_scheme_and_host_lower_cased();
	test_trailing_dot_host();
	test_ipv6_literal();
	test_port();
	test_bad_port_rejected();
	test_empty_path_is_root();
	test_query_kept_encoded();
	test_not_absolute_rejected();
	test_userinfo_rejected();
	test_fragment_rejected();
	test_space_and_control_rejected();
	test_bom_rejected();
	test_encoded_nul_rejected();
	test_bad_escape_rejected();
	test_invalid_utf8_rejected();
	test_invalid_utf8_after_decoding_rejected();
	test_encoded_utf8_equals_raw();
	test_plus_stays_plus();
	test_dot_segments();
	test_dot_segments_above_root_rejected();
	test_encoded_dot_segments();
	test_encoded_slash_never_above_root();
	test_repeated_slashes_collapse();
	test_path_clean();
	test_path_clean_reports_climbing();
	test_spartan_fields();
	test_spartan_rejects();
	test_resolve_relative();
	test_resolve_absolute_path();
	test_resolve_other_capsule_refused();
	test_resolve_drops_query_and_fragment();
	test_resolve_empty_path_is_base_page();
	test_resolve_bad_escape_refused();
	test_encode_keeps_unreserved();
	test_encode_escapes_the_rest();
	test_decode();
	test_encode_decode_round_trip();
	test_own_path();
	CHECK_DONE();
}
