/*
 * log: log_*, fatal*, escaping client bytes for a line, and where lines
 * go (stderr or a file).  Knows no connection, no protocol and no model:
 * callers hand it finished lines.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <event2/event.h>

#include "file.h"
#include "log.h"
#include "utf8.h"

static bool	 verbose;

/*
 * The queue between the loggers (the loop, the reload thread) and the
 * writer thread, from log_start() to log_stop().  A logger only copies
 * its line into FILL under the mutex; the writer swaps FILL with SPARE
 * and writes SPARE with the mutex released, so that a destination that
 * blocks (a pipe nobody reads, a stalled file system) blocks the writer
 * alone.  What does not fit in FILL is dropped and counted.
 */
static struct {
	pthread_mutex_t	 mtx;
	pthread_cond_t	 work;		/* the writer waits for lines */
	pthread_cond_t	 idle;		/* log_stop and fatal wait for it */
	pthread_t	 thread;
	char		*fill;		/* lines queued, LOG_QUEUE_MAX */
	char		*spare;		/* the writer's, while it writes */
	size_t		 len;		/* bytes in fill */
	unsigned long	 dropped;	/* lines not queued since the note */
	unsigned long long dropped_all;	/* and since the start */
	int		 newfd;		/* log_open(): the file to go on in */
	size_t		 newfd_at;	/* ...once fill up to here is written */
	bool		 running;	/* lines go to the queue */
	bool		 busy;		/* the writer writes a buffer */
	bool		 stop;		/* log_stop(): write the rest, return */
	bool		 done;		/* the writer returned */
} q = {
	.mtx = PTHREAD_MUTEX_INITIALIZER,
	.work = PTHREAD_COND_INITIALIZER,
	.idle = PTHREAD_COND_INITIALIZER,
	.newfd = -1,
};

static void	libevent_logcb(int, const char *);

void
log_init(bool v)
{
	verbose = v;
	event_set_log_callback(libevent_logcb);
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

static void
stamp(char *dst, size_t size)
{
	struct tm	 tm;
	time_t		 now = time(NULL);

	gmtime_r(&now, &tm);
	strftime(dst, size, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

/* All of P to stderr; what cannot be written is lost. */
static void
write_all(const char *p, size_t len)
{
	struct pollfd	 pfd = { .fd = STDERR_FILENO, .events = POLLOUT };
	ssize_t		 n;

	while (len > 0) {
		if ((n = write(STDERR_FILENO, p, len)) == -1) {
			if (errno == EINTR)
				continue;
			/* a shared descriptor someone made non-blocking */
			if (errno == EAGAIN && poll(&pfd, 1, -1) != -1)
				continue;
			return;
		}
		p += n;
		len -= (size_t)n;
	}
}

/* Wait (with the mutex held) until the writer has written everything. */
static void
wait_idle(void)
{
	struct timespec	 until;

	clock_gettime(CLOCK_REALTIME, &until);
	until.tv_sec += LOG_STOP_WAIT;
	while (!q.done && (q.len > 0 || q.dropped > 0 || q.newfd != -1 ||
	    q.busy || q.stop))
		if (pthread_cond_timedwait(&q.idle, &q.mtx, &until) ==
		    ETIMEDOUT)
			break;
}

/*
 * The writer thread: take what is queued, write it (switching to the new
 * file of a log_open() where it came), note how many lines were dropped,
 * and again, until log_stop() finds nothing left.
 */
static void *
writer(void *arg)
{
	struct timespec	 until;
	char		*buf, note[128], ts[32];
	size_t		 len, at;
	unsigned long	 dropped;
	int		 fd, n;

	pthread_mutex_lock(&q.mtx);
	for (;;) {
		while (q.len == 0 && q.dropped == 0 && q.newfd == -1 &&
		    !q.stop)
			pthread_cond_wait(&q.work, &q.mtx);
		/*
		 * Let the lines of the next LOG_BATCH_MS gather (or half the
		 * queue fill): one wake-up and one write for all of them,
		 * not a context switch per request.
		 */
		clock_gettime(CLOCK_REALTIME, &until);
		until.tv_nsec += LOG_BATCH_MS * 1000000L;
		if (until.tv_nsec >= 1000000000L) {
			until.tv_sec++;
			until.tv_nsec -= 1000000000L;
		}
		while (!q.stop && q.newfd == -1 && q.len < LOG_QUEUE_MAX / 2 &&
		    pthread_cond_timedwait(&q.work, &q.mtx, &until) !=
		    ETIMEDOUT)
			;
		if (q.len == 0 && q.dropped == 0 && q.newfd == -1)
			break;			/* stopped, all written */
		buf = q.fill;
		len = q.len;
		q.fill = q.spare;
		q.spare = buf;
		q.len = 0;
		dropped = q.dropped;
		q.dropped = 0;
		fd = q.newfd;
		at = q.newfd_at;
		q.newfd = -1;
		q.busy = true;
		pthread_mutex_unlock(&q.mtx);

		if (fd == -1)
			at = len;
		write_all(buf, at);
		if (fd != -1) {
			dup2(fd, STDERR_FILENO);  /* else the old one stays */
			close(fd);
			write_all(buf + at, len - at);
		}
		if (dropped > 0) {
			stamp(ts, sizeof(ts));
			n = snprintf(note, sizeof(note), "%s zeche: log: %lu "
			    "line%s dropped, the log was written too slowly\n",
			    ts, dropped, dropped == 1 ? "" : "s");
			write_all(note, (size_t)n);
		}

		pthread_mutex_lock(&q.mtx);
		q.busy = false;
		pthread_cond_broadcast(&q.idle);
	}
	q.done = true;
	pthread_cond_broadcast(&q.idle);
	pthread_mutex_unlock(&q.mtx);
	return NULL;
}

/*
 * Queue LINE, or write it at once while there is no writer thread.  A
 * FATAL line is written at once after what is queued (LOG_STOP_WAIT s at
 * most): the process is about to exit.
 */
static void
emit(const char *line, size_t len, bool fatal)
{
	pthread_mutex_lock(&q.mtx);
	if (q.running && fatal) {
		wait_idle();
		write_all(line, len);
		pthread_mutex_unlock(&q.mtx);
		return;
	}
	if (q.running) {
		/*
		 * The writer needs a signal for the first line (it waits for
		 * one) and when the queue is half full (it waits for more).
		 */
		if (q.len + len > LOG_QUEUE_MAX) {
			q.dropped++;
			q.dropped_all++;
		}
		else {
			memcpy(q.fill + q.len, line, len);
			q.len += len;
			if (!q.busy && (q.len == len ||
			    (q.len >= LOG_QUEUE_MAX / 2 &&
			    q.len - len < LOG_QUEUE_MAX / 2)))
				pthread_cond_signal(&q.work);
		}
		pthread_mutex_unlock(&q.mtx);
		return;
	}
	pthread_mutex_unlock(&q.mtx);
	fwrite(line, 1, len, stderr);
	fflush(stderr);
}

/*
 * One log line.  The message is escaped as a whole, so that no byte from
 * a client or a capsule file name (a newline, an escape sequence, invalid
 * UTF-8) reaches the log as it is.
 */
static void
vlog(const char *level, const char *fmt, va_list ap, const char *err,
    bool fatal)
{
	char		 ts[32], msg[2048], out[4096], line[4608];
	int		 n;

	stamp(ts, sizeof(ts));
	if ((n = vsnprintf(msg, sizeof(msg), fmt, ap)) < 0)
		n = 0;
	if ((size_t)n >= sizeof(msg))
		n = sizeof(msg) - 1;
	escape(out, sizeof(out), msg, (size_t)n, false);
	n = snprintf(line, sizeof(line) - 1, "%s zeche: %s%s%s%s", ts, level,
	    out, err != NULL ? ": " : "", err != NULL ? err : "");
	if (n < 0)
		return;
	if ((size_t)n >= sizeof(line) - 1)
		n = sizeof(line) - 2;
	line[n++] = '\n';
	emit(line, (size_t)n, fatal);
}

void
log_warn(const char *fmt, ...)
{
	va_list		 ap;
	const char	*err = strerror(errno);

	va_start(ap, fmt);
	vlog("", fmt, ap, err, false);
	va_end(ap);
}

void
log_warnx(const char *fmt, ...)
{
	va_list	 ap;

	va_start(ap, fmt);
	vlog("", fmt, ap, NULL, false);
	va_end(ap);
}

void
log_info(const char *fmt, ...)
{
	va_list	 ap;

	va_start(ap, fmt);
	vlog("", fmt, ap, NULL, false);
	va_end(ap);
}

void
log_debug(const char *fmt, ...)
{
	va_list	 ap;

	if (!verbose)
		return;
	va_start(ap, fmt);
	vlog("debug: ", fmt, ap, NULL, false);
	va_end(ap);
}

void
fatal(const char *fmt, ...)
{
	va_list		 ap;
	const char	*err = strerror(errno);

	va_start(ap, fmt);
	vlog("fatal: ", fmt, ap, err, true);
	va_end(ap);
	exit(1);
}

void
fatalx(const char *fmt, ...)
{
	va_list	 ap;

	va_start(ap, fmt);
	vlog("fatal: ", fmt, ap, NULL, true);
	va_end(ap);
	exit(1);
}

void
log_line(const char *line, size_t len)
{
	emit(line, len, false);
}

unsigned long long
log_dropped(void)
{
	unsigned long long	 n;

	pthread_mutex_lock(&q.mtx);
	n = q.dropped_all;
	pthread_mutex_unlock(&q.mtx);
	return n;
}

void
log_escape(char *dst, size_t size, const char *src, size_t len)
{
	escape(dst, size, src, len, true);
}

/*
 * libevent's own messages (its warnings and errors, and with -v its
 * debug lines), which it would print to stderr as they are: into the log
 * like every line, escaped and queued, and at most LOG_LIBEVENT_BURST a
 * second, so that a warning repeated on every turn of a loop cannot fill
 * it; the next line that goes out says how many were not logged.  Called
 * on any thread, and it calls nothing of libevent.
 */
static void
libevent_logcb(int severity, const char *msg)
{
	static pthread_mutex_t	 mtx = PTHREAD_MUTEX_INITIALIZER;
	static time_t		 second;
	static unsigned int	 lines;
	static unsigned long	 skipped;
	unsigned long		 n = 0;
	struct timespec		 ts;
	bool			 out;

	if (severity == EVENT_LOG_DEBUG && !verbose)
		return;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	pthread_mutex_lock(&mtx);
	if (ts.tv_sec != second) {
		second = ts.tv_sec;
		lines = 0;
	}
	if ((out = lines < LOG_LIBEVENT_BURST)) {
		lines++;
		n = skipped;
		skipped = 0;
	} else
		skipped++;
	pthread_mutex_unlock(&mtx);
	if (!out)
		return;
	if (n > 0)
		log_warnx("libevent: %lu message%s not logged (too many)", n,
		    n == 1 ? "" : "s");
	if (severity == EVENT_LOG_DEBUG)
		log_debug("libevent: %s", msg);
	else
		log_warnx("libevent: %s", msg);
}

int
log_open(const char *path, const char **errstr)
{
	int	 fd;

	if ((fd = file_open_append(path, 0640, errstr)) == -1)
		return -1;
	/*
	 * With the writer running, lines queued so far still belong in the
	 * old file: the writer switches where the queue stands now.
	 */
	pthread_mutex_lock(&q.mtx);
	if (q.running) {
		if (q.newfd != -1)
			close(q.newfd);
		q.newfd = fd;
		q.newfd_at = q.len;
		if (!q.busy)
			pthread_cond_signal(&q.work);
		pthread_mutex_unlock(&q.mtx);
		return 0;
	}
	pthread_mutex_unlock(&q.mtx);
	fflush(stderr);
	if (fd != STDERR_FILENO && dup2(fd, STDERR_FILENO) == -1) {
		*errstr = strerror(errno);
		close(fd);
		return -1;
	}
	if (fd != STDERR_FILENO)
		close(fd);
	return 0;
}

int
log_start(void)
{
	sigset_t	 all, old;
	int		 ret = -1;

	pthread_mutex_lock(&q.mtx);
	if (q.running) {
		pthread_mutex_unlock(&q.mtx);
		return 0;
	}
	if ((q.fill = malloc(LOG_QUEUE_MAX)) == NULL ||
	    (q.spare = malloc(LOG_QUEUE_MAX)) == NULL)
		goto done;
	fflush(stderr);
	/* signals are for the loop: the writer blocks them all */
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	errno = pthread_create(&q.thread, NULL, writer, NULL);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (errno != 0)
		goto done;
	q.len = 0;
	q.dropped = 0;
	q.stop = q.done = q.busy = false;
	q.running = true;
	ret = 0;
 done:
	if (ret == -1) {
		free(q.fill);
		free(q.spare);
		q.fill = q.spare = NULL;
	}
	pthread_mutex_unlock(&q.mtx);
	return ret;
}

void
log_stop(void)
{
	pthread_mutex_lock(&q.mtx);
	if (!q.running) {
		pthread_mutex_unlock(&q.mtx);
		return;
	}
	q.stop = true;
	pthread_cond_signal(&q.work);
	wait_idle();
	if (!q.done) {
		/* stuck in a write: leave it be, the process exits */
		pthread_mutex_unlock(&q.mtx);
		return;
	}
	q.running = false;
	pthread_mutex_unlock(&q.mtx);
	pthread_join(q.thread, NULL);
	free(q.fill);
	free(q.spare);
	q.fill = q.spare = NULL;
}
