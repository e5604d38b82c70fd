#include <sys/stat.h>

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "buf.h"
#include "capsule.h"
#include "feed.h"
#include "gemtext.h"
#include "log.h"
#include "mime.h"
#include "partners.h"
#include "render.h"
#include "site.h"
#include "url.h"

struct walk {
	struct site	*s;
	const char	*root;		/* for messages */
	char		*err;
	size_t		 errlen;
};

/* What one folder holds, gathered while its entries are read. */
struct folder {
	const char	*rel;		/* "/" or "/forum/" */
	struct buf	 index;		/* index.gmi, if there is one */
	bool		 has_index;
	struct buf	 listing;	/* links for a generated index */
	struct article	*articles;
	size_t		 narticles;
	bool		 has_partners;	/* partners.txt: a generated index */
};

static void
fail(struct walk *w, const char *rel, size_t line, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static void
fail(struct walk *w, const char *rel, size_t line, const char *fmt, ...)
{
	va_list	 ap;
	int	 n;

	if (line > 0)
		n = snprintf(w->err, w->errlen, "%s%s:%zu: ", w->root, rel,
		    line);
	else
		n = snprintf(w->err, w->errlen, "%s%s: ", w->root, rel);
	if (n < 0 || (size_t)n >= w->errlen)
		return;
	va_start(ap, fmt);
	vsnprintf(w->err + n, w->errlen - (size_t)n, fmt, ap);
	va_end(ap);
}

/*
 * File names become addresses on Gemini and selectors on Gopher, so they
 * are kept to what every client passes through untouched.
 */
static bool
is_good_name(const char *name)
{
	const char	*p;

	for (p = name; *p != '\0'; p++)
		if (!isalnum((unsigned char)*p) && *p != '.' && *p != '_' &&
		    *p != '-')
			return false;
	return p - name <= 255;
}

/* YYYY-MM-DD-slug.gmi: returns true and fills DATE for an article. */
static bool
is_article(const char *name, char date[11])
{
	static const char	 pat[] = "dddd-dd-dd-";
	size_t			 i, len = strlen(name);
	int			 month, day;

	if (len <= sizeof(pat) - 1 + 4 ||
	    strcmp(name + len - 4, ".gmi") != 0)
		return false;
	for (i = 0; i < sizeof(pat) - 1; i++) {
		if (pat[i] == 'd' ? !isdigit((unsigned char)name[i]) :
		    name[i] != pat[i])
			return false;
	}
	month = (name[5] - '0') * 10 + (name[6] - '0');
	day = (name[8] - '0') * 10 + (name[9] - '0');
	if (month < 1 || month > 12 || day < 1 || day > 31)
		return false;
	memcpy(date, name, 10);
	date[10] = '\0';
	return true;
}

static int
parse_gemtext(struct walk *w, struct page *pg, const char *rel)
{
	const char	*errstr;
	size_t		 line;

	if (gemtext_parse(pg->body, pg->body_len, &pg->doc, &errstr,
	    &line) == -1) {
		fail(w, rel, line, "%s", errstr);
		return -1;
	}
	pg->is_gemtext = true;
	pg->mime = MIME_GEMTEXT;
	pg->gopher_type = '1';
	return 0;
}

/* Add a page of generated gemtext at PATH. */
static int
add_generated(struct walk *w, const char *path, const char *text, size_t len)
{
	struct page	*pg;

	if ((pg = page_new(path)) == NULL ||
	    (pg->body = malloc(len + 1)) == NULL) {
		page_free(pg);
		fail(w, path, 0, "out of memory");
		return -1;
	}
	memcpy(pg->body, text, len);
	pg->body[len] = '\0';
	pg->body_len = len;
	if (parse_gemtext(w, pg, path) == -1 || site_add_page(w->s, pg) == -1) {
		if (w->err[0] == '\0')
			fail(w, path, 0, "out of memory");
		page_free(pg);
		return -1;
	}
	return 0;
}

/*
 * partners.txt: the partner directory is served in its folder, every
 * static page generated now; the index stays in the site for searches.
 */
static int
add_partners(struct walk *w, struct folder *f, const struct buf *src,
    const char *file)
{
	struct partners		*ps;
	struct partners_page	*pages = NULL;
	const char		*errstr;
	size_t			 i, n = 0, line;
	int			 ret = -1;

	if (w->s->partners != NULL) {
		fail(w, file, 0, "a capsule holds one partner directory; "
		    "this is a second %s", PARTNERS_FILE);
		return -1;
	}
	if ((ps = partners_load(src->data, src->len, f->rel, &errstr,
	    &line)) == NULL) {
		fail(w, file, line, "%s", errstr);
		return -1;
	}
	w->s->partners = ps;		/* the site owns it from here on */
	if (partners_render(ps, &pages, &n, &errstr) == -1) {
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
	partners_pages_free(pages, n);
	return ret;
}

static int
load_file(struct walk *w, struct folder *f, int dirfd, const char *name)
{
	const struct mime_type	*mt;
	struct buf		 src = BUF_INIT;
	struct buf		 path = BUF_INIT;
	struct page		*pg = NULL;
	struct article		*a;
	const char		*errstr;
	char			 date[11];
	int			 ret = -1;

	buf_addf(&path, "%s%s", f->rel, name);
	if (path.failed) {
		fail(w, f->rel, 0, "out of memory");
		goto done;
	}
	if (buf_load_at(&src, dirfd, name, CAPSULE_FILE_MAX, &errstr) == -1) {
		fail(w, path.data, 0, "%s", errstr);
		goto done;
	}
	if (strcmp(name, PARTNERS_FILE) == 0 &&
	    add_partners(w, f, &src, path.data) == -1)
		goto done;
	if (strcmp(name, "index.gmi") == 0) {
		f->index = src;
		f->has_index = true;
		src = (struct buf)BUF_INIT;
		ret = 0;
		goto done;
	}
	if ((pg = page_new(path.data)) == NULL) {
		fail(w, path.data, 0, "out of memory");
		goto done;
	}
	mt = mime_lookup(name);
	pg->mime = mt->mime;
	pg->gopher_type = mt->gopher;
	pg->body = buf_take(&src, &pg->body_len);
	if (pg->body == NULL) {
		fail(w, path.data, 0, "out of memory");
		goto done;
	}
	if (strcmp(mt->mime, MIME_GEMTEXT) == 0 &&
	    parse_gemtext(w, pg, path.data) == -1)
		goto done;

	if (pg->is_gemtext && is_article(name, date)) {
		if (pg->doc.title == NULL || pg->doc.title[0] == '\0') {
			fail(w, path.data, 1, "an article needs a \"# \" "
			    "title as its first heading");
			goto done;
		}
		a = reallocarray(f->articles, f->narticles + 1, sizeof(*a));
		if (a == NULL) {
			fail(w, path.data, 0, "out of memory");
			goto done;
		}
		f->articles = a;
		a = &f->articles[f->narticles++];
		memcpy(a->date, date, sizeof(a->date));
		a->title = pg->doc.title;
		a->path = pg->path;
		a->page = pg;
	}
	buf_addf(&f->listing, "=> %s %s\n", name,
	    pg->is_gemtext && pg->doc.title ? pg->doc.title : name);
	if (site_add_page(w->s, pg) == -1) {
		fail(w, path.data, 0, "out of memory");
		goto done;
	}
	pg = NULL;			/* the site owns it */
	ret = 0;
 done:
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

/* Append the folder's article list, newest first, as gemfeed links. */
static void
add_article_list(struct buf *out, struct folder *f)
{
	const char	*name;
	size_t		 i;

	qsort(f->articles, f->narticles, sizeof(*f->articles), article_cmp);
	if (out->len > 0 && out->data[out->len - 1] != '\n')
		buf_addc(out, '\n');
	buf_adds(out, "\n## Beiträge\n\n");
	for (i = 0; i < f->narticles; i++) {
		name = strrchr(f->articles[i].path, '/') + 1;
		buf_addf(out, "=> %s %s %s\n", name, f->articles[i].date,
		    f->articles[i].title);
	}
	/* generated after the walk, unless the capsule has its own */
	buf_adds(out, "\n=> atom.xml Atom-Feed\n");
}

static int
add_folder_page(struct walk *w, struct folder *f)
{
	struct page	*pg;
	struct buf	 body = BUF_INIT;
	struct buf	 file = BUF_INIT;
	struct blog	*b;

	if ((pg = page_new(f->rel)) == NULL) {
		fail(w, f->rel, 0, "out of memory");
		return -1;
	}
	if (f->has_index && f->has_partners) {
		fail(w, f->rel, 0, "index.gmi and %s in one folder: the "
		    "directory's overview is generated", PARTNERS_FILE);
		goto bad;
	}
	if (f->has_index || f->has_partners) {
		body = f->index;
		f->index = (struct buf)BUF_INIT;
	} else {
		buf_addf(&body, "# %s\n\n", f->rel);
		if (strcmp(f->rel, "/") != 0)
			buf_adds(&body, "=> ../ Eine Ebene höher\n");
		if (f->rel[1] != '\0' &&	/* deeper folders: home too */
		    strchr(f->rel + 1, '/') != strrchr(f->rel, '/'))
			buf_adds(&body, "=> / Startseite\n");
		buf_add(&body, f->listing.data, f->listing.len);
	}
	if (f->narticles > 0) {
		log_debug("%s%s: %zu articles", w->root, f->rel, f->narticles);
		add_article_list(&body, f);
		b = reallocarray(w->s->blogs, w->s->nblogs + 1, sizeof(*b));
		if (b == NULL)
			goto oom;
		w->s->blogs = b;
		b = &w->s->blogs[w->s->nblogs];
		if ((b->path = strdup(f->rel)) == NULL)
			goto oom;
		b->articles = f->articles;
		b->narticles = f->narticles;
		w->s->nblogs++;
		f->articles = NULL;
		f->narticles = 0;
	}
	if ((pg->body = buf_take(&body, &pg->body_len)) == NULL)
		goto oom;
	buf_addf(&file, "%s%s", f->rel, f->has_index ? "index.gmi" : "");
	if (file.failed)
		goto oom;
	if (parse_gemtext(w, pg, file.data) == -1)
		goto bad;
	if (site_add_page(w->s, pg) == -1)
		goto oom;
	buf_free(&file);
	return 0;
 oom:
	fail(w, f->rel, 0, "out of memory");
 bad:
	buf_free(&file);
	buf_free(&body);
	page_free(pg);
	return -1;
}

static int
name_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Read the names in DIRFD, sorted, dot files left out. */
static char **
read_names(int dirfd, size_t *n)
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

static int
load_dir(struct walk *w, int dirfd, const char *rel, int depth)
{
	struct folder	 f;
	struct stat	 st;
	struct buf	 sub = BUF_INIT;
	char		**names;
	size_t		 i, n;
	int		 fd, ret = -1;

	memset(&f, 0, sizeof(f));
	f.rel = rel;
	if (depth > CAPSULE_DEPTH_MAX) {
		fail(w, rel, 0, "folders nested too deep");
		return -1;
	}
	if ((names = read_names(dirfd, &n)) == NULL) {
		fail(w, rel, 0, "cannot read folder: %s", strerror(errno));
		return -1;
	}
	for (i = 0; i < n; i++) {
		if (!is_good_name(names[i])) {
			fail(w, rel, 0, "\"%s\": file names may only hold "
			    "A-Z a-z 0-9 . _ -", names[i]);
			goto done;
		}
		if (fstatat(dirfd, names[i], &st, AT_SYMLINK_NOFOLLOW) == -1) {
			fail(w, rel, 0, "%s: %s", names[i], strerror(errno));
			goto done;
		}
		if (S_ISLNK(st.st_mode)) {
			log_warnx("%s%s%s: symbolic link, not served", w->root,
			    rel, names[i]);
		} else if (S_ISDIR(st.st_mode)) {
			buf_reset(&sub);
			buf_addf(&sub, "%s%s/", rel, names[i]);
			fd = openat(dirfd, names[i],
			    O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
			if (sub.failed || fd == -1) {
				fail(w, rel, 0, "%s: %s", names[i],
				    strerror(errno));
				goto done;
			}
			if (load_dir(w, fd, sub.data, depth + 1) == -1) {
				close(fd);
				goto done;
			}
			close(fd);
			buf_addf(&f.listing, "=> %s/ %s/\n", names[i],
			    names[i]);
		} else if (S_ISREG(st.st_mode)) {
			if (load_file(w, &f, dirfd, names[i]) == -1)
				goto done;
		}
	}
	ret = add_folder_page(w, &f);
 done:
	for (i = 0; i < n; i++)
		free(names[i]);
	free(names);
	buf_free(&sub);
	buf_free(&f.index);
	buf_free(&f.listing);
	free(f.articles);
	return ret;
}

static int	add_site_extras(struct walk *);

struct site *
capsule_load(const char *root, const struct site_opts *opts, char *err,
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
	if ((fd = open(root, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) == -1) {
		snprintf(err, errlen, "%s: %s", root, strerror(errno));
		return NULL;
	}
	if ((w.s = site_new(opts)) == NULL) {
		snprintf(err, errlen, "%s: out of memory", root);
		close(fd);
		return NULL;
	}
	if (load_dir(&w, fd, "/", 0) == -1)
		goto bad;
	site_sort(w.s);
	if (add_site_extras(&w) == -1)
		goto bad;
	site_sort(w.s);
	if (render_site(w.s) == -1) {
		snprintf(err, errlen, "%s: out of memory", root);
		goto bad;
	}
	close(fd);
	return w.s;
 bad:
	close(fd);
	site_unref(w.s);
	return NULL;
}

/*
 * Pages generated from the loaded capsule, after the walk (the pages are
 * sorted by then): an Atom feed per article folder and /robots.txt.  A
 * file of the same name in the capsule wins over a generated one.
 */

/*
 * The default /robots.txt (text/plain, the same over Gemini and Gopher).
 * Everyone may crawl, and so may Gemini's virtual user-agents "archiver",
 * "indexer" and "researcher"; "webproxy" is asked to stay away, so the
 * capsule is not mirrored onto the web by Gemini-to-HTTP proxies
 * (geminiprotocol.net/docs/companion/robots.gmi).
 */
static const char robots_default[] =
"# robots.txt, generated by zeche.  Put a robots.txt into the capsule\n"
"# to replace it.  Gemini virtual user-agents:\n"
"# gemini://geminiprotocol.net/docs/companion/robots.gmi\n"
"\n"
"# Archives, search engines and research crawlers are welcome.\n"
"User-agent: archiver\n"
"User-agent: indexer\n"
"User-agent: researcher\n"
"Disallow:\n"
"\n"
"# This capsule is meant for Gemini and Gopher clients: web proxies,\n"
"# please do not mirror it onto the web.\n"
"User-agent: webproxy\n"
"Disallow: /\n"
"\n"
"User-agent: *\n"
"Disallow:\n";

/* True if the capsule already serves PATH, as a file or a folder. */
static bool
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
	if ((pg->body = buf_take(body, &pg->body_len)) == NULL ||
	    site_add_page(w->s, pg) == -1) {
		page_free(pg);
		goto oom;
	}
	return 0;
 oom:
	fail(w, path, 0, "out of memory");
	return -1;
}

/* The article's first text paragraph: its summary in the feed. */
static const char *
first_paragraph(const struct gemtext *doc)
{
	size_t	 i;

	for (i = 0; i < doc->nlines; i++)
		if (doc->lines[i].type == GEMTEXT_TEXT &&
		    doc->lines[i].text[strspn(doc->lines[i].text, " \t")] !=
		    '\0')
			return doc->lines[i].text;
	return NULL;
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
	struct buf		 path = BUF_INIT, self = BUF_INIT;
	struct buf		 alt = BUF_INIT, out = BUF_INIT;
	struct buf		*urls = NULL;
	char			(*dates)[21] = NULL;
	size_t			 i;
	int			 ret = -1;

	buf_addf(&path, "%satom.xml", b->path);
	if (path.failed)
		goto oom;
	if (has_path(s, path.data) ||
	    (folder = site_lookup(s, b->path)) == NULL) {
		ret = 0;			/* the capsule has its own */
		goto done;
	}
	if ((e = calloc(b->narticles, sizeof(*e))) == NULL ||
	    (urls = calloc(b->narticles, sizeof(*urls))) == NULL ||
	    (dates = calloc(b->narticles, sizeof(*dates))) == NULL)
		goto oom;
	for (i = 0; i < b->narticles; i++) {
		site_gemini_url(s, b->articles[i].path, &urls[i]);
		if (urls[i].failed)
			goto oom;
		snprintf(dates[i], sizeof(dates[i]), "%sT00:00:00Z",
		    b->articles[i].date);
		e[i].id = e[i].link = urls[i].data;
		e[i].link_type = "text/gemini";
		e[i].title = b->articles[i].title;
		e[i].updated = dates[i];
		e[i].summary = first_paragraph(&b->articles[i].page->doc);
	}
	site_gemini_url(s, b->path, &alt);
	site_gemini_url(s, path.data, &self);
	if (alt.failed || self.failed)
		goto oom;
	memset(&f, 0, sizeof(f));
	f.id = alt.data;
	f.title = folder->doc.title != NULL ? folder->doc.title : b->path;
	f.updated = dates[0];		/* the articles are newest first */
	f.author = s->host;
	f.self = self.data;
	f.alternate = alt.data;
	f.alternate_type = "text/gemini";
	f.entries = e;
	f.nentries = b->narticles;
	if (feed_write_atom(&f, &out) == -1 ||
	    add_raw_page(w, path.data, "application/atom+xml", &out) == -1)
		goto done;
	ret = 0;
	goto done;
 oom:
	fail(w, b->path, 0, "out of memory");
 done:
	for (i = 0; urls != NULL && i < b->narticles; i++)
		buf_free(&urls[i]);
	free(urls);
	free(dates);
	free(e);
	buf_free(&path);
	buf_free(&self);
	buf_free(&alt);
	buf_free(&out);
	return ret;
}

static int
add_site_extras(struct walk *w)
{
	struct buf	 robots = BUF_INIT;
	size_t		 i;

	for (i = 0; i < w->s->nblogs; i++)
		if (w->s->blogs[i].narticles > 0 &&
		    add_feed(w, &w->s->blogs[i]) == -1)
			return -1;
	if (has_path(w->s, "/robots.txt"))
		return 0;
	buf_adds(&robots, robots_default);
	return add_raw_page(w, "/robots.txt", mime_lookup("robots.txt")->mime,
	    &robots);
}
