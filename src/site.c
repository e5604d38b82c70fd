#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "buf.h"
#include "config.h"
#include "mime.h"
#include "region.h"
#include "msg.h"
#include "rootfs.h"
#include "section.h"
#include "site.h"
#include "tar.h"
#include "textcache.h"
#include "url.h"

static int
redirect_cmp(const void *a, const void *b)
{
	return strcmp(((const struct site_redirect *)a)->from,
	    ((const struct site_redirect *)b)->from);
}

const struct site_redirect *
site_redirect(const struct site *s, const char *path)
{
	struct site_redirect	 key;

	if (s->nredirects == 0)
		return NULL;
	key.from = (char *)path;
	return bsearch(&key, s->redirects, s->nredirects,
	    sizeof(*s->redirects), redirect_cmp);
}

/* The folders of OPTS that need a client certificate, into S. */
static int
copy_closed(struct site *s, const struct site_opts *opts)
{
	size_t	 i;

	if ((s->closed = calloc(opts->nlocations + 1, sizeof(*s->closed))) ==
	    NULL)
		return -1;
	if (opts->closed && (s->closed[s->nclosed++] = strdup("/")) == NULL)
		return -1;
	for (i = 0; i < opts->nlocations; i++)
		if ((opts->locations[i].readers != NULL ||
		    opts->locations[i].ca != NULL) &&
		    (s->closed[s->nclosed++] =
		    strdup(opts->locations[i].path)) == NULL)
			return -1;
	return 0;
}

struct site *
site_new(const struct site_opts *opts)
{
	struct site	*s;
	struct buf	 mime = BUF_INIT;
	size_t		 i;
	int		 p;

	if ((s = calloc(1, sizeof(*s))) == NULL)
		return NULL;
	s->rootfd = -1;
	s->msg = msg_table(opts->lang);
	buf_adds(&mime, MIME_GEMTEXT);
	if (opts->lang != NULL)
		buf_addf(&mime, "; lang=%s", opts->lang);
	if ((s->gemtext_mime = buf_take(&mime, NULL)) == NULL)
		goto bad;
	if ((s->host = strdup(opts->host)) == NULL ||
	    (opts->lang != NULL && (s->lang = strdup(opts->lang)) == NULL) ||
	    (opts->description != NULL &&
	    (s->description = strdup(opts->description)) == NULL) ||
	    (opts->author != NULL &&
	    (s->author = strdup(opts->author)) == NULL))
		goto bad;
	s->text_later = opts->text_later;
	s->menu_later = opts->menu_later;
	for (p = 0; p < PROTO_COUNT; p++)
		if (opts->port[p] != NULL &&
		    (s->port[p] = strdup(opts->port[p])) == NULL)
			goto bad;
	if (opts->nredirects > 0 && (s->redirects = calloc(opts->nredirects,
	    sizeof(*s->redirects))) == NULL)
		goto bad;
	for (i = 0; i < opts->nredirects; i++) {
		s->redirects[i].status = opts->redirects[i].status;
		s->nredirects++;
		if ((s->redirects[i].from = strdup(opts->redirects[i].from)) ==
		    NULL ||
		    (s->redirects[i].to = strdup(opts->redirects[i].to)) ==
		    NULL)
			goto bad;
	}
	if (opts->nlocations > 0 && (s->loc_mime = calloc(opts->nlocations,
	    sizeof(*s->loc_mime))) == NULL)
		goto bad;
	for (i = 0; i < opts->nlocations; i++) {
		s->nloc_mime++;
		if (opts->locations[i].lang == NULL)
			continue;
		buf_reset(&mime);
		buf_addf(&mime, "%s; lang=%s", MIME_GEMTEXT,
		    opts->locations[i].lang);
		if ((s->loc_mime[i] = buf_take(&mime, NULL)) == NULL)
			goto bad;
	}
	if (s->nredirects > 1)
		qsort(s->redirects, s->nredirects, sizeof(*s->redirects),
		    redirect_cmp);
	if (copy_closed(s, opts) == -1)
		goto bad;
	return s;
 bad:
	site_free(s);
	return NULL;
}

void
site_free(struct site *s)
{
	size_t	 i;
	int	 p;

	if (s == NULL)
		return;
	for (i = 0; i < s->nredirects; i++) {
		free(s->redirects[i].from);
		free(s->redirects[i].to);
	}
	free(s->redirects);
	for (i = 0; i < s->nloc_mime; i++)
		free(s->loc_mime[i]);
	free(s->loc_mime);
	for (i = 0; i < s->nclosed; i++)
		free(s->closed[i]);
	free(s->closed);
	free(s->key);
	site_dirs_free(s->dirs, s->ndirs);
	tar_free(s->archive);
	free(s->archive);
	for (i = 0; i < s->npages; i++)
		page_free(s->pages[i]);
	free(s->pages);
	region_free(&s->parse);
	for (i = 0; i < s->nblogs; i++) {
		free(s->blogs[i].path);
		free(s->blogs[i].feed_title);
		site_blog_unref(&s->blogs[i]);
	}
	free(s->blogs);
	for (i = 0; i < s->nsections; i++)
		s->sections[i].ops->free(s->sections[i].ctx);
	free(s->sections);
	free(s->host);
	for (p = 0; p < PROTO_COUNT; p++)
		free(s->port[p]);
	if (s->rootfd != -1)
		close(s->rootfd);
	free(s->lang);
	free(s->description);
	free(s->author);
	free(s->gemtext_mime);
	free(s);
}

void *
site_parse_alloc(void *arg, size_t len)
{
	struct site	*s = arg;

	return region_alloc(&s->parse, len);
}

int
site_compact(struct site *s)
{
	struct article	*a;
	const char	*t;
	size_t		 i, j;
	int		 ret = 0;

	/* a page taken over from an older site was compacted there */
	for (i = 0; i < s->npages; i++)
		if (!s->pages[i]->compact && s->pages[i]->is_gemtext &&
		    gemtext_keep_title(&s->pages[i]->doc) == -1)
			ret = -1;
	for (i = 0; i < s->npages && ret == 0; i++)
		if (!s->pages[i]->compact)	/* a shared page: never written */
			s->pages[i]->compact = true;
	if (ret == 0)		/* no page points into the parse any more */
		region_free(&s->parse);
	/* the articles borrowed the titles: from the new copies (or the
	   old ones, where a copy failed) */
	for (i = 0; i < s->nblogs; i++)
		for (j = 0; j < s->blogs[i].narticles; j++) {
			a = &s->blogs[i].articles[j];
			t = a->page->title != NULL ? a->page->title :
			    a->page->doc.title;
			if (a->title != t)	/* never written when shared */
				a->title = t;
		}
	return ret;
}

int
site_add_section(struct site *s, const struct section_ops *ops, void *ctx)
{
	struct section	*v;

	if ((v = reallocarray(s->sections, s->nsections + 1,
	    sizeof(*v))) == NULL) {
		ops->free(ctx);
		return -1;
	}
	s->sections = v;
	v[s->nsections].ops = ops;
	v[s->nsections++].ctx = ctx;
	return 0;
}

const struct section *
site_section(const struct site *s, const struct section_ops *ops)
{
	size_t	 i;

	for (i = 0; i < s->nsections; i++)
		if (s->sections[i].ops == ops)
			return &s->sections[i];
	return NULL;
}

static int
dir_cmp(const void *key, const void *elem)
{
	return strcmp(key, ((const struct site_dir *)elem)->rel);
}

const struct site_dir *
site_dir_find(const struct site *s, const char *rel)
{
	if (s->ndirs == 0)
		return NULL;
	return bsearch(rel, s->dirs, s->ndirs, sizeof(*s->dirs), dir_cmp);
}

void
site_blog_unref(struct blog *b)
{
	if (b->refs == NULL || atomic_fetch_sub(b->refs, 1) == 1) {
		free(b->articles);
		free(b->refs);
	}
	b->articles = NULL;
	b->refs = NULL;
}

void
site_dirs_free(struct site_dir *d, size_t n)
{
	size_t	 i, j;

	for (i = 0; i < n; i++) {
		if (d[i].refs == NULL || atomic_fetch_sub(d[i].refs, 1) == 1) {
			for (j = 0; j < d[i].nents; j++)
				free(d[i].ents[j].name);
			free(d[i].ents);
			free(d[i].refs);
		}
		free(d[i].rel);
	}
	free(d);
}

int
site_reserve(struct site *s, size_t n)
{
	struct page	**p;

	if (n <= s->pagecap)
		return 0;
	if ((p = reallocarray(s->pages, n, sizeof(*p))) == NULL)
		return -1;
	s->pages = p;
	s->pagecap = n;
	return 0;
}

int
site_add_page_at(struct site *s, struct page *pg, size_t at)
{
	if (site_add_page(s, pg) == -1)
		return -1;
	if (at < s->npages - 1) {
		memmove(&s->pages[at + 1], &s->pages[at],
		    (s->npages - 1 - at) * sizeof(*s->pages));
		s->pages[at] = pg;
	}
	return 0;
}

int
site_add_page(struct site *s, struct page *pg)
{
	struct page	**p;

	if (s->npages == s->pagecap) {
		p = reallocarray(s->pages, s->pagecap ? s->pagecap * 2 : 16,
		    sizeof(*p));
		if (p == NULL)
			return -1;
		s->pages = p;
		s->pagecap = s->pagecap ? s->pagecap * 2 : 16;
	}
	s->pages[s->npages++] = pg;
	return 0;
}

static int
page_cmp(const void *a, const void *b)
{
	const struct page	*pa = *(struct page *const *)a;
	const struct page	*pb = *(struct page *const *)b;

	return strcmp(pa->path, pb->path);
}

/*
 * Sorted since the last call but for the pages added after it: a few are
 * put in place one by one (the feeds, robots.txt, added after the walk),
 * many sorted whole.  The pages are never re-sorted whole for one feed.
 */
void
site_sort(struct site *s)
{
	struct page	*pg;
	size_t		 i, lo, hi, mid;

	if (s->nsorted > s->npages)
		s->nsorted = 0;
	if (s->npages - s->nsorted > 64) {
		/* the walk adds them in order, but for a few folders */
		for (i = s->nsorted > 0 ? s->nsorted : 1; i < s->npages; i++)
			if (strcmp(s->pages[i - 1]->path, s->pages[i]->path) > 0)
				break;
		if (i < s->npages)
			qsort(s->pages, s->npages, sizeof(*s->pages),
			    page_cmp);
		s->nsorted = s->npages;
		return;
	}
	for (i = s->nsorted; i < s->npages; i++) {
		pg = s->pages[i];
		for (lo = 0, hi = i; lo < hi; ) {
			mid = (lo + hi) / 2;
			if (strcmp(s->pages[mid]->path, pg->path) <= 0)
				lo = mid + 1;
			else
				hi = mid;
		}
		memmove(&s->pages[lo + 1], &s->pages[lo],
		    (i - lo) * sizeof(*s->pages));
		s->pages[lo] = pg;
	}
	s->nsorted = s->npages;
}

static struct page *
find(const struct site *s, const char *path, size_t len)
{
	size_t	 lo = 0, hi = s->npages, mid;
	int	 cmp;

	while (lo < hi) {
		mid = (lo + hi) / 2;
		cmp = strncmp(path, s->pages[mid]->path, len);
		if (cmp == 0 && s->pages[mid]->path[len] != '\0')
			cmp = -1;
		if (cmp < 0)
			hi = mid;
		else if (cmp > 0)
			lo = mid + 1;
		else
			return s->pages[mid];
	}
	return NULL;
}

struct page *
site_lookup(const struct site *s, const char *path)
{
	static const char *const index[] = { "/index.gmi", "/index.gemini" };
	size_t			 i, n, len = strlen(path);
	struct page		*pg;

	if ((pg = find(s, path, len)) != NULL)
		return pg;
	for (i = 0; i < sizeof(index) / sizeof(index[0]); i++) {
		n = strlen(index[i]);
		if (len >= n && strcmp(path + len - n, index[i]) == 0)
			return find(s, path, len - n + 1);
	}
	return NULL;
}

/* Errors that say nothing of the file itself, but of the server now. */
static bool
is_transient(int e)
{
	return e == EMFILE || e == ENFILE || e == ENOMEM || e == ENOBUFS ||
	    e == EAGAIN || e == EINTR || e == EACCES || e == EPERM ||
	    e == EIO;
}

int
site_open_file(const struct site *s, const struct page *pg, long long *len,
    char *why, size_t whylen)
{
	const char	*errstr = "no file";
	int		 fd;

	if (pg->file != NULL && s->rootfd != -1) {
		errno = 0;
		fd = rootfs_open(s->rootfd, pg->file, false, NULL, len,
		    &errstr);
		if (fd != -1)
			return fd;
		if (is_transient(errno)) {
			snprintf(why, whylen, "cannot open %s now: %s",
			    pg->file, strerror(errno));
			return SITE_OPEN_LATER;
		}
	}
	snprintf(why, whylen, "file gone since the load: %s: %s",
	    pg->file != NULL ? pg->file : pg->path, errstr);
	return SITE_OPEN_GONE;
}

bool
site_is_closed(const struct site *s, const char *path)
{
	size_t	 i, n, len;

	if (s->nclosed == 0)
		return false;
	len = strlen(path);
	for (i = 0; i < s->nclosed; i++) {
		n = strlen(s->closed[i]);
		/* "/members/" closes "/members/..." and "/members" */
		if (strncmp(path, s->closed[i], len < n ? len : n) == 0 &&
		    (len >= n || len + 1 == n))
			return true;
	}
	return false;
}

bool
site_is_folder(const struct site *s, const char *path)
{
	char	 tmp[2048];
	size_t	 len = strlen(path);

	if (len == 0 || path[len - 1] == '/' || len + 2 > sizeof(tmp))
		return false;
	memcpy(tmp, path, len);
	tmp[len] = '/';
	tmp[len + 1] = '\0';
	return find(s, tmp, len + 1) != NULL;
}

void
site_gemini_url(const struct site *s, const char *path, struct buf *out)
{
	buf_addf(out, "gemini://%s", s->host);
	if (strcmp(s->port[PROTO_GEMINI], "1965") != 0)
		buf_addf(out, ":%s", s->port[PROTO_GEMINI]);
	url_encode_path(out, path);
}

void
site_spartan_url(const struct site *s, const char *path, struct buf *out)
{
	if (s->port[PROTO_SPARTAN] == NULL)
		return;
	buf_addf(out, "spartan://%s", s->host);
	if (strcmp(s->port[PROTO_SPARTAN], "300") != 0)
		buf_addf(out, ":%s", s->port[PROTO_SPARTAN]);
	url_encode_path(out, path);
}

struct page *
page_new(const char *path)
{
	struct page	*pg;

	if ((pg = calloc(1, sizeof(*pg))) == NULL)
		return NULL;
	if ((pg->path = strdup(path)) == NULL) {
		free(pg);
		return NULL;
	}
	atomic_init(&pg->refs, 1);
	return pg;
}

void
page_ref(struct page *pg)
{
	atomic_fetch_add_explicit(&pg->refs, 1, memory_order_relaxed);
}

int
page_set_mime(struct page *pg, const char *mime)
{
	char	*copy = NULL;

	if (mime != NULL && (copy = strdup(mime)) == NULL)
		return -1;
	free(pg->gemtext_mime);
	pg->gemtext_mime = copy;
	return 0;
}

void
page_free(struct page *pg)
{
	int	 p;

	if (pg == NULL || atomic_fetch_sub_explicit(&pg->refs, 1,
	    memory_order_acq_rel) > 1)
		return;
	textcache_forget(&pg->text);
	gemtext_free(&pg->doc);
	free(pg->gemtext_mime);
	free(pg->deps);
	free(pg->path);
	free(pg->title);
	free(pg->file);
	free(pg->body);
	for (p = 0; p < PROTO_COUNT; p++) {
		if (!(pg->heads_kept & (1u << p)))
			free(pg->out[p].head);
		free(pg->out[p].data);
	}
	free(pg);
}

const char *
page_mime(const struct site *s, const struct page *pg)
{
	if (strcmp(pg->mime, MIME_GEMTEXT) != 0)
		return pg->mime;
	return pg->gemtext_mime != NULL ? pg->gemtext_mime : s->gemtext_mime;
}

const char *
page_data(const struct page *pg, enum proto p, size_t *len)
{
	if (pg->out[p].data != NULL || (p == PROTO_GOPHER &&
	    pg->text_later)) {
		*len = pg->out[p].len;
		return pg->out[p].data;
	}
	*len = pg->body_len;
	return pg->body;
}
