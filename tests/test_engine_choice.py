"""Which loop runs a fit reads the call alone (glassnet.engines.choose): the same call gives
the same numbers whatever ran before it in the process, and ``engine="jit"`` asks for the
compiled loop, saying why when a run cannot have it."""

from __future__ import annotations

import numpy as np
import pytest

import glassnet as gn
from glassnet import jit, nn

XNOR_X = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], np.float32)
XNOR_Y = np.array([1, 0, 0, 1], np.float32)
needs_numba = pytest.mark.skipif(not jit.available(), reason="needs numba (glassnet[jit])")


def _xnor(dtype=np.float32, seed=0):
    return nn.MLP([2, 2, 1], activation="sigmoid", output_activation="sigmoid", rng=seed,
                  dtype=dtype)  # fmt: skip


def _weights(net):
    return [p.data.copy() for p in net.parameters()]


@needs_numba
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_the_same_fit_gives_the_same_bits_before_and_after_the_kernels_are_loaded(dtype):
    # a short run took the compiled loop once a longer run (or anything else) had loaded
    # its kernels in the process: the second of two identical calls ended elsewhere
    X, y = XNOR_X.astype(dtype), XNOR_Y.astype(dtype)
    kw = {"loss": "mse", "lr": 1.0, "epochs": 500, "verbose": 0}
    first = _xnor(dtype)
    h1 = gn.fit(first, X, y, **kw)
    jit.warmup((dtype,))
    assert jit.loaded(dtype)
    second = _xnor(dtype)
    h2 = gn.fit(second, X, y, **kw)
    assert h1.engine == h2.engine == "fused"
    assert h1.loss == h2.loss
    for a, b in zip(_weights(first), _weights(second)):
        np.testing.assert_array_equal(a, b)


@needs_numba
def test_engine_jit_runs_a_short_fit_compiled_to_the_numpy_paths_numbers():
    X, y = XNOR_X.astype(np.float64), XNOR_Y.astype(np.float64)
    kw = {"loss": "mse", "lr": 1.0, "epochs": 300, "verbose": 0}
    compiled, numpy = _xnor(np.float64), _xnor(np.float64)
    hj = gn.fit(compiled, X, y, engine="jit", **kw)
    hn = gn.fit(numpy, X, y, engine="fused", **kw)
    assert (hj.engine, hn.engine) == ("jit", "fused")
    assert (hj.steps, hj.stop_reason) == (hn.steps, hn.stop_reason)
    np.testing.assert_allclose(hj.loss, hn.loss, rtol=1e-10)
    for a, b in zip(_weights(compiled), _weights(numpy)):
        np.testing.assert_allclose(a, b, rtol=1e-10, atol=1e-12)


@needs_numba
def test_engine_jit_on_mini_batches_and_with_nothing_to_run():
    X = np.random.default_rng(0).standard_normal((64, 3)).astype(np.float32)
    y = (X[:, 0] > 0).astype(np.float32)
    net = nn.MLP([3, 4, 1], activation="tanh", output_activation="sigmoid", rng=0)
    h = gn.fit(net, X, y, loss="binary_cross_entropy", batch_size=16, epochs=3, seed=0,
               engine="jit", verbose=0)  # fmt: skip
    assert (h.engine, h.steps) == ("jit", 12)
    h = gn.fit(net, X, y, loss="binary_cross_entropy", epochs=3, initial_epoch=3,
               engine="jit", verbose=0)  # fmt: skip
    assert h.steps == 0


@pytest.mark.parametrize(
    ("make", "kw", "says"),
    [
        (lambda: nn.Sequential(nn.Linear(2, 1, rng=0)), {"loss": lambda o, t: (o * o).mean()},
         "needs the autodiff graph"),
        (_xnor, {"callbacks": [lambda s: None]}, "callbacks, validation data"),
        (_xnor, {"validation_data": (XNOR_X, XNOR_Y)}, "callbacks, validation data"),
        (_xnor, {"verbose": 2}, "with no progress line: verbose=2 given"),
        (_xnor, {"optimizer": "rmsprop"}, "optimizer"),
    ],
)  # fmt: skip
def test_engine_jit_refuses_a_run_it_cannot_take_and_says_why(make, kw, says):
    kw = {"loss": "mse", "epochs": 3, "verbose": 0, **kw}
    net = make()
    before = _weights(net)
    with pytest.raises(ValueError, match="engine='jit' cannot train this run") as e:
        gn.fit(net, XNOR_X, XNOR_Y, engine="jit", **kw)
    assert says in str(e.value) and "engine='auto'" in str(e.value)
    other = "'graph'" if says == "needs the autodiff graph" else "'fused'"  # (one that takes it)
    assert str(e.value).endswith(f"or {other}.")
    for a, b in zip(before, _weights(net)):  # refused before a step
        np.testing.assert_array_equal(a, b)


def test_engine_jit_refuses_a_schedule_on_a_full_batch_run_saying_what_takes_one():
    net = _xnor()
    opt = gn.optim.SGD(net.parameters(), lr=0.5)
    schedule = gn.schedules.StepLR(opt, step_size=1)
    with pytest.raises(ValueError, match="so it takes no schedule; a batch_size below") as e:
        gn.fit(
            net,
            XNOR_X,
            XNOR_Y,
            loss="mse",
            epochs=3,
            verbose=0,
            engine="jit",
            optimizer=opt,
            schedule=schedule,
        )
    assert str(e.value).endswith("or 'fused'.")


def test_engine_jit_without_numba_says_how_to_install_it(monkeypatch):
    monkeypatch.setattr(jit, "available", lambda: False)
    says = r"glassnet\.jit needs numba and SciPy: .*pip install \"glassnet\[jit\]\""
    with pytest.raises(ValueError, match=says):
        gn.fit(_xnor(), XNOR_X, XNOR_Y, loss="mse", epochs=3, engine="jit", verbose=0)


def test_an_on_step_callback_with_engine_jit_is_refused():
    class Each(gn.Callback):
        def on_step_end(self, state):
            pass

    with pytest.raises(ValueError, match="the on_step_end hook of Each"):
        gn.fit(_xnor(), XNOR_X, XNOR_Y, loss="mse", epochs=2, callbacks=[Each()],
               engine="jit", verbose=0)  # fmt: skip


def test_an_unknown_engine_names_jit_among_the_choices():
    with pytest.raises(ValueError, match="jit"):
        gn.fit(_xnor(), XNOR_X, XNOR_Y, loss="mse", epochs=1, engine="numba", verbose=0)
