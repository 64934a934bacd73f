#!/usr/bin/env python3
"""mkdmg.py RAW OUT.dmg - a small UDIF image of a raw disk, for fuzz seeds.
   mkdmg.py --chunks DMG OUTDIR - each compressed chunk of a dmg as a
   decoder seed: LZFSE chunks for the lzfse target, zlib ones for
   decmpfs_chunk (type 3), with the targets' leading selector bytes.

Written from the UDIF layout (docs/containers.md): data fork of chunks, an
XML plist whose resource-fork/blkx entries carry base64 mish blocks, and the
512-byte koly trailer, all big-endian.  Chunks of 64 KiB; all-zero ones are
zero-fill chunks, the others take turns as zlib, bzip2, raw and ADC (ADC
as literal runs only, which is valid ADC), so one small image reaches every
decompressor of the reader.  Two blkx entries: sectors 0-39 and the rest.
"""
import base64, bz2, struct, sys, zlib

SECT, CHUNK = 512, 128  # sectors per chunk
ZERO, RAW, ADC, ZLIB, BZIP2, END = 0, 1, 0x80000004, 0x80000005, 0x80000006, 0xffffffff


def adc(data):
    out = bytearray()
    for i in range(0, len(data), 128):
        run = data[i:i + 128]
        out.append(0x80 | (len(run) - 1))
        out += run
    return bytes(out)


def encode(kind, data):
    return {RAW: lambda d: d, ADC: adc, ZLIB: lambda d: zlib.compress(d, 9),
            BZIP2: lambda d: bz2.compress(d, 9)}[kind](data)


def mish(first, count, entries):
    hdr = b'mish' + struct.pack('>IQQQ', 1, first, count, 0)
    hdr += b'\0' * (200 - len(hdr)) + struct.pack('>I', len(entries))
    return hdr + b''.join(struct.pack('>IIQQQQ', t, 0, s, n, o, l) for t, s, n, o, l in entries)


def main(raw_path, out_path):
    disk = open(raw_path, 'rb').read()
    nsect = len(disk) // SECT
    fork, turn, blkx = bytearray(), 0, []
    for first, count in ((0, 40), (40, nsect - 40)):
        entries = []
        for rel in range(0, count, CHUNK):
            n = min(CHUNK, count - rel)
            data = disk[(first + rel) * SECT:(first + rel + n) * SECT]
            if not any(data):
                entries.append((ZERO, rel, n, len(fork), 0))
                continue
            kind = (ZLIB, BZIP2, RAW, ADC)[turn % 4]
            turn += 1
            enc = encode(kind, data)
            entries.append((kind, rel, n, len(fork), len(enc)))
            fork += enc
        entries.append((END, count, 0, len(fork), 0))
        blkx.append(mish(first, count, entries))
    items = ''.join('<dict><key>Name</key><string>part %d</string><key>Data</key><data>%s'
                    '</data></dict>' % (i, base64.b64encode(m).decode()) for i, m in enumerate(blkx))
    xml = ('<?xml version="1.0" encoding="UTF-8"?>\n<plist version="1.0"><dict>'
           '<key>resource-fork</key><dict><key>blkx</key><array>%s</array></dict></dict>'
           '</plist>\n' % items).encode()
    koly = bytearray(512)
    koly[0:4] = b'koly'
    struct.pack_into('>II', koly, 4, 4, 512)
    struct.pack_into('>QQ', koly, 216, len(fork), len(xml))
    struct.pack_into('>Q', koly, 492, nsect)
    with open(out_path, 'wb') as f:
        f.write(fork + xml + koly)


def chunks(dmg_path, out_dir):
    import os, plistlib
    d = open(dmg_path, 'rb').read()
    koly = d[-512:]
    fork = struct.unpack_from('>Q', koly, 24)[0]
    xo, xl = struct.unpack_from('>QQ', koly, 216)
    plist = plistlib.loads(d[xo:xo + xl])
    n = {0x80000007: 0, ZLIB: 0}
    for e in plist['resource-fork']['blkx']:
        m = e['Data']
        data_off = struct.unpack_from('>Q', m, 24)[0]
        for i in range(struct.unpack_from('>I', m, 200)[0]):
            t, _, _, _, o, l = struct.unpack_from('>IIQQQQ', m, 204 + 40 * i)
            raw = d[fork + data_off + o:fork + data_off + o + l]
            if t not in n or l > 65536 or n[t] == 8:  # small seeds mutate faster
                continue
            # fz_lzfse: capacity byte 255 = 510 KiB; fz_decmpfs_chunk: type 3, 66 KiB
            pre, name = (b'\xff', 'lzfse') if t == 0x80000007 else (b'\x01\xff', 'zlib')
            open(os.path.join(out_dir, '%s-%02d' % (name, n[t])), 'wb').write(pre + raw)
            n[t] += 1


if __name__ == '__main__':
    if sys.argv[1] == '--chunks':
        chunks(sys.argv[2], sys.argv[3])
    else:
        main(sys.argv[1], sys.argv[2])
