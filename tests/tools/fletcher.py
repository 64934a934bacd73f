# SPDX-License-Identifier: MIT
"""fletcher.py - the Fletcher-64 checksum of an APFS object (Apple's reference, "Object
Checksum"): over the object after its 8-byte o_cksum, in 32-bit little-endian words,
modulo 2^32 - 1.  For the tools that change an object and make its checksum right
again (seal_edit.py, inode_rename.py, drec_retype.py)."""
import struct


def fletcher64(b):
    s1 = s2 = 0
    for (w,) in struct.iter_unpack("<I", b):
        s1 = (s1 + w) % 0xffffffff
        s2 = (s2 + s1) % 0xffffffff
    lo = 0xffffffff - (s1 + s2) % 0xffffffff
    return (0xffffffff - (s1 + lo) % 0xffffffff) << 32 | lo
