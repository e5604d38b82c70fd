/*
 * test_access: the fingerprint list parser and the rules that pick a
 * list for a path (src/access.c): both spellings, any case, comments,
 * every error with its line, and the verdicts 60, 61, 62.
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "access.h"
#include "check.h"
#include "config.h"

static char	 err[512];

#define FP_A	"0123456789abcdef0123456789abcdef" \
		"0123456789abcdef0123456789abcdef"
#define FP_A_COLONS "01:23:45:67:89:AB:CD:EF:01:23:45:67:89:AB:CD:EF:" \
		"01:23:45:67:89:ab:cd:ef:01:23:45:67:89:ab:cd:ef"
#define FP_B	"ffeeddccbbaa99887766554433221100" \
		"ffeeddccbbaa99887766554433221100"

static const unsigned char fp_a[32] = {
	0x01, 0x23, 0x45, 0x67, 0x89, 0xab, 0xcd, 0xef,
	0x01, 0x23, 0x45, 0x67, 0x89, 0xab, 0xcd, 0xef,
	0x01, 0x23, 0x45, 0x67, 0x89, 0xab, 0xcd, 0xef,
	0x01, 0x23, 0x45, 0x67, 0x89, 0xab, 0xcd, 0xef,
};
static const unsigned char fp_b[32] = {
	0xff, 0xee, 0xdd, 0xcc, 0xbb, 0xaa, 0x99, 0x88,
	0x77, 0x66, 0x55, 0x44, 0x33, 0x22, 0x11, 0x00,
	0xff, 0xee, 0xdd, 0xcc, 0xbb, 0xaa, 0x99, 0x88,
	0x77, 0x66, 0x55, 0x44, 0x33, 0x22, 0x11, 0x00,
};
static const unsigned char fp_c[32] = { 0x42 };

static int
parse(const char *text, struct access_list *l)
{
	return access_list_parse(text, strlen(text), "keys.txt", l, err,
	    sizeof(err));
}

/* The error for TEXT, or "(accepted)". */
static const char *
error_of(const char *text)
{
	struct access_list	 l;

	if (parse(text, &l) == 0) {
		access_list_free(&l);
		return "(accepted)";
	}
	if (l.n != 0 || l.fp != NULL)
		return "(list not emptied)";
	return err;
}

static void
test_both_spellings_any_case(void)
{
	struct access_list	 l;

	CHECK(parse(FP_A "\n", &l) == 0);
	CHECK(l.n == 1 && access_list_has(&l, fp_a));
	access_list_free(&l);
	CHECK(parse(FP_A_COLONS "\n", &l) == 0);
	CHECK(l.n == 1 && access_list_has(&l, fp_a));
	CHECK(!access_list_has(&l, fp_b));
	access_list_free(&l);
}

static void
test_comments_blank_lines_and_twins(void)
{
	struct access_list	 l;

	CHECK(parse("# the editors\n\n   \n" FP_A "  # Ada, laptop\n"
	    "\t" FP_B "\t#Bob\r\n" FP_A_COLONS "# Ada again\n#end", &l) == 0);
	CHECK(l.n == 2);
	CHECK(access_list_has(&l, fp_a) && access_list_has(&l, fp_b));
	CHECK(!access_list_has(&l, fp_c));
	access_list_free(&l);
	/* no newline at the end; an empty file */
	CHECK(parse(FP_B, &l) == 0 && l.n == 1);
	access_list_free(&l);
	CHECK(parse("", &l) == 0 && l.n == 0 && !access_list_has(&l, fp_a));
	access_list_free(&l);
}

static void
test_errors_name_file_and_line(void)
{
	CHECK_STR(error_of("# x\n0123\n"), "keys.txt:2: expected a SHA-256 "
	    "fingerprint: 64 hex digits, or 32 pairs of them between colons");
	/* one digit too many, one too few, not hex */
	CHECK(strncmp(error_of(FP_A "0\n"), "keys.txt:1: expected a SHA", 26)
	    == 0);
	CHECK(strncmp(error_of("\n\n" FP_B "\n" FP_A "x\n"),
	    "keys.txt:4:", 11) == 0);
	CHECK(strncmp(error_of(FP_B "\n" FP_A "x"), "keys.txt:2:", 11) == 0);
	CHECK(strncmp(error_of("g123456789abcdef0123456789abcdef"
	    "0123456789abcdef0123456789abcdef"), "keys.txt:1:", 11) == 0);
	CHECK(strncmp(error_of(FP_A_COLONS ":"), "keys.txt:1:", 11) == 0);
	/* colons misplaced, or mixed with bare pairs */
	CHECK(strncmp(error_of("0:123:45:67:89:AB:CD:EF:01:23:45:67:89:AB:CD"
	    ":EF:01:23:45:67:89:ab:cd:ef:01:23:45:67:89:ab:cd:ef"),
	    "keys.txt:1:", 11) == 0);
	CHECK(strncmp(error_of("0123:45:67:89:AB:CD:EF:01:23:45:67:89:AB:CD"
	    ":EF:01:23:45:67:89:ab:cd:ef:01:23:45:67:89:ab:cd:ef:01"),
	    "keys.txt:1:", 11) == 0);
	CHECK(strncmp(error_of("01;23:45:67:89:AB:CD:EF:01:23:45:67:89:AB:CD"
	    ":EF:01:23:45:67:89:ab:cd:ef:01:23:45:67:89:ab:cd:ef"),
	    "keys.txt:1:", 11) == 0);
	CHECK(strncmp(error_of("SHA256:" FP_A), "keys.txt:1:", 11) == 0);
	/* two on a line, a comment without "#" */
	CHECK_STR(error_of(FP_A "\n" FP_A " " FP_B "\n"), "keys.txt:2: "
	    "expected one fingerprint a line, and a comment after it to "
	    "start with \"#\"");
	CHECK(strncmp(error_of(FP_A " Ada\n"), "keys.txt:1: expected one",
	    24) == 0);
}

static void
test_nul_byte(void)
{
	struct access_list	 l;
	static const char	 text[] = FP_A "\n#x\0y\n";

	CHECK(access_list_parse(text, sizeof(text) - 1, "k", &l, err,
	    sizeof(err)) == -1);
	CHECK_STR(err, "k:2: a NUL byte");
	CHECK(l.n == 0 && l.fp == NULL);
}

static void
test_fp_str(void)
{
	char	 s[ACCESS_FP_STR];

	access_fp_str(fp_a, s);
	CHECK_STR(s, "01:23:45:67:89:AB:CD:EF:01:23:45:67:89:AB:CD:EF:"
	    "01:23:45:67:89:AB:CD:EF:01:23:45:67:89:AB:CD:EF");
}

/* A list holding FP. */
static struct access_list *
list_of(const unsigned char *fp)
{
	struct access_list	*l = calloc(1, sizeof(*l));
	char			 s[ACCESS_FP_STR];

	access_fp_str(fp, s);
	if (l == NULL || parse(s, l) == -1)
		abort();
	return l;
}

static void
test_verdicts(void)
{
	struct access_list	*l = list_of(fp_a);

	CHECK(access_allows(NULL, NULL, false) == ACCESS_OK);
	CHECK(access_allows(NULL, fp_b, false) == ACCESS_OK);
	CHECK(access_allows(l, NULL, false) == ACCESS_CERT_REQUIRED);
	CHECK(access_allows(l, fp_a, true) == ACCESS_OK);
	CHECK(access_allows(l, fp_b, true) == ACCESS_CERT_NOT_AUTHORISED);
	CHECK(access_allows(l, fp_a, false) == ACCESS_CERT_NOT_VALID);
	CHECK(access_allows(l, fp_b, false) == ACCESS_CERT_NOT_VALID);
	access_list_free(l);
	free(l);
}

static void
test_rules_longest_location_wins(void)
{
	struct access_rules	*r = calloc(1, sizeof(*r));
	struct access_rule	*rule;

	/* the host: readers A; /m/: readers B, writers A; /m/x/: writers B */
	r->rules = calloc(3, sizeof(*r->rules));
	r->n = 3;
	rule = r->rules;
	rule[0].path = strdup("/");
	rule[0].readers = list_of(fp_a);
	rule[1].path = strdup("/m/x/");
	rule[1].writers = list_of(fp_b);
	rule[2].path = strdup("/m/");
	rule[2].readers = list_of(fp_b);
	rule[2].writers = list_of(fp_a);

	CHECK(access_guards_reading(r));
	CHECK(access_find(r, "/a.gmi", ACCESS_READ) == rule[0].readers);
	CHECK(access_find(r, "/m/a.gmi", ACCESS_READ) == rule[2].readers);
	CHECK(access_find(r, "/m/x/a.gmi", ACCESS_READ) == rule[2].readers);
	CHECK(access_find(r, "/mx", ACCESS_READ) == rule[0].readers);
	CHECK(access_find(r, "/a.gmi", ACCESS_WRITE) == NULL);
	CHECK(access_find(r, "/m/a.gmi", ACCESS_WRITE) == rule[2].writers);
	CHECK(access_find(r, "/m/x/a.gmi", ACCESS_WRITE) == rule[1].writers);

	CHECK(access_check_read(r, "/a.gmi", fp_a, true, false) == ACCESS_OK);
	CHECK(access_check_read(r, "/m/a.gmi", fp_a, true, false) ==
	    ACCESS_CERT_NOT_AUTHORISED);
	CHECK(access_check_read(r, "/m/a.gmi", NULL, true, false) ==
	    ACCESS_CERT_REQUIRED);
	/* nobody writes where no writers list is */
	CHECK(access_check_write(r, "/a.gmi", NULL, false) ==
	    ACCESS_CERT_REQUIRED);
	CHECK(access_check_write(r, "/a.gmi", fp_a, true) ==
	    ACCESS_CERT_NOT_AUTHORISED);
	CHECK(access_check_write(r, "/m/a.gmi", fp_a, true) == ACCESS_OK);
	CHECK(access_check_write(r, "/m/x/a.gmi", fp_a, true) ==
	    ACCESS_CERT_NOT_AUTHORISED);
	CHECK(access_check_write(r, "/m/x/a.gmi", fp_b, false) ==
	    ACCESS_CERT_NOT_VALID);
	access_rules_free(r);

	/* no rules at all: anyone reads, nobody writes */
	CHECK(!access_guards_reading(NULL));
	CHECK(access_check_read(NULL, "/", NULL, false, false) == ACCESS_OK);
	CHECK(access_check_write(NULL, "/", fp_a, true) ==
	    ACCESS_CERT_NOT_AUTHORISED);
}

static void
test_deny_refuses_whatever_else_allows(void)
{
	struct access_rules	*r = calloc(1, sizeof(*r));
	struct access_rule	*rule;

	/* the host: deny B; /m/: readers A and B, writers B; /m/ok/: deny C */
	r->rules = calloc(3, sizeof(*r->rules));
	r->n = 3;
	rule = r->rules;
	rule[0].path = strdup("/");
	rule[0].deny = list_of(fp_b);
	rule[1].path = strdup("/m/");
	if ((rule[1].readers = calloc(1, sizeof(*rule[1].readers))) == NULL ||
	    parse(FP_A "\n" FP_B "\n", rule[1].readers) == -1)
		abort();
	rule[1].writers = list_of(fp_b);
	rule[2].path = strdup("/m/ok/");
	rule[2].deny = list_of(fp_c);

	CHECK(access_guards_reading(r));
	/* an open page: anyone, but B */
	CHECK(access_check_read(r, "/a.gmi", NULL, false, false) == ACCESS_OK);
	CHECK(access_check_read(r, "/a.gmi", fp_a, true, false) == ACCESS_OK);
	CHECK(access_check_read(r, "/a.gmi", fp_b, true, false) ==
	    ACCESS_CERT_NOT_AUTHORISED);
	/* B in the readers and the writers list, and still refused */
	CHECK(access_check_read(r, "/m/a.gmi", fp_a, true, false) ==
	    ACCESS_OK);
	CHECK(access_check_read(r, "/m/a.gmi", fp_b, true, false) ==
	    ACCESS_CERT_NOT_AUTHORISED);
	CHECK(access_check_write(r, "/m/a.gmi", fp_b, true) ==
	    ACCESS_CERT_NOT_AUTHORISED);
	CHECK(access_check_read(r, "/m/a.gmi", NULL, true, false) ==
	    ACCESS_CERT_REQUIRED);
	/* the longest location's deny list: C there, not B */
	CHECK(access_check_read(r, "/m/ok/a.gmi", fp_b, true, false) ==
	    ACCESS_OK);
	CHECK(access_check_write(r, "/m/ok/a.gmi", fp_b, true) == ACCESS_OK);
	access_rules_free(r);
}

/* A stand-in for tls_ca_load: the path itself, or a failure. */
static void *
fake_ca_load(const char *path, char *e, size_t elen)
{
	if (strstr(path, "broken") != NULL) {
		snprintf(e, elen, "%s: no PEM certificate in it", path);
		return NULL;
	}
	return strdup(path);
}

static const struct access_ca_loader fake_ca = { fake_ca_load, free };

static void
test_ca_makes_a_readers_rule(void)
{
	struct conf_host	 h;
	struct conf_location	 loc[2];
	struct access_rules	*r;

	/* /club/: issued by the club's CA; /club/board/: by the board's */
	memset(&h, 0, sizeof(h));
	memset(loc, 0, sizeof(loc));
	loc[0].path = (char *)"/club/";
	loc[0].ca = (char *)"/etc/zeche/club-ca.pem";
	loc[1].path = (char *)"/club/board/";
	loc[1].ca = (char *)"/etc/zeche/board-ca.pem";
	h.locations = loc;
	h.nlocations = 2;
	CHECK(access_rules_load(&h, NULL, err, sizeof(err)) == NULL);
	CHECK_STR(err, "/etc/zeche/club-ca.pem: no CA can be read here");
	r = access_rules_load(&h, &fake_ca, err, sizeof(err));
	CHECK(r != NULL && r->n == 2);
	if (r == NULL)
		return;
	CHECK(access_guards_reading(r));
	CHECK(access_ca(r, "/a.gmi") == NULL);
	CHECK_STR(access_ca(r, "/club/a.gmi"), "/etc/zeche/club-ca.pem");
	CHECK_STR(access_ca(r, "/club/board/a.gmi"),
	    "/etc/zeche/board-ca.pem");
	CHECK(access_find(r, "/club/a.gmi", ACCESS_READ) == NULL);

	CHECK(access_check_read(r, "/a.gmi", NULL, false, false) ==
	    ACCESS_OK);
	CHECK(access_check_read(r, "/club/a.gmi", NULL, false, false) ==
	    ACCESS_CERT_REQUIRED);
	CHECK(access_check_read(r, "/club/a.gmi", fp_a, true, false) ==
	    ACCESS_CERT_NOT_AUTHORISED);
	CHECK(access_check_read(r, "/club/a.gmi", fp_a, true, true) ==
	    ACCESS_OK);
	CHECK(access_check_read(r, "/club/a.gmi", fp_a, false, true) ==
	    ACCESS_CERT_NOT_VALID);
	/* a CA grants no writes */
	CHECK(access_check_write(r, "/club/a.gmi", fp_a, true) ==
	    ACCESS_CERT_NOT_AUTHORISED);
	access_rules_free(r);

	loc[1].ca = (char *)"/etc/zeche/broken-ca.pem";
	CHECK(access_rules_load(&h, &fake_ca, err, sizeof(err)) == NULL);
	CHECK_STR(err, "/etc/zeche/broken-ca.pem: no PEM certificate in it");
}

static void
test_rules_load_reports_the_file(void)
{
	struct conf_host	 h;
	struct conf_location	 loc;
	struct access_rules	*r;
	char			 path[] = "/tmp/test_access.XXXXXX";
	char			 bad[] = "/tmp/test_access.XXXXXX";
	char			 want[600];
	FILE			*f;
	int			 fd;

	if ((fd = mkstemp(path)) == -1 || (f = fdopen(fd, "w")) == NULL)
		abort();
	fprintf(f, "# ok\n%s\n", FP_A_COLONS);
	fclose(f);
	if ((fd = mkstemp(bad)) == -1 || (f = fdopen(fd, "w")) == NULL)
		abort();
	fprintf(f, "%s\n\nnot one\n", FP_A);
	fclose(f);

	memset(&h, 0, sizeof(h));
	memset(&loc, 0, sizeof(loc));
	loc.path = (char *)"/members/";
	loc.readers = path;
	h.locations = &loc;
	h.nlocations = 1;
	r = access_rules_load(&h, NULL, err, sizeof(err));
	CHECK(r != NULL && r->n == 1);
	CHECK(access_check_read(r, "/members/a.gmi", fp_a, true, false) ==
	    ACCESS_OK);
	CHECK(access_check_read(r, "/a.gmi", NULL, true, false) == ACCESS_OK);
	access_rules_free(r);

	h.writers = bad;
	CHECK(access_rules_load(&h, NULL, err, sizeof(err)) == NULL);
	snprintf(want, sizeof(want), "%s:3: expected a SHA-256 fingerprint: "
	    "64 hex digits, or 32 pairs of them between colons", bad);
	CHECK_STR(err, want);
	h.writers = (char *)"/nonexistent/zeche-keys.txt";
	CHECK(access_rules_load(&h, NULL, err, sizeof(err)) == NULL);
	CHECK(strncmp(err, "/nonexistent/zeche-keys.txt: ", 29) == 0);
	unlink(path);
	unlink(bad);
}

int
main(void)
{
	test_both_spellings_any_case();
	test_comments_blank_lines_and_twins();
	test_errors_name_file_and_line();
	test_nul_byte();
	test_fp_str();
	test_verdicts();
	test_rules_longest_location_wins();
	test_deny_refuses_whatever_else_allows();
	test_ca_makes_a_readers_rule();
	test_rules_load_reports_the_file();
	CHECK_DONE();
}
