# SPDX-License-Identifier: MIT
"""Volumes: their properties, snapshots, crypto users and unlocking."""
import ctypes
import enum
from collections import namedtuple

from . import _capi as C
from ._handle import Handle, encode, text, uuid_of
from .errors import ApfsInspectError, Incomplete, check
from .fs import FileSystem


class UserType(enum.IntEnum):
    LOCAL_OPEN_DIRECTORY = 0
    PERSONAL_RECOVERY = 1
    ICLOUD_RECOVERY = 2
    ICLOUD_RECOVERY_EXTERNAL = 3
    INSTITUTIONAL_RECOVERY = 4
    INSTITUTIONAL_RECOVERY_EXTERNAL = 5
    MDM_BOOTSTRAP_TOKEN_EXTERNAL = 6
    DISK = 7


class CryptoUser(namedtuple("CryptoUser", "index uuid type type_name hint short_name full_name "
                                         "admin parsed parse_error hardware_bound "
                                         "offline_unlockable pbkdf2_iterations keybag_block "
                                         "keybag_entry hash_line")):
    """A crypto user of an encrypted volume: what `listcryptousers --json`
    shows.  type: a UserType; type_name: diskutil's "Type:" text; hint,
    short_name, full_name, admin (from the image's user records): None when
    not recorded; parsed: the key record parsed, else parse_error says why;
    hardware_bound: the key needs the Mac's Secure Enclave;
    offline_unlockable: a password or recovery key can unlock it here;
    hash_line: the hashcat 18300/16700 line, None when not crackable."""
    __slots__ = ()

    @property
    def name(self):
        """Who the user is: the full name, else the short name, else None."""
        return self.full_name or self.short_name


class Snapshot(namedtuple("Snapshot", "xid name create_time change_time")):
    """A snapshot; times in ns since 1970 UTC."""
    __slots__ = ()


class UnlockResult(namedtuple("UnlockResult", "user candidate tried hardware_bound unusable "
                                              "damaged")):
    """How far an unlock got: user, the CryptoUser that took the credential
    (None: none did); candidate, the index of the matching password
    (unlock_candidates); tried, users the credential was tried on; and the
    users passed over: hardware_bound (key bound to the original Mac),
    unusable (not unlockable offline), damaged.  On failure, the exception's
    .result."""
    __slots__ = ()


_INFO_FIELDS = ("number", "container", "fs_index", "name", "uuid", "role", "has_group",
                "group_uuid", "case_insensitive", "encrypted", "hardware_encrypted", "locked",
                "sealed", "files", "directories", "symlinks", "snapshot_count", "bytes_used",
                "xid")


class VolumeInfo(namedtuple("VolumeInfo", _INFO_FIELDS)):
    """number: 1-based across the image (the CLI's --volume N); container:
    index in Image.containers; role: "Data", "System"... or "None";
    group_uuid: None outside a volume group; locked: encrypted and not
    unlocked; files...bytes_used: the superblock's counts."""
    __slots__ = ()


def _volume_info(i):
    group = uuid_of(i.group_uuid) if i.has_group else None
    return VolumeInfo(i.number, i.container, i.fs_index, text(i.name),
                      uuid_of(i.uuid), text(i.role), i.has_group, group,
                      i.case_insensitive, i.encrypted, i.hardware_encrypted, i.locked,
                      i.sealed, i.files, i.directories, i.symlinks, i.snapshots,
                      i.bytes_used, i.xid)


def _user(n, u):
    return CryptoUser(n, uuid_of(u.uuid), UserType(u.type), text(u.type_name),
                      text(u.hint), text(u.short_name), text(u.full_name),
                      None if u.admin < 0 else bool(u.admin), u.parsed, text(u.parse_error),
                      u.hardware_bound, u.offline_unlockable, u.pbkdf2_iterations,
                      u.keybag_block, u.keybag_entry, text(u.hash_line))


def _user_uuid(user, users):
    """The 16 bytes of the user a caller names: a CryptoUser, UUID, UUID text or index."""
    if isinstance(user, CryptoUser):
        return user.uuid.bytes
    import uuid
    if isinstance(user, uuid.UUID):
        return user.bytes
    if isinstance(user, int):
        return users()[user].uuid.bytes
    return uuid.UUID(str(user)).bytes


class _Progress:
    """A C progress callback around a Python one; an exception in it cancels
    the unlock and is raised again afterwards."""

    def __init__(self, fn):
        self.fn, self.exc = fn, None
        self.c = C.PROGRESS_FN(self._call) if fn else C.PROGRESS_FN()

    def _call(self, done, total, arg):
        try:
            return 1 if self.fn(done, total) else 0
        except BaseException as e:  # noqa: B902 - stored and raised in the caller's thread
            self.exc = e
            return 1


class Volume(Handle):
    """A volume of an image (owned by the image: no close of its own).

    Its properties (VolumeInfo's fields: name, uuid, role, encrypted, locked...)
    read as attributes, always current (locked turns False after unlock)."""
    _kind = "volume"

    def __init__(self, h, image):
        super().__init__(h, image, None)

    @property
    def info(self):
        i = C.VolumeInfo()
        check(C.lib.apfsi_volume_info(self._live(), ctypes.byref(i)))
        return _volume_info(i)

    def __getattr__(self, name):
        if name in _INFO_FIELDS:
            return getattr(self.info, name)
        raise AttributeError("%s has no attribute %r" % (type(self).__name__, name))

    def __repr__(self):
        if self.closed:
            return "<apfsinspect.Volume closed>"
        i = self.info
        return "<apfsinspect.Volume %d %r role=%s%s>" % (
            i.number, i.name, i.role, " locked" if i.locked else "")

    @property
    def snapshots(self):
        """The snapshots, oldest first.  Incomplete where the snapshot metadata tree holds
        fewer than the volume counts: its .result is the list of those it holds."""
        n = ctypes.c_uint()
        err = C.lib.apfsi_volume_snapshot_count(self._live(), ctypes.byref(n))
        if err != Incomplete.code:
            check(err)
        out = []
        for k in range(n.value):
            s = C.SnapshotInfo()
            check(C.lib.apfsi_volume_snapshot(self._live(), k, ctypes.byref(s)))
            out.append(Snapshot(s.xid, text(s.name), s.create_time, s.change_time))
        check(err, out)
        return out

    @property
    def users(self):
        """The crypto users (keybag order); [] for a volume without a keybag."""
        n = ctypes.c_uint()
        err = C.lib.apfsi_volume_user_count(self._live(), ctypes.byref(n))
        if err == 8 and not self.info.encrypted:  # APFSI_ERR_NOT_FOUND: no keybag
            return []
        check(err)
        out = []
        for k in range(n.value):
            u = C.UserInfo()
            check(C.lib.apfsi_volume_user(self._live(), k, ctypes.byref(u)))
            out.append(_user(k, u))
        return out

    def _options(self, user, threads, progress):
        opts = C.UnlockOptions()
        opts.threads = threads
        if user is not None:
            buf = (C.c_u8 * 16)(*_user_uuid(user, lambda: self.users))
            # cast() keeps buf alive in the pointer, the pointer in opts.
            opts.user_uuid = ctypes.cast(buf, C.P(C.c_u8))
        opts.progress = progress.c
        return opts

    def _result(self, r, with_candidate=False):
        users = self.users if r.user >= 0 else []
        return UnlockResult(users[r.user] if r.user >= 0 else None,
                            r.candidate if with_candidate and r.user >= 0 else None,
                            r.tried, r.hardware_bound, r.unusable, r.damaged)

    def _finish(self, err, r, progress, with_candidate=False):
        if progress.exc is not None:
            raise progress.exc
        res = self._result(r, with_candidate)
        check(err, res)
        return res

    def unlock(self, password=None, *, recovery_key=None, volume_key=None, user=None,
               threads=0, progress=None):
        """Unlock with one credential: a password (str or bytes), a recovery key
        ("XXXX-XXXX-...", dashes optional) or a raw volume key (16 or 32 bytes,
        or their hex).  user: only that crypto user (CryptoUser, UUID, UUID text
        or index).  Returns the CryptoUser that took it; raises WrongCredential,
        HardwareBound, NoUser, NotFound... with the UnlockResult as .result."""
        kind, secret = _credential(password, recovery_key, volume_key)
        res = self.unlock_result(kind, secret, user, threads, progress)
        return res.user

    def unlock_result(self, kind, secret, user=None, threads=0, progress=None):
        """unlock() with the credential kind given as C.CRED_*: the whole UnlockResult."""
        prog = _Progress(progress)
        buf = ctypes.create_string_buffer(secret, len(secret) or 1)
        r = C.UnlockResult()
        try:
            err = C.lib.apfsi_volume_unlock(self._live(), kind, buf, len(secret),
                                            ctypes.byref(self._options(user, threads, prog)),
                                            ctypes.byref(r))
        finally:
            ctypes.memset(buf, 0, len(buf))
        return self._finish(err, r, prog)

    def unlock_candidates(self, candidates, *, user=None, threads=0, progress=None):
        """Try candidate passwords (a dictionary) on every user that takes one
        (or only user); progress(done, total) -> true to stop.  Returns the
        UnlockResult: .candidate is the index of the password that fitted."""
        cands = [encode(c) for c in candidates]
        arr = (C.c_char_p * max(len(cands), 1))(*cands)
        lens = (C.c_size_t * max(len(cands), 1))(*[len(c) for c in cands])
        prog = _Progress(progress)
        r = C.UnlockResult()
        err = C.lib.apfsi_volume_unlock_candidates(
            self._live(), arr, lens, len(cands),
            ctypes.byref(self._options(user, threads, prog)), ctypes.byref(r))
        return self._finish(err, r, prog, with_candidate=True)

    def volume_key(self):
        """The VEK of an unlocked volume: key bytes, for callers who ask by name."""
        key = (C.c_u8 * 32)()
        n = C.c_size_t()
        try:
            check(C.lib.apfsi_volume_key(self._live(), key, ctypes.byref(n)))
            return bytes(key[:n.value])
        finally:
            ctypes.memset(key, 0, 32)

    def open_fs(self, snapshot=None, firmlinks=True):
        """The file system, read-only: live (snapshot None) or a snapshot by name,
        xid (int) or Snapshot.  A group's System volume shows the Mac's root
        (Data firmlinked in) unless firmlinks=False.  Locked if not unlocked."""
        if isinstance(snapshot, Snapshot):
            snapshot = snapshot.xid
        snap = None if snapshot is None else encode(str(snapshot))
        h = C.H()
        flags = 0 if firmlinks else C.FS_NO_FIRMLINKS
        check(C.lib.apfsi_fs_open(self._live(), snap, flags, ctypes.byref(h)))
        return FileSystem(h.value, self)


def _credential(password, recovery_key, volume_key):
    """(kind, bytes) of the one credential given."""
    given = [(k, v) for k, v in ((C.CRED_PASSWORD, password),
                                 (C.CRED_RECOVERY_KEY, recovery_key),
                                 (C.CRED_VOLUME_KEY, volume_key)) if v is not None]
    if len(given) != 1:
        raise TypeError("give exactly one of password, recovery_key, volume_key")
    kind, v = given[0]
    if kind == C.CRED_VOLUME_KEY and isinstance(v, str):
        v = bytes.fromhex(v)
    return kind, encode(v)


__all__ = ["Volume", "VolumeInfo", "CryptoUser", "UserType", "Snapshot", "UnlockResult",
           "ApfsInspectError"]
