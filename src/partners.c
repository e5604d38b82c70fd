/*
 * partners: the partner directory.  See partners.h for the file format,
 * the order, the addresses and the search rules.
 *
 * At load every name gets a DIN 5007-1 sort key and a case-folded key
 * (duplicates, ties); sorting compares them with strcmp() only, and both
 * are dropped once the list is sorted.  What stays, per partner: the name
 * and address, and the two search forms (ä -> ae and ä -> a) in one
 * haystack.
 *
 * Search goes through a trigram index over the haystack (trigram.c),
 * so that its cost grows with the hits, not with the directory; the
 * folding is collate.c's.  This file owns the file parser, the list
 * pages and the search results; it must not know a protocol.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "buf.h"
#include "collate.h"
#include "gemtext.h"
#include "msg.h"
#include "partners.h"
#include "section.h"
#include "trigram.h"
#include "url.h"
#include "utf8.h"

struct partner {
	const char	*name;		/* borrowed: both are in ps->names */
	const char	*url;		/* NULL: no address */
};

struct partners {
	char		*base;		/* owned: "/partner/" */
	char		*base_enc;	/* owned: percent-encoded for links */
	char		*names;		/* owned: the strings of v */
	struct partner	*v;		/* owned: sorted, no duplicates */
	size_t		 n;
	/*
	 * The search forms of v in order, "key_ae \1 key_a \n" each (key_a
	 * and its \1 only where it differs): a folded query holds only
	 * [a-z0-9-], so no match crosses a separator.  hay_off[i] is where
	 * entry i starts, hay_off[n] the end.
	 */
	char		*hay;		/* owned */
	size_t		*hay_off;	/* owned, n + 1 */
	struct trigram	*ix;		/* owned: the index over hay */
	size_t		 gstart[PARTNERS_NGROUPS];
	size_t		 gcount[PARTNERS_NGROUPS];
	const struct msg_table *msg;	/* static: the labels; NULL English */
	char		*note;		/* owned: "#>" lines, gemtext, or NULL */
	char		*nav;		/* owned: "#=>" links, gemtext, or NULL */
};

/*
 * One entry while loading.  The arenas still move then, so the keys are
 * offsets until the file is read, pointers when sorting.
 */
union key {
	size_t		 off;
	const char	*s;
};

struct rawent {
	uint64_t	 prefix[2];	/* the sort key's first 16 bytes */
	union key	 sortkey;	/* in the keys arena */
	union key	 casekey;
	size_t		 name, url;	/* in the names arena */
	size_t		 lineno;
};

#define NO_URL		((size_t)-1)

static const struct {
	const char	*slug;
	const char	*label;
} groups[PARTNERS_NGROUPS] = {
	{ "0-9", NULL },		/* MSG_PARTNERS_GROUP_OTHER */
	{ "a-e", "A-E" },
	{ "f-j", "F-J" },
	{ "k-o", "K-O" },
	{ "p-t", "P-T" },
	{ "u-z", "U-Z" },
};
static size_t
npages(size_t n)
{
	return n == 0 ? 1 : (n + PARTNERS_PER_PAGE - 1) / PARTNERS_PER_PAGE;
}

size_t
partners_npages(size_t n)
{
	return npages(n);
}

void
partners_fold(struct buf *out, const char *s, size_t len)
{
	collate_fold(out, s, len, COLLATE_AE);
}

/*
 * Check one line (without its line end): UTF-8, no control character but
 * at most one TAB, which *TAB is set to.  Returns 0 or -1 with errstr.
 */
static int
check_line(const char *line, size_t len, const char **tab,
    const char **errstr)
{
	unsigned char	 c;
	uint32_t	 cp;
	size_t		 i, n;

	*tab = NULL;
	if (len > PARTNERS_LINE_MAX) {
		*errstr = "line too long";
		return -1;
	}
	for (i = 0; i < len; i += n) {
		c = (unsigned char)line[i];
		n = 1;
		if (c == '\t') {
			if (*tab != NULL) {
				*errstr = "more than one TAB";
				return -1;
			}
			*tab = line + i;
		} else if (c < 0x20 || c == 0x7f) {
			*errstr = "control character";
			return -1;
		} else if (c >= 0x80) {
			if ((n = utf8_decode(line + i, len - i, &cp)) == 0) {
				*errstr = "invalid UTF-8";
				return -1;
			}
			if (cp <= 0x9f) {
				*errstr = "control character";
				return -1;
			}
		}
	}
	return 0;
}

/* Append S with leading and trailing spaces dropped, runs collapsed. */
static void
add_name(struct buf *out, const char *s, size_t len)
{
	const char	*e = s + len, *word;
	size_t		 start = out->len;

	for (;;) {
		while (s < e && *s == ' ')
			s++;
		if (s == e)
			break;
		word = s;
		while (s < e && *s != ' ')
			s++;
		if (out->len > start)
			buf_addc(out, ' ');
		buf_add(out, word, (size_t)(s - word));
	}
}

static int
check_url(const char *s, size_t len, const char **errstr)
{
	static const char *const schemes[] = {
		"http://", "https://", "gemini://", "gopher://"
	};
	size_t	 i, k;

	if (memchr(s, ' ', len) != NULL) {
		*errstr = "space in web address";
		return -1;
	}
	for (i = 0; i < sizeof(schemes) / sizeof(schemes[0]); i++) {
		k = strlen(schemes[i]);
		if (len > k && strncasecmp(s, schemes[i], k) == 0 &&
		    strchr("/?#", s[k]) == NULL)
			return 0;
	}
	*errstr = "web address is not an http, https, gemini or gopher URL";
	return -1;
}

/*
 * Append the web address U (LEN bytes, checked) to OUT with '"', '<' and
 * '>' percent-encoded: RFC 3986 does not allow them in a URL, a Gopher
 * client's "URL:" selector with them is refused, and an HTML page would
 * end its attribute there.
 */
static void
add_url(struct buf *out, const char *u, size_t len)
{
	size_t	 i, run;

	for (i = run = 0; i < len; i++) {
		if (u[i] != '"' && u[i] != '<' && u[i] != '>')
			continue;
		buf_add(out, u + run, i - run);
		buf_addf(out, "%%%02X", (unsigned char)u[i]);
		run = i + 1;
	}
	buf_add(out, u + run, len - run);
}

/*
 * Parse one partner line: its name and address go to NAMES, its sort and
 * case keys to KEYS, the offsets to E.
 */
static int
parse_entry(const char *line, size_t len, const char *tab,
    struct buf *names, struct buf *keys, struct rawent *e,
    const char **errstr)
{
	const char	*u, *ue, *name;
	size_t		 namelen, start, i, k;

	e->url = NO_URL;
	if (tab != NULL) {
		u = tab + 1;
		ue = line + len;
		while (u < ue && *u == ' ')
			u++;
		while (ue > u && ue[-1] == ' ')
			ue--;
		if (u < ue) {
			if (check_url(u, (size_t)(ue - u), errstr) == -1)
				return -1;
			e->url = names->len;
			add_url(names, u, (size_t)(ue - u));
			buf_addc(names, '\0');
		}
		len = (size_t)(tab - line);
	}

	start = names->len;
	add_name(names, line, len);
	if (names->len == start) {
		*errstr = "empty name";
		return -1;
	}
	if (names->failed) {
		*errstr = "out of memory";
		return -1;
	}
	namelen = names->len - start;
	buf_addc(names, '\0');
	e->name = start;

	name = names->data + start;	/* NAMES stays put while KEYS grows */
	e->sortkey.off = keys->len;
	collate_fold(keys, name, namelen, COLLATE_SORT);
	buf_addc(keys, '\0');
	/* strcmp() order is unsigned byte order: big-endian, NUL-padded */
	e->prefix[0] = e->prefix[1] = 0;
	for (i = 0, k = e->sortkey.off; i < 16; i++) {
		e->prefix[i / 8] <<= 8;
		if (!keys->failed && keys->data[k] != '\0')
			e->prefix[i / 8] |= (unsigned char)keys->data[k++];
	}
	e->casekey.off = keys->len;
	collate_casefold(keys, name, namelen);
	buf_addc(keys, '\0');
	if (keys->failed) {
		*errstr = "out of memory";
		return -1;
	}
	return 0;
}

static int
cmp_rawent(const void *a, const void *b)
{
	const struct rawent	*x = a, *y = b;
	int			 r;

	/* most pairs differ in the prefix: no cache miss for the keys */
	if (x->prefix[0] != y->prefix[0])
		return x->prefix[0] < y->prefix[0] ? -1 : 1;
	if (x->prefix[1] != y->prefix[1])
		return x->prefix[1] < y->prefix[1] ? -1 : 1;
	/* equal so far: equal keys if they end there, else read on */
	if ((x->prefix[1] & 0xff) != 0 &&
	    (r = strcmp(x->sortkey.s + 16, y->sortkey.s + 16)) != 0)
		return r;
	if ((r = strcmp(x->casekey.s, y->casekey.s)) != 0)
		return r;
	return x->lineno < y->lineno ? -1 : x->lineno > y->lineno;
}

/* The group of a name whose sort key starts with C. */
static size_t
group_of(unsigned char c)
{
	if (c < 'a' || c > 'z')
		return 0;
	return c >= 'u' ? 5 : 1 + (size_t)(c - 'a') / 5;
}

/*
 * A directive line: "#> TEXT" adds TEXT as a line of the overview's note,
 * "#=> URL LABEL" a link to the navigation of every page (gemtext both,
 * appended to NOTE and NAV).  Any other "#=" line is an error, so that a
 * mistyped directive is not silently a comment.
 */
static int
add_directive(struct buf *note, struct buf *nav, const char *line,
    size_t len, const char **errstr)
{
	const char	*p = line + 2, *end = line + len, *url;
	size_t		 ulen;

	if (line[1] == '>') {
		while (p < end && (*p == ' ' || *p == '\t'))
			p++;
		if (p == end) {
			buf_addc(note, '\n');
			return 0;
		}
		if (*p == '#' || *p == '>' || (end - p >= 2 &&
		    (memcmp(p, "=>", 2) == 0 || memcmp(p, "* ", 2) == 0)) ||
		    (end - p >= 3 && memcmp(p, "```", 3) == 0))
			buf_addc(note, ' ');	/* text, not a gemtext line */
		buf_add(note, p, (size_t)(end - p));
		buf_addc(note, '\n');
		return 0;
	}
	if (len < 3 || line[2] != '>') {
		*errstr = "a directive is \"#> text\" or \"#=> URL label\"";
		return -1;
	}
	for (p = line + 3; p < end && (*p == ' ' || *p == '\t'); p++)
		;
	for (url = p; p < end && *p != ' ' && *p != '\t'; p++)
		;
	if ((ulen = (size_t)(p - url)) == 0) {
		*errstr = "\"#=>\" needs an address";
		return -1;
	}
	while (p < end && (*p == ' ' || *p == '\t'))
		p++;
	buf_adds(nav, "=> ");
	buf_add(nav, url, ulen);
	if (p < end) {
		buf_addc(nav, ' ');
		buf_add(nav, p, (size_t)(end - p));
	}
	buf_addc(nav, '\n');
	return 0;
}

static bool
is_blank(const char *s, size_t len)
{
	size_t	 i;

	for (i = 0; i < len; i++)
		if (s[i] != ' ' && s[i] != '\t')
			return false;
	return true;
}

/*
 * Take the sorted entries RAW into PS->v: duplicates are neighbours now,
 * the first one in the file first, and only that one is kept.  Fills the
 * groups, which are contiguous: their order is the keys' order.
 */
static void
take_sorted(struct partners *ps, const struct rawent *raw, size_t nraw)
{
	size_t	 i, w, g;

	for (i = 0, w = 0; i < nraw; i++) {
		if (i + 16 < nraw)
			__builtin_prefetch(raw[i + 16].casekey.s);
		if (i > 0 && strcmp(raw[i - 1].casekey.s,
		    raw[i].casekey.s) == 0)
			continue;
		ps->v[w].name = ps->names + raw[i].name;
		ps->v[w].url = raw[i].url == NO_URL ? NULL :
		    ps->names + raw[i].url;
		g = group_of((unsigned char)(raw[i].prefix[0] >> 56));
		if (ps->gcount[g]++ == 0)
			ps->gstart[g] = w;
		w++;
	}
	ps->n = w;
	for (g = 1; g < PARTNERS_NGROUPS; g++)
		if (ps->gcount[g] == 0)
			ps->gstart[g] = ps->gstart[g - 1] + ps->gcount[g - 1];
}

/* The search forms of PS->v, in list order, built in HAY.  0 or -1. */
static int
make_hay(struct partners *ps, struct buf *hay)
{
	size_t	 i;

	if ((ps->hay_off = calloc(ps->n + 1, sizeof(*ps->hay_off))) == NULL)
		return -1;
	for (i = 0; i < ps->n; i++) {
		/* the names are in file order, read here in list order */
		if (i + 16 < ps->n)
			__builtin_prefetch(ps->v[i + 16].name);
		ps->hay_off[i] = hay->len;
		collate_forms(hay, ps->v[i].name);
	}
	ps->hay_off[ps->n] = hay->len;
	if (hay->failed || (ps->hay = buf_take(hay, NULL)) == NULL)
		return -1;
	return 0;
}

struct partners *
partners_load(const char *data, size_t len, const char *base,
    const char **errstr, size_t *lineno)
{
	struct partners	*ps = NULL;
	struct rawent	*raw = NULL, *tmp;
	struct buf	 names = BUF_INIT, keys = BUF_INIT, enc = BUF_INIT;
	struct buf	 note = BUF_INIT, nav = BUF_INIT;
	const char	*line, *end, *tab;
	size_t		 i, next, ll, ln, nraw = 0, capraw = 0;

	*lineno = 0;
	if (base[0] != '/' || base[strlen(base) - 1] != '/') {
		*errstr = "base is not an absolute folder path";
		return NULL;
	}
	if ((ps = calloc(1, sizeof(*ps))) == NULL ||
	    (ps->base = strdup(base)) == NULL)
		goto nomem;
	url_encode_path(&enc, base);
	if ((ps->base_enc = buf_take(&enc, NULL)) == NULL)
		goto nomem;

	if (len >= 3 && memcmp(data, "\xef\xbb\xbf", 3) == 0) {
		data += 3;
		len -= 3;
	}
	for (i = 0, ln = 1; i < len; i = next, ln++) {
		line = data + i;
		end = memchr(line, '\n', len - i);
		ll = end != NULL ? (size_t)(end - line) : len - i;
		next = i + ll + 1;
		if (ll > 0 && line[ll - 1] == '\r')	/* CRLF */
			ll--;
		if (check_line(line, ll, &tab, errstr) == -1) {
			*lineno = ln;
			goto bad;
		}
		if (ll >= 2 && line[0] == '#' && (line[1] == '>' ||
		    line[1] == '=')) {
			if (add_directive(&note, &nav, line, ll, errstr) ==
			    -1) {
				*lineno = ln;
				goto bad;
			}
			continue;
		}
		if (is_blank(line, ll) || line[0] == '#')
			continue;
		if (nraw == capraw) {
			capraw = capraw ? capraw * 2 : 256;
			if ((tmp = reallocarray(raw, capraw,
			    sizeof(*raw))) == NULL)
				goto nomem;
			raw = tmp;
		}
		raw[nraw].lineno = ln;
		if (parse_entry(line, ll, tab, &names, &keys, &raw[nraw],
		    errstr) == -1) {
			*lineno = ln;
			goto bad;
		}
		nraw++;
	}
	if (nraw >= UINT32_MAX) {
		*errstr = "too many partners";
		goto bad;
	}

	if ((note.len > 0 && (ps->note = buf_take(&note, NULL)) == NULL) ||
	    (nav.len > 0 && (ps->nav = buf_take(&nav, NULL)) == NULL))
		goto nomem;
	/* the arenas are done: sort by pointers */
	if (names.failed || keys.failed ||
	    (ps->names = buf_take(&names, NULL)) == NULL)
		goto nomem;
	for (i = 0; i < nraw; i++) {
		raw[i].sortkey.s = keys.data + raw[i].sortkey.off;
		raw[i].casekey.s = keys.data + raw[i].casekey.off;
	}
	if (nraw > 0)
		qsort(raw, nraw, sizeof(*raw), cmp_rawent);

	/* duplicates are neighbours now, the first one in the file first */
	if (nraw > 0 && (ps->v = calloc(nraw, sizeof(*ps->v))) == NULL)
		goto nomem;
	take_sorted(ps, raw, nraw);
	free(raw);
	raw = NULL;
	buf_free(&keys);

	/* the search forms, in list order, and their index */
	if (make_hay(ps, &enc) == -1)
		goto nomem;
	if ((ps->ix = trigram_build(ps->hay, ps->hay_off, ps->n, errstr)) ==
	    NULL)
		goto bad;
	return ps;

 nomem:
	*errstr = "out of memory";
 bad:
	free(raw);
	buf_free(&names);
	buf_free(&keys);
	buf_free(&enc);
	buf_free(&note);
	buf_free(&nav);
	partners_free(ps);
	return NULL;
}

void
partners_free(struct partners *ps)
{
	if (ps == NULL)
		return;
	free(ps->base);
	free(ps->base_enc);
	free(ps->names);
	free(ps->v);
	free(ps->hay);
	free(ps->hay_off);
	trigram_free(ps->ix);
	free(ps->note);
	free(ps->nav);
	free(ps);
}

size_t
partners_count(const struct partners *ps)
{
	return ps->n;
}

const char *
partners_name(const struct partners *ps, size_t i)
{
	return i < ps->n ? ps->v[i].name : NULL;
}

const char *
partners_url(const struct partners *ps, size_t i)
{
	return i < ps->n ? ps->v[i].url : NULL;
}

const char *
partners_group_slug(size_t g)
{
	return g < PARTNERS_NGROUPS ? groups[g].slug : NULL;
}

size_t
partners_group_count(const struct partners *ps, size_t g)
{
	return g < PARTNERS_NGROUPS ? ps->gcount[g] : 0;
}

void
partners_set_msg(struct partners *ps, const struct msg_table *t)
{
	ps->msg = t;
}

#define M(id)	msg_get(ps->msg, (id))

static const char *
group_label(const struct partners *ps, int g)
{
	return groups[g].label != NULL ? groups[g].label :
	    M(MSG_PARTNERS_GROUP_OTHER);
}

/* "=> BASE" REL " " LABEL; REL is made of safe characters only. */
static void
add_link(struct buf *out, const struct partners *ps, const char *rel,
    const char *label)
{
	buf_addf(out, "=> %s%s %s\n", ps->base_enc, rel, label);
}

static void
add_entry(struct buf *out, const struct partner *e)
{
	if (e->url != NULL) {
		buf_adds(out, "=> ");
		buf_adds(out, e->url);
		buf_addc(out, ' ');
		buf_adds(out, e->name);
		buf_addc(out, '\n');
	} else {
		buf_adds(out, "* ");	/* one partner, one list item */
		buf_adds(out, e->name);
		buf_addc(out, '\n');
	}
}

/* The address of page PAGE of group G (-1: the whole list), below BASE. */
static void
page_rel(const struct partners *ps, char *dst, size_t size, int g,
    size_t page)
{
	const char	*dir = g < 0 ? "" : groups[g].slug;
	const char	*slash = g < 0 ? "" : "/";

	if (page == 1)
		snprintf(dst, size, "%s%s", dir, slash);
	else
		snprintf(dst, size, "%s%s%s%zu.gmi", dir, slash,
		    M(MSG_URL_PAGE), page);
}

/*
 * The navigation, once per page and at its end: the overview and the
 * search (each unless the page has it already; SEARCH is its label),
 * the capsule's "#=>" links, home.
 */
static void
add_footer(struct buf *out, const struct partners *ps, bool overview,
    const char *search)
{
	buf_adds(out, "\n");
	if (overview)
		add_link(out, ps, "", M(MSG_PARTNERS_OVERVIEW));
	if (search != NULL)
		add_link(out, ps, M(MSG_URL_SEARCH), search);
	if (ps->nav != NULL)
		buf_adds(out, ps->nav);
	buf_addf(out, "=> / %s\n", M(MSG_HOME));
}

/* Page PAGE of group G, or of the whole list when G < 0. */
static void
render_list(struct buf *out, const struct partners *ps, int g, size_t page)
{
	char	 rel[64], label[128];
	size_t	 first, count, last, i, np, k;

	first = g < 0 ? 0 : ps->gstart[g];
	count = g < 0 ? ps->n : ps->gcount[g];
	np = npages(count);

	buf_adds(out, "# ");
	if (g < 0)
		buf_adds(out, M(MSG_PARTNERS_TITLE));
	else
		buf_addf(out, M(MSG_PARTNERS_GROUP), group_label(ps, g));
	buf_adds(out, "\n");
	buf_addf(out, M(MSG_PARTNERS_COUNT), count);
	buf_adds(out, "\n");
	if (g < 0 && page == 1 && ps->note != NULL)
		buf_adds(out, ps->note);
	if (g < 0 && page == 1) {
		buf_addf(out, "\n## %s\n", M(MSG_PARTNERS_BY_LETTER));
		for (k = 0; k < PARTNERS_NGROUPS; k++) {
			if (k == 0 && ps->gcount[k] == 0)
				continue;
			snprintf(label, sizeof(label), "%s (%zu)",
			    group_label(ps, (int)k), ps->gcount[k]);
			if (ps->gcount[k] == 0) {	/* nothing to follow */
				buf_adds(out, label);
				buf_addc(out, '\n');
				continue;
			}
			page_rel(ps, rel, sizeof(rel), (int)k, 1);
			add_link(out, ps, rel, label);
		}
		add_link(out, ps, M(MSG_URL_SEARCH), M(MSG_PARTNERS_SEARCH));
		buf_addf(out, "\n## %s\n", M(MSG_PARTNERS_ALL));
	}
	if (np > 1) {
		buf_addf(out, M(MSG_PAGE_N_OF_M), page, np);
		buf_adds(out, "\n");
	}
	buf_adds(out, "\n");

	if (count == 0) {
		if (g < 0)
			buf_adds(out, M(MSG_PARTNERS_NONE));
		else
			buf_addf(out, M(MSG_PARTNERS_NONE_IN),
			    group_label(ps, g));
		buf_adds(out, "\n");
	}
	i = first + (page - 1) * PARTNERS_PER_PAGE;
	last = first + count;
	if (last > i + PARTNERS_PER_PAGE)
		last = i + PARTNERS_PER_PAGE;
	for (; i < last; i++)
		add_entry(out, &ps->v[i]);

	if (np > 1)
		buf_adds(out, "\n");
	if (page > 1) {
		page_rel(ps, rel, sizeof(rel), g, page - 1);
		snprintf(label, sizeof(label), M(MSG_PREV_PAGE), page - 1, np);
		add_link(out, ps, rel, label);
	}
	if (page < np) {
		page_rel(ps, rel, sizeof(rel), g, page + 1);
		snprintf(label, sizeof(label), M(MSG_NEXT_PAGE), page + 1, np);
		add_link(out, ps, rel, label);
	}
	if (g < 0 && page == 1)
		add_footer(out, ps, false, NULL);
	else
		add_footer(out, ps, true, M(MSG_PARTNERS_SEARCH));
}

static int
add_page(struct section_page *pg, const struct partners *ps, int g,
    size_t page)
{
	struct buf	 b = BUF_INIT;
	char		 rel[64];

	page_rel(ps, rel, sizeof(rel), g, page);
	buf_addf(&b, "%s%s", ps->base, rel);
	if ((pg->path = buf_take(&b, NULL)) == NULL)
		return -1;
	render_list(&b, ps, g, page);
	if ((pg->text = buf_take(&b, &pg->len)) == NULL)
		return -1;
	return 0;
}

int
partners_render(const struct partners *ps, bool all,
    struct section_page **pagesp, size_t *npagesp, const char **errstr)
{
	struct section_page	*pages;
	size_t			 total = 0, n = 0, page, np;
	int			 g;

	for (g = -1; g < PARTNERS_NGROUPS; g++)
		total += all ? npages(g < 0 ? ps->n : ps->gcount[g]) : 1;
	if ((pages = calloc(total, sizeof(*pages))) == NULL)
		goto nomem;
	for (g = -1; g < PARTNERS_NGROUPS; g++) {
		np = all ? npages(g < 0 ? ps->n : ps->gcount[g]) : 1;
		for (page = 1; page <= np; page++)
			if (add_page(&pages[n++], ps, g, page) == -1)
				goto nomem;
	}
	*pagesp = pages;
	*npagesp = n;
	return 0;
 nomem:
	section_pages_free(pages, total);
	*errstr = "out of memory";
	return -1;
}

bool
partners_is_list(const struct partners *ps, const char *path, int *group,
    size_t *page)
{
	static const char	 sfx[] = ".gmi";
	const char		*pfx = M(MSG_URL_PAGE);
	const char		*p;
	size_t			 blen = strlen(ps->base), slen, n = 0, d;
	int			 g;

	if (strncmp(path, ps->base, blen) != 0)
		return false;
	p = path + blen;
	*group = -1;
	for (g = 0; g < PARTNERS_NGROUPS; g++) {
		slen = strlen(groups[g].slug);
		if (strncmp(p, groups[g].slug, slen) == 0 && p[slen] == '/') {
			*group = g;
			p += slen + 1;
			break;
		}
	}
	if (strncmp(p, pfx, strlen(pfx)) != 0)
		return false;
	p += strlen(pfx);
	if (*p < '1' || *p > '9')
		return false;
	for (d = 0; *p >= '0' && *p <= '9'; p++) {
		if (++d > 9)
			return false;
		n = n * 10 + (size_t)(*p - '0');
	}
	if (strcmp(p, sfx) != 0)
		return false;
	*page = n;
	/* page 1 is the folder's own page */
	return n >= 2 && n <= npages(*group < 0 ? ps->n : ps->gcount[*group]);
}

int
partners_list_page(const struct partners *ps, int group, size_t page,
    struct buf *out, const char **errstr)
{
	if (group < -1 || group >= PARTNERS_NGROUPS || page < 1 ||
	    page > npages(group < 0 ? ps->n : ps->gcount[group])) {
		*errstr = "no such page";
		return -1;
	}
	render_list(out, ps, group, page);
	if (out->failed) {
		*errstr = "out of memory";
		return -1;
	}
	return 0;
}

bool
partners_is_search(const struct partners *ps, const char *path,
    size_t *page, const char **pathq)
{
	const char	*p;
	size_t		 blen = strlen(ps->base), n = 0, digits = 0, qlen;

	if (strncmp(path, ps->base, blen) != 0)
		return false;
	p = path + blen;
	if (strncmp(p, M(MSG_URL_SEARCH), strlen(M(MSG_URL_SEARCH))) != 0)
		return false;
	p += strlen(M(MSG_URL_SEARCH));
	*pathq = NULL;
	*page = 1;
	if (*p == '\0')
		return true;
	if (*p++ != '/' || *p < '1' || *p > '9')
		return false;
	for (; *p >= '0' && *p <= '9'; p++) {
		if (++digits > 9)
			return false;
		n = n * 10 + (size_t)(*p - '0');
	}
	*page = n;
	if (*p == '\0')
		return true;
	if (*p++ != '/')
		return false;
	qlen = strlen(p);
	if (qlen == 0 || qlen > PARTNERS_QUERY_MAX ||
	    strspn(p, "abcdefghijklmnopqrstuvwxyz0123456789-") != qlen)
		return false;
	*pathq = p;
	return true;
}

size_t
partners_find(const struct partners *ps, const char *fq, size_t from,
    size_t *sel, size_t nsel, size_t max, bool *partial)
{
	return trigram_find(ps->ix, fq, from, sel, nsel, max, partial);
}

size_t
partners_find_linear(const struct partners *ps, const char *fq,
    size_t from, size_t *sel, size_t nsel, size_t max)
{
	return trigram_find_linear(ps->ix, fq, from, sel, nsel, max);
}

/* The address of result page PAGE, below BASE. */
static void
add_result_link(struct buf *out, const struct partners *ps,
    const char *query, const char *fq, size_t page,
    enum partners_link link, const char *label)
{
	buf_addf(out, "=> %s%s", ps->base_enc, M(MSG_URL_SEARCH));
	if (link == PARTNERS_LINK_PATH)
		buf_addf(out, "/%zu/%s", page, fq);
	else {
		if (page > 1)
			buf_addf(out, "/%zu", page);
		buf_addc(out, '?');
		url_encode_path(out, query);
	}
	buf_addf(out, " %s\n", label);
}

static int
check_query(const char *query, size_t len, const char **errstr)
{
	const unsigned char	*u;
	uint32_t		 cp;
	size_t			 i, n;

	if (len > PARTNERS_QUERY_MAX) {
		*errstr = "search query too long";
		return -1;
	}
	if (!utf8_is_valid(query, len)) {
		*errstr = "search query is not UTF-8";
		return -1;
	}
	for (i = 0, u = (const unsigned char *)query; i < len; i += n) {
		n = utf8_decode(query + i, len - i, &cp);
		if (u[i] < 0x20 || u[i] == 0x7f || (cp >= 0x80 && cp <= 0x9f)) {
			*errstr = "control character in search query";
			return -1;
		}
	}
	return 0;
}

/* partners_search(), and the hits counted (at most the max) to *HITSP. */
static int
search_page(const struct partners *ps, const char *query, size_t page,
    enum partners_link link, struct buf *out, size_t *hitsp,
    const char **errstr)
{
	char	 fq[PARTNERS_QUERY_MAX + 1], label[128];
	size_t	 len = strlen(query), start = out->len, hits = 0, i, np, from;
	size_t	 sel[PARTNERS_PER_PAGE], nsel;
	bool	 partial, more;

	if (check_query(query, len, errstr) == -1)
		return -1;
	if (page == 0)
		page = 1;
	/* fold into OUT's spare room: no allocation but OUT's */
	collate_fold(out, query, len, COLLATE_AE);
	if (out->failed)
		goto nomem;
	/* the folded form is never longer than the query */
	if ((i = out->len - start) > PARTNERS_QUERY_MAX) {
		out->len = start;
		out->data[start] = '\0';
		*errstr = "search query too long";
		return -1;
	}
	if (i > 0) {
		memcpy(fq, out->data + start, i);
		out->len = start;
		out->data[start] = '\0';
	}
	fq[i] = '\0';

	buf_addf(out, "# %s\n", M(MSG_SEARCH_TITLE));
	if (fq[0] == '\0') {
		buf_addf(out, "%s\n", M(MSG_SEARCH_EMPTY));
		add_footer(out, ps, true, M(MSG_PARTNERS_SEARCH));
		goto done;
	}
	from = (page - 1) * PARTNERS_PER_PAGE;
	hits = partners_find(ps, fq, from, sel, PARTNERS_PER_PAGE,
	    PARTNERS_HITS_MAX, &partial);
	more = hits > PARTNERS_HITS_MAX;
	if (more)
		hits = PARTNERS_HITS_MAX;
	/* the hits on this page: SEL may hold one past the count */
	nsel = hits > from ? hits - from : 0;
	if (nsel > PARTNERS_PER_PAGE)
		nsel = PARTNERS_PER_PAGE;
	if (more)
		buf_addf(out, M(MSG_SEARCH_MORE), hits, query, hits);
	else if (partial && hits == 0)
		buf_addf(out, M(MSG_SEARCH_STOPPED_NONE), query);
	else if (partial)
		buf_addf(out, M(MSG_SEARCH_STOPPED), hits, query);
	else if (hits == 0)
		buf_addf(out, M(MSG_SEARCH_NO_HITS), query);
	else
		buf_addf(out, M(MSG_SEARCH_HITS), hits, query);
	buf_adds(out, "\n");
	np = npages(hits);
	if (hits > 0 && page > np) {
		buf_addf(out, M(np == 1 ? MSG_SEARCH_NO_PAGE_1 :
		    MSG_SEARCH_NO_PAGE_N), page, np);
		buf_adds(out, "\n\n");
		add_result_link(out, ps, query, fq, 1, link,
		    M(MSG_SEARCH_FIRST_PAGE));
	} else if (hits > 0) {
		if (np > 1) {
			buf_addf(out, M(MSG_PAGE_N_OF_M), page, np);
			buf_adds(out, "\n");
		}
		buf_adds(out, "\n");
		for (i = 0; i < nsel; i++)
			add_entry(out, &ps->v[sel[i]]);
		if (np > 1)
			buf_adds(out, "\n");
		if (page > 1) {
			snprintf(label, sizeof(label), M(MSG_PREV_PAGE),
			    page - 1, np);
			add_result_link(out, ps, query, fq, page - 1, link,
			    label);
		}
		if (page < np) {
			snprintf(label, sizeof(label), M(MSG_NEXT_PAGE),
			    page + 1, np);
			add_result_link(out, ps, query, fq, page + 1, link,
			    label);
		}
	}
	add_footer(out, ps, true, M(MSG_SEARCH_NEW));
 done:
	*hitsp = hits;
	if (out->failed)
		goto nomem;
	return 0;
 nomem:
	*errstr = "out of memory";
	return -1;
}

int
partners_search(const struct partners *ps, const char *query, size_t page,
    enum partners_link link, struct buf *out, const char **errstr)
{
	size_t	 hits;

	return search_page(ps, query, page, link, out, &hits, errstr);
}

/*
 * The directory as a generated section (section.h): its list pages past
 * the first of each list and its search, answered on request.
 */
static bool
sec_match(const void *ctx, const char *path, struct section_req *req)
{
	const char	*pathq;

	if (partners_is_list(ctx, path, &req->list, &req->page)) {
		req->op = SECTION_LIST;
		return true;
	}
	if (!partners_is_search(ctx, path, &req->page, &pathq))
		return false;
	req->op = pathq != NULL ? SECTION_SEARCH : SECTION_INPUT;
	req->query = pathq;
	req->query_in_path = pathq != NULL;
	return true;
}

static int
sec_list(const void *ctx, int group, size_t page, struct result *res)
{
	const struct partners	*ps = ctx;

	res->title = group < 0 || group >= PARTNERS_NGROUPS ?
	    M(MSG_PARTNERS_TITLE) : group_label(ps, group);
	res->count = group < 0 || group >= PARTNERS_NGROUPS ? ps->n :
	    ps->gcount[group];
	res->npages = npages(res->count);
	if (partners_list_page(ps, group, page, &res->text, &res->why) ==
	    -1) {
		res->status = RESULT_FAILED;
		return -1;
	}
	return 0;
}

static int
sec_search(const void *ctx, const char *query, size_t page,
    enum section_link link, struct result *res)
{
	const struct partners	*ps = ctx;

	res->title = M(MSG_SEARCH_TITLE);
	if (search_page(ps, query, page, link == SECTION_LINK_QUERY ?
	    PARTNERS_LINK_QUERY : PARTNERS_LINK_PATH, &res->text,
	    &res->count, &res->why) == -1) {
		res->status = RESULT_BAD_QUERY;
		return -1;
	}
	res->npages = npages(res->count);
	return 0;
}

static const char *
sec_prompt(const void *ctx)
{
	const struct partners	*ps = ctx;

	return M(MSG_PARTNERS_PROMPT);
}

/* The pages of every list past the first: those sec_match() names. */
static int
sec_pages(const void *ctx, struct section_page **pagesp, size_t *np,
    const char **errstr)
{
	struct section_req	 req;
	struct section_page	*pages = NULL, tmp;
	size_t			 i, n = 0, w = 0;

	*pagesp = NULL;
	*np = 0;
	if (partners_render(ctx, true, &pages, &n, errstr) == -1)
		return -1;
	/* those first, the pages the site holds after them, then freed */
	for (i = 0; i < n; i++) {
		if (!sec_match(ctx, pages[i].path, &req) ||
		    req.op != SECTION_LIST)
			continue;
		tmp = pages[w];
		pages[w++] = pages[i];
		pages[i] = tmp;
	}
	for (i = w; i < n; i++) {
		free(pages[i].path);
		free(pages[i].text);
		pages[i].path = pages[i].text = NULL;
	}
	*pagesp = pages;
	*np = w;
	return 0;
}

/*
 * For robots.txt: the search ("search", "search/N", "search?Q") and the
 * list pages past the first ("page-N.gmi" of the whole list and of each
 * group), as the plain prefixes that name exactly them below the base
 * (page 1 of a list is the folder itself, never "page-1.gmi").
 */
static void
sec_robots(const void *ctx, struct buf *out)
{
	const struct partners	*ps = ctx;
	int			 g;

	buf_addf(out, "Disallow: %s%s\n", ps->base_enc, M(MSG_URL_SEARCH));
	buf_addf(out, "Disallow: %s%s\n", ps->base_enc, M(MSG_URL_PAGE));
	for (g = 0; g < PARTNERS_NGROUPS; g++)
		buf_addf(out, "Disallow: %s%s/%s\n", ps->base_enc,
		    groups[g].slug, M(MSG_URL_PAGE));
}

static void
sec_free(void *ctx)
{
	partners_free(ctx);
}

const struct section_ops partners_section = {
	.name = "partners",
	.match = sec_match,
	.list = sec_list,
	.search = sec_search,
	.prompt = sec_prompt,
	.pages = sec_pages,
	.robots = sec_robots,
	.free = sec_free,
};
