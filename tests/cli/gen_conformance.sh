#!/usr/bin/env bash
# run.sh: long (started before the others, so that no long test runs alone at the end)
# gen_conformance.sh - every mkimage scenario (the encrypted ones with
# --unencrypted) and from-dir copies of a host tree are checked by two
# programs written and tested on real Mac images: apfsck from apfsprogs
# 0.2.1 (built from ../shared/tools at test time; exit 0 = clean) and
# 7-Zip (Debian 7zip, 7zz).  7-Zip's extracted bytes must be the bytes
# apfsinspect returns for every regular file, within 7-Zip's own limits
# (testdata/README.md "Checked by apfsck and 7-Zip"): it decodes no
# LZFSE/LZBITMAP decmpfs file ("Unsupported Method"), reads a hole's block 0
# instead of zeros (of sparse files only the data blocks are compared), shows
# the oldest version of files in a volume with snapshots (compared with
# --snapshot), and skips symlinks pointing upwards (only regular files are
# compared).
. "$(dirname "$0")/../lib.sh"

# ---- apfsck, built from ../shared into $WORK -------------------------------
CK= CK_WHY=
src=$SHARED/tools/apfsprogs-0.2.1
if [ ! -d "$src" ]; then
	CK_WHY="$src not found"
elif cp -r "$src" "$WORK/apfsprogs" && chmod -R u+w "$WORK/apfsprogs" &&
	make -s -C "$WORK/apfsprogs/apfsck" >"$WORK/apfsck-build.log" 2>&1; then
	CK=$WORK/apfsprogs/apfsck/apfsck
else
	CK_WHY="apfsck 0.2.1 did not build: $(tail -1 "$WORK/apfsck-build.log")"
fi
SZ=$(command -v 7zz || true)

apfsck_clean() { # NAME IMG
	if [ -z "$CK" ]; then skip "$1: apfsck" "$CK_WHY"; return; fi
	local out rc
	out=$("$CK" "$2" 2>&1); rc=$?
	expect_eq "$1: apfsck exits 0 (first report: ${out%%$'\n'*})" 0 "$rc"
}

# apfsck 0.2.1 adds the file sizes of a directory-statistics group to the
# record's total_size and compares that with a sum it never fills
# (apfsck/dir.c free_dirstat, inode.c collect_dirstats), so any group holding
# a file with data draws "wrong total size".  It stops at its first report:
# that one must be the only one, after every check of the fs tree before it.
apfsck_dirstats_bug() { # NAME IMG
	if [ -z "$CK" ]; then skip "$1: apfsck" "$CK_WHY"; return; fi
	expect_eq "$1: apfsck's one report is its own total-size bug" \
		"Directory stats: wrong total size." "$("$CK" "$2" 2>&1)"
}

# Regular files under DIR (not 7-Zip's FILE:XATTR streams) with their SHA-256,
# but for the PATHs (relative to DIR) left out.
manifest() { # DIR [PATH...]
	local d=$1; shift
	(cd "$d" && find . -type f ! -name '*:*' -print0 | sort -z | xargs -0 -r sha256sum) |
		awk -v skip="$(printf '%s\n' "$@")" 'BEGIN { n = split(skip, s, "\n")
			for (i = 1; i <= n; i++) if (s[i] != "") out["./" s[i]] = 1 }
			{ p = substr($0, 67); if (!(p in out)) print }'
}

# 7-Zip's errors must all be its documented limits: "Unsupported Method" on
# LZFSE/LZBITMAP decmpfs files, "Dangerous link path was ignored" on
# symlinks pointing upwards.  Prints the paths they name.
limit_paths() { # LOG
	sed -n -e 's/^ERROR: Unsupported Method : \(.*\(lzfse\|lzbitmap\)[^/]*\)$/\1/p' \
	       -e 's/^ERROR: Dangerous link path was ignored : \(.*\) : \.\..*$/\1/p' "$1"
}
only_limit_errors() { # NAME LOG
	expect_eq "$1: 7-Zip's only errors are its documented limits" \
		"$(grep -c '^ERROR' "$2")" "$(limit_paths "$2" | grep -c .)"
}

# Compare 7-Zip's tree DIR with apfsinspect's copy of volume VOL (--snapshot SNAP).
compare_volume() { # NAME IMG DIR VOL SNAP [PATH-NOT-COMPARED...]
	local n=$1 img=$2 d=$3 vol=$4 snap=$5 ai; shift 5
	ai=$WORK/ai.$n.$vol
	mkdir -p "$ai"
	# --no-firmlinks: 7-Zip reads a group's System volume as it is, not the Mac's root.
	"$BIN" extract --no-firmlinks --volume "$vol" ${snap:+--snapshot "$snap"} "$img" / "$ai" \
		>/dev/null
	local want got
	got=$(manifest "$d" "$@")
	want=$(manifest "$ai/root" "$@")
	expect_eq "$n: volume $vol: 7-Zip's bytes are apfsinspect's ($(printf '%s\n' "$got" |
		grep -c .) files)" "$want" "$got"
	rm -rf "$ai"
}

# Only some paths (big scenarios): each file 7-Zip extracts against apfsinspect cat.
# A sparse file: 7-Zip reads its holes wrong, so only its data blocks are compared.
compare_data_blocks() { # NAME IMG PATH OFFSET... (each a 4096-byte block with data)
	local n=$1 img=$2 p=$3 x=$WORK/7z.$1.sparse o
	shift 3
	rm -rf "$x"; mkdir -p "$x"
	(cd "$x" && "$SZ" x -y "$img" "${p#/}" >/dev/null 2>&1)
	"$BIN" cat "$img" "$p" >"$WORK/ai.sparse"
	for o in "$@"; do
		expect_eq "$n: $p: 7-Zip's data block at byte $o is apfsinspect's" \
			"$(tail -c +$((o + 1)) "$WORK/ai.sparse" | head -c 4096 | sha256sum)" \
			"$(tail -c +$((o + 1)) "$x/${p#/}" | head -c 4096 | sha256sum)"
	done
	rm -rf "$x" "$WORK/ai.sparse"
}

compare_paths() { # NAME IMG PATH...
	local n=$1 img=$2 x=$WORK/7z.$1 f same=0 diff=
	shift 2
	rm -rf "$x"; mkdir -p "$x"
	(cd "$x" && "$SZ" x -y "$img" "$@" >"$WORK/7z.$n.log" 2>&1)
	expect_eq "$n: 7zz x of $* reports no error" "" "$(grep '^ERROR' "$WORK/7z.$n.log")"
	while IFS= read -r -d '' f; do
		if "$BIN" cat "$img" "/${f#./}" | cmp -s - "$x/$f"; then
			same=$((same + 1))
		else
			diff="$diff ${f#./}"
		fi
	done < <(cd "$x" && find . -type f ! -name '*:*' -print0)
	expect_eq "$n: 7-Zip's bytes are apfsinspect cat's ($same files)" "" "$diff"
	check "$n: 7-Zip extracted files" [ "$same" -gt 0 ]
	rm -rf "$x"
}

sevenzip() { # NAME IMG NVOLS SNAP [NAME-NOT-COMPARED...]
	local n=$1 img=$2 nv=$3 snap=$4 x=$WORK/7z.$1
	shift 4
	if [ -z "$SZ" ]; then skip "$n: 7-Zip" "7zz not installed (Debian package 7zip)"; return; fi
	expect_rc "$n: 7zz l opens the container" 0 "$SZ" l "$img"
	rm -rf "$x"; mkdir -p "$x"
	(cd "$x" && "$SZ" x -y "$img" >"$WORK/7z.$n.log" 2>&1)
	only_limit_errors "$n" "$WORK/7z.$n.log"
	local lim=()
	mapfile -t lim < <(limit_paths "$WORK/7z.$n.log")
	if [ "$nv" = 1 ]; then
		compare_volume "$n" "$img" "$x" 1 "$snap" "$@" "${lim[@]}"
	else
		for v in $(seq 1 "$nv"); do
			compare_volume "$n" "$img" "$x/Volume$v" "$v" "$snap" "$@" \
				"${lim[@]#Volume$v/}"
		done
	fi
	rm -rf "$x"
}

scenario() { # NAME NVOLS SNAP [EXCLUDED-NAME...] -- [MKIMAGE OPTIONS...]
	local n=$1 nv=$2 snap=$3 ex=() opts=() img
	shift 3
	while [ $# -gt 0 ] && [ "$1" != -- ]; do ex+=("$1"); shift; done
	[ $# -gt 0 ] && shift
	opts=("$@")
	img=$WORK/$n.img
	expect_rc "mkimage $n ${opts[*]}" 0 "$MKIMAGE" "$n" "$img" "${opts[@]}"
	if [ "$n" = dir-stats ]; then apfsck_dirstats_bug "$n" "$img"; else apfsck_clean "$n" "$img"; fi
	sevenzip "$n" "$img" "$nv" "$snap" "${ex[@]}"
	rm -f "$img"
}

scenario basic 1 ""
scenario dir-stats 1 ""
scenario sealed 1 ""
scenario compression 2 ""
scenario snapshot 1 before
scenario demo 1 "" -- --unencrypted
scenario all-users 3 "" -- --unencrypted
scenario key-variants 3 "" -- --unencrypted
scenario macos-boot 5 "" -- --unencrypted
scenario times 1 ""
scenario snapshot-diff 1 before
scenario snapshot-diff-encrypted 1 before -- --unencrypted

# At 16 KiB blocks (--block-size): a fixed-size node's whole table of contents (apfsck's
# size) ends 4 bytes short of the 8-byte boundary its keys need; before, the keys followed
# it unaligned, and apfsck refused the object map ("Omap record: bad alignment for key or
# value"), on every image.  7-Zip 26.02 opens neither, before or after (its ApfsHandler.cpp
# checks the container superblock's checksum over the first 4 KiB alone).
for n in basic sealed; do
	expect_rc "mkimage $n --block-size 16384" 0 "$MKIMAGE" "$n" "$WORK/$n-16k.img" \
		--block-size 16384
	apfsck_clean "$n at 16 KiB blocks" "$WORK/$n-16k.img"
	rm -f "$WORK/$n-16k.img"
done

# orphans: files deleted while still open, in the private directory (testdata/README.md).
# apfsck checks each rule of an orphan (its entry's name, its link count, the volume's
# counts, a stream that lost its leading extents), at both block sizes and with 300 more.
# 7-Zip lists the directory as private-dir/ and gives each orphan's bytes as we do, but
# refuses 0x1a-dead, whose leading extents are freed ("Data Error"; TSK reads it as we
# do: tests/cli/orphans.sh).
img=$WORK/orphans.img
for a in "--block-size 16384" "" "--per-dir 300"; do
	# shellcheck disable=SC2086  # the options, split
	expect_rc "mkimage orphans $a" 0 "$MKIMAGE" orphans "$img" $a
	apfsck_clean "orphans $a" "$img"
done
if [ -z "$SZ" ]; then skip "orphans: 7-Zip" "7zz not installed (Debian package 7zip)"
else
	x=$WORK/7z.orphans
	rm -rf "$x" "$WORK/ai.priv"; mkdir -p "$x"
	(cd "$x" && "$SZ" x -y "$img" > "$WORK/7z.orphans.log" 2>&1)
	expect_eq "orphans: 7-Zip's one error is the orphan whose leading extents are freed" \
		"ERROR: Data Error : private-dir/0x1a-dead" "$(grep '^ERROR' "$WORK/7z.orphans.log")"
	mv "$x/private-dir" "$WORK/7z.priv"
	compare_volume orphans "$img" "$x" 1 ""
	"$BIN" extract --private-dir "$img" / "$WORK/ai.priv" > /dev/null 2>&1
	want=$(manifest "$WORK/ai.priv/private-dir" 0x1a-dead)
	expect_eq "orphans: 7-Zip's bytes of the private directory are apfsinspect's ($(
		printf '%s\n' "$want" | grep -c .) files)" "$want" \
		"$(manifest "$WORK/7z.priv" 0x1a-dead)"
	rm -rf "$x" "$WORK/7z.priv" "$WORK/ai.priv"
fi
rm -f "$img"
expect_rc "mkimage orphans-snapshot" 0 "$MKIMAGE" orphans-snapshot "$img"
apfsck_clean orphans-snapshot "$img"
rm -f "$img"

# sealed-update: each state's tree against its own seal.  apfsck checks a snapshot's tree
# against the integrity_meta its superblock copy names: a byte of one of the snapshot's
# nodes changed (tests/tools/seal_node.py) draws its hash report, as our verify's FAILED
# does (sealed_update.sh).  7-Zip opens no such volume: its object map stops at an oid's
# second version (testdata/README.md).
expect_rc "mkimage sealed-update" 0 "$MKIMAGE" sealed-update "$WORK/su.img"
apfsck_clean sealed-update "$WORK/su.img"
if [ -n "$CK" ]; then
	python3 "$TESTS/tools/seal_node.py" "$WORK/su.img" "$WORK/su-bad.img" 2 > /dev/null
	expect_eq "sealed-update, a snapshot node changed: apfsck reports its hash" \
		"Sealed volume: incorrect hash for node." "$("$CK" "$WORK/su-bad.img" 2>&1)"
else
	skip "sealed-update, a snapshot node changed: apfsck" "$CK_WHY"
fi
rm -f "$WORK/su.img" "$WORK/su-bad.img"

# sealed: each file's data hashes (FILE_INFO records).  Both checkers read them: apfsck
# hashes the runs of blocks, 7-Zip each file as it extracts it (its CRC check).  The
# scenario above passes both.  sealed_changed DESC TEXT AT XOR SEVENZIP: `sealed` with the
# byte AT past where TEXT (a file's bytes, found by them) begins XORed with XOR; apfsck
# must report a data hash, 7-Zip's test print SEVENZIP (its ERROR lines).
sealed_changed() {
	local img=$WORK/sd.img
	expect_rc "mkimage sealed ($1)" 0 "$MKIMAGE" sealed "$img"
	python3 - "$img" "$2" "$3" "$4" <<'PY'
import sys
d = bytearray(open(sys.argv[1], "rb").read())
o = d.find(sys.argv[2].encode() + b"\n") + int(sys.argv[3])
d[o] ^= int(sys.argv[4])
open(sys.argv[1], "wb").write(d)
PY
	if [ -n "$CK" ]; then
		expect_eq "sealed, $1: apfsck reports its data hash" \
			"File info record: incorrect hash of file data." "$("$CK" "$img" 2>&1)"
	else
		skip "sealed, $1: apfsck" "$CK_WHY"
	fi
	if [ -n "$SZ" ]; then
		expect_eq "sealed, $1: 7-Zip's test" "$5" "$("$SZ" t "$img" 2>&1 | grep -o 'ERROR: .*')"
	else
		skip "sealed, $1: 7-Zip" "7zz not installed (Debian package 7zip)"
	fi
	rm -f "$img"
}
# A byte of /many/f1234.txt: both fail it (that file alone), as our verify's FAILED does
# (seal_data.sh).
sealed_changed "a file's data block changed" "sealed file 1234" 0 32 \
	"ERROR: CRC Failed : many/f1234.txt"
# A byte past a file's data in its last block (after /many/f0042.txt's 17): apfsck hashes
# the block as stored and fails it, as our verify does (seal_data.sh); 7-Zip hashes the
# file's bytes padded with zeros and passes it.  The two readers of the same records differ
# there; no source says which macOS does.
sealed_changed "a byte past a file's data changed" "sealed file 0042" 17 1 ""

# The big ones: apfsck and 7zz l on the whole image, bytes on a part of it.
big() { # NAME PATH...
	local n=$1 img=$WORK/$1.img
	shift
	expect_rc "mkimage $n" 0 "$MKIMAGE" "$n" "$img"
	apfsck_clean "$n" "$img"
	if [ -z "$SZ" ]; then skip "$n: 7-Zip" "7zz not installed (Debian package 7zip)"
	else
		expect_rc "$n: 7zz l opens the container" 0 "$SZ" l "$img"
		[ $# -gt 0 ] && compare_paths "$n" "$img" "$@"
		# holey.bin: block 0 all A, the last block all Z, a hole between (README).
		[ "$n" = large ] && compare_data_blocks "$n" "$img" /holey.bin 0 $(((64 << 20) - 4096))
	fi
	rm -f "$img"
}
big many-files case deep d000/f00000.txt d042/f04200.txt d099/f09999.txt
big big-dir big/e000000.txt big/e042424.txt big/e099999.txt
big unhashed names/readme names/README $'names/Caf\xc3\xa9.txt' $'names/Cafe\xcc\x81.txt' \
	many/m0000.txt many/m1234.txt many/m2999.txt hello.txt dir/sub/deep.txt
big large data-8m.bin
big huge-file
# scale: written by the streaming builder (btree_stream.c), 10,000 entries by default.
img=$WORK/scale.img
expect_rc "mkimage scale --unencrypted" 0 "$MKIMAGE" scale "$img" --unencrypted
apfsck_clean scale "$img"
if [ -z "$SZ" ]; then skip "scale: 7-Zip" "7zz not installed (Debian package 7zip)"
else
	expect_rc "scale: 7zz l opens the container" 0 "$SZ" l "$img"
	compare_paths scale "$img" d00000/f00000000.txt d00009/f00008991.txt d00009/f00008992.txt
fi
rm -f "$img"
if [ -n "$SZ" ]; then
	# 7-Zip lists the 5 GiB + 4 KiB file at its size (offsets past 2^32).
	"$MKIMAGE" huge-file "$WORK/h.img" &&
		expect_grep "huge-file: 7-Zip lists big-tail.bin at 5 GiB + 4 KiB" \
			' 5368713216 .*big-tail.bin' "$("$SZ" l "$WORK/h.img")"
	rm -f "$WORK/h.img"
fi

# ---- from-dir: a host tree with what real trees have ----------------------
T=$WORK/tree
mkdir -p "$T/a/b/c" "$T/wide"
printf 'hello\n' >"$T/f.txt"
head -c 100000 /dev/urandom >"$T/a/b/c/rand.bin"
ln "$T/a/b/c/rand.bin" "$T/a/hard1"
ln "$T/a/b/c/rand.bin" "$T/hard2"
ln -s f.txt "$T/link-same"
ln -s ../../f.txt "$T/a/b/link-up"
ln -s /etc/passwd "$T/link-abs"
truncate -s 10M "$T/sparse.bin"
printf tail | dd of="$T/sparse.bin" bs=1 seek=$((5 << 20)) conv=notrunc status=none
d=$T/deep
for i in $(seq 1 80); do d=$d/d$i; done
mkdir -p "$d" && echo leaf >"$d/leaf.txt"
for i in $(seq 1 3000); do echo "w$i" >"$T/wide/w$i.txt"; done
xattrs=no
if command -v setfattr >/dev/null &&
	setfattr -n user.com.example.small -v "tiny value" "$T/f.txt" 2>/dev/null; then
	head -c 4000 /dev/urandom >"$WORK/big.val"
	# Over 3804 bytes: kept in a data stream of its own.
	setfattr -n user.com.example.big -v "0x$(xxd -p "$WORK/big.val" | tr -d '\n')" \
		"$T/f.txt" 2>/dev/null && xattrs=yes
	# An access control list, "group:everyone deny delete" (tests/cli/xattr_witness.sh
	# builds it from xnu's kauth.h): the generator sets INODE_HAS_SECURITY_EA, which
	# apfsck holds to the record both ways ("wrong flag for access control list").
	# (on a file of its own: the host's inode holds few xattr bytes beside f.txt's 4,000)
	printf 'guarded\n' >"$T/acl.txt"
	setfattr -n user.com.apple.system.Security -v "0x$(acl_deny_delete_hex)" "$T/acl.txt" ||
		xattrs=no
fi
for cs in "" --case-sensitive; do
	n=from-dir${cs:+-cs}
	img=$WORK/$n.img
	expect_rc "mkimage from-dir $cs" 0 "$MKIMAGE" from-dir "$img" --dir "$T" $cs
	apfsck_clean "$n" "$img"
	sevenzip "$n" "$img" 1 "" sparse.bin
	[ -n "$SZ" ] && compare_data_blocks "$n" "$img" /sparse.bin $((5 << 20))
	rm -f "$img"
done
if [ "$xattrs" = yes ] && [ -n "$SZ" ]; then
	"$MKIMAGE" from-dir "$WORK/x.img" --dir "$T" >/dev/null
	mkdir -p "$WORK/xa" && (cd "$WORK/xa" && "$SZ" x -y "$WORK/x.img" 'f.txt*' 'acl.txt*' \
		>/dev/null 2>&1)
	expect_eq "from-dir: 7-Zip's embedded xattr is the host's" "tiny value" \
		"$(cat "$WORK/xa/f.txt:com.example.small" 2>/dev/null)"
	expect_eq "from-dir: 7-Zip's stream xattr (4000 bytes) is the host's" \
		"$(sha256sum <"$WORK/big.val")" "$(sha256sum <"$WORK/xa/f.txt:com.example.big")"
	expect_eq "from-dir: 7-Zip's access control list is the host's" "$(acl_deny_delete_hex)" \
		"$(xxd -p "$WORK/xa/acl.txt:com.apple.system.Security" 2>/dev/null | tr -d '\n')"
else
	skip "from-dir xattrs through 7-Zip" "setfattr user xattrs or 7zz unavailable here"
fi

done_testing
