/* SPDX-License-Identifier: MIT */
/*
 * layers.c - what an image is made of, below and around its volumes: the
 * container formats opened (image/'s chain, with the hashes a format
 * stores), the partition each container was found in, and the superblocks
 * of each container's checkpoint area.  `list` shows all of it; a
 * forensic framework checks the stored hashes and looks at older states.
 */
#include <string.h>

#include "util/bytes.h"
#include "internal.h"

#define LAYERS 16

/* The ABI rule (apfsinspect.h, Stability): new fields only take reserved[] space. */
_Static_assert(sizeof(struct apfsi_image_info) == 8 + 2 * sizeof(void *) + 8 + 8 + 64,
	       "apfsi_image_info changed size");
_Static_assert(sizeof(struct apfsi_container_info) == 16 + 5 * 8 + 8 + 64,
	       "apfsi_container_info changed size");

unsigned apfsi_layer_count(const struct apfsi_image *img)
{
	const struct apfs_dev *l[LAYERS];

	return (unsigned)apfs_dev_chain(img->dev, l, LAYERS);
}

/* The i-th layer, outermost first, or NULL. */
static const struct apfs_dev *layer(const struct apfsi_image *img, unsigned i)
{
	const struct apfs_dev *l[LAYERS];
	size_t n = apfs_dev_chain(img->dev, l, LAYERS);

	return i < n ? l[i] : NULL;
}

int apfsi_image_layer(const apfsi_image *img, unsigned i, struct apfsi_layer_info *info)
{
	const struct apfs_dev *d;

	apfsi_enter();
	if (!img || !info)
		return apfsi_fail(APFSI_ERR_INVALID, "apfsi_image_layer: img and info are required");
	if (!(d = layer(img, i)))
		return apfsi_fail(APFSI_ERR_NOT_FOUND, "layer %u: the image has %u", i,
				  apfsi_layer_count(img));
	memset(info, 0, sizeof(*info));
	info->kind = d->ops->kind;
	info->description = d->summary;
	info->size = d->size;
	info->stored_hashes = d->nhashes;
	return APFSI_OK;
}

int apfsi_image_layer_hash(const apfsi_image *img, unsigned li, unsigned i,
			   struct apfsi_stored_hash *hash)
{
	const struct apfs_dev *d;

	apfsi_enter();
	if (!img || !hash)
		return apfsi_fail(APFSI_ERR_INVALID, "apfsi_image_layer_hash: img and hash are "
				  "required");
	d = layer(img, li);
	if (!d || i >= d->nhashes)
		return apfsi_fail(APFSI_ERR_NOT_FOUND, "layer %u: no stored hash %u", li, i);
	memset(hash, 0, sizeof(*hash));
	hash->name = d->hashes[i].name;
	hash->value = d->hashes[i].value;
	hash->len = d->hashes[i].len;
	return APFSI_OK;
}

int apfsi_image_layer_read(apfsi_image *img, unsigned i, uint64_t off, void *buf, size_t len,
			   size_t *got)
{
	const struct apfs_dev *d;
	size_t n;
	int ret;

	apfsi_enter();
	if (!img || !got || (!buf && len))
		return apfsi_fail(APFSI_ERR_INVALID, "apfsi_image_layer_read: img, buf and got are "
				  "required");
	*got = 0;
	if (!(d = layer(img, i)))
		return apfsi_fail(APFSI_ERR_NOT_FOUND, "layer %u: the image has %u", i,
				  apfsi_layer_count(img));
	if (off >= d->size || !len)
		return APFSI_OK;
	n = d->size - off < len ? (size_t)(d->size - off) : len;
	/* The layers read positionally; const only because layer() lends them so. */
	ret = apfs_dev_read((struct apfs_dev *)(uintptr_t)d, buf, n, off);
	if (ret)
		return apfsi_fail(apfsi_code(ret), "%s: bytes %llu-%llu: %s", d->summary,
				  (unsigned long long)off, (unsigned long long)(off + n - 1),
				  apfsi_strerror(apfsi_code(ret)));
	*got = n;
	return APFSI_OK;
}

/* The partition container c was found in, or NULL (opened at an offset). */
static const struct apfs_part *part_of(const struct apfsi_image *img,
				       const struct apfs_container *c)
{
	for (unsigned i = 0; i < img->nparts; i++)
		if (img->parts[i].offset == c->offset)
			return &img->parts[i];
	return NULL;
}

void apfsi_container_extras(const struct apfsi_image *img, unsigned index,
			    struct apfsi_container_info *info)
{
	static const uint8_t zero[16];
	const struct apfs_container *c = img->cont[index];
	const struct apfs_part *p = part_of(img, c);

	info->checkpoints = c->ncps;
	info->superblock_block = c->nx_paddr;
	info->gpt_entry = p ? p->index : 0;
	info->partition_type = p && p->index ? p->type : NULL;
	info->software_crypto = get_le64(c->nx.nx_flags) & APFS_NX_CRYPTO_SW;
	info->fusion = memcmp(c->nx.nx_fusion_uuid, zero, 16) != 0;
}

int apfsi_container_checkpoint(const apfsi_image *img, unsigned ci, unsigned i,
			       struct apfsi_checkpoint_info *info)
{
	const struct apfs_container *c;

	apfsi_enter();
	if (!img || !info)
		return apfsi_fail(APFSI_ERR_INVALID, "apfsi_container_checkpoint: img and info "
				  "are required");
	if (ci >= img->ncont || i >= img->cont[ci]->ncps)
		return apfsi_fail(APFSI_ERR_NOT_FOUND, "container %u: no checkpoint %u", ci, i);
	c = img->cont[ci];
	memset(info, 0, sizeof(*info));
	info->xid = c->cps[i].xid;
	info->block = c->cps[i].paddr;
	info->valid = c->cps[i].valid;
	info->in_use = c->cps[i].chosen;
	return APFSI_OK;
}
