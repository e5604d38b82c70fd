/*
 * gopher: the Gopher front-end (RFC 1436).  A selector (with an optional
 * TAB and search words or a Gopher+ suffix) is answered with the menu or
 * file the site rendered for it; "URL:" selectors, caps.txt and HTTP
 * requests that reach the Gopher port get answers of their own.
 */
#ifndef GOPHER_H
#define GOPHER_H

#include "net.h"

#define GOPHER_REQUEST_MAX	1024	/* selector, TAB and query */

extern const struct front gopher_front;

#endif
