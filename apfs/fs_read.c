/* SPDX-License-Identifier: MIT */
/*
 * fs_read.c - data streams: their file extents, read by logical offset.
 * Sparse extents (phys_block_num 0) read as zeros, and bytes in no extent
 * where a stream may lack some (fs_stream_load_partial; elsewhere they are
 * records lost: fs_stream_whole);
 * extents with a crypto_id are decrypted with tweak (crypto_id + block) ×
 * (block_size / 512) per docs/apfs-format.md §5.5.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/budget.h"
#include "fs_int.h"
#include "cipher/xts.h"

/* Read at most this much per device request: large enough for speed. */
#define READ_CHUNK (2u << 20)

struct ld_ctx {
	struct apfs_fs *fs;
	struct fs_stream *s;
	bool unsorted;  /* an extent met before one at a lower offset (a leaf out of order) */
};

static int stream_corrupt(const struct apfs_fs *fs, uint64_t id, const char *why)
{
	apfs_err("%s: volume '%s': data stream %llu: %s", fs->c->label, fs->v->name,
		 (unsigned long long)id, why);
	return -APFS_ECORRUPT;
}

static int ext_push(struct ld_ctx *l, const struct fs_extent *e)
{
	struct fs_stream *s = l->s;

	if (s->n == s->cap) {
		size_t nc = s->cap ? s->cap * 2 : 16;
		struct fs_extent *ne;

		if (nc > FS_MAX_EXTENTS)
			return stream_corrupt(l->fs, s->id, "too many extents");
		if (apfs_budget_take((nc - s->cap) * sizeof(*ne), "extent map"))
			return -ENOMEM;
		ne = realloc(s->ext, nc * sizeof(*ne));
		if (!ne) {
			apfs_budget_give((nc - s->cap) * sizeof(*ne));
			return -ENOMEM;
		}
		s->ext = ne;
		s->cap = nc;
	}
	s->ext[s->n++] = *e;
	return 0;
}

static int ld_visit(const void *k, size_t kl, const void *v, size_t vl, void *arg)
{
	struct ld_ctx *l = arg;
	struct fs_extent e;
	const struct fs_extent *prev;

	if (fs_key_oid(k) != l->s->id || fs_key_type(k) != APFS_TYPE_FILE_EXTENT)
		return 1;
	if (kl < 16 || vl < sizeof(struct apfs_j_file_extent_val))
		return stream_corrupt(l->fs, l->s->id, "file extent record too short");
	e.logical = ld_le64((const uint8_t *)k + 8);
	e.len = ld_le64(v) & APFS_J_FILE_EXTENT_LEN_MASK;
	e.phys = ld_le64((const uint8_t *)v + 8);
	e.crypto_id = ld_le64((const uint8_t *)v + 16);
	prev = l->s->n ? &l->s->ext[l->s->n - 1] : NULL;
	if (e.len == 0 || e.logical > UINT64_MAX - e.len)
		return stream_corrupt(l->fs, l->s->id, "extent length out of range");
	if (prev && e.logical < prev->logical)
		l->unsorted = true;
	return ext_push(l, &e);
}

static int ext_order(const void *a, const void *b)
{
	const struct fs_extent *x = a, *y = b;

	return x->logical < y->logical ? -1 : x->logical > y->logical;
}

/*
 * A stream's extents run from 0, each where the last ended, up to its
 * size: a hole is an extent of its own (phys_block_num 0), as apfsck,
 * tested on real Macs, requires ("missing leading extents", "some extents
 * are missing").  Bytes from..to that no extent holds are records lost (a
 * leaf's record dropped read as zeros with no word, found in review), or
 * the size is wrong; not a hole.
 */
static int bytes_lost(const struct apfs_fs *fs, const struct fs_stream *s, uint64_t from,
		      uint64_t to)
{
	char why[200];

	snprintf(why, sizeof(why), "no extent holds its bytes %llu to %llu (of %llu; holes are "
		 "extents of their own): records of it are missing (or its size is wrong)",
		 (unsigned long long)from, (unsigned long long)to - 1,
		 (unsigned long long)s->size);
	return stream_corrupt(fs, s->id, why);
}

int fs_stream_whole(const struct apfs_fs *fs, const struct fs_stream *s)
{
	uint64_t end = 0;
	size_t i;

	for (i = 0; i < s->n && end < s->size; i++) {
		if (s->ext[i].logical != end)
			break;
		end = s->ext[i].logical + s->ext[i].len;
	}
	if (end >= s->size)
		return 0;
	return bytes_lost(fs, s, end, i < s->n && s->ext[i].logical < s->size ? s->ext[i].logical :
				      s->size);
}

/* The extents found in logical order (sorted if a damaged leaf's were not); no two may overlap. */
static int ext_settle(struct ld_ctx *l)
{
	struct fs_stream *s = l->s;

	if (l->unsorted)
		qsort(s->ext, s->n, sizeof(*s->ext), ext_order);
	for (size_t i = 1; i < s->n; i++)
		if (s->ext[i].logical < s->ext[i - 1].logical + s->ext[i - 1].len)
			return stream_corrupt(l->fs, s->id, "extents overlap");
	return 0;
}

/* A fext-tree record (sealed volumes): the same extent, keyed (private_id, logical_addr). */
static int fext_visit(const void *k, size_t kl, const void *v, size_t vl, void *arg)
{
	struct ld_ctx *l = arg;
	uint8_t fk[16], fv[24] = { 0 };

	if (kl < 8 || ld_le64(k) != l->s->id)
		return 1;
	/* the stream's, but short: damage, not the end of its extents */
	if (kl < 16 || vl < 16)
		return stream_corrupt(l->fs, l->s->id, "file-extent tree record too short");
	/* As a fs-tree extent record: j_key_t, logical address; no crypto_id. */
	fs_key(fk, l->s->id, APFS_TYPE_FILE_EXTENT);
	memcpy(fk + 8, (const uint8_t *)k + 8, 8);
	memcpy(fv, v, 16);
	return ld_visit(fk, sizeof(fk), fv, sizeof(fv), l);
}

/* Collect the extents of stream id (size bytes long), in logical order. */
static int stream_load(struct apfs_fs *fs, uint64_t id, uint64_t size, bool whole,
		       struct fs_stream *s)
{
	struct ld_ctx l = { .fs = fs, .s = s };
	uint8_t key[8], fk[8];
	int ret;

	memset(s, 0, sizeof(*s));
	s->id = id;
	s->size = size;
	/* an inode's private id past 60 bits would read as another stream's */
	if ((ret = fs_key_checked(fs, key, id, APFS_TYPE_FILE_EXTENT)))
		return ret;
	/* Every record of the stream's, wherever a leaf out of order holds it (a
	 * walk from the key stopped at the first other object's and left the
	 * rest of the file reading as a hole): in the file-extent tree of a
	 * sealed volume (its keys' first half), then on unsealed volumes, or a
	 * sealed one that kept this stream's extents in the fs tree after all. */
	if (fs->sealed) {
		st_le64(fk, id);
		ret = apfs_btree_find(&fs->fext, fk, sizeof(fk), true, fext_visit, &l);
	}
	if (ret >= 0 && !s->n)
		ret = apfs_btree_find(&fs->tree, key, 8, true, ld_visit, &l);
	if (ret >= 0)
		ret = ext_settle(&l);
	if (ret < 0)
		fs_stream_free(s);
	s->strict = whole;
	return ret < 0 ? ret : 0;
}

int fs_stream_load(struct apfs_fs *fs, uint64_t id, uint64_t size, struct fs_stream *s)
{
	return stream_load(fs, id, size, true, s);
}

int fs_stream_load_partial(struct apfs_fs *fs, uint64_t id, uint64_t size, struct fs_stream *s)
{
	return stream_load(fs, id, size, false, s);
}

void fs_stream_free(struct fs_stream *s)
{
	free(s->ext);
	apfs_budget_give(s->cap * sizeof(*s->ext));
	s->ext = NULL;
	s->n = s->cap = 0;
}

/* Index of the first extent ending after pos (binary search). */
static size_t ext_find(const struct fs_stream *s, uint64_t pos)
{
	size_t lo = 0, hi = s->n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (s->ext[mid].logical + s->ext[mid].len <= pos)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/* Read n bytes at byte offset eoff inside extent e into out (eoff+n inside e). */
static int ext_read(struct apfs_fs *fs, const struct fs_extent *e, uint64_t eoff, uint8_t *out,
		    size_t n, uint8_t **bouncep)
{
	uint8_t *bounce;
	uint64_t blk = eoff / fs->bs, nblk;
	size_t skip = (size_t)(eoff % fs->bs);
	int ret;

	if (e->phys == 0) {
		memset(out, 0, n);
		return 0;
	}
	nblk = (skip + n + fs->bs - 1) / fs->bs;
	if (e->phys > UINT64_MAX - blk)
		return stream_corrupt(fs, 0, "extent block number overflows");
	/* Whole blocks go straight to the caller's buffer: no copy, and no
	 * bounce buffer at all (allocating 1 MiB per read costs page faults). */
	if (skip == 0 && n % fs->bs == 0) {
		bounce = out;
	} else {
		if (!*bouncep)
			*bouncep = malloc(READ_CHUNK);
		if (!*bouncep)
			return -ENOMEM;
		bounce = *bouncep;
	}
	ret = apfs_read_blocks(fs->c, e->phys + blk, nblk, bounce, "file data");
	if (ret)
		return ret;
	if (fs->v->xts && e->crypto_id) {
		ret = apfs_xts_decrypt(fs->v->xts, bounce, nblk * fs->bs,
				       (e->crypto_id + blk) * (fs->bs / 512));
		if (ret)
			return ret;
	}
	if (bounce != out)
		memcpy(out, bounce + skip, n);
	return 0;
}

/*
 * The bytes of e from its start whose blocks the image holds: all of a
 * sparse extent or of one wholly there, else those before its first block
 * past the end of a truncated image (or of the container, which the image
 * never passes: blocks_present <= block_count).
 */
static uint64_t ext_present(const struct apfs_fs *fs, const struct fs_extent *e)
{
	uint64_t have = fs->c->blocks_present;

	if (!e->phys || (e->phys < have && e->len / fs->bs + (e->len % fs->bs != 0) <= have - e->phys))
		return e->len;
	return e->phys < have ? (have - e->phys) * fs->bs : 0;
}

/* One piece of a read: inside an extent, or up to the next one (a hole). */
static int read_piece(struct apfs_fs *fs, const struct fs_stream *s, uint64_t pos,
		      uint8_t *out, size_t want, size_t *n, uint8_t **bounce)
{
	size_t i = ext_find(s, pos);
	const struct fs_extent *e = i < s->n ? &s->ext[i] : NULL;
	uint64_t held;

	if (want > READ_CHUNK)
		want = READ_CHUNK;
	if (!e || e->logical > pos) {
		uint64_t gap = e ? e->logical - pos : UINT64_MAX;

		/* named from where the gap begins, wherever in it this read landed */
		if (s->strict)
			return bytes_lost(fs, s, i ? s->ext[i - 1].logical + s->ext[i - 1].len : 0,
					  e && e->logical < s->size ? e->logical : s->size);
		*n = want < gap ? want : (size_t)gap;
		memset(out, 0, *n);
		return 0;
	}
	/* A read that starts inside a block goes through the bounce buffer,
	 * whole blocks of it: READ_CHUNK less the part before pos. */
	if (want > READ_CHUNK - (pos - e->logical) % fs->bs)
		want = READ_CHUNK - (size_t)((pos - e->logical) % fs->bs);
	*n = want < e->logical + e->len - pos ? want : (size_t)(e->logical + e->len - pos);
	/* a piece stops at the image's end, so that every block before it is given */
	held = ext_present(fs, e);
	if (pos - e->logical < held && *n > held - (pos - e->logical))
		*n = (size_t)(held - (pos - e->logical));
	return ext_read(fs, e, pos - e->logical, out, *n, bounce);
}

int fs_stream_read(struct apfs_fs *fs, const struct fs_stream *s, uint64_t off, void *buf,
		   size_t len, size_t *got)
{
	uint8_t *out = buf, *bounce = NULL;
	size_t done = 0;
	int ret = 0;

	*got = 0;
	if (off >= s->size)
		return 0;
	if (len > s->size - off)
		len = (size_t)(s->size - off);
	while (done < len && !ret) {
		size_t n = 0;

		ret = read_piece(fs, s, off + done, out + done, len - done, &n, &bounce);
		/* not a piece that failed: its bytes were never read (found in review:
		 * another file's, or stale buffer contents, handed out) */
		if (!ret)
			done += n;
	}
	free(bounce);
	*got = done;  /* with an error, the bytes before it */
	return ret;
}

/*
 * Where the hole from pos on ends, i the first extent ending past pos:
 * sparse extents (and, where the stream may lack extents, gaps) up to the
 * next extent with blocks; a strict stream's run ends where a gap begins.
 */
static uint64_t sparse_end(const struct fs_stream *s, size_t i, uint64_t pos)
{
	uint64_t at = pos;

	for (; i < s->n && !s->ext[i].phys; i++) {
		if (s->strict && s->ext[i].logical > at)
			break;
		at = s->ext[i].logical + s->ext[i].len;
	}
	if (s->strict)
		return at;
	return i < s->n ? s->ext[i].logical : s->size;
}

/* The run of bytes from pos on that are all data, or all hole (see fs_int.h). */
void fs_stream_span(const struct fs_stream *s, uint64_t pos, bool *hole, uint64_t *len)
{
	size_t i = ext_find(s, pos);
	uint64_t end;

	bool in = i < s->n && s->ext[i].logical <= pos;

	*hole = true;
	*len = 0;
	if (pos >= s->size)
		return;
	if (in && s->ext[i].phys) {
		*hole = false;
		end = s->ext[i].logical + s->ext[i].len;
	} else if (!in && s->strict) {
		/* bytes no extent holds: lost, not a hole (a read of them fails, named) */
		*hole = false;
		end = i < s->n ? s->ext[i].logical : s->size;
	} else {
		end = sparse_end(s, i, pos);
	}
	*len = (end < s->size ? end : s->size) - pos;
}

/* Bytes of the stream that lie in extents with blocks, up to its size. */
uint64_t fs_stream_held(const struct fs_stream *s)
{
	uint64_t held = 0;

	for (size_t i = 0; i < s->n && s->ext[i].logical < s->size; i++) {
		uint64_t end = s->ext[i].logical + s->ext[i].len;

		if (s->ext[i].phys)
			held += (end < s->size ? end : s->size) - s->ext[i].logical;
	}
	return held;
}

/*
 * Bytes below the size in no extent of a stream that may lack extents
 * (fs_stream_load_partial): they read as a hole.  0 for a strict stream,
 * whose such bytes fail a read.  Extents are in order and apart (ext_settle).
 */
uint64_t fs_stream_unstored(const struct fs_stream *s)
{
	uint64_t end = 0, gap = 0;

	if (s->strict)
		return 0;
	for (size_t i = 0; i < s->n && s->ext[i].logical < s->size; i++) {
		const struct fs_extent *e = &s->ext[i];

		gap += e->logical > end ? e->logical - end : 0;
		end = e->len < s->size - e->logical ? e->logical + e->len : s->size;
	}
	return gap + (s->size - end);
}

/*
 * A read from 0 fails at the first bytes no extent holds (a strict stream)
 * or at the first block of an extent past the end of a truncated image or
 * the container: every byte before it is given (read_piece stops a piece
 * there), so that is what this says.
 */
uint64_t fs_stream_readable(const struct apfs_fs *fs, const struct fs_stream *s)
{
	uint64_t end = 0;

	for (size_t i = 0; i < s->n && s->ext[i].logical < s->size; i++) {
		const struct fs_extent *e = &s->ext[i];
		uint64_t below = e->len < s->size - e->logical ? e->len : s->size - e->logical;
		uint64_t held = ext_present(fs, e);

		if (s->strict && e->logical > end)
			return end;
		if (held < below)
			return e->logical + held;
		end = e->logical + e->len;
	}
	return s->strict && end < s->size ? end : s->size;
}

/*
 * The runs of one stream with blocks, clipped to its size; holes and sparse
 * extents skipped.  Bytes in no extent (records lost) have no run: every
 * run there is given, then -APFS_EINCOMPLETE (named).
 */
int fs_stream_runs(const struct apfs_fs *fs, const struct fs_stream *s, apfs_run_fn fn,
		   void *ctx)
{
	for (size_t i = 0; i < s->n && s->ext[i].logical < s->size; i++) {
		const struct fs_extent *e = &s->ext[i];
		struct apfs_byte_run r = { .file_offset = e->logical };
		uint64_t end = e->logical + e->len;
		int ret;

		if (!e->phys)
			continue;
		/* Block numbers from the image: a run past 2^64 bytes is no run. */
		if (e->phys > (UINT64_MAX - fs->c->offset) / fs->bs)
			return -APFS_ECORRUPT;
		r.len = (end < s->size ? end : s->size) - e->logical;
		r.fs_offset = e->phys * fs->bs;
		r.img_offset = fs->c->offset + r.fs_offset;
		r.encrypted = fs->v->xts && e->crypto_id;
		if ((ret = fn(&r, ctx)))
			return ret;
	}
	return s->strict && fs_stream_whole(fs, s) ? -APFS_EINCOMPLETE : 0;
}
