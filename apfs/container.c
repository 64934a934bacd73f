/* SPDX-License-Identifier: MIT */
/*
 * container.c - open an APFS container: validate block 0, scan the
 * checkpoint descriptor area, choose the newest usable superblock (or the
 * one the user asked for), and read blocks within the container's bounds.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "apfs.h"
#include "cache.h"
#include "cipher/xts.h"

/* The fuzz build sets a smaller one: 32 MiB mapped and faulted in per open
 * would be most of an execution's time (and evictions get exercised). */
/*
 * 8 MiB: 2048 blocks of 4 KiB hold the upper levels of the fs tree and the
 * object map of millions of files (a few hundred nodes) with room to
 * spare; a walk keeps its own path (btree_cursor.c) and reads each leaf
 * once per run of neighbours, so more would only hold leaves already
 * done, and memory a walk must not grow (tests/cli/fs_rss.sh).
 */
#ifndef CACHE_BUDGET
#define CACHE_BUDGET (8u << 20)
#endif
/* The descriptor area is a small ring (8 blocks on small disks, a few
 * hundred on large ones); anything bigger is a crafted superblock. */
#define MAX_DESC_BLOCKS 65536u

static bool bs_ok(uint32_t bs)
{
	return bs >= APFS_NX_MIN_BLOCK_SIZE && bs <= APFS_NX_MAX_BLOCK_SIZE && !(bs & (bs - 1));
}

int apfs_read_blocks(struct apfs_container *c, uint64_t paddr, uint64_t count, void *buf,
		     const char *what)
{
	int ret;

	if (paddr >= c->block_count || count > c->block_count - paddr) {
		apfs_err("%s: %s at block %llu (+%llu) lies outside the container (%llu blocks)",
			 c->label, what, (unsigned long long)paddr, (unsigned long long)count,
			 (unsigned long long)c->block_count);
		return -APFS_ECORRUPT;
	}
	/* paddr + count cannot overflow: both are below block_count < 2^63 / bs. */
	if (paddr + count > c->blocks_present) {
		uint64_t first = paddr > c->blocks_present ? paddr : c->blocks_present;

		apfs_err("%s: %s needs block %llu, which is missing: the image is truncated "
			 "after block %llu", c->label, what, (unsigned long long)first,
			 (unsigned long long)c->blocks_present - 1);
		return -APFS_ETRUNC;
	}
	ret = apfs_dev_read(c->dev, buf, count * c->block_size, c->offset + paddr * c->block_size);
	if (ret)
		apfs_err("%s: cannot read %s at block %llu: %s", c->label, what,
			 (unsigned long long)paddr, apfs_strerror(ret));
	return ret;
}

static bool type_matches(uint32_t o_type, uint32_t want)
{
	if (!want)
		return true;
	if (want > APFS_OBJECT_TYPE_MASK)  /* keybags: whole 32-bit type */
		return o_type == want;
	return (o_type & APFS_OBJECT_TYPE_MASK) == want;
}

/* Checked on cache hits too: a block cached as one type is not every type. */
static int check_type(struct apfs_container *c, uint64_t paddr, const void *buf,
		      uint32_t want_type, const char *what)
{
	uint32_t o_type = ld_le32((const uint8_t *)buf + 24);

	if (type_matches(o_type, want_type))
		return 0;
	apfs_err("%s: %s at block %llu has object type 0x%x, expected 0x%x", c->label, what,
		 (unsigned long long)paddr, o_type, want_type);
	return -APFS_ECORRUPT;
}

int apfs_read_object(struct apfs_container *c, uint64_t paddr, struct apfs_xts *xts,
		     uint32_t want_type, void *buf, const char *what)
{
	int ret;

	if (apfs_cache_get(c->cache, paddr, apfs_xts_id(xts), buf))
		return check_type(c, paddr, buf, want_type, what);
	ret = apfs_read_blocks(c, paddr, 1, buf, what);
	if (ret)
		return ret;
	if (xts) {
		ret = apfs_xts_decrypt(xts, buf, c->block_size, paddr * (c->block_size / 512));
		if (ret)
			return ret;
	}
	if (!apfs_obj_cksum_ok(buf, c->block_size)) {
		apfs_err("%s: bad checksum in %s at block %llu%s", c->label, what,
			 (unsigned long long)paddr, xts ? " (after decryption)" : "");
		return -APFS_EBADCSUM;
	}
	ret = check_type(c, paddr, buf, want_type, what);
	if (!ret)
		apfs_cache_put(c->cache, paddr, apfs_xts_id(xts), buf);
	return ret;
}

#define HEADERLESS_TAG (1ull << 63)

int apfs_read_headerless(struct apfs_container *c, uint64_t paddr, struct apfs_xts *xts,
			 void *buf, const char *what)
{
	/* Cached apart from verified objects (key ids never reach bit 63):
	 * apfs_read_object must never be handed an unverified block. */
	uint64_t tag = apfs_xts_id(xts) | HEADERLESS_TAG;
	int ret;

	if (apfs_cache_get(c->cache, paddr, tag, buf))
		return 0;
	ret = apfs_read_blocks(c, paddr, 1, buf, what);
	if (!ret && xts)
		ret = apfs_xts_decrypt(xts, buf, c->block_size, paddr * (c->block_size / 512));
	if (!ret)
		apfs_cache_put(c->cache, paddr, tag, buf);
	return ret;
}

static int cp_cmp(const void *a, const void *b)
{
	const struct apfs_checkpoint *x = a, *y = b;

	return x->xid < y->xid ? 1 : x->xid > y->xid ? -1 : 0;
}

/* Record every superblock found in the checkpoint descriptor area. */
static int scan_checkpoints(struct apfs_container *c, const struct apfs_nx_superblock *nx0)
{
	uint32_t nblk = get_le32(nx0->nx_xp_desc_blocks) & ~APFS_XP_NONCONTIG;
	uint64_t base = get_le64(nx0->nx_xp_desc_base);
	uint8_t *blk;

	if (get_le32(nx0->nx_xp_desc_blocks) & APFS_XP_NONCONTIG) {
		apfs_warn("%s: checkpoint descriptor area is not contiguous (Fusion?); "
			  "using the superblock in block 0", c->label);
		return 0;
	}
	if (nblk == 0 || nblk > MAX_DESC_BLOCKS || base >= c->block_count ||
	    nblk > c->block_count - base) {
		apfs_warn("%s: implausible checkpoint descriptor area (%u blocks at %llu); "
			  "using the superblock in block 0", c->label, nblk,
			  (unsigned long long)base);
		return 0;
	}
	c->cps = calloc(nblk, sizeof(*c->cps));
	blk = malloc(c->block_size);
	if (!c->cps || !blk) {
		free(blk);
		return -ENOMEM;
	}
	for (uint32_t i = 0; i < nblk; i++) {
		uint64_t paddr = base + i;

		if (paddr >= c->blocks_present ||
		    apfs_dev_read(c->dev, blk, c->block_size, c->offset + paddr * c->block_size))
			continue;
		if (ld_le32(blk + 32) != APFS_NX_MAGIC ||
		    (ld_le32(blk + 24) & APFS_OBJECT_TYPE_MASK) != APFS_OBJECT_TYPE_NX_SUPERBLOCK)
			continue;
		c->cps[c->ncps++] = (struct apfs_checkpoint){
			.xid = ld_le64(blk + 16), .paddr = paddr,
			.valid = apfs_obj_cksum_ok(blk, c->block_size) &&
				 ld_le32(blk + 36) == c->block_size,
		};
	}
	free(blk);
	qsort(c->cps, c->ncps, sizeof(*c->cps), cp_cmp);
	return 0;
}

/*
 * A checkpoint is usable when its superblock is sane and its object map
 * reads and verifies.  Quiet: the caller decides whether a failure is an
 * error (the checkpoint the user asked for) or a fallback warning.
 */
static const char *try_checkpoint(struct apfs_container *c, const struct apfs_checkpoint *cp)
{
	uint8_t *blk = malloc(c->block_size);
	const char *why = NULL;
	uint64_t omap;

	if (!blk)
		return "out of memory";
	if (apfs_dev_read(c->dev, blk, c->block_size, c->offset + cp->paddr * c->block_size)) {
		why = "its superblock cannot be read";
		goto out;
	}
	memcpy(&c->nx, blk, sizeof(c->nx));
	c->xid = cp->xid;
	c->nx_paddr = cp->paddr;
	omap = get_le64(c->nx.nx_omap_oid);
	if (omap >= c->blocks_present)
		why = omap >= c->block_count ? "its object map lies outside the container"
					     : "its object map lies in the missing part of the image";
	else if (apfs_dev_read(c->dev, blk, c->block_size, c->offset + omap * c->block_size) ||
		 !apfs_obj_cksum_ok(blk, c->block_size) ||
		 (ld_le32(blk + 24) & APFS_OBJECT_TYPE_MASK) != APFS_OBJECT_TYPE_OMAP)
		why = "its object map is damaged";
out:
	free(blk);
	return why;
}

static int choose_wanted(struct apfs_container *c, uint64_t want_xid)
{
	const char *why;

	for (unsigned i = 0; i < c->ncps; i++) {
		if (c->cps[i].xid != want_xid)
			continue;
		if (!c->cps[i].valid) {
			apfs_err("%s: checkpoint xid %llu has a bad superblock checksum", c->label,
				 (unsigned long long)want_xid);
			return -APFS_EBADCSUM;
		}
		c->cps[i].chosen = true;
		why = try_checkpoint(c, &c->cps[i]);
		if (why)
			apfs_err("%s: checkpoint xid %llu: %s", c->label,
				 (unsigned long long)want_xid, why);
		return why ? -APFS_ECORRUPT : 0;
	}
	apfs_err("%s: no checkpoint with xid %llu (see 'list --checkpoints')", c->label,
		 (unsigned long long)want_xid);
	return -ENOENT;
}

static int choose_newest(struct apfs_container *c, const uint8_t *blk0, bool blk0_ok)
{
	for (unsigned i = 0; i < c->ncps; i++) {
		const char *why = c->cps[i].valid ? try_checkpoint(c, &c->cps[i])
						  : "its superblock has a bad checksum";

		if (!why) {
			c->cps[i].chosen = true;
			return 0;
		}
		apfs_warn("%s: checkpoint xid %llu (block %llu) is unusable: %s; trying an "
			  "older one", c->label, (unsigned long long)c->cps[i].xid,
			  (unsigned long long)c->cps[i].paddr, why);
	}
	if (!blk0_ok) {
		apfs_err("%s: no valid container superblock in block 0 or the checkpoint area",
			 c->label);
		return -APFS_EBADCSUM;
	}
	if (c->ncps)
		apfs_warn("%s: no usable checkpoint in the descriptor area; using the superblock "
			  "copy in block 0", c->label);
	memcpy(&c->nx, blk0, sizeof(c->nx));
	c->xid = ld_le64(blk0 + 16);
	c->nx_paddr = 0;
	return 0;
}

static int read_block0(struct apfs_container *c, uint8_t **blk0)
{
	uint8_t head[4096];
	int ret;

	ret = c->avail < sizeof(head) ? -APFS_ETRUNC : apfs_dev_read(c->dev, head, sizeof(head), c->offset);
	if (ret || ld_le32(head + 32) != APFS_NX_MAGIC) {
		apfs_err("no APFS container superblock (NXSB) at byte offset %llu",
			 (unsigned long long)c->offset);
		return -APFS_ENOTAPFS;
	}
	c->block_size = ld_le32(head + 36);
	if (!bs_ok(c->block_size) || c->avail < c->block_size) {
		apfs_err("%s: block 0: unsupported block size %u", c->label, c->block_size);
		return -APFS_ECORRUPT;
	}
	*blk0 = malloc(c->block_size);
	if (!*blk0)
		return -ENOMEM;
	return apfs_dev_read(c->dev, *blk0, c->block_size, c->offset);
}

static int set_geometry(struct apfs_container *c, const struct apfs_nx_superblock *nx)
{
	c->block_count = get_le64(nx->nx_block_count);
	if (c->block_count == 0 || c->block_count > UINT64_MAX / c->block_size / 2) {
		apfs_err("%s: implausible block count %llu", c->label,
			 (unsigned long long)c->block_count);
		return -APFS_ECORRUPT;
	}
	c->blocks_present = c->avail / c->block_size;
	if (c->blocks_present > c->block_count)
		c->blocks_present = c->block_count;
	return 0;
}

static void warn_truncated(struct apfs_container *c)
{
	uint64_t missing = c->block_count - c->blocks_present;

	if (!missing)
		return;
	apfs_warn("%s: image is truncated: it holds %llu of the container's %llu blocks "
		  "(%llu blocks, %.1f MiB, missing); structures in the missing part cannot be read",
		  c->label, (unsigned long long)c->blocks_present,
		  (unsigned long long)c->block_count, (unsigned long long)missing,
		  (double)missing * c->block_size / 1048576.0);
}

static int container_init(struct apfs_container *c, uint64_t want_xid)
{
	uint8_t *blk0 = NULL;
	bool ok0;
	int ret;

	ret = read_block0(c, &blk0);
	if (ret)
		goto out;
	ok0 = apfs_obj_cksum_ok(blk0, c->block_size);
	if (!ok0)
		apfs_warn("%s: block 0 superblock has a bad checksum; scanning the checkpoint area",
			  c->label);
	/* The 10.12 developer-preview format shares the magic but not the layout. */
	if ((ld_le64(blk0 + 64) & 0x3) == 0x1) {
		apfs_err("%s: APFS version 1 (macOS 10.12 developer preview) is not supported",
			 c->label);
		ret = -EOPNOTSUPP;
		goto out;
	}
	ret = set_geometry(c, (const void *)blk0);
	if (!ret)
		ret = apfs_cache_new(c->block_size, CACHE_BUDGET, &c->cache);
	if (!ret)
		ret = scan_checkpoints(c, (const void *)blk0);
	if (!ret)
		ret = want_xid ? choose_wanted(c, want_xid) : choose_newest(c, blk0, ok0);
	if (!ret && get_le32(c->nx.nx_block_size) != c->block_size) {
		apfs_err("%s: checkpoint superblock block size differs from block 0", c->label);
		ret = -APFS_ECORRUPT;
	}
	if (!ret)
		ret = set_geometry(c, &c->nx);
	if (!ret)
		warn_truncated(c);
out:
	free(blk0);
	return ret;
}

int apfs_container_open(struct apfs_dev *dev, uint64_t offset, uint64_t avail,
			uint64_t want_xid, struct apfs_container **out)
{
	struct apfs_container *c;
	int ret;

	if (offset >= dev->size) {
		apfs_err("offset %llu lies past the end of the image (%llu bytes)",
			 (unsigned long long)offset, (unsigned long long)dev->size);
		return -APFS_ENOTAPFS;
	}
	c = calloc(1, sizeof(*c));
	if (!c)
		return -ENOMEM;
	c->dev = dev;
	c->offset = offset;
	c->avail = avail < dev->size - offset ? avail : dev->size - offset;
	snprintf(c->label, sizeof(c->label), "container at offset %llu",
		 (unsigned long long)offset);
	ret = container_init(c, want_xid);
	if (ret) {
		apfs_container_close(c);
		return ret;
	}
	*out = c;
	return 0;
}

void apfs_container_close(struct apfs_container *c)
{
	if (!c)
		return;
	apfs_btree_cursors_drop(c);
	apfs_cache_free(c->cache);
	free(c->cps);
	free(c->seal_seen);
	free(c);
}
