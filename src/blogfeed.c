/*
 * blogfeed: a folder of posts' Atom and gemtext feeds from the model
 * (blogfeed.h); reads the site, never the loader's walk or a file.
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "blogfeed.h"
#include "buf.h"
#include "feed.h"
#include "gemtext.h"
#include "msg.h"
#include "posts.h"
#include "site.h"
#include "url.h"

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

/* What one entry's strings are made in, freed with the feed. */
struct entry_bufs {
	struct buf	 url;
	struct buf	 gurl;
	char		 date[21];
	char		*sum;		/* owned: a copy of the summary */
};

/*
 * The feed entry E of the article A, its strings in EB; its summary only
 * for the Atom feed (SUMMARY).  0, or -1 (memory).
 */
static int
feed_entry(const struct site *s, const struct article *a,
    struct feed_entry *e, struct entry_bufs *eb, bool summary)
{
	struct gemtext	 tmp = GEMTEXT_INIT;
	const char	*gport = s->port[PROTO_GOPHER], *p;

	site_gemini_url(s, a->path, &eb->url);
	if (eb->url.failed)
		return -1;
	snprintf(eb->date, sizeof(eb->date), "%sT00:00:00Z", a->date);
	e->id = e->link = eb->url.data;
	e->rel = strrchr(eb->url.data, '/') + 1;
	e->link_type = "text/gemini";
	if (gport != NULL) {		/* the same article over Gopher */
		buf_addf(&eb->gurl, "gopher://%s%s%s/%c", s->host,
		    strcmp(gport, "70") == 0 ? "" : ":",
		    strcmp(gport, "70") == 0 ? "" : gport,
		    a->page->gopher_type);
		url_encode_path(&eb->gurl, a->path);
		if (eb->gurl.failed)
			return -1;
		e->link2 = eb->gurl.data;
		e->link2_type = "text/plain";
	}
	e->title = a->title;
	e->updated = eb->date;
	if (!summary)
		return 0;
	if ((p = post_summary(a->page, &tmp)) != NULL &&
	    (eb->sum = strdup(p)) == NULL) {
		gemtext_free(&tmp);
		return -1;
	}
	gemtext_free(&tmp);
	e->summary = eb->sum;
	return 0;
}

/* B's feed, Atom (ATOM) or gemtext, appended to OUT.  0, or -1. */
static int
write_feed(const struct site *s, const struct blog *b, bool atom,
    struct buf *out)
{
	struct feed		 f;
	struct feed_entry	*e = NULL;
	struct entry_bufs	*eb = NULL;
	struct buf		 path = BUF_INIT, self = BUF_INIT;
	struct buf		 alt = BUF_INIT, gurl = BUF_INIT;
	size_t			 i;
	int			 ret = -1;

	if (b->narticles == 0 || b->feed_title == NULL)
		return -1;
	if ((e = calloc(b->narticles, sizeof(*e))) == NULL ||
	    (eb = calloc(b->narticles, sizeof(*eb))) == NULL)
		goto done;
	for (i = 0; i < b->narticles; i++)
		if (feed_entry(s, &b->articles[i], &e[i], &eb[i], atom) == -1)
			goto done;
	buf_addf(&path, "%s%s", b->path, FEED_ATOM_NAME);
	if (path.failed)
		goto done;
	site_gemini_url(s, b->path, &alt);
	site_gemini_url(s, path.data, &self);
	if (alt.failed || self.failed)
		goto done;
	memset(&f, 0, sizeof(f));
	f.id = alt.data;
	f.title = b->feed_title;
	f.updated = eb[0].date;		/* the articles are newest first */
	f.author = s->author != NULL ? s->author : s->description != NULL ?
	    s->description : s->host;
	f.subtitle = s->description;
	f.lang = s->lang;
	f.self = self.data;
	f.alternate = alt.data;
	f.alternate_type = "text/gemini";
	f.entries = e;
	f.nentries = b->narticles;
	if (b->feed_gemtext) {
		buf_reset(&path);
		buf_addf(&path, "%s%s", b->path, FEED_GEMTEXT_NAME);
		if (path.failed)
			goto done;
		site_gemini_url(s, path.data, &gurl);
		if (gurl.failed)
			goto done;
		f.gemtext = gurl.data;
		f.gemtext_title = msg_get(s->msg, MSG_GEMFEED);
		f.atom_label = msg_get(s->msg, MSG_GEMFEED_ATOM);
	}
	ret = atom ? feed_write_atom(&f, out) : feed_write_gemtext(&f, out);
 done:
	for (i = 0; eb != NULL && i < b->narticles; i++) {
		buf_free(&eb[i].url);
		buf_free(&eb[i].gurl);
		free(eb[i].sum);
	}
	free(eb);
	free(e);
	buf_free(&path);
	buf_free(&self);
	buf_free(&alt);
	buf_free(&gurl);
	return ret == 0 && !out->failed ? 0 : -1;
}

int
blogfeed_atom(const struct site *s, const struct blog *b, struct buf *out)
{
	return write_feed(s, b, true, out);
}

int
blogfeed_gemtext(const struct site *s, const struct blog *b,
    struct buf *out)
{
	return write_feed(s, b, false, out);
}

const struct blog *
blogfeed_blog(const struct site *s, const char *path)
{
	size_t	 i, n;

	n = strlen(path);
	if (n < sizeof(FEED_ATOM_NAME) - 1 || strcmp(path + n -
	    (sizeof(FEED_ATOM_NAME) - 1), FEED_ATOM_NAME) != 0)
		return NULL;
	n -= sizeof(FEED_ATOM_NAME) - 1;
	for (i = 0; i < s->nblogs; i++)
		if (strncmp(s->blogs[i].path, path, n) == 0 &&
		    s->blogs[i].path[n] == '\0')
			return &s->blogs[i];
	return NULL;
}
