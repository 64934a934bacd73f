/* SPDX-License-Identifier: MIT */
/*
 * optable.c - which options each command accepts: one line per option (or
 * group of options) per command, so that a new option is one new line and
 * an option given to a command it does not apply to is refused by name
 * (exit 2) instead of being silently ignored.  "*" rows apply to every
 * command; "@NAME" rows name a group defined below.  The man page, the
 * completion scripts (through `apfsinspect --list-options COMMAND`) and
 * tests/cli/json_contract.sh read this table.
 */
#include <string.h>

#include "clibase.h"

struct opt_allow {
	const char *cmd;
	const char *opt;  /* "--long", "-x" (short options without a long name) or "@group" */
};

/* The credential options: every command that may unlock a volume. */
static const char *const cred_group[] = {
	"--passphrase", "--stdin-passphrase", "--passphrase-file", "--recovery-key", "--vek",
	"--potfile", "--user", NULL,
};

/* Commands that read the file system: which tree (a snapshot, the Mac's merged root). */
static const char *const tree_group[] = { "--snapshot", "--no-firmlinks", NULL };

static const struct opt_allow table[] = {
	/* every command: the image, how to read it, and the JSON / audit contract */
	{ "*", "--help" },
	{ "*", "--offset" },
	{ "*", "--xid" },
	{ "*", "--image-format" },
	{ "*", "--format" },
	{ "*", "--image-passphrase" },
	{ "*", "--image-passphrase-file" },
	{ "*", "--json" },
	{ "*", "--log" },
	{ "*", "--hash-image" },
	{ "list", "--plist" },
	{ "list", "--checkpoints" },
	{ "listcryptousers", "--volume" },
	{ "listcryptousers", "@credential" },
	{ "listcryptousers", "--plist" },
	{ "listcryptousers", "--hints" },
	{ "fdesetup-list", "--volume" },
	{ "fdesetup-list", "@credential" },
	{ "fdesetup-list", "--extended" },
	{ "unlockvolume", "--volume" },
	{ "unlockvolume", "@credential" },
	{ "hashes", "--volume" },
	{ "hashes", "--all" },
	{ "snapshots", "--volume" },
	{ "ls", "--volume" },
	{ "ls", "@credential" },
	{ "ls", "@tree" },
	{ "ls", "--private-dir" },
	{ "ls", "-l" },
	{ "ls", "-a" },
	{ "ls", "-R" },
	{ "ls", "--escape" },
	{ "ls", "--literal" },
	{ "ls", "--unsorted" },
	{ "stat", "--volume" },
	{ "stat", "@credential" },
	{ "stat", "@tree" },
	{ "stat", "--private-dir" },
	{ "stat", "--hash" },
	{ "stat", "--max-file-size" },
	{ "cat", "--volume" },
	{ "cat", "@credential" },
	{ "cat", "@tree" },
	{ "cat", "--private-dir" },
	{ "cat", "--max-file-size" },
	{ "cat", "--fork" },
	{ "xattr", "--volume" },
	{ "xattr", "@credential" },
	{ "xattr", "@tree" },
	{ "xattr", "--private-dir" },
	{ "xattr", "--max-file-size" },
	{ "xattr", "--hex" },
	{ "extract", "--volume" },
	{ "extract", "@credential" },
	{ "extract", "@tree" },
	{ "extract", "--private-dir" },
	{ "extract", "--max-file-size" },
	{ "extract", "--manifest" },
	{ "extract", "--hash" },
	{ "extract", "--facts" },
	{ "extract", "--tar" },
	{ "extract", "--appledouble" },
	{ "bodyfile", "--volume" },
	{ "bodyfile", "@credential" },
	{ "bodyfile", "@tree" },
	{ "bodyfile", "--private-dir" },
	{ "bodyfile", "--max-file-size" },
	{ "bodyfile", "--md5" },
	{ "bodyfile", "--hash" },
	{ "bodyfile", "--fractional" },
	{ "timeline", "--volume" },
	{ "timeline", "@credential" },
	{ "timeline", "@tree" },
	{ "timeline", "--private-dir" },
	{ "timeline", "--max-file-size" },
	{ "timeline", "--hash" },
	{ "diff", "--volume" },
	{ "diff", "@credential" },
	{ "diff", "--max-file-size" },
	{ "diff", "--live" },
	{ "mount", "--volume" },
	{ "mount", "@credential" },
	{ "mount", "@tree" },
	{ "mount", "--private-dir" },
	{ "mount", "-f" },
	{ "mount", "-o" },
};

static bool in_group(const char *group, const char *opt)
{
	const char *const *g = !strcmp(group, "@credential") ? cred_group :
			       !strcmp(group, "@tree") ? tree_group : NULL;

	for (; g && *g; g++)
		if (!strcmp(*g, opt))
			return true;
	return false;
}

bool cli_opt_allowed(const char *cmd, const char *opt)
{
	for (size_t i = 0; i < sizeof(table) / sizeof(table[0]); i++) {
		const struct opt_allow *a = &table[i];

		if (strcmp(a->cmd, "*") && strcmp(a->cmd, cmd))
			continue;
		if (a->opt[0] == '@' ? in_group(a->opt, opt) : !strcmp(a->opt, opt))
			return true;
	}
	return false;
}
