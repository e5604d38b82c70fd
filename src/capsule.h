/*
 * capsule: walk the capsule folder (--root) and build a whole site from
 * its flat files: gemtext pages, article lists, the partner directory and
 * every other file, then render what each protocol sends.
 */
#ifndef CAPSULE_H
#define CAPSULE_H

#include <stddef.h>

struct site;
struct site_opts;

#define CAPSULE_FILE_MAX	(64 * 1024 * 1024)
#define CAPSULE_DEPTH_MAX	16

/*
 * Load the capsule below ROOT.  Returns a new site (one reference, the
 * caller's), or NULL with "file:line: message" (the line where one
 * applies) written to ERR.  Reads only below ROOT: symbolic links and
 * dot files are never followed or served.
 */
struct site	*capsule_load(const char *, const struct site_opts *, char *,
		    size_t);

#endif
