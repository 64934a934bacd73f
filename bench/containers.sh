#!/usr/bin/env bash
# bench/containers.sh - evidence containers (issue 11): reading through E01
# and qcow2 against the tools of the same libraries' authors, and the cost of
# an E01's segment tables on a command that reads little.  Called by
# bench/run.sh (make bench), or alone.  Prints a Markdown section; timing
# never decides a test.
#
# Image: `mkimage bench --big-size 1 GiB` (a 1 GiB /big.bin on the plain
# volume "Plain"), wrapped by ewfacquire (-c fast) and qemu-img convert.
# * E01: `apfsinspect cat` of /big.bin vs `ewfexport -f raw -t -` of the
#   whole media to /dev/null (libewf's own exporter; it also hashes MD5):
#   compared as MB/s, since ewfexport reads all of the media.
# * qcow2: `apfsinspect cat` vs `qemu-img dd bs=1M count=1024` (1 GiB) to a
#   file in $W (tmpfs where /dev/shm is usable: qemu-img dd cannot write to
#   /dev/null), as MB/s.
# * `listcryptousers` of `mkimage bench` (no big file) padded to 4 GiB, as an
#   E01 (its chunk tables cover 4 GiB) vs the raw image; and the floor under
#   it: bench/ewf_floor (libewf's open and reads of the same offsets, which
#   bench/ewf_trace.so takes from our run, and nothing of ours).
# * Encrypted disk image (encrcdsa, AES-128, 4 KiB chunks: `mkimage bench
#   --wrap encrypted`): `apfsinspect cat` of /big.bin (wall time, its
#   parallel readers) vs `openssl speed -evp aes-128-cbc -decrypt -bytes 4096`
#   (one thread, CPU time), as MB/s; and `cat` of the same file from the raw
#   image, which costs no decryption (the bound), for scale; the same
#   through an encrypted sparsebundle (`mkimage wrap --wrap sparsebundle
#   --image-passphrase`, 8 MiB bands).
# * sparseimage (1 MiB bands) and sparsebundle (8 MiB and 64 KiB bands),
#   written by `mkimage wrap`: `cat` of /big.bin vs the same from the raw
#   image (no peer tool reads these on Linux; raw is the bound).
set -u
cd "$(dirname "$0")/.."
B=${B:-build}
BIN=$PWD/$B/apfsinspect MK=$PWD/$B/mkimage
RUNS=${RUNS:-7}
BIG_MB=${BIG_MB:-1024}
TMP=${TMPDIR:-/tmp}
W=$(mktemp -d "$TMP/apfsinspect-cbench.XXXXXX")
trap 'rm -rf "$W"' EXIT

. bench/lib.sh
# Median CPU time in ms (user + system, all threads): openssl speed counts CPU
# time, and on a shared machine the wall clock also counts the waits for a
# core (a few ms of listcryptousers are mostly such waits).
med_cpu() {
	local i t ts=() TIMEFORMAT='%U %S'
	for ((i = 0; i < RUNS; i++)); do
		t=$( { time "$@" > /dev/null 2>&1; } 2>&1 )
		ts+=($(awk -v u="${t% *}" -v s="${t#* }" 'BEGIN { printf "%d", (u + s) * 1000 }'))
	done
	printf '%s\n' "${ts[@]}" | sort -n | awk -v n="$RUNS" 'NR == int(n / 2) + 1 { print $1 }'
}
# Into the page cache as reading evidence puts it there: a file just written
# sits in the cache in the writer's pieces (mkimage wrap writes 4 KiB chunks,
# and then a pread of it cost 3 × as much as of a file read back in), so
# each image is written out, dropped from the cache and read back first.
warm() {
	local f
	sync "$@"
	for f in "$@"; do dd if="$f" iflag=nocache count=0 status=none; done
	cat "$@" > /dev/null
}

# Sparse images and bundles: reading through the band map (or band files
# opened on use) against the raw image itself.
sparse_section() {
	echo "### sparseimage, sparsebundle"
	echo
	echo "| what | median | ratio |"
	echo "|---|---|---|"
	"$MK" bench "$W/p.img" --big-size $((BIG_MB << 20)) > /dev/null
	"$MK" wrap "$W/p.img" "$W/p.sparseimage" --wrap sparseimage
	"$MK" wrap "$W/p.img" "$W/p.sparsebundle" --wrap sparsebundle
	"$MK" wrap "$W/p.img" "$W/p64k.sparsebundle" --wrap sparsebundle --band-size 65536
	warm "$W/p.img"
	R=$(med "$BIN" cat --volume Plain "$W/p.img" /big.bin)
	row "\`cat\` $BIG_MB MiB from the raw image" "$R ms = $(mbps $((BIG_MB << 20)) "$R") MB/s" "1"
	rm -f "$W/p.img"
	for f in p.sparseimage p.sparsebundle p64k.sparsebundle; do
		if [ -d "$W/$f" ]; then
			find "$W/$f/bands" -type f -exec cat {} + > /dev/null
		else
			warm "$W/$f"
		fi
		T=$(med "$BIN" cat --volume Plain "$W/$f" /big.bin)
		row "\`cat\` $BIG_MB MiB through $("$BIN" list "$W/$f" | sed -n 's/^Image: \(.*\) → .*/\1/p')" \
			"$T ms = $(mbps $((BIG_MB << 20)) "$T") MB/s" "$(ratio "$R" "$T") × raw's speed"
	done
	rm -rf "$W"/p*
	echo
}

echo "## Evidence containers (issue 11)"
echo
echo "Load average (1, 5, 15 min) at the start: $(cut -d' ' -f1-3 /proc/loadavg)."
echo
for t in ewfacquire ewfexport qemu-img; do
	command -v $t > /dev/null ||
		{ echo "$t not installed: E01 and qcow2 skipped"; echo; sparse_section; exit 0; }
done
echo "| what | median | ratio |"
echo "|---|---|---|"
SIZE=$((BIG_MB << 20))
"$MK" bench "$W/b.img" --big-size $SIZE > /dev/null
ewfacquire -u -q -t "$W/b" -c fast -S 1.9GiB "$W/b.img" > /dev/null 2>&1
qemu-img convert -f raw -O qcow2 "$W/b.img" "$W/b.qcow2"
MEDIA=$(stat -c %s "$W/b.img")
rm -f "$W/b.img"

warm "$W"/b.E*
T=$(med "$BIN" cat --volume Plain "$W/b.E01" /big.bin)
E=$(med ewfexport -u -q -f raw -t - "$W/b.E01")
row "\`cat\` $BIG_MB MiB through E01 (-c fast)" "$T ms = $(mbps $SIZE "$T") MB/s" \
	"$(ratio "$(mbps $SIZE "$T")" "$(mbps "$MEDIA" "$E")") × \`ewfexport\` of the whole media ($E ms = $(mbps "$MEDIA" "$E") MB/s); target ≥ 0.8"

DD=$W
[ -d /dev/shm ] && [ -w /dev/shm ] && DD=$(mktemp -d /dev/shm/apfsinspect-dd.XXXXXX)
warm "$W/b.qcow2"
T=$(med "$BIN" cat --volume Plain "$W/b.qcow2" /big.bin)
Q=$(med qemu-img dd -f qcow2 -O raw bs=1M count="$BIG_MB" if="$W/b.qcow2" of="$DD/dd.raw")
[ "$DD" != "$W" ] && rm -rf "$DD"
row "\`cat\` $BIG_MB MiB through qcow2" "$T ms = $(mbps $SIZE "$T") MB/s" \
	"$(ratio "$Q" "$T") × \`qemu-img dd\` of $BIG_MB MiB to $( [ "$DD" != "$W" ] && echo tmpfs || echo a file) ($Q ms); target ≥ 0.8"
rm -f "$W"/b.*

"$MK" bench "$W/s.img" > /dev/null
truncate -s 4G "$W/s.img"
ewfacquire -u -q -t "$W/s" -c fast -S 1.9GiB "$W/s.img" > /dev/null 2>&1
warm "$W"/s.*
R=$(med "$BIN" listcryptousers --volume Secret "$W/s.img")
L=$(med "$BIN" listcryptousers --volume Secret "$W/s.E01")
LC=$(med_cpu "$BIN" listcryptousers --volume Secret "$W/s.E01")
RC=$(med_cpu "$BIN" listcryptousers --volume Secret "$W/s.img")
row "\`listcryptousers\`, 4 GiB E01 ($(ls "$W"/s.E* | wc -l) segments) vs raw" \
	"$L ms vs $R ms; CPU $LC ms vs $RC ms" \
	"$(ratio "$L" "$R") × raw, by CPU time $(ratio "$LC" "$RC") ×; target < 2"
OFFS=$(LD_PRELOAD=$PWD/$B/bench/ewf_trace.so "$BIN" listcryptousers --volume Secret "$W/s.E01" 2>&1 >/dev/null |
	sed -n 's/^ewf_trace: //p')
F=$(med "$B/bench/ewf_floor" "$W/s.E01" $OFFS)
FC=$(med_cpu "$B/bench/ewf_floor" "$W/s.E01" $OFFS)
row "libewf alone: open + the same $(echo $OFFS | wc -w) reads (bench/ewf_floor)" "$F ms; CPU $FC ms" \
	"$(ratio "$F" "$R") × raw \`listcryptousers\`, by CPU time $(ratio "$FC" "$RC") ×: the floor through libewf"
# Instructions (callgrind): repeatable where a few ms of wall time are not.
if command -v valgrind > /dev/null; then
	ir() { valgrind --tool=callgrind --callgrind-out-file=/dev/null "$@" 2>&1 >/dev/null |
		sed -n 's/.*refs: *//p' | tr -d ,; }
	IL=$(ir "$BIN" listcryptousers --volume Secret "$W/s.E01")
	IR=$(ir "$BIN" listcryptousers --volume Secret "$W/s.img")
	IF=$(ir "$B/bench/ewf_floor" "$W/s.E01" $OFFS)
	row "instructions (callgrind): \`listcryptousers\`, 4 GiB E01 vs raw" "$IL vs $IR" \
		"$(ratio "$IL" "$IR") ×"
	row "instructions (callgrind): libewf alone, same reads (bench/ewf_floor)" "$IF" \
		"$(ratio "$IF" "$IR") × raw; ours above libewf: $((IL - IF)) = $(ratio $((IL - IF)) "$IR") × raw"
fi

# Encrypted disk image: reading through the decrypting layer vs OpenSSL's own AES-CBC.
"$MK" bench "$W/c.img" --big-size $SIZE > /dev/null
"$MK" wrap "$W/c.img" "$W/c.dmg" --wrap encrypted --image-passphrase bench > /dev/null
warm "$W/c.img" "$W/c.dmg"
S=$(openssl speed -evp aes-128-cbc -decrypt -bytes 4096 -seconds 2 -mr 2> /dev/null |
	awk -F: '/^\+F:/ { printf "%.0f", $4 / 1e6 }')
T=$(med "$BIN" cat --volume Plain "$W/c.dmg" /big.bin --image-passphrase bench)
C=$(med_cpu "$BIN" cat --volume Plain "$W/c.dmg" /big.bin --image-passphrase bench)
R=$(med "$BIN" cat --volume Plain "$W/c.img" /big.bin)
RC=$(med_cpu "$BIN" cat --volume Plain "$W/c.img" /big.bin)
row "\`cat\` $BIG_MB MiB through an encrypted disk image (AES-128)" \
	"$T ms = $(mbps $SIZE "$T") MB/s; CPU $C ms = $(mbps $SIZE "$C") MB/s" \
	"$(ratio "$(mbps $SIZE "$T")" "$S") × \`openssl speed -evp aes-128-cbc -decrypt -bytes 4096\` ($S MB/s), by CPU time $(ratio "$(mbps $SIZE "$C")" "$S") ×; target ≥ 0.5"
row "\`cat\` $BIG_MB MiB from the raw image (no decryption)" \
	"$R ms = $(mbps $SIZE "$R") MB/s; CPU $RC ms = $(mbps $SIZE "$RC") MB/s" \
	"encrypted image: $(ratio "$R" "$T") × raw's speed, by CPU time $(ratio "$RC" "$C") ×"
rm -f "$W/c.dmg"
"$MK" wrap "$W/c.img" "$W/c.sparsebundle" --wrap sparsebundle --image-passphrase bench > /dev/null
rm -f "$W/c.img"
warm "$W"/c.sparsebundle/bands/*
T=$(med "$BIN" cat --volume Plain "$W/c.sparsebundle" /big.bin --image-passphrase bench)
C=$(med_cpu "$BIN" cat --volume Plain "$W/c.sparsebundle" /big.bin --image-passphrase bench)
row "\`cat\` $BIG_MB MiB through an encrypted sparsebundle (AES-128, 8 MiB bands)" \
	"$T ms = $(mbps $SIZE "$T") MB/s; CPU $C ms = $(mbps $SIZE "$C") MB/s" \
	"$(ratio "$(mbps $SIZE "$T")" "$S") × \`openssl speed\` as above, by CPU time $(ratio "$(mbps $SIZE "$C")" "$S") ×; target ≥ 0.5"
rm -rf "$W"/c.*
echo
sparse_section
