"""engine='auto' keeps every run on loops with the same bits: a resumed run, a run with a
callback, a log level or fit_many gave other weights where the compiled loop (which agrees
to rounding only) took the plain run by itself."""

import numpy as np
import pytest

import glassnet as gn
from glassnet import jit, nn, optim


@pytest.fixture()
def long_runs(monkeypatch):
    """auto's old rule took runs of MIN_STEPS_COLD steps and more: made short here."""
    monkeypatch.setattr(jit, "MIN_STEPS_COLD", 100)


def data():
    rng = np.random.default_rng(0)
    X = rng.standard_normal((256, 8)).astype(np.float32)
    return X, (X[:, :1] * X[:, 1:2] > 0).astype(np.float32)


def net():
    return nn.MLP([8, 16, 1], activation="relu", output_activation="sigmoid", rng=0,
                  dtype=np.float32)  # fmt: skip


KW = dict(loss="binary_cross_entropy", batch_size=8, lr=0.05, verbose=0)


def weights(model):
    return [p.data.copy() for p in model.parameters()]


def order(epoch):
    return np.random.default_rng([0, epoch])


def test_a_resumed_run_equals_the_unbroken_one(long_runs):
    X, y = data()
    whole = net()
    h = gn.fit(whole, X, y, optimizer=optim.Adam(whole.parameters(), lr=0.05), epochs=8,
               seed=order, **KW)  # fmt: skip
    assert h.engine == "fused"
    first, opt = net(), None
    opt = optim.Adam(first.parameters(), lr=0.05)
    gn.fit(first, X, y, optimizer=opt, epochs=4, seed=order, **KW)
    again = net()
    again.load_state_dict(first.state_dict())
    opt2 = optim.Adam(again.parameters(), lr=0.05)
    opt2.load_state_dict(opt.state_dict())
    gn.fit(again, X, y, optimizer=opt2, epochs=8, initial_epoch=4, seed=order, **KW)
    for a, b in zip(weights(whole), weights(again)):
        np.testing.assert_array_equal(a, b)


@pytest.mark.parametrize("extra", [{"callbacks": [lambda state: None]}, {"verbose": 2}])
def test_a_callback_or_a_log_level_changes_no_weight(long_runs, extra, capsys):
    X, y = data()
    plain, other = net(), net()
    gn.fit(plain, X, y, epochs=6, seed=0, **KW)
    gn.fit(other, X, y, epochs=6, seed=0, **{**KW, **extra})
    for a, b in zip(weights(plain), weights(other)):
        np.testing.assert_array_equal(a, b)


def test_fit_many_equals_fit_on_a_run_auto_once_compiled(long_runs):
    X, y = data()
    alone, together = [net() for _ in range(2)], [net() for _ in range(2)]
    for m, s in zip(alone, (0, 1)):
        gn.fit(m, X, y, epochs=6, seed=s, **KW)
    fit_kw = {k: v for k, v in KW.items() if k != "verbose"}
    gn.fit_many(together, X, y, epochs=6, seed=[0, 1], **fit_kw)
    for m, t in zip(alone, together):
        for a, b in zip(weights(m), weights(t)):
            np.testing.assert_array_equal(a, b)
