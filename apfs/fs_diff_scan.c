/* SPDX-License-Identifier: MIT */
/*
 * fs_diff_scan.c - one view's fs tree, walked once in key order, reduced to
 * what a diff compares: per inode its record's fields and name, per
 * extended attribute its size and (embedded) SHA-256, per data stream a
 * SHA-256 of its file-extent records.  Everything is bounded by the
 * records the tree really holds (the walk itself by the image's blocks).
 */
#include <stdlib.h>
#include <sys/stat.h>

#include "fs_diff_int.h"

static int scan_corrupt(const struct dscan *s, uint64_t oid, const char *why)
{
	apfs_err("%s: volume '%s': fs tree at object %llu: %s", s->fs->c->label, s->fs->v->name,
		 (unsigned long long)oid, why);
	return -APFS_ECORRUPT;
}

/* Grow an array of elem-sized entries by one (doubling). */
static void *grow(void *arr, size_t *cap, size_t n, size_t elem)
{
	size_t nc;
	void *na;

	if (n < *cap)
		return arr;
	nc = *cap ? *cap * 2 : 64;
	na = realloc(arr, nc * elem);
	if (na)
		*cap = nc;
	return na;
}

static int add_inode(struct dscan *s, uint64_t oid, const uint8_t *v, size_t vl)
{
	struct fs_inode in = { .ino = oid };
	struct dscan_ino *d, *na;
	int ret;

	if (vl < sizeof(in.raw))
		return scan_corrupt(s, oid, "inode record shorter than j_inode_val_t");
	memcpy(&in.raw, v, sizeof(in.raw));
	ret = fs_inode_xfields(s->fs, &in, v + sizeof(in.raw), vl - sizeof(in.raw));
	if (ret)
		return ret;
	if (!(na = grow(s->ino, &s->capino, s->nino, sizeof(*na))))
		return -ENOMEM;
	s->ino = na;
	d = &s->ino[s->nino];
	*d = (struct dscan_ino){
		.oid = oid, .parent = get_le64(in.raw.parent_id),
		.private_id = get_le64(in.raw.private_id),
		.times = { get_le64(in.raw.create_time), get_le64(in.raw.mod_time),
			   get_le64(in.raw.change_time), get_le64(in.raw.access_time) },
		.dsize = in.has_dstream ? get_le64(in.dstream.size) : 0,
		.usize = get_le64(in.raw.uncompressed_size),
		.nlink = get_le32(in.raw.nchildren_or_nlink), .bsd_flags = get_le32(in.raw.bsd_flags),
		.uid = get_le32(in.raw.owner), .gid = get_le32(in.raw.group),
		.mode = get_le16(in.raw.mode), .has_dstream = in.has_dstream,
		.xa = s->nxa,
	};
	if (!(d->name = strdup(in.name)))
		return -ENOMEM;
	s->nino++;
	return 0;
}

/* An attribute belongs to the inode just read (its record sorts first). */
static int add_xattr(struct dscan *s, uint64_t oid, const uint8_t *k, size_t kl,
		     const uint8_t *v, size_t vl)
{
	struct dscan_ino *owner = s->nino ? &s->ino[s->nino - 1] : NULL;
	uint16_t nl = kl >= 10 ? ld_le16(k + 8) : 0;
	struct dscan_xattr *x, *na;
	struct fs_xattr fx;
	unsigned int mdlen;
	int ret;

	if (!owner || owner->oid != oid)
		return 0;  /* an attribute of no inode: nothing to compare it with */
	if (nl == 0 || nl != kl - 10 || k[kl - 1] != '\0')
		return scan_corrupt(s, oid, "xattr name length disagrees with its key");
	if ((ret = fs_xattr_parse(s->fs, oid, v, vl, &fx)))
		return ret;
	if (!(na = grow(s->xa, &s->capxa, s->nxa, sizeof(*na)))) {
		fs_xattr_free(&fx);
		return -ENOMEM;
	}
	s->xa = na;
	x = &s->xa[s->nxa];
	*x = (struct dscan_xattr){ .size = fx.size, .stream_id = fx.data ? 0 : fx.stream_id };
	ret = fx.data && EVP_Digest(fx.data, fx.size, x->sha, &mdlen, EVP_sha256(), NULL) != 1 ?
		      -ENOMEM : 0;
	fs_xattr_free(&fx);
	if (!ret && !(x->name = strdup((const char *)k + 10)))
		ret = -ENOMEM;
	if (ret)
		return ret;
	s->nxa++;
	owner->nxa++;
	return 0;
}

/*
 * A sibling link (one name of a hard-linked file): key (oid, sibling id),
 * value (parent id, name length, name), chained into its inode's digest.
 */
static int add_sibling(struct dscan *s, uint64_t oid, const uint8_t *k, size_t kl,
		       const uint8_t *v, size_t vl)
{
	struct dscan_ino *owner = s->nino ? &s->ino[s->nino - 1] : NULL;
	uint8_t buf[32 + 8 + 10 + APFS_NAME_MAX];
	unsigned int mdlen;
	uint16_t nl = vl >= 10 ? ld_le16(v + 8) : 0;

	if (!owner || owner->oid != oid)
		return 0;
	/* As the reader takes it (fs_dir.c): the name may end before the value does. */
	if (kl != 16 || nl == 0 || nl > vl - 10 || nl > APFS_NAME_MAX)
		return scan_corrupt(s, oid, "sibling-link name outside its record");
	memcpy(buf, owner->sib, 32);
	memcpy(buf + 32, k + 8, 8);
	memcpy(buf + 40, v, 10 + (size_t)nl);
	owner->nsib++;
	return EVP_Digest(buf, 50 + (size_t)nl, owner->sib, &mdlen, EVP_sha256(), NULL) == 1 ?
		       0 : -ENOMEM;
}

/*
 * The directories that hold entries and have no inode record on disk:
 * ROOT_DIR_PARENT (the root's and the private directory's entries) and
 * the purgeable directory (a second entry of each purgeable file; apfsck
 * dir.c exempts both; found in review: a purgeable entry named as damage).
 */
static bool dir_without_inode(uint64_t oid)
{
	return oid == APFS_ROOT_DIR_PARENT || oid == APFS_PURGEABLE_DIR_INO_NUM;
}

/*
 * An entry of a directory whose inode record the tree does not hold: a gap,
 * and the directory kept (once, in key order) for fs_diff_lost.c.
 */
static int no_dir(struct dscan *s, uint64_t dir)
{
	uint64_t *na;

	if (!s->gaps.no_dir++)
		s->gaps.no_dir_ino = dir;
	if (s->nnodir && s->nodir[s->nnodir - 1] == dir)
		return 0;
	if (!(na = grow(s->nodir, &s->capnodir, s->nnodir, sizeof(*na))))
		return -ENOMEM;
	s->nodir = na;
	s->nodir[s->nnodir++] = dir;
	return 0;
}

/*
 * A directory entry: its child and date added, matched to the inode after
 * the walk; counted to its directory, whose inode record sorts just before.
 */
static int add_drec(struct dscan *s, const uint8_t *k, size_t kl, const uint8_t *v, size_t vl)
{
	struct dscan_ino *owner = s->nino ? &s->ino[s->nino - 1] : NULL;
	struct dscan_drec *na;
	struct drec d;
	int ret = fs_drec_parse(s->fs, k, kl, v, vl, &d);

	if (ret)
		return ret;
	if (owner && owner->oid == fs_key_oid(k))
		owner->nent++;
	else if (!dir_without_inode(fs_key_oid(k)) && (ret = no_dir(s, fs_key_oid(k))))
		return ret;
	if (!(na = grow(s->de, &s->capde, s->nde, sizeof(*na))))
		return -ENOMEM;
	s->de = na;
	s->de[s->nde++] = (struct dscan_drec){ d.ino, fs_key_oid(k), d.added };
	return 0;
}

/* The inode numbered oid (the array is in key order), or NULL. */
struct dscan_ino *dscan_ino_find(const struct dscan *s, uint64_t oid)
{
	size_t lo = 0, hi = s->nino;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (s->ino[mid].oid == oid)
			return &s->ino[mid];
		if (s->ino[mid].oid < oid)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

static int drec_child_cmp(const void *x, const void *y)
{
	const struct dscan_drec *a = x, *b = y;

	return (a->child > b->child) - (a->child < b->child);
}

void dscan_unheld_keep(struct dscan *s, size_t n)
{
	struct dscan_drec *kept = n ? realloc(s->de, n * sizeof(*s->de)) : NULL;

	/* not kept at all where memory is short: then no inode is marked for it */
	if (!kept)
		free(s->de);
	else
		qsort(kept, n, sizeof(*kept), drec_child_cmp);
	s->unheld = kept;
	s->nunheld = kept ? n : 0;
	s->de = NULL;
	s->nde = s->capde = 0;
}

bool dscan_unheld(const struct dscan *s, uint64_t oid)
{
	struct dscan_drec k = { .child = oid };

	return s->nunheld && bsearch(&k, s->unheld, s->nunheld, sizeof(k), drec_child_cmp);
}

/*
 * Each inode's date added: from the entry in its own parent (a hard link's
 * other names may keep other dates), else its first entry.  Entries are
 * keyed by parent and inodes by their own id, so an entry may come before
 * its inode: they are matched once the walk is done (a binary search
 * each: sorting them cost more, measured).
 */
static void attach_added(struct dscan *s)
{
	size_t n = 0;

	for (size_t k = 0; k < s->nde; k++) {
		struct dscan_ino *in = dscan_ino_find(s, s->de[k].child);

		if (in)
			in->named = true;
		/* a file unlinked while open: its entry moves there, its parent_id stays */
		if (in && s->de[k].parent == APFS_PRIV_DIR_INO_NUM)
			in->orphan = true;
		if (in && (s->de[k].parent == in->parent || !in->added))
			in->added = s->de[k].added;
		else if (!in && !s->gaps.no_child++) {
			s->gaps.no_child_ino = s->de[k].child;
			s->gaps.no_child_dir = s->de[k].parent;
		}
		if (!in)
			s->de[n++] = s->de[k];  /* kept: the inode's record may be lost */
	}
	dscan_unheld_keep(s, n);
}

static int stream_close(struct dscan *s)
{
	unsigned int len;

	if (!s->nst || !s->md)
		return 0;
	return EVP_DigestFinal_ex(s->md, s->st[s->nst - 1].dig, &len) == 1 ? 0 : -ENOMEM;
}

/*
 * One file-extent record of stream id (logical address and value, as read:
 * the value of either form begins with len_and_flags).  A stream's extents
 * run without a gap, holes as extents of their own, from 0 but for an
 * orphan's (apfsck extents.c: "missing leading extents", "some extents are
 * missing"; every stream's next extent where the last ended).
 */
static int add_extent(struct dscan *s, uint64_t id, const uint8_t *rec, size_t len)
{
	uint64_t at = ld_le64(rec), n = ld_le64(rec + 8) & APFS_J_FILE_EXTENT_LEN_MASK;
	struct dscan_stream *na, *st;
	int ret;

	if (!s->nst || s->st[s->nst - 1].id != id) {
		if (s->nst && s->st[s->nst - 1].id > id)
			return scan_corrupt(s, id, "file extents out of key order");
		if ((ret = stream_close(s)))
			return ret;
		if (!(na = grow(s->st, &s->capst, s->nst, sizeof(*na))))
			return -ENOMEM;
		s->st = na;
		s->st[s->nst++] = (struct dscan_stream){ .id = id, .start = at, .end = at };
		if (EVP_DigestInit_ex(s->md, EVP_sha256(), NULL) != 1)
			return -ENOMEM;
	}
	st = &s->st[s->nst - 1];
	st->gap |= at != st->end;
	st->end = at + n < at ? UINT64_MAX : at + n;
	st->nrec++;
	return EVP_DigestUpdate(s->md, rec, len) == 1 ? 0 : -ENOMEM;
}

/* A file extent of the fs tree: key (oid, logical), value (len, block, crypto id). */
static int fs_extent(struct dscan *s, uint64_t oid, const uint8_t *k, size_t kl,
		     const uint8_t *v, size_t vl)
{
	uint8_t rec[8 + sizeof(struct apfs_j_file_extent_val)];

	if (kl != 16 || vl != sizeof(struct apfs_j_file_extent_val))
		return scan_corrupt(s, oid, "file-extent record of the wrong size");
	memcpy(rec, k + 8, 8);
	memcpy(rec + 8, v, vl);
	return add_extent(s, oid, rec, sizeof(rec));
}

static int scan_visit(const void *k, size_t kl, const void *v, size_t vl, void *arg)
{
	struct dscan *s = arg;
	uint64_t oid;
	unsigned type;

	if (kl < 8)
		return scan_corrupt(s, 0, "a record key shorter than j_key_t");
	oid = fs_key_oid(k);
	type = fs_key_type(k);
	/* The merge relies on the order; a tree that breaks it is damaged. */
	if (oid < s->last_oid || (oid == s->last_oid && type < s->last_type))
		return scan_corrupt(s, oid, "records out of key order");
	if (oid == s->last_oid && type == s->last_type && type == APFS_TYPE_INODE)
		return scan_corrupt(s, oid, "two inode records");
	s->last_oid = oid;
	s->last_type = type;
	switch (type) {
	case APFS_TYPE_INODE: return add_inode(s, oid, v, vl);
	case APFS_TYPE_XATTR: return add_xattr(s, oid, k, kl, v, vl);
	case APFS_TYPE_SIBLING_LINK: return add_sibling(s, oid, k, kl, v, vl);
	case APFS_TYPE_DIR_REC: return add_drec(s, k, kl, v, vl);
	case APFS_TYPE_FILE_EXTENT: return s->fs->sealed ? 0 : fs_extent(s, oid, k, kl, v, vl);
	default: return 0;
	}
}

/* A sealed volume's fext tree: key (private_id, logical), value (len, block). */
static int fext_visit(const void *k, size_t kl, const void *v, size_t vl, void *arg)
{
	struct dscan *s = arg;
	uint8_t rec[24];

	if (kl != 16 || vl != 16)
		return scan_corrupt(s, 0, "fext-tree record of the wrong size");
	memcpy(rec, (const uint8_t *)k + 8, 8);
	memcpy(rec + 8, v, 16);
	return add_extent(s, ld_le64(k), rec, sizeof(rec));
}

/*
 * A directory's inode counts its entries: fewer held is a gap.  A count of
 * 0 or less says nothing (fsck_apfs has met -1); a file's is its links.
 */
bool dscan_dir_short(const struct dscan_ino *d)
{
	int32_t counted = (int32_t)d->nlink;

	return S_ISDIR(d->mode) && counted > 0 && d->nent < (uint64_t)counted;
}

static void dir_counted(struct dscan *s, const struct dscan_ino *d)
{
	if (dscan_dir_short(d) && !s->gaps.short_dirs++) {
		s->gaps.short_dir = d->oid;
		s->gaps.short_counted = d->nlink;
		s->gaps.short_held = d->nent;
	}
}

static void stream_short(struct dscan *s, uint64_t id)
{
	if (!s->gaps.short_streams++)
		s->gaps.short_stream = id;
}

/*
 * A file's names and data held to what its inode says: a link count past
 * one is as many sibling-link records (apfsck inode.c, "link count
 * inconsistent with sibling records"); its data stream's extents reach its
 * size.  Not an orphan's (in the private directory: it may have lost its
 * extents and links, apfsck), nor a dataless file's (its data is elsewhere).
 */
static void file_held(struct dscan *s, struct dscan_ino *f)
{
	const struct dscan_stream *st;

	f->may_lack = f->orphan || (f->bsd_flags & APFS_SF_DATALESS);
	f->few_links = !f->may_lack && (int32_t)f->nlink > 1 && f->nsib < f->nlink;
	if (f->few_links && !s->gaps.short_links++)
		s->gaps.short_links_ino = f->oid;
	if (!f->has_dstream || !f->dsize)
		return;
	st = dscan_stream(s, f->private_id);
	/* lacking, it is judged by its records, not read; a gap only where it may not lack */
	f->lacks = !st || st->start || st->gap || st->end < f->dsize;
	if (f->lacks && !f->may_lack && (!st || !st->gap))  /* a gap: counted below */
		stream_short(s, f->private_id);
}

/*
 * Each inode held to what a sound tree holds of it: an entry that names it
 * (apfsck, "inode with no dentries"), a directory's entries as many as its
 * inode counts (nchildren, as fsck_apfs checks; a count of 0 or less says
 * nothing: fsck_apfs has met -1), a file's links and extents (file_held);
 * then every stream's extents without a gap (an orphan's too, apfsck).
 */
static void inodes_held(struct dscan *s)
{
	for (size_t i = 0; i < s->nino; i++) {
		struct dscan_ino *in = &s->ino[i];

		if (!in->named && !s->gaps.unnamed++)
			s->gaps.unnamed_ino = in->oid;
		if (S_ISDIR(in->mode))
			dir_counted(s, in);
		else
			file_held(s, in);
	}
	for (size_t i = 0; i < s->nst; i++)
		if (s->st[i].gap)
			stream_short(s, s->st[i].id);
}

static const char *plural(uint64_t n, const char *one, const char *many)
{
	return n == 1 ? one : many;
}

/*
 * Name what attach_added and inodes_held found missing.  A tree whose
 * index node lost a child stays in order and in range: the walk meets no
 * damage, and a diff would name the records the child held as removed or
 * added (found in review: 3,207 files "D" where one child of the live
 * tree's root was dropped).
 */
static void scan_gaps(const struct dscan *s, const char *view)
{
	const struct dscan_gaps *g = &s->gaps;
	const char *c = s->fs->c->label, *v = s->fs->v->name;

	if (g->short_dirs)
		apfs_err("%s: volume '%s': the view %s: directory %llu: its inode counts %llu "
			 "entries, the tree holds %llu (%llu director%s short): records may be "
			 "missing (or a count is wrong)", c, v, view,
			 (unsigned long long)g->short_dir, (unsigned long long)g->short_counted,
			 (unsigned long long)g->short_held, (unsigned long long)g->short_dirs,
			 plural(g->short_dirs, "y", "ies"));
	if (g->no_child)
		apfs_err("%s: volume '%s': the view %s: %llu director%s name%s an inode the tree "
			 "does not hold (the first: inode %llu in directory %llu): records may be "
			 "missing", c, v, view, (unsigned long long)g->no_child,
			 plural(g->no_child, "y entry", "y entries"), plural(g->no_child, "s", ""),
			 (unsigned long long)g->no_child_ino, (unsigned long long)g->no_child_dir);
	if (g->unnamed)
		apfs_err("%s: volume '%s': the view %s: %llu inode%s no directory entry names "
			 "(the first: inode %llu): records may be missing", c, v, view,
			 (unsigned long long)g->unnamed, plural(g->unnamed, "", "s"),
			 (unsigned long long)g->unnamed_ino);
	if (g->short_links)
		apfs_err("%s: volume '%s': the view %s: %llu file%s with hard links: fewer "
			 "sibling-link records than links (the first: inode %llu): records may be "
			 "missing", c, v, view, (unsigned long long)g->short_links,
			 plural(g->short_links, "", "s"), (unsigned long long)g->short_links_ino);
	if (g->short_streams)
		apfs_err("%s: volume '%s': the view %s: %llu data stream%s lack%s extents "
			 "between 0 and the size (the first: stream %llu): records may be missing",
			 c, v, view, (unsigned long long)g->short_streams,
			 plural(g->short_streams, "", "s"), plural(g->short_streams, "s", ""),
			 (unsigned long long)g->short_stream);
	if (g->no_dir)
		apfs_err("%s: volume '%s': the view %s: %llu director%s of a directory whose "
			 "inode the tree does not hold (the first: directory %llu): records may "
			 "be missing", c, v, view, (unsigned long long)g->no_dir,
			 plural(g->no_dir, "y entry is", "y entries are"),
			 (unsigned long long)g->no_dir_ino);
}

bool dscan_gapped(const struct dscan *s)
{
	const struct dscan_gaps *g = &s->gaps;

	return g->short_dirs || g->no_child || g->no_dir || g->unnamed || g->short_links ||
	       g->short_streams;
}

int dscan_build(struct apfs_fs *fs, const char *view, struct dscan *s)
{
	int ret;

	memset(s, 0, sizeof(*s));
	s->fs = fs;
	if (!(s->md = EVP_MD_CTX_new()))
		return -ENOMEM;
	ret = apfs_btree_iterate(&fs->tree, NULL, 0, scan_visit, s);
	if (!ret && fs->sealed)
		ret = apfs_btree_iterate(&fs->fext, NULL, 0, fext_visit, s);
	if (!ret)
		ret = stream_close(s);
	if (ret)
		return ret;
	attach_added(s);
	inodes_held(s);
	scan_gaps(s, view);
	return 0;
}

void dscan_free(struct dscan *s)
{
	for (size_t i = 0; i < s->nino; i++)
		free(s->ino[i].name);
	for (size_t i = 0; i < s->nxa; i++)
		free(s->xa[i].name);
	free(s->ino);
	free(s->xa);
	free(s->st);
	free(s->de);
	free(s->unheld);
	free(s->nodir);
	EVP_MD_CTX_free(s->md);
	memset(s, 0, sizeof(*s));
}

const struct dscan_stream *dscan_stream(const struct dscan *s, uint64_t id)
{
	size_t lo = 0, hi = s->nst;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (s->st[mid].id == id)
			return &s->st[mid];
		if (s->st[mid].id < id)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}
