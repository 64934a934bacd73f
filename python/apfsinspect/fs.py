# SPDX-License-Identifier: MIT
"""A volume's file system: stat, directories (scandir, walk), files, xattrs."""
import ctypes
import os
import warnings

from . import _capi as C
from . import stat as _stat
from ._handle import Handle, encode, text
from .errors import ApfsInspectError, DamageWarning, Loop, NameTooLong, check, make
from .file import File
from .stat import FileType, Stat

_STAT_BYTES = ctypes.c_char * _stat.SIZE
_TYPES = tuple(FileType)
try:  # the optional C loop of walk() (python/src/_speedups.c)
    if os.environ.get("APFSINSPECT_PURE_PYTHON"):
        raise ImportError
    from ._speedups import names as _c_names
    _DIR_NEXT = ctypes.cast(C.lib.apfsi_dir_next, ctypes.c_void_p).value
except ImportError:
    _c_names = None
_unpack_stat = _stat._LAYOUT.unpack_from
_new_tuple = tuple.__new__


class DirEntry:
    """One entry of a directory, as os.DirEntry: name, path, inode(), is_dir(),
    is_file(), is_symlink(), stat() (read with the listing: no extra lookup)."""
    __slots__ = ("name", "ino", "type", "date_added_ns", "_st", "_fs", "_top")

    @property
    def path(self):
        """The entry's path: its directory's path and its name."""
        top = self._top
        return top + self.name if top.endswith("/") else top + "/" + self.name

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


class ScandirIterator(Handle):
    """The entries of one directory (no "." or ".."), in on-disk order (or
    inode order: FileSystem.scandir); a context manager and an iterator.
    Used by one thread at a time."""
    _kind = "directory iterator"

    def __init__(self, fs, ino, top, with_stat, flags=0):
        h = C.H()
        check(C.lib.apfsi_dir_open(fs._live(), ino, (C.DIR_STAT if with_stat else 0) | flags,
                                   ctypes.byref(h)))
        super().__init__(h.value, fs, C.lib.apfsi_dir_close)
        self._fs, self._top = fs, top
        self._ptr = C.c_void_p()
        self._ref = ctypes.byref(self._ptr)
        self._next = C.lib.apfsi_dir_next
        self._d = self._daddr = self._s = self._saddr = None

    def __iter__(self):
        return self

    # The hot path of every listing: one C call, then the fields read in
    # place through views made again only when the library's struct moves.
    def __next__(self):
        h = self._h
        if not h:
            raise ValueError("operation on a closed directory iterator")
        err = self._next(h, self._ref)
        p = self._ptr.value
        if err or not p:
            self.close()
            check(err)
            raise StopIteration
        d = self._d
        if p != self._daddr:
            d = self._d = C.Dirent.from_address(p)
            self._daddr = p
        e = DirEntry()
        e.name = d.name.decode("utf-8", "surrogateescape")
        t = d.type
        e.ino, e.type, e.date_added_ns, e._fs, e._top, e._st = d.ino, \
            _TYPES[t] if 0 <= t < 9 else t, d.date_added, self._fs, self._top, None
        st_p = d.st
        if st_p and not d.stat_error:  # inline: once an entry in ls -lR-like walks
            if st_p != self._saddr:
                self._s, self._saddr = _STAT_BYTES.from_address(st_p), st_p
            v = _unpack_stat(self._s)
            e._st = _new_tuple(Stat, v) if not v[16] else self._with_name(v)
        elif d.stat_error:
            e._st = make(d.stat_error, "%s: its attributes could not be read" % e.path)
        return e

    @staticmethod
    def _with_name(v):
        """A Stat whose compression_name is read now: the pointer lives until the next entry."""
        return _new_tuple(Stat, v[:16] + (text(ctypes.string_at(v[16])),) + v[17:])


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
        """A path or link target: a page, then larger buffers while it does not fit."""
        for cap in (4096, 65536, 1 << 20):
            buf = ctypes.create_string_buffer(cap)
            err = fn(self._live(), ino, buf, cap)
            if err != NameTooLong.code:
                check(err)
                return buf.value
        check(err)

    def scandir(self, path="/", stat=True, order="disk"):
        """An iterator of DirEntry for a directory (a path, an inode number or
        a DirEntry); stat=True reads each entry's attributes with the listing
        (APFSI_DIR_STAT).  order="inode" hands the entries out in inode-number
        order from the children's inode records (APFSI_DIR_INODE_ORDER, with
        their dates added: APFSI_DIR_ADDED, up to 4 MiB while open and a
        temporary file beyond),
        each leaf read once in a directory of millions; Unsupported where the
        library cannot prove those are the directory's entries (a second
        hard-link name...): then read it in order="disk"."""
        if order not in ("disk", "inode"):
            raise ValueError("order: 'disk' or 'inode', not %r" % (order,))
        flags = C.DIR_INODE_ORDER | C.DIR_ADDED if order == "inode" else 0
        if isinstance(path, DirEntry):  # a directory just listed: no lookup again
            top, ino = path.path, path.ino
        elif isinstance(path, int):
            top, ino = self.path(path), path
        else:
            top, ino = text(encode(path)), self._ino(path)
        return ScandirIterator(self, ino, top, stat, flags)

    def listdir(self, path="/"):
        """The names in a directory, in on-disk order."""
        with self.scandir(path, stat=False) as it:
            return [e.name for e in it]

    def walk(self, top="/", topdown=True, onerror=None):
        """As os.walk: (dirpath, dirnames, filenames) for each directory below
        top, top-down (prune by editing dirnames) or bottom-up.  Each directory
        is entered once, through its own entry (the one a path lookup
        follows: its inode names that parent and that name): an entry naming
        one already walked (a cycle in a damaged image), or one that is not
        the directory's own while its own is there, goes to onerror as Loop
        and is not followed.  A directory whose own entry is not there, or
        not where the walk comes (its inode's parent or name damaged), is
        entered through the entry met, with a DamageWarning."""
        top = self.path(top) if isinstance(top, int) else text(encode(top))
        seen = set()
        stack = [(top, self._ino(top), None, None, None)]
        while stack:
            dirpath, ino, after, parent, name = stack.pop()
            if after is not None:  # bottom-up: a directory after what is below it
                yield after
                continue
            try:
                self._own_entry(dirpath, ino, parent, name, seen)
                dirs, files = self._names(dirpath, ino, seen)
            except ApfsInspectError as e:
                if onerror:
                    onerror(e)
                continue
            names = [n for n, _ in dirs]
            if topdown:
                given = names[:]
                yield dirpath, names, files
                sub = dirs
                if names != given:  # the caller pruned or reordered dirnames
                    by_name = dict(dirs)
                    sub = [(n, by_name[n]) for n in names if n in by_name]
            else:
                stack.append((dirpath, ino, (dirpath, names, files), None, None))
                sub = dirs
            base = dirpath if dirpath.endswith("/") else dirpath + "/"
            stack.extend((base + n, i, None, ino, n) for n, i in reversed(sub))

    def _own_entry(self, dirpath, ino, parent, name, seen):
        """Loop unless directory ino, listed in parent as name, is entered there
        (apfsi_fs_dir_entered): through its own entry, or through another only
        where its own is not there to be met, so that an entry met before its
        own cannot show it under a name not its own.  The latter (its inode's
        parent or name damaged) is entered with a DamageWarning.  The top, and
        a directory walked already (_names says so), are not asked."""
        if parent is None or ino in seen:
            return
        ret = C.lib.apfsi_fs_dir_entered(self._live(), parent, encode(name), ino)
        if ret:  # the library's verdict, said with the path as the walk's other messages are
            why = "%s: %s" % (dirpath, (C.lib.apfsi_last_message() or b"").decode(
                "utf-8", "backslashreplace"))
            if ret != 1:
                raise make(ret, why)
            warnings.warn(DamageWarning(why), stacklevel=4)

    def _names(self, dirpath, ino, seen):
        """([(name, ino)] of subdirectories, [names] of the rest): the names-only
        listing of walk(), no DirEntry made."""
        if ino in seen:
            raise Loop(13, "%s: directory %d already walked: not followed" % (dirpath, ino))
        seen.add(ino)
        dirs, files = [], []
        with ScandirIterator(self, ino, dirpath, False) as it:
            if _c_names is not None:
                err, dirs, files = _c_names(_DIR_NEXT, it._h)
                check(err)
                return dirs, files
            nxt, h, ref, ptr = it._next, it._h, it._ref, it._ptr
            d = daddr = None
            while True:
                err = nxt(h, ref)
                p = ptr.value
                if err or not p:
                    check(err)
                    return dirs, files
                if p != daddr:
                    d, daddr = C.Dirent.from_address(p), p
                name = d.name.decode("utf-8", "surrogateescape")
                if d.type == 2:  # APFSI_TYPE_DIR
                    dirs.append((name, d.ino))
                else:
                    files.append(name)

    def walk_entries(self, top="/", topdown=True, onerror=None, stat=True):
        """walk() with DirEntry objects instead of names."""
        top = text(encode(top)) if not isinstance(top, int) else self.path(top)
        seen = set()
        stack = [(top, self._ino(top), None, None, None)]
        while stack:
            dirpath, ino, after, parent, name = stack.pop()
            if after is not None:  # bottom-up: the directory after its subdirectories
                yield after
                continue
            if ino in seen:
                if onerror:
                    onerror(Loop(13, "%s: directory %d already walked: not followed"
                                 % (dirpath, ino)))
                continue
            try:
                self._own_entry(dirpath, ino, parent, name, seen)
            except ApfsInspectError as e:
                if onerror:
                    onerror(e)
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
                stack.append((dirpath, ino, (dirpath, dirs, files), None, None))
            stack.extend((d.path, d.ino, None, ino, d.name) for d in reversed(dirs))

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
        those macOS hides (com.apple.decmpfs, com.apple.fs.*).  Incomplete where
        the inode's flags say it has one the tree holds no record of (a record
        lost): its .result is the list of those there are."""
        out = []

        def one(name, size, arg):
            out.append((text(name), size))
            return 0
        cb = C.XATTR_FN(one)
        check(C.lib.apfsi_fs_listxattr(self._live(), self._ino(path),
                                       C.XATTR_HIDDEN if hidden else 0, cb, None), out)
        return out

    def xattrs_missing(self, path):
        """[name] of the extended attributes the inode's flags say it has and the
        tree holds no record of: those listxattr's Incomplete says are lost."""
        out = []

        def one(name, size, arg):
            out.append(text(name))
            return 0
        cb = C.XATTR_FN(one)
        check(C.lib.apfsi_fs_xattrs_missing(self._live(), self._ino(path), cb, None))
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
