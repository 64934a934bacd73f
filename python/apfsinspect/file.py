# SPDX-License-Identifier: MIT
"""File: a regular file's data as a read-only, seekable raw binary stream."""
import ctypes
import io

from . import _capi as C
from .errors import check

_HUGE_PAGE = 2 << 20


def buffer(size):
    """A writable buffer of size bytes for File.readinto, on transparent huge
    pages where the kernel gives them: the kernel copies the page cache into
    it about twice as fast as into a bytearray's 4 KiB pages (measured:
    BENCHMARKS.md, "Python module"), as the library's own reader buffers are."""
    import mmap
    # Private: mmap's default for an anonymous map is MAP_SHARED, which is
    # shmem, and Debian leaves shmem without huge pages (shmem_enabled
    # "never"): every 4 KiB page of the buffer then faulted on first use.
    m = mmap.mmap(-1, size + _HUGE_PAGE, flags=mmap.MAP_PRIVATE | mmap.MAP_ANONYMOUS)
    if hasattr(m, "madvise") and hasattr(mmap, "MADV_HUGEPAGE"):
        m.madvise(mmap.MADV_HUGEPAGE)
    view = (ctypes.c_char * len(m)).from_buffer(m)
    skip = -ctypes.addressof(view) % _HUGE_PAGE  # a huge page starts on a 2 MiB boundary
    del view
    return memoryview(m)[skip:skip + size]


class File(io.RawIOBase):
    """read/readinto/readall/seek/tell as any raw binary file; pread(n, off)
    is positional and may be called from several threads at once.  Wrap it
    in io.BufferedReader for many small reads; for a fast sequential read,
    readinto() a few MiB at a time into apfsinspect.buffer(n)."""

    def __init__(self, h, fs, name):
        super().__init__()
        self._h, self._fs, self.name = h, fs, name
        self._pos = 0
        self._size = C.lib.apfsi_file_size(h)
        fs._adopt(self)

    mode = "rb"

    def _alive(self):
        return bool(self._h)  # closing the file system closes its files

    def _live(self):
        if not self._alive():
            raise ValueError("I/O operation on a closed file")
        return self._h

    @property
    def closed(self):
        return not self._alive()

    def close(self):
        h, self._h = self._h, None
        if h:
            C.lib.apfsi_file_close(h)
        super().close()

    def readable(self):
        self._live()
        return True

    def seekable(self):
        self._live()
        return True

    @property
    def size(self):
        return self._size

    def tell(self):
        self._live()
        return self._pos

    def seek(self, offset, whence=io.SEEK_SET):
        self._live()
        base = {io.SEEK_SET: 0, io.SEEK_CUR: self._pos, io.SEEK_END: self._size}.get(whence)
        if base is None:
            raise ValueError("invalid whence (%r)" % whence)
        if base + offset < 0:
            raise ValueError("negative seek position %d" % (base + offset))
        self._pos = base + offset
        return self._pos

    def _pread_into(self, addr, length, off):
        """Up to length bytes at off into addr.  The library reads a large
        read (2 MiB or more) in pieces on every core at once, straight into
        addr, and ctypes lets go of the GIL for the call."""
        got = C.c_size_t()
        check(C.lib.apfsi_file_pread(self._live(), off, addr, length, ctypes.byref(got)))
        return got.value

    def readinto(self, b):
        self._live()
        with memoryview(b) as mv, mv.cast("B") as m:
            if not m.nbytes or self._pos >= self._size:
                return 0
            buf = (ctypes.c_char * m.nbytes).from_buffer(m)
            got = self._pread_into(ctypes.addressof(buf), m.nbytes, self._pos)
            del buf
        self._pos += got
        return got

    def readall(self):
        self._live()
        b = bytearray(max(0, self._size - self._pos))
        n = self.readinto(b)
        del b[n:]
        return bytes(b)

    def pread(self, length, offset):
        """Up to length bytes at offset, without moving the position."""
        b = bytearray(max(0, min(length, self._size - offset)))
        if b:
            buf = (ctypes.c_char * len(b)).from_buffer(b)
            n = self._pread_into(ctypes.addressof(buf), len(b), offset)
            del buf
            del b[n:]
        return bytes(b)

    def copy_to(self, out, threads=0):
        """The whole file, in order, written to out (anything with write()),
        read by the library's reader threads (apfsi_file_read_all)."""
        exc = []

        def sink(data, length, arg):
            try:
                out.write(ctypes.string_at(data, length))
                return 0
            except BaseException as e:  # noqa: B902 - raised again below
                exc.append(e)
                return -1
        err = C.lib.apfsi_file_read_all(self._live(), threads, C.SINK_FN(sink), None)
        if exc:
            raise exc[0]
        check(err)

    def __repr__(self):
        return "<apfsinspect.File %r size=%d%s>" % (self.name, self._size,
                                                    " closed" if self.closed else "")
