/*
 * fuzz_spartan: any bytes as what a Spartan client sends, a request line
 * ended by CRLF (the data block after it is the transport's business).
 *
 * url_parse_spartan, on success: only printable ASCII on the line; the host
 * lower case, made of the host bytes alone, a name without an empty
 * label; the path absolute, clean, valid
 * UTF-8 without control bytes; the length at most SPARTAN_DATA_MAX.  The
 * request written back (host, path percent-encoded, length) parses to the
 * same fields: the parse loses nothing it keeps and is stable.  On failure,
 * an error string for the client.
 */
#include <assert.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "url.h"
#include "utf8.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static bool
all_of(const char *s, const char *set)
{
	return strspn(s, set) == strlen(s);
}

static bool
no_control(const char *s)
{
	for (; *s != '\0'; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			return false;
	return true;
}

/* Write R back as a request line and check that it parses to R again. */
static void
check_round_trip(const struct spartan_request *r)
{
	struct spartan_request	 again;
	struct buf		 line = BUF_INIT;
	const char		*errstr = NULL;
	char			 len[32];
	bool			 v6;

	v6 = strchr(r->host, ':') != NULL;
	buf_adds(&line, v6 ? "[" : "");
	buf_adds(&line, r->host);
	buf_adds(&line, v6 ? "] " : " ");
	url_encode_path(&line, r->path);
	snprintf(len, sizeof(len), " %zu", r->content_length);
	buf_adds(&line, len);
	assert(!line.failed);
	if (line.len <= SPARTAN_REQUEST_MAX) {
		assert(url_parse_spartan(line.data, &again, &errstr) == 0);
		assert(strcmp(again.host, r->host) == 0);
		assert(strcmp(again.path, r->path) == 0);
		assert(again.content_length == r->content_length);
	}
	buf_free(&line);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct spartan_request	 r;
	const uint8_t		*crlf;
	const char		*errstr = NULL;
	char			*line;
	size_t			 len, i;

	/* the line ends at the first CRLF, as the transport reads it */
	crlf = NULL;
	for (i = 0; i + 1 < size; i++)
		if (data[i] == '\r' && data[i + 1] == '\n') {
			crlf = data + i;
			break;
		}
	len = crlf != NULL ? (size_t)(crlf - data) : size;
	if (len > SPARTAN_REQUEST_MAX || memchr(data, '\0', len) != NULL)
		return 0;		/* the transport refuses these first */
	if ((line = malloc(len + 1)) == NULL)
		return 0;
	memcpy(line, data, len);
	line[len] = '\0';

	if (url_parse_spartan(line, &r, &errstr) == 0) {
		for (i = 0; i < len; i++)
			assert(data[i] >= 0x20 && data[i] < 0x7f);
		assert(r.host != NULL && r.host[0] != '\0');
		assert(all_of(r.host, "abcdefghijklmnopqrstuvwxyz0123456789"
		    ".:-"));
		assert(strchr(r.host, ':') != NULL || (r.host[0] != '.' &&
		    strstr(r.host, "..") == NULL &&
		    r.host[strlen(r.host) - 1] != '.'));
		assert(r.path != NULL && r.path[0] == '/');
		assert(strstr(r.path, "//") == NULL);
		assert(strstr(r.path, "/../") == NULL);
		assert(strstr(r.path, "/./") == NULL);
		assert(utf8_is_valid(r.path, strlen(r.path)));
		assert(no_control(r.path));
		assert(r.content_length <= SPARTAN_DATA_MAX);
		check_round_trip(&r);
	} else
		assert(errstr != NULL && errstr[0] != '\0');
	free(line);
	return 0;
}
