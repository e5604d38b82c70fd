/*
 * lineholds.h: the reference collate_may_hold() is checked against, for
 * the unit test and the fuzzer: one line at a time, folded in both
 * search forms.
 */
#ifndef TESTS_LINEHOLDS_H
#define TESTS_LINEHOLDS_H

#include <string.h>

#include "buf.h"
#include "collate.h"

/*
 * 1 if a line of TEXT (LEN bytes, lines ended by "\n") holds the folded
 * query FQ (FLEN bytes) in a search form, 0 if none does, -1 if memory
 * ran out.
 */
static inline int
line_holds(const char *text, size_t len, const char *fq, size_t flen)
{
	struct buf	 ae = BUF_INIT, a = BUF_INIT;
	const char	*p = text, *nl, *end = text + len;
	int		 hit = 0;

	while (p < end && hit == 0) {
		if ((nl = memchr(p, '\n', (size_t)(end - p))) == NULL)
			nl = end;
		buf_reset(&ae);
		buf_reset(&a);
		collate_fold(&ae, p, (size_t)(nl - p), COLLATE_AE);
		collate_fold(&a, p, (size_t)(nl - p), COLLATE_A);
		if (ae.failed || a.failed)
			hit = -1;
		else
			hit = (ae.len > 0 && memmem(ae.data, ae.len, fq,
			    flen) != NULL) || (a.len > 0 && memmem(a.data,
			    a.len, fq, flen) != NULL);
		p = nl + 1;
	}
	buf_free(&ae);
	buf_free(&a);
	return hit;
}

#endif
