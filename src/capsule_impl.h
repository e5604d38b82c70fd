/*
 * capsule_impl.h: the loader's walk, shared by its stages (private to
 * capsule.c, the walk; extras.c, the pages generated after it; retake.c,
 * what a reload takes over from the last load).
 */
#ifndef CAPSULE_IMPL_H
#define CAPSULE_IMPL_H

#include <stdbool.h>
#include <stddef.h>

#include "buf.h"
#include "reuse.h"
#include "site.h"

struct walk {
	struct site	*s;
	const struct site_opts *opts;	/* borrowed */
	const char	*root;		/* for messages */
	int		 rootfd;	/* borrowed: the site's */
	char		*err;
	size_t		 errlen;
	size_t		 errused;
	size_t		 nerrors;
	size_t		 nomitted;	/* errors that did not fit in err */
	size_t		 memused;	/* bytes of files kept in memory */
	bool		 fatal;		/* out of memory: stop */
	char		 pageindex[64];	/* its folder ("/pages/"), or "" */
	char		 search[64];	/* its address ("/search"), or "" */
};

/* What one folder holds, gathered while its entries are read. */
struct folder {
	const char	*rel;		/* "/" or "/forum/" */
	const char	*index_name;	/* "index.gmi", "index.gemini" */
	struct buf	 index;		/* the index file, if there is one */
	bool		 has_index;
	struct buf	 listing;	/* links for a generated index */
	struct article	*articles;
	size_t		 narticles;
	bool		 has_partners;	/* partners.txt: a generated index */
	bool		 gen_listing;	/* the config: a generated page */
	enum site_switch posts;		/* ... and post list */
	const char	*title;		/* borrowed: the config's, or NULL */
	const char	*gemtext_mime;	/* borrowed: a location's, or NULL */
	const struct msg_table *msg;	/* the labels, by language */
};

/* Problems, as "ROOT/REL:LINE: message"; warnings are logged. */
void	fail(struct walk *, const char *, size_t, const char *, ...)
	    __attribute__((format(printf, 4, 5)));
void	warn(struct walk *, const char *, size_t, const char *, ...)
	    __attribute__((format(printf, 4, 5)));
/* Out of memory: nothing more can be checked. */
void	fail_oom(struct walk *, const char *);

/* Add a page of generated gemtext at PATH (TEXT, LEN bytes).  0 or -1. */
int	add_generated(struct walk *, const char *, const char *, size_t);

/* The title of what is generated for the folder REL, appended to OUT. */
void	folder_title(const struct site *, const char *, const char *,
	    struct buf *);
/* What the configuration says of F's folder (F->rel set). */
void	folder_policy(const struct walk *, struct folder *);

/* extras.c: the page index's and search's addresses, before the walk */
void	pageindex_path(struct walk *);
/* extras.c: the feeds, the search, robots.txt and the page index */
int	add_site_extras(struct walk *);

#endif
