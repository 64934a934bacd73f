# fs_hostile.sh - corrupted file-system metadata: reading commands report the
# damage (exit 1 for what they cannot read, 0 for what they can) and never
# die on a signal or hang.  Under `make asan` this also checks every access.
# The classes that need no damaged bytes (directory cycles, size claims,
# decmpfs bombs, the mount under many readers) are in fs_hostile_bounds.sh
# and ../fuse/mount_hostile.sh.
. "$TESTS/lib.sh"
need_image basic.img
# Each run bounded in time and (but under ASan, whose shadow needs terabytes
# of address space) in memory: 1 GiB of address space.
if ldd "$BIN" 2>/dev/null | grep -q libasan; then LIMIT=(); else LIMIT=(prlimit --as=$((1 << 30))); fi
t() { timeout 20 "${LIMIT[@]}" "$BIN" "$@" > /dev/null 2>&1; }

# Four 4-byte stamps in each block hit B-tree headers, TOCs, keys and values.
sweep() { # IMAGE CONTAINER-OFFSET FIRST LAST STEP [credential...]
	local img=$1 base=$2 first=$3 last=$4 step=$5 b o rc bad=0 n=0
	shift 5
	for ((b = first; b < last; b += step)); do
		cp "$img" "$WORK/hostile.img"
		for o in 40 100 1000 2500 4000; do
			printf '\132\245\000\377' | dd of="$WORK/hostile.img" bs=1 \
				seek=$((base + b * 4096 + o)) conv=notrunc status=none
		done
		for cmd in "bodyfile" "ls -R -l" "cat $CAT" "stat $STAT"; do
			# shellcheck disable=SC2086
			t $cmd "$@" "$WORK/hostile.img"; rc=$?
			n=$((n + 1))
			[ $rc -le 4 ] || { bad=$((bad + 1)); echo "# block $b: $cmd: exit $rc"; }
		done
	done
	expect_eq "$(basename "$img"): $n runs over damaged blocks $first..$last: no signal, no hang" 0 "$bad"
}
CAT=/random.bin STAT=/hello.txt
sweep "$IMAGES/basic.img" 20480 0 600 17
# A sealed volume's headerless fs-tree nodes, fext tree, omap and seal (the
# metadata follows the data: blocks 3280 on), and directory statistics.
"$MKIMAGE" sealed "$WORK/sealed.img" > /dev/null
CAT=/big.bin STAT=/many
sweep "$WORK/sealed.img" 0 3280 3540 13
"$MKIMAGE" dir-stats "$WORK/dir-stats.img" > /dev/null
CAT=/multi.bin STAT=/dir
sweep "$WORK/dir-stats.img" 0 0 48 3
# Damage on top of lies: the directory-cycle image (its metadata: blocks
# 28-35) and the size-claims image (decmpfs bombs, a 2^50 claim; its
# metadata follows 17 MiB of data: blocks 4400 on).
"$MKIMAGE" dir-cycle "$WORK/cyc.img" > /dev/null
CAT=/a/b/inside.txt STAT=/c/alias
sweep "$WORK/cyc.img" 0 0 40 3
"$MKIMAGE" size-claims "$WORK/claims.img" > /dev/null
CAT=/lzvn-17m.bin STAT=/bomb0.bin
sweep "$WORK/claims.img" 0 4400 4411 1
need_image encrypted.img
CAT=/random.bin STAT=/hello.txt
sweep "$IMAGES/encrypted.img" 0 160 260 5 --passphrase hunter2hunter2
done_testing
