/*
 * test_capsule: loading a capsule folder into a site (src/capsule.c,
 * src/site.c).  Every case builds its own capsule below a mkdtemp()
 * folder and removes it again.
 */
#include <sys/resource.h>
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "buf.h"
#include "capsule.h"
#include "check.h"
#include "loadsite.h"
#include "config.h"
#include "file.h"
#include "gemtext.h"
#include "rootfs.h"
#include "route.h"
#include "site.h"
#include "tmptree.h"

static const struct site_opts	 opts = { .host = "localhost",
    .port = { "1965", "70" }, .lang = "de" };

static char	 err[1024];

static void
link_to(const char *target, const char *rel)
{
	char	 path[512];

	snprintf(path, sizeof(path), "%s/%s", tmptree, rel);
	if (symlink(target, path) == -1) {
		perror(path);
		exit(2);
	}
}

/* load() with "posts ON" in a location at PATH */
static struct site *
load_posts(const char *path, bool on)
{
	struct conf_location	 l = { .path = (char *)path, .posts = on,
	    .set_posts = true };
	struct site_opts	 o = opts;
	struct site		*s;

	o.locations = &l;
	o.nlocations = 1;
	err[0] = '\0';
	if ((s = load_site(tmptree, &o, err, sizeof(err))) == NULL)
		fprintf(stderr, "  capsule_load: %s\n", err);
	return s;
}

static struct site *
load(void)
{
	struct site	*s;

	err[0] = '\0';
	if ((s = load_site(tmptree, &opts, err, sizeof(err))) == NULL)
		fprintf(stderr, "  capsule_load: %s\n", err);
	return s;
}

/* The error of loading the capsule, or "ok". */
static const char *
load_error(void)
{
	struct site	*s;

	err[0] = '\0';
	if ((s = load_site(tmptree, &opts, err, sizeof(err))) != NULL) {
		site_free(s);
		return "ok";
	}
	return err;
}

/* The error expected for REL: the tree, REL and then TAIL. */
static const char *
want_error(const char *rel, const char *tail)
{
	static char	 want[1024];

	snprintf(want, sizeof(want), "%s%s%s", tmptree, rel, tail);
	return want;
}

/* The body of the page at PATH as a string ("(no page)" if none). */
static const char *
body_of(const struct site *s, const char *path)
{
	const struct page	*pg;

	if (s == NULL || (pg = site_lookup(s, path)) == NULL)
		return "(no page)";
	if (pg->body == NULL || strlen(pg->body) != pg->body_len)
		return "(body not a string)";
	return pg->body;
}

/* True if NEEDLE is in the body of PATH, and shows the body if not. */
static bool
page_has(const struct site *s, const char *path, const char *needle)
{
	const char	*body = body_of(s, path);

	if (strstr(body, needle) != NULL)
		return true;
	fprintf(stderr, "  \"%s\" not on %s:\n%s\n", needle, path, body);
	return false;
}

/* True if NEEDLE is not in the body of PATH, which must exist. */
static bool
page_lacks(const struct site *s, const char *path, const char *needle)
{
	const char	*body = body_of(s, path);

	if (body[0] != '(' && strstr(body, needle) == NULL)
		return true;
	fprintf(stderr, "  \"%s\" on %s:\n%s\n", needle, path, body);
	return false;
}

/* True if A comes before B in the body of PATH. */
static bool
page_order(const struct site *s, const char *path, const char *a,
    const char *b)
{
	const char	*body = body_of(s, path), *pa, *pb;

	pa = strstr(body, a);
	pb = strstr(body, b);
	return pa != NULL && pb != NULL && pa < pb;
}

/* A small forum: an index page and two articles. */
static void
make_forum(void)
{
	tmptree_put("index.gmi", "# Zeche\n\n=> f/ Forum\n");
	tmptree_mkdir("f");
	tmptree_put("f/index.gmi", "# Forum\n\nWillkommen.\n");
	tmptree_put("f/2024-01-15-erstes.gmi", "# Erstes Treffen\n\nText.\n");
	tmptree_put("f/2024-03-02-zweites.gmi", "# Zweites Treffen\n");
}

/* An index that ends in links to folders keeps them last. */
static void
test_article_list_before_navigation(void)
{
	struct site	*s;

	tmptree_new();
	make_forum();
	tmptree_put("f/index.gmi", "# Forum\n\nWillkommen.\n=> x.gmi Mehr\n\n"
	    "=> ../p/ Partner\n=> / Start\n\n");
	CHECK((s = load()) != NULL);
	CHECK_STR(body_of(s, "/f/"),
	    "# Forum\n\nWillkommen.\n=> x.gmi Mehr\n"
	    "\n## Beitr\xc3\xa4ge\n\n"
	    "=> 2024-03-02-zweites.gmi 2024-03-02 Zweites Treffen\n"
	    "=> 2024-01-15-erstes.gmi 2024-01-15 Erstes Treffen\n"
	    "\n=> atom.xml Atom-Feed\n"
	    "\n=> ../p/ Partner\n=> / Start\n\n");
	site_free(s);
	tmptree_rm();
}

/*
 * site_compact() drops every page's parsed lines, keeps its title, and
 * leaves the articles' titles (borrowed from their pages) valid.
 */
static void
test_compact_keeps_titles(void)
{
	struct site	*s;
	const struct page *pg;
	size_t		 i;
	bool		 lines = false;

	tmptree_new();
	make_forum();
	CHECK((s = load()) != NULL);
	if (s != NULL) {
		CHECK(site_compact(s) == 0);
		for (i = 0; i < s->npages; i++)
			if (s->pages[i]->doc.nlines > 0 ||
			    s->pages[i]->doc.lines != NULL)
				lines = true;
		CHECK(!lines);
		CHECK(s->nblogs == 1 && s->blogs[0].narticles == 2 &&
		    strcmp(s->blogs[0].articles[0].title,
		    "Zweites Treffen") == 0 &&
		    strcmp(s->blogs[0].articles[1].title,
		    "Erstes Treffen") == 0 &&
		    s->blogs[0].articles[0].title ==
		    s->blogs[0].articles[0].page->doc.title);
		pg = site_lookup(s, "/f/");
		CHECK(pg != NULL && pg->doc.title != NULL &&
		    strcmp(pg->doc.title, "Forum") == 0);
		/* the bytes served are those of before */
		CHECK_STR(body_of(s, "/f/"),
		    "# Forum\n\nWillkommen.\n"
		    "\n## Beitr\xc3\xa4ge\n\n"
		    "=> 2024-03-02-zweites.gmi 2024-03-02 Zweites Treffen\n"
		    "=> 2024-01-15-erstes.gmi 2024-01-15 Erstes Treffen\n"
		    "\n=> atom.xml Atom-Feed\n");
	}
	site_free(s);
	tmptree_rm();
}

static void
test_article_list_appended_newest_first(void)
{
	struct site	*s;

	tmptree_new();
	make_forum();
	CHECK((s = load()) != NULL);
	CHECK_STR(body_of(s, "/f/"),
	    "# Forum\n\nWillkommen.\n"
	    "\n## Beitr\xc3\xa4ge\n\n"
	    "=> 2024-03-02-zweites.gmi 2024-03-02 Zweites Treffen\n"
	    "=> 2024-01-15-erstes.gmi 2024-01-15 Erstes Treffen\n"
	    "\n=> atom.xml Atom-Feed\n");
	/* the root has no articles and gets no list */
	CHECK_STR(body_of(s, "/"), "# Zeche\n\n=> f/ Forum\n");
	if (s != NULL) {
		CHECK(s->nblogs == 1);
		CHECK(s->nblogs == 1 && strcmp(s->blogs[0].path, "/f/") == 0);
		CHECK(s->nblogs == 1 && s->blogs[0].narticles == 2 &&
		    strcmp(s->blogs[0].articles[0].date, "2024-03-02") == 0 &&
		    strcmp(s->blogs[0].articles[0].path,
		    "/f/2024-03-02-zweites.gmi") == 0 &&
		    s->blogs[0].articles[0].page == site_lookup(s,
		    "/f/2024-03-02-zweites.gmi"));
	}
	site_free(s);
	tmptree_rm();
}

static void
test_article_list_parsed_as_links(void)
{
	const struct page	*pg;
	struct site		*s;
	size_t			 i, links = 0;

	tmptree_new();
	make_forum();
	CHECK((s = load()) != NULL);
	if (s != NULL && (pg = site_lookup(s, "/f/")) != NULL) {
		CHECK(pg->is_gemtext);
		for (i = 0; i < pg->doc.nlines; i++)
			if (pg->doc.lines[i].type == GEMTEXT_LINK)
				links++;
		CHECK(links == 3);	/* two articles and the Atom feed */
		CHECK_STR(pg->doc.title, "Forum");
	} else
		CHECK(!"no page /f/");
	site_free(s);
	tmptree_rm();
}

static void
test_article_list_after_index_without_newline(void)
{
	struct site	*s;

	tmptree_new();
	tmptree_put("index.gmi", "# Blog\nZuletzt:");
	tmptree_put("2020-12-31-silvester.gmi", "# Silvester");
	CHECK((s = load()) != NULL);
	CHECK_STR(body_of(s, "/"), "# Blog\nZuletzt:\n\n## Beitr\xc3\xa4ge\n\n"
	    "=> 2020-12-31-silvester.gmi 2020-12-31 Silvester\n"
	    "\n=> atom.xml Atom-Feed\n");
	site_free(s);
	tmptree_rm();
}

static void
test_new_article_listed_at_next_load(void)
{
	struct site	*s;

	tmptree_new();
	make_forum();
	CHECK((s = load()) != NULL);
	CHECK(page_lacks(s, "/f/", "drittes"));
	site_free(s);

	tmptree_put("f/2024-02-10-drittes.gmi", "# Drittes Treffen\n");
	CHECK((s = load()) != NULL);
	CHECK(page_has(s, "/f/",
	    "=> 2024-02-10-drittes.gmi 2024-02-10 Drittes Treffen\n"));
	CHECK(page_order(s, "/f/", "2024-03-02", "2024-02-10"));
	CHECK(page_order(s, "/f/", "2024-02-10", "2024-01-15"));
	CHECK(site_lookup(s, "/f/2024-02-10-drittes.gmi") != NULL);
	site_free(s);
	tmptree_rm();
}

static void
test_same_day_articles_by_name(void)
{
	struct site	*s;

	tmptree_new();
	tmptree_put("index.gmi", "# I\n");
	tmptree_put("2024-05-01-b.gmi", "# B\n");
	tmptree_put("2024-05-01-a.gmi", "# A\n");
	tmptree_put("2024-05-02-c.gmi", "# C\n");
	CHECK((s = load()) != NULL);
	CHECK(page_order(s, "/", "2024-05-02-c.gmi", "2024-05-01-a.gmi"));
	CHECK(page_order(s, "/", "2024-05-01-a.gmi", "2024-05-01-b.gmi"));
	site_free(s);
	tmptree_rm();
}

static void
test_only_dated_gmi_files_are_articles(void)
{
	struct site	*s;

	tmptree_new();
	tmptree_put("index.gmi", "# I\n");
	/* none of these is an article, so none needs a title */
	tmptree_put("2024-13-01-monat.gmi", "kein Titel\n");
	tmptree_put("2024-01-32-tag.gmi", "kein Titel\n");
	tmptree_put("2024-01-01-.gmi", "kein Titel\n");
	tmptree_put("2024-01-01-notiz.txt", "kein Titel\n");
	tmptree_put("24-01-01-kurz.gmi", "kein Titel\n");
	tmptree_put("2023-02-29-kein-schaltjahr.gmi", "# K\n");
	tmptree_put("2024-04-31-april.gmi", "# A\n");
	CHECK((s = load()) != NULL);
	CHECK_STR(body_of(s, "/"), "# I\n");
	CHECK(s == NULL || s->nblogs == 0);
	/* each impossible date is a warning */
	CHECK(s != NULL && s->nwarnings == 4);
	site_free(s);
	tmptree_put("2024-02-29-schalttag.gmi", "# S\n");
	CHECK((s = load()) != NULL);
	CHECK(s != NULL && s->nblogs == 1);
	site_free(s);
	tmptree_rm();
}

static void
test_article_without_title_titled_by_name(void)
{
	struct site	*s;

	tmptree_new();
	make_forum();
	tmptree_put("f/2024-04-01-ohne-titel.gmi", "Nur Text.\n## Zwischen\n");
	CHECK((s = load()) != NULL);
	CHECK(page_has(s, "/f/",
	    "=> 2024-04-01-ohne-titel.gmi 2024-04-01 ohne titel\n"));
	CHECK(s != NULL && s->nwarnings == 1);
	site_free(s);
	tmptree_rm();
}

static void
test_unclosed_block_closed_at_the_end(void)
{
	struct site	*s;

	tmptree_new();
	make_forum();
	tmptree_put("f/offen.gmi", "# Offen\n\n```\ncode\n");
	tmptree_put("f/index.gmi", "# Forum\n```\nopen");
	CHECK((s = load()) != NULL);
	CHECK_STR(body_of(s, "/f/offen.gmi"), "# Offen\n\n```\ncode\n```\n");
	/* the list appended to the index is not preformatted */
	CHECK(page_has(s, "/f/", "# Forum\n```\nopen\n```\n\n## "));
	CHECK(s != NULL && s->nwarnings == 2);
	site_free(s);
	tmptree_rm();
}

static void
test_bad_gemtext_fails_with_line(void)
{
	tmptree_new();
	tmptree_put("index.gmi", "# I\nok\n=>\n");
	CHECK_STR(load_error(), want_error("/index.gmi",
	    ":3: link without a URL"));
	tmptree_rm();
}

static void
test_every_error_in_one_run(void)
{
	char	 want[1024];

	tmptree_new();
	tmptree_put("index.gmi", "# I\nok\n=>\n");
	tmptree_mkdir("f");
	tmptree_put("f/a.gmi", "# A\n\xff\n");
	tmptree_put("f/b.gmi", "# B\n");
	snprintf(want, sizeof(want), "%s/f/a.gmi:2: invalid UTF-8\n"
	    "%s/index.gmi:3: link without a URL", tmptree, tmptree);
	CHECK_STR(load_error(), want);
	tmptree_rm();
}

static void
test_page_limits_name_file_and_line(void)
{
	struct buf	 b = BUF_INIT;
	size_t		 i;

	tmptree_new();
	buf_adds(&b, "# Links\n");
	for (i = 0; i <= GEMTEXT_LINKS_MAX; i++)
		buf_adds(&b, "=> a\n");
	tmptree_put("index.gmi", b.data);
	CHECK_STR(load_error(), want_error("/index.gmi",
	    ":10002: the page has over 10000 links"));
	tmptree_rm();
	buf_free(&b);
}

static void
test_lookup(void)
{
	const struct page	*f;
	struct site		*s;

	tmptree_new();
	make_forum();
	CHECK((s = load()) != NULL);
	if (s == NULL) {
		tmptree_rm();
		return;
	}
	CHECK(site_lookup(s, "/") != NULL);
	CHECK(site_lookup(s, "/index.gmi") == site_lookup(s, "/"));
	CHECK((f = site_lookup(s, "/f/")) != NULL);
	CHECK(site_lookup(s, "/f/index.gmi") == f);
	CHECK(f != NULL && strcmp(f->path, "/f/") == 0);
	CHECK(site_lookup(s, "/f/2024-01-15-erstes.gmi") != NULL);
	CHECK(site_lookup(s, "/f/2024-01-15-erstes.gmi") != f);
	CHECK_STR(body_of(s, "/f/2024-01-15-erstes.gmi"),
	    "# Erstes Treffen\n\nText.\n");
	CHECK(site_lookup(s, "/f") == NULL);
	CHECK(site_lookup(s, "/nope.gmi") == NULL);
	CHECK(site_lookup(s, "/f/nope.gmi") == NULL);
	CHECK(site_lookup(s, "/f/2024-01-15-erstes") == NULL);
	CHECK(site_lookup(s, "/F/") == NULL);
	CHECK(site_lookup(s, "") == NULL);
	CHECK(site_is_folder(s, "/f"));
	CHECK(!site_is_folder(s, "/f/"));
	CHECK(!site_is_folder(s, "/nope"));
	CHECK(!site_is_folder(s, "/f/2024-01-15-erstes.gmi"));
	CHECK(!site_is_folder(s, ""));
	site_free(s);
	tmptree_rm();
}

static void
test_dot_files_not_served(void)
{
	struct site	*s;

	tmptree_new();
	make_forum();
	tmptree_put(".geheim.gmi", "# Geheim\n");
	tmptree_put("f/.htaccess", "deny\n");
	tmptree_mkdir(".git");
	tmptree_put(".git/config", "[core]\n");
	tmptree_mkdir("g");
	tmptree_put("g/.versteckt.txt", "x\n");
	CHECK((s = load()) != NULL);
	CHECK(site_lookup(s, "/.geheim.gmi") == NULL);
	CHECK(site_lookup(s, "/f/.htaccess") == NULL);
	CHECK(site_lookup(s, "/.git/") == NULL);
	CHECK(site_lookup(s, "/.git/config") == NULL);
	CHECK(!site_is_folder(s, "/.git"));
	CHECK(site_lookup(s, "/g/.versteckt.txt") == NULL);
	/* and the generated page does not list them */
	CHECK(page_lacks(s, "/g/", ".versteckt"));
	site_free(s);
	tmptree_rm();
}

static void
test_symlinks_inside_served(void)
{
	const struct page	*pg;
	struct site		*s;

	tmptree_new();
	make_forum();
	link_to("index.gmi", "kopie.gmi");
	link_to("/etc/passwd", "f/passwd.txt");
	link_to("../../../../../../../etc/passwd", "f/hoch.txt");
	link_to("/etc", "etc");
	link_to("f", "forum");
	link_to("nirgends.gmi", "tot.gmi");
	link_to("schleife.gmi", "schleife.gmi");
	tmptree_put(".geheim.txt", "geheim\n");
	link_to(".geheim.txt", "f/geheim.txt");
	tmptree_mkdir("g");
	link_to("../index.gmi", "g/index.gmi");
	link_to("../f/2024-01-15-erstes.gmi", "g/erstes.gmi");
	link_to("../forum/2024-03-02-zweites.gmi", "g/zweites.gmi");
	CHECK((s = load()) != NULL);
	CHECK_STR(body_of(s, "/kopie.gmi"), "# Zeche\n\n=> f/ Forum\n");
	CHECK_STR(body_of(s, "/g/erstes.gmi"), "# Erstes Treffen\n\nText.\n");
	/* a link to a link to a folder, then a file */
	CHECK_STR(body_of(s, "/g/zweites.gmi"), "# Zweites Treffen\n");
	CHECK(site_lookup(s, "/f/passwd.txt") == NULL);
	CHECK(site_lookup(s, "/f/hoch.txt") == NULL);
	CHECK(site_lookup(s, "/f/geheim.txt") == NULL);
	CHECK(site_lookup(s, "/etc/") == NULL);
	CHECK(site_lookup(s, "/etc/passwd") == NULL);
	CHECK(!site_is_folder(s, "/etc"));
	CHECK(site_lookup(s, "/forum/") == NULL);
	CHECK(site_lookup(s, "/forum/2024-01-15-erstes.gmi") == NULL);
	CHECK(site_lookup(s, "/tot.gmi") == NULL);
	CHECK(site_lookup(s, "/schleife.gmi") == NULL);
	/* a linked index.gmi is the folder's page */
	CHECK(page_has(s, "/g/", "# Zeche\n"));
	CHECK((pg = site_lookup(s, "/g/erstes.gmi")) != NULL &&
	    pg->is_gemtext && pg->file == NULL);
	site_free(s);
	tmptree_rm();
}

/* A FIFO never blocks a load: at load, or swapped in for a file. */
static void
test_fifo_never_blocks(void)
{
	struct buf	 b = BUF_INIT;
	struct site	*s;
	const char	*errstr = NULL;
	char		 path[512];
	long long	 len;
	int		 rootfd;

	tmptree_new();
	make_forum();
	snprintf(path, sizeof(path), "%s/f/rohr.gmi", tmptree);
	if (mkfifo(path, 0644) == -1) {
		perror(path);
		exit(2);
	}
	alarm(20);		/* the old code blocked here forever */
	CHECK((s = load()) != NULL);
	CHECK(site_lookup(s, "/f/rohr.gmi") == NULL);
	CHECK(s != NULL && s->nwarnings == 1);
	site_free(s);
	rootfd = open(tmptree, O_RDONLY | O_DIRECTORY);
	CHECK(rootfs_open(rootfd, "f/rohr.gmi", true, NULL, &len,
	    &errstr) == -1);
	CHECK_STR(errstr, "not a regular file");
	CHECK(file_read(rootfd, "f/rohr.gmi", FILE_NOFOLLOW, 1024, &b,
	    &errstr) == -1);
	CHECK_STR(errstr, "not a regular file");
	alarm(0);
	close(rootfd);
	buf_free(&b);
	tmptree_rm();
}

static void
test_any_utf8_name_served(void)
{
	struct site	*s;

	tmptree_new();
	make_forum();
	tmptree_put("f/mit leerzeichen.gmi", "# Leer\n");
	tmptree_put("\xc3\x9c" "bersicht?.gmi", "# \xc3\x9c\n");
	tmptree_mkdir("a b");
	tmptree_put("a b/c#d.txt", "x\n");
	tmptree_put("kaputt\xff.gmi", "# K\n");
	tmptree_put("zeile\numbruch.gmi", "# Z\n");
	CHECK((s = load()) != NULL);
	CHECK(site_lookup(s, "/f/mit leerzeichen.gmi") != NULL);
	CHECK(site_lookup(s, "/\xc3\x9c" "bersicht?.gmi") != NULL);
	CHECK(site_lookup(s, "/a b/c#d.txt") != NULL);
	CHECK(page_has(s, "/a b/", "=> c%23d.txt c#d.txt\n"));
	CHECK(site_lookup(s, "/kaputt\xff.gmi") == NULL);
	CHECK(site_lookup(s, "/zeile\numbruch.gmi") == NULL);
	CHECK(s != NULL && s->nwarnings == 2);
	site_free(s);

	/* a generated list percent-encodes what a link cannot hold */
	tmptree_put("index.gmi", "# I\n");
	tmptree_mkdir("g");
	tmptree_put("g/Gr\xc3\xbc\xc3\x9f" "e aus K\xc3\xb6ln.gmi", "# Gr\n");
	tmptree_put("g/2025-06-01-mein erster.gmi", "# Erster\n");
	CHECK((s = load()) != NULL);
	CHECK(page_has(s, "/g/", "=> Gr%C3%BC%C3%9Fe%20aus%20K%C3%B6ln.gmi "
	    "Gr\n"));
	CHECK(page_has(s, "/g/", "=> 2025-06-01-mein%20erster.gmi 2025-06-01 "
	    "Erster\n"));
	site_free(s);
	tmptree_rm();
}

static void
test_folder_without_index_gets_generated_page(void)
{
	const struct page	*pg;
	struct site		*s;

	tmptree_new();
	make_forum();
	tmptree_mkdir("g");
	tmptree_put("g/b.txt", "Notiz\n");
	tmptree_put("g/a.gmi", "Text\n# Alpha\n");
	tmptree_put("g/c.gmi", "ohne Titel\n");
	tmptree_mkdir("g/sub");
	tmptree_mkdir("leer");
	CHECK((s = load()) != NULL);
	CHECK((pg = site_lookup(s, "/g/")) != NULL);
	CHECK(pg != NULL && pg->is_gemtext);
	/* titled by the folder's name, not its path */
	CHECK(pg != NULL && strcmp(pg->doc.title, "G") == 0);
	CHECK_STR(body_of(s, "/g/"),
	    "# G\n\n"
	    "=> a.gmi Alpha\n"
	    "=> b.txt b.txt\n"
	    "=> c.gmi c.gmi\n"
	    "=> sub/ sub/\n"
	    "\n=> ../ Eine Ebene h\xc3\xb6her\n"	/* navigation: last */
	    "=> /seiten/ Seitenverzeichnis\n");
	CHECK_STR(body_of(s, "/g/sub/"),
	    "# Sub\n\n=> ../ Eine Ebene h\xc3\xb6her\n"
	    "=> / Startseite\n" "=> /seiten/ Seitenverzeichnis\n");
	CHECK(site_lookup(s, "/leer/") != NULL);
	CHECK(site_is_folder(s, "/g/sub"));
	/* the root has an index.gmi, so it lists nothing by itself */
	CHECK(page_lacks(s, "/", "=> leer/"));
	site_free(s);
	tmptree_rm();
}

static void
test_root_without_index(void)
{
	struct site	*s;

	tmptree_new();
	tmptree_put("a.txt", "a\n");
	CHECK((s = load()) != NULL);
	/* the home page: titled by the host's name */
	CHECK_STR(body_of(s, "/"), "# localhost\n\n=> a.txt a.txt\n"
	    "\n" "=> /seiten/ Seitenverzeichnis\n"
	    "=> /suche Diese Kapsel durchsuchen\n");
	site_free(s);
	tmptree_rm();
}

static void
test_articles_listed_on_generated_page(void)
{
	struct site	*s;

	tmptree_new();
	tmptree_mkdir("blog");
	tmptree_put("blog/2023-06-01-sommer.gmi", "# Sommer\n");
	tmptree_put("blog/old-travel_notes.gmi", "# Notes\n");
	CHECK((s = load()) != NULL);
	/* each file once: a post in the post list, the rest above it */
	CHECK_STR(body_of(s, "/blog/"), "# Blog\n\n"
	    "=> old-travel_notes.gmi Notes\n\n"
	    "## Beitr\xc3\xa4ge\n\n"
	    "=> 2023-06-01-sommer.gmi 2023-06-01 Sommer\n\n"
	    "=> atom.xml Atom-Feed\n\n"
	    "=> ../ Eine Ebene h\xc3\xb6her\n"
	    "=> /seiten/ Seitenverzeichnis\n");
	site_free(s);

	/* "posts off": the posts among the files, the feed link stays */
	s = load_posts("/blog/", false);
	CHECK_STR(body_of(s, "/blog/"), "# Blog\n\n"
	    "=> 2023-06-01-sommer.gmi Sommer\n"
	    "=> old-travel_notes.gmi Notes\n\n"
	    "=> atom.xml Atom-Feed\n\n"
	    "=> ../ Eine Ebene h\xc3\xb6her\n"
	    "=> /seiten/ Seitenverzeichnis\n");
	CHECK(site_lookup(s, "/blog/atom.xml") != NULL);
	site_free(s);
	tmptree_rm();
}

static void
test_gemtext_headers_and_gopher_menu(void)
{
	static const char	*const paths[] = {
		"/", "/f/", "/g/",
	};
	const struct page	*pg;
	struct site		*s;
	size_t			 i;

	tmptree_new();
	make_forum();
	tmptree_mkdir("g");
	CHECK((s = load()) != NULL);
	for (i = 0; i < sizeof(paths) / sizeof(paths[0]); i++) {
		if ((pg = site_lookup(s, paths[i])) == NULL) {
			CHECK(!"page missing");
			continue;
		}
		CHECK_STR(pg->out[PROTO_GEMINI].head, "20 text/gemini; lang=de\r\n");
		CHECK(pg->out[PROTO_GEMINI].head_len == strlen(pg->out[PROTO_GEMINI].head));
		CHECK(pg->out[PROTO_GOPHER].data != NULL);
		CHECK(pg->out[PROTO_GOPHER].data != NULL && pg->out[PROTO_GOPHER].len >= 3 &&
		    strlen(pg->out[PROTO_GOPHER].data) == pg->out[PROTO_GOPHER].len &&
		    strcmp(pg->out[PROTO_GOPHER].data + pg->out[PROTO_GOPHER].len - 3, ".\r\n") == 0);
		CHECK(pg->gopher_type == '1');
	}
	/* an article is a type 0 text over Gopher: no closing "." */
	pg = site_lookup(s, "/f/2024-01-15-erstes.gmi");
	CHECK(pg != NULL && pg->gopher_type == '0');
	CHECK(pg != NULL && pg->out[PROTO_GOPHER].data != NULL &&
	    memchr(pg->out[PROTO_GOPHER].data, '\t',
	    pg->out[PROTO_GOPHER].len) == NULL);
	/* the menu links the articles on this host and Gopher port */
	pg = site_lookup(s, "/f/");
	CHECK(pg != NULL && pg->out[PROTO_GOPHER].data != NULL && strstr(pg->out[PROTO_GOPHER].data,
	    "/f/2024-03-02-zweites.gmi\tlocalhost\t70\r\n") != NULL);
	site_free(s);
	tmptree_rm();
}

static void
test_text_file_sent_as_is(void)
{
	static const char	 text[] = "Zeile 1\r\nZeile \xc3\xbc\n";
	const struct page	*pg;
	struct site		*s;

	tmptree_new();
	make_forum();
	tmptree_put("f/notiz.txt", text);
	tmptree_put("f/bild.png", "\x89PNG");
	CHECK((s = load()) != NULL);
	CHECK((pg = site_lookup(s, "/f/notiz.txt")) != NULL);
	if (pg != NULL) {
		CHECK_STR(pg->out[PROTO_GEMINI].head, "20 text/plain; charset=utf-8\r\n");
		CHECK(pg->out[PROTO_GEMINI].head_len == strlen(pg->out[PROTO_GEMINI].head));
		CHECK(pg->out[PROTO_GOPHER].data == NULL);
		CHECK(!pg->is_gemtext);
		CHECK(pg->gopher_type == '0');
		CHECK(pg->body_len == sizeof(text) - 1 &&
		    memcmp(pg->body, text, pg->body_len) == 0);
	}
	CHECK((pg = site_lookup(s, "/f/bild.png")) != NULL);
	if (pg != NULL) {
		CHECK_STR(pg->out[PROTO_GEMINI].head, "20 image/png\r\n");
		CHECK(pg->out[PROTO_GOPHER].data == NULL);
		CHECK(pg->gopher_type == 'I');
	}
	site_free(s);
	tmptree_rm();
}

static void
test_missing_root_fails(void)
{
	struct site	*s;

	tmptree_new();
	tmptree_rm();
	err[0] = '\0';
	s = load_site(tmptree, &opts, err, sizeof(err));
	CHECK(s == NULL);
	CHECK(strncmp(err, tmptree, strlen(tmptree)) == 0);
	site_free(s);
}

static void
test_messages_without_double_slash(void)
{
	char		 slashed[80];
	struct site	*s;

	tmptree_new();
	tmptree_put("index.gmi", "=>\n");
	snprintf(slashed, sizeof(slashed), "%s//", tmptree);
	err[0] = '\0';
	s = load_site(slashed, &opts, err, sizeof(err));
	CHECK(s == NULL);
	CHECK_STR(err, want_error("/index.gmi", ":1: link without a URL"));
	site_free(s);
	tmptree_rm();
}

/* The site keeps owned copies of its options. */
static void
test_site_keeps_options(void)
{
	struct site	*s;

	tmptree_new();
	make_forum();
	CHECK((s = load()) != NULL);
	if (s != NULL) {
		CHECK_STR(s->host, "localhost");
		CHECK_STR(s->port[PROTO_GOPHER], "70");
	}
	site_free(s);
	tmptree_rm();
}

static void
test_own_files_win_with_two_post_folders(void)
{
	const struct page	*pg;
	struct site		*s;

	tmptree_new();
	make_forum();
	tmptree_mkdir("notes");
	tmptree_put("notes/2025-06-01-old.gmi", "# Old\n");
	tmptree_put("robots.txt", "User-agent: *\nDisallow: /notes/\n");
	tmptree_put("f/atom.xml", "<?xml version=\"1.0\"?>\n<!-- own -->\n"
	    "<feed xmlns=\"http://www.w3.org/2005/Atom\"><title>Own</title>"
	    "</feed>\n");
	CHECK((s = load()) != NULL);
	CHECK_STR(body_of(s, "/robots.txt"),
	    "User-agent: *\nDisallow: /notes/\n");
	CHECK(page_has(s, "/f/atom.xml", "<title>Own</title>"));
	CHECK((pg = site_lookup(s, "/f/atom.xml")) != NULL &&
	    strcmp(pg->mime, "application/atom+xml") == 0 && !pg->generated);
	CHECK(page_has(s, "/notes/atom.xml", "notes/2025-06-01-old.gmi"));
	CHECK(s != NULL && s->nblogs == 2);
	site_free(s);
	tmptree_rm();
}

static void
test_index_linking_posts_not_listed_again(void)
{
	struct site	*s;

	tmptree_new();
	make_forum();
	tmptree_put("f/index.gmi", "# Forum\n\n"
	    "=> 2024-01-15-erstes.gmi The first\n=> atom.xml Feed\n");
	CHECK((s = load()) != NULL);
	/* it lists posts by hand: left as written, a new one is not added */
	CHECK_STR(body_of(s, "/f/"), "# Forum\n\n"
	    "=> 2024-01-15-erstes.gmi The first\n=> atom.xml Feed\n");
	CHECK(s != NULL && s->nwarnings == 1);
	site_free(s);
	/* ... nor its closing links moved */
	tmptree_put("f/index.gmi", "# Forum\n\n"
	    "=> 2024-01-15-erstes.gmi The first\n=> / Home\n");
	CHECK((s = load()) != NULL);
	CHECK_STR(body_of(s, "/f/"), "# Forum\n\n"
	    "=> 2024-01-15-erstes.gmi The first\n=> / Home\n");
	site_free(s);
	tmptree_put("f/index.gmi", "# Forum\n\n"
	    "=> 2024-01-15-erstes.gmi The first\n=> atom.xml Feed\n");
	/* "posts on" for the folder: only the post the index does not
	   link, and no second feed link */
	s = load_posts("/f/", true);
	CHECK_STR(body_of(s, "/f/"), "# Forum\n\n"
	    "=> 2024-01-15-erstes.gmi The first\n=> atom.xml Feed\n\n"
	    "## Beitr\xc3\xa4ge\n\n"
	    "=> 2024-03-02-zweites.gmi 2024-03-02 Zweites Treffen\n");
	site_free(s);

	tmptree_put("f/index.gmi", "# Forum\n\n"
	    "=> /f/2024-03-02-zweites.gmi Two\n"
	    "=> gemini://localhost/f/2024-01-15-erstes.gmi One\n");
	/* every post linked: the feed link only with "posts on" */
	CHECK((s = load()) != NULL);
	CHECK(page_lacks(s, "/f/", "## "));
	CHECK(page_lacks(s, "/f/", "=> atom.xml "));
	CHECK(s != NULL && s->nwarnings == 0);
	site_free(s);
	s = load_posts("/f/", true);
	CHECK(page_lacks(s, "/f/", "## "));
	CHECK(page_has(s, "/f/", "=> atom.xml "));
	site_free(s);
	/* an index that links no post gets the list, as before */
	tmptree_put("f/index.gmi", "# Forum\n\nWelcome.\n");
	CHECK((s = load()) != NULL);
	CHECK(page_has(s, "/f/", "Welcome.\n\n## Beitr\xc3\xa4ge\n\n"
	    "=> 2024-03-02-zweites.gmi 2024-03-02 Zweites Treffen\n"));
	site_free(s);
	/* "posts off": an index is left as written */
	s = load_posts("/f/", false);
	CHECK_STR(body_of(s, "/f/"), "# Forum\n\nWelcome.\n");
	site_free(s);
	tmptree_rm();
}

static void
test_types_and_charset(void)
{
	const struct page	*pg;
	struct site		*s;

	tmptree_new();
	tmptree_put("index.gmi", "\xef\xbb\xbf# I\n");
	tmptree_put("a.txt", "gr\xc3\xbc\xc3\x9f" "e\n");
	tmptree_put("b.txt", "caf\xe9\n");
	tmptree_put("c.json", "{}\n");
	tmptree_put("d.xml", "<rss version=\"2.0\"></rss>\n");
	tmptree_put("e.xml", "<html/>\n");
	tmptree_put("f.opus", "x");
	tmptree_put("g.webm", "x");
	tmptree_put("h.gemini", "# H\n");
	tmptree_mkdir("i");
	tmptree_put("i/index.gemini", "# I2\n");
	CHECK((s = load()) != NULL);
	CHECK_STR(body_of(s, "/"), "# I\n");
	CHECK((pg = site_lookup(s, "/a.txt")) && strcmp(pg->mime,
	    "text/plain; charset=utf-8") == 0);
	CHECK((pg = site_lookup(s, "/b.txt")) && strcmp(pg->mime,
	    "text/plain") == 0);
	CHECK((pg = site_lookup(s, "/c.json")) && strcmp(pg->mime,
	    "application/json") == 0);
	CHECK((pg = site_lookup(s, "/d.xml")) && strcmp(pg->mime,
	    "application/rss+xml") == 0);
	CHECK((pg = site_lookup(s, "/e.xml")) && strcmp(pg->mime,
	    "application/xml") == 0);
	CHECK((pg = site_lookup(s, "/f.opus")) && pg->gopher_type == 's');
	CHECK((pg = site_lookup(s, "/g.webm")) && strcmp(pg->mime,
	    "video/webm") == 0);
	CHECK((pg = site_lookup(s, "/h.gemini")) && pg->is_gemtext);
	CHECK(page_has(s, "/i/", "# I2\n"));
	CHECK(site_lookup(s, "/i/index.gemini") == site_lookup(s, "/i/"));
	site_free(s);
	tmptree_rm();
}

/* Large files stay on disk and are opened when asked for. */
static void
test_large_file_from_disk(void)
{
	const struct page	*pg;
	struct site		*s;
	struct buf		 big = BUF_INIT;
	struct rlimit		 rl, lim;
	long long		 len = 0;
	char			 why[256], gone[512];
	int			 fd;

	tmptree_new();
	tmptree_put("index.gmi", "# I\n");
	while (big.len <= CAPSULE_MEM_FILE_MAX)
		buf_adds(&big, "0123456789abcdef");
	tmptree_put("big.txt", big.data);
	CHECK((s = load()) != NULL);
	CHECK((pg = site_lookup(s, "/big.txt")) != NULL);
	if (pg != NULL) {
		CHECK(pg->body == NULL);
		CHECK_STR(pg->file, "big.txt");
		CHECK_STR(pg->mime, "text/plain; charset=utf-8");
		CHECK((fd = site_open_file(s, pg, &len, why,
		    sizeof(why))) >= 0);
		CHECK(len == (long long)big.len);
		if (fd >= 0)
			close(fd);
		/*
		 * Out of descriptors: the file is there, the server cannot
		 * open it now (a temporary failure, not "gone").
		 */
		CHECK(getrlimit(RLIMIT_NOFILE, &rl) == 0);
		if ((fd = dup(0)) != -1) {
			lim = rl;
			lim.rlim_cur = (rlim_t)fd;	/* the lowest free one */
			close(fd);
			CHECK(setrlimit(RLIMIT_NOFILE, &lim) == 0);
			fd = site_open_file(s, pg, &len, why, sizeof(why));
			CHECK(setrlimit(RLIMIT_NOFILE, &rl) == 0);
			CHECK(fd == SITE_OPEN_LATER);
			CHECK(strstr(why, "big.txt") != NULL &&
			    strstr(why, strerror(EMFILE)) != NULL);
			if (fd >= 0)
				close(fd);
		}
		/* gone since the load: not found */
		snprintf(gone, sizeof(gone), "%s/big.txt", tmptree);
		CHECK(unlink(gone) == 0);
		CHECK(site_open_file(s, pg, &len, why, sizeof(why)) ==
		    SITE_OPEN_GONE);
		CHECK(strstr(why, "gone since the load") != NULL);
	}
	site_free(s);
	tmptree_rm();
	buf_free(&big);
}

/*
 * A capsule file wins over a generated partner page of its path: over
 * a group's first page, which the site holds, and over a list page
 * that route() sends to be rendered on request.
 */
static void
test_own_file_wins_over_partner_page(void)
{
	struct buf	 list = BUF_INIT;
	struct site	*s;
	struct route	 r;
	size_t		 i;

	tmptree_new();
	tmptree_put("index.gmi", "# I\n");
	tmptree_mkdir("p");
	for (i = 0; i < 45; i++)
		buf_addf(&list, "Partner %02zu\n", i);
	tmptree_put("p/partners.txt", list.data);
	CHECK((s = load()) != NULL);
	CHECK(site_lookup(s, "/p/seite-2.gmi") == NULL);
	CHECK(route(s, "/p/seite-2.gmi", NULL, &r) == ROUTE_SECTION &&
	    r.req.op == SECTION_LIST && r.req.list == -1 && r.req.page == 2);
	CHECK(site_lookup(s, "/p/a-e/") != NULL &&
	    site_lookup(s, "/p/a-e/")->generated);
	site_free(s);
	tmptree_put("p/seite-2.gmi", "# Mine\n");
	tmptree_mkdir("p/a-e");
	tmptree_put("p/a-e/index.gmi", "# Meins\n");
	CHECK((s = load()) != NULL);
	CHECK(route(s, "/p/seite-2.gmi", NULL, &r) == ROUTE_PAGE);
	CHECK_STR(body_of(s, "/p/seite-2.gmi"), "# Mine\n");
	CHECK_STR(body_of(s, "/p/a-e/"), "# Meins\n");
	site_free(s);
	tmptree_rm();
	buf_free(&list);
}

/* Text on disk gets a charset only if all of it is UTF-8. */
static void
test_large_text_charset(void)
{
	const struct page	*pg;
	struct site		*s;
	struct buf		 big = BUF_INIT;

	tmptree_new();
	tmptree_put("index.gmi", "# I\n");
	/* a two-byte sequence across every 64 KiB read */
	while (big.len <= CAPSULE_MEM_FILE_MAX)
		buf_adds(&big, "gr\xc3\xbc\xc3\x9f" "e ");
	tmptree_put("utf8.txt", big.data);
	buf_adds(&big, "caf\xe9");
	tmptree_put("latin1.txt", big.data);
	CHECK((s = load()) != NULL);
	CHECK((pg = site_lookup(s, "/utf8.txt")) != NULL && pg->file != NULL &&
	    strcmp(pg->mime, "text/plain; charset=utf-8") == 0);
	CHECK((pg = site_lookup(s, "/latin1.txt")) != NULL &&
	    pg->file != NULL && strcmp(pg->mime, "text/plain") == 0);
	site_free(s);
	tmptree_rm();
	buf_free(&big);
}

/* The loader reads and parses; rendering is the next stage, not its own. */
static void
test_load_does_not_render(void)
{
	struct site	*s;
	struct page	*pg;

	tmptree_new();
	make_forum();
	CHECK((s = capsule_load(tmptree, &opts, err, sizeof(err))) != NULL);
	pg = s != NULL ? site_lookup(s, "/f/") : NULL;
	CHECK(pg != NULL && pg->is_gemtext);
	CHECK(pg != NULL && pg->out[PROTO_GEMINI].head == NULL &&
	    pg->out[PROTO_GOPHER].data == NULL);
	CHECK(s != NULL && render_site(s) == 0);
	CHECK(pg != NULL && pg->out[PROTO_GEMINI].head != NULL &&
	    pg->out[PROTO_GOPHER].data != NULL);
	site_free(s);
	tmptree_rm();
}

int
main(void)
{
	test_load_does_not_render();
	test_article_list_appended_newest_first();
	test_compact_keeps_titles();
	test_article_list_before_navigation();
	test_article_list_parsed_as_links();
	test_article_list_after_index_without_newline();
	test_new_article_listed_at_next_load();
	test_same_day_articles_by_name();
	test_only_dated_gmi_files_are_articles();
	test_article_without_title_titled_by_name();
	test_unclosed_block_closed_at_the_end();
	test_bad_gemtext_fails_with_line();
	test_every_error_in_one_run();
	test_page_limits_name_file_and_line();
	test_lookup();
	test_dot_files_not_served();
	test_symlinks_inside_served();
	test_fifo_never_blocks();
	test_any_utf8_name_served();
	test_folder_without_index_gets_generated_page();
	test_root_without_index();
	test_articles_listed_on_generated_page();
	test_gemtext_headers_and_gopher_menu();
	test_text_file_sent_as_is();
	test_missing_root_fails();
	test_messages_without_double_slash();
	test_site_keeps_options();
	test_own_files_win_with_two_post_folders();
	test_index_linking_posts_not_listed_again();
	test_types_and_charset();
	test_large_file_from_disk();
	test_own_file_wins_over_partner_page();
	test_large_text_charset();
	CHECK_DONE();
}
