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

#include "buf.h"
#include "capsule_impl.h"
#include "feed.h"
#include "gemtext.h"
#include "mime.h"
#include "msg.h"
#include "pageindex.h"
#include "posts.h"
#include "robots.h"
#include "search.h"
#include "section.h"
#include "site.h"
#include "url.h"

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
 * Where the line that may be BODY's first paragraph ends (after its
 * newline), or LEN: the first line that is neither blank nor a link,
 * heading, list item, quote or preformatted.  The lines up to there are
 * parsed as in the whole body: gemtext is read line by line.
 */
static size_t
first_text_end(const char *body, size_t len)
{
	const char	*p = body, *end = body + len, *nl;
	bool		 pre = false;

	for (; p < end; p = nl + 1) {
		if ((nl = memchr(p, '\n', (size_t)(end - p))) == NULL)
			return len;
		if (nl - p >= 3 && memcmp(p, "```", 3) == 0) {
			pre = !pre;
			continue;
		}
		if (pre || strchr("=#*>", *p) != NULL)
			continue;
		if (p + strspn(p, " \t\r") < nl)
			return (size_t)(nl + 1 - body);
	}
	return len;
}

/*
 * The summary of the post PG: its first paragraph.  A page taken over
 * from the last load has only its title left: it is parsed again into
 * TMP (the caller frees it), up to its first paragraph when that is
 * found there, else whole.
 */
const char *
post_summary(const struct page *pg, struct gemtext *tmp)
{
	const char	*errstr, *p;
	size_t		 line, end;

	if (pg->doc.lines != NULL || pg->body == NULL)
		return posts_first_paragraph(&pg->doc);
	end = first_text_end(pg->body, pg->body_len);
	if (end < pg->body_len) {
		if (gemtext_parse(pg->body, end, tmp, &errstr, &line) == 0 &&
		    (p = posts_first_paragraph(tmp)) != NULL)
			return p;
		gemtext_free(tmp);
		*tmp = (struct gemtext)GEMTEXT_INIT;
	}
	if (gemtext_parse(pg->body, pg->body_len, tmp, &errstr, &line) == -1)
		return NULL;
	return posts_first_paragraph(tmp);
}

/*
 * The feed entry E of the article A: its addresses in URL (and, with
 * Gopher on, GURL), its date in DATE, its summary in *SUM (owned: a
 * copy, not the parse a post taken over needs for it).  0, or -1
 * (memory).
 */
static int
feed_entry(const struct site *s, const struct article *a,
    struct feed_entry *e, struct buf *url, struct buf *gurl, char *date,
    char **sum)
{
	struct gemtext	 tmp = GEMTEXT_INIT;
	const char	*gport = s->port[PROTO_GOPHER], *p;

	site_gemini_url(s, a->path, url);
	if (url->failed)
		return -1;
	snprintf(date, 21, "%sT00:00:00Z", a->date);
	e->id = e->link = url->data;
	e->rel = strrchr(url->data, '/') + 1;
	e->link_type = "text/gemini";
	if (gport != NULL) {		/* the same article over Gopher */
		buf_addf(gurl, "gopher://%s%s%s/%c", s->host,
		    strcmp(gport, "70") == 0 ? "" : ":",
		    strcmp(gport, "70") == 0 ? "" : gport,
		    a->page->gopher_type);
		url_encode_path(gurl, a->path);
		if (gurl->failed)
			return -1;
		e->link2 = gurl->data;
		e->link2_type = "text/plain";
	}
	e->title = a->title;
	e->updated = date;
	if ((p = post_summary(a->page, &tmp)) != NULL &&
	    (*sum = strdup(p)) == NULL) {
		gemtext_free(&tmp);
		return -1;
	}
	gemtext_free(&tmp);
	e->summary = *sum;
	return 0;
}

/*
 * <folder>atom.xml for the blog B.  Ids are the gemini:// addresses of
 * the folder and of each article (host, the port unless it is 1965, and
 * the path), so they stay the same across restarts and reloads.
 */
static int
add_feed(struct walk *w, const struct blog *b)
{
	struct site		*s = w->s;
	struct feed		 f;
	struct feed_entry	*e = NULL;
	struct page		*folder;
	const struct page	*last;
	struct buf		 path = BUF_INIT, self = BUF_INIT;
	struct buf		 alt = BUF_INIT, out = BUF_INIT;
	struct buf		 title = BUF_INIT, gpath = BUF_INIT, gurl = BUF_INIT;
	struct buf		*urls = NULL, *gurls = NULL;
	struct folder		 fd;
	char			**sums = NULL;
	char			(*dates)[21] = NULL;
	size_t			 i;
	int			 ret = -1;
	bool			 gen_gemtext;

	buf_addf(&path, "%satom.xml", b->path);
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
	gen_gemtext = !has_path(s, gpath.data);
	if ((ret = retake_feeds(w, b, path.data, gpath.data,
	    gen_gemtext)) != 0) {
		ret = ret == 1 ? 0 : -1;
		goto done;
	}
	ret = -1;
	if ((sums = calloc(b->narticles, sizeof(*sums))) == NULL)
		goto oom;
	if ((e = calloc(b->narticles, sizeof(*e))) == NULL ||
	    (urls = calloc(b->narticles, sizeof(*urls))) == NULL ||
	    (gurls = calloc(b->narticles, sizeof(*gurls))) == NULL ||
	    (dates = calloc(b->narticles, sizeof(*dates))) == NULL)
		goto oom;
	for (i = 0; i < b->narticles; i++)
		if (feed_entry(s, &b->articles[i], &e[i], &urls[i], &gurls[i],
		    dates[i], &sums[i]) == -1)
			goto oom;
	site_gemini_url(s, b->path, &alt);
	site_gemini_url(s, path.data, &self);
	if (alt.failed || self.failed)
		goto oom;
	memset(&f, 0, sizeof(f));
	f.id = alt.data;
	/* the config's title, the folder page's, or one from its name */
	memset(&fd, 0, sizeof(fd));
	fd.rel = b->path;
	folder_policy(w, &fd);
	if (fd.title == NULL && folder->doc.title != NULL &&
	    folder->doc.title[0] != '\0')
		fd.title = folder->doc.title;
	folder_title(s, b->path, fd.title, &title);
	if (title.failed)
		goto oom;
	f.title = title.data;
	f.updated = dates[0];		/* the articles are newest first */
	f.author = s->author != NULL ? s->author : s->description != NULL ?
	    s->description : s->host;
	f.subtitle = s->description;
	f.lang = s->lang;
	f.self = self.data;
	f.alternate = alt.data;
	f.alternate_type = "text/gemini";
	f.entries = e;
	f.nentries = b->narticles;
	if (gen_gemtext) {
		site_gemini_url(s, gpath.data, &gurl);
		f.gemtext = gurl.data;
		f.gemtext_title = msg_get(s->msg, MSG_GEMFEED);
		f.atom_label = msg_get(s->msg, MSG_GEMFEED_ATOM);
	}
	/* about the last load's size: not grown by doubling, copied */
	if (w->re.old != NULL && (last = site_lookup(w->re.old,
	    path.data)) != NULL && last->generated)
		(void)buf_reserve(&out, last->body_len + last->body_len / 16);
	if (gpath.failed || gurl.failed || feed_write_atom(&f, &out) == -1 ||
	    add_raw_page(w, path.data, "application/atom+xml", &out) == -1 ||
	    (f.gemtext != NULL && (feed_write_gemtext(&f, &out) == -1 ||
	    add_generated(w, gpath.data, out.data, out.len) == -1)))
		goto done;
	ret = 0;
	goto done;
 oom:
	fail_oom(w, b->path);
 done:
	for (i = 0; urls != NULL && i < b->narticles; i++)
		buf_free(&urls[i]);
	for (i = 0; gurls != NULL && i < b->narticles; i++)
		buf_free(&gurls[i]);
	for (i = 0; sums != NULL && i < b->narticles; i++)
		free(sums[i]);
	free(sums);
	free(urls);
	free(gurls);
	free(dates);
	free(e);
	buf_free(&path);
	buf_free(&self);
	buf_free(&alt);
	buf_free(&out);
	buf_free(&title);
	buf_free(&gpath);
	buf_free(&gurl);
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
