/*
 * fuzz_partners: load any bytes as partners.txt below "/partner/".  On
 * success: no more partners than lines, the groups add up to the list,
 * there is one page per list and group page, every page lives below
 * "/partner/" in [a-z0-9./-] and is valid gemtext, each page past the
 * first of its list is one partners_is_list() names and
 * partners_list_page() renders to the same bytes, no web address holds
 * '"', '<' or '>', searching for the first word of the first name finds
 * at least that name, and the trigram index finds exactly what the
 * linear pass finds for pieces of that word's folded form.
 */
#include <assert.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "gemtext.h"
#include "msg.h"
#include "partners.h"
#include "section.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

#define BASE	"/partner/"

/* The index and the linear pass agree on every hit of FQ (LEN bytes). */
static void
check_index(const struct partners *ps, const char *fq, size_t len)
{
	size_t	 n = partners_count(ps), na, nb, *a, *b;
	char	 q[PARTNERS_QUERY_MAX + 1];
	bool	 partial;

	memcpy(q, fq, len);
	q[len] = '\0';
	a = calloc(n + 1, sizeof(*a));
	b = calloc(n + 1, sizeof(*b));
	assert(a != NULL && b != NULL);
	na = partners_find(ps, q, 0, a, n, n, &partial);
	nb = partners_find_linear(ps, q, 0, b, n, n);
	assert(!partial && na == nb && na <= n);
	assert(memcmp(a, b, na * sizeof(*a)) == 0);
	free(a);
	free(b);
}

static void
check_search(const struct partners *ps)
{
	struct buf	 out = BUF_INIT, f = BUF_INIT;
	struct gemtext	 doc;
	const char	*name, *sp, *errstr;
	char		*word, *nl, *end;
	size_t		 len, lineno, i, k;
	unsigned long	 hits;

	if (partners_count(ps) == 0)
		return;
	name = partners_name(ps, 0);
	assert(name != NULL && name[0] != '\0' && name[0] != ' ');
	len = (sp = strchr(name, ' ')) != NULL ? (size_t)(sp - name) :
	    strlen(name);
	if (len > PARTNERS_QUERY_MAX)
		return;
	word = strndup(name, len);
	assert(word != NULL);
	partners_fold(&f, word, len);
	assert(!f.failed);

	assert(partners_search(ps, word, 1, PARTNERS_LINK_QUERY, &out,
	    &errstr) == 0);
	assert(!out.failed);
	assert(gemtext_parse(out.data, out.len, &doc, &errstr,
	    &lineno) == 0);
	gemtext_free(&doc);
	for (i = 0; i < f.len && i < 4; i++)
		for (k = 1; i + k <= f.len && k <= 5; k++)
			check_index(ps, f.data + i, k);
	if (f.len > 0) {
		/* "# Partnersuche\n" then "N Treffer für ..." */
		assert((nl = strchr(out.data, '\n')) != NULL);
		hits = strtoul(nl + 1, &end, 10);
		assert(end != nl + 1 && hits >= 1 &&
		    strncmp(end, " Treffer", 8) == 0);
	}
	buf_free(&f);
	buf_free(&out);
	free(word);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct partners		*ps;
	struct section_page	*pages;
	struct gemtext		 doc;
	const char		*errstr;
	struct buf		 b = BUF_INIT;
	size_t			 lineno, npages, nlines, i, g, sum, want, pg;
	int			 g2;
	bool			 lazy, first;

	if ((ps = partners_load((const char *)data, size, BASE, &errstr,
	    &lineno)) == NULL) {
		assert(errstr != NULL);
		return 0;
	}
	partners_set_msg(ps, msg_table("de"));	/* the checks read German */
	for (i = 0, nlines = 1; i < size; i++)
		if (data[i] == '\n')
			nlines++;
	assert(partners_count(ps) <= nlines);
	for (i = 0; i < partners_count(ps); i++) {
		assert(partners_name(ps, i) != NULL);
		assert(partners_url(ps, i) == NULL ||
		    strpbrk(partners_url(ps, i), "\"<>") == NULL);
	}
	assert(partners_name(ps, partners_count(ps)) == NULL);

	want = partners_npages(partners_count(ps));
	for (g = 0, sum = 0; g < PARTNERS_NGROUPS; g++) {
		sum += partners_group_count(ps, g);
		want += partners_npages(partners_group_count(ps, g));
	}
	assert(sum == partners_count(ps));

	if (partners_render(ps, true, &pages, &npages, &errstr) == 0) {
		assert(npages == want);
		assert(strcmp(pages[0].path, BASE) == 0);
		for (i = 0; i < npages; i++) {
			assert(strncmp(pages[i].path, BASE,
			    strlen(BASE)) == 0);
			assert(strspn(pages[i].path,
			    "abcdefghijklmnopqrstuvwxyz0123456789./-") ==
			    strlen(pages[i].path));
			assert(strlen(pages[i].text) == pages[i].len);
			assert(gemtext_parse(pages[i].text, pages[i].len,
			    &doc, &errstr, &lineno) == 0);
			gemtext_free(&doc);
			/* page 1 of each list is held, the rest rendered
			   on request: the same bytes */
			lazy = partners_is_list(ps, pages[i].path, &g2, &pg);
			first = strcmp(pages[i].path + strlen(pages[i].path) -
			    1, "/") == 0;
			assert(lazy != first);
			if (lazy) {
				buf_reset(&b);
				assert(partners_list_page(ps, g2, pg, &b,
				    &errstr) == 0);
				assert(b.len == pages[i].len && memcmp(b.data,
				    pages[i].text, b.len) == 0);
			}
		}
		buf_free(&b);
		section_pages_free(pages, npages);
	}
	check_search(ps);
	partners_free(ps);
	return 0;
}
