/* SPDX-License-Identifier: MIT */
/*
 * gpt.c - find APFS containers in an image: a bare container at
 * offset 0, or the APFS partitions of a GPT disk with 512- or 4096-byte
 * sectors (docs/apfs-format.md §1.1).  Other input is named, not guessed at.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "util/err.h"
#include "image/gpt.h"

/* GPT type GUIDs as they lie on disk (first three groups little-endian). */
static const struct {
	uint8_t guid[16];
	const char *name;
	bool apfs;
} part_types[] = {
	{ { 0xef, 0x57, 0x34, 0x7c, 0x00, 0x00, 0xaa, 0x11, 0xaa, 0x11, 0x00, 0x30, 0x65, 0x43,
	    0xec, 0xac }, "Apple_APFS", true },
	{ { 0x61, 0x69, 0x64, 0x69, 0x00, 0x67, 0xaa, 0x11, 0xaa, 0x11, 0x00, 0x30, 0x65, 0x43,
	    0xec, 0xac }, "Apple_APFS_ISC", true },
	{ { 0x72, 0x76, 0x63, 0x52, 0x00, 0x79, 0xaa, 0x11, 0xaa, 0x11, 0x00, 0x30, 0x65, 0x43,
	    0xec, 0xac }, "Apple_APFS_Recovery", true },
	{ { 0x00, 0x53, 0x46, 0x48, 0x00, 0x00, 0xaa, 0x11, 0xaa, 0x11, 0x00, 0x30, 0x65, 0x43,
	    0xec, 0xac }, "Apple_HFS (HFS+)", false },
	{ { 0x72, 0x6f, 0x74, 0x53, 0x67, 0x61, 0xaa, 0x11, 0xaa, 0x11, 0x00, 0x30, 0x65, 0x43,
	    0xec, 0xac }, "Apple_CoreStorage", false },
	{ { 0x74, 0x6f, 0x6f, 0x42, 0x00, 0x00, 0xaa, 0x11, 0xaa, 0x11, 0x00, 0x30, 0x65, 0x43,
	    0xec, 0xac }, "Apple_Boot", false },
	{ { 0x28, 0x73, 0x2a, 0xc1, 0x1f, 0xf8, 0xd2, 0x11, 0xba, 0x4b, 0x00, 0xa0, 0xc9, 0x3e,
	    0xc9, 0x3b }, "EFI System", false },
	{ { 0xa2, 0xa0, 0xd0, 0xeb, 0xe5, 0xb9, 0x33, 0x44, 0x87, 0xc0, 0x68, 0xb6, 0xb7, 0x26,
	    0x99, 0xc7 }, "Microsoft basic data", false },
	{ { 0xaf, 0x3d, 0xc6, 0x0f, 0x83, 0x84, 0x72, 0x47, 0x8e, 0x79, 0x3d, 0x69, 0xd8, 0x47,
	    0x7d, 0xe4 }, "Linux filesystem", false },
};

static int type_index(const uint8_t guid[16])
{
	for (size_t i = 0; i < sizeof(part_types) / sizeof(part_types[0]); i++)
		if (!memcmp(guid, part_types[i].guid, 16))
			return (int)i;
	return -1;
}

/* nx_magic 'NXSB' at byte 32 of block 0 (Apple's APFS reference). */
static bool is_nxsb(const uint8_t *blk)
{
	return !memcmp(blk + 32, "NXSB", 4);
}

/* Name what lies at the start of a non-APFS image, for the error message. */
static const char *sniff(struct apfs_dev *dev, const uint8_t *b0)
{
	uint8_t b[2048];

	if (!apfs_dev_read(dev, b, sizeof(b), 0)) {
		if (!memcmp(b + 1024, "H+", 2) || !memcmp(b + 1024, "HX", 2))
			return "an HFS+ volume";
		if (!memcmp(b + 0x438, "\x53\xef", 2))
			return "an ext2/3/4 file system";
	}
	/* A CoreStorage physical volume header: version 1 at byte 8, "CS" at 88
	 * (libfvde's format notes; util-linux probes the same signature). */
	if (!memcmp(b0 + 88, "CS", 2) && ld_le16(b0 + 8) == 1)
		return "a CoreStorage physical volume (FileVault 2 on HFS+, not APFS)";
	if (!memcmp(b0 + 3, "NTFS    ", 8))
		return "an NTFS volume";
	if (!memcmp(b0 + 82, "FAT32   ", 8) || !memcmp(b0 + 54, "FAT", 3))
		return "a FAT file system";
	if (!memcmp(b0, "encrcdsa", 8) || !memcmp(b0, "cdsaencr", 8))
		return "an encrypted disk image";
	if (b0[510] == 0x55 && b0[511] == 0xaa)
		return "an MBR partition table without GPT";
	return NULL;
}

static void utf16_name(const struct apfs_gpt_entry *e, char *out, size_t cap)
{
	size_t o = 0;

	/* Partition names are UTF-16LE; BMP code points are enough here. */
	for (int i = 0; i < 36; i++) {
		uint16_t ch = get_le16(e->name[i]);

		if (!ch)
			break;
		if (ch < 0x80 && o + 1 < cap) {
			out[o++] = (char)ch;
		} else if (ch < 0x800 && o + 2 < cap) {
			out[o++] = (char)(0xc0 | ch >> 6);
			out[o++] = (char)(0x80 | (ch & 0x3f));
		} else if (o + 3 < cap) {
			out[o++] = (char)(0xe0 | ch >> 12);
			out[o++] = (char)(0x80 | ((ch >> 6) & 0x3f));
			out[o++] = (char)(0x80 | (ch & 0x3f));
		}
	}
	out[o] = '\0';
}

struct gpt_scan {
	struct apfs_part *parts;
	unsigned n;
	char others[256]; /* non-APFS partition types seen, for the message */
};

static void note_other(struct gpt_scan *s, const char *what)
{
	size_t l = strlen(s->others);

	if (strstr(s->others, what) || l + strlen(what) + 3 >= sizeof(s->others))
		return;
	snprintf(s->others + l, sizeof(s->others) - l, "%s%s", l ? ", " : "", what);
}

static void add_entry(struct apfs_dev *dev, const struct apfs_gpt_entry *e, unsigned idx,
		      uint32_t ss, struct gpt_scan *s)
{
	uint64_t start = get_le64(e->starting_lba), end = get_le64(e->ending_lba);
	struct apfs_part *p;
	int t = type_index(e->type_guid);

	if (t < 0 || !part_types[t].apfs) {
		note_other(s, t < 0 ? "unknown type" : part_types[t].name);
		return;
	}
	/* Its first sector must hold a byte of the image (size >= 4096 here). */
	if (end < start || start > (dev->size - 1) / ss) {
		apfs_warn("GPT entry %u: %s partition LBA %llu-%llu lies outside the image; skipped",
			  idx, part_types[t].name, (unsigned long long)start,
			  (unsigned long long)end);
		return;
	}
	p = &s->parts[s->n++];
	p->offset = start * ss;
	p->size = (end - start + 1) > UINT64_MAX / ss ? UINT64_MAX : (end - start + 1) * ss;
	p->index = idx;
	p->type = part_types[t].name;
	p->sector_size = ss;
	utf16_name(e, p->name, sizeof(p->name));
}

static int read_gpt_entries(struct apfs_dev *dev, const struct apfs_gpt_header *h, uint32_t ss,
			    struct gpt_scan *s)
{
	uint32_t num = get_le32(h->num_partition_entries);
	uint32_t esz = get_le32(h->size_of_partition_entry);
	uint64_t lba = get_le64(h->partition_entry_lba);
	uint8_t *tab;
	int ret;

	/* Bound the table before multiplying: a crafted header may claim 2^32. */
	if (esz < 128 || esz > 4096 || esz % 8 || num == 0 || num > 4096 ||
	    lba > dev->size / ss) {
		apfs_err("GPT header (LBA 1, %u-byte sectors): implausible partition table "
			 "(%u entries of %u bytes at LBA %llu)", ss, num, esz,
			 (unsigned long long)lba);
		return -APFS_ECORRUPT;
	}
	tab = malloc((size_t)num * esz);
	if (!tab)
		return -ENOMEM;
	ret = apfs_dev_read(dev, tab, (size_t)num * esz, lba * ss);
	if (ret) {
		apfs_err("GPT partition table at LBA %llu: %s", (unsigned long long)lba,
			 ret == -APFS_ETRUNC ? "lies past the end of the image" : "read failed");
		free(tab);
		return ret;
	}
	if (crc32(0, tab, num * esz) != get_le32(h->partition_entry_array_crc32))
		apfs_warn("GPT partition table CRC32 mismatch; reading it anyway");
	for (uint32_t i = 0; i < num && s->n < APFS_MAX_PARTS; i++) {
		const struct apfs_gpt_entry *e = (const void *)(tab + (size_t)i * esz);

		if (get_le64(e->starting_lba) == 0 && get_le64(e->ending_lba) == 0)
			continue;
		add_entry(dev, e, i + 1, ss, s);
	}
	free(tab);
	return 0;
}

/* 1 when a GPT with that sector size was found (and parsed), 0 if none. */
static int try_gpt(struct apfs_dev *dev, uint32_t ss, struct gpt_scan *s)
{
	struct apfs_gpt_header h;
	uint32_t hsz, crc;
	uint8_t hb[512];
	int ret;

	if (apfs_dev_read(dev, hb, sizeof(hb), ss))
		return 0;
	memcpy(&h, hb, sizeof(h));
	if (memcmp(h.signature, "EFI PART", 8))
		return 0;
	hsz = get_le32(h.header_size);
	if (hsz >= 92 && hsz <= sizeof(hb)) {
		crc = get_le32(h.header_crc32);
		memset(hb + 16, 0, 4);
		if (crc32(0, hb, hsz) != crc)
			apfs_warn("GPT header CRC32 mismatch (%u-byte sectors); reading it anyway",
				  ss);
	}
	ret = read_gpt_entries(dev, &h, ss, s);
	return ret < 0 ? ret : 1;
}

int apfs_find_containers(struct apfs_dev *dev, struct apfs_part **parts, unsigned *nparts)
{
	struct gpt_scan s = { 0 };
	uint8_t b0[4096];
	const char *what;
	int ret;

	if (dev->size < 4096) {
		apfs_err("'%s' is too small to hold APFS (%llu bytes)", dev->path,
			 (unsigned long long)dev->size);
		return -APFS_ENOTAPFS;
	}
	if (apfs_dev_read(dev, b0, sizeof(b0), 0))
		return -EIO;
	s.parts = calloc(APFS_MAX_PARTS, sizeof(*s.parts));
	if (!s.parts)
		return -ENOMEM;
	if (is_nxsb(b0)) {
		s.parts[0] = (struct apfs_part){ .offset = 0, .size = dev->size, .index = 0 };
		s.n = 1;
		goto found;
	}
	ret = try_gpt(dev, 512, &s);
	if (ret == 0)
		ret = try_gpt(dev, 4096, &s);
	if (ret < 0)
		goto fail;
	if (s.n)
		goto found;
	if (ret == 1) {
		apfs_err("'%s': GPT disk without an APFS partition (partitions: %s)", dev->path,
			 s.others[0] ? s.others : "none");
	} else {
		what = sniff(dev, b0);
		apfs_err("'%s' is not an APFS container or a GPT disk%s%s%s", dev->path,
			 what ? " (it looks like " : "", what ? what : "", what ? ")" : "");
	}
	ret = -APFS_ENOTAPFS;
fail:
	free(s.parts);
	return ret;
found:
	*parts = s.parts;
	*nparts = s.n;
	return 0;
}
