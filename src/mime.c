/*
 * mime: the one table of extension -> MIME type and Gopher item type
 * (pure).  Opens no file and knows no site.
 */
#include <stddef.h>
#include <string.h>
#include <strings.h>

#include "mime.h"

#define T(m)	m "; charset=utf-8", m	/* text: a charset when UTF-8 */
#define B(m)	m, m			/* binary */

/*
 * Gopher types: 0 text, 1 menu, 9 binary, I image, g GIF, s sound,
 * ; video (Gophernicus, geomyidae), h HTML.
 */
static const struct mime_type types[] = {
	{ "gmi",	B(MIME_GEMTEXT),			'1' },
	{ "gemini",	B(MIME_GEMTEXT),			'1' },
	{ "txt",	T("text/plain"),			'0' },
	{ "text",	T("text/plain"),			'0' },
	{ "md",		T("text/markdown"),			'0' },
	{ "csv",	T("text/csv"),				'0' },
	{ "json",	B("application/json"),			'0' },
	{ "xml",	B("application/xml"),			'0' },
	{ "atom",	B(MIME_ATOM),				'0' },
	{ "rss",	B(MIME_RSS),				'0' },
	{ "html",	T("text/html"),				'h' },
	{ "htm",	T("text/html"),				'h' },
	{ "css",	T("text/css"),				'0' },
	{ "gif",	B("image/gif"),				'g' },
	{ "png",	B("image/png"),				'I' },
	{ "jpg",	B("image/jpeg"),			'I' },
	{ "jpeg",	B("image/jpeg"),			'I' },
	{ "webp",	B("image/webp"),			'I' },
	{ "avif",	B("image/avif"),			'I' },
	{ "svg",	B("image/svg+xml"),			'I' },
	{ "ico",	B("image/vnd.microsoft.icon"),		'I' },
	{ "pdf",	B("application/pdf"),			'9' },
	{ "epub",	B("application/epub+zip"),		'9' },
	{ "zip",	B("application/zip"),			'9' },
	{ "gz",		B("application/gzip"),			'9' },
	{ "tgz",	B("application/gzip"),			'9' },
	{ "tar",	B("application/x-tar"),			'9' },
	{ "xz",		B("application/x-xz"),			'9' },
	{ "zst",	B("application/zstd"),			'9' },
	{ "mp3",	B("audio/mpeg"),			's' },
	{ "ogg",	B("audio/ogg"),				's' },
	{ "oga",	B("audio/ogg"),				's' },
	{ "opus",	B("audio/ogg"),				's' },
	{ "flac",	B("audio/flac"),			's' },
	{ "m4a",	B("audio/mp4"),				's' },
	{ "wav",	B("audio/wav"),				's' },
	{ "mp4",	B("video/mp4"),				';' },
	{ "m4v",	B("video/mp4"),				';' },
	{ "webm",	B("video/webm"),			';' },
	{ "ogv",	B("video/ogg"),				';' },
};

static const struct mime_type fallback = {
	"", B("application/octet-stream"), '9'
};

const struct mime_type *
mime_lookup(const char *path)
{
	const char	*dot, *slash;
	size_t		 i;

	dot = strrchr(path, '.');
	slash = strrchr(path, '/');
	if (dot == NULL || (slash != NULL && dot < slash))
		return &fallback;
	for (i = 0; i < sizeof(types) / sizeof(types[0]); i++)
		if (strcasecmp(dot + 1, types[i].ext) == 0)
			return &types[i];
	return &fallback;
}

bool
mime_is_gemtext(const char *path)
{
	return strcmp(mime_lookup(path)->mime, MIME_GEMTEXT) == 0;
}

/* Skip white space, <?...?> and <!...> ahead of the root element. */
const char *
mime_sniff_feed(const char *data, size_t len)
{
	const char	*p = data, *end = data + len, *q;

	if (len >= 3 && memcmp(p, "\xef\xbb\xbf", 3) == 0)
		p += 3;
	while (p < end) {
		if (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\n') {
			p++;
			continue;
		}
		if (*p != '<' || end - p < 2)
			return NULL;
		if (p[1] == '?' || p[1] == '!') {
			if ((q = memchr(p, '>', (size_t)(end - p))) == NULL)
				return NULL;
			p = q + 1;
			continue;
		}
		p++;
		if (end - p >= 4 && memcmp(p, "feed", 4) == 0 &&
		    (end - p == 4 || memchr(" \t\r\n>/", p[4], 6) != NULL))
			return MIME_ATOM;
		if (end - p >= 3 && memcmp(p, "rss", 3) == 0 &&
		    (end - p == 3 || memchr(" \t\r\n>/", p[3], 6) != NULL))
			return MIME_RSS;
		return NULL;
	}
	return NULL;
}

const char *
mime_file(const char *name, const char *data, size_t len, bool utf8)
{
	const struct mime_type	*mt = mime_lookup(name);
	const char		*feed;

	if (strcmp(mt->ext, "xml") == 0 &&
	    (feed = mime_sniff_feed(data, len < 1024 ? len : 1024)) != NULL)
		return feed;
	return utf8 ? mt->mime : mt->mime_raw;
}
