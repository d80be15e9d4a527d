"""Tests for glassnet.files: atomic writes, leftovers of killed writes, same-file checks."""

from __future__ import annotations

import os
import signal
import stat
import subprocess
import sys
import time
from pathlib import Path

import pytest

from glassnet.files import STALE_AFTER, atomic_write, same_file, stale_temporaries


def test_atomic_write_names_its_temporary_after_target_and_process(tmp_path, monkeypatch):
    seen = []
    real_replace = os.replace

    def spy(src, dst):
        seen.append(Path(src).name)
        real_replace(src, dst)

    monkeypatch.setattr(os, "replace", spy)
    atomic_write(tmp_path / "m.glassnet", b"x")
    assert seen and seen[0].startswith(f".m.glassnet.{os.getpid()}.") and seen[0].endswith(".tmp")


def test_kill_9_leftover_is_removed_by_the_next_save(tmp_path):
    """A writer killed with SIGKILL mid-write leaves its temporary; the next save cleans it."""
    target = tmp_path / "m.glassnet"
    script = (
        "import os, sys, time, glassnet.files as f\n"
        "real = os.fsync\n"
        "def stall(fd):\n"
        "    print('writing', flush=True); time.sleep(60)\n"
        "os.fsync = stall\n"
        f"f.atomic_write({str(target)!r}, b'x' * 1000)\n"
    )
    with subprocess.Popen(
        [sys.executable, "-c", script], stdout=subprocess.PIPE, text=True
    ) as proc:
        try:
            assert proc.stdout.readline().strip() == "writing"
            leftovers = list(tmp_path.glob(".m.glassnet.*.tmp"))
            assert len(leftovers) == 1  # the killed writer's temporary...
            assert stale_temporaries(target) == []  # ...is not stale while its writer runs
        finally:
            proc.send_signal(signal.SIGKILL)
            proc.wait()
    assert stale_temporaries(target) == leftovers  # its writer is gone: stale
    atomic_write(target, b"new")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["m.glassnet"]
    assert target.read_bytes() == b"new"


def _own_tag(directory):
    """This machine's tag in atomic_write's temporaries (``.NAME.PID.hTAG.XXXXXXXX.tmp``)."""
    seen = []
    real_replace = os.replace

    def spy(src, dst):
        seen.append(Path(src).name)
        real_replace(src, dst)

    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(os, "replace", spy)
        atomic_write(directory / "probe", b"x")
    (directory / "probe").unlink()
    return seen[0].split(".")[3]


def test_only_stale_temporaries_of_the_same_target_are_removed(tmp_path):
    target = tmp_path / "m.glassnet"
    keep = [
        f".m.glassnet.{os.getpid()}.abcdefgh.tmp",  # a live writer (this process)
        ".m.glassnet.ckpt.99999999.abcdefgh.tmp",  # another target's (m.glassnet.ckpt)
        ".other.99999999.abcdefgh.tmp",
        "m.glassnet.99999999.abcdefgh.tmp",  # not hidden: not ours
        ".m.glassnet.99999999.abcdefgh.tmp",  # untagged (older glassnet, any host): young
    ]
    tag = _own_tag(tmp_path)
    dead = f".m.glassnet.99999999.{tag}.abcdefgh.tmp"  # no process 99999999 runs here
    old = ".m.glassnet.zyxwvuts.tmp"  # an older glassnet's name, untouched for 2 days
    for name in [*keep, dead, old]:
        (tmp_path / name).write_text("partial")
    two_days_ago = time.time() - 48 * STALE_AFTER
    os.utime(tmp_path / old, (two_days_ago, two_days_ago))
    assert sorted(p.name for p in stale_temporaries(target)) == sorted([dead, old])
    atomic_write(target, "done")
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted([*keep, "m.glassnet"])


def test_same_file_follows_symlinks_and_hard_links(tmp_path):
    a = tmp_path / "a.csv"
    a.write_text("x\n1\n")
    link = tmp_path / "link.csv"
    link.symlink_to(a)
    hard = tmp_path / "hard.csv"
    os.link(a, hard)
    other = tmp_path / "b.csv"
    other.write_text("x\n1\n")  # same contents, another file
    assert same_file(a, link) and same_file(link, hard) and same_file(a, hard)
    assert same_file(a, tmp_path / "sub" / ".." / "a.csv")
    assert not same_file(a, other)
    assert same_file(tmp_path / "new.bin", tmp_path / "." / "new.bin")  # neither exists yet
    assert not same_file(tmp_path / "new.bin", tmp_path / "new2.bin")


@pytest.mark.skipif(not hasattr(os, "symlink"), reason="no symlinks here")
def test_same_file_through_a_dangling_symlink(tmp_path):
    link = tmp_path / "out.csv"
    link.symlink_to(tmp_path / "target.csv")  # dangling until written
    assert same_file(link, tmp_path / "target.csv")


@pytest.mark.skipif(sys.platform == "win32", reason="symbolic links need privileges there")
def test_a_symbolic_link_is_written_through(tmp_path):
    real = tmp_path / "real.glassnet"
    real.write_bytes(b"old")
    link = tmp_path / "link.glassnet"
    link.symlink_to(real)
    assert atomic_write(link, b"new") == link
    assert link.is_symlink() and real.read_bytes() == b"new"
    loop = tmp_path / "loop"
    loop.symlink_to(loop)
    with pytest.raises(OSError, match="symbolic link that cannot be followed"):
        atomic_write(loop, b"x")


def test_a_name_too_long_to_carry_whole_in_the_temporary_s_name_is_saved(tmp_path):
    """78 CJK characters and '.glassnet': 243 bytes, a valid name whose temporary file
    would pass 255 bytes; a leftover of a killed write to it is still found."""
    target = tmp_path / ("模" * 78 + ".glassnet")
    assert len(target.name.encode()) == 243
    atomic_write(target, b"x")
    assert target.read_bytes() == b"x"
    seen = []
    real_replace = os.replace

    def spy(src, dst):
        seen.append(Path(src).name)
        real_replace(src, dst)

    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(os, "replace", spy)
        atomic_write(target, b"y")
    assert len(seen[0].encode()) <= 255 and seen[0].endswith(".tmp")
    leftover = tmp_path / seen[0].replace(f".{os.getpid()}.", ".999999999.")
    leftover.write_bytes(b"half")  # (a writer that no longer runs)
    assert stale_temporaries(target) == [leftover]
    other = tmp_path / ("模" * 78 + ".other")  # (a long name of its own: not its leftover)
    assert stale_temporaries(other) == []


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="named pipes are POSIX")
def test_a_named_pipe_or_device_is_written_in_place_not_replaced(tmp_path):
    """--out /dev/null, /dev/stdout or a named pipe: renaming a temporary onto it put a
    regular file where the device or pipe was (as root, /dev/null itself)."""
    import stat

    fifo = tmp_path / "out.fifo"
    os.mkfifo(fifo)
    reader = os.open(fifo, os.O_RDONLY | os.O_NONBLOCK)  # (so that opening to write won't wait)
    try:
        assert atomic_write(fifo, b"label\nyes\n") == fifo
        assert stat.S_ISFIFO(os.stat(fifo).st_mode)
        assert os.read(reader, 100) == b"label\nyes\n"
    finally:
        os.close(reader)
    assert [p.name for p in tmp_path.iterdir()] == ["out.fifo"]  # (no temporary left)
    if os.path.exists(os.devnull):
        atomic_write(os.devnull, b"x")
        assert stat.S_ISCHR(os.stat(os.devnull).st_mode)


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="sockets as files are POSIX")
def test_a_socket_is_refused_and_left_alone(tmp_path):
    import socket
    import stat

    path = tmp_path / "s"
    with socket.socket(socket.AF_UNIX) as sock:
        sock.bind(str(path))
        with pytest.raises(OSError, match=r"cannot write '.*s': it is a socket, not a file"):
            atomic_write(path, b"x")
        assert stat.S_ISSOCK(os.stat(path).st_mode)


def test_a_path_ending_in_a_slash_is_refused_not_written_as_a_file(tmp_path, monkeypatch):
    """atomic_write('out/', ...) wrote a file named 'out': pathlib drops the slash."""
    monkeypatch.chdir(tmp_path)
    with pytest.raises(OSError, match="'out/': the path ends in '/', so it names a directory"):
        atomic_write("out/", b"x")
    assert list(tmp_path.iterdir()) == []
    (tmp_path / "out").mkdir()
    with pytest.raises(OSError, match="it is a directory"):
        atomic_write("out/", b"x")


def test_a_read_only_file_is_never_replaced_by_any_writer(tmp_path):
    """Every writer goes through atomic_write (figures, ONNX files, predictions, exercise
    sheets): a file made read-only is left as it is, even for root, also through a link."""
    from glassnet.files import WriteError, read_only

    path = tmp_path / "kept.csv"
    path.write_text("old\n")
    link = tmp_path / "link.csv"
    link.symlink_to(path)
    os.chmod(path, 0o444)
    assert read_only(path) and read_only(link) and not read_only(tmp_path / "missing.csv")
    for target in (path, link):
        with pytest.raises(WriteError, match=r"the file is read-only \(mode 0444\)") as info:
            atomic_write(target, "new\n")
        assert "chmod u+w" in str(info.value) and "choose another path" in str(info.value)
        assert path.read_text() == "old\n"
    assert not list(tmp_path.glob(".*.tmp"))  # nothing left behind
    os.chmod(path, 0o644)
    atomic_write(link, "new\n")
    assert path.read_text() == "new\n" and link.is_symlink()


def test_a_full_disk_leaves_the_old_file_and_no_temporary(tmp_path):
    """A real full disk (a 64 KiB tmpfs; needs root): the write fails with ENOSPC as the
    temporary file grows, and is refused whole."""
    from glassnet.files import WriteError

    disk = tmp_path / "tiny"
    disk.mkdir()
    mounted = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=64k", "tmpfs", str(disk)], capture_output=True
    )
    if mounted.returncode != 0:
        pytest.skip("cannot mount a small tmpfs here (needs root)")
    try:
        path = disk / "m.glassnet"
        atomic_write(path, b"old")
        for target in (path, disk / "new.glassnet"):
            with pytest.raises(WriteError, match="No space left on device.*untouched"):
                atomic_write(target, b"x" * 200_000)
        assert path.read_bytes() == b"old"
        assert sorted(p.name for p in disk.iterdir()) == ["m.glassnet"]
    finally:
        subprocess.run(["umount", str(disk)], check=True)


def test_ctrl_c_in_the_middle_of_writing_leaves_the_old_file_and_no_temporary(
    tmp_path, monkeypatch
):
    """KeyboardInterrupt once half the bytes are in the temporary file."""
    import tempfile

    made = []
    real = tempfile.NamedTemporaryFile

    class HalfThenInterrupt:
        def __init__(self, *args, **kwargs):
            self.file = real(*args, **kwargs)
            self.name = self.file.name
            made.append(self.name)

        def __enter__(self):
            return self

        def __exit__(self, *exc):
            return self.file.__exit__(*exc)

        def write(self, data):
            self.file.write(data[: len(data) // 2])
            self.file.flush()
            assert os.path.getsize(self.name) == len(data) // 2
            raise KeyboardInterrupt

    path = tmp_path / "m.glassnet"
    atomic_write(path, b"old")
    monkeypatch.setattr(tempfile, "NamedTemporaryFile", HalfThenInterrupt)
    with pytest.raises(KeyboardInterrupt):
        atomic_write(path, b"new" * 1000)
    assert made and path.read_bytes() == b"old"
    assert [p.name for p in tmp_path.iterdir()] == ["m.glassnet"]


@pytest.mark.parametrize("name", ["a\0b.csv", "x" * 300 + ".csv", ("d" * 200 + "/") * 25 + "m"])
def test_a_path_no_file_can_have_is_a_write_error_naming_it(tmp_path, name):
    """A NUL character or a name too long (ENAMETOOLONG), not Python's bare ValueError or
    OSError."""
    from glassnet.files import WriteError

    with pytest.raises(WriteError, match=r"cannot write .*(NUL character|File name too long)"):
        atomic_write(tmp_path / name, "x\n")
    assert list(tmp_path.iterdir()) == []


def test_a_new_file_s_permissions_come_from_the_umask_without_changing_it(tmp_path, monkeypatch):
    """Setting the umask to read it would give a file another thread creates meanwhile the
    wrong permissions: where Linux tells the umask (/proc/self/status), it is only read."""
    status = Path("/proc/self/status")
    if not (status.exists() and "Umask:" in status.read_text()):
        pytest.skip("the system does not tell the umask without setting it")
    mask = os.umask(0o027)
    try:

        def no_umask(mask):
            raise AssertionError("os.umask was called")

        monkeypatch.setattr(os, "umask", no_umask)
        path = atomic_write(tmp_path / "new.csv", "x\n")
        monkeypatch.undo()
        assert stat.S_IMODE(path.stat().st_mode) == 0o640
    finally:
        os.umask(mask)


def test_a_replaced_file_keeps_its_permissions_but_not_its_set_user_id_bit(tmp_path):
    """A set-user-id program written over (by root, say) must not run the new bytes with
    its owner's rights."""
    path = tmp_path / "tool"
    path.write_text("old\n")
    os.chmod(path, 0o4755)
    if not stat.S_IMODE(path.stat().st_mode) & stat.S_ISUID:
        pytest.skip("this file system drops set-user-id bits itself")
    atomic_write(path, "new\n")
    assert stat.S_IMODE(path.stat().st_mode) == 0o755
