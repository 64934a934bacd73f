/* SPDX-License-Identifier: MIT */
/*
 * xts_vaes_body.h - the VAES XTS engine, written once for any vector width.
 * xts_vaes.c includes it twice, for 512-bit (AVX-512) and 256-bit (AVX2)
 * registers, after defining:
 *
 *   VEC, VB         the vector type and the AES blocks it holds (4 or 2)
 *   TARGET          the function target attribute string
 *   NAME(x)         x with the width's suffix, for this file's functions
 *   V_*             the operations, see their uses below
 *
 * A 512-byte unit is 32 blocks.  PASS registers of VB consecutive blocks
 * each go through AES together (independent streams, enough to keep the
 * vector AES units busy), so a unit takes 32 / (PASS * VB) passes.  The
 * tweak of block j is the unit's first tweak T times x^j: each register's
 * VB tweaks are computed from T at once (variable shifts and a carry-less
 * multiply), never from the register before, so no chain of dependent steps
 * holds the AES instructions up.  The first tweaks of GROUP units are one
 * AES pass under key2.
 */
#define PASS 8
#define GROUP 4
#define VFN static inline __attribute__((always_inline, target(TARGET)))
/* Unrolled, each register stays a register (rolled, the arrays live in memory). */
#define UNROLL _Pragma("GCC unroll 16")

/*
 * Each lane's tweak times x^n, 0 <= n <= 56, in GF(2^128) (IEEE 1619 5.2,
 * the tweak a little-endian 128-bit number): shift it left by n.  Each
 * 64-bit half shifts on its own; the low half's top n bits move to the
 * bottom of the high half (a byte shift of the per-half tops), and the high
 * half's top n bits, the terms of degree 128 and up, fold back as their
 * carry-less product with 0x87 (x^128 = x^7 + x^2 + x + 1), which for
 * n <= 56 stays within the low half.  n comes per 64-bit element, the same
 * for both halves of a lane.
 */
VFN VEC NAME(mul_xn)(VEC t, VEC n)
{
	VEC tops = V_SRLV(t, V_SUB64(V_SET1_64(64), n));

	return V_XOR3(V_SLLV(t, n), V_BSLLI8(tops), V_CLMUL_HI_LO(tops, V_SET1_LO64(0x87)));
}

/* Rounds 1..10 of PASS registers and the output XOR with their tweaks
 * (folded into the last round key); the caller has XORed round key 0. */
VFN void NAME(aes_pass)(VEC *b, const VEC *k, const VEC *tw, bool enc)
{
	const VEC last = k[APFS_AES128_NRK - 1];

	if (enc) {
		UNROLL
		for (int r = 1; r < APFS_AES128_NRK - 1; r++)
			UNROLL
			for (int i = 0; i < PASS; i++)
				b[i] = V_AESENC(b[i], k[r]);
		UNROLL
		for (int i = 0; i < PASS; i++)
			b[i] = V_AESENCLAST(b[i], V_XOR(last, tw[i]));
		return;
	}
	UNROLL
	for (int r = 1; r < APFS_AES128_NRK - 1; r++)
		UNROLL
		for (int i = 0; i < PASS; i++)
			b[i] = V_AESDEC(b[i], k[r]);
	UNROLL
	for (int i = 0; i < PASS; i++)
		b[i] = V_AESDECLAST(b[i], V_XOR(last, tw[i]));
}

/* One unit at p from its first tweak t: out = AES(in ^ T) ^ T. */
VFN void NAME(crypt_unit)(const VEC *k, uint8_t *p, __m128i t, bool enc)
{
	const VEC all = V_BCAST128(t);

	UNROLL
	for (int pass = 0; pass < APFS_XTS_UNIT / (16 * VB * PASS); pass++) {
		VEC b[PASS], tw[PASS];

		UNROLL
		for (int i = 0; i < PASS; i++) {
			long long j = (long long)(pass * PASS + i) * VB;  /* first block */
			uint8_t *q = p + 16 * j;

			tw[i] = NAME(mul_xn)(all, V_LANE_STEPS(j));
			b[i] = V_XOR3(V_LOADU(q), tw[i], k[0]);
		}
		NAME(aes_pass)(b, k, tw, enc);
		UNROLL
		for (int i = 0; i < PASS; i++)
			V_STOREU(p + 16 * ((pass * PASS + i) * VB), b[i]);
	}
}

/* First tweaks of units first..first+GROUP-1: AES_key2 of each number (LE64, zero-padded). */
VFN void NAME(first_tweaks)(const VEC *k2, uint64_t first, __m128i *t)
{
	VEC v[GROUP / VB];

	UNROLL
	for (int g = 0; g < GROUP / VB; g++) {
		v[g] = V_XOR(V_UNITS(first + (uint64_t)(g * VB)), k2[0]);
		UNROLL
		for (int r = 1; r < APFS_AES128_NRK - 1; r++)
			v[g] = V_AESENC(v[g], k2[r]);
		V_STOREU(t + g * VB, V_AESENCLAST(v[g], k2[APFS_AES128_NRK - 1]));
	}
}

static __attribute__((target(TARGET))) void NAME(crypt)(const struct apfs_xts_rk *rk,
							  uint8_t *buf, size_t units,
							  uint64_t first_unit, bool enc)
{
	VEC k[APFS_AES128_NRK], k2[APFS_AES128_NRK];
	const uint8_t (*rk1)[16] = enc ? rk->enc1 : rk->dec1;

	UNROLL
	for (int r = 0; r < APFS_AES128_NRK; r++) {
		k[r] = V_BCAST128(_mm_load_si128((const __m128i *)rk1[r]));
		k2[r] = V_BCAST128(_mm_load_si128((const __m128i *)rk->enc2[r]));
	}
	for (size_t u = 0; u < units; u += GROUP) {
		__m128i t[GROUP];
		size_t n = units - u < GROUP ? units - u : GROUP;

		/* Units past the end get tweaks nobody uses. */
		NAME(first_tweaks)(k2, first_unit + u, t);
		for (size_t i = 0; i < n; i++)
			NAME(crypt_unit)(k, buf + (u + i) * APFS_XTS_UNIT, t[i], enc);
	}
	/*
	 * The broadcast keys on the stack (k, k2 and the compiler's spilled
	 * copies of them) are key material like any other: xts.c wipes this
	 * function's whole frame after each call (apfs_stack_wipe), one pass
	 * instead of a cleanse of k and k2 here that would miss the spills.
	 * The registers, which lazy binding and signal frames copy to the
	 * stack, are cleared here: VZEROALL clears 0-15 whole, V_CLEAR_HIGH
	 * 16-31.
	 */
	_mm256_zeroall();
	V_CLEAR_HIGH();
}

#undef PASS
#undef GROUP
#undef VFN
#undef UNROLL
