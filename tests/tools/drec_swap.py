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

from fsnode import nodes, drec_name, BTNODE_LEAF


def leaf_names(all_nodes):
    """(node, {name: entry index}) of every leaf holding directory records."""
    for n in all_nodes:
        if not n.level and n.flags & BTNODE_LEAF:
            yield n, {drec_name(n.entry(i)[1]): i for i in range(n.nkeys)}


def swap_slots(f, n, ia, ib):
    ta, tb = n.toc(ia), n.toc(ib)
    n.blk[ta:ta + 8], n.blk[tb:tb + 8] = n.blk[tb:tb + 8], n.blk[ta:ta + 8]
    n.write(f)


def swap_records(f, na, ia, nb, ib):
    ka, kb, va, vb = na.entry(ia), nb.entry(ib), None, None
    if len(ka[1]) != len(kb[1]) or ka[3] != kb[3]:
        sys.exit("drec_swap.py: the two records differ in size; cannot trade places")
    va, vb = bytes(na.blk[ka[2]:ka[2] + ka[3]]), bytes(nb.blk[kb[2]:kb[2] + kb[3]])
    na.blk[ka[0]:ka[0] + len(ka[1])], nb.blk[kb[0]:kb[0] + len(kb[1])] = kb[1], ka[1]
    na.blk[ka[2]:ka[2] + ka[3]], nb.blk[kb[2]:kb[2] + kb[3]] = vb, va
    na.write(f)
    nb.write(f)


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
            swap_records(f, *ha[0], *hb[0])
        else:
            sys.exit("drec_swap.py: %s and %s are not each in one leaf" % (a, b))


main()
