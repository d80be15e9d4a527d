"""A Python resume from a saved checkpoint goes on as the unbroken run: the stop rules'
books (state_dict/load_state_dict, saved with gn.save) and an int seed's shuffle order."""

import copy
import pickle

import numpy as np
import pytest

import glassnet as gn
from glassnet import nn, optim
from glassnet.train import EarlyStopping, Tolerance, WeightChange

rng = np.random.default_rng(0)
X = rng.normal(size=(300, 5))
Y = (X[:, 0] * X[:, 1] > 0).astype(float)
XV = rng.normal(size=(100, 5))
YV = (XV[:, 0] * XV[:, 1] > 0).astype(float)
EACH = lambda e: np.random.default_rng([0, 0, e])  # noqa: E731
RUN = dict(loss="binary_cross_entropy", batch_size=16, seed=EACH, verbose=0)


def weights(m):
    return np.concatenate([p.data.ravel() for p in m.parameters()])


def make(lr=0.03):
    m = nn.MLP([5, 32, 1], activation="relu", output_activation="sigmoid", rng=0, dtype="float64")
    return m, optim.Adam(m.parameters(), lr=lr)


def unbroken(rule, **kw):
    m, o = make()
    h = gn.fit(m, X, Y, optimizer=o, epochs=60, stop_rules=[rule], **RUN, **kw)
    return h, weights(m)


def first_part(rule, k, **kw):
    m, o = make()
    gn.fit(m, X, Y, optimizer=o, epochs=k, stop_rules=[rule], **RUN, **kw)
    return m, o


def resumed(m, o, rule, k, **kw):
    """The run resumed at epoch k in new objects, from the states of m, o."""
    m2, o2 = make()
    m2.load_state_dict(m.state_dict())
    o2.load_state_dict(o.state_dict())
    h = gn.fit(m2, X, Y, optimizer=o2, epochs=60, initial_epoch=k, stop_rules=[rule], **RUN, **kw)
    return h, weights(m2)


def test_early_stopping_resumed_from_files_stops_where_the_unbroken_run_does(tmp_path):
    h, full = unbroken(EarlyStopping(1e-4, 4), validation_data=(XV, YV))
    assert h.stop_reason == "early_stopping" and h.epochs < 60
    k = h.epochs - 2
    r = EarlyStopping(1e-4, 4)
    m, o = first_part(r, k, validation_data=(XV, YV))
    ck = {"model": m.state_dict(), "opt": o.state_dict(), "rule": r.state_dict()}
    gn.save(ck, tmp_path / "c")
    del m, o, r
    ck = gn.load(tmp_path / "c")
    m, o = make()
    m.load_state_dict(ck["model"])
    o.load_state_dict(ck["opt"])
    r = EarlyStopping(1e-4, 4)
    r.load_state_dict(ck["rule"])
    h2 = gn.fit(
        m, X, Y, optimizer=o, epochs=60, initial_epoch=k, stop_rules=[r],
        validation_data=(XV, YV), **RUN,
    )  # fmt: skip
    assert (h2.epochs, h2.stop_reason, h2.best_epoch) == (h.epochs, h.stop_reason, h.best_epoch)
    assert np.array_equal(weights(m), full)


@pytest.mark.parametrize("how", ["pickle", "deepcopy", "same object, new model"])
def test_a_copied_rule_resumes_as_the_rule_itself(how):
    h, full = unbroken(EarlyStopping(1e-4, 4), validation_data=(XV, YV))
    k = h.epochs - 2
    r = EarlyStopping(1e-4, 4)
    m, o = first_part(r, k, validation_data=(XV, YV))
    r2 = {"pickle": lambda: pickle.loads(pickle.dumps(r)), "deepcopy": lambda: copy.deepcopy(r)}
    r2 = r2.get(how, lambda: r)()
    h2, got = resumed(m, o, r2, k, validation_data=(XV, YV))
    assert (h2.epochs, h2.stop_reason) == (h.epochs, "early_stopping")
    assert np.array_equal(got, full)


def test_tolerance_and_weight_change_resume_from_their_state_dicts():
    for make_rule, kw in (
        (lambda: Tolerance(1e-3, 3), {}),
        (lambda: Tolerance(1e-4, 3, monitor="val_loss"), {"validation_data": (XV, YV)}),
        (lambda: WeightChange(0.25, 3), {}),
    ):
        h, full = unbroken(make_rule(), **kw)
        assert h.stop_reason in ("tol", "val_tol", "weight_change") and h.epochs > 3
        k = h.epochs - 1
        r = make_rule()
        m, o = first_part(r, k, **kw)
        state = r.state_dict()
        assert state["type"] == type(r).__name__ and state["bad"] > 0 and state["epoch"] == k
        r2 = make_rule()
        r2.load_state_dict(state)
        h2, got = resumed(m, o, r2, k, **kw)
        assert (h2.epochs, h2.stop_reason) == (h.epochs, h.stop_reason)
        assert np.array_equal(got, full)


def test_a_new_run_from_epoch_0_starts_the_books_again():
    r = EarlyStopping(1e-4, 4)
    first_part(r, 12, validation_data=(XV, YV))
    h, full = unbroken(r, validation_data=(XV, YV))
    h0, fresh = unbroken(EarlyStopping(1e-4, 4), validation_data=(XV, YV))
    assert (h.epochs, h.best_epoch) == (h0.epochs, h0.best_epoch)
    assert np.array_equal(full, fresh)
    loaded = EarlyStopping(1e-4, 4)  # (loaded, then given to a run from epoch 0: the same)
    loaded.load_state_dict(r.state_dict())
    h1, got = unbroken(loaded, validation_data=(XV, YV))
    assert h1.epochs == h0.epochs and np.array_equal(got, fresh)


def test_a_rule_resumed_at_another_epoch_than_its_own_is_refused():
    r = EarlyStopping(1e-4, 4)
    m, o = first_part(r, 6, validation_data=(XV, YV))
    before = weights(m)
    # (round 27: the optimizer of epoch 6 resumed at 4 is warned of; then the rule refuses)
    refused = "EarlyStopping in stop_rules last saw epoch 6, not initial_epoch=4"
    with pytest.warns(UserWarning, match="taken"), pytest.raises(ValueError, match=refused):
        gn.fit(m, X, Y, optimizer=o, epochs=9, initial_epoch=4, stop_rules=[r],
               validation_data=(XV, YV), **RUN)  # fmt: skip
    assert np.array_equal(weights(m), before)


def test_a_state_dict_of_another_rule_or_model_is_refused():
    r = Tolerance(1e-3, 3)
    first_part(r, 3)
    with pytest.raises(ValueError, match="saved from 'Tolerance', not EarlyStopping"):
        EarlyStopping(1e-4, 4).load_state_dict(r.state_dict())
    with pytest.raises(ValueError, match="missing keys"):
        Tolerance(1e-3, 3).load_state_dict({"type": "Tolerance", "bad": 1})
    es = EarlyStopping(1e-4, 4)  # (another model's books, of other shapes: another run)
    first_part(es, 3, validation_data=(XV, YV))
    loaded = EarlyStopping(1e-4, 4)
    loaded.load_state_dict(es.state_dict())
    other = nn.MLP([5, 8, 1], activation="relu", output_activation="sigmoid", rng=0)
    h = gn.fit(other, X, Y, epochs=5, initial_epoch=3, stop_rules=[loaded],
               validation_data=(XV, YV), **RUN)  # fmt: skip
    assert h.best_epoch in (4, 5) and loaded.best_epoch == h.best_epoch
    assert [w.shape for w in loaded.weights] == [p.data.shape for p in other.parameters()]


def small():
    m = nn.MLP([5, 8, 1], activation="tanh", output_activation="sigmoid", rng=0, dtype="float64")
    return m, optim.SGD(m.parameters(), lr=0.1)


@pytest.mark.parametrize("kw", [{}, {"validation_split": 0.2}, {"engine": "graph"}])
def test_an_int_seed_resumes_the_unbroken_runs_batch_order(kw):
    run = dict(loss="binary_cross_entropy", batch_size=16, seed=3, verbose=0, **kw)
    m, o = small()
    gn.fit(m, X, Y, optimizer=o, epochs=10, **run)
    m2, o2 = small()
    gn.fit(m2, X, Y, optimizer=o2, epochs=5, **run)
    m3, o3 = small()  # (a new process: the states carried over)
    m3.load_state_dict(m2.state_dict())
    o3.load_state_dict(o2.state_dict())
    h = gn.fit(m3, X, Y, optimizer=o3, epochs=10, initial_epoch=5, **run)
    assert h.epochs == 10
    assert np.array_equal(weights(m3), weights(m))


def test_a_generator_seed_goes_on_from_where_it_is():
    run = dict(loss="binary_cross_entropy", batch_size=16, verbose=0)
    m, o = small()
    gn.fit(m, X, Y, optimizer=o, epochs=10, seed=np.random.default_rng(3), **run)
    m2, o2 = small()
    g = np.random.default_rng(3)
    gn.fit(m2, X, Y, optimizer=o2, epochs=5, seed=g, **run)
    gn.fit(m2, X, Y, optimizer=o2, epochs=10, initial_epoch=5, seed=g, **run)
    assert np.array_equal(weights(m2), weights(m))


def test_a_stream_with_an_int_seed_resumed_warns_by_name():
    chunks = [(X[i : i + 50], Y[i : i + 50]) for i in range(0, 300, 50)]
    m, o = small()
    with pytest.warns(UserWarning, match=r"seed=0 with initial_epoch=2 on a stream .* seed="):
        gn.fit(m, chunks, None, optimizer=o, epochs=3, initial_epoch=2, seed=0,
               loss="binary_cross_entropy", batch_size=16, verbose=0)  # fmt: skip
