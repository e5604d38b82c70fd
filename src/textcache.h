/*
 * textcache: the Gopher texts of a big capsule's posts, its big Gopher
 * menus and its folders' Atom feeds, rendered on the first request and kept in a bounded cache
 * shared by all workers and all snapshots (a post's text is as big as
 * its source: kept for every post, it doubles a text capsule's memory; a
 * feed holds every post's summary, and a reload that adds a post would
 * render it whole).
 *
 * A text is held by an entry, reference-counted: the cache holds one
 * reference while the entry is in it, and each answer under way holds
 * one, so an entry the cache drops (the bound, or its page freed by a
 * reload) lives on until the last answer that sends it is written.  The
 * owner of the text (a page) keeps a slot, a pointer the cache sets and
 * clears under its lock, and hands it to textcache_forget() when it dies.
 *
 * The bound counts the texts' bytes; entries leave in CLOCK order (one
 * asked for since the hand last passed gets another round).  One mutex
 * guards it all: a hit is a lock, a pointer read and an atomic increment.
 */
#ifndef TEXTCACHE_H
#define TEXTCACHE_H

#include <stddef.h>
#include <stdint.h>

struct buf;
struct textent;

#define TEXTCACHE_MAX	(8 * 1024 * 1024)	/* bytes of texts kept */

/*
 * The text in *SLOT, or made by MAKE(ARG, OUT) and put there: a
 * reference for the caller (textcache_unref() when done), its bytes in
 * *DATA and *LEN.  NULL when MAKE fails (-1) or memory runs out.  MAKE
 * runs without the lock; two threads may make the same text at once,
 * the first to finish is kept.
 */
struct textent	*textcache_get(struct textent **,
		    int (*)(void *, struct buf *), void *, const char **,
		    size_t *);
void		 textcache_unref(struct textent *);

/* The owner of SLOT is going: the cache lets go of its entry. */
void		 textcache_forget(struct textent **);

/* Set the bound (bytes; 0: nothing is kept past its answers). */
void		 textcache_limit(size_t);
/* Bytes and entries held by the cache now. */
void		 textcache_stats(size_t *, size_t *);
/*
 * Since the start: the texts found in the cache, the texts made (a miss:
 * not there, or made by two threads at once); and the bound now.
 */
void		 textcache_counts(uint64_t *, uint64_t *, size_t *);

#endif
