"""glassnet.jit: the compiled loop trains to the NumPy fast path's numbers.

Every run here is compared with the same run on the NumPy path (``FastMLP.step`` then
``optimizer.step()``, batch by batch, or ``glassnet.fit(engine="fused")``), from the same
weights, on the same batches: losses, weights and the optimizer's state.

Tolerances, and why they are not 0: the compiled loop sums the matrix products in its own
order (loops for tiny products, SciPy's BLAS for the others; NumPy's OpenBLAS blocks
differently) and takes ``exp``/``log1p``/``tanh`` from the C library (float64) or Eigen's
rational tanh (float32, as XLA), where NumPy uses its SIMD versions. Each is a rounding-level
difference per operation, carried through training: float64 runs agree to 1e-10, float32
runs to 1e-5, relative to each array's largest value. (Over long float32 runs a ReLU unit
whose z sits at 0 within rounding can flip and part the runs, as between two BLAS builds:
docs/jit.md. The runs here are short enough that none does.)

numba is in the ``test`` extra; without it this module is skipped. The kernels compile once
per dtype on first use (cached on disk afterwards).
"""

from __future__ import annotations

import copy
import math

import numpy as np
import pytest

pytest.importorskip("numba", reason='glassnet.jit needs numba: pip install -e ".[jit]"')

import glassnet as gn  # noqa: E402
from glassnet import jit, nn, optim  # noqa: E402
from glassnet.fused import FastMLP, layers_of  # noqa: E402

F32, F64 = np.float32, np.float64
TOL = {F32: 1e-5, F64: 1e-10}
XNOR_X = [[0, 0], [0, 1], [1, 0], [1, 1]]
XNOR_Y = [[1], [0], [0], [1]]


# ----------------------------------------------------------------------------- helpers
def _net(sizes, act="tanh", out="identity", dt=F64, seed=0, **kw) -> nn.MLP:
    return nn.MLP(list(sizes), activation=act, output_activation=out, rng=seed, dtype=dt, **kw)


def _fast(net, loss, l2=0.0) -> FastMLP:
    return FastMLP(layers_of(net, training=True), loss, l2=l2)


def _data(n, k, out, loss, dt, seed=1):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, k)).astype(dt)
    if loss == "ce_labels":
        return X, rng.integers(0, out, n)
    if loss == "ce_rows":
        P = rng.random((n, out))
        return X, (P / P.sum(axis=1, keepdims=True)).astype(dt)
    if loss in ("binary_cross_entropy", "binary_cross_entropy_with_logits"):
        return X, (rng.random((n, out)) > 0.5).astype(dt)
    return X, rng.standard_normal((n, out)).astype(dt)


def _numpy_full(net, loss, opt, X, y, w, epochs, l2=0.0) -> np.ndarray:
    """The NumPy path: fit's full-batch loop (epoch loss = (L n) / n)."""
    fast, n, out = _fast(net, loss, l2), X.shape[0], []
    for _ in range(epochs):
        with np.errstate(all="ignore"):  # as fit: a non-finite loss is reported, not warned
            L = fast.step(X, y, w)
        out.append(L * n / n)
        if not math.isfinite(L):
            break
        opt.step()
    return np.array(out)


def _numpy_epoch(net, loss, opt, X, y, w, order, bs, l2=0.0) -> np.ndarray:
    """The NumPy path: one of fit's mini-batch epochs (rows gathered by ``order``)."""
    fast, n, out = _fast(net, loss, l2), X.shape[0], []
    for s in range(0, n, bs):
        idx = order[s : s + bs]
        with np.errstate(all="ignore"):
            L = fast.step(X[idx], y[idx], None if w is None else w[idx])
        out.append(L)
        if not math.isfinite(L):
            break
        opt.step()
    return np.array(out)


def _close(a, b, dt, what="", factor=1.0):
    a, b = np.asarray(a, np.float64), np.asarray(b, np.float64)
    assert a.shape == b.shape, what
    scale = max(float(np.abs(b).max(initial=0.0)), np.finfo(dt).tiny)
    err = float(np.abs(a - b).max(initial=0.0)) / scale
    assert err <= factor * TOL[dt], f"{what}: relative difference {err:.3g} > {TOL[dt]:g}"


def _same_model(a, b, dt):
    for (name, p), q in zip(a.named_parameters(), b.parameters()):
        _close(p.data, q.data, dt, name)


def _same_optimizer(oa, ob, dt):
    sa, sb = oa.state_dict(), ob.state_dict()
    assert sa["t"] == sb["t"]
    ga, gb = sa["param_groups"][0], sb["param_groups"][0]
    assert ga.keys() == gb.keys()
    for k in ga:
        if isinstance(ga[k], np.ndarray) and ga[k].dtype.kind == "f":
            _close(ga[k], gb[k], dt, k)
        else:
            assert np.array_equal(ga[k], gb[k]) if isinstance(ga[k], np.ndarray) else ga[k] == gb[k]


# ------------------------------------------------------------------ the lecture's XNOR
@pytest.mark.parametrize("dt", [F64, F32])
def test_w3_xnor_2000_steps_of_gradient_descent_match_numpy(dt):
    X, y = np.array(XNOR_X, dt), np.array(XNOR_Y, dt)
    a = _net([2, 2, 1], "sigmoid", "sigmoid", dt)
    b = copy.deepcopy(a)
    oa, ob = optim.SGD(a.parameters(), lr=1.0), optim.SGD(b.parameters(), lr=1.0)
    ref = _numpy_full(a, "mse", oa, X, y, None, 2000)
    losses, reason = jit.run_full_batch(_fast(b, "mse"), ob, X, y, None, epochs=2000)
    assert reason == "max_epochs" and losses.shape == (2000,)
    _close(losses, ref, dt, "losses")
    _same_model(a, b, dt)
    _same_optimizer(oa, ob, dt)
    assert ob.t == 2000
    assert losses[-1] < 0.01 * losses[0]  # it learned XNOR
    for p, q in zip(a.parameters(), b.parameters()):  # the last gradient is left in .grad
        # (after 2000 steps it is small, a difference of nearly equal terms: 10x the
        # tolerance, relative to itself)
        _close(q.grad, p.grad, dt, "grad", factor=10)


def test_results_land_in_the_parameters_own_memory():
    net = _net([2, 2, 1], "sigmoid", "sigmoid")
    opt = optim.SGD(net.parameters(), lr=1.0)
    views = [p.data for p in net.parameters()]
    jit.run_full_batch(_fast(net, "mse"), opt, np.array(XNOR_X, F64), np.array(XNOR_Y, F64))
    assert all(p.data is v for p, v in zip(net.parameters(), views))  # never rebound
    before = [p.data.copy() for p in net.parameters()]
    opt.zero_grad(set_to_none=False)
    for p in net.parameters():  # the optimizer's flat buffer still moves them
        p.grad[...] = 1.0
    opt.step()
    for p, b in zip(net.parameters(), before):
        np.testing.assert_allclose(p.data, b - 0.01 * 100.0, rtol=0, atol=1e-12)


# -------------------------------------------------- every activation, every loss, both dtypes
LOSS_CASES = [  # (loss name, output activation, target kind)
    ("mse", "identity", "mse"),
    ("half_mse", "sigmoid", "mse"),
    ("mse", "tanh", "mse"),
    ("mse", "softmax", "mse"),  # softmax output, not fused: its Jacobian-vector product
    ("binary_cross_entropy", "sigmoid", "binary_cross_entropy"),  # fused head
    ("binary_cross_entropy_with_logits", "identity", "binary_cross_entropy_with_logits"),
    ("cross_entropy", "softmax", "ce_labels"),  # fused head, integer labels
    ("cross_entropy", "softmax", "ce_rows"),  # fused head, probability rows
    ("cross_entropy", "identity", "ce_labels"),  # logits
]


@pytest.mark.parametrize("dt", [F64, F32])
@pytest.mark.parametrize("act", ["sigmoid", "tanh", "relu", "leaky_relu", "identity"])
@pytest.mark.parametrize("loss,out,kind", LOSS_CASES)
def test_full_batch_matches_numpy_for_each_activation_and_loss(dt, act, loss, out, kind):
    K = 1 if "binary" in loss else 3
    X, y = _data(7, 3, K, kind, dt)
    w = np.random.default_rng(2).random(7).astype(dt) if act == "tanh" else None
    l2 = 0.1 if act == "relu" else 0.0
    a = _net([3, 5, 4, K], act, out, dt, leaky_alpha=0.1)
    b = copy.deepcopy(a)
    oa, ob = optim.SGD(a.parameters(), lr=0.2), optim.SGD(b.parameters(), lr=0.2)
    ref = _numpy_full(a, loss, oa, X, y, w, 40, l2)
    run = jit.run_full_batch(_fast(b, loss, l2), ob, X, y, w, epochs=40)
    assert run.stop_reason == "max_epochs" and run.steps == 40
    _close(run.losses, ref, dt, "losses")
    _same_model(a, b, dt)


# ---------------------------------------------------------------------------- optimizers
OPTIMIZERS = [
    ("SGD", dict(lr=0.1)),
    ("SGD", dict(lr=1.0, weight_decay=0.01)),
    ("SGD", dict(lr=0.05, momentum=0.9)),
    ("SGD", dict(lr=0.05, momentum=0.9, nesterov=True, weight_decay=1e-3)),
    ("SGD", dict(lr=0.05, momentum=0.5, dampening=0.3)),
    ("SGD", dict(lr=0.05, momentum=0.9, style="sklearn")),
    ("SGD", dict(lr=0.05, momentum=0.9, nesterov=True, style="sklearn", weight_decay=1e-3)),
    ("Adam", dict(lr=0.01)),
    ("Adam", dict(lr=0.01, weight_decay=0.01, amsgrad=True, betas=(0.8, 0.99))),
    ("AdamW", dict(lr=0.01)),
]


@pytest.mark.parametrize("dt", [F64, F32])
@pytest.mark.parametrize("name,kw", OPTIMIZERS)
def test_mini_batch_epochs_match_numpy_for_each_optimizer(dt, name, kw):
    X, y = _data(50, 4, 2, "mse", dt)
    a = _net([4, 8, 2], "tanh", "identity", dt)
    b = copy.deepcopy(a)
    oa, ob = (getattr(optim, name)(m.parameters(), **kw) for m in (a, b))
    rng = np.random.default_rng(0)
    for _ in range(3):  # the last batch of each epoch is partial (50 = 3 x 16 + 2)
        order = rng.permutation(50)
        ref = _numpy_epoch(a, "mse", oa, X, y, None, order, 16)
        got = jit.run_epoch(_fast(b, "mse"), ob, X, y, None, order, 16)
        _close(got, ref, dt, "batch losses")
    _same_model(a, b, dt)
    _same_optimizer(oa, ob, dt)
    # the state the compiled loop left is the optimizer's own: the NumPy path continues it
    order = rng.permutation(50)
    _numpy_epoch(a, "mse", oa, X, y, None, order, 16)
    _numpy_epoch(b, "mse", ob, X, y, None, order, 16)
    _same_model(a, b, dt)
    _same_optimizer(oa, ob, dt)


@pytest.mark.parametrize("dt", [F64, F32])
def test_w2_shaped_network_matches_numpy(dt):
    # bench/ W2's network and settings on less data: 20-64-64-1 tanh, sigmoid + BCE, SGD
    # lr 0.05, batch 64, shuffled every epoch
    X, y = _data(400, 20, 1, "binary_cross_entropy", dt)
    a = _net([20, 64, 64, 1], "tanh", "sigmoid", dt)
    b = copy.deepcopy(a)
    oa, ob = optim.SGD(a.parameters(), lr=0.05), optim.SGD(b.parameters(), lr=0.05)
    rng = np.random.default_rng(0)
    for _ in range(3):
        order = rng.permutation(400)
        ref = _numpy_epoch(a, "bce", oa, X, y, None, order, 64)
        got = jit.run_epoch(_fast(b, "bce"), ob, X, y, None, order, 64)
        _close(got, ref, dt, "batch losses")
    _same_model(a, b, dt)


# ----------------------------------------------------------------- fit's loop, reproduced
def _fit_jit(model, X, y, *, loss, optimizer, epochs, batch_size=None, seed=0, tol=None,
             n_iter_no_change=10, shuffle=True):  # fmt: skip
    """What fit's loop runs with the compiled path (see docs/jit.md): the same batches,
    the same history."""
    spec = gn.functional.get_loss(loss)
    fast = FastMLP(layers_of(model, training=True), spec.name)
    n = X.shape[0]
    losses, reason = [], "max_epochs"
    if batch_size is None or batch_size >= n:
        run = jit.run_full_batch(fast, optimizer, X, y, None, epochs, tol, n_iter_no_change)
        return list(run.losses), run.stop_reason
    rng = np.random.default_rng(seed)
    for _ in range(epochs):
        order = rng.permutation(n) if shuffle else None
        b = jit.run_epoch(fast, optimizer, X, y, None, order, batch_size)
        m = [min(batch_size, n - s) for s in range(0, n, batch_size)]
        losses.append(sum(L * k for L, k in zip(b, m)) / n)
    return losses, reason


@pytest.mark.parametrize("dt", [F64, F32])
@pytest.mark.parametrize("batch_size", [None, 8])
def test_same_history_and_weights_as_fit(dt, batch_size):
    X, y = _data(30, 3, 1, "binary_cross_entropy", dt)
    a = _net([3, 6, 1], "relu", "sigmoid", dt)
    b = copy.deepcopy(a)
    oa, ob = optim.Adam(a.parameters(), lr=0.01), optim.Adam(b.parameters(), lr=0.01)
    h = gn.fit(a, X, y, loss="bce", optimizer=oa, epochs=20, batch_size=batch_size, seed=0,
               verbose=0, engine="fused")  # fmt: skip
    losses, reason = _fit_jit(b, X, y, loss="bce", optimizer=ob, epochs=20,
                              batch_size=batch_size, seed=0)  # fmt: skip
    assert reason == h.stop_reason == "max_epochs"
    _close(losses, h.loss, dt, "epoch losses")
    _same_model(a, b, dt)
    _same_optimizer(oa, ob, dt)


@pytest.mark.parametrize("tol,patience", [(1e-3, 5), (1e-4, 3), (1e-6, 1)])
def test_full_batch_stops_where_fits_tolerance_rule_stops(tol, patience):
    X, y = np.array(XNOR_X, F64), np.array(XNOR_Y, F64)
    a = _net([2, 2, 1], "sigmoid", "sigmoid", F64)
    b = copy.deepcopy(a)
    oa, ob = optim.SGD(a.parameters(), lr=1.0), optim.SGD(b.parameters(), lr=1.0)
    h = gn.fit(a, X, y, loss="mse", optimizer=oa, epochs=3000, tol=tol,
               n_iter_no_change=patience, verbose=0, engine="fused")  # fmt: skip
    run = jit.run_full_batch(_fast(b, "mse"), ob, X, y, None, 3000, tol, patience)
    assert run.stop_reason == h.stop_reason == "tol"
    assert len(run.losses) == h.epochs < 3000
    assert run.best_epoch + 1 == h.best_epoch
    _close(run.losses, h.loss, F64, "losses")
    _same_model(a, b, F64)


def test_max_steps_stops_the_run_and_wins_over_tol():
    X, y = np.array(XNOR_X, F64), np.array(XNOR_Y, F64)
    net = _net([2, 2, 1], "sigmoid", "sigmoid")
    opt = optim.SGD(net.parameters(), lr=1.0)
    run = jit.run_full_batch(_fast(net, "mse"), opt, X, y, None, 100, max_steps=7)
    assert (run.stop_reason, run.steps, len(run.losses), opt.t) == ("max_steps", 7, 7, 7)
    run = jit.run_full_batch(_fast(net, "mse"), opt, X, y, None, 100, 1e9, 1, max_steps=1)
    assert run.stop_reason == "max_steps"  # tol stops at once too; fit reports max_steps
    got = jit.run_epoch(_fast(net, "mse"), opt, X, y, None, None, 1, max_steps=3)
    assert got.shape == (3,) and opt.t == 11


@pytest.mark.parametrize("dt", [F64, F32])
def test_divergence_stops_before_the_update_and_reports_the_loss(dt):
    X, y = _data(16, 3, 2, "mse", dt)
    X *= 100
    a = _net([3, 4, 2], "relu", "identity", dt)
    b = copy.deepcopy(a)
    oa, ob = optim.SGD(a.parameters(), lr=10.0), optim.SGD(b.parameters(), lr=10.0)
    ref = _numpy_full(a, "mse", oa, X, y, None, 100)
    run = jit.run_full_batch(_fast(b, "mse"), ob, X, y, None, 100)
    assert run.stop_reason == "diverged"
    assert not math.isfinite(run.losses[-1]) and len(run.losses) == len(ref)
    assert run.steps == len(ref) - 1 == ob.t
    # up to the diverging step the runs agree where the numbers are finite
    finite = np.isfinite(ref[:-1]) & (np.abs(ref[:-1]) < 1e30)
    _close(run.losses[:-1][finite], ref[:-1][finite], dt, "losses")


def test_divergence_in_a_mini_batch_epoch():
    X, y = _data(40, 3, 1, "mse", F64)
    X *= 1e3
    net = _net([3, 4, 1], "relu", "identity")
    opt = optim.SGD(net.parameters(), lr=10.0)
    got = jit.run_epoch(_fast(net, "mse"), opt, X, y, None, None, 4)
    assert not math.isfinite(got[-1]) and np.isfinite(got[:-1]).all()
    assert opt.t == len(got) - 1


def test_snapshot_keeps_the_weights_of_every_64th_step_as_fit_does():
    X, y = np.array(XNOR_X, F64), np.array(XNOR_Y, F64)
    net = _net([2, 2, 1], "sigmoid", "sigmoid")
    ref = copy.deepcopy(net)
    opt, oref = optim.SGD(net.parameters(), lr=1.0), optim.SGD(ref.parameters(), lr=1.0)
    params = net.parameters()
    snapshot = [p.data.copy() for p in params]
    jit.run_full_batch(_fast(net, "mse"), opt, X, y, None, 60, step0=30,
                       snapshot=list(zip(params, snapshot)))  # fmt: skip
    _numpy_full(ref, "mse", oref, X, y, None, 34)  # step 64 counted from the start (not 128)
    for s, p in zip(snapshot, ref.parameters()):
        _close(s, p.data, F64, "snapshot")


# ------------------------------------------------------------------ what is supported
def test_supported_and_why_not():
    net = _net([2, 3, 1], "tanh", "sigmoid")
    fast = _fast(net, "bce")
    assert jit.why_not(fast, optim.SGD(net.parameters(), lr=0.1)) is None
    assert jit.supported(fast, optim.Adam(net.parameters()), batch_size=4)
    assert "RMSprop" in jit.why_not(fast, optim.RMSprop(net.parameters()))
    ps = net.parameters()
    two = optim.SGD([{"params": ps[:2]}, {"params": ps[2:], "lr": 0.5}], lr=0.1)
    assert "one param group" in jit.why_not(fast, two)
    assert "exactly" in jit.why_not(fast, optim.SGD(ps[:2], lr=0.1))
    ps[0].requires_grad = False
    assert "frozen" in jit.why_not(fast, optim.SGD(ps, lr=0.1))
    assert "FastMLP" in jit.why_not(net, optim.SGD(ps, lr=0.1))
    assert jit.available() is True


def test_the_size_rule():
    small = _fast(_net([20, 64, 64, 1], "tanh", "sigmoid", F32), "bce")
    assert jit.is_small(small, 64)  # bench/ W2
    assert not jit.is_small(small, 4096)
    big = _fast(_net([784, 256, 128, 10], "relu", "softmax", F32), "ce")
    assert not jit.is_small(big, 32)  # bench/ W1: OpenBLAS's territory
    opt = optim.SGD(big.layers[0].linear.parameters() + big.layers[1].linear.parameters()
                    + big.layers[2].linear.parameters(), lr=0.1)  # fmt: skip
    assert jit.why_not(big, opt) is None and not jit.supported(big, opt, batch_size=32)


def test_a_replaced_table_entry_is_not_compiled(monkeypatch):
    import dataclasses

    tanh = gn.functional.ACTIVATIONS["tanh"]
    monkeypatch.setitem(
        gn.functional.ACTIVATIONS, "tanh", dataclasses.replace(tanh, grad=lambda z, a: 1 - a * a)
    )
    net = _net([2, 3, 1], "tanh", "identity")
    assert "replaced" in jit.why_not(_fast(net, "mse"), optim.SGD(net.parameters(), lr=0.1))


def test_bad_arguments_name_themselves():
    net = _net([2, 3, 1], "tanh", "identity")
    fast, opt = _fast(net, "mse"), optim.SGD(net.parameters(), lr=0.1)
    X, y = _data(10, 2, 1, "mse", F64)
    with pytest.raises(ValueError, match="order"):
        jit.run_epoch(fast, opt, X, y, None, np.arange(9), 4)
    with pytest.raises(ValueError, match="batch_size"):
        jit.run_epoch(fast, opt, X, y, None, None, 11)
    with pytest.raises(ValueError, match="features"):
        jit.run_full_batch(fast, opt, X[:, :1], y)
    with pytest.raises(ValueError, match="shape"):
        jit.run_full_batch(fast, opt, X, y[:5])
    with pytest.raises(ValueError, match="epochs"):
        jit.run_full_batch(fast, opt, X, y, epochs=0)
    with pytest.raises(ValueError, match="RMSprop"):
        jit.run_full_batch(fast, optim.RMSprop(net.parameters()), X, y)
    assert opt.t == 0


def test_a_step_is_one_compiled_function_without_reference_counting():
    # numba's reference counting (an atomic increment and decrement, each a call, per
    # array slice and argument) and a compiled call per helper were about half of a tiny
    # W3 step: the helpers are inlined and only the BLAS kernel (np.dot needs it) counts
    jit._compile()
    for name in jit._KERNELS:
        opts = getattr(jit, name).targetoptions
        assert opts["_nrt"] is (name == "_k_blas"), name
        assert opts["inline"] == ("always" if name in jit._INLINE else "never"), name
    assert {"_k_mm", "_k_activate", "_k_output"} <= set(jit._INLINE)
    assert "_k_step" not in jit._INLINE and "_k_blas" not in jit._INLINE


def test_eigens_tanh_is_within_5_ulp():
    x = np.concatenate([np.linspace(-10, 10, 200001), np.geomspace(1e-8, 10, 10001)])
    x = np.concatenate([x, -x]).astype(F32)
    hd = np.zeros(jit._N_SLOTS, F32)
    hd[jit._TANH :] = jit._TANH_CONSTANTS
    A = x.copy()
    hd[jit._FAST], hd[jit._ONE], hd[jit._HALF] = 1, 1, 0.5
    jit._compile()
    jit._k_activate(A, 1, A.size, 2, F32(0), hd)
    exact = np.tanh(x.astype(F64))
    ulp = np.abs(A.astype(F64) - exact) / np.spacing(np.abs(exact).astype(F32)).astype(F64)
    numpy_ulp = np.abs(np.tanh(x).astype(F64) - exact) / np.spacing(np.abs(exact).astype(F32))
    # measured: 4.3 ulp at most (near |x| = 5.2), and 0.99999976 (not 1) past the clamp;
    # NumPy's own float32 tanh is within 1.4 ulp
    assert ulp.max() <= 5, ulp.max()
    assert numpy_ulp.max() <= 2
    assert np.isnan(jit._k_tanh(F32(np.nan), jit._k_tanh_constants(hd)))


def test_use_takes_long_runs_alone_whether_or_not_the_kernels_are_loaded(monkeypatch):
    net = _net([2, 2, 1], "sigmoid", "sigmoid")
    fast, opt = _fast(net, "mse"), optim.SGD(net.parameters(), lr=1.0)
    monkeypatch.setattr(jit, "_LOADED", set())
    assert not jit.loaded(F64)
    assert not jit.use(fast, opt, 4, 2000)  # importing and loading would cost more
    assert jit.use(fast, opt, 4, jit.MIN_STEPS_COLD)
    assert jit.warmup([F64])["float64"] >= 0 and jit.loaded(F64)
    # the same answer once loaded: the same call takes the same loop (the same numbers)
    assert not jit.use(fast, opt, 4, 2000)
    assert jit.use(fast, opt, 4, jit.MIN_STEPS_COLD)
    assert not jit.use(fast, opt, jit.SMALL_ROWS + 1, 10**6)  # too many rows per step
    assert not jit.use(fast, opt, 4, 10**6, per_call=jit.MIN_STEPS_PER_CALL - 1)
    assert jit.use(fast, opt, 4, 10**6, per_call=jit.MIN_STEPS_PER_CALL)
    assert not jit.use(fast, optim.RMSprop(net.parameters()), 4, 10**6)


def test_a_long_full_batch_run_in_chunks_is_one_run(monkeypatch):
    X, y = np.array(XNOR_X, F64), np.array(XNOR_Y, F64)
    a = _net([2, 2, 1], "sigmoid", "sigmoid")
    b = copy.deepcopy(a)
    oa, ob = optim.SGD(a.parameters(), lr=1.0), optim.SGD(b.parameters(), lr=1.0)
    whole = jit.run_full_batch(_fast(a, "mse"), oa, X, y, None, 3000, 1e-4, 3)
    monkeypatch.setattr(jit, "_CHUNK", 7)  # many compiled calls, the rule's state carried
    chunked = jit.run_full_batch(_fast(b, "mse"), ob, X, y, None, 3000, 1e-4, 3)
    assert (chunked.stop_reason, chunked.steps, chunked.best_epoch, chunked.bad) == (
        whole.stop_reason, whole.steps, whole.best_epoch, whole.bad)  # fmt: skip
    np.testing.assert_array_equal(chunked.losses, whole.losses)
    _same_model(a, b, F64)


def test_ctrl_c_during_a_compiled_call_keeps_its_steps(monkeypatch):
    X, y = np.array(XNOR_X, F64), np.array(XNOR_Y, F64)
    net = _net([2, 2, 1], "sigmoid", "sigmoid")
    opt = optim.SGD(net.parameters(), lr=1.0)
    jit._compile()
    real = jit._k_run

    def interrupted(*args):  # Ctrl-C held by numba is raised as the call returns
        real(*args)
        raise KeyboardInterrupt

    monkeypatch.setattr(jit, "_k_run", interrupted)
    run = jit.run_full_batch(_fast(net, "mse"), opt, X, y, None, 50)
    assert (run.stop_reason, run.steps, len(run.losses), opt.t) == ("interrupted", 50, 50, 50)
    with pytest.raises(KeyboardInterrupt):
        jit.run_epoch(_fast(net, "mse"), opt, X, y, None, None, 2)
    assert opt.t == 52  # the epoch's two steps are in the weights and the optimizer


def _ctrl_c_at_call(monkeypatch, owner, name, at, after=True):
    """Ctrl-C at the ``at``-th call of ``owner.name`` (1-based): as it returns (``after``:
    its work done) or as it is entered (nothing done)."""
    jit._compile()  # (first: compiling after would hand the stand-in to numba)
    real, calls = getattr(owner, name), []

    def pressed(*args, **kw):
        calls.append(1)
        if len(calls) == at and not after:
            raise KeyboardInterrupt
        out = real(*args, **kw)
        if len(calls) == at:
            raise KeyboardInterrupt
        return out

    monkeypatch.setattr(owner, name, pressed)


def test_ctrl_c_between_two_compiled_chunks_keeps_the_chunks_before(monkeypatch):
    X, y = np.array(XNOR_X, F64), np.array(XNOR_Y, F64)
    net = _net([2, 2, 1], "sigmoid", "sigmoid")
    opt = optim.SGD(net.parameters(), lr=1.0, momentum=0.9)
    monkeypatch.setattr(jit, "_CHUNK", 7)
    _ctrl_c_at_call(monkeypatch, jit._Plan, "state_in", 3, after=False)  # the third chunk's
    run = jit.run_full_batch(_fast(net, "mse"), opt, X, y, None, 50)
    assert (run.stop_reason, run.steps, len(run.losses), opt.t) == ("interrupted", 14, 14, 14)
    assert opt.state_dict()["param_groups"][0]["steps"].tolist() == [14] * 4


def test_ctrl_c_as_the_written_back_results_return_keeps_their_steps(monkeypatch):
    X, y = np.array(XNOR_X, F64), np.array(XNOR_Y, F64)
    net = _net([2, 2, 1], "sigmoid", "sigmoid")
    opt = optim.Adam(net.parameters(), lr=0.1)
    monkeypatch.setattr(jit, "_CHUNK", 7)
    _ctrl_c_at_call(monkeypatch, jit, "_run", 2)  # the second chunk's, once written back
    run = jit.run_full_batch(_fast(net, "mse"), opt, X, y, None, 50)
    assert (run.stop_reason, run.steps, len(run.losses), opt.t) == ("interrupted", 14, 14, 14)
    assert np.isfinite(run.losses).all()
    _ctrl_c_at_call(monkeypatch, jit, "_run", 1)
    with pytest.raises(KeyboardInterrupt) as e:
        jit.run_epoch(_fast(net, "mse"), opt, X, y, None, None, 2)
    assert opt.t == 16 and len(e.value.losses) == 2  # the epoch's losses go with it
    _ctrl_c_at_call(monkeypatch, jit, "FullBatchRun", 1, after=False)  # a second Ctrl-C
    run = jit.run_full_batch(_fast(net, "mse"), opt, X, y, None, 5)  # as the run is told
    assert (run.stop_reason, run.steps, len(run.losses), opt.t) == ("interrupted", 5, 5, 21)


def test_ctrl_c_in_the_compiled_call_that_diverged_reports_the_divergence(monkeypatch):
    """As the per-step loop and the eager loop: the run stopped at the non-finite loss."""
    X, y = _data(16, 3, 2, "mse", F64)
    X *= 100
    net = _net([3, 4, 2], "relu", "identity", F64)
    opt = optim.SGD(net.parameters(), lr=10.0)
    _ctrl_c_at_call(monkeypatch, jit, "_k_run", 1)
    run = jit.run_full_batch(_fast(net, "mse"), opt, X, y, None, 100)
    assert run.stop_reason == "diverged" and not math.isfinite(run.losses[-1])
    assert run.steps == len(run.losses) - 1 == opt.t


def test_ctrl_c_between_compiled_chunks_inside_fit_counts_every_step(monkeypatch):
    jit.warmup((F64,))
    X, y = np.array(XNOR_X, F64), np.array(XNOR_Y, F64)
    net = _net([2, 2, 1], "sigmoid", "sigmoid")
    opt = optim.SGD(net.parameters(), lr=1.0)
    monkeypatch.setattr(jit, "_CHUNK", 7)
    _ctrl_c_at_call(monkeypatch, jit._Plan, "state_in", 3, after=False)
    with pytest.warns(UserWarning, match="Training interrupted by user"):
        h = gn.fit(net, X, y, loss="mse", optimizer=opt, epochs=50, verbose=0, engine="jit")
    assert (h.engine, h.stop_reason, h.steps, h.epochs, len(h.loss)) == (
        "jit", "interrupted", 14, 14, 14)  # fmt: skip
    assert opt.t == 14 and h.samples_seen == 14 * 4


def test_ctrl_c_in_the_compiled_call_that_diverged_inside_fit_is_fits_divergence(monkeypatch):
    jit.warmup((F64,))
    X, y = _data(16, 3, 2, "mse", F64)
    X *= 100
    errors, weights = [], []
    for engine in ("jit", "fused"):
        net = _net([3, 4, 2], "relu", "identity", F64)
        if engine == "jit":
            _ctrl_c_at_call(monkeypatch, jit, "_k_run", 1)
        with pytest.raises(gn.DivergenceError) as e:
            gn.fit(net, X, y, loss="mse", lr=10.0, epochs=100, verbose=0, engine=engine)
        errors.append((str(e.value), e.value.history.engine, e.value.history.steps))
        weights.append([p.data.copy() for p in net.parameters()])
    assert errors[0][1:] == ("jit", errors[1][2]) and errors[0][0] == errors[1][0]
    for a, b in zip(*weights):
        _close(a, b, F64, "weights")


def test_a_layer_without_bias_and_a_sequential_of_modules():
    first = nn.Linear(3, 5, bias=False, rng=0, dtype=F64)
    net = nn.Sequential(first, nn.LeakyReLU(0.2), nn.Linear(5, 2, rng=1, dtype=F64))
    b = copy.deepcopy(net)
    X, y = _data(9, 3, 2, "mse", F64)
    oa, ob = optim.Adam(net.parameters(), lr=0.01), optim.Adam(b.parameters(), lr=0.01)
    ref = _numpy_full(net, "mse", oa, X, y, None, 30)
    run = jit.run_full_batch(_fast(b, "mse"), ob, X, y, None, 30)
    _close(run.losses, ref, F64, "losses")
    _same_model(net, b, F64)
    _same_optimizer(oa, ob, F64)


# ----------------------------------------------------------------------------- inside fit
def _fit_pair(make_net, X, y, **kw):
    """The same fit twice from the same weights: engine 'jit' (compiled) and 'fused'
    (NumPy)."""
    out = []
    for engine in ("jit", "fused"):
        net = make_net()
        h = gn.fit(net, X, y, engine=engine, verbose=0, **kw)
        out.append((h, [p.data.copy() for p in net.parameters()]))
    return out


@pytest.mark.parametrize("dt", [F64, F32])
def test_fit_trains_the_lecture_xnor_net_compiled_and_lands_where_numpy_does(dt):
    jit.warmup((dt,))
    X, y = np.array(XNOR_X, dt), np.array(XNOR_Y, dt)
    (hj, wj), (hn, wn) = _fit_pair(
        lambda: _net([2, 2, 1], "sigmoid", "sigmoid", dt), X, y, loss="mse", lr=1.0,
        epochs=3000, tol=1e-7, n_iter_no_change=50,
    )  # fmt: skip
    assert (hj.engine, hn.engine) == ("jit", "fused")
    assert (hj.stop_reason, hj.epochs, hj.steps, hj.best_epoch) == (
        hn.stop_reason, hn.epochs, hn.steps, hn.best_epoch,
    )  # fmt: skip
    np.testing.assert_allclose(hj.loss, hn.loss, rtol=TOL[dt] * 10, atol=TOL[dt] * 1e-3)
    assert hj.lr == hn.lr and hj.samples_seen == hn.samples_seen
    for a, b in zip(wj, wn):
        np.testing.assert_allclose(a, b, rtol=TOL[dt], atol=TOL[dt])


def test_fit_runs_mini_batch_epochs_compiled_and_lands_where_numpy_does():
    jit.warmup((F64,))
    X, y = _data(2048, 8, 1, "binary_cross_entropy", F64)
    (hj, wj), (hn, wn) = _fit_pair(
        lambda: _net([8, 16, 16, 1], "tanh", "sigmoid"), X, y, loss="binary_cross_entropy",
        optimizer="adam", lr=1e-2, epochs=3, batch_size=32, seed=3,
    )  # fmt: skip
    assert (hj.engine, hn.engine) == ("jit", "fused")
    assert (hj.steps, hj.epochs, hj.stop_reason) == (hn.steps, hn.epochs, hn.stop_reason) == (
        192, 3, "max_epochs",
    )  # fmt: skip
    np.testing.assert_allclose(hj.loss, hn.loss, rtol=1e-10)
    for a, b in zip(wj, wn):
        np.testing.assert_allclose(a, b, rtol=1e-10, atol=1e-12)


def test_fit_stays_on_numpy_where_the_caller_runs_code_between_steps(monkeypatch):
    jit.warmup((F64,))
    monkeypatch.setattr(jit, "MIN_STEPS_COLD", 100)  # these runs as long as auto's rule asks
    X, y = _data(2048, 8, 1, "mse", F64)
    kw = dict(loss="mse", epochs=2, batch_size=32, verbose=0)
    assert gn.fit(_net([8, 4, 1]), X, y, engine="jit", **kw).engine == "jit"
    assert gn.fit(_net([8, 4, 1]), X, y, **kw).engine == "fused"  # ('auto': never compiled)
    assert gn.fit(_net([8, 4, 1]), X, y, callbacks=[lambda s: None], **kw).engine == "fused"
    assert gn.fit(_net([8, 4, 1]), X, y, validation_split=0.2, **kw).engine == "fused"
    assert gn.fit(_net([8, 4, 1]), X, y, engine="fused", **kw).engine == "fused"
    # no epoch left to run (a resumed run already done): no loop runs, none is named; the
    # run is at its last epoch, as a resumed run that trains counts its epochs from the start
    h = gn.fit(_net([8, 4, 1]), X, y, initial_epoch=2, **kw)
    assert (h.engine, h.steps, h.epochs) == ("fused", 0, 2)


def test_fit_keeps_parameters_at_different_step_counts_on_numpy(monkeypatch):
    jit.warmup((F64,))
    monkeypatch.setattr(jit, "MIN_STEPS_COLD", 100)  # a run as long as auto's rule asks
    X, y = _data(2048, 8, 1, "mse", F64)
    net = _net([8, 4, 1])
    opt = optim.Adam(net.parameters(), lr=1e-3)
    net.parameters()[0].grad = np.ones_like(net.parameters()[0].data)
    opt.step()  # one parameter one step ahead: the compiled loop keeps one count
    assert "different numbers of steps" in jit.why_not(_fast(net, "mse"), opt)
    h = gn.fit(net, X, y, loss="mse", optimizer=opt, epochs=2, batch_size=32, verbose=0)
    assert h.engine == "fused" and h.steps == 128


def test_ctrl_c_in_a_compiled_epoch_inside_fit_counts_its_steps(monkeypatch):
    """fit's history holds every step the weights hold: an interrupt raised as a compiled
    epoch returns comes with that epoch's losses, which fit counts before stopping."""
    jit.warmup((F64,))
    X, y = _data(2048, 8, 1, "mse", F64)
    real = jit._k_run
    calls = []

    def interrupted(*args):  # the second epoch's call: Ctrl-C as it returns
        out = real(*args)
        calls.append(1)
        if len(calls) == 2:
            raise KeyboardInterrupt
        return out

    monkeypatch.setattr(jit, "_k_run", interrupted)
    net = _net([8, 4, 1])
    opt = optim.SGD(net.parameters(), lr=0.01)
    with pytest.warns(UserWarning, match="Training interrupted by user"):
        h = gn.fit(net, X, y, loss="mse", optimizer=opt, epochs=5, batch_size=32, verbose=0,
                   engine="jit")  # fmt: skip
    assert (h.engine, h.stop_reason) == ("jit", "interrupted")
    assert h.steps == opt.t == 128 and h.samples_seen == 2 * 2048
    assert len(h.loss) == 1  # the interrupted epoch has no epoch loss, as on NumPy


def test_a_process_that_compiled_the_kernels_and_one_that_loaded_them_agree(tmp_path):
    """numba compiles the kernels in the first process and later ones load them from its
    cache: both train to the same bits (with reassociated sums, LLVM vectorized the two
    differently and the first run on a machine parted from the later ones)."""
    import os
    import subprocess
    import sys

    script = (
        "import numpy as np, glassnet as gn\n"
        "from glassnet import jit\n"
        "jit.warmup((np.float64,))\n"
        "rng = np.random.default_rng(0)\n"
        "X = rng.normal(size=(400, 5)); y = rng.integers(0, 3, 400)\n"
        "m = gn.nn.MLP([5, 8, 3], 'relu', 'softmax', rng=1, dtype=np.float64)\n"
        "h = gn.fit(m, X, y, loss='cross_entropy', lr=0.05, epochs=20, batch_size=8, seed=3,\n"
        "           threads=1, verbose=0, engine='jit')\n"
        "assert h.engine == 'jit', h.engine\n"
        "print(np.concatenate([p.data.ravel() for p in m.parameters()]).tobytes().hex())\n"
    )
    env = {**os.environ, "NUMBA_CACHE_DIR": str(tmp_path)}
    runs = [
        subprocess.run(
            [sys.executable, "-c", script], env=env, capture_output=True, text=True, check=True
        ).stdout
        for _ in range(2)
    ]
    assert runs[0] and runs[0] == runs[1]


@pytest.mark.parametrize("kind", ["ce_labels", "ce_rows"])
def test_cross_entropy_at_large_logits_keeps_its_precision_as_the_table_does(kind):
    # logits near -1e4 in float32 (ulp 1e-3): the compiled kernel computed
    # (m + log sum e^(z - m)) - z_y, adding m back and subtracting it, as the table's kernel
    # did before it kept (m - z_y) + log sum e^(z - m); the loss lost its last 4 digits
    X, y = _data(6, 3, 3, kind, F32)
    a = _net([3, 3], "identity", "identity", F32)
    a.layers[0].b.data[...] = -1e4  # every logit near -1e4, their differences small
    b = copy.deepcopy(a)
    oa, ob = optim.SGD(a.parameters(), lr=1e-3), optim.SGD(b.parameters(), lr=1e-3)
    ref = _numpy_full(a, "cross_entropy", oa, X, y, None, 3)
    run = jit.run_full_batch(_fast(b, "cross_entropy"), ob, X, y, None, epochs=3)
    _close(run.losses, ref, F32, "losses")
