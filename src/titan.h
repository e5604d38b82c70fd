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

struct conf_host;

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

/*
 * The upload rule for a path: each setting from the longest location
 * above the path that sets it, else from its host.  What it borrows
 * lives as long as the configuration.
 */
struct titan_rule {
	bool		 on;		/* titan on */
	const char	*token;		/* NULL: none */
	uint64_t	 max;		/* bytes */
	const char *const *types;	/* the accepted types */
	size_t		 ntypes;
	bool		 create;	/* may make a new file */
	bool		 delete;	/* size=0 deletes */
};

/* The rule for the decoded, absolute PATH on the host H. */
void	titan_rule(const struct conf_host *, const char *,
	    struct titan_rule *);

/*
 * The folder H's uploads keep old versions in, into OUT (of LEN): its
 * "history", or the capsule folder's path with ".history" after it.
 * Returns 0, or -1 if it does not fit.
 */
int	titan_history(const struct conf_host *, char *, size_t);

/* True if any path of H is open for uploads. */
bool	titan_host_open(const struct conf_host *);

/*
 * True if the media type MIME (parameters after ";" ignored, any case)
 * is one R accepts.
 */
bool	titan_type_ok(const struct titan_rule *, const char *);

#endif
