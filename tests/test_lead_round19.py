"""Round 19's mends made by the lead, each with the test that failed before it."""

import numpy as np
import pytest

import glassnet as gn
from glassnet.autograd import GradShapeError


def test_backward_wrong_shape_grad_is_pytorchs_runtime_error():
    # PyTorch raises RuntimeError for a grad of the wrong shape; glassnet raised a plain
    # ValueError, which PyTorch code catching RuntimeError missed.
    x = gn.tensor([1.0, 2.0], requires_grad=True)
    y = x * 2
    with pytest.raises(RuntimeError, match=r"grad has shape \(3,\).*shape \(2,\)"):
        y.backward(gn.tensor([1.0, 2.0, 3.0]))
    with pytest.raises(GradShapeError):
        y.backward(np.ones((2, 1)))
    with pytest.raises(ValueError):  # (what glassnet raised before stays true)
        y.backward(np.ones(1))
    y.backward(gn.tensor([1.0, 1.0]))
    assert x.grad.tolist() == [2.0, 2.0]


@pytest.mark.parametrize(
    "value", [np.float32, np.dtype("float64"), int, gn.nn.Linear, gn.optim.SGD]
)
def test_save_of_a_type_or_dtype_says_to_save_its_name(tmp_path, value):
    # numpy.float32 (a class) was taken for an array (its class has an array's attribute
    # names) and refused as "dtype object"; int was called "a function"; a Module class was
    # told to save its state_dict(), which a class has not.
    with pytest.raises(
        TypeError, match=r"'a' holds .*a class or a dtype is no data: save its name"
    ):
        gn.save({"a": value}, tmp_path / "x.glassnet")
    assert not list(tmp_path.iterdir())


@pytest.mark.parametrize(
    "init",
    [
        lambda w: gn.nn.init.constant_(w, 1e300),
        lambda w: gn.nn.init.normal_(w, 0.0, 1e300),
        lambda w: gn.nn.init.normal_(w, 1e300, 1.0),
        lambda w: gn.nn.init.uniform_(w, -1e300, 1e300),
    ],
)
def test_init_refuses_finite_values_that_float32_stores_as_inf(init):
    # They stored inf in a float32 weight (PyTorch refuses constant_'s and uniform_'s);
    # the weight is left as it was.
    w = gn.nn.Linear(2, 3, rng=0).W
    before = w.data.copy()
    with pytest.raises(ValueError, match=r"nn\.init\.\w+_: .*beyond the range of float32"):
        init(w)
    np.testing.assert_array_equal(w.data, before)
    gn.nn.init.normal_(w.double(), 0.0, 1e300)  # (float64 holds them)


@pytest.mark.parametrize("alpha", [0.0, -0.0, 0.01, 0.5])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_fast_path_leaky_kernel_equals_the_graphs_at_infinities(alpha, dtype):
    # The fast path's in-place leaky ReLU gave NaN at z = +inf for slope 0 (0 * inf is NaN,
    # and max(inf, NaN) too), where the graph's function gives inf.
    from glassnet.functional import INPLACE, leaky_relu_fn, leaky_relu_grad

    forward = INPLACE[(leaky_relu_fn, leaky_relu_grad)][0]
    z = np.array([np.inf, -np.inf, 3.0, -2.0, 0.0, -0.0, np.nan, 1e30], dtype)
    A, T = z.copy(), np.empty_like(z)
    forward(A, T, alpha)
    want = leaky_relu_fn(z.copy(), alpha)
    np.testing.assert_array_equal(A, want)
    assert A[0] == np.inf


class _Probe(gn.nn.Module):
    """A model whose forward records its own mode and the mode another thread reads then."""

    def __init__(self, seen):
        super().__init__()
        self.lin, self.seen = gn.nn.Linear(2, 1, rng=0), seen

    def forward(self, x):
        import threading

        other = threading.Thread(target=lambda: self.seen.setdefault("other", self.training))
        other.start()
        other.join()
        self.seen["own"] = self.training
        return self.lin(x)


def _probe():
    seen = {}
    return _Probe(seen), seen


def test_predict_runs_in_eval_mode_in_its_own_thread_alone():
    # predict set every module's flag to eval and put it back: another thread calling the
    # model meanwhile ran in eval mode, and two predicts at once could leave the model in
    # eval mode (or run one with dropout on). Now no flag is written.
    model, seen = _probe()
    assert model.training
    model.predict(np.ones((3, 2)))
    assert seen == {"own": False, "other": True}
    assert model.training and model.lin.training
    model.eval()
    assert not model.training and vars(model)["training"] is False
    model.train()
    assert model.training


def test_concurrent_predicts_of_a_model_with_dropout_equal_one_thread():
    import threading

    model = gn.nn.Sequential(
        gn.nn.Linear(4, 16, rng=0), gn.nn.ReLU(), gn.nn.Dropout(0.5), gn.nn.Linear(16, 1, rng=1)
    )
    X = np.random.default_rng(0).standard_normal((32, 4))
    want = model.predict(X)
    bad = []

    def work():
        for _ in range(100):
            if not np.array_equal(model.predict(X), want):
                bad.append(1)

    threads = [threading.Thread(target=work) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not bad and model.training


def test_as_tensor_refuses_a_mask_as_tensor_does():
    # gn.as_tensor(bool array) gave 0/1 floats, and x[that] gathered rows 1 and 0 where
    # PyTorch masks.
    with pytest.raises(TypeError, match=r"as_tensor: these values are all True/False"):
        gn.as_tensor(np.array([True, False, True]))
    a = np.array([1.0, 2.0], np.float32)
    t = gn.as_tensor(a)
    t.data[0] = 9.0
    assert a[0] == 9.0  # (memory shared, as torch.as_tensor)
    assert gn.as_tensor(t) is t
    assert gn.as_tensor(t, dtype=gn.float64).dtype == np.float64
    with pytest.raises(Exception, match="not exact in float32"):
        gn.as_tensor([16777217])


def test_tensor_with_pytorch_sizes_points_to_empty():
    with pytest.raises(TypeError, match=r"Got 3 \(PyTorch's sizes.*gn\.empty\(2, 3\)"):
        gn.Tensor(2, 3)


def test_inplace_refusal_names_the_difference_from_pytorch():
    x = gn.tensor([1.0, 2.0, 3.0], requires_grad=True)
    b = gn.zeros(3)
    loss = (x + b).sum()
    with gn.no_grad():
        b.add_(1.0)
    with pytest.raises(RuntimeError, match=r"changed in place .*x\.add_.*every op.*x\.clone\(\)"):
        loss.backward()


def _split_update(real, calls, at):
    """An update that a SIGINT reaches halfway: it counts its first and second halves."""
    import signal

    def update(*a, **kw):
        calls["first"] += 1
        if calls["first"] == at:
            signal.raise_signal(signal.SIGINT)  # (Python runs the handler at once)
        out = real(*a, **kw)
        calls["second"] += 1
        return out

    return update


@pytest.mark.parametrize("engine,step_cb", [("graph", False), ("fused", True), ("fused", False)])
def test_ctrl_c_inside_an_update_ends_fit_after_the_whole_step(engine, step_cb, monkeypatch):
    # A KeyboardInterrupt raised inside the optimizer's update left weights, moments and
    # step count describing different steps, and fit reported a clean "interrupted".
    X, y = gn.datasets.logic_gate("xnor")
    model = gn.nn.MLP([2, 3, 1], activation="tanh", output_activation="sigmoid", rng=0)
    opt = gn.optim.Adam(model.parameters(), lr=0.01)
    calls = {"first": 0, "second": 0}
    if engine == "graph" or step_cb:  # (fit's loop with a step callback calls opt.step)
        monkeypatch.setattr(opt, "step", _split_update(opt.step, calls, 3))
    else:
        real = opt.prepared
        monkeypatch.setattr(opt, "prepared", lambda: _split_update(real(), calls, 3))

    class EveryStep(gn.Callback):
        def on_step_end(self, state):
            pass

    kw = {"callbacks": [EveryStep()]} if step_cb else {}  # (fit's loop, else the eager one)
    with pytest.warns(UserWarning, match="Training interrupted by user"):
        h = gn.fit(model, X, y, loss="bce", optimizer=opt, epochs=50, batch_size=1,
                   shuffle=False, verbose=0, engine=engine, **kw)  # fmt: skip
    assert h.stop_reason == "interrupted"
    assert calls == {"first": 3, "second": 3}
    assert h.steps == 3
    import signal

    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler


def test_a_callback_putting_our_handler_back_after_fit_leaves_ctrl_c_working():
    # A callback that saved the SIGINT handler in on_train_begin (fit's own) and put it back
    # in on_train_end left it installed; the next fit took it as the handler to call, and a
    # Ctrl-C then recursed without end.
    import signal

    class Keeper(gn.Callback):
        def on_train_begin(self, state):
            self.saved = signal.getsignal(signal.SIGINT)

        def on_train_end(self, state):
            signal.signal(signal.SIGINT, self.saved)

    X, y = gn.datasets.logic_gate("xor")
    model = gn.nn.MLP([2, 2, 1], activation="tanh", output_activation="sigmoid", rng=0)
    try:
        gn.fit(model, X, y, loss="bce", epochs=2, verbose=0, callbacks=[Keeper()])
        gn.fit(model, X, y, loss="bce", epochs=2, verbose=0)
        with pytest.raises(KeyboardInterrupt):
            signal.raise_signal(signal.SIGINT)
        assert signal.getsignal(signal.SIGINT) is signal.default_int_handler
    finally:
        signal.signal(signal.SIGINT, signal.default_int_handler)


def test_an_error_after_a_ctrl_c_in_an_update_is_the_one_raised(monkeypatch):
    # A Ctrl-C noted during an update whose step then raised another error escaped fit as a
    # bare KeyboardInterrupt from its cleanup, the error only as its context.
    import signal

    X, y = gn.datasets.logic_gate("xor")
    model = gn.nn.MLP([2, 2, 1], activation="tanh", output_activation="sigmoid", rng=0)
    opt = gn.optim.SGD(model.parameters(), lr=0.1)

    def update():
        signal.raise_signal(signal.SIGINT)
        raise ValueError("the update failed")

    monkeypatch.setattr(opt, "prepared", lambda: update)
    monkeypatch.setattr(opt, "step", update)
    with pytest.raises(ValueError, match="the update failed"):
        gn.fit(model, X, y, loss="bce", optimizer=opt, epochs=3, verbose=0, engine="fused")
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler


def test_as_tensor_to_a_device_leaves_the_callers_tensor_as_it_was():
    w = gn.tensor([1.0, 2.0], requires_grad=True)
    with pytest.raises(Exception, match="cuda|device"):
        gn.as_tensor(w, device="cuda")
    assert w.requires_grad  # (it was left frozen)
    y = w * 2
    assert gn.as_tensor(y, device="cpu") is y  # (a result of an op: refused before)


def test_evaluate_loss_runs_in_eval_mode_in_its_own_thread_alone():
    # evaluate_loss (fit's validation, fit_many's scores) set every flag to eval and put it
    # back, as predict did: threads scoring one model at once left it in eval mode.
    from glassnet.objective import evaluate_loss

    model, seen = _probe()
    evaluate_loss(model, np.ones((3, 2)), np.zeros(3), loss="mse")
    assert seen == {"own": False, "other": True}
    assert model.training and model.lin.training


def test_grad_norm_is_finite_where_the_norm_is():
    # .grad.norm() squared the values first: 1e20 in float32 gave inf (clipping a large
    # gradient by its norm then zeroed it).
    w = gn.tensor(np.zeros(2, np.float32), requires_grad=True)
    (w * 1).sum().backward()
    w.grad[...] = 1e20
    n = w.grad.norm()
    assert type(n) is np.float32 and n == np.float32(np.sqrt(2) * 1e20)
    assert w.grad.norm(3) == pytest.approx(2 ** (1 / 3) * 1e20, rel=1e-6)
    assert w.grad.norm(dim=0, keepdim=True).shape == (1,)
    w.grad[...] = [3.0, 4.0]
    assert w.grad.norm() == 5.0 and w.grad.norm(1) == 7.0


def test_a_stop_signal_of_the_programs_waits_for_the_step_to_end_too(monkeypatch):
    # The command line stops training on SIGTERM as on Ctrl-C (its own handler raises a
    # KeyboardInterrupt); that handler ran inside an update, so the saved model's optimizer
    # counted one step more than its weights had taken.
    import signal

    class Stopped(KeyboardInterrupt):
        pass

    def stop(signum, frame):
        raise Stopped

    X, y = gn.datasets.logic_gate("xnor")
    model = gn.nn.MLP([2, 3, 1], activation="tanh", output_activation="sigmoid", rng=0)
    opt = gn.optim.Adam(model.parameters(), lr=0.01)
    calls = {"first": 0, "second": 0}
    real = opt.prepared

    def split():
        update = real()

        def halves():
            calls["first"] += 1
            if calls["first"] == 4:
                signal.raise_signal(signal.SIGTERM)
            update()
            calls["second"] += 1

        return halves

    monkeypatch.setattr(opt, "prepared", split)
    before = signal.signal(signal.SIGTERM, stop)
    try:
        with pytest.warns(UserWarning, match="Training interrupted by user"):
            h = gn.fit(model, X, y, loss="bce", optimizer=opt, epochs=50, batch_size=1,
                       shuffle=False, verbose=0, engine="fused")  # fmt: skip
        assert signal.getsignal(signal.SIGTERM) is stop
    finally:
        signal.signal(signal.SIGTERM, before)
    assert h.stop_reason == "interrupted"
    assert calls == {"first": 4, "second": 4} and h.steps == 4


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("p,want", [(150.0, 4.0), (1000.0, 4.0), (-1100.0, 3.0), (2000.0, 4.0)])
def test_norm_of_a_large_p_is_the_largest_value_not_zero(dtype, p, want):
    # Each slice was scaled by a power of two, which left its largest term at 0.5 or more:
    # raised to p = 150 in float32 (2000 in float64) it underflowed, and the norm was 0.
    x = gn.tensor(np.array([3.0, 4.0], dtype), requires_grad=True)
    assert x.norm(p).item() == pytest.approx(want, rel=1e-6)
    x.norm(p).backward()
    assert np.isfinite(x.grad).all()
    w = gn.tensor(np.zeros(2, dtype), requires_grad=True)
    (w * 1).sum().backward()
    w.grad[...] = [3.0, 4.0]
    assert float(w.grad.norm(p)) == pytest.approx(want, rel=1e-6)


def test_fit_of_a_linear_whose_weight_is_none_names_it():
    # PyTorch lets a weight be set to None (round 19 takes it too); fit then failed inside
    # the fast path with "'NoneType' object has no attribute 'dtype'".
    X, y = gn.datasets.logic_gate("xor")
    m = gn.nn.MLP([2, 2, 1], activation="tanh", output_activation="sigmoid", rng=0)
    m.layers[0].W = None
    with pytest.raises(ValueError, match=r"'layers\.0' has its weight W set to None"):
        gn.fit(m, X, y, loss="bce", epochs=2, verbose=0)


def test_a_groups_own_key_is_spell_checked_once_not_at_every_step(monkeypatch):
    # A schedule's initial_lr in every group (PyTorch's) was spell-checked against every
    # setting name at each step after an lr change: steps with a per-batch schedule cost
    # 3-5 times as much.
    import glassnet.torch_optim as T

    calls = []
    real = T._edits
    monkeypatch.setattr(T, "_edits", lambda a, b: calls.append(a) or real(a, b))
    T._near.cache_clear()
    ps = [gn.nn.Parameter(np.zeros(2)) for _ in range(3)]
    opt = gn.optim.SGD([{"params": [p]} for p in ps], lr=0.1)
    sched = gn.optim.lr_scheduler.StepLR(opt, 1, 0.9)
    opt.step()
    sched.step()
    first = len(calls)
    for _ in range(20):
        opt.step()
        sched.step()
    assert len(calls) == first
    assert opt.param_groups[0]["initial_lr"] == 0.1


@pytest.mark.parametrize("solver", ["adam", "sgd"])
def test_a_refit_interrupted_before_its_first_epoch_keeps_no_old_loss(solver):
    # A refit (not a warm start) interrupted before its first epoch kept the previous fit's
    # loss_ beside new weights, n_iter_ 0 and an empty loss_curve_.
    import warnings

    pytest.importorskip("sklearn")
    from glassnet.sklearn import MLPClassifier

    class Stop(gn.Callback):
        def on_train_begin(self, state):
            raise KeyboardInterrupt

    X, y = gn.datasets.logic_gate("xor")
    X, y = np.repeat(X, 8, 0), np.repeat(y, 8, 0)
    clf = MLPClassifier(hidden_layer_sizes=(4,), solver=solver, max_iter=5, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        clf.fit(X, y)
        assert np.isfinite(clf.loss_)
        clf.set_params(callbacks=[Stop()])
        clf.fit(X, y)
    assert clf.stop_reason_ == "interrupted" and clf.n_iter_ == 0 and clf.loss_curve_ == []
    assert not hasattr(clf, "loss_")


def test_every_signal_noted_in_an_update_has_its_handler_run(monkeypatch):
    # Only the first signal of an update was kept (a Ctrl-C after a SIGTERM was lost), and
    # one noted in a step that then raised was thrown away (a handler that sets a flag or
    # writes a checkpoint never ran).
    import signal

    flags = []
    X, y = gn.datasets.logic_gate("xor")
    model = gn.nn.MLP([2, 2, 1], activation="tanh", output_activation="sigmoid", rng=0)
    opt = gn.optim.SGD(model.parameters(), lr=0.1)
    real = opt.prepared
    calls = {"n": 0, "fail": False}

    def prepared():
        update = real()

        def step():
            calls["n"] += 1
            if calls["n"] == 2:
                signal.raise_signal(signal.SIGTERM)  # (a flag's handler)
                signal.raise_signal(signal.SIGINT)  # (then Ctrl-C)
                if calls["fail"]:
                    raise ValueError("the update failed")
            update()

        return step

    monkeypatch.setattr(opt, "prepared", prepared)
    before = signal.signal(signal.SIGTERM, lambda s, f: flags.append(s))
    try:
        with pytest.warns(UserWarning, match="Training interrupted by user"):
            h = gn.fit(model, X, y, loss="bce", optimizer=opt, epochs=9, batch_size=1,
                       shuffle=False, verbose=0, engine="fused")  # fmt: skip
        assert flags == [signal.SIGTERM] and h.stop_reason == "interrupted" and h.steps == 2
        calls.update(n=0, fail=True)
        flags.clear()
        with pytest.raises(ValueError, match="the update failed"):
            gn.fit(model, X, y, loss="bce", optimizer=opt, epochs=9, batch_size=1,
                   shuffle=False, verbose=0, engine="fused")  # fmt: skip
        assert flags == [signal.SIGTERM]
    finally:
        signal.signal(signal.SIGTERM, before)


def test_a_models_own_train_override_still_runs_for_predict_and_the_validation_loss():
    # evaluating() set no flag and called no train(): a model whose train() changes more
    # than flags (its own state) scored in its training state.
    from glassnet.objective import evaluate_loss

    class Swap(gn.nn.Module):
        def __init__(self):
            super().__init__()
            self.lin = gn.nn.Linear(2, 1, rng=0)
            self.scale = 1.0

        def train(self, mode=True):
            self.scale = 1.0 if mode else 0.0
            return super().train(mode)

        def forward(self, x):
            return self.lin(x) * self.scale

    m = Swap()
    assert np.all(m.predict(np.ones((2, 2))) == 0.0)
    assert evaluate_loss(m, np.ones((2, 2)), np.zeros(2), loss="mse") == 0.0
    assert m.training and m.lin.training


def test_an_explicit_dtype_of_a_ufunc_on_integer_arrays_is_honoured():
    # A NumPy scalar on the left was recomputed in the default dtype by the Array's
    # __array_wrap__, which cannot see dtype=: np.multiply(np.float64(.5), y, dtype=float64)
    # gave float32 (the change was taken back; the README says what keeps NumPy's rule).
    y = gn.tensor([1.0, 2.0, 3.0]).long()
    assert np.multiply(np.float64(0.5), y, dtype=np.float64).dtype == np.float64
    assert np.true_divide(np.int64(3), y, dtype=np.float16).dtype == np.float16
    assert (y * 0.5).dtype == np.float32 and (0.5 * y).dtype == np.float32


def test_a_sorted_whole_number_regression_target_streamed_gives_no_class_warning():
    # Ratings 1-5 sorted, streamed from arrays (or a memmap) for a regression (loss 'mse'),
    # were warned about as "classes one after the other" (the same rows from a CSV were not).
    import warnings

    from glassnet import stream

    rng = np.random.default_rng(0)
    X = rng.standard_normal((4000, 2))
    ratings = np.repeat(np.arange(1.0, 6.0), 800)
    kw = dict(epochs=1, batch_size=64, verbose=0, seed=0, max_steps=2)
    src = stream.from_arrays(X, ratings[:, None], buffer_size=512)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        gn.fit(gn.nn.MLP([2, 4, 1], activation="tanh", rng=0), src, None, loss="mse", **kw)
    src = stream.from_arrays(X, (ratings - 1).astype(np.int64), buffer_size=512)
    with pytest.warns(UserWarning, match="long runs"):  # (class labels: the warning stays)
        gn.fit(gn.nn.MLP([2, 4, 5], rng=0), src, None, loss="cross_entropy", **kw)


def test_a_parquet_file_rewritten_with_its_old_time_put_back_is_refused(tmp_path):
    # The check compared size and modification time only: a same-size rewrite whose time was
    # put back (cp -p, rsync -t) trained in silence on rows the statistics never saw.
    import os

    pd = pytest.importorskip("pandas")
    pytest.importorskip("pyarrow")
    from glassnet import stream

    rng = np.random.default_rng(0)
    df = pd.DataFrame({"a": rng.standard_normal(400), "label": rng.integers(0, 2, 400)})
    path = tmp_path / "d.parquet"
    df.to_parquet(path, index=False)
    src = stream.from_parquet(str(path), "label")
    before = os.stat(path)
    df.assign(a=df.a * 1e6).to_parquet(path, index=False)  # (same schema, same size)
    assert os.stat(path).st_size == before.st_size
    os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))
    with pytest.raises(ValueError, match="changed after the statistics pass"):
        gn.fit(gn.nn.MLP([1, 4, 2], rng=0), src, None, loss="cross_entropy", epochs=1,
               batch_size=32, verbose=0)  # fmt: skip
