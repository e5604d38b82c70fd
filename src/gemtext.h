/*
 * gemtext: parse text/gemini into typed lines (pure).
 *
 * The parsed document owns a copy of its source; every line points into
 * that copy.  Line types follow the gemtext specification: the type is
 * decided by the first characters of a line alone.
 */
#ifndef GEMTEXT_H
#define GEMTEXT_H

#include <stddef.h>

enum gemtext_type {
	GEMTEXT_TEXT,
	GEMTEXT_LINK,		/* url and text (the label, may be empty) */
	GEMTEXT_PRE_START,	/* text is the alt text */
	GEMTEXT_PRE,		/* a line inside a preformatted block */
	GEMTEXT_PRE_END,
	GEMTEXT_H1,
	GEMTEXT_H2,
	GEMTEXT_H3,
	GEMTEXT_LIST,
	GEMTEXT_QUOTE,
};

struct gemtext_line {
	enum gemtext_type	 type;
	const char		*text;	/* NUL-terminated, marker stripped */
	const char		*url;	/* links only, else NULL */
	size_t			 lineno;
};

struct gemtext {
	char			*src;	/* owned: the lines point into it */
	struct gemtext_line	*lines;	/* owned */
	size_t			 nlines;
	const char		*title;	/* the first "# " heading, or NULL */
	size_t			 nlinks;
	size_t			 pre_open;	/* the line of a ``` never */
						/* closed, or 0 */
	int			 bom;	/* the source began with a BOM */
	int			 borrowed;	/* src and lines are the */
					/* gemtext_mem's, not freed here */
};

#define GEMTEXT_INIT { NULL, NULL, 0, NULL, 0, 0, 0, 0 }

/* Where gemtext_parse_in() takes a document's memory from. */
struct gemtext_mem {
	void		*(*alloc)(void *, size_t);	/* NULL: none */
	void		*arg;
};

/*
 * What one page may cost: its bytes, lines and links.  A page over any of
 * them is refused with the line where the limit is crossed.
 */
/* "4 MiB" in the message of gemtext.c */
#define GEMTEXT_BYTES_MAX	(4 * 1024 * 1024)
#define GEMTEXT_LINES_MAX	100000
#define GEMTEXT_LINKS_MAX	10000

/*
 * Parse LEN bytes of gemtext into DOC.  Refuses what would be a broken
 * capsule file: invalid UTF-8, NUL or control bytes other than TAB, a
 * link without a URL or with a URL holding a control byte, and a page
 * over GEMTEXT_BYTES_MAX, GEMTEXT_LINES_MAX or GEMTEXT_LINKS_MAX.  Returns
 * 0, or -1 with errstr and *lineno set (1-based).  CRLF and LF line ends
 * are both accepted; a leading byte order mark is skipped (doc->bom); a
 * preformatted block left open runs to the end (doc->pre_open).
 */
int	gemtext_parse(const char *, size_t, struct gemtext *, const char **,
	    size_t *);

/*
 * gemtext_parse() taking the document's memory (one block: its lines and
 * its copy of the source) from MEM, which frees it; NULL: malloc, as
 * gemtext_parse().  gemtext_free() then frees nothing of it.
 */
int	gemtext_parse_in(const char *, size_t, struct gemtext *,
	    const struct gemtext_mem *, const char **, size_t *);
void	gemtext_free(struct gemtext *);

/*
 * Keep of DOC only its title (in a copy of its own, doc->src): the lines
 * and the copy of the source they point into are freed (or, from a
 * gemtext_mem, left to it), nlines is 0.
 * Every pointer into the old source, the title's too, is stale after
 * it.  0, or -1 (memory) with DOC unchanged.
 */
int	gemtext_keep_title(struct gemtext *);

/*
 * Append TEXT to OUT as the body of a gemtext text line, prefixed with a
 * space when it would otherwise be read as a link, heading, list item,
 * quote or toggle.  Used by every page generator.
 */
struct buf;
void	gemtext_add_text(struct buf *, const char *);

#endif
