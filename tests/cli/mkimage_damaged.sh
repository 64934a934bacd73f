#!/usr/bin/env bash
# mkimage_damaged.sh - the damaged scenarios are damaged exactly where they
# say: libfsapfs (with the OpenSSL 3 shim) rejects the container keybag
# with the bad checksum and the KEK blob with the bad DER length, yet opens
# the same volume with the same password when only the hint entry overruns
# (which libfsapfs does not parse) - so the password and the rest are sound.
. "$(dirname "$0")/../lib.sh"

for s in bad-keybag-checksum keybag-entry-overrun der-length-past-end huge-iterations \
	btree-loop truncated; do
	expect_rc "mkimage $s" 0 "$MKIMAGE" "$s" "$WORK/$s.img"
done
expect_eq "truncated image is cut short of its 16 MiB" yes \
	"$([ "$(stat -c %s "$WORK/truncated.img")" -lt 1048576 ] && echo yes || echo no)"

if ! command -v fsapfsinfo >/dev/null; then
	skip "libfsapfs checks" "fsapfsinfo (libfsapfs-utils) not installed"; done_testing; exit 0
fi
SHIM=$WORK/fsapfs-shim.so
if ! cc -O2 -shared -fPIC -o "$SHIM" "${SHARED:-../shared}/tools/fsapfs-openssl3-shim.c" \
	-ldl -lcrypto 2>/dev/null; then
	skip "libfsapfs checks" "cannot build the OpenSSL 3 shim"; done_testing; exit 0
fi
fsapfs() { LD_PRELOAD=$SHIM timeout 60 fsapfsinfo "$@" 2>&1; }
out=$(fsapfs -p damaged-password -F /hello.txt "$WORK/keybag-entry-overrun.img")
expect_grep "control: password opens the volume past the overrunning hint" \
	'Size[[:space:]]*: 13$' "$out"
out=$(fsapfs -p damaged-password -F /hello.txt "$WORK/bad-keybag-checksum.img")
expect_grep "bad-keybag-checksum: container keybag rejected" 'unable to read container key bag' "$out"
out=$(fsapfs -p damaged-password -F /hello.txt "$WORK/der-length-past-end.img")
expect_grep "der-length-past-end: KEK blob rejected" 'unable to read key encrypted key' "$out"
out=$(fsapfs "$WORK/truncated.img")
expect_grep "truncated: container objects missing" 'libfsapfs_internal_container_open_read: unable to read object map at offset' "$out"
out=$(fsapfs -H "$WORK/btree-loop.img")
expect_grep "btree-loop: root directory unreadable, no hang" \
	'get_directory_entries_from_branch_node: unable to retrieve directory entries' "$out"
done_testing
