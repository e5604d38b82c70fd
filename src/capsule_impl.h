/*
 * capsule_impl.h: the loader's walk, shared by its stages (private to
 * capsule.c, the walk; extras.c, the pages generated after it; retake.c,
 * what a reload takes over from the last load).
 */
#ifndef CAPSULE_IMPL_H
#define CAPSULE_IMPL_H

#include <sys/stat.h>

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

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
	struct reuse	 re;		/* a reload's: what the last load */
					/* made (re.old), or re.old NULL */
	const struct capsule_scope *scope;	/* borrowed: the folders */
					/* changed since re.old, or NULL */
	struct site_dir	*dirs;		/* owned: the folders walked, for */
	size_t		 ndirs;		/* the site (s->dirs) once done */
	size_t		 dircap;
	struct page	*added;		/* the page the last regular file */
					/* of the walk became, or NULL */
	size_t		 nclean;	/* folders not read again */
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
	size_t		 artcap;	/* room in articles */
	bool		 has_partners;	/* partners.txt: a generated index */
	bool		 gen_listing;	/* the config: a generated page */
	enum site_switch posts;		/* ... and post list */
	const char	*title;		/* borrowed: the config's, or NULL */
	const char	*gemtext_mime;	/* borrowed: a location's, or NULL */
	const struct msg_table *msg;	/* the labels, by language */
	size_t		 first;		/* the site's npages before it: */
					/* where its page goes, in order */
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

/* Parse PG's body as gemtext; errors name FILE.  0 or -1. */
int	parse_gemtext(struct walk *, struct page *, const char *);
/* Record PG as an article of F if its NAME is dated.  0 or -1. */
int	add_article(struct walk *, struct folder *, struct page *,
	    const char *);
/* The link to the file NAME (page PG) in F's generated file list. */
void	list_file(struct folder *, const struct page *, const char *);

/*
 * retake.c: take over the page of the regular file NAME of F (ST, as
 * fstatat() found it) from the last load, if it is the same file: true
 * when it did (or failed, reported), false when the file is to be read.
 */
bool	retake_file(struct walk *, struct folder *, const char *,
	    const struct stat *);
/*
 * retake.c: the same for a file of a folder with no change since the
 * last load (capsule_reload_in): PG is the last load's page of NAME,
 * taken over without a stat unless it may have changed in the clock's
 * tick of that load.  False: the file is to be looked at as always.
 */
bool	retake_known(struct walk *, struct folder *, const char *,
	    struct page *);
/*
 * retake.c: after the walk, once the pages are sorted: find what changed
 * (reuse_changes), render anew the pages taken over that it touches, and
 * take over the generated pages that came out as before.  0 or -1.
 */
int	retake_after_walk(struct walk *);
/*
 * retake.c: true if the folder page PG (its body made, not parsed) is,
 * byte for byte, the one of the last load: it is then marked to be
 * parsed by retake_after_walk() only if that one is not still right.
 */
bool	retake_parse_later(struct walk *, struct page *);
/*
 * retake.c: the page of the last load that PG (generated, just made)
 * equals and that is still right, with a reference, PG freed; else PG.
 */
struct page *retake_same(struct walk *, struct page *);
/*
 * retake.c: the last load's page of the folder F, which F's page would
 * be made of the same bytes as: its folder_key KEY (of what makes the
 * page but its articles) and its articles, sorted, are as then.  NULL:
 * make it.
 */
struct page *retake_folder(struct walk *, const struct folder *,
	    const uint64_t *);
/*
 * retake.c: the last load's blog of F's folder if its articles are F's
 * (sorted): the same pages, in the same order.  NULL: none such.
 */
const struct blog *retake_blog(struct walk *, const struct folder *);
/*
 * retake.c: take over the feeds of the blog B (ATOM and, unless NULL,
 * GEMTEXT, their paths) from the last load when its posts and folder page
 * are the same pages as then; GEN_GEMTEXT: this load generates the
 * gemtext feed.  1 taken, 0 not, -1 error (reported).
 */
int	retake_feeds(struct walk *, const struct blog *, const char *,
	    const char *, bool);

/* extras.c: true if the capsule already serves PATH (file or folder) */
bool	has_path(const struct site *, const char *);
/* extras.c: the page index's and search's addresses, before the walk */
void	pageindex_path(struct walk *);
/* extras.c: the feeds, the search, robots.txt and the page index */
int	add_site_extras(struct walk *);

#endif
