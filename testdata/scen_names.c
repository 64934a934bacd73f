/* SPDX-License-Identifier: MIT */
/*
 * scen_names.c - `mkimage names`: names a hostile author would write, to
 * check that no output format lets a name add, remove or alter a line or a
 * field (testdata/README.md "names" lists every name and its bytes).  APFS
 * names are UTF-8 and macOS refuses invalid sequences, but nothing on disk
 * enforces it: the invalid name is written as raw bytes, as a crafted image
 * would hold it.
 */
#include "mk.h"

#define ROOT APFS_ROOT_DIR_INO_NUM

/* A bodyfile line of its own after the newline: what a forged event looks like. */
#define FORGED "innocent.txt\n0|/FORGED|99|r/rrw-r--r--|0|0|0|" \
	"1234567890|1234567890|1234567890|1234567890"

static const char *const names[] = {
	"new\nline.txt",
	"tab\there.txt",
	"cr\rname.txt",
	"pipe|name.txt",
	"back\\slash.txt",
	"esc\x1b[31mred.txt",
	"bell\x07.txt",
	"del\x7f.txt",
	"bad\xff\xfeutf8.txt",
	"c1\xc2\x9b" "31m.txt",
	"space name.txt",
	"quote\"name.txt",
	FORGED,
	/* 255 bytes: the longest name APFS allows */
	"LLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLL"
	"LLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLL"
	"LLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLL"
	"LLLLLLLLLLL.txt",
};

/*
 * Volume "Names\nVol\e[7m": each name above a file holding "x\n"; the
 * symlink "link-nl" -> "target\nline"; "xattr.txt" with the xattr
 * "user.\e[2Jevil\nname"; the directory "dir\nnl" holding "inner.txt".
 */
int mk_fill_names(struct mk_image *img)
{
	uint64_t ino, dir;
	struct mk_vol v;
	int rc = mk_vol_init(&v, img, "Names\nVol\x1b[7m", APFS_VOL_ROLE_NONE, false);

	for (size_t i = 0; !rc && i < sizeof(names) / sizeof(names[0]); i++)
		rc = mk_fs_file(&v, ROOT, names[i], "x\n", 2, NULL);
	if (!rc)
		rc = mk_fs_symlink(&v, ROOT, "link-nl", "target\nline");
	if (!rc)
		rc = mk_fs_file(&v, ROOT, "xattr.txt", "x\n", 2, &ino);
	if (!rc)
		rc = mk_fs_xattr(&v, ino, "user.\x1b[2Jevil\nname", "v", 1);
	if (!rc)
		rc = mk_fs_mkdir(&v, ROOT, "dir\nnl", &dir);
	if (!rc)
		rc = mk_fs_file(&v, dir, "inner.txt", "x\n", 2, NULL);
	return rc ? rc : mk_vol_finish(&v);
}
