# SPDX-License-Identifier: MIT
"""What every wrapper of a C handle shares: closing in the right order.

The C API's rule is that a handle outlives everything opened from it (files
and directory iterators before their file system, file systems before their
image).  Python code may drop or close objects in any order, so each wrapper
keeps a strong reference to its parent (the parent cannot be collected first)
and the parent a weak set of its children, which it closes before itself.
"""
import weakref


def text(b):
    """A name from the image as str: UTF-8, with bytes that are not UTF-8 kept
    as surrogates (os.fsdecode's rule), so text(b).encode('utf-8',
    'surrogateescape') gives the image's bytes back."""
    return None if b is None else b.decode("utf-8", "surrogateescape")


def uuid_of(b):
    """16 bytes as a uuid.UUID (the module imported on first use: it pulls in
    re and platform, a third of this package's import time)."""
    import uuid
    return uuid.UUID(bytes=bytes(b))


def encode(s):
    """A path or name given by the caller, as the bytes the C API takes."""
    if isinstance(s, (bytes, bytearray)):
        return bytes(s)
    if hasattr(s, "__fspath__"):
        return encode(s.__fspath__())
    return s.encode("utf-8", "surrogateescape")


class Handle:
    """A C handle with an owner; close() closes what was opened from it first."""
    _kind = "object"

    def __init__(self, h, parent, close_fn):
        self._h = h
        self._parent = parent
        self._close_fn = close_fn
        self._children = weakref.WeakSet()
        if parent is not None:
            parent._adopt(self)

    def _adopt(self, child):
        self._live()
        self._children.add(child)

    def _live(self):
        """The C handle, or ValueError once this object (or its owner: closing
        an owner closes what it adopted) is closed."""
        if not self._h:
            raise ValueError("operation on a closed %s" % self._kind)
        return self._h

    def _alive(self):
        return bool(self._h)

    @property
    def closed(self):
        return not self._alive()

    def close(self):
        if not self._h:
            return
        for child in list(self._children):
            child.close()
        h, self._h = self._h, None
        if self._close_fn is not None:
            self._close_fn(h)

    def __enter__(self):
        self._live()
        return self

    def __exit__(self, *exc):
        self.close()

    def __del__(self):
        # An object collected while its owner lives: release its C handle.
        try:
            self.close()
        except Exception:
            pass
