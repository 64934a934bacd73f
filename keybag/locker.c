/* SPDX-License-Identifier: MIT */
/*
 * locker.c - parse a decrypted kb_locker_t (docs/apfs-format.md §2.3).
 *
 * Entries follow the 16-byte locker header back to back, each padded to a
 * 16-byte boundary.  Padding is not zeroed on real disks (Apple reuses its
 * buffer), so each entry is taken by its ke_keylen and padding is ignored.
 * kl_nbytes counts the header as well as the entries.
 */
#include <stdlib.h>

#include "util/bytes.h"
#include "util/err.h"
#include "apfs/raw.h"
#include "keybag/internal.h"

#define ENTRY_HDR sizeof(struct apfs_keybag_entry)

static size_t entry_stride(uint16_t keylen)
{
	return (ENTRY_HDR + keylen + 15) & ~(size_t)15;
}

static int check_header(const struct apfs_kb_locker *kl, size_t len, const char *what)
{
	uint16_t version = get_le16(kl->kl_version);
	uint32_t nbytes = get_le32(kl->kl_nbytes);
	uint16_t nkeys = get_le16(kl->kl_nkeys);

	if (version != APFS_KEYBAG_VERSION) {
		apfs_err("%s: keybag version %u, expected %u", what, version, APFS_KEYBAG_VERSION);
		return -APFS_ECORRUPT;
	}
	if (nbytes < sizeof(*kl) || nbytes > len) {
		apfs_err("%s: kl_nbytes %u outside 16..%zu", what, nbytes, len);
		return -APFS_ECORRUPT;
	}
	if (nkeys > KB_MAX_ENTRIES) {
		apfs_err("%s: kl_nkeys %u exceeds the limit of %u", what, nkeys, KB_MAX_ENTRIES);
		return -APFS_ECORRUPT;
	}
	return 0;
}

/* Take the entry at *off (inside [0, nbytes)); advance *off by its stride. */
static int take_entry(const uint8_t *buf, size_t nbytes, size_t *off, struct kb_entry *e,
		      const char *what)
{
	const struct apfs_keybag_entry *h;

	if (ENTRY_HDR > nbytes - *off) {
		apfs_err("%s: entry %u header at offset %zu overruns kl_nbytes %zu", what,
			 e->index, *off, nbytes);
		return -APFS_ECORRUPT;
	}
	h = (const struct apfs_keybag_entry *)(buf + *off);
	e->uuid = h->ke_uuid;
	e->tag = get_le16(h->ke_tag);
	e->keylen = get_le16(h->ke_keylen);
	if (e->keylen >= APFS_VOL_KEYBAG_ENTRY_MAX_SIZE) {
		apfs_err("%s: entry %u keylen %u, limit is %u", what, e->index, e->keylen,
			 APFS_VOL_KEYBAG_ENTRY_MAX_SIZE - 1);
		return -APFS_ECORRUPT;
	}
	if (e->keylen > nbytes - *off - ENTRY_HDR) {
		apfs_err("%s: entry %u (tag %u, keylen %u) overruns kl_nbytes %zu", what,
			 e->index, e->tag, e->keylen, nbytes);
		return -APFS_ECORRUPT;
	}
	e->data = buf + *off + ENTRY_HDR;
	e->off = *off;
	/* The last entry's padding may be cut off by kl_nbytes; that is harmless. */
	*off += entry_stride(e->keylen);
	if (*off > nbytes)
		*off = nbytes;
	return 0;
}

/**
 * kb_locker_parse() - validate a kb_locker_t and list its entries.
 * @buf: the locker (kl_version first), already decrypted.
 * @len: bytes available at buf (the prange minus the object header).
 * @what: names the keybag and block in messages.
 * @out: receives the entry list; release with kb_locker_release().
 *
 * Return: 0, -APFS_ECORRUPT (logged) or -ENOMEM.
 */
int kb_locker_parse(const uint8_t *buf, size_t len, const char *what, struct kb_locker *out)
{
	const struct apfs_kb_locker *kl = (const void *)buf;
	size_t off = sizeof(*kl);
	int ret;

	out->ents = NULL;
	out->nkeys = 0;
	if (len < sizeof(*kl)) {
		apfs_err("%s: %zu bytes, too small for a kb_locker", what, len);
		return -APFS_ECORRUPT;
	}
	ret = check_header(kl, len, what);
	if (ret)
		return ret;
	out->nbytes = get_le32(kl->kl_nbytes);
	out->nkeys = get_le16(kl->kl_nkeys);
	out->ents = calloc(out->nkeys ? out->nkeys : 1, sizeof(*out->ents));
	if (!out->ents)
		return -ENOMEM;
	for (unsigned i = 0; i < out->nkeys; i++) {
		out->ents[i].index = i;
		ret = take_entry(buf, out->nbytes, &off, &out->ents[i], what);
		if (ret) {
			kb_locker_release(out);
			return ret;
		}
	}
	return 0;
}

void kb_locker_release(struct kb_locker *l)
{
	free(l->ents);
	l->ents = NULL;
	l->nkeys = 0;
}
