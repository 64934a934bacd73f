#!/usr/bin/env python3
"""fvde_check.py HASH PASSWORD -> exit 0 if PASSWORD cracks HASH, 1 if not.

An independent check of `apfsinspect hashes`: hashcat mode 18300 / 16700's
algorithm (docs/apfs-format.md section 7) written from RFC 3394 and
hashcat's module description, using Python's hashlib for PBKDF2 and the
openssl command for single AES block decryptions.  Shares no code with the
C implementation under test.
"""
import hashlib
import subprocess
import sys


def aes_ecb_decrypt(key, block):
    cipher = {16: "-aes-128-ecb", 32: "-aes-256-ecb"}[len(key)]
    out = subprocess.run(["openssl", "enc", "-d", cipher, "-K", key.hex(), "-nopad"],
                         input=block, capture_output=True, check=True).stdout
    return out


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
