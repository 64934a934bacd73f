/* SPDX-License-Identifier: MIT */
/*
 * cpu.c - CPU feature checks from CPUID (Intel SDM vol. 2A, "CPUID") and
 * the OS-enabled state in XCR0 (vol. 1, 13.3): an AVX or AVX-512
 * instruction faults unless the kernel saves those registers, whatever
 * CPUID says the silicon has.
 */
#include "util/cpu.h"

#include <stdint.h>

#if defined(__x86_64__) || defined(__i386__)

#include <cpuid.h>

/* CPUID.1:ECX */
#define C1_SSE41 (1u << 19)
#define C1_OSXSAVE (1u << 27)
#define C1_AES (1u << 25)
#define C1_AVX (1u << 28)
/* CPUID.(7,0):EBX and ECX */
#define C7B_AVX2 (1u << 5)
#define C7B_AVX512F (1u << 16)
#define C7B_AVX512BW (1u << 30)
#define C7B_AVX512VL (1u << 31)
#define C7C_VAES (1u << 9)
#define C7C_VPCLMULQDQ (1u << 10)
/* XCR0: SSE and AVX (YMM upper halves); opmask, ZMM0-15 upper, ZMM16-31. */
#define XCR0_YMM 0x06u
#define XCR0_ZMM 0xe0u

static uint32_t leaf1_ecx(void)
{
	unsigned a, b, c, d;

	return __get_cpuid(1, &a, &b, &c, &d) ? c : 0;
}

static void leaf7(uint32_t *ebx, uint32_t *ecx)
{
	unsigned a, b, c, d;

	if (!__get_cpuid_count(7, 0, &a, &b, &c, &d))
		b = c = 0;
	*ebx = b;
	*ecx = c;
}

/* XCR0, or 0 when the OS has not enabled XSAVE (then XGETBV would fault). */
static uint64_t xcr0(void)
{
	uint32_t lo, hi;

	if (!(leaf1_ecx() & C1_OSXSAVE))
		return 0;
	__asm__ volatile("xgetbv" : "=a"(lo), "=d"(hi) : "c"(0));
	return (uint64_t)hi << 32 | lo;
}

bool apfs_cpu_aesni(void)
{
	uint32_t c = leaf1_ecx();

	return (c & C1_AES) && (c & C1_SSE41);
}

bool apfs_cpu_avx2(void)
{
	uint32_t b, c;

	if (!(leaf1_ecx() & C1_AVX) || (xcr0() & XCR0_YMM) != XCR0_YMM)
		return false;
	leaf7(&b, &c);
	return b & C7B_AVX2;
}

bool apfs_cpu_avx512f(void)
{
	uint32_t b, c;

	if (!apfs_cpu_avx2() || (xcr0() & XCR0_ZMM) != XCR0_ZMM)
		return false;
	leaf7(&b, &c);
	return b & C7B_AVX512F;
}

bool apfs_cpu_vaes256(void)
{
	uint32_t b, c;

	if (!apfs_cpu_aesni() || !(leaf1_ecx() & C1_AVX) || (xcr0() & XCR0_YMM) != XCR0_YMM)
		return false;
	leaf7(&b, &c);
	return (b & C7B_AVX2) && (c & C7C_VAES) && (c & C7C_VPCLMULQDQ);
}

bool apfs_cpu_vaes512(void)
{
	const uint32_t need = C7B_AVX512F | C7B_AVX512BW | C7B_AVX512VL;
	uint32_t b, c;

	if (!apfs_cpu_vaes256() || (xcr0() & XCR0_ZMM) != XCR0_ZMM)
		return false;
	leaf7(&b, &c);
	return (b & need) == need;
}

#else

bool apfs_cpu_aesni(void) { return false; }
bool apfs_cpu_avx2(void) { return false; }
bool apfs_cpu_avx512f(void) { return false; }
bool apfs_cpu_vaes256(void) { return false; }
bool apfs_cpu_vaes512(void) { return false; }

#endif
