/*
 * section: find the generated section a path belongs to and ask it.
 * Must not name any section (the partner directory included) nor any
 * protocol: sections come in through their struct section_ops.
 */
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "section.h"

const struct section *
section_find(const struct section *v, size_t n, const char *path,
    const char *query, struct section_req *req)
{
	size_t	 i;

	for (i = 0; i < n; i++) {
		memset(req, 0, sizeof(*req));
		if (!v[i].ops->match(v[i].ctx, path, req))
			continue;
		if (req->op == SECTION_INPUT && query != NULL &&
		    query[0] != '\0') {
			req->op = SECTION_SEARCH;
			req->query = query;
		}
		return &v[i];
	}
	return NULL;
}

enum result_status
section_answer(const struct section *sec, const struct section_req *req,
    enum section_link link, struct result *res)
{
	memset(res, 0, sizeof(*res));	/* .text is BUF_INIT */
	res->page = req->page;
	switch (req->op) {
	case SECTION_LIST:
		(void)sec->ops->list(sec->ctx, req->list, req->page, res);
		break;
	case SECTION_SEARCH:
		res->log = "search";
		(void)sec->ops->search(sec->ctx, req->query, req->page, link,
		    res);
		break;
	case SECTION_INPUT:
		res->log = "search";
		(void)sec->ops->search(sec->ctx, "", req->page, link, res);
		break;
	}
	return res->status;
}

void
result_free(struct result *res)
{
	buf_free(&res->text);
}

void
section_pages_free(struct section_page *pages, size_t n)
{
	size_t	 i;

	if (pages == NULL)
		return;
	for (i = 0; i < n; i++) {
		free(pages[i].path);
		free(pages[i].text);
	}
	free(pages);
}
