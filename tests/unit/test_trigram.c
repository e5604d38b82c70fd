/*
 * test_trigram: the trigram index over a haystack (src/trigram.c), on
 * entries that are no partners: the index must agree with one linear
 * pass for every query, and keep entry order, windows and bounds.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "trigram.h"

#define NELEM(a)	(sizeof(a) / sizeof((a)[0]))

static const char *const entries[] = {
	"gemini-protocol\x01gemini-protokoll",
	"gopher-menu",
	"spartan",
	"capsule-index\x01index",
	"gemlog-2024",
	"a",
	"",
	"search-everything-gemini",
};

struct hay {
	char	*hay;
	size_t	 off[NELEM(entries) + 1];
};

static void
make_hay(struct hay *h)
{
	size_t	 i, len = 0;

	for (i = 0; i < NELEM(entries); i++)
		len += strlen(entries[i]) + 1;
	h->hay = malloc(len + 1);
	for (i = 0, len = 0; i < NELEM(entries); i++) {
		h->off[i] = len;
		memcpy(h->hay + len, entries[i], strlen(entries[i]));
		len += strlen(entries[i]);
		h->hay[len++] = '\n';
	}
	h->off[NELEM(entries)] = len;
}

/* The index and the linear pass agree on Q; returns the hits. */
static size_t
agree(const struct trigram *ix, const char *q)
{
	size_t	 a[NELEM(entries) + 1], b[NELEM(entries) + 1], na, nb;
	bool	 partial;

	na = trigram_find(ix, q, 0, a, NELEM(a), NELEM(entries), &partial);
	nb = trigram_find_linear(ix, q, 0, b, NELEM(b), NELEM(entries));
	CHECK(!partial);
	CHECK(na == nb);
	if (na == nb)
		CHECK(memcmp(a, b, na * sizeof(*a)) == 0);
	return na;
}

static void
test_matches_linear(void)
{
	static const char *const queries[] = {
		"g", "ge", "gem", "gemi", "gemini", "protok", "x", "in",
		"index", "a", "2024", "-", "n-", "everything-gemini", "zz",
	};
	struct hay	 h;
	struct trigram	*ix;
	const char	*errstr;
	size_t		 i;

	make_hay(&h);
	ix = trigram_build(h.hay, h.off, NELEM(entries), &errstr);
	CHECK(ix != NULL);
	if (ix == NULL)
		return;
	for (i = 0; i < NELEM(queries); i++)
		agree(ix, queries[i]);
	CHECK(agree(ix, "gemini") == 2);
	CHECK(agree(ix, "protokoll") == 1);
	CHECK(agree(ix, "a") == 4);	/* spartan, capsule, a, search */
	/* not folded: nothing */
	CHECK(agree(ix, "Gemini") == 0);
	CHECK(agree(ix, "") == 0);
	trigram_free(ix);
	free(h.hay);
}

static void
test_order_and_window(void)
{
	struct hay	 h;
	struct trigram	*ix;
	const char	*errstr;
	size_t		 sel[4], n;
	bool		 partial;

	make_hay(&h);
	ix = trigram_build(h.hay, h.off, NELEM(entries), &errstr);
	CHECK(ix != NULL);
	if (ix == NULL)
		return;
	/* "e" is in entries 0, 1, 3, 4, 7: from hit 1, two of them */
	n = trigram_find(ix, "e", 1, sel, 2, 100, &partial);
	CHECK(n == 5);
	CHECK(sel[0] == 1 && sel[1] == 3);
	/* counted up to MAX + 1 only */
	n = trigram_find(ix, "e", 0, sel, 4, 2, &partial);
	CHECK(n == 3);
	CHECK(sel[0] == 0 && sel[1] == 1 && sel[2] == 3);
	n = trigram_find_linear(ix, "e", 0, sel, 4, 2);
	CHECK(n == 3);
	trigram_free(ix);
	free(h.hay);
}

static void
test_empty(void)
{
	static const size_t	 off[1] = { 0 };
	struct trigram		*ix;
	const char		*errstr;
	size_t			 sel[1];
	bool			 partial;

	ix = trigram_build("", off, 0, &errstr);
	CHECK(ix != NULL);
	CHECK(trigram_find(ix, "abc", 0, sel, 1, 10, &partial) == 0);
	CHECK(trigram_find_linear(ix, "abc", 0, sel, 1, 10) == 0);
	trigram_free(ix);
	CHECK(trigram_is_folded("a-9", 3));
	CHECK(!trigram_is_folded("a b", 3));
	CHECK(!trigram_is_folded("", 0));
}

/* Entries fed to a builder: words of a small alphabet, many of them. */
#define NFED	5000

struct fed {
	char	*form[NFED];
	size_t	 checked;	/* has() calls */
};

static bool
fed_has(const void *arg, size_t i, const char *fq, size_t len)
{
	struct fed	*f = (struct fed *)(uintptr_t)arg;

	f->checked++;
	return memmem(f->form[i], strlen(f->form[i]), fq, len) != NULL;
}

/*
 * An index fed entry by entry, with no haystack: long lists (blocks of
 * postings of many lists interleaved as they fill), candidates checked
 * by the caller, the same hits as asking every entry.
 */
static void
test_builder(void)
{
	static const char *const queries[] = {
		"a", "b", "ab", "ba", "abc", "cab", "abca", "bcab-ca",
		"aaaa", "-", "c-a", "cccc", "abcabcab", "zz", "d",
	};
	static const char	 sym[] = "abc-";
	struct fed		 f;
	struct trigram_builder	*b;
	struct trigram		*ix;
	const char		*errstr;
	uint32_t		 r = 1;
	size_t			 i, k, len, sel[64], lin[64], n, nl;
	bool			 partial;

	memset(&f, 0, sizeof(f));
	CHECK((b = trigram_builder_new()) != NULL);
	if (b == NULL)
		return;
	for (i = 0; i < NFED; i++) {
		r = r * 1103515245 + 12345;
		len = (r >> 16) % 24;
		f.form[i] = calloc(1, len + 1);
		for (k = 0; k < len; k++) {
			r = r * 1103515245 + 12345;
			f.form[i][k] = sym[(r >> 16) % 4];
		}
		CHECK(trigram_add(b, f.form[i], len) == 0);
	}
	CHECK((ix = trigram_builder_end(b, fed_has, &f, &errstr)) != NULL);
	if (ix == NULL)
		return;
	for (i = 0; i < NELEM(queries); i++) {
		n = trigram_find(ix, queries[i], 7, sel, NELEM(sel), NFED,
		    &partial);
		nl = trigram_find_linear(ix, queries[i], 7, lin, NELEM(lin),
		    NFED);
		CHECK(!partial);
		CHECK(n == nl);
		CHECK(memcmp(sel, lin, (n > 7 ? n - 7 > 64 ? 64 : n - 7 :
		    0) * sizeof(*sel)) == 0);
	}
	/* a query of three or fewer symbols is the index's alone */
	f.checked = 0;
	(void)trigram_find(ix, "abc", 0, sel, NELEM(sel), NFED, &partial);
	CHECK(f.checked == 0);
	trigram_free(ix);
	for (i = 0; i < NFED; i++)
		free(f.form[i]);
	/* a builder given up on frees what it holds */
	CHECK((b = trigram_builder_new()) != NULL);
	CHECK(trigram_add(b, "abc", 3) == 0);
	trigram_builder_free(b);
}

/* What trigram_visit() gave: the entries, up to STOP of them. */
struct seen {
	size_t	 e[NELEM(entries) + 1];
	size_t	 n, stop;
};

static bool
see(void *arg, size_t e)
{
	struct seen	*v = arg;

	v->e[v->n++] = e;
	return v->n < v->stop;
}

/*
 * trigram_visit(): for 1 to 3 symbols exactly the entries that hold the
 * query, for more each entry holding all its trigrams (a superset of
 * the hits, none of them checked), in entry order; a visit that says
 * stop stops it; and the rounds of a long query are bounded.
 */
static void
test_visit(void)
{
	static const char *const queries[] = {
		"g", "ge", "gem", "gemi", "gemini", "index", "ind", "a",
		"zz", "2024", "protokoll", "-", "l-g", "s-e",
	};
	struct hay	 h;
	struct trigram	*ix;
	struct seen	 v;
	const char	*errstr;
	size_t		 i, k, j, lin[NELEM(entries) + 1], nl;

	make_hay(&h);
	if ((ix = trigram_build(h.hay, h.off, NELEM(entries), &errstr)) ==
	    NULL) {
		CHECK(ix != NULL);
		free(h.hay);
		return;
	}
	for (i = 0; i < NELEM(queries); i++) {
		memset(&v, 0, sizeof(v));
		v.stop = SIZE_MAX;
		CHECK(trigram_visit(ix, queries[i], see, &v, 1000));
		nl = trigram_find_linear(ix, queries[i], 0, lin, NELEM(lin),
		    NELEM(entries));
		for (k = 1; k < v.n; k++)
			CHECK(v.e[k - 1] < v.e[k]);
		if (strlen(queries[i]) <= 3) {
			CHECK(v.n == nl);
			CHECK(memcmp(v.e, lin, nl * sizeof(*lin)) == 0);
			continue;
		}
		for (k = j = 0; k < nl; k++) {	/* every hit was visited */
			while (j < v.n && v.e[j] < lin[k])
				j++;
			CHECK(j < v.n && v.e[j] == lin[k]);
		}
	}
	/* "gemini": entries 0 and 7; stopped after the first */
	memset(&v, 0, sizeof(v));
	v.stop = 1;
	CHECK(trigram_visit(ix, "gemini", see, &v, 1000));
	CHECK(v.n == 1 && v.e[0] == 0);
	/* one round allowed: entry 0, then out of tries with 7 left */
	memset(&v, 0, sizeof(v));
	v.stop = SIZE_MAX;
	CHECK(!trigram_visit(ix, "gemini", see, &v, 1));
	CHECK(v.n == 1 && v.e[0] == 0);
	trigram_free(ix);
	free(h.hay);
}

#define PDOCS		600
#define PVISIT_MAX	(2 * PDOCS + 1)

static uint32_t	 pseed = 4711;
#define prnd(n)	check_rnd(&pseed, (n))

/* Random search forms: words of a few letters, "\n" between lines. */
static void
pform(char *f, size_t cap, size_t words)
{
	static const char	 sym[] = "abcde-1";
	size_t			 i, n = 0, k, len;

	for (i = 0; i < words && n + 8 < cap; i++) {
		len = 1 + prnd(5);
		for (k = 0; k < len; k++)
			f[n++] = sym[prnd(sizeof(sym) - 1)];
		f[n++] = prnd(4) == 0 ? '\n' : prnd(8) == 0 ? '\1' : '-';
	}
	f[n] = '\0';
}

static bool
pseen(void *arg, size_t e)
{
	size_t	*v = arg;

	if (v[0] + 1 < PVISIT_MAX + 1)
		v[++v[0]] = e;
	return v[0] < v[PVISIT_MAX + 1];
}

/*
 * trigram_visit_parts() over an index cut in segments, each its titles
 * then its bodies (the search's layout), built one after the other by
 * one builder (trigram_builder_take()): the same entries, in the same
 * order, and the same tries spent as trigram_visit() over one index of
 * all titles then all bodies, whatever the cuts, the tries allowed and
 * where the visitor stops.
 */
static void
test_visit_parts(void)
{
	static char		 form[2 * PDOCS][256];
	struct trigram_builder	*b;
	struct trigram		*big, *seg[PDOCS];
	struct trigram_part	 pt[2 * PDOCS];
	static size_t		 va[PVISIT_MAX + 2], vb[PVISIT_MAX + 2];
	static const size_t	 tries[] = { 1, 2, 3, 5, 8, 20, 100, 1000,
	    SIZE_MAX };
	const char		*errstr;
	char			 q[16];
	size_t			 cut[PDOCS + 1], ncut, i, k, d, t, qi, len;
	size_t			 ndiff = 0, nstopped = 0, nq = 0;
	bool			 ra, rb;

	for (i = 0; i < 2 * PDOCS; i++)
		pform(form[i], sizeof(form[i]), i < PDOCS ? 3 : 30);
	CHECK((b = trigram_builder_new()) != NULL);
	for (i = 0; i < 2 * PDOCS; i++)
		CHECK(trigram_add(b, form[i], strlen(form[i])) == 0);
	CHECK((big = trigram_builder_end(b, NULL, NULL, &errstr)) != NULL);
	/* cuts of 1 to 80 documents */
	for (ncut = 0, d = 0; d < PDOCS; d += 1 + prnd(80))
		cut[ncut++] = d;
	cut[ncut] = PDOCS;
	/* one builder for all segments, emptied by each take */
	CHECK((b = trigram_builder_new()) != NULL);
	for (k = 0; k < ncut; k++) {
		for (d = cut[k]; d < cut[k + 1]; d++)
			CHECK(trigram_add(b, form[d], strlen(form[d])) == 0);
		for (d = cut[k]; d < cut[k + 1]; d++)
			CHECK(trigram_add(b, form[PDOCS + d],
			    strlen(form[PDOCS + d])) == 0);
		CHECK((seg[k] = trigram_builder_take(b, NULL, NULL,
		    &errstr)) != NULL);
		pt[k] = (struct trigram_part){ seg[k], 0,
		    cut[k + 1] - cut[k], cut[k] };
		pt[ncut + k] = (struct trigram_part){ seg[k],
		    cut[k + 1] - cut[k], 2 * (cut[k + 1] - cut[k]),
		    PDOCS + cut[k] };
	}
	trigram_builder_free(b);
	if (big == NULL)
		return;
	for (qi = 0; qi < 400; qi++) {
		/* a piece of an entry, or random symbols */
		len = 1 + prnd(7);
		if (qi % 4 == 0)
			for (i = 0; i < len; i++)
				q[i] = "abcde-1"[prnd(7)];
		else {
			d = prnd(2 * PDOCS);
			i = strlen(form[d]);
			k = i > len ? prnd((uint32_t)(i - len)) : 0;
			memcpy(q, form[d] + k, len);
			for (i = 0; i < len; i++)
				if (q[i] == '\n' || q[i] == '\1')
					q[i] = 'a';
		}
		q[len] = '\0';
		for (t = 0; t < NELEM(tries); t++) {
			memset(va, 0, sizeof(va));
			memset(vb, 0, sizeof(vb));
			va[PVISIT_MAX + 1] = vb[PVISIT_MAX + 1] =
			    qi % 3 == 0 ? 1 + prnd(30) : SIZE_MAX;
			ra = trigram_visit(big, q, pseen, va, tries[t]);
			rb = trigram_visit_parts(pt, 2 * ncut, q, pseen, vb,
			    tries[t]);
			nq++;
			if (!ra)
				nstopped++;
			if (ra != rb || va[0] != vb[0] ||
			    memcmp(va, vb, (va[0] + 1) * sizeof(*va)) != 0) {
				if (ndiff++ < 5)
					fprintf(stderr, "parts differ: %s, "
					    "%zu tries: %zu / %zu entries\n",
					    q, tries[t], va[0], vb[0]);
			}
		}
	}
	/* not vacuous: the tries stopped many, and there were segments */
	fprintf(stderr, "parts: %zu segments, %zu visits, %zu out of tries, "
	    "%zu differ\n", ncut, nq, nstopped, ndiff);
	CHECK(ndiff == 0);
	CHECK(nstopped > 100);
	CHECK(ncut > 5);
	for (k = 0; k < ncut; k++)
		trigram_free(seg[k]);
	trigram_free(big);
}

int
main(void)
{
	test_matches_linear();
	test_order_and_window();
	test_empty();
	test_builder();
	test_visit();
	test_visit_parts();
	CHECK_DONE();
}
