/* SPDX-License-Identifier: MIT */
/*
 * internal.h - what the handles of the public API (include/apfsinspect.h)
 * hold, shared by the files of lib/.  Only lib/ includes it: the layer
 * above apfs/ and keybag/ that the commands and other programs use.
 */
#ifndef LIB_INTERNAL_H
#define LIB_INTERNAL_H

#include <pthread.h>

#include "apfsinspect.h"
#include "apfs/apfs.h"
#include "apfs/fs.h"
#include "keybag/keybag.h"
#include "keybag/names.h"
#include "lib/bigread.h"
#include "lib/readall.h"

struct apfsi_volume {
	struct apfsi_image *img;
	struct apfs_volume *v;
	unsigned cidx;              /* index into img->cont */
	unsigned number;            /* 1-based across the image */
	pthread_mutex_t lock;       /* guards what is loaded on first use below */
	/* Loaded on first use (users.c): the keybags and the users' names. */
	struct kb_volume_keys *keys;
	/*
	 * The users' names: read while locked into names_slot[0], and once more
	 * after an unlock into names_slot[1]; names points at the newer.  A slot
	 * is never written again once published, so a reader holding a pointer
	 * (or strings from it) is safe until the image is closed (users.c).
	 */
	struct kb_names names_slot[2];
	const struct kb_names *_Atomic names;
	bool names_loaded, names_unlocked; /* names read; and again once unlocked */
	char (*hash_lines)[KB_HASH_LINE_MAX]; /* per user, "" when not crackable */
	/* The VEK an unlock installed, for apfsi_volume_key (secure heap; unlock.c). */
	uint8_t *vek;
	size_t veklen;
	/* What the last unlock did with each user, for apfsi_volume_unlock_outcome (unlock_outcome.c). */
	struct apfsi_user_outcome *outcomes;
	unsigned noutcomes;
	/* The superblock's software ids, NUL-terminated at open (volume_sb.c). */
	char formatted_by[APFS_MODIFIED_NAMELEN + 1];
	char modified_by[APFS_MAX_HIST][APFS_MODIFIED_NAMELEN + 1];
	/* Loaded on first use (snapshots.c). */
	struct apfs_snapshot *snaps;
	unsigned nsnaps;
	bool snaps_loaded;
};

struct apfsi_image {
	struct apfs_dev *dev;
	struct apfs_part *parts;
	unsigned nparts;
	struct apfs_container **cont;
	unsigned ncont;
	struct apfsi_volume *vols;
	unsigned nvols;
	int first_error;            /* APFSI_ERR_* of the first container/volume skipped */
	unsigned skipped;           /* containers and volumes found but skipped */
	char *chain;                /* "e01 > gpt", made at open */
};

struct apfsi_fs {
	struct apfsi_volume *vol;
	struct apfs_fs *fs;         /* a volume group's merged root owns its two views */
	/* apfsi_file_read_all's buffers, kept from one file to the next (readall.c). */
	pthread_mutex_t reader_lock;
	struct apfsi_reader *reader;
	/* Large apfsi_file_pread's helper threads, made on the first one (bigread.c). */
	pthread_mutex_t helpers_lock;
	struct apfsi_helpers *helpers;
	/* APFSI_DIR_INODE_ORDER's verdicts on the directories opened last (dir_plans.c). */
	pthread_mutex_t plans_lock;
	struct apfsi_dir_plan {
		uint64_t dir;
		uint64_t used;          /* when last asked (plans_clock); 0: an empty slot */
		int ret;                /* 0 or -ENOTSUP */
		struct apfs_byino plan;
	} plans[8];
	uint64_t plans_clock;
	/* Bytes APFSI_DIR_ADDED's open iterators hold between them (dir_added.c). */
	size_t added_held;
};

struct apfsi_file {
	struct apfsi_fs *fs;
	struct apfs_file *f;        /* the data; NULL for a fork */
	uint64_t ino;               /* a fork: the inode and the xattr holding it */
	const char *xattr;
	uint64_t size;
};

/* A fork's bytes at off (file.c): as apfsi_file_pread; with an error, *got those before it. */
int apfsi_fork_read(apfsi_file *f, uint64_t off, void *buf, size_t len, size_t *got);

/* layers.c: the image's layers, and what apfsi_container_info adds of the partition map. */
unsigned apfsi_layer_count(const struct apfsi_image *img);
void apfsi_container_extras(const struct apfsi_image *img, unsigned index,
			    struct apfsi_container_info *info);

/*
 * apfs_fs_byino_plan of dir, remembered: a directory opened again in inode
 * order (a FUSE mount opens one for every listing) costs no second read of
 * its records and its range (dir_plans.c).  0, -ENOTSUP, or an error (not
 * remembered).
 */
int apfsi_dir_plan(struct apfsi_fs *fs, uint64_t dir, struct apfs_byino *out);

/*
 * APFSI_DIR_ADDED (dir_added.c): a directory's (inode, date added) pairs,
 * sorted by inode, for the entries the inode order hands out.  Built from
 * its records, which must number `entries` (the plan's count); found with a
 * cursor that follows rising numbers.  -APFS_ECORRUPT for a number no
 * record names.  Held in memory up to a budget (dir_added_budget); a larger
 * directory's pairs go to sorted runs in a temporary file, merged as the
 * numbers rise (dir_added_runs.c).
 */
struct dir_added_pair {
	uint64_t ino, added;
};
struct dir_added_runs;
struct dir_added {
	struct dir_added_pair *v;     /* all pairs, or NULL when they are in runs */
	size_t n, cap, at;
	struct dir_added_runs *runs;
	struct apfsi_fs *fs;
	size_t held;                  /* bytes counted in fs->added_held and lent from its cache */
};
int dir_added_build(struct apfsi_fs *fs, uint64_t dir, uint64_t entries, struct dir_added *out);
int dir_added_find(struct dir_added *a, uint64_t ino, uint64_t *added);
/* Whether dir_added_build filled a (in memory or in runs): else nothing to find. */
bool dir_added_built(const struct dir_added *a);
void dir_added_free(struct dir_added *a);
/* In place, by inode (dir_added.c). */
void dir_added_sort(struct dir_added_pair *v, size_t n);

/*
 * dir_added_runs.c: pairs in sorted runs of an unlinked temporary file
 * ($TMPDIR, else /tmp).  runs_add writes one run (sorted) and creates the
 * file first; runs_start gives each run a read buffer of the pairs `memory`
 * allows between them (at least 128 bytes a run); runs_find the date of
 * ino, cheap for rising numbers (a merge of the runs' heads, log2 of the
 * runs a pair), a search of each run for a lower one.
 * -ENOMEM when the file cannot be made or written (no room), -EIO when it
 * cannot be read back, -APFS_ECORRUPT for a number no run holds.
 */
int dir_added_runs_add(struct dir_added_runs **rs, const struct dir_added_pair *v, size_t n);
int dir_added_runs_start(struct dir_added_runs *rs, size_t memory);
int dir_added_runs_find(struct dir_added_runs *rs, uint64_t ino, uint64_t *added);
/* Bytes the runs hold in memory once started (their buffers, heap and table). */
size_t dir_added_runs_bytes(const struct dir_added_runs *rs);
void dir_added_runs_free(struct dir_added_runs *rs);

/* Copy the superblock's software ids for apfsi_volume_superblock (volume_sb.c). */
void apfsi_volume_note_ids(struct apfsi_volume *vol);

/*
 * Errors (error.c): a negative errno of the layers below mapped to an
 * APFSI_ERR_*, with the thread's last message kept (the log hook records
 * every error message; apfsi_fail adds one of its own when the layers
 * below logged none for this failure).
 */
int apfsi_code(int neg_errno);
int apfsi_fail(int code, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* The locked arena for secrets (secure.c), set up on first need: before any copy of one. */
void apfsi_secure_init(void);
/* Install the library's log hook (once, on the first open). */
void apfsi_log_init(void);
/* A public call begins: errors logged from now on are this call's. */
void apfsi_enter(void);
/* The first error logged on this thread since apfsi_enter, or NULL. */
const char *apfsi_logged(void);
/*
 * code, with msg as apfsi_last_message() whatever was logged below: a
 * verdict the call itself reached (apfsi_fs_dir_entered's, a refusal or a
 * warning for its caller to give), not a failure of a layer beneath it.
 */
int apfsi_say(int code, const char *msg);
/* apfsi_fail with apfsi_code(neg_errno) and "what: <strerror>" when nothing was logged. */
int apfsi_fail_errno(int neg_errno, const char *what);

#endif
