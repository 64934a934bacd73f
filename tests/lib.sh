# tests/lib.sh - TAP helpers for the shell tests.  Source it first.
# Environment (set by tests/run.sh): BIN, MKIMAGE, IMAGES, WORK, SHARED.
set -u
_n=0
ok() { _n=$((_n + 1)); echo "ok $_n - $*"; }
notok() { _n=$((_n + 1)); echo "not ok $_n - $*"; }
skip() { _n=$((_n + 1)); echo "ok $_n - $1 # SKIP $2"; }
# check DESC CMD...: passes when the command succeeds.
check() { local d=$1; shift; if "$@"; then ok "$d"; else notok "$d"; fi; }
# expect_eq DESC EXPECTED ACTUAL
expect_eq() {
	if [ "$2" = "$3" ]; then ok "$1"; else
		notok "$1"; printf '#   expected: %s\n#   actual:   %s\n' "$2" "$3" | head -40; fi
}
# run_rc: run a command, capture stdout/stderr in $OUT/$ERR and status in $RC.
# A status >= 128 (a signal) is always reported as a failure.
run_rc() {
	OUT=$("$@" 2>"$WORK/stderr.$$") ; RC=$?
	ERR=$(cat "$WORK/stderr.$$"); rm -f "$WORK/stderr.$$"
	if [ $RC -ge 124 ]; then notok "no crash or hang: $* (status $RC)"; fi
}
# expect_rc DESC EXPECTED_STATUS CMD...
expect_rc() {
	local d=$1 want=$2; shift 2
	run_rc "$@"
	if [ "$RC" = "$want" ]; then ok "$d"; else
		notok "$d (status $RC, wanted $want)"; echo "$ERR" | sed 's/^/#   /' | head -10; fi
}
# expect_grep DESC PATTERN TEXT
expect_grep() {
	if printf '%s\n' "$3" | grep -qE -- "$2"; then ok "$1"; else
		notok "$1"; echo "#   pattern: $2"; printf '%s\n' "$3" | sed 's/^/#   /' | head -20; fi
}
# missing DESC WHY: a check that cannot run because a shared image (or what
# the test builds from it) is absent.  A SKIP on a developer's machine; under
# CI=true a failure, so a CI run without ../shared cannot pass on skips.
missing() {
	if [ "${CI:-}" = true ]; then notok "$1 (CI=true: $2)"; else skip "$1" "$2"; fi
}
# need_image NAME: end the script (with its plan) when the image is missing.
need_image() {
	if [ ! -e "$IMAGES/$1" ]; then
		missing "image $1" "../shared/images/$1 not found"; done_testing; exit 0
	fi
}
done_testing() { echo "1..$_n"; }
# flip_byte FILE OFFSET: the byte at OFFSET inverted in place (a node's checksum then fails).
flip_byte() {
	python3 - "$1" "$2" <<'PY'
import sys
with open(sys.argv[1], "r+b") as f:
    f.seek(int(sys.argv[2]))
    b = f.read(1)[0]
    f.seek(int(sys.argv[2]))
    f.write(bytes([b ^ 0xFF]))
PY
}

# acl_deny_delete_hex: in hex, the com.apple.system.Security value macOS gives a home's
# usual folders ("0: group:everyone deny delete" in `ls -le`), built from xnu's
# bsd/sys/kauth.h: a struct kauth_filesec, big-endian on disk (kauth_filesec_acl_setendian):
# fsec_magic KAUTH_FILESEC_MAGIC, owner and group GUIDs zero, acl_entrycount 1,
# acl_flags 0; one kauth_ace: everyone's GUID ABCDEFAB-CDEF-ABCD-EFAB-CDEF0000000C,
# ace_flags KAUTH_ACE_DENY (2), ace_rights KAUTH_VNODE_DELETE (1 << 4).  68 bytes.
acl_deny_delete_hex() {
	python3 -c 'import struct, uuid
print((struct.pack(">I16s16sII", 0x012CC16D, bytes(16), bytes(16), 1, 0)
       + uuid.UUID("ABCDEFAB-CDEF-ABCD-EFAB-CDEF0000000C").bytes
       + struct.pack(">II", 2, 1 << 4)).hex())'
}

# mnt_prepare DIR: MNT=DIR/mnt made, and unmounted at exit whatever failed (a
# lazy unmount if busy): the FUSE tests' mount point.
mnt_prepare() {
	MNT=$1/mnt
	mkdir -p "$MNT"
	trap mnt_cleanup EXIT
}
mnt_cleanup() {
	if mountpoint -q "$MNT"; then
		timeout 10 fusermount3 -u "$MNT" 2>/dev/null || timeout 10 fusermount3 -uz "$MNT"
	fi
}
