/* SPDX-License-Identifier: MIT */
/*
 * fs_group.c - the merged root of a volume group: every function of fs.h
 * on one tree made of the System volume's, with firmlinked directories
 * showing the Data volume's and /System/Volumes/Data showing the Data
 * root, as a booted Mac shows `/` (docs macos-boot.md §3).
 *
 * A view inode number says which volume holds the object (fs.h, "Inode
 * numbers of the merged root"); each call turns it back into that volume's
 * own number, asks that volume's plain view, and turns the numbers in the
 * answer (an entry's inode, a parent) into view numbers again.  Nothing is
 * copied or cached: the view is as thread-safe as the two below it.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fs_group.h"

#define GRP_TAG_MASK (15ull << 60)
#define GRP_MAX_DEPTH 4096

uint64_t grp_num(int vol, uint64_t raw)
{
	if (vol == G_SYS)
		return raw <= APFS_ROOT_DIR_INO_NUM || raw >= APFS_SYSTEM_OBJ_ID_MARK ? raw :
			APFS_GROUP_SYS_TAG | raw;
	return raw >= APFS_MIN_USER_INO_NUM && raw < APFS_SYSTEM_OBJ_ID_MARK ? raw :
		APFS_GROUP_DATA_TAG | raw;
}

/* The volume and raw number behind a view number: the inverse of grp_num. */
static int grp_split(const struct fs_group *g, uint64_t m, int *vol, uint64_t *raw)
{
	uint64_t tag = m & GRP_TAG_MASK;

	*raw = m & ~GRP_TAG_MASK;
	if (tag == APFS_GROUP_DATA_TAG)
		*vol = G_DATA;
	else if (tag == APFS_GROUP_SYS_TAG)
		*vol = G_SYS;
	else if (tag)
		return -ENOENT;
	else
		*vol = m >= APFS_SYSTEM_OBJ_ID_MARK || m <= APFS_ROOT_DIR_INO_NUM ? G_SYS : G_DATA;
	/* only the numbers grp_num makes: one view number per object */
	if (!*raw || grp_num(*vol, *raw) != m)
		return -ENOENT;
	return *vol == G_DATA && !g->data ? -APFS_ELOCKED : 0;
}

static struct apfs_fs *grp_vol(const struct fs_group *g, int vol)
{
	return vol == G_SYS ? g->sys : g->data;
}

/* The volume's view and raw number for m; -ENOENT, -APFS_ELOCKED. */
static int grp_at(struct apfs_fs *fs, uint64_t m, struct apfs_fs **sub, uint64_t *raw, int *vol)
{
	int v = G_SYS, ret = grp_split(fs->grp, m, &v, raw);

	*sub = ret ? NULL : grp_vol(fs->grp, v);
	if (vol)
		*vol = v;
	return ret;
}

/* A System directory whose content is the locked Data volume's. */
static bool grp_locked_dir(const struct fs_group *g, int vol, uint64_t raw)
{
	return vol == G_SYS && !g->data && raw && (grp_link_sys(g, raw) || raw == g->vdata);
}

/* What an entry naming raw in volume vol shows: firmlinks and the Data mount applied. */
static uint64_t grp_shown(const struct fs_group *g, int vol, uint64_t raw)
{
	const struct g_link *l = vol == G_SYS ? grp_link_sys(g, raw) : NULL;

	if (l && l->data_dir)
		return grp_num(G_DATA, l->data_dir);
	if (vol == G_SYS && raw == g->vdata && raw && g->data)
		return grp_num(G_DATA, APFS_ROOT_DIR_INO_NUM);
	return grp_num(vol, raw);
}

/* The view parent of raw (whose own parent is raw_parent): a directory's place. */
static uint64_t grp_parent(const struct fs_group *g, int vol, uint64_t raw, uint64_t raw_parent)
{
	const struct g_link *l;

	if (vol == G_DATA && raw == APFS_ROOT_DIR_INO_NUM)
		return g->vdata ? grp_num(G_SYS, g->vdata_parent) : APFS_ROOT_DIR_PARENT;
	if (vol == G_DATA && (l = grp_link_data(g, raw)))
		return grp_num(G_SYS, l->sys_parent);
	return grp_num(vol, raw_parent);
}

/* ---- attributes --------------------------------------------------------- */

int grp_stat(struct apfs_fs *fs, uint64_t ino, struct apfs_stat *st)
{
	struct apfs_fs *sub;
	uint64_t raw;
	int vol, ret = grp_at(fs, ino, &sub, &raw, &vol);

	if (!ret)
		ret = fs_vol_stat(sub, raw, st);
	if (ret)
		return ret;
	st->ino = ino;
	st->parent_id = grp_parent(fs->grp, vol, raw, st->parent_id);
	/* shown in a firmlink's place: `ls -l` names the link (grp_firmlink) */
	if (vol == G_DATA && grp_link_data(fs->grp, raw))
		st->firmlink = true;
	return 0;
}

int grp_dir_stats(struct apfs_fs *fs, uint64_t ino, struct apfs_dir_stats *ds)
{
	struct apfs_fs *sub;
	uint64_t raw;
	int ret = grp_at(fs, ino, &sub, &raw, NULL);

	return ret ? ret : fs_vol_dir_stats(sub, raw, ds);
}

/* ---- names -------------------------------------------------------------- */

/* The view's directory dir, ready to be looked into: its volume, or locked. */
static int grp_dir(struct apfs_fs *fs, uint64_t dir, struct apfs_fs **sub, uint64_t *raw,
		   int *vol)
{
	int ret = grp_at(fs, dir, sub, raw, vol);

	if (!ret && grp_locked_dir(fs->grp, *vol, *raw))
		return -APFS_ELOCKED;
	return ret;
}

int grp_lookup_name(struct apfs_fs *fs, uint64_t dir, const char *name, struct apfs_dirent *out)
{
	struct apfs_fs *sub;
	uint64_t raw;
	int vol, ret = grp_dir(fs, dir, &sub, &raw, &vol);

	if (!ret)
		ret = fs_vol_lookup_name(sub, raw, name, out);
	if (!ret)
		out->ino = grp_shown(fs->grp, vol, out->ino);
	return ret;
}

static int grp_step(struct apfs_fs *fs, const char *name, struct apfs_dirent *cur)
{
	struct apfs_fs *sub;
	uint64_t raw;
	int vol, ret = grp_dir(fs, cur->ino, &sub, &raw, &vol);

	if (!ret)
		ret = fs_lookup_checked(sub, raw, name, cur);
	if (!ret)
		cur->ino = grp_shown(fs->grp, vol, cur->ino);
	return ret;
}

/* One checked step from directory dir, as a path walk takes it. */
int grp_lookup_at(struct apfs_fs *fs, uint64_t dir, const char *name, struct apfs_dirent *out)
{
	memset(out, 0, sizeof(*out));
	out->ino = dir;
	return grp_step(fs, name, out);
}

/*
 * A walk's rule for an entry it has read (fs_int.h): within one volume,
 * that volume's (fs_dir_entered, whose numbers are the volume's own, as a
 * path step's messages are); where the entry shows another volume's
 * directory (a firmlink, the Data volume's mount point), as the path step
 * takes it, which must show ino.
 */
int grp_dir_entered(struct apfs_fs *fs, uint64_t dir, const char *name, uint64_t ino, char *why,
		    size_t cap)
{
	struct apfs_fs *sub, *csub;
	struct apfs_dirent d;
	uint64_t raw, craw;
	int vol, cvol, ret = grp_dir(fs, dir, &sub, &raw, &vol);

	*why = '\0';
	if (ret)
		return ret;
	if (!grp_at(fs, ino, &csub, &craw, &cvol) && cvol == vol &&
	    grp_shown(fs->grp, vol, craw) == ino)
		return fs_dir_entered(sub, raw, name, craw, why, cap);
	ret = grp_lookup_at(fs, dir, name, &d);
	if (ret || d.ino == ino)
		return ret;
	snprintf(why, cap, "directory inode %llu is listed in directory inode %llu as '%s', where "
		 "a path reaches inode %llu: not followed (a directory listed twice)",
		 (unsigned long long)ino, (unsigned long long)dir, name, (unsigned long long)d.ino);
	return -ELOOP;
}

/* The name of view inode m in its parent: a firmlinked directory is named as its link. */
static int grp_name(struct apfs_fs *fs, uint64_t m, char *name, uint64_t *parent)
{
	const struct g_link *l;
	struct apfs_fs *sub;
	struct fs_inode in;
	uint64_t raw;
	int vol, ret = grp_at(fs, m, &sub, &raw, &vol);

	if (!ret)
		ret = fs_inode_get(sub, raw, &in);
	if (ret)
		return ret;
	*parent = grp_parent(fs->grp, vol, raw, get_le64(in.raw.parent_id));
	l = vol == G_DATA ? grp_link_data(fs->grp, raw) : NULL;
	if (vol == G_DATA && raw == APFS_ROOT_DIR_INO_NUM)
		strcpy(name, "Data");
	else if (l)
		snprintf(name, APFS_NAME_MAX, "%s", strrchr(l->sys_path, '/') + 1);
	else
		memcpy(name, in.name, APFS_NAME_MAX);
	return 0;
}

static int grp_up(struct apfs_fs *fs, struct apfs_dirent *cur)
{
	uint64_t parent;
	int ret;

	if (cur->ino == APFS_ROOT_DIR_INO_NUM)
		return 0;
	ret = grp_name(fs, cur->ino, cur->name, &parent);
	if (!ret && parent > APFS_ROOT_DIR_INO_NUM)
		ret = grp_name(fs, parent, cur->name, &(uint64_t){ 0 });
	if (ret)
		return ret;
	if (parent <= APFS_ROOT_DIR_INO_NUM)
		strcpy(cur->name, "/");
	cur->ino = parent <= APFS_ROOT_DIR_INO_NUM ? APFS_ROOT_DIR_INO_NUM : parent;
	cur->type = 4;
	cur->date_added = 0;
	return 0;
}

/* apfs_fs_lookup on the view: the same rules, one volume at a time. */
static int grp_comp(struct apfs_fs *fs, const char *comp, struct apfs_dirent *cur)
{
	return !strcmp(comp, "..") ? grp_up(fs, cur) : grp_step(fs, comp, cur);
}

int grp_lookup(struct apfs_fs *fs, const char *path, struct apfs_dirent *out)
{
	return fs_path_walk(fs, path, grp_comp, out);
}

struct grp_rd {
	const struct fs_group *g;
	int vol;
	apfs_dirent_fn fn;
	void *ctx;
	struct apfs_dirent de;
};

static int grp_rd_one(const struct apfs_dirent *d, void *arg)
{
	struct grp_rd *r = arg;

	memcpy(&r->de, d, sizeof(r->de));
	r->de.ino = grp_shown(r->g, r->vol, d->ino);
	return r->fn(&r->de, r->ctx);
}

int grp_readdir(struct apfs_fs *fs, uint64_t dir, uint64_t cookie, apfs_dirent_fn fn, void *ctx)
{
	struct apfs_fs *sub;
	struct grp_rd *r;
	uint64_t raw;
	int vol, ret = grp_dir(fs, dir, &sub, &raw, &vol);

	if (ret)
		return ret;
	r = malloc(sizeof(*r));
	if (!r)
		return -ENOMEM;
	r->g = fs->grp;
	r->vol = vol;
	r->fn = fn;
	r->ctx = ctx;
	ret = fs_vol_readdir(sub, raw, cookie, grp_rd_one, r);
	free(r);
	return ret;
}

/*
 * In inode order: a Data directory's entries, numbered as grp_shown numbers
 * them (no firmlink leaves Data).  A System directory's entries may be
 * firmlinks or the Data volume's mount point: it is read the usual way.
 */
int grp_byino_plan(struct apfs_fs *fs, uint64_t dir, struct apfs_byino *p)
{
	struct apfs_fs *sub;
	uint64_t raw;
	int vol, ret = grp_dir(fs, dir, &sub, &raw, &vol);

	if (ret)
		return ret;
	if (vol != G_DATA)
		return -ENOTSUP;
	ret = fs_vol_byino_plan(sub, raw, p);
	p->dir = dir;
	return ret;
}

static int grp_bi_one(const struct apfs_dirent *d, void *arg)
{
	struct grp_rd *r = arg;

	memcpy(&r->de, d, sizeof(r->de));
	r->de.ino = grp_num(G_DATA, d->ino);
	return r->fn(&r->de, r->ctx);
}

int grp_byino_read(struct apfs_fs *fs, const struct apfs_byino *p, uint64_t *from,
		   apfs_dirent_fn fn, void *ctx)
{
	struct apfs_byino raw_plan = *p;
	struct apfs_fs *sub;
	struct grp_rd *r;
	int vol, ret = grp_dir(fs, p->dir, &sub, &raw_plan.dir, &vol);

	if (ret)
		return ret;
	if (vol != G_DATA)
		return -ENOTSUP;
	if (!(r = malloc(sizeof(*r))))
		return -ENOMEM;
	*r = (struct grp_rd){ .g = fs->grp, .vol = vol, .fn = fn, .ctx = ctx };
	ret = fs_vol_byino_read(sub, &raw_plan, from, grp_bi_one, r);
	free(r);
	return ret;
}

struct grp_ln {
	int vol;
	apfs_link_fn fn;
	void *ctx;
};

static int grp_ln_one(uint64_t parent, const char *name, void *arg)
{
	struct grp_ln *l = arg;

	return l->fn(grp_num(l->vol, parent), name, l->ctx);
}

static int grp_name(struct apfs_fs *fs, uint64_t m, char *name, uint64_t *parent);

int grp_links(struct apfs_fs *fs, uint64_t ino, apfs_link_fn fn, void *ctx)
{
	struct grp_ln l = { 0, fn, ctx };
	char name[APFS_NAME_MAX];
	struct apfs_fs *sub;
	uint64_t raw, parent;
	int ret = grp_at(fs, ino, &sub, &raw, &l.vol);

	if (ret)
		return ret;
	/* The Data root and firmlinked directories have one name: their place in the view. */
	if (l.vol == G_DATA && (raw == APFS_ROOT_DIR_INO_NUM || grp_link_data(fs->grp, raw))) {
		ret = grp_name(fs, ino, name, &parent);
		ret = ret ? ret : fn(parent, name, ctx);
		return ret < 0 ? ret : 0;
	}
	return fs_vol_links(sub, raw, grp_ln_one, &l);
}

/* The path of view inode m, built from view parents: the Mac's path. */
int grp_path(struct apfs_fs *fs, uint64_t ino, char *buf, size_t cap)
{
	char name[APFS_NAME_MAX];
	size_t pos = cap;
	int ret;

	if (cap < 2)
		return -ENAMETOOLONG;
	buf[--pos] = '\0';
	for (unsigned depth = 0; ino != APFS_ROOT_DIR_INO_NUM; depth++) {
		if (depth > GRP_MAX_DEPTH || ino <= APFS_ROOT_DIR_PARENT)
			return -APFS_ECORRUPT;
		ret = grp_name(fs, ino, name, &ino);
		if (ret || (ret = fs_path_prepend(buf, &pos, name)))
			return ret;
	}
	fs_path_finish(buf, pos, cap);
	return 0;
}

/* ---- links, attributes, data: the object's own volume ------------------- */

int grp_readlink(struct apfs_fs *fs, uint64_t ino, char *buf, size_t cap)
{
	struct apfs_fs *sub;
	uint64_t raw;
	int ret = grp_at(fs, ino, &sub, &raw, NULL);

	return ret ? ret : fs_vol_readlink(sub, raw, buf, cap);
}

/* A Data directory in a firmlink's place: the link's target, as the firmlinks file has it. */
int grp_firmlink(struct apfs_fs *fs, uint64_t ino, char *buf, size_t cap)
{
	const struct g_link *l;
	struct apfs_fs *sub;
	uint64_t raw;
	int vol, ret = grp_at(fs, ino, &sub, &raw, &vol);

	if (ret)
		return ret;
	l = vol == G_DATA ? grp_link_data(fs->grp, raw) : NULL;
	if (!l)
		return fs_vol_firmlink(sub, raw, buf, cap);
	if ((size_t)snprintf(buf, cap, "%s", l->data_path) >= cap)
		return -ENAMETOOLONG;
	return 0;
}

int grp_listxattr(struct apfs_fs *fs, uint64_t ino, unsigned flags, apfs_xattr_fn fn, void *ctx)
{
	struct apfs_fs *sub;
	uint64_t raw;
	int ret = grp_at(fs, ino, &sub, &raw, NULL);

	return ret ? ret : fs_vol_listxattr(sub, raw, flags, fn, ctx);
}

int grp_getxattr(struct apfs_fs *fs, uint64_t ino, const char *name, uint64_t off, void *buf,
		 size_t len, size_t *got, uint64_t *size)
{
	struct apfs_fs *sub;
	uint64_t raw;
	int ret = grp_at(fs, ino, &sub, &raw, NULL);

	return ret ? ret : fs_vol_getxattr(sub, raw, name, off, buf, len, got, size);
}

int grp_xattr_runs(struct apfs_fs *fs, uint64_t ino, const char *name, apfs_run_fn fn,
		   void *ctx, bool *resident)
{
	struct apfs_fs *sub;
	uint64_t raw;
	int ret = grp_at(fs, ino, &sub, &raw, NULL);

	return ret ? ret : fs_vol_xattr_runs(sub, raw, name, fn, ctx, resident);
}

int grp_file_open(struct apfs_fs *fs, uint64_t ino, struct apfs_file **out)
{
	struct apfs_fs *sub;
	uint64_t raw;
	int ret = grp_at(fs, ino, &sub, &raw, NULL);

	return ret ? ret : fs_vol_file_open(sub, raw, out);
}

/* ---- provenance --------------------------------------------------------- */

bool apfs_fs_is_group(const struct apfs_fs *fs)
{
	return fs->grp != NULL;
}

/**
 * apfs_fs_origin - an object's volume and number there (see fs.h)
 */
int apfs_fs_origin(struct apfs_fs *fs, uint64_t ino, const struct apfs_volume **v,
		   uint64_t *vol_ino)
{
	struct apfs_fs *sub = fs;
	int ret = 0;

	*vol_ino = ino;
	if (fs->grp)
		ret = grp_at(fs, ino, &sub, vol_ino, NULL);
	*v = ret ? NULL : sub->v;
	return ret;
}

/* ---- walks -------------------------------------------------------------- */

/* Whether System directory raw lies at or below System directory top. */
static bool grp_sys_below(struct fs_group *g, uint64_t raw, uint64_t top)
{
	for (unsigned depth = 0; depth <= GRP_MAX_DEPTH; depth++) {
		if (raw == top)
			return true;
		if (raw <= APFS_ROOT_DIR_INO_NUM || grp_sys_parent(g, raw, &raw))
			return false;
	}
	return false;
}

/**
 * apfs_fs_elsewhere - leave a directory to its own place (see fs.h)
 */
bool apfs_fs_elsewhere(struct apfs_fs *fs, uint64_t walk_root, uint64_t parent, uint64_t ino)
{
	const struct g_link *l;
	uint64_t raw, top;
	int vol, tvol;

	if (!fs->grp || grp_split(fs->grp, ino, &vol, &raw) || vol != G_DATA)
		return false;
	l = grp_link_data(fs->grp, raw);
	if (!l || parent == grp_num(G_SYS, l->sys_parent))
		return false;
	if (grp_split(fs->grp, walk_root, &tvol, &top) || tvol != G_SYS)
		return false;
	return grp_sys_below(fs->grp, l->sys_parent, top);
}

void grp_close(struct apfs_fs *fs)
{
	struct fs_group *g = fs->grp;

	fs_vol_close(g->sys);
	fs_vol_close(g->data);
	apfs_firmlinks_free(g->fl, g->nfl);
	free(g->ln);
	free(g);
	free(fs);
}
