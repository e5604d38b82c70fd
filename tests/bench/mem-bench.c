/*
 * mem-bench: where a loaded site's memory goes, in process.
 *
 *	mem-bench DIR [gemini,gopher,spartan]
 *
 * Loads DIR as the server does (capsule_load, render_site,
 * site_compact, then the search index as the thread after the swap
 * builds it), with the protocols named on (Gemini and Gopher by
 * default, as the gemlog benchmark runs), and prints the bytes per part
 * of the model: each pointer counted as malloc's chunk
 * (malloc_usable_size() plus its header), so that the parts add up to
 * what the heap holds for them; then the heap in use, the heap's free
 * bytes and VmRSS after each stage (mallinfo2).  glibc only.
 *
 * Knobs: MEM_BENCH_PRERENDER=1 renders every Gopher text and Atom feed
 * at load (as before they were rendered on request, and as --check and
 * --export still do); MEM_BENCH_EACH=1 lists
 * each generated page's bytes (Gemini, Gopher) on stderr.
 */
#include <malloc.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "capsule.h"
#include "render.h"
#include "search.h"
#include "section.h"
#include "site.h"

#include "rss.h"

#define CHUNK_HEAD	8	/* glibc's size field before each chunk */

enum part {
	P_BODY_FILE,		/* a capsule file's bytes: Gemini's body */
	P_BODY_GEN,		/* a generated page's gemtext */
	P_ATOM,			/* the Atom feeds rendered at load */
	P_HEAD,			/* the status lines (out[].head) */
	P_GOPHER_TEXT,		/* Gopher's type 0 texts */
	P_GOPHER_MENU,		/* Gopher's menus */
	P_SPARTAN,		/* Spartan bytes of its own (=: links) */
	P_PAGE,			/* struct page, path, title, mime */
	P_DEPS,			/* page->deps */
	P_TITLE,		/* the parse kept: the doc's title */
	P_BLOGS,		/* the folders' article lists */
	P_TABLE,		/* site->pages */
	P_COUNT
};

static const char *const names[P_COUNT] = {
	"bodies of capsule files (Gemini, Gopher files)",
	"bodies of generated pages (Gemini)",
	"Atom feeds rendered at load (atom.xml)",
	"status lines (out[].head)",
	"Gopher texts (type 0)",
	"Gopher menus (type 1)",
	"Spartan bytes of its own",
	"page structs, paths, titles, MIME",
	"render deps (reload)",
	"parse kept (the doc's title)",
	"article lists",
	"page table (site->pages)",
};

static size_t	 bytes[P_COUNT], count[P_COUNT];

static size_t
chunk(const void *p)
{
	return p == NULL ? 0 : malloc_usable_size((void *)p) + CHUNK_HEAD;
}

static void
add(enum part k, const void *p)
{
	if (p == NULL)
		return;
	bytes[k] += chunk(p);
	count[k]++;
}

static double
mib(size_t n)
{
	return (double)n / 1048576;
}

static size_t
heap(void)
{
	struct mallinfo2	 mi = mallinfo2();

	return mi.uordblks + mi.hblkhd;
}

static void
stage(const char *what)
{
	struct mallinfo2	 mi = mallinfo2();

	printf("%-34s heap in use %7.1f MiB, free in arenas %6.1f MiB, "
	    "RSS %7.1f MiB\n", what, mib(mi.uordblks + mi.hblkhd),
	    mib(mi.fordblks), rss_kib() / 1024.0);
}

int
main(int argc, char *argv[])
{
	struct site_opts	 o;
	struct site		*s;
	const struct section	*sec;
	struct page		*pg;
	char			 err[4096];
	const char		*errstr, *on = "gemini,gopher";
	size_t			 i, j, total = 0, h0, src = 0;
	struct timespec		 t0, t1;
	long			 r0;
	size_t			 nfeeds_later = 0;
	int			 p;

	if (argc != 2 && argc != 3) {
		fprintf(stderr, "usage: mem-bench DIR [gemini,gopher,spartan]\n");
		return 2;
	}
	if (argc == 3)
		on = argv[2];
	memset(&o, 0, sizeof(o));
	o.host = "localhost";
	if (strstr(on, "gemini") != NULL)
		o.port[PROTO_GEMINI] = "1965";
	if (strstr(on, "gopher") != NULL)
		o.port[PROTO_GOPHER] = "70";
	if (strstr(on, "spartan") != NULL)
		o.port[PROTO_SPARTAN] = "300";
	o.search = SITE_AUTO;
	o.search_later = true;
	o.text_later = getenv("MEM_BENCH_PRERENDER") == NULL;
	o.menu_later = o.text_later ? RENDER_MENU_LATER : 0;
	stage("before");
	if ((s = capsule_load(argv[1], &o, err, sizeof(err))) == NULL) {
		fprintf(stderr, "%s\n", err);
		return 1;
	}
	stage("loaded (parse in its region)");
	if (render_site(s) == -1) {
		fprintf(stderr, "render failed\n");
		return 1;
	}
	stage("rendered");
	(void)site_compact(s);
	malloc_trim(0);
	stage("compacted, trimmed");

	for (i = 0; i < s->npages; i++) {
		pg = s->pages[i];
		if (pg->body != NULL)
			src += pg->generated ? 0 : pg->body_len;
		add(!pg->generated ? P_BODY_FILE : strcmp(pg->mime,
		    "application/atom+xml") == 0 ? P_ATOM : P_BODY_GEN,
		    pg->body);
		nfeeds_later += pg->feed_later;
		if (getenv("MEM_BENCH_EACH") != NULL && pg->generated)
			fprintf(stderr, "%s %zu %zu\n", pg->path, pg->body_len,
			    pg->out[PROTO_GOPHER].len);
		for (p = 0; p < PROTO_COUNT; p++) {
			if (!(pg->heads_kept & (1u << p)))
				add(P_HEAD, pg->out[p].head);
			if (pg->out[p].data == NULL)
				continue;
			if (p == PROTO_GOPHER)
				add(pg->gopher_type == '0' ? P_GOPHER_TEXT :
				    P_GOPHER_MENU, pg->out[p].data);
			else
				add(p == PROTO_SPARTAN ? P_SPARTAN : P_BODY_GEN,
				    pg->out[p].data);
		}
		add(P_PAGE, pg);
		add(P_PAGE, pg->path);
		add(P_PAGE, pg->title);
		add(P_PAGE, pg->gemtext_mime);
		add(P_PAGE, pg->file);
		add(P_DEPS, pg->deps);
		add(P_TITLE, pg->doc.src);
		add(P_TITLE, pg->doc.lines);
	}
	add(P_TABLE, s->pages);
	for (i = 0; i < s->nblogs; i++) {
		add(P_BLOGS, s->blogs[i].path);
		add(P_BLOGS, s->blogs[i].articles);
		add(P_BLOGS, s->blogs[i].feed_title);
		(void)j;
	}
	printf("\n%zu pages, %.1f MiB of capsule files in memory\n\n",
	    s->npages, mib(src));
	printf("| part | MiB | pointers |\n|---|---:|---:|\n");
	for (p = 0; p < P_COUNT; p++) {
		printf("| %s | %.1f | %zu |\n", names[p], mib(bytes[p]),
		    count[p]);
		total += bytes[p];
	}
	printf("| sum | %.1f | |\n", mib(total));
	printf("| rest of the heap in use (sections, site) | %.1f | |\n\n",
	    mib(heap() - total));
	printf("%zu Atom feeds made on request (into the text cache), "
	    "not at load\n\n", nfeeds_later);

	if ((sec = site_section(s, &search_section)) != NULL &&
	    !search_ready(sec->ctx)) {
		h0 = heap();
		r0 = rss_kib();
		hwm_reset();
		clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t0);
		if (search_index(sec->ctx, s, NULL, &errstr) == -1) {
			fprintf(stderr, "search: %s\n", errstr);
			return 1;
		}
		clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t1);
		printf("search index: %.1f MiB (%zu documents), built in "
		    "%.0f ms CPU, peak RSS %.1f MiB over the %.1f before\n",
		    mib(heap() - h0), search_count(sec->ctx),
		    (double)(t1.tv_sec - t0.tv_sec) * 1e3 +
		    (double)(t1.tv_nsec - t0.tv_nsec) / 1e6,
		    (double)(hwm_kib() - r0) / 1024, (double)r0 / 1024);
		stage("search indexed");
	}
	site_free(s);
	malloc_trim(0);
	stage("freed, trimmed");
	return 0;
}
