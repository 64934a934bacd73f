/* SPDX-License-Identifier: MIT */
/*
 * udif.h - internals shared by the UDIF (.dmg) reader files: the chunk
 * index entry and the per-chunk decompressor.  Outside code uses dev.h.
 */
#ifndef IMAGE_UDIF_H
#define IMAGE_UDIF_H

#include <stdint.h>

struct apfs_dev;

#define UDIF_SECTOR 512
/* One chunk's decompressed size is capped: hdiutil writes 1 MiB chunks. */
#define UDIF_CHUNK_MAX (64u << 20)

/* BLKXChunkEntry.EntryType values. */
#define UDIF_ZERO 0x00000000u
#define UDIF_RAW 0x00000001u
#define UDIF_IGNORE 0x00000002u
#define UDIF_ADC 0x80000004u
#define UDIF_ZLIB 0x80000005u
#define UDIF_BZIP2 0x80000006u
#define UDIF_LZFSE 0x80000007u
#define UDIF_COMMENT 0x7ffffffeu
#define UDIF_END 0xffffffffu

/* One run of sectors of the flat disk and where its bytes are stored. */
struct udif_chunk {
	uint64_t sector; /* first sector, absolute in the flat disk */
	uint64_t nsect;
	uint64_t off;    /* stored bytes: file offset and length */
	uint64_t len;
	uint32_t type;   /* UDIF_* */
	uint32_t blkx;   /* index of its blkx entry, for messages */
};

/* "zlib", "bzip2", ... for messages; NULL for an unknown type. */
const char *apfs_udif_type_name(uint32_t type);

/*
 * Read chunk c (a compressed type) from lower (the .dmg's bytes) and decompress it into out,
 * which holds exactly c->nsect * 512 bytes.  Anything else than exactly
 * that many bytes is an error, logged here naming @what (the image and
 * blkx entry).  Returns 0, -APFS_ECORRUPT, -ENOMEM or -errno.
 */
int apfs_udif_decompress(struct apfs_dev *lower, const struct udif_chunk *c, uint8_t *out, const char *what);

#endif
