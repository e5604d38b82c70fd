/*
 * spartan: the Spartan front-end (spartan://, plain TCP).  A request line
 * HOST SP PATH SP CONTENT-LENGTH CRLF, then that many bytes of data, is
 * routed like a Gemini request and answered with "2 mime", "3 /path",
 * "4 message" or "5 message" and, for 2, the same gemtext as Gemini, in
 * which links to a search that Gemini answers with 10 are "=:" lines: the
 * client sends what the user types as the data block.
 */
#ifndef SPARTAN_H
#define SPARTAN_H

#include "net.h"

struct buf;
struct page;
struct site;

extern const struct front spartan_front;

/* The renderer of the protocol table: fill PG->out[PROTO_SPARTAN]. */
int	spartan_render(const struct site *, struct page *);

/*
 * Append the gemtext TEXT (LEN bytes) of the page at PATH to OUT with
 * every "=>" line whose local target asks for input (route() says
 * ROUTE_INPUT) made an "=:" line; everything else byte for byte.
 * Returns the number of lines changed.
 */
size_t	spartan_gemtext(const struct site *, const char *, const char *,
	    size_t, struct buf *);

#endif
