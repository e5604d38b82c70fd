/*
 * url: request URLs and Spartan lines parsed in place, percent-decoding,
 * dot segments, relative references (pure).  Never logs, never touches a
 * file or a connection.
 */
#include <ctype.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "buf.h"
#include "url.h"
#include "utf8.h"

static int
hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

int
url_decode(char *s)
{
	char	*w = s, *r = s;
	int	 hi, lo;

	while (*r != '\0') {
		if (*r != '%') {
			*w++ = *r++;
			continue;
		}
		if ((hi = hexval((unsigned char)r[1])) == -1 ||
		    (lo = hexval((unsigned char)r[2])) == -1)
			return -1;
		if (hi == 0 && lo == 0)
			return -1;
		*w++ = (char)(hi << 4 | lo);
		r += 3;
	}
	*w = '\0';
	return (int)(w - s);
}

int
url_path_clean(char *p)
{
	char	*w = p, *r = p, *seg;
	size_t	 n;
	int	 ret = 0;

	/* p[0] is '/'; w always ends just after a '/' it wrote. */
	*w++ = '/';
	while (*r != '\0') {
		while (*r == '/')
			r++;
		if (*r == '\0')
			break;
		seg = r;
		while (*r != '\0' && *r != '/')
			r++;
		n = (size_t)(r - seg);
		if (n == 1 && seg[0] == '.') {
			continue;
		} else if (n == 2 && seg[0] == '.' && seg[1] == '.') {
			if (w - p > 1) {
				w--;		/* the '/' after the last segment */
				while (w[-1] != '/')
					w--;
			} else
				ret = -1;	/* above the root: stay there */
			continue;
		}
		memmove(w, seg, n);
		w += n;
		if (*r == '/')
			*w++ = '/';
	}
	/* "a/." and "a/.." name a folder: keep the slash they imply. */
	*w = '\0';
	return ret;
}

/* Percent-decode PATH in place: UTF-8 without control bytes, or -1. */
static int
decode_path(char *path, const char **errstr)
{
	const unsigned char	*c;

	if (url_decode(path) == -1) {
		*errstr = "bad percent-encoding in path";
		return -1;
	}
	if (!utf8_is_valid(path, strlen(path))) {
		*errstr = "path is not UTF-8";
		return -1;
	}
	for (c = (const unsigned char *)path; *c != '\0'; c++)
		if (*c < 0x20 || *c == 0x7f) {
			*errstr = "control character in path";
			return -1;
		}
	return 0;
}

int
url_parse(char *s, struct url *u, const char **errstr)
{
	unsigned char	*c;
	char		*p, *auth, *path;
	size_t		 len;

	memset(u, 0, sizeof(*u));
	if ((unsigned char)s[0] == 0xef && (unsigned char)s[1] == 0xbb &&
	    (unsigned char)s[2] == 0xbf) {
		*errstr = "request starts with a byte order mark";
		return -1;
	}
	for (c = (unsigned char *)s; *c != '\0'; c++) {
		if (*c <= 0x20 || *c == 0x7f) {
			*errstr = "space or control character in URL";
			return -1;
		}
	}
	if (!utf8_is_valid(s, strlen(s))) {
		*errstr = "URL is not UTF-8";
		return -1;
	}

	/* scheme ":" "//" */
	for (p = s; isalnum((unsigned char)*p) || *p == '+' || *p == '-' ||
	    *p == '.'; p++)
		*p = (char)tolower((unsigned char)*p);
	if (p == s || *p != ':' || !isalpha((unsigned char)s[0])) {
		*errstr = "not an absolute URL";
		return -1;
	}
	*p++ = '\0';
	u->scheme = s;
	if (p[0] != '/' || p[1] != '/') {
		*errstr = "URL has no host";
		return -1;
	}
	auth = p + 2;

	if (strchr(auth, '#') != NULL) {
		*errstr = "URL has a fragment";
		return -1;
	}
	if ((p = strchr(auth, '?')) != NULL) {
		*p++ = '\0';
		u->query = p;
	}
	if ((path = strchr(auth, '/')) != NULL) {
		/* keep room for the leading '/': shift the authority left */
		len = (size_t)(path - auth);
		memmove(auth - 1, auth, len);
		auth--;
		auth[len] = '\0';
	}
	if (strchr(auth, '@') != NULL) {
		*errstr = "URL has userinfo";
		return -1;
	}

	if (auth[0] == '[') {
		if ((p = strchr(auth, ']')) == NULL) {
			*errstr = "bad IPv6 address";
			return -1;
		}
		*p++ = '\0';
		u->host = auth + 1;
		if (*p == ':')
			u->port = p + 1;
		else if (*p != '\0') {
			*errstr = "bad host";
			return -1;
		}
	} else {
		u->host = auth;
		if ((p = strrchr(auth, ':')) != NULL) {
			*p = '\0';
			u->port = p + 1;
		}
	}
	if (u->host[0] == '\0') {
		*errstr = "URL has no host";
		return -1;
	}
	for (p = u->host; *p != '\0'; p++) {
		if (*p == '%' || *p == '/' || *p == '\\') {
			*errstr = "bad host";
			return -1;
		}
		*p = (char)tolower((unsigned char)*p);
	}
	len = strlen(u->host);
	if (len > 1 && u->host[len - 1] == '.')
		u->host[len - 1] = '\0';
	if (u->port != NULL && u->port[0] == '\0')
		u->port = NULL;
	if (u->port != NULL) {
		/* leading zeros are allowed: "01965" is port 1965 */
		for (p = u->port; p[0] == '0' && p[1] != '\0'; p++)
			;
		if (strspn(p, "0123456789") != strlen(p) ||
		    strlen(p) > 5 || strtol(p, NULL, 10) > 65535) {
			*errstr = "bad port";
			return -1;
		}
	}

	if (path == NULL) {
		/* an empty path is "/" (a constant: the path is never written) */
		u->path = (char *)"/";
	} else {
		u->path = path;
		if (decode_path(u->path, errstr) == -1)
			return -1;
		if (url_path_clean(u->path) == -1) {
			*errstr = "path climbs above the root";
			return -1;
		}
	}
	return 0;
}

int
url_parse_spartan(char *s, struct spartan_request *r, const char **errstr)
{
	const unsigned char	*c;
	char			*path, *clen, *p;
	size_t			 len, n = 0;

	memset(r, 0, sizeof(*r));
	for (c = (const unsigned char *)s; *c != '\0'; c++) {
		if (*c >= 0x80) {
			*errstr = "non-ASCII byte in the request line "
			    "(percent-encode the path, punycode the host)";
			return -1;
		}
		if (*c < 0x20 || *c == 0x7f) {
			*errstr = "control character in the request line";
			return -1;
		}
	}
	if ((path = strchr(s, ' ')) == NULL ||
	    (clen = strchr(path + 1, ' ')) == NULL ||
	    strchr(clen + 1, ' ') != NULL) {
		*errstr = "the request line is HOST SP PATH SP LENGTH";
		return -1;
	}
	*path++ = '\0';
	*clen++ = '\0';

	if (s[0] == '[' && (p = strchr(s, ']')) != NULL && p[1] == '\0') {
		*p = '\0';
		s++;
	}
	if (s[0] == '\0' || strspn(s, "abcdefghijklmnopqrstuvwxyz"
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.-:") != strlen(s)) {
		*errstr = "bad host";
		return -1;
	}
	for (p = s; *p != '\0'; p++)
		*p = (char)tolower((unsigned char)*p);
	/*
	 * A name loses one trailing dot and has no empty label (".a",
	 * "a..b" and "a.." are no hosts); an IPv6 address is kept as sent.
	 */
	len = strlen(s);
	if (strchr(s, ':') == NULL) {
		if (len > 1 && s[len - 1] == '.')
			s[--len] = '\0';
		if (s[0] == '.' || s[len - 1] == '.' ||
		    strstr(s, "..") != NULL) {
			*errstr = "bad host";
			return -1;
		}
	}
	r->host = s;

	if (clen[0] == '\0' || strspn(clen, "0123456789") != strlen(clen)) {
		*errstr = "the content length is not a decimal number";
		return -1;
	}
	for (p = clen; *p != '\0'; p++) {
		n = n * 10 + (size_t)(*p - '0');
		if (n > SPARTAN_DATA_MAX) {
			*errstr = "content length over the limit; zeche "
			    "takes search words, not uploads";
			return -1;
		}
	}
	r->content_length = n;

	if (path[0] != '/') {
		*errstr = "the path must be absolute";
		return -1;
	}
	if (decode_path(path, errstr) == -1)
		return -1;
	if (url_path_clean(path) == -1) {
		*errstr = "path climbs above the root";
		return -1;
	}
	r->path = path;
	return 0;
}

static bool
has_scheme(const char *ref)
{
	const char	*p;

	if (!isalpha((unsigned char)ref[0]))
		return false;
	for (p = ref; isalnum((unsigned char)*p) || *p == '+' || *p == '-' ||
	    *p == '.'; p++)
		;
	return *p == ':';
}

int
url_resolve_path(const char *base, const char *ref, struct buf *out)
{
	const char	*slash;
	size_t		 start, n;

	if (has_scheme(ref) || (ref[0] == '/' && ref[1] == '/'))
		return -1;
	start = out->len;
	n = strcspn(ref, "?#");
	if (ref[0] == '/') {
		buf_add(out, ref, n);
	} else if (n == 0) {
		/* "", "?q" and "#frag" name the base page itself */
		buf_adds(out, base);
	} else {
		/* the folder of the base page, up to and with its last '/' */
		if ((slash = strrchr(base, '/')) == NULL)
			buf_addc(out, '/');
		else
			buf_add(out, base, (size_t)(slash - base) + 1);
		buf_add(out, ref, n);
	}
	if (out->failed)
		return -1;
	if (out->len == start)
		buf_addc(out, '/');
	/* a trailing "." or ".." names a folder */
	n = out->len - start;
	if ((n >= 2 && strcmp(out->data + out->len - 2, "/.") == 0) ||
	    (n >= 3 && strcmp(out->data + out->len - 3, "/..") == 0))
		buf_addc(out, '/');
	if (url_decode(out->data + start) == -1) {
		/* a bad escape names no file here: leave OUT as it was */
		out->len = start;
		out->data[start] = '\0';
		return -1;
	}
	/* a link may climb above the root: browsers stop there too */
	(void)url_path_clean(out->data + start);
	out->len = start + strlen(out->data + start);
	return 0;
}

int
url_own_path(const char *url, const char *host, const char *port,
    struct buf *out)
{
	const char	*p;
	size_t		 n, hlen = strlen(host);

	if (strncasecmp(url, "gemini://", 9) != 0)
		return -1;
	p = url + 9;
	if (hlen == 0 || strncasecmp(p, host, hlen) != 0)
		return -1;
	p += hlen;
	if (*p == '.')
		p++;
	if (*p == ':') {
		p++;
		/* compared as numbers: "01965" is 1965 */
		n = strspn(p, "0123456789");
		if (n == 0 || n > 5 || strtol(p, NULL, 10) !=
		    strtol(port, NULL, 10))
			return -1;
		p += n;
	} else if (strcmp(port, "1965") != 0)
		return -1;
	if (*p != '\0' && *p != '/' && *p != '?' && *p != '#')
		return -1;
	return url_resolve_path("/", *p == '/' ? p : "/", out);
}

void
url_encode_path(struct buf *out, const char *s)
{
	static const char	 hex[] = "0123456789ABCDEF";
	unsigned char		 c;

	for (; *s != '\0'; s++) {
		c = (unsigned char)*s;
		if (isalnum(c) || c == '-' || c == '.' || c == '_' ||
		    c == '~' || c == '/')
			buf_addc(out, (char)c);
		else {
			buf_addc(out, '%');
			buf_addc(out, hex[c >> 4]);
			buf_addc(out, hex[c & 15]);
		}
	}
}
