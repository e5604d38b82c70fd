#include <stdio.h>
#include <string.h>

#include "buf.h"
#include "hostrate.h"
#include "msg.h"
#include "render.h"
#include "route.h"
#include "server.h"
#include "site.h"
#include "spartan.h"
#include "url.h"

static size_t	spartan_data_len(struct conn *, const char *, size_t);
static void	spartan_serve(struct conn *, char *, size_t);
static void	spartan_reject(struct conn *, const char *);
static void	spartan_slow_down(struct conn *, unsigned int);

const struct front spartan_front = {
	.name = "spartan",
	.lf_ok = false,			/* the spec wants CRLF */
	.eof_ends = false,
	.line_max = SPARTAN_REQUEST_MAX,
	.data_max = SPARTAN_DATA_MAX,
	.data_len = spartan_data_len,
	.serve = spartan_serve,
	.reject = spartan_reject,
	.slow_down = spartan_slow_down,
};

/* A status line alone: every status but 2.  MSG is for the client. */
static void
reply(struct conn *c, const char *status, const char *msg, const char *why)
{
	conn_replyf(c, "%s %s\r\n", status, msg);
	conn_done(c, status, why);
}

static void
spartan_reject(struct conn *c, const char *why)
{
	const struct site	*s = server_default(conn_ctx(c))->site;
	char			 msg[200];

	snprintf(msg, sizeof(msg), "%s: %s", msg_get(s->msg, MSG_BAD_REQUEST),
	    why);
	reply(c, "4", msg, why);
}

/* Too many requests: "4", with the seconds to wait. */
static void
spartan_slow_down(struct conn *c, unsigned int seconds)
{
	const struct site	*s = server_default(conn_ctx(c))->site;
	char			 msg[200];

	snprintf(msg, sizeof(msg), msg_get(s->msg, MSG_SLOW_DOWN), seconds);
	reply(c, "4", msg, "rate limit");
}

/* How many bytes of data the line announces: 0 if serve() refuses it. */
static size_t
spartan_data_len(struct conn *c, const char *line, size_t len)
{
	struct spartan_request	 r;
	char			 tmp[SPARTAN_REQUEST_MAX + 1];
	const char		*errstr;

	if (len > SPARTAN_REQUEST_MAX)
		return 0;
	memcpy(tmp, line, len);
	tmp[len] = '\0';
	if (url_parse_spartan(tmp, &r, &errstr) == -1)
		return 0;
	return r.content_length;
}

/* "3 /folder/": the path percent-encoded, with the trailing slash. */
static void
redirect_folder(struct conn *c, const char *path)
{
	struct buf	 loc = BUF_INIT;

	url_encode_path(&loc, path);
	buf_addc(&loc, '/');
	if (loc.failed || loc.len > SPARTAN_REQUEST_MAX)
		reply(c, "4", msg_get(server_default(conn_ctx(c))->site->msg,
		    MSG_REQUEST_TOO_LONG), "redirect");
	else
		reply(c, "3", loc.data, NULL);
	buf_free(&loc);
}

/*
 * A redirect of the config: "3 /path" to a path here; Spartan has no
 * redirect to another server, so a URL elsewhere is named in a "4".
 */
static void
redirect_to(struct conn *c, const struct site *s, const struct route *r)
{
	struct buf	 loc = BUF_INIT;

	if (r->location[0] == '/')
		url_encode_path(&loc, r->location);
	else
		buf_addf(&loc, "%s: %s", msg_get(s->msg, MSG_NOT_FOUND),
		    r->location);
	if (loc.failed || loc.len > SPARTAN_REQUEST_MAX)
		reply(c, "4", msg_get(s->msg, MSG_REQUEST_TOO_LONG),
		    "redirect");
	else
		reply(c, r->location[0] == '/' ? "3" : "4", loc.data,
		    "redirect");
	buf_free(&loc);
}

/*
 * Send gemtext made for this request (TEXT) as a "2" page at PATH, its
 * input links turned into "=:" lines; WHY goes to the access log.
 */
static void
reply_generated(struct conn *c, const struct site *s, const char *path,
    const struct buf *text, const char *why)
{
	struct buf	 out = BUF_INIT;

	buf_addf(&out, "2 %s\r\n", s->gemtext_mime);
	render_spartan_gemtext(s, path, text->data, text->len, &out);
	if (out.failed)
		reply(c, "5", msg_get(s->msg, MSG_TRY_LATER), "out of memory");
	else {
		conn_reply(c, out.data, out.len);
		conn_done(c, "2", why);
	}
	buf_free(&out);
}

/*
 * A generated section's answer, rendered for this request: the one place
 * Spartan serves generated content.  A search without a query is the
 * search for "", a page whose "=:" line asks for one.
 */
static void
serve_section(struct conn *c, const struct site *s, const char *path,
    const struct route *r)
{
	struct result	 res;

	switch (section_answer(r->section, &r->req, SECTION_LINK_PATH,
	    &res)) {
	case RESULT_OK:
		reply_generated(c, s, path, &res.text, res.log);
		break;
	case RESULT_BAD_QUERY:
		/* the reader gets the host's words, as on Gemini; the log the why */
		reply(c, "4", msg_get(s->msg, MSG_BAD_QUERY), res.why);
		break;
	case RESULT_FAILED:
		reply(c, "5", msg_get(s->msg, MSG_TRY_LATER), res.why);
		break;
	}
	result_free(&res);
}

static void
spartan_serve(struct conn *c, char *line, size_t len)
{
	const struct server	*srv = conn_ctx(c);
	const struct vhost	*vh;
	struct site		*s;
	const struct page	*pg;
	struct spartan_request	 req;
	struct route		 r;
	struct render_out	 b;
	const char		*errstr, *data;
	size_t			 dlen;
	long long		 flen;
	char			 fwhy[128];
	unsigned int		 wait;
	int			 fd = -1;

	if (url_parse_spartan(line, &req, &errstr) == -1) {
		spartan_reject(c, errstr);
		return;
	}
	/* the request names its host: one of ours, or our address */
	if ((vh = server_host(srv, req.host)) == NULL &&
	    conn_is_local_addr(c, req.host))
		vh = server_default(srv);
	if (vh == NULL) {
		reply(c, "4", msg_get(server_default(srv)->site->msg,
		    MSG_OTHER_HOST), "other host");
		return;
	}
	s = vh->site;
	conn_set_host(c, vh->conf->name);
	if (hostrate_exceeded(c, vh, &wait)) {
		spartan_slow_down(c, wait);
		return;
	}
	data = conn_data(c, &dlen);
	if (data != NULL && memchr(data, '\0', dlen) != NULL) {
		reply(c, "4", "NUL byte in the data block", "NUL in data");
		return;
	}
	if (site_is_closed(s, req.path))	/* no identity on Spartan */
		r.kind = ROUTE_NOT_FOUND;
	else
		route(s, req.path, data, &r);
	switch (r.kind) {
	case ROUTE_PAGE:
		pg = r.page;
		/* a large file: opened now, read from disk as it is sent */
		if (pg->file != NULL && (fd = site_open_file(s, pg, &flen,
		    fwhy, sizeof(fwhy))) < 0) {
			if (fd == SITE_OPEN_LATER)
				reply(c, "5", msg_get(s->msg, MSG_TRY_LATER),
				    fwhy);
			else
				reply(c, "4", msg_get(s->msg, MSG_NOT_FOUND),
				    fwhy);
			break;
		}
		if (pg->file == NULL && render_bytes(s, pg, PROTO_SPARTAN,
		    &b) == -1) {
			reply(c, "5", msg_get(s->msg, MSG_TRY_LATER),
			    "cannot render the page");
			break;
		}
		conn_reply_ref(c, pg->out[PROTO_SPARTAN].head,
		    pg->out[PROTO_SPARTAN].head_len);
		if (pg->file != NULL)
			(void)conn_reply_file(c, fd, 0, (off_t)flen);
		else
			conn_reply_held(c, b.data, b.len, b.drop, b.hold);
		conn_done(c, "2", NULL);
		break;
	case ROUTE_FOLDER:
		redirect_folder(c, req.path);
		break;
	case ROUTE_SECTION:
		serve_section(c, s, req.path, &r);
		break;
	case ROUTE_REDIRECT:
		redirect_to(c, s, &r);
		break;
	case ROUTE_NOT_FOUND:
		reply(c, "4", msg_get(s->msg, MSG_NOT_FOUND), NULL);
		break;
	}
}
