#!/usr/bin/env bash
# mount_sparse.sh - `apfsinspect mount` of the encrypted shared image stored
# as a sparse bundle (1536-byte bands: every 4 KiB block spans band files,
# opened on use by FUSE's reader threads) and as a sparse image: every file
# read through the mount with sha256sum equals the same file read by `cat`
# from the raw image.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/../containers_lib.sh"

if [ ! -c /dev/fuse ] || ! command -v fusermount3 > /dev/null; then
	skip "FUSE mount of a sparse bundle" "/dev/fuse or fusermount3 missing"; done_testing; exit 0
fi
need_image encrypted.img
PASS=hunter2hunter2
MNT=$WORK/mnt-sparse
mkdir -p "$MNT"
cleanup() {
	if mountpoint -q "$MNT"; then
		timeout 10 fusermount3 -u "$MNT" 2>/dev/null || timeout 10 fusermount3 -uz "$MNT"
	fi
}
trap cleanup EXIT

WANT=$(raw_cached files "$IMAGES/encrypted.img" --passphrase "$PASS")
for kind in sparsebundle sparseimage; do
	img=$WORK/enc.$kind
	"$MKIMAGE" wrap "$IMAGES/encrypted.img" "$img" --wrap $kind --band-size 1536 --seed 3
	expect_rc "mount encrypted.img as $kind" 0 timeout 60 "$BIN" mount --passphrase "$PASS" \
		"$img" "$MNT"
	GOT=$(cd "$MNT" && find . -type f | LC_ALL=C sort | while IFS= read -r f; do
		printf '%s  %s\n' "$(timeout 30 sha256sum "$f" | cut -d' ' -f1)" "${f#.}"; done)
	if [ -n "$WANT" ] && [ "$WANT" = "$GOT" ]; then
		ok "$kind: all $(printf '%s\n' "$WANT" | wc -l) files read through the mount equal cat's from the raw image"
	else
		notok "$kind: files read through the mount differ from the raw image's"
		diff <(printf '%s\n' "$WANT") <(printf '%s\n' "$GOT") | sed 's/^/#   /' | head -10
	fi
	expect_rc "fusermount3 -u ($kind)" 0 timeout 20 fusermount3 -u "$MNT"
	rm -rf "$img"
done
done_testing
