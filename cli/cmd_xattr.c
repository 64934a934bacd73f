/* SPDX-License-Identifier: MIT */
/*
 * cmd_xattr.c - `apfsinspect xattr`: one extended attribute's value, raw
 * or as hex (written by xattr_out.c, which `cat --fork rsrc` shares).
 */
#include <stdlib.h>
#include <string.h>

#include "cmd_fs.h"

static const char xattr_help[] =
	"usage: apfsinspect xattr [--hex] [--max-file-size SIZE|none] [--volume SEL]\n"
	"                         [credential] [--snapshot NAME|XID] IMAGE PATH NAME\n"
	"  Write the value of PATH's extended attribute NAME (its APFS name, e.g.\n"
	"  com.apple.quarantine; stat lists them) to stdout as it is stored: raw bytes,\n"
	"  or with --hex as lower-case hex, 30 bytes a line (xxd -p; xxd -r -p reverses\n"
	"  it).  Names macOS hides (com.apple.decmpfs, com.apple.fs.symlink) are read\n"
	"  too.  Exit 1 when PATH has no such attribute.  A value beyond the size cap\n"
	"  (cat --help) is refused.\n";

static int xattr_run(const struct cli_opts *o, apfsi_fs *fs)
{
	struct apfsi_dirent de;
	char name[FS_NAME_MAX];
	int ret = fs_lookup(o, fs, o->args[0], &de, name);

	if (!ret)
		ret = fs_xattr_out(o, fs, de.ino, o->args[0], o->args[1], o->hex);
	if (ret == -ENODATA) {
		fprintf(stderr, "apfsinspect: %s: no extended attribute '%s'\n",
			cli_safe_str(o->args[0]), cli_safe_str(o->args[1]));
		return EXIT_ERROR;
	}
	if (ret > 0)
		return ret;
	if (!ret && fflush(stdout))
		return EXIT_ERROR;
	return ret ? fs_fail(o->args[0], ret) : EXIT_OK;
}

int cmd_xattr(int argc, char **argv)
{
	return fs_command(argc, argv, OPT_VOLUME | OPT_CRED | OPT_SNAPSHOT | OPT_MAX_SIZE | OPT_HEX,
			  2, 2, xattr_help, xattr_run);
}
