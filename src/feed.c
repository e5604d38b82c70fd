/*
 * feed: an Atom 1.0 feed (RFC 4287) from a small description of it (pure).
 * Knows no site, reads no file, never logs.
 */
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "buf.h"
#include "feed.h"
#include "utf8.h"

/*
 * Text content, words joined by single spaces on lines of at most
 * FEED_WRAP bytes (see feed.h).  White space of any kind separates words.
 */
static void
add_text(struct buf *out, const char *s)
{
	static const char	 ws[] = " \t\r\n";
	struct buf		 word = BUF_INIT;
	size_t			 n, col = 0;

	s += strspn(s, ws);
	while (*s != '\0') {
		n = strcspn(s, ws);
		buf_reset(&word);
		buf_add_markup(&word, s, n);
		/*
		 * Never start a line with a dot: the feed is also a Gopher
		 * text item, where a line "." would end the text early.
		 */
		if (col > 0 && col + 1 + word.len > FEED_WRAP &&
		    word.data[0] != '.') {
			buf_addc(out, '\n');
			col = 0;
		} else if (col > 0) {
			buf_addc(out, ' ');
			col++;
		}
		buf_add(out, word.data, word.len);
		col += word.len;
		s += n;
		s += strspn(s, ws);
	}
	if (word.failed)
		out->failed = true;
	buf_free(&word);
}

static void
add_element(struct buf *out, const char *indent, const char *name,
    const char *text)
{
	buf_addf(out, "%s<%s>", indent, name);
	add_text(out, text);
	buf_addf(out, "</%s>\n", name);
}

static void
add_link_titled(struct buf *out, const char *indent, const char *rel,
    const char *type, const char *href, const char *title)
{
	buf_addf(out, "%s<link rel=\"%s\"", indent, rel);
	if (type != NULL) {
		buf_adds(out, " type=\"");
		buf_add_markup(out, type, strlen(type));
		buf_addc(out, '"');
	}
	if (title != NULL) {
		buf_adds(out, " title=\"");
		buf_add_markup(out, title, strlen(title));
		buf_addc(out, '"');
	}
	buf_adds(out, " href=\"");
	buf_add_markup(out, href, strlen(href));
	buf_adds(out, "\"/>\n");
}

static void
add_link(struct buf *out, const char *indent, const char *rel,
    const char *type, const char *href)
{
	add_link_titled(out, indent, rel, type, href, NULL);
}

int
feed_write_atom(const struct feed *f, struct buf *out)
{
	const struct feed_entry	*e;
	size_t			 i;

	if (f->id == NULL || f->title == NULL || f->updated == NULL ||
	    f->author == NULL)
		return -1;
	for (i = 0; i < f->nentries; i++) {
		e = &f->entries[i];
		if (e->id == NULL || e->title == NULL || e->updated == NULL)
			return -1;
	}

	buf_adds(out, "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n"
	    "<feed xmlns=\"http://www.w3.org/2005/Atom\"");
	if (f->lang != NULL && f->lang[0] != '\0') {
		buf_adds(out, " xml:lang=\"");
		buf_add_markup(out, f->lang, strlen(f->lang));
		buf_addc(out, '"');
	}
	buf_adds(out, ">\n");
	add_element(out, "  ", "id", f->id);
	add_element(out, "  ", "title", f->title);
	if (f->subtitle != NULL && f->subtitle[0] != '\0')
		add_element(out, "  ", "subtitle", f->subtitle);
	add_element(out, "  ", "updated", f->updated);
	buf_adds(out, "  <author>\n");
	add_element(out, "    ", "name", f->author);
	buf_adds(out, "  </author>\n");
	if (f->self != NULL)
		add_link(out, "  ", "self", "application/atom+xml", f->self);
	if (f->alternate != NULL)
		add_link(out, "  ", "alternate", f->alternate_type,
		    f->alternate);
	if (f->gemtext != NULL)
		add_link_titled(out, "  ", "related", "text/gemini",
		    f->gemtext, f->gemtext_title);
	for (i = 0; i < f->nentries; i++) {
		e = &f->entries[i];
		buf_adds(out, "  <entry>\n");
		add_element(out, "    ", "id", e->id);
		add_element(out, "    ", "title", e->title);
		add_element(out, "    ", "updated", e->updated);
		if (e->link != NULL)
			add_link(out, "    ", "alternate", e->link_type,
			    e->link);
		if (e->link2 != NULL)
			add_link(out, "    ", "alternate", e->link2_type,
			    e->link2);
		if (e->summary != NULL && e->summary[0] != '\0')
			add_element(out, "    ", "summary", e->summary);
		buf_adds(out, "  </entry>\n");
	}
	buf_adds(out, "</feed>\n");
	return out->failed ? -1 : 0;
}

/* A gemtext link line's label: one line, no line end in it. */
static void
add_label(struct buf *out, const char *s)
{
	for (; *s != '\0'; s++)
		buf_addc(out, *s == '\n' || *s == '\r' ? ' ' : *s);
}

int
feed_write_gemtext(const struct feed *f, struct buf *out)
{
	const struct feed_entry	*e;
	size_t			 i;

	if (f->title == NULL)
		return -1;
	for (i = 0; i < f->nentries; i++) {
		e = &f->entries[i];
		if (e->title == NULL || e->updated == NULL ||
		    strlen(e->updated) < 10 || (e->rel == NULL &&
		    e->link == NULL))
			return -1;
	}
	buf_adds(out, "# ");
	add_label(out, f->title);
	buf_adds(out, "\n\n");
	for (i = 0; i < f->nentries; i++) {
		e = &f->entries[i];
		buf_addf(out, "=> %s %.10s ", e->rel != NULL ? e->rel : e->link,
		    e->updated);
		add_label(out, e->title);
		buf_addc(out, '\n');
	}
	buf_addf(out, "\n=> %s ", FEED_ATOM_NAME);
	add_label(out, f->atom_label != NULL ? f->atom_label : FEED_ATOM_NAME);
	buf_adds(out, "\n=> ./ ");
	add_label(out, f->title);
	buf_addc(out, '\n');
	return out->failed ? -1 : 0;
}
