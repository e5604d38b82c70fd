/*
 * loadsite.h: load a capsule the way the server does, stage after stage:
 * read and parse (capsule_load), then render (render_site).
 */
#ifndef LOADSITE_H
#define LOADSITE_H

#include <stdio.h>

#include "capsule.h"
#include "render.h"
#include "site.h"

static inline struct site *
load_site(const char *root, const struct site_opts *o, char *err,
    size_t errlen)
{
	struct site	*s;

	if ((s = capsule_load(root, o, err, errlen)) != NULL &&
	    render_site(s) == -1) {
		snprintf(err, errlen, "%s: out of memory", root);
		site_free(s);
		return NULL;
	}
	return s;
}

#endif
