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

extern const struct front spartan_front;

#endif
