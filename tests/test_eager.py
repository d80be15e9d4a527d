"""glassnet.eager: fit's fast path an epoch at a time, its losses counted afterwards.

Every test trains twice from the same start: once through the eager loop (fit's default
on the fast path when nothing runs between steps), once through fit's per-step loop
(forced by an ``on_step_end`` callback, which must see every step), and compares.
"""

from __future__ import annotations

import numpy as np
import pytest

import glassnet as gn
from glassnet import eager, nn, optim


class EveryStep(gn.Callback):
    """An on_step_end callback: fit then keeps its books after every step."""

    def __init__(self):
        self.steps = 0

    def on_step_end(self, state):
        self.steps += 1


def _data(n, d, kind, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, d))
    if kind == "labels":
        return X, rng.integers(0, 3, n)
    if kind == "rows":
        return X, np.eye(3)[rng.integers(0, 3, n)]
    if kind == "binary":
        return X, (X[:, :1] + 0.3 * rng.standard_normal((n, 1)) > 0).astype(float)
    return X, X @ rng.standard_normal((d, 2)) + 0.1 * rng.standard_normal((n, 2))


CASES = {  # name: (data kind, output activation, loss, outputs)
    "softmax+ce labels": ("labels", "softmax", "cross_entropy", 3),
    "softmax+ce rows": ("rows", "softmax", "cross_entropy", 3),
    "sigmoid+bce": ("binary", "sigmoid", "binary_cross_entropy", 1),
    "identity+mse": ("values", "identity", "mse", 2),
    "sigmoid+mse (not fused)": ("binary", "sigmoid", "mse", 1),
    "identity+half_mse": ("values", "identity", "half_mse", 2),
}


def _twice(case, dtype=np.float64, optimizer="sgd", n=301, bs=4, epochs=2, **kw):
    # (engine="fused": on NumPy, never the compiled loop, whatever glassnet.jit's rule for
    # engine="auto" says of a run)
    kind, out, loss, K = CASES[case]
    X, y = _data(n, 5, kind)
    runs, calls = [], []
    epoch, whole = eager.run_epoch, eager.run_full_batch
    spy = pytest.MonkeyPatch()  # which runs go through the eager loop
    use = eager.use  # (fit hands mini-batch epochs of a loss computed in the step to its
    spy.setattr(eager, "use", lambda f, o, whole=False: use(f, o, True))  # own loop: forced)
    spy.setattr(eager, "run_epoch", lambda *a, **k: calls.append(len(runs)) or epoch(*a, **k))
    if whole is not None:
        spy.setattr(
            eager, "run_full_batch", lambda *a, **k: calls.append(len(runs)) or whole(*a, **k)
        )
    for per_step in (False, True):
        model = nn.MLP([5, 7, K], "tanh", out, rng=0, dtype=dtype)
        opt = optim.get_optimizer(optimizer, model.parameters(), lr=0.05)
        cb = [EveryStep()] if per_step else []
        h = gn.fit(model, X, y, loss=loss, optimizer=opt, batch_size=bs, epochs=epochs,
                   seed=3, verbose=0, callbacks=cb, threads=1, engine="fused", **kw)  # fmt: skip
        runs.append((h, [p.data.copy() for p in model.parameters()], opt))
    spy.undo()
    assert calls and set(calls) == {0}  # the first run only
    return runs


def _interrupt_after(k, opt, monkeypatch):
    """Ctrl-C pressed as ``opt``'s prepared update is to make its (k + 1)-th step."""
    prepared, taken = opt.prepared, []

    def counting():
        rules = prepared()

        def step():
            if len(taken) == k:
                raise KeyboardInterrupt
            rules()
            taken.append(1)

        return step

    monkeypatch.setattr(opt, "prepared", counting)


@pytest.mark.parametrize("case", list(CASES))
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_the_eager_loop_takes_the_per_step_loops_steps(case, dtype):
    """301 rows in batches of 4: 76 steps an epoch (a partial last batch), so the counts
    every 64 steps (from the start of training) fall inside the second epoch."""
    (h0, w0, o0), (h1, w1, o1) = _twice(case, dtype)
    assert h0.engine == h1.engine == "fused" and h0.steps == h1.steps == 152
    for a, b in zip(w0, w1):
        np.testing.assert_array_equal(a, b)
    assert h0.loss == h1.loss  # (cross-entropy's BLAS row sums: each step's rows alone)
    assert o0.t == o1.t == 152


@pytest.mark.parametrize("optimizer", ["adam", "rmsprop"])
def test_sample_weights_l2_and_the_stateful_optimizers(optimizer):
    rng = np.random.default_rng(1)
    sw = rng.uniform(0.1, 2.0, 301)
    (h0, w0, o0), (h1, w1, o1) = _twice(
        "softmax+ce labels", optimizer=optimizer, sample_weight=sw, l2=0.3
    )
    for a, b in zip(w0, w1):
        np.testing.assert_array_equal(a, b)
    assert h0.loss == h1.loss
    for a, b in zip(o0.state_dict()["param_groups"], o1.state_dict()["param_groups"]):
        for k in a:
            np.testing.assert_array_equal(a[k], b[k])


def test_unshuffled_batches_max_steps_and_counts_before_the_64th_step(monkeypatch):
    monkeypatch.setattr(eager, "_ROWS", 40)  # 40 output values a count: every 20 rows
    (h0, w0, _), (h1, w1, _) = _twice(
        "identity+mse", n=100, bs=10, epochs=9, shuffle=False, max_steps=83
    )
    assert h0.steps == h1.steps == 83 and h0.stop_reason == "max_steps"
    for a, b in zip(w0, w1):
        np.testing.assert_array_equal(a, b)
    assert h0.loss == h1.loss


@pytest.mark.parametrize("case", ["sigmoid+mse (not fused)", "sigmoid+bce"])
def test_full_batch_runs_every_epoch_in_one_call(monkeypatch, case):
    """150 epochs of 40 rows: the losses counted from the outputs of up to 64 epochs, with
    their targets and sample weights tiled."""
    epoch = eager.run_epoch
    monkeypatch.setattr(eager, "run_epoch", None)  # (not called: one call for every epoch)
    sw = np.random.default_rng(2).uniform(0.5, 1.5, 40)
    (h0, w0, _), (h1, w1, _) = _twice(case, n=40, bs=None, epochs=150, sample_weight=sw)
    monkeypatch.setattr(eager, "run_epoch", epoch)
    assert h0.steps == h1.steps == 150 and h0.epochs == 150
    for a, b in zip(w0, w1):
        np.testing.assert_array_equal(a, b)
    assert h0.loss == h1.loss
    assert h0.best_epoch == h1.best_epoch and h0.best_loss == h1.best_loss


def test_full_batch_in_runs_cut_short_by_the_counters_rows_max_steps_and_l2(monkeypatch):
    """The steps run between two counts stop at the counter's rows (here 2 epochs of 40
    rows), at max_steps and at each 64th step; the ||W||² of each step are kept for its L2
    penalty."""
    monkeypatch.setattr(eager, "_ROWS", 200)  # 200 output values a count: 100 rows of 2
    sw = np.random.default_rng(2).uniform(0.5, 1.5, 40)
    (h0, w0, _), (h1, w1, _) = _twice(
        "identity+mse", n=40, bs=None, epochs=150, max_steps=133, l2=0.3, sample_weight=sw
    )
    assert h0.steps == h1.steps == 133 and h0.stop_reason == h1.stop_reason == "max_steps"
    for a, b in zip(w0, w1):
        np.testing.assert_array_equal(a, b)
    assert h0.loss == h1.loss  # (elementwise kernels and NumPy's own sums: the same numbers)


@pytest.mark.parametrize("classes", [17, 40])
@pytest.mark.parametrize("labels", [True, False])
def test_full_batch_cross_entropy_losses_are_the_per_step_loops_bits(monkeypatch, classes, labels):
    """Cross-entropy's row sums are BLAS's (a matrix product): over the outputs of many
    epochs at once they may round otherwise than over one epoch's rows, as the step takes
    them. The losses counted late must be the per-step loop's, bit for bit."""
    rng = np.random.default_rng(classes)
    X, y = rng.standard_normal((50, 6)), rng.integers(0, classes, 50)
    y = y if labels else np.eye(classes)[y]
    whole, calls, runs = eager.run_full_batch, [], []
    monkeypatch.setattr(eager, "run_full_batch", lambda *a, **k: calls.append(1) or whole(*a, **k))
    for cb in ([], [EveryStep()]):
        model = nn.MLP([6, 7, classes], "tanh", "softmax", rng=0, dtype=np.float64)
        opt = optim.SGD(model.parameters(), lr=0.1)
        h = gn.fit(model, X, y, loss="cross_entropy", optimizer=opt, epochs=130, verbose=0,
                   callbacks=cb, threads=1, engine="fused")  # fmt: skip
        runs.append((h, [p.data.copy() for p in model.parameters()]))
    (h0, w0), (h1, w1) = runs
    assert calls == [1]  # (the first run in the eager loop, the second step by step)
    for a, b in zip(w0, w1):
        np.testing.assert_array_equal(a, b)
    assert h0.loss == h1.loss


def test_ctrl_c_in_a_full_batch_run_keeps_and_counts_the_steps_taken(monkeypatch):
    X, y = _data(40, 5, "values")
    model = nn.MLP([5, 8, 2], rng=0, dtype=np.float64)
    opt = optim.SGD(model.parameters(), lr=0.05)
    _interrupt_after(70, opt, monkeypatch)  # the 71st step: past the first count, at step 64
    whole, calls = eager.run_full_batch, []
    monkeypatch.setattr(eager, "run_full_batch", lambda *a, **k: calls.append(1) or whole(*a, **k))
    with pytest.warns(UserWarning, match="Training interrupted by user"):
        h = gn.fit(model, X, y, optimizer=opt, epochs=500, verbose=0, engine="fused")
    assert calls == [1]  # (the whole run in the eager loop)
    assert h.stop_reason == "interrupted" and h.steps == h.epochs == 70 and len(h.loss) == 70
    ref = nn.MLP([5, 8, 2], rng=0, dtype=np.float64)
    r = gn.fit(ref, X, y, lr=0.05, epochs=70, verbose=0, callbacks=[EveryStep()])
    assert h.loss == r.loss
    for a, b in zip(model.parameters(), ref.parameters()):
        np.testing.assert_array_equal(a.data, b.data)


def test_full_batch_with_a_tolerance_keeps_the_per_epoch_loop():
    X, y = _data(40, 5, "values")
    model = nn.MLP([5, 7, 2], "tanh", rng=0, dtype=np.float64)
    opt = optim.SGD(model.parameters(), lr=0.05)
    fast = gn.train.fast_path(model, gn.tasks.loss_spec("mse"), 0.0)
    with pytest.raises(ValueError, match="needs tol=None"):
        eager.run_full_batch(fast, opt, X, y, None, 5, tol=1e-3)
    h = gn.fit(model, X, y, optimizer=opt, epochs=400, tol=1e-3, n_iter_no_change=2, verbose=0)
    assert h.stop_reason == "tol" and h.epochs < 400


@pytest.mark.parametrize("case", ["identity+mse", "sigmoid+bce"])
@pytest.mark.parametrize("batch_size", [2, None])
def test_a_divergence_ends_the_run_where_the_per_step_loop_ends_it(case, batch_size):
    """A row the forward pass overflows on (row 150: step 76 at batch 2, unshuffled; the
    first epoch of a full-batch run). The per-step loop stops before that step. The eager loop
    sees it when it counts the losses, after the steps that followed: it puts back the
    weights and optimizer state of the last count and takes the steps up to the bad one
    again. Both end with the per-step loop's weights, optimizer state and message."""
    kind = "values" if "mse" in case else "binary"
    X, y = _data(200, 5, kind)
    X = X.astype(np.float32)
    X[150] = 3e38  # (the first layer overflows: the loss is nan)
    runs = []
    for cb in ([], [EveryStep()]):
        model = nn.MLP([5, 8, CASES[case][3]], "relu", CASES[case][1], rng=0, dtype=np.float32)
        opt = optim.SGD(model.parameters(), lr=0.01, momentum=0.9)
        with pytest.raises(gn.DivergenceError) as e:
            gn.fit(model, X, y, loss=CASES[case][2], optimizer=opt, batch_size=batch_size,
                   shuffle=False, epochs=3, verbose=0, callbacks=cb, threads=1,
                   engine="fused")  # fmt: skip
        runs.append((str(e.value), e.value.history, [p.data.copy() for p in model.parameters()],
                     opt.state_dict()))  # fmt: skip
    (m0, h0, w0, s0), (m1, h1, w1, s1) = runs
    assert m0 == m1 and h0.steps == h1.steps and "up to 64 steps" not in m0
    assert f"at step {76 if batch_size else 1} " in m0, m0
    for a, b in zip(w0, w1):
        np.testing.assert_array_equal(a, b)
    assert s0["t"] == s1["t"] == h0.steps
    for a, b in zip(s0["param_groups"], s1["param_groups"]):
        for k in a:
            np.testing.assert_array_equal(a[k], b[k])


@pytest.mark.parametrize("second", [False, True])
def test_ctrl_c_while_a_divergence_is_taken_back_ends_as_an_interrupt(monkeypatch, second):
    """A non-finite loss at step 40 (a weight set to inf by the 40th update), seen at the
    count at step 64: the steps are taken again from the start. A Ctrl-C during those (at
    the 20th again; ``second``: the first Ctrl-C at step 50, a second one while its steps
    are counted) ends the run as the per-step loop interrupted there would: 20 steps, their
    losses and weights (not a divergence at step 41 with the weights of step 20)."""
    X, y = _data(40, 5, "values")
    model = nn.MLP([5, 8, 2], "relu", rng=0, dtype=np.float64)
    opt = optim.SGD(model.parameters(), lr=0.05, momentum=0.9)
    prepared, seen = opt.prepared, [0]

    def poisoned():
        rules = prepared()

        def step():
            if second and opt.t == seen[0] == 50:  # (the first Ctrl-C: before step 51)
                raise KeyboardInterrupt
            if opt.t == 20 and seen[0] > 20:  # (taken again)
                raise KeyboardInterrupt
            rules()
            seen[0] = max(seen[0], opt.t)
            if opt.t == 40:
                model.parameters()[0].data[0, 0] = np.inf

        return step

    monkeypatch.setattr(opt, "prepared", poisoned)
    whole, calls = eager.run_full_batch, []
    monkeypatch.setattr(eager, "run_full_batch", lambda *a, **k: calls.append(1) or whole(*a, **k))
    with pytest.warns(UserWarning, match="Training interrupted by user"):
        h = gn.fit(model, X, y, optimizer=opt, epochs=500, verbose=0, threads=1, engine="fused")
    assert calls == [1]
    assert h.stop_reason == "interrupted" and h.steps == h.epochs == 20 and len(h.loss) == 20
    ref = nn.MLP([5, 8, 2], "relu", rng=0, dtype=np.float64)
    ro = optim.SGD(ref.parameters(), lr=0.05, momentum=0.9)
    r = gn.fit(ref, X, y, optimizer=ro, epochs=20, verbose=0, threads=1, callbacks=[EveryStep()])
    assert h.loss == r.loss and opt.t == ro.t == 20
    for a, b in zip(model.parameters(), ref.parameters()):
        np.testing.assert_array_equal(a.data, b.data)
    for k, v in opt.state_dict()["param_groups"][0].items():
        np.testing.assert_array_equal(v, ro.state_dict()["param_groups"][0][k])


def test_ctrl_c_right_after_a_count_that_found_a_divergence_still_takes_it_back(monkeypatch):
    """A Ctrl-C once the count at step 64 has its losses, before it looked at them: the
    non-finite loss of step 41 (a weight set to 1e30 by the 40th update) is still taken
    back, and the run ends as the per-step loop's: at step 41, the weights of step 40."""
    X, y = _data(40, 5, "values")
    diverged, looks = eager._diverged, []

    def interrupted(*a):  # the first look: a Ctrl-C before it
        looks.append(1)
        if len(looks) == 1:
            raise KeyboardInterrupt
        return diverged(*a)

    monkeypatch.setattr(eager, "_diverged", interrupted)
    runs = []
    for cb in ([], [EveryStep()]):
        model = nn.MLP([5, 8, 2], "relu", rng=0, dtype=np.float64)
        opt = optim.SGD(model.parameters(), lr=0.05, momentum=0.9)
        step, prepared = opt.step, opt.prepared

        def poisoned(rules, opt=opt, model=model):
            def update():
                rules()
                if opt.t == 40:
                    model.parameters()[0].data[0, 0] = 1e300

            return update

        monkeypatch.setattr(opt, "step", poisoned(step))
        monkeypatch.setattr(opt, "prepared", lambda prepared=prepared: poisoned(prepared()))
        with pytest.raises(gn.DivergenceError) as e:
            gn.fit(model, X, y, optimizer=opt, epochs=500, verbose=0, threads=1, callbacks=cb,
                   engine="fused")  # fmt: skip
        runs.append((str(e.value), [p.data.copy() for p in model.parameters()], opt.state_dict()))
    (m0, w0, s0), (m1, w1, s1) = runs
    assert "at step 41 " in m1 and m0 == m1 and len(looks) > 1
    for a, b in zip(w0, w1):
        np.testing.assert_array_equal(a, b)
    assert s0["t"] == s1["t"] == 40


def test_ctrl_c_between_two_steps_keeps_and_counts_the_steps_taken(monkeypatch):
    X, y = _data(64, 5, "values")
    model = nn.MLP([5, 8, 2], rng=0, dtype=np.float64)
    opt = optim.SGD(model.parameters(), lr=0.05)
    _interrupt_after(11, opt, monkeypatch)  # the 12th step of the run: in the second epoch
    with pytest.warns(UserWarning, match="Training interrupted by user"):
        h = gn.fit(model, X, y, optimizer=opt, batch_size=8, epochs=5, seed=0, verbose=0,
                   engine="fused")  # fmt: skip
    assert h.stop_reason == "interrupted" and h.steps == 11 and len(h.loss) == 1
    ref = nn.MLP([5, 8, 2], rng=0, dtype=np.float64)
    gn.fit(ref, X, y, lr=0.05, batch_size=8, epochs=5, seed=0, verbose=0, max_steps=11,
           callbacks=[EveryStep()])  # fmt: skip
    for a, b in zip(model.parameters(), ref.parameters()):
        np.testing.assert_array_equal(a.data, b.data)


@pytest.mark.parametrize("case", list(CASES))
def test_fit_hands_mini_batches_to_the_eager_loop_only_where_values_are_counted_late(case):
    """A loss whose value the step computes cheaply (squared error, cross-entropy) gains
    nothing from the eager loop on mini-batches; binary cross-entropy's exp and log do."""
    kind, out, loss, K = CASES[case]
    X, y = _data(100, 5, kind)
    model = nn.MLP([5, 7, K], "tanh", out, rng=0)
    fast = gn.train.fast_path(model, gn.tasks.loss_spec(loss), 0.0)
    opt = optim.SGD(model.parameters(), lr=0.1)
    assert eager.use(fast, opt) == (fast.loss.name == "binary_cross_entropy_with_logits")
    assert eager.use(fast, opt, whole=True)


def test_a_loss_kernel_without_a_value_switch_keeps_the_per_step_loop():
    model = nn.MLP([5, 3, 2], rng=0)
    fast = gn.train.fast_path(model, gn.tasks.loss_spec("mse"), 0.0)
    opt = optim.SGD(model.parameters(), lr=0.1)
    assert eager.use(fast, opt, whole=True)
    fast.loss = gn.functional.Loss("mine", lambda P, Y, G, keep=None: None, "", None)
    assert not eager.use(fast, opt, whole=True)
    mse = gn.train.fast_path(model, gn.tasks.loss_spec("mse"), 0.0)
    assert not eager.use(mse, object(), whole=True)  # (no prepared(): not glassnet.optim's)


def test_a_resumed_full_batch_run_that_diverges_at_once_names_its_epoch():
    """initial_epoch=7: the first step of the run is epoch 8's, in the message of the whole
    run's loop as in the per-step loop's."""
    X, y = _data(40, 5, "values")
    X[3] = 1e300  # (the loss of the first step is not finite)
    messages = []
    for cb in ([], [EveryStep()]):
        model = nn.MLP([5, 8, 2], rng=0, dtype=np.float64)
        with pytest.raises(gn.DivergenceError) as e:
            gn.fit(model, X, y, lr=0.05, epochs=20, initial_epoch=7, verbose=0, callbacks=cb,
                   engine="fused")  # fmt: skip
        messages.append(str(e.value))
    assert "at step 1 (epoch 8)" in messages[1], messages[1]
    assert messages[0] == messages[1]
