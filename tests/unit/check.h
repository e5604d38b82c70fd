/*
 * check.h: the unit tests' only "framework".  CHECK() prints the failing
 * expression with its file and line and counts it; a test's main() ends
 * with CHECK_DONE(), which prints "N passed, N failed" and sets the exit
 * status.
 */
#ifndef CHECK_H
#define CHECK_H

#include <stdint.h>
#include <stdio.h>
#include <string.h>

static int check_passed, check_failed;

/*
 * A number below N from the Lehmer generator whose state is *SEED
 * (not 0): the same sequence on every run, so a failing random test
 * fails again.
 */
static inline uint32_t
check_rnd(uint32_t *seed, uint32_t n)
{
	*seed = (uint32_t)(((uint64_t)*seed * 48271) % 2147483647);
	return *seed % n;
}

#define CHECK(expr) do {						\
	if (expr)							\
		check_passed++;						\
	else {								\
		check_failed++;						\
		fprintf(stderr, "%s:%d: FAIL: %s\n", __FILE__, __LINE__,\
		    #expr);						\
	}								\
} while (0)

/* Compare two NUL-terminated strings and show both on failure. */
#define CHECK_STR(got, want) do {					\
	const char *check_g = (got), *check_w = (want);			\
	if (check_g != NULL && strcmp(check_g, check_w) == 0)		\
		check_passed++;						\
	else {								\
		check_failed++;						\
		fprintf(stderr, "%s:%d: FAIL: %s\n  got:  \"%s\"\n"	\
		    "  want: \"%s\"\n", __FILE__, __LINE__, #got,	\
		    check_g ? check_g : "(null)", check_w);		\
	}								\
} while (0)

#define CHECK_DONE() do {						\
	printf("%d passed, %d failed\n", check_passed, check_failed);	\
	return check_failed ? 1 : 0;					\
} while (0)

#endif
