"""glassnet.fused: the fast path reads glassnet.functional's tables, agrees with the graph,
and its trace is every number of one pass."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import glassnet as gn
from glassnet import functional as F
from glassnet import nn
from glassnet.fused import FastMLP, layers_of

F64 = np.float64


def _grads(model: nn.Module, X, y, loss: str, engine: str) -> list[np.ndarray]:
    """dL/dw after one full-batch step of lr 0 (the weights stay, the gradients remain)."""
    opt = gn.optim.SGD(model.parameters(), lr=1e-300)
    h = gn.fit(model, X, y, loss=loss, optimizer=opt, epochs=1, verbose=0, engine=engine)
    assert h.engine == engine
    return [p.grad.copy() for p in model.parameters()]


def _net(act: str = "tanh", out: str = "identity", sizes=(3, 4, 2)) -> nn.MLP:
    return nn.MLP(list(sizes), activation=act, output_activation=out, rng=0, dtype=F64)


def _data(n: int = 6, k: int = 3, out: int = 2):
    rng = np.random.default_rng(0)
    return rng.standard_normal((n, k)), rng.standard_normal((n, out))


def test_one_table_swapping_a_derivative_changes_graph_and_fast_path_together(monkeypatch):
    X, y = _data()
    before = {e: _grads(_net(), X, y, "mse", e) for e in ("fused", "graph")}
    tanh = F.ACTIVATIONS["tanh"]
    # a deliberately different derivative, through the public table only
    odd = dataclasses.replace(tanh, grad=lambda z, a: 3.0 - a * a)
    monkeypatch.setitem(F.ACTIVATIONS, "tanh", odd)
    after = {e: _grads(_net(), X, y, "mse", e) for e in ("fused", "graph")}
    for e in ("fused", "graph"):  # both engines follow the table ...
        assert not np.allclose(before[e][0], after[e][0])
        np.testing.assert_allclose(before[e][-1], after[e][-1])  # output layer: no tanh
    for a, b in zip(after["fused"], after["graph"]):  # ... and still agree
        np.testing.assert_allclose(a, b, rtol=1e-12, atol=1e-15)


def test_one_table_swapping_a_loss_kernel_changes_both_engines(monkeypatch):
    X, y = _data()
    mse = F.LOSSES["mse"]

    def cubed(P, Y, G):  # L = (y_hat - y)^4 / 4 per entry, dL/dy_hat = (y_hat - y)^3
        np.power(P - Y, 3, out=G)
        return (P - Y) ** 4 / 4

    monkeypatch.setitem(F.LOSSES, "mse", dataclasses.replace(mse, kernel=cubed))
    g = {e: _grads(_net(), X, y, "mse", e) for e in ("fused", "graph")}
    for a, b in zip(g["fused"], g["graph"]):
        np.testing.assert_allclose(a, b, rtol=1e-12, atol=1e-15)
    net = _net()
    out = net(X).data
    dW2 = net.layers[-1].W  # Linear of the output layer
    expected = np.tanh(X @ net.layers[0].W.data + net.layers[0].b.data).T @ (out - y) ** 3
    np.testing.assert_allclose(g["fused"][2], expected / y.size, rtol=1e-12)
    assert dW2.data.shape == expected.shape


def test_a_loss_with_one_value_per_row_is_counted_by_the_tables_flag(monkeypatch):
    """A loss the user adds to the table with one loss per row (``per_row=True``, as
    cross-entropy) trains on the fast path as cross-entropy does: the mean is over rows,
    not over entries. (The fast path reads the flag, not the loss's name.)"""
    ce = F.LOSSES["cross_entropy"]
    mine = dataclasses.replace(ce, name="my_ce", fn=F.cross_entropy, on_logits="my_ce")
    monkeypatch.setitem(F.LOSSES, "my_ce", mine)
    rng = np.random.default_rng(1)
    X, y = rng.standard_normal((40, 3)), np.eye(4)[rng.integers(0, 4, 40)]  # (target rows)
    runs = {}
    for loss in ("cross_entropy", "my_ce"):
        net = nn.MLP([3, 5, 4], "tanh", "softmax", rng=0, dtype=F64)
        h = gn.fit(net, X, y, loss=loss, lr=0.1, epochs=3, batch_size=8, seed=0, verbose=0,
                   engine="fused")  # fmt: skip
        runs[loss] = (h.loss, [p.data.copy() for p in net.parameters()])
    assert runs["my_ce"][0] == runs["cross_entropy"][0]
    for a, b in zip(runs["my_ce"][1], runs["cross_entropy"][1]):
        np.testing.assert_array_equal(a, b)
    assert not dataclasses.replace(mine, per_row=False).per_row  # (the flag, not the name)


@pytest.mark.parametrize("name", ["sigmoid", "tanh", "relu", "leaky_relu", "identity"])
@settings(max_examples=30, deadline=None, database=None)
@given(z=hnp.arrays(F64, (3, 4), elements=st.floats(-30, 30)), alpha=st.floats(0, 0.9))
def test_inplace_kernels_compute_the_tables_functions(name, z, alpha):
    act = F.ACTIVATIONS[name]
    fwd, bwd, scratch = F.INPLACE[(act.fn, act.grad)]
    kw = {"alpha": alpha} if name == "leaky_relu" else {}
    a = act.fn(z, **kw)
    A, T = z.copy(), np.empty(z.shape, F64 if scratch in (None, "f") else scratch)
    fwd(A, T, alpha)
    np.testing.assert_allclose(A, a, rtol=1e-15, atol=1e-300)
    D = np.linspace(-1, 1, z.size).reshape(z.shape)
    expect = D * act.grad(z, a, **kw)
    bwd(D, A, T, alpha)
    np.testing.assert_allclose(D, expect, rtol=1e-15, atol=1e-300)


@pytest.mark.parametrize("dtype", [np.float32, F64])
@pytest.mark.parametrize("name", sorted(F.LOSSES))
def test_a_loss_kernel_writes_one_gradient_with_or_without_its_values(name, dtype):
    """The gradient a kernel writes does not depend on value= or on its kept buffers; the
    logits form of binary cross-entropy writes sigmoid_fn(z) - y, the table's sigmoid."""
    rng = np.random.default_rng(0)
    out = (rng.standard_normal((9, 3)) * 20).astype(dtype)
    if name == "binary_cross_entropy":  # (on probabilities)
        out = F.sigmoid_fn(out)
    y = (rng.random((9, 3)) > 0.5).astype(dtype)
    if name == "cross_entropy":  # (target rows)
        y = np.eye(3, dtype=dtype)[rng.integers(0, 3, 9)]
    kernel = F.LOSSES[name].kernel
    G1, G2, G3 = (np.full_like(out, np.nan) for _ in range(3))
    kernel(out, y, G1)
    keep: dict = {}
    kernel(out, y, G2, keep)
    kernel(out, y, G3, keep, value=False)
    np.testing.assert_array_equal(G1, G2)
    np.testing.assert_array_equal(G1, G3)
    if name == "binary_cross_entropy_with_logits":
        np.testing.assert_array_equal(G1, F.sigmoid_fn(out) - y)


def test_an_activation_without_kernels_runs_on_its_fn_and_grad(monkeypatch):
    softplus = F.Activation(
        "relu", lambda z: np.logaddexp(0, z), lambda z, a: 1 / (1 + np.exp(-z)), "", ""
    )
    monkeypatch.setitem(F.ACTIVATIONS, "relu", softplus)
    X, y = _data()
    g = {e: _grads(_net("relu"), X, y, "mse", e) for e in ("fused", "graph")}
    for a, b in zip(g["fused"], g["graph"]):
        np.testing.assert_allclose(a, b, rtol=1e-12, atol=1e-15)


@pytest.mark.parametrize(
    ("act", "out", "loss", "k"),
    [
        ("sigmoid", "sigmoid", "half_mse", 1),
        ("tanh", "softmax", "cross_entropy", 3),
        ("relu", "sigmoid", "binary_cross_entropy", 1),
        ("leaky_relu", "identity", "mse", 2),
    ],
)
def test_trace_is_what_autodiff_computes(act, out, loss, k):
    net = _net(act, out, sizes=(3, 5, k))
    rng = np.random.default_rng(1)
    X = rng.standard_normal((4, 3))
    if loss == "cross_entropy":
        y = rng.integers(0, k, 4)
    else:
        y = (rng.random((4, k)) > 0.5).astype(F64)
    lin1, lin2 = net.layers[0], net.layers[2]
    x = gn.Tensor(X)
    z1 = F.linear(x, lin1.W, lin1.b).retain_grad()
    a1 = F.activation(z1, act).retain_grad()
    z2 = F.linear(a1, lin2.W, lin2.b).retain_grad()
    a2 = F.activation(z2, out).retain_grad()
    spec = F.get_loss(loss)
    L = F.cross_entropy(z2, y) if loss == "cross_entropy" else spec(a2, y)
    L.backward()
    t = FastMLP(layers_of(net), loss, dtype=F64).trace(X, y)
    assert t.loss == pytest.approx(float(L.data), rel=1e-12)
    first, second = t.layers
    for rec, z, a in ((first, z1, a1), (second, z2, a2)):
        np.testing.assert_allclose(rec["Z"], z.data, rtol=1e-12)
        np.testing.assert_allclose(rec["A"], a.data, rtol=1e-12)
        np.testing.assert_allclose(rec["dZ"], z.grad, rtol=1e-10, atol=1e-14)
    np.testing.assert_allclose(first["dA"], a1.grad, rtol=1e-10, atol=1e-14)
    if loss != "cross_entropy":  # dL/dy_hat; cross-entropy's graph starts at the logits
        np.testing.assert_allclose(second["dA"], a2.grad, rtol=1e-10, atol=1e-14)
    np.testing.assert_allclose(first["dW"], lin1.W.grad, rtol=1e-10)
    np.testing.assert_allclose(second["db"], lin2.b.grad, rtol=1e-10, atol=1e-14)
    np.testing.assert_allclose(first["gprime"] * first["dA"], first["dZ"], rtol=1e-10, atol=1e-14)


def test_trace_without_targets_is_the_forward_pass():
    net = _net("sigmoid", "softmax", sizes=(2, 3, 4))
    X = np.array([[0.0, 1.0], [2.0, -1.0]])
    t = FastMLP(layers_of(net), "cross_entropy", dtype=F64).trace(X)
    np.testing.assert_allclose(t.layers[-1]["A"], net(X).data, rtol=1e-12)
    assert t.layers[-1]["gprime"].shape == (2, 4, 4)  # the softmax Jacobian
    assert "dZ" not in t.layers[0]


def test_layers_of_explains_what_it_cannot_handle():
    with pytest.raises(TypeError, match="starts with an activation"):
        layers_of(nn.Sequential(nn.ReLU(), nn.Linear(2, 2)))
    with pytest.raises(TypeError, match="softmax is only supported on the output layer"):
        layers_of(nn.Sequential(nn.Linear(2, 2), nn.Softmax(), nn.Linear(2, 1)))
    with pytest.raises(TypeError, match="must be a glassnet Module"):
        layers_of("net")
    drop = nn.MLP([2, 3, 1], rng=0, dropout=0.5)
    assert len(layers_of(drop)) == 2  # evaluation: dropout is the identity
    with pytest.raises(TypeError, match="Dropout"):
        layers_of(drop, "fit", training=True)


def test_cross_entropy_targets_as_rows_then_labels_at_one_batch_size():
    """The kept buffers of the cross-entropy kernel are per target form: rows then labels
    (or the other way round) at one batch size give each form's own numbers."""
    from glassnet.fused import FastMLP, layers_of

    net = gn.nn.MLP([3, 4, 3], "tanh", "softmax", rng=0, dtype=np.float64)
    X = np.random.default_rng(0).standard_normal((6, 3))
    labels = np.array([0, 1, 2, 2, 1, 0])
    rows = np.eye(3)[labels]
    fast = FastMLP(layers_of(net), "cross_entropy")
    a, b = fast.step(X, rows), fast.step(X, labels)
    fresh = FastMLP(layers_of(net), "cross_entropy")
    assert a == b == fresh.step(X, labels)


def test_a_shared_linear_trains_on_the_graph_with_the_summed_gradient():
    """A Linear used twice (shared weights): the fast path would write each use's dL/dW over
    the other's, so fit trains it on the graph, whose gradient is their sum."""
    import copy

    lin = nn.Linear(3, 3, rng=0)
    model = nn.Sequential(lin, nn.Tanh(), lin)
    rng = np.random.default_rng(0)
    X, y = rng.standard_normal((8, 3)), rng.standard_normal((8, 3))
    graph = copy.deepcopy(model)
    h = gn.fit(model, X, y, epochs=2, lr=0.1, verbose=0, threads=1)
    gn.fit(graph, X, y, epochs=2, lr=0.1, verbose=0, threads=1, engine="graph")
    assert h.engine == "graph"
    np.testing.assert_array_equal(model[0].W.data, graph[0].W.data)
    with pytest.raises(TypeError, match="more than once"):
        layers_of(model, "fit", training=True)
    with pytest.raises(ValueError, match="engine='graph'"):
        gn.fit(model, X, y, epochs=1, verbose=0, engine="fused")


@pytest.mark.parametrize(
    ("act", "out", "loss", "bias"),
    [
        ("tanh", "softmax", "cross_entropy", True),
        ("relu", "sigmoid", "binary_cross_entropy", False),
        ("sigmoid", "identity", "mse", True),
        ("leaky_relu", "tanh", "half_mse", False),
        ("identity", "identity", "binary_cross_entropy_with_logits", True),
    ],
)
def test_trace_with_sample_weights_and_l2_is_what_autodiff_computes(act, out, loss, bias):
    """Weighted rows and the L2 penalty: every dL/dA, dL/dZ, dL/dW, dL/db, the loss and the
    per-entry losses of the trace are the graph's (L = sum_i w_i L_i / count + l2/(2N) ||W||²)."""
    rng = np.random.default_rng(3)
    n, k, l2 = 5, 3, 0.7
    lin1 = nn.Linear(2, 4, bias=bias, rng=1, dtype=F64)
    lin2 = nn.Linear(4, k, bias=bias, rng=2, dtype=F64)
    outs = [] if out == "identity" else [nn.activation_module(out)]
    net = nn.Sequential(lin1, nn.activation_module(act, 0.1), lin2, *outs)
    X, w = rng.standard_normal((n, 2)), rng.uniform(0.2, 3.0, n)
    y = rng.integers(0, k, n) if loss == "cross_entropy" else (rng.random((n, k)) > 0.5) * 1.0
    z1 = F.linear(gn.Tensor(X), lin1.W, lin1.b).retain_grad()
    a1 = net.layers[1](z1).retain_grad()
    z2 = F.linear(a1, lin2.W, lin2.b).retain_grad()
    a2 = (outs[0](z2) if outs else z2 * 1.0).retain_grad()
    if loss == "cross_entropy":  # on the softmax's output: -sum_i w_i log p_(i, y_i) / N
        per = -(gn.Tensor(np.eye(k)[y]) * a2.log()).sum(axis=1) * gn.Tensor(w)
        L = per.sum() * (1.0 / n)
    else:
        per = F.get_loss(loss)(a2, y, reduction="none", sample_weight=w)
        L = F.get_loss(loss)(a2, y, sample_weight=w)
    L = L + l2 / (2 * n) * ((lin1.W * lin1.W).sum() + (lin2.W * lin2.W).sum())
    L.backward()
    t = FastMLP(layers_of(net), loss, l2=l2, dtype=F64).trace(X, y, sample_weight=w)
    assert t.loss == pytest.approx(float(L.data), rel=1e-12)
    np.testing.assert_allclose(t.per_sample, per.data, rtol=1e-12)
    for rec, lin, z, a in ((t.layers[0], lin1, z1, a1), (t.layers[1], lin2, z2, a2)):
        np.testing.assert_allclose(rec["A"], a.data, rtol=1e-12)
        np.testing.assert_allclose(rec["dA"], a.grad, rtol=1e-10, atol=1e-14)
        np.testing.assert_allclose(rec["dZ"], z.grad, rtol=1e-10, atol=1e-14)
        np.testing.assert_allclose(rec["dW"], lin.W.grad, rtol=1e-10, atol=1e-14)
        if bias:
            np.testing.assert_allclose(rec["db"], lin.b.grad, rtol=1e-10, atol=1e-14)


def test_trace_checks_its_targets_as_fit_does():
    """Labels outside 0..C-1, targets of another width or outside [0, 1] for binary
    cross-entropy: the trace says which, naming itself (not a kernel's broadcast error)."""
    net = _net("tanh", "softmax", sizes=(2, 3, 3))
    X = np.arange(8.0).reshape(4, 2)
    ce = FastMLP(layers_of(net), "cross_entropy", dtype=F64)
    with pytest.raises(ValueError, match=r"FastMLP.trace: y has labels from 1 to 3.*0\.\.2"):
        ce.trace(X, [1, 2, 3, 1])
    assert ce.trace(X, [1.0, 2.0, 0.0, 1.0]).loss == ce.trace(X, [1, 2, 0, 1]).loss
    with pytest.raises(ValueError, match=r"FastMLP.trace: y has 1 value\(s\) per sample.*3"):
        FastMLP(layers_of(net), "mse", dtype=F64).trace(X, np.ones(4))
    with pytest.raises(ValueError, match="FastMLP.trace: binary cross-entropy needs targets"):
        FastMLP(layers_of(net), "binary_cross_entropy", dtype=F64).trace(X, np.full((4, 3), 2.0))


def test_trace_checks_its_batch():
    """X of another width, text, one row given as a vector, y or weights of another length:
    an error naming the trace and the shapes (was an IndexError or a matmul error)."""
    fast = FastMLP(layers_of(_net("tanh", "identity", sizes=(2, 3, 1))), "mse", dtype=F64)
    X, y = np.ones((4, 2)), np.ones((4, 1))
    for bad, match in (
        (np.ones((4, 3)), r"X of shape \(4, 3\).*\(N, 2\)"),
        (np.ones(2), "X must have 2 dimensions"),
        ([["a", "b"]], "X must be numeric"),
    ):
        with pytest.raises(ValueError, match=match):
            fast.trace(bad)
    with pytest.raises(ValueError, match=r"targets, weights: \[3\] rows"):
        fast.trace(X, y[:3])
    with pytest.raises(ValueError, match=r"targets, weights: \[3, 4\] rows"):
        fast.trace(X, y, np.ones(3))
    assert np.isfinite(fast.trace(X, y, np.ones(4)).loss)


def test_a_trace_without_l2_computes_no_weight_norms():
    # ||W||² (for the L2 penalty) was computed for every trace, l2 = 0 too, in the weights'
    # dtype: float32 weights of 1e30 overflowed it with a RuntimeWarning (warnings are
    # errors in the tests), though the trace itself runs in float64
    from glassnet.fused import FastMLP, layers_of

    net = nn.MLP([2, 2, 1], rng=0)
    net.layers[0].W.data[:] = 1e30
    t = FastMLP(layers_of(net), "half_mse", dtype=np.float64).trace([[1.0, 0.5]], [[1.0]])
    assert np.isfinite(t.loss)


def test_a_model_that_is_itself_a_custom_module_is_named_as_such():
    # it said "Got a C inside the model" of the model itself
    from glassnet.fused import layers_of

    class C(nn.Module):
        def __init__(self):
            self.lin = nn.Linear(2, 1, rng=0)

        def forward(self, x):
            return self.lin(x)

    with pytest.raises(TypeError, match=r"The model is a C\.$"):
        layers_of(C())
    with pytest.raises(TypeError, match=r"The model holds a C\.$"):
        layers_of(nn.Sequential(nn.Linear(2, 2, rng=0), C()))


@pytest.mark.parametrize("engine", ["graph", "fused"])
def test_a_frozen_weight_under_l2_stays_and_the_engines_agree(engine):
    """fit(engine='graph', l2=...) with a weight set to requires_grad=False was a TypeError
    from inside glassnet (the L2 term added to its .grad, None); the fast path trained."""
    import copy

    rng = np.random.default_rng(0)
    X = rng.standard_normal((16, 3))
    y = X.sum(1, keepdims=True)
    model = nn.MLP([3, 4, 1], rng=0, dtype="float64")
    model.layers[0].W.requires_grad = False
    frozen = model.layers[0].W.data.copy()
    other = copy.deepcopy(model)
    kw = dict(loss="mse", lr=0.1, l2=0.5, epochs=3, verbose=0, threads=1)
    h = gn.fit(model, X, y, engine=engine, **kw)
    h_other = gn.fit(other, X, y, engine="fused" if engine == "graph" else "graph", **kw)
    np.testing.assert_array_equal(model.layers[0].W.data, frozen)  # not moved
    for p, q in zip(model.parameters(), other.parameters()):
        np.testing.assert_allclose(p.data, q.data, rtol=1e-12, atol=1e-15)
    np.testing.assert_allclose(h.loss, h_other.loss, rtol=1e-12)  # the penalty of every W
