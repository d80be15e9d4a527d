"""A Ctrl-C while the ``glassnet`` command is still importing glassnet is one line and
status 130, as during a command; in a user's own script it stays Python's KeyboardInterrupt."""

from __future__ import annotations

import signal
import subprocess
import sys

import pytest

# SIGINT arrives while glassnet's package imports its first module after glassnet._startup
CODE = """
import os, signal, sys
sys.argv[0] = {argv0!r}
if sys.argv[0] == "-m":  # (as runpy leaves them while python -m glassnet imports it)
    sys.orig_argv = [sys.executable, "-m", "glassnet", "train"]
class Hook:
    def find_spec(self, name, path=None, target=None):
        if name == "glassnet.autograd":
            os.kill(os.getpid(), signal.SIGINT)
        return None
sys.meta_path.insert(0, Hook())
import glassnet
print("imported")
"""


def _default_sigint() -> None:
    """In the child: SIGINT as a terminal gives it, whatever the test run inherited (a shell
    starts a background job with SIGINT ignored, and Python then keeps it ignored)."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def _run(argv0: str) -> subprocess.CompletedProcess:
    code = CODE.format(argv0=argv0)
    return subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        timeout=120,
        preexec_fn=_default_sigint,
    )


@pytest.mark.parametrize("argv0", ["/usr/local/bin/glassnet", "-m"])
def test_ctrl_c_while_the_command_imports_is_one_line(argv0):
    proc = _run(argv0)
    assert proc.returncode == 130, proc.stderr
    assert proc.stderr == "glassnet: error: interrupted\n"
    assert "imported" not in proc.stdout


def test_a_users_script_keeps_pythons_keyboard_interrupt():
    proc = _run("my_script.py")
    assert proc.returncode != 130 and "KeyboardInterrupt" in proc.stderr


@pytest.mark.parametrize("module", ["glassnet", "glassnet.cli"])
def test_the_handler_is_pythons_again_once_imported(module):
    """python -m glassnet: after the package (its __main__ catches the rest); the glassnet
    command: after glassnet.cli, which its console script imports next."""
    argv = "-m" if module == "glassnet" else "/usr/local/bin/glassnet"
    code = (
        f"import sys, signal; sys.argv[0] = {argv!r}; "
        "sys.orig_argv = [sys.executable, '-m', 'glassnet']; "
        f"import {module}; print(signal.getsignal(signal.SIGINT) is signal.default_int_handler)"
    )
    proc = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        timeout=120,
        preexec_fn=_default_sigint,
    )
    assert proc.stdout.strip() == "True", proc.stderr


# SIGINT while the glassnet command's console script imports glassnet.cli (after the package)
CLI = CODE.replace('name == "glassnet.autograd"', 'name == "glassnet.cli"').replace(
    "import glassnet\n", "from glassnet.cli import main\n"
)


def test_ctrl_c_while_the_command_imports_its_command_line_is_one_line():
    code = CLI.format(argv0="/usr/local/bin/glassnet")
    proc = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        timeout=120,
        preexec_fn=_default_sigint,
    )
    assert proc.returncode == 130 and proc.stderr == "glassnet: error: interrupted\n", proc.stderr


def test_python_m_of_another_package_that_imports_glassnet_keeps_its_keyboard_interrupt(
    tmp_path,
):
    """runpy keeps argv[0] "-m" while it imports any package's modules: only
    ``python -m glassnet`` is the command starting."""
    pkg = tmp_path / "mypkg"
    pkg.mkdir()
    (pkg / "__init__.py").write_text(
        "import os, signal, sys\n"
        "class Hook:\n"
        "    def find_spec(self, name, path=None, target=None):\n"
        "        if name == 'glassnet.autograd':\n"
        "            os.kill(os.getpid(), signal.SIGINT)\n"
        "sys.meta_path.insert(0, Hook())\n"
        "try:\n    import glassnet\nexcept KeyboardInterrupt:\n    print('caught')\n"
    )
    (pkg / "__main__.py").write_text("")
    proc = subprocess.run(
        [sys.executable, "-m", "mypkg"], cwd=tmp_path, capture_output=True, text=True,
        timeout=120, preexec_fn=_default_sigint,
    )  # fmt: skip
    assert proc.returncode == 0 and "caught" in proc.stdout, proc.stderr
