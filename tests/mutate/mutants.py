#!/usr/bin/env python3
"""The mutant list (tests/mutate/mutants.txt) for tests/mutate/run.sh.

A mutant is a block of lines:
    ## ID  what the change breaks
    file: apfs/btree.c
    from: <exact original text, found exactly once in the file>
    to:   <its replacement>
    tests: test_btree cli/bad_input   (tests/run.sh filters; one failing kills it)
    equivalent: <why no test can tell>   (optional; the mutant is still run)
from/to keep their text after one space; a leading space in the code is not
needed since the anchor is a substring of a line.

  mutants.py list LIST FILTER SAMPLE  -> ID<TAB>FILE<TAB>TESTS<TAB>EQUIVALENT(0/1)
      FILTER: part of a file name, or mutant ids separated by commas
      SAMPLE: N spread over the list (MUTATE_SAMPLE_OFFSET shifts them)
  mutants.py apply LIST ID FILE       -> rewrite FILE with the mutant
  mutants.py check LIST               -> every anchor is found exactly once
"""
import os
import sys


def parse(path):
    muts, cur = [], None
    for n, line in enumerate(open(path, encoding='utf-8'), 1):
        line = line.rstrip('\n')
        if line.startswith('## '):
            cur = {'id': line[3:].split()[0], 'line': n}
            muts.append(cur)
        elif cur is not None and ':' in line and not line.startswith('#'):
            key, _, val = line.partition(':')
            if key in ('file', 'from', 'to', 'tests', 'equivalent'):
                cur[key] = val[1:] if val.startswith(' ') else val
    for m in muts:
        for k in ('file', 'from', 'to', 'tests'):
            if k not in m:
                sys.exit(f"{path}:{m['line']}: mutant {m['id']} has no '{k}:'")
    ids = [m['id'] for m in muts]
    dup = {i for i in ids if ids.count(i) > 1}
    if dup:
        sys.exit(f"{path}: mutant ids used twice: {' '.join(sorted(dup))}")
    return muts


def anchor(m, text):
    n = text.count(m['from'])
    if n != 1:
        where = 'not found' if n == 0 else f'found {n} times'
        sys.exit(f"mutant {m['id']}: its text is {where} in {m['file']}: {m['from']!r}")


def known_tests():
    """What tests/run.sh matches a filter against: unit binaries by their path and by
    unit/NAME, and the shell tests by their path."""
    names = []
    for f in sorted(os.listdir('tests/unit')):
        if f.startswith('test_') and f.endswith('.c'):
            names += [f'build/tests/{f[:-2]}', f'unit/{f[:-2]}']
    for d in ('cli', 'fuse', 'fuzz'):
        names += [f'tests/{d}/{f}' for f in os.listdir(f'tests/{d}') if f.endswith('.sh')]
    return names


def main():
    cmd, path = sys.argv[1], sys.argv[2]
    muts = parse(path)
    if cmd == 'list':
        filt, sample = sys.argv[3], int(sys.argv[4])
        ids = set(filt.split(','))
        sel = [m for m in muts if filt in m['file'] or m['id'] in ids]
        if sample and sample < len(sel):
            # Spread over the list; MUTATE_SAMPLE_OFFSET shifts which ones
            # (CI passes the day of the year, so the sample rotates).
            off = int(os.environ.get('MUTATE_SAMPLE_OFFSET', '0') or 0)
            sel = [sel[(i * len(sel) // sample + off) % len(sel)] for i in range(sample)]
        for m in sel:
            # the tests as run.sh splits them (on white space): "a, b" named "a," a filter
            # that selects nothing, which now fails (found in review: 8 mutants "killed")
            tests = ' '.join(m['tests'].replace(',', ' ').split())
            print(f"{m['id']}\t{m['file']}\t{tests}\t{int('equivalent' in m)}")
    elif cmd == 'apply':
        m = next((m for m in muts if m['id'] == sys.argv[3]), None)
        if m is None:
            sys.exit(f"no mutant {sys.argv[3]}")
        text = open(sys.argv[4], encoding='utf-8').read()
        anchor(m, text)
        open(sys.argv[4], 'w', encoding='utf-8').write(text.replace(m['from'], m['to']))
    elif cmd == 'check':
        tests = known_tests()
        for m in muts:
            anchor(m, open(m['file'], encoding='utf-8').read())
            for t in m['tests'].replace(',', ' ').split():
                if not any(t in k for k in tests):
                    sys.exit(f"mutant {m['id']}: no test matches {t!r} (tests/run.sh would "
                             "run none)")
        print(f"{len(muts)} mutants, every anchor found once, every test named found")


main()
