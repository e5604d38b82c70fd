/*
 * test_search: the capsule-wide search (src/search.c) over capsules
 * loaded from disk: the ranking (title hits first, newer articles before
 * older ones, then the other pages, then partners), the folding
 * (umlauts, ß, case), paging and the hit cap, refused queries, and the
 * excerpts, cut on character boundaries around the hit.
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "buf.h"
#include "check.h"
#include "gemtext.h"
#include "loadsite.h"
#include "search.h"
#include "section.h"
#include "site.h"
#include "tmptree.h"
#include "utf8.h"

static const struct site_opts	 opts = { .host = "localhost",
    .port = { "1965", "70" } };

static char	 err[1024];
static char	 answer_text[65536];

/* What a request for PATH (and QUERY) gets, or NULL if it fails. */
static const char *
answer(const struct site *s, const char *path, const char *query,
    enum result_status *st)
{
	const struct section	*sec;
	struct section_req	 req;
	struct result		 res;

	sec = section_find(s->sections, s->nsections, path, query, &req);
	if (sec == NULL || sec->ops != &search_section)
		return NULL;
	*st = section_answer(sec, &req, SECTION_LINK_QUERY, &res);
	snprintf(answer_text, sizeof(answer_text), "%.*s",
	    (int)res.text.len, res.text.data != NULL ? res.text.data : "");
	result_free(&res);
	return *st == RESULT_OK ? answer_text : NULL;
}

static const char *
find(const struct site *s, const char *query)
{
	enum result_status	 st;

	return answer(s, "/search", query, &st);
}

/* True if A occurs in T, and before B. */
static bool
before(const char *t, const char *a, const char *b)
{
	const char	*x = strstr(t, a), *y = strstr(t, b);

	return x != NULL && y != NULL && x < y;
}

static struct site *
load(void)
{
	struct site	*s;

	if ((s = load_site(tmptree, &opts, err, sizeof(err))) == NULL)
		fprintf(stderr, "%s\n", err);
	return s;
}

static void
test_ranking(void)
{
	struct site	*s;
	const char	*t;

	tmptree_new();
	tmptree_put("index.gmi", "# Start\n\nWelcome. The mill is old.\n");
	tmptree_put("about.gmi", "# About the mill\n\nSome text.\n");
	tmptree_mkdir("f");
	tmptree_put("f/2024-01-15-alpha.gmi", "# Alpha\n\nWe visited the "
	    "mill today.\n");
	tmptree_put("f/2024-03-01-beta.gmi", "# Beta\n\nThe mill again.\n");
	tmptree_put("f/2023-05-01-news.gmi", "# Mill news\n\nNothing.\n");
	tmptree_put("f/2024-06-01-gamma.gmi", "# Gamma and the Mill\n\n"
	    "The mill, once more.\n");
	tmptree_put("f/2024-07-01-other.gmi", "# Other\n\nNo hit here.\n");
	if ((s = load()) == NULL) {
		CHECK(s != NULL);
		goto done;
	}
	CHECK(site_section(s, &search_section) != NULL);
	CHECK(search_count(site_section(s, &search_section)->ctx) == 7);
	CHECK((t = find(s, "mill")) != NULL);
	if (t == NULL)
		goto done;
	CHECK(strstr(t, "# Search this capsule\n") == t);
	CHECK(strstr(t, "6 hits for \"mill\"") != NULL);
	/* title hits: articles newest first, then the other pages */
	CHECK(before(t, "=> /f/2024-06-01-gamma.gmi 2024-06-01 Gamma and "
	    "the Mill\n", "=> /f/2023-05-01-news.gmi 2023-05-01 Mill news\n"));
	CHECK(before(t, "=> /f/2023-05-01-news.gmi", "=> /about.gmi About "
	    "the mill\n"));
	/* then body hits, alike; each page once */
	CHECK(before(t, "=> /about.gmi", "=> /f/2024-03-01-beta.gmi"));
	CHECK(before(t, "=> /f/2024-03-01-beta.gmi",
	    "=> /f/2024-01-15-alpha.gmi"));
	CHECK(before(t, "=> /f/2024-01-15-alpha.gmi", "=> / Start\n"));
	CHECK(strstr(strstr(t, "=> / Start\n") + 1, "=> / Start\n") == NULL);
	CHECK(strstr(t, "=> /f/2024-07-01-other.gmi") == NULL);
	CHECK(strstr(strstr(t, "gamma.gmi") + 1, "gamma.gmi") == NULL);
	/* excerpts: the line with the hit, not the title's own heading */
	CHECK(strstr(t, "Gamma and the Mill\nThe mill, once more.\n") !=
	    NULL);
	CHECK(strstr(t, "beta.gmi 2024-03-01 Beta\nThe mill again.\n") !=
	    NULL);
	/* a title hit without the word in its text: its first text */
	CHECK(strstr(t, "Mill news\nNothing.\n") != NULL);
	CHECK(strstr(t, "\n=> /search New search\n=> / Home\n") != NULL);
	/* the generated folder page is not searched */
	CHECK(strstr(t, "=> /f/ ") == NULL);
	/* no hit, no letters */
	CHECK((t = find(s, "zeppelin")) != NULL &&
	    strstr(t, "No hits for \"zeppelin\".") != NULL);
	CHECK((t = find(s, "?!")) != NULL &&
	    strstr(t, "Please enter a search term") != NULL);
	site_free(s);
 done:
	tmptree_rm();
}

static void
test_folding(void)
{
	static const char	*queries[] = { "münster", "Muenster",
	    "MÜNSTER", "munster", "muenster", "MUNSTER" };
	struct site		*s;
	const char		*t;
	size_t			 i;

	tmptree_new();
	tmptree_put("index.gmi", "# Start\n\nIm schönen Münster steht ein "
	    "Dom an der Straße.\n");
	tmptree_mkdir("p");
	tmptree_put("p/partners.txt", "Café Münster Roastery\t"
	    "https://cafe.example/\nOak Mill\n");
	if ((s = load()) == NULL) {
		CHECK(s != NULL);
		goto done;
	}
	for (i = 0; i < sizeof(queries) / sizeof(queries[0]); i++) {
		CHECK((t = find(s, queries[i])) != NULL);
		if (t == NULL)
			continue;
		CHECK(strstr(t, "2 hits") != NULL);
		/* the page first, then the partner under its heading */
		CHECK(before(t, "=> / Start\n", "## In the partner "
		    "directory\n\n=> https://cafe.example/ Café Münster "
		    "Roastery\n"));
		CHECK(strstr(t, "\nIm schönen Münster steht ein Dom an der "
		    "Straße.\n") != NULL);
	}
	CHECK((t = find(s, "strasse")) != NULL &&
	    strstr(t, "1 hits") != NULL);
	CHECK((t = find(s, "STRAßE")) != NULL && strstr(t, "1 hits") != NULL);
	/* a partner without an address is a list item */
	CHECK((t = find(s, "oak")) != NULL && strstr(t, "\n* Oak Mill\n") !=
	    NULL);
	site_free(s);
 done:
	tmptree_rm();
}

static void
test_paging(void)
{
	struct site		*s;
	enum result_status	 st;
	const char		*t;
	char			 name[64], text[128];
	size_t			 i;

	tmptree_new();
	tmptree_put("index.gmi", "# Start\n");
	tmptree_mkdir("f");
	for (i = 0; i < SEARCH_HITS_MAX + 20; i++) {
		snprintf(name, sizeof(name), "f/2024-%02zu-%02zu-n%zu.gmi",
		    i / 28 + 1, i % 28 + 1, i);
		snprintf(text, sizeof(text), "# Note %zu\n\n%s wheel.\n", i,
		    i < 25 ? "A water" : "A cart");
		tmptree_put(name, text);
	}
	if ((s = load()) == NULL) {
		CHECK(s != NULL);
		goto done;
	}
	/* "water wheel": 25 hits, three pages */
	CHECK((t = find(s, "water wheel")) != NULL);
	if (t != NULL) {
		CHECK(strstr(t, "25 hits") != NULL);
		CHECK(strstr(t, "Page 1 of 3\n") != NULL);
		CHECK(strstr(t, "=> /search/2?water%20wheel Next page (2 of "
		    "3)\n") != NULL);
		CHECK(strstr(t, "Previous page") == NULL);
		/* the newest first: note 24 of 2024-01-25 */
		CHECK(strstr(t, "\n\n=> /f/2024-01-25-n24.gmi 2024-01-25 Note "
		    "24\n") != NULL);
	}
	CHECK((t = answer(s, "/search/3/water-wheel", NULL, &st)) != NULL);
	if (t != NULL) {
		CHECK(strstr(t, "Page 3 of 3\n") != NULL);
		CHECK(strstr(t, "=> /search/2/water-wheel Previous page") ==
		    NULL);	/* LINK_QUERY: the links carry "?" */
		CHECK(strstr(t, "=> /search/2?water-wheel Previous page (2 of "
		    "3)\n") != NULL);
		CHECK(strstr(t, "Note 4\n") != NULL);
		CHECK(strstr(t, "Note 5\n") == NULL);
	}
	CHECK((t = answer(s, "/search/4/water-wheel", NULL, &st)) != NULL &&
	    strstr(t, "There is no page 4; the hits are on 3 pages.") !=
	    NULL);
	/* the cap: more than SEARCH_HITS_MAX */
	CHECK((t = find(s, "wheel")) != NULL &&
	    strstr(t, "More than 200 hits for \"wheel\"") != NULL &&
	    strstr(t, "Page 1 of 20\n") != NULL);
	/* refused: a control character, too long, a bad path */
	CHECK(answer(s, "/search", "a\tb", &st) == NULL &&
	    st == RESULT_BAD_QUERY);
	memset(text, 'a', sizeof(text) - 1);
	text[sizeof(text) - 1] = '\0';
	CHECK(answer(s, "/search", "x", &st) != NULL);
	{
		char	 big[SEARCH_QUERY_MAX + 2];

		memset(big, 'a', sizeof(big) - 1);
		big[sizeof(big) - 1] = '\0';
		CHECK(answer(s, "/search", big, &st) == NULL &&
		    st == RESULT_BAD_QUERY);
	}
	CHECK(answer(s, "/search/0", "x", &st) == NULL);
	CHECK(answer(s, "/search/1/A", NULL, &st) == NULL);
	CHECK(answer(s, "/searchx", "x", &st) == NULL);
	site_free(s);
 done:
	tmptree_rm();
}

/*
 * One index entry a document's text, each candidate read line by line:
 * a query across a line's end is no hit (the index's separator between
 * lines, and the check of each line), nor is a document that holds the
 * query's trigrams, and the query in a link's URL, but not in one line
 * (a false candidate); a document with the query on many lines is one
 * hit, its excerpt from the first line that holds it.
 */
static void
test_lines(void)
{
	struct site	*s;
	const char	*t;

	tmptree_new();
	tmptree_put("index.gmi", "# Start\n");
	tmptree_mkdir("f");
	tmptree_put("f/2024-01-01-across.gmi", "# Across\n\nA water\n"
	    "wheel here.\nAnd a quiet\nmill.\n");
	tmptree_put("f/2024-01-02-false.gmi", "# False\n\nwater mill\n"
	    "gear wheel\n=> /water-wheel.gmi a link\n");
	tmptree_put("f/2024-01-03-many.gmi", "# Many\n\nNo hit here.\n"
	    "The first mill.\n* a mill\n```\nmill\n```\n> mill\n");
	tmptree_put("f/2024-01-04-mill.gmi", "# Mill\n\nNo hit here.\n"
	    "A mill, again.\n");
	if ((s = load()) == NULL) {
		CHECK(s != NULL);
		goto done;
	}
	CHECK((t = find(s, "water wheel")) != NULL &&
	    strstr(t, "No hits for \"water wheel\".") != NULL);
	CHECK((t = find(s, "e a")) != NULL &&	/* 3 symbols: e-a */
	    strstr(t, "No hits for \"e a\".") != NULL);
	CHECK((t = find(s, "quiet mill")) != NULL &&
	    strstr(t, "No hits for") != NULL);
	CHECK((t = find(s, "water-wheel")) != NULL &&
	    strstr(t, "No hits for") != NULL);
	CHECK((t = find(s, "gear wheel")) != NULL &&
	    strstr(t, "1 hits for") != NULL &&
	    strstr(t, "=> /f/2024-01-02-false.gmi") != NULL);
	/* the title hit first, then the newest; once each, first line */
	CHECK((t = find(s, "mill")) != NULL &&
	    strstr(t, "4 hits for \"mill\"") != NULL &&
	    before(t, "2024-01-04 Mill\nA mill, again.\n",
	    "2024-01-03 Many\nThe first mill.\n=>") &&
	    before(t, "2024-01-03 Many\n", "2024-01-02 False\nwater mill\n") &&
	    before(t, "2024-01-02 False\n", "2024-01-01 Across\nmill.\n"));
	CHECK((t = find(s, "mi")) != NULL &&
	    strstr(t, "4 hits for \"mi\"") != NULL &&
	    strstr(t, "2024-01-03 Many\nThe first mill.\n") != NULL);
	site_free(s);
 done:
	tmptree_rm();
}

/*
 * The bounds of one request: the titles and lines that hold the query
 * are counted, not the documents (SEARCH_ENTRIES_MAX), so a document
 * with more lines that hold it stops the count before an older one; the
 * index tries at most SEARCH_TRIES documents, and reads at most
 * SEARCH_READ_MAX bytes of candidates (false ones here: the query's
 * words on two lines), before the one that holds the query.
 */
static void
test_bounds(void)
{
	struct site	*s;
	struct buf	 b = BUF_INIT;
	const char	*t;
	char		 name[64];
	size_t		 i, ndocs, big;

	tmptree_new();
	tmptree_put("index.gmi", "# Start\n");
	tmptree_mkdir("f");
	buf_adds(&b, "# Many lines\n\n");
	for (i = 0; i < SEARCH_ENTRIES_MAX; i++)
		buf_addf(&b, "Line %zu of a wheel.\n", i);
	buf_addc(&b, '\0');
	tmptree_put("f/2024-02-01-many.gmi", b.data);
	tmptree_put("f/2024-01-01-one.gmi", "# One\n\nA wheel.\n");
	if ((s = load()) == NULL) {
		CHECK(s != NULL);
		goto done;
	}
	/*
	 * The title "Many lines" and its 1024 lines hold "in": the count
	 * stops there, before "One".  1024 lines hold "wheel": the 1025th
	 * entry counted is One's line, the last one a search looks at.
	 */
	CHECK((t = find(s, "in")) != NULL &&
	    strstr(t, "At least 1 hits for \"in\"; the search stopped") !=
	    NULL && strstr(t, "2024-01-01") == NULL);
	CHECK((t = find(s, "wheel")) != NULL &&
	    strstr(t, "At least 2 hits for \"wheel\"; the search stopped") !=
	    NULL && before(t, "2024-02-01 Many lines\nLine 0 of a wheel.\n",
	    "2024-01-01 One\nA wheel.\n"));
	CHECK((t = find(s, "a wheel")) != NULL &&
	    strstr(t, "At least 2 hits") != NULL);
	CHECK((t = find(s, "whe")) != NULL &&
	    strstr(t, "At least 2 hits") != NULL);
	site_free(s);
	tmptree_rm();

	/*
	 * Candidates of SEARCH_READ_MAX bytes and more, then the hit; with
	 * bytes past ASCII (WIDE), a quarter of that.
	 */
	for (big = 0; big < 4; big++) {
		tmptree_new();
		tmptree_put("index.gmi", "# Start\n");
		tmptree_mkdir("f");
		buf_reset(&b);
		buf_adds(&b, "# Note\n\n");
		while (b.len < 16384)
			buf_adds(&b, big & 2 ? "water mill\ngear wheel\nM\xc3\xbchle\n" :
			    "water mill\ngear wheel\n");
		buf_addc(&b, '\0');
		ndocs = SEARCH_READ_MAX / (big & 2 ? SEARCH_WIDE_COST : 1) /
		    b.len + (big & 1 ? 1 : -1);
		for (i = 0; i < ndocs; i++) {
			snprintf(name, sizeof(name),
			    "f/2024-%02zu-%02zu-n%zu.gmi", i / 28 + 2,
			    i % 28 + 1, i);
			tmptree_put(name, b.data);
		}
		tmptree_put("f/2024-01-01-hit.gmi", "# Hit\n\nA water "
		    "wheel.\n");
		if ((s = load()) == NULL) {
			CHECK(s != NULL);
			tmptree_rm();
			continue;
		}
		t = find(s, "water wheel");
		CHECK(t != NULL);
		if (t != NULL && big & 1)
			CHECK(strstr(t, "No hits for \"water wheel\" found "
			    "before the search stopped") != NULL);
		else if (t != NULL)
			CHECK(strstr(t, "1 hits for \"water wheel\"") != NULL &&
			    strstr(t, "2024-01-01 Hit") != NULL);
		site_free(s);
		tmptree_rm();
	}

	/* more than SEARCH_TRIES small candidates, then the hit */
	tmptree_new();
	tmptree_put("index.gmi", "# Start\n");
	tmptree_mkdir("f");
	for (i = 0; i < SEARCH_TRIES + 1; i++) {
		snprintf(name, sizeof(name), "f/%04zu-%02zu-%02zu-n%zu.gmi",
		    2030 - i / 336, i / 28 % 12 + 1, i % 28 + 1, i);
		tmptree_put(name, "# N\n\nwater mill\ngear wheel\n");
	}
	tmptree_put("f/2000-01-01-hit.gmi", "# Hit\n\nA water wheel.\n");
	if ((s = load()) == NULL)
		CHECK(s != NULL);
	else {
		CHECK((t = find(s, "water wheel")) != NULL &&
		    strstr(t, "No hits for \"water wheel\" found before the "
		    "search stopped") != NULL);
		CHECK((t = find(s, "a water wheel")) != NULL &&
		    strstr(t, "1 hits for") != NULL);
		site_free(s);
	}
 done:
	buf_free(&b);
	tmptree_rm();
}

static size_t
count_cp(const char *s, size_t len)
{
	size_t	 n = 0;

	for (; len > 0; s++, len--)
		if (((unsigned char)*s & 0xc0) != 0x80)
			n++;
	return n;
}

static long
locate(const char *text, const char *fq)
{
	return search_locate(text, strlen(text), fq);
}

static void
test_excerpt(void)
{
	struct buf	 b = BUF_INIT, text = BUF_INIT;
	long		 at;
	size_t		 i;

	/* located as the index folds: the code point it starts at */
	CHECK(locate("Im schönen Münster", "muenster") == 12);
	CHECK(locate("Im schönen Münster", "munster") == 12);
	CHECK(locate("Im schönen Münster", "schoenen-m") == 3);
	CHECK(locate("Mu\xcc\x88nster", "muenster") == 0);
	CHECK(locate("Große Straße", "strasse") == 7);
	CHECK(locate("Große Straße", "dom") == -1);

	/* short text: whole */
	search_excerpt(&b, "Short text.", 11, 6, 40);
	CHECK(b.len == 11 && memcmp(b.data, "Short text.", 11) == 0);
	buf_reset(&b);

	/* long text of two-byte letters: cut on characters, marked */
	for (i = 0; i < 200; i++)
		buf_adds(&text, "ä");
	buf_adds(&text, " Münster ");
	for (i = 0; i < 200; i++)
		buf_adds(&text, "ö");
	at = search_locate(text.data, text.len, "munster");
	CHECK(at == 401);
	for (i = 10; i < 40; i++) {
		buf_reset(&b);
		search_excerpt(&b, text.data, text.len, (size_t)at, i);
		CHECK(utf8_is_valid(b.data, b.len));
		CHECK(count_cp(b.data, b.len) <= i + 6);
		CHECK(b.len > 6 && memcmp(b.data, "...", 3) == 0 &&
		    memcmp(b.data + b.len - 3, "...", 3) == 0);
		CHECK(memmem(b.data, b.len, "Münster", 8) != NULL);
	}
	/* three-byte characters, every offset: never half a character */
	buf_reset(&text);
	for (i = 0; i < 100; i++)
		buf_adds(&text, i % 10 == 9 ? " " : "€");
	for (i = 0; i <= text.len; i++) {
		buf_reset(&b);
		search_excerpt(&b, text.data, text.len, i, 20);
		CHECK(utf8_is_valid(b.data, b.len));
	}
	/* a combining mark never starts an excerpt */
	buf_reset(&text);
	for (i = 0; i < 60; i++)
		buf_adds(&text, "u\xcc\x88");
	buf_reset(&b);
	search_excerpt(&b, text.data, text.len, 90, 10);
	CHECK(b.len > 3 && memcmp(b.data + 3, "\xcc\x88", 2) != 0);
	buf_free(&b);
	buf_free(&text);
}

/* "search off", and a capsule's own file of the name. */
static void
test_off(void)
{
	struct site_opts	 o = opts;
	struct site		*s;

	tmptree_new();
	tmptree_put("a.gmi", "# A\n\nmill\n");
	o.search = SITE_OFF;
	if ((s = load_site(tmptree, &o, err, sizeof(err))) != NULL) {
		CHECK(site_section(s, &search_section) == NULL);
		CHECK(strstr(site_lookup(s, "/")->body, "/search") == NULL);
		site_free(s);
	} else
		CHECK(s != NULL);
	tmptree_put("search", "mine\n");
	if ((s = load()) != NULL) {
		CHECK(site_section(s, &search_section) == NULL);
		CHECK(site_lookup(s, "/search") != NULL);
		site_free(s);
	} else
		CHECK(s != NULL);
	tmptree_rm();
	/* on: linked from the generated home page in its language */
	tmptree_new();
	tmptree_put("a.gmi", "# A\n\nmill\n");
	o = opts;
	o.lang = "de";
	if ((s = load_site(tmptree, &o, err, sizeof(err))) != NULL) {
		CHECK(strstr(site_lookup(s, "/")->body,
		    "\n=> /suche Diese Kapsel durchsuchen\n") != NULL);
		site_free(s);
	} else
		CHECK(s != NULL);
	tmptree_rm();
}

/*
 * search_line() reads each line of a body as gemtext_parse() does: the
 * same type and the same text, a preformatted block, CRLF, spaces and
 * tabs around markers, a link without a label, an unclosed block.
 */
static void
test_line(void)
{
	static const char *const bodies[] = {
		("# Title\n\nText line.  \t\n## Two\n###Three\n* item\n*no\n"
		    ">quote\n=> /a Label\n=>/b\n=>\t/c \t label  \n"),
		"```  alt \r\n# in pre\r\n  keep  \t\r\n```\r\nafter\r\n",
		"no newline at the end\r",
		"\n\n\n",
		"#\n##\n###\n*\n* \n>\n=> x\n```\n",
		"```\nunclosed\n=> /x y",
		"#Tight\n\t\tlead tabs\n= not a link\n``not a toggle\n",
		"",
	};
	struct gemtext		 doc;
	struct search_line	 l;
	const char		*errstr, *b;
	size_t			 i, k, at, len, lineno;
	bool			 in_pre;

	for (i = 0; i < sizeof(bodies) / sizeof(bodies[0]); i++) {
		b = bodies[i];
		len = strlen(b);
		CHECK(gemtext_parse(b, len, &doc, &errstr, &lineno) == 0);
		in_pre = false;
		for (at = 0, k = 0; at < len; k++) {
			at = search_line(b, len, at, &in_pre, &l);
			CHECK(k < doc.nlines);
			if (k >= doc.nlines)
				break;
			CHECK(l.type == doc.lines[k].type);
			CHECK(l.len == strlen(doc.lines[k].text) &&
			    memcmp(l.text, doc.lines[k].text, l.len) == 0);
		}
		CHECK(at == len && k == doc.nlines);
		gemtext_free(&doc);
	}
	/* the offsets: where each line starts */
	in_pre = false;
	CHECK(search_line("a\r\nbc\nd", 7, 0, &in_pre, &l) == 3);
	CHECK(search_line("a\r\nbc\nd", 7, 3, &in_pre, &l) == 6);
	CHECK(search_line("a\r\nbc\nd", 7, 6, &in_pre, &l) == 7);
	CHECK(l.len == 1 && l.text[0] == 'd');
}

/* Page 1 of QUERY from the search SE as text (static), or NULL. */
static const char *
ask(const struct search *se, const char *query)
{
	struct result	 res;
	int		 ok;

	memset(&res, 0, sizeof(res));
	ok = search_section.search(se, query, 1, SECTION_LINK_QUERY, &res);
	snprintf(answer_text, sizeof(answer_text), "%.*s",
	    (int)res.text.len, res.text.data != NULL ? res.text.data : "");
	result_free(&res);
	return ok == 0 ? answer_text : NULL;
}

/*
 * The search reads the pages' bodies, not their parse: built after
 * site_compact() (which frees the parsed lines), it answers as the one
 * built at load, excerpts included; and the one built at load still
 * answers after the compaction.
 */
static void
test_after_compact(void)
{
	static const char *const queries[] = { "mill", "münster",
	    "munster", "alt", "quote", "label", "pre", "m", "zzz" };
	struct site		*s;
	struct search		*se;
	const struct section	*sec;
	const char		*errstr, *t;
	char			*before_text[9];
	size_t			 i;

	tmptree_new();
	tmptree_put("index.gmi", "# Start\n\nThe mill is old.\n");
	tmptree_mkdir("f");
	tmptree_put("f/2024-01-15-alpha.gmi", "# Alpha\r\n\r\nWe visited "
	    "the Mühle, a mill.\r\n```  alt text\r\npre Münster\r\n```\r\n"
	    "> a quote on the mill\r\n=> /f/ the label\r\n");
	tmptree_put("f/2024-03-01-beta.gmi", "No title; Münster.\n");
	if ((s = load()) == NULL) {
		CHECK(s != NULL);
		goto done;
	}
	sec = site_section(s, &search_section);
	CHECK(sec != NULL);
	if (sec == NULL)
		goto free;
	for (i = 0; i < sizeof(queries) / sizeof(queries[0]); i++)
		before_text[i] = (t = ask(sec->ctx, queries[i])) != NULL ?
		    strdup(t) : NULL;
	CHECK(before_text[0] != NULL && strstr(before_text[0],
	    "\nWe visited the Mühle, a mill.\n") != NULL);
	CHECK(before_text[1] != NULL && strstr(before_text[1],
	    "\npre Münster\n") != NULL);
	CHECK(site_compact(s) == 0);
	CHECK((se = search_build(s, "/search", &errstr)) != NULL);
	for (i = 0; i < sizeof(queries) / sizeof(queries[0]); i++) {
		CHECK(before_text[i] != NULL);
		if (before_text[i] == NULL)
			continue;
		CHECK((t = ask(se, queries[i])) != NULL &&
		    strcmp(t, before_text[i]) == 0);
		CHECK((t = ask(sec->ctx, queries[i])) != NULL &&
		    strcmp(t, before_text[i]) == 0);
		free(before_text[i]);
	}
	search_free(se);
 free:
	site_free(s);
 done:
	tmptree_rm();
}

#define SEGPOSTS_MAX	2400

static uint32_t	 sseed = 777;
#define srnd(n)	check_rnd(&sseed, (n))
static char	 segposts[SEGPOSTS_MAX][48];
static size_t	 nsegposts;
static unsigned	 sserial;

static const char *const segwords[] = { "zeche", "mill", "Münster",
    "kohle", "halde", "Straße", "gemini", "lamp", "ore", "pit", "shaft",
    "river", "Glück", "auf", "tower", "coal" };

/* A post: a title of two words (or none), lines of words. */
static void
seg_post(const char *rel)
{
	struct buf	 b = BUF_INIT;
	size_t		 i, k, nl = 2 + srnd(8);

	if (srnd(5) > 0)
		buf_addf(&b, "# %s %s %u\n\n", segwords[srnd(16)],
		    segwords[srnd(16)], sserial++);
	for (i = 0; i < nl; i++) {
		if (srnd(6) == 0)
			buf_adds(&b, "* ");
		for (k = 1 + srnd(10); k > 0; k--)
			buf_addf(&b, "%s ", segwords[srnd(16)]);
		buf_adds(&b, "\n");
	}
	tmptree_put(rel, b.data);
	buf_free(&b);
}

static void
seg_add(void)
{
	unsigned	 y = 2020 + srnd(3), m = 1 + srnd(12), d = 1 + srnd(28);

	if (nsegposts == SEGPOSTS_MAX)
		return;
	snprintf(segposts[nsegposts], sizeof(segposts[0]),
	    "log/%u/%u-%02u-%02u-p%u.gmi", y, y, m, d, sserial++);
	seg_post(segposts[nsegposts++]);
}

static void
seg_remove(size_t i)
{
	char	 path[512];

	snprintf(path, sizeof(path), "%s/%s", tmptree, segposts[i]);
	(void)unlink(path);
	memmove(segposts[i], segposts[i + 1], (nsegposts - i - 1) *
	    sizeof(segposts[0]));
	nsegposts--;
}

static struct site *
seg_load(const struct site *old)
{
	struct site	*s;

	if ((s = capsule_reload(tmptree, &opts, old, err, sizeof(err))) ==
	    NULL || render_site(s) == -1 || site_compact(s) == -1) {
		fprintf(stderr, "load: %s\n", err);
		exit(2);
	}
	return s;
}

/* Every answer of A's search is B's: pages 1, 2 and 21 of each query. */
static size_t
seg_compare(const struct site *a, const struct site *b, int step)
{
	static const char *const queries[] = { "zeche", "mill", "münster",
	    "munster", "muenster", "strasse", "glück auf", "a", "ze", "e",
	    "ore", "pit shaft", "coal tower", "kohle halde", "zzz", "1",
	    "-", "river mill ore", "lamp 1" };
	static const char *const paths[] = { "/search", "/search/2",
	    "/search/21" };
	enum result_status	 st;
	const char		*t;
	char			*copy;
	size_t			 i, p, n = 0;

	for (i = 0; i < sizeof(queries) / sizeof(queries[0]); i++)
		for (p = 0; p < 3; p++) {
			copy = (t = answer(a, paths[p], queries[i], &st)) !=
			    NULL ? strdup(t) : NULL;
			t = answer(b, paths[p], queries[i], &st);
			if (copy == NULL || t == NULL || strcmp(copy, t) != 0) {
				if (n++ == 0)
					fprintf(stderr, "step %d: %s %s "
					    "differs\n", step, paths[p],
					    queries[i]);
			}
			free(copy);
		}
	return n;
}

static void
seg_counts(const struct site *s, size_t *shared, size_t *all)
{
	const struct section	*sec = site_section(s, &search_section);

	*shared = *all = 0;
	if (sec != NULL)
		search_segments(sec->ctx, shared, all);
}

/*
 * A reload's search shares the last index's segments where its pages
 * did not change, and answers as a full load's, which shares none:
 * after random edits, additions, removals and new titles, every answer
 * is the same; one post edited builds one segment or two; nothing
 * changed, none.  An index not built yet hands on what it was to share.
 */
static void
test_segments(void)
{
	struct site		*inc, *full, *next;
	struct search		*a, *b, *c;
	const struct section	*sec;
	const char		*errstr;
	size_t			 i, k, shared, all, fshared, fall, diff = 0;
	size_t			 sum_shared = 0, sum_all = 0, few = 0;
	int			 step;

	tmptree_new();
	tmptree_mkdir("log");
	tmptree_mkdir("log/2020");
	tmptree_mkdir("log/2021");
	tmptree_mkdir("log/2022");
	tmptree_put("index.gmi", "# Home\n\nThe zeche and the mill.\n");
	for (i = 0; i < 1500; i++)
		seg_add();
	inc = seg_load(NULL);
	seg_counts(inc, &shared, &all);
	CHECK(all >= 4 && shared == 0);
	for (step = 0; step < 24; step++) {
		k = 1 + srnd(4);
		switch (step % 4 == 3 ? 4 : srnd(4)) {
		case 0:			/* posts edited */
			for (; k > 0; k--)
				seg_post(segposts[srnd((uint32_t)nsegposts)]);
			break;
		case 1:			/* posts added */
			for (; k > 0; k--)
				seg_add();
			break;
		case 2:			/* posts removed */
			for (; k > 0; k--)
				seg_remove(srnd((uint32_t)nsegposts));
			break;
		case 3:			/* one post edited */
			seg_post(segposts[srnd((uint32_t)nsegposts)]);
			break;
		default:		/* nothing */
			break;
		}
		next = seg_load(inc);
		full = seg_load(NULL);
		diff += seg_compare(next, full, step);
		seg_counts(next, &shared, &all);
		seg_counts(full, &fshared, &fall);
		CHECK(fshared == 0 && fall == all);
		if (step % 4 == 3)	/* nothing changed: all shared */
			CHECK(shared == all);
		if (all - shared <= 2)
			few++;
		sum_shared += shared;
		sum_all += all;
		site_free(full);
		site_free(inc);
		inc = next;
	}
	fprintf(stderr, "segments: %zu of %zu shared in 24 reloads, %zu "
	    "reloads built 2 or fewer\n", sum_shared, sum_all, few);
	CHECK(diff == 0);
	CHECK(sum_shared * 2 >= sum_all);
	CHECK(few >= 12);

	/* a search not indexed yet hands the segments it was to share on */
	if ((sec = site_section(inc, &search_section)) == NULL) {
		CHECK(sec != NULL);
		goto done;
	}
	CHECK((b = search_new(inc, "/search", &errstr)) != NULL);
	CHECK((c = search_new(inc, "/search", &errstr)) != NULL);
	if (b != NULL && c != NULL) {
		search_follow(b, sec->ctx);
		search_follow(c, b);
		CHECK(search_index(c, inc, NULL, &errstr) == 0);
		search_segments(c, &shared, &all);
		CHECK(all > 0 && shared == all);
		a = sec->ctx;
		CHECK(search_count(a) == search_count(c));
	}
	search_free(b);
	search_free(c);
 done:
	site_free(inc);
	tmptree_rm();
}

int
main(void)
{
	test_ranking();
	test_folding();
	test_paging();
	test_lines();
	test_bounds();
	test_excerpt();
	test_off();
	test_line();
	test_after_compact();
	test_segments();
	CHECK_DONE();
}
