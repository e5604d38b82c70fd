/*
 * fuzz_titan: any bytes as a Titan request line (the transport hands the
 * line without its CRLF and refuses a NUL before the front-end sees it).
 *
 * titan_parse, on success: the scheme "titan", no query; a host; the
 * path absolute, clean, UTF-8 without control bytes; a size (at most
 * TITAN_SIZE_MAX) unless ";edit", never both; the values decoded, UTF-8
 * without control bytes.  On failure, an error string for the client.
 */
#include <assert.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "titan.h"
#include "utf8.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static bool
clean_text(const char *s)
{
	const unsigned char	*p;

	if (s == NULL)
		return true;
	for (p = (const unsigned char *)s; *p != '\0'; p++)
		if (*p < 0x20 || *p == 0x7f)
			return false;
	return utf8_is_valid(s, strlen(s));
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct titan_request	 r;
	const char		*errstr = NULL;
	char			*line;

	if (size > URL_MAX || memchr(data, '\0', size) != NULL)
		return 0;
	if ((line = malloc(size + 1)) == NULL)
		return 0;
	memcpy(line, data, size);
	line[size] = '\0';
	if (titan_parse(line, &r, &errstr) == 0) {
		assert(strcmp(r.url.scheme, "titan") == 0);
		assert(r.url.query == NULL);
		assert(r.url.host != NULL && r.url.host[0] != '\0');
		assert(r.url.path != NULL && r.url.path[0] == '/');
		assert(strstr(r.url.path, "/../") == NULL);
		assert(strstr(r.url.path, "//") == NULL);
		assert(clean_text(r.url.path));
		assert(r.edit != r.has_size);
		assert(r.size <= TITAN_SIZE_MAX);
		assert(r.has_size || r.size == 0);
		assert(clean_text(r.mime) && clean_text(r.token));
		assert((r.nunknown == 0) == (r.unknown == NULL));
	} else
		assert(errstr != NULL && errstr[0] != '\0');
	free(line);
	return 0;
}
