/*
 * render: turn the site's pages into the exact bytes each protocol sends,
 * once per load.  The renderer keeps a table with one renderer per
 * protocol, which fills its column of every page (page->out[proto]);
 * protocols that are off are not rendered.
 */
#ifndef RENDER_H
#define RENDER_H

#include <stddef.h>

struct buf;
struct gemtext;
struct page;
struct site;

/* Render every page of S for each enabled protocol.  0, or -1 (memory). */
int	render_site(struct site *);

/* Fill PG->out[PROTO_GOPHER] (a generated page too).  0, or -1 (memory). */
int	render_gopher(const struct site *, struct page *);

/*
 * Append PG's Gopher text (a type 0 page of S) to OUT, made from its body
 * now: what render_site() renders, for a page whose text is rendered on
 * request (pg->text_later).  Safe on any thread while S is served (reads
 * S only).  0, or -1 (memory).
 */
int	render_gopher_text(const struct site *, const struct page *,
	    struct buf *);

/*
 * Append the gemtext TEXT (LEN bytes) of the page at PATH to OUT as
 * Spartan sends it: every "=>" line whose local target asks for input
 * (route() says ROUTE_SECTION with SECTION_INPUT) made an "=:" line,
 * everything else byte for byte.  Returns the number of lines changed.
 */
size_t	render_spartan_gemtext(const struct site *, const char *,
	    const char *, size_t, struct buf *);

/*
 * Render a page generated per request (a search result) as a Gopher menu,
 * with the site's host, port and item types.  Returns 0 or -1.
 */
int	render_gophermap(const struct site *, const struct gemtext *,
	    const char *, struct buf *);

#endif
