"""Files written whole or not at all.

:func:`atomic_write` is glassnet's one way to write a file (model files, checkpoints,
the command line's predictions): a reader sees the old file or the new one, never
half of one, even when the disk fills up or the process is interrupted mid-write.
It uses the standard library only, so any layer may import it.
"""

from __future__ import annotations

import contextlib
import os
import stat
import tempfile
from pathlib import Path

__all__ = ["WriteError", "atomic_write"]


class WriteError(OSError):
    """A file could not be written; the message names the path, the cause and the fix."""


def _cause(exc: OSError) -> str:
    return exc.strerror or " ".join(str(exc).split())


def _file_mode(target: Path) -> int:
    """Permission bits for a new file: the old file's, else the umask's default."""
    with contextlib.suppress(OSError):
        return stat.S_IMODE(os.stat(target).st_mode)
    # Reading the umask means setting it; set it straight back.
    mask = os.umask(0o022)
    os.umask(mask)
    return 0o666 & ~mask


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


def atomic_write(path: str | os.PathLike[str], data: bytes | str) -> Path:
    """Write ``data`` to ``path`` so that a reader sees the old file or the new one.

    1) write a temporary file in the same directory, 2) flush and fsync it, 3) give it
    the old file's permissions (a new file: the umask's), 4) ``os.replace`` it onto
    ``path`` (atomic on POSIX and Windows), 5) fsync the directory. On any failure the
    temporary file is removed and ``path`` is untouched; a ``KeyboardInterrupt`` cleans
    up the same way and propagates.

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
    target = Path(path)
    payload = data.encode("utf-8") if isinstance(data, str) else data
    directory = target.parent
    if target.is_dir():
        raise WriteError(
            f"cannot write '{target}': it is a directory; give a file path inside it instead"
        )
    if not directory.is_dir():
        what = "is not a directory" if directory.exists() else "does not exist"
        raise WriteError(
            f"cannot write '{target}': the directory '{directory}' {what}; "
            f"create it first or choose another path"
        )
    try:
        tmp = tempfile.NamedTemporaryFile(
            dir=directory, prefix=f".{target.name}.", suffix=".tmp", delete=False
        )
    except OSError as exc:
        raise WriteError(
            f"cannot write '{target}': cannot create a file in '{directory}' "
            f"({_cause(exc)}); choose a writable directory"
        ) from exc
    try:
        with tmp:
            tmp.write(payload)
            tmp.flush()
            os.fsync(tmp.fileno())
        os.chmod(tmp.name, _file_mode(target))
        os.replace(tmp.name, target)
    except BaseException as exc:
        with contextlib.suppress(OSError):
            os.unlink(tmp.name)
        if isinstance(exc, OSError):
            raise WriteError(
                f"cannot write '{target}' ({_cause(exc)}); any previous file there is untouched"
            ) from exc
        raise
    _fsync_directory(directory)
    return target
