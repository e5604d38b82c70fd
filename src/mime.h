/*
 * mime: one table from file name extension to MIME type and Gopher item
 * type (pure).
 */
#ifndef MIME_H
#define MIME_H

#include <stdbool.h>

struct mime_type {
	const char	*ext;		/* without the dot, lower case */
	const char	*mime;		/* as sent in a Gemini 20 header */
	const char	*mime_raw;	/* without "; charset=utf-8": for */
					/* text that is not UTF-8 */
	char		 gopher;	/* RFC 1436 item type */
};

/* The language of a page is the host's: render.c adds "; lang=". */
#define MIME_GEMTEXT	"text/gemini"
#define MIME_ATOM	"application/atom+xml"
#define MIME_RSS	"application/rss+xml"

/*
 * The type of the file named PATH, by its extension (case ignored).
 * Never NULL: unknown files are application/octet-stream, type '9'.
 */
const struct mime_type	*mime_lookup(const char *);

/* True for gemtext: the name ends in .gmi or .gemini (case ignored). */
bool	mime_is_gemtext(const char *);

/*
 * The feed type of LEN bytes of XML at DATA (its first kilobyte will do):
 * MIME_ATOM for a <feed> document, MIME_RSS for <rss>, else NULL.
 */
const char	*mime_sniff_feed(const char *, size_t);

/*
 * The MIME type of the file NAME, whose first bytes are DATA (LEN): text
 * gets a charset only when it is UTF-8 (UTF8), XML that is a feed its
 * feed type (mime_sniff_feed() on the first kilobyte).
 */
const char	*mime_file(const char *, const char *, size_t, bool);

#endif
