/*
 * test_gemtext: the text/gemini parser and text escaping (src/gemtext.c).
 */
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "buf.h"
#include "check.h"
#include "gemtext.h"

static const char *const type_names[] = {
	"TEXT", "LINK", "PRE_START", "PRE", "PRE_END", "H1", "H2", "H3",
	"LIST", "QUOTE",
};

static int
parse(const char *s, struct gemtext *doc)
{
	const char	*errstr = NULL;
	size_t		 lineno;

	if (gemtext_parse(s, strlen(s), doc, &errstr, &lineno) == -1) {
		fprintf(stderr, "  parse: %zu: %s\n", lineno, errstr);
		return -1;
	}
	return 0;
}

/* The error for the string literal S, which may hold NUL bytes. */
#define ERROR_OF(s, lineno)	error_of((s), sizeof(s) - 1, (lineno))

/* The error for LEN bytes of S ("ok" if it parses) and its line. */
static const char *
error_of(const char *s, size_t len, size_t *lineno)
{
	struct gemtext	 doc = GEMTEXT_INIT;
	const char	*errstr = NULL;

	*lineno = 0;
	if (gemtext_parse(s, len, &doc, &errstr, lineno) == 0) {
		gemtext_free(&doc);
		return "ok";
	}
	/* a failed parse leaves nothing to free */
	if (doc.src != NULL || doc.lines != NULL || doc.nlines != 0)
		return "(doc not reset)";
	return errstr ? errstr : "(no errstr)";
}

/* True if the line I of DOC has TYPE, TEXT and URL (NULL: none). */
static bool
line_is(const struct gemtext *doc, size_t i, enum gemtext_type type,
    const char *text, const char *url)
{
	const struct gemtext_line	*l;

	if (i >= doc->nlines) {
		fprintf(stderr, "  no line %zu (%zu lines)\n", i, doc->nlines);
		return false;
	}
	l = &doc->lines[i];
	if (l->type == type && l->text != NULL && strcmp(l->text, text) == 0 &&
	    (url == NULL ? l->url == NULL :
	    l->url != NULL && strcmp(l->url, url) == 0) && l->lineno == i + 1)
		return true;
	fprintf(stderr, "  line %zu: got %s \"%s\" url \"%s\" lineno %zu\n"
	    "          want %s \"%s\" url \"%s\"\n", i,
	    type_names[l->type], l->text ? l->text : "(null)",
	    l->url ? l->url : "(null)", l->lineno, type_names[type], text,
	    url ? url : "(null)");
	return false;
}

/* Parse the single line S and check it. */
static bool
one_line(const char *s, enum gemtext_type type, const char *text,
    const char *url)
{
	struct gemtext	 doc = GEMTEXT_INIT;
	bool		 ok;

	if (parse(s, &doc) == -1)
		return false;
	ok = doc.nlines == 1 && line_is(&doc, 0, type, text, url);
	gemtext_free(&doc);
	return ok;
}

static const char *
add_text(const char *s)
{
	static char	 res[256];
	struct buf	 out = BUF_INIT;

	gemtext_add_text(&out, s);
	snprintf(res, sizeof(res), "%s", out.data ? out.data : "");
	buf_free(&out);
	return res;
}

static void
test_text_line(void)
{
	CHECK(one_line("Hallo Welt", GEMTEXT_TEXT, "Hallo Welt", NULL));
	CHECK(one_line("  indented", GEMTEXT_TEXT, "  indented", NULL));
	CHECK(one_line("trailing  \t", GEMTEXT_TEXT, "trailing", NULL));
	CHECK(one_line(" => not a link", GEMTEXT_TEXT, " => not a link",
	    NULL));
	CHECK(one_line("=", GEMTEXT_TEXT, "=", NULL));
	CHECK(one_line("tab\tinside", GEMTEXT_TEXT, "tab\tinside", NULL));
}

static void
test_link_with_label(void)
{
	CHECK(one_line("=> gemini://example.org/ Ein Beispiel",
	    GEMTEXT_LINK, "Ein Beispiel", "gemini://example.org/"));
	CHECK(one_line("=>a.gmi   Label  with  spaces  ", GEMTEXT_LINK,
	    "Label  with  spaces", "a.gmi"));
}

static void
test_link_without_label(void)
{
	CHECK(one_line("=> a.gmi", GEMTEXT_LINK, "", "a.gmi"));
	CHECK(one_line("=>a.gmi", GEMTEXT_LINK, "", "a.gmi"));
	CHECK(one_line("=> a.gmi   ", GEMTEXT_LINK, "", "a.gmi"));
}

static void
test_link_tabs_separate(void)
{
	CHECK(one_line("=>\ta.gmi\tLabel", GEMTEXT_LINK, "Label", "a.gmi"));
	CHECK(one_line("=> \t a.gmi \t Label\tTwo\t", GEMTEXT_LINK,
	    "Label\tTwo", "a.gmi"));
}

static void
test_link_without_url_rejected(void)
{
	size_t	 line;

	CHECK_STR(ERROR_OF("=>", &line), "link without a URL");
	CHECK(line == 1);
	CHECK_STR(ERROR_OF("# T\n\ntext\n=>   \t\nmore\n", &line),
	    "link without a URL");
	CHECK(line == 4);
	CHECK_STR(ERROR_OF("a\r\nb\r\n=> \r\n", &line),
	    "link without a URL");
	CHECK(line == 3);
}

static void
test_headings(void)
{
	CHECK(one_line("# Titel", GEMTEXT_H1, "Titel", NULL));
	CHECK(one_line("#Titel", GEMTEXT_H1, "Titel", NULL));
	CHECK(one_line("## Abschnitt", GEMTEXT_H2, "Abschnitt", NULL));
	CHECK(one_line("##Abschnitt", GEMTEXT_H2, "Abschnitt", NULL));
	CHECK(one_line("### Unter", GEMTEXT_H3, "Unter", NULL));
	CHECK(one_line("###Unter", GEMTEXT_H3, "Unter", NULL));
	CHECK(one_line("#### Vier", GEMTEXT_H3, "# Vier", NULL));
	CHECK(one_line("#", GEMTEXT_H1, "", NULL));
	CHECK(one_line("#  \tviel Platz  ", GEMTEXT_H1, "viel Platz", NULL));
}

static void
test_list_needs_space(void)
{
	CHECK(one_line("* Punkt", GEMTEXT_LIST, "Punkt", NULL));
	CHECK(one_line("* ", GEMTEXT_LIST, "", NULL));
	CHECK(one_line("*Text", GEMTEXT_TEXT, "*Text", NULL));
	CHECK(one_line("*", GEMTEXT_TEXT, "*", NULL));
	CHECK(one_line("*\tTab", GEMTEXT_TEXT, "*\tTab", NULL));
	CHECK(one_line("** fett", GEMTEXT_TEXT, "** fett", NULL));
}

static void
test_quote(void)
{
	CHECK(one_line("> Zitat", GEMTEXT_QUOTE, "Zitat", NULL));
	CHECK(one_line(">Zitat", GEMTEXT_QUOTE, "Zitat", NULL));
	CHECK(one_line(">", GEMTEXT_QUOTE, "", NULL));
}

static void
test_preformatted_block(void)
{
	struct gemtext	 doc = GEMTEXT_INIT;

	CHECK(parse("```c  \n  int x;  \n```\nafter", &doc) == 0);
	CHECK(doc.nlines == 4);
	CHECK(line_is(&doc, 0, GEMTEXT_PRE_START, "c", NULL));
	CHECK(line_is(&doc, 1, GEMTEXT_PRE, "  int x;  ", NULL));
	CHECK(line_is(&doc, 2, GEMTEXT_PRE_END, "", NULL));
	CHECK(line_is(&doc, 3, GEMTEXT_TEXT, "after", NULL));
	gemtext_free(&doc);

	CHECK(parse("``` ASCII-Kunst: ein Haus\n/\\\n```", &doc) == 0);
	CHECK(line_is(&doc, 0, GEMTEXT_PRE_START, "ASCII-Kunst: ein Haus",
	    NULL));
	CHECK(line_is(&doc, 1, GEMTEXT_PRE, "/\\", NULL));
	CHECK(line_is(&doc, 2, GEMTEXT_PRE_END, "", NULL));
	gemtext_free(&doc);

	CHECK(parse("```\n```", &doc) == 0);
	CHECK(line_is(&doc, 0, GEMTEXT_PRE_START, "", NULL));
	CHECK(line_is(&doc, 1, GEMTEXT_PRE_END, "", NULL));
	gemtext_free(&doc);
}

static void
test_markup_inside_pre_is_pre(void)
{
	struct gemtext	 doc = GEMTEXT_INIT;

	CHECK(parse("```\n=> a.gmi x\n# no\n* no\n> no\n=>\n\n```\n=> b.gmi",
	    &doc) == 0);
	CHECK(doc.nlines == 9);
	CHECK(line_is(&doc, 1, GEMTEXT_PRE, "=> a.gmi x", NULL));
	CHECK(line_is(&doc, 2, GEMTEXT_PRE, "# no", NULL));
	CHECK(line_is(&doc, 3, GEMTEXT_PRE, "* no", NULL));
	CHECK(line_is(&doc, 4, GEMTEXT_PRE, "> no", NULL));
	CHECK(line_is(&doc, 5, GEMTEXT_PRE, "=>", NULL));	/* no error */
	CHECK(line_is(&doc, 6, GEMTEXT_PRE, "", NULL));
	CHECK(line_is(&doc, 7, GEMTEXT_PRE_END, "", NULL));
	CHECK(line_is(&doc, 8, GEMTEXT_LINK, "", "b.gmi"));
	CHECK(doc.title == NULL);		/* "# no" was preformatted */
	gemtext_free(&doc);
}

static void
test_unclosed_pre_reported_at_toggle(void)
{
	struct gemtext	 doc = GEMTEXT_INIT;
	size_t		 line;

	CHECK_STR(ERROR_OF("# T\n\n```\ncode\n", &line), "ok");
	CHECK(parse("# T\n\n```\ncode\n", &doc) == 0);
	CHECK(doc.pre_open == 3);
	CHECK(line_is(&doc, 3, GEMTEXT_PRE, "code", NULL));
	gemtext_free(&doc);
	/* the second block is the one left open */
	CHECK(parse("```\n```\ntext\n```alt\nx", &doc) == 0);
	CHECK(doc.pre_open == 4);
	gemtext_free(&doc);
	CHECK(parse("```\n```\n", &doc) == 0);
	CHECK(doc.pre_open == 0);
	gemtext_free(&doc);
}

/* Repeat S N times into B. */
static void
repeat(struct buf *b, const char *s, size_t n)
{
	while (n-- > 0)
		buf_adds(b, s);
}

static void
test_limits_name_the_line(void)
{
	struct buf	 b = BUF_INIT;
	size_t		 line;

	repeat(&b, "=> a\n", GEMTEXT_LINKS_MAX);
	CHECK_STR(error_of(b.data, b.len, &line), "ok");
	buf_adds(&b, "=> b\n");
	CHECK_STR(error_of(b.data, b.len, &line),
	    "the page has over 10000 links");
	CHECK(line == GEMTEXT_LINKS_MAX + 1);

	buf_reset(&b);
	repeat(&b, "x\n", GEMTEXT_LINES_MAX);
	CHECK_STR(error_of(b.data, b.len, &line), "ok");
	buf_adds(&b, "y");
	CHECK_STR(error_of(b.data, b.len, &line),
	    "the page is over 100000 lines");
	CHECK(line == GEMTEXT_LINES_MAX + 1);

	/* 4 MiB in lines of 64 bytes pass; one byte more does not */
	buf_reset(&b);
	repeat(&b, "* a list item of sixty-three bytes, and its newline makes 64...\n", GEMTEXT_BYTES_MAX / 64 / 2);
	repeat(&b, "just a line of text that is sixty-three bytes long, plus LF....\n", GEMTEXT_BYTES_MAX / 64 / 2);
	CHECK(b.len == GEMTEXT_BYTES_MAX);
	CHECK_STR(error_of(b.data, b.len, &line), "ok");
	buf_adds(&b, "x");
	CHECK_STR(error_of(b.data, b.len, &line), "the page is over 4 MiB");
	CHECK(line == GEMTEXT_BYTES_MAX / 64 + 1);
	buf_free(&b);
}

static void
test_crlf_and_lf(void)
{
	struct gemtext	 lf = GEMTEXT_INIT, crlf = GEMTEXT_INIT;
	size_t		 i;
	bool		 same = true;

	CHECK(parse("# T\n=> a.gmi L\n```\npre\n```\ntext", &lf) == 0);
	CHECK(parse("# T\r\n=> a.gmi L\r\n```\r\npre\r\n```\r\ntext\r\n",
	    &crlf) == 0);
	CHECK(lf.nlines == 6 && crlf.nlines == 6);
	for (i = 0; i < lf.nlines && i < crlf.nlines; i++)
		if (lf.lines[i].type != crlf.lines[i].type ||
		    strcmp(lf.lines[i].text, crlf.lines[i].text) != 0 ||
		    lf.lines[i].lineno != crlf.lines[i].lineno)
			same = false;
	CHECK(same);
	CHECK(line_is(&crlf, 3, GEMTEXT_PRE, "pre", NULL));
	CHECK(line_is(&crlf, 5, GEMTEXT_TEXT, "text", NULL));
	gemtext_free(&lf);
	gemtext_free(&crlf);

	/* mixed line ends, and a final CR without LF */
	CHECK(parse("a\r\nb\nc\r", &lf) == 0);
	CHECK(lf.nlines == 3);
	CHECK(line_is(&lf, 0, GEMTEXT_TEXT, "a", NULL));
	CHECK(line_is(&lf, 1, GEMTEXT_TEXT, "b", NULL));
	CHECK(line_is(&lf, 2, GEMTEXT_TEXT, "c", NULL));
	gemtext_free(&lf);
}

static void
test_final_newline_adds_no_line(void)
{
	struct gemtext	 doc = GEMTEXT_INIT;

	CHECK(parse("a\n", &doc) == 0);
	CHECK(doc.nlines == 1);
	gemtext_free(&doc);
	CHECK(parse("a\n\n", &doc) == 0);
	CHECK(doc.nlines == 2);
	CHECK(line_is(&doc, 1, GEMTEXT_TEXT, "", NULL));
	gemtext_free(&doc);
}

static void
test_bom_skipped(void)
{
	struct gemtext	 doc = GEMTEXT_INIT;
	size_t		 line;

	CHECK(parse("\xef\xbb\xbf# Titel\ntext", &doc) == 0);
	CHECK(doc.bom);
	CHECK(doc.nlines == 2);
	CHECK(line_is(&doc, 0, GEMTEXT_H1, "Titel", NULL));
	CHECK_STR(doc.title, "Titel");
	gemtext_free(&doc);
	/* only a leading one: elsewhere it is text (and valid UTF-8) */
	CHECK(parse("a\n\xef\xbb\xbf# b", &doc) == 0);
	CHECK(line_is(&doc, 1, GEMTEXT_TEXT, "\xef\xbb\xbf# b", NULL));
	gemtext_free(&doc);
	/* line numbers still count from the first line */
	CHECK_STR(ERROR_OF("\xef\xbb\xbf" "a\n=>", &line),
	    "link without a URL");
	CHECK(line == 2);
}

static void
test_invalid_utf8_rejected_with_line(void)
{
	size_t	 line;

	CHECK_STR(ERROR_OF("\xff", &line), "invalid UTF-8");
	CHECK(line == 1);
	CHECK_STR(ERROR_OF("ok\n\xc3\xa4 ok\nbad \xc3(\nok", &line),
	    "invalid UTF-8");
	CHECK(line == 3);
	CHECK_STR(ERROR_OF("a\nb\n\xed\xa0\x80", &line), "invalid UTF-8");
	CHECK(line == 3);
	CHECK_STR(ERROR_OF("a\n\xc0\xaf", &line), "invalid UTF-8");
	CHECK(line == 2);
	/* truncated at the very end of the file */
	CHECK_STR(ERROR_OF("a\n\xe2\x80", &line), "invalid UTF-8");
	CHECK(line == 2);
	/* inside a preformatted block too */
	CHECK_STR(ERROR_OF("```\n\xff\n```", &line), "invalid UTF-8");
	CHECK(line == 2);
}

static void
test_control_chars_rejected_with_line(void)
{
	size_t	 line;

	CHECK_STR(ERROR_OF("a\nb\0c\n", &line), "control character");
	CHECK(line == 2);
	CHECK_STR(ERROR_OF("a\n\nx\x1b[31m", &line), "control character");
	CHECK(line == 3);
	CHECK_STR(ERROR_OF("\x7f", &line), "control character");
	CHECK(line == 1);
	CHECK_STR(ERROR_OF("a\rb\n", &line), "control character");
	CHECK(line == 1);
	CHECK_STR(ERROR_OF("x\n\f\n", &line), "control character");
	CHECK(line == 2);
	CHECK_STR(ERROR_OF("=> a.gmi\x01x", &line), "control character");
	CHECK(line == 1);
	/* TAB is text */
	CHECK_STR(ERROR_OF("a\tb", &line), "ok");
	/* the first bad line is named, whatever is wrong with it */
	CHECK_STR(ERROR_OF("a\xff\nb\x01\n", &line), "invalid UTF-8");
	CHECK(line == 1);
	CHECK_STR(ERROR_OF("a\x01\nb\xff\n", &line), "control character");
	CHECK(line == 1);
}

static void
test_title_is_first_h1(void)
{
	struct gemtext	 doc = GEMTEXT_INIT;

	CHECK(parse("Intro\n## Zwei\n# Erster\n# Zweiter\n", &doc) == 0);
	CHECK_STR(doc.title, "Erster");
	gemtext_free(&doc);
	CHECK(parse("## Nur H2\n### H3\n", &doc) == 0);
	CHECK(doc.title == NULL);
	gemtext_free(&doc);
}

/* After the render only the title is kept, in a copy of its own. */
static void
test_keep_title_drops_the_lines(void)
{
	struct gemtext	 doc = GEMTEXT_INIT;

	CHECK(parse("Intro\n# Der Titel\n=> /a Ein Link\nText\n", &doc) == 0);
	CHECK(doc.nlines == 4);
	CHECK(gemtext_keep_title(&doc) == 0);
	CHECK(doc.nlines == 0);
	CHECK(doc.lines == NULL);
	CHECK_STR(doc.title, "Der Titel");
	CHECK(doc.src == doc.title);		/* all that is left */
	CHECK(strlen(doc.src) == strlen("Der Titel"));
	gemtext_free(&doc);
	CHECK(parse("kein Titel\n", &doc) == 0);
	CHECK(gemtext_keep_title(&doc) == 0);
	CHECK(doc.title == NULL && doc.src == NULL && doc.nlines == 0);
	gemtext_free(&doc);
}

/* A gemtext_mem's allocator over a static block, counting its calls. */
static _Alignas(16) char	 pool[4096];
static size_t		 pool_used, pool_calls;

static void *
pool_alloc(void *arg, size_t len)
{
	void	*p;

	pool_calls++;
	if (len > sizeof(pool) - pool_used)
		return NULL;
	p = pool + pool_used;
	pool_used += (len + 15) & ~(size_t)15;
	return p;
}

/* The lines and the source in one block from the caller's memory. */
static void
test_parse_in_takes_one_block(void)
{
	struct gemtext		 doc = GEMTEXT_INIT, want = GEMTEXT_INIT;
	struct gemtext_mem	 mem = { pool_alloc, NULL };
	const char		*errstr = NULL;
	const char		*text = "# T\n=> /a A\n```\npre\n```\nx\n";
	size_t			 line, i;

	CHECK(gemtext_parse_in(text, strlen(text), &doc, &mem, &errstr,
	    &line) == 0);
	CHECK(gemtext_parse(text, strlen(text), &want, &errstr, &line) == 0);
	CHECK(pool_calls == 1);
	CHECK(doc.borrowed && (char *)doc.lines >= pool &&
	    doc.src < pool + sizeof(pool));
	CHECK(doc.nlines == want.nlines && doc.nlinks == want.nlinks);
	for (i = 0; i < doc.nlines && i < want.nlines; i++) {
		CHECK(doc.lines[i].type == want.lines[i].type);
		CHECK_STR(doc.lines[i].text, want.lines[i].text);
	}
	CHECK_STR(doc.title, "T");
	CHECK(gemtext_keep_title(&doc) == 0);	/* a copy of its own */
	CHECK(!doc.borrowed && doc.src != NULL &&
	    (doc.src < pool || doc.src >= pool + sizeof(pool)));
	CHECK_STR(doc.title, "T");
	gemtext_free(&doc);
	gemtext_free(&want);
	/* out of memory: an error, nothing kept */
	pool_used = sizeof(pool);
	CHECK(gemtext_parse_in(text, strlen(text), &doc, &mem, &errstr,
	    &line) == -1);
	CHECK(doc.lines == NULL && doc.src == NULL);
	gemtext_free(&doc);
}

static void
test_empty_input(void)
{
	struct gemtext	 doc = GEMTEXT_INIT;
	const char	*errstr = NULL;
	size_t		 line = 99;

	CHECK(gemtext_parse("", 0, &doc, &errstr, &line) == 0);
	CHECK(doc.nlines == 0);
	CHECK(doc.title == NULL);
	gemtext_free(&doc);
	CHECK(gemtext_parse("\xef\xbb\xbf", 3, &doc, &errstr, &line) == 0);
	CHECK(doc.nlines == 0);
	gemtext_free(&doc);
	CHECK(parse("\n", &doc) == 0);
	CHECK(doc.nlines == 1);
	CHECK(line_is(&doc, 0, GEMTEXT_TEXT, "", NULL));
	gemtext_free(&doc);
}

static void
test_parse_copies_source(void)
{
	struct gemtext	 doc = GEMTEXT_INIT;
	char		 src[] = "# T\n=> a.gmi L";

	CHECK(gemtext_parse(src, strlen(src), &doc, &(const char *){ NULL },
	    &(size_t){ 0 }) == 0);
	memset(src, 'x', sizeof(src) - 1);
	CHECK(line_is(&doc, 0, GEMTEXT_H1, "T", NULL));
	CHECK(line_is(&doc, 1, GEMTEXT_LINK, "L", "a.gmi"));
	gemtext_free(&doc);
}

static void
test_many_lines(void)
{
	struct gemtext	 doc = GEMTEXT_INIT;
	struct buf	 b = BUF_INIT;
	int		 i;

	for (i = 0; i < 1000; i++)
		buf_addf(&b, "=> /%d.gmi Nr. %d\n", i, i);
	CHECK(parse(b.data, &doc) == 0);
	CHECK(doc.nlines == 1000);
	CHECK(line_is(&doc, 999, GEMTEXT_LINK, "Nr. 999", "/999.gmi"));
	gemtext_free(&doc);
	buf_free(&b);
}

static void
test_add_text_escapes_markup(void)
{
	CHECK_STR(add_text("=> x"), " => x");
	CHECK_STR(add_text("=>"), " =>");
	CHECK_STR(add_text("# x"), " # x");
	CHECK_STR(add_text("#x"), " #x");
	CHECK_STR(add_text("## x"), " ## x");
	CHECK_STR(add_text("* x"), " * x");
	CHECK_STR(add_text("> x"), " > x");
	CHECK_STR(add_text("```"), " ```");
	CHECK_STR(add_text("```alt"), " ```alt");
}

static void
test_add_text_leaves_plain_text(void)
{
	CHECK_STR(add_text("Hallo"), "Hallo");
	CHECK_STR(add_text(""), "");
	CHECK_STR(add_text("*x"), "*x");
	CHECK_STR(add_text("*"), "*");
	CHECK_STR(add_text("= x"), "= x");
	CHECK_STR(add_text("``x"), "``x");
	CHECK_STR(add_text("a => b"), "a => b");
}

static void
test_add_text_reads_back_as_text(void)
{
	static const char	*const in[] = {
		"=> x y", "# T", "* i", "> q", "```", "*x", "plain",
	};
	struct gemtext		 doc = GEMTEXT_INIT;
	struct buf		 b = BUF_INIT;
	size_t			 i;
	bool			 ok = true;

	for (i = 0; i < sizeof(in) / sizeof(in[0]); i++) {
		gemtext_add_text(&b, in[i]);
		buf_addc(&b, '\n');
	}
	CHECK(parse(b.data, &doc) == 0);
	CHECK(doc.nlines == sizeof(in) / sizeof(in[0]));
	for (i = 0; i < doc.nlines; i++)
		if (doc.lines[i].type != GEMTEXT_TEXT)
			ok = false;
	CHECK(ok);
	gemtext_free(&doc);
	buf_free(&b);
}

int
main(void)
{
	test_text_line();
	test_link_with_label();
	test_link_without_label();
	test_link_tabs_separate();
	test_link_without_url_rejected();
	test_headings();
	test_list_needs_space();
	test_quote();
	test_preformatted_block();
	test_markup_inside_pre_is_pre();
	test_unclosed_pre_reported_at_toggle();
	test_limits_name_the_line();
	test_crlf_and_lf();
	test_final_newline_adds_no_line();
	test_bom_skipped();
	test_invalid_utf8_rejected_with_line();
	test_control_chars_rejected_with_line();
	test_title_is_first_h1();
	test_keep_title_drops_the_lines();
	test_parse_in_takes_one_block();
	test_empty_input();
	test_parse_copies_source();
	test_many_lines();
	test_add_text_escapes_markup();
	test_add_text_leaves_plain_text();
	test_add_text_reads_back_as_text();
	CHECK_DONE();
}
