"""Lines an error message suggests run as written after ``import glassnet``."""

from __future__ import annotations

import re
import sys

import numpy as np
import pytest

import glassnet
from glassnet import nn

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
