#!/usr/bin/env python3
"""vek_of.py IMAGE PASSWORD -> the 64 hex digits of the VEK that PASSWORD unlocks.

An independent derivation for the secrets tests, so that they know what key
to look for in memory and in core files without asking apfsinspect: written
from docs/apfs-format.md sections 1.3, 2, 3, 4 and 5 (container keybag at
nx_keylocker, AES-XTS with key1 = key2 = the UUID over 512-byte units,
kb_locker entries, the DER blobs, PBKDF2-HMAC-SHA256, RFC 3394), with
Python's hashlib and the `cryptography` package.  Shares no code with the C
implementation.  Handles what the generator makes: a bare container at byte
0, 256-bit KEKs and VEKs.  Exit 1 when the password unlocks nothing.
"""
import hashlib
import struct
import sys

from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from cryptography.hazmat.primitives.keywrap import InvalidUnwrap, aes_key_unwrap


def xts_decrypt(data, key, first_sector):
    """AES-XTS-128 with key1 = key2 = key, 512-byte units numbered from first_sector."""
    out = bytearray()
    for i in range(0, len(data), 512):
        tweak = struct.pack("<QQ", first_sector + i // 512, 0)
        d = Cipher(algorithms.AES(key + key), modes.XTS(tweak)).decryptor()
        out += d.update(data[i:i + 512]) + d.finalize()
    return bytes(out)


def read_bag(img, bs, start, count, key):
    img.seek(start * bs)
    return xts_decrypt(img.read(count * bs), key, start * (bs // 512))


def entries(bag):
    """(uuid, tag, data) of each kb_locker entry: header at 32, entries at 48, 16-aligned."""
    nkeys, = struct.unpack_from("<H", bag, 34)
    off = 48
    for _ in range(nkeys):
        uuid = bag[off:off + 16]
        tag, keylen = struct.unpack_from("<HH", bag, off + 16)
        yield uuid, tag, bag[off + 24:off + 24 + keylen]
        off += (24 + keylen + 15) & ~15


def der(buf):
    """{tag: value} of one level of DER TLVs."""
    out, i = {}, 0
    while i + 2 <= len(buf):
        tag, n = buf[i], buf[i + 1]
        i += 2
        if n & 0x80:
            k = n & 0x7F
            n = int.from_bytes(buf[i:i + k], "big")
            i += k
        out[tag] = buf[i:i + n]
        i += n
    return out


def blob_fields(blob):
    """The [3] key blob inside the outer SEQUENCE of a KEK or VEK blob."""
    return der(der(der(blob)[0x30])[0xA3])


def main():
    path, password = sys.argv[1], sys.argv[2].encode()
    with open(path, "rb") as img:
        nx = img.read(4096)
        bs, = struct.unpack_from("<I", nx, 36)
        nx_uuid = nx[72:88]
        kl_start, kl_count = struct.unpack_from("<QQ", nx, 1296)
        ckb = read_bag(img, bs, kl_start, kl_count, nx_uuid)
        veks = {u: d for u, t, d in entries(ckb) if t == 2}
        for vol_uuid, tag, data in list(entries(ckb)):
            if tag != 3 or vol_uuid not in veks:
                continue
            start, count = struct.unpack("<QQ", data[:16])
            vkb = read_bag(img, bs, start, count, vol_uuid)
            for _, utag, kek_blob in entries(vkb):
                if utag != 3:
                    continue
                f = blob_fields(kek_blob)
                dk = hashlib.pbkdf2_hmac("sha256", password, f[0x85],
                                         int.from_bytes(f[0x84], "big"), 32)
                try:
                    kek = aes_key_unwrap(dk, f[0x83])
                    vek = aes_key_unwrap(kek, blob_fields(veks[vol_uuid])[0x83])
                except InvalidUnwrap:
                    continue
                print(vek.hex())
                return 0
    return 1


if __name__ == "__main__":
    sys.exit(main())
