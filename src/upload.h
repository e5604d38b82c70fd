/*
 * upload: Titan on the Gemini listeners.  What the request line decides
 * (host, port, folder open, token, size, type, a new file) is answered
 * before a byte of the body is read; the write (publish.c) runs off the
 * loop, then the host reloads and the client is sent to the page.
 */
#ifndef UPLOAD_H
#define UPLOAD_H

#include <stdbool.h>
#include <stddef.h>

struct conn;
struct titan_rule;

/* The request line LINE is a Titan request ("titan:", any case). */
bool	upload_is_titan(const char *, size_t);

/*
 * The front's data_len for a Titan line: the size of the body to read,
 * or 0 when there is none (;edit, size=0) or the request is refused
 * (upload_serve() then answers without reading it).
 */
size_t	upload_data_len(struct conn *, const char *, size_t);

/* Answer the Titan request LINE, with the body conn_data() holds. */
void	upload_serve(struct conn *, char *, size_t);

enum titan_auth {
	TITAN_AUTH_OK,
	TITAN_AUTH_NONE_SET,	/* no token and no writers: nobody writes */
	TITAN_AUTH_MISSING,	/* a token is needed, none came */
	TITAN_AUTH_WRONG,	/* a token came, not the one */
};

/*
 * The one place that decides who may upload under the rule R: the
 * request's TOKEN (or NULL) against R's, compared in constant time, and
 * CERT_SHA256, the client certificate's SHA-256 digest (or NULL: none).
 */
enum titan_auth titan_allowed(const struct titan_rule *, const char *,
	    const unsigned char *);

#endif
