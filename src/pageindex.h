/*
 * pageindex: the page index, every page and file a site serves as a
 * paged gemtext list sorted by path, so that a crawler that follows only
 * links reaches all of the capsule (pure: reads the site's model).
 *
 * Addresses, below BASE ("/pages/" in English, "/seiten/" in German:
 * MSG_URL_PAGEINDEX in msg.c):
 *
 *	/pages/			page 1: a generated page of the site
 *	/pages/page-N.gmi	page N, 2 <= N <= the last: made on request
 *
 * Each entry is a link: a post as "DATE TITLE", another gemtext page by
 * its title (its path when it has none), any other file by its path.
 * The index's own pages are not listed.
 */
#ifndef PAGEINDEX_H
#define PAGEINDEX_H

#include <stddef.h>

#include "section.h"

#define PAGEINDEX_PER_PAGE	100

struct buf;
struct pageindex;
struct site;

/*
 * The index of every page of S below none of BASE's pages, in S's
 * language; NULL when out of memory.  S's pages must be sorted.
 */
struct pageindex *pageindex_build(const struct site *, const char *);
/*
 * The same for a reload: every block of entries of OPI, the index of the
 * site replaced, whose pages S shares, in the same order, is shared too
 * (counted), not made again.
 */
struct pageindex *pageindex_rebuild(const struct site *, const char *,
		    const struct pageindex *);
void		 pageindex_free(struct pageindex *);

/* Entries and pages of the index (one page when it has no entry). */
size_t		 pageindex_count(const struct pageindex *);
size_t		 pageindex_npages(const struct pageindex *);

/* Append page PAGE (1 .. npages) as gemtext to OUT; -1 if none such. */
int		 pageindex_page(const struct pageindex *, size_t,
		    struct buf *);

extern const struct section_ops pageindex_section;

#endif
