/* SPDX-License-Identifier: MIT */
/*
 * clibase.h - the commands' options and exit codes: what a command (and the
 * mount in fuse/) needs of the CLI's front end, with nothing below the
 * public API (cli.h has the rest, and still includes apfs/).
 */
#ifndef CLI_CLIBASE_H
#define CLI_CLIBASE_H

#include <stdbool.h>
#include <stdint.h>

/* Exit codes: the CLI contract (README "Exit codes"). */
enum {
	EXIT_OK = 0,
	EXIT_ERROR = 1,     /* I/O, corrupt, unsupported */
	EXIT_USAGE = 2,
	EXIT_LOCKED = 3,    /* credential rejected or volume locked */
	EXIT_HWBOUND = 4,   /* key bound to the original Mac's hardware */
};

/*
 * Flags a command passes to cli_parse(): OPT_CRED adds the credential help to
 * its --help.  Which options a command accepts is cli/optable.c's table (one
 * line per option per command); the other bits only say the same for readers.
 */
enum {
	OPT_VOLUME = 1 << 0,
	OPT_CRED = 1 << 1,
	OPT_JSON = 1 << 2,
	OPT_SNAPSHOT = 1 << 3,
	OPT_MAX_SIZE = 1 << 4,  /* --max-file-size (extract, bodyfile) */
	OPT_HASH = 1 << 5,      /* --hash LIST (stat, bodyfile, timeline) */
	OPT_FRACTIONAL = 1 << 6, /* --fractional (bodyfile) */
	OPT_FORK = 1 << 7,      /* --fork NAME (cat) */
	OPT_HEX = 1 << 8,       /* --hex (xattr) */
	OPT_LIVE = 1 << 9,      /* --live: the live tree as one side (diff) */
};

struct cli_opts {
	const char *image;
	char **args;           /* positional arguments after IMAGE */
	int nargs;
	uint64_t offset;
	bool offset_set;
	uint64_t xid;
	const char *volume;
	const char *snapshot;
	bool no_firmlinks;     /* a group's System volume as it is, not the Mac's root */
	bool json;
	/* command-specific switches, parsed by the common parser */
	bool plist, all, checkpoints, long_fmt, all_files, recursive, md5, foreground, extended;
	bool hints;               /* listcryptousers: a Hint: line per user */
	bool literal;             /* ls -N: names as they are, not GNU ls -b's escapes */
	bool live;                /* diff --live: a snapshot against the live tree */
	const char *format;       /* the image format (hashes: its output format) */
	const char *image_format; /* the image format, on every command */
	const char *manifest;  /* extract: write the SHA-256 manifest here */
	const char *hash;      /* --hash md5,sha1,sha256 (digest.h) */
	bool fractional;       /* bodyfile: times as seconds.nanoseconds */
	const char *fork;      /* cat --fork rsrc: the resource fork, not the data */
	bool hex;              /* xattr --hex: the value as hex, not raw */
	const char *facts;     /* extract: what the target cannot hold (JSON) */
	const char *tar;       /* extract: a pax archive here ("-": stdout) instead of a tree */
	bool appledouble;      /* extract: ._NAME AppleDouble files beside the files */
	uint64_t max_file_size; /* --max-file-size: 0 = no cap */
	bool max_file_size_set;
	const char *fuse_opts;
	/* credentials (never printed) */
	const char *passphrase;
	bool stdin_passphrase;
	const char *passphrase_file;
	const char *potfile;      /* hashcat/John potfile: cracked passwords by hash */
	const char *recovery_key;
	const char *vek_hex;
	const char *user;
	/* the encrypted image's own passphrase (every command that opens an image) */
	const char *image_passphrase;
	const char *image_passphrase_file;
	/* chain of custody (audit.c): --log FILE, --hash-image */
	const char *log;
	bool hash_image;
};

/*
 * Parse argv for a command: the common options it accepts (flags), then
 * IMAGE and at least min_args further arguments.  Returns 0, or EXIT_USAGE
 * after printing why; `help` is printed for --help (and returns -1).
 */
int cli_parse(int argc, char **argv, unsigned flags, int min_args, int max_args,
	      const char *help, struct cli_opts *o);

/* Wipe the copies of the secret arguments, once the credential has them. */
void cli_wipe_secret_args(void);

#endif
