/*
 * test_log_event: libevent's own warnings go through zeche's log once
 * log_init() has run: with the time stamp and "zeche: ", control bytes
 * escaped, one line each, and no more than LOG_LIBEVENT_BURST a second,
 * the next line saying how many were left out.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <event2/event.h>

#include "check.h"
#include "log.h"

/* libevent's own (exported) logging functions, as it calls them */
void	event_warnx(const char *, ...);

static char	 path[] = "/tmp/zeche-test-log-event.XXXXXX";
static char	 got[1 << 20];

/* The file stderr went to, into got. */
static void
read_back(void)
{
	FILE	*fp;
	size_t	 n;

	if ((fp = fopen(path, "r")) == NULL)
		abort();
	n = fread(got, 1, sizeof(got) - 1, fp);
	got[n] = '\0';
	fclose(fp);
}

static size_t
count(const char *needle)
{
	const char	*p = got;
	size_t		 n = 0;

	while ((p = strstr(p, needle)) != NULL) {
		n++;
		p += strlen(needle);
	}
	return n;
}

int
main(void)
{
	struct timespec	 ms = { 0, 50 * 1000 * 1000 };
	struct event	*ev;
	size_t		 flood;
	int		 fd, saved, i;

	if ((fd = mkstemp(path)) == -1 || (saved = dup(STDERR_FILENO)) == -1 ||
	    dup2(fd, STDERR_FILENO) == -1)
		abort();

	log_init(false);
	/* a real warning: an event added without a loop */
	if ((ev = calloc(1, event_get_struct_event_size())) == NULL)
		abort();
	(void)event_add(ev, NULL);
	free(ev);
	/* bytes that would act on a terminal or split the line */
	event_warnx("evil \x1b[2J\nnext line\r\x7f end");
	/* a flood: the rest of this second's lines, then nothing */
	for (i = 0; i < 1000; i++)
		event_warnx("flood %d", i);
	/* a later second: a line again, saying what was left out */
	for (i = 0; i < 100; i++) {
		nanosleep(&ms, NULL);
		event_warnx("after the flood");
		read_back();
		if (strstr(got, "after the flood") != NULL)
			break;
	}

	fflush(stderr);
	dup2(saved, STDERR_FILENO);
	read_back();
	unlink(path);

	CHECK(strstr(got, "zeche: libevent: event_add: event has no "
	    "event_base set.\n") != NULL);
	CHECK(strstr(got, "zeche: libevent: evil \\x1b[2J\\x0anext "
	    "line\\x0d\\x7f end\n") != NULL);
	CHECK(strchr(got, '\x1b') == NULL && strchr(got, '\r') == NULL);
	CHECK(count("\n") == count(" zeche: "));	/* one line each */
	/* the rate bound, whichever second the flood began in */
	flood = count("zeche: libevent: flood ");
	CHECK(flood >= 1 && flood <= 2 * LOG_LIBEVENT_BURST);
	CHECK(strstr(got, "message") != NULL &&
	    strstr(got, "s not logged (too many)\n") != NULL);
	CHECK(strstr(got, "zeche: libevent: after the flood\n") != NULL);
	if (check_failed)
		fprintf(stderr, "%s", got);
	CHECK_DONE();
}
