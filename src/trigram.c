/*
 * trigram: posting lists of the trigrams of entries' search forms (pure).
 * It must not know what an entry is: the caller folds the entries and
 * owns a haystack, if it keeps one; the index only borrows it.
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
 *					then checked with memmem(), or the
 *					caller's check
 *
 * trigram_visit() hands the entries to the caller unchecked, for an
 * entry that holds many strings (a page's lines), which the caller reads
 * and counts itself.
 *
 * Posting lists hold entry numbers in order, so hits come out in order
 * and a search stops once it has counted MAX + 1 of them, or has tried
 * TRIGRAM_STEPS candidates per hit it may count.  Lists are delta-coded
 * in blocks of POST_BLOCK, bit-packed (each block's deltas in as many
 * bits as its largest needs: a common trigram's in a bit or two), each
 * block's first number and offset in a skip table, so a list is skipped
 * through without decoding all of it.
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
 * skip[tblk[T + 1] - 1]; a block's postings after its first are packed
 * deltas in post, from its off on (unpack()).
 */
struct trigram {
	const char	*hay;		/* borrowed, or NULL */
	const size_t	*off;		/* borrowed, n + 1, or NULL */
	trigram_has_fn	 has;		/* checks a candidate */
	const void	*arg;		/* borrowed: has()'s */
	size_t		 n;
	uint16_t	*tri;		/* owned: the trigrams of the lists, */
					/* ascending (NTRI < 65536); or */
					/* NULL: list T is slot T */
	uint32_t	*head;		/* owned with tri, NSYM * NSYM + 1: */
					/* the first slot of each pair of */
					/* first symbols */
	uint32_t	 nslot;		/* lists: NTRI, or those in tri */
	uint32_t	*count;		/* owned, nslot */
	uint32_t	*tblk;		/* owned, nslot + 1 */
	struct skip	*skip;		/* owned */
	uint8_t		*post;		/* owned */
};

/*
 * The slot of trigram T's list, or -1 when it has none.  An index with
 * fewer than NTRI / SPARSE lists (a small one: a few pages, a partner
 * directory) keeps only those, found among the few that start with
 * T's first two symbols, not NTRI counts.
 */
#define SPARSE		4

static long
slot(const struct trigram *ix, uint32_t t)
{
	uint32_t	 i, hi;

	if (ix->tri == NULL)
		return ix->count[t] > 0 ? (long)t : -1;
	hi = ix->head[t / NSYM + 1];
	for (i = ix->head[t / NSYM]; i < hi && ix->tri[i] < t; i++)
		;
	return i < hi && ix->tri[i] == t ? (long)i : -1;
}

/* The first slot of a trigram >= T. */
static uint32_t
slot_from(const struct trigram *ix, uint32_t t)
{
	uint32_t	 lo = 0, hi = ix->nslot, mid;

	if (ix->tri == NULL)
		return t;
	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if (ix->tri[mid] < t)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/* The trigram of slot I. */
static uint32_t
slot_tri(const struct trigram *ix, uint32_t i)
{
	return ix->tri == NULL ? i : ix->tri[i];
}


/* V, read from memory as little-endian, in the host's order. */
static inline uint64_t
le64(uint64_t v)
{
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
	return __builtin_bswap64(v);
#else
	return v;
#endif
}

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
 * A block's deltas less one (entries are distinct: a delta is at least
 * 1, and in a common trigram's list mostly 1 or a few) are packed in W
 * bits each, W the fewest that hold the largest, least significant bit
 * first; W in the byte before them.  Read 8 bytes at a time: post ends
 * in POST_PAD bytes that are never a block's.
 */
#define POST_PAD	8

/* Delta K of a block whose packed deltas start at P, of W bits each. */
static inline uint32_t
unpack(const uint8_t *p, uint32_t w, uint32_t k)
{
	uint64_t	 v;
	size_t		 bit = (size_t)k * w;

	memcpy(&v, p + bit / 8, sizeof(v));	/* little endian below */
	v = le64(v) >> (bit % 8);
	return (uint32_t)(v & ((UINT64_C(1) << w) - 1));
}

/*
 * The index is built in one pass over the entries, in entry order: each
 * list's postings wait in a block of their own until POST_BLOCK are
 * there, then the block's deltas go to the end of post and its first
 * entry and offset to a skip row tagged with the list.  Blocks of
 * different lists interleave in post (a block is read from its offset
 * on); the skip rows are sorted by list at the end, a stable counting
 * sort that keeps each list's blocks in order.
 */
struct brow {
	uint32_t	 t;		/* the list */
	uint32_t	 first, off;	/* as in struct skip */
};

struct blist {
	uint32_t	 count;		/* postings so far */
	uint32_t	 last;		/* the last entry + 1, or 0 */
	uint32_t	*pend;		/* a block filling, or NULL */
};

struct trigram_builder {
	uint32_t	 n;		/* entries added */
	struct blist	*list;		/* NTRI */
	uint32_t	*at;		/* NTRI: finish()'s, kept for the */
					/* next index */
	signed char	 sym[256];	/* sym() of each byte */
	struct brow	*rows;
	size_t		 nrows, caprows;
	uint8_t		*post;
	size_t		 npost, cappost;
	bool		 failed;
};

struct trigram_builder *
trigram_builder_new(void)
{
	struct trigram_builder	*b;
	int			 c;

	if ((b = calloc(1, sizeof(*b))) == NULL)
		return NULL;
	if ((b->list = calloc(NTRI, sizeof(*b->list))) == NULL) {
		free(b);
		return NULL;
	}
	for (c = 0; c < 256; c++)
		b->sym[c] = (signed char)sym((unsigned char)c);
	return b;
}

void
trigram_builder_free(struct trigram_builder *b)
{
	uint32_t	 t;

	if (b == NULL)
		return;
	if (b->list != NULL)
		for (t = 0; t < NTRI; t++)
			free(b->list[t].pend);
	free(b->list);
	free(b->at);
	free(b->rows);
	free(b->post);
	free(b);
}

/* Room for WANT more bytes of post and one more row; false on failure. */
static bool
grow(struct trigram_builder *b, size_t want)
{
	struct brow	*r;
	uint8_t		*p;
	size_t		 cap;

	if (b->npost + want > b->cappost) {
		cap = b->cappost < 4096 ? 4096 : b->cappost * 2;
		while (cap < b->npost + want)
			cap *= 2;
		if ((p = realloc(b->post, cap)) == NULL)
			return false;
		b->post = p;
		b->cappost = cap;
	}
	if (b->nrows == b->caprows) {
		cap = b->caprows < 256 ? 256 : b->caprows * 2;
		if ((r = reallocarray(b->rows, cap, sizeof(*r))) == NULL)
			return false;
		b->rows = r;
		b->caprows = cap;
	}
	return true;
}

/* The N postings waiting in list T's block go to post as one block. */
static bool
flush(struct trigram_builder *b, uint32_t t, uint32_t n)
{
	const uint32_t	*v = b->list[t].pend;
	uint8_t		*p;
	uint64_t	 acc = 0;
	uint32_t	 k, d, w = 0, max = 0;
	int		 nacc = 0;

	for (k = 1; k < n; k++)
		if (v[k] - v[k - 1] - 1 > max)
			max = v[k] - v[k - 1] - 1;
	while (w < 32 && max >> w != 0)
		w++;
	if (!grow(b, 1 + ((size_t)(n - 1) * w + 7) / 8 + POST_PAD))
		return false;
	if (b->npost > UINT32_MAX)
		return false;
	b->rows[b->nrows].t = t;
	b->rows[b->nrows].first = v[0];
	b->rows[b->nrows++].off = (uint32_t)b->npost;
	p = b->post + b->npost;
	*p++ = (uint8_t)w;
	for (k = 1; k < n; k++) {
		d = v[k] - v[k - 1] - 1;
		acc |= (uint64_t)d << nacc;
		nacc += (int)w;
		while (nacc >= 8) {
			*p++ = (uint8_t)acc;
			acc >>= 8;
			nacc -= 8;
		}
	}
	if (nacc > 0)
		*p++ = (uint8_t)acc;
	b->npost = (size_t)(p - b->post);
	return true;
}

/*
 * Entry B->n: each distinct trigram of its search forms (one form read
 * as if followed by two end marks; bytes no form holds separate forms)
 * gets the entry once: a list whose last posting is the entry has it.
 */
int
trigram_add(struct trigram_builder *b, const char *s, size_t len)
{
	const unsigned char	*p = (const unsigned char *)s, *e = p + len;
	struct blist		*l;
	uint32_t		 t, i = b->n;
	int			 x, y, z;

	if (b->failed || b->n == UINT32_MAX - 1) {
		b->failed = true;
		return -1;
	}
	y = p < e ? b->sym[p[0]] : -1;
	z = p + 1 < e ? b->sym[p[1]] : -1;
	for (; p < e; p++) {
		x = y;
		y = z;
		z = p + 2 < e ? b->sym[p[2]] : -1;
		if (x < 0)
			continue;		/* \1, \n: between forms */
		t = (uint32_t)x * NSYM * NSYM +
		    (uint32_t)(y < 0 ? SYM_END : y) * NSYM +
		    (uint32_t)(y < 0 || z < 0 ? SYM_END : z);
		l = &b->list[t];
		if (l->last == i + 1)
			continue;		/* in already */
		l->last = i + 1;
		if (l->pend == NULL && (l->pend =
		    malloc(POST_BLOCK * sizeof(*l->pend))) == NULL)
			goto bad;
		l->pend[l->count % POST_BLOCK] = i;
		if (++l->count % POST_BLOCK == 0 && !flush(b, t, POST_BLOCK))
			goto bad;
	}
	b->n++;
	return 0;
 bad:
	b->failed = true;
	return -1;
}

static bool
has_hay(const void *arg, size_t i, const char *fq, size_t len)
{
	const struct trigram	*ix = arg;

	return memmem(ix->hay + ix->off[i], ix->off[i + 1] - ix->off[i], fq,
	    len) != NULL;
}

/*
 * The blocks still filling, then the rows sorted by list into IX, its
 * lists in slots (dense, or only those that have postings).
 */
static int
finish(struct trigram_builder *b, struct trigram *ix)
{
	uint32_t	*at, t, m = 0, i;
	size_t		 r, nblk = 0;

	for (t = 0; t < NTRI; t++) {
		if (b->list[t].count % POST_BLOCK != 0 &&
		    !flush(b, t, b->list[t].count % POST_BLOCK))
			return -1;
		if (b->list[t].count > 0)
			m++;
	}
	ix->nslot = m < NTRI / SPARSE ? m : NTRI;
	if ((ix->nslot < NTRI && ((ix->tri = calloc(ix->nslot + 1,
	    sizeof(*ix->tri))) == NULL || (ix->head = calloc(NSYM * NSYM + 1,
	    sizeof(*ix->head))) == NULL)) ||
	    (ix->count = calloc(ix->nslot + 1, sizeof(*ix->count))) == NULL ||
	    (ix->tblk = calloc(ix->nslot + 1, sizeof(*ix->tblk))) == NULL ||
	    (b->at == NULL && (b->at = calloc(NTRI, sizeof(*b->at))) ==
	    NULL) ||
	    (ix->skip = calloc(b->nrows + 1, sizeof(*ix->skip))) == NULL)
		return -1;
	at = b->at;
	for (t = 0, i = 0; t < NTRI; t++) {
		at[t] = (uint32_t)nblk;
		if (ix->tri != NULL && b->list[t].count == 0)
			continue;
		if (ix->tri != NULL)
			ix->tri[i] = (uint16_t)t;
		if (ix->head != NULL)
			ix->head[t / NSYM + 1] = i + 1;
		ix->count[i] = b->list[t].count;
		ix->tblk[i++] = (uint32_t)nblk;
		nblk += (b->list[t].count + POST_BLOCK - 1) / POST_BLOCK;
	}
	ix->tblk[ix->nslot] = (uint32_t)nblk;
	/* a pair with no list starts where the last one before it ended */
	if (ix->head != NULL)
		for (t = 1; t <= NSYM * NSYM; t++)
			if (ix->head[t] < ix->head[t - 1])
				ix->head[t] = ix->head[t - 1];
	for (r = 0; r < b->nrows; r++) {
		ix->skip[at[b->rows[r].t]].first = b->rows[r].first;
		ix->skip[at[b->rows[r].t]++].off = b->rows[r].off;
	}
	/* cut to size: the doubling's slack back, but for the pad */
	if (!grow(b, POST_PAD))
		return -1;
	memset(b->post + b->npost, 0, POST_PAD);
	if (b->npost + POST_PAD < b->cappost &&
	    (ix->post = realloc(b->post, b->npost + POST_PAD)) != NULL)
		b->post = NULL;
	else {
		ix->post = b->post;
		b->post = NULL;
	}
	return 0;
}

/* B empty again: its lists' blocks kept, for the next index. */
static void
reset(struct trigram_builder *b)
{
	uint32_t	 t;

	for (t = 0; t < NTRI; t++)
		b->list[t].count = b->list[t].last = 0;
	b->n = 0;
	b->nrows = 0;
	free(b->post);
	b->post = NULL;
	b->npost = b->cappost = 0;
	b->failed = false;
}

struct trigram *
trigram_builder_end(struct trigram_builder *b, trigram_has_fn has,
    const void *arg, const char **errstr)
{
	struct trigram	*ix;

	ix = trigram_builder_take(b, has, arg, errstr);
	trigram_builder_free(b);
	return ix;
}

struct trigram *
trigram_builder_take(struct trigram_builder *b, trigram_has_fn has,
    const void *arg, const char **errstr)
{
	struct trigram	*ix = NULL;

	*errstr = "out of memory";
	if (b == NULL)
		return NULL;
	if (b->failed && b->n == UINT32_MAX - 1)
		*errstr = "too many entries to index";
	else if (b->failed && b->npost > UINT32_MAX)
		*errstr = "too large to index";
	if (b->failed || (ix = calloc(1, sizeof(*ix))) == NULL)
		goto done;
	ix->n = b->n;
	ix->has = has;
	ix->arg = arg;
	if (finish(b, ix) == -1) {
		if (b->npost > UINT32_MAX)
			*errstr = "too large to index";
		trigram_free(ix);
		ix = NULL;
	}
 done:
	reset(b);
	return ix;
}

struct trigram *
trigram_build(const char *hay, const size_t *off, size_t n,
    const char **errstr)
{
	struct trigram_builder	*b;
	struct trigram		*ix;
	size_t			 i;

	if (n >= UINT32_MAX - 1) {
		*errstr = "too many entries to index";
		return NULL;
	}
	if ((b = trigram_builder_new()) == NULL) {
		*errstr = "out of memory";
		return NULL;
	}
	for (i = 0; i < n; i++)
		if (trigram_add(b, hay + off[i], off[i + 1] - off[i]) == -1)
			break;
	if ((ix = trigram_builder_end(b, has_hay, NULL, errstr)) == NULL)
		return NULL;
	ix->arg = ix;
	ix->hay = hay;
	ix->off = off;
	return ix;
}

void
trigram_free(struct trigram *ix)
{
	if (ix == NULL)
		return;
	free(ix->tri);
	free(ix->head);
	free(ix->count);
	free(ix->tblk);
	free(ix->skip);
	free(ix->post);
	free(ix);
}

/*
 * Where hits go: the SEL window from hit FROM on, counted up to MAX + 1;
 * or, with VISIT set, each entry to VISIT(ARG, entry) unchecked.
 */
struct hits {
	size_t		 from, max, count;
	size_t		*sel, nsel, cap;
	size_t		 tries;		/* rounds find_long() may take */
	trigram_visit_fn visit;		/* or NULL */
	void		*arg;		/* borrowed: visit()'s */
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

/* A position in one posting list of one index. */
struct lcur {
	const struct skip	*skip;		/* the list's blocks */
	const uint8_t		*post;		/* the index's */
	const uint8_t		*p;		/* the block's packed deltas */
	uint32_t		 w;		/* bits of each */
	uint32_t		 k;		/* the next delta's number */
	uint32_t		 nblk, blk;
	uint32_t		 count;		/* postings in the list */
	uint32_t		 left;		/* in this block, after val */
	uint32_t		 val;		/* the current entry */
	bool			 end;
};

static void
lcur_block(struct lcur *c, uint32_t b)
{
	c->blk = b;
	c->val = c->skip[b].first;
	c->p = c->post + c->skip[b].off;
	c->w = *c->p++;
	c->k = 0;
	c->left = (b + 1 < c->nblk ? POST_BLOCK :
	    c->count - b * POST_BLOCK) - 1;
}

/* C at the first entry of the list in slot I of IX. */
static void
lcur_init(struct lcur *c, const struct trigram *ix, uint32_t i)
{
	c->post = ix->post;
	c->skip = ix->skip + ix->tblk[i];
	c->nblk = ix->tblk[i + 1] - ix->tblk[i];
	c->count = ix->count[i];
	c->end = c->count == 0;
	if (!c->end)
		lcur_block(c, 0);
}

static void
lcur_next(struct lcur *c)
{
	if (c->left > 0) {
		c->val += unpack(c->p, c->w, c->k++) + 1;
		c->left--;
	} else if (c->blk + 1 < c->nblk)
		lcur_block(c, c->blk + 1);
	else
		c->end = true;
}

/* Move C to its first entry >= TARGET; blocks before it are skipped. */
static void
lcur_seek(struct lcur *c, uint32_t target)
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
		lcur_block(c, lo);
	}
	while (!c->end && c->val < target)
		lcur_next(c);
}

/*
 * A position in one trigram's list over the parts, in the numbers of
 * the entries they make together: the list of the part it is in, the
 * parts before it read.
 */
struct cursor {
	struct lcur			 l;
	const struct trigram_part	*pt;	/* the parts */
	size_t				 npt, at; /* the part it is in */
	bool				 open;	/* l is that part's list */
	uint32_t			 t;	/* the trigram */
	size_t				 count;	/* postings in all parts */
	size_t				 val;	/* the current entry */
	bool				 end;
};

static size_t
part_len(const struct trigram_part *pt)
{
	return pt->hi - pt->lo;
}

/* C at its first entry >= TARGET, from the part it is in on. */
static void
cur_settle(struct cursor *c, size_t target)
{
	const struct trigram_part	*pt;
	long				 i;
	size_t				 local;

	for (; c->at < c->npt; c->at++, c->open = false) {
		pt = &c->pt[c->at];
		if (target >= pt->base + part_len(pt))
			continue;
		if (!c->open) {
			if ((i = slot(pt->ix, c->t)) < 0)
				continue;
			lcur_init(&c->l, pt->ix, (uint32_t)i);
			c->open = true;
		}
		local = pt->lo + (target > pt->base ? target - pt->base : 0);
		lcur_seek(&c->l, (uint32_t)local);
		if (!c->l.end && c->l.val < pt->hi) {
			c->val = pt->base + (c->l.val - pt->lo);
			return;
		}
	}
	c->end = true;
}

/*
 * C on trigram T's list over the NPT parts PT; its count, for the order
 * of an intersection, that of the lists of the parts that start at
 * entry 0 (a caller's index cut in two parts is counted once).
 */
static void
cur_init(struct cursor *c, const struct trigram_part *pt, size_t npt,
    uint32_t t)
{
	size_t	 i;
	long	 s;

	c->pt = pt;
	c->npt = npt;
	c->at = 0;
	c->open = false;
	c->t = t;
	c->count = 0;
	c->end = false;
	for (i = 0; i < npt; i++)
		if (pt[i].lo == 0 && (s = slot(pt[i].ix, t)) >= 0)
			c->count += pt[i].ix->count[s];
	if (c->count == 0)
		c->end = true;
	else
		cur_settle(c, 0);
}

static void
cur_next(struct cursor *c)
{
	const struct trigram_part	*pt = &c->pt[c->at];

	lcur_next(&c->l);
	if (!c->l.end && c->l.val < pt->hi) {
		c->val = pt->base + (c->l.val - pt->lo);
		return;
	}
	c->at++;
	c->open = false;
	cur_settle(c, c->val + 1);
}

static void
cur_seek(struct cursor *c, size_t target)
{
	if (!c->end && c->val < target)
		cur_settle(c, target);
}

static bool
entry_has(const struct trigram *ix, size_t i, const char *fq, size_t len)
{
	return ix->has != NULL && ix->has(ix->arg, i, fq, len);
}

/* Hit E (an entry of part PT's index); false to stop. */
static bool
take(const struct trigram_part *pt, size_t e, const char *fq, size_t len,
    bool check, struct hits *h)
{
	if (h->visit != NULL)
		return h->visit(h->arg, pt->base + (e - pt->lo));
	if (check && !entry_has(pt->ix, e, fq, len))
		return true;
	return add_hit(h, pt->base + (e - pt->lo));
}

/*
 * A query of one or two symbols in part PT: the union of the lists of
 * the trigrams that start with it, merged through a heap ordered by
 * entry.  Exact: every such trigram holds the query.  False to stop.
 */
static bool
find_short(const struct trigram_part *pt, const char *fq, size_t len,
    struct hits *h)
{
	const struct trigram	*ix = pt->ix;
	struct lcur		 cur[NSYM * NSYM], tmp;
	uint32_t		 first, n, i, last = UINT32_MAX;
	size_t			 k = 0, j, c;

	first = (uint32_t)sym((unsigned char)fq[0]) * NSYM * NSYM;
	n = NSYM * NSYM;
	if (len == 2) {
		first += (uint32_t)sym((unsigned char)fq[1]) * NSYM;
		n = NSYM;
	}
	for (i = slot_from(ix, first); i < ix->nslot &&
	    slot_tri(ix, i) < first + n; i++) {
		if (ix->count[i] == 0)
			continue;
		lcur_init(&cur[k], ix, i);
		lcur_seek(&cur[k], pt->lo);
		if (!cur[k].end && cur[k].val < pt->hi)
			k++;
	}
	/* a binary min-heap on val */
	for (j = k / 2; j-- > 0; ) {
		for (i = (uint32_t)j; (c = 2 * (size_t)i + 1) < k;
		    i = (uint32_t)c) {
			if (c + 1 < k && cur[c + 1].val < cur[c].val)
				c++;
			if (cur[i].val <= cur[c].val)
				break;
			tmp = cur[i], cur[i] = cur[c], cur[c] = tmp;
		}
	}
	while (k > 0) {
		if (cur[0].val != last) {
			last = cur[0].val;
			if (!take(pt, last, fq, len, false, h))
				return false;
		}
		lcur_next(&cur[0]);
		if (cur[0].end || cur[0].val >= pt->hi)
			cur[0] = cur[--k];
		for (j = 0; (c = 2 * j + 1) < k; j = c) {
			if (c + 1 < k && cur[c + 1].val < cur[c].val)
				c++;
			if (cur[j].val <= cur[c].val)
				break;
			tmp = cur[j], cur[j] = cur[c], cur[c] = tmp;
		}
	}
	return true;
}

/*
 * Three symbols or more: the intersection of the query's trigram lists
 * over the NPT parts PT, led by the shortest (leapfrog), each candidate
 * checked when the query is longer than a trigram.  Gives up after
 * H->tries rounds; returns false then.  The rounds are those of one
 * index over all the parts' entries.
 */
static bool
find_long(const struct trigram_part *pt, size_t npt, const char *fq,
    size_t len, struct hits *h)
{
	struct cursor				 cur[TRIGRAM_QUERY_MAX];
	struct cursor				 tmp;
	uint32_t				 tri[TRIGRAM_QUERY_MAX], t;
	size_t					 k = 0, i, j, steps = 0;
	size_t					 target;

	/* past TRIGRAM_QUERY_MAX trigrams the check below decides alone */
	for (i = 0; i + 2 < len && k < TRIGRAM_QUERY_MAX; i++) {
		t = (uint32_t)sym((unsigned char)fq[i]) * NSYM * NSYM +
		    (uint32_t)sym((unsigned char)fq[i + 1]) * NSYM +
		    (uint32_t)sym((unsigned char)fq[i + 2]);
		for (j = 0; j < k && tri[j] != t; j++)
			;
		if (j < k)
			continue;
		cur_init(&cur[k], pt, npt, t);
		if (cur[k].count == 0)
			return true;			/* no hit */
		tri[k++] = t;
	}
	/* the shortest list first: it leads, the others are skipped */
	for (i = 1; i < k; i++)
		for (j = i; j > 0 && cur[j].count < cur[j - 1].count; j--)
			tmp = cur[j], cur[j] = cur[j - 1], cur[j - 1] = tmp;

	while (!cur[0].end) {
		if (++steps > h->tries)
			return false;
		target = cur[0].val;
		for (j = 1; j < k; j++) {
			cur_seek(&cur[j], target);
			if (cur[j].end)
				return true;
			if (cur[j].val != target)
				break;
		}
		if (j < k) {
			cur_seek(&cur[0], cur[j].val);
			continue;
		}
		if (!take(&cur[0].pt[cur[0].at], cur[0].l.val, fq, len,
		    len > 3, h))
			return true;
		cur_next(&cur[0]);
	}
	return true;
}

/* The query FQ over the parts, into H; false when the tries ran out. */
static bool
find(const struct trigram_part *pt, size_t npt, const char *fq,
    struct hits *h)
{
	size_t	 len = strlen(fq), i, n = 0;

	for (i = 0; i < npt; i++)
		n += part_len(&pt[i]);
	if (n == 0 || !trigram_is_folded(fq, len))
		return true;
	if (len >= 3)
		return find_long(pt, npt, fq, len, h);
	for (i = 0; i < npt; i++)
		if (!find_short(&pt[i], fq, len, h))
			break;
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
	struct hits		 h = { from, max, 0, sel, 0, nsel, tries, NULL,
	    NULL };
	struct trigram_part	 pt = { ix, 0, ix->n, 0 };

	*partial = !find(&pt, 1, fq, &h);
	return h.count;
}

size_t
trigram_find_linear(const struct trigram *ix, const char *fq,
    size_t from, size_t *sel, size_t nsel, size_t max)
{
	struct hits	 h = { from, max, 0, sel, 0, nsel, SIZE_MAX, NULL,
	    NULL };
	const char	*p, *end, *m;
	size_t		 len = strlen(fq), lo, hi, mid;

	if (ix->n == 0 || !trigram_is_folded(fq, len))
		return 0;
	if (ix->hay == NULL) {
		for (lo = 0; lo < ix->n; lo++)
			if (ix->has != NULL && ix->has(ix->arg, lo, fq, len) &&
			    !add_hit(&h, lo))
				break;
		return h.count;
	}
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

bool
trigram_visit(const struct trigram *ix, const char *fq,
    trigram_visit_fn visit, void *arg, size_t tries)
{
	struct trigram_part	 pt = { ix, 0, ix->n, 0 };

	return trigram_visit_parts(&pt, 1, fq, visit, arg, tries);
}

bool
trigram_visit_parts(const struct trigram_part *pt, size_t npt,
    const char *fq, trigram_visit_fn visit, void *arg, size_t tries)
{
	struct hits	 h = { 0, SIZE_MAX, 0, NULL, 0, 0, tries, visit,
	    arg };

	return find(pt, npt, fq, &h);
}
