/*
 * buf: a growable byte buffer, used by every renderer.
 *
 * A buf owns its data.  BUF_INIT is an empty buffer; buf_free() releases it
 * and leaves an empty buffer behind.  The data is always NUL-terminated
 * (not counted in len) so that it can be handed to string functions, but it
 * may itself contain NUL bytes.
 *
 * Appending never fails in a way the caller must handle: on allocation
 * failure the buffer is marked failed (buf.failed) and further appends do
 * nothing, so a renderer checks once at the end.
 */
#ifndef BUF_H
#define BUF_H

#include <stdbool.h>
#include <stddef.h>
#include <string.h>

struct buf {
	char	*data;		/* owned, NUL-terminated */
	size_t	 len;
	size_t	 cap;
	bool	 failed;	/* an allocation failed */
};

#define BUF_INIT { NULL, 0, 0, false }

/*
 * Make room for LEN more bytes (and the NUL) at once.  Returns false, the
 * buffer marked failed, if that cannot be had.
 */
bool	buf_reserve(struct buf *, size_t);

/*
 * Appending is what renderers do a byte or a word at a time, millions of
 * times a load: the common case (the room is there) is inline, and only
 * growing is a call.
 */
static inline void
buf_add(struct buf *b, const void *p, size_t len)
{
	if (b->failed || (len >= b->cap - b->len && !buf_reserve(b, len)))
		return;
	if (len > 0)
		memcpy(b->data + b->len, p, len);
	b->len += len;
	b->data[b->len] = '\0';
}

static inline void
buf_adds(struct buf *b, const char *s)
{
	buf_add(b, s, strlen(s));
}

static inline void
buf_addc(struct buf *b, char c)
{
	if (b->failed || (b->cap - b->len < 2 && !buf_reserve(b, 1)))
		return;
	b->data[b->len++] = c;
	b->data[b->len] = '\0';
}

/* N copies of the byte C (a rule, an indentation). */
void	buf_fill(struct buf *, char, size_t);
void	buf_addf(struct buf *, const char *, ...)
	    __attribute__((format(printf, 2, 3)));
/*
 * Append LEN bytes of text as XML or HTML character data or attribute
 * value: & < > " ' escaped, bytes that are not UTF-8 and characters XML 1.0
 * does not allow (control characters but TAB, CR, LF) dropped.
 */
void	buf_add_markup(struct buf *, const char *, size_t);
void	buf_reset(struct buf *);
void	buf_free(struct buf *);

/*
 * Hand the data over to the caller (who frees it with free()) and leave an
 * empty buffer.  Returns NULL if an allocation failed earlier.  The data
 * is cut to its length (and NUL) when more than BUF_SLACK_MAX bytes of
 * room would be left over.
 */
#define BUF_SLACK_MAX	64
char	*buf_take(struct buf *, size_t *);

#endif
