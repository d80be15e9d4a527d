"""The command line (round 14, second part): copies of measurement records warned of
whatever the counts of records say, a streamed column of codes trained with --categorical,
the sorted-label warning only where the shuffle buffer cannot mix the classes, and an
unknown option's value never taken for the target."""

from __future__ import annotations

import random

import numpy as np
import pytest
from cli_helpers import assert_one_line_error, run, warnings, write_csv

FAST1 = ["--epochs", "1", "--hidden", "4", "--seed", "0", "-q"]


# ---------------------------------------------------------------- 1. copied measurements


def measurements(tmp_path, distinct: int, copies: int, seed: int = 0):
    """``distinct`` records of heights and weights to 2 decimals and ages, then ``copies``
    of them appended a second time, the rows shuffled."""
    rng = random.Random(seed)
    table = []
    for _ in range(distinct):
        h, w = round(rng.gauss(172, 7), 2), round(rng.gauss(75, 12), 2)
        table.append([h, w, rng.randint(18, 80), "over" if w / (h / 100) ** 2 > 25 else "ok"])
    table += rng.sample(table, copies)
    rng.shuffle(table)
    return write_csv(tmp_path / "dups.csv", ["height", "weight", "age", "label"], table)


@pytest.mark.parametrize(("distinct", "copies"), [(240, 60), (900, 100), (4700, 300)])
def test_copied_measurement_records_are_warned_of(capsys, tmp_path, distinct, copies):
    """Records of heights and weights to 2 decimals, a fifth to a sixteenth of them
    appended again: warned of, by the counts of the records (fewer copies, 30 among 270,
    go unwarned: the counts cannot tell them from chance, and the values' resolution is
    no sure sign, a column computed from coarse ones repeating by chance too)."""
    data = measurements(tmp_path, distinct, copies)
    code, _, err = run(
        capsys, "train", data, "--target", "label", *FAST1, "--out", tmp_path / "m.glassnet"
    )
    assert code == 0, err
    said = [w for w in warnings(err) if "repeat a training row" in w]
    assert len(said) == 1 and f"holds {copies} repeated rows" in said[0], err


def test_coarse_values_that_repeat_by_chance_stay_silent(capsys, tmp_path):
    """Integer prices and revenue = price times 1 to 5: rows that agree on the price and
    differ on the revenue are many, so a repeat may be chance: no warning."""
    rng = random.Random(3)
    table = []
    for _ in range(400):
        p = rng.randint(1, 100)
        table.append([p, p * rng.randint(1, 5), "yes" if p > 50 else "no"])
    data = write_csv(tmp_path / "shop.csv", ["unit_price", "revenue", "bought"], table)
    code, _, err = run(
        capsys, "train", data, "--target", "bought", *FAST1, "--out", tmp_path / "m.glassnet"
    )
    assert code == 0, err
    assert not [w for w in warnings(err) if "repeat a training row" in w], err


def test_independent_orders_with_a_computed_total_stay_silent(capsys, tmp_path):
    """unit_price 1-499, quantity 1-5 and their total: rows that agree on the price and the
    quantity agree on the total, by chance; 333 of 750 test rows were called copies."""
    rng = random.Random(0)
    table = []
    for _ in range(3000):
        p, q = rng.randint(1, 499), rng.randint(1, 5)
        table.append([p, q, p * q, rng.choice(["no", "yes"])])
    data = write_csv(
        tmp_path / "orders.csv", ["unit_price", "quantity", "total", "returned"], table
    )
    code, _, err = run(
        capsys, "train", data, "--target", "returned", *FAST1, "--out", tmp_path / "m.glassnet"
    )
    assert code == 0, err
    assert not [w for w in warnings(err) if "repeat a training row" in w], err


# ---------------------------------------------------------------- 4. an unknown option


def test_an_unknown_options_value_is_not_taken_for_the_target(capsys, tmp_path):
    """'--hiden 8,4' said "if '8,4' is the target column, name it with --target"."""
    code, _, err = run(capsys, "train", tmp_path / "d.csv", "--hiden", "8,4")
    assert code == 2
    assert_one_line_error(
        err, "unrecognized arguments: --hiden 8,4; did you mean --hidden (for --hiden)?"
    )
    assert "--target" not in err, err
    # a word of its own is still the target's hint, and the option meant still named
    code, _, err = run(capsys, "train", tmp_path / "d.csv", "--hiden=8", "label")
    assert code == 2
    assert_one_line_error(
        err, "if 'label' is the target column, name it with --target", "did you mean --hidden"
    )


# ---------------------------------------------------------------- 3. label runs, streamed


def grouped(tmp_path, n: int, run_rows: int):
    """Rows grouped by their label in runs of ``run_rows`` (alternating classes)."""
    rng = np.random.default_rng(0)
    X = rng.normal(size=(n, 2)).round(3)
    y = np.where(X[:, 0] - 0.5 * X[:, 1] + rng.normal(size=n) > 0, "yes", "no")
    yes, no = np.flatnonzero(y == "yes").tolist(), np.flatnonzero(y == "no").tolist()
    order, k = [], 0
    while yes or no:
        src = (yes, no)[k % 2] or yes or no
        order += src[:run_rows]
        del src[:run_rows]
        k += 1
    table = [[a, b, t] for (a, b), t in zip(X[order].tolist(), y[order].tolist())]
    return write_csv(tmp_path / f"runs{run_rows}.csv", ["f0", "f1", "label"], table)


def test_label_runs_the_buffer_mixes_are_not_warned_of(capsys, tmp_path):
    """Runs of about 8,000 rows through the default buffer of 65,536 were warned of (test
    accuracy at the Bayes optimum either way); runs of half the buffer or more still are."""
    pytest.importorskip("pyarrow")
    fast = [*FAST1, "--stream", "--buffer-size", "2048", "--out", tmp_path / "m.glassnet"]
    # runs of 150 rows: a buffer of 2,048 holds 13 of them
    code, _, err = run(capsys, "train", grouped(tmp_path, 6000, 150), "--target", "label", *fast)
    assert code == 0, err
    assert not [w for w in warnings(err) if "long runs" in w], err
    # runs of 1,500 rows: the buffer holds one or two
    code, _, err = run(
        capsys, "train", grouped(tmp_path, 6000, 1500), "--target", "label", *fast, "--force"
    )
    assert code == 0, err
    said = [w for w in warnings(err) if "long runs" in w]
    assert len(said) == 1 and "shuffle buffer of 2,048 rows" in said[0], err


# ---------------------------------------------------------------- 2. codes, streamed


def floors_csv(tmp_path, n: int = 600):
    """A column of floors G, B, 1-20: the label is 'up' on floors above 10."""
    rng = random.Random(0)
    table = []
    for _ in range(n):
        c = rng.choice(["G", "B"]) if rng.random() < 0.3 else str(rng.randint(1, 20))
        up = c not in ("G", "B") and int(c) > 10
        table.append([round(rng.gauss(0, 1), 3), c, "up" if up else "down"])
    return write_csv(tmp_path / "floors.csv", ["x", "floor", "y"], table)


def test_train_stream_takes_categorical_and_predicts_as_in_memory(capsys, tmp_path):
    """'--categorical cannot be combined with --stream', and --stream alone refused the
    column, advising to drop --stream: a file too large for memory had no way forward."""
    pytest.importorskip("pyarrow")
    from glassnet.io import load_pipeline

    data = floors_csv(tmp_path)
    fit = ["--epochs", "40", "--hidden", "16", "--seed", "0", "-q", "--test-split", "0"]
    streamed, memory = tmp_path / "s.glassnet", tmp_path / "m.glassnet"
    code, _, err = run(capsys, "train", data, "--target", "y", "--stream", *fit, "--out", streamed)
    assert code == 2
    assert_one_line_error(
        err, "if the column holds categories ('B', 'G'), pass --categorical floor"
    )
    assert "drop --stream" not in err, err
    code, _, err = run(
        capsys, "train", data, "--target", "y", "--stream", "--categorical", "floor",
        "--buffer-size", "1024", *fit, "--out", streamed,
    )  # fmt: skip
    assert code == 0, err
    code, _, err = run(
        capsys, "train", data, "--target", "y", "--categorical", "floor", *fit, "--out", memory
    )
    assert code == 0, err
    s, m = load_pipeline(streamed), load_pipeline(memory)
    assert s.meta["training"]["categorical"] == ["floor"]
    assert s.preprocessor.to_dict()["encoder"] == m.preprocessor.to_dict()["encoder"]
    said = {}
    for name, model in (("s", streamed), ("m", memory)):
        code, _, err = run(capsys, "predict", model, data, "--out", tmp_path / f"p{name}.csv")
        assert code == 0, err
        said[name] = (tmp_path / f"p{name}.csv").read_text().split()
        code, out, err = run(capsys, "evaluate", model, data)
        assert code == 0, err
        accuracy = float(out.split("accuracy")[1].split()[0])
        assert accuracy > 0.95, out
    agree = np.mean([a == b for a, b in zip(said["s"], said["m"])])
    assert len(said["s"]) == 601 and agree > 0.95, agree


def test_train_stream_categorical_names_an_unknown_column(capsys, tmp_path):
    pytest.importorskip("pyarrow")
    code, _, err = run(
        capsys, "train", floors_csv(tmp_path), "--target", "y", "--stream", "--categorical",
        "flor", *FAST1, "--out", tmp_path / "m.glassnet",
    )  # fmt: skip
    assert code == 2
    assert_one_line_error(err, "--categorical names columns not in", "['flor']", "'floor'")


def test_label_runs_of_many_classes_are_warned_of(capsys, tmp_path):
    """10 classes in runs of 1,000 rows through a buffer of 4,096: the buffer holds 4 runs,
    so it trains on a few classes at a time (about 10 points of accuracy lost); it was
    silent, the runs being under half the buffer. 2 classes in such runs stay silent."""
    pytest.importorskip("pyarrow")
    rng = np.random.default_rng(0)
    table = []
    for c in range(10):  # sorted by class
        X = rng.normal(size=(1000, 2)) + 3 * np.array([np.cos(c), np.sin(c)])
        table += [[a, b, f"c{c}"] for a, b in X.round(4).tolist()]
    data = write_csv(tmp_path / "sorted10.csv", ["f0", "f1", "label"], table)
    fast = [*FAST1, "--stream", "--buffer-size", "4096", "--out", tmp_path / "m.glassnet"]
    code, _, err = run(capsys, "train", data, "--target", "label", *fast)
    assert code == 0, err
    said = [w for w in warnings(err) if "long runs" in w]
    assert len(said) == 1 and "shuffle buffer of 4,096 rows" in said[0], err
    two = [[a, b, "yes" if i // 1000 % 2 else "no"] for i, (a, b, _) in enumerate(table)]
    data = write_csv(tmp_path / "blocks2.csv", ["f0", "f1", "label"], two)
    code, _, err = run(capsys, "train", data, "--target", "label", *fast, "--force")
    assert code == 0 and not [w for w in warnings(err) if "long runs" in w], err
