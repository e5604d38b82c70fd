/*
 * linkcheck: the warnings for links in the capsule's pages that lead to
 * nothing the site serves, with the likeliest fix (a name with spaces).
 */
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "buf.h"
#include "gemtext.h"
#include "linkcheck.h"
#include "section.h"
#include "site.h"
#include "url.h"

struct check {
	const struct site	*s;
	void			(*warn)(void *, const char *, size_t,
				    const char *);
	void			*arg;
};

static void	say(struct check *, const char *, size_t, const char *, ...)
		    __attribute__((format(printf, 4, 5)));

/* A warning on line LINE of FILE. */
static void
say(struct check *c, const char *file, size_t line, const char *fmt, ...)
{
	char	 msg[1024];
	va_list	 ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	c->warn(c->arg, file, line, msg);
}

/* True if the local PATH leads to something this site serves. */
static bool
is_served(const struct site *s, const char *path)
{
	struct section_req	 req;

	/* of a section, its search; its list pages are not checked */
	return site_lookup(s, path) != NULL || site_is_folder(s, path) ||
	    site_redirect(s, path) != NULL ||
	    (section_find(s->sections, s->nsections, path, NULL, &req) !=
	    NULL && req.op != SECTION_LIST);
}

/* Append S with each space as "%20". */
static void
add_spaced(struct buf *out, const char *s)
{
	size_t	 n;

	while (*s != '\0') {
		n = strcspn(s, " ");
		buf_add(out, s, n);
		s += n;
		if (*s == ' ') {
			buf_adds(out, "%20");
			s++;
		}
	}
}

/*
 * Warn that the link L of PG leads to PATH, which is not served.  A space
 * ends a link's URL, and names with spaces are the commonest cause: when
 * the URL and the first words of the label, read as one name, lead to
 * exactly one file, the warning names it and shows the link to write;
 * when the URL looks like a word cut short (no extension, not a folder),
 * it says how a space is written, on the words up to the first one with
 * an extension.
 */
static void
warn_dangling(struct check *c, const struct page *pg,
    const struct gemtext_line *l, const char *file, const char *path)
{
	const struct site	*s = c->s;
	struct buf		 line = BUF_INIT, ref = BUF_INIT;
	struct buf		 got = BUF_INIT, found = BUF_INIT;
	const char		*last;
	size_t			 n, nfound = 0, at = 0;

	if (l->text[0] != '\0') {
		buf_addf(&line, "%s %s", l->url, l->text);
		for (n = strlen(l->url); !line.failed && n <= line.len; n++) {
			if (n < line.len && line.data[n] != ' ')
				continue;
			buf_reset(&ref);
			buf_add(&ref, line.data, n);
			buf_reset(&got);
			if (ref.failed || url_resolve_path(pg->path,
			    ref.data, &got) == -1 || got.failed ||
			    !is_served(s, got.data))
				continue;
			if (nfound++ == 0) {
				buf_add(&found, got.data, got.len);
				at = n;
			}
		}
	}
	last = strrchr(path, '/');
	if (nfound == 1 && !found.failed && !line.failed) {
		buf_reset(&ref);
		buf_adds(&ref, "=> ");
		line.data[at] = '\0';
		add_spaced(&ref, line.data);
		if (at < line.len)
			buf_addf(&ref, " %s", line.data + at + 1);
		if (!ref.failed)
			say(c, file, l->lineno, "link to %s leads nowhere: a "
			    "space ends a link's URL; for %s write \"%s\"",
			    path, found.data, ref.data);
	} else if (l->text[0] != '\0' && last != NULL && last[1] != '\0' &&
	    strchr(last, '.') == NULL && !line.failed) {
		/* the name up to its first word with an extension, if any */
		for (n = strlen(l->url); n < line.len; n++)
			if (line.data[n] == '.') {
				n += strcspn(line.data + n, " ");
				line.data[n] = '\0';
				break;
			}
		buf_reset(&ref);
		add_spaced(&ref, line.data);
		if (!ref.failed)
			say(c, file, l->lineno, "link to %s leads nowhere: a "
			    "space ends a link's URL; a name with spaces is "
			    "written with %%20, as in \"%s\"", path,
			    ref.data);
	} else
		say(c, file, l->lineno, "link to %s leads nowhere", path);
	buf_free(&line);
	buf_free(&ref);
	buf_free(&got);
	buf_free(&found);
}

/*
 * Warn about every link in a capsule page that leads to nothing this site
 * serves: a relative or absolute path, or the capsule's own address.
 */
void
linkcheck_site(const struct site *s,
    void (*warn)(void *, const char *, size_t, const char *), void *arg)
{
	struct check			 c = { s, warn, arg };
	const struct page		*pg;
	const struct gemtext_line	*l;
	struct buf			 path = BUF_INIT, file = BUF_INIT;
	size_t				 i, j;

	for (i = 0; i < s->npages; i++) {
		pg = s->pages[i];
		if (!pg->is_gemtext || pg->generated)
			continue;
		for (j = 0; j < pg->doc.nlines; j++) {
			l = &pg->doc.lines[j];
			if (l->type != GEMTEXT_LINK)
				continue;
			buf_reset(&path);
			if (url_resolve_path(pg->path, l->url, &path) == -1 &&
			    (s->port[PROTO_GEMINI] == NULL ||
			    url_own_path(l->url, s->host,
			    s->port[PROTO_GEMINI], &path) == -1))
				continue;
			if (path.failed || is_served(s, path.data))
				continue;
			buf_reset(&file);
			buf_adds(&file, pg->path);
			if (pg->index != NULL)
				buf_adds(&file, pg->index);
			warn_dangling(&c, pg, l, file.data, path.data);
		}
	}
	buf_free(&path);
	buf_free(&file);
}
