/*
 * file: open and read files by path or beneath a folder's descriptor,
 * safely; knows no model, no protocol, and never logs.
 */
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "buf.h"
#include "file.h"

int
file_open(int dirfd, const char *path, int flags, struct stat *st,
    const char **errstr)
{
	struct stat	 sb;
	int		 fd, oflags = O_RDONLY | O_NONBLOCK | O_CLOEXEC;

	if (flags & FILE_NOFOLLOW)
		oflags |= O_NOFOLLOW;
	if (st == NULL)
		st = &sb;
	if ((fd = openat(dirfd, path, oflags)) == -1) {
		*errstr = errno == ELOOP && (flags & FILE_NOFOLLOW) ?
		    "is a symbolic link" : strerror(errno);
		return -1;
	}
	if (fstat(fd, st) == -1) {
		*errstr = strerror(errno);
		close(fd);
		return -1;
	}
	if (!S_ISREG(st->st_mode)) {
		*errstr = S_ISDIR(st->st_mode) ? "is a folder, not a file" :
		    "not a regular file";
		close(fd);
		errno = EINVAL;
		return -1;
	}
	return fd;
}

int
file_read_fd(int fd, size_t max, struct buf *b, const char **errstr)
{
	char	 chunk[65536];
	ssize_t	 n;

	buf_reset(b);
	while (b->len < max) {
		n = read(fd, chunk, max - b->len < sizeof(chunk) ?
		    max - b->len : sizeof(chunk));
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1) {
			*errstr = strerror(errno);
			return -1;
		}
		if (n == 0)
			break;
		buf_add(b, chunk, (size_t)n);
		if (b->failed) {
			*errstr = "out of memory";
			return -1;
		}
	}
	if (b->data == NULL)
		buf_add(b, "", 0);	/* an empty file: "", not NULL */
	if (b->failed) {
		*errstr = "out of memory";
		return -1;
	}
	return 0;
}

int
file_read(int dirfd, const char *path, int flags, size_t max, struct buf *b,
    const char **errstr)
{
	struct stat	 st;
	int		 fd, ret = -1;

	if ((fd = file_open(dirfd, path, flags, &st, errstr)) == -1)
		return -1;
	if ((size_t)st.st_size > max) {
		*errstr = "file too large";
		goto done;
	}
	/* one byte over MAX: a file that grew since fstat() is too large */
	if (file_read_fd(fd, max < SIZE_MAX ? max + 1 : max, b, errstr) == -1)
		goto done;
	if (b->len > max) {
		*errstr = "file too large";
		goto done;
	}
	ret = 0;
 done:
	close(fd);
	return ret;
}

#ifdef O_PATH
#define DIR_FLAGS	(O_PATH | O_DIRECTORY | O_CLOEXEC)
#else
#define DIR_FLAGS	(O_RDONLY | O_DIRECTORY | O_CLOEXEC)
#endif

int
file_open_append(const char *path, mode_t mode, const char **errstr)
{
	struct stat	 st;
	char		 dir[PATH_MAX];
	const char	*base, *slash = strrchr(path, '/');
	int		 dirfd = -1, fd = -1, fl;

	if (slash == NULL) {
		snprintf(dir, sizeof(dir), ".");
		base = path;
	} else if (slash == path) {
		snprintf(dir, sizeof(dir), "/");
		base = slash + 1;
	} else if ((size_t)(slash - path) >= sizeof(dir)) {
		*errstr = strerror(ENAMETOOLONG);
		return -1;
	} else {
		snprintf(dir, sizeof(dir), "%.*s", (int)(slash - path), path);
		base = slash + 1;
	}
	if (base[0] == '\0' || strcmp(base, ".") == 0 ||
	    strcmp(base, "..") == 0) {
		*errstr = "not a file name";
		return -1;
	}
	/*
	 * The folder first: with the file opened beneath the descriptor
	 * checked, a folder renamed meanwhile changes nothing.
	 */
	if ((dirfd = open(dir, DIR_FLAGS)) == -1 || fstat(dirfd, &st) == -1) {
		*errstr = strerror(errno);
		goto bad;
	}
	if ((st.st_mode & (S_IWGRP | S_IWOTH)) != 0 &&
	    (st.st_mode & S_ISVTX) == 0) {
		*errstr = "its folder may be written by its group or others "
		    "and is not sticky: keep the log in a folder only its "
		    "owner may write";
		goto bad;
	}
	/* O_NONBLOCK: a FIFO opens at once with a reader, fails without */
	if ((fd = openat(dirfd, base, O_WRONLY | O_APPEND | O_CREAT |
	    O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC, mode)) == -1) {
		*errstr = errno == ELOOP ? "is a symbolic link" :
		    errno == ENXIO ? "not a regular file" : strerror(errno);
		goto bad;
	}
	if (fstat(fd, &st) == -1) {
		*errstr = strerror(errno);
		goto bad;
	}
	if (!S_ISREG(st.st_mode)) {
		*errstr = "not a regular file";
		goto bad;
	}
	if (st.st_nlink != 1) {
		*errstr = "has more than one name (a hard link)";
		goto bad;
	}
	if ((fl = fcntl(fd, F_GETFL)) == -1 ||
	    fcntl(fd, F_SETFL, fl & ~O_NONBLOCK) == -1) {
		*errstr = strerror(errno);
		goto bad;
	}
	close(dirfd);
	return fd;
 bad:
	if (fd != -1)
		close(fd);
	if (dirfd != -1)
		close(dirfd);
	return -1;
}
