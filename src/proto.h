/*
 * proto: the protocols zeche serves, as an index into the per-protocol
 * columns of the model (a page's rendered bytes, a site's ports).
 */
#ifndef PROTO_H
#define PROTO_H

#include <stddef.h>

enum proto {
	PROTO_GEMINI,
	PROTO_GOPHER,
	PROTO_SPARTAN,
	PROTO_COUNT
};

/*
 * What one protocol sends for a page: HEAD (a status line, or NULL for
 * none), then DATA, or the page's body when DATA is NULL.
 */
struct blob {
	char	*head;		/* owned (or shared: heads_kept), or NULL */
	size_t	 head_len;
	char	*data;		/* owned, or NULL: the page's body */
	size_t	 len;
};

#endif
