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
	TITAN_AUTH_CERT,	/* the writers rule refuses the certificate
				   (or its absence): *CERT_STATUS says 60,
				   61 or 62 */
};

/*
 * The one place that decides who may upload PATH under the rule R and the
 * host's access rules A (access.h; NULL: none).  A certificate in the deny
 * list that applies is refused.  Where a writers list applies, a
 * certificate in it (SHA-256 FP, NULL for none, within its validity:
 * VALID) may write; a client without one may still write with the token
 * if R sets one.  Elsewhere the token decides, compared in constant time;
 * with neither a writers list nor a token nobody writes.
 */
struct access_rules;
enum titan_auth titan_allowed(const struct titan_rule *,
	    const struct access_rules *, const char *, const char *,
	    const unsigned char *, bool, int *);

#endif
