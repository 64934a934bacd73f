/* SPDX-License-Identifier: MIT */
/*
 * macos_system.c - the group's System volume "Macintosh HD": sealed (index
 * values in macOS's 40-byte relative form), role System, user inode
 * numbers from SYSTEM_OBJ_ID_MARK | 16, booted from the snapshot
 * com.apple.os.update-<64 hex>.  Its tree holds /usr/share/firmlinks and,
 * for each line of it, an empty directory flagged SF_FIRMLINK with a
 * com.apple.fs.firmlink xattr naming the Data path (docs/macos-boot.md §3).
 */
#include <errno.h>
#include <plist/plist.h>
#include <stdio.h>
#include <stdlib.h>

#include "macos.h"

/* The 10.15.1 and 12 list (docs/macos-boot.md §3), in its order. */
const char *const mac_firmlinks[] = {
	"/AppleInternal",
	"/Applications",
	"/Library",
	"/System/Library/Caches",
	"/System/Library/Assets",
	"/System/Library/PreinstalledAssets",
	"/System/Library/AssetsV2",
	"/System/Library/PreinstalledAssetsV2",
	"/System/Library/CoreServices/CoreTypes.bundle/Contents/Library",
	"/System/Library/Speech",
	"/Users",
	"/Volumes",
	"/cores",
	"/opt",
	"/private",
	"/usr/local",
	"/usr/libexec/cups",
	"/usr/share/snmp",
};
const unsigned mac_nfirmlinks = sizeof(mac_firmlinks) / sizeof(mac_firmlinks[0]);

/* Directories of a System volume that are its own (not firmlinks). */
static const char *const system_dirs[] = {
	"/System/Applications/Calculator.app/Contents",
	"/System/Library/CoreServices",
	"/System/Library/Kernels",
	"/System/Volumes/Data",
	"/System/Volumes/Preboot",
	"/System/Volumes/Recovery",
	"/System/Volumes/VM",
	"/System/Volumes/Update",
	"/bin",
	"/sbin",
	"/usr/bin",
	"/usr/lib",
	"/usr/share",
};

/* "<absolute> TAB <relative> LF" per firmlink: the file's exact format (§3). */
static int firmlinks_file(struct mk_vol *v)
{
	char buf[4096];
	size_t n = 0;
	uint64_t dir;
	int rc;

	for (unsigned i = 0; i < mac_nfirmlinks; i++)
		n += (size_t)snprintf(buf + n, sizeof(buf) - n, "%s\t%s\n", mac_firmlinks[i],
				      mac_firmlinks[i] + 1);
	rc = mk_fs_mkdirs(v, "/usr/share", &dir);
	return rc ? rc : mk_fs_file(v, dir, "firmlinks", buf, n, NULL);
}

/*
 * A firmlinked directory: empty on System, SF_FIRMLINK, and the xattr
 * com.apple.fs.firmlink whose value format nobody documents; here the
 * target's path relative to the Data volume's root, without a NUL (the
 * right-hand side of its /usr/share/firmlinks line) - a choice.
 */
static int firmlink_dir(struct mk_vol *v, const char *path)
{
	uint64_t ino;
	int rc = mk_fs_mkdirs(v, path, &ino);

	if (rc)
		return rc;
	mk_in(v, ino)->bsd_flags |= APFS_SF_FIRMLINK;
	return mk_fs_xattr(v, ino, "com.apple.fs.firmlink", path + 1, strlen(path + 1));
}

/* /System/Library/CoreServices/SystemVersion.plist of macOS 14.6.1 (XML, as macOS has it). */
void *mac_system_version(void)
{
	plist_t d = plist_new_dict();

	plist_dict_set_item(d, "ProductBuildVersion", plist_new_string("23G93"));
	plist_dict_set_item(d, "ProductCopyright", plist_new_string("1983-2024 Apple Inc."));
	plist_dict_set_item(d, "ProductName", plist_new_string("macOS"));
	plist_dict_set_item(d, "ProductUserVisibleVersion", plist_new_string("14.6.1"));
	plist_dict_set_item(d, "ProductVersion", plist_new_string("14.6.1"));
	plist_dict_set_item(d, "iOSSupportVersion", plist_new_string("17.6"));
	return d;
}

static int system_files(struct mk_vol *v)
{
	static const char calc[] = "Calculator.app (a stand-in)\n";
	plist_t sv = mac_system_version();
	uint64_t dir;
	int rc = mk_fs_mkdirs(v, "/System/Library/CoreServices", &dir);

	if (!rc)
		rc = mk_fs_plist(v, dir, "SystemVersion.plist", sv, false, NULL);
	plist_free(sv);
	if (!rc)
		rc = mk_fs_mkdirs(v, "/System/Applications/Calculator.app/Contents", &dir);
	if (!rc)
		rc = mk_fs_file(v, dir, "README.txt", calc, sizeof(calc) - 1, NULL);
	/* /etc, /tmp and /var lead into the firmlinked /private (as on every Mac). */
	if (!rc)
		rc = mk_fs_symlink(v, APFS_ROOT_DIR_INO_NUM, "etc", "private/etc");
	if (!rc)
		rc = mk_fs_symlink(v, APFS_ROOT_DIR_INO_NUM, "tmp", "private/tmp");
	return rc ? rc : mk_fs_symlink(v, APFS_ROOT_DIR_INO_NUM, "var", "private/var");
}

/**
 * mac_system_volume() - write "Macintosh HD".
 * @img: the image
 * @g: the group
 */
int mac_system_volume(struct mk_image *img, const struct mac_group *g)
{
	struct mk_vol v;
	int rc = mk_vol_init(&v, img, "Macintosh HD", APFS_VOL_ROLE_SYSTEM, true);

	if (rc)
		return rc;
	v.sealed = true;
	mk_vol_system_ino(&v);
	mac_root_owned(&v);
	mac_join_group(&v, g);
	snprintf(v.boot_snap, sizeof(v.boot_snap), "%s", g->snap_name);
	for (unsigned i = 0; !rc && i < sizeof(system_dirs) / sizeof(system_dirs[0]); i++)
		rc = mk_fs_mkdirs(&v, system_dirs[i], NULL);
	for (unsigned i = 0; !rc && i < mac_nfirmlinks; i++)
		rc = firmlink_dir(&v, mac_firmlinks[i]);
	if (!rc)
		rc = firmlinks_file(&v);
	if (!rc)
		rc = system_files(&v);
	return rc ? rc : mk_vol_finish(&v);
}
