"""eager's bound step: a batch size is bound only when the same arrays come back a second
time (an epoch's short last batch, stepped once, is never bound); the bound step still
runs where batches repeat."""

import numpy as np

import glassnet as gn
from glassnet import eager, nn


def _spy(monkeypatch):
    calls = {"built": 0, "used": 0}
    orig = eager._bound

    def spy(*a):
        calls["built"] += 1
        g = orig(*a)
        if g is None:
            return g

        def go():
            calls["used"] += 1
            g()

        return go

    monkeypatch.setattr(eager, "_bound", spy)
    return calls


def _fit(bs, epochs, n=250):
    rng = np.random.default_rng(0)
    X = rng.normal(size=(n, 6)).astype(np.float32)
    y = (X[:, :1] > 0).astype(np.float32)
    net = nn.MLP([6, 9, 1], activation="tanh", output_activation="sigmoid", rng=3,
                 dtype=np.float32)  # fmt: skip
    gn.fit(net, X, y, loss="bce", optimizer="sgd", batch_size=bs, epochs=epochs, seed=1,
           verbose=0)  # fmt: skip
    return [p.data.copy() for p in net.parameters()]


def test_few_batches_an_epoch_bind_nothing(monkeypatch):
    calls = _spy(monkeypatch)
    _fit(100, 20)  # batches 100, 100, 50: no size comes back twice after the first step
    assert calls == {"built": 0, "used": 0}


def test_many_batches_an_epoch_bind_once_a_size_and_run_bound(monkeypatch):
    calls = _spy(monkeypatch)
    _fit(32, 5)  # batches 7 x 32 then 26: 32 bound once an epoch, 26 never
    assert calls["built"] == 5
    assert calls["used"] == 5 * 5  # steps 2..6 of each epoch (bound at step 2)


def test_bound_or_not_the_same_bits(monkeypatch):
    a = _fit(32, 4)
    monkeypatch.setattr(eager, "_bound", lambda *a: None)
    b = _fit(32, 4)
    for p, q in zip(a, b):
        assert np.array_equal(p, q)


def test_full_batch_still_bound(monkeypatch):
    calls = _spy(monkeypatch)
    _fit(None, 10, n=60)
    assert calls["built"] == 1 and calls["used"] >= 7
