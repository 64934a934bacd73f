/* SPDX-License-Identifier: MIT */
/*
 * spaceman.c - the space manager: one device, one bitmap block per chunk,
 * chunk-info blocks listed directly in the spaceman (no address blocks),
 * and no internal pool.  The image is allocated from block 0 upwards, so
 * the used blocks are exactly [0, next_paddr).
 */
#include <errno.h>

#include "mk.h"

/* spaceman_phys_t offsets (Apple reference); the reader never needs them. */
#define SM_BLOCK_SIZE 32
#define SM_BLOCKS_PER_CHUNK 36
#define SM_CHUNKS_PER_CIB 40
#define SM_CIBS_PER_CAB 44
#define SM_DEV_MAIN 48          /* spaceman_device_t, 48 bytes */
#define SD_BLOCK_COUNT 0
#define SD_CHUNK_COUNT 8
#define SD_CIB_COUNT 16
#define SD_CAB_COUNT 20
#define SD_FREE_COUNT 24
#define SD_ADDR_OFFSET 32
#define SM_FLAGS 144
#define SM_VERSION 336
#define SM_STRUCT_SIZE 340
#define SM_ADDRS 2520           /* where the cib addresses go (after the struct) */
#define CIB_INDEX 32
#define CIB_COUNT 36
#define CIB_INFO 40             /* chunk_info_t, 32 bytes each */

struct sm_geom {
	uint64_t bpc, cpc, chunks, cibs;
};

static void chunk_info(struct mk_image *img, uint8_t *ci, uint64_t chunk, uint64_t bpc,
		       uint64_t used, uint64_t bitmap)
{
	uint64_t start = chunk * bpc, n = img->nblocks - start < bpc ? img->nblocks - start : bpc;
	uint64_t u = used <= start ? 0 : used - start < n ? used - start : n;
	uint8_t *bm;

	st_le64(ci, img->xid);
	st_le64(ci + 8, start);
	st_le32(ci + 16, (uint32_t)n);
	st_le32(ci + 20, (uint32_t)(n - u));
	st_le64(ci + 24, u ? bitmap : 0);
	if (!u)
		return;
	bm = mk_block(img, bitmap);
	for (uint64_t i = 0; i < u; i++)
		bm[i / 8] |= (uint8_t)(1u << (i % 8));
}

static int write_cibs(struct mk_image *img, const struct sm_geom *g, uint64_t cib0,
		      uint64_t bm0, uint64_t used)
{
	for (uint64_t c = 0; c < g->cibs; c++) {
		uint8_t *b = mk_block(img, cib0 + c);
		uint64_t first = c * g->cpc, n = g->chunks - first < g->cpc ?
						   g->chunks - first : g->cpc;

		if (!b)
			return -ENOMEM;
		st_le32(b + CIB_INDEX, (uint32_t)c);
		st_le32(b + CIB_COUNT, (uint32_t)n);
		for (uint64_t i = 0; i < n; i++)
			chunk_info(img, b + CIB_INFO + 32 * i, first + i, g->bpc, used,
				   bm0 + first + i);
		mk_obj_hdr(b, cib0 + c, img->xid, APFS_OBJ_PHYSICAL | APFS_OBJECT_TYPE_SPACEMAN_CIB, 0);
		mk_obj_seal(b, img->bs);
	}
	return 0;
}

static void write_sm(struct mk_image *img, uint8_t *sm, const struct sm_geom *g,
		     uint64_t cib0, uint64_t used, uint64_t oid)
{
	uint8_t *dev = sm + SM_DEV_MAIN;

	st_le32(sm + SM_BLOCK_SIZE, img->bs);
	st_le32(sm + SM_BLOCKS_PER_CHUNK, (uint32_t)g->bpc);
	st_le32(sm + SM_CHUNKS_PER_CIB, (uint32_t)g->cpc);
	st_le32(sm + SM_CIBS_PER_CAB, (img->bs - 40) / 8);
	st_le64(dev + SD_BLOCK_COUNT, img->nblocks);
	st_le64(dev + SD_CHUNK_COUNT, g->chunks);
	st_le32(dev + SD_CIB_COUNT, (uint32_t)g->cibs);
	st_le32(dev + SD_CAB_COUNT, 0);
	st_le64(dev + SD_FREE_COUNT, img->nblocks - used);
	st_le32(dev + SD_ADDR_OFFSET, SM_ADDRS);
	st_le32(sm + SM_FLAGS, 1); /* SM_FLAG_VERSIONED */
	st_le32(sm + SM_VERSION, 1);
	st_le32(sm + SM_STRUCT_SIZE, SM_ADDRS);
	for (uint64_t c = 0; c < g->cibs; c++)
		st_le64(sm + SM_ADDRS + 8 * c, cib0 + c);
	mk_obj_hdr(sm, oid, img->xid, APFS_OBJ_EPHEMERAL | APFS_OBJECT_TYPE_SPACEMAN, 0);
	mk_obj_seal(sm, img->bs);
}

/**
 * mk_spaceman_build() - allocate and write the space manager's blocks.
 * @img: the image, after every other allocation
 * @sm_paddr: the spaceman's block in the checkpoint data area
 * @oid: its ephemeral oid
 */
int mk_spaceman_build(struct mk_image *img, uint64_t sm_paddr, uint64_t oid)
{
	struct sm_geom g;
	uint64_t cib0, bm0;
	uint8_t *sm = mk_block(img, sm_paddr);

	g.bpc = (uint64_t)img->bs * 8;
	g.cpc = (img->bs - CIB_INFO) / 32;
	g.chunks = (img->nblocks + g.bpc - 1) / g.bpc;
	g.cibs = (g.chunks + g.cpc - 1) / g.cpc;
	if (!sm || SM_ADDRS + 8 * g.cibs > img->bs)
		return -EFBIG;
	cib0 = mk_alloc(img, g.cibs);
	/* One bitmap block per chunk, reserved up front so the count cannot shift. */
	bm0 = cib0 ? mk_alloc(img, g.chunks) : 0;
	if (!bm0)
		return -ENOSPC;
	if (write_cibs(img, &g, cib0, bm0, img->next_paddr))
		return -ENOMEM;
	write_sm(img, sm, &g, cib0, img->next_paddr, oid);
	return 0;
}
