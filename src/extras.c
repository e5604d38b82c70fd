/*
 * extras: the pages the loader generates after the walk, from the loaded
 * capsule (its pages sorted by then): an Atom feed and a gemtext feed per
 * folder of posts, the capsule-wide search, robots.txt and the page
 * index.  A file of the same name in the capsule wins.
 */
#include <sys/stat.h>

#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "blogfeed.h"
#include "buf.h"
#include "capsule_impl.h"
#include "feed.h"
#include "mime.h"
#include "msg.h"
#include "pageindex.h"
#include "robots.h"
#include "search.h"
#include "section.h"
#include "site.h"

bool
has_path(const struct site *s, const char *path)
{
	return site_lookup(s, path) != NULL || site_is_folder(s, path);
}

/* A generated, non-gemtext page, served as is over both protocols. */
static int
add_raw_page(struct walk *w, const char *path, const char *mime,
    struct buf *body)
{
	struct page	*pg;

	if (body->failed || (pg = page_new(path)) == NULL)
		goto oom;
	pg->mime = mime;
	pg->gopher_type = '0';
	pg->generated = true;
	if ((pg->body = buf_take(body, &pg->body_len)) == NULL) {
		page_free(pg);
		goto oom;
	}
	pg = retake_same(w, pg);	/* as the last load made it? */
	if (site_add_page(w->s, pg) == -1) {
		page_free(pg);
		goto oom;
	}
	return 0;
 oom:
	fail_oom(w, path);
	return -1;
}

/*
 * The Atom feed of a served site: a page without bytes, made on its
 * first request (render_bytes()) from the blog the site holds.
 */
static int
add_feed_later(struct walk *w, const char *path)
{
	struct page	*pg;

	if ((pg = page_new(path)) == NULL)
		goto oom;
	pg->mime = "application/atom+xml";
	pg->gopher_type = '0';
	pg->generated = true;
	pg->feed_later = true;
	if (site_add_page(w->s, pg) == -1) {
		page_free(pg);
		goto oom;
	}
	return 0;
 oom:
	fail_oom(w, path);
	return -1;
}

/*
 * <folder>atom.xml and <folder>feed.gmi for the blog B (blogfeed.h): the
 * gemtext feed made now, the Atom feed too unless the site's are made on
 * request (text_later).
 */
static int
add_feed(struct walk *w, struct blog *b)
{
	struct site		*s = w->s;
	struct page		*folder;
	struct buf		 path = BUF_INIT, gpath = BUF_INIT;
	struct buf		 title = BUF_INIT, out = BUF_INIT;
	struct folder		 fd;
	int			 ret = -1;

	buf_addf(&path, "%s%s", b->path, FEED_ATOM_NAME);
	if (path.failed)
		goto oom;
	if (has_path(s, path.data) ||
	    (folder = site_lookup(s, b->path)) == NULL) {
		ret = 0;			/* the capsule has its own */
		goto done;
	}
	/* the same as gemtext, FOLDER/feed.gmi, unless the capsule has one */
	buf_addf(&gpath, "%s%s", b->path, FEED_GEMTEXT_NAME);
	if (gpath.failed)
		goto oom;
	b->feed_gemtext = !has_path(s, gpath.data);
	/* the config's title, the folder page's, or one from its name */
	memset(&fd, 0, sizeof(fd));
	fd.rel = b->path;
	folder_policy(w, &fd);
	if (fd.title == NULL && folder->doc.title != NULL &&
	    folder->doc.title[0] != '\0')
		fd.title = folder->doc.title;
	folder_title(s, b->path, fd.title, &title);
	if (title.failed || (b->feed_title = buf_take(&title, NULL)) == NULL)
		goto oom;
	if ((ret = retake_feeds(w, b, path.data, gpath.data,
	    b->feed_gemtext)) != 0) {
		ret = ret == 1 ? 0 : -1;
		goto done;
	}
	ret = -1;
	if (w->opts->text_later) {
		if (add_feed_later(w, path.data) == -1)
			goto done;
	} else if (blogfeed_atom(s, b, &out) == -1)
		goto oom;
	else if (add_raw_page(w, path.data, "application/atom+xml",
	    &out) == -1)
		goto done;
	buf_reset(&out);
	if (b->feed_gemtext) {
		if (blogfeed_gemtext(s, b, &out) == -1)
			goto oom;
		if (add_generated(w, gpath.data, out.data, out.len) == -1)
			goto done;
	}
	ret = 0;
	goto done;
 oom:
	fail_oom(w, b->path);
 done:
	buf_free(&path);
	buf_free(&gpath);
	buf_free(&out);
	buf_free(&title);
	return ret;
}

/*
 * The page index's folder and the search's address, each unless "off"
 * or the capsule has a file or folder of that name at its top (the
 * capsule's own wins).
 */
void
pageindex_path(struct walk *w)
{
	const char	*word = msg_get(w->s->msg, MSG_URL_PAGEINDEX);
	struct stat	 st;

	if (w->opts->pageindex == SITE_OFF)
		;
	else if (fstatat(w->rootfd, word, &st, AT_SYMLINK_NOFOLLOW) == 0)
		warn(w, "/", 0, "%s: the capsule's own, so no page index is "
		    "generated (\"pageindex off\" says so without this "
		    "warning)", word);
	else
		snprintf(w->pageindex, sizeof(w->pageindex), "/%s/", word);
	word = msg_get(w->s->msg, MSG_URL_SEARCH);	/* and the search's */
	if (w->opts->search == SITE_OFF)
		;
	else if (fstatat(w->rootfd, word, &st, AT_SYMLINK_NOFOLLOW) == 0)
		warn(w, "/", 0, "%s: the capsule's own, so no search is "
		    "generated (\"search off\" says so)", word);
	else
		snprintf(w->search, sizeof(w->search), "/%s", word);
}

/*
 * The page index (pageindex.h), after every other page: page 1 is a
 * generated page, the others are made on request by its section.
 */
static int
add_pageindex(struct walk *w)
{
	struct pageindex	*pi;
	const struct pageindex	*opi = NULL;
	const struct section	*sec;
	struct buf		 b = BUF_INIT;
	int			 ret = -1;

	if (w->pageindex[0] == '\0')
		return 0;
	/* the site owns PI from here on, also when adding it fails */
	if (w->re.old != NULL &&
	    (sec = site_section(w->re.old, &pageindex_section)) != NULL)
		opi = sec->ctx;
	if ((pi = pageindex_rebuild(w->s, w->pageindex, opi)) == NULL ||
	    site_add_section(w->s, &pageindex_section, pi) == -1 ||
	    pageindex_page(pi, 1, &b) == -1)
		fail_oom(w, w->pageindex);
	else
		ret = add_generated(w, w->pageindex, b.data, b.len);
	buf_free(&b);
	return ret;
}

/*
 * The search (search.h): its index built now, or, for a big capsule at a
 * start or a reload, once the server is served (server_finish()).
 */
static int
add_search(struct walk *w)
{
	struct search		*se;
	const struct section	*old;
	const char		*errstr = "out of memory";

	if (w->search[0] == '\0')
		return 0;
	/* the site owns SE from here on, also when adding it fails */
	if ((se = search_new(w->s, w->search, &errstr)) == NULL ||
	    site_add_section(w->s, &search_section, se) == -1) {
		fail(w, w->search, 0, "%s", errstr);
		return -1;
	}
	/* the last load's index segments that still fit are taken over */
	if (w->re.old != NULL &&
	    (old = site_section(w->re.old, &search_section)) != NULL)
		search_follow(se, old->ctx);
	if (w->opts->search_later && search_cost(w->s) > SEARCH_NOW_MAX)
		return 0;
	if (search_index(se, w->s, NULL, &errstr) == -1) {
		fail(w, w->search, 0, "%s", errstr);
		return -1;
	}
	return 0;
}

int
add_site_extras(struct walk *w)
{
	struct buf	 robots = BUF_INIT;
	size_t		 i;

	/*
	 * Lookups need the pages sorted: sort after each page added, or a
	 * second feed no longer finds its folder, and robots.txt not the
	 * capsule's own.
	 */
	for (i = 0; i < w->s->nblogs; i++) {
		if (w->s->blogs[i].narticles > 0 &&
		    add_feed(w, &w->s->blogs[i]) == -1)
			return -1;
		site_sort(w->s);
	}
	/* the search before robots.txt, which names it */
	if (add_search(w) == -1)
		return -1;
	if (!has_path(w->s, "/robots.txt")) {
		robots_make(&robots, w->s);
		if (w->pageindex[0] != '\0')
			buf_addf(&robots, "\n# %s: %s\n", msg_get(w->s->msg,
			    MSG_PAGEINDEX_TITLE), w->pageindex);
		if (add_raw_page(w, "/robots.txt",
		    mime_lookup("robots.txt")->mime, &robots) == -1)
			return -1;
		site_sort(w->s);
	}
	return add_pageindex(w);
}
