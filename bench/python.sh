#!/usr/bin/env bash
# bench/python.sh - the Python module against the CLI, part of `make bench`
# (issue 15): reading a 1 GiB file of an encrypted volume through the
# module's file object (readinto of 4 MiB into apfsinspect.buffer(), written
# to /dev/null) against
# `apfsinspect cat` of the same file (target: the module at least 0.8 × the
# CLI's speed), and listing the 100,170 entries of `many-files` through the
# module's iterator (FileSystem.walk, names written out; and walk_entries
# with each entry's stat) against `ls -R` and `ls -lR` (target ≥ 0.5 ×).
# Whole processes on both sides: start, open, unlock, the work.  The module
# is installed as a user installs it (make install DESTDIR=, then pip
# --target, with its optional C loop) and run by Debian's python3 with the
# library of this build.  Prints Markdown; speed ratio = CLI time / Python time.
set -u
cd "$(dirname "$0")/.."
B=${B:-build}
BIN=$PWD/$B/apfsinspect MK=$PWD/$B/mkimage
RUNS=${RUNS:-7}
W=$(mktemp -d "${TMPDIR:-/tmp}/apfsinspect-pybench.XXXXXX")
trap 'rm -rf "$W"' EXIT
. bench/lib.sh
PY=/usr/bin/python3
make -s B="$B" DESTDIR="$W/dest" install > /dev/null
cp -r python "$W/src"
PKG_CONFIG_PATH=$W/dest/usr/local/lib/pkgconfig PKG_CONFIG_SYSROOT_DIR=$W/dest \
	PIP_NO_CACHE_DIR=1 $PY -m pip install -q --no-index --no-build-isolation --target "$W/py" "$W/src" > /dev/null 2>&1
export PYTHONPATH=$W/py APFSINSPECT_LIBRARY=$PWD/$B/libapfsinspect.so.1
BIG_MB=${BIG_MB:-1024}

cat > "$W/read.py" <<'PY'
import os, sys, time, apfsinspect
img, vol, pw, path = sys.argv[1:5]
with apfsinspect.open(img) as im:
    v = im.select_volume(vol)
    if pw:
        v.unlock(password=pw)
    with v.open_fs() as fs, fs.open(path) as f:
        t0 = time.perf_counter()
        mv = buf = apfsinspect.buffer(4 << 20)
        out = os.open(os.devnull, os.O_WRONLY)
        while n := f.readinto(buf):
            os.write(out, mv[:n])
        if len(sys.argv) > 5:  # the read alone, in ms, for the read-only row
            print("%.1f" % ((time.perf_counter() - t0) * 1000))
PY
cat > "$W/list.py" <<'PY'
import sys, apfsinspect
img, how = sys.argv[1:3]
out = sys.stdout
with apfsinspect.open(img) as im, im.select_volume().open_fs() as fs:
    if how == "walk":
        for dirpath, dirs, files in fs.walk("/"):
            out.write("%s:\n" % dirpath)
            out.write("".join(n + "\n" for n in dirs + files))
    else:  # each entry's attributes, read with the listing
        for dirpath, dirs, files in fs.walk_entries("/", stat=True):
            out.write("%s:\n" % dirpath)
            for e in dirs + files:
                s = e.stat()
                out.write("%o %d %d %d %s\n" % (s.st_mode, s.st_uid, s.st_gid, s.st_size, e.name))
PY
# CPU time (user + system, ms) of one run, from the kernel's rusage of the
# child: what a busy machine changes least (wall time waits for the cores).
cat > "$W/cpu.py" <<'PY'
import os, sys
null = os.open(os.devnull, os.O_WRONLY)
pid = os.posix_spawnp(sys.argv[1], sys.argv[1:], os.environ,
                      file_actions=[(os.POSIX_SPAWN_DUP2, null, 1), (os.POSIX_SPAWN_DUP2, null, 2)])
_, _, ru = os.wait4(pid, 0)
print("%.1f" % ((ru.ru_utime + ru.ru_stime) * 1000))
PY
cpu() {
	local i
	for ((i = 0; i < RUNS; i++)); do $PY "$W/cpu.py" "$@"; done | sort -n |
		awk -v n="$RUNS" 'NR == int(n / 2) + 1'
}
row4() { printf '| %s | %s | %s | %s |\n' "$@"; }
# A row: what, a target text; the commands in the arrays CL (CLI) and PC (Python).
pair() {
	local c p cc pc
	c=$(med "${CL[@]}") p=$(med "${PC[@]}") cc=$(cpu "${CL[@]}") pc=$(cpu "${PC[@]}")
	row4 "$1" "$c ($cc)" "$p ($pc)" "$(ratio "$c" "$p") × wall$2; $(ratio "$cc" "$pc") × CPU"
}

echo "## Python module (issue 15)"
echo
echo "$(nproc) cores; load average at the start: $(cut -d' ' -f1-3 /proc/loadavg); RUNS=$RUNS medians;"
echo "$($PY --version), ctypes$(ls "$W"/py/apfsinspect/_speedups*.so > /dev/null 2>&1 && echo " and the C loop of walk()").  Speed ratio = CLI time / Python time, by wall time (the"
echo "target) and by CPU time (user + system), which a busy machine changes least."
echo
echo "| what | CLI ms (CPU ms) | Python ms (CPU ms) | speed ratio |"
echo "|---|---|---|---|"
if "$MK" bench "$W/bench.img" --big-size $((BIG_MB << 20)) > /dev/null 2>&1; then
	cat "$W/bench.img" > /dev/null
	CL=("$BIN" cat --volume Secret --passphrase bench-password "$W/bench.img" /big.bin)
	PC=($PY "$W/read.py" "$W/bench.img" Secret bench-password /big.bin)
	pair "read $BIG_MB MiB of an encrypted volume: file object (readinto 4 MiB) vs \`cat\`" "; target ≥ 0.8"
	# The read alone: whole processes also time Python's own start (35-45 ms
	# here, before the module loads), where cat's whole 1 GiB takes 60-90 ms.
	# Python: the readinto loop timed inside the script; cat: its time less
	# that of a cat of /small (same image, open and unlock).
	PR=$(for ((i = 0; i < RUNS; i++)); do "${PC[@]}" ms; done | sort -n |
		awk -v n="$RUNS" 'NR == int(n / 2) + 1')
	CS=$(med "$BIN" cat --volume Secret --passphrase bench-password "$W/bench.img" /small)
	CR=$(awk -v a="$(med "${CL[@]}")" -v b="$CS" 'BEGIN { printf "%.1f", a - b }')
	row4 "the read alone (encrypted): the readinto loop in Python vs \`cat\` less a \`cat\` of /small ($CS ms)" \
		"$CR" "$PR" "$(ratio "$CR" "$PR") × wall"
	CL=("$BIN" cat --volume Plain "$W/bench.img" /big.bin)
	PC=($PY "$W/read.py" "$W/bench.img" Plain "" /big.bin)
	pair "read $BIG_MB MiB of a plain volume: file object vs \`cat\`" ""
	rm -f "$W/bench.img"
else
	row4 "read $BIG_MB MiB" "-" "-" "mkimage bench failed"
fi
"$MK" many-files "$W/many.img" > /dev/null
CL=("$BIN" ls -R "$W/many.img" /) PC=($PY "$W/list.py" "$W/many.img" walk)
pair "list 100,170 entries: \`walk()\` vs \`ls -R\`" "; target ≥ 0.5"
CL=("$BIN" ls -lR "$W/many.img" /) PC=($PY "$W/list.py" "$W/many.img" stat)
pair "list 100,170 entries with stats: \`walk_entries(stat=True)\` vs \`ls -lR\`" ""
P=$(med $PY -c 'import apfsinspect') PP=$(cpu $PY -c 'import apfsinspect')
row4 "\`python3 -c 'import apfsinspect'\` (in every Python time above)" "" "$P ($PP)" ""
P=$(med $PY -c pass) PP=$(cpu $PY -c pass)
row4 "\`python3 -c pass\`: the interpreter's own start, of that" "" "$P ($PP)" ""
echo
