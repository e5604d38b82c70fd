/*
 * gophermap: render parsed gemtext as an RFC 1436 menu, and build menus
 * and text for the Gopher front-end (pure).
 *
 * Every menu line is TYPE DISPLAY TAB SELECTOR TAB HOST TAB PORT CRLF and a
 * menu ends with ".\r\n".  Display strings are wrapped or shortened to the
 * configured width in terminal columns (not bytes), never split inside a
 * UTF-8 sequence, and hold no TAB, CR or LF.
 */
#ifndef GOPHERMAP_H
#define GOPHERMAP_H

#include <stdbool.h>
#include <stddef.h>

struct buf;
struct gemtext;

#define GOPHERMAP_WIDTH		67	/* the Gophernicus / Bucktooth habit */
#define GOPHERMAP_TITLE_WIDTH	70	/* a title kept on one line */
#define GOPHER_SELECTOR_MAX	1024

struct gophermap_opts {
	const char	*host;		/* the public host name (--host) */
	const char	*port;		/* the public Gopher port */
	size_t		 width;		/* display columns, GOPHERMAP_WIDTH */
	/*
	 * The item type of a local absolute path (a link into the capsule),
	 * as the site knows it: '1' for pages and folders, '0' for text, '7'
	 * for a search, ...  Returns 0 to let the renderer decide by the
	 * path's name (mime_lookup; "/" endings and .gmi are menus).  May be
	 * NULL.
	 */
	char		(*local_type)(const char *, void *);
	void		*arg;
	const char	*gemini_port;	/* the public Gemini port: links to */
					/* gemini://HOST:PORT/ are local; */
					/* NULL: none is */
};

/*
 * Render DOC, the gemtext page served at the absolute path BASE (e.g.
 * "/forum/" or "/forum/2019-02-26-roundtable.gmi"), as a complete menu
 * (with the closing ".") appended to OUT.  Relative links resolve against
 * BASE.  A leading "# " heading is the menu's title: whole on one line
 * when it fits GOPHERMAP_TITLE_WIDTH columns, else wrapped at spaces
 * (never after a lone dash), the rule below as wide as its widest line.
 * Returns 0, or
 * -1 if an allocation failed.
 */
int	gophermap_render(const struct gemtext *, const char *,
	    const struct gophermap_opts *, struct buf *);

/*
 * Render DOC as a type 0 text (CRLF lines, no closing ".") appended to
 * OUT: paragraphs wrapped as in a menu, each link a numbered paragraph
 * "[N] label", and after a rule the list of the links' addresses, the
 * gopher:// address for a page of the capsule.  Returns 0, or -1.
 */
int	gophermap_render_text(const struct gemtext *, const char *,
	    const struct gophermap_opts *, struct buf *);

/* One menu item; TAB, CR and LF in DISPLAY or SELECTOR become spaces. */
void	gophermap_add_item(struct buf *, char, const char *, const char *,
	    const char *, const char *);

/* Info (type i) lines for TEXT, wrapped at the configured width. */
void	gophermap_add_info(struct buf *, const char *,
	    const struct gophermap_opts *);

/* The lone "." that ends a menu. */
void	gophermap_end(struct buf *);

/*
 * True if LEN bytes at MAP are a well-formed menu: every line ends in
 * CRLF, has a type byte and exactly three TABs, and the last line is ".".
 */
bool	gophermap_is_wellformed(const char *, size_t);

#endif
