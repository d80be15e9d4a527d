"""Round 16 numerics: long float32 sums, overflow in fit's targets, gradcheck's notes on a
non-finite gradient, NaN through relu's and norm's backward, glassnet.micrograd's second
backward()."""

from __future__ import annotations

import numpy as np
import pytest

import glassnet as gn
from glassnet import nn
from glassnet.gradient import LONG_SUM, bias_sum

ROWS = 200_000  # past LONG_SUM: float32 added one at a time drifted 1e-4 here


def _tenth(shape):
    return np.full(shape, 0.1, np.float32)


def test_column_sum_mean_and_var_of_a_long_float32_column_are_accurate():
    x = gn.Tensor(_tenth((ROWS, 2)))
    exact = ROWS * np.float64(np.float32(0.1))
    assert abs(x.sum(0).data[0] / exact - 1) < 1e-6
    assert abs(x.mean(0).data[1] / np.float32(0.1) - 1) < 1e-6
    assert abs(x.mean(dim=0, keepdim=True).data[0, 0] / np.float32(0.1) - 1) < 1e-6
    np.testing.assert_array_equal(x.var(0).data, [0.0, 0.0])  # a constant column
    np.testing.assert_array_equal(x.std(0).data, [0.0, 0.0])


def test_long_cumsum_and_its_gradient_are_accurate():
    x = gn.Tensor(_tenth(ROWS), requires_grad=True)
    c = x.cumsum(0)
    exact = np.cumsum(np.full(ROWS, np.float64(np.float32(0.1))))
    assert np.max(np.abs(c.data / exact - 1)) < 1e-6
    (c * gn.Tensor(_tenth(ROWS))).sum().backward()
    assert np.max(np.abs(x.grad / exact[::-1] - 1)) < 1e-6  # the running sums from the end


def test_long_full_batch_bias_gradient_is_accurate_and_the_engines_agree():
    X = np.zeros((ROWS, 1), np.float32)
    y = np.ones(ROWS, np.float32)
    got = {}
    for engine in ("fused", "graph"):
        gn.manual_seed(0)
        m = nn.Sequential(nn.Linear(1, 1))
        m[0].W.data[...] = 0
        m[0].b.data[...] = 0
        gn.fit(m, X, y, loss="mse", lr=0.5, epochs=1, verbose=0, engine=engine)
        got[engine] = m[0].b.data.copy()
    assert got["fused"][0] == np.float32(1.0)  # 1 - 0.5 * (-2): the exact mean's step
    np.testing.assert_array_equal(got["fused"], got["graph"])


def test_long_batch_graph_and_fast_path_stay_bit_identical():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(LONG_SUM + 1000, 3)).astype(np.float32)
    y = (X @ np.array([1.0, -2.0, 0.5]) + 0.3).astype(np.float32)
    weights = []
    for engine in ("fused", "graph"):
        gn.manual_seed(0)
        m = nn.Sequential(nn.Linear(3, 4), nn.Tanh(), nn.Linear(4, 1))
        gn.fit(m, X, y, lr=0.1, epochs=3, verbose=0, engine=engine)
        weights.append(np.concatenate([np.ravel(p.data) for p in m.parameters()]))
    np.testing.assert_array_equal(weights[0], weights[1])


@pytest.mark.parametrize("shape", [(64, 64), (128, 256), (1024, 128), (LONG_SUM, 3)])
def test_sums_up_to_long_sum_rows_keep_numpy_s_bits(shape):
    a = np.random.default_rng(1).normal(size=shape).astype(np.float32)
    np.testing.assert_array_equal(gn.Tensor(a).sum(0).data, np.add.reduce(a, axis=0))
    np.testing.assert_array_equal(gn.Tensor(a).cumsum(0).data, np.cumsum(a, axis=0))
    np.testing.assert_array_equal(bias_sum(a), np.ones(shape[0], np.float32) @ a)


# ---------------------------------------------------------------------- NaN in gradients
def test_relu_passes_the_gradient_at_a_nan_input_as_pytorch():
    x = gn.Tensor(np.array([np.nan, 1.0, 0.0, -0.0, -1.0]), requires_grad=True)
    x.relu().sum().backward()
    np.testing.assert_array_equal(x.grad, [1.0, 1.0, 0.0, 0.0, 0.0])  # torch.relu's
    x = gn.Tensor(np.array([[np.nan, 2.0, -3.0]], np.float32), requires_grad=True)
    nn.ReLU()(x).sum().backward()
    np.testing.assert_array_equal(x.grad, [[1.0, 1.0, 0.0]])


def test_the_fast_path_s_relu_gate_is_the_graph_s():
    from glassnet import functional as F

    _, backward, _ = F.INPLACE[(F.relu_fn, F.relu_grad)]
    A = np.array([[np.nan, 2.0, 0.0]], np.float32)
    D = np.array([[3.0, 3.0, 3.0]], np.float32)
    backward(D, A, np.empty(A.shape, bool), 0.0)
    np.testing.assert_array_equal(D, [[3.0, 3.0, 0.0]])


def test_norm_gradient_is_nan_where_the_norm_is_nan_and_0_where_it_is_0():
    x = gn.Tensor(np.array([np.nan, 1.0]), requires_grad=True)
    x.norm().backward()
    assert np.isnan(x.grad).all()  # torch: [nan, nan]
    x = gn.Tensor(np.array([[np.nan, 1.0], [3.0, 4.0], [0.0, 0.0]]), requires_grad=True)
    x.norm(dim=1).sum().backward()
    assert np.isnan(x.grad[0]).all()
    np.testing.assert_allclose(x.grad[1:], [[0.6, 0.8], [0.0, 0.0]])


def test_micrograd_relu_at_nan_keeps_micrograd_s_gate():
    from micrograd.engine import Value as Theirs

    from glassnet.micrograd.engine import Value

    for V in (Theirs, Value):
        x = V(float("nan"))
        y = x.relu() * -2
        y.backward()
        assert x.grad == 0  # (out.data > 0) * out.grad, False at NaN


# ---------------------------------------------------------------------- fit: overflow in y
def _linear(seed=0):
    gn.manual_seed(seed)
    return nn.Sequential(nn.Linear(3, 1))


_X = np.random.default_rng(0).normal(size=(64, 3))


def test_fit_refuses_targets_beyond_the_model_dtype_as_it_refuses_features():
    with pytest.raises(ValueError, match=r"y holds 1e\+40 at index \(5,\), beyond the range of "
                       r"float32.*Scale the targets.*float64 model"):  # fmt: skip
        gn.fit(_linear(), _X, np.r_[np.ones(5), 1e40, np.ones(58)], lr=0.01, epochs=2, verbose=0)
    m = _linear().double()  # in float64's range: trains
    gn.fit(m, _X, np.ones(64) * 1e40, lr=0.01, epochs=1, verbose=0)


def test_a_loss_that_overflows_before_any_update_does_not_blame_the_learning_rate():
    with pytest.raises(gn.DivergenceError) as info:
        gn.fit(_linear(), _X, np.ones(64) * 1e20, lr=0.01, epochs=5, verbose=0)
    msg = str(info.value)
    assert "step 1" in msg and "before any update" in msg
    assert "smaller learning rate" not in msg
    assert "float32" in msg and "model.double()" in msg and "Scale y" in msg


def test_a_nan_gradient_at_a_finite_loss_names_the_loss_not_only_the_rate():
    X = _X.astype(np.float32)
    m = _linear()
    m[0].W.data[...] = 0
    m[0].b.data[...] = 0  # the outputs are the targets: sqrt of an exact 0
    with pytest.raises(gn.DivergenceError) as info:
        gn.fit(m, X, np.zeros(64), loss=lambda o, t: ((o - t) ** 2).mean().sqrt(), lr=0.01,
               epochs=3, verbose=0)  # fmt: skip
    msg = str(info.value)
    assert "the mark of a NaN gradient" in msg and "sqrt of a loss that is exactly 0" in msg


# ---------------------------------------------------------------------- gradcheck's notes
def _ignores_g(local):
    """A node whose backward returns ``local`` whatever dL/dout is (a bug gradcheck names)."""

    def fn(a):
        return gn.Tensor.from_op(a.data * 2, "twice", (a,), lambda g: (np.array(local),)).sum()

    return fn


def test_gradcheck_says_the_gradient_is_not_finite_rather_than_blaming_a_correct_backward():
    report = gn.gradcheck(lambda a: a.sqrt().sum(), np.array([0.0, 2.0]), raise_exception=False)
    text = str(report)
    assert not report.ok
    assert "ignores its g" not in text and "misuses g" not in text
    assert "the gradient is not finite at this input (inf at index (0,))" in text


def test_gradcheck_still_names_a_backward_that_ignores_g_beside_a_non_finite_entry():
    text = str(gn.gradcheck(_ignores_g([2.0, 2.0]), np.array([1.0, 2.0]), raise_exception=False))
    assert "backward ignores its g" in text
    with np.errstate(invalid="ignore"):
        report = gn.gradcheck(_ignores_g([np.inf, 2.0]), np.array([1.0, 2.0]),
                              raise_exception=False)  # fmt: skip
    assert "backward ignores its g" in str(report)


# ---------------------------------------------------------------------- glassnet.micrograd
def test_micrograd_two_roots_sharing_nodes_differ_from_micrograd_as_documented():
    from micrograd.engine import Value as Theirs

    import glassnet.micrograd
    from glassnet.micrograd import engine

    got = {}
    for V in (Theirs, engine.Value):
        x = V(2.0)
        y = x * x
        z = y + x
        y.backward()
        z.backward()
        got[V] = x.grad
        x2 = V(2.0)
        y2 = x2 * x2
        y2.backward()
        y2.backward()  # the same root twice: micrograd's numbers
        assert x2.grad == 8.0
    assert (got[Theirs], got[engine.Value]) == (13.0, 9.0)
    for doc in (engine.__doc__, glassnet.micrograd.__doc__):
        assert "second root" in doc
    assert "13.0 in micrograd" in engine.__doc__


def test_a_hand_written_bias_sums_as_the_linear_layers():
    # (X @ W + b by hand: its bias gradient is unbroadcast's sum, which kept NumPy's order:
    # 20,000 values of 0.1 added one at a time)
    X = np.zeros((20_000, 2), np.float32)
    W = gn.Tensor(np.zeros((2, 2), np.float32), requires_grad=True)
    b = gn.Tensor(np.zeros(2, np.float32), requires_grad=True)
    ((gn.Tensor(X) @ W + b) * np.float32(0.1)).sum().backward()
    lin = nn.Linear(2, 2)
    (lin(X) * np.float32(0.1)).sum().backward()
    np.testing.assert_array_equal(b.grad, lin.b.grad)
    np.testing.assert_allclose(b.grad, 2000.0, rtol=1e-7)


def test_the_compiled_loops_relu_gate_passes_g_at_nan_as_the_fast_path():
    # (the review: glassnet.jit's kernel gave 0 at a NaN activation, the fast path g)
    jit = pytest.importorskip("glassnet.jit")
    if not jit.available():
        pytest.skip("numba is not installed (glassnet[jit])")
    jit._compile()
    hd = np.zeros(jit._ONE + 1)
    hd[jit._ONE] = 1.0
    A = np.array([np.nan, 2.0, 0.0])
    D = np.array([3.0, 3.0, 3.0])
    jit._k_times_gprime(D, A, 1, 3, jit._ACT["relu"], 0.0, hd)
    np.testing.assert_array_equal(D, [3.0, 3.0, 0.0])
