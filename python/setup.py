# SPDX-License-Identifier: MIT
"""Build step of the apfsinspect module: pure Python over the installed
libapfsinspect (ctypes: no compiler needed at install time), with one
optional C loop for listings built when it can be.  It records the
library's directory as pkg-config gives it (apfsinspect.pc), so that the
module loads the library it was installed against even from a PREFIX the
dynamic loader does not search (/usr/local/lib before ldconfig, /opt/...)."""
import os
import subprocess

from setuptools import Extension, setup
from setuptools.command.build_py import build_py


def pkg_config(*args):
    try:
        return subprocess.run(["pkg-config"] + list(args) + ["apfsinspect"], check=True,
                              capture_output=True, text=True).stdout.split()
    except (OSError, subprocess.CalledProcessError):
        return None


def speedups():
    """The optional C loop for listings (src/_speedups.c): built when the
    installed apfsinspect.h is found; a failed build leaves pure ctypes."""
    cflags = pkg_config("--cflags")
    if cflags is None or os.environ.get("APFSINSPECT_PURE_PYTHON"):
        return []
    return [Extension("apfsinspect._speedups", ["src/_speedups.c"], optional=True,
                      include_dirs=[f[2:] for f in cflags if f.startswith("-I")])]


def pkg_config_libdir():
    """The installed library's directory, or None without pkg-config or the .pc."""
    try:
        flags = subprocess.run(["pkg-config", "--libs-only-L", "apfsinspect"], check=True,
                               capture_output=True, text=True).stdout.split()
        dirs = [f[2:] for f in flags if f.startswith("-L")]
        if dirs:  # with PKG_CONFIG_SYSROOT_DIR (a DESTDIR install) applied
            return dirs[0]
        return subprocess.run(["pkg-config", "--variable=libdir", "apfsinspect"], check=True,
                              capture_output=True, text=True).stdout.strip() or None
    except (OSError, subprocess.CalledProcessError):
        return None


class BuildPy(build_py):
    def run(self):
        super().run()
        libdir = pkg_config_libdir()
        if libdir:
            out = os.path.join(self.build_lib, "apfsinspect", "_build_config.py")
            with open(out, "w") as f:
                f.write("# Written by setup.py from pkg-config at install time.\n")
                f.write("LIBDIR = %r\n" % libdir)


setup(cmdclass={"build_py": BuildPy}, ext_modules=speedups())
