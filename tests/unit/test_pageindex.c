/*
 * test_pageindex: the page index (src/pageindex.c) of capsules loaded
 * from disk: every page listed once, titles and dates, paging and the
 * last page, an empty capsule, "pageindex off", a capsule with a folder
 * of the index's name, and the words of each language.
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "check.h"
#include "loadsite.h"
#include "pageindex.h"
#include "section.h"
#include "site.h"
#include "tmptree.h"

static const struct site_opts	 opts = { .host = "localhost",
    .port = { "1965", "70" } };

static char	 err[1024];

/* How often NEEDLE occurs in HAY. */
static size_t
count(const char *hay, const char *needle)
{
	size_t	 n = 0;

	while ((hay = strstr(hay, needle)) != NULL) {
		n++;
		hay += strlen(needle);
	}
	return n;
}

static const char *
body(const struct site *s, const char *path)
{
	const struct page	*pg = site_lookup(s, path);

	return pg != NULL && pg->body != NULL ? pg->body : "";
}

/* Page PAGE of the index of S as a request gets it, or NULL. */
static char *
answer(const struct site *s, const char *path)
{
	const struct section	*sec;
	struct section_req	 req;
	struct result		 res;
	char			*text;

	sec = section_find(s->sections, s->nsections, path, NULL, &req);
	if (sec == NULL || sec->ops != &pageindex_section)
		return NULL;
	if (section_answer(sec, &req, SECTION_LINK_QUERY, &res) != RESULT_OK) {
		result_free(&res);
		return NULL;
	}
	text = buf_take(&res.text, NULL);
	return text;
}

/*
 * Every page of S but the index's own is linked once in TEXT; "/" as
 * well as by each page's link home, NHOME of them.
 */
static bool
lists_every_page_once(const struct site *s, const char *text, size_t nhome)
{
	char	 link[512];
	size_t	 i;

	for (i = 0; i < s->npages; i++) {
		if (strncmp(s->pages[i]->path, "/pages/", 7) == 0)
			continue;
		snprintf(link, sizeof(link), "=> %s ", s->pages[i]->path);
		if (count(text, link) != (strcmp(link, "=> / ") == 0 ?
		    1 + nhome : 1)) {
			fprintf(stderr, "%s: listed %zu times\n",
			    s->pages[i]->path, count(text, link));
			return false;
		}
	}
	return true;
}

static void
test_small(void)
{
	struct site	*s;
	const char	*idx;

	tmptree_new();
	tmptree_put("index.gmi", "# Home\n\n=> a.gmi About\n");
	tmptree_put("a.gmi", "# About us\n\nText.\n");
	tmptree_put("untitled.gmi", "No heading here.\n");
	tmptree_put("b c.txt", "plain\n");
	tmptree_mkdir("f");
	tmptree_put("f/2024-01-15-first.gmi", "# First meeting\n\nText.\n");
	if ((s = load_site(tmptree, &opts, err, sizeof(err))) == NULL) {
		fprintf(stderr, "%s\n", err);
		CHECK(0);
		tmptree_rm();
		return;
	}
	idx = body(s, "/pages/");
	CHECK(site_lookup(s, "/pages/") != NULL &&
	    site_lookup(s, "/pages/")->generated);
	CHECK(strncmp(idx, "# Page index\n", 13) == 0);
	CHECK(strstr(idx, "=> /a.gmi About us\n") != NULL);
	CHECK(strstr(idx, "=> /untitled.gmi /untitled.gmi\n") != NULL);
	CHECK(strstr(idx, "=> /b%20c.txt /b c.txt\n") != NULL);
	CHECK(strstr(idx, "=> /f/2024-01-15-first.gmi 2024-01-15 First "
	    "meeting\n") != NULL);
	CHECK(strstr(idx, "=> /f/ ") != NULL);
	CHECK(strstr(idx, "=> /f/atom.xml /f/atom.xml\n") != NULL);
	CHECK(strstr(idx, "=> /robots.txt /robots.txt\n") != NULL);
	CHECK(strstr(idx, "=> / Home\n") != NULL);
	CHECK(strstr(idx, "Next page") == NULL);
	CHECK(count(idx, "=> /pages/") == 0);	/* not itself */
	/* sorted by path */
	CHECK(strstr(idx, "=> /a.gmi") < strstr(idx, "=> /f/") &&
	    strstr(idx, "=> /f/") < strstr(idx, "=> /robots.txt"));
	/* the b c.txt page is listed once, encoded: check the rest */
	/* the others, the search and home */
	CHECK(count(idx, "\n=> ") == s->npages + 1);
	CHECK(strstr(idx, "\n=> /search Search this capsule\n") != NULL);
	CHECK(site_section(s, &pageindex_section) != NULL);
	CHECK(answer(s, "/pages/page-2.gmi") == NULL);
	/* the capsule's home page as written; generated folder pages link */
	CHECK(strstr(body(s, "/"), "/pages/") == NULL);
	CHECK(strstr(body(s, "/f/"), "=> /pages/ Page index\n") != NULL);
	CHECK(strstr(body(s, "/robots.txt"), "# Page index: /pages/\n") !=
	    NULL);
	site_free(s);
	tmptree_rm();
}

static void
test_paged(void)
{
	struct site		*s;
	const struct section	*sec;
	struct section_page	*pages = NULL;
	struct buf		 all = BUF_INIT;
	const char		*errstr;
	char			 name[32], *p2, *p3;
	size_t			 i, n = 0;

	tmptree_new();
	for (i = 0; i < 248; i++) {		/* + "/", robots.txt: 250 */
		snprintf(name, sizeof(name), "n%03zu.txt", i);
		tmptree_put(name, "x\n");
	}
	if ((s = load_site(tmptree, &opts, err, sizeof(err))) == NULL) {
		fprintf(stderr, "%s\n", err);
		CHECK(0);
		tmptree_rm();
		return;
	}
	sec = site_section(s, &pageindex_section);
	CHECK(sec != NULL && pageindex_count(sec->ctx) == 250);
	CHECK(sec != NULL && pageindex_npages(sec->ctx) == 3);
	CHECK(count(body(s, "/pages/"), "\n=> /n") == 99);
	CHECK(strstr(body(s, "/pages/"), "Every page and file of this "
	    "capsule, by address: 250 - Page 1 of 3\n") != NULL);
	CHECK(strstr(body(s, "/pages/"), "=> /pages/page-2.gmi Next page "
	    "(2 of 3)\n") != NULL);
	p2 = answer(s, "/pages/page-2.gmi");
	p3 = answer(s, "/pages/page-3.gmi");
	CHECK(p2 != NULL && count(p2, "\n=> /n") == 100);
	CHECK(p2 != NULL && strstr(p2, "=> /pages/ Previous page (1 of 3)\n")
	    != NULL && strstr(p2, "=> /pages/page-3.gmi Next page (3 of 3)\n")
	    != NULL);
	/* the last page: the rest, no next */
	CHECK(p3 != NULL && count(p3, "\n=> /n") == 49);
	CHECK(p3 != NULL && strstr(p3, "=> /robots.txt /robots.txt\n") !=
	    NULL && strstr(p3, "Next page") == NULL &&
	    strstr(p3, "=> /pages/page-2.gmi Previous page (2 of 3)\n") !=
	    NULL);
	buf_adds(&all, body(s, "/pages/"));
	buf_adds(&all, p2 != NULL ? p2 : "");
	buf_adds(&all, p3 != NULL ? p3 : "");
	CHECK(!all.failed && lists_every_page_once(s, all.data, 3));
	CHECK(answer(s, "/pages/page-4.gmi") == NULL);
	CHECK(answer(s, "/pages/page-1.gmi") == NULL);
	CHECK(answer(s, "/pages/page-02.gmi") == NULL);
	CHECK(answer(s, "/pages/page-2") == NULL);
	CHECK(answer(s, "/pages/page-99999999999999999999999.gmi") == NULL);
	/* the export's pages: 2 and 3, as answered */
	CHECK(sec != NULL && sec->ops->pages(sec->ctx, &pages, &n,
	    &errstr) == 0 && n == 2);
	CHECK(n == 2 && strcmp(pages[0].path, "/pages/page-2.gmi") == 0 &&
	    strcmp(pages[1].path, "/pages/page-3.gmi") == 0 &&
	    p3 != NULL && strcmp(pages[1].text, p3) == 0);
	section_pages_free(pages, n);
	free(p2);
	free(p3);
	buf_free(&all);
	site_free(s);
	tmptree_rm();
}

static void
test_empty_off_taken(void)
{
	struct site_opts	 o = opts;
	struct site		*s;

	/* an empty capsule: the generated home page and robots.txt */
	tmptree_new();
	if ((s = load_site(tmptree, &opts, err, sizeof(err))) != NULL) {
		CHECK(strstr(body(s, "/pages/"), ": 2\n\n=> / ") != NULL);
		CHECK(strstr(body(s, "/pages/"), "=> /robots.txt ") != NULL);
		CHECK(strstr(body(s, "/"), "=> /pages/ Page index\n") !=
		    NULL);
		site_free(s);
	} else
		CHECK(0);
	/* "pageindex off": none, and no link */
	o.pageindex = SITE_OFF;
	if ((s = load_site(tmptree, &o, err, sizeof(err))) != NULL) {
		CHECK(site_lookup(s, "/pages/") == NULL);
		CHECK(site_section(s, &pageindex_section) == NULL);
		CHECK(strstr(body(s, "/"), "/pages/") == NULL);
		CHECK(strstr(body(s, "/robots.txt"), "/pages/") == NULL);
		site_free(s);
	} else
		CHECK(0);
	/* German words */
	o.pageindex = SITE_AUTO;
	o.lang = "de";
	if ((s = load_site(tmptree, &o, err, sizeof(err))) != NULL) {
		CHECK(strncmp(body(s, "/seiten/"), "# Seitenverzeichnis\n",
		    20) == 0);
		CHECK(strstr(body(s, "/"), "=> /seiten/ Seitenverzeichnis\n")
		    != NULL);
		site_free(s);
	} else
		CHECK(0);
	/* the capsule's own folder of that name wins: a warning, no index */
	tmptree_mkdir("pages");
	tmptree_put("pages/index.gmi", "# Mine\n");
	if ((s = load_site(tmptree, &opts, err, sizeof(err))) != NULL) {
		CHECK(s->nwarnings > 0);
		CHECK(site_section(s, &pageindex_section) == NULL);
		CHECK(strcmp(body(s, "/pages/"), "# Mine\n") == 0);
		CHECK(strstr(body(s, "/"), "Page index") == NULL);
		site_free(s);
	} else
		CHECK(0);
	tmptree_rm();
	/* "pageindex on": the capsule's home page links it too */
	tmptree_new();
	tmptree_put("index.gmi", "# Home\n");
	o.lang = NULL;
	o.pageindex = SITE_ON;
	if ((s = load_site(tmptree, &o, err, sizeof(err))) != NULL) {
		CHECK(strcmp(body(s, "/"), "# Home\n\n=> /pages/ Page index\n")
		    == 0);
		site_free(s);
	} else
		CHECK(0);
	tmptree_rm();
}

int
main(void)
{
	test_small();
	test_paged();
	test_empty_off_taken();
	CHECK_DONE();
}
