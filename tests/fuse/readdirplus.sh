#!/usr/bin/env bash
# readdirplus.sh - the mount answers READDIRPLUS (fuse/dirplus.c): a
# directory's entries go to the kernel with their attributes, read a window
# at a time in inode order, so by default (`-o readdirplus=yes`) `find -ls`
# and `ls -l` send no LOOKUP a name; with `-o readdirplus=auto` the kernel's
# auto mode decides (fewer nodes for walks of names only).
# On a `mkimage scale --shuffle` volume of one directory of 19,999 files
# (more than one window; names unrelated to inode order), every entry's
# attributes as stat(2) sees them through the mount must be the ones
# testdata/README.md documents (computed here from that description: the
# --shuffle formula gives each name's inode), and on basic.img (shared)
# the ones `apfsinspect stat --json` gives for every file.
. "$(dirname "$0")/../lib.sh"

if [ ! -c /dev/fuse ] || ! command -v fusermount3 >/dev/null; then
	skip "READDIRPLUS tests" "/dev/fuse or fusermount3 (fuse3) missing"; done_testing; exit 0
fi
mnt_prepare "$WORK"
umount_wait() {
	timeout 20 fusermount3 -u "$MNT"
	local i=0
	while mountpoint -q "$MNT" && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
}

N=20000
IMG=$WORK/shuffle.img
expect_rc "mkimage scale --per-dir $((N - 1)) --shuffle" 0 "$MKIMAGE" scale "$IMG" \
	--entries $N --per-dir $((N - 1)) --shuffle --unencrypted

# README: one directory d00000 (inode 16, 0755, its files + 2 links) of n = N - 1 files;
# the name with offset j is the file of inode 17 + (j M mod n), M the first number from
# floor(0.618 n) up coprime with n; every file 0644, 501:20, one link, 2026-01-01 (epoch
# 1767225600), the file of inode 17 holding "file 0\n" (7 bytes), the others empty.
want() {
	awk -v n=$((N - 1)) 'function gcd(a, b) { while (b) { t = a % b; a = b; b = t } return a }
	BEGIN {
		m = int(n * 618 / 1000); while (m < n && gcd(m, n) != 1) m++
		printf "d00000 16 755 501 20 %d 1767225600 d\n", n + 2
		for (j = 0; j < n; j++) {
			i = (j * m) % n
			printf "d00000/f%08d.txt %d 644 501 20 1 1767225600 f %d\n", j, 17 + i, i ? 0 : 7
		}
	}' | LC_ALL=C sort
}
seen() {
	find "$MNT" -mindepth 1 -printf '%P %i %m %U %G %n %T@ %y %s\n' |
		sed 's/ \([0-9]*\)\.0* \([dfl]\) / \1 \2 /; s/ d [0-9]*$/ d/' | LC_ALL=C sort
}
expect_rc "mount the --shuffle volume" 0 timeout 60 "$BIN" mount "$IMG" "$MNT"
expect_eq "find through the mount: every entry's stat is the documented one" \
	"$(want | sha256sum)" "$(seen | sha256sum)"
expect_eq "ls -l through the mount: one line a file, sizes as documented" "19999 7" \
	"$(ls -l "$MNT/d00000" | awk '/^-/ { n++; s += $5 } END { print n, s }')"
umount_wait

# The kernel's requests while find -ls runs by default: READDIRPLUS, and no
# LOOKUP a name.
timeout 60 "$BIN" mount -f -o debug "$IMG" "$MNT" > "$WORK/debug.txt" 2>&1 &
i=0
while ! mountpoint -q "$MNT" && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
find "$MNT" -ls > "$WORK/ls.txt"
umount_wait
wait
expect_eq "find -ls: a line an entry and the root" $((N + 1)) "$(wc -l < "$WORK/ls.txt")"
plus=$(grep -c 'opcode: READDIRPLUS' "$WORK/debug.txt")
lookups=$(grep -c 'opcode: LOOKUP' "$WORK/debug.txt")
check "find -ls: the kernel asked READDIRPLUS ($plus) and not a LOOKUP a name ($lookups)" \
	eval "[ $plus -gt 0 ] && [ $lookups -lt 100 ]"

# With -o readdirplus=auto, a plain find gets the directory's later batches
# without attributes: READDIR requests beside the first READDIRPLUS.
timeout 60 "$BIN" mount -f -o readdirplus=auto,debug "$IMG" "$MNT" > "$WORK/debug2.txt" 2>&1 &
i=0
while ! mountpoint -q "$MNT" && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
find "$MNT" > "$WORK/find.txt"
umount_wait
wait
expect_eq "find (auto): a line an entry and the root" $((N + 1)) "$(wc -l < "$WORK/find.txt")"
plain=$(grep -c 'opcode: READDIR (' "$WORK/debug2.txt")
plus2=$(grep -c 'opcode: READDIRPLUS' "$WORK/debug2.txt")
check "find (auto): plain READDIR batches ($plain) beside READDIRPLUS ($plus2)" \
	eval "[ $plain -gt 0 ]"

# readdirplus= is ours to take out of -o (libfuse's fuse_new() does not know it).
expect_rc "-o readdirplus=maybe: refused, exit 2" 2 "$BIN" mount -o readdirplus=maybe "$IMG" "$MNT"
expect_grep "... saying what it takes" 'readdirplus= takes yes, no or auto' "$ERR"
expect_rc "-o readdirplus= (no value): refused, exit 2" 2 "$BIN" mount -o allow_other,readdirplus= "$IMG" "$MNT"
expect_rc "-o readdirplus (the bare word): refused, exit 2" 2 "$BIN" mount -o readdirplus "$IMG" "$MNT"
timeout 60 "$BIN" mount -f -o debug,readdirplus=no "$IMG" "$MNT" > "$WORK/debug3.txt" 2>&1 &
i=0
while ! mountpoint -q "$MNT" && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
find "$MNT" -ls > "$WORK/ls3.txt"
umount_wait
wait
expect_eq "find -ls with readdirplus=no: a line an entry and the root" $((N + 1)) "$(wc -l < "$WORK/ls3.txt")"
check "... and the kernel never asked READDIRPLUS" \
	eval "[ $(grep -c 'opcode: READDIRPLUS' "$WORK/debug3.txt") = 0 ]"

# basic.img: each file's attributes through the mount equal `stat --json`'s.
need_image basic.img
expect_rc "mount basic.img" 0 timeout 60 "$BIN" mount "$IMAGES/basic.img" "$MNT"
bad=0 n=0
while IFS= read -r -d '' p; do
	rel=/${p#"$MNT"/}
	j=$("$BIN" stat --json "$IMAGES/basic.img" "$rel" 2>/dev/null | python3 -c '
import json, sys
d = json.load(sys.stdin)
print(d["inode"], "%o" % (d["mode"] & 0o7777), d["uid"], d["gid"], d["nlink"],
      d["size"] if d["mode"] & 0o170000 == 0o100000 else "-")')
	s=$(stat -c '%i %a %u %g %h %F %s' "$p" | awk '{ sz = $6 == "regular" ? $NF : "-"
		print $1, $2, $3, $4, $5, sz }')
	n=$((n + 1))
	[ "$j" = "$s" ] || { bad=$((bad + 1)); echo "# $rel: stat --json '$j', mount '$s'"; }
done < <(find "$MNT" -mindepth 1 -print0)
check "basic.img: $n entries through the mount, each as stat --json says" \
	eval "[ $n -gt 0 ] && [ $bad = 0 ]"
umount_wait
done_testing
