/*
 * capsule: the loader's read and parse stages: walk the capsule folder
 * (--root) and build a whole site from its flat files: gemtext pages,
 * article lists, the partner directory and every other file.  Rendering
 * what each protocol sends is the next stage (render_site()), which the
 * server calls; the loader never does.
 */
#ifndef CAPSULE_H
#define CAPSULE_H

#include <stddef.h>
#include <stdint.h>

struct site;
struct site_opts;

/*
 * Files other than gemtext over CAPSULE_MEM_FILE_MAX bytes, and any file
 * once CAPSULE_MEM_TOTAL bytes of files are held, are read from disk when
 * requested instead of being kept in memory.
 */
#define CAPSULE_MEM_FILE_MAX	(1024 * 1024)
#define CAPSULE_MEM_TOTAL	(256 * 1024 * 1024)
#define CAPSULE_PARTNERS_MAX	(64 * 1024 * 1024)	/* "64 MiB" */
#define CAPSULE_DEPTH_MAX	16	/* folders below the root */

/*
 * Load the capsule below ROOT.  Returns a new site (one reference, the
 * caller's), or NULL with every error found, one per line, written to
 * ERR as "file:line: message" (the line where one applies).  Warnings
 * (a file not served, a page served with a fix) are logged as
 * "file:line: warning: message" and counted in site->nwarnings.  Reads
 * only below ROOT: dot files are never served, and symbolic links only
 * when they lead to a file inside the capsule.
 */
struct site	*capsule_load(const char *, const struct site_opts *, char *,
		    size_t);

/*
 * capsule_load() for a reload: what did not change since OLD was loaded
 * (the same options and capsule folder; NULL: nothing) is taken over
 * from it (reuse.h), shared, not read again.  The site is the same, byte
 * for byte, as capsule_load() makes of the same files; only the warnings
 * of files not read again are not repeated.  OLD must stay unchanged
 * meanwhile (a site never changes once built).
 */
struct site	*capsule_reload(const char *, const struct site_opts *,
		    const struct site *, char *, size_t);

/*
 * What a watch (--watch) saw change since OLD's load began: the folders,
 * by identity (device, inode), in which an entry was written, created,
 * removed, renamed or had its attributes changed, sorted.
 */
struct capsule_scope {
	const uint64_t	(*dirs)[2];	/* borrowed: { dev, ino }, sorted */
	size_t		 ndirs;
};

/*
 * capsule_reload() within SCOPE (NULL: everything may have changed): a
 * folder of OLD outside it, whose identity and times are as OLD's load
 * found them, is not read again: its entries are OLD's, and its files'
 * pages are taken over without a stat (but for a file changed within the
 * racy margin of OLD's load, reuse_racy).  Its symbolic links and
 * folders are looked at as always.  The caller vouches that the watch
 * ran, unbroken, since before OLD's load began.
 */
struct site	*capsule_reload_in(const char *, const struct site_opts *,
		    const struct site *, const struct capsule_scope *, char *,
		    size_t);

#endif
