#!/usr/bin/env bash
# decmpfs_streams.sh - compressed files whose payload this project did not
# encode: tests/tools/streams.py gathers streams made by Python's zlib,
# libzbitmap (published LZBITMAP vectors) and macOS (LZVN and LZFSE from
# basic.img and basic-lzfse.dmg), `mkimage streams` lays them byte for byte
# into decmpfs files (inline in com.apple.decmpfs, and as resource forks of
# several 64 KiB chunks), and `apfsinspect cat`, the FUSE mount, TSK's icat
# and libfsapfs (zlib and LZVN files) must give back the originals, which
# come from the same sources, never from our decoders (testdata/README.md,
# "Independent streams").
. "$(dirname "$0")/../lib.sh"

if ! command -v python3 > /dev/null; then
	skip "independent streams" "python3 not installed"; done_testing; exit 0
fi
S=$WORK/streams
python3 "$TESTS/tools/streams.py" "$S" 2> "$WORK/streams.err"
sed 's/^/# /' "$WORK/streams.err"

# spec NAME TYPE PIECE...: a manifest line; SIZE is the sum of the originals.
spec() {
	local name=$1 type=$2 size=0 p
	shift 2
	for p in "$@"; do
		[ -e "$S/$p.cmp" ] || return 0
		size=$((size + $(stat -c %s "$S/$p.orig")))
	done
	echo "file $name $type $size ${*/%/.cmp}"
	want[$name]=$(for p in "$@"; do cat "$S/$p.orig"; done | sha256sum | cut -d' ' -f1)
	wmd5[$name]=$(for p in "$@"; do cat "$S/$p.orig"; done | md5sum | cut -d' ' -f1)
	vol[$name]=$V
}
declare -A want wmd5 vol
M=$S/manifest
{
	V=Streams; echo "volume $V"
	spec zlib-xattr.txt 3 zlib/small
	spec zlib-rsrc.bin 4 zlib/piece-0 zlib/piece-1 zlib/piece-2 zlib/piece-3
	spec lzvn-xattr.bin 7 lzvn/gpt-header
	spec lzvn-rsrc.bin 8 lzvn/joined-sectors-64k-a lzvn/joined-sectors-64k-b lzvn/compressed-txt
	V=Modern; echo "volume $V"
	spec lzfse-xattr.bin 11 lzfse/gpt-table
	spec lzfse-rsrc.bin 12 lzfse/joined-tables-abab lzfse/joined-tables-baba lzfse/joined-headers
	spec lzbitmap-xattr.bin 13 lzbitmap/019
	spec lzbitmap-rsrc.bin 14 lzbitmap/joined-012-head64k lzbitmap/joined-013-head64k lzbitmap/019
} > "$M"
# Redirected above, spec ran in this shell: want/vol are filled.
for n in lzvn-rsrc.bin lzfse-rsrc.bin lzbitmap-rsrc.bin; do
	[ -n "${want[$n]:-}" ] || skip "$n" "its streams are missing (see the # lines above)"
done
C=$WORK/streams.img
expect_rc "mkimage streams" 0 "$MKIMAGE" streams "$C" "$M"
for n in $(printf "%s\n" "${!want[@]}" | sort); do
	expect_eq "apfsinspect cat $n = the originals" "${want[$n]}" \
		"$("$BIN" cat --volume "${vol[$n]}" "$C" "/$n" | sha256sum | cut -d' ' -f1)"
done

# A stream cut short in a chunk: refused with a message, never output short.
if [ -n "${want[lzbitmap-rsrc.bin]:-}" ]; then
	head -c 300 "$S/lzbitmap/joined-012-head64k.cmp" > "$S/cut.cmp"
	printf 'volume Modern\nfile cut.bin 14 65536 cut.cmp\n' > "$S/cut.manifest"
	expect_rc "mkimage streams (cut chunk)" 0 "$MKIMAGE" streams "$WORK/cut.img" "$S/cut.manifest"
	expect_rc "cat of a cut LZBITMAP chunk fails" 1 "$BIN" cat --volume Modern "$WORK/cut.img" /cut.bin
	expect_grep "and says which chunk" "chunk 0 .*does not decode" "$ERR"
fi

# Peers: TSK and libfsapfs decode zlib and LZVN (volume Streams, the first).
if command -v fls > /dev/null && command -v fsapfsinfo > /dev/null; then
	A=$(pstat "$C" 2> /dev/null | sed -n 's/.*APSB Block Number: \([0-9]*\).*/\1/p' | head -1)
	files=$(fls -B "${A:-0}" "$C" 2> /dev/null)
	body=$WORK/streams.body
	fsapfsinfo -f 1 -H -B "$body" -d "$C" > /dev/null 2>&1
	for n in zlib-xattr.txt zlib-rsrc.bin lzvn-xattr.bin lzvn-rsrc.bin; do
		[ -n "${want[$n]:-}" ] || continue
		i=$(printf '%s\n' "$files" | sed -n "s/^r\/r \([0-9]*\):	$n\$/\1/p")
		expect_eq "TSK icat decodes $n" "${want[$n]}" \
			"$(icat -B "${A:-0}" "$C" "${i:-0}" | sha256sum | cut -d' ' -f1)"
		expect_eq "libfsapfs decodes $n (MD5 in its bodyfile)" "${wmd5[$n]}" \
			"$(grep "/$n|" "$body" | cut -d'|' -f1)"
	done
else
	skip "TSK and libfsapfs checks" "sleuthkit or libfsapfs-utils not installed"
fi

# The FUSE mount reads the same bytes (mounting as tests/fuse/mount.sh does).
if [ ! -c /dev/fuse ] || ! command -v fusermount3 > /dev/null; then
	skip "mounted reads" "/dev/fuse or fusermount3 missing"; done_testing; exit 0
fi
MNT=$WORK/streams.mnt
mkdir -p "$MNT"
cleanup() {
	if mountpoint -q "$MNT"; then
		timeout 10 fusermount3 -u "$MNT" 2> /dev/null || timeout 10 fusermount3 -uz "$MNT"
	fi
}
trap cleanup EXIT
for V in Streams Modern; do
	expect_rc "mount --volume $V" 0 timeout 60 "$BIN" mount --volume "$V" "$C" "$MNT"
	for n in $(printf "%s\n" "${!want[@]}" | sort); do
		[ "${vol[$n]}" = "$V" ] || continue
		expect_eq "mounted $V/$n = the originals" "${want[$n]}" \
			"$(timeout -k 5 30 sha256sum "$MNT/$n" | cut -d' ' -f1)"
	done
	expect_rc "fusermount3 -u ($V)" 0 timeout 20 fusermount3 -u "$MNT"
done
done_testing
