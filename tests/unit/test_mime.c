/*
 * test_mime: a file's MIME type from its name and first bytes (src/mime.c).
 */
#include <stdbool.h>
#include <string.h>

#include "check.h"
#include "mime.h"

#define ATOM	"<?xml version=\"1.0\"?>\n<feed xmlns=\"x\">"
#define RSS	"<?xml version=\"1.0\"?>\n<rss version=\"2.0\">"

int
main(void)
{
	char	 big[2048];

	/* text: a charset only when it is UTF-8 */
	CHECK_STR(mime_file("a.txt", "hi", 2, true),
	    "text/plain; charset=utf-8");
	CHECK_STR(mime_file("a.txt", "hi", 2, false), "text/plain");
	CHECK_STR(mime_file("a.gmi", "# x", 3, true), MIME_GEMTEXT);
	CHECK_STR(mime_file("a.bin", "", 0, true),
	    "application/octet-stream");

	/* XML: a feed is sniffed, anything else stays application/xml */
	CHECK_STR(mime_file("f.xml", ATOM, strlen(ATOM), true), MIME_ATOM);
	CHECK_STR(mime_file("f.XML", RSS, strlen(RSS), false), MIME_RSS);
	CHECK_STR(mime_file("f.xml", "<html>", 6, true), "application/xml");
	/* the sniff is not the name: a .txt holding a feed is text */
	CHECK_STR(mime_file("f.txt", ATOM, strlen(ATOM), false), "text/plain");

	/* only the first kilobyte is read: a root past it is not seen */
	memset(big, ' ', sizeof(big));
	memcpy(big + 1100, "<feed>", 6);
	CHECK_STR(mime_file("f.xml", big, sizeof(big), true),
	    "application/xml");
	memcpy(big + 10, "<feed>", 6);
	CHECK_STR(mime_file("f.xml", big, sizeof(big), true), MIME_ATOM);

	CHECK_DONE();
}
