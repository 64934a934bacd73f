#!/usr/bin/env bash
# unhashed.sh - the mount of a volume whose directory records carry no name
# hash (`mkimage unhashed`, testdata/README.md: /many holds m0000.txt ...
# m2999.txt, m1234.txt = "entry 1234\n"; /names one name in NFC and NFD).
# There a READDIR that resumes (the kernel's 4 KiB buffer holds about a
# hundred names, so /many takes some thirty) goes by a cookie that counts the
# entries before it.  With `-o readdirplus=no` every listing goes that way;
# by default a directory read in inode order.  Both must list each name once.
. "$(dirname "$0")/../lib.sh"

if [ ! -c /dev/fuse ] || ! command -v fusermount3 >/dev/null; then
	skip "unhashed mount tests" "/dev/fuse or fusermount3 (fuse3) missing"; done_testing; exit 0
fi
mnt_prepare "$WORK"
T() { timeout -k 5 60 "$@"; }
IMG=$WORK/unhashed.img
expect_rc "mkimage unhashed" 0 "$MKIMAGE" unhashed "$IMG"
WANT=$(for i in $(seq 0 2999); do printf 'm%04d.txt\n' "$i"; done)
NFC=$'Caf\xc3\xa9.txt' NFD=$'Cafe\xcc\x81.txt'

for opt in readdirplus=no readdirplus=yes; do
	expect_rc "mount -o $opt" 0 timeout 60 "$BIN" mount -o "$opt" "$IMG" "$MNT"
	expect_eq "$opt: ls /many: m0000.txt ... m2999.txt, each once" "$WANT" \
		"$(T ls -f "$MNT/many" | grep -v '^\.\.\?$' | LC_ALL=C sort)"
	expect_eq "$opt: find: 3017 entries below the root" 3017 \
		"$(T find "$MNT" -mindepth 1 | wc -l)"
	expect_eq "$opt: /many/m1234.txt" "entry 1234" "$(T cat "$MNT/many/m1234.txt")"
	expect_eq "$opt: NFC and NFD are two files" "nfc nfd" \
		"$(T cat "$MNT/names/$NFC") $(T cat "$MNT/names/$NFD")"
	check "$opt: /names/ReadMe does not exist" [ ! -e "$MNT/names/ReadMe" ]
	expect_rc "$opt: unmount" 0 timeout 20 fusermount3 -u "$MNT"
done
done_testing
