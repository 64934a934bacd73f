#!/usr/bin/env bash
# reports.sh - the reports of issue 13, item 4: --hash wherever we hash,
# bodyfile --fractional, timeline as CSV / JSON lines / DFXML.  Expected
# values come from elsewhere: testdata/README.md ("times": four distinct
# times per entry; "demo"/--unencrypted: the same bytes in the same
# blocks), the host tree an image is built from (md5sum, sha1sum,
# sha256sum), ../shared/images/IMAGES.md and TSK (istat's block lists,
# icat, mactime), and the DFXML schema (xmllint).
. "$(dirname "$0")/../lib.sh"
D=$(mktemp -d "$WORK/reports.XXXXXX") && cd "$D" || exit 1
XSD=$SHARED/schemas/dfxml/dfxml.xsd

valid_dfxml() { # DESC FILE
	if ! command -v xmllint > /dev/null || [ ! -e "$XSD" ]; then
		missing "$1" "xmllint (libxml2-utils) or $XSD missing"; return
	fi
	run_rc xmllint --noout --schema "$XSD" "$2"
	if [ "$RC" = 0 ]; then ok "$1"; else notok "$1"; echo "$ERR" | sed 's/^/#   /' | head; fi
}

# runs.py FILE.dfxml: "path<TAB>kind<TAB>img_offset:len,..." per regular file.
cat > runs.py <<'PY'
import sys, xml.etree.ElementTree as ET
D = '{http://www.forensicswiki.org/wiki/Category:Digital_Forensics_XML}'
A = '{urn:apfsinspect:dfxml:1}'
for fo in ET.parse(sys.argv[1]).getroot().iter(D + 'fileobject'):
    br = fo.find(D + 'byte_runs')
    if br is None:
        continue
    runs = ['%s:%s:%s' % (r.get('img_offset'), r.get('len'), r.get(A + 'encrypted', '0'))
            for r in br.findall(D + 'byte_run')]
    print('%s\t%s\t%s' % (fo.find(D + 'filename').text, br.get(A + 'kind'), ','.join(runs)))
PY
# concat IMAGE RUNS: the bytes of every run (img_offset:len:enc,...) in order.
concat() {
	local img=$1 r off len
	for r in ${2//,/ }; do
		off=${r%%:*} len=${r#*:}; len=${len%%:*}
		tail -c +$((off + 1)) "$img" | head -c "$len"
	done
}

# ---- times: bodyfile --fractional, timeline csv / jsonl (README "times") --
IMG=$D/times.img
expect_rc "mkimage times" 0 "$MKIMAGE" times "$IMG"
b=1767225600
expect_eq "bodyfile --fractional: atime, mtime, ctime, crtime of /times.txt to the ns" \
	"0|/times.txt|16|r/rrw-r--r--|501|20|6|$((b + 4)).400000004|$((b + 2)).200000002|$((b + 3)).300000003|$((b + 1)).100000001" \
	"$("$BIN" bodyfile --fractional "$IMG" | grep '|/times.txt|')"
expect_eq "bodyfile without it keeps TSK's whole seconds" \
	"0|/dir|17|d/drwxr-xr-x|501|20|0|$((b + 14))|$((b + 12))|$((b + 13))|$((b + 11))" \
	"$("$BIN" bodyfile "$IMG" | grep '|/dir|')"
if command -v mactime > /dev/null; then
	"$BIN" bodyfile "$IMG" | mactime -b - -d -y > whole.csv 2>/dev/null
	"$BIN" bodyfile --fractional "$IMG" | mactime -b - -d -y > frac.csv 2>/dev/null
	expect_eq "TSK's mactime reads --fractional: the same 8 events as whole seconds" \
		"8 $(cat whole.csv)" "$(($(wc -l < frac.csv) - 1)) $(cat frac.csv)"
else
	skip "mactime reads --fractional" "sleuthkit not installed"
fi
ns() { echo "$((b + $1))$2"; }
expect_eq "timeline csv: header" \
	"path,inode,type,mode,uid,gid,nlink,size,allocated,flags,compression,created_ns,modified_ns,changed_ns,accessed_ns,added_ns,target" \
	"$("$BIN" timeline "$IMG" | tr -d '\r' | head -1)"
expect_eq "timeline csv: created..added in ns (README table; added = the base)" \
"\"/dir\",17,d,40755,501,20,2,0,0,0,0,$(ns 11 100000001),$(ns 12 200000002),$(ns 13 300000003),$(ns 14 400000004),${b}000000000,
\"/times.txt\",16,r,100644,501,20,1,6,4096,0,0,$(ns 1 100000001),$(ns 2 200000002),$(ns 3 300000003),$(ns 4 400000004),${b}000000000," \
	"$("$BIN" timeline "$IMG" | tr -d '\r' | tail -n +2 | LC_ALL=C sort)"
check "timeline csv: lines end CRLF (RFC 4180)" \
	test "$("$BIN" timeline "$IMG" | grep -c $'\r$')" = 3
expect_eq "timeline jsonl: stat --json's keys, times in ns (README table)" \
	"/times.txt 16 -rw-r--r-- $(ns 1 100000001) $(ns 2 200000002) $(ns 3 300000003) $(ns 4 400000004) ${b}000000000 2026-01-01T00:00:01.100000001Z" \
	"$("$BIN" timeline --format jsonl "$IMG" | python3 -c '
import json, sys
for line in sys.stdin:
    j = json.loads(line)
    if j["path"] == "/times.txt":
        print(j["path"], j["inode"], j["mode_string"], *[j[k + "_ns"] for k in
              ("created", "modified", "changed", "accessed", "added")], j["created"])')"
expect_eq "timeline jsonl: the same keys as stat --json for the same file" "" \
	"$(python3 - <("$BIN" stat --json "$IMG" /times.txt) <("$BIN" timeline --format jsonl "$IMG") <<'PY'
import json, sys
st = json.load(open(sys.argv[1]))
tl = [json.loads(l) for l in open(sys.argv[2])]
tl = [t for t in tl if t["path"] == "/times.txt"][0]
for k in ("inode", "mode", "mode_string", "uid", "gid", "nlink", "size", "allocated", "flags",
          "compression", "created", "modified", "changed", "accessed", "added", "target"):
    if st.get(k) != tl.get(k):
        print(k, st.get(k), tl.get(k))
PY
)"
"$BIN" timeline --format dfxml "$IMG" > times.dfxml
valid_dfxml "timeline dfxml (times) validates against the DFXML schema" times.dfxml
expect_eq "dfxml: crtime, mtime of /times.txt (README table)" \
	"2026-01-01T00:00:01.100000001Z 2026-01-01T00:00:02.200000002Z" \
	"$(python3 -c '
import sys, xml.etree.ElementTree as ET
D = "{http://www.forensicswiki.org/wiki/Category:Digital_Forensics_XML}"
for fo in ET.parse(sys.argv[1]).getroot().iter(D + "fileobject"):
    if fo.find(D + "filename").text == "times.txt":
        print(fo.find(D + "crtime").text, fo.find(D + "mtime").text)' times.dfxml)"
expect_rc "timeline --format xml is refused" 2 "$BIN" timeline --format xml "$IMG"
expect_rc "bodyfile --hash md5,sha1 is refused (one hash field)" 2 \
	"$BIN" bodyfile --hash md5,sha1 "$IMG"
expect_rc "--hash crc32 is refused" 2 "$BIN" stat --hash crc32 "$IMG" /times.txt
expect_rc "--hash on ls is refused" 2 "$BIN" ls --hash md5 "$IMG" /

# ---- hashes against the host tree (from-dir) ------------------------------
mkdir -p src/sub
printf 'times\n' > src/one.txt
head -c 3000000 /dev/urandom > src/sub/three-mb.bin
: > src/empty
head -c 100000 /dev/urandom > src/sub/sparse.bin
truncate -s 9000000 src/sub/sparse.bin
head -c 5000 /dev/urandom >> src/sub/sparse.bin
FD=$D/fromdir.img
expect_rc "mkimage from-dir" 0 "$MKIMAGE" from-dir "$FD" --dir src
host=$( (cd src && find . -type f) | sed 's|^\.||' | LC_ALL=C sort | while read -r f; do
	echo "$f $(md5sum < "src$f" | cut -c1-32) $(sha1sum < "src$f" | cut -c1-40) $(sha256sum < "src$f" | cut -c1-64)"
done)
expect_eq "timeline --hash md5,sha1,sha256: md5sum, sha1sum, sha256sum of the host files" "$host" \
	"$("$BIN" timeline --hash sha256,md5,sha1 "$FD" | python3 -c '
import csv, sys
for r in sorted(csv.DictReader(sys.stdin), key=lambda r: r["path"]):
    if r["type"] == "r":
        print(r["path"], r["md5"], r["sha1"], r["sha256"])')"
expect_eq "stat --hash: the host file's three digests" \
	"md5: $(md5sum < src/sub/three-mb.bin | cut -c1-32) sha1: $(sha1sum < src/sub/three-mb.bin | cut -c1-40) sha256: $(sha256sum < src/sub/three-mb.bin | cut -c1-64)" \
	"$("$BIN" stat --hash md5,sha1,sha256 "$FD" /sub/three-mb.bin | grep -E '^(md5|sha1|sha256): ' | tr '\n' ' ' | sed 's/ $//')"
expect_eq "stat --json --hash sha1: key sha1" "$(sha1sum < src/sub/sparse.bin | cut -c1-40)" \
	"$("$BIN" stat --json --hash sha1 "$FD" /sub/sparse.bin | python3 -c 'import json,sys; print(json.load(sys.stdin)["sha1"])')"
expect_eq "bodyfile --hash sha256: first field = sha256sum" \
	"$(sha256sum < src/sub/three-mb.bin | cut -c1-64)" \
	"$("$BIN" bodyfile --hash sha256 "$FD" | grep '|/sub/three-mb.bin|' | cut -d'|' -f1)"
expect_eq "bodyfile --md5 and --hash md5 agree with md5sum" \
	"$(md5sum < src/one.txt | cut -c1-32) $(md5sum < src/one.txt | cut -c1-32)" \
	"$("$BIN" bodyfile --md5 "$FD" | grep '|/one.txt|' | cut -d'|' -f1) $("$BIN" bodyfile --hash md5 "$FD" | grep '|/one.txt|' | cut -d'|' -f1)"

expect_eq "timeline DIR: only that subtree, paths from the volume's root" \
	"/sub/sparse.bin /sub/three-mb.bin" \
	"$("$BIN" timeline "$FD" /sub/ | tail -n +2 | cut -d, -f1 | tr -d '"' | LC_ALL=C sort | tr '\n' ' ' | sed 's/ $//')"
expect_eq "timeline sub (relative): the same paths" "/sub/sparse.bin /sub/three-mb.bin" \
	"$("$BIN" timeline "$FD" sub | tail -n +2 | cut -d, -f1 | tr -d '"' | LC_ALL=C sort | tr '\n' ' ' | sed 's/ $//')"
expect_rc "timeline of a file is refused (not a directory)" 1 "$BIN" timeline "$FD" /one.txt

# ---- DFXML byte runs: dd them from the image and get what cat returns -------
"$BIN" timeline --format dfxml --hash sha256 "$FD" > fd.dfxml
valid_dfxml "timeline dfxml (from-dir) validates" fd.dfxml
python3 runs.py fd.dfxml > fd.runs
bad=0 n=0
while IFS=$'\t' read -r path kind runs; do
	n=$((n + 1))
	[ "$kind" = data ] || { bad=$((bad + 1)); continue; }
	# the runs hold the data; the holes between them read as zeros
	"$BIN" cat "$FD" "/$path" > cat.out
	concat "$FD" "$runs" > runs.out
	python3 - "$path" "$runs" cat.out runs.out <<'PY' || bad=$((bad + 1))
import sys
path, runs, cat, got = sys.argv[1], sys.argv[2], open(sys.argv[3], 'rb').read(), open(sys.argv[4], 'rb').read()
# file offsets come from the DFXML too: rebuild the file, zeros in the holes
import xml.etree.ElementTree as ET
D = '{http://www.forensicswiki.org/wiki/Category:Digital_Forensics_XML}'
for fo in ET.parse('fd.dfxml').getroot().iter(D + 'fileobject'):
    if fo.find(D + 'filename').text == path:
        size = int(fo.find(D + 'filesize').text)
        out, pos = bytearray(size), 0
        for r in fo.find(D + 'byte_runs').findall(D + 'byte_run'):
            fo_, ln = int(r.get('file_offset')), int(r.get('len'))
            out[fo_:fo_ + ln] = got[pos:pos + ln]
            pos += ln
        sys.exit(0 if bytes(out) == cat and pos == len(got) else 1)
sys.exit(1)
PY
done < fd.runs
expect_eq "dfxml: every file's byte runs, read from the image with the holes as zeros, = cat" \
	"4 0" "$n $bad"
expect_eq "dfxml: the sparse file has two runs, the 9 MB hole between them has none" \
	2 "$(grep '^sub/sparse.bin' fd.runs | cut -f3 | tr ',' '\n' | wc -l)"
expect_eq "dfxml: hashdigest sha256 = sha256sum of the host file" \
	"$(sha256sum < src/sub/three-mb.bin | cut -c1-64)" \
	"$(grep -A40 '<filename>sub/three-mb.bin' fd.dfxml | sed -n "s/.*<hashdigest type='sha256'>\(.*\)<.*/\1/p" | head -1)"

# ---- a real Mac's image: the runs are TSK's blocks (IMAGES.md: GPT, APFS at LBA 40)
BASIC=$IMAGES/basic.img
if [ -e "$BASIC" ] && command -v istat > /dev/null; then
	"$BIN" timeline --format dfxml --hash sha256 "$BASIC" > basic.dfxml
	valid_dfxml "timeline dfxml (basic.img) validates" basic.dfxml
	python3 runs.py basic.dfxml > basic.runs
	expect_eq "basic.img dfxml volume: APFS at byte 20480 (LBA 40), 4096-byte blocks, ACCEPT, its UUID (IMAGES.md); as many fileobjects as fls -r lists" \
		"20480 4096 APFS ACCEPT 369159b9-e53c-4765-a5d8-1678f3ca7779 $(fls -r -o 40 -B 505 "$BASIC" | wc -l)" "$(python3 -c '
import sys, xml.etree.ElementTree as ET
D = "{http://www.forensicswiki.org/wiki/Category:Digital_Forensics_XML}"
A = "{urn:apfsinspect:dfxml:1}"
v = ET.parse(sys.argv[1]).getroot().find(D + "volume")
print(v.find(D + "partition_offset").text, v.find(D + "block_size").text, v.find(D + "ftype_str").text,
      v.get(A + "name"), v.get(A + "uuid").lower(), len(v.findall(D + "fileobject")))' basic.dfxml)"
	# istat BLOCKS TYPE INODE: the block numbers istat lists for that attribute
	blocks() { istat -o 40 -B 505 "$BASIC" "$2" | awk -v t="Type: $1 " '
		index($0, t) == 1 { on = 1; n = 0; delete b; next }
		/^Type: / { if (on) done = 1; on = 0; next }
		on && !done { for (i = 1; i <= NF; i++) b[n++] = $i }
		END { for (i = 0; i < n; i++) printf "%s ", b[i] }'; }
	ours() { grep -P "^$1\t" basic.runs | cut -f3 | tr ',' '\n' | awk -F: '
		{ for (o = $1 - 20480; o < $1 - 20480 + $2; o += 4096) printf "%d ", o / 4096 }'; }
	expect_eq "random.bin: our runs are istat's DATA blocks (97..480)" \
		"$(blocks DATA 23)" "$(ours random.bin)"
	expect_eq "compressed.txt: runs of its resource fork (kind rsrc) = istat's RSRC blocks" \
		"rsrc $(blocks RSRC 32)" "$(grep -P '^compressed.txt\t' basic.runs | cut -f2) $(ours compressed.txt)"
	expect_eq "random.bin: the runs read from the image = icat" \
		"$(icat -o 40 -B 505 "$BASIC" 23 | sha256sum)" \
		"$(concat "$BASIC" "$(grep -P '^random.bin\t' basic.runs | cut -f3)" | sha256sum)"
	expect_eq "compressed.txt: the runs read = TSK's resource fork (icat 32-4353-3), not the data" \
		"$(icat -o 40 -B 505 "$BASIC" 32-4353-3 | sha256sum)" \
		"$(concat "$BASIC" "$(grep -P '^compressed.txt\t' basic.runs | cut -f3)" | sha256sum)"
	# xattrs kept in a stream: ai:xattr's runs, in our namespace
	xruns() { python3 - basic.dfxml "$1" "$2" <<'PY'
import sys, xml.etree.ElementTree as ET
D = '{http://www.forensicswiki.org/wiki/Category:Digital_Forensics_XML}'
A = '{urn:apfsinspect:dfxml:1}'
for fo in ET.parse(sys.argv[1]).getroot().iter(D + 'fileobject'):
    if fo.find(D + 'filename').text == sys.argv[2]:
        for x in fo.findall(A + 'xattr'):
            if x.get('name') == sys.argv[3]:
                print(','.join('%s:%s' % (r.get('img_offset'), r.get('len'))
                               for r in x.findall(A + 'byte_run')))
PY
	}
	blocks_of() { echo "$1" | tr ',' '\n' | awk -F: '
		{ for (o = $1 - 20480; o < $1 - 20480 + $2; o += 4096) printf "%d ", o / 4096 }'; }
	r=$(xruns bigattr.txt com.example.big)
	expect_eq "bigattr.txt: com.example.big's runs are istat's ExATTR blocks" \
		"$(blocks ExATTR 28)" "$(blocks_of "$r")"
	expect_grep "bigattr.txt: those runs read = the value (IMAGES.md f5ddb394…bee964)" \
		'^f5ddb394.*bee964 ' "$(concat "$BASIC" "$r" | sha256sum)"
	r=$(xruns rsrc.txt com.apple.ResourceFork)
	expect_eq "rsrc.txt: its resource fork's runs are istat's RSRC blocks, and read its fork" \
		"$(blocks RSRC 30)|this is the resource fork payload" "$(blocks_of "$r")|$(concat "$BASIC" "$r")"
	expect_grep "a resident xattr is marked so, without runs" \
		"<ai:xattr name='com.apple.provenance' size='11' resident='1'>" "$(cat basic.dfxml)"
	expect_grep "basic.img: hashdigest of random.bin as IMAGES.md's manifest" \
		"$(sed -n 's/.*| random.bin | [0-9]* | [0-7]* | `\([0-9a-f]*\)`.*/\1/p' "$SHARED/images/IMAGES.md" | head -1)" \
		"$(grep -A40 '<filename>random.bin' basic.dfxml | grep -m1 hashdigest)"
	expect_eq "stat --hash on basic.img: md5 and sha1 of TSK's icat" \
		"md5: $(icat -o 40 -B 505 "$BASIC" 32 | md5sum | cut -c1-32) sha1: $(icat -o 40 -B 505 "$BASIC" 32 | sha1sum | cut -c1-40)" \
		"$("$BIN" stat --hash md5,sha1 "$BASIC" /compressed.txt | grep -E '^(md5|sha1):' | tr '\n' ' ' | sed 's/ $//')"
else
	missing "byte runs against TSK on basic.img" "basic.img or sleuthkit missing"
fi

# ---- encrypted: the runs are the ciphertext, at the same place as the plain twin's
expect_rc "mkimage demo" 0 "$MKIMAGE" demo enc.img
expect_rc "mkimage demo --unencrypted" 0 "$MKIMAGE" demo plain.img --unencrypted
"$BIN" timeline --format dfxml --passphrase demo enc.img > enc.dfxml
"$BIN" timeline --format dfxml plain.img > plain.dfxml
valid_dfxml "timeline dfxml (encrypted volume) validates" enc.dfxml
python3 runs.py enc.dfxml > enc.runs
python3 runs.py plain.dfxml > plain.runs
expect_eq "encrypted: every run where the unencrypted twin has it (README --unencrypted)" \
	"$(sed 's/:0\(,\|$\)/\1/g' plain.runs)" "$(sed 's/:1\(,\|$\)/\1/g' enc.runs)"
check "encrypted: every run is marked ai:encrypted" \
	test "$(cut -f3 enc.runs | tr ',' '\n' | grep -c ':0$')" = 0
# multi.bin: 20580 bytes in three extents (the small tree)
pr=$(grep -P '^multi.bin\t' plain.runs | cut -f3) er=$(grep -P '^multi.bin\t' enc.runs | cut -f3)
"$BIN" cat --passphrase demo enc.img /multi.bin > multi.out
expect_eq "encrypted: multi.bin's runs (3) read from the twin = cat; from the encrypted image not (ciphertext)" \
	"3 20580 same differ" \
	"$(echo "$er" | tr ',' '\n' | wc -l) $(wc -c < multi.out) $(cmp -s <(concat plain.img "$pr") multi.out && echo same) $(cmp -s <(concat enc.img "$er") multi.out || echo differ)"
done_testing
