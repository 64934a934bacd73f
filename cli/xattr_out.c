/* SPDX-License-Identifier: MIT */
/*
 * xattr_out.c - an extended attribute's value to stdout, raw or as hex:
 * for `xattr` and for `cat --fork rsrc` (the resource fork is the xattr
 * com.apple.ResourceFork).
 *
 * A value is read in pieces of XA_PIECE bytes, never whole: a stream-backed
 * xattr may be large, and its claimed size is checked against the size cap
 * first (sizecap.c), as a file's is.
 */
#include <stdlib.h>
#include <string.h>

#include "cmd_fs.h"

#define XA_PIECE (1u << 20)
#define HEX_PER_LINE 30   /* bytes a line of --hex: xxd -p's, so xxd -r -p reads it back */

/* A piece of the value, raw or as lines of hex; *col counts bytes on the hex line. */
static int xa_put(const uint8_t *p, size_t n, bool hex, size_t *col)
{
	if (!hex)
		return fwrite(p, 1, n, stdout) == n ? 0 : -EIO;
	for (size_t i = 0; i < n; i++) {
		cli_put_hex(stdout, p + i, 1);
		if (++*col == HEX_PER_LINE) {
			putchar('\n');
			*col = 0;
		}
	}
	return ferror(stdout) ? -EIO : 0;
}

/*
 * Copy the value of ino's xattr name to stdout: 0, a negative errno
 * (-ENODATA: no such attribute), or EXIT_ERROR (cap).
 */
int fs_xattr_out(const struct cli_opts *o, apfsi_fs *fs, uint64_t ino, const char *path,
		 const char *name, bool hex)
{
	struct apfsi_stat capst = { .ino = ino };
	uint64_t size = 0, off = 0;
	size_t got = 0, col = 0;
	uint8_t *buf;
	int ret = apfsi_fs_getxattr(fs, ino, name, 0, NULL, 0, &got, &size);

	/* The inode was found: not found now means no such attribute. */
	if (ret)
		return ret == APFSI_ERR_NOT_FOUND ? -ENODATA : cli_api_errno(ret);
	capst.size = size;
	if (fs_over_cap(path, &capst, fs_size_cap(o, fs)))
		return EXIT_ERROR;
	if (!(buf = malloc(XA_PIECE)))
		return -ENOMEM;
	while (!ret && off < size) {
		size_t want = size - off < XA_PIECE ? (size_t)(size - off) : XA_PIECE;
		int rd = cli_api_errno(apfsi_fs_getxattr(fs, ino, name, off, buf, want, &got, NULL));

		/* The bytes read before a failure are given too; a value that ends
		 * before its recorded size is damaged, not done. */
		ret = got ? xa_put(buf, got, hex, &col) : 0;
		if (!ret)
			ret = rd ? rd : got ? 0 : -APFS_ECORRUPT;
		off += got;
	}
	free(buf);
	if (hex && col)  /* the last line ends, a partial one too */
		putchar('\n');
	return ret;
}
