"""The command line's round-6 fixes: a Ctrl-C while it imports, explain reading only the
rows it shows, --decimal stored in the model file, and pandas' row index."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

#: Run ``python -m glassnet --help`` as runpy does, with a Ctrl-C (a KeyboardInterrupt)
#: raised when the module named by argv[1] is imported: the moment a user presses it while
#: the command line is still importing.
_INTERRUPTED_IMPORT = textwrap.dedent(
    """
    import runpy, sys

    module = sys.argv[1]

    class Interrupt:
        def find_spec(self, name, path=None, target=None):
            if name == module:
                raise KeyboardInterrupt
            return None

    sys.meta_path.insert(0, Interrupt())
    sys.argv = ["-m", "--help"]
    runpy.run_module("glassnet", run_name="__main__", alter_sys=True)
    """
)


@pytest.mark.parametrize("module", ["glassnet.cli", "argparse", "shlex"])
def test_ctrl_c_while_the_command_line_imports_is_one_line_and_130(module):
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    env.pop("PYTHONSTARTUP", None)
    proc = subprocess.run(
        [sys.executable, "-c", _INTERRUPTED_IMPORT, module],
        capture_output=True, text=True, env=env, cwd=ROOT, timeout=120,
    )  # fmt: skip
    assert "Traceback" not in proc.stderr, proc.stderr
    assert proc.stderr == "glassnet: error: interrupted\n"
    assert proc.returncode == 130
    assert proc.stdout == ""
