"""eager's bound step: a batch size is bound only when the same arrays come back a second
time (an epoch's short last batch, stepped once, is never bound); the bound step still
runs where batches repeat."""

import numpy as np
from cli_helpers import FAST, HEADER, rows, run, write_csv
from test_cli_round24 import ids, many_classes

import glassnet as gn
from glassnet import eager, nn
from glassnet.cli import CONFUSION_STORED_MAX
from glassnet.io import load_arrays


def _spy(monkeypatch):
    calls = {"built": 0, "used": 0}
    orig = eager._bound

    def spy(*a):
        calls["built"] += 1
        g = orig(*a)
        if g is None:
            return g

        def go():
            calls["used"] += 1
            g()

        return go

    monkeypatch.setattr(eager, "_bound", spy)
    return calls


def _fit(bs, epochs, n=250):
    rng = np.random.default_rng(0)
    X = rng.normal(size=(n, 6)).astype(np.float32)
    y = (X[:, :1] > 0).astype(np.float32)
    net = nn.MLP([6, 9, 1], activation="tanh", output_activation="sigmoid", rng=3,
                 dtype=np.float32)  # fmt: skip
    gn.fit(net, X, y, loss="bce", optimizer="sgd", batch_size=bs, epochs=epochs, seed=1,
           verbose=0)  # fmt: skip
    return [p.data.copy() for p in net.parameters()]


def test_few_batches_an_epoch_bind_nothing(monkeypatch):
    calls = _spy(monkeypatch)
    _fit(100, 20)  # batches 100, 100, 50: no size comes back twice after the first step
    assert calls == {"built": 0, "used": 0}


def test_many_batches_an_epoch_bind_once_a_size_and_run_bound(monkeypatch):
    calls = _spy(monkeypatch)
    _fit(32, 5)  # batches 7 x 32 then 26: 32 bound once an epoch, 26 never
    assert calls["built"] == 5
    assert calls["used"] == 5 * 5  # steps 2..6 of each epoch (bound at step 2)


def test_bound_or_not_the_same_bits(monkeypatch):
    a = _fit(32, 4)
    monkeypatch.setattr(eager, "_bound", lambda *a: None)
    b = _fit(32, 4)
    for p, q in zip(a, b):
        assert np.array_equal(p, q)


def test_full_batch_still_bound(monkeypatch):
    calls = _spy(monkeypatch)
    _fit(None, 10, n=60)
    assert calls["built"] == 1 and calls["used"] >= 7


# ------------------------------------------------------------------ glassnet train (CLI)


def test_huge_epochs_with_early_stopping_trains_and_saves(capsys, tmp_path):
    """--epochs 1000000 --early-stopping was refused before training (the history of every
    requested epoch counted); early stopping ends such a run, so it trains, capped (warned)
    at the epochs whose history the file holds."""
    data, model = write_csv(tmp_path / "d.csv", HEADER, rows(60)), tmp_path / "m.glassnet"
    code, out, err = run(capsys, "train", data, "--target", "label", "--epochs", "1000000",
                         "--early-stopping", "--patience", "3", "-q", "--out", model)  # fmt: skip
    assert code == 0, err
    assert model.exists()
    said = [x for x in err.splitlines() if "--epochs 1,000,000" in x]
    assert len(said) == 1 and "at most" in said[0] and "early stopping" in said[0], err
    meta = load_arrays(model)[1]["meta"]
    assert meta["history"]["stop_reason"] == "early_stopping"


def test_many_classes_still_train_and_save(capsys, tmp_path):
    k = CONFUSION_STORED_MAX + 20
    data, model = many_classes(tmp_path, k), tmp_path / "m.glassnet"
    code, out, err = run(capsys, "train", data, "--target", "label", *FAST, "--out", model)
    assert code == 0, err
    assert model.exists()


def _prices(tmp_path, name="price"):
    rng = np.random.default_rng(0)
    a = rng.normal(size=(60, 2))
    price = np.round(200_000 + 50_000 * a[:, 0] + rng.normal(size=60) * 1000).astype(int)
    assert np.unique(price).size == 60
    body = [[f"{x:.3f}", f"{z:.3f}", str(p)] for (x, z), p in zip(a, price)]
    return write_csv(tmp_path / "house.csv", ["a", "b", name], body)


def test_prices_in_whole_dollars_are_not_warned_of_as_identifiers(capsys, tmp_path):
    code, _, err = run(capsys, "train", _prices(tmp_path), "--target", "price", *FAST,
                       "--out", tmp_path / "m.glassnet")  # fmt: skip
    assert code == 0 and "identifier" not in err, err


def test_identifiers_sorted_consecutive_or_so_named_are_warned_of(capsys, tmp_path):
    rng = np.random.default_rng(1)
    x = rng.normal(size=(60, 2))
    cases = {  # column name: values
        "customer_id": None,  # random distinct numbers, named as an id (test_cli_round24's)
        "ticket": 5000 + rng.permutation(90)[:60],  # nearly consecutive
        "order": np.sort(rng.choice(10**6, 60, replace=False)),  # in order
    }
    for name, values in cases.items():
        if values is None:
            data = ids(tmp_path)
        else:
            body = [[f"{a:.3f}", f"{b:.3f}", str(int(v))] for (a, b), v in zip(x, values)]
            data = write_csv(tmp_path / f"{name}.csv", ["a", "b", name], body)
        code, _, err = run(capsys, "train", data, "--target", name, *FAST,
                           "--out", tmp_path / "m.glassnet")  # fmt: skip
        assert code == 0, err
        said = [x for x in err.splitlines() if "looks like an identifier" in x]
        assert len(said) == 1 and "60 distinct whole numbers" in said[0], (name, err)
    code, _, err = run(capsys, "train", _prices(tmp_path, "order_no"), "--target", "order_no",
                       *FAST, "--out", tmp_path / "m.glassnet")  # fmt: skip
    assert code == 0 and "its name an identifier's" in err, err
