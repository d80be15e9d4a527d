"""Round 25 numerics audit: logsumexp's gradient, overflowed optimizer state, float32 mean
losses, tiny sample weights, values a float32 cast makes equal, log-sigmoid past 708."""

import warnings

import numpy as np
import pytest

import glassnet as gn
from glassnet import nn

F = gn.functional


def _net(k_in=1, k_out=1, dtype=None):
    gn.manual_seed(0)
    m = nn.Sequential(nn.Linear(k_in, k_out))
    return m if dtype is None else m.to(dtype)


# 1. logsumexp's gradient is the softmax of the slice, even where the output rounds to x
@pytest.mark.parametrize("dtype,big", [(gn.float32, 1e8), (gn.float32, 1e7), (gn.float64, 1e17)])
def test_logsumexp_grad_is_softmax_at_large_equal_logits(dtype, big):
    x = gn.tensor([[big, big], [big, big - 1e30 * 0]], dtype=dtype, requires_grad=True)
    x.logsumexp(1).sum().backward()
    np.testing.assert_allclose(np.asarray(x.grad), 0.5, rtol=1e-6)


def test_logsumexp_gradcheck_float64():
    rng = np.random.default_rng(0)
    for scale in (1.0, 1e3):
        x = gn.tensor(rng.normal(size=(3, 4)) * scale, dtype=gn.float64, requires_grad=True)
        assert gn.gradcheck(lambda t: t.logsumexp(1), (x,))
        assert gn.gradcheck(lambda t: t.logsumexp((0, 1), keepdim=True), (x,))
    big = gn.tensor([[1e17, 1e17]], dtype=gn.float64, requires_grad=True)  # (out rounds to x)
    assert gn.gradcheck(lambda t: t.logsumexp(1), (big,))


def test_logsumexp_grad_keeps_the_infinite_slices():
    x = gn.tensor([[1.0, np.inf, 1e30], [-np.inf, -np.inf, -np.inf]], requires_grad=True)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        x.logsumexp(1).backward(gn.tensor([1.0, 1.0]))  # (their sum, inf - inf, is NaN)
    g = np.asarray(x.grad)
    assert g[0, 0] == 0 and g[0, 2] == 0 and np.isnan(g[0, 1])  # (as PyTorch's)
    assert np.isnan(g[1]).all()


# 4. functional.logsumexp of an array: inf for a row holding +inf, as its Tensor form
def test_functional_logsumexp_array_with_inf():
    z = np.array([[1.0, np.inf], [-np.inf, -np.inf], [1.0, 2.0]])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        got = F.logsumexp(z, axis=1)
    tensor = np.asarray(F.logsumexp(gn.tensor(z), axis=1).data)
    np.testing.assert_array_equal(got[:2], [[np.inf], [-np.inf]])
    np.testing.assert_array_equal(got, tensor)
    assert got[2, 0] == 2.0 + np.log1p(np.exp(-1.0))


# 2. an optimizer state that overflowed (v = inf: a step of 0, the weight frozen) is said
@pytest.mark.parametrize("opt", ["Adam", "RMSprop", "Adagrad", "NAdam", "Adadelta"])
@pytest.mark.parametrize("engine", ["graph", "fused", "jit"])
def test_overflowed_optimizer_state_warns(opt, engine):
    if engine == "jit" and opt != "Adam":
        pytest.skip("engine='jit' trains SGD, Adam and AdamW")
    if engine == "jit":
        pytest.importorskip("numba")
    m = _net()
    o = getattr(gn.optim, opt)(m.parameters(), lr=0.1)
    with pytest.warns(UserWarning, match="not finite") as rec:
        h = gn.fit(m, np.array([[1e3]]), np.array([1e18]), epochs=3, verbose=0, engine=engine,
                   optimizer=o)  # fmt: skip
    text = str(rec[-1].message)
    assert opt in text and "float64" in text and "lr" in text and "Scale" in text
    assert any("not finite" in w for w in h.warnings)


def test_finite_optimizer_state_says_nothing():
    m = _net()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        gn.fit(m, np.array([[1.0], [2.0]]), np.array([1.0, 2.0]), epochs=3, verbose=0,
               optimizer=gn.optim.Adam(m.parameters(), lr=0.1))  # fmt: skip


# 3. a float32 mean loss of finite terms whose float32 sum overflows is finite
def test_float32_mean_loss_sums_past_overflow():
    p = np.full(8, 1.3e19, np.float32)
    x = gn.tensor(p, requires_grad=True)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # (the float32 sum's own overflow warning)
        loss = F.mse(x, np.zeros(8, np.float32))
    assert loss.dtype == np.float32
    np.testing.assert_allclose(loss.item(), float(np.mean(p.astype(np.float64) ** 2)), rtol=1e-6)
    z = gn.tensor(np.zeros((8, 2), np.float32), requires_grad=True)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ce = F.cross_entropy(z, np.zeros(8, int), sample_weight=np.full(8, 1e38, np.float32))
    np.testing.assert_allclose(ce.item(), np.log(2) * 1e38, rtol=1e-6)


def test_float32_mean_loss_bits_unchanged_when_finite():
    rng = np.random.default_rng(1)
    p = rng.normal(size=(64, 3)).astype(np.float32)
    y = rng.normal(size=(64, 3)).astype(np.float32)
    got = F.mse(gn.tensor(p), y).item()
    d = p - y
    assert got == np.float32(np.add.reduce(d * d, axis=None) * (1.0 / d.size))


class _EveryStep(gn.Callback):
    def on_step_end(self, state):  # (fit's per-step loop: FastMLP.step's loss)
        pass


@pytest.mark.parametrize(
    "engine,cbs", [("graph", []), ("fused", []), ("fused", [_EveryStep()]), ("jit", [])]
)
def test_float32_weighted_fit_engines_agree_on_overflowing_sum(engine, cbs):
    if engine == "jit":
        pytest.importorskip("numba")
    rng = np.random.default_rng(0)
    X = rng.normal(size=(32, 3))
    y = (X[:, 0] > 0).astype(int)
    gn.manual_seed(0)
    m = nn.Sequential(nn.Linear(3, 4), nn.Tanh(), nn.Linear(4, 2))
    with pytest.raises(gn.DivergenceError) as e:  # (as engine="jit", which sums in float64)
        gn.fit(m, X, y, loss="cross_entropy", epochs=3, verbose=0, engine=engine, seed=0,
               sample_weight=np.full(32, 1e38), batch_size=8, callbacks=cbs)  # fmt: skip
    assert "before any update" not in str(e.value) and "at step 2 (epoch 1)" in str(e.value)


# 5. sample weights > 0 that round to 0 in the model's dtype are refused, counted
def test_tiny_sample_weights_all_round_to_zero():
    rng = np.random.default_rng(0)
    X, m = rng.normal(size=(32, 1)), _net()
    with pytest.raises(ValueError, match=r"32 .*round to 0 in float32") as e:
        gn.fit(m, X, X[:, 0], epochs=1, verbose=0, sample_weight=np.full(32, 1e-50))
    assert "float64" in str(e.value) and "ratio" in str(e.value)


def test_tiny_sample_weights_some_round_to_zero():
    rng = np.random.default_rng(0)
    X, m = rng.normal(size=(32, 1)), _net()
    w = np.r_[np.full(16, 1e-50), np.zeros(4), np.ones(12)]
    with pytest.raises(ValueError, match=r"16 of .*round to 0 in float32"):
        gn.fit(m, X, X[:, 0], epochs=1, verbose=0, sample_weight=w)
    m64 = _net(dtype=gn.float64)  # (float64 holds them)
    gn.fit(m64, X, X[:, 0], epochs=1, verbose=0, sample_weight=w)


def test_zero_sample_weights_still_fine():
    rng = np.random.default_rng(0)
    X, m = rng.normal(size=(32, 1)), _net()
    w = np.r_[np.zeros(16), np.ones(16)]
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        gn.fit(m, X, X[:, 0], epochs=1, verbose=0, sample_weight=w)


# 6. a binary classifier's first column of predict_log_proba is the exact log-sigmoid
def test_binary_log_proba_first_column_exact_past_708():
    from glassnet.sklearn import MLPClassifier

    rng = np.random.default_rng(0)
    X = rng.normal(size=(40, 1))
    clf = MLPClassifier(hidden_layer_sizes=(), max_iter=5, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # (a ConvergenceWarning)
        clf.fit(X, (X[:, 0] > 0).astype(int))
    W, b = clf.coefs_[0][0, 0], clf.intercepts_[0][0]
    x = np.array([[1000.0 / W], [-1000.0 / W], [np.sign(W) * 1e308]])
    z = W * x[:, 0] + b
    L = clf.predict_log_proba(x)
    np.testing.assert_allclose(L[:2, 0], -np.logaddexp(0.0, z[:2]), rtol=1e-12)
    assert L[0, 0] < -900  # (not floored at -708.4; the second column, p's, still is)
    assert L[1, 1] == np.log(np.finfo(np.float64).tiny)
    assert np.isfinite(L).all() and L[2, 0] < L[0, 0]


# 7. distinct float64 values that a float32 model's cast makes one value are said
def test_float32_cast_collapsing_targets_warns():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(200, 2))
    with pytest.warns(UserWarning, match=r"y holds distinct values.*float32") as rec:
        gn.fit(_net(2), X, 1e9 + 5 * X[:, 0], epochs=1, verbose=0)
    assert "float64" in str(rec[0].message)


def test_float32_cast_collapsing_feature_warns():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(200, 2))
    X[:, 1] = 1e9 + 5 * X[:, 1]
    with pytest.warns(UserWarning, match=r"X .*column 1.*float32"):
        gn.fit(_net(2), X, X[:, 0], epochs=1, verbose=0)


def test_constant_or_float32_data_says_nothing():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(50, 2))
    X[:, 1] = 1e9  # (a constant column: one value before the cast too)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        gn.fit(_net(2), X, X[:, 0], epochs=1, verbose=0)
        gn.fit(_net(2, dtype=gn.float64), X + [[0, 1e-3]], 1e9 + X[:, 0], epochs=1, verbose=0)


# 8. gradcheck's docstring says what its absolute tolerance passes
def test_gradcheck_small_gradients_need_atol_0():
    from glassnet.tensor import Tensor

    def wrong(x):  # d(x²)/dx = 2x, returned as 3x
        return Tensor.from_op(x.data**2, "sq", (x,), lambda g: (g * 3 * x.data,))

    x = np.array([1.0, 3.0])
    small = lambda t: wrong(t).sum() * 1e-10  # noqa: E731
    assert gn.gradcheck(small, x, raise_exception=False)  # (below atol: passes, as PyTorch's)
    assert not gn.gradcheck(small, x, atol=0, raise_exception=False)  # (what the doc advises)
    doc = gn.gradcheck.__doc__
    assert "atol=0" in doc and "below it" in doc


# 9. the collapse warning: meaningful spreads only, fit's data only, one cheap pass
def test_float32_cast_rounding_noise_column_says_nothing():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(300, 3))
    price = rng.uniform(1, 100, 300)
    ratio = (price * 1.1) / price  # (1.1 up to float64 rounding: nothing to lose)
    ratio[:3] = 1.1 + np.spacing(1.1) * np.array([-2, 1, 2])  # (a few ulps: distinct)
    assert np.unique(ratio).size > 1 and np.unique(ratio.astype(np.float32)).size == 1
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        gn.fit(_net(4), np.c_[X, ratio], X[:, 0], epochs=1, verbose=0)
        gn.fit(_net(3), X, ratio, epochs=1, verbose=0)  # (targets alike)


def test_float32_cast_few_units_at_1e9_warns():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(300, 3))
    X[:, 2] = 1e9 + rng.integers(-3, 4, 300)  # (a few units: below float32's spacing, 64)
    with pytest.warns(UserWarning, match=r"X .*column 2.*float32"):
        gn.fit(_net(3), X, X[:, 0], epochs=1, verbose=0)


def test_float32_cast_collapse_among_one_hot_columns_warns():
    rng = np.random.default_rng(0)
    n = 400
    X = np.zeros((n, 40))  # (every column 0 at most rows: the sampled rows equal)
    X[np.arange(n), rng.integers(0, 39, n)] = 1.0
    X[:, 39] = 1e9 + rng.integers(-3, 4, n)
    with pytest.warns(UserWarning, match=r"X .*column 39.*float32"):
        gn.fit(_net(40), X, X[:, 0], epochs=1, verbose=0)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        gn.fit(_net(39), X[:, :39], X[:, 0], epochs=1, verbose=0)


def test_float32_cast_collapse_not_warned_at_predict():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(200, 2))
    X[:, 1] = 1e9 + 5 * X[:, 1]
    net = _net(2)
    with pytest.warns(UserWarning, match="column 1"):  # (training: warned once, in fit)
        gn.fit(net, X, X[:, 0], epochs=1, verbose=0)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        net.predict(X)
        net(gn.tensor(X.astype(np.float32)))
        from glassnet.diagnostics import activation_stats
        from glassnet.fused import FastMLP, layers_of

        FastMLP(layers_of(net), "mse").trace(X)
        activation_stats(net, X)


def test_float32_cast_collapse_not_warned_when_only_scoring():
    """evaluate_loss scores; it trains nothing the collapse could cost: no warning (fit
    warns of the same data)."""
    from glassnet.objective import evaluate_loss

    rng = np.random.default_rng(0)
    X = rng.normal(size=(200, 2))
    X[:, 1] = 1e9 + 5 * X[:, 1]
    y = 1e9 + 5 * X[:, 0]
    net = _net(2)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert np.isfinite(evaluate_loss(net, X, y[:, None], loss="mse"))
    with warnings.catch_warnings(record=True) as rec:
        warnings.simplefilter("always")
        gn.fit(net, X, y, epochs=1, verbose=0)
    said = " ".join(str(r.message) for r in rec)
    assert "column 1" in said and "y holds distinct values" in said


def test_jit_run_full_batch_weights_not_checked_for_collapse():
    jit = pytest.importorskip("glassnet.jit")
    if not jit.available():
        pytest.skip("numba not installed")
    from glassnet.fused import FastMLP, layers_of

    rng = np.random.default_rng(0)
    X, y = rng.normal(size=(50, 3)), rng.normal(size=(50, 1))
    w = 1.0 + 1e-9 * rng.normal(size=50)  # (only the weights' ratios matter)
    net = _net(3)
    fast = FastMLP(layers_of(net, training=True), "mse")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        jit.run_full_batch(fast, gn.optim.SGD(net.parameters(), lr=0.01), X, y, w, epochs=2)
    X[:, 1] = 1e9 + 5 * X[:, 1]  # (the features: warned, with the features' words)
    with pytest.warns(UserWarning, match=r"X .*column 1.*features"):
        jit.run_full_batch(fast, gn.optim.SGD(net.parameters(), lr=0.01), X, y, epochs=1)
    with pytest.warns(UserWarning, match=r"y .*targets"):
        jit.run_full_batch(fast, gn.optim.SGD(net.parameters(), lr=0.01), X[:, :3] * 0 + 1,
                           1e9 + 5 * y, epochs=1)  # fmt: skip


def test_sklearn_float32_fit_warns_of_collapse_as_fit_does():
    from glassnet.sklearn import MLPRegressor

    rng = np.random.default_rng(0)
    X = rng.normal(size=(300, 3))
    X[:, 2] = 1e9 + rng.integers(-3, 4, 300)
    kw = dict(hidden_layer_sizes=(3,), max_iter=2, random_state=0)
    with warnings.catch_warnings(record=True) as rec:
        warnings.simplefilter("always")
        est = MLPRegressor(dtype=np.float32, **kw).fit(X, 1e9 + X[:, 2] - 1e9 + X[:, 0])
        said = [str(w.message) for w in rec if "distinct values" in str(w.message)]
        assert len(said) == 2 and "X (column 2)" in said[0] and "dtype=np.float64" in said[0]
        assert said[1].startswith("MLPRegressor.fit: y (column 0) holds")
        est.predict(X)  # (predict: not said again)
        MLPRegressor(dtype=np.float64, **kw).fit(X, X[:, 0])
    assert len([w for w in rec if "distinct values" in str(w.message)]) == 2
