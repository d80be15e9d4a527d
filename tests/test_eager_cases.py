"""fit's epoch-at-a-time loop (glassnet.eager) held to fit's per-step loop, case by case.

Every test trains twice from the same start: once as fit chooses (the eager loop, checked
by a spy on ``eager.run_epoch`` / ``eager.run_full_batch``), once on the per-step loop
(``eager.use`` patched to say no; ``glassnet.jit.use`` is patched to say no in both, so
the compiled loop never takes a run over). Then it compares the weights bit for bit, the
History, the optimizer's ``state_dict()``, the error raised and the progress output:
docs/engines.md says the eager loop changes none of them.
"""

from __future__ import annotations

import re
import warnings
from contextlib import redirect_stderr, redirect_stdout
from io import StringIO
from typing import Any

import numpy as np
import pytest
import test_eager
from sklearn.utils.multiclass import type_of_target

import glassnet as gn
import glassnet.train as train_mod
from glassnet import eager, jit, nn, optim, schedules
from glassnet.progress import Progress
from glassnet.sklearn import MLPClassifier, MLPRegressor

N = 101  # rows: batches of 8 leave a last batch of 5


def _data(kind: str, n: int = N, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """n rows of 5 features and targets of ``kind``, as tests/test_eager.py makes them."""
    return test_eager._data(n, 5, kind, seed)


CASES = {  # loss: (data kind, output activation, outputs)
    "cross_entropy": ("labels", "softmax", 3),
    "binary_cross_entropy": ("binary", "sigmoid", 1),
    "binary_cross_entropy_with_logits": ("binary", "identity", 1),
    "mse": ("values", "identity", 2),
    "half_mse": ("values", "identity", 2),
}
IN_STEP = ("mse", "half_mse", "cross_entropy")  # losses whose values the eager step computes


class _Run:
    def __init__(self, history, weights, opt, err, out, model, eager_calls):
        self.history, self.weights, self.opt, self.err = history, weights, opt, err
        self.out, self.model, self.eager_calls = out, model, eager_calls


def _fit(
    per_step: bool,
    loss: str = "mse",
    *,
    dtype: Any = np.float64,
    act: str = "tanh",
    opt: Any = "sgd",
    lr: float = 0.05,
    opt_kw: Any = None,
    make: Any = None,
    callbacks: Any = (),
    schedule: Any = None,
    data: Any = None,
    **kw: Any,
) -> _Run:
    """One fit from the same start; ``make(model)``, ``schedule(opt)`` and each entry of
    ``callbacks`` (a class or a function of nothing) build fresh objects for each run."""
    kind, out, K = CASES[loss]
    X, y = _data(kind) if data is None else data
    model = nn.MLP([X.shape[1], 7, K], act, out, rng=0, dtype=dtype)
    o = (
        make(model)
        if make
        else optim.get_optimizer(opt, model.parameters(), lr=lr, **(opt_kw or {}))
    )
    if schedule is not None:
        kw["schedule"] = schedule(o)
    calls: list[str] = []
    mp = pytest.MonkeyPatch()
    run_epoch, run_full_batch = eager.run_epoch, eager.run_full_batch
    mp.setattr(eager, "run_epoch", lambda *a, **k: calls.append("epoch") or run_epoch(*a, **k))
    mp.setattr(
        eager, "run_full_batch", lambda *a, **k: calls.append("whole") or run_full_batch(*a, **k)
    )
    mp.setattr(jit, "use", lambda *a, **k: False)
    if per_step:
        mp.setattr(eager, "use", lambda *a, **k: False)
    buf, err, history = StringIO(), None, None
    kw.setdefault("seed", 1)
    kw.setdefault("verbose", 0)  # (fit's default, 1, keeps a full batch off the whole run)
    record = warnings.catch_warnings(record=True)
    try:
        with redirect_stdout(buf), redirect_stderr(buf), record as got:
            warnings.simplefilter("always")
            history = gn.fit(model, X, y, loss=loss, optimizer=o, threads=1,
                             callbacks=[c() for c in callbacks], **kw)  # fmt: skip
    except gn.DivergenceError as e:
        err, history = e, e.history
    finally:
        mp.undo()
    said = [w for w in got if str(w.message).startswith("Training interrupted by user")]
    # (an interrupted run warns, at every verbose; any other warning is raised as before)
    assert len(said) == (history.stop_reason == "interrupted" and err is None)
    for w in got:
        if w not in said:
            warnings.warn_explicit(w.message, w.category, w.filename, w.lineno)
    weights = [p.data.copy() for p in model.parameters()]
    return _Run(history, weights, o, err, buf.getvalue(), model, calls)


def _twice(eager_runs: Any = None, **kw: Any) -> tuple[_Run, _Run]:
    """fit as it chooses, then on the per-step loop. ``eager_runs`` None: the eager loop
    must have run for a loss counted afterwards (binary cross-entropy); a loss computed in
    the step may go either way (fit may keep mini-batches of it on the per-step loop)."""
    e, s = _fit(False, **kw), _fit(True, **kw)
    if eager_runs is None:
        eager_runs = kw.get("loss", "mse") not in IN_STEP
    if eager_runs:
        assert e.eager_calls, "the eager loop did not run"
    assert not s.eager_calls
    return e, s


FIELDS = ("loss", "steps", "samples_seen", "epochs", "best_epoch", "best_loss", "stop_reason",
          "lr", "val_loss", "val_metric", "weight_change", "engine")  # fmt: skip


def _same_state(a: Any, b: Any, where: str = "state_dict") -> None:
    if isinstance(a, dict):
        assert a.keys() == b.keys(), where
        for k in a:
            _same_state(a[k], b[k], f"{where}[{k!r}]")
    elif isinstance(a, (list, tuple)):
        assert len(a) == len(b), where
        for i, (u, v) in enumerate(zip(a, b)):
            _same_state(u, v, f"{where}[{i}]")
    elif isinstance(a, np.ndarray):
        np.testing.assert_array_equal(a, b, err_msg=where)
    else:
        assert a == b, (where, a, b)


def _rate_free(text: str) -> str:
    return re.sub(r"\([0-9.]+ epochs/s\)", "(rate)", text)


def _same(e: _Run, s: _Run, *, history: bool = True) -> None:
    """Everything fit leaves: weights, History, optimizer state, error, output."""
    for a, b in zip(e.weights, s.weights):
        np.testing.assert_array_equal(a, b)
    if history:
        for f in FIELDS:
            assert getattr(e.history, f) == getattr(s.history, f), f
    _same_state(e.opt.state_dict(), s.opt.state_dict())
    assert type(e.err) is type(s.err) and str(e.err) == str(s.err)
    assert _rate_free(e.out) == _rate_free(s.out)


# --------------------------------------------------------------- cases that agree


MINI = dict(batch_size=8, epochs=3)


@pytest.mark.parametrize("loss", list(CASES))
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize(
    "extra",
    [{}, {"l2": 0.1}, {"sample_weight": "w"}, {"l2": 0.01, "sample_weight": "w"}],
    ids=["plain", "l2", "sample_weight", "l2+sample_weight"],
)
def test_every_loss_dtype_l2_and_sample_weight(loss, dtype, extra):
    extra = dict(extra)
    if "sample_weight" in extra:
        extra["sample_weight"] = np.random.default_rng(5).random(N)
    e, s = _twice(loss=loss, dtype=dtype, **MINI, **extra)
    assert e.history.engine == "fused" and e.history.steps == 3 * 13
    _same(e, s)


@pytest.mark.parametrize(
    "kw",
    [
        dict(initial_epoch=2, epochs=5),
        dict(max_steps=20, epochs=5),  # mid-epoch
        dict(max_steps=26, epochs=5),  # at an epoch's end
        dict(max_steps=26, epochs=2),  # at the last epoch's end
        dict(initial_epoch=4, epochs=10, max_steps=30, seed=lambda e: e),
        dict(seed=lambda epoch: 7 * epoch, epochs=3),
        dict(shuffle=False, sample_weight=np.linspace(0.1, 1.0, N), epochs=3),
        dict(validation_data="held out", epochs=3),
        dict(validation_split=0.2, epochs=3),
        dict(tol=1e-2, n_iter_no_change=2, epochs=50),
        dict(tol_weights=0.05, n_iter_no_change=2, epochs=50),
        dict(early_stopping=True, n_iter_no_change=2, epochs=20),
        dict(act="leaky_relu", epochs=3),
        dict(verbose=2, epochs=3),
    ],
    ids=lambda kw: ",".join(kw),
)
@pytest.mark.parametrize("loss", ["binary_cross_entropy", "mse"])
def test_the_settings_of_fit(kw, loss):
    kw = {"batch_size": 8, **kw}
    if kw.get("validation_data"):
        kw["validation_data"] = _data(CASES[loss][0], 30, 1)
    e, s = _twice(loss=loss, **kw)
    _same(e, s)


def test_the_stopping_rules_really_stop():
    """(The cases above would agree trivially if the rules never fired.)"""
    bce = "binary_cross_entropy"
    e, s = _twice(loss=bce, batch_size=8, epochs=50, tol=1e-2, n_iter_no_change=2)
    assert e.history.stop_reason == "tol" and e.history.epochs < 50
    e, s = _twice(loss=bce, batch_size=8, epochs=50, tol_weights=0.05, n_iter_no_change=2)
    assert e.history.stop_reason == "weight_change"
    e, s = _twice(loss=bce, batch_size=8, epochs=5, max_steps=26)
    assert e.history.stop_reason == "max_steps" and e.history.steps == 26
    e, s = _twice(loss=bce, batch_size=8, epochs=5, max_steps=20)
    assert e.history.stop_reason == "max_steps" and e.history.epochs == 2
    assert e.history.samples_seen == N + 7 * 8  # an epoch, then 7 batches of 8


@pytest.mark.parametrize("loss", ["binary_cross_entropy", "mse"])
@pytest.mark.parametrize("dtype, w_dtype", [(np.float64, np.float32), (np.float32, np.int64)])
def test_sample_weights_of_another_dtype(loss, dtype, w_dtype):
    w = (np.random.default_rng(5).random(N) * 3).astype(w_dtype)
    e, s = _twice(loss=loss, dtype=dtype, batch_size=8, epochs=2, sample_weight=w)
    _same(e, s)


@pytest.mark.parametrize("loss", ["binary_cross_entropy", "cross_entropy"])
def test_diagnostics_callback(loss):
    from glassnet.diagnostics import Diagnostics

    e, s = _twice(loss=loss, callbacks=[Diagnostics], batch_size=8, epochs=3)
    _same(e, s)
    assert len(e.history.diagnostics) == 3
    _same_state(e.history.diagnostics, s.history.diagnostics, "diagnostics")


@pytest.mark.parametrize("batch_size", [7, 100, 1])
@pytest.mark.parametrize("loss", ["binary_cross_entropy", "cross_entropy"])
def test_batch_sizes(batch_size, loss):
    e, s = _twice(loss=loss, batch_size=batch_size, epochs=2 if batch_size > 1 else 1)
    _same(e, s)


@pytest.mark.parametrize(
    "opt, opt_kw",
    [
        ("sgd", dict(momentum=0.9)),
        ("sgd", dict(momentum=0.9, nesterov=True)),
        ("sgd", dict(momentum=0.9, style="sklearn")),
        ("sgd", dict(momentum=0.9, weight_decay=0.01)),
        ("adam", {}),
        ("adam", dict(amsgrad=True)),
        ("adamw", dict(weight_decay=0.1)),
        ("rmsprop", dict(momentum=0.5)),
    ],
)
@pytest.mark.parametrize("loss", ["binary_cross_entropy", "mse"])
@pytest.mark.parametrize("batch_size", [8, None])
def test_optimizers(opt, opt_kw, loss, batch_size):
    lr = 0.05 if opt == "sgd" else 0.01
    epochs = 3 if batch_size else 70  # full batch: one count of 64 epochs and a partial one
    e, s = _twice(loss=loss, opt=opt, lr=lr, opt_kw=opt_kw, batch_size=batch_size, epochs=epochs)
    _same(e, s)


def _frozen(model):
    model.parameters()[1].requires_grad = False
    return optim.SGD(model.parameters(), lr=0.05, momentum=0.9)


def _groups(model):
    ps = model.parameters()
    return optim.Adam([{"params": ps[:2], "lr": 0.01}, {"params": ps[2:], "lr": 0.001}], lr=0.05)


@pytest.mark.parametrize("make", [_frozen, _groups])
@pytest.mark.parametrize("batch_size", [8, None])
def test_frozen_parameter_and_param_groups(make, batch_size):
    e, s = _twice(loss="binary_cross_entropy", make=make, batch_size=batch_size,
                  epochs=3 if batch_size else 70)  # fmt: skip
    _same(e, s)


class _StopAt2(gn.Callback):
    def on_epoch_end(self, state):
        state.stop = state.epoch == 2


class _HalveLR(gn.Callback):
    def on_epoch_end(self, state):
        state.optimizer.lr *= 0.5


class _Rebind(gn.Callback):  # new .data arrays between epochs: the optimizer must re-plan
    def on_epoch_end(self, state):
        for p in state.model.parameters():
            p.data = p.data * 0.9


class _Interrupt(gn.Callback):
    def on_epoch_end(self, state):
        if state.epoch == 2:
            raise KeyboardInterrupt


@pytest.mark.parametrize("cb", [_StopAt2, _HalveLR, _Rebind, _Interrupt])
@pytest.mark.parametrize("loss", ["binary_cross_entropy", "mse"])
def test_epoch_end_callbacks(cb, loss):
    e, s = _twice(loss=loss, opt="adam", lr=0.01, callbacks=[cb], batch_size=8, epochs=4)
    _same(e, s)
    want = {_StopAt2: "callback", _Interrupt: "interrupted"}.get(cb, "max_epochs")
    assert e.history.stop_reason == want


@pytest.mark.parametrize(
    "make",
    [
        lambda o: schedules.StepLR(o, 2, 0.5),
        lambda o: schedules.InvScalingLR(o),
        lambda o: schedules.CosineAnnealingLR(o, 5),
        lambda o: schedules.AdaptiveLR(o, tol=10.0, patience=0, min_lr=1e-3),
    ],
    ids=["step", "invscaling", "cosine", "adaptive"],
)
def test_schedules(make):
    e, s = _twice(loss="binary_cross_entropy", schedule=make, batch_size=8, epochs=8)
    _same(e, s)
    assert len(set(e.history.lr)) > 1


def test_adaptive_lr_stops_at_min_lr_alike():
    adaptive = lambda o: schedules.AdaptiveLR(o, tol=10.0, patience=0, min_lr=1e-3)  # noqa: E731
    e, s = _twice(loss="binary_cross_entropy", batch_size=8, epochs=60, schedule=adaptive)
    _same(e, s)
    assert e.history.stop_reason == "min_lr" and e.history.epochs < 60


def _interrupt_at(k):
    """An optimizer whose k-th update raises KeyboardInterrupt (Ctrl-C between steps)."""

    def make(model):
        o = optim.SGD(model.parameters(), lr=0.05, momentum=0.9)
        prepared, count = o.prepared, [0]

        def planned():
            update = prepared()

            def step():
                count[0] += 1
                if count[0] == k:
                    raise KeyboardInterrupt
                update()

            return step

        o.prepared = planned
        return o

    return make


@pytest.mark.parametrize("k", [1, 5, 14, 64, 65])
@pytest.mark.parametrize("loss", ["binary_cross_entropy", "mse"])
@pytest.mark.parametrize("batch_size", [8, None])
def test_ctrl_c_between_steps(k, loss, batch_size):
    e, s = _twice(loss=loss, make=_interrupt_at(k), batch_size=batch_size,
                  epochs=10 if batch_size else 100)  # fmt: skip
    _same(e, s)
    assert e.history.stop_reason == "interrupted" and e.history.steps == k - 1


@pytest.mark.parametrize("loss", ["binary_cross_entropy", "mse", "cross_entropy"])
@pytest.mark.parametrize("batch_size", [7, None])
def test_a_resumed_run_is_the_uninterrupted_run(loss, batch_size):
    """Epochs 1-3, then 4-70 resumed (initial_epoch=3) with the same optimizer, against
    1-70 in one call: the eager loop's 64-step counts fall elsewhere, nothing else does."""
    kind, out, K = CASES[loss]
    X, y = _data(kind)
    runs = []
    for split in (None, 3):
        model = nn.MLP([5, 7, K], "tanh", out, rng=0)
        o = optim.Adam(model.parameters(), lr=0.01)
        kw = dict(loss=loss, optimizer=o, batch_size=batch_size, seed=lambda ep: 100 + ep)
        with pytest.MonkeyPatch.context() as mp:
            mp.setattr(jit, "use", lambda *a, **k: False)
            if split is None:
                h = gn.fit(model, X, y, epochs=70, **kw)
                losses, best = h.loss, h.best_epoch
            else:
                h1 = gn.fit(model, X, y, epochs=split, **kw)
                h2 = gn.fit(model, X, y, epochs=70, initial_epoch=split, **kw)
                losses, best = h1.loss + h2.loss, h2.best_epoch
                assert h2.epochs == 70 and h2.steps == h.steps - h1.steps
        runs.append((losses, best, [p.data.copy() for p in model.parameters()], o.state_dict()))
    (l1, b1, w1, s1), (l2, b2, w2, s2) = runs
    assert l1 == l2 and b1 == b2
    for a, b in zip(w1, w2):
        np.testing.assert_array_equal(a, b)
    _same_state(s1, s2)


# ------------------------------------------------------------ the scikit-learn estimators


def _estimator_twice(make, X, y, how):
    out = []
    for per_step in (False, True):
        calls: list[int] = []
        with pytest.MonkeyPatch.context() as mp:
            spy = lambda *a, c=calls, f=eager.run_epoch, **k: c.append(1) or f(*a, **k)  # noqa: E731
            mp.setattr(eager, "run_epoch", spy)
            mp.setattr(jit, "use", lambda *a, **k: False)
            if per_step:
                mp.setattr(eager, "use", lambda *a, **k: False)
            est = make()
            if how == "fit":
                est.fit(X, y)
            else:
                for _ in range(4):
                    extra = {"classes": np.unique(y)} if isinstance(est, MLPClassifier) else {}
                    est.partial_fit(X, y, **extra)
        if per_step or type_of_target(y) == "binary":  # (binary cross-entropy: eager)
            assert bool(calls) is not per_step
        out.append(est)
    a, b = out
    for u, v in zip(a.coefs_ + a.intercepts_, b.coefs_ + b.intercepts_):
        np.testing.assert_array_equal(u, v)
    assert a.loss_curve_ == b.loss_curve_ and a.n_iter_ == b.n_iter_ and a.t_ == b.t_
    assert getattr(a, "validation_scores_", None) == getattr(b, "validation_scores_", None)
    return a


ESTIMATOR_RUNS = [
    (dict(solver="sgd", momentum=0.9), "fit"),
    (dict(solver="sgd", momentum=0.9), "partial_fit"),
    (dict(solver="sgd", learning_rate="adaptive", n_iter_no_change=1), "fit"),
    (dict(solver="sgd", learning_rate="invscaling"), "fit"),
    (dict(solver="sgd", learning_rate="invscaling"), "partial_fit"),
    (dict(solver="adam"), "fit"),
    (dict(solver="adam"), "partial_fit"),
    (dict(solver="adam", early_stopping=True), "fit"),  # (partial_fit has no early stopping)
]


@pytest.mark.parametrize(
    "kw, how",
    ESTIMATOR_RUNS,
    ids=lambda v: v if isinstance(v, str) else "-".join(map(str, v.values())),
)
@pytest.mark.parametrize("task", ["classes", "binary", "regression"])
@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_sklearn_estimators(kw, how, task):
    est = MLPRegressor if task == "regression" else MLPClassifier
    X, y = _data({"classes": "labels", "binary": "binary", "regression": "values"}[task], 120)
    y = y.ravel() if task == "binary" else y
    common = dict(hidden_layer_sizes=(7,), max_iter=15, random_state=0, batch_size=16, alpha=1e-3)
    _estimator_twice(lambda: est(**common, **kw), X, y, how)


# ------------------------------------------------------------------ what differs (bugs)


def _diverging(loss, batch_size, **kw):
    """A run that diverges within its first steps (relu, float32, lr 1000)."""
    return _twice(loss=loss, act="relu", dtype=np.float32, lr=1000.0, batch_size=batch_size,
                  epochs=30, **kw)  # fmt: skip


def _late_data(loss):
    """Row 150 overflows a relu network's forward pass: with batches of 2 in order, the loss
    of step 76 is not finite (after a count at step 64: a late-counted loss is replayed)."""
    X, y = _data(CASES[loss][0], 256)
    X = X.copy()
    X[150] = 1e308
    return X, y


@pytest.mark.parametrize("loss", list(CASES))
@pytest.mark.parametrize("batch_size", [8, None])
def test_a_divergence_early_ends_as_on_the_per_step_loop(loss, batch_size):
    """Weights (those before the bad step), History, optimizer state (no step after it)
    and DivergenceError's message, for every loss: docs/engines.md says nothing differs."""
    e, s = _diverging(loss, batch_size, opt_kw=dict(momentum=0.9))
    assert isinstance(s.err, gn.DivergenceError) and s.history.steps < 13
    assert s.opt.t == s.history.steps
    _same(e, s)


@pytest.mark.parametrize("loss", list(CASES))
@pytest.mark.parametrize(
    "extra", [{}, {"l2": 0.01, "sample_weight": "w"}], ids=["plain", "l2+sample_weight"]
)
def test_a_divergence_after_a_count_ends_as_on_the_per_step_loop(loss, extra):
    extra = dict(extra)
    if "sample_weight" in extra:
        extra["sample_weight"] = np.random.default_rng(5).random(256)
    e, s = _twice(loss=loss, data=_late_data(loss), act="relu", lr=0.01, opt="adam",
                  batch_size=2, shuffle=False, epochs=2, **extra)  # fmt: skip
    assert isinstance(s.err, gn.DivergenceError) and s.history.steps == 75
    assert "at step 76 " in str(s.err)
    _same(e, s)
    assert all(np.isfinite(w).all() for w in e.weights)


def test_a_full_batch_divergence_after_counts_ends_as_on_the_per_step_loop():
    """Binary cross-entropy on full batches, diverging at epoch 142: two counts of 64
    epochs went by, the replay starts from the run's first epoch. (Epochs 140 and 141 have
    finite losses whose float32 sum overflows: summed again in float64, as engine='jit'.)"""
    e, s = _twice(loss="binary_cross_entropy", act="identity", dtype=np.float32, lr=3.0,
                  opt_kw=dict(momentum=0.9), batch_size=None, epochs=1500)  # fmt: skip
    assert e.eager_calls == ["whole"]
    assert isinstance(s.err, gn.DivergenceError) and s.history.steps == 141
    _same(e, s)


@pytest.mark.parametrize("loss", ["binary_cross_entropy", "binary_cross_entropy_with_logits"])
def test_a_divergence_after_512_steps_ends_as_on_the_per_step_loop(loss):
    """Batches of 1 in order, row 550 overflowing: step 551 is not finite, after the copy
    of the state kept at step 512 (the replay starts there)."""
    X, y = _data(CASES[loss][0], 600)
    X = X.copy()
    X[550] = 1e308
    e, s = _twice(loss=loss, data=(X, y), act="relu", lr=0.01, opt="adam", batch_size=1,
                  shuffle=False, epochs=1)  # fmt: skip
    assert isinstance(s.err, gn.DivergenceError) and s.history.steps == 550
    _same(e, s)


@pytest.mark.parametrize("k", [70, 100])
def test_ctrl_c_after_a_divergence_not_yet_counted(k):
    """Step 76's loss is not finite; Ctrl-C at update 70 (before it) ends the run as
    interrupted, at update 100 (after it, before its count) as diverged, on both loops."""
    loss = "binary_cross_entropy"
    e, s = _twice(loss=loss, data=_late_data(loss), act="relu", make=_interrupt_at(k),
                  batch_size=2, shuffle=False, epochs=2)  # fmt: skip
    _same(e, s)
    if k < 76:
        assert s.history.stop_reason == "interrupted" and s.history.steps == k - 1
    else:
        assert isinstance(s.err, gn.DivergenceError) and s.history.steps == 75


@pytest.mark.parametrize("make", [_frozen, _groups])
def test_a_late_divergence_with_a_frozen_parameter_or_param_groups(make):
    """The replay goes through the optimizer's step (a frozen parameter) or two groups."""
    loss = "binary_cross_entropy"
    e, s = _twice(loss=loss, data=_late_data(loss), act="relu", make=make, batch_size=2,
                  shuffle=False, epochs=2)  # fmt: skip
    assert isinstance(s.err, gn.DivergenceError) and s.history.steps == 75
    _same(e, s)


@pytest.mark.parametrize("loss", ["binary_cross_entropy", "binary_cross_entropy_with_logits"])
def test_a_divergence_at_the_first_step_of_a_fresh_optimizer(loss):
    """Nothing to take again: the optimizer's state put back is the fresh one."""
    X, y = _data(CASES[loss][0], 256)
    X = X.copy()
    X[0] = 1e308
    e, s = _twice(loss=loss, data=(X, y), act="relu", opt="adam", lr=0.01, batch_size=2,
                  shuffle=False, epochs=1)  # fmt: skip
    assert isinstance(s.err, gn.DivergenceError) and s.history.steps == 0
    _same(e, s)


@pytest.mark.parametrize("batch_size", [8, None])
def test_a_divergence_with_non_finite_weights_puts_back_the_snapshot(batch_size):
    """lr 3e38 in float32: the first update overflows the weights; the loss of the next
    step is not finite and fit puts back its copy of the last finite weights."""
    e, s = _twice(loss="mse", act="tanh", dtype=np.float32, lr=3e38, batch_size=batch_size,
                  epochs=100)  # fmt: skip
    assert isinstance(s.err, gn.DivergenceError)
    _same(e, s)
    assert all(np.isfinite(w).all() for w in e.weights)


class _Wrapped:
    """An optimizer wrapper fit accepts (``step``, ``zero_grad``; ``prepared`` passed on):
    it counts the updates; no ``params``, ``state_dict`` or ``load_state_dict``."""

    def __init__(self, inner):
        self.inner, self.updates = inner, 0

    lr = property(lambda self: self.inner.lr)

    def step(self):
        self.updates += 1
        self.inner.step()

    def zero_grad(self):
        self.inner.zero_grad()

    def prepared(self):
        rules = self.inner.prepared()

        def step():
            self.updates += 1
            rules()

        return step


@pytest.mark.parametrize("loss", ["binary_cross_entropy", "mse"])
@pytest.mark.parametrize("batch_size", [8, None])
def test_an_optimizer_wrapper_without_a_state_dict(loss, batch_size):
    """The per-step loop trains with it; the eager loop's copy of the optimizer's state
    (for a late divergence) must not turn it into an AttributeError."""
    runs = []
    for per_step in (False, True):
        r = _fit(per_step, loss, make=lambda m: _Wrapped(optim.SGD(m.parameters(), lr=0.1)),
                 batch_size=batch_size, epochs=3)  # fmt: skip
        runs.append(r)
    e, s = runs
    assert e.opt.updates == s.opt.updates == s.history.steps
    for a, b in zip(e.weights, s.weights):
        np.testing.assert_array_equal(a, b)
    for f in FIELDS:
        assert getattr(e.history, f) == getattr(s.history, f), f


@pytest.mark.parametrize("loss", ["binary_cross_entropy", "mse"])
def test_training_on_after_a_divergence_with_the_same_optimizer(loss):
    """Catch DivergenceError, lower the rate, fit again with the same model and optimizer
    (the rows that overflowed dropped): both loops go on from the same weights and state."""
    ends = []
    X, y = _late_data(loss)
    keep = np.arange(len(X)) != 150
    for per_step in (False, True):
        r = _fit(per_step, loss, data=(X, y), act="relu", opt="sgd", lr=0.01,
                 opt_kw=dict(momentum=0.9), batch_size=2, shuffle=False, epochs=2)  # fmt: skip
        assert isinstance(r.err, gn.DivergenceError)
        r.opt.lr = 1e-3
        with pytest.MonkeyPatch.context() as mp:
            mp.setattr(jit, "use", lambda *a, **k: False)
            if per_step:
                mp.setattr(eager, "use", lambda *a, **k: False)
            h = gn.fit(r.model, X[keep], y[keep], loss=loss, optimizer=r.opt, batch_size=8,
                       epochs=2, seed=2, verbose=0)  # fmt: skip
        assert h.stop_reason == "max_epochs" and np.isfinite(h.loss).all()
        ends.append((h.loss, [p.data.copy() for p in r.model.parameters()], r.opt.state_dict()))
    (l0, w0, s0), (l1, w1, s1) = ends
    assert l0 == l1
    for a, b in zip(w0, w1):
        np.testing.assert_array_equal(a, b)
    _same_state(s0, s1)


@pytest.mark.parametrize("loss", ["mse", "cross_entropy", "binary_cross_entropy"])
def test_full_batch_history_loss_is_fits_epoch_loss(loss):
    """fit's per-step loop records an epoch's loss as (L * n) / n (the batch losses
    weighted by their rows); the whole full-batch run records L, an ulp away at times
    (with L2 in 2 to 20 of 30 epochs here)."""
    e, s = _twice(loss=loss, batch_size=None, epochs=30, l2=0.1)
    assert e.eager_calls == ["whole"]
    assert e.history.loss == s.history.loss
    assert e.history.best_loss == s.history.best_loss


def test_full_batch_max_steps_equal_to_the_epochs_left_is_a_max_steps_stop():
    """The per-step loop says "max_steps" when the step limit is reached with the last
    epoch; the whole run says "max_epochs"."""
    for initial in (0, 3):
        e, s = _twice(True, loss="mse", batch_size=None, epochs=10, initial_epoch=initial,
                      max_steps=10 - initial)  # fmt: skip
        assert s.history.stop_reason == "max_steps"
        assert e.history.stop_reason == s.history.stop_reason


def test_full_batch_resumed_run_that_completes_no_epoch():
    """A resumed full-batch run interrupted at its first step (and one with nothing left,
    initial_epoch == epochs): the per-step loop leaves history.epochs at 0, the whole run
    sets it to initial_epoch."""
    # (a fresh momentum SGD on purpose, its velocity no matter here: warned of since round 27)
    with pytest.warns(UserWarning, match="with a fresh SGD"):
        e, s = _twice(True, loss="mse", make=_interrupt_at(1), batch_size=None, epochs=10,
                      initial_epoch=3)  # fmt: skip
    assert s.history.stop_reason == e.history.stop_reason == "interrupted"
    assert e.history.epochs == s.history.epochs
    e, s = _twice(False, loss="mse", batch_size=None, epochs=3, initial_epoch=3)
    assert e.history.epochs == s.history.epochs


class _ShowAtOnce(Progress):
    """fit's progress line, shown from the start (verbose=1 shows it after 2 s)."""

    def __init__(self, total, verbose, after=0.0, tty_only=False):
        super().__init__(total, verbose, 0.0, tty_only)


@pytest.mark.parametrize("verbose", [1, 2])
def test_full_batch_verbose_still_shows_progress(monkeypatch, verbose):
    """verbose=1 promises a progress line (and the closing message) for a run that lasts
    (fit's default): a whole full-batch run must not drop them, whether fit then keeps
    full batches off the whole run or prints its line after it."""
    monkeypatch.setattr(train_mod, "Progress", _ShowAtOnce)
    e, s = _twice(False, loss="mse", batch_size=None, epochs=5, verbose=verbose)
    assert "Stopped after 5 epochs" in s.out
    assert _rate_free(e.out) == _rate_free(s.out)


# ------------------------------------------------------------- the order of an epoch
BAD_ORDERS = {  # (order of 12 rows, the words of the refusal)
    "repeats": ([0] * 12, r"Row 0 comes 12 times in it and row 1 never; .* bootstrap"),
    "bootstrap": ([3, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11], "Row 3 comes 2 times in it and row 0"),
    "short": (list(range(6)), r"shape \(6,\)"),
    "long": ([*range(12), *range(12)], r"shape \(24,\)"),
    "past the rows": (list(range(1, 13)), "Got row index 12"),
    "negative": (list(range(-1, 11)), "Got row index -1"),
    "floats": ([float(i) for i in range(12)], "Got dtype float64"),
}


def _epoch_start(library: Any = None) -> tuple:
    """A 3-5-2 network, its fast path, SGD and 12 rows (on ``library``'s arrays: the
    stand-in GPU library of tests/test_backend.py, or NumPy)."""
    model = nn.MLP([3, 5, 2], "tanh", "identity", rng=0, dtype=np.float64)
    rng = np.random.default_rng(1)
    X, y = rng.standard_normal((12, 3)), rng.standard_normal((12, 2))
    if library is not None:
        library._recorded(model)
        X, y = X.view(library.Recorded), y.view(library.Recorded)
    fast = gn.train.fast_path(model, gn.tasks.loss_spec("mse"), 0.0)
    return model, fast, optim.SGD(model.parameters(), lr=0.1), X, y


@pytest.mark.parametrize("case", list(BAD_ORDERS))
@pytest.mark.parametrize("where", ["eager", "capture", "jit"])
def test_run_epoch_refuses_an_order_that_is_not_a_permutation_before_any_step(
    where, case, monkeypatch
):
    """An order with repeats (every batch row 0, or a bootstrap sample), one too long, or
    negative trained on it in silence (the eager loop's gather clips indices); one too short
    or past the rows was NumPy's 'output array does not match' or an IndexError after the
    steps. fit draws rng.permutation(n), as run_epoch's contract says: others are refused."""
    import test_backend as tb

    from glassnet import capture, jit

    if where == "jit":
        pytest.importorskip("numba", reason='glassnet.jit needs numba: pip install -e ".[jit]"')
    order, words = BAD_ORDERS[case]
    library, module = {"eager": (None, eager), "capture": (tb, capture), "jit": (None, jit)}[where]
    if where == "capture":  # (the stand-in for CuPy's CUDA API, as tests/test_capture.py)
        monkeypatch.setattr(tb.RECORDING, "cuda", tb.StandInCuda, raising=False)
        order = np.asarray(order).view(tb.Recorded)
    model, fast, opt, X, y = _epoch_start(library)
    before = [p.data.copy() for p in model.parameters()]
    with pytest.raises(
        ValueError, match=r"run_epoch: order must be a permutation of range\(12\)"
    ) as e:
        module.run_epoch(fast, opt, X, y, None, order, 4)
    assert re.search(words, str(e.value)), e.value
    for p, b in zip(model.parameters(), before):
        np.testing.assert_array_equal(p.data, b)
    assert opt.t == 0


def test_run_epoch_trains_on_a_permutation_as_before():
    """A permutation, given as an array or a list, trains as fit's order does."""
    order = np.random.default_rng(2).permutation(12)
    runs = []
    for given in (order, order.tolist()):
        model, fast, opt, X, y = _epoch_start()
        losses = eager.run_epoch(fast, opt, X, y, None, given, 4)
        runs.append((losses, [p.data.copy() for p in model.parameters()]))
    np.testing.assert_array_equal(runs[0][0], runs[1][0])
    for a, b in zip(runs[0][1], runs[1][1]):
        np.testing.assert_array_equal(a, b)
