#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""inode_trade.py IMAGE [--copy] - damage the fs tree where two leaves meet between inode
records: the last record of one leaf and the first of the next, both inode records
(j_inode_key_t: type 3) of the same key and value sizes (the first such pair in key
order).  By default the two trade keys and values, so the first leaf ends past the
next one's index key and the next begins below it (both records still in the tree,
each in the other's leaf).  With --copy the first leaf's last record takes the next
leaf's first key and value instead: that inode stands twice, and the first leaf's own
record is gone.  Prints the two inode numbers, traded (or lost, copied) first, then the
block numbers of their two leaves.  Each
node's Fletcher-64 made right again; for unencrypted, unsealed volumes of 4 KiB blocks
(fsnode.py)."""
import sys

from fsnode import sparse_nodes, trade_records, BS, BTNODE_LEAF, TYPE_INODE


def boundary(all_nodes):
    """(leaf, its last index, next leaf) where two leaves meet between inode records."""
    leaves = sorted((n for n in all_nodes if not n.level and n.flags & BTNODE_LEAF),
                    key=lambda n: n.oid_type(0))
    for a, b in zip(leaves, leaves[1:]):
        ia = a.nkeys - 1
        ka, kb = a.entry(ia), b.entry(0)
        if a.oid_type(ia)[1] == b.oid_type(0)[1] == TYPE_INODE and \
                len(ka[1]) == len(kb[1]) and ka[3] == kb[3]:
            return a, ia, b
    sys.exit("inode_trade.py: no two leaves meet between inode records of one size")


def main():
    if len(sys.argv) not in (2, 3) or sys.argv[2:] not in ([], ["--copy"]):
        sys.exit(__doc__.split("\n")[0])
    with open(sys.argv[1], "r+b") as f:
        a, ia, b = boundary(list(sparse_nodes(f)))
        print(a.oid_type(ia)[0], b.oid_type(0)[0], a.base // BS, b.base // BS)
        if sys.argv[2:] == ["--copy"]:
            ka, kb = a.entry(ia), b.entry(0)
            a.blk[ka[0]:ka[0] + len(ka[1])] = kb[1]
            a.blk[ka[2]:ka[2] + ka[3]] = b.blk[kb[2]:kb[2] + kb[3]]
            a.write(f)
        else:
            trade_records(f, a, ia, b, 0, "inode_trade.py")


main()
