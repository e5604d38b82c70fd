/*
 * rootfs: file access below a capsule root, through the root's descriptor
 * (open beneath it, a folder's names, UTF-8 sniffing); knows no model, no
 * protocol, and must never climb out of the root it is handed.
 */
#include <sys/stat.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "buf.h"
#include "rootfs.h"
#include "url.h"
#include "utf8.h"

int
rootfs_open(int rootfd, const char *rel, bool follow, char **resolved,
    long long *len, const char **errstr)
{
	struct stat	 st;
	struct buf	 todo = BUF_INIT, done = BUF_INIT;
	char		 target[PATH_MAX], *comp, *rest;
	ssize_t		 n;
	int		 cur = rootfd, fd = -1, hops = 0, flags, e;

	buf_addc(&todo, '/');
	buf_adds(&todo, rel);
 again:
	/* "/a/./b/../c" -> "/a/c": a ".." above the root leads out */
	if (todo.failed || url_path_clean(todo.data) == -1) {
		*errstr = todo.failed ? "out of memory" :
		    "symbolic link leads out of the capsule";
		goto bad;
	}
	todo.len = strlen(todo.data);
	if (todo.len > 1 && todo.data[todo.len - 1] == '/')
		todo.data[--todo.len] = '\0';
	if (todo.len == 1) {
		*errstr = "symbolic link leads to the capsule folder";
		goto bad;
	}
	if (cur != rootfd)
		close(cur);
	cur = rootfd;
	buf_reset(&done);
	for (comp = todo.data + 1; comp != NULL; comp = rest) {
		if ((rest = strchr(comp, '/')) != NULL)
			*rest++ = '\0';
		if (comp[0] == '.') {
			*errstr = "leads to a dot file";
			goto bad;
		}
		if (fstatat(cur, comp, &st, AT_SYMLINK_NOFOLLOW) == -1) {
			*errstr = strerror(errno);
			goto bad;
		}
		if (S_ISLNK(st.st_mode)) {
			if (!follow) {
				*errstr = "is a symbolic link";
				goto bad;
			}
			if (++hops > ROOTFS_LINKS_MAX) {
				*errstr = "too many symbolic links";
				goto bad;
			}
			if ((n = readlinkat(cur, comp, target,
			    sizeof(target) - 1)) == -1) {
				*errstr = strerror(errno);
				goto bad;
			}
			target[n] = '\0';
			if (target[0] == '/') {
				*errstr = "symbolic link to an absolute path";
				goto bad;
			}
			/* DONE/TARGET/REST, resolved again from the root */
			buf_adds(&done, target);
			if (rest != NULL) {
				buf_addc(&done, '/');
				buf_adds(&done, rest);
			}
			buf_reset(&todo);
			buf_addc(&todo, '/');
			buf_add(&todo, done.data, done.len);
			goto again;
		}
		if (rest != NULL && !S_ISDIR(st.st_mode)) {
			*errstr = strerror(ENOTDIR);
			goto bad;
		}
		if (rest == NULL && !S_ISREG(st.st_mode)) {
			*errstr = S_ISDIR(st.st_mode) ? "leads to a folder" :
			    "not a regular file";
			goto bad;
		}
		flags = O_RDONLY | O_NONBLOCK | O_NOFOLLOW | O_CLOEXEC;
		if (rest != NULL)
			flags |= O_DIRECTORY;
		if ((fd = openat(cur, comp, flags)) == -1) {
			*errstr = errno == ELOOP ? "is a symbolic link" :
			    strerror(errno);
			goto bad;
		}
		if (cur != rootfd)
			close(cur);
		cur = fd;
		fd = -1;
		buf_adds(&done, comp);
		if (rest != NULL)
			buf_addc(&done, '/');
	}
	/* a FIFO swapped in since fstatat() is open, but never read */
	if (fstat(cur, &st) == -1 || !S_ISREG(st.st_mode)) {
		*errstr = "not a regular file";
		goto bad;
	}
	if (done.failed) {
		*errstr = "out of memory";
		goto bad;
	}
	if (resolved != NULL && (*resolved = buf_take(&done, NULL)) == NULL) {
		*errstr = "out of memory";
		goto bad;
	}
	*len = (long long)st.st_size;
	buf_free(&todo);
	buf_free(&done);
	return cur;
 bad:
	e = errno;		/* the caller tells a full table from a gone file */
	if (cur != rootfd)
		close(cur);
	buf_free(&todo);
	buf_free(&done);
	errno = e;
	return -1;
}

int
rootfs_open_folder(int rootfd, const char *dir, size_t len, int flags,
    const char **errstr)
{
	char		 comp[NAME_MAX + 1];
	const char	*p = dir, *end = dir + len, *slash;
	size_t		 n;
	int		 fd, next, e;

	if ((fd = openat(rootfd, ".", O_RDONLY | O_DIRECTORY |
	    O_CLOEXEC)) == -1) {
		*errstr = strerror(errno);
		return -1;
	}
	for (; p < end; p = slash + 1) {
		if ((slash = memchr(p, '/', (size_t)(end - p))) == NULL)
			slash = end;
		n = (size_t)(slash - p);
		if (n == 0 || p[0] == '.' || n >= sizeof(comp)) {
			/* "", ".", "..", a dot folder: none leads anywhere */
			*errstr = n == 0 ? "an empty folder name" :
			    n >= sizeof(comp) ? strerror(ENAMETOOLONG) :
			    "a dot folder";
			errno = n >= sizeof(comp) ? ENAMETOOLONG : EPERM;
			goto bad;
		}
		memcpy(comp, p, n);
		comp[n] = '\0';
		if ((flags & ROOTFS_CREATE) && mkdirat(fd, comp, 0700) == -1 &&
		    errno != EEXIST) {
			*errstr = strerror(errno);
			goto bad;
		}
		if ((next = openat(fd, comp, O_RDONLY | O_DIRECTORY |
		    O_NOFOLLOW | O_CLOEXEC)) == -1) {
			*errstr = errno == ENOENT ? "no such folder" :
			    errno == ELOOP || errno == ENOTDIR ? "a folder "
			    "that is a link or no folder" : strerror(errno);
			goto bad;
		}
		close(fd);
		fd = next;
		if (slash == end)
			break;
	}
	return fd;
 bad:
	e = errno;
	close(fd);
	errno = e;
	return -1;
}

static int
name_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

char **
rootfs_names(int dirfd, size_t *n)
{
	DIR		*d;
	struct dirent	*de;
	char		**names = NULL, **p;
	size_t		 cap = 0;
	int		 fd;

	*n = 0;
	if ((fd = dup(dirfd)) == -1)
		return NULL;
	if ((d = fdopendir(fd)) == NULL) {
		close(fd);
		return NULL;
	}
	while ((de = readdir(d)) != NULL) {
		if (de->d_name[0] == '.')
			continue;
		if (*n == cap) {
			cap = cap ? cap * 2 : 16;
			if ((p = reallocarray(names, cap, sizeof(*p))) == NULL)
				goto bad;
			names = p;
		}
		if ((names[*n] = strdup(de->d_name)) == NULL)
			goto bad;
		(*n)++;
	}
	closedir(d);
	if (names == NULL)
		names = calloc(1, sizeof(*names));
	qsort(names, *n, sizeof(*names), name_cmp);
	return names;
 bad:
	closedir(d);
	while (*n > 0)
		free(names[--(*n)]);
	free(names);
	return NULL;
}

bool
rootfs_is_utf8(int fd)
{
	char		 chunk[65536 + 4];
	size_t		 carry = 0, ok, n;
	ssize_t		 r;
	uint32_t	 cp;

	for (;;) {
		r = read(fd, chunk + carry, sizeof(chunk) - 4 - carry);
		if (r == -1 && errno == EINTR)
			continue;
		if (r == -1)
			return false;
		if (r == 0)
			return carry == 0;
		n = carry + (size_t)r;
		/* a sequence cut at the chunk's end waits for the next */
		for (ok = 0; ok < n; ok += carry) {
			if ((carry = utf8_decode(chunk + ok, n - ok, &cp)) ==
			    0)
				break;
		}
		if (ok < n && n - ok < 4 &&
		    (unsigned char)chunk[ok] >= 0xc2 &&
		    (unsigned char)chunk[ok] <= 0xf4) {
			carry = n - ok;
			memmove(chunk, chunk + ok, carry);
			continue;
		}
		if (ok < n)
			return false;
		carry = 0;
	}
}

bool
rootfs_is_beneath(const char *in, const char *outer)
{
	size_t	 n = strlen(outer);

	if (strcmp(outer, "/") == 0)
		return in[0] == '/';
	return strncmp(in, outer, n) == 0 && (in[n] == '/' || in[n] == '\0');
}
