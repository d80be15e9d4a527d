"""scikit-learn's own MLP tests, run against glassnet.sklearn.

The installed scikit-learn's ``sklearn/neural_network/tests/test_mlp.py`` is read at run
time, its one import line of the estimators is changed to ``glassnet.sklearn``, and the
result runs under pytest with scikit-learn's own fixtures (``-p sklearn.conftest``) in a
subprocess. Every test must pass, the three that reach into scikit-learn's private
internals included.
"""

from __future__ import annotations

import os
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

sklearn = pytest.importorskip("sklearn")
pytest.importorskip("scipy")

IMPORT = "from sklearn.neural_network import MLPClassifier, MLPRegressor\n"
OURS = "from glassnet.sklearn import MLPClassifier, MLPRegressor\n"

# Every test passes, those that reach into scikit-learn's private internals included
# (test_fit assigns coefs_ to an unfitted estimator; test_gradient calls the private
# _loss_grad_lbfgs; test_early_stopping_stratified matches scikit-learn's code 'True' in its
# error), so nothing is listed as an expected failure.

REPO = Path(__file__).resolve().parents[1]


def _upstream() -> Path:
    path = Path(sklearn.__file__).parent / "neural_network" / "tests" / "test_mlp.py"
    if not path.exists():  # pragma: no cover - wheels ship their tests
        pytest.skip(f"this scikit-learn {sklearn.__version__} install has no {path}")
    return path


def _run_upstream(tmp_path: Path) -> dict[str, tuple[str, str]]:
    """{test id: (outcome, failure text)} of the rewritten upstream file; outcome is
    'passed', 'failure', 'error' or 'skipped'."""
    source = _upstream().read_text()
    assert source.count(IMPORT) == 1, f"the estimators' import line changed upstream: {IMPORT!r}"
    test_file = tmp_path / "test_mlp_glassnet.py"
    test_file.write_text(source.replace(IMPORT, OURS))
    (tmp_path / "pytest.ini").write_text("[pytest]\n")  # not glassnet's pytest settings
    report = tmp_path / "report.xml"
    path = os.pathsep.join(p for p in (str(REPO), os.environ.get("PYTHONPATH")) if p)
    cmd = [
        sys.executable,
        "-m",
        "pytest",
        test_file.name,
        "-p",
        "sklearn.conftest",
        "-p",
        "no:cacheprovider",
        "-q",
        "-W",
        "error::DeprecationWarning",
        "-W",
        "error::FutureWarning",
        f"--junitxml={report}",
    ]
    # One BLAS thread: these networks are small, and on a busy machine threads that spin
    # waiting for each other made the run 10-20 times slower. sklearn.conftest sets the BLAS
    # threads to joblib.cpu_count(only_physical_cores=True), which LOKY_MAX_CPU_COUNT caps.
    one = {"OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1", "LOKY_MAX_CPU_COUNT": "1"}
    env = {**os.environ, "PYTHONPATH": path, **one}
    proc = subprocess.run(cmd, cwd=tmp_path, env=env, capture_output=True, text=True, timeout=1200)
    assert report.exists(), proc.stdout[-4000:] + proc.stderr[-4000:]
    outcomes = {}
    for case in ET.parse(report).iter("testcase"):
        bad = [c for c in case if c.tag in ("failure", "error", "skipped")]
        text = "" if not bad else f"{bad[0].get('message', '')}\n{bad[0].text or ''}"
        outcomes[case.get("name")] = (bad[0].tag if bad else "passed", text)
    assert outcomes, proc.stdout[-4000:]
    return outcomes


def test_sklearn_test_mlp_passes_on_glassnet(tmp_path):
    """Every test of scikit-learn's test_mlp.py passes on glassnet's estimators."""
    outcomes = _run_upstream(tmp_path)
    failed = {n: (o, text[:2000]) for n, (o, text) in outcomes.items() if o != "passed"}
    assert not failed, f"scikit-learn's test_mlp.py on glassnet: {failed}"
    # the three that call or set scikit-learn's private internals ran, and passed
    names = {name.split("[")[0] for name in outcomes}
    assert {"test_fit", "test_gradient", "test_early_stopping_stratified"} <= names
