#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""extent_set.py IMAGE OID K [phys=N] [len=N] - of the live tree's file-extent records
(type 8) keyed by OID (fsnode.live_tree), the K-th (from 0, in leaf order) given a new
phys_block_num and/or length (Apple's reference: j_file_extent_val_t is len_and_flags,
the length in its low 56 bits, then phys_block_num, then crypto_id).  Prints
"block N slot I"; checksum made right again; an unencrypted image of 4 KiB blocks;
exits nonzero where there is no K-th."""
import struct
import sys

from fsnode import BS, live_tree, sparse_nodes

LEN_MASK = (1 << 56) - 1


def main():
    if len(sys.argv) < 5:
        sys.exit(__doc__)
    oid, k = int(sys.argv[2], 0), int(sys.argv[3])
    sets = dict(a.split("=", 1) for a in sys.argv[4:])
    if not sets or set(sets) - {"phys", "len"}:
        sys.exit(__doc__)
    with open(sys.argv[1], "r+b") as f:
        hits = [(n, i) for n in live_tree(list(sparse_nodes(f))).values() if n.level == 0
                for i in range(n.nkeys) if n.oid_type(i) == (oid, 8)]
        if not 0 <= k < len(hits):
            sys.exit("extent_set.py: %d extent records of %d, no record %d" % (len(hits), oid, k))
        n, i = hits[k]
        v = n.entry(i)[2]
        lf, phys = struct.unpack_from("<QQ", n.blk, v)
        if "len" in sets:
            lf = (lf & ~LEN_MASK) | int(sets["len"], 0)
        if "phys" in sets:
            phys = int(sets["phys"], 0)
        struct.pack_into("<QQ", n.blk, v, lf, phys)
        n.write(f)
        print("block %d slot %d" % (n.base // BS, i))


main()
