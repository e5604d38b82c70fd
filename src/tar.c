#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tar.h"

static const char	 zeros[2 * TAR_BLOCK];

/* VAL as LEN - 1 octal digits and a NUL; false if it does not fit. */
static bool
octal(char *field, size_t len, unsigned long long val)
{
	size_t	 i = len - 1;

	field[i] = '\0';
	while (i > 0) {
		field[--i] = (char)('0' + (val & 7));
		val >>= 3;
	}
	return val == 0;
}

int
tar_header(char hdr[TAR_BLOCK], const char *name, bool dir,
    unsigned long long size, long long mtime)
{
	const char	*base = name, *p;
	size_t		 len = strlen(name), plen = 0, i;
	unsigned int	 sum = 0;

	memset(hdr, 0, TAR_BLOCK);
	if (len > TAR_NAME_MAX) {
		/* split at the last '/' that leaves at most 100 bytes */
		for (p = name + len - 1; p > name; p--)
			if (*p == '/' && (size_t)(name + len - p - 1) <=
			    TAR_NAME_MAX && p[1] != '\0')
				base = p + 1;
		plen = base == name ? 0 : (size_t)(base - name - 1);
		if (base == name || plen > TAR_PREFIX_MAX)
			return -1;
		memcpy(hdr + 345, name, plen);		/* prefix */
	}
	memcpy(hdr, base, strlen(base));		/* name */
	if (dir)
		size = 0;
	if (!octal(hdr + 124, 12, size))
		return -1;
	(void)octal(hdr + 100, 8, dir ? 0755 : 0644);	/* mode */
	(void)octal(hdr + 108, 8, 0);			/* uid */
	(void)octal(hdr + 116, 8, 0);			/* gid */
	if (mtime < 0 || !octal(hdr + 136, 12, (unsigned long long)mtime))
		(void)octal(hdr + 136, 12, 0);
	hdr[156] = dir ? '5' : '0';			/* typeflag */
	memcpy(hdr + 257, "ustar", 6);			/* magic, NUL */
	memcpy(hdr + 263, "00", 2);			/* version */
	/* uname and gname stay empty: no owner names */
	memset(hdr + 148, ' ', 8);
	for (i = 0; i < TAR_BLOCK; i++)
		sum += (unsigned char)hdr[i];
	(void)octal(hdr + 148, 7, sum);			/* NUL, then ' ' */
	hdr[155] = ' ';
	return 0;
}

size_t
tar_padding(unsigned long long size)
{
	return (size_t)((TAR_BLOCK - size % TAR_BLOCK) % TAR_BLOCK);
}

static int
add_piece(struct tar *t, const char *data, size_t len)
{
	struct tar_piece	*np;
	size_t			 cap;

	if (len == 0)
		return 0;
	if (t->npieces == t->cap) {
		cap = t->cap == 0 ? 64 : t->cap * 2;
		if ((np = reallocarray(t->pieces, cap, sizeof(*np))) == NULL)
			return -1;
		t->pieces = np;
		t->cap = cap;
	}
	t->pieces[t->npieces].data = data;
	t->pieces[t->npieces++].len = len;
	t->size += len;
	return 0;
}

/* A copy of LEN bytes at DATA that T owns, or NULL. */
static char *
keep(struct tar *t, const char *data, size_t len)
{
	char	**no, *p;
	size_t	 cap;

	if (t->nowned == t->ocap) {
		cap = t->ocap == 0 ? 64 : t->ocap * 2;
		if ((no = reallocarray(t->owned, cap, sizeof(*no))) == NULL)
			return NULL;
		t->owned = no;
		t->ocap = cap;
	}
	if ((p = malloc(len > 0 ? len : 1)) == NULL)
		return NULL;
	memcpy(p, data, len);
	t->owned[t->nowned++] = p;
	return p;
}

int
tar_add(struct tar *t, const char *name, const char *data, size_t len,
    long long mtime, bool copy)
{
	char	 hdr[TAR_BLOCK];
	char	*h;
	bool	 dir = data == NULL;

	if (tar_header(hdr, name, dir, len, mtime) == -1) {
		errno = strlen(name) > TAR_NAME_MAX ? ENAMETOOLONG : EFBIG;
		return -1;
	}
	if ((h = keep(t, hdr, sizeof(hdr))) == NULL || add_piece(t, h,
	    sizeof(hdr)) == -1)
		goto oom;
	if (dir)
		return 0;
	if (copy && len > 0 && (data = keep(t, data, len)) == NULL)
		goto oom;
	if (add_piece(t, data, len) == -1 ||
	    add_piece(t, zeros, tar_padding(len)) == -1)
		goto oom;
	return 0;
 oom:
	errno = ENOMEM;
	return -1;
}

int
tar_finish(struct tar *t)
{
	if (t->done)
		return 0;
	if (add_piece(t, zeros, sizeof(zeros)) == -1) {
		errno = ENOMEM;
		return -1;
	}
	t->done = true;
	return 0;
}

void
tar_free(struct tar *t)
{
	size_t	 i;

	if (t == NULL)
		return;
	for (i = 0; i < t->nowned; i++)
		free(t->owned[i]);
	free(t->owned);
	free(t->pieces);
	memset(t, 0, sizeof(*t));
}
