# SPDX-License-Identifier: MIT
"""A volume's file system: stat, directories (scandir, walk), files, xattrs."""
import ctypes
import struct

from . import _capi as C
from . import stat as _stat
from ._handle import Handle, encode, text
from .errors import ApfsInspectError, Loop, check
from .file import File
from .stat import FileType, Stat

# struct apfsi_dirent up to stat_error, native alignment (checked below).
_DIRENT = struct.Struct("@QiqPPi")
assert _DIRENT.size <= ctypes.sizeof(C.Dirent) and \
    C.Dirent.stat_error.offset == _DIRENT.size - 4, "struct apfsi_dirent layout"
_CNAME = C.Stat.compression_name.offset
_PTR = struct.Struct("@P")


class DirEntry:
    """One entry of a directory, as os.DirEntry: name, path, inode(), is_dir(),
    is_file(), is_symlink(), stat() (read with the listing: no extra lookup)."""
    __slots__ = ("name", "path", "ino", "type", "date_added_ns", "_st", "_fs")

    def inode(self):
        return self.ino

    def is_dir(self, *, follow_symlinks=False):
        return self.type == FileType.DIR

    def is_file(self, *, follow_symlinks=False):
        return self.type == FileType.FILE

    def is_symlink(self):
        return self.type == FileType.SYMLINK

    def stat(self, *, follow_symlinks=False):
        st = self._st
        if isinstance(st, ApfsInspectError):
            raise st
        if st is None:
            st = self._st = self._fs.stat(self.ino)
        return st

    def __fspath__(self):
        return self.path

    def __repr__(self):
        return "<DirEntry %r>" % self.name


def _join(top, name):
    return top + name if top.endswith("/") else top + "/" + name


class ScandirIterator(Handle):
    """The entries of one directory (no "." or ".."), in on-disk order; a
    context manager and an iterator.  Used by one thread at a time."""
    _kind = "directory iterator"

    def __init__(self, fs, ino, top, with_stat):
        h = C.H()
        check(C.lib.apfsi_dir_open(fs._live(), ino, C.DIR_STAT if with_stat else 0,
                                   ctypes.byref(h)))
        super().__init__(h.value, fs, C.lib.apfsi_dir_close)
        self._fs, self._top = fs, top
        self._ptr = C.c_void_p()
        self._ref = ctypes.byref(self._ptr)

    def __iter__(self):
        return self

    def __next__(self):
        h = self._live()
        err = C.lib.apfsi_dir_next(h, self._ref)
        if err:
            self.close()
            check(err)
        p = self._ptr.value
        if not p:
            self.close()
            raise StopIteration
        return self._entry(p)

    def _entry(self, p):
        ino, typ, added, name_p, st_p, st_err = _DIRENT.unpack(ctypes.string_at(p, _DIRENT.size))
        e = DirEntry()
        e.name = ctypes.string_at(name_p).decode("utf-8", "surrogateescape")
        e.path = _join(self._top, e.name)
        e.ino, e.type, e.date_added_ns, e._fs = ino, typ, added, self._fs
        e._st = None
        if st_err:
            e._st = ApfsInspectError(st_err, "%s: stat failed" % e.path)
        elif st_p:
            raw = ctypes.string_at(st_p, _stat.SIZE)
            (cname,) = _PTR.unpack_from(raw, _CNAME)
            e._st = Stat.from_bytes(raw, text(ctypes.string_at(cname)) if cname else None)
        return e


class FileSystem(Handle):
    """A read-only view of a volume's file system (live, or a snapshot); a
    context manager.  Paths are absolute, from the volume's root, str or
    bytes; wherever a path is taken an inode number (int) is taken too.
    Symbolic links are never followed."""
    _kind = "file system"

    def __init__(self, h, volume):
        super().__init__(h, volume, C.lib.apfsi_fs_close)
        self.volume = volume

    def stat(self, path):
        st = C.Stat()
        if isinstance(path, int):
            check(C.lib.apfsi_fs_stat(self._live(), path, ctypes.byref(st)))
        else:
            check(C.lib.apfsi_fs_stat_path(self._live(), encode(path), ctypes.byref(st)))
        return Stat.from_c(st)

    lstat = stat

    def exists(self, path):
        try:
            self.stat(path)
            return True
        except FileNotFoundError:
            return False

    def _ino(self, path):
        return path if isinstance(path, int) else self.stat(path).st_ino

    def path(self, ino):
        """A path of an inode from the root."""
        return text(self._string(C.lib.apfsi_fs_path, ino))

    def readlink(self, path):
        """The target of a symbolic link (NotALink if it is not one)."""
        return text(self._string(C.lib.apfsi_fs_readlink, self._ino(path)))

    def _string(self, fn, ino):
        buf = ctypes.create_string_buffer(4096)
        check(fn(self._live(), ino, buf, len(buf)))
        return buf.value

    def scandir(self, path="/", stat=True):
        """An iterator of DirEntry for a directory (a path, an inode number or
        a DirEntry); stat=True reads each entry's attributes with the listing
        (APFSI_DIR_STAT)."""
        if isinstance(path, DirEntry):  # a directory just listed: no lookup again
            top, ino = path.path, path.ino
        elif isinstance(path, int):
            top, ino = self.path(path), path
        else:
            top, ino = text(encode(path)), self._ino(path)
        return ScandirIterator(self, ino, top, stat)

    def listdir(self, path="/"):
        """The names in a directory, in on-disk order."""
        with self.scandir(path, stat=False) as it:
            return [e.name for e in it]

    def walk(self, top="/", topdown=True, onerror=None, stat=False):
        """As os.walk: (dirpath, dirnames, filenames) for each directory below
        top.  Each directory is entered once: an entry naming one already
        walked (a cycle in a damaged image) goes to onerror as Loop, not
        followed.  stat=True: walk_entries() gives DirEntry with stats."""
        for dirpath, dirs, files in self.walk_entries(top, topdown, onerror, stat):
            names = [d.name for d in dirs]
            yield dirpath, names, [f.name for f in files]
            if topdown and len(names) != len(dirs):  # the caller pruned dirnames
                keep = set(names)
                dirs[:] = [d for d in dirs if d.name in keep]

    def walk_entries(self, top="/", topdown=True, onerror=None, stat=True):
        """walk() with DirEntry objects instead of names."""
        top = text(encode(top)) if not isinstance(top, int) else self.path(top)
        seen = set()
        stack = [(top, self._ino(top), None)]
        while stack:
            dirpath, ino, after = stack.pop()
            if after is not None:  # bottom-up: the directory after its subdirectories
                yield after
                continue
            if ino in seen:
                if onerror:
                    onerror(Loop(13, "%s: directory %d already walked: not followed"
                                 % (dirpath, ino)))
                continue
            seen.add(ino)
            try:
                dirs, files = [], []
                for e in self._scan(dirpath, ino, stat):
                    (dirs if e.type == FileType.DIR else files).append(e)
            except ApfsInspectError as e:
                if onerror:
                    onerror(e)
                continue
            if topdown:
                yield dirpath, dirs, files
            else:
                stack.append((dirpath, ino, (dirpath, dirs, files)))
            stack.extend((d.path, d.ino, None) for d in reversed(dirs))

    def _scan(self, top, ino, stat):
        with ScandirIterator(self, ino, top, stat) as it:
            return list(it)

    def open(self, path, fork=None):
        """A regular file's data (decompressed, decrypted) as a read-only,
        seekable binary file object; fork: a named fork ("rsrc")."""
        ino = self._ino(path)
        h = C.H()
        if fork is None:
            check(C.lib.apfsi_file_open(self._live(), ino, ctypes.byref(h)))
        else:
            check(C.lib.apfsi_file_open_fork(self._live(), ino, encode(fork), ctypes.byref(h)))
        name = path if not isinstance(path, int) else self.path(ino)
        return File(h.value, self, name)

    def read_bytes(self, path, fork=None):
        with self.open(path, fork) as f:
            return f.readall()

    def listxattr(self, path, hidden=False):
        """[(name, size)] of a file's extended attributes; hidden=True also
        those macOS hides (com.apple.decmpfs, com.apple.fs.*)."""
        out = []

        def one(name, size, arg):
            out.append((text(name), size))
            return 0
        cb = C.XATTR_FN(one)
        check(C.lib.apfsi_fs_listxattr(self._live(), self._ino(path),
                                       C.XATTR_HIDDEN if hidden else 0, cb, None))
        return out

    def getxattr(self, path, name):
        """An extended attribute's whole value (NotFound if there is none)."""
        ino, cname = self._ino(path), encode(name)
        size, got = C.c_u64(), C.c_size_t()
        check(C.lib.apfsi_fs_getxattr(self._live(), ino, cname, 0, None, 0, ctypes.byref(got),
                                      ctypes.byref(size)))
        buf = ctypes.create_string_buffer(max(size.value, 1))
        check(C.lib.apfsi_fs_getxattr(self._live(), ino, cname, 0, buf, size.value,
                                      ctypes.byref(got), None))
        return buf.raw[:got.value]

    def xattrs(self, path, hidden=False):
        """{name: value} of a file's extended attributes."""
        ino = self._ino(path)
        return {n: self.getxattr(ino, n) for n, _ in self.listxattr(ino, hidden)}
