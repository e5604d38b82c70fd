/*
 * file: open and read files safely, by path or beneath a folder's
 * descriptor; knows no model, no protocol.  Every file zeche reads or
 * writes by name (the configuration, capsule files, certificates and
 * keys, the log) is opened here, with the same checks: never blocking on
 * a FIFO or a device, a regular file or nothing, bounded in size.
 */
#ifndef FILE_H
#define FILE_H

#include <sys/types.h>

#include <stddef.h>

struct buf;
struct stat;

#define FILE_NOFOLLOW	0x1	/* the file itself must not be a link */

/*
 * Open PATH (relative to the folder DIRFD, or AT_FDCWD) for reading:
 * O_NONBLOCK, so that a FIFO or a device opens at once, and is then
 * turned away by the regular-file check on what was opened; with
 * FILE_NOFOLLOW, O_NOFOLLOW.  ST (unless NULL) gets the file's fstat().
 * Returns the descriptor (close-on-exec), or -1 with errstr set, and
 * errno EINVAL for something other than a regular file.
 */
int	file_open(int, const char *, int, struct stat *, const char **);

/*
 * Read what FD holds into B (reset first), MAX bytes at most: a caller
 * that needs to know whether there was more asks for one byte over its
 * limit.  Returns 0, or -1 with errstr set.
 */
int	file_read_fd(int, size_t, struct buf *, const char **);

/*
 * file_open() and file_read_fd() in one: the whole regular file PATH into
 * B, or -1 with errstr set ("file too large" over MAX bytes).
 */
int	file_read(int, const char *, int, size_t, struct buf *,
	    const char **);

/*
 * Open PATH for appending, made with MODE if missing, for a log that may
 * be written as root: the file must not be a link (O_NOFOLLOW), must be a
 * regular file with one name (a hard link could make it any file), and
 * its folder must not be one that its group or others may write unless
 * it is sticky (someone else could put a link or another file in its
 * place).  Returns the descriptor (blocking, close-on-exec), or -1 with
 * errstr set.
 */
int	file_open_append(const char *, mode_t, const char **);

#endif
