#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""dir_leaf.py IMAGE NAME [K] - the K-th (from 1; default 2) of the fs-tree leaves that
hold directory records of the one directory named NAME, in key order (by the hash field,
then the name, of their smallest key; by the name where keys are not hashed): its block number on the first line,
then the names of that directory it holds, one a line.  For tests that damage one leaf of
a directory and check what a listing still shows.  An unencrypted image of 4 KiB blocks,
read by its own parser (fsnode.py); exits nonzero unless the directory spans K + 1 leaves
or more (the leaf is then not its last)."""
import struct
import sys

from fsnode import TYPE_DIR_REC, drec_name, named_id, sparse_nodes


def order(k):
    """A directory record key's place among its directory's: a hashed key by its hash
    field (as an integer) then name, an unhashed one by its name."""
    hashed = len(k) > 12 and struct.unpack_from("<I", k, 8)[0] & 0x3FF == len(k) - 12
    return (struct.unpack_from("<I", k, 8)[0], drec_name(k)) if hashed else (0, drec_name(k))


def main():
    img, name = sys.argv[1], sys.argv[2].encode()
    k = int(sys.argv[3]) if len(sys.argv) > 3 else 2
    with open(img, "rb") as f:
        all_nodes = list(sparse_nodes(f))
    d = named_id(all_nodes, name, "dir_leaf.py")
    leaves = []
    for n in all_nodes:
        if n.level:
            continue
        keys = [n.entry(i)[1] for i in range(n.nkeys) if n.oid_type(i) == (d, TYPE_DIR_REC)]
        if keys:
            leaves.append((min(order(k) for k in keys), n, keys))
    leaves.sort(key=lambda t: t[0])
    if len(leaves) <= k:
        sys.exit("dir_leaf.py: %s in %d leaves, not %d or more" % (name.decode(), len(leaves), k + 1))
    _, n, keys = leaves[k - 1]
    print(n.base // 4096)
    for key in keys:
        print(drec_name(key).decode())


main()
