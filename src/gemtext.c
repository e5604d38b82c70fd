/*
 * gemtext: text/gemini -> typed lines (pure).  Owns the parsed document;
 * knows no site, no file and no protocol beyond gemtext's own syntax.
 */
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "gemtext.h"
#include "utf8.h"

#define STR2(x)	#x
#define STR(x)	STR2(x)

static int
is_ws(char c)
{
	return c == ' ' || c == '\t';
}

static char *
skip_ws(char *s)
{
	while (is_ws(*s))
		s++;
	return s;
}

static void
rtrim(char *s)
{
	size_t	 n = strlen(s);

	while (n > 0 && is_ws(s[n - 1]))
		s[--n] = '\0';
}

static int
classify(struct gemtext_line *l, char *s, int in_pre, const char **errstr)
{
	char	*p;

	if (strncmp(s, "```", 3) == 0) {
		l->type = in_pre ? GEMTEXT_PRE_END : GEMTEXT_PRE_START;
		l->text = skip_ws(s + 3);
		rtrim(s);
		return 0;
	}
	if (in_pre) {
		l->type = GEMTEXT_PRE;
		l->text = s;
		return 0;
	}
	if (strncmp(s, "=>", 2) == 0) {
		l->type = GEMTEXT_LINK;
		p = skip_ws(s + 2);
		if (*p == '\0') {
			*errstr = "link without a URL";
			return -1;
		}
		l->url = p;
		while (*p != '\0' && !is_ws(*p))
			p++;
		if (*p != '\0')
			*p++ = '\0';
		l->text = skip_ws(p);
		rtrim(p);
		return 0;
	}
	if (strncmp(s, "###", 3) == 0) {
		l->type = GEMTEXT_H3;
		s += 3;
	} else if (strncmp(s, "##", 2) == 0) {
		l->type = GEMTEXT_H2;
		s += 2;
	} else if (s[0] == '#') {
		l->type = GEMTEXT_H1;
		s += 1;
	} else if (s[0] == '*' && s[1] == ' ') {
		l->type = GEMTEXT_LIST;
		s += 2;
	} else if (s[0] == '>') {
		l->type = GEMTEXT_QUOTE;
		s += 1;
	} else {
		l->type = GEMTEXT_TEXT;
		rtrim(s);
		l->text = s;
		return 0;
	}
	s = skip_ws(s);
	rtrim(s);
	l->text = s;
	return 0;
}

int
gemtext_parse(const char *data, size_t len, struct gemtext *doc,
    const char **errstr, size_t *lineno)
{
	return gemtext_parse_in(data, len, doc, NULL, errstr, lineno);
}

int
gemtext_parse_in(const char *data, size_t len, struct gemtext *doc,
    const struct gemtext_mem *mem, const char **errstr, size_t *lineno)
{
	struct gemtext_line	*l;
	const unsigned char	*u;
	const char		*end;
	char			*s, *nl;
	size_t			 i, j, n, ll, cap = 0, pre_line = 0;
	int			 in_pre = 0;

	memset(doc, 0, sizeof(*doc));
	*lineno = 0;
	if (len >= 3 && memcmp(data, "\xef\xbb\xbf", 3) == 0) {
		data += 3;
		len -= 3;
		doc->bom = 1;
	}
	/* check each line's bytes first, so that errors name the line */
	for (i = 0, n = 1, u = (const unsigned char *)data; i < len; n++) {
		end = memchr(data + i, '\n', len - i);
		ll = end ? (size_t)(end - (data + i)) : len - i;
		if (i + ll > GEMTEXT_BYTES_MAX) {
			*errstr = "the page is over 4 MiB";
			*lineno = n;
			return -1;
		}
		if (n > GEMTEXT_LINES_MAX) {
			*errstr = "the page is over " STR(GEMTEXT_LINES_MAX)
			    " lines";
			*lineno = n;
			return -1;
		}
		for (j = i; j < i + ll; j++)
			if ((u[j] < 0x20 && u[j] != '\t' && (u[j] != '\r' ||
			    j + 1 != i + ll)) || u[j] == 0x7f) {
				*errstr = "control character";
				*lineno = n;
				return -1;
			}
		if (!utf8_is_valid(data + i, ll)) {
			*errstr = "invalid UTF-8";
			*lineno = n;
			return -1;
		}
		i += ll + 1;
	}

	if (mem != NULL) {
		/* one block: N lines at most (the count above), the source */
		cap = n;
		if ((doc->lines = mem->alloc(mem->arg, cap * sizeof(*l) +
		    len + 1)) == NULL) {
			*errstr = "out of memory";
			return -1;
		}
		doc->src = (char *)(doc->lines + cap);
		doc->borrowed = 1;
	} else if ((doc->src = malloc(len + 1)) == NULL) {
		*errstr = "out of memory";
		return -1;
	}
	memcpy(doc->src, data, len);
	doc->src[len] = '\0';

	for (s = doc->src, n = 1; s < doc->src + len; n++) {
		if ((nl = strchr(s, '\n')) != NULL)
			*nl = '\0';
		if (nl != NULL && nl > s && nl[-1] == '\r')
			nl[-1] = '\0';
		else if (nl == NULL && *s != '\0' && s[strlen(s) - 1] == '\r')
			s[strlen(s) - 1] = '\0';
		if (doc->nlines == cap) {
			if (doc->borrowed) {		/* cannot be */
				*errstr = "out of memory";
				goto bad;
			}
			cap = cap ? cap * 2 : 32;
			l = reallocarray(doc->lines, cap, sizeof(*l));
			if (l == NULL) {
				*errstr = "out of memory";
				goto bad;
			}
			doc->lines = l;
		}
		l = &doc->lines[doc->nlines];
		memset(l, 0, sizeof(*l));
		l->lineno = n;
		if (classify(l, s, in_pre, errstr) == -1) {
			*lineno = n;
			goto bad;
		}
		if (l->type == GEMTEXT_LINK &&
		    ++doc->nlinks > GEMTEXT_LINKS_MAX) {
			*errstr = "the page has over " STR(GEMTEXT_LINKS_MAX)
			    " links";
			*lineno = n;
			goto bad;
		}
		if (l->type == GEMTEXT_PRE_START) {
			in_pre = 1;
			pre_line = n;
		} else if (l->type == GEMTEXT_PRE_END)
			in_pre = 0;
		else if (l->type == GEMTEXT_H1 && doc->title == NULL)
			doc->title = l->text;
		doc->nlines++;
		if (nl == NULL)
			break;
		s = nl + 1;
	}
	if (in_pre)
		doc->pre_open = pre_line;
	return 0;
 bad:
	gemtext_free(doc);
	return -1;
}

int
gemtext_keep_title(struct gemtext *doc)
{
	char	*title = NULL;

	if (doc->title != NULL && (title = strdup(doc->title)) == NULL)
		return -1;
	if (!doc->borrowed) {
		free(doc->lines);
		free(doc->src);
	}
	doc->borrowed = 0;
	doc->src = title;
	doc->title = title;
	doc->lines = NULL;
	doc->nlines = 0;
	return 0;
}

void
gemtext_free(struct gemtext *doc)
{
	if (!doc->borrowed) {
		free(doc->lines);
		free(doc->src);
	}
	memset(doc, 0, sizeof(*doc));
}

void
gemtext_add_text(struct buf *out, const char *text)
{
	if (strncmp(text, "=>", 2) == 0 || strncmp(text, "```", 3) == 0 ||
	    text[0] == '#' || text[0] == '>' ||
	    (text[0] == '*' && text[1] == ' '))
		buf_addc(out, ' ');
	buf_adds(out, text);
}
