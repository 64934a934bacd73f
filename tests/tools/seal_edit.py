#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""seal_edit.py IN OUT EDIT [XID] - a sealed image with its integrity metadata changed
(and its Fletcher-64 checksum made right again, so only the seal's own fields
tell): EDIT is broken-xid=N (im_broken_xid, byte 48), broken-flag
(im_flags APFS_SEAL_BROKEN, byte 36), intact (both made 0), root-hash (the root hash's last byte
flipped), no-root-hash (im_root_hash_offset, byte 44, made 0) or bad-checksum
(byte 100 flipped, the checksum left as it was: the object fails it).  The object is found by its type (0x1e, integrity_meta_phys in
Apple's reference) and a valid checksum, at 4 KiB blocks; exactly one must be (with XID,
exactly one whose object header's o_xid, byte 16, is XID: a snapshot's or the live one's).
"""
import struct
import sys

from fletcher import fletcher64


def edit(blk, what):
    if what.startswith("broken-xid="):
        struct.pack_into("<Q", blk, 48, int(what.split("=", 1)[1]))
    elif what == "broken-flag":
        struct.pack_into("<I", blk, 36, 1)
    elif what == "intact":
        struct.pack_into("<I", blk, 36, 0)
        struct.pack_into("<Q", blk, 48, 0)
    elif what == "root-hash":
        at = struct.unpack_from("<I", blk, 44)[0] + 31
        blk[at] ^= 1
    elif what == "no-root-hash":
        struct.pack_into("<I", blk, 44, 0)
    elif what == "bad-checksum":
        blk[100] ^= 1
    else:
        sys.exit("seal_edit.py: unknown edit " + what)


def main():
    d = bytearray(open(sys.argv[1], "rb").read())
    found = 0
    for o in range(0, len(d), 4096):
        blk = d[o:o + 4096]
        if struct.unpack_from("<I", blk, 24)[0] & 0xffff != 0x1e:
            continue
        if struct.unpack_from("<Q", blk, 0)[0] != fletcher64(blk[8:]):
            continue
        if len(sys.argv) > 4 and struct.unpack_from("<Q", blk, 16)[0] != int(sys.argv[4]):
            continue
        edit(blk, sys.argv[3])
        if sys.argv[3] != "bad-checksum":
            struct.pack_into("<Q", blk, 0, fletcher64(blk[8:]))
        d[o:o + 4096] = blk
        found += 1
    if found != 1:
        sys.exit("seal_edit.py: %d integrity metadata objects found" % found)
    open(sys.argv[2], "wb").write(d)


main()
