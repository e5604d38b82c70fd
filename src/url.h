/*
 * url: parse absolute gemini:// request URLs and Spartan request lines in
 * place, percent-decode, normalise paths and resolve relative references
 * (pure).
 */
#ifndef URL_H
#define URL_H

#include <stddef.h>

struct buf;

#define URL_MAX		1024	/* Gemini: a request URL is at most 1024 bytes */

struct url {
	char	*scheme;	/* lower-cased */
	char	*host;		/* lower-cased, no trailing dot, no brackets */
	char	*port;		/* digits, or NULL when absent */
	char	*path;		/* decoded and normalised, always starts "/" */
	char	*query;		/* still percent-encoded, or NULL */
};

/*
 * Parse the absolute URL in S, which is modified: the fields of U point
 * into it.  Rejects what a server must refuse: no scheme, userinfo, a
 * fragment, an empty host, a bad port, spaces and control bytes, %00,
 * anything that is not UTF-8 once decoded, and a path whose ".."
 * segments (also percent-encoded ones) climb above the root.  Returns 0,
 * or -1 with errstr set.
 */
int	url_parse(char *, struct url *, const char **);

#define SPARTAN_REQUEST_MAX	1024	/* request line, CRLF excluded */
#define SPARTAN_DATA_MAX	4096	/* data block: search words */

/* A Spartan request line: HOST SP PATH SP CONTENT-LENGTH. */
struct spartan_request {
	char	*host;		/* lower case, no trailing dot or brackets */
	char	*path;		/* decoded, normalised, starts with "/" */
	size_t	 content_length;	/* <= SPARTAN_DATA_MAX */
};

/*
 * Parse the Spartan request line S (CRLF stripped), which is modified:
 * the fields of R point into it.  Refuses non-ASCII and control bytes, a
 * line not made of three fields with single spaces, a host with anything
 * but letters, digits, ".", "-" and ":" (IPv6, in brackets or not) or a
 * name with an empty label (a name's one trailing dot is dropped), a
 * content length that is not decimal or is over SPARTAN_DATA_MAX, and a
 * path that is not absolute, has a bad escape or %00, is not UTF-8 once
 * decoded, holds a control byte, or whose ".." segments climb above the
 * root.  Dot segments are resolved as for Gemini.  Returns 0, or -1 with
 * errstr set to a message fit for the client.
 */
int	url_parse_spartan(char *, struct spartan_request *, const char **);

/*
 * Percent-decode S in place.  Returns the new length, or -1 on a bad
 * escape or an encoded NUL.
 */
int	url_decode(char *);

/*
 * Normalise the absolute path P in place: collapse "//", drop "." and
 * resolve ".." segments; ".." at the root stays at the root.  A trailing
 * slash is kept.  Returns 0, or -1 if a ".." climbed above the root (P
 * is cleaned all the same; a request doing this is refused).
 */
int	url_path_clean(char *);

/*
 * Resolve the reference REF (a link target in a capsule page) against the
 * absolute path BASE of that page and write the absolute, normalised path
 * to OUT.  Returns 0, or -1 if REF is not a path on this capsule (it has
 * a scheme or starts with "//").
 */
int	url_resolve_path(const char *, const char *, struct buf *);

/*
 * The local path of URL if it is an address on this capsule itself:
 * gemini://HOST[:PORT]/path, the host in any case, with or without a
 * trailing dot, the port left out only when PORT is 1965.  The path is
 * decoded and normalised into OUT.  Returns 0, or -1 if URL is not one.
 */
int	url_own_path(const char *, const char *, const char *, struct buf *);

/*
 * Append S to OUT with every byte outside the RFC 3986 "unreserved" set
 * and "/" percent-encoded.
 */
void	url_encode_path(struct buf *, const char *);

#endif
