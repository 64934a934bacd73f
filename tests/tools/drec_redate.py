#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""drec_redate.py IMAGE - give every directory record named fNNNNNNNN.txt (README
`scale`) its own date added (j_drec_val_t.date_added, 8 bytes after the 8-byte file
id): 1,600,000,000 s after 1970 plus NNNNNNNN x 1,000,003 ns, so that a reader that
pairs an entry with another entry's date is caught.  In place; each node's Fletcher-64
is made right again.  For unencrypted, unsealed volumes of 4 KiB blocks with hashed
directory records (fsnode.py).  Prints how many records it changed."""
import re
import struct
import sys

from fsnode import sparse_nodes

BASE = 1600000000 * 10**9
STEP = 1000003
NAME = re.compile(rb"f([0-9]{8})\.txt")


def main():
    if len(sys.argv) != 2:
        sys.exit("usage: drec_redate.py IMAGE")
    changed = 0
    with open(sys.argv[1], "r+b") as f:
        for n in list(sparse_nodes(f)):   # read whole before any write
            hits = [(int(m.group(1)), v) for nm, v in n.drecs() if (m := NAME.fullmatch(nm))]
            for j, v in hits:
                struct.pack_into("<Q", n.blk, v + 8, BASE + j * STEP)
            if hits:
                n.write(f)
                changed += len(hits)
    print(changed)


main()
