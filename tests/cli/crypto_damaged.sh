# crypto_damaged.sh - damaged keybags (build/mkimage's hostile scenarios,
# each damaged where testdata/README.md says; libfsapfs rejects the same
# ones in mkimage_damaged.sh): exit 1 with the structure and block named,
# never a crash, never a hang, never a PBKDF2 run of 2^32 iterations.
. "$TESTS/lib.sh"
for s in bad-keybag-checksum keybag-entry-overrun der-length-past-end huge-iterations; do
	"$MKIMAGE" "$s" "$WORK/$s.img" > /dev/null || notok "mkimage $s"
done
t() { timeout 30 "$BIN" "$@"; }
each() { # SCENARIO PATTERN DESC: every crypto command exits 1 and names the damage
	for c in listcryptousers hashes "unlockvolume --passphrase damaged-password"; do
		# shellcheck disable=SC2086
		expect_rc "$1: $c exits 1" 1 t $c "$WORK/$1.img"
		expect_grep "$1: $c names $3" "$2" "$ERR"
	done
}
each bad-keybag-checksum 'container keybag at block [0-9]+: .*(bad checksum|damaged)' "the container keybag and its block"
each keybag-entry-overrun 'volume keybag at block [0-9]+: entry 1 .*overruns kl_nbytes' "the overrunning entry"
each der-length-past-end 'volume keybag at block [0-9]+, entry 0: .*DER' "the KEK blob's DER"
each huge-iterations 'block [0-9]+, entry 0 asks for 4294967296 PBKDF2 iterations' "the iteration count"
expect_rc "huge-iterations: listed anyway" 1 t listcryptousers "$WORK/huge-iterations.img"
expect_grep "huge-iterations: the user is still shown" '6B1F2E3D-4C5B-4A69-8877-665544332211' "$OUT"
expect_rc "huge-iterations: no hash line for it" 1 t hashes "$WORK/huge-iterations.img"
expect_eq "huge-iterations: hashes prints nothing" "" "$OUT"
# The damage stays in the keybag: the rest of the image still lists.
expect_rc "damaged keybag: list still works" 0 t list "$WORK/bad-keybag-checksum.img"
done_testing
