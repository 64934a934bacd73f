/* SPDX-License-Identifier: MIT */
/*
 * fs_dirpos.c - a directory read a piece at a time from where the last
 * piece ended, for walks that hold a few hundred names of a directory at a
 * time instead of all of them (bodyfile over a directory of millions).
 * On one volume the position is the last record's whole key: resuming is
 * one lookup whatever the volume's form (readdir cookies of a plain volume
 * count entries from the first).  A volume group's merged root keeps its
 * own numbering: there the position is a readdir cookie.
 */
#include <stdlib.h>

#include "fs_int.h"

struct dp_ctx {
	struct apfs_fs *fs;
	uint64_t dir;
	struct apfs_dir_pos *pos;
	apfs_dirent_fn fn;
	void *ctx;
	bool unordered;  /* the leaf walked now is damaged (apfs_btree_iterate_ord) */
	bool damaged;    /* a record of the directory came from such a leaf */
	bool begun;      /* a record has been visited */
	bool stopped;    /* fn stopped the walk (the directory goes on) */
	bool past;       /* a record past the directory's was met (its end) */
	struct apfs_btree_lost lost;  /* nodes of it this walk could not read */
	struct apfs_dirent de;
};

static int dp_visit(const void *k, size_t kl, const void *v, size_t vl, void *arg)
{
	struct dp_ctx *p = arg;
	struct drec d;
	int ret;

	if (!p->begun && p->pos->klen && p->unordered)
		return fs_resume_unsound(p->fs, p->dir);
	p->begun = true;
	if (!fs_key_drec_of(k, p->dir)) {
		p->past = true;
		return 1;
	}
	p->damaged |= p->unordered;  /* of the directory's own leaves (fs_dir.c rd_visit) */
	/* The walk starts at the last record handed on: not again. */
	if (kl == p->pos->klen && !memcmp(k, p->pos->key, kl))
		return 0;
	ret = fs_drec_parse(p->fs, k, kl, v, vl, &d);
	if (ret)
		return ret;
	if (kl > sizeof(p->pos->key))  /* fs_drec_parse bounds the name: cannot be */
		return -APFS_ECORRUPT;
	p->de.ino = d.ino;
	p->de.date_added = d.added;
	p->de.type = d.type;
	p->de.next_cookie = 0;
	memcpy(p->de.name, d.name, d.name_len + 1);
	ret = p->fn(&p->de, p->ctx);
	p->stopped = ret != 0;
	if (ret == 0) {
		memcpy(p->pos->key, k, kl);
		p->pos->klen = kl;
		p->pos->unsound = p->damaged;
		p->pos->lost |= p->lost.leaves != 0;
		p->pos->taken++;
	}
	return ret;
}

/* The merged root: by cookie (each entry's next_cookie once it is taken). */
struct dp_grp {
	struct apfs_dir_pos *pos;
	apfs_dirent_fn fn;
	void *ctx;
};

static int dp_grp_one(const struct apfs_dirent *d, void *arg)
{
	struct dp_grp *g = arg;
	int ret = g->fn(d, g->ctx);

	if (ret == 0)
		g->pos->cookie = d->next_cookie;
	return ret;
}

int apfs_fs_readdir_from(struct apfs_fs *fs, uint64_t dir, struct apfs_dir_pos *pos,
			 apfs_dirent_fn fn, void *ctx)
{
	struct dp_ctx *p;
	uint8_t key[8], end[8];
	int ret;

	if (fs->grp) {
		struct dp_grp g = { pos, fn, ctx };

		return apfs_fs_readdir(fs, dir, pos->cookie, dp_grp_one, &g);
	}
	if ((ret = fs_key_checked(fs, key, dir, APFS_TYPE_DIR_REC)))
		return ret;
	/*
	 * Where the walk met a record of the directory in a damaged leaf (out
	 * of order or range, or that range not known), a resume by key may
	 * land in a later node past a record handed out from there after the
	 * last (fs_dir.c COOKIE_UNSOUND): refused.
	 */
	if (pos->klen && pos->unsound)
		return fs_resume_unsound(fs, dir);
	p = malloc(sizeof(*p));
	if (!p)
		return -ENOMEM;
	*p = (struct dp_ctx){ .fs = fs, .dir = dir, .pos = pos, .fn = fn, .ctx = ctx };
	fs_dir_lost_init(&p->lost, end, dir);
	if (pos->klen)
		ret = apfs_btree_iterate_past(&fs->tree, pos->key, pos->klen, dp_visit, p,
					      &p->unordered, &p->lost);
	else
		ret = apfs_btree_iterate_past(&fs->tree, key, sizeof(key), dp_visit, p,
					      &p->unordered, &p->lost);
	pos->spread |= fs_dir_spread(&p->lost, p->past);
	ret = fs_dir_walked(fs, dir, ret, p->stopped, &p->lost, pos->lost,
			    pos->spread ? pos->taken : FS_GIVEN_UNKNOWN);
	free(p);
	return ret;
}
