/*
 * trigram: an index over N entries of search forms, answering "which
 * entries hold this folded query" in entry order (pure).  It knows
 * nothing of what the entries are (partners, pages).
 *
 * An entry is the search forms of one string, [a-z0-9-] only
 * (collate.h), any other byte between them a separator.  The index is
 * built from a haystack it borrows (entry I the bytes HAY[OFF[I]] up to
 * HAY[OFF[I + 1]]), or fed entry by entry by a caller that keeps no
 * haystack and checks candidates itself.  A folded query of 1 to 3
 * symbols is answered from the index exactly; a longer one by the
 * intersection of its trigrams, each candidate then checked (memmem() in
 * the haystack, or the caller's check).
 */
#ifndef TRIGRAM_H
#define TRIGRAM_H

#include <stdbool.h>
#include <stddef.h>

struct trigram;
struct trigram_builder;

/*
 * True if entry I holds the folded query FQ (LEN bytes) in one of its
 * search forms, the forms it was given to the index with.
 */
typedef bool	(*trigram_has_fn)(const void *, size_t, const char *, size_t);

#define TRIGRAM_QUERY_MAX	256	/* trigrams of a query used at most */
#define TRIGRAM_STEPS		16	/* candidates tried per hit counted */

/*
 * Index the N entries of HAY (borrowed: it and OFF, N + 1 offsets, must
 * outlive the index).  Returns the index, or NULL with errstr.
 */
struct trigram	*trigram_build(const char *, const size_t *, size_t,
		    const char **);
void		 trigram_free(struct trigram *);

/*
 * An index fed entry by entry, in one pass: trigram_add() gives the next
 * entry's search forms (LEN bytes, only read during the call), 0 or -1
 * (memory, or too many entries: the index then fails to build).
 * trigram_builder_end() frees the builder and returns the index over the
 * entries added, which checks a candidate with HAS(ARG, ...) (ARG
 * borrowed), or NULL with errstr.  Without a haystack
 * trigram_find_linear() asks HAS of every entry.  HAS may be NULL for an
 * index read through trigram_visit() only: every candidate is then no
 * hit.
 */
struct trigram_builder	*trigram_builder_new(void);
int		 trigram_add(struct trigram_builder *, const char *, size_t);
struct trigram	*trigram_builder_end(struct trigram_builder *,
		    trigram_has_fn, const void *, const char **);
/*
 * trigram_builder_end() that keeps the builder, empty, for the next
 * index (what it allocated once is not allocated again: many small
 * indexes built one after the other); trigram_builder_free() it then.
 */
struct trigram	*trigram_builder_take(struct trigram_builder *,
		    trigram_has_fn, const void *, const char **);
void		 trigram_builder_free(struct trigram_builder *);

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

/*
 * For a caller whose entries hold many strings of their own, which it
 * checks itself: VISIT(ARG, I) is called for each entry I that may hold
 * the folded query FQ, in entry order: for 1 to 3 symbols each entry
 * that holds FQ (exact), for more each entry that holds all of FQ's
 * trigrams (a candidate, not checked).  VISIT returns false to stop.
 * For 3 symbols or more each round of the index is a try: once TRIES
 * are spent, with entries left, it stops and returns false (else true).
 */
typedef bool	(*trigram_visit_fn)(void *, size_t);
bool		 trigram_visit(const struct trigram *, const char *,
		    trigram_visit_fn, void *, size_t);

/*
 * trigram_visit() over several indexes read as one: part I is the
 * entries LO to HI - 1 of its index IX, numbered BASE on (entry LO is
 * BASE), and the parts follow each other (a part's BASE is past the
 * entries of those before it).  The entries, the order VISIT sees them
 * in and the tries counted are those of one index over all the parts'
 * entries, when each index is cut in parts that start at entry 0 and
 * at the ends of the others (a list's length is counted with the part
 * that starts at 0): a search of many small indexes answers as one big.
 */
struct trigram_part {
	const struct trigram	*ix;		/* borrowed */
	size_t			 lo, hi;
	size_t			 base;
};
bool		 trigram_visit_parts(const struct trigram_part *, size_t,
		    const char *, trigram_visit_fn, void *, size_t);

#endif
