/*
 * sandbox: confine the serving process once its ports are open and its
 * certificate and key are loaded.
 */
#ifndef SANDBOX_H
#define SANDBOX_H

/*
 * With USER (zeche started as root with --user), confine the process for
 * good, in this order:
 *
 *  0. leave the terminal: stdin and stdout to /dev/null, a session of its
 *     own (stderr stays: it may be the log);
 *  1. chroot into the folder that holds the capsule folder ROOT (its
 *     parent once links are resolved), so that renaming a new capsule into
 *     place still works, and so that nothing else of the file system can
 *     be named;
 *  2. become USER: its uid, its gid, no other group;
 *  3. on Linux, Landlock, with what the running kernel's ABI has: the file
 *     system may only be read, and only beneath the capsule folder (the
 *     one ROOT named at this moment), except that files may be written
 *     and made beneath the folder LOGDIR (a descriptor opened before, -1
 *     for none), where the log is opened anew after a rotation; no
 *     truncating (ABI 3), no TCP bind, no TCP connect but to the ports
 *     of sandbox_allow_connect() (ABI 4), no device ioctl
 *     (ABI 5), no signal or abstract Unix socket beyond the process
 *     (ABI 6);
 *  4. on Linux, seccomp: system calls a server never makes (execve,
 *     ptrace, mount and the new mount API, chroot, setuid and the like,
 *     chmod and chown, io_uring, bpf, module loading, ...) fail with EPERM,
 *     as do clone with namespace flags, socket families other than IPv4,
 *     IPv6 and Unix, and ioctl TIOCSTI; clone3 fails with ENOSYS.
 *
 * A kernel without Landlock or seccomp gets a warning and what it can
 * do.  Only the calling thread is confined, and the threads it starts
 * later: call it before any other thread runs.  Any other failure is
 * fatal.  Without USER nothing is done.
 *
 * Returns the path to read the capsule through from now on: ROOT, or
 * the capsule's path inside the chroot ("/capsule").
 */
const char	*sandbox_enter(const char *, const char *, int);

/*
 * With --config: no chroot (the hosts' folders are anywhere), but steps
 * 0, 2, 3 and 4 above, Landlock allowing reads beneath each of the N
 * folders FOLDERS (resolved paths) and writes beneath LOGDIR (or -1).  A
 * kernel without Landlock or without seccomp filters is fatal: nothing
 * else would keep the process from the whole file system.
 */
void		 sandbox_confine(const char *, const char *const *, size_t,
		    int);

/*
 * Before sandbox_confine(): Landlock also lets files be written, made,
 * removed and renamed, and folders made, beneath each of the N folders
 * FOLDERS (the folders open for Titan uploads and their history
 * folders; borrowed until then).  One that cannot be opened is left out
 * with a warning.
 */
void		 sandbox_allow_write(const char *const *, size_t);

/*
 * Before sandbox_confine(): Landlock (ABI 4 and later) also lets TCP
 * connections be made to the N ports PORTS (those of the ping URLs;
 * borrowed until then), and to no other.  Binding stays denied.
 */
void		 sandbox_allow_connect(const unsigned short *, size_t);

#endif
