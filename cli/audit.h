/* SPDX-License-Identifier: MIT */
/*
 * audit.h - the run's chain-of-custody record (--log FILE, --hash-image;
 * audit.c) and errors as JSON objects on stderr under --json (jsonerr.c).
 */
#ifndef CLI_AUDIT_H
#define CLI_AUDIT_H

#include "clibase.h"
#include "apfsinspect.h"

/* version.c: "0.9.0" and the commit (git describe). */
extern const char cli_version[], cli_commit[];

/* main(), first: the start time and the command line with its secrets removed. */
void cli_audit_start(int argc, char **argv);
/* cli_parse(), once IMAGE is known: --log and --hash-image (the hash before). */
int cli_audit_opts(const struct cli_opts *o);
/* A container and a volume noted (chosen: the one the command works on). */
void cli_audit_note_container(const uint8_t uuid[16]);
void cli_audit_note_volume(const uint8_t uuid[16], const char *name, bool chosen);
/* The same for the commands that open the image through libapfsinspect. */
void cli_audit_api_image(apfsi_image *img);
void cli_audit_api_volume(apfsi_volume *vol);
/* user: apfsi_volume_user's index, or -1 (unlocked by the volume key). */
void cli_audit_unlock(apfsi_volume *vol, int user, const char *kind, const char *source);
/* main(), last: the hash after, the record appended; the exit status to use. */
int cli_audit_finish(int ret);

/* SHA-256 of a regular file as 64 hex digits (imagehash.c); 0 or -errno. */
int cli_sha256_file(const char *path, char hex[65]);

/*
 * --json: from here on, every line written to stderr leaves as one JSON
 * object (schema_version, level, code, message, and block, inode,
 * structure where the message names them).  main() calls begin when the
 * command line holds --json and end before exiting.
 */
void cli_json_stderr_begin(void);
void cli_json_stderr_end(void);
bool cli_json_stderr_active(void);
/* The stable code of the next message (else it is classified by its text). */
void cli_jerr_code(const char *code);
/* fd 2 itself, for what is not a message (a terminal prompt): stderr without --json. */
FILE *cli_stderr_raw(void);

#endif
