#!/usr/bin/env bash
# merged_root.sh - `apfsinspect mount` of a volume group's System volume:
# the Mac's root through FUSE.  find shows /Users/alice/... and
# /System/Volumes/Data/Users/alice/... with the same bytes (recomputed from
# testdata/README.md "macos-boot"'s documented rule), the two names of a
# firmlinked directory are one inode, /System/Volumes/Data is the Data
# root, and without a credential the firmlinked directories refuse to be
# read instead of showing empty.  Every wait is bounded.
. "$(dirname "$0")/../lib.sh"

if [ ! -c /dev/fuse ] || ! command -v fusermount3 >/dev/null; then
	skip "FUSE merged root" "/dev/fuse or fusermount3 (fuse3) missing"; done_testing; exit 0
fi
MNT=$WORK/mr-mnt
mkdir -p "$MNT"
cleanup() {
	if mountpoint -q "$MNT"; then
		timeout 10 fusermount3 -u "$MNT" 2>/dev/null || timeout 10 fusermount3 -uz "$MNT"
	fi
}
trap cleanup EXIT
T() { timeout -k 5 30 "$@"; }
SEED=5 FILES=3
IMG=$WORK/mr-fuse.img
"$MKIMAGE" macos-boot "$IMG" --seed $SEED --files $FILES >/dev/null 2>&1 ||
	{ notok "mkimage macos-boot"; done_testing; exit 1; }
doc() { printf '%s file %05d seed %s\n' "$1" "$2" "$SEED"; }
umount_it() {
	expect_rc "fusermount3 -u ($1)" 0 timeout 20 fusermount3 -u "$MNT"
}

expect_rc "mount --volume System with alice's password" 0 \
	timeout 60 "$BIN" mount --volume System --passphrase alice-password "$IMG" "$MNT"
if ! mountpoint -q "$MNT"; then notok "mounted"; done_testing; exit 1; fi
LIST=$(cd "$MNT" && T find . 2>&1)
for p in ./Users/alice/Documents/file-00000.txt ./Users/bob/Desktop/welcome.txt \
	./System/Volumes/Data/Users/alice/Documents/file-00002.txt \
	./System/Library/CoreServices/SystemVersion.plist ./usr/share/firmlinks; do
	expect_grep "find shows $p" "^${p//./\\.}\$" "$LIST"
done
expect_eq "find reports no error or loop" "" "$(printf '%s\n' "$LIST" | grep -v '^\.$' | grep -v '^\./')"
bad=0
for u in alice bob; do
	for i in $(seq 0 $((FILES - 1))); do
		f=$(printf 'Users/%s/Documents/file-%05d.txt' $u "$i")
		[ "$(T cat "$MNT/$f")" = "$(doc $u "$i")" ] || bad=$((bad + 1))
		[ "$(T cat "$MNT/System/Volumes/Data/$f")" = "$(doc $u "$i")" ] || bad=$((bad + 1))
	done
done
expect_eq "every document reads its documented line at both paths" 0 "$bad"
expect_eq "welcome.txt (README)" "Welcome, Alice Appleseed" \
	"$(T cat "$MNT/Users/alice/Desktop/welcome.txt")"
expect_eq "/Users and /System/Volumes/Data/Users: one inode" \
	"$(T stat -c %i "$MNT/Users")" "$(T stat -c %i "$MNT/System/Volumes/Data/Users")"
expect_eq "/System/Volumes/Data: the Data root at 2^60 + 2; / is 2" "1152921504606846978 2" \
	"$(T stat -c %i "$MNT/System/Volumes/Data") $(T stat -c %i "$MNT")"
expect_eq "alice's home: uid 501, gid 20 (README)" "501 20" \
	"$(T stat -c '%u %g' "$MNT/Users/alice")"
expect_eq "/Users/alice/.. is /Users" "$(T stat -c %i "$MNT/Users")" \
	"$(T stat -c %i "$MNT/Users/alice/..")"
# The kernel allows a directory one dentry: were both paths one node id, a
# lookup through one would move the other's subtree there (and getcwd with it).
expect_eq "a shell in /Users stays there while /System/Volumes/Data/Users is read" \
	"$MNT/Users/alice" \
	"$(cd "$MNT/Users/alice" && T ls "$MNT/System/Volumes/Data/Users/alice" >/dev/null &&
	   T ls -R "$MNT/System/Volumes/Data/Users" >/dev/null && /bin/pwd)"
expect_eq "... and one in /System/Volumes/Data/Users stays there too" \
	"$MNT/System/Volumes/Data/Users/bob" \
	"$(cd "$MNT/System/Volumes/Data/Users/bob" && T ls -R "$MNT/Users" >/dev/null && /bin/pwd)"
expect_eq "inode numbers unique: each regular file once" "" \
	"$(cd "$MNT" && T find . -type f -printf '%i %P\n' | grep -v '^[0-9]* System/Volumes/Data/' |
	   cut -d' ' -f1 | sort | uniq -d)"
umount_it "unlocked"

expect_rc "mount without a credential (no terminal): System shows" 0 \
	timeout 60 "$BIN" mount --volume System "$IMG" "$MNT" </dev/null
if mountpoint -q "$MNT"; then
	expect_eq "locked: a System file reads" "Calculator.app (a stand-in)" \
		"$(T cat "$MNT/System/Applications/Calculator.app/Contents/README.txt")"
	T ls "$MNT/Users" >/dev/null 2>"$WORK/mr-err"
	expect_grep "locked: /Users refuses (Permission denied), not an empty directory" \
		"Permission denied" "$(cat "$WORK/mr-err")"
	T ls "$MNT/System/Volumes/Data" >/dev/null 2>"$WORK/mr-err"
	expect_grep "locked: /System/Volumes/Data refuses" "Permission denied" "$(cat "$WORK/mr-err")"
	umount_it "locked"
else
	notok "mounted without a credential"
fi
done_testing
