/*
 * buf: the growable byte buffer every renderer writes into (pure).  Knows
 * nothing of what the bytes are; never logs.
 */
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "utf8.h"

static bool
grow(struct buf *b, size_t extra)
{
	size_t	 need, cap;
	char	*p;

	if (b->failed)
		return false;
	if (extra >= (size_t)-1 - b->len - 1) {
		b->failed = true;
		return false;
	}
	need = b->len + extra + 1;
	if (need <= b->cap)
		return true;
	cap = b->cap ? b->cap : 64;
	while (cap < need)
		cap = cap > ((size_t)-1) / 2 ? need : cap * 2;
	if ((p = realloc(b->data, cap)) == NULL) {
		b->failed = true;
		return false;
	}
	b->data = p;
	b->cap = cap;
	return true;
}

void
buf_add(struct buf *b, const void *p, size_t len)
{
	if (!grow(b, len))
		return;
	if (len > 0)
		memcpy(b->data + b->len, p, len);
	b->len += len;
	b->data[b->len] = '\0';
}

void
buf_adds(struct buf *b, const char *s)
{
	buf_add(b, s, strlen(s));
}

void
buf_addc(struct buf *b, char c)
{
	buf_add(b, &c, 1);
}

void
buf_addf(struct buf *b, const char *fmt, ...)
{
	va_list	 ap;
	int	 n;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0) {
		b->failed = true;
		return;
	}
	if (!grow(b, (size_t)n))
		return;
	va_start(ap, fmt);
	vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
	va_end(ap);
	b->len += (size_t)n;
}

/* XML 1.0, 2.2: Char */
static bool
is_xml_char(uint32_t cp)
{
	return cp == 0x9 || cp == 0xa || cp == 0xd ||
	    (cp >= 0x20 && cp <= 0xd7ff) || (cp >= 0xe000 && cp <= 0xfffd) ||
	    (cp >= 0x10000 && cp <= 0x10ffff);
}

void
buf_add_markup(struct buf *out, const char *s, size_t len)
{
	uint32_t	 cp;
	size_t		 n;

	while (len > 0) {
		if ((n = utf8_decode(s, len, &cp)) == 0) {
			s++;			/* not UTF-8: dropped */
			len--;
			continue;
		}
		switch (cp) {
		case '&':
			buf_adds(out, "&amp;");
			break;
		case '<':
			buf_adds(out, "&lt;");
			break;
		case '>':
			buf_adds(out, "&gt;");
			break;
		case '"':
			buf_adds(out, "&quot;");
			break;
		case '\'':
			buf_adds(out, "&apos;");
			break;
		default:
			if (is_xml_char(cp))
				buf_add(out, s, n);
		}
		s += n;
		len -= n;
	}
}

void
buf_reset(struct buf *b)
{
	b->len = 0;
	if (b->data != NULL)
		b->data[0] = '\0';
}

void
buf_free(struct buf *b)
{
	free(b->data);
	b->data = NULL;
	b->len = b->cap = 0;
	b->failed = false;
}

char *
buf_take(struct buf *b, size_t *len)
{
	char	*p;

	if (b->failed) {
		buf_free(b);
		return NULL;
	}
	if (b->data == NULL && !grow(b, 0))
		return NULL;
	b->data[b->len] = '\0';
	p = b->data;
	/* what is taken is mostly kept (a page's bytes, for a load's
	   life): without the doubling's slack, up to half of it */
	if (b->cap - b->len - 1 >= BUF_SLACK_MAX &&
	    (p = realloc(b->data, b->len + 1)) == NULL)
		p = b->data;
	if (len != NULL)
		*len = b->len;
	b->data = NULL;
	b->len = b->cap = 0;
	return p;
}
