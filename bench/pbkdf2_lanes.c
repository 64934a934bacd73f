/* SPDX-License-Identifier: MIT */
/*
 * pbkdf2_lanes.c - candidates per second of one thread for each PBKDF2
 * engine (cipher/pbkdf2.c) and for OpenSSL's PKCS5_PBKDF2_HMAC, at N
 * iterations (default 100,000, the iteration count of macOS volume users).
 * Prints "ENGINE LANES CANDIDATES_PER_S" a line.
 */
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "cipher/pbkdf2.h"

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static const uint8_t salt[16] = { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16 };

static double openssl_rate(int iter)
{
	uint8_t out[32];
	double t0 = now_s();

	for (int i = 0; i < 4; i++)
		PKCS5_PBKDF2_HMAC("password", 8, salt, sizeof(salt), iter, EVP_sha256(), 32, out);
	return 4 / (now_s() - t0);
}

static double engine_rate(enum apfs_pbkdf2_engine e, int iter)
{
	static const char pw[APFS_PBKDF2_MAX_LANES][12] = { "password" };
	const void *p[APFS_PBKDF2_MAX_LANES];
	size_t len[APFS_PBKDF2_MAX_LANES];
	uint8_t out[APFS_PBKDF2_MAX_LANES][32], *d[APFS_PBKDF2_MAX_LANES];
	unsigned lanes = apfs_pbkdf2_lanes(e), calls = (16 + lanes - 1) / lanes;
	double t0;

	for (unsigned l = 0; l < lanes; l++) {
		p[l] = pw[l];
		len[l] = 8;
		d[l] = out[l];
	}
	t0 = now_s();
	for (unsigned i = 0; i < calls; i++)
		if (apfs_pbkdf2_sha256_lanes(e, lanes, p, len, salt, sizeof(salt), (uint64_t)iter, d,
					     32))
			return 0;
	return calls * lanes / (now_s() - t0);
}

int main(int argc, char **argv)
{
	int iter = argc > 1 ? atoi(argv[1]) : 100000;

	if (iter < 1)
		return 2;
	printf("openssl 1 %.1f\n", openssl_rate(iter));
	for (int i = 0; i < APFS_PBKDF2_NENGINES; i++) {
		enum apfs_pbkdf2_engine e;

		if (apfs_pbkdf2_engine_by_name(apfs_pbkdf2_engine_name(i), &e))
			printf("%s %u %.1f\n", apfs_pbkdf2_engine_name(e), apfs_pbkdf2_lanes(e),
			       engine_rate(e, iter));
	}
	return 0;
}
