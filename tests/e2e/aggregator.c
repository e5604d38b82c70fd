/*
 * aggregator: a fake Gemini aggregator for test_ping.sh, on loopback.
 *
 *	aggregator [-s] CERT KEY PORT LOG
 *
 * Accepts TLS connections on 127.0.0.1:PORT one after another, appends
 * each request line (without CRLF) to LOG as a line of its own, and
 * answers "20 text/gemini" and a line of thanks; with -s it answers
 * nothing and keeps every connection open, an aggregator that never
 * answers.  Runs until killed.
 */
#include <sys/socket.h>
#include <sys/time.h>

#include <netinet/in.h>
#include <arpa/inet.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/err.h>
#include <openssl/ssl.h>

int
main(int argc, char *argv[])
{
	struct sockaddr_in	 sin;
	struct timeval		 tv = { 5, 0 };
	SSL_CTX			*ctx;
	SSL			*ssl;
	FILE			*log;
	char			 line[2048];
	size_t			 got;
	int			 s, c, n, one = 1, silent = 0;

	if (argc > 1 && strcmp(argv[1], "-s") == 0) {
		silent = 1;
		argc--;
		argv++;
	}
	if (argc != 5) {
		fprintf(stderr, "usage: aggregator [-s] CERT KEY PORT LOG\n");
		return 2;
	}
	if ((ctx = SSL_CTX_new(TLS_server_method())) == NULL ||
	    SSL_CTX_use_certificate_chain_file(ctx, argv[1]) != 1 ||
	    SSL_CTX_use_PrivateKey_file(ctx, argv[2], SSL_FILETYPE_PEM) != 1) {
		ERR_print_errors_fp(stderr);
		return 1;
	}
	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_port = htons((unsigned short)atoi(argv[3]));
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if ((s = socket(AF_INET, SOCK_STREAM, 0)) == -1 ||
	    setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) == -1 ||
	    bind(s, (struct sockaddr *)&sin, sizeof(sin)) == -1 ||
	    listen(s, 16) == -1) {
		perror("listen");
		return 1;
	}
	printf("listening\n");
	fflush(stdout);
	for (;;) {
		if ((c = accept(s, NULL, NULL)) == -1)
			continue;
		(void)setsockopt(c, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
		if ((ssl = SSL_new(ctx)) == NULL || SSL_set_fd(ssl, c) != 1 ||
		    SSL_accept(ssl) != 1) {
			ERR_clear_error();
			SSL_free(ssl);
			close(c);
			continue;
		}
		for (got = 0; got < sizeof(line) - 1 &&
		    memchr(line, '\n', got) == NULL; got += (size_t)n)
			if ((n = SSL_read(ssl, line + got, (int)(sizeof(line) -
			    1 - got))) <= 0)
				break;
		line[got] = '\0';
		line[strcspn(line, "\r\n")] = '\0';
		if ((log = fopen(argv[4], "a")) != NULL) {
			fprintf(log, "%s\n", line);
			fclose(log);
		}
		if (silent)
			continue;	/* never answered, never closed */
		SSL_write(ssl, "20 text/gemini\r\nThanks.\n", 24);
		SSL_shutdown(ssl);
		SSL_free(ssl);
		close(c);
	}
}
