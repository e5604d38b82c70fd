/*
 * rootfs: file access below a capsule root, through the root's
 * descriptor: open a file without leaving the root, read a folder's
 * names, tell whether a file is UTF-8.  Knows no model, no protocol;
 * both the loader and the request path use it.
 */
#ifndef ROOTFS_H
#define ROOTFS_H

#include <stdbool.h>
#include <stddef.h>

#define ROOTFS_LINKS_MAX	16	/* symbolic links in one path */

/*
 * Open the file PATH ("a/b.txt", relative) below the folder ROOTFD
 * without ever leaving it: each part is opened with O_NOFOLLOW, and a
 * symbolic link is followed (if FOLLOW) only when its target stays below
 * ROOTFD and holds no dot file.  A FIFO or device is never opened for
 * reading.  Returns a descriptor (O_NONBLOCK) of a regular file, its
 * size in *LEN, and (if RESOLVED is not NULL) the path without links in
 * a new string; or -1 with ERRSTR set (and errno kept, so that a caller
 * tells a full descriptor table from a file gone).
 */
int	 rootfs_open(int, const char *, bool, char **, long long *,
	    const char **);

#define ROOTFS_CREATE	0x01	/* rootfs_open_folder: make what is missing */

/*
 * Open the folder DIR (its first LEN bytes: "a/b", relative, "" for
 * ROOTFD itself) beneath the folder ROOTFD, one name at a time, never
 * following a symbolic link (O_NOFOLLOW) and refusing an empty name, "."
 * and ".." and every dot folder, so that it never leaves ROOTFD.  With
 * ROOTFS_CREATE in FLAGS a folder missing on the way is made (mode
 * 0700).  Returns a new descriptor (O_DIRECTORY), or -1 with ERRSTR set
 * and errno kept (ENOENT: a folder is missing; ELOOP or ENOTDIR: a link
 * or no folder; EPERM: a name refused).
 */
int	 rootfs_open_folder(int, const char *, size_t, int, const char **);

/*
 * The names in the folder DIRFD, sorted, dot files left out: a new array
 * of new strings, N of them (the caller frees each and the array), or
 * NULL when memory ran out or the folder cannot be read.
 */
char	**rootfs_names(int, size_t *);

/*
 * True if the whole file FD is UTF-8, read in chunks from where FD
 * stands: for a text file served from disk, whose charset parameter
 * depends on it.
 */
bool	 rootfs_is_utf8(int);

/* The resolved absolute path IN is OUTER or lies beneath it. */
bool	 rootfs_is_beneath(const char *, const char *);

#endif
