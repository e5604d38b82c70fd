/*
 * test_route: the one routing function every front-end calls, and the
 * per-protocol columns of a page that render_site() fills only for the
 * protocols that are on.
 */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "capsule.h"
#include "check.h"
#include "loadsite.h"
#include "config.h"
#include "route.h"
#include "buf.h"
#include "site.h"
#include "render.h"
#include "tmptree.h"

static enum site_switch spartan_link;	/* of the next load3() */

static struct site *
load3(const char *gopher_port, const char *spartan_port)
{
	struct site_opts	 o = { .host = "localhost",
	    .port = { "1965", gopher_port, spartan_port },
	    .spartan_link = spartan_link };
	struct site		*s;
	char			 err[512];

	if ((s = load_site(tmptree, &o, err, sizeof(err))) == NULL)
		fprintf(stderr, "capsule_load: %s\n", err);
	return s;
}

static struct site *
load(const char *gopher_port)
{
	return load3(gopher_port, NULL);
}

/* Spartan: "=>" to the search becomes "=:", the rest stays as it is. */
static void
test_spartan_column(void)
{
	struct site		*s;
	const struct page	*pg;
	struct buf		 out = BUF_INIT;
	const char		*text;
	char			 home[128];
	size_t			 n;

	if ((s = load3("70", "300")) == NULL) {
		CHECK(!"load with Spartan on");
		return;
	}
	pg = site_lookup(s, "/a.gmi");
	CHECK(pg != NULL && pg->out[PROTO_SPARTAN].head != NULL &&
	    strncmp(pg->out[PROTO_SPARTAN].head, "2 text/gemini", 13) == 0);
	CHECK(pg != NULL && pg->out[PROTO_SPARTAN].data != NULL &&
	    strcmp(pg->out[PROTO_SPARTAN].data, "# A\n=: /p/search S\n") == 0);
	pg = site_lookup(s, "/f/");
	CHECK(pg != NULL && pg->out[PROTO_SPARTAN].head != NULL &&
	    pg->out[PROTO_SPARTAN].data == NULL &&
	    page_data(pg, PROTO_SPARTAN, &n) == pg->body);
	/* the home page the author wrote is sent as written */
	pg = site_lookup(s, "/");
	CHECK(pg != NULL && strcmp(pg->body, "# Home\n=> a.gmi A\n") == 0);
	CHECK(pg != NULL && pg->out[PROTO_SPARTAN].data == NULL &&
	    page_data(pg, PROTO_SPARTAN, &n) == pg->body);

	text = "=> search a\n```\n=> search b\n```\n=>  /p/search\tc\r\n"
	    "=> search/1/x d\n=> /p/ e\n=> spartan://h/p/search f\n=>\n";
	n = render_spartan_gemtext(s, "/p/", text, strlen(text), &out);
	CHECK(n == 2);
	CHECK(out.data != NULL && strcmp(out.data, "=: search a\n```\n"
	    "=> search b\n```\n=:  /p/search\tc\r\n=> search/1/x d\n"
	    "=> /p/ e\n=> spartan://h/p/search f\n=>\n") == 0);
	buf_free(&out);
	site_free(s);

	/* ... unless the config asks for the Spartan address there */
	spartan_link = SITE_ON;
	s = load3("70", "3000");
	pg = s != NULL ? site_lookup(s, "/") : NULL;
	CHECK(pg != NULL && strcmp(pg->body, "# Home\n=> a.gmi A\n\n"
	    "=> spartan://localhost:3000/ Also over Spartan: "
	    "spartan://localhost:3000/\n") == 0);
	site_free(s);
	spartan_link = SITE_AUTO;

	/* a home page zeche generates names it by itself */
	snprintf(home, sizeof(home), "%s/index.gmi", tmptree);
	CHECK(unlink(home) == 0);
	s = load3("70", "3000");
	pg = s != NULL ? site_lookup(s, "/") : NULL;
	CHECK(pg != NULL && strstr(pg->body,
	    "\n=> spartan://localhost:3000/ ") != NULL);
	site_free(s);
	spartan_link = SITE_OFF;
	s = load3("70", "3000");
	pg = s != NULL ? site_lookup(s, "/") : NULL;
	CHECK(pg != NULL && strstr(pg->body, "spartan://") == NULL);
	site_free(s);
	spartan_link = SITE_AUTO;
	tmptree_put("index.gmi", "# Home\n=> a.gmi A\n");

	s = load("70");
	pg = s != NULL ? site_lookup(s, "/") : NULL;
	CHECK(pg != NULL && strstr(pg->body, "spartan") == NULL &&
	    pg->out[PROTO_SPARTAN].head == NULL);
	site_free(s);
}

static void
test_routes(struct site *s)
{
	struct route	 r;

	CHECK(route(s, "/", NULL, &r) == ROUTE_PAGE &&
	    strcmp(r.page->path, "/") == 0);
	CHECK(route(s, "/a.gmi", "ignored", &r) == ROUTE_PAGE &&
	    strcmp(r.page->path, "/a.gmi") == 0);
	CHECK(route(s, "/f/index.gmi", NULL, &r) == ROUTE_PAGE &&
	    strcmp(r.page->path, "/f/") == 0);
	CHECK(route(s, "/f", NULL, &r) == ROUTE_FOLDER &&
	    strcmp(r.page->path, "/f/") == 0);
	CHECK(route(s, "/nope", NULL, &r) == ROUTE_NOT_FOUND &&
	    r.page == NULL);
	CHECK(route(s, "/f/nope/", NULL, &r) == ROUTE_NOT_FOUND);

	CHECK(route(s, "/p/search", NULL, &r) == ROUTE_SECTION &&
	    r.section != NULL && r.req.op == SECTION_INPUT &&
	    r.req.page == 1);
	CHECK(route(s, "/p/search", "", &r) == ROUTE_SECTION &&
	    r.req.op == SECTION_INPUT);
	CHECK(route(s, "/p/search", "m%C3%BCnster", &r) == ROUTE_SECTION &&
	    r.req.op == SECTION_SEARCH &&
	    strcmp(r.req.query, "m%C3%BCnster") == 0 &&
	    !r.req.query_in_path && r.req.page == 1);
	CHECK(route(s, "/p/search/3", "x", &r) == ROUTE_SECTION &&
	    r.req.op == SECTION_SEARCH && r.req.page == 3 &&
	    strcmp(r.req.query, "x") == 0);
	CHECK(route(s, "/p/search/2/muenster", "other", &r) == ROUTE_SECTION &&
	    r.req.op == SECTION_SEARCH && r.req.page == 2 &&
	    strcmp(r.req.query, "muenster") == 0 && r.req.query_in_path);
	/* the one kind for every generated page: a list page too */
	CHECK(route(s, "/p/page-2.gmi", NULL, &r) == ROUTE_NOT_FOUND);
	CHECK(route(s, "/p/search/0", "x", &r) == ROUTE_NOT_FOUND);
}

/* Every enabled protocol has its column; one that is off has none. */
static void
test_columns(void)
{
	struct site		*s;
	const struct page	*pg;
	const char		*data;
	size_t			 len;

	if ((s = load("70")) == NULL) {
		CHECK(!"load with Gopher on");
		return;
	}
	pg = site_lookup(s, "/a.gmi");
	CHECK(pg != NULL && pg->out[PROTO_GEMINI].head != NULL &&
	    strncmp(pg->out[PROTO_GEMINI].head, "20 text/gemini", 14) == 0);
	CHECK(pg != NULL && pg->out[PROTO_GOPHER].head == NULL &&
	    pg->out[PROTO_GOPHER].data != NULL &&
	    strstr(pg->out[PROTO_GOPHER].data, "\tlocalhost\t70\r\n"));
	data = pg != NULL ? page_data(pg, PROTO_GEMINI, &len) : NULL;
	CHECK(data != NULL && len == strlen("# A\n=> /p/search S\n") &&
	    memcmp(data, "# A\n", 4) == 0);
	pg = site_lookup(s, "/t.txt");
	CHECK(pg != NULL && pg->out[PROTO_GOPHER].data == NULL &&
	    page_data(pg, PROTO_GOPHER, &len) == pg->body);
	site_free(s);

	if ((s = load(NULL)) == NULL) {
		CHECK(!"load with Gopher off");
		return;
	}
	pg = site_lookup(s, "/a.gmi");
	CHECK(pg != NULL && pg->out[PROTO_GEMINI].head != NULL);
	CHECK(pg != NULL && pg->out[PROTO_GOPHER].data == NULL &&
	    pg->out[PROTO_GOPHER].head == NULL);
	site_free(s);
}

/* Config redirects: one hop for Gemini, followed for Gopher. */
/*
 * The words of a section's addresses are the host's language: English
 * hosts "search" and "page-N.gmi", German ones keep "suche" and
 * "seite-N.gmi", the addresses the German capsule published.
 */
static void
test_lang_words(void)
{
	struct site_opts	 o = { .host = "localhost",
	    .port = { "1965", "70" } };
	struct buf		 list = BUF_INIT;
	struct site		*s;
	struct route		 r;
	const struct page	*pg;
	char			 err[512];
	size_t			 i;

	for (i = 0; i < 45; i++)
		buf_addf(&list, "Partner %02zu\n", i);
	tmptree_put("p/partners.txt", list.data);
	buf_free(&list);
	if ((s = capsule_load(tmptree, &o, err, sizeof(err))) == NULL) {
		CHECK(!"capsule_load en");
		return;
	}
	CHECK(route(s, "/p/search", NULL, &r) == ROUTE_SECTION &&
	    r.req.op == SECTION_INPUT);
	CHECK(route(s, "/p/page-2.gmi", NULL, &r) == ROUTE_SECTION &&
	    r.req.op == SECTION_LIST && r.req.page == 2);
	CHECK(route(s, "/p/suche", NULL, &r) == ROUTE_NOT_FOUND);
	CHECK(route(s, "/p/seite-2.gmi", NULL, &r) == ROUTE_NOT_FOUND);
	pg = site_lookup(s, "/p/");
	CHECK(pg != NULL && strstr(pg->body, "=> /p/search ") != NULL &&
	    strstr(pg->body, "=> /p/page-2.gmi ") != NULL);
	site_free(s);

	o.lang = "de";
	if ((s = capsule_load(tmptree, &o, err, sizeof(err))) == NULL) {
		CHECK(!"capsule_load de");
		return;
	}
	CHECK(route(s, "/p/suche/1/partner", NULL, &r) == ROUTE_SECTION &&
	    r.req.op == SECTION_SEARCH);
	CHECK(route(s, "/p/seite-3.gmi", NULL, &r) == ROUTE_SECTION &&
	    r.req.op == SECTION_LIST && r.req.page == 3);
	CHECK(route(s, "/p/search", NULL, &r) == ROUTE_NOT_FOUND);
	CHECK(route(s, "/p/page-2.gmi", NULL, &r) == ROUTE_NOT_FOUND);
	pg = site_lookup(s, "/p/");
	CHECK(pg != NULL && strstr(pg->body, "=> /p/suche ") != NULL &&
	    strstr(pg->body, "=> /p/seite-2.gmi ") != NULL);
	site_free(s);
	tmptree_put("p/partners.txt", "M\xc3\xbcnster GmbH\n");
}

static void
test_redirects(void)
{
	static const struct conf_redirect rd[] = {
		{ "/old.gmi", "/a.gmi", 31, 1 },
		{ "/a.gmi", "/t.txt", 30, 2 },
		{ "/ext/", "gemini://b.example/", 31, 3 },
		{ "/loop1", "/loop2", 31, 4 },
		{ "/loop2", "/loop1", 31, 5 },
	};
	struct site_opts	 o = { .host = "localhost",
	    .port = { "1965", "70" }, .redirects = rd,
	    .nredirects = sizeof(rd) / sizeof(rd[0]) };
	struct site		*s;
	struct route		 r;
	char			 err[512];

	if ((s = load_site(tmptree, &o, err, sizeof(err))) == NULL) {
		CHECK(!"capsule_load");
		return;
	}
	CHECK(route(s, "/old.gmi", NULL, &r) == ROUTE_REDIRECT &&
	    strcmp(r.location, "/a.gmi") == 0 && r.status == 31);
	/* a redirect wins over the file a.gmi */
	CHECK(route(s, "/a.gmi", NULL, &r) == ROUTE_REDIRECT &&
	    r.status == 30);
	CHECK(route_follow(s, "/old.gmi", NULL, &r) == ROUTE_PAGE &&
	    strcmp(r.page->path, "/t.txt") == 0);
	CHECK(route_follow(s, "/ext/", NULL, &r) == ROUTE_REDIRECT &&
	    strcmp(r.location, "gemini://b.example/") == 0);
	CHECK(route_follow(s, "/loop1", NULL, &r) == ROUTE_NOT_FOUND);
	CHECK(route(s, "/t.txt", NULL, &r) == ROUTE_PAGE);
	site_free(s);
}

int
main(void)
{
	struct site	*s;

	tmptree_new();
	tmptree_put("index.gmi", "# Home\n=> a.gmi A\n");
	tmptree_put("a.gmi", "# A\n=> /p/search S\n");
	tmptree_put("t.txt", "text\n");
	tmptree_mkdir("f");
	tmptree_put("f/index.gmi", "# F\n");
	tmptree_mkdir("p");
	tmptree_put("p/partners.txt", "M\xc3\xbcnster GmbH\n");
	if ((s = load("70")) != NULL) {
		test_routes(s);
		site_free(s);
		test_redirects();
	} else
		CHECK(!"load");
	test_columns();
	test_spartan_column();
	test_lang_words();
	tmptree_rm();
	CHECK_DONE();
}
