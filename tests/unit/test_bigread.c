/* SPDX-License-Identifier: MIT */
/*
 * test_bigread.c - apfsi_file_pread of 2 MiB or more (lib/bigread.c: the
 * read split into pieces that the caller and the file system's helper
 * threads read at once) gives the bytes testdata/README.md documents for
 * the `bench` scenario's /big.bin (splitmix64 from seed 1, recomputed
 * here), on the encrypted volume, the plain one and a compressed file of
 * `size-claims` (/lzvn-17m.bin: byte i = (i mod 251) XOR (i >> 16)): at
 * odd offsets and lengths, on both sides of the threshold and of a piece
 * boundary, up to and past the end of the file, from several threads at
 * once; and the helpers end with the file system (ASan and valgrind see
 * what is left).  With two of that file's chunks damaged (their raw-chunk
 * marker changed, found by their bytes in the image), a read covering them
 * fails with the error and message of the one nearer its start, as a read
 * in one piece does, and the reads around them give the bytes.
 */
#include <pthread.h>
#include <setjmp.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <cmocka.h>

#include "apfsinspect.h"

#include "libtest.h"

#define BIG_SIZE ((8u << 20) + 4097u)  /* odd: the last block is partly the file's */
#define LZVN_SIZE (272u * 65536u + 32768u)
#define MIB (1u << 20)
#define CHUNK 65536u                   /* a decmpfs chunk */

static uint8_t *want;     /* /big.bin as testdata/README.md defines it */

/* splitmix64 from seed 1, little-endian, cut to n bytes (testdata/README.md, `bench`). */
static uint8_t *splitmix(size_t n)
{
	uint8_t *out = malloc(n + 8);
	uint64_t s = 1;

	for (size_t i = 0; out && i < n; i += 8) {
		uint64_t z = (s += 0x9e3779b97f4a7c15ull);

		z = (z ^ z >> 30) * 0xbf58476d1ce4e5b9ull;
		z = (z ^ z >> 27) * 0x94d049bb133111ebull;
		z ^= z >> 31;
		for (unsigned b = 0; b < 8; b++)
			out[i + b] = (uint8_t)(z >> (8 * b));
	}
	return out;
}

static int setup(void **state)
{
	char bench[64];

	(void)state;
	snprintf(bench, sizeof(bench), "bench bench.img --big-size %u", BIG_SIZE);
	if (scratch_setup("bigread", bench, "size-claims claims.img", NULL))
		return -1;
	return (want = splitmix(BIG_SIZE)) ? 0 : -1;
}

static int teardown(void **state)
{
	free(want);
	return scratch_teardown(state);
}

struct opened {
	apfsi_image *img;
	apfsi_fs *fs;
	apfsi_file *f;
};

static void open_file(struct opened *o, const char *img, const char *vol, const char *pw,
		      const char *path)
{
	struct apfsi_unlock_result res;
	struct apfsi_stat st;
	apfsi_volume *v;

	assert_int_equal(apfsi_image_open(img_path(img), NULL, &o->img), APFSI_OK);
	assert_int_equal(apfsi_image_select_volume(o->img, vol, &v), APFSI_OK);
	if (pw)
		assert_int_equal(apfsi_volume_unlock(v, APFSI_CRED_PASSWORD, pw, strlen(pw), NULL,
						     &res), APFSI_OK);
	assert_int_equal(apfsi_fs_open(v, NULL, 0, &o->fs), APFSI_OK);
	assert_int_equal(apfsi_fs_stat_path(o->fs, path, &st), APFSI_OK);
	assert_int_equal(apfsi_file_open(o->fs, st.ino, &o->f), APFSI_OK);
}

static void close_file(struct opened *o)
{
	apfsi_file_close(o->f);
	apfsi_fs_close(o->fs);  /* ends the helpers */
	apfsi_image_close(o->img);
}

/* pread(off, len) gives exactly the expected bytes, short only at the end. */
static void expect_read(apfsi_file *f, const uint8_t *exp, uint64_t size, uint64_t off,
			size_t len)
{
	uint8_t *buf = malloc(len + 1);
	size_t got = 12345, n = off >= size ? 0 : len < size - off ? len : (size_t)(size - off);

	assert_non_null(buf);
	memset(buf, 0xA5, len + 1);
	assert_int_equal(apfsi_file_pread(f, off, buf, len, &got), APFSI_OK);
	assert_int_equal(got, n);
	if (n)
		assert_memory_equal(buf, exp + off, n);
	assert_int_equal(buf[len], 0xA5);  /* nothing past the buffer */
	free(buf);
}

/* (offset, length) pairs around the 2 MiB threshold, the 512 KiB pieces and the end. */
static void read_shapes(apfsi_file *f, const uint8_t *exp, uint64_t size)
{
	const uint64_t shapes[][2] = {
		{ 0, size }, { 0, 2 * MIB }, { 1, 2 * MIB - 1 }, { 12345, 2 * MIB - 1 },
		{ 4097, 3 * MIB + 3 }, { MIB / 2 - 1, 4 * MIB }, { MIB / 2, 4 * MIB + 1 },
		{ 4096, 2 * MIB }, { size - 2 * MIB - 7, 2 * MIB + 100 },
		{ size - 3 * MIB - 1, 5 * MIB }, { size - 1, 3 * MIB }, { size, 2 * MIB },
		{ size + 4096, 3 * MIB },
	};

	for (size_t i = 0; i < sizeof(shapes) / sizeof(shapes[0]); i++)
		expect_read(f, exp, size, shapes[i][0], (size_t)shapes[i][1]);
}

static void test_encrypted(void **state)
{
	struct opened o;

	(void)state;
	open_file(&o, "bench.img", "Secret", "bench-password", "/big.bin");
	assert_int_equal(apfsi_file_size(o.f), BIG_SIZE);
	read_shapes(o.f, want, BIG_SIZE);
	close_file(&o);
}

static void test_plain(void **state)
{
	struct opened o;

	(void)state;
	open_file(&o, "bench.img", "Plain", NULL, "/big.bin");
	read_shapes(o.f, want, BIG_SIZE);
	close_file(&o);
}

/* /lzvn-17m.bin of `size-claims` as testdata/README.md defines it. */
static uint8_t *lzvn_bytes(void)
{
	uint8_t *exp = malloc(LZVN_SIZE);

	assert_non_null(exp);
	for (size_t i = 0; i < LZVN_SIZE; i++)
		exp[i] = (uint8_t)((i % 251) ^ (i >> 16));
	return exp;
}

/* A decmpfs file: pieces decode their chunks at once, each from its own offset. */
static void test_compressed(void **state)
{
	uint8_t *exp = lzvn_bytes();
	struct opened o;

	(void)state;
	open_file(&o, "claims.img", NULL, NULL, "/lzvn-17m.bin");
	assert_int_equal(apfsi_file_size(o.f), LZVN_SIZE);
	read_shapes(o.f, exp, LZVN_SIZE);
	close_file(&o);
	free(exp);
}

/*
 * claims.img copied to bad.img with the raw-chunk marker (06) of chunks k[]
 * of /lzvn-17m.bin changed: each chunk's first 64 bytes are found in the
 * image (their first copy is the chunk's start, right after its marker).
 */
static void damage_chunks(const uint8_t *exp, const unsigned *k, unsigned n)
{
	const char *p = img_path("claims.img");
	struct stat st;
	uint8_t *img;
	FILE *f;

	assert_int_equal(stat(p, &st), 0);
	assert_non_null(img = malloc((size_t)st.st_size));
	assert_non_null(f = fopen(p, "rb"));
	assert_int_equal(fread(img, 1, (size_t)st.st_size, f), (size_t)st.st_size);
	fclose(f);
	for (unsigned i = 0; i < n; i++) {
		uint8_t *at = memmem(img, (size_t)st.st_size, exp + (size_t)k[i] * CHUNK, 64);

		assert_non_null(at);
		assert_true(at > img && at[-1] == 0x06);
		at[-1] = 0xff;
	}
	assert_non_null(f = fopen(img_path("bad.img"), "wb"));
	assert_int_equal(fwrite(img, 1, (size_t)st.st_size, f), (size_t)st.st_size);
	fclose(f);
	free(img);
}

/* pread(off, len) fails CORRUPT, got 0, with the message naming chunk k of the file. */
static void expect_damaged(apfsi_file *f, uint64_t off, size_t len, unsigned k)
{
	uint8_t *buf = malloc(len);
	char want_chunk[32];
	size_t got = 7;

	assert_non_null(buf);
	snprintf(want_chunk, sizeof(want_chunk), "chunk %u ", k);
	assert_int_equal(apfsi_file_pread(f, off, buf, len, &got), APFSI_ERR_CORRUPT);
	assert_int_equal(got, 0);
	assert_non_null(strstr(apfsi_last_message(), want_chunk));
	free(buf);
}

/*
 * Chunks 100, 119, 120 and 150 damaged (8 chunks a piece: 119 ends the piece
 * after 6.5 MiB's, 120 begins the next).  A read from 6.5 MiB has its first
 * piece clean: the caller reads it while a helper meets 119, and the caller
 * may meet 120 before the helper is done; the read's error is still 119's.
 */
static void test_damaged(void **state)
{
	static const unsigned bad[] = { 100, 119, 120, 150 };
	uint8_t *exp = lzvn_bytes();
	struct opened o;

	(void)state;
	damage_chunks(exp, bad, 4);
	open_file(&o, "bad.img", NULL, NULL, "/lzvn-17m.bin");
	expect_damaged(o.f, 100 * CHUNK + 10, 100, 100);      /* in one piece */
	expect_damaged(o.f, 6 * MIB, 8 * MIB, 100);           /* all four: the one nearest off */
	expect_damaged(o.f, 6 * MIB + 12345, 2 * MIB, 100);
	expect_damaged(o.f, 101 * CHUNK, 5 * MIB, 119);
	for (unsigned i = 0; i < 20; i++)
		expect_damaged(o.f, 104 * CHUNK, 2 * MIB, 119);
	expect_damaged(o.f, 121 * CHUNK, 2 * MIB, 150);
	expect_damaged(o.f, 150 * CHUNK - 1, 2 * MIB, 150);
	expect_read(o.f, exp, LZVN_SIZE, 0, 100 * CHUNK);      /* around them */
	expect_read(o.f, exp, LZVN_SIZE, 101 * CHUNK, 18 * CHUNK);
	expect_read(o.f, exp, LZVN_SIZE, 121 * CHUNK, 29 * CHUNK);
	expect_read(o.f, exp, LZVN_SIZE, 151 * CHUNK, LZVN_SIZE);
	close_file(&o);
	free(exp);
}

struct reader {
	apfsi_file *f;
	unsigned seed;
	int bad;
};

/* Large reads at pseudo-random offsets: the callers share the helpers. */
static void *read_many(void *arg)
{
	struct reader *r = arg;
	uint8_t *buf = malloc(5 * MIB);

	for (unsigned i = 0; buf && i < 12; i++) {
		size_t got = 0, len, n;
		uint64_t off;

		r->seed = r->seed * 1103515245u + 12345u;
		off = (r->seed >> 4) % BIG_SIZE;
		len = 2 * MIB + (r->seed >> 8) % (3 * MIB);
		n = len < BIG_SIZE - off ? len : (size_t)(BIG_SIZE - off);
		if (apfsi_file_pread(r->f, off, buf, len, &got) || got != n ||
		    memcmp(buf, want + off, n))
			r->bad++;
	}
	if (!buf)
		r->bad++;
	free(buf);
	return NULL;
}

static void test_threads(void **state)
{
	struct reader r[4];
	pthread_t th[4];
	struct opened o;

	(void)state;
	open_file(&o, "bench.img", "Secret", "bench-password", "/big.bin");
	for (unsigned i = 0; i < 4; i++) {
		r[i] = (struct reader){ o.f, i + 7, 0 };
		assert_int_equal(pthread_create(&th[i], NULL, read_many, &r[i]), 0);
	}
	for (unsigned i = 0; i < 4; i++) {
		pthread_join(th[i], NULL);
		assert_int_equal(r[i].bad, 0);
	}
	close_file(&o);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_encrypted),
		cmocka_unit_test(test_plain),
		cmocka_unit_test(test_compressed),
		cmocka_unit_test(test_damaged),
		cmocka_unit_test(test_threads),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
