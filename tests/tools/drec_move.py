#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""drec_move.py IMAGE NAME DIR - the one directory record named NAME in the live tree
(fsnode.live_tree) moved, in its leaf, to directory DIR: its key's object id becomes DIR,
the leaf's table of contents sorted again by (object id, type), the rest in the order it
had, and the old directory's inode (in the same leaf) counts one entry less
(j_inode_val_t's nchildren, byte 56), so the tree stays sound as a tree.  For a layout
a generator does not make, such as an entry of the purgeable directory (7: apfsck dir.c),
which has no inode record.  Checksum made right again; an unencrypted image of 4 KiB
blocks; exits nonzero unless exactly one record and its old directory's inode match."""
import struct
import sys

from fsnode import TYPE_INODE, one_drec_arg

OID_MASK = (1 << 60) - 1


def main():
    with one_drec_arg(__doc__, "drec_move.py") as (f, n, i, new):
        k = n.entry(i)[0]
        h = struct.unpack_from("<Q", n.blk, k)[0]
        old = h & OID_MASK
        struct.pack_into("<Q", n.blk, k, (h & ~OID_MASK) | new)
        inode = [j for j in range(n.nkeys) if n.oid_type(j) == (old, TYPE_INODE)]
        if len(inode) != 1:
            sys.exit("drec_move.py: directory %d's inode is not in the record's leaf" % old)
        v = n.entry(inode[0])[2]
        struct.pack_into("<i", n.blk, v + 56, struct.unpack_from("<i", n.blk, v + 56)[0] - 1)
        slots = [bytes(n.blk[n.toc(j):n.toc(j) + 8]) for j in range(n.nkeys)]
        order = sorted(range(n.nkeys), key=lambda j: n.oid_type(j))
        for to, j in enumerate(order):
            n.blk[n.toc(to):n.toc(to) + 8] = slots[j]
        n.write(f)


main()
