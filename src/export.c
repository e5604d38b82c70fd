#include <sys/file.h>
#include <sys/stat.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "buf.h"
#include "export.h"
#include "gemtext.h"
#include "mime.h"
#include "section.h"
#include "render.h"
#include "rootfs.h"
#include "site.h"
#include "tar.h"
#include "url.h"

#define NEW_TREE	".zeche-new"
#define OLD_TREE	".zeche-old"
#define RM_DEPTH_MAX	64

struct export {
	const struct site	*s;
	const char		*dir;		/* for messages */
	int			 dirfd;
	int			 newfd;		/* DIR/.zeche-new */
	char			*err;
	size_t			 errlen;
};

static void
fail(struct export *x, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void
fail(struct export *x, const char *fmt, ...)
{
	va_list	 ap;
	int	 n;

	n = snprintf(x->err, x->errlen, "%s: ", x->dir);
	if (n < 0 || (size_t)n >= x->errlen)
		return;
	va_start(ap, fmt);
	vsnprintf(x->err + n, x->errlen - (size_t)n, fmt, ap);
	va_end(ap);
}

/* A path of plain names, as capsule.c makes them: "/", "/f/", "/f/a.gmi". */
static bool
is_safe_path(const char *path, bool gopher)
{
	const char	*p = path, *end;
	size_t		 n;

	if (*p++ != '/' || strlen(path) >= PATH_MAX / 2)
		return false;
	while (*p != '\0') {
		end = strchr(p, '/');
		n = end != NULL ? (size_t)(end - p) : strlen(p);
		if (n == 0 || p[0] == '.')
			return false;
		if (gopher && ((n == 9 && strncmp(p, "gophermap", n) == 0) ||
		    (n == 9 && strncmp(p, "gophertag", n) == 0)))
			return false;
		if (end == NULL)
			break;
		p = end + 1;
	}
	return true;
}

int
export_gemini_path(const char *path, struct buf *out)
{
	size_t	 len = strlen(path);

	if (!is_safe_path(path, false))
		return -1;
	buf_addf(out, "gemini%s", path);
	if (path[len - 1] == '/')
		buf_adds(out, "index.gmi");
	return out->failed ? -1 : 0;
}

int
export_gopher_path(const char *path, bool menu, struct buf *out)
{
	size_t	 len = strlen(path);

	if (!is_safe_path(path, true) || (!menu && path[len - 1] == '/'))
		return -1;
	buf_addf(out, "gopher%s", path);
	if (menu)
		buf_adds(out, path[len - 1] == '/' ? "gophermap" :
		    "/gophermap");
	return out->failed ? -1 : 0;
}

/*
 * Remove NAME below DIRFD, and all it holds, without following a
 * symbolic link: nothing outside DIRFD is ever touched.
 */
static int
rm_tree(int dirfd, const char *name, int depth)
{
	struct stat	 st;
	struct dirent	*de;
	DIR		*d;
	int		 fd, ret = 0;

	if (fstatat(dirfd, name, &st, AT_SYMLINK_NOFOLLOW) == -1)
		return errno == ENOENT ? 0 : -1;
	if (!S_ISDIR(st.st_mode))
		return unlinkat(dirfd, name, 0);
	if (depth > RM_DEPTH_MAX) {
		errno = ELOOP;
		return -1;
	}
	fd = openat(dirfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW |
	    O_CLOEXEC);
	if (fd == -1)
		return -1;
	if ((d = fdopendir(fd)) == NULL) {
		close(fd);
		return -1;
	}
	while (ret == 0 && (de = readdir(d)) != NULL) {
		if (strcmp(de->d_name, ".") == 0 ||
		    strcmp(de->d_name, "..") == 0)
			continue;
		ret = rm_tree(fd, de->d_name, depth + 1);
	}
	closedir(d);
	if (ret == 0)
		ret = unlinkat(dirfd, name, AT_REMOVEDIR);
	return ret;
}

/*
 * Make the folder NAME below DIRFD with MODE, whatever the umask, or
 * (MAY_EXIST) take the one already there, and return it open.  What is
 * opened is what was made: never a link (O_NOFOLLOW), the device and
 * inode that mkdirat() left there, ours; and its mode is set through the
 * descriptor, never by name, so that a link swapped in meanwhile changes
 * the mode of nothing else.  -1 with errno set, or with *WHY.
 */
static int
make_dir(int dirfd, const char *name, mode_t mode, bool may_exist,
    const char **why)
{
	struct stat	 made, st;
	bool		 is_new = true;
	int		 fd;

	*why = NULL;
	if (mkdirat(dirfd, name, mode) == -1) {
		if (errno != EEXIST || !may_exist)
			return -1;
		is_new = false;
	}
	if (is_new && fstatat(dirfd, name, &made, AT_SYMLINK_NOFOLLOW) == -1)
		return -1;
	if ((fd = openat(dirfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW |
	    O_CLOEXEC)) == -1)
		return -1;
	if (fstat(fd, &st) == -1)
		goto bad;
	if (is_new && (!S_ISDIR(made.st_mode) || made.st_dev != st.st_dev ||
	    made.st_ino != st.st_ino || st.st_uid != geteuid())) {
		*why = "replaced by something else while it was made";
		goto bad;
	}
	if (is_new && fchmod(fd, mode) == -1)
		goto bad;
	return fd;
 bad:
	close(fd);
	return -1;
}

/*
 * Write LEN bytes at DATA to the fresh file REL below the new tree,
 * making its folders on the way.  O_EXCL: two pages never share a file,
 * O_NOFOLLOW: no component is a link (the tree is new, but be sure).
 */
static int
write_file(struct export *x, const char *rel, const char *data, size_t len,
    int src)
{
	char		 comp[NAME_MAX + 1], chunk[65536];
	const char	*p = rel, *slash, *why = NULL;
	ssize_t		 n;
	size_t		 clen;
	int		 fd, next, ret = -1;

	if ((fd = dup(x->newfd)) == -1) {
		fail(x, "%s", strerror(errno));
		return -1;
	}
	while ((slash = strchr(p, '/')) != NULL) {
		if ((clen = (size_t)(slash - p)) >= sizeof(comp))
			goto toolong;
		memcpy(comp, p, clen);
		comp[clen] = '\0';
		if ((next = make_dir(fd, comp, 0755, true, &why)) == -1)
			goto bad;
		close(fd);
		fd = next;
		p = slash + 1;
	}
	if (strlen(p) >= sizeof(comp))
		goto toolong;
	next = openat(fd, p, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW |
	    O_CLOEXEC, 0644);
	if (next == -1)
		goto bad;
	close(fd);
	fd = next;
	if (fchmod(fd, 0644) == -1)
		goto bad;
	for (;;) {
		/* a file served from disk is copied from SRC */
		if (len == 0 && src != -1) {
			if ((n = read(src, chunk, sizeof(chunk))) == -1) {
				if (errno == EINTR)
					continue;
				goto bad;
			}
			data = chunk;
			len = (size_t)n;
		}
		if (len == 0)
			break;
		if ((n = write(fd, data, len)) == -1) {
			if (errno == EINTR)
				continue;
			goto bad;
		}
		data += n;
		len -= (size_t)n;
	}
	if (close(fd) == -1) {
		fd = -1;
		goto bad;
	}
	return 0;
 toolong:
	errno = ENAMETOOLONG;
 bad:
	if (why != NULL)
		fail(x, "%s: %s", rel, why);
	else if (errno == EEXIST || errno == ENOTDIR)
		fail(x, "%s: two pages would share this file (%s)", rel,
		    strerror(errno));
	else
		fail(x, "%s: %s", rel, strerror(errno));
	if (fd != -1)
		close(fd);
	return ret;
}

/* A selector that the export serves itself. */
static bool
is_exported(const struct site *s, const char *sel)
{
	struct section_req	 req;

	return sel[0] == '/' && !site_is_closed(s, sel) &&
	    (site_lookup(s, sel) != NULL ||
	    site_is_folder(s, sel) || (section_find(s->sections,
	    s->nsections, sel, NULL, &req) != NULL &&
	    req.op == SECTION_LIST));
}

/*
 * A path (its query, if any, ignored) that only the running server
 * answers: a section's search, which no static server can.  Links to it
 * are left out of the export and the archive.
 */
static bool
is_dynamic(const struct site *s, const char *sel, size_t len)
{
	struct section_req	 req;
	char			 path[1024];
	const char		*q;

	if ((q = memchr(sel, '?', len)) != NULL)
		len = (size_t)(q - sel);
	if (len == 0 || sel[0] != '/' || len >= sizeof(path))
		return false;
	memcpy(path, sel, len);
	path[len] = '\0';
	return section_find(s->sections, s->nsections, path, NULL, &req) !=
	    NULL && req.op != SECTION_LIST;
}

bool
export_link_path(const char *line, size_t len, const char *host,
    const char **path, size_t *plen)
{
	const char	*end = line + len, *url = line + 2, *p;
	size_t		 hlen = strlen(host);

	if (len < 3 || line[0] != '=' || line[1] != '>')
		return false;
	while (url < end && (*url == ' ' || *url == '\t'))
		url++;
	for (p = url; p < end && *p != ' ' && *p != '\t' && *p != '\r' &&
	    *p != '\n'; p++)
		;
	if ((size_t)(p - url) > 9 + hlen &&
	    strncasecmp(url, "gemini://", 9) == 0 &&
	    strncasecmp(url + 9, host, hlen) == 0 &&
	    (url[9 + hlen] == '/' || url[9 + hlen] == ':')) {
		url += 9 + hlen;
		while (url < p && *url != '/')		/* the port */
			url++;
	} else if ((size_t)(p - url) > 1 && url[1] == '/')
		return false;				/* //host/... */
	if (url == p || *url != '/')
		return false;
	*path = url;
	*plen = (size_t)(p - url);
	return true;
}

/*
 * The gemtext BODY (LEN bytes) without its link lines to an is_dynamic()
 * path (export_link_path), into OUT.  Returns true if a line was left out
 * (OUT then holds the rest), false if none was (OUT untouched).
 */
static bool
drop_dynamic_links(const struct site *s, const char *body, size_t len,
    struct buf *out)
{
	const char	*line = body, *end = body + len, *eol, *path;
	size_t		 plen;
	bool		 dropped = false;

	for (; line < end; line = eol) {
		if ((eol = memchr(line, '\n', (size_t)(end - line))) == NULL)
			eol = end;
		else
			eol++;
		if (!export_link_path(line, (size_t)(eol - line), s->host,
		    &path, &plen) || !is_dynamic(s, path, plen))
			goto keep;
		if (!dropped)
			buf_add(out, body, (size_t)(line - body));
		dropped = true;
		continue;
 keep:
		if (dropped)
			buf_add(out, line, (size_t)(eol - line));
	}
	return dropped;
}

/*
 * The item types a gophermap may start a line with: RFC 1436's, and the
 * common g, I, h, i, s and d.  Gophernicus reads a line starting with any
 * other byte as a directive of its own ("." ends the map, "#" is a
 * comment, "*" lists the folder, "=" runs or includes a file, "!" is a
 * title, "-" hides a file, ":" sets a type, "~" and "%" list users and
 * hosts), so an item of another type, which a link such as
 * gopher://host/.x makes, is never written as it is.
 */
static bool
is_safe_type(char type)
{
	return type != '\0' && strchr("0123456789gIThisd", type) != NULL;
}

/*
 * An item of an unsafe type (the line LINE, N bytes, with its TABs at T1,
 * T2 and T3, or NULL) becomes an info line.  A link to another Gopher
 * server keeps its address there, as a gopher:// URL (RFC 4266, the type
 * percent-encoded like the selector): an h item with a "URL:gopher://"
 * selector would be no better, Gophernicus refuses to redirect to one.
 */
static void
add_unsafe_item(struct buf *out, const char *line, size_t n, const char *t1,
    const char *t2, const char *t3)
{
	struct buf	 sel = BUF_INIT;
	const char	*p;

	buf_addc(out, 'i');
	for (p = line + 1; p < line + n && *p != '\t'; p++)
		buf_addc(out, *p);
	if (t3 != NULL) {
		buf_addc(&sel, line[0]);
		buf_add(&sel, t1 + 1, (size_t)(t2 - t1 - 1));
		buf_adds(out, ": gopher://");
		buf_add(out, t2 + 1, (size_t)(t3 - t2 - 1));	/* host */
		buf_addc(out, ':');
		buf_add(out, t3 + 1, n - (size_t)(t3 + 1 - line));	/* port */
		buf_addc(out, '/');
		if (!sel.failed)
			url_encode_path(out, sel.data);
		if (sel.failed)
			out->failed = true;
		buf_free(&sel);
	}
	buf_adds(out, "\t\tnull.host\t1");
}

/*
 * A menu as zeche sends it, turned into a gophermap: the same lines, but
 * items that point to a page of the export lose their host and port
 * fields, which Gophernicus then fills in with its own, and items of a
 * type outside is_safe_type() are rewritten by add_unsafe_item().  So no
 * line is one of Gophernicus' own directives, and the closing "." alone
 * ends the map.
 */
static int
to_gophermap(const struct site *s, const char *menu, size_t len,
    struct buf *out)
{
	struct buf	 sel = BUF_INIT;
	const char	*line = menu, *end = menu + len, *eol, *t1, *t2, *t3;
	const char	*host, *port;
	size_t		 n, hlen, plen;

	while (line < end) {
		if ((eol = memchr(line, '\n', (size_t)(end - line))) == NULL)
			eol = end;
		n = (size_t)(eol - line);
		if (n > 0 && line[n - 1] == '\r')
			n--;
		t1 = memchr(line, '\t', n);
		t2 = t1 ? memchr(t1 + 1, '\t', n - (size_t)(t1 + 1 - line)) :
		    NULL;
		t3 = t2 ? memchr(t2 + 1, '\t', n - (size_t)(t2 + 1 - line)) :
		    NULL;
		if (t3 != NULL && memchr(t3 + 1, '\t',
		    n - (size_t)(t3 + 1 - line)) != NULL)
			t3 = NULL;		/* more than 4 fields */
		if (n == 0 || (n == 1 && line[0] == '.' && eol + 1 >= end)) {
			/* an empty line, or the "." that ends the menu */
		} else if (!is_safe_type(line[0])) {
			add_unsafe_item(out, line, n, t1, t2, t3);
			buf_adds(out, "\r\n");
			line = eol < end ? eol + 1 : end;
			continue;
		} else if (t3 != NULL && line[0] != 'i' && line[0] != '3') {
			host = t2 + 1;
			hlen = (size_t)(t3 - host);
			port = t3 + 1;
			plen = n - (size_t)(port - line);
			buf_reset(&sel);
			buf_add(&sel, t1 + 1, (size_t)(t2 - t1 - 1));
			if (hlen == strlen(s->host) &&
			    strncasecmp(host, s->host, hlen) == 0 &&
			    plen == strlen(s->port[PROTO_GOPHER]) &&
			    strncmp(port, s->port[PROTO_GOPHER], plen) == 0 &&
			    !sel.failed) {
				if (is_dynamic(s, sel.data, sel.len)) {
					line = eol < end ? eol + 1 : end;
					continue;	/* left out */
				}
				if (is_exported(s, sel.data))
					n = (size_t)(t2 - line);
			}
		}
		buf_add(out, line, n);
		buf_adds(out, "\r\n");
		line = eol < end ? eol + 1 : end;
	}
	if (sel.failed)
		out->failed = true;
	buf_free(&sel);
	return out->failed ? -1 : 0;
}

/*
 * The Gemini bytes of PG that the export and the archive hold, where they
 * are not its body as it is: an Atom feed made on request, made now, or a
 * gemtext page without its links to the searches, into OUT.  1 if OUT
 * holds them, 0 if the body goes as it is, -1 if they cannot be made.
 */
static int
export_made(const struct site *s, const struct page *pg, struct buf *out)
{
	if (pg->feed_later)
		return render_make(s, pg, PROTO_GEMINI, out) == -1 ||
		    out->failed ? -1 : 1;
	if (pg->file == NULL && pg->is_gemtext && drop_dynamic_links(s,
	    pg->body, pg->body_len, out))
		return out->failed ? -1 : 1;
	return 0;
}

/*
 * The body of PG into the file REL: from memory (export_made(), or the
 * body), or from the capsule.
 */
static int
write_body(struct export *x, const char *rel, const struct page *pg)
{
	struct buf	 kept = BUF_INIT;
	long long	 len;
	char		 why[256];
	int		 src, ret;

	switch (export_made(x->s, pg, &kept)) {
	case -1:
		buf_free(&kept);
		if (pg->feed_later)
			fail(x, "%s: cannot be rendered", pg->path);
		else
			fail(x, "out of memory");
		return -1;
	case 1:
		ret = write_file(x, rel, kept.data != NULL ? kept.data : "",
		    kept.len, -1);
		buf_free(&kept);
		return ret;
	}
	if (pg->file == NULL)
		return write_file(x, rel, pg->body, pg->body_len, -1);
	if ((src = site_open_file(x->s, pg, &len, why, sizeof(why))) < 0) {
		fail(x, "%s: %s", pg->path, why);
		return -1;
	}
	ret = write_file(x, rel, NULL, 0, src);
	close(src);
	return ret;
}

static int
export_page(struct export *x, const struct page *pg)
{
	struct buf		 rel = BUF_INIT, map = BUF_INIT;
	struct buf		 made = BUF_INIT;
	const char		*data = pg->out[PROTO_GOPHER].data;
	size_t			 len = pg->out[PROTO_GOPHER].len;
	bool			 menu;
	int			 ret = -1;

	/* a text or a menu rendered on request: made now */
	if (data == NULL && pg->text_later) {
		if (render_make(x->s, pg, PROTO_GOPHER, &made) == -1 ||
		    made.failed) {
			fail(x, "%s: cannot be rendered", pg->path);
			goto done;
		}
		data = made.data;
		len = made.len;
	}
	menu = data != NULL && pg->gopher_type == '1';
	if (export_gemini_path(pg->path, &rel) == -1) {
		fail(x, "%s: cannot be exported as a file", pg->path);
		goto done;
	}
	if (write_body(x, rel.data, pg) == -1)
		goto done;
	buf_reset(&rel);
	if (export_gopher_path(pg->path, menu, &rel) == -1) {
		fail(x, "%s: cannot be exported as a file%s", pg->path,
		    is_safe_path(pg->path, false) ? " for Gophernicus, which "
		    "reads files named gophermap and gophertag as its own" :
		    "");
		goto done;
	}
	if (menu) {
		if (to_gophermap(x->s, data, len, &map) == -1) {
			fail(x, "out of memory");
			goto done;
		}
		ret = write_file(x, rel.data, map.data, map.len, -1);
	} else if (data != NULL)		/* an article's text */
		ret = write_file(x, rel.data, data, len, -1);
	else
		ret = write_body(x, rel.data, pg);
 done:
	buf_free(&rel);
	buf_free(&map);
	buf_free(&made);
	return ret;
}

/*
 * The pages a section renders on request (a list's pages past the
 * first), each handed to FN like the site's own pages.  Adds them to
 * *COUNT.
 */
static int
walk_section(const struct site *s, const struct section *sec, export_fn fn,
    void *arg, long *count, char *err, size_t errlen)
{
	struct section_page	*pages = NULL;
	struct page		*pg;
	const char		*errstr;
	size_t			 i, n = 0, line;
	int			 ret = -1;

	if (sec->ops->pages(sec->ctx, &pages, &n, &errstr) == -1) {
		snprintf(err, errlen, "%s pages: %s", sec->ops->name, errstr);
		return -1;
	}
	for (i = 0; i < n; i++) {
		if (site_is_closed(s, pages[i].path))
			continue;
		if ((pg = page_new(pages[i].path)) == NULL) {
			snprintf(err, errlen, "out of memory");
			goto done;
		}
		pg->body = pages[i].text;	/* pg owns it from here on */
		pg->body_len = pages[i].len;
		pages[i].text = NULL;
		pg->is_gemtext = true;
		pg->mime = MIME_GEMTEXT;
		pg->gopher_type = '1';
		if (gemtext_parse(pg->body, pg->body_len, &pg->doc, &errstr,
		    &line) == -1) {
			snprintf(err, errlen, "%s: cannot be rendered",
			    pg->path);
			page_free(pg);
			goto done;
		}
		ret = fn(arg, pg, true);
		page_free(pg);
		if (ret == -1)
			goto done;
		ret = -1;
		(*count)++;
	}
	ret = 0;
 done:
	section_pages_free(pages, n);
	return ret;
}

long
export_walk(const struct site *s, export_fn fn, void *arg, char *err,
    size_t errlen)
{
	size_t	 i;
	long	 count;

	/* what needs a client certificate is Gemini's alone: never here */
	for (i = 0, count = 0; i < s->npages; i++) {
		if (site_is_closed(s, s->pages[i]->path))
			continue;
		if (fn(arg, s->pages[i], false) == -1)
			return -1;
		count++;
	}
	for (i = 0; i < s->nsections; i++)
		if (walk_section(s, &s->sections[i], fn, arg, &count, err,
		    errlen) == -1)
			return -1;
	return count;
}

/* export_walk()'s FN for the export: a page of a section is made here. */
static int
export_one(void *arg, struct page *pg, bool section)
{
	struct export	*x = arg;

	if (section && render_gopher(x->s, pg) == -1) {
		fail(x, "%s: cannot be rendered", pg->path);
		return -1;
	}
	return export_page(x, pg);
}

/* PATH made absolute and free of links, also when its last part is new. */
static int
resolve(const char *path, char out[PATH_MAX])
{
	char		 tmp[PATH_MAX], parent[PATH_MAX];
	char		*slash, *base;
	size_t		 len;

	if (realpath(path, out) != NULL)
		return 0;
	if (errno != ENOENT)
		return -1;
	len = strlen(path);
	while (len > 1 && path[len - 1] == '/')
		len--;
	if (len >= sizeof(tmp)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	memcpy(tmp, path, len);
	tmp[len] = '\0';
	if ((slash = strrchr(tmp, '/')) == NULL) {
		base = tmp;
		if (realpath(".", parent) == NULL)
			return -1;
	} else {
		*slash = '\0';
		base = slash + 1;
		if (realpath(tmp[0] == '\0' ? "/" : tmp, parent) == NULL)
			return -1;
	}
	if (strcmp(base, ".") == 0 || strcmp(base, "..") == 0) {
		errno = EINVAL;
		return -1;
	}
	if (snprintf(out, PATH_MAX, "%s/%s", strcmp(parent, "/") == 0 ? "" :
	    parent, base) >= PATH_MAX) {
		errno = ENAMETOOLONG;
		return -1;
	}
	return 0;
}

/*
 * DIR may hold an earlier export (gemini/, gopher/, the marker, and the
 * remains of an interrupted run) and nothing else.
 */
static int
check_dir(struct export *x)
{
	struct dirent	*de;
	DIR		*d;
	bool		 marked = false, trees = false, other = false;
	int		 fd;

	if ((fd = dup(x->dirfd)) == -1 || (d = fdopendir(fd)) == NULL) {
		if (fd != -1)
			close(fd);
		fail(x, "%s", strerror(errno));
		return -1;
	}
	while ((de = readdir(d)) != NULL) {
		if (strcmp(de->d_name, ".") == 0 ||
		    strcmp(de->d_name, "..") == 0 ||
		    strcmp(de->d_name, NEW_TREE) == 0 ||
		    strcmp(de->d_name, OLD_TREE) == 0)
			continue;
		if (strcmp(de->d_name, EXPORT_MARKER) == 0)
			marked = true;
		else if (strcmp(de->d_name, "gemini") == 0 ||
		    strcmp(de->d_name, "gopher") == 0)
			trees = true;
		else
			other = true;
	}
	closedir(d);
	if (other || (trees && !marked)) {
		fail(x, "not empty and not an earlier export (no %s): "
		    "refusing to write there", EXPORT_MARKER);
		return -1;
	}
	return 0;
}

static int
open_dir(struct export *x, const char *dir, const char *root)
{
	struct stat	 st;
	char		 rdir[PATH_MAX], rroot[PATH_MAX], parent[PATH_MAX];
	const char	*why, *slash;
	int		 pfd;

	if (resolve(root, rroot) == -1) {
		fail(x, "capsule root %s: %s", root, strerror(errno));
		return -1;
	}
	if (resolve(dir, rdir) == -1) {
		fail(x, "%s", strerror(errno));
		return -1;
	}
	if (strcmp(rdir, "/") == 0) {
		fail(x, "refusing to export into /");
		return -1;
	}
	if (rootfs_is_beneath(rdir, rroot) || rootfs_is_beneath(rroot, rdir)) {
		fail(x, "refusing to export into the capsule root %s or a "
		    "folder that holds or is held by it", root);
		return -1;
	}
	/* RDIR is absolute, not "/": its parent, and its name there */
	slash = strrchr(rdir, '/');
	snprintf(parent, sizeof(parent), "%.*s", slash == rdir ? 1 :
	    (int)(slash - rdir), rdir);
	if ((pfd = open(parent, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) == -1) {
		fail(x, "%s: %s", parent, strerror(errno));
		return -1;
	}
	x->dirfd = make_dir(pfd, slash + 1, 0755, true, &why);
	close(pfd);
	if (x->dirfd == -1) {
		fail(x, "%s", why != NULL ? why : errno == ELOOP ?
		    "is a symbolic link" : strerror(errno));
		return -1;
	}
	/*
	 * Written as root perhaps: a folder someone else may write could
	 * have links put into it for the export to follow.
	 */
	if (fstat(x->dirfd, &st) == -1) {
		fail(x, "%s", strerror(errno));
		return -1;
	}
	if (st.st_uid != geteuid() && st.st_uid != 0) {
		fail(x, "owned by another user: refusing to export there");
		return -1;
	}
	if ((st.st_mode & (S_IWGRP | S_IWOTH)) != 0 &&
	    (st.st_mode & S_ISVTX) == 0) {
		fail(x, "its group or others may write it, and it is not "
		    "sticky: refusing to export there");
		return -1;
	}
	if (flock(x->dirfd, LOCK_EX | LOCK_NB) == -1) {
		fail(x, "another export into this folder is running");
		return -1;
	}
	return check_dir(x);
}

static int
write_marker(struct export *x)
{
	static const char	 text[] = "Made by zeche --export; the next "
	    "export replaces gemini/ and gopher/.\n";
	int			 fd;

	fd = openat(x->dirfd, EXPORT_MARKER, O_WRONLY | O_CREAT | O_TRUNC |
	    O_NOFOLLOW | O_CLOEXEC, 0644);
	if (fd == -1 || write(fd, text, sizeof(text) - 1) !=
	    (ssize_t)(sizeof(text) - 1) || close(fd) == -1) {
		fail(x, "%s: %s", EXPORT_MARKER, strerror(errno));
		return -1;
	}
	return 0;
}

/* Swap the new trees in, the old ones out, and remove the old. */
static int
swap_trees(struct export *x)
{
	static const char *const trees[] = { "gemini", "gopher" };
	char			 from[64], to[64];
	size_t			 i;

	if (mkdirat(x->dirfd, OLD_TREE, 0700) == -1) {
		fail(x, "%s: %s", OLD_TREE, strerror(errno));
		return -1;
	}
	for (i = 0; i < sizeof(trees) / sizeof(trees[0]); i++) {
		snprintf(to, sizeof(to), "%s/%s", OLD_TREE, trees[i]);
		if (renameat(x->dirfd, trees[i], x->dirfd, to) == -1 &&
		    errno != ENOENT) {
			fail(x, "%s: %s", trees[i], strerror(errno));
			return -1;
		}
		snprintf(from, sizeof(from), "%s/%s", NEW_TREE, trees[i]);
		if (renameat(x->dirfd, from, x->dirfd, trees[i]) == -1) {
			fail(x, "%s: %s", trees[i], strerror(errno));
			return -1;
		}
	}
	if (rm_tree(x->dirfd, OLD_TREE, 0) == -1 ||
	    unlinkat(x->dirfd, NEW_TREE, AT_REMOVEDIR) == -1) {
		fail(x, "removing the old export: %s", strerror(errno));
		return -1;
	}
	return 0;
}

long
export_site(const struct site *s, const char *dir, const char *root,
    char *err, size_t errlen)
{
	struct export	 x;
	const char	*why;
	char		 wherr[512];
	long		 ret = -1, count;
	int		 fd;

	memset(&x, 0, sizeof(x));
	x.s = s;
	x.dir = dir;
	x.dirfd = x.newfd = -1;
	x.err = err;
	x.errlen = errlen;
	if (errlen > 0)
		err[0] = '\0';
	if (open_dir(&x, dir, root) == -1)
		goto done;
	/* the remains of an interrupted run are ours to remove */
	if (rm_tree(x.dirfd, NEW_TREE, 0) == -1 ||
	    rm_tree(x.dirfd, OLD_TREE, 0) == -1) {
		fail(&x, "removing an earlier, unfinished export: %s",
		    strerror(errno));
		goto done;
	}
	if ((x.newfd = make_dir(x.dirfd, NEW_TREE, 0700, false,
	    &why)) == -1 ||
	    (fd = make_dir(x.newfd, "gemini", 0755, false, &why)) == -1 ||
	    close(fd) == -1 ||
	    (fd = make_dir(x.newfd, "gopher", 0755, false, &why)) == -1 ||
	    close(fd) == -1) {
		fail(&x, "%s: %s", NEW_TREE, why != NULL ? why :
		    strerror(errno));
		goto done;
	}
	if ((count = export_walk(s, export_one, &x, wherr,
	    sizeof(wherr))) == -1) {
		if (err[0] == '\0')
			fail(&x, "%s", wherr);
		goto done;
	}
	if (write_marker(&x) == -1 || swap_trees(&x) == -1)
		goto done;
	ret = count;
 done:
	if (ret == -1 && x.dirfd != -1)
		(void)rm_tree(x.dirfd, NEW_TREE, 0);
	if (x.newfd != -1)
		close(x.newfd);
	if (x.dirfd != -1)
		close(x.dirfd);
	return ret;
}

/* A file or folder of the archive, before the names are sorted. */
struct entry {
	char		*name;		/* owned: "host/f/a.gmi", "host/f/" */
	const char	*data;		/* NULL: a folder */
	size_t		 len;
	long long	 mtime;
	bool		 copy;		/* a section's page: freed after */
};

struct collect {
	const struct site *s;
	struct entry	*e;
	size_t		 n;
	size_t		 cap;
	char		*err;
	size_t		 errlen;
};

static int
add_entry(struct collect *c, char *name, const char *data, size_t len,
    long long mtime, bool copy)
{
	struct entry	*ne;
	size_t		 cap;

	if (c->n == c->cap) {
		cap = c->cap == 0 ? 64 : c->cap * 2;
		if ((ne = reallocarray(c->e, cap, sizeof(*ne))) == NULL) {
			free(name);
			return -1;
		}
		c->e = ne;
		c->cap = cap;
	}
	c->e[c->n].name = name;
	c->e[c->n].data = data;
	c->e[c->n].len = len;
	c->e[c->n].mtime = mtime > 0 ? mtime : c->s->mtime;
	c->e[c->n++].copy = copy;
	return 0;
}

/*
 * export_walk()'s FN for the archive: the page's Gemini file, named as
 * the export names it below gemini/, and the folders above it.
 */
static int
collect_one(void *arg, struct page *pg, bool section)
{
	struct collect	*c = arg;
	struct buf	 rel = BUF_INIT, kept = BUF_INIT;
	char		*name, *slash, *copy = NULL;
	size_t		 len = 0;
	int		 ret = -1;

	if (export_gemini_path(pg->path, &rel) == -1) {
		snprintf(c->err, c->errlen, "%s: cannot be archived as a file",
		    pg->path);
		goto done;
	}
	if (pg->file != NULL) {
		snprintf(c->err, c->errlen, "%s: over 1 MiB, served from disk, "
		    "and the archive holds only what is in memory", pg->path);
		goto done;
	}
	/* "gemini/f/a.gmi" -> "host/f/a.gmi" */
	if (asprintf(&name, "%s%s", c->s->host, rel.data + 6) == -1)
		goto oom;
	/* the export's bytes, or a section's page, which dies with its
	   request: a copy */
	switch (export_made(c->s, pg, &kept)) {
	case -1:
		free(name);
		goto oom;
	case 1:
		if ((copy = buf_take(&kept, &len)) == NULL) {
			free(name);
			goto oom;
		}
		break;
	default:
		if (!section)
			break;
		if ((copy = malloc(pg->body_len + 1)) == NULL) {
			free(name);
			goto oom;
		}
		memcpy(copy, pg->body, len = pg->body_len);
	}
	if (add_entry(c, name, copy != NULL ? copy : pg->body != NULL ?
	    pg->body : "", copy != NULL ? len : pg->body_len,
	    pg->mtime, copy != NULL) == -1) {
		free(copy);
		goto oom;
	}
	/* its folders: "host/", "host/f/"; duplicates go after the sort */
	for (slash = strchr(name, '/'); slash != NULL;
	    slash = strchr(slash + 1, '/'))
		if ((copy = strndup(name, (size_t)(slash - name + 1))) == NULL ||
		    add_entry(c, copy, NULL, 0, 0, false) == -1)
			goto oom;
	ret = 0;
	goto done;
 oom:
	snprintf(c->err, c->errlen, "out of memory");
 done:
	buf_free(&kept);
	buf_free(&rel);
	return ret;
}

static int
entry_cmp(const void *a, const void *b)
{
	return strcmp(((const struct entry *)a)->name,
	    ((const struct entry *)b)->name);
}

struct tar *
export_archive(const struct site *s, char *err, size_t errlen)
{
	struct collect	 c;
	struct tar	*t;
	size_t		 i;
	bool		 ok = false;

	memset(&c, 0, sizeof(c));
	c.s = s;
	c.err = err;
	c.errlen = errlen;
	if ((t = calloc(1, sizeof(*t))) == NULL) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	if (export_walk(s, collect_one, &c, err, errlen) == -1)
		goto done;
	qsort(c.e, c.n, sizeof(*c.e), entry_cmp);
	for (i = 0; i < c.n; i++) {
		if (i > 0 && strcmp(c.e[i].name, c.e[i - 1].name) == 0)
			continue;		/* a folder met again */
		if (tar_add(t, c.e[i].name, c.e[i].data, c.e[i].len,
		    c.e[i].mtime, c.e[i].copy) == -1) {
			snprintf(err, errlen, "%s: %s", c.e[i].name,
			    errno == ENAMETOOLONG ? "too long for a ustar "
			    "name (100 bytes, after a folder prefix of up to "
			    "155)" : strerror(errno));
			goto done;
		}
	}
	ok = tar_finish(t) == 0;
	if (!ok)
		snprintf(err, errlen, "out of memory");
 done:
	for (i = 0; i < c.n; i++) {
		free(c.e[i].name);
		if (c.e[i].copy)
			free((char *)c.e[i].data);
	}
	free(c.e);
	if (!ok) {
		tar_free(t);
		free(t);
		t = NULL;
	}
	return t;
}
