/*
 * capsule: the loader (read and parse): walk --root beneath its fd into a
 * new struct site, report problems, generate folder pages and feeds,
 * check links.  Touches files only through rootfs and file; never renders.
 */
#include <sys/stat.h>

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "buf.h"
#include "capsule.h"
#include "capsule_impl.h"
#include "config.h"
#include "feed.h"
#include "file.h"
#include "gemtext.h"
#include "linkcheck.h"
#include "log.h"
#include "mime.h"
#include "msg.h"
#include "pageindex.h"
#include "partners.h"
#include "posts.h"
#include "robots.h"
#include "rootfs.h"
#include "search.h"
#include "section.h"
#include "siphash.h"
#include "site.h"
#include "url.h"
#include "utf8.h"

static void
vproblem(struct walk *w, bool error, const char *rel, size_t line,
    const char *fmt, va_list ap)
{
	char	 msg[1024];
	size_t	 n, len;

	if (line > 0)
		snprintf(msg, sizeof(msg), "%s%s:%zu: %s", w->root, rel, line,
		    error ? "" : "warning: ");
	else
		snprintf(msg, sizeof(msg), "%s%s: %s", w->root, rel,
		    error ? "" : "warning: ");
	n = strlen(msg);
	vsnprintf(msg + n, sizeof(msg) - n, fmt, ap);
	if (!error) {
		w->s->nwarnings++;
		log_warnx("%s", msg);
		return;
	}
	w->nerrors++;
	/* every error on a line of its own; keep room for the last line */
	len = strlen(msg);
	if (w->errlen == 0)
		return;
	if (w->errused == 0) {		/* the first, shortened if need be */
		snprintf(w->err, w->errlen, "%s", msg);
		w->errused = strlen(w->err);
	} else if (w->nomitted == 0 && w->errused + len + 1 + 64 < w->errlen) {
		snprintf(w->err + w->errused, w->errlen - w->errused, "\n%s",
		    msg);
		w->errused += len + 1;
	} else
		w->nomitted++;
}

void
fail(struct walk *w, const char *rel, size_t line, const char *fmt, ...)
{
	va_list	 ap;

	va_start(ap, fmt);
	vproblem(w, true, rel, line, fmt, ap);
	va_end(ap);
}

void
warn(struct walk *w, const char *rel, size_t line, const char *fmt, ...)
{
	va_list	 ap;

	va_start(ap, fmt);
	vproblem(w, false, rel, line, fmt, ap);
	va_end(ap);
}

/* Out of memory: nothing more can be checked. */
void
fail_oom(struct walk *w, const char *rel)
{
	fail(w, rel, 0, "out of memory");
	w->fatal = true;
}

/*
 * A file name is served if it is UTF-8 without control characters (C0,
 * DEL, C1): links and selectors percent-encode what their protocol needs.
 */
static bool
is_servable_name(const char *name)
{
	const char	*p = name, *end = name + strlen(name);
	uint32_t	 cp;
	size_t		 n;

	while (p < end) {
		if ((n = utf8_decode(p, (size_t)(end - p), &cp)) == 0)
			return false;
		if (cp < 0x20 || (cp >= 0x7f && cp < 0xa0))
			return false;
		p += n;
	}
	return true;
}

/* The name with what it must not show escaped, for a message. */
static const char *
shown(const char *name, char *buf, size_t size)
{
	log_escape(buf, size, name, strlen(name));
	return buf;
}

/*
 * Parse PG's body as gemtext.  A BOM is dropped from what is sent, and a
 * preformatted block left open is closed at the end (both with a
 * warning), so that clients and the lists appended to an index get a
 * clean page.  Errors name FILE.
 */
int
parse_gemtext(struct walk *w, struct page *pg, const char *file)
{
	struct gemtext_mem mem = { site_parse_alloc, w->s };
	const char	*errstr;
	size_t		 line, len;
	char		*body;

	if (gemtext_parse_in(pg->body, pg->body_len, &pg->doc, &mem, &errstr,
	    &line) == -1) {
		if (strcmp(errstr, "out of memory") == 0)
			w->fatal = true;
		fail(w, file, line, "%s", errstr);
		return -1;
	}
	if (pg->doc.bom) {
		if (!pg->generated)
			warn(w, file, 1, "byte order mark removed");
		memmove(pg->body, pg->body + 3, pg->body_len - 3 + 1);
		pg->body_len -= 3;
	}
	if (pg->doc.pre_open > 0) {
		if (!pg->generated)
			warn(w, file, pg->doc.pre_open, "preformatted block "
			    "is never closed; closed at the end");
		len = pg->body_len;
		if ((body = realloc(pg->body, len + 6)) == NULL) {
			fail_oom(w, file);
			return -1;
		}
		if (len > 0 && body[len - 1] != '\n')
			body[len++] = '\n';
		memcpy(body + len, "```\n", 5);
		pg->body = body;
		pg->body_len = len + 4;
		gemtext_free(&pg->doc);
		if (gemtext_parse_in(pg->body, pg->body_len, &pg->doc, &mem,
		    &errstr, &line) == -1) {
			fail(w, file, line, "%s", errstr);
			return -1;
		}
	}
	pg->is_gemtext = true;
	pg->mime = MIME_GEMTEXT;
	pg->gopher_type = '1';
	return 0;
}

/* Add a page of generated gemtext at PATH. */
int
add_generated(struct walk *w, const char *path, const char *text, size_t len)
{
	struct page	*pg;

	if ((pg = page_new(path)) == NULL ||
	    (pg->body = malloc(len + 1)) == NULL) {
		page_free(pg);
		fail_oom(w, path);
		return -1;
	}
	pg->generated = true;
	memcpy(pg->body, text, len);
	pg->body[len] = '\0';
	pg->body_len = len;
	if (parse_gemtext(w, pg, path) == -1) {
		page_free(pg);
		return -1;
	}
	pg = retake_same(w, pg);	/* as the last load made it? */
	if (site_add_page(w->s, pg) == -1) {
		page_free(pg);
		fail_oom(w, path);
		return -1;
	}
	return 0;
}

/*
 * partners.txt: the partner directory is served in its folder.  Page 1 of
 * the list and of each group is generated now; the index stays in the
 * site for searches and for the other pages, which route() sends to be
 * rendered on request.
 */
static int
add_partners(struct walk *w, struct folder *f, const struct buf *src,
    const char *file)
{
	struct partners		*ps;
	struct section_page	*pages = NULL;
	const char		*errstr;
	size_t			 i, n = 0, line;
	int			 ret = -1;

	if (site_section(w->s, &partners_section) != NULL) {
		fail(w, file, 0, "a capsule holds one partner directory; "
		    "this is a second %s", PARTNERS_FILE);
		return -1;
	}
	if ((ps = partners_load(src->data, src->len, f->rel, &errstr,
	    &line)) == NULL) {
		fail(w, file, line, "%s", errstr);
		return -1;
	}
	partners_set_msg(ps, w->s->msg);
	/* the site owns it from here on */
	if (site_add_section(w->s, &partners_section, ps) == -1) {
		fail(w, file, 0, "out of memory");
		return -1;
	}
	if (partners_render(ps, false, &pages, &n, &errstr) == -1) {
		fail(w, file, 0, "%s", errstr);
		return -1;
	}
	/* the overview, pages[0], is the folder's page */
	for (i = 1; i < n; i++)
		if (add_generated(w, pages[i].path, pages[i].text,
		    pages[i].len) == -1)
			goto done;
	buf_reset(&f->index);
	buf_add(&f->index, pages[0].text, pages[0].len);
	f->has_partners = true;
	ret = 0;
 done:
	section_pages_free(pages, n);
	return ret;
}

/* A file kept on disk: its type from its first kilobyte and its text. */
static int
add_disk_file(struct walk *w, struct page *pg, int fd, const char *name,
    const char *file)
{
	char		 head[1024];
	ssize_t		 n;
	bool		 utf8 = false;

	if ((n = pread(fd, head, sizeof(head), 0)) == -1) {
		fail(w, pg->path, 0, "%s", strerror(errno));
		return -1;
	}
	if (strcmp(mime_lookup(name)->mime, mime_lookup(name)->mime_raw) !=
	    0)
		utf8 = rootfs_is_utf8(fd);
	pg->mime = mime_file(name, head, (size_t)n, utf8);
	if ((pg->file = strdup(file)) == NULL) {
		fail_oom(w, pg->path);
		return -1;
	}
	log_debug("%s%s: %s, served from disk", w->root, pg->path, file);
	return 0;
}

/* Record PG as an article of F if its name is dated. */
int
add_article(struct walk *w, struct folder *f, struct page *pg,
    const char *name)
{
	struct article	*a;
	char		 date[11];

	switch (posts_date(name, date)) {
	case POSTS_NOT_DATED:
		return 0;
	case POSTS_BAD_DATE:
		warn(w, pg->path, 0, "no such date; not listed as a post");
		return 0;
	case POSTS_DATED:
		break;
	}
	/* a page taken over has its title from the load that read it */
	if (pg->title == NULL &&
	    (pg->doc.title == NULL || pg->doc.title[0] == '\0')) {
		warn(w, pg->path, 1, "a post without a \"# \" title; titled "
		    "by its name");
		if ((pg->title = posts_title_from_name(name)) == NULL) {
			fail_oom(w, pg->path);
			return -1;
		}
	}
	if (f->narticles == f->artcap) {
		a = reallocarray(f->articles, f->artcap * 2 + 16, sizeof(*a));
		if (a == NULL) {
			fail_oom(w, pg->path);
			return -1;
		}
		f->articles = a;
		f->artcap = f->artcap * 2 + 16;
	}
	a = &f->articles[f->narticles++];
	memcpy(a->date, date, sizeof(a->date));
	a->title = pg->title != NULL ? pg->title : pg->doc.title;
	a->path = pg->path;
	a->page = pg;
	if (pg->gopher_type != '0')	/* never written when shared */
		pg->gopher_type = '0';	/* Gopher readers expect a text */
	return 0;
}

/* The link to the file NAME (page PG) in F's generated file list. */
void
list_file(struct folder *f, const struct page *pg, const char *name)
{
	buf_adds(&f->listing, "=> ");
	url_encode_path(&f->listing, name);
	buf_addc(&f->listing, ' ');
	gemtext_add_text(&f->listing, pg->is_gemtext && pg->doc.title ?
	    pg->doc.title : name);
	buf_addc(&f->listing, '\n');
}

/*
 * The regular file NAME of F, open at FD (taken over), with the size
 * SIZE; FILE is its path below the root without links (for a link, its
 * target's).  Returns 0, or -1 after an error has been reported.
 */
static int
load_file(struct walk *w, struct folder *f, int fd, long long size,
    const char *name, const char *file)
{
	struct buf		 src = BUF_INIT;
	struct buf		 path = BUF_INIT;
	struct page		*pg = NULL;
	struct stat		 st;
	const char		*errstr;
	bool			 gemtext = mime_is_gemtext(name);
	size_t			 max, narticles = f->narticles;
	int			 ret = -1;

	buf_addf(&path, "%s%s", f->rel, name);
	if (path.failed) {
		fail_oom(w, f->rel);
		goto done;
	}
	if ((pg = page_new(path.data)) == NULL) {
		fail_oom(w, path.data);
		goto done;
	}
	pg->gopher_type = mime_lookup(name)->gopher;
	if (fstat(fd, &st) == 0) {
		reuse_id(&pg->id, &st);
		pg->mtime = (long long)st.st_mtime;
		if (pg->mtime > w->s->mtime)
			w->s->mtime = pg->mtime;
	}
	if (!gemtext && strcmp(name, PARTNERS_FILE) != 0 &&
	    (size > CAPSULE_MEM_FILE_MAX ||
	    w->memused + (size_t)size > CAPSULE_MEM_TOTAL)) {
		if (add_disk_file(w, pg, fd, name, file) == -1)
			goto done;
		goto add;
	}
	/*
	 * Gemtext: one byte over a page's limit, so that the parser names
	 * the line; other files: one byte over what is kept in memory, in
	 * case the file grew since fstat().
	 */
	if (gemtext)
		max = GEMTEXT_BYTES_MAX + 1;
	else if (strcmp(name, PARTNERS_FILE) == 0)
		max = CAPSULE_PARTNERS_MAX + 1;
	else
		max = CAPSULE_MEM_FILE_MAX + 1;
	if (file_read_fd(fd, max, &src, &errstr) == -1) {
		if (src.failed)
			fail_oom(w, path.data);
		else
			fail(w, path.data, 0, "%s", errstr);
		goto done;
	}
	if (strcmp(name, PARTNERS_FILE) == 0) {
		if (src.len > CAPSULE_PARTNERS_MAX) {
			fail(w, path.data, 0, "over 64 MiB");
			goto done;
		}
		if (add_partners(w, f, &src, path.data) == -1)
			goto done;
	} else if (!gemtext && src.len > CAPSULE_MEM_FILE_MAX) {
		if (add_disk_file(w, pg, fd, name, file) == -1)
			goto done;
		goto add;
	}
	w->memused += src.len;
	if (f->index_name != NULL && strcmp(name, f->index_name) == 0) {
		/* checked, a BOM dropped, a block closed: then kept */
		pg->body = buf_take(&src, &pg->body_len);
		if (pg->body == NULL) {
			fail_oom(w, path.data);
			goto done;
		}
		if (parse_gemtext(w, pg, path.data) == -1)
			goto done;
		buf_add(&f->index, pg->body, pg->body_len);
		if (f->index.failed) {
			fail_oom(w, path.data);
			goto done;
		}
		f->has_index = true;
		ret = 0;
		goto done;
	}
	pg->body = buf_take(&src, &pg->body_len);
	if (pg->body == NULL) {
		fail_oom(w, path.data);
		goto done;
	}
	if (gemtext) {
		if (parse_gemtext(w, pg, path.data) == -1)
			goto done;
		if (page_set_mime(pg, f->gemtext_mime) == -1) {
			fail_oom(w, path.data);
			goto done;
		}
	} else
		pg->mime = mime_file(name, pg->body, pg->body_len,
		    utf8_is_valid(pg->body, pg->body_len));
	if (pg->is_gemtext && add_article(w, f, pg, name) == -1)
		goto done;
 add:
	/* a post is listed once: in the post list, when there is one */
	if (f->narticles == narticles || f->posts == SITE_OFF)
		list_file(f, pg, name);
	if (site_add_page(w->s, pg) == -1) {
		fail_oom(w, path.data);
		goto done;
	}
	if (strcmp(name, PARTNERS_FILE) != 0)
		w->added = pg;
	pg = NULL;			/* the site owns it */
	ret = 0;
 done:
	close(fd);
	page_free(pg);
	buf_free(&src);
	buf_free(&path);
	return ret;
}

static int
article_cmp(const void *a, const void *b)
{
	const struct article	*x = a, *y = b;
	int			 cmp;

	/* newest first; on the same day, by address */
	if ((cmp = strcmp(y->date, x->date)) != 0)
		return cmp;
	return strcmp(x->path, y->path);
}

/*
 * What the index DOC of the folder REL already links: LINKED[i] for the
 * article i, and *FEED for the folder's atom.xml.
 */
static int
index_links(const struct site *s, const struct gemtext *doc,
    const char *rel, struct folder *f, bool *linked, bool *feed)
{
	struct buf	 path = BUF_INIT, atom = BUF_INIT;
	size_t		 i, j;

	*feed = false;
	buf_addf(&atom, "%satom.xml", rel);
	for (i = 0; i < doc->nlines; i++) {
		if (doc->lines[i].type != GEMTEXT_LINK)
			continue;
		buf_reset(&path);
		if (url_resolve_path(rel, doc->lines[i].url, &path) == -1 &&
		    (s->port[PROTO_GEMINI] == NULL ||
		    url_own_path(doc->lines[i].url, s->host,
		    s->port[PROTO_GEMINI], &path) == -1))
			continue;
		if (strcmp(path.data, atom.data) == 0)
			*feed = true;
		for (j = 0; j < f->narticles; j++)
			if (strcmp(path.data, f->articles[j].path) == 0)
				linked[j] = true;
	}
	buf_free(&atom);
	if (path.failed) {
		buf_free(&path);
		return -1;
	}
	buf_free(&path);
	return 0;
}

/*
 * Append the folder's article list, newest first, as gemfeed links, and
 * the link to its feed.  A generated page gets both ("posts off": the
 * feed link only).  An index the author wrote is theirs: "posts off"
 * leaves it alone, and so does the default when it links a post of the
 * folder already (it lists them by hand: each one it does not link gets
 * a warning instead); otherwise, and always with "posts on", it gets the
 * articles and the feed link it does not link already, before the links
 * that close it (posts_nav_start()), so that its navigation stays last.  An
 * index that needs nothing more is left as written.  Returns 0, or -1
 * when out of memory.
 */
static int
add_article_list(struct walk *w, struct buf *out, struct folder *f)
{
	struct gemtext	 doc = GEMTEXT_INIT;
	struct buf	 nav = BUF_INIT;
	const char	*name, *errstr;
	bool		*linked, feed = false;
	size_t		 i, n, nlinked, line, at;

	if (f->has_index && f->posts == SITE_OFF)
		return 0;
	/* the articles are sorted (add_folder_page) */
	if ((linked = calloc(f->narticles, sizeof(*linked))) == NULL)
		return -1;
	if (f->has_index && gemtext_parse(out->data, out->len, &doc, &errstr,
	    &line) == 0) {
		if (index_links(w->s, &doc, f->rel, f, linked, &feed) == -1) {
			gemtext_free(&doc);
			free(linked);
			return -1;
		}
		gemtext_free(&doc);
	}
	for (i = n = nlinked = 0; i < f->narticles; i++) {
		if (linked[i])
			nlinked++;
		else if (f->posts != SITE_OFF)
			n++;
	}
	if (f->has_index && f->posts == SITE_AUTO && nlinked > 0) {
		buf_addf(&nav, "%s%s", f->rel, f->index_name);
		for (i = 0; i < f->narticles && !nav.failed; i++)
			if (!linked[i])
				warn(w, nav.data, 0, "does not link %s%s, a "
				    "post of its folder (link it by hand, or "
				    "\"posts on\" lists it)", w->root,
				    f->articles[i].path);
		buf_free(&nav);
		free(linked);
		return 0;
	}
	if (n == 0 && feed) {
		free(linked);
		return 0;		/* nothing to add: as written */
	}
	/* the list goes before the index's closing navigation */
	at = f->has_index ? posts_nav_start(out->data, out->len) : out->len;
	if (at < out->len)
		buf_add(&nav, out->data + at, out->len - at);
	while (at >= 2 && out->data[at - 1] == '\n' &&
	    out->data[at - 2] == '\n')
		at--;			/* and the blank lines before it */
	out->len = at;
	if (out->data != NULL)
		out->data[at] = '\0';
	if (n > 0 || !feed) {
		if (out->len > 0 && out->data[out->len - 1] != '\n')
			buf_addc(out, '\n');
	}
	if (n > 0) {
		buf_addf(out, "\n## %s\n\n", msg_get(f->msg, MSG_ARTICLES));
		for (i = 0; i < f->narticles; i++) {
			if (linked[i])
				continue;
			name = strrchr(f->articles[i].path, '/') + 1;
			buf_adds(out, "=> ");
			url_encode_path(out, name);
			buf_addf(out, " %s ", f->articles[i].date);
			buf_adds(out, f->articles[i].title);
			buf_addc(out, '\n');
		}
	}
	/* generated after the walk, unless the capsule has its own */
	if (!feed)
		buf_addf(out, "\n=> atom.xml %s\n", msg_get(f->msg,
		    MSG_ATOM_FEED));
	if (nav.len > 0) {
		buf_addc(out, '\n');
		buf_add(out, nav.data, nav.len);
	}
	if (nav.failed)
		out->failed = true;
	buf_free(&nav);
	free(linked);
	return out->failed ? -1 : 0;
}

/*
 * The home page names the addresses a reader may not know of: Spartan's,
 * when it is on (Gemini and Gopher readers know the other two).
 */
static void
add_other_addresses(const struct site *s, struct buf *body)
{
	struct buf	 url = BUF_INIT;

	site_spartan_url(s, "/", &url);
	if (url.len > 0 && !url.failed) {
		if (body->len > 0 && body->data[body->len - 1] != '\n')
			buf_addc(body, '\n');
		buf_addf(body, "\n=> %s ", url.data);
		buf_addf(body, msg_get(s->msg, MSG_ALSO_SPARTAN), url.data);
		buf_addc(body, '\n');
	}
	buf_free(&url);
}

/*
 * The title of what zeche generates for the folder REL (its page, its
 * feed): the config's TITLE for it; for "/" the host's description, else
 * its name; else the folder's name, "-" and "_" as spaces and its first
 * letter upper case ("/travel/" -> "Travel", "/old-notes/" -> "Old
 * notes").
 */
void
folder_title(const struct site *s, const char *rel, const char *title,
    struct buf *out)
{
	const char	*name;
	size_t		 at = out->len, n;

	if (title != NULL) {
		buf_adds(out, title);
		return;
	}
	if (strcmp(rel, "/") == 0) {
		buf_adds(out, s->description != NULL ? s->description :
		    s->host);
		return;
	}
	n = strlen(rel) - 1;		/* without the trailing "/" */
	for (name = rel + n; name > rel && name[-1] != '/'; name--)
		;
	buf_add(out, name, (size_t)(rel + n - name));
	if (out->failed)
		return;
	for (n = at; n < out->len; n++)
		if (out->data[n] == '-' || out->data[n] == '_')
			out->data[n] = ' ';
	if (out->len > at)
		out->data[at] = (char)toupper((unsigned char)out->data[at]);
}

/*
 * What the config says of the folder REL: a generated page if it has no
 * index (LISTING), a generated post list (POSTS).  The host's setting,
 * unless the longest location above REL that sets it says otherwise.
 */
void
folder_policy(const struct walk *w, struct folder *f)
{
	const struct conf_location	*l, *bl = NULL, *bp = NULL;
	size_t				 i, n, lang = 0;
	bool				 has_lang = false;

	f->gen_listing = !w->opts->no_listing;
	f->posts = w->opts->posts;
	f->msg = w->s->msg;
	for (i = 0; i < w->opts->nlocations; i++) {
		l = &w->opts->locations[i];
		n = strlen(l->path);
		if (strncmp(f->rel, l->path, n) != 0)
			continue;
		if (l->title != NULL && f->rel[n] == '\0')
			f->title = l->title;	/* this folder's own */
		if (l->set_listing && (bl == NULL || n > strlen(bl->path)))
			bl = l;
		if (l->set_posts && (bp == NULL || n > strlen(bp->path)))
			bp = l;
		if (l->lang != NULL && (!has_lang ||
		    n > strlen(w->opts->locations[lang].path))) {
			lang = i;
			has_lang = true;
		}
	}
	if (bl != NULL)
		f->gen_listing = bl->listing;
	if (bp != NULL)
		f->posts = bp->posts ? SITE_ON : SITE_OFF;
	if (has_lang && lang < w->s->nloc_mime) {
		f->gemtext_mime = w->s->loc_mime[lang];
		f->msg = msg_table(w->opts->locations[lang].lang);
	}
}

/*
 * What closes the folder page PG of F after its text in BODY: the
 * Spartan address on the home page, and the navigation (NAV, with the
 * page index and the search).
 */
static void
close_body(const struct walk *w, const struct folder *f,
    const struct page *pg, struct buf *body, struct buf *nav)
{
	/* the home page the author wrote only if the config asks */
	if (strcmp(f->rel, "/") == 0 && (w->opts->spartan_link == SITE_ON ||
	    (w->opts->spartan_link == SITE_AUTO && pg->generated)))
		add_other_addresses(w->s, body);
	/* the page index: from generated pages, the home page if asked */
	if (w->pageindex[0] != '\0' && (pg->generated ? !f->has_partners :
	    strcmp(f->rel, "/") == 0 && w->opts->pageindex == SITE_ON))
		buf_addf(nav, "=> %s %s\n", w->pageindex, msg_get(f->msg,
		    MSG_PAGEINDEX_TITLE));
	if (w->search[0] != '\0' && strcmp(f->rel, "/") == 0 &&
	    (pg->generated ? !f->has_partners : w->opts->search == SITE_ON))
		buf_addf(nav, "=> %s %s\n", w->search, msg_get(f->msg,
		    MSG_FIND_TITLE));
	if (nav->len > 0) {
		if (body->len < 2 || memcmp(body->data + body->len - 2,
		    "\n\n", 2) != 0)
			buf_addc(body, '\n');
		buf_add(body, nav->data, nav->len);
	}
}

/*
 * A key of what makes F's folder page besides its articles (sorted by
 * now): its index or overview, its listing, the configuration's words
 * for it.  Two keyed hashes: a folder whose key and articles are the
 * last load's gets that load's page (retake_folder).
 */
static void
folder_key(const struct walk *w, const struct folder *f, uint64_t key[2])
{
	static const unsigned char	 k0[SIPHASH_KEY_LEN] =
	    "zeche:folder:k0.", k1[SIPHASH_KEY_LEN] = "zeche:folder:k1.";
	struct buf			 b = BUF_INIT;

	buf_addf(&b, "%zu:%s;%d %d %d %d;%zu:%s;%zu:%s;%p;%s;%s;",
	    strlen(f->rel), f->rel, f->has_index, f->has_partners,
	    f->gen_listing, (int)f->posts,
	    f->index_name != NULL ? strlen(f->index_name) : 0,
	    f->index_name != NULL ? f->index_name : "",
	    f->title != NULL ? strlen(f->title) : 0,
	    f->title != NULL ? f->title : "", (const void *)f->msg,
	    w->pageindex, w->search);
	buf_addf(&b, "%zu:", f->index.len);
	buf_add(&b, f->index.data, f->index.len);
	buf_addf(&b, ";%zu:", f->listing.len);
	buf_add(&b, f->listing.data, f->listing.len);
	if (b.failed || f->index.failed || f->listing.failed) {
		key[0] = key[1] = 0;	/* the same as none */
	} else {
		key[0] = siphash24(k0, b.data, b.len);
		key[1] = siphash24(k1, b.data, b.len);
	}
	buf_free(&b);
}

/*
 * The folder's own page: its index, its partner directory's overview or a
 * generated listing.  Returns 0, 1 when it has none ("listing off" and no
 * index: the parent does not link to it), or -1 on an error.
 */
static int
add_folder_page(struct walk *w, struct folder *f)
{
	struct page	*pg;
	struct buf	 body = BUF_INIT, nav = BUF_INIT;
	struct buf	 file = BUF_INIT;
	struct blog	*b;
	const struct blog *ob;
	struct page	*same;
	uint64_t	 key[2];

	if ((pg = page_new(f->rel)) == NULL) {
		fail_oom(w, f->rel);
		return -1;
	}
	if (f->has_index && f->has_partners) {
		fail(w, f->rel, 0, "%s and %s in one folder: the "
		    "directory's overview is generated", f->index_name,
		    PARTNERS_FILE);
		goto bad;
	}
	pg->generated = !f->has_index;
	if (f->has_index)
		pg->index = strcmp(f->index_name, "index.gmi") == 0 ?
		    "index.gmi" : "index.gemini";
	if (f->narticles > 0)
		qsort(f->articles, f->narticles, sizeof(*f->articles),
		    article_cmp);
	/* made of the same as the last load's: its bytes */
	folder_key(w, f, key);
	if (w->ndirs > 0 && strcmp(w->dirs[w->ndirs - 1].rel, f->rel) == 0)
		memcpy(w->dirs[w->ndirs - 1].page_key, key, sizeof(key));
	if ((same = retake_folder(w, f, key)) != NULL) {
		;			/* its articles still make a blog */
	} else if (f->has_index || f->has_partners) {
		body = f->index;
		f->index = (struct buf)BUF_INIT;
	} else {
		buf_adds(&body, "# ");
		buf_reset(&file);
		folder_title(w->s, f->rel, f->title, &file);
		if (file.failed)
			goto oom;
		gemtext_add_text(&body, file.data);
		buf_reset(&file);
		buf_adds(&body, "\n\n");
		buf_add(&body, f->listing.data, f->listing.len);
		/* the navigation closes the page, as on every other */
		if (strcmp(f->rel, "/") != 0)
			buf_addf(&nav, "=> ../ %s\n", msg_get(f->msg,
			    MSG_UP));
		if (f->rel[1] != '\0' &&	/* deeper folders: home too */
		    strchr(f->rel + 1, '/') != strrchr(f->rel, '/'))
			buf_addf(&nav, "=> / %s\n", msg_get(f->msg,
			    MSG_HOME));
	}
	if (f->narticles > 0) {
		log_debug("%s%s: %zu articles", w->root, f->rel, f->narticles);
		if (same == NULL && add_article_list(w, &body, f) == -1)
			goto oom;
		b = reallocarray(w->s->blogs, w->s->nblogs + 1, sizeof(*b));
		if (b == NULL)
			goto oom;
		w->s->blogs = b;
		b = &w->s->blogs[w->s->nblogs];
		memset(b, 0, sizeof(*b));
		if ((b->path = strdup(f->rel)) == NULL)
			goto oom;
		if ((ob = retake_blog(w, f)) != NULL && ob->refs != NULL) {
			/* the same posts: the last load's, shared */
			atomic_fetch_add(ob->refs, 1);
			b->refs = ob->refs;
			b->articles = ob->articles;
			free(f->articles);
		} else {
			/* no more room than it holds (shrunk in place) */
			if ((b->articles = reallocarray(f->articles,
			    f->narticles, sizeof(*f->articles))) == NULL)
				b->articles = f->articles;
			if ((b->refs = malloc(sizeof(*b->refs))) != NULL)
				atomic_init(b->refs, 1);
		}
		b->narticles = f->narticles;
		w->s->nblogs++;
		f->articles = NULL;
		f->narticles = f->artcap = 0;
	}
	if (same != NULL) {
		/*
		 * Shared: rendered again by retake_after_walk() if a path it
		 * links came or went, like any page taken over.
		 */
		page_free(pg);
		page_ref(same);
		if (site_add_page_at(w->s, same, f->first) == -1) {
			page_free(same);
			fail_oom(w, f->rel);
			return -1;
		}
		w->re.taken++;
		buf_free(&body);
		buf_free(&nav);
		buf_free(&file);
		return 0;
	}
	if (!f->has_index && !f->has_partners && !f->gen_listing) {
		/* "listing off": the folder has no page of its own */
		buf_free(&body);
		buf_free(&nav);
		buf_free(&file);
		page_free(pg);
		return 1;
	}
	if (same == NULL)
		close_body(w, f, pg, &body, &nav);
	if (nav.failed || (pg->body = buf_take(&body, &pg->body_len)) == NULL)
		goto oom;
	buf_free(&nav);
	buf_addf(&file, "%s%s", f->rel, f->has_index ? f->index_name : "");
	if (file.failed)
		goto oom;
	/* as the last load made it: parsed only if it is not taken over */
	if (retake_parse_later(w, pg))
		;
	else if (parse_gemtext(w, pg, file.data) == -1)
		goto bad;
	/* before its files: the walk adds the pages sorted, or nearly */
	if (page_set_mime(pg, f->gemtext_mime) == -1 ||
	    site_add_page_at(w->s, pg, f->first) == -1)
		goto oom;
	buf_free(&file);
	return 0;
 oom:
	fail_oom(w, f->rel);
 bad:
	buf_free(&file);
	buf_free(&body);
	buf_free(&nav);
	page_free(pg);
	return -1;
}

/* The symbolic link NAME in F (at DIRFD): served if it stays inside. */
static int
load_link(struct walk *w, struct folder *f, const char *name)
{
	struct buf	 rel = BUF_INIT;
	const char	*errstr;
	char		*file = NULL;
	long long	 size;
	int		 fd, ret = 0;

	buf_addf(&rel, "%s%s", f->rel + 1, name);
	if (rel.failed) {
		fail_oom(w, f->rel);
		return -1;
	}
	if ((fd = rootfs_open(w->rootfd, rel.data, true, &file, &size,
	    &errstr)) == -1) {
		if (strcmp(errstr, "out of memory") == 0) {
			fail_oom(w, f->rel);
			ret = -1;
		} else
			warn(w, f->rel, 0, "%s: %s; not served", name,
			    errstr);
		goto done;
	}
	ret = load_file(w, f, fd, size, name, file);
 done:
	free(file);
	buf_free(&rel);
	return ret;
}

static int
id_cmp(const void *a, const void *b)
{
	const uint64_t	*x = a, *y = b;

	if (x[0] != y[0])
		return x[0] < y[0] ? -1 : 1;
	return x[1] < y[1] ? -1 : x[1] > y[1];
}

/*
 * The last load's record of the folder REL (ID, its identity now) if the
 * folder had no change since: a reload within a scope that does not name
 * it, and its identity and times as that load found them.
 */
static const struct site_dir *
clean_dir(const struct walk *w, const char *rel, const struct page_id *id)
{
	const struct site_dir	*d;
	uint64_t		 key[2] = { id->dev, id->ino };

	if (w->scope == NULL || w->re.old == NULL || id->ino == 0 ||
	    (d = site_dir_find(w->re.old, rel)) == NULL ||
	    !reuse_same_id(&d->id, id))
		return NULL;
	if (w->scope->ndirs > 0 && bsearch(key, w->scope->dirs,
	    w->scope->ndirs, sizeof(*w->scope->dirs), id_cmp) != NULL)
		return NULL;
	return d;
}

/*
 * Keep the record of the folder REL (ID) with its N entries NAMES, PGS[i]
 * the page the regular file NAMES[i] became, or NULL (site_dir); the
 * last load's, CLEAN, shared if it says the same.  0 or -1.
 */
static int
keep_dir(struct walk *w, const char *rel, const struct page_id *id,
    const struct site_dir *clean, const char *const *names,
    struct page *const *pgs, size_t n)
{
	struct site_dir	*d;
	size_t		 i;

	if (w->ndirs == w->dircap) {
		d = reallocarray(w->dirs, w->dircap * 2 + 16, sizeof(*d));
		if (d == NULL)
			return -1;
		w->dirs = d;
		w->dircap = w->dircap * 2 + 16;
	}
	d = &w->dirs[w->ndirs];
	memset(d, 0, sizeof(*d));
	d->id = *id;
	if ((d->rel = strdup(rel)) == NULL)
		return -1;
	/* a folder not read again, its files taken over: its entries */
	for (i = 0; clean != NULL && clean->refs != NULL &&
	    clean->nents == n && i < n; i++)
		if (clean->ents[i].pg != pgs[i])
			break;
	if (clean != NULL && clean->refs != NULL && clean->nents == n &&
	    i == n) {
		atomic_fetch_add(clean->refs, 1);
		d->refs = clean->refs;
		d->ents = clean->ents;
		d->nents = n;
		w->ndirs++;
		return 0;
	}
	if ((n > 0 && (d->ents = calloc(n, sizeof(*d->ents))) == NULL) ||
	    (d->refs = malloc(sizeof(*d->refs))) == NULL)
		goto bad;
	atomic_init(d->refs, 1);
	w->ndirs++;		/* freed with the others from here on */
	for (i = 0; i < n; i++, d->nents++)
		if ((d->ents[i].pg = pgs[i]) == NULL &&
		    (d->ents[i].name = strdup(names[i])) == NULL)
			return -1;
	return 0;
 bad:
	free(d->ents);
	free(d->rel);
	return -1;
}

/* Folder records by their path. */
static int
rel_cmp(const void *a, const void *b)
{
	return strcmp(((const struct site_dir *)a)->rel,
	    ((const struct site_dir *)b)->rel);
}

/*
 * Load the folder DIRFD (REL in the capsule) and all below it.  Returns 0
 * when it has a page of its own, 1 when it has none, -1 on an error.
 */
static int
load_dir(struct walk *w, int dirfd, const char *rel, int depth)
{
	struct folder		 f;
	struct stat		 st, st2;
	struct buf		 sub = BUF_INIT;
	struct page_id		 id;
	const struct site_dir	*clean = NULL;
	const char		*errstr;
	const char		**names = NULL;
	char			**own = NULL, esc[512];
	struct page		**pgs = NULL;
	size_t			 i, n = 0;
	int			 fd, ret = -1;

	memset(&f, 0, sizeof(f));
	memset(&id, 0, sizeof(id));
	f.rel = rel;
	f.first = w->s->npages;
	folder_policy(w, &f);
	if (depth > CAPSULE_DEPTH_MAX) {
		fail(w, rel, 0, "folders nested too deep");
		return -1;
	}
	/* the folder as it is before its entries are read */
	if (fstat(dirfd, &st) == 0)
		reuse_id(&id, &st);
	if ((clean = clean_dir(w, rel, &id)) != NULL) {
		n = clean->nents;
		if ((names = calloc(n + 1, sizeof(*names))) == NULL) {
			fail_oom(w, rel);
			return -1;
		}
		for (i = 0; i < n; i++)
			names[i] = clean->ents[i].pg != NULL ?
			    strrchr(clean->ents[i].pg->path, '/') + 1 :
			    clean->ents[i].name;
		w->nclean++;
	} else if ((own = rootfs_names(dirfd, &n)) == NULL) {
		fail(w, rel, 0, "cannot read folder: %s", strerror(errno));
		return -1;
	} else
		names = (const char **)own;
	if ((pgs = calloc(n + 1, sizeof(*pgs))) == NULL) {
		fail_oom(w, rel);
		goto done;
	}
	/* index.gmi is the folder's page, else index.gemini */
	for (i = 0; i < n; i++)
		if (strcmp(names[i], "index.gemini") == 0)
			f.index_name = names[i];
	for (i = 0; i < n; i++)
		if (strcmp(names[i], "index.gmi") == 0)
			f.index_name = names[i];
	for (i = 0; i < n && !w->fatal; i++) {
		w->added = NULL;
		if (clean != NULL && clean->ents[i].pg != NULL &&
		    retake_known(w, &f, names[i], clean->ents[i].pg)) {
			pgs[i] = w->added;	/* as the last load read it */
			continue;
		}
		if (!is_servable_name(names[i])) {
			warn(w, rel, 0, "\"%s\": not served: a name must be "
			    "UTF-8 without control characters",
			    shown(names[i], esc, sizeof(esc)));
			continue;
		}
		if (fstatat(dirfd, names[i], &st, AT_SYMLINK_NOFOLLOW) == -1) {
			fail(w, rel, 0, "%s: %s", names[i], strerror(errno));
			continue;
		}
		if (S_ISLNK(st.st_mode)) {
			(void)load_link(w, &f, names[i]);
		} else if (S_ISDIR(st.st_mode)) {
			buf_reset(&sub);
			buf_addf(&sub, "%s%s/", rel, names[i]);
			fd = openat(dirfd, names[i], O_RDONLY | O_DIRECTORY |
			    O_NONBLOCK | O_NOFOLLOW | O_CLOEXEC);
			if (sub.failed) {
				fail_oom(w, rel);
			} else if (fd == -1) {
				fail(w, rel, 0, "%s: %s", names[i],
				    strerror(errno));
			} else if (load_dir(w, fd, sub.data, depth + 1) == 0 &&
			    (!site_is_closed(w->s, sub.data) ||
			    site_is_closed(w->s, rel))) {
				/* a closed folder: listed in a closed one */
				buf_adds(&f.listing, "=> ");
				url_encode_path(&f.listing, names[i]);
				buf_adds(&f.listing, "/ ");
				gemtext_add_text(&f.listing, names[i]);
				buf_adds(&f.listing, "/\n");
			}
			if (fd != -1)
				close(fd);
		} else if (S_ISREG(st.st_mode) &&
		    retake_file(w, &f, names[i], &st)) {
			pgs[i] = w->added;	/* as the last load read it */
		} else if (S_ISREG(st.st_mode)) {
			/* a FIFO swapped in since fstatat() is turned away */
			fd = file_open(dirfd, names[i], FILE_NOFOLLOW, &st2,
			    &errstr);
			if (fd == -1 && errno == EINVAL) {
				warn(w, rel, 0, "%s: changed into something "
				    "other than a file while loading; not "
				    "served", names[i]);
			} else if (fd == -1) {
				fail(w, rel, 0, "%s: %s", names[i], errstr);
			} else {
				buf_reset(&sub);
				buf_addf(&sub, "%s%s", rel + 1, names[i]);
				if (sub.failed) {
					close(fd);
					fail_oom(w, rel);
				} else if (load_file(w, &f, fd,
				    (long long)st2.st_size, names[i],
				    sub.data) == 0)
					pgs[i] = w->added;
			}
		} else {
			warn(w, rel, 0, "%s: not a file or folder; not served",
			    names[i]);
		}
	}
	w->added = NULL;
	if (!w->fatal && keep_dir(w, rel, &id, clean, names, pgs, n) == -1)
		fail_oom(w, rel);
	if (!w->fatal)
		ret = add_folder_page(w, &f);
 done:
	for (i = 0; own != NULL && i < n; i++)
		free(own[i]);
	if (own != NULL)
		free(own);
	else
		free(names);
	free(pgs);
	buf_free(&sub);
	buf_free(&f.index);
	buf_free(&f.listing);
	free(f.articles);
	return ret;
}


/*
 * A capsule file wins over anything generated for the same path (a feed,
 * robots.txt, a partner page): with the pages sorted, drop the generated
 * twin of a file.
 */
static void
drop_generated_twins(struct walk *w)
{
	struct site	*s = w->s;
	struct page	*a, *b;
	size_t		 i, j;

	for (i = j = 0; i < s->npages; i++) {
		if (j > 0 && strcmp(s->pages[j - 1]->path,
		    s->pages[i]->path) == 0) {
			a = s->pages[j - 1];
			b = s->pages[i];
			if (a->generated && !b->generated) {
				s->pages[j - 1] = b;
				b = a;
			}
			log_debug("%s%s: the capsule's file is served, not "
			    "a generated page", w->root, b->path);
			page_free(b);
			continue;
		}
		s->pages[j++] = s->pages[i];
	}
	s->npages = s->nsorted = j;
}

/* A warning of linkcheck_site(), as the walk's own. */
static void
link_warning(void *arg, const char *file, size_t line, const char *msg)
{
	warn(arg, file, line, "%s", msg);
}

struct site *
capsule_load(const char *root, const struct site_opts *opts, char *err,
    size_t errlen)
{
	return capsule_reload(root, opts, NULL, err, errlen);
}

struct site *
capsule_reload(const char *root, const struct site_opts *opts,
    const struct site *old, char *err, size_t errlen)
{
	return capsule_reload_in(root, opts, old, NULL, err, errlen);
}

struct site *
capsule_reload_in(const char *root, const struct site_opts *opts,
    const struct site *old, const struct capsule_scope *scope, char *err,
    size_t errlen)
{
	struct walk	 w;
	char		 top[1024];
	size_t		 len;
	int		 fd;

	memset(&w, 0, sizeof(w));
	if (errlen > 0)
		err[0] = '\0';
	/* messages read "capsule/forum/x.gmi": drop trailing slashes */
	len = strlen(root);
	while (len > 1 && root[len - 1] == '/')
		len--;
	snprintf(top, sizeof(top), "%.*s", (int)len, root);
	w.root = strcmp(top, "/") == 0 ? "" : top;
	w.err = err;
	w.errlen = errlen;
	w.opts = opts;
	w.scope = scope;
	if ((fd = open(root, O_RDONLY | O_DIRECTORY | O_NONBLOCK |
	    O_CLOEXEC)) == -1) {
		snprintf(err, errlen, "%s: %s", root, strerror(errno));
		return NULL;
	}
	if ((w.s = site_new(opts)) == NULL) {
		snprintf(err, errlen, "%s: out of memory", root);
		close(fd);
		return NULL;
	}
	w.s->rootfd = w.rootfd = fd;	/* the site owns it from here on */
	w.s->loaded_ns = reuse_now();	/* before any file is read */
	/* a reload takes over from a site of the same options and folder */
	if ((w.s->key = reuse_key(opts, fd)) != NULL && old != NULL &&
	    old->key != NULL && strcmp(old->key, w.s->key) == 0)
		w.re.old = old;
	/* about as many pages as the last load: no array grown step by step */
	if (old != NULL)
		(void)site_reserve(w.s, old->npages + 64);
	pageindex_path(&w);
	(void)load_dir(&w, fd, "/", 0);
	if (w.fatal)
		goto bad;
	site_sort(w.s);
	if (w.re.old != NULL && retake_after_walk(&w) == -1)
		goto bad;
	if (add_site_extras(&w) == -1)
		goto bad;
	site_sort(w.s);
	drop_generated_twins(&w);
	linkcheck_site(w.s, link_warning, &w);
	w.s->ntaken = w.re.taken;
	w.s->nclean = w.nclean;
	if (w.nclean > 0)
		log_debug("%s: %zu of %zu folders as the last load read them",
		    root, w.nclean, w.ndirs);
	if (w.ndirs > 1)
		qsort(w.dirs, w.ndirs, sizeof(*w.dirs), rel_cmp);
	w.s->dirs = w.dirs;		/* the site owns them from here on */
	w.s->ndirs = w.ndirs;
	w.dirs = NULL;
	w.ndirs = 0;
	reuse_free(&w.re);
	if (w.nerrors > 0)
		goto bad;
	return w.s;
 bad:
	reuse_free(&w.re);
	site_dirs_free(w.dirs, w.ndirs);
	if (w.nomitted > 0 && w.errused < errlen)
		snprintf(err + w.errused, errlen - w.errused,
		    "\n... and %zu more errors", w.nomitted);
	site_free(w.s);
	return NULL;
}

