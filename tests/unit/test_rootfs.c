/*
 * test_rootfs: file access below a capsule root (src/rootfs.c): opening
 * beneath the root's descriptor, a folder's names, UTF-8 sniffing.
 */
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check.h"
#include "rootfs.h"
#include "tmptree.h"

static void
link_to(const char *target, const char *rel)
{
	char	 path[512];

	snprintf(path, sizeof(path), "%s/%s", tmptree, rel);
	if (symlink(target, path) == -1) {
		perror(path);
		exit(2);
	}
}

static void
test_open_stays_inside(void)
{
	const char	*errstr = NULL;
	char		*res = NULL;
	long long	 len = 0;
	int		 rootfd, fd;

	tmptree_new();
	tmptree_mkdir("a");
	tmptree_mkdir("a/b");
	tmptree_put("a/b/c.txt", "abc\n");
	link_to("b/c.txt", "a/l.txt");
	link_to("../..", "a/b/up");
	link_to("../../..", "a/b/out");
	link_to("b", "a/lb");
	rootfd = open(tmptree, O_RDONLY | O_DIRECTORY);
	CHECK((fd = rootfs_open(rootfd, "a/l.txt", true, &res, &len,
	    &errstr)) != -1);
	CHECK(len == 4);
	CHECK_STR(res, "a/b/c.txt");
	free(res);
	res = NULL;
	if (fd != -1)
		close(fd);
	CHECK(rootfs_open(rootfd, "a/l.txt", false, NULL, &len,
	    &errstr) == -1);
	CHECK_STR(errstr, "is a symbolic link");
	CHECK(rootfs_open(rootfd, "a/lb/c.txt", false, NULL, &len,
	    &errstr) == -1);
	CHECK((fd = rootfs_open(rootfd, "a/lb/c.txt", true, &res, &len,
	    &errstr)) != -1);
	CHECK_STR(res, "a/b/c.txt");
	free(res);
	if (fd != -1)
		close(fd);
	/* up to the root is inside, one more is not */
	CHECK((fd = rootfs_open(rootfd, "a/b/up/a/l.txt", true, NULL, &len,
	    &errstr)) != -1);
	if (fd != -1)
		close(fd);
	CHECK(rootfs_open(rootfd, "a/b/out/x", true, NULL, &len,
	    &errstr) == -1);
	CHECK_STR(errstr, "symbolic link leads out of the capsule");
	CHECK(rootfs_open(rootfd, "a", true, NULL, &len, &errstr) == -1);
	close(rootfd);
	tmptree_rm();
}

/* Dot segments are cleaned before any part is opened. */
static void
test_open_cleans_dot_segments(void)
{
	const char	*errstr = NULL;
	char		*res = NULL;
	long long	 len = 0;
	int		 rootfd, fd;

	tmptree_new();
	tmptree_mkdir("a");
	tmptree_put("a/x.txt", "x\n");
	tmptree_put(".hidden", "h\n");
	rootfd = open(tmptree, O_RDONLY | O_DIRECTORY);
	CHECK((fd = rootfs_open(rootfd, "./a//b/../x.txt", false, &res, &len,
	    &errstr)) != -1);
	CHECK_STR(res, "a/x.txt");
	CHECK(len == 2);
	free(res);
	if (fd != -1)
		close(fd);
	CHECK(rootfs_open(rootfd, "a/../../x.txt", false, NULL, &len,
	    &errstr) == -1);
	CHECK_STR(errstr, "symbolic link leads out of the capsule");
	CHECK(rootfs_open(rootfd, "a/..", false, NULL, &len, &errstr) == -1);
	CHECK_STR(errstr, "symbolic link leads to the capsule folder");
	CHECK(rootfs_open(rootfd, ".hidden", false, NULL, &len,
	    &errstr) == -1);
	CHECK_STR(errstr, "leads to a dot file");
	close(rootfd);
	tmptree_rm();
}

/* Names come sorted, dot files left out. */
static void
test_names_sorted_without_dot_files(void)
{
	char	**names;
	size_t	 n, i;
	int	 rootfd;

	tmptree_new();
	tmptree_put("b.gmi", "b\n");
	tmptree_put("a.gmi", "a\n");
	tmptree_put(".x", "x\n");
	tmptree_mkdir("c");
	rootfd = open(tmptree, O_RDONLY | O_DIRECTORY);
	CHECK((names = rootfs_names(rootfd, &n)) != NULL);
	CHECK(n == 3);
	if (names != NULL && n == 3) {
		CHECK_STR(names[0], "a.gmi");
		CHECK_STR(names[1], "b.gmi");
		CHECK_STR(names[2], "c");
	}
	for (i = 0; names != NULL && i < n; i++)
		free(names[i]);
	free(names);
	close(rootfd);
	tmptree_rm();
}

/* A file is UTF-8 or not, whole, across the reader's chunks. */
static void
test_is_utf8(void)
{
	char	 path[512], *big;
	size_t	 n = 65536 + 7;
	int	 fd;

	tmptree_new();
	tmptree_put("u.txt", "Gr\xc3\xbc\xc3\x9f\n");
	tmptree_put("l.txt", "Gr\xfc\xdf\n");
	snprintf(path, sizeof(path), "%s/u.txt", tmptree);
	CHECK((fd = open(path, O_RDONLY)) != -1 && rootfs_is_utf8(fd));
	close(fd);
	snprintf(path, sizeof(path), "%s/l.txt", tmptree);
	CHECK((fd = open(path, O_RDONLY)) != -1 && !rootfs_is_utf8(fd));
	close(fd);
	/* a two-byte sequence cut at the first chunk's end */
	if ((big = malloc(n + 1)) == NULL)
		exit(2);
	memset(big, 'a', n);
	memcpy(big + 65535, "\xc3\xbc", 2);
	big[n] = '\0';
	tmptree_put("big.txt", big);
	free(big);
	snprintf(path, sizeof(path), "%s/big.txt", tmptree);
	CHECK((fd = open(path, O_RDONLY)) != -1 && rootfs_is_utf8(fd));
	close(fd);
	tmptree_rm();
}

/* Is the folder REL (below the tree) there, and a folder? */
static bool
is_folder(const char *rel)
{
	struct stat	 st;
	char		 path[512];

	snprintf(path, sizeof(path), "%s/%s", tmptree, rel);
	return lstat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

/*
 * The walker beneath a root: no link followed anywhere on the way, no
 * "..", no dot folder; missing folders made only with ROOTFS_CREATE.
 */
static void
test_open_folder_stays_inside(void)
{
	const char	*errstr = NULL;
	struct stat	 st, want;
	char		 path[512];
	int		 rootfd, fd;

	tmptree_new();
	tmptree_mkdir("a");
	tmptree_mkdir("a/b");
	tmptree_mkdir(".hidden");
	link_to("b", "a/lb");
	link_to("..", "a/up");
	rootfd = open(tmptree, O_RDONLY | O_DIRECTORY);

	/* a/b, and only the first LEN bytes count */
	CHECK((fd = rootfs_open_folder(rootfd, "a/b/c.gmi", 3, 0,
	    &errstr)) != -1);
	snprintf(path, sizeof(path), "%s/a/b", tmptree);
	CHECK(fd != -1 && fstat(fd, &st) == 0 && stat(path, &want) == 0 &&
	    st.st_ino == want.st_ino && st.st_dev == want.st_dev);
	if (fd != -1)
		close(fd);
	/* "": the root itself, a new descriptor */
	CHECK((fd = rootfs_open_folder(rootfd, "", 0, 0, &errstr)) != -1 &&
	    fd != rootfd);
	if (fd != -1)
		close(fd);

	/* a link in the middle, or at the end, is refused */
	CHECK(rootfs_open_folder(rootfd, "a/lb/x", 4, 0, &errstr) == -1);
	CHECK_STR(errstr, "a folder that is a link or no folder");
	CHECK(rootfs_open_folder(rootfd, "a/up/a", 6, 0, &errstr) == -1);
	CHECK(rootfs_open_folder(rootfd, "a/lb/n", 6, ROOTFS_CREATE,
	    &errstr) == -1);
	CHECK(!is_folder("a/b/n"));
	/* "..", "." and dot folders, even where they would stay inside */
	CHECK(rootfs_open_folder(rootfd, "a/..", 4, 0, &errstr) == -1);
	CHECK_STR(errstr, "a dot folder");
	CHECK(rootfs_open_folder(rootfd, "..", 2, ROOTFS_CREATE,
	    &errstr) == -1);
	CHECK(rootfs_open_folder(rootfd, "a/./b", 5, 0, &errstr) == -1);
	CHECK(rootfs_open_folder(rootfd, ".hidden", 7, 0, &errstr) == -1);
	CHECK(rootfs_open_folder(rootfd, "a//b", 4, 0, &errstr) == -1);
	CHECK_STR(errstr, "an empty folder name");

	/* missing folders: an error, unless ROOTFS_CREATE makes them */
	CHECK(rootfs_open_folder(rootfd, "a/x/y", 5, 0, &errstr) == -1 &&
	    errno == ENOENT);
	CHECK_STR(errstr, "no such folder");
	CHECK(!is_folder("a/x"));
	CHECK((fd = rootfs_open_folder(rootfd, "a/x/y", 5, ROOTFS_CREATE,
	    &errstr)) != -1);
	if (fd != -1)
		close(fd);
	CHECK(is_folder("a/x") && is_folder("a/x/y"));
	snprintf(path, sizeof(path), "%s/a/x/y", tmptree);
	CHECK(stat(path, &st) == 0 && (st.st_mode & 0777) == 0700);
	/* a file on the way is no folder, and is left alone */
	tmptree_put("a/f", "f\n");
	CHECK(rootfs_open_folder(rootfd, "a/f/z", 5, ROOTFS_CREATE,
	    &errstr) == -1);
	CHECK_STR(errstr, "a folder that is a link or no folder");
	close(rootfd);
	tmptree_rm();
}

static void
test_is_beneath(void)
{
	CHECK(rootfs_is_beneath("/srv/c", "/srv/c"));
	CHECK(rootfs_is_beneath("/srv/c/x", "/srv/c"));
	CHECK(!rootfs_is_beneath("/srv/cx", "/srv/c"));
	CHECK(!rootfs_is_beneath("/srv", "/srv/c"));
	CHECK(rootfs_is_beneath("/srv", "/"));
	CHECK(rootfs_is_beneath("/", "/"));
}

int
main(void)
{
	test_open_stays_inside();
	test_open_cleans_dot_segments();
	test_names_sorted_without_dot_files();
	test_is_utf8();
	test_is_beneath();
	test_open_folder_stays_inside();
	CHECK_DONE();
}
