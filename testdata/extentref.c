/* SPDX-License-Identifier: MIT */
/*
 * extentref.c - a volume's extent-reference tree: one physical-extent
 * record (j_phys_ext_key_t / j_phys_ext_val_t, reference "Extents") per
 * run of blocks a data stream owns, so that every block a file extent
 * points at is accounted for (apfsck: "doesn't seem covered by any
 * physical extent"; basic.img's tree holds one such record per extent,
 * keys 8 bytes, values 20).
 */
#include <errno.h>
#include <stdlib.h>

#include "mk.h"

#define PEXT_LEN_MASK 0x0fffffffffffffffull
#define PEXT_KIND_SHIFT 60
#define KIND_NEW 1ull

static int pext_cmp(const void *a, const void *b)
{
	const struct mk_fext *x = a, *y = b;

	return x->paddr < y->paddr ? -1 : x->paddr > y->paddr;
}

/* Records for the extents with blocks (holes own none), in block order. */
static size_t fill_recs(struct mk_vol *v, struct mk_fext *e, uint8_t *kv, struct mk_rec *r)
{
	size_t n = 0;

	for (size_t i = 0; i < v->nfext; i++)
		if (v->fext[i].paddr)
			e[n++] = v->fext[i];
	qsort(e, n, sizeof(*e), pext_cmp);
	for (size_t i = 0; i < n; i++) {
		uint8_t *k = kv + 28 * i, *val = k + 8;

		st_le64(k, (e[i].paddr & APFS_OBJ_ID_MASK) |
			   (uint64_t)APFS_TYPE_EXTENT << APFS_OBJ_TYPE_SHIFT);
		st_le64(val, (e[i].len / v->img->bs & PEXT_LEN_MASK) | KIND_NEW << PEXT_KIND_SHIFT);
		st_le64(val + 8, e[i].id);  /* owning_obj_id: the data stream */
		st_le32(val + 16, 1);       /* refcnt */
		r[i] = (struct mk_rec){ k, val, 8, 20 };
	}
	return n;
}

/**
 * mk_extentref_tree() - build v's extent-reference tree from the extents
 * recorded in v->fext.
 * @v: the volume
 * @root: receives the root block
 */
int mk_extentref_tree(struct mk_vol *v, uint64_t *root)
{
	struct mk_tree t = { .img = v->img, .subtype = APFS_OBJECT_TYPE_BLOCKREFTREE,
			     .physical = true,
			     .bt_flags = APFS_BTREE_PHYSICAL | APFS_BTREE_KV_NONALIGNED |
					 APFS_BTREE_SEQUENTIAL_INSERT };
	struct mk_fext *e = malloc((v->nfext + 1) * sizeof(*e));
	uint8_t *kv = malloc((v->nfext + 1) * 28);
	struct mk_rec *r = calloc(v->nfext + 1, sizeof(*r));
	int rc = e && kv && r ? 0 : -ENOMEM;

	if (!rc)
		rc = mk_btree_build(&t, r, fill_recs(v, e, kv, r), root);
	free(e);
	free(kv);
	free(r);
	return rc;
}
