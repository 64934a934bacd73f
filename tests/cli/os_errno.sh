#!/usr/bin/env bash
# os_errno.sh - an errno of the operating system that shares its value with
# one of the project's own codes is an I/O error, named in the OS's words,
# never the project's meaning: a removed medium's ENOMEDIUM (the code of a
# truncated image) on a read of the image, a damaged host file system's
# EUCLEAN (the code of damaged APFS) on DEST (found in review: "damaged
# file-system data (see above)" with nothing above, blaming the image for the
# target disk).  The failures come from an LD_PRELOAD shim built here, which
# makes pread fail in a window of offsets and mkdir of one name fail.
# `large` (testdata/README.md): /data-8m.bin, 8 MiB in 8 extents.
. "$(dirname "$0")/../lib.sh"

if ! command -v cc > /dev/null; then
	skip "OS errors" "no C compiler for the shim"; done_testing; exit 0
fi
cat > "$WORK/shim.c" <<'EOF'
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static int in_window(off_t off, size_t len)
{
	const char *a = getenv("SHIM_OFF"), *b = getenv("SHIM_END");
	const char *at = getenv("SHIM_AT"), *n = getenv("SHIM_LEN");

	if (at && n)  /* one read exactly: len bytes at off */
		return off == atoll(at) && len == (size_t)atoll(n);
	return a && b && off < atoll(b) && (off_t)(off + len) > atoll(a);
}

ssize_t pread64(int fd, void *buf, size_t len, off_t off)
{
	static ssize_t (*real)(int, void *, size_t, off_t);

	if (!real)
		real = (ssize_t (*)(int, void *, size_t, off_t))dlsym(RTLD_NEXT, "pread64");
	if (in_window(off, len)) {
		errno = atoi(getenv("SHIM_ERRNO"));
		return -1;
	}
	return real(fd, buf, len, off);
}

ssize_t pread(int fd, void *buf, size_t len, off_t off)
{
	return pread64(fd, buf, len, off);
}

int mkdir(const char *path, mode_t mode)
{
	static int (*real)(const char *, mode_t);
	const char *name = getenv("SHIM_MKDIR");

	if (!real)
		real = (int (*)(const char *, mode_t))dlsym(RTLD_NEXT, "mkdir");
	if (name && !strcmp(path, name)) {
		errno = atoi(getenv("SHIM_ERRNO"));
		return -1;
	}
	return real(path, mode);
}
EOF
expect_rc "the shim builds" 0 cc -shared -fPIC -o "$WORK/shim.so" "$WORK/shim.c" -ldl
# A binary built with gcc's ASan wants its runtime first in the preload list.
PRE=$WORK/shim.so
if readelf -d "$BIN" 2> /dev/null | grep -q libasan; then
	PRE="$(gcc -print-file-name=libasan.so):$PRE"
fi
L=$WORK/large.img
expect_rc "mkimage large" 0 "$MKIMAGE" large "$L"
# data-8m.bin's sixth MiB, where the image holds it (DFXML's byte run)
OFF=$("$BIN" timeline --format dfxml "$L" 2> /dev/null | python3 -c '
import re, sys
x = sys.stdin.read(); i = x.index(">data-8m.bin<")
print(re.findall(r"file_offset=.5242880. fs_offset=.\d+. img_offset=.(\d+).", x[i:])[0])')
check "its image offset found ($OFF)" test -n "$OFF"

run_rc sh -c '"$@" > /dev/null' _ env LD_PRELOAD="$PRE" SHIM_OFF="$OFF" SHIM_END=$((OFF + 4096)) \
	SHIM_ERRNO="$(python3 -c 'import errno; print(errno.ENOMEDIUM)')" \
	"$BIN" cat "$L" /data-8m.bin
check "a read failing with ENOMEDIUM: cat exits 1" test "$RC" = 1
expect_grep "... the OS's words named" "large.img': read of [0-9]+ bytes at [0-9]+ failed: No medium found" \
	"$ERR"
expect_grep "... then an I/O error" "^apfsinspect: /data-8m.bin: Input/output error$" "$ERR"
check "... never a truncated image" sh -c '! printf "%s" "$1" | grep -q truncated' _ "$ERR"
run_rc sh -c '"$@" > /dev/null' _ env LD_PRELOAD="$PRE" SHIM_OFF="$OFF" SHIM_END=$((OFF + 4096)) \
	SHIM_ERRNO="$(python3 -c 'import errno; print(errno.ENOMEDIUM)')" \
	"$BIN" cat --json "$L" /data-8m.bin
check "... --json: no image_truncated code" sh -c '! printf "%s" "$1" | grep -q image_truncated' \
	_ "$ERR"

run_rc env LD_PRELOAD="$PRE" SHIM_MKDIR="$WORK/dest" \
	SHIM_ERRNO="$(python3 -c 'import errno; print(errno.EUCLEAN)')" \
	"$BIN" extract "$L" /data-8m.bin "$WORK/dest"
check "DEST's mkdir failing with EUCLEAN: extract exits 1" test "$RC" = 1
expect_grep "... an I/O error of DEST" "dest: Input/output error$" "$ERR"
check "... never damaged file-system data" sh -c '! printf "%s" "$1" | grep -q damaged' _ "$ERR"

# The first sector of a raw image unreadable: the probe stops there, and said nothing.
run_rc env LD_PRELOAD="$PRE" SHIM_OFF=0 SHIM_END=512 SHIM_ERRNO="$(python3 -c \
	'import errno; print(errno.EIO)')" "$BIN" list "$L"
check "the first sector unreadable: list exits 1" test "$RC" = 1
expect_grep "... the read named (before: nothing said)" \
	"large\.img': read of 512 bytes at 0 failed: Input/output error" "$ERR"

# An E01 whose section descriptor cannot be read while the set is opened (the first one,
# 76 bytes after the 13-byte file header: Expert Witness format 1): the OS's error is
# said and the open fails with it (it was taken for "not E01" and nothing was said).
if command -v ewfacquire > /dev/null; then
	expect_rc "mkimage basic" 0 "$MKIMAGE" basic "$WORK/b.img"
	expect_rc "ewfacquire" 0 ewfacquire -u -q -t "$WORK/b" -S 1GiB -C c -D b -e e -E 1 \
		-N none -c fast "$WORK/b.img"
	run_rc env LD_PRELOAD="$PRE" SHIM_AT=13 SHIM_LEN=76 SHIM_ERRNO="$(python3 -c \
		'import errno; print(errno.EIO)')" "$BIN" list "$WORK/b.E01"
	check "a failing read in the E01's first section descriptor: list exits 1" test "$RC" = 1
	expect_grep "... the read named, in the OS's words" \
		"E01 segment file '.*b\.E01': read of 76 bytes at 13 failed: Input/output error" "$ERR"
else
	skip "an E01 read failing at open" "ewfacquire (Debian ewf-tools) not installed"
fi
done_testing
