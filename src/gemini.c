#include <sys/socket.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "access.h"
#include "buf.h"
#include "gemini.h"
#include "hostrate.h"
#include "mime.h"
#include "msg.h"
#include "render.h"
#include "route.h"
#include "server.h"
#include "site.h"
#include "tar.h"
#include "upload.h"
#include "url.h"

static void	gemini_serve(struct conn *, char *, size_t);
static void	gemini_reject(struct conn *, const char *);
static void	gemini_slow_down(struct conn *, unsigned int);

const struct front gemini_front = {
	.name = "gemini",
	.lf_ok = false,			/* the spec wants CRLF */
	.eof_ends = false,
	.line_max = GEMINI_URL_MAX,
	.client_cert = true,		/* for the readers rules */
	.data_max = CONF_UPLOAD_MAX_LIMIT,	/* Titan's body (upload.c) */
	.data_len = upload_data_len,
	.serve = gemini_serve,
	.reject = gemini_reject,
	.slow_down = gemini_slow_down,
};

static const char *const status_str[] = {
	[GEMINI_INPUT] = "10", [GEMINI_SUCCESS] = "20",
	[GEMINI_REDIRECT_TEMPORARY] = "30",
	[GEMINI_REDIRECT_PERMANENT] = "31",
	[GEMINI_TEMPORARY_FAILURE] = "40", [GEMINI_NOT_FOUND] = "51",
	[GEMINI_PROXY_REFUSED] = "53", [GEMINI_BAD_REQUEST] = "59",
	[GEMINI_CERT_REQUIRED] = "60", [GEMINI_CERT_NOT_AUTHORISED] = "61",
	[GEMINI_CERT_NOT_VALID] = "62",
};

/* Answer with a header alone: every status but 20. */
static void
reply(struct conn *c, enum gemini_status status, const char *meta,
    const char *why)
{
	conn_replyf(c, "%d %s\r\n", (int)status, meta);
	conn_done(c, status_str[status], why);
}

/*
 * The site whose language answers before the request's host is known:
 * the one the SNI name picked, else the default host's.
 */
static const struct site *
sni_site(struct conn *c, const struct server *srv)
{
	const struct vhost	*vh = NULL;

	if (conn_sni(c) != NULL)
		vh = server_host(srv, conn_sni(c));
	return (vh != NULL ? vh : server_default(srv))->site;
}

static void
gemini_reject(struct conn *c, const char *why)
{
	const struct site	*s = sni_site(c, conn_ctx(c));

	reply(c, GEMINI_BAD_REQUEST, msg_get(s->msg, MSG_BAD_REQUEST), why);
}

/* Too many requests: "44 SECONDS", the time to wait (the spec's meta). */
static void
gemini_slow_down(struct conn *c, unsigned int seconds)
{
	conn_replyf(c, "%d %u\r\n", GEMINI_SLOW_DOWN, seconds);
	conn_done(c, "44", "rate limit");
}

/* 31 to the same path with the trailing slash a folder needs. */
static void
redirect_folder(struct conn *c, const struct site *s, const char *path)
{
	struct buf	 loc = BUF_INIT;

	site_gemini_url(s, path, &loc);
	buf_addc(&loc, '/');
	if (loc.failed || loc.len > GEMINI_META_MAX)
		reply(c, GEMINI_BAD_REQUEST, msg_get(s->msg,
		    MSG_REQUEST_TOO_LONG), "redirect");
	else
		reply(c, GEMINI_REDIRECT_PERMANENT, loc.data, NULL);
	buf_free(&loc);
}

/* A redirect of the config: 30 or 31 to a path here or to a URL. */
static void
redirect_to(struct conn *c, const struct site *s, const struct route *r)
{
	struct buf	 loc = BUF_INIT;

	if (r->location[0] == '/')
		site_gemini_url(s, r->location, &loc);
	else
		buf_adds(&loc, r->location);
	if (loc.failed || loc.len > GEMINI_META_MAX)
		reply(c, GEMINI_BAD_REQUEST, msg_get(s->msg,
		    MSG_REQUEST_TOO_LONG), "redirect");
	else
		reply(c, r->status == 30 ? GEMINI_REDIRECT_TEMPORARY :
		    GEMINI_REDIRECT_PERMANENT, loc.data, "redirect");
	buf_free(&loc);
}

/*
 * A generated section's answer, rendered for this request: the prompt
 * for a search without a query, else the result page as gemtext.  The
 * one place Gemini serves generated content.
 */
static void
serve_section(struct conn *c, const struct site *s, const struct route *r,
    char *query)
{
	struct result	 res;
	struct buf	 out = BUF_INIT;

	if (r->req.op == SECTION_INPUT) {
		reply(c, GEMINI_INPUT, r->section->ops->prompt(
		    r->section->ctx), NULL);
		return;
	}
	/* the query came after "?" (r->req.query is QUERY): decode it */
	if (r->req.op == SECTION_SEARCH && !r->req.query_in_path &&
	    url_decode(query) == -1) {
		reply(c, GEMINI_BAD_REQUEST, msg_get(s->msg, MSG_BAD_QUERY),
		    "bad percent-encoding in query");
		return;
	}
	switch (section_answer(r->section, &r->req, SECTION_LINK_QUERY,
	    &res)) {
	case RESULT_OK:
		buf_addf(&out, "20 %s\r\n", s->gemtext_mime);
		buf_add(&out, res.text.data, res.text.len);
		if (out.failed)
			reply(c, GEMINI_TEMPORARY_FAILURE, msg_get(s->msg,
			    MSG_TRY_LATER), "out of memory");
		else {
			conn_reply(c, out.data, out.len);
			conn_done(c, "20", res.log);
		}
		break;
	case RESULT_BAD_QUERY:
		reply(c, GEMINI_BAD_REQUEST, msg_get(s->msg, MSG_BAD_QUERY),
		    res.why);
		break;
	case RESULT_FAILED:
		reply(c, GEMINI_TEMPORARY_FAILURE, msg_get(s->msg,
		    MSG_TRY_LATER), res.why);
		break;
	}
	buf_free(&out);
	result_free(&res);
}

/* /capsule.tar: its pieces, borrowed from the site like a page's bytes. */
static void
serve_archive(struct conn *c, const struct tar *t)
{
	static const char	 head[] = "20 application/x-tar\r\n";
	size_t			 i;

	conn_reply_ref(c, head, sizeof(head) - 1);
	for (i = 0; i < t->npieces; i++)
		conn_reply_ref(c, t->pieces[i].data, t->pieces[i].len);
	conn_done(c, "20", "archive");
}

/*
 * May the client read PATH on VH (its readers and deny rules, access.h)?
 * Decided before anything of the resource, even whether it exists.  If not,
 * answer 60, 61 or 62 and return false; the log line names the
 * certificate, in the form the lists take, for the operator to copy.
 */
static bool
may_read(struct conn *c, const struct vhost *vh, const struct site *s,
    const char *path)
{
	struct conn_cert	 cc = { .ca = NULL };
	char			 fp[ACCESS_FP_STR], why[128];

	if (!access_guards_reading(vh->access))
		return true;
	cc.ca = access_ca(vh->access, path);
	conn_cert(c, &cc);
	if (cc.present)
		access_fp_str(cc.sha256, fp);
	switch (access_check_read(vh->access, path, cc.present ? cc.sha256 :
	    NULL, cc.valid, cc.by_ca)) {
	case ACCESS_OK:
		return true;
	case ACCESS_CERT_REQUIRED:
		reply(c, GEMINI_CERT_REQUIRED, msg_get(s->msg,
		    MSG_CERT_REQUIRED), "no client certificate");
		break;
	case ACCESS_CERT_NOT_VALID:
		snprintf(why, sizeof(why), "certificate %s not valid now", fp);
		reply(c, GEMINI_CERT_NOT_VALID, msg_get(s->msg,
		    MSG_CERT_NOT_VALID), why);
		break;
	case ACCESS_CERT_NOT_AUTHORISED:
		snprintf(why, sizeof(why), "certificate %s not allowed", fp);
		reply(c, GEMINI_CERT_NOT_AUTHORISED, msg_get(s->msg,
		    MSG_CERT_NOT_AUTHORISED), why);
		break;
	}
	return false;
}

static void
gemini_serve(struct conn *c, char *line, size_t len)
{
	const struct server	*srv = conn_ctx(c);
	const struct site	*s = sni_site(c, srv);
	const struct vhost	*vh;
	const struct page	*pg;
	struct route		 r;
	struct url		 u;
	struct render_out	 b;
	const char		*errstr, *why;
	socklen_t		 slen;
	long long		 flen;
	char			 fwhy[128];
	unsigned int		 wait;
	int			 fd = -1;

	if (upload_is_titan(line, len)) {	/* on the Gemini port */
		upload_serve(c, line, len);
		return;
	}
	if (url_parse(line, &u, &errstr) == -1) {
		reply(c, GEMINI_BAD_REQUEST, msg_get(s->msg, MSG_BAD_REQUEST),
		    errstr);
		return;
	}
	if (strcmp(u.scheme, "gemini") != 0) {
		reply(c, GEMINI_PROXY_REFUSED, msg_get(s->msg,
		    MSG_OTHER_SCHEME), "other scheme");
		return;
	}
	/* the SNI name picked the host; the request must name it too */
	if ((vh = server_pick(srv, conn_sni(c), u.host,
	    conn_is_local_addr(c, u.host), &why)) == NULL) {
		reply(c, GEMINI_PROXY_REFUSED, msg_get(s->msg, MSG_OTHER_HOST),
		    why);
		return;
	}
	s = vh->site;
	conn_set_host(c, vh->conf->name);
	if (hostrate_exceeded(c, vh, &wait)) {
		gemini_slow_down(c, wait);
		return;
	}
	if (!server_is_port(srv, PROTO_GEMINI, conn_local_addr(c, &slen),
	    u.port, GEMINI_PORT)) {
		reply(c, GEMINI_PROXY_REFUSED, msg_get(s->msg, MSG_OTHER_PORT),
		    "other port");
		return;
	}
	if (!may_read(c, vh, s, u.path))
		return;
	switch (route(s, u.path, u.query, &r)) {
	case ROUTE_PAGE:
		pg = r.page;
		/* a large file: opened now, read from disk as it is sent */
		if (pg->file != NULL && (fd = site_open_file(s, pg, &flen,
		    fwhy, sizeof(fwhy))) < 0) {
			if (fd == SITE_OPEN_LATER)
				reply(c, GEMINI_TEMPORARY_FAILURE,
				    msg_get(s->msg, MSG_TRY_LATER), fwhy);
			else
				reply(c, GEMINI_NOT_FOUND, msg_get(s->msg,
				    MSG_NOT_FOUND), fwhy);
			break;
		}
		if (pg->file == NULL && render_bytes(s, pg, PROTO_GEMINI,
		    &b) == -1) {
			reply(c, GEMINI_TEMPORARY_FAILURE, msg_get(s->msg,
			    MSG_TRY_LATER), "cannot render the page");
			break;
		}
		conn_reply_ref(c, pg->out[PROTO_GEMINI].head,
		    pg->out[PROTO_GEMINI].head_len);
		if (pg->file == NULL)
			conn_reply_held(c, b.data, b.len, b.drop, b.hold);
		else
			(void)conn_reply_file(c, fd, 0, (off_t)flen);
		conn_done(c, "20", NULL);
		break;
	case ROUTE_FOLDER:
		redirect_folder(c, s, u.path);
		break;
	case ROUTE_REDIRECT:
		redirect_to(c, s, &r);
		break;
	case ROUTE_SECTION:
		serve_section(c, s, &r, u.query);
		break;
	case ROUTE_NOT_FOUND:
		if (s->archive != NULL && strcmp(u.path, ARCHIVE_PATH) == 0) {
			serve_archive(c, s->archive);
			break;
		}
		reply(c, GEMINI_NOT_FOUND, msg_get(s->msg, MSG_NOT_FOUND),
		    NULL);
		break;
	}
}
