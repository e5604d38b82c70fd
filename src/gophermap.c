/*
 * gophermap: gemtext lines -> an RFC 1436 menu or type-0 text (pure).
 * Knows no site and no connection; never logs.
 *
 * The mapping follows research/gopher-anchors.md section 3:
 *
 *	text		greedy-wrapped info lines
 *	# / ##		the text, then a line of '=' / '-' as wide (in columns)
 *	###		"### " + text, continuation lines indented 4
 *	* item		"* " + text, hanging indent 2
 *	> quote		"> " on every wrapped line
 *	```		dropped (with the alt text); the lines between are
 *			verbatim info lines, TABs expanded, never wrapped
 *	blank		one empty info line per run of blank lines
 *	=> link		a local item (also for gemini:// links to this
 *			capsule), a gopher:// item, or an 'h' URL: item
 *			that points back to us (for clients without URL:)
 *
 * Display strings are measured in terminal columns (utf8_cp_width), never
 * bytes, and are always valid UTF-8: a byte that does not start a
 * well-formed sequence is shown as U+FFFD, control characters as a space.
 * Outside preformatted text a TAB counts as four spaces (section 3, "any
 * line"); inside, it moves to the next multiple of eight columns.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "buf.h"
#include "gemtext.h"
#include "gophermap.h"
#include "mime.h"
#include "url.h"
#include "utf8.h"

#define INFO_TAIL	"\t\tnull.host\t1\r\n"	/* Gophernicus' info fields */
#define TAB_SPACES	4			/* a TAB in prose or a label */
#define PRE_TABSTOP	8			/* a TAB in preformatted text */
#define ELLIPSIS	"..."			/* ASCII, for old clients */
#define REPLACEMENT	"\xef\xbf\xbd"		/* U+FFFD */

/* One code point as it is displayed: the bytes to write and its columns. */
struct cell {
	const char	*s;
	size_t		 n;		/* bytes to write */
	size_t		 len;		/* bytes of input consumed */
	size_t		 w;		/* columns */
	bool		 space;		/* a place to wrap */
};

/* Scratch buffers of one rendering, reused from link to link. */
struct scratch {
	struct buf	 disp;		/* a link's display string */
	struct buf	 path;		/* its local path */
	struct buf	 url;		/* its URL */
};

/* An info paragraph being wrapped. */
struct wrap {
	struct buf	*out;
	const char	*prefix;	/* ASCII, first line */
	const char	*indent;	/* ASCII, continuation lines */
	size_t		 width;
	size_t		 col;		/* columns on the open line */
	size_t		 lines;		/* lines closed so far */
	size_t		 maxw;		/* widest line, in columns */
	bool		 open;		/* a line has been started */
	bool		 content;	/* ... and holds more than its prefix */
	bool		 text;		/* lines of a type 0 text, not info */
};

static size_t
opts_width(const struct gophermap_opts *opts)
{
	if (opts == NULL || opts->width == 0)
		return GOPHERMAP_WIDTH;
	return opts->width;
}

/*
 * Decode the display cell at S (LEN > 0).  Never consumes less than one
 * byte, so every loop over cells terminates.
 */
static void
next_cell(const char *s, size_t len, struct cell *c)
{
	unsigned char	 u = (unsigned char)*s;
	uint32_t	 cp;
	size_t		 n;

	c->space = false;
	c->len = 1;
	if (u == '\t') {
		c->s = "    ";
		c->n = c->w = TAB_SPACES;
		c->space = true;
		return;
	}
	if (u == ' ' || u < 0x20 || u == 0x7f) {
		c->s = " ";
		c->n = c->w = 1;
		c->space = true;
		return;
	}
	if ((n = utf8_decode(s, len, &cp)) == 0) {
		c->s = REPLACEMENT;
		c->n = sizeof(REPLACEMENT) - 1;
		c->w = 1;
		return;
	}
	c->len = n;
	if (cp >= 0x80 && cp < 0xa0) {		/* C1 controls */
		c->s = " ";
		c->n = c->w = 1;
		c->space = true;
		return;
	}
	c->s = s;
	c->n = n;
	c->w = (size_t)utf8_cp_width(cp);
}

/*
 * The scanners below give what a cell-by-cell walk with next_cell() gives,
 * but take printable ASCII, nearly every byte of a capsule, a byte at a
 * time without decoding, so that a word or a line is measured in one pass
 * and, when its display bytes are its own, copied whole.
 */

/* The run of places to wrap (spaces) at S: its end and its columns. */
static const char *
scan_gap(const char *s, const char *end, size_t *w)
{
	struct cell	 c;
	unsigned char	 u;
	size_t		 gw = 0;

	while (s < end) {
		u = (unsigned char)*s;
		if (u == '\t') {
			gw += TAB_SPACES;
			s++;
		} else if (u == ' ' || u < 0x20 || u == 0x7f) {
			gw++;
			s++;
		} else if (u < 0x80)
			break;
		else {
			next_cell(s, (size_t)(end - s), &c);
			if (!c.space)
				break;
			gw += c.w;
			s += c.len;
		}
	}
	*w = gw;
	return s;
}

/*
 * The word at S (cells that are no place to wrap): its end, its columns,
 * and in *SAME whether it is shown as it is written (no byte replaced).
 */
static const char *
scan_word(const char *s, const char *end, size_t *w, bool *same)
{
	struct cell	 c;
	unsigned char	 u;
	size_t		 ww = 0;

	*same = true;
	while (s < end) {
		u = (unsigned char)*s;
		if (u > ' ' && u < 0x7f) {
			ww++;
			s++;
			continue;
		}
		if (u < 0x80)
			break;			/* a space or a control */
		next_cell(s, (size_t)(end - s), &c);
		if (c.space)
			break;
		if (c.s != s)
			*same = false;
		ww += c.w;
		s += c.len;
	}
	*w = ww;
	return s;
}

/*
 * The columns of S..END, and whether its display bytes are its own (no
 * TAB, control or bad byte), so that it can be copied whole.
 */
static bool
scan_same(const char *s, const char *end, size_t *w)
{
	struct cell	 c;
	unsigned char	 u;
	size_t		 col = 0;
	bool		 same = true;

	while (s < end) {
		u = (unsigned char)*s;
		if (u >= ' ' && u < 0x7f) {
			col++;
			s++;
			continue;
		}
		next_cell(s, (size_t)(end - s), &c);
		if (c.s != s)
			same = false;
		col += c.w;
		s += c.len;
	}
	*w = col;
	return same;
}

static void
wrap_open(struct wrap *wr)
{
	const char	*p = wr->lines == 0 ? wr->prefix : wr->indent;

	if (!wr->text)
		buf_addc(wr->out, 'i');
	buf_adds(wr->out, p);
	wr->col = strlen(p);
	wr->open = true;
	wr->content = false;
}

static void
wrap_close(struct wrap *wr)
{
	buf_adds(wr->out, wr->text ? "\r\n" : INFO_TAIL);
	if (wr->col > wr->maxw)
		wr->maxw = wr->col;
	wr->lines++;
	wr->open = false;
}

/*
 * Write the cells of the word S..END, breaking it where a line is full:
 * a word wider than the room left, or with bytes shown otherwise.
 */
static void
wrap_cells(struct wrap *wr, const char *s, const char *end)
{
	struct cell	 c;

	while (s < end) {
		next_cell(s, (size_t)(end - s), &c);
		/* a line always takes one cell, or a tiny width never ends */
		if (wr->content && wr->col + c.w > wr->width) {
			wrap_close(wr);
			wrap_open(wr);
		}
		buf_add(wr->out, c.s, c.n);
		wr->col += c.w;
		wr->content = true;
		s += c.len;
	}
}

/* A gap of N columns on the open line, as N spaces. */
static void
wrap_spaces(struct wrap *wr, size_t n)
{
	if (n == 0)
		return;
	buf_fill(wr->out, ' ', n);
	wr->col += n;
	wr->content = true;
}

/*
 * Greedy wrap of LEN bytes at S: words go on the open line while they
 * fit, the space where a line breaks is dropped, and a word wider than a
 * whole line is broken at a code point (a zero-width mark stays with the
 * character before it, as its width never overflows a line).  Leading
 * space on the first line is kept as indentation if the first word fits
 * with it.  Leaves the last line open.
 */
static void
wrap_text(struct wrap *wr, const char *s, size_t len)
{
	const char	*end = s + len, *ws;
	size_t		 gw, ww;
	bool		 same;

	while (s < end) {
		s = scan_gap(s, end, &gw);	/* a gap shows as GW spaces */
		ws = s;
		s = scan_word(s, end, &ww, &same);
		if (ws == s)
			break;			/* trailing space */
		if (!wr->open) {
			wrap_open(wr);
			if (gw > 0 && wr->col + gw + ww <= wr->width)
				wrap_spaces(wr, gw);
		} else if (wr->col + gw + ww <= wr->width) {
			wrap_spaces(wr, gw);
		} else if (wr->content) {
			wrap_close(wr);
			wrap_open(wr);
		}
		if (same && wr->col + ww <= wr->width) {
			/* it fits: no break inside, copied whole */
			buf_add(wr->out, ws, (size_t)(s - ws));
			wr->col += ww;
			wr->content = true;
		} else
			wrap_cells(wr, ws, s);
	}
}

/*
 * Info lines for S (LEN bytes, no line breaks) with PREFIX on the first
 * line and INDENT on the others.  Empty text still gives one line, with
 * the prefix's trailing space dropped.  Returns the widest line's columns.
 */
static size_t
add_para(struct buf *out, const char *s, size_t len, const char *prefix,
    const char *indent, size_t width, bool text)
{
	struct wrap	 wr;
	size_t		 n;

	memset(&wr, 0, sizeof(wr));
	wr.out = out;
	wr.text = text;
	wr.prefix = prefix;
	wr.indent = indent;
	wr.width = width;
	wrap_text(&wr, s, len);
	if (wr.open)
		wrap_close(&wr);
	if (wr.lines == 0) {
		n = strlen(prefix);
		while (n > 0 && prefix[n - 1] == ' ')
			n--;
		if (!text)
			buf_addc(out, 'i');
		buf_add(out, prefix, n);
		buf_adds(out, text ? "\r\n" : INFO_TAIL);
		wr.maxw = n;
	}
	return wr.maxw;
}

/* A line of N copies of C under a heading. */
static void
add_rule(struct buf *out, char c, size_t n, bool text)
{
	if (n == 0)
		return;
	if (!text)
		buf_addc(out, 'i');
	buf_fill(out, c, n);
	buf_adds(out, text ? "\r\n" : INFO_TAIL);
}

/* A preformatted line: verbatim, TABs expanded, never wrapped. */
static void
add_pre(struct buf *out, const char *s, bool text)
{
	struct cell	 c;
	const char	*end = s + strlen(s);
	size_t		 col;

	if (!text)
		buf_addc(out, 'i');
	if (scan_same(s, end, &col)) {
		/* no TAB, nothing replaced: as it is */
		buf_add(out, s, (size_t)(end - s));
		buf_adds(out, text ? "\r\n" : INFO_TAIL);
		return;
	}
	for (col = 0; s < end;) {
		if (*s == '\t') {
			do
				buf_addc(out, ' ');
			while (++col % PRE_TABSTOP != 0);
			s++;
			continue;
		}
		next_cell(s, (size_t)(end - s), &c);
		buf_add(out, c.s, c.n);
		col += c.w;
		s += c.len;
	}
	buf_adds(out, text ? "\r\n" : INFO_TAIL);
}

/* Append S, with TAB, CR and LF turned into spaces. */
static void
add_field(struct buf *out, const char *s)
{
	size_t	 n;

	if (s == NULL)
		return;
	while (*s != '\0') {
		n = strcspn(s, "\t\r\n");
		buf_add(out, s, n);
		s += n;
		if (*s != '\0') {
			buf_addc(out, ' ');
			s++;
		}
	}
}

/*
 * The display string for a link LABEL in TMP: cleaned like any display
 * text and, if wider than WIDTH, cut to WIDTH - 3 columns at a code point
 * (at the last space if that keeps at least half of it) and ended with
 * "...".  A link's display string cannot wrap.
 */
static void
label_display(struct buf *tmp, const char *label, size_t width)
{
	struct cell	 c;
	const char	*s, *end = label + strlen(label);
	size_t		 col, limit, cut = 0, cutcol = 0;

	if (scan_same(label, end, &col) && col <= width) {
		buf_add(tmp, label, (size_t)(end - label));
		return;
	}
	if (col <= width) {
		for (s = label; s < end; s += c.len) {
			next_cell(s, (size_t)(end - s), &c);
			buf_add(tmp, c.s, c.n);
		}
		return;
	}
	limit = width > sizeof(ELLIPSIS) - 1 ? width - (sizeof(ELLIPSIS) - 1) :
	    0;
	for (s = label, col = 0; s < end; s += c.len) {
		next_cell(s, (size_t)(end - s), &c);
		if (col + c.w > limit)
			break;
		if (c.space && col > 0) {
			cut = tmp->len;
			cutcol = col;
		}
		buf_add(tmp, c.s, c.n);
		col += c.w;
	}
	if (cut > 0 && cutcol >= limit / 2)
		tmp->len = cut;
	while (tmp->len > 0 && tmp->data[tmp->len - 1] == ' ')
		tmp->len--;
	buf_adds(tmp, ELLIPSIS);
}

/*
 * Split the gopher:// URL U (modified in place) into TYPE, HOST, PORT and
 * SELECTOR as RFC 4266 has it: gopher://host[:port]/Tselector, type '1'
 * for an empty path, port 70 by default, the selector percent-decoded.
 * Returns false if U is not one or cannot be written as a menu item (a
 * decoded TAB, CR or LF, a bad host or port).
 */
static bool
gopher_url(char *u, char *type, const char **host, const char **port,
    const char **sel)
{
	char		*auth, *path, *p;
	long		 n;

	if (strncasecmp(u, "gopher://", 9) != 0)
		return false;
	auth = u + 9;
	if ((path = strchr(auth, '/')) != NULL)
		*path++ = '\0';
	*port = NULL;
	if (auth[0] == '[') {
		if ((p = strchr(auth, ']')) == NULL)
			return false;
		*p++ = '\0';
		*host = auth + 1;
		if (*p == ':')
			*port = p + 1;
		else if (*p != '\0')
			return false;
		if (strspn(*host, "0123456789abcdefABCDEF:.") != strlen(*host))
			return false;
	} else {
		*host = auth;
		if ((p = strchr(auth, ':')) != NULL) {
			*p++ = '\0';
			*port = p;
		}
		if (strspn(*host, "abcdefghijklmnopqrstuvwxyz"
		    "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.-_") !=
		    strlen(*host))
			return false;
	}
	if (**host == '\0')
		return false;
	if (*port == NULL || **port == '\0')
		*port = "70";
	else {
		if (strlen(*port) > 5 ||
		    strspn(*port, "0123456789") != strlen(*port))
			return false;
		for (n = 0, p = (char *)*port; *p != '\0'; p++)
			n = n * 10 + (*p - '0');
		if (n < 1 || n > 65535)
			return false;
	}
	if (path == NULL || *path == '\0') {
		*type = '1';
		*sel = "";
		return true;
	}
	if ((unsigned char)*path <= ' ' || (unsigned char)*path >= 0x7f ||
	    *path == '%')
		return false;
	*type = *path++;
	if (url_decode(path) == -1 || strpbrk(path, "\t\r\n") != NULL)
		return false;
	*sel = path;
	return true;
}

/*
 * Where the link L on the page at BASE goes, as a menu item: its TYPE,
 * HOST, PORT and SELECTOR (pointing into the scratch buffers PATH and
 * URL).  Local paths get the site's item type, gopher:// URLs their own
 * parts, anything else our "URL:" redirect page.  False if memory ran out.
 */
static bool
link_item(const struct gemtext_line *l, const char *base,
    const struct gophermap_opts *opts, struct buf *path, struct buf *url,
    char *type, const char **host, const char **port, const char **sel)
{
	*type = 0;
	if (url_resolve_path(base, l->url, path) == 0 ||
	    (opts->gemini_port != NULL && !path->failed &&
	    url_own_path(l->url, opts->host, opts->gemini_port, path) == 0)) {
		if (opts->local_type != NULL)
			*type = opts->local_type(path->data, opts->arg);
		if (*type == 0) {
			/* mime_lookup knows .gmi (and .gemini) as menus */
			if (path->data[path->len - 1] == '/')
				*type = '1';
			else
				*type = mime_lookup(path->data)->gopher;
		}
		*sel = path->data;
		*host = opts->host;
		*port = opts->port;
		return !path->failed;
	}
	if (path->failed)
		return false;
	buf_adds(url, l->url);
	if (!url->failed && gopher_url(url->data, type, host, port, sel))
		return true;
	/* any other scheme, or "//host": our URL: redirect page */
	buf_reset(url);
	buf_adds(url, "URL:");
	buf_adds(url, l->url);
	*type = 'h';
	*sel = url->data;
	*host = opts->host;
	*port = opts->port;
	return !url->failed;
}

/* One => line of a menu. */
static void
add_link(struct buf *out, const struct gemtext_line *l, const char *base,
    const struct gophermap_opts *opts, size_t width, struct scratch *sc)
{
	const char	*host, *port, *sel;
	char		 type;

	buf_reset(&sc->disp);
	buf_reset(&sc->path);
	buf_reset(&sc->url);
	label_display(&sc->disp, l->text[0] != '\0' ? l->text : l->url,
	    width);
	if (link_item(l, base, opts, &sc->path, &sc->url, &type, &host, &port,
	    &sel))
		gophermap_add_item(out, type, sc->disp.data, sel, host, port);
	if (sc->disp.failed || sc->path.failed || sc->url.failed)
		out->failed = true;
}

/*
 * The address a reader of a text types to follow the link L: the
 * gopher:// URL of a local page, else the link as written.
 */
static void
add_reference(struct buf *out, const struct gemtext_line *l,
    const char *base, const struct gophermap_opts *opts, struct scratch *sc)
{
	const char	*host, *port, *sel;
	char		 type;

	buf_reset(&sc->path);
	buf_reset(&sc->url);
	if (link_item(l, base, opts, &sc->path, &sc->url, &type, &host, &port,
	    &sel)) {
		if (sel == sc->path.data) {	/* a page of the capsule */
			buf_addf(out, "gopher://%s:%s/%c", host, port, type);
			url_encode_path(out, sel);
		} else
			add_field(out, l->url);
	}
	if (sc->path.failed || sc->url.failed)
		out->failed = true;
}

/*
 * Bytes of the heading S (LEN bytes) that make its next line: at most
 * WIDTH columns, ending at a space, and never on a lone dash (a title
 * reads "Conference: Day 1" rather than "Conference: Day 1 -").  LEN if
 * all of it fits, 0 if its first word alone is too wide.
 */
static size_t
title_cut(const char *s, size_t len, size_t width)
{
	struct cell	 c;
	const char	*p, *end = s + len, *word = s;
	size_t		 col = 0, cut = 0;

	for (p = s; p < end; p += c.len) {
		next_cell(p, (size_t)(end - p), &c);
		/* a line may end after a word, but not after a lone dash */
		if (c.space && p > word && !(p - word == 1 && *word == '-') &&
		    !(p - word == 3 && (memcmp(word, "\xe2\x80\x93", 3) == 0 ||
		    memcmp(word, "\xe2\x80\x94", 3) == 0)))
			cut = (size_t)(p - s);
		if (c.space)
			word = p + c.len;
		if ((col += c.w) > width)
			return cut;
	}
	return len;
}

/*
 * The page's title, its leading "# " heading: whole on one line when it
 * fits GOPHERMAP_TITLE_WIDTH columns (or the narrower WIDTH asked for),
 * else wrapped at spaces, never after a lone dash; then the rule, as
 * wide as its widest line.
 */
static void
add_title(struct buf *out, const char *s, size_t width, bool text)
{
	size_t	 len = strlen(s), cut, w = 0, w2;

	if (width >= GOPHERMAP_WIDTH)
		width = GOPHERMAP_TITLE_WIDTH;
	while (len > 0) {
		/* a word wider than a line is broken by add_para() */
		if ((cut = title_cut(s, len, width)) == 0 &&
		    (cut = strcspn(s, " \t")) == 0)
			cut = len;
		if ((w2 = add_para(out, s, cut, "", "", width, text)) > w)
			w = w2;
		s += cut;
		len -= cut;
		while (len > 0 && (*s == ' ' || *s == '\t')) {
			s++;
			len--;
		}
	}
	add_rule(out, '=', w, text);
}

/*
 * The end of a text with links: after a rule (and a blank line unless
 * BLANK, the text ending in one), the list of its links' addresses.
 */
static void
add_references(struct buf *out, const struct gemtext *doc, const char *base,
    const struct gophermap_opts *opts, bool blank, struct scratch *sc)
{
	size_t	 i, n = 0;

	if (!blank)
		buf_adds(out, "\r\n");
	add_rule(out, '-', 20, true);
	for (i = 0; i < doc->nlines; i++) {
		if (doc->lines[i].type != GEMTEXT_LINK)
			continue;
		buf_addf(out, "[%zu] ", ++n);
		add_reference(out, &doc->lines[i], base, opts, sc);
		buf_adds(out, "\r\n");
	}
}

/*
 * DOC as a menu (TEXT false) or as a type 0 text whose links are
 * numbered, "[1] label", and listed with their addresses at the end.
 */
static int
render(const struct gemtext *doc, const char *base,
    const struct gophermap_opts *opts, struct buf *out, bool text)
{
	struct scratch			 sc = { BUF_INIT, BUF_INIT, BUF_INIT };
	const struct gemtext_line	*l;
	char				 ref[32];
	size_t				 i, w, nlinks = 0;
	size_t				 width = opts_width(opts);
	bool				 blank = false;	/* last line out */
	bool				 lead = true;	/* nothing out yet */

	for (i = 0; i < doc->nlines; i++) {
		l = &doc->lines[i];
		switch (l->type) {
		case GEMTEXT_TEXT:
		case GEMTEXT_H1:
		case GEMTEXT_H2:
			if (l->text[0] == '\0') {
				if (!blank)
					add_para(out, "", 0, "", "", width,
					    text);
				blank = true;
				continue;
			}
			if (l->type == GEMTEXT_H1 && lead) {
				add_title(out, l->text, width, text);
				break;
			}
			w = add_para(out, l->text, strlen(l->text), "", "",
			    width, text);
			if (l->type == GEMTEXT_H1)
				add_rule(out, '=', w, text);
			else if (l->type == GEMTEXT_H2)
				add_rule(out, '-', w, text);
			break;
		case GEMTEXT_H3:
			add_para(out, l->text, strlen(l->text), "### ", "    ",
			    width, text);
			break;
		case GEMTEXT_LIST:
			add_para(out, l->text, strlen(l->text), "* ", "  ",
			    width, text);
			break;
		case GEMTEXT_QUOTE:
			add_para(out, l->text, strlen(l->text), "> ", "> ",
			    width, text);
			break;
		case GEMTEXT_PRE_START:
		case GEMTEXT_PRE_END:
			continue;		/* the alt text is dropped */
		case GEMTEXT_PRE:
			add_pre(out, l->text, text);
			blank = l->text[0] == '\0';
			lead = false;
			continue;
		case GEMTEXT_LINK:
			if (!text) {
				add_link(out, l, base, opts, width, &sc);
				break;
			}
			snprintf(ref, sizeof(ref), "[%zu] ", ++nlinks);
			add_para(out, l->text[0] != '\0' ? l->text : l->url,
			    strlen(l->text[0] != '\0' ? l->text : l->url), ref,
			    "    ", width, text);
			break;
		}
		blank = false;
		lead = false;
	}
	if (!text)
		gophermap_end(out);
	else if (nlinks > 0)
		add_references(out, doc, base, opts, blank, &sc);
	buf_free(&sc.disp);
	buf_free(&sc.path);
	buf_free(&sc.url);
	return out->failed ? -1 : 0;
}

int
gophermap_render(const struct gemtext *doc, const char *base,
    const struct gophermap_opts *opts, struct buf *out)
{
	return render(doc, base, opts, out, false);
}

int
gophermap_render_text(const struct gemtext *doc, const char *base,
    const struct gophermap_opts *opts, struct buf *out)
{
	return render(doc, base, opts, out, true);
}

void
gophermap_add_item(struct buf *out, char type, const char *display,
    const char *selector, const char *host, const char *port)
{
	buf_addc(out, type);
	add_field(out, display);
	buf_addc(out, '\t');
	add_field(out, selector);
	buf_addc(out, '\t');
	add_field(out, host);
	buf_addc(out, '\t');
	add_field(out, port);
	buf_adds(out, "\r\n");
}

void
gophermap_add_info(struct buf *out, const char *text,
    const struct gophermap_opts *opts)
{
	size_t	 n, width = opts_width(opts);

	if (text == NULL)
		text = "";
	/* LF (or CRLF) starts a new paragraph */
	for (;;) {
		n = strcspn(text, "\n");
		add_para(out, text, n > 0 && text[n - 1] == '\r' ? n - 1 : n,
		    "", "", width, false);
		if (text[n] == '\0')
			break;
		text += n + 1;
	}
}

void
gophermap_end(struct buf *out)
{
	buf_adds(out, ".\r\n");
}

bool
gophermap_is_wellformed(const char *map, size_t len)
{
	const char	*s = map, *end = map + len, *nl, *p;
	size_t		 tabs;

	while (s < end) {
		if ((nl = memchr(s, '\n', (size_t)(end - s))) == NULL ||
		    nl == s || nl[-1] != '\r')
			return false;		/* no LF, or a bare one */
		if (nl - s == 2 && s[0] == '.')
			return nl + 1 == end;	/* the last line */
		if (s[0] == '\t' || s[0] == '\r')
			return false;		/* no type byte */
		for (p = s, tabs = 0; p < nl - 1; p++) {
			if (*p == '\r' || *p == '\0')
				return false;
			if (*p == '\t') {
				tabs++;
				if (tabs == 3 && p + 1 == nl - 1)
					return false;	/* empty port */
			} else if (tabs == 3 && (*p < '0' || *p > '9'))
				return false;
		}
		if (tabs != 3)
			return false;
		s = nl + 1;
	}
	return false;				/* no "." */
}
