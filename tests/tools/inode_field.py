#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""inode_field.py IMAGE INO FIELD VALUE - in the live tree (fsnode.live_tree), a field of
inode INO's record (j_inode_val_t, Apple's reference) set to VALUE (decimal or 0x-hex;
`|0x...` ORs it in, `+N` adds): parent_id (byte 0, 64 bits), internal_flags (byte 48, 64
bits), nchildren (byte 56, 32 bits: a directory's count of entries) or bsd_flags (byte 68,
32 bits).  For a file the generator does not make: one whose parent_id is the private
directory (3: apfsck reports it, since a real orphan keeps its parent and only its entry
moves there), one of link count 0 (nchildren, a file's nlink: an orphan's), a dataless one (bsd_flags SF_DATALESS 0x40000000), one whose flags claim an
xattr it lacks (internal_flags INODE_HAS_SECURITY_EA 0x40), a directory whose count is
off (nchildren +1).  Checksum made right again; an unencrypted image of 4 KiB blocks;
exits nonzero unless exactly one record matches."""
import struct
import sys

from fsnode import TYPE_INODE, live_tree, sparse_nodes

FIELDS = {"parent_id": (0, "<Q"), "internal_flags": (48, "<Q"), "nchildren": (56, "<I"),
          "bsd_flags": (68, "<I")}


def main():
    if len(sys.argv) != 5 or sys.argv[3] not in FIELDS:
        sys.exit(__doc__)
    ino, (at, fmt) = int(sys.argv[2], 0), FIELDS[sys.argv[3]]
    with open(sys.argv[1], "r+b") as f:
        hits = [(n, n.entry(i)[2]) for n in live_tree(list(sparse_nodes(f))).values()
                if n.level == 0 for i in range(n.nkeys) if n.oid_type(i) == (ino, TYPE_INODE)]
        if len(hits) != 1:
            sys.exit("inode_field.py: %d inode records of %d, not 1" % (len(hits), ino))
        n, v = hits[0]
        value = sys.argv[4]
        old = struct.unpack_from(fmt, n.blk, v + at)[0]
        new = int(value[1:], 0) | old if value.startswith("|") else \
            old + int(value[1:], 0) if value.startswith("+") else int(value, 0)
        struct.pack_into(fmt, n.blk, v + at, new)
        n.write(f)


main()
