/*
 * route: where a request goes.  Every front-end hands the decoded,
 * normalised path (and the query its protocol carries, if any) to
 * route() and turns the result into its own bytes; none of them looks
 * pages, folders or the search up on its own.
 */
#ifndef ROUTE_H
#define ROUTE_H

#include <stdbool.h>
#include <stddef.h>

struct page;
struct site;

enum route_kind {
	ROUTE_PAGE,		/* serve .page */
	ROUTE_FOLDER,		/* a folder without its trailing slash */
	ROUTE_LIST,		/* partner list page .result_page of
				   .group, rendered on request */
	ROUTE_SEARCH,		/* partner search results for .query */
	ROUTE_INPUT,		/* the search, but no query came with it */
	ROUTE_REDIRECT,		/* config "redirect": to .location */
	ROUTE_NOT_FOUND,
};

struct route {
	enum route_kind		 kind;
	const struct page	*page;		/* PAGE; FOLDER: the folder's */
	size_t			 result_page;	/* SEARCH: >= 1; LIST: >= 2 */
	int			 group;		/* LIST: -1 (all) or a group */
	const char		*query;		/* SEARCH: the query */
	bool			 query_in_path;	/* SEARCH: .query is the folded
						   F of the path, not QUERY */
	const char		*location;	/* REDIRECT: a path on this
						   capsule or an absolute URL */
	int			 status;	/* REDIRECT: 30 or 31 */
};

/*
 * Route PATH (absolute, decoded, normalised) on S.  QUERY is what the
 * request carried besides the path (Gemini's "?", Gopher's TAB field,
 * Spartan's data block), still as sent, or NULL.  Fills R (pointers into
 * S, PATH and QUERY) and returns R->kind.
 */
enum route_kind	 route(const struct site *, const char *, const char *,
		    struct route *);

/*
 * Route PATH, following redirects to other paths of S (at most
 * ROUTE_HOPS_MAX): the result is never a REDIRECT to a path, only to an
 * absolute URL (or NOT_FOUND when the hops run out).  For protocols
 * without redirects (Gopher), where the old place serves the new.
 */
#define ROUTE_HOPS_MAX	8
enum route_kind	 route_follow(const struct site *, const char *,
		    const char *, struct route *);

#endif
