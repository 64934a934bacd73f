# SPDX-License-Identifier: MIT
"""The shared real images: volumes, users, unlock outcomes, listings and
file hashes as ../shared/images/IMAGES.md documents them."""
import io
import stat as pystat
import unicodedata
import uuid

import pytest

import apfsinspect
from conftest import sha256

ENC_VOL = uuid.UUID("1BEC6FD3-1871-4697-BF1F-20C2620146D8")

# IMAGES.md, "basic*": path -> (size, SHA-256 from the upstream manifest, inode from fls)
BASIC = {
    "/bigattr.txt": (28, "04aebeb2dd97388480684f50c389dff001fed5927891d7a0e17122249c7f3558", 28),
    "/compressed.txt": (23893,
                        "23f90f8b2c3a4b5f3b5e156339994afd5c2718b378aca6f0e17111f80a70d4ec", 32),
    "/dir1/nested/deep.txt": (10,
                              "30cf6f2de471343739bcc1dde393c0c0771814ac3ad798f68c8a74495174521a",
                              19),
    "/empty.txt": (0, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855", 22),
    "/hardlink-to-hello": (16,
                           "25364e43b2cfa0c8cafbbfd4017149c3214727f6d9a57cfc8fafc8a56af0815f", 16),
    "/hello.txt": (16, "25364e43b2cfa0c8cafbbfd4017149c3214727f6d9a57cfc8fafc8a56af0815f", 16),
    "/random.bin": (1572864,
                    "99f7fea86c625dbcea4f1d8d47a6c41a3f2a2b04664ebd2b53642c25e689781b", 23),
    "/rsrc.txt": (23, "c4e2d89a6204e5164209f33f20214affbd437398c25e6e88ea7d3c158aa07e34", 30),
    "/script.sh": (18, "b4d644d4279594903f1a9911956432d9473041f2984fc6014c14d7402c7d126c", 24),
    "/ünïcødé/файл.txt": (21,
                          "cc4c4f3164ed1354d2a85f7531e127626a39a27857b85efa368b6f237c6bb9c5", 21),
}
BASIC_IMAGES = ["basic.img", "basic.dmg", "basic-lzfse.dmg", "basic-bz2.dmg"]


# ---- encrypted.img ---------------------------------------------------------

def test_encrypted_volume_and_container(shared):
    with apfsinspect.open(shared("encrypted.img")) as img:
        assert img.info.containers == 1 and img.info.volumes == 1
        (c,) = img.containers
        assert c.uuid == uuid.UUID("FB213F63-E69F-47E5-8F5C-32FDDB3A400C")
        assert (c.offset, c.block_size, c.block_count, c.xid) == (0, 4096, 12288, 8)
        (v,) = img.volumes
        assert (v.name, v.uuid) == ("Enc", ENC_VOL)
        assert v.encrypted and v.locked and v.case_insensitive
        assert (v.files, v.directories) == (5, 2)
        assert img.select_volume().uuid == ENC_VOL
        assert img.select_volume("Enc").uuid == ENC_VOL
        assert img.select_volume(str(ENC_VOL)).uuid == ENC_VOL


def test_encrypted_users(shared):
    with apfsinspect.open(shared("encrypted.img")) as img:
        (u,) = img.select_volume().users
        assert u.uuid == ENC_VOL                    # a Disk user: UUID = the volume's
        assert u.type == apfsinspect.UserType.DISK
        assert u.hint is None and u.parsed and not u.hardware_bound and u.offline_unlockable
        assert u.pbkdf2_iterations == 100000
        assert u.keybag_block == 170


def test_encrypted_locked_then_wrong_then_right(shared):
    with apfsinspect.open(shared("encrypted.img")) as img:
        v = img.select_volume()
        with pytest.raises(apfsinspect.Locked):
            v.open_fs()
        with pytest.raises(apfsinspect.WrongCredential) as e:
            v.unlock(password="not-the-password")
        assert isinstance(e.value, apfsinspect.ApfsInspectError)
        assert e.value.result.user is None and e.value.result.tried == 1
        assert v.locked
        u = v.unlock(password="hunter2hunter2")
        assert u.uuid == ENC_VOL and not v.locked
        with v.open_fs() as fs:
            names = set(fs.listdir("/"))
            assert {"secret.txt", "dir", ".fseventsd"} <= names
            assert fs.read_bytes("/secret.txt") == b"secret content for the encrypted volume\n"
            assert sha256(fs.read_bytes("/secret.txt")) == \
                "a4730fc4e2ed7c7b7cafdc182094bdc60ee5bd94989878a8061d6e356043baa2"
            assert sha256(fs.read_bytes("/dir/nested.txt")) == \
                "470d30407c79de54e0a578dc40183d52619a4ae23d84cdc0a612cf3339f5bf40"
            assert (fs.stat("/secret.txt").st_ino, fs.stat("/secret.txt").st_size) == (18, 40)
            assert fs.stat("/dir").st_ino == 19 and fs.stat("/dir/nested.txt").st_ino == 20
            ev = {e.name: e.ino for e in fs.scandir("/.fseventsd")}
            assert ev == {"fseventsd-uuid": 17, "000000000dddaf6b": 21, "000000000dddaf6c": 22}
            assert fs.stat("/.fseventsd").st_ino == 16


def test_encrypted_volume_key_unlocks_a_fresh_open(shared):
    with apfsinspect.open(shared("encrypted.img")) as img:
        v = img.select_volume()
        v.unlock(password="hunter2hunter2")
        vek = v.volume_key()
    assert len(vek) == 32
    with apfsinspect.open(shared("encrypted.img")) as img:
        v = img.select_volume()
        v.unlock(volume_key=vek)
        with v.open_fs() as fs:
            assert fs.read_bytes("/dir/nested.txt") == b"nested secret\n"


# ---- basic* ----------------------------------------------------------------

@pytest.mark.parametrize("name", BASIC_IMAGES)
def test_basic_volume(shared, name):
    with apfsinspect.open(shared(name)) as img:
        (c,) = img.containers
        assert c.uuid == uuid.UUID("35c91197-a294-4361-9b05-5a3607689022")
        assert c.offset == 20480 and c.xid == 5
        assert img.info.size == 16777216
        (v,) = img.volumes
        assert v.name == "ACCEPT" and v.uuid == uuid.UUID("369159b9-e53c-4765-a5d8-1678f3ca7779")
        assert not v.encrypted and not v.locked and v.case_insensitive
        assert v.users == []


@pytest.mark.parametrize("name", BASIC_IMAGES)
def test_basic_files(shared, name):
    with apfsinspect.open(shared(name)) as img, img.select_volume().open_fs() as fs:
        for path, (size, digest, ino) in BASIC.items():
            st = fs.stat(path)
            assert (st.st_size, st.st_ino) == (size, ino), path
            assert sha256(fs.read_bytes(path)) == digest, path
        assert fs.stat("/script.sh").st_mode & 0o777 == 0o755
        assert fs.stat("/hello.txt").st_mode == pystat.S_IFREG | 0o644
        assert fs.stat("/hello.txt").st_nlink == 2
        assert fs.stat("/link-to-hello").type == apfsinspect.FileType.SYMLINK
        assert fs.readlink("/link-to-hello") == "hello.txt"
        assert fs.stat("/link-to-hello").st_ino == 25
        assert fs.read_bytes("/hello.txt") == b"hello from apfs\n"
        assert fs.read_bytes("/compressed.txt") == \
            "".join("%d\n" % i for i in range(1, 5001)).encode()


def test_basic_listing(shared):
    with apfsinspect.open(shared("basic.img")) as img, img.select_volume().open_fs() as fs:
        found = {}
        for dirpath, dirs, files in fs.walk("/"):
            for n in dirs + files:
                p = (dirpath.rstrip("/") + "/" + n)
                found[unicodedata.normalize("NFC", p)] = fs.stat(p).st_ino
        want = {p: ino for p, (_, _, ino) in BASIC.items()}
        want.update({"/link-to-hello": 25, "/dir1": 17, "/dir1/nested": 18, "/ünïcødé": 20})
        # fls -r: every name above, nothing else but macOS's own dot-directories
        assert {p: i for p, i in found.items() if not p.startswith("/.")} == want


def test_basic_xattrs_and_fork(shared):
    with apfsinspect.open(shared("basic.dmg")) as img, img.select_volume().open_fs() as fs:
        assert fs.getxattr("/hello.txt", "com.example.test") == b"value42"
        names = dict(fs.listxattr("/hello.txt"))
        assert names["com.example.test"] == 7 and names["com.apple.provenance"] == 11
        assert sha256(fs.getxattr("/hello.txt", "com.apple.provenance")).startswith("42792b5d")
        big = fs.getxattr("/bigattr.txt", "com.example.big")
        assert len(big) == 6000
        assert sha256(big).startswith("f5ddb394") and sha256(big).endswith("bee964")
        fork = fs.read_bytes("/rsrc.txt", fork="rsrc")
        assert fork == b"this is the resource fork payload\n"
        assert sha256(fork).startswith("3bb60a11") and sha256(fork).endswith("352f84")
        with pytest.raises(apfsinspect.NotFound):
            fs.getxattr("/hello.txt", "com.example.none")


# ---- dfvfs-apfs.raw --------------------------------------------------------

def test_dfvfs(shared):
    with apfsinspect.open(shared("dfvfs-apfs.raw")) as img:
        (v,) = img.volumes
        assert v.name == "apfs_test"
        assert v.uuid == uuid.UUID("458ed10d-8ac3-4af1-8dfd-3954d151a3f3")
        with v.open_fs() as fs:
            assert set(fs.listdir("/")) == {".fseventsd", "a_directory", "a_link",
                                            "passwords.txt"}
            assert len(fs.listdir("/a_directory")) == 3
            inos = {e.name: e.ino for e in fs.scandir("/a_directory")}
            assert inos == {"a_file": 17, "another_file": 19, "a_resourcefork": 23}
            assert fs.stat("/a_directory").st_ino == 16 and fs.stat("/a_link").st_ino == 20
            st = fs.stat("/a_directory/another_file")
            assert (st.st_size, st.st_mode, st.st_uid, st.st_gid, st.st_nlink) == \
                (22, 0o100644, 99, 99, 1)
            assert fs.read_bytes(18) == (b"place,user,password\nbank,joesmith,superrich\n"
                                         b"alarm system,-,1234\ntreasure chest,-,1111\n"
                                         b"uber secret laire,admin,admin\n")
            assert fs.read_bytes("/a_directory/a_file") == \
                b"This is a text file.\n\nWe should be able to parse it.\n"
            assert fs.getxattr("/a_directory/a_file", "myxattr") == b"My extended attribute"
            assert fs.readlink("/a_link") == "a_directory/another_file"
            assert fs.read_bytes("/a_directory/a_resourcefork", fork="rsrc") == \
                b"My resource fork\n"
            assert {e.ino for e in fs.scandir("/.fseventsd")} == {22, 25, 26}


def test_file_object(shared):
    """another_file = "This is another file.\n" (IMAGES.md): dfvfs'
    apfs_file_io.py finds b"other", b"her f" and b"e." in it."""
    with apfsinspect.open(shared("dfvfs-apfs.raw")) as img, img.select_volume().open_fs() as fs:
        with fs.open("/a_directory/another_file") as f:
            assert isinstance(f, io.RawIOBase)
            assert f.readable() and f.seekable() and not f.writable()
            assert f.seek(10) == 10 and f.read(5) == b"other" and f.tell() == 15
            assert f.read(5) == b" file"
            f.seek(-3, io.SEEK_END)
            assert f.read() == b"e.\n" and f.read() == b""
            f.seek(19)
            buf = bytearray(10)
            assert f.readinto(buf) == 3 and buf[:3] == b"e.\n"
            assert f.pread(5, 12) == b"her f" and f.tell() == 22
            f.seek(8)
            hb = apfsinspect.buffer(7)
            assert len(hb) == 7 and f.readinto(hb) == 7 and bytes(hb) == b"another"
            f.seek(100)
            assert f.read(4) == b""
            f.seek(-90, io.SEEK_CUR)
            assert f.read(4) == b"othe"
            with pytest.raises(ValueError):
                f.seek(-1)
        assert f.closed
        with pytest.raises(ValueError):
            f.read(1)
        with io.BufferedReader(fs.open("/a_directory/another_file")) as b:
            assert b.readline() == b"This is another file.\n"


def test_errors_by_kind(shared):
    with apfsinspect.open(shared("dfvfs-apfs.raw")) as img, img.select_volume().open_fs() as fs:
        with pytest.raises(FileNotFoundError) as e:
            fs.stat("/no/such")
        assert isinstance(e.value, apfsinspect.NotFound) and e.value.code == 8
        with pytest.raises(apfsinspect.IsADirectory):
            fs.open("/a_directory")
        with pytest.raises(apfsinspect.NotALink):
            fs.readlink("/passwords.txt")
        with pytest.raises(apfsinspect.NotADirectory):
            fs.listdir("/passwords.txt")
        with pytest.raises(apfsinspect.NotFound):
            img.select_volume("no-such-volume")
    with pytest.raises(apfsinspect.ApfsInspectError) as e:
        apfsinspect.open(__file__)
    assert e.value.message


def test_closing_the_image_closes_what_came_from_it(shared):
    img = apfsinspect.open(shared("dfvfs-apfs.raw"))
    fs = img.select_volume().open_fs()
    f = fs.open("/passwords.txt")
    it = fs.scandir("/")
    img.close()
    assert fs.closed and f.closed and it.closed
    for call in (lambda: fs.stat("/"), lambda: f.read(1), lambda: next(it),
                 lambda: img.volumes):
        with pytest.raises(ValueError):
            call()
