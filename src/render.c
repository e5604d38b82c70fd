/*
 * render: the model's pages -> the exact bytes each protocol sends, once
 * per load, through its own table of renderers (Gemini, Gopher, Spartan);
 * asks the router what a link leads to, never the loader or a front-end.
 */
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "blogfeed.h"
#include "buf.h"
#include "gemtext.h"
#include "gophermap.h"
#include "render.h"
#include "reuse.h"
#include "route.h"
#include "site.h"
#include "textcache.h"
#include "url.h"

/*
 * What a page's rendering asked the router: the hashes of the local paths
 * (reuse.h), so that a reload knows which pages a change of paths
 * renders anew.  NULL when nobody keeps them (a page made per request).
 */
struct deps {
	uint64_t	*h;
	size_t		 n;
	size_t		 cap;
	bool		 any;		/* a redirect was followed */
	bool		 failed;
};

struct ask {
	const struct site	*s;
	struct deps		*d;
};

static void
deps_add(struct deps *d, const char *path)
{
	uint64_t	*h;

	if (d == NULL || d->failed)
		return;
	if (d->n == d->cap) {
		if ((h = reallocarray(d->h, d->cap ? d->cap * 2 : 8,
		    sizeof(*h))) == NULL) {
			d->failed = true;
			return;
		}
		d->h = h;
		d->cap = d->cap ? d->cap * 2 : 8;
	}
	d->h[d->n++] = reuse_hash(path);
}

/* The Gopher item type of a local path, as the site routes it. */
static char
local_type(const char *path, void *arg)
{
	const struct ask	*a = arg;
	struct route		 r;

	deps_add(a->d, path);
	if (a->d != NULL && site_redirect(a->s, path) != NULL)
		a->d->any = true;
	switch (route_follow(a->s, path, NULL, &r)) {
	case ROUTE_REDIRECT:
		return 'h';		/* elsewhere: the URL: page */
	case ROUTE_PAGE:
		return r.page->gopher_type;
	case ROUTE_FOLDER:
		return '1';
	case ROUTE_SECTION:
		/* a Gopher search asks itself; a list page or the results
		   of a query in the path are menus rendered on request */
		return r.req.op == SECTION_INPUT ? '7' : '1';
	default:
		return 0;
	}
}

static int
gophermap_deps(const struct site *s, const struct gemtext *doc,
    const char *path, struct deps *d, struct buf *out)
{
	struct gophermap_opts	 opts;
	struct ask		 a = { s, d };

	memset(&opts, 0, sizeof(opts));
	opts.host = s->host;
	opts.port = s->port[PROTO_GOPHER];
	opts.gemini_port = s->port[PROTO_GEMINI];
	opts.width = GOPHERMAP_WIDTH;
	opts.local_type = local_type;
	opts.arg = &a;
	return gophermap_render(doc, path, &opts, out);
}

int
render_gophermap(const struct site *s, const struct gemtext *doc,
    const char *path, struct buf *out)
{
	return gophermap_deps(s, doc, path, NULL, out);
}

/* An article: a type 0 text over Gopher, its links listed at the end. */
static int
gopher_text(const struct site *s, const struct page *pg,
    const struct gemtext *doc, struct deps *d, struct buf *out)
{
	struct gophermap_opts	 opts;
	struct ask		 a = { s, d };

	memset(&opts, 0, sizeof(opts));
	opts.host = s->host;
	opts.port = s->port[PROTO_GOPHER];
	opts.width = GOPHERMAP_WIDTH;
	opts.local_type = local_type;
	opts.arg = &a;
	return gophermap_render_text(doc, pg->path, &opts, out);
}

int
render_gopher_text(const struct site *s, const struct page *pg,
    struct buf *out)
{
	struct gemtext	 doc = GEMTEXT_INIT;
	const char	*errstr;
	size_t		 line;
	int		 ret;

	/* the body as the load left it parses to the lines it rendered */
	if (gemtext_parse(pg->body, pg->body_len, &doc, &errstr, &line) == -1)
		return -1;
	ret = pg->gopher_type == '0' ? gopher_text(s, pg, &doc, NULL, out) :
	    gophermap_deps(s, &doc, pg->path, NULL, out);
	gemtext_free(&doc);
	return ret;
}

/* True if protocol P's bytes of PG are made on request. */
static bool
is_later(const struct page *pg, enum proto p)
{
	return pg->feed_later || (pg->text_later && p == PROTO_GOPHER);
}

int
render_make(const struct site *s, const struct page *pg, enum proto p,
    struct buf *out)
{
	const struct blog	*b;

	if (pg->feed_later)
		return (b = blogfeed_blog(s, pg->path)) == NULL ? -1 :
		    blogfeed_atom(s, b, out);
	if (pg->text_later && p == PROTO_GOPHER)
		return render_gopher_text(s, pg, out);
	return -1;
}

struct make_arg {
	const struct site	*s;
	const struct page	*pg;
	enum proto		 p;
};

static int
make(void *arg, struct buf *out)
{
	const struct make_arg	*a = arg;

	return render_make(a->s, a->pg, a->p, out);
}

static void
drop_entry(const void *data, size_t len, void *hold)
{
	textcache_unref(hold);
}

int
render_bytes(const struct site *s, const struct page *pg, enum proto p,
    struct render_out *out)
{
	struct make_arg	 a = { s, pg, p };

	out->drop = NULL;
	out->hold = NULL;
	if (!is_later(pg, p)) {
		out->data = page_data(pg, p, &out->len);
		return 0;
	}
	/*
	 * One slot for all protocols: a feed's bytes are the same for each,
	 * and a Gopher text is made for Gopher alone.  The slot is the
	 * cache's, written under its lock only.
	 */
	if ((out->hold = textcache_get(&((struct page *)pg)->text, make, &a,
	    &out->data, &out->len)) == NULL) {
		out->data = NULL;
		out->len = 0;
		return -1;
	}
	out->drop = drop_entry;
	return 0;
}

void
render_drop(struct render_out *out)
{
	if (out->drop != NULL)
		out->drop(out->data, out->len, out->hold);
	out->drop = NULL;
	out->hold = NULL;
}

int
render_length(const struct site *s, const struct page *pg, enum proto p,
    size_t *len)
{
	struct render_out	 out;

	if (!pg->feed_later) {
		(void)page_data(pg, p, len);
		return 0;
	}
	if (render_bytes(s, pg, p, &out) == -1)
		return -1;
	*len = out.len;
	render_drop(&out);
	return 0;
}

/*
 * The status lines: a handful in all (one per MIME type and language),
 * kept once each for the process and never freed, not once per page
 * (80 bytes each, 4 MiB in a capsule of 52,000 pages).  Past HEADS_MAX
 * of them a page gets a copy of its own.
 */
#define HEADS_MAX	256

static pthread_mutex_t	 heads_lock = PTHREAD_MUTEX_INITIALIZER;
static char		*heads[HEADS_MAX];
static size_t		 nheads;

/* PG's head for protocol P: "STATUS MIME\r\n" from the format FMT. */
static int
set_head(const struct site *s, struct page *pg, enum proto p,
    const char *fmt)
{
	struct blob	*b = &pg->out[p];
	struct buf	 out = BUF_INIT;
	size_t		 i;

	buf_addf(&out, fmt, page_mime(s, pg));
	if (out.failed) {
		buf_free(&out);
		return -1;
	}
	pthread_mutex_lock(&heads_lock);
	for (i = 0; i < nheads && (strlen(heads[i]) != out.len ||
	    memcmp(heads[i], out.data, out.len) != 0); i++)
		;
	if (i == nheads && nheads < HEADS_MAX &&
	    (heads[i] = strndup(out.data, out.len)) != NULL)
		nheads++;
	b->head = i < nheads ? heads[i] : NULL;
	pthread_mutex_unlock(&heads_lock);
	if (b->head != NULL) {
		b->head_len = out.len;
		pg->heads_kept |= 1u << p;
		buf_free(&out);
		return 0;
	}
	return (b->head = buf_take(&out, &b->head_len)) == NULL ? -1 : 0;
}

static int
render_gemini(const struct site *s, struct page *pg, struct deps *d)
{
	return set_head(s, pg, PROTO_GEMINI, "20 %s\r\n");
}

static int
gopher_deps(const struct site *s, struct page *pg, struct deps *d)
{
	struct buf	 out = BUF_INIT;
	struct blob	*b = &pg->out[PROTO_GOPHER];

	if (!pg->is_gemtext)
		return 0;		/* Gopher sends the file as it is */
	if ((pg->gopher_type == '0' ? gopher_text(s, pg, &pg->doc, d, &out) :
	    gophermap_deps(s, &pg->doc, pg->path, d, &out)) == -1 ||
	    out.failed) {
		buf_free(&out);
		return -1;
	}
	if (d != NULL && ((s->text_later && pg->gopher_type == '0' &&
	    !pg->generated) || (s->menu_later > 0 && pg->gopher_type == '1' &&
	    out.len >= s->menu_later))) {
		/* rendered for what it asks the router and its length */
		b->len = out.len;
		pg->text_later = true;
		buf_free(&out);
		return 0;
	}
	return (b->data = buf_take(&out, &b->len)) == NULL ? -1 : 0;
}

/* Spartan: is LINE (up to END) a link line, and where does its target start? */
static bool
is_link(const char *line, const char *end, const char **target,
    size_t *tlen)
{
	const char	*p;

	if (end - line < 2 || line[0] != '=' || line[1] != '>')
		return false;
	for (p = line + 2; p < end && (*p == ' ' || *p == '\t'); p++)
		;
	*target = p;
	for (; p < end && *p != ' ' && *p != '\t' && *p != '\r'; p++)
		;
	*tlen = (size_t)(p - *target);
	return *tlen > 0;
}

int
render_gopher(const struct site *s, struct page *pg)
{
	return gopher_deps(s, pg, NULL);
}

static bool
asks_input(const struct site *s, const char *path, const char *target,
    size_t tlen, struct deps *d)
{
	struct buf	 ref = BUF_INIT, abs = BUF_INIT;
	struct route	 r;
	bool		 yes = false;

	buf_add(&ref, target, tlen);
	if (!ref.failed && url_resolve_path(path, ref.data, &abs) == 0 &&
	    !abs.failed) {
		deps_add(d, abs.data);
		yes = route(s, abs.data, NULL, &r) == ROUTE_SECTION &&
		    r.req.op == SECTION_INPUT;
	}
	buf_free(&ref);
	buf_free(&abs);
	return yes;
}

static size_t
spartan_deps(const struct site *s, const char *path, const char *text,
    size_t len, struct deps *d, struct buf *out)
{
	const char	*line = text, *end = text + len, *eol, *target;
	size_t		 tlen, changed = 0;
	bool		 pre = false;

	while (line < end) {
		if ((eol = memchr(line, '\n', (size_t)(end - line))) == NULL)
			eol = end;
		else
			eol++;
		if (eol - line >= 3 && strncmp(line, "```", 3) == 0)
			pre = !pre;
		else if (!pre && is_link(line, eol, &target, &tlen) &&
		    asks_input(s, path, target, tlen, d)) {
			buf_adds(out, "=:");
			line += 2;
			changed++;
		}
		buf_add(out, line, (size_t)(eol - line));
		line = eol;
	}
	return changed;
}

size_t
render_spartan_gemtext(const struct site *s, const char *path,
    const char *text, size_t len, struct buf *out)
{
	return spartan_deps(s, path, text, len, NULL, out);
}

static int
render_spartan(const struct site *s, struct page *pg, struct deps *d)
{
	struct blob	*b = &pg->out[PROTO_SPARTAN];
	struct buf	 out = BUF_INIT;

	if (set_head(s, pg, PROTO_SPARTAN, "2 %s\r\n") == -1)
		return -1;
	if (!pg->is_gemtext ||
	    spartan_deps(s, pg->path, pg->body, pg->body_len, d, &out) == 0) {
		buf_free(&out);		/* the body as Gemini sends it */
		return 0;
	}
	return (b->data = buf_take(&out, &b->len)) == NULL ? -1 : 0;
}

/* The renderers, one per protocol: each fills its column of a page. */
static int	(*const renderers[PROTO_COUNT])(const struct site *,
		    struct page *, struct deps *) = {
	[PROTO_GEMINI] = render_gemini,
	[PROTO_GOPHER] = gopher_deps,
	[PROTO_SPARTAN] = render_spartan,
};

static int
u64_cmp(const void *a, const void *b)
{
	uint64_t	 x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

/* Every enabled protocol's bytes of PG, and what they asked the router. */
static int
render_page(const struct site *s, struct page *pg)
{
	struct deps	 d = { NULL, 0, 0, false, false };
	uint64_t	*h;
	size_t		 i, n;
	int		 p;

	for (p = 0; p < PROTO_COUNT; p++)
		if (s->port[p] != NULL && renderers[p](s, pg, &d) == -1) {
			free(d.h);
			return -1;
		}
	if (d.failed) {
		free(d.h);
		return -1;
	}
	if (d.n > 1)
		qsort(d.h, d.n, sizeof(*d.h), u64_cmp);
	for (i = n = 0; i < d.n; i++)
		if (n == 0 || d.h[n - 1] != d.h[i])
			d.h[n++] = d.h[i];
	/* kept for the page's life: without the doubling's slack */
	if (n > 0 && n < d.cap && (h = reallocarray(d.h, n,
	    sizeof(*h))) != NULL)
		d.h = h;
	pg->deps = d.h;
	pg->ndeps = n;
	pg->deps_any = d.any;
	pg->rendered = true;
	return 0;
}

int
render_site(struct site *s)
{
	size_t	 i;

	/* a page taken over from the last load is rendered already */
	for (i = 0; i < s->npages; i++)
		if (!s->pages[i]->rendered &&
		    render_page(s, s->pages[i]) == -1)
			return -1;
	return 0;
}
