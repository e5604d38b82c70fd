/*
 * test_collate: sort keys, case keys and search forms (src/collate.c).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "check.h"
#include "collate.h"
#include "lineholds.h"

/* The key of S in MODE, as a string the caller frees. */
static char *
key(const char *s, enum collate mode)
{
	struct buf	 b = BUF_INIT;

	collate_fold(&b, s, strlen(s), mode);
	buf_addc(&b, '\0');
	return b.data;
}

static char *
casekey(const char *s)
{
	struct buf	 b = BUF_INIT;

	collate_casefold(&b, s, strlen(s));
	buf_addc(&b, '\0');
	return b.data;
}

#define CHECK_KEY(s, mode, want) do {					\
	char *check_k = key((s), (mode));				\
	CHECK_STR(check_k, (want));					\
	free(check_k);							\
} while (0)

static void
test_sort_keys(void)
{
	char	*a, *b;

	/* DIN 5007-1: umlauts are their base letter, ß is ss */
	CHECK_KEY("M\xc3\xbcnster", COLLATE_SORT, "munster");
	CHECK_KEY("Stra\xc3\x9f" "e", COLLATE_SORT, "strasse");
	CHECK_KEY("\xc3\x86on", COLLATE_SORT, "aeon");
	CHECK_KEY("\xc5\x81\xc3\xb3" "d\xc5\xba", COLLATE_SORT, "lodz");
	/* a run of signs is one space, kept at the start */
	CHECK_KEY("Nord - Werk", COLLATE_SORT, "nord werk");
	CHECK_KEY("(Alt) Bau", COLLATE_SORT, " alt bau");
	/* another script: 0x01 and its bytes */
	CHECK_KEY("\xce\xb1", COLLATE_SORT, "\x01\xce\xb1");
	a = key("Nord-Werk", COLLATE_SORT);
	b = key("Nordbahn", COLLATE_SORT);
	CHECK(a != NULL && b != NULL && strcmp(a, b) < 0);
	free(a);
	free(b);
}

static void
test_search_forms(void)
{
	CHECK_KEY("M\xc3\xbcnster (Westf.)", COLLATE_AE, "muenster-westf");
	CHECK_KEY("M\xc3\xbcnster (Westf.)", COLLATE_A, "munster-westf");
	/* no separator at the start or the end */
	CHECK_KEY("  --GmbH--  ", COLLATE_AE, "gmbh");
	/* u and a combining diaeresis is ü */
	CHECK_KEY("Mu\xcc\x88nster", COLLATE_AE, "muenster");
	CHECK_KEY("\xce\xb1\xce\xb2", COLLATE_AE, "");
	CHECK_KEY("", COLLATE_AE, "");
}

static void
test_casefold(void)
{
	char	*a, *b;

	a = casekey("GRO\xc3\x9f" "E \xc3\x84PFEL");
	b = casekey("gro\xc3\x9f" "e \xc3\xa4pfel");
	CHECK_STR(a, "grosse \xc3\xa4pfel");
	CHECK_STR(b, "grosse \xc3\xa4pfel");
	free(a);
	free(b);
	a = casekey("\xc5\x81" "\xc3\xb3" "d\xc5\xba");	/* Łódź */
	CHECK_STR(a, "\xc5\x82\xc3\xb3" "d\xc5\xba");
	free(a);
}

static void
test_forms(void)
{
	struct buf	 b = BUF_INIT;

	/* both forms where they differ, one where they do not */
	collate_forms(&b, "M\xc3\xbcnster");
	collate_forms(&b, "Bochum");
	buf_addc(&b, '\0');
	CHECK_STR(b.data, "muenster\x01munster\nbochum\n");
	buf_free(&b);
}

/*
 * collate_fold_ae(): the COLLATE_AE form, and true exactly when the
 * COLLATE_A form differs, so that a search folds the second form only
 * then; ASCII (folded without decoding) as any other text.
 */
static void
test_fold_ae(void)
{
	static const struct {
		const char	*in, *ae, *a;
	} cases[] = {
		{ "Münster", "muenster", "munster" },
		{ "MU\xcc\x88NSTER", "muenster", "munster" },	/* U+0308 */
		{ "Muenster", "muenster", "muenster" },
		{ "Köln, Ägypten", "koeln-aegypten", "koln-agypten" },
		{ "Æsir Straße", "aesir-strasse", "aesir-strasse" },
		{ "Ørsted & Łódź", "orsted-lodz", "orsted-lodz" },
		{ " -- Hello, World! 42 -- ", "hello-world-42",
		    "hello-world-42" },
		{ "x\xcc\x88", "x", "x" },		/* no umlaut */
		{ "日本 go", "go", "go" },
		{ "", "", "" },
	};
	struct buf	 ae = BUF_INIT, a = BUF_INIT;
	char		*k;
	size_t		 i;
	bool		 differs;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		buf_reset(&ae);
		buf_reset(&a);
		differs = collate_fold_ae(&ae, cases[i].in,
		    strlen(cases[i].in));
		collate_fold(&a, cases[i].in, strlen(cases[i].in), COLLATE_A);
		buf_addc(&ae, '\0');
		buf_addc(&a, '\0');
		CHECK(strcmp(ae.data, cases[i].ae) == 0);
		CHECK(strcmp(a.data, cases[i].a) == 0);
		CHECK(differs == (strcmp(cases[i].ae, cases[i].a) != 0));
		k = key(cases[i].in, COLLATE_AE);
		CHECK(k != NULL && strcmp(ae.data, k) == 0);
		free(k);
	}
	buf_free(&ae);
	buf_free(&a);
}

/* collate_fold_both() writes what collate_fold() appends, on any bytes. */
static void
test_fold_both(void)
{
	static const char *const bits[] = {
		"a", "U", "o", "z", "9", " ", "-", ".", "\t", "ä", "Ö", "ü",
		"\xcc\x88", "ß", "\xe1\xba\x9e", "Æ", "ł", "é", "日",
		"\xff", "\xc3", "\xe2\x82", "  ", "e",
	};
	struct buf	 b = BUF_INIT, ae = BUF_INIT, a = BUF_INIT;
	char		 arr[256], arr2[256];
	uint32_t	 r = 7;
	size_t		 i, k, n, n2;

	for (i = 0; i < 3000; i++) {
		buf_reset(&b);
		for (k = 0; k < i % 17; k++) {
			r = r * 1103515245 + 12345;
			buf_adds(&b, bits[(r >> 16) % (sizeof(bits) /
			    sizeof(bits[0]))]);
		}
		buf_addc(&b, '\0');	/* never NULL, not folded */
		b.len--;
		buf_reset(&ae);
		buf_reset(&a);
		collate_fold(&ae, b.data, b.len, COLLATE_AE);
		collate_fold(&a, b.data, b.len, COLLATE_A);
		n = collate_fold_both(arr, arr2, b.data, b.len, &n2);
		CHECK(n <= b.len && n2 <= n);
		CHECK(n == ae.len && (n == 0 || memcmp(arr, ae.data, n) == 0));
		CHECK(n2 == a.len && (n2 == 0 ||
		    memcmp(arr2, a.data, n2) == 0));
	}
	buf_free(&b);
	buf_free(&ae);
	buf_free(&a);
}

/*
 * collate_may_hold(): false only if no line, nor part of one, holds the
 * query in a search form; ASCII and other text, windows of whole lines
 * (a hit past the first 4 KiB), and the queries it does not look at.
 */
static void
test_may_hold(void)
{
	static const struct {
		const char	*text, *fq;
		bool		 may;
	} cases[] = {
		{ "A water wheel.\n", "water-wheel", true },
		{ "A WATER,  Wheel\n", "water-wheel", true },
		{ "A water\nwheel\n", "water-wheel", true },	/* across */
		{ "water mill\ngear wheel\n", "water-wheel", false },
		{ "=> /water-wheel.gmi A link\n", "water-wheel", true },
		{ "Die Mühle in Münster\n", "muenster", true },
		{ "Die Mühle in Münster\n", "munster", true },
		{ "Die Mühle in Münster\n", "muester", false },
		{ "Mu\xcc\x88nster\n", "muenster", true },	/* U+0308 */
		{ "Straße\n", "strasse", true },
		{ "Strasse\n", "strase", false },
		{ "a b\n", "a-", true },		/* no look */
		{ "a b\n", "-b", true },
		{ "a b\n", "a--b", true },
		{ "", "a", false },
	};
	char	*big;
	size_t	 i, n = 3 * 4096;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		CHECK(collate_may_hold(cases[i].text, strlen(cases[i].text),
		    cases[i].fq, strlen(cases[i].fq)) == cases[i].may);
	/* many lines: the hit in the last window, or none */
	if ((big = malloc(n + 64)) == NULL)
		return;
	for (i = 0; i < n; i += 8)
		memcpy(big + i, "abc def\n", 8);
	CHECK(!collate_may_hold(big, n, "def-abc-x", 9));
	CHECK(collate_may_hold(big, n, "def-abc", 7));	/* across */
	memcpy(big + n, "x water wheel y\n", 16);
	CHECK(collate_may_hold(big, n + 16, "water-wheel", 11));
	CHECK(!collate_may_hold(big, n + 16, "water-wheels", 12));
	/* a line longer than a window: not looked at */
	memset(big, 'a', n);
	CHECK(collate_may_hold(big, n, "b", 1));
	big[n - 1] = '\n';
	CHECK(collate_may_hold(big, n, "b", 1));
	free(big);
}

/*
 * collate_may_hold() never says "no" where a line holds the query:
 * random lines of ASCII and Latin letters, umlauts as one code point
 * and as a letter and U+0308, signs and line ends (half of the texts
 * ASCII only), against queries cut from the text's forms; and ASCII
 * text with no line end gets an exact answer.
 */
static void
test_may_hold_random(void)
{
	static const char *const bits[] = {
		"a", "e", "o", "u", "s", "Ae", "OE", "ue", "ss", "St", "-",
		" ", "  ", ", ", ".", "\t", "\n", "\r\n", "ä", "Ö", "ü", "ß",
		"a\xcc\x88", "U\xcc\x88", "é", "\xcc\x88", "1", "x",
	};
	char		 text[4096 + 512], fq[16];
	struct buf	 f = BUF_INIT;
	uint32_t	 r = 7;
	size_t		 i, k, len, n, at, flen, big;
	bool		 ascii;
	int		 held;

	for (i = 0; i < 20000; i++) {
		big = i % 50 == 0;	/* past one window: 4 KiB */
		for (len = 0, ascii = true; len < (big ? 4096 + 256 : 48); ) {
			r = r * 1103515245 + 12345;
			/* half of them ASCII: the first 18 bits */
			k = (r >> 16) % (i % 2 ? 18 : sizeof(bits) /
			    sizeof(bits[0]));
			memcpy(text + len, bits[k], strlen(bits[k]));
			len += strlen(bits[k]);
			ascii = ascii && (unsigned char)bits[k][0] < 0x80;
		}
		/* a query: a piece of the text's AE form, or made up */
		buf_reset(&f);
		collate_fold(&f, text, len, (r >> 3) & 1 ? COLLATE_AE :
		    COLLATE_A);
		r = r * 1103515245 + 12345;
		if (f.len < 2)
			continue;
		at = (r >> 16) % (f.len - 1);
		n = 1 + (r >> 8) % 6;
		flen = at + n > f.len ? f.len - at : n;
		memcpy(fq, f.data + at, flen);
		fq[flen] = '\0';
		if (fq[0] == '-' || fq[flen - 1] == '-')
			continue;
		held = line_holds(text, len, fq, flen);
		CHECK(held != -1);
		if (held == 1)
			CHECK(collate_may_hold(text, len, fq, flen));
		if (ascii && memchr(text, '\n', len) == NULL)
			CHECK(collate_may_hold(text, len, fq, flen) ==
			    (held == 1));
	}
	buf_free(&f);
}

int
main(void)
{
	test_sort_keys();
	test_search_forms();
	test_casefold();
	test_forms();
	test_fold_ae();
	test_fold_both();
	test_may_hold();
	test_may_hold_random();
	CHECK_DONE();
}
