/*
 * test_net: the transport in one process, over real loopback sockets.  A
 * front-end of its own streams a file with conn_reply_file(), to a plain
 * client and to a TLS client (each in a thread); the context's references
 * balance, with one worker and with three; an answer queued in pieces
 * that fits in a TLS record leaves as one; the write rate check does not
 * wrap.
 */
#include <sys/socket.h>
#include <sys/stat.h>

#include <netinet/in.h>
#include <arpa/inet.h>

#include <fcntl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <event2/event.h>
#include <event2/thread.h>

#include <openssl/ssl.h>

#include "check.h"
#include "net.h"
#include "tls.h"

#define FILE_LEN	(3 * NET_FILE_CHUNK + 12345)
#define OFFSET		7

static char		 path[] = "/tmp/zeche-test-net.XXXXXX";
static char		 certs[] = "/tmp/zeche-test-certs.XXXXXX";
static unsigned char	*data;
static int		 refs;
static atomic_int	 clients_done;
static char		 port_plain[8], port_tls[8];

static void
ctx_ref(void *ctx)
{
	CHECK(ctx == &refs);
	refs++;
}

static void
ctx_unref(void *ctx)
{
	CHECK(ctx == &refs);
	refs--;
}

/* Answer every request with a line, then the file from OFFSET on. */
static void
serve(struct conn *c, char *line, size_t len)
{
	int	 fd;

	CHECK(conn_ctx(c) == &refs);
	conn_reply(c, "OK\n", 3);
	if ((fd = open(path, O_RDONLY)) == -1 ||
	    conn_reply_file(c, fd, OFFSET, FILE_LEN - OFFSET) == -1) {
		CHECK(!"conn_reply_file");
		conn_done(c, "x", "no file");
		return;
	}
	conn_done(c, "20", NULL);
}

static void
reject(struct conn *c, const char *why)
{
	conn_replyf(c, "NO %s\n", why);
	conn_done(c, "59", why);
}

static const struct front test_front = {
	.name = "test",
	.lf_ok = true,
	.line_max = 100,
	.serve = serve,
	.reject = reject,
};

static int
dial(const char *port)
{
	struct sockaddr_in	 sin;
	int			 fd;

	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_port = htons((unsigned short)atoi(port));
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if ((fd = socket(AF_INET, SOCK_STREAM, 0)) == -1)
		return -1;
	if (connect(fd, (struct sockaddr *)&sin, sizeof(sin)) == -1) {
		close(fd);
		return -1;
	}
	return fd;
}

/* The whole answer is "OK\n" and the file from OFFSET on. */
static bool
is_answer(const unsigned char *got, size_t len)
{
	return len == 3 + FILE_LEN - OFFSET && memcmp(got, "OK\n", 3) == 0 &&
	    memcmp(got + 3, data + OFFSET, FILE_LEN - OFFSET) == 0;
}

static void *
plain_client(void *arg)
{
	unsigned char	*got = malloc(2 * FILE_LEN);
	size_t		 len = 0;
	ssize_t		 n;
	int		 fd;

	if (got != NULL && (fd = dial(port_plain)) != -1) {
		if (write(fd, "x\r\n", 3) == 3)
			while ((n = read(fd, got + len, 2 * FILE_LEN - len)) > 0)
				len += (size_t)n;
		close(fd);
	}
	CHECK(got != NULL && is_answer(got, len));
	free(got);
	atomic_fetch_add(&clients_done, 1);
	return NULL;
}

/*
 * A client that connects, waits until it is told to go on, then asks: the
 * server must not hold a reference on the context before the request.
 */
static atomic_int	 idle_go;

static void *
idle_client(void *arg)
{
	unsigned char	*got = malloc(2 * FILE_LEN);
	size_t		 len = 0;
	ssize_t		 n;
	int		 fd;

	if (got != NULL && (fd = dial(port_plain)) != -1) {
		while (!atomic_load(&idle_go))
			usleep(1000);
		if (write(fd, "x\r\n", 3) == 3)
			while ((n = read(fd, got + len, 2 * FILE_LEN - len)) > 0)
				len += (size_t)n;
		close(fd);
	}
	CHECK(got != NULL && is_answer(got, len));
	free(got);
	atomic_fetch_add(&clients_done, 1);
	return NULL;
}

static void
idle_watch(evutil_socket_t fd, short what, void *arg)
{
	if (net_conns() == 1 && !atomic_load(&idle_go)) {
		/* accepted, no request yet: no reference taken */
		CHECK(refs == 1);
		atomic_store(&idle_go, 1);
	}
	if (atomic_load(&clients_done) == 1)
		event_base_loopbreak(arg);
}

static void *
tls_client(void *arg)
{
	SSL_CTX		*ctx = SSL_CTX_new(TLS_client_method());
	SSL		*ssl = NULL;
	unsigned char	*got = malloc(2 * FILE_LEN);
	size_t		 len = 0;
	int		 fd = -1, n;
	bool		 notified = false;

	if (ctx != NULL && got != NULL && (fd = dial(port_tls)) != -1 &&
	    (ssl = SSL_new(ctx)) != NULL && SSL_set_fd(ssl, fd) == 1 &&
	    SSL_connect(ssl) == 1 && SSL_write(ssl, "x\r\n", 3) == 3) {
		while ((n = SSL_read(ssl, got + len,
		    (int)(2 * FILE_LEN - len))) > 0)
			len += (size_t)n;
		notified = SSL_get_error(ssl, n) == SSL_ERROR_ZERO_RETURN;
	}
	CHECK(got != NULL && is_answer(got, len));
	CHECK(notified);		/* and then close_notify */
	SSL_free(ssl);
	SSL_CTX_free(ctx);
	if (fd != -1)
		close(fd);
	free(got);
	atomic_fetch_add(&clients_done, 1);
	return NULL;
}

static void
free_port(char *buf, size_t len)
{
	struct sockaddr_in	 sin;
	socklen_t		 sl = sizeof(sin);
	int			 fd;

	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	fd = socket(AF_INET, SOCK_STREAM, 0);
	if (fd == -1 || bind(fd, (struct sockaddr *)&sin, sizeof(sin)) == -1 ||
	    getsockname(fd, (struct sockaddr *)&sin, &sl) == -1)
		snprintf(buf, len, "0");
	else
		snprintf(buf, len, "%d", ntohs(sin.sin_port));
	if (fd != -1)
		close(fd);
}

static void
watch(evutil_socket_t fd, short what, void *arg)
{
	if (atomic_load(&clients_done) == 2)
		event_base_loopbreak(arg);
}

static void
test_reply_file_plain_and_tls(void)
{
	struct event_base	*base;
	struct event		*tick;
	struct timeval		 tv = { 0, 10000 };
	struct net_conf		 nc = { .timeout = 5, .max_conns = 100,
				    .ref = ctx_ref, .unref = ctx_unref };
	SSL_CTX			*ctx;
	pthread_t		 t1, t2;
	char			 fp[128], err[256];
	size_t			 i;
	int			 fd;

	CHECK((data = malloc(FILE_LEN)) != NULL);
	for (i = 0; i < FILE_LEN; i++)
		data[i] = (unsigned char)(i * 7 + i / 251);
	CHECK((fd = mkstemp(path)) != -1);
	CHECK(write(fd, data, FILE_LEN) == FILE_LEN);
	close(fd);
	CHECK(mkdtemp(certs) != NULL);
	ctx = tls_init(certs, "localhost", fp, sizeof(fp), err, sizeof(err));
	CHECK(ctx != NULL);

	CHECK(evthread_use_pthreads() == 0);
	CHECK((base = event_base_new()) != NULL);
	CHECK(net_init(base, ctx, &nc) == 0);
	net_set_ctx(&refs);
	CHECK(refs == 1);
	free_port(port_plain, sizeof(port_plain));
	free_port(port_tls, sizeof(port_tls));
	CHECK(net_listen("127.0.0.1", port_plain, &test_front, NET_PLAIN, false, err,
	    sizeof(err)) == 0);
	CHECK(net_listen("127.0.0.1", port_tls, &test_front, NET_TLS, false, err,
	    sizeof(err)) == 0);
	/* first a client that connects and waits before it asks */
	CHECK((tick = event_new(base, -1, EV_PERSIST, idle_watch, base)) !=
	    NULL);
	event_add(tick, &tv);
	pthread_create(&t1, NULL, idle_client, NULL);
	event_base_dispatch(base);
	pthread_join(t1, NULL);
	CHECK(atomic_load(&idle_go) == 1);
	event_free(tick);
	atomic_store(&clients_done, 0);

	CHECK((tick = event_new(base, -1, EV_PERSIST, watch, base)) != NULL);
	event_add(tick, &tv);
	pthread_create(&t1, NULL, plain_client, NULL);
	pthread_create(&t2, NULL, tls_client, NULL);
	event_base_dispatch(base);
	pthread_join(t1, NULL);
	pthread_join(t2, NULL);

	/* the connections linger until the clients' close is seen */
	for (i = 0; i < 200 && net_conns() > 0; i++)
		event_base_loop(base, EVLOOP_ONCE);
	CHECK(net_conns() == 0);
	CHECK(refs == 1);		/* only the current one is left */
	net_shutdown();
	CHECK(refs == 0);
	event_free(tick);
	event_base_free(base);
	SSL_CTX_free(ctx);
	unlink(path);
	snprintf(err, sizeof(err), "%s/localhost.crt", certs);
	unlink(err);
	snprintf(err, sizeof(err), "%s/localhost.key", certs);
	unlink(err);
	rmdir(certs);
	free(data);
}

/*
 * Records: an answer queued in pieces (a status line, then its page in
 * two references) that fits in one TLS record (2^14 bytes) arrives in
 * one application-data record; a larger one arrives whole.  The client
 * counts the records it decrypts by their inner content type.
 */
#define SMALL_BODY	5000
#define LARGE_BODY	40000

static char		 body[LARGE_BODY];
static atomic_int	 app_records;

static void
serve_pieces(struct conn *c, char *line, size_t len)
{
	size_t	 n = line[0] == 'L' ? LARGE_BODY : SMALL_BODY;

	conn_reply_ref(c, "20 text/gemini\r\n", 16);
	conn_reply_ref(c, body, n / 2);
	conn_reply_ref(c, body + n / 2, n - n / 2);
	conn_done(c, "20", NULL);
}

static const struct front pieces_front = {
	.name = "pieces",
	.lf_ok = true,
	.line_max = 100,
	.serve = serve_pieces,
	.reject = reject,
};

static void
count_records(int write_p, int version, int type, const void *buf,
    size_t len, SSL *ssl, void *arg)
{
	if (!write_p && type == SSL3_RT_INNER_CONTENT_TYPE && len == 1 &&
	    *(const unsigned char *)buf == SSL3_RT_APPLICATION_DATA)
		atomic_fetch_add(&app_records, 1);
}

/* Ask REQ on the TLS port; the answer's bytes, or 0 on failure. */
static size_t
ask_tls(const char *req, unsigned char *got, size_t max)
{
	SSL_CTX		*ctx = SSL_CTX_new(TLS_client_method());
	SSL		*ssl = NULL;
	size_t		 len = 0;
	int		 fd = -1, n;

	if (ctx != NULL)
		SSL_CTX_set_msg_callback(ctx, count_records);
	if (ctx != NULL && (fd = dial(port_tls)) != -1 &&
	    (ssl = SSL_new(ctx)) != NULL && SSL_set_fd(ssl, fd) == 1 &&
	    SSL_connect(ssl) == 1 &&
	    SSL_write(ssl, req, (int)strlen(req)) == (int)strlen(req))
		while ((n = SSL_read(ssl, got + len, (int)(max - len))) > 0)
			len += (size_t)n;
	SSL_free(ssl);
	SSL_CTX_free(ctx);
	if (fd != -1)
		close(fd);
	return len;
}

static void *
pieces_client(void *arg)
{
	static unsigned char	 got[LARGE_BODY + 100];
	size_t			 len;

	atomic_store(&app_records, 0);
	len = ask_tls("S\r\n", got, sizeof(got));
	CHECK(len == 16 + SMALL_BODY && memcmp(got, "20 text/gemini\r\n",
	    16) == 0 && memcmp(got + 16, body, SMALL_BODY) == 0);
	CHECK(atomic_load(&app_records) == 1);		/* one record */

	atomic_store(&app_records, 0);
	len = ask_tls("L\r\n", got, sizeof(got));
	CHECK(len == 16 + LARGE_BODY && memcmp(got, "20 text/gemini\r\n",
	    16) == 0 && memcmp(got + 16, body, LARGE_BODY) == 0);
	CHECK(atomic_load(&app_records) >= 3);		/* 40 KB: 3 at least */
	atomic_fetch_add(&clients_done, 1);
	return NULL;
}

static void
pieces_watch(evutil_socket_t fd, short what, void *arg)
{
	if (atomic_load(&clients_done) == 1)
		event_base_loopbreak(arg);
}

static void
test_small_answer_in_pieces_is_one_record(void)
{
	struct event_base	*base;
	struct event		*tick;
	struct timeval		 tv = { 0, 10000 };
	struct net_conf		 nc = { .timeout = 5, .max_conns = 100,
				    .ref = ctx_ref, .unref = ctx_unref };
	SSL_CTX			*ctx;
	pthread_t		 t;
	char			 tmp[] = "/tmp/zeche-test-certs.XXXXXX";
	char			 fp[128], err[256];
	size_t			 i;

	for (i = 0; i < sizeof(body); i++)
		body[i] = (char)('a' + i % 26);
	refs = 0;
	atomic_store(&clients_done, 0);
	CHECK(mkdtemp(tmp) != NULL);
	ctx = tls_init(tmp, "localhost", fp, sizeof(fp), err, sizeof(err));
	CHECK(ctx != NULL);
	CHECK((base = event_base_new()) != NULL);
	CHECK(net_init(base, ctx, &nc) == 0);
	net_set_ctx(&refs);
	free_port(port_tls, sizeof(port_tls));
	CHECK(net_listen("127.0.0.1", port_tls, &pieces_front, NET_TLS,
	    false, err, sizeof(err)) == 0);
	CHECK((tick = event_new(base, -1, EV_PERSIST, pieces_watch, base)) !=
	    NULL);
	event_add(tick, &tv);
	pthread_create(&t, NULL, pieces_client, NULL);
	event_base_dispatch(base);
	pthread_join(t, NULL);
	for (i = 0; i < 200 && net_conns() > 0; i++)
		event_base_loop(base, EVLOOP_ONCE);
	CHECK(net_conns() == 0);
	CHECK(refs == 1);
	net_shutdown();
	CHECK(refs == 0);
	event_free(tick);
	event_base_free(base);
	SSL_CTX_free(ctx);
	snprintf(err, sizeof(err), "%s/localhost.crt", tmp);
	unlink(err);
	snprintf(err, sizeof(err), "%s/localhost.key", tmp);
	unlink(err);
	rmdir(tmp);
}

static void
stop_soon(evutil_socket_t fd, short what, void *arg)
{
	net_stop();
}

/*
 * Three workers: each holds one reference on the context, a swap takes
 * and drops one per worker, and a stop with no connection ends every
 * worker's loop and then worker 0's; the shutdown joins the threads and
 * drops every reference.
 */
static void
test_workers_hold_the_context_and_stop(void)
{
	struct event_base	*base;
	struct event		*ev;
	struct timeval		 tv = { 0, 20000 };
	struct net_conf		 nc = { .timeout = 5, .max_conns = 100,
				    .workers = 3, .ref = ctx_ref,
				    .unref = ctx_unref };
	char			 port[8], err[256];

	refs = 0;
	CHECK((base = net_base_new()) != NULL);
	CHECK(net_init(base, NULL, &nc) == 0);
	net_set_ctx(&refs);
	CHECK(refs == 3);
	net_set_ctx(&refs);
	CHECK(refs == 3);
	free_port(port, sizeof(port));
	CHECK(net_listen("127.0.0.1", port, &test_front, NET_PLAIN, false, err,
	    sizeof(err)) == 0);
	CHECK(net_start() == 0);
	CHECK((ev = evtimer_new(base, stop_soon, NULL)) != NULL);
	evtimer_add(ev, &tv);
	event_base_dispatch(base);	/* until every worker has stopped */
	CHECK(net_conns() == 0);
	net_shutdown();
	CHECK(refs == 0);
	event_free(ev);
	event_base_free(base);
}

/*
 * The write rate over a window: at least NET_WRITE_RATE_MIN bytes a
 * second since the mark, and progress still short of the mark (a client
 * that has not acknowledged the whole handshake) is none, not a
 * difference that wraps round to a huge one.
 */
static void
test_rate_check_does_not_wrap(void)
{
	uint64_t	 need = (uint64_t)NET_WRITE_RATE_MIN * 10;

	CHECK(net_rate_ok(3000, 3000 + need, 10));
	CHECK(net_rate_ok(3000, 3000 + need + 1, 10));
	CHECK(!net_rate_ok(3000, 3000 + need - 1, 10));
	CHECK(!net_rate_ok(3000, 3000, 10));
	CHECK(!net_rate_ok(3000, 2999, 10));
	CHECK(!net_rate_ok(3000, 0, 10));
	CHECK(!net_rate_ok(UINT64_MAX, 0, 1));
	CHECK(net_rate_ok(0, need, 10));
}

int
main(void)
{
	test_rate_check_does_not_wrap();
	test_reply_file_plain_and_tls();
	test_small_answer_in_pieces_is_one_record();
	test_workers_hold_the_context_and_stop();
	CHECK_DONE();
}
