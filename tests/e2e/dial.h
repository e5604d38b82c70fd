/*
 * dial: the TCP connect the end-to-end test clients (gemget, spget)
 * share.
 */
#ifndef DIAL_H
#define DIAL_H

/*
 * Connect to the numeric ADDR and PORT, from the local address FROM
 * (NULL: any), with a receive buffer of RCVBUF bytes (0: the system's);
 * or, ADDR "unix:PATH", to the Unix socket PATH (PORT and FROM unused).
 * Returns the socket, or -1.
 */
int	dial(const char *, const char *, const char *, int);

#endif
