#!/usr/bin/env bash
# fs_drec_form.sh - a volume whose flags say its directory records carry no
# name hash while they do (some writers hash on every volume): the library
# reads the root's first records in the unhashed order to tell (fs.c), and
# no node of a sound tree is named, or refused, for not keeping that order.
# A host tree of 250 files gives the root leaves of hashed names (three);
# tests/tools/apsb_unhash.py clears the volume's insensitive bits.  A walk
# that took that order for the tree's looked for records "traded" into
# the next leaf and failed the volume: `ls /` printed no name, exit 1.
. "$(dirname "$0")/../lib.sh"

mkdir "$WORK/host"
for i in $(seq 1 250); do echo y > "$WORK/host/file_$i"; done
WANT=$(cd "$WORK/host" && ls -1 | LC_ALL=C sort)
IMG=$WORK/form.img
expect_rc "mkimage from-dir: 250 files" 0 "$MKIMAGE" from-dir "$IMG" --dir "$WORK/host"
two=$(python3 - "$IMG" "$TESTS/tools" <<'PY'
import sys
sys.path.insert(0, sys.argv[2])
from fsnode import nodes
print(sum(1 for n in nodes(open(sys.argv[1], "rb").read())
          if not n.level and any(n.oid_type(i) == (2, 9) for i in range(n.nkeys))))
PY
)
check "the root's names fill more than one leaf ($two)" [ "${two:-0}" -ge 2 ]
for how in flagged unflagged; do
	if [ "$how" = unflagged ]; then
		expect_eq "apsb_unhash.py: one volume superblock changed" 1 \
			"$(python3 "$TESTS/tools/apsb_unhash.py" "$IMG" | grep -c '^block [0-9]*$')"
	fi
	got=$("$BIN" ls "$IMG" / 2> "$WORK/err"); rc=$?
	expect_eq "$how: ls / exits 0, nothing on stderr" "0 " "$rc $(cat "$WORK/err")"
	expect_eq "$how: ls /: the host's 250 names" "$WANT" "$(printf '%s\n' "$got" | LC_ALL=C sort)"
	expect_eq "$how: cat /file_7" "y" "$("$BIN" cat "$IMG" /file_7 2>&1)"
done
done_testing
