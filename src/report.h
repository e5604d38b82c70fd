/*
 * report: what a load says about its server: the hosts and certificates
 * in the log, a failed load's errors, and --check's lines on stdout.
 */
#ifndef REPORT_H
#define REPORT_H

#include <stdbool.h>
#include <stddef.h>

struct server;
struct vhost;

/* Log the host VH: its name and aliases, and what it serves. */
void	report_host(const struct vhost *);

/*
 * Log both fingerprints of VH's certificate, since clients pin one or
 * the other, and say when zeche made it or made it anew.
 */
void	report_certificate(const struct vhost *);

/* Log the errors of a failed load, one per line; returns how many. */
size_t	report_errors(const char *);

/*
 * --check: print every host of SRV, its pages and warnings, and its
 * certificate's fingerprints; CONFIG: it was read from a --config file.
 */
void	report_check(const struct server *, bool);

#endif
