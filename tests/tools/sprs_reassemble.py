#!/usr/bin/env python3
"""sprs_reassemble.py SPARSEIMAGE OUT.raw [--expect-index-nodes N]

An independent reading of an Apple sparse image, written from the field
tables of docs/containers.md §1 alone (not from image/sparseimage.c): walk
the header node and the index-node chain, place every mapped band at its
logical offset, leave the rest zero, and write the logical image.  The tests
compare OUT with the generator's raw output byte for byte, so a wrong offset
in either the writer or the description's reading shows.

Prints one line: "bands=B nodes=N band_size=S size=Z order=sequential|shuffled".
"""
import struct
import sys

NODE = 4096


def be32(b, o):
    return struct.unpack_from('>I', b, o)[0]


def be64(b, o):
    return struct.unpack_from('>Q', b, o)[0]


def main():
    src, dst = sys.argv[1], sys.argv[2]
    data = open(src, 'rb').read()
    hdr = data[:NODE]
    assert hdr[0:4] == b'sprs', 'no sprs signature at offset 0'
    assert be32(hdr, 4) == 3, 'version %d, not 3' % be32(hdr, 4)
    band = be32(hdr, 8) * 512          # sectors per band, 512-byte sectors
    sectors = be64(hdr, 28)            # authoritative total sectors
    assert be32(hdr, 16) == sectors & 0xffffffff, 'offset 16 is not the low half'
    assert hdr[36:64] == bytes(28), 'bytes 36..63 of the header are not zero'
    size = sectors * 512
    out = bytearray(size)
    seen = set()
    order = []
    node, nodes, nxt = 0, 0, be64(hdr, 20)
    ids_at, count = 64, 0x3F0
    while True:
        n = data[node:node + NODE]
        for i in range(count):
            k = be32(n, ids_at + 4 * i)
            if k == 0:
                continue
            b = k - 1
            assert b not in seen, 'band %d mapped twice' % b
            seen.add(b)
            order.append(b)
            at = node + NODE + i * band
            chunk = data[at:at + band]
            end = min(size, b * band + band)
            out[b * band:end] = chunk[:end - b * band]
        if nxt == 0:
            break
        node = nxt
        n = data[node:node + NODE]
        assert n[0:4] == b'sprs', 'index node at %d has no sprs' % node
        assert be32(n, 4) == nodes, 'index node %d numbered %d' % (nodes, be32(n, 4))
        assert be32(n, 8) == 1, 'index node flags %d' % be32(n, 8)
        assert n[20:56] == bytes(36), 'bytes 20..55 of an index node are not zero'
        nodes += 1
        nxt = be64(n, 12)
        ids_at, count = 56, 0x3F2
    open(dst, 'wb').write(out)
    shuffled = order != sorted(order)
    print('bands=%d nodes=%d band_size=%d size=%d order=%s' % (
        len(order), nodes, band, size, 'shuffled' if shuffled else 'sequential'))


if __name__ == '__main__':
    main()
