# verify_without_apfs.sh - `verify` on evidence of a disk that holds no APFS
# (here 3 MiB of seeded random bytes, acquired by ewfacquire, an independent
# writer): the image opens for its layers alone (APFSI_OPEN_WITHOUT_APFS),
# the MD5 and SHA-1 it stores are the ones md5sum and sha1sum compute of the
# source, and they match what verify computes; a byte flipped in a chunk
# fails it, naming the bytes that cannot be read.  Through the public API
# (cmd_verify.c is a client of apfsinspect.h only).
. "$TESTS/lib.sh"
if ! command -v ewfacquire > /dev/null; then
	skip "E01 without APFS" "ewfacquire (Debian ewf-tools) not installed"; done_testing; exit 0
fi
E=$WORK/noapfs
mkdir -p "$E"
python3 -c 'import random, sys; r = random.Random(15); sys.stdout.buffer.write(bytes(r.getrandbits(8) for _ in range(3 << 20)))' > "$E/disk.raw"
ewfacquire -u -q -t "$E/disk" -S 1MiB -C case -D noapfs -e examiner -E 1 -N none -d sha1 \
	"$E/disk.raw" > "$E/acquire.log" 2>&1
md5=$(md5sum < "$E/disk.raw" | cut -d' ' -f1)
sha1=$(sha1sum < "$E/disk.raw" | cut -d' ' -f1)

expect_rc "verify: exit 0 (every stored hash matches)" 0 "$BIN" verify "$E/disk.E01"
expect_grep "verify: says there is no APFS inside" "is not an APFS container or a GPT disk" "$ERR"
expect_grep "verify: the MD5 stored is md5sum's, and computed the same" \
	"^  MD5   stored   $md5\$" "$OUT"
expect_grep "... computed" "^        computed $md5  match\$" "$OUT"
expect_grep "verify: the SHA1 stored is sha1sum's" "^  SHA1  stored   $sha1\$" "$OUT"
expect_grep "verify: OK" "^verify: OK" "$OUT"
expect_rc "verify --json: exit 0" 0 "$BIN" verify --json "$E/disk.E01"
expect_eq "verify --json: the layer's computed MD5 and SHA1, no seal, verdict ok" \
	"E01 $md5 $sha1 0 ok" \
	"$(printf '%s' "$OUT" | python3 -c 'import json, sys
d = json.load(sys.stdin); l = d["layers"][0]; h = {x["algorithm"]: x for x in l["hashes"]}
assert all(x["match"] and x["stored"] == x["computed"] for x in l["hashes"])
print(l["layer"], h["MD5"]["computed"], h["SHA1"]["computed"], len(d["seals"]), d["verdict"])')"
# One byte of the first segment's chunk data flipped: the chunk fails its checksum.
python3 - "$E/disk.E01" "$E/flip.E01" <<'PY'
import sys
d = bytearray(open(sys.argv[1], "rb").read())
d[len(d) // 2] ^= 0xff
open(sys.argv[2], "wb").write(d)
PY
for f in "$E"/disk.E0[2-9]; do cp "$f" "$E/flip.${f##*.}"; done
expect_rc "a flipped byte: verify exits 1" 1 "$BIN" verify "$E/flip.E01"
expect_grep "... naming the bytes that cannot be read" \
	"verify: FAILED: E01 \\([0-9]+ segments, 3.0 MiB, MD5 and SHA1 stored\\): bytes [0-9]+-[0-9]+ cannot be read" "$ERR"
# Without APFS and without a stored hash there is nothing to verify against.
expect_rc "the raw disk: exit 1" 1 "$BIN" verify "$E/disk.raw"
expect_grep "... nothing to verify it against" "stores no hash of its data and holds no sealed volume" "$ERR"
done_testing
