/*
 * partners: partners.txt -> a sorted, grouped, searchable directory whose
 * pages are gemtext (pure).
 *
 * File format (UTF-8, one partner per line, LF or CRLF):
 *
 *	# a comment: '#' in the first column
 *	#> A line of text for the overview, below the count
 *	#=> /forum/ A link for the navigation of every page
 *	Universität Musterstadt<TAB>https://www.example.org/
 *	GFOS mbH
 *
 *	field 1	 the name; leading and trailing spaces are dropped and runs
 *		 of spaces collapse to one.  Must not be empty.
 *	field 2	 optional web address: an absolute http, https, gemini or
 *		 gopher URL with a host and without spaces.  An empty field
 *		 (a trailing TAB) means no address.
 *
 * A line holds at most one TAB and no other control character (a CR just
 * before the LF is fine), is at most PARTNERS_LINE_MAX bytes long and is
 * valid UTF-8, or the file is refused.  Blank lines (spaces and TABs only)
 * are skipped.  A name that equals an earlier one once case is ignored
 * (and ß = ss) is listed once: the first spelling wins.
 *
 * Two directives are comments with a meaning: "#> TEXT" adds TEXT as a
 * line of text to the overview, below the number of partners (what the
 * list holds, where it comes from), and "#=> URL LABEL" adds a gemtext
 * link to the navigation that closes every page (another part of the
 * capsule).  Any other line starting "#=" is an error.
 *
 * Pages: a partner without an address is a list item ("* name"), one
 * with an address a link to it.  The overview counts the partners and
 * links each letter group that has any; an empty group is shown as text.
 * The page number ("Page N of M") appears on lists of more than one
 * page.  Every page ends with its navigation: the overview and the search
 * (where the page does not hold them already), the "#=>" links, home.
 *
 * Order is DIN 5007 variant 1: ä = a, ö = o, ü = u, ß = ss, accents
 * dropped (é = e, ł = l, æ = ae, ...), case ignored, and every run of
 * spaces and punctuation counts as one space, which sorts before digits
 * and letters ("Nord-Werk" < "Nordbahn").  Ties go by the
 * case-folded name, so the order never depends on the order of the file.
 * Digits sort as text ("10" < "2").
 *
 * Addresses, below BASE, the folder that holds partners.txt (here
 * "/partner/"); every part zeche makes is [a-z0-9._/-].  The words
 * "search" and "page-" are the language's (MSG_URL_SEARCH, MSG_URL_PAGE
 * in msg.c), English until partners_set_msg() says otherwise:
 *
 *	/partner/			overview; page 1 of the whole list
 *	/partner/page-N.gmi		page N >= 2 of the whole list
 *	/partner/a-e/			group A-E, page 1 (also 0-9, f-j, k-o,
 *	/partner/a-e/page-N.gmi		p-t, u-z); page N >= 2
 *	/partner/search			search (Gemini: input; Gopher: type 7)
 *	/partner/search?Q		Gemini results, page 1
 *	/partner/search/N?Q		Gemini results, page N
 *	/partner/search/N/F		results for the folded query F (used in
 *					Gopher menus, works over Gemini too)
 *
 * Q is the query, percent-encoded.  F is the query folded to lower-case
 * [a-z0-9] with ä -> ae, ö -> oe, ü -> ue, ß -> ss, accents dropped and
 * every run of other characters as one "-" ("Münster (Westf.)" ->
 * "muenster-westf"); searching for F finds exactly what the query finds.
 *
 * Every group gets its pages even when empty (they say so), so no old
 * link ever ends in "not found".  The overview lists the five letter
 * groups always and "0-9" (names starting with a digit or any other
 * sign) only when it has entries.  A list with no partners still has its
 * page 1.
 *
 * Search: the query and every name are folded as for F above; a name
 * matches when F is a substring of its folded form, or of its form with
 * ä -> a, ö -> o, ü -> u.  So "Münster", "muenster" and "munster" all
 * find "Münster"; "munster" does not find a name spelled "Muenster".
 * Only Latin letters and digits are searchable.
 *
 * A search counts at most PARTNERS_HITS_MAX hits: past that its page says
 * "Mehr als 1000 Treffer" and pages through the first 1000 only.  Its
 * work is bounded too: it tries at most a fixed number of candidates per
 * hit it may count, and says so when it stops early.  A web address with
 * '"', '<' or '>' is kept with them percent-encoded.
 */
#ifndef PARTNERS_H
#define PARTNERS_H

#include <stdbool.h>
#include <stddef.h>

struct section_page;

struct buf;
struct msg_table;
struct partners;
struct section_ops;

#define PARTNERS_FILE		"partners.txt"
#define PARTNERS_LINE_MAX	512	/* bytes, without the line end */
#define PARTNERS_PER_PAGE	20
#define PARTNERS_QUERY_MAX	256	/* bytes of decoded query */
#define PARTNERS_HITS_MAX	1000	/* hits a search counts and pages */
#define PARTNERS_NGROUPS	6	/* 0-9, a-e, f-j, k-o, p-t, u-z */

/*
 * How the links of a search result page carry the query: after "?" for
 * a protocol whose addresses have a query, else folded into the path.
 */
enum partners_link {
	PARTNERS_LINK_QUERY,	/* .../search/N?Q */
	PARTNERS_LINK_PATH,	/* .../search/N/F */
};

/*
 * Parse LEN bytes of partners.txt served at BASE (an absolute folder path
 * starting and ending in "/", e.g. "/partner/"), sort, group and fold the
 * names.  Returns the index, owned by the caller (partners_free()), or
 * NULL with errstr and *lineno set (1-based; 0 when no line is to blame).
 * Call once per load; everything after works from memory.
 */
struct partners	*partners_load(const char *, size_t, const char *,
		    const char **, size_t *);
void		 partners_free(struct partners *);

/*
 * The labels of the rendered pages and results, and the words of their
 * addresses, come from T (msg.h); until this is called, and for NULL,
 * they are English.  Call it before serving or rendering anything.
 */
void		 partners_set_msg(struct partners *, const struct msg_table *);

/* The partners in order, counted once; the name and address of the Ith. */
size_t		 partners_count(const struct partners *);
const char	*partners_name(const struct partners *, size_t);
const char	*partners_url(const struct partners *, size_t);

/* Group G (0 is "0-9", then a-e ... u-z): its slug and its size. */
const char	*partners_group_slug(size_t);
size_t		 partners_group_count(const struct partners *, size_t);

/* Pages needed for N entries: at least 1, PARTNERS_PER_PAGE to a page. */
size_t		 partners_npages(size_t);

/*
 * Render the directory's pages as gemtext: page 1 of the whole list (the
 * overview) and of each group, or with ALL every page.  On success
 * *pages (owned by the caller, section_pages_free()) holds *npages
 * pages, the overview first.  Returns 0, or -1 with errstr.  The pages
 * after the first of each list are what partners_is_list() names: a
 * server renders them on request with partners_list_page(), so that a
 * large directory does not hold every page in memory.
 */
int		 partners_render(const struct partners *, bool,
		    struct section_page **, size_t *, const char **);

/*
 * True if PATH (decoded and normalised) is page N >= 2 of the whole list
 * (BASE "page-N.gmi") or of a group (BASE "a-e/page-N.gmi"), N without
 * leading zeros and no more than the pages there are.  Sets *group (-1:
 * the whole list, else 0 to PARTNERS_NGROUPS - 1) and *page.
 */
bool		 partners_is_list(const struct partners *, const char *, int *,
		    size_t *);

/*
 * Append to OUT the gemtext of page PAGE of GROUP (as partners_is_list()
 * sets them), the same bytes partners_render() makes for it.  Returns 0,
 * or -1 with errstr when there is no such page or memory ran out.
 */
int		 partners_list_page(const struct partners *, int, size_t,
		    struct buf *, const char **);

/*
 * True if PATH (decoded and normalised) asks for the search: BASE
 * "search", "search/N" or "search/N/F", N >= 1 without leading zeros and F
 * of [a-z0-9-].  Sets *page and *pathq: F (pointing into PATH) or NULL
 * when the query comes with the request (Gemini "?Q", Gopher's TAB
 * field).  The front-ends then:
 *
 *	pathq != NULL		partners_search(ps, pathq, page, ...)
 *	query given, not ""	partners_search(ps, query, page, ...)
 *	no query		Gemini: 10 MSG_PARTNERS_PROMPT; Gopher:
 *				partners_search(ps, "", 1, ...)
 *
 * In Gopher menus "search" is an item of type 7; "search/N/F" is type 1.
 */
bool		 partners_is_search(const struct partners *, const char *,
		    size_t *, const char **);

/*
 * Append to OUT the gemtext of result page PAGE (>= 1) for QUERY (decoded
 * UTF-8; a folded F works the same), its links in the form LINK.  No hit,
 * a page past the last and a query without letters or digits each give a
 * friendly page.  Returns 0, or -1 with errstr when QUERY is longer than
 * PARTNERS_QUERY_MAX bytes, is not UTF-8 or holds a control character
 * (Gemini answers 59), or an allocation failed (check out->failed).
 */
int		 partners_search(const struct partners *, const char *, size_t,
		    enum partners_link, struct buf *, const char **);

/*
 * The hits of the folded query FQ ([a-z0-9-] only; anything else finds
 * nothing) in list order: the indexes of hit FROM (0-based) and up to
 * NSEL - 1 after it go to SEL.  Hits are counted up to MAX + 1, so a
 * result over MAX means "more than MAX".  Returns the hits counted;
 * *partial is set when the work bound stopped the count before that.
 * partners_find() uses the trigram index; partners_find_linear() is one
 * pass over every name, the reference the index is tested against.
 */
size_t		 partners_find(const struct partners *, const char *, size_t,
		    size_t *, size_t, size_t, bool *);
size_t		 partners_find_linear(const struct partners *, const char *,
		    size_t, size_t *, size_t, size_t);

/*
 * The directory as a generated section (section.h): a struct section
 * with these ops and a struct partners as its context serves the list
 * pages past the first and the search, and names both to robots.txt
 * (their prefixes, for indexing crawlers to leave alone); the section
 * frees the directory.
 */
extern const struct section_ops partners_section;

/*
 * Fold the UTF-8 text S to the search form F into OUT (see above).  For
 * tests and for front-ends that want to log the canonical query.
 */
void		 partners_fold(struct buf *, const char *, size_t);

#endif
