"""The command line, round 24: a target of many classes (the confusion matrix in the model
file and in evaluate's report), the model file's size checked before training, --stream on
a pipe, two runs writing one --out, abbreviated flags, an identifier as a regression
target, -q for predict/evaluate/explain, and the small exit statuses."""

import json
import os
import subprocess
import sys

import numpy as np
import pytest
from cli_helpers import FAST, HEADER, assert_one_line_error, rows, run, write_csv
from test_cli_round18 import fifo, through_fifo

from glassnet.cli import CONFUSION_PRINTED_MAX, CONFUSION_STORED_MAX, TOP_CONFUSIONS
from glassnet.io import load_arrays


def many_classes(tmp_path, k: int, per: int = 3, name: str = "k.csv"):
    """A CSV of ``k`` classes (c0 .. c{k-1}), ``per`` rows each, two number columns."""
    rng = np.random.default_rng(0)
    body = [[f"{a:.3f}", f"{b:.3f}", f"c{i % k}"] for i, (a, b) in
            enumerate(rng.normal(size=(k * per, 2)))]  # fmt: skip
    return write_csv(tmp_path / name, ["x1", "x2", "label"], body)


def stored_metrics(path):
    return load_arrays(path)[1]["meta"]["test_metrics"]


# ------------------------------------------- 1. the confusion matrix of many classes


@pytest.mark.parametrize("stream", [False, True])
def test_a_target_of_many_classes_stores_its_scores_not_the_whole_matrix(capsys, tmp_path, stream):
    """The test set's classes x classes matrix was stored as JSON: past ~1,500 classes the
    file was refused after training (7 minutes and 5 GB at 10,000 classes)."""
    k = CONFUSION_STORED_MAX + 20
    data, model = many_classes(tmp_path, k), tmp_path / "m.glassnet"
    extra = ["--stream", "--test-split", "0.5"] if stream else []
    code, out, err = run(capsys, "train", data, "--target", "label", *FAST, *extra, "--out", model)
    assert code == 0, err
    assert f"the {k} x {k} confusion matrix is not stored" in out, out
    tm = stored_metrics(model)
    assert "confusion" not in tm
    left = tm["confusion_left_out"]
    assert (left["classes"], left["stored_up_to"]) == (k, CONFUSION_STORED_MAX)
    assert "evaluate" in left["why"]
    top = left["top_confusions"]
    assert 0 < len(top) <= TOP_CONFUSIONS
    assert all(e["true"] != e["predicted"] and e["rows"] >= 1 for e in top)
    assert [e["rows"] for e in top] == sorted((e["rows"] for e in top), reverse=True)
    assert len(tm["support"]) == len(tm["precision"]) == k  # (each class's scores kept)


def test_the_matrix_of_few_classes_is_stored_as_before(capsys, tmp_path):
    data, model = many_classes(tmp_path, 5, per=10), tmp_path / "m.glassnet"
    code, out, err = run(capsys, "train", data, "--target", "label", *FAST, "--out", model)
    assert code == 0, err
    tm = stored_metrics(model)
    assert "confusion_left_out" not in tm and len(tm["confusion"]) == 5
    assert "not stored" not in out


def test_top_confusions_match_the_whole_matrix(capsys, tmp_path):
    """The stored largest confusions are the largest off-diagonal cells of the matrix that
    evaluate --json gives of the same rows."""
    import glassnet.cli as cli

    t = np.array([0, 0, 0, 1, 1, 2, 2, 2, 2, 3])
    p = np.array([1, 1, 0, 2, 1, 3, 3, 3, 0, 3])
    whole = cli.classification_metrics(t, p, 4)
    part = cli.classification_metrics(t, p, 4, confusion_max=3)
    assert {k: v for k, v in whole.items() if k != "confusion"} == {
        k: v for k, v in part.items() if k != "confusion_left_out"
    }
    top = cli._left_out(part["confusion_left_out"], ["a", "b", "c", "d"])["top_confusions"]
    assert top == [
        {"true": "c", "predicted": "d", "rows": 3},
        {"true": "a", "predicted": "b", "rows": 2},
        {"true": "b", "predicted": "c", "rows": 1},
        {"true": "c", "predicted": "a", "rows": 1},
    ]


def test_evaluate_prints_the_largest_confusions_past_its_cap_and_json_the_whole(capsys, tmp_path):
    k = CONFUSION_PRINTED_MAX + 5
    data, model = many_classes(tmp_path, k, per=4), tmp_path / "m.glassnet"
    code, _, err = run(capsys, "train", data, "--target", "label", *FAST, "--out", model)
    assert code == 0, err
    code, out, err = run(capsys, "evaluate", model, data)
    assert code == 0, err
    assert f"confusion matrix: {k} x {k}, more than the {CONFUSION_PRINTED_MAX}" in out, out
    assert "--json" in out and "largest first" in out
    # (not a table k columns wide; the heading line, which names the files, left out: its
    # length is tmp_path's, longer under pytest-xdist's workers)
    assert max(len(line) for line in out.splitlines() if str(tmp_path) not in line) < 200
    code, js, err = run(capsys, "evaluate", model, data, "--json")
    cm = np.array(json.loads(js)["metrics"]["confusion"])
    assert cm.shape == (k, k) and cm.sum() == 4 * k
    off = cm - np.diag(np.diag(cm))
    table = out[out.index("true class") :].splitlines()[1:]
    assert int(table[0].split()[-1]) == off.max()
    for streamed in ([], ["--stream"]):  # (the same report from the stream)
        assert run(capsys, "evaluate", model, data, *streamed)[1] == out


def test_evaluate_prints_the_whole_matrix_of_few_classes(capsys, tmp_path):
    data, model = many_classes(tmp_path, 4, per=10), tmp_path / "m.glassnet"
    assert run(capsys, "train", data, "--target", "label", *FAST, "--out", model)[0] == 0
    out = run(capsys, "evaluate", model, data)[1]
    assert "  confusion matrix (rows: true class, columns: predicted class)" in out


def test_a_model_file_too_large_to_write_is_refused_before_training(capsys, tmp_path, monkeypatch):
    """The refusal came after the epochs (exit 2, "keep less in 'meta'", which a CLI user
    controls not); now it comes before, naming what grows and what to do."""
    import glassnet.io as gio

    monkeypatch.setattr(gio, "MAX_JSON_ITEMS", 3000)
    data, model = many_classes(tmp_path, 800, per=2), tmp_path / "m.glassnet"
    for extra in ([], ["--stream"]):
        code, out, err = run(capsys, "train", data, "--target", "label", *FAST, *extra,
                             "--out", model)  # fmt: skip
        assert code == 2
        assert_one_line_error(err, "'label' has 800 classes", "could not be saved", "--target")
        assert "stopped" not in out and not model.exists()
    small = write_csv(tmp_path / "d.csv", HEADER, rows(40))
    code, out, err = run(capsys, "train", small, "--target", "label", "--epochs", "5000", "-q",
                         "--out", model)  # fmt: skip
    assert code == 2
    assert_one_line_error(err, "--epochs 5000", "could not be saved", "or fewer")
    assert "stopped" not in out and not model.exists()


# ------------------------------------------------------------- 2. train --stream on a pipe


@fifo
@pytest.mark.parametrize("flag", ["--stream", "--buffer-size"])
def test_train_stream_reads_a_named_pipe_as_it_reads_standard_input(capsys, tmp_path, flag):
    """'ff' does not exist, of a pipe that plainly exists (only regular files passed)."""
    text = "a,b,label\n" + "".join(",".join(r) + "\n" for r in rows(60))
    model = tmp_path / "m.glassnet"
    extra = [flag] if flag == "--stream" else ["--stream", flag, "100"]
    code, out, err = through_fifo(capsys, tmp_path, text, "train", "--target", "label", *FAST,
                                  *extra, "--out", model)  # fmt: skip
    assert code == 0, err
    pipe = str(tmp_path / "data.fifo")
    assert f"data      {pipe} (streamed): 60 rows" in out, out
    assert load_arrays(model)[1]["meta"]["training"]["data"] == pipe
    same = write_csv(tmp_path / "d.csv", HEADER, rows(60))
    again = tmp_path / "again.glassnet"
    run(capsys, "train", same, "--target", "label", *FAST, *extra, "--out", again)
    assert np.array_equal(load_arrays(model)[0]["layers.0.W"], load_arrays(again)[0]["layers.0.W"])


# ----------------------------------------------------------- 4. abbreviated long options


@pytest.mark.parametrize("typed", ["--epo", "--epoch"])
def test_an_abbreviated_option_is_refused_naming_the_full_one(capsys, tmp_path, typed):
    """--epo 3 trained 3 epochs: a cron line that breaks once an option of that prefix is
    added (argparse's allow_abbrev)."""
    data = write_csv(tmp_path / "d.csv", HEADER, rows(40))
    code, out, err = run(capsys, "train", data, "--target", "label", typed, "3", "-q")
    assert code == 2 and out == ""
    assert_one_line_error(err, f"unrecognized arguments: {typed} 3", "--epochs")


def test_every_parser_takes_options_spelled_in_full_only():
    from glassnet.cli import build_parser

    parser = build_parser()
    subs = [a.choices for a in parser._actions if isinstance(a.choices, dict)][0]
    assert parser.allow_abbrev is False
    assert all(p.allow_abbrev is False for p in subs.values())


# ------------------------------------------------ 5. an identifier as a regression target


def ids(tmp_path, n=60, unique=True):
    rng = np.random.default_rng(0)
    x = rng.normal(size=(n, 2))
    ident = rng.choice(900_000, size=n, replace=False) + 100_000
    if not unique:
        ident[1] = ident[0]
    body = [[f"{a:.3f}", f"{b:.3f}", str(int(i))] for (a, b), i in zip(x, ident)]
    return write_csv(tmp_path / "ids.csv", ["a", "b", "customer_id"], body)


def test_a_target_of_distinct_whole_numbers_is_warned_of_as_an_identifier(capsys, tmp_path):
    data = ids(tmp_path)
    code, out, err = run(capsys, "train", data, "--target", "customer_id", *FAST,
                         "--out", tmp_path / "m.glassnet")  # fmt: skip
    assert code == 0, err
    said = [x for x in err.splitlines() if "looks like an identifier" in x]
    assert len(said) == 1 and "60 distinct whole numbers" in said[0], err
    assert "--task regression" in said[0] and "--target" in said[0]
    # --task regression says it is meant; a repeated value is no identifier
    code, _, err = run(capsys, "train", data, "--target", "customer_id", *FAST,
                       "--task", "regression", "--out", tmp_path / "m.glassnet")  # fmt: skip
    assert code == 0 and "identifier" not in err, err
    code, _, err = run(capsys, "train", ids(tmp_path, unique=False), "--target", "customer_id",
                       *FAST, "--out", tmp_path / "m.glassnet")  # fmt: skip
    assert code == 0 and "identifier" not in err, err


# ------------------------------------------------------ 6. -q on predict/evaluate/explain


@pytest.mark.parametrize("command", ["predict", "evaluate", "explain"])
def test_quiet_leaves_out_the_notes_and_keeps_warnings_and_errors(capsys, tmp_path, command):
    data = write_csv(tmp_path / "d.csv", HEADER, rows(60))
    model = tmp_path / "m.glassnet"
    assert run(capsys, "train", data, "--target", "label", *FAST, "--impute", "mean",
               "--out", model)[0] == 0  # fmt: skip
    holes = write_csv(tmp_path / "h.csv", HEADER, [["", "0.5", "yes"], ["0.1", "-0.2", "no"]])
    extra = ["--row", "1"] if command == "explain" else []
    code, loud, err = run(capsys, command, model, holes, *extra)
    assert code == 0 and "glassnet: note: filled 1 missing cell(s)" in err, err
    code, out, err = run(capsys, command, model, holes, *extra, "-q")
    assert code == 0 and err == "" and out == loud
    code, out, err = run(capsys, command, model, tmp_path / "none.csv", *extra, "--quiet")
    assert code == 2 and out == ""
    assert_one_line_error(err, "none.csv")


# --------------------------------------------------------- 3. two runs writing one --out

fcntl = pytest.importorskip("fcntl") if os.name == "posix" else None
locks = pytest.mark.skipif(fcntl is None, reason="the output lock needs fcntl (POSIX)")


@locks
def test_a_second_run_on_the_same_out_is_refused_before_training(capsys, tmp_path):
    """Two runs writing one --out both said "saved", the last one's file kept."""
    data = write_csv(tmp_path / "d.csv", HEADER, rows(200))
    model = tmp_path / "m.glassnet"
    cmd = [sys.executable, "-m", "glassnet", "train", str(data), "--target", "label",
           "--epochs", "100000", "--hidden", "4", "--out", str(model)]  # fmt: skip
    with subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                          env={**os.environ, "PYTHONUNBUFFERED": "1"}) as first:  # fmt: skip
        try:
            for line in first.stdout:
                if line.startswith("training"):
                    break
            code, out, err = run(capsys, "train", data, "--target", "label", *FAST,
                                 "--out", model)  # fmt: skip
        finally:
            first.terminate()
            first.communicate(timeout=60)
    assert code == 2 and out == ""
    assert_one_line_error(err, f"(process {first.pid}) is writing '{model}'", "another --out")
    assert not (tmp_path / "m.glassnet.lock").exists()  # (the first run's, deleted at its end)
    code, out, err = run(capsys, "train", data, "--target", "label", *FAST, "--out", model)
    assert code == 0, err
    assert not (tmp_path / "m.glassnet.lock").exists()


@locks
def test_a_held_checkpoint_lock_is_refused_too(capsys, tmp_path):
    data = write_csv(tmp_path / "d.csv", HEADER, rows(40))
    ckpt = tmp_path / "run.ckpt"
    with open(tmp_path / "run.ckpt.lock", "a+") as held:
        fcntl.flock(held, fcntl.LOCK_EX | fcntl.LOCK_NB)
        code, out, err = run(capsys, "train", data, "--target", "label", *FAST,
                             "--checkpoint-every", "1", "--checkpoint", ckpt,
                             "--out", tmp_path / "m.glassnet")  # fmt: skip
    assert code == 2
    assert_one_line_error(err, f"is writing '{ckpt}'", "another --checkpoint")


def test_an_out_changed_during_training_is_warned_of(capsys, tmp_path, monkeypatch):
    """A program that takes no lock (or a run on another machine) wrote --out meanwhile."""
    import glassnet.cli as cli

    data = write_csv(tmp_path / "d.csv", HEADER, rows(40))
    model = tmp_path / "m.glassnet"
    history = cli._history

    def meanwhile(*a):
        model.write_bytes(b"")
        return history(*a)

    monkeypatch.setattr(cli, "_history", meanwhile)
    code, out, err = run(capsys, "train", data, "--target", "label", *FAST, "--out", model)
    assert code == 0, err
    assert f"'{model}' was written by another program while this run trained" in err, err
    assert load_arrays(model)[1]["meta"]["format"]  # (this run's model)
    monkeypatch.setattr(cli, "_history", history)
    code, out, err = run(capsys, "train", data, "--target", "label", *FAST, "--out", model)
    assert code == 0 and "another program" not in err, err


# ----------------------------------------------------------------- 7. the small items


def test_help_lists_a_full_disk_under_status_1(capsys, tmp_path):
    code, out, _ = run(capsys, "--help")
    epilog = " ".join(out.split())
    assert "1 training failed, memory ran out, an output could not be written (a full disk)" in (
        epilog
    )
    if os.path.exists("/dev/full"):  # (> /dev/full: the status the help gives)
        _, model = trained(capsys, tmp_path)
        data = write_csv(tmp_path / "d.csv", HEADER, rows(10))
        with open("/dev/full", "w") as full:
            cmd = [sys.executable, "-m", "glassnet", "predict", str(model), str(data)]
            proc = subprocess.run(cmd, stdout=full, stderr=subprocess.PIPE, text=True)
        assert proc.returncode == 1
        assert_one_line_error(proc.stderr, "No space left on device")


def trained(capsys, tmp_path):
    data = write_csv(tmp_path / "t.csv", HEADER, rows(40))
    model = tmp_path / "m.glassnet"
    assert run(capsys, "train", data, "--target", "label", *FAST, "--out", model)[0] == 0
    return data, model


class _Unwritable:
    """A standard error on a descriptor that takes no writes (2>&- under a wrapper)."""

    def write(self, text):
        raise OSError(9, "Bad file descriptor")

    def flush(self):
        raise OSError(9, "Bad file descriptor")


@pytest.mark.parametrize("stderr", [None, _Unwritable()])
def test_with_stderr_closed_a_missing_file_still_exits_2(capsys, tmp_path, monkeypatch, stderr):
    _, model = trained(capsys, tmp_path)
    monkeypatch.setattr(sys, "stderr", stderr)
    from glassnet.cli import main

    assert main(["predict", str(model), str(tmp_path / "none.csv")]) == 2
    assert main(["predict", str(model), str(tmp_path / "t.csv"), "--bogus"]) == 2
    assert sys.stderr is stderr


@pytest.mark.parametrize("stream", [[], ["--stream"]])
def test_a_target_name_with_a_comma_in_csv_quotes(capsys, tmp_path, stream):
    """--target '"price, EUR"' (the quoting --classes documents) was split at its comma."""
    rng = np.random.default_rng(0)
    body = [[f"{a:.3f}", f"{b:.3f}", f"{a - b:.3f}"] for a, b in rng.normal(size=(40, 2))]
    data = write_csv(tmp_path / "c.csv", ["x1", "x2", "price, EUR"], body)
    model = tmp_path / "m.glassnet"
    for target in ('"price, EUR"', ' "price, EUR" ', "price, EUR"):
        code, out, err = run(capsys, "train", data, "--target", target, *FAST, *stream,
                             "--out", model)  # fmt: skip
        if stream and target == "price, EUR":  # (no header read yet: said how to quote it)
            assert_one_line_error(err, "write it in double quotes: --target '\"price, EUR\"'")
            continue
        assert code == 0, err
        assert "regression of 'price, EUR'" in out
    code, out, err = run(capsys, "train", data, "--target", "price", *FAST, *stream)
    assert code == 2  # (the columns listed apart: x1, x2, price, EUR read as four)
    assert_one_line_error(err, "'price'")
    assert 'x1, x2, "price, EUR"' in err or "'x1', 'x2', 'price, EUR'" in err, err
