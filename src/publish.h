/*
 * publish: a Titan upload as a transaction on the file system, beneath
 * a capsule folder: the bytes checked as the loader would check them,
 * written to a new file beside the old one, fsync'ed, the old version
 * kept in the history folder, renamed into place, the folder fsync'ed.
 * Blocking: call it off the serving loops (conn_job()).
 */
#ifndef PUBLISH_H
#define PUBLISH_H

#include <stdbool.h>
#include <stddef.h>

struct buf;

#define PUBLISH_KEEP		10	/* versions kept per file */
#define PUBLISH_READ_MAX	(64 * 1024 * 1024)	/* ;edit: the source */

enum publish_status {
	PUBLISH_OK,
	PUBLISH_INVALID,	/* the bytes would not load (59) */
	PUBLISH_REFUSED,	/* not allowed there (50) */
	PUBLISH_NOT_FOUND,	/* no such file or folder (51) */
	PUBLISH_FAILED,		/* the file system failed (40) */
};

struct publish {
	const char	*root;		/* the capsule folder */
	const char	*history;	/* where old versions are kept */
	const char	*path;		/* decoded, clean: "/notes/a.gmi" */
	const char	*data;		/* borrowed: the new bytes */
	size_t		 len;
	bool		 text;		/* a text type: UTF-8 is required */
	bool		 create;	/* may make a new file */
};

/*
 * Would the loader take LEN bytes of DATA as the file PATH?  Gemtext by
 * gemtext.c's rules, partners.txt by partners.c's parser, any other text
 * (TEXT) UTF-8 without NUL.  Returns 0, or -1 with "PATH:LINE: message"
 * (or "PATH: message") in ERR.  Pure.
 */
int	publish_check(const char *, const char *, size_t, bool, char *,
	    size_t);

/*
 * Write P's bytes as P->path, keeping the old file's bytes in the
 * history (PUBLISH_KEEP versions a file).  The file is found beneath
 * P->root without following a link or entering a dot folder; a folder is
 * never made.  A failure at any point leaves the old file as it was.
 * Returns PUBLISH_OK, or another status with the reason in ERR.
 */
enum publish_status publish_write(const struct publish *, char *, size_t);

/* Delete P->path, its last version kept in the history as above. */
enum publish_status publish_delete(const struct publish *, char *, size_t);

/*
 * The bytes of the file PATH beneath ROOT, as stored, into OUT (reset
 * first); PUBLISH_NOT_FOUND if there is none.
 */
enum publish_status publish_read(const char *, const char *, struct buf *,
	    char *, size_t);

#endif
