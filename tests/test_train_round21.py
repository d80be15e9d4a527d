"""Round 21: fit's NumPy integers, the losses' NaN targets and bool weights, wrong
container types (random_split, DataLoader, fit), R^2 of text, the error state of the
caller's code inside fit, and fit's ``callbacks`` annotation."""

from __future__ import annotations

import warnings
from pathlib import Path

import numpy as np
import pytest

import glassnet as gn
from glassnet import data, metrics, nn, optim
from glassnet._validation import ParameterError

ROOT = Path(__file__).resolve().parent.parent


def _xy(n=20):
    X = np.random.default_rng(0).normal(size=(n, 2))
    return X, X[:, :1] * 2


def _net():
    gn.manual_seed(0)
    return nn.Sequential(nn.Linear(2, 3), nn.ReLU(), nn.Linear(3, 1))


# ------------------------------------------------ NumPy integers work as ints in fit
INTS = {
    "epochs": 5,
    "batch_size": 4,
    "initial_epoch": 3,
    "verbose": 0,
    "seed": 3,
    "max_steps": 7,
    "n_iter_no_change": 3,
    "threads": 1,
}


@pytest.mark.parametrize("kind", [np.int64, np.int32])
@pytest.mark.parametrize("name", list(INTS))
def test_a_numpy_integer_trains_as_the_python_int(kind, name):
    # initial_epoch=np.int64(3) trained, then the History was lost to a TypeError in its
    # message (a str times numpy's bool)
    X, y = _xy()
    kw = {"epochs": 5, "verbose": 0, "tol": 1e-4 if name == "n_iter_no_change" else None}
    given = gn.fit(_net(), X, y, **{**kw, name: kind(INTS[name])})
    plain = gn.fit(_net(), X, y, **{**kw, name: INTS[name]})
    assert given.loss == plain.loss
    assert given.message == plain.message
    assert repr(given) == repr(plain)
    assert type(given.epochs) is int and type(given.steps) is int


def test_numpy_integers_everywhere_at_once_and_the_state_sees_python_ints():
    X, y = _xy()
    seen = []
    h = gn.fit(
        _net(), X, y, epochs=np.int64(5), initial_epoch=np.int32(2), batch_size=np.int64(8),
        max_steps=np.int64(100), verbose=np.int64(0), seed=np.int64(1),
        callbacks=[lambda s: seen.append((type(s.epoch), s.epoch))],
    )  # fmt: skip
    assert h.message == "Stopped after 5 epochs (9 steps): reached the maximum number of epochs."
    assert seen == [(int, 3), (int, 4), (int, 5)]


# ----------------------------------- the regression losses refuse a NaN or inf target
REGRESSION = [nn.MSELoss, nn.L1Loss, nn.HuberLoss, nn.SmoothL1Loss]


@pytest.mark.parametrize("bad", [np.nan, np.inf, -np.inf])
@pytest.mark.parametrize("Loss", REGRESSION)
def test_a_regression_loss_refuses_a_non_finite_target_before_any_nan_reaches_the_weights(
    Loss, bad
):
    gn.manual_seed(0)
    m = nn.Linear(2, 1)
    o = optim.SGD(m.parameters(), lr=0.1)
    x = gn.tensor([[1.0, 2.0], [3.0, 4.0]])
    before = m.W.numpy().copy()
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # (no NumPy warning either)
        with pytest.raises(ValueError, match=rf"{Loss.__name__}: the target contains NaN or inf"):
            Loss()(m(x), gn.tensor([[1.0], [bad]]))
        with pytest.raises(ValueError, match=r"first at index \(1, 0\)"):  # a NumPy target
            Loss(reduction="none")(m(x), np.array([[1.0], [bad]]))
    o.step()
    np.testing.assert_array_equal(m.W.numpy(), before)


@pytest.mark.parametrize("Loss", REGRESSION)
def test_a_target_that_requires_grad_is_refused_too_and_a_finite_one_still_trains(Loss):
    x = gn.tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True)
    t = gn.tensor([[1.0], [np.nan]], requires_grad=True)
    with pytest.raises(ValueError, match="the target contains NaN or inf"):
        Loss()(x.sum(axis=1, keepdims=True), t)
    t = gn.tensor([[1.0], [2.0]], requires_grad=True)
    Loss()(x.sum(axis=1, keepdims=True), t).backward()
    assert np.isfinite(t.grad.numpy()).all() and np.isfinite(x.grad.numpy()).all()


def test_probability_rows_and_kl_targets_refuse_nan_as_well():
    x = gn.tensor([[1.0, -2.0, 3.0], [0.5, 0.1, -1.0]])
    rows = np.array([[np.nan, 0.5, 0.5], [0.0, 1.0, 0.0]])
    for loss in (nn.CrossEntropyLoss(), nn.NLLLoss()):
        with pytest.raises(ValueError, match="the target contains NaN or inf"):
            loss(x, rows)
    with pytest.raises(ValueError, match="KLDivLoss: the target"):
        nn.KLDivLoss(reduction="batchmean", log_target=True)(x, rows)  # (was 1.47, the NaN dropped)
    with pytest.raises(ValueError, match="KLDivLoss: the target"):
        nn.KLDivLoss(reduction="batchmean")(x, np.abs(np.nan_to_num(rows, nan=np.inf)))
    # a log-probability -inf is a probability 0: taken
    with np.errstate(divide="ignore"):
        lt = np.log(np.array([[0.0, 0.5, 0.5], [0.0, 1.0, 0.0]]))
        assert np.isfinite(nn.KLDivLoss(reduction="batchmean", log_target=True)(x, lt).item())


# --------------------------------------------------- bool weights are no weights
@pytest.mark.parametrize(
    "make",
    [
        lambda: nn.BCEWithLogitsLoss(weight=True),
        lambda: nn.BCEWithLogitsLoss(pos_weight=True),
        lambda: nn.BCEWithLogitsLoss(pos_weight=np.bool_(True)),
        lambda: nn.BCELoss(weight=[True, False, True]),
        lambda: nn.CrossEntropyLoss(weight=np.array([True, False, True])),
        lambda: nn.NLLLoss(weight=np.array([True, False, True])),
    ],
)
def test_a_bool_loss_weight_is_refused(make):
    with pytest.raises(TypeError, match=r"weight' holds bools .*PyTorch refuses"):
        make()


def test_number_weights_still_work():
    x = gn.tensor([[1.0, -2.0, 3.0], [0.5, 0.1, -1.0]])
    t = gn.tensor([[1.0, 0.0, 1.0], [0.0, 1.0, 1.0]])
    plain = nn.BCEWithLogitsLoss()(x, t).item()
    assert nn.BCEWithLogitsLoss(weight=1.0, pos_weight=np.ones(3))(x, t).item() == plain


# ------------------------------------------------- wrong container types: named
def test_random_split_of_one_number_names_lengths():
    ds = data.TensorDataset(np.zeros((5, 2)))
    for lengths in (3, 0.5, None, np.array(5)):
        with pytest.raises(ParameterError, match=r"random_split: lengths must be a list"):
            data.random_split(ds, lengths)
    assert [len(s) for s in data.random_split(ds, np.array([2, 3]))] == [2, 3]


def test_dataloader_sampler_of_a_0d_array_and_num_workers_of_an_array():
    ds = data.TensorDataset(np.zeros((5, 2)))
    for name in ("sampler", "batch_sampler"):
        with pytest.raises(ParameterError, match=rf"'{name}' parameter of DataLoader"):
            data.DataLoader(ds, **{name: np.array(2)})
    for workers in (np.array([1, 2]), np.array([0, 0]), np.bool_(False)):
        with pytest.raises(ParameterError, match="'num_workers' parameter of DataLoader"):
            data.DataLoader(ds, num_workers=workers)
    assert len(list(data.DataLoader(ds, num_workers=np.int64(0), batch_size=2))) == 3


def test_fit_diagnostics_and_stop_rules_of_arrays_are_named():
    X, y = _xy(8)
    with pytest.raises(TypeError, match=r"fit\(diagnostics=.*moved to a callback"):
        gn.fit(_net(), X, y, epochs=1, verbose=0, diagnostics=np.array([True, False]))
    for name in ("stop_rules", "callbacks"):
        with pytest.raises(TypeError, match=rf"fit: {name} must be a glassnet Callback"):
            gn.fit(_net(), X, y, epochs=1, verbose=0, **{name: np.array(2)})


# ------------------------------------------------------- R^2 of numbers as text
@pytest.mark.parametrize("fn", [metrics.r2_score, metrics.r2_per_output])
def test_r2_refuses_numbers_written_as_text_as_fit_does(fn):
    with pytest.raises(ValueError, match=r"y_true must be numeric. It holds text \(dtype <U1\)"):
        fn(["1", "2", "3"], [1, 2, 3.5])
    with pytest.raises(ValueError, match=r"y_pred must be numeric. It holds text"):
        fn([1, 2, 3], np.array(["1", 2, 3.5], dtype=object))
    with pytest.raises(ValueError, match=r"sample_weight must be numeric. It holds text"):
        metrics.r2_score([1, 2, 3], [1, 2, 3.5], sample_weight=["1", "1", "1"])
    assert metrics.r2_score([1, 2, 3], [1, 2, 3.5]) == pytest.approx(0.875)


# ---------------------------------------- the caller's code runs under the caller's errstate
class _Seen(gn.Callback):
    def __init__(self):
        self.errs = {}

    def on_train_begin(self, state):
        self.errs["begin"] = np.geterr()

    def on_step_end(self, state):
        self.errs["step"] = np.geterr()

    def on_epoch_end(self, state):
        self.errs["epoch"] = np.geterr()
        np.log(np.zeros(1))

    def on_train_end(self, state):
        self.errs["end"] = np.geterr()


@pytest.mark.parametrize("engine", ["auto", "graph"])
def test_callbacks_run_under_the_callers_error_state(engine):
    X, y = _xy(16)
    cb = _Seen()
    with np.errstate(divide="warn", over="raise", invalid="warn", under="ignore"):
        caller = np.geterr()
        with warnings.catch_warnings(record=True) as w:
            warnings.simplefilter("always")
            gn.fit(_net(), X, y, epochs=2, verbose=0, callbacks=[cb], engine=engine)
        assert np.geterr() == caller
    assert cb.errs == dict.fromkeys(("begin", "step", "epoch", "end"), caller)
    logs = [str(x.message) for x in w if issubclass(x.category, RuntimeWarning)]
    assert logs == ["divide by zero encountered in log"] * 2


def test_a_loss_function_of_the_users_and_its_validation_score_see_the_callers_state():
    X, y = _xy(20)
    seen = []

    def loss(out, target):
        seen.append(np.geterr()["divide"])
        return ((out - gn.tensor(target)) ** 2).mean()

    with np.errstate(divide="raise"):
        gn.fit(_net(), X, y, loss=loss, epochs=2, verbose=0, validation_split=0.25)
    assert seen and set(seen) == {"raise"}


def test_fit_still_silences_its_own_overflow_on_the_way_to_a_divergence():
    X, y = _xy(20)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with pytest.raises(gn.DivergenceError):
            gn.fit(_net(), X * 1e3, y * 1e6, epochs=50, lr=10.0, verbose=0)
        with pytest.raises(gn.DivergenceError):  # (a callback's code: under the caller's)
            gn.fit(
                _net(), X * 1e3, y * 1e6, epochs=50, lr=10.0, verbose=0, callbacks=[lambda s: None]
            )


def test_fits_own_weight_change_rule_is_silent_on_the_way_to_a_divergence_too():
    # tol_weights' rule is fit's, not the caller's: ||dw|| of float32 weights blown up by
    # lr = 1e6 overflows in its squares, which must not warn (an error under -W error), also
    # where a callback of the caller's runs (the rules then run under the caller's state)
    X = np.random.default_rng(0).normal(size=(7, 2)).astype(np.float32)
    y = (X[:, :1] > 0).astype(np.float32)
    for kw in ({}, {"callbacks": [lambda s: None]}):
        net = nn.MLP([2, 2, 1], activation="sigmoid", output_activation="sigmoid", rng=0)
        opt = optim.SGD(net.parameters(), lr=1e6, momentum=0.9)
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            try:
                gn.fit(net, X, y, loss="binary_cross_entropy", optimizer=opt, epochs=1,
                       batch_size=2, shuffle=False, tol_weights=1e-3, l2=0.3, verbose=0,
                       **kw)  # fmt: skip
            except gn.DivergenceError:
                pass


# ------------------------------------------------------- fit(callbacks=f): typed
SCRIPT = """\
import glassnet as gn
from glassnet.train import TrainState

def stop_at_3(state: TrainState) -> bool:
    return state.epoch >= 3

model = gn.nn.Sequential(gn.nn.Linear(2, 1))
gn.fit(model, [[0.0, 1.0]], [[1.0]], callbacks=stop_at_3)
gn.fit(model, [[0.0, 1.0]], [[1.0]], callbacks=[stop_at_3, gn.Callback()])
gn.fit(model, [[0.0, 1.0]], [[1.0]], callbacks=gn.Callback())
gn.fit(model, [[0.0, 1.0]], [[1.0]], callbacks=3)
"""


def test_mypy_takes_one_function_as_callbacks(mypy):
    errors, stdout, script = mypy(SCRIPT)
    errors = [line.split(": error:")[0] for line in errors]
    assert errors == [f"{script}:11"], stdout  # (callbacks=3 alone)
