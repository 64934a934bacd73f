/* SPDX-License-Identifier: MIT */
/*
 * group.h - volume groups (docs/macos-boot.md §2): the System and Data
 * volumes of one macOS install share apfs_volume_group_id; the Preboot
 * volume of their container holds a folder per install.
 */
#ifndef CLI_GROUP_H
#define CLI_GROUP_H

#include "cli.h"

bool cli_in_group(const struct apfs_volume *v);

/* The member of v's group (same container) with this role, or NULL. */
struct cli_volume *cli_group_member(struct cli_image *img, const struct cli_volume *cv,
				    uint16_t role);

/*
 * The volume whose crypto users stand for cv, as diskutil lists the Data
 * volume's users for `/`: a group's System volume -> its Data volume;
 * anything else -> itself.
 */
struct cli_volume *cli_users_volume(struct cli_image *img, struct cli_volume *cv);

/*
 * --volume for the crypto-user commands: also a volume group's UUID
 * (-> its Data volume), and the System volume stands for the Data volume.
 */
int cli_select_users_volume(const struct cli_opts *o, struct cli_image *img,
			    struct cli_volume **out);

#endif
