"""Packaging and the optional extras: the declared bounds hold what glassnet uses (SciPy 1.11
for solver='lbfgs', SciPy beside numba for the compiled loop), the license ships, the sdist
carries every test with its helpers, and Ctrl-C in an lbfgs fit keeps the last accepted
iterate as 'sgd' and 'adam' keep their weights."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import tarfile
import types
import zipfile
from email.parser import Parser
from pathlib import Path

import numpy as np
import pytest
from sklearn.exceptions import ConvergenceWarning

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - pytest itself requires tomli before Python 3.11
    import tomli as tomllib

import glassnet as gn
import glassnet.sklearn as gsk
from glassnet import jit, nn
from glassnet.sklearn import MLPClassifier, MLPRegressor

ROOT = Path(__file__).resolve().parents[1]


def _pyproject() -> dict:
    return tomllib.loads((ROOT / "pyproject.toml").read_text())


def _bound(requirements: list[str], name: str) -> tuple[int, ...]:
    """The lower bound (>=) that ``requirements`` put on ``name``, as ints."""
    for req in requirements:
        m = re.fullmatch(rf"{re.escape(name)}\s*>=\s*([\d.]+)", req.strip())
        if m:
            return tuple(int(p) for p in m.group(1).split("."))
    raise AssertionError(f"no {name}>=... in {requirements}")


# ------------------------------------------------------------------------------------------
# 1. the sklearn extra's SciPy, and an older SciPy refused by solver='lbfgs'
# ------------------------------------------------------------------------------------------
def test_the_sklearn_extra_asks_for_the_scipy_that_lbfgs_uses():
    extras = _pyproject()["project"]["optional-dependencies"]
    assert _bound(extras["sklearn"], "scipy") >= (1, 11)  # minimize's intermediate_result


@pytest.mark.parametrize("Est", [MLPClassifier, MLPRegressor])
def test_lbfgs_refuses_an_older_scipy_naming_the_extra_and_leaves_the_estimator_unfitted(
    monkeypatch, Est
):
    X, y = gn.datasets.load_iris()
    monkeypatch.setattr(gsk.scipy, "__version__", "1.10.1")
    est = Est(solver="lbfgs", max_iter=5, random_state=0)
    with pytest.raises(ImportError) as e:
        est.fit(X, y)
    said = str(e.value)
    assert "solver='lbfgs'" in said and "SciPy >= 1.11" in said and "1.10.1" in said
    assert 'pip install "glassnet[sklearn]"' in said
    assert not hasattr(est, "coefs_") and not hasattr(est, "n_iter_")


def test_adam_still_runs_with_an_older_scipy(monkeypatch):
    X, y = gn.datasets.load_iris()
    monkeypatch.setattr(gsk.scipy, "__version__", "1.10.1")
    clf = MLPClassifier(solver="adam", max_iter=3, random_state=0, n_iter_no_change=100)
    with pytest.warns(ConvergenceWarning):
        clf.fit(X, y)
    assert clf.n_iter_ == 3


# ------------------------------------------------------------------------------------------
# 2. numba without SciPy: glassnet's message, naming the extra
# ------------------------------------------------------------------------------------------
XNOR_X = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], np.float32)
XNOR_Y = np.array([1, 0, 0, 1], np.float32)


@pytest.fixture
def numba_without_scipy(monkeypatch):
    """numba importable (a stand-in module when it is not installed), SciPy not: its import
    fails as for a missing package; jit's availability asked anew."""
    if "numba" not in sys.modules:
        try:
            import numba  # noqa: F401
        except Exception:
            monkeypatch.setitem(sys.modules, "numba", types.ModuleType("numba"))
    for name in [m for m in sys.modules if m == "scipy" or m.startswith("scipy.")]:
        monkeypatch.delitem(sys.modules, name)
    for name in ("scipy", "scipy.linalg", "scipy.linalg.cython_blas"):
        monkeypatch.setitem(sys.modules, name, None)  # import raises ModuleNotFoundError
    monkeypatch.setattr(jit, "_numba", None)
    monkeypatch.setattr(jit, "_compiled", False)


def test_the_jit_extra_brings_scipy_with_numba():
    jit_extra = _pyproject()["project"]["optional-dependencies"]["jit"]
    assert _bound(jit_extra, "numba") and _bound(jit_extra, "scipy")


def test_jit_is_not_available_with_numba_but_no_scipy_and_says_to_install_the_extra(
    numba_without_scipy,
):
    assert jit.available() is False
    why = jit.unavailable_reason()
    assert why is not None
    assert "SciPy" in why and "np.dot" in why
    assert why.endswith('pip install "glassnet[jit]"')
    assert "pip install numba" not in why
    with pytest.raises(ImportError) as e:  # the compile step, as fit and warmup reach it
        jit._compile()
    assert str(e.value) == why


def test_engine_jit_with_numba_but_no_scipy_gives_glassnets_message(numba_without_scipy):
    net = nn.MLP([2, 2, 1], activation="sigmoid", output_activation="sigmoid", rng=0)
    with pytest.raises(ValueError, match=r"glassnet\[jit\]"):
        gn.fit(net, XNOR_X, XNOR_Y, loss="mse", lr=1.0, epochs=40, verbose=0, engine="jit")


def test_engine_auto_with_numba_but_no_scipy_runs_on_the_numpy_path(numba_without_scipy):
    # 20000 full-batch epochs of a 2-2-1 net: the compiled loop's, where it can run
    net = nn.MLP([2, 2, 1], activation="sigmoid", output_activation="sigmoid", rng=0)
    h = gn.fit(net, XNOR_X, XNOR_Y, loss="mse", lr=1.0, epochs=20000, tol=None, verbose=0)
    assert h.engine == "fused"
    assert len(h.loss) == 20000 and np.all(np.isfinite(h.loss))


def test_the_jit_command_with_numba_but_no_scipy_names_the_extra(numba_without_scipy, capsys):
    from cli_helpers import assert_one_line_error, run

    code, out, err = run(capsys, "jit")
    assert code == 1 and out == ""
    assert_one_line_error(err, 'pip install "glassnet[jit]"')


# ------------------------------------------------------------------------------------------
# 3, 6. the license and the metadata
# ------------------------------------------------------------------------------------------
def test_the_mit_license_is_in_the_repository_and_declared():
    project = _pyproject()["project"]
    assert project["license"] == "MIT"
    assert project["license-files"] == ["LICENSE"]
    text = (ROOT / "LICENSE").read_text()
    assert text.startswith("MIT License\n")
    assert "Copyright (c) 2026 the glassnet developers" in text
    assert "The above copyright notice and this permission notice shall be included" in text


def test_the_metadata_has_classifiers_matching_requires_python_and_authors():
    project = _pyproject()["project"]
    assert project["authors"] == [{"name": "the glassnet developers"}]
    classifiers = project["classifiers"]
    for needed in ("Operating System :: OS Independent", "Typing :: Typed"):
        assert needed in classifiers
    assert any(c.startswith("Intended Audience :: ") for c in classifiers)
    assert any(c.startswith("Topic :: ") for c in classifiers)
    assert not any(c.startswith("License ::") for c in classifiers)  # (license = "MIT")
    floor = re.fullmatch(r">=\s*3\.(\d+)", project["requires-python"])
    assert floor is not None
    minors = sorted(
        int(m.group(1))
        for c in classifiers
        if (m := re.fullmatch(r"Programming Language :: Python :: 3\.(\d+)", c))
    )
    assert minors and minors[0] == int(floor.group(1))
    assert minors == list(range(minors[0], minors[-1] + 1))  # no gaps


# ------------------------------------------------------------------------------------------
# 3, 4. what the sdist and the wheel carry
# ------------------------------------------------------------------------------------------
_LEAVE = shutil.ignore_patterns(
    ".git", "*.egg-info", "build", "dist", ".venv*", ".ruff_cache", ".import_linter_cache",
    ".pytest_cache", ".hypothesis", "node_modules",
)  # fmt: skip


_JUNK = (
    "tests/.pytest_cache/v/cache/lastfailed", "tests/.hypothesis/examples/x",
    "bench/results/run.tmp", "bench/results-quick.md", "docs/.pytest_cache/README.md",
)  # fmt: skip


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    """The sdist's and the wheel's file names and metadata, built by setuptools from a copy
    of this tree (its __pycache__ folders kept: they must stay out)."""
    tmp = tmp_path_factory.mktemp("built")
    src, out = tmp / "src", tmp / "out"
    shutil.copytree(ROOT, src, ignore=_LEAVE)
    (src / "tests" / "__pycache__").mkdir(exist_ok=True)
    (src / "tests" / "__pycache__" / "conftest.cpython-311.pyc").write_bytes(b"\0")
    for junk in _JUNK:  # (what a run leaves in a checkout: git ignores it, the sdist must too)
        (src / junk).parent.mkdir(parents=True, exist_ok=True)
        (src / junk).write_bytes(b"\0")
    names = []
    for kind in ("sdist", "wheel"):  # (one process each: setuptools keeps state between)
        code = (
            "import sys\nfrom setuptools import build_meta as b\n"
            f"print('BUILT', b.build_{kind}(sys.argv[1]))\n"
        )
        done = subprocess.run(
            [sys.executable, "-c", code, str(out)], cwd=src, capture_output=True, text=True,
            timeout=300,
        )  # fmt: skip
        assert done.returncode == 0, done.stderr[-3000:]
        names.append(done.stdout.splitlines()[-1].split()[1])
    sdist_name, wheel_name = names
    with tarfile.open(out / sdist_name) as tar:
        top = sdist_name.removesuffix(".tar.gz") + "/"
        sdist = {m.name.removeprefix(top) for m in tar.getmembers() if m.isfile()}
        pkg_info = tar.extractfile(top + "PKG-INFO").read().decode()  # type: ignore[union-attr]
    with zipfile.ZipFile(out / wheel_name) as whl:
        wheel = set(whl.namelist())
        meta = next(n for n in wheel if n.endswith(".dist-info/METADATA"))
        metadata = whl.read(meta).decode()
    return src, sdist, pkg_info, wheel, metadata


def test_the_sdist_ships_every_test_with_its_conftest_and_helpers_and_no_caches(built):
    src, sdist, *_ = built
    tests = {
        p.relative_to(src).as_posix()
        for p in (src / "tests").rglob("*")
        if p.is_file()
        and "__pycache__" not in p.parts
        and p.relative_to(src).as_posix() not in _JUNK
    }
    assert {"tests/conftest.py", "tests/cli_helpers.py", "tests/mpi_worker.py"} <= tests
    assert tests <= sdist, sorted(tests - sdist)
    assert not [n for n in sdist if "__pycache__" in n or n.endswith(".pyc")]
    assert not set(_JUNK) & sdist, sorted(set(_JUNK) & sdist)
    # the files the tests read beside the package: the documentation and the examples
    assert {"docs/sklearn.md", "docs/jit.md", "examples/xnor.py", "README.md"} <= sdist


def test_the_license_ships_in_the_sdist_and_the_wheel(built):
    _, sdist, pkg_info, wheel, metadata = built
    assert "LICENSE" in sdist
    assert any(n.endswith(".dist-info/licenses/LICENSE") for n in wheel), sorted(wheel)[-8:]
    for text in (pkg_info, metadata):
        fields = Parser().parsestr(text)
        assert fields["License-Expression"] == "MIT"
        assert fields.get_all("License-File") == ["LICENSE"]
        assert fields["Author"] == "the glassnet developers"
        assert "Typing :: Typed" in fields.get_all("Classifier")


# ------------------------------------------------------------------------------------------
# 5. Ctrl-C during an lbfgs fit
# ------------------------------------------------------------------------------------------
def _data():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(200, 6))
    y = (X[:, 0] * X[:, 1] > 0).astype(int)
    return X, y


class _Recorder(gn.Callback):
    """Each iteration's weights, and how many loss evaluations had run by then."""

    def __init__(self, calls):
        self.calls, self.seen = calls, []

    def on_epoch_end(self, state):
        weights = [p.data.copy() for p in state.model.parameters()]
        self.seen.append((self.calls[0], weights, float(state.epoch_loss)))


def _counting_objective(monkeypatch, interrupt_at=None):
    """glassnet.sklearn's Objective, counting its calls; the ``interrupt_at``-th call raises
    KeyboardInterrupt (as Ctrl-C inside the forward pass would) after setting no weights."""
    calls = [0]
    real = gsk.Objective

    class Counting(real):  # type: ignore[misc, valid-type]
        def __call__(self, *a, **k):
            calls[0] += 1
            if calls[0] == interrupt_at:
                raise KeyboardInterrupt
            return super().__call__(*a, **k)

    monkeypatch.setattr(gsk, "Objective", Counting)
    return calls


def _fit(est, X, y):
    """``est.fit(X, y)``; a KeyboardInterrupt that escapes fails the test (instead of
    stopping the whole pytest run as a Ctrl-C would)."""
    try:
        return est.fit(X, y)
    except KeyboardInterrupt:
        pytest.fail(f"KeyboardInterrupt escaped {type(est).__name__}.fit")


@pytest.mark.parametrize("Est", [MLPClassifier, MLPRegressor])
def test_ctrl_c_in_an_lbfgs_line_search_keeps_the_last_accepted_iterate(monkeypatch, Est):
    X, y = _data()
    kw = {"hidden_layer_sizes": (8,), "solver": "lbfgs", "max_iter": 30, "random_state": 0}
    calls = _counting_objective(monkeypatch)
    rec = _Recorder(calls)
    ref = Est(callbacks=[rec], **kw)
    with pytest.warns(ConvergenceWarning):
        ref.fit(X, y)
    assert len(rec.seen) == 30
    done = 4  # interrupted in the first evaluation after the 4th iteration: a trial point
    k = rec.seen[done - 1][0] + 1
    assert k < rec.seen[done][0] + 1
    monkeypatch.undo()
    _counting_objective(monkeypatch, interrupt_at=k)
    est = Est(**kw)
    with pytest.warns(UserWarning, match="Training interrupted by user"):
        assert _fit(est, X, y) is est
    assert est.stop_reason_ == "interrupted"
    assert est.n_iter_ == done
    assert est.loss_curve_ == ref.loss_curve_[:done]
    assert est.loss_ == ref.loss_curve_[done - 1] == rec.seen[done - 1][2]
    assert est.best_loss_ == min(ref.loss_curve_[:done])
    assert est.history_.stop_reason == "interrupted" and est.history_.steps == k - 1
    for got, want in zip(est.model_.parameters(), rec.seen[done - 1][1]):
        np.testing.assert_array_equal(got.data, want)
    est.predict(X)


def test_ctrl_c_in_the_first_lbfgs_evaluation_keeps_the_initial_weights(monkeypatch):
    X, y = _data()
    kw = {"hidden_layer_sizes": (8,), "solver": "lbfgs", "max_iter": 3, "random_state": 0}
    initial = MLPClassifier(**kw)
    _counting_objective(monkeypatch, interrupt_at=1)
    with pytest.warns(UserWarning, match="Training interrupted by user"):
        _fit(initial, X, y)
    assert initial.stop_reason_ == "interrupted" and initial.n_iter_ == 0
    assert initial.loss_curve_ == [] and not hasattr(initial, "loss_")
    # the same weights as a fit that draws them and is interrupted one evaluation later,
    # whose loss_ is then the initial weights' loss
    monkeypatch.undo()
    _counting_objective(monkeypatch, interrupt_at=2)
    later = MLPClassifier(**kw)
    with pytest.warns(UserWarning, match="Training interrupted by user"):
        _fit(later, X, y)
    assert later.n_iter_ == 0 and np.isfinite(later.loss_)
    for a, b in zip(initial.coefs_ + initial.intercepts_, later.coefs_ + later.intercepts_):
        np.testing.assert_array_equal(a, b)


def test_ctrl_c_from_a_callback_in_an_lbfgs_fit_is_taken_as_adam_takes_it():
    X, y = _data()

    class CtrlC(gn.Callback):
        def on_epoch_end(self, state):
            if state.epoch == 5:
                raise KeyboardInterrupt

    for solver in ("adam", "lbfgs"):
        clf = MLPClassifier((8,), solver=solver, max_iter=50, random_state=0, callbacks=[CtrlC()])
        with pytest.warns(UserWarning, match="Training interrupted by user"):
            _fit(clf, X, y)
        assert (clf.stop_reason_, clf.n_iter_, len(clf.loss_curve_)) == ("interrupted", 5, 5)
        assert clf.loss_ == clf.loss_curve_[-1]
