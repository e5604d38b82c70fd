/*
 * accesslog: the access line, in zeche's style or the combined format.
 * Handed finished, escaped fields by the transport; knows no connection,
 * writes through log.c.
 */
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "accesslog.h"
#include "log.h"

static atomic_int	 style = ACCESSLOG_ZECHE;	/* read by every worker */

void
accesslog_set_style(enum accesslog_style s)
{
	atomic_store_explicit(&style, (int)s, memory_order_relaxed);
}

/* Gemini's status NN: the HTTP status of the same meaning. */
static int
gemini_http(int st)
{
	static const struct {
		int	 gemini, http;
	} map[] = {
		{ 10, 100 }, { 11, 101 }, { 20, 200 }, { 30, 302 },
		{ 31, 301 }, { 40, 500 }, { 41, 503 }, { 42, 502 },
		{ 43, 504 }, { 44, 429 }, { 50, 422 }, { 51, 404 },
		{ 52, 410 }, { 53, 421 }, { 59, 400 }, { 60, 401 },
		{ 61, 403 }, { 62, 495 },
	};
	size_t	 i;

	for (i = 0; i < sizeof(map) / sizeof(map[0]); i++)
		if (map[i].gemini == st)
			return map[i].http;
	return st / 10 * 100;		/* one the map does not name */
}

int
accesslog_http_status(const char *proto, const char *status)
{
	if (status == NULL || status[0] == '\0')
		return 0;
	if (strcmp(proto, "gopher") == 0)
		return strcmp(status, "3") == 0 ? 404 : 200;
	if (status[0] < '1' || status[0] > '6')
		return 500;
	if (status[1] == '\0')				/* Spartan */
		return status[0] == '3' ? 302 : (status[0] - '0') * 100;
	if (status[1] < '0' || status[1] > '9' || status[2] != '\0')
		return 500;
	return gemini_http((status[0] - '0') * 10 + status[1] - '0');
}

/*
 * The request field's URL: Gemini's URL as sent; Spartan's line
 * "HOST PATH LENGTH" as spartan://HOST/PATH; Gopher's selector as sent
 * ("/" for the empty one).  Spaces are written %20: the field is
 * "METHOD URL PROTOCOL".
 */
static size_t
request_url(char *dst, size_t size, const struct accesslog_line *a)
{
	const char	*r = a->req, *sp, *end;
	size_t		 o = 0;

	if (size < 2)
		return 0;
	end = r + strlen(r);
	if (strcmp(a->proto, "spartan") == 0 && (sp = strchr(r, ' ')) !=
	    NULL) {
		o = (size_t)snprintf(dst, size, "spartan://%.*s", (int)(sp - r),
		    r);
		if (o >= size)
			o = size - 1;
		r = sp + 1;
		if ((sp = strrchr(r, ' ')) != NULL)
			end = sp;
	} else if (r[0] == '\0') {
		r = "/";
		end = r + 1;
	}
	for (; r < end && o + 4 < size; r++) {
		if (*r == ' ') {
			memcpy(dst + o, "%20", 3);
			o += 3;
		} else
			dst[o++] = *r;
	}
	dst[o] = '\0';
	return o;
}

size_t
accesslog_combined(char *dst, size_t size, const struct accesslog_line *a,
    time_t t)
{
	static const char *const mon[] = { "Jan", "Feb", "Mar", "Apr", "May",
	    "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec" };
	struct tm	 tm;
	char		 url[1200], peer[64];
	size_t		 n;
	int		 r;

	if (size == 0)
		return 0;
	gmtime_r(&t, &tm);
	request_url(url, sizeof(url), a);
	snprintf(peer, sizeof(peer), "%s", a->peer);
	n = strlen(peer);
	while (n > 0 && peer[n - 1] == ' ')
		peer[--n] = '\0';
	r = snprintf(dst, size, "%s - - [%02d/%s/%04d:%02d:%02d:%02d +0000] "
	    "\"GET %s HTTP/1.0\" %d %zu \"-\" \"-\"\n", n > 0 ? peer : "-",
	    tm.tm_mday, mon[tm.tm_mon % 12], tm.tm_year + 1900, tm.tm_hour,
	    tm.tm_min, tm.tm_sec, url, accesslog_http_status(a->proto,
	    a->status), a->sent);
	if (r < 0)
		return 0;
	if ((size_t)r >= size) {
		dst[size - 2] = '\n';		/* still one line */
		return size - 1;
	}
	return (size_t)r;
}

void
accesslog_log(const struct accesslog_line *a)
{
	char	 cut[96], line[1600];
	size_t	 n;

	if (a->status == NULL && a->why[0] == '\0' && a->cut == NULL)
		return;
	if (a->status != NULL && atomic_load_explicit(&style,
	    memory_order_relaxed) == ACCESSLOG_COMBINED) {
		n = accesslog_combined(line, sizeof(line), a, time(NULL));
		log_line(line, n);
		return;
	}
	/*
	 * protocol, [client], "request", status, [why], [cut], then the
	 * host, the bytes sent and the duration
	 */
	cut[0] = '\0';
	if (a->cut != NULL)
		snprintf(cut, sizeof(cut), "cut (%s): %zu of %lld bytes sent",
		    a->cut, a->sent, a->queued);
	log_info("%s %s\"%s\" %s%s%s%s%s (%s, %zu bytes, %lld ms)",
	    a->proto, a->peer, a->req, a->status ? a->status : "-",
	    a->why[0] ? " " : "", a->why, cut[0] ? " " : "", cut,
	    a->host ? a->host : "-", a->sent, a->ms);
}
