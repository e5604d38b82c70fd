/*
 * test_gophermap: gemtext -> gophermap rendering and the menu helpers.
 *
 * Golden cases: tests/data/render/<case>.gmi is rendered with the base
 * path "/render/<case>.gmi", host "localhost", port "7070", width 67 and
 * no local_type callback, and compared byte for byte with
 * tests/data/render/<case>.gophermap.  With ZECHE_UPDATE_GOLDEN=1 the
 * .gophermap files are rewritten instead; review the diff.  The data are
 * found under $ZECHE_SOURCE_DIR/tests, or else under the working
 * directory (ctest runs us in tests/).
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "check.h"
#include "gemtext.h"
#include "gophermap.h"
#include "utf8.h"

#define I(s)		"i" s "\t\tnull.host\t1\r\n"
#define ITEM(t, d, sel)	t d "\t" sel "\tlocalhost\t7070\r\n"
#define END		".\r\n"

static const char *golden[] = {
	"headings", "links", "wrap", "preformatted", "forum", "blocks",
};

static const struct gophermap_opts opts = {
	"localhost", "7070", GOPHERMAP_WIDTH, NULL, NULL, "1965"
};

static char	*last;		/* the last rendering, freed by the next */

/*
 * Every display field of MAP is valid UTF-8 and, if WIDTH is not 0, at
 * most WIDTH columns wide.
 */
static bool
displays_ok(const char *map, size_t len, size_t width)
{
	const char	*s = map, *end = map + len, *tab, *nl;

	while (s < end && (nl = memchr(s, '\n', (size_t)(end - s))) != NULL) {
		if ((tab = memchr(s, '\t', (size_t)(nl - s))) != NULL) {
			if (!utf8_is_valid(s + 1, (size_t)(tab - s - 1)))
				return false;
			if (width > 0 &&
			    utf8_width(s + 1, (size_t)(tab - s - 1)) > width)
				return false;
		}
		s = nl + 1;
	}
	return true;
}

/*
 * Render GMI at BASE with O; checks that the menu is well-formed and its
 * display strings valid UTF-8 and, unless ANYWIDTH is set (preformatted
 * text, a width too small for a wide character), within the width.
 */
static const char *
render_with(const char *gmi, const char *base, const struct gophermap_opts *o,
    bool anywidth)
{
	struct gemtext	 doc;
	struct buf	 out = BUF_INIT;
	const char	*errstr;
	size_t		 lineno, len;

	free(last);
	last = NULL;
	if (gemtext_parse(gmi, strlen(gmi), &doc, &errstr, &lineno) == -1) {
		fprintf(stderr, "parse: %s at line %zu\n", errstr, lineno);
		return "(parse error)";
	}
	CHECK(gophermap_render(&doc, base, o, &out) == 0);
	gemtext_free(&doc);
	last = buf_take(&out, &len);
	CHECK(gophermap_is_wellformed(last, len));
	/* a title may take up to GOPHERMAP_TITLE_WIDTH */
	CHECK(displays_ok(last, len, anywidth ? 0 : o->width == 0 ||
	    o->width >= GOPHERMAP_WIDTH ? GOPHERMAP_TITLE_WIDTH : o->width));
	return last;
}

static const char *
render(const char *gmi)
{
	return render_with(gmi, "/forum/index.gmi", &opts, false);
}

static void
test_wrap_counts_columns_not_bytes(void)
{
	/* 67 columns, 80 bytes: fits */
	const char	*s67 = "Grüße aus „Köln“ – wir wünschen allen "
	    "Käsefreunden schöne Tag, Jörg";
	/* 68 columns: the last word moves down */
	const char	*s68 = "Grüße aus „Köln“ – wir wünschen allen "
	    "Käsefreunden schöne Tage, Jörg";

	CHECK(utf8_width(s67, strlen(s67)) == 67 && strlen(s67) > 67);
	CHECK(utf8_width(s68, strlen(s68)) == 68);
	CHECK_STR(render(s67), I("Grüße aus „Köln“ – wir wünschen allen "
	    "Käsefreunden schöne Tag, Jörg") END);
	CHECK_STR(render(s68), I("Grüße aus „Köln“ – wir wünschen allen "
	    "Käsefreunden schöne Tage,") I("Jörg") END);
}

static void
test_wrap_greedy_on_spaces(void)
{
	CHECK_STR(render("Willkommen im „Käseforum“ – hier diskutieren "
	    "Mitglieder über Rohmilchkäse, Reifung und die besten "
	    "Bezugsquellen in Österreich und der Schweiz."),
	    I("Willkommen im „Käseforum“ – hier diskutieren Mitglieder über")
	    I("Rohmilchkäse, Reifung und die besten Bezugsquellen in "
	    "Österreich")
	    I("und der Schweiz.") END);
	/* inner runs of spaces stay, the space at a break goes */
	CHECK_STR(render("a  b"), I("a  b") END);
	/* leading indentation is kept; a TAB is four spaces in prose */
	CHECK_STR(render("  eingerückt\tmit Tab"), I("  eingerückt    mit Tab")
	    END);
}

static void
test_wrap_long_word_breaks_at_code_point(void)
{
	struct gophermap_opts	 o = opts;
	struct buf		 in = BUF_INIT;
	const char		*out;
	int			 i;

	for (i = 0; i < 100; i++)
		buf_adds(&in, "ä");
	out = render(in.data);
	/* 67 + 33 two-byte characters: no split sequence (checked above) */
	CHECK(strncmp(out, "i", 1) == 0 && strlen(out) ==
	    (1 + 67 * 2 + 15) + (1 + 33 * 2 + 15) + 3);

	buf_reset(&in);
	buf_adds(&in, "Das ");
	for (i = 0; i < 40; i++)
		buf_adds(&in, "日");		/* two columns each */
	buf_adds(&in, " Ende");
	out = render(in.data);
	/* the wide word starts a line, 33 fit (66 cols), 7 + " Ende" */
	CHECK(strncmp(out, I("Das"), strlen(I("Das"))) == 0);
	CHECK(strstr(out, I("日日日日日日日 Ende")) != NULL);

	/* a combining mark stays with its base letter */
	buf_reset(&in);
	for (i = 0; i < 70; i++)
		buf_adds(&in, "e\xcc\x81");
	out = render(in.data);
	CHECK(strncmp(out + 1 + 67 * 3, "\t", 1) == 0);

	/* the compound is wider than a line: hard break at column 67 */
	CHECK_STR(render("Der Donaudampfschifffahrtselektrizitätenhauptbetriebs"
	    "werkbauunterbeamtengesellschaftsvorstand tagt."),
	    I("Der") I("Donaudampfschifffahrtselektrizitätenhauptbetriebswerkb"
	    "auunterbeamte") I("ngesellschaftsvorstand tagt.") END);

	/* a tiny width still ends: one cell per line */
	o.width = 1;
	CHECK_STR(render_with("ab 日", "/", &o, true), I("a") I("b") I("日")
	    END);
	buf_free(&in);
}

#define X10	"xxxxxxxxxx"
#define X60	X10 X10 X10 X10 X10 X10
#define S10	"          "
#define K10	"日日日日日日日日日日"		/* 20 columns */
#define K30	K10 K10 K10
#define FFFD	"\xef\xbf\xbd"

/*
 * The edges of the wrap: a line exactly as wide as the width, one column
 * more, wide characters, a gap of TABs and controls, bytes shown as
 * U+FFFD (a word not shown as written), labels and preformatted lines
 * at the width.
 */
static void
test_wrap_edges(void)
{
	struct buf	 b = BUF_INIT;

	/* 67 columns fit, 68 do not: the word moves, or breaks if alone */
	CHECK_STR(render(X60 "xxxx ab"), I(X60 "xxxx ab") END);
	CHECK_STR(render(X60 "xxxxx ab"), I(X60 "xxxxx") I("ab") END);
	CHECK_STR(render(X60 "xxxxxxx"), I(X60 "xxxxxxx") END);
	CHECK_STR(render(X60 "xxxxxxxx"), I(X60 "xxxxxxx") I("x") END);
	CHECK_STR(render("ab " X60 "xxxx"), I("ab " X60 "xxxx") END);
	CHECK_STR(render("ab " X60 "xxxxx"), I("ab") I(X60 "xxxxx") END);

	/* two columns a character */
	CHECK_STR(render(K30 "日日日x"), I(K30 "日日日x") END);
	CHECK_STR(render(K30 "日日日日"), I(K30 "日日日") I("日") END);
	CHECK_STR(render("a " K30 "日日日"), I("a") I(K30 "日日日") END);
	CHECK_STR(render(K30 "日日日 x"), I(K30 "日日日") I("x") END);

	/* a gap is as many spaces as its columns; C1 controls are gaps */
	CHECK_STR(render("a\t b"), I("a     b") END);
	CHECK_STR(render("a\xc2\x85" "b"), I("a b") END);
	CHECK_STR(render("\tx"), I("    x") END);
	/* leading space wider than the line is dropped */
	CHECK_STR(render(S10 S10 S10 S10 S10 S10 S10 "a"), I("a") END);

	/* bytes that are not UTF-8, in a word that fits, moves or breaks */
	gophermap_add_info(&b, X60 " \xff\xff", &opts);
	gophermap_add_info(&b, X60 "xxxxx \xff\xff", &opts);
	gophermap_add_info(&b, "a" X60 "xxxxx\xff\xff", &opts);
	gophermap_add_info(&b, "\x01\x7f" "a\x01" "b", &opts);
	CHECK_STR(b.data, I(X60 " " FFFD FFFD) I(X60 "xxxxx") I(FFFD FFFD)
	    I("a" X60 "xxxxx" FFFD) I(FFFD) I("  a b"));
	buf_free(&b);

	/* link labels at the width, one column more, and with a TAB */
	CHECK_STR(render("=> /a.gmi " X60 "xxxxxxx"),
	    ITEM("1", X60 "xxxxxxx", "/a.gmi") END);
	CHECK_STR(render("=> /a.gmi " X60 "xxxxxxxx"),
	    ITEM("1", X60 "xxxx...", "/a.gmi") END);
	CHECK_STR(render("=> /a.gmi " K30 "日日日x"),
	    ITEM("1", K30 "日日日x", "/a.gmi") END);
	CHECK_STR(render("=> /a.gmi a\tb\xc2\x85" "c"),
	    ITEM("1", "a    b c", "/a.gmi") END);

	/* preformatted: as written, but a C1 control is a space */
	CHECK_STR(render_with("```\n" X60 X10 "\na\xc2\x85" "b\n```", "/",
	    &opts, true), I(X60 X10) I("a b") END);
}

static void
test_headings_underlined_in_columns(void)
{
	CHECK_STR(render("# Forum: Käsefreunde"), I("Forum: Käsefreunde")
	    I("==================") END);
	CHECK_STR(render("## Neueste Beiträge"), I("Neueste Beiträge")
	    I("----------------") END);
	CHECK_STR(render("### Ältere Beiträge"), I("### Ältere Beiträge") END);
	CHECK_STR(render("### Eine sehr lange Überschrift der dritten Ebene, "
	    "die umbrochen werden muss"),
	    I("### Eine sehr lange Überschrift der dritten Ebene, die "
	    "umbrochen") I("    werden muss") END);
	/*
	 * a leading "# " is the menu's title: whole on one line when it fits
	 * 70 columns, else wrapped at a space, never after a dash, and the
	 * rule as wide as the widest line
	 */
	CHECK_STR(render("# Ruhr-Konferenz: Themenforum 17 – Innovation"),
	    I("Ruhr-Konferenz: Themenforum 17 – Innovation")
	    I("===========================================") END);
	CHECK_STR(render("# Willkommen im „Käseforum“ – hier diskutieren "
	    "Mitglieder über Rohmilchkäse"),
	    I("Willkommen im „Käseforum“ – hier diskutieren Mitglieder über")
	    I("Rohmilchkäse")
	    I("============================================================")
	    END);
	CHECK_STR(render("# Ein Titel, der fast an der Grenze von siebzig "
	    "Spalten umbrechen will - oder nicht"),
	    I("Ein Titel, der fast an der Grenze von siebzig Spalten "
	    "umbrechen will")
	    I("- oder nicht")
	    I("===================================================="
	    "================") END);
	CHECK_STR(render("# Donaudampfschifffahrtsgesellschaftskapitänsmütze"
	    "nundsoweiterundsofortbisesnichtmehrpasst"),
	    I("Donaudampfschifffahrtsgesellschaftskapitänsmützenundsoweiterund"
	    "sofortb") I("isesnichtmehrpasst")
	    I("======================================================="
	    "===============") END);
	/* a later "# " heading is wrapped as any text */
	CHECK_STR(render("a\n# Willkommen im „Käseforum“ – hier diskutieren "
	    "Mitglieder über Rohmilchkäse"),
	    I("a")
	    I("Willkommen im „Käseforum“ – hier diskutieren Mitglieder über")
	    I("Rohmilchkäse")
	    I("============================================================")
	    END);
	/* an empty heading is a blank line */
	CHECK_STR(render("a\n#\n\nb"), I("a") I("") I("b") END);
}

static void
test_list_and_quote(void)
{
	CHECK_STR(render("* Listenpunkt mit ausreichend langem Text, damit er "
	    "sauber umbrochen werden muss."),
	    I("* Listenpunkt mit ausreichend langem Text, damit er sauber")
	    I("  umbrochen werden muss.") END);
	CHECK_STR(render("> „Käse ist Milch, die erwachsen geworden ist“, sagt "
	    "man in der Schweiz und in Österreich."),
	    I("> „Käse ist Milch, die erwachsen geworden ist“, sagt man in "
	    "der") I("> Schweiz und in Österreich.") END);
	CHECK_STR(render("* \n>"), I("*") I(">") END);
}

static void
test_preformatted_verbatim(void)
{
	const char	*wide = "+---------+---------+---------+---------+"
	    "---------+---------+---------+---------+";

	CHECK_STR(render_with("```Tabelle\nKäse\t| Reifezeit\n\tx\n"
	    "+---------+---------+---------+---------+---------+---------+"
	    "---------+---------+\n```\n", "/", &opts, true),
	    I("Käse    | Reifezeit") I("        x") I("+---------+---------+"
	    "---------+---------+---------+---------+---------+---------+")
	    END);
	CHECK(strlen(wide) > GOPHERMAP_WIDTH);
	/* blank lines inside a block are kept, outside collapsed */
	CHECK_STR(render("a\n\n\n\nb\n```\n\n\n```\nc"),
	    I("a") I("") I("b") I("") I("") I("c") END);
	/* spaces at the end of a pre line are kept */
	CHECK_STR(render("```\n  x  \n```"), I("  x  ") END);
}

static char
search_type(const char *path, void *arg)
{
	int	*calls = arg;

	(*calls)++;
	return strcmp(path, "/suche") == 0 ? '7' : 0;
}

static void
test_links(void)
{
	struct gophermap_opts	 o = opts;
	int			 calls = 0;

	CHECK_STR(render("=> thread-42.gmi „Welcher Bergkäse?“"),
	    ITEM("1", "„Welcher Bergkäse?“", "/forum/thread-42.gmi") END);
	CHECK_STR(render("=> /about.gmi Über uns"),
	    ITEM("1", "Über uns", "/about.gmi") END);
	CHECK_STR(render("=> archiv/ Archiv"),
	    ITEM("1", "Archiv", "/forum/archiv/") END);
	CHECK_STR(render("=> ../ Hoch"), ITEM("1", "Hoch", "/") END);
	CHECK_STR(render("=> regeln.txt Regeln"),
	    ITEM("0", "Regeln", "/forum/regeln.txt") END);
	CHECK_STR(render("=> /bild.png Bild"),
	    ITEM("I", "Bild", "/bild.png") END);
	CHECK_STR(render("=> satzung.pdf Satzung"),
	    ITEM("9", "Satzung", "/forum/satzung.pdf") END);
	CHECK_STR(render("=> gemini://partner.example/katalog.gmi Katalog"),
	    ITEM("h", "Katalog", "URL:gemini://partner.example/katalog.gmi")
	    END);
	/* the capsule's own address: a local item */
	CHECK_STR(render("=> gemini://localhost/forum/regeln.txt Regeln"),
	    ITEM("0", "Regeln", "/forum/regeln.txt") END);
	CHECK_STR(render("=> gemini://LOCALHOST:1965/a%20b.gmi AB"),
	    ITEM("1", "AB", "/a b.gmi") END);
	CHECK_STR(render("=> gemini://localhost:1966/x.gmi X"),
	    ITEM("h", "X", "URL:gemini://localhost:1966/x.gmi") END);
	CHECK_STR(render("=> https://www.example.de/impressum Impressum"),
	    ITEM("h", "Impressum", "URL:https://www.example.de/impressum")
	    END);
	CHECK_STR(render("=> http://example.de/ Alt"),
	    ITEM("h", "Alt", "URL:http://example.de/") END);
	CHECK_STR(render("=> mailto:post@example.de Post"),
	    ITEM("h", "Post", "URL:mailto:post@example.de") END);
	CHECK_STR(render("=> //other.example/x Anderswo"),
	    ITEM("h", "Anderswo", "URL://other.example/x") END);
	CHECK_STR(render("=> gopher://gopher.example.net/1/kaese Käseloch"),
	    "1Käseloch\t/kaese\tgopher.example.net\t70\r\n" END);
	CHECK_STR(render("=> gopher://g.example:7071/0/a%20b.txt Text"),
	    "0Text\t/a b.txt\tg.example\t7071\r\n" END);
	CHECK_STR(render("=> gopher://g.example Wurzel"),
	    "1Wurzel\t\tg.example\t70\r\n" END);
	CHECK_STR(render("=> GOPHER://g.example:/ Wurzel"),
	    "1Wurzel\t\tg.example\t70\r\n" END);
	CHECK_STR(render("=> gopher://[::1]:7070/7/suche Suche"),
	    "7Suche\t/suche\t::1\t7070\r\n" END);
	/* what a menu line cannot carry goes through our URL: page */
	CHECK_STR(render("=> gopher://g.example/7/suche%09k%C3%A4se Suche"),
	    ITEM("h", "Suche", "URL:gopher://g.example/7/suche%09k%C3%A4se")
	    END);
	CHECK_STR(render("=> gopher://g.example:99999/1/ Falsch"),
	    ITEM("h", "Falsch", "URL:gopher://g.example:99999/1/") END);
	/* no label: the URL is the label */
	CHECK_STR(render("=> https://example.de/"),
	    ITEM("h", "https://example.de/", "URL:https://example.de/") END);
	CHECK_STR(render("=> neu.gmi"),
	    ITEM("1", "neu.gmi", "/forum/neu.gmi") END);

	/* too wide: cut at a space, or else at a code point, then "..." */
	CHECK_STR(render("=> a.gmi Ein sehr langer Titel für einen Beitrag "
	    "über Käse, der nicht in eine Zeile passt"),
	    ITEM("1", "Ein sehr langer Titel für einen Beitrag über Käse, der "
	    "nicht in...", "/forum/a.gmi") END);
	CHECK_STR(render("=> a.gmi Donaudampfschifffahrtselektrizitätenhaupt"
	    "betriebswerkbauunterbeamtengesellschaft"),
	    ITEM("1", "Donaudampfschifffahrtselektrizitätenhauptbetriebswerk"
	    "bauunterbea...", "/forum/a.gmi") END);

	/* local_type decides first, then the name */
	o.local_type = search_type;
	o.arg = &calls;
	CHECK_STR(render_with("=> /suche Suche\n=> x.gmi X\n=> https://x/ W",
	    "/", &o, false), ITEM("7", "Suche", "/suche")
	    ITEM("1", "X", "/x.gmi") ITEM("h", "W", "URL:https://x/") END);
	CHECK(calls == 2);
}

static void
test_add_item_sanitises(void)
{
	struct buf	 b = BUF_INIT;

	gophermap_add_item(&b, '1', "a\tb\r\nc", "/x\ty", "host", "70");
	gophermap_end(&b);
	CHECK_STR(b.data, "1a b  c\t/x y\thost\t70\r\n.\r\n");
	CHECK(gophermap_is_wellformed(b.data, b.len));
	buf_free(&b);
}

static void
test_add_info(void)
{
	struct buf	 b = BUF_INIT;

	gophermap_add_info(&b, "Zeile eins\r\nZeile zwei\n\nund\tmit\x01"
	    "Steuer\xff" "zeichen", NULL);
	gophermap_add_info(&b, "", &opts);
	gophermap_end(&b);
	CHECK_STR(b.data, I("Zeile eins") I("Zeile zwei") I("")
	    I("und    mit Steuer\xef\xbf\xbdzeichen") I("") END);
	CHECK(gophermap_is_wellformed(b.data, b.len));
	CHECK(displays_ok(b.data, b.len, GOPHERMAP_WIDTH));
	buf_free(&b);
}

static void
test_is_wellformed(void)
{
	const char	*good = "1a\t/a\th\t70\r\ni\t\tnull.host\t1\r\n.\r\n";

#define WF(s)	gophermap_is_wellformed((s), strlen(s))
	CHECK(WF(good));
	CHECK(WF(".\r\n"));
	CHECK(!WF(""));
	CHECK(!WF("1a\t/a\th\t70\r\n"));		/* no "." */
	CHECK(!WF("1a\t/a\th\t70\r\n."));		/* "." without CRLF */
	CHECK(!WF("1a\t/a\th\t70\n.\r\n"));		/* bare LF */
	CHECK(!WF("1a\t/a\th\t70\r\n.\n"));
	CHECK(!WF("1a\t/a\th\r70\r\n.\r\n"));		/* bare CR */
	CHECK(!WF("1a\t/a\th70\r\n.\r\n"));		/* 2 TABs */
	CHECK(!WF("1a\t/a\th\t7\t0\r\n.\r\n"));		/* 4 TABs */
	CHECK(!WF("1a\t/a\th\tx70\r\n.\r\n"));		/* non-digit port */
	CHECK(!WF("1a\t/a\th\t\r\n.\r\n"));		/* empty port */
	CHECK(!WF("\ta\th\t70\r\n.\r\n"));		/* no type */
	CHECK(!WF(".\r\n1a\t/a\th\t70\r\n"));		/* after the "." */
	CHECK(!WF(".\r\n.\r\n"));
#undef WF
	CHECK(!gophermap_is_wellformed("1\0\t\t\t1\r\n.\r\n", 11));
}

static char *
slurp(const char *path, size_t *len)
{
	struct buf	 b = BUF_INIT;
	char		 chunk[4096];
	size_t		 n;
	FILE		*f;

	if ((f = fopen(path, "rb")) == NULL)
		return NULL;
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
		buf_add(&b, chunk, n);
	fclose(f);
	return buf_take(&b, len);
}

static void
test_golden(void)
{
	struct gemtext	 doc;
	struct buf	 out = BUF_INIT, path = BUF_INIT, base = BUF_INIT;
	const char	*dir, *errstr, *env;
	char		*src, *want;
	size_t		 i, srclen, wantlen, lineno, at;
	bool		 update;
	FILE		*f;

	env = getenv("ZECHE_UPDATE_GOLDEN");
	update = env != NULL && strcmp(env, "1") == 0;
	dir = getenv("ZECHE_SOURCE_DIR");
	for (i = 0; i < sizeof(golden) / sizeof(golden[0]); i++) {
		buf_reset(&path);
		if (dir != NULL)
			buf_addf(&path, "%s/tests/", dir);
		buf_addf(&path, "data/render/%s.gmi", golden[i]);
		if ((src = slurp(path.data, &srclen)) == NULL) {
			fprintf(stderr, "%s: cannot read\n", path.data);
			CHECK(!"golden input missing");
			continue;
		}
		if (gemtext_parse(src, srclen, &doc, &errstr, &lineno) == -1) {
			fprintf(stderr, "%s:%zu: %s\n", path.data, lineno,
			    errstr);
			CHECK(!"golden input does not parse");
			free(src);
			continue;
		}
		buf_reset(&base);
		buf_addf(&base, "/render/%s.gmi", golden[i]);
		buf_reset(&out);
		CHECK(gophermap_render(&doc, base.data, &opts, &out) == 0);
		CHECK(gophermap_is_wellformed(out.data, out.len));
		CHECK(utf8_is_valid(out.data, out.len));
		CHECK(displays_ok(out.data, out.len,
		    strcmp(golden[i], "preformatted") == 0 ? 0 :
		    GOPHERMAP_WIDTH));
		gemtext_free(&doc);
		free(src);

		path.len -= strlen(".gmi");
		buf_adds(&path, ".gophermap");
		if (update) {
			f = fopen(path.data, "wb");
			CHECK(f != NULL &&
			    fwrite(out.data, 1, out.len, f) == out.len &&
			    fclose(f) == 0);
			fprintf(stderr, "%s: updated\n", path.data);
			continue;
		}
		if ((want = slurp(path.data, &wantlen)) == NULL) {
			fprintf(stderr, "%s: cannot read\n", path.data);
			CHECK(!"golden output missing");
			continue;
		}
		for (at = 0; at < out.len && at < wantlen &&
		    out.data[at] == want[at]; at++)
			;
		if (at != out.len || at != wantlen)
			fprintf(stderr, "%s: differs at byte %zu\n", path.data,
			    at);
		CHECK(out.len == wantlen &&
		    memcmp(out.data, want, wantlen) == 0);
		free(want);
	}
	buf_free(&out);
	buf_free(&path);
	buf_free(&base);
}

/* An article as type 0 text: no item lines, links as numbered refs. */
static void
test_text(void)
{
	struct gemtext	 doc;
	struct buf	 out = BUF_INIT;
	const char	*errstr;
	const char	*gmi = "# Roundtable auf Zollverein\n\nText.\n\n"
	    "=> ./ Themenforum\n=> https://example.org/a Weiter\n"
	    "=> gopher://example.org/0/x Gopher\n";
	size_t		 lineno;

	CHECK(gemtext_parse(gmi, strlen(gmi), &doc, &errstr, &lineno) == 0);
	CHECK(gophermap_render_text(&doc, "/f/2020-01-01-a.gmi", &opts,
	    &out) == 0);
	CHECK_STR(out.data, "Roundtable auf Zollverein\r\n"
	    "=========================\r\n\r\nText.\r\n\r\n"
	    "[1] Themenforum\r\n[2] Weiter\r\n[3] Gopher\r\n\r\n"
	    "--------------------\r\n"
	    "[1] gopher://localhost:7070/1/f/\r\n"
	    "[2] https://example.org/a\r\n"
	    "[3] gopher://example.org/0/x\r\n");
	gemtext_free(&doc);
	buf_free(&out);
}

int
main(void)
{
	test_wrap_counts_columns_not_bytes();
	test_wrap_greedy_on_spaces();
	test_wrap_long_word_breaks_at_code_point();
	test_wrap_edges();
	test_headings_underlined_in_columns();
	test_list_and_quote();
	test_preformatted_verbatim();
	test_links();
	test_add_item_sanitises();
	test_add_info();
	test_is_wellformed();
	test_golden();
	test_text();
	free(last);
	CHECK_DONE();
}
