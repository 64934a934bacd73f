# SPDX-License-Identifier: MIT
"""Fixtures: the shared images (decompressed by tests/run.sh into $IMAGES)
and generated scenarios (build/mkimage, $MKIMAGE).  Expected values in the
tests come from ../shared/images/IMAGES.md and testdata/README.md, never
from apfsinspect's own output."""
import hashlib
import os
import subprocess

import pytest


def sha256(b):
    return hashlib.sha256(b).hexdigest()


@pytest.fixture(scope="session")
def images():
    d = os.environ.get("IMAGES", "")
    return d


def _shared(images, name):
    p = os.path.join(images, name)
    if not images or not os.path.exists(p):
        if os.environ.get("CI") == "true":
            pytest.fail("CI=true: shared image %s not found (../shared/images)" % name)
        pytest.skip("shared image %s not found (../shared/images)" % name)
    return p


@pytest.fixture
def shared(images):
    """shared(name): the path of a decompressed shared image, or a skip."""
    return lambda name: _shared(images, name)


class Generated:
    """Scenario images made once per session by build/mkimage."""

    def __init__(self, tmp):
        self.tmp = tmp
        self.made = {}

    def __call__(self, scenario, *args):
        key = (scenario,) + args
        if key not in self.made:
            mk = os.environ.get("MKIMAGE")
            if not mk or not os.access(mk, os.X_OK):
                pytest.skip("MKIMAGE (build/mkimage) not built")
            out = os.path.join(self.tmp, "%s-%d.img" % (scenario, len(self.made)))
            subprocess.run([mk, scenario, out] + list(args), check=True,
                           stdout=subprocess.DEVNULL)
            self.made[key] = out
        return self.made[key]


@pytest.fixture(scope="session")
def generated(tmp_path_factory):
    return Generated(str(tmp_path_factory.mktemp("scenarios")))
