/* SPDX-License-Identifier: MIT */
/* obj.c - object headers, checksums and the XTS helpers of the generator. */
#include "apfs/apfs.h"
#include "cipher/xts.h"
#include "mk.h"

void mk_obj_hdr(void *buf, uint64_t oid, uint64_t xid, uint32_t type, uint32_t subtype)
{
	struct apfs_obj_phys *o = buf;

	o->o_oid = put_le64(oid);
	o->o_xid = put_le64(xid);
	o->o_type = put_le32(type);
	o->o_subtype = put_le32(subtype);
}

void mk_obj_seal(void *buf, size_t len)
{
	struct apfs_obj_phys *o = buf;

	o->o_cksum = put_le64(apfs_fletcher64(buf, len));
}

int mk_encrypt(struct apfs_xts *x, void *buf, size_t len, uint64_t first)
{
	return apfs_xts_encrypt(x, buf, len, first);
}

/* Keybags are encrypted with a UUID as both XTS halves (§2.2). */
int mk_xts_from_uuid(const uint8_t uuid[16], struct apfs_xts **out)
{
	return apfs_xts_new(uuid, uuid, out);
}
