/*
 * test_robots: the default robots.txt of a capsule with a partner
 * directory, read by two crawlers: one that knows only "User-agent" and
 * "Disallow" prefixes and obeys the union of its own group and "*"
 * (Kennedy), and one that follows RFC 9309 (the most specific group,
 * Allow, wildcards, the longest match).  On every path, for every agent,
 * both must agree, and agree with what zeche means.
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "check.h"
#include "loadsite.h"
#include "section.h"
#include "site.h"
#include "tmptree.h"
#include "utf8.h"

#define GROUPS_MAX	16
#define AGENTS_MAX	8
#define RULES_MAX	32
#define LINE_MAX_	256

struct rule {
	bool		 allow;
	char		 pat[LINE_MAX_];
};

struct group {
	char		 agent[AGENTS_MAX][LINE_MAX_];
	size_t		 nagents;
	struct rule	 rule[RULES_MAX];
	size_t		 nrules;
};

struct robots {
	struct group	 g[GROUPS_MAX];
	size_t		 n;
};

/*
 * Split TEXT into groups.  NAIVE: only User-agent and Disallow count, as
 * a crawler that knows no more reads them; else Allow too (RFC 9309).
 * Comments, blank lines and other keys are skipped; a User-agent line
 * after a rule starts a new group.  Returns -1 on an overflow.
 */
static int
robots_parse(const char *text, bool naive, struct robots *r)
{
	char		 line[LINE_MAX_], *v, *e;
	const char	*p = text, *nl;
	struct group	*g = NULL;
	size_t		 len;
	bool		 rules = false;

	memset(r, 0, sizeof(*r));
	for (; *p != '\0'; p = *nl ? nl + 1 : nl) {
		nl = strchr(p, '\n');
		nl = nl ? nl : p + strlen(p);
		if ((len = (size_t)(nl - p)) >= sizeof(line))
			return -1;
		memcpy(line, p, len);
		line[len] = '\0';
		if ((e = strchr(line, '#')) != NULL)
			*e = '\0';
		if ((v = strchr(line, ':')) == NULL)
			continue;
		*v++ = '\0';
		v += strspn(v, " \t");
		for (e = v + strlen(v); e > v && (e[-1] == ' ' ||
		    e[-1] == '\t' || e[-1] == '\r'); e--)
			e[-1] = '\0';
		if (strcasecmp(line, "user-agent") == 0) {
			if (g == NULL || rules) {
				if (r->n == GROUPS_MAX)
					return -1;
				g = &r->g[r->n++];
				rules = false;
			}
			if (g->nagents == AGENTS_MAX)
				return -1;
			snprintf(g->agent[g->nagents++], LINE_MAX_, "%s", v);
		} else if (strcasecmp(line, "disallow") == 0 ||
		    (!naive && strcasecmp(line, "allow") == 0)) {
			if (g == NULL)
				continue;
			if (g->nrules == RULES_MAX)
				return -1;
			g->rule[g->nrules].allow = line[0] == 'a' ||
			    line[0] == 'A';
			snprintf(g->rule[g->nrules++].pat, LINE_MAX_, "%s", v);
			rules = true;
		}
	}
	return 0;
}

static bool
names(const struct group *g, const char *agent)
{
	size_t	 i;

	for (i = 0; i < g->nagents; i++)
		if (strcasecmp(g->agent[i], agent) == 0)
			return true;
	return false;
}

/* The naive crawler: any Disallow prefix of AGENT's groups or "*"'s. */
static bool
naive_allows(const struct robots *r, const char *agent, const char *path)
{
	const struct group	*g;
	size_t			 i, j, len;

	for (i = 0; i < r->n; i++) {
		g = &r->g[i];
		if (!names(g, agent) && !names(g, "*"))
			continue;
		for (j = 0; j < g->nrules; j++) {
			len = strlen(g->rule[j].pat);
			if (len > 0 && strncmp(path, g->rule[j].pat, len) == 0)
				return false;
		}
	}
	return true;
}

/* RFC 9309 2.2.2: "*" matches any run of characters, "$" the end. */
static bool
pat_match(const char *pat, const char *path)
{
	if (*pat == '\0')
		return true;
	if (pat[0] == '$' && pat[1] == '\0')
		return *path == '\0';
	if (*pat == '*') {
		for (;; path++) {
			if (pat_match(pat + 1, path))
				return true;
			if (*path == '\0')
				return false;
		}
	}
	return *path == *pat && pat_match(pat + 1, path + 1);
}

/*
 * RFC 9309: the groups that name AGENT (merged), else those of "*"; of
 * their rules that match, the longest wins, Allow on a tie; none: allowed.
 */
static bool
rfc_allows(const struct robots *r, const char *agent, const char *path)
{
	const struct group	*g;
	const char		*who = agent;
	size_t			 i, j, len, best = 0;
	bool			 any = false, allow = true;

	for (i = 0; i < r->n; i++)
		if (names(&r->g[i], agent))
			any = true;
	if (!any)
		who = "*";
	for (i = 0; i < r->n; i++) {
		g = &r->g[i];
		if (!names(g, who))
			continue;
		for (j = 0; j < g->nrules; j++) {
			len = strlen(g->rule[j].pat);
			if (len == 0 || !pat_match(g->rule[j].pat, path))
				continue;	/* "Disallow:" allows all */
			if (len > best || (len == best && g->rule[j].allow)) {
				best = len;
				allow = g->rule[j].allow;
			}
		}
	}
	return allow;
}

static const struct site_opts	 en = { .host = "localhost",
    .port = { "1965", "70" } };
static const struct site_opts	 en_nosearch = { .host = "localhost",
    .port = { "1965", "70" }, .search = SITE_OFF };
static const struct site_opts	 de = { .host = "localhost",
    .port = { "1965", "70" }, .lang = "de" };

/* The served body of /robots.txt, NUL-terminated (the site's own). */
static const char *
robots_of(const struct site *s)
{
	const struct page	*pg = site_lookup(s, "/robots.txt");

	return pg != NULL && pg->body != NULL ? pg->body : "";
}

/* The first byte of the line that holds P. */
static const char *
line_start(const char *text, const char *p)
{
	while (p > text && p[-1] != '\n')
		p--;
	return p;
}

/* The form every crawler reads alike: no Allow, no pattern, "*" last. */
static void
check_form(const char *text)
{
	const char	*p, *q, *last;
	size_t		 len = strlen(text);

	CHECK(len > 3 && memcmp(text, "\xef\xbb\xbf", 3) != 0);
	CHECK(utf8_is_valid(text, len));
	CHECK(text[len - 1] == '\n' && strchr(text, '\r') == NULL);
	CHECK(strstr(text, "Allow") == NULL && strchr(text, '$') == NULL);
	CHECK(strstr(text, "Crawl-delay") == NULL);
	/* the one "*" is the last group's agent */
	p = strchr(text, '*');
	last = strstr(text, "\nUser-agent: *\n");
	CHECK(last != NULL && p == last + 13 && strchr(p + 1, '*') == NULL);
	CHECK(last != NULL && strstr(last + 1, "User-agent:") == last + 1);
	/* every group: a blank line, its comment, one agent, its rules */
	for (p = strstr(text, "User-agent:"); p != NULL;
	    p = strstr(p + 1, "User-agent:")) {
		CHECK(strncmp(p + strcspn(p, "\n") + 1, "Disallow:", 9) == 0);
		/* back to the first line of its comment */
		for (q = p; q > text && *line_start(text, q - 1) == '#';)
			q = line_start(text, q - 1);
		CHECK(q != p && q > text + 1 && q[-2] == '\n');
	}
}

struct want {
	const char	*path;
	bool		 served;	/* in the site or one of its sections */
	bool		 index;		/* indexer, researcher may fetch it */
};

/* Both crawlers, every agent, every path: the same verdict, WANT's. */
static void
check_paths(const struct site *s, const struct want *w, size_t n)
{
	static const char	*agents[] = { "indexer", "researcher",
	    "archiver", "webproxy", "somebot" };
	struct robots		 naive, rfc;
	struct section_req	 req;
	const char		*text = robots_of(s), *q;
	char			 path[LINE_MAX_];
	size_t			 i, a;
	bool			 want, got_n, got_r;

	CHECK(robots_parse(text, true, &naive) == 0);
	CHECK(robots_parse(text, false, &rfc) == 0);
	for (i = 0; i < n; i++) {
		snprintf(path, sizeof(path), "%s", w[i].path);
		if ((q = strchr(w[i].path, '?')) != NULL)
			path[q - w[i].path] = '\0';
		if (w[i].served != (site_lookup(s, path) != NULL ||
		    section_find(s->sections, s->nsections, path,
		    q ? q + 1 : NULL, &req) != NULL)) {
			fprintf(stderr, "served? %s\n", w[i].path);
			CHECK(!"the capsule serves the path");
		}
		for (a = 0; a < sizeof(agents) / sizeof(agents[0]); a++) {
			want = strcmp(agents[a], "webproxy") != 0 &&
			    (w[i].index || (strcmp(agents[a], "indexer") != 0 &&
			    strcmp(agents[a], "researcher") != 0));
			got_n = naive_allows(&naive, agents[a], w[i].path);
			got_r = rfc_allows(&rfc, agents[a], w[i].path);
			if (got_n != want || got_r != want)
				fprintf(stderr, "%s %s: want %d, naive %d, "
				    "RFC 9309 %d\n", agents[a], w[i].path,
				    want, got_n, got_r);
			CHECK(got_n == want);
			CHECK(got_r == want);
		}
	}
}

static void
make_capsule(void)
{
	char	 line[512];
	size_t	 i;
	FILE	*fp;

	tmptree_new();
	tmptree_put("index.gmi", "# Home\n=> partner/ Partners\n");
	tmptree_put("about.gmi", "# About\n");
	tmptree_mkdir("partner");
	snprintf(line, sizeof(line), "%s/partner/partners.txt", tmptree);
	if ((fp = fopen(line, "w")) == NULL) {
		perror(line);
		exit(2);
	}
	/* 50 in a-e (3 pages), 25 in u-z (2 pages), 75 in all (4 pages) */
	for (i = 0; i < 75; i++)
		fprintf(fp, "%s %02zu\n", i < 30 ? "Anna" : i < 50 ? "Berg" :
		    "Zeche", i);
	if (fclose(fp) == EOF)
		exit(2);
}

static void
test_english(void)
{
	static const struct want	 w[] = {
		{ "/", true, true },
		{ "/about.gmi", true, true },
		{ "/robots.txt", true, true },
		{ "/partner/", true, true },
		{ "/partner/a-e/", true, true },
		{ "/partner/u-z/", true, true },
		{ "/partner/0-9/", true, true },
		{ "/partner/page-2.gmi", true, false },
		{ "/partner/page-4.gmi", true, false },
		{ "/partner/a-e/page-2.gmi", true, false },
		{ "/partner/a-e/page-3.gmi", true, false },
		{ "/partner/u-z/page-2.gmi", true, false },
		{ "/partner/search", true, false },
		{ "/partner/search?x", true, false },
		{ "/partner/search/2?anna", true, false },
		{ "/partner/search/1/anna", true, false },
		/* the capsule-wide search, every page of it */
		{ "/search", true, false },
		{ "/search?anna", true, false },
		{ "/search/2/anna", true, false },
	};
	struct site	*s;
	char		 err[1024];

	make_capsule();
	if ((s = load_site(tmptree, &en, err, sizeof(err))) == NULL) {
		fprintf(stderr, "%s\n", err);
		CHECK(s != NULL);
		goto done;
	}
	check_form(robots_of(s));
	check_paths(s, w, sizeof(w) / sizeof(w[0]));
	CHECK(strstr(robots_of(s), "User-agent: indexer\n"
	    "Disallow: /partner/search\nDisallow: /partner/page-\n") != NULL);
	site_free(s);
 done:
	tmptree_rm();
}

static void
test_german(void)
{
	static const struct want	 w[] = {
		{ "/", true, true },
		{ "/partner/", true, true },
		{ "/partner/a-e/", true, true },
		{ "/partner/seite-2.gmi", true, false },
		{ "/partner/a-e/seite-3.gmi", true, false },
		{ "/partner/u-z/seite-2.gmi", true, false },
		{ "/partner/suche", true, false },
		{ "/partner/suche?x", true, false },
		{ "/partner/suche/1/anna", true, false },
		{ "/suche", true, false },
		{ "/suche/1/anna", true, false },
		/* the English words mean nothing on a German host */
		{ "/partner/search?x", false, true },
		{ "/partner/page-2.gmi", false, true },
	};
	struct site	*s;
	char		 err[1024];

	make_capsule();
	if ((s = load_site(tmptree, &de, err, sizeof(err))) == NULL) {
		fprintf(stderr, "%s\n", err);
		CHECK(s != NULL);
		goto done;
	}
	check_form(robots_of(s));
	check_paths(s, w, sizeof(w) / sizeof(w[0]));
	CHECK(strstr(robots_of(s), "\nDisallow: /partner/suche\n") != NULL);
	CHECK(strstr(robots_of(s), "# Archive sind \xc3\xbc" "berall") !=
	    NULL);
	site_free(s);
 done:
	tmptree_rm();
}

/*
 * No section (no partners, "search off"): nothing for anyone to leave
 * alone but webproxy's all.
 */
static void
test_no_sections(void)
{
	static const struct want	 w[] = {
		{ "/", true, true },
		{ "/about.gmi", true, true },
		{ "/partner/search", false, true },
	};
	struct site	*s;
	char		 err[1024];

	tmptree_new();
	tmptree_put("index.gmi", "# Home\n");
	tmptree_put("about.gmi", "# About\n");
	if ((s = load_site(tmptree, &en_nosearch, err, sizeof(err))) == NULL) {
		CHECK(s != NULL);
		goto done;
	}
	check_form(robots_of(s));
	check_paths(s, w, sizeof(w) / sizeof(w[0]));
	CHECK(strstr(robots_of(s), "User-agent: indexer\nDisallow:\n") !=
	    NULL);
	site_free(s);
 done:
	tmptree_rm();
}

/* The evaluators themselves: where the two readings part. */
static void
test_evaluators(void)
{
	struct robots	 naive, rfc;
	const char	*t = "User-agent: indexer\nDisallow: /a\nAllow: /a/b\n"
	    "\nUser-agent: *\nDisallow: /c*d$\n";

	CHECK(robots_parse(t, true, &naive) == 0);
	CHECK(robots_parse(t, false, &rfc) == 0);
	CHECK(!naive_allows(&naive, "indexer", "/a/b"));
	CHECK(rfc_allows(&rfc, "indexer", "/a/b"));
	CHECK(!rfc_allows(&rfc, "indexer", "/a/c"));
	/* RFC 9309: indexer's group alone; the naive one adds "*"'s */
	CHECK(rfc_allows(&rfc, "indexer", "/c*d$"));
	CHECK(!naive_allows(&naive, "indexer", "/c*d$"));
	CHECK(naive_allows(&naive, "indexer", "/cxd"));
	CHECK(!rfc_allows(&rfc, "other", "/cxd"));
	CHECK(rfc_allows(&rfc, "other", "/cxde"));
	CHECK(rfc_allows(&rfc, "Other", "/a"));
}

int
main(void)
{
	test_evaluators();
	test_english();
	test_german();
	test_no_sections();
	CHECK_DONE();
}
