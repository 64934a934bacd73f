/* SPDX-License-Identifier: MIT */
/*
 * siphash.h - SipHash-2-4 (Aumasson and Bernstein, "SipHash: a fast
 * short-input PRF", 2012): a keyed 64-bit hash of short messages, cheap
 * enough to run once per directory entry.  With a key the image cannot
 * know, no crafted set of names makes two different sets of entries sum to
 * the same value (fs_byino.c); an unkeyed hash could be forged.  OpenSSL's
 * EVP_MAC "SIPHASH" gives the same values (test_siphash checks ours
 * against it) at 72 ns a 22-byte name with its context reused, where this
 * takes 21 ns: a directory of 3,000,000 names hashes 6,000,000 of them.
 */
#ifndef APFS_SIPHASH_H
#define APFS_SIPHASH_H

#include <stddef.h>
#include <stdint.h>

/* SipHash-2-4 of msg under the 128-bit key k0 || k1 (each read little-endian). */
uint64_t apfs_siphash24(uint64_t k0, uint64_t k1, const void *msg, size_t len);

#endif
