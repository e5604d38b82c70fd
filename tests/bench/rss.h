/*
 * rss.h: the bench tools' reading of their own resident memory.
 */
#ifndef BENCH_RSS_H
#define BENCH_RSS_H

#include <stdio.h>

/* This process's /proc/self/status field KEY ("VmRSS:") in KiB, or -1. */
static inline long
status_kib(const char *key)
{
	char	 line[256], fmt[64];
	long	 kb = -1;
	FILE	*fp;

	snprintf(fmt, sizeof(fmt), "%s %%ld", key);
	if ((fp = fopen("/proc/self/status", "r")) == NULL)
		return -1;
	while (fgets(line, sizeof(line), fp) != NULL)
		if (sscanf(line, fmt, &kb) == 1)
			break;
	fclose(fp);
	return kb;
}

/* This process's VmRSS in KiB, or -1. */
static inline long
rss_kib(void)
{
	return status_kib("VmRSS:");
}

/* This process's VmHWM (peak resident) in KiB, or -1. */
static inline long
hwm_kib(void)
{
	return status_kib("VmHWM:");
}

/* Start VmHWM over from the resident memory now (Linux 4.0 on). */
static inline void
hwm_reset(void)
{
	FILE	*fp;

	if ((fp = fopen("/proc/self/clear_refs", "w")) != NULL) {
		fputs("5", fp);
		fclose(fp);
	}
}

#endif
