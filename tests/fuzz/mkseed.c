/* SPDX-License-Identifier: MIT */
/*
 * mkseed.c - fuzz seeds from an image (raw, GPT or .dmg):
 *
 *   mkseed image IMG OUT [MAXBYTES]   the sparse-image input (fuzz_image.c):
 *       every block holding a non-zero byte, trailing zeros trimmed; blocks
 *       that pass Fletcher-64 marked "reseal"; keybag blocks given decrypted
 *       and marked "encrypt" with their UUID.  Objects and the headerless
 *       nodes of sealed trees first, then the other blocks while the output
 *       stays under MAXBYTES (default: no limit).
 *   mkseed keybag IMG OUTDIR         every decrypted keybag's locker
 *       (locker-*), each entry's key blob with the target's KEK/VEK byte in
 *       front (blob-*), and the raw DER (der-*): the keybag-part targets' seeds.
 *
 * Keybag handling assumes the container starts at byte 0 of the image
 * (the harness encrypts with tweak = image block * 8).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "apfs/apfs.h"
#include "util/bytes.h"
#include "cipher/xts.h"
#include "keybag/internal.h"

#define BS 4096u

struct bagblk {
	uint64_t block;
	uint8_t uuid[16];
	uint8_t plain[BS];
};

static struct bagblk bags[64];
static unsigned nbags;

static void quiet(int level, const char *msg)
{
	(void)level;
	(void)msg;
}

/* Read one keybag block and decrypt it with uuid||uuid; keep it if it then checks. */
static void add_bag(struct apfs_container *c, uint64_t block, const uint8_t uuid[16])
{
	struct bagblk *b = &bags[nbags];
	struct apfs_xts *x;

	if (nbags == 64 || c->offset != 0 || apfs_read_blocks(c, block, 1, b->plain, "keybag"))
		return;
	if (apfs_obj_cksum_ok(b->plain, BS))
		return;  /* stored plain: an ordinary object */
	if (apfs_xts_new(uuid, uuid, &x))
		return;
	apfs_xts_decrypt(x, b->plain, BS, block * (BS / APFS_XTS_UNIT));
	apfs_xts_free(x);
	if (!apfs_obj_cksum_ok(b->plain, BS))
		return;
	b->block = block;
	memcpy(b->uuid, uuid, 16);
	nbags++;
}

static void find_bags(struct apfs_dev *dev)
{
	struct apfs_container *c;

	if (apfs_container_open(dev, 0, dev->size, 0, &c))
		return;
	if (get_le64(c->nx.nx_keylocker.pr_block_count) == 1)
		add_bag(c, get_le64(c->nx.nx_keylocker.pr_start_paddr), c->nx.nx_uuid);
	for (unsigned i = 0; i < APFS_NX_MAX_FILE_SYSTEMS; i++) {
		struct apfs_volume *v;
		struct kb_volume_keys *k;

		if (apfs_volume_open(c, i, &v))
			continue;
		if (kb_load(c, v->uuid, &k) == 0) {
			if (k->vkb_count == 1)
				add_bag(c, k->vkb_block, v->uuid);
			kb_free(k);
		}
		apfs_volume_close(v);
	}
	apfs_container_close(c);
}

static const struct bagblk *bag_at(uint64_t block)
{
	for (unsigned i = 0; i < nbags; i++)
		if (bags[i].block == block)
			return &bags[i];
	return NULL;
}

static size_t used_len(const uint8_t *b)
{
	size_t n = BS;

	while (n && !b[n - 1])
		n--;
	return n;
}

static void put_record(FILE *f, uint64_t block, unsigned mode, const uint8_t *uuid,
		       const uint8_t *data)
{
	uint8_t h[6];
	size_t n = used_len(data);

	st_le32(h, (uint32_t)block | mode << 24);
	st_le16(h + 4, (uint16_t)n);
	fwrite(h, 1, 6, f);
	if (uuid)
		fwrite(uuid, 1, 16, f);
	fwrite(data, 1, n, f);
}

/* A node of a sealed volume's tree: no object header (32 zero bytes), NOHEADER flag. */
static bool headerless_node(const uint8_t *blk)
{
	for (int i = 0; i < 32; i++)
		if (blk[i])
			return false;
	return ld_le16(blk + 32) & APFS_BTNODE_NOHEADER;
}

/* 0: objects and keybags, 1: headerless nodes, 2: the rest (file data). */
static int block_rank(const uint8_t *blk, uint64_t b)
{
	if (bag_at(b) || apfs_obj_cksum_ok(blk, BS))
		return 0;
	return headerless_node(blk) ? 1 : 2;
}

/* Metadata first, whatever the budget; file data after, while under max. */
static int write_image(struct apfs_dev *dev, FILE *f, uint64_t max)
{
	uint8_t blk[BS], h[4];
	uint64_t nblocks = dev->size / BS;

	st_le32(h, (uint32_t)nblocks);
	fwrite(h, 1, 4, f);
	for (int pass = 0; pass < 3; pass++) {
		for (uint64_t b = 0; b < nblocks && b < (1u << 24); b++) {
			const struct bagblk *kb = bag_at(b);
			int rank;

			if (apfs_dev_read(dev, blk, BS, b * BS))
				return 1;
			rank = block_rank(blk, b);
			if (!used_len(blk) || rank != pass)
				continue;
			if (pass == 2 && (uint64_t)ftell(f) + 6 + used_len(blk) > max)
				continue;
			if (kb)
				put_record(f, b, 2, kb->uuid, kb->plain);
			else
				put_record(f, b, rank == 0 ? 1 : 0, NULL, blk);
		}
	}
	return 0;
}

static void write_file(const char *dir, const char *kind, unsigned n, const uint8_t *pre,
		       size_t prelen, const uint8_t *p, size_t len)
{
	char path[4096];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s-%02u", dir, kind, n);
	f = fopen(path, "wb");
	if (!f)
		return;
	fwrite(pre, 1, prelen, f);
	fwrite(p, 1, len, f);
	fclose(f);
}

static void write_parts(const char *dir, const char *img)
{
	unsigned nb = 0;
	char tag[64];
	const char *base = strrchr(img, '/') ? strrchr(img, '/') + 1 : img;

	for (unsigned i = 0; i < nbags; i++) {
		const uint8_t *lk = bags[i].plain + sizeof(struct apfs_obj_phys);
		size_t lklen = BS - sizeof(struct apfs_obj_phys);
		struct kb_locker l;

		snprintf(tag, sizeof(tag), "%s-locker", base);
		write_file(dir, tag, i, NULL, 0, lk, used_len(lk) < 16 ? 16 : used_len(lk));
		if (kb_locker_parse(lk, lklen, "seed", &l))
			continue;
		for (unsigned e = 0; e < l.nkeys; e++) {
			uint8_t kek = l.ents[e].tag == 3;

			if (l.ents[e].tag != 2 && l.ents[e].tag != 3)
				continue;
			snprintf(tag, sizeof(tag), "%s-blob", base);
			write_file(dir, tag, nb, &kek, 1, l.ents[e].data, l.ents[e].keylen);
			snprintf(tag, sizeof(tag), "%s-der", base);
			write_file(dir, tag, nb++, NULL, 0, l.ents[e].data, l.ents[e].keylen);
		}
		kb_locker_release(&l);
	}
}

int main(int argc, char **argv)
{
	struct apfs_dev *dev;
	FILE *f;
	int ret;

	if (argc < 4 || (strcmp(argv[1], "image") && strcmp(argv[1], "keybag"))) {
		fprintf(stderr, "usage: mkseed image IMG OUT [MAXBYTES] | mkseed keybag IMG OUTDIR\n");
		return 2;
	}
	apfs_log_set_hook(quiet);
	if (apfs_dev_open(argv[2], &dev)) {
		fprintf(stderr, "mkseed: cannot open %s\n", argv[2]);
		return 1;
	}
	find_bags(dev);
	if (!strcmp(argv[1], "keybag")) {
		write_parts(argv[3], argv[2]);
		apfs_dev_close(dev);
		return 0;
	}
	f = fopen(argv[3], "wb");
	if (!f) {
		apfs_dev_close(dev);
		return 1;
	}
	ret = write_image(dev, f, argc > 4 ? strtoull(argv[4], NULL, 0) : UINT64_MAX);
	fclose(f);
	apfs_dev_close(dev);
	return ret;
}
