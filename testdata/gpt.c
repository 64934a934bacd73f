/* SPDX-License-Identifier: MIT */
/*
 * gpt.c - wrap the container in a GPT disk as macOS lays one out: 512-byte
 * sectors, protective MBR, 128 entries, the APFS partition at LBA 40, or
 * (a Mac's boot disk) after an EFI System Partition of 409,600 sectors
 * (200 MiB) at LBA 40.
 */
#include <errno.h>
#include <unistd.h>
#include <zlib.h>

#include "mk.h"

#define SECTOR 512
#define PART_LBA 40
#define NENTRIES 128
#define ENTRY_SECTORS (NENTRIES * sizeof(struct apfs_gpt_entry) / SECTOR)

/* Apple_APFS 7C3457EF-0000-11AA-AA11-00306543ECAC, GUID (mixed-endian) byte order. */
static const uint8_t apfs_type[16] = { 0xef, 0x57, 0x34, 0x7c, 0x00, 0x00, 0xaa, 0x11,
				       0xaa, 0x11, 0x00, 0x30, 0x65, 0x43, 0xec, 0xac };

/* EFI System Partition C12A7328-F81F-11D2-BA4B-00A0C93EC93B, same byte order. */
static const uint8_t efi_type[16] = { 0x28, 0x73, 0x2a, 0xc1, 0x1f, 0xf8, 0xd2, 0x11,
				      0xba, 0x4b, 0x00, 0xa0, 0xc9, 0x3e, 0xc9, 0x3b };

static void put_name(struct apfs_gpt_entry *e, const char *name)
{
	for (int i = 0; name[i]; i++)
		e->name[i] = put_le16((uint16_t)name[i]);
}

/* One partition entry; its unique GUID is drawn from the seed. */
static void entry(struct apfs_gpt_entry *e, const uint8_t type[16], uint64_t first,
		  uint64_t sectors, const char *name, struct mk_rng *rng)
{
	memcpy(e->type_guid, type, 16);
	mk_rng_uuid(rng, e->unique_guid);
	e->starting_lba = put_le64(first);
	e->ending_lba = put_le64(first + sectors - 1);
	put_name(e, name);
}

/* Where the container starts in the disk mk_gpt_write makes (efi: with an EFI partition). */
uint64_t mk_gpt_offset(bool efi)
{
	return (PART_LBA + (efi ? MK_EFI_SECTORS : 0)) * SECTOR;
}

static void protective_mbr(uint8_t *s, uint64_t total)
{
	uint8_t *p = s + 446;

	p[2] = 0x02;
	p[4] = 0xee;
	p[5] = p[6] = p[7] = 0xff;
	st_le32(p + 8, 1);
	st_le32(p + 12, total - 1 > 0xffffffffu ? 0xffffffffu : (uint32_t)(total - 1));
	s[510] = 0x55;
	s[511] = 0xaa;
}

static void header(struct apfs_gpt_header *h, uint64_t my, uint64_t alt, uint64_t last,
		   uint64_t entries, const uint8_t guid[16], uint32_t ecrc)
{
	memset(h, 0, sizeof(*h));
	memcpy(h->signature, "EFI PART", 8);
	h->revision = put_le32(0x00010000);
	h->header_size = put_le32(sizeof(*h));
	h->my_lba = put_le64(my);
	h->alternate_lba = put_le64(alt);
	h->first_usable_lba = put_le64(2 + ENTRY_SECTORS);
	h->last_usable_lba = put_le64(last - 1 - ENTRY_SECTORS);
	memcpy(h->disk_guid, guid, 16);
	h->partition_entry_lba = put_le64(entries);
	h->num_partition_entries = put_le32(NENTRIES);
	h->size_of_partition_entry = put_le32(sizeof(struct apfs_gpt_entry));
	h->partition_entry_array_crc32 = put_le32(ecrc);
	h->header_crc32 = put_le32((uint32_t)crc32(0, (const Bytef *)h, sizeof(*h)));
}

static int put_sectors(int fd, const void *p, size_t n, uint64_t lba)
{
	return pwrite(fd, p, n, (off_t)(lba * SECTOR)) == (ssize_t)n ? 0 : -errno;
}

/**
 * mk_gpt_write() - write MBR and both GPTs around a container of
 * container_bytes (after an EFI System Partition if efi is set); say where
 * the container goes and how big the disk is.
 */
int mk_gpt_write(int fd, uint64_t container_bytes, bool efi, struct mk_rng *rng,
		 uint64_t *offset, uint64_t *disk_bytes)
{
	static struct apfs_gpt_entry ent[NENTRIES];
	uint8_t mbr[SECTOR] = { 0 }, guid[16], hs[SECTOR] = { 0 };
	uint64_t first = mk_gpt_offset(efi) / SECTOR;
	uint64_t total = first + container_bytes / SECTOR + 1 + ENTRY_SECTORS;
	uint64_t last = total - 1;
	struct apfs_gpt_entry *e = ent;
	uint32_t ecrc;
	int rc;

	memset(ent, 0, sizeof(ent));
	if (efi)
		entry(e++, efi_type, PART_LBA, MK_EFI_SECTORS, "EFI System Partition", rng);
	entry(e, apfs_type, first, container_bytes / SECTOR, "Apple_APFS", rng);
	ecrc = (uint32_t)crc32(0, (const Bytef *)ent, sizeof(ent));
	mk_rng_uuid(rng, guid);
	protective_mbr(mbr, total);
	rc = put_sectors(fd, mbr, SECTOR, 0);
	header((struct apfs_gpt_header *)hs, 1, last, last, 2, guid, ecrc);
	if (!rc)
		rc = put_sectors(fd, hs, SECTOR, 1);
	if (!rc)
		rc = put_sectors(fd, ent, sizeof(ent), 2);
	header((struct apfs_gpt_header *)hs, last, 1, last, last - ENTRY_SECTORS, guid, ecrc);
	if (!rc)
		rc = put_sectors(fd, ent, sizeof(ent), last - ENTRY_SECTORS);
	if (!rc)
		rc = put_sectors(fd, hs, SECTOR, last);
	if (!rc && efi)
		rc = mk_efi_fat32(fd, PART_LBA * SECTOR, MK_EFI_SECTORS,
				  (uint32_t)mk_rng_next(rng));
	*offset = first * SECTOR;
	*disk_bytes = total * SECTOR;
	return rc;
}
