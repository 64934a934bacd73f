#!/usr/bin/env python3
"""patch_file.py IMAGE OLD NEW: overwrite, in place, the one copy of file OLD's bytes in
IMAGE with NEW's, padded to OLD's length (the inode's size cannot change without
rewriting checksummed metadata).  An XML NEW is padded with spaces after its end; a
binary plist NEW gets the padding between its objects and its offset table, whose
position the trailer then names.  For unencrypted volumes only: file data is stored as
is.  Fails when OLD is not found exactly once or NEW is longer."""
import os
import struct
import sys


def pad(new, size):
    if len(new) > size:
        sys.exit("patch_file: new content is %d bytes, more than the file's %d" % (len(new), size))
    extra = size - len(new)
    if not new.startswith(b"bplist00") or not extra:
        return new + b" " * extra
    trailer = bytearray(new[-32:])
    table = struct.unpack(">Q", trailer[24:32])[0]
    trailer[24:32] = struct.pack(">Q", table + extra)
    return new[:table] + b"\0" * extra + new[table:-32] + bytes(trailer)


def segments(f):
    """The data segments of a sparse file (SEEK_DATA/SEEK_HOLE): holes hold no file."""
    fd, end, pos = f.fileno(), os.fstat(f.fileno()).st_size, 0
    while pos < end:
        try:
            start = os.lseek(fd, pos, os.SEEK_DATA)
        except OSError:
            return
        stop = os.lseek(fd, start, os.SEEK_HOLE)
        yield start, stop
        pos = stop


def find_once(f, old):
    hits = []
    for start, stop in segments(f):
        f.seek(start)
        data = f.read(stop - start)
        at = data.find(old)
        while at >= 0 and len(hits) < 2:
            hits.append(start + at)
            at = data.find(old, at + 1)
    if len(hits) != 1:
        sys.exit("patch_file: the old content is not in the image exactly once")
    return hits[0]


def main():
    image, old_path, new_path = sys.argv[1:4]
    old = open(old_path, "rb").read()
    new = pad(open(new_path, "rb").read(), len(old))
    with open(image, "r+b") as f:
        f.seek(find_once(f, old))
        f.write(new)


main()
