/* SPDX-License-Identifier: MIT */
/*
 * gpt.c - wrap the container in a GPT disk as macOS lays one out: 512-byte
 * sectors, protective MBR, 128 entries, the APFS partition at LBA 40.
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
 * container_bytes; say where the container goes and how big the disk is.
 */
int mk_gpt_write(int fd, uint64_t container_bytes, struct mk_rng *rng, uint64_t *offset,
		 uint64_t *disk_bytes)
{
	static struct apfs_gpt_entry ent[NENTRIES];
	uint8_t mbr[SECTOR] = { 0 }, guid[16], hs[SECTOR] = { 0 };
	uint64_t total = PART_LBA + container_bytes / SECTOR + 1 + ENTRY_SECTORS;
	uint64_t last = total - 1;
	uint32_t ecrc;
	const char *name = "Apple_APFS";
	int rc;

	memset(ent, 0, sizeof(ent));
	memcpy(ent[0].type_guid, apfs_type, 16);
	mk_rng_uuid(rng, ent[0].unique_guid);
	ent[0].starting_lba = put_le64(PART_LBA);
	ent[0].ending_lba = put_le64(PART_LBA + container_bytes / SECTOR - 1);
	for (int i = 0; name[i]; i++)
		ent[0].name[i] = put_le16((uint16_t)name[i]);
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
	*offset = PART_LBA * SECTOR;
	*disk_bytes = total * SECTOR;
	return rc;
}
