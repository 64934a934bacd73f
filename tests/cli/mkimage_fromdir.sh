#!/usr/bin/env bash
# mkimage_fromdir.sh - `mkimage from-dir` copies a host tree; TSK and
# libfsapfs (with the OpenSSL 3 shim for the encrypted copy) must find the
# same names, bytes, link counts, modes, owners and times as the host has,
# computed here with find/stat/sha256sum/readlink (the independent side).
. "$(dirname "$0")/../lib.sh"

if ! command -v fls > /dev/null || ! command -v fsapfsinfo > /dev/null; then
	skip "from-dir checks" "sleuthkit or libfsapfs-utils not installed"; done_testing; exit 0
fi
SHIM_SRC=${SHARED:-../shared}/tools/fsapfs-openssl3-shim.c
SHIM=$WORK/fromdir-shim.so
cc -O2 -shared -fPIC -o "$SHIM" "$SHIM_SRC" -ldl -lcrypto 2>/dev/null || SHIM=

# ---- the host tree ----------------------------------------------------------
S=$WORK/src
mkdir -p "$S/a/b/c/d" "$S/日本語" "$S/private"
head -c 3145728 /dev/urandom > "$S/a/b/rand-3m.bin"
: > "$S/empty"
printf 'deep\n' > "$S/a/b/c/d/deep.txt"
ln -s a/b/rand-3m.bin "$S/link"
ln -s ../../日本語/ファイル.txt "$S/a/b/rel-link"
printf 'linked\n' > "$S/hard-1"
ln "$S/hard-1" "$S/a/hard-2"
ln "$S/hard-1" "$S/a/b/hard-3"
printf 'café\n' > "$S/Café.txt"                       # NFC name
printf 'zoë\n' > "$S/$(printf 'Zoe\xcc\x88.txt')"       # NFD name
printf 'ファイル\n' > "$S/日本語/ファイル.txt"
printf 'cup\n' > "$S/☕ coffee.txt"
# Holes shorter than the container: TSK 4.11.1 rejects a sparse run longer than that.
truncate -s 12M "$S/sparse.bin"
printf 'middle' | dd of="$S/sparse.bin" bs=1 seek=6291456 conv=notrunc 2> /dev/null
chmod 0600 "$S/private"; chmod 0640 "$S/Café.txt"; chmod 0750 "$S/a/b/c"
XATTR=no
if command -v setfattr > /dev/null && setfattr -n user.com.example.x -v 'hello xattr' "$S/hard-1" 2> /dev/null; then
	XATTR=yes
	# More extended attributes than any fixed-size list would hold.
	for i in $(seq 1 70); do setfattr -n "user.com.example.n$i" -v "v$i" "$S/private"; done
fi
if [ "$(id -u)" = 0 ]; then chown 1234:5678 "$S/Café.txt"; chown -h 4321:8765 "$S/link"; fi
touch -h -m -d '@1600000000.123456789' "$S/link" "$S/empty" "$S/a/b/c"
# One read of everything, so that (relatime) later reads leave atimes alone.
find "$S" -type f -exec cat {} + > /dev/null; find "$S" -type l -exec readlink {} + > /dev/null
ls -laR "$S" > /dev/null

# host listing: path|type|octal mode|uid|gid|size or target|nlink|mtime|ctime|atime|sha256|mode string
host_list() {
	(cd "$S" && find . -mindepth 1 | sed 's|^\./||' | LC_ALL=C sort | while IFS= read -r p; do
		local t f u g sz nl mt ct at ms sha=-
		IFS='|' read -r t f u g sz nl mt ct at ms <<< "$(stat -c '%F|%f|%u|%g|%s|%h|%.9Y|%.9Z|%.9X|%A' "$p")"
		case $t in
		directory) sz=- nl=- ;;
		symbolic*) sz="->$(readlink "$p")" ;;
		*) sha=$(sha256sum < "$p" | cut -d' ' -f1) ;;
		esac
		printf '%s|%s|%06o|%s|%s|%s|%s|%s|%s|%s|%s|%s\n' "$p" "${t%% *}" "0x$f" "$u" "$g" "$sz" \
			"$nl" "$mt" "$ct" "$at" "$sha" "$ms"
	done)
}
# Dates as printed by TSK or libfsapfs (ns after the dot) -> seconds.ns, one date(1) per call.
to_epoch() { # DATE...
	local d s secs=() ns=()
	for d in "$@"; do s=${d%% (UTC)*}; s=${s%Z}; secs+=("${s%.*}Z"); ns+=("${s##*.}"); done
	printf '%s\n' "${secs[@]}" | date -u -f - +%s | paste -d. - <(printf '%s\n' "${ns[@]}") |
		tr '\n' '|' | sed 's/|$//'
}
BEFORE=$(host_list)
IMG=$WORK/fromdir.img
expect_rc "from-dir: exit 0" 0 "$MKIMAGE" from-dir "$IMG" --dir "$S" --volume-name Copied
HOST=$(host_list)
ATIME=yes
[ "$BEFORE" = "$HOST" ] || ATIME=no  # a strictatime mount: reading changed atimes
drop_atime() { if [ $ATIME = yes ]; then cat; else awk -F'|' -v OFS='|' '{ $10 = "-"; print }'; fi; }
EXPECT=$(printf '%s\n' "$HOST" | drop_atime)

# ---- TSK ---------------------------------------------------------------------
tsk_list() { # IMG APSB
	fls -r -p -B "$2" "$1" 2> /dev/null | while IFS= read -r line; do
		local ino=${line%%:*} p=${line#*	} t mo og sz tg nl m c a sha=-
		ino=${ino##* }
		IFS='|' read -r t mo og sz tg nl m c a <<< "$(istat -B "$2" "$1" "$ino" | awk -F'\t+' '
			/^Type:/ && t == "" { t = $2 } /^Mode:/ { mo = $2 } /^owner \/ group:/ { og = $0; sub(/^[^:]*: /, "", og) }
			/^Size:/ { sz = $2 } /^Symbolic link to:/ { tg = $2 } /^Number of Links:/ { nl = $0; sub(/^[^:]*: */, "", nl) }
			/^Content Modified:/ { m = $2 } /^Attributes Modified:/ { c = $2 } /^Accessed:/ { a = $2 }
			END { print t "|" mo "|" og "|" sz "|" tg "|" nl "|" m "|" c "|" a }')"
		case $t in
		Directory) t=directory sz=- nl=- ;;
		Link) t=symbolic sz="->$tg" ;;
		*) t=regular sha=$(icat -B "$2" "$1" "$ino" | sha256sum | cut -d' ' -f1) ;;
		esac
		printf '%s|%s|%s|%s|%s|%s|%s|%s|%s\n' "$p" "$t" "${mo#?}" "${og% / *}" "${og#* / }" \
			"$sz" "$nl" "$(to_epoch "$m" "$c" "$a")" "$sha"
	done
}
# TSK prints modes as strings (the first letter its own): compare the host's the same way.
host_for_tsk() { printf '%s\n' "$EXPECT" | awk -F'|' -v OFS='|' '{ $3 = substr($12, 2); NF = 11; print }' | LC_ALL=C sort; }
A=$(pstat "$IMG" 2> /dev/null | sed -n 's/.*APSB Block Number: \([0-9]*\).*/\1/p' | head -1)
TSK=$(tsk_list "$IMG" "${A:-0}" | drop_atime | LC_ALL=C sort)
expect_eq "TSK: every entry with its type, mode, owner, size/target, links, times, sha256" \
	"$(host_for_tsk)" "$TSK"
expect_eq "TSK: hard-1 has 3 links (host: 3)" 3 "$(printf '%s\n' "$HOST" | awk -F'|' '$1 == "hard-1" { print $7 }')"
# Every name of the hard-linked file, as find(1) sees them on the host.
HARD=$(cd "$S" && find . -samefile hard-1 | sed 's|^\.||' | LC_ALL=C sort | tr '\n' ' ')
for p in /hard-1 /a/b/hard-3; do
	expect_eq "stat $p: every name of the inode (host: find -samefile)" "${HARD% }" \
		"$("$BIN" stat --json "$IMG" "$p" | python3 -c 'import json, sys; print(*sorted(json.load(sys.stdin)["links"]))')"
done
FSS=$(fsstat -B "${A:-0}" "$IMG" 2> /dev/null)
expect_grep "TSK: volume name" 'Name \(Role\): Copied' "$FSS"
expect_grep "TSK: case-insensitive by default" 'Case Sensitive: No' "$FSS"
if [ $XATTR = yes ]; then
	ino=$(fls -r -p -B "$A" "$IMG" | sed -n 's/^r\/r \([0-9]*\):	hard-1$/\1/p')
	expect_grep "TSK: user.com.example.x is com.example.x" 'ExATTR.*Name: com.example.x' \
		"$(istat -B "$A" "$IMG" "$ino")"
	expect_eq "TSK: its value" "hello xattr" "$(icat -B "$A" "$IMG" "$ino-4354-1")"
	expect_eq "stat lists all 70 xattrs (host: getfattr)" \
		"$(getfattr -d -m - "$S/private" 2> /dev/null | grep -c '^user\.')" \
		"$("$BIN" stat "$IMG" /private | grep -c '^xattr: com\.example\.')"
else
	skip "xattr copied" "setfattr missing or user xattrs unsupported in \$WORK"
	skip "xattr value" "setfattr missing or user xattrs unsupported in \$WORK"
	skip "stat lists all xattrs" "setfattr missing or user xattrs unsupported in \$WORK"
fi
expect_eq "12 MiB sparse file kept sparse (image under 8 MiB on disk)" yes \
	"$([ "$(du -k "$IMG" | cut -f1)" -lt 8192 ] && echo yes || echo no)"

# ---- libfsapfs ---------------------------------------------------------------
lib_list() { # IMG ARGS... : the host's paths as libfsapfs sees them
	local img=$1; shift
	printf '%s\n' "$EXPECT" | while IFS='|' read -r p t _ _ _ sz nl _; do
		local path mo u g size m c a cr
		IFS='|' read -r path mo u g size m c a cr <<< "$(LD_PRELOAD=${SHIM:-} fsapfsinfo "$@" -F "/$p" "$img" 2>&1 |
			awk -F'\t+: ' '/^\tPath/ { p = $2 } /^\tFile mode/ { mo = $2 } /^\tOwner identifier/ { u = $2 }
			/^\tGroup identifier/ { g = $2 } /^\tSize/ { sz = $2 } /^\tModification time/ { m = $2 }
			/^\tInode change time/ { c = $2 } /^\tAccess time/ { a = $2 } /^\tCreation time/ { cr = $2 }
			END { print p "|" mo "|" u "|" g "|" sz "|" m "|" c "|" a "|" cr }')"
		mo=${mo##*(0}; mo=${mo%)}
		[ "$t" = regular ] || size=$sz
		IFS='|' read -r m c a cr <<< "$(to_epoch "$m" "$c" "$a" "$cr")"
		[ $ATIME = yes ] || a=-
		printf '%s|%s|%s|%s|%s|%s|%s|%s|%s|%s|%s\n' "${path#/}" "$t" "$mo" "$u" "$g" "$size" "$nl" \
			"$m" "$c" "$a" "$cr"
	done
}
host_for_lib() { printf '%s\n' "$EXPECT" | awk -F'|' -v OFS='|' '{ $11 = $8; NF = 11; print }'; }
expect_eq "libfsapfs: every path with type, mode, owner, size, times; creation = mtime" \
	"$(host_for_lib)" "$(lib_list "$IMG")"
body_sums() { # IMG ARGS...: path|md5 of regular files, path -> target of symlinks
	local img=$1; shift
	LD_PRELOAD=${SHIM:-} fsapfsinfo "$@" -H -B "$WORK/fromdir.body" -d "$img" > /dev/null 2>&1
	cut -d'|' -f1,2,4 "$WORK/fromdir.body" | sed 's#|/{[^}]*}/#|#' |
		awk -F'|' '$3 ~ /^-/ { print $2 "|" $1 } $3 ~ /^l/ { print $2 }' | LC_ALL=C sort
}
host_sums() {
	(cd "$S" && find . -mindepth 1 \( -type f -o -type l \) | sed 's|^\./||' | LC_ALL=C sort |
	 while IFS= read -r p; do
		if [ -L "$p" ]; then echo "$p -> $(readlink "$p")"; else echo "$p|$(md5sum < "$p" | cut -d' ' -f1)"; fi
	 done) | LC_ALL=C sort
}
HSUMS=$(host_sums)
expect_eq "libfsapfs: file bytes (md5) and symlink targets" "$HSUMS" "$(body_sums "$IMG")"

# ---- encrypted copy ------------------------------------------------------------
E=$WORK/fromdir-enc.img
expect_rc "from-dir --password: exit 0" 0 "$MKIMAGE" from-dir "$E" --dir "$S" --volume-name Secret \
	--password 'copy pässword' --hint 'copy hint' --iterations 1000 --gpt
expect_rc "our reader unlocks it" 0 "$BIN" unlockvolume --passphrase 'copy pässword' "$E"
expect_grep "names the documented Local OD user" \
	'F0D1A2B3-C4D5-4E6F-8A9B-0C1D2E3F4A5B \(Local Open Directory User\)' "$OUT"
if [ -n "$SHIM" ]; then
	expect_eq "libfsapfs (shim, GPT offset): encrypted copy has the same bytes and targets" \
		"$HSUMS" "$(body_sums "$E" -o 20480 -p 'copy pässword')"
	expect_eq "libfsapfs: encrypted copy has the same metadata" \
		"$(host_for_lib)" "$(lib_list "$E" -o 20480 -p 'copy pässword')"
	out=$(LD_PRELOAD=$SHIM fsapfsinfo -o 20480 -p wrong -F /hard-1 "$E" 2>&1)
	expect_grep "libfsapfs: wrong password reads nothing" 'libfsapfs_internal_volume_get_file_system_btree: unable to unlock volume' "$out"
else
	skip "libfsapfs on the encrypted copy" "cannot build the OpenSSL 3 shim"
fi

# ---- determinism, case sensitivity, bad names -----------------------------------
if [ $ATIME = yes ]; then
	"$MKIMAGE" from-dir "$WORK/again.img" --dir "$S" --volume-name Copied
	expect_eq "same tree, same image" "$(sha256sum < "$IMG")" "$(sha256sum < "$WORK/again.img")"
else
	skip "same tree, same image" "\$WORK is mounted strictatime: reading changes the tree"
fi
C=$WORK/case; mkdir -p "$C"; echo lower > "$C/readme"; echo upper > "$C/README"
expect_rc "case-insensitive copy of readme + README: exit 1" 1 "$MKIMAGE" from-dir "$WORK/c.img" --dir "$C"
expect_grep "says why and what to do" 'differ only in case.*--case-sensitive' "$ERR"
check "no half image left behind" test ! -e "$WORK/c.img"
expect_rc "--case-sensitive copy: exit 0" 0 "$MKIMAGE" from-dir "$WORK/c.img" --dir "$C" --case-sensitive
A=$(pstat "$WORK/c.img" 2> /dev/null | sed -n 's/.*APSB Block Number: \([0-9]*\).*/\1/p' | head -1)
expect_eq "TSK lists both names" "README readme" \
	"$(fls -B "${A:-0}" "$WORK/c.img" 2> /dev/null | sed 's/.*	//' | LC_ALL=C sort | tr '\n' ' ' | sed 's/ $//')"
expect_grep "libfsapfs: 0x8 set on the case-sensitive copy" 'Incompatible features[[:space:]]*: 0x00000008$' \
	"$(fsapfsinfo "$WORK/c.img" 2>&1)"
N=$WORK/nfd; mkdir -p "$N"; echo 1 > "$N/Café"; echo 2 > "$N/$(printf 'Cafe\xcc\x81')"
expect_rc "NFC and NFD of one name: exit 1 even case-sensitive" 1 "$MKIMAGE" from-dir "$WORK/n.img" --dir "$N" --case-sensitive
expect_grep "says so" 'differ only in Unicode normalization' "$ERR"
B=$WORK/bad; mkdir -p "$B/sub"
if touch "$B/sub/$(printf 'bad\xff')" 2> /dev/null; then
	expect_rc "a name that is not UTF-8: exit 1" 1 "$MKIMAGE" from-dir "$WORK/b.img" --dir "$B"
	expect_grep "names the path (bad byte escaped) and the reason" \
		'sub/bad\\xff: name is not valid UTF-8' "$ERR"
else
	skip "non-UTF-8 name refused" "\$WORK's file system refuses the name itself"
	skip "non-UTF-8 message" "\$WORK's file system refuses the name itself"
fi
expect_rc "missing --dir: usage, exit 2" 2 "$MKIMAGE" from-dir "$WORK/x.img"
expect_rc "--dir that does not exist: exit 1" 1 "$MKIMAGE" from-dir "$WORK/x.img" --dir "$WORK/nope"
done_testing
