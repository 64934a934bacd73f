/* SPDX-License-Identifier: MIT */
/*
 * optspell.h - how the shared options are spelt (optspell.c): getopt_long's
 * table, diskutil's single-dash forms, and where in an argv the secret
 * values are.  Below opts.c (the parser) and the two that hide secrets
 * before parsing (harden.c, audit.c), so none of them needs another.
 */
#ifndef CLI_OPTSPELL_H
#define CLI_OPTSPELL_H

#include <getopt.h>

enum {
	O_OFFSET = 256, O_XID, O_VOLUME, O_SNAPSHOT, O_JSON, O_PLIST, O_ALL, O_CHECKPOINTS,
	O_FORMAT, O_IMAGE_FORMAT, O_MANIFEST, O_PASS, O_STDIN_PASS, O_PASS_FILE, O_RECOVERY, O_VEK, O_USER,
	O_MD5, O_MAX_SIZE, O_NO_FIRMLINKS, O_EXTENDED, O_HELP, O_POTFILE, O_HINTS,
	O_IMAGE_PASS, O_IMAGE_PASS_FILE, O_HASH, O_FRACTIONAL, O_FORK, O_HEX, O_FACTS, O_TAR,
	O_APPLEDOUBLE, O_LIVE, O_LOG, O_HASH_IMAGE, O_PRIVATE_DIR,
};

extern const struct option cli_long_opts[];
#define CLI_SHORT_OPTS "lRafo:bNU"

/* diskutil's single-dash spellings rewritten in place to ours. */
void cli_translate_diskutil(int argc, char **argv);

#endif
