/* SPDX-License-Identifier: MIT */
/*
 * pbkdf2_lanes.c - the PBKDF2 iteration loop (pbkdf2_body.h) for each
 * engine: plain C with one lane, and on x86 SSE2 (4 lanes), AVX2 (8) and
 * AVX-512 (16, where the rotations and the choose/majority/three-way XOR
 * functions are one instruction each).
 *
 * Only these functions are compiled for the wider instruction sets
 * (function attributes, no global -mavx2), and pbkdf2.c calls one only
 * when apfs_pbkdf2_usable() says the CPU runs it, so the same binary runs
 * on any x86-64.  Each engine leaves no password-derived value in the
 * vector registers it used (V_CLEAR); pbkdf2.c wipes the stack after.
 */
#include <openssl/crypto.h>

#include "util/cpu.h"
#include "cipher/pbkdf2_int.h"

const uint32_t apfs_sha256_k[64] = {
	0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4,
	0xab1c5ed5, 0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe,
	0x9bdc06a7, 0xc19bf174, 0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f,
	0x4a7484aa, 0x5cb0a9dc, 0x76f988da, 0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7,
	0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967, 0x27b70a85, 0x2e1b2138, 0x4d2c6dfc,
	0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85, 0xa2bfe8a1, 0xa81a664b,
	0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070, 0x19a4c116,
	0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
	0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7,
	0xc67178f2,
};

const uint32_t apfs_sha256_iv[8] = {
	0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab,
	0x5be0cd19,
};

/* ---- plain C, one lane --------------------------------------------------- */

#define VEC uint32_t
#define LANES 1
#define VATTR
#define NAME(x) x##_c
#define V_LOAD(p) (*(p))
#define V_STORE(p, v) (*(p) = (v))
#define V_SET1(x) ((uint32_t)(x))
#define V_ADD(a, b) ((a) + (b))
#define V_XOR(a, b) ((a) ^ (b))
#define V_XOR3(a, b, c) ((a) ^ (b) ^ (c))
#define V_ROR(x, n) ((x) >> (n) | (x) << (32 - (n)))
#define V_SHR(x, n) ((x) >> (n))
#define V_CH(e, f, g) ((g) ^ ((e) & ((f) ^ (g))))
#define V_MAJ(a, b, c) (((a) & (b)) | ((c) & ((a) | (b))))
#define V_CLEAR() ((void)0)
#include "pbkdf2_body.h"  /* which #undefs all of the above */

void apfs_sha256_block(uint32_t st[8], const uint8_t blk[64])
{
	uint32_t w[16];

	for (int i = 0; i < 16; i++)
		w[i] = (uint32_t)blk[4 * i] << 24 | (uint32_t)blk[4 * i + 1] << 16 |
		       (uint32_t)blk[4 * i + 2] << 8 | blk[4 * i + 3];
	compress_c(st, w);
	OPENSSL_cleanse(w, sizeof(w));
}


#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))

#include <immintrin.h>

/* ---- SSE2, 4 lanes --------------------------------------------------------- */

#define VEC __m128i
#define LANES 4
#define VATTR __attribute__((target("sse2")))
#define NAME(x) x##_sse2
#define V_LOAD(p) _mm_loadu_si128(p)
#define V_STORE(p, v) _mm_storeu_si128(p, v)
#define V_SET1(x) _mm_set1_epi32((int)(x))
#define V_ADD(a, b) _mm_add_epi32(a, b)
#define V_XOR(a, b) _mm_xor_si128(a, b)
#define V_XOR3(a, b, c) _mm_xor_si128(_mm_xor_si128(a, b), c)
#define V_ROR(x, n) _mm_or_si128(_mm_srli_epi32(x, n), _mm_slli_epi32(x, 32 - (n)))
#define V_SHR(x, n) _mm_srli_epi32(x, n)
#define V_CH(e, f, g) _mm_xor_si128(g, _mm_and_si128(e, _mm_xor_si128(f, g)))
#define V_MAJ(a, b, c) _mm_or_si128(_mm_and_si128(a, b), _mm_and_si128(c, _mm_or_si128(a, b)))
#define XMM_ZERO(r) "pxor %%xmm" #r ", %%xmm" #r "\n\t"
#define V_CLEAR() __asm__ volatile( \
	XMM_ZERO(0) XMM_ZERO(1) XMM_ZERO(2) XMM_ZERO(3) XMM_ZERO(4) XMM_ZERO(5) \
	XMM_ZERO(6) XMM_ZERO(7) XMM_ZERO(8) XMM_ZERO(9) XMM_ZERO(10) XMM_ZERO(11) \
	XMM_ZERO(12) XMM_ZERO(13) XMM_ZERO(14) XMM_ZERO(15) \
	::: "xmm0", "xmm1", "xmm2", "xmm3", "xmm4", "xmm5", "xmm6", "xmm7", "xmm8", \
	    "xmm9", "xmm10", "xmm11", "xmm12", "xmm13", "xmm14", "xmm15")
#include "pbkdf2_body.h"

/* ---- AVX2, 8 lanes --------------------------------------------------------- */

#define VEC __m256i
#define LANES 8
#define VATTR __attribute__((target("avx2")))
#define NAME(x) x##_avx2
#define V_LOAD(p) _mm256_loadu_si256(p)
#define V_STORE(p, v) _mm256_storeu_si256(p, v)
#define V_SET1(x) _mm256_set1_epi32((int)(x))
#define V_ADD(a, b) _mm256_add_epi32(a, b)
#define V_XOR(a, b) _mm256_xor_si256(a, b)
#define V_XOR3(a, b, c) _mm256_xor_si256(_mm256_xor_si256(a, b), c)
#define V_ROR(x, n) _mm256_or_si256(_mm256_srli_epi32(x, n), _mm256_slli_epi32(x, 32 - (n)))
#define V_SHR(x, n) _mm256_srli_epi32(x, n)
#define V_CH(e, f, g) _mm256_xor_si256(g, _mm256_and_si256(e, _mm256_xor_si256(f, g)))
#define V_MAJ(a, b, c) _mm256_or_si256(_mm256_and_si256(a, b), \
				       _mm256_and_si256(c, _mm256_or_si256(a, b)))
#define V_CLEAR() _mm256_zeroall()
#include "pbkdf2_body.h"

/* ---- AVX-512, 16 lanes ----------------------------------------------------- */

#define VEC __m512i
#define LANES 16
#define VATTR __attribute__((target("avx512f")))
#define NAME(x) x##_avx512
#define V_LOAD(p) _mm512_loadu_si512(p)
#define V_STORE(p, v) _mm512_storeu_si512(p, v)
#define V_SET1(x) _mm512_set1_epi32((int)(x))
#define V_ADD(a, b) _mm512_add_epi32(a, b)
#define V_XOR(a, b) _mm512_xor_si512(a, b)
/* vpternlogd: the immediate is the truth table of (a, b, c) -> bit. */
#define V_XOR3(a, b, c) _mm512_ternarylogic_epi32(a, b, c, 0x96)
#define V_ROR(x, n) _mm512_ror_epi32(x, n)
#define V_SHR(x, n) _mm512_srli_epi32(x, n)
#define V_CH(e, f, g) _mm512_ternarylogic_epi32(e, f, g, 0xca)
#define V_MAJ(a, b, c) _mm512_ternarylogic_epi32(a, b, c, 0xe8)
#define ZMM_ZERO(r) "vpxord %%zmm" #r ", %%zmm" #r ", %%zmm" #r "\n\t"
#define V_CLEAR() do { \
	_mm256_zeroall(); \
	__asm__ volatile( \
		ZMM_ZERO(16) ZMM_ZERO(17) ZMM_ZERO(18) ZMM_ZERO(19) ZMM_ZERO(20) \
		ZMM_ZERO(21) ZMM_ZERO(22) ZMM_ZERO(23) ZMM_ZERO(24) ZMM_ZERO(25) \
		ZMM_ZERO(26) ZMM_ZERO(27) ZMM_ZERO(28) ZMM_ZERO(29) ZMM_ZERO(30) \
		ZMM_ZERO(31) \
		::: "xmm16", "xmm17", "xmm18", "xmm19", "xmm20", "xmm21", "xmm22", \
		    "xmm23", "xmm24", "xmm25", "xmm26", "xmm27", "xmm28", "xmm29", \
		    "xmm30", "xmm31"); \
} while (0)
#include "pbkdf2_body.h"

bool apfs_pbkdf2_usable(enum apfs_pbkdf2_engine e)
{
	switch (e) {
	case APFS_PBKDF2_C:
	case APFS_PBKDF2_SSE2:
		return true;  /* x86-64 always has SSE2 */
	case APFS_PBKDF2_AVX2:
		return apfs_cpu_avx2();
	case APFS_PBKDF2_AVX512:
		return apfs_cpu_avx512f();
	default:
		return false;
	}
}

/* Word-major arrays of the engine's lanes, as its vectors. */
void apfs_pbkdf2_iterate(enum apfs_pbkdf2_engine e, const uint32_t *inner,
			 const uint32_t *outer, uint32_t *u, uint32_t *t, uint32_t more)
{
	switch (e) {
	case APFS_PBKDF2_SSE2:
		iterate_sse2((const __m128i *)inner, (const __m128i *)outer, (__m128i *)u,
			     (__m128i *)t, more);
		break;
	case APFS_PBKDF2_AVX2:
		iterate_avx2((const __m256i *)inner, (const __m256i *)outer, (__m256i *)u,
			     (__m256i *)t, more);
		break;
	case APFS_PBKDF2_AVX512:
		iterate_avx512((const __m512i *)inner, (const __m512i *)outer, (__m512i *)u,
			       (__m512i *)t, more);
		break;
	default:
		iterate_c(inner, outer, u, t, more);
	}
}

#else  /* not x86-64 with GCC or clang: plain C only */

bool apfs_pbkdf2_usable(enum apfs_pbkdf2_engine e)
{
	return e == APFS_PBKDF2_C;
}

void apfs_pbkdf2_iterate(enum apfs_pbkdf2_engine e, const uint32_t *inner,
			 const uint32_t *outer, uint32_t *u, uint32_t *t, uint32_t more)
{
	(void)e;
	iterate_c(inner, outer, u, t, more);
}

#endif
