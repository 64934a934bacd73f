/* SPDX-License-Identifier: MIT */
/*
 * main.c - apfsinspect: global options and the command table (git style).
 * Each command parses its own options and returns an exit code; only main()
 * exits.
 */
#include <string.h>

#include "cli.h"
#include "cmd_fs.h"

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
		   "       apfsinspect COMMAND --help | --help | --version\n\ncommands:\n");
	for (size_t i = 0; i < NCOMMANDS; i++)
		fprintf(f, "  %-16s %s\n", commands[i].name, commands[i].summary);
	fprintf(f, "\nexit codes: 0 ok, 1 error, 2 usage, 3 credential rejected or volume "
		   "locked,\n            4 key bound to the original Mac's hardware\n");
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
		printf("apfsinspect %s\n", APFSINSPECT_VERSION);
		return EXIT_OK;
	}
	for (size_t i = 0; i < NCOMMANDS; i++)
		if (!strcmp(argv[1], commands[i].name))
			return cli_out_close(commands[i].fn(argc - 1, argv + 1));
	fprintf(stderr, "apfsinspect: '%s' is not a command\n", argv[1]);
	usage(stderr);
	return EXIT_USAGE;
}

int main(int argc, char **argv)
{
	/* First: non-dumpable, key memory set up, secrets off the command line. */
	int ret = run(argc, cli_harden(argc, argv));

	cli_wipe_secret_args();
	cli_free_args();
	return ret;
}
