/*
 * trigram: posting lists of the trigrams of a haystack's entries (pure).
 * It must not know what an entry is: the caller folds and owns the
 * haystack, the index only borrows it.
 *
 * Each search form is read as if followed by two end marks ("gmbh" gives
 * gmb, mbh, bh$, h$$), so every substring of one to three characters is
 * the start of a trigram in it:
 *
 *	query of 1 or 2 characters	the union of the trigrams starting
 *					with it (exact)
 *	query of 3			that trigram (exact)
 *	query of 4 or more		the intersection of its trigrams,
 *					smallest first; each candidate is
 *					then checked with memmem()
 *
 * Posting lists hold entry numbers in order, so hits come out in order
 * and a search stops once it has counted MAX + 1 of them, or has tried
 * TRIGRAM_STEPS candidates per hit it may count.  Lists are delta-coded
 * (LEB128) in blocks of POST_BLOCK, each block's first number and offset
 * in a skip table, so a list is skipped through without decoding all of
 * it.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "trigram.h"

/*
 * A search form holds only [a-z0-9-] (37 symbols); symbol 37 is the end
 * mark.  A trigram's number is s0 * 38 * 38 + s1 * 38 + s2.
 */
#define NSYM		38
#define SYM_END		37
#define NTRI		(NSYM * NSYM * NSYM)
#define POST_BLOCK	64	/* postings per block of a list */

struct skip {
	uint32_t	 first;		/* the block's first entry */
	uint32_t	 off;		/* where its deltas start in post */
};

/*
 * List T has count[T] postings in blocks skip[tblk[T]] to
 * skip[tblk[T + 1] - 1]; a block's postings after its first are LEB128
 * deltas in post, from its off on.
 */
struct trigram {
	const char	*hay;		/* borrowed */
	const size_t	*off;		/* borrowed, n + 1 */
	size_t		 n;
	uint32_t	*count;		/* owned, NTRI */
	uint32_t	*tblk;		/* owned, NTRI + 1 */
	struct skip	*skip;		/* owned */
	uint8_t		*post;		/* owned */
};


/* The trigram symbol of C, or -1 for a byte no search form holds. */
static int
sym(unsigned char c)
{
	if (c >= 'a' && c <= 'z')
		return c - 'a';
	if (c >= '0' && c <= '9')
		return 26 + (c - '0');
	return c == '-' ? 36 : -1;
}

/*
 * Put the distinct trigrams of the search forms in S..E (one entry of the
 * haystack) into TRI (room for NTRI); STAMP[t] == MARK means t is in
 * already.  A form is read as if followed by two end marks.  Returns how
 * many.
 */
static size_t
entry_trigrams(const char *s, const char *e, uint32_t *tri,
    uint32_t *stamp, uint32_t mark)
{
	size_t		 n = 0;
	uint32_t	 t;
	int		 a, b, c;

	for (; s < e; s++) {
		if ((a = sym((unsigned char)*s)) < 0)
			continue;		/* \1, \n: between forms */
		b = s + 1 < e ? sym((unsigned char)s[1]) : -1;
		c = b >= 0 && s + 2 < e ? sym((unsigned char)s[2]) : -1;
		t = (uint32_t)a * NSYM * NSYM +
		    (uint32_t)(b < 0 ? SYM_END : b) * NSYM +
		    (uint32_t)(b < 0 || c < 0 ? SYM_END : c);
		if (stamp[t] != mark) {
			stamp[t] = mark;
			tri[n++] = t;
		}
	}
	return n;
}

static size_t
leb_len(uint32_t v)
{
	size_t	 n = 1;

	while (v >= 0x80) {
		v >>= 7;
		n++;
	}
	return n;
}

static uint8_t *
leb_put(uint8_t *p, uint32_t v)
{
	while (v >= 0x80) {
		*p++ = (uint8_t)(v | 0x80);
		v >>= 7;
	}
	*p++ = (uint8_t)v;
	return p;
}

static uint32_t
leb_get(const uint8_t **pp)
{
	const uint8_t	*p = *pp;
	uint32_t	 v = 0;
	int		 shift = 0;

	do {
		v |= (uint32_t)(*p & 0x7f) << shift;
		shift += 7;
	} while (*p++ & 0x80);
	*pp = p;
	return v;
}

/*
 * Build the index over ix->hay in two passes: count and size the
 * lists, then fill them.  Returns 0, or -1 with errstr.
 */
static int
build_index(struct trigram *ix, const char **errstr)
{
	uint32_t	*tri = NULL, *stamp = NULL, *last = NULL, t, d;
	size_t		*pos = NULL, i, k, nt, nblk = 0, nbytes = 0, b;
	int		 ret = -1;

	if ((ix->count = calloc(NTRI, sizeof(*ix->count))) == NULL ||
	    (ix->tblk = calloc(NTRI + 1, sizeof(*ix->tblk))) == NULL ||
	    (stamp = calloc(NTRI, sizeof(*stamp))) == NULL ||
	    (last = calloc(NTRI, sizeof(*last))) == NULL ||
	    (pos = calloc(NTRI, sizeof(*pos))) == NULL ||
	    (tri = calloc(NTRI, sizeof(*tri))) == NULL)
		goto nomem;

	/* pass 1: postings per list, and the bytes of their deltas */
	for (i = 0; i < ix->n; i++) {
		nt = entry_trigrams(ix->hay + ix->off[i],
		    ix->hay + ix->off[i + 1], tri, stamp, (uint32_t)i + 1);
		for (k = 0; k < nt; k++) {
			t = tri[k];
			if (ix->count[t] % POST_BLOCK != 0)
				pos[t] += leb_len((uint32_t)i - last[t]);
			last[t] = (uint32_t)i;
			ix->count[t]++;
		}
	}
	for (t = 0; t < NTRI; t++) {
		ix->tblk[t] = (uint32_t)nblk;
		nblk += (ix->count[t] + POST_BLOCK - 1) / POST_BLOCK;
		b = pos[t];
		pos[t] = nbytes;
		nbytes += b;
		if (nblk > UINT32_MAX || nbytes > UINT32_MAX) {
			*errstr = "too large to index";
			goto done;
		}
	}
	ix->tblk[NTRI] = (uint32_t)nblk;
	if ((ix->skip = calloc(nblk + 1, sizeof(*ix->skip))) == NULL ||
	    (ix->post = malloc(nbytes + 1)) == NULL)
		goto nomem;

	/* pass 2: the same walk fills them */
	memset(ix->count, 0, NTRI * sizeof(*ix->count));
	memset(stamp, 0, NTRI * sizeof(*stamp));
	for (i = 0; i < ix->n; i++) {
		nt = entry_trigrams(ix->hay + ix->off[i],
		    ix->hay + ix->off[i + 1], tri, stamp, (uint32_t)i + 1);
		for (k = 0; k < nt; k++) {
			t = tri[k];
			if (ix->count[t] % POST_BLOCK == 0) {
				b = ix->tblk[t] + ix->count[t] / POST_BLOCK;
				ix->skip[b].first = (uint32_t)i;
				ix->skip[b].off = (uint32_t)pos[t];
			} else {
				d = (uint32_t)i - last[t];
				pos[t] = (size_t)(leb_put(ix->post + pos[t],
				    d) - ix->post);
			}
			last[t] = (uint32_t)i;
			ix->count[t]++;
		}
	}
	ret = 0;
	goto done;
 nomem:
	*errstr = "out of memory";
 done:
	free(tri);
	free(stamp);
	free(last);
	free(pos);
	return ret;
}


struct trigram *
trigram_build(const char *hay, const size_t *off, size_t n,
    const char **errstr)
{
	struct trigram	*ix;

	if (n >= UINT32_MAX) {
		*errstr = "too many entries to index";
		return NULL;
	}
	if ((ix = calloc(1, sizeof(*ix))) == NULL) {
		*errstr = "out of memory";
		return NULL;
	}
	ix->hay = hay;
	ix->off = off;
	ix->n = n;
	if (build_index(ix, errstr) == -1) {
		trigram_free(ix);
		return NULL;
	}
	return ix;
}

void
trigram_free(struct trigram *ix)
{
	if (ix == NULL)
		return;
	free(ix->count);
	free(ix->tblk);
	free(ix->skip);
	free(ix->post);
	free(ix);
}

/* Where hits go: the SEL window from hit FROM on, counted up to MAX + 1. */
struct hits {
	size_t		 from, max, count;
	size_t		*sel, nsel, cap;
	size_t		 tries;		/* rounds find_long() may take */
};

/* Count hit I; false once MAX + 1 are counted, the count is enough. */
static bool
add_hit(struct hits *h, size_t i)
{
	if (h->count >= h->from && h->nsel < h->cap)
		h->sel[h->nsel++] = i;
	return ++h->count <= h->max;
}

bool
trigram_is_folded(const char *fq, size_t len)
{
	size_t	 i;

	for (i = 0; i < len; i++)
		if (sym((unsigned char)fq[i]) < 0)
			return false;
	return len > 0;
}

/* A position in one posting list. */
struct cursor {
	const struct skip	*skip;		/* the list's blocks */
	const uint8_t		*p;		/* the next delta */
	uint32_t		 nblk, blk;
	uint32_t		 count;		/* postings in the list */
	uint32_t		 left;		/* in this block, after val */
	uint32_t		 val;		/* the current entry */
	bool			 end;
};

static void
cur_block(struct cursor *c, const uint8_t *post, uint32_t b)
{
	c->blk = b;
	c->val = c->skip[b].first;
	c->p = post + c->skip[b].off;
	c->left = (b + 1 < c->nblk ? POST_BLOCK :
	    c->count - b * POST_BLOCK) - 1;
}

static void
cur_init(struct cursor *c, const struct trigram *ix, uint32_t t)
{
	c->skip = ix->skip + ix->tblk[t];
	c->nblk = ix->tblk[t + 1] - ix->tblk[t];
	c->count = ix->count[t];
	c->end = c->count == 0;
	if (!c->end)
		cur_block(c, ix->post, 0);
}

static void
cur_next(struct cursor *c, const uint8_t *post)
{
	if (c->left > 0) {
		c->val += leb_get(&c->p);
		c->left--;
	} else if (c->blk + 1 < c->nblk)
		cur_block(c, post, c->blk + 1);
	else
		c->end = true;
}

/* Move C to its first entry >= TARGET; blocks before it are skipped. */
static void
cur_seek(struct cursor *c, const uint8_t *post, uint32_t target)
{
	uint32_t	 lo, hi, mid, step = 1;

	if (c->end || c->val >= target)
		return;
	if (c->blk + 1 < c->nblk && c->skip[c->blk + 1].first <= target) {
		/* gallop, then halve: the last block starting <= TARGET */
		lo = c->blk + 1;
		while (lo + step < c->nblk && c->skip[lo + step].first <=
		    target) {
			lo += step;
			step *= 2;
		}
		hi = lo + step < c->nblk ? lo + step : c->nblk;
		while (hi - lo > 1) {
			mid = lo + (hi - lo) / 2;
			if (c->skip[mid].first <= target)
				lo = mid;
			else
				hi = mid;
		}
		cur_block(c, post, lo);
	}
	while (!c->end && c->val < target)
		cur_next(c, post);
}

static bool
entry_has(const struct trigram *ix, size_t i, const char *fq, size_t len)
{
	return memmem(ix->hay + ix->off[i],
	    ix->off[i + 1] - ix->off[i], fq, len) != NULL;
}

/*
 * A query of one or two symbols: the union of the lists of the trigrams
 * that start with it, merged through a heap ordered by entry.  Exact:
 * every such trigram holds the query.
 */
static void
find_short(const struct trigram *ix, const char *fq, size_t len,
    struct hits *h)
{
	struct cursor	 cur[NSYM * NSYM], tmp;
	uint32_t	 t, first, n, last = UINT32_MAX;
	size_t		 k = 0, i, j, c;

	first = (uint32_t)sym((unsigned char)fq[0]) * NSYM * NSYM;
	n = NSYM * NSYM;
	if (len == 2) {
		first += (uint32_t)sym((unsigned char)fq[1]) * NSYM;
		n = NSYM;
	}
	for (t = first; t < first + n; t++)
		if (ix->count[t] > 0)
			cur_init(&cur[k++], ix, t);
	/* a binary min-heap on val */
	for (i = k / 2; i-- > 0; ) {
		for (j = i; (c = 2 * j + 1) < k; j = c) {
			if (c + 1 < k && cur[c + 1].val < cur[c].val)
				c++;
			if (cur[j].val <= cur[c].val)
				break;
			tmp = cur[j], cur[j] = cur[c], cur[c] = tmp;
		}
	}
	while (k > 0) {
		if (cur[0].val != last) {
			last = cur[0].val;
			if (!add_hit(h, last))
				return;
		}
		cur_next(&cur[0], ix->post);
		if (cur[0].end)
			cur[0] = cur[--k];
		for (j = 0; (c = 2 * j + 1) < k; j = c) {
			if (c + 1 < k && cur[c + 1].val < cur[c].val)
				c++;
			if (cur[j].val <= cur[c].val)
				break;
			tmp = cur[j], cur[j] = cur[c], cur[c] = tmp;
		}
	}
}

/*
 * Three symbols or more: the intersection of the query's trigram lists,
 * led by the shortest (leapfrog), each candidate checked when the query
 * is longer than a trigram.  Gives up after TRIGRAM_STEPS rounds per hit
 * it may count; returns false then.
 */
static bool
find_long(const struct trigram *ix, const char *fq, size_t len,
    struct hits *h)
{
	struct cursor	 cur[TRIGRAM_QUERY_MAX], tmp;
	uint32_t	 tri[TRIGRAM_QUERY_MAX], t, target;
	size_t		 k = 0, i, j, steps = 0, budget;

	/* past TRIGRAM_QUERY_MAX trigrams the check below decides alone */
	for (i = 0; i + 2 < len && k < TRIGRAM_QUERY_MAX; i++) {
		t = (uint32_t)sym((unsigned char)fq[i]) * NSYM * NSYM +
		    (uint32_t)sym((unsigned char)fq[i + 1]) * NSYM +
		    (uint32_t)sym((unsigned char)fq[i + 2]);
		for (j = 0; j < k && tri[j] != t; j++)
			;
		if (j < k)
			continue;
		if (ix->count[t] == 0)
			return true;			/* no hit */
		tri[k] = t;
		cur_init(&cur[k++], ix, t);
	}
	/* the shortest list first: it leads, the others are skipped */
	for (i = 1; i < k; i++)
		for (j = i; j > 0 && cur[j].count < cur[j - 1].count; j--)
			tmp = cur[j], cur[j] = cur[j - 1], cur[j - 1] = tmp;

	budget = h->tries;
	while (!cur[0].end) {
		if (++steps > budget)
			return false;
		target = cur[0].val;
		for (j = 1; j < k; j++) {
			cur_seek(&cur[j], ix->post, target);
			if (cur[j].end)
				return true;
			if (cur[j].val != target)
				break;
		}
		if (j < k) {
			cur_seek(&cur[0], ix->post, cur[j].val);
			continue;
		}
		if ((len == 3 || entry_has(ix, target, fq, len)) &&
		    !add_hit(h, target))
			return true;
		cur_next(&cur[0], ix->post);
	}
	return true;
}

size_t
trigram_find(const struct trigram *ix, const char *fq, size_t from,
    size_t *sel, size_t nsel, size_t max, bool *partial)
{
	return trigram_find_tries(ix, fq, from, sel, nsel, max,
	    max >= SIZE_MAX / TRIGRAM_STEPS - 1 ? SIZE_MAX :
	    TRIGRAM_STEPS * (max + 1), partial);
}

size_t
trigram_find_tries(const struct trigram *ix, const char *fq, size_t from,
    size_t *sel, size_t nsel, size_t max, size_t tries, bool *partial)
{
	struct hits	 h = { from, max, 0, sel, 0, nsel, tries };
	size_t		 len = strlen(fq);

	*partial = false;
	if (ix->n == 0 || !trigram_is_folded(fq, len))
		return 0;
	if (len < 3)
		find_short(ix, fq, len, &h);
	else
		*partial = !find_long(ix, fq, len, &h);
	return h.count;
}

size_t
trigram_find_linear(const struct trigram *ix, const char *fq,
    size_t from, size_t *sel, size_t nsel, size_t max)
{
	struct hits	 h = { from, max, 0, sel, 0, nsel, SIZE_MAX };
	const char	*p, *end, *m;
	size_t		 len = strlen(fq), lo, hi, mid;

	if (ix->n == 0 || !trigram_is_folded(fq, len))
		return 0;
	p = ix->hay;
	end = ix->hay + ix->off[ix->n];
	while ((m = memmem(p, (size_t)(end - p), fq, len)) != NULL) {
		/* the entry holding byte m: the last one starting <= m */
		lo = 0;
		hi = ix->n;
		while (hi - lo > 1) {
			mid = (lo + hi) / 2;
			if (ix->hay + ix->off[mid] <= m)
				lo = mid;
			else
				hi = mid;
		}
		if (!add_hit(&h, lo))
			break;
		p = ix->hay + ix->off[lo + 1];	/* each entry once */
	}
	return h.count;
}

