/* SPDX-License-Identifier: MIT */
/*
 * ino.c - FUSE inode numbers are the library's, so the daemon keeps no
 * table of them: the kernel's number is all a request needs, however many
 * inodes the kernel holds.  Two exceptions, both reversible without state:
 * FUSE's root is 1 where APFS's is 2 (APFS's 1 is the root's parent, never
 * shown), or 3 under --private-dir (af->top), a resource fork is its file's
 * number with AFUSE_FORK_BIT, and a merged root's directory seen on its
 * second path (and all below it) has AFUSE_ALIAS_BIT (ll_lookup.c).
 *
 * A number the library gives that would collide with those (0, 1, or one
 * with the fork bit: only a damaged or hostile image's entry, as a
 * volume's numbers are 60-bit object ids and a merged root's tags are 1
 * and 2 in bits 60-63, apfs/fs_group.c) is never handed to the kernel as
 * an inode: its lookup fails with EIO.  Under --private-dir the root (2),
 * whose tree that mount does not show, is an inode like any other (its
 * number is its own), but no lookup reaches it, nor the private directory
 * again: the library follows no entry naming either as a directory
 * (apfs/fs_dir.c, fs_private.c), and ll_lookup.c takes no directory listed
 * as something else.
 */
#include "afuse.h"

bool afuse_ino_ok(uint64_t ino)
{
	return ino > FUSE_ROOT_ID && !(ino & (AFUSE_FORK_BIT | AFUSE_ALIAS_BIT));
}

uint64_t afuse_ino_to_fuse(const struct afuse *af, uint64_t ino)
{
	return ino == af->top ? FUSE_ROOT_ID : ino;
}

/* A fork's number keeps its bit: the fork's own code (namedfork.c) takes it off. */
uint64_t afuse_ino_from_fuse(const struct afuse *af, fuse_ino_t ino)
{
	return ino == FUSE_ROOT_ID ? af->top : (uint64_t)ino & ~AFUSE_ALIAS_BIT;
}
