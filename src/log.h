/*
 * log: the OpenBSD logging API (log_warn adds strerror(errno), fatal*
 * exit).  Lines go to stderr, prefixed with a time stamp.
 */
#ifndef LOG_H
#define LOG_H

#include <stdbool.h>
#include <stddef.h>

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
 * Copy client bytes into DST (of DSTSIZE) with control bytes, quotes and
 * backslashes escaped (\xNN), so that a log line stays one line.
 */
void	log_escape(char *, size_t, const char *, size_t);

#endif
