#!/usr/bin/env bash
# time_format.sh - the ISO 8601 times of DFXML, `stat` and the rest
# (cli/format.c fmt_iso_ns, "2026-07-27T20:00:30.123456789Z") are written by
# hand, a civil date from days since 1970 (Howard Hinnant's algorithm), where
# they were glibc's gmtime_r and strftime.  Held here to Python's datetime
# over every u64 of nanoseconds that matters: day and year edges (leap years
# 1972, 2000 and 2400; 2100 and 2500 not), 2^31 and 2^32 seconds, 2^63 and
# 2^64 - 1 ns, and 300,000 values drawn at random (seeded).  A harness built
# here links cli/format.c alone.
. "$(dirname "$0")/../lib.sh"

if ! command -v cc > /dev/null; then
	skip "fmt_iso_ns" "no C compiler for the harness"; done_testing; exit 0
fi
ROOT=$TESTS/..
cat > "$WORK/h.c" <<'C'
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
void fmt_iso_ns(uint64_t ns, char *buf, size_t len);
/* each line's value formatted into a buffer of argv[1] bytes (64 without) */
int main(int argc, char **argv)
{
	size_t len = argc > 1 ? (size_t)atoi(argv[1]) : 64;
	char line[64], out[64] = "";

	while (fgets(line, sizeof(line), stdin)) {
		fmt_iso_ns(strtoull(line, NULL, 10), out, len);
		puts(out);
	}
	return 0;
}
C
expect_rc "the harness builds with cli/format.c" 0 cc -O1 -I "$ROOT/include" -I "$ROOT/cli" \
	-I "$ROOT" -o "$WORK/h" "$WORK/h.c" "$ROOT/cli/format.c"
python3 - "$WORK/values" "$WORK/want" <<'PY'
import datetime, random, sys
E = datetime.datetime(1970, 1, 1)
vals = [0, 1, 999999999, 10**9, 2**31 * 10**9, 2**32 * 10**9, 2**63, 2**64 - 1, 2**64 - 10**9]
for y in (1970, 1971, 1972, 1999, 2000, 2001, 2038, 2099, 2100, 2101, 2399, 2400, 2500, 2553):
    for mo, d in ((1, 1), (2, 28), (3, 1), (12, 31)):
        s = int((datetime.datetime(y, mo, d) - E).total_seconds())
        vals += [s * 10**9, s * 10**9 - 1, (s + 86399) * 10**9 + 999999999]
    if y % 4 == 0 and (y % 100 or y % 400 == 0):
        s = int((datetime.datetime(y, 2, 29) - E).total_seconds())
        vals += [s * 10**9, (s + 43210) * 10**9 + 5]
r = random.Random(20261206)
vals += [r.randrange(2**64) for _ in range(200000)]
vals += [r.randrange(2**62) for _ in range(100000)]
with open(sys.argv[1], "w") as v, open(sys.argv[2], "w") as w:
    for x in (x for x in vals if 0 <= x < 2**64):
        t = E + datetime.timedelta(seconds=x // 10**9)
        v.write("%d\n" % x)
        w.write("%s.%09dZ\n" % (t.strftime("%Y-%m-%dT%H:%M:%S"), x % 10**9))
PY
"$WORK/h" < "$WORK/values" > "$WORK/got"
check "every value as Python's datetime gives it ($(wc -l < "$WORK/values") values)" \
	cmp -s "$WORK/got" "$WORK/want"
cmp "$WORK/got" "$WORK/want" | head -3 | sed 's/^/# /'
expect_eq "a buffer of 11 bytes: the first 10 characters, ended" "2026-01-01" \
	"$(echo 1767225600000000000 | "$WORK/h" 11)"
expect_eq "a buffer of 1 byte: empty" "" "$(echo 1767225600000000000 | "$WORK/h" 1)"
done_testing
