#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""inode_name.py IMAGE INO NAME - in the live tree (fsnode.live_tree), the name inode INO's
record holds (its INO_EXT_TYPE_NAME extended field, type 4: j_inode_val_t's xfields after
its 92 fixed bytes, Apple's reference "Extended Fields") set to NAME, NUL-padded within the
field as it is (NAME must be shorter than the field), leaving every directory record as it
is: for an inode whose own name forges where its entry is (the private directory's inode
named as an entry that names it).  inode_rename.py changes a name to one of the same length
by its text; this one by the inode's number, to any shorter one.  Checksum made right
again; an unencrypted image of 4 KiB blocks; exits nonzero unless exactly one record and
one name field match."""
import struct
import sys

from fsnode import TYPE_INODE, live_tree, sparse_nodes

XF_NAME = 4


def name_field(blk, v, vl):
    """(offset, size) in blk of the name field of the inode value at v (vl bytes)."""
    if vl < 96:
        sys.exit("inode_name.py: the inode record has no extended fields")
    num = struct.unpack_from("<H", blk, v + 92)[0]
    at = v + 96 + 4 * num
    for j in range(num):
        xtype, _, size = struct.unpack_from("<BBH", blk, v + 96 + 4 * j)
        if xtype == XF_NAME:
            return at, size
        at += (size + 7) & ~7
    sys.exit("inode_name.py: the inode record has no name field")


def main():
    if len(sys.argv) != 4:
        sys.exit(__doc__)
    ino, name = int(sys.argv[2], 0), sys.argv[3].encode()
    with open(sys.argv[1], "r+b") as f:
        hits = [(n, n.entry(i)) for n in live_tree(list(sparse_nodes(f))).values()
                if n.level == 0 for i in range(n.nkeys) if n.oid_type(i) == (ino, TYPE_INODE)]
        if len(hits) != 1:
            sys.exit("inode_name.py: %d inode records of %d, not 1" % (len(hits), ino))
        n, (_, _, v, vl) = hits[0]
        at, size = name_field(n.blk, v, vl)
        if len(name) >= size:
            sys.exit("inode_name.py: %s does not fit the field's %d bytes" % (sys.argv[3], size))
        n.blk[at:at + size] = name + bytes(size - len(name))
        n.write(f)


main()
