#!/usr/bin/env bash
# names_hostile_reports.sh - names are data in the timeline's formats too
# (issue 13, items 1 and 4): `mkimage names` (testdata/README.md "names")
# holds names with newline, tab, CR, '|', '\', '"', ESC, BEL, DEL, a C1
# control, invalid UTF-8, 255 bytes and one that reads as a forged record.
# CSV is read back with Python's csv module (RFC 4180), JSON lines with its
# json module, DFXML with xmllint against the schema and ElementTree; each
# must give every name of README's table back, byte for byte, one record per
# entry, and no raw control byte may reach the output.
. "$(dirname "$0")/../lib.sh"
D=$(mktemp -d "$WORK/names-rep.XXXXXX") && cd "$D" || exit 1
export LC_ALL=C.UTF-8
XSD=$SHARED/schemas/dfxml/dfxml.xsd

IMG=$WORK/names-rep.img
expect_rc "mkimage names" 0 "$MKIMAGE" names "$IMG"
NTREE=18

# README's names, as bytes, with their paths.
cat > expected.py <<'PY'
NAMES = [b"new\nline.txt", b"tab\there.txt", b"cr\rname.txt", b"pipe|name.txt",
         b"back\\slash.txt", b"esc\x1b[31mred.txt", b"bell\x07.txt", b"del\x7f.txt",
         b"bad\xff\xfeutf8.txt", b"c1\xc2\x9b31m.txt", b"space name.txt", b'quote"name.txt',
         b"innocent.txt\n0|/FORGED|99|r/rrw-r--r--|0|0|0|1234567890|1234567890|1234567890|1234567890",
         b"L" * 251 + b".txt", b"link-nl", b"xattr.txt", b"dir\nnl"]
PATHS = sorted([b"/" + n for n in NAMES] + [b"/dir\nnl/inner.txt"])
import re
def unescape(s):
    """The rule of timeline --help: \\xNN is byte NN, everything else UTF-8."""
    out, i, b = bytearray(), 0, s.encode()
    while i < len(b):
        if b[i:i + 2] == b"\\x":
            out.append(int(b[i + 2:i + 4], 16)); i += 4
        else:
            out.append(b[i]); i += 1
    return bytes(out)
PY

# ---- CSV ------------------------------------------------------------------
"$BIN" timeline --hash sha256 "$IMG" > t.csv
expect_eq "csv: a header and one CRLF line per entry, no other line break" \
	"$((NTREE + 1)) $((NTREE + 1)) 0" \
	"$(python3 -c '
import sys
b = open(sys.argv[1], "rb").read()
print(b.count(b"\r\n"), b.count(b"\n"), b.replace(b"\r\n", b"").count(b"\r"))' t.csv)"
check "csv: no ESC, BEL or other C0 control but the CRLFs" \
	python3 -c 'import sys, re; b = open(sys.argv[1], "rb").read().replace(b"\r\n", b""); sys.exit(bool(re.search(rb"[\x00-\x1f\x7f]", b)))' t.csv
expect_eq "csv: python's csv reads $NTREE records of 18 fields, the paths are README's names" \
	"True True" "$(python3 -c '
import csv, sys
sys.path.insert(0, ".")
from expected import PATHS, unescape
rows = list(csv.reader(open("t.csv", newline="", encoding="utf-8", errors="strict")))
print(all(len(r) == 18 for r in rows), sorted(unescape(r[0]) for r in rows[1:]) == PATHS)')"
expect_eq "csv: every regular file's sha256 is that of x\\n (README), 16 of them" \
	"16 $(printf 'x\n' | sha256sum | cut -c1-64)" "$(python3 -c '
import csv
rows = [r for r in csv.DictReader(open("t.csv", newline="")) if r["type"] == "r"]
print(len(rows), " ".join(sorted(set(r["sha256"] for r in rows))))')"
expect_eq "csv: the symlink target, unescaped, is target\\nline" "b'target\\nline'" \
	"$(python3 -c '
import csv, sys
sys.path.insert(0, ".")
from expected import unescape
print([unescape(r["target"]) for r in csv.DictReader(open("t.csv", newline="")) if r["path"] == "/link-nl"][0])')"
check "csv: no record for the forged /FORGED, no time 1234567890" \
	python3 -c '
import csv, sys
rows = list(csv.reader(open("t.csv", newline="")))
sys.exit(any(r[0] == "/FORGED" or "1234567890" in r[11:16] for r in rows))'

# ---- JSON lines -------------------------------------------------------------
"$BIN" timeline --format jsonl "$IMG" > t.jsonl
expect_eq "jsonl: one line per entry" $NTREE "$(wc -l < t.jsonl)"
check "jsonl: no raw control byte" \
	python3 -c 'import sys, re; sys.exit(bool(re.search(rb"[\x00-\x09\x0b-\x1f\x7f]", open(sys.argv[1], "rb").read())))' t.jsonl
# README: a byte that is not UTF-8 is \u00XX of its value; the rest exactly.
expect_eq "jsonl: python's json reads every line; the paths are README's names" True \
	"$(python3 -c '
import json, re, sys
sys.path.insert(0, ".")
from expected import PATHS
def as_json(b):  # README: valid UTF-8 as it is, a byte that is not as U+00XX
    s = b.decode("utf-8", "surrogateescape")
    return re.sub("[\udc80-\udcff]", lambda m: chr(ord(m.group()) - 0xdc00), s)
got = sorted(json.loads(l)["path"] for l in open("t.jsonl", encoding="utf-8"))
print(got == sorted(as_json(p) for p in PATHS))')"

# ---- DFXML ------------------------------------------------------------------
"$BIN" timeline --format dfxml "$IMG" > t.dfxml
if command -v xmllint > /dev/null && [ -e "$XSD" ]; then
	run_rc xmllint --noout --schema "$XSD" t.dfxml
	expect_eq "dfxml with every hostile name validates against the DFXML schema" 0 "$RC"
else
	missing "dfxml validates" "xmllint (libxml2-utils) or $XSD missing"
fi
expect_eq "dfxml: $NTREE fileobjects; each name's ai:hex (or its text) is README's name, the text unescapes to it" \
	"$NTREE True True" "$(python3 -c '
import sys, xml.etree.ElementTree as ET
sys.path.insert(0, ".")
from expected import PATHS, unescape
D = "{http://www.forensicswiki.org/wiki/Category:Digital_Forensics_XML}"
A = "{urn:apfsinspect:dfxml:1}"
fos = list(ET.parse("t.dfxml").getroot().iter(D + "fileobject"))
exact, text = [], []
for fo in fos:
    fn = fo.find(D + "filename")
    h = fn.get(A + "hex")
    exact.append(b"/" + (bytes.fromhex(h) if h else fn.text.encode()))
    text.append(b"/" + unescape(fn.text))
print(len(fos), sorted(exact) == PATHS, sorted(text) == PATHS)')"
expect_eq "dfxml: link_target of link-nl, exact bytes in ai:hex" "target\\x0aline b'target\\nline'" \
	"$(python3 -c '
import xml.etree.ElementTree as ET
D = "{http://www.forensicswiki.org/wiki/Category:Digital_Forensics_XML}"
for fo in ET.parse("t.dfxml").getroot().iter(D + "fileobject"):
    lt = fo.find(D + "link_target")
    if lt is not None:
        print(lt.text, bytes.fromhex(lt.get("{urn:apfsinspect:dfxml:1}hex")))')"
expect_eq "dfxml: the volume's name, escaped in ai:name and exact in ai:name_hex (README bytes)" \
	'Names\x0aVol\x1b[7m 4e616d65730a566f6c1b5b376d' "$(python3 -c '
import xml.etree.ElementTree as ET
v = ET.parse("t.dfxml").getroot().find("{http://www.forensicswiki.org/wiki/Category:Digital_Forensics_XML}volume")
print(v.get("{urn:apfsinspect:dfxml:1}name"), v.get("{urn:apfsinspect:dfxml:1}name_hex"))')"
expect_eq "dfxml: the hostile xattr name, exact bytes in its hex attribute (README)" \
	"b'user.\\x1b[2Jevil\\nname'" "$(python3 -c '
import xml.etree.ElementTree as ET
for x in ET.parse("t.dfxml").getroot().iter("{urn:apfsinspect:dfxml:1}xattr"):
    if x.get("hex"):
        print(bytes.fromhex(x.get("hex")))')"

# ---- extract --hash: GNU's tagged manifest ----------------------------------
mkdir ex
"$BIN" extract --hash md5,sha1,sha256 --manifest "$D/tagged" "$IMG" / ex > /dev/null 2>&1
expect_eq "extract --hash: GNU's own --tag lines (cksum -a md5, sha1sum, sha256sum) for the extracted files" \
	"$(cd ex && { find root -type f -print0 | xargs -0 cksum -a md5 --tag
		find root -type f -print0 | xargs -0 sha1sum --tag
		find root -type f -print0 | xargs -0 sha256sum --tag; } | LC_ALL=C sort)" \
	"$(LC_ALL=C sort tagged)"
run_rc sh -c "cd ex && cksum -c ../tagged"
expect_eq "cksum -c verifies all 48 lines (16 files, 3 algorithms)" "0 48" \
	"$RC $(printf '%s\n' "$OUT" | grep -c ': OK$')"
done_testing
