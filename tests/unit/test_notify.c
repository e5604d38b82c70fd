/*
 * test_notify: the systemd notification messages and the NOTIFY_SOCKET
 * address (src/notify.c, its pure part).
 */
#include <sys/socket.h>
#include <sys/un.h>

#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "check.h"
#include "notify.h"

int
main(void)
{
	struct sockaddr_un	 sun;
	socklen_t		 len;
	const char		*errstr;
	char			 buf[NOTIFY_MSG_MAX], small[24], longpath[200];
	size_t			 n;

	/* a path: NUL-terminated; an abstract name: "@" becomes NUL */
	CHECK(notify_addr("/run/systemd/notify", &sun, &len, &errstr) == 0);
	CHECK_STR(sun.sun_path, "/run/systemd/notify");
	CHECK(len == offsetof(struct sockaddr_un, sun_path) + 20);
	CHECK(notify_addr("@sd-notify", &sun, &len, &errstr) == 0);
	CHECK(sun.sun_path[0] == '\0' &&
	    memcmp(sun.sun_path + 1, "sd-notify", 9) == 0);
	CHECK(len == offsetof(struct sockaddr_un, sun_path) + 10);
	CHECK(notify_addr("relative/path", &sun, &len, &errstr) == -1);
	CHECK_STR(errstr, "neither an absolute path nor an abstract name (@)");
	CHECK(notify_addr("@", &sun, &len, &errstr) == -1);
	CHECK_STR(errstr, "empty");
	memset(longpath, 'a', sizeof(longpath) - 1);
	longpath[0] = '/';
	longpath[sizeof(longpath) - 1] = '\0';
	CHECK(notify_addr(longpath, &sun, &len, &errstr) == -1);
	CHECK_STR(errstr, "too long");

	/* state, MAINPID and STATUS, each on a line of its own */
	n = notify_format(buf, sizeof(buf), "READY=1", 42, "serving 2 hosts");
	CHECK_STR(buf, "READY=1\nMAINPID=42\nSTATUS=serving 2 hosts\n");
	CHECK(n == strlen(buf));
	notify_format(buf, sizeof(buf), "RELOADING=1\nMONOTONIC_USEC=5", 0,
	    NULL);
	CHECK_STR(buf, "RELOADING=1\nMONOTONIC_USEC=5\n");
	notify_format(buf, sizeof(buf), NULL, 0, "x");
	CHECK_STR(buf, "STATUS=x\n");

	/* the status stays one line: breaks become "; ", controls spaces */
	notify_format(buf, sizeof(buf), "READY=1", 0,
	    "reload failed: a.gmi:2: bad\nb.gmi:3:\tworse\n");
	CHECK_STR(buf, "READY=1\nSTATUS=reload failed: a.gmi:2: bad; "
	    "b.gmi:3: worse\n");

	/* cut to what fits, still ending in a line break */
	n = notify_format(small, sizeof(small), "READY=1", 0,
	    "a long status line that does not fit");
	CHECK_STR(small, "READY=1\nSTATUS=a long \n");
	CHECK(n == strlen(small) && n < sizeof(small));
	n = notify_format(small, 12, "READY=1", 123456, "x");
	CHECK_STR(small, "READY=1\n");
	n = notify_format(small, 4, "READY=1", 0, "x");
	CHECK_STR(small, "");
	CHECK(n == 0);
	CHECK_DONE();
}
