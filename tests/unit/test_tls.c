/*
 * test_tls: the certificates zeche makes (src/tls.c) and the sessions its
 * contexts resume, over TLS handshakes held in memory (a BIO pair).
 *
 * Three functions of the C library and OpenSSL are replaced here, for the
 * ticket keys' rotation: clock_gettime(CLOCK_MONOTONIC) runs CLOCK_SHIFT
 * seconds ahead, RAND_priv_bytes() fails while RAND_FAILS is set, and
 * EVP_Q_mac() counts the HMACs that derive ticket keys (DERIVED).
 */
#include <sys/syscall.h>

#include <dlfcn.h>

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>

#include "check.h"
#include "tls.h"

static long	 clock_shift;
static bool	 rand_fails;
static int	 derived;

int
clock_gettime(clockid_t id, struct timespec *ts)
{
	int	 r = (int)syscall(SYS_clock_gettime, id, ts);

	if (r == 0 && id == CLOCK_MONOTONIC)
		ts->tv_sec += clock_shift;
	return r;
}

int
RAND_priv_bytes(unsigned char *buf, int num)
{
	if (rand_fails)
		return 0;
	return RAND_priv_bytes_ex(NULL, buf, (size_t)num, 0);
}

/*
 * A ticket key is an HMAC over 33 bytes, a label and the host's identity
 * (tls.c); OpenSSL's own HMACs (the TLS 1.3 Finished) are over a hash.
 */
unsigned char *
EVP_Q_mac(OSSL_LIB_CTX *libctx, const char *name, const char *propq,
    const char *subalg, const OSSL_PARAM *params, const void *key,
    size_t keylen, const unsigned char *data, size_t datalen,
    unsigned char *out, size_t outsize, size_t *outlen)
{
	static unsigned char *(*real)(OSSL_LIB_CTX *, const char *,
	    const char *, const char *, const OSSL_PARAM *, const void *,
	    size_t, const unsigned char *, size_t, unsigned char *, size_t,
	    size_t *);

	if (real == NULL)
		*(void **)&real = dlsym(RTLD_NEXT, "EVP_Q_mac");
	if (datalen == 33)
		derived++;
	return real(libctx, name, propq, subalg, params, key, keylen, data,
	    datalen, out, outsize, outlen);
}

static char	 dir[] = "/tmp/zeche-test-tls.XXXXXX";
static char	 err[1024];

/* The subjectAltName entries of the certificate at PATH, ", "-joined. */
static const char *
san_of(const char *path, int *count)
{
	static char	 out[2048];
	GENERAL_NAMES	*gens;
	GENERAL_NAME	*g;
	X509		*crt;
	FILE		*f;
	size_t		 n = 0;
	int		 i;

	out[0] = '\0';
	*count = -1;
	if ((f = fopen(path, "r")) == NULL)
		return out;
	crt = PEM_read_X509(f, NULL, NULL, NULL);
	fclose(f);
	if (crt == NULL)
		return out;
	if ((gens = X509_get_ext_d2i(crt, NID_subject_alt_name, NULL,
	    NULL)) != NULL) {
		*count = sk_GENERAL_NAME_num(gens);
		for (i = 0; i < *count && n < sizeof(out); i++) {
			g = sk_GENERAL_NAME_value(gens, i);
			if (g->type == GEN_DNS)
				n += (size_t)snprintf(out + n, sizeof(out) - n,
				    "%sDNS:%.*s", i ? ", " : "",
				    ASN1_STRING_length(g->d.dNSName),
				    (const char *)ASN1_STRING_get0_data(
				    g->d.dNSName));
			else if (g->type == GEN_IPADD)
				n += (size_t)snprintf(out + n, sizeof(out) - n,
				    "%sIP:%d bytes", i ? ", " : "",
				    ASN1_STRING_length(g->d.iPAddress));
			else
				n += (size_t)snprintf(out + n, sizeof(out) - n,
				    "%sother", i ? ", " : "");
		}
		GENERAL_NAMES_free(gens);
	}
	X509_free(crt);
	return out;
}

/* A host name with "," and "DNS:" in it is one name, not three. */
static void
test_san_one_entry_per_name(void)
{
	SSL_CTX		*ctx;
	char		 fp[128], path[1100];
	int		 n;

	ctx = tls_init(dir, "a.example,DNS:evil.example,IP:10.0.0.1", fp,
	    sizeof(fp), err, sizeof(err));
	CHECK(ctx != NULL);
	SSL_CTX_free(ctx);
	snprintf(path, sizeof(path), "%s/%s.crt", dir,
	    "a.example,DNS:evil.example,IP:10.0.0.1");
	CHECK_STR(san_of(path, &n),
	    "DNS:a.example,DNS:evil.example,IP:10.0.0.1");
	CHECK(n == 1);
}

/* A generated certificate names the host and its aliases, no more. */
static void
test_san_host_and_aliases(void)
{
	const char	*names[] = { "b.example", "www.b.example", "::1" };
	char		 crt[1100], key[1100];
	bool		 generated;
	int		 n;

	CHECK(tls_cert_paths(dir, names, 3, false, crt, key, sizeof(crt), err,
	    sizeof(err)) == 1);
	CHECK(tls_cert_paths(dir, names, 3, true, crt, key, sizeof(crt), err,
	    sizeof(err)) == 2);
	CHECK_STR(san_of(crt, &n), "DNS:b.example, DNS:www.b.example, "
	    "IP:16 bytes");
	CHECK(n == 3);
	CHECK(tls_cert_covers(crt, names, 3, &generated) == 3);
	CHECK(generated);
	CHECK(tls_cert_paths(dir, names, 3, true, crt, key, sizeof(crt), err,
	    sizeof(err)) == 0);
}

/* An alias added: the certificate is made anew with the same key. */
static void
test_renew_keeps_key(void)
{
	const char	*one[] = { "c.example" };
	const char	*two[] = { "c.example", "www.c.example" };
	char		 crt[1100], key[1100], fp1[128], spki1[128];
	char		 fp2[128], spki2[128];
	bool		 generated;
	int		 n;

	CHECK(tls_cert_paths(dir, one, 1, true, crt, key, sizeof(crt), err,
	    sizeof(err)) == 2);
	CHECK(tls_cert_covers(crt, two, 2, &generated) == 1);
	CHECK(generated);
	CHECK(tls_fingerprints(crt, fp1, sizeof(fp1), spki1,
	    sizeof(spki1)) == 0);
	CHECK(tls_cert_renew(crt, key, two, 2, err, sizeof(err)) == 0);
	CHECK(tls_cert_covers(crt, two, 2, &generated) == 2);
	CHECK(generated);
	CHECK_STR(san_of(crt, &n), "DNS:c.example, DNS:www.c.example");
	CHECK(tls_fingerprints(crt, fp2, sizeof(fp2), spki2,
	    sizeof(spki2)) == 0);
	CHECK(strcmp(fp1, fp2) != 0);
	CHECK_STR(spki2, spki1);
}

static SSL_SESSION	*got;		/* the last session a client got */
static char		 suite[64];	/* the last handshake's cipher */

static int
new_session(SSL *ssl, SSL_SESSION *sess)
{
	SSL_SESSION_free(got);
	got = sess;
	return 1;
}

/*
 * A TLS 1.3 handshake of a client offering a copy of SESS (or none) with
 * a server of SCTX, then one byte of answer with a ticket (as zeche
 * sends it).  A copy: a client offers a TLS 1.3 ticket once (RFC 8446,
 * C.4), and OpenSSL's client then marks the session used.  Returns 1 if
 * the session was resumed, 0 if not, -1 if the handshake failed; the
 * ticket the client got is in GOT.
 */
static int
handshake(SSL_CTX *sctx, SSL_CTX *cctx, SSL_SESSION *sess)
{
	SSL		*s, *c;
	BIO		*sb, *cb;
	SSL_SESSION	*copy = NULL;
	unsigned char	*der = NULL;
	const unsigned char *p;
	char		 byte;
	int		 i, n, r, ret = -1;
	bool		 sdone = false, cdone = false;

	if (sess != NULL) {
		if ((n = i2d_SSL_SESSION(sess, &der)) <= 0)
			return -1;
		p = der;
		copy = d2i_SSL_SESSION(NULL, &p, n);
		OPENSSL_free(der);
		if (copy == NULL)
			return -1;
	}

	s = SSL_new(sctx);
	c = SSL_new(cctx);
	if (s == NULL || c == NULL || !BIO_new_bio_pair(&sb, 0, &cb, 0))
		goto done;
	SSL_set_bio(s, sb, sb);
	SSL_set_bio(c, cb, cb);
	SSL_set_accept_state(s);
	SSL_set_connect_state(c);
	if (copy != NULL)
		SSL_set_session(c, copy);
	for (i = 0; i < 100 && (!sdone || !cdone); i++) {
		if (!cdone && (r = SSL_do_handshake(c)) != 1 &&
		    SSL_get_error(c, r) != SSL_ERROR_WANT_READ &&
		    SSL_get_error(c, r) != SSL_ERROR_WANT_WRITE)
			goto done;
		cdone = cdone || r == 1;
		if (!sdone && (r = SSL_do_handshake(s)) != 1 &&
		    SSL_get_error(s, r) != SSL_ERROR_WANT_READ &&
		    SSL_get_error(s, r) != SSL_ERROR_WANT_WRITE)
			goto done;
		sdone = sdone || r == 1;
	}
	if (!sdone || !cdone)
		goto done;
	snprintf(suite, sizeof(suite), "%s",
	    SSL_CIPHER_get_name(SSL_get_current_cipher(s)));
	tls_ticket(s);
	if (SSL_write(s, "x", 1) != 1 || SSL_read(c, &byte, 1) != 1)
		goto done;
	ret = SSL_session_reused(c) ? 1 : 0;
	/* a connection that ends well: its session stays resumable */
	SSL_set_shutdown(c, SSL_SENT_SHUTDOWN | SSL_RECEIVED_SHUTDOWN);
 done:
	SSL_free(s);
	SSL_free(c);
	SSL_SESSION_free(copy);
	return ret;
}

static SSL_CTX *
client_ctx(void)
{
	SSL_CTX	*cctx = SSL_CTX_new(TLS_client_method());

	SSL_CTX_set_min_proto_version(cctx, TLS1_3_VERSION);
	SSL_CTX_set_verify(cctx, SSL_VERIFY_NONE, NULL);
	SSL_CTX_set_session_cache_mode(cctx, SSL_SESS_CACHE_CLIENT |
	    SSL_SESS_CACHE_NO_INTERNAL_STORE);
	SSL_CTX_sess_set_new_cb(cctx, new_session);
	return cctx;
}

/*
 * A session made for one host does not resume under another host's
 * context (a full handshake instead); under its own it does.
 */
static void
test_session_per_host(void)
{
	SSL_CTX		*a, *b, *cctx = client_ctx();
	SSL_SESSION	*sa;
	char		 fp[128];

	a = tls_init(dir, "d.example", fp, sizeof(fp), err, sizeof(err));
	b = tls_init(dir, "e.example", fp, sizeof(fp), err, sizeof(err));
	CHECK(a != NULL && b != NULL);
	CHECK(handshake(a, cctx, NULL) == 0);
	CHECK((sa = got) != NULL);
	got = NULL;
	CHECK(handshake(a, cctx, sa) == 1);
	CHECK(handshake(b, cctx, sa) == 0);
	SSL_SESSION_free(sa);
	SSL_SESSION_free(got);
	got = NULL;
	SSL_CTX_free(a);
	SSL_CTX_free(b);
	SSL_CTX_free(cctx);
}

/*
 * A rotation whose random bytes fail keeps the keys as they are: tickets
 * out there still open, then and at the next try; a rotation that works
 * keeps the old key for one more period, then drops it.
 */
static void
test_ticket_rotation_rand_failure(void)
{
	SSL_CTX		*a, *cctx = client_ctx();
	SSL_SESSION	*s1;
	char		 fp[128];

	a = tls_init(dir, "f.example", fp, sizeof(fp), err, sizeof(err));
	CHECK(a != NULL);
	CHECK(handshake(a, cctx, NULL) >= 0);
	CHECK((s1 = got) != NULL);
	got = NULL;
	CHECK(handshake(a, cctx, s1) == 1);
	/* an hour on: the key is due, and the random bytes fail */
	clock_shift += 3600;
	rand_fails = true;
	CHECK(handshake(a, cctx, s1) == 1);
	CHECK(handshake(a, cctx, s1) == 1);
	rand_fails = false;
	/* the rotation works: the old key still opens for a period */
	CHECK(handshake(a, cctx, s1) == 1);
	clock_shift += 3600;
	CHECK(handshake(a, cctx, s1) == 0);
	SSL_SESSION_free(s1);
	SSL_SESSION_free(got);
	got = NULL;
	SSL_CTX_free(a);
	SSL_CTX_free(cctx);
}

/*
 * Resume the session of the last handshake (taken from got) with the
 * server A: handshake()'s answer, or -2 when there was no session.
 */
static int
resume_last(SSL_CTX *a, SSL_CTX *cctx)
{
	SSL_SESSION	*s;
	int		 r;

	if ((s = got) == NULL)
		return -2;
	got = NULL;
	r = handshake(a, cctx, s);
	SSL_SESSION_free(s);
	return r;
}

/*
 * A host's ticket keys are derived once per secret, not for every ticket
 * sealed or opened; tickets keep resuming, and a rotation derives the new
 * secret's keys once.
 */
static void
test_ticket_keys_derived_once(void)
{
	SSL_CTX		*a, *cctx = client_ctx();
	char		 fp[128];
	int		 i;

	a = tls_init(dir, "g.example", fp, sizeof(fp), err, sizeof(err));
	CHECK(a != NULL);
	derived = 0;
	CHECK(handshake(a, cctx, NULL) == 0);
	CHECK(derived == 3);		/* name, cipher key, MAC key */
	for (i = 0; i < 5; i++)
		CHECK(resume_last(a, cctx) == 1);
	CHECK(derived == 3);
	/* a new secret: its keys once; the old one's once, to open */
	clock_shift += 3600;
	CHECK(resume_last(a, cctx) == 1);
	CHECK(derived == 9);
	CHECK(resume_last(a, cctx) == 1);
	CHECK(derived == 9);
	SSL_SESSION_free(got);
	got = NULL;
	SSL_CTX_free(a);
	SSL_CTX_free(cctx);
}

/*
 * TLS 1.3: AES-128-GCM with SHA-256 first, ChaCha20 for a client that
 * lists it first, AES-256-GCM for a client that offers nothing else;
 * ChaCha20 for a TLS 1.2 client that lists it first.
 */
static void
test_suites(void)
{
	SSL_CTX		*a, *cctx = client_ctx();
	char		 fp[128];

	a = tls_init(dir, "h.example", fp, sizeof(fp), err, sizeof(err));
	CHECK(a != NULL);
	CHECK(handshake(a, cctx, NULL) == 0);
	CHECK_STR(suite, "TLS_AES_128_GCM_SHA256");
	CHECK(SSL_CTX_set_ciphersuites(cctx, "TLS_CHACHA20_POLY1305_SHA256:"
	    "TLS_AES_128_GCM_SHA256:TLS_AES_256_GCM_SHA384") == 1);
	CHECK(handshake(a, cctx, NULL) == 0);
	CHECK_STR(suite, "TLS_CHACHA20_POLY1305_SHA256");
	CHECK(SSL_CTX_set_ciphersuites(cctx, "TLS_AES_256_GCM_SHA384") == 1);
	CHECK(handshake(a, cctx, NULL) == 0);
	CHECK_STR(suite, "TLS_AES_256_GCM_SHA384");
	/* TLS 1.2: ChaCha20 for a client that lists it first */
	CHECK(SSL_CTX_set_min_proto_version(cctx, TLS1_2_VERSION) == 1);
	CHECK(SSL_CTX_set_max_proto_version(cctx, TLS1_2_VERSION) == 1);
	CHECK(SSL_CTX_set_cipher_list(cctx, "ECDHE-ECDSA-CHACHA20-POLY1305:"
	    "ECDHE-ECDSA-AES256-GCM-SHA384") == 1);
	CHECK(handshake(a, cctx, NULL) == 0);
	CHECK_STR(suite, "ECDHE-ECDSA-CHACHA20-POLY1305");
	SSL_SESSION_free(got);
	got = NULL;
	SSL_CTX_free(a);
	SSL_CTX_free(cctx);
}

int
main(void)
{
	char	 cmd[128];

	if (mkdtemp(dir) == NULL) {
		perror("mkdtemp");
		return 1;
	}
	test_san_one_entry_per_name();
	test_san_host_and_aliases();
	test_renew_keeps_key();
	test_session_per_host();
	test_ticket_rotation_rand_failure();
	test_ticket_keys_derived_once();
	test_suites();
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	if (system(cmd) != 0)
		fprintf(stderr, "cannot remove %s\n", dir);
	CHECK_DONE();
}
