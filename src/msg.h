/*
 * msg: the text zeche itself writes for a capsule's readers (titles of
 * generated pages, navigation, search prompts, error messages), one table
 * per language, picked by the host's language tag (pure).
 *
 * Entries marked "fmt" are printf formats; every language takes the same
 * arguments in the same order.
 */
#ifndef MSG_H
#define MSG_H

enum msg {
	/* navigation on generated pages */
	MSG_HOME,		/* link to "/" */
	MSG_UP,			/* link to "../" from a folder listing */
	MSG_ARTICLES,		/* heading above an article list */
	MSG_ATOM_FEED,		/* link to atom.xml */
	MSG_GEMFEED,		/* the gemtext feed, as Atom names it */
	MSG_GEMFEED_ATOM,	/* the gemtext feed's link to atom.xml */
	/* the default robots.txt: its comments (capsule.c writes the rules) */
	MSG_ROBOTS,		/* its head, lines ending in "\n" */
	MSG_ROBOTS_ARCHIVER,	/* above each group, without the last */
	MSG_ROBOTS_INDEXER,	/*   "\n" */
	MSG_ROBOTS_WEBPROXY,
	MSG_ROBOTS_ALL,		/* above "User-agent: *" */

	/* words in the addresses of generated pages: [a-z] only */
	MSG_URL_SEARCH,		/* a section's search, below its folder */
	MSG_URL_PAGE,		/* before N of "page-N.gmi", a list page */
	MSG_URL_PAGEINDEX,	/* the page index's folder below "/" */

	/* the partner directory */
	MSG_PARTNERS_TITLE,	/* heading of the overview */
	MSG_PARTNERS_GROUP,	/* fmt: heading of a group: its label */
	MSG_PARTNERS_GROUP_OTHER, /* the label of the group "0-9" */
	MSG_PARTNERS_COUNT,	/* fmt: number of entries */
	MSG_PARTNERS_BY_LETTER,	/* heading above the group links */
	MSG_PARTNERS_ALL,	/* heading above the whole list */
	MSG_PARTNERS_NONE,	/* an empty directory */
	MSG_PARTNERS_NONE_IN,	/* fmt: an empty group: its label */
	MSG_PARTNERS_OVERVIEW,	/* link to the overview */
	MSG_PARTNERS_SEARCH,	/* link to the search */
	MSG_PARTNERS_PROMPT,	/* Gemini 10 / Gopher search prompt */
	MSG_SEARCH_TITLE,	/* heading of a result page */
	MSG_SEARCH_EMPTY,	/* a query without letters or digits */
	MSG_SEARCH_NO_HITS,	/* fmt: the query */
	MSG_SEARCH_HITS,	/* fmt: number of hits, the query */
	MSG_SEARCH_MORE,	/* fmt: the cap, the query, the cap */
	MSG_SEARCH_STOPPED_NONE, /* fmt: the query; work bound, no hit */
	MSG_SEARCH_STOPPED,	/* fmt: hits so far, the query */
	MSG_SEARCH_NO_PAGE_1,	/* fmt: page asked for, 1 page */
	MSG_SEARCH_NO_PAGE_N,	/* fmt: page asked for, N pages */
	MSG_SEARCH_FIRST_PAGE,	/* link to result page 1 */
	MSG_SEARCH_NEW,		/* link to a new search */
	MSG_PAGE_N_OF_M,	/* fmt: page, pages */
	MSG_PREV_PAGE,		/* fmt: page, pages */
	MSG_NEXT_PAGE,		/* fmt: page, pages */

	/* the page index */
	MSG_PAGEINDEX_TITLE,	/* its heading, and the links to it */
	MSG_PAGEINDEX_COUNT,	/* fmt: number of entries */

	/* the search over the whole capsule */
	MSG_FIND_TITLE,		/* its heading, and the links to it */
	MSG_FIND_PROMPT,	/* Gemini 10 / Gopher search prompt */
	MSG_FIND_PARTNERS,	/* heading above the partners among hits */

	/* Gemini status lines (the meta text) */
	MSG_BAD_REQUEST,
	MSG_REQUEST_TOO_LONG,
	MSG_BAD_QUERY,
	MSG_NOT_FOUND,
	MSG_OTHER_SCHEME,
	MSG_OTHER_HOST,
	MSG_OTHER_PORT,
	MSG_TRY_LATER,		/* 40: a page could not be made now */
	MSG_SLOW_DOWN,		/* fmt: seconds; Gopher's and Spartan's 44 */
	MSG_CERT_REQUIRED,	/* 60: a rule needs a client certificate */
	MSG_CERT_NOT_AUTHORISED, /* 61: this one is not in its list */
	MSG_CERT_NOT_VALID,	/* 62: expired or not yet valid */

	/* Gopher */
	MSG_ERROR,		/* fmt: a type 3 item: the reason */
	MSG_GOPHER_NOT_FOUND,	/* type 3 item: no such selector */
	MSG_URL_REFUSED,	/* type 3 item: a URL: not redirected */
	MSG_REDIRECT_TITLE,	/* the page for a URL: selector */
	MSG_REDIRECT_TO,	/* its text before the link */
	MSG_HTTP_TITLE,		/* the HTML page for a browser */
	MSG_HTTP_TEXT,		/* its paragraph (HTML) */
	MSG_HTTP_TEXT_SPARTAN,	/* the same, when Spartan is on */

	/* the home page */
	MSG_ALSO_SPARTAN,	/* fmt: link to the spartan:// address */

	/* Titan uploads (the meta text) */
	MSG_TITAN_CLOSED,	/* fmt: the path */
	MSG_TITAN_NOT_FILE,
	MSG_TITAN_NOT_SET_UP,	/* no token (and no writers) */
	MSG_TITAN_TOKEN_NEEDED,
	MSG_TITAN_WRONG_TOKEN,
	MSG_TITAN_TOO_LARGE,	/* fmt: the limit in bytes (%llu) */
	MSG_TITAN_EMPTY,	/* size=0 where it deletes nothing */
	MSG_TITAN_TYPE,		/* fmt: the type */
	MSG_TITAN_NO_CREATE,
	MSG_TITAN_NOT_WHOLE,

	MSG_COUNT
};

struct msg_table;

/*
 * The table for the language tag LANG ("de", "de-CH", "en-GB"; case
 * ignored), by its primary subtag; English for NULL or any language
 * without a table of its own.  Never NULL.
 */
const struct msg_table	*msg_table(const char *);

/* The text of M in T (T NULL: English).  Never NULL. */
const char		*msg_get(const struct msg_table *, enum msg);

#endif
