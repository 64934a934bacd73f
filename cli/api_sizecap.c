/* SPDX-License-Identifier: MIT */
/*
 * api_sizecap.c - the plausibility cap on a file's logical size, for the
 * commands whose work grows with it (cat, extract, bodyfile --md5, diff): a
 * size an image claims costs time even where it holds no blocks.
 */
#include "api_fs.h"

/*
 * (README "Hostile images".)  A dense file cannot be larger than its
 * container; a sparse one can (a VM disk or Docker.raw sized beyond the
 * Mac's disk), but hashing its holes costs time in proportion to the size
 * claimed.  Four times the container leaves room for every sparse file an
 * honest Mac holds; the 64 GiB floor covers small images of big disks'
 * files (and the generator's 5 GiB sparse file in a 16 MiB container)
 * while bounding a lie such as 2^50 bytes to about a minute of hashing.
 */
#define CAP_FLOOR (64ull << 30)
#define CAP_TIMES 4

uint64_t cli_size_cap(const struct cli_opts *o, uint64_t bytes)
{
	if (o->max_file_size_set)
		return o->max_file_size ? o->max_file_size : UINT64_MAX;
	if (bytes > UINT64_MAX / CAP_TIMES)
		return UINT64_MAX;
	return bytes * CAP_TIMES > CAP_FLOOR ? bytes * CAP_TIMES : CAP_FLOOR;
}

/* An unreadable size counts as the largest: the cap then is no tighter than it would be. */
uint64_t cli_api_size_cap(const struct cli_opts *o, apfsi_image *img, apfsi_volume *vol)
{
	struct apfsi_volume_info vi;
	struct apfsi_container_info ci;

	if (apfsi_volume_info(vol, &vi) || apfsi_container_info(img, vi.container, &ci))
		return cli_size_cap(o, UINT64_MAX);
	return cli_size_cap_blocks(o, ci.block_count, ci.block_size);
}

uint64_t cli_size_cap_blocks(const struct cli_opts *o, uint64_t blocks, uint64_t block_size)
{
	if (block_size && blocks > UINT64_MAX / block_size)
		return cli_size_cap(o, UINT64_MAX);
	return cli_size_cap(o, blocks * block_size);
}
