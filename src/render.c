#include <string.h>

#include "buf.h"
#include "gemtext.h"
#include "gophermap.h"
#include "protocols.h"
#include "render.h"
#include "route.h"
#include "site.h"

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

int
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

int
render_site(struct site *s)
{
	size_t	 i;
	int	 p;

	for (p = 0; p < PROTO_COUNT; p++) {
		if (s->port[p] == NULL)
			continue;
		for (i = 0; i < s->npages; i++)
			if (protocols[p].render(s, s->pages[i]) == -1)
				return -1;
	}
	return 0;
}
