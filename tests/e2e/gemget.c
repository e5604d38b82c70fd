/*
 * gemget: the small Gemini client the end-to-end tests speak TLS with.
 *
 * usage: gemget [-fknLSt] [-a pem] [-b addr] [-C cafile] [-c bytes] [-d ms]
 *               [-e ms] [-m maxver] [-R file] [-r ms] [-s sni] [-w ms]
 *               [-x file] [-W bytes] [-K bytes]
 *               addr port [request]
 *        gemget [-H] [-b addr] -I n addr port
 *
 * Sends REQUEST followed by CRLF (or, without REQUEST, standard input as it
 * is, so that a test can send NUL bytes or leave out the CRLF) and writes
 * the whole response to standard output.  It exits 0 when the server
 * closed the connection with a TLS close_notify, 3 when it closed without
 * one, 2 when the handshake failed and 1 on other errors.
 *
 *   -n        send REQUEST without CRLF
 *   -m VER    highest TLS version to offer: 1.1, 1.2 or 1.3
 *   -s SNI    server name to send (default: none for addresses)
 *   -S        send no SNI at all
 *   -w MS     send the request one byte per TLS record, MS ms apart
 *   -W BYTES  with -w: send the first BYTES at once, then trickle (a
 *             Titan header, then its body one byte at a time)
 *   -K BYTES  with -w: trickle BYTES at a time instead of one
 *   -d MS     wait MS ms after sending, then read slowly (a slow reader)
 *   -f        print the server certificate's SHA-256 fingerprint and exit
 *   -r MS     a trickling reader: a small receive buffer, 256 bytes read
 *             every MS ms
 *   -c BYTES  read BYTES of the response, then close without a word
 *   -t        plain TCP, no TLS (for Gopher): send, half-close, read all;
 *             with -w, one byte every MS ms
 *   -b ADDR   connect from this local address (e.g. 127.0.0.2)
 *   -x FILE   send FILE's bytes first, before TLS (a PROXY header)
 *   -e MS     after the handshake, wait MS ms before sending the request:
 *             exit 5 if the server sends anything meanwhile, or if no
 *             session ticket has come by the end of a TLS 1.3 answer
 *   -k        keep the connection open after the answer (close_notify
 *             and all) until killed, without closing it or replying
 *   -L        SO_LINGER 0 on the socket: whenever it closes, by the end
 *             of gemget or by a signal that kills it, a reset is sent
 *   -R FILE   resume the TLS session saved in FILE, if there is one, and
 *             save the last one the server sent (its session ticket) in
 *             FILE; say "session: resumed" or "session: new" on stderr
 *   -a PEM    present the client certificate and its key in the PEM
 *             file PEM when the server asks for one
 *   -C FILE   verify the server's certificate against the CA certificates
 *             in FILE and the SNI name as the host name (RFC 6125); a
 *             certificate that fails is a failed handshake (exit 2)
 *
 * gemget -I N opens N TCP connections, prints N once they are all open and
 * holds them, saying nothing, until it is killed.  With -H, each sends a
 * TLS ClientHello (one, made once, the same bytes on every connection) and
 * then nothing more: N handshakes left half done.
 * gemget -F prints a TCP port that is free on 127.0.0.1 and exits.
 */
#include <sys/socket.h>

#include <netinet/in.h>
#include <arpa/inet.h>

#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include "dial.h"

static int		 rcvbuf;
static int		 tickets;	/* session tickets received */
static SSL_SESSION	*last;		/* the last one, with -R */
static const char	*sessfile;	/* -R FILE */

/* A session ticket came: count it, and keep the last one for -R. */
static int
ticket_cb(SSL *ssl, SSL_SESSION *sess)
{
	tickets++;
	if (sessfile == NULL)
		return 0;
	SSL_SESSION_free(last);
	last = sess;
	return 1;			/* the reference is ours */
}

/* -R: the session saved in sessfile, or NULL. */
static SSL_SESSION *
session_load(void)
{
	SSL_SESSION	*sess;
	FILE		*f;

	if ((f = fopen(sessfile, "r")) == NULL)
		return NULL;
	sess = PEM_read_SSL_SESSION(f, NULL, NULL, NULL);
	fclose(f);
	return sess;
}

static void
session_save(void)
{
	FILE	*f;

	if (last == NULL)
		return;
	if ((f = fopen(sessfile, "w")) == NULL ||
	    !PEM_write_SSL_SESSION(f, last))
		perror(sessfile);
	if (f != NULL)
		fclose(f);
}

/*
 * A ClientHello of CTX's, as it would go on the wire, in *HELLO (*LEN
 * bytes, to free).  Returns 0, or -1.
 */
static int
client_hello(SSL_CTX *ctx, unsigned char **hello, long *len)
{
	SSL	*ssl;
	BIO	*rb, *wb;
	char	*data;
	int	 rc = -1;

	if ((ssl = SSL_new(ctx)) == NULL)
		return -1;
	if ((rb = BIO_new(BIO_s_mem())) == NULL ||
	    (wb = BIO_new(BIO_s_mem())) == NULL) {
		BIO_free(rb);
		SSL_free(ssl);
		return -1;
	}
	SSL_set_bio(ssl, rb, wb);		/* SSL owns both now */
	SSL_connect(ssl);			/* wants to read: fine */
	if ((*len = BIO_get_mem_data(wb, &data)) > 0 &&
	    (*hello = malloc((size_t)*len)) != NULL) {
		memcpy(*hello, data, (size_t)*len);
		rc = 0;
	}
	SSL_free(ssl);
	return rc;
}

/*
 * Open N connections, send FIRST's bytes (FIRSTLEN, may be 0) on each,
 * and hold them until killed.
 */
static int
hold(int n, const char *addr, const char *port, const char *from,
    const unsigned char *first, long firstlen)
{
	int	 i, fd;

	for (i = 0; i < n; i++) {
		if ((fd = dial(addr, port, from, rcvbuf)) == -1) {
			perror("connect");
			return 1;
		}
		if (firstlen > 0 && write(fd, first, (size_t)firstlen) !=
		    firstlen) {
			perror("write");
			return 1;
		}
	}
	printf("%d\n", n);
	fflush(stdout);
	for (;;)
		pause();
}

/* Bind a loopback socket to PORT (0: the kernel picks); the port, or 0. */
static int
try_port(int port)
{
	struct sockaddr_in	 sin;
	socklen_t		 len = sizeof(sin);
	int			 fd;

	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	sin.sin_port = htons((unsigned short)port);
	if ((fd = socket(AF_INET, SOCK_STREAM, 0)) == -1)
		return 0;
	if (bind(fd, (struct sockaddr *)&sin, sizeof(sin)) == -1 ||
	    getsockname(fd, (struct sockaddr *)&sin, &len) == -1)
		port = 0;
	else
		port = ntohs(sin.sin_port);
	close(fd);
	return port;
}

/*
 * Print a loopback port that is free now. It is taken below the kernel's
 * range for outgoing connections (ip_local_port_range), so that no
 * client's source port can take it before the server binds it.
 */
static int
free_port(void)
{
	struct timespec	 ts;
	FILE		*f;
	int		 i, low = 32768, port = 0;

	if ((f = fopen("/proc/sys/net/ipv4/ip_local_port_range", "r")) !=
	    NULL) {
		if (fscanf(f, "%d", &low) != 1)
			low = 32768;
		fclose(f);
	}
	/*
	 * Not getpid() ^ time(NULL): the next pid a second later (p + 1 at
	 * t + 1, p and t even) gave the same seed, and the same port.
	 */
	clock_gettime(CLOCK_REALTIME, &ts);
	srand((unsigned)getpid() * 2654435761u ^ (unsigned)ts.tv_sec ^
	    (unsigned)ts.tv_nsec);
	for (i = 0; i < 1000 && port == 0 && low > 10000; i++)
		port = try_port(10000 + rand() % (low - 10000));
	if (port == 0 && (port = try_port(0)) == 0) {
		perror("gemget -F");
		return 1;
	}
	printf("%d\n", port);
	return 0;
}

static void
msleep(int ms)
{
	struct timespec	 ts = { ms / 1000, (ms % 1000) * 1000000L };

	nanosleep(&ts, NULL);
}

int
main(int argc, char **argv)
{
	SSL_CTX		*ctx;
	SSL		*ssl;
	X509		*crt;
	char		*req = NULL, *p, buf[16384];
	const char	*sni = NULL, *maxver = "1.3", *from = NULL;
	const char	*first = NULL, *cafile = NULL, *pem = NULL;
	SSL_SESSION	*sess = NULL;
	FILE		*f;
	unsigned char	 md[EVP_MAX_MD_SIZE];
	unsigned int	 mdlen, i;
	size_t		 reqlen = 0, cap = 0;
	ssize_t		 r;
	int		 ch, fd, n, err, nocrlf = 0, nosni = 0, wait = -1;
	int		 wfirst = 0, wchunk = 1;
	int		 fp = 0, version, status = 1, plain = 0, slow = 0;
	int		 trickle = 0, cutoff = -1, nhold = 0, early = -1;
	int		 keep = 0, reset = 0, hello = 0;
	unsigned char	*hold_first = NULL;
	long		 hold_len = 0;
	struct linger	 lg = { 1, 0 };
	struct pollfd	 pfd;
	long		 got = 0;
	int		 want;
	struct timeval	 tv = { 20, 0 };

	/* a server that refuses us must not kill us with SIGPIPE */
	signal(SIGPIPE, SIG_IGN);
	while ((ch = getopt(argc, argv, "a:b:C:c:d:e:FfHI:K:kLm:nR:r:s:Stw:W:x:")) != -1) {
		switch (ch) {
		case 'a':
			pem = optarg;
			break;
		case 'b':
			from = optarg;
			break;
		case 'x':
			first = optarg;
			break;
		case 'C':
			cafile = optarg;
			break;
		case 'R':
			sessfile = optarg;
			break;
		case 'e':
			early = atoi(optarg);
			break;
		case 'L':
			reset = 1;
			break;
		case 'k':
			keep = 1;
			break;
		case 'c':
			cutoff = atoi(optarg);
			break;
		case 'I':
			nhold = atoi(optarg);
			break;
		case 'H':
			hello = 1;
			break;
		case 'r':
			trickle = atoi(optarg);
			rcvbuf = 4096;
			break;
		case 'd':
			slow = atoi(optarg);
			break;
		case 't':
			plain = 1;
			break;
		case 'F':
			return free_port();
		case 'f':
			fp = 1;
			break;
		case 'm':
			maxver = optarg;
			break;
		case 'n':
			nocrlf = 1;
			break;
		case 's':
			sni = optarg;
			break;
		case 'S':
			nosni = 1;
			break;
		case 'w':
			wait = atoi(optarg);
			break;
		case 'W':
			wfirst = atoi(optarg);
			break;
		case 'K':
			wchunk = atoi(optarg) > 0 ? atoi(optarg) : 1;
			break;
		default:
			return 1;
		}
	}
	argc -= optind;
	argv += optind;
	if (argc < 2 || argc > 3) {
		fprintf(stderr, "usage: gemget [-fknLSt] [-a pem] [-b addr] "
		    "[-C cafile] [-c bytes] [-d ms] [-e ms] [-m ver] "
		    "[-R file] [-r ms] [-s sni] [-w ms] [-W bytes] [-K bytes] "
		    "[-x file] addr port "
		    "[request]\n");
		return 1;
	}
	if (nhold > 0 && hello) {
		if ((ctx = SSL_CTX_new(TLS_client_method())) == NULL ||
		    client_hello(ctx, &hold_first, &hold_len) == -1) {
			fprintf(stderr, "gemget: cannot make a ClientHello\n");
			return 1;
		}
		SSL_CTX_free(ctx);
	}
	if (nhold > 0)
		return hold(nhold, argv[0], argv[1], from, hold_first,
		    hold_len);
	if (argc == 3) {
		reqlen = strlen(argv[2]);
		if ((req = malloc(reqlen + 3)) == NULL)
			return 1;
		memcpy(req, argv[2], reqlen);
		if (!nocrlf) {
			memcpy(req + reqlen, "\r\n", 2);
			reqlen += 2;
		}
	} else if (!fp) {
		while ((r = read(0, buf, sizeof(buf))) > 0) {
			if (reqlen + (size_t)r > cap) {
				cap = (reqlen + (size_t)r) * 2;
				if ((p = realloc(req, cap)) == NULL) {
					free(req);
					return 1;
				}
				req = p;
			}
			memcpy(req + reqlen, buf, (size_t)r);
			reqlen += (size_t)r;
		}
	}

	version = strcmp(maxver, "1.1") == 0 ? TLS1_1_VERSION :
	    strcmp(maxver, "1.2") == 0 ? TLS1_2_VERSION : TLS1_3_VERSION;
	if ((ctx = SSL_CTX_new(TLS_client_method())) == NULL)
		return 1;
	/* allow old versions so that the server is the one to refuse */
	SSL_CTX_set_security_level(ctx, 0);
	SSL_CTX_set_min_proto_version(ctx, 0);
	SSL_CTX_set_max_proto_version(ctx, version);
	if (pem != NULL && (SSL_CTX_use_certificate_chain_file(ctx, pem) != 1 ||
	    SSL_CTX_use_PrivateKey_file(ctx, pem, SSL_FILETYPE_PEM) != 1)) {
		fprintf(stderr, "gemget: %s: cannot load\n", pem);
		ERR_print_errors_fp(stderr);
		return 1;
	}
	if (cafile != NULL) {
		if (!SSL_CTX_load_verify_locations(ctx, cafile, NULL)) {
			ERR_print_errors_fp(stderr);
			return 1;
		}
		SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, NULL);
	} else
		SSL_CTX_set_verify(ctx, SSL_VERIFY_NONE, NULL);	/* TOFU */
	SSL_CTX_set_session_cache_mode(ctx, SSL_SESS_CACHE_CLIENT |
	    SSL_SESS_CACHE_NO_INTERNAL_STORE);
	SSL_CTX_sess_set_new_cb(ctx, ticket_cb);

	if ((fd = dial(argv[0], argv[1], from, rcvbuf)) == -1) {
		perror("connect");
		return 1;
	}
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	if (reset)
		setsockopt(fd, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg));
	if (first != NULL) {
		if ((f = fopen(first, "rb")) == NULL) {
			perror(first);
			return 1;
		}
		while ((r = (ssize_t)fread(buf, 1, sizeof(buf), f)) > 0)
			if (write(fd, buf, (size_t)r) != r)
				perror("write");
		fclose(f);
	}
	if (plain) {
		if (wait >= 0) {
			for (i = 0; i < reqlen; i++) {
				if (write(fd, req + i, 1) != 1) {
					perror("write");
					break;
				}
				msleep(wait);
			}
		} else if (reqlen > 0 && write(fd, req, reqlen) !=
		    (ssize_t)reqlen)
			perror("write");
		shutdown(fd, SHUT_WR);
		while ((r = read(fd, buf, sizeof(buf))) > 0)
			fwrite(buf, 1, (size_t)r, stdout);
		close(fd);
		free(req);
		SSL_CTX_free(ctx);
		return r == 0 ? 0 : 1;
	}
	if ((ssl = SSL_new(ctx)) == NULL || !SSL_set_fd(ssl, fd))
		return 1;
	if (sni == NULL && !nosni && strchr(argv[0], ':') == NULL &&
	    strspn(argv[0], "0123456789.") != strlen(argv[0]))
		sni = argv[0];
	if (sni != NULL && !nosni)
		SSL_set_tlsext_host_name(ssl, sni);
	if (cafile != NULL && (sni == NULL || nosni ||
	    !SSL_set1_host(ssl, sni))) {
		fprintf(stderr, "gemget: -C needs a host name (-s)\n");
		return 1;
	}
	if (sessfile != NULL && (sess = session_load()) != NULL &&
	    !SSL_set_session(ssl, sess)) {
		fprintf(stderr, "gemget: %s: cannot offer the session\n",
		    sessfile);
		return 1;
	}
	if (SSL_connect(ssl) != 1) {
		fprintf(stderr, "gemget: handshake failed\n");
		ERR_print_errors_fp(stderr);
		if (cafile != NULL && SSL_get_verify_result(ssl) != X509_V_OK)
			fprintf(stderr, "gemget: certificate: %s\n",
			    X509_verify_cert_error_string(
			    SSL_get_verify_result(ssl)));
		status = 2;
		goto done;
	}
	if (sessfile != NULL)
		fprintf(stderr, "session: %s\n", SSL_session_reused(ssl) ?
		    "resumed" : "new");
	if (fp) {
		crt = SSL_get1_peer_certificate(ssl);
		if (crt == NULL || !X509_digest(crt, EVP_sha256(), md, &mdlen))
			return 1;
		for (i = 0; i < mdlen; i++)
			printf("%s%02X", i ? ":" : "", md[i]);
		printf("\n");
		X509_free(crt);
		status = 0;
		goto done;
	}
	if (early >= 0) {
		pfd.fd = fd;
		pfd.events = POLLIN;
		if (poll(&pfd, 1, early) != 0) {
			fprintf(stderr, "gemget: the server sent something "
			    "before the request\n");
			status = 5;
			goto done;
		}
	}
	if (wait >= 0) {
		/* the server may answer (and close) before the end */
		if (wfirst > 0 && (size_t)wfirst < reqlen &&
		    SSL_write(ssl, req, wfirst) == wfirst)
			i = (unsigned int)wfirst;
		else
			i = 0;
		for (; i < reqlen; i += (unsigned int)n) {
			n = reqlen - i < (size_t)wchunk ? (int)(reqlen - i) :
			    wchunk;
			if (SSL_write(ssl, req + i, n) != n)
				break;
			msleep(wait);
		}
	} else if (reqlen > 0 && SSL_write(ssl, req, (int)reqlen) <= 0) {
		fprintf(stderr, "gemget: write failed\n");
		goto done;
	}
	if (slow > 0)
		msleep(slow);
	for (;;) {
		if (trickle > 0)
			msleep(trickle);
		want = trickle > 0 ? 256 : slow > 0 ? 1024 : (int)sizeof(buf);
		if (cutoff >= 0 && cutoff - got < want)
			want = (int)(cutoff - got);
		n = want > 0 ? SSL_read(ssl, buf, want) : 0;
		if (n > 0) {
			fwrite(buf, 1, (size_t)n, stdout);
			if (trickle > 0)	/* tests poll the file */
				fflush(stdout);
			got += n;
			if (cutoff >= 0 && got >= cutoff) {
				close(fd);	/* unread data: a reset */
				status = 4;	/* we hung up */
				goto done;
			}
			continue;
		}
		err = SSL_get_error(ssl, n);
		if (err == SSL_ERROR_ZERO_RETURN) {
			status = 0;		/* close_notify */
			if (early >= 0 && tickets == 0 &&
			    SSL_version(ssl) == TLS1_3_VERSION) {
				fprintf(stderr, "gemget: no session ticket "
				    "came with the answer\n");
				status = 5;
			}
			break;
		}
		fprintf(stderr, "gemget: connection closed without "
		    "close_notify\n");
		status = 3;
		break;
	}
 done:
	fflush(stdout);
	if (sessfile != NULL)
		session_save();
	if (keep)
		for (;;)
			pause();
	SSL_SESSION_free(sess);
	SSL_SESSION_free(last);
	SSL_free(ssl);
	SSL_CTX_free(ctx);
	close(fd);
	free(req);
	return status;
}
