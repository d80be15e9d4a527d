"""Round 31 (issue #17): glassnet.jit's books around a compiled run, each check made once.

``fit(engine="jit")`` hands its full-batch run to ``jit.fit_full_batch``, which takes the
data and settings fit checked as checked (the network and optimizer are still checked at the
run); ``run_full_batch`` reads the optimizer's state once. Same numbers as before.
"""

from __future__ import annotations

import numpy as np
import pytest

import glassnet as gn
from glassnet import jit, nn, optim
from glassnet.fused import FastMLP, layers_of

pytestmark = pytest.mark.skipif(not jit.available(), reason="numba is not installed")

X4 = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], np.float32)
Y4 = np.array([[1], [0], [0], [1]], np.float32)


def _net(dtype=np.float32, sizes=(2, 2, 1), out="sigmoid"):
    return nn.MLP(list(sizes), activation="sigmoid", output_activation=out, rng=0, dtype=dtype)


def _raw(net, loss, opt, X, y, w, epochs):
    """The same run through the public run_full_batch (every check made)."""
    fast = FastMLP(layers_of(net, training=True), loss)
    return jit.run_full_batch(fast, opt, X, y, w, epochs)


@pytest.mark.parametrize("order", ["C", "F"])
@pytest.mark.parametrize("weighted", [False, True])
def test_fit_jit_equals_run_full_batch_bit_for_bit(order, weighted):
    w = np.array([1.0, 0.5, 2.0, 1.5], np.float32) if weighted else None
    X = np.asfortranarray(X4) if order == "F" else X4
    a, b = _net(), _net()
    oa, ob = optim.SGD(a.parameters(), lr=1.0), optim.SGD(b.parameters(), lr=1.0)
    h = gn.fit(a, X, Y4, loss="mse", optimizer=oa, epochs=300, sample_weight=w, engine="jit")
    run = _raw(b, "mse", ob, X4, Y4, w, 300)
    assert h.engine == "jit" and h.steps == run.steps == 300 == oa.t == ob.t
    for p, q in zip(a.parameters(), b.parameters()):
        assert p.data.tobytes() == q.data.tobytes() and p.grad.tobytes() == q.grad.tobytes()
    assert h.loss == run.losses.tolist()


def test_fit_jit_class_labels_go_through_the_full_check():
    """Integer labels (cross-entropy) are laid out by _check_data: same bits as run_full_batch."""
    X = np.random.default_rng(0).normal(size=(9, 3))
    y = np.array([0, 1, 2, 0, 1, 2, 0, 1, 2])
    a, b = (_net(np.float64, (3, 4, 3), "softmax") for _ in range(2))
    oa, ob = optim.Adam(a.parameters(), lr=0.01), optim.Adam(b.parameters(), lr=0.01)
    h = gn.fit(a, X, y, loss="cross_entropy", optimizer=oa, epochs=40, engine="jit")
    run = _raw(b, "cross_entropy", ob, X, y, None, 40)
    for p, q in zip(a.parameters(), b.parameters()):
        assert p.data.tobytes() == q.data.tobytes()
    assert h.loss == run.losses.tolist()
    sa, sb = oa.state_dict()["param_groups"][0], ob.state_dict()["param_groups"][0]
    assert sa["m.0"].tobytes() == sb["m.0"].tobytes() and sa["v.0"].tobytes() == sb["v.0"].tobytes()


def test_run_full_batch_reads_the_optimizer_state_once(monkeypatch):
    net = _net()
    opt = optim.Adam(net.parameters(), lr=0.01)
    fast = FastMLP(layers_of(net, training=True), "mse")
    jit.run_full_batch(fast, opt, X4, Y4, None, 2)  # (compiled, or loaded from the cache)
    calls = []
    real = type(opt).state_dict
    monkeypatch.setattr(type(opt), "state_dict", lambda self: calls.append(1) or real(self))
    run = jit.run_full_batch(fast, opt, X4, Y4, None, 5)
    assert run.steps == 5 and opt.t == 7
    assert len(calls) == 1  # (why_not's step check and state_in share it; before: 2)
    assert jit.why_not(fast, opt) is None and len(calls) == 2  # (why_not alone: its own)


def test_run_full_batch_still_checks_the_users_data():
    fast = FastMLP(layers_of(_net(), training=True), "mse")
    opt = optim.SGD(_params(fast), lr=1.0)
    bad = Y4.copy()
    bad[1, 0] = np.nan
    with pytest.raises(ValueError, match="y"):
        jit.run_full_batch(fast, opt, X4, bad, None, 2)
    with pytest.raises(ValueError, match="non-negative"):
        jit.run_full_batch(fast, opt, X4, Y4, -np.ones(4, np.float32), 2)
    assert opt.t == 0


def _params(fast):
    return [p for lay in fast.layers for p in (lay.linear.W, lay.linear.b)]


def test_fit_jit_still_refuses_bad_data():
    bad = X4.copy()
    bad[0, 0] = np.inf
    net = _net()
    with pytest.raises(ValueError, match="X"):
        gn.fit(net, bad, Y4, loss="mse", optimizer="sgd", lr=1.0, epochs=5, engine="jit")


def test_an_optimizer_changed_at_on_train_begin_is_checked_at_the_run():
    """A callback that runs at the ends of training alone (between_epochs = False) leaves
    fit's choice of the compiled loop; its on_train_begin runs after that choice, and what it
    does to the optimizer is checked at the run (why_not), not taken on trust."""

    class OwnStep(gn.Callback):
        between_epochs = False

        def on_train_begin(self, state):
            state.optimizer.step = lambda closure=None: None  # (a step of its own)

    net = _net()
    opt = optim.SGD(net.parameters(), lr=1.0)
    before = [p.data.copy() for p in net.parameters()]
    with pytest.raises(
        ValueError, match="fit: this network cannot use the compiled loop: the optimizer has a step"
    ):
        gn.fit(
            net, X4, Y4, loss="mse", optimizer=opt, epochs=5, engine="jit", callbacks=[OwnStep()]
        )
    assert all((p.data == b).all() for p, b in zip(net.parameters(), before))


def test_fit_full_batch_refuses_another_network():
    net, other = _net(), _net()
    fast = FastMLP(layers_of(net, training=True), "mse")
    opt = optim.SGD(other.parameters(), lr=1.0)
    with pytest.raises(ValueError, match="fit: this network cannot use the compiled loop"):
        jit.fit_full_batch(fast, opt, X4, Y4, None, 3, None, 10, None, [])
