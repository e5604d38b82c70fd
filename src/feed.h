/*
 * feed: write an Atom 1.0 feed (RFC 4287) from a small description of it
 * (pure: no site, no I/O).
 *
 * Every string is UTF-8 and is written escaped (& < > " ') and XML-safe:
 * code points that XML 1.0 does not allow (controls other than TAB, LF
 * and CR, surrogates, U+FFFE, U+FFFF) and bytes that are not well-formed
 * UTF-8 are dropped.
 *
 * Text content is written on lines of at most FEED_WRAP bytes, broken at
 * spaces (a word longer than that stays whole).  Atom text constructs may
 * have their white space collapsed (RFC 4287, 3.1.1.1), so this changes
 * nothing for a reader, and it keeps every line far below the 1 KiB that
 * line-based servers such as Gophernicus split text files at.
 */
#ifndef FEED_H
#define FEED_H

#include <stddef.h>

struct buf;

#define FEED_WRAP	72
#define FEED_ATOM_NAME		"atom.xml"
#define FEED_GEMTEXT_NAME	"feed.gmi"

struct feed_entry {
	const char	*id;		/* an IRI that never changes */
	const char	*title;
	const char	*updated;	/* RFC 3339: 2019-02-26T00:00:00Z */
	const char	*link;		/* rel=alternate */
	const char	*link_type;	/* its MIME type, or NULL */
	const char	*link2;		/* a second rel=alternate, or NULL */
	const char	*link2_type;	/* of another type than link's */
	const char	*summary;	/* or NULL for none */
	const char	*rel;		/* the gemtext feed's link to it, */
					/* relative to the feed, or NULL */
};

struct feed {
	const char		*id;
	const char		*title;
	const char		*updated;	/* RFC 3339 */
	const char		*author;	/* atom:author/name */
	const char		*subtitle;	/* or NULL for none */
	const char		*lang;		/* xml:lang, or NULL */
	const char		*self;		/* this feed's own address */
	const char		*alternate;	/* the page it is the feed of */
	const char		*alternate_type; /* its MIME type, or NULL */
	const struct feed_entry	*entries;	/* in the order given */
	size_t			 nentries;
	/*
	 * The same feed as gemtext (feed_write_gemtext()), FEED_GEMTEXT_NAME
	 * beside the Atom feed's FEED_ATOM_NAME in the folder it is the feed
	 * of; or NULL: the Atom feed links it (rel="related", type
	 * text/gemini, titled GEMTEXT_TITLE), and it links the Atom feed
	 * (labelled ATOM_LABEL) and its folder (by the feed's title).
	 */
	const char		*gemtext;
	const char		*gemtext_title;
	const char		*atom_label;
};

/*
 * Append the whole feed document to OUT.  Returns 0, or -1 if a required
 * field (id, title, updated, author; an entry's id, title, updated) is
 * NULL or an allocation failed.
 */
int	feed_write_atom(const struct feed *, struct buf *);

/*
 * Append the feed as a gemtext feed page to OUT, the form Gemini readers
 * subscribe to (Lagrange, gemini://gemini.circumlunar.space/docs/
 * companion/subscription.gmi): "# TITLE", then one "=> URL YYYY-MM-DD
 * TITLE" line per entry (its rel, else its link; the date is updated's
 * first ten characters), then the links to the Atom feed ("atom.xml")
 * and to its folder ("./").
 * Returns 0, or -1 as feed_write_atom() does.
 */
int	feed_write_gemtext(const struct feed *, struct buf *);


#endif
