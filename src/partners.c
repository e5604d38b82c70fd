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
 * Search goes through a trigram index over the search forms, so that its
 * cost grows with the hits, not with the directory.  Each form is read
 * as if followed by two end marks ("gmbh" gives gmb, mbh, bh$, h$$), so
 * every substring of one to three characters is the start of a trigram
 * in it:
 *
 *	query of 1 or 2 characters	the union of the trigrams starting
 *					with it (exact)
 *	query of 3			that trigram (exact)
 *	query of 4 or more		the intersection of its trigrams,
 *					smallest first; each candidate is
 *					then checked with memmem()
 *
 * Posting lists hold partner numbers in list order, so hits come out in
 * list order and a search stops once it has counted PARTNERS_HITS_MAX + 1
 * of them, or has tried SEARCH_STEPS candidates per hit it may count.
 * Lists are delta-coded (LEB128) in blocks of POST_BLOCK, each block's
 * first number and offset in a skip table, so a list is skipped through
 * without decoding all of it.
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
	const char	*name;		/* borrowed: both are in ps->names */
	const char	*url;		/* NULL: no address */
};

/*
 * Trigrams: a search form holds only [a-z0-9-] (37 symbols); symbol 37
 * is the end mark.  A trigram's number is s0 * 38 * 38 + s1 * 38 + s2.
 */
#define NSYM		38
#define SYM_END		37
#define NTRI		(NSYM * NSYM * NSYM)
#define POST_BLOCK	64	/* postings per block of a list */
#define SEARCH_STEPS	16	/* candidates tried per hit counted */

struct skip {
	uint32_t	 first;		/* the block's first partner */
	uint32_t	 off;		/* where its deltas start in post */
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
	/*
	 * The trigram index.  List T has count[T] postings in blocks
	 * skip[tblk[T]] to skip[tblk[T + 1] - 1]; a block's postings after
	 * its first are LEB128 deltas in post, from its off on.
	 */
	uint32_t	*count;		/* owned, NTRI */
	uint32_t	*tblk;		/* owned, NTRI + 1 */
	struct skip	*skip;		/* owned */
	uint8_t		*post;		/* owned */
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
	fold(keys, name, namelen, FOLD_SORT);
	buf_addc(keys, '\0');
	/* strcmp() order is unsigned byte order: big-endian, NUL-padded */
	e->prefix[0] = e->prefix[1] = 0;
	for (i = 0, k = e->sortkey.off; i < 16; i++) {
		e->prefix[i / 8] <<= 8;
		if (!keys->failed && keys->data[k] != '\0')
			e->prefix[i / 8] |= (unsigned char)keys->data[k++];
	}
	e->casekey.off = keys->len;
	casefold(keys, name, namelen);
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

/* The trigram symbol of C, or -1 for a byte no search form holds. */
static int
sym(unsigned char c)
{
	if (c >= 'a' && c <= 'z')
		return c - 'a';
	if (c >= '0' && c <= '9')
		return 26 + (c - '0');
	return c == '-' ? 36 : -1;
}

/* Trigrams of one entry: at most one per byte of its search forms. */
#define TRI_MAX		(2 * PARTNERS_LINE_MAX + 2)

/*
 * Put the distinct trigrams of the search forms in S..E (one entry of the
 * haystack) into TRI; STAMP[t] == MARK means t is in already.  A form is
 * read as if followed by two end marks.  Returns how many.
 */
static size_t
entry_trigrams(const char *s, const char *e, uint32_t tri[TRI_MAX],
    uint32_t *stamp, uint32_t mark)
{
	size_t		 n = 0;
	uint32_t	 t;
	int		 a, b, c;

	for (; s < e && n < TRI_MAX; s++) {
		if ((a = sym((unsigned char)*s)) < 0)
			continue;		/* \1, \n: between forms */
		b = s + 1 < e ? sym((unsigned char)s[1]) : -1;
		c = b >= 0 && s + 2 < e ? sym((unsigned char)s[2]) : -1;
		t = (uint32_t)a * NSYM * NSYM +
		    (uint32_t)(b < 0 ? SYM_END : b) * NSYM +
		    (uint32_t)(b < 0 || c < 0 ? SYM_END : c);
		if (stamp[t] != mark) {
			stamp[t] = mark;
			tri[n++] = t;
		}
	}
	return n;
}

static size_t
leb_len(uint32_t v)
{
	size_t	 n = 1;

	while (v >= 0x80) {
		v >>= 7;
		n++;
	}
	return n;
}

static uint8_t *
leb_put(uint8_t *p, uint32_t v)
{
	while (v >= 0x80) {
		*p++ = (uint8_t)(v | 0x80);
		v >>= 7;
	}
	*p++ = (uint8_t)v;
	return p;
}

static uint32_t
leb_get(const uint8_t **pp)
{
	const uint8_t	*p = *pp;
	uint32_t	 v = 0;
	int		 shift = 0;

	do {
		v |= (uint32_t)(*p & 0x7f) << shift;
		shift += 7;
	} while (*p++ & 0x80);
	*pp = p;
	return v;
}

/*
 * Build the trigram index over ps->hay in two passes: count and size the
 * lists, then fill them.  Returns 0, or -1 with errstr.
 */
static int
build_index(struct partners *ps, const char **errstr)
{
	uint32_t	 tri[TRI_MAX], *stamp = NULL, *last = NULL, t, d;
	size_t		*pos = NULL, i, k, nt, nblk = 0, nbytes = 0, b;
	int		 ret = -1;

	if ((ps->count = calloc(NTRI, sizeof(*ps->count))) == NULL ||
	    (ps->tblk = calloc(NTRI + 1, sizeof(*ps->tblk))) == NULL ||
	    (stamp = calloc(NTRI, sizeof(*stamp))) == NULL ||
	    (last = calloc(NTRI, sizeof(*last))) == NULL ||
	    (pos = calloc(NTRI, sizeof(*pos))) == NULL)
		goto nomem;

	/* pass 1: postings per list, and the bytes of their deltas */
	for (i = 0; i < ps->n; i++) {
		nt = entry_trigrams(ps->hay + ps->hay_off[i],
		    ps->hay + ps->hay_off[i + 1], tri, stamp, (uint32_t)i + 1);
		for (k = 0; k < nt; k++) {
			t = tri[k];
			if (ps->count[t] % POST_BLOCK != 0)
				pos[t] += leb_len((uint32_t)i - last[t]);
			last[t] = (uint32_t)i;
			ps->count[t]++;
		}
	}
	for (t = 0; t < NTRI; t++) {
		ps->tblk[t] = (uint32_t)nblk;
		nblk += (ps->count[t] + POST_BLOCK - 1) / POST_BLOCK;
		b = pos[t];
		pos[t] = nbytes;
		nbytes += b;
		if (nblk > UINT32_MAX || nbytes > UINT32_MAX) {
			*errstr = "partner directory too large to index";
			goto done;
		}
	}
	ps->tblk[NTRI] = (uint32_t)nblk;
	if ((ps->skip = calloc(nblk + 1, sizeof(*ps->skip))) == NULL ||
	    (ps->post = malloc(nbytes + 1)) == NULL)
		goto nomem;

	/* pass 2: the same walk fills them */
	memset(ps->count, 0, NTRI * sizeof(*ps->count));
	memset(stamp, 0, NTRI * sizeof(*stamp));
	for (i = 0; i < ps->n; i++) {
		nt = entry_trigrams(ps->hay + ps->hay_off[i],
		    ps->hay + ps->hay_off[i + 1], tri, stamp, (uint32_t)i + 1);
		for (k = 0; k < nt; k++) {
			t = tri[k];
			if (ps->count[t] % POST_BLOCK == 0) {
				b = ps->tblk[t] + ps->count[t] / POST_BLOCK;
				ps->skip[b].first = (uint32_t)i;
				ps->skip[b].off = (uint32_t)pos[t];
			} else {
				d = (uint32_t)i - last[t];
				pos[t] = (size_t)(leb_put(ps->post + pos[t],
				    d) - ps->post);
			}
			last[t] = (uint32_t)i;
			ps->count[t]++;
		}
	}
	ret = 0;
	goto done;
 nomem:
	*errstr = "out of memory";
 done:
	free(stamp);
	free(last);
	free(pos);
	return ret;
}

/*
 * Append entry E's search forms to HAY: key_ae, and "\1" key_a when that
 * differs, then "\n".
 */
static void
add_forms(struct buf *hay, const char *name)
{
	size_t	 len = strlen(name), start = hay->len, mid;

	fold(hay, name, len, FOLD_AE);
	mid = hay->len;
	buf_addc(hay, '\1');
	fold(hay, name, len, FOLD_A);
	if (!hay->failed && hay->len - mid - 1 == mid - start &&
	    memcmp(hay->data + start, hay->data + mid + 1, mid - start) == 0)
		hay->len = mid;
	buf_addc(hay, '\n');
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
	for (i = 0, w = 0; i < nraw; i++) {
		if (i + 16 < nraw)
			__builtin_prefetch(raw[i + 16].casekey.s);
		if (i > 0 && strcmp(raw[i - 1].casekey.s,
		    raw[i].casekey.s) == 0)
			continue;
		ps->v[w].name = ps->names + raw[i].name;
		ps->v[w].url = raw[i].url == NO_URL ? NULL :
		    ps->names + raw[i].url;
		/* groups are contiguous: their order is the keys' order */
		g = group_of((unsigned char)(raw[i].prefix[0] >> 56));
		if (ps->gcount[g]++ == 0)
			ps->gstart[g] = w;
		w++;
	}
	ps->n = w;
	for (g = 1; g < PARTNERS_NGROUPS; g++)
		if (ps->gcount[g] == 0)
			ps->gstart[g] = ps->gstart[g - 1] + ps->gcount[g - 1];
	free(raw);
	raw = NULL;
	buf_free(&keys);

	/* the search forms, in list order, and their index */
	if ((ps->hay_off = calloc(ps->n + 1, sizeof(*ps->hay_off))) == NULL)
		goto nomem;
	for (i = 0; i < ps->n; i++) {
		/* the names are in file order, read here in list order */
		if (i + 16 < ps->n)
			__builtin_prefetch(ps->v[i + 16].name);
		ps->hay_off[i] = enc.len;
		add_forms(&enc, ps->v[i].name);
	}
	ps->hay_off[ps->n] = enc.len;
	if (enc.failed || (ps->hay = buf_take(&enc, NULL)) == NULL)
		goto nomem;
	if (build_index(ps, errstr) == -1)
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
	free(ps->count);
	free(ps->tblk);
	free(ps->skip);
	free(ps->post);
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
page_rel(char *dst, size_t size, int g, size_t page)
{
	const char	*dir = g < 0 ? "" : groups[g].slug;
	const char	*slash = g < 0 ? "" : "/";

	if (page == 1)
		snprintf(dst, size, "%s%s", dir, slash);
	else
		snprintf(dst, size, "%s%sseite-%zu.gmi", dir, slash, page);
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
		add_link(out, ps, PARTNERS_SEARCH, search);
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
			page_rel(rel, sizeof(rel), (int)k, 1);
			add_link(out, ps, rel, label);
		}
		add_link(out, ps, PARTNERS_SEARCH, M(MSG_PARTNERS_SEARCH));
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
		add_footer(out, ps, false, NULL);
	else
		add_footer(out, ps, true, M(MSG_PARTNERS_SEARCH));
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
partners_render(const struct partners *ps, bool all,
    struct partners_page **pagesp, size_t *npagesp, const char **errstr)
{
	struct partners_page	*pages;
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
	partners_pages_free(pages, total);
	*errstr = "out of memory";
	return -1;
}

bool
partners_is_list(const struct partners *ps, const char *path, int *group,
    size_t *page)
{
	static const char	 pfx[] = "seite-", sfx[] = ".gmi";
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
	if (strncmp(p, pfx, sizeof(pfx) - 1) != 0)
		return false;
	p += sizeof(pfx) - 1;
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

/* Where hits go: the SEL window from hit FROM on, counted up to MAX + 1. */
struct hits {
	size_t		 from, max, count;
	size_t		*sel, nsel, cap;
};

/* Count hit I; false once MAX + 1 are counted, the count is enough. */
static bool
add_hit(struct hits *h, size_t i)
{
	if (h->count >= h->from && h->nsel < h->cap)
		h->sel[h->nsel++] = i;
	return ++h->count <= h->max;
}

static bool
is_folded(const char *fq, size_t len)
{
	size_t	 i;

	for (i = 0; i < len; i++)
		if (sym((unsigned char)fq[i]) < 0)
			return false;
	return len > 0;
}

/* A position in one posting list. */
struct cursor {
	const struct skip	*skip;		/* the list's blocks */
	const uint8_t		*p;		/* the next delta */
	uint32_t		 nblk, blk;
	uint32_t		 count;		/* postings in the list */
	uint32_t		 left;		/* in this block, after val */
	uint32_t		 val;		/* the current partner */
	bool			 end;
};

static void
cur_block(struct cursor *c, const uint8_t *post, uint32_t b)
{
	c->blk = b;
	c->val = c->skip[b].first;
	c->p = post + c->skip[b].off;
	c->left = (b + 1 < c->nblk ? POST_BLOCK :
	    c->count - b * POST_BLOCK) - 1;
}

static void
cur_init(struct cursor *c, const struct partners *ps, uint32_t t)
{
	c->skip = ps->skip + ps->tblk[t];
	c->nblk = ps->tblk[t + 1] - ps->tblk[t];
	c->count = ps->count[t];
	c->end = c->count == 0;
	if (!c->end)
		cur_block(c, ps->post, 0);
}

static void
cur_next(struct cursor *c, const uint8_t *post)
{
	if (c->left > 0) {
		c->val += leb_get(&c->p);
		c->left--;
	} else if (c->blk + 1 < c->nblk)
		cur_block(c, post, c->blk + 1);
	else
		c->end = true;
}

/* Move C to its first partner >= TARGET; blocks before it are skipped. */
static void
cur_seek(struct cursor *c, const uint8_t *post, uint32_t target)
{
	uint32_t	 lo, hi, mid, step = 1;

	if (c->end || c->val >= target)
		return;
	if (c->blk + 1 < c->nblk && c->skip[c->blk + 1].first <= target) {
		/* gallop, then halve: the last block starting <= TARGET */
		lo = c->blk + 1;
		while (lo + step < c->nblk && c->skip[lo + step].first <=
		    target) {
			lo += step;
			step *= 2;
		}
		hi = lo + step < c->nblk ? lo + step : c->nblk;
		while (hi - lo > 1) {
			mid = lo + (hi - lo) / 2;
			if (c->skip[mid].first <= target)
				lo = mid;
			else
				hi = mid;
		}
		cur_block(c, post, lo);
	}
	while (!c->end && c->val < target)
		cur_next(c, post);
}

static bool
entry_has(const struct partners *ps, size_t i, const char *fq, size_t len)
{
	return memmem(ps->hay + ps->hay_off[i],
	    ps->hay_off[i + 1] - ps->hay_off[i], fq, len) != NULL;
}

/*
 * A query of one or two symbols: the union of the lists of the trigrams
 * that start with it, merged through a heap ordered by partner.  Exact:
 * every such trigram holds the query.
 */
static void
find_short(const struct partners *ps, const char *fq, size_t len,
    struct hits *h)
{
	struct cursor	 cur[NSYM * NSYM], tmp;
	uint32_t	 t, first, n, last = UINT32_MAX;
	size_t		 k = 0, i, j, c;

	first = (uint32_t)sym((unsigned char)fq[0]) * NSYM * NSYM;
	n = NSYM * NSYM;
	if (len == 2) {
		first += (uint32_t)sym((unsigned char)fq[1]) * NSYM;
		n = NSYM;
	}
	for (t = first; t < first + n; t++)
		if (ps->count[t] > 0)
			cur_init(&cur[k++], ps, t);
	/* a binary min-heap on val */
	for (i = k / 2; i-- > 0; ) {
		for (j = i; (c = 2 * j + 1) < k; j = c) {
			if (c + 1 < k && cur[c + 1].val < cur[c].val)
				c++;
			if (cur[j].val <= cur[c].val)
				break;
			tmp = cur[j], cur[j] = cur[c], cur[c] = tmp;
		}
	}
	while (k > 0) {
		if (cur[0].val != last) {
			last = cur[0].val;
			if (!add_hit(h, last))
				return;
		}
		cur_next(&cur[0], ps->post);
		if (cur[0].end)
			cur[0] = cur[--k];
		for (j = 0; (c = 2 * j + 1) < k; j = c) {
			if (c + 1 < k && cur[c + 1].val < cur[c].val)
				c++;
			if (cur[j].val <= cur[c].val)
				break;
			tmp = cur[j], cur[j] = cur[c], cur[c] = tmp;
		}
	}
}

/*
 * Three symbols or more: the intersection of the query's trigram lists,
 * led by the shortest (leapfrog), each candidate checked when the query
 * is longer than a trigram.  Gives up after SEARCH_STEPS rounds per hit
 * it may count; returns false then.
 */
static bool
find_long(const struct partners *ps, const char *fq, size_t len,
    struct hits *h)
{
	struct cursor	 cur[PARTNERS_QUERY_MAX], tmp;
	uint32_t	 tri[PARTNERS_QUERY_MAX], t, target;
	size_t		 k = 0, i, j, steps = 0, budget;

	/* past PARTNERS_QUERY_MAX trigrams the check below decides alone */
	for (i = 0; i + 2 < len && k < PARTNERS_QUERY_MAX; i++) {
		t = (uint32_t)sym((unsigned char)fq[i]) * NSYM * NSYM +
		    (uint32_t)sym((unsigned char)fq[i + 1]) * NSYM +
		    (uint32_t)sym((unsigned char)fq[i + 2]);
		for (j = 0; j < k && tri[j] != t; j++)
			;
		if (j < k)
			continue;
		if (ps->count[t] == 0)
			return true;			/* no hit */
		tri[k] = t;
		cur_init(&cur[k++], ps, t);
	}
	/* the shortest list first: it leads, the others are skipped */
	for (i = 1; i < k; i++)
		for (j = i; j > 0 && cur[j].count < cur[j - 1].count; j--)
			tmp = cur[j], cur[j] = cur[j - 1], cur[j - 1] = tmp;

	budget = h->max >= SIZE_MAX / SEARCH_STEPS - 1 ? SIZE_MAX :
	    SEARCH_STEPS * (h->max + 1);
	while (!cur[0].end) {
		if (++steps > budget)
			return false;
		target = cur[0].val;
		for (j = 1; j < k; j++) {
			cur_seek(&cur[j], ps->post, target);
			if (cur[j].end)
				return true;
			if (cur[j].val != target)
				break;
		}
		if (j < k) {
			cur_seek(&cur[0], ps->post, cur[j].val);
			continue;
		}
		if ((len == 3 || entry_has(ps, target, fq, len)) &&
		    !add_hit(h, target))
			return true;
		cur_next(&cur[0], ps->post);
	}
	return true;
}

size_t
partners_find(const struct partners *ps, const char *fq, size_t from,
    size_t *sel, size_t nsel, size_t max, bool *partial)
{
	struct hits	 h = { from, max, 0, sel, 0, nsel };
	size_t		 len = strlen(fq);

	*partial = false;
	if (ps->n == 0 || !is_folded(fq, len))
		return 0;
	if (len < 3)
		find_short(ps, fq, len, &h);
	else
		*partial = !find_long(ps, fq, len, &h);
	return h.count;
}

size_t
partners_find_linear(const struct partners *ps, const char *fq,
    size_t from, size_t *sel, size_t nsel, size_t max)
{
	struct hits	 h = { from, max, 0, sel, 0, nsel };
	const char	*p, *end, *m;
	size_t		 len = strlen(fq), lo, hi, mid;

	if (ps->n == 0 || !is_folded(fq, len))
		return 0;
	p = ps->hay;
	end = ps->hay + ps->hay_off[ps->n];
	while ((m = memmem(p, (size_t)(end - p), fq, len)) != NULL) {
		/* the entry holding byte m: the last one starting <= m */
		lo = 0;
		hi = ps->n;
		while (hi - lo > 1) {
			mid = (lo + hi) / 2;
			if (ps->hay + ps->hay_off[mid] <= m)
				lo = mid;
			else
				hi = mid;
		}
		if (!add_hit(&h, lo))
			break;
		p = ps->hay + ps->hay_off[lo + 1];	/* each entry once */
	}
	return h.count;
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
	bool	 partial, more;

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
	if (out->failed)
		goto nomem;
	return 0;
 nomem:
	*errstr = "out of memory";
	return -1;
}
