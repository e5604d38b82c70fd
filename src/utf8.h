/*
 * utf8: decoding, validation and display width of UTF-8 text (pure).
 */
#ifndef UTF8_H
#define UTF8_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * Decode one code point from S (LEN > 0 bytes available).  Returns the
 * number of bytes it takes, or 0 if S does not start with a well-formed
 * UTF-8 sequence (overlong forms, surrogates and values past U+10FFFF are
 * malformed).
 */
size_t	utf8_decode(const char *, size_t, uint32_t *);

/* True if all LEN bytes of S are well-formed UTF-8. */
bool	utf8_is_valid(const char *, size_t);

/*
 * The number of terminal columns a code point takes: 0 for combining marks
 * and zero-width characters, 2 for East Asian wide characters and emoji,
 * 1 for everything else that prints.
 */
int	utf8_cp_width(uint32_t);

/* Columns taken by the (valid) UTF-8 text S of LEN bytes. */
size_t	utf8_width(const char *, size_t);

#endif
