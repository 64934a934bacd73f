#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""index_slots.py IMAGE NODE OP... - edit the table of contents of an fs-tree index node of
an unencrypted image of 4 KiB blocks (tests/tools/fsnode.py: kvloc_t slots), its checksum
made right again, for index nodes damaged in ways a sort may or may not mend.  NODE is
`root` (the tree's root, an index node) or `above:B` (the index node whose record names
the node at block B, by its virtual object id); exactly one must qualify, where more do
(an image with snapshots) the live tree's (fsnode.live_tree).  It prints
"block N" and each slot's key as `I: oid type` (before the edit).  OPs:
  swap:I:J     slots I and J trade places (their keys and children with them);
  valdup:I:J   slot I names slot J's child (its key as it was): a child named twice;
  inokey:I:N   slot I's key (8 bytes) becomes the inode record key of inode N: the key
               raised or lowered, its child as it was;
  copy:I:J     slot I becomes a copy of slot J (key and child);
  nkeys:N:0    the node holds N records (btn_nkeys): those past N are dropped;
  drop:I:0     slot I is dropped, those after it moved down (its child lost, with the
               node still in order and in range).
The ops apply in order."""
import struct
import sys

from fsnode import BS, BTNODE_ROOT, drop_slot, live_tree, sparse_nodes

TYPE_INODE = 3
SUBTYPE_FSTREE = 0xE


def find(all_nodes, spec):
    """The index node spec names."""
    if spec == "root":
        hits = [n for n in all_nodes if n.flags & BTNODE_ROOT and n.level > 0 and
                n.subtype == SUBTYPE_FSTREE]
    elif spec.startswith("above:"):
        child = [n for n in all_nodes if n.base // BS == int(spec[6:])]
        oid = struct.unpack_from("<Q", child[0].blk, 8)[0] if len(child) == 1 else None
        hits = [n for n in all_nodes if n.level > 0 and any(
            n.entry(i)[3] == 8 and struct.unpack_from("<Q", n.blk, n.entry(i)[2])[0] == oid
            for i in range(n.nkeys))]
    else:
        sys.exit(__doc__)
    if len(hits) > 1:
        live = [id(n) for n in live_tree(all_nodes).values()]
        hits = [n for n in hits if id(n) in live]
    if len(hits) != 1:
        sys.exit("index_slots.py: %d nodes are %s, not 1" % (len(hits), spec))
    return hits[0]


def main():
    if len(sys.argv) < 4:
        sys.exit(__doc__)
    with open(sys.argv[1], "r+b") as f:
        n = find(list(sparse_nodes(f)), sys.argv[2])
        print("block %d" % (n.base // BS))
        for i in range(n.nkeys):
            print("%d: %s %s" % ((i,) + n.oid_type(i)))
        for op in sys.argv[3:]:
            name, a, b = op.split(":")
            a, b = int(a), int(b)
            ta = n.toc(a) if name not in ("nkeys", "drop") else None
            tb = n.toc(b) if name in ("swap", "valdup", "copy") else None
            if name == "swap":
                n.blk[ta:ta + 8], n.blk[tb:tb + 8] = n.blk[tb:tb + 8], n.blk[ta:ta + 8]
            elif name == "valdup":
                n.blk[ta + 4:ta + 8] = n.blk[tb + 4:tb + 8]
            elif name == "copy":
                n.blk[ta:ta + 8] = bytes(n.blk[tb:tb + 8])
            elif name == "drop":
                drop_slot(n, a)
            elif name == "nkeys":
                struct.pack_into("<I", n.blk, 36, a)  # btree_node_phys_t's btn_nkeys
                n.nkeys = a
            elif name == "inokey":
                k, key = n.entry(a)[:2]
                if len(key) != 8:
                    sys.exit("index_slots.py: slot %d's key is not an inode key" % a)
                struct.pack_into("<Q", n.blk, k, TYPE_INODE << 60 | b)
            else:
                sys.exit(__doc__)
        n.write(f)


main()
