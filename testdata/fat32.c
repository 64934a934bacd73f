/* SPDX-License-Identifier: MIT */
/*
 * fat32.c - the EFI System Partition of a Mac boot disk: an empty FAT32
 * file system labelled "EFI" (Microsoft's FAT specification: BPB, FSInfo,
 * backup boot sector at 6, two FATs, the root directory in cluster 2 with
 * only its volume-label entry).  One sector per cluster.
 */
#include <errno.h>
#include <unistd.h>

#include "mk.h"

#define SECTOR 512
#define RESERVED 32
#define NFATS 2
#define BACKUP_BOOT 6
#define FSINFO 1

/* FATSz per the specification's formula, for one sector per cluster. */
static uint32_t fat_sectors(uint64_t sectors)
{
	uint64_t a = sectors - RESERVED, b = (256 * 1 + NFATS) / 2;

	return (uint32_t)((a + b - 1) / b);
}

static void boot_sector(uint8_t *s, uint64_t hidden, uint64_t sectors, uint32_t fatsz,
			uint32_t volid)
{
	static const uint8_t jump[3] = { 0xeb, 0x58, 0x90 };

	memcpy(s, jump, 3);
	memcpy(s + 3, "BSD  4.4", 8);
	st_le16(s + 11, SECTOR);
	s[13] = 1;                       /* sectors per cluster */
	st_le16(s + 14, RESERVED);
	s[16] = NFATS;
	s[21] = 0xf8;                    /* fixed disk */
	st_le16(s + 24, 32);             /* sectors per track */
	st_le16(s + 26, 16);             /* heads */
	st_le32(s + 28, (uint32_t)hidden);
	st_le32(s + 32, (uint32_t)sectors);
	st_le32(s + 36, fatsz);
	st_le32(s + 44, 2);              /* root directory cluster */
	st_le16(s + 48, FSINFO);
	st_le16(s + 50, BACKUP_BOOT);
	s[64] = 0x80;
	s[66] = 0x29;                    /* extended boot signature */
	st_le32(s + 67, volid);
	memcpy(s + 71, "EFI        ", 11);
	memcpy(s + 82, "FAT32   ", 8);
	s[510] = 0x55;
	s[511] = 0xaa;
}

static void fsinfo(uint8_t *s, uint32_t free_clusters)
{
	st_le32(s, 0x41615252);
	st_le32(s + 484, 0x61417272);
	st_le32(s + 488, free_clusters);
	st_le32(s + 492, 3);             /* next free cluster */
	st_le32(s + 508, 0xaa550000);
}

static int put(int fd, uint64_t off, const void *p, size_t n)
{
	return pwrite(fd, p, n, (off_t)off) == (ssize_t)n ? 0 : errno ? -errno : -EIO;
}

/**
 * mk_efi_fat32() - write the file system; the rest of the partition stays
 * holes (zeros), as a fresh FAT32 has it.
 * @fd: the disk image
 * @off: the partition's byte offset (its LBA is the BPB's hidden sectors)
 * @sectors: its size in 512-byte sectors (at least 65,525 clusters' worth)
 * @volid: the volume serial number
 */
int mk_efi_fat32(int fd, uint64_t off, uint64_t sectors, uint32_t volid)
{
	uint32_t fatsz = fat_sectors(sectors);
	uint64_t clusters = sectors - RESERVED - (uint64_t)NFATS * fatsz;
	uint8_t bs[SECTOR] = { 0 }, fi[SECTOR] = { 0 }, fat[12], root[32] = { 0 };
	int rc = 0;

	if (clusters < 65525 || clusters > 0x0ffffff5)
		return -EINVAL;
	boot_sector(bs, off / SECTOR, sectors, fatsz, volid);
	fsinfo(fi, (uint32_t)clusters - 1);
	st_le32(fat, 0x0ffffff8);        /* media byte */
	st_le32(fat + 4, 0x0fffffff);
	st_le32(fat + 8, 0x0fffffff);    /* the root directory's one cluster */
	memcpy(root, "EFI        ", 11);
	root[11] = 0x08;                 /* ATTR_VOLUME_ID */
	for (uint64_t b = 0; !rc && b <= BACKUP_BOOT; b += BACKUP_BOOT) {
		rc = put(fd, off + b * SECTOR, bs, SECTOR);
		if (!rc)
			rc = put(fd, off + (b + FSINFO) * SECTOR, fi, SECTOR);
	}
	for (unsigned f = 0; !rc && f < NFATS; f++)
		rc = put(fd, off + (RESERVED + (uint64_t)f * fatsz) * SECTOR, fat, sizeof(fat));
	return rc ? rc : put(fd, off + (RESERVED + (uint64_t)NFATS * fatsz) * SECTOR, root,
			     sizeof(root));
}
