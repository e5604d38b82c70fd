/*
 * test_export: where each page of a site goes in an export (src/export.c),
 * and what export_site() writes, replaces and refuses.  Every case works
 * below its own mkdtemp() folder.
 */
#include <sys/stat.h>
#include <sys/syscall.h>

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "buf.h"
#include "capsule.h"
#include "check.h"
#include "loadsite.h"
#include "tmptree.h"
#include "export.h"
#include "site.h"

static const struct site_opts	 opts = { .host = "localhost",
    .port = { "1965", "7070" }, .lang = "de" };

static char	 err[1024];

static const char *
gemini_path(const char *path)
{
	static struct buf	 b = BUF_INIT;

	buf_free(&b);
	return export_gemini_path(path, &b) == 0 ? b.data : "(refused)";
}

static const char *
gopher_path(const char *path, bool menu)
{
	static struct buf	 b = BUF_INIT;

	buf_free(&b);
	return export_gopher_path(path, menu, &b) == 0 ? b.data : "(refused)";
}

static void
test_path_mapping(void)
{
	CHECK_STR(gemini_path("/"), "gemini/index.gmi");
	CHECK_STR(gopher_path("/", true), "gopher/gophermap");
	CHECK_STR(gemini_path("/f/"), "gemini/f/index.gmi");
	CHECK_STR(gopher_path("/f/", true), "gopher/f/gophermap");
	CHECK_STR(gemini_path("/f/a.gmi"), "gemini/f/a.gmi");
	CHECK_STR(gopher_path("/f/a.gmi", true), "gopher/f/a.gmi/gophermap");
	CHECK_STR(gemini_path("/f/x.txt"), "gemini/f/x.txt");
	CHECK_STR(gopher_path("/f/x.txt", false), "gopher/f/x.txt");
	CHECK_STR(gemini_path("/f/g/h/atom.xml"), "gemini/f/g/h/atom.xml");
	CHECK_STR(gopher_path("/robots.txt", false), "gopher/robots.txt");
}

static void
test_path_refusals(void)
{
	CHECK_STR(gemini_path(""), "(refused)");
	CHECK_STR(gemini_path("f/a.gmi"), "(refused)");
	CHECK_STR(gemini_path("/../etc/passwd"), "(refused)");
	CHECK_STR(gemini_path("/f/../../x"), "(refused)");
	CHECK_STR(gemini_path("/f/./x"), "(refused)");
	CHECK_STR(gemini_path("/f//x"), "(refused)");
	CHECK_STR(gemini_path("/.hidden"), "(refused)");
	CHECK_STR(gopher_path("/f/..", true), "(refused)");
	/* Gophernicus never serves these names */
	CHECK_STR(gopher_path("/f/gophermap", false), "(refused)");
	CHECK_STR(gopher_path("/gophertag", false), "(refused)");
	CHECK_STR(gemini_path("/f/gophermap"), "gemini/f/gophermap");
	/* a folder is always a menu */
	CHECK_STR(gopher_path("/f/", false), "(refused)");
}

/* The file REL below the test folder, or "(none)". */
static const char *
get(const char *rel)
{
	static char	 data[8192];
	char		 path[256];
	ssize_t		 n;
	int		 fd;

	snprintf(path, sizeof(path), "%s/%s", tmptree, rel);
	if ((fd = open(path, O_RDONLY | O_NOFOLLOW)) == -1)
		return "(none)";
	n = read(fd, data, sizeof(data) - 1);
	close(fd);
	data[n > 0 ? n : 0] = '\0';
	return data;
}

static bool
exists(const char *rel)
{
	char		 path[256];
	struct stat	 st;

	snprintf(path, sizeof(path), "%s/%s", tmptree, rel);
	return lstat(path, &st) == 0;
}

static long
export(const char *rel_capsule, const char *rel_dir)
{
	char		 root[256], dir[256];
	struct site	*s;
	long		 n;

	snprintf(root, sizeof(root), "%s/%s", tmptree, rel_capsule);
	snprintf(dir, sizeof(dir), "%s/%s", tmptree, rel_dir);
	if ((s = load_site(root, &opts, err, sizeof(err))) == NULL) {
		fprintf(stderr, "capsule_load: %s\n", err);
		return -2;
	}
	n = export_site(s, dir, root, err, sizeof(err));
	site_free(s);
	return n;
}

static void
test_export_and_reexport(void)
{
	struct stat	 st;
	char		 path[256];

	tmptree_new();
	tmptree_mkdir("c");
	tmptree_mkdir("c/f");
	tmptree_mkdir("outside");
	tmptree_put("outside/keep.txt", "keep\n");
	tmptree_put("c/index.gmi", "# Start\n\n=> f/ Forum\n=> f/x.txt Text\n"
	    "=> gopher://other.example/1/ Anderswo\n");
	tmptree_put("c/f/index.gmi", "# Forum\n");
	tmptree_put("c/f/2020-01-01-a.gmi", "# A\n\nText A.\n\n=> ../ Start\n");
	tmptree_put("c/f/x.txt", "Zeile 1\n.\nZeile 3\n");
	tmptree_put("c/f/old.txt", "alt\n");

	CHECK(export("c", "out") > 0);
	CHECK_STR(get("out/gemini/index.gmi"), "# Start\n\n=> f/ Forum\n"
	    "=> f/x.txt Text\n=> gopher://other.example/1/ Anderswo\n");
	CHECK_STR(get("out/gemini/f/2020-01-01-a.gmi"),
	    "# A\n\nText A.\n\n=> ../ Start\n");
	CHECK_STR(get("out/gemini/f/x.txt"), "Zeile 1\n.\nZeile 3\n");
	CHECK_STR(get("out/gopher/f/x.txt"), "Zeile 1\n.\nZeile 3\n");
	CHECK(strstr(get("out/gemini/f/index.gmi"), "=> atom.xml Atom-Feed\n")
	    != NULL);
	CHECK(strncmp(get("out/gemini/f/atom.xml"), "<?xml", 5) == 0);
	CHECK(strncmp(get("out/gopher/f/atom.xml"), "<?xml", 5) == 0);
	CHECK(strncmp(get("out/gemini/robots.txt"), "# robots.txt", 12) == 0);
	/* menus: local items lose host and port, others keep theirs */
	CHECK(strstr(get("out/gopher/gophermap"), "\r\n1Forum\t/f/\r\n"
	    "0Text\t/f/x.txt\r\n1Anderswo\t/\tother.example\t70\r\n.\r\n")
	    != NULL);
	CHECK(strstr(get("out/gopher/gophermap"), "iStart\t\tnull.host\t1\r\n")
	    != NULL);
	/* an article is a text file, listed as one */
	CHECK(strstr(get("out/gopher/f/2020-01-01-a.gmi"), "\r\nText A.\r\n")
	    != NULL);
	CHECK(strstr(get("out/gopher/f/gophermap"),
	    "02020-01-01 A\t/f/2020-01-01-a.gmi\r\n") != NULL);
	CHECK(strstr(get("out/gopher/f/gophermap"),
	    "0Atom-Feed\t/f/atom.xml\r\n") != NULL);
	CHECK(exists("out/" EXPORT_MARKER));
	CHECK(!exists("out/.zeche-new") && !exists("out/.zeche-old"));
	snprintf(path, sizeof(path), "%s/out/gopher/f/x.txt", tmptree);
	CHECK(stat(path, &st) == 0 && (st.st_mode & 07777) == 0644);
	snprintf(path, sizeof(path), "%s/out/gopher/f/2020-01-01-a.gmi", tmptree);
	CHECK(stat(path, &st) == 0 && (st.st_mode & 07777) == 0644);

	/*
	 * Again, without old.txt and with a link planted in the old export:
	 * the link goes, what it points to stays.
	 */
	CHECK(exists("out/gemini/f/old.txt") && exists("out/gopher/f/old.txt"));
	snprintf(path, sizeof(path), "%s/c/f/old.txt", tmptree);
	unlink(path);
	snprintf(path, sizeof(path), "%s/out/gemini/f/link", tmptree);
	CHECK(symlink("../../../outside", path) == 0);
	tmptree_put("out/gopher/stale.txt", "stale\n");
	CHECK(export("c", "out") > 0);
	CHECK(!exists("out/gemini/f/old.txt"));
	CHECK(!exists("out/gopher/f/old.txt"));
	CHECK(!exists("out/gemini/f/link") && !exists("out/gopher/stale.txt"));
	CHECK_STR(get("outside/keep.txt"), "keep\n");
	CHECK(exists("out/gemini/f/x.txt"));
	/* the remains of an interrupted run go too */
	tmptree_mkdir("out/.zeche-new");
	tmptree_put("out/.zeche-new/junk", "x");
	CHECK(export("c", "out") > 0);
	CHECK(!exists("out/.zeche-new"));
}

/*
 * Links to other Gopher servers whose item type Gophernicus would read as
 * a directive of its own ("." ends the map, "*" lists the folder, "="
 * runs a file, ...) become info lines naming the link; the menu goes on
 * past them and ends with its own "." alone.
 */
static void
test_unsafe_item_types(void)
{
	const char	*map;

	tmptree_new();
	tmptree_mkdir("c");
	tmptree_put("c/index.gmi", "# Start\n\n"
	    "=> gopher://evil.example/.x Punkt\n"
	    "=> gopher://evil.example:7070/*y Stern\n"
	    "=> gopher://evil.example/=%22a%20b%3E Gleich\n"
	    "=> gopher://evil.example/#k Raute\n"
	    "=> gopher://evil.example/-k Minus\n"
	    "=> gopher://evil.example/!k Ausruf\n"
	    "=> gopher://evil.example/:k Doppelpunkt\n"
	    "=> gopher://evil.example/~k Tilde\n"
	    "=> gopher://evil.example/%25k Prozent\n"
	    "=> gopher://evil.example/1/ok Gut\n"
	    "=> gopher://evil.example/Ibild Bild\n"
	    "Ende.\n");
	CHECK(export("c", "out") > 0);
	map = get("out/gopher/gophermap");
	CHECK(strstr(map, "\r\n"
	    "iPunkt: gopher://evil.example:70/.x\t\tnull.host\t1\r\n"
	    "iStern: gopher://evil.example:7070/%2Ay\t\tnull.host\t1\r\n"
	    "iGleich: gopher://evil.example:70/%3D%22a%20b%3E\t\tnull.host\t1"
	    "\r\n"
	    "iRaute: gopher://evil.example:70/%23k\t\tnull.host\t1\r\n"
	    "iMinus: gopher://evil.example:70/-k\t\tnull.host\t1\r\n"
	    "iAusruf: gopher://evil.example:70/%21k\t\tnull.host\t1\r\n"
	    "iDoppelpunkt: gopher://evil.example:70/%3Ak\t\tnull.host\t1\r\n"
	    "iTilde: gopher://evil.example:70/~k\t\tnull.host\t1\r\n")
	    != NULL);
	/* "%" cannot start a gopher:// path: an h URL: item already */
	CHECK(strstr(map, "\r\nhProzent\tURL:gopher://evil.example/%25k\t")
	    != NULL);
	CHECK(strstr(map, "\r\n1Gut\t/ok\tevil.example\t70\r\n"
	    "IBild\tbild\tevil.example\t70\r\n") != NULL);
	CHECK(strstr(map, "iEnde.\t\tnull.host\t1\r\n.\r\n") != NULL);
	/* every line starts with a safe type, and "." alone ends the map */
	for (; *map != '\0'; map = strchr(map, '\n') + 1) {
		if (strcmp(map, ".\r\n") == 0)
			break;
		if (strchr("0123456789gIThisd", *map) == NULL) {
			CHECK(!"a line with an unsafe type");
			fprintf(stderr, "  line: %.40s\n", map);
		}
		if (strchr(map, '\n') == NULL) {
			CHECK(!"a line without LF");
			break;
		}
	}
	CHECK_STR(map, ".\r\n");
}

/*
 * mkdir() and mkdirat() as export.c sees them: once the folder named
 * swap_name is made, it is replaced by a link to swap_to, as another
 * user who may write the folder above could do between the mkdir and
 * what follows it.
 */
static const char	*swap_name;
static char		 swap_to[256];

static int
mkdir_and_swap(int dirfd, const char *path, mode_t mode)
{
	const char	*base = strrchr(path, '/');
	int		 r;

	r = (int)syscall(SYS_mkdirat, dirfd, path, mode);
	base = base != NULL ? base + 1 : path;
	if (r == 0 && swap_name != NULL && strcmp(base, swap_name) == 0) {
		swap_name = NULL;
		if (unlinkat(dirfd, path, AT_REMOVEDIR) == -1 ||
		    symlinkat(swap_to, dirfd, path) == -1)
			abort();
	}
	return r;
}

int
mkdir(const char *path, mode_t mode)
{
	return mkdir_and_swap(AT_FDCWD, path, mode);
}

int
mkdirat(int dirfd, const char *path, mode_t mode)
{
	return mkdir_and_swap(dirfd, path, mode);
}

/* mode of the file REL below the tree */
static mode_t
mode_of(const char *rel)
{
	struct stat	 st;
	char		 path[512];

	snprintf(path, sizeof(path), "%s/%s", tmptree, rel);
	return lstat(path, &st) == 0 ? st.st_mode & 07777 : (mode_t)-1;
}

static void
test_links_and_open_folders(void)
{
	struct site	*s;
	char		 root[256], dir[256];
	const char	*folders[] = { "neu", ".zeche-new", "gemini", "f" };
	size_t		 i;

	snprintf(root, sizeof(root), "%s/c", tmptree);
	if ((s = load_site(root, &opts, err, sizeof(err))) == NULL) {
		CHECK(s != NULL);
		return;
	}
	tmptree_put("geheim.txt", "geheim\n");
	snprintf(swap_to, sizeof(swap_to), "%s/geheim.txt", tmptree);
	/* a link put where a folder was just made is never followed */
	for (i = 0; i < sizeof(folders) / sizeof(folders[0]); i++) {
		chmod(swap_to, 0600);
		swap_name = folders[i];
		snprintf(dir, sizeof(dir), "%s/neu", tmptree);
		CHECK(export_site(s, dir, root, err, sizeof(err)) == -1);
		CHECK(swap_name == NULL);	/* the swap happened */
		CHECK(mode_of("geheim.txt") == 0600);
		swap_name = NULL;
		(void)unlink(dir);	/* the link, if "neu" was swapped */
	}
	/* a destination others may write, not sticky: refused */
	tmptree_mkdir("offen");
	snprintf(dir, sizeof(dir), "%s/offen", tmptree);
	CHECK(chmod(dir, 0777) == 0);
	CHECK(export_site(s, dir, root, err, sizeof(err)) == -1);
	CHECK(strstr(err, "its group or others may write it, and it is not "
	    "sticky: refusing to export there") != NULL);
	CHECK(mode_of("offen/gemini") == (mode_t)-1);
	CHECK(chmod(dir, 0775) == 0);
	CHECK(export_site(s, dir, root, err, sizeof(err)) == -1);
	/* sticky, as /tmp: fine */
	CHECK(chmod(dir, 01777) == 0);
	CHECK(export_site(s, dir, root, err, sizeof(err)) > 0);
	CHECK(mode_of("offen/gemini") == 0755);
	site_free(s);
}

static void
test_refusals(void)
{
	struct site	*s;
	char		 root[256], dir[256];

	snprintf(root, sizeof(root), "%s/c", tmptree);
	if ((s = load_site(root, &opts, err, sizeof(err))) == NULL) {
		CHECK(s != NULL);
		return;
	}
	CHECK(export_site(s, "/", root, err, sizeof(err)) == -1);
	CHECK(strstr(err, "refusing") != NULL);
	CHECK(export_site(s, root, root, err, sizeof(err)) == -1);
	snprintf(dir, sizeof(dir), "%s/c/", tmptree);
	CHECK(export_site(s, dir, root, err, sizeof(err)) == -1);
	snprintf(dir, sizeof(dir), "%s/c/f/export", tmptree);
	CHECK(export_site(s, dir, root, err, sizeof(err)) == -1);
	CHECK(!exists("c/f/export"));
	CHECK(export_site(s, tmptree, root, err, sizeof(err)) == -1);
	/* a folder holding other things is not overwritten */
	snprintf(dir, sizeof(dir), "%s/outside", tmptree);
	CHECK(export_site(s, dir, root, err, sizeof(err)) == -1);
	CHECK(strstr(err, "not an earlier export") != NULL);
	CHECK(!exists("outside/gemini"));
	tmptree_mkdir("mine");
	tmptree_mkdir("mine/gemini");
	snprintf(dir, sizeof(dir), "%s/mine", tmptree);
	CHECK(export_site(s, dir, root, err, sizeof(err)) == -1);
	/* a missing parent is an error, not a surprise tree */
	snprintf(dir, sizeof(dir), "%s/no/such", tmptree);
	CHECK(export_site(s, dir, root, err, sizeof(err)) == -1);
	/* an empty folder is fine */
	tmptree_mkdir("empty");
	snprintf(dir, sizeof(dir), "%s/empty", tmptree);
	CHECK(export_site(s, dir, root, err, sizeof(err)) > 0);
	site_free(s);
}

static void
test_gophermap_name_refused(void)
{
	tmptree_put("c/f/gophermap", "1x\t/\r\n");
	CHECK(export("c", "out") == -1);
	CHECK(strstr(err, "/f/gophermap") != NULL);
	CHECK(strstr(err, "Gophernicus") != NULL);	/* and why */
	CHECK(exists("out/gemini/f/x.txt"));	/* the old export stays */
	CHECK(!exists("out/.zeche-new"));
}

int
main(void)
{
	test_path_mapping();
	test_path_refusals();
	test_export_and_reexport();
	test_refusals();
	test_links_and_open_folders();
	test_gophermap_name_refused();
	test_unsafe_item_types();
	tmptree_rm();
	gemini_path("");
	gopher_path("", false);
	CHECK_DONE();
}
