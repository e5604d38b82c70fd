/*
 * The log's writer thread: with stderr on a pipe nobody reads, logging
 * goes on without blocking; what does not fit is dropped and counted,
 * the rest comes out in order once the pipe is read; log_open() switches
 * files where the queue stood; log_stop() writes what is left; fatalx()
 * writes its line after what is queued.
 */
#include <sys/wait.h>

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "check.h"
#include "log.h"

#define NLINES	40000		/* ~100 bytes each: beyond queue and pipe */

static char	*got;
static size_t	 gotlen, gotsize;

/* Read what the pipe FD holds into got, waiting up to MS for some. */
static int
drain(int fd, int ms)
{
	struct pollfd	 pfd = { .fd = fd, .events = POLLIN };
	ssize_t		 n;
	int		 total = 0;

	while (poll(&pfd, 1, ms) == 1) {
		if (gotsize - gotlen < 65536) {
			gotsize = gotsize * 2 + 65536;
			if ((got = realloc(got, gotsize + 1)) == NULL)
				abort();
		}
		if ((n = read(fd, got + gotlen, gotsize - gotlen)) <= 0)
			break;
		gotlen += (size_t)n;
		got[gotlen] = '\0';
		total += (int)n;
		ms = 0;
	}
	return total;
}

/* Put the file PATH into got in place of what it held (gotsize at most). */
static void
read_file(const char *path)
{
	FILE	*fp;
	size_t	 n;

	if ((fp = fopen(path, "r")) == NULL)
		abort();
	n = fread(got, 1, gotsize, fp);
	got[n] = '\0';
	fclose(fp);
}

/* Read until got holds TEXT (10 s at most). */
static int
drain_until(int fd, const char *text)
{
	int	 i;

	for (i = 0; i < 100; i++) {
		if (got != NULL && strstr(got, text) != NULL)
			return 0;
		drain(fd, 100);
	}
	return got != NULL && strstr(got, text) != NULL ? 0 : -1;
}

int
main(void)
{
	char		 path[] = "/tmp/zeche-test-log.XXXXXX", file[256], *p;
	const char	*errstr;
	unsigned long	 dropped = 0, seen = 0, last = 0, v, marks, marked = 0;
	bool		 ordered = true;
	struct timespec	 ms = { 0, 1000 * 1000 };
	ssize_t		 rn;
	pid_t		 pid;
	int		 saved, pfd[2], tfd, i, status;

	alarm(60);		/* a writer that blocks the caller: fail */
	if ((saved = dup(STDERR_FILENO)) == -1 || pipe(pfd) == -1 ||
	    fcntl(pfd[0], F_SETFL, O_NONBLOCK) == -1 ||
	    dup2(pfd[1], STDERR_FILENO) == -1)
		abort();
	close(pfd[1]);

	CHECK(log_start() == 0);
	/* nobody reads: a synchronous write would block here for good */
	for (i = 1; i <= NLINES; i++)
		log_info("line %d of the test, padded to about a hundred "
		    "bytes with some words", i);
	/* read, and log a mark until one comes through the emptied queue */
	CHECK(drain_until(pfd[0], "dropped") == 0);
	for (marks = 0; marks < 100; marks++) {
		if (strstr(got, "zeche: mark\n") != NULL)
			break;
		log_info("mark");
		drain(pfd[0], 100);
	}
	CHECK(drain_until(pfd[0], "zeche: mark\n") == 0);

	/* every line came out once, in order, or was counted as dropped */
	for (p = got; p != NULL && (p = strstr(p, "zeche: ")) != NULL; p++) {
		if (sscanf(p, "zeche: line %lu of", &v) == 1) {
			if (v <= last)
				ordered = false;
			last = v;
			seen++;
		} else if (sscanf(p, "zeche: log: %lu line", &v) == 1)
			dropped += v;
		else if (strncmp(p, "zeche: mark\n", 12) == 0)
			marked++;
	}
	CHECK(ordered);
	CHECK(dropped > 0);
	CHECK(seen > 0);
	CHECK(marked >= 1);
	CHECK(seen + dropped + marked == NLINES + marks);
	CHECK(strstr(got, "lines dropped, the log was written too slowly\n") !=
	    NULL);

	/* log_open(): what was queued before stays with the pipe */
	if ((tfd = mkstemp(path)) == -1)
		abort();
	close(tfd);
	snprintf(file, sizeof(file), "%s", path);
	gotlen = 0;
	got[0] = '\0';
	log_info("before the reopen");
	CHECK(log_open(file, &errstr) == 0);
	log_info("after the reopen");
	log_stop();			/* writes the rest */
	drain(pfd[0], 100);
	CHECK(strstr(got, "before the reopen") != NULL);
	CHECK(strstr(got, "after the reopen") == NULL);
	read_file(file);
	CHECK(strstr(got, "after the reopen") != NULL);
	CHECK(strstr(got, "before the reopen") == NULL);

	/* stopped: lines are written at once again */
	log_info("synchronous again");
	read_file(file);
	CHECK(strstr(got, "synchronous again") != NULL);

	dup2(saved, STDERR_FILENO);
	close(saved);
	close(pfd[0]);
	unlink(file);

	/*
	 * fatalx() with 200 KB queued, more than the pipe holds, read slowly
	 * (4 KiB a millisecond): they all come out, then its own line
	 */
	if (pipe(pfd) == -1 || (pid = fork()) == -1)
		abort();
	if (pid == 0) {
		dup2(pfd[1], STDERR_FILENO);
		if (log_start() == -1)
			_exit(2);
		for (i = 0; i < 4000; i++)
			log_info("queued %d, padded with a few words", i);
		fatalx("the end");
	}
	close(pfd[1]);
	gotlen = 0;
	while ((rn = read(pfd[0], got + gotlen, 4096)) > 0) {
		gotlen += (size_t)rn;
		if (gotsize - gotlen < 4096) {
			gotsize *= 2;
			if ((got = realloc(got, gotsize + 1)) == NULL)
				abort();
		}
		nanosleep(&ms, NULL);
	}
	got[gotlen] = '\0';
	close(pfd[0]);
	CHECK(waitpid(pid, &status, 0) == pid);
	CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 1);
	p = strstr(got, "zeche: queued 3999,");
	CHECK(strstr(got, "zeche: queued 0,") != NULL);
	CHECK(p != NULL);
	CHECK(p != NULL && strstr(p, "zeche: fatal: the end\n") != NULL);
	free(got);
	CHECK_DONE();
}
