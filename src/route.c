/*
 * route: (site, path, query) -> page, folder, redirect, generated section
 * or not found, once per request.  Must not render, nor name a protocol
 * or a particular section.
 */
#include <string.h>

#include "route.h"
#include "site.h"

enum route_kind
route(const struct site *s, const char *path, const char *query,
    struct route *r)
{
	const struct site_redirect *rd;
	char		 folder[2048];
	size_t		 len = strlen(path);

	memset(r, 0, sizeof(*r));
	/* a redirect in the config wins over what the capsule holds */
	if ((rd = site_redirect(s, path)) != NULL) {
		r->location = rd->to;
		r->status = rd->status;
		return r->kind = ROUTE_REDIRECT;
	}
	if ((r->page = site_lookup(s, path)) != NULL)
		return r->kind = ROUTE_PAGE;
	if (len > 0 && path[len - 1] != '/' && len + 2 <= sizeof(folder)) {
		memcpy(folder, path, len);
		folder[len] = '/';
		folder[len + 1] = '\0';
		if ((r->page = site_lookup(s, folder)) != NULL)
			return r->kind = ROUTE_FOLDER;
	}
	if ((r->section = section_find(s->sections, s->nsections, path,
	    query, &r->req)) != NULL)
		return r->kind = ROUTE_SECTION;
	return r->kind = ROUTE_NOT_FOUND;
}

enum route_kind
route_follow(const struct site *s, const char *path, const char *query,
    struct route *r)
{
	int	 hops;

	route(s, path, query, r);
	for (hops = 0; r->kind == ROUTE_REDIRECT && r->location[0] == '/';
	    hops++) {
		/* a protocol that follows has no client certificates */
		if (hops == ROUTE_HOPS_MAX ||
		    site_is_closed(s, r->location)) {
			memset(r, 0, sizeof(*r));
			return r->kind = ROUTE_NOT_FOUND;
		}
		route(s, r->location, query, r);
	}
	return r->kind;
}
