/*
 * reuse: a reload's view of the site it replaces: page identities, the
 * paths whose route may have changed, and which pages are still right.
 */
#include <sys/stat.h>

#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "buf.h"
#include "config.h"
#include "partners.h"
#include "reuse.h"
#include "section.h"
#include "site.h"

uint64_t
reuse_hash(const char *path)
{
	uint64_t	 h = 14695981039346656037ULL;

	for (; *path != '\0'; path++) {
		h ^= (unsigned char)*path;
		h *= 1099511628211ULL;
	}
	return h;
}

void
reuse_id(struct page_id *id, const struct stat *st)
{
	id->dev = (uint64_t)st->st_dev;
	id->ino = (uint64_t)st->st_ino;
	id->size = (int64_t)st->st_size;
	id->mtime_ns = (int64_t)st->st_mtim.tv_sec * 1000000000 +
	    st->st_mtim.tv_nsec;
	id->ctime_ns = (int64_t)st->st_ctim.tv_sec * 1000000000 +
	    st->st_ctim.tv_nsec;
}

bool
reuse_same_id(const struct page_id *a, const struct page_id *b)
{
	return a->ino != 0 && a->dev == b->dev && a->ino == b->ino &&
	    a->size == b->size && a->mtime_ns == b->mtime_ns &&
	    a->ctime_ns == b->ctime_ns;
}

bool
reuse_racy(const struct site *old, const struct page_id *id)
{
	int64_t	 t = id->mtime_ns > id->ctime_ns ? id->mtime_ns : id->ctime_ns;
	int64_t	 margin = t % 1000000000 == 0 ? 2000000000 : 100000000;

	return t >= old->loaded_ns - margin;
}

int64_t
reuse_now(void)
{
	struct timespec	 ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/* A string of the key, after its length (NULL as "-"): unambiguous. */
static void
key_str(struct buf *k, const char *s)
{
	if (s == NULL)
		buf_adds(k, "-;");
	else
		buf_addf(k, "%zu:%s;", strlen(s), s);
}

char *
reuse_key(const struct site_opts *o, int rootfd)
{
	const struct conf_location	*l;
	struct buf			 k = BUF_INIT;
	struct stat			 st;
	size_t				 i;
	int				 p;

	if (fstat(rootfd, &st) == -1)
		return NULL;
	buf_addf(&k, "%llu:%llu", (unsigned long long)st.st_dev,
	    (unsigned long long)st.st_ino);
	buf_addc(&k, ';');
	key_str(&k, o->host);
	for (p = 0; p < PROTO_COUNT; p++)
		key_str(&k, o->port[p]);
	key_str(&k, o->lang);
	key_str(&k, o->description);
	key_str(&k, o->author);
	buf_addf(&k, "%d %d %d %d %d %d %zu %zu", o->no_listing,
	    (int)o->posts, (int)o->spartan_link, (int)o->pageindex,
	    (int)o->search, o->closed, o->nlocations, o->nredirects);
	buf_addc(&k, ';');
	for (i = 0; i < o->nlocations; i++) {
		l = &o->locations[i];
		key_str(&k, l->path);
		key_str(&k, l->lang);
		key_str(&k, l->title);
		buf_addf(&k, "%d %d %d %d %d", l->listing, l->posts,
		    l->set_listing, l->set_posts,
		    l->readers != NULL || l->ca != NULL);
		buf_addc(&k, ';');
	}
	for (i = 0; i < o->nredirects; i++) {
		key_str(&k, o->redirects[i].from);
		key_str(&k, o->redirects[i].to);
		buf_addf(&k, "%d", o->redirects[i].status);
		buf_addc(&k, ';');
	}
	if (k.failed) {
		buf_free(&k);
		return NULL;
	}
	return buf_take(&k, NULL);
}

/* Add the hash of PATH and of the other paths that route to its page. */
static int
add_changed(struct reuse *r, size_t *cap, const char *path)
{
	static const char *const forms[] = { "", "index.gmi",
	    "index.gemini" };
	struct buf	 alt = BUF_INIT;
	uint64_t	*v;
	size_t		 i, len = strlen(path);

	if (r->nchanged + 4 > *cap) {
		if ((v = reallocarray(r->changed, *cap * 2 + 16,
		    sizeof(*v))) == NULL)
			return -1;
		r->changed = v;
		*cap = *cap * 2 + 16;
	}
	r->changed[r->nchanged++] = reuse_hash(path);
	if (len < 2 || path[len - 1] != '/')
		return 0;
	/* a folder's page: "/f/" is also "/f", "/f/index.gmi", ... */
	for (i = 0; i < sizeof(forms) / sizeof(forms[0]); i++) {
		buf_reset(&alt);
		if (i == 0)
			buf_add(&alt, path, len - 1);
		else
			buf_addf(&alt, "%s%s", path, forms[i]);
		if (alt.failed) {
			buf_free(&alt);
			return -1;
		}
		r->changed[r->nchanged++] = reuse_hash(alt.data);
	}
	buf_free(&alt);
	return 0;
}

/* What the partner directory's section says of its addresses. */
static void
partners_sign(const struct site *s, struct buf *out)
{
	const struct section	*sec;

	if ((sec = site_section(s, &partners_section)) != NULL &&
	    sec->ops->robots != NULL)
		sec->ops->robots(sec->ctx, out);
}

static int
u64_cmp(const void *a, const void *b)
{
	uint64_t	 x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

/* The next path of NEW's stream: the smaller of its two sorted lists. */
static const struct page *
next_new(struct page *const *pages, size_t n, size_t *i,
    char *const *extra, size_t nextra, size_t *j, const char **path)
{
	int	 c;

	if (*i == n && *j == nextra)
		return NULL;
	c = *i == n ? 1 : *j == nextra ? -1 :
	    strcmp(pages[*i]->path, extra[*j]);
	if (c > 0) {
		*path = extra[(*j)++];
		return NULL;
	}
	if (c == 0)
		(*j)++;			/* the same path: once */
	*path = pages[*i]->path;
	return pages[(*i)++];
}

int
reuse_changes(struct reuse *r, struct page *const *pages, size_t n,
    char *const *extra, size_t nextra, const struct site *s)
{
	const struct site	*o = r->old;
	const struct page	*np, *op;
	struct buf		 a = BUF_INIT, b = BUF_INIT;
	const char		*path = NULL;
	size_t			 i = 0, j = 0, k = 0, cap = 0;
	int			 c;

	r->known = true;
	partners_sign(o, &a);
	partners_sign(s, &b);
	if (a.failed || b.failed || a.len != b.len ||
	    (a.len > 0 && memcmp(a.data, b.data, a.len) != 0))
		r->all = true;
	buf_free(&a);
	buf_free(&b);
	np = next_new(pages, n, &i, extra, nextra, &j, &path);
	while (k < o->npages || path != NULL) {
		op = k < o->npages ? o->pages[k] : NULL;
		/* a page shared is at the same path */
		c = op == NULL ? 1 : path == NULL ? -1 : op == np ? 0 :
		    strcmp(op->path, path);
		if (c < 0 && add_changed(r, &cap, op->path) == -1)
			goto oom;
		if (c > 0 && add_changed(r, &cap, path) == -1)
			goto oom;
		/* the kind of a page a generated page now hides, or reveals */
		if (c == 0 && np != NULL && (np->gopher_type !=
		    op->gopher_type || np->generated != op->generated) &&
		    add_changed(r, &cap, path) == -1)
			goto oom;
		if (c <= 0)
			k++;
		if (c >= 0) {
			path = NULL;
			np = next_new(pages, n, &i, extra, nextra, &j, &path);
		}
	}
	if (r->nchanged > 1)
		qsort(r->changed, r->nchanged, sizeof(*r->changed), u64_cmp);
	return 0;
 oom:
	r->all = true;
	return -1;
}

bool
reuse_clean(const struct reuse *r, const struct page *pg)
{
	size_t	 i;

	if (r->all)
		return false;
	if (r->nchanged == 0 || pg->ndeps == 0)
		return true;
	if (pg->deps_any)
		return false;
	for (i = 0; i < pg->ndeps; i++)
		if (bsearch(&pg->deps[i], r->changed, r->nchanged,
		    sizeof(*r->changed), u64_cmp) != NULL)
			return false;
	return true;
}

bool
reuse_same_str(const char *a, const char *b)
{
	return a == NULL ? b == NULL : b != NULL && strcmp(a, b) == 0;
}

bool
reuse_equal(const struct page *a, const struct page *b)
{
	/* the same string may have two addresses (two files' literals) */
	return strcmp(a->path, b->path) == 0 &&
	    reuse_same_str(a->mime, b->mime) &&
	    a->gopher_type == b->gopher_type &&
	    a->is_gemtext == b->is_gemtext && a->generated == b->generated &&
	    reuse_same_str(a->index, b->index) && a->file == NULL &&
	    b->file == NULL && a->mtime == b->mtime && a->id.ino == b->id.ino &&
	    reuse_same_str(a->gemtext_mime, b->gemtext_mime) &&
	    reuse_same_str(a->title, b->title) && a->body_len == b->body_len &&
	    (a->body_len == 0 || memcmp(a->body, b->body, a->body_len) == 0);
}

void
reuse_free(struct reuse *r)
{
	free(r->changed);
	memset(r, 0, sizeof(*r));
}
