#!/usr/bin/env bash
# mkimage_tsk.sh - The Sleuth Kit agrees with the generator on unencrypted
# images: volume name (pstat), names (fls -r), file bytes (icat); bare
# and GPT-wrapped.
. "$(dirname "$0")/../lib.sh"

if ! command -v pstat >/dev/null || ! command -v fls >/dev/null; then
	skip "TSK checks" "sleuthkit (pstat, fls, icat) not installed"; done_testing; exit 0
fi

# tsk_check IMG DESC [-o SECTORS]
tsk_check() {
	local img=$1 d=$2 apsb inode; shift 2
	out=$(pstat "$@" "$img" 2>&1)
	expect_grep "$d: pstat names volume Basic" 'Name \(Role\): Basic' "$out"
	apsb=$(printf '%s\n' "$out" | sed -n 's/.*APSB Block Number: \([0-9]*\).*/\1/p' | head -1)
	out=$(fls "$@" -r -B "${apsb:-0}" "$img" 2>&1)
	for n in hello.txt empty.txt multi.bin link dir nested.txt sub deep.txt 'Café.txt'; do
		expect_grep "$d: fls lists $n" "[0-9]+:	$n\$" "$out"
	done
	inode=$(printf '%s\n' "$out" | sed -n 's/^r\/r \([0-9]*\):	hello.txt$/\1/p')
	expect_eq "$d: icat hello.txt" "hello, world" "$(icat "$@" -B "$apsb" "$img" "${inode:-0}" 2>&1)"
	inode=$(printf '%s\n' "$out" | sed -n 's/^+ r\/r \([0-9]*\):	nested.txt$/\1/p')
	expect_eq "$d: icat dir/nested.txt" "nested" "$(icat "$@" -B "$apsb" "$img" "${inode:-0}" 2>&1)"
	a=$(printf '%s\n' "$out" | sed -n 's/^r\/r \([0-9]*\):	hardlink-a.txt$/\1/p')
	b=$(printf '%s\n' "$out" | sed -n 's/^+ r\/r \([0-9]*\):	hardlink-b.txt$/\1/p')
	expect_eq "$d: hard links share an inode" "${a:-none}" "${b:-other}"
	expect_eq "$d: icat hard link" "linked" "$(icat "$@" -B "$apsb" "$img" "${a:-0}" 2>&1)"
	inode=$(printf '%s\n' "$out" | sed -n 's/^r\/r \([0-9]*\):	multi.bin$/\1/p')
	expect_eq "$d: icat multi.bin is 5 blocks + 100 bytes" 20580 \
		"$(icat "$@" -B "$apsb" "$img" "${inode:-0}" 2>/dev/null | wc -c)"
}

expect_rc "mkimage basic" 0 "$MKIMAGE" basic "$WORK/basic.img"
tsk_check "$WORK/basic.img" bare
expect_rc "mkimage basic --gpt" 0 "$MKIMAGE" basic "$WORK/basic-gpt.img" --gpt
tsk_check "$WORK/basic-gpt.img" GPT -o 40
if command -v fsapfsinfo >/dev/null; then
	out=$(fsapfsinfo -o 20480 -H "$WORK/basic-gpt.img" 2>&1)
	expect_grep "libfsapfs reads the GPT image at byte 20480" '/dir/sub/deep.txt$' "$out"
else
	skip "libfsapfs on the GPT image" "fsapfsinfo not installed"
fi
done_testing
