/* SPDX-License-Identifier: MIT */
/*
 * lzfse.h - bounded LZFSE decoder.
 *
 * LZFSE streams (UDIF ULFO chunks, decmpfs types 11/12) are a sequence of
 * blocks, each starting with a 4-byte magic: `bvx-` stored, `bvxn` LZVN,
 * `bvx1` / `bvx2` LZ77 with FSE-coded literals and L/M/D triples (plain or
 * packed header), and `bvx$` ending the stream.  Like the LZVN decoder it
 * reads only inside src, writes only inside dst, bounds every loop and does
 * not log.
 */
#ifndef APFS_LZFSE_H
#define APFS_LZFSE_H

#include <stddef.h>
#include <stdint.h>

/**
 * apfs_lzfse_decode - decode one LZFSE stream, up to its `bvx$` block
 * @src:    compressed bytes
 * @srclen: their count
 * @dst:    output buffer
 * @dstcap: its size
 * @dstlen: set to the number of bytes written (on success only)
 *
 * Bytes after the end-of-stream block are ignored.
 *
 * Returns 0, -APFS_ECORRUPT for a malformed or truncated stream, -ENOSPC
 * when the output would exceed @dstcap, or -ENOMEM.
 */
int apfs_lzfse_decode(const uint8_t *src, size_t srclen, uint8_t *dst, size_t dstcap,
		      size_t *dstlen);

#endif
