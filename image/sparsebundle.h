/* SPDX-License-Identifier: MIT */
/*
 * sparsebundle.h - internals shared by the sparse bundle reader's files:
 * what Info.plist says (sparsebundle_plist.c).  Outside code uses dev.h and
 * probe.h.
 */
#ifndef IMAGE_SPARSEBUNDLE_H
#define IMAGE_SPARSEBUNDLE_H

#include <stddef.h>
#include <stdint.h>

#define BUNDLE_TYPE "com.apple.diskimage.sparsebundle"

/* The bundle's numbers from Info.plist (docs/containers.md §2). */
struct bundle_info {
	uint64_t band_size, size;
};

/*
 * Read dir/Info.plist: 1 and *bi for a sparse bundle, 0 for a directory
 * that is not one (no Info.plist: *type empty; another bundle type: named in
 * *type), < 0 (logged) for a bundle whose plist is unreadable or whose
 * band-size or size is missing or out of bounds.
 */
int bundle_info(const char *dir, struct bundle_info *bi, char *type, size_t len);

#endif
