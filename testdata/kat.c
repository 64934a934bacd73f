/* SPDX-License-Identifier: MIT */
/*
 * kat.c - `mkimage kat`: the known-answer test of the keybag writer.  It
 * takes every input the writer needs (UUIDs, salts, iteration counts,
 * metadata, object header, entry order, the KEK and VEK unlocked with the
 * password) out of a macOS-made image and writes what the writer makes of
 * them, so that tests/cli/mkimage_kat.sh can compare the result with
 * Apple's blocks byte for byte.
 */
#include <errno.h>
#include <openssl/crypto.h>
#include <stdio.h>
#include <stdlib.h>

#include "apfs/apfs.h"
#include "cipher/xts.h"
#include "kat.h"
#include "keybag/crypto.h"

#define MAX_ENTRIES 64

struct kat_img {
	uint8_t *p;
	size_t len;
	uint32_t bs;
};

struct kat_bag {
	uint8_t *plain;
	size_t len;
	uint64_t paddr;
	uint32_t bs;
	uint8_t uuid[16];          /* XTS key material */
	struct {
		uint8_t uuid[16];
		uint16_t tag, len;
		const uint8_t *data;
	} e[MAX_ENTRIES];
	unsigned n;
	uint8_t pad[MAX_ENTRIES * 16];
	size_t padlen;
};

struct kat_keys {
	uint8_t kek[32], vek[32];
	size_t keklen, veklen;
};

static int load(const char *path, struct kat_img *k)
{
	FILE *f = fopen(path, "rb");
	long n;

	if (!f)
		return -errno;
	if (fseek(f, 0, SEEK_END) || (n = ftell(f)) < 4096 || fseek(f, 0, SEEK_SET)) {
		fclose(f);
		return -EIO;
	}
	k->len = (size_t)n;
	k->p = malloc(k->len);
	if (!k->p || fread(k->p, 1, k->len, f) != k->len) {
		fclose(f);
		return -EIO;
	}
	fclose(f);
	k->bs = ld_le32(k->p + 36);
	return ld_le32(k->p + 32) == APFS_NX_MAGIC && k->bs >= 4096 && k->bs <= 65536 ?
		       0 : -EMEDIUMTYPE;
}

static const uint8_t *block(const struct kat_img *k, uint64_t paddr, uint64_t n)
{
	return range_ok(paddr * k->bs, n * k->bs, k->len) && paddr < k->len ?
		       k->p + paddr * k->bs : NULL;
}

/* Record an entry, and its alignment padding in the bag's padding stream. */
static int take_entry(struct kat_bag *b, size_t *off, size_t end)
{
	const uint8_t *h = b->plain + *off;
	size_t len, stride;

	if (b->n >= MAX_ENTRIES || end - *off < 24)
		return -EBADMSG;
	len = ld_le16(h + 18);
	stride = (24 + len + 15) & ~(size_t)15;
	if (stride > end - *off)
		return -EBADMSG;
	memcpy(b->e[b->n].uuid, h, 16);
	b->e[b->n].tag = ld_le16(h + 16);
	b->e[b->n].len = (uint16_t)len;
	b->e[b->n].data = h + 24;
	b->n++;
	memcpy(b->pad + b->padlen, h + 24 + len, stride - 24 - len);
	if (stride > 24 + len)
		printf("pad %zu %zu\n", *off + 24 + len, stride - 24 - len);
	b->padlen += stride - 24 - len;
	*off += stride;
	return 0;
}

static int parse_bag(struct kat_bag *b)
{
	size_t off = 48, end = 32 + (size_t)ld_le32(b->plain + 36);
	unsigned n = ld_le16(b->plain + 34);

	if (!apfs_obj_cksum_ok(b->plain, b->len) || end > b->len || n > MAX_ENTRIES)
		return -EBADMSG;
	for (unsigned i = 0; i < n; i++) {
		int rc = take_entry(b, &off, end);

		if (rc)
			return rc;
	}
	return 0;
}

static int open_bag(const struct kat_img *k, const uint8_t *pr, const uint8_t uuid[16],
		    const char *what, struct kat_bag *b)
{
	uint64_t paddr = ld_le64(pr), n = ld_le64(pr + 8);
	const uint8_t *src = n && n <= 16 ? block(k, paddr, n) : NULL;
	struct apfs_xts *x = NULL;
	int rc;

	if (!src)
		return -EBADMSG;
	printf("%s block %llu count %llu\n", what, (unsigned long long)paddr,
	       (unsigned long long)n);
	b->len = n * k->bs;
	b->paddr = paddr;
	b->bs = k->bs;
	memcpy(b->uuid, uuid, 16);
	b->plain = malloc(b->len);
	if (!b->plain)
		return -ENOMEM;
	memcpy(b->plain, src, b->len);
	rc = apfs_xts_new(uuid, uuid, &x);
	if (!rc)
		rc = apfs_xts_decrypt(x, b->plain, b->len, paddr * (k->bs / 512));
	apfs_xts_free(x);
	return rc ? rc : parse_bag(b);
}

static const struct kat_bag *kat_ckb;

/* PBKDF2 and both unwraps, for the first tag-3 record of the volume bag. */
static int unlock(const struct kat_bag *v, const struct kat_bag *c, const char *pw,
		  struct kat_keys *keys)
{
	struct mk_blob kb, vb;
	uint8_t dk[32];
	int rc = -ENOENT;
	size_t dklen;

	for (unsigned i = 0; rc == -ENOENT && i < v->n; i++)
		if (v->e[i].tag == KB_TAG_VOLUME_UNLOCK_RECORDS)
			rc = kat_blob_inputs(v->e[i].data, v->e[i].len, &kb);
	for (unsigned i = 0; !rc && i < c->n; i++)
		if (c->e[i].tag == KB_TAG_VOLUME_KEY)
			rc = kat_blob_inputs(c->e[i].data, c->e[i].len, &vb);
	if (rc)
		return rc;
	dklen = kb.meta[0] & 0x02 ? 16 : 32;
	keys->keklen = dklen;
	keys->veklen = vb.meta[0] & 0x02 ? 16 : 32;
	rc = kb_pbkdf2_sha256(pw, strlen(pw), kb.salt, 16, kb.iterations, dk, dklen);
	if (!rc)
		rc = kb_aes_unwrap(dk, dklen, kb.wrapped, dklen + 8, keys->kek);
	if (!rc)
		rc = kb_aes_unwrap(keys->kek, keys->veklen == 16 ? 16 : keys->keklen, vb.wrapped,
				   keys->veklen + 8, keys->vek);
	OPENSSL_cleanse(dk, sizeof(dk));
	return rc;
}

static enum mk_kek_kind kind_of(const struct mk_blob *b)
{
	if (b->meta[0] & 0x02)
		return MK_KEK_CS128;
	return b->meta[0] & 0x10 ? MK_KEK_0X10 : MK_KEK_256;
}

/* One entry as the writer makes it from the inputs found in Apple's entry. */
static int rebuild_entry(const struct kat_bag *b, unsigned i, const struct kat_keys *keys,
			 const char *pw, struct mk_kb *out)
{
	bool vek = b == kat_ckb && b->e[i].tag == KB_TAG_VOLUME_KEY;
	bool kek = b != kat_ckb && b->e[i].tag == KB_TAG_VOLUME_UNLOCK_RECORDS;
	struct mk_blob bl;
	uint8_t der[512];
	size_t len = sizeof(der);
	int rc;

	if (!vek && !kek) /* pranges and hints are inputs themselves */
		return mk_kb_add(out, b->e[i].uuid, b->e[i].tag, b->e[i].data, b->e[i].len);
	rc = kat_blob_inputs(b->e[i].data, b->e[i].len, &bl);
	if (!rc)
		rc = vek ? mk_vek_blob(keys->vek, keys->veklen, keys->kek, keys->keklen, &bl) :
			   mk_kek_blob(keys->kek, keys->keklen, pw, strlen(pw), kind_of(&bl), &bl);
	if (!rc)
		rc = mk_der_blob(&bl, der, &len);
	if (!rc)
		printf("entry %u tag %u: rebuilt blob %s Apple's\n", i, b->e[i].tag,
		       len == b->e[i].len && !memcmp(der, b->e[i].data, len) ? "equals" :
									   "differs from");
	return rc ? rc : mk_kb_add(out, b->e[i].uuid, b->e[i].tag, der, len);
}

static int put_file(const char *dir, const char *name, const void *p, size_t len)
{
	char path[4096];
	FILE *f;
	int rc = 0;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "wb");
	if (!f)
		return -errno;
	if (fwrite(p, 1, len, f) != len)
		rc = -EIO;
	if (fclose(f) && !rc)
		rc = -EIO;
	return rc;
}

static int write_bag(const struct kat_bag *b, const struct mk_kb *kb, const char *dir,
		     const char *name)
{
	const struct apfs_obj_phys *o = (const void *)b->plain;
	uint8_t *buf = malloc(b->len);
	struct apfs_xts *x = NULL;
	char fn[64];
	uint64_t oid = get_le64(o->o_oid), xid = get_le64(o->o_xid);
	uint32_t type = get_le32(o->o_type);
	int rc = buf ? mk_kb_layout(kb, oid, xid, type, NULL, 0, buf, b->len) : -ENOMEM;

	snprintf(fn, sizeof(fn), "%s-nopad.bin", name);
	if (!rc)
		rc = put_file(dir, fn, buf, b->len);
	if (!rc)
		rc = mk_kb_layout(kb, oid, xid, type, b->pad, b->padlen, buf, b->len);
	snprintf(fn, sizeof(fn), "%s-plain.bin", name);
	if (!rc)
		rc = put_file(dir, fn, buf, b->len);
	if (!rc)
		rc = apfs_xts_new(b->uuid, b->uuid, &x);
	if (!rc)
		rc = apfs_xts_encrypt(x, buf, b->len, b->paddr * (b->bs / 512));
	snprintf(fn, sizeof(fn), "%s-cipher.bin", name);
	if (!rc)
		rc = put_file(dir, fn, buf, b->len);
	apfs_xts_free(x);
	free(buf);
	return rc;
}

static int rebuild_bag(const struct kat_bag *b, const struct kat_keys *keys, const char *pw,
		       const char *dir, const char *name)
{
	struct mk_kb kb = { 0 };
	int rc = 0;

	for (unsigned i = 0; !rc && i < b->n; i++)
		rc = rebuild_entry(b, i, keys, pw, &kb);
	if (!rc)
		rc = write_bag(b, &kb, dir, name);
	mk_kb_free(&kb);
	return rc;
}

/* Look oid up in a one-node (root leaf) object map; the Apple image is small. */
static int omap_leaf(const struct kat_img *k, uint64_t omap, uint64_t oid, uint64_t *paddr)
{
	const uint8_t *om = block(k, omap, 1), *nd;
	uint32_t nkeys, bs = k->bs;
	size_t karea;

	nd = om ? block(k, ld_le64(om + 48), 1) : NULL;
	if (!nd || ld_le16(nd + 32) != 7) /* ROOT | LEAF | FIXED_KV_SIZE */
		return -EOPNOTSUPP;
	nkeys = ld_le32(nd + 36);
	karea = 56 + (size_t)ld_le16(nd + 42);
	for (uint32_t i = 0; i < nkeys && 56 + 4 * (size_t)i + 4 <= karea; i++) {
		size_t ko = karea + ld_le16(nd + 56 + 4 * i), vo = ld_le16(nd + 58 + 4 * i);

		if (ko + 16 > bs - 40 || vo > bs - 40 || vo < 16)
			return -EBADMSG;
		if (ld_le64(nd + ko) == oid) {
			*paddr = ld_le64(nd + bs - 40 - vo + 8);
			return 0;
		}
	}
	return -ENOENT;
}

/* The fs root node of volume 0: decrypt with the VEK, check, encrypt again. */
static int fs_node(const struct kat_img *k, const struct kat_keys *keys, const char *dir)
{
	uint64_t apsb, root;
	struct apfs_xts *x = NULL;
	uint8_t *buf = malloc(k->bs);
	const uint8_t *sb;
	int rc = buf ? omap_leaf(k, ld_le64(k->p + 160), ld_le64(k->p + 184), &apsb) : -ENOMEM;

	sb = rc ? NULL : block(k, apsb, 1);
	rc = sb ? omap_leaf(k, ld_le64(sb + 128), ld_le64(sb + 136), &root) : -EBADMSG;
	if (!rc && !block(k, root, 1))
		rc = -EBADMSG;
	if (!rc)
		rc = apfs_xts_new(keys->vek, keys->vek + 16, &x);
	if (!rc) {
		memcpy(buf, block(k, root, 1), k->bs);
		rc = apfs_xts_decrypt(x, buf, k->bs, root * (k->bs / 512));
	}
	if (!rc && !apfs_obj_cksum_ok(buf, k->bs))
		rc = -EBADMSG;
	if (!rc)
		rc = apfs_xts_encrypt(x, buf, k->bs, root * (k->bs / 512));
	if (!rc)
		rc = put_file(dir, "fsnode-cipher.bin", buf, k->bs);
	if (!rc)
		printf("fsnode block %llu\n", (unsigned long long)root);
	apfs_xts_free(x);
	free(buf);
	return rc;
}

static int kat_run(const struct kat_img *k, const char *pw, const char *dir, struct kat_bag *c,
		   struct kat_bag *v)
{
	struct kat_keys keys = { 0 };
	int rc = open_bag(k, k->p + 1296, k->p + 72, "ckb", c);

	for (unsigned i = 0; !rc && i < c->n && !v->plain; i++)
		if (c->e[i].tag == KB_TAG_VOLUME_UNLOCK_RECORDS && c->e[i].len == 16)
			rc = open_bag(k, c->e[i].data, c->e[i].uuid, "vkb", v);
	if (!rc && !v->plain)
		rc = -ENOENT;
	kat_ckb = c;
	if (!rc)
		rc = unlock(v, c, pw, &keys);
	if (!rc)
		rc = rebuild_bag(c, &keys, pw, dir, "ckb");
	if (!rc)
		rc = rebuild_bag(v, &keys, pw, dir, "vkb");
	if (!rc && k->bs == 4096 && keys.veklen == 32)
		rc = fs_node(k, &keys, dir);
	OPENSSL_cleanse(&keys, sizeof(keys));
	return rc;
}

int mk_kat(const char *image, const char *pw, const char *outdir)
{
	struct kat_img k = { 0 };
	struct kat_bag *c = calloc(1, sizeof(*c)), *v = calloc(1, sizeof(*v));
	int rc = c && v ? load(image, &k) : -ENOMEM;

	if (!rc)
		rc = kat_run(&k, pw, outdir, c, v);
	if (c)
		free(c->plain);
	if (v)
		free(v->plain);
	free(c);
	free(v);
	free(k.p);
	return rc;
}
