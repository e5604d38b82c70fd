/*
 * logfile: the file the log is written to (log.c writes the lines): where
 * it may lie, opening it at the start, on a reload and on SIGUSR1.
 */
#ifndef LOGFILE_H
#define LOGFILE_H

#include <stdbool.h>
#include <stddef.h>

struct conf;

/* The folder of the file PATH into DIR; -1 if it does not fit. */
int		 logfile_folder(const char *, char *, size_t);


/*
 * The log LOG (or none) must not lie in a capsule of CONF, where the next
 * load would serve it.  -1 with a message in ERR if it does.
 */
int		 logfile_outside_capsules(const struct conf *, const char *,
		    char *, size_t);

/*
 * A reload's log, on the loop right before the switch to CONF: outside
 * its capsules, and opened if it is new.  CHROOTED: the log is the one
 * of the start, which no reload changes.  0, or -1 with ERR.
 */
int		 logfile_switch(const struct conf *, bool, char *, size_t);

/*
 * --user without --config: the log PATH must lie in the chroot of the
 * capsule ROOT (else fatal).  Returns its folder open (O_PATH) for
 * Landlock, to be closed once the rule is made, or -1 when that folder
 * holds the capsule.  Call before logfile_open().
 */
int		 logfile_in_chroot(const char *, const char *);

/*
 * --check: the rule of logfile_in_chroot() for the log PATH and the
 * capsule ROOT, without opening anything: 0, or -1 with a message in ERR
 * (the one the start fails with).
 */
int		 logfile_chroot_check(const char *, const char *, char *,
		    size_t);

/* At the start: open the log PATH (fatal if it cannot be); LOGDIR as above. */
void		 logfile_open(const char *, int);

/* SIGUSR1: open the log anew, once logrotate has moved it away. */
void		 logfile_reopen(void);

/* The path of the log open, or "" for stderr. */
const char	*logfile_path(void);

#endif
