/*
 * section: generated content behind one interface.  A section (the
 * partner directory; later the page index or a capsule-wide search) owns
 * addresses below its folder, and answers "list page N" and "search Q"
 * into a result that names no protocol.  The router finds the section a
 * path belongs to; each front-end turns a result into its bytes in one
 * place; the export walks the same list.  Knows no protocol, no file.
 */
#ifndef SECTION_H
#define SECTION_H

#include <stdbool.h>
#include <stddef.h>

#include "buf.h"

/* What a request asks of a section. */
enum section_op {
	SECTION_LIST,		/* list page .page of list .list */
	SECTION_SEARCH,		/* result page .page for .query */
	SECTION_INPUT,		/* the search, but no query came with it */
};

struct section_req {
	enum section_op	 op;
	int		 list;		/* LIST: the section's list number */
	size_t		 page;		/* >= 1 */
	const char	*query;		/* SEARCH: the query */
	bool		 query_in_path;	/* SEARCH: .query is folded and
					   came in the path, not decoded */
};

/*
 * How the links of a result page carry a query: after "?" for a protocol
 * whose addresses have a query, else folded into the path.
 */
enum section_link {
	SECTION_LINK_QUERY,
	SECTION_LINK_PATH,
};

enum result_status {
	RESULT_OK,
	RESULT_BAD_QUERY,	/* the query is refused: .why says why */
	RESULT_FAILED,		/* no such page, out of memory: .why */
};

/*
 * A section's answer.  The page is gemtext, the model's neutral form of
 * a page, which every front-end renders as it renders the capsule's own.
 */
struct result {
	enum result_status	 status;
	const char		*why;	/* static: for the log, or NULL */
	const char		*log;	/* static: "search" or NULL */
	const char		*title;	/* static: the page's heading */
	size_t			 page;	/* this page, >= 1 */
	size_t			 npages;	/* pages of the list or hits */
	size_t			 count;	/* entries of the list, or hits */
	struct buf		 text;	/* owned: the page as gemtext */
};

/* One page a section renders on request, for the export. */
struct section_page {
	char		*path;		/* owned: absolute, not encoded */
	char		*text;		/* owned: gemtext, NUL-terminated */
	size_t		 len;
};

struct section_ops {
	const char	*name;				/* "partners" */
	/* True if PATH (decoded, normalised) is the section's; fills REQ. */
	bool		(*match)(const void *, const char *,
			    struct section_req *);
	int		(*list)(const void *, int, size_t, struct result *);
	int		(*search)(const void *, const char *, size_t,
			    enum section_link, struct result *);
	/* The prompt of the search (Gemini 10, Gopher+ type 7). */
	const char	*(*prompt)(const void *);
	/* Every page match() names as a LIST, for the export. */
	int		(*pages)(const void *, struct section_page **,
			    size_t *, const char **);
	/*
	 * Optional (NULL: none): append to the buf one "Disallow: PREFIX\n"
	 * line per address prefix that indexing crawlers should leave
	 * alone: the search, and the list pages past the first.  Plain
	 * prefixes, percent-encoded, no wildcards (robots.txt, capsule.c).
	 */
	void		(*robots)(const void *, struct buf *);
	void		(*free)(void *);
};

struct section {
	const struct section_ops *ops;
	void			*ctx;		/* owned, ops->free() */
};

/*
 * The section of V (N of them) that PATH belongs to, with REQ filled
 * (QUERY, as the request carried it besides the path, or NULL, makes a
 * search of an INPUT); NULL if none.
 */
const struct section *section_find(const struct section *, size_t,
		    const char *, const char *, struct section_req *);

/*
 * Answer REQ of SEC into RES (initialised here; result_free() it),
 * links in the form LINK.  Returns RES->status.  An INPUT is answered as
 * the search for "" (a page with the search's own prompt); a front-end
 * that can ask for the query asks ops->prompt() instead.
 */
enum result_status section_answer(const struct section *,
		    const struct section_req *, enum section_link,
		    struct result *);
void		 result_free(struct result *);
void		 section_pages_free(struct section_page *, size_t);

#endif
