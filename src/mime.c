#include <string.h>
#include <strings.h>

#include "mime.h"

/* Text types carry lang=de where the capsule's text is German. */
static const struct mime_type types[] = {
	{ "gmi",	MIME_GEMTEXT,				'1' },
	{ "gemini",	MIME_GEMTEXT,				'1' },
	{ "txt",	"text/plain; charset=utf-8",		'0' },
	{ "md",		"text/markdown; charset=utf-8",		'0' },
	{ "csv",	"text/csv; charset=utf-8",		'0' },
	{ "xml",	"application/xml",			'0' },
	{ "atom",	"application/atom+xml",			'0' },
	{ "html",	"text/html; charset=utf-8",		'h' },
	{ "htm",	"text/html; charset=utf-8",		'h' },
	{ "gif",	"image/gif",				'g' },
	{ "png",	"image/png",				'I' },
	{ "jpg",	"image/jpeg",				'I' },
	{ "jpeg",	"image/jpeg",				'I' },
	{ "webp",	"image/webp",				'I' },
	{ "svg",	"image/svg+xml",			'I' },
	{ "ico",	"image/vnd.microsoft.icon",		'I' },
	{ "pdf",	"application/pdf",			'9' },
	{ "zip",	"application/zip",			'9' },
	{ "gz",		"application/gzip",			'9' },
	{ "mp3",	"audio/mpeg",				's' },
	{ "ogg",	"audio/ogg",				's' },
	{ "wav",	"audio/wav",				's' },
};

static const struct mime_type fallback = {
	"", "application/octet-stream", '9'
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
