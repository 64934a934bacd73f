/* SPDX-License-Identifier: MIT */
/*
 * damage.c - damaged scenarios for the hostile-input tests: each breaks
 * exactly one structure of an otherwise valid image, re-sealing the
 * checksum where the point is a structural lie rather than a bad checksum.
 */
#include <errno.h>
#include <stdio.h>

#include "mk.h"

#define ENTRIES_OFF 48

/* Offset of the last keybag entry in a laid-out keybag. */
static size_t last_entry(const uint8_t *buf, size_t len)
{
	size_t off = ENTRIES_OFF, last = ENTRIES_OFF;
	unsigned n = ld_le16(buf + 34);

	for (unsigned i = 0; i < n && len - off >= 24; i++) {
		last = off;
		off += (24 + ld_le16(buf + off + 18) + 15) & ~(size_t)15;
	}
	return last;
}

/**
 * mk_damage_keybag() - break a keybag in plaintext, before it is encrypted.
 * @img: the image (img->damage says how)
 * @type: 'keys' or 'recs'
 * @buf: the laid-out, sealed keybag
 * @len: its length
 */
void mk_damage_keybag(struct mk_image *img, uint32_t type, uint8_t *buf, size_t len)
{
	size_t e;

	switch (img->damage) {
	case MK_DAMAGE_KEYBAG_CKSUM:
		if (type == APFS_OBJECT_TYPE_CONTAINER_KEYBAG)
			buf[ENTRIES_OFF + 24 + 100] ^= 0x01; /* inside the VEK blob */
		return;
	case MK_DAMAGE_ENTRY_OVERRUN:
		if (type != APFS_OBJECT_TYPE_VOLUME_KEYBAG)
			return;
		e = last_entry(buf, len);
		st_le16(buf + e + 18, (uint16_t)(ld_le16(buf + e + 18) + 256));
		break;
	case MK_DAMAGE_DER_LENGTH:
		if (type != APFS_OBJECT_TYPE_VOLUME_KEYBAG)
			return;
		buf[ENTRIES_OFF + 24 + 2] = 0xff; /* "30 81 91" -> "30 81 ff" */
		break;
	default:
		return;
	}
	mk_obj_seal(buf, len);
}

/**
 * mk_damage_tree() - point the second entry of the fs tree's root index
 * node back at the root itself, so a naive descent never ends.
 */
int mk_damage_tree(struct mk_image *img, uint64_t root, const struct mk_omap_rec *om,
		   unsigned nom)
{
	uint8_t *nd = NULL;
	uint32_t bs = img->bs;

	for (unsigned i = 0; i < nom && !nd; i++)
		if (om[i].oid == root)
			nd = mk_block(img, om[i].paddr);
	if (!nd || ld_le16(nd + 34) == 0 || ld_le32(nd + 36) < 2)
		return -EINVAL; /* needs a root index node with two children */
	st_le64(nd + bs - 40 - ld_le16(nd + 56 + 8 + 4), root);
	mk_obj_seal(nd, bs);
	return 0;
}
