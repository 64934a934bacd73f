# tests/containers_lib.sh - helpers the container tests share (sourced after lib.sh).

# files_sha IMG [OPTS...]: "sha256  path" for every regular file, each read with cat.
files_sha() {
	local img=$1 p
	shift
	"$BIN" bodyfile "$img" "$@" | awk -F'|' '$4 ~ /^r\// {print $2}' | LC_ALL=C sort |
		while IFS= read -r p; do
			printf '%s  %s\n' "$("$BIN" cat "$img" "$p" "$@" | sha256sum | cut -d' ' -f1)" "$p"
		done
}

# list_core IMG [OPTS...]: list --json without the keys that describe the container
# (image name, format, size, and the chain array, which comes last).
list_core() {
	"$BIN" list --json "$@" |
		sed '/^  "chain": \[/,/^  \]/d; /^  "\(image\|image_format\|image_size\)": /d'
}

# json_get KEYPATH: a value from list --json on stdin, e.g. chain.0.stored_hashes.MD5
json_get() {
	python3 -c 'import json, sys
v = json.load(sys.stdin)
for k in sys.argv[1].split("."):
    v = v[int(k)] if isinstance(v, list) else v.get(k)
print(v)' "$1"
}

# raw_cached list|files RAW [OPTS...]: list_core / files_sha of a raw source, once per run.
raw_cached() {
	local what=$1 raw=$2 f
	shift 2
	f=$WORK/.cache-$what-$(basename "$raw")
	if [ ! -e "$f" ]; then
		if [ "$what" = list ]; then list_core "$raw"; else files_sha "$raw" "$@"; fi > "$f"
	fi
	cat "$f"
}

# same_reads NAME RAW WRAPPED [OPTS...]: the wrapped image lists and reads like the raw
# one; OPTS (a credential) go to bodyfile and cat; $IMAGE_OPTS (the image's own
# passphrase, which list takes too) to list as well.
same_reads() {
	# shellcheck disable=SC2086
	local name=$1 raw=$2 wrapped=$3
	shift 3
	raw_cached list "$raw" | grep -q '"volumes"' || notok "$name: the raw image lists no volume"
	expect_eq "$name: list --json equal to the raw image's (apart from the chain)" \
		"$(raw_cached list "$raw")" "$(list_core "$wrapped" ${IMAGE_OPTS-})"
	local want got
	want=$(raw_cached files "$raw" "$@")
	got=$(files_sha "$wrapped" "$@")
	if [ -n "$want" ] && [ "$want" = "$got" ]; then
		ok "$name: SHA-256 of all $(printf '%s\n' "$want" | wc -l) files equal to the raw image's"
	else
		notok "$name: files read differently from the raw image"
		diff <(printf '%s\n' "$want") <(printf '%s\n' "$got") | sed 's/^/#   /' | head -10
	fi
}
