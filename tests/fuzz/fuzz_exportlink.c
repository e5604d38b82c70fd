/*
 * fuzz_exportlink: any bytes as a gemtext line and a host name, through
 * export_link_path, which picks the links --export and /capsule.tar leave
 * out when they lead to a search.
 *
 * The host is the input's first bytes up to a NUL (at most 63), the line
 * the rest.  On success: the line is a link line ("=>"); the path lies
 * inside the line, starts with one "/" and holds no space, tab, CR or LF;
 * a line that does not name a gemini:// URL has it right after the
 * link's blanks.
 */
#include <assert.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <strings.h>

#include "export.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char		 host[64];
	const char	*line, *path, *url;
	const uint8_t	*nul;
	size_t		 hlen, len, plen, i;

	if ((nul = memchr(data, '\0', size < 64 ? size : 64)) == NULL)
		return 0;
	hlen = (size_t)(nul - data);
	memcpy(host, data, hlen);
	host[hlen] = '\0';
	line = (const char *)nul + 1;
	len = size - hlen - 1;
	if (!export_link_path(line, len, host, &path, &plen))
		return 0;
	assert(len >= 3 && line[0] == '=' && line[1] == '>');
	assert(path > line && path + plen <= line + len && plen >= 1);
	assert(path[0] == '/');
	for (i = 0; i < plen; i++)
		assert(path[i] != ' ' && path[i] != '\t' && path[i] != '\r' &&
		    path[i] != '\n');
	for (url = line + 2; *url == ' ' || *url == '\t'; url++)
		;
	if ((size_t)(line + len - url) < 9 ||
	    strncasecmp(url, "gemini://", 9) != 0)
		assert(path == url && (plen == 1 || path[1] != '/'));
	return 0;
}
