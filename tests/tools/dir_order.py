#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""dir_order.py IMAGE DIR - the names of directory DIR's entries (its directory records)
in the order the live fs tree stores them: its root's entries in order, each index
entry's child before the next (fsnode.newest: each virtual id's newest node), which is the
order of the keys, so the order a reader walking the directory meets them.  For a test
that needs that order without taking it from the reader under test.  An unencrypted image
of 4 KiB blocks."""
import struct
import sys

from fsnode import BTNODE_ROOT, TYPE_DIR_REC, drec_name, newest, sparse_nodes


def walk(n, by_oid, key, depth=0):
    """The names of the records of n's subtree whose key header is key, in order."""
    if depth > 16:
        sys.exit("dir_order.py: the tree is deeper than 16 levels")
    for i in range(n.nkeys):
        _, k, v, vl = n.entry(i)
        if n.level:
            child = by_oid.get(struct.unpack_from("<Q", n.blk, v)[0]) if vl == 8 else None
            if child is None:
                sys.exit("dir_order.py: an index entry names no node")
            yield from walk(child, by_oid, key, depth + 1)
        elif len(k) >= 8 and struct.unpack_from("<Q", k)[0] == key:
            yield drec_name(k)


def main():
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    with open(sys.argv[1], "rb") as f:
        by_oid = newest(list(sparse_nodes(f)))
    roots = [n for n in by_oid.values() if n.flags & BTNODE_ROOT and n.subtype == 0xE]
    if not roots:
        sys.exit("dir_order.py: no fs-tree root")
    root = max(roots, key=lambda n: struct.unpack_from("<Q", n.blk, 16)[0])
    for name in walk(root, by_oid, TYPE_DIR_REC << 60 | int(sys.argv[2], 0)):
        print(name.decode("utf-8", "backslashreplace"))


main()
