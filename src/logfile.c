/*
 * logfile: which file the log goes to, and where it may lie: outside
 * every capsule, inside the chroot, opened anew on a reload or SIGUSR1.
 * Writing the lines is log.c's; the server and the loop are main's.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config.h"
#include "log.h"
#include "logfile.h"
#include "rootfs.h"

static char		 logpath[PATH_MAX];	/* the log file open, or "" */
/*
 * The name the log is opened by on SIGUSR1: its path, or in the chroot
 * its path there.
 */
static char		 logname[PATH_MAX];

/* The folder of the file PATH into DIR; -1 if it does not fit. */
int
logfile_folder(const char *path, char *dir, size_t size)
{
	const char	*slash = strrchr(path, '/');

	if (slash == NULL)
		return snprintf(dir, size, ".") >= (int)size ? -1 : 0;
	if (slash == path)
		return snprintf(dir, size, "/") >= (int)size ? -1 : 0;
	if ((size_t)(slash - path) >= size)
		return -1;
	snprintf(dir, size, "%.*s", (int)(slash - path), path);
	return 0;
}

/*
 * The log LOG (or none) must not lie in a capsule of CONF, where the next
 * load would serve it, client addresses and all.  -1 with a message in
 * ERR if it does.  What cannot be resolved is left to the log's own open
 * and to the capsule's load, which say what is wrong with it.
 */
int
logfile_outside_capsules(const struct conf *conf, const char *log, char *err,
    size_t errlen)
{
	char	 dir[PATH_MAX], rdir[PATH_MAX], rroot[PATH_MAX];
	size_t	 i;

	if (log == NULL || logfile_folder(log, dir, sizeof(dir)) == -1 ||
	    realpath(dir, rdir) == NULL)
		return 0;
	for (i = 0; i < conf->nhosts; i++)
		if (realpath(conf->hosts[i].root, rroot) != NULL &&
		    rootfs_is_beneath(rdir, rroot)) {
			snprintf(err, errlen, "log %s: inside the capsule "
			    "folder %s (host %s), which would serve it; keep "
			    "the log outside every capsule", log,
			    conf->hosts[i].root, conf->hosts[i].name);
			return -1;
		}
	return 0;
}

/*
 * The log for the configuration CONF about to be switched to, its capsules
 * loaded: the log it names (or, naming none, the one open, which stays)
 * must lie outside every one of them, and a log it names anew is opened
 * now, so that a log that cannot be opened fails the reload too.
 * Returns 0, or -1 with a message in ERR.  The one check of a reload's
 * log, right before it is switched to: on the loop, which alone knows
 * which log is open.  In the chroot the log is the one of the start,
 * checked then, which no reload can change.
 */
int
logfile_switch(const struct conf *conf, bool chrooted, char *err,
    size_t errlen)
{
	const char	*path = conf->log, *errstr;

	if (chrooted)
		return 0;
	if (logfile_outside_capsules(conf, path != NULL ? path :
	    logpath[0] != '\0' ? logpath : NULL, err, errlen) == -1)
		return -1;
	if (path == NULL || strcmp(path, logpath) == 0)
		return 0;
	if (log_open(path, &errstr) == -1) {
		snprintf(err, errlen, "log %s: %s", path, errstr);
		return -1;
	}
	snprintf(logpath, sizeof(logpath), "%s", path);
	snprintf(logname, sizeof(logname), "%s", path);
	return 0;
}

/*
 * --user without --config: the log PATH must lie inside the folder zeche
 * chroots into (the capsule ROOT's parent, links resolved), so that it
 * can be opened anew there by its path on SIGUSR1, and the process keeps
 * no handle on anything outside its root.  A log outside is refused:
 * reopening it would need such a handle, through which a confined
 * process reaches the whole file system.  Returns 0 with the log's
 * folder (links resolved) in RDIR, the capsule's in RROOT and the log's
 * path in the chroot in NAME, or -1 with a message in ERR.  Opens and
 * changes nothing: --check asks it too.
 */
static int
chroot_place(const char *path, const char *root, char rdir[PATH_MAX],
    char rroot[PATH_MAX], char name[PATH_MAX], char *err, size_t errlen)
{
	char		 dir[PATH_MAX], top[PATH_MAX], *slash;
	const char	*base = strrchr(path, '/'), *in;

	base = base != NULL ? base + 1 : path;
	if (logfile_folder(path, dir, sizeof(dir)) == -1) {
		snprintf(err, errlen, "log %s: path too long", path);
		return -1;
	}
	if (base[0] == '\0') {
		snprintf(err, errlen, "log %s: not a file name", path);
		return -1;
	}
	if (realpath(dir, rdir) == NULL) {
		snprintf(err, errlen, "log %s: its folder %s: %s", path, dir,
		    strerror(errno));
		return -1;
	}
	if (realpath(root, rroot) == NULL) {
		snprintf(err, errlen, "--root %s: %s", root, strerror(errno));
		return -1;
	}
	/* the chroot: ROOT's parent, as sandbox_enter() makes it */
	snprintf(top, sizeof(top), "%s", rroot);
	if ((slash = strrchr(top, '/')) == top)
		slash[1] = '\0';
	else if (slash != NULL)
		*slash = '\0';
	if (!rootfs_is_beneath(rdir, top)) {
		snprintf(err, errlen, "log %s: outside %s, the folder zeche "
		    "chroots into with --user: keep the log beneath it (in a "
		    "folder of its own, not in the capsule), or on stderr",
		    path, top);
		return -1;
	}
	in = strcmp(top, "/") == 0 ? rdir : rdir + strlen(top);
	if (snprintf(name, PATH_MAX, "%s/%s", in, base) >= PATH_MAX) {
		snprintf(err, errlen, "log %s: path too long", path);
		return -1;
	}
	return 0;
}

/* --check: the rule of logfile_in_chroot(), without opening anything. */
int
logfile_chroot_check(const char *path, const char *root, char *err,
    size_t errlen)
{
	char	 rdir[PATH_MAX], rroot[PATH_MAX], name[PATH_MAX];

	return chroot_place(path, root, rdir, rroot, name, err, errlen);
}

/*
 * --user without --config: the log PATH must lie inside the chroot of the
 * capsule ROOT (chroot_place(); fatal if it does not), and is opened anew
 * there by its path there (logname).  Returns the log's folder, open
 * (O_PATH) for Landlock's rule that lets files be written and made there,
 * to be closed once the rule is made; -1 when that folder holds the
 * capsule (it then stays read-only, and a rotated log is not opened anew).
 */
int
logfile_in_chroot(const char *path, const char *root)
{
	char	 rdir[PATH_MAX], rroot[PATH_MAX], err[PATH_MAX * 2 + 256];
	int	 fd;

	if (chroot_place(path, root, rdir, rroot, logname, err,
	    sizeof(err)) == -1)
		fatalx("%s", err);
	if (rootfs_is_beneath(rroot, rdir))
		return -1;
	if ((fd = open(rdir, O_PATH | O_DIRECTORY | O_CLOEXEC)) == -1)
		fatal("log %s: its folder %s", path, rdir);
	return fd;
}

/* SIGUSR1: open the log anew, once logrotate has moved it away. */
void
logfile_reopen(void)
{
	const char	*errstr;

	if (logname[0] == '\0')
		return;
	if (log_open(logname, &errstr) == -1) {
		log_warnx("log %s: %s", logpath, errstr);
		return;
	}
	log_info("SIGUSR1: log %s reopened", logpath);
}

/*
 * At the start: open the log PATH, and note it for SIGUSR1.  LOGDIR is
 * what logfile_in_chroot() returned, or -1 outside a chroot.
 */
void
logfile_open(const char *path, int logdir)
{
	const char	*errstr;

	if (log_open(path, &errstr) == -1)
		fatalx("log %s: %s", path, errstr);
	snprintf(logpath, sizeof(logpath), "%s", path);
	if (logname[0] == '\0')
		snprintf(logname, sizeof(logname), "%s", path);
	else if (logdir == -1)
		log_warnx("log %s: its folder holds the capsule, which "
		    "stays read-only: SIGUSR1 cannot open it anew (keep "
		    "the log in a folder of its own, or rotate it with "
		    "copytruncate)", path);
}

const char *
logfile_path(void)
{
	return logpath;
}
