#include <string.h>

#include "buf.h"
#include "gemtext.h"
#include "gophermap.h"
#include "partners.h"
#include "render.h"
#include "site.h"

/* The Gopher item type of a local path, as the site knows it. */
static char
local_type(const char *path, void *arg)
{
	const struct site	*s = arg;
	const struct page	*pg;
	const char		*pathq;
	size_t			 page;

	if ((pg = site_lookup(s, path)) != NULL)
		return pg->gopher_type;
	if (site_is_folder(s, path))
		return '1';
	if (s->partners != NULL &&
	    partners_is_search(s->partners, path, &page, &pathq))
		return pathq == NULL ? '7' : '1';	/* query or results */
	return 0;
}

int
render_gophermap(const struct site *s, const struct gemtext *doc,
    const char *path, struct buf *out)
{
	struct gophermap_opts	 opts;

	memset(&opts, 0, sizeof(opts));
	opts.host = s->host;
	opts.port = s->gopher_port;
	opts.width = GOPHERMAP_WIDTH;
	opts.local_type = local_type;
	opts.arg = (void *)s;
	return gophermap_render(doc, path, &opts, out);
}

static int
render_page(const struct site *s, struct page *pg)
{
	struct buf	 out = BUF_INIT;

	buf_addf(&out, "20 %s\r\n", pg->mime);
	if ((pg->gemini_hdr = buf_take(&out, &pg->gemini_hdr_len)) == NULL)
		return -1;
	if (!pg->is_gemtext)
		return 0;		/* Gopher sends the file as it is */
	if (render_gophermap(s, &pg->doc, pg->path, &out) == -1 ||
	    (pg->gopher = buf_take(&out, &pg->gopher_len)) == NULL) {
		buf_free(&out);
		return -1;
	}
	return 0;
}

int
render_site(struct site *s)
{
	size_t	 i;

	for (i = 0; i < s->npages; i++)
		if (render_page(s, s->pages[i]) == -1)
			return -1;
	return 0;
}
