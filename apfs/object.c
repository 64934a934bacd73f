/* SPDX-License-Identifier: MIT */
/* object.c - Fletcher-64 and UUID helpers. */
#include <ctype.h>
#include <stdio.h>

#include "apfs.h"

/*
 * Fletcher-64 over 32-bit words of buf[8..len), as Apple computes o_cksum.
 * The sums are reduced once per 1024 words: with 64-bit accumulators that
 * cannot overflow (s2 grows by at most 2^32 * 2^32 per word chunk).
 */
uint64_t apfs_fletcher64(const void *buf, size_t len)
{
	const uint8_t *p = buf;
	const uint64_t mod = 0xffffffffull;
	uint64_t s1 = 0, s2 = 0, lo, hi;
	size_t i, n = len / 4;

	for (i = 2; i < n; i++) {
		s1 += ld_le32(p + 4 * i);
		s2 += s1;
		if ((i & 1023) == 0) {
			s1 %= mod;
			s2 %= mod;
		}
	}
	s1 %= mod;
	s2 %= mod;
	lo = mod - ((s1 + s2) % mod);
	hi = mod - ((s1 + lo) % mod);
	return hi << 32 | lo;
}

bool apfs_obj_cksum_ok(const void *buf, size_t len)
{
	uint64_t stored;

	if (len < sizeof(struct apfs_obj_phys) || len % 4)
		return false;
	stored = ld_le64(buf);
	/* An all-zero or all-ones block is never a valid object (apfs-fuse). */
	if (stored == 0 || stored == ~0ull)
		return false;
	return stored == apfs_fletcher64(buf, len);
}

void apfs_uuid_str(const uint8_t u[16], char out[37])
{
	snprintf(out, 37,
		 "%02X%02X%02X%02X-%02X%02X-%02X%02X-%02X%02X-%02X%02X%02X%02X%02X%02X",
		 u[0], u[1], u[2], u[3], u[4], u[5], u[6], u[7], u[8], u[9], u[10], u[11],
		 u[12], u[13], u[14], u[15]);
}

static int hexval(int ch)
{
	if (ch >= '0' && ch <= '9')
		return ch - '0';
	ch = tolower(ch);
	if (ch >= 'a' && ch <= 'f')
		return ch - 'a' + 10;
	return -1;
}

/* Accepts 8-4-4-4-12 with or without dashes, any case. */
int apfs_uuid_parse(const char *s, uint8_t u[16])
{
	int n = 0;

	for (; *s && n < 32; s++) {
		int v;

		if (*s == '-')
			continue;
		v = hexval((unsigned char)*s);
		if (v < 0)
			return -EINVAL;
		if (n % 2 == 0)
			u[n / 2] = (uint8_t)(v << 4);
		else
			u[n / 2] |= (uint8_t)v;
		n++;
	}
	return n == 32 && *s == '\0' ? 0 : -EINVAL;
}
