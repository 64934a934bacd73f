#!/usr/bin/env python3
"""Print the SHA-256 of /lzvn-17m.bin of `mkimage size-claims`, recomputed
from the rule testdata/scen_hostile.c documents (byte i is (i mod 251) XOR
(i >> 16), 272.5 chunks of 64 KiB) so the tests do not take the expected
bytes from our own reader."""
import hashlib

n = 272 * 65536 + 32768
row = bytes(i % 251 for i in range(251)) * (65536 // 251 + 2)
h = hashlib.sha256()
for c in range(273):
    off = c * 65536
    blk = row[off % 251:off % 251 + 65536]
    h.update(blk.translate(bytes(x ^ (c & 0xff) for x in range(256)))[:n - off])
print(h.hexdigest())
