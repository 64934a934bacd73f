#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""fork_cut.py IMAGE NAME LEN - the resource fork of the one file named NAME, kept in a
data stream, has its first extent cut to LEN bytes: the bytes of the fork from LEN on
lie in no extent (records lost), and every node stays in order.  Apple's reference:
the xattr record (type 4) keyed by the inode and the name com.apple.ResourceFork holds
j_xattr_val_t (flags, xdata_len) with XATTR_DATA_STREAM (1) and then j_xattr_dstream_t
(xattr_obj_id, ...); the stream's file-extent records (type 8) are keyed by that id,
j_file_extent_val_t's len_and_flags the low 56 bits.  Prints "stream N"; checksums made
right again; an unencrypted image of 4 KiB blocks; exits nonzero where any of it is
not so."""
import struct
import sys

from fsnode import live_tree, named_id, sparse_nodes

TYPE_XATTR, TYPE_FILE_EXTENT, XATTR_DATA_STREAM = 4, 8, 1
FORK = b"com.apple.ResourceFork\0"
LEN_MASK = (1 << 56) - 1


def fork_stream(tree, ino):
    for n in tree:
        for i in range(n.nkeys if n.level == 0 else 0):
            _, k, v, vl = n.entry(i)
            if n.oid_type(i) == (ino, TYPE_XATTR) and k[10:] == FORK and vl >= 12:
                flags = struct.unpack_from("<H", n.blk, v)[0]
                if not flags & XATTR_DATA_STREAM:
                    sys.exit("fork_cut.py: the fork is kept in the record, not a stream")
                return struct.unpack_from("<Q", n.blk, v + 4)[0]
    sys.exit("fork_cut.py: inode %d has no resource fork record" % ino)


def main():
    if len(sys.argv) != 4:
        sys.exit(__doc__)
    name, cut = sys.argv[2].encode(), int(sys.argv[3], 0)
    with open(sys.argv[1], "r+b") as f:
        all_nodes = list(sparse_nodes(f))
        tree = list(live_tree(all_nodes).values())
        sid = fork_stream(tree, named_id(all_nodes, name, "fork_cut.py"))
        hits = [(n, n.entry(i)[2]) for n in tree if n.level == 0
                for i in range(n.nkeys) if n.oid_type(i) == (sid, TYPE_FILE_EXTENT)]
        if not hits:
            sys.exit("fork_cut.py: stream %d has no extent record" % sid)
        n, v = hits[0]
        lf = struct.unpack_from("<Q", n.blk, v)[0]
        if cut >= lf & LEN_MASK:
            sys.exit("fork_cut.py: the extent holds %d bytes, not more than %d" % (lf & LEN_MASK, cut))
        struct.pack_into("<Q", n.blk, v, (lf & ~LEN_MASK) | cut)
        n.write(f)
        print("stream %d" % sid)


main()
