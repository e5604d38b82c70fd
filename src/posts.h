/*
 * posts: pure helpers for the posts of a folder (YYYY-MM-DD-slug.gmi):
 * the date in a name, a title from a name, where the navigation closing
 * an index starts, a post's summary.  No model, no files, no log.
 */
#ifndef POSTS_H
#define POSTS_H

#include <stddef.h>

struct gemtext;

enum posts_dated {
	POSTS_NOT_DATED,
	POSTS_DATED,
	POSTS_BAD_DATE,		/* YYYY-MM-DD-... but no such day */
};

/*
 * YYYY-MM-DD-slug.gmi (or .gemini): a post of the date DATE (written,
 * "YYYY-MM-DD").  A name of that shape whose date does not exist is
 * POSTS_BAD_DATE; any other name POSTS_NOT_DATED.
 */
enum posts_dated posts_date(const char *, char [11]);

/*
 * The title of a dated post NAME without a "# " heading: its slug, "-"
 * and "_" as " ".  A new string, or NULL when memory ran out.
 */
char	*posts_title_from_name(const char *);

/*
 * Where the navigation that closes the gemtext S (LEN bytes) starts: its
 * last lines, when they are links to folders ("=> / Home",
 * "=> ../partners/ Partners"), blank lines after them left out.  LEN if it
 * does not end in such links.
 */
size_t	 posts_nav_start(const char *, size_t);

/* The first text paragraph of DOC (a post's summary in a feed), or NULL. */
const char *posts_first_paragraph(const struct gemtext *);

#endif
