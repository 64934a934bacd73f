#!/usr/bin/env python3
"""encrcdsa_keys.py IMAGE PASSWORD - the data keys of an encrypted Apple disk image
(encrcdsa version 2), derived independently of apfsinspect from the format
description (docs/containers.md §3) with python3-cryptography:

  KEK  = PBKDF2-HMAC-SHA1(password, salt, iterations, 24 bytes)
  blob = 3DES-EDE-CBC-decrypt(KEK, IV = the entry's IV, first 8 bytes)
  strip PKCS#7; the blob ends in "CKIE" + one byte and starts with the
  AES key (key_bits / 8 bytes), then the 20-byte HMAC-SHA1 key.

Follows the first password key pointer (type 1).  Prints "AESHEX HMACHEX" (the
form `vfdecrypt -k` takes, concatenated) or exits 1 when the password is wrong.
--chunk N OUT: also decrypt chunk N (AES-CBC, IV = HMAC-SHA1(hmac, be32 N)[:16])
into OUT, an independent check of the chunk layer.  IMAGE may be an encrypted
sparse bundle: the header is then its token, and the ciphertext its bands
(band n = bands/<n in hex>, missing or short bands as zeros; chunk 0 at byte 0).
"""
import os
import hashlib
import hmac
import struct
import sys

from cryptography.hazmat.primitives.ciphers import Cipher, modes
from cryptography.hazmat.primitives.ciphers.algorithms import AES
try:
    from cryptography.hazmat.decrepit.ciphers.algorithms import TripleDES
except ImportError:  # cryptography < 43
    from cryptography.hazmat.primitives.ciphers.algorithms import TripleDES


def header(img):
    h = img[:0x4C]
    if h[:8] != b"encrcdsa" or struct.unpack(">I", h[8:12])[0] != 2:
        sys.exit("not an encrcdsa v2 image")
    key_bits, = struct.unpack(">I", h[0x18:0x1C])
    bs, dlen, doff, nkeys = struct.unpack(">IQQI", h[0x34:0x4C])
    ptrs = [struct.unpack(">IQQ", img[0x4C + 20 * i:0x4C + 20 * i + 20]) for i in range(nkeys)]
    return key_bits, bs, dlen, doff, ptrs


def unwrap(img, off, password, key_bits):
    e = img[off:off + 104]
    iters, salt_len = struct.unpack(">II", e[8:16])
    salt = e[16:16 + salt_len]
    iv_len, = struct.unpack(">I", e[48:52])
    iv = e[52:52 + iv_len][:8]
    blob_len, = struct.unpack(">I", e[100:104])
    blob = img[off + 104:off + 104 + blob_len]
    kek = hashlib.pbkdf2_hmac("sha1", password, salt, iters, 24)
    d = Cipher(TripleDES(kek), modes.CBC(iv)).decryptor()
    plain = d.update(blob) + d.finalize()
    pad = plain[-1]
    if not 1 <= pad <= 8 or plain[-pad:] != bytes([pad]) * pad:
        return None
    plain = plain[:-pad]
    if plain[-5:-1] != b"CKIE":
        return None
    n = key_bits // 8
    return plain[:n], plain[n:n + 20]


def bundle_bytes(path, off, n):
    """n bytes at off of a sparse bundle's band stream (containers.md §2)."""
    import plistlib
    band = plistlib.load(open(os.path.join(path, "Info.plist"), "rb"))["band-size"]
    out = b""
    while len(out) < n:
        b, o = divmod(off + len(out), band)
        try:
            data = open(os.path.join(path, "bands", "%x" % b), "rb").read()
        except FileNotFoundError:
            data = b""
        data = data.ljust(band, b"\0")
        out += data[o:o + n - len(out)]
    return out


def main():
    args = sys.argv[1:]
    chunk = None
    if len(args) == 5 and args[2] == "--chunk":
        chunk = (int(args[3]), args[4])
    elif len(args) != 2:
        sys.exit(__doc__)
    bundle = os.path.isdir(args[0])
    img = open(os.path.join(args[0], "token") if bundle else args[0], "rb").read()
    key_bits, bs, dlen, doff, ptrs = header(img)
    for typ, off, _ in ptrs:
        if typ != 1:
            continue
        keys = unwrap(img, off, args[1].encode(), key_bits)
        if keys:
            break
    else:
        print("password does not open the image", file=sys.stderr)
        sys.exit(1)
    aes, mac = keys
    print(aes.hex() + " " + mac.hex())
    if chunk:
        n, out = chunk
        iv = hmac.new(mac, struct.pack(">I", n), hashlib.sha1).digest()[:16]
        d = Cipher(AES(aes), modes.CBC(iv)).decryptor()
        ct = bundle_bytes(args[0], n * bs, bs) if bundle else img[doff + n * bs:doff + (n + 1) * bs]
        open(out, "wb").write(d.update(ct) + d.finalize())


main()
