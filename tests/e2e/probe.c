/*
 * probe: a preloaded library (LD_PRELOAD=libzeche_probe.so) that lets a
 * test see the sandbox from inside.  On SIGUSR2 the process tries what a
 * confined zeche must not do and writes, for each try, one line to stderr:
 *
 *	zeche-probe: NAME: ok		it worked
 *	zeche-probe: NAME: EACCES	it failed, with that errno
 *
 * then "zeche-probe: done".  The handler runs on the thread the signal
 * reaches, the main thread (zeche's other threads block every signal),
 * which is confined like the others.  zeche itself holds no test hook:
 * what is probed is the very binary that is installed.  Set in the
 * environment (read at load, before any chroot):
 *
 *   ZECHE_PROBE_FILE=P    truncate() P to its size and chmod() it to its
 *                         mode (a capsule file the user owns)
 *   ZECHE_PROBE_READ=P    open() P for reading (outside what is allowed)
 *   ZECHE_PROBE_READ_OK=P open() P for reading (inside: it must work)
 *   ZECHE_PROBE_PID=N     kill(N, 0): a process of the same user outside
 *
 * It also tries system calls the seccomp filter denies (io_uring_setup,
 * pidfd_getfd, kcmp, process_madvise, open_tree, fsopen, unshare and
 * clone with CLONE_NEWUSER, clone3, a netlink socket, ioctl TIOCSTI on
 * stderr), a TCP bind, and a TCP connect() to 127.0.0.1 on the port of
 * zeche's first IPv4 listener (one that would answer).  "landlock-abi: N" is the kernel's Landlock
 * ABI, asked for at load.
 */
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <sys/wait.h>

#include <netinet/in.h>

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <linux/io_uring.h>
#include <linux/kcmp.h>
#include <linux/landlock.h>
#include <linux/netlink.h>
#include <linux/sched.h>

#define PROBE_PATH_MAX	4096

static char	 file[PROBE_PATH_MAX], readp[PROBE_PATH_MAX];
static char	 readok[PROBE_PATH_MAX];
static int	 pid;
static long	 abi;

static void
say(const char *name, const char *what)
{
	char	 line[256];
	size_t	 n, len;

	len = strlen("zeche-probe: ");
	memcpy(line, "zeche-probe: ", len);
	n = len;
	len = strlen(name);
	memcpy(line + n, name, len);
	n += len;
	memcpy(line + n, ": ", 2);
	n += 2;
	len = strlen(what);
	memcpy(line + n, what, len);
	n += len;
	line[n++] = '\n';
	(void)!write(STDERR_FILENO, line, n);
}

/* Report the result RC of NAME, errno as it was. */
static void
result(const char *name, long rc)
{
	const char	*e;
	int		 saved = errno;

	if (rc != -1) {
		say(name, "ok");
		return;
	}
	if ((e = strerrorname_np(saved)) == NULL)
		e = "unknown errno";
	say(name, e);
}

/* The port of the process's first IPv4 listening socket, or 0. */
static int
listening_port(void)
{
	struct sockaddr_in	 sin;
	socklen_t		 len;
	int			 fd, on;

	for (fd = 0; fd < 1024; fd++) {
		len = sizeof(on);
		if (getsockopt(fd, SOL_SOCKET, SO_ACCEPTCONN, &on, &len) == -1 ||
		    !on)
			continue;
		len = sizeof(sin);
		if (getsockname(fd, (struct sockaddr *)&sin, &len) == 0 &&
		    sin.sin_family == AF_INET)
			return ntohs(sin.sin_port);
	}
	return 0;
}

/* Should a clone have made a child, it leaves at once. */
static void
reap(long rc)
{
	int	 status;

	if (rc == 0)
		_exit(0);
	if (rc > 0)
		(void)waitpid((pid_t)rc, &status, __WALL);
}

static void
probe(int sig)
{
	struct sockaddr_in	 sin;
	struct io_uring_params	 up;
	struct clone_args	 ca;
	struct stat		 st;
	char			 digits[24], c = 'x';
	long			 rc;
	int			 saved = errno, fd, i, port;

	i = (int)sizeof(digits) - 1;
	digits[i] = '\0';
	rc = abi;
	do {
		digits[--i] = (char)('0' + rc % 10);
		rc /= 10;
	} while (rc > 0 && i > 0);
	say("landlock-abi", digits + i);

	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if ((port = listening_port()) > 0) {
		sin.sin_port = htons((uint16_t)port);
		fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
		result("connect", fd == -1 ? -1 :
		    connect(fd, (struct sockaddr *)&sin, sizeof(sin)));
		if (fd != -1)
			close(fd);
	}
	sin.sin_port = 0;
	fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	result("bind", fd == -1 ? -1 :
	    bind(fd, (struct sockaddr *)&sin, sizeof(sin)));
	if (fd != -1)
		close(fd);

	if (file[0] != '\0' && stat(file, &st) == 0) {
		result("truncate", truncate(file, st.st_size));
		result("chmod", chmod(file, st.st_mode & 07777));
	}
	if (readp[0] != '\0') {
		result("read-outside", fd = open(readp, O_RDONLY | O_CLOEXEC));
		if (fd != -1)
			close(fd);
	}
	if (readok[0] != '\0') {
		result("read-inside", fd = open(readok, O_RDONLY | O_CLOEXEC));
		if (fd != -1)
			close(fd);
	}
	if (pid > 0)
		result("signal", kill(pid, 0));

	memset(&up, 0, sizeof(up));
	result("io_uring_setup", fd = (int)syscall(SYS_io_uring_setup, 1, &up));
	if (fd != -1)
		close(fd);
	result("pidfd_getfd", syscall(SYS_pidfd_getfd, -1, 0, 0));
	result("kcmp", syscall(SYS_kcmp, getpid(), getpid(), KCMP_VM, 0, 0));
	result("process_madvise", syscall(SYS_process_madvise, -1, NULL, 0, 0,
	    0));
	result("open_tree", fd = (int)syscall(SYS_open_tree, AT_FDCWD, ".",
	    0));
	if (fd != -1)
		close(fd);
	result("fsopen", fd = (int)syscall(SYS_fsopen, "tmpfs", 0));
	if (fd != -1)
		close(fd);
	result("unshare-newuser", unshare(CLONE_NEWUSER));
	rc = syscall(SYS_clone, CLONE_NEWUSER | SIGCHLD, NULL, NULL, NULL,
	    NULL);
	reap(rc);
	result("clone-newuser", rc);
	memset(&ca, 0, sizeof(ca));
	ca.exit_signal = SIGCHLD;
	rc = syscall(SYS_clone3, &ca, sizeof(ca));
	reap(rc);
	result("clone3", rc);
	result("socket-netlink", fd = socket(AF_NETLINK, SOCK_RAW |
	    SOCK_CLOEXEC, NETLINK_ROUTE));
	if (fd != -1)
		close(fd);
	result("ioctl-tiocsti", ioctl(STDERR_FILENO, TIOCSTI, &c));
	say("done", "");
	errno = saved;
}

static void
copy_env(char *dst, size_t size, const char *name)
{
	const char	*v = getenv(name);

	if (v != NULL && strlen(v) < size)
		memcpy(dst, v, strlen(v) + 1);
}

__attribute__((constructor)) static void
probe_init(void)
{
	struct sigaction	 sa;
	const char		*v;

	copy_env(file, sizeof(file), "ZECHE_PROBE_FILE");
	copy_env(readp, sizeof(readp), "ZECHE_PROBE_READ");
	copy_env(readok, sizeof(readok), "ZECHE_PROBE_READ_OK");
	if ((v = getenv("ZECHE_PROBE_PID")) != NULL)
		pid = atoi(v);
	abi = syscall(SYS_landlock_create_ruleset, NULL, 0,
	    LANDLOCK_CREATE_RULESET_VERSION);
	if (abi < 0)
		abi = 0;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = probe;
	sa.sa_flags = SA_RESTART;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGUSR2, &sa, NULL);
}
