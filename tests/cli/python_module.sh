# python_module.sh - the Python module (python/) as a user gets it: the
# run.sh: long (started before the others, so that no long test runs alone at the end)
# library installed with `make install DESTDIR=...`, the module installed
# offline with pip (Debian's pip, setuptools and wheel; no index, no build
# isolation) into a virtual environment, then its pytest suite
# (python/tests: users, unlock outcomes, listings and hashes from
# IMAGES.md and testdata/README.md) and the example, each pytest result a
# TAP line.  The module must load the installed library, found through the
# pkg-config file, and not the source tree.
. "$TESTS/lib.sh"
ROOT=$(cd "$TESTS/.." && pwd)
DEST=$WORK/py-destdir
PREFIX=/usr/local
PY=/usr/bin/python3

if ! $PY -c 'import pytest, setuptools, wheel, venv' 2> /dev/null; then
	skip "python module" "Debian's python3-pytest, python3-setuptools, python3-wheel or python3-venv missing (setup.sh TEST_PKGS)"
	done_testing; exit 0
fi
expect_rc "make install into a DESTDIR" 0 \
	make -s -C "$ROOT" B="$B" PREFIX="$PREFIX" DESTDIR="$DEST" install
LIBSO=$DEST$PREFIX/lib/libapfsinspect.so.1
check "installed: $PREFIX/lib/libapfsinspect.so.1" test -s "$LIBSO"

# Built from a copy: pip builds in the source folder (build/, *.egg-info).
cp -r "$ROOT/python" "$WORK/py-src"
rm -rf "$WORK/py-src/build" "$WORK/py-src"/*.egg-info
VENV=$WORK/py-venv
expect_rc "python3 -m venv --system-site-packages" 0 $PY -m venv --system-site-packages "$VENV"
export PKG_CONFIG_PATH=$DEST$PREFIX/lib/pkgconfig PKG_CONFIG_SYSROOT_DIR=$DEST
expect_rc "pip install --no-index --no-build-isolation ./python (offline)" 0 \
	env PIP_NO_INPUT=1 PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_NO_CACHE_DIR=1 \
	"$VENV/bin/pip" install --no-index --no-build-isolation "$WORK/py-src"
unset PKG_CONFIG_PATH PKG_CONFIG_SYSROOT_DIR
[ "$RC" = 0 ] || printf '%s\n' "$OUT" "$ERR" | tail -20 | sed 's/^/#   /'

# A library built by `make asan` loads into python3 only after the sanitizer's
# runtime; CPython frees little at exit by design, so leaks are not checked.
SAN=()
if readelf -d "$LIBSO" 2> /dev/null | grep -q 'libasan'; then
	SAN=(LD_PRELOAD="$(gcc -print-file-name=libasan.so)" ASAN_OPTIONS=detect_leaks=0)
fi

# The module as installed, run from elsewhere: it must find the library
# through the path pip's build recorded from pkg-config (no LD_LIBRARY_PATH).
run_rc env -u LD_LIBRARY_PATH -u APFSINSPECT_LIBRARY -C "$WORK" "${SAN[@]}" "$VENV/bin/python" -c \
	'import apfsinspect, apfsinspect._capi as c; print(apfsinspect.__file__); print(c.lib._name); print(apfsinspect.library_version())'
expect_eq "import apfsinspect: the installed module" "$VENV" \
	"$(printf '%s\n' "$OUT" | sed -n 1p | grep -o "^$VENV")"
expect_eq "... loading the DESTDIR's library (pkg-config's libdir)" "$LIBSO" \
	"$(printf '%s\n' "$OUT" | sed -n 2p)"
expect_eq "... apfsinspect.library_version() = the program's" \
	"$("$BIN" --version | grep -oE '[0-9]+\.[0-9]+\.[0-9]+' | head -1)" \
	"$(printf '%s\n' "$OUT" | sed -n 3p)"

check "the optional C loop for listings was built (apfsinspect._speedups)" \
	test -n "$(find "$VENV" -name '_speedups*.so' -print -quit)"

# pytest, from a copy of the tests outside the source tree; one TAP line a result.
cp -r "$ROOT/python/tests" "$WORK/py-tests"
cp -r "$ROOT/python/examples" "$WORK/py-examples"
(cd "$WORK/py-tests" && env -u LD_LIBRARY_PATH "${SAN[@]}" IMAGES="$IMAGES" MKIMAGE="$MKIMAGE" BIN="$BIN" TOOLS="$TESTS/tools" \
	EXAMPLES="$WORK/py-examples" TMPDIR="$WORK" \
	"$VENV/bin/python" -m pytest -v -rs --tb=short -p no:cacheprovider \
	--basetemp="$WORK/py-tmp" . > "$WORK/pytest.out" 2>&1)
echo "# pytest exit status $?"
# The listings again without the C loop: ctypes alone must give the same.
(cd "$WORK/py-tests" && env -u LD_LIBRARY_PATH "${SAN[@]}" IMAGES="$IMAGES" MKIMAGE="$MKIMAGE" BIN="$BIN" TOOLS="$TESTS/tools" \
	APFSINSPECT_PURE_PYTHON=1 EXAMPLES="$WORK/py-examples" TMPDIR="$WORK" \
	"$VENV/bin/python" -m pytest -v -rs --tb=short -p no:cacheprovider \
	--basetemp="$WORK/py-tmp2" -k "(listing or walk or big_dir or dfvfs or same_lines) and not c_loop" . |
	sed -E 's/^([^ ]+::[^ ]+) /\1[ctypes-only] /' >> "$WORK/pytest.out" 2>&1)
n0=$_n
while IFS= read -r l; do
	case "$l" in
	*" PASSED"*) ok "pytest ${l%% PASSED*}" ;;
	*" SKIPPED"*) why=${l#* SKIPPED (}; skip "pytest ${l%% SKIPPED*}" "${why%)*}" ;;
	*" FAILED"* | *" ERROR"*) notok "pytest ${l%% [FE][AR]*}" ;;
	esac
done < <(grep -E '^[^ ]+::[^ ]+ (PASSED|FAILED|SKIPPED|ERROR)' "$WORK/pytest.out")
if [ "$_n" -eq "$n0" ] || grep -qE '^(FAILED|ERROR) ' "$WORK/pytest.out"; then
	[ "$_n" -eq "$n0" ] && notok "pytest ran no test"
	grep -vE '^[^ ]+::[^ ]+ PASSED' "$WORK/pytest.out" | tail -80 | sed 's/^/#   /'
fi
done_testing
