/*
 * reuse: what a reload takes over from the site it replaces, so that a
 * change costs what it changes.  A capsule file whose identity (device,
 * inode, size, modification and change times) is the same as at the last
 * load is the same page: its parse and rendering are shared, not made
 * again.  What may have changed for the rest is the set of paths: the
 * pages whose rendering asked the router about a path that came, went or
 * changed its kind (their page->deps) are rendered anew, and a generated
 * page (a folder's listing, a feed, robots.txt) is taken over when it
 * comes out byte for byte as before.  The result is what a full load of
 * the same files makes: tests/unit/test_reuse.c compares the two after
 * random changes.  A change of the options (the configuration) is a full
 * load (reuse_key).
 */
#ifndef REUSE_H
#define REUSE_H

#include <sys/stat.h>

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct page;
struct page_id;
struct site;
struct site_opts;

/* The hash of PATH that page->deps keep (FNV-1a, 64 bits). */
uint64_t	 reuse_hash(const char *);

/* ST as a page identity; true if A and B name the same unchanged file. */
void		 reuse_id(struct page_id *, const struct stat *);
bool		 reuse_same_id(const struct page_id *, const struct page_id *);

/*
 * True if the file of ID may have changed within the same tick of the
 * file system's clock as the load of OLD read it (its loaded_ns): a
 * second change in that tick leaves size and times as they were, so such
 * a file is read again.  The margin is 100 ms on file systems with times
 * finer than a second, else 2 s.
 */
bool		 reuse_racy(const struct site *, const struct page_id *);

/* The wall clock now, in ns: a load's loaded_ns. */
int64_t		 reuse_now(void);

/*
 * Everything of OPTS that the pages depend on, and the identity of the
 * capsule folder ROOTFD, as one string (owned by the caller): a reload
 * takes over from a site with the same key only.  NULL: out of memory.
 */
char		*reuse_key(const struct site_opts *, int);

struct reuse {
	const struct site *old;		/* borrowed: the site replaced */
	uint64_t	*changed;	/* owned: the hashes of the paths */
	size_t		 nchanged;	/* whose route may differ, sorted */
	bool		 all;		/* the sections differ: every path */
	bool		 known;		/* reuse_changes() has run */
	size_t		 taken;		/* pages taken over, for the log */
};

/*
 * After the walk: the paths that are in R's old site or in the new one
 * but not both, or whose kind differs, and whether the partner
 * directory's addresses differ.  The new site's paths are the N PAGES
 * (sorted) and the NEXTRA paths EXTRA (sorted) of the pages that will be
 * generated after the walk (its feeds, robots.txt); S is the new site.
 * 0, or -1 (memory: R->all is set, so that nothing stale is kept).
 */
int		 reuse_changes(struct reuse *, struct page *const *, size_t,
		    char *const *, size_t, const struct site *);

/* True if PG's rendering is still right in the new site. */
bool		 reuse_clean(const struct reuse *, const struct page *);

/*
 * True if the generated page A (made by this load, not rendered) is what
 * B (of the old site) was made from: the same path, kind and bytes.
 */
bool		 reuse_equal(const struct page *, const struct page *);

/* True if A and B are both NULL or the same string. */
bool		 reuse_same_str(const char *, const char *);

void		 reuse_free(struct reuse *);

#endif
