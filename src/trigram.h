/*
 * trigram: an index over a haystack of search forms, answering "which
 * entries hold this folded query" in entry order (pure).  It borrows the
 * haystack and knows nothing of what the entries are (partners, pages).
 *
 * The haystack is N entries, entry I the bytes HAY[OFF[I]] up to
 * HAY[OFF[I + 1]]; what is searched is [a-z0-9-] only (collate.h), any
 * other byte separates.  A folded query of 1 to 3 symbols is answered
 * from the index exactly; a longer one by the intersection of its
 * trigrams, each candidate checked with memmem().
 */
#ifndef TRIGRAM_H
#define TRIGRAM_H

#include <stdbool.h>
#include <stddef.h>

struct trigram;

#define TRIGRAM_QUERY_MAX	256	/* trigrams of a query used at most */
#define TRIGRAM_STEPS		16	/* candidates tried per hit counted */

/*
 * Index the N entries of HAY (borrowed: it and OFF, N + 1 offsets, must
 * outlive the index).  Returns the index, or NULL with errstr.
 */
struct trigram	*trigram_build(const char *, const size_t *, size_t,
		    const char **);
void		 trigram_free(struct trigram *);

/* True if FQ (LEN bytes) is a non-empty folded query, [a-z0-9-] only. */
bool		 trigram_is_folded(const char *, size_t);

/*
 * The entries holding the folded query FQ, in entry order: the numbers
 * of hit FROM (0-based) and up to NSEL - 1 after it go to SEL.  Hits are
 * counted up to MAX + 1, so a result over MAX means "more than MAX".
 * Returns the hits counted; *partial is set when the work bound
 * (TRIGRAM_STEPS candidates per hit MAX allows) stopped the count early.
 * trigram_find_linear() is one pass over the haystack, the reference the
 * index is tested against.
 */
size_t		 trigram_find(const struct trigram *, const char *, size_t,
		    size_t *, size_t, size_t, bool *);
/* trigram_find() with its own bound: TRIES candidates in all. */
size_t		 trigram_find_tries(const struct trigram *, const char *,
		    size_t, size_t *, size_t, size_t, size_t, bool *);
size_t		 trigram_find_linear(const struct trigram *, const char *,
		    size_t, size_t *, size_t, size_t);

#endif
