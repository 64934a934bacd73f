# SPDX-License-Identifier: MIT
"""fletcher.py - the Fletcher-64 checksum of an APFS object (Apple's reference, "Object
Checksum"): over the object after its 8-byte o_cksum, in 32-bit little-endian words,
modulo 2^32 - 1.  For the tools that change an object and make its checksum right
again (seal_edit.py, inode_rename.py, drec_retype.py)."""
import itertools
import struct

M = 0xffffffff


def fletcher64(b):
    # The reference's loop adds each word to s1 and s1 to s2, both modulo 2^32 - 1: s1 ends
    # as the words' sum and s2 as the sum of the running sums, each modulo 2^32 - 1 (a
    # modulo taken at every step or once at the end gives the same residue).  Summed in
    # C over the unpacked words: ten times the speed of the loop in Python, which the
    # tools spent most of their time in.
    words = struct.unpack("<%dI" % (len(b) // 4), b)
    s1 = sum(words) % M
    s2 = sum(itertools.accumulate(words)) % M
    lo = M - (s1 + s2) % M
    return (M - (s1 + lo) % M) << 32 | lo
