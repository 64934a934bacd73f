/* SPDX-License-Identifier: MIT */
/*
 * keybag.c - read a volume's keybags (docs/apfs-format.md §2, §3).
 *
 * The container keybag sits at nx_keylocker, AES-XTS-128 encrypted with
 * key1 = key2 = nx_uuid; it holds, per volume, the wrapped VEK (tag 2) and
 * the prange of the volume keybag (tag 3).  The volume keybag is encrypted
 * the same way with the volume UUID and holds one KEK blob per crypto user
 * (tag 3) and their hints (tag 4).  Both use 512-byte XTS units whose tweak
 * counts container-relative sectors from the prange start, continuing
 * across blocks.  Some keybags (iOS, forensic copies) are stored plain.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "apfs/apfs.h"
#include "cipher/xts.h"
#include "keybag/internal.h"

/* One keybag read into memory: the whole prange, decrypted. */
struct bag {
	uint8_t *buf;
	size_t len;
	uint64_t start, count;
	bool plaintext;
	char what[64];
};

static bool bag_valid(const uint8_t *buf, size_t len, uint32_t type)
{
	const struct apfs_obj_phys *o = (const void *)buf;

	return get_le32(o->o_type) == type && apfs_obj_cksum_ok(buf, len);
}

static int bag_decrypt(struct apfs_container *c, struct bag *b, const uint8_t key[16])
{
	struct apfs_xts *x;
	int ret;

	ret = apfs_xts_new(key, key, &x);
	if (ret)
		return ret;
	ret = apfs_xts_decrypt(x, b->buf, b->len, b->start * (c->block_size / APFS_XTS_UNIT));
	apfs_xts_free(x);
	return ret;
}

static int bag_check_range(struct apfs_container *c, struct bag *b)
{
	if (b->count == 0 || b->count > KB_MAX_BAG_BLOCKS) {
		apfs_err("%s: %llu blocks; keybags of 1..%u blocks are supported", b->what,
			 (unsigned long long)b->count, KB_MAX_BAG_BLOCKS);
		return -APFS_ECORRUPT;
	}
	if (!range_ok(b->start, b->count, c->block_count) || b->start == 0) {
		apfs_err("%s: prange of %llu blocks lies outside the container (%llu blocks)",
			 b->what, (unsigned long long)b->count,
			 (unsigned long long)c->block_count);
		return -APFS_ECORRUPT;
	}
	return 0;
}

/*
 * Read the keybag at [start, start+count): plain if it already validates,
 * else decrypted with key||key.  The checksum covers the whole prange.
 */
static int bag_read(struct apfs_container *c, struct bag *b, const uint8_t key[16], uint32_t type)
{
	int ret;

	ret = bag_check_range(c, b);
	if (ret)
		return ret;
	b->len = (size_t)b->count * c->block_size;
	b->buf = malloc(b->len);
	if (!b->buf)
		return -ENOMEM;
	ret = apfs_read_blocks(c, b->start, b->count, b->buf, b->what);
	if (ret)
		return ret;
	b->plaintext = bag_valid(b->buf, b->len, type);
	if (b->plaintext)
		return 0;
	ret = bag_decrypt(c, b, key);
	if (ret)
		return ret;
	if (!bag_valid(b->buf, b->len, type)) {
		apfs_err("%s: neither plain nor decryptable with its UUID (bad checksum or type); "
			 "hardware-wrapped or damaged", b->what);
		return -APFS_EBADCSUM;
	}
	return 0;
}

static void bag_release(struct bag *b)
{
	if (b->buf) {
		OPENSSL_cleanse(b->buf, b->len);
		free(b->buf);
	}
	b->buf = NULL;
}

static int bag_locker(struct bag *b, struct kb_locker *l)
{
	size_t hdr = sizeof(struct apfs_obj_phys);

	return kb_locker_parse(b->buf + hdr, b->len - hdr, b->what, l);
}

/* Block of the bag that holds a locker entry, for reports. */
static uint64_t entry_block(const struct bag *b, const struct kb_entry *e, uint32_t bs)
{
	return b->start + (sizeof(struct apfs_obj_phys) + e->off) / bs;
}

/* Container bag: the VEK blob (tag 2) and volume-bag prange (tag 3). */
static int scan_container_bag(struct kb_volume_keys *k, struct bag *b, const struct kb_locker *l)
{
	const struct kb_entry *e;
	char what[128];
	bool have_prange = false;

	for (unsigned i = 0; i < l->nkeys; i++) {
		e = &l->ents[i];
		if (memcmp(e->uuid, k->vol_uuid, 16))
			continue;
		if (e->tag == KB_TAG_VOLUME_KEY && !k->have_vek) {
			snprintf(what, sizeof(what), "%s, VEK entry %u", b->what, i);
			k->have_vek = !kb_blob_parse(e->data, e->keylen, false, what, &k->vek,
						     NULL);
			k->ckb_vek_index = i;
		} else if (e->tag == KB_TAG_VOLUME_UNLOCK_RECORDS && !have_prange) {
			if (e->keylen != sizeof(struct apfs_prange)) {
				apfs_err("%s: entry %u: unlock-records prange has %u bytes, not 16",
					 b->what, i, e->keylen);
				return -APFS_ECORRUPT;
			}
			k->vkb_block = ld_le64(e->data);
			k->vkb_count = ld_le64(e->data + 8);
			have_prange = true;
		}
	}
	if (!have_prange) {
		apfs_err("%s: no unlock records (tag 3) for the volume", b->what);
		return -ENOENT;
	}
	return 0;
}

static int add_user(struct kb_volume_keys *k, const struct bag *b, const struct kb_entry *e,
		    uint32_t bs)
{
	struct kb_user *u = &k->users[k->nusers];
	char what[160], id[37];
	const char *why = "";

	for (unsigned i = 0; i < k->nusers; i++) {
		/* A second record for the same user: diskutil lists users once. */
		if (!memcmp(k->users[i].uuid, e->uuid, 16))
			return 0;
	}
	memset(u, 0, sizeof(*u));
	memcpy(u->uuid, e->uuid, 16);
	u->type = kb_classify(u->uuid, k->vol_uuid);
	u->keybag_block = entry_block(b, e, bs);
	u->entry_index = e->index;
	apfs_uuid_str(u->uuid, id);
	snprintf(what, sizeof(what), "%s, KEK entry %u (user %s)", b->what, e->index, id);
	u->parsed = !kb_blob_parse(e->data, e->keylen, true, what, &u->kek, &why);
	if (!u->parsed)
		snprintf(u->why, sizeof(u->why), "%s", why);
	u->hw_bound = u->parsed && kb_blob_hw_bound(&u->kek);
	/*
	 * A record that carries PBKDF2 parameters is tried whatever its UUID
	 * says: iCloud and institutional records are thought to need escrowed
	 * data (§6.4), but one that unwraps with a secret is evidence of the
	 * contrary, not a reason to refuse it.
	 */
	u->offline_unlockable = u->parsed && u->kek.has_kdf && !u->hw_bound;
	k->nusers++;
	return 0;
}

/* A tag-4 hint: UTF-8, maybe NUL-terminated; cut at the first NUL. */
static int add_hint(struct kb_volume_keys *k, const struct kb_entry *e)
{
	size_t n = strnlen((const char *)e->data, e->keylen);

	for (unsigned i = 0; i < k->nusers; i++) {
		struct kb_user *u = &k->users[i];

		if (memcmp(u->uuid, e->uuid, 16) || u->hint)
			continue;
		u->hint = strndup((const char *)e->data, n);
		return u->hint ? 0 : -ENOMEM;
	}
	return 0;
}

/* Volume bag: users in keybag order, then their hints. */
static int scan_volume_bag(struct kb_volume_keys *k, const struct bag *b,
			   const struct kb_locker *l, uint32_t bs)
{
	int ret = 0;

	k->users = calloc(l->nkeys ? l->nkeys : 1, sizeof(*k->users));
	if (!k->users)
		return -ENOMEM;
	for (unsigned i = 0; i < l->nkeys && !ret; i++) {
		if (l->ents[i].tag == KB_TAG_VOLUME_UNLOCK_RECORDS)
			ret = add_user(k, b, &l->ents[i], bs);
	}
	for (unsigned i = 0; i < l->nkeys && !ret; i++) {
		if (l->ents[i].tag == KB_TAG_VOLUME_PASSPHRASE_HINT)
			ret = add_hint(k, &l->ents[i]);
	}
	return ret;
}

static int load_container_bag(struct apfs_container *c, struct kb_volume_keys *k)
{
	struct bag b = { 0 };
	struct kb_locker l = { 0 };
	int ret;

	b.start = get_le64(c->nx.nx_keylocker.pr_start_paddr);
	b.count = get_le64(c->nx.nx_keylocker.pr_block_count);
	if (b.start == 0 && b.count == 0) {
		apfs_err("%s: no container keybag (nx_keylocker is empty)", c->label);
		return -ENOENT;
	}
	snprintf(b.what, sizeof(b.what), "container keybag at block %llu",
		 (unsigned long long)b.start);
	ret = bag_read(c, &b, c->nx.nx_uuid, APFS_OBJECT_TYPE_CONTAINER_KEYBAG);
	if (!ret)
		ret = bag_locker(&b, &l);
	if (!ret)
		ret = scan_container_bag(k, &b, &l);
	k->ckb_block = b.start;
	k->ckb_count = b.count;
	k->ckb_plaintext = b.plaintext;
	kb_locker_release(&l);
	bag_release(&b);
	return ret;
}

static int load_volume_bag(struct apfs_container *c, struct kb_volume_keys *k)
{
	struct bag b = { .start = k->vkb_block, .count = k->vkb_count };
	struct kb_locker l = { 0 };
	int ret;

	snprintf(b.what, sizeof(b.what), "volume keybag at block %llu",
		 (unsigned long long)b.start);
	ret = bag_read(c, &b, k->vol_uuid, APFS_OBJECT_TYPE_VOLUME_KEYBAG);
	if (!ret)
		ret = bag_locker(&b, &l);
	if (!ret)
		ret = scan_volume_bag(k, &b, &l, c->block_size);
	k->vkb_plaintext = b.plaintext;
	kb_locker_release(&l);
	bag_release(&b);
	return ret;
}

/**
 * kb_load() - read the keybags of one volume.
 * @c: the open container.
 * @vol_uuid: apfs_vol_uuid of the volume.
 * @out: receives the keys and users; free with kb_free().
 *
 * Return: 0; -ENOENT when the container has no keybag or no records for
 * the volume; -APFS_EBADCSUM when a keybag validates neither plain nor
 * decrypted; -APFS_ECORRUPT, -APFS_ETRUNC, -ENOMEM.  Logged once.
 */
int kb_load(struct apfs_container *c, const uint8_t vol_uuid[16], struct kb_volume_keys **out)
{
	struct kb_volume_keys *k;
	int ret;

	*out = NULL;
	k = calloc(1, sizeof(*k));
	if (!k)
		return -ENOMEM;
	memcpy(k->vol_uuid, vol_uuid, 16);
	ret = load_container_bag(c, k);
	if (!ret)
		ret = load_volume_bag(c, k);
	if (ret) {
		kb_free(k);
		return ret;
	}
	*out = k;
	return 0;
}

/**
 * kb_free() - release what kb_load() returned, wiping the blobs; NULL is a no-op.
 */
void kb_free(struct kb_volume_keys *k)
{
	if (!k)
		return;
	for (unsigned i = 0; i < k->nusers; i++)
		free(k->users[i].hint);
	if (k->users)
		OPENSSL_cleanse(k->users, k->nusers * sizeof(*k->users));
	free(k->users);
	OPENSSL_cleanse(k, sizeof(*k));
	free(k);
}
