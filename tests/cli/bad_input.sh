# bad_input.sh - hostile and non-APFS input: always a clear message and
# exit 1 (or 0 with a warning for a readable truncated image), never a
# signal, never a hang.
. "$TESTS/lib.sh"
export TEST_CMD_TIMEOUT=${TEST_CMD_TIMEOUT:-20}
t() { timeout "$TEST_CMD_TIMEOUT" "$BIN" "$@"; }

: > "$WORK/empty.img"
expect_rc "empty file: exit 1" 1 t list "$WORK/empty.img"
expect_grep "empty file: says too small" 'too small' "$ERR"
expect_rc "directory: exit 1" 1 t list "$WORK"
expect_grep "directory: says so" 'is a directory' "$ERR"
expect_rc "missing file: exit 1" 1 t list "$WORK/nonexistent.img"
expect_grep "missing file: names it" 'cannot open' "$ERR"
head -c 1048576 /dev/urandom > "$WORK/random.img"
expect_rc "random bytes: exit 1" 1 t list "$WORK/random.img"
expect_grep "random bytes: not APFS" 'is not an APFS container or a GPT disk' "$ERR"

# A GPT disk whose only partition is HFS+ (util-linux sfdisk writes real CRCs).
if command -v sfdisk > /dev/null; then
	truncate -s 8M "$WORK/hfs-gpt.img"
	printf 'label: gpt\n,,48465300-0000-11AA-AA11-00306543ECAC\n' |
		sfdisk -q "$WORK/hfs-gpt.img" > /dev/null 2>&1
	expect_rc "GPT without APFS: exit 1" 1 t list "$WORK/hfs-gpt.img"
	expect_grep "GPT without APFS: names the partition type" 'GPT disk without an APFS partition.*HFS\+' "$ERR"
else
	skip "GPT without APFS" "sfdisk (util-linux) not installed"
fi
# An HFS+ volume header at byte 1024.
head -c 4096 /dev/zero > "$WORK/hfs.img"
printf 'H+\0\4' | dd of="$WORK/hfs.img" bs=1 seek=1024 conv=notrunc status=none
truncate -s 1M "$WORK/hfs.img"
expect_rc "HFS+ volume: exit 1" 1 t list "$WORK/hfs.img"
expect_grep "HFS+ volume: named" 'looks like an HFS\+ volume' "$ERR"

# A CoreStorage physical volume header (libfvde's layout: version 1, "CS" at 88).
head -c 4096 /dev/zero > "$WORK/cs.img"
printf '\1\0' | dd of="$WORK/cs.img" bs=1 seek=8 conv=notrunc status=none
printf 'CS' | dd of="$WORK/cs.img" bs=1 seek=88 conv=notrunc status=none
truncate -s 1M "$WORK/cs.img"
expect_rc "CoreStorage: exit 1" 1 t list "$WORK/cs.img"
expect_grep "CoreStorage: named" 'CoreStorage physical volume' "$ERR"

need_image basic.img
expect_rc "wrong --offset: exit 1" 1 t list --offset 4096 "$IMAGES/basic.img"
expect_grep "wrong --offset: names the offset" 'no APFS container superblock \(NXSB\) at byte offset 4096' "$ERR"
expect_rc "--offset past the end: exit 1" 1 t list --offset 99999999999 "$IMAGES/basic.img"
expect_rc "--offset not a number: exit 2" 2 t list --offset abc "$IMAGES/basic.img"
expect_rc "unknown option: exit 2" 2 t list --bogus "$IMAGES/basic.img"
expect_rc "no image: exit 2" 2 t list
expect_rc "unknown command: exit 2" 2 t frobnicate "$IMAGES/basic.img"

# Truncation at many offsets: read as far as it goes, fail cleanly beyond.
trunc_sweep() { # IMAGE STEP
	local img=$1 step=$2 size n bad=0 warned=0 shown=0
	size=$(stat -c %s "$img")
	for ((n = 0; n < size; n += step)); do
		head -c "$n" "$img" > "$WORK/trunc.img"
		run_rc t list "$WORK/trunc.img"
		case $RC in
		0) shown=$((shown + 1))
		   printf '%s' "$ERR" | grep -q 'truncated' && warned=$((warned + 1)) ||
			{ bad=$((bad + 1)); echo "# $n: exit 0 without a truncation warning"; } ;;
		1) [ -n "$ERR" ] || { bad=$((bad + 1)); echo "# $n: exit 1 without a message"; } ;;
		*) bad=$((bad + 1)); echo "# $n: exit $RC" ;;
		esac
	done
	expect_eq "$(basename "$img"): truncated every $step bytes: clean exits" 0 "$bad"
	check "$(basename "$img"): some truncated copies still list, with a warning" [ "$shown" -gt 0 ]
}
trunc_sweep "$IMAGES/dfvfs-apfs.raw" 131072
trunc_sweep "$IMAGES/basic.img" 1048576

# Where a needed block is cut off, the error names it; the rest is shown.
head -c $((106 * 4096)) "$IMAGES/dfvfs-apfs.raw" > "$WORK/cut.img"
expect_rc "dfvfs cut at block 106: exit 1" 1 t list "$WORK/cut.img"
expect_grep "dfvfs cut at block 106: names the missing block" 'needs block 106, which is missing' "$ERR"
expect_grep "dfvfs cut at block 106: container still shown" 'D08A9FA0-D5A5-458B-813E-EBF9BF5D5338' "$OUT"
expect_grep "dfvfs cut at block 106: says how much is missing" 'holds 106 of the container.s 1014 blocks' "$ERR"
need_image encrypted.img
head -c $((213 * 4096)) "$IMAGES/encrypted.img" > "$WORK/cut.img"
expect_rc "encrypted.img cut, --xid 8: exit 1" 1 t list --xid 8 "$WORK/cut.img"
expect_grep "encrypted.img cut, --xid 8: says why" 'checkpoint xid 8: its object map lies in the missing part' "$ERR"
expect_rc "encrypted.img cut: an older checkpoint still lists" 0 t list "$WORK/cut.img"
expect_grep "encrypted.img cut: warns and falls back" 'xid 8 .*unusable.*trying an older one' "$ERR"

# Corruption: flip bytes all over the metadata; never a signal or a hang.
flip_sweep() { # IMAGE LIMIT STEP
	local img=$1 bad=0 off
	for ((off = 0; off < $2; off += $3)); do
		cp "$img" "$WORK/flip.img"
		printf '\377\377\377\377' | dd of="$WORK/flip.img" bs=1 seek=$((off + 40)) conv=notrunc status=none
		run_rc t list --json "$WORK/flip.img"
		[ "$RC" -le 1 ] || { bad=$((bad + 1)); echo "# offset $((off + 40)): exit $RC"; }
	done
	expect_eq "$(basename "$img"): corrupted metadata blocks: no crash" 0 "$bad"
}
flip_sweep "$IMAGES/dfvfs-apfs.raw" $((120 * 4096)) $((3 * 4096))
flip_sweep "$IMAGES/dfvfs-apfs.raw" 4096 100
done_testing
