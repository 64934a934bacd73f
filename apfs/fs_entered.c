/* SPDX-License-Identifier: MIT */
/*
 * fs_entered.c - the rule a walk holds an entry it has read to: a
 * directory is entered through its own entry (the one a path lookup
 * follows, fs_path.c), and through another only where its own is not
 * there for the walk to meet, with a warning; so that an entry met first
 * cannot show a directory under a name not its own, and one damaged field
 * of an inode hides no subtree.  Apart from fs_path.c, whose rule it
 * applies and which does not use it.
 */
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "fs_int.h"

/*
 * A walk from the root enters directories at most 256 deep (cli/): an own
 * entry in a directory deeper than this is no way in for it.
 */
#define OWN_DEPTH_MAX 255
/* A memo slot: a directory (below 2^55) and its depth from the root, or 0. */
#define MEMO_DEPTH_BITS 9

static _Atomic uint64_t *reached_slot(struct apfs_fs *fs, uint64_t dir)
{
	return &fs->reached_dirs[(dir * 0x9e3779b97f4a7c15ull >> 40) % FS_REACHED_DIRS];
}

/* The depth kept for directory p, reached from the root through own entries, or -1. */
static int memo_depth(struct apfs_fs *fs, uint64_t p)
{
	uint64_t v = atomic_load(reached_slot(fs, p));

	return v && v >> MEMO_DEPTH_BITS == p ? (int)(v & ((1u << MEMO_DEPTH_BITS) - 1)) : -1;
}

static void memo_put(struct apfs_fs *fs, uint64_t p, unsigned depth)
{
	if (!(p >> (64 - MEMO_DEPTH_BITS)))
		atomic_store(reached_slot(fs, p), p << MEMO_DEPTH_BITS | depth);
}

/*
 * One step up from directory p: 0 with its parent in *up, where p's own
 * entry there (the name its inode holds, a directory's entry naming p) is
 * found; 1 where it is not; -ENOMEM.  What cannot be read is not found:
 * the walk meets that damage where it reads.
 */
static int own_step(struct apfs_fs *fs, uint64_t p, uint64_t *up)
{
	struct apfs_dirent e;
	struct fs_inode in;
	int ret = fs_inode_get(fs, p, &in);

	if (ret)
		return ret == -ENOMEM ? ret : 1;
	if (!S_ISDIR(get_le16(in.raw.mode)) || !in.name[0])
		return 1;
	*up = get_le64(in.raw.parent_id);
	ret = fs_entry_names(fs, *up, in.name, p, &e);
	return ret == -ENOMEM ? ret : ret == 1 && e.type == 4 ? 0 : 1;
}

/*
 * Whether directory p, which holds directory ino's own entry, is reached
 * from the root through own entries (each directory's, where its inode
 * says: the entries a walk enters), no deeper than OWN_DEPTH_MAX, without
 * passing ino: 1, 0 (an entry on the way that names another, a cycle
 * through ino, too deep), or -ENOMEM.  At most OWN_DEPTH_MAX + 1 steps,
 * and none past a directory found so before, whose depth is kept (the
 * memo): many entries naming directories below one deep one cost one step
 * each, and two chains joined at one count as deep as they are.
 */
static int own_dir_reached(struct apfs_fs *fs, uint64_t p, uint64_t ino)
{
	uint64_t chain[OWN_DEPTH_MAX + 1], up = 0;
	unsigned n = 0;
	int d = 0, ret = 0;

	apfs_log_mute(true);
	while (p != APFS_ROOT_DIR_INO_NUM) {
		if (n > OWN_DEPTH_MAX || p == ino || p <= APFS_ROOT_DIR_PARENT ||
		    p == APFS_PRIV_DIR_INO_NUM) {
			ret = 1;
			break;
		}
		if ((d = memo_depth(fs, p)) >= 0)
			break;
		d = 0;
		if ((ret = own_step(fs, p, &up)))
			break;
		chain[n++] = p;
		p = up;
	}
	apfs_log_mute(false);
	if (ret < 0)
		return ret;
	if (ret || d + n > OWN_DEPTH_MAX)
		return 0;
	for (unsigned i = 0; i < n; i++)
		memo_put(fs, chain[i], d + n - i);
	return 1;
}

/*
 * Where a directory's own entry is, for an entry not its own: there for the
 * walk to meet (refused), or, entered all the same (return 1 of
 * fs_dir_entered), why not.
 */
enum own_where { OWN_NONE, OWN_NAMELESS, OWN_SAME, OWN_FILED, OWN_AWAY, OWN_THERE };

/* The warning for w: own, the name its inode holds or its own entry's, in parent. */
static void entered_why(char *why, size_t cap, enum own_where w, uint64_t dir, const char *name,
			uint64_t ino, const char *own, uint64_t parent)
{
	static const char *const fmt[] = {
		[OWN_NONE] = "but its inode names '%s' in directory inode %llu, where no entry "
			     "names it: entered through this entry (its inode's parent or name is "
			     "damaged)",
		[OWN_NAMELESS] = "but its inode holds no name%.0s, so its own entry cannot be told "
				 "(its parent is directory inode %llu): entered through this entry, "
				 "the first met",
		[OWN_SAME] = "but its inode holds the name '%s' (parent directory inode %llu), "
			     "which the volume's search of names takes for this entry's though "
			     "the bytes differ: entered through this entry (its inode's name is "
			     "damaged)",
		[OWN_FILED] = "but its own entry, '%s' in directory inode %llu, is not a "
			      "directory's, and no walk enters through it: entered through this "
			      "entry (an entry's type is damaged)",
		[OWN_AWAY] = "but its own entry, '%s' in directory inode %llu, lies where no walk "
			     "comes: a directory on its way from the root is not named by its own "
			     "entry, or it lies below this one: entered through this entry (an "
			     "entry, or a parent or name of an inode, is damaged)",
	};
	int n = snprintf(why, cap, "directory inode %llu is listed in directory inode %llu as "
			 "'%s', ", (unsigned long long)ino, (unsigned long long)dir, name);

	if (n >= 0 && (size_t)n < cap)
		snprintf(why + n, cap - (size_t)n, fmt[w], own, (unsigned long long)parent);
}

/*
 * Entry name of dir, naming directory ino, is not its own, found in parent:
 * where that is (an own_where past OWN_NAMELESS), or -ENOMEM.
 */
static int own_found(struct apfs_fs *fs, uint64_t dir, const char *name, uint64_t ino,
		     uint64_t parent, const struct apfs_dirent *own)
{
	int ret;

	if (parent == dir && !strcmp(own->name, name))
		return OWN_SAME;
	if (own->type != 4) /* a file's entry: no walk enters the directory there */
		return OWN_FILED;
	ret = own_dir_reached(fs, parent, ino);
	return ret < 0 ? ret : ret ? OWN_THERE : OWN_AWAY;
}

/*
 * Entry name of dir, naming directory ino (inode in), is not its own:
 * -ELOOP where its own entry, where the inode says, names it as a
 * directory's and the walk comes to it (the directory is met there); else
 * 1, why said (fs_int.h).  One search of that entry, and where it is found,
 * the way to it from the root (own_dir_reached).  A search that fails (its
 * directory damaged) leaves this entry as the one there may be.
 */
static int not_own(struct apfs_fs *fs, uint64_t dir, const char *name, uint64_t ino,
		   const struct fs_inode *in, char *why, size_t cap)
{
	uint64_t parent = get_le64(in->raw.parent_id);
	struct apfs_dirent own = { 0 };
	enum own_where w = in->name[0] ? OWN_NONE : OWN_NAMELESS;
	int ret = in->name[0] ? fs_entry_names(fs, parent, in->name, ino, &own) : 0;

	if (ret > 0)
		ret = own_found(fs, dir, name, ino, parent, &own);
	if (ret == -ENOMEM)
		return ret;
	if (ret > 0)
		w = (enum own_where)ret;
	if (w == OWN_THERE) {
		snprintf(why, cap, "directory inode %llu is listed in directory inode %llu as '%s', "
			 "but its own entry is '%s' in directory inode %llu: not followed (a "
			 "directory cycle or a directory listed twice)", (unsigned long long)ino,
			 (unsigned long long)dir, name, own.name, (unsigned long long)parent);
		return -ELOOP;
	}
	entered_why(why, cap, w, dir, name, ino, w >= OWN_FILED ? own.name : in->name, parent);
	return 1;
}

/*
 * The rule of a walk for an entry it has read (fs_int.h).  A lookup of a
 * path refuses every entry but a directory's own (dir_link_check); a walk
 * refuses one only where the own entry is there to be walked instead: an
 * entry met first then cannot show the directory under a name not its own,
 * and a directory whose inode's parent or name is damaged, which no lookup
 * follows, is still shown (hiding its subtree would hide data).
 */
/* The private directory's entries, and any naming it: a lookup's rule (logged). */
static int private_rule(struct apfs_fs *fs, uint64_t dir, const char *name, uint64_t ino)
{
	struct apfs_dirent d = { .ino = ino, .type = 4 };
	size_t n = strlen(name);

	if (n >= sizeof(d.name))
		return -ENAMETOOLONG;
	memcpy(d.name, name, n + 1);
	return fs_entry_check(fs, dir, &d);
}

int fs_dir_entered(struct apfs_fs *fs, uint64_t dir, const char *name, uint64_t ino, char *why,
		   size_t cap)
{
	struct fs_inode in;
	int ret;

	*why = '\0';
	/* the private directory's entries obey its rule; it and the root are no one's child */
	if (dir == APFS_PRIV_DIR_INO_NUM || ino == APFS_PRIV_DIR_INO_NUM)
		return private_rule(fs, dir, name, ino);
	if (ino == APFS_ROOT_DIR_INO_NUM) {
		snprintf(why, cap, "the root (inode %llu) is listed in directory inode %llu as '%s': "
			 "not followed (it is no directory's child)", (unsigned long long)ino,
			 (unsigned long long)dir, name);
		return -ELOOP;
	}
	ret = fs_inode_get(fs, ino, &in);
	if (ret)
		return ret;
	if (in.name[0] && get_le64(in.raw.parent_id) == dir && !strcmp(in.name, name))
		return 0;
	return not_own(fs, dir, name, ino, &in, why, cap);
}
