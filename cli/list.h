/* SPDX-License-Identifier: MIT */
/*
 * list.h - what `list` knows of an image, read once through libapfsinspect
 * (list_facts.c), for its text (cmd_list.c), -plist (cmd_list_plist.c) and
 * chain (chain.c) writers.
 */
#ifndef CLI_LIST_H
#define CLI_LIST_H

#include "clibase.h"
#include "apfsinspect.h"

struct list_vol {
	apfsi_volume *h;
	struct apfsi_volume_info info;
	struct apfsi_volume_superblock sb;
	/*
	 * The snapshots its snapshot metadata tree gives, and whether that is
	 * all of them: APFSI_OK, INCOMPLETE (fewer than the volume counts, or
	 * a record left out), or why the tree could not be read (logged);
	 * snaps_why, the library's words for it.
	 */
	unsigned snaps_listed;
	int snaps_ret;
	char snaps_why[512];
};

struct list_image {
	apfsi_image *img;
	struct apfsi_image_info info;
	struct apfsi_container_info *cont;  /* info.containers of them */
	struct list_vol *vols;              /* info.volumes of them, in image order */
};

/* Read what `list` shows of img; 0 or an APFSI_ERR_*. */
int list_load(apfsi_image *img, struct list_image *li);
void list_free(struct list_image *li);
/* The first volume's snapshot listing that is not whole (snaps_ret), or APFSI_OK. */
int list_snapshots_ret(const struct list_image *li);

/* Bytes the volume's blocks take (apfs_fs_alloc_count blocks). */
uint64_t list_vol_bytes(const struct list_vol *v);

/* The role as diskutil names it: "No specific role", "Data", or "0x1234". */
void list_role_str(const struct list_vol *v, char *buf, size_t len);
/* The role's name, "None" for none, NULL for a value with no name (JSON). */
const char *list_role_json(const struct list_vol *v);

/* The distinct volume groups of container ci, in volume order (out: info.volumes entries). */
unsigned list_groups(const struct list_image *li, unsigned ci, uint8_t (*out)[16]);

/* The members of group g in container ci: System, Data, then the rest (out: info.volumes). */
unsigned list_group_members(const struct list_image *li, unsigned ci, const uint8_t g[16],
			    const struct list_vol **out);

/* The chain of layers opened (chain.c): an "Image: ..." line, a "chain" array. */
void list_chain_print(const struct list_image *li, FILE *f);
void list_chain_json(struct json *j, const struct list_image *li);

/*
 * Seals (list_seal.c): the word diskutil's "Sealed:" gives (Yes, Broken, No,
 * or unknown; ret: what apfsi_volume_seal returned), the "Seal:" line, and a
 * sealed volume's snapshots' (text lines; JSON "snapshot_seals", empty for a
 * volume that is not sealed).
 */
const char *list_sealed_word(int ret, const struct apfsi_seal_info *s, char *buf, size_t len);
void list_seal_print(const struct apfsi_seal_info *s, const char *bar);
void list_snapshot_seals_print(const struct list_vol *v, const char *bar);
void list_snapshot_seals_json(struct json *j, const struct list_vol *v);
/* The volume's "seal" object (null when none) and "seal_error". */
void list_volume_seal_json(struct json *j, const struct list_vol *v);

/* `diskutil apfs list -plist` to stdout; 0 or APFSI_ERR_NOMEM. */
int list_plist(const struct list_image *li);

#endif
