#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""drec_swap.py IMAGE A B - swap the directory records named A and B, every record
intact and each node's Fletcher-64 checksum made right again.  In one fs-tree leaf: their
table-of-contents slots are swapped, so the leaf lists B's record where A's was and A's
where B's was, and its keys no longer ascend.  In two leaves (A's key and value the same
sizes as B's): their keys and values trade places, so each leaf may still ascend while the
order breaks across the two (give the last record of one leaf and the first of the next:
the first leaf then ends past the next one's index key, the next begins below it).  Both
are damaged trees apfsck rejects ("keys are out of order").  Records hashed
(j_drec_hashed_key_t, the name after 12 bytes) or not (j_drec_key_t, after 10).  For
unencrypted, unsealed volumes of 4 KiB blocks (fsnode.py).

drec_swap.py IMAGE --rekey A - in the index node above the leaf holding A's record, the
key of that leaf's next sibling becomes A's (the two keys the same size).  Every record
stays where it is: the next leaf then begins past its parent's key for it, and A's leaf
holds A at its upper bound (give A's leaf's last record: the keys still ascend one by one
through the leaves, but a search for A lands in the next leaf).

drec_swap.py IMAGE --raise A - the key of A's own leaf in that index node becomes A's
(give a leaf's second record: its first then stands below its range)."""
import struct
import sys

from fsnode import sparse_nodes, drec_name, swap_slots, trade_records, BTNODE_LEAF


def leaf_names(all_nodes):
    """(node, {name: entry index}) of every leaf holding directory records."""
    for n in all_nodes:
        if not n.level and n.flags & BTNODE_LEAF:
            yield n, {drec_name(n.entry(i)[1]): i for i in range(n.nkeys)}


def rekey(f, all_nodes, a, own=False):
    """The index key above the leaf after A's (own: above A's leaf) becomes A's key."""
    leaves = [(n, at[a]) for n, at in leaf_names(all_nodes) if a in at]
    if len(leaves) != 1:
        sys.exit("drec_swap.py: %s is not in one leaf" % a.decode())
    leaf, i = leaves[0]
    key, oid = leaf.entry(i)[1], struct.unpack_from("<Q", leaf.blk, 8)[0]
    for n in all_nodes:
        for j in range(n.nkeys - (0 if own else 1) if n.level == 1 else 0):
            _, _, v, _ = n.entry(j)
            if struct.unpack_from("<Q", n.blk, v)[0] != oid:
                continue
            k, old, _, _ = n.entry(j if own else j + 1)
            if len(old) != len(key):
                sys.exit("drec_swap.py: the next leaf's key and %s's differ in size" % a.decode())
            n.blk[k:k + len(key)] = key
            n.write(f)
            return
    sys.exit("drec_swap.py: no index node above %s's leaf with a next child" % a.decode())


def main():
    if len(sys.argv) == 4 and sys.argv[2] in ("--rekey", "--raise"):
        with open(sys.argv[1], "r+b") as f:
            rekey(f, list(sparse_nodes(f)), sys.argv[3].encode(), sys.argv[2] == "--raise")
        return
    if len(sys.argv) != 4:
        sys.exit("usage: drec_swap.py IMAGE A B | IMAGE --rekey A | IMAGE --raise A")
    a, b = sys.argv[2].encode(), sys.argv[3].encode()
    with open(sys.argv[1], "r+b") as f:
        leaves = list(leaf_names(sparse_nodes(f)))
        both = [(n, at[a], at[b]) for n, at in leaves if a in at and b in at]
        ha = [(n, at[a]) for n, at in leaves if a in at]
        hb = [(n, at[b]) for n, at in leaves if b in at]
        if len(both) == 1:
            swap_slots(f, *both[0])
        elif not both and len(ha) == 1 and len(hb) == 1:
            trade_records(f, *ha[0], *hb[0], "drec_swap.py")
        else:
            sys.exit("drec_swap.py: %s and %s are not each in one leaf" % (a, b))


main()
