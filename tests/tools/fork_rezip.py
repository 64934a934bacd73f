#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""fork_rezip.py IMG APSB_BLOCK STREAM - a zlib-compressed file's resource fork (decmpfs
type 4: a classic resource fork whose data is 'cmpf': a little-endian chunk count, then
(offset, size) per chunk from the data's start, then the chunks; docs/apfs-format.md §8.2)
with its first chunk decompressed, byte 112 of it changed to the byte 19 before it (in
`sealed`'s lines of 19 bytes, line 000005 made a second 000004, which compresses no worse),
and compressed again to exactly its old length (the fork's chunks are contiguous: zlib at
some level, the stream cut into two blocks by a sync flush at some byte): the
fork's stream STREAM found in the sealed volume's file-extent tree as fext_set.py finds it
(the superblock at APSB_BLOCK names the tree).  The fork is outside the fs tree, so no node
hash changes: the file reads as other bytes.  Prints the chunk's old and new sizes."""
import struct
import sys
import zlib

from fext_set import BS, leaf_slots


def refit(raw, size):
    """raw compressed by zlib into exactly size bytes, or exit: at some level, with the
    stream cut into two blocks by a sync flush at some byte (each cut point gives another
    length)."""
    for level in range(9, 0, -1):
        for cut in [len(raw)] + list(range(512, len(raw), 97)):
            z = zlib.compressobj(level)
            out = z.compress(raw[:cut]) + z.flush(zlib.Z_SYNC_FLUSH)
            out += z.compress(raw[cut:]) + z.flush(zlib.Z_FINISH)
            if len(out) == size:
                return out
    sys.exit("fork_rezip.py: no zlib stream of the chunk is %d bytes" % size)


def main():
    if len(sys.argv) != 4:
        sys.exit(__doc__)
    path, apsb, sid = sys.argv[1], int(sys.argv[2], 0), int(sys.argv[3], 0)
    d = bytearray(open(path, "rb").read())
    root = struct.unpack_from("<Q", d, apsb * BS + 1032)[0]
    runs = []
    for n, vo, (pid, logical) in leaf_slots(d, root, True):
        if pid == sid:
            length, phys = struct.unpack_from("<QQ", d, n * BS + vo)
            runs.append((logical, phys, length & ((1 << 56) - 1)))
    if not runs:
        sys.exit("fork_rezip.py: no extent of stream %d" % sid)
    fork = bytearray()
    for logical, phys, length in sorted(runs):
        fork += d[phys * BS:phys * BS + length]
    data = struct.unpack_from(">I", fork, 0)[0] + 4
    off, size = struct.unpack_from("<II", fork, data + 4)
    chunk = bytearray(zlib.decompress(bytes(fork[data + off:data + off + size])))
    chunk[112] = chunk[112 - 19]
    new = refit(bytes(chunk), size)
    fork[data + off:data + off + size] = new
    at = 0
    for logical, phys, length in sorted(runs):
        d[phys * BS:phys * BS + length] = fork[at:at + length]
        at += length
    open(path, "wb").write(d)
    print(size)


main()
