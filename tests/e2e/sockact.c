/*
 * sockact: the end-to-end tests' socket activation launcher, which holds
 * the listening sockets as systemd does for a .socket unit, and starts
 * the service again whenever it ends, so that a restart drops nothing
 * queued (systemd-socket-activate execs the service once and is gone).
 *
 * usage: sockact PIDFILE [-l ADDR:PORT | -u PATH] [-n NAME] ... -- CMD ...
 *
 * Each -l (IPv4) or -u (Unix stream socket) listens; -n names the socket
 * before it (FileDescriptorName=).  CMD runs with the sockets as
 * descriptors 3, 4, ... and LISTEN_FDS, LISTEN_PID and LISTEN_FDNAMES set;
 * its pid is written to PIDFILE each time it starts.  When CMD ends it is
 * started again; SIGTERM to sockact ends CMD and then sockact.
 */
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>

#include <netinet/in.h>
#include <arpa/inet.h>

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define MAXFDS	16
#define HIGHFD	100		/* held here, then moved to 3... */

static volatile sig_atomic_t	 stop;
static volatile pid_t		 child;

static void
on_term(int sig)
{
	stop = 1;
	if (child > 0)
		kill(child, SIGTERM);
}

static int
listen_inet(const char *spec)
{
	struct sockaddr_in	 sin;
	char			 addr[64], *colon;
	int			 fd, on = 1;

	snprintf(addr, sizeof(addr), "%s", spec);
	if ((colon = strrchr(addr, ':')) == NULL)
		return -1;
	*colon = '\0';
	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_port = htons((unsigned short)atoi(colon + 1));
	if (inet_pton(AF_INET, addr, &sin.sin_addr) != 1 ||
	    (fd = socket(AF_INET, SOCK_STREAM, 0)) == -1)
		return -1;
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof(on));
	if (bind(fd, (struct sockaddr *)&sin, sizeof(sin)) == -1 ||
	    listen(fd, SOMAXCONN) == -1)
		return -1;
	return fd;
}

static int
listen_unix(const char *path)
{
	struct sockaddr_un	 sun;
	int			 fd;

	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	if (strlen(path) >= sizeof(sun.sun_path) ||
	    (fd = socket(AF_UNIX, SOCK_STREAM, 0)) == -1)
		return -1;
	memcpy(sun.sun_path, path, strlen(path));
	unlink(path);
	if (bind(fd, (struct sockaddr *)&sun, sizeof(sun)) == -1 ||
	    listen(fd, SOMAXCONN) == -1)
		return -1;
	return fd;
}

int
main(int argc, char **argv)
{
	const char	*names[MAXFDS];
	char		 buf[64], fdnames[1024] = "";
	FILE		*f;
	int		 fds[MAXFDS], n = 0, i, cmd, status;
	pid_t		 pid;

	if (argc < 4)
		goto usage;
	for (i = 2; i < argc && strcmp(argv[i], "--") != 0; i++) {
		if (strcmp(argv[i], "-n") == 0 && n > 0 && i + 1 < argc) {
			names[n - 1] = argv[++i];
			continue;
		}
		if (n == MAXFDS || i + 1 >= argc ||
		    (strcmp(argv[i], "-l") != 0 && strcmp(argv[i], "-u") != 0))
			goto usage;
		fds[n] = argv[i][1] == 'l' ? listen_inet(argv[i + 1]) :
		    listen_unix(argv[i + 1]);
		if (fds[n] == -1) {
			perror(argv[i + 1]);
			return 1;
		}
		/* out of the way of 3...: the child moves them there */
		if ((fds[n] = fcntl(fds[n], F_DUPFD, HIGHFD)) == -1) {
			perror("fcntl");
			return 1;
		}
		names[n++] = "unknown";
		i++;
	}
	if (i >= argc - 1 || n == 0)
		goto usage;
	cmd = i + 1;
	for (i = 0; i < n; i++)
		snprintf(fdnames + strlen(fdnames), sizeof(fdnames) -
		    strlen(fdnames), "%s%s", i > 0 ? ":" : "", names[i]);
	signal(SIGTERM, on_term);
	signal(SIGINT, on_term);
	while (!stop) {
		if ((pid = fork()) == -1) {
			perror("fork");
			return 1;
		}
		if (pid == 0) {
			signal(SIGTERM, SIG_DFL);
			signal(SIGINT, SIG_DFL);
			for (i = 0; i < n; i++)
				if (dup2(fds[i], 3 + i) == -1)
					_exit(127);
			for (i = 0; i < n; i++)
				close(fds[i]);
			snprintf(buf, sizeof(buf), "%d", n);
			setenv("LISTEN_FDS", buf, 1);
			snprintf(buf, sizeof(buf), "%d", (int)getpid());
			setenv("LISTEN_PID", buf, 1);
			setenv("LISTEN_FDNAMES", fdnames, 1);
			execvp(argv[cmd], argv + cmd);
			_exit(127);
		}
		child = pid;
		if ((f = fopen(argv[1], "w")) != NULL) {
			fprintf(f, "%d\n", (int)pid);
			fclose(f);
		}
		while (waitpid(pid, &status, 0) == -1 && errno == EINTR)
			;
		child = 0;
		if (WIFEXITED(status) && WEXITSTATUS(status) == 127)
			return 1;	/* no command to run */
	}
	return 0;
 usage:
	fprintf(stderr, "usage: sockact PIDFILE [-l ADDR:PORT | -u PATH] "
	    "[-n NAME] ... -- CMD ...\n");
	return 2;
}
