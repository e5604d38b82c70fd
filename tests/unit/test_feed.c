/*
 * test_feed: the Atom and gemtext writers (src/feed.c) and the feeds
 * capsule_load() makes for the shipped capsule and for a capsule that
 * grows.
 */
#include <sys/stat.h>

#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "buf.h"
#include "capsule.h"
#include "check.h"
#include "loadsite.h"
#include "tmptree.h"
#include "feed.h"
#include "render.h"
#include "site.h"
#include "textcache.h"

static const struct site_opts	 opts = { .host = "localhost",
    .port = { "1965", "70" }, .lang = "de" };

static char *
escaped(const char *s, size_t len)
{
	static struct buf	 b = BUF_INIT;

	buf_free(&b);
	buf_add_markup(&b, s, len);
	return b.data != NULL ? b.data : "";
}

#define ESC(s)	escaped((s), sizeof(s) - 1)

static void
test_escapes_markup(void)
{
	CHECK_STR(ESC("Tom & Jerry"), "Tom &amp; Jerry");
	CHECK_STR(ESC("<b>fett</b>"), "&lt;b&gt;fett&lt;/b&gt;");
	CHECK_STR(ESC("\"Zitat\" und 'so'"),
	    "&quot;Zitat&quot; und &apos;so&apos;");
	CHECK_STR(ESC("&amp;"), "&amp;amp;");
	CHECK_STR(ESC("Glück auf ⚒️ 🏭"), "Glück auf ⚒️ 🏭");
}

static void
test_drops_what_xml_forbids(void)
{
	CHECK_STR(ESC("a\x01" "b\x1b" "c"), "abc");
	CHECK_STR(ESC("tab\there\nline\r"), "tab\there\nline\r");
	CHECK_STR(ESC("nul\0byte"), "nulbyte");
	CHECK_STR(ESC("U+FFFE \xef\xbf\xbe U+FFFF \xef\xbf\xbf."),
	    "U+FFFE  U+FFFF .");
	CHECK_STR(ESC("bad \xff\xfe utf-8 \xc3"), "bad  utf-8 ");
	CHECK_STR(ESC("surrogate \xed\xa0\x80."), "surrogate .");
	CHECK_STR(ESC("overlong \xc0\xaf."), "overlong .");
	CHECK_STR(ESC("U+D7FF \xed\x9f\xbf U+E000 \xee\x80\x80"),
	    "U+D7FF \xed\x9f\xbf U+E000 \xee\x80\x80");
}

static void
test_writes_escaped_titles(void)
{
	struct feed_entry	 e[1];
	struct feed		 f;
	struct buf		 out = BUF_INIT;

	memset(&f, 0, sizeof(f));
	memset(e, 0, sizeof(e));
	e[0].id = "gemini://h/f/a.gmi?x=1&y=2";
	e[0].title = "Kohle & Stahl <Ruhr> \"1958\"";
	e[0].updated = "2020-01-02T00:00:00Z";
	e[0].link = e[0].id;
	e[0].link_type = "text/gemini";
	e[0].summary = "Erster 'Absatz'.";
	f.id = "gemini://h/f/";
	f.title = "Zeche & Co.";
	f.updated = "2020-01-02T00:00:00Z";
	f.author = "h";
	f.self = "gemini://h/f/atom.xml";
	f.alternate = "gemini://h/f/";
	f.alternate_type = "text/gemini";
	f.entries = e;
	f.nentries = 1;
	CHECK(feed_write_atom(&f, &out) == 0);
	CHECK(strncmp(out.data, "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n"
	    "<feed xmlns=\"http://www.w3.org/2005/Atom\">\n", 82) == 0);
	CHECK(strstr(out.data, "<title>Zeche &amp; Co.</title>") != NULL);
	CHECK(strstr(out.data, "<title>Kohle &amp; Stahl &lt;Ruhr&gt; "
	    "&quot;1958&quot;</title>") != NULL);
	CHECK(strstr(out.data, "<id>gemini://h/f/a.gmi?x=1&amp;y=2</id>") !=
	    NULL);
	CHECK(strstr(out.data, "href=\"gemini://h/f/a.gmi?x=1&amp;y=2\"") !=
	    NULL);
	CHECK(strstr(out.data, "<summary>Erster &apos;Absatz&apos;."
	    "</summary>") != NULL);
	CHECK(strstr(out.data, "<link rel=\"self\" type=\"application/"
	    "atom+xml\" href=\"gemini://h/f/atom.xml\"/>") != NULL);
	CHECK(strstr(out.data, "<author>\n    <name>h</name>\n  </author>") !=
	    NULL);
	CHECK(strcmp(out.data + out.len - 8, "</feed>\n") == 0);
	buf_free(&out);

	/* what Atom requires may not be missing */
	f.author = NULL;
	CHECK(feed_write_atom(&f, &out) == -1);
	f.author = "h";
	e[0].updated = NULL;
	CHECK(feed_write_atom(&f, &out) == -1);
	buf_free(&out);
}

static void
test_wraps_long_text(void)
{
	struct feed_entry	 e[1];
	struct feed		 f;
	struct buf		 out = BUF_INIT, para = BUF_INIT;
	const char		*p, *nl;
	size_t			 i, longest = 0;

	for (i = 0; i < 300; i++)
		buf_adds(&para, "Wort & Wort ");
	memset(&f, 0, sizeof(f));
	memset(e, 0, sizeof(e));
	e[0].id = e[0].title = "x";
	e[0].updated = "2020-01-02T00:00:00Z";
	e[0].summary = para.data;
	f.id = f.title = f.author = "x";
	f.updated = e[0].updated;
	f.entries = e;
	f.nentries = 1;
	CHECK(feed_write_atom(&f, &out) == 0);
	for (p = out.data; (nl = strchr(p, '\n')) != NULL; p = nl + 1)
		if ((size_t)(nl - p) > longest)
			longest = (size_t)(nl - p);
	CHECK(longest <= 100);
	CHECK(strstr(out.data, "<summary>Wort &amp; Wort Wort") != NULL);
	buf_free(&out);
	buf_free(&para);
}

static const char *
body(const struct site *s, const char *path)
{
	const struct page	*pg = site_lookup(s, path);

	return pg != NULL ? pg->body : "";
}

/* Where NEEDLE is in HAY, or -1. */
static long
pos(const char *hay, const char *needle)
{
	const char	*p = strstr(hay, needle);

	return p != NULL ? p - hay : -1;
}

static void
test_seed_capsule_feed(void)
{
	static const char	 a1[] = "gemini://localhost/themenforum-17/"
	    "2019-02-26-roundtable-zollverein.gmi";
	static const char	 a2[] = "gemini://localhost/themenforum-17/"
	    "2018-05-28-innovationskonferenz-tel-aviv.gmi";
	const char		*dir = getenv("ZECHE_SOURCE_DIR");
	const struct page	*pg;
	struct site		*s, *again;
	char			 root[1024], err[1024];
	const char		*x;
	long			 p1, p2;

	snprintf(root, sizeof(root), "%s/capsule", dir ? dir : "..");
	if ((s = load_site(root, &opts, err, sizeof(err))) == NULL) {
		fprintf(stderr, "capsule_load: %s\n", err);
		CHECK(s != NULL);
		return;
	}
	pg = site_lookup(s, "/themenforum-17/atom.xml");
	CHECK(pg != NULL);
	if (pg == NULL)
		goto done;
	CHECK_STR(pg->mime, "application/atom+xml");
	CHECK(pg->out[PROTO_GOPHER].data == NULL && pg->gopher_type == '0' &&
	    !pg->is_gemtext);
	x = pg->body;
	CHECK(pos(x, "<id>gemini://localhost/themenforum-17/</id>") > 0);
	CHECK(pos(x, "<title>Themenforum 17 – Innovation</title>") > 0);
	/* the feed is as new as its newest article */
	CHECK(pos(x, "  <updated>2019-02-26T00:00:00Z</updated>\n  <author>")
	    > 0);
	CHECK(pos(x, "<link rel=\"self\" type=\"application/atom+xml\" "
	    "href=\"gemini://localhost/themenforum-17/atom.xml\"/>") > 0);
	CHECK(pos(x, "<link rel=\"alternate\" type=\"text/gemini\" "
	    "href=\"gemini://localhost/themenforum-17/\"/>") > 0);
	/* newest first, ids are the articles' addresses */
	p1 = pos(x, "<id>gemini://localhost/themenforum-17/2019-02-26-");
	p2 = pos(x, "<id>gemini://localhost/themenforum-17/2018-05-28-");
	CHECK(p1 > 0 && p2 > p1);
	CHECK(pos(x + p1, "<title>Roundtable auf Zollverein</title>\n"
	    "    <updated>2019-02-26T00:00:00Z</updated>") > 0);
	CHECK(pos(x + p2, "<title>Innovationskonferenz in Tel Aviv</title>\n"
	    "    <updated>2018-05-28T00:00:00Z</updated>") > 0);
	CHECK(pos(x, a1) > 0 && pos(x, a2) > 0);
	CHECK(pos(x + p1, "<summary>Staatssekretär Dr. Mark Speich und seine "
	    "Co-Moderatorin") > 0);
	CHECK(pos(x + p2, "<summary>Vom 28. bis zum 30. Mai 2018") > 0);
	CHECK(pos(x, "<entry>") == pos(x, "  <entry>") + 2);
	/* the forum page links to it, and so does its Gopher menu */
	CHECK(pos(body(s, "/themenforum-17/"), "\n=> atom.xml Atom-Feed\n") >
	    0);
	pg = site_lookup(s, "/themenforum-17/");
	CHECK(pg != NULL && pg->out[PROTO_GOPHER].data != NULL && strstr(pg->out[PROTO_GOPHER].data,
	    "0Atom-Feed\t/themenforum-17/atom.xml\tlocalhost\t70\r\n") !=
	    NULL);
	/* stable: a second load says the same */
	if ((again = load_site(root, &opts, err, sizeof(err))) != NULL) {
		CHECK_STR(body(again, "/themenforum-17/atom.xml"),
		    body(s, "/themenforum-17/atom.xml"));
		site_free(again);
	} else
		CHECK(again != NULL);
 done:
	site_free(s);
}

static void
test_port_in_ids(void)
{
	static const struct site_opts	 o = { .host = "zeche.example",
	    .port = { "1966", "70" }, .lang = "de" };
	const char			*dir = getenv("ZECHE_SOURCE_DIR");
	struct site			*s;
	char				 root[1024], err[1024];

	snprintf(root, sizeof(root), "%s/capsule", dir ? dir : "..");
	if ((s = load_site(root, &o, err, sizeof(err))) == NULL) {
		CHECK(s != NULL);
		return;
	}
	CHECK(strstr(body(s, "/themenforum-17/atom.xml"),
	    "<id>gemini://zeche.example:1966/themenforum-17/</id>") != NULL);
	site_free(s);
}


static void
test_new_article_appears(void)
{
	struct site		*s;
	const struct page	*pg;
	char			 err[1024];
	const char		*x;

	tmptree_new();
	tmptree_mkdir("f");
	tmptree_put("index.gmi", "# Start\n=> f/ Forum\n");
	tmptree_put("f/index.gmi", "# Forum & <Freunde>\n");
	tmptree_put("f/2020-01-01-alt.gmi",
	    "# Alt\n\n   \nErster Absatz.\n\nZweiter.\n");
	if ((s = load_site(tmptree, &opts, err, sizeof(err))) == NULL) {
		fprintf(stderr, "capsule_load: %s\n", err);
		CHECK(s != NULL);
		goto done;
	}
	x = body(s, "/f/atom.xml");
	CHECK(strstr(x, "<title>Forum &amp; &lt;Freunde&gt;</title>") != NULL);
	CHECK(strstr(x, "<summary>Erster Absatz.</summary>") != NULL);
	CHECK(strstr(x, "neu") == NULL);
	CHECK(site_lookup(s, "/robots.txt") != NULL);
	site_free(s);

	/* a new file: in the list, the feed and the menu, nothing else */
	tmptree_put("f/2021-06-30-neu.gmi", "# Neu\n=> / kein Text\n");
	if ((s = load_site(tmptree, &opts, err, sizeof(err))) == NULL) {
		CHECK(s != NULL);
		goto done;
	}
	x = body(s, "/f/atom.xml");
	CHECK(strstr(x, "<updated>2021-06-30T00:00:00Z</updated>\n  <author>")
	    != NULL);
	CHECK(pos(x, "/f/2021-06-30-neu.gmi</id>") > 0 &&
	    pos(x, "/f/2021-06-30-neu.gmi</id>") <
	    pos(x, "/f/2020-01-01-alt.gmi</id>"));
	CHECK(pos(x, "<title>Neu</title>\n    <updated>2021-06-30T00:00:00Z"
	    "</updated>\n    <link rel=\"alternate\" type=\"text/gemini\" "
	    "href=\"gemini://localhost/f/2021-06-30-neu.gmi\"/>\n"
	    "    <link rel=\"alternate\" type=\"text/plain\" "
	    "href=\"gopher://localhost/0/f/2021-06-30-neu.gmi\"/>\n  </entry>")
	    > 0);	/* the Gopher text too; no text paragraph: no summary */
	CHECK(strstr(x, "<feed xmlns=\"http://www.w3.org/2005/Atom\" "
	    "xml:lang=\"de\">\n") != NULL);
	CHECK(strstr(body(s, "/f/"), "=> 2021-06-30-neu.gmi 2021-06-30 Neu\n"
	    "=> 2020-01-01-alt.gmi 2020-01-01 Alt\n\n=> atom.xml Atom-Feed\n")
	    != NULL);
	pg = site_lookup(s, "/f/");
	CHECK(pg != NULL && pg->out[PROTO_GOPHER].data != NULL && strstr(pg->out[PROTO_GOPHER].data,
	    "02021-06-30 Neu\t/f/2021-06-30-neu.gmi\t") != NULL);
	site_free(s);

	/* the capsule's own robots.txt and atom.xml win */
	tmptree_put("robots.txt", "User-agent: *\nDisallow: /f/\n");
	tmptree_put("f/atom.xml", "<feed/>\n");
	if ((s = load_site(tmptree, &opts, err, sizeof(err))) == NULL) {
		CHECK(s != NULL);
		goto done;
	}
	CHECK_STR(body(s, "/robots.txt"), "User-agent: *\nDisallow: /f/\n");
	CHECK_STR(body(s, "/f/atom.xml"), "<feed/>\n");
	/* and the folder page links to it all the same */
	CHECK(strstr(body(s, "/f/"), "\n=> atom.xml Atom-Feed\n") != NULL);
	site_free(s);
 done:
	tmptree_rm();
}

static void
test_default_robots(void)
{
	const char		*dir = getenv("ZECHE_SOURCE_DIR");
	const struct page	*pg;
	struct site		*s;
	char			 root[1024], err[1024];

	snprintf(root, sizeof(root), "%s/capsule", dir ? dir : "..");
	if ((s = load_site(root, &opts, err, sizeof(err))) == NULL) {
		CHECK(s != NULL);
		return;
	}
	pg = site_lookup(s, "/robots.txt");
	CHECK(pg != NULL);
	if (pg != NULL) {
		CHECK_STR(pg->mime, "text/plain; charset=utf-8");
		CHECK(pg->out[PROTO_GOPHER].data == NULL && pg->gopher_type == '0');
		CHECK(strstr(pg->body, "User-agent: webproxy\nDisallow: /\n") !=
		    NULL);
		CHECK(strstr(pg->body, "User-agent: archiver\n") != NULL);
		CHECK(strstr(pg->body, "User-agent: indexer\n") != NULL);
		CHECK(strstr(pg->body, "User-agent: researcher\n") != NULL);
		CHECK(strstr(pg->body, "User-agent: *\nDisallow:\n") != NULL);
	}
	pg = site_lookup(s, "/favicon.txt");
	CHECK(pg != NULL && strcmp(pg->mime, "text/plain; charset=utf-8") ==
	    0);
	site_free(s);
}

/* The gemtext feed: Lagrange's form, and the links between the two. */
static void
test_gemtext_feed(void)
{
	struct feed_entry	 e[2];
	struct feed		 f;
	struct buf		 out = BUF_INIT;
	struct site		*s;
	const struct page	*pg;
	char			 err[1024];

	memset(&f, 0, sizeof(f));
	memset(e, 0, sizeof(e));
	e[0].id = e[0].link = "gemini://h/f/2020-01-02-b%20c.gmi";
	e[0].rel = "2020-01-02-b%20c.gmi";
	e[0].title = "Kohle & Stahl\n<Ruhr>";
	e[0].updated = "2020-01-02T00:00:00Z";
	e[1].id = e[1].link = "gemini://h/f/2019-05-06-a.gmi";
	e[1].title = "A";
	e[1].updated = "2019-05-06T00:00:00Z";
	f.id = "gemini://h/f/";
	f.title = "Zeche & \"Co.\"";
	f.updated = e[0].updated;
	f.author = "h";
	f.self = "gemini://h/f/atom.xml";
	f.entries = e;
	f.nentries = 2;
	f.gemtext = "gemini://h/f/feed.gmi";
	f.gemtext_title = "As \"gemtext\"";
	f.atom_label = "As Atom";
	CHECK(feed_write_gemtext(&f, &out) == 0);
	CHECK_STR(out.data, "# Zeche & \"Co.\"\n\n"
	    "=> 2020-01-02-b%20c.gmi 2020-01-02 Kohle & Stahl <Ruhr>\n"
	    "=> gemini://h/f/2019-05-06-a.gmi 2019-05-06 A\n\n"
	    "=> atom.xml As Atom\n=> ./ Zeche & \"Co.\"\n");
	buf_free(&out);
	CHECK(feed_write_atom(&f, &out) == 0);
	CHECK(strstr(out.data, "<link rel=\"related\" type=\"text/gemini\" "
	    "title=\"As &quot;gemtext&quot;\" href=\"gemini://h/f/feed.gmi\""
	    "/>\n") != NULL);
	buf_free(&out);
	e[1].updated = "2019";
	CHECK(feed_write_gemtext(&f, &out) == -1);
	buf_free(&out);

	/* a capsule: FOLDER/feed.gmi beside atom.xml, each linking the other */
	tmptree_new();
	tmptree_mkdir("f");
	tmptree_put("f/2024-01-15-first.gmi", "# First meeting\n");
	tmptree_put("f/2024-02-01-second.gmi", "# Second\n");
	if ((s = load_site(tmptree, &opts, err, sizeof(err))) == NULL) {
		CHECK(s != NULL);
		tmptree_rm();
		return;
	}
	CHECK((pg = site_lookup(s, "/f/feed.gmi")) != NULL);
	if (pg != NULL) {
		CHECK(pg->is_gemtext && pg->generated);
		CHECK_STR(pg->body, "# F\n\n"
		    "=> 2024-02-01-second.gmi 2024-02-01 Second\n"
		    "=> 2024-01-15-first.gmi 2024-01-15 First meeting\n\n"
		    "=> atom.xml Dieser Feed als Atom (atom.xml)\n"
		    "=> ./ F\n");
	}
	CHECK((pg = site_lookup(s, "/f/atom.xml")) != NULL &&
	    strstr(pg->body, "<link rel=\"related\" type=\"text/gemini\" "
	    "title=\"Dieser Feed als Gemtext (feed.gmi)\" "
	    "href=\"gemini://localhost/f/feed.gmi\"/>") != NULL);
	site_free(s);
	/* a folder's own feed.gmi wins, and Atom does not link it */
	tmptree_put("f/feed.gmi", "# Mine\n");
	if ((s = load_site(tmptree, &opts, err, sizeof(err))) != NULL) {
		CHECK((pg = site_lookup(s, "/f/feed.gmi")) != NULL &&
		    !pg->generated);
		CHECK((pg = site_lookup(s, "/f/atom.xml")) != NULL &&
		    strstr(pg->body, "rel=\"related\"") == NULL);
		site_free(s);
	} else
		CHECK(s != NULL);
	tmptree_rm();
}

/*
 * render_bytes(), what the front-ends send of a page: a served site's
 * Atom feed is made on its first request, the same bytes for every
 * protocol and the same as a load renders for --check and the export,
 * kept in the text cache (a second request finds it), held by the
 * answer; a page rendered at load is its bytes, held by the site; a
 * post's Gopher text is made for Gopher alone, of the length measured.
 */
static void
test_render_bytes(void)
{
	static const char	 atom[] = "/themenforum-17/atom.xml";
	struct site_opts	 later = opts;
	const char		*dir = getenv("ZECHE_SOURCE_DIR");
	const struct page	*pg, *fpg = NULL, *tpg = NULL;
	struct site		*s, *pre;
	struct render_out	 a, b;
	char			 root[1024], err[1024];
	uint64_t		 hits, misses, h2, m2;
	size_t			 i, len, bound;
	int			 p;

	later.port[PROTO_SPARTAN] = "300";
	later.text_later = true;
	snprintf(root, sizeof(root), "%s/capsule", dir ? dir : "..");
	if ((s = load_site(root, &later, err, sizeof(err))) == NULL ||
	    (pre = load_site(root, &opts, err, sizeof(err))) == NULL) {
		fprintf(stderr, "capsule_load: %s\n", err);
		CHECK(!"load");
		site_free(s);
		return;
	}
	fpg = site_lookup(s, atom);
	pg = site_lookup(pre, atom);
	CHECK(fpg != NULL && pg != NULL);
	if (fpg == NULL || pg == NULL)
		goto done;
	/* no bytes at load, the feed's page none the less */
	CHECK(fpg->feed_later && fpg->body == NULL && fpg->generated &&
	    strcmp(fpg->mime, "application/atom+xml") == 0);
	CHECK(!pg->feed_later && pg->body != NULL);
	textcache_counts(&hits, &misses, &bound);
	for (p = 0; p < PROTO_COUNT; p++) {
		CHECK(render_bytes(s, fpg, p, &a) == 0);
		CHECK(a.hold != NULL && a.drop != NULL);
		CHECK(a.len == pg->body_len &&
		    memcmp(a.data, pg->body, a.len) == 0);
		CHECK(render_length(s, fpg, p, &len) == 0 && len == a.len);
		render_drop(&a);
		CHECK(a.hold == NULL && a.drop == NULL);
		render_drop(&a);		/* nothing left to drop */
	}
	textcache_counts(&h2, &m2, &bound);
	/* made once; found by the other protocols and render_length() */
	CHECK(m2 == misses + 1 && h2 == hits + 5);
	/* held by an answer: the bytes outlive the cache's entry */
	CHECK(render_bytes(s, fpg, PROTO_GEMINI, &a) == 0);
	textcache_limit(0);
	CHECK(render_bytes(s, fpg, PROTO_GOPHER, &b) == 0 && b.data != a.data);
	CHECK(a.len == pg->body_len && memcmp(a.data, pg->body, a.len) == 0);
	render_drop(&a);
	render_drop(&b);
	textcache_limit(TEXTCACHE_MAX);
	/* the home page: its bytes, the site's, a pointer read */
	pg = site_lookup(s, "/");
	CHECK(render_bytes(s, pg, PROTO_GEMINI, &a) == 0 && a.hold == NULL &&
	    a.drop == NULL && a.data == pg->body && a.len == pg->body_len);
	CHECK(render_bytes(s, pg, PROTO_GOPHER, &a) == 0 && a.hold == NULL &&
	    a.data == pg->out[PROTO_GOPHER].data);
	/* a post's Gopher text: made for Gopher, the body for Gemini */
	for (i = 0; i < s->npages && tpg == NULL; i++)
		if (s->pages[i]->text_later)
			tpg = s->pages[i];
	CHECK(tpg != NULL);
	if (tpg != NULL) {
		CHECK(render_bytes(s, tpg, PROTO_GEMINI, &a) == 0 &&
		    a.hold == NULL && a.data == tpg->body);
		CHECK(render_bytes(s, tpg, PROTO_GOPHER, &a) == 0 &&
		    a.hold != NULL && a.len == tpg->out[PROTO_GOPHER].len &&
		    a.len > 0);
		render_drop(&a);
	}
 done:
	site_free(s);
	site_free(pre);
}

int
main(void)
{
	test_escapes_markup();
	test_drops_what_xml_forbids();
	test_writes_escaped_titles();
	test_wraps_long_text();
	test_seed_capsule_feed();
	test_port_in_ids();
	test_new_article_appears();
	test_default_robots();
	test_gemtext_feed();
	test_render_bytes();
	escaped("", 0);
	CHECK_DONE();
}
