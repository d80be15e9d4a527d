"""Temporaries of other machines and containers are not taken for dead writers' ones."""

import os
import time
from pathlib import Path

import pytest

from glassnet.files import WriteError, atomic_write, stale_temporaries

FOREIGN_STALE_AFTER = 86400.0  # (glassnet.files.FOREIGN_STALE_AFTER: a day)


def _own_temporary_name(tmp_path, monkeypatch):
    """The name atomic_write gives a temporary of this process."""
    seen = []
    real_replace = os.replace

    def spy(src, dst):
        seen.append(Path(src).name)
        real_replace(src, dst)

    with monkeypatch.context() as mp:
        mp.setattr(os, "replace", spy)
        atomic_write(tmp_path / "probe", b"x")
    (tmp_path / "probe").unlink()
    return seen[0]


def test_temporary_name_carries_pid_and_a_host_tag(tmp_path, monkeypatch):
    name = _own_temporary_name(tmp_path, monkeypatch)
    parts = name.split(".")  # ['', 'probe', PID, 'hTAG', random, 'tmp']
    assert parts[2] == str(os.getpid())
    assert parts[3].startswith("h") and len(parts[3]) == 9


def test_another_hosts_young_temporary_is_kept_and_an_old_one_removed(tmp_path, monkeypatch):
    own = _own_temporary_name(tmp_path, monkeypatch)
    tag = own.split(".")[3]
    other_tag = "h" + ("0" * 8 if tag != "h00000000" else "1" * 8)
    target = tmp_path / "m.glassnet"
    # a writer on another node (pid 99999999 cannot exist here, but may there)
    foreign = tmp_path / f".m.glassnet.99999999.{other_tag}.abcdefgh.tmp"
    untagged = tmp_path / ".m.glassnet.99999999.abcdefgi.tmp"  # an older glassnet's
    dead_here = tmp_path / f".m.glassnet.99999999.{tag}.abcdefgj.tmp"
    old_foreign = tmp_path / f".m.glassnet.12.{other_tag}.abcdefgk.tmp"
    for p in (foreign, untagged, dead_here, old_foreign):
        p.write_bytes(b"half")
    hour_ago = time.time() - 3 * 3600
    os.utime(foreign, (hour_ago, hour_ago))  # hours old, still younger than a day
    day_ago = time.time() - FOREIGN_STALE_AFTER - 60
    os.utime(old_foreign, (day_ago, day_ago))
    assert sorted(p.name for p in stale_temporaries(target)) == sorted(
        [dead_here.name, old_foreign.name]
    )
    atomic_write(target, b"new")
    assert foreign.exists() and untagged.exists()
    assert not dead_here.exists() and not old_foreign.exists()


def test_a_vanished_temporary_is_named_in_the_error(tmp_path, monkeypatch):
    target = tmp_path / "m.glassnet"
    target.write_bytes(b"old")
    real_replace = os.replace

    def removed_by_another(src, dst):
        os.unlink(src)  # another process deleted the temporary
        real_replace(src, dst)

    monkeypatch.setattr(os, "replace", removed_by_another)
    with pytest.raises(WriteError, match="vanished.*another process removed it"):
        atomic_write(target, b"new")
    assert target.read_bytes() == b"old"
