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

/*
 * Let the calling thread alone run only when no other thread wants its
 * CPU (Linux's SCHED_IDLE: a serving thread that wakes takes the CPU at
 * once), for work that may wait as long as the machine is busy; where
 * that is refused or unknown, prio_lower_thread(NICE).  Not undone: an
 * unprivileged thread cannot leave SCHED_IDLE.  Returns 0, or -1 with
 * errno set.
 */
int	prio_idle_thread(int);

#endif
