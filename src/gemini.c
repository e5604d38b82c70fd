#include <arpa/inet.h>

#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "buf.h"
#include "gemini.h"
#include "mime.h"
#include "partners.h"
#include "site.h"
#include "url.h"

static void	gemini_serve(struct conn *, char *, size_t);
static void	gemini_reject(struct conn *, const char *);

const struct front gemini_front = {
	.name = "gemini",
	.lf_ok = false,			/* the spec wants CRLF */
	.eof_ends = false,
	.line_max = GEMINI_URL_MAX,
	.serve = gemini_serve,
	.reject = gemini_reject,
};

static const char *const status_str[] = {
	[GEMINI_INPUT] = "10", [GEMINI_SUCCESS] = "20",
	[GEMINI_REDIRECT_PERMANENT] = "31", [GEMINI_NOT_FOUND] = "51",
	[GEMINI_PROXY_REFUSED] = "53", [GEMINI_BAD_REQUEST] = "59",
};

/* Answer with a header alone: every status but 20. */
static void
reply(struct conn *c, enum gemini_status status, const char *meta,
    const char *why)
{
	conn_replyf(c, "%d %s\r\n", (int)status, meta);
	conn_done(c, status_str[status], why);
}

static void
gemini_reject(struct conn *c, const char *why)
{
	reply(c, GEMINI_BAD_REQUEST, "Bad request", why);
}

static bool
is_ip_literal(const char *host)
{
	unsigned char	 a[16];

	return inet_pton(AF_INET, host, a) == 1 ||
	    inet_pton(AF_INET6, host, a) == 1;
}

/* 31 to the same path with the trailing slash a folder needs. */
static void
redirect_folder(struct conn *c, const struct site *s, const char *path)
{
	struct buf	 loc = BUF_INIT;

	site_gemini_url(s, path, &loc);
	buf_addc(&loc, '/');
	if (loc.failed || loc.len > GEMINI_META_MAX)
		reply(c, GEMINI_BAD_REQUEST, "Request too long", "redirect");
	else
		reply(c, GEMINI_REDIRECT_PERMANENT, loc.data, NULL);
	buf_free(&loc);
}

/*
 * The partner search: 10 asks for the words, results are rendered from
 * the in-memory index for this request alone.
 */
static void
serve_search(struct conn *c, const struct site *s, struct url *u,
    size_t page, const char *pathq)
{
	struct buf	 out = BUF_INIT;
	const char	*query = pathq, *errstr;

	if (query == NULL) {
		if (u->query == NULL || u->query[0] == '\0') {
			reply(c, GEMINI_INPUT, PARTNERS_PROMPT, NULL);
			return;
		}
		if (url_decode(u->query) == -1) {
			reply(c, GEMINI_BAD_REQUEST, "Bad search query",
			    "bad percent-encoding in query");
			return;
		}
		query = u->query;
	}
	buf_adds(&out, "20 " MIME_GEMTEXT "\r\n");
	if (partners_search(s->partners, query, page, PARTNERS_GEMINI, &out,
	    &errstr) == -1) {
		buf_free(&out);
		reply(c, GEMINI_BAD_REQUEST, "Bad search query", errstr);
		return;
	}
	conn_reply(c, out.data, out.len);
	buf_free(&out);
	conn_done(c, "20", "search");
}

static void
gemini_serve(struct conn *c, char *line, size_t len)
{
	struct site	*s = conn_site(c);
	struct page	*pg;
	struct url	 u;
	const char	*errstr, *sni, *pathq;
	size_t		 page;

	if (url_parse(line, &u, &errstr) == -1) {
		reply(c, GEMINI_BAD_REQUEST, "Bad request", errstr);
		return;
	}
	if (strcmp(u.scheme, "gemini") != 0) {
		reply(c, GEMINI_PROXY_REFUSED, "Only gemini:// is served here",
		    "other scheme");
		return;
	}
	if (strcmp(u.host, s->host) != 0 && !is_ip_literal(u.host)) {
		reply(c, GEMINI_PROXY_REFUSED, "This host is not served here",
		    "other host");
		return;
	}
	sni = conn_sni(c);
	if (sni != NULL && strcasecmp(sni, s->host) != 0 &&
	    strcasecmp(sni, u.host) != 0) {
		reply(c, GEMINI_PROXY_REFUSED, "This host is not served here",
		    "SNI names another host");
		return;
	}
	if (u.port != NULL && strcmp(u.port, s->gemini_port) != 0) {
		reply(c, GEMINI_PROXY_REFUSED, "This port is not served here",
		    "other port");
		return;
	}
	if ((pg = site_lookup(s, u.path)) != NULL) {
		conn_reply_ref(c, pg->gemini_hdr, pg->gemini_hdr_len);
		conn_reply_ref(c, pg->body, pg->body_len);
		conn_done(c, "20", NULL);
		return;
	}
	if (site_is_folder(s, u.path)) {
		redirect_folder(c, s, u.path);
		return;
	}
	if (s->partners != NULL &&
	    partners_is_search(s->partners, u.path, &page, &pathq)) {
		serve_search(c, s, &u, page, pathq);
		return;
	}
	reply(c, GEMINI_NOT_FOUND, "Not found", NULL);
}
