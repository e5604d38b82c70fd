/*
 * fuzz_gemtext: parse any bytes as gemtext.  On success every line's text
 * and link URL is valid UTF-8 without control bytes but TAB (a URL has no
 * TAB either), preformatted blocks open and close in turn with only PRE
 * lines between, and the document renders as a well-formed Gopher menu.
 */
#include <assert.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "buf.h"
#include "gemtext.h"
#include "gophermap.h"
#include "utf8.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static bool
clean_text(const char *s, bool tab_ok)
{
	const char	*p;

	if (!utf8_is_valid(s, strlen(s)))
		return false;
	for (p = s; *p != '\0'; p++)
		if (((unsigned char)*p < 0x20 && !(tab_ok && *p == '\t')) ||
		    *p == 0x7f)
			return false;
	return true;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct gophermap_opts	 opts = {
		"localhost", "70", GOPHERMAP_WIDTH, NULL, NULL, "1965"
	};
	struct gemtext		 doc;
	struct buf		 out = BUF_INIT;
	const struct gemtext_line *l;
	const char		*errstr;
	size_t			 lineno, i, prev = 0;
	bool			 in_pre = false;

	if (gemtext_parse((const char *)data, size, &doc, &errstr,
	    &lineno) == -1) {
		assert(errstr != NULL);
		return 0;
	}
	for (i = 0; i < doc.nlines; i++) {
		l = &doc.lines[i];
		assert(l->lineno > prev);
		prev = l->lineno;
		assert(l->text != NULL && clean_text(l->text, true));
		if (l->type == GEMTEXT_LINK)
			assert(l->url != NULL && l->url[0] != '\0' &&
			    clean_text(l->url, false));
		else
			assert(l->url == NULL);
		switch (l->type) {
		case GEMTEXT_PRE_START:
			assert(!in_pre);
			in_pre = true;
			break;
		case GEMTEXT_PRE_END:
			assert(in_pre);
			in_pre = false;
			break;
		case GEMTEXT_PRE:
			assert(in_pre);
			break;
		default:
			assert(!in_pre);
			break;
		}
	}
	/* a block left open runs to the end, and the parser says where */
	assert(in_pre == (doc.pre_open != 0));
	assert(doc.nlines <= GEMTEXT_LINES_MAX &&
	    doc.nlines <= size + 1 && doc.nlinks <= GEMTEXT_LINKS_MAX);
	assert(doc.title == NULL || clean_text(doc.title, true));

	if (gophermap_render(&doc, "/fuzz/index.gmi", &opts, &out) == 0)
		assert(gophermap_is_wellformed(out.data, out.len));
	buf_free(&out);
	gemtext_free(&doc);
	return 0;
}
