/* tar.c: the ustar header, its checksum and fields, padding, the end. */
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "tar.h"

static unsigned long
field(const char *f, size_t len)
{
	char	 tmp[16];

	memcpy(tmp, f, len);
	tmp[len] = '\0';
	return strtoul(tmp, NULL, 8);
}

static void
test_header(void)
{
	char		 h[TAR_BLOCK];
	unsigned long	 sum = 0;
	size_t		 i;

	CHECK(tar_header(h, "host/a.gmi", false, 1234, 1700000000) == 0);
	CHECK_STR(h, "host/a.gmi");
	CHECK(memcmp(h + 100, "0000644", 8) == 0);
	CHECK(memcmp(h + 108, "0000000", 8) == 0);	/* uid */
	CHECK(memcmp(h + 116, "0000000", 8) == 0);	/* gid */
	CHECK(field(h + 124, 11) == 1234);
	CHECK(field(h + 136, 11) == 1700000000UL);
	CHECK(h[156] == '0');
	CHECK(memcmp(h + 257, "ustar\0" "00", 8) == 0);
	CHECK(h[265] == '\0' && h[297] == '\0');	/* no uname, gname */
	CHECK(h[154] == '\0' && h[155] == ' ');
	for (i = 0; i < TAR_BLOCK; i++)
		sum += (unsigned char)(i >= 148 && i < 156 ? ' ' : h[i]);
	CHECK(field(h + 148, 6) == sum);

	CHECK(tar_header(h, "host/f/", true, 99, -5) == 0);
	CHECK_STR(h, "host/f/");
	CHECK(memcmp(h + 100, "0000755", 8) == 0);
	CHECK(field(h + 124, 11) == 0);
	CHECK(field(h + 136, 11) == 0);			/* before 1970: 0 */
	CHECK(h[156] == '5');

	CHECK(tar_header(h, "x", false, TAR_SIZE_MAX + 1, 0) == -1);
}

static void
test_long_names(void)
{
	char	 h[TAR_BLOCK], name[400], base[101];

	/* 150 bytes of folders, a 100-byte name: prefix and name */
	memset(name, 'd', 150);
	name[150] = '/';
	memset(name + 151, 'n', 100);
	name[251] = '\0';
	CHECK(tar_header(h, name, false, 1, 0) == 0);
	memcpy(base, h, 100);
	base[100] = '\0';
	CHECK(strlen(base) == 100 && base[0] == 'n');
	CHECK(h[345] == 'd' && h[345 + 149] == 'd' && h[345 + 150] == '\0');
	/* a last part over 100 bytes, or a prefix over 155: refused */
	memset(name, 'n', 101);
	name[101] = '\0';
	CHECK(tar_header(h, name, false, 1, 0) == -1);
	memset(name, 'd', 156);
	name[156] = '/';
	strcpy(name + 157, "a.gmi");
	CHECK(tar_header(h, name, false, 1, 0) == -1);
}

static void
test_archive(void)
{
	struct tar	 t;
	char		 body[600];
	size_t		 i, len = 0;
	char		*all, *p;

	memset(&t, 0, sizeof(t));
	memset(body, 'x', sizeof(body));
	CHECK(tar_padding(0) == 0 && tar_padding(1) == 511 &&
	    tar_padding(512) == 0 && tar_padding(600) == 424);
	CHECK(tar_add(&t, "h/", NULL, 0, 7, TAR_BORROW) == 0);
	CHECK(tar_add(&t, "h/a", body, sizeof(body), 7, TAR_COPY) == 0);
	CHECK(tar_add(&t, "h/e", "", 0, 7, TAR_BORROW) == 0);
	CHECK(tar_finish(&t) == 0);
	/* 3 headers, 600 bytes padded to 1024, two end blocks */
	CHECK(t.size == 3 * 512 + 1024 + 1024);
	all = calloc(1, (size_t)t.size);
	for (i = 0, p = all; i < t.npieces; i++) {
		memcpy(p, t.pieces[i].data, t.pieces[i].len);
		p += t.pieces[i].len;
		len += t.pieces[i].len;
	}
	CHECK(len == t.size);
	CHECK_STR(all + 512, "h/a");
	CHECK(memcmp(all + 1024, body, sizeof(body)) == 0);
	CHECK(all[1024 + 600] == '\0' && all[2047] == '\0');
	CHECK_STR(all + 2048, "h/e");
	for (i = 2560; i < len; i++)
		if (all[i] != '\0')
			break;
	CHECK(i == len);
	free(all);
	tar_free(&t);
}

int
main(void)
{
	test_header();
	test_long_names();
	test_archive();
	CHECK_DONE();
}
