#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "log.h"
#include "utf8.h"

static bool	 verbose;

void
log_init(bool v)
{
	verbose = v;
}

/* Code points that would act on a terminal or split a line. */
static bool
is_unsafe_cp(uint32_t cp)
{
	return cp < 0x20 || (cp >= 0x7f && cp <= 0x9f) ||
	    cp == 0x2028 || cp == 0x2029 ||		/* line, paragraph */
	    (cp >= 0x202a && cp <= 0x202e) ||		/* bidi embedding */
	    (cp >= 0x2066 && cp <= 0x2069);		/* bidi isolates */
}

/*
 * Copy SRC to DST escaping every byte that is not part of printable,
 * well-formed UTF-8 as \xNN; with QUOTE, '"' and '\\' as well.  Ends with
 * "..." when DST is too small.
 */
static void
escape(char *dst, size_t size, const char *src, size_t len, bool quote)
{
	static const char	 hex[] = "0123456789abcdef";
	unsigned char		 c;
	uint32_t		 cp;
	size_t			 i = 0, n, o = 0;

	if (size == 0)
		return;
	while (i < len) {
		c = (unsigned char)src[i];
		n = utf8_decode(src + i, len - i, &cp);
		if (n > 0 && !is_unsafe_cp(cp) &&
		    !(quote && (c == '"' || c == '\\'))) {
			if (o + n + 4 >= size)
				break;
			memcpy(dst + o, src + i, n);
			o += n;
			i += n;
			continue;
		}
		if (o + 4 + 4 >= size)
			break;
		dst[o++] = '\\';
		dst[o++] = 'x';
		dst[o++] = hex[c >> 4];
		dst[o++] = hex[c & 15];
		i++;
	}
	if (i < len) {
		dst[o++] = '.';
		dst[o++] = '.';
		dst[o++] = '.';
	}
	dst[o] = '\0';
}

/*
 * One line on stderr.  The message is escaped as a whole, so that no
 * byte from a client or a capsule file name (a newline, an escape
 * sequence, invalid UTF-8) reaches the log as it is.
 */
static void
vlog(const char *level, const char *fmt, va_list ap, const char *err)
{
	char		 stamp[32], msg[2048], out[4096];
	struct tm	 tm;
	time_t		 now = time(NULL);
	int		 n;

	gmtime_r(&now, &tm);
	strftime(stamp, sizeof(stamp), "%Y-%m-%dT%H:%M:%SZ", &tm);
	if ((n = vsnprintf(msg, sizeof(msg), fmt, ap)) < 0)
		n = 0;
	if ((size_t)n >= sizeof(msg))
		n = sizeof(msg) - 1;
	escape(out, sizeof(out), msg, (size_t)n, false);
	fprintf(stderr, "%s zeche: %s%s", stamp, level, out);
	if (err != NULL)
		fprintf(stderr, ": %s", err);
	fputc('\n', stderr);
	fflush(stderr);
}

void
log_warn(const char *fmt, ...)
{
	va_list		 ap;
	const char	*err = strerror(errno);

	va_start(ap, fmt);
	vlog("", fmt, ap, err);
	va_end(ap);
}

void
log_warnx(const char *fmt, ...)
{
	va_list	 ap;

	va_start(ap, fmt);
	vlog("", fmt, ap, NULL);
	va_end(ap);
}

void
log_info(const char *fmt, ...)
{
	va_list	 ap;

	va_start(ap, fmt);
	vlog("", fmt, ap, NULL);
	va_end(ap);
}

void
log_debug(const char *fmt, ...)
{
	va_list	 ap;

	if (!verbose)
		return;
	va_start(ap, fmt);
	vlog("debug: ", fmt, ap, NULL);
	va_end(ap);
}

void
fatal(const char *fmt, ...)
{
	va_list		 ap;
	const char	*err = strerror(errno);

	va_start(ap, fmt);
	vlog("fatal: ", fmt, ap, err);
	va_end(ap);
	exit(1);
}

void
fatalx(const char *fmt, ...)
{
	va_list	 ap;

	va_start(ap, fmt);
	vlog("fatal: ", fmt, ap, NULL);
	va_end(ap);
	exit(1);
}

void
log_escape(char *dst, size_t size, const char *src, size_t len)
{
	escape(dst, size, src, len, true);
}

int
log_open(const char *path)
{
	int	 fd;

	if ((fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC,
	    0640)) == -1)
		return -1;
	fflush(stderr);
	if (fd != STDERR_FILENO && dup2(fd, STDERR_FILENO) == -1) {
		close(fd);
		return -1;
	}
	if (fd != STDERR_FILENO)
		close(fd);
	return 0;
}
