/* SPDX-License-Identifier: MIT */
/*
 * xts_aesni.c - AES-128-XTS over 512-byte units with AES-NI instructions.
 *
 * APFS restarts the tweak every 512 bytes, so OpenSSL's XTS would take one
 * call per unit, and the portable path in xts.c (bulk AES-ECB plus tweak
 * passes in C) touches every byte three times.  Here each unit costs one AES
 * of its number under key2 for its first tweak, then its 32 blocks go
 * through AES in one pass, 8 independent AESDEC streams at a time (the 8
 * units of a 4 KiB block side by side) to keep the pipelined AES units busy,
 * while the tweaks advance in SSE registers.
 *
 * Only these functions are compiled for AES-NI (function attributes, no
 * global -maes), and xts.c calls them only when apfs_xts_aesni_usable() says
 * the CPU has the instructions, so the same binary runs on any x86-64.  The
 * round keys are written once by apfs_xts_aesni_setkey() and only read
 * after, so any number of threads may share them.
 */
#include "util/cpu.h"
#include "cipher/xts_int.h"

#if (defined(__x86_64__) || defined(__i386__)) && (defined(__GNUC__) || defined(__clang__))

#include <emmintrin.h>
#include <smmintrin.h>
#include <wmmintrin.h>

#define AESNI __attribute__((target("aes,sse2,sse4.1")))
/* Inlined always: a call would pass the lanes through memory. */
#define AESNI_INLINE static inline __attribute__((always_inline, target("aes,sse2,sse4.1")))
/*
 * Blocks in flight: AESDEC's latency times how many issue per cycle (4 x 2
 * on recent x86) keeps the AES units busy; 8 also fills the 16 registers
 * with data, the tweaks going to the stack.  And 8 units are 4096 bytes.
 */
#define LANES 8
#define UNIT_BLOCKS (APFS_XTS_UNIT / 16)

/*
 * Unroll the loops over lanes so that each lane's block lives in its own
 * register (rolled, GCC -O2 keeps the array in memory, a load and a store
 * around every AESDEC), and the rounds so that the round keys stay in
 * registers too.
 */
#if defined(__clang__) || __GNUC__ >= 8
#define UNROLL_LANES _Pragma("GCC unroll 8")
#define UNROLL_ROUNDS _Pragma("GCC unroll 9")
#else
#define UNROLL_ROUNDS
#define UNROLL_LANES
#endif

/*
 * Round keys and tweaks must not outlive a call in the vector registers
 * either: the dynamic linker's lazy-binding trampoline (xsave) and signal
 * frames copy the registers onto the stack, where nothing wipes them.
 */
AESNI_INLINE void clear_xmm(void)
{
	__asm__ volatile("pxor %%xmm0, %%xmm0\n\tpxor %%xmm1, %%xmm1\n\t"
			 "pxor %%xmm2, %%xmm2\n\tpxor %%xmm3, %%xmm3\n\t"
			 "pxor %%xmm4, %%xmm4\n\tpxor %%xmm5, %%xmm5\n\t"
			 "pxor %%xmm6, %%xmm6\n\tpxor %%xmm7, %%xmm7"
			 ::: "xmm0", "xmm1", "xmm2", "xmm3", "xmm4", "xmm5", "xmm6", "xmm7");
#ifdef __x86_64__
	__asm__ volatile("pxor %%xmm8, %%xmm8\n\tpxor %%xmm9, %%xmm9\n\t"
			 "pxor %%xmm10, %%xmm10\n\tpxor %%xmm11, %%xmm11\n\t"
			 "pxor %%xmm12, %%xmm12\n\tpxor %%xmm13, %%xmm13\n\t"
			 "pxor %%xmm14, %%xmm14\n\tpxor %%xmm15, %%xmm15"
			 ::: "xmm8", "xmm9", "xmm10", "xmm11", "xmm12", "xmm13", "xmm14", "xmm15");
#endif
}

bool apfs_xts_aesni_usable(void)
{
	return apfs_cpu_aesni();
}

/*
 * One AES-128 key expansion step (FIPS 197 5.2): every word of the new round
 * key is the XOR of the old words up to it and SubWord(RotWord(w3)) ^ rcon,
 * which AESKEYGENASSIST leaves in word 3 of its result.
 */
static AESNI __m128i expand_step(__m128i key, __m128i assist)
{
	assist = _mm_shuffle_epi32(assist, 0xff);
	key = _mm_xor_si128(key, _mm_slli_si128(key, 4));
	key = _mm_xor_si128(key, _mm_slli_si128(key, 4));
	key = _mm_xor_si128(key, _mm_slli_si128(key, 4));
	return _mm_xor_si128(key, assist);
}

/* AESKEYGENASSIST takes rcon as an immediate, hence a macro, not a loop. */
#define EXPAND(i, rcon) \
	(rk[i] = expand_step(rk[(i) - 1], _mm_aeskeygenassist_si128(rk[(i) - 1], rcon)))

static AESNI void expand_key(const uint8_t key[16], __m128i *rk)
{
	rk[0] = _mm_loadu_si128((const __m128i *)key);
	EXPAND(1, 0x01);
	EXPAND(2, 0x02);
	EXPAND(3, 0x04);
	EXPAND(4, 0x08);
	EXPAND(5, 0x10);
	EXPAND(6, 0x20);
	EXPAND(7, 0x40);
	EXPAND(8, 0x80);
	EXPAND(9, 0x1b);
	EXPAND(10, 0x36);
}

/**
 * apfs_xts_aesni_setkey - AES-NI round keys for an XTS key pair
 * @rk:   where they go (16-byte aligned)
 * @key1: the data key
 * @key2: the tweak key
 *
 * AESDEC runs the Equivalent Inverse Cipher (FIPS 197 5.3.5), so the
 * decryption schedule is the encryption one reversed, with InvMixColumns
 * (AESIMC) applied to all but the outer two keys.  Call only when
 * apfs_xts_aesni_usable().
 */
AESNI void apfs_xts_aesni_setkey(struct apfs_xts_rk *rk, const uint8_t key1[16],
				 const uint8_t key2[16])
{
	__m128i *e1 = (__m128i *)rk->enc1, *d1 = (__m128i *)rk->dec1;

	expand_key(key1, e1);
	expand_key(key2, (__m128i *)rk->enc2);
	d1[0] = e1[APFS_AES128_NRK - 1];
	for (int i = 1; i < APFS_AES128_NRK - 1; i++)
		d1[i] = _mm_aesimc_si128(e1[APFS_AES128_NRK - 1 - i]);
	d1[APFS_AES128_NRK - 1] = e1[0];
	clear_xmm();
}

/*
 * Next block's tweak: multiply by x in GF(2^128) (IEEE 1619 5.2), the tweak
 * a little-endian 128-bit number.  Double each 64-bit half; the bit leaving
 * the low half enters the high one, and the bit leaving the top folds back
 * as 0x87.  The compare spreads each 32-bit lane's top bit over the lane; the
 * shuffle moves bit 63's mask under the high half's bit 0 and bit 127's under
 * the low byte.  (Add and compare rather than shifts: on AMD Zen the shift
 * and shuffle pipes are also the AES pipes.)
 */
AESNI_INLINE __m128i mul_x(__m128i t)
{
	const __m128i poly = _mm_set_epi32(0, 1, 0, 0x87);
	__m128i carry = _mm_shuffle_epi32(_mm_cmpgt_epi32(_mm_setzero_si128(), t), 0x13);

	return _mm_xor_si128(_mm_add_epi64(t, t), _mm_and_si128(carry, poly));
}

/*
 * Rounds 1..10 of LANES independent blocks, each round over all lanes, and
 * the output XOR with the lane's tweak t[i], folded into the last round key
 * (AESDECLAST and AESENCLAST end with the key XOR).  The caller has XORed
 * round key 0.
 */
AESNI_INLINE void aes_lanes(__m128i *b, const __m128i *k, const __m128i *t, bool enc)
{
	const __m128i last = k[APFS_AES128_NRK - 1];

	if (enc) {
		UNROLL_ROUNDS
		for (int r = 1; r < APFS_AES128_NRK - 1; r++)
			UNROLL_LANES
			for (int i = 0; i < LANES; i++)
				b[i] = _mm_aesenc_si128(b[i], k[r]);
		UNROLL_LANES
		for (int i = 0; i < LANES; i++)
			b[i] = _mm_aesenclast_si128(b[i], _mm_xor_si128(last, t[i]));
		return;
	}
	UNROLL_ROUNDS
	for (int r = 1; r < APFS_AES128_NRK - 1; r++)
		UNROLL_LANES
		for (int i = 0; i < LANES; i++)
			b[i] = _mm_aesdec_si128(b[i], k[r]);
	UNROLL_LANES
	for (int i = 0; i < LANES; i++)
		b[i] = _mm_aesdeclast_si128(b[i], _mm_xor_si128(last, t[i]));
}

/* First tweaks of units first..first+LANES-1: AES_key2 of each number (LE64, zero-padded). */
AESNI_INLINE void first_tweaks(const __m128i *k2, uint64_t first, __m128i *t)
{
	const __m128i none[LANES] = { 0 };

	UNROLL_LANES
	for (int i = 0; i < LANES; i++)
		t[i] = _mm_xor_si128(_mm_set_epi64x(0, (long long)(first + (uint64_t)i)), k2[0]);
	aes_lanes(t, k2, none, true);
}

/*
 * LANES consecutive units in lockstep, lane i being unit first + i and step j
 * block j of every lane: out = AES(in ^ T) ^ T.  Each lane's tweak is then
 * multiplied by x once per step, in parallel with the other lanes', instead
 * of a 32-long chain of dependent doublings per unit that the AES units would
 * wait on, and the first tweaks of all lanes are one 8-lane AES pass.  A
 * 4096-byte block is exactly LANES units.
 */
static AESNI void crypt_lanes(const struct apfs_xts_rk *rk, uint8_t *p, uint64_t first, bool enc)
{
	const __m128i *k = (const __m128i *)(enc ? rk->enc1 : rk->dec1);
	__m128i b[LANES], t[LANES];

	first_tweaks((const __m128i *)rk->enc2, first, t);
	for (int j = 0; j < UNIT_BLOCKS; j++, p += 16) {
		UNROLL_LANES
		for (int i = 0; i < LANES; i++) {
			b[i] = _mm_loadu_si128((const __m128i *)(p + APFS_XTS_UNIT * i));
			b[i] = _mm_xor_si128(b[i], _mm_xor_si128(t[i], k[0]));
		}
		aes_lanes(b, k, t, enc);
		UNROLL_LANES
		for (int i = 0; i < LANES; i++) {
			_mm_storeu_si128((__m128i *)(p + APFS_XTS_UNIT * i), b[i]);
			t[i] = mul_x(t[i]);
		}
	}
}

/*
 * One unit alone, from its first tweak t: its 32 blocks in groups of LANES,
 * the tweaks a serial chain.  Slower, but only for the units % LANES tail.
 */
static AESNI void crypt_unit(const __m128i *k, uint8_t *p, __m128i t, bool enc)
{
	__m128i b[LANES], tw[LANES];

	for (int g = 0; g < UNIT_BLOCKS; g += LANES, p += 16 * LANES) {
		UNROLL_LANES
		for (int i = 0; i < LANES; i++) {
			tw[i] = t;
			t = mul_x(t);
			b[i] = _mm_loadu_si128((const __m128i *)(p + 16 * i));
			b[i] = _mm_xor_si128(b[i], _mm_xor_si128(tw[i], k[0]));
		}
		aes_lanes(b, k, tw, enc);
		UNROLL_LANES
		for (int i = 0; i < LANES; i++)
			_mm_storeu_si128((__m128i *)(p + 16 * i), b[i]);
	}
}

/* The last n < LANES units; lanes past n compute tweaks nobody uses. */
static AESNI void crypt_tail(const struct apfs_xts_rk *rk, uint8_t *p, size_t n, uint64_t first,
			     bool enc)
{
	const __m128i *k = (const __m128i *)(enc ? rk->enc1 : rk->dec1);
	__m128i t[LANES];

	first_tweaks((const __m128i *)rk->enc2, first, t);
	for (size_t i = 0; i < n; i++)
		crypt_unit(k, p + i * APFS_XTS_UNIT, t[i], enc);
}

/**
 * apfs_xts_aesni_crypt - XTS-encrypt or -decrypt whole units in place
 * @rk:         round keys from apfs_xts_aesni_setkey()
 * @buf:        units * 512 bytes
 * @units:      how many 512-byte units
 * @first_unit: the unit number (tweak) of the first; the rest follow on
 * @enc:        true to encrypt, false to decrypt
 *
 * Call only when apfs_xts_aesni_usable().  Touches nothing but @buf.
 */
AESNI void apfs_xts_aesni_crypt(const struct apfs_xts_rk *rk, uint8_t *buf, size_t units,
				uint64_t first_unit, bool enc)
{
	size_t u = 0;

	for (; units - u >= LANES; u += LANES)
		crypt_lanes(rk, buf + u * APFS_XTS_UNIT, first_unit + u, enc);
	if (u < units)
		crypt_tail(rk, buf + u * APFS_XTS_UNIT, units - u, first_unit + u, enc);
	clear_xmm();
}

#else  /* no x86 or no target attributes: xts.c keeps to AES-ECB */

bool apfs_xts_aesni_usable(void)
{
	return false;
}

void apfs_xts_aesni_setkey(struct apfs_xts_rk *rk, const uint8_t key1[16],
			   const uint8_t key2[16])
{
	(void)rk;
	(void)key1;
	(void)key2;
}

void apfs_xts_aesni_crypt(const struct apfs_xts_rk *rk, uint8_t *buf, size_t units,
			  uint64_t first_unit, bool enc)
{
	(void)rk;
	(void)buf;
	(void)units;
	(void)first_unit;
	(void)enc;
}

#endif
