/* SPDX-License-Identifier: MIT */
/*
 * udif_chunk.c - decompress one UDIF chunk: ADC, zlib, bzip2 or LZFSE.
 *
 * A chunk must expand to exactly its sector count times 512 bytes: a stream
 * that ends early, or that has more to give when the buffer is full, is
 * corrupt, not silently padded or cut.
 */
#include <bzlib.h>
#include <stdlib.h>
#include <string.h>

#include "util/err.h"
#include "codec/inflate.h"
#include "codec/lzfse.h"
#include "image/dev.h"
#include "image/udif.h"

const char *apfs_udif_type_name(uint32_t type)
{
	switch (type) {
	case UDIF_ZERO: return "zero-fill";
	case UDIF_RAW: return "raw";
	case UDIF_IGNORE: return "ignore";
	case UDIF_ADC: return "ADC";
	case UDIF_ZLIB: return "zlib";
	case UDIF_BZIP2: return "bzip2";
	case UDIF_LZFSE: return "lzfse";
	case UDIF_COMMENT: return "comment";
	case UDIF_END: return "end";
	default: return NULL;
	}
}

static int udif_zlib(const uint8_t *in, size_t inlen, uint8_t *out, size_t outlen)
{
	size_t got = 0;
	int ret = apfs_inflate(in, inlen, out, outlen, &got);

	/* A chunk must fill its sectors exactly. */
	return !ret && got == outlen ? 0 : -APFS_ECORRUPT;
}

static int udif_bzip2(const uint8_t *in, size_t inlen, uint8_t *out, size_t outlen)
{
	bz_stream bz;
	int br = BZ_OK;

	memset(&bz, 0, sizeof(bz));
	if (BZ2_bzDecompressInit(&bz, 0, 0) != BZ_OK)
		return -ENOMEM;
	bz.next_in = (char *)(uintptr_t)in;
	bz.avail_in = (unsigned)inlen;
	bz.next_out = (char *)out;
	bz.avail_out = (unsigned)outlen;
	/* Each call runs until input or output is exhausted; a few suffice. */
	for (int i = 0; i < 16 && br == BZ_OK && bz.avail_in > 0 && bz.avail_out > 0; i++)
		br = BZ2_bzDecompress(&bz);
	if (br == BZ_OK && bz.avail_out == 0 && bz.avail_in > 0)
		br = BZ2_bzDecompress(&bz); /* the end-of-stream marker may still be pending */
	BZ2_bzDecompressEnd(&bz);
	return (br == BZ_STREAM_END && bz.avail_out == 0) ? 0 : -APFS_ECORRUPT;
}

/*
 * Apple Data Compression, byte-oriented LZ77:
 *   1xxxxxxx            (x + 1) literal bytes follow
 *   01xxxxxx HHHH LLLL  match of x + 4 bytes, distance (16-bit BE) + 1
 *   00xxxxyy LLLLLLLL   match of x + 3 bytes, distance (yy << 8 | L) + 1
 */
static int udif_adc(const uint8_t *in, size_t inlen, uint8_t *out, size_t outlen)
{
	size_t i = 0, o = 0, n, dist;

	/* Every step consumes at least one input byte. */
	while (i < inlen && o < outlen) {
		uint8_t b = in[i];

		if (b & 0x80) {
			n = (size_t)(b & 0x7f) + 1;
			if (n > inlen - i - 1 || n > outlen - o)
				return -APFS_ECORRUPT;
			memcpy(out + o, in + i + 1, n);
			i += 1 + n;
			o += n;
			continue;
		}
		if (inlen - i < ((b & 0x40) ? 3u : 2u))
			return -APFS_ECORRUPT;
		if (b & 0x40) {
			n = (size_t)(b & 0x3f) + 4;
			dist = ((size_t)in[i + 1] << 8 | in[i + 2]) + 1;
			i += 3;
		} else {
			n = (size_t)((b >> 2) & 0x0f) + 3;
			dist = ((size_t)(b & 3) << 8 | in[i + 1]) + 1;
			i += 2;
		}
		if (dist > o || n > outlen - o)
			return -APFS_ECORRUPT;
		for (size_t k = 0; k < n; k++, o++)
			out[o] = out[o - dist];
	}
	return o == outlen ? 0 : -APFS_ECORRUPT;
}

static int udif_lzfse(const uint8_t *in, size_t inlen, uint8_t *out, size_t outlen)
{
	size_t got = 0;
	int ret = apfs_lzfse_decode(in, inlen, out, outlen, &got);

	if (ret == -ENOSPC || (ret == 0 && got != outlen))
		ret = -APFS_ECORRUPT;
	return ret;
}

static int udif_expand(uint32_t type, const uint8_t *in, size_t inlen, uint8_t *out,
		       size_t outlen)
{
	switch (type) {
	case UDIF_ZLIB: return udif_zlib(in, inlen, out, outlen);
	case UDIF_BZIP2: return udif_bzip2(in, inlen, out, outlen);
	case UDIF_ADC: return udif_adc(in, inlen, out, outlen);
	case UDIF_LZFSE: return udif_lzfse(in, inlen, out, outlen);
	default: return -APFS_ECORRUPT;
	}
}

int apfs_udif_decompress(struct apfs_dev *lower, const struct udif_chunk *c, uint8_t *out, const char *what)
{
	size_t outlen = (size_t)(c->nsect * UDIF_SECTOR);
	uint8_t *in = malloc(c->len ? (size_t)c->len : 1);
	int ret;

	if (!in)
		return -ENOMEM;
	ret = apfs_dev_read(lower, in, (size_t)c->len, c->off);
	if (ret) {
		apfs_err("%s: cannot read the %s chunk for sector %llu (%llu bytes at %llu): %s",
			 what, apfs_udif_type_name(c->type), (unsigned long long)c->sector,
			 (unsigned long long)c->len, (unsigned long long)c->off, apfs_strerror(ret));
		free(in);
		return ret;
	}
	ret = udif_expand(c->type, in, (size_t)c->len, out, outlen);
	if (ret == -APFS_ECORRUPT)
		apfs_err("%s: %s chunk for sector %llu (%llu bytes at %llu) is corrupt or does "
			 "not expand to exactly %zu bytes", what, apfs_udif_type_name(c->type),
			 (unsigned long long)c->sector, (unsigned long long)c->len,
			 (unsigned long long)c->off, outlen);
	free(in);
	return ret;
}
