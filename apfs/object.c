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

