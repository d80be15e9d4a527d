"""Files written whole or not at all.

:func:`atomic_write` is glassnet's one way to write a file (model files, checkpoints,
the command line's predictions): a reader sees the old file or the new one, never
half of one, even when the disk fills up or the process is interrupted mid-write.
It uses the standard library only, so any layer may import it.

A write that is killed outright (``kill -9``, a power cut) can leave its temporary
file ``.NAME.PID.hTAG.XXXXXXXX.tmp`` beside the target; the next :func:`atomic_write` to
the same target removes such leftovers (see :func:`stale_temporaries`): at once where
the writer ran on this machine (``TAG``) and no longer runs, else only once a day old.
:func:`same_file` tells whether two paths name one file, so that a command can
refuse to write over its own input.
"""

from __future__ import annotations

import contextlib
import errno
import hashlib
import os
import re
import secrets
import socket
import stat
import tempfile
import time
from pathlib import Path
from typing import Any

__all__ = [
    "WriteError",
    "atomic_write",
    "open_in_place",
    "probe_directory",
    "home_refusal",
    "unreplaced_home",
    "read_only",
    "read_only_file_system",
    "read_only_refusal",
    "replace_into",
    "same_file",
    "stale_temporaries",
    "temporary_prefix",
]

#: A temporary file of this machine's (its name's ``TAG`` is this host's and process id
#: namespace's) whose writer still runs is removed once it is this old (seconds): its
#: process id may have been reused by another process since.
STALE_AFTER = 3600.0

#: A temporary file whose writer cannot be judged from here is removed only once it is
#: this old (seconds, a day): one of another machine (MPI ranks, jobs on other nodes
#: sharing a network file system), of another container (another process id namespace,
#: where its process id means nothing here), or of a glassnet older than the ``TAG``.
#: Its writer may be alive and writing, so a younger one is never touched.
FOREIGN_STALE_AFTER = 86400.0


#: Names of files that glassnet predict's CSV text would only pretend to be, by suffix.
NOT_CSV = {
    ".gz": "a gzip-compressed file", ".bz2": "a bzip2-compressed file",
    ".xz": "an xz-compressed file", ".zst": "a zstd-compressed file", ".zip": "a zip archive",
    ".xlsx": "an Excel workbook", ".xls": "an Excel workbook", ".ods": "a spreadsheet",
    ".parquet": "a Parquet file", ".feather": "a Feather file", ".arrow": "an Arrow file",
    ".npy": "a NumPy file", ".npz": "a NumPy file", ".pkl": "a pickle", ".json": "a JSON file",
    ".glassnet": "a glassnet model file", ".safetensors": "a safetensors file",
    ".ckpt": "a checkpoint", ".onnx": "an ONNX model",
}  # fmt: skip

#: Names of files that a glassnet model file (binary safetensors: train --out,
#: save_model) would only pretend to be.
NOT_MODEL = {
    ".csv": "a CSV file", ".tsv": "a TSV file", ".txt": "a text file", ".tab": "a TSV file",
    **{k: v for k, v in NOT_CSV.items() if k not in (".glassnet", ".safetensors")},
}  # fmt: skip


#: Names of files that an ONNX model (binary protobuf: glassnet export,
#: glassnet.onnx.export) would only pretend to be.
NOT_ONNX = {
    **{k: v for k, v in NOT_MODEL.items() if k != ".onnx"},
    ".glassnet": "a glassnet model file", ".safetensors": "a safetensors file",
}  # fmt: skip


def misnamed(
    path: Path, label: str, table: dict[str, str], writes: str, suffix: str, fix: str | None = None
) -> str | None:
    """The refusal of an output ``path`` named as a format other than the one written there
    (a model file as ``model.onnx``, an ONNX model as ``net.glassnet``), or None: ``table``
    maps the refused suffixes to what they name (:data:`NOT_MODEL`, ...), ``writes`` says
    what is written, ``suffix`` the ending to give instead (``fix``: other advice)."""
    kind = table.get(path.suffix.lower())
    if kind is None:
        return None
    if fix is None:
        fix = f"give a name ending in {suffix}, e.g. '{path.with_suffix(suffix)}'"
    return (
        f"{label} '{path}' names {kind} ({path.suffix}), but {writes}, which that name would "
        f"misdescribe: {fix}"
    )


class WriteError(OSError):
    """A file could not be written; the message names the path, the cause and the fix."""


def _cause(exc: OSError) -> str:
    return exc.strerror or " ".join(str(exc).split())


def _umask() -> int:
    """The process's umask. Linux (4.7 on) tells it in ``/proc/self/status``; elsewhere,
    reading it means setting it and straight back, and a file another thread creates in
    between gets 0o022's permissions, which may show it to other users."""
    with contextlib.suppress(OSError, ValueError, IndexError):
        with open("/proc/self/status", encoding="ascii", errors="replace") as f:
            for line in f:
                if line.startswith("Umask:"):
                    return int(line.split()[1], 8)
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def _file_mode(target: Path) -> int:
    """Permission bits for a new file: the old file's (read, write and execute: not its
    set-user-id, set-group-id or sticky bits, which new contents must not inherit), else
    the umask's default."""
    with contextlib.suppress(OSError):
        return stat.S_IMODE(os.stat(target).st_mode) & 0o777
    return 0o666 & ~_umask()


def _keep_owner(tmp: str, target: Path, dir_fd: int | None = None) -> None:
    """Give the temporary file the old file's owner and group, as far as this process may:
    a file replaced by a new one otherwise belongs to its writer's user and primary group,
    so a group-writable file of a shared directory (a team's models) would stop being the
    group's, and root replacing a user's file would take it from the user. A process may
    give its own file to any of its groups (root: to anyone); what it may not is left."""
    if not hasattr(os, "chown"):
        return
    try:
        old, new = os.stat(target), os.stat(tmp, dir_fd=dir_fd)
    except OSError:
        return  # (a new file: the writer's, as any new file)
    if (old.st_uid, old.st_gid) == (new.st_uid, new.st_gid):
        return
    try:
        os.chown(tmp, old.st_uid, old.st_gid, dir_fd=dir_fd)
    except OSError:
        with contextlib.suppress(OSError):
            os.chown(tmp, -1, old.st_gid, dir_fd=dir_fd)  # (not root: the group alone)


def _short_temporary(dir_fd: int) -> str:
    """A new empty file '.gn-XXXXXX.tmp' (mode 0600) in the directory open as ``dir_fd``:
    its name, relative to it (a short name, for a target's path near PATH_MAX)."""
    while True:
        name = f".gn-{secrets.token_hex(3)}.tmp"
        with contextlib.suppress(FileExistsError):
            os.close(os.open(name, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600, dir_fd=dir_fd))
            return name


def probe_directory(directory: str | os.PathLike[str]) -> None:
    """Create and remove a temporary file in ``directory`` (whether a file can be written
    there: not in /proc, even for root); its OSError propagates. By the directory's
    descriptor, so a path near PATH_MAX is probed as :func:`atomic_write` writes it."""
    fd = os.open(directory, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    try:
        os.unlink(_short_temporary(fd), dir_fd=fd)
    finally:
        os.close(fd)


def _write_by_directory(target: Path, payload: bytes) -> None:
    """:func:`atomic_write`'s steps for a ``target`` whose temporary's full path would pass
    PATH_MAX: the temporary ('.gn-XXXXXX.tmp') made, renamed and removed relative to the
    directory's descriptor, so any path that ``open()`` can write is written."""
    fd = os.open(target.parent, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    try:
        name = _short_temporary(fd)
        try:
            out = os.open(name, os.O_WRONLY, dir_fd=fd)
            with os.fdopen(out, "wb") as f:
                f.write(payload)
                f.flush()
                os.fsync(f.fileno())
            replace_into(name, target, fd)
        except BaseException:
            with contextlib.suppress(OSError):
                os.unlink(name, dir_fd=fd)
            raise
    finally:
        os.close(fd)


def replace_into(tmp: str, target: Path, dir_fd: int | None = None) -> None:
    """Rename the written and fsynced temporary file ``tmp`` onto ``target`` as
    :func:`atomic_write` does: the old file's owner and permissions first, then
    ``os.replace``, then the directory fsynced (for a writer of its own: a stream written
    block by block into a temporary named with :func:`temporary_prefix`, or
    :func:`temporary_beside`'s, ``tmp`` relative to the directory open as ``dir_fd``)."""
    _keep_owner(tmp, target, dir_fd)  # (before chmod: a chown may clear mode bits)
    os.chmod(tmp, _file_mode(target), dir_fd=dir_fd)
    if dir_fd is None:
        os.replace(tmp, target)
        _fsync_directory(target.parent)
        return
    os.replace(tmp, target.name, src_dir_fd=dir_fd, dst_dir_fd=dir_fd)
    with contextlib.suppress(OSError):
        os.fsync(dir_fd)


def temporary_beside(target: Path, **kw: Any) -> tuple[Any, str, int | None]:
    """A new temporary file beside ``target``, open (``kw`` as :func:`open`'s: mode 'w+b' by
    default), for :func:`replace_into`: (file, name, None) as :func:`atomic_write` names it,
    else, where that full path would pass PATH_MAX, (file, '.gn-XXXXXX.tmp', the directory's
    descriptor, to close after). Its OSError propagates."""
    mode = kw.pop("mode", "w+b")
    try:
        tmp = tempfile.NamedTemporaryFile(
            mode, dir=target.parent, prefix=temporary_prefix(target), suffix=".tmp",
            delete=False, **kw,
        )  # fmt: skip
        return tmp, tmp.name, None
    except OSError as exc:
        if exc.errno != errno.ENAMETOOLONG:
            raise
    fd = os.open(target.parent, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    try:
        name = _short_temporary(fd)
    except BaseException:
        os.close(fd)
        raise
    try:
        return os.fdopen(os.open(name, os.O_RDWR, dir_fd=fd), mode, **kw), name, fd
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(name, dir_fd=fd)
        os.close(fd)
        raise


def _fsync_directory(directory: Path) -> None:
    """Make the rename itself durable (POSIX; a no-op where directories cannot be opened)."""
    if not hasattr(os, "O_DIRECTORY"):
        return
    with contextlib.suppress(OSError):
        fd = os.open(directory, os.O_RDONLY | os.O_DIRECTORY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def same_file(a: str | os.PathLike[str], b: str | os.PathLike[str]) -> bool:
    """Whether paths ``a`` and ``b`` name the same file.

    Symbolic links are followed and hard links recognised: two existing paths are the
    same file when they have the same device and inode (``os.stat``). A path that does
    not exist yet (an output about to be written) is compared by its resolved absolute
    path, so ``out.bin`` and ``./dir/../out.bin`` are the same too.

    >>> same_file("a.csv", "./a.csv")
    True
    """
    try:
        sa, sb = os.stat(a), os.stat(b)
    except OSError:
        try:
            return Path(a).resolve() == Path(b).resolve()
        except (OSError, RuntimeError):  # (a loop of links names no file: the writer says so)
            return os.path.abspath(a) == os.path.abspath(b)
    return (sa.st_dev, sa.st_ino) == (sb.st_dev, sb.st_ino)


def _alive(pid: int) -> bool:
    """Whether process ``pid`` runs on this machine (a process we may not signal does)."""
    if pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OverflowError, OSError):
        return pid < 2**22  # (OverflowError/OSError: no such pid can exist)
    return True


def _writer_tag() -> str:
    """``h`` and 8 hex digits naming this machine and this process id namespace: a hash of
    the host name, Linux's boot id and the namespace's inode (``/proc/self/ns/pid``). Two
    processes with the same tag see each other's process ids; others' mean nothing here."""
    parts = [socket.gethostname()]
    for source in ("/proc/sys/kernel/random/boot_id", "/proc/self/ns/pid"):
        try:
            parts.append(
                os.readlink(source) if source.endswith("/pid") else Path(source).read_text()
            )
        except (OSError, ValueError):
            parts.append("")
    return "h" + hashlib.sha1("\0".join(parts).encode("utf-8", "replace")).hexdigest()[:8]


def temporary_prefix(path: str | os.PathLike[str]) -> str:
    """The start of the name of a temporary file written beside ``path`` by this process,
    ``.NAME.PID.hTAG.`` (for ``tempfile``'s ``prefix``; ``.tmp`` its suffix): the name
    :func:`stale_temporaries` judges, by its process id where ``TAG`` is this machine's.
    A writer of its own (a stream written block by block) names its temporary so too."""
    return f".{_stem(Path(path).name)}.{os.getpid()}.{_writer_tag()}."


def stale_temporaries(path: str | os.PathLike[str]) -> list[Path]:
    """The leftover temporary files of interrupted writes to ``path``.

    :func:`atomic_write` names its temporary file ``.NAME.PID.hTAG.XXXXXXXX.tmp`` in the
    target's directory (``NAME`` the target's file name, ``PID`` the writer's process id,
    ``TAG`` a hash of its host, boot and process id namespace). A temporary of this
    machine's (the same ``TAG``) is stale when its process no longer runs (it was killed
    before it could clean up), or when it was last modified more than :data:`STALE_AFTER`
    seconds ago (the process id may be another's by now). Any other (another machine's on
    a shared network file system, another container's, an older glassnet's without the
    ``TAG``) is stale only when last modified more than :data:`FOREIGN_STALE_AFTER`
    seconds (a day) ago: its process id says nothing here, and its writer may be alive.
    The temporaries of other targets are never included.
    """
    target = Path(path)
    stem = re.escape(_stem(target.name))
    # (tempfile's random part: 8 characters of a-z, 0-9 and _; a user's ".NAME.backup.tmp"
    # is none of glassnet's)
    pattern = re.compile(r"\." + stem + r"\.(?:(\d+)\.(?:(h[0-9a-f]{8})\.)?)?[a-z0-9_]{8}\.tmp\Z")
    here = _writer_tag()
    stale = []
    try:
        candidates = list(os.scandir(target.parent))
    except OSError:
        return []
    now = time.time()
    for entry in candidates:
        m = pattern.match(entry.name)
        if m is None:
            continue
        try:
            info = entry.stat(follow_symlinks=False)
        except OSError:
            continue
        if not stat.S_ISREG(info.st_mode):
            continue
        age = now - info.st_mtime
        if m.group(2) == here and m.group(1) is not None:  # (this machine's: ask its pid)
            stale_now = not _alive(int(m.group(1))) or age > STALE_AFTER
        else:
            stale_now = age > FOREIGN_STALE_AFTER
        if stale_now:
            stale.append(Path(entry.path))
    return stale


_NAME_MAX = 255  # bytes in a file name on the common file systems (ext4, APFS, NTFS: 255)


def _stem(name: str) -> str:
    """The target's name as its temporary file carries it: whole, or, where the temporary's
    name would pass :data:`_NAME_MAX` bytes, cut and followed by a hash of the whole name
    (so two long names keep apart)."""
    raw = name.encode("utf-8", "surrogateescape")
    if len(raw) <= _NAME_MAX - 40:  # (".", ".PID.", "hTAG.", 8 random characters, ".tmp")
        return name
    cut = raw[: _NAME_MAX - 60].decode("utf-8", "ignore")
    return f"{cut}~{hashlib.sha1(raw).hexdigest()[:12]}"


def _kind(mode: int) -> str:
    """What a file of ``os.stat`` mode ``mode`` is, for a message."""
    if stat.S_ISFIFO(mode):
        return "a named pipe (FIFO)"
    if stat.S_ISCHR(mode):
        return "a character device"
    if stat.S_ISBLK(mode):
        return "a block device (a disk)"
    if stat.S_ISSOCK(mode):
        return "a socket"
    if stat.S_ISDIR(mode):
        return "a directory"
    return "not a regular file"


def open_in_place(path: str | os.PathLike[str]) -> Any:
    """Open ``path``, a character device or a named pipe (``/dev/null``, ``/dev/stdout``,
    a FIFO), to write in place (binary, blocking writes), as :func:`atomic_write` does.

    The open itself never waits: a plain ``open`` of a FIFO that no program reads waits
    for a reader for ever, so it is opened with ``O_NONBLOCK`` and a FIFO without a
    reader is refused at once (nothing is written, so its reader can be started and the
    write made again). What is opened is checked again on the descriptor (``fstat``):
    a path swapped for a regular file or another kind since its check is refused too, as
    is a block device or a socket.

    Raises
    ------
    WriteError
        Naming the path, what it is and what to do.
    """
    p = Path(path)
    flags = os.O_WRONLY | getattr(os, "O_BINARY", 0) | getattr(os, "O_NOCTTY", 0)
    nonblock = getattr(os, "O_NONBLOCK", 0)
    try:
        before = os.stat(p).st_mode
    except OSError as exc:
        raise WriteError(f"cannot write '{p}' ({_cause(exc)})") from exc
    if not (stat.S_ISCHR(before) or stat.S_ISFIFO(before)):
        raise WriteError(f"cannot write '{p}': it is {_kind(before)}, not a file; give a file path")
    try:
        fd = os.open(p, flags | nonblock)
    except OSError as exc:
        if exc.errno == errno.ENXIO and stat.S_ISFIFO(before):
            raise WriteError(
                f"cannot write '{p}': it is a named pipe (FIFO) that no program is reading, "
                f"so writing would wait for ever; nothing was written: start its reader first "
                f"(e.g. cat '{p}' > copy &) and write again, or give a file path"
            ) from exc
        raise WriteError(f"cannot write '{p}' ({_cause(exc)})") from exc
    try:
        mode = os.fstat(fd).st_mode
        if not (stat.S_ISCHR(mode) or stat.S_ISFIFO(mode)):  # (swapped since the check)
            raise WriteError(
                f"cannot write '{p}': it is {_kind(mode)} (it changed while it was opened); "
                f"write again"
            )
        if nonblock and hasattr(os, "set_blocking"):
            os.set_blocking(fd, True)  # (a reader that reads slowly is waited for, as ever)
        return open(fd, "wb")  # noqa: SIM115 - the caller's with-block closes it
    except BaseException:
        with contextlib.suppress(OSError):
            os.close(fd)
        raise


def _write_in_place(path: Path, payload: bytes) -> None:
    """Write to a character device or a named pipe (``/dev/null``, ``/dev/stdout``, a FIFO):
    there is no file to replace, and renaming a temporary onto it would put a regular file
    where the device or pipe was. A pipe without a reader is refused (:func:`open_in_place`)."""
    f = open_in_place(path)
    try:
        f.write(payload)
        f.close()  # (flushes: a reader that left gives EPIPE here)
    except OSError as exc:
        with contextlib.suppress(OSError):
            f.close()  # (the descriptor is closed even where the flush fails again)
        raise WriteError(f"cannot write '{path}' ({_cause(exc)})") from exc
    except BaseException:
        with contextlib.suppress(OSError):
            f.close()
        raise


def read_only(path: str | os.PathLike[str]) -> bool:
    """Whether ``path`` is an existing file that its owner protected from writing: no write
    permission bit is set (mode 0444), or this user may not write it. The mode bits are
    read as well as ``os.access``, because root may write any file: a write that would
    replace a read-only file is refused even then, as the user meant to protect it.

    >>> read_only("no such file")
    False
    """
    try:
        info = os.stat(path)
    except (OSError, ValueError):  # missing (about to be written), or a name it cannot take
        return False
    if not stat.S_ISREG(info.st_mode) or read_only_file_system(path):
        return False  # (a read-only file system: no chmod helps, read_only_refusal says so)
    return not (info.st_mode & 0o222 and os.access(path, os.W_OK))


def read_only_file_system(path: str | os.PathLike[str]) -> bool:
    """Whether ``path`` (or, when it does not exist, its directory) is on a file system
    mounted read-only (``os.statvfs``'s ``ST_RDONLY``)."""
    for p in (path, os.path.dirname(os.fspath(path)) or "."):
        with contextlib.suppress(OSError, ValueError, AttributeError):
            return bool(os.statvfs(p).f_flag & os.ST_RDONLY)
    return False


def read_only_refusal(path: str | os.PathLike[str]) -> str:
    """Why ``path`` cannot be written, for a path on a read-only file system (the same words
    everywhere): the file system, not the file, is read-only."""
    directory = os.path.dirname(os.fspath(path)) or "."
    return (
        f"cannot write '{os.fspath(path)}': the directory '{directory}' is on a read-only file "
        f"system; choose a path in a directory you can write to"
    )


def unreplaced_home(path: Any) -> tuple[str, str] | None:
    """For a ``path`` starting with ``~`` (or ``~user``) that names no file or folder here:
    (that first part, the path with the home folder put in); else None. Neither glassnet nor
    ``open()`` replaces the ``~`` (a shell does, but not after '='), so such a path would
    name a folder called ``~`` in the current directory (the rule of :func:`home_refusal`,
    ``tilde_hint`` and the command line's output check)."""
    given = os.fspath(path) if isinstance(path, (str, os.PathLike)) else ""
    if not isinstance(given, str) or not given.startswith("~"):
        return None
    first = given.replace(os.sep, "/").split("/", 1)[0]
    home = os.path.expanduser(given)
    return None if home == given or os.path.exists(first) else (first, home)


def home_refusal(path: Any) -> str:
    """Why an output ``path`` starting with ``~`` is refused (:func:`unreplaced_home`), or
    "" when it is not."""
    found = unreplaced_home(path)
    if found is None:
        return ""
    return (
        f"cannot write '{os.fspath(path)}': its '~' is not replaced by your home folder here "
        f"(a shell does, but not after '='), so it would create a folder named '{found[0]}' "
        f"in the current directory; give the path as '{found[1]}' (os.path.expanduser(path))"
    )


def atomic_write(path: str | os.PathLike[str], data: bytes | str) -> Path:
    """Write ``data`` to ``path`` so that a reader sees the old file or the new one.

    1) write a temporary file in the same directory, 2) flush and fsync it, 3) give it
    the old file's owner and group (as far as the process may: root any, another user
    a group of its own) and permissions (a new file: the umask's), 4) ``os.replace`` it onto
    ``path`` (atomic on POSIX and Windows), 5) fsync the directory. On any failure the
    temporary file is removed and ``path`` is untouched; a ``KeyboardInterrupt`` cleans
    up the same way and propagates. Only ``kill -9`` (or a power cut) can leave the
    temporary file ``.NAME.PID.hTAG.XXXXXXXX.tmp`` behind: the next write to the same
    ``path`` removes it (:func:`stale_temporaries`). A ``path`` that is a symbolic link
    is written through: the link stays and the file it names gets the data. A name too
    long to carry whole in the temporary's name is cut there (with a hash of it). A
    character device or a named pipe (``/dev/null``, ``/dev/stdout``, a FIFO) is written
    in place, as it is no file to replace (a named pipe that no program reads is refused
    at once: a plain open would wait for a reader for ever, :func:`open_in_place`); a block
    device or a socket is refused. A file
    without write permission (:func:`read_only`) is refused, even for root: its owner
    protected it.

    Parameters
    ----------
    path : str or os.PathLike
    data : bytes, or str (written as UTF-8, newlines as given)

    Returns
    -------
    pathlib.Path
        ``path``.

    Raises
    ------
    WriteError
        An OSError whose message names the path and what to do.

    >>> import pathlib, tempfile
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     p = atomic_write(pathlib.Path(tmp) / "a.txt", "x,y\\n")
    ...     p.read_text()
    'x,y\\n'
    """
    if not isinstance(data, (bytes, bytearray, memoryview, str)):  # (nothing is created)
        raise TypeError(
            f"The 'data' parameter of atomic_write must be bytes or str (written as UTF-8). "
            f"Got {type(data).__name__}."
        )
    if isinstance(path, (str, os.PathLike)) and not os.fspath(path):  # (Path("") is ".")
        raise WriteError("cannot write '': the path is empty; give a file path")
    given = target = Path(path)
    try:
        payload = data.encode("utf-8") if isinstance(data, str) else data
    except UnicodeEncodeError as exc:  # (a lone surrogate: text read from undecodable bytes)
        bad = data[exc.start : exc.start + 1]
        raise WriteError(
            f"cannot write '{os.fspath(path)}': the text holds {bad!r} at position {exc.start}, "
            f"a character UTF-8 cannot encode (half of a surrogate pair, as text decoded from "
            f"invalid bytes holds); nothing was written: fix or drop that character"
        ) from None
    if os.fspath(path).endswith(("/", os.sep)) and not target.is_dir():  # (Path drops the /)
        what = (
            f"but '{target}' is a file; give the file's path without the '/'"
            if target.exists()
            else "which does not exist; give a file path"
        )
        raise WriteError(
            f"cannot write '{os.fspath(path)}': the path ends in '/', so it names a directory, "
            f"{what}"
        )
    if "\0" in os.fspath(given):  # (os.stat's ValueError would not name the path)
        raise WriteError(f"cannot write {os.fspath(given)!r}: a path cannot hold a NUL character")
    try:
        mode = os.stat(given).st_mode  # (links followed: /dev/stdout names a pipe or a tty)
    except OSError as exc:
        if exc.errno == errno.ENAMETOOLONG:
            raise WriteError(f"cannot write '{given}' ({_cause(exc)}): give a shorter one") from exc
        mode = 0
    if mode and not (stat.S_ISREG(mode) or stat.S_ISDIR(mode)):
        _write_in_place(given, payload)
        return given
    if target.is_symlink():  # written through: the link stays, the file it names changes
        try:
            target = target.resolve()
        except (OSError, RuntimeError) as exc:  # (a loop of links)
            raise WriteError(
                f"cannot write '{given}': it is a symbolic link that cannot be followed "
                f"({exc}); remove it or give another path"
            ) from exc
    directory = target.parent
    if read_only_file_system(target):
        raise WriteError(read_only_refusal(target))
    if read_only(target):  # (its mode bits too: root may write any file, but was told not to)
        raise WriteError(
            f"cannot write '{target}': the file is read-only (mode "
            f"{stat.S_IMODE(os.stat(target).st_mode):04o}), so it is left as it is; make it "
            f"writable first (chmod u+w '{target}') to replace it, or choose another path"
        )
    if target.is_dir():
        raise WriteError(
            f"cannot write '{target}': it is a directory; give a file path inside it instead"
        )
    if directory.exists() and not directory.is_dir():
        raise WriteError(
            f"cannot write '{target}': '{directory}' is a file, not a directory; choose "
            f"another path"
        )
    if not directory.is_dir():
        raise WriteError(
            f"cannot write '{target}': the directory '{directory}' does not exist; "
            f"create it first or choose another path"
        )
    for leftover in stale_temporaries(target):  # from writes killed before cleaning up
        with contextlib.suppress(OSError):
            os.unlink(leftover)
    try:
        tmp = tempfile.NamedTemporaryFile(
            dir=directory, prefix=temporary_prefix(target), suffix=".tmp", delete=False
        )
    except OSError as exc:
        if exc.errno != errno.ENAMETOOLONG:
            raise WriteError(
                f"cannot write '{target}': cannot create a file in '{directory}' "
                f"({_cause(exc)}); choose a writable directory"
            ) from exc
        try:  # (the path is near PATH_MAX, the temporary's longer: made by the directory's fd)
            _write_by_directory(target, payload)
        except OSError as exc2:
            raise WriteError(
                f"cannot write '{target}' ({_cause(exc2)}); any previous file there is untouched"
            ) from exc2
        return given
    try:
        with tmp:
            tmp.write(payload)
            tmp.flush()
            os.fsync(tmp.fileno())
        replace_into(tmp.name, target)
    except BaseException as exc:
        with contextlib.suppress(OSError):
            os.unlink(tmp.name)
        if (
            isinstance(exc, FileNotFoundError)
            and directory.is_dir()
            and not os.path.lexists(tmp.name)
        ):
            raise WriteError(
                f"cannot write '{target}': its temporary file '{tmp.name}' vanished before "
                f"it could be renamed into place, so another process removed it (a program "
                f"cleaning the directory, or an older glassnet on another machine of a shared "
                f"file system taking it for a dead writer's); any previous file there is "
                f"untouched: write again"
            ) from exc
        if isinstance(exc, OSError):
            raise WriteError(
                f"cannot write '{target}' ({_cause(exc)}); any previous file there is untouched"
            ) from exc
        raise
    return given


def tilde_hint(path: Any) -> str:
    """A sentence for a path that starts with ``~`` naming no folder here
    (:func:`glassnet.files.unreplaced_home`): ``'~/m.glassnet'`` names a folder called
    ``~``. Empty otherwise."""
    found = unreplaced_home(path)
    if found is None:
        return ""
    return (
        f" ('~' is not replaced by your home folder here, as open() does not replace it: "
        f"give the path as '{found[1]}', os.path.expanduser(path))"
    )
