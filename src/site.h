/*
 * site: the immutable model that every request is served from, one per
 * host.  capsule_load() builds a site whole (files, parsed gemtext,
 * generated pages) and render_site() adds the bytes each protocol sends;
 * after that nothing in it changes.  Its server owns it: the server's
 * atomic reference count (server.h) keeps it alive while requests in
 * flight finish on an old snapshot after a reload.
 */
#ifndef SITE_H
#define SITE_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "gemtext.h"
#include "proto.h"
#include "region.h"

struct conf_location;
struct conf_redirect;

/* A setting that is on, off, or left to zeche's rule. */
enum site_switch {
	SITE_AUTO,
	SITE_ON,
	SITE_OFF,
};

/* What the rendered pages need to know of the server. */
struct site_opts {
	const char	*host;		/* --host */
	const char	*port[PROTO_COUNT];	/* public ports; NULL: off */
	const char	*lang;		/* language tag, or NULL */
	const char	*description;	/* one line, or NULL */
	const char	*author;	/* of the feeds, or NULL */
	bool		 no_listing;	/* no generated folder pages */
	enum site_switch posts;		/* generated post lists; AUTO: on */
					/* generated pages and on an index */
					/* that links none of its posts */
	enum site_switch spartan_link;	/* the Spartan address on the */
					/* home page; AUTO: a generated one */
	enum site_switch pageindex;	/* the page index; AUTO: linked from */
					/* generated pages only, ON: from */
					/* the home page too, OFF: none */
	enum site_switch search;	/* the capsule-wide search: alike */
	bool		 search_later;	/* a big capsule's search index is */
					/* built after the load (later.h): */
					/* site_finish() */
	bool		 text_later;	/* the Gopher texts of capsule files */
					/* and the generated Atom feeds are */
					/* rendered on request, into the */
					/* bounded textcache.h */
	size_t		 menu_later;	/* so is a Gopher menu of at least */
					/* this many bytes (0: none is) */
	const struct conf_location *locations;	/* borrowed: per folder */
	size_t		 nlocations;
	bool		 closed;	/* "readers" or "ca" on the host: */
					/* all of it needs a certificate, */
					/* as do the locations with either */
	const struct conf_redirect *redirects;	/* borrowed: copied */
	size_t		 nredirects;
};

/* An old path that leads elsewhere (config "redirect"). */
struct site_redirect {
	char		*from;		/* owned: an absolute path */
	char		*to;		/* owned: a path or an absolute URL */
	int		 status;	/* 30 or 31 */
};

/*
 * A capsule file as the load found it.  A reload takes over the page of a
 * file whose identity is the same (reuse.h): it is the same file, unless
 * someone set its times back by hand.
 */
struct page_id {
	uint64_t	 dev;
	uint64_t	 ino;		/* 0: none (generated, or not known) */
	int64_t		 size;
	int64_t		 mtime_ns;
	int64_t		 ctime_ns;
};

/*
 * A page never changes once its site is built, and may be shared by the
 * sites of several loads (a reload takes over what did not change): REFS
 * counts them, and page_free() drops one.  It borrows nothing from a site.
 */
struct page {
	atomic_int	 refs;		/* the sites that hold it */
	char		*path;		/* owned: "/", "/forum/", "/a.gmi" */
	const char	*mime;		/* static */
	char		 gopher_type;	/* how Gopher lists it: '1', '0', ... */
	bool		 is_gemtext;
	bool		 generated;	/* made by zeche, not a capsule file */
	const char	*index;		/* static: a folder page's file */
					/* ("index.gmi"), or NULL */
	char		*gemtext_mime;	/* owned: a page below a location */
					/* with its own lang; NULL: the */
					/* site's */
	struct gemtext	 doc;		/* gemtext pages: the parsed body; */
					/* after site_compact() its title */
					/* only */
	char		*title;		/* owned: an article's title taken */
					/* from its name (no "# "), or NULL */
	char		*file;		/* owned: a file too large to keep in */
					/* memory, read from disk at request */
					/* time: its path below the root, */
					/* without links ("v/big.mp4"); the */
					/* body is then NULL */
	long long	 mtime;		/* a capsule file's; 0: generated */
	char		*body;		/* owned: the file or gemtext */
	size_t		 body_len;	/* as it is: what Gemini sends */
	struct blob	 out[PROTO_COUNT];	/* owned: what each enabled
						   protocol sends (render.c) */
	struct page_id	 id;		/* a capsule file's (reuse.h) */
	uint64_t	*deps;		/* owned: the hashes (reuse_hash) of */
	size_t		 ndeps;		/* the local paths its rendering */
					/* asked the router about, sorted */
	bool		 deps_any;	/* it followed a redirect: any */
					/* change of paths renders it anew */
	bool		 rendered;	/* out[] is filled (render_site) */
	bool		 compact;	/* its parse dropped (site_compact) */
	bool		 parse_later;	/* a load's: its body is parsed */
					/* once it is known that the last */
					/* load's page will not do */
	bool		 text_later;	/* its Gopher text is rendered on */
					/* request (render_gopher_text): */
					/* out[PROTO_GOPHER].data is NULL, */
					/* .len the text's length */
	bool		 feed_later;	/* a generated Atom feed, made on */
					/* request for every protocol */
					/* (blogfeed_atom()): no body, */
					/* out[].data NULL */
	unsigned char	 heads_kept;	/* bit P: out[P].head is render.c's, */
					/* shared, not the page's */
	struct textent	*text;		/* that text or feed while the cache */
					/* keeps it (textcache.h, its lock) */
};

struct article {
	char		 date[11];	/* YYYY-MM-DD */
	const char	*title;		/* borrowed from the page's doc */
	const char	*path;		/* borrowed from the page */
	struct page	*page;		/* borrowed */
};

/* A folder whose article files (YYYY-MM-DD-slug.gmi) are listed. */
struct blog {
	char		*path;		/* owned: the folder, "/forum/" */
	struct article	*articles;	/* counted: newest first */
	size_t		 narticles;
	atomic_int	*refs;		/* owned with articles: the sites */
					/* that share them (a reload whose */
					/* folder has the same posts), or */
					/* NULL: this one alone */
	char		*feed_title;	/* owned: its feeds' title, or NULL: */
					/* no feed generated (blogfeed.h) */
	bool		 feed_gemtext;	/* its gemtext feed is generated */
};

/* Drop B's articles: freed with the last site that holds them. */
void		 site_blog_unref(struct blog *);

/*
 * A folder as the walk read it, for the next reload (capsule.h's scope):
 * a folder that had no change since takes its entries from here instead
 * of the file system.  An entry is a regular file served as the page PG
 * (its name is PG's last segment), or anything else, NAME, which the walk
 * looks at again.
 */
struct site_entry {
	char		*name;		/* owned, or NULL: PG's */
	struct page	*pg;		/* borrowed from the site, or NULL */
};

struct site_dir {
	char		*rel;		/* owned: "/", "/log/2020/" */
	struct page_id	 id;		/* the folder's, before its read */
	struct site_entry *ents;	/* counted, in the walk's order */
	size_t		 nents;
	atomic_int	*refs;		/* owned with ents: the sites that */
					/* share them, or NULL: this one */
	uint64_t	 page_key[2];	/* what made its page (capsule.c's */
					/* folder_key), or 0 */
};

/* Where a host with "archive on" serves its capsule over Gemini. */
#define ARCHIVE_PATH	"/capsule.tar"

struct msg_table;
struct section;
struct tar;
struct section_ops;

struct site {
	int		 rootfd;	/* owned: the capsule folder, or -1 */
	struct region	 parse;		/* owned: the pages' parsed gemtext */
					/* (site_parse_alloc), until */
					/* site_compact() */
	size_t		 nwarnings;	/* found while loading */
	char		*host;		/* owned copies of the options */
	char		*port[PROTO_COUNT];	/* NULL: the protocol is off */
	char		*lang;		/* or NULL */
	char		*description;	/* or NULL */
	char		*author;	/* or NULL */
	char		*gemtext_mime;	/* owned: "text/gemini; lang=..." */
	const struct msg_table *msg;	/* static: the labels, by lang */
	struct page	**pages;	/* owned, sorted by path */
	size_t		 npages;
	size_t		 pagecap;
	size_t		 nsorted;	/* pages[0 .. nsorted) are sorted */
	struct blog	*blogs;		/* owned */
	size_t		 nblogs;
	struct section	*sections;	/* owned: generated sections */
	size_t		 nsections;
	struct site_redirect *redirects;	/* owned, sorted by from */
	size_t		 nredirects;
	long long	 mtime;		/* the newest of its files' */
	struct tar	*archive;	/* owned: /capsule.tar, or NULL */
	char		**loc_mime;	/* owned: per location of the */
	size_t		 nloc_mime;	/* options, its gemtext MIME type */
					/* ("text/gemini; lang=..") or NULL */
	char		**closed;	/* owned: the folders that need a */
	size_t		 nclosed;	/* client certificate ("/": all) */
	char		*key;		/* owned: its options and folder */
					/* (reuse_key), or NULL */
	size_t		 ntaken;	/* pages a reload took over */
	size_t		 nclean;	/* folders it did not read again */
	int64_t		 loaded_ns;	/* the wall clock when its load */
					/* began, in ns (reuse_racy) */
	bool		 text_later;	/* as in its options */
	size_t		 menu_later;	/* as in its options */
	struct site_dir	*dirs;		/* owned: its folders, sorted by */
	size_t		 ndirs;		/* rel (site_dir_find) */
};

struct site	*site_new(const struct site_opts *);

/* The redirect of the absolute PATH, or NULL. */
const struct site_redirect *site_redirect(const struct site *,
		    const char *);
/* Free S and all it owns (its pages, its root folder); S may be NULL. */
void		 site_free(struct site *);

/*
 * Add the generated section OPS over CTX (the site owns CTX from here on,
 * also when this fails: -1, out of memory).  site_section() is the one
 * with OPS, or NULL.
 */
int		 site_add_section(struct site *, const struct section_ops *,
		    void *);
const struct section *site_section(const struct site *,
		    const struct section_ops *);

/*
 * Once S is rendered (render_site), drop what serving never reads: every
 * page's parsed gemtext, but for its title (gemtext_keep_title).  Nothing
 * may walk a page's lines after it.  The parse was made in s->parse
 * (site_parse_alloc, gemtext_parse_in), out of malloc's heap, which is
 * unmapped whole: it leaves no holes among what stays.  0, or -1
 * (memory): what could not be dropped stays, and S is whole either way.
 */
int		 site_compact(struct site *);

/* A gemtext_mem's alloc: memory from S's parse region (S as the arg). */
void		*site_parse_alloc(void *, size_t);

/* The folder REL ("/log/") as S's load read it, or NULL. */
const struct site_dir *site_dir_find(const struct site *, const char *);
/* Free the N folder records D (and D itself). */
void		 site_dirs_free(struct site_dir *, size_t);

/* Make room for N pages in all.  0, or -1 (memory: they grow later). */
int		 site_reserve(struct site *, size_t);
/* Add PG (the site owns it from here on); call site_sort() when done. */
int		 site_add_page(struct site *, struct page *);
/* The same, PG put at AT (< npages) in the pages: before what follows. */
int		 site_add_page_at(struct site *, struct page *, size_t);
void		 site_sort(struct site *);

/*
 * The page served at the absolute, normalised PATH: "/f/index.gmi" (or
 * "/f/index.gemini") is the page of "/f/".  NULL if there is none.
 */
struct page	*site_lookup(const struct site *, const char *);

/*
 * True if PATH lies in a folder that needs a client certificate to read
 * ("readers" in the configuration): Gemini alone serves it, and nothing
 * generated for another protocol, nor the page index, the archive or the
 * export, lists it.
 */
bool		 site_is_closed(const struct site *, const char *);

/* True if PATH names a folder without its trailing slash. */
bool		 site_is_folder(const struct site *, const char *);

/*
 * Append the gemini:// address of PATH on this site to OUT: the host, the
 * port unless it is 1965, and the path percent-encoded.
 */
struct buf;
void		 site_gemini_url(const struct site *, const char *,
		    struct buf *);

/*
 * Open the file of PG, a page served from disk (pg->file != NULL), below
 * the site's root without following any link.  Returns a descriptor and
 * its size in *LEN; -1 when the file is gone since the load (removed,
 * replaced by a link, not a regular file): not found; or -2 when it is
 * there but cannot be opened now (out of descriptors or memory, no
 * permission, an I/O error): a temporary failure.  Either way WHY (of
 * WHYLEN bytes) says what failed, with the file's path, for the log.
 */
#define SITE_OPEN_GONE	-1
#define SITE_OPEN_LATER	-2

int		 site_open_file(const struct site *, const struct page *,
		    long long *, char *, size_t);

/* The same for spartan:// (the port unless it is 300), if Spartan is on. */
void		 site_spartan_url(const struct site *, const char *,
		    struct buf *);

/* A new page at PATH, with one reference. */
struct page	*page_new(const char *);
/* One more site holds PG. */
void		 page_ref(struct page *);
/* Set PG's own gemtext MIME type (a copy of MIME, or NULL).  0 or -1. */
int		 page_set_mime(struct page *, const char *);

/* The page's MIME type as sent: gemtext with its lang parameter. */
const char	*page_mime(const struct site *, const struct page *);

/*
 * What protocol P sends after the page's head: its own bytes or the body;
 * NULL for bytes made on request (pg->text_later's Gopher text, its
 * length in *LEN; pg->feed_later's feed, *LEN 0): render_bytes().
 */
const char	*page_data(const struct page *, enum proto, size_t *);
/* Drop one reference to PG, freeing it with the last; PG may be NULL. */
void		 page_free(struct page *);

#endif
