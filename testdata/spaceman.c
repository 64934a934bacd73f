/* SPDX-License-Identifier: MIT */
/*
 * spaceman.c - the space manager as macOS lays it out in a fresh container
 * (README "Container rules"): one device, the chunk-info blocks listed in
 * the spaceman itself (no address blocks), an internal pool holding the
 * chunk bitmaps and chunk-info blocks, a ring of 16 copies of the pool's
 * own bitmap, and two empty free queues (internal pool, main device) as
 * ephemeral B-tree roots in the checkpoint data area.  The image is
 * allocated from block 0 upwards, so the used blocks are exactly
 * [0, next_paddr) once the pool is allocated.
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
#define SM_DEV_TIER2 96
#define SM_FLAGS 144
#define SM_IP_BM_TX_MULTIPLIER 148
#define SM_IP_BLOCK_COUNT 152
#define SM_IP_BM_SIZE_IN_BLOCKS 160
#define SM_IP_BM_BLOCK_COUNT 164
#define SM_IP_BM_BASE 168
#define SM_IP_BASE 176
#define SM_FQ 200               /* spaceman_free_queue_t, 40 bytes each: IP, MAIN, TIER2 */
#define SFQ_TREE_OID 8
#define SFQ_NODE_LIMIT 24
#define SM_IP_BM_FREE_HEAD 320
#define SM_IP_BM_FREE_TAIL 322
#define SM_IP_BM_XID_OFFSET 324
#define SM_IP_BITMAP_OFFSET 328
#define SM_IP_BM_FREE_NEXT_OFFSET 332
#define SM_VERSION 336
#define SM_STRUCT_SIZE 340
#define SM_STRUCT_BYTES 2520    /* with the datazone: the arrays below come after it */
#define CIB_INDEX 32
#define CIB_COUNT 36
#define CIB_INFO 40             /* chunk_info_t, 32 bytes each */
#define IP_BM_TX_MULTIPLIER 16
#define IP_BM_COPIES 16
#define IP_BM_INDEX_INVALID 0xffff

struct sm_geom {
	uint64_t bpc, cpc, chunks, cibs;
	uint64_t ip_blocks, ip_bm_size;   /* pool blocks; blocks of one pool bitmap */
	uint64_t ring, ip;                /* first block of the bitmap ring, of the pool */
	uint64_t used, used_chunks;       /* blocks [0, used) are in use */
	uint32_t xid_off, bm_off, next_off, addr_off;
};

/* Where the spaceman's variable arrays go: after the struct, as in real images. */
static void layout_arrays(struct sm_geom *g)
{
	g->xid_off = SM_STRUCT_BYTES;
	g->bm_off = g->xid_off + 8 * (uint32_t)g->ip_bm_size;
	g->next_off = g->bm_off + ((2 * (uint32_t)g->ip_bm_size + 7) & ~7u);
	g->addr_off = g->next_off + 2 * IP_BM_COPIES * (uint32_t)g->ip_bm_size;
}

static void set_bits(uint8_t *bm, uint64_t first, uint64_t n)
{
	for (uint64_t i = first; i < first + n; i++)
		bm[i / 8] |= (uint8_t)(1u << (i % 8));
}

/* Chunk bitmaps sit at the start of the pool, one per chunk that has used blocks. */
static void chunk_info(struct mk_image *img, const struct sm_geom *g, uint8_t *ci,
		       uint64_t chunk)
{
	uint64_t start = chunk * g->bpc;
	uint64_t n = img->nblocks - start < g->bpc ? img->nblocks - start : g->bpc;
	uint64_t u = g->used <= start ? 0 : g->used - start < n ? g->used - start : n;

	st_le64(ci, img->xid);
	st_le64(ci + 8, start);
	st_le32(ci + 16, (uint32_t)n);
	st_le32(ci + 20, (uint32_t)(n - u));
	st_le64(ci + 24, u ? g->ip + chunk : 0);
	if (u)
		set_bits(mk_block(img, g->ip + chunk), 0, u);
}

static int write_cibs(struct mk_image *img, const struct sm_geom *g)
{
	uint64_t cib0 = g->ip + g->used_chunks;

	for (uint64_t c = 0; c < g->cibs; c++) {
		uint8_t *b = mk_block(img, cib0 + c);
		uint64_t first = c * g->cpc, n = g->chunks - first < g->cpc ?
						   g->chunks - first : g->cpc;

		if (!b)
			return -ENOMEM;
		st_le32(b + CIB_INDEX, (uint32_t)c);
		st_le32(b + CIB_COUNT, (uint32_t)n);
		for (uint64_t i = 0; i < n; i++)
			chunk_info(img, g, b + CIB_INFO + 32 * i, first + i);
		mk_obj_hdr(b, cib0 + c, img->xid, APFS_OBJ_PHYSICAL | APFS_OBJECT_TYPE_SPACEMAN_CIB, 0);
		mk_obj_seal(b, img->bs);
	}
	return 0;
}

/*
 * The internal pool: its current bitmap is ring copy 0 (marking the chunk
 * bitmaps and cibs), copies 1-15 are free and zero, linked head 1 -> tail 15.
 */
static void write_pool(struct mk_image *img, uint8_t *sm, const struct sm_geom *g)
{
	uint64_t ncopies = IP_BM_COPIES * g->ip_bm_size;

	st_le32(sm + SM_IP_BM_TX_MULTIPLIER, IP_BM_TX_MULTIPLIER);
	st_le64(sm + SM_IP_BLOCK_COUNT, g->ip_blocks);
	st_le32(sm + SM_IP_BM_SIZE_IN_BLOCKS, (uint32_t)g->ip_bm_size);
	st_le32(sm + SM_IP_BM_BLOCK_COUNT, (uint32_t)ncopies);
	st_le64(sm + SM_IP_BM_BASE, g->ring);
	st_le64(sm + SM_IP_BASE, g->ip);
	st_le16(sm + SM_IP_BM_FREE_HEAD, (uint16_t)g->ip_bm_size);
	st_le16(sm + SM_IP_BM_FREE_TAIL, (uint16_t)(ncopies - 1));
	st_le32(sm + SM_IP_BM_XID_OFFSET, g->xid_off);
	st_le32(sm + SM_IP_BITMAP_OFFSET, g->bm_off);
	st_le32(sm + SM_IP_BM_FREE_NEXT_OFFSET, g->next_off);
	for (uint64_t i = 0; i < g->ip_bm_size; i++) {
		st_le64(sm + g->xid_off + 8 * i, img->xid);
		st_le16(sm + g->bm_off + 2 * i, (uint16_t)i);
	}
	for (uint64_t i = 0; i < ncopies; i++)
		st_le16(sm + g->next_off + 2 * i,
			i < g->ip_bm_size || i == ncopies - 1 ? IP_BM_INDEX_INVALID : (uint16_t)(i + 1));
	for (uint64_t i = 0; i < g->ip_bm_size; i++)
		mk_block(img, g->ring + i);
	set_bits(mk_block(img, g->ring), 0, g->used_chunks + g->cibs);
}

/* An empty free queue: a root leaf with fixed-size keys (xid, paddr) and 8-byte values. */
static void write_fq(struct mk_image *img, uint8_t *sm, int which, uint64_t paddr, uint64_t oid,
		     uint16_t limit)
{
	struct apfs_btree_node_phys *nd = (void *)mk_block(img, paddr);
	struct apfs_btree_info *bi = (void *)((uint8_t *)nd + img->bs - sizeof(*bi));
	/* The whole table is preallocated, as in every fixed-size node (btree.c). */
	uint32_t toc = (img->bs - 56) / (16 + 8 + 4) * 4;

	st_le64(sm + SM_FQ + 40 * which + SFQ_TREE_OID, oid);
	st_le16(sm + SM_FQ + 40 * which + SFQ_NODE_LIMIT, limit);
	nd->btn_flags = put_le16(APFS_BTNODE_ROOT | APFS_BTNODE_LEAF | APFS_BTNODE_FIXED_KV_SIZE);
	nd->btn_table_space.len = put_le16((uint16_t)toc);
	nd->btn_free_space.len = put_le16((uint16_t)(img->bs - 56 - toc - sizeof(*bi)));
	nd->btn_key_free_list.off = put_le16(APFS_BTOFF_INVALID);
	nd->btn_val_free_list.off = put_le16(APFS_BTOFF_INVALID);
	bi->bt_flags = put_le32(APFS_BTREE_EPHEMERAL | APFS_BTREE_ALLOW_GHOSTS |
				      APFS_BTREE_SEQUENTIAL_INSERT);
	bi->bt_node_size = put_le32(img->bs);
	bi->bt_key_size = put_le32(16);
	bi->bt_val_size = put_le32(8);
	bi->bt_longest_key = put_le32(16);
	bi->bt_longest_val = put_le32(8);
	bi->bt_node_count = put_le64(1);
	mk_obj_hdr(nd, oid, img->xid, APFS_OBJ_EPHEMERAL | APFS_OBJECT_TYPE_BTREE,
		   MK_OBJECT_TYPE_FREE_QUEUE);
	mk_obj_seal(nd, img->bs);
}

static void write_dev(struct mk_image *img, uint8_t *sm, const struct sm_geom *g)
{
	uint8_t *dev = sm + SM_DEV_MAIN;

	st_le64(dev + SD_BLOCK_COUNT, img->nblocks);
	st_le64(dev + SD_CHUNK_COUNT, g->chunks);
	st_le32(dev + SD_CIB_COUNT, (uint32_t)g->cibs);
	st_le32(dev + SD_CAB_COUNT, 0);
	st_le64(dev + SD_FREE_COUNT, img->nblocks - g->used);
	st_le32(dev + SD_ADDR_OFFSET, g->addr_off);
	st_le32(sm + SM_DEV_TIER2 + SD_ADDR_OFFSET, g->addr_off + 8 * (uint32_t)g->cibs);
	for (uint64_t c = 0; c < g->cibs; c++)
		st_le64(sm + g->addr_off + 8 * c, g->ip + g->used_chunks + c);
}

/*
 * Free-queue node limits, as functions of the container's chunks and blocks
 * (apfsck's check of real images; linear pieces below 1 GiB, below 4 GiB, above).
 */
static uint16_t ip_fq_limit(uint64_t chunks)
{
	uint16_t n = (uint16_t)(3 * (chunks + 751) / 1127 - 1);

	return n == 2 ? 3 : n;
}

uint16_t mk_main_fq_limit(uint64_t blocks)
{
	uint16_t n = blocks < 0x40000 ? (uint16_t)(1 + (blocks - 1) / 4544) :
		     blocks < 0x100000 ? (uint16_t)(116 + (blocks - 261281) / 2272) : 512;

	return n == 2 ? 3 : n;
}

static int geometry(struct mk_image *img, struct sm_geom *g)
{
	g->bpc = (uint64_t)img->bs * 8;
	g->cpc = (img->bs - CIB_INFO) / 32;
	g->chunks = (img->nblocks + g->bpc - 1) / g->bpc;
	g->cibs = (g->chunks + g->cpc - 1) / g->cpc;
	g->ip_blocks = (g->chunks + g->cibs) * 3;
	g->ip_bm_size = (g->ip_blocks + g->bpc - 1) / g->bpc;
	layout_arrays(g);
	if (g->addr_off + 16 * g->cibs > img->bs)
		return -EFBIG; /* would need chunk-info address blocks */
	g->ring = mk_alloc(img, IP_BM_COPIES * g->ip_bm_size);
	g->ip = g->ring ? mk_alloc(img, g->ip_blocks) : 0;
	if (!g->ip)
		return -ENOSPC;
	g->used = img->next_paddr;
	g->used_chunks = (g->used + g->bpc - 1) / g->bpc;
	return 0;
}

/**
 * mk_spaceman_build() - allocate and write the space manager's blocks.
 * @img: the image, after every other allocation
 * @sm_paddr: the spaceman's block in the checkpoint data area
 * @oid: its ephemeral oid
 * @fq_paddr: two blocks of the checkpoint data area for the free queues
 * @fq_oid: their ephemeral oids (fq_oid, fq_oid + 1)
 */
int mk_spaceman_build(struct mk_image *img, uint64_t sm_paddr, uint64_t oid, uint64_t fq_paddr,
		      uint64_t fq_oid)
{
	struct sm_geom g;
	uint8_t *sm = mk_block(img, sm_paddr);
	int rc = sm ? geometry(img, &g) : -ENOMEM;

	if (!rc)
		rc = write_cibs(img, &g);
	if (rc)
		return rc;
	st_le32(sm + SM_BLOCK_SIZE, img->bs);
	st_le32(sm + SM_BLOCKS_PER_CHUNK, (uint32_t)g.bpc);
	st_le32(sm + SM_CHUNKS_PER_CIB, (uint32_t)g.cpc);
	st_le32(sm + SM_CIBS_PER_CAB, (img->bs - 40) / 8);
	write_dev(img, sm, &g);
	st_le32(sm + SM_FLAGS, 1); /* SM_FLAG_VERSIONED */
	st_le32(sm + SM_VERSION, 1);
	st_le32(sm + SM_STRUCT_SIZE, SM_STRUCT_BYTES);
	write_pool(img, sm, &g);
	write_fq(img, sm, 0, fq_paddr, fq_oid, ip_fq_limit(g.chunks));
	write_fq(img, sm, 1, fq_paddr + 1, fq_oid + 1, mk_main_fq_limit(img->nblocks));
	mk_obj_hdr(sm, oid, img->xid, APFS_OBJ_EPHEMERAL | APFS_OBJECT_TYPE_SPACEMAN, 0);
	mk_obj_seal(sm, img->bs);
	return 0;
}
