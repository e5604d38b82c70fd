/*
 * publish: an upload written beneath a capsule folder as one transaction
 * (check, new file, fsync, old version kept, rename, folder fsync).
 * Knows no protocol and no connection; never serves, never reloads.
 */
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "buf.h"
#include "capsule.h"
#include "file.h"
#include "gemtext.h"
#include "mime.h"
#include "partners.h"
#include "publish.h"
#include "rootfs.h"
#include "utf8.h"

/* One transaction at a time: the history's names and pruning stay simple. */
static pthread_mutex_t	 publish_mtx = PTHREAD_MUTEX_INITIALIZER;
static atomic_uint	 tmp_seq;

/* The last name of PATH. */
static const char *
base_name(const char *path)
{
	const char	*slash = strrchr(path, '/');

	return slash != NULL ? slash + 1 : path;
}

static bool
is_gemtext(const char *name)
{
	return strncmp(mime_lookup(name)->mime, "text/gemini", 11) == 0;
}

/* The line (from 1) of the first byte of DATA that is not UTF-8, or 0. */
static size_t
bad_utf8_line(const char *data, size_t len)
{
	size_t		 i = 0, n, line = 1;
	uint32_t	 cp;

	while (i < len) {
		if (data[i] == '\0' || (n = utf8_decode(data + i, len - i,
		    &cp)) == 0)
			return line;
		if (data[i] == '\n')
			line++;
		i += n;
	}
	return 0;
}

int
publish_check(const char *path, const char *data, size_t len, bool text,
    char *err, size_t errlen)
{
	struct gemtext	 doc = GEMTEXT_INIT;
	struct partners	*ps;
	const char	*name = base_name(path), *errstr;
	char		 folder[PATH_MAX];
	size_t		 line;

	if (strcmp(name, PARTNERS_FILE) == 0) {
		snprintf(folder, sizeof(folder), "%.*s", (int)(name - path),
		    path);
		if (len > CAPSULE_PARTNERS_MAX) {
			snprintf(err, errlen, "%s: over 64 MiB", path);
			return -1;
		}
		if ((ps = partners_load(data, len, folder, &errstr, &line)) ==
		    NULL) {
			if (line > 0)
				snprintf(err, errlen, "%s:%zu: %s", path, line,
				    errstr);
			else
				snprintf(err, errlen, "%s: %s", path, errstr);
			return -1;
		}
		partners_free(ps);
		return 0;
	}
	if (is_gemtext(name)) {
		if (gemtext_parse(data, len, &doc, &errstr, &line) == -1) {
			snprintf(err, errlen, "%s:%zu: %s", path, line, errstr);
			gemtext_free(&doc);
			return -1;
		}
		gemtext_free(&doc);
		return 0;
	}
	if (text && (line = bad_utf8_line(data, len)) > 0) {
		snprintf(err, errlen, "%s:%zu: not UTF-8 text", path, line);
		return -1;
	}
	return 0;
}

/*
 * Open the folder PATH's file lies in beneath ROOT (rootfs_open_folder():
 * no link followed, no dot folder); its descriptor, and the file's name
 * in *NAME (into COPY).  -1 with ERR, *ST the status.
 */
static int
open_folder(const char *root, const char *path, char copy[PATH_MAX],
    const char **name, enum publish_status *st, char *err, size_t errlen)
{
	const char	*slash, *errstr;
	int		 rootfd, fd;

	*st = PUBLISH_REFUSED;
	if (path[0] != '/' || snprintf(copy, PATH_MAX, "%s", path + 1) >=
	    PATH_MAX || copy[0] == '\0' || copy[strlen(copy) - 1] == '/') {
		snprintf(err, errlen, "%s: not a file's path", path);
		return -1;
	}
	if ((rootfd = open(root, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) == -1) {
		*st = PUBLISH_FAILED;
		snprintf(err, errlen, "%s: %s", root, strerror(errno));
		return -1;
	}
	slash = strrchr(copy, '/');
	*name = slash != NULL ? slash + 1 : copy;
	fd = rootfs_open_folder(rootfd, copy, slash != NULL ?
	    (size_t)(slash - copy) : 0, 0, &errstr);
	if (fd == -1 && errno == ENOENT)
		*st = PUBLISH_NOT_FOUND;
	close(rootfd);
	if (fd == -1) {
		snprintf(err, errlen, "%s: %s", path, errstr);
		return -1;
	}
	if ((*name)[0] == '.') {
		snprintf(err, errlen, "%s: a dot file", path);
		close(fd);
		return -1;
	}
	return fd;
}

/* Write all of LEN bytes of DATA, or all of SRC's (SRC >= 0), to FD. */
static int
write_all(int fd, const char *data, size_t len, int src)
{
	char	 chunk[65536];
	ssize_t	 n, w;

	if (src >= 0) {
		while ((n = read(src, chunk, sizeof(chunk))) != 0) {
			if (n == -1 && errno == EINTR)
				continue;
			if (n == -1 || write_all(fd, chunk, (size_t)n, -1) == -1)
				return -1;
		}
		return 0;
	}
	while (len > 0) {
		if ((w = write(fd, data, len)) == -1) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		data += w;
		len -= (size_t)w;
	}
	return 0;
}

/*
 * Make the file NAME in the folder DFD whole or not at all: a new dot
 * file (never served, never loaded) written and fsync'ed, renamed over
 * NAME, the folder fsync'ed.  From DATA, or from SRC (>= 0); with MODE.
 */
static int
put_file(int dfd, const char *name, const char *data, size_t len, int src,
    mode_t mode, char *err, size_t errlen)
{
	struct timespec	 now;
	char		 tmp[64];
	int		 fd, e;

	clock_gettime(CLOCK_REALTIME, &now);
	snprintf(tmp, sizeof(tmp), ".titan-%ld-%u-%ld.tmp", (long)getpid(),
	    atomic_fetch_add(&tmp_seq, 1), (long)now.tv_nsec);
	if ((fd = openat(dfd, tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW |
	    O_CLOEXEC, mode)) == -1) {
		snprintf(err, errlen, "%s: %s", name, strerror(errno));
		return -1;
	}
	/*
	 * MODE whatever the umask, which the open applied; the sandbox's
	 * EPERM (a world-writable mode) leaves the umask's.
	 */
	if ((fchmod(fd, mode) == -1 && errno != EPERM) ||
	    write_all(fd, data, len, src) == -1 || fsync(fd) == -1) {
		e = errno;
		close(fd);
		unlinkat(dfd, tmp, 0);
		snprintf(err, errlen, "%s: %s", name, strerror(e));
		return -1;
	}
	close(fd);
	if (renameat(dfd, tmp, dfd, name) == -1 || fsync(dfd) == -1) {
		e = errno;
		unlinkat(dfd, tmp, 0);
		snprintf(err, errlen, "%s: %s", name, strerror(e));
		return -1;
	}
	return 0;
}

/*
 * The history's folder for PATH (made as needed, 0700): HISTORY, then
 * PATH's folders beneath it (rootfs_open_folder(), ROOTFS_CREATE).
 */
static int
open_history(const char *history, const char *path, char *err,
    size_t errlen)
{
	const char	*slash = strrchr(path, '/'), *errstr;
	size_t		 len = slash != NULL && slash > path ?
			    (size_t)(slash - path - 1) : 0;
	int		 hfd, fd;

	if (mkdir(history, 0700) == -1 && errno != EEXIST) {
		snprintf(err, errlen, "history %s: %s", history,
		    strerror(errno));
		return -1;
	}
	if ((hfd = open(history, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) == -1) {
		snprintf(err, errlen, "history %s: %s", history,
		    strerror(errno));
		return -1;
	}
	fd = rootfs_open_folder(hfd, path + 1, len, ROOTFS_CREATE, &errstr);
	close(hfd);
	if (fd == -1)
		snprintf(err, errlen, "history %s/%.*s: %s", history, (int)len,
		    path + 1, errstr);
	return fd;
}

/* Is ENTRY a kept version of NAME: "NAME.YYYYmmddTHHMMSSZ.nnnnnnnnn"? */
static bool
is_version(const char *entry, const char *name)
{
	size_t	 n = strlen(name);

	return strncmp(entry, name, n) == 0 && entry[n] == '.' &&
	    strlen(entry + n + 1) == 26 && entry[n + 9] == 'T' &&
	    entry[n + 16] == 'Z' && entry[n + 17] == '.';
}

/* Drop the oldest versions of NAME in HFD beyond PUBLISH_KEEP. */
static void
prune(int hfd, const char *name)
{
	char	**names;
	size_t	 i, n, nv = 0;

	if ((names = rootfs_names(hfd, &n)) == NULL)
		return;
	for (i = 0; i < n; i++)
		if (is_version(names[i], name))
			nv++;
	/* sorted: the oldest of NAME's versions come first */
	for (i = 0; i < n; i++) {
		if (nv > PUBLISH_KEEP && is_version(names[i], name)) {
			unlinkat(hfd, names[i], 0);
			nv--;
		}
		free(names[i]);
	}
	free(names);
}

/* Copy the file OLD (open) into the history as a version of PATH. */
static int
keep_version(const char *history, const char *path, int old, mode_t mode,
    char *err, size_t errlen)
{
	struct timespec	 now;
	struct tm	 tm;
	char		 vname[NAME_MAX + 1], stamp[32];
	const char	*name = base_name(path);
	int		 hfd, ret;

	if ((hfd = open_history(history, path, err, errlen)) == -1)
		return -1;
	clock_gettime(CLOCK_REALTIME, &now);
	gmtime_r(&now.tv_sec, &tm);
	strftime(stamp, sizeof(stamp), "%Y%m%dT%H%M%SZ", &tm);
	if (snprintf(vname, sizeof(vname), "%s.%s.%09ld", name, stamp,
	    (long)now.tv_nsec) >= (int)sizeof(vname)) {
		snprintf(err, errlen, "%s: name too long for the history",
		    path);
		close(hfd);
		return -1;
	}
	ret = put_file(hfd, vname, NULL, 0, old, mode & 0600, err, errlen);
	if (ret == 0)
		prune(hfd, name);
	close(hfd);
	return ret;
}

/*
 * The file NAME in DFD as it is: -1 (none, ENOENT), or its descriptor
 * and status.  Anything but a regular file is refused (-2).
 */
static int
open_old(int dfd, const char *name, struct stat *st)
{
	int	 fd;

	if ((fd = openat(dfd, name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK |
	    O_CLOEXEC)) == -1)
		return errno == ENOENT ? -1 : -2;
	if (fstat(fd, st) == -1 || !S_ISREG(st->st_mode)) {
		close(fd);
		return -2;
	}
	return fd;
}

/* Write (DELETE false) or delete P->path; the lock is held. */
static enum publish_status
transact(const struct publish *p, bool delete, char *err, size_t errlen)
{
	enum publish_status	 st;
	struct stat		 ost;
	char			 copy[PATH_MAX];
	const char		*name;
	int			 dfd, old;

	if ((dfd = open_folder(p->root, p->path, copy, &name, &st, err,
	    errlen)) == -1)
		return st;
	st = PUBLISH_FAILED;
	if ((old = open_old(dfd, name, &ost)) == -2) {
		snprintf(err, errlen, "%s: not a regular file, or a link",
		    p->path);
		st = PUBLISH_REFUSED;
		goto done;
	}
	if (old == -1 && (delete || !p->create)) {
		snprintf(err, errlen, "%s: no such file%s", p->path, delete ?
		    "" : "; uploads here replace files, they make none");
		st = delete ? PUBLISH_NOT_FOUND : PUBLISH_REFUSED;
		goto done;
	}
	/* the old version first: lose nothing */
	if (old >= 0 && keep_version(p->history, p->path, old, ost.st_mode,
	    err, errlen) == -1)
		goto done;
	if (delete) {
		if (unlinkat(dfd, name, 0) == -1 || fsync(dfd) == -1) {
			snprintf(err, errlen, "%s: %s", p->path,
			    strerror(errno));
			goto done;
		}
	} else if (put_file(dfd, name, p->data, p->len, -1, old >= 0 ?
	    ost.st_mode & 0777 : 0644, err, errlen) == -1)
		goto done;
	st = PUBLISH_OK;
 done:
	if (old >= 0)
		close(old);
	close(dfd);
	return st;
}

enum publish_status
publish_write(const struct publish *p, char *err, size_t errlen)
{
	enum publish_status	 st;

	if (publish_check(p->path, p->data, p->len, p->text, err, errlen) ==
	    -1)
		return PUBLISH_INVALID;
	pthread_mutex_lock(&publish_mtx);
	st = transact(p, false, err, errlen);
	pthread_mutex_unlock(&publish_mtx);
	return st;
}

enum publish_status
publish_delete(const struct publish *p, char *err, size_t errlen)
{
	enum publish_status	 st;

	pthread_mutex_lock(&publish_mtx);
	st = transact(p, true, err, errlen);
	pthread_mutex_unlock(&publish_mtx);
	return st;
}

enum publish_status
publish_read(const char *root, const char *path, struct buf *out,
    char *err, size_t errlen)
{
	enum publish_status	 st;
	struct stat		 sb;
	char			 copy[PATH_MAX];
	const char		*name, *errstr;
	int			 dfd, fd;

	buf_reset(out);
	if ((dfd = open_folder(root, path, copy, &name, &st, err, errlen)) ==
	    -1)
		return st;
	fd = open_old(dfd, name, &sb);
	close(dfd);
	if (fd < 0) {
		snprintf(err, errlen, "%s: %s", path, fd == -1 ?
		    "no such file" : "not a regular file, or a link");
		return fd == -1 ? PUBLISH_NOT_FOUND : PUBLISH_REFUSED;
	}
	if (file_read_fd(fd, PUBLISH_READ_MAX, out, &errstr) == -1) {
		snprintf(err, errlen, "%s: %s", path, errstr);
		close(fd);
		return PUBLISH_FAILED;
	}
	close(fd);
	return PUBLISH_OK;
}
