#!/usr/bin/env bash
# fs_dir_stats.sh - directory statistics (INODE_MAINTAIN_DIR_STATS) as macOS
# keeps them: `mkimage dir-stats` makes /dir their origin, its 8-byte field
# naming a DIR_STATS record, and /dir/sub a member sharing that record.  The
# counts must agree with the tree itself: every entry ls -R lists below /dir
# and the sizes of every file below (testdata/README.md gives how they were
# counted).
. "$(dirname "$0")/../lib.sh"
img=$WORK/dir-stats.img
expect_rc "mkimage dir-stats" 0 "$MKIMAGE" dir-stats "$img"

# Files below a directory, each name once (hard links count as files here).
tree_size() { "$BIN" ls -l -R -a "$img" "$1" | awk '$1 ~ /^-/ { s += $5 } END { print s + 0 }'; }
entries() { "$BIN" ls -l -R -a "$img" "$1" | grep -c '^[-dl]'; }
json_ds() { "$BIN" stat --json "$img" "$1" | python3 -c '
import json, sys
d = json.load(sys.stdin)["dir_stats"]
print("none" if d is None else "%d %d %s" % (d["num_children"], d["total_size"], d["origin"]))'; }

# The values testdata/README.md gives, counted by hand from the tree.
expect_eq "/dir: 4 entries below, 19 bytes, the origin (README)" "4 19 True" "$(json_ds /dir)"
expect_eq "/dir/sub: /dir's record, not an origin (README)" "4 19 False" "$(json_ds /dir/sub)"
expect_eq "/dir: dir stats agree with the tree (entries, bytes below)" \
	"$(entries /dir) $(tree_size /dir) True" "$(json_ds /dir)"
for d in /dir /dir/sub; do
	run_rc "$BIN" stat "$img" "$d"
	expect_grep "$d: text form" "^dir stats: $(entries /dir) children, $(tree_size /dir) bytes, " "$OUT"
done
expect_eq "the root keeps none" none "$(json_ds /)"
run_rc "$BIN" stat "$img" /
expect_eq "stat /: exit 0" 0 "$RC"
expect_grep "stat /: it printed the inode" '^inode: 2$' "$OUT"
expect_eq "no dir stats line without them" 0 "$(grep -c '^dir stats:' <<< "$OUT")"
done_testing
