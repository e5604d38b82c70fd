/*
 * fuzz_gophermap: parse gemtext, render it as a menu, and check that the
 * menu is well-formed (CRLF, a type and three TABs per line, a numeric
 * port, the closing ".") with display strings in valid UTF-8 (selectors
 * are bytes: a percent-decoded link may hold anything but TAB, CR, LF).
 * The same gemtext as a type 0 text (an article) must be CRLF lines of
 * valid UTF-8 without a TAB.  The raw input also goes through
 * gophermap_add_info, which must cope with any bytes.
 */
#include <assert.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "gemtext.h"
#include "gophermap.h"
#include "utf8.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static int
displays_valid(const char *map, size_t len)
{
	const char	*s = map, *end = map + len, *nl, *tab;

	for (; (nl = memchr(s, '\n', (size_t)(end - s))) != NULL; s = nl + 1)
		if ((tab = memchr(s, '\t', (size_t)(nl - s))) != NULL &&
		    !utf8_is_valid(s + 1, (size_t)(tab - s - 1)))
			return 0;
	return 1;
}

/* CRLF lines of UTF-8, no TAB, no bare CR or LF: a type 0 text. */
static int
text_valid(const char *t, size_t len)
{
	size_t	 i;

	if (len == 0)
		return 1;
	if (memchr(t, '\t', len) != NULL || !utf8_is_valid(t, len))
		return 0;
	for (i = 0; i < len; i++)
		if ((t[i] == '\n' && (i == 0 || t[i - 1] != '\r')) ||
		    (t[i] == '\r' && (i + 1 == len || t[i + 1] != '\n')))
			return 0;
	return 1;
}

static char
fuzz_type(const char *path, void *arg)
{
	(void)arg;
	return path[1] == 's' ? '7' : 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct gophermap_opts	 opts = {
		"localhost", "7070", GOPHERMAP_WIDTH, fuzz_type, NULL, "1965"
	};
	struct gemtext		 doc;
	struct buf		 out = BUF_INIT;
	const char		*errstr;
	char			*s;
	size_t			 lineno;

	/* the first byte picks a width, small ones included */
	if (size > 0) {
		opts.width = data[0] % 80;
		data++;
		size--;
	}
	if (gemtext_parse((const char *)data, size, &doc, &errstr,
	    &lineno) == 0) {
		if (gophermap_render(&doc, "/fuzz/index.gmi", &opts,
		    &out) == 0) {
			assert(gophermap_is_wellformed(out.data, out.len));
			assert(displays_valid(out.data, out.len));
		}
		buf_reset(&out);
		if (gophermap_render_text(&doc, "/fuzz/2020-01-01-a.gmi",
		    &opts, &out) == 0)
			assert(text_valid(out.data, out.len));
		gemtext_free(&doc);
	}

	if ((s = malloc(size + 1)) != NULL) {
		memcpy(s, data, size);
		s[size] = '\0';
		buf_reset(&out);
		gophermap_add_info(&out, s, &opts);
		gophermap_end(&out);
		if (!out.failed) {
			assert(gophermap_is_wellformed(out.data, out.len));
			assert(utf8_is_valid(out.data, out.len));
		}
		free(s);
	}
	buf_free(&out);
	return 0;
}
