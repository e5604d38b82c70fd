/*
 * search: the capsule-wide search (search.h).  A trigram index over
 * titles and bodies in segments of pages, built at load from the pages'
 * bodies (never their parse), a segment shared with the next load's
 * index while its pages stay; the partner directory's own index is asked
 * for the partners.
 * Must not know a protocol: results are gemtext in a struct result, as
 * every section's.
 */
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "collate.h"
#include "gemtext.h"
#include "msg.h"
#include "partners.h"
#include "search.h"
#include "section.h"
#include "site.h"
#include "trigram.h"
#include "url.h"
#include "utf8.h"

/* One searched page, borrowed from the site; its title is the search's. */
struct doc {
	struct page		*pg;
	const char		*title;		/* the site's, then its */
						/* segment's copy */
	const char		*date;		/* an article's, or NULL */
	bool			 wide;		/* its body has bytes past */
						/* ASCII: read at */
						/* SEARCH_WIDE_COST */
};

/*
 * What a segment's documents' paths, titles and bodies make, whichever
 * pages hold them: entry I < n is document I's title, entry n + I its
 * body's text: the search forms of its lines, a separator between lines,
 * so that no trigram spans two.  No text is kept but the titles: a
 * candidate body is read line by line from the page (search_line()),
 * each line checked, and excerpts are cut from it.
 */
struct segix {
	atomic_int		 refs;		/* the segments that hold it */
	char			*titles;	/* owned: n titles, NUL-ended */
	size_t			*toff;		/* owned: where each starts */
	bool			*wide;		/* owned: a body with bytes */
						/* past ASCII */
	struct trigram		*ix;		/* owned */
};

/*
 * A segment: the index of a run of documents that follow each other in
 * rank order, shared by the indexes of the loads whose documents there
 * are the same pages with the same titles; its segix also by those
 * whose pages there have the same paths and bodies (a page made again
 * from the same file).  Immutable once built; freed with the last index
 * that holds it.
 */
struct seg {
	atomic_int		 refs;		/* the indexes that hold it */
	size_t			 n;
	struct page		**pg;		/* counted (page_ref()): so */
						/* that no other page has */
						/* its address while it lives */
	struct segix		*x;		/* counted */
};

/* The segments of one index, in rank order; counted, immutable. */
struct segset {
	atomic_int		 refs;
	size_t			 n;
	struct seg		**segs;		/* owned array, each counted */
};

struct search {
	char			*base;		/* owned: "/search" */
	char			*base_enc;	/* owned: for links */
	const struct msg_table	*msg;		/* static */
	const struct partners	*ps;		/* borrowed, or NULL */
	struct doc		*docs;		/* owned: in rank order */
	size_t			 n;
	struct segset		*set;		/* counted: the index */
	struct trigram_part	*parts;		/* owned: the segments' */
	size_t			 nparts;	/* titles, then their bodies */
	size_t			 shared;	/* segments taken from prev */
	atomic_bool		 ready;		/* the index is built: the */
						/* fields above are read */
						/* only once it is set */
	pthread_mutex_t		 mtx;		/* guards prev, and set and */
						/* ready being set */
	struct segset		*prev;		/* counted: the last load's */
						/* segments, until the index */
						/* is built */
};

/*
 * Where segments end: after a document whose path hashes to 0 modulo
 * SEG_AVG, once the segment has SEG_MIN documents, or at SEG_MAX.  The
 * cuts depend on the documents around them only, so a document edited,
 * added or removed changes the segment it is in (and the next, at
 * times), and the others are the last load's.
 */
#define SEG_MIN		128
#define SEG_AVG		512
#define SEG_MAX		2048

#define M(se, id)	msg_get((se)->msg, (id))

static int
doc_cmp(const void *a, const void *b)
{
	const struct doc	*x = a, *y = b;
	int			 c;

	/* dated first, newest first; then by path */
	if (x->date != NULL && y->date != NULL &&
	    (c = strcmp(y->date, x->date)) != 0)
		return c;
	if ((x->date == NULL) != (y->date == NULL))
		return x->date == NULL ? 1 : -1;
	return strcmp(x->pg->path, y->pg->path);
}

static int
ptr_cmp(const void *a, const void *b)
{
	uintptr_t	 x = (uintptr_t)((const struct doc *)a)->pg;
	uintptr_t	 y = (uintptr_t)((const struct doc *)b)->pg;

	return x < y ? -1 : x > y;
}

/*
 * The documents of S into SE->docs in rank order: every article, then
 * every other gemtext page that is a capsule file.  0 or -1.
 */
static int
collect(struct search *se, const struct site *s)
{
	struct doc	*d, key, *hit;
	size_t		 i, j, na = 0, n = 0;

	for (i = 0; i < s->nblogs; i++)
		na += s->blogs[i].narticles;
	if ((d = calloc(na + s->npages + 1, sizeof(*d))) == NULL)
		return -1;
	for (i = 0; i < s->nblogs; i++)
		for (j = 0; j < s->blogs[i].narticles; j++) {
			d[n].pg = s->blogs[i].articles[j].page;
			d[n].title = s->blogs[i].articles[j].title;
			d[n++].date = s->blogs[i].articles[j].date;
		}
	/* the articles by page, to leave them out of the other pages */
	qsort(d, n, sizeof(*d), ptr_cmp);
	for (i = 0; i < s->npages; i++) {
		key.pg = s->pages[i];
		if (!s->pages[i]->is_gemtext || s->pages[i]->generated ||
		    (na > 0 && (hit = bsearch(&key, d, na, sizeof(*d),
		    ptr_cmp)) != NULL))
			continue;
		d[n].pg = s->pages[i];
		d[n++].title = s->pages[i]->doc.title;
	}
	for (i = 0; i < n; i++)
		if (d[i].title == NULL || d[i].title[0] == '\0')
			d[i].title = d[i].pg->path;
	qsort(d, n, sizeof(*d), doc_cmp);
	se->docs = d;
	se->n = n;
	return 0;
}

static bool
is_ws(char c)
{
	return c == ' ' || c == '\t';
}

/* The line S..E (its LF not in it) as search_line() reads it. */
static void
read_line(const char *s, const char *e, bool *in_pre, struct search_line *l)
{
	if (e > s && e[-1] == '\r')
		e--;
	l->type = GEMTEXT_TEXT;
	if (e - s >= 3 && memcmp(s, "```", 3) == 0) {
		l->type = *in_pre ? GEMTEXT_PRE_END : GEMTEXT_PRE_START;
		*in_pre = !*in_pre;
		s += 3;
	} else if (*in_pre) {
		l->type = GEMTEXT_PRE;
		goto done;		/* as it is */
	} else if (e - s >= 2 && memcmp(s, "=>", 2) == 0) {
		l->type = GEMTEXT_LINK;
		for (s += 2; s < e && is_ws(*s); s++)
			;
		while (s < e && !is_ws(*s))	/* the URL */
			s++;
	} else if (e - s >= 3 && memcmp(s, "###", 3) == 0) {
		l->type = GEMTEXT_H3;
		s += 3;
	} else if (e - s >= 2 && memcmp(s, "##", 2) == 0) {
		l->type = GEMTEXT_H2;
		s += 2;
	} else if (e > s && s[0] == '#') {
		l->type = GEMTEXT_H1;
		s += 1;
	} else if (e - s >= 2 && s[0] == '*' && s[1] == ' ') {
		l->type = GEMTEXT_LIST;
		s += 2;
	} else if (e > s && s[0] == '>') {
		l->type = GEMTEXT_QUOTE;
		s += 1;
	}
	if (l->type != GEMTEXT_TEXT)
		while (s < e && is_ws(*s))
			s++;
	while (e > s && is_ws(e[-1]))
		e--;
 done:
	l->text = s;
	l->len = (size_t)(e - s);
}

size_t
search_line(const char *body, size_t len, size_t at, bool *in_pre,
    struct search_line *l)
{
	const char	*nl;

	if ((nl = memchr(body + at, '\n', len - at)) == NULL) {
		read_line(body + at, body + len, in_pre, l);
		return len;
	}
	read_line(body + at, nl, in_pre, l);
	return (size_t)(nl - body) + 1;
}

/* The first byte of the lines of a body: past a byte order mark. */
static size_t
body_start(const struct page *pg)
{
	return pg->body_len >= 3 && memcmp(pg->body, "\xef\xbb\xbf", 3) == 0 ?
	    3 : 0;
}

/*
 * TEXT's search forms into F, which has room for 2 * LEN + 1 bytes, as
 * collate_forms() makes them: the COLLATE_AE form, and "\1" and the
 * COLLATE_A form if it differs (neither is longer than TEXT).  Returns
 * their length.
 */
static size_t
forms(char *f, const char *text, size_t len)
{
	size_t	 n, na;

	n = collate_fold_both(f, f + len + 1, text, len, &na);
	if (na == n)
		return n;
	f[n] = '\1';
	memmove(f + n + 1, f + len + 1, na);
	return n + 1 + na;
}

/*
 * True if TEXT holds V (VLEN > 0 bytes) as it is, or with its first
 * letter in upper case.
 */
static bool
raw_has(const char *text, size_t len, const char *v, size_t vlen)
{
	const char	*p = text + 1, *m;

	if (vlen < 2 || v[0] < 'a' || v[0] > 'z')
		return memmem(text, len, v, vlen) != NULL;
	if (len < vlen)
		return false;
	/* past its first letter, then that letter in either case */
	while ((m = memmem(p, len - (size_t)(p - text), v + 1, vlen - 1)) !=
	    NULL) {
		if (m[-1] == v[0] || m[-1] == v[0] - 'a' + 'A')
			return true;
		p = m + 1;
	}
	return false;
}

/*
 * A quick look for FQ in the UTF-8 TEXT as it is: FQ with a space for
 * each "-", and then with ä, ö, ü and ß for "ae", "oe", "ue" and "ss",
 * each also with its first letter in upper case.  Any of them in TEXT
 * folds to FQ (a letter to itself or its pair, a space between letters
 * to "-"), so true means a hit; false means "fold and look".  Not for a
 * query with a "-" at either end or two in a row, which no search form
 * holds where a space would be (a query from a request's path may).
 */
static bool
quick_has(const char *text, size_t len, const char *fq, size_t flen)
{
	char	 v[2 * SEARCH_QUERY_MAX + 1];
	size_t	 i, n = 0;
	bool	 pairs = false;

	if (flen == 0 || flen > SEARCH_QUERY_MAX || fq[0] == '-' ||
	    fq[flen - 1] == '-' || memmem(fq, flen, "--", 2) != NULL)
		return false;
	for (i = 0; i < flen; i++)
		v[i] = fq[i] == '-' ? ' ' : fq[i];
	if (raw_has(text, len, v, flen))
		return true;
	for (i = 0; i < flen; i++) {
		if (i + 1 < flen && fq[i + 1] == 'e' && (fq[i] == 'a' ||
		    fq[i] == 'o' || fq[i] == 'u')) {
			v[n++] = '\xc3';
			v[n++] = fq[i] == 'a' ? '\xa4' : fq[i] == 'o' ?
			    '\xb6' : '\xbc';
			pairs = true;
			i++;
		} else if (i + 1 < flen && fq[i] == 's' && fq[i + 1] == 's') {
			v[n++] = '\xc3';
			v[n++] = '\x9f';
			pairs = true;
			i++;
		} else
			v[n++] = fq[i] == '-' ? ' ' : fq[i];
	}
	return pairs && raw_has(text, len, v, n);
}

/* True if TEXT holds FQ in one of its search forms. */
static bool
text_has(const char *text, size_t len, const char *fq, size_t flen)
{
	char		 form[1024], form2[1024], *f;
	size_t		 n, n2;
	bool		 hit;

	if (quick_has(text, len, fq, flen))
		return true;
	if (len <= sizeof(form)) {	/* most lines: no allocation */
		n = collate_fold_both(form, form2, text, len, &n2);
		return memmem(form, n, fq, flen) != NULL ||
		    (n2 < n && memmem(form2, n2, fq, flen) != NULL);
	}
	if ((f = malloc(2 * len + 1)) == NULL)
		return false;
	n = forms(f, text, len);
	hit = memmem(f, n, fq, flen) != NULL;
	free(f);
	return hit;
}

/* Room for WANT bytes in *F (*CAP bytes), grown by doubling. */
static bool
room(char **f, size_t *cap, size_t want)
{
	char	*p;
	size_t	 n;

	if (want <= *cap)
		return true;
	for (n = *cap < 4096 ? 4096 : *cap; n < want; n *= 2)
		;
	if ((p = realloc(*f, n)) == NULL)
		return false;
	*f = p;
	*cap = n;
	return true;
}

/*
 * The lines of document D's body that hold FQ, counted up to MAX: what
 * is past it is not read.  A candidate of a query of four symbols or
 * more is first looked at whole (collate_may_hold()): most candidates
 * of a query of two words hold its trigrams, but not the query.
 */
static size_t
lines_hit(const struct page *pg, const char *fq, size_t flen, size_t max)
{
	struct search_line	 l;
	size_t			 at, next, n = 0;
	bool			 in_pre = false;

	if (pg->body == NULL || (flen > 3 &&
	    !collate_may_hold(pg->body, pg->body_len, fq, flen)))
		return 0;
	for (at = body_start(pg); at < pg->body_len && n < max; at = next) {
		next = search_line(pg->body, pg->body_len, at, &in_pre, &l);
		/* the same look at the line, then at its text */
		if ((flen <= 3 || collate_may_hold(pg->body + at, next - at,
		    fq, flen)) && text_has(l.text, l.len, fq, flen))
			n++;
	}
	return n;
}


/* True if the LEN bytes at S are all ASCII. */
static bool
is_ascii(const char *s, size_t len)
{
	const unsigned char	*u = (const unsigned char *)s;
	unsigned char		 or = 0;
	size_t			 i;

	for (i = 0; i < len; i++)
		or |= u[i];
	return or < 0x80;
}

static void
segix_unref(struct segix *x)
{
	if (x == NULL || atomic_fetch_sub_explicit(&x->refs, 1,
	    memory_order_acq_rel) > 1)
		return;
	trigram_free(x->ix);
	free(x->titles);
	free(x->toff);
	free(x->wide);
	free(x);
}

static void
seg_unref(struct seg *g)
{
	size_t	 i;

	if (g == NULL || atomic_fetch_sub_explicit(&g->refs, 1,
	    memory_order_acq_rel) > 1)
		return;
	segix_unref(g->x);
	if (g->pg != NULL)
		for (i = 0; i < g->n; i++)
			page_free(g->pg[i]);
	free(g->pg);
	free(g);
}

/* A segment of the N documents D (their pages counted) over X (taken). */
static struct seg *
seg_new(const struct doc *d, size_t n, struct segix *x)
{
	struct seg	*g;

	if ((g = calloc(1, sizeof(*g))) == NULL ||
	    (g->pg = calloc(n, sizeof(*g->pg))) == NULL) {
		free(g);
		segix_unref(x);
		return NULL;
	}
	atomic_init(&g->refs, 1);
	g->x = x;
	for (g->n = 0; g->n < n; g->n++) {
		page_ref(d[g->n].pg);
		g->pg[g->n] = d[g->n].pg;
	}
	return g;
}

static void
segset_ref(struct segset *set)
{
	if (set != NULL)
		atomic_fetch_add_explicit(&set->refs, 1, memory_order_relaxed);
}

static void
segset_unref(struct segset *set)
{
	size_t	 i;

	if (set == NULL || atomic_fetch_sub_explicit(&set->refs, 1,
	    memory_order_acq_rel) > 1)
		return;
	for (i = 0; i < set->n; i++)
		seg_unref(set->segs[i]);
	free(set->segs);
	free(set);
}

/*
 * The segment index of the N documents D: a copy of their titles, and
 * the index over the titles, then the bodies, one entry a body: the
 * search forms of its lines, each line folded once, a "\n" after each,
 * given to the index in one pass.  NULL on a failure.  The search reads
 * it through trigram_visit_parts() only, which checks no candidate: it
 * has no check of its own.
 */
static struct segix *
segix_build(const struct doc *d, size_t n, struct trigram_builder *b,
    const char **errstr)
{
	struct search_line	 l;
	struct segix		*g;
	const struct page	*pg;
	const char		*t;
	char			*f = NULL;
	size_t			 i, at, len, cap = 0;
	bool			 in_pre;

	if ((g = calloc(1, sizeof(*g))) == NULL)
		return NULL;
	atomic_init(&g->refs, 1);
	for (i = 0, len = 0; i < n; i++)
		len += strlen(d[i].title) + 1;
	if ((g->toff = calloc(n, sizeof(*g->toff))) == NULL ||
	    (g->wide = calloc(n, sizeof(*g->wide))) == NULL ||
	    (g->titles = malloc(len)) == NULL)
		goto bad;
	for (i = 0, at = 0; i < n; i++) {
		len = strlen(d[i].title) + 1;
		memcpy(g->titles + at, d[i].title, len);
		g->toff[i] = at;
		at += len;
	}
	for (i = 0; i < n; i++) {
		t = g->titles + g->toff[i];
		if (!room(&f, &cap, 2 * strlen(t) + 1))
			goto bad;
		(void)trigram_add(b, f, forms(f, t, strlen(t)));
	}
	for (i = 0; i < n; i++) {
		pg = d[i].pg;
		g->wide[i] = pg->body != NULL &&
		    !is_ascii(pg->body, pg->body_len);
		in_pre = false;
		len = 0;
		for (at = body_start(pg); pg->body != NULL &&
		    at < pg->body_len; ) {
			at = search_line(pg->body, pg->body_len, at, &in_pre,
			    &l);
			/* the forms at F + LEN, then the "\n" */
			if (!room(&f, &cap, len + 2 * l.len + 2))
				goto bad;
			len += forms(f + len, l.text, l.len);
			f[len++] = '\n';
		}
		(void)trigram_add(b, f, len);
	}
	free(f);
	f = NULL;
	if ((g->ix = trigram_builder_take(b, NULL, NULL, errstr)) == NULL)
		goto bad;
	return g;
 bad:
	free(f);
	(void)trigram_builder_take(b, NULL, NULL, errstr); /* emptied */
	segix_unref(g);
	return NULL;
}

/* True if pages A and B are searched alike: the same path and body. */
static bool
page_same(const struct page *a, const struct page *b)
{
	return a == b || (strcmp(a->path, b->path) == 0 &&
	    a->body_len == b->body_len && (a->body_len == 0 ||
	    (a->body != NULL && b->body != NULL &&
	    memcmp(a->body, b->body, a->body_len) == 0)));
}

/*
 * How G indexes the N documents D: 2 the same pages and titles, 1 the
 * same paths, bodies and titles (G's index serves), 0 not.
 */
static int
seg_is(const struct seg *g, const struct doc *d, size_t n)
{
	size_t	 i;
	int	 how = 2;

	if (g->n != n)
		return 0;
	for (i = 0; i < n; i++) {
		if (strcmp(g->x->titles + g->x->toff[i], d[i].title) != 0 ||
		    !page_same(g->pg[i], d[i].pg))
			return 0;
		if (g->pg[i] != d[i].pg)
			how = 1;
	}
	return how;
}

/* FNV-1a of S, mixed: where segments end (SEG_AVG). */
static uint64_t
path_hash(const char *s)
{
	uint64_t	 h = 0xcbf29ce484222325ULL;

	for (; *s != '\0'; s++)
		h = (h ^ (unsigned char)*s) * 0x100000001b3ULL;
	h ^= h >> 33;
	h *= 0xff51afd7ed558ccdULL;
	h ^= h >> 33;
	return h;
}

static int
seg_first_cmp(const void *a, const void *b)
{
	return strcmp((*(struct seg *const *)a)->pg[0]->path,
	    (*(struct seg *const *)b)->pg[0]->path);
}

/*
 * The segment of the N documents D, counted: one of PREV (sorted by
 * first path, NP) if it indexes them, or one over its index if that
 * serves (*SHARED set then), else built; NULL on a failure.
 */
static struct seg *
seg_get(struct seg **prev, size_t np, const struct doc *d, size_t n,
    struct trigram_builder **b, bool *shared, const char **errstr)
{
	struct segix	*x;
	size_t		 lo = 0, hi = np, mid;
	int		 how;

	*shared = true;
	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if (strcmp(prev[mid]->pg[0]->path, d[0].pg->path) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	for (; lo < np && strcmp(prev[lo]->pg[0]->path, d[0].pg->path) == 0;
	    lo++) {
		if ((how = seg_is(prev[lo], d, n)) == 2) {
			atomic_fetch_add_explicit(&prev[lo]->refs, 1,
			    memory_order_relaxed);
			return prev[lo];
		}
		if (how == 1) {
			x = prev[lo]->x;
			atomic_fetch_add_explicit(&x->refs, 1,
			    memory_order_relaxed);
			return seg_new(d, n, x);
		}
	}
	*shared = false;
	if ((*b == NULL && (*b = trigram_builder_new()) == NULL) ||
	    (x = segix_build(d, n, *b, errstr)) == NULL)
		return NULL;
	return seg_new(d, n, x);
}

/*
 * The index of SE's documents in segments: those PREV (or NULL) has
 * taken over, the others built; then the parts a query reads (the
 * segments' titles, then their bodies) and the documents' titles in
 * their segments' copies.
 */
static int
make_index(struct search *se, const struct segset *prev,
    const atomic_bool *cancel, const char **errstr)
{
	struct trigram_builder	*b = NULL;	/* one for all segments */
	struct segset		*set;
	struct seg		**old = NULL, *g;
	size_t			 i, k, a, np = 0, at;
	bool			 shared;

	if ((set = calloc(1, sizeof(*set))) == NULL)
		return -1;
	atomic_init(&set->refs, 1);
	se->set = set;
	if (prev != NULL && prev->n > 0) {
		if ((old = calloc(prev->n, sizeof(*old))) == NULL)
			return -1;
		memcpy(old, prev->segs, prev->n * sizeof(*old));
		np = prev->n;
		qsort(old, np, sizeof(*old), seg_first_cmp);
	}
	/* at most one segment a SEG_MIN documents, and the last */
	if ((set->segs = calloc(se->n / SEG_MIN + 1, sizeof(*set->segs))) ==
	    NULL)
		goto bad;
	for (a = 0; a < se->n; a = i) {
		if (cancel != NULL && atomic_load(cancel)) {
			*errstr = "cancelled";
			goto bad;
		}
		for (i = a + 1; i < se->n && !(i - a >= SEG_MAX ||
		    (i - a >= SEG_MIN &&
		    path_hash(se->docs[i - 1].pg->path) % SEG_AVG == 0)); i++)
			;
		if ((g = seg_get(old, np, se->docs + a, i - a, &b, &shared,
		    errstr)) == NULL)
			goto bad;
		if (shared)
			se->shared++;
		set->segs[set->n++] = g;
	}
	free(old);
	old = NULL;
	trigram_builder_free(b);
	b = NULL;
	if ((se->parts = calloc(2 * set->n + 1, sizeof(*se->parts))) == NULL)
		goto bad;
	for (k = 0, at = 0; k < set->n; k++) {
		g = set->segs[k];
		se->parts[k] = (struct trigram_part){ g->x->ix, 0, g->n, at };
		se->parts[set->n + k] = (struct trigram_part){ g->x->ix, g->n,
		    2 * g->n, se->n + at };
		for (i = 0; i < g->n; i++) {
			se->docs[at + i].title = g->x->titles + g->x->toff[i];
			se->docs[at + i].wide = g->x->wide[i];
		}
		at += g->n;
	}
	se->nparts = 2 * set->n;
	return 0;
 bad:
	trigram_builder_free(b);
	free(old);
	return -1;
}

struct search *
search_new(const struct site *s, const char *base, const char **errstr)
{
	struct search		*se;
	const struct section	*ps;
	struct buf		 enc = BUF_INIT;

	*errstr = "out of memory";
	if ((se = calloc(1, sizeof(*se))) == NULL)
		return NULL;
	atomic_init(&se->ready, false);
	if (pthread_mutex_init(&se->mtx, NULL) != 0) {
		free(se);
		return NULL;
	}
	se->msg = s->msg;
	if ((ps = site_section(s, &partners_section)) != NULL)
		se->ps = ps->ctx;
	url_encode_path(&enc, base);
	if ((se->base = strdup(base)) == NULL ||
	    (se->base_enc = buf_take(&enc, NULL)) == NULL) {
		buf_free(&enc);
		search_free(se);
		return NULL;
	}
	return se;
}

/* Drop what an index that was not finished holds. */
static void
unbuilt(struct search *se)
{
	segset_unref(se->set);
	free(se->parts);
	free(se->docs);
	se->set = NULL;
	se->parts = NULL;
	se->docs = NULL;
	se->n = se->nparts = se->shared = 0;
}

void
search_follow(struct search *se, struct search *old)
{
	struct segset	*p;

	if (old == NULL || old == se)
		return;
	pthread_mutex_lock(&old->mtx);
	p = search_ready(old) ? old->set : old->prev;
	segset_ref(p);
	pthread_mutex_unlock(&old->mtx);
	pthread_mutex_lock(&se->mtx);
	if (search_ready(se)) {
		pthread_mutex_unlock(&se->mtx);
		segset_unref(p);
		return;
	}
	segset_unref(se->prev);
	se->prev = p;
	pthread_mutex_unlock(&se->mtx);
}

int
search_index(struct search *se, const struct site *s,
    const atomic_bool *cancel, const char **errstr)
{
	struct segset	*prev;

	*errstr = "out of memory";
	if (atomic_load(&se->ready))
		return 0;
	/* the last index is immutable: read without a lock, counted */
	pthread_mutex_lock(&se->mtx);
	prev = se->prev;
	segset_ref(prev);
	pthread_mutex_unlock(&se->mtx);
	if (collect(se, s) == -1 ||
	    make_index(se, prev, cancel, errstr) == -1) {
		unbuilt(se);
		segset_unref(prev);
		return -1;
	}
	/* a later search_follow(NEW, SE) takes set, or prev: never none */
	pthread_mutex_lock(&se->mtx);
	atomic_store_explicit(&se->ready, true, memory_order_release);
	segset_unref(prev);
	prev = se->prev;
	se->prev = NULL;
	pthread_mutex_unlock(&se->mtx);
	segset_unref(prev);
	return 0;
}

bool
search_ready(const struct search *se)
{
	return atomic_load_explicit(&se->ready, memory_order_acquire);
}

size_t
search_cost(const struct site *s)
{
	size_t	 i, n = 0;

	for (i = 0; i < s->npages; i++)
		if (s->pages[i]->is_gemtext && !s->pages[i]->generated)
			n += s->pages[i]->body_len;
	return n;
}

struct search *
search_build(const struct site *s, const char *base, const char **errstr)
{
	struct search	*se;

	if ((se = search_new(s, base, errstr)) == NULL)
		return NULL;
	if (search_index(se, s, NULL, errstr) == -1) {
		search_free(se);
		return NULL;
	}
	return se;
}

void
search_free(struct search *se)
{
	if (se == NULL)
		return;
	segset_unref(se->set);
	segset_unref(se->prev);
	pthread_mutex_destroy(&se->mtx);
	free(se->parts);
	free(se->base);
	free(se->base_enc);
	free(se->docs);
	free(se);
}

void
search_link(const struct search *se, struct buf *out)
{
	buf_adds(out, se->base_enc);
}

size_t
search_count(const struct search *se)
{
	return se->n;
}

void
search_segments(const struct search *se, size_t *shared, size_t *all)
{
	*shared = se->shared;
	*all = se->set != NULL ? se->set->n : 0;
}

/* search_locate() in one MODE. */
static long
locate(const char *text, size_t len, const char *fq, enum collate mode)
{
	struct buf	 f = BUF_INIT;
	size_t		*map;
	const char	*m;
	long		 at = -1;

	if (len == 0 || (map = calloc(len, sizeof(*map))) == NULL)
		return -1;
	collate_fold_map(&f, map, text, len, mode);
	if (!f.failed && f.len > 0 &&
	    (m = memmem(f.data, f.len, fq, strlen(fq))) != NULL)
		at = (long)map[m - f.data];
	buf_free(&f);
	free(map);
	return at;
}

long
search_locate(const char *text, size_t len, const char *fq)
{
	long	 at;

	if ((at = locate(text, len, fq, COLLATE_AE)) == -1)
		at = locate(text, len, fq, COLLATE_A);
	return at;
}

static bool
is_cont(char c)
{
	return ((unsigned char)c & 0xc0) == 0x80;
}

/* True if the code point at S (LEN > 0) is a combining mark. */
static bool
is_mark(const char *s, size_t len)
{
	uint32_t	 cp;

	return utf8_decode(s, len, &cp) > 0 && cp >= 0x300 && cp <= 0x36f;
}

void
search_excerpt(struct buf *out, const char *text, size_t len, size_t at,
    size_t chars)
{
	size_t		 start, end, n, i, before = chars / 3, sp;
	uint32_t	 cp;

	if (at > len)
		at = len;
	while (at > 0 && at < len && is_cont(text[at]))
		at--;
	/* back by BEFORE code points, then on to a word's start */
	for (start = at, i = 0; start > 0 && i < before; i++)
		while (start > 0 && is_cont(text[--start]))
			;
	if (start > 0) {
		for (sp = start; sp < at && text[sp] != ' '; sp++)
			;
		if (sp < at)
			start = sp + 1;
	}
	while (start < len && is_mark(text + start, len - start))
		start += utf8_decode(text + start, len - start, &cp);
	/* forward by what is left, a cut at a space in the last third */
	for (end = start, i = 0; end < len && i < chars; i++) {
		if ((n = utf8_decode(text + end, len - end, &cp)) == 0)
			n = 1;
		end += n;
	}
	if (end < len) {
		for (sp = end; sp > at && sp > start + (end - start) * 2 / 3 &&
		    text[sp] != ' '; sp--)
			;
		if (text[sp] == ' ' && sp > at)
			end = sp;
	}
	while (end > start && text[end - 1] == ' ')
		end--;
	while (start < end && text[start] == ' ')
		start++;
	if (start > 0)
		buf_adds(out, "...");
	buf_add(out, text + start, end - start);
	if (end < len)
		buf_adds(out, "...");
}

/*
 * The excerpt line of document D for FQ: the first line that holds the
 * hit, past the title's own heading, else its first line of text.
 */
static void
add_excerpt(struct buf *out, const struct search *se, size_t d,
    const char *fq)
{
	const struct page	*pg = se->docs[d].pg;
	struct search_line	 l;
	struct buf		 line = BUF_INIT;
	size_t			 e, first = body_start(pg), end = pg->body_len;
	size_t			 flen = strlen(fq);
	long			 at = -1;
	bool			 in_pre = false, title = false;

	if (pg->body == NULL)
		return;
	for (e = first; e < end; ) {
		e = search_line(pg->body, end, e, &in_pre, &l);
		if (l.type == GEMTEXT_H1 && !title) {
			title = true;	/* the first "#" heading: the title */
			continue;
		}
		if (text_has(l.text, l.len, fq, flen)) {
			at = 0;
			break;
		}
	}
	if (at == -1) {		/* a title hit only: the first text */
		in_pre = title = false;
		for (e = first; e < end && !title; ) {
			e = search_line(pg->body, end, e, &in_pre, &l);
			title = l.type == GEMTEXT_TEXT && l.len > 0;
		}
		if (!title)
			return;
	}
	if (at == 0 && (at = search_locate(l.text, l.len, fq)) < 0)
		at = 0;
	search_excerpt(&line, l.text, l.len, at < 0 ? 0 : (size_t)at,
	    SEARCH_EXCERPT_CHARS);
	if (!line.failed && line.len > 0) {
		gemtext_add_text(out, line.data);
		buf_addc(out, '\n');
	}
	buf_free(&line);
}

static int
check_query(const char *query, size_t len, const char **errstr)
{
	uint32_t	 cp;
	size_t		 i, n;

	if (len > SEARCH_QUERY_MAX) {
		*errstr = "search query too long";
		return -1;
	}
	if (!utf8_is_valid(query, len)) {
		*errstr = "search query is not UTF-8";
		return -1;
	}
	for (i = 0; i < len; i += n) {
		n = utf8_decode(query + i, len - i, &cp);
		if (cp < 0x20 || cp == 0x7f || (cp >= 0x80 && cp <= 0x9f)) {
			*errstr = "control character in search query";
			return -1;
		}
	}
	return 0;
}

static int
size_cmp(const void *a, const void *b)
{
	size_t	 x = *(const size_t *)a, y = *(const size_t *)b;

	return x < y ? -1 : x > y;
}

/*
 * A request's walk through the index's entries (trigram_visit()): the
 * documents hit go to V in rank order, those hit by their titles first
 * (V[0] to V[NT - 1], in order), then those hit by a line.  Every title
 * and every line that holds the query is an entry hit and counts
 * towards SEARCH_ENTRIES_MAX, those of a document hit by its title too:
 * the count and the documents are those of an index with an entry a
 * line.  The bodies read count towards SEARCH_READ_MAX, a wide one's
 * bytes SEARCH_WIDE_COST times.
 */
struct walk {
	const struct search	*se;
	const char		*fq;
	size_t			 flen;
	size_t			*v;	/* SEARCH_HITS_MAX + 1 */
	size_t			 nt, k;
	size_t			 entries; /* up to ENTRIES_MAX + 1 */
	size_t			 read;	/* bytes of bodies, weighed */
	bool			 stopped; /* by SEARCH_READ_MAX */
};

/* Entry E may hold the query (trigram_visit_fn): check it, count it. */
static bool
visit(void *arg, size_t e)
{
	struct walk		*w = arg;
	const struct search	*se = w->se;
	size_t			 d, hits;

	if (e < se->n) {
		/* 1 to 3 symbols: exact, else the title is checked */
		if (w->flen > 3 && !text_has(se->docs[e].title,
		    strlen(se->docs[e].title), w->fq, w->flen))
			return true;
		w->v[w->k++] = e;
		w->nt++;
		w->entries++;
	} else {
		if (w->read >= SEARCH_READ_MAX) {
			w->stopped = true;
			return false;
		}
		d = e - se->n;
		hits = lines_hit(se->docs[d].pg, w->fq, w->flen,
		    SEARCH_ENTRIES_MAX + 1 - w->entries);
		w->read += se->docs[d].pg->body_len *
		    (se->docs[d].wide ? SEARCH_WIDE_COST : 1);
		if (hits > 0 && (w->nt == 0 || bsearch(&d, w->v, w->nt,
		    sizeof(*w->v), size_cmp) == NULL))
			w->v[w->k++] = d;
		w->entries += hits;
	}
	return w->k <= SEARCH_HITS_MAX && w->entries <= SEARCH_ENTRIES_MAX;
}

/*
 * The documents FQ hits, ranked, into V (room for SEARCH_HITS_MAX + 1);
 * returns how many (more than SEARCH_HITS_MAX: more than that).
 * *PARTIAL is set when a bound stopped the count.
 */
static size_t
rank(const struct search *se, const char *fq, size_t *v, bool *partial)
{
	struct walk	 w = { se, fq, strlen(fq), v, 0, 0, 0, 0, false };

	*partial = !trigram_visit_parts(se->parts, se->nparts, fq, visit, &w,
	    SEARCH_TRIES) || w.stopped;
	/* the entries ran out before the documents did */
	if (w.entries > SEARCH_ENTRIES_MAX && w.k <= SEARCH_HITS_MAX)
		*partial = true;
	return w.k;
}

/* A link to result page PAGE, in the form LINK. */
static void
add_page_link(struct buf *out, const struct search *se, const char *query,
    const char *fq, size_t page, enum section_link link, const char *label)
{
	buf_addf(out, "=> %s", se->base_enc);
	if (link == SECTION_LINK_PATH)
		buf_addf(out, "/%zu/%s", page, fq);
	else {
		if (page > 1)
			buf_addf(out, "/%zu", page);
		buf_addc(out, '?');
		url_encode_path(out, query);
	}
	buf_addf(out, " %s\n", label);
}

static void
add_doc(struct buf *out, const struct search *se, size_t d, const char *fq)
{
	const struct doc	*doc = &se->docs[d];

	buf_adds(out, "=> ");
	url_encode_path(out, doc->pg->path);
	buf_addc(out, ' ');
	if (doc->date != NULL)
		buf_addf(out, "%s ", doc->date);
	buf_adds(out, doc->title);
	buf_addc(out, '\n');
	add_excerpt(out, se, d, fq);
}

static void
add_partner(struct buf *out, const struct search *se, size_t i)
{
	const char	*url = partners_url(se->ps, i);

	if (url != NULL)
		buf_addf(out, "=> %s %s\n", url, partners_name(se->ps, i));
	else
		buf_addf(out, "* %s\n", partners_name(se->ps, i));
}

static void
add_footer(struct buf *out, const struct search *se)
{
	buf_addf(out, "\n=> %s %s\n=> / %s\n", se->base_enc,
	    M(se, MSG_SEARCH_NEW), M(se, MSG_HOME));
}

/* The summary line: how many hits, and whether the count stopped. */
static void
add_count(struct buf *out, const struct search *se, const char *query,
    size_t hits, bool more, bool partial)
{
	if (more)
		buf_addf(out, M(se, MSG_SEARCH_MORE), hits, query, hits);
	else if (partial && hits == 0)
		buf_addf(out, M(se, MSG_SEARCH_STOPPED_NONE), query);
	else if (partial)
		buf_addf(out, M(se, MSG_SEARCH_STOPPED), hits, query);
	else if (hits == 0)
		buf_addf(out, M(se, MSG_SEARCH_NO_HITS), query);
	else
		buf_addf(out, M(se, MSG_SEARCH_HITS), hits, query);
	buf_adds(out, "\n");
}

/*
 * Append hits FROM .. FROM + SEARCH_PER_PAGE (of HITS in all) of the
 * ranked documents (ND) and the partners after them.
 */
static void
add_hits(struct buf *out, const struct search *se, const char *fq,
    const size_t *docs, size_t nd, size_t hits, size_t from)
{
	size_t	 sel[SEARCH_PER_PAGE], i, n, last, pfrom, want;
	bool	 partial;

	last = from + SEARCH_PER_PAGE < hits ? from + SEARCH_PER_PAGE : hits;
	for (i = from; i < nd && i < last; i++)
		add_doc(out, se, docs[i], fq);
	if (i == last || se->ps == NULL)
		return;
	pfrom = i - nd;
	want = last - i;
	/* the same bound as the count, so the same partners */
	n = partners_find(se->ps, fq, pfrom, sel, want, SEARCH_HITS_MAX - nd,
	    &partial);
	if (n < pfrom + want)
		want = n > pfrom ? n - pfrom : 0;
	if (want == 0)
		return;
	buf_addf(out, "%s## %s\n\n", i > from ? "\n" : "",
	    M(se, MSG_FIND_PARTNERS));
	for (i = 0; i < want; i++)
		add_partner(out, se, sel[i]);
}

static int
search_page(const struct search *se, const char *query, size_t page,
    enum section_link link, struct result *res)
{
	struct buf	*out = &res->text;
	char		 fq[SEARCH_QUERY_MAX + 1], label[128];
	size_t		*docs = NULL, nd = 0, np = 0;
	size_t		 hits, len = strlen(query), pages, from;
	bool		 partial = false, ppartial = false, more;

	res->title = M(se, MSG_FIND_TITLE);
	if (!search_ready(se)) {
		res->status = RESULT_FAILED;	/* "try later" */
		res->why = "the search index is being built";
		return -1;
	}
	if (check_query(query, len, &res->why) == -1) {
		res->status = RESULT_BAD_QUERY;
		return -1;
	}
	if (page == 0)
		page = 1;
	/* the folded form is never longer than the query */
	collate_fold(out, query, len, COLLATE_AE);
	if (out->failed)
		goto nomem;
	memcpy(fq, out->data, out->len);
	fq[out->len] = '\0';
	buf_reset(out);
	buf_addf(out, "# %s\n\n", M(se, MSG_FIND_TITLE));
	if (fq[0] == '\0') {
		buf_addf(out, "%s\n", M(se, MSG_SEARCH_EMPTY));
		add_footer(out, se);
		goto done;
	}
	if ((docs = calloc(SEARCH_HITS_MAX + 1, sizeof(*docs))) == NULL)
		goto nomem;
	nd = rank(se, fq, docs, &partial);
	if (nd < SEARCH_HITS_MAX && se->ps != NULL)
		np = partners_find(se->ps, fq, 0, NULL, 0,
		    SEARCH_HITS_MAX - nd, &ppartial);
	hits = nd + np;
	more = hits > SEARCH_HITS_MAX;
	if (more)
		hits = SEARCH_HITS_MAX;
	if (nd > hits)
		nd = hits;
	res->count = hits;
	add_count(out, se, query, hits, more, partial || ppartial);
	pages = hits == 0 ? 1 : (hits + SEARCH_PER_PAGE - 1) / SEARCH_PER_PAGE;
	res->npages = pages;
	if (hits > 0 && page > pages) {
		buf_addf(out, M(se, pages == 1 ? MSG_SEARCH_NO_PAGE_1 :
		    MSG_SEARCH_NO_PAGE_N), page, pages);
		buf_adds(out, "\n\n");
		add_page_link(out, se, query, fq, 1, link,
		    M(se, MSG_SEARCH_FIRST_PAGE));
	} else if (hits > 0) {
		if (pages > 1) {
			buf_addf(out, M(se, MSG_PAGE_N_OF_M), page, pages);
			buf_adds(out, "\n");
		}
		buf_adds(out, "\n");
		from = (page - 1) * SEARCH_PER_PAGE;
		add_hits(out, se, fq, docs, nd, hits, from);
		if (pages > 1)
			buf_adds(out, "\n");
		if (page > 1) {
			snprintf(label, sizeof(label), M(se, MSG_PREV_PAGE),
			    page - 1, pages);
			add_page_link(out, se, query, fq, page - 1, link,
			    label);
		}
		if (page < pages) {
			snprintf(label, sizeof(label), M(se, MSG_NEXT_PAGE),
			    page + 1, pages);
			add_page_link(out, se, query, fq, page + 1, link,
			    label);
		}
	}
	add_footer(out, se);
 done:
	if (out->failed)
		goto nomem;
	free(docs);
	return 0;
 nomem:
	free(docs);
	res->status = RESULT_FAILED;
	res->why = "out of memory";
	return -1;
}

/*
 * The search as a generated section: BASE (the search), BASE "/N" (page
 * N, the query with the request) and BASE "/N/F" (the folded query F in
 * the path), N >= 1 without leading zeros.
 */
static bool
sec_match(const void *ctx, const char *path, struct section_req *req)
{
	const struct search	*se = ctx;
	const char		*p;
	size_t			 blen = strlen(se->base), n = 0, digits = 0;
	size_t			 qlen;

	if (strncmp(path, se->base, blen) != 0)
		return false;
	p = path + blen;
	req->op = SECTION_INPUT;
	req->page = 1;
	if (*p == '\0')
		return true;
	if (*p++ != '/' || *p < '1' || *p > '9')
		return false;
	for (; *p >= '0' && *p <= '9'; p++) {
		if (++digits > 9)
			return false;
		n = n * 10 + (size_t)(*p - '0');
	}
	req->page = n;
	if (*p == '\0')
		return true;
	if (*p++ != '/')
		return false;
	qlen = strlen(p);
	if (!trigram_is_folded(p, qlen) || qlen > SEARCH_QUERY_MAX)
		return false;
	req->op = SECTION_SEARCH;
	req->query = p;
	req->query_in_path = true;
	return true;
}

static int
sec_list(const void *ctx, int list, size_t page, struct result *res)
{
	res->status = RESULT_FAILED;
	res->why = "the search has no list pages";
	return -1;
}

static int
sec_search(const void *ctx, const char *query, size_t page,
    enum section_link link, struct result *res)
{
	return search_page(ctx, query, page, link, res);
}

static const char *
sec_prompt(const void *ctx)
{
	return M((const struct search *)ctx, MSG_FIND_PROMPT);
}

/* Nothing to export: every address of the search is a query. */
static int
sec_pages(const void *ctx, struct section_page **pagesp, size_t *np,
    const char **errstr)
{
	*pagesp = NULL;
	*np = 0;
	return 0;
}

/* For robots.txt: the search and every result page, one prefix. */
static void
sec_robots(const void *ctx, struct buf *out)
{
	buf_addf(out, "Disallow: %s\n", ((const struct search *)ctx)->base_enc);
}

static void
sec_free(void *ctx)
{
	search_free(ctx);
}

const struct section_ops search_section = {
	.name = "search",
	.match = sec_match,
	.list = sec_list,
	.search = sec_search,
	.prompt = sec_prompt,
	.pages = sec_pages,
	.robots = sec_robots,
	.free = sec_free,
};
