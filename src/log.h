/*
 * log: the OpenBSD logging API (log_warn adds strerror(errno), fatal*
 * exit).  Lines go to stderr, prefixed with a time stamp.
 */
#ifndef LOG_H
#define LOG_H

#include <stdbool.h>
#include <stddef.h>

/*
 * Set the verbosity (log_debug) and send libevent's own messages through
 * the log (escaped, LOG_LIBEVENT_BURST a second at most).
 */
#define LOG_LIBEVENT_BURST	10

void	log_init(bool);
void	log_warn(const char *, ...) __attribute__((format(printf, 1, 2)));
void	log_warnx(const char *, ...) __attribute__((format(printf, 1, 2)));
void	log_info(const char *, ...) __attribute__((format(printf, 1, 2)));
void	log_debug(const char *, ...) __attribute__((format(printf, 1, 2)));
void	fatal(const char *, ...)
	    __attribute__((format(printf, 1, 2), noreturn));
void	fatalx(const char *, ...)
	    __attribute__((format(printf, 1, 2), noreturn));

/*
 * Send every line from now on (messages and access lines) to the file
 * PATH, appended, instead of stderr.  Called again (SIGUSR1) it opens
 * PATH anew, for log rotation; lines queued before go to the old file.
 * PATH is opened by file_open_append(): not through a link, a regular
 * file, in a folder that neither its group nor others may write unless
 * it is sticky.  Returns 0, or -1 with errstr set (the lines then go
 * where they went before).
 */
int	log_open(const char *, const char **);

/*
 * From log_start() on, lines are queued in memory (LOG_QUEUE_MAX bytes)
 * and a thread of their own writes them, LOG_BATCH_MS of them at a time
 * (each line is out within that, when the destination takes it), so
 * that a log destination that blocks never stalls the caller; a line
 * that finds the queue full is dropped, and the writer notes how many
 * were once it caught up.  Before, lines are written at once; fatal()
 * and fatalx() write theirs after what is queued (LOG_STOP_WAIT seconds
 * at most) before they exit.
 * Call log_start() once the process is confined (the thread inherits the
 * confinement of its creator).  Returns 0, or -1 with errno set.
 *
 * log_stop() writes what is queued (LOG_STOP_WAIT seconds at most), ends
 * the thread and frees the queue; lines are written at once again.
 */
#define LOG_QUEUE_MAX	(1024 * 1024)
#define LOG_BATCH_MS	10	/* lines gathered before the writer writes */
#define LOG_STOP_WAIT	5

int	log_start(void);
void	log_stop(void);

/*
 * Copy client bytes into DST (of DSTSIZE) with everything that is not
 * printable, well-formed UTF-8 escaped as \xNN (control bytes, C1
 * controls, invalid sequences), and quotes and backslashes too, so that a
 * log line stays one line and the field stays in its quotes.  Every log
 * line is escaped this way as well, quotes and backslashes aside.
 */
void	log_escape(char *, size_t, const char *, size_t);

/*
 * A line written as it is, without the time stamp and without escaping
 * (the caller escaped what came from a client): LINE ends in a newline.
 * For access lines in a format an analyser reads.
 */
void	log_line(const char *, size_t);

/* Lines dropped since the start because the queue was full. */
unsigned long long log_dropped(void);

#endif
