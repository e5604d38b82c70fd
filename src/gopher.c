#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "buf.h"
#include "gopher.h"
#include "gemtext.h"
#include "gophermap.h"
#include "hostrate.h"
#include "render.h"
#include "log.h"
#include "msg.h"
#include "route.h"
#include "server.h"
#include "site.h"
#include "url.h"

static void	gopher_serve(struct conn *, char *, size_t);
static void	gopher_reject(struct conn *, const char *);
static void	gopher_slow_down(struct conn *, unsigned int);

const struct front gopher_front = {
	.name = "gopher",
	.lf_ok = true,			/* many clients send a bare LF */
	.eof_ends = true,		/* and some only half-close */
	.line_max = GOPHER_REQUEST_MAX,
	.serve = gopher_serve,
	.reject = gopher_reject,
	.slow_down = gopher_slow_down,
};

/*
 * Links on from an error about PATH (or NULL): to the nearest folder
 * above it that the site serves, titled as that page is, and home.
 */
static void
add_error_links(struct buf *out, const struct site *s, const char *path)
{
	const struct page	*pg = NULL;
	char			 up[GOPHER_SELECTOR_MAX + 2], *slash;
	size_t			 len;

	gophermap_add_item(out, 'i', "", "", "null.host", "1");
	if (path != NULL && (len = strlen(path)) < sizeof(up)) {
		memcpy(up, path, len + 1);
		while (len > 1 && pg == NULL) {
			up[--len] = '\0';	/* drop a trailing "/" */
			if ((slash = strrchr(up, '/')) == NULL)
				break;
			slash[1] = '\0';
			len = strlen(up);
			pg = site_lookup(s, up);
		}
	}
	if (pg != NULL && strcmp(pg->path, "/") != 0)
		gophermap_add_item(out, '1', pg->is_gemtext &&
		    pg->doc.title != NULL ? pg->doc.title : msg_get(s->msg,
		    MSG_UP), pg->path, s->host, s->port[PROTO_GOPHER]);
	gophermap_add_item(out, '1', msg_get(s->msg, MSG_HOME), "/", s->host,
	    s->port[PROTO_GOPHER]);
}

static struct site	*listener_site(struct conn *);

/*
 * How Gopher says "error": a type 3 line, then links on, so that a
 * reader is not left at a dead end.  PATH is the path asked for, or NULL.
 * A Gopher+ request (PLUS) gets the Gopher+ error, "--1" and the text.
 */
static void
error_menu(struct conn *c, const char *msg, const char *why,
    const char *path, char plus)
{
	struct buf	 out = BUF_INIT;

	if (plus != 0) {
		buf_adds(&out, "--1\r\n1 zeche\r\n");
		buf_adds(&out, msg);
		buf_adds(&out, "\r\n.\r\n");
	} else {
		gophermap_add_item(&out, '3', msg, "", "null.host", "1");
		add_error_links(&out, listener_site(c), path);
		gophermap_end(&out);
	}
	conn_reply(c, out.data, out.len);
	buf_free(&out);
	conn_done(c, "3", why);
}

/*
 * Gopher requests name no host: the listener the connection came in on
 * serves one.
 */
static const struct vhost *
listener_host(struct conn *c)
{
	const struct server	*srv = conn_ctx(c);
	const struct sockaddr	*sa = NULL;
	const struct vhost	*vh;
	socklen_t		 len;

	/* the address (a system call) only where it decides */
	if (server_listeners_differ(srv, PROTO_GOPHER))
		sa = conn_local_addr(c, &len);
	vh = server_listener_host(srv, PROTO_GOPHER, sa);
	conn_set_host(c, vh->conf->name);
	return vh;
}

static struct site *
listener_site(struct conn *c)
{
	return listener_host(c)->site;
}

static void
gopher_reject(struct conn *c, const char *why)
{
	const struct site	*s = listener_site(c);
	char			 msg[160];

	snprintf(msg, sizeof(msg), msg_get(s->msg, MSG_ERROR), why);
	error_menu(c, msg, why, NULL, 0);
}

/* Too many requests: an error item with the seconds to wait. */
static void
gopher_slow_down(struct conn *c, unsigned int seconds)
{
	const struct site	*s = listener_site(c);
	char			 msg[160];

	snprintf(msg, sizeof(msg), msg_get(s->msg, MSG_SLOW_DOWN), seconds);
	error_menu(c, msg, "rate limit", NULL, 0);
}

/* A small HTML page, with an HTTP header when HTTP_STATUS is set. */
static void
html_reply(struct conn *c, const struct site *s, const char *http_status,
    const char *title, const char *head_extra, const struct buf *body,
    const char *status, const char *why)
{
	struct buf	 doc = BUF_INIT, out = BUF_INIT;

	buf_adds(&doc, "<!DOCTYPE html>\n<html");
	if (s->lang != NULL) {
		buf_adds(&doc, " lang=\"");
		buf_add_markup(&doc, s->lang, strlen(s->lang));
		buf_adds(&doc, "\"");
	}
	buf_adds(&doc, ">\n<head>\n<meta charset=\"utf-8\">\n<title>");
	buf_add_markup(&doc, title, strlen(title));
	buf_addf(&doc, "</title>\n%s</head>\n<body>\n", head_extra);
	buf_add(&doc, body->data, body->len);
	buf_adds(&doc, "</body>\n</html>\n");
	if (http_status != NULL)
		buf_addf(&out, "HTTP/1.0 %s\r\nContent-Type: text/html; "
		    "charset=utf-8\r\nContent-Length: %zu\r\n"
		    "Connection: close\r\n\r\n", http_status, doc.len);
	buf_add(&out, doc.data, doc.len);
	conn_reply(c, out.data, out.len);
	buf_free(&doc);
	buf_free(&out);
	conn_done(c, status, why);
}

static bool
is_http(const char *line)
{
	static const char *const methods[] = {
		"GET ", "HEAD ", "POST ", "PUT ", "DELETE ", "OPTIONS ",
	};
	size_t	 i;

	for (i = 0; i < sizeof(methods) / sizeof(methods[0]); i++)
		if (strncmp(line, methods[i], strlen(methods[i])) == 0)
			return strstr(line, " HTTP/") != NULL;
	return false;
}

/* An HTML list item linking to URL (none when it is empty). */
static void
link_item(struct buf *body, const struct buf *url)
{
	if (url->len == 0)
		return;
	buf_adds(body, "<li><a href=\"");
	buf_add_markup(body, url->data, url->len);
	buf_adds(body, "\">");
	buf_add_markup(body, url->data, url->len);
	buf_adds(body, "</a></li>\n");
}

/* A web browser on the Gopher port: say where the capsule really is. */
static void
serve_http(struct conn *c, const struct site *s)
{
	struct buf	 body = BUF_INIT, url = BUF_INIT;
	const char	*http_text, *title = msg_get(s->msg, MSG_HTTP_TITLE);

	http_text = msg_get(s->msg, s->port[PROTO_SPARTAN] != NULL ?
	    MSG_HTTP_TEXT_SPARTAN : MSG_HTTP_TEXT);
	buf_adds(&body, "<h1>");
	buf_add_markup(&body, title, strlen(title));
	buf_adds(&body, "</h1>\n<p>");
	buf_add_markup(&body, http_text, strlen(http_text));
	buf_adds(&body, "</p>\n<ul>\n");
	buf_addf(&url, "gopher://%s:%s/", s->host, s->port[PROTO_GOPHER]);
	link_item(&body, &url);
	buf_reset(&url);
	site_gemini_url(s, "/", &url);
	link_item(&body, &url);
	buf_reset(&url);
	site_spartan_url(s, "/", &url);
	link_item(&body, &url);
	buf_adds(&body, "</ul>\n");
	html_reply(c, s, "400 Bad Request", title, "", &body, "http",
	    "HTTP request on the Gopher port");
	buf_free(&body);
	buf_free(&url);
}

/*
 * "URL:" selectors: the page that clients without URL support show for an
 * h item, pointing on to the real address (Goerzen's convention).
 */
static void
serve_url(struct conn *c, const struct site *s, const char *url)
{
	static const char *const schemes[] = {
		"http://", "https://", "gemini://", "gopher://", "spartan://",
		"mailto:",
		"ftp://", "irc://",
	};
	struct buf	 head = BUF_INIT, body = BUF_INIT;
	size_t		 i;

	for (i = 0; i < sizeof(schemes) / sizeof(schemes[0]); i++)
		if (strncasecmp(url, schemes[i], strlen(schemes[i])) == 0)
			break;
	if (i == sizeof(schemes) / sizeof(schemes[0]) ||
	    strpbrk(url, "\"<> ") != NULL) {
		error_menu(c, msg_get(s->msg, MSG_URL_REFUSED),
		    "URL: with a scheme not redirected", NULL, 0);
		return;
	}
	buf_adds(&head, "<meta http-equiv=\"refresh\" content=\"1;url=");
	buf_add_markup(&head, url, strlen(url));
	buf_adds(&head, "\">\n");
	buf_adds(&body, "<p>");
	buf_add_markup(&body, msg_get(s->msg, MSG_REDIRECT_TO),
	    strlen(msg_get(s->msg, MSG_REDIRECT_TO)));
	buf_adds(&body, " <a href=\"");
	buf_add_markup(&body, url, strlen(url));
	buf_adds(&body, "\">");
	buf_add_markup(&body, url, strlen(url));
	buf_adds(&body, "</a></p>\n");
	html_reply(c, s, NULL, msg_get(s->msg, MSG_REDIRECT_TITLE), head.data,
	    &body, "h", NULL);
	buf_free(&head);
	buf_free(&body);
}

/*
 * caps.txt: what Gophernicus-era clients read to learn the server; the
 * Spartan address, when Spartan is on, as ServerSpartan.
 */
static void
serve_caps(struct conn *c, const struct site *s)
{
	struct buf	 url = BUF_INIT;

	conn_replyf(c, "CAPS\r\n\r\n"
	    "CapsVersion=1\r\n"
	    "ExpireCapsAfter=3600\r\n\r\n"
	    "PathDelimeter=/\r\n"
	    "PathIdentity=.\r\n"
	    "PathParent=..\r\n"
	    "PathParentDouble=FALSE\r\n"
	    "PathEscapeCharacter=\\\r\n"
	    "PathKeepPreDelimeter=FALSE\r\n\r\n"
	    "ServerSoftware=zeche\r\n"
	    "ServerSoftwareVersion=%s\r\n", ZECHE_VERSION);
	if (s->description != NULL)
		conn_replyf(c, "ServerDescription=%s\r\n", s->description);
	conn_replyf(c, "ServerDefaultEncoding=UTF-8\r\n"
	    "ServerTLSPort=%s\r\n", s->port[PROTO_GOPHER]);
	site_spartan_url(s, "/", &url);
	if (url.len > 0 && !url.failed)
		conn_replyf(c, "ServerSpartan=%s\r\n", url.data);
	buf_free(&url);
	conn_done(c, "0", NULL);
}

/*
 * Gopher+ attributes (the Gopher+ protocol of 1993).  SELECTOR TAB "!"
 * asks for one item's attribute blocks, SELECTOR TAB "$" for those of
 * every item of a menu; UMN gopher asks for the home menu with "$" and
 * lists what the +INFO blocks name.  Both answers start "+-1" (the data
 * ends with a lone ".") and give each item as "+INFO: " and its menu
 * line.  Our items carry no "+" marker, so a Gopher+ client fetches them
 * with plain requests, which get the RFC 1436 answers.
 */
static void
add_info_block(struct buf *out, const char *line, size_t len)
{
	buf_adds(out, "+INFO: ");
	buf_add(out, line, len);
	buf_adds(out, "\r\n");
}

/* "$": every line of MENU (LEN bytes, ended by ".") as a +INFO block. */
static void
plus_menu(struct conn *c, const char *menu, size_t len, const char *why)
{
	struct buf	 out = BUF_INIT;
	const char	*p = menu, *end = menu + len, *nl;
	size_t		 n;

	buf_adds(&out, "+-1\r\n");
	while (p < end && (nl = memchr(p, '\n', (size_t)(end - p))) != NULL) {
		n = (size_t)(nl - p);
		if (n > 0 && p[n - 1] == '\r')
			n--;
		if (n == 1 && p[0] == '.')
			break;
		add_info_block(&out, p, n);
		p = nl + 1;
	}
	buf_adds(&out, ".\r\n");
	conn_reply(c, out.data, out.len);
	conn_done(c, "1", why);
	buf_free(&out);
}

/*
 * "!" (and "$" on anything but a menu): the item at PATH, its TYPE, its
 * TITLE, and a +VIEWS block naming MIME and the size in kilobytes.
 */
static void
plus_item(struct conn *c, const struct site *s, const char *path, char type,
    const char *title, const char *mime, size_t size)
{
	struct buf	 out = BUF_INIT, line = BUF_INIT;

	buf_adds(&out, "+-1\r\n");
	gophermap_add_item(&line, type, title, path, s->host,
	    s->port[PROTO_GOPHER]);
	if (line.len >= 2)
		add_info_block(&out, line.data, line.len - 2);	/* CRLF */
	if (mime != NULL)
		buf_addf(&out, "+VIEWS:\r\n %s: <%zuk>\r\n", mime,
		    (size + 1023) / 1024);
	buf_adds(&out, ".\r\n");
	conn_reply(c, out.data, out.len);
	conn_done(c, "+", "attributes");
	buf_free(&out);
	buf_free(&line);
}

/* A Gopher+ attribute request for the page PG. */
static void
plus_page(struct conn *c, const struct site *s, const struct page *pg,
    char plus)
{
	struct render_out	 b;
	const char		*title;
	size_t			 len;
	bool			 menu = pg->is_gemtext &&
				    pg->gopher_type == '1';

	if (plus == '$' && menu) {
		/* the menu's items, made now if it is rendered on request */
		if (render_bytes(s, pg, PROTO_GOPHER, &b) == -1) {
			gopher_reject(c, "cannot render the page");
			return;
		}
		plus_menu(c, b.data, b.len, "attributes");
		render_drop(&b);
		return;
	}
	if (render_length(s, pg, PROTO_GOPHER, &len) == -1) {
		gopher_reject(c, "cannot render the page");
		return;
	}
	title = pg->is_gemtext && pg->doc.title != NULL ? pg->doc.title :
	    pg->path;
	plus_item(c, s, pg->path, pg->gopher_type, title, menu ?
	    "application/gopher-menu" : pg->is_gemtext ? "text/plain" :
	    pg->mime, len);
}

static void
serve_page(struct conn *c, const struct site *s, const struct page *pg)
{
	struct render_out	 b;
	long long		 flen;
	char			 why[128];
	int			 fd;

	if (pg->file != NULL) {
		/* a large file: opened now, read from disk as it is sent */
		if ((fd = site_open_file(s, pg, &flen, why,
		    sizeof(why))) < 0) {
			error_menu(c, msg_get(s->msg, fd == SITE_OPEN_LATER ?
			    MSG_TRY_LATER : MSG_GOPHER_NOT_FOUND), why,
			    pg->path, 0);
			return;
		}
		(void)conn_reply_file(c, fd, 0, (off_t)flen);
		conn_done(c, "0", NULL);
		return;
	}
	/* the answer holds what is made on request, not the site */
	if (render_bytes(s, pg, PROTO_GOPHER, &b) == -1) {
		gopher_reject(c, "cannot render the page");
		return;
	}
	conn_reply_held(c, b.data, b.len, b.drop, b.hold);
	conn_done(c, pg->gopher_type == '1' ? "1" : "0", NULL);
}

/*
 * The gemtext TEXT of PATH, made for this request, as a menu (PLUS: its
 * Gopher+ attributes).
 */
static void
serve_menu(struct conn *c, const struct site *s, const char *path,
    const struct buf *text, const char *why, char plus)
{
	struct buf	 out = BUF_INIT;
	struct gemtext	 doc = GEMTEXT_INIT;
	const char	*errstr;
	size_t		 line;

	if (gemtext_parse(text->data, text->len, &doc, &errstr, &line) == -1 ||
	    render_gophermap(s, &doc, path, &out) == -1 || out.failed) {
		gopher_reject(c, "cannot render the page");
	} else if (plus == '$') {
		plus_menu(c, out.data, out.len, why);
	} else if (plus == '!') {
		plus_item(c, s, path, '1', path, "application/gopher-menu",
		    out.len);
	} else {
		conn_reply(c, out.data, out.len);
		conn_done(c, "1", why);
	}
	gemtext_free(&doc);
	buf_free(&out);
}

/*
 * A generated section's answer (a list page, a type 7 search) as a menu
 * rendered for this request: the one place Gopher serves generated
 * content.  A search without a query is the search for "", unless
 * Gopher+ asks what the item is.
 */
static void
serve_section(struct conn *c, const struct site *s, const char *path,
    const struct route *r, char plus)
{
	struct result	 res;

	if (r->req.op == SECTION_INPUT && plus != 0) {
		plus_item(c, s, path, '7', path, NULL, 0);
		return;
	}
	/* the reader gets the host's words, as on Gemini; the log the why */
	switch (section_answer(r->section, &r->req, SECTION_LINK_PATH,
	    &res)) {
	case RESULT_OK:
		serve_menu(c, s, path, &res.text, res.log, plus);
		break;
	case RESULT_BAD_QUERY:
		error_menu(c, msg_get(s->msg, MSG_BAD_QUERY), res.why, path,
		    plus);
		break;
	case RESULT_FAILED:
		error_menu(c, msg_get(s->msg, MSG_TRY_LATER), res.why, path,
		    plus);
		break;
	}
	result_free(&res);
}

static void
gopher_serve(struct conn *c, char *line, size_t len)
{
	const struct vhost	*vh = listener_host(c);
	struct site		*s = vh->site;
	struct route		 r;
	struct buf		 path = BUF_INIT;
	char			*tab, *sel = line, *query = NULL, plus = 0;
	const unsigned char	*p;
	unsigned int		 wait;

	if (hostrate_exceeded(c, vh, &wait)) {
		gopher_slow_down(c, wait);
		return;
	}
	if (is_http(line)) {
		serve_http(c, s);
		return;
	}
	/*
	 * SELECTOR TAB QUERY is a search.  SELECTOR TAB "!" or "$" (and any
	 * "+ATTRIBUTE" after them) asks for Gopher+ attributes; SELECTOR TAB
	 * "+" gets the plain RFC 1436 answer, and so does a Gopher+ search,
	 * SELECTOR TAB QUERY TAB "+" (the field after the second TAB is
	 * dropped).
	 */
	if ((tab = strchr(line, '\t')) != NULL) {
		*tab = '\0';
		query = tab + 1;
		if ((tab = strchr(query, '\t')) != NULL)
			*tab = '\0';
		if (query[0] == '!' || query[0] == '$') {
			plus = query[0];
			query = NULL;
		} else if (query[0] == '+' && query[1] == '\0')
			query = NULL;
	}
	for (p = (const unsigned char *)sel; *p != '\0'; p++)
		if (*p < 0x20 || *p == 0x7f) {
			gopher_reject(c, "control character in selector");
			return;
		}
	if (strncmp(sel, "URL:", 4) == 0 || strncmp(sel, "/URL:", 5) == 0) {
		serve_url(c, s, strchr(sel, ':') + 1);
		return;
	}
	while (*sel == '/')
		sel++;
	if (strcmp(sel, "caps.txt") == 0) {
		serve_caps(c, s);
		return;
	}
	buf_addf(&path, "/%s", sel);
	if (path.failed) {
		gopher_reject(c, "out of memory");
		return;
	}
	/* the rule of url_parse(): no climbing above the root */
	if (url_path_clean(path.data) == -1) {
		buf_free(&path);
		gopher_reject(c, "selector climbs above the root");
		return;
	}
	/* Gopher has no redirect: the old place serves the new one */
	if (site_is_closed(s, path.data))	/* no identity on Gopher */
		r.kind = ROUTE_NOT_FOUND;
	else
		route_follow(s, path.data, query, &r);
	switch (r.kind) {
	case ROUTE_PAGE:
	case ROUTE_FOLDER:
		if (plus != 0)
			plus_page(c, s, r.page, plus);
		else
			serve_page(c, s, r.page);
		break;
	case ROUTE_REDIRECT:		/* to another server */
		serve_url(c, s, r.location);
		break;
	case ROUTE_SECTION:		/* the prompt comes from the client */
		serve_section(c, s, path.data, &r, plus);
		break;
	case ROUTE_NOT_FOUND:
		error_menu(c, msg_get(s->msg, MSG_GOPHER_NOT_FOUND),
		    "not found", path.data, plus);
		break;
	}
	buf_free(&path);
}
