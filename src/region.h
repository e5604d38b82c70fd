/*
 * region: memory handed out in order from large blocks of its own and
 * given back to the system whole (mmap, munmap).  For what a load needs
 * only until it is done (the parse of every page): kept out of malloc's
 * heap, it leaves no holes there for the next load to fill.
 */
#ifndef REGION_H
#define REGION_H

#include <stddef.h>

struct region_block;

struct region {
	struct region_block	*blocks;	/* owned: the newest first */
};

#define REGION_INIT	{ NULL }

/* LEN bytes, aligned for any type, or NULL (out of memory). */
void	*region_alloc(struct region *, size_t);

/* Give every block back; R is empty (and usable) again. */
void	 region_free(struct region *);

#endif
