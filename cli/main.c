/* SPDX-License-Identifier: MIT */
/*
 * main.c - apfsinspect: global options and the command table (git style).
 * Each command parses its own options and returns an exit code; only main()
 * exits.
 */
#include <string.h>

#include "audit.h"
#include "clibase.h"
#include "cmd_fs.h"
#include "liblog.h"

static const struct command commands[] = {
	{ "list", cmd_list, "show containers and volumes (like diskutil apfs list)" },
	{ "listcryptousers", cmd_listcryptousers, "list the crypto users of encrypted volumes" },
	{ "fdesetup-list", cmd_fdesetup_list, "the FileVault users by name, as fdesetup list [-extended]" },
	{ "unlockvolume", cmd_unlockvolume, "check a passphrase, recovery key or key; name the user" },
	{ "verify", cmd_verify, "check the data against the hashes its container stores (E01)" },
	{ "hashes", cmd_hashes, "print hashcat/John hashes of password crypto users" },
	{ "ls", cmd_ls, "list a directory of a volume (-l, -a, -R, --json)" },
	{ "stat", cmd_stat, "show every attribute of a file" },
	{ "cat", cmd_cat, "write a file's contents (or --fork rsrc: its resource fork) to stdout" },
	{ "xattr", cmd_xattr, "write one extended attribute's value (raw, or --hex)" },
	{ "extract", cmd_extract, "copy a file or tree out, with modes, times and a SHA-256 manifest" },
	{ "bodyfile", cmd_bodyfile, "timeline in TSK body-file (mactime) format" },
	{ "timeline", cmd_timeline, "every entry's five timestamps (ns) as CSV, JSON lines or DFXML" },
	{ "snapshots", cmd_snapshots, "list the snapshots of a volume" },
	{ "diff", cmd_diff, "what changed between two snapshots, or a snapshot and the live tree" },
	{ "mount", cmd_mount, "mount a volume read-only with FUSE (unmount: fusermount3 -u)" },
};

#define NCOMMANDS (sizeof(commands) / sizeof(commands[0]))

static void usage(FILE *f)
{
	fprintf(f, "usage: apfsinspect COMMAND [options] IMAGE [args...]\n"
		   "       apfsinspect COMMAND --help | --help | --version | --list-options COMMAND\n"
		   "\ncommands:\n");
	for (size_t i = 0; i < NCOMMANDS; i++)
		fprintf(f, "  %-16s %s\n", commands[i].name, commands[i].summary);
	fprintf(f, "\nexit codes: 0 ok, 1 error, 2 usage, 3 credential rejected or volume "
		   "locked,\n            4 key bound to the original Mac's hardware\n");
}

static const struct command *find_command(const char *name)
{
	for (size_t i = 0; i < NCOMMANDS; i++)
		if (!strcmp(name, commands[i].name))
			return &commands[i];
	return NULL;
}

/* For the completion scripts and the man-page test: the commands, or one's options. */
static int list_options(int argc, char **argv)
{
	if (argc == 2) {
		for (size_t i = 0; i < NCOMMANDS; i++)
			printf("%s\n", commands[i].name);
		return EXIT_OK;
	}
	if (argc != 3 || !find_command(argv[2])) {
		fprintf(stderr, "apfsinspect: --list-options: give one command\n");
		return EXIT_USAGE;
	}
	cli_print_options(argv[2], stdout);
	return EXIT_OK;
}

/* --json anywhere among a command's options (before "--"): errors go out as JSON from the start. */
static bool wants_json(int argc, char **argv)
{
	for (int i = 2; i < argc && strcmp(argv[i], "--"); i++)
		if (!strcmp(argv[i], "--json"))
			return true;
	return false;
}

static int run(int argc, char **argv)
{
	if (argc < 2) {
		usage(stderr);
		return EXIT_USAGE;
	}
	if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") || !strcmp(argv[1], "help")) {
		usage(stdout);
		return EXIT_OK;
	}
	if (!strcmp(argv[1], "--version")) {
		printf("apfsinspect %s (commit %s)\n", cli_version, cli_commit);
		return EXIT_OK;
	}
	if (!strcmp(argv[1], "--list-options"))
		return list_options(argc, argv);
	if (find_command(argv[1]))
		return cli_out_close(find_command(argv[1])->fn(argc - 1, argv + 1));
	fprintf(stderr, "apfsinspect: '%s' is not a command\n", argv[1]);
	usage(stderr);
	return EXIT_USAGE;
}

int main(int argc, char **argv)
{
	/* First: non-dumpable, key memory set up, secrets off the command line. */
	char **args = cli_harden(argc, argv);
	bool json = wants_json(argc, args);
	int ret;

	cli_audit_start(argc, args);
	cli_lib_log_init();
	if (json)
		cli_json_stderr_begin();
	ret = cli_audit_finish(run(argc, args));
	if (json)
		cli_json_stderr_end();
	cli_wipe_secret_args();
	cli_free_args();
	return ret;
}
