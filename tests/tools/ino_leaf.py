#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""ino_leaf.py IMAGE NAME [K] - of the live tree (the nodes the newest fs-tree root
reaches, fsnode.live_tree: on an image with snapshots, not a snapshot's older ones), the
leaf K places (default 1; 0: itself) after the one that holds the inode record of the file
its one directory record named NAME points to, under the same index node: "BLOCK SLOT" on the first line (SLOT: its record's place in
that index node), then each record it holds as "OID TYPE" (its key's object id and record
type), one a line.  For a test that drops that leaf from the live tree alone
(index_slots.py IMAGE above:BLOCK drop:SLOT:0) where NAME's inode record was rewritten
since a snapshot (so is the index node above it).  An unencrypted image of 4 KiB blocks,
read by its own parser (fsnode.py); exits nonzero unless each step finds exactly one."""
import struct
import sys

from fsnode import BS, TYPE_INODE, live_tree, named_id, sparse_nodes


def child_oids(n):
    """The virtual object ids an index node's records name (8-byte values)."""
    return [struct.unpack_from("<Q", n.blk, n.entry(i)[2])[0] if n.entry(i)[3] == 8 else None
            for i in range(n.nkeys)]


def one(hits, what):
    if len(hits) != 1:
        sys.exit("ino_leaf.py: %d %s found, not 1" % (len(hits), what))
    return hits[0]


def main():
    if len(sys.argv) not in (3, 4):
        sys.exit(__doc__)
    k = int(sys.argv[3]) if len(sys.argv) == 4 else 1
    with open(sys.argv[1], "rb") as f:
        all_nodes = list(sparse_nodes(f))
    live = live_tree(all_nodes)
    ino = named_id(list(live.values()), sys.argv[2].encode(), "ino_leaf.py")
    leaf = one([oid for oid, n in live.items() if n.level == 0 and
                any(n.oid_type(i) == (ino, TYPE_INODE) for i in range(n.nkeys))],
               "live leaves holding inode %d" % ino)
    above = one([n for n in live.values() if n.level > 0 and leaf in child_oids(n)],
                "live index nodes above its leaf")
    slot = child_oids(above).index(leaf) + k
    if slot >= above.nkeys or child_oids(above)[slot] not in live:
        sys.exit("ino_leaf.py: under its index node, no leaf %d after its own" % k)
    nxt = live[child_oids(above)[slot]]
    print("%d %d" % (nxt.base // BS, slot))
    for i in range(nxt.nkeys):
        print("%s %s" % nxt.oid_type(i))


main()
