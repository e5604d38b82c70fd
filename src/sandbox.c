#include <sys/types.h>
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
#include <sys/syscall.h>

#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/landlock.h>
#include <linux/seccomp.h>
#endif

#include "log.h"
#include "sandbox.h"

static char	 chroot_root[PATH_MAX];	/* the capsule inside the chroot */

#ifdef __linux__

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
 * Landlock: read-only beneath the capsule folder PATH, writing and making
 * files beneath the log's folder LOGDIR (unless -1), nothing else of the
 * file system, and no TCP bind or connect.  The access rights handled are
 * all those the running kernel knows, so that every one of them not
 * granted below is denied.
 */
static void
landlock(const char *path, int logdir)
{
	struct landlock_ruleset_attr	 attr;
	long				 abi;
	int				 rfd, fd;

	abi = syscall(SYS_landlock_create_ruleset, NULL, 0,
	    LANDLOCK_CREATE_RULESET_VERSION);
	if (abi < 1) {
		log_warn("landlock: not available; reads are not confined "
		    "beyond the chroot");
		return;
	}
	memset(&attr, 0, sizeof(attr));
	attr.handled_access_fs = (LANDLOCK_ACCESS_FS_MAKE_SYM << 1) - 1;
#ifdef LANDLOCK_ACCESS_FS_REFER
	if (abi >= 2)
		attr.handled_access_fs |= LANDLOCK_ACCESS_FS_REFER;
#endif
#ifdef LANDLOCK_ACCESS_FS_TRUNCATE
	if (abi >= 3)
		attr.handled_access_fs |= LANDLOCK_ACCESS_FS_TRUNCATE;
#endif
#ifdef LANDLOCK_ACCESS_FS_IOCTL_DEV
	if (abi >= 5)
		attr.handled_access_fs |= LANDLOCK_ACCESS_FS_IOCTL_DEV;
#endif
#ifdef LANDLOCK_ACCESS_NET_BIND_TCP
	if (abi >= 4)
		attr.handled_access_net = LANDLOCK_ACCESS_NET_BIND_TCP |
		    LANDLOCK_ACCESS_NET_CONNECT_TCP;
#endif
	if ((rfd = (int)syscall(SYS_landlock_create_ruleset, &attr,
	    sizeof(attr), 0)) == -1)
		fatal("landlock: create ruleset");
	if ((fd = open(path, O_PATH | O_DIRECTORY | O_CLOEXEC)) == -1)
		fatal("landlock: %s", path);
	landlock_allow(rfd, fd, LANDLOCK_ACCESS_FS_READ_FILE |
	    LANDLOCK_ACCESS_FS_READ_DIR, path);
	close(fd);
	if (logdir != -1)
		landlock_allow(rfd, logdir, LANDLOCK_ACCESS_FS_WRITE_FILE |
		    LANDLOCK_ACCESS_FS_MAKE_REG, "the log's folder");
	if (syscall(SYS_landlock_restrict_self, rfd, 0) == -1)
		fatal("landlock: restrict");
	close(rfd);
	log_info("landlock (ABI %ld): read-only beneath %s%s, no TCP bind or "
	    "connect%s", abi, path, logdir != -1 ? ", the log's folder "
	    "write-only" : "", abi >= 4 ? "" : " (not on this kernel)");
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
/*
 * A short deny list rather than an allow list: libevent, OpenSSL, the C
 * library and the sanitizers make system calls that differ between
 * versions, so an allow list would break on the next upgrade.  What is
 * denied is what no part of a running server needs: running programs,
 * reading other processes, changing users, mounts, namespaces, the clock
 * or the kernel.
 */
static const int	 denied[] = {
	__NR_execve, __NR_execveat, __NR_ptrace,
	__NR_process_vm_readv, __NR_process_vm_writev,
	__NR_mount, __NR_umount2, __NR_pivot_root, __NR_chroot,
	__NR_setns, __NR_unshare,
	__NR_setuid, __NR_setgid, __NR_setreuid, __NR_setregid,
	__NR_setresuid, __NR_setresgid, __NR_setgroups,
	__NR_setfsuid, __NR_setfsgid, __NR_capset,
	__NR_bpf, __NR_perf_event_open, __NR_userfaultfd,
	__NR_keyctl, __NR_add_key, __NR_request_key,
	__NR_open_by_handle_at, __NR_name_to_handle_at,
	__NR_init_module, __NR_finit_module, __NR_delete_module,
	__NR_kexec_load, __NR_reboot, __NR_swapon, __NR_swapoff,
	__NR_acct, __NR_settimeofday, __NR_clock_settime,
	__NR_adjtimex, __NR_clock_adjtime, __NR_syslog, __NR_personality,
};

#define NDENIED		(sizeof(denied) / sizeof(denied[0]))
#define RET_EPERM	(SECCOMP_RET_ERRNO | (EPERM & SECCOMP_RET_DATA))

static void
seccomp(void)
{
	struct sock_filter	 filter[7 + 2 * NDENIED], *f = filter;
	struct sock_fprog	 prog;
	size_t			 i;

	/* another architecture's system call numbers: kill */
	*f++ = (struct sock_filter)BPF_STMT(BPF_LD | BPF_W | BPF_ABS,
	    offsetof(struct seccomp_data, arch));
	*f++ = (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K,
	    SECCOMP_ARCH, 1, 0);
	*f++ = (struct sock_filter)BPF_STMT(BPF_RET | BPF_K,
	    SECCOMP_RET_KILL_PROCESS);
	*f++ = (struct sock_filter)BPF_STMT(BPF_LD | BPF_W | BPF_ABS,
	    offsetof(struct seccomp_data, nr));
#ifdef __X32_SYSCALL_BIT
	/* x32 system calls on x86-64: none is expected */
	*f++ = (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JGE | BPF_K,
	    __X32_SYSCALL_BIT, 0, 1);
	*f++ = (struct sock_filter)BPF_STMT(BPF_RET | BPF_K, RET_EPERM);
#endif
	for (i = 0; i < NDENIED; i++) {
		*f++ = (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K,
		    (unsigned)denied[i], 0, 1);
		*f++ = (struct sock_filter)BPF_STMT(BPF_RET | BPF_K,
		    RET_EPERM);
	}
	*f++ = (struct sock_filter)BPF_STMT(BPF_RET | BPF_K,
	    SECCOMP_RET_ALLOW);
	prog.len = (unsigned short)(f - filter);
	prog.filter = filter;
	if (prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog) == -1) {
		log_warn("seccomp: not available");
		return;
	}
	log_info("seccomp: %zu system calls denied", NDENIED);
}
#else
static void
seccomp(void)
{
	log_warnx("seccomp: no filter for this architecture");
}
#endif /* SECCOMP_ARCH */
#endif /* __linux__ */

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

void
sandbox_become(const char *user)
{
	struct passwd	*pw;

	if ((pw = getpwnam(user)) == NULL)
		fatalx("--user %s: no such user", user);
	become(pw, user);
	log_info("running as %s (uid %u)", user, (unsigned)pw->pw_uid);
}

const char *
sandbox_enter(const char *root, const char *user, int logdir)
{
	struct passwd	*pw;
	char		 dir[PATH_MAX];

	if (user == NULL)
		return root;
	if (geteuid() != 0)
		fatalx("--user %s: only root can become another user", user);
	/* the user database is not there once the chroot is */
	if ((pw = getpwnam(user)) == NULL)
		fatalx("--user %s: no such user", user);
	split_root(root, dir);
	if (chroot(dir) == -1 || chdir("/") == -1)
		fatal("chroot %s", dir);
	become(pw, user);
	log_info("running as %s (uid %u) in the chroot %s; the capsule is %s "
	    "there", user, (unsigned)pw->pw_uid, dir, chroot_root);
#ifdef __linux__
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) == -1)
		fatal("prctl(PR_SET_NO_NEW_PRIVS)");
	landlock(chroot_root, logdir);
	seccomp();
#endif
	return chroot_root;
}
