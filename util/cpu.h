/* SPDX-License-Identifier: MIT */
/*
 * cpu.h - which x86 instruction-set extensions this CPU and kernel can run,
 * read with CPUID and XGETBV (compilers disagree on the names
 * __builtin_cpu_supports accepts: no clang knows "vaes").
 */
#ifndef APFS_CPU_H
#define APFS_CPU_H

#include <stdbool.h>

/* AES-NI and SSE4.1 (xts_aesni.c). */
bool apfs_cpu_aesni(void);
/* AVX2, with the kernel saving the YMM state (cipher/pbkdf2_lanes.c). */
bool apfs_cpu_avx2(void);
/* AVX2 and AVX-512 F, with the ZMM and mask state saved. */
bool apfs_cpu_avx512f(void);
/* AES-NI, AVX2, VAES and VPCLMULQDQ, with the kernel saving the YMM state. */
bool apfs_cpu_vaes256(void);
/* apfs_cpu_vaes256() plus AVX-512 F, BW and VL, with the ZMM and mask state saved. */
bool apfs_cpu_vaes512(void);

#endif
