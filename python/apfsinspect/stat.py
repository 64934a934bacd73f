# SPDX-License-Identifier: MIT
"""Stat: an inode's attributes, named as os.stat_result names them."""
import ctypes
import enum
import struct

from . import _capi as C
from ._handle import text


class FileType(enum.IntEnum):
    UNKNOWN = 0
    FILE = 1
    DIR = 2
    SYMLINK = 3
    FIFO = 4
    CHAR = 5
    BLOCK = 6
    SOCKET = 7
    WHITEOUT = 8


# struct apfsi_stat as struct.unpack reads it (checked against ctypes below).
_LAYOUT = struct.Struct("@QQiHIIIQQqqqqqIIPQ")  # native: C alignment
assert _LAYOUT.size + 8 * 8 == ctypes.sizeof(C.Stat), "struct apfsi_stat layout"
SIZE = ctypes.sizeof(C.Stat)


class Stat:
    """An inode's attributes.  Times are ns since 1970 UTC (*_ns) or float
    seconds; st_birthtime is the creation time; added_ns the date the entry
    was added to its directory (0: unknown)."""
    __slots__ = ("st_ino", "parent", "type", "st_mode", "st_uid", "st_gid", "st_nlink",
                 "st_size", "allocated", "st_birthtime_ns", "st_mtime_ns", "st_ctime_ns",
                 "st_atime_ns", "added_ns", "st_flags", "compression", "compression_name",
                 "st_rdev")

    @classmethod
    def from_bytes(cls, raw, compression_name=None):
        """From the bytes of a struct apfsi_stat (its string read apart: the
        pointer in raw may be stale by now)."""
        s = cls.__new__(cls)
        (s.st_ino, s.parent, t, s.st_mode, s.st_uid, s.st_gid, s.st_nlink, s.st_size,
         s.allocated, s.st_birthtime_ns, s.st_mtime_ns, s.st_ctime_ns, s.st_atime_ns,
         s.added_ns, s.st_flags, s.compression, _, s.st_rdev) = _LAYOUT.unpack_from(raw)
        s.type = FileType(t) if t <= 8 else t
        s.compression_name = compression_name
        return s

    @classmethod
    def from_c(cls, st):
        return cls.from_bytes(ctypes.string_at(ctypes.addressof(st), SIZE),
                              text(st.compression_name))

    st_atime = property(lambda s: s.st_atime_ns / 1e9)
    st_mtime = property(lambda s: s.st_mtime_ns / 1e9)
    st_ctime = property(lambda s: s.st_ctime_ns / 1e9)
    st_birthtime = property(lambda s: s.st_birthtime_ns / 1e9)
    st_blocks = property(lambda s: (s.allocated + 511) // 512)
    ino = property(lambda s: s.st_ino)
    mode = property(lambda s: s.st_mode)
    size = property(lambda s: s.st_size)

    def __repr__(self):
        return "Stat(ino=%d, type=%s, mode=0o%o, size=%d, nlink=%d)" % (
            self.st_ino, getattr(self.type, "name", self.type), self.st_mode, self.st_size,
            self.st_nlink)
