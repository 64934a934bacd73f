/* SPDX-License-Identifier: MIT */
/*
 * pbkdf2.c - the baseline for `make bench`: wall time of one OpenSSL
 * PBKDF2-HMAC-SHA256 derivation (32 bytes, 16-byte salt) at N iterations,
 * the cost a correct unlock cannot avoid.  Prints the median of R runs in ms.
 */
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static double now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static int cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

int main(int argc, char **argv)
{
	const unsigned char salt[16] = { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16 };
	int iter = argc > 1 ? atoi(argv[1]) : 100000, runs = argc > 2 ? atoi(argv[2]) : 5;
	unsigned char out[32];
	double t[64];

	if (runs < 1 || runs > 64 || iter < 1)
		return 2;
	for (int i = 0; i < runs; i++) {
		double t0 = now_ms();

		PKCS5_PBKDF2_HMAC("password", 8, salt, sizeof(salt), iter, EVP_sha256(), 32, out);
		t[i] = now_ms() - t0;
	}
	qsort(t, (size_t)runs, sizeof(t[0]), cmp);
	printf("%.2f\n", t[runs / 2]);
	return 0;
}
