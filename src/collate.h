/*
 * collate: fold names to the keys they sort and are searched by (pure).
 * Knows UTF-8 and the Latin letters; knows no directory, no file format.
 *
 * Sort keys follow DIN 5007 variant 1: ä = a, ö = o, ü = u, ß = ss,
 * accents dropped (é = e, ł = l, æ = ae, ...), case ignored, and every
 * run of spaces and punctuation one space, which sorts before digits and
 * letters.  A code point of another script sorts after them, as 0x01 and
 * its bytes.
 *
 * Search forms hold [a-z0-9-] only: letters and digits as above, but
 * ä -> ae, ö -> oe, ü -> ue in COLLATE_AE (and a, o, u in COLLATE_A), a
 * run of anything else one "-", never at the start or the end.
 */
#ifndef COLLATE_H
#define COLLATE_H

#include <stdbool.h>
#include <stddef.h>

struct buf;

enum collate {
	COLLATE_SORT,	/* [a-z0-9], ' ' for a run of signs, 0x01 + other */
	COLLATE_AE,	/* search: [a-z0-9-], ä -> ae */
	COLLATE_A,	/* search: [a-z0-9-], ä -> a */
};

/* Append the key of the UTF-8 text S (LEN bytes) in MODE to OUT. */
void	collate_fold(struct buf *, const char *, size_t, enum collate);

/*
 * collate_fold() in COLLATE_AE; true if an ä, ö or ü (or a, o, u and a
 * combining diaeresis) was folded, that is if the COLLATE_A form
 * differs.  Where it does not, it is the same bytes.
 */
bool	collate_fold_ae(struct buf *, const char *, size_t);

/*
 * Both search forms of S at once, each into an array with room for LEN
 * bytes (a search form is never longer than its text): the COLLATE_AE
 * form into AE (its length returned), the COLLATE_A form into A (its
 * length in *alen, shorter exactly when the forms differ).  No NUL is
 * added.  For a check that must not allocate, and for speed.
 */
size_t	collate_fold_both(char *, char *, const char *, size_t, size_t *);

/*
 * A quick "no" before a closer look: false if no line of the UTF-8 text
 * S (LEN bytes, lines ended by "\n") holds the search query FQ (FLEN
 * bytes) in one of its search forms, nor any part of a line.  True if
 * one may; also when FQ begins or ends with "-" or holds "--" (no look),
 * or a line is longer than 4 KiB.  Allocates nothing.
 */
bool	collate_may_hold(const char *, size_t, const char *, size_t);

/*
 * collate_fold() in a search mode (COLLATE_AE, COLLATE_A), and for each
 * byte J it appends, the offset in S of the code point that made it in
 * MAP[J].  MAP has room for LEN entries: a search form is never longer
 * than its text.
 */
void	collate_fold_map(struct buf *, size_t *, const char *, size_t,
	    enum collate);

/*
 * Append the case-folded S to OUT: lower case for ASCII, Latin-1 and
 * Latin Extended-A, ß -> ss.  Equal keys mean the same name; equal keys
 * also have equal sort keys.
 */
void	collate_casefold(struct buf *, const char *, size_t);

/*
 * Append NAME's search forms to HAY: its COLLATE_AE form, then "\1" and
 * its COLLATE_A form where that differs, then "\n".  A folded query never
 * matches across the separators.
 */
void	collate_forms(struct buf *, const char *);

#endif
