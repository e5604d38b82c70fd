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

bool
buf_reserve(struct buf *b, size_t extra)
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
	b->data[b->len] = '\0';	/* a new buffer too */
	return true;
}

void
buf_fill(struct buf *b, char c, size_t n)
{
	if (b->failed || (n >= b->cap - b->len && !buf_reserve(b, n)))
		return;
	memset(b->data + b->len, c, n);
	b->len += n;
	b->data[b->len] = '\0';
}

/*
 * Formatted into the room there is, in one pass when it fits (it mostly
 * does), else once more into room made for it.
 */
void
buf_addf(struct buf *b, const char *fmt, ...)
{
	va_list	 ap;
	size_t	 room;
	int	 n;

	if (b->failed)
		return;
	room = b->cap - b->len;		/* 0 for an empty buffer */
	va_start(ap, fmt);
	n = vsnprintf(room > 0 ? b->data + b->len : NULL, room, fmt, ap);
	va_end(ap);
	if (n >= 0 && (size_t)n < room) {
		b->len += (size_t)n;
		return;
	}
	if (room > 0)
		b->data[b->len] = '\0';	/* what did not fit */
	if (n < 0) {
		b->failed = true;
		return;
	}
	if (!buf_reserve(b, (size_t)n))
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

/*
 * True if the ASCII byte U goes out as it is: not one to escape, and a
 * Char (control characters but TAB, LF and CR are not).
 */
static bool
is_plain_markup(unsigned char u)
{
	if (u < 0x20)
		return u == '\t' || u == '\n' || u == '\r';
	return u != '&' && u != '<' && u != '>' && u != '"' && u != '\'';
}

/*
 * Runs of bytes that go out as they are (nearly all of a text) are
 * copied whole; only what is escaped or dropped ends a run.
 */
void
buf_add_markup(struct buf *out, const char *s, size_t len)
{
	const char	*end = s + len, *run = s;
	unsigned char	 u;
	uint32_t	 cp;
	size_t		 n;

	while (s < end) {
		u = (unsigned char)*s;
		if (u < 0x80 && is_plain_markup(u)) {
			s++;
			continue;
		}
		n = u < 0x80 ? 1 : utf8_decode(s, (size_t)(end - s), &cp);
		if (n > 1 && is_xml_char(cp)) {
			s += n;
			continue;
		}
		buf_add(out, run, (size_t)(s - run));
		switch (u) {
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
		default:		/* not UTF-8, or not a Char: dropped */
			break;
		}
		s += n > 0 ? n : 1;
		run = s;
	}
	buf_add(out, run, (size_t)(s - run));
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
	if (b->data == NULL && !buf_reserve(b, 0))
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
