/*
 * search: one search over the whole capsule, its articles, its other
 * gemtext pages and its partner directory, as a generated section (pure:
 * reads the site's model, borrows its pages, owns only its index).
 *
 * Addresses, below BASE ("/" and the language's MSG_URL_SEARCH in
 * msg.c, "/search" in English):
 *
 *	/search			the search (Gemini: 10; Gopher: type 7;
 *				Spartan: an "=:" link)
 *	/search?Q		Gemini results, page 1
 *	/search/N?Q		Gemini results, page N
 *	/search/N/F		results for the folded query F (Gopher,
 *				Spartan; works over Gemini too)
 *
 * Folding is the partner directory's (collate.h): a query is folded to
 * [a-z0-9-], ä -> ae, ß -> ss, case and accents dropped, and matches a
 * title or a line of text when it is a substring of its folded form or
 * of its form with ä -> a, ö -> o, ü -> u ("Muenster", "münster" and
 * "munster" find "Münster").
 *
 * Built once per load over trigram indexes (trigram.h) that a query
 * reads as one: entry I < N is the title of document I, entry N + I the
 * text of document I, the search forms of its lines with a separator
 * between lines, so that no trigram spans two (one entry a document, not
 * a line: half the postings, and no table of lines).  The documents are
 * cut in segments of 128 to 2,048 that follow each other (after a
 * document whose path hashes to 0 modulo 512), each its own index of
 * its titles, then its bodies; a query reads all the segments' titles,
 * then all their bodies (trigram_visit_parts()), so its hits, their
 * order and every bound below are those of one index.  A segment is
 * counted and shared: a reload's index takes over the last one's
 * segments (search_follow()) whose documents are the same pages, or
 * pages of the same paths and bodies, with the same titles, and builds
 * only the others: one post edited, added or removed builds one
 * segment, at times two, and nothing changed none.  It keeps no copy of
 * the text but the titles: lines
 * are read from the pages' bodies as they are (search_line()), folded
 * once to build the index.  A document whose text holds every trigram
 * of the query (for a query of 1 to 3 symbols: the query) is a
 * candidate; its lines are then read and each checked, so that the hits
 * are lines that hold the query, as with an entry a line, and an
 * excerpt is cut from the first.  The documents are the articles, newest
 * first, then the capsule's other gemtext pages by path; generated pages
 * are not searched (the partner directory is searched through its own
 * index).  So the hits come out of the index already ranked: title hits
 * first, then body hits, each group in document order (newer articles
 * first); the partners the query finds follow, in the directory's order.
 *
 * Each request is bounded like the partner search: at most
 * SEARCH_HITS_MAX hits are counted (past that, the page says so) from at
 * most SEARCH_ENTRIES_MAX titles and lines that hold the query (past
 * that, the page says the search stopped); the index tries at most
 * SEARCH_TRIES documents (rounds of its posting lists) for a query of
 * three symbols or more, and the candidates' lines are read from at most
 * SEARCH_READ_MAX bytes of bodies, the body that crosses it read whole
 * (past either, the page says the search stopped too; a body with bytes
 * past ASCII counts SEARCH_WIDE_COST times its length, as it is folded
 * code point by code point, where an ASCII one is only looked at in
 * lower case); and only the
 * SEARCH_PER_PAGE hits of the page asked for get an excerpt, the one
 * line of text that holds the hit, cut to SEARCH_EXCERPT_CHARS
 * characters around it.  These bound its time as well: no clock is
 * read.  A candidate of a query of four symbols or more is looked at
 * whole first (collate_may_hold()): most candidates of two common words
 * hold both, but not side by side in one line.  A query of 1 to 3
 * symbols has no false candidates: every document read adds a hit or is
 * one of the at most SEARCH_HITS_MAX hit by their titles, so it reads at
 * most 2 * SEARCH_HITS_MAX + 1 bodies, and SEARCH_READ_MAX bytes.
 */
#ifndef SEARCH_H
#define SEARCH_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>

#include "gemtext.h"
#include "section.h"

#define SEARCH_PER_PAGE		10
#define SEARCH_HITS_MAX		200	/* hits a search counts and pages */
#define SEARCH_ENTRIES_MAX	1024	/* titles and lines it counts */
#define SEARCH_TRIES		4096	/* documents the index tries */
#define SEARCH_READ_MAX		(2 * 1024 * 1024) /* bytes of bodies read */
#define SEARCH_WIDE_COST	4	/* a byte of a body that is not */
					/* ASCII, in SEARCH_READ_MAX */
#define SEARCH_QUERY_MAX	256	/* bytes of decoded query */
#define SEARCH_EXCERPT_CHARS	120	/* code points of an excerpt, at most */

struct buf;
struct search;
struct site;

/*
 * The search over S, served at BASE (an absolute path without a trailing
 * slash, "/search"), in S's language; the partner directory is S's
 * partners section if it has one (borrowed).  NULL with errstr on a
 * failure.  S's pages must be sorted and must outlive the search.  It
 * reads of S only what site_compact() keeps: the pages' paths, bodies,
 * kinds and titles, the articles, the partners section and the language,
 * so it may be built before or after the compaction, and beside requests
 * served from S (it changes nothing of S).
 */
struct search	*search_build(const struct site *, const char *,
		    const char **);

/*
 * search_build() in two steps: the search without its index (it answers
 * "try later" until it has one: Gemini 40, Spartan 5, a Gopher error),
 * then the index over S's pages, which may come later and from another
 * thread while requests are served (search_ready() says when it is
 * there).  search_index() stops early, leaving no index, when CANCEL (or
 * NULL) is set; 0, or -1 with errstr ("cancelled" then).  search_cost():
 * the bytes it would index, to decide; at most SEARCH_NOW_MAX of them
 * are indexed during a load at start or reload, more once it is served
 * (later.h).
 */
#define SEARCH_NOW_MAX		(4 * 1024 * 1024)
struct search	*search_new(const struct site *, const char *, const char **);
int		 search_index(struct search *, const struct site *,
		    const atomic_bool *, const char **);
bool		 search_ready(const struct search *);

/*
 * Let SE's index (not built yet) share the segments of OLD's (the last
 * load's search of the host, or NULL), or of the index OLD was to share
 * if OLD has none yet: a segment whose documents are the same pages with
 * the same titles is taken over, not built again.  Call before
 * search_index(SE), from any thread, while OLD lives; OLD may be served
 * and indexed meanwhile.  What SE does not take is let go once its index
 * is built.
 */
void		 search_follow(struct search *, struct search *);

/*
 * The segments of the index (all) and those of them that were the last
 * index's (shared); 0 and 0 before it is built.
 */
void		 search_segments(const struct search *, size_t *, size_t *);
size_t		 search_cost(const struct site *);
void		 search_free(struct search *);

/* Append the search's address, percent-encoded, for a link to it. */
void		 search_link(const struct search *, struct buf *);

/* Documents in the index: articles and other gemtext pages. */
size_t		 search_count(const struct search *);

/*
 * Where the folded query FQ (as trigram.h wants it) starts in the UTF-8
 * TEXT of LEN bytes, folded as the index folds it: the byte offset of
 * the code point it starts at, or -1 if TEXT does not hold it.
 */
long		 search_locate(const char *, size_t, const char *);

/*
 * Append to OUT at most CHARS code points of the UTF-8 TEXT (LEN bytes)
 * around byte offset AT: a few words before it, the rest after, cut on
 * character boundaries (and on a space where one is near), with "..."
 * where text was cut off.  No line end is added.
 */
void		 search_excerpt(struct buf *, const char *, size_t, size_t,
		    size_t);

/* One line of a gemtext body, as search_line() reads it. */
struct search_line {
	enum gemtext_type	 type;
	const char		*text;	/* into the body, not NUL-ended */
	size_t			 len;
};

/*
 * Read the line of the gemtext BODY (LEN bytes) that starts at byte AT
 * (< LEN), as gemtext_parse() reads it: its type, and its text (a
 * link's label, a heading's words, a line of a preformatted block as it
 * is) with the marker, the spaces around it and a CR before the LF cut
 * off.  *IN_PRE says whether the line is inside a preformatted block,
 * and is updated by a toggle line.  Returns where the next line starts
 * (LEN after the last).  The search indexes and excerpts the bodies with
 * it, so that it needs no parse of them.
 */
size_t		 search_line(const char *, size_t, size_t, bool *,
		    struct search_line *);

extern const struct section_ops search_section;

#endif
