# SPDX-License-Identifier: MIT
"""apfsinspect: read APFS disk images from Python, through libapfsinspect.

    import apfsinspect
    with apfsinspect.open("disk.dmg") as img:
        vol = img.select_volume()            # or "Data", a name, UUID or number
        for u in vol.users:
            print(u.uuid, u.type_name, u.name, u.hint)
        vol.unlock(password="...")           # WrongCredential, HardwareBound...
        with vol.open_fs() as fs:
            for dirpath, dirs, files in fs.walk("/"):
                ...
            with fs.open("/Users/alice/notes.txt") as f:
                data = f.read()

Everything is read-only: nothing is ever written to the image.  Names from
the image are str with undecodable bytes as surrogates (os.fsdecode's rule);
they are untrusted data: escape them for whatever output you write.
"""
from . import _capi
from .errors import (Ambiguous, ApfsInspectError, Cancelled, Corrupt, DamageWarning,
                     HardwareBound,
                     ImageIOError, ImageLocked, Incomplete, InvalidArgument, IsADirectory,
                     Locked, Loop,
                     NameTooLong, NoMemory, NoUser, NotADirectory, NotALink, NotApfs, NotFound,
                     Truncated, Unsupported, WrongCredential)
from .file import File, buffer
from .fs import DirEntry, FileSystem
from .image import Container, Image, ImageInfo, open  # noqa: A004
from .stat import FileType, Stat
from .volume import CryptoUser, Snapshot, UnlockResult, UserType, Volume, VolumeInfo

__version__ = "0.9.0"
ROOT_INO = _capi.ROOT_INO


def library_version():
    """The release of the libapfsinspect actually loaded."""
    return _capi.lib.apfsi_version().decode()


__all__ = [
    "open", "library_version", "buffer", "ROOT_INO", "Image", "ImageInfo", "Container", "Volume",
    "VolumeInfo", "CryptoUser", "UserType", "Snapshot", "UnlockResult", "FileSystem",
    "DirEntry", "Stat", "FileType", "File", "ApfsInspectError", "NoMemory", "ImageIOError",
    "Truncated", "Corrupt", "NotApfs", "Unsupported", "InvalidArgument", "NotFound",
    "Ambiguous", "NotADirectory", "IsADirectory", "NotALink", "Loop", "NameTooLong", "Locked",
    "WrongCredential", "HardwareBound", "NoUser", "ImageLocked", "Cancelled", "Incomplete",
    "DamageWarning",
]
