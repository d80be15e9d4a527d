"""Tabular data from pandas through the estimators, the CLI and load_pipeline (round 20)."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from cli_helpers import FAST, run, write_csv

from glassnet.cli import main
from glassnet.io import load_arrays, load_model, load_pipeline, save_model
from glassnet.sklearn import MLPRegressor

# ------------------------------------------- 1. a regressor's y of dates or durations


def _xy_times() -> tuple[pd.DataFrame, list[object]]:
    rng = np.random.RandomState(0)
    X = pd.DataFrame({"a": rng.randn(40), "b": rng.randn(40)})
    ys = [
        pd.Series(pd.date_range("2020", periods=40)),
        pd.Series(pd.to_timedelta(np.arange(40), unit="D")),
        np.arange(40).astype("datetime64[D]"),
        pd.DataFrame({"amount": np.arange(40.0), "when": pd.date_range("2020", periods=40)}),
    ]
    return X, ys


@pytest.mark.parametrize("k", range(4))
def test_regressor_refuses_a_y_of_dates_or_durations_at_fit(k: int) -> None:
    X, ys = _xy_times()
    y = ys[k]
    reg = MLPRegressor(hidden_layer_sizes=(5,), max_iter=5, random_state=0)
    with pytest.raises(ValueError, match=r"y must hold numbers .*(dates|durations) \(dtype"):
        reg.fit(X, y)
    assert not hasattr(reg, "coefs_")  # left unfitted
    if k == 3:
        with pytest.raises(ValueError, match=r"y's column 'when' holds dates"):
            reg.fit(X, y)


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_regressor_refuses_a_y_of_dates_at_partial_fit_and_score() -> None:
    X, ys = _xy_times()
    reg = MLPRegressor(hidden_layer_sizes=(5,), max_iter=5, random_state=0)
    with pytest.raises(ValueError, match=r"y holds durations .*total_seconds"):
        reg.partial_fit(X, ys[1])
    reg.fit(X, np.arange(40.0))
    with pytest.raises(ValueError, match=r"MLPRegressor: y must hold numbers .*y holds dates"):
        reg.score(X, ys[0])
    assert np.isfinite(reg.score(X, np.arange(40.0)))


# ------------------------------- 2. the command line's whole-number class labels, exactly

BIG = 9007199254740992  # 2**53: float64 reads 2**53 + 1 as 2**53


def _big_labels(path: Path, labels: tuple[int, ...], n: int = 90) -> Path:
    rng = np.random.default_rng(0)
    X = rng.normal(size=(n, 2))
    pick = np.digitize(X[:, 0], np.quantile(X[:, 0], np.linspace(0, 1, len(labels) + 1)[1:-1]))
    return write_csv(
        path, ["a", "b", "y"], [[f"{a:.4f}", f"{b:.4f}", labels[k]] for (a, b), k in zip(X, pick)]
    )


@pytest.mark.parametrize("stream", [False, True])
def test_cli_keeps_whole_number_labels_past_2_53_apart(capsys, tmp_path, monkeypatch, stream):
    monkeypatch.chdir(tmp_path)
    labels = (7, BIG, BIG + 1)
    data = _big_labels(tmp_path / "big.csv", labels)
    more = ["--stream"] if stream else []
    code, out, err = run(
        capsys, "train", data, "--target", "y", "--epochs", "40", "--seed", "0",
        "--out", tmp_path / "m.glassnet", *more,
    )  # fmt: skip
    assert code == 0, err
    assert f"3 classes: 7, {BIG}, {BIG + 1}" in out
    assert "float64 keeps" not in err  # (no warning: the labels are read exactly)
    code, out, err = run(capsys, "predict", tmp_path / "m.glassnet", data, *more)
    assert code == 0, err
    predicted = out.splitlines()[1:]
    assert set(predicted) <= {str(v) for v in labels} and str(BIG + 1) in predicted
    code, out, err = run(capsys, "evaluate", tmp_path / "m.glassnet", data, "--json", *more)
    assert code == 0, err
    report = json.loads(out)
    assert [c["class"] for c in report["classes"]] == ["7", str(BIG), str(BIG + 1)]
    assert [c["support"] for c in report["classes"]] == [30, 30, 30]


def test_cli_two_labels_past_2_53_and_their_classes_list(capsys, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    a, b = 123456789012345677, 123456789012345678  # one float64 value
    data = _big_labels(tmp_path / "two.csv", (a, b), n=60)
    code, out, err = run(
        capsys, "train", data, "--target", "y", "--classes", f"{b},{a}", *FAST,
        "--out", tmp_path / "two.glassnet",
    )  # fmt: skip
    assert code == 0, err
    meta = load_arrays(tmp_path / "two.glassnet")[1]["meta"]
    assert meta["target"]["labels"]["classes"] == [str(b), str(a)]
    assert meta["target"]["labels"]["label_type"] == "int"
    code, out, err = run(capsys, "train", data, "--target", "y", "--classes", f"{a},{b + 1}", *FAST)
    assert code == 2
    assert f"also holds '{b}'" in err  # (not a value the file lacks)


def test_cli_whole_float_labels_still_read_as_integers(capsys, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    data = _big_labels(tmp_path / "f.csv", (1, 2), n=40)
    text = data.read_text().replace(",1\n", ",1.0\n").replace(",2\n", ",2.0\n")
    data.write_text(text)
    code, out, err = run(capsys, "train", data, "--target", "y", *FAST, "--out", "f.glassnet")
    assert code == 0, err
    assert "2 classes: 1, 2" in out


def test_cli_model_file_of_float_labels_predicts_as_before(capsys, tmp_path, monkeypatch):
    """A model file written before labels past 2**53 were read exactly holds them as
    floats ('9007199254740992.0'): it loads and predicts as then, its labels spelled so."""
    monkeypatch.chdir(tmp_path)
    data = _big_labels(tmp_path / "b.csv", (7, BIG))
    code, _, err = run(capsys, "train", data, "--target", "y", *FAST, "--out", "new.glassnet")
    assert code == 0, err
    meta = load_arrays(tmp_path / "new.glassnet")[1]["meta"]
    meta["target"]["labels"] = {  # (as glassnet train wrote it before)
        "type": "LabelEncoder",
        "label_type": "float",
        "classes": ["7.0", "9007199254740992.0"],
    }
    net = load_model(tmp_path / "new.glassnet", network_only=True)
    save_model(net, tmp_path / "old.glassnet", meta=meta)
    newer = tmp_path / "b1.csv"  # the rows of 2**53 written as 2**53 + 1: one float64 value
    newer.write_text(data.read_text().replace(str(BIG), str(BIG + 1)))
    code, out, err = run(capsys, "predict", "old.glassnet", newer)
    assert code == 0, err
    predicted = out.splitlines()[1:]
    assert set(predicted) == {"7.0", "9007199254740992.0"}
    code, out2, err = run(capsys, "predict", "new.glassnet", data)
    assert [p.replace(".0", "") for p in predicted] == out2.splitlines()[1:]
    code, out, err = run(capsys, "evaluate", "old.glassnet", newer, "--json")
    assert code == 0, err
    assert [c["support"] for c in json.loads(out)["classes"]] == [45, 45]
    assert load_pipeline(tmp_path / "old.glassnet").classes_.tolist() == [7.0, float(BIG)]


# ------------------- 3. and 4. load_pipeline(...).predict on a DataFrame pandas typed


@pytest.fixture
def store_model(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, pd.DataFrame]:
    """A model of a code column 'store' (1, 2, 3, --categorical), and its rows."""
    d = tmp_path_factory.mktemp("store")
    rng = np.random.RandomState(0)
    n = 60
    frame = pd.DataFrame(
        {"num": rng.randn(n).round(4), "cnt": rng.randint(0, 9, n), "store": rng.randint(1, 4, n)}
    )
    frame["label"] = np.where(frame.num > 0, "yes", "no")
    frame.to_csv(d / "st.csv", index=False)
    code = main(
        [str(a) for a in ("train", d / "st.csv", "--target", "label", "--categorical", "store",
                          *FAST, "--out", d / "st.glassnet")]
    )  # fmt: skip
    assert code == 0
    return d / "st.glassnet", frame.drop(columns=["label"])


def test_pipeline_reads_a_float_typed_code_column_as_its_categories(store_model, capsys):
    path, X = store_model
    capsys.readouterr()
    p = load_pipeline(path)
    expected = p.predict(X)
    with pytest.warns(
        UserWarning, match=r"pandas typed text column\(s\) of X .*'store': 1\.0 -> '1'"
    ):
        got = p.predict(X.astype({"store": float}))
    assert got.tolist() == expected.tolist()
    # Int64 cells are ints that spell the categories as they are: no warning (-W error)
    assert p.predict(X.astype({"store": "Int64"})).tolist() == expected.tolist()
    with pytest.raises(ValueError, match=r"'store' has 1 value\(s\) not seen at fit: \['7.0'\]"):
        p.predict(X.astype({"store": float}).assign(store=7.0))


def test_cli_predict_names_the_fix_for_codes_written_as_floats(store_model, capsys, tmp_path):
    path, X = store_model
    data = tmp_path / "floats.csv"
    X.astype({"store": float}).to_csv(data, index=False)
    capsys.readouterr()
    code, _, err = run(capsys, "predict", path, data)
    assert code != 0
    assert "write '1' for '1.0'" in err and "dtype=str" in err, err


def test_pipeline_missing_cell_shown_as_given_with_its_index_label(store_model):
    path, X = store_model
    p = load_pipeline(path)
    X = X.set_index(np.arange(len(X)) + 1000)
    r = int(np.flatnonzero(X.num.to_numpy() < -1)[0])
    holed = X.assign(cnt=X.cnt.astype("Int64").where(X.num >= -1, pd.NA))
    with pytest.raises(
        ValueError,
        match=rf"Missing value <NA> in row {r} of X \(X\.iloc\[{r}\]; index {r + 1000}\), "
        "column 'cnt'",
    ):
        p.predict(holed)
    with pytest.raises(ValueError, match=rf"Missing value nan in row {r} of X \(X\.iloc"):
        p.predict(X.assign(cnt=X.cnt.astype(float).where(X.num >= -1)))
    # rows numbered 0..N-1 name the row alone, as before; a text cell keeps its quotes
    with pytest.raises(ValueError, match=rf"Missing value None in row {r} of X, column 'cnt'"):
        p.predict(
            X.reset_index(drop=True).assign(
                cnt=lambda d: d.cnt.astype(object).where(d.num >= -1, None)
            )
        )
    texts = X.reset_index(drop=True).astype({"cnt": str})
    texts.loc[r, "cnt"] = "NA"
    with pytest.raises(ValueError, match=rf"Missing value 'NA' in row {r} of X, column 'cnt'"):
        p.predict(texts)


def test_cli_labels_beyond_int64_in_memory_and_refused_by_the_stream(capsys, tmp_path, monkeypatch):
    """20-digit labels: kept as their digits in memory; --stream (which reads them as
    float64, one number) refuses them by name rather than as 'a single class' that the
    file does not hold."""
    monkeypatch.chdir(tmp_path)
    a, b = 12345678901234567890123, 12345678901234567890124
    data = _big_labels(tmp_path / "long.csv", (a, b), n=60)
    code, out, err = run(capsys, "train", data, "--target", "y", *FAST, "--out", "l.glassnet")
    assert code == 0, err
    assert load_pipeline(tmp_path / "l.glassnet").classes_.tolist() == [str(a), str(b)]
    code, out, err = run(capsys, "train", data, "--target", "y", "--stream", *FAST)
    assert code == 2
    assert "float64 reads as one number" in err and "drop --stream" in err, err


def test_pipeline_typed_cell_of_two_categories_of_one_value(capsys, tmp_path):
    """Codes '1' and '01' (--categorical): the int 1 and the float 1.0 are the value of
    both, which pandas cannot tell apart (it reads '01' as 1 too): refused by name."""
    rng = np.random.RandomState(1)
    rows = [[f"{x:.3f}", ["1", "01", "2"][i % 3], "yes" if x > 0 else "no"]
            for i, x in enumerate(rng.randn(45))]  # fmt: skip
    data = write_csv(tmp_path / "codes.csv", ["x", "code", "label"], rows)
    code, _, err = run(
        capsys, "train", data, "--target", "label", "--categorical", "code", *FAST,
        "--out", tmp_path / "codes.glassnet",
    )  # fmt: skip
    assert code == 0, err
    p = load_pipeline(tmp_path / "codes.glassnet")
    X = pd.DataFrame({"x": [0.5, -0.5], "code": [1, 2]})
    assert p.predict(X.astype({"code": str})).shape == (2,)  # (no warning: -W error)
    with pytest.raises(ValueError, match=r"value of several of the model's categories.*dtype=str"):
        p.predict(X)
    with pytest.raises(ValueError, match=r"value of several of the model's categories.*dtype=str"):
        p.predict(X.astype({"code": float}))
