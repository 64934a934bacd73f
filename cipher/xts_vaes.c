/* SPDX-License-Identifier: MIT */
/*
 * xts_vaes.c - AES-128-XTS over 512-byte units with VAES: AES on several
 * blocks per instruction, four in a 512-bit register (AVX-512), two in a
 * 256-bit one (AVX2: Intel client CPUs since Alder Lake, AMD Zen 3).
 *
 * The engine itself is xts_vaes_body.h, included once per width with the
 * operations below.  The round keys are xts_aesni.c's (struct apfs_xts_rk,
 * the same AESIMC'd decryption schedule), broadcast to every lane once per
 * call.  As in xts_aesni.c, only these functions are compiled for the
 * instructions, and xts.c calls them only when apfs_xts_vaes_usable() says
 * the CPU (and the kernel, which must save the wider registers) has them.
 */
#include "util/cpu.h"
#include "cipher/xts_int.h"

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))

#include <immintrin.h>

/* cpu.c checks XCR0 too: the kernel must save the wider registers. */
bool apfs_xts_vaes_usable(enum apfs_xts_engine e)
{
	if (e == APFS_XTS_VAES256)
		return apfs_cpu_vaes256();
	return e == APFS_XTS_VAES && apfs_cpu_vaes512();
}

/* ---- 512-bit registers, AVX-512 ----------------------------------------- */

#define VEC __m512i
#define VB 4
#define TARGET "avx512f,avx512bw,avx512vl,vaes,vpclmulqdq,aes,sse4.1"
#define NAME(x) x##_512
#define V_LOADU(p) _mm512_loadu_si512(p)
#define V_STOREU(p, v) _mm512_storeu_si512(p, v)
#define V_XOR(a, b) _mm512_xor_si512(a, b)
#define V_XOR3(a, b, c) _mm512_ternarylogic_epi64(a, b, c, 0x96)
#define V_AESENC _mm512_aesenc_epi128
#define V_AESENCLAST _mm512_aesenclast_epi128
#define V_AESDEC _mm512_aesdec_epi128
#define V_AESDECLAST _mm512_aesdeclast_epi128
#define V_BCAST128(x) _mm512_broadcast_i32x4(x)
#define V_SLLV _mm512_sllv_epi64
#define V_SRLV _mm512_srlv_epi64
#define V_SUB64 _mm512_sub_epi64
#define V_SET1_64(x) _mm512_set1_epi64(x)
#define V_BSLLI8(v) _mm512_bslli_epi128(v, 8)
#define V_CLMUL_HI_LO(a, b) _mm512_clmulepi64_epi128(a, b, 0x01)
#define V_SET1_LO64(x) _mm512_set_epi64(0, x, 0, x, 0, x, 0, x)
/* Shift counts: lane i (both halves) j + i. */
#define V_LANE_STEPS(j) _mm512_set_epi64((j) + 3, (j) + 3, (j) + 2, (j) + 2, (j) + 1, (j) + 1, j, j)
/* Unit numbers f..f+3, one per lane, zero-padded. */
#define V_UNITS(f) _mm512_set_epi64(0, (long long)((f) + 3), 0, (long long)((f) + 2), \
				    0, (long long)((f) + 1), 0, (long long)(f))
/* AVX-512's registers 16-31, which VZEROALL leaves alone. */
#define V_CLEAR_HIGH() __asm__ volatile( \
	"vpxord %%zmm16, %%zmm16, %%zmm16\n\tvmovdqa64 %%zmm16, %%zmm17\n\t" \
	"vmovdqa64 %%zmm16, %%zmm18\n\tvmovdqa64 %%zmm16, %%zmm19\n\t" \
	"vmovdqa64 %%zmm16, %%zmm20\n\tvmovdqa64 %%zmm16, %%zmm21\n\t" \
	"vmovdqa64 %%zmm16, %%zmm22\n\tvmovdqa64 %%zmm16, %%zmm23\n\t" \
	"vmovdqa64 %%zmm16, %%zmm24\n\tvmovdqa64 %%zmm16, %%zmm25\n\t" \
	"vmovdqa64 %%zmm16, %%zmm26\n\tvmovdqa64 %%zmm16, %%zmm27\n\t" \
	"vmovdqa64 %%zmm16, %%zmm28\n\tvmovdqa64 %%zmm16, %%zmm29\n\t" \
	"vmovdqa64 %%zmm16, %%zmm30\n\tvmovdqa64 %%zmm16, %%zmm31" \
	::: "xmm16", "xmm17", "xmm18", "xmm19", "xmm20", "xmm21", "xmm22", "xmm23", \
	    "xmm24", "xmm25", "xmm26", "xmm27", "xmm28", "xmm29", "xmm30", "xmm31")
#include "xts_vaes_body.h"
#undef VEC
#undef VB
#undef TARGET
#undef NAME
#undef V_LOADU
#undef V_STOREU
#undef V_XOR
#undef V_XOR3
#undef V_AESENC
#undef V_AESENCLAST
#undef V_AESDEC
#undef V_AESDECLAST
#undef V_BCAST128
#undef V_SLLV
#undef V_SRLV
#undef V_SUB64
#undef V_SET1_64
#undef V_BSLLI8
#undef V_CLMUL_HI_LO
#undef V_SET1_LO64
#undef V_LANE_STEPS
#undef V_UNITS
#undef V_CLEAR_HIGH

/* ---- 256-bit registers, AVX2 -------------------------------------------- */

#define VEC __m256i
#define VB 2
#define TARGET "avx2,vaes,vpclmulqdq,aes,sse4.1"
#define NAME(x) x##_256
#define V_LOADU(p) _mm256_loadu_si256((const __m256i *)(const void *)(p))
#define V_STOREU(p, v) _mm256_storeu_si256((__m256i *)(void *)(p), v)
#define V_XOR(a, b) _mm256_xor_si256(a, b)
#define V_XOR3(a, b, c) _mm256_xor_si256(_mm256_xor_si256(a, b), c)
#define V_AESENC _mm256_aesenc_epi128
#define V_AESENCLAST _mm256_aesenclast_epi128
#define V_AESDEC _mm256_aesdec_epi128
#define V_AESDECLAST _mm256_aesdeclast_epi128
#define V_BCAST128(x) _mm256_broadcastsi128_si256(x)
#define V_SLLV _mm256_sllv_epi64
#define V_SRLV _mm256_srlv_epi64
#define V_SUB64 _mm256_sub_epi64
#define V_SET1_64(x) _mm256_set1_epi64x(x)
#define V_BSLLI8(v) _mm256_bslli_epi128(v, 8)
#define V_CLMUL_HI_LO(a, b) _mm256_clmulepi64_epi128(a, b, 0x01)
#define V_SET1_LO64(x) _mm256_set_epi64x(0, x, 0, x)
#define V_LANE_STEPS(j) _mm256_set_epi64x((j) + 1, (j) + 1, j, j)
#define V_UNITS(f) _mm256_set_epi64x(0, (long long)((f) + 1), 0, (long long)(f))
#define V_CLEAR_HIGH() ((void)0)  /* AVX2 has registers 0-15 only */
#include "xts_vaes_body.h"

/**
 * apfs_xts_vaes_crypt - XTS-encrypt or -decrypt whole units in place
 * @rk:         round keys from apfs_xts_aesni_setkey()
 * @e:          APFS_XTS_VAES (512-bit) or APFS_XTS_VAES256
 * @buf:        units * 512 bytes
 * @units:      how many 512-byte units
 * @first_unit: the unit number (tweak) of the first; the rest follow on
 * @enc:        true to encrypt, false to decrypt
 *
 * Call only when apfs_xts_vaes_usable(e).  Touches nothing but @buf.
 */
void apfs_xts_vaes_crypt(const struct apfs_xts_rk *rk, enum apfs_xts_engine e, uint8_t *buf,
			 size_t units, uint64_t first_unit, bool enc)
{
	if (e == APFS_XTS_VAES)
		crypt_512(rk, buf, units, first_unit, enc);
	else
		crypt_256(rk, buf, units, first_unit, enc);
}

#else  /* not x86-64 with GCC or clang: xts.c uses another engine */

bool apfs_xts_vaes_usable(enum apfs_xts_engine e)
{
	(void)e;
	return false;
}

void apfs_xts_vaes_crypt(const struct apfs_xts_rk *rk, enum apfs_xts_engine e, uint8_t *buf,
			 size_t units, uint64_t first_unit, bool enc)
{
	(void)rk;
	(void)e;
	(void)buf;
	(void)units;
	(void)first_unit;
	(void)enc;
}

#endif
