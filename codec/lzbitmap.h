/* SPDX-License-Identifier: MIT */
/*
 * lzbitmap.h - bounded LZBITMAP decoder (decmpfs types 13/14).
 *
 * Format (facts from public descriptions of Apple's encoder output): a
 * stream is the magic "ZBM\x09" then chunks, each of at most 32 KiB of
 * output, ending with a chunk whose output length is 0.  A chunk starts
 * with u24 LE total length and u24 LE output length; if the total is the
 * output length + 6 the bytes follow raw.  Otherwise three u24 LE offsets
 * (from the chunk start) name three metadata areas: (1) little-endian
 * match distances, (2) explicit 8-bit masks, (3) a nibble stream of mask
 * numbers and repeat counts; literals start at byte 15, and the last 17
 * bytes hold 12 packed 10-bit masks (8 mask bits, 2 bits distance size).
 * Each mask bit says "next literal" (1) or "copy the byte `distance` back"
 * (0), eight output bytes per mask.  Never reads outside src or writes
 * outside dst; does not log.
 */
#ifndef APFS_LZBITMAP_H
#define APFS_LZBITMAP_H

#include <stddef.h>
#include <stdint.h>

/**
 * apfs_lzbitmap_decode - decode one LZBITMAP stream
 * Returns 0, -APFS_ECORRUPT for a malformed or truncated stream, -ENOSPC
 * when the output would exceed dstcap.
 */
int apfs_lzbitmap_decode(const uint8_t *src, size_t srclen, uint8_t *dst, size_t dstcap,
			 size_t *dstlen);

#endif
