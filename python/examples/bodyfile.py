#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""bodyfile.py - what a dfvfs or plaso back end does with an APFS image:
open it, name the crypto users of its encrypted volume, unlock it with a
password and write every file and directory as a line of The Sleuth Kit's
body format (TSK 3.x, what `fls -m` and `apfsinspect bodyfile` write, what
`mactime` and plaso read):

    MD5|name|inode|mode|UID|GID|size|atime|mtime|ctime|crtime

    python3 bodyfile.py IMAGE [--volume SEL] [--password PW | --recovery-key K]
                        [--snapshot NAME] [--md5] [-o OUT]

The users go to stderr, the body file to stdout (or OUT).  Without a
credential for a locked volume the password is asked on the terminal.
Exit status: 0, 1 if some entry could not be read (reported on stderr),
3 for a wrong credential, 4 when the keys are bound to the Mac's hardware.
"""
import argparse
import getpass
import hashlib
import stat
import sys

import apfsinspect

TYPE_CHAR = {stat.S_IFDIR: "d", stat.S_IFLNK: "l", stat.S_IFCHR: "c", stat.S_IFBLK: "b",
             stat.S_IFIFO: "p", stat.S_IFSOCK: "s", stat.S_IFREG: "r"}
HEX = b"0123456789abcdefABCDEF"


def tsk_field(raw):
    """A name as TSK's fls -m writes it: each C0 control byte (newline, tab,
    ESC...) as '^'.  Where the name would split the line, '|' is %7C and a
    '%' before two hex digits %25, since mactime decodes %XX in every field.
    Other bytes (not UTF-8 ones too) pass as they are."""
    out = bytearray()
    for i, c in enumerate(raw):
        if c < 0x20:
            out += b"^"
        elif c == 0x7C:
            out += b"%7C"
        elif c == 0x25 and len(raw) > i + 2 and raw[i + 1] in HEX and raw[i + 2] in HEX:
            out += b"%25"
        else:
            out.append(c)
    return bytes(out)


def mode_field(mode):
    """TSK's "r/rrw-r--r--": the type letter, then ls's mode with it in front."""
    t = TYPE_CHAR.get(stat.S_IFMT(mode), "-")
    perm = stat.filemode(mode)[1:]
    return "%s/%s%s" % (t, t, perm)


def seconds(ns):
    return (ns % (1 << 64)) // 1000000000  # TSK's unsigned whole seconds


def md5_of(fs, ino):
    h = hashlib.md5()
    sink = type("Sink", (), {"write": staticmethod(h.update)})
    with fs.open(ino) as f:
        f.copy_to(sink)  # the library's parallel reader, pieces in order
    return h.hexdigest()


def line(fs, path, st, md5):
    name = tsk_field(path.encode("utf-8", "surrogateescape"))
    if stat.S_ISLNK(st.st_mode):
        try:
            name += b" -> " + tsk_field(fs.readlink(st.st_ino).encode("utf-8", "surrogateescape"))
        except apfsinspect.ApfsInspectError:
            pass
    digest = md5_of(fs, st.st_ino) if md5 and stat.S_ISREG(st.st_mode) else "0"
    tail = "|%d|%s|%d|%d|%d|%d|%d|%d|%d\n" % (
        st.st_ino, mode_field(st.st_mode), st.st_uid, st.st_gid, st.st_size,
        seconds(st.st_atime_ns), seconds(st.st_mtime_ns), seconds(st.st_ctime_ns),
        seconds(st.st_birthtime_ns))
    return digest.encode() + b"|" + name + tail.encode()


DATA_MOUNT = "/System/Volumes/Data"


def firmlinked(fs, vol):
    """In a Mac's merged root (a group's System volume, Data firmlinked in):
    the Data directories some firmlink shows elsewhere, walked there (at the
    Mac's path) and not again below /System/Volumes/Data, as the CLI does."""
    if vol.role != "System" or not vol.has_group:
        return set()
    out = set()
    for dirpath, dirs, _ in fs.walk_entries("/", stat=True):
        if dirpath == "/System/Volumes":
            dirs[:] = [d for d in dirs if d.path != DATA_MOUNT]
        out.update(d.stat().st_ino for d in dirs)
    return out


def walk(fs, out, md5, elsewhere=frozenset()):
    """Depth first, each entry's line before what is below it (fls -r's order);
    every directory entered once.  Returns the number of entries that failed."""
    failed, seen = 0, {apfsinspect.ROOT_INO}
    stack = [("/", fs.scandir("/"))]  # iterators, not recursion: depth is the image's
    while stack:
        try:
            e = next(stack[-1][1], None)
        except apfsinspect.ApfsInspectError as err:
            print("bodyfile.py: %r: %s" % (stack[-1][0], err), file=sys.stderr)
            e, failed = None, failed + 1
        if e is None:
            stack.pop()[1].close()
            continue
        try:
            st = e.stat()
            out.write(line(fs, e.path, st, md5))
        except apfsinspect.ApfsInspectError as err:
            print("bodyfile.py: %r: %s" % (e.path, err), file=sys.stderr)
            failed += 1
            continue
        # The inode its attributes name: a firmlink's, in a Mac's merged root,
        # is the Data volume's directory, walked once whichever name comes first.
        if e.is_dir() and st.st_ino in elsewhere and e.path.startswith(DATA_MOUNT + "/"):
            continue
        if e.is_dir() and st.st_ino not in seen:
            seen.add(st.st_ino)
            try:
                stack.append((e.path, fs.scandir(e)))
            except apfsinspect.ApfsInspectError as err:
                print("bodyfile.py: %r: %s" % (e.path, err), file=sys.stderr)
                failed += 1
    return failed


def show_users(vol):
    for u in vol.users:
        who = u.name and "%s (%s)" % (u.full_name or "", u.short_name or "")
        print("user %s  %s%s%s%s" % (str(u.uuid).upper(), u.type_name,
                                     "  " + ascii(who) if who else "",
                                     "  hint " + ascii(u.hint) if u.hint else "",
                                     "  [hardware-bound]" if u.hardware_bound else ""),
              file=sys.stderr)


def keyed_volume(img, vol):
    """The volume whose users and keys count: vol, or for a System volume of a
    volume group (which shows the Mac's root, Data firmlinked in) the group's
    encrypted Data volume."""
    if vol.encrypted or not vol.has_group:
        return vol
    for v in img.volumes:
        if v.has_group and v.group_uuid == vol.group_uuid and v.encrypted:
            return v
    return vol


def unlock(vol, args):
    if not vol.locked:
        return
    if args.recovery_key:
        u = vol.unlock(recovery_key=args.recovery_key)
    else:
        pw = args.password if args.password is not None else getpass.getpass(
            "Password for %s: " % ascii(vol.name))
        u = vol.unlock(password=pw)
    print("unlocked by %s %s" % (str(u.uuid).upper(), ascii(u.name) if u.name else u.type_name),
          file=sys.stderr)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("image")
    ap.add_argument("--volume")
    ap.add_argument("--password")
    ap.add_argument("--recovery-key")
    ap.add_argument("--snapshot")
    ap.add_argument("--md5", action="store_true")
    ap.add_argument("-o", "--output")
    args = ap.parse_args()
    try:
        with apfsinspect.open(args.image) as img:
            vol = img.select_volume(args.volume)
            keyed = keyed_volume(img, vol)
            show_users(keyed)
            unlock(keyed, args)
            out = open(args.output, "wb") if args.output else sys.stdout.buffer
            with vol.open_fs(snapshot=args.snapshot) as fs:
                failed = walk(fs, out, args.md5, firmlinked(fs, vol))
            out.flush()
            return 1 if failed else 0
    except apfsinspect.WrongCredential as e:
        print("bodyfile.py: wrong credential (%d users tried)" % e.result.tried, file=sys.stderr)
        return 3
    except apfsinspect.HardwareBound:
        print("bodyfile.py: the keys are bound to the original Mac's hardware", file=sys.stderr)
        return 4
    except apfsinspect.ApfsInspectError as e:
        print("bodyfile.py: %s" % e, file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
