#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""drec_swap.py IMAGE A B - in the one fs-tree leaf that holds the directory records
named A and B, swap their table-of-contents slots: the leaf lists B's record where A's
was and A's where B's was, so its keys no longer ascend; every record is intact and the
node's Fletcher-64 checksum is made right again (a damaged tree apfsck rejects: "keys are
out of order").  Records hashed (j_drec_hashed_key_t, the name after 12 bytes) or not
(j_drec_key_t, after 10).  For unencrypted, unsealed volumes of 4 KiB blocks (fsnode.py)."""
import sys

from fsnode import nodes, drec_name, BTNODE_LEAF


def main():
    if len(sys.argv) != 4:
        sys.exit("usage: drec_swap.py IMAGE A B")
    a, b = sys.argv[2].encode(), sys.argv[3].encode()
    with open(sys.argv[1], "r+b") as f:
        hits = []
        for n in nodes(f.read()):
            if n.level or not n.flags & BTNODE_LEAF:
                continue
            at = {drec_name(n.entry(i)[1]): i for i in range(n.nkeys)}
            if a in at and b in at:
                hits.append((n, at[a], at[b]))
        if len(hits) != 1:
            sys.exit("drec_swap.py: %d leaves hold both %s and %s, not 1" % (len(hits), a, b))
        n, ia, ib = hits[0]
        ta, tb = n.toc(ia), n.toc(ib)
        n.blk[ta:ta + 8], n.blk[tb:tb + 8] = n.blk[tb:tb + 8], n.blk[ta:ta + 8]
        n.write(f)


main()
