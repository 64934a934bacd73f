/* SPDX-License-Identifier: MIT */
/*
 * keybag.c - container ('keys') and volume ('recs') keybags: a kb_locker_t
 * of entries, each starting on a 16-byte boundary, encrypted with AES-XTS
 * keyed by a UUID twice (docs/apfs-format.md §2.2, §2.3, §3).
 */
#include <errno.h>
#include <stdlib.h>

#include "cipher/xts.h"
#include "mk.h"

#define LOCKER_OFF 32
#define ENTRIES_OFF 48

int mk_kb_add(struct mk_kb *kb, const uint8_t uuid[16], uint16_t tag, const void *data,
	      size_t len)
{
	struct mk_kb_entry *e;

	if (len >= APFS_VOL_KEYBAG_ENTRY_MAX_SIZE)
		return -EINVAL;
	if (kb->n == kb->cap) {
		unsigned cap = kb->cap ? 2 * kb->cap : 8;

		e = realloc(kb->e, cap * sizeof(*e));
		if (!e)
			return -ENOMEM;
		kb->e = e;
		kb->cap = cap;
	}
	e = &kb->e[kb->n++];
	memcpy(e->uuid, uuid, 16);
	e->tag = tag;
	e->len = (uint16_t)len;
	memcpy(e->data, data, len);
	return 0;
}

void mk_kb_free(struct mk_kb *kb)
{
	if (kb)
		free(kb->e);
}

static size_t stride(const struct mk_kb_entry *e)
{
	return (sizeof(struct apfs_keybag_entry) + e->len + 15) & ~(size_t)15;
}

size_t mk_kb_size(const struct mk_kb *kb)
{
	size_t n = ENTRIES_OFF;

	for (unsigned i = 0; i < kb->n; i++)
		n += stride(&kb->e[i]);
	return n;
}

/* Copy the next n padding bytes from the caller's stream (zeros once it runs out). */
static void take_pad(uint8_t *dst, size_t n, const uint8_t *pad, size_t padlen, size_t *used)
{
	for (size_t i = 0; i < n; i++, (*used)++)
		dst[i] = pad && *used < padlen ? pad[*used] : 0;
}

/**
 * mk_kb_layout() - the plaintext keybag (see mk.h); -EFBIG if it does not fit.
 */
int mk_kb_layout(const struct mk_kb *kb, uint64_t oid, uint64_t xid, uint32_t type,
		 const uint8_t *pad, size_t padlen, uint8_t *buf, size_t len)
{
	struct apfs_obj_phys *o = (struct apfs_obj_phys *)buf;
	struct apfs_kb_locker *kl = (struct apfs_kb_locker *)(buf + LOCKER_OFF);
	size_t off = ENTRIES_OFF, used = 0;

	if (mk_kb_size(kb) > len)
		return -EFBIG;
	memset(buf, 0, len);
	for (unsigned i = 0; i < kb->n; i++) {
		const struct mk_kb_entry *e = &kb->e[i];
		struct apfs_keybag_entry *h = (struct apfs_keybag_entry *)(buf + off);
		size_t end = sizeof(*h) + e->len;

		memcpy(h->ke_uuid, e->uuid, 16);
		h->ke_tag = put_le16(e->tag);
		h->ke_keylen = put_le16(e->len);
		memcpy(buf + off + sizeof(*h), e->data, e->len);
		take_pad(buf + off + end, stride(e) - end, pad, padlen, &used);
		off += stride(e);
	}
	kl->kl_version = put_le16(APFS_KEYBAG_VERSION);
	kl->kl_nkeys = put_le16((uint16_t)kb->n);
	kl->kl_nbytes = put_le32((uint32_t)(off - LOCKER_OFF));
	o->o_oid = put_le64(oid);
	o->o_xid = put_le64(xid);
	o->o_type = put_le32(type);
	mk_obj_seal(buf, len);
	return 0;
}

/**
 * mk_kb_store() - lay a keybag out in fresh blocks, encrypt it with
 * uuid || uuid and tweaks counted from its first block, and say where it is.
 * @img: the image
 * @kb: the entries
 * @type: 'keys' or 'recs'
 * @uuid: container or volume UUID
 * @pr: receives the blocks
 */
int mk_kb_store(struct mk_image *img, const struct mk_kb *kb, uint32_t type,
		const uint8_t uuid[16], struct apfs_prange *pr)
{
	uint64_t n = (mk_kb_size(kb) + img->bs - 1) / img->bs, paddr = mk_alloc(img, n);
	size_t len = n * img->bs;
	struct apfs_xts *x = NULL;
	uint8_t *buf = malloc(len);
	int rc = buf && paddr ? 0 : -ENOMEM;

	if (!rc)
		rc = mk_kb_layout(kb, paddr, img->xid, type, NULL, 0, buf, len);
	if (!rc && img->damage)
		mk_damage_keybag(img, type, buf, len);
	if (!rc)
		rc = mk_xts_from_uuid(uuid, &x);
	if (!rc)
		rc = mk_encrypt(x, buf, len, paddr * (img->bs / 512));
	for (uint64_t i = 0; !rc && i < n; i++)
		memcpy(mk_block(img, paddr + i), buf + i * img->bs, img->bs);
	pr->pr_start_paddr = put_le64(paddr);
	pr->pr_block_count = put_le64(n);
	apfs_xts_free(x);
	free(buf);
	return rc;
}
