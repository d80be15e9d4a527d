"""fit's work around its loop in glassnet.fitting (round 30): a resumed run's int seed
replays the orders of the epochs done (a stream's cannot: the warning names the caller's
line), and a function given as a callback stops with True."""

import warnings

import numpy as np

import glassnet as gn

X = np.random.default_rng(0).normal(size=(40, 2))
Y = (X[:, :1] > 0).astype(float)


def test_an_int_seed_resumed_draws_the_batches_of_the_run_unbroken():
    a, b = gn.nn.MLP([2, 3, 1], rng=0), gn.nn.MLP([2, 3, 1], rng=0)
    gn.fit(a, X, Y, epochs=4, batch_size=8, seed=3, verbose=0)
    gn.fit(b, X, Y, epochs=2, batch_size=8, seed=3, verbose=0)
    gn.fit(b, X, Y, epochs=4, batch_size=8, seed=3, verbose=0, initial_epoch=2)
    assert all(np.array_equal(p.data, q.data) for p, q in zip(a.parameters(), b.parameters()))


def test_a_stream_resumed_with_an_int_seed_warns_at_the_callers_line():
    chunks = [(X[:20], Y[:20]), (X[20:], Y[20:])]
    with warnings.catch_warnings(record=True) as got:
        warnings.simplefilter("always")
        gn.fit(gn.nn.MLP([2, 3, 1], rng=0), chunks, None, epochs=3, batch_size=8, seed=3,
               verbose=0, initial_epoch=1)  # fmt: skip
    said = [w for w in got if "repeats epoch 1's shuffle order" in str(w.message)]
    assert len(said) == 1 and said[0].filename == __file__


def test_a_function_callback_stops_with_numpys_true_only():
    model = gn.nn.MLP([2, 3, 1], rng=0)
    h = gn.fit(model, X, Y, epochs=5, verbose=0, callbacks=lambda s: np.bool_(s.epoch == 2))
    assert (h.stop_reason, h.epochs) == ("callback", 2)
    h = gn.fit(model, X, Y, epochs=3, verbose=0, callbacks=[lambda s: 1])
    assert h.stop_reason == "max_epochs"
