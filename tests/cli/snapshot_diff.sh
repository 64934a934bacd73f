#!/usr/bin/env bash
# snapshot_diff.sh - `diff` between snapshot `before` and the live tree of the
# snapshot-diff scenario lists exactly the changes the generator was told to
# make (testdata/README.md "snapshot-diff", written down there, not taken
# from our output); TSK (fls/istat/icat -S, which read both states of these
# images) gives the same added, removed, renamed inodes and the same
# content, mode, owner, size, time and xattr changes; the encrypted twin
# gives the same list once unlocked; hostile names stay one line.
. "$(dirname "$0")/../lib.sh"

S=$WORK/sd.img
expect_rc "mkimage snapshot-diff" 0 "$MKIMAGE" snapshot-diff "$S"

# The list README documents, in inode order (16 ... 32; the root is 2).
expected='M nlink /
M content /edit.txt
M size,content /grow.txt
M mode /mode.txt
M uid /owner.txt
X ~com.example.change /xattrs.txt
X -com.example.drop /xattrs.txt
X +com.example.new /xattrs.txt
R file /old-name.txt /new-name.txt
M nlink /dir
R file /dir/moved.txt /moved.txt
M added /moved.txt
D file /gone.txt
M modified,changed /times.txt
M links /hard-a.txt
A file /added.txt
A file /forge\nD\ file\ /same.txt'
expect_rc "diff --live before" 0 "$BIN" diff --live "$S" before
expect_eq "diff --live lists exactly README's changes" "$expected" "$OUT"
run_rc "$BIN" diff --live "$S" 2
expect_eq "a snapshot named by its xid (2) gives the same" "$expected" "$OUT"
expect_rc "a snapshot against itself" 0 "$BIN" diff "$S" before 2
expect_eq "... differs in nothing" "" "$OUT"

# ---- the byte cap: files beyond it are judged by their extents ----
run_rc "$BIN" diff --live --max-file-size 4 "$S" before
expect_grep "--max-file-size 4: same.txt (5 bytes, new blocks) is judged by its extents" \
	'^M content /same.txt$' "$OUT"
run_rc "$BIN" diff --json --live --max-file-size 4 "$S" before
expect_grep "... and says so: content_compared extents" \
	'"inode": 16,.*"content_compared": "extents"' "$OUT"
expect_grep "... an embedded xattr's SHA-256 is given all the same" \
	"\"sha256_before\": \"$(printf 'old value' | sha256sum | cut -c1-64)\"" "$OUT"

# ---- JSON lines ---------------------------------------------------------------
expect_rc "diff --json" 0 "$BIN" diff --json --live "$S" before
printf '%s\n' "$OUT" >"$WORK/diff.jsonl"
sha() { printf '%s' "$1" | sha256sum | cut -c1-64; }
check_json() {
	python3 - "$WORK/diff.jsonl" "$(sha 'old value')" "$(sha 'new value')" "$(sha drop)" \
		"$(sha new)" <<'PY'
import json, sys
rows = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
old, new, drop, added = sys.argv[2:6]
by = {r["inode"]: r for r in rows}
x = {e["name"]: e for e in by[21]["xattrs"]}
checks = [
    len(rows) == 14,
    [r["code"] for r in rows] == list("MMMMMMRMRDMMAA"),
    by[24]["fields"] == ["path", "added"] and by[24]["after"]["added"] == "2026-01-02T00:00:00.000000000Z"
    and by[24]["before"]["added"] == "2026-01-01T00:00:00.000000000Z",
    by[19]["before"]["mode"] == 0o100644 and by[19]["after"]["mode"] == 0o100600,
    by[20]["before"]["uid"] == 501 and by[20]["after"]["uid"] == 0,
    by[18]["before"]["size"] == 6 and by[18]["after"]["size"] == 11,
    by[22]["old_path"] == "/old-name.txt" and by[22]["path"] == "/new-name.txt",
    by[24]["old_path"] == "/dir/moved.txt" and by[24]["path"] == "/moved.txt",
    by[25]["path"] == "/gone.txt" and "after" not in by[25],
    by[32]["path"] == "/forge\nD file /same.txt",
    by[27]["fields"] == ["links"] and by[27]["before"]["links"] == ["/hard-a.txt", "/hard-b.txt"]
    and by[27]["after"]["links"] == ["/hard-a.txt", "/hard-c.txt"],
    x["com.example.change"]["sha256_before"] == old,
    x["com.example.change"]["sha256_after"] == new,
    x["com.example.drop"]["sha256_before"] == drop and "sha256_after" not in x["com.example.drop"],
    x["com.example.new"]["sha256_after"] == added,
    by[26]["after"]["modified"] == "2026-01-02T00:00:00.000000000Z",
    by[17]["content_compared"] == "bytes",
]
bad = [i for i, c in enumerate(checks) if not c]
print("bad checks: %s" % bad if bad else "ok")
PY
}
expect_eq "JSON lines: codes, before/after, paths, xattr SHA-256s (sha256sum's)" "ok" \
	"$(check_json 2>&1)"

# ---- TSK as the peer ------------------------------------------------------------
tsk_diff() { # IMG APSB: canonical "CODE INODE [FIELD]" lines from fls/istat/icat
	python3 - "$1" "$2" <<'PY'
import subprocess, sys
img, apsb = sys.argv[1], sys.argv[2]
def run(args):
    return subprocess.run(args, capture_output=True, timeout=20).stdout
def snap(s):
    return ["-S", "2"] if s else []
def fls(s):  # inode -> its names (two for a hard-linked file)
    out = {}
    for line in run(["fls", "-r", "-p", "-B", apsb] + snap(s) + [img]).splitlines():
        meta, path = line.split(b":\t", 1)
        out.setdefault(int(meta.split()[1]), set()).add(path)
    return out
def istat(s, ino):
    f, xa = {}, {}
    for line in run(["istat", "-B", apsb] + snap(s) + [img, str(ino)]).decode().splitlines():
        k, _, v = line.partition(":")
        f.setdefault(k.strip(), v.strip())  # the first "Type:" is the inode's
        if "ExATTR" in line:
            tid, name = line.split("(")[1].split(")")[0], line.split("Name: ")[1].split()[0]
            xa[name] = run(["icat", "-B", apsb] + snap(s) + [img, "%d-%s" % (ino, tid)])
    return f, xa
a, b = fls(True), fls(False)
lines = ["A %d" % i for i in b if i not in a] + ["D %d" % i for i in a if i not in b]
keys = {"mode": "Mode", "uid": "owner / group", "size": "Size", "nlink": "Number of Links",
        "created": "Created", "modified": "Content Modified", "changed": "Attributes Modified",
        "accessed": "Accessed", "added": "Date Added"}
for i in sorted(set(a) & set(b)):
    if a[i] != b[i]:
        lines.append("R %d" % i if len(a[i]) == len(b[i]) == 1 else "M %d links" % i)
    (fa, xa), (fb, xb) = istat(True, i), istat(False, i)
    lines += ["M %d %s" % (i, k) for k, t in keys.items() if fa.get(t) != fb.get(t)]
    if fa.get("Type") == "Regular File" and \
       run(["icat", "-B", apsb, "-S", "2", img, str(i)]) != run(["icat", "-B", apsb, img, str(i)]):
        lines.append("M %d content" % i)
    lines += ["X %d %s%s" % (i, "+" if n not in xa else "-" if n not in xb else "~", n)
              for n in set(xa) | set(xb) if xa.get(n) != xb.get(n)]
print("\n".join(sorted(lines)))
PY
}
ours_canon() { # the same form from our JSON, for the inodes fls lists (not the root)
	python3 - "$WORK/diff.jsonl" <<'PY'
import json, sys
out = []
for l in open(sys.argv[1]):
    r = json.loads(l)
    i = r["inode"]
    if i == 2:
        continue
    if r["code"] in "ADR":
        out.append("%s %d" % (r["code"], i))
    for f in r.get("fields", []):
        # istat shows no flags, and no link count for directories
        if f not in ("path", "xattrs", "flags", "type") and (f, r["type"]) != ("nlink", "dir"):
            out.append("M %d %s" % (i, f))
    out += ["X %d %s%s" % (i, {"added": "+", "removed": "-", "changed": "~"}[x["change"]],
                           x["name"]) for x in r.get("xattrs", [])]
print("\n".join(sorted(out)))
PY
}
if ! command -v fls >/dev/null || ! command -v istat >/dev/null || ! command -v icat >/dev/null
then
	skip "TSK's view of the same changes" "sleuthkit not installed"
else
	APSB=$(timeout 20 pstat "$S" 2>/dev/null | sed -n 's/.*APSB Block Number: \([0-9]*\).*/\1/p' |
		head -1)
	tsk=$(tsk_diff "$S" "${APSB:-0}" 2>&1)
	expect_eq "TSK (fls/istat/icat -S 2) sees the same changes" "$tsk" "$(ours_canon 2>&1)"
	check "... and TSK's list is the whole one (17 lines)" [ "$(printf '%s\n' "$tsk" | wc -l)" = 17 ]
fi

# ---- apfsck accepts the scenario (it is a sound APFS image) ----------------------
src=$SHARED/tools/apfsprogs-0.2.1 CK=
if [ -d "$src" ] && cp -r "$src" "$WORK/apfsprogs" && chmod -R u+w "$WORK/apfsprogs" &&
	make -s -C "$WORK/apfsprogs/apfsck" >"$WORK/apfsck.log" 2>&1; then
	CK=$WORK/apfsprogs/apfsck/apfsck
	expect_rc "apfsck 0.2.1 finds snapshot-diff clean" 0 "$CK" "$S"
else
	missing "apfsck on snapshot-diff" "apfsprogs 0.2.1 not found or not built under $src"
fi

# ---- the older snapshot scenario: a file rewritten with the same bytes is unchanged -----
expect_rc "mkimage snapshot" 0 "$MKIMAGE" snapshot "$WORK/snap.img"
expect_rc "diff --live on snapshot" 0 "$BIN" diff --live "$WORK/snap.img" before
expect_eq "snapshot: a.txt changed, gone.txt removed, new.txt added; keep.txt (new blocks, same bytes) not" \
	"M content /a.txt
D file /gone.txt
A file /new.txt" "$OUT"

# ---- snapshot-many: 100,000 files each side, the four README lists ----
expect_rc "mkimage snapshot-many" 0 "$MKIMAGE" snapshot-many "$WORK/sm.img"
expect_rc "diff --live on snapshot-many" 0 "$BIN" diff --live "$WORK/sm.img" before
expect_eq "snapshot-many: exactly the four changes (and the two directories' child counts)" \
	"M content /d000/f00000.txt
M nlink /d001
D file /d001/f01000.txt
R file /d050/f50500.txt /d050/renamed.txt
M nlink /d099
A file /d099/added.txt" "$OUT"
rm -f "$WORK/sm.img"

# ---- group-firmlinks: System's boot snapshot against its live tree (README there:
# boot-marker.txt "booted snapshot\n" -> "live tree\n", live-only.txt only live) ----
expect_rc "mkimage group-firmlinks" 0 "$MKIMAGE" group-firmlinks "$WORK/gf.img"
expect_rc "diff System's boot snapshot (xid 2) against its live tree" 0 \
	"$BIN" diff --volume 1 --live "$WORK/gf.img" 2
expect_eq "group-firmlinks: boot-marker.txt changed, live-only.txt added (the root: one more child)" \
	"M nlink /
M size,content /boot-marker.txt
A file /live-only.txt" "$OUT"

# ---- encrypted ----------------------------------------------------------------------
E=$WORK/sde.img
expect_rc "mkimage snapshot-diff-encrypted" 0 "$MKIMAGE" snapshot-diff-encrypted "$E"
check "its file data is encrypted (no plain 'version 1' in it)" \
	bash -c "! grep -q 'version 1' '$E'"
expect_rc "encrypted: diff with the password" 0 "$BIN" diff --live --passphrase diff "$E" before
expect_eq "encrypted: the same list" "$expected" "$OUT"
expect_rc "encrypted: no credential: locked (3)" 3 "$BIN" diff --live "$E" before </dev/null
expect_rc "encrypted: a wrong password (3)" 3 "$BIN" diff --live --passphrase nope "$E" before
check "the password is not echoed" bash -c "! printf '%s' \"\$1\" | grep -q diff" _ "$ERR"
# Its --unencrypted twin (same keys drawn, encryption off): the same list, and apfsck,
# which cannot look inside an encrypted volume, finds that layout clean.
expect_rc "mkimage snapshot-diff-encrypted --unencrypted" 0 \
	"$MKIMAGE" snapshot-diff-encrypted "$WORK/sdu.img" --unencrypted
run_rc "$BIN" diff --live "$WORK/sdu.img" before
expect_eq "its --unencrypted twin: the same list" "$expected" "$OUT"
if [ -n "$CK" ]; then
	expect_rc "apfsck finds the --unencrypted twin clean" 0 "$CK" "$WORK/sdu.img"
else
	missing "apfsck on the --unencrypted twin" "apfsprogs 0.2.1 not built"
fi

# ---- usage and output errors ------------------------------------------------------------
expect_rc "--live with two snapshots: usage (2)" 2 "$BIN" diff --live "$S" before 2
expect_rc "one snapshot without --live: usage (2)" 2 "$BIN" diff "$S" before
expect_rc "an unknown snapshot: usage (2)" 2 "$BIN" diff --live "$S" nosuch
expect_rc "--live on another command is refused (2)" 2 "$BIN" ls --live "$S"
expect_rc "output to a full disk stops with 1" 1 bash -c '"$1" diff --live "$2" before >/dev/full' \
	_ "$BIN" "$S"
expect_grep "... and says so" "No space left|write error" "$ERR"
done_testing
