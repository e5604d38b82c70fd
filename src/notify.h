/*
 * notify: the systemd notification protocol (sd_notify(3)), spoken
 * directly over the AF_UNIX datagram socket systemd names in NOTIFY_SOCKET;
 * no libsystemd.  Outside systemd (no NOTIFY_SOCKET) every call does
 * nothing.
 */
#ifndef NOTIFY_H
#define NOTIFY_H

#include <sys/socket.h>
#include <sys/un.h>

#include <stddef.h>

#define NOTIFY_MSG_MAX	1024		/* one datagram: the longest sent */

/*
 * The address in the value ENV of NOTIFY_SOCKET: an absolute path, or
 * an abstract name after "@".  Returns 0 with ADDR and LEN set, or -1
 * with ERRSTR set.  Pure.
 */
int	 notify_addr(const char *, struct sockaddr_un *, socklen_t *,
	    const char **);

/*
 * The message "STATE\nMAINPID=PID\nSTATUS=TEXT\n" into BUF (of SIZE),
 * what is not given left out (STATE NULL, PID 0, TEXT NULL); the text
 * is cut to one line (a line break becomes "; ", other controls a
 * space) and to what fits.  Returns the message's length.  Pure.
 */
size_t	 notify_format(char *, size_t, const char *, long, const char *);

/*
 * Connect to NOTIFY_SOCKET, if set, once at the start: before a chroot
 * or Landlock could hide it; the descriptor is kept and the variable
 * removed from the environment.  -1 after a warning if it is set but
 * cannot be reached (zeche serves all the same).
 */
int	 notify_open(void);

/* READY=1 with MAINPID= and STATUS="serving N hosts" (zeche serves). */
void	 notify_ready(size_t);

/* RELOADING=1 with MONOTONIC_USEC= (a reload starts). */
void	 notify_reloading(void);

/*
 * READY=1 again, with STATUS="reloaded at TIME: N hosts" when OK, or
 * STATUS="reload failed: ERR" (its first line, and how many more).
 */
void	 notify_reloaded(int, size_t, const char *);

/* STOPPING=1 (zeche stops), and close the socket. */
void	 notify_stopping(void);

#endif
