# json_contract.sh - the one JSON contract (README "JSON output"): every
# command takes --json; each document parses with Python's json, starts
# with schema_version and names the same thing with the same key in every
# command (checked by value: the UUIDs and names IMAGES.md documents, from
# macOS, TSK and libfsapfs, not from our output); every key is documented in
# the README; errors and warnings go to stderr as JSON objects, one a line,
# with a stable code and the block the message names; an option a command
# does not take is refused by name with exit 2 (it used to be ignored).
. "$TESTS/lib.sh"
need_image basic.img
need_image encrypted.img
BASIC=$IMAGES/basic.img ENC=$IMAGES/encrypted.img PW=hunter2hunter2
# IMAGES.md: the encrypted image and the basic one.
E_CONT=FB213F63-E69F-47E5-8F5C-32FDDB3A400C E_VOL=1BEC6FD3-1871-4697-BF1F-20C2620146D8
B_CONT=35C91197-A294-4361-9B05-5A3607689022 B_VOL=369159B9-E53C-4765-A5D8-1678F3CA7779
README=$TESTS/../README.md
D=$WORK/json
mkdir -p "$D"

# doc NAME RC CMD...: run with --json, keep stdout as $D/NAME.json and stderr as $D/NAME.err.
doc() {
	local name=$1 want=$2
	shift 2
	"$BIN" "$@" > "$D/$name.json" 2> "$D/$name.err"
	local rc=$?
	if [ "$rc" = "$want" ]; then ok "$name: exit $want"; else
		notok "$name: exit $rc, wanted $want"; sed 's/^/#   /' "$D/$name.err" | head -5; fi
}
doc list 0 list --json --checkpoints "$BASIC"
doc list-enc 0 list --json "$ENC"
doc listcryptousers 0 listcryptousers --json "$ENC"
doc fdesetup-list 0 fdesetup-list --json --passphrase "$PW" "$ENC"
doc unlockvolume 0 unlockvolume --json --passphrase "$PW" "$ENC"
doc hashes 0 hashes --json "$ENC"
doc snapshots 0 snapshots --json "$BASIC"
doc ls 0 ls --json "$BASIC" /
doc stat 0 stat --json "$BASIC" /hello.txt
doc stat-enc 0 stat --json --passphrase "$PW" "$ENC" /secret.txt
# verify: this image stores no hash and no seal: exit 1, and the document still says so.
doc verify 1 verify --json "$BASIC"

# Every command's document: valid JSON, schema_version 1 first, no key of the old spellings.
for n in list list-enc listcryptousers fdesetup-list unlockvolume hashes snapshots ls stat stat-enc verify; do
	expect_eq "$n: parses, schema_version 1 is its first key, no old key names" "1 first clean" \
		"$(python3 - "$D/$n.json" <<'EOF'
import json, sys
d = json.load(open(sys.argv[1]))
old = {"uuid", "type", "iterations", "format"}
def walk(o, path):
    if isinstance(o, dict):
        for k, v in o.items():
            if k in old:
                print("old key", path + "." + k)
            # "name" is only ever a file's or an xattr's name
            if k == "name" and not (path.endswith(".entries[]") or path.endswith(".xattrs[]")):
                print("name outside ls entries / xattrs:", path)
            walk(v, path + "." + k)
    elif isinstance(o, list):
        for v in o:
            walk(v, path + "[]")
walk(d, "")
print(d.get("schema_version"), "first" if next(iter(d)) == "schema_version" else "not-first", "clean")
EOF
)"
done

# The same concept, the same key: each command gives IMAGES.md's values under the shared names.
expect_eq "same keys, IMAGES.md values: container, volume, user in every command" \
"list $B_CONT $B_VOL ACCEPT
list-enc $E_CONT $E_VOL Enc
listcryptousers $E_VOL Enc $E_VOL Disk User
fdesetup-list $E_VOL Enc $E_VOL Disk User
unlockvolume $E_VOL Enc $E_VOL Disk User
hashes $E_VOL Enc $E_VOL Disk User 100000
snapshots $B_VOL ACCEPT
stat-enc Enc" "$(python3 - "$D" <<'EOF'
import json, sys
L = lambda n: json.load(open(sys.argv[1] + "/" + n + ".json"))
for n in ("list", "list-enc"):
    c = L(n)["containers"][0]; v = c["volumes"][0]
    print(n, c["container_uuid"], v["volume_uuid"], v["volume"])
v = L("listcryptousers")["volumes"][0]; u = v["users"][0]
print("listcryptousers", v["volume_uuid"], v["volume"], u["user_uuid"], u["user_type"])
d = L("fdesetup-list"); u = d["users"][0]
print("fdesetup-list", d["volume_uuid"], d["volume"], u["user_uuid"], u["user_type"])
d = L("unlockvolume")
print("unlockvolume", d["volume_uuid"], d["volume"], d["user_uuid"], d["user_type"])
h = L("hashes")["hashes"][0]
print("hashes", h["volume_uuid"], h["volume"], h["user_uuid"], h["user_type"], h["pbkdf2_iterations"])
d = L("snapshots")
print("snapshots", d["volume_uuid"], d["volume"])
print("stat-enc", L("stat-enc").get("volume", "Enc"))
EOF
)"
expect_eq "listcryptousers and hashes: PBKDF2 iterations under one key (IMAGES.md: 100000)" "100000 100000" \
	"$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["volumes"][0]["users"][0]["pbkdf2_iterations"], json.load(open(sys.argv[2]))["hashes"][0]["pbkdf2_iterations"])' \
		"$D/listcryptousers.json" "$D/hashes.json")"

# Every key of every document is in the README's "JSON output" section (one place).
expect_eq "README \"JSON output\": every key of every document is documented there" "" \
	"$(python3 - "$README" "$D"/*.json <<'EOF'
import json, re, sys
text = open(sys.argv[1]).read()
m = re.search(r"^## JSON output\n(.*?)(?=^## )", text, re.S | re.M)
sec = m.group(1) if m else ""
keys = set()
def walk(o):
    if isinstance(o, dict):
        for k, v in o.items():
            keys.add(k); walk(v)
    elif isinstance(o, list):
        for v in o: walk(v)
for f in sys.argv[2:]:
    walk(json.load(open(f)))
for k in sorted(keys):
    # ls/stat/list/listcryptousers keys that are image data (a chain's stored hash names) are not keys of ours
    if k in ("MD5", "SHA1"):
        continue
    if "`%s`" % k not in sec and "`%s[]`" % k not in sec:
        print("undocumented:", k)
EOF
)"

# ... and every key the sources can write (some only for sealed volumes, checkpoints, names).
expect_eq "README \"JSON output\": every key a json_*() call in cli/ writes" "" \
	"$(cd "$TESTS/.." && grep -ohE 'json_(str|u64|bool|uuid|i64|null|obj_open|arr_open|hex|strings)\([^,]+, "[a-z_0-9]+"' cli/*.c |
		sed -E 's/.*"([^"]+)"$/\1/' | sort -u | while read -r k; do
			sed -n '/^## JSON output$/,/^## Exit codes/p' "$README" | grep -qF -e "\`$k\`" -e "\`$k[]\`" ||
				echo "undocumented: $k"; done)"

# ---- messages as JSON on stderr ---------------------------------------------
# jl FILE: every line of FILE is one JSON object with schema_version, level, code, message.
jl() {
	python3 - "$1" <<'EOF'
import json, sys
n = 0
for line in open(sys.argv[1]):
    o = json.loads(line)
    assert o["schema_version"] == 1 and o["level"] in ("error", "warning", "note"), o
    assert isinstance(o["code"], str) and o["code"] and isinstance(o["message"], str), o
    n += 1
print(n)
EOF
}
expect_eq "fdesetup-list: its warning is one JSON line" 1 "$(jl "$D/fdesetup-list.err")"
expect_grep "fdesetup-list: the warning's level and code" '"level":"warning","code":"warning"' \
	"$(cat "$D/fdesetup-list.err")"
expect_eq "verify: its error is one JSON line" 1 "$(jl "$D/verify.err")"
# A damaged volume superblock (block 505 of the container at 20480, IMAGES.md's APSB).
cp "$BASIC" "$D/bad.img"
printf '\377' | dd of="$D/bad.img" bs=1 seek=$((20480 + 505 * 4096 + 100)) conv=notrunc 2> /dev/null
doc damaged 1 ls --json "$D/bad.img" /
expect_eq "damaged: nothing on stdout" "" "$(cat "$D/damaged.json")"
check "damaged: every stderr line is a JSON object" jl "$D/damaged.err"
expect_eq "damaged: code, structure and block of the bad checksum" \
	"checksum_mismatch volume superblock 1 505" \
	"$(head -1 "$D/damaged.err" | python3 -c 'import json,sys; o=json.load(sys.stdin); print(o["code"], o["structure"], o["block"])')"
doc missing 1 cat --json "$BASIC" /no-such-file
check "cat --json, a missing file: JSON on stderr" jl "$D/missing.err"
expect_grep "cat --json, a missing file: code not_found, the path named" \
	'"code":"not_found","message":"/no-such-file: No such file' "$(cat "$D/missing.err")"
doc badopt 2 ls --json --plist "$BASIC"
expect_eq "refused option under --json: one JSON line" 1 "$(jl "$D/badopt.err")"
expect_grep "refused option under --json: its code and name" \
	'"code":"option_not_applicable","message":"ls: option --plist does not apply' "$(cat "$D/badopt.err")"
doc wrongpw 3 unlockvolume --json --passphrase wrong-password "$ENC"
check "a rejected password under --json: JSON on stderr" jl "$D/wrongpw.err"
expect_grep "a rejected password: a credential code" '"code":"credential_rejected"' "$(cat "$D/wrongpw.err")"
expect_rc "without --json, messages stay text" 2 "$BIN" ls --plist "$BASIC"
expect_grep "without --json: the text message names the option" \
	'^apfsinspect: ls: option --plist does not apply to this command$' "$ERR"

# Commands whose stdout is another format still take --json (for their messages).
expect_rc "cat --json: the file's bytes on stdout" 0 "$BIN" cat --json "$BASIC" /hello.txt
expect_eq "cat --json: content unchanged (IMAGES.md)" "hello from apfs" "$OUT"
expect_rc "bodyfile --json: accepted" 0 "$BIN" bodyfile --json "$BASIC"
expect_grep "bodyfile --json: TSK lines stay TSK lines" '^0\|/hello.txt\|' "$OUT"
mkdir -p "$D/x"
expect_rc "extract --json: accepted" 0 "$BIN" extract --json --manifest "$D/m" "$BASIC" /hello.txt "$D/x"

# ---- options that do not apply: refused by name, exit 2 -------------------
# Each option is listed with the commands whose --help documents it (the others must refuse it).
while read -r opt val takers; do
	for c in list listcryptousers fdesetup-list unlockvolume verify hashes ls stat cat xattr extract \
		 bodyfile timeline diff snapshots mount; do
		case " $takers " in *" $c "*) continue ;; esac
		args=("$opt")
		[ "$val" = - ] || args+=("$val")
		run_rc "$BIN" "$c" "${args[@]}" "$BASIC"
		if [ "$RC" = 2 ] && printf '%s' "$ERR" | grep -q -- "option .*${opt#-}.* does not apply"; then
			ok "$c refuses $opt by name"
		else
			notok "$c refuses $opt by name (status $RC)"; echo "$ERR" | sed 's/^/#   /' | head -3
		fi
	done
done <<'EOF'
--plist - list listcryptousers
--checkpoints - list
--hints - listcryptousers
--extended - fdesetup-list
--all - hashes
--md5 - bodyfile
--manifest m extract
--max-file-size 1G cat extract bodyfile stat xattr timeline diff
--hash md5 stat extract bodyfile timeline
--fractional - bodyfile
--fork rsrc cat
--hex - xattr
--facts f extract
--tar t extract
--appledouble - extract
--live - diff
-l - ls
-R - ls
-o ro mount
-f - mount
--volume 1 listcryptousers fdesetup-list unlockvolume hashes ls stat cat xattr extract bodyfile timeline diff snapshots mount
--passphrase x listcryptousers fdesetup-list unlockvolume ls stat cat xattr extract bodyfile timeline diff mount
--snapshot x ls stat cat xattr extract bodyfile timeline mount
EOF
# ... and the commands that take them do not refuse them.
expect_rc "list --checkpoints: accepted" 0 "$BIN" list --checkpoints "$BASIC"
expect_rc "ls -l -R: accepted" 0 "$BIN" ls -l -R "$BASIC"
expect_rc "hashes --all: accepted" 0 "$BIN" hashes --all "$ENC"
done_testing
