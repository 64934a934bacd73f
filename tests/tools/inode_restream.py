#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""inode_restream.py IMAGE NAME ID - forge, in place, the private id (j_inode_val_t's
second 8 bytes: the number of the file's data stream, whose extent records are keyed by
it) of the inode that the one directory record named NAME points to, to ID (decimal or
0x-hex).  The node's Fletcher-64 checksum is made right again.  For unencrypted, unsealed
volumes of 4 KiB blocks with hashed directory records (fsnode.py): exactly one record
named NAME, and exactly one inode record of its file id, must be found."""
import struct
import sys

from fsnode import nodes

TYPE_INODE = 3


def main():
    if len(sys.argv) != 4:
        sys.exit("usage: inode_restream.py IMAGE NAME ID")
    name, sid = sys.argv[2].encode(), int(sys.argv[3], 0)
    with open(sys.argv[1], "r+b") as f:
        all_nodes = list(nodes(f.read()))
        ids = [struct.unpack_from("<Q", n.blk, v)[0] for n in all_nodes
               for nm, v in n.drecs() if nm == name]
        if len(ids) != 1:
            sys.exit("inode_restream.py: %d records named %s found, not 1" % (len(ids), sys.argv[2]))
        hits = [(n, n.entry(i)) for n in all_nodes if n.level == 0
                for i in range(n.nkeys) if n.oid_type(i) == (ids[0], TYPE_INODE)]
        if len(hits) != 1:
            sys.exit("inode_restream.py: %d inode records of %d found, not 1" % (len(hits), ids[0]))
        n, (_, _, v, vl) = hits[0]
        if vl < 16:
            sys.exit("inode_restream.py: inode record of %d too short" % ids[0])
        struct.pack_into("<Q", n.blk, v + 8, sid)
        n.write(f)


main()
