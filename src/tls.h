/*
 * tls: the server's OpenSSL contexts: TLS 1.2 and 1.3 only, one per
 * served host with its certificate, loaded from --certs or generated
 * there on first start, and its own sessions.
 */
#ifndef TLS_H
#define TLS_H

#include <sys/types.h>

#include <stdbool.h>
#include <stddef.h>

#include <openssl/ssl.h>

/*
 * Load DIR/HOST.crt and DIR/HOST.key, or generate a self-signed ECDSA
 * P-256 pair there (subject and SAN = HOST, key mode 0600) when neither
 * exists, making DIR and its missing parents (mode 0700) first.  Writes
 * the certificate's SHA-256 fingerprint (AA:BB:...) to FP.
 * Returns a new context, or NULL with a message in ERR.
 */
SSL_CTX	*tls_init(const char *, const char *, char *, size_t, char *, size_t);

/*
 * The settings every server SSL_CTX gets, one per served host: TLS
 * options, the SNI callbacks, no session cache, one stateless session
 * ticket per connection under keys drawn from a secret shared by all
 * contexts and threads and rotated on a schedule.  A TLS 1.3 connection
 * gets its ticket only when tls_ticket() asks for it, so that it can
 * leave with the answer; TLS 1.2 sends its ticket in the handshake.
 * Call it once on a new context, then tls_ctx_set_host() (tls_load does
 * both).
 */
void	 tls_ctx_setup(SSL_CTX *);

/*
 * Make CTX the context of the host HOST: its session id context and its
 * session ticket keys are the host's own, so that a session made for
 * one host never resumes under another's name.  Returns 0 or -1.
 */
int	 tls_ctx_set_host(SSL_CTX *, const char *);

/*
 * With FRESH, CTX (made by tls_ctx_set_host) resumes no session, so that
 * every handshake asks for a client certificate anew: for a host whose
 * access rules may ask for one.  Sessions made with a certificate never
 * resume anyway.  Safe while CTX serves.
 */
void	 tls_ctx_fresh(SSL_CTX *, bool);

/*
 * Have the next write on SSL (a TLS 1.3 server connection whose handshake
 * is done) begin with its session ticket.  Returns 1, or 0 when the
 * connection gets none this way (TLS 1.2 sent its own in the handshake).
 */
int	 tls_ticket(SSL *);

/*
 * Cork SSL's output: a buffer of CAP bytes goes in front of its write BIO
 * and holds everything OpenSSL writes, its flushes included, until
 * tls_uncork(); what would overflow it goes out at once, after what is
 * held.  So a session ticket, a short answer and close_notify leave in
 * one write.  Returns 0, or -1 (nothing changed).
 */
int	 tls_cork(SSL *, size_t);

/*
 * Let the cork go: the next BIO_flush() of SSL's write BIO writes what it
 * holds (BIO_should_retry() when the socket took only part of it), and
 * writes pass through from then on.
 */
void	 tls_uncork(SSL *);

/*
 * The fingerprints of the PEM certificate at PATH, both as clients pin
 * them: the SHA-256 of the whole certificate into CRT and of its public
 * key (the DER SubjectPublicKeyInfo, what amfora pins) into SPKI, as
 * AA:BB:...  Returns 0, or -1 if it cannot be read.
 */
int	 tls_fingerprints(const char *, char *, size_t, char *, size_t);

/*
 * Run as root, give what generating makes (the key, the certificate, the
 * folders made for them) to UID and GID, the user zeche will read them as
 * (--user).  Without this call, each goes to the owner of the folder it
 * is made in when that is not root, else stays root's.
 */
void	 tls_set_owner(uid_t, gid_t);

/*
 * The paths DIR/HOST.crt and DIR/HOST.key (into CRT and KEY, of PATHLEN),
 * HOST being NAMES[0] of the N names of a host (its name, then its
 * aliases).  When neither exists and MAKE is set, generate a
 * self-signed ECDSA P-256 pair there for all N names (each one
 * subjectAltName entry, an IP literal an IP entry; the subject CN=HOST;
 * key mode 0600), making DIR and its missing parents (mode 0700) first.
 * Returns 0 (they exist), 1 (neither exists, MAKE unset), 2 (made), or -1
 * with a message in ERR (one without the other, or generating failed).
 */
int	tls_cert_paths(const char *, const char *const *, size_t, bool,
	    char *, char *, size_t, char *, size_t);

/*
 * How many of the N NAMES, from the first, the PEM certificate at CRT
 * covers, as a client checks a host name (RFC 6125: its subjectAltName,
 * wildcards included): N when it covers them all, else the index of the
 * first it does not.  GENERATED says whether zeche made it for NAMES[0].
 * -1 if it cannot be read.
 */
int	tls_cert_covers(const char *, const char *const *, size_t, bool *);

/*
 * Make the certificate at CRT anew for the key at KEY (so the public
 * key, and the fingerprint of it that clients pin, stay the same), for
 * the N NAMES as tls_cert_paths() makes one, and put it in CRT's place
 * in one step.  Returns 0, or -1 with a message in ERR (CRT unchanged).
 */
int	tls_cert_renew(const char *, const char *, const char *const *,
	    size_t, char *, size_t);

/*
 * A new context serving the PEM certificate (chain) CRT with its key KEY
 * for the host HOST (tls_ctx_set_host); the certificate's SHA-256
 * fingerprint goes to FP.  NULL with a message in ERR on failure.
 */
SSL_CTX	*tls_load(const char *, const char *, const char *, char *, size_t,
	    char *, size_t);

/*
 * Every context made here picks its certificate by SNI through LOOKUP
 * (called on the worker's loop, as soon as a ClientHello is in, with the
 * name the client sent, or NULL, and ARG): it returns the context of the
 * host so named, or of the default host, with a reference (SSL_CTX_up_ref) that the caller drops
 * once the connection has taken its own; or NULL to keep the one it has.
 */
void	 tls_set_sni(SSL_CTX *(*)(const char *, void *), void *);

/*
 * Ask SSL's client for a certificate in the handshake, and take any it
 * sends, or none; the handshake never fails for it.  Sessions made with
 * one are never resumed (tls_ctx_setup), so a connection's certificate
 * is always one it proved it holds the key of in its own handshake.
 */
void	 tls_request_cert(SSL *);

/*
 * The client certificate of SSL into CC (net.h: conn_cert()): its
 * SHA-256, whether now is within its notBefore and notAfter, and whether
 * the issuers CC->ca (tls_ca_load, or NULL) issued it, through the chain
 * the client sent.  Returns false when there is none.
 */
struct conn_cert;
bool	 tls_peer_cert(SSL *, struct conn_cert *);

/*
 * The CA certificates in the PEM file PATH, as issuers a client
 * certificate is checked against (tls_peer_cert); NULL with a message in
 * ERR.  tls_ca_free() frees them.  (access.h's struct access_ca_loader.)
 */
void	*tls_ca_load(const char *, char *, size_t);
void	 tls_ca_free(void *);

/* Take OpenSSL's error queue as one line into BUF; returns BUF. */
const char *tls_errors(char *, size_t);

#endif
