/*
 * export: write everything a site serves, already rendered, as plain
 * files (zeche --export DIR).
 *
 *	DIR/gemini/	for any static Gemini server: every page's body as
 *			zeche sends it; a folder page is index.gmi
 *	DIR/gopher/	for Gophernicus: a page sent as a menu becomes a
 *			folder holding a gophermap ("/f/a.gmi" ->
 *			gopher/f/a.gmi/gophermap), other files stay files
 *	DIR/.zeche-export  marks DIR as an export
 *
 * Gophermap items that name a page of the export lose their host and
 * port, so that Gophernicus fills in its own; every other item (a search,
 * another server) keeps the configured host and port, so a search still
 * goes to zeche itself.  Serve the tree with "gophernicus -nf -nx -nu"
 * (-nf: no footer of its own).  Gophernicus sends *.txt files with CRLF
 * line ends and splits lines longer than about 1 KiB; other files (the
 * Atom feed) go out as they are.
 *
 * The new trees are built in DIR/.zeche-new and then renamed into place,
 * and the old ones removed, so DIR ends up holding exactly the new export.
 * DIR must be empty, new, or an earlier export; it must not be "/" and
 * must not overlap the capsule root; it must be the running user's (or
 * root's) and not writable by its group or others unless sticky, since
 * an export may run as root.  Files are made 0644 and folders 0755
 * whatever the umask, each mode set through the descriptor (a folder is
 * opened O_NOFOLLOW and checked to be the one made): an export is there
 * to be served, often by another user.
 */
#ifndef EXPORT_H
#define EXPORT_H

#include <stdbool.h>
#include <stddef.h>

struct buf;
struct page;
struct site;

#define EXPORT_MARKER	".zeche-export"

/*
 * Append to OUT the file, relative to DIR, that serves the page at PATH
 * over Gemini ("/" -> "gemini/index.gmi", "/f/x.txt" -> "gemini/f/x.txt")
 * or over Gopher (MENU: the page is sent as a menu).  Returns 0, or -1 if
 * PATH is not an absolute path of plain names (no "", ".", ".." or dot
 * file; none named "gophermap" or "gophertag", which Gophernicus never
 * serves).
 */
int	export_gemini_path(const char *, struct buf *);
int	export_gopher_path(const char *, bool, struct buf *);

/*
 * The local path of the gemtext line LINE (LEN bytes) if it is a link to
 * an absolute path or to a gemini:// URL of HOST (any port): its start
 * (a "/", inside LINE) in *PATH and its length, a query included, in
 * *PLEN.  False for any other line (pure).
 */
bool	export_link_path(const char *, size_t, const char *, const char **,
	    size_t *);

/*
 * Export S into DIR, never touching anything outside DIR; ROOT is the
 * capsule folder, which DIR must not overlap.  Returns the number of
 * pages written, or -1 with a message in ERR.
 */
long	export_site(const struct site *, const char *, const char *, char *,
	    size_t);

/*
 * Every page Gemini serves, as the export writes it below gemini/: FN
 * gets the site's pages, then the pages a section renders on request
 * (made for the call, SECTION true, freed after it).  FN returns -1 to
 * stop, with its own message.  The number of pages, or -1 (ERR set when
 * the walk itself failed).
 */
typedef int	(*export_fn)(void *, struct page *, bool);
long		 export_walk(const struct site *, export_fn, void *, char *,
		    size_t);

/*
 * /capsule.tar: the Gemini tree of the export as a ustar archive, its
 * names "HOST/..." in byte order, its folders 0755 and files 0644, each
 * file's mtime its own (a generated page's: the newest file's).  Files
 * served from disk are not held: NULL with ERR set then, and on a name
 * longer than ustar allows, or out of memory.
 */
struct tar;
struct tar	*export_archive(const struct site *, char *, size_t);

#endif
