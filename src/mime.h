/*
 * mime: one table from file name extension to MIME type and Gopher item
 * type (pure).
 */
#ifndef MIME_H
#define MIME_H

struct mime_type {
	const char	*ext;		/* without the dot, lower case */
	const char	*mime;		/* as sent in a Gemini 20 header */
	char		 gopher;	/* RFC 1436 item type */
};

#define MIME_GEMTEXT	"text/gemini; lang=de"

/*
 * The type of the file named PATH, by its extension (case ignored).
 * Never NULL: unknown files are application/octet-stream, type '9'.
 */
const struct mime_type	*mime_lookup(const char *);

#endif
