#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""leaf_drop.py IMAGE OID TYPE [K] - of the live tree's leaves (fsnode.live_tree), the
record keyed (OID, TYPE) dropped from its leaf, the records after it moved down (K: the
K-th, from 0, of several such, as a file's sibling links): the leaf stays in order and in
range, and only the record is missing.  Prints "block N slot I"; checksum made right
again; an unencrypted image of 4 KiB blocks; exits nonzero where there is no K-th."""
import sys

from fsnode import BS, drop_slot, live_tree, sparse_nodes


def main():
    if len(sys.argv) not in (4, 5):
        sys.exit(__doc__)
    oid, typ = int(sys.argv[2], 0), int(sys.argv[3], 0)
    k = int(sys.argv[4]) if len(sys.argv) == 5 else 0
    with open(sys.argv[1], "r+b") as f:
        hits = [(n, i) for n in live_tree(list(sparse_nodes(f))).values() if n.level == 0
                for i in range(n.nkeys) if n.oid_type(i) == (oid, typ)]
        if not 0 <= k < len(hits):
            sys.exit("leaf_drop.py: %d records (%d, %d), no record %d" % (len(hits), oid, typ, k))
        n, i = hits[k]
        print("block %d slot %d" % (n.base // BS, i))
        drop_slot(n, i)
        n.write(f)


main()
