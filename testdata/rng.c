/* SPDX-License-Identifier: MIT */
/*
 * rng.c - splitmix64: a tiny seeded generator.  Keys and salts in test
 * images only have to look random and be reproducible from the seed; they
 * protect nothing.
 */
#include "mk.h"

void mk_rng_seed(struct mk_rng *r, uint64_t seed)
{
	r->s = seed ^ 0x6d6b696d61676531ull; /* "mkimage1" */
}

uint64_t mk_rng_next(struct mk_rng *r)
{
	uint64_t z = (r->s += 0x9e3779b97f4a7c15ull);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

void mk_rng_bytes(struct mk_rng *r, void *out, size_t len)
{
	uint8_t *p = out;
	uint64_t x = 0;

	for (size_t i = 0; i < len; i++) {
		if (i % 8 == 0)
			x = mk_rng_next(r);
		p[i] = (uint8_t)(x >> (8 * (i % 8)));
	}
}

/* A version-4 UUID, as macOS generates for volumes and containers. */
void mk_rng_uuid(struct mk_rng *r, uint8_t uuid[16])
{
	mk_rng_bytes(r, uuid, 16);
	uuid[6] = (uint8_t)((uuid[6] & 0x0f) | 0x40);
	uuid[8] = (uint8_t)((uuid[8] & 0x3f) | 0x80);
}
