#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

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

static int
write_pem(const char *path, mode_t mode, X509 *crt, EVP_PKEY *key)
{
	FILE	*fp;
	int	 fd, ok;

	if ((fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC,
	    mode)) == -1)
		return -1;
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

/* mkdir -p DIR, every folder made with MODE. */
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
		if (mkdir(tmp, mode) == -1 && errno != EEXIST)
			return -1;
		*p = '/';
	}
	if (mkdir(tmp, mode) == -1 && errno != EEXIST)
		return -1;
	return 0;
}

/*
 * Accept every SNI name: the request's host is checked against it later,
 * where a wrong one gets a clear 53 rather than a handshake alert.  With
 * the callback in place OpenSSL keeps the name for SSL_get_servername().
 */
static int
servername_cb(SSL *ssl, int *alert, void *arg)
{
	return SSL_TLSEXT_ERR_OK;
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
	SSL_CTX_set_options(ctx, SSL_OP_IGNORE_UNEXPECTED_EOF |
	    SSL_OP_NO_RENEGOTIATION | SSL_OP_CIPHER_SERVER_PREFERENCE);
	SSL_CTX_set_tlsext_servername_callback(ctx, servername_cb);
	SSL_CTX_set_session_id_context(ctx, (const unsigned char *)"zeche",
	    5);
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
