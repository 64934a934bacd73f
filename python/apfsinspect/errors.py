# SPDX-License-Identifier: MIT
"""Exceptions, one class per error code of the C API (enum apfsi_error).

Every failure raises a subclass of ApfsInspectError carrying .code (the C
value), .strerror (the code's fixed text) and .message (the library's
message for this failure, naming the structure and block at fault).  Where
Python has a built-in exception for the same situation, the class derives
from it too, so `except FileNotFoundError` works on a missing path.
"""
from ._capi import lib


class ApfsInspectError(Exception):
    """A call into libapfsinspect failed."""
    code = None

    def __init__(self, code, message, strerror=None, result=None):
        # First: OSError's initialiser resets strerror.
        super().__init__(message or strerror or "error %d" % code)
        self.code = code
        self.message = message
        self.strerror = strerror
        #: For unlock failures: the staged UnlockResult (why each user was passed over); for
        #: Incomplete from Volume.snapshots: the snapshots the tree holds; from
        #: FileSystem.listxattr: the attributes it holds.
        self.result = result


class NoMemory(ApfsInspectError, MemoryError):
    code = 1


class ImageIOError(ApfsInspectError, OSError):
    code = 2


class Truncated(ApfsInspectError):
    code = 3


class Corrupt(ApfsInspectError):
    code = 4


class NotApfs(ApfsInspectError):
    code = 5


class Unsupported(ApfsInspectError):
    code = 6


class InvalidArgument(ApfsInspectError, ValueError):
    code = 7


class NotFound(ApfsInspectError, FileNotFoundError):
    code = 8


class Ambiguous(ApfsInspectError, LookupError):
    code = 9


class NotADirectory(ApfsInspectError, NotADirectoryError):
    code = 10


class IsADirectory(ApfsInspectError, IsADirectoryError):
    code = 11


class NotALink(ApfsInspectError):
    code = 12


class Loop(ApfsInspectError):
    code = 13


class NameTooLong(ApfsInspectError):
    code = 14


class Locked(ApfsInspectError, PermissionError):
    code = 15


class WrongCredential(ApfsInspectError):
    code = 16


class HardwareBound(ApfsInspectError):
    code = 17


class NoUser(ApfsInspectError):
    code = 18


class ImageLocked(ApfsInspectError, PermissionError):
    code = 19


class Cancelled(ApfsInspectError):
    code = 20


class Incomplete(ApfsInspectError):
    """A listing gave every entry it could read and reached its end; records that may hold
    others are missing (nodes that could not be read, a directory holding fewer entries
    than its inode counts: each named in a message)."""
    code = 21


class DamageWarning(UserWarning):
    """Damage read around, not a failure: what was asked for is given whole, but the image
    is not as macOS leaves it (FileSystem.walk: a directory entered through an entry that is
    not its own, its inode's parent or name damaged).  The library's message is the text."""


_BY_CODE = {c.code: c for c in list(globals().values())
            if isinstance(c, type) and issubclass(c, ApfsInspectError) and c.code}


def make(code, message):
    """The exception for code with a message of the caller's."""
    return _BY_CODE.get(code, ApfsInspectError)(code, message,
                                                (lib.apfsi_strerror(code) or b"").decode())


def error(code, result=None):
    """The exception for a failed call's code, with the calling thread's message."""
    msg = (lib.apfsi_last_message() or b"").decode("utf-8", "backslashreplace")
    text = (lib.apfsi_strerror(code) or b"").decode("utf-8", "backslashreplace")
    cls = _BY_CODE.get(code, ApfsInspectError)
    return cls(code, msg, text, result)


def check(code, result=None):
    """Raise the error for code unless it is APFSI_OK."""
    if code:
        raise error(code, result)
