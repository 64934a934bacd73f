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
  break I     flip a byte of the leaf holding inode I's record: its checksum fails;
  after F T N in the leaf holding record N (from 0, in key order) of type T of file F
              (an inode number, or the name of one directory record), swap its slot
              with that of the leaf's first record of a larger object: a walk over F's
              records of type T from their key meets another object's key before it.

Exactly one node must qualify."""
import struct
import sys

from fsnode import nodes, sparse_nodes, OID_MASK

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


def file_id(all_nodes, f):
    """F as an inode number: itself, or what the one directory record named F points to."""
    if f.isdigit():
        return int(f)
    ids = [struct.unpack_from("<Q", n.blk, v)[0] for n in all_nodes
           for nm, v in n.drecs() if nm == f.encode()]
    if len(ids) != 1:
        sys.exit("fstree_edit.py: %d records named %s found, not 1" % (len(ids), f))
    return ids[0]


def after(f, f_name, rtype, nth):
    """The edit 'after', reading only the image's data regions (a sparse GiB is fine)."""
    all_nodes = list(sparse_nodes(f))
    oid, rtype, nth = file_id(all_nodes, f_name), int(rtype), int(nth)
    for n in all_nodes:
        mine = [i for i in range(n.nkeys) if n.level == 0 and n.oid_type(i) == (oid, rtype)]
        later = [i for i in range(n.nkeys) if n.level == 0 and n.oid_type(i)[0] > oid]
        if len(mine) > nth and later:
            pa, pb = n.toc(mine[nth]), n.toc(later[0])
            n.blk[pa:pa + 8], n.blk[pb:pb + 8] = n.blk[pb:pb + 8], n.blk[pa:pa + 8]
            n.write(f)
            return
    sys.exit("fstree_edit.py: no leaf holds record %d of type %d of %d and a later object's"
             % (nth, rtype, oid))


def main():
    edits = {"swap": (swap, 2), "rekey": (rekey, 2), "break": (spoil, 1), "after": (after, 3)}
    if len(sys.argv) < 3 or sys.argv[2] not in edits or \
            len(sys.argv) != 3 + edits[sys.argv[2]][1]:
        sys.exit(__doc__)
    fn = edits[sys.argv[2]][0]
    with open(sys.argv[1], "r+b") as f:
        if fn is after:
            return after(f, *sys.argv[3:])
        data = f.read()
        fn(f, data, *[int(x) for x in sys.argv[3:]])


main()
