/*
 * test_publish: the upload's transaction on the file system
 * (src/publish.c): the loader's checks, a new file and a replaced one,
 * the history bounded per file, nothing made where creating is off, no
 * link followed and no dot folder entered, a failed write changing
 * nothing, a delete keeping the last version, and ;edit's read.
 */
#include <sys/stat.h>

#include <dirent.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "buf.h"
#include "check.h"
#include "publish.h"
#include "tmptree.h"

static char	 root[128], hist[128];

/* The contents of the file REL below the tree, or "(none)". */
static const char *
contents(const char *rel)
{
	static char	 text[4096];
	char		 path[512];
	FILE		*fp;
	size_t		 n;

	snprintf(path, sizeof(path), "%s/%s", tmptree, rel);
	if ((fp = fopen(path, "r")) == NULL)
		return "(none)";
	n = fread(text, 1, sizeof(text) - 1, fp);
	text[n] = '\0';
	fclose(fp);
	return text;
}

/* Entries of the folder REL below the tree. */
static size_t
count(const char *rel)
{
	char		 path[512];
	DIR		*d;
	struct dirent	*e;
	size_t		 n = 0;

	snprintf(path, sizeof(path), "%s/%s", tmptree, rel);
	if ((d = opendir(path)) == NULL)
		return 0;
	while ((e = readdir(d)) != NULL)
		if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0)
			n++;
	closedir(d);
	return n;
}

static enum publish_status
put(const char *path, const char *data, bool create, char *err, size_t len)
{
	struct publish	 p = { root, hist, path, data, strlen(data), true,
			    create };

	return publish_write(&p, err, len);
}

static void
test_check(void)
{
	char	 err[256];

	CHECK(publish_check("/a.gmi", "# T\n\nok\n", 8, true, err,
	    sizeof(err)) == 0);
	CHECK(publish_check("/a.gmi", "# T\n\xff\n", 6, true, err,
	    sizeof(err)) == -1);
	CHECK_STR(err, "/a.gmi:2: invalid UTF-8");
	CHECK(publish_check("/a.txt", "a\nb\n\xc3(\n", 7, true, err,
	    sizeof(err)) == -1);
	CHECK_STR(err, "/a.txt:3: not UTF-8 text");
	CHECK(publish_check("/a.txt", "a\0b", 3, true, err, sizeof(err)) ==
	    -1);
	CHECK(publish_check("/a.png", "\xff\x00", 2, false, err,
	    sizeof(err)) == 0);
	CHECK(publish_check("/p/partners.txt", "Anna\nBert\tx\ty\n", 14,
	    true, err, sizeof(err)) == -1);
	CHECK_STR(err, "/p/partners.txt:2: more than one TAB");
	CHECK(publish_check("/p/partners.txt", "Anna\nBert\n", 10, true, err,
	    sizeof(err)) == 0);
}

static void
test_write(void)
{
	char	 err[256];
	int	 i;

	tmptree_mkdir("capsule");
	tmptree_mkdir("capsule/notes");
	tmptree_put("capsule/notes/a.gmi", "# Alt\n");
	CHECK(put("/notes/b.gmi", "# Neu\n", true, err, sizeof(err)) ==
	    PUBLISH_OK);
	CHECK_STR(contents("capsule/notes/b.gmi"), "# Neu\n");
	CHECK(count("history") == 0);		/* nothing to keep */
	CHECK(put("/notes/a.gmi", "# Eins\n", true, err, sizeof(err)) ==
	    PUBLISH_OK);
	CHECK_STR(contents("capsule/notes/a.gmi"), "# Eins\n");
	CHECK(count("history/notes") == 1);
	CHECK(count("capsule/notes") == 2);	/* no temporary file left */
	for (i = 0; i < PUBLISH_KEEP + 5; i++)
		CHECK(put("/notes/a.gmi", "# Mehr\n", true, err,
		    sizeof(err)) == PUBLISH_OK);
	CHECK(count("history/notes") == PUBLISH_KEEP);
	/* invalid: nothing changes */
	CHECK(put("/notes/a.gmi", "# X\n\xff", true, err, sizeof(err)) ==
	    PUBLISH_INVALID);
	CHECK_STR(contents("capsule/notes/a.gmi"), "# Mehr\n");
	/* creating off: only a replace */
	CHECK(put("/notes/c.gmi", "# C\n", false, err, sizeof(err)) ==
	    PUBLISH_REFUSED);
	CHECK_STR(contents("capsule/notes/c.gmi"), "(none)");
	CHECK(put("/notes/a.gmi", "# Ersetzt\n", false, err, sizeof(err)) ==
	    PUBLISH_OK);
	/* no folder is made */
	CHECK(put("/neu/c.gmi", "# C\n", true, err, sizeof(err)) ==
	    PUBLISH_NOT_FOUND);
	CHECK_STR(contents("capsule/neu/c.gmi"), "(none)");
}

static void
test_refused(void)
{
	char	 err[256], target[512], link[512];

	/* a link, to a file or a folder, is never followed */
	snprintf(target, sizeof(target), "%s/outside.gmi", tmptree);
	tmptree_put("outside.gmi", "# Draussen\n");
	snprintf(link, sizeof(link), "%s/capsule/link.gmi", tmptree);
	CHECK(symlink(target, link) == 0);
	CHECK(put("/link.gmi", "# X\n", true, err, sizeof(err)) ==
	    PUBLISH_REFUSED);
	CHECK_STR(contents("outside.gmi"), "# Draussen\n");
	snprintf(link, sizeof(link), "%s/capsule/dir", tmptree);
	CHECK(symlink(tmptree, link) == 0);
	CHECK(put("/dir/outside.gmi", "# X\n", true, err, sizeof(err)) ==
	    PUBLISH_REFUSED);
	CHECK_STR(contents("outside.gmi"), "# Draussen\n");
	tmptree_mkdir("capsule/.hidden");
	CHECK(put("/.hidden/a.gmi", "# X\n", true, err, sizeof(err)) ==
	    PUBLISH_REFUSED);
	CHECK(put("/notes/.a.gmi", "# X\n", true, err, sizeof(err)) ==
	    PUBLISH_REFUSED);
	CHECK(put("/notes/", "# X\n", true, err, sizeof(err)) ==
	    PUBLISH_REFUSED);
	CHECK(put("/notes", "# X\n", true, err, sizeof(err)) ==
	    PUBLISH_REFUSED);			/* a folder */
}

static void
test_delete_read(void)
{
	struct publish	 p = { root, hist, "/notes/b.gmi", NULL, 0, true,
			    false };
	struct buf	 out = BUF_INIT;
	char		 err[256];

	CHECK(publish_read(root, "/notes/b.gmi", &out, err, sizeof(err)) ==
	    PUBLISH_OK);
	CHECK(out.len == 6 && memcmp(out.data, "# Neu\n", 6) == 0);
	CHECK(publish_delete(&p, err, sizeof(err)) == PUBLISH_OK);
	CHECK_STR(contents("capsule/notes/b.gmi"), "(none)");
	CHECK(publish_read(root, "/notes/b.gmi", &out, err, sizeof(err)) ==
	    PUBLISH_NOT_FOUND);
	CHECK(publish_delete(&p, err, sizeof(err)) == PUBLISH_NOT_FOUND);
	CHECK(publish_read(root, "/link.gmi", &out, err, sizeof(err)) ==
	    PUBLISH_REFUSED);
	buf_free(&out);
}

int
main(void)
{
	tmptree_new();
	snprintf(root, sizeof(root), "%s/capsule", tmptree);
	snprintf(hist, sizeof(hist), "%s/history", tmptree);
	test_check();
	test_write();
	test_refused();
	test_delete_read();
	tmptree_rm();
	CHECK_DONE();
}
