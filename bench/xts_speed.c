/* SPDX-License-Identifier: MIT */
/*
 * xts_speed.c - apfs_xts_decrypt throughput for `make bench`: decrypts a
 * 64 MiB buffer (131,072 units of 512 bytes) in place, R times, and prints
 * the median in MB/s, then the engine ("vaes-avx512", "vaes-avx2", "aes-ni"
 * or "aes-ecb").  MB/s are 10^6 bytes per second of this thread's CPU time,
 * because `openssl speed`, which bench/run.sh sets beside it, divides by CPU
 * user time unless given -elapsed: on a busy machine both lose the same.
 * "-e ecb" forces the portable AES-ECB engine, the fallback on CPUs without
 * AES-NI, "-e aes-ni" the AES-NI one (CPUs without VAES), "-e vaes-avx2"
 * VAES on 256-bit registers (CPUs without AVX-512); by default the engine
 * is the one apfs_xts_new() picks.  "-k KIB" decrypts a buffer of KIB KiB
 * instead, over and over up to 64 MiB a run: 256 stays in cache, like the
 * 16 KiB `openssl speed -bytes 16384` works on; 64 MiB does not.
 *
 *   xts_speed [-e auto|vaes-avx2|aes-ni|ecb] [-k KIB] [R]
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cipher/xts_int.h"

#define TOTAL_BYTES (64u << 20)  /* per timed run, whatever the buffer size */

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static int cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

/* Median MB/s of runs passes of TOTAL_BYTES over buf (len bytes); 0 on failure. */
static double measure(struct apfs_xts *x, uint8_t *buf, size_t len, int runs)
{
	size_t reps = TOTAL_BYTES / len;
	double t[64];

	for (int i = 0; i < runs; i++) {
		double t0 = now_s();

		for (size_t r = 0; r < reps; r++)
			if (apfs_xts_decrypt(x, buf, len, 1000000 + (uint64_t)(i + r)) != 0)
				return 0;
		t[i] = now_s() - t0;
	}
	qsort(t, (size_t)runs, sizeof(t[0]), cmp);
	return (double)(reps * len) / 1e6 / t[runs / 2];
}

int main(int argc, char **argv)
{
	size_t len = TOTAL_BYTES;
	uint8_t key[32];
	struct apfs_xts *x;
	uint8_t *buf;
	enum apfs_xts_engine max = APFS_XTS_VAES;
	int runs = 5;
	double mbps;

	for (; argc > 2 && argv[1][0] == '-'; argc -= 2, argv += 2) {
		if (!strcmp(argv[1], "-e"))
			max = !strcmp(argv[2], "ecb") ? APFS_XTS_ECB :
			      !strcmp(argv[2], "aes-ni") ? APFS_XTS_AESNI :
			      !strcmp(argv[2], "vaes-avx2") ? APFS_XTS_VAES256 : APFS_XTS_VAES;
		else if (!strcmp(argv[1], "-k"))
			len = (size_t)atoi(argv[2]) << 10;
		else
			return 2;
	}
	if (argc > 1)
		runs = atoi(argv[1]);
	if (runs < 1 || runs > 64 || len < 4096 || len > TOTAL_BYTES)
		return 2;
	for (int i = 0; i < 32; i++)
		key[i] = (uint8_t)(i * 37 + 11);
	buf = malloc(len);
	if (!buf || apfs_xts_new_engine(key, key + 16, max, &x) != 0)
		return 1;
	memset(buf, 0x5a, len);  /* fault the pages in before timing */
	mbps = measure(x, buf, len, runs);
	if (mbps > 0)
		printf("%.0f %s\n", mbps, apfs_xts_engine_name(apfs_xts_engine(x)));
	apfs_xts_free(x);
	free(buf);
	return mbps > 0 ? 0 : 1;
}
