/* SPDX-License-Identifier: MIT */
/*
 * file.c - apfsi_file: a regular file's data (decompressed, decrypted), or
 * its resource fork as stored (the xattr com.apple.ResourceFork), read at
 * any offset from any thread.
 */
#include <stdlib.h>
#include <string.h>

#include "fs_int.h"

static int file_fail(int ret, uint64_t ino)
{
	int code = apfsi_code(ret);

	return apfsi_fail(code, "inode %llu: %s", (unsigned long long)ino, apfsi_strerror(code));
}

int apfsi_file_open(apfsi_fs *fs, uint64_t ino, apfsi_file **out)
{
	struct apfsi_file *f;
	int ret;

	apfsi_enter();
	if ((ret = apfsi_fs_check(fs, "apfsi_file_open")))
		return ret;
	if (!out)
		return apfsi_fail(APFSI_ERR_INVALID, "apfsi_file_open: out is required");
	*out = NULL;
	if (!(f = calloc(1, sizeof(*f))))
		return apfsi_fail(APFSI_ERR_NOMEM, "out of memory");
	ret = apfs_file_open(fs->fs, ino, &f->f);
	if (ret) {
		free(f);
		return file_fail(ret, ino);
	}
	f->fs = fs, f->ino = ino;
	f->size = apfs_file_size(f->f);
	*out = f;
	return APFSI_OK;
}

int apfsi_file_open_fork(apfsi_fs *fs, uint64_t ino, const char *fork, apfsi_file **out)
{
	struct apfsi_file *f;
	uint64_t size = 0;
	int ret;

	apfsi_enter();
	if ((ret = apfsi_fs_check(fs, "apfsi_file_open_fork")))
		return ret;
	if (!fork || !out)
		return apfsi_fail(APFSI_ERR_INVALID, "apfsi_file_open_fork: fork and out are "
				  "required");
	*out = NULL;
	if (strcmp(fork, "rsrc"))
		return apfsi_fail(APFSI_ERR_INVALID, "fork '%s': the one named fork is rsrc", fork);
	ret = apfs_fs_getxattr(fs->fs, ino, APFS_XATTR_RESOURCE_FORK, 0, NULL, 0, NULL, &size);
	if (ret == -ENODATA)
		return apfsi_fail(APFSI_ERR_NOT_FOUND, "inode %llu has no resource fork",
				  (unsigned long long)ino);
	if (ret)
		return file_fail(ret, ino);
	if (!(f = calloc(1, sizeof(*f))))
		return apfsi_fail(APFSI_ERR_NOMEM, "out of memory");
	f->fs = fs, f->ino = ino, f->xattr = APFS_XATTR_RESOURCE_FORK, f->size = size;
	*out = f;
	return APFSI_OK;
}

void apfsi_file_close(apfsi_file *f)
{
	if (!f)
		return;
	if (f->f)
		apfs_file_close(f->f);
	free(f);
}

uint64_t apfsi_file_size(const apfsi_file *f)
{
	return f ? f->size : 0;
}

/* A fork: the xattr's bytes, short only at its end. */
static int fork_pread(apfsi_file *f, uint64_t off, void *buf, size_t len, size_t *got)
{
	int ret;

	if (off >= f->size) {
		*got = 0;
		return 0;
	}
	ret = apfs_fs_getxattr(f->fs->fs, f->ino, f->xattr, off, buf, len, got, NULL);
	return ret == -ENODATA ? -APFS_ECORRUPT : ret;
}

int apfsi_fork_read(apfsi_file *f, uint64_t off, void *buf, size_t len, size_t *got)
{
	int ret = fork_pread(f, off, buf, len, got);

	return ret ? file_fail(ret, f->ino) : APFSI_OK;
}

/*
 * A read of APFSI_BIGREAD_MIN bytes or more of the data, in pieces that the
 * file system's helper threads read with this one (bigread.c); the error
 * of the piece nearest off, as a read in one piece would have met it.
 */
static int big_pread(apfsi_file *f, uint64_t off, void *buf, size_t len, size_t *got)
{
	char msg[1024];
	size_t n = 0;
	int ret = apfsi_bigread(&f->fs->helpers, &f->fs->helpers_lock, f->f, off, buf, len, &n,
				msg, sizeof(msg));

	if (got)
		*got = ret ? 0 : n;
	if (!ret)
		return APFSI_OK;
	apfsi_enter();  /* this thread's own message may be of a later piece */
	return msg[0] ? apfsi_fail(apfsi_code(ret), "%s", msg) : file_fail(ret, f->ino);
}

int apfsi_file_pread(apfsi_file *f, uint64_t off, void *buf, size_t len, size_t *got)
{
	size_t n = 0;
	int ret;

	apfsi_enter();
	if (!f || (!buf && len))
		return apfsi_fail(APFSI_ERR_INVALID, "apfsi_file_pread: f and buf are required");
	/* Only the bytes the file holds from off: a piece is never past its end. */
	if (f->f && off < f->size && (len < f->size - off ? len : f->size - off) >= APFSI_BIGREAD_MIN)
		return big_pread(f, off, buf, len < f->size - off ? len : (size_t)(f->size - off),
				 got);
	ret = f->f ? apfs_file_read(f->f, off, buf, len, &n) : fork_pread(f, off, buf, len, &n);
	if (got)
		*got = ret ? 0 : n;
	return ret ? file_fail(ret, f->ino) : APFSI_OK;
}
