#!/usr/bin/env python3
"""streams.py OUTDIR - gather compressed streams that no code of this project
wrote, each with its exact decoded output, for the decoder tests, the
generator's `streams` command and the fuzzers' seed corpora.

Writes OUTDIR/CODEC/NAME.cmp (one stream, as one decoder call takes it) and
OUTDIR/CODEC/NAME.orig (what it decodes to), CODEC in zlib, lzvn, lzfse,
lzbitmap.  Sources (see testdata/README.md, "Independent streams"):
  zlib      Python's zlib (an independent encoder) on data made here;
  lzbitmap  $SHARED/vectors/lzbitmap, libzbitmap's published test pairs;
  lzvn      the resource fork of basic.img's compressed.txt (macOS, via TSK
            icat) and the LZVN payloads of basic-lzfse.dmg's bvxn blocks;
  lzfse     basic-lzfse.dmg's UDIF chunks (hdiutil's LZFSE);
the originals of the image streams are sectors of basic.img, whose SHA-256
IMAGES.md gives, and `seq 1 5000` (IMAGES.md) for compressed.txt.
"joined-*" streams are real streams laid end to end (LZVN: end-of-stream
opcode dropped between them; LZFSE: blocks of several streams, one end
marker; LZBITMAP: leading chunks of one stream and its end chunk), so that a
decmpfs chunk can hold exactly 64 KiB of real data; their .orig is the
concatenation of the pieces' originals.
Needs $IMAGES (basic.img, basic-lzfse.dmg) and $SHARED; what is missing is
named on stderr and left out.  Exit status 0 unless nothing could be made.
"""
import hashlib
import os
import plistlib
import re
import shutil
import struct
import subprocess
import sys
import zlib

BASIC_SHA = "bd84d42881d2937376017b9dde384ea3f791278e77f4c9743700827a4e494c75"
SEQ_SHA = "23f90f8b2c3a4b5f3b5e156339994afd5c2718b378aca6f0e17111f80a70d4ec"
LZVN_EOS = b"\x06" + b"\0" * 7
CHUNK = 65536


def put(out, codec, name, cmp, orig):
    d = os.path.join(out, codec)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, name + ".cmp"), "wb") as f:
        f.write(cmp)
    with open(os.path.join(d, name + ".orig"), "wb") as f:
        f.write(orig)


def zlib_streams(out):
    # Text and incompressible bytes mixed, so that every piece holds both
    # matches and literals; 3 full chunks and a short tail.
    data = bytearray()
    i = 0
    while len(data) < 3 * CHUNK + 1234:
        h = hashlib.sha256(b"%d" % i).digest()
        data += b"line %06d %s\n" % (i, h.hex().encode()) + (h if i % 7 == 0 else b"")
        i += 1
    data = bytes(data[:3 * CHUNK + 1234])
    for k in range(4):
        piece = data[k * CHUNK:(k + 1) * CHUNK]
        put(out, "zlib", "piece-%d" % k, zlib.compress(piece, 9), piece)
    put(out, "zlib", "small", zlib.compress(data[:3000], 6), data[:3000])


def lzbitmap_streams(out, shared):
    vec = os.path.join(shared, "vectors", "lzbitmap")
    if not os.path.isdir(vec):
        print("streams: %s missing: no lzbitmap streams" % vec, file=sys.stderr)
        return
    for n in sorted(os.listdir(vec)):
        m = re.fullmatch(r"(\d{3})-compressed", n)
        if not m:
            continue
        cmp = open(os.path.join(vec, n), "rb").read()
        orig = open(os.path.join(vec, m.group(1) + "-original"), "rb").read()
        put(out, "lzbitmap", m.group(1), cmp, orig)
        if len(orig) > CHUNK:
            head = zbm_head(cmp, CHUNK)
            if head:
                put(out, "lzbitmap", "joined-%s-head64k" % m.group(1), head, orig[:CHUNK])


def zbm_head(cmp, want):
    """The leading chunks of a ZBM stream that decode to `want` bytes, and its end chunk."""
    off, got = 4, 0
    while got < want and off + 6 <= len(cmp):
        clen = int.from_bytes(cmp[off:off + 3], "little")
        got += int.from_bytes(cmp[off + 3:off + 6], "little")
        off += clen
    return cmp[:off] + b"\x06\0\0\0\0\0" if got == want else None


def dmg_chunks(dmg):
    """(sector in the flat disk, sector count, compressed bytes) of each LZFSE chunk."""
    d = open(dmg, "rb").read()
    xo, xl = struct.unpack(">QQ", d[-512 + 0xd8:-512 + 0xe8])
    res = []
    for e in plistlib.loads(d[xo:xo + xl])["resource-fork"]["blkx"]:
        m = e["Data"]
        start = struct.unpack(">Q", m[8:16])[0]
        for i in range(struct.unpack(">I", m[200:204])[0]):
            t, _, s, n, co, cl = struct.unpack(">IIQQQQ", m[204 + 40 * i:244 + 40 * i])
            if t == 0x80000007:
                res.append((start + s, n, d[co:co + cl]))
    return res


def lzfse_lzvn_streams(out, images):
    img, dmg = os.path.join(images, "basic.img"), os.path.join(images, "basic-lzfse.dmg")
    if not (os.path.exists(img) and os.path.exists(dmg)):
        print("streams: basic.img or basic-lzfse.dmg missing in $IMAGES: no lzfse/lzvn "
              "streams from them", file=sys.stderr)
        return
    disk = open(img, "rb").read()
    if hashlib.sha256(disk).hexdigest() != BASIC_SHA:
        sys.exit("streams: basic.img is not the disk IMAGES.md describes")
    names = {0: "mbr", 1: "gpt-header", 2: "gpt-table", 40: "apfs-0", 2088: "apfs-1",
             32735: "gpt-table-backup", 32767: "gpt-header-backup"}
    got = {}
    for sect, n, cmp in dmg_chunks(dmg):
        name, orig = names[sect], disk[sect * 512:(sect + n) * 512]
        put(out, "lzfse", name, cmp, orig)
        got[name] = (cmp, orig)
        if cmp[:4] == b"bvxn":   # an LZVN block: header, payload, then "bvx$"
            raw, plen = struct.unpack("<II", cmp[4:12])
            assert raw == len(orig) and cmp[12 + plen:] == b"bvx$"
            put(out, "lzvn", name, cmp[12:12 + plen], orig)
    joined_lzfse(out, got)
    joined_lzvn(out, got)


def joined_lzfse(out, got):
    # The blocks of both GPT-table streams (each 16 KiB), end markers dropped.
    for name, order in (("joined-tables-abab", "abab"), ("joined-tables-baba", "baba"),
                        ("joined-headers", "xyz")):
        src = {"a": got["gpt-table"], "b": got["gpt-table-backup"], "x": got["mbr"],
               "y": got["gpt-header"], "z": got["gpt-header-backup"]}
        cmp = b"".join(src[c][0][:-4] for c in order) + b"bvx$"
        put(out, "lzfse", name, cmp, b"".join(src[c][1] for c in order))


def joined_lzvn(out, got):
    # 128 sectors' worth of the three LZVN streams, cycled: exactly 64 KiB,
    # in two orders so that two chunks of a fork differ.
    parts = [got[n] for n in ("mbr", "gpt-header", "gpt-header-backup")]
    body = [p[0][12:12 + struct.unpack("<I", p[0][8:12])[0]] for p in parts]
    assert all(b.endswith(LZVN_EOS) for b in body)
    for name, first in (("joined-sectors-64k-a", 0), ("joined-sectors-64k-b", 1)):
        order = [(first + i) % 3 for i in range(CHUNK // 512)]
        cmp = b"".join(body[i][:-8] for i in order) + LZVN_EOS
        put(out, "lzvn", name, cmp, b"".join(parts[i][1] for i in order))


def compressed_txt(out, images):
    """The LZVN chunk of compressed.txt's resource fork, read by TSK (icat)."""
    img = os.path.join(images, "basic.img")
    if not os.path.exists(img) or not shutil.which("icat") or not shutil.which("istat"):
        print("streams: basic.img or TSK (icat, istat) missing: no compressed.txt stream",
              file=sys.stderr)
        return
    ist = subprocess.run(["istat", "-o", "40", "-B", "505", img, "32"], capture_output=True,
                         text=True).stdout
    attr = re.search(r"Type: RSRC \((\d+-\d+)\)", ist)
    fork = subprocess.run(["icat", "-o", "40", "-B", "505", img, "32-" + attr.group(1)],
                          capture_output=True).stdout
    a, b = struct.unpack("<II", fork[:8])
    seq = b"".join(b"%d\n" % i for i in range(1, 5001))
    assert a == 8 and b == len(fork) and hashlib.sha256(seq).hexdigest() == SEQ_SHA
    put(out, "lzvn", "compressed-txt", fork[a:b], seq)


def main():
    if len(sys.argv) != 2:
        sys.exit("usage: streams.py OUTDIR   (env IMAGES, SHARED)")
    out = sys.argv[1]
    here = os.path.dirname(os.path.abspath(__file__))
    shared = os.environ.get("SHARED") or os.path.join(here, "..", "..", "..", "shared")
    images = os.environ.get("IMAGES", "")
    zlib_streams(out)
    lzbitmap_streams(out, shared)
    lzfse_lzvn_streams(out, images)
    compressed_txt(out, images)


if __name__ == "__main__":
    main()
