/*
 * collate: sort keys, case keys and search forms of UTF-8 names (pure).
 * It must not know the partner directory or any file format: whatever
 * lists names (the directory, a capsule search) folds them here.
 */
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "buf.h"
#include "collate.h"
#include "utf8.h"


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

/* ASCII in a search form: letters in lower case, digits; 0 a sign. */
static const char ascii_form[129] =
    "\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0"
    "\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0"
    "\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0"
    "0123456789\0\0\0\0\0\0"
    "\0abcdefghijklmno"
    "pqrstuvwxyz\0\0\0\0\0"
    "\0abcdefghijklmno"
    "pqrstuvwxyz\0\0\0\0\0";

_Static_assert(sizeof(ascii_form) == 128 + 1, "ascii_form covers ASCII");

static const char *const multi[] = {
	NULL, "ae", "ae", "oe", "ue", "th", "ss", "ij", "oe"
};

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
letters(uint32_t cp, enum collate mode, char one[2])
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
		if (mode != COLLATE_AE && c == '1')
			return "a";
		if (mode != COLLATE_AE && c == '3')
			return "o";
		if (mode != COLLATE_AE && c == '4')
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
 * that such names sort (and group) before digits and letters.  Returns
 * true if an ä, ö or ü was folded (COLLATE_AE and COLLATE_A differ).
 */
static bool
fold(struct buf *out, size_t *map, const char *s, size_t len,
    enum collate mode)
{
	const char	*r, *s0 = s;
	uint32_t	 cp;
	size_t		 n, w = 0, done = 0;
	bool		 sep = false, any = false, uml = false;
	char		 one[2], last = '\0', tmp[256];

	while (len > 0) {
		/* one code point adds at most 6 bytes: flush before */
		if (w > sizeof(tmp) - 8) {
			buf_add(out, tmp, w);
			done += w;
			w = 0;
		}
		if ((unsigned char)*s < 0x80 && mode != COLLATE_SORT) {
			/* most text: ASCII, as letters() would have it */
			cp = (unsigned char)*s++;
			len--;
			if (ascii_form[cp] == '\0') {
				sep = true;
				continue;
			}
			if (sep && any) {
				if (map != NULL)
					map[done + w] = (size_t)(s - 1 - s0);
				tmp[w++] = '-';
			}
			sep = false;
			any = true;
			if (map != NULL)
				map[done + w] = (size_t)(s - 1 - s0);
			tmp[w++] = last = ascii_form[cp];
			continue;
		}
		if ((unsigned char)*s < 0x80) {
			n = 1;
			cp = (unsigned char)*s;
		} else if ((n = utf8_decode(s, len, &cp)) == 0) {
			n = 1;
			cp = 0xfffd;
		}
		if (cp >= 0x300 && cp <= 0x36f) {
			/* combining: u + U+0308 is ü */
			if (cp == 0x308 && mode != COLLATE_SORT && !sep &&
			    (last == 'a' || last == 'o' || last == 'u')) {
				uml = true;
				if (mode == COLLATE_A)
					goto next;
				if (map != NULL)
					map[done + w] = (size_t)(s - s0);
				tmp[w++] = last = 'e';
			}
			goto next;
		}
		r = letters(cp, mode, one);
		if (cp == 0xc4 || cp == 0xd6 || cp == 0xdc || cp == 0xe4 ||
		    cp == 0xf6 || cp == 0xfc)
			uml = true;	/* ä, ö, ü: "ae" or "a" */
		if (r == NULL && (mode != COLLATE_SORT || is_sign(cp))) {
			sep = true;
			goto next;
		}
		if (sep && (mode == COLLATE_SORT || any)) {
			if (map != NULL)
				map[done + w] = (size_t)(s - s0);
			tmp[w++] = mode == COLLATE_SORT ? ' ' : '-';
		}
		sep = false;
		any = true;
		if (r == NULL) {
			/* other scripts sort after signs, by code point */
			tmp[w++] = '\x01';
			memcpy(tmp + w, s, n);
			w += n;
			last = '\0';
		} else {
			while (*r != '\0') {
				if (map != NULL)
					map[done + w] = (size_t)(s - s0);
				tmp[w++] = last = *r++;
			}
		}
 next:
		s += n;
		len -= n;
	}
	buf_add(out, tmp, w);
	return uml;
}

void
collate_fold(struct buf *out, const char *s, size_t len, enum collate mode)
{
	(void)fold(out, NULL, s, len, mode);
}

bool
collate_fold_ae(struct buf *out, const char *s, size_t len)
{
	return fold(out, NULL, s, len, COLLATE_AE);
}

/*
 * fold() in both search modes at once, written for speed: an ASCII byte
 * is one table lookup, the forms go straight to the arrays.  The
 * COLLATE_A form is the COLLATE_AE form without the "e" of an ä, ö or
 * ü, so every byte is written to both but that one.  In a search form
 * "any" is "something written" (W > 0, exactly when W2 > 0) and "last"
 * the last byte written.
 */
/*
 * The ASCII text S (LEN bytes) in lower case into F, in a loop the
 * compiler may vectorise; false if S holds a byte past ASCII.
 */
static bool
ascii_lower(char *f, const char *s, size_t len)
{
	const unsigned char	*u = (const unsigned char *)s;
	unsigned char		 c, all = 0;
	size_t			 i;

	for (i = 0; i < len; i++) {
		c = u[i];
		all |= c;
		f[i] = (char)(c + (((unsigned char)(c - 'A') < 26) << 5));
	}
	return (all & 0x80) == 0;
}

static bool
is_sym(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
}

/*
 * True if the ASCII text L, in lower case (LEN bytes), folds to a form
 * that holds FQ: where FQ's first run of symbols is, the rest follows,
 * one or more signs (any byte but a letter or digit) for each "-".  FQ
 * neither begins nor ends with "-" and holds no "--".
 */
static bool
ascii_holds(const char *l, size_t len, const char *fq, size_t flen)
{
	const char	*p = l, *m, *end = l + len, *dash;
	size_t		 s1, i, j;

	if ((dash = memchr(fq, '-', flen)) == NULL)
		return memmem(l, len, fq, flen) != NULL;
	s1 = (size_t)(dash - fq);
	while ((m = memmem(p, (size_t)(end - p), fq, s1)) != NULL) {
		for (i = s1, j = (size_t)(m - l) + s1; i < flen; ) {
			if (fq[i] == '-') {
				if (j == len || is_sym(l[j]))
					break;
				while (j < len && !is_sym(l[j]))
					j++;
				i++;
			} else if (j < len && l[j] == fq[i]) {
				i++;
				j++;
			} else
				break;
		}
		if (i == flen)
			return true;
		p = m + 1;
	}
	return false;
}

/*
 * Whole lines at a time, folded together: a line's "\n" folds to a "-"
 * as any sign, so that a line's form, and a part's, is a piece of the
 * window's, and FQ may only be found where no line holds it (across a
 * line's end, in a link's URL).  An ASCII window is not folded: it is
 * looked at in lower case (ascii_holds()).
 */
bool
collate_may_hold(const char *s, size_t len, const char *fq, size_t flen)
{
	char		 ae[4096], a[4096];
	const char	*nl;
	size_t		 at = 0, n, w, wa;

	if (flen == 0 || fq[0] == '-' || fq[flen - 1] == '-' ||
	    memmem(fq, flen, "--", 2) != NULL)
		return true;
	while (at < len) {
		if ((n = len - at) > sizeof(ae)) {
			/* up to the last line's end in the window */
			if ((nl = memrchr(s + at, '\n', sizeof(ae))) == NULL)
				return true;	/* a line too long: no look */
			n = (size_t)(nl - (s + at)) + 1;
		}
		if (ascii_lower(ae, s + at, n)) {
			if (ascii_holds(ae, n, fq, flen))
				return true;
		} else {
			w = collate_fold_both(ae, a, s + at, n, &wa);
			if (memmem(ae, w, fq, flen) != NULL ||
			    (wa < w && memmem(a, wa, fq, flen) != NULL))
				return true;
		}
		at += n;
	}
	return false;
}

size_t
collate_fold_both(char *ae, char *a, const char *s, size_t len, size_t *alen)
{
	const unsigned char	*u = (const unsigned char *)s;
	const char		*r;
	uint32_t		 cp;
	size_t			 i = 0, w = 0, w2 = 0, n, d;
	bool			 sep = false, uml;
	char			 f, one[2];

	while (i < len) {
		/*
		 * ASCII without a branch on the byte: a separator is kept
		 * as SEP and written before the next letter.  The stores
		 * stay within the arrays: W <= I, and W < I when a "-" is
		 * due.
		 */
		for (; i < len && u[i] < 0x80; i++) {
			f = ascii_form[u[i]];
			ae[w] = a[w2] = '-';
			d = (size_t)(sep & (f != '\0') & (w > 0));
			w += d;
			w2 += d;
			ae[w] = a[w2] = f;
			w += (size_t)(f != '\0');
			w2 += (size_t)(f != '\0');
			sep = f == '\0';
		}
		if (i == len)
			break;
		if (u[i] == 0xc3 && i + 1 < len && (u[i + 1] & 0xc0) == 0x80) {
			/* Latin-1's letters: no decoding either */
			cp = 0xc0 | (u[i + 1] & 0x3f);
			n = 2;
		} else if ((n = utf8_decode(s + i, len - i, &cp)) == 0) {
			n = 1;
			cp = 0xfffd;
		}
		i += n;
		if (cp >= 0x300 && cp <= 0x36f) {
			/* only the AE form gets an "e" */
			if (cp == 0x308 && !sep && w > 0 && (ae[w - 1] == 'a' ||
			    ae[w - 1] == 'o' || ae[w - 1] == 'u'))
				ae[w++] = 'e';
			continue;
		}
		uml = cp == 0xc4 || cp == 0xd6 || cp == 0xdc || cp == 0xe4 ||
		    cp == 0xf6 || cp == 0xfc;
		if ((r = letters(cp, COLLATE_AE, one)) == NULL) {
			sep = true;
			continue;
		}
		if (sep && w > 0) {
			ae[w++] = '-';
			a[w2++] = '-';
		}
		sep = false;
		if (uml) {		/* "ae" and "a" */
			ae[w++] = r[0];
			ae[w++] = r[1];
			a[w2++] = r[0];
		} else
			for (; *r != '\0'; r++)
				ae[w++] = a[w2++] = *r;
	}
	*alen = w2;
	return w;
}

void
collate_fold_map(struct buf *out, size_t *map, const char *s, size_t len,
    enum collate mode)
{
	(void)fold(out, map, s, len, mode);
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

void
collate_casefold(struct buf *out, const char *s, size_t len)
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

void
collate_forms(struct buf *hay, const char *name)
{
	size_t	 len = strlen(name);

	if (collate_fold_ae(hay, name, len)) {
		buf_addc(hay, '\1');
		collate_fold(hay, name, len, COLLATE_A);
	}
	buf_addc(hay, '\n');
}

