/*
 * render: the model's pages -> the exact bytes each protocol sends, once
 * per load, through its own table of renderers (Gemini, Gopher, Spartan);
 * asks the router what a link leads to, never the loader or a front-end.
 */
#include <stdbool.h>
#include <string.h>

#include "buf.h"
#include "gemtext.h"
#include "gophermap.h"
#include "render.h"
#include "route.h"
#include "site.h"
#include "url.h"

/* The Gopher item type of a local path, as the site routes it. */
static char
local_type(const char *path, void *arg)
{
	struct route	 r;

	switch (route_follow(arg, path, NULL, &r)) {
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

int
render_gophermap(const struct site *s, const struct gemtext *doc,
    const char *path, struct buf *out)
{
	struct gophermap_opts	 opts;

	memset(&opts, 0, sizeof(opts));
	opts.host = s->host;
	opts.port = s->port[PROTO_GOPHER];
	opts.gemini_port = s->port[PROTO_GEMINI];
	opts.width = GOPHERMAP_WIDTH;
	opts.local_type = local_type;
	opts.arg = (void *)s;
	return gophermap_render(doc, path, &opts, out);
}

/* An article: a type 0 text over Gopher, its links listed at the end. */
static int
render_gopher_text(const struct site *s, const struct page *pg,
    struct buf *out)
{
	struct gophermap_opts	 opts;

	memset(&opts, 0, sizeof(opts));
	opts.host = s->host;
	opts.port = s->port[PROTO_GOPHER];
	opts.width = GOPHERMAP_WIDTH;
	opts.local_type = local_type;
	opts.arg = (void *)s;
	return gophermap_render_text(&pg->doc, pg->path, &opts, out);
}

static int
render_gemini(const struct site *s, struct page *pg)
{
	struct buf	 out = BUF_INIT;
	struct blob	*b = &pg->out[PROTO_GEMINI];

	buf_addf(&out, "20 %s\r\n", page_mime(s, pg));
	return (b->head = buf_take(&out, &b->head_len)) == NULL ? -1 : 0;
}

int
render_gopher(const struct site *s, struct page *pg)
{
	struct buf	 out = BUF_INIT;
	struct blob	*b = &pg->out[PROTO_GOPHER];

	if (!pg->is_gemtext)
		return 0;		/* Gopher sends the file as it is */
	if ((pg->gopher_type == '0' ? render_gopher_text(s, pg, &out) :
	    render_gophermap(s, &pg->doc, pg->path, &out)) == -1 ||
	    (b->data = buf_take(&out, &b->len)) == NULL) {
		buf_free(&out);
		return -1;
	}
	return 0;
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

static bool
asks_input(const struct site *s, const char *path, const char *target,
    size_t tlen)
{
	struct buf	 ref = BUF_INIT, abs = BUF_INIT;
	struct route	 r;
	bool		 yes = false;

	buf_add(&ref, target, tlen);
	if (!ref.failed && url_resolve_path(path, ref.data, &abs) == 0)
		yes = route(s, abs.data, NULL, &r) == ROUTE_SECTION &&
		    r.req.op == SECTION_INPUT;
	buf_free(&ref);
	buf_free(&abs);
	return yes;
}

size_t
render_spartan_gemtext(const struct site *s, const char *path, const char *text,
    size_t len, struct buf *out)
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
		    asks_input(s, path, target, tlen)) {
			buf_adds(out, "=:");
			line += 2;
			changed++;
		}
		buf_add(out, line, (size_t)(eol - line));
		line = eol;
	}
	return changed;
}

static int
render_spartan(const struct site *s, struct page *pg)
{
	struct blob	*b = &pg->out[PROTO_SPARTAN];
	struct buf	 out = BUF_INIT;

	buf_addf(&out, "2 %s\r\n", page_mime(s, pg));
	if ((b->head = buf_take(&out, &b->head_len)) == NULL)
		return -1;
	if (!pg->is_gemtext ||
	    render_spartan_gemtext(s, pg->path, pg->body, pg->body_len, &out) == 0) {
		buf_free(&out);		/* the body as Gemini sends it */
		return 0;
	}
	return (b->data = buf_take(&out, &b->len)) == NULL ? -1 : 0;
}

/* The renderers, one per protocol: each fills its column of a page. */
static int	(*const renderers[PROTO_COUNT])(const struct site *,
		    struct page *) = {
	[PROTO_GEMINI] = render_gemini,
	[PROTO_GOPHER] = render_gopher,
	[PROTO_SPARTAN] = render_spartan,
};

int
render_site(struct site *s)
{
	size_t	 i;
	int	 p;

	for (p = 0; p < PROTO_COUNT; p++) {
		if (s->port[p] == NULL)
			continue;
		for (i = 0; i < s->npages; i++)
			if (renderers[p](s, s->pages[i]) == -1)
				return -1;
	}
	return 0;
}
