/*
 * test_utf8: decoding, validation and display width (src/utf8.c).
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "check.h"
#include "utf8.h"

/* Decode all of S; true if it is one code point WANT of LEN bytes. */
static bool
decodes_to(const char *s, size_t len, uint32_t want)
{
	uint32_t	 cp = 0xdeadbeef;

	if (utf8_decode(s, len, &cp) != len || cp != want) {
		fprintf(stderr, "  got U+%04X\n", (unsigned)cp);
		return false;
	}
	return true;
}

/* True if S (LEN bytes) is refused both by decode and by validation. */
static bool
malformed(const char *s, size_t len)
{
	uint32_t	 cp;

	return utf8_decode(s, len, &cp) == 0 && !utf8_is_valid(s, len);
}

static void
test_decode_one_byte(void)
{
	CHECK(decodes_to("A", 1, 0x41));
	CHECK(decodes_to("\x7f", 1, 0x7f));
	CHECK(decodes_to("", 1, 0));		/* the NUL byte itself */
}

static void
test_decode_two_bytes(void)
{
	CHECK(decodes_to("\xc2\x80", 2, 0x80));
	CHECK(decodes_to("\xc3\xa4", 2, 0xe4));		/* ä */
	CHECK(decodes_to("\xdf\xbf", 2, 0x7ff));
}

static void
test_decode_three_bytes(void)
{
	CHECK(decodes_to("\xe0\xa0\x80", 3, 0x800));
	CHECK(decodes_to("\xe2\x80\x9e", 3, 0x201e));	/* „ */
	CHECK(decodes_to("\xe2\x82\xac", 3, 0x20ac));	/* € */
	CHECK(decodes_to("\xed\x9f\xbf", 3, 0xd7ff));	/* before surrogates */
	CHECK(decodes_to("\xee\x80\x80", 3, 0xe000));	/* after them */
	CHECK(decodes_to("\xef\xbf\xbf", 3, 0xffff));
}

static void
test_decode_four_bytes(void)
{
	CHECK(decodes_to("\xf0\x90\x80\x80", 4, 0x10000));
	CHECK(decodes_to("\xf0\x9f\x98\x80", 4, 0x1f600));	/* 😀 */
	CHECK(decodes_to("\xf4\x8f\xbf\xbf", 4, 0x10ffff));
}

static void
test_decode_reads_only_the_first_code_point(void)
{
	uint32_t	 cp;

	CHECK(utf8_decode("\xc3\xa4x", 3, &cp) == 2 && cp == 0xe4);
	CHECK(utf8_decode("ab", 2, &cp) == 1 && cp == 'a');
	CHECK(utf8_decode("a", 0, &cp) == 0);
}

static void
test_overlong_rejected(void)
{
	CHECK(malformed("\xc0\xaf", 2));
	CHECK(malformed("\xc1\xbf", 2));
	CHECK(malformed("\xe0\x80\xaf", 3));
	CHECK(malformed("\xe0\x9f\xbf", 3));
	CHECK(malformed("\xf0\x80\x80\xaf", 4));
	CHECK(malformed("\xf0\x8f\xbf\xbf", 4));
}

static void
test_surrogates_rejected(void)
{
	CHECK(malformed("\xed\xa0\x80", 3));		/* U+D800 */
	CHECK(malformed("\xed\xbf\xbf", 3));		/* U+DFFF */
	CHECK(malformed("\xed\xa0\xbd\xed\xb8\x80", 6));	/* CESU-8 pair */
}

static void
test_past_max_rejected(void)
{
	CHECK(malformed("\xf4\x90\x80\x80", 4));	/* U+110000 */
	CHECK(malformed("\xf5\x80\x80\x80", 4));
	CHECK(malformed("\xf7\xbf\xbf\xbf", 4));
	CHECK(malformed("\xf8\x88\x80\x80\x80", 5));
	CHECK(malformed("\xff", 1));
	CHECK(malformed("\xfe", 1));
}

static void
test_truncated_rejected(void)
{
	CHECK(malformed("\xc3", 1));
	CHECK(malformed("\xe2\x80", 2));
	CHECK(malformed("\xf0\x9f\x98", 3));
	/* the bytes are there but LEN stops short of them */
	CHECK(malformed("\xc3\xa4", 1));
	CHECK(malformed("\xf0\x9f\x98\x80", 3));
	/* a lead byte followed by something that does not continue it */
	CHECK(malformed("\xc3" "a", 2));
	CHECK(malformed("\xe2\x80" "a", 3));
	CHECK(malformed("\xf0\x9f\x98" "a", 4));
	CHECK(malformed("\xc3\xc3\xa4", 3));
}

static void
test_lone_continuation_rejected(void)
{
	CHECK(malformed("\x80", 1));
	CHECK(malformed("\xbf", 1));
	CHECK(!utf8_is_valid("a\x80" "b", 3));
}

static void
test_is_valid(void)
{
	static const char	 s[] = "Gr\xc3\xbc\xc3\x9f" "e \xe2\x80\x9e"
	    "x\xe2\x80\x9c \xe4\xb8\xad \xf0\x9f\x98\x80";

	CHECK(utf8_is_valid("", 0));
	CHECK(utf8_is_valid("plain ASCII\t\r\n", 14));
	CHECK(utf8_is_valid(s, sizeof(s) - 1));
	/* every proper prefix that cuts a sequence is invalid */
	CHECK(!utf8_is_valid(s, 3));
	CHECK(!utf8_is_valid(s, sizeof(s) - 2));
	/* an embedded NUL is a code point like any other */
	CHECK(utf8_is_valid("a\0b", 3));
}

static void
test_width_ascii_is_one(void)
{
	CHECK(utf8_cp_width('a') == 1);
	CHECK(utf8_cp_width(' ') == 1);
	CHECK(utf8_cp_width('~') == 1);
	CHECK(utf8_width("Hallo", 5) == 5);
}

static void
test_width_latin_and_punctuation_is_one(void)
{
	CHECK(utf8_cp_width(0xe4) == 1);	/* ä */
	CHECK(utf8_cp_width(0xdf) == 1);	/* ß */
	CHECK(utf8_cp_width(0x201e) == 1);	/* „ */
	CHECK(utf8_cp_width(0x201c) == 1);	/* “ */
	CHECK(utf8_cp_width(0x2013) == 1);	/* – */
	CHECK(utf8_cp_width(0x2014) == 1);	/* — */
	CHECK(utf8_cp_width(0x20ac) == 1);	/* € */
	CHECK(utf8_width("\xc3\xa4\xe2\x80\x9e\xe2\x80\x93", 8) == 3);
}

static void
test_width_combining_is_zero(void)
{
	CHECK(utf8_cp_width(0x0308) == 0);	/* combining diaeresis */
	CHECK(utf8_cp_width(0x0301) == 0);
	CHECK(utf8_cp_width(0x200b) == 0);	/* zero width space */
	CHECK(utf8_cp_width(0xfeff) == 0);
	CHECK(utf8_cp_width(0xfe0f) == 0);	/* variation selector */
	/* "a" + U+0308 shows as one "ä" */
	CHECK(utf8_width("a\xcc\x88", 3) == 1);
}

static void
test_width_wide_is_two(void)
{
	CHECK(utf8_cp_width(0x4e2d) == 2);	/* 中 */
	CHECK(utf8_cp_width(0x3042) == 2);	/* あ */
	CHECK(utf8_cp_width(0xac00) == 2);	/* 가 */
	CHECK(utf8_cp_width(0xff21) == 2);	/* fullwidth A */
	CHECK(utf8_cp_width(0x1f600) == 2);	/* 😀 */
	CHECK(utf8_cp_width(0x1f680) == 2);	/* 🚀 */
	CHECK(utf8_cp_width(0x20000) == 2);
	CHECK(utf8_width("\xe4\xb8\xad\xe6\x96\x87", 6) == 4);
	CHECK(utf8_width("\xf0\x9f\x98\x80!", 5) == 3);
}

static void
test_width_range_edges(void)
{
	CHECK(utf8_cp_width(0x02ff) == 1);
	CHECK(utf8_cp_width(0x0300) == 0);
	CHECK(utf8_cp_width(0x036f) == 0);
	CHECK(utf8_cp_width(0x0370) == 1);
	CHECK(utf8_cp_width(0x10ff) == 1);
	CHECK(utf8_cp_width(0x1100) == 2);
	CHECK(utf8_cp_width(0x115f) == 2);
	CHECK(utf8_cp_width(0x1160) == 1);
	CHECK(utf8_cp_width(0x3fffd) == 2);
	CHECK(utf8_cp_width(0x10ffff) == 1);
}

static void
test_width_stray_byte_is_one(void)
{
	CHECK(utf8_width("a\xff" "b", 3) == 3);
	CHECK(utf8_width("\xe4\xb8", 2) == 2);
	CHECK(utf8_width("", 0) == 0);
}

int
main(void)
{
	test_decode_one_byte();
	test_decode_two_bytes();
	test_decode_three_bytes();
	test_decode_four_bytes();
	test_decode_reads_only_the_first_code_point();
	test_overlong_rejected();
	test_surrogates_rejected();
	test_past_max_rejected();
	test_truncated_rejected();
	test_lone_continuation_rejected();
	test_is_valid();
	test_width_ascii_is_one();
	test_width_latin_and_punctuation_is_one();
	test_width_combining_is_zero();
	test_width_wide_is_two();
	test_width_range_edges();
	test_width_stray_byte_is_one();
	CHECK_DONE();
}
