/* SPDX-License-Identifier: MIT */
/*
 * fs_group.h - internals of the merged root of a volume group, shared by
 * fs_group.c (the view's functions) and fs_group_open.c (building it).
 */
#ifndef APFS_FS_GROUP_H
#define APFS_FS_GROUP_H

#include "firmlinks.h"
#include "fs_int.h"

enum { G_SYS, G_DATA };

/* A firmlink in force: raw inode numbers of each volume. */
struct g_link {
	const char *sys_path;   /* "/Users" (in fs_group.fl) */
	const char *data_path;  /* "Users" */
	uint64_t sys_dir;       /* System's directory at sys_path */
	uint64_t sys_parent;    /* and its parent there */
	uint64_t data_dir;      /* the Data directory shown in its place; 0: System's own */
};

struct fs_group {
	struct apfs_fs *sys, *data;  /* data NULL: the Data volume is locked */
	struct apfs_firmlink *fl;    /* the parsed file (owns the strings) */
	size_t nfl;
	struct g_link *ln;
	size_t nln;
	uint64_t vdata;              /* System's /System/Volumes/Data; 0: none */
	uint64_t vdata_parent;       /* System's /System/Volumes */
};

/* A view's number for volume vol's raw inode (fs.h "Inode numbers"). */
uint64_t grp_num(int vol, uint64_t raw);

/* The links in force (fs_group_open.c). */
int grp_resolve(struct fs_group *g);

/* The link whose System directory / Data directory is raw, or NULL. */
const struct g_link *grp_link_sys(const struct fs_group *g, uint64_t raw);
const struct g_link *grp_link_data(const struct fs_group *g, uint64_t raw);

/* Parent of a raw System inode (bounded walks up System's tree). */
int grp_sys_parent(struct fs_group *g, uint64_t raw, uint64_t *parent);

#endif
