/*
 * tmptree.h: a throw-away folder below /tmp for the unit tests that load
 * capsules from disk.  tmptree_new() makes it (its path is in tmptree),
 * tmptree_put() and tmptree_mkdir() write below it, and tmptree_rm()
 * removes all of it without following a link.  Any failure to set up a
 * test ends the test program with status 2.
 */
#ifndef TMPTREE_H
#define TMPTREE_H

#include <sys/stat.h>

#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>

static char	 tmptree[64];

static void
tmptree_new(void)
{
	snprintf(tmptree, sizeof(tmptree), "/tmp/zeche-test-XXXXXX");
	if (mkdtemp(tmptree) == NULL) {
		perror("mkdtemp");
		exit(2);
	}
}

static int
tmptree_rm_one(const char *path, const struct stat *st, int flag,
    struct FTW *ftw)
{
	if (remove(path) == -1)
		perror(path);
	return 0;
}

static void
tmptree_rm(void)
{
	nftw(tmptree, tmptree_rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

/* Write the file REL (below the tree) with the text S. */
static void
tmptree_put(const char *rel, const char *s)
{
	char	 path[512];
	FILE	*fp;

	snprintf(path, sizeof(path), "%s/%s", tmptree, rel);
	if ((fp = fopen(path, "w")) == NULL || fputs(s, fp) == EOF ||
	    fclose(fp) == EOF) {
		perror(path);
		exit(2);
	}
}

static void
tmptree_mkdir(const char *rel)
{
	char	 path[512];

	snprintf(path, sizeof(path), "%s/%s", tmptree, rel);
	if (mkdir(path, 0755) == -1) {
		perror(path);
		exit(2);
	}
}

#endif
