/*
 * render: turn the site's pages into the exact bytes each protocol sends,
 * once per load.  The renderer keeps a table with one renderer per
 * protocol, which fills its column of every page (page->out[proto]);
 * protocols that are off are not rendered.
 */
#ifndef RENDER_H
#define RENDER_H

#include <stddef.h>

#include "proto.h"

struct buf;
struct gemtext;
struct page;
struct site;

/*
 * A served site's Gopher menus of at least this many bytes (a big
 * folder's listing, its feed.gmi) are rendered on request like its
 * texts (site_opts.menu_later); smaller ones, the home page's, are kept.
 */
#define RENDER_MENU_LATER	16384

/* Render every page of S for each enabled protocol.  0, or -1 (memory). */
int	render_site(struct site *);

/* Fill PG->out[PROTO_GOPHER] (a generated page too).  0, or -1 (memory). */
int	render_gopher(const struct site *, struct page *);

/*
 * Append PG's Gopher text (a type 0 page of S) or menu (type 1) to OUT,
 * made from its body now: what render_site() renders, for a page whose
 * text or menu is rendered on request (pg->text_later).  Safe on any thread while S is served (reads
 * S only).  0, or -1 (memory).
 */
int	render_gopher_text(const struct site *, const struct page *,
	    struct buf *);

/*
 * What an answer sends of a page after its head: DATA, LEN bytes, held by
 * the site (DROP NULL: conn_reply_ref()) or by HOLD, an entry of the text
 * cache (textcache.h) that DROP(DATA, LEN, HOLD) lets go of once they are
 * written (conn_reply_held()).
 */
struct render_out {
	const char	*data;
	size_t		 len;
	void		(*drop)(const void *, size_t, void *);
	void		*hold;
};

/*
 * The bytes protocol P sends of PG, a page of S being served, after its
 * head, into OUT: those rendered at load (a pointer read, no lock), or
 * those made on request (a Gopher text, pg->text_later; an Atom feed,
 * pg->feed_later) from the text cache, made now if it has them not.
 * Safe on any thread while S is served (reads S only).  0, or -1: they
 * could not be made (memory); OUT is then empty.
 */
int	render_bytes(const struct site *, const struct page *, enum proto,
	    struct render_out *);

/* Let go of OUT's hold, if it has one (an answer that sends nothing). */
void	render_drop(struct render_out *);

/*
 * The length of what render_bytes() gives, made now only for a feed (a
 * Gopher text's length is measured at load).  0, or -1 (memory).
 */
int	render_length(const struct site *, const struct page *, enum proto,
	    size_t *);

/*
 * Append the bytes that PG (a page of S) makes on request (a Gopher
 * text for PROTO_GOPHER, a feed for any protocol) to OUT, without the
 * cache: for a writer of every page (the export, the archive).  0, or -1
 * (memory).
 */
int	render_make(const struct site *, const struct page *, enum proto,
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
