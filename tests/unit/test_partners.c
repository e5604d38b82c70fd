/*
 * test_partners: the partner directory (src/partners.c).
 *
 * Run from tests/ (ctest does).  With a file argument it only loads that
 * file, renders the pages held in memory and times searches in process:
 *
 *	tests/gen-partners.sh 100000 > /tmp/p.txt && test_partners /tmp/p.txt
 */
#include <fcntl.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "buf.h"
#include "check.h"
#include "file.h"
#include "msg.h"
#include "partners.h"
#include "section.h"

#define BASE	"/partner/"
#define NELEM(a)	(sizeof(a) / sizeof((a)[0]))

/* The tests read the German labels, as the shipped capsule has them. */
static struct partners *
load_de(const char *src, size_t len, const char *base, const char **errstr,
    size_t *lineno)
{
	struct partners	*ps;

	if ((ps = partners_load(src, len, base, errstr, lineno)) != NULL)
		partners_set_msg(ps, msg_table("de"));
	return ps;
}

static struct partners *
load(const char *s, const char **errstr, size_t *lineno)
{
	return load_de(s, strlen(s), BASE, errstr, lineno);
}

static struct partners *
load_file(const char *path)
{
	struct buf	 b = BUF_INIT;
	struct partners	*ps;
	const char	*errstr = NULL;
	size_t		 lineno = 0;

	if (file_read(AT_FDCWD, path, 0, 64 << 20, &b, &errstr) == -1) {
		fprintf(stderr, "%s: %s\n", path, errstr);
		return NULL;
	}
	if ((ps = load_de(b.data, b.len, BASE, &errstr,
	    &lineno)) == NULL)
		fprintf(stderr, "%s:%zu: %s\n", path, lineno, errstr);
	buf_free(&b);
	return ps;
}

/* True if PS lists exactly the names WANT, in that order. */
static bool
has_order(const struct partners *ps, const char *const *want, size_t n)
{
	size_t	 i;
	bool	 ok = partners_count(ps) == n;

	for (i = 0; i < n && i < partners_count(ps); i++)
		if (strcmp(partners_name(ps, i), want[i]) != 0)
			ok = false;
	if (!ok) {
		fprintf(stderr, "  order got:\n");
		for (i = 0; i < partners_count(ps); i++)
			fprintf(stderr, "    %s\n", partners_name(ps, i));
	}
	return ok;
}

/* Load S (names, one a line) and check the order WANT. */
static bool
sorts_as(const char *s, const char *const *want, size_t n)
{
	struct partners	*ps;
	const char	*errstr = NULL;
	size_t		 lineno;
	bool		 ok;

	if ((ps = load(s, &errstr, &lineno)) == NULL) {
		fprintf(stderr, "  load: %zu: %s\n", lineno, errstr);
		return false;
	}
	ok = has_order(ps, want, n);
	partners_free(ps);
	return ok;
}

/* The load error for S: its message and line, or "ok". */
static const char *
load_error(const char *s, size_t *lineno)
{
	struct partners	*ps;
	const char	*errstr = NULL;

	*lineno = 0;
	if ((ps = load(s, &errstr, lineno)) != NULL) {
		partners_free(ps);
		return "ok";
	}
	return errstr;
}

static const struct section_page *
find_page(const struct section_page *pages, size_t n, const char *path)
{
	size_t	 i;

	for (i = 0; i < n; i++)
		if (strcmp(pages[i].path, path) == 0)
			return &pages[i];
	return NULL;
}

static bool
page_has(const struct section_page *pg, const char *needle)
{
	if (pg == NULL)
		return false;
	if (strstr(pg->text, needle) == NULL) {
		fprintf(stderr, "  \"%s\" not on %s:\n%s\n", needle, pg->path,
		    pg->text);
		return false;
	}
	return true;
}

static size_t
count_str(const char *hay, const char *needle)
{
	size_t	 n = 0;

	while ((hay = strstr(hay, needle)) != NULL) {
		n++;
		hay += strlen(needle);
	}
	return n;
}

/*
 * N synthetic names "<L>-Bäckerei <i>": the initial cycles through the
 * letters and, every ninth, digits.  Returns the file; COUNTS gets the
 * expected group sizes.
 */
static char *
make_names(size_t n, size_t counts[PARTNERS_NGROUPS])
{
	static const char	 letters[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ";
	struct buf		 b = BUF_INIT;
	size_t			 i;
	char			 c;

	memset(counts, 0, PARTNERS_NGROUPS * sizeof(counts[0]));
	for (i = 0; i < n; i++) {
		if (i % 9 == 8) {
			c = (char)('0' + i % 10);
			counts[0]++;
		} else {
			c = letters[i % 26];
			counts[c >= 'U' ? 5 : 1 + (c - 'A') / 5]++;
		}
		buf_addf(&b, "%c-Bäckerei %04zu", c, i);
		if (i % 3 == 0)
			buf_addf(&b, "\thttps://b%zu.example/", i);
		buf_addc(&b, '\n');
	}
	buf_add(&b, "", 0);	/* buf_take() of an empty buf: no NUL */
	return buf_take(&b, NULL);
}

static bool
is_address(const char *p)
{
	return strspn(p, "abcdefghijklmnopqrstuvwxyz0123456789._/-") ==
	    strlen(p);
}

/*
 * Every page's address is made of safe characters and every link below
 * BASE leads to a page or to the search.
 */
static bool
links_resolve(const struct section_page *pages, size_t n)
{
	const char	*l, *e;
	char		 target[256];
	size_t		 i, len;
	bool		 ok = true;

	for (i = 0; i < n; i++) {
		if (!is_address(pages[i].path)) {
			fprintf(stderr, "  bad address %s\n", pages[i].path);
			ok = false;
		}
		for (l = pages[i].text; (l = strstr(l, "=> " BASE)) != NULL;
		    l = e) {
			l += 3;
			e = l + strcspn(l, " \n");
			len = (size_t)(e - l);
			if (len >= sizeof(target))
				return false;
			memcpy(target, l, len);
			target[len] = '\0';
			if (strcmp(target, BASE "suche") == 0)
				continue;
			if (find_page(pages, n, target) == NULL) {
				fprintf(stderr, "  %s: dead link %s\n",
				    pages[i].path, target);
				ok = false;
			}
		}
	}
	return ok;
}

static void
test_seed_collation(void)
{
	static const char *const want[] = {
		"GFOS mbH",
		"Handwerkskammer Bildungszentrum Münster",
		"Hundertmark Verkehrssicherungsanlagen GmbH",
		"Industrie- und Handelskammer zu Dortmund",
		"KRANKIKOM Alexander Kranki Kommunikation GmbH",
		"NRW.International GmbH",
		"Ruhr-Universität Bochum",
		("Stiftung und Verein Westfalen-Initiative für "
		    "Eigenverantwortung und Gemeinwohl"),
		"Südwestfälische Industrie- und Handelskammer zu Hagen",
	};
	struct partners			*ps;
	struct section_page		*pages = NULL;
	const struct section_page	*pg;
	const char			*errstr;
	size_t				 n = 0;

	if ((ps = load_file("data/partners/seed.txt")) == NULL) {
		CHECK(!"seed.txt loads");
		return;
	}
	/* the Stiftung is in the file twice, listed once */
	CHECK(has_order(ps, want, NELEM(want)));
	CHECK_STR(partners_url(ps, 6), "https://www.ruhr-uni-bochum.de/");
	CHECK(partners_url(ps, 0) == NULL);
	CHECK(partners_group_count(ps, 0) == 0);
	CHECK(partners_group_count(ps, 1) == 0);
	CHECK(partners_group_count(ps, 2) == 4);
	CHECK(partners_group_count(ps, 3) == 2);
	CHECK(partners_group_count(ps, 4) == 3);
	CHECK(partners_group_count(ps, 5) == 0);

	CHECK(partners_render(ps, true, &pages, &n, &errstr) == 0);
	CHECK(n == 7);		/* overview + one page per group */
	CHECK_STR(pages[0].path, BASE);
	pg = find_page(pages, n, BASE);
	CHECK(pg != NULL && strncmp(pg->text, "# ", 2) == 0);
	CHECK(page_has(pg, "\n9 Partner\n"));
	CHECK(pg != NULL && strstr(pg->text, "Treffer") == NULL);
	CHECK(page_has(pg, "\n=> /partner/f-j/ F-J (4)\n"));
	/* an empty group: text, nothing to follow */
	CHECK(page_has(pg, "\nA-E (0)\n"));
	CHECK(pg != NULL && strstr(pg->text, "a-e/") == NULL);
	CHECK(pg != NULL && strstr(pg->text, "0-9/") == NULL);
	CHECK(page_has(pg, "\n=> /partner/suche "));
	CHECK(pg != NULL && strstr(pg->text, "Seite 1 von") == NULL);
	/* one partner, one list item */
	CHECK(page_has(pg, "\n* GFOS mbH\n* Handwerkskammer Bildungszentrum "
	    "Münster\n"));
	CHECK(page_has(pg, "\n=> https://www.ruhr-uni-bochum.de/ "
	    "Ruhr-Universität Bochum\n"));
	CHECK(page_has(pg, "\n=> gemini://nrw.example/ "
	    "NRW.International GmbH\n"));
	CHECK(pg != NULL && strstr(pg->text, "Zurück") == NULL);
	CHECK(page_has(pg, "\n=> / Startseite\n"));
	CHECK(pg != NULL && strstr(pg->text, "Nächste Seite") == NULL);
	CHECK(page_has(find_page(pages, n, BASE "a-e/"),
	    "Keine Partner unter A-E."));
	CHECK(page_has(find_page(pages, n, BASE "0-9/"), "\n0 Partner\n"));
	CHECK(page_has(find_page(pages, n, BASE "p-t/"),
	    "Ruhr-Universität Bochum\n* Stiftung und Verein"));
	CHECK(links_resolve(pages, n));
	section_pages_free(pages, n);
	partners_free(ps);

	if ((ps = load_file("data/partners/crlf.txt")) == NULL) {
		CHECK(!"crlf.txt loads");
		return;
	}
	CHECK(partners_count(ps) == 2);
	CHECK_STR(partners_name(ps, 0), "GFOS mbH");
	CHECK_STR(partners_url(ps, 1), "https://www.ruhr-uni-bochum.de/");
	partners_free(ps);
}

static void
test_collation_umlaut_is_base_letter(void)
{
	static const char *const want[] = { "Baer", "Bahn", "Bar", "Bär" };

	/* ä sorts as a, not ae: Bär after Bahn; Bar/Bär tie by bytes */
	CHECK(sorts_as("Bär\nBahn\nBaer\nBar\n", want, NELEM(want)));
	CHECK(sorts_as("Bar\nBaer\nBär\nBahn\n", want, NELEM(want)));
}

static void
test_collation_sharp_s_is_ss(void)
{
	static const char *const want[] = {
		"Strand", "Straßenbau", "Strasser", "Strauß", "Strom"
	};

	CHECK(sorts_as("Strom\nStrauß\nStraßenbau\nStrand\nStrasser\n",
	    want, NELEM(want)));
}

static void
test_collation_digits_and_signs_first(void)
{
	static const char *const want[] = {
		"»Die Tafel« e.V.", "1. FC Köln", "10er Club", "3D Druck",
		"Aachen", "Zeche Zollverein"
	};
	struct partners	*ps;
	const char	*errstr;
	size_t		 lineno;

	CHECK(sorts_as("Zeche Zollverein\nAachen\n3D Druck\n10er Club\n"
	    "1. FC Köln\n»Die Tafel« e.V.\n", want, NELEM(want)));
	ps = load("Aachen\n3D Druck\n»Die Tafel« e.V.\n", &errstr, &lineno);
	CHECK(ps != NULL && partners_group_count(ps, 0) == 2);
	CHECK(ps != NULL && partners_group_count(ps, 1) == 1);
	CHECK_STR(partners_group_slug(0), "0-9");
	partners_free(ps);
}

static void
test_collation_ignores_case(void)
{
	static const char *const want[] = {
		"abc", "ABD", "Abe", "zander", "ZEBRA"
	};

	CHECK(sorts_as("ZEBRA\nAbe\nzander\nABD\nabc\n", want, NELEM(want)));
}

static void
test_collation_accents_and_punctuation(void)
{
	static const char *const want[] = {
		"Eisen", "Élan", "Emma", "Lodz", "Łódź Partner", "Œuvre",
		"Ruhr Park", "Ruhr-Universität", "Ruhrgebiet"
	};

	CHECK(sorts_as("Œuvre\nRuhrgebiet\nEmma\nŁódź Partner\nRuhr-"
	    "Universität\nÉlan\nLodz\nEisen\nRuhr Park\n", want,
	    NELEM(want)));
}

static void
test_collation_ties_do_not_depend_on_file_order(void)
{
	static const char *const want[] = { "Muller", "Müller" };

	CHECK(sorts_as("Müller\nMuller\n", want, NELEM(want)));
	CHECK(sorts_as("Muller\nMüller\n", want, NELEM(want)));
}

static void
test_duplicates_listed_once(void)
{
	static const char *const want[] = { "Mueller GmbH", "Müller GmbH" };
	static const char *const want2[] = { "Straße 1" };
	struct partners	*ps;
	const char	*errstr;
	size_t		 lineno;

	/* case and spaces do not matter, ü vs ue does; first one wins */
	ps = load("Müller GmbH\thttps://m.example/\nMÜLLER  GMBH\n"
	    "  müller gmbh \nMueller GmbH\n", &errstr, &lineno);
	CHECK(ps != NULL && has_order(ps, want, NELEM(want)));
	CHECK(ps != NULL &&
	    strcmp(partners_url(ps, 1), "https://m.example/") == 0);
	partners_free(ps);
	CHECK(sorts_as("Straße 1\nSTRASSE 1\n", want2, NELEM(want2)));
}

static void
test_names_trimmed_and_escaped(void)
{
	struct partners		*ps;
	struct section_page	*pages = NULL;
	const char		*errstr;
	size_t			 lineno, n = 0;

	ps = load("  Weit   weg  GmbH  \n* Stern GmbH\n=> Pfeil AG\n"
	    "> Zitat KG\n", &errstr, &lineno);
	CHECK(ps != NULL);
	if (ps == NULL)
		return;
	CHECK_STR(partners_name(ps, 3), "Weit weg GmbH");
	CHECK(partners_render(ps, true, &pages, &n, &errstr) == 0);
	/* list items: what follows "* " is text, whatever it looks like */
	CHECK(page_has(&pages[0], "\n* * Stern GmbH\n"));
	CHECK(page_has(&pages[0], "\n* => Pfeil AG\n"));
	CHECK(page_has(&pages[0], "\n* > Zitat KG\n"));
	/* "0-9" is linked when it has entries */
	CHECK(page_has(&pages[0], "\n=> /partner/0-9/ 0-9 und Zeichen (3)\n"));
	section_pages_free(pages, n);
	partners_free(ps);
}

/* "#>" notes go on the overview, "#=>" links into every navigation. */
static void
test_directives(void)
{
	struct partners		*ps;
	struct section_page	*pages = NULL;
	const char		*errstr;
	size_t			 lineno, n = 0, i;

	ps = load("# ein Kommentar\n#> Ein Auszug aus 634.\n#>   => kein Link\n"
	    "#=> /forum/ Das Forum\nGFOS mbH\n", &errstr, &lineno);
	CHECK(ps != NULL);
	if (ps == NULL)
		return;
	CHECK(partners_count(ps) == 1);
	CHECK(partners_render(ps, true, &pages, &n, &errstr) == 0);
	CHECK(page_has(&pages[0], "\n1 Partner\nEin Auszug aus 634.\n"
	    " => kein Link\n"));
	for (i = 0; i < n; i++) {
		CHECK(page_has(&pages[i], "\n=> /forum/ Das Forum\n"
		    "=> / Startseite\n"));
		/* the note is the overview's alone */
		CHECK(i == 0 || strstr(pages[i].text, "Auszug") == NULL);
	}
	section_pages_free(pages, n);
	partners_free(ps);
	/* a mistyped directive is an error, not a comment */
	CHECK(load("GFOS mbH\n#=/forum/\n", &errstr, &lineno) == NULL &&
	    lineno == 2);
	CHECK(load("#=>\n", &errstr, &lineno) == NULL && lineno == 1);
}

static void
test_paging(void)
{
	static const struct {
		size_t	 n, pages, last;	/* entries on the last page */
	} cases[] = {
		{ 0, 1, 0 }, { 1, 1, 1 }, { 20, 1, 20 }, { 21, 2, 1 },
		{ 634, 32, 14 },
	};
	struct partners			*ps;
	struct section_page		*pages;
	const struct section_page	*pg;
	const char			*errstr;
	char				*src, path[64], want[64];
	size_t				 i, g, n, lineno, total, counts[6];

	for (i = 0; i < NELEM(cases); i++) {
		src = make_names(cases[i].n, counts);
		ps = load_de(src ? src : "", src ? strlen(src) : 0,
		    BASE, &errstr, &lineno);
		free(src);
		CHECK(ps != NULL);
		if (ps == NULL)
			continue;
		CHECK(partners_count(ps) == cases[i].n);
		CHECK(partners_npages(cases[i].n) == cases[i].pages);
		total = cases[i].pages;
		for (g = 0; g < PARTNERS_NGROUPS; g++) {
			CHECK(partners_group_count(ps, g) == counts[g]);
			total += partners_npages(counts[g]);
		}
		pages = NULL;
		n = 0;
		CHECK(partners_render(ps, true, &pages, &n, &errstr) == 0);
		CHECK(n == total);
		CHECK(links_resolve(pages, n));

		snprintf(want, sizeof(want), "\n%zu Partner\n", cases[i].n);
		CHECK(page_has(&pages[0], want));
		/* pages are numbered when there is more than one */
		snprintf(want, sizeof(want), "\nSeite 1 von %zu\n",
		    cases[i].pages);
		CHECK((strstr(pages[0].text, want) != NULL) ==
		    (cases[i].pages > 1));
		if (cases[i].pages == 1)
			snprintf(path, sizeof(path), BASE);
		else
			snprintf(path, sizeof(path), BASE "seite-%zu.gmi",
			    cases[i].pages);
		pg = find_page(pages, n, path);
		CHECK(pg != NULL);
		CHECK(pg != NULL &&
		    count_str(pg->text, "-Bäckerei ") == cases[i].last);
		snprintf(path, sizeof(path), BASE "seite-%zu.gmi",
		    cases[i].pages + 1);
		CHECK(find_page(pages, n, path) == NULL);
		CHECK(count_str(pages[0].text, "-Bäckerei ") ==
		    (cases[i].n < 20 ? cases[i].n : 20));
		if (cases[i].n == 0)
			CHECK(page_has(&pages[0],
			    "Noch keine Partner eingetragen."));
		if (cases[i].n == 21) {
			CHECK(page_has(&pages[0], "\n=> /partner/seite-2.gmi "
			    "Nächste Seite (2 von 2)\n"));
			CHECK(page_has(find_page(pages, n,
			    BASE "seite-2.gmi"), "\n=> /partner/ "
			    "Vorherige Seite (1 von 2)\n"));
			CHECK(page_has(find_page(pages, n,
			    BASE "seite-2.gmi"), "\nSeite 2 von 2\n"));
		}
		if (cases[i].n == 634) {
			/* 634 / 9 digits, the rest cycle A-Z: 563 letters */
			CHECK(counts[0] == 70);
			pg = find_page(pages, n, BASE "a-e/seite-2.gmi");
			CHECK(page_has(pg, "\n=> /partner/a-e/ Vorherige"));
			CHECK(page_has(pg, "\n=> /partner/a-e/seite-3.gmi "
			    "Nächste"));
			CHECK(page_has(pg, "\n=> https://b"));
			CHECK(page_has(pg, "\n=> /partner/ Übersicht\n"));
		}
		section_pages_free(pages, n);
		partners_free(ps);
	}
}

/*
 * The server holds page 1 of the list and of each group; every other page
 * is named by partners_is_list() and rendered on request, byte for byte
 * what partners_render() makes of it.
 */
static void
test_list_pages_on_request(void)
{
	static const char *const notlist[] = {
		BASE, BASE "seite-1.gmi", BASE "seite-02.gmi",
		BASE "seite-33.gmi", BASE "seite-2", BASE "seite-2.gmi/",
		BASE "seite-.gmi", BASE "x-y/seite-2.gmi",
		BASE "a-e/seite-9.gmi", BASE "a-e/", "/other/seite-2.gmi",
		BASE "seite-1234567890.gmi", BASE "suche/2",
	};
	struct partners		*ps;
	struct section_page	*all = NULL, *first = NULL;
	struct buf		 b = BUF_INIT;
	const char		*errstr;
	char			*src;
	size_t			 i, nall = 0, nfirst = 0, lineno, page, lazy = 0;
	size_t			 counts[PARTNERS_NGROUPS];
	int			 g;

	src = make_names(634, counts);
	ps = load_de(src, strlen(src), BASE, &errstr, &lineno);
	free(src);
	if (ps == NULL) {
		CHECK(!"loads");
		return;
	}
	CHECK(partners_render(ps, false, &first, &nfirst, &errstr) == 0);
	CHECK(partners_render(ps, true, &all, &nall, &errstr) == 0);
	CHECK(nfirst == 1 + PARTNERS_NGROUPS);
	for (i = 0; i < nfirst; i++)
		CHECK(find_page(all, nall, first[i].path) != NULL &&
		    strcmp(find_page(all, nall, first[i].path)->text,
		    first[i].text) == 0);
	CHECK_STR(first[0].path, BASE);
	CHECK_STR(first[1].path, BASE "0-9/");
	CHECK_STR(first[6].path, BASE "u-z/");
	for (i = 0; i < nall; i++) {
		if (!partners_is_list(ps, all[i].path, &g, &page)) {
			CHECK(all[i].path[strlen(all[i].path) - 1] == '/');
			continue;
		}
		lazy++;
		buf_reset(&b);
		CHECK(partners_list_page(ps, g, page, &b, &errstr) == 0);
		CHECK(b.len == all[i].len &&
		    memcmp(b.data, all[i].text, b.len) == 0);
	}
	CHECK(lazy == nall - nfirst);
	CHECK(partners_is_list(ps, BASE "seite-32.gmi", &g, &page));
	CHECK(g == -1 && page == 32);
	CHECK(partners_is_list(ps, BASE "u-z/seite-2.gmi", &g, &page));
	CHECK(g == 5 && page == 2);
	for (i = 0; i < NELEM(notlist); i++)
		if (partners_is_list(ps, notlist[i], &g, &page)) {
			fprintf(stderr, "  matched %s\n", notlist[i]);
			CHECK(!"not a list page");
		}
	buf_reset(&b);
	CHECK(partners_list_page(ps, -1, 33, &b, &errstr) == -1);
	CHECK(partners_list_page(ps, PARTNERS_NGROUPS, 2, &b, &errstr) == -1);
	buf_free(&b);
	section_pages_free(first, nfirst);
	section_pages_free(all, nall);
	partners_free(ps);
}

/* The search page for Q, or "" */
static char *
search(const struct partners *ps, const char *q, size_t page,
    enum partners_link proto)
{
	struct buf	 b = BUF_INIT;
	const char	*errstr;

	if (partners_search(ps, q, page, proto, &b, &errstr) == -1) {
		buf_free(&b);
		return NULL;
	}
	return buf_take(&b, NULL);
}

static bool
finds(const struct partners *ps, const char *q, const char *name,
    size_t hits)
{
	char	*t, want[128];
	bool	 ok;

	if ((t = search(ps, q, 1, PARTNERS_LINK_QUERY)) == NULL)
		return false;
	snprintf(want, sizeof(want), "\n%zu Treffer für \"%s\"\n", hits, q);
	ok = strstr(t, want) != NULL && strstr(t, name) != NULL;
	if (!ok)
		fprintf(stderr, "  search %s:\n%s", q, t);
	free(t);
	return ok;
}

/* The page for Q without its second line, which repeats the query. */
static char *
results(const struct partners *ps, const char *q, size_t page)
{
	char	*t, *a, *b;

	if ((t = search(ps, q, page, PARTNERS_LINK_PATH)) == NULL)
		return NULL;
	if ((a = strchr(t, '\n')) != NULL && (b = strchr(a + 1, '\n')) != NULL)
		memmove(a + 1, b + 1, strlen(b + 1) + 1);
	return t;
}

static bool
gopher_form_same(const struct partners *ps, const char *q, size_t page)
{
	struct buf	 f = BUF_INIT;
	char		*a, *b;
	bool		 ok;

	partners_fold(&f, q, strlen(q));
	buf_addc(&f, '\0');
	a = results(ps, q, page);
	b = results(ps, f.data, page);
	ok = a != NULL && b != NULL && strcmp(a, b) == 0;
	if (!ok)
		fprintf(stderr, "  %s vs %s:\n%s\n---\n%s\n", q, f.data,
		    a ? a : "(null)", b ? b : "(null)");
	free(a);
	free(b);
	buf_free(&f);
	return ok;
}

static void
test_search_folding(void)
{
	static const char *const queries[] = {
		"munster", "muenster", "Münster", "MÜNSTER", "Ruhr-Uni",
		"ruhr uni", "Straße", "handelskammer", "Südwestfälische",
		"NRW.International", "  gmbh  ", "xyz",
	};
	struct partners	*ps;
	struct buf	 f = BUF_INIT;
	const char	*hk = "Handwerkskammer Bildungszentrum Münster";
	char		*t;
	size_t		 i;

	if ((ps = load_file("data/partners/seed.txt")) == NULL) {
		CHECK(!"seed.txt loads");
		return;
	}
	CHECK(finds(ps, "munster", hk, 1));
	CHECK(finds(ps, "muenster", hk, 1));
	CHECK(finds(ps, "Münster", hk, 1));
	CHECK(finds(ps, "MÜNSTER", hk, 1));
	CHECK(finds(ps, "Mu\xcc\x88nster", hk, 1));	/* u + U+0308 */
	CHECK(finds(ps, "bildungszentrum münster", hk, 1));
	CHECK(finds(ps, "Handelskammer", "zu Dortmund", 2));
	CHECK(finds(ps, "handelskammer", "zu Hagen", 2));
	CHECK(finds(ps, "sudwestfalische", "Südwestfälische", 1));
	CHECK(finds(ps, "suedwestfaelische", "Südwestfälische", 1));
	CHECK(finds(ps, "ruhr uni", "Ruhr-Universität", 1));
	CHECK(finds(ps, "NRW International",
	    "=> gemini://nrw.example/ NRW.International GmbH\n", 1));
	CHECK(finds(ps, "gmbh",
	    "\n* Hundertmark Verkehrssicherungsanlagen GmbH\n", 3));
	t = search(ps, "gmbh", 1, PARTNERS_LINK_QUERY);
	CHECK(t != NULL && strstr(t, "Seite 1 von") == NULL);
	free(t);

	t = search(ps, "xyz", 1, PARTNERS_LINK_QUERY);
	CHECK(t != NULL && strncmp(t, "# ", 2) == 0);
	CHECK(t != NULL && strstr(t, "\nKeine Treffer für \"xyz\".\n") != NULL);
	CHECK(t != NULL && strstr(t, "\n=> /partner/suche Neue Suche\n"));
	free(t);
	t = search(ps, "", 1, PARTNERS_LINK_PATH);
	CHECK(t != NULL && strstr(t, "Bitte einen Suchbegriff") != NULL);
	free(t);
	t = search(ps, " ?! ", 1, PARTNERS_LINK_QUERY);
	CHECK(t != NULL && strstr(t, "Bitte einen Suchbegriff") != NULL);
	free(t);

	partners_fold(&f, "Münster (Westf.) Straße",
	    strlen("Münster (Westf.) Straße"));
	buf_addc(&f, '\0');
	CHECK_STR(f.data, "muenster-westf-strasse");
	buf_free(&f);
	partners_fold(&f, "ÆØÅ-Þing", strlen("ÆØÅ-Þing"));
	buf_addc(&f, '\0');
	CHECK_STR(f.data, "aeoa-thing");
	buf_free(&f);

	for (i = 0; i < NELEM(queries); i++)
		CHECK(gopher_form_same(ps, queries[i], 1));
	partners_free(ps);
}

static void
test_search_bad_query(void)
{
	struct partners	*ps;
	struct buf	 b = BUF_INIT;
	const char	*errstr = NULL;
	char		 q[PARTNERS_QUERY_MAX + 2];
	size_t		 lineno;

	if ((ps = load("Ahaus\n", &errstr, &lineno)) == NULL) {
		CHECK(!"loads");
		return;
	}
	memset(q, 'a', sizeof(q) - 1);
	q[sizeof(q) - 1] = '\0';
	CHECK(partners_search(ps, q, 1, PARTNERS_LINK_QUERY, &b, &errstr) == -1);
	CHECK_STR(errstr, "search query too long");
	CHECK(b.len == 0);
	q[PARTNERS_QUERY_MAX] = '\0';
	CHECK(partners_search(ps, q, 1, PARTNERS_LINK_QUERY, &b, &errstr) == 0);
	buf_reset(&b);
	CHECK(partners_search(ps, "M\xc3", 1, PARTNERS_LINK_QUERY, &b,
	    &errstr) == -1);
	CHECK_STR(errstr, "search query is not UTF-8");
	CHECK(partners_search(ps, "\xff", 1, PARTNERS_LINK_PATH, &b,
	    &errstr) == -1);
	CHECK(partners_search(ps, "a\tb", 1, PARTNERS_LINK_QUERY, &b,
	    &errstr) == -1);
	CHECK_STR(errstr, "control character in search query");
	CHECK(partners_search(ps, "a\xc2\x85", 1, PARTNERS_LINK_QUERY, &b,
	    &errstr) == -1);
	CHECK(b.len == 0);
	buf_free(&b);
	partners_free(ps);
}

static void
test_search_paging(void)
{
	struct partners	*ps;
	const char	*errstr;
	char		*src, *t;
	size_t		 lineno, counts[6];

	src = make_names(634, counts);
	ps = load_de(src, strlen(src), BASE, &errstr, &lineno);
	free(src);
	if (ps == NULL) {
		CHECK(!"loads");
		return;
	}
	t = search(ps, "Bäckerei", 2, PARTNERS_LINK_QUERY);
	CHECK(t != NULL && strstr(t, "\n634 Treffer für \"Bäckerei\"\n"));
	CHECK(t != NULL && strstr(t, "\nSeite 2 von 32\n"));
	CHECK(t != NULL && count_str(t, "-Bäckerei ") == 20);
	CHECK(t != NULL && strstr(t, "\n=> /partner/suche?B%C3%A4ckerei "
	    "Vorherige Seite (1 von 32)\n"));
	CHECK(t != NULL && strstr(t, "\n=> /partner/suche/3?B%C3%A4ckerei "
	    "Nächste Seite (3 von 32)\n"));
	free(t);
	t = search(ps, "Bäckerei", 2, PARTNERS_LINK_PATH);
	CHECK(t != NULL && strstr(t, "\n=> /partner/suche/1/baeckerei "
	    "Vorherige Seite (1 von 32)\n"));
	CHECK(t != NULL && strstr(t, "\n=> /partner/suche/3/baeckerei "
	    "Nächste Seite (3 von 32)\n"));
	free(t);
	t = search(ps, "backerei", 32, PARTNERS_LINK_PATH);
	CHECK(t != NULL && count_str(t, "-Bäckerei ") == 14);
	CHECK(t != NULL && strstr(t, "Nächste Seite") == NULL);
	CHECK(t != NULL && strstr(t, "\n=> /partner/suche/31/backerei "));
	free(t);
	t = search(ps, "backerei", 33, PARTNERS_LINK_QUERY);
	CHECK(t != NULL && strstr(t, "\nSeite 33 gibt es nicht"));
	CHECK(t != NULL && strstr(t, "\n=> /partner/suche?backerei "
	    "Erste Seite\n"));
	free(t);
	/* query words with spaces are re-encoded */
	t = search(ps, "bäckerei 0", 1, PARTNERS_LINK_QUERY);
	CHECK(t != NULL && strstr(t, "\n=> /partner/suche/2?"
	    "b%C3%A4ckerei%200 Nächste"));
	free(t);
	CHECK(finds(ps, "q-backerei 0016", "Q-Bäckerei 0016", 1));
	CHECK(gopher_form_same(ps, "Bäckerei", 2));
	CHECK(gopher_form_same(ps, "BACKEREI", 32));
	CHECK(gopher_form_same(ps, "Bäckerei 01", 1));
	partners_free(ps);
}

static void
test_search_paths(void)
{
	static const char *const bad[] = {
		"/partner/suche/", "/partner/suche/0", "/partner/suche/02",
		"/partner/suche/2/", "/partner/suche/2/Muenster",
		"/partner/suche/2/m%C3", "/partner/suche/2/a/b",
		"/partner/suchen", "/partner/", "/other/suche",
		"/partner/suche/x", "/partner/suche/1234567890",
		"/partner/a-e/suche",
	};
	struct partners	*ps;
	const char	*errstr, *pq = "x";
	size_t		 lineno, page = 0, i;

	if ((ps = load("Ahaus\n", &errstr, &lineno)) == NULL) {
		CHECK(!"loads");
		return;
	}
	CHECK(partners_is_search(ps, "/partner/suche", &page, &pq));
	CHECK(page == 1 && pq == NULL);
	CHECK(partners_is_search(ps, "/partner/suche/2", &page, &pq));
	CHECK(page == 2 && pq == NULL);
	CHECK(partners_is_search(ps, "/partner/suche/12/muenster-westf",
	    &page, &pq));
	CHECK(page == 12);
	CHECK_STR(pq, "muenster-westf");
	for (i = 0; i < NELEM(bad); i++)
		if (partners_is_search(ps, bad[i], &page, &pq)) {
			fprintf(stderr, "  matched %s\n", bad[i]);
			CHECK(!"not a search path");
		}
	partners_free(ps);
}

static void
test_load_errors(void)
{
	static const struct {
		const char	*src;
		const char	*err;
		size_t		 line;
	} cases[] = {
		{ "A\nB\nC\xff\n", "invalid UTF-8", 3 },
		{ "A\n\xc3\xa4\xc3\n", "invalid UTF-8", 2 },
		{ "A\nB\xc0\xaf\n", "invalid UTF-8", 2 },
		{ "# c\n\nA\n\nB\xed\xa0\x80", "invalid UTF-8", 5 },
		{ "A\nB\x01\n", "control character", 2 },
		{ "A\nB\rC\n", "control character", 2 },
		{ "A\r\r\n", "control character", 1 },
		{ "A\x7f\n", "control character", 1 },
		{ "A\nB\xc2\x85\n", "control character", 2 },
		{ "# \x1b[31m\n", "control character", 1 },
		{ "A\thttps://a.example/\tx\n", "more than one TAB", 1 },
		{ "A\n\thttps://a.example/\n", "empty name", 2 },
		{ "A\n   \t https://a.example/\n", "empty name", 2 },
		{ "A\tftp://a.example/\n", "web address is not an http, "
		    "https, gemini or gopher URL", 1 },
		{ "A\nB\twww.example.org\n", "web address is not an http, "
		    "https, gemini or gopher URL", 2 },
		{ "A\thttps://\n", "web address is not an http, https, "
		    "gemini or gopher URL", 1 },
		{ "A\thttps:///x\n", "web address is not an http, https, "
		    "gemini or gopher URL", 1 },
		{ "A\thttps://a.example/x y\n", "space in web address", 1 },
		{ "A\r\nB\r\nC\tgemini://c.example/\r\nD\r\n", "ok", 0 },
		{ "\xef\xbb\xbf# BOM\nA\n", "ok", 0 },
		{ "A\t\nB\t  \n", "ok", 0 },
		{ "A\tHTTPS://A.EXAMPLE\nB\tgopher://b.example/1/x\n", "ok",
		    0 },
		{ "", "ok", 0 },
		{ "\n\n   \n\t\n# only comments\n", "ok", 0 },
	};
	struct partners	*ps;
	struct buf	 b = BUF_INIT;
	const char	*err, *errstr;
	size_t		 i, line;

	for (i = 0; i < NELEM(cases); i++) {
		err = load_error(cases[i].src, &line);
		if (strcmp(err, cases[i].err) != 0 || line != cases[i].line) {
			fprintf(stderr, "  case %zu: %zu: %s\n", i, line, err);
			CHECK(!"load error as expected");
		} else
			CHECK(1);
	}

	/* a NUL in the file is a control character */
	CHECK(load_de("A\nB\0C\n", 6, BASE, &errstr, &line) == NULL);
	CHECK(line == 2);
	CHECK_STR(errstr, "control character");

	/* PARTNERS_LINE_MAX bytes are fine, one more is not */
	buf_adds(&b, "A\n");
	for (i = 0; i < PARTNERS_LINE_MAX; i++)
		buf_addc(&b, 'x');
	buf_adds(&b, "\r\nB\n");
	CHECK_STR(load_error(b.data, &line), "ok");
	buf_reset(&b);
	buf_adds(&b, "A\n");
	for (i = 0; i <= PARTNERS_LINE_MAX; i++)
		buf_addc(&b, 'x');
	buf_adds(&b, "\nB\n");
	CHECK_STR(load_error(b.data, &line), "line too long");
	CHECK(line == 2);
	buf_free(&b);

	CHECK(load_de("A\n", 2, "partner", &errstr, &line) == NULL);
	CHECK(line == 0);
	CHECK(load_de("A\n", 2, "/partner", &errstr, &line) == NULL);

	/* URLs are trimmed, a trailing TAB means no URL */
	ps = load("A\t  https://a.example/  \nB\t\n", &errstr, &line);
	CHECK(ps != NULL);
	if (ps != NULL) {
		CHECK_STR(partners_url(ps, 0), "https://a.example/");
		CHECK(partners_url(ps, 1) == NULL);
		partners_free(ps);
	}
}

/* A small, fixed pseudo-random sequence (xorshift64): tests repeat. */
static uint64_t	 rng_state = 0x9e3779b97f4a7c15ULL;

static size_t
rnd(size_t k)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return (size_t)(rng_state % k);
}

/* Compare the index with the linear pass for the folded query FQ. */
static bool
same_hits(const struct partners *ps, const char *fq, size_t *a, size_t *b)
{
	size_t	 n = partners_count(ps), na, nb, from, max, i;
	bool	 partial;

	na = partners_find(ps, fq, 0, a, n, n, &partial);
	nb = partners_find_linear(ps, fq, 0, b, n, n);
	if (na != nb || partial || memcmp(a, b, na * sizeof(*a)) != 0) {
		fprintf(stderr, "  \"%s\": index %zu hits, linear %zu\n", fq,
		    na, nb);
		return false;
	}
	/* a window and a cap, as a result page asks */
	from = rnd(na + 2);
	max = rnd(na + 2);
	memset(a, 0xff, 20 * sizeof(*a));
	memset(b, 0xff, 20 * sizeof(*b));
	na = partners_find(ps, fq, from, a, 20, max, &partial);
	nb = partners_find_linear(ps, fq, from, b, 20, max);
	for (i = 0; i < 20; i++)
		if (a[i] != b[i])
			na = (size_t)-1;
	if (na != nb || partial) {
		fprintf(stderr, "  \"%s\" from %zu max %zu differ\n", fq, from,
		    max);
		return false;
	}
	return true;
}

/*
 * The trigram index finds exactly what one pass over every name finds:
 * random names made of parts with umlauts, ß, accents, a combining
 * diaeresis, signs and digits, and random folded queries of 1 to 8
 * symbols, plus the folded forms of the parts themselves.
 */
static void
test_search_index_matches_linear(void)
{
	static const char *const parts[] = {
		"Müller", "Mueller", "Muller", "Straße", "Strasse", "Öko",
		"Oeko", "Bäcker", "Baecker", "Süd", "Sued", "Mu\xcc\x88nster",
		"Münster", "GmbH", "& Co.", "KG", "e.V.", "Café", "Élan",
		"ÆØÅ", "Þing", "1.", "24/7", "A", "B2", "x", "ß", "Ä", "ue",
		"ae-oe", "Groß", "GROSS", "Łódź", "İz", "東京", "-", "(Westf.)",
		"aaa", "aaaa", "abab", "zz",
	};
	static const char	 sym[] = "abeousmnrtz12-";
	struct partners		*ps;
	struct buf		 src = BUF_INIT, f = BUF_INIT;
	const char		*errstr;
	char			 q[16];
	size_t			*a, *b, i, j, k, lineno, bad = 0, n;

	for (i = 0; i < 4000; i++) {
		k = 1 + rnd(5);
		for (j = 0; j < k; j++)
			buf_addf(&src, "%s%s", j ? (rnd(4) ? " " : "") : "",
			    parts[rnd(NELEM(parts))]);
		buf_addf(&src, " %zu\n", rnd(50));
	}
	ps = partners_load(src.data, src.len, BASE, &errstr, &lineno);
	buf_free(&src);
	if (ps == NULL) {
		fprintf(stderr, "  %zu: %s\n", lineno, errstr);
		CHECK(!"random names load");
		return;
	}
	n = partners_count(ps);
	a = calloc(n + 1, sizeof(*a));
	b = calloc(n + 1, sizeof(*b));
	if (a == NULL || b == NULL) {
		CHECK(!"calloc");
		goto done;
	}
	for (i = 0; i < 3000; i++) {
		k = 1 + rnd(8);
		for (j = 0; j < k; j++)
			q[j] = sym[rnd(sizeof(sym) - 1)];
		q[k] = '\0';
		if (!same_hits(ps, q, a, b))
			bad++;
	}
	for (i = 0; i < NELEM(parts); i++) {
		buf_reset(&f);
		partners_fold(&f, parts[i], strlen(parts[i]));
		buf_addc(&f, '\0');
		if (f.data[0] != '\0' && !same_hits(ps, f.data, a, b))
			bad++;
	}
	CHECK(bad == 0);
	/* anything but [a-z0-9-] finds nothing, as the linear pass */
	CHECK(partners_find_linear(ps, "A", 0, a, 1, 10) == 0);
	CHECK(partners_find(ps, "mu ", 0, a, 1, 10, &(bool){ false }) == 0);
	CHECK(partners_find(ps, "", 0, a, 1, 10, &(bool){ false }) == 0);
 done:
	free(a);
	free(b);
	buf_free(&f);
	partners_free(ps);
}

/*
 * A query that matches more than PARTNERS_HITS_MAX names counts that many
 * and pages through them; one whose candidates are many but whose hits
 * are few stops after a bounded number of tries and says so.
 */
static void
test_search_bounded(void)
{
	struct partners	*ps;
	struct buf	 src = BUF_INIT;
	const char	*errstr;
	char		*t;
	size_t		 i, lineno, sel[PARTNERS_PER_PAGE], lin[20];
	bool		 partial;

	for (i = 0; i < 1500; i++)
		buf_addf(&src, "Firma %04zu Xanten\n", i);
	ps = load_de(src.data, src.len, BASE, &errstr, &lineno);
	buf_free(&src);
	if (ps == NULL) {
		CHECK(!"loads");
		return;
	}
	t = search(ps, "X", 1, PARTNERS_LINK_QUERY);
	CHECK(t != NULL && strstr(t, "\nMehr als 1000 Treffer für \"X\", hier "
	    "die ersten 1000: bitte genauer suchen.\n"));
	CHECK(t != NULL && strstr(t, "\nSeite 1 von 50\n"));
	CHECK(t != NULL && strstr(t, "\n* Firma 0000 Xanten\n"));
	free(t);
	t = search(ps, "xanten", 50, PARTNERS_LINK_PATH);
	CHECK(t != NULL && count_str(t, " Xanten\n") == 20);
	CHECK(t != NULL && strstr(t, "\n* Firma 0999 Xanten\n"));
	CHECK(t != NULL && strstr(t, "Firma 1000 Xanten") == NULL);
	CHECK(t != NULL && strstr(t, "Nächste Seite") == NULL);
	free(t);
	t = search(ps, "xanten", 51, PARTNERS_LINK_QUERY);
	CHECK(t != NULL && strstr(t, "\nSeite 51 gibt es nicht"));
	free(t);
	CHECK(partners_find(ps, "xan", 40, sel, PARTNERS_PER_PAGE, 1000,
	    &partial) == 1001 && !partial);
	CHECK(partners_find_linear(ps, "xan", 40, lin, 20, 1000) == 1001);
	CHECK(memcmp(sel, lin, sizeof(lin)) == 0);
	partners_free(ps);

	/*
	 * "abcab-abd-N" holds every trigram of "abcabd" but never the
	 * whole: each name is a candidate, none a hit.
	 */
	for (i = 0; i < 20000; i++)
		buf_addf(&src, "Abcab Abd %zu\n", i);
	ps = load_de(src.data, src.len, BASE, &errstr, &lineno);
	buf_free(&src);
	if (ps == NULL) {
		CHECK(!"loads");
		return;
	}
	CHECK(partners_find(ps, "abcabd", 0, sel, PARTNERS_PER_PAGE,
	    PARTNERS_HITS_MAX, &partial) == 0 && partial);
	CHECK(partners_find(ps, "abcabd", 0, sel, PARTNERS_PER_PAGE,
	    partners_count(ps), &partial) == 0 && !partial);
	t = search(ps, "abcabd", 1, PARTNERS_LINK_QUERY);
	CHECK(t != NULL && strstr(t, "\nKeine Treffer für \"abcabd\" gefunden, "
	    "die Suche wurde abgebrochen: bitte genauer suchen.\n"));
	free(t);
	t = search(ps, "abcab abd 19999", 1, PARTNERS_LINK_QUERY);
	CHECK(t != NULL && strstr(t, "\n1 Treffer für \"abcab abd 19999\"\n"));
	free(t);
	partners_free(ps);
}

/* '"', '<' and '>' in a web address are percent-encoded at load. */
static void
test_url_encoded(void)
{
	struct partners	*ps;
	const char	*errstr;
	size_t		 lineno;

	ps = load("A\thttps://a.example/?q=\"x\"<y>&z=%41\n"
	    "B\tgopher://b.example/1/<>\n", &errstr, &lineno);
	CHECK(ps != NULL);
	if (ps == NULL)
		return;
	CHECK_STR(partners_url(ps, 0),
	    "https://a.example/?q=%22x%22%3Cy%3E&z=%41");
	CHECK_STR(partners_url(ps, 1), "gopher://b.example/1/%3C%3E");
	partners_free(ps);
}

static double
seconds(const struct timespec *a, const struct timespec *b)
{
	return (b->tv_sec - a->tv_sec) + (b->tv_nsec - a->tv_nsec) / 1e9;
}

static int
cmp_double(const void *a, const void *b)
{
	double	 x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/*
 * Load FILE, render the pages held in memory, then time searches in
 * process: each query 200 times, page 1 and page 50.
 */
static int
bench(const char *path)
{
	static const char *const queries[] = {
		"muenster", "gmbh", "zzzz", "e", "Straßenbau", "ko",
		"schmidt weber", "Bäcker Köhler",
	};
	struct timespec		 t0, t1, c0, c1;
	struct buf		 b = BUF_INIT;
	struct partners		*ps;
	struct section_page	*pages;
	const char		*errstr;
	double			*lat;
	size_t			 n, i, j, k = 0, runs = 200;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &c0);
	if ((ps = load_file(path)) == NULL)
		return 1;
	if (partners_render(ps, false, &pages, &n, &errstr) == -1) {
		fprintf(stderr, "%s\n", errstr);
		return 1;
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &c1);
	printf("%zu partners: load and render %zu pages %.3f s "
	    "(CPU %.3f s)\n", partners_count(ps), n, seconds(&t0, &t1),
	    seconds(&c0, &c1));
	if ((lat = calloc(NELEM(queries) * runs * 2, sizeof(*lat))) == NULL)
		return 1;
	for (i = 0; i < NELEM(queries); i++) {
		clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &c0);
		for (j = 0; j < runs * 2; j++) {
			buf_reset(&b);
			clock_gettime(CLOCK_MONOTONIC, &t0);
			if (partners_search(ps, queries[i], j % 2 ? 50 : 1,
			    PARTNERS_LINK_QUERY, &b, &errstr) == -1)
				fprintf(stderr, "%s\n", errstr);
			clock_gettime(CLOCK_MONOTONIC, &t1);
			lat[k++] = seconds(&t0, &t1) * 1e3;
		}
		clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &c1);
		printf("  \"%s\": %.3f ms CPU each\n", queries[i],
		    seconds(&c0, &c1) * 1e3 / (double)(runs * 2));
	}
	qsort(lat, k, sizeof(*lat), cmp_double);
	printf("%zu searches (%zu queries, pages 1 and 50): p50 %.3f ms, "
	    "p99 %.3f ms, max %.3f ms\n", k, NELEM(queries), lat[k / 2],
	    lat[k * 99 / 100], lat[k - 1]);
	free(lat);
	buf_free(&b);
	section_pages_free(pages, n);
	partners_free(ps);
	return 0;
}

int
main(int argc, char *argv[])
{
	if (argc == 2)
		return bench(argv[1]);

	test_seed_collation();
	test_collation_umlaut_is_base_letter();
	test_collation_sharp_s_is_ss();
	test_collation_digits_and_signs_first();
	test_collation_ignores_case();
	test_collation_accents_and_punctuation();
	test_collation_ties_do_not_depend_on_file_order();
	test_duplicates_listed_once();
	test_names_trimmed_and_escaped();
	test_directives();
	test_paging();
	test_list_pages_on_request();
	test_search_folding();
	test_search_bad_query();
	test_search_paging();
	test_search_paths();
	test_load_errors();
	test_search_index_matches_linear();
	test_search_bounded();
	test_url_encoded();
	CHECK_DONE();
}
