/* SPDX-License-Identifier: MIT */
/*
 * container.c - the container: object map of the volume superblocks, the
 * container keybag, the ephemeral space manager and reaper in the
 * checkpoint data area, one checkpoint (map + superblock) in the
 * descriptor area, and the superblock copy in block 0.
 */
#include <errno.h>
#include <stdlib.h>

#include "mk.h"

#define SM_PADDR MK_DATA_BASE
#define REAPER_PADDR (MK_DATA_BASE + 1)
#define CPM_PADDR MK_DESC_BASE
#define NX_PADDR (MK_DESC_BASE + 1)
#define FQ_PADDR (MK_DATA_BASE + 2)    /* the two free-queue roots */
#define NX_EPH_MIN_BLOCK_COUNT 8
#define NX_MAX_FILE_SYSTEM_EPH_STRUCTS 4
#define NX_EPH_INFO_VERSION_1 1

/* nx_reaper_phys_t, used only here: offsets from Apple's reference. */
#define NR_NEXT_REAP_ID 32
#define NR_FLAGS 64
#define NR_STATE_BUFFER_SIZE 108
#define NR_STATE_BUFFER 112
#define NR_BHM_FLAG 1

static void write_reaper(struct mk_image *img)
{
	uint8_t *b = mk_block(img, REAPER_PADDR);

	st_le64(b + NR_NEXT_REAP_ID, 1);
	st_le32(b + NR_FLAGS, NR_BHM_FLAG);
	st_le32(b + NR_STATE_BUFFER_SIZE, img->bs - NR_STATE_BUFFER);
	mk_obj_hdr(b, MK_REAPER_OID, img->xid, APFS_OBJ_EPHEMERAL | APFS_OBJECT_TYPE_NX_REAPER, 0);
	mk_obj_seal(b, img->bs);
}

static void put_mapping(struct apfs_checkpoint_mapping *m, uint32_t type, uint32_t bs,
			uint64_t oid, uint64_t paddr)
{
	m->cpm_type = put_le32(APFS_OBJ_EPHEMERAL | type);
	m->cpm_size = put_le32(bs);
	m->cpm_oid = put_le64(oid);
	m->cpm_paddr = put_le64(paddr);
}

/* The ephemeral objects, in checkpoint-data order: spaceman, reaper, two free queues. */
static void write_cpm(struct mk_image *img, uint64_t fq_oid)
{
	struct apfs_checkpoint_map_phys *cpm = (void *)mk_block(img, CPM_PADDR);

	cpm->cpm_flags = put_le32(APFS_CHECKPOINT_MAP_LAST);
	cpm->cpm_count = put_le32(4);
	put_mapping(&cpm->cpm_map[0], APFS_OBJECT_TYPE_SPACEMAN, img->bs, MK_SPACEMAN_OID,
		    SM_PADDR);
	put_mapping(&cpm->cpm_map[1], APFS_OBJECT_TYPE_NX_REAPER, img->bs, MK_REAPER_OID,
		    REAPER_PADDR);
	for (unsigned i = 0; i < 2; i++) {
		put_mapping(&cpm->cpm_map[2 + i], APFS_OBJECT_TYPE_BTREE, img->bs, fq_oid + i,
			    FQ_PADDR + i);
		cpm->cpm_map[2 + i].cpm_subtype = put_le32(MK_OBJECT_TYPE_FREE_QUEUE);
	}
	mk_obj_hdr(cpm, CPM_PADDR, img->xid, APFS_OBJ_PHYSICAL | APFS_OBJECT_TYPE_CHECKPOINT_MAP, 0);
	mk_obj_seal(cpm, img->bs);
}

static void fill_xp(struct apfs_nx_superblock *nx)
{
	nx->nx_xp_desc_blocks = put_le32(MK_DESC_BLOCKS);
	nx->nx_xp_data_blocks = put_le32(MK_DATA_BLOCKS);
	nx->nx_xp_desc_base = put_le64(MK_DESC_BASE);
	nx->nx_xp_data_base = put_le64(MK_DATA_BASE);
	nx->nx_xp_desc_next = put_le32(2);
	nx->nx_xp_data_next = put_le32(4);
	nx->nx_xp_desc_len = put_le32(2);
	nx->nx_xp_data_len = put_le32(4);
}

/*
 * Apple: one volume per 512 MiB of container, rounded up, at most 100
 * (reference, nx_max_file_systems; apfsck "bad maximum volume number").
 * Scenarios with n volumes therefore have containers over (n - 1) x 512 MiB.
 */
static uint32_t max_fs(const struct mk_image *img)
{
	uint64_t n = (img->nblocks * img->bs + (512ull << 20) - 1) / (512ull << 20);

	return n < 1 ? 1 : n > APFS_NX_MAX_FILE_SYSTEMS ? APFS_NX_MAX_FILE_SYSTEMS : (uint32_t)n;
}

/*
 * nx_ephemeral_info[0]: the minimum block count of the checkpoint data
 * area in the top half, then 4 ephemeral structures per volume and version
 * 1 (reference, NX_EPH_INFO_*).  Below 128 MiB macOS writes the main free
 * queue's node limit instead of 8 (apfsck; basic.img and dfvfs-apfs.raw
 * have 0x100040001).
 */
static uint64_t eph_info(const struct mk_image *img)
{
	uint64_t min = img->nblocks * img->bs < (128ull << 20) ? mk_main_fq_limit(img->nblocks) :
								NX_EPH_MIN_BLOCK_COUNT;

	return min << 32 | NX_MAX_FILE_SYSTEM_EPH_STRUCTS << 16 | NX_EPH_INFO_VERSION_1;
}

static void write_nx(struct mk_image *img, uint64_t omap, const struct apfs_prange *kl)
{
	struct apfs_nx_superblock *nx = (void *)mk_block(img, NX_PADDR);

	nx->nx_magic = put_le32(APFS_NX_MAGIC);
	nx->nx_block_size = put_le32(img->bs);
	nx->nx_block_count = put_le64(img->nblocks);
	nx->nx_incompatible_features = put_le64(0x2); /* NX_INCOMPAT_VERSION2 */
	memcpy(nx->nx_uuid, img->nx_uuid, 16);
	nx->nx_next_oid = put_le64(img->next_oid);
	nx->nx_next_xid = put_le64(img->xid + 1);
	fill_xp(nx);
	nx->nx_spaceman_oid = put_le64(MK_SPACEMAN_OID);
	nx->nx_omap_oid = put_le64(omap);
	nx->nx_reaper_oid = put_le64(MK_REAPER_OID);
	nx->nx_max_file_systems = put_le32(max_fs(img));
	nx->nx_ephemeral_info[0] = put_le64(eph_info(img));
	for (unsigned i = 0; i < img->nvols; i++)
		nx->nx_fs_oid[i] = put_le64(img->fs_oid[i]);
	nx->nx_flags = put_le64(img->crypto_sw ? APFS_NX_CRYPTO_SW : 0);
	nx->nx_keylocker = *kl;
	mk_obj_hdr(nx, 1, img->xid, APFS_OBJ_EPHEMERAL | APFS_OBJECT_TYPE_NX_SUPERBLOCK, 0);
	mk_obj_seal(nx, img->bs);
	memcpy(mk_block(img, 0), nx, img->bs);
}

/**
 * mk_container_finish() - write the container-level structures once every
 * volume is finished.
 * @img: the image
 */
int mk_container_finish(struct mk_image *img)
{
	struct apfs_prange kl = { 0 };
	uint64_t omap, fq_oid;
	int rc = 0;

	/* Too small for its volumes: grow to 1 MiB past (n - 1) x 512 MiB. */
	if (img->nvols > max_fs(img))
		rc = mk_image_settle(img, (((uint64_t)img->nvols - 1) * 512 + 1) * (1u << 20) /
					  img->bs);
	if (rc)
		return rc;
	rc = mk_omap_build(img, img->cmap, img->ncmap, APFS_OMAP_MANUALLY_MANAGED, 0, &omap);
	if (!rc && img->ckb)
		rc = mk_kb_store(img, img->ckb, APFS_OBJECT_TYPE_CONTAINER_KEYBAG, img->nx_uuid,
				 &kl);
	if (!rc)
	fq_oid = img->next_oid;
	img->next_oid += 2;
	if (!rc)
		rc = mk_spaceman_build(img, SM_PADDR, MK_SPACEMAN_OID, FQ_PADDR, fq_oid);
	if (rc)
		return rc;
	write_reaper(img);
	write_cpm(img, fq_oid);
	write_nx(img, omap, &kl);
	return 0;
}
