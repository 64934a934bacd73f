/* SPDX-License-Identifier: MIT */
/*
 * fz_diff.c - snapshot diff (apfs/fs_diff.c): both fs trees of a volume
 * scanned in key order and merged, each snapshot (up to 8) against the
 * live tree and the live tree against itself, with the byte comparisons
 * and xattr hashes that differing records call for (bounded at 1 MiB a
 * file, as --max-file-size would); a line marked as maybe coming of
 * records lost only in a run that names a gap.  Input: a sparse image (fuzz_image.c).
 */
#include <stdlib.h>

#include "apfs/fs_diff.h"
#include "tests/fuzz/fuzz.h"

struct counted {
	unsigned n, marked;
};

/* A mark of one of the kinds named, each on the lines it belongs to. */
static int count(const struct apfs_diff *d, void *ctx)
{
	struct counted *c = ctx;

	if (d->lost > APFS_DIFF_LOST_LINKS ||
	    (d->kind == 'M' && d->lost && d->lost < APFS_DIFF_LOST_NAME) ||
	    (d->kind != 'M' && d->lost > APFS_DIFF_LOST_ABOVE))
		abort();
	c->marked += d->lost != APFS_DIFF_LOST_NONE;
	return ++c->n > 100000 ? -1 : 0;
}

static void pair(struct apfs_volume *v, uint64_t xa, uint64_t xb)
{
	struct apfs_fs *a = NULL, *b = NULL;
	struct counted c = { 0, 0 };

	/* each mark is of a gap the run names: a run with none (0) marks nothing */
	if (apfs_fs_open(v, xa, &a) == 0 && apfs_fs_open(v, xb, &b) == 0 &&
	    apfs_fs_diff(a, b, 1u << 20, count, &c) == 0 && c.marked)
		abort();
	apfs_fs_close(a);
	apfs_fs_close(b);
}

static void volume(struct apfs_volume *v)
{
	struct apfs_snapshot *snaps = NULL;
	unsigned n = 0;

	pair(v, 0, 0);
	if (apfs_snapshot_list(v, &snaps, &n))
		return;
	for (unsigned i = 0; i < n && i < 8; i++)
		pair(v, snaps[i].xid, 0);
	free(snaps);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	fuzz_image_volumes(data, size, volume);
	return 0;
}
