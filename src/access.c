/*
 * access: lists of client certificate fingerprints and the rules a host
 * and its locations set with them.  The parser is pure; only
 * access_list_load() reads a file, through file.c.  Knows no TLS and no
 * protocol: a certificate is its SHA-256 and a validity flag.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "access.h"
#include "buf.h"
#include "config.h"
#include "file.h"

static int
hexval(char ch)
{
	if (ch >= '0' && ch <= '9')
		return ch - '0';
	if (ch >= 'a' && ch <= 'f')
		return ch - 'a' + 10;
	if (ch >= 'A' && ch <= 'F')
		return ch - 'A' + 10;
	return -1;
}

/*
 * The fingerprint in the LEN bytes of P into FP: 64 hex digits, or 32
 * pairs of them between colons.  Returns 0 or -1.
 */
static int
parse_fp(const char *p, size_t len, unsigned char *fp)
{
	size_t	 i, step;
	int	 hi, lo;

	if (len == ACCESS_FP_LEN * 2)
		step = 2;
	else if (len == ACCESS_FP_LEN * 3 - 1)
		step = 3;
	else
		return -1;
	for (i = 0; i < ACCESS_FP_LEN; i++, p += step) {
		if ((hi = hexval(p[0])) == -1 || (lo = hexval(p[1])) == -1)
			return -1;
		if (step == 3 && i + 1 < ACCESS_FP_LEN && p[2] != ':')
			return -1;
		fp[i] = (unsigned char)(hi << 4 | lo);
	}
	return 0;
}

static int
fp_cmp(const void *a, const void *b)
{
	return memcmp(a, b, ACCESS_FP_LEN);
}

static bool
is_space(char ch)
{
	return ch == ' ' || ch == '\t' || ch == '\r';
}

/* Add FP to L, growing it; -1 when memory runs out. */
static int
add_fp(struct access_list *l, size_t *cap, const unsigned char *fp)
{
	unsigned char	(*n)[ACCESS_FP_LEN];
	size_t		 ncap;

	if (l->n == *cap) {
		ncap = *cap == 0 ? 16 : *cap * 2;
		if ((n = realloc(l->fp, ncap * sizeof(*n))) == NULL)
			return -1;
		l->fp = n;
		*cap = ncap;
	}
	memcpy(l->fp[l->n++], fp, ACCESS_FP_LEN);
	return 0;
}

int
access_list_parse(const char *buf, size_t len, const char *file,
    struct access_list *l, char *err, size_t errlen)
{
	const char	*p = buf, *end = buf + len, *eol, *tok;
	unsigned char	 fp[ACCESS_FP_LEN];
	size_t		 line = 0, cap = 0, i, j;
	const char	*why = NULL;

	memset(l, 0, sizeof(*l));
	while (p < end) {
		line++;
		if ((eol = memchr(p, '\n', (size_t)(end - p))) == NULL)
			eol = end;
		if (memchr(p, '\0', (size_t)(eol - p)) != NULL) {
			why = "a NUL byte";
			goto bad;
		}
		while (p < eol && is_space(*p))
			p++;
		if (p == eol || *p == '#') {
			p = eol < end ? eol + 1 : end;
			continue;
		}
		for (tok = p; p < eol && !is_space(*p) && *p != '#'; p++)
			;
		if (parse_fp(tok, (size_t)(p - tok), fp) == -1) {
			why = "expected a SHA-256 fingerprint: 64 hex digits, "
			    "or 32 pairs of them between colons";
			goto bad;
		}
		while (p < eol && is_space(*p))
			p++;
		if (p < eol && *p != '#') {
			why = "expected one fingerprint a line, and a comment "
			    "after it to start with \"#\"";
			goto bad;
		}
		if (add_fp(l, &cap, fp) == -1) {
			why = "out of memory";
			goto bad;
		}
		p = eol < end ? eol + 1 : end;
	}
	if (l->n == 0)
		return 0;
	qsort(l->fp, l->n, ACCESS_FP_LEN, fp_cmp);
	for (i = 1, j = 1; i < l->n; i++)
		if (memcmp(l->fp[i], l->fp[j - 1], ACCESS_FP_LEN) != 0)
			memmove(l->fp[j++], l->fp[i], ACCESS_FP_LEN);
	l->n = j;
	return 0;
 bad:
	snprintf(err, errlen, "%s:%zu: %s", file, line, why);
	access_list_free(l);
	return -1;
}

int
access_list_load(const char *path, struct access_list *l, char *err,
    size_t errlen)
{
	struct buf	 b = BUF_INIT;
	const char	*errstr;
	int		 ret;

	memset(l, 0, sizeof(*l));
	if (file_read(AT_FDCWD, path, 0, ACCESS_FILE_MAX, &b, &errstr) ==
	    -1) {
		snprintf(err, errlen, "%s: %s", path, errstr);
		buf_free(&b);
		return -1;
	}
	ret = access_list_parse(b.data != NULL ? b.data : "", b.len, path, l,
	    err, errlen);
	buf_free(&b);
	return ret;
}

void
access_list_free(struct access_list *l)
{
	free(l->fp);
	memset(l, 0, sizeof(*l));
}

bool
access_list_has(const struct access_list *l, const unsigned char *fp)
{
	return l->n > 0 && bsearch(fp, l->fp, l->n, ACCESS_FP_LEN, fp_cmp) !=
	    NULL;
}

/* A new list read from PATH into *LP; PATH NULL: none, 0. */
static int
load_one(const char *path, struct access_list **lp, char *err,
    size_t errlen)
{
	if (path == NULL)
		return 0;
	if ((*lp = calloc(1, sizeof(**lp))) == NULL) {
		snprintf(err, errlen, "%s: out of memory", path);
		return -1;
	}
	return access_list_load(path, *lp, err, errlen);
}

/* The CA file PATH through CA into *OUT; PATH NULL: none, 0. */
static int
load_ca(const char *path, const struct access_ca_loader *ca, void **out,
    char *err, size_t errlen)
{
	if (path == NULL)
		return 0;
	if (ca == NULL) {
		snprintf(err, errlen, "%s: no CA can be read here", path);
		return -1;
	}
	return (*out = ca->load(path, err, errlen)) == NULL ? -1 : 0;
}

static int
add_rule(struct access_rules *r, const char *path, const char *readers,
    const char *writers, const char *deny, const char *cafile,
    const struct access_ca_loader *ca, char *err, size_t errlen)
{
	struct access_rule	*rule;

	if (readers == NULL && writers == NULL && deny == NULL &&
	    cafile == NULL)
		return 0;
	rule = &r->rules[r->n];
	memset(rule, 0, sizeof(*rule));
	r->n++;
	if ((rule->path = strdup(path)) == NULL) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	if (load_one(readers, &rule->readers, err, errlen) == -1 ||
	    load_one(writers, &rule->writers, err, errlen) == -1 ||
	    load_one(deny, &rule->deny, err, errlen) == -1 ||
	    load_ca(cafile, ca, &rule->ca, err, errlen) == -1)
		return -1;
	return 0;
}

struct access_rules *
access_rules_load(const struct conf_host *h,
    const struct access_ca_loader *ca, char *err, size_t errlen)
{
	struct access_rules	*r;
	size_t			 i;

	if ((r = calloc(1, sizeof(*r))) == NULL ||
	    (r->rules = calloc(h->nlocations + 1, sizeof(*r->rules))) ==
	    NULL) {
		free(r);
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	r->ca_free = ca != NULL ? ca->free : NULL;
	if (add_rule(r, "/", h->readers, h->writers, h->deny, h->ca, ca, err,
	    errlen) == -1)
		goto bad;
	for (i = 0; i < h->nlocations; i++)
		if (add_rule(r, h->locations[i].path, h->locations[i].readers,
		    h->locations[i].writers, h->locations[i].deny,
		    h->locations[i].ca, ca, err, errlen) == -1)
			goto bad;
	return r;
 bad:
	access_rules_free(r);
	return NULL;
}

void
access_rules_free(struct access_rules *r)
{
	size_t	 i;

	if (r == NULL)
		return;
	for (i = 0; i < r->n; i++) {
		free(r->rules[i].path);
		if (r->rules[i].readers != NULL)
			access_list_free(r->rules[i].readers);
		if (r->rules[i].writers != NULL)
			access_list_free(r->rules[i].writers);
		if (r->rules[i].deny != NULL)
			access_list_free(r->rules[i].deny);
		free(r->rules[i].readers);
		free(r->rules[i].writers);
		free(r->rules[i].deny);
		if (r->rules[i].ca != NULL && r->ca_free != NULL)
			r->ca_free(r->rules[i].ca);
	}
	free(r->rules);
	free(r);
}

/* Does RULE say something of KIND (for reading: readers or ca)? */
static bool
rule_sets(const struct access_rule *rule, enum access_kind kind)
{
	switch (kind) {
	case ACCESS_READ:
		return rule->readers != NULL || rule->ca != NULL;
	case ACCESS_WRITE:
		return rule->writers != NULL;
	default:
		return rule->deny != NULL;
	}
}

/* The rule of KIND for PATH: the longest path that PATH starts with. */
static const struct access_rule *
find_rule(const struct access_rules *r, const char *path,
    enum access_kind kind)
{
	const struct access_rule	*best = NULL;
	size_t				 i, n, bestlen = 0;

	for (i = 0; r != NULL && i < r->n; i++) {
		n = strlen(r->rules[i].path);
		if (!rule_sets(&r->rules[i], kind) ||
		    strncmp(path, r->rules[i].path, n) != 0)
			continue;
		if (best == NULL || n > bestlen) {
			best = &r->rules[i];
			bestlen = n;
		}
	}
	return best;
}

const struct access_list *
access_find(const struct access_rules *r, const char *path,
    enum access_kind kind)
{
	const struct access_rule	*rule;

	if ((rule = find_rule(r, path, kind)) == NULL)
		return NULL;
	return kind == ACCESS_READ ? rule->readers :
	    kind == ACCESS_WRITE ? rule->writers : rule->deny;
}

const void *
access_ca(const struct access_rules *r, const char *path)
{
	const struct access_rule	*rule;

	if ((rule = find_rule(r, path, ACCESS_READ)) == NULL)
		return NULL;
	return rule->ca;
}

enum access_verdict
access_allows(const struct access_list *l, const unsigned char *fp,
    bool valid)
{
	if (l == NULL)
		return ACCESS_OK;
	if (fp == NULL)
		return ACCESS_CERT_REQUIRED;
	if (!valid)
		return ACCESS_CERT_NOT_VALID;
	if (!access_list_has(l, fp))
		return ACCESS_CERT_NOT_AUTHORISED;
	return ACCESS_OK;
}

bool
access_denied(const struct access_rules *r, const char *path,
    const unsigned char *fp)
{
	const struct access_list	*l;

	return fp != NULL && (l = access_find(r, path, ACCESS_DENY)) != NULL &&
	    access_list_has(l, fp);
}

enum access_verdict
access_check_read(const struct access_rules *r, const char *path,
    const unsigned char *fp, bool valid, bool by_ca)
{
	const struct access_rule	*rule;
	static const struct access_list	 none;

	if (access_denied(r, path, fp))
		return ACCESS_CERT_NOT_AUTHORISED;
	if ((rule = find_rule(r, path, ACCESS_READ)) == NULL)
		return ACCESS_OK;
	if (fp != NULL && valid && rule->ca != NULL && by_ca)
		return ACCESS_OK;
	return access_allows(rule->readers != NULL ? rule->readers : &none,
	    fp, valid);
}

enum access_verdict
access_check_write(const struct access_rules *r, const char *path,
    const unsigned char *fp, bool valid)
{
	const struct access_list	*l;

	if (access_denied(r, path, fp))
		return ACCESS_CERT_NOT_AUTHORISED;
	if ((l = access_find(r, path, ACCESS_WRITE)) == NULL)
		return fp == NULL ? ACCESS_CERT_REQUIRED :
		    ACCESS_CERT_NOT_AUTHORISED;
	return access_allows(l, fp, valid);
}

bool
access_guards_reading(const struct access_rules *r)
{
	size_t	 i;

	for (i = 0; r != NULL && i < r->n; i++)
		if (r->rules[i].readers != NULL || r->rules[i].deny != NULL ||
		    r->rules[i].ca != NULL)
			return true;
	return false;
}

void
access_fp_str(const unsigned char *fp, char *out)
{
	static const char	 hex[] = "0123456789ABCDEF";
	size_t			 i;

	for (i = 0; i < ACCESS_FP_LEN; i++) {
		out[i * 3] = hex[fp[i] >> 4];
		out[i * 3 + 1] = hex[fp[i] & 15];
		out[i * 3 + 2] = i + 1 < ACCESS_FP_LEN ? ':' : '\0';
	}
}
