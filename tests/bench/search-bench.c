/*
 * search-bench: what the capsule-wide search costs, in process.
 *
 *	search-bench gen DIR N		write N synthetic articles (about
 *					1.5 KB each) in 10 folders of DIR
 *	search-bench load DIR on|off [RUNS]
 *					load DIR as the server does
 *					(capsule_load, render_site) with
 *					"search on" or "off"; print the load
 *					time, the heap in use and VmRSS; with
 *					"on", time searches one by one
 *
 * One line of "key=value" pairs per run, for search-bench.sh.  The
 * articles come from a fixed generator (the same N, the same files).
 */
#include <sys/stat.h>

#include <errno.h>
#include <malloc.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "capsule.h"
#include "render.h"
#include "section.h"
#include "search.h"
#include "site.h"

#include "rss.h"

static uint32_t	 state = 20240229;

static uint32_t
rnd(uint32_t k)
{
	state = (uint32_t)(((uint64_t)state * 16807) % 2147483647);
	return state % k;
}

static const char *const words[] = {
	"mill", "wheel", "water", "river", "stone", "bridge", "miller",
	"grain", "flour", "weir", "sluice", "gate", "road", "village",
	"market", "church", "tower", "field", "harvest", "winter", "summer",
	"Münster", "Straße", "Brücke", "Mühle", "Wasser", "Grün", "Größe",
	"Zeche", "Schacht", "Förderturm", "Kohle", "Halde", "Kumpel",
	"engine", "steam", "pump", "shaft", "coal", "mine", "workers",
	"union", "history", "archive", "photo", "letter", "diary", "notes",
	"Dortmund", "Essen", "Bochum", "Gelsenkirchen", "Duisburg", "Köln",
	"the", "and", "of", "a", "to", "in", "was", "on", "with", "by",
	"for", "from", "at", "old", "new", "early", "late", "small",
};
#define NWORDS	(sizeof(words) / sizeof(words[0]))

/* A made-up word of four to nine letters, for a large vocabulary. */
static void
made_up(FILE *fp)
{
	static const char	 cons[] = "bcdfghklmnprstvwz";
	static const char	 vow[] = "aeiou";
	uint32_t		 i, n = 2 + rnd(3);

	for (i = 0; i < n; i++)
		fprintf(fp, "%c%c", cons[rnd(sizeof(cons) - 1)],
		    vow[rnd(sizeof(vow) - 1)]);
}

static int
gen(const char *dir, long n)
{
	char		 path[4096];
	FILE		*fp;
	long		 i;
	int		 f, l, w;

	for (f = 0; f < 10; f++) {
		snprintf(path, sizeof(path), "%s/log%d", dir, f);
		if (mkdir(path, 0755) == -1 && errno != EEXIST) {
			perror(path);
			return 1;
		}
	}
	for (i = 0; i < n; i++) {
		snprintf(path, sizeof(path), "%s/log%ld/%04ld-%02ld-%02ld-"
		    "post-%ld.gmi", dir, i % 10, 1990 + i / 336 % 36,
		    i / 28 % 12 + 1, i % 28 + 1, i);
		if ((fp = fopen(path, "w")) == NULL) {
			perror(path);
			return 1;
		}
		fprintf(fp, "# %s %s %ld\n\n", words[rnd(NWORDS)],
		    words[rnd(NWORDS)], i);
		for (l = 0; l < 8; l++) {
			for (w = 0; w < 28; w++) {
				if (rnd(4) == 0)
					made_up(fp);
				else
					fputs(words[rnd(NWORDS)], fp);
				fputc(w == 27 ? '.' : ' ', fp);
			}
			fputs("\n\n", fp);
		}
		fputs("=> ../ Back\n", fp);
		if (fclose(fp) == EOF) {
			perror(path);
			return 1;
		}
	}
	return 0;
}

static double
now_ms(void)
{
	struct timespec	 ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static double
cpu_ms(void)
{
	struct timespec	 ts;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static int
dbl_cmp(const void *a, const void *b)
{
	double	 x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/* Queries with many, some and no hits, one letter to two words. */
static const char *const queries[] = {
	"mill", "muenster", "munster", "strasse", "zeche", "wa", "m",
	"water wheel", "gmbh", "foerderturm", "zzzq", "kohle halde",
	"the", "post 9999", "bochum", "gelsenkirchen",
};
#define NQUERIES	(sizeof(queries) / sizeof(queries[0]))

static int
load(const char *dir, int on, int rounds)
{
	struct site_opts	 o;
	struct mallinfo2	 mi;
	const struct section	*sec;
	struct section_req	 req;
	struct result		 res;
	struct site		*s;
	char			 err[4096];
	double			 t0, t1, c0, *lat, *cpu;
	size_t			 nlat = 0, q, page;
	int			 r;

	memset(&o, 0, sizeof(o));
	o.host = "localhost";
	o.port[0] = "1965";
	o.port[1] = "70";
	o.lang = "de";
	o.search = on ? SITE_ON : SITE_OFF;
	t0 = now_ms();
	c0 = cpu_ms();
	if ((s = capsule_load(dir, &o, err, sizeof(err))) == NULL ||
	    render_site(s) == -1) {
		fprintf(stderr, "%s\n", err);
		return 1;
	}
	t1 = now_ms();
	c0 = cpu_ms() - c0;
	mi = mallinfo2();
	printf("search=%s load_ms=%.0f load_cpu_ms=%.0f heap_mib=%.1f rss_mib=%.1f pages=%zu",
	    on ? "on" : "off", t1 - t0, c0, (double)(mi.uordblks + mi.hblkhd) /
	    1048576, rss_kib() / 1024.0, s->npages);
	if (!on || (sec = site_section(s, &search_section)) == NULL) {
		printf("\n");
		site_free(s);
		return 0;
	}
	printf(" docs=%zu", search_count(sec->ctx));
	if ((lat = calloc((size_t)rounds * NQUERIES * 2, sizeof(*lat))) ==
	    NULL || (cpu = calloc((size_t)rounds * NQUERIES * 2,
	    sizeof(*cpu))) == NULL)
		return 1;
	for (r = 0; r < rounds; r++)
		for (q = 0; q < NQUERIES; q++)
			for (page = 1; page <= 5; page += 4) {
				t0 = now_ms();
				c0 = cpu_ms();
				memset(&req, 0, sizeof(req));
				req.op = SECTION_SEARCH;
				req.page = page;
				req.query = queries[q];
				(void)section_answer(sec, &req,
				    SECTION_LINK_QUERY, &res);
				result_free(&res);
				cpu[nlat] = cpu_ms() - c0;
				lat[nlat++] = now_ms() - t0;
				if (getenv("SEARCH_BENCH_EACH") != NULL &&
				    r == rounds - 1)
					fprintf(stderr, "%s page %zu: %.3f ms, CPU %.3f ms\n",
					    queries[q], page, lat[nlat - 1],
					    cpu[nlat - 1]);
			}
	qsort(lat, nlat, sizeof(*lat), dbl_cmp);
	qsort(cpu, nlat, sizeof(*cpu), dbl_cmp);
	printf(" searches=%zu p50_ms=%.3f p99_ms=%.3f max_ms=%.3f "
	    "cpu_p50_ms=%.3f cpu_p99_ms=%.3f cpu_max_ms=%.3f\n", nlat,
	    lat[nlat / 2], lat[nlat * 99 / 100], lat[nlat - 1],
	    cpu[nlat / 2], cpu[nlat * 99 / 100], cpu[nlat - 1]);
	free(lat);
	free(cpu);
	site_free(s);
	return 0;
}

/*
 * Load DIR with the search on, compact the site as the server does, and
 * print the answers to pages 1 and 2 of each query (or the pages listed
 * in SEARCH_BENCH_PAGES, "1 2 5 21"): to compare two builds' results
 * byte for byte.  SEARCH_BENCH_EACH=1: each answer's thread CPU time on
 * stderr.
 */
static int
answer(const char *dir, char **q, int nq)
{
	struct site_opts	 o;
	const struct section	*sec;
	struct section_req	 req;
	struct result		 res;
	struct site		*s;
	char			 err[4096];
	const char		*list, *p;
	char			*end;
	enum result_status	 st;
	double			 c0;
	size_t			 page;
	int			 i;

	if ((list = getenv("SEARCH_BENCH_PAGES")) == NULL)
		list = "1 2";
	memset(&o, 0, sizeof(o));
	o.host = "localhost";
	o.port[0] = "1965";
	o.port[1] = "70";
	o.lang = "de";
	o.search = SITE_ON;
	if ((s = capsule_load(dir, &o, err, sizeof(err))) == NULL ||
	    render_site(s) == -1) {
		fprintf(stderr, "%s\n", err);
		return 1;
	}
	(void)site_compact(s);
	if ((sec = site_section(s, &search_section)) == NULL)
		return 1;
	for (i = 0; i < nq; i++)
		for (p = list; (page = strtoul(p, &end, 10)) > 0; p = end) {
			memset(&req, 0, sizeof(req));
			req.op = SECTION_SEARCH;
			req.page = page;
			req.query = q[i];
			c0 = cpu_ms();
			st = section_answer(sec, &req, SECTION_LINK_QUERY,
			    &res);
			c0 = cpu_ms() - c0;
			printf("--- %s page %zu: %d\n", q[i], page, (int)st);
			if (getenv("SEARCH_BENCH_EACH") != NULL)
				fprintf(stderr, "%s page %zu: CPU %.3f ms\n",
				    q[i], page, c0);
			fwrite(res.text.data, 1, res.text.len, stdout);
			result_free(&res);
		}
	site_free(s);
	return 0;
}

int
main(int argc, char *argv[])
{
	if (argc == 4 && strcmp(argv[1], "gen") == 0)
		return gen(argv[2], strtol(argv[3], NULL, 10));
	if ((argc == 4 || argc == 5) && strcmp(argv[1], "load") == 0)
		return load(argv[2], strcmp(argv[3], "on") == 0,
		    argc == 5 ? atoi(argv[4]) : 100);
	if (argc >= 4 && strcmp(argv[1], "answer") == 0)
		return answer(argv[2], argv + 3, argc - 3);
	fprintf(stderr, "usage: search-bench gen DIR N\n"
	    "       search-bench load DIR on|off [ROUNDS]\n"
	    "       search-bench answer DIR QUERY ...\n");
	return 2;
}
