#!/usr/bin/env bash
# mkimage_kat.sh - known answer: from the inputs of Apple's encrypted.img
# (UUIDs, salts, iterations, metadata, header, entry order, and the KEK and
# VEK its password unlocks) the keybag writer rebuilds both keybag blocks;
# with Apple's leftover alignment padding supplied, their AES-XTS
# ciphertext equals Apple's blocks 172 and 170 (IMAGES.md) byte for byte,
# and without it only the padding and the checksum differ.  A file-system
# node, decrypted and encrypted again, equals Apple's ciphertext too.
. "$(dirname "$0")/../lib.sh"
need_image encrypted.img

IMG=$IMAGES/encrypted.img
K=$WORK/kat
mkdir -p "$K"
expect_rc "kat runs on Apple's image" 0 "$MKIMAGE" kat "$IMG" hunter2hunter2 "$K"
log=$OUT
expect_grep "container keybag is Apple's block 172" '^ckb block 172 count 1$' "$log"
expect_grep "volume keybag is Apple's block 170" '^vkb block 170 count 1$' "$log"

apple_block() { dd if="$IMG" bs=4096 skip="$1" count=1 2>/dev/null; }
check "container keybag ciphertext equals Apple's" cmp -s <(apple_block 172) "$K/ckb-cipher.bin"
check "volume keybag ciphertext equals Apple's" cmp -s <(apple_block 170) "$K/vkb-cipher.bin"

# Without Apple's padding: the only differences are the checksum (bytes
# 1-8) and padding ranges, each under 16 bytes and ending on a 16-byte line.
pads=$(printf '%s\n' "$log" | sed -n 's/^pad \([0-9]*\) \([0-9]*\)$/\1 \2/p')
bad_pad=$(printf '%s\n' "$pads" | awk 'NF && ($2 >= 16 || ($1 + $2) % 16) { print }')
expect_eq "padding ranges are alignment padding" "" "$bad_pad"
for b in ckb vkb; do
	stray=$(cmp -l "$K/$b-nopad.bin" "$K/$b-plain.bin" | awk -v pads="$pads" '
		BEGIN { n = split(pads, p, /[ \n]/) }
		{ o = $1 - 1; if (o < 8) next; ok = 0
		  for (i = 1; i < n; i += 2) if (o >= p[i] && o < p[i] + p[i + 1]) ok = 1
		  if (!ok) print o }')
	expect_eq "$b: without padding only checksum and padding differ" "" "$stray"
done
expect_grep "VEK blob rebuilt exactly" 'tag 2: rebuilt blob equals' "$log"
expect_grep "KEK blob rebuilt exactly" 'tag 3: rebuilt blob equals' "$log"

node=$(printf '%s\n' "$log" | sed -n 's/^fsnode block \([0-9]*\)$/\1/p')
check "fs-tree node ciphertext equals Apple's (block ${node:-?})" \
	cmp -s <(apple_block "${node:-0}") "$K/fsnode-cipher.bin"
expect_rc "a wrong password fails" 1 "$MKIMAGE" kat "$IMG" not-the-password "$K"
done_testing
