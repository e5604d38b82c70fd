/*
 * pageindex: every page a site serves as a paged gemtext list, and its
 * struct section_ops (pageindex.h).  Built once at load from the sorted
 * pages; the entries' link lines are kept in blocks of a few dozen
 * entries, each one string, so a page of the list is a copy of a slice
 * of a block or two.  A reload shares with the last index every block
 * whose pages are the same pages, in the same order: one changed post
 * makes one block anew.
 */
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "msg.h"
#include "pageindex.h"
#include "search.h"
#include "section.h"
#include "site.h"
#include "url.h"

/*
 * Consecutive entries.  PG are the pages they were made of: only
 * compared by address, with the pages of a site that holds every one of
 * them (a block is shared only by sites that hold all its pages).
 */
struct block {
	atomic_int		 refs;	/* the indexes that hold it */
	size_t			 n;
	const struct page	**pg;	/* owned: n */
	size_t			*off;	/* owned: entry i at lines + off[i], */
	char			*lines;	/* owned: n + 1 offsets */
};

#define BLOCK_MAX	64	/* entries in a block made anew */

struct pageindex {
	char			*base;	/* owned: "/pages/" */
	char			*search;	/* owned: the search's */
					/* address, encoded, or NULL */
	const struct msg_table	*msg;	/* static */
	struct block		**blocks;	/* counted */
	size_t			*start;	/* owned: block i's first entry, */
	size_t			 nblocks;	/* nblocks + 1 of them */
	size_t			 cap;
	size_t			 n;	/* entries */
};

static void
block_free(struct block *b)
{
	if (b == NULL || atomic_fetch_sub(&b->refs, 1) > 1)
		return;
	free(b->pg);
	free(b->off);
	free(b->lines);
	free(b);
}

/* Append B (its reference taken over) to PI's blocks.  0 or -1. */
static int
add_block(struct pageindex *pi, struct block *b)
{
	struct block	**v;
	size_t		 *st;

	if (pi->nblocks == pi->cap) {
		if ((v = reallocarray(pi->blocks, pi->cap * 2 + 16,
		    sizeof(*v))) == NULL) {
			block_free(b);
			return -1;
		}
		pi->blocks = v;
		if ((st = reallocarray(pi->start, pi->cap * 2 + 17,
		    sizeof(*st))) == NULL) {
			block_free(b);
			return -1;
		}
		pi->start = st;
		pi->cap = pi->cap * 2 + 16;
	}
	pi->start[pi->nblocks] = pi->n;
	pi->blocks[pi->nblocks++] = b;
	pi->n += b->n;
	pi->start[pi->nblocks] = pi->n;
	return 0;
}

#define M(pi, id)	msg_get((pi)->msg, (id))

/* A post's page and its date, for the lookup by page. */
struct dated {
	const struct page	*pg;
	const struct article	*a;
};

static int
dated_cmp(const void *a, const void *b)
{
	uintptr_t	 x = (uintptr_t)((const struct dated *)a)->pg;
	uintptr_t	 y = (uintptr_t)((const struct dated *)b)->pg;

	return x < y ? -1 : x > y;
}

/*
 * Every post of S, sorted by its page, into *DP (*NP of them; NULL, 0:
 * none).  Returns -1 when out of memory.
 */
static int
dated_posts(const struct site *s, struct dated **dp, size_t *np)
{
	struct dated	*d;
	size_t		 i, j, n = 0;

	*dp = NULL;
	*np = 0;
	for (i = 0; i < s->nblogs; i++)
		n += s->blogs[i].narticles;
	if (n == 0)
		return 0;
	if ((d = calloc(n, sizeof(*d))) == NULL)
		return -1;
	n = 0;
	for (i = 0; i < s->nblogs; i++)
		for (j = 0; j < s->blogs[i].narticles; j++) {
			d[n].pg = s->blogs[i].articles[j].page;
			d[n++].a = &s->blogs[i].articles[j];
		}
	qsort(d, n, sizeof(*d), dated_cmp);
	*dp = d;
	*np = n;
	return 0;
}

/*
 * The posts of a site, to date the entries: looked up in the blog of the
 * page's folder while few are asked for (a reload that takes over the
 * rest), sorted by page once many are (dated_posts).
 */
struct dates {
	const struct site	*s;
	struct dated		*d;	/* owned, or NULL */
	size_t			 nd;
	size_t			 asked;
	bool			 sorted;	/* d is made */
};

#define DATES_LOOKUPS	64	/* asked for before they are sorted */

/* The article of PG, or NULL; -1 in *ERR when out of memory. */
static const struct article *
dates_find(struct dates *ds, const struct page *pg, int *err)
{
	const struct site	*s = ds->s;
	struct dated		 key, *hit;
	const char		*slash = strrchr(pg->path, '/');
	size_t			 i, j, len;

	if (!pg->is_gemtext)
		return NULL;
	if (!ds->sorted && ++ds->asked > DATES_LOOKUPS) {
		if (dated_posts(s, &ds->d, &ds->nd) == -1) {
			*err = -1;
			return NULL;
		}
		ds->sorted = true;
	}
	if (ds->sorted) {
		key.pg = pg;
		hit = ds->nd == 0 ? NULL : bsearch(&key, ds->d, ds->nd,
		    sizeof(*ds->d), dated_cmp);
		return hit != NULL ? hit->a : NULL;
	}
	len = (size_t)(slash - pg->path) + 1;	/* the folder, "/log/" */
	for (i = 0; i < s->nblogs; i++) {
		if (strncmp(s->blogs[i].path, pg->path, len) != 0 ||
		    s->blogs[i].path[len] != '\0')
			continue;
		for (j = 0; j < s->blogs[i].narticles; j++)
			if (s->blogs[i].articles[j].page == pg)
				return &s->blogs[i].articles[j];
	}
	return NULL;
}

/* The link line of PG: a post dated, gemtext by title, a file by path. */
static void
add_entry(struct buf *out, const struct page *pg, const struct article *a)
{
	const char	*title = NULL;

	buf_adds(out, "=> ");
	url_encode_path(out, pg->path);
	buf_addc(out, ' ');
	if (a != NULL) {
		buf_addf(out, "%s ", a->date);
		title = a->title;
	} else if (pg->is_gemtext)
		title = pg->doc.title;
	if (title == NULL || title[0] == '\0')
		title = pg->path;
	buf_adds(out, title);
	buf_addc(out, '\n');
}

/* True if S's page PG has no entry in the index at BASE. */
static bool
is_left_out(const struct site *s, const struct page *pg, const char *base,
    size_t blen)
{
	/* the index's own; a closed area only in an index closed as well */
	return (pg->path[1] == base[1] &&
	    strncmp(pg->path, base, blen) == 0) ||
	    (site_is_closed(s, pg->path) && !site_is_closed(s, base));
}

struct pageindex *
pageindex_build(const struct site *s, const char *base)
{
	return pageindex_rebuild(s, base, NULL);
}

/*
 * A block of the entries of the N pages PGS (S's), made now; NULL when
 * out of memory.
 */
static struct block *
make_block(struct dates *ds, const struct page *const *pgs, size_t n)
{
	struct block	*b;
	struct buf	 lines = BUF_INIT;
	size_t		 i;
	int		 err = 0;

	if ((b = calloc(1, sizeof(*b))) == NULL)
		return NULL;
	atomic_init(&b->refs, 1);
	b->n = n;
	if ((b->pg = calloc(n + 1, sizeof(*b->pg))) == NULL ||
	    (b->off = calloc(n + 1, sizeof(*b->off))) == NULL)
		goto bad;
	for (i = 0; i < n; i++) {
		b->pg[i] = pgs[i];
		b->off[i] = lines.len;
		add_entry(&lines, pgs[i], dates_find(ds, pgs[i], &err));
		if (err == -1)
			goto bad;
	}
	b->off[n] = lines.len;
	if (lines.failed || (lines.len == 0 && !buf_reserve(&lines, 1)) ||
	    (b->lines = buf_take(&lines, NULL)) == NULL)
		goto bad;
	return b;
 bad:
	buf_free(&lines);
	atomic_store(&b->refs, 1);
	block_free(b);
	return NULL;
}

/* True if the entries from PGS (N left) begin with OB's pages. */
static bool
is_same_block(const struct block *ob, const struct page *const *pgs,
    size_t n)
{
	size_t	 i;

	if (ob->n > n)
		return false;
	for (i = 0; i < ob->n; i++)
		if (ob->pg[i] != pgs[i])
			return false;
	return true;
}

struct pageindex *
pageindex_rebuild(const struct site *s, const char *base,
    const struct pageindex *opi)
{
	struct pageindex	*pi;
	const struct section	*sec;
	const struct page	**pgs = NULL;
	struct block		*b, *ob;
	struct dates		 ds;
	struct buf		 sb = BUF_INIT;
	size_t			 i, n = 0, pend, k = 0, blen = strlen(base);

	memset(&ds, 0, sizeof(ds));
	ds.s = s;
	if ((pi = calloc(1, sizeof(*pi))) == NULL)
		return NULL;
	pi->msg = s->msg;
	if ((sec = site_section(s, &search_section)) != NULL) {
		search_link(sec->ctx, &sb);
		if ((pi->search = buf_take(&sb, NULL)) == NULL)
			goto nomem;
	}
	if (opi != NULL && (opi->msg != pi->msg || strcmp(opi->base,
	    base) != 0))
		opi = NULL;
	if ((pi->base = strdup(base)) == NULL ||
	    (pgs = calloc(s->npages + 1, sizeof(*pgs))) == NULL)
		goto nomem;
	for (i = 0; i < s->npages; i++)
		if (!is_left_out(s, s->pages[i], base, blen))
			pgs[n++] = s->pages[i];
	/*
	 * Both lists in the order of the paths: an old block whose first
	 * page comes next, and whose pages all follow in order, is shared;
	 * the entries up to the next such block are made anew.
	 */
	for (i = pend = 0; i < n; ) {
		while (opi != NULL && k < opi->nblocks &&
		    (ob = opi->blocks[k])->n > 0 && ob->pg[0] != pgs[i] &&
		    strcmp(ob->pg[0]->path, pgs[i]->path) < 0)
			k++;
		ob = opi != NULL && k < opi->nblocks ? opi->blocks[k] : NULL;
		if (ob != NULL && ob->n > 0 && ob->pg[0] == pgs[i] &&
		    is_same_block(ob, pgs + i, n - i)) {
			if (pend < i && ((b = make_block(&ds, pgs + pend,
			    i - pend)) == NULL || add_block(pi, b) == -1))
				goto nomem;
			atomic_fetch_add(&ob->refs, 1);
			if (add_block(pi, ob) == -1)
				goto nomem;
			i += ob->n;
			pend = i;
			k++;
			continue;
		}
		if (++i - pend == BLOCK_MAX) {
			if ((b = make_block(&ds, pgs + pend, i - pend)) ==
			    NULL || add_block(pi, b) == -1)
				goto nomem;
			pend = i;
		}
	}
	if (pend < n && ((b = make_block(&ds, pgs + pend, n - pend)) ==
	    NULL || add_block(pi, b) == -1))
		goto nomem;
	if (pi->start == NULL && (pi->start = calloc(1,
	    sizeof(*pi->start))) == NULL)
		goto nomem;
	free(pgs);
	free(ds.d);
	return pi;
 nomem:
	free(pgs);
	free(ds.d);
	buf_free(&sb);
	pageindex_free(pi);
	return NULL;
}

void
pageindex_free(struct pageindex *pi)
{
	size_t	 i;

	if (pi == NULL)
		return;
	free(pi->base);
	free(pi->search);
	for (i = 0; i < pi->nblocks; i++)
		block_free(pi->blocks[i]);
	free(pi->blocks);
	free(pi->start);
	free(pi);
}

size_t
pageindex_count(const struct pageindex *pi)
{
	return pi->n;
}

size_t
pageindex_npages(const struct pageindex *pi)
{
	return pi->n == 0 ? 1 : (pi->n + PAGEINDEX_PER_PAGE - 1) /
	    PAGEINDEX_PER_PAGE;
}

/* A link to page PAGE of the index, labelled by FMT (page, pages). */
static void
add_page_link(struct buf *out, const struct pageindex *pi, size_t page,
    enum msg fmt)
{
	buf_adds(out, "=> ");
	url_encode_path(out, pi->base);
	if (page > 1)
		buf_addf(out, "%s%zu.gmi", M(pi, MSG_URL_PAGE), page);
	buf_addc(out, ' ');
	buf_addf(out, M(pi, fmt), page, pageindex_npages(pi));
	buf_addc(out, '\n');
}

/* Append the entries FIRST .. LAST - 1 (< pi->n) of PI to OUT. */
static void
add_lines(struct buf *out, const struct pageindex *pi, size_t first,
    size_t last)
{
	const struct block	*b;
	size_t			 lo = 0, hi = pi->nblocks, mid, from, to;

	while (hi - lo > 1) {		/* the block that holds FIRST */
		mid = (lo + hi) / 2;
		if (pi->start[mid] <= first)
			lo = mid;
		else
			hi = mid;
	}
	for (; lo < pi->nblocks && pi->start[lo] < last; lo++) {
		b = pi->blocks[lo];
		from = first > pi->start[lo] ? first - pi->start[lo] : 0;
		to = last - pi->start[lo] < b->n ? last - pi->start[lo] :
		    b->n;
		buf_add(out, b->lines + b->off[from], b->off[to] -
		    b->off[from]);
	}
}

int
pageindex_page(const struct pageindex *pi, size_t page, struct buf *out)
{
	size_t	 np = pageindex_npages(pi), first, last;

	if (page < 1 || page > np)
		return -1;
	buf_addf(out, "# %s\n\n", M(pi, MSG_PAGEINDEX_TITLE));
	buf_addf(out, M(pi, MSG_PAGEINDEX_COUNT), pi->n);
	if (np > 1) {
		buf_adds(out, " - ");
		buf_addf(out, M(pi, MSG_PAGE_N_OF_M), page, np);
	}
	buf_adds(out, "\n\n");
	first = (page - 1) * PAGEINDEX_PER_PAGE;
	last = first + PAGEINDEX_PER_PAGE;
	if (last > pi->n)
		last = pi->n;
	if (first < last)
		add_lines(out, pi, first, last);
	buf_addc(out, '\n');
	if (page > 1)
		add_page_link(out, pi, page - 1, MSG_PREV_PAGE);
	if (page < np)
		add_page_link(out, pi, page + 1, MSG_NEXT_PAGE);
	if (pi->search != NULL)
		buf_addf(out, "=> %s %s\n", pi->search, M(pi, MSG_FIND_TITLE));
	buf_addf(out, "=> / %s\n", M(pi, MSG_HOME));
	return out->failed ? -1 : 0;
}

/*
 * The index as a generated section: its pages past the first, made on
 * request.  It has no search.
 */
static bool
sec_match(const void *ctx, const char *path, struct section_req *req)
{
	const struct pageindex	*pi = ctx;
	const char		*pfx = M(pi, MSG_URL_PAGE), *p;
	size_t			 blen = strlen(pi->base), plen = strlen(pfx);
	size_t			 page = 0;

	if (strncmp(path, pi->base, blen) != 0 ||
	    strncmp(path + blen, pfx, plen) != 0)
		return false;
	p = path + blen + plen;
	if (*p < '1' || *p > '9')		/* no sign, no leading 0 */
		return false;
	for (; *p >= '0' && *p <= '9'; p++) {
		if (page > pageindex_npages(pi))
			return false;
		page = page * 10 + (size_t)(*p - '0');
	}
	if (strcmp(p, ".gmi") != 0 || page < 2 ||
	    page > pageindex_npages(pi))
		return false;
	req->op = SECTION_LIST;
	req->list = 0;
	req->page = page;
	return true;
}

static int
sec_list(const void *ctx, int list, size_t page, struct result *res)
{
	const struct pageindex	*pi = ctx;

	res->title = M(pi, MSG_PAGEINDEX_TITLE);
	res->count = pi->n;
	res->npages = pageindex_npages(pi);
	if (list != 0 || pageindex_page(pi, page, &res->text) == -1) {
		res->status = RESULT_FAILED;
		res->why = res->text.failed ? "out of memory" : "no such page";
		return -1;
	}
	return 0;
}

static int
sec_search(const void *ctx, const char *query, size_t page,
    enum section_link link, struct result *res)
{
	res->status = RESULT_FAILED;
	res->why = "the page index has no search";
	return -1;
}

static const char *
sec_prompt(const void *ctx)
{
	return M((const struct pageindex *)ctx, MSG_PAGEINDEX_TITLE);
}

/* Pages 2 .. the last: those sec_match() names. */
static int
sec_pages(const void *ctx, struct section_page **pagesp, size_t *np,
    const char **errstr)
{
	const struct pageindex	*pi = ctx;
	struct section_page	*pages = NULL;
	struct buf		 b = BUF_INIT;
	size_t			 page, n, last = pageindex_npages(pi);

	*pagesp = NULL;
	*np = 0;
	if (last < 2)
		return 0;
	if ((pages = calloc(last - 1, sizeof(*pages))) == NULL)
		goto nomem;
	for (n = 0, page = 2; page <= last; page++, n++) {
		buf_addf(&b, "%s%s%zu.gmi", pi->base, M(pi, MSG_URL_PAGE),
		    page);
		if ((pages[n].path = buf_take(&b, NULL)) == NULL ||
		    pageindex_page(pi, page, &b) == -1 ||
		    (pages[n].text = buf_take(&b, &pages[n].len)) == NULL)
			goto nomem;
	}
	*pagesp = pages;
	*np = n;
	return 0;
 nomem:
	buf_free(&b);
	section_pages_free(pages, last - 1);
	*errstr = "out of memory";
	return -1;
}

static void
sec_free(void *ctx)
{
	pageindex_free(ctx);
}

const struct section_ops pageindex_section = {
	.name = "pageindex",
	.match = sec_match,
	.list = sec_list,
	.search = sec_search,
	.prompt = sec_prompt,
	.pages = sec_pages,
	.free = sec_free,
};
