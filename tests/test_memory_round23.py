"""Lines an error message suggests run as written after ``import glassnet``, and fit_many's
validation keeps to its memory bound: the forward pass only, over groups of networks and
blocks of rows, with the scores of one pass over all the rows."""

from __future__ import annotations

import re
import sys

import numpy as np
import pytest
from memory_helpers import traced

import glassnet
import glassnet.tasks as tasks
from glassnet import nn
from glassnet.many import fit_many

# the submodules ``import glassnet`` leaves unloaded (a message naming one says to import it)
_UNLOADED = ("diagnostics", "sklearn", "onnx")


def _fresh(monkeypatch: pytest.MonkeyPatch) -> None:
    """As after a plain ``import glassnet`` in a new process: the submodules it does not
    load are gone from the package and from sys.modules (put back after the test)."""
    for name in _UNLOADED:
        monkeypatch.delitem(sys.modules, f"glassnet.{name}", raising=False)
        monkeypatch.delattr(glassnet, name, raising=False)


def _runs_as_written(message: str) -> list[str]:
    """Every ``glassnet.<module>.<Name>`` the message names resolves after the imports the
    message itself names (``import glassnet.x``, ``from glassnet.x import Y``), run in a
    namespace holding only ``glassnet``; returns the names it checked."""
    space: dict = {"glassnet": glassnet}
    for line in re.findall(r"from glassnet\.\w+ import \w+|import glassnet\.\w+", message):
        exec(line, space)
    names = re.findall(r"glassnet\.(?:diagnostics|sklearn|onnx)\.\w+", message)
    for name in names:
        eval(name, space)  # (AttributeError: the submodule is not loaded)
    for name in re.findall(r"from glassnet\.\w+ import (\w+)", message):
        assert name in space
    return names


def test_fit_diagnostics_message_line_works_after_import_glassnet(monkeypatch):
    X = np.random.default_rng(0).normal(size=(16, 2)).astype(np.float32)
    y = (X[:, 0] > 0).astype(np.float32)
    with pytest.raises(TypeError, match="moved to a callback") as e:
        glassnet.fit(nn.MLP([2, 3, 1], rng=0), X, y, diagnostics=True, verbose=0)
    message = str(e.value)
    _fresh(monkeypatch)
    assert _runs_as_written(message) == ["glassnet.diagnostics.Diagnostics"]
    # the message's own line, pasted: it trains and records
    space: dict = {"glassnet": glassnet, "nn": nn, "X": X, "y": y}
    for line in re.findall(r"import glassnet\.\w+", message):
        exec(line, space)
    callbacks = re.search(r"callbacks=\[[^\]]*\]", message).group(0)
    exec(f"h = glassnet.fit(nn.MLP([2, 3, 1], rng=0), X, y, {callbacks}, epochs=2, verbose=0)",
         space)  # fmt: skip
    assert len(space["h"].diagnostics) == 2


def test_text_labels_message_names_an_import_for_the_estimator(monkeypatch):
    pytest.importorskip("sklearn")
    X = np.zeros((4, 2), np.float32)
    with pytest.raises(ValueError, match="text labels") as e:
        glassnet.fit(nn.MLP([2, 2], rng=0), X, np.array(["a", "b", "a", "b"]),
                     loss="cross_entropy", verbose=0)  # fmt: skip
    _fresh(monkeypatch)
    assert "from glassnet.sklearn import MLPClassifier" in str(e.value)
    _runs_as_written(str(e.value))


@pytest.mark.filterwarnings("ignore:Stochastic Optimizer")  # (5 iterations: not converged)
def test_saving_an_estimator_message_line_works_after_import_glassnet(monkeypatch, tmp_path):
    pytest.importorskip("sklearn")
    pytest.importorskip("onnx")
    from glassnet.sklearn import MLPClassifier

    X = np.random.default_rng(0).normal(size=(20, 2))
    est = MLPClassifier(hidden_layer_sizes=(3,), max_iter=5, random_state=0).fit(
        X, np.arange(20) % 2
    )
    with pytest.raises(TypeError, match="a fitted scikit-learn estimator") as e:
        glassnet.save(est, tmp_path / "m.glassnet")
    _fresh(monkeypatch)
    assert _runs_as_written(str(e.value)) == ["glassnet.onnx.export"]


# ------------------------------------------------------------ fit_many's validation memory


def _data(n: int = 20_000, features: int = 20) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(0)
    X = rng.normal(size=(n, features)).astype(np.float32)
    return X, (X[:, 0] > 0).astype(np.float32)


def test_fit_many_validation_keeps_to_its_bytes_by_blocks_of_rows(monkeypatch):
    """One network's validation over 20,000 rows in blocks: 256 KiB of forward buffers, not
    the 20,000 rows' activations and backward buffers (about 23 MB)."""
    monkeypatch.setattr(tasks, "FORWARD_BYTES", 256 << 10)
    X, y = _data()

    def run(rows: int) -> None:
        model = nn.MLP([20, 64, 64, 1], activation="relu", output_activation="sigmoid", rng=0)
        fit_many([model], X[:256], y[:256], loss="binary_cross_entropy", lr=0.05, epochs=1,
                 batch_size=64, validation_data=(X[:rows], y[:rows]))  # fmt: skip

    run(500)  # (what a first call loads and keeps is not the validation's)
    peak = traced(run, len(X))[1]
    # the forward's 256 KiB, the outputs' arrays (20,000 rows x 1 output, a few of them) and
    # the training's own
    assert peak < 2 << 20, f"fit_many's validation peaked at {peak / 2**20:.1f} MiB"


@pytest.mark.parametrize("budget", [1, 20_000, 200_000])
def test_fit_many_validation_scores_do_not_depend_on_the_blocks(monkeypatch, budget):
    """Scores of blocks of rows and groups of networks are the scores of one pass (bit for
    bit with OpenBLAS; within a float32 rounding where a BLAS computes a row otherwise)."""
    X, y = _data(1_000, 7)
    w = np.random.default_rng(1).uniform(0.5, 2.0, size=300).astype(np.float32)

    def scores(nbytes: int) -> np.ndarray:
        monkeypatch.setattr(tasks, "FORWARD_BYTES", nbytes)
        models = [nn.MLP([7, 16, 8, 1], activation="leaky_relu", output_activation="sigmoid",
                         rng=k) for k in range(3)]  # fmt: skip
        hs = fit_many(models, X[300:], y[300:], loss="binary_cross_entropy", lr=0.05, epochs=2,
                      batch_size=64, seed=0, validation_data=(X[:300], y[:300], w))  # fmt: skip
        return np.array([[*h.val_loss, *h.val_metric] for h in hs])

    whole = scores(1 << 30)
    np.testing.assert_allclose(scores(budget), whole, rtol=1e-6, atol=0)
