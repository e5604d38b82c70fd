/*
 * tls: the server's OpenSSL context: TLS 1.2 and 1.3 only, one
 * certificate for the served host, loaded from --certs or generated there
 * on first start.
 */
#ifndef TLS_H
#define TLS_H

#include <stddef.h>

#include <openssl/ssl.h>

/*
 * Load DIR/HOST.crt and DIR/HOST.key, or generate a self-signed ECDSA
 * P-256 pair there (subject and SAN = HOST, key mode 0600) when neither
 * exists.  Writes the certificate's SHA-256 fingerprint (AA:BB:...) to FP.
 * Returns a new context, or NULL with a message in ERR.
 */
SSL_CTX	*tls_init(const char *, const char *, char *, size_t, char *, size_t);

/* Take OpenSSL's error queue as one line into BUF; returns BUF. */
const char *tls_errors(char *, size_t);

#endif
