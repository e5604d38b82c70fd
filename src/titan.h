/*
 * titan: a Titan request line (titan://HOST[:PORT]/PATH;size=N;mime=T;
 * token=T, or PATH;edit) parsed in place (pure).  The host, port and
 * path are checked as Gemini's (url.c); the parameters come in any
 * order, their values percent-decoded.
 */
#ifndef TITAN_H
#define TITAN_H

#include <stdbool.h>
#include <stdint.h>

#include "url.h"

#define TITAN_SIZE_MAX	INT64_MAX	/* a size past 2^63 - 1 is refused */

struct titan_request {
	struct url	 url;		/* scheme "titan"; query always NULL */
	uint64_t	 size;		/* bytes that follow; 0 if !has_size */
	bool		 has_size;
	bool		 edit;		/* PATH;edit: the source, no body */
	char		*mime;		/* decoded, or NULL */
	char		*token;		/* decoded, or NULL */
	const char	*unknown;	/* the first parameter ignored (its
					   name, decoded), or NULL */
	unsigned int	 nunknown;	/* how many were ignored */
};

/*
 * Parse the Titan request line S (CRLF stripped), which is modified: the
 * fields of R point into it.  The parameters start at the path's first
 * ";" (a ";" in a file name is sent as %3B).  Refuses what url_parse()
 * refuses, another scheme, a query, a parameter given twice, a size that
 * is missing (unless ";edit"), not decimal or over TITAN_SIZE_MAX, ";edit"
 * with a size or a value, and a value with a bad escape, %00 or a control
 * byte; an unknown parameter is ignored (counted in nunknown).  Returns 0,
 * or -1 with errstr set to a message fit for the client.
 */
int	titan_parse(char *, struct titan_request *, const char **);

#endif
