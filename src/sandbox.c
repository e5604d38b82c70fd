/*
 * sandbox: confine the serving process for good once its ports are open
 * and its certificates are loaded; knows no protocol and no model.
 */
#include <sys/types.h>
#include <sys/ioctl.h>
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <limits.h>
#include <pwd.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#ifdef __linux__
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>

#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/landlock.h>
#include <linux/sched.h>
#include <linux/seccomp.h>
#endif

#include "log.h"
#include "sandbox.h"

static char	 chroot_root[PATH_MAX];	/* the capsule inside the chroot */
static const char *const *writable;	/* sandbox_allow_write() */
static size_t	 nwritable;
static const unsigned short *ports;	/* sandbox_allow_connect() */
static size_t	 nports;

#ifdef __linux__

/*
 * Landlock's later rights, as the kernel's UAPI defines them, for headers
 * older than the running kernel (Debian 12's are 6.1's: ABI 2).  Which of
 * them the ruleset handles is decided by the ABI the running kernel
 * reports, never by the headers the build had.
 */
#ifndef LANDLOCK_ACCESS_FS_REFER
#define LANDLOCK_ACCESS_FS_REFER		(1ULL << 13)	/* ABI 2 */
#endif
#ifndef LANDLOCK_ACCESS_FS_TRUNCATE
#define LANDLOCK_ACCESS_FS_TRUNCATE		(1ULL << 14)	/* ABI 3 */
#endif
#ifndef LANDLOCK_ACCESS_FS_IOCTL_DEV
#define LANDLOCK_ACCESS_FS_IOCTL_DEV		(1ULL << 15)	/* ABI 5 */
#endif
#ifndef LANDLOCK_ACCESS_NET_BIND_TCP
#define LANDLOCK_ACCESS_NET_BIND_TCP		(1ULL << 0)	/* ABI 4 */
#endif
#ifndef LANDLOCK_ACCESS_NET_CONNECT_TCP
#define LANDLOCK_ACCESS_NET_CONNECT_TCP		(1ULL << 1)	/* ABI 4 */
#endif
#ifndef LANDLOCK_SCOPE_ABSTRACT_UNIX_SOCKET
#define LANDLOCK_SCOPE_ABSTRACT_UNIX_SOCKET	(1ULL << 0)	/* ABI 6 */
#endif
#ifndef LANDLOCK_SCOPE_SIGNAL
#define LANDLOCK_SCOPE_SIGNAL			(1ULL << 1)	/* ABI 6 */
#endif

/*
 * struct landlock_ruleset_attr as of ABI 6, whatever the headers hold:
 * the kernel takes the fields up to the size passed, so the size says
 * which fields this kernel is given.
 */
struct ruleset_attr {
	__u64	 handled_access_fs;
	__u64	 handled_access_net;		/* ABI 4 */
	__u64	 scoped;			/* ABI 6 */
};

/* struct landlock_net_port_attr and LANDLOCK_RULE_NET_PORT (ABI 4) */
struct net_port_attr {
	__u64	 allowed_access;
	__u64	 port;
};
#define RULE_NET_PORT	2

/* Append ", WHAT" to the list in BUF. */
static void
also_denied(char *buf, size_t size, const char *what)
{
	size_t	 len = strlen(buf);

	snprintf(buf + len, size - len, ", %s", what);
}

/* Grant ACCESS beneath the folder FD in the ruleset RFD. */
static void
landlock_allow(int rfd, int fd, __u64 access, const char *what)
{
	struct landlock_path_beneath_attr beneath;

	memset(&beneath, 0, sizeof(beneath));
	beneath.parent_fd = fd;
	beneath.allowed_access = access;
	if (syscall(SYS_landlock_add_rule, rfd, LANDLOCK_RULE_PATH_BENEATH,
	    &beneath, 0) == -1)
		fatal("landlock: add a rule for %s", what);
}

/*
 * TCP connect to the ports of sandbox_allow_connect() (the ping URLs'),
 * and to no other, in the ruleset RFD; "connect only to port(s) ..."
 * into BUF, or "" for none.
 */
static void
landlock_ports(int rfd, char *buf, size_t size)
{
	struct net_port_attr	 np;
	size_t			 i, len;

	buf[0] = '\0';
	for (i = 0; i < nports; i++) {
		memset(&np, 0, sizeof(np));
		np.allowed_access = LANDLOCK_ACCESS_NET_CONNECT_TCP;
		np.port = ports[i];
		if (syscall(SYS_landlock_add_rule, rfd, RULE_NET_PORT, &np,
		    0) == -1)
			fatal("landlock: allow connecting to port %u",
			    (unsigned)ports[i]);
		len = strlen(buf);
		snprintf(buf + len, size - len, "%s%u", i == 0 ? nports == 1 ?
		    ", TCP connect only to port " : ", TCP connect only to "
		    "ports " : ", ", (unsigned)ports[i]);
	}
}

/*
 * Landlock: read-only beneath each of the N folders PATHS, writing and
 * making files beneath the log's folder LOGDIR (unless -1), nothing else
 * of the file system, and, as far as the running kernel's ABI goes, no
 * truncating, no device ioctl, no TCP bind, no TCP connect but to the
 * ports of sandbox_allow_connect(), and no signal or abstract Unix
 * socket reaching outside this process.  Every right of
 * that ABI is handled, so that every one not granted below is denied; the
 * log line names what was put into the ruleset, and nothing more.
 * Returns the ABI, or 0 when the kernel has no Landlock.
 */
static long
landlock(const char *const *paths, size_t n, int logdir)
{
	struct ruleset_attr	 attr;
	size_t			 size, i;
	char			 also[256], folders[PATH_MAX + 32];
	char			 net[256];
	long			 abi;
	int			 rfd, fd;

	abi = syscall(SYS_landlock_create_ruleset, NULL, 0,
	    LANDLOCK_CREATE_RULESET_VERSION);
	if (abi < 1)
		return 0;
	memset(&attr, 0, sizeof(attr));
	attr.handled_access_fs = (LANDLOCK_ACCESS_FS_MAKE_SYM << 1) - 1;
	size = offsetof(struct ruleset_attr, handled_access_net);
	also[0] = '\0';
	if (abi >= 2)
		attr.handled_access_fs |= LANDLOCK_ACCESS_FS_REFER;
	if (abi >= 3) {
		attr.handled_access_fs |= LANDLOCK_ACCESS_FS_TRUNCATE;
		also_denied(also, sizeof(also), "truncating");
	}
	if (abi >= 4) {
		attr.handled_access_net = LANDLOCK_ACCESS_NET_BIND_TCP |
		    LANDLOCK_ACCESS_NET_CONNECT_TCP;
		size = offsetof(struct ruleset_attr, scoped);
		also_denied(also, sizeof(also), nports > 0 ? "TCP bind" :
		    "TCP bind and connect");
	}
	if (abi >= 5) {
		attr.handled_access_fs |= LANDLOCK_ACCESS_FS_IOCTL_DEV;
		also_denied(also, sizeof(also), "device ioctls");
	}
	if (abi >= 6) {
		attr.scoped = LANDLOCK_SCOPE_ABSTRACT_UNIX_SOCKET |
		    LANDLOCK_SCOPE_SIGNAL;
		size = sizeof(attr);
		also_denied(also, sizeof(also), "signals and abstract Unix "
		    "sockets beyond zeche");
	}
	if ((rfd = (int)syscall(SYS_landlock_create_ruleset, &attr, size,
	    0)) == -1)
		fatal("landlock: create ruleset");
	net[0] = '\0';
	if (abi >= 4)
		landlock_ports(rfd, net, sizeof(net));
	for (i = 0; i < n; i++) {
		if ((fd = open(paths[i], O_PATH | O_DIRECTORY | O_CLOEXEC)) ==
		    -1)
			fatal("landlock: %s", paths[i]);
		landlock_allow(rfd, fd, LANDLOCK_ACCESS_FS_READ_FILE |
		    LANDLOCK_ACCESS_FS_READ_DIR, paths[i]);
		close(fd);
		if (n > 1)
			log_info("landlock: read-only beneath %s", paths[i]);
	}
	if (logdir != -1)
		landlock_allow(rfd, logdir, LANDLOCK_ACCESS_FS_WRITE_FILE |
		    LANDLOCK_ACCESS_FS_MAKE_REG, "the log's folder");
	/* uploads: a new file, renamed over the old one; the history */
	for (i = 0; i < nwritable; i++) {
		if ((fd = open(writable[i], O_PATH | O_DIRECTORY |
		    O_CLOEXEC)) == -1) {
			log_warn("landlock: uploads to %s", writable[i]);
			continue;
		}
		landlock_allow(rfd, fd, LANDLOCK_ACCESS_FS_READ_FILE |
		    LANDLOCK_ACCESS_FS_READ_DIR | LANDLOCK_ACCESS_FS_WRITE_FILE |
		    LANDLOCK_ACCESS_FS_MAKE_REG | LANDLOCK_ACCESS_FS_REMOVE_FILE |
		    LANDLOCK_ACCESS_FS_MAKE_DIR, writable[i]);
		close(fd);
		log_info("landlock: uploads may write beneath %s",
		    writable[i]);
	}
	if (syscall(SYS_landlock_restrict_self, rfd, 0) == -1)
		fatal("landlock: restrict");
	close(rfd);
	if (n == 1)
		snprintf(folders, sizeof(folders), "%s", paths[0]);
	else
		snprintf(folders, sizeof(folders), "%zu folders", n);
	log_info("landlock ABI %ld: read-only beneath %s%s%s%s%s", abi,
	    folders, logdir != -1 ? ", the log's folder write-only" : "",
	    net, also[0] != '\0' ? "; denied as well: " : "",
	    also[0] != '\0' ? also + 2 : "");
	return abi;
}

#if defined(__x86_64__)
#define SECCOMP_ARCH	AUDIT_ARCH_X86_64
#elif defined(__aarch64__)
#define SECCOMP_ARCH	AUDIT_ARCH_AARCH64
#elif defined(__i386__)
#define SECCOMP_ARCH	AUDIT_ARCH_I386
#elif defined(__riscv) && __riscv_xlen == 64
#define SECCOMP_ARCH	AUDIT_ARCH_RISCV64
#endif

#ifdef SECCOMP_ARCH
#if __BYTE_ORDER__ != __ORDER_LITTLE_ENDIAN__
#error "the seccomp filter reads the low half of 64-bit arguments"
#endif

/*
 * System call numbers newer than the build's headers.  From 424 on every
 * architecture above numbers them alike; older ones differ.
 */
#ifndef __NR_io_uring_setup
#define __NR_io_uring_setup	425
#endif
#ifndef __NR_io_uring_enter
#define __NR_io_uring_enter	426
#endif
#ifndef __NR_io_uring_register
#define __NR_io_uring_register	427
#endif
#ifndef __NR_open_tree
#define __NR_open_tree		428
#endif
#ifndef __NR_move_mount
#define __NR_move_mount		429
#endif
#ifndef __NR_fsopen
#define __NR_fsopen		430
#endif
#ifndef __NR_fsconfig
#define __NR_fsconfig		431
#endif
#ifndef __NR_fsmount
#define __NR_fsmount		432
#endif
#ifndef __NR_fspick
#define __NR_fspick		433
#endif
#ifndef __NR_clone3
#define __NR_clone3		435
#endif
#ifndef __NR_pidfd_getfd
#define __NR_pidfd_getfd	438
#endif
#ifndef __NR_process_madvise
#define __NR_process_madvise	440
#endif
#ifndef __NR_mount_setattr
#define __NR_mount_setattr	442
#endif
#ifndef __NR_quotactl_fd
#define __NR_quotactl_fd	443
#endif
#ifndef __NR_fchmodat2
#define __NR_fchmodat2		452
#endif
#ifndef __NR_open_tree_attr
#define __NR_open_tree_attr	467
#endif
#if defined(__x86_64__)
#ifndef __NR_kcmp
#define __NR_kcmp		312
#endif
#ifndef __NR_kexec_file_load
#define __NR_kexec_file_load	320
#endif
#ifndef __NR_quotactl
#define __NR_quotactl		179
#endif
#elif defined(__aarch64__) || defined(__riscv)
#ifndef __NR_kcmp
#define __NR_kcmp		272
#endif
#ifndef __NR_kexec_file_load
#define __NR_kexec_file_load	294
#endif
#ifndef __NR_quotactl
#define __NR_quotactl		60
#endif
#endif

/*
 * A deny list, with three calls filtered by their arguments, rather than
 * an allow list per thread kind.  An allow list would be stronger, but
 * what the C library, libevent, OpenSSL and the sanitizers call changes
 * between their versions and build options (clone3 or clone, openat2,
 * rseq, getrandom, statx, the sanitizers' own calls): an allow list
 * written against today's versions stops the server, with SIGSYS or
 * EPERM in a path no test reached, after the next upgrade of any of
 * them.  The deny list names what no part of a running server needs and
 * what widens the kernel's surface: running programs, reading or
 * comparing other processes, changing users, file owners and modes (but
 * fchmod of the permission bits),
 * mounts (old and new API), namespaces, io_uring (which bypasses this
 * filter), keys, modules, quotas, the clock and the kernel.
 */
static const int	 denied[] = {
	__NR_execve, __NR_execveat, __NR_ptrace,
	__NR_process_vm_readv, __NR_process_vm_writev, __NR_process_madvise,
	__NR_pidfd_getfd, __NR_kcmp,
	__NR_mount, __NR_umount2, __NR_pivot_root, __NR_chroot,
	__NR_fsopen, __NR_fsconfig, __NR_fsmount, __NR_fspick,
	__NR_move_mount, __NR_open_tree, __NR_open_tree_attr,
	__NR_mount_setattr,
	__NR_setns, __NR_unshare,
	__NR_setuid, __NR_setgid, __NR_setreuid, __NR_setregid,
	__NR_setresuid, __NR_setresgid, __NR_setgroups,
	__NR_setfsuid, __NR_setfsgid, __NR_capset,
#ifdef __NR_chmod
	__NR_chmod, __NR_chown, __NR_lchown,
#endif
	__NR_fchmodat, __NR_fchmodat2,
	__NR_fchown, __NR_fchownat,
	__NR_io_uring_setup, __NR_io_uring_enter, __NR_io_uring_register,
	__NR_bpf, __NR_perf_event_open, __NR_userfaultfd,
	__NR_keyctl, __NR_add_key, __NR_request_key,
	__NR_open_by_handle_at, __NR_name_to_handle_at,
	__NR_init_module, __NR_finit_module, __NR_delete_module,
	__NR_kexec_load,
#ifdef __NR_kexec_file_load
	__NR_kexec_file_load,
#endif
	__NR_quotactl, __NR_quotactl_fd,
	__NR_reboot, __NR_swapon, __NR_swapoff,
	__NR_acct, __NR_settimeofday, __NR_clock_settime,
	__NR_adjtimex, __NR_clock_adjtime, __NR_syslog, __NR_personality,
};

#define NDENIED		(sizeof(denied) / sizeof(denied[0]))
#define RET_EPERM	(SECCOMP_RET_ERRNO | (EPERM & SECCOMP_RET_DATA))
#define RET_ENOSYS	(SECCOMP_RET_ERRNO | (ENOSYS & SECCOMP_RET_DATA))
#define ARG(n)		offsetof(struct seccomp_data, args[n])	/* low half */
#define CLONE_NEW	(CLONE_NEWNS | CLONE_NEWCGROUP | CLONE_NEWUTS | \
			    CLONE_NEWIPC | CLONE_NEWUSER | CLONE_NEWPID | \
			    CLONE_NEWNET)
#define TIOCLINUX_	0x541C			/* <linux/tiocl.h> */
#define NFILTER		(6 + 2 * NDENIED + 2 + 5 + 7 + 6 + 5 + 1)
/* what fchmod may not set: set-id and sticky bits, writing by others */
#define FCHMOD_DENIED	(S_ISUID | S_ISGID | S_ISVTX | S_IWOTH)

#define STMT(c, k)	((struct sock_filter)BPF_STMT((c), (k)))
#define JUMP(c, k, t, f) ((struct sock_filter)BPF_JUMP((c), (k), (t), (f)))

/*
 * Install the filter on the calling thread (and the threads it makes
 * later); the calls in denied[] fail with EPERM, and:
 *  - clone3 fails with ENOSYS: its flags are in memory, which a filter
 *    cannot read, and the C library then falls back to clone;
 *  - clone with a CLONE_NEW* flag fails with EPERM (threads still start);
 *  - socket for a family other than AF_INET, AF_INET6 and AF_UNIX (the
 *    listeners, and syslog) fails with EPERM: no netlink, packet, ...;
 *  - ioctl TIOCSTI and TIOCLINUX (typing into a terminal) fail with EPERM;
 *  - fchmod fails with EPERM for a mode with a FCHMOD_DENIED bit: a Titan
 *    upload gives the file it writes the replaced one's mode (any file by
 *    its path, chmod and fchmodat, stays denied).
 * Returns 0, or -1 when the kernel has no seccomp filters.
 */
static int
seccomp(void)
{
	struct sock_filter	 filter[NFILTER], *f = filter;
	struct sock_fprog	 prog;
	size_t			 i;

	/* another architecture's system call numbers: kill */
	*f++ = STMT(BPF_LD | BPF_W | BPF_ABS,
	    offsetof(struct seccomp_data, arch));
	*f++ = JUMP(BPF_JMP | BPF_JEQ | BPF_K, SECCOMP_ARCH, 1, 0);
	*f++ = STMT(BPF_RET | BPF_K, SECCOMP_RET_KILL_PROCESS);
	*f++ = STMT(BPF_LD | BPF_W | BPF_ABS,
	    offsetof(struct seccomp_data, nr));
#ifdef __X32_SYSCALL_BIT
	/* x32 system calls on x86-64: none is expected */
	*f++ = JUMP(BPF_JMP | BPF_JGE | BPF_K, __X32_SYSCALL_BIT, 0, 1);
	*f++ = STMT(BPF_RET | BPF_K, RET_EPERM);
#endif
	for (i = 0; i < NDENIED; i++) {
		*f++ = JUMP(BPF_JMP | BPF_JEQ | BPF_K, (unsigned)denied[i],
		    0, 1);
		*f++ = STMT(BPF_RET | BPF_K, RET_EPERM);
	}
	*f++ = JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_clone3, 0, 1);
	*f++ = STMT(BPF_RET | BPF_K, RET_ENOSYS);

	*f++ = JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_clone, 0, 4);
	*f++ = STMT(BPF_LD | BPF_W | BPF_ABS, ARG(0));
	*f++ = JUMP(BPF_JMP | BPF_JSET | BPF_K, CLONE_NEW, 0, 1);
	*f++ = STMT(BPF_RET | BPF_K, RET_EPERM);
	*f++ = STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW);

	*f++ = JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_socket, 0, 6);
	*f++ = STMT(BPF_LD | BPF_W | BPF_ABS, ARG(0));
	*f++ = JUMP(BPF_JMP | BPF_JEQ | BPF_K, AF_INET, 3, 0);
	*f++ = JUMP(BPF_JMP | BPF_JEQ | BPF_K, AF_INET6, 2, 0);
	*f++ = JUMP(BPF_JMP | BPF_JEQ | BPF_K, AF_UNIX, 1, 0);
	*f++ = STMT(BPF_RET | BPF_K, RET_EPERM);
	*f++ = STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW);

	*f++ = JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_ioctl, 0, 5);
	*f++ = STMT(BPF_LD | BPF_W | BPF_ABS, ARG(1));
	*f++ = JUMP(BPF_JMP | BPF_JEQ | BPF_K, TIOCSTI, 2, 0);
	*f++ = JUMP(BPF_JMP | BPF_JEQ | BPF_K, TIOCLINUX_, 1, 0);
	*f++ = STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW);
	*f++ = STMT(BPF_RET | BPF_K, RET_EPERM);

	*f++ = JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_fchmod, 0, 4);
	*f++ = STMT(BPF_LD | BPF_W | BPF_ABS, ARG(1));
	*f++ = JUMP(BPF_JMP | BPF_JSET | BPF_K, FCHMOD_DENIED, 0, 1);
	*f++ = STMT(BPF_RET | BPF_K, RET_EPERM);
	*f++ = STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW);

	*f++ = STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW);
	prog.len = (unsigned short)(f - filter);
	prog.filter = filter;
	if (prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog) == -1)
		return -1;
	log_info("seccomp: %zu system calls denied; clone3 answered ENOSYS; "
	    "clone with namespace flags, socket families but IPv4, IPv6 and "
	    "Unix, ioctl TIOCSTI and TIOCLINUX, fchmod to set-id, sticky or "
	    "others' write denied", NDENIED);
	return 0;
}
#else
static int
seccomp(void)
{
	errno = ENOSYS;
	return -1;
}
#endif /* SECCOMP_ARCH */
#endif /* __linux__ */

/*
 * Leave the terminal before confining: stdin and stdout go to /dev/null
 * (stderr stays, it may be the log), and a session of its own, so that the
 * process has no controlling terminal to type into or be signalled by.
 * A process group leader cannot make a session: it gives up the
 * controlling terminal, if it has one, instead.
 */
static void
detach(void)
{
	int	 fd;

	if ((fd = open("/dev/null", O_RDWR)) == -1)
		fatal("/dev/null");
	if (dup2(fd, STDIN_FILENO) == -1 || dup2(fd, STDOUT_FILENO) == -1)
		fatal("/dev/null");
	if (fd > STDOUT_FILENO)
		close(fd);
	if (setsid() == -1 && (fd = open("/dev/tty", O_RDWR | O_NOCTTY |
	    O_CLOEXEC)) != -1) {
		(void)ioctl(fd, TIOCNOTTY);
		close(fd);
	}
}

/*
 * Split the resolved path of ROOT into the folder to chroot into (DIR)
 * and the capsule's path inside it (chroot_root).
 */
static void
split_root(const char *root, char dir[PATH_MAX])
{
	char	*slash;

	if (realpath(root, dir) == NULL)
		fatal("--root %s", root);
	slash = strrchr(dir, '/');
	if (snprintf(chroot_root, sizeof(chroot_root), "%s", slash) >=
	    (int)sizeof(chroot_root))
		fatalx("--root %s: too long", root);
	if (slash == dir)
		slash[1] = '\0';	/* a capsule just below "/" */
	else
		*slash = '\0';
}

/* Take PW's uid and gid and no other group, for good. */
static void
become(const struct passwd *pw, const char *user)
{
	if (setgroups(1, &pw->pw_gid) == -1 ||
	    setresgid(pw->pw_gid, pw->pw_gid, pw->pw_gid) == -1 ||
	    setresuid(pw->pw_uid, pw->pw_uid, pw->pw_uid) == -1)
		fatal("--user %s", user);
	if (pw->pw_uid != 0 && (setuid(0) == 0 || seteuid(0) == 0))
		fatalx("--user %s: could still become root", user);
}

/* The user database entry of USER, read while it can be. */
static struct passwd *
user_entry(const char *user)
{
	struct passwd	*pw;

	if (geteuid() != 0)
		fatalx("--user %s: only root can become another user", user);
	if ((pw = getpwnam(user)) == NULL)
		fatalx("--user %s: no such user", user);
	return pw;
}

void
sandbox_allow_write(const char *const *folders, size_t n)
{
	writable = folders;
	nwritable = n;
}

void
sandbox_allow_connect(const unsigned short *list, size_t n)
{
	ports = list;
	nports = n;
}

void
sandbox_confine(const char *user, const char *const *folders, size_t n,
    int logdir)
{
	struct passwd	*pw;

	pw = user_entry(user);
	detach();
	become(pw, user);
	log_info("running as %s (uid %u)", user, (unsigned)pw->pw_uid);
#ifdef __linux__
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) == -1)
		fatal("prctl(PR_SET_NO_NEW_PRIVS)");
	if (landlock(folders, n, logdir) == 0)
		fatalx("--user %s with --config: this kernel has no Landlock "
		    "(5.13 and later, enabled as an LSM), which is what keeps "
		    "the process from the rest of the file system without a "
		    "chroot; not starting unconfined (start zeche as the user "
		    "instead, e.g. with systemd's User=)", user);
	if (seccomp() == -1)
		fatal("--user %s: seccomp", user);
#else
	fatalx("--user %s with --config: no Landlock on this system; not "
	    "starting unconfined (start zeche as the user instead)", user);
#endif
}

const char *
sandbox_enter(const char *root, const char *user, int logdir)
{
	struct passwd	*pw;
	char		 dir[PATH_MAX];
	const char	*path = chroot_root;

	if (user == NULL)
		return root;
	/* the user database is not there once the chroot is */
	pw = user_entry(user);
	split_root(root, dir);
	detach();
	if (chroot(dir) == -1 || chdir("/") == -1)
		fatal("chroot %s", dir);
	become(pw, user);
	log_info("running as %s (uid %u) in the chroot %s; the capsule is %s "
	    "there", user, (unsigned)pw->pw_uid, dir, chroot_root);
#ifdef __linux__
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) == -1)
		fatal("prctl(PR_SET_NO_NEW_PRIVS)");
	if (landlock(&path, 1, logdir) == 0)
		log_warnx("landlock: not available; reads are not confined "
		    "beyond the chroot");
	if (seccomp() == -1)
		log_warn("seccomp: not available");
#else
	(void)path;
#endif
	return chroot_root;
}
