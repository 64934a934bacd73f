/* SPDX-License-Identifier: MIT */
/*
 * xts_vaes.c - AES-128-XTS over 512-byte units with VAES on 512-bit
 * registers (AVX-512), four AES blocks per instruction.
 *
 * A 512-byte unit is 32 blocks: eight registers of four consecutive blocks.
 * Those eight are independent AES streams, enough to keep the vector AES
 * units busy, so a unit goes through AES on its own; the tweak of block j is
 * its first tweak T times x^j, each register's four computed from T at once
 * (variable shifts and a carry-less multiply).  The first tweaks of four
 * units are one AES pass under key2.
 *
 * The round keys are xts_aesni.c's (struct apfs_xts_rk, the same AESIMC'd
 * decryption schedule), broadcast to all four lanes once per call.  As in
 * xts_aesni.c, only these functions are compiled for the instructions, and
 * xts.c calls them only when apfs_xts_vaes_usable() says the CPU (and the
 * kernel, which must save the AVX-512 registers) supports them.
 */
#include <openssl/crypto.h>

#include "xts_int.h"

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))

#include <immintrin.h>

#define VAES_TARGET "avx512f,avx512bw,avx512vl,vaes,vpclmulqdq,aes,sse4.1"
#define VAES __attribute__((target(VAES_TARGET)))
#define VAES_INLINE static inline __attribute__((always_inline, target(VAES_TARGET)))
#define REGS (APFS_XTS_UNIT / 64)  /* 512-bit registers per unit: 8 */
#define GROUP 4                    /* units whose first tweaks are one AES pass */

#if defined(__clang__) || __GNUC__ >= 8
#define UNROLL_REGS _Pragma("GCC unroll 8")
#define UNROLL_ROUNDS _Pragma("GCC unroll 9")
#else
#define UNROLL_REGS
#define UNROLL_ROUNDS
#endif

/* __builtin_cpu_supports checks XCR0 too: the kernel saves the ZMM state. */
bool apfs_xts_vaes_usable(void)
{
	return __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") &&
	       __builtin_cpu_supports("avx512vl") && __builtin_cpu_supports("vaes") &&
	       __builtin_cpu_supports("vpclmulqdq") && apfs_xts_aesni_usable();
}

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
VAES_INLINE __m512i mul_xn(__m512i t, __m512i n)
{
	const __m512i poly = _mm512_set_epi64(0, 0x87, 0, 0x87, 0, 0x87, 0, 0x87);
	__m512i tops = _mm512_srlv_epi64(t, _mm512_sub_epi64(_mm512_set1_epi64(64), n));

	return _mm512_ternarylogic_epi64(_mm512_sllv_epi64(t, n), _mm512_bslli_epi128(tops, 8),
					 _mm512_clmulepi64_epi128(tops, poly, 0x01), 0x96);
}

/*
 * The 32 tweaks of a unit from its first, T: register i holds those of
 * blocks 4i..4i+3, T x^(4i) .. T x^(4i+3).  Each is computed from T
 * directly, not from the register before: no chain of dependent steps for
 * the AES instructions to wait on.
 */
VAES_INLINE void unit_tweaks(__m128i t, __m512i *tw)
{
	__m512i all = _mm512_broadcast_i32x4(t);

	UNROLL_REGS
	for (int i = 0; i < REGS; i++) {
		long long n = 4 * i;

		tw[i] = mul_xn(all, _mm512_set_epi64(n + 3, n + 3, n + 2, n + 2,
						     n + 1, n + 1, n, n));
	}
}

/* One unit at p from its first tweak t: out = AES(in ^ T) ^ T, 8 registers at once. */
VAES_INLINE void crypt_unit(const __m512i *k, uint8_t *p, __m128i t, bool enc)
{
	const __m512i last = k[APFS_AES128_NRK - 1];
	__m512i b[REGS], tw[REGS];

	unit_tweaks(t, tw);
	UNROLL_REGS
	for (int i = 0; i < REGS; i++)
		b[i] = _mm512_ternarylogic_epi64(_mm512_loadu_si512(p + 64 * i), tw[i], k[0], 0x96);
	if (enc) {
		UNROLL_ROUNDS
		for (int r = 1; r < APFS_AES128_NRK - 1; r++)
			UNROLL_REGS
			for (int i = 0; i < REGS; i++)
				b[i] = _mm512_aesenc_epi128(b[i], k[r]);
		UNROLL_REGS
		for (int i = 0; i < REGS; i++)
			b[i] = _mm512_aesenclast_epi128(b[i], _mm512_xor_si512(last, tw[i]));
	} else {
		UNROLL_ROUNDS
		for (int r = 1; r < APFS_AES128_NRK - 1; r++)
			UNROLL_REGS
			for (int i = 0; i < REGS; i++)
				b[i] = _mm512_aesdec_epi128(b[i], k[r]);
		UNROLL_REGS
		for (int i = 0; i < REGS; i++)
			b[i] = _mm512_aesdeclast_epi128(b[i], _mm512_xor_si512(last, tw[i]));
	}
	UNROLL_REGS
	for (int i = 0; i < REGS; i++)
		_mm512_storeu_si512(p + 64 * i, b[i]);
}

/* First tweaks of units first..first+3: AES_key2 of each number (LE64, zero-padded). */
VAES_INLINE __m512i first_tweaks(const __m512i *k2, uint64_t first)
{
	__m512i t = _mm512_set_epi64(0, (long long)(first + 3), 0, (long long)(first + 2),
				     0, (long long)(first + 1), 0, (long long)first);

	t = _mm512_xor_si512(t, k2[0]);
	UNROLL_ROUNDS
	for (int r = 1; r < APFS_AES128_NRK - 1; r++)
		t = _mm512_aesenc_epi128(t, k2[r]);
	return _mm512_aesenclast_epi128(t, k2[APFS_AES128_NRK - 1]);
}

static VAES void broadcast(const uint8_t rk[APFS_AES128_NRK][16], __m512i *k)
{
	for (int r = 0; r < APFS_AES128_NRK; r++)
		k[r] = _mm512_broadcast_i32x4(_mm_load_si128((const __m128i *)rk[r]));
}

/**
 * apfs_xts_vaes_crypt - XTS-encrypt or -decrypt whole units in place
 * @rk:         round keys from apfs_xts_aesni_setkey()
 * @buf:        units * 512 bytes
 * @units:      how many 512-byte units
 * @first_unit: the unit number (tweak) of the first; the rest follow on
 * @enc:        true to encrypt, false to decrypt
 *
 * Call only when apfs_xts_vaes_usable().  Touches nothing but @buf.
 */
VAES void apfs_xts_vaes_crypt(const struct apfs_xts_rk *rk, uint8_t *buf, size_t units,
			      uint64_t first_unit, bool enc)
{
	__m512i k[APFS_AES128_NRK], k2[APFS_AES128_NRK];

	broadcast(enc ? rk->enc1 : rk->dec1, k);
	broadcast(rk->enc2, k2);
	for (size_t u = 0; u < units; u += GROUP) {
		_Alignas(64) __m128i t[GROUP];
		size_t n = units - u < GROUP ? units - u : GROUP;

		/* Units past the end get tweaks nobody uses. */
		_mm512_store_si512(t, first_tweaks(k2, first_unit + u));
		for (size_t i = 0; i < n; i++)
			crypt_unit(k, buf + (u + i) * APFS_XTS_UNIT, t[i], enc);
	}
	/* The broadcast data key on the stack is a key like any other. */
	OPENSSL_cleanse(k, sizeof(k));
	OPENSSL_cleanse(k2, sizeof(k2));
	_mm256_zeroupper();
}

#else  /* not x86-64 with GCC or clang: xts.c uses another engine */

bool apfs_xts_vaes_usable(void)
{
	return false;
}

void apfs_xts_vaes_crypt(const struct apfs_xts_rk *rk, uint8_t *buf, size_t units,
			 uint64_t first_unit, bool enc)
{
	(void)rk;
	(void)buf;
	(void)units;
	(void)first_unit;
	(void)enc;
}

#endif
