/*
 * gemini: the Gemini front-end.  A request line (an absolute gemini://
 * URL) goes through the checks, is looked up in the site, and is answered
 * with a status line and, for 20, the pre-rendered body.
 */
#ifndef GEMINI_H
#define GEMINI_H

#include "net.h"

#define GEMINI_URL_MAX		1024	/* request URL, CRLF excluded */
#define GEMINI_META_MAX		1024
#define GEMINI_PORT		"1965"	/* a URL without a port names it */

enum gemini_status {
	GEMINI_INPUT = 10,
	GEMINI_SUCCESS = 20,
	GEMINI_REDIRECT_TEMPORARY = 30,
	GEMINI_REDIRECT_PERMANENT = 31,
	GEMINI_TEMPORARY_FAILURE = 40,
	GEMINI_SLOW_DOWN = 44,		/* meta: the seconds to wait */
	GEMINI_NOT_FOUND = 51,
	GEMINI_PROXY_REFUSED = 53,
	GEMINI_BAD_REQUEST = 59,
	GEMINI_CERT_REQUIRED = 60,
	GEMINI_CERT_NOT_AUTHORISED = 61,
	GEMINI_CERT_NOT_VALID = 62,
};

extern const struct front gemini_front;

#endif
