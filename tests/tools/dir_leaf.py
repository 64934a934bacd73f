#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""dir_leaf.py IMAGE NAME [K] [--index] - the K-th (from 1; default 2; "last": the last
but one) of the fs-tree leaves that hold directory records of the one directory named
NAME, in key order (by the hash field, then the name, of their smallest key; by the name
where keys are not hashed):
its block number on the first line, then the names of that directory it holds, one a
line.  With --index, the same of the index nodes one level above the leaves, each
holding the names of its children (found by their virtual object ids, each its newest
version).  For tests that damage one node of a directory and check what a listing still
shows.  An unencrypted image of 4 KiB blocks, read by its own parser (fsnode.py); exits
nonzero unless the directory spans K + 1 such nodes or more (the node is then not its
last)."""
import struct
import sys

from fsnode import TYPE_DIR_REC, drec_name, named_id, newest, sparse_nodes


def order(k):
    """A directory record key's place among its directory's: a hashed key by its hash
    field (as an integer) then name, an unhashed one by its name."""
    hashed = len(k) > 12 and struct.unpack_from("<I", k, 8)[0] & 0x3FF == len(k) - 12
    return (struct.unpack_from("<I", k, 8)[0], drec_name(k)) if hashed else (0, drec_name(k))


def newest_of(all_nodes, level):
    """Each virtual object id's newest node, where it is of that level."""
    return {oid: n for oid, n in newest(all_nodes).items() if n.level == level}


def children(n, leaves):
    """The leaves an index node's records name (8-byte values: the child's oid)."""
    for i in range(n.nkeys):
        _, _, v, vl = n.entry(i)
        oid = struct.unpack_from("<Q", n.blk, v)[0]
        if vl == 8 and oid in leaves:
            yield leaves[oid]


def main():
    args = [a for a in sys.argv[1:] if a != "--index"]
    index = len(args) < len(sys.argv) - 1
    img, name = args[0], args[1].encode()
    k = args[2] if len(args) > 2 else "2"
    with open(img, "rb") as f:
        all_nodes = list(sparse_nodes(f))
    d = named_id(all_nodes, name, "dir_leaf.py")
    leaves = newest_of(all_nodes, 0)
    found = []
    for n in newest_of(all_nodes, 1).values() if index else leaves.values():
        below = list(children(n, leaves)) if index else [n]
        keys = [c.entry(i)[1] for c in below for i in range(c.nkeys)
                if c.oid_type(i) == (d, TYPE_DIR_REC)]
        if keys:
            found.append((min(order(k) for k in keys), n, keys))
    found.sort(key=lambda t: t[0])
    k = len(found) - 1 if k == "last" else int(k)
    if k < 1 or len(found) <= k:   # "last" of one node: none but the last
        sys.exit("dir_leaf.py: %s in %d nodes, not %d or more"
                 % (name.decode(), len(found), max(k, 1) + 1))
    _, n, keys = found[k - 1]
    print(n.base // 4096)
    for key in keys:
        print(drec_name(key).decode())


main()
