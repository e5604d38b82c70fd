/*
 * upload: a Titan request's life on the Gemini listeners: decided from
 * its line, its body read by the transport, written by publish.c on a
 * thread, answered, logged, and the reload asked for.  Knows no TLS and
 * no event loop (conn_job() is the transport's).
 */
#include <sys/socket.h>

#include <limits.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include "access.h"
#include "buf.h"
#include "config.h"
#include "gemini.h"
#include "hostrate.h"
#include "log.h"
#include "mime.h"
#include "msg.h"
#include "net.h"
#include "publish.h"
#include "reload.h"
#include "route.h"
#include "server.h"
#include "site.h"
#include "titan.h"
#include "upload.h"
#include "url.h"

/* A request line and what it decides, before a byte of the body. */
struct decision {
	char			 line[GEMINI_URL_MAX + 1];
	struct titan_request	 req;
	const struct vhost	*vh;
	struct titan_rule	 rule;
	const char		*mime;		/* the request's, or text/plain */
	int			 status;	/* 0: go on */
	char			 meta[GEMINI_META_MAX + 1];
	const char		*why;		/* for the log */
	char			 fp[ACCESS_FP_STR];	/* the client's
						   certificate, or "-" */
};

enum job_op { JOB_WRITE, JOB_DELETE, JOB_READ };

#define UPLOAD_RELOAD_WAIT	3	/* seconds the answer waits for the
					   reload (the request timeout's
					   bound comes after) */

/* What the write thread is handed, and hands back. */
struct job {
	enum job_op		 op;
	struct publish		 p;
	char			 root[PATH_MAX];
	char			 history[PATH_MAX];
	char			 path[PATH_MAX];
	char			 host[256];
	char			 mime[128];
	char			*data;		/* owned: the body */
	struct buf		 out;		/* JOB_READ: the source */
	char			*url;		/* owned: the page's gemini:// */
	enum publish_status	 st;
	bool			 reload_late;	/* not reloaded in time */
	char			 fp[ACCESS_FP_STR];	/* or "-" */
	char			 err[GEMINI_META_MAX + 1];
};

bool
upload_is_titan(const char *line, size_t len)
{
	return len >= 6 && strncasecmp(line, "titan:", 6) == 0;
}

/* TOKEN against R's, compared in constant time. */
static enum titan_auth
token_allowed(const struct titan_rule *r, const char *token)
{
	unsigned char	 want[EVP_MAX_MD_SIZE], got[EVP_MAX_MD_SIZE];
	unsigned int	 n = 0;

	if (token == NULL)
		return TITAN_AUTH_MISSING;
	/* digests of equal length: the time says nothing of either */
	if (EVP_Digest(r->token, strlen(r->token), want, &n, EVP_sha256(),
	    NULL) != 1 || EVP_Digest(token, strlen(token), got, &n,
	    EVP_sha256(), NULL) != 1)
		return TITAN_AUTH_WRONG;
	return CRYPTO_memcmp(want, got, n) == 0 ? TITAN_AUTH_OK :
	    TITAN_AUTH_WRONG;
}

enum titan_auth
titan_allowed(const struct titan_rule *r, const struct access_rules *a,
    const char *path, const char *token, const unsigned char *fp,
    bool valid, int *cert_status)
{
	enum access_verdict	 v;
	bool			 writers;

	writers = a != NULL && access_find(a, path, ACCESS_WRITE) != NULL;
	if (a != NULL && access_denied(a, path, fp)) {
		*cert_status = ACCESS_CERT_NOT_AUTHORISED;
		return TITAN_AUTH_CERT;
	}
	if (writers) {
		/* a certificate in the writers list is enough */
		if ((v = access_check_write(a, path, fp, valid)) == ACCESS_OK)
			return TITAN_AUTH_OK;
		/* else the token, if one is set and came */
		if (r->token == NULL || token == NULL) {
			*cert_status = (int)v;
			return TITAN_AUTH_CERT;
		}
	}
	if (r->token == NULL)
		return TITAN_AUTH_NONE_SET;
	return token_allowed(r, token);
}

static int
refuse(struct decision *d, int status, const char *why, const char *fmt,
    ...) __attribute__((format(printf, 4, 5)));

static int
refuse(struct decision *d, int status, const char *why, const char *fmt, ...)
{
	va_list	 ap;

	va_start(ap, fmt);
	vsnprintf(d->meta, sizeof(d->meta), fmt, ap);
	va_end(ap);
	d->status = status;
	d->why = why;
	return status;
}

/* The path is a file's, in no dot folder: nothing else is uploaded to. */
static bool
is_file_path(const char *path)
{
	size_t	 n = strlen(path);

	return n > 1 && path[n - 1] != '/' && strstr(path, "/.") == NULL;
}

/* The checks on the host, the port, the folder and who asks. */
static int
decide_where(struct conn *c, const struct server *srv, struct decision *d)
{
	const struct site	*s = server_default(srv)->site;
	struct url		*u = &d->req.url;
	struct conn_cert	 cc;
	socklen_t		 slen;
	const char		*why;
	unsigned int		 wait;
	int			 cert_status = 0;

	if ((d->vh = server_pick(srv, conn_sni(c), u->host,
	    conn_is_local_addr(c, u->host), &why)) == NULL)
		return refuse(d, 53, why, "%s", msg_get(s->msg,
		    MSG_OTHER_HOST));
	s = d->vh->site;
	conn_set_host(c, d->vh->conf->name);
	if (hostrate_exceeded(c, d->vh, &wait))
		return refuse(d, 44, "rate limit", "%u", wait);
	if (!server_is_port(srv, PROTO_GEMINI, conn_local_addr(c, &slen),
	    u->port, GEMINI_PORT))
		return refuse(d, 53, "other port", "%s", msg_get(s->msg,
		    MSG_OTHER_PORT));
	if (!titan_host_open(d->vh->conf))
		return refuse(d, 53, "titan off", "%s", msg_get(s->msg,
		    MSG_OTHER_SCHEME));
	titan_rule(d->vh->conf, u->path, &d->rule);
	if (!d->rule.on)
		return refuse(d, 50, "folder closed", msg_get(s->msg,
		    MSG_TITAN_CLOSED), u->path);
	if (!is_file_path(u->path))
		return refuse(d, 50, "no file path", "%s", msg_get(s->msg,
		    MSG_TITAN_NOT_FILE));
	cc.ca = NULL;
	conn_cert(c, &cc);
	if (cc.present)
		access_fp_str(cc.sha256, d->fp);
	switch (titan_allowed(&d->rule, d->vh->access, u->path, d->req.token,
	    cc.present ? cc.sha256 : NULL, cc.valid, &cert_status)) {
	case TITAN_AUTH_OK:
		return 0;
	case TITAN_AUTH_CERT:
		return refuse(d, cert_status, cert_status == 60 ?
		    "no client certificate" : cert_status == 62 ?
		    "certificate not valid now" : "certificate not allowed",
		    "%s", msg_get(s->msg, cert_status == 60 ?
		    MSG_CERT_REQUIRED : cert_status == 62 ? MSG_CERT_NOT_VALID :
		    MSG_CERT_NOT_AUTHORISED));
	case TITAN_AUTH_NONE_SET:
		return refuse(d, 50, "no token set", "%s", msg_get(s->msg,
		    MSG_TITAN_NOT_SET_UP));
	case TITAN_AUTH_MISSING:
		return refuse(d, 59, "no token", "%s", msg_get(s->msg,
		    MSG_TITAN_TOKEN_NEEDED));
	case TITAN_AUTH_WRONG:
		break;
	}
	return refuse(d, 59, "wrong token", "%s", msg_get(s->msg,
	    MSG_TITAN_WRONG_TOKEN));
}

/* Is a folder of any host open for uploads? */
static bool
any_open(const struct server *srv)
{
	size_t	 i;

	for (i = 0; i < srv->nhosts; i++)
		if (titan_host_open(srv->hosts[i].conf))
			return true;
	return false;
}

/*
 * Everything the request line LINE decides, into D: 0 to go on (read the
 * body, then write), or the status to answer with, D's meta and why set.
 */
static int
decide(struct conn *c, const char *line, size_t len, struct decision *d)
{
	const struct server	*srv = conn_ctx(c);
	const struct msg_table	*msg;
	struct route		 r;
	const char		*errstr;

	memset(d, 0, sizeof(*d));
	d->fp[0] = '-';
	if (len >= sizeof(d->line))
		return refuse(d, 59, "request too long", "%s", msg_get(
		    server_default(srv)->site->msg, MSG_REQUEST_TOO_LONG));
	memcpy(d->line, line, len);
	d->line[len] = '\0';
	if (titan_parse(d->line, &d->req, &errstr) == -1) {
		/* a server that takes no upload at all: as before Titan */
		if (!any_open(srv))
			return refuse(d, 53, "other scheme", "%s", msg_get(
			    server_default(srv)->site->msg, MSG_OTHER_SCHEME));
		return refuse(d, 59, errstr, "%s", errstr);
	}
	if (decide_where(c, srv, d) != 0)
		return d->status;
	msg = d->vh->site->msg;
	d->mime = d->req.mime != NULL ? d->req.mime : "text/plain";
	if (d->req.edit)
		return 0;
	if (d->req.size > d->rule.max)
		return refuse(d, 59, "too large", msg_get(msg,
		    MSG_TITAN_TOO_LARGE), (unsigned long long)d->rule.max);
	if (d->req.size == 0 && !d->rule.delete)
		return refuse(d, 50, "empty upload", "%s", msg_get(msg,
		    MSG_TITAN_EMPTY));
	if (d->req.size > 0 && !titan_type_ok(&d->rule, d->mime))
		return refuse(d, 59, "type not accepted", msg_get(msg,
		    MSG_TITAN_TYPE), d->mime);
	/* the loaded site knows what is there; the writer checks again */
	if (d->req.size > 0 && !d->rule.create &&
	    route(d->vh->site, d->req.url.path, NULL, &r) != ROUTE_PAGE)
		return refuse(d, 50, "create refused", "%s", msg_get(msg,
		    MSG_TITAN_NO_CREATE));
	return 0;
}

/* The log line of every upload, accepted or refused. */
static void
log_upload(const char *host, const char *path, uint64_t size,
    const char *mime, const char *fp, const char *op, int status,
    const char *why)
{
	char	 p[256], m[128];

	log_escape(p, sizeof(p), path, strlen(path));
	log_escape(m, sizeof(m), mime != NULL ? mime : "-",
	    mime != NULL ? strlen(mime) : 1);
	log_info("titan: host %s path %s size %llu type %s fingerprint %s: "
	    "%s %d%s%s", host != NULL ? host : "-", p,
	    (unsigned long long)size, m, fp, op, status, why != NULL ? " " : "",
	    why != NULL ? why : "");
}

static void
answer(struct conn *c, int status, const char *meta, const char *why)
{
	conn_replyf(c, "%d %s\r\n", status, meta);
	conn_done(c, status == 20 ? "20" : status == 30 ? "30" :
	    status == 40 ? "40" : status == 50 ? "50" : status == 51 ? "51" :
	    status == 53 ? "53" : status == 60 ? "60" : status == 61 ? "61" :
	    status == 62 ? "62" : "59", why);
}

/*
 * The access line shows the request without its token's value (any
 * parameter whose name decodes to "token"): a log is read by more people
 * than may write.
 */
static void
hide_token(struct conn *c, const char *line, size_t len)
{
	struct buf	 shown = BUF_INIT;
	const char	*p, *end = line + len, *semi, *eq;
	char		 name[16];
	size_t		 n;
	bool		 first = true;

	for (p = line; p <= end; p = semi + 1, first = false) {
		if ((semi = memchr(p, ';', (size_t)(end - p))) == NULL)
			semi = end;
		if (!first)
			buf_addc(&shown, ';');
		eq = memchr(p, '=', (size_t)(semi - p));
		n = eq != NULL ? (size_t)(eq - p) : 0;
		if (!first && eq != NULL && n < sizeof(name)) {
			memcpy(name, p, n);
			name[n] = '\0';
			if (url_decode(name) != -1 && strcmp(name, "token") ==
			    0) {
				buf_add(&shown, p, n);
				buf_adds(&shown, "=-");
				continue;
			}
		}
		buf_add(&shown, p, (size_t)(semi - p));
	}
	if (!shown.failed)
		conn_set_req(c, shown.data);
	buf_free(&shown);
}

size_t
upload_data_len(struct conn *c, const char *line, size_t len)
{
	struct decision	 d;

	if (!upload_is_titan(line, len))
		return 0;
	hide_token(c, line, len);
	if (decide(c, line, len, &d) != 0 || d.req.edit)
		return 0;
	return d.req.size > SIZE_MAX ? 0 : (size_t)d.req.size;
}

static void
job_free(struct job *j)
{
	free(j->data);
	free(j->url);
	buf_free(&j->out);
	free(j);
}

static void
job_work(void *arg)
{
	struct job	*j = arg;

	switch (j->op) {
	case JOB_WRITE:
		j->st = publish_write(&j->p, j->err, sizeof(j->err));
		break;
	case JOB_DELETE:
		j->st = publish_delete(&j->p, j->err, sizeof(j->err));
		break;
	case JOB_READ:
		j->st = publish_read(j->root, j->path, &j->out, j->err,
		    sizeof(j->err));
		return;
	}
	/* the client is sent to the page once it is served */
	if (j->st == PUBLISH_OK && reload_upload_wait(UPLOAD_RELOAD_WAIT) ==
	    -1)
		j->reload_late = true;
}

/* On the worker again: the answer (if C is still there), the reload. */
static void
job_done(struct conn *c, void *arg)
{
	struct job	*j = arg;
	static const int status[] = { [PUBLISH_OK] = 30,
	    [PUBLISH_INVALID] = 59, [PUBLISH_REFUSED] = 50,
	    [PUBLISH_NOT_FOUND] = 51, [PUBLISH_FAILED] = 40 };
	const char	*ops[] = { "write", "delete", "edit" };
	int		 st = status[j->st];

	if (j->op == JOB_READ && (j->st == PUBLISH_OK ||
	    (j->st == PUBLISH_NOT_FOUND && j->p.create)))
		st = 20;	/* a new file's source is empty */
	log_upload(j->host, j->path, j->op == JOB_WRITE ? j->p.len : 0,
	    j->op == JOB_READ ? NULL : j->mime, j->fp, ops[j->op], st,
	    st == 30 || st == 20 ? NULL : j->err);
	if (j->reload_late)
		log_warnx("titan: host %s: %s written, but no reload ended "
		    "within %d s", j->host, j->path, UPLOAD_RELOAD_WAIT);
	if (c == NULL) {
		job_free(j);
		return;
	}
	if (st == 20) {
		conn_replyf(c, "20 %s\r\n", mime_lookup(j->path)->mime);
		conn_reply(c, j->out.data, j->out.len);
		conn_done(c, "20", "edit");
	} else if (st == 30)
		answer(c, 30, j->url, j->op == JOB_WRITE ? "uploaded" :
		    "deleted");
	else if (st == 40)
		answer(c, 40, msg_get(server_default(conn_ctx(c))->site->msg,
		    MSG_TRY_LATER), j->err);
	else
		answer(c, st, j->err, j->err);
	job_free(j);
}

/* The job for D, with the body DATA of LEN bytes (copied), or NULL. */
static struct job *
job_new(const struct decision *d, const char *data, size_t len)
{
	const struct conf_host	*h = d->vh->conf;
	struct buf		 url = BUF_INIT;
	struct job		*j;
	size_t			 n;

	if ((j = calloc(1, sizeof(*j))) == NULL)
		return NULL;
	j->op = d->req.edit ? JOB_READ : len > 0 ? JOB_WRITE : JOB_DELETE;
	snprintf(j->root, sizeof(j->root), "%s", h->root);
	(void)titan_history(h, j->history, sizeof(j->history));
	snprintf(j->path, sizeof(j->path), "%s", d->req.url.path);
	snprintf(j->host, sizeof(j->host), "%s", h->name);
	snprintf(j->mime, sizeof(j->mime), "%s", d->mime);
	snprintf(j->fp, sizeof(j->fp), "%s", d->fp);
	site_gemini_url(d->vh->site, d->req.url.path, &url);
	if (url.failed || (j->url = buf_take(&url, &n)) == NULL ||
	    (len > 0 && (j->data = malloc(len)) == NULL)) {
		buf_free(&url);
		job_free(j);
		return NULL;
	}
	if (len > 0)
		memcpy(j->data, data, len);
	j->p.root = j->root;
	j->p.history = j->history;
	j->p.path = j->path;
	j->p.data = j->data;
	j->p.len = len;
	j->p.text = strncasecmp(d->mime, "text/", 5) == 0;
	j->p.create = d->rule.create;
	return j;
}

void
upload_serve(struct conn *c, char *line, size_t len)
{
	struct decision	 d;
	struct job	*j;
	const char	*data;
	size_t		 dlen;

	conn_set_proto(c, "titan");
	hide_token(c, line, len);
	if (decide(c, line, len, &d) != 0) {
		log_upload(d.vh != NULL ? d.vh->conf->name : NULL,
		    d.req.url.path != NULL ? d.req.url.path : "-",
		    d.req.size, d.req.mime, d.fp, d.req.edit ? "edit" :
		    d.req.size > 0 ? "write" : "delete",
		    d.status, d.why);
		answer(c, d.status, d.meta, d.why);
		return;
	}
	if (d.req.nunknown > 0)
		log_info("titan: host %s: %u unknown parameter(s) ignored, "
		    "the first \"%s\"", d.vh->conf->name, d.req.nunknown,
		    d.req.unknown);
	data = conn_data(c, &dlen);
	if (!d.req.edit && d.req.size > 0 && (data == NULL ||
	    dlen != d.req.size)) {
		answer(c, 59, msg_get(d.vh->site->msg, MSG_TITAN_NOT_WHOLE),
		    "no body");
		return;
	}
	if ((j = job_new(&d, data, d.req.edit ? 0 : dlen)) == NULL ||
	    conn_job(c, job_work, job_done, j) == -1) {
		if (j != NULL)
			job_free(j);
		answer(c, 40, msg_get(d.vh->site->msg, MSG_TRY_LATER),
		    "out of memory");
	}
}
