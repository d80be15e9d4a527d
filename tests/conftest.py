"""Test-run settings shared by every test module."""

import os

from hypothesis import settings

# Property-based tests explore freshly random examples on a developer's machine, but CI
# (CI=true) must give the same verdict for the same commit: there, hypothesis derives its
# examples from each test's name instead of a random seed.
settings.register_profile("ci", derandomize=True, database=None, deadline=None)
settings.register_profile("dev", deadline=None)
settings.load_profile("ci" if os.environ.get("CI") else "dev")

# One BLAS thread per test process: the suite's matrices are small, and on a 2-core machine
# two BLAS threads per product cost many times the CPU time of one (and oversubscribe when
# a test starts subprocesses). Tests that are about threads set their own limits.
from threadpoolctl import threadpool_limits  # noqa: E402

threadpool_limits(1)


# The playground's browser tests share a server, a browser and a page (a module may define
# its own, which then takes their place there): tests/browser_helpers.py finds Chromium.
import pytest  # noqa: E402
from browser_helpers import CHROMIUM, chromium, page_of  # noqa: E402


@pytest.fixture(scope="module")
def server():
    """A playground server for the module's tests."""
    from glassnet.playground import Playground

    pg = Playground().start()
    yield pg
    pg.close()


@pytest.fixture(scope="module")
def browser():
    """Headless Chromium through Playwright, or a skip that says what is missing."""
    pytest.importorskip("playwright.sync_api", reason="needs playwright (the test extra)")
    if CHROMIUM is None:
        pytest.skip("needs Chromium at /usr/bin/chromium (apt-get install -y chromium)")
    yield from chromium()


@pytest.fixture
def page(browser, server):
    """A page whose script and console errors fail the test."""
    yield from page_of(browser)


# mypy on a user's script, with glassnet read from this checkout (its own modules read for
# their types and not reported on: follow_imports = silent), one cache for the whole run
ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


@pytest.fixture(scope="session")
def _mypy_cache(tmp_path_factory):
    return tmp_path_factory.mktemp("mypy_cache")


@pytest.fixture
def mypy(tmp_path, _mypy_cache):
    """``run(code, *flags) -> (errors, stdout, script)``: mypy's error lines on ``code``
    written as a script (stderr must be empty)."""
    api = pytest.importorskip("mypy.api")

    def run(code, *flags):
        script = tmp_path / "script.py"
        script.write_text(code)
        config = tmp_path / "mypy.ini"
        config.write_text(
            f"[mypy]\nmypy_path = {ROOT}\nfollow_imports = silent\ncache_dir = {_mypy_cache}\n"
        )
        stdout, stderr, _ = api.run([*flags, "--config-file", str(config), str(script)])
        assert stderr == "", stderr
        return [line for line in stdout.splitlines() if ": error:" in line], stdout, script

    return run


@pytest.fixture
def tables():
    """functional's tables as they were, restored after the test whatever it added or
    replaced in them (the same dicts, which every module reads)."""
    import glassnet.functional as F

    acts, losses = dict(F.ACTIVATIONS), dict(F.LOSSES)
    try:
        yield
    finally:
        F.ACTIVATIONS.clear()
        F.ACTIVATIONS.update(acts)
        F.LOSSES.clear()
        F.LOSSES.update(losses)


@pytest.fixture(autouse=True)
def _own_working_directory(request, tmp_path_factory):
    """A module that runs the command line in-process (tests/cli_helpers.py's ``run``, or
    ``glassnet.cli.main`` imported) runs each test in a directory of its own: ``glassnet
    train`` without ``--out`` locks and writes ``model.glassnet`` in the working directory,
    and two such tests at once under xdist met at that one lock (the second refused,
    "another glassnet train is writing it", an extra line on stderr where its test wanted
    one error)."""
    runner = getattr(request.module, "run", None)
    cli = getattr(request.module, "main", None)  # (a module calling glassnet.cli.main itself)
    if getattr(runner, "__module__", "").endswith("cli_helpers") or (
        getattr(cli, "__module__", "") == "glassnet.cli"
    ):
        request.getfixturevalue("monkeypatch").chdir(tmp_path_factory.mktemp("cwd"))
