"""The array-module seam (glassnet.backend): training goes through it end to end.

``Recorded`` stands in for another array library (CuPy on a GPU): a NumPy array whose
``__array_namespace__`` is a recording namespace, and whose ufuncs and array functions
are recorded. A plain NumPy array among the operands of any of them fails the test: that
would be an allocation that bypassed the model's namespace (on a GPU, a host array in a
device computation). Training through it must give bit for bit the weights of a plain
NumPy run, so every operation of the fast path, the optimizers and fit's batches went
through the seam and computed what NumPy computes.

``StandInCuda`` plays ``cupy.cuda`` for the captured step (tests/test_capture.py): its
stream capture records calls without running them, its graph replays them on the same
objects (see the comment above it). A model on the device also predicts, explains and
saves the CPU's numbers (the last test).
"""

from __future__ import annotations

import collections
from typing import Any

import numpy as np
import pytest

import glassnet as gn
from glassnet import backend, nn, optim

CALLS: collections.Counter = collections.Counter()
DEPTH = [0]  # calls NumPy makes inside a recorded call are its own business (CuPy has its own)


def _plain(x: Any) -> bool:
    return type(x) is np.ndarray and x.ndim > 0


def _check(where: str, args: Any) -> None:
    for a in args:
        if isinstance(a, (list, tuple)):
            _check(where, a)
        elif _plain(a):
            raise AssertionError(f"a plain NumPy array {a.shape} reached {where}")


def _unwrap(a: Any) -> Any:
    if isinstance(a, Recorded):
        return a.view(np.ndarray)
    if isinstance(a, tuple):
        return tuple(_unwrap(x) for x in a)
    return a


def _wrap(r: Any) -> Any:
    return r.view(Recorded) if type(r) is np.ndarray else r


class Recorded(np.ndarray):
    """A NumPy array playing another library's array (see the module docstring)."""

    def __array_ufunc__(self, ufunc: Any, method: str, *inputs: Any, **kw: Any) -> Any:
        name = f"{ufunc.__name__}.{method}" if method != "__call__" else ufunc.__name__
        if CAPTURE[0] is not None and not DEPTH[0]:
            return _captured(name, getattr(ufunc, method), inputs, kw)
        if not DEPTH[0]:
            CALLS[name] += 1
            _check(name, (*inputs, *kw.get("out", ())))
        out = kw.get("out")
        if out is not None:
            kw["out"] = _unwrap(out)
        result = getattr(ufunc, method)(*_unwrap(inputs), **kw)
        if out is not None:
            return out[0] if len(out) == 1 else out
        return tuple(map(_wrap, result)) if isinstance(result, tuple) else _wrap(result)

    def __array_function__(self, func: Any, types: Any, args: Any, kwargs: Any) -> Any:
        if DEPTH[0]:
            return super().__array_function__(func, types, args, kwargs)
        if CAPTURE[0] is not None:
            return _captured(func.__name__, func, args, kwargs)
        CALLS[func.__name__] += 1
        _check(func.__name__, (*args, *kwargs.values()))
        DEPTH[0] += 1
        try:
            return _wrap(super().__array_function__(func, types, args, kwargs))
        finally:
            DEPTH[0] -= 1

    def __array_namespace__(self, api_version: Any = None) -> Any:
        return RECORDING


class _Namespace:
    """The recording library's namespace: NumPy's functions, each result a Recorded array."""

    def __getattr__(self, name: str) -> Any:
        fn = getattr(np, name)
        if not callable(fn):
            return fn

        def call(*args: Any, **kw: Any) -> Any:
            CALLS[f"xp.{name}"] += 1
            if CAPTURE[0] is not None:  # an allocation while capturing
                ALLOCATED.append(f"xp.{name}")
            return _wrap(fn(*_unwrap(args), **kw))

        return call


RECORDING = _Namespace()

# ------------------------------------------------- a stand-in for CUDA-graph capture
# While a stand-in stream captures (CAPTURE[0] is a list), a call on recorded arrays is not
# run: it is appended to the graph with its operand objects, as a CUDA graph records a
# kernel with its pointers. (It runs on copies, to learn what it returns, and changes
# nothing.) A call that returns a new array (an allocation while capturing: ALLOCATED) gives
# an array of NaN, as a kernel not yet run leaves its output unwritten; a call with out=
# returns its out. ``launch`` runs the recorded calls again on the same objects. So a
# temporary made while capturing is stale on replay (NaN), and a Python number given to a
# call while capturing is the same number at every replay: both change the weights.
CAPTURE: list[Any] = [None]
ALLOCATED: list[str] = []
LAUNCHES = collections.Counter()


def _copies(x: Any) -> Any:
    if isinstance(x, np.ndarray):
        return np.array(x.view(np.ndarray), copy=True)
    if isinstance(x, (tuple, list)):
        return type(x)(_copies(v) for v in x)
    if isinstance(x, dict):
        return {k: _copies(v) for k, v in x.items()}
    return x


def _captured(name: str, fn: Any, args: Any, kw: dict) -> Any:
    CAPTURE[0].append((name, fn, args, kw))
    result = fn(*_copies(args), **_copies(kw))  # (plain NumPy arrays: nothing recorded)
    out = kw.get("out")
    if out is not None:
        return out[0] if isinstance(out, tuple) and len(out) == 1 else out
    if isinstance(result, np.ndarray) and result.ndim:
        ALLOCATED.append(name)
        stale = np.full_like(result, np.nan) if result.dtype.kind == "f" else ~result
        return stale.view(Recorded)
    return result


class _Graph:
    def __init__(self, calls: list) -> None:
        self.calls = calls

    def launch(self, stream: Any = None) -> None:
        LAUNCHES["launch"] += 1
        for _, fn, args, kw in self.calls:
            fn(*args, **kw)


class _Stream:
    """cupy.cuda.Stream's capture, on the recording library."""

    def __init__(self, non_blocking: bool = False) -> None:
        self.non_blocking = non_blocking

    def __enter__(self) -> _Stream:
        return self

    def __exit__(self, *exc: Any) -> None:
        return None

    def begin_capture(self, mode: Any = None) -> None:
        assert CAPTURE[0] is None, "capture begun twice"
        CAPTURE[0] = []

    def end_capture(self) -> _Graph:
        calls, CAPTURE[0] = CAPTURE[0], None
        LAUNCHES["capture"] += 1
        return _Graph(calls)

    def is_capturing(self) -> bool:
        return CAPTURE[0] is not None

    def synchronize(self) -> None:
        assert CAPTURE[0] is None, "a synchronisation while capturing"


class StandInCuda:
    """What glassnet.capture uses of cupy.cuda."""

    Stream = _Stream

    @staticmethod
    def get_current_stream() -> _Stream:
        return _Stream()


def _recorded(model: nn.Module) -> nn.Module:
    for p in model.parameters():
        p.data = p.data.view(Recorded)
    return model


def _data(n=96, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, 5))
    return X, rng


CASES = [  # (activation, output, loss, targets, optimizer)
    ("tanh", "sigmoid", "binary_cross_entropy", "binary", lambda ps: optim.SGD(ps, lr=0.1)),
    ("relu", "softmax", "cross_entropy", "labels", lambda ps: optim.Adam(ps, lr=1e-2)),
    ("sigmoid", "identity", "mse", "values", lambda ps: optim.SGD(ps, lr=0.05, momentum=0.9)),
    ("leaky_relu", "identity", "mse", "values", lambda ps: optim.RMSprop(ps, lr=1e-3)),
]


@pytest.mark.parametrize(("act", "out", "loss", "kind", "make_opt"), CASES)
def test_training_goes_through_the_seam_and_matches_numpy_bit_for_bit(
    act, out, loss, kind, make_opt
):
    X, rng = _data()
    y = {
        "binary": (X[:, 0] > 0).astype(float).reshape(-1, 1),
        "labels": rng.integers(0, 3, len(X)),
        "values": X[:, :2] @ rng.standard_normal((2, 1)),
    }[kind]
    width = 3 if kind == "labels" else 1
    runs = []
    for seam in (False, True):
        model = nn.MLP([5, 8, 6, width], act, out, rng=0, dtype=np.float64)
        if seam:
            _recorded(model)
        CALLS.clear()
        h = gn.fit(
            model, X, y, loss=loss, optimizer=make_opt(model.parameters()), epochs=3,
            batch_size=32, seed=1, verbose=0,
        )  # fmt: skip
        assert h.engine == "fused"
        runs.append([p.data.view(np.ndarray) for p in model.parameters()])
        if seam:  # everything lived in the other library, and went through it
            assert all(type(p.data) is Recorded for p in model.parameters())
            assert all(type(p.grad) is Recorded for p in model.parameters())
            assert CALLS["matmul"] >= 3 * 3 * 3 and CALLS["xp.empty"] > 0
            assert CALLS["xp.asarray"] >= 2  # X and y moved once, the order once per epoch
        else:
            assert not CALLS  # plain NumPy arrays never reach the recorder
    for a, b in zip(*runs):
        np.testing.assert_array_equal(a, b)


def test_full_batch_and_sample_weights_through_the_seam():
    X, rng = _data(40)
    y = np.tanh(X[:, :1])
    w = rng.uniform(0.5, 2.0, len(X))
    runs = []
    for seam in (False, True):
        model = nn.MLP([5, 4, 1], "tanh", rng=0, dtype=np.float64)
        if seam:
            _recorded(model)
        gn.fit(model, X, y, sample_weight=w, lr=0.1, epochs=5, l2=0.01, verbose=0)
        runs.append([p.data.view(np.ndarray) for p in model.parameters()])
    for a, b in zip(*runs):
        np.testing.assert_array_equal(a, b)


def test_the_seam_names_the_library_and_refuses_what_it_cannot_run():
    assert backend.namespace(np.zeros(2)) is np
    assert backend.namespace(np.zeros(2).view(Recorded)) is RECORDING
    assert backend.namespace(3.0) is np and backend.device_of(np.zeros(1)) == "cpu"
    assert backend.is_array(np.zeros(1)) and not backend.is_array(np.float64(1.0))
    with pytest.raises(ValueError, match="device must be one of"):
        backend.to_device(np.zeros(1), "tpu")
    X, _ = _data(20)
    model = _recorded(nn.MLP([5, 2], rng=0, dtype=np.float64))
    with pytest.raises(ValueError, match="without validation data"):
        gn.fit(model, X, np.zeros((20, 2)), epochs=1, validation_split=0.2, verbose=0)
    mixed = nn.MLP([5, 2], rng=0, dtype=np.float64)
    mixed.parameters()[0].data = mixed.parameters()[0].data.view(Recorded)
    with pytest.raises(TypeError, match="more than one device"):
        optim.SGD(mixed.parameters(), lr=0.1)


def test_fit_device_cuda_without_cupy_says_how_to_get_it():
    # (with CuPy installed, the GPU checks are bench/gpu.py's)
    try:
        import cupy  # noqa: F401
    except ImportError:
        model = nn.MLP([5, 2], rng=0)
        X, _ = _data(8)
        with pytest.raises(ImportError, match=r"glassnet\[gpu\]"):
            gn.fit(model, X, np.zeros((8, 2)), device="cuda", epochs=1, verbose=0)
        assert type(model.parameters()[0].data) is np.ndarray  # nothing moved
        with pytest.raises(ValueError, match="'device' parameter of fit"):
            gn.fit(model, X, np.zeros((8, 2)), device="gpu", epochs=1, verbose=0)


def test_the_estimators_train_on_the_device_and_come_back(monkeypatch):
    """device='cuda' on an estimator: trained through the seam (the recording library
    stands in for CuPy), then back on the CPU with the CPU run's weights, bit for bit."""
    import warnings

    sk = pytest.importorskip("glassnet.sklearn")
    monkeypatch.setattr(backend, "cupy", lambda: RECORDING)
    X, _ = _data(128)
    y = (X[:, 0] + X[:, 1] > 0).astype(int)
    kw = dict(hidden_layer_sizes=(8,), solver="adam", max_iter=4, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # 4 iterations do not converge
        cpu = sk.MLPClassifier(**kw).fit(X, y)
        CALLS.clear()
        gpu = sk.MLPClassifier(**kw, device="cuda").fit(X, y)
        assert CALLS["matmul"] > 0 and CALLS["xp.asarray"] >= 2  # it trained over there
        assert all(type(p.data) is np.ndarray for p in gpu.model_.parameters())  # and is back
        for a, b in zip(cpu.coefs_ + cpu.intercepts_, gpu.coefs_ + gpu.intercepts_):
            np.testing.assert_array_equal(a, b)
        np.testing.assert_array_equal(cpu.predict_proba(X), gpu.predict_proba(X))
        gpu.partial_fit(X, y)  # again over there, and back
        assert all(type(p.data) is np.ndarray for p in gpu.model_.parameters())
    for bad in (dict(solver="lbfgs"), dict(early_stopping=True)):
        with pytest.raises(ValueError, match="device='cuda' trains with solver 'sgd' or 'adam'"):
            sk.MLPClassifier(**{**kw, **bad}, device="cuda").fit(X, y)
    with pytest.raises(ValueError, match="'device' parameter of MLPClassifier"):
        sk.MLPClassifier(**kw, device="tpu").fit(X, y)


def test_fit_refuses_a_gpu_run_before_moving_the_model(monkeypatch):
    monkeypatch.setattr(backend, "cupy", lambda: RECORDING)
    X, _ = _data(40)
    model = nn.MLP([5, 3, 1], rng=0, dtype=np.float64)
    with pytest.raises(ValueError, match="without validation data"):
        gn.fit(model, X, X[:, :1], device="cuda", validation_split=0.2, epochs=1, verbose=0)
    assert all(type(p.data) is np.ndarray for p in model.parameters())  # it never moved
    h = gn.fit(model, X, X[:, :1], device="cuda", epochs=2, batch_size=8, verbose=0)
    assert h.engine == "fused" and all(type(p.data) is Recorded for p in model.parameters())


def test_an_optimizer_built_before_a_device_move_refuses_to_step():
    model = nn.MLP([5, 3, 1], rng=0, dtype=np.float64)
    opt = optim.SGD(model.parameters(), lr=0.1)
    _recorded(model)  # moved to "another library" after the optimizer packed the weights
    for p in model.parameters():
        p.grad = np.zeros_like(p.data)
    with pytest.raises(TypeError, match="moved to another device.*build the optimizer after"):
        opt.step()


def test_fit_refuses_to_move_a_model_whose_optimizer_stays_behind(monkeypatch):
    monkeypatch.setattr(backend, "cupy", lambda: RECORDING)
    X, _ = _data(32)
    model = nn.MLP([5, 3, 1], rng=0, dtype=np.float64)
    opt = optim.SGD(model.parameters(), lr=0.1)
    with pytest.raises(ValueError, match="build the optimizer after"):
        gn.fit(model, X, X[:, :1], optimizer=opt, device="cuda", epochs=1, verbose=0)
    assert all(type(p.data) is np.ndarray for p in model.parameters())  # nothing moved
    gn.fit(model, X, X[:, :1], optimizer=opt, device="cpu", epochs=1, verbose=0)  # no move


def test_predict_explain_and_model_files_of_a_model_on_the_device(tmp_path):
    """A model whose weights live in the other library predicts there (the input moved over,
    the output brought back as a NumPy array) and explains and saves the CPU's numbers
    (from host copies), and is left where it was; a file loads on the CPU."""
    from glassnet import io
    from glassnet.explain import explain

    X, rng = _data(12)
    cpu = nn.MLP([5, 4, 3], "tanh", "softmax", rng=0, dtype=np.float64)
    dev = _recorded(nn.MLP([5, 4, 3], "tanh", "softmax", rng=0, dtype=np.float64))
    gn.fit(cpu, X, rng.integers(0, 3, 12), loss="cross_entropy", epochs=2, verbose=0)
    for p, q in zip(dev.parameters(), cpu.parameters()):
        p.data[...] = q.data  # the trained weights, over there
    CALLS.clear()
    got = dev.predict(X)
    assert type(got) is np.ndarray and CALLS["matmul"] == 2  # computed over there
    np.testing.assert_array_equal(got, cpu.predict(X))
    np.testing.assert_array_equal(dev.predict(X.view(Recorded)), got)  # device inputs too
    assert all(type(p.data) is Recorded for p in dev.parameters())  # left where it was
    a, b = (
        explain(cpu, X[:2], [0, 2], "cross_entropy"),
        explain(dev, X[:2], [0, 2], "cross_entropy"),
    )
    for name in ("Z", "A", "dL_dZ", "grad_W"):
        for u, v in zip(getattr(a, name), getattr(b, name)):
            np.testing.assert_array_equal(u, v)
    assert str(a) == str(b)
    path = io.save_model(dev, tmp_path / "dev.glassnet")
    back = io.load_model(path)
    assert all(type(p.data) is np.ndarray for p in back.parameters())  # on the CPU
    for p, q in zip(back.parameters(), cpu.parameters()):
        np.testing.assert_array_equal(p.data, q.data)
    for p in dev.parameters():
        p.data[...] = 0.0
    io.load_weights(dev, path)  # into the device model: its arrays stay over there
    assert all(type(p.data) is Recorded for p in dev.parameters())
    for p, q in zip(dev.parameters(), cpu.parameters()):
        np.testing.assert_array_equal(p.data.view(np.ndarray), q.data)
    opt = optim.Adam(dev.parameters(), lr=0.01)  # a checkpoint: host copies of both states
    gn.fit(dev, X, rng.integers(0, 3, 12), loss="cross_entropy", optimizer=opt, epochs=1,
           batch_size=4, verbose=0)  # fmt: skip
    ck = io.load_checkpoint(io.save_checkpoint(tmp_path / "ck", dev.state_dict(), opt.state_dict()))
    m = opt.state_dict()["param_groups"][0]["m.0"].view(np.ndarray)
    np.testing.assert_array_equal(ck.optimizer_state["param_groups"][0]["m.0"], m)
    assert type(ck.optimizer_state["param_groups"][0]["m.0"]) is np.ndarray
    # resumed on the device: the host state goes onto the parameters' device, and training
    # on from it is training on from the optimizer that saved it
    opt2 = optim.Adam(dev.parameters(), lr=0.01)
    opt2.load_state_dict(ck.optimizer_state)
    assert all(type(b) is Recorded for p in opt2._packs for s in p.state for b in s.values())
    before = [p.data.view(np.ndarray).copy() for p in dev.parameters()]
    for o in (opt, opt2):
        for p, v in zip(dev.parameters(), before):
            p.data[...] = v
            p.grad = (p.data * 0.5).view(Recorded)
        o.step()
        if o is opt:
            after = [p.data.view(np.ndarray).copy() for p in dev.parameters()]
    for p, a in zip(dev.parameters(), after):
        np.testing.assert_array_equal(p.data.view(np.ndarray), a)


GRAPH_CASES = {  # name: (model, loss, targets, fit's other arguments)
    "dropout, cross-entropy on labels": (
        lambda: nn.MLP([5, 6, 3], "relu", "softmax", dropout=0.3, rng=0, dtype=np.float64),
        "cross_entropy", "labels", {"sample_weight": True, "l2": 0.01},
    ),
    "graph engine, mse, leaky relu": (
        lambda: nn.MLP([5, 6, 2], "leaky_relu", "identity", rng=0, dtype=np.float64),
        "mse", "values", {"engine": "graph"},
    ),
    "a callable loss, binary cross-entropy": (
        lambda: nn.MLP([5, 4, 1], "tanh", "sigmoid", rng=0, dtype=np.float64),
        lambda out, y: gn.functional.binary_cross_entropy(out, y), "binary", {},
    ),
    "dropout, cross-entropy on rows, float32": (
        lambda: nn.MLP([5, 6, 3], "sigmoid", "softmax", dropout=0.2, rng=0),
        "cross_entropy", "rows", {},
    ),
}  # fmt: skip


@pytest.mark.parametrize("case", list(GRAPH_CASES))
def test_the_graph_engine_trains_through_the_seam_bit_for_bit(case):
    """A model or loss the fast path does not take (dropout, a callable loss, engine='graph')
    trains on the autodiff graph, whose Tensor ops take the model's array library too:
    bit for bit the NumPy run's weights and losses, no plain NumPy array in any call."""
    make, loss, kind, extra = GRAPH_CASES[case]
    X, rng = _data(48)
    y = {
        "labels": rng.integers(0, 3, len(X)),
        "rows": np.eye(3)[rng.integers(0, 3, len(X))],
        "values": X[:, :2] * 0.5,
        "binary": (X[:, :1] > 0).astype(float),
    }[kind]
    kw = dict(loss=loss, optimizer="adam", lr=1e-2, epochs=3, batch_size=16, seed=2, verbose=0)
    kw.update({k: v for k, v in extra.items() if k != "sample_weight"})
    if extra.get("sample_weight"):
        kw["sample_weight"] = rng.uniform(0.5, 2.0, len(X))
    runs = []
    for recorded in (False, True):
        model = make()
        if recorded:
            _recorded(model)
        for m in model.modules():  # (each run's dropout draws the same masks)
            if isinstance(m, nn.Dropout):
                m.rng = np.random.default_rng(7)
        h = gn.fit(model, X.astype(model.parameters()[0].dtype), y, **kw)
        runs.append((h, [p.data.view(np.ndarray).copy() for p in model.parameters()], model))
    (h0, w0, _), (h1, w1, m1) = runs
    assert h1.engine == "graph" and all(type(p.data) is Recorded for p in m1.parameters())
    for a, b in zip(w0, w1):
        np.testing.assert_array_equal(a, b)
    assert h0.loss == h1.loss


def test_fit_on_a_numbered_gpu_says_what_to_do_as_model_to_does():
    model = nn.MLP([5, 2], rng=0)
    X, _ = _data(8)
    with pytest.raises(ValueError, match=r"Device\(n\)\.use\(\) and pass device='cuda'"):
        gn.fit(model, X, np.zeros((8, 2)), device="cuda:1", epochs=1, verbose=0)
    with pytest.raises(ValueError, match="cupy.cuda.Device"):
        model.to("cuda:1")  # (the same advice, in model.to's words)
    with pytest.raises(ValueError, match=r"must be 'cpu' \(NumPy\) or 'cuda' \(CuPy on an NVIDIA"):
        gn.fit(model, X, np.zeros((8, 2)), device="gpu", epochs=1, verbose=0)
    assert type(model.parameters()[0].data) is np.ndarray  # nothing moved
