/* SPDX-License-Identifier: MIT */
/*
 * gpt.h - the partition map: where the APFS containers of a disk are.
 *
 * A partition map is part of the image layer (it says where bytes are, not
 * what they mean), but it is not a struct apfs_dev_ops layer: it maps one
 * disk to several ranges, and the only thing read inside an APFS partition
 * is APFS, which takes (dev, offset, size) directly.  So it ends the chain
 * of layers rather than adding one.
 */
#ifndef IMAGE_GPT_H
#define IMAGE_GPT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util/bytes.h"
#include "image/dev.h"

#define APFS_MAX_PARTS 128

struct apfs_part {
	uint64_t offset;     /* bytes from the start of the image */
	uint64_t size;       /* bytes */
	unsigned index;      /* 1-based GPT entry number; 0 for a bare container */
	const char *type;    /* "Apple_APFS", "Apple_APFS_ISC", ... or NULL */
	uint32_t sector_size;
	char name[73];       /* GPT partition name, UTF-8 */
};

/*
 * Find the APFS containers in an image: a bare container at offset 0, or the
 * APFS partitions of a GPT disk (512- or 4096-byte sectors).  Non-APFS
 * input is named in the error (-APFS_ENOTAPFS).  *parts is malloc'd.
 */
int apfs_find_containers(struct apfs_dev *dev, struct apfs_part **parts, unsigned *nparts);

/* ---- GPT ---------------------------------------------------------------- */

struct apfs_gpt_header {
	uint8_t signature[8]; /* "EFI PART" */
	le32_t revision;
	le32_t header_size;
	le32_t header_crc32;
	le32_t reserved;
	le64_t my_lba;
	le64_t alternate_lba;
	le64_t first_usable_lba;
	le64_t last_usable_lba;
	uint8_t disk_guid[16];
	le64_t partition_entry_lba;
	le32_t num_partition_entries;
	le32_t size_of_partition_entry;
	le32_t partition_entry_array_crc32;
};
_Static_assert(offsetof(struct apfs_gpt_header, partition_entry_lba) == 72, "GPT header");
_Static_assert(sizeof(struct apfs_gpt_header) == 92, "GPT header");

struct apfs_gpt_entry {
	uint8_t type_guid[16];
	uint8_t unique_guid[16];
	le64_t starting_lba;
	le64_t ending_lba;
	le64_t attributes;
	le16_t name[36];
};
_Static_assert(sizeof(struct apfs_gpt_entry) == 128, "GPT entry");

#endif
