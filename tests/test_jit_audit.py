"""fit(engine="jit") against fit's NumPy path, option by option.

Each option fit accepts is run twice from the same weights and seed, once through the
compiled loop (``engine="jit"``) and once through the NumPy path (``engine="fused"``), and
the two runs must agree: weights, the optimizer's state, History's losses, learning rates,
stop_reason, step, sample and epoch counts, best epoch (float64 to 1e-10, float32 to 1e-5,
relative to each array's largest value; tests/test_jit.py says why not 0). An option the
compiled loop cannot honour must be refused with a ValueError that names it, never ignored.

The networks are tiny (3-5-2) and the runs a few epochs: the kernels compile once per
dtype (cached on disk afterwards), so the whole module takes a few seconds.
"""

from __future__ import annotations

import copy
import math

import numpy as np
import pytest

pytest.importorskip("numba", reason='glassnet.jit needs numba: pip install -e ".[jit]"')

import glassnet as gn  # noqa: E402
from glassnet import jit, nn, optim, schedules  # noqa: E402
from glassnet.fused import FastMLP, layers_of  # noqa: E402

F32, F64 = np.float32, np.float64
TOL = {F32: 1e-5, F64: 1e-10}
N = 12  # rows: batch sizes 4 (divides), 5 (does not), 1 (one row a step)


def _mlp(sizes=(3, 5, 2), act="tanh", out="identity", dt=F64, **kw) -> nn.MLP:
    return nn.MLP(list(sizes), activation=act, output_activation=out, rng=0, dtype=dt, **kw)


def _data(kind="values", outputs=2, dt=F64):
    rng = np.random.default_rng(1)
    X = rng.standard_normal((N, 3)).astype(dt)
    if kind == "labels":
        return X, rng.integers(0, outputs, N)
    if kind == "rows":
        P = rng.random((N, outputs))
        return X, (P / P.sum(axis=1, keepdims=True)).astype(dt)
    if kind == "binary":
        return X, (rng.random((N, outputs)) > 0.5).astype(dt)
    return X, rng.standard_normal((N, outputs)).astype(dt)


def _fit(model, X, y, engine, make_opt=None, make_schedule=None, **kw):
    """fit on a copy of ``model``; returns (model, optimizer, history or DivergenceError)."""
    model = copy.deepcopy(model)
    opt = make_opt(model) if make_opt else optim.SGD(model.parameters(), lr=kw.pop("lr", 0.05))
    if make_schedule:
        kw["schedule"] = make_schedule(opt)
    kw = {"epochs": 6, "verbose": 0, "seed": 0, **kw}
    try:
        return model, opt, gn.fit(model, X, y, optimizer=opt, engine=engine, **kw)
    except gn.DivergenceError as e:
        return model, opt, e


def _close(a, b, dt, what):
    a, b = np.asarray(a, np.float64), np.asarray(b, np.float64)
    assert a.shape == b.shape, f"{what}: shapes {a.shape} and {b.shape}"
    assert np.array_equal(np.isfinite(a), np.isfinite(b)), what
    a, b = a[np.isfinite(a)], b[np.isfinite(b)]
    scale = max(float(np.abs(b).max(initial=0.0)), np.finfo(dt).tiny)
    err = float(np.abs(a - b).max(initial=0.0)) / scale
    assert err <= TOL[dt], f"{what}: relative difference {err:.3g} > {TOL[dt]:g}"


def _same_run(model, X, y, make_opt=None, make_schedule=None, **kw):
    """The compiled loop's run equals the NumPy path's (and it was the compiled loop)."""
    dt = model.parameters()[0].data.dtype.type
    ma, oa, ha = _fit(model, X, y, "fused", make_opt, make_schedule, **dict(kw))
    mb, ob, hb = _fit(model, X, y, "jit", make_opt, make_schedule, **dict(kw))
    assert type(ha) is type(hb), (ha, hb)
    if isinstance(ha, Exception):  # a divergence: the same message, the same books
        assert str(ha) == str(hb)
        ha, hb = ha.history, hb.history
    assert hb.engine == "jit" and ha.engine == "fused"
    for (name, p), q in zip(ma.named_parameters(), mb.parameters()):
        _close(p.data, q.data, dt, name)
    if not isinstance(oa, str):  # (an optimizer by name: fit's own, not seen here)
        sa, sb = oa.state_dict(), ob.state_dict()
        assert sa["t"] == sb["t"]
        ga, gb = sa["param_groups"][0], sb["param_groups"][0]
        for k in ga:
            if isinstance(ga[k], np.ndarray) and ga[k].dtype.kind == "f":
                _close(ga[k], gb[k], dt, k)
            else:
                assert np.array_equal(ga[k], gb[k]), k
    _close(ha.loss, hb.loss, dt, "history.loss")
    _close(ha.lr, hb.lr, dt, "history.lr")
    for k in ("stop_reason", "steps", "samples_seen", "epochs", "best_epoch", "warnings"):
        assert getattr(ha, k) == getattr(hb, k), k
    assert math.isclose(ha.best_loss, hb.best_loss, rel_tol=TOL[dt]) or ha.best_loss is None
    return ha


def _sgd(**kw):
    return lambda m: optim.SGD(m.parameters(), **{"lr": 0.05, **kw})


def _adam(cls=optim.Adam, **kw):
    return lambda m: cls(m.parameters(), **{"lr": 0.01, **kw})


def _warm(make_opt, batch_size):
    """An optimizer that has trained two epochs on the NumPy path already."""

    def make(m):
        opt = make_opt(m)
        X, y = _data()
        gn.fit(
            m,
            X,
            y,
            optimizer=opt,
            epochs=2,
            batch_size=batch_size,
            verbose=0,
            seed=3,
            engine="fused",
        )
        return opt

    return make


def _leaky(alpha, out_alpha=None):
    first, second = nn.Linear(3, 5, rng=0, dtype=F64), nn.Linear(5, 2, rng=1, dtype=F64)
    tail = [nn.LeakyReLU(out_alpha)] if out_alpha else []
    return nn.Sequential(first, nn.LeakyReLU(alpha), second, *tail)


_X, _Y = _data()
_XL, _YL = _data("labels", 3)
_XB, _YB = _data("binary", 1)
_W = np.linspace(0.5, 2.0, N)

# (id, model, X, y, keyword arguments of _same_run): full batch unless batch_size is given
RUNS = [
    ("full batch", _mlp(), _X, _Y, {}),
    ("batch 4", _mlp(), _X, _Y, {"batch_size": 4}),
    ("batch 5 (not dividing the rows)", _mlp(), _X, _Y, {"batch_size": 5}),
    ("batch 1", _mlp(), _X, _Y, {"batch_size": 1}),
    ("shuffle=False", _mlp(), _X, _Y, {"batch_size": 5, "shuffle": False}),
    ("seed=7", _mlp(), _X, _Y, {"batch_size": 4, "seed": 7}),
    ("max_steps mid-epoch", _mlp(), _X, _Y, {"batch_size": 5, "max_steps": 7}),
    ("max_steps at an epoch's end", _mlp(), _X, _Y, {"batch_size": 4, "max_steps": 6}),
    ("max_steps full batch", _mlp(), _X, _Y, {"max_steps": 4}),
    ("max_steps and tol", _mlp(), _X, _Y, {"max_steps": 5, "tol": 10.0, "n_iter_no_change": 5}),
    ("tol full batch", _mlp(), _X, _Y, {"tol": 0.1, "n_iter_no_change": 2, "epochs": 50}),
    (
        "tol mini-batch",
        _mlp(),
        _X,
        _Y,
        {"batch_size": 4, "tol": 0.1, "n_iter_no_change": 2, "epochs": 50},
    ),
    ("initial_epoch", _mlp(), _X, _Y, {"batch_size": 4, "initial_epoch": 2}),
    ("sample_weight full batch", _mlp(), _X, _Y, {"sample_weight": _W}),
    ("sample_weight batch 5", _mlp(), _X, _Y, {"batch_size": 5, "sample_weight": _W}),
    ("l2 full batch", _mlp(), _X, _Y, {"l2": 0.3}),
    ("l2 batch 5", _mlp(), _X, _Y, {"batch_size": 5, "l2": 0.3, "sample_weight": _W}),
    (
        "schedule mini-batch",
        _mlp(),
        _X,
        _Y,
        {
            "batch_size": 4,
            "make_opt": _sgd(),
            "make_schedule": lambda o: schedules.StepLR(o, 2, 0.5),
        },
    ),
    (
        "adaptive schedule",
        _mlp(),
        _X,
        _Y,
        {"batch_size": 4, "make_opt": _sgd(), "make_schedule": lambda o: schedules.AdaptiveLR(o)},
    ),
    ("momentum", _mlp(), _X, _Y, {"batch_size": 4, "make_opt": _sgd(momentum=0.9)}),
    ("dampening", _mlp(), _X, _Y, {"batch_size": 4, "make_opt": _sgd(momentum=0.9, dampening=0.3)}),
    (
        "nesterov, weight_decay",
        _mlp(),
        _X,
        _Y,
        {"batch_size": 4, "make_opt": _sgd(momentum=0.9, nesterov=True, weight_decay=0.01)},
    ),
    (
        "scikit-learn momentum",
        _mlp(),
        _X,
        _Y,
        {"make_opt": _sgd(momentum=0.9, nesterov=True, style="sklearn")},
    ),
    (
        "momentum changed in param_groups",
        _mlp(),
        _X,
        _Y,
        {
            "batch_size": 4,
            "make_opt": lambda m: (
                o := optim.SGD(m.parameters(), lr=0.5, momentum=0.9),
                o.param_groups[0].update(momentum=0.5, lr=0.02),
            )[0],
        },
    ),
    (
        "adam amsgrad weight_decay",
        _mlp(),
        _X,
        _Y,
        {
            "batch_size": 4,
            "make_opt": _adam(amsgrad=True, weight_decay=0.01, betas=(0.5, 0.9), eps=1e-3),
        },
    ),
    ("adamw full batch", _mlp(), _X, _Y, {"make_opt": _adam(optim.AdamW, weight_decay=0.1)}),
    ("adam by name", _mlp(), _X, _Y, {"batch_size": 4, "make_opt": lambda m: "adam", "lr": 0.01}),
    ("warm adam", _mlp(), _X, _Y, {"batch_size": 4, "make_opt": _warm(_adam(), 4)}),
    ("warm momentum full batch", _mlp(), _X, _Y, {"make_opt": _warm(_sgd(momentum=0.9), None)}),
    ("float32", _mlp(dt=F32), *_data(dt=F32), {"batch_size": 5, "sample_weight": _W, "l2": 0.2}),
    ("float32 full batch adam", _mlp(dt=F32), *_data(dt=F32), {"make_opt": _adam()}),
    ("float64 model, float32 data", _mlp(), *_data(dt=F32), {"batch_size": 4}),
    ("sigmoid", _mlp(act="sigmoid"), _X, _Y, {"batch_size": 4}),
    ("relu", _mlp(act="relu"), _X, _Y, {"batch_size": 4}),
    ("identity", _mlp(act="identity"), _X, _Y, {"batch_size": 4}),
    ("leaky_relu", _mlp(act="leaky_relu"), _X, _Y, {"batch_size": 4}),
    ("leaky_relu slope 0.3", _leaky(0.3), _X, _Y, {"batch_size": 4}),
    ("leaky_relu output slope 0.2", _leaky(0.3, 0.2), _X, _Y, {}),
    ("tanh output, mse", _mlp(out="tanh"), _X, _Y, {"batch_size": 4}),
    ("half_mse", _mlp(), _X, _Y, {"batch_size": 4, "loss": "half_mse"}),
    ("lecture", _mlp(), _X, _Y, {"batch_size": 4, "loss": "lecture"}),
    (
        "binary_cross_entropy",
        _mlp((3, 5, 1), out="sigmoid"),
        _XB,
        _YB,
        {"batch_size": 4, "loss": "binary_cross_entropy"},
    ),
    ("bce, 1-d y", _mlp((3, 5, 1), out="sigmoid"), _XB, _YB[:, 0], {"loss": "bce"}),
    (
        "bce with logits",
        _mlp((3, 5, 1)),
        _XB,
        _YB,
        {"batch_size": 4, "loss": "binary_cross_entropy_with_logits", "sample_weight": _W},
    ),
    ("mse on a sigmoid output", _mlp((3, 5, 1), out="sigmoid"), _XB, _YB, {"batch_size": 4}),
    (
        "cross_entropy softmax labels",
        _mlp((3, 5, 3), out="softmax"),
        _XL,
        _YL,
        {"batch_size": 5, "loss": "cross_entropy", "sample_weight": _W},
    ),
    ("cross_entropy logits, l2", _mlp((3, 5, 3)), _XL, _YL, {"loss": "ce", "l2": 0.5}),
    (
        "cross_entropy one-hot",
        _mlp((3, 5, 3), out="softmax"),
        _XL,
        np.eye(3)[_YL],
        {"batch_size": 4, "loss": "cross_entropy"},
    ),
    (
        "cross_entropy probability rows",
        _mlp((3, 5, 3)),
        *_data("rows", 3),
        {"batch_size": 4, "loss": "cross_entropy"},
    ),
    (
        "mse on a softmax output",
        _mlp((3, 5, 3), out="softmax"),
        _XL,
        np.eye(3)[_YL],
        {"batch_size": 4},
    ),
    (
        "no bias",
        nn.Sequential(
            nn.Linear(3, 5, bias=False, rng=0, dtype=F64),
            nn.Tanh(),
            nn.Linear(5, 2, rng=1, dtype=F64),
        ),
        _X,
        _Y,
        {"batch_size": 4},
    ),
    ("verbose=2 mini-batch", _mlp(), _X, _Y, {"batch_size": 4, "verbose": 2}),
    (
        "divergence mini-batch",
        _mlp(),
        _X * 1e3,
        _Y,
        {"batch_size": 5, "lr": 1e3, "epochs": 30, "sample_weight": _W},
    ),
]


@pytest.mark.parametrize("model, X, y, kw", [r[1:] for r in RUNS], ids=[r[0] for r in RUNS])
def test_jit_run_equals_the_numpy_run(model, X, y, kw):
    _same_run(model, X, y, **kw)


class _StepHook(gn.train.Callback):
    def on_step_end(self, state):
        pass


def _frozen(m):
    m.parameters()[0].requires_grad = False
    return optim.SGD(m.parameters(), lr=0.05)


def _two_groups(m):
    ps = m.parameters()
    return optim.SGD([{"params": ps[:2]}, {"params": ps[2:], "lr": 0.1}], lr=0.05)


def _uneven_steps(m):
    opt = optim.Adam(m.parameters(), lr=1e-3)
    m.parameters()[0].grad = np.ones_like(m.parameters()[0].data)
    opt.step()
    return opt


# (id, model, fit's keyword arguments, words the error must hold: what was given, what to do)
REFUSED = [
    (
        "schedule full batch",
        _mlp(),
        {"make_schedule": lambda o: schedules.StepLR(o, 2, 0.5)},
        ["schedule"],
    ),
    ("verbose=2 full batch", _mlp(), {"verbose": 2}, ["verbose"]),
    ("callbacks", _mlp(), {"callbacks": [lambda s: None]}, ["callbacks"]),
    ("on_step_end", _mlp(), {"callbacks": [_StepHook()], "batch_size": 4}, ["on_step_end"]),
    ("validation_split", _mlp(), {"validation_split": 0.25}, ["validation"]),
    ("validation_data", _mlp(), {"validation_data": (_X, _Y)}, ["validation"]),
    ("early_stopping", _mlp(), {"early_stopping": True, "batch_size": 4}, ["early stopping"]),
    (
        "stop_rules",
        _mlp(),
        {"stop_rules": [gn.train.Tolerance(None, 10)], "batch_size": 4},
        ["stop_rules"],
    ),
    ("tol_weights", _mlp(), {"tol_weights": 1e-3}, ["tol_weights"]),
    ("RMSprop", _mlp(), {"make_opt": lambda m: optim.RMSprop(m.parameters())}, ["RMSprop"]),
    ("frozen parameter", _mlp(), {"make_opt": _frozen}, ["frozen", "layer 1's W is"]),
    ("two param groups", _mlp(), {"make_opt": _two_groups}, ["one param group", "it has 2"]),
    (
        "parameters at different step counts",
        _mlp(),
        {"make_opt": _uneven_steps},
        ["different numbers of steps", "[0, 1]"],
    ),
    ("dropout", _mlp(dropout=0.2), {"batch_size": 4}, ["graph"]),
]


# (early stopping's 0.1 split of these 8 rows holds out 1, which fit says has no R^2)
@pytest.mark.filterwarnings("ignore::glassnet.metrics.UndefinedMetricWarning")
@pytest.mark.parametrize("model, kw, words", [r[1:] for r in REFUSED], ids=[r[0] for r in REFUSED])
def test_jit_refuses_what_it_cannot_honour_and_says_which(model, kw, words):
    with pytest.raises(ValueError, match="engine='jit'") as e:
        _fit(model, _X, _Y, "jit", **kw)
    for word in words:
        assert word in str(e.value), (word, str(e.value))


def test_why_not_says_what_the_optimizer_holds():
    net = _mlp()
    fast = FastMLP(layers_of(net, training=True), "mse")
    ps = net.parameters()
    assert "it holds 2, 2 of the network's 4" in jit.why_not(fast, optim.SGD(ps[:2], lr=0.1))
    other = _mlp().parameters()
    assert "it holds 4, 0 of the network's 4" in jit.why_not(fast, optim.SGD(other, lr=0.1))
    ps[1].requires_grad = ps[3].requires_grad = False
    assert "layer 1's b, layer 2's b are frozen" in jit.why_not(fast, optim.SGD(ps, lr=0.1))


@pytest.mark.parametrize("run", ["full", "epoch"])
def test_a_snapshot_that_does_not_fit_the_network_is_refused_before_any_step(run):
    """A snapshot array of another shape took the first values of its parameter (or a
    pair naming no parameter of the network failed after the weights had moved)."""
    net = _mlp()
    fast = FastMLP(layers_of(net, training=True), "mse")
    opt = optim.SGD(net.parameters(), lr=0.1)
    W = net.parameters()[0]
    before = W.data.copy()
    bad = [
        ([(W, np.zeros(3))], "shape"),
        ([(W, W.data.astype(F32))], "dtype"),
        ([(_mlp().parameters()[0], W.data.copy())], "not one of the network's parameters"),
    ]
    for snapshot, words in bad:
        with pytest.raises(ValueError, match=words):
            if run == "full":
                jit.run_full_batch(fast, opt, _X, _Y, None, 70, snapshot=snapshot)
            else:
                jit.run_epoch(fast, opt, _X, _Y, None, None, 1, step0=60, snapshot=snapshot)
        np.testing.assert_array_equal(W.data, before)
        assert opt.t == 0
    keep = W.data.copy()
    jit.run_epoch(fast, opt, _X, _Y, None, None, 1, step0=60, snapshot=[(W, keep)])
    assert not np.array_equal(keep, before)  # the 64th step's weights


def test_the_compiled_runs_check_their_data_and_rule_state_and_say_what_is_wrong():
    """w negative or NaN trained on (a NaN weight as a 'diverged' run), text w raised NumPy's
    own error, y of complex numbers was said to have the wrong shape (its shape was right),
    an X of the wrong rank was 'batch_size larger than the number of samples (0)', and a
    NaN best (or a negative count) of the tolerance rule passed."""
    net = _mlp()
    fast = FastMLP(layers_of(net, training=True), "mse")
    opt = optim.SGD(net.parameters(), lr=0.1)
    before = [p.data.copy() for p in net.parameters()]

    def full(**kw):
        return jit.run_full_batch(fast, opt, **{"X": _X, "y": _Y, "epochs": 3, **kw})

    def epoch(**kw):
        return jit.run_epoch(
            fast, opt, **{"X": _X, "y": _Y, "w": None, "order": None, "batch_size": 4, **kw}
        )

    cases = [
        (full, {"w": -_W}, "w must hold 12 non-negative"),
        (epoch, {"w": np.full(N, np.nan)}, "w contains NaN"),
        (full, {"w": np.array(["a"] * N)}, "w must be numeric"),
        (epoch, {"y": _Y.astype(complex)}, "y has complex values"),
        (full, {"y": np.where(_Y > 0.5, np.inf, _Y)}, "y contains NaN or inf"),
        (epoch, {"X": _X[None]}, "X must have 2 dimensions"),
        (epoch, {"X": _X[0]}, "X must have 2 dimensions"),
        (full, {"tol": 0.1, "best": float("nan")}, "best must be a number"),
        (full, {"tol": 0.1, "bad": -1}, "'bad'"),
    ]
    for run, kw, words in cases:
        with pytest.raises(ValueError, match=words):
            run(**kw)
    for p, b in zip(net.parameters(), before):
        np.testing.assert_array_equal(p.data, b)
    assert opt.t == 0


def test_warmup_takes_one_dtype_or_several_and_refuses_others():
    """warmup("float32") compiled for the letters of the string ('f', 'l', ...), failing
    in MLP on 'l'; a dtype the loop has no kernels for is named."""
    assert list(jit.warmup("float64")) == ["float64"]
    assert list(jit.warmup(F64)) == ["float64"]
    for bad in (np.float16, ["float64", "int64"], ["nope"]):
        with pytest.raises(ValueError, match="warmup: dtypes must be float32 and/or float64"):
            jit.warmup(bad)


def test_the_compile_commands_refuse_arguments_they_do_not_take():
    """python -m glassnet.jit ignored its arguments (a mistyped 'glassnet jit --x' went
    unnoticed); glassnet jit refuses them through argparse."""
    import subprocess
    import sys

    for cmd in (["-m", "glassnet.jit", "--float32"], ["-m", "glassnet", "jit", "extra"]):
        r = subprocess.run([sys.executable, *cmd], capture_output=True, text=True, timeout=120)
        assert r.returncode != 0, cmd
        assert "kernels ready" not in r.stdout, cmd
        assert "--float32" in r.stderr or "extra" in r.stderr, r.stderr


def test_auto_never_hands_a_run_to_the_compiled_loop(monkeypatch):
    """engine='auto' took the compiled loop where jit.use said (a long run of a small
    network): its numbers are the NumPy path's to rounding only, so a resumed run, a
    callback or verbose=2 (each keeping the run on NumPy) changed the weights. Now only
    engine='jit' takes it; the runs jit.use would take stay on the NumPy path."""
    monkeypatch.setattr(jit, "MIN_STEPS_COLD", 200)  # the rule's threshold, made short
    rng = np.random.default_rng(2)
    X, y = rng.standard_normal((128, 3)), rng.standard_normal((128, 2))

    def run(**kw):
        return gn.fit(_mlp(), X, y, **{"verbose": 0, "seed": 0, "lr": 0.01, **kw})

    for kw in ({"epochs": 200}, {"epochs": 7, "batch_size": 4}):
        assert run(**kw).engine == "fused", kw
        assert run(engine="jit", **kw).engine == "jit", kw


def test_docs_list_what_engine_jit_refuses_and_what_it_takes():
    """docs/jit.md said the compiled path took 'no progress line' (a mini-batch run takes
    verbose=2) and left out early_stopping and stop_rules, which it refuses."""
    from pathlib import Path

    doc = (Path(__file__).resolve().parents[1] / "docs" / "jit.md").read_text()
    text = " ".join(doc.split())
    assert "and no progress line" not in text
    refused = ["callbacks", "on_step_end", "validation_split", "validation_data"]
    refused += ["early_stopping", "stop_rules", "tol_weights", "schedule", "verbose=2"]
    taken = ["sample_weight", "l2", "max_steps", "shuffle", "seed", "initial_epoch"]
    for name in refused + taken:
        assert f"`{name}`" in text, name
    assert "dropout" in text and "RMSprop" in text and "frozen" in text


@pytest.mark.parametrize("bad", [0, -4, 2.5, True, "32", None])
@pytest.mark.parametrize("name", ["is_small", "use", "supported"])
def test_the_size_rule_refuses_a_batch_size_that_is_not_rows_per_step(name, bad):
    """is_small(fast, 0), (fast, -4), (fast, 2.5) and (fast, True) answered True (a network
    'small enough' for batches of no rows), a str or None raised Python's '<=' not
    supported; use and supported, which apply the rule, answered False."""
    net = _mlp()
    fast = FastMLP(layers_of(net, training=True), "mse")
    opt = optim.SGD(net.parameters(), lr=0.1)
    call = {
        "is_small": lambda b: jit.is_small(fast, b),
        "use": lambda b: jit.use(fast, opt, b, 10**6),
        "supported": lambda b: jit.supported(fast, opt, b),
    }[name]
    if name == "supported" and bad is None:  # (no batch_size: the size rule is not asked)
        assert call(bad)
        return
    # (a bool's message goes on to say why: "Got True: a bool is not taken as a number")
    words = rf"'batch_size' parameter of {name} must be an int > 0\. Got {bad!r}[.:]"
    with pytest.raises(ValueError, match=words):
        call(bad)
    assert call(np.int64(4)) and call(4)


# (run_epoch's refusal of an order that is no permutation: tests/test_eager_cases.py, for
# the eager, captured and compiled loops alike)
