/*
 * prio: a thread's CPU priority, only ever lowered.
 */
#ifndef PRIO_H
#define PRIO_H

/*
 * Lower the calling thread alone to the nice value NICE (on Linux a
 * thread's nice value is its own; elsewhere nothing is done).  Never
 * raises it: a thread already at NICE or lower is left as it is, since an
 * unprivileged process (zeche under --user) could not raise it back.
 * Returns 0, or -1 with errno set.
 */
int	prio_lower_thread(int);

#endif
