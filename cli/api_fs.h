/* SPDX-License-Identifier: MIT */
/*
 * api_fs.h - what the file-system commands that are clients of
 * libapfsinspect share: the error message and exit code of a library code
 * (the words fs_fail always used), the plausibility cap on a file's size,
 * the unlock with the credential the options give, and a stat's attributes
 * as `ls --json` and `stat --json` print them.
 */
#ifndef CLI_API_FS_H
#define CLI_API_FS_H

#include "api.h"

/*
 * The CLI's negative errno for a library code (what fs_fail's words are
 * chosen by); a negative value (a callback's own -errno, handed back
 * through the library) passes through.
 */
int cli_api_errno(int code);

/* Print "apfsinspect: what: why" for err (-errno) and return its exit code. */
int fs_fail(const char *what, int err);
/* strerror(-err), the project's own codes in words (a truncated image is not "No medium found"). */
const char *cli_strerror(int err);
/*
 * -e for an errno of the OS (the target, the image file), kept apart from the
 * project's codes that share its value: a disk's EUCLEAN is an I/O error, not
 * damaged APFS, and a removed medium's ENOMEDIUM not a truncated image.
 */
int cli_errno(int e);
/* The same for a library code. */
int cli_api_fail(const char *what, int code);

/*
 * --max-file-size, else 4 x the container (container_bytes), at least 64 GiB
 * (sizecap.c says why); UINT64_MAX for no cap.  cli_api_size_cap: of vol's
 * container (vol of img).
 */
uint64_t cli_size_cap(const struct cli_opts *o, uint64_t container_bytes);
uint64_t cli_api_size_cap(const struct cli_opts *o, apfsi_image *img, apfsi_volume *vol);
/* The same of a container of blocks x block_size bytes (the product capped, not wrapped). */
uint64_t cli_size_cap_blocks(const struct cli_opts *o, uint64_t blocks, uint64_t block_size);

/*
 * Unlock vol if it is locked, with the credential the options give (a
 * prompt on a terminal; EXIT_LOCKED with none), saying why it did not: the
 * exit code.
 */
int cli_api_unlock(const struct cli_opts *o, apfsi_volume *vol);

/* "drwxr-xr-x" from a mode (ls -l's form). */
void cli_mode_str(uint16_t mode, char out[11]);

/*
 * The keys `ls --json` and `stat --json` share (README): inode, mode,
 * mode_string, uid, gid, nlink, size, allocated, flags, compression.
 */
void cli_api_json_attrs(struct json *j, const struct apfsi_stat *st);

/* `apfsinspect diff` (cmd_diff.c). */
int cmd_diff(int argc, char **argv);

#endif
