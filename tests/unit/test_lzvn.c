/* SPDX-License-Identifier: MIT */
/*
 * test_lzvn.c - codec/lzvn.c: hand-assembled streams whose output is worked
 * out from the opcode table (see the comment at the top of codec/lzvn.c),
 * error paths, a seeded mutation loop (run it under `make asan`), and real
 * data: the decmpfs type-8 resource fork of basic.img's compressed.txt,
 * from the file LZVN_FORK names (tests/cli/lzvn_fork.sh), else extracted
 * here from $IMAGES/basic.img with TSK's istat and icat, as that script
 * does.  Its expected content is `seq 1 5000`, 23,893 bytes, SHA-256 from
 * IMAGES.md.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <openssl/evp.h>

#include "util/bytes.h"
#include "util/err.h"
#include "codec/lzvn.h"

#define EOS 0x06, 0, 0, 0, 0, 0, 0, 0

/* Decode src and check the output is exactly want[0..wantlen). */
static void expect_out(const uint8_t *src, size_t n, const char *want, size_t wantlen)
{
	uint8_t out[256];
	size_t len = 999;

	assert_int_equal(apfs_lzvn_decode(src, n, out, sizeof(out), &len), 0);
	assert_int_equal(len, wantlen);
	assert_memory_equal(out, want, wantlen);
}

static int decode_rc(const uint8_t *src, size_t n, size_t cap)
{
	uint8_t out[256];
	size_t len;

	assert_true(cap <= sizeof(out));
	return apfs_lzvn_decode(src, n, out, cap, &len);
}

/*
 * E3 = 1110 0011: sml_l, L = 3, literal "abc".
 * 00 03 = 00 000 000 00000011: sml_d, L = 0, M = 0 + 3, D = 0 << 8 | 3:
 * copy 3 bytes from 3 back -> "abc".  Then EOS.  Output "abcabc".
 */
static void test_sml_l_sml_d(void **state)
{
	static const uint8_t s[] = { 0xe3, 'a', 'b', 'c', 0x00, 0x03, EOS };

	(void)state;
	expect_out(s, sizeof(s), "abcabc", 6);
}

/*
 * 90 01 = 10 010 000 00000001: sml_d, L = 2 ("xy"), M = 2 + 3 = 5, D = 1.
 * D = 1 < M: the match repeats the last byte five times (an overlapping
 * copy, byte by byte).  Output "xy" + "yyyyy".
 */
static void test_overlap(void **state)
{
	static const uint8_t s[] = { 0x90, 0x01, 'x', 'y', EOS };

	(void)state;
	expect_out(s, sizeof(s), "xyyyyyy", 7);
}

/*
 * Every other opcode, P = "ABCDEFGHIJKLMNOPQ" (17 bytes):
 *   E0 01           lrg_l, L = 1 + 16 = 17: P                      (17)
 *   A4 45 00        med_d 101 00 100: L = 0; byte1 = 010001 01, so
 *                   M = (100 << 2 | 01) + 3 = 20, D = 010001 | 0 << 6 = 17
 *                   -> 20 bytes continuing P with period 17        (37)
 *   0E              nop
 *   F2              sml_m, M = 2, D stays 17                       (39)
 *   F0 00           lrg_m, M = 0 + 16, D 17                        (55)
 *   so bytes 0..54 are P repeated.
 *   07 37 00        lrg_d 00 000 111: L = 0, M = 3, D = 0x0037 = 55
 *                   -> bytes 0..2 "ABC"                            (58)
 *   46 'z'          pre_d 01 000 110: L = 1 "z", M = 3, D = 55 still:
 *                   position 59 - 55 = 4 -> "EFG"                  (62)
 *   EOS
 */
static void test_all_opcodes(void **state)
{
	static const uint8_t s[] = {
		0xe0, 0x01, 'A', 'B', 'C', 'D', 'E', 'F', 'G', 'H', 'I', 'J', 'K', 'L', 'M',
		'N', 'O', 'P', 'Q', 0xa4, 0x45, 0x00, 0x0e, 0xf2, 0xf0, 0x00, 0x07, 0x37,
		0x00, 0x46, 'z', EOS
	};
	char want[62];

	(void)state;
	for (int i = 0; i < 55; i++)
		want[i] = (char)('A' + i % 17);
	memcpy(want + 55, "ABCzEFG", 7);
	expect_out(s, sizeof(s), want, sizeof(want));
}

/* Only the EOS opcode: empty output; trailing bytes after it are ignored. */
static void test_empty(void **state)
{
	static const uint8_t s[] = { EOS, 0xff, 0xff };

	(void)state;
	expect_out(s, sizeof(s), "", 0);
}

static void test_errors(void **state)
{
	static const uint8_t far[] = { 0x00, 0x05, EOS };      /* D 5 with no output */
	static const uint8_t nodist[] = { 0xf3, EOS };         /* sml_m before any D */
	static const uint8_t d0[] = { 0xe1, 'a', 0x00, 0x00, EOS }; /* D = 0 */
	/* "abc", then D = 4: one byte before the output starts (D = 3 is the edge). */
	static const uint8_t before[] = { 0xe3, 'a', 'b', 'c', 0x00, 0x04, EOS };
	static const uint8_t noeos[] = { 0xe3, 'a', 'b', 'c' };
	static const uint8_t shorteos[] = { 0xe1, 'a', 0x06, 0, 0 };
	static const uint8_t shortlit[] = { 0xef, 'a', 'b' };  /* L 15, 2 given */
	static const uint8_t big[] = { 0xe3, 'a', 'b', 'c', 0x00, 0x03, 0xf0, 0xff, EOS };
	static const uint8_t udef[] = { 0x1e, 0x70, 0x7f, 0xd0, 0xdf, 0x3e };

	(void)state;
	assert_int_equal(decode_rc(far, sizeof(far), 64), -APFS_ECORRUPT);
	assert_int_equal(decode_rc(nodist, sizeof(nodist), 64), -APFS_ECORRUPT);
	assert_int_equal(decode_rc(d0, sizeof(d0), 64), -APFS_ECORRUPT);
	assert_int_equal(decode_rc(before, sizeof(before), 64), -APFS_ECORRUPT);
	assert_int_equal(decode_rc(noeos, sizeof(noeos), 64), -APFS_ECORRUPT);
	assert_int_equal(decode_rc(shorteos, sizeof(shorteos), 64), -APFS_ECORRUPT);
	assert_int_equal(decode_rc(shortlit, sizeof(shortlit), 64), -APFS_ECORRUPT);
	assert_int_equal(decode_rc(noeos, 0, 64), -APFS_ECORRUPT);
	/* 3 literals, a 3-byte match, then 255 + 16 = 271 more: 277 > 256. */
	assert_int_equal(decode_rc(big, sizeof(big), 256), -ENOSPC);
	assert_int_equal(decode_rc(big, sizeof(big), 2), -ENOSPC);
	for (size_t i = 0; i < sizeof(udef); i++) {
		uint8_t s[9] = { udef[i], EOS };

		assert_int_equal(decode_rc(s, sizeof(s), 64), -APFS_ECORRUPT);
	}
}

/* decode_at: a match may reach into output written before this stream. */
static void test_history(void **state)
{
	static const uint8_t s[] = { 0x00, 0x04, EOS }; /* M 3, D 4 */
	uint8_t out[16] = "wxyz";
	size_t pos = 4, used = 0;

	(void)state;
	assert_int_equal(apfs_lzvn_decode_at(s, sizeof(s), &used, out, sizeof(out), &pos), 0);
	assert_int_equal(pos, 7);
	assert_int_equal(used, sizeof(s));
	assert_memory_equal(out, "wxyzwxy", 7);
}

/* xorshift64: a fixed-seed generator, so failures reproduce. */
/*
 * The input-length and output-room checks at their exact values (a loosened
 * check reads a byte past the input, or writes one past the room: each
 * case below then decodes instead of being refused).
 */
static void test_parse_edges(void **state)
{
	/* The 8-byte end-of-stream opcode with 8 bytes left, then with 7. */
	static const uint8_t eos[] = { EOS };
	/* sml_l "abc" with its 3 literal bytes given, then with 2 of them. */
	static const uint8_t lit[] = { 0xe3, 'a', 'b', 'c', EOS };

	(void)state;
	expect_out(eos, 8, "", 0);
	assert_int_equal(decode_rc(eos, 7, 256), -APFS_ECORRUPT);
	expect_out(lit, sizeof(lit), "abc", 3);
	/* Input past its end is corrupt whatever the room (checked first). */
	assert_int_equal(decode_rc(lit, 3, 256), -APFS_ECORRUPT);
	assert_int_equal(decode_rc(lit, 3, 0), -APFS_ECORRUPT);
	assert_int_equal(decode_rc(lit, 4, 0), -ENOSPC);
}

/* A match that fills the output exactly, then with one byte less room. */
static void test_match_room_edge(void **state)
{
	static const uint8_t s[] = { 0xe3, 'a', 'b', 'c', 0x00, 0x03, EOS };
	uint8_t out[16];
	size_t len = 0;

	(void)state;
	assert_int_equal(apfs_lzvn_decode(s, sizeof(s), out, 6, &len), 0);
	assert_int_equal(len, 6);
	assert_memory_equal(out, "abcabc", 6);
	assert_int_equal(decode_rc(s, sizeof(s), 5), -ENOSPC);
}

static uint64_t rnd(uint64_t *x)
{
	*x ^= *x << 13;
	*x ^= *x >> 7;
	*x ^= *x << 17;
	return *x;
}

/*
 * Mutate a valid stream thousands of times (flip, replace, truncate, insert)
 * and decode into a tight heap buffer: every result must be an error or fit
 * dstcap.  Under ASan any stray read or write aborts the test.
 */
static void test_mutations(void **state)
{
	static const uint8_t base[] = {
		0xe0, 0x01, 'A', 'B', 'C', 'D', 'E', 'F', 'G', 'H', 'I', 'J', 'K', 'L', 'M',
		'N', 'O', 'P', 'Q', 0xa4, 0x45, 0x00, 0x0e, 0xf2, 0xf0, 0x00, 0x07, 0x37,
		0x00, 0x46, 'z', EOS
	};
	uint64_t seed = 0x5eed1234abcdULL;
	size_t cap = 70, len, n;
	uint8_t *out = malloc(cap), *buf;
	int ok = 0;

	(void)state;
	for (int it = 0; it < 5000; it++) {
		n = sizeof(base) + 8;
		buf = malloc(n);
		memcpy(buf, base, sizeof(base));
		memset(buf + sizeof(base), 0, 8);
		n = sizeof(base);
		for (int k = 0; k < 1 + (int)(rnd(&seed) % 4); k++) {
			size_t at = rnd(&seed) % n;
			switch (rnd(&seed) % 4) {
			case 0: buf[at] ^= (uint8_t)(1u << (rnd(&seed) % 8)); break;
			case 1: buf[at] = (uint8_t)rnd(&seed); break;
			case 2: n = at; break;
			default:
				memmove(buf + at + 1, buf + at, n - at);
				buf[at] = (uint8_t)rnd(&seed);
				n++;
			}
			if (n == 0)
				break;
		}
		/* Exact-size copy so ASan sees any read past the end. */
		uint8_t *exact = malloc(n ? n : 1);
		memcpy(exact, buf, n);
		int ret = apfs_lzvn_decode(exact, n, out, cap, &len);
		assert_true(ret == 0 || ret == -APFS_ECORRUPT || ret == -ENOSPC);
		if (ret == 0) {
			assert_true(len <= cap);
			ok++;
		}
		free(exact);
		free(buf);
	}
	free(out);
	print_message("# %d of 5000 mutated streams decoded\n", ok);
}

/* Pure noise of random lengths: never a crash. */
static void test_random(void **state)
{
	uint64_t seed = 42;
	uint8_t out[300];
	size_t len;

	(void)state;
	for (int it = 0; it < 3000; it++) {
		size_t n = rnd(&seed) % 200;
		uint8_t *src = malloc(n ? n : 1);

		for (size_t i = 0; i < n; i++)
			src[i] = (uint8_t)rnd(&seed);
		int ret = apfs_lzvn_decode(src, n, out, sizeof(out), &len);
		assert_true(ret == 0 || ret == -APFS_ECORRUPT || ret == -ENOSPC);
		free(src);
	}
}

static uint8_t *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	uint8_t *p = NULL;
	long n;

	assert_non_null(f);
	assert_int_equal(fseek(f, 0, SEEK_END), 0);
	n = ftell(f);
	assert_true(n > 0 && n < (1 << 24));
	rewind(f);
	p = malloc((size_t)n);
	assert_int_equal(fread(p, 1, (size_t)n, f), (size_t)n);
	fclose(f);
	*len = (size_t)n;
	return p;
}

/*
 * decmpfs type 8 (docs/apfs-format.md §8.2): the fork starts with
 * (n_chunks + 1) LE u32 offsets; chunk i = [off[i], off[i+1]) decodes to
 * 64 KiB (the last one less); a chunk whose first byte is 0x06 is stored.
 */
static void test_real_fork(void **state)
{
	const char *path = getenv("LZVN_FORK");
	const size_t size = 23893;
	uint8_t *fork, *out, md[32];
	size_t len, done = 0, got, nchunks;
	unsigned mdlen;
	static const char want[] =
		"\x23\xf9\x0f\x8b\x2c\x3a\x4b\x5f\x3b\x5e\x15\x63\x39\x99\x4a\xfd"
		"\x5c\x27\x18\xb3\x78\xac\xa6\xf0\xe1\x71\x11\xf8\x0a\x70\xd4\xec";

	(void)state;
	fork = slurp(path, &len);
	nchunks = (size + 65535) / 65536;
	assert_true(len >= 4 * (nchunks + 1));
	assert_int_equal(ld_le32(fork), 4 * (nchunks + 1));
	out = malloc(size);
	for (size_t i = 0; i < nchunks; i++) {
		uint32_t a = ld_le32(fork + 4 * i), b = ld_le32(fork + 4 * i + 4);
		size_t want_len = size - done < 65536 ? size - done : 65536;

		assert_true(a < b && b <= len);
		if (fork[a] == 0x06) {
			assert_true(b - a - 1 == want_len);
			memcpy(out + done, fork + a + 1, want_len);
			got = want_len;
		} else {
			assert_int_equal(apfs_lzvn_decode(fork + a, b - a, out + done, want_len,
							  &got), 0);
		}
		assert_int_equal(got, want_len);
		done += got;
	}
	assert_int_equal(done, size);
	assert_int_equal(EVP_Digest(out, size, md, &mdlen, EVP_sha256(), NULL), 1);
	assert_memory_equal(md, want, 32);
	assert_memory_equal(out, "1\n2\n3\n", 6);
	free(out);
	free(fork);
}

/*
 * Without LZVN_FORK: the fork read by TSK (an independent reader) into a
 * temporary file; its attribute id comes from istat ("Type: RSRC (4353-N)").
 */
static int extract_fork(char *path, size_t cap)
{
	const char *dir = getenv("IMAGES");
	char cmd[12288];
	int fd;

	snprintf(path, cap, "%s/test_lzvn_fork.XXXXXX", getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
	if (!dir || !*dir || system("command -v icat >/dev/null && command -v istat >/dev/null"))
		return -1;
	fd = mkstemp(path);
	if (fd < 0)
		return -1;
	close(fd);
	snprintf(cmd, sizeof(cmd),
		 "a=$(istat -o 40 -B 505 '%s/basic.img' 32 2>/dev/null | "
		 "sed -n 's/.*Type: RSRC (\\([0-9]*-[0-9]*\\)).*/\\1/p') && [ -n \"$a\" ] && "
		 "icat -o 40 -B 505 '%s/basic.img' \"32-$a\" > '%s'", dir, dir, path);
	if (system(cmd)) {
		unlink(path);
		return -1;
	}
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sml_l_sml_d),
		cmocka_unit_test(test_overlap),
		cmocka_unit_test(test_all_opcodes),
		cmocka_unit_test(test_empty),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_history),
		cmocka_unit_test(test_parse_edges),
		cmocka_unit_test(test_match_room_edge),
		cmocka_unit_test(test_mutations),
		cmocka_unit_test(test_random),
	};
	const struct CMUnitTest real[] = {
		cmocka_unit_test(test_real_fork),
	};
	const char *fork = getenv("LZVN_FORK");
	char tmp[4096] = "";
	int ret = cmocka_run_group_tests_name("lzvn", tests, NULL, NULL);

	if ((!fork || !*fork) && extract_fork(tmp, sizeof(tmp)) == 0)
		setenv("LZVN_FORK", tmp, 1);
	fork = getenv("LZVN_FORK");
	/* cmocka 1.1.5 prints skips as "not ok", which tests/run.sh counts as failures. */
	if (!fork || !*fork) {
		printf("ok - test_real_fork # SKIP no LZVN_FORK, and $IMAGES/basic.img or TSK "
		       "(icat, istat) missing\n");
		return ret;
	}
	ret |= cmocka_run_group_tests_name("lzvn real data", real, NULL, NULL);
	if (*tmp)
		unlink(tmp);
	return ret;
}
