/*
 * fuzz_excerpt: any bytes as a line of text, searched and cut as the
 * capsule-wide search cuts its excerpts (search.h).
 *
 * The first byte picks the query (folded from the next few bytes) and
 * the excerpt's length; the rest is the text.  search_locate, on a hit:
 * an offset inside the text, at the start of a code point.
 * search_excerpt: of valid UTF-8 text, valid UTF-8, never more code
 * points than asked for and the marks "...", and never longer than the
 * text and the marks.  The same bytes as a gemtext page: where
 * gemtext_parse() takes them, search_line() reads the same lines, of the
 * same types and texts; collate_fold_both() folds them as
 * collate_fold() does; and collate_may_hold() never says no where a
 * line of them (up to a "\n") holds the folded query in either form.
 */
#include <assert.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "collate.h"
#include "gemtext.h"
#include "search.h"
#include "utf8.h"

#include "../unit/lineholds.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static size_t
cps(const char *s, size_t len)
{
	size_t	 n = 0;

	for (; len > 0; s++, len--)
		if (((unsigned char)*s & 0xc0) != 0x80)
			n++;
	return n;
}

/* collate_fold_both() writes what collate_fold() appends. */
static void
check_fold_both(const char *text, size_t len)
{
	struct buf	 ae = BUF_INIT, a = BUF_INIT;
	char		*arr;
	size_t		 n, alen;

	if ((arr = malloc(2 * len + 2)) == NULL)
		return;
	collate_fold(&ae, text, len, COLLATE_AE);
	collate_fold(&a, text, len, COLLATE_A);
	n = collate_fold_both(arr, arr + len + 1, text, len, &alen);
	assert(!ae.failed && !a.failed);
	assert(n == ae.len && n <= len && alen == a.len && alen <= n);
	assert(n == 0 || memcmp(arr, ae.data, n) == 0);
	assert(alen == 0 || memcmp(arr + len + 1, a.data, alen) == 0);
	buf_free(&ae);
	buf_free(&a);
	free(arr);
}

/* No "no" from collate_may_hold() where a line holds FQ. */
static void
check_may_hold(const char *text, size_t len, const char *fq, size_t flen)
{
	int	 held = line_holds(text, len, fq, flen);

	assert(held != -1);
	if (held == 1)
		assert(collate_may_hold(text, len, fq, flen));
}

/* search_line() reads TEXT as gemtext_parse() does, if that takes it. */
static void
check_lines(const char *text, size_t len)
{
	struct gemtext		 doc;
	struct search_line	 l;
	const char		*errstr;
	size_t			 at, k, lineno;
	bool			 in_pre = false;

	if ((len >= 3 && memcmp(text, "\xef\xbb\xbf", 3) == 0) ||
	    gemtext_parse(text, len, &doc, &errstr, &lineno) == -1)
		return;
	for (at = 0, k = 0; at < len; k++) {
		at = search_line(text, len, at, &in_pre, &l);
		assert(k < doc.nlines);
		assert(l.type == doc.lines[k].type);
		assert(l.len == strlen(doc.lines[k].text));
		assert(memcmp(l.text, doc.lines[k].text, l.len) == 0);
	}
	assert(k == doc.nlines);
	gemtext_free(&doc);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct buf	 fq = BUF_INIT, out = BUF_INIT;
	const char	*text;
	size_t		 qlen, chars, len;
	long		 at;

	if (size < 2)
		return 0;
	qlen = data[0] % 8 + 1;
	chars = data[0] / 8 + 1;
	if (qlen > size - 1)
		qlen = size - 1;
	collate_fold(&fq, (const char *)data + 1, qlen, COLLATE_AE);
	text = (const char *)data + 1;
	len = size - 1;
	at = fq.len > 0 ? search_locate(text, len, fq.data) : -1;
	if (at >= 0) {
		assert((size_t)at < len);
		assert(((unsigned char)text[at] & 0xc0) != 0x80 ||
		    !utf8_is_valid(text, len));
	}
	search_excerpt(&out, text, len, at < 0 ? 0 : (size_t)at, chars);
	assert(out.len <= len + 6);
	if (utf8_is_valid(text, len)) {
		assert(utf8_is_valid(out.data != NULL ? out.data : "",
		    out.len));
		assert(cps(out.data != NULL ? out.data : "", out.len) <=
		    chars + 6);
	}
	check_lines(text, len);
	check_fold_both(text, len);
	if (fq.len > 0)
		check_may_hold(text, len, fq.data, fq.len);
	buf_free(&fq);
	buf_free(&out);
	return 0;
}
