# SPDX-License-Identifier: MIT
"""examples/bodyfile.py: users on stderr, unlock, a TSK body file whose
lines say what testdata/README.md says the scenario holds; and, as a
consistency check beside that, the same lines as `apfsinspect bodyfile`."""
import hashlib
import os
import subprocess
import sys

import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
EXAMPLE = os.path.join(os.environ.get("EXAMPLES", os.path.join(HERE, "..", "examples")),
                       "bodyfile.py")
MK_TIME = 1767225600  # 2026-01-01T00:00:00Z, every time of the generator's images


def run(*args, check=True):
    return subprocess.run([sys.executable, EXAMPLE] + list(args), capture_output=True,
                          check=check)


def fields(out):
    return {l.split(b"|")[1]: l.split(b"|") for l in out.splitlines()}


def test_demo_bodyfile(generated):
    img = generated("demo")
    r = run(img, "--password", "demo", "--md5")
    err = r.stderr.decode()
    assert "3D5A2E71-8C4B-4F0A-9E16-2B7C5D8A4F03  Local Open Directory User" in err
    assert "hint 'the usual'" in err
    assert "Personal Recovery User" in err
    assert "unlocked by 3D5A2E71-8C4B-4F0A-9E16-2B7C5D8A4F03" in err
    lines = fields(r.stdout)
    h = lines[b"/hello.txt"]
    # md5 of "hello, world\n"
    assert h[0] == b"22c3683b094136c3398391ae71b20f04"
    assert h[6] == b"13" and h[3].startswith(b"r/r")
    assert h[7:] == [str(MK_TIME).encode()] * 4
    assert lines[b"/link -> hello.txt"][3].startswith(b"l/l")
    assert lines[b"/dir"][3].startswith(b"d/d")
    assert set(lines) >= {b"/dir/nested.txt", b"/dir/sub", b"/dir/sub/deep.txt",
                          b"/empty.txt", b"/multi.bin", "/Café.txt".encode()}
    assert lines[b"/dir/sub/deep.txt"][0] == hashlib.md5(b"deep\n").hexdigest().encode()


def test_escaping(generated):
    """snapshot-diff's /forge<newline>D file /same.txt: the newline as '^' (TSK)."""
    lines = fields(run(generated("snapshot-diff")).stdout)
    assert b"/forge^D file /same.txt" in lines
    assert lines[b"/forge^D file /same.txt"][2] == b"32"


def test_wrong_password_status(generated):
    r = run(generated("demo"), "--password", "nope", check=False)
    assert r.returncode == 3 and r.stdout == b""


def test_same_lines_as_the_cli(generated):
    cli = os.environ.get("BIN")
    if not cli:
        pytest.skip("BIN (build/apfsinspect) not given")
    cases = [("demo", ["--password", "demo"], ["--passphrase", "demo"]),
             ("snapshot-diff", [], []), ("many-files", [], []), ("names", [], []),
             # a Mac's disk: the Data volume, and the System volume's merged root
             ("macos-boot", ["--password", "bob-password"], ["--passphrase", "bob-password"]),
             ("macos-boot", ["--volume", "Macintosh HD", "--password", "alice-password"],
              ["--volume", "Macintosh HD", "--passphrase", "alice-password"])]
    for scen, ours_args, cli_args in cases:
        img = generated(scen)
        ours = run(img, *ours_args).stdout
        theirs = subprocess.run([cli, "bodyfile"] + cli_args + [img],
                                capture_output=True, check=True).stdout
        # The same lines; their order is not part of a bodyfile (mactime sorts by time),
        # and the CLI lists a big directory's window in inode order.
        assert sorted(ours.splitlines()) == sorted(theirs.splitlines()), (scen, ours_args)
        assert ours.count(b"\n") >= 10
