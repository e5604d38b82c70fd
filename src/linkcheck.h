/*
 * linkcheck: warn about the links of a loaded site's capsule pages that
 * lead nowhere (pure: the warnings go to the caller).
 */
#ifndef LINKCHECK_H
#define LINKCHECK_H

#include <stddef.h>

struct site;

/*
 * Call WARN(ARG, FILE, LINE, MESSAGE) for every link in a capsule page of
 * S (generated pages are not checked) that leads to nothing S serves: a
 * relative or absolute path, or the capsule's own address.  Only pages
 * whose parsed lines S still holds are checked (a page taken over from
 * the last load was checked then).
 */
void	linkcheck_site(const struct site *,
	    void (*)(void *, const char *, size_t, const char *), void *);

#endif
