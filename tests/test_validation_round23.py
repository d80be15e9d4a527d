"""fit's validation pass over blocks of rows (bit for bit the one pass), and the classifier's
probabilities of a replaced sigmoid or softmax head (the model's own output)."""

import dataclasses

import numpy as np
import pytest
from memory_helpers import traced

import glassnet as gn
import glassnet.functional as F
from glassnet import nn, tasks


def _data(n, features=20, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, features)).astype(np.float32)
    return X, (X[:, :1] > 0).astype(np.float32)


def test_fit_validation_keeps_to_blocks_of_rows(monkeypatch):
    """A chain's validation over 20,000 rows runs in blocks: about 256 KiB of layer values,
    not two 20,000-row arrays per layer (about 20 MB)."""
    monkeypatch.setattr(tasks, "FORWARD_BYTES", 256 << 10, raising=False)
    X, y = _data(20_000)

    def run(rows):
        model = nn.MLP([20, 128, 128, 1], activation="relu", output_activation="sigmoid", rng=0)
        gn.fit(model, X[:128], y[:128], loss="binary_cross_entropy", lr=0.05, epochs=1,
               batch_size=64, validation_data=(X[:rows], y[:rows]), verbose=0)  # fmt: skip

    run(500)  # (what a first call loads and keeps is not the validation's)
    peak = traced(run, len(X))[1]
    assert peak < 4 << 20, f"fit's validation peaked at {peak / 2**20:.1f} MiB"


@pytest.mark.parametrize(
    ("sizes", "act", "head", "loss"),
    [
        ([7, 300, 2], "tanh", "identity", "mse"),  # (a product of M N K near 100^3)
        ([7, 16, 8, 3], "leaky_relu", "softmax", "cross_entropy"),
        ([7, 32, 1], "relu", "sigmoid", "binary_cross_entropy"),
    ],
)
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_fit_validation_scores_are_those_of_one_pass(monkeypatch, sizes, act, head, loss, dtype):
    """Blocks of rows give the loss and metric of one pass over all the rows: bit for bit in
    float64; in float32 to rounding, since a float32 BLAS product's rows may take other last
    bits in a block than in the product of all the rows (OpenBLAS's Haswell sgemm does)."""
    rng = np.random.default_rng(1)
    n = 5_003
    X = rng.normal(size=(n, 7)).astype(dtype)
    y = {"mse": lambda: rng.normal(size=(n, 2)).astype(dtype),
         "cross_entropy": lambda: rng.integers(0, 3, n),
         "binary_cross_entropy": lambda: (X[:, :1] > 0).astype(dtype)}[loss]()  # fmt: skip
    w = rng.uniform(0.5, 2.0, n).astype(dtype)
    model = nn.MLP(sizes, activation=act, output_activation=head, rng=0)
    for p in model.parameters():
        p.data = p.data.astype(dtype)
    spec = F.LOSSES[loss]
    assert tasks.rowwise(model)
    whole = tasks.score(model, spec, loss, X, y, w)
    for nbytes in (1, 40_000, 400_000):
        monkeypatch.setattr(tasks, "FORWARD_BYTES", nbytes)
        got = tasks.score(model, spec, loss, X, y, w)
        if dtype is np.float64:
            assert got == whole
        else:  # (float32: to rounding, see the docstring)
            assert got[2:] == whole[2:]
            np.testing.assert_allclose(got[:2], whole[:2], rtol=1e-5, equal_nan=True)


def test_row_blocks_start_at_multiples_of_64_rows():
    starts = tasks.row_blocks(1_000, 100)
    assert starts[0] == 0 and starts[-1] == 1_000
    assert all(s % tasks.ROW_BLOCK == 0 for s in starts[:-1])
    assert tasks.row_blocks(1_000, 5_000) == [0, 1_000]
    # a layer 300 x 2: no block so small that OpenBLAS sums it by its small-matrix kernel
    s = tasks.row_blocks(5_003, 64, [(300, 2)])
    assert all(e - b > 100**3 // 600 for b, e in zip(s, s[1:])) and len(s) > 2


def test_a_model_of_its_own_keeps_the_one_pass():
    class Mine(nn.Sequential):
        def forward(self, x):
            return super().forward(x - x.mean(axis=0))

    assert not tasks.rowwise(Mine(nn.Linear(3, 2)))
    assert not tasks.rowwise(nn.Sequential(nn.Linear(3, 2), nn.Dropout(0.5)))  # (training)
    assert tasks.rowwise(nn.Sequential(nn.Linear(3, 2), nn.Tanh()))


@pytest.mark.parametrize("multiclass", [False, True])
def test_predict_proba_follows_a_replaced_head(monkeypatch, multiclass):
    """A replaced sigmoid (softmax) entry: fit trains the head on its own output, and
    predict_proba returns that output, not scipy's expit (the built-in softmax)."""
    pytest.importorskip("sklearn")
    from glassnet.sklearn import MLPClassifier

    rng = np.random.default_rng(0)
    X = rng.normal(size=(60, 3))
    y = rng.integers(0, 3, 60) if multiclass else (X[:, 0] > 0).astype(int)
    name = "softmax" if multiclass else "sigmoid"
    entry = F.ACTIVATIONS[name]
    if multiclass:

        def fn(z, axis=-1):
            e = np.exp(2 * (z - z.max(axis=axis, keepdims=True)))
            return e / e.sum(axis=axis, keepdims=True)
    else:

        def fn(z):
            return 1 / (1 + np.exp(-2 * z))

    monkeypatch.setitem(F.ACTIVATIONS, name, dataclasses.replace(entry, fn=fn))
    assert F.replaced_entry(name)
    clf = MLPClassifier(hidden_layer_sizes=(4,), max_iter=5, random_state=0)
    with pytest.warns(Warning):
        clf.fit(X, y)
    z = clf._logits(X[:5])
    P = clf.predict_proba(X[:5])
    own = fn(z)
    expected = own if multiclass else np.hstack([1 - own, own])
    np.testing.assert_allclose(P, expected, rtol=1e-12)
    np.testing.assert_allclose(np.exp(clf.predict_log_proba(X[:5])), expected, rtol=1e-12)
    assert (clf.predict(X[:5]) == clf.classes_[P.argmax(axis=1)]).all()
