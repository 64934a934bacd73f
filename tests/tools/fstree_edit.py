#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""fstree_edit.py IMAGE EDIT ARGS - damage the fs tree of an unencrypted image of 4 KiB
blocks in one of three ways, each node's checksum made right again except where the
checksum is the damage (tests/tools/fsnode.py):

  swap A B    in the leaf holding the inode records of A and B, swap their
              table-of-contents slots: the leaf lists B's record before A's (keys out
              of order, every node's checksum valid);
  rekey I N   in the index node above the leaf holding inode I's record, set the key of
              that leaf's next sibling to inode N's (still above the leaf's own first
              key, so a walk from the start sees every record once, in order; a search
              for a key in [N, the next leaf's first key) lands in the next leaf);
  break I     flip a byte of the leaf holding inode I's record: its checksum fails.

Exactly one node must qualify."""
import struct
import sys

from fsnode import nodes, OID_MASK

TYPE_INODE = 3


def holds(n, ino):
    return n.level == 0 and any(n.oid_type(i) == (ino, TYPE_INODE) for i in range(n.nkeys))


def swap(f, data, a, b):
    for n in nodes(data):
        ia = [i for i in range(n.nkeys) if n.level == 0 and n.oid_type(i) == (a, TYPE_INODE)]
        ib = [i for i in range(n.nkeys) if n.level == 0 and n.oid_type(i) == (b, TYPE_INODE)]
        if ia and ib:
            pa, pb = n.toc(ia[0]), n.toc(ib[0])
            n.blk[pa:pa + 8], n.blk[pb:pb + 8] = n.blk[pb:pb + 8], n.blk[pa:pa + 8]
            n.write(f)
            return
    sys.exit("fstree_edit.py: no leaf holds inodes %d and %d" % (a, b))


def rekey(f, data, ino, new):
    leaf_oids = [struct.unpack_from("<Q", n.blk, 8)[0] for n in nodes(data) if holds(n, ino)]
    for n in nodes(data):
        if n.level != 1:
            continue
        for i in range(n.nkeys - 1):
            _, _, voff, _ = n.entry(i)
            if struct.unpack_from("<Q", n.blk, voff)[0] in leaf_oids:
                k, _, _, _ = n.entry(i + 1)
                struct.pack_into("<Q", n.blk, k, TYPE_INODE << 60 | (new & OID_MASK))
                n.write(f)
                return
    sys.exit("fstree_edit.py: no index node above inode %d's leaf with a next child" % ino)


def spoil(f, data, ino):
    for n in nodes(data):
        if holds(n, ino):
            f.seek(n.base + 8)
            f.write(bytes([n.blk[8] ^ 0xFF]))
            return
    sys.exit("fstree_edit.py: no leaf holds inode %d" % ino)


def main():
    edits = {"swap": (swap, 2), "rekey": (rekey, 2), "break": (spoil, 1)}
    if len(sys.argv) < 3 or sys.argv[2] not in edits or \
            len(sys.argv) != 3 + edits[sys.argv[2]][1]:
        sys.exit(__doc__)
    fn = edits[sys.argv[2]][0]
    with open(sys.argv[1], "r+b") as f:
        data = f.read()
        fn(f, data, *[int(x) for x in sys.argv[3:]])


main()
