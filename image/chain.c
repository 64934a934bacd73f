/* SPDX-License-Identifier: MIT */
/*
 * chain.c - the layers an image was opened through, for `list` and JSON.
 * Apart from dev.c because it must tell the plain file (file.c) from a
 * format, and file.c itself builds on dev.c.
 */
#include "image/dev.h"

size_t apfs_dev_chain(const struct apfs_dev *dev, const struct apfs_dev **layers, size_t max)
{
	const struct apfs_dev *stack[16];
	size_t n = 0, out = 0;

	for (; dev && n < 16; dev = dev->lower)
		stack[n++] = dev;
	/* The file under a format is where its bytes are, not a layer. */
	if (n > 1 && apfs_dev_file_path(stack[n - 1]))
		n--;
	while (n > 0 && out < max)
		layers[out++] = stack[--n];
	return out;
}
