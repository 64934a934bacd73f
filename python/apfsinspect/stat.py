# SPDX-License-Identifier: MIT
"""Stat: an inode's attributes, named as os.stat_result names them."""
import ctypes
import enum
import operator
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


_TYPES = tuple(FileType)  # FileType(t) costs a microsecond; a tuple index does not

# struct apfsi_stat as struct.unpack reads it (checked against ctypes below).
_LAYOUT = struct.Struct("@QQiHIIIQQqqqqqIIPQ")  # native: C alignment
assert _LAYOUT.size + 8 * 8 == ctypes.sizeof(C.Stat), "struct apfsi_stat layout"
SIZE = ctypes.sizeof(C.Stat)


_FIELDS = ("st_ino", "parent", "_type", "st_mode", "st_uid", "st_gid", "st_nlink", "st_size",
           "allocated", "st_birthtime_ns", "st_mtime_ns", "st_ctime_ns", "st_atime_ns",
           "added_ns", "st_flags", "compression", "_compression_name", "st_rdev")


class Stat(tuple):
    """An inode's attributes, os.stat_result's names where it has them.  Times
    are ns since 1970 UTC (*_ns) or float seconds; st_birthtime is the
    creation time, added_ns the date the entry was added to its directory (0:
    unknown); allocated: bytes on disk; compression: the decmpfs type (0:
    none).  A tuple underneath (made in one step: listings make many)."""
    __slots__ = ()

    @classmethod
    def from_bytes(cls, raw, compression_name=None):
        """From the bytes of a struct apfsi_stat (its string read apart: the
        pointer in raw may be stale by now)."""
        v = _LAYOUT.unpack_from(raw)
        if v[16] or compression_name:
            v = v[:16] + (compression_name,) + v[17:]
        return tuple.__new__(cls, v)

    @classmethod
    def from_c(cls, st):
        return cls.from_bytes(ctypes.string_at(ctypes.addressof(st), SIZE),
                              text(st.compression_name))

    @property
    def type(self):
        t = self[2]
        return _TYPES[t] if 0 <= t < len(_TYPES) else t

    compression_name = property(lambda s: s[16] or None)
    st_atime = property(lambda s: s[12] / 1e9)
    st_mtime = property(lambda s: s[10] / 1e9)
    st_ctime = property(lambda s: s[11] / 1e9)
    st_birthtime = property(lambda s: s[9] / 1e9)
    st_blocks = property(lambda s: (s[8] + 511) // 512)
    ino = property(lambda s: s[0])
    mode = property(lambda s: s[3])
    size = property(lambda s: s[7])

    def __repr__(self):
        return "Stat(ino=%d, type=%s, mode=0o%o, size=%d, nlink=%d)" % (
            self.st_ino, getattr(self.type, "name", self.type), self.st_mode, self.st_size,
            self.st_nlink)


for _i, _name in enumerate(_FIELDS):
    if not _name.startswith("_"):
        setattr(Stat, _name, property(operator.itemgetter(_i)))
del _i, _name
