/*
 * posts: pure helpers for a folder's posts: the date in a post's name,
 * the title from its name, where an index's closing navigation starts,
 * a post's summary.  Bytes in, a result out: no model, no files, no log.
 */
#include <ctype.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "gemtext.h"
#include "mime.h"
#include "posts.h"

static bool
is_leap(int y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

enum posts_dated
posts_date(const char *name, char date[11])
{
	static const char	 pat[] = "dddd-dd-dd-";
	static const int	 mdays[] = {
		31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31
	};
	size_t			 i, len = strlen(name);
	int			 year, month, day;

	if (len <= sizeof(pat) - 1 || !mime_is_gemtext(name))
		return POSTS_NOT_DATED;
	for (i = 0; i < sizeof(pat) - 1; i++) {
		if (pat[i] == 'd' ? !isdigit((unsigned char)name[i]) :
		    name[i] != pat[i])
			return POSTS_NOT_DATED;
	}
	if (name[sizeof(pat) - 1] == '.')
		return POSTS_NOT_DATED;		/* "2024-01-01-.gmi" */
	year = atoi(name);
	month = (name[5] - '0') * 10 + (name[6] - '0');
	day = (name[8] - '0') * 10 + (name[9] - '0');
	if (month < 1 || month > 12 || day < 1 || day > mdays[month - 1] ||
	    (month == 2 && day == 29 && !is_leap(year)))
		return POSTS_BAD_DATE;
	memcpy(date, name, 10);
	date[10] = '\0';
	return POSTS_DATED;
}

char *
posts_title_from_name(const char *name)
{
	const char	*slug = name + 11, *dot = strrchr(name, '.');
	char		*t, *p;

	if ((t = strndup(slug, (size_t)(dot - slug))) == NULL)
		return NULL;
	for (p = t; *p != '\0'; p++)
		if (*p == '-' || *p == '_')
			*p = ' ';
	return t;
}

size_t
posts_nav_start(const char *s, size_t len)
{
	const char	*line, *url;
	size_t		 end = len, start, at = len, n;

	while (end > 0) {
		/* the line before END: [start, end) without its LF */
		n = s[end - 1] == '\n' ? end - 1 : end;
		for (start = n; start > 0 && s[start - 1] != '\n'; start--)
			;
		line = s + start;
		if (n > start && line[n - start - 1] == '\r')
			n--;
		if (n == start) {		/* blank */
			if (at == len)
				end = start;	/* trailing: skip it */
			else
				break;
			continue;
		}
		if (n - start < 2 || strncmp(line, "=>", 2) != 0)
			break;
		for (url = line + 2; url < s + n && (*url == ' ' ||
		    *url == '\t'); url++)
			;
		n = strcspn(url, " \t\r\n");
		if (n == 0 || url[n - 1] != '/')
			break;			/* a page, not a folder */
		at = end = start;
	}
	return at;
}

const char *
posts_first_paragraph(const struct gemtext *doc)
{
	size_t	 i;

	for (i = 0; i < doc->nlines; i++)
		if (doc->lines[i].type == GEMTEXT_TEXT &&
		    doc->lines[i].text[strspn(doc->lines[i].text, " \t")] !=
		    '\0')
			return doc->lines[i].text;
	return NULL;
}
