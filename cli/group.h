/* SPDX-License-Identifier: MIT */
/*
 * group.h - volume groups (docs/macos-boot.md §2): the System and Data
 * volumes of one macOS install share apfs_volume_group_id; the Preboot
 * volume of their container holds a folder per install.  The crypto-user
 * commands find a group's Data volume through the API (usersel.c).
 */
#ifndef CLI_GROUP_H
#define CLI_GROUP_H

#include "cli.h"

bool cli_in_group(const struct apfs_volume *v);

#endif
