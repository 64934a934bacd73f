# SPDX-License-Identifier: MIT
"""Opening an image: apfsinspect.open() and the Image it returns."""
import ctypes
from collections import namedtuple

from . import _capi as C
from ._handle import Handle, encode, text, uuid_of
from .errors import check
from .volume import Volume


class ImageInfo(namedtuple("ImageInfo", "size format chain containers volumes first_error")):
    """size: bytes of the decoded disk; format: the outermost layer ("raw",
    "udif", "sparsebundle"...); chain: every layer, outermost first ("e01 >
    gpt"); first_error: 0, or the code of why a container or volume was skipped."""
    __slots__ = ()


class Container(namedtuple("Container", "index uuid offset block_size block_count "
                                        "blocks_present xid volumes")):
    """offset: of block 0 in the image, bytes; blocks_present < block_count:
    a truncated image; xid: of the checkpoint in use; volumes: that opened."""
    __slots__ = ()


def _passphrase_callback(passphrase):
    """A C passphrase callback giving passphrase on the first attempt only."""
    secret = encode(passphrase)

    def give(arg, image, attempt, buf, cap, length):
        if attempt or len(secret) > cap:
            return 1
        ctypes.memmove(buf, secret, len(secret))
        length[0] = len(secret)
        return 0
    return C.PASSPHRASE_FN(give)


class Image(Handle):
    """An image opened read-only; a context manager. Close it (or leave the
    `with` block) to release it and everything opened from it."""
    _kind = "image"

    def __init__(self, path, format=None, passphrase=None, offset=None, checkpoint=None):
        opts = C.OpenOptions()
        if format is not None:
            opts.format = encode(format)
        if offset is not None:
            opts.at_offset, opts.offset = True, offset
        if checkpoint is not None:
            opts.checkpoint_xid = checkpoint
        if passphrase is not None:
            # Kept alive as long as the image: the library may ask again later.
            self._pass_cb = _passphrase_callback(passphrase)
            opts.passphrase = self._pass_cb
        h = C.H()
        self.path = path
        check(C.lib.apfsi_image_open(encode(path), ctypes.byref(opts), ctypes.byref(h)))
        super().__init__(h.value, None, C.lib.apfsi_image_close)

    @property
    def info(self):
        i = C.ImageInfo()
        check(C.lib.apfsi_image_info(self._live(), ctypes.byref(i)))
        return ImageInfo(i.size, text(i.format), text(i.chain), i.containers, i.volumes,
                         i.first_error)

    @property
    def containers(self):
        out = []
        for n in range(self.info.containers):
            c = C.ContainerInfo()
            check(C.lib.apfsi_container_info(self._live(), n, ctypes.byref(c)))
            out.append(Container(n, uuid_of(c.uuid), c.offset, c.block_size,
                                 c.block_count, c.blocks_present, c.xid, c.volumes))
        return out

    @property
    def volumes(self):
        """Every volume that opened, across all containers, in the CLI's numbering."""
        out = []
        for n in range(self.info.volumes):
            h = C.H()
            check(C.lib.apfsi_image_volume(self._live(), n, ctypes.byref(h)))
            out.append(Volume(h.value, self))
        return out

    def select_volume(self, selector=None):
        """The volume a selector names, as the CLI's --volume: number (1-based),
        name, UUID or role; None: the default (the Data volume, else the one
        encrypted volume, else the only one).  NotFound or Ambiguous otherwise."""
        h = C.H()
        sel = None if selector is None else encode(str(selector))
        check(C.lib.apfsi_image_select_volume(self._live(), sel, ctypes.byref(h)))
        return Volume(h.value, self)

    def __repr__(self):
        return "<apfsinspect.Image %r%s>" % (self.path, " closed" if self.closed else "")


def open(path, format=None, passphrase=None, offset=None, checkpoint=None):  # noqa: A001
    """Open an image read-only: a raw disk or container, DMG, sparse image or
    bundle, encrypted image (passphrase), E01, VMDK, VHD(X), QCOW2 or a split
    set; format None detects it.  offset: one container at that byte offset
    (no partition map); checkpoint: that xid instead of the newest."""
    return Image(path, format=format, passphrase=passphrase, offset=offset,
                 checkpoint=checkpoint)
