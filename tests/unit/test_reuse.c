/*
 * test_reuse: a reload that takes over what did not change (reuse.h,
 * retake.c) makes the same site, byte for byte, as a full load of the
 * same files.  A capsule of post folders, an index, a partner directory
 * and plain files is changed at random, step after step (posts edited,
 * added, removed and renamed, titles changed, links to paths that come
 * and go, an index and a folder that come and go, the directory edited,
 * files touched), and after each step the reload from the last site is
 * compared with a full load, page by page and protocol by protocol.  The
 * same again with --watch's scope: a watch (watch.c) on the capsule says
 * which folders changed, and the reload reads only those
 * (capsule_reload_in).
 */
#include <sys/stat.h>

#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <event2/event.h>

#include "check.h"
#include "tmptree.h"

#include "buf.h"
#include "capsule.h"
#include "pageindex.h"
#include "render.h"
#include "reuse.h"
#include "section.h"
#include "site.h"
#include "watch.h"

#define NPOSTS_MAX	64

static uint32_t	 seed = 12345;
#define rnd(n)	check_rnd(&seed, (n))
static char	 posts[NPOSTS_MAX][64];	/* "log/2021/2021-03-04-p7.gmi" */
static size_t	 nposts;
static unsigned	 serial;

static void
put(const char *rel, const char *s)
{
	tmptree_put(rel, s);
}

static void
rm(const char *rel)
{
	char	 path[512];

	snprintf(path, sizeof(path), "%s/%s", tmptree, rel);
	(void)unlink(path);
}

static bool
exists(const char *rel)
{
	char		 path[512];
	struct stat	 st;

	snprintf(path, sizeof(path), "%s/%s", tmptree, rel);
	return lstat(path, &st) == 0;
}

/* A post's text: a title, text, links to other posts and pages. */
static void
post_text(struct buf *b, unsigned n)
{
	buf_reset(b);
	buf_addf(b, "# Post %u\n\nText of post %u, edit %u.\n\n", n, n,
	    serial++);
	if (nposts > 0)
		buf_addf(b, "=> /%s an earlier post\n", posts[rnd(
		    (uint32_t)nposts)]);
	buf_addf(b, "=> /log/2020/2020-01-%02u-p%u.gmi maybe there\n",
	    1 + rnd(9), rnd(40));
	buf_adds(b, "=> /notes/ notes\n=> /misc/sub/ sub\n"
	    "=> /partners/ partners\n=> ../ up\n");
}

static void
add_post(struct buf *b)
{
	unsigned	 n = rnd(40), y = 2020 + rnd(2), d = 1 + rnd(9);
	size_t		 i;

	if (nposts == NPOSTS_MAX)
		return;
	snprintf(posts[nposts], sizeof(posts[0]), "log/%u/%u-01-%02u-p%u.gmi",
	    y, y, d, n);
	for (i = 0; i < nposts; i++)
		if (strcmp(posts[i], posts[nposts]) == 0)
			return;
	post_text(b, n);
	put(posts[nposts++], b->data);
}

static void
remove_post(size_t i)
{
	rm(posts[i]);
	memmove(posts[i], posts[i + 1], (nposts - i - 1) * sizeof(posts[0]));
	nposts--;
}

/* One random change to the capsule. */
static void
change(struct buf *b)
{
	char		 path[512], to[512];
	FILE		*fp;
	size_t		 i = nposts > 0 ? rnd((uint32_t)nposts) : 0;

	switch (rnd(12)) {
	case 0:
	case 1:				/* a post edited */
		if (nposts > 0) {
			post_text(b, rnd(40));
			put(posts[i], b->data);
		}
		break;
	case 2:
		add_post(b);
		break;
	case 3:
		if (nposts > 2)
			remove_post(i);
		break;
	case 4:				/* a post renamed */
		if (nposts > 0) {
			snprintf(path, sizeof(path), "%s/%s", tmptree,
			    posts[i]);
			snprintf(posts[i] + strlen(posts[i]) - 4, 20,
			    "x%u.gmi", serial++);
			snprintf(to, sizeof(to), "%s/%s", tmptree, posts[i]);
			if (rename(path, to) == -1)
				exit(2);
		}
		break;
	case 5:				/* an index comes or goes */
		if (exists("notes/index.gmi"))
			rm("notes/index.gmi");
		else
			put("notes/index.gmi", "# Notes\n\n=> a.gmi A\n");
		break;
	case 6:				/* a folder comes or goes */
		if (exists("misc/sub/f.gmi")) {
			rm("misc/sub/f.gmi");
			snprintf(path, sizeof(path), "%s/misc/sub", tmptree);
			(void)rmdir(path);
		} else {
			if (!exists("misc/sub"))
				tmptree_mkdir("misc/sub");
			put("misc/sub/f.gmi", "# F\n\n=> ../../notes/a.gmi\n");
		}
		break;
	case 7:				/* the directory edited or gone */
		if (exists("partners/partners.txt") && rnd(2) == 0)
			rm("partners/partners.txt");
		else {
			buf_reset(b);
			for (i = rnd(30); i < 40; i++)
				buf_addf(b, "Partner %zu\n", i);
			put("partners/partners.txt", b->data);
		}
		break;
	case 8:				/* touched, not changed */
		if (nposts > 0) {
			snprintf(path, sizeof(path), "%s/%s", tmptree,
			    posts[i]);
			(void)utimensat(AT_FDCWD, path, NULL, 0);
		}
		break;
	case 9:				/* a page that links what comes */
		buf_reset(b);
		buf_addf(b, "# A\n\n=> /log/2021/2021-01-0%u-p%u.gmi\n"
		    "=> b.txt\n", 1 + rnd(9), rnd(40));
		put("notes/a.gmi", b->data);
		break;
	case 10:			/* a post's end edited */
		if (nposts > 0) {
			snprintf(path, sizeof(path), "%s/%s", tmptree,
			    posts[i]);
			if ((fp = fopen(path, "a")) == NULL)
				exit(2);
			fprintf(fp, "\nOne more paragraph, %u.\n", serial++);
			fclose(fp);
		}
		break;
	default:			/* a plain file comes or goes */
		if (exists("notes/b.txt"))
			rm("notes/b.txt");
		else
			put("notes/b.txt", "plain\n");
		break;
	}
}

static bool
same_bytes(const char *a, size_t alen, const char *b, size_t blen)
{
	return alen == blen && (alen == 0 || memcmp(a, b, alen) == 0);
}

static bool
same_str(const char *a, const char *b)
{
	return a == NULL ? b == NULL : b != NULL && strcmp(a, b) == 0;
}

/*
 * What protocol P sends of PG after its head, as the front-ends get it
 * (render_bytes): its bytes, or those made on request (a Gopher text,
 * pg->text_later; an Atom feed, pg->feed_later), copied into TMP.
 */
static const char *
sent(const struct site *s, const struct page *pg, int p, struct buf *tmp,
    size_t *len)
{
	struct render_out	 out;

	buf_reset(tmp);
	CHECK(render_bytes(s, pg, p, &out) == 0);
	/* a Gopher text made as the load made it: of the length measured */
	if (p == PROTO_GOPHER && pg->text_later)
		CHECK(out.len == pg->out[p].len);
	CHECK((out.hold != NULL) == (pg->feed_later || (pg->text_later &&
	    p == PROTO_GOPHER)));
	buf_add(tmp, out.data, out.len);
	render_drop(&out);
	*len = tmp->len;
	return tmp->data;
}

/* Every page of A as in B: path, kind, bytes, what each protocol sends. */
static void
compare(const struct site *a, const struct site *b, int step)
{
	const struct page	*x, *y;
	const struct section	*sa, *sb;
	struct buf		 ta = BUF_INIT, tb = BUF_INIT;
	struct buf		 ba = BUF_INIT, bb = BUF_INIT;
	const char		*da, *db;
	size_t			 i, j, k, n = 0, la, lb;
	int			 p;

	CHECK(a->npages == b->npages);
	for (i = 0; i < a->npages && i < b->npages; i++) {
		x = a->pages[i];
		y = b->pages[i];
		if (strcmp(x->path, y->path) != 0 ||
		    strcmp(x->mime, y->mime) != 0 ||
		    x->gopher_type != y->gopher_type ||
		    x->generated != y->generated ||
		    !same_str(x->gemtext_mime, y->gemtext_mime) ||
		    !same_str(x->file, y->file) ||
		    /* a feed made on request has no body: what it sends */
		    (!x->feed_later && !y->feed_later &&
		    !same_bytes(x->body, x->body_len, y->body, y->body_len))) {
			fprintf(stderr, "step %d: %s differs from %s\n", step,
			    x->path, y->path);
			n++;
			continue;
		}
		for (p = 0; p < PROTO_COUNT; p++) {
			da = sent(a, x, p, &ta, &la);
			db = sent(b, y, p, &tb, &lb);
			if (!same_bytes(x->out[p].head, x->out[p].head_len,
			    y->out[p].head, y->out[p].head_len) ||
			    !same_bytes(da, la, db, lb)) {
				fprintf(stderr, "step %d: %s: protocol %d "
				    "differs\n", step, x->path, p);
				n++;
			}
		}
	}
	buf_free(&ta);
	buf_free(&tb);
	CHECK(n == 0);
	CHECK(a->nblogs == b->nblogs);
	for (i = 0; i < a->nblogs && i < b->nblogs; i++) {
		CHECK(strcmp(a->blogs[i].path, b->blogs[i].path) == 0);
		CHECK(a->blogs[i].narticles == b->blogs[i].narticles);
		for (j = 0; j < a->blogs[i].narticles &&
		    j < b->blogs[i].narticles; j++)
			CHECK(strcmp(a->blogs[i].articles[j].title,
			    b->blogs[i].articles[j].title) == 0 &&
			    strcmp(a->blogs[i].articles[j].path,
			    b->blogs[i].articles[j].path) == 0);
	}
	CHECK(a->nsections == b->nsections);
	/* every page of the page index, not only its first */
	sa = site_section(a, &pageindex_section);
	sb = site_section(b, &pageindex_section);
	CHECK((sa == NULL) == (sb == NULL));
	if (sa != NULL && sb != NULL) {
		CHECK(pageindex_count(sa->ctx) == pageindex_count(sb->ctx));
		for (k = 1; k <= pageindex_npages(sa->ctx); k++) {
			buf_reset(&ba);
			buf_reset(&bb);
			CHECK(pageindex_page(sa->ctx, k, &ba) == 0 &&
			    pageindex_page(sb->ctx, k, &bb) == 0 &&
			    same_bytes(ba.data, ba.len, bb.data, bb.len));
		}
	}
	buf_free(&ba);
	buf_free(&bb);
}

static struct site *
load_in(const struct site_opts *o, const struct site *old,
    const struct capsule_scope *scope)
{
	struct site	*s;
	char		 err[2048];

	if ((s = capsule_reload_in(tmptree, o, old, scope, err,
	    sizeof(err))) == NULL) {
		fprintf(stderr, "load: %s\n", err);
		exit(2);
	}
	if (render_site(s) == -1 || site_compact(s) == -1)
		exit(2);
	return s;
}

static struct site *
load(const struct site_opts *o, const struct site *old)
{
	return load_in(o, old, NULL);
}

/* Let the clock pass the racy margin (reuse_racy) of what was written. */
static void
age(void)
{
	struct timespec	 ts = { 0, 150 * 1000 * 1000 };

	nanosleep(&ts, NULL);
}

static void
nothing(void *arg)
{
}

/*
 * The random steps again, each reload within what a watch on the capsule
 * saw change (NULL: everything, then the watch is set anew, as reload.c
 * does); each compared with a full load.
 */
static void
test_scoped(const struct site_opts *o, struct buf *b)
{
	struct event_base	*base;
	struct watch		*w;
	struct capsule_scope	 scope;
	struct site		*inc, *full, *next;
	const char		*paths[1] = { tmptree };
	uint64_t		(*dirs)[2];
	size_t			 n, nscoped = 0, nclean = 0;
	int			 step, k;

	if ((base = event_base_new()) == NULL ||
	    (w = watch_new(base, nothing, NULL)) == NULL) {
		CHECK(!"watch_new");
		return;
	}
	inc = load(o, NULL);
	CHECK(watch_set(w, paths, 1) == 0);
	/* the first scope is everything: the load came before the watch */
	CHECK((dirs = watch_take(w, &n)) == NULL);
	for (step = 0; step < 120; step++) {
		if (step % 10 == 0)
			age();
		for (k = rnd(3); k >= 0; k--)
			change(b);
		if ((dirs = watch_take(w, &n)) != NULL) {
			scope.dirs = (const uint64_t (*)[2])dirs;
			scope.ndirs = n;
			next = load_in(o, inc, &scope);
			nscoped++;
			nclean += next->nclean;
		} else {
			next = load_in(o, inc, NULL);
			CHECK(watch_set(w, paths, 1) == 0);
		}
		free(dirs);
		full = load(o, NULL);
		compare(next, full, step);
		site_free(full);
		site_free(inc);
		inc = next;
	}
	/* not vacuous: folders were taken over unread */
	fprintf(stderr, "%zu of 120 reloads within a scope, %zu folders "
	    "not read again\n", nscoped, nclean);
	CHECK(nscoped >= 30);
	CHECK(nclean >= 60);

	/* a file written in place, its writer still at it */
	put("notes/w.gmi", "# W\n\nversion 1\n");
	free(watch_take(w, &n));
	next = load_in(o, inc, NULL);
	site_free(inc);
	inc = next;
	age();
	{
		char	 path[512];
		int	 fd;

		snprintf(path, sizeof(path), "%s/notes/w.gmi", tmptree);
		if ((fd = open(path, O_WRONLY)) == -1 ||
		    pwrite(fd, "# W\n\nversion 2\n", 15, 0) != 15)
			exit(2);
		dirs = watch_take(w, &n);
		CHECK(dirs != NULL && n == 1);
		scope.dirs = (const uint64_t (*)[2])dirs;
		scope.ndirs = n;
		next = load_in(o, inc, &scope);
		close(fd);
		free(dirs);
	}
	CHECK(site_lookup(next, "/notes/w.gmi") != NULL &&
	    strstr(site_lookup(next, "/notes/w.gmi")->body, "version 2") !=
	    NULL);
	site_free(inc);
	site_free(next);
	watch_free(w);
	event_base_free(base);
}

int
main(void)
{
	struct site_opts	 o = { .host = "localhost",
	    .port = { "1965", "70", "300" } };
	struct buf		 b = BUF_INIT;
	struct site_opts	 pre = { .host = "localhost",
	    .port = { "1965", "70", "300" } };
	struct site		*inc, *full, *next;
	size_t			 taken = 0, ntaken_steps = 0, later = 0;
	size_t			 feeds = 0, menus = 0;
	int			 step, k;

	tmptree_new();
	tmptree_mkdir("log");
	tmptree_mkdir("log/2020");
	tmptree_mkdir("log/2021");
	tmptree_mkdir("notes");
	tmptree_mkdir("misc");
	tmptree_mkdir("partners");
	put("index.gmi", "# Home\n\n=> log/2020/ 2020\n=> notes/a.gmi A\n");
	put("misc/file.txt", "a file\n");
	put("notes/a.gmi", "# A\n\n=> b.txt B\n");
	for (k = 0; k < 24; k++)
		add_post(&b);
	/* the posts' Gopher texts rendered on request, as the server does,
	   and compared with a load that renders them all (PRE) too */
	o.text_later = true;
	o.menu_later = 1;		/* every menu, the folders' too */
	inc = load(&o, NULL);
	CHECK(inc->ntaken == 0);
	for (step = 0; step < 120; step++) {
		if (step % 10 == 0)
			age();
		for (k = rnd(3); k >= 0; k--)
			change(&b);
		next = load(&o, inc);
		full = load(&o, NULL);
		compare(next, full, step);
		if (step % 10 == 0) {
			site_free(full);
			full = load(&pre, NULL);
			compare(next, full, step);
		}
		for (k = 0; k < (int)next->npages; k++) {
			later += next->pages[k]->text_later;
			feeds += next->pages[k]->feed_later;
			menus += next->pages[k]->text_later &&
			    next->pages[k]->gopher_type == '1';
		}
		if (next->ntaken > 0)
			ntaken_steps++;
		taken += next->ntaken;
		site_free(full);
		site_free(inc);
		inc = next;
	}
	/* not vacuous: most reloads took over most of the capsule */
	fprintf(stderr, "%zu of 120 reloads took pages over, %zu in all\n",
	    ntaken_steps, taken);
	CHECK(ntaken_steps >= 12);
	CHECK(taken > 120);
	CHECK(later > 120);
	CHECK(feeds >= 120);		/* the Atom feeds made on request */
	CHECK(menus >= 120);		/* the menus, each folder's */

	/*
	 * A file changed twice in one tick of the file system's clock keeps
	 * its size and times: the second version must not be missed.
	 */
	put("notes/r.gmi", "# R\n\nversion 1\n");
	next = load(&o, inc);
	site_free(inc);
	inc = next;
	put("notes/r.gmi", "# R\n\nversion 2\n");
	next = load(&o, inc);
	CHECK(site_lookup(next, "/notes/r.gmi") != NULL &&
	    strstr(site_lookup(next, "/notes/r.gmi")->body, "version 2") !=
	    NULL);
	site_free(inc);
	inc = next;

	/* other options: a full load, nothing taken over */
	o.lang = "de";
	next = load(&o, inc);
	CHECK(next->ntaken == 0);
	site_free(next);
	site_free(inc);
	o.lang = NULL;

	test_scoped(&o, &b);
	buf_free(&b);
	tmptree_rm();
	CHECK_DONE();
}
