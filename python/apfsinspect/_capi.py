# SPDX-License-Identifier: MIT
"""The C API of libapfsinspect (include/apfsinspect.h) as ctypes sees it.

Every struct here mirrors the header field for field, reserved[] included,
so that the library can fill it; the prototypes give ctypes the argument and
result types (without them it would pass 64-bit values as C ints).  Nothing
outside this package should import this module: its names follow the C
header, the Pythonic surface is in the package's other modules.
"""
import ctypes
import os

ABI_VERSION = 1

c_u8, c_u16, c_u32, c_u64, c_i64 = (ctypes.c_uint8, ctypes.c_uint16, ctypes.c_uint32,
                                    ctypes.c_uint64, ctypes.c_int64)
c_char_p, c_void_p, c_bool, c_int, c_uint, c_size_t = (
    ctypes.c_char_p, ctypes.c_void_p, ctypes.c_bool, ctypes.c_int, ctypes.c_uint, ctypes.c_size_t)
P = ctypes.POINTER
UUID16 = c_u8 * 16

# ---- callbacks --------------------------------------------------------------
LOG_FN = ctypes.CFUNCTYPE(None, c_int, c_char_p, c_void_p)
PASSPHRASE_FN = ctypes.CFUNCTYPE(c_int, c_void_p, c_char_p, c_uint, P(ctypes.c_char), c_size_t,
                                 P(c_size_t))
PROGRESS_FN = ctypes.CFUNCTYPE(c_int, c_u64, c_u64, c_void_p)
SINK_FN = ctypes.CFUNCTYPE(c_int, c_void_p, c_size_t, c_void_p)
XATTR_FN = ctypes.CFUNCTYPE(c_int, c_char_p, c_u64, c_void_p)


class OpenOptions(ctypes.Structure):
    _fields_ = [("format", c_char_p), ("at_offset", c_bool), ("offset", c_u64),
                ("checkpoint_xid", c_u64), ("passphrase", PASSPHRASE_FN),
                ("passphrase_arg", c_void_p), ("flags", c_u64), ("reserved", c_u64 * 7)]


class ImageInfo(ctypes.Structure):
    _fields_ = [("size", c_u64), ("format", c_char_p), ("chain", c_char_p),
                ("containers", c_uint), ("volumes", c_uint), ("first_error", c_int),
                ("reserved", c_u64 * 8)]


class ContainerInfo(ctypes.Structure):
    _fields_ = [("uuid", UUID16), ("offset", c_u64), ("block_size", c_u32),
                ("block_count", c_u64), ("blocks_present", c_u64), ("xid", c_u64),
                ("volumes", c_uint), ("reserved", c_u64 * 8)]


class VolumeInfo(ctypes.Structure):
    _fields_ = [("number", c_uint), ("container", c_uint), ("fs_index", c_uint),
                ("name", c_char_p), ("uuid", UUID16), ("role", c_char_p),
                ("has_group", c_bool), ("group_uuid", UUID16), ("case_insensitive", c_bool),
                ("encrypted", c_bool), ("hardware_encrypted", c_bool), ("locked", c_bool),
                ("sealed", c_bool), ("files", c_u64), ("directories", c_u64),
                ("symlinks", c_u64), ("snapshots", c_u64), ("bytes_used", c_u64),
                ("xid", c_u64), ("reserved", c_u64 * 8)]


class SnapshotInfo(ctypes.Structure):
    _fields_ = [("xid", c_u64), ("create_time", c_i64), ("change_time", c_i64),
                ("name", c_char_p), ("reserved", c_u64 * 4)]


class UserInfo(ctypes.Structure):
    _fields_ = [("uuid", UUID16), ("type", c_int), ("type_name", c_char_p),
                ("hint", c_char_p), ("short_name", c_char_p), ("full_name", c_char_p),
                ("admin", c_int), ("parsed", c_bool), ("parse_error", c_char_p),
                ("hardware_bound", c_bool), ("offline_unlockable", c_bool),
                ("pbkdf2_iterations", c_u64), ("keybag_block", c_u64),
                ("keybag_entry", c_uint), ("hash_line", c_char_p), ("reserved", c_u64 * 8)]


class UnlockResult(ctypes.Structure):
    _fields_ = [("user", c_int), ("candidate", c_size_t), ("tried", c_uint),
                ("hardware_bound", c_uint), ("unusable", c_uint), ("damaged", c_uint),
                ("reserved", c_u64 * 8)]


class UnlockOptions(ctypes.Structure):
    _fields_ = [("user_uuid", P(c_u8)), ("threads", c_uint), ("progress", PROGRESS_FN),
                ("progress_arg", c_void_p), ("reserved", c_u64 * 8)]


class Stat(ctypes.Structure):
    _fields_ = [("ino", c_u64), ("parent", c_u64), ("type", c_int), ("mode", c_u16),
                ("uid", c_u32), ("gid", c_u32), ("nlink", c_u32), ("size", c_u64),
                ("allocated", c_u64), ("crtime", c_i64), ("mtime", c_i64), ("ctime", c_i64),
                ("atime", c_i64), ("added", c_i64), ("bsd_flags", c_u32),
                ("compression", c_u32), ("compression_name", c_char_p), ("rdev", c_u64),
                ("flags", c_u64), ("reserved", c_u64 * 7)]


class Dirent(ctypes.Structure):
    # st as an address (the header's const struct apfsi_stat *): read apart, and faster.
    _fields_ = [("ino", c_u64), ("type", c_int), ("date_added", c_i64), ("name", c_char_p),
                ("st", c_void_p), ("stat_error", c_int), ("reserved", c_u64 * 4)]


# Constants of the header.
ROOT_INO = 2
FS_NO_FIRMLINKS = 1
DIR_STAT = 1
DIR_INODE_ORDER = 2
DIR_ADDED = 4
XATTR_HIDDEN = 1
CRED_PASSWORD, CRED_RECOVERY_KEY, CRED_VOLUME_KEY = 0, 1, 2

H = c_void_p  # every opaque handle

# name: (restype, argtypes)
PROTOTYPES = {
    "apfsi_version": (c_char_p, []),
    "apfsi_strerror": (c_char_p, [c_int]),
    "apfsi_last_message": (c_char_p, []),
    "apfsi_set_log": (None, [LOG_FN, c_int, c_void_p]),
    "apfsi_image_open": (c_int, [c_char_p, P(OpenOptions), P(H)]),
    "apfsi_image_close": (None, [H]),
    "apfsi_image_info": (c_int, [H, P(ImageInfo)]),
    "apfsi_container_info": (c_int, [H, c_uint, P(ContainerInfo)]),
    "apfsi_image_volume": (c_int, [H, c_uint, P(H)]),
    "apfsi_image_select_volume": (c_int, [H, c_char_p, P(H)]),
    "apfsi_volume_info": (c_int, [H, P(VolumeInfo)]),
    "apfsi_volume_snapshot_count": (c_int, [H, P(c_uint)]),
    "apfsi_volume_snapshot": (c_int, [H, c_uint, P(SnapshotInfo)]),
    "apfsi_volume_user_count": (c_int, [H, P(c_uint)]),
    "apfsi_volume_user": (c_int, [H, c_uint, P(UserInfo)]),
    "apfsi_volume_unlock": (c_int, [H, c_int, c_void_p, c_size_t, P(UnlockOptions),
                                    P(UnlockResult)]),
    "apfsi_volume_unlock_candidates": (c_int, [H, P(c_char_p), P(c_size_t), c_size_t,
                                               P(UnlockOptions), P(UnlockResult)]),
    "apfsi_volume_key": (c_int, [H, P(c_u8), P(c_size_t)]),
    "apfsi_fs_open": (c_int, [H, c_char_p, c_uint, P(H)]),
    "apfsi_fs_close": (None, [H]),
    "apfsi_fs_stat": (c_int, [H, c_u64, P(Stat)]),
    "apfsi_fs_stat_path": (c_int, [H, c_char_p, P(Stat)]),
    "apfsi_fs_path": (c_int, [H, c_u64, c_void_p, c_size_t]),
    "apfsi_fs_dir_entered": (c_int, [H, c_u64, c_char_p, c_u64]),
    "apfsi_fs_readlink": (c_int, [H, c_u64, c_void_p, c_size_t]),
    "apfsi_dir_open": (c_int, [H, c_u64, c_uint, P(H)]),
    "apfsi_dir_next": (c_int, [H, P(c_void_p)]),  # out: a struct apfsi_dirent *
    "apfsi_dir_close": (None, [H]),
    "apfsi_file_open": (c_int, [H, c_u64, P(H)]),
    "apfsi_file_open_fork": (c_int, [H, c_u64, c_char_p, P(H)]),
    "apfsi_file_close": (None, [H]),
    "apfsi_file_size": (c_u64, [H]),
    "apfsi_file_pread": (c_int, [H, c_u64, c_void_p, c_size_t, P(c_size_t)]),
    "apfsi_file_read_all": (c_int, [H, c_uint, SINK_FN, c_void_p]),
    "apfsi_fs_listxattr": (c_int, [H, c_u64, c_uint, XATTR_FN, c_void_p]),
    "apfsi_fs_getxattr": (c_int, [H, c_u64, c_char_p, c_u64, c_void_p, c_size_t,
                                  P(c_size_t), P(c_u64)]),
    "apfsi_fs_xattrs_missing": (c_int, [H, c_u64, XATTR_FN, c_void_p]),
}


def _candidates():
    """Where the library may be, in the order tried (see python/README.md)."""
    env = os.environ.get("APFSINSPECT_LIBRARY")
    if env:
        return [env]
    soname = "libapfsinspect.so.%d" % ABI_VERSION
    names = []
    try:
        from . import _build_config  # written by setup.py from pkg-config, if it found one
        names.append(os.path.join(_build_config.LIBDIR, soname))
    except ImportError:
        pass
    names.append(soname)  # the dynamic loader's search: LD_LIBRARY_PATH, ld.so.cache
    return names


def _found_by_ldconfig():
    import ctypes.util  # only now: it costs a tenth of a second to import (re, shutil)
    return ctypes.util.find_library("apfsinspect")


def _lacking(path, fn):
    def call(*args):
        raise OSError("%s has no %s: a library older than this module" % (path, fn))
    return call


def load():
    """The loaded library with its prototypes set; OSError naming what was tried."""
    tried = []
    for name in _candidates() + [None]:
        if name is None:  # the last resort: ldconfig's cache under another name
            name = _found_by_ldconfig()
            if not name:
                break
        try:
            lib = ctypes.CDLL(name)
        except OSError as e:
            tried.append("%s (%s)" % (name, e))
            continue
        for fn, (res, args) in PROTOTYPES.items():
            try:
                f = getattr(lib, fn)
            except AttributeError:
                # An older library of this SONAME (its functions only grow):
                # what it has works, a call of what it lacks says so.
                setattr(lib, fn, _lacking(name, fn))
                continue
            f.restype, f.argtypes = res, args
        return lib
    raise OSError("libapfsinspect.so.%d not found: tried %s; set APFSINSPECT_LIBRARY to its "
                  "path, or LD_LIBRARY_PATH to its directory" % (ABI_VERSION, "; ".join(tried)))


lib = load()
