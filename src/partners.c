/*
 * partners: the partner directory.  See partners.h for the file format,
 * the order, the addresses and the search rules.
 *
 * At load every name gets four keys, kept in one arena: the DIN 5007-1
 * sort key, the case-folded name (duplicates, ties) and the two search
 * forms (ä -> ae and ä -> a).  Sorting compares keys with strcmp() only,
 * and a search is one strstr() per name and form.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "buf.h"
#include "gemtext.h"
#include "msg.h"
#include "partners.h"
#include "url.h"
#include "utf8.h"

enum fold {
	FOLD_SORT,	/* [a-z0-9], ' ' for a run of signs, 0x01 + other */
	FOLD_AE,	/* search: [a-z0-9-], ä -> ae */
	FOLD_A,		/* search: [a-z0-9-], ä -> a */
};

struct partner {
	const char	*name;		/* borrowed: all strings are in */
	const char	*url;		/* ps->arena; url may be NULL */
	const char	*sortkey;
	const char	*casekey;
	const char	*key_ae;
	const char	*key_a;
	size_t		 lineno;
};

struct partners {
	char		*base;		/* owned: "/partner/" */
	char		*base_enc;	/* owned: percent-encoded for links */
	char		*arena;		/* owned: the strings of v */
	struct partner	*v;		/* owned: sorted, no duplicates */
	size_t		 n;
	/*
	 * The search keys of v in order, "key_ae \1 key_a \n" each, so
	 * one memmem() pass finds the hits in order; a folded query holds
	 * only [a-z0-9-], so no match crosses a separator.  hay_off[i] is
	 * where entry i starts, hay_off[n] the end.
	 */
	char		*hay;		/* owned */
	size_t		*hay_off;	/* owned, n + 1 */
	size_t		 gstart[PARTNERS_NGROUPS];
	size_t		 gcount[PARTNERS_NGROUPS];
	const struct msg_table *msg;	/* static: the labels; NULL English */
};

/* While loading, the arena still moves: keep offsets. */
struct rawent {
	size_t		 name, url, sortkey, casekey, key_ae, key_a;
	size_t		 lineno;
};

#define NO_URL		((size_t)-1)

static const struct {
	const char	*slug;
	const char	*label;
} groups[PARTNERS_NGROUPS] = {
	{ "0-9", NULL },		/* MSG_PARTNERS_GROUP_OTHER */
	{ "a-e", "A–E" },
	{ "f-j", "F–J" },
	{ "k-o", "K–O" },
	{ "p-t", "P–T" },
	{ "u-z", "U–Z" },
};

/*
 * Base letters of U+00C0-U+00FF and U+0100-U+017F.  A digit marks a
 * letter that becomes more than one, ' ' a sign (× and ÷).
 */
static const char latin1[] =
    "aaaa1a2ceeeeiiiidnoooo3 ouuu4y56"		/* U+00C0 */
    "aaaa1a2ceeeeiiiidnoooo3 ouuu4y5y";		/* U+00E0 */
static const char latin_ext_a[] =
    "aaaaaaccccccccddddeeeeeeeeeegggggggghhhhiiiiiiiiii77jjkkk"
    "llllllllllnnnnnnnnnoooooo88rrrrrrssssssssttttttuuuuuuuuuuuu"
    "wwyyyzzzzzzs";

_Static_assert(sizeof(latin1) == 64 + 1, "latin1 covers U+00C0-U+00FF");
_Static_assert(sizeof(latin_ext_a) == 128 + 1,
    "latin_ext_a covers U+0100-U+017F");

static const char *const multi[] = {
	NULL, "ae", "ae", "oe", "ue", "th", "ss", "ij", "oe"
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

static bool
is_alnum(uint32_t c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9');
}

/* Spaces and punctuation: they separate words. */
static bool
is_sign(uint32_t cp)
{
	return (cp < 0x80 && !is_alnum(cp)) || (cp >= 0xa0 && cp <= 0xbf) ||
	    cp == 0xd7 || cp == 0xf7 || (cp >= 0x2000 && cp <= 0x206f) ||
	    cp == 0x3000;
}

/*
 * The ASCII letters the code point CP stands for in MODE, written to ONE
 * when it is a single one; NULL if CP is no Latin letter or digit.
 */
static const char *
letters(uint32_t cp, enum fold mode, char one[2])
{
	char	 c;

	if (cp < 0x80) {
		if (!is_alnum(cp))
			return NULL;
		one[0] = (char)(cp >= 'A' && cp <= 'Z' ? cp - 'A' + 'a' : cp);
		one[1] = '\0';
		return one;
	}
	if (cp >= 0xc0 && cp <= 0xff)
		c = latin1[cp - 0xc0];
	else if (cp >= 0x100 && cp <= 0x17f)
		c = latin_ext_a[cp - 0x100];
	else if (cp == 0x1e9e)		/* capital sharp s */
		c = '6';
	else
		return NULL;
	if (c == ' ')
		return NULL;
	if (c >= '1' && c <= '8') {
		/* ä, ö, ü: one letter to sort by, two to search by */
		if (mode != FOLD_AE && c == '1')
			return "a";
		if (mode != FOLD_AE && c == '3')
			return "o";
		if (mode != FOLD_AE && c == '4')
			return "u";
		return multi[c - '0'];
	}
	one[0] = c;
	one[1] = '\0';
	return one;
}

/*
 * Append the key of the UTF-8 text S (LEN bytes) for MODE to OUT, without
 * its NUL.  A run of signs becomes one separator, never at the end, nor at
 * the start of a search form.  A leading sign is kept in the sort key so
 * that such names sort (and group) before digits and letters.
 */
static void
fold(struct buf *out, const char *s, size_t len, enum fold mode)
{
	const char	*r;
	uint32_t	 cp;
	size_t		 n, w = 0;
	bool		 sep = false, any = false;
	char		 one[2], last = '\0', tmp[256];

	while (len > 0) {
		/* one code point adds at most 6 bytes: flush before */
		if (w > sizeof(tmp) - 8) {
			buf_add(out, tmp, w);
			w = 0;
		}
		if ((n = utf8_decode(s, len, &cp)) == 0) {
			n = 1;
			cp = 0xfffd;
		}
		if (cp >= 0x300 && cp <= 0x36f) {
			/* combining: u + U+0308 is ü */
			if (cp == 0x308 && mode == FOLD_AE && !sep &&
			    (last == 'a' || last == 'o' || last == 'u'))
				tmp[w++] = last = 'e';
			goto next;
		}
		r = letters(cp, mode, one);
		if (r == NULL && (mode != FOLD_SORT || is_sign(cp))) {
			sep = true;
			goto next;
		}
		if (sep && (mode == FOLD_SORT || any))
			tmp[w++] = mode == FOLD_SORT ? ' ' : '-';
		sep = false;
		any = true;
		if (r == NULL) {
			/* other scripts sort after signs, by code point */
			tmp[w++] = '\x01';
			memcpy(tmp + w, s, n);
			w += n;
			last = '\0';
		} else {
			while (*r != '\0')
				tmp[w++] = last = *r++;
		}
 next:
		s += n;
		len -= n;
	}
	buf_add(out, tmp, w);
}

void
partners_fold(struct buf *out, const char *s, size_t len)
{
	fold(out, s, len, FOLD_AE);
}

static uint32_t
lower(uint32_t cp)
{
	if (cp >= 'A' && cp <= 'Z')
		return cp + 0x20;
	if (cp >= 0xc0 && cp <= 0xde && cp != 0xd7)
		return cp + 0x20;
	if (cp == 0x130)
		return 'i';
	if (cp == 0x178)
		return 0xff;
	if ((cp >= 0x100 && cp <= 0x137) || (cp >= 0x14a && cp <= 0x177))
		return cp | 1;
	if ((cp >= 0x139 && cp <= 0x148) || (cp >= 0x179 && cp <= 0x17e))
		return (cp & 1) ? cp + 1 : cp;
	return cp;
}

/*
 * Append the case-folded S to OUT: lower case for ASCII, Latin-1 and
 * Latin Extended-A, ß -> ss.  Equal keys mean duplicate names; equal keys
 * also have equal sort keys, which keeps duplicates next to each other.
 */
static void
casefold(struct buf *out, const char *s, size_t len)
{
	uint32_t	 cp;
	size_t		 n, w = 0;
	char		 tmp[256];

	while (len > 0) {
		if (w > sizeof(tmp) - 8) {
			buf_add(out, tmp, w);
			w = 0;
		}
		if ((n = utf8_decode(s, len, &cp)) == 0) {
			n = 1;
			cp = 0xfffd;
		}
		cp = lower(cp);
		if (cp == 0xdf || cp == 0x1e9e) {
			tmp[w++] = 's';
			tmp[w++] = 's';
		} else if (cp < 0x80)
			tmp[w++] = (char)cp;
		else if (cp < 0x800) {
			tmp[w++] = (char)(0xc0 | cp >> 6);
			tmp[w++] = (char)(0x80 | (cp & 0x3f));
		} else {
			memcpy(tmp + w, s, n);	/* not changed by lower() */
			w += n;
		}
		s += n;
		len -= n;
	}
	buf_add(out, tmp, w);
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

/* Parse one partner line; its keys go to ARENA, the offsets to E. */
static int
parse_entry(const char *line, size_t len, const char *tab,
    struct buf *arena, struct rawent *e, const char **errstr)
{
	const char	*u, *ue;
	char		 copy[PARTNERS_LINE_MAX];
	size_t		 namelen, start;

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
			e->url = arena->len;
			buf_add(arena, u, (size_t)(ue - u));
			buf_addc(arena, '\0');
		}
		len = (size_t)(tab - line);
	}

	start = arena->len;
	add_name(arena, line, len);
	if (arena->len == start) {
		*errstr = "empty name";
		return -1;
	}
	if (arena->failed) {
		*errstr = "out of memory";
		return -1;
	}
	namelen = arena->len - start;
	buf_addc(arena, '\0');
	e->name = start;

	/* the arena moves as it grows: fold from a copy of the name */
	memcpy(copy, arena->data + start, namelen);
	e->sortkey = arena->len;
	fold(arena, copy, namelen, FOLD_SORT);
	buf_addc(arena, '\0');
	e->casekey = arena->len;
	casefold(arena, copy, namelen);
	buf_addc(arena, '\0');
	e->key_ae = arena->len;
	fold(arena, copy, namelen, FOLD_AE);
	buf_addc(arena, '\0');
	e->key_a = arena->len;
	fold(arena, copy, namelen, FOLD_A);
	buf_addc(arena, '\0');
	if (arena->failed) {
		*errstr = "out of memory";
		return -1;
	}
	return 0;
}

static int
cmp_partner(const void *a, const void *b)
{
	const struct partner	*x = a, *y = b;
	int			 r;

	if ((r = strcmp(x->sortkey, y->sortkey)) != 0)
		return r;
	if ((r = strcmp(x->casekey, y->casekey)) != 0)
		return r;
	return x->lineno < y->lineno ? -1 : x->lineno > y->lineno;
}

static size_t
group_of(const char *sortkey)
{
	unsigned char	 c = (unsigned char)sortkey[0];

	if (c < 'a' || c > 'z')
		return 0;
	return c >= 'u' ? 5 : 1 + (size_t)(c - 'a') / 5;
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

struct partners *
partners_load(const char *data, size_t len, const char *base,
    const char **errstr, size_t *lineno)
{
	struct partners	*ps = NULL;
	struct rawent	*raw = NULL, *tmp;
	struct buf	 arena = BUF_INIT, enc = BUF_INIT;
	const char	*line, *end, *tab;
	size_t		 i, next, ll, ln, nraw = 0, capraw = 0, g, w;

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
		if (parse_entry(line, ll, tab, &arena, &raw[nraw],
		    errstr) == -1) {
			*lineno = ln;
			goto bad;
		}
		nraw++;
	}

	if (arena.failed || (ps->arena = buf_take(&arena, NULL)) == NULL)
		goto nomem;
	if (nraw > 0 && (ps->v = calloc(nraw, sizeof(*ps->v))) == NULL)
		goto nomem;
	for (i = 0; i < nraw; i++) {
		ps->v[i].name = ps->arena + raw[i].name;
		ps->v[i].url = raw[i].url == NO_URL ? NULL :
		    ps->arena + raw[i].url;
		ps->v[i].sortkey = ps->arena + raw[i].sortkey;
		ps->v[i].casekey = ps->arena + raw[i].casekey;
		ps->v[i].key_ae = ps->arena + raw[i].key_ae;
		ps->v[i].key_a = ps->arena + raw[i].key_a;
		ps->v[i].lineno = raw[i].lineno;
	}
	free(raw);
	raw = NULL;
	if (nraw > 0)
		qsort(ps->v, nraw, sizeof(*ps->v), cmp_partner);

	/* duplicates are neighbours now, the first one in the file first */
	for (i = 0, w = 0; i < nraw; i++) {
		if (w > 0 && strcmp(ps->v[w - 1].casekey,
		    ps->v[i].casekey) == 0)
			continue;
		ps->v[w++] = ps->v[i];
	}
	ps->n = w;

	/* groups are contiguous: their order is the order of sort keys */
	for (i = ps->n; i > 0; i--) {
		g = group_of(ps->v[i - 1].sortkey);
		ps->gstart[g] = i - 1;
		ps->gcount[g]++;
	}
	for (g = 1; g < PARTNERS_NGROUPS; g++)
		if (ps->gcount[g] == 0)
			ps->gstart[g] = ps->gstart[g - 1] + ps->gcount[g - 1];

	if ((ps->hay_off = calloc(ps->n + 1, sizeof(*ps->hay_off))) == NULL)
		goto nomem;
	for (i = 0; i < ps->n; i++) {
		ps->hay_off[i] = enc.len;
		buf_adds(&enc, ps->v[i].key_ae);
		buf_addc(&enc, '\1');
		buf_adds(&enc, ps->v[i].key_a);
		buf_addc(&enc, '\n');
	}
	ps->hay_off[ps->n] = enc.len;
	if ((ps->hay = buf_take(&enc, NULL)) == NULL)
		goto nomem;
	return ps;

 nomem:
	*errstr = "out of memory";
 bad:
	free(raw);
	buf_free(&arena);
	buf_free(&enc);
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
	free(ps->arena);
	free(ps->v);
	free(ps->hay);
	free(ps->hay_off);
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
		gemtext_add_text(out, e->name);
		buf_addc(out, '\n');
	}
}

/* The address of page PAGE of group G (-1: the whole list), below BASE. */
static void
page_rel(char *dst, size_t size, int g, size_t page)
{
	const char	*dir = g < 0 ? "" : groups[g].slug;
	const char	*slash = g < 0 ? "" : "/";

	if (page == 1)
		snprintf(dst, size, "%s%s", dir, slash);
	else
		snprintf(dst, size, "%s%sseite-%zu.gmi", dir, slash, page);
}

static void
add_footer(struct buf *out, const struct partners *ps)
{
	buf_adds(out, "\n");
	add_link(out, ps, "", M(MSG_PARTNERS_OVERVIEW));
	add_link(out, ps, PARTNERS_SEARCH, M(MSG_PARTNERS_SEARCH));
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
	if (g < 0 && page == 1) {
		buf_addf(out, "\n## %s\n", M(MSG_PARTNERS_BY_LETTER));
		for (k = 0; k < PARTNERS_NGROUPS; k++) {
			if (k == 0 && ps->gcount[k] == 0)
				continue;
			page_rel(rel, sizeof(rel), (int)k, 1);
			snprintf(label, sizeof(label), "%s (%zu)",
			    group_label(ps, (int)k), ps->gcount[k]);
			add_link(out, ps, rel, label);
		}
		add_link(out, ps, PARTNERS_SEARCH, M(MSG_PARTNERS_SEARCH));
		buf_addf(out, "\n## %s\n", M(MSG_PARTNERS_ALL));
	}
	buf_addf(out, M(MSG_PAGE_N_OF_M), page, np);
	buf_adds(out, "\n\n");

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
		page_rel(rel, sizeof(rel), g, page - 1);
		snprintf(label, sizeof(label), M(MSG_PREV_PAGE), page - 1, np);
		add_link(out, ps, rel, label);
	}
	if (page < np) {
		page_rel(rel, sizeof(rel), g, page + 1);
		snprintf(label, sizeof(label), M(MSG_NEXT_PAGE), page + 1, np);
		add_link(out, ps, rel, label);
	}
	if (g < 0 && page == 1)
		buf_addf(out, "\n=> ../ %s\n=> / %s\n", M(MSG_BACK),
		    M(MSG_HOME));
	else
		add_footer(out, ps);
}

static int
add_page(struct partners_page *pg, const struct partners *ps, int g,
    size_t page)
{
	struct buf	 b = BUF_INIT;
	char		 rel[64];

	page_rel(rel, sizeof(rel), g, page);
	buf_addf(&b, "%s%s", ps->base, rel);
	if ((pg->path = buf_take(&b, NULL)) == NULL)
		return -1;
	render_list(&b, ps, g, page);
	if ((pg->text = buf_take(&b, &pg->len)) == NULL)
		return -1;
	return 0;
}

int
partners_render(const struct partners *ps, struct partners_page **pagesp,
    size_t *npagesp, const char **errstr)
{
	struct partners_page	*pages;
	size_t			 total, n = 0, page, np;
	int			 g;

	total = npages(ps->n);
	for (g = 0; g < PARTNERS_NGROUPS; g++)
		total += npages(ps->gcount[g]);
	if ((pages = calloc(total, sizeof(*pages))) == NULL)
		goto nomem;
	for (g = -1; g < PARTNERS_NGROUPS; g++) {
		np = npages(g < 0 ? ps->n : ps->gcount[g]);
		for (page = 1; page <= np; page++)
			if (add_page(&pages[n++], ps, g, page) == -1)
				goto nomem;
	}
	*pagesp = pages;
	*npagesp = n;
	return 0;
 nomem:
	partners_pages_free(pages, total);
	*errstr = "out of memory";
	return -1;
}

void
partners_pages_free(struct partners_page *pages, size_t n)
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

bool
partners_is_search(const struct partners *ps, const char *path,
    size_t *page, const char **pathq)
{
	const char	*p;
	size_t		 blen = strlen(ps->base), n = 0, digits = 0, qlen;

	if (strncmp(path, ps->base, blen) != 0)
		return false;
	p = path + blen;
	if (strncmp(p, PARTNERS_SEARCH, strlen(PARTNERS_SEARCH)) != 0)
		return false;
	p += strlen(PARTNERS_SEARCH);
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

/* The entry whose search keys hold byte OFF of the haystack. */
static size_t
entry_at(const struct partners *ps, size_t off)
{
	size_t	 lo = 0, hi = ps->n, mid;

	while (hi - lo > 1) {
		mid = (lo + hi) / 2;
		if (ps->hay_off[mid] <= off)
			lo = mid;
		else
			hi = mid;
	}
	return lo;
}

/*
 * Count the entries matching the folded query FQ, and put the indexes of
 * hits FROM to FROM + PARTNERS_PER_PAGE - 1 into SEL (*NSEL of them).
 */
static size_t
scan(const struct partners *ps, const char *fq, size_t from,
    size_t sel[PARTNERS_PER_PAGE], size_t *nsel)
{
	const char	*p, *end, *m;
	size_t		 qlen = strlen(fq), hits = 0, i;

	*nsel = 0;
	if (ps->n == 0)
		return 0;
	p = ps->hay;
	end = ps->hay + ps->hay_off[ps->n];
	while ((m = memmem(p, (size_t)(end - p), fq, qlen)) != NULL) {
		i = entry_at(ps, (size_t)(m - ps->hay));
		if (hits >= from && *nsel < PARTNERS_PER_PAGE)
			sel[(*nsel)++] = i;
		hits++;
		p = ps->hay + ps->hay_off[i + 1];	/* each entry once */
	}
	return hits;
}

/* The address of result page PAGE, below BASE. */
static void
add_result_link(struct buf *out, const struct partners *ps,
    const char *query, const char *fq, size_t page,
    enum partners_link link, const char *label)
{
	buf_addf(out, "=> %s%s", ps->base_enc, PARTNERS_SEARCH);
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

int
partners_search(const struct partners *ps, const char *query, size_t page,
    enum partners_link link, struct buf *out, const char **errstr)
{
	char	 fq[PARTNERS_QUERY_MAX + 1], label[128];
	size_t	 len = strlen(query), start = out->len, hits = 0, i, np, from;
	size_t	 sel[PARTNERS_PER_PAGE], nsel;

	if (check_query(query, len, errstr) == -1)
		return -1;
	if (page == 0)
		page = 1;
	/* fold into OUT's spare room: no allocation but OUT's */
	fold(out, query, len, FOLD_AE);
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
		buf_addf(out, "%s\n\n", M(MSG_SEARCH_EMPTY));
		add_link(out, ps, PARTNERS_SEARCH, M(MSG_PARTNERS_SEARCH));
		add_link(out, ps, "", M(MSG_PARTNERS_OVERVIEW));
		buf_addf(out, "=> / %s\n", M(MSG_HOME));
		goto done;
	}
	from = page > 0 ? (page - 1) * PARTNERS_PER_PAGE : 0;
	hits = scan(ps, fq, from, sel, &nsel);
	np = npages(hits);
	if (hits == 0)
		buf_addf(out, M(MSG_SEARCH_NO_HITS), query);
	else
		buf_addf(out, M(MSG_SEARCH_HITS), hits, query);
	buf_adds(out, "\n");
	if (hits > 0 && page > np) {
		buf_addf(out, M(np == 1 ? MSG_SEARCH_NO_PAGE_1 :
		    MSG_SEARCH_NO_PAGE_N), page, np);
		buf_adds(out, "\n\n");
		add_result_link(out, ps, query, fq, 1, link,
		    M(MSG_SEARCH_FIRST_PAGE));
	} else if (hits > 0) {
		buf_addf(out, M(MSG_PAGE_N_OF_M), page, np);
		buf_adds(out, "\n\n");
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
	buf_adds(out, "\n");
	add_link(out, ps, PARTNERS_SEARCH, M(MSG_SEARCH_NEW));
	add_link(out, ps, "", M(MSG_PARTNERS_OVERVIEW));
	buf_addf(out, "=> / %s\n", M(MSG_HOME));
 done:
	if (out->failed)
		goto nomem;
	return 0;
 nomem:
	*errstr = "out of memory";
	return -1;
}
