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
#define KIND_UPDATE 2ull
#define OWNING_OBJ_ID_INVALID UINT64_MAX

static int pext_cmp(const void *a, const void *b)
{
	const struct mk_fext *x = a, *y = b;

	return x->paddr < y->paddr ? -1 : x->paddr > y->paddr;
}

/*
 * Records for the extents with blocks (holes own none), in block order: NEW
 * ones (owner = the data stream, one reference) for the volume's own, and
 * UPDATE ones (no owner, reference count -1) for the extents of its
 * snapshot that the current state no longer uses, the way apfsck expects
 * a live tree to account for blocks only a snapshot keeps.
 */
static size_t fill_recs(struct mk_vol *v, struct mk_fext *e, uint8_t *kv, struct mk_rec *r)
{
	size_t n = 0;

	for (size_t i = 0; i < v->nfext; i++)
		if (v->fext[i].paddr)
			e[n++] = v->fext[i];
	for (size_t i = 0; v->snap && i < v->snap->next; i++) {
		e[n] = v->snap->ext[i];
		e[n++].id = OWNING_OBJ_ID_INVALID;
	}
	qsort(e, n, sizeof(*e), pext_cmp);
	for (size_t i = 0; i < n; i++) {
		uint8_t *k = kv + 28 * i, *val = k + 8;
		bool upd = e[i].id == OWNING_OBJ_ID_INVALID;

		st_le64(k, (e[i].paddr & APFS_OBJ_ID_MASK) |
			   (uint64_t)APFS_TYPE_EXTENT << APFS_OBJ_TYPE_SHIFT);
		st_le64(val, (e[i].len / v->img->bs & PEXT_LEN_MASK) |
			     (upd ? KIND_UPDATE : KIND_NEW) << PEXT_KIND_SHIFT);
		st_le64(val + 8, e[i].id);            /* owning_obj_id */
		st_le32(val + 16, upd ? UINT32_MAX : 1); /* refcnt, or its change */
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
	size_t cap = v->nfext + (v->snap ? v->snap->next : 0) + 1;
	struct mk_fext *e = malloc(cap * sizeof(*e));
	uint8_t *kv = malloc(cap * 28);
	struct mk_rec *r = calloc(cap, sizeof(*r));
	int rc = e && kv && r ? 0 : -ENOMEM;

	if (!rc)
		rc = mk_btree_build(&t, r, fill_recs(v, e, kv, r), root);
	free(e);
	free(kv);
	free(r);
	return rc;
}
