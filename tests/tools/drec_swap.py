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
unencrypted, unsealed volumes of 4 KiB blocks (fsnode.py)."""
import sys

from fsnode import nodes, drec_name, swap_slots, trade_records, BTNODE_LEAF


def leaf_names(all_nodes):
    """(node, {name: entry index}) of every leaf holding directory records."""
    for n in all_nodes:
        if not n.level and n.flags & BTNODE_LEAF:
            yield n, {drec_name(n.entry(i)[1]): i for i in range(n.nkeys)}


def main():
    if len(sys.argv) != 4:
        sys.exit("usage: drec_swap.py IMAGE A B")
    a, b = sys.argv[2].encode(), sys.argv[3].encode()
    with open(sys.argv[1], "r+b") as f:
        leaves = list(leaf_names(nodes(f.read())))
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
