/*
 * route: where a request goes.  Every front-end hands the decoded,
 * normalised path (and the query its protocol carries, if any) to
 * route() and turns the result into its own bytes; none of them looks
 * pages, folders or generated sections up on its own.
 */
#ifndef ROUTE_H
#define ROUTE_H

#include <stdbool.h>
#include <stddef.h>

#include "section.h"

struct page;
struct site;

enum route_kind {
	ROUTE_PAGE,		/* serve .page */
	ROUTE_FOLDER,		/* a folder without its trailing slash */
	ROUTE_SECTION,		/* a generated section: .section, asked
				   .req (a list page, a search, or the
				   search without a query) */
	ROUTE_REDIRECT,		/* config "redirect": to .location */
	ROUTE_NOT_FOUND,
};

struct route {
	enum route_kind		 kind;
	const struct page	*page;		/* PAGE; FOLDER: the folder's */
	const struct section	*section;	/* SECTION: in the site */
	struct section_req	 req;		/* SECTION: what is asked */
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
 * absolute URL (or NOT_FOUND when the hops run out, or at a path that
 * needs a client certificate, site_is_closed()).  For protocols without
 * redirects (Gopher), where the old place serves the new.
 */
#define ROUTE_HOPS_MAX	8
enum route_kind	 route_follow(const struct site *, const char *,
		    const char *, struct route *);

#endif
