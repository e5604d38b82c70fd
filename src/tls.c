#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <openssl/core_names.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509v3.h>

#include "tls.h"

const char *
tls_errors(char *buf, size_t size)
{
	unsigned long	 e;
	size_t		 n = 0;

	buf[0] = '\0';
	while ((e = ERR_get_error()) != 0 && n + 2 < size) {
		if (n > 0) {
			buf[n++] = ';';
			buf[n++] = ' ';
		}
		ERR_error_string_n(e, buf + n, size - n);
		n += strlen(buf + n);
	}
	if (n == 0)
		snprintf(buf, size, "unknown TLS error");
	return buf;
}

/*
 * Who gets what zeche makes as root here (a certificate, its key, the
 * folders for them): the user it will read them as, --user's
 * (tls_set_owner), else the owner of the folder each is made in when
 * that is not root (the service's state folder belongs to its user).
 * So a start by hand as root leaves files the service can read.
 */
static uid_t	 owner_uid = (uid_t)-1;
static gid_t	 owner_gid = (gid_t)-1;

void
tls_set_owner(uid_t uid, gid_t gid)
{
	owner_uid = uid;
	owner_gid = gid;
}

/*
 * Give PATH, just made (open as FD, or -1 for a folder), to its owner as
 * above; nothing unless zeche runs as root.  A folder is never followed
 * if it has been swapped for a symbolic link meanwhile.
 */
static int
give(int fd, const char *path)
{
	struct stat	 st;
	char		 dir[1024];
	const char	*slash;
	uid_t		 uid = owner_uid;
	gid_t		 gid = owner_gid;

	if (geteuid() != 0)
		return 0;
	if (uid == (uid_t)-1) {
		if ((slash = strrchr(path, '/')) == NULL)
			snprintf(dir, sizeof(dir), ".");
		else if (snprintf(dir, sizeof(dir), "%.*s",
		    slash == path ? 1 : (int)(slash - path), path) >=
		    (int)sizeof(dir)) {
			errno = ENAMETOOLONG;
			return -1;
		}
		if (stat(dir, &st) == -1)
			return -1;
		if (st.st_uid == 0)
			return 0;
		uid = st.st_uid;
		gid = st.st_gid;
	}
	if (fd != -1)
		return fchown(fd, uid, gid);
	return fchownat(AT_FDCWD, path, uid, gid, AT_SYMLINK_NOFOLLOW);
}

static int
write_pem(const char *path, mode_t mode, X509 *crt, EVP_PKEY *key)
{
	FILE	*fp;
	int	 fd, ok, saved;

	if ((fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC,
	    mode)) == -1)
		return -1;
	if (give(fd, path) == -1) {
		saved = errno;
		close(fd);
		unlink(path);
		errno = saved;
		return -1;
	}
	if ((fp = fdopen(fd, "w")) == NULL) {
		close(fd);
		unlink(path);
		return -1;
	}
	if (crt != NULL)
		ok = PEM_write_X509(fp, crt);
	else
		ok = PEM_write_PrivateKey(fp, key, NULL, NULL, 0, NULL, NULL);
	if (fclose(fp) != 0 || !ok) {
		unlink(path);
		return -1;
	}
	return 0;
}

static bool
is_ip(const char *host)
{
	return strspn(host, "0123456789.") == strlen(host) ||
	    strchr(host, ':') != NULL;
}

/* A self-signed ECDSA P-256 certificate for HOST, valid until 9999. */
static int
generate(const char *crtpath, const char *keypath, const char *host,
    char *err, size_t errlen)
{
	EVP_PKEY	*key = NULL;
	X509		*crt = NULL;
	X509_NAME	*name;
	X509_EXTENSION	*ext = NULL;
	X509V3_CTX	 v3;
	unsigned char	 serial[16];
	BIGNUM		*bn = NULL;
	char		 san[300], tmp[512];
	int		 ret = -1;

	if (snprintf(san, sizeof(san), "%s:%s", is_ip(host) ? "IP" : "DNS",
	    host) >= (int)sizeof(san)) {
		snprintf(err, errlen, "host name too long");
		return -1;
	}
	if ((key = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256")) == NULL ||
	    (crt = X509_new()) == NULL ||
	    RAND_bytes(serial, sizeof(serial)) != 1)
		goto ossl;
	serial[0] &= 0x7f;		/* a positive serial number */
	if ((bn = BN_bin2bn(serial, sizeof(serial), NULL)) == NULL ||
	    BN_to_ASN1_INTEGER(bn, X509_get_serialNumber(crt)) == NULL ||
	    !X509_set_version(crt, X509_VERSION_3) ||
	    X509_gmtime_adj(X509_getm_notBefore(crt), -86400) == NULL ||
	    !ASN1_TIME_set_string(X509_getm_notAfter(crt), "99991231235959Z") ||
	    !X509_set_pubkey(crt, key))
		goto ossl;
	name = X509_get_subject_name(crt);
	if (!X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_UTF8,
	    (const unsigned char *)host, -1, -1, 0) ||
	    !X509_set_issuer_name(crt, name))
		goto ossl;
	X509V3_set_ctx(&v3, crt, crt, NULL, NULL, 0);
	if ((ext = X509V3_EXT_conf_nid(NULL, &v3, NID_subject_alt_name,
	    san)) == NULL || !X509_add_ext(crt, ext, -1) ||
	    !X509_sign(crt, key, EVP_sha256()))
		goto ossl;
	/* the key first: a certificate without its key is useless */
	if (write_pem(keypath, 0600, NULL, key) == -1) {
		snprintf(err, errlen, "%s: %s", keypath, strerror(errno));
		goto done;
	}
	if (write_pem(crtpath, 0644, crt, NULL) == -1) {
		snprintf(err, errlen, "%s: %s", crtpath, strerror(errno));
		unlink(keypath);
		goto done;
	}
	ret = 0;
	goto done;
 ossl:
	snprintf(err, errlen, "generating a certificate: %s",
	    tls_errors(tmp, sizeof(tmp)));
 done:
	X509_EXTENSION_free(ext);
	BN_free(bn);
	X509_free(crt);
	EVP_PKEY_free(key);
	return ret;
}

static void
hex(const unsigned char *md, unsigned int n, char *fp, size_t fplen)
{
	unsigned int	 i;
	size_t		 o = 0;

	fp[0] = '\0';
	for (i = 0; i < n && o + 4 <= fplen; i++)
		o += (size_t)snprintf(fp + o, fplen - o, "%s%02X",
		    i ? ":" : "", md[i]);
}

static void
fingerprint(X509 *crt, char *fp, size_t fplen)
{
	unsigned char	 md[EVP_MAX_MD_SIZE];
	unsigned int	 n = 0;

	fp[0] = '\0';
	if (X509_digest(crt, EVP_sha256(), md, &n))
		hex(md, n, fp, fplen);
}

int
tls_fingerprints(const char *path, char *crtfp, size_t crtlen, char *spki,
    size_t spkilen)
{
	unsigned char	 md[EVP_MAX_MD_SIZE], *der = NULL;
	unsigned int	 n = 0;
	X509		*crt = NULL;
	FILE		*fp;
	int		 len, ret = -1;

	if ((fp = fopen(path, "re")) == NULL)
		return -1;
	crt = PEM_read_X509(fp, NULL, NULL, NULL);
	fclose(fp);
	if (crt == NULL)
		goto done;
	fingerprint(crt, crtfp, crtlen);
	if ((len = i2d_X509_PUBKEY(X509_get_X509_PUBKEY(crt), &der)) <= 0 ||
	    !EVP_Digest(der, (size_t)len, md, &n, EVP_sha256(), NULL))
		goto done;
	hex(md, n, spki, spkilen);
	ret = 0;
 done:
	OPENSSL_free(der);
	X509_free(crt);
	ERR_clear_error();
	return ret;
}

/* mkdir -p DIR, every folder made with MODE, and given as above. */
static int
mkdirs(const char *dir, mode_t mode)
{
	char	 tmp[1024], *p;

	if (snprintf(tmp, sizeof(tmp), "%s", dir) >= (int)sizeof(tmp)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	for (p = tmp + 1; *p != '\0'; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(tmp, mode) == 0 ? give(-1, tmp) == -1 :
		    errno != EEXIST)
			return -1;
		*p = '/';
	}
	if (mkdir(tmp, mode) == 0 ? give(-1, tmp) == -1 : errno != EEXIST)
		return -1;
	return 0;
}

static SSL_CTX	*(*sni_lookup)(const char *, void *);
static void	*sni_arg;

void
tls_set_sni(SSL_CTX *(*lookup)(const char *, void *), void *arg)
{
	sni_lookup = lookup;
	sni_arg = arg;
}

/*
 * Pick the host's certificate by the SNI name, before the handshake goes
 * on.  OpenSSL calls this for every ClientHello, with or without the
 * extension.  Every name is accepted: an unknown one (or none) gets the
 * default host's certificate, and the request then a clear 53 rather
 * than a handshake alert.  OpenSSL keeps the name for
 * SSL_get_servername().
 */
static int
servername_cb(SSL *ssl, int *alert, void *arg)
{
	SSL_CTX		*ctx;

	if (sni_lookup == NULL || (ctx = sni_lookup(SSL_get_servername(ssl,
	    TLSEXT_NAMETYPE_host_name), sni_arg)) == NULL)
		return SSL_TLSEXT_ERR_OK;
	if (ctx != SSL_get_SSL_CTX(ssl))
		SSL_set_SSL_CTX(ssl, ctx);	/* takes a reference */
	SSL_CTX_free(ctx);			/* drops the lookup's */
	return SSL_TLSEXT_ERR_OK;
}

/*
 * Session tickets.  zeche keeps no session cache: a client resumes with a
 * stateless ticket, the session sealed under a key only this process
 * knows (AES-256-CBC and HMAC-SHA256, RFC 5077's layout, as OpenSSL's
 * own tickets).  One key ring serves every SSL_CTX and every thread that
 * handshakes, so a ticket made on one worker or for one host resumes on
 * any.  A new key seals tickets every TLS_TICKET_ROTATE seconds; the one
 * before it still opens them for one more period, then is wiped, so no
 * ticket outlives 2 * TLS_TICKET_ROTATE and a stolen key opens at most
 * two periods of sessions.  The mutex is held for a copy of the keys, and
 * a rotation draws 80 random bytes: nothing slow happens under it.
 */
#define TLS_TICKET_ROTATE	3600		/* seconds a key seals */
#define TLS_TICKET_NAME		16		/* RFC 5077 key_name */
#define TLS_TICKET_KEY		32		/* AES-256 and HMAC keys */

struct ticket_key {
	unsigned char	 name[TLS_TICKET_NAME];
	unsigned char	 aes[TLS_TICKET_KEY];
	unsigned char	 hmac[TLS_TICKET_KEY];
	time_t		 made;		/* CLOCK_MONOTONIC seconds; 0: none */
};

static struct {
	pthread_mutex_t		 mtx;
	struct ticket_key	 cur, prev;
	EVP_CIPHER		*aes;		/* fetched once, never freed */
} tickets = { .mtx = PTHREAD_MUTEX_INITIALIZER };

static time_t
mono_now(void)
{
	struct timespec	ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec;
}

/*
 * Copy the sealing key (ENC) or the key named NAME into K, making or
 * rotating keys when due.  Returns 1 when found, 0 when NAME is unknown,
 * -1 on error.
 */
static int
ticket_key_get(bool enc, const unsigned char *name, struct ticket_key *k)
{
	time_t	 now = mono_now();
	int	 ret = -1;

	pthread_mutex_lock(&tickets.mtx);
	if (tickets.aes == NULL &&
	    (tickets.aes = EVP_CIPHER_fetch(NULL, "AES-256-CBC", NULL)) ==
	    NULL)
		goto done;
	if (tickets.cur.made == 0 ||
	    now - tickets.cur.made >= TLS_TICKET_ROTATE) {
		/* The old previous key is wiped; the current one goes. */
		tickets.prev = tickets.cur;
		if (RAND_bytes(tickets.cur.name, sizeof(tickets.cur.name)) != 1 ||
		    RAND_priv_bytes(tickets.cur.aes,
		    sizeof(tickets.cur.aes)) != 1 ||
		    RAND_priv_bytes(tickets.cur.hmac,
		    sizeof(tickets.cur.hmac)) != 1) {
			OPENSSL_cleanse(&tickets.cur, sizeof(tickets.cur));
			goto done;
		}
		/* Never 0, the "no key" mark, even right after boot. */
		tickets.cur.made = now > 0 ? now : 1;
	}
	if (tickets.prev.made != 0 &&
	    now - tickets.prev.made >= 2 * TLS_TICKET_ROTATE)
		OPENSSL_cleanse(&tickets.prev, sizeof(tickets.prev));
	if (enc || memcmp(name, tickets.cur.name, TLS_TICKET_NAME) == 0) {
		*k = tickets.cur;
		ret = 1;
	} else if (tickets.prev.made != 0 &&
	    memcmp(name, tickets.prev.name, TLS_TICKET_NAME) == 0) {
		*k = tickets.prev;
		ret = 1;
	} else
		ret = 0;
 done:
	pthread_mutex_unlock(&tickets.mtx);
	return ret;
}

/*
 * OpenSSL's ticket key callback (SSL_CTX_set_tlsext_ticket_key_evp_cb):
 * with ENC, name the key and set up the cipher and the MAC to seal a
 * ticket; else find the key NAME and set them up to open one.
 */
static int
ticket_cb(SSL *ssl, unsigned char *name, unsigned char *iv,
    EVP_CIPHER_CTX *cctx, EVP_MAC_CTX *hctx, int enc)
{
	struct ticket_key	 k;
	OSSL_PARAM		 params[2];
	int			 r, ret = -1;

	if ((r = ticket_key_get(enc, name, &k)) <= 0)
		return r;
	params[0] = OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST,
	    (char *)"SHA256", 0);
	params[1] = OSSL_PARAM_construct_end();
	if (enc) {
		memcpy(name, k.name, TLS_TICKET_NAME);
		if (RAND_bytes(iv, EVP_CIPHER_get_iv_length(tickets.aes)) != 1 ||
		    EVP_EncryptInit_ex2(cctx, tickets.aes, k.aes, iv, NULL) !=
		    1)
			goto done;
	} else if (EVP_DecryptInit_ex2(cctx, tickets.aes, k.aes, iv, NULL) !=
	    1)
		goto done;
	if (EVP_MAC_init(hctx, k.hmac, sizeof(k.hmac), params) != 1)
		goto done;
	/*
	 * 2 on a resumption: send a fresh ticket.  A TLS 1.3 client uses
	 * a ticket once (RFC 8446, C.4), and without a fresh one every
	 * other connection of a Gemini client would be a full handshake.
	 */
	ret = enc ? 1 : 2;
 done:
	OPENSSL_cleanse(&k, sizeof(k));
	return ret;
}

void
tls_ctx_setup(SSL_CTX *ctx)
{
	SSL_CTX_set_options(ctx, SSL_OP_IGNORE_UNEXPECTED_EOF |
	    SSL_OP_NO_RENEGOTIATION | SSL_OP_CIPHER_SERVER_PREFERENCE);
	SSL_CTX_set_tlsext_servername_callback(ctx, servername_cb);
	SSL_CTX_set_session_id_context(ctx, (const unsigned char *)"zeche",
	    5);
	/*
	 * No session cache: its hash table, locks and expiry walks cost
	 * every handshake, and it would be one per worker.  Tickets
	 * (above) resume TLS 1.3 and 1.2 sessions instead, one per
	 * handshake: a Gemini client makes one request per connection and
	 * needs one for the next.
	 */
	SSL_CTX_set_session_cache_mode(ctx, SSL_SESS_CACHE_OFF);
	SSL_CTX_set_tlsext_ticket_key_evp_cb(ctx, ticket_cb);
	/*
	 * None at the end of a TLS 1.3 handshake: sent then, the ticket
	 * leaves in a write of its own and wakes the client once more
	 * before its answer.  tls_ticket() sends it with the answer.
	 */
	SSL_CTX_set_num_tickets(ctx, 0);
	SSL_CTX_set_timeout(ctx, TLS_TICKET_ROTATE);
	/*
	 * A connection waiting for its request, or for a slow reader, holds
	 * no empty 16 KiB record buffers: they are freed once drained and
	 * made again for the next record.
	 */
	SSL_CTX_set_mode(ctx, SSL_MODE_RELEASE_BUFFERS);
	/*
	 * No read-ahead: it would save a read per record, but libevent's
	 * SSL bufferevent waits for the socket to be readable, so a request
	 * that arrived with the client's Finished would sit in OpenSSL's
	 * buffer until the deadline.
	 */
}

int
tls_ticket(SSL *ssl)
{
	if (SSL_version(ssl) != TLS1_3_VERSION)
		return 0;
	return SSL_new_session_ticket(ssl) == 1;
}

/*
 * The cork (tls_cork): a filter BIO holding what is written in BUF until
 * it is pulled.  OFF is how much of the held bytes has reached the
 * socket while a flush was cut short.
 */
struct cork {
	size_t		 len;
	size_t		 off;
	size_t		 cap;
	bool		 pulled;
	unsigned char	 buf[];
};

static BIO_METHOD	*cork_method;
static int		 cork_type;
static pthread_once_t	 cork_once = PTHREAD_ONCE_INIT;

/* Write what K holds to the next BIO; 1 once all is out, else 0. */
static int
cork_drain(BIO *b, struct cork *k)
{
	size_t	 n;

	while (k->off < k->len) {
		if (!BIO_write_ex(BIO_next(b), k->buf + k->off,
		    k->len - k->off, &n)) {
			BIO_copy_next_retry(b);
			return 0;
		}
		k->off += n;
	}
	k->off = k->len = 0;
	return 1;
}

static int
cork_write(BIO *b, const char *data, size_t len, size_t *written)
{
	struct cork	*k = BIO_get_data(b);

	BIO_clear_retry_flags(b);
	if (!k->pulled && k->cap - k->len >= len) {
		memcpy(k->buf + k->len, data, len);
		k->len += len;
		*written = len;
		return 1;
	}
	k->pulled = true;		/* too much to hold: write through */
	if (!cork_drain(b, k))
		return 0;
	if (!BIO_write_ex(BIO_next(b), data, len, written)) {
		BIO_copy_next_retry(b);
		return 0;
	}
	return 1;
}

static long
cork_ctrl(BIO *b, int cmd, long num, void *ptr)
{
	struct cork	*k = BIO_get_data(b);
	long		 r;

	if (BIO_next(b) == NULL)
		return 0;
	switch (cmd) {
	case BIO_CTRL_FLUSH:
		if (!k->pulled)
			return 1;		/* held on purpose */
		BIO_clear_retry_flags(b);
		if (!cork_drain(b, k))
			return 0;
		r = BIO_ctrl(BIO_next(b), cmd, num, ptr);
		BIO_copy_next_retry(b);
		return r;
	case BIO_CTRL_WPENDING:
		return (long)(k->len - k->off) + BIO_ctrl(BIO_next(b), cmd,
		    num, ptr);
	default:
		return BIO_ctrl(BIO_next(b), cmd, num, ptr);
	}
}

static int
cork_destroy(BIO *b)
{
	free(BIO_get_data(b));
	BIO_set_data(b, NULL);
	return 1;
}

static void
cork_init(void)
{
	BIO_METHOD	*m;
	int		 type;

	if ((type = BIO_get_new_index()) == -1 ||
	    (m = BIO_meth_new(type | BIO_TYPE_FILTER, "zeche cork")) == NULL)
		return;
	if (!BIO_meth_set_write_ex(m, cork_write) ||
	    !BIO_meth_set_ctrl(m, cork_ctrl) ||
	    !BIO_meth_set_destroy(m, cork_destroy)) {
		BIO_meth_free(m);
		return;
	}
	cork_type = type | BIO_TYPE_FILTER;
	cork_method = m;
}

int
tls_cork(SSL *ssl, size_t cap)
{
	BIO		*sock = SSL_get_wbio(ssl), *b;
	struct cork	*k;

	pthread_once(&cork_once, cork_init);
	if (cork_method == NULL || sock == NULL ||
	    (k = calloc(1, sizeof(*k) + cap)) == NULL)
		return -1;
	k->cap = cap;
	if ((b = BIO_new(cork_method)) == NULL) {
		free(k);
		return -1;
	}
	BIO_set_data(b, k);
	BIO_set_init(b, 1);
	if (!BIO_up_ref(sock)) {
		BIO_free(b);
		return -1;
	}
	/* the chain holds its own reference on the socket BIO */
	BIO_push(b, sock);
	SSL_set0_wbio(ssl, b);
	return 0;
}

void
tls_uncork(SSL *ssl)
{
	BIO		*b = SSL_get_wbio(ssl);
	struct cork	*k;

	if (b != NULL && cork_method != NULL &&
	    BIO_method_type(b) == cork_type &&
	    (k = BIO_get_data(b)) != NULL)
		k->pulled = true;
}

int
tls_cert_paths(const char *dir, const char *host, bool make, char *crtpath,
    char *keypath, size_t pathlen, char *err, size_t errlen)
{
	struct stat	 st;
	bool		 has_crt, has_key;

	if (strchr(host, '/') != NULL || host[0] == '\0') {
		snprintf(err, errlen, "bad host name \"%s\"", host);
		return -1;
	}
	if (snprintf(crtpath, pathlen, "%s/%s.crt", dir, host) >=
	    (int)pathlen || snprintf(keypath, pathlen, "%s/%s.key", dir,
	    host) >= (int)pathlen) {
		snprintf(err, errlen, "%s: path too long", dir);
		return -1;
	}
	has_crt = stat(crtpath, &st) == 0;
	has_key = stat(keypath, &st) == 0;
	if (has_crt != has_key) {
		snprintf(err, errlen, "%s: found %s without %s", dir,
		    has_crt ? crtpath : keypath, has_crt ? keypath : crtpath);
		return -1;
	}
	if (has_crt)
		return 0;
	if (!make)
		return 1;
	if (mkdirs(dir, 0700) == -1) {
		snprintf(err, errlen, "%s: %s", dir, strerror(errno));
		return -1;
	}
	return generate(crtpath, keypath, host, err, errlen);
}

SSL_CTX *
tls_load(const char *crtpath, const char *keypath, char *fp, size_t fplen,
    char *err, size_t errlen)
{
	SSL_CTX		*ctx = NULL;
	char		 tmp[512];

	if ((ctx = SSL_CTX_new(TLS_server_method())) == NULL ||
	    !SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION))
		goto ossl;
	tls_ctx_setup(ctx);
	if (SSL_CTX_use_certificate_chain_file(ctx, crtpath) != 1) {
		snprintf(err, errlen, "%s: %s", crtpath,
		    tls_errors(tmp, sizeof(tmp)));
		goto bad;
	}
	if (SSL_CTX_use_PrivateKey_file(ctx, keypath, SSL_FILETYPE_PEM) != 1 ||
	    SSL_CTX_check_private_key(ctx) != 1) {
		snprintf(err, errlen, "%s: %s", keypath,
		    tls_errors(tmp, sizeof(tmp)));
		goto bad;
	}
	fingerprint(SSL_CTX_get0_certificate(ctx), fp, fplen);
	return ctx;
 ossl:
	snprintf(err, errlen, "TLS set-up: %s", tls_errors(tmp, sizeof(tmp)));
 bad:
	SSL_CTX_free(ctx);
	return NULL;
}

SSL_CTX *
tls_init(const char *dir, const char *host, char *fp, size_t fplen,
    char *err, size_t errlen)
{
	char	 crtpath[1024], keypath[1024];

	if (tls_cert_paths(dir, host, true, crtpath, keypath, sizeof(crtpath),
	    err, errlen) == -1)
		return NULL;
	return tls_load(crtpath, keypath, fp, fplen, err, errlen);
}
