#!/usr/bin/env python3
"""fvde_check.py HASH PASSWORD -> exit 0 if PASSWORD cracks HASH, 1 if not.

An independent check of `apfsinspect hashes`: hashcat mode 18300 / 16700's
algorithm (docs/apfs-format.md section 7) written from RFC 3394 and
hashcat's module description, using Python's hashlib for PBKDF2 and
libcrypto's AES (through ctypes, or the openssl command) for single block
decryptions.  Shares no code with the
C implementation under test.
"""
import ctypes
import ctypes.util
import hashlib
import subprocess
import sys


def _libcrypto_ecb():
    """One AES block decryption through libcrypto's EVP API (ctypes), or None."""
    try:
        lc = ctypes.CDLL(ctypes.util.find_library("crypto"))
    except OSError:
        return None
    for f in ("EVP_CIPHER_CTX_new", "EVP_aes_128_ecb", "EVP_aes_256_ecb"):
        getattr(lc, f).restype = ctypes.c_void_p
    lc.EVP_DecryptInit_ex.argtypes = [ctypes.c_void_p] * 5
    lc.EVP_DecryptUpdate.argtypes = [ctypes.c_void_p, ctypes.c_char_p,
                                     ctypes.POINTER(ctypes.c_int), ctypes.c_char_p, ctypes.c_int]
    lc.EVP_CIPHER_CTX_set_padding.argtypes = [ctypes.c_void_p, ctypes.c_int]
    lc.EVP_CIPHER_CTX_free.argtypes = [ctypes.c_void_p]

    def dec(key, block):
        ctx = lc.EVP_CIPHER_CTX_new()
        cipher = lc.EVP_aes_128_ecb() if len(key) == 16 else lc.EVP_aes_256_ecb()
        lc.EVP_DecryptInit_ex(ctx, cipher, None, key, None)
        lc.EVP_CIPHER_CTX_set_padding(ctx, 0)
        out, n = ctypes.create_string_buffer(32), ctypes.c_int(0)
        lc.EVP_DecryptUpdate(ctx, out, ctypes.byref(n), block, 16)
        lc.EVP_CIPHER_CTX_free(ctx)
        return out.raw[:16]
    return dec


_ECB = _libcrypto_ecb()


def aes_ecb_decrypt(key, block):
    if _ECB:
        return _ECB(key, block)
    cipher = {16: "-aes-128-ecb", 32: "-aes-256-ecb"}[len(key)]
    return subprocess.run(["openssl", "enc", "-d", cipher, "-K", key.hex(), "-nopad"],
                          input=block, capture_output=True, check=True).stdout


def rfc3394_unwrap_ok(kek, wrapped):
    n = len(wrapped) // 8 - 1
    a = wrapped[:8]
    r = [wrapped[8 * (i + 1):8 * (i + 2)] for i in range(n)]
    for j in range(5, -1, -1):
        for i in range(n, 0, -1):
            t = (n * j + i).to_bytes(8, "big")
            b = aes_ecb_decrypt(kek, bytes(x ^ y for x, y in zip(a, t)) + r[i - 1])
            a, r[i - 1] = b[:8], b[8:]
    return a == b"\xa6" * 8


def main():
    h, pw = sys.argv[1], sys.argv[2].encode()
    if ":" in h.split("$fvde$")[0]:  # John form: uuid:hash:::hint::
        h = "$fvde$" + h.split("$fvde$", 1)[1].split(":")[0]
    _, _, ver, slen, salt, it, wrapped = h.split("$")
    assert slen == "16"
    keylen = 32 if ver == "2" else 16
    dk = hashlib.pbkdf2_hmac("sha256", pw, bytes.fromhex(salt), int(it), keylen)
    return 0 if rfc3394_unwrap_ok(dk, bytes.fromhex(wrapped)) else 1


sys.exit(main())
