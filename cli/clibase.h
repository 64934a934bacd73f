/* SPDX-License-Identifier: MIT */
/*
 * clibase.h - shared pieces of the command-line front end that know nothing
 * of the layers below the library: options, exit codes, output writers.
 * The commands that are clients of include/apfsinspect.h only include this
 * (and their own headers), nothing below the API (tests/cli/api_clients.sh checks).
 */
#ifndef CLI_CLIBASE_H
#define CLI_CLIBASE_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

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
 * its --help, OPT_MOUNTPOINT keeps its argument from --private-dir's PATH
 * rewriting and its help.  Which options a command accepts is cli/optable.c's table (one
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
	/* the argument is a MOUNTPOINT, not a PATH: --private-dir rewrites nothing (mount) */
	OPT_MOUNTPOINT = 1 << 10,
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
	bool private_dir;      /* PATH in the private directory (cli/private_dir.c) */
	char private_path[4096]; /* PATH as written with --private-dir: "private-dir[/...]" */
	bool json;
	/* command-specific switches, parsed by the common parser */
	bool plist, all, checkpoints, long_fmt, all_files, recursive, md5, foreground, extended;
	bool hints;               /* listcryptousers: a Hint: line per user */
	bool literal;             /* ls -N: names as they are, not GNU ls -b's escapes */
	bool unsorted;            /* ls -U: directory order, a window at a time */
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

struct command {
	const char *name;
	int (*fn)(int argc, char **argv);
	const char *summary;
};

/*
 * Parse argv for a command: the common options it accepts (flags), then
 * IMAGE and at least min_args further arguments.  Returns 0, or EXIT_USAGE
 * after printing why; `help` is printed for --help (and returns -1).
 */
int cli_parse(int argc, char **argv, unsigned flags, int min_args, int max_args,
	      const char *help, struct cli_opts *o);
/* What --private-dir does, for the --help of each command that takes it. */
extern const char cli_private_help[];
/* --private-dir: PATH rewritten in o->private_path as it is written (cli/private_dir.c). */
int cli_private_path(struct cli_opts *o);

/*
 * The secret option values (--passphrase, -passphrase, --recovery-key,
 * --vek, in every spelling getopt_long accepts: abbreviated, --opt=VALUE)
 * in a command's argv (argv[0] = the command): argv index and the offset
 * of the value in that string.  At most max; -1 when out of memory.
 */
struct cli_secret {
	int idx;
	size_t off;
};

int cli_find_secrets(int argc, char **argv, struct cli_secret *out, int max);

/* optable.c: does command cmd take option opt ("--long" or "-x")? */
bool cli_opt_allowed(const char *cmd, const char *opt);
/* The options cmd takes, one a line (`apfsinspect --list-options CMD`, for completion). */
void cli_print_options(const char *cmd, FILE *f);

/*
 * main() calls this first: the process made non-dumpable with its key
 * memory undumped and locked (apfs_harden_process), and every secret on
 * the command line copied out and hidden from /proc/PID/cmdline.  Returns
 * the argv to use from then on.  APFSINSPECT_TEST_UNHARDENED
 * (dumpable,keys,argv, for the tests only) leaves parts undone.
 */
char **cli_harden(int argc, char **argv);

/* Wipe the copies of the secret arguments, once the credential has them. */
void cli_wipe_secret_args(void);

/* Wipe the one secret argument copy that p points to (the image passphrase's). */
void cli_wipe_secret_arg(const char *p);

/* Release what cli_harden() copied: at the very end of main(). */
void cli_free_args(void);

/*
 * An encrypted image's passphrase (imagecred.c): cli_parse() begins the
 * collection (forgets what was collected, keeps o); the first time an
 * encrypted layer asks, cli_image_cred_give collects --image-passphrase,
 * --image-passphrase-file or the prompt; opening wipes it afterwards.
 */
void cli_image_cred_begin(const struct cli_opts *o);
void cli_image_cred_wipe(void);
/*
 * The same passphrase for libapfsinspect (an apfsi_passphrase_fn); and,
 * after an open that failed for want of it, the exit code of a failure to
 * collect it (a bad --image-passphrase-file: EXIT_USAGE...), else 0.
 */
int cli_image_cred_give(void *arg, const char *image, unsigned attempt, char *buf, size_t cap,
			size_t *len);
int cli_image_cred_status(void);

/* After a command: stdout flushed; a write error reported, exit 1 (outerr.c). */
int cli_out_close(int ret);
/*
 * Called by a writer after a line to stdout: keeps the errno of a write
 * that failed in it (before any later call can change errno), which
 * cli_out_close names when its own flush finds nothing left to fail on.
 */
void cli_out_note(void);

/* Map an error of the layers below (-errno) to an exit code. */
int cli_exit_code(int err);

/* Small output helpers. */
void fmt_time_ns(uint64_t ns, char *buf, size_t len);   /* "2026-07-27 20:00:30 UTC" */
void fmt_iso_ns(uint64_t ns, char *buf, size_t len);    /* "2026-07-27T20:00:30.123456789Z" */
void fmt_bytes(uint64_t n, char *buf, size_t len);      /* "16.7 MB" (SI, like diskutil) */
void cli_uuid_str(const uint8_t u[16], char out[37]);   /* upper-case 8-4-4-4-12, as diskutil */
/* n bytes at p as 2n lower-case hex digits: into out, ended (2n + 1 bytes); or to f. */
void cli_hex(char *out, const void *p, size_t n);
void cli_put_hex(FILE *f, const void *p, size_t n);
/*
 * v in decimal: to f, or at out (20 bytes at most, not ended), giving the
 * end; cli_fmt_digits: v % 10^n in n digits with leading zeros (n <= 20).
 */
void cli_put_u64(FILE *f, uint64_t v);
char *cli_fmt_u64(char *out, uint64_t v);
char *cli_fmt_u64_w(char *out, uint64_t v, int width);  /* right-aligned, as "%*llu" */
char *cli_fmt_digits(char *out, uint64_t v, int n);
char *cli_fmt_octal(char *out, uint64_t v);             /* 22 bytes at most */
unsigned cli_workers(uint64_t jobs, unsigned max);      /* threads: cores, capped */

/* Progress of long work on stderr, when it is a terminal (progress.c). */
struct progress {
	const char *what;
	const char *unit;   /* NULL: bytes, shown in GiB; else counted things ("tried") */
	uint64_t total, done;
	uint64_t things;    /* running mode: things done beside the bytes in done */
	double last;
	bool on, shown, running;
};

void progress_start(struct progress *p, const char *what, uint64_t total);
/* The same for a count of things (candidate passwords tried) instead of bytes. */
void progress_start_count(struct progress *p, const char *what, const char *unit,
			  uint64_t total);
void progress_add(struct progress *p, uint64_t n);
/*
 * Work whose size is not known before it ends (a tree extracted): things
 * ("files") and bytes done so far, once a second, on a terminal only.
 */
void progress_start_running(struct progress *p, const char *what, const char *unit);
void progress_running_add(struct progress *p, uint64_t things, uint64_t bytes);
void progress_end(struct progress *p);  /* clears the line if one was shown */


/*
 * How text from the image is escaped (safetext.c).  Valid UTF-8 passes;
 * C0 controls whose C letter is in letters (e.g. "n" for \n, "abtnvfr" for
 * all) are written as \ and the letter; other C0 controls, DEL and invalid
 * bytes (only C0 with c0_only), and with c1 the C1 controls U+0080..U+009F
 * byte by byte, with the printf format ctl (one byte value; NULL: as they
 * are); '\' (unless raw_backslash), '"' with quote and ' ' with space are
 * prefixed by a backslash.
 */
struct cli_escape {
	bool quote;
	const char *letters;
	const char *ctl;
	bool c1, c0_only, raw_backslash, space;
	const char *pct;   /* bytes written %XX, as mactime decodes them ('%' only before 2 hex digits) */
};
void cli_put_escaped(FILE *f, const char *s, const struct cli_escape *e);
/* Image text (names, hints) for a terminal: C0/C1 controls, DEL and bad bytes
 * as \xNN, '\' as \\ and, when quoted, '"' as \" (safetext.c). */
void cli_put_safe(FILE *f, const char *s, bool quoted);
/* The same, for a printf argument (one of 4 static buffers in turn). */
const char *cli_safe_str(const char *s);
/* A name as TSK's fls -m writes it: C0 controls as '^', the rest as it is. */
void cli_put_tsk(FILE *f, const char *s);

/*
 * JSON writer: one document to a FILE, with commas handled for the caller.
 * json_begin() writes "schema_version" first: the version of the JSON
 * contract (README "JSON output"), raised when a key changes meaning or goes.
 */
#define CLI_SCHEMA_VERSION 1
struct json {
	FILE *f;
	bool compact;         /* JSON lines: no line break or indent between tokens */
	int depth;
	bool need_comma[32];
};

void json_begin(struct json *j, FILE *f);
void json_end(struct json *j);
void json_obj_open(struct json *j, const char *key);   /* key NULL inside arrays */
void json_obj_close(struct json *j);
void json_arr_open(struct json *j, const char *key);
void json_arr_close(struct json *j);
void json_str(struct json *j, const char *key, const char *val); /* NULL -> null */
void json_u64(struct json *j, const char *key, uint64_t val);
void json_bool(struct json *j, const char *key, bool val);
void json_uuid(struct json *j, const char *key, const uint8_t uuid[16]);
void json_i64(struct json *j, const char *key, long long val);
void json_null(struct json *j, const char *key);
/*
 * One document on one line (JSON lines): json_line_begin starts it in the
 * scratch stream (below; -ENOMEM) with no line break or indent between
 * tokens (strings escape their own), json_line_end ends it and writes it
 * to f, then a newline.
 */
int json_line_begin(struct json *j);
int json_line_end(struct json *j, FILE *f);

/*
 * A scratch stream for what an entry writes before it is known whole or
 * laid out (scratch.c): cli_scratch_begin empties it (NULL: out of
 * memory), cli_scratch_end gives what was written since (*len bytes at
 * *out, valid until the next begin; -ENOMEM), cli_scratch_free at the
 * listing's end.  One per thread; not nested.
 */
FILE *cli_scratch_begin(void);
int cli_scratch_end(const char **out, size_t *len);
void cli_scratch_free(void);

/* Length of the valid UTF-8 sequence at p (1..4), or 0 (safetext.c). */
int cli_utf8_seq(const unsigned char *p);

/*
 * A copy of s for text or XML output (textesc.c): control bytes, DEL,
 * bytes that are not UTF-8, '\' and the characters in extra written as
 * \xNN.  NULL when out of memory.
 */
char *cli_esc_dup(const char *s, const char *extra);

/* Commands. */
int cmd_list(int argc, char **argv);
int cmd_listcryptousers(int argc, char **argv);
int cmd_fdesetup_list(int argc, char **argv);
int cmd_unlockvolume(int argc, char **argv);
int cmd_hashes(int argc, char **argv);
int cmd_verify(int argc, char **argv);
int cmd_mount(int argc, char **argv);   /* fuse/mount.c */

#endif
