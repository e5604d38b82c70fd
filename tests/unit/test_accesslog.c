/*
 * access: the combined line that GoAccess reads (its fields, the date,
 * the URL per protocol, a line that does not fit) and the HTTP status
 * written for each Gemini, Spartan and Gopher status.
 */
#include <string.h>
#include <time.h>

#include "accesslog.h"
#include "check.h"

static const time_t	 T = 1796668800;	/* 2026-12-07 18:40:00 UTC */

static const char *
line(const char *proto, const char *peer, const char *req,
    const char *status, size_t sent)
{
	static char		 buf[2048];
	struct accesslog_line	 a = { proto, peer, req, status, "", NULL,
				    "localhost", sent, (long long)sent, 1 };

	accesslog_combined(buf, sizeof(buf), &a, T);
	return buf;
}

static void
test_combined_fields(void)
{
	CHECK_STR(line("gemini", "192.0.2.1 ", "gemini://localhost/a?b", "20",
	    123), "192.0.2.1 - - [07/Dec/2026:18:40:00 +0000] \"GET "
	    "gemini://localhost/a?b HTTP/1.0\" 200 123 \"-\" \"-\"\n");
	/* no address logged (log_ip off) */
	CHECK_STR(line("gemini", "", "gemini://localhost/", "51", 0),
	    "- - - [07/Dec/2026:18:40:00 +0000] \"GET gemini://localhost/ "
	    "HTTP/1.0\" 404 0 \"-\" \"-\"\n");
	CHECK_STR(line("gopher", "::1 ", "", "1", 5), "::1 - - "
	    "[07/Dec/2026:18:40:00 +0000] \"GET / HTTP/1.0\" 200 5 \"-\" "
	    "\"-\"\n");
	CHECK_STR(line("gopher", "", "/no such", "3", 5), "- - - "
	    "[07/Dec/2026:18:40:00 +0000] \"GET /no%20such HTTP/1.0\" 404 5 "
	    "\"-\" \"-\"\n");
	CHECK_STR(line("spartan", "", "localhost /dir/x 0", "2", 9), "- - - "
	    "[07/Dec/2026:18:40:00 +0000] \"GET spartan://localhost/dir/x "
	    "HTTP/1.0\" 200 9 \"-\" \"-\"\n");
	/* a request that was no Spartan line at all */
	CHECK_STR(line("spartan", "", "garbage", "4", 9), "- - - "
	    "[07/Dec/2026:18:40:00 +0000] \"GET garbage HTTP/1.0\" 400 9 "
	    "\"-\" \"-\"\n");
}

static void
test_combined_too_long(void)
{
	struct accesslog_line	 a = { "gemini", "", "gemini://x/", "20", "",
				    NULL, NULL, 1, 1, 1 };
	char			 buf[40];
	size_t			 n;

	n = accesslog_combined(buf, sizeof(buf), &a, T);
	CHECK(n == sizeof(buf) - 1);
	CHECK(buf[n - 1] == '\n' && strchr(buf, '\n') == buf + n - 1);
}

static void
test_http_status(void)
{
	CHECK(accesslog_http_status("gemini", "10") == 100);
	CHECK(accesslog_http_status("gemini", "11") == 101);
	CHECK(accesslog_http_status("gemini", "20") == 200);
	CHECK(accesslog_http_status("gemini", "30") == 302);
	CHECK(accesslog_http_status("gemini", "31") == 301);
	CHECK(accesslog_http_status("gemini", "40") == 500);
	CHECK(accesslog_http_status("gemini", "41") == 503);
	CHECK(accesslog_http_status("gemini", "44") == 429);
	CHECK(accesslog_http_status("gemini", "50") == 422);
	CHECK(accesslog_http_status("gemini", "51") == 404);
	CHECK(accesslog_http_status("gemini", "52") == 410);
	CHECK(accesslog_http_status("gemini", "53") == 421);
	CHECK(accesslog_http_status("gemini", "59") == 400);
	CHECK(accesslog_http_status("gemini", "60") == 401);
	CHECK(accesslog_http_status("gemini", "61") == 403);
	CHECK(accesslog_http_status("gemini", "62") == 495);
	CHECK(accesslog_http_status("gemini", "45") == 400);  /* unnamed: class */
	CHECK(accesslog_http_status("gemini", "2x") == 500);
	CHECK(accesslog_http_status("gemini", "200") == 500);
	CHECK(accesslog_http_status("spartan", "2") == 200);
	CHECK(accesslog_http_status("spartan", "3") == 302);
	CHECK(accesslog_http_status("spartan", "4") == 400);
	CHECK(accesslog_http_status("spartan", "5") == 500);
	CHECK(accesslog_http_status("gopher", "0") == 200);
	CHECK(accesslog_http_status("gopher", "1") == 200);
	CHECK(accesslog_http_status("gopher", "+") == 200);
	CHECK(accesslog_http_status("gopher", "3") == 404);
}

int
main(void)
{
	test_combined_fields();
	test_combined_too_long();
	test_http_status();
	CHECK_DONE();
}
