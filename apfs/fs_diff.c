/* SPDX-License-Identifier: MIT */
/*
 * fs_diff.c - two views' summaries (fs_diff_scan.c) merged by inode
 * number: inodes only one view holds are added or removed; of those both
 * hold, the fields, content and attributes that differ (see fs_diff.h).
 */
#include <stdlib.h>
#include <sys/stat.h>

#include "fs_diff_int.h"

static const char *const field_names[APFS_DIFF_NFIELDS] = {
	"path", "type", "mode", "uid", "gid", "flags", "nlink", "links", "size",
	"created", "modified", "changed", "accessed", "added", "content", "xattrs",
};

const char *apfs_diff_field_name(enum apfs_diff_field f)
{
	return (unsigned)f < APFS_DIFF_NFIELDS ? field_names[f] : "?";
}

struct diff_run {
	struct apfs_fs *a, *b;
	struct dscan sa, sb;
	uint64_t cap;
	apfs_diff_fn fn;
	void *ctx;
	struct apfs_diff_xattr *xc;  /* the attribute changes of the inode at hand */
	size_t nxc, capxc;
};

static int xa_cmp(const void *x, const void *y)
{
	return strcmp(((const struct dscan_xattr *)x)->name, ((const struct dscan_xattr *)y)->name);
}

/* Each inode's attributes by name (bytewise), for the merge and bsearch. */
static void sort_xattrs(struct dscan *s)
{
	for (size_t i = 0; i < s->nino; i++)
		if (s->ino[i].nxa > 1)
			qsort(s->xa + s->ino[i].xa, s->ino[i].nxa, sizeof(*s->xa), xa_cmp);
}

static int xa_name_cmp(const void *name, const void *x)
{
	return strcmp(name, ((const struct dscan_xattr *)x)->name);
}

static const struct dscan_xattr *xa_find(const struct dscan *s, const struct dscan_ino *in,
					 const char *name)
{
	return in->nxa ? bsearch(name, s->xa + in->xa, in->nxa, sizeof(*s->xa), xa_name_cmp) :
			 NULL;
}

static bool compressed(const struct dscan_ino *in)
{
	return (in->bsd_flags & APFS_UF_COMPRESSED) != 0;
}

/* The attributes that are a file's content, not attributes of it. */
static bool content_xattr(const char *name, bool cmp)
{
	return !strcmp(name, APFS_XATTR_DECMPFS) || !strcmp(name, APFS_XATTR_SYMLINK) ||
	       (cmp && !strcmp(name, APFS_XATTR_RESOURCE_FORK));
}

/* The same extents (or both none): the same bytes, as APFS never rewrites in place. */
static bool streams_same(const struct diff_run *r, uint64_t ida, uint64_t idb)
{
	const struct dscan_stream *sa = dscan_stream(&r->sa, ida), *sb = dscan_stream(&r->sb, idb);

	if (!sa || !sb)
		return !sa && !sb;
	return sa->nrec == sb->nrec && !memcmp(sa->dig, sb->dig, sizeof(sa->dig));
}

/* Whether two values of an attribute are the same (read only when the records differ). */
static int xattr_same(const struct diff_run *r, const struct dscan_xattr *xa,
		      const struct dscan_xattr *xb, bool *same)
{
	uint8_t ha[32], hb[32];
	int ret;

	*same = false;
	if (!xa || !xb) {
		*same = !xa && !xb;
		return 0;
	}
	if (xa->size != xb->size)
		return 0;
	if (!xa->stream_id && !xb->stream_id) {
		*same = !memcmp(xa->sha, xb->sha, 32);
		return 0;
	}
	if (xa->stream_id && xb->stream_id && streams_same(r, xa->stream_id, xb->stream_id)) {
		*same = true;
		return 0;
	}
	if (r->cap && xa->size > r->cap)
		return 0;
	ret = diff_xattr_sha(r->a, xa, ha);
	if (!ret)
		ret = diff_xattr_sha(r->b, xb, hb);
	*same = !ret && !memcmp(ha, hb, 32);
	return ret;
}

/* The records that hold a file's content agree in both views. */
static int content_records_same(const struct diff_run *r, const struct dscan_ino *ia,
				const struct dscan_ino *ib, bool *same)
{
	static const char *const names[] = { APFS_XATTR_DECMPFS, APFS_XATTR_SYMLINK,
					      APFS_XATTR_RESOURCE_FORK };
	bool cmp = compressed(ia) || compressed(ib);
	int ret = 0;

	*same = ia->has_dstream == ib->has_dstream && ia->dsize == ib->dsize &&
		(!ia->has_dstream || streams_same(r, ia->private_id, ib->private_id));
	for (size_t i = 0; *same && !ret && i < sizeof(names) / sizeof(names[0]); i++)
		if (content_xattr(names[i], cmp))
			ret = xattr_same(r, xa_find(&r->sa, ia, names[i]),
					 xa_find(&r->sb, ib, names[i]), same);
	return ret;
}

/* Content of regular files and symlinks: records first, bytes where they differ. */
static int content_diff(const struct diff_run *r, const struct dscan_ino *ia,
			const struct dscan_ino *ib, bool *differ, bool *by_extents)
{
	uint64_t size = compressed(ib) ? ib->usize : ib->dsize;
	bool same;
	int ret;

	*differ = *by_extents = false;
	if (!S_ISREG(ia->mode) && !S_ISLNK(ia->mode))
		return 0;
	ret = content_records_same(r, ia, ib, &same);
	if (ret || same)
		return ret;
	if (S_ISLNK(ia->mode) || (!compressed(ia) && !compressed(ib) && ia->dsize != ib->dsize)) {
		*differ = true;
		return 0;
	}
	/* beyond the cap, or a stream that lacks extents (named: its bytes would fail) */
	if ((r->cap && size > r->cap) || ia->lacks || ib->lacks) {
		*differ = *by_extents = true;
		return 0;
	}
	return diff_file_bytes(r->a, r->b, ia->oid, r->cap, differ, by_extents);
}

static uint32_t meta_diff(const struct dscan_ino *a, const struct dscan_ino *b)
{
	uint32_t w = 0;

	w |= (uint32_t)(a->parent != b->parent || strcmp(a->name, b->name)) << APFS_DIFF_PATH;
	w |= (uint32_t)((a->mode & S_IFMT) != (b->mode & S_IFMT)) << APFS_DIFF_TYPE;
	w |= (uint32_t)((a->mode & 07777) != (b->mode & 07777)) << APFS_DIFF_MODE;
	w |= (uint32_t)(a->uid != b->uid) << APFS_DIFF_UID;
	w |= (uint32_t)(a->gid != b->gid) << APFS_DIFF_GID;
	w |= (uint32_t)(a->bsd_flags != b->bsd_flags) << APFS_DIFF_FLAGS;
	w |= (uint32_t)(a->nlink != b->nlink) << APFS_DIFF_NLINK;
	w |= (uint32_t)(a->nsib != b->nsib || memcmp(a->sib, b->sib, 32)) << APFS_DIFF_LINKS;
	w |= (uint32_t)(a->dsize != b->dsize ||
			(compressed(a) && compressed(b) && a->usize != b->usize)) << APFS_DIFF_SIZE;
	for (int i = 0; i < 4; i++)
		w |= (uint32_t)(a->times[i] != b->times[i]) << (APFS_DIFF_CRTIME + i);
	w |= (uint32_t)(a->added != b->added) << APFS_DIFF_ADDED;
	return w;
}

/* Embedded values are hashed already; a stream is read only up to the cap. */
static bool within(const struct diff_run *r, const struct dscan_xattr *x)
{
	return !x->stream_id || !r->cap || x->size <= r->cap;
}

static int xc_add(struct diff_run *r, char kind, const struct dscan_xattr *xa,
		  const struct dscan_xattr *xb)
{
	struct apfs_diff_xattr *c;
	int ret = 0;

	if (r->nxc == r->capxc) {
		size_t nc = r->capxc ? r->capxc * 2 : 8;
		struct apfs_diff_xattr *n = realloc(r->xc, nc * sizeof(*n));

		if (!n)
			return -ENOMEM;
		r->xc = n;
		r->capxc = nc;
	}
	c = &r->xc[r->nxc];
	*c = (struct apfs_diff_xattr){ .kind = kind, .name = xa ? xa->name : xb->name };
	if (xa && (c->size_a = xa->size, within(r, xa)))
		c->hashed_a = !(ret = diff_xattr_sha(r->a, xa, c->sha_a));
	if (!ret && xb && (c->size_b = xb->size, within(r, xb)))
		c->hashed_b = !(ret = diff_xattr_sha(r->b, xb, c->sha_b));
	r->nxc += !ret;
	return ret;
}

/* One attribute name in either view (content ones skipped). */
static int xattr_step(struct diff_run *r, const struct dscan_xattr *xa,
		      const struct dscan_xattr *xb, bool cmp)
{
	bool same;
	int ret;

	if (content_xattr(xa ? xa->name : xb->name, cmp))
		return 0;
	ret = xattr_same(r, xa, xb, &same);
	if (ret || same)
		return ret;
	return xc_add(r, !xa ? '+' : !xb ? '-' : '~', xa, xb);
}

/* The two sorted attribute lists merged by name. */
static int xattrs_diff(struct diff_run *r, const struct dscan_ino *ia, const struct dscan_ino *ib)
{
	/* A view without any xattr has no array at all (NULL + 0 is undefined). */
	const struct dscan_xattr *pa = ia->nxa ? r->sa.xa + ia->xa : NULL;
	const struct dscan_xattr *pb = ib->nxa ? r->sb.xa + ib->xa : NULL;
	size_t i = 0, j = 0;
	bool cmp = compressed(ia) || compressed(ib);
	int ret = 0;

	r->nxc = 0;
	while (!ret && (i < ia->nxa || j < ib->nxa)) {
		int c = i == ia->nxa ? 1 : j == ib->nxa ? -1 : strcmp(pa[i].name, pb[j].name);

		ret = xattr_step(r, c <= 0 ? &pa[i] : NULL, c >= 0 ? &pb[j] : NULL, cmp);
		i += c <= 0;
		j += c >= 0;
	}
	return ret;
}

/*
 * Its date added in s may not be its own entry's: no entry names it; or
 * it has other names, one of whose dates may stand in, and its directory
 * holds fewer entries than it counts (found in review: a hard link's own
 * entry lost, another name's date taken).
 */
static bool added_lost(const struct dscan *s, const struct dscan_ino *in)
{
	const struct dscan_ino *p;

	if (!in->named)
		return true;
	p = (int32_t)in->nlink > 1 ? dscan_ino_find(s, in->parent) : NULL;
	return p && dscan_dir_short(p);
}

/*
 * What of an inode both views hold may come of records one of them lacks,
 * each counted as that view's gap (fs_diff_scan.c): its date added where
 * its entry may be lost there, its content where its stream lacks extents,
 * its names where it has fewer sibling links than links.  The first, if any.
 */
static enum apfs_diff_lost both_lost(const struct diff_run *r, uint32_t what,
				     const struct dscan_ino *a, const struct dscan_ino *b)
{
	if ((what & (1u << APFS_DIFF_ADDED)) && (added_lost(&r->sa, a) || added_lost(&r->sb, b)))
		return APFS_DIFF_LOST_NAME;
	if ((what & (1u << APFS_DIFF_CONTENT)) && ((a->lacks && !a->may_lack) ||
						    (b->lacks && !b->may_lack)))
		return APFS_DIFF_LOST_EXTENTS;
	if ((what & (1u << APFS_DIFF_LINKS)) && (a->few_links || b->few_links))
		return APFS_DIFF_LOST_LINKS;
	return APFS_DIFF_LOST_NONE;
}

static int both(struct diff_run *r, const struct dscan_ino *ia, const struct dscan_ino *ib)
{
	struct apfs_diff d = { .kind = 'M', .ino = ia->oid, .what = meta_diff(ia, ib),
			       .added_a = ia->added, .added_b = ib->added,
			       .orphan_a = ia->orphan, .orphan_b = ib->orphan };
	bool differ = false;
	int ret = 0;

	if (!(d.what & (1u << APFS_DIFF_TYPE)))
		ret = content_diff(r, ia, ib, &differ, &d.content_by_extents);
	if (!ret)
		ret = xattrs_diff(r, ia, ib);
	if (ret)
		return ret;
	d.what |= (uint32_t)differ << APFS_DIFF_CONTENT;
	d.what |= (uint32_t)(r->nxc != 0) << APFS_DIFF_XATTR;
	d.xattrs = r->xc;
	d.nxattrs = r->nxc;
	d.lost = both_lost(r, d.what, ia, ib);
	return d.what ? r->fn(&d, r->ctx) : 0;
}

/* An inode one view holds: the other lacks it, or may have lost it. */
static int one(struct diff_run *r, char kind, struct dscan_ino *in)
{
	struct dscan *o = kind == 'D' ? &r->sb : &r->sa, *h = kind == 'D' ? &r->sa : &r->sb;
	struct apfs_diff d = { .kind = kind, .ino = in->oid };

	/* a view with no gap explains nothing (and asks nothing) */
	d.lost = dscan_gapped(o) ? dscan_lost_why(o, h, in) : APFS_DIFF_LOST_NONE;
	*(kind == 'D' ? &d.added_a : &d.added_b) = in->added;
	*(kind == 'D' ? &d.orphan_a : &d.orphan_b) = in->orphan;
	return r->fn(&d, r->ctx);
}

static int merge(struct diff_run *r)
{
	size_t i = 0, j = 0;
	int ret = 0;

	while (!ret && (i < r->sa.nino || j < r->sb.nino)) {
		uint64_t oa = i < r->sa.nino ? r->sa.ino[i].oid : UINT64_MAX;
		uint64_t ob = j < r->sb.nino ? r->sb.ino[j].oid : UINT64_MAX;

		if (oa < ob)
			ret = one(r, 'D', &r->sa.ino[i++]);
		else if (ob < oa)
			ret = one(r, 'A', &r->sb.ino[j++]);
		else
			ret = both(r, &r->sa.ino[i++], &r->sb.ino[j++]);
	}
	return ret;
}

int apfs_fs_diff(struct apfs_fs *a, struct apfs_fs *b, uint64_t byte_cap, apfs_diff_fn fn,
		 void *ctx)
{
	struct diff_run r = { .a = a, .b = b, .cap = byte_cap, .fn = fn, .ctx = ctx };
	int ret;

	if (apfs_fs_is_group(a) || apfs_fs_is_group(b))
		return -EINVAL;
	ret = dscan_build(a, "before", &r.sa);
	if (!ret)
		ret = dscan_build(b, "after", &r.sb);
	if (!ret) {
		sort_xattrs(&r.sa);
		sort_xattrs(&r.sb);
		ret = merge(&r);
	}
	/* every change found given: those of records missing may be false or missing */
	if (!ret && (dscan_gapped(&r.sa) || dscan_gapped(&r.sb)))
		ret = -APFS_EINCOMPLETE;
	dscan_free(&r.sa);
	dscan_free(&r.sb);
	free(r.xc);
	return ret;
}
