/*
 * test_posts: the pure helpers for a folder's posts (src/posts.c): dates
 * in names, titles from names, the closing navigation, summaries.
 */
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "gemtext.h"
#include "posts.h"

static void
test_date(void)
{
	char	 date[11] = "";

	CHECK(posts_date("2024-03-05-spring.gmi", date) == POSTS_DATED);
	CHECK_STR(date, "2024-03-05");
	CHECK(posts_date("2024-02-29-leap.gemini", date) == POSTS_DATED);
	CHECK_STR(date, "2024-02-29");
	CHECK(posts_date("2000-02-29-leap.gmi", date) == POSTS_DATED);
	CHECK(posts_date("1900-02-29-no.gmi", date) == POSTS_BAD_DATE);
	CHECK(posts_date("2023-02-29-no.gmi", date) == POSTS_BAD_DATE);
	CHECK(posts_date("2024-13-01-no.gmi", date) == POSTS_BAD_DATE);
	CHECK(posts_date("2024-04-31-no.gmi", date) == POSTS_BAD_DATE);
	CHECK(posts_date("2024-01-00-no.gmi", date) == POSTS_BAD_DATE);
	CHECK(posts_date("2024-01-01-.gmi", date) == POSTS_NOT_DATED);
	CHECK(posts_date("2024-01-01-x.txt", date) == POSTS_NOT_DATED);
	CHECK(posts_date("2024-1-01-x.gmi", date) == POSTS_NOT_DATED);
	CHECK(posts_date("index.gmi", date) == POSTS_NOT_DATED);
}

static void
test_title_from_name(void)
{
	char	*t;

	t = posts_title_from_name("2024-03-05-first-day_out.gmi");
	CHECK_STR(t, "first day out");
	free(t);
	t = posts_title_from_name("2024-03-05-x.y.gemini");
	CHECK_STR(t, "x.y");
	free(t);
}

static void
test_nav_start(void)
{
	const char	*s;

	s = "# T\ntext\n=> / Home\n=> ../p/ Up\n\n";
	CHECK(posts_nav_start(s, strlen(s)) == 9);
	s = "# T\n=> page.gmi A page\n";
	CHECK(posts_nav_start(s, strlen(s)) == strlen(s));
	s = "# T\n=> / Home\r\n";
	CHECK(posts_nav_start(s, strlen(s)) == 4);
	/* a blank line between links ends the navigation */
	s = "=> /a/ A\n\n=> / Home\n";
	CHECK(posts_nav_start(s, strlen(s)) == 10);
	CHECK(posts_nav_start("", 0) == 0);
}

static void
test_first_paragraph(void)
{
	struct gemtext	 doc;
	const char	*errstr, *text = "# Title\n\n   \nThe summary.\nMore.\n";
	size_t		 line;

	memset(&doc, 0, sizeof(doc));
	CHECK(gemtext_parse(text, strlen(text), &doc, &errstr, &line) == 0);
	CHECK_STR(posts_first_paragraph(&doc), "The summary.");
	gemtext_free(&doc);
	memset(&doc, 0, sizeof(doc));
	CHECK(gemtext_parse("# Only\n", 7, &doc, &errstr, &line) == 0);
	CHECK(posts_first_paragraph(&doc) == NULL);
	gemtext_free(&doc);
}

int
main(void)
{
	test_date();
	test_title_from_name();
	test_nav_start();
	test_first_paragraph();
	CHECK_DONE();
}
