/* SPDX-License-Identifier: MIT */
/*
 * lzvn.h - bounded LZVN decoder.
 *
 * LZVN is Apple's byte-oriented LZ77 format: decmpfs types 7/8 and the
 * `bvxn` blocks inside LZFSE streams.  The decoder trusts nothing: it never
 * reads past src, never writes past dst, and every loop ends because each
 * step consumes at least one input byte.  It does not log: callers know
 * what the stream belongs to and name it in their message.
 */
#ifndef APFS_LZVN_H
#define APFS_LZVN_H

#include <stddef.h>
#include <stdint.h>

/**
 * apfs_lzvn_decode - decode one LZVN stream (ending with its EOS opcode)
 * @src:    compressed bytes
 * @srclen: their count
 * @dst:    output buffer
 * @dstcap: its size
 * @dstlen: set to the number of bytes written (on success only)
 *
 * Bytes after the end-of-stream opcode are ignored.
 *
 * Returns 0, -APFS_ECORRUPT for a malformed or truncated stream (bad opcode,
 * match before the start of the output, no end-of-stream opcode), or
 * -ENOSPC when the output would exceed @dstcap.
 */
int apfs_lzvn_decode(const uint8_t *src, size_t srclen, uint8_t *dst, size_t dstcap,
		     size_t *dstlen);

/**
 * apfs_lzvn_decode_at - decode an LZVN stream after existing output
 * @src:    compressed bytes
 * @srclen: their count
 * @used:   set to the bytes consumed, end-of-stream opcode included
 * @dst:    output buffer; dst[0..*pos) is history that matches may refer to
 * @dstcap: its size
 * @pos:    in: where output starts; out: where it ended
 *
 * This is the form LZFSE needs: its `bvxn` blocks may copy from the output
 * of earlier blocks.  Returns as apfs_lzvn_decode().
 */
int apfs_lzvn_decode_at(const uint8_t *src, size_t srclen, size_t *used, uint8_t *dst,
			size_t dstcap, size_t *pos);

#endif
