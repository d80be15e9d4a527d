"""What the MPI tests share: ``mpiexec`` run in a session of its own, killed whole when it
outlives its timeout (a hung job's ranks must not outlive the test)."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[1]


def launch(args: list[Any], cwd: Any = None, timeout: float = 120) -> tuple[int, str, str] | None:
    """``mpiexec *args`` (in ``cwd``, this checkout first on PYTHONPATH): (status, stdout,
    stderr), or None when it had not ended after ``timeout`` seconds (a hang: the job is
    killed whole). Skips the test without mpi4py or ``mpiexec``."""
    pytest.importorskip("mpi4py")
    mpiexec = shutil.which("mpiexec")
    if mpiexec is None:
        pytest.skip("mpiexec not found (pip install 'glassnet[mpi]' brings MPICH's)")
    path = os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")])
    proc = subprocess.Popen(
        [mpiexec, *map(str, args)], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        start_new_session=True, env={**os.environ, "PYTHONPATH": path}, cwd=cwd,
    )  # fmt: skip
    try:
        out, err = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.communicate()
        return None
    return proc.returncode, out, err
