"""The captured step (glassnet.capture), on the CPU: CUDA-graph capture played by a stand-in.

The recording array library of tests/test_backend.py stands in for CuPy, and its
``cuda.Stream`` for CUDA's stream capture: while capturing, each call is recorded with its
operand objects and not run; ``launch`` runs the recorded calls again on the same objects
(see ``StandInCuda`` there). Training through it must give bit for bit the weights of the
eager NumPy run: then every step after the first of each batch size replayed a graph, every
number that changes between steps came from device memory refreshed before the replay,
and nothing was allocated while capturing (a temporary would be NaN on replay). The last
tests break the captured step on purpose, the two ways capture breaks a step, and show the
stand-in catches each.
"""

from __future__ import annotations

import numpy as np
import pytest
import test_backend as tb

import glassnet as gn
from glassnet import capture, nn, optim, schedules
from glassnet import functional as F


@pytest.fixture
def gpu(monkeypatch):
    """The recording library, with the stand-in CUDA API (as cupy.cuda)."""
    monkeypatch.setattr(tb.RECORDING, "cuda", tb.StandInCuda, raising=False)
    tb.ALLOCATED.clear()
    tb.LAUNCHES.clear()
    yield
    tb.CAPTURE[0] = None


def _data(n=100, seed=0):
    rng = np.random.default_rng(seed)
    return rng.standard_normal((n, 5)), rng


def _targets(kind, X, rng):
    return {
        "binary": (X[:, 0] > 0).astype(float).reshape(-1, 1),
        "labels": rng.integers(0, 3, len(X)),
        "rows": np.eye(3)[rng.integers(0, 3, len(X))],
        "values": X[:, :2] @ rng.standard_normal((2, 2)),
    }[kind]


CASES = {  # name: (activation, output, loss, targets, optimizer, fit's other arguments)
    "sgd": ("tanh", "sigmoid", "binary_cross_entropy", "binary",
            lambda ps: optim.SGD(ps, lr=0.1), {}),
    "momentum+dampening+decay": ("leaky_relu", "identity", "mse", "values",
            lambda ps: optim.SGD(ps, lr=0.05, momentum=0.9, dampening=0.3, weight_decay=1e-3),
            {}),
    "nesterov": ("relu", "softmax", "cross_entropy", "labels",
            lambda ps: optim.SGD(ps, lr=0.1, momentum=0.9, nesterov=True), {}),
    "sklearn-style": ("sigmoid", "identity", "half_mse", "values",
            lambda ps: optim.SGD(ps, lr=0.05, momentum=0.9, nesterov=True, style="sklearn"), {}),
    "adam": ("relu", "softmax", "cross_entropy", "rows",
            lambda ps: optim.Adam(ps, lr=1e-2, weight_decay=1e-3), {}),
    "adamw+amsgrad": ("tanh", "identity", "mse", "values",
            lambda ps: optim.AdamW(ps, lr=1e-2, amsgrad=True), {}),
    "rmsprop centered+momentum": ("leaky_relu", "sigmoid", "binary_cross_entropy", "binary",
            lambda ps: optim.RMSprop(ps, lr=1e-3, centered=True, momentum=0.5), {}),
    "rmsprop, logits": ("identity", "identity", "binary_cross_entropy_with_logits", "binary",
            lambda ps: optim.RMSprop(ps, lr=1e-3), {}),
    "sample weights+l2": ("relu", "softmax", "cross_entropy", "labels",
            lambda ps: optim.Adam(ps, lr=1e-2), {"sample_weight": True, "l2": 0.01}),
    "schedule": ("tanh", "identity", "mse", "values",
            lambda ps: optim.SGD(ps, lr=0.05, momentum=0.5), {"schedule": 0.5}),
}  # fmt: skip


def _train(case, captured, dtype=np.float64, epochs=4, **more):
    act, out, loss, kind, make_opt, extra = CASES[case]
    X, rng = _data()
    y = _targets(kind, X, rng)
    width = 3 if kind in ("labels", "rows") else y.shape[1]
    model = nn.MLP([5, 8, 6, width], act, out, rng=0, dtype=dtype)
    if captured:
        tb._recorded(model)
    opt = make_opt(model.parameters())
    kw = dict(loss=loss, optimizer=opt, epochs=epochs, batch_size=32, seed=1, verbose=0)
    if extra.get("sample_weight"):
        kw["sample_weight"] = rng.uniform(0.5, 2.0, len(X))
    if "l2" in extra:
        kw["l2"] = extra["l2"]
    if "schedule" in extra:
        kw["schedule"] = schedules.ExponentialLR(opt, gamma=extra["schedule"])
    h = gn.fit(model, X.astype(dtype), y, engine="auto" if captured else "fused", **kw, **more)
    return h, [p.data.view(np.ndarray).copy() for p in model.parameters()], opt


@pytest.mark.parametrize("case", list(CASES))
def test_a_captured_run_is_the_eager_run_bit_for_bit(gpu, case):
    h0, eager, opt0 = _train(case, captured=False)
    h1, captured, opt1 = _train(case, captured=True)
    assert h1.engine == "captured" and not h1.warnings, h1.warnings
    # 4 epochs of 32, 32, 32 and 4 rows: each size's first step ran uncaptured, its second
    # was captured; every later one replayed a graph
    assert tb.LAUNCHES["capture"] == 2 and tb.LAUNCHES["launch"] == 4 * 4 - 2
    assert tb.ALLOCATED == []  # nothing allocated while capturing
    for a, b in zip(eager, captured):
        np.testing.assert_array_equal(a, b)
    assert h0.loss == h1.loss and h0.lr == h1.lr and h0.steps == h1.steps == 16
    assert opt0.t == opt1.t == 16
    assert opt0.state_dict()["param_groups"][0]["steps"].tolist() == (
        opt1.state_dict()["param_groups"][0]["steps"].tolist()
    )


def test_float32_and_max_steps_in_an_epoch(gpu):
    _, eager, _ = _train("adam", False, dtype=np.float32, max_steps=10)
    h, captured, opt = _train("adam", True, dtype=np.float32, max_steps=10)
    assert h.engine == "captured" and h.steps == 10 == opt.t and h.stop_reason == "max_steps"
    for a, b in zip(eager, captured):
        assert a.dtype == np.float32
        np.testing.assert_array_equal(a, b)


def test_the_stand_in_catches_a_number_baked_in_at_capture(gpu, monkeypatch):
    """Adam's bias corrections change every step: given to the graph as Python numbers
    (the rule's scalars of the capture-time step), every replay repeats that step's."""
    numbers = capture._Plan._numbers

    def baked(self):
        numbers(self)
        self.h = [
            self.opt._per_step({**p.settings, "t": int(p.steps[0]) + 1}) for p in self.opt._packs
        ]

    _, eager, _ = _train("adamw+amsgrad", False)
    monkeypatch.setattr(capture._Plan, "_numbers", baked)
    h, captured, _ = _train("adamw+amsgrad", True)
    assert h.engine == "captured" and tb.LAUNCHES["launch"] > 0
    assert not all(np.array_equal(a, b) for a, b in zip(eager, captured))


def test_the_stand_in_catches_a_temporary_made_while_capturing(gpu, monkeypatch):
    """Leaky ReLU's in-place forward written as ``np.maximum(A, A * alpha, out=A)`` forms
    ``A * alpha`` as a temporary: captured, it is never written again, so every replay reads
    what the capture left there."""
    _train("momentum+dampening+decay", False)  # (trains: the eager run is fine)
    key = (F.leaky_relu_fn, F.leaky_relu_grad)
    allocating = (lambda A, T, a: np.maximum(A, A * a, out=A), *F.INPLACE[key][1:])
    monkeypatch.setitem(F.INPLACE, key, allocating)
    with pytest.raises(gn.DivergenceError, match="loss became nan at step 2 "):
        _train("momentum+dampening+decay", True)  # the captured step reads a stale NaN
    assert "multiply" in tb.ALLOCATED


def test_what_has_no_captured_step_runs_eagerly_and_says_why(gpu):
    X, _ = _data(40)
    model = tb._recorded(nn.MLP([5, 3, 2], "tanh", "softmax", rng=0, dtype=np.float64))
    y = (X[:, :2] > 0).astype(np.float64)  # (in [0, 1]: a softmax head's squared error)
    h = gn.fit(model, X, y, loss="mse", epochs=2, batch_size=8, verbose=0)
    assert h.engine == "fused"
    assert any("uncaptured" in w and "softmax" in w for w in h.warnings), h.warnings


def test_full_batch_is_captured_one_step_an_epoch(gpu):
    """Full batch: the same step every epoch, captured at the second and replayed after,
    with a schedule and tol (fit's books every epoch); the eager run's numbers bit for bit."""
    X, rng = _data()
    y = _targets("binary", X, rng)
    runs = []
    for captured in (False, True):
        model = nn.MLP([5, 8, 1], "tanh", "sigmoid", rng=0, dtype=np.float64)
        if captured:
            tb._recorded(model)
        opt = optim.Adam(model.parameters(), lr=1e-2)
        h = gn.fit(model, X, y, loss="binary_cross_entropy", optimizer=opt, epochs=6,
                   schedule=schedules.ExponentialLR(opt, gamma=0.7), tol=0.0, verbose=0,
                   engine="auto" if captured else "fused")  # fmt: skip
        runs.append((h, [p.data.view(np.ndarray).copy() for p in model.parameters()]))
    (h0, eager), (h1, captured) = runs
    assert h1.engine == "captured" and not h1.warnings, h1.warnings
    assert tb.LAUNCHES["capture"] == 1 and tb.LAUNCHES["launch"] == 6 - 1  # step 1: warm-up
    for a, b in zip(eager, captured):
        np.testing.assert_array_equal(a, b)
    assert h0.loss == h1.loss and h0.lr == h1.lr and h0.steps == h1.steps == 6


def test_a_capture_that_fails_runs_the_steps_uncaptured(gpu, monkeypatch):
    def refuse(self, mode=None):
        raise RuntimeError("operation not permitted when stream is capturing")

    monkeypatch.setattr(tb._Stream, "begin_capture", refuse)
    _, eager, _ = _train("nesterov", False)
    h, captured, _ = _train("nesterov", True)
    assert h.engine == "captured" and tb.LAUNCHES["launch"] == 0
    assert any("could not be captured" in w for w in h.warnings), h.warnings
    for a, b in zip(eager, captured):
        np.testing.assert_array_equal(a, b)


def test_a_divergence_is_found_at_the_epochs_end_and_the_weights_stay_finite(gpu):
    X, _ = _data(256)
    model = tb._recorded(nn.MLP([5, 16, 1], "relu", rng=0, dtype=np.float64))
    with pytest.raises(gn.DivergenceError, match="training diverged") as e:
        gn.fit(model, X * 1e3, X[:, :1] * 1e6, lr=10.0, epochs=3, batch_size=2, verbose=0)
    assert e.value.history.engine == "captured"
    assert all(np.isfinite(p.data.view(np.ndarray)).all() for p in model.parameters())


def test_without_a_gpu_library_nothing_is_captured():
    model = nn.MLP([5, 3, 1], rng=0, dtype=np.float64)
    opt = optim.SGD(model.parameters(), lr=0.1)
    fast = gn.train.fast_path(model, gn.tasks.loss_spec("mse"), 0.0)
    notes: list[str] = []
    assert not capture.use(fast, opt, 8, 40, notes) and notes == []  # NumPy: not the GPU
    tb._recorded(model)
    assert "no CUDA graph API" in capture.why_not(fast, opt)


def test_a_divergence_late_in_an_epoch_keeps_the_weights_of_the_64th_step(gpu):
    """Row 150 (step 76 at batch 2, unshuffled) has a target the loss overflows on. The
    per-step loop (forced by an on_step_end callback) stops before that step, and so does
    the eager NumPy loop (glassnet.eager: a squared error's loss is checked in the step);
    the captured step sees it at the epoch's end, after the steps that followed, and puts
    back its copy of the weights after step 64."""
    X, _ = _data(256)
    y = X[:, :1].copy()
    y[150] = 1e200
    kw = dict(lr=0.01, batch_size=2, shuffle=False, verbose=0)
    at64 = nn.MLP([5, 8, 1], "tanh", rng=0, dtype=np.float64)
    gn.fit(at64, X, y, epochs=1, max_steps=64, engine="fused", **kw)

    class EveryStep(gn.Callback):
        def on_step_end(self, state):
            pass

    runs = []
    for how in ("per step", "eager", "captured"):
        model = nn.MLP([5, 8, 1], "tanh", rng=0, dtype=np.float64)
        more = {"callbacks": [EveryStep()]} if how == "per step" else {}
        if how == "captured":
            tb._recorded(model)
        with pytest.raises(gn.DivergenceError, match="the loss became inf at step 76 ") as e:
            gn.fit(model, X, y, epochs=2, engine="auto" if how == "captured" else "fused",
                   **kw, **more)  # fmt: skip
        runs.append((e.value.history, [p.data.view(np.ndarray) for p in model.parameters()]))
        assert ("up to 64 steps earlier" in str(e.value)) == (how == "captured")
    (h0, step75), (h1, eager), (h2, captured) = runs
    assert h2.engine == "captured" and h1.engine == "fused"
    assert h0.loss == h1.loss == h2.loss == [] and h0.steps == h1.steps == h2.steps == 75
    for a, b in zip(step75, eager):
        np.testing.assert_array_equal(a, b)
    for a, b in zip(captured, at64.parameters()):
        np.testing.assert_array_equal(a, b.data)
    assert not all(np.array_equal(a, b) for a, b in zip(step75, captured))  # (step 75's)


def test_ctrl_c_in_an_epoch_keeps_the_steps_taken_and_counts_them(gpu, monkeypatch):
    run, calls = capture._Plan.run, []

    def interrupted(self, b):
        calls.append(b.m)
        if len(calls) == 7:  # during the second epoch's third step
            raise KeyboardInterrupt
        run(self, b)

    _, eager, opt0 = _train("adam", False, max_steps=6)
    monkeypatch.setattr(capture._Plan, "run", interrupted)
    with pytest.warns(UserWarning, match="Training interrupted by user"):
        h, captured, opt1 = _train("adam", True)
    assert h.stop_reason == "interrupted" and h.steps == 6 == opt1.t == opt0.t
    for a, b in zip(eager, captured):
        np.testing.assert_array_equal(a, b)


@pytest.mark.parametrize("make", [lambda ps: optim.SGD(ps, lr=0.05), lambda ps: optim.Adam(ps)])
def test_a_large_network_is_captured_without_allocating(gpu, make, monkeypatch):
    """Past 65536 weights the CPU update takes BLAS's axpy; a captured step's learning rate
    is a device array, which must not even be negated on the way (a new array, made while
    capturing): the weights of the eager run, nothing allocated. (The eager run compared is
    NumPy's two calls, as on a GPU: axpy rounds once, they round twice.)"""
    import glassnet.blas

    monkeypatch.setattr(glassnet.blas, "_FUNCS", {})
    X, rng = _data(64)
    y = (X[:, :1] > 0).astype(float)
    runs = []
    for captured in (False, True):
        model = nn.MLP([5, 300, 300, 1], "tanh", "sigmoid", rng=0, dtype=np.float64)
        assert model.num_parameters() > 65536
        if captured:
            tb._recorded(model)
        h = gn.fit(model, X, y, loss="binary_cross_entropy", optimizer=make(model.parameters()),
                   epochs=2, batch_size=32, seed=1, verbose=0, threads=1,
                   engine="auto" if captured else "fused")  # fmt: skip
        # (threads=1: fit's automatic choice follows the load, and BLAS rounds differently
        # with another thread count)
        runs.append((h, [p.data.view(np.ndarray).copy() for p in model.parameters()]))
    assert runs[1][0].engine == "captured" and tb.ALLOCATED == [], tb.ALLOCATED
    for a, b in zip(runs[0][1], runs[1][1]):
        np.testing.assert_array_equal(a, b)


def test_an_optimizer_with_a_step_of_its_own_is_not_captured(gpu):
    """A replayed step runs the optimizer's rules alone: a subclass's own step() (here it
    counts) must run at every step, so such a run is not captured."""

    class Counting(optim.SGD):
        calls = 0

        def step(self, closure=None):
            Counting.calls += 1
            return super().step(closure)

    X, rng = _data(40)
    model = tb._recorded(nn.MLP([5, 3, 1], "tanh", rng=0, dtype=np.float64))
    opt = Counting(model.parameters(), lr=0.1)
    fast = gn.train.fast_path(model, gn.tasks.loss_spec("mse"), 0.0)
    assert "has a step() of its own" in capture.why_not(fast, opt)
    h = gn.fit(model, X, X[:, :1], optimizer=opt, epochs=2, batch_size=10, verbose=0)
    assert h.engine != "captured" and Counting.calls == h.steps == 8


def test_a_float32_loss_sum_that_overflows_is_taken_again_as_the_eager_run_takes_it(gpu):
    """Sample weights of 1e37 in float32: each batch's losses are finite, their float32 sum
    is not. The eager run sums them again in float64 (gradient.loss_sum) and diverges at
    step 2; the captured run summed in float32 and stopped at step 1, 'before any update'."""
    runs = []
    for captured in (False, True):
        with pytest.raises(gn.DivergenceError) as e:
            _train("nesterov", captured, dtype=np.float32,
                   sample_weight=np.full(100, 1e37))  # fmt: skip
        runs.append(str(e.value))
    head = "the loss became nan at step 2 (epoch 1): training diverged"
    assert head in runs[0] and head in runs[1]  # (the captured run finds it at the epoch's end)
