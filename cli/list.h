/* SPDX-License-Identifier: MIT */
/*
 * list.h - what `list` knows of volumes and groups (list_facts.c), for its
 * text (cmd_list.c) and -plist (cmd_list_plist.c) writers.
 */
#ifndef CLI_LIST_H
#define CLI_LIST_H

#include "cli.h"

uint64_t list_vol_bytes(const struct apfs_volume *v);
bool list_hw_encrypted(const struct apfs_volume *v);

/* The partition container c was found in, or NULL. */
const struct apfs_part *list_part_of(const struct cli_image *img, const struct apfs_container *c);

/* The distinct volume groups of container ci, in volume order. */
unsigned list_groups(const struct cli_image *img, unsigned ci,
		     uint8_t out[APFS_NX_MAX_FILE_SYSTEMS][16]);

/* The members of group g in container ci: System, Data, then the rest. */
unsigned list_group_members(const struct cli_image *img, unsigned ci, const uint8_t g[16],
			    const struct cli_volume **out);

/* `diskutil apfs list -plist` to stdout; 0 or -ENOMEM. */
int list_plist(const struct cli_image *img);

#endif
