/*
 * access: who may read and who may write, by the SHA-256 fingerprint of
 * the client certificate a Gemini connection presented.  The lists are
 * files of fingerprints (readers "FILE", writers "FILE" and deny "FILE"
 * in a host or location block of zeche.conf(5); "ca" names issuers
 * whose certificates read too), one a line:
 *
 *	# the editors
 *	0123...cdef			# Ada, Lagrange on the laptop
 *	01:23:...:CD:EF			# Bob (colons and case as you like)
 *
 * A fingerprint is 64 hex digits, or 32 pairs of them between colons, in
 * any case; "#" starts a comment, on a line of its own or after the
 * fingerprint; blank lines do nothing.
 *
 * The parser (access_list_parse) is pure and fuzzed; access_list_load()
 * and access_rules_load() read the files, at each load, as conf_read()
 * reads the configuration.  What a request may do is then asked with
 * access_find() and access_allows() (or access_check_read() and
 * access_check_write(), which do both), and the answer is a Gemini
 * status: 0 (go on), 60, 61 or 62.
 *
 * For Titan: the rules of the host a request is for are its vhost's
 * (server.h: vh->access, never NULL for a loaded host), and
 *
 *	struct conn_cert cert = { .ca = NULL };
 *
 *	conn_cert(c, &cert);
 *	v = access_check_write(vh->access, path, cert.present ?
 *	    cert.sha256 : NULL, cert.valid);
 *
 * says whether the connection's certificate may write PATH (0, or the
 * status to answer: 60, 61, 62): a path under no writers rule is written
 * by no certificate (60 without one, 61 with one), so a token is the
 * caller's to check on top; a deny list refuses whatever else allows.
 * A write needs no readers rule and checks none.
 */
#ifndef ACCESS_H
#define ACCESS_H

#include <stdbool.h>
#include <stddef.h>

#define ACCESS_FP_LEN		32		/* SHA-256 */
#define ACCESS_FILE_MAX		(1024 * 1024)	/* bytes of a list file */

struct conf_host;

/* One list of fingerprints. */
struct access_list {
	unsigned char	(*fp)[ACCESS_FP_LEN];	/* owned: sorted, no twins */
	size_t		 n;
};

/* A host's or location's rules: the lists it sets (NULL: not set). */
struct access_rule {
	char			*path;		/* owned: "/" for the host,
						   else the location's path
						   (ends in "/") */
	struct access_list	*readers;	/* owned, or NULL */
	struct access_list	*writers;	/* owned, or NULL */
	struct access_list	*deny;		/* owned, or NULL */
	void			*ca;		/* owned (access_rules.ca_free):
						   the issuers whose
						   certificates may read too,
						   as the loader made them;
						   or NULL */
};

/* Every rule of one host, its own (path "/") first. */
struct access_rules {
	struct access_rule	*rules;		/* owned */
	size_t			 n;
	void			(*ca_free)(void *);	/* frees a rule's ca */
};

/*
 * How a "ca" file becomes something a certificate can be checked
 * against: LOAD reads the PEM file PATH (NULL with a message in ERR),
 * FREE frees what it made.  access.c knows no X.509: the TLS module
 * (tls_ca_load, tls_ca_free) does it for the server.
 */
struct access_ca_loader {
	void	*(*load)(const char *, char *, size_t);
	void	 (*free)(void *);
};

enum access_kind {
	ACCESS_READ,
	ACCESS_WRITE,
	ACCESS_DENY,			/* refused, whatever the others say */
};

/* What a request may do: a Gemini status, or 0. */
enum access_verdict {
	ACCESS_OK = 0,
	ACCESS_CERT_REQUIRED = 60,	/* a rule applies, no certificate */
	ACCESS_CERT_NOT_AUTHORISED = 61, /* a certificate not in the list */
	ACCESS_CERT_NOT_VALID = 62,	/* one outside its validity */
};

/*
 * Parse LEN bytes of BUF, read from the file FILE (named in messages),
 * into L (cleared first).  Returns 0, or -1 with "FILE:LINE: message" in
 * ERR (of ERRLEN) and L empty.
 */
int	access_list_parse(const char *, size_t, const char *,
	    struct access_list *, char *, size_t);

/*
 * access_list_parse() on the file PATH, read through file.c (a regular
 * file, ACCESS_FILE_MAX bytes at most).  Returns 0, or -1 with ERR set.
 */
int	access_list_load(const char *, struct access_list *, char *, size_t);

/* Free what L owns and clear it; L may be empty. */
void	access_list_free(struct access_list *);

/* True if L holds the fingerprint SHA256 (ACCESS_FP_LEN bytes). */
bool	access_list_has(const struct access_list *, const unsigned char *);

/*
 * Read every list H's host block and location blocks name, and their CA
 * files through CA (NULL: a "ca" is an error).  Returns the rules (a host
 * without any has none, n 0), or NULL with "FILE:LINE: message" in ERR.
 */
struct access_rules *access_rules_load(const struct conf_host *,
	    const struct access_ca_loader *, char *, size_t);

/* Free R and what it owns; R may be NULL. */
void	access_rules_free(struct access_rules *);

/*
 * The list of KIND that applies to PATH (absolute, normalised): that of
 * the longest location whose path PATH starts with and which sets one,
 * else the host's, else NULL (no rule).  R may be NULL (no rules).  For
 * reading, a "ca" makes a rule as "readers" does, so the readers list
 * that applies may be NULL under a rule: ask access_check_read().
 */
const struct access_list *access_find(const struct access_rules *,
	    const char *, enum access_kind);

/*
 * May a client with the certificate whose SHA-256 is SHA256 (NULL: it
 * presented none), within its validity or not (VALID), do what the list
 * L guards?  L NULL: no rule, anyone may.
 */
enum access_verdict access_allows(const struct access_list *,
	    const unsigned char *, bool);

/*
 * The issuers (a rule's ca) a reader's certificate is checked against
 * for PATH: those of the rule that decides who reads it, or NULL.
 */
const void *access_ca(const struct access_rules *, const char *);

/* Is the certificate SHA256 (NULL: none) in the deny list for PATH? */
bool	access_denied(const struct access_rules *, const char *,
	    const unsigned char *);

/*
 * May a client with the certificate SHA256 (NULL: none), VALID or not,
 * and BY_CA (issued by access_ca() of PATH, as the TLS module checked),
 * read PATH?  The rule is that of the longest location setting "readers"
 * or "ca", else the host's: 0 when there is none, or when the
 * certificate is in its readers list or was issued by its ca; 60, 62 or
 * 61 as access_allows() says.  But 61 for a certificate in the deny list
 * that applies to PATH, whatever else.
 */
enum access_verdict access_check_read(const struct access_rules *,
	    const char *, const unsigned char *, bool, bool);

/*
 * May the client write PATH?  The writers list that applies decides as
 * access_allows() does (a "ca" grants no writes), except that a path
 * under none is written by nobody: 60 without a certificate, 61 with
 * one.  The deny list refuses here too.
 */
enum access_verdict access_check_write(const struct access_rules *,
	    const char *, const unsigned char *, bool);

/*
 * True if some rule of R may refuse a reader: a readers, ca or deny.
 * Where none does, access_check_read() says ACCESS_OK to everyone.
 */
bool	access_guards_reading(const struct access_rules *);

/* Write SHA256 as AA:BB:... (96 bytes with the NUL) into OUT. */
#define ACCESS_FP_STR	(ACCESS_FP_LEN * 3)
void	access_fp_str(const unsigned char *, char *);

#endif
