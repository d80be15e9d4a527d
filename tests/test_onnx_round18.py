"""onnx.load of a Poisson regressor's export says what the Exp is and what to do."""

import warnings

import numpy as np
import pytest

pytest.importorskip("onnx")
pytest.importorskip("sklearn")

import glassnet.onnx as gonnx  # noqa: E402
from glassnet.sklearn import MLPRegressor  # noqa: E402


def test_a_poisson_regressors_export_is_refused_saying_what_to_load(tmp_path):
    X = np.random.default_rng(0).normal(size=(40, 3))
    y = np.exp(0.3 * X[:, 0])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # (a short fit: its ConvergenceWarning)
        reg = MLPRegressor(hidden_layer_sizes=(4,), loss="poisson", max_iter=20, random_state=0)
        reg.fit(X, y)
    gonnx.export(reg, tmp_path / "p.onnx")
    with pytest.raises(gonnx.OnnxError, match=r"head of MLPRegressor\(loss='poisson'\).*model_"):
        gonnx.load(tmp_path / "p.onnx")
    gonnx.export(reg.model_, tmp_path / "net.onnx")  # (the way the message gives)
    net = gonnx.load(tmp_path / "net.onnx")
    np.testing.assert_allclose(np.exp(net.predict(X).ravel()), reg.predict(X), rtol=1e-5)
