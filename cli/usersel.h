/* SPDX-License-Identifier: MIT */
/*
 * usersel.h - the volume whose crypto users the crypto-user commands show
 * (listcryptousers, fdesetup-list, unlockvolume), chosen through the API.
 */
#ifndef CLI_USERSEL_H
#define CLI_USERSEL_H

#include "clibase.h"
#include "apfsinspect.h"

/*
 * --volume as cli_api_select_volume takes it, and also a volume group's
 * UUID (-> its Data volume); a group's System volume stands for its Data
 * volume, as diskutil lists the Data volume's users for `/`.  0, EXIT_USAGE
 * or EXIT_ERROR, having said why.
 */
int cli_api_select_users_volume(const struct cli_opts *o, apfsi_image *img, apfsi_volume **out);

#endif
