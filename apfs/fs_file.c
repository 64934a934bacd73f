/* SPDX-License-Identifier: MIT */
/*
 * fs_file.c - open files: a plain data stream, or a decmpfs-compressed file
 * decoded chunk by chunk.  A handle is safe to read from several threads.
 */
#include <stdlib.h>
#include <sys/stat.h>

#include "fs_int.h"

struct apfs_file {
	struct apfs_fs *fs;
	uint64_t size;
	struct fs_stream stream;    /* plain files */
	struct fs_decmpfs *dec;     /* compressed files */
};

/*
 * Bytes in no extent read as a hole where the stream may lack extents (a
 * dataless file's; an orphan's, whose link count is 0: only then is the
 * private directory asked); else they are lost.
 */
static int open_plain(struct apfs_file *f, const struct fs_inode *in)
{
	uint64_t id = get_le64(in->raw.private_id);

	if (!in->has_dstream) {
		f->size = 0;
		return 0;
	}
	f->size = get_le64(in->dstream.size);
	if ((get_le32(in->raw.bsd_flags) & APFS_SF_DATALESS) ||
	    (get_le32(in->raw.nchildren_or_nlink) == 0 && fs_orphan(f->fs, in->ino)))
		return fs_stream_load_partial(f->fs, id, f->size, &f->stream);
	return fs_stream_load(f->fs, id, f->size, &f->stream);
}

/*
 * UF_COMPRESSED without com.apple.decmpfs: a record lost (apfsck "missing
 * decmpfs xattr"), named (fs_xattr_absent).  macOS then reads the data
 * stream as it is (xnu decmpfs_file_is_compressed: "failed to get the xattr
 * so the file is not compressed"), and so do we where there is one; a
 * compressed file has none, and an empty read would pass for its bytes
 * (found testing: zlib-xattr.txt read as 0 bytes, exit 0): damage.
 */
static int decmpfs_lost(struct apfs_file *f, const struct fs_inode *in)
{
	int ret = fs_xattr_absent(f->fs, in->ino, APFS_XATTR_DECMPFS);

	return in->has_dstream ? open_plain(f, in) : ret;
}

/**
 * fs_vol_file_open - prepare to read a regular file (see fs.h)
 */
int fs_vol_file_open(struct apfs_fs *fs, uint64_t ino, struct apfs_file **out)
{
	struct apfs_file *f;
	struct fs_inode in;
	uint16_t mode;
	int ret = fs_inode_get(fs, ino, &in);

	if (ret)
		return ret;
	mode = get_le16(in.raw.mode);
	if (S_ISDIR(mode))
		return -EISDIR;
	f = calloc(1, sizeof(*f));
	if (!f)
		return -ENOMEM;
	f->fs = fs;
	if ((get_le32(in.raw.bsd_flags) & APFS_UF_COMPRESSED) && S_ISREG(mode)) {
		ret = fs_decmpfs_open(fs, ino, &f->dec);
		if (!ret)
			f->size = fs_decmpfs_size(f->dec);
		if (ret == -ENODATA)
			ret = decmpfs_lost(f, &in);
	} else {
		ret = open_plain(f, &in);
	}
	if (ret) {
		apfs_file_close(f);
		return ret;
	}
	*out = f;
	return 0;
}

void apfs_file_close(struct apfs_file *f)
{
	if (!f)
		return;
	fs_stream_free(&f->stream);
	fs_decmpfs_close(f->dec);
	free(f);
}

uint64_t apfs_file_size(const struct apfs_file *f)
{
	return f->size;
}

/**
 * apfs_file_read - read file data at any offset (see fs.h)
 */
int apfs_file_read(struct apfs_file *f, uint64_t off, void *buf, size_t len, size_t *got)
{
	if (f->dec)
		return fs_decmpfs_read(f->dec, off, buf, len, got);
	return fs_stream_read(f->fs, &f->stream, off, buf, len, got);
}

/**
 * apfs_file_span - data or hole from off on (see fs.h)
 */
void apfs_file_span(const struct apfs_file *f, uint64_t off, bool *hole, uint64_t *len)
{
	if (f->dec) {
		*hole = false;
		*len = off < f->size ? f->size - off : 0;
		return;
	}
	fs_stream_span(&f->stream, off, hole, len);
}

/**
 * apfs_file_unstored - bytes read as a hole for want of extents (see fs.h)
 */
uint64_t apfs_file_unstored(const struct apfs_file *f)
{
	return f->dec ? 0 : fs_stream_unstored(&f->stream);
}

/**
 * apfs_file_readable - the bytes from 0 a whole read gives (see fs.h)
 */
uint64_t apfs_file_readable(const struct apfs_file *f)
{
	return f->dec ? fs_decmpfs_readable(f->dec) : fs_stream_readable(f->fs, &f->stream);
}

/**
 * apfs_file_runs - where a file's bytes lie on disk (see fs.h)
 */
int apfs_file_runs(const struct apfs_file *f, apfs_run_fn fn, void *ctx, unsigned *kind)
{
	const struct fs_stream *s = f->dec ? fs_decmpfs_stream(f->dec) : &f->stream;

	*kind = !f->dec ? APFS_RUNS_DATA : s ? APFS_RUNS_RSRC : APFS_RUNS_INLINE;
	return s ? fs_stream_runs(f->fs, s, fn, ctx) : 0;
}
