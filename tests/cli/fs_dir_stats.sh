#!/usr/bin/env bash
# fs_dir_stats.sh - directory statistics (INODE_MAINTAIN_DIR_STATS) in both
# of their layouts: `mkimage dir-stats` keeps /dir's in a DIR_STATS record named
# by the inode's 8-byte field, /dir/sub's in the inode's 32-byte field.  The
# counts must agree with the tree itself: the entries ls lists and the sizes
# of every file below (testdata/README.md gives how they were counted).
. "$(dirname "$0")/../lib.sh"
img=$WORK/dir-stats.img
expect_rc "mkimage dir-stats" 0 "$MKIMAGE" dir-stats "$img"

# Files below a directory, each name once (hard links count as files here).
tree_size() { "$BIN" ls -l -R -a "$img" "$1" | awk '$1 ~ /^-/ { s += $5 } END { print s + 0 }'; }
entries() { "$BIN" ls -a "$img" "$1" | wc -l; }
json_ds() { "$BIN" stat --json "$img" "$1" | python3 -c '
import json, sys
d = json.load(sys.stdin)["dir_stats"]
print("none" if d is None else "%d %d %s" % (d["num_children"], d["total_size"], d["origin"]))'; }

# The values testdata/README.md gives, counted by hand from the tree.
expect_eq "/dir: 3 children, 19 bytes (README)" "3 19 True" "$(json_ds /dir)"
expect_eq "/dir/sub: 1 child, 5 bytes (README)" "1 5 True" "$(json_ds /dir/sub)"
for d in /dir /dir/sub; do
	expect_eq "$d: dir stats agree with the tree (children, bytes, origin)" \
		"$(entries "$d") $(tree_size "$d") True" "$(json_ds "$d")"
	run_rc "$BIN" stat "$img" "$d"
	expect_grep "$d: text form" "^dir stats: $(entries "$d") children, $(tree_size "$d") bytes, " "$OUT"
done
expect_eq "the root keeps none" none "$(json_ds /)"
run_rc "$BIN" stat "$img" /
expect_eq "stat /: exit 0" 0 "$RC"
expect_grep "stat /: it printed the inode" '^inode: 2$' "$OUT"
expect_eq "no dir stats line without them" 0 "$(grep -c '^dir stats:' <<< "$OUT")"
done_testing
