"""NumPy's functions on a Tensor: its values for a tensor outside the graph, a clear
refusal for one in it (NumPy built an object array of one-value Tensors before)."""

import warnings

import numpy as np
import pytest

import glassnet as gn


def test_numpy_reads_a_tensor_outside_the_graph_as_its_values():
    t = gn.Tensor([[1.0, 2.0], [3.0, 4.0]])
    assert np.asarray(t) is t.data
    np.testing.assert_array_equal(np.exp(t), np.exp(t.data))
    assert np.concatenate([t, t]).dtype == t.data.dtype
    assert not np.isnan(t).any()
    assert np.asarray(t, dtype=np.float64).dtype == np.float64
    copied = np.array(t)
    assert copied is not t.data and np.shares_memory(copied, t.data) is False
    with gn.no_grad():
        out = gn.nn.MLP([3, 4, 1], rng=0)(np.ones((5, 3)))
    assert np.asarray(out).shape == (5, 1) and np.asarray(out).dtype.kind == "f"


def test_numpy_refuses_a_tensor_in_the_graph_naming_the_way():
    out = gn.nn.MLP([3, 4, 1], rng=0)(np.ones((5, 3)))
    for f in (np.asarray, np.exp, lambda x: np.concatenate([x, x]), np.isnan):
        with pytest.raises(TypeError, match=r"requires grad.*detach\(\)\.numpy\(\)"):
            f(out)
    np.testing.assert_array_equal(np.asarray(out.detach()), out.data)


def test_arithmetic_with_arrays_stays_in_the_graph():
    w = gn.Tensor([1.0, 2.0], requires_grad=True)
    for y in (np.ones(2) + w, w * np.ones(2), np.ones(2) - w):
        assert isinstance(y, gn.Tensor) and y.requires_grad


def test_numpys_max_and_min_take_the_tensors_own():
    t = gn.Tensor([[1.0, 5.0], [3.0, 2.0]], requires_grad=True)
    m = np.max(t)
    m.backward()
    assert float(m.data) == 5.0
    np.testing.assert_array_equal(t.grad, [[0, 1], [0, 0]])
    np.testing.assert_array_equal(np.min(t, axis=0).data, [1.0, 2.0])
    with pytest.raises(TypeError, match="values only"):
        t.max(out=np.empty(()))  # (an out= array is still no glassnet argument)


def test_glassnets_own_readers_of_values_take_a_tensor_in_the_graph():
    # (fit's X and y, the metrics and an estimator's X read values outside the graph: the
    # refusal above is NumPy's, not theirs)
    rng = np.random.default_rng(0)
    X = rng.normal(size=(24, 3))
    teacher = gn.nn.MLP([3, 4, 1], rng=0)
    student = gn.nn.MLP([3, 4, 1], rng=1)
    target = teacher(X)
    assert target.requires_grad
    gn.fit(student, gn.Tensor(X, requires_grad=True), target, loss="mse", epochs=1, seed=0,
           verbose=False)  # fmt: skip
    out = student(X)
    assert gn.metrics.r2_score(target.data, out) == gn.metrics.r2_score(target.data, out.data)
    from glassnet.sklearn import MLPRegressor

    est = MLPRegressor(hidden_layer_sizes=(3,), max_iter=3, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # (3 iterations do not converge)
        est.fit(X, target.data[:, 0])
    np.testing.assert_array_equal(est.predict(gn.Tensor(X, requires_grad=True)), est.predict(X))
