#include <string.h>

#include "partners.h"
#include "route.h"
#include "site.h"

enum route_kind
route(const struct site *s, const char *path, const char *query,
    struct route *r)
{
	const struct site_redirect *rd;
	char		 folder[2048];
	const char	*pathq;
	size_t		 len = strlen(path), page;

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
	if (s->partners != NULL &&
	    partners_is_list(s->partners, path, &r->group, &page)) {
		r->result_page = page;
		return r->kind = ROUTE_LIST;
	}
	if (s->partners != NULL &&
	    partners_is_search(s->partners, path, &page, &pathq)) {
		r->result_page = page;
		if (pathq != NULL) {
			r->query = pathq;
			r->query_in_path = true;
		} else if (query != NULL && query[0] != '\0')
			r->query = query;
		else
			return r->kind = ROUTE_INPUT;
		return r->kind = ROUTE_SEARCH;
	}
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
		if (hops == ROUTE_HOPS_MAX) {
			memset(r, 0, sizeof(*r));
			return r->kind = ROUTE_NOT_FOUND;
		}
		route(s, r->location, query, r);
	}
	return r->kind;
}
