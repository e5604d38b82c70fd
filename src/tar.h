/*
 * tar: a POSIX ustar archive as a list of pieces (pure).  Headers and
 * padding are made here; the bodies are borrowed (a page's bytes, kept
 * by whoever owns the page) or owned (tar_add(..., TAR_COPY)), so an
 * archive costs little more than its headers.  Reproducible: no owner
 * names, uid and gid 0, modes 0644 and 0755, the mtime given.
 */
#ifndef TAR_H
#define TAR_H

#include <stdbool.h>
#include <stddef.h>

#define TAR_BLOCK	512
#define TAR_NAME_MAX	100	/* ustar's name field */
#define TAR_PREFIX_MAX	155	/* and its prefix, split at a '/' */
#define TAR_SIZE_MAX	077777777777ULL	/* 11 octal digits */

struct tar_piece {
	const char	*data;
	size_t		 len;
};

struct tar {
	struct tar_piece *pieces;	/* owned array; data see above */
	size_t		 npieces;
	size_t		 cap;
	char		**owned;	/* headers and copied bodies */
	size_t		 nowned;
	size_t		 ocap;
	unsigned long long size;	/* of all pieces */
	bool		 done;		/* tar_finish(): the end blocks */
};

/*
 * One ustar header for NAME into HDR: a folder (DIR, mode 0755, NAME
 * ending in '/') or a file of SIZE bytes (0644).  -1 if NAME does not
 * fit ustar's name and prefix fields, or SIZE its size field.
 */
int	 tar_header(char [TAR_BLOCK], const char *, bool, unsigned long long,
	    long long);
/* The zero bytes after a body of SIZE bytes, to its block's end. */
size_t	 tar_padding(unsigned long long);

#define TAR_BORROW	false
#define TAR_COPY	true

/*
 * Add a folder (NAME ends in '/', DATA NULL) or a file of LEN bytes at
 * DATA, borrowed or copied.  -1 (errno ENAMETOOLONG, EFBIG or ENOMEM).
 */
int	 tar_add(struct tar *, const char *, const char *, size_t, long long,
	    bool);
/* The two zero blocks that end an archive.  -1 out of memory. */
int	 tar_finish(struct tar *);
void	 tar_free(struct tar *);

#endif
