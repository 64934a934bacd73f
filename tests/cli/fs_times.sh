#!/usr/bin/env bash
# fs_times.sh - every time column in its place (issue 18): `mkimage times`
# gives a file and a directory four times that differ in seconds and in
# nanoseconds (testdata/README.md, "times").  stat, ls --json and bodyfile
# are compared with that table and with TSK (istat, fls -m); libfsapfs too,
# for the times it does not swap.
. "$(dirname "$0")/../lib.sh"
cd "$WORK" || exit 1

IMG=$WORK/times.img
expect_rc "mkimage times" 0 "$MKIMAGE" times "$IMG"
base=1767225600
t() { printf '2026-01-01T00:00:%02d.%09dZ' "$1" "$2"; }
file_times="$(t 1 100000001) $(t 2 200000002) $(t 3 300000003) $(t 4 400000004)"
dir_times="$(t 11 100000001) $(t 12 200000002) $(t 13 300000003) $(t 14 400000004)"
json_times() { python3 -c '
import json, sys
j = json.load(sys.stdin)
j = j[0] if isinstance(j, list) else j
print(" ".join(j[k] for k in ("created", "modified", "changed", "accessed")))'; }

expect_eq "stat --json /times.txt: created, modified, changed, accessed (README)" "$file_times" \
	"$("$BIN" stat --json "$IMG" /times.txt | json_times)"
expect_eq "stat --json /dir: the four times (README)" "$dir_times" \
	"$("$BIN" stat --json "$IMG" /dir | json_times)"
expect_eq "ls --json /times.txt: the four times (README)" "$file_times" \
	"$("$BIN" ls --json "$IMG" / | python3 -c '
import json, sys
for e in json.load(sys.stdin)["entries"]:
    if e["name"] == "times.txt":
        print(" ".join(e[k] for k in ("created", "modified", "changed", "accessed")))')"
run_rc "$BIN" stat "$IMG" /times.txt
for w in "created: $(t 1 100000001)" "modified: $(t 2 200000002)" \
	 "changed: $(t 3 300000003)" "accessed: $(t 4 400000004)"; do
	expect_grep "stat text: ${w%%:*} in its row" "^$w\$" "$OUT"
done

# bodyfile: MD5|name|inode|mode|uid|gid|size|atime|mtime|ctime|crtime (TSK's order).
expect_eq "bodyfile: atime, mtime, ctime, crtime of /times.txt (README)" \
	"0|/times.txt|16|r/rrw-r--r--|501|20|6|$((base + 4))|$((base + 2))|$((base + 3))|$((base + 1))" \
	"$("$BIN" bodyfile "$IMG" | grep '|/times.txt|')"

if command -v fls > /dev/null && command -v istat > /dev/null; then
	apsb=$(pstat "$IMG" | sed -n 's/.*APSB Block Number: *\([0-9]*\).*/\1/p' | head -1)
	expect_eq "bodyfile equals TSK's fls -m line for line" \
		"$(fls -r -m / -B "$apsb" "$IMG" | sort)" "$("$BIN" bodyfile "$IMG" | sort)"
	ist=$(istat -B "$apsb" "$IMG" 16)
	expect_eq "TSK istat agrees with the README, to the nanosecond" \
		"2026-01-01 00:00:01.100000001|2026-01-01 00:00:02.200000002|2026-01-01 00:00:03.300000003|2026-01-01 00:00:04.400000004" \
		"$(printf '%s\n' "$ist" | awk -F'\t+' '/^Created:/ { c = $2 } /^Content Modified:/ { m = $2 }
			/^Attributes Modified:/ { a = $2 } /^Accessed:/ { x = $2 }
			END { gsub(/ \(UTC\)/, "", c); gsub(/ \(UTC\)/, "", m); gsub(/ \(UTC\)/, "", a);
			      gsub(/ \(UTC\)/, "", x); print c "|" m "|" a "|" x }')"
else
	skip "TSK checks" "sleuthkit not installed"
fi

SHIM_SRC=${SHARED:-../shared}/tools/fsapfs-openssl3-shim.c
if command -v fsapfsinfo > /dev/null && cc -O2 -shared -fPIC -o shim.so "$SHIM_SRC" -ldl -lcrypto 2>/dev/null; then
	lib=$(LD_PRELOAD=$PWD/shim.so fsapfsinfo -F /times.txt "$IMG" 2>&1)
	# libfsapfs 20201107 shows create_time as "Modification time" and mod_time
	# as "Creation time"; its change and access times are the fields' own.
	expect_grep "libfsapfs: inode change time" "Inode change time[[:space:]]*: $(t 3 300000003)" "$lib"
	expect_grep "libfsapfs: access time" "Access time[[:space:]]*: $(t 4 400000004)" "$lib"
	expect_grep "libfsapfs: its 'Modification time' is create_time (its swap)" \
		"Modification time[[:space:]]*: $(t 1 100000001)" "$lib"
else
	skip "libfsapfs checks" "fsapfsinfo or the OpenSSL 3 shim unavailable"
fi
done_testing
