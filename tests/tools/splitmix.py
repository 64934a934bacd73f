#!/usr/bin/env python3
"""splitmix.py SIZE SEED [md5|sha256] - digest of the bytes `mkimage bench`
writes to /big.bin, recomputed from testdata/README.md's description
(splitmix64 from the seed, each output little-endian), so tests compare our
reader and the peers against a value none of our code produced."""
import hashlib
import struct
import sys

size, s = int(sys.argv[1]), int(sys.argv[2])
algo = sys.argv[3] if len(sys.argv) > 3 else "sha256"
M = (1 << 64) - 1
out = bytearray()
while len(out) < size:
    s = (s + 0x9e3779b97f4a7c15) & M
    z = s
    z = ((z ^ (z >> 30)) * 0xbf58476d1ce4e5b9) & M
    z = ((z ^ (z >> 27)) * 0x94d049bb133111eb) & M
    out += struct.pack("<Q", z ^ (z >> 31))
print(hashlib.new(algo, bytes(out[:size])).hexdigest())
