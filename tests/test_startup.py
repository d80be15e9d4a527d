"""A Ctrl-C while the ``glassnet`` command is still importing glassnet is one line and
status 130, as during a command; in a user's own script it stays Python's KeyboardInterrupt."""

from __future__ import annotations

import subprocess
import sys

import pytest

# SIGINT arrives while glassnet's package imports its first module after glassnet._startup
CODE = """
import os, signal, sys
sys.argv[0] = {argv0!r}
class Hook:
    def find_spec(self, name, path=None, target=None):
        if name == "glassnet.autograd":
            os.kill(os.getpid(), signal.SIGINT)
        return None
sys.meta_path.insert(0, Hook())
import glassnet
print("imported")
"""


def _run(argv0: str) -> subprocess.CompletedProcess:
    code = CODE.format(argv0=argv0)
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)


@pytest.mark.parametrize("argv0", ["/usr/local/bin/glassnet", "-m"])
def test_ctrl_c_while_the_command_imports_is_one_line(argv0):
    proc = _run(argv0)
    assert proc.returncode == 130, proc.stderr
    assert proc.stderr == "glassnet: error: interrupted\n"
    assert "imported" not in proc.stdout


def test_a_users_script_keeps_pythons_keyboard_interrupt():
    proc = _run("my_script.py")
    assert proc.returncode != 130 and "KeyboardInterrupt" in proc.stderr


def test_the_handler_is_pythons_again_once_imported():
    code = (
        "import sys, signal; sys.argv[0] = 'glassnet'; import glassnet; "
        "print(signal.getsignal(signal.SIGINT) is signal.default_int_handler)"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert proc.stdout.strip() == "True", proc.stderr
