/*
 * blogfeed: a folder of posts' feeds made from the model (its blog, the
 * site's host, ports, title, author and language): the Atom feed and the
 * gemtext feed.  Reads the site only, writes nothing in it: the Atom feed
 * of a served site is made on its first request, on a worker's thread
 * (render_bytes()), the gemtext feed at load.
 */
#ifndef BLOGFEED_H
#define BLOGFEED_H

struct blog;
struct buf;
struct gemtext;
struct page;
struct site;

/*
 * Append the Atom feed of the blog B of S to OUT, as it is served:
 * B->feed_title its title, B->feed_gemtext whether it links the gemtext
 * feed.  Ids are the gemini:// addresses of the folder and of each post,
 * so they stay the same across restarts and reloads.  0, or -1 (memory).
 */
int		 blogfeed_atom(const struct site *, const struct blog *,
		    struct buf *);

/* The same for B's gemtext feed (FEED_GEMTEXT_NAME).  0, or -1. */
int		 blogfeed_gemtext(const struct site *, const struct blog *,
		    struct buf *);

/* The blog of S whose Atom feed is the page at PATH, or NULL. */
const struct blog *blogfeed_blog(const struct site *, const char *);

/*
 * The summary of the post PG in its feeds: its first paragraph, from its
 * parse or, once that is dropped (site_compact), parsed from its body
 * into TMP (GEMTEXT_INIT before; the caller frees it).  NULL: none.
 */
const char	*post_summary(const struct page *, struct gemtext *);

#endif
