#!/usr/bin/env python3
"""extract_tools.py - readers the extract tests use, written from the format
descriptions rather than from our C code:

  appledouble FILE   a `._` file as xnu lays it out (bsd/vfs/vfs_xattr.c:
                     RFC 1740 AppleDouble v2 header, Finder Info entry holding
                     the 'ATTR' header and entries, resource fork last); prints
                     one line per item: `finfo HEX`, `attr NAME SHA256 SIZE`,
                     `fork SHA256 SIZE` (or `fork empty` for xnu's blank fork).
  pax TAR            every pax extended header record of a tar file, raw:
                     `ENTRY-INDEX KEY SHA256 SIZE VALUE-AS-TEXT`, one per record.
  facts FILE PATH KEY  one key of one path in an extract facts file (JSON).
  factx FILE PATH NAME the sha256 and size of one xattr of a path in the facts.
  factn FILE PATH NAME the note on one xattr of a path in the facts.
"""
import hashlib
import json
import struct
import sys


def sha(b):
    return hashlib.sha256(b).hexdigest()


def appledouble(path):
    b = open(path, "rb").read()
    magic, version, filler, n = struct.unpack(">II16sH", b[:26])
    if magic != 0x00051607 or version != 0x00020000:
        sys.exit("not an AppleDouble v2 file")
    ents = [struct.unpack(">III", b[26 + 12 * i:38 + 12 * i]) for i in range(n)]
    print("filler", filler.decode("latin-1"))
    for typ, off, length in ents:
        if typ == 9:
            print("finfo", b[off:off + 32].hex())
            ah = off + 34
            (amagic, _tag, total, dstart, dlen) = struct.unpack(">4sIIII", b[ah:ah + 20])
            nattr = struct.unpack(">H", b[ah + 34:ah + 36])[0]
            if amagic != b"ATTR" or total != off + length:
                sys.exit("bad ATTR header")
            e = ah + 36
            for _ in range(nattr):
                aoff, alen, _fl, nl = struct.unpack(">IIHB", b[e:e + 11])
                name = b[e + 11:e + 11 + nl - 1]
                if b[e + 11 + nl - 1] != 0 or not dstart <= aoff <= dstart + dlen:
                    sys.exit("bad attr entry")
                print("attr", name.decode("utf-8", "backslashreplace"),
                      sha(b[aoff:aoff + alen]), alen)
                e += (11 + nl + 3) & ~3
        elif typ == 2:
            fork = b[off:off + length]
            if b"This resource fork intentionally left blank" in fork and length == 286:
                print("fork empty")
            else:
                print("fork", sha(fork), length)
            if off + length != len(b):
                sys.exit("resource fork is not last")


def pax(path):
    b = open(path, "rb").read()
    pos, idx = 0, 0
    while pos + 512 <= len(b) and b[pos:pos + 512] != bytes(512):
        h = b[pos:pos + 512]
        size = int(h[124:136].rstrip(b"\0 ") or b"0", 8)
        typ = h[156:157]
        body = b[pos + 512:pos + 512 + size]
        if typ == b"x":
            r = 0
            while r < len(body):
                sp = body.index(b" ", r)
                n = int(body[r:sp])
                key, val = body[sp + 1:r + n - 1].split(b"=", 1)
                print(idx, key.decode("utf-8", "backslashreplace"), sha(val), len(val),
                      val[:60].decode("latin-1").replace("\n", "\\n"))
                r += n
        elif typ not in (b"g",):
            idx += 1
        # Regular entries: the stored size (a sparse file stores only its data).
        pos += 512 + (size + 511) // 512 * 512


def facts(path, p, key):
    for f in json.load(open(path))["files"]:
        if f["path"] == p:
            print(f[key])


def factx(path, p, name):
    for f in json.load(open(path))["files"]:
        if f["path"] == p:
            for x in f["xattrs"]:
                if x["name"] == name:
                    print(x["sha256"], x["size"], "kept" if x["kept"] else "not-kept")


def factn(path, p, name):
    for f in json.load(open(path))["files"]:
        if f["path"] == p:
            for x in f["xattrs"]:
                if x["name"].encode("utf-8", "surrogateescape") == name.encode("utf-8", "surrogateescape"):
                    print(x.get("note"))


if __name__ == "__main__":
    {"appledouble": appledouble, "pax": pax, "facts": facts, "factx": factx,
     "factn": factn}[sys.argv[1]](
        *sys.argv[2:])
