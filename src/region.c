/*
 * region: a bump allocator over anonymous mappings; knows nothing of what
 * it holds.  Nothing in it is freed alone: region_free() unmaps it all.
 */
#include <sys/mman.h>

#include <stdalign.h>
#include <stddef.h>
#include <stdint.h>

#include "region.h"

#define REGION_BLOCK	(4 * 1024 * 1024)

struct region_block {
	struct region_block	*next;
	size_t			 size;		/* of the mapping */
	size_t			 used;		/* from the start of it */
};

#define ALIGN(n)	(((n) + alignof(max_align_t) - 1) & \
			    ~(alignof(max_align_t) - 1))

void *
region_alloc(struct region *r, size_t len)
{
	struct region_block	*b = r->blocks;
	size_t			 head = ALIGN(sizeof(*b)), size;
	void			*p;

	if (len > SIZE_MAX / 2)
		return NULL;
	len = ALIGN(len);
	if (b == NULL || b->size - b->used < len) {
		size = head + len > REGION_BLOCK ? head + len : REGION_BLOCK;
		p = mmap(NULL, size, PROT_READ | PROT_WRITE,
		    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (p == MAP_FAILED)
			return NULL;
		b = p;
		b->size = size;
		b->used = head;
		b->next = r->blocks;
		r->blocks = b;
	}
	p = (char *)b + b->used;
	b->used += len;
	return p;
}

void
region_free(struct region *r)
{
	struct region_block	*b, *next;

	for (b = r->blocks; b != NULL; b = next) {
		next = b->next;
		munmap(b, b->size);
	}
	r->blocks = NULL;
}
