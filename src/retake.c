/*
 * retake: what a reload takes over from the last load (reuse.h): the
 * pages of files that did not change, the generated pages that come out
 * as they were, the feeds of folders whose posts are the same pages; and
 * the pages taken over whose rendering a change of paths touches, made
 * again from their bytes (no file is read for them).
 */
#include <sys/stat.h>

#include <stdatomic.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "blogfeed.h"
#include "buf.h"
#include "capsule.h"
#include "capsule_impl.h"
#include "feed.h"
#include "gemtext.h"
#include "log.h"
#include "mime.h"
#include "partners.h"
#include "reuse.h"
#include "site.h"

/* The page at exactly PATH in S (not a folder's for its index), or NULL. */
static struct page *
exact(const struct site *s, const char *path)
{
	struct page	*pg = site_lookup(s, path);

	return pg != NULL && strcmp(pg->path, path) == 0 ? pg : NULL;
}

/* True if OLD's page PG may be shared: rendered, and its parse dropped. */
static bool
is_done(const struct page *pg)
{
	return pg != NULL && pg->rendered && pg->compact;
}

/*
 * Take over OLD's page PG of the regular file NAME of F, of SIZE bytes,
 * if it stays in memory or on disk as a full load would decide it now.
 */
static bool
take(struct walk *w, struct folder *f, const char *name, struct page *pg,
    size_t size)
{
	size_t		 narticles = f->narticles;
	bool		 mem;

	/* in memory or on disk, as a full load would decide it now */
	mem = mime_is_gemtext(name) || (size <= CAPSULE_MEM_FILE_MAX &&
	    w->memused + size <= CAPSULE_MEM_TOTAL);
	if (mem != (pg->file == NULL))
		return false;
	page_ref(pg);
	if (site_add_page(w->s, pg) == -1) {
		page_free(pg);
		fail_oom(w, f->rel);
		return true;
	}
	w->added = pg;
	w->re.taken++;
	if (pg->mtime > w->s->mtime)
		w->s->mtime = pg->mtime;
	if (mem)
		w->memused += size;
	if (pg->is_gemtext && add_article(w, f, pg, name) == -1)
		return true;
	if (f->narticles == narticles || f->posts == SITE_OFF)
		list_file(f, pg, name);
	return true;
}

/* True if NAME of F is never taken over: read each time. */
static bool
is_special(const struct folder *f, const char *name)
{
	return strcmp(name, PARTNERS_FILE) == 0 ||
	    (f->index_name != NULL && strcmp(name, f->index_name) == 0);
}

bool
retake_file(struct walk *w, struct folder *f, const char *name,
    const struct stat *st)
{
	struct page_id	 id;
	struct page	*pg;
	struct buf	 path = BUF_INIT;

	if (w->re.old == NULL || is_special(f, name))
		return false;
	buf_addf(&path, "%s%s", f->rel, name);
	pg = path.failed ? NULL : exact(w->re.old, path.data);
	buf_free(&path);
	reuse_id(&id, st);
	if (!is_done(pg) || pg->generated)
		return false;
	if (!reuse_same_id(&pg->id, &id) || reuse_racy(w->re.old, &id)) {
		log_debug("%s%s: %s since the last load: read again", w->root,
		    pg->path, reuse_same_id(&pg->id, &id) ? "maybe changed "
		    "in the file system clock's tick" : "changed");
		return false;
	}
	return take(w, f, name, pg, (size_t)st->st_size);
}

bool
retake_known(struct walk *w, struct folder *f, const char *name,
    struct page *pg)
{
	if (w->re.old == NULL || is_special(f, name) || !is_done(pg) ||
	    pg->generated || pg->id.ino == 0 || pg->id.size < 0 ||
	    reuse_racy(w->re.old, &pg->id))
		return false;
	return take(w, f, name, pg, (size_t)pg->id.size);
}

struct page *
retake_same(struct walk *w, struct page *pg)
{
	struct page	*old;

	if (!w->re.known || (old = exact(w->re.old, pg->path)) == NULL ||
	    !is_done(old) || !reuse_equal(pg, old) ||
	    !reuse_clean(&w->re, old))
		return pg;
	page_ref(old);
	page_free(pg);
	w->re.taken++;
	return old;
}

bool
retake_parse_later(struct walk *w, struct page *pg)
{
	const struct page	*old;

	if (w->re.old == NULL || (old = exact(w->re.old, pg->path)) == NULL ||
	    !is_done(old) || !old->is_gemtext || old->body_len !=
	    pg->body_len || memcmp(old->body, pg->body, pg->body_len) != 0)
		return false;
	/* what parse_gemtext() would have set: the same bytes parsed */
	pg->is_gemtext = true;
	pg->mime = MIME_GEMTEXT;
	pg->gopher_type = '1';
	pg->parse_later = true;
	return true;
}

/* A new page of OLD's bytes, parsed again: to be rendered anew. */
static struct page *
clone(struct walk *w, const struct page *old)
{
	struct page	*pg;

	if ((pg = page_new(old->path)) == NULL)
		goto oom;
	pg->mime = old->mime;
	pg->generated = old->generated;
	pg->index = old->index;
	pg->mtime = old->mtime;
	pg->id = old->id;
	if ((old->title != NULL && (pg->title = strdup(old->title)) ==
	    NULL) || (old->file != NULL && (pg->file = strdup(old->file)) ==
	    NULL) || page_set_mime(pg, old->gemtext_mime) == -1)
		goto oom;
	if (old->body != NULL) {
		if ((pg->body = malloc(old->body_len + 1)) == NULL)
			goto oom;
		memcpy(pg->body, old->body, old->body_len);
		pg->body[old->body_len] = '\0';
		pg->body_len = old->body_len;
	}
	if (old->is_gemtext && parse_gemtext(w, pg, pg->path) == -1) {
		page_free(pg);
		return NULL;
	}
	pg->gopher_type = old->gopher_type;	/* an article's '0' */
	return pg;
 oom:
	page_free(pg);
	fail_oom(w, old->path);
	return NULL;
}

/* Parse the folder page PG that retake_parse_later() put off. */
static int
parse_later(struct walk *w, struct page *pg)
{
	struct buf	 file = BUF_INIT;
	int		 ret = -1;

	pg->parse_later = false;
	buf_addf(&file, "%s%s", pg->path, pg->index != NULL ? pg->index : "");
	if (file.failed)
		fail_oom(w, pg->path);
	else
		ret = parse_gemtext(w, pg, file.data);
	buf_free(&file);
	return ret;
}

static int
str_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Add a copy of PATH to the list V (N, room for CAP). */
static int
add_path(char ***v, size_t *n, size_t *cap, const char *path)
{
	char	**nv;

	if (*n == *cap) {
		if ((nv = reallocarray(*v, *cap * 2 + 8, sizeof(*nv))) == NULL)
			return -1;
		*v = nv;
		*cap = *cap * 2 + 8;
	}
	if (((*v)[*n] = strdup(path)) == NULL)
		return -1;
	(*n)++;
	return 0;
}

/*
 * The paths of the pages generated after the walk, as add_site_extras()
 * will make them: each post folder's feeds, robots.txt, the page index.
 */
static int
late_paths(struct walk *w, char ***v, size_t *n)
{
	const struct site	*s = w->s;
	struct buf		 p = BUF_INIT;
	size_t			 i, cap = 0;
	int			 ret = -1;

	for (i = 0; i < s->nblogs; i++) {
		if (s->blogs[i].narticles == 0 ||
		    site_lookup(s, s->blogs[i].path) == NULL)
			continue;
		buf_reset(&p);
		buf_addf(&p, "%satom.xml", s->blogs[i].path);
		if (p.failed)
			goto done;
		if (has_path(s, p.data))
			continue;		/* the capsule's own */
		if (add_path(v, n, &cap, p.data) == -1)
			goto done;
		buf_reset(&p);
		buf_addf(&p, "%s%s", s->blogs[i].path, FEED_GEMTEXT_NAME);
		if (p.failed || (!has_path(s, p.data) &&
		    add_path(v, n, &cap, p.data) == -1))
			goto done;
	}
	if ((!has_path(s, "/robots.txt") &&
	    add_path(v, n, &cap, "/robots.txt") == -1) ||
	    (w->pageindex[0] != '\0' &&
	    add_path(v, n, &cap, w->pageindex) == -1))
		goto done;
	if (*n > 1)
		qsort(*v, *n, sizeof(**v), str_cmp);
	ret = 0;
 done:
	buf_free(&p);
	return ret;
}

/*
 * An array of N elements of SIZE bytes, *V, counted by *REFS and shared
 * with the last load (which holds it meanwhile): a copy of its own,
 * before it is written (copy on write).  0, or -1 (memory).
 */
static int
unshare(void **v, atomic_int **refs, size_t n, size_t size)
{
	void		*copy;
	atomic_int	*r;

	if ((copy = calloc(n + 1, size)) == NULL ||
	    (r = malloc(sizeof(*r))) == NULL) {
		free(copy);
		return -1;
	}
	memcpy(copy, *v, n * size);
	atomic_init(r, 1);
	(void)atomic_fetch_sub(*refs, 1);	/* the last load's stays */
	*v = copy;
	*refs = r;
	return 0;
}

/* True if what REFS counts is shared with another site. */
static bool
is_shared(atomic_int *refs)
{
	return refs != NULL && atomic_load(refs) > 1;
}

/* The articles point at the pages that replaced theirs.  0 or -1. */
static int
repoint_articles(struct site *s)
{
	struct blog	*b;
	struct article	*a;
	struct page	*pg;
	size_t		 i, j;
	bool		 own;

	for (i = 0; i < s->nblogs; i++) {
		b = &s->blogs[i];
		own = false;
		for (j = 0; j < b->narticles; j++) {
			a = &b->articles[j];
			if ((pg = exact(s, a->path)) == NULL || pg == a->page)
				continue;
			if (!own && is_shared(b->refs) &&
			    unshare((void **)&b->articles, &b->refs,
			    b->narticles, sizeof(*b->articles)) == -1)
				return -1;
			own = true;
			a = &b->articles[j];
			a->page = pg;
			a->path = pg->path;
			a->title = pg->title != NULL ? pg->title :
			    pg->doc.title;
		}
	}
	return 0;
}

/*
 * The folders' entries point at the pages that replaced theirs.  0, or
 * -1 (memory).
 */
static int
repoint_dirs(struct walk *w)
{
	struct site_dir		*d;
	struct site_entry	*e;
	struct page		*pg;
	size_t			 i, j, k;
	bool			 own;

	for (i = 0; i < w->ndirs; i++) {
		d = &w->dirs[i];
		own = false;
		for (j = 0; j < d->nents; j++) {
			e = &d->ents[j];
			if (e->pg == NULL ||
			    (pg = exact(w->s, e->pg->path)) == NULL ||
			    pg == e->pg)
				continue;
			if (!own && is_shared(d->refs)) {
				if (unshare((void **)&d->ents, &d->refs,
				    d->nents, sizeof(*d->ents)) == -1)
					return -1;
				/* the names, owned by each copy */
				for (k = 0; k < d->nents; k++)
					if (d->ents[k].name != NULL &&
					    (d->ents[k].name = strdup(
					    d->ents[k].name)) == NULL) {
						for (; k < d->nents; k++)
							d->ents[k].name = NULL;
						return -1;
					}
			}
			own = true;
			d->ents[j].pg = pg;
		}
	}
	return 0;
}

int
retake_after_walk(struct walk *w)
{
	struct site	*s = w->s;
	struct page	*pg, *cp;
	char		**late = NULL;
	size_t		 i, nlate = 0, ncloned = 0;
	int		 ret = -1;

	if (late_paths(w, &late, &nlate) == -1) {
		fail_oom(w, "/");
		goto done;
	}
	/* out of memory there: everything taken over is made anew */
	(void)reuse_changes(&w->re, s->pages, s->npages, late, nlate, s);
	for (i = 0; i < s->npages; i++) {
		pg = s->pages[i];
		if (pg->rendered && !reuse_clean(&w->re, pg)) {
			if ((cp = clone(w, pg)) == NULL)
				goto done;
			s->pages[i] = cp;
			page_free(pg);	/* the old site's stays */
			w->re.taken--;
			ncloned++;
		} else if (!pg->rendered && (pg->generated || pg->index)) {
			s->pages[i] = retake_same(w, pg);
			if (s->pages[i] == pg && pg->parse_later &&
			    parse_later(w, pg) == -1)
				goto done;
		}
	}
	if (ncloned > 0 && (repoint_articles(s) == -1 ||
	    repoint_dirs(w) == -1)) {
		fail_oom(w, "/");
		goto done;
	}
	ret = 0;
 done:
	for (i = 0; i < nlate; i++)
		free(late[i]);
	free(late);
	return ret;
}

struct page *
retake_folder(struct walk *w, const struct folder *f, const uint64_t *key)
{
	const struct site	*o = w->re.old;
	const struct site_dir	*d;
	const struct blog	*ob = NULL;
	struct page		*pg;
	size_t			 i;

	if (o == NULL || (key[0] == 0 && key[1] == 0) ||
	    (d = site_dir_find(o, f->rel)) == NULL ||
	    d->page_key[0] != key[0] || d->page_key[1] != key[1] ||
	    !is_done(pg = exact(o, f->rel)) || pg->body == NULL)
		return NULL;
	for (i = 0; i < o->nblogs && ob == NULL; i++)
		if (strcmp(o->blogs[i].path, f->rel) == 0)
			ob = &o->blogs[i];
	if ((ob != NULL ? ob->narticles : 0) != f->narticles ||
	    (f->narticles > 0 && retake_blog(w, f) == NULL))
		return NULL;
	return pg;
}

const struct blog *
retake_blog(struct walk *w, const struct folder *f)
{
	const struct site	*o = w->re.old;
	const struct blog	*ob = NULL;
	size_t			 i;

	if (o == NULL)
		return NULL;
	for (i = 0; i < o->nblogs && ob == NULL; i++)
		if (strcmp(o->blogs[i].path, f->rel) == 0)
			ob = &o->blogs[i];
	if (ob == NULL || ob->narticles != f->narticles)
		return NULL;
	/* the same pages: the same dates (their names) and titles */
	for (i = 0; i < f->narticles; i++)
		if (ob->articles[i].page != f->articles[i].page)
			return NULL;
	return ob;
}

/*
 * True if the articles A (the last load's) and B make the same feed
 * entry: a post changed below its first paragraph, its title kept.
 */
static bool
is_same_entry(const struct article *a, const struct article *b)
{
	struct gemtext	 ta = GEMTEXT_INIT, tb = GEMTEXT_INIT;
	bool		 same;

	if (strcmp(a->path, b->path) != 0 || strcmp(a->date, b->date) != 0 ||
	    !reuse_same_str(a->title, b->title) ||
	    a->page->gopher_type != b->page->gopher_type)
		return false;
	same = reuse_same_str(post_summary(a->page, &ta),
	    post_summary(b->page, &tb));
	gemtext_free(&ta);
	gemtext_free(&tb);
	return same;
}

int
retake_feeds(struct walk *w, const struct blog *b, const char *atom,
    const char *gemtext, bool gen_gemtext)
{
	const struct site	*o = w->re.old;
	const struct blog	*ob = NULL;
	struct page		*oa, *og;
	size_t			 i;

	if (o == NULL || !w->re.known)
		return 0;
	for (i = 0; i < o->nblogs && ob == NULL; i++)
		if (strcmp(o->blogs[i].path, b->path) == 0)
			ob = &o->blogs[i];
	if (ob == NULL || ob->narticles != b->narticles ||
	    site_lookup(o, b->path) != site_lookup(w->s, b->path))
		return 0;
	for (i = 0; i < b->narticles; i++)
		if (ob->articles[i].page != b->articles[i].page &&
		    !is_same_entry(&ob->articles[i], &b->articles[i]))
			return 0;
	/* the Atom feed links the gemtext one when that is generated */
	oa = exact(o, atom);
	og = exact(o, gemtext);
	if (!is_done(oa) || !oa->generated ||
	    oa->feed_later != w->opts->text_later ||
	    (og != NULL && og->generated) != gen_gemtext ||
	    (gen_gemtext && (!is_done(og) || !reuse_clean(&w->re, og))))
		return 0;
	page_ref(oa);
	if (site_add_page(w->s, oa) == -1) {
		page_free(oa);
		fail_oom(w, b->path);
		return -1;
	}
	w->re.taken++;
	if (!gen_gemtext)
		return 1;
	page_ref(og);
	if (site_add_page(w->s, og) == -1) {
		page_free(og);
		fail_oom(w, b->path);
		return -1;
	}
	w->re.taken++;
	return 1;
}
