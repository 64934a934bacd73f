# containers_ewf.sh - E01 and S01 made by ewfacquire (Debian ewf-tools, an
# independent writer) from each shared raw image, in several segments: each
# reads file for file like its raw source, its stored MD5 is the one md5sum
# computes, verify passes, and fails on a flipped data byte (as ewfverify
# does); incomplete and unreadable sets exit 1 naming the container.
. "$TESTS/lib.sh"
. "$TESTS/containers_lib.sh"
need_image basic.img
need_image encrypted.img
need_image dfvfs-apfs.raw
if ! command -v ewfacquire > /dev/null; then
	skip "E01 tests" "ewfacquire (Debian ewf-tools) not installed"; done_testing; exit 0
fi
PASS=hunter2hunter2
E=$WORK/ewf
mkdir -p "$E"

# acquire NAME SRC OPTS...: ewfacquire unattended into $E/NAME.*, 1 MiB segments.
acquire() {
	local name=$1 src=$2
	shift 2
	ewfacquire -u -q -t "$E/$name" -S 1MiB -C case -D "$name" -e examiner -E 1 -N none \
		"$@" "$src" > "$E/$name.log" 2>&1
}

# check_set NAME FIRST RAW KIND [CRED...]: one acquired set against its raw source.
check_set() {
	local name=$1 first=$2 raw=$3 kind=$4 nseg
	shift 4
	nseg=$(ls "$E/$name".* | grep -vc '\.log$')
	check "$name: ewfacquire wrote several segments ($nseg)" [ "$nseg" -ge 2 ]
	expect_rc "$name: list exits 0" 0 "$BIN" list "$first"
	expect_grep "$name: list shows the chain with $nseg segments" \
		"^Image: $kind \\($nseg segments, .*stored\\) → (GPT \\(512-byte sectors\\) → )?APFS container at [0-9]+\$" "$OUT"
	expect_eq "$name: image_size is the raw image's size" "$(stat -c %s "$raw")" \
		"$("$BIN" list --json "$first" | json_get image_size)"
	expect_eq "$name: stored MD5 is md5sum of the raw image" \
		"$(md5sum < "$raw" | cut -d' ' -f1)" \
		"$("$BIN" list --json "$first" | json_get chain.0.stored_hashes.MD5)"
	same_reads "$name" "$raw" "$first" "$@"
	expect_rc "$name: verify passes" 0 "$BIN" verify "$first"
	expect_grep "$name: verify compares the MD5" '^  MD5 .*' "$OUT"
	expect_grep "$name: verify says OK" '^verify: OK' "$OUT"
}

acquire basic "$IMAGES/basic.img" -c none -d sha1
check_set basic "$E/basic.E01" "$IMAGES/basic.img" E01
expect_eq "basic: stored SHA-1 is sha1sum of the raw image" \
	"$(sha1sum < "$IMAGES/basic.img" | cut -d' ' -f1)" \
	"$("$BIN" list --json "$E/basic.E01" | json_get chain.0.stored_hashes.SHA1)"
acquire enc "$IMAGES/encrypted.img" -c none -b 16
check_set enc "$E/enc.E01" "$IMAGES/encrypted.img" E01 --passphrase "$PASS"
acquire dfvfs "$IMAGES/dfvfs-apfs.raw" -f smart -c best
check_set dfvfs "$E/dfvfs.s01" "$IMAGES/dfvfs-apfs.raw" S01
acquire ftk "$IMAGES/dfvfs-apfs.raw" -f ftk -c none
check_set ftk "$E/ftk.E01" "$IMAGES/dfvfs-apfs.raw" E01

# A 24 MiB file read by cat's parallel readers (one libewf handle each):
# equal to the same file read from the raw image.
"$MKIMAGE" bench "$WORK/par.img" --big-size $((24 << 20)) > /dev/null
acquire par "$WORK/par.img" -c fast -S 20MiB
for vol in "--volume Plain" "--volume Secret --passphrase bench-password"; do
	# shellcheck disable=SC2086
	expect_eq "24 MiB file, parallel readers, $vol: same as from the raw image" \
		"$("$BIN" cat "$WORK/par.img" /big.bin $vol | sha256sum)" \
		"$("$BIN" cat "$E/par.E01" /big.bin $vol | sha256sum)"
done
rm -f "$E"/par.* "$WORK/par.img"

# --format forces the format: e01 on an E01 works, on a raw image it is named.
expect_rc "--format e01 on an E01: exit 0" 0 "$BIN" list --format e01 "$E/basic.E01"
expect_rc "--format e01 on a raw image: exit 1" 1 "$BIN" list --format e01 "$IMAGES/basic.img"
expect_grep "--format e01 on a raw image: says it is not one" "is not in the e01 format" "$ERR"

# A raw image stores no hash: verify says so and does not pass.
expect_rc "verify on a raw image: exit 1" 1 "$BIN" verify "$IMAGES/basic.img"
expect_grep "verify on a raw image: says no hash is stored" 'stores no hash' "$ERR"

# One flipped byte in a data chunk: a 64-byte run of the raw image found in
# the (uncompressed) segment files, flipped there.
mkdir -p "$WORK/flip"
cp "$E"/basic.E* "$WORK/flip/"
python3 - "$IMAGES/basic.img" "$WORK"/flip/basic.E* <<'PY'
import sys
raw = open(sys.argv[1], 'rb').read()
off = next(o for o in range(1 << 20, len(raw), 4096) if len(set(raw[o:o + 64])) > 16)
pat = raw[off:off + 64]
for seg in sys.argv[2:]:
    d = bytearray(open(seg, 'rb').read())
    i = d.find(pat)
    if i >= 0:
        d[i + 10] ^= 0x40
        open(seg, 'wb').write(d)
        break
PY
run_rc ewfverify -q "$WORK/flip/basic.E01"
check "flipped byte: ewfverify (independent) fails too" [ "$RC" != 0 ]
expect_rc "flipped byte: verify exits 1" 1 "$BIN" verify "$WORK/flip/basic.E01"
expect_grep "flipped byte: verify names the chunk's sectors" \
	"E01 chunk holding sectors 2048-[0-9]+ fails its checksum" "$ERR"
expect_grep "flipped byte: verify says FAILED" "verify: FAILED" "$ERR$OUT"
expect_rc "flipped byte: cat of the file in that chunk exits 1" 1 \
	"$BIN" cat "$WORK/flip/basic.E01" /random.bin

# Incomplete sets: a missing middle segment, a truncated one, a missing last one.
mkdir -p "$WORK/miss"
cp "$E"/basic.E* "$WORK/miss/"
rm "$WORK/miss/basic.E02"
expect_rc "missing E02: list exits 1" 1 "$BIN" list "$WORK/miss/basic.E01"
expect_grep "missing E02: names the missing segment" "segment '.*basic\\.E02' is missing" "$ERR"
cp "$E/basic.E02" "$WORK/miss/"
truncate -s 300000 "$WORK/miss/basic.E03"
expect_rc "truncated E03: list exits 1" 1 "$BIN" list "$WORK/miss/basic.E01"
expect_grep "truncated E03: says the set is incomplete" "E01 segment set is incomplete" "$ERR"
cp "$E/basic.E03" "$WORK/miss/"
last=$(ls "$WORK"/miss/basic.E[0-9][0-9] | tail -1)
rm "$last"
expect_rc "missing last segment: list exits 1" 1 "$BIN" list "$WORK/miss/basic.E01"
expect_grep "missing last segment: named" "segment '.*$(basename "$last")' is missing" "$ERR"

# Detected by content, not name: a one-segment E01 renamed .bin reads; the first
# of several segments renamed is refused as an incomplete set.
acquire one "$IMAGES/dfvfs-apfs.raw" -c fast
cp "$E/one.E01" "$WORK/evidence.bin"
expect_rc "one-segment E01 renamed .bin: list exits 0" 0 "$BIN" list "$WORK/evidence.bin"
expect_grep "one-segment E01 renamed .bin: read as E01" '^Image: E01 \(1 segment, ' "$OUT"
cp "$E/basic.E01" "$WORK/first.bin"
expect_rc "first of several segments renamed .bin: exit 1" 1 "$BIN" list "$WORK/first.bin"
expect_grep "first of several segments renamed .bin: incomplete set" \
	"E01 segment set is incomplete" "$ERR"

# Ex01 (EWF2), which Debian's libewf 20140813 cannot read: refused by name.
{ printf 'EVF2\r\n\201\000'; head -c 8184 /dev/zero; } > "$WORK/x.Ex01"
expect_rc "Ex01: exit 1" 1 "$BIN" list "$WORK/x.Ex01"
expect_grep "Ex01: named" "is an Ex01 \\(EWF version 2\\) image" "$ERR"

done_testing
