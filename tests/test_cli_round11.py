"""Round 11 of the command line's audit: messy real-world CSV files through every
subcommand, and the checkpoint's best weights paired by name."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from cli_helpers import FAST, HEADER, assert_one_line_error, rows, run, warnings, write_csv

import glassnet
from glassnet import cli, tasks
from glassnet.io import load_checkpoint
from glassnet.train import Callback


def test_checkpoint_pairs_the_best_weights_by_name_for_a_model_with_a_buffer(
    capsys, tmp_path, monkeypatch
):
    """The checkpoint paired state_dict's names (parameters and buffers interleaved, module
    by module) with early stopping's best arrays (the parameters, then the buffers) by
    position: a model with a buffer got its best weights under other names, and --resume
    refused the checkpoint."""
    built = tasks.Task.build_model

    def with_buffer(self, *args, **kwargs):
        model = built(self, *args, **kwargs)
        first = model.layers[0]
        first.register_buffer("seen", np.arange(first.b.data.shape[0], dtype=first.b.data.dtype))
        return model

    monkeypatch.setattr(tasks.Task, "build_model", with_buffer)
    data = write_csv(tmp_path / "d.csv", HEADER, rows(120))
    out = tmp_path / "m.glassnet"
    cmd = ["train", data, "--target", "label", "--out", out, "--hidden", "5", "-q",
           "--early-stopping", "--checkpoint-every", "2", "--seed", "0"]  # fmt: skip
    code, _, err = run(capsys, *cmd, "--epochs", "4")
    assert code == 0, err
    state = load_checkpoint(tmp_path / "m.glassnet.ckpt").model_state
    best = {k[len("best:") :]: v for k, v in state.items() if k.startswith("best:")}
    weights = {k: v for k, v in state.items() if not k.startswith("best:")}
    assert "layers.0.seen" in weights and best.keys() == weights.keys()
    for name, value in weights.items():
        assert best[name].shape == value.shape, name
    assert np.array_equal(best["layers.0.seen"], np.arange(5))
    code, stdout, err = run(capsys, *cmd, "--epochs", "6", "--resume")
    assert code == 0, err
    assert "resuming after epoch 4" in stdout


# ------------------------------------------------- --stream: a column of missing cells only


def test_stream_names_a_column_empty_in_every_row_as_such(capsys, tmp_path):
    """pyarrow reads a column whose every cell is missing as null: --stream called it a
    column 'read as null', to write 'as numbers (0/1, a day count)', the advice for dates."""
    pytest.importorskip("pyarrow")
    data = write_csv(
        tmp_path / "d.csv", ["a", "empty", "b", "label"], [[a, "", b, y] for a, b, y in rows()]
    )
    code, _, err = run(capsys, "train", data, "--target", "label", "--stream", *FAST)
    assert code == 2
    assert_one_line_error(
        err, "column 'empty'", "empty in every row", "--drop empty", "delete the column"
    )
    assert "day count" not in err and "null" not in err
    target = write_csv(tmp_path / "t.csv", HEADER, [[a, b, ""] for a, b, _ in rows()])
    code, _, err = run(capsys, "train", target, "--target", "label", "--stream", *FAST)
    assert code == 2
    assert_one_line_error(err, "target column 'label'", "empty in every row", "fill it in")


# ------------------------------------------------ a cell's non-printable characters, escaped once


def test_a_cells_non_printable_character_is_escaped_once_in_messages(capsys, tmp_path):
    """A French spreadsheet groups thousands with a no-break space (1 778,04): the message
    quoted the cell as '1\\\\xa0778,04', the escape escaped again (_esc, then repr)."""
    data = tmp_path / "fr.csv"
    lines = ["a;x;label"] + [
        f"{a};1\u00a0{k:03d},5;{y}".replace(".", ",") for k, (a, _, y) in enumerate(rows())
    ]
    data.write_text("\n".join(lines) + "\n", encoding="utf-8")
    code, _, err = run(capsys, "train", data, "--target", "label", "--decimal", ",", *FAST)
    assert code == 2
    assert_one_line_error(err, "column 'x'", "'1\\xa0000,5' at line 2")
    assert "\\\\" not in err and "\xa0" not in err
    header = write_csv(tmp_path / "h.csv", ["a", "a\x1bb", "a\x1bb", "label"], [[1, 2, 3, "y"]])
    code, _, err = run(capsys, "train", header, "--target", "label", "--stream", *FAST)
    assert code == 2
    assert "'a\\x1bb'" in err and "\\\\" not in err and "\x1b" not in err


# ----------------------------------------------------- a title line above the header row


@pytest.mark.parametrize("title", ["Sales report 2024", "Sales report 2024,,"])
def test_a_title_line_above_the_header_is_named_as_such(capsys, tmp_path, title):
    """A report exported with a title line above the header row: the error named line 2 as
    a row wider than the header ('Sales report 2024') or as a value in an unnamed column
    ('name it in the first line'), never the title that the reader took for the header."""
    data = tmp_path / "report.csv"
    body = write_csv(tmp_path / "body.csv", HEADER, rows()).read_text()
    data.write_text(title + "\n" + body)
    for command in (
        ["train", data, "--target", "label"],
        ["evaluate", "m.glassnet", data],
        ["predict", "m.glassnet", data],
    ):
        if command[0] != "train":
            model = tmp_path / "m.glassnet"
            assert run(capsys, "train", tmp_path / "body.csv", "--target", "label",
                       "--out", model, *FAST)[0] == 0  # fmt: skip
            command[1] = model
        code, _, err = run(capsys, *command, *(FAST if command[0] == "train" else []))
        assert code == 2
        assert_one_line_error(
            err, "'Sales report 2024'", "title above the header row", "delete it"
        )  # fmt: skip
    wide = write_csv(tmp_path / "wide.csv", HEADER, [["1", "2", "yes", "4"]])
    code, _, err = run(capsys, "train", wide, "--target", "label", *FAST)
    assert code == 2 and "above the header" not in err  # a header of several names is no title


# ----------------------------------------------- --stream: a file still being written


class _Append(Callback):
    """Appends a row to the training file at the end of epoch ``at``: an export, or a
    logger, still writing the file while train --stream reads it once per epoch."""

    def __init__(self, path, at: int) -> None:
        self.path, self.at = path, at

    def on_epoch_end(self, state):
        if state.epoch == self.at:
            with open(self.path, "a") as f:
                f.write("0.5,0.1,yes\n")


@pytest.mark.parametrize("at", [1, 3])  # an epoch's pass; the held-out rows' pass
def test_stream_refuses_a_file_that_changes_after_its_statistics_pass(
    capsys, tmp_path, monkeypatch, at
):
    """The rows appended to a file after the statistics pass were trained on (or scored) in
    silence, with statistics (means, categories, the row count printed) of another file."""
    pytest.importorskip("pyarrow")
    data = write_csv(tmp_path / "d.csv", HEADER, rows(200))
    out = tmp_path / "m.glassnet"
    real_fit = cli.fit

    def appending_fit(*args, **kwargs):
        kwargs["callbacks"] = [*kwargs["callbacks"], _Append(data, at)]
        return real_fit(*args, **kwargs)

    monkeypatch.setattr(cli, "fit", appending_fit)
    code, _, err = run(capsys, "train", data, "--target", "label", "--stream", "--out", out,
                       "--epochs", "3", "--hidden", "4", "-q")  # fmt: skip
    assert code == 2
    assert_one_line_error(
        err, "d.csv' changed after the statistics pass read it", "its size went from",
        "train on a copy that stays as it is",
    )  # fmt: skip
    assert "fit:" not in err and not out.exists()


# ------------------------------------------- standard output of another encoding than UTF-8


def _glassnet(*argv: object, encoding: str) -> subprocess.CompletedProcess[bytes]:
    env = {**os.environ, "PYTHONIOENCODING": encoding,
           "PYTHONPATH": str(Path(glassnet.__file__).parent.parent)}  # fmt: skip
    return subprocess.run(
        [sys.executable, "-m", "glassnet", *map(str, argv)], capture_output=True, env=env,
        timeout=300,
    )  # fmt: skip


def test_reports_escape_and_predict_names_what_an_ascii_stdout_cannot_hold(tmp_path):
    """A column named 'température' and classes 'Montréal', 'Zürich' under an ASCII (or
    Latin-1) standard output: info stopped halfway through its report, and evaluate and
    predict printed only Python's "'ascii' codec can't encode character '\\xe9'"."""
    rng = np.random.default_rng(0)
    cities = ["Montréal", "Zürich", "Paris"]
    X = rng.normal(size=(60, 2))
    cells = [[f"{a:.3f}", f"{b:.3f}", cities[k % 3]] for k, (a, b) in enumerate(X)]
    data = write_csv(tmp_path / "d.csv", ["température", "b", "ville"], cells)
    model = tmp_path / "m.glassnet"
    done = _glassnet("train", data, "--target", "ville", "--out", model, *FAST, encoding="ascii")
    assert done.returncode == 0, done.stderr
    assert b"ville" in done.stdout and b"Montr\\xe9al" in done.stdout
    done = _glassnet("info", model, encoding="ascii")
    assert done.returncode == 0, done.stderr
    assert b"temp\\xe9rature" in done.stdout and b"test scores" in done.stdout
    done = _glassnet("evaluate", model, data, encoding="ascii")
    assert done.returncode == 0, done.stderr
    assert b"Z\\xfcrich" in done.stdout
    done = _glassnet("predict", model, data, encoding="ascii")
    assert done.returncode == 2 and done.stdout == b""
    assert_one_line_error(
        done.stderr.decode(), "standard output's encoding, ascii, cannot write the predictions",
        "--out", "PYTHONIOENCODING=utf-8",
    )  # fmt: skip
    out = tmp_path / "p.csv"
    done = _glassnet("predict", model, data, "--out", out, encoding="ascii")
    assert done.returncode == 0 and "Montréal" in out.read_text(encoding="utf-8")


# ----------------------------------------- a regression's target written with separators


def test_evaluate_names_a_regression_target_written_with_thousands_separators(capsys, tmp_path):
    """train named '3,926.43' as a number written with a thousands separator; evaluate and
    explain called the same column 'categorical, not numeric'."""
    rng = np.random.default_rng(0)
    X = rng.normal(size=(60, 2))
    prices = 1000 * X[:, 0] + 300 * X[:, 1] + 5000
    header = ["a", "b", "price"]
    plain = write_csv(
        tmp_path / "p.csv", header, [[a, b, f"{p:.2f}"] for (a, b), p in zip(X, prices)]
    )
    grouped = write_csv(
        tmp_path / "g.csv", header, [[a, b, f"{p:,.2f}"] for (a, b), p in zip(X, prices)]
    )
    model = tmp_path / "m.glassnet"
    assert run(capsys, "train", plain, "--target", "price", "--out", model, *FAST)[0] == 0
    for command in (["evaluate", model, grouped], ["explain", model, grouped, "--row", "1"]):
        code, _, err = run(capsys, *command)
        assert code == 2
        assert_one_line_error(
            err, "column 'price'", "thousands separator", "write them as plain numbers"
        )
        assert "categorical" not in err


# ------------------------------------ a header cell with a line break (Excel's Alt+Enter)


def test_a_column_name_with_a_line_break_stays_on_its_line_in_every_report(capsys, tmp_path):
    """A spreadsheet's header 'Revenue<Alt+Enter>(USD)', read with --multiline-cells: train's
    task line, info's target line and column table, and evaluate's header and table printed
    the line break as it is, each name broken over two lines (a tab: a table out of line)."""
    rng = np.random.default_rng(0)
    X = rng.normal(size=(60, 2))
    names = ["Revenue\n(USD)", "Cost\tEUR", "Grade\nA/B"]
    data = write_csv(tmp_path / "d.csv", names, [[a, b, "A" if a + b > 0 else "B"] for a, b in X])
    model = tmp_path / "m.glassnet"
    code, out, err = run(capsys, "train", data, "--target", "Grade\nA/B", "--multiline-cells",
                         "--out", model, *FAST)  # fmt: skip
    assert code == 0, err
    assert "classification of 'Grade\\nA/B'" in out
    code, out, err = run(capsys, "info", model)
    assert code == 0, err
    assert "'Grade\\nA/B', 2 classes" in out
    table = [line.split() for line in out.splitlines() if line.startswith("    ")]
    assert ["Revenue\\n(USD)", "numeric"] in [r[:2] for r in table]
    assert ["Cost\\tEUR", "numeric"] in [r[:2] for r in table]
    code, out, err = run(capsys, "evaluate", model, data)
    assert code == 0, err
    assert out.splitlines()[0].endswith("target Grade\\nA/B")
    regression = write_csv(
        tmp_path / "r.csv", ["x", "Revenue\n(USD)"], [[a, 3 * a + b] for a, b in X]
    )
    model = tmp_path / "r.glassnet"
    code, out, err = run(capsys, "train", regression, "--target", "Revenue\n(USD)",
                         "--multiline-cells", "--out", model, *FAST)  # fmt: skip
    assert code == 0, err
    assert "regression of 'Revenue\\n(USD)'" in out and "rows, Revenue\\n(USD): R^2" in out
    code, out, err = run(capsys, "evaluate", model, regression)
    assert code == 0, err
    assert out.splitlines()[-1].split()[0] == "Revenue\\n(USD)"
    code, out, err = run(capsys, "info", model)
    assert code == 0, err
    assert "test scores   Revenue\\n(USD): R^2" in out


# ------------------------------------------------- --early-stopping with --val-split 0


def test_early_stopping_refuses_an_explicit_val_split_of_zero(capsys, tmp_path):
    """--early-stopping --val-split 0 held out 0.1 of the training rows all the same, in
    silence: an explicit 0 was read as 'not given'."""
    data = write_csv(tmp_path / "d.csv", HEADER, rows(80))
    out = tmp_path / "m.glassnet"
    cmd = ["train", data, "--target", "label", "--out", out, "--early-stopping", *FAST]
    code, _, err = run(capsys, *cmd, "--val-split", "0")
    assert code == 2 and not out.exists()
    assert_one_line_error(err, "--early-stopping", "--val-split 0", "leave --val-split out")
    code, stdout, err = run(capsys, *cmd)  # not given: 0.1 of the training rows
    assert code == 0, err
    assert "6 validation" in stdout


# ----------------------------------------- predict --out named as another format than CSV


@pytest.mark.parametrize("name", ["preds.csv.gz", "preds.xlsx", "preds.parquet"])
def test_predict_refuses_an_out_named_as_another_format(capsys, tmp_path, name):
    """predict --out preds.csv.gz wrote plain CSV text under a gzip name, in silence (zcat
    and pandas, which go by the suffix, then fail on it); preds.xlsx alike for Excel."""
    data = write_csv(tmp_path / "d.csv", HEADER, rows())
    model = tmp_path / "m.glassnet"
    assert run(capsys, "train", data, "--target", "label", "--out", model, *FAST)[0] == 0
    out = tmp_path / name
    code, _, err = run(capsys, "predict", model, data, "--out", out)
    assert code == 2 and not out.exists()
    assert_one_line_error(err, f"--out '{out}' names", "predict writes plain CSV text")
    if name.endswith(".gz"):
        assert "| gzip >" in err
    code, _, err = run(capsys, "predict", model, data, "--out", tmp_path / "preds.csv")
    assert code == 0, err


def test_predict_writes_a_tsv_out_with_tabs(capsys, tmp_path):
    """predict --out preds.tsv wrote commas under a name that says tabs (glassnet's own
    streaming reader reads a .tsv file with tabs, as spreadsheets do)."""
    data = write_csv(tmp_path / "d.csv", HEADER, rows())
    model = tmp_path / "m.glassnet"
    assert run(capsys, "train", data, "--target", "label", "--out", model, *FAST)[0] == 0
    out = tmp_path / "preds.tsv"
    code, _, err = run(capsys, "predict", model, data, "--out", out, "--proba")
    assert code == 0, err
    lines = out.read_text().splitlines()
    assert lines[0] == "label\tp(no)\tp(yes)" and len(lines) == 41
    assert all(len(line.split("\t")) == 3 and "," not in line for line in lines)
    code, _, err = run(capsys, "predict", model, data, "--out", out)  # its own file: replaced
    assert code == 0, err


# ------------------------------------------------ yes/no written several ways


def test_train_warns_of_a_yes_no_answer_written_several_ways(capsys, tmp_path):
    """Data merged from several sources answers yes as yes, Y, 1 or true (and no as no, N, 0,
    false): train made 8 classes (8 categories) of 2 answers, with no word about it."""
    yes, no = ["yes", "Y", "1", "true"], ["no", "N", "0", "false"]
    cells = [
        [a, b, (yes if float(a) > 0 else no)[k % 4], (yes if y == "yes" else no)[k % 4]]
        for k, (a, b, y) in enumerate(rows(80))
    ]
    data = write_csv(tmp_path / "d.csv", ["a", "b", "member", "label"], cells)
    code, stdout, err = run(capsys, "train", data, "--target", "label", "--out",
                            tmp_path / "m.glassnet", *FAST)  # fmt: skip
    assert code == 0, err
    assert "8 classes" in stdout
    said = [w for w in warnings(err) if "spellings of the same yes/no answer" in w]
    assert len(said) == 2, err
    assert "classes of the target 'label'" in said[0] or "classes of the target" in said[1]
    assert any("categories of the text column 'member'" in w for w in said)
    spellings = "'1' and 'Y' and 'true' and 'yes' for yes; '0' and 'N' and 'false' and 'no' for no"
    assert all(spellings in w for w in said)
    plain = write_csv(tmp_path / "p.csv", HEADER, [[a, b, "Y" if y == "yes" else "N"]
                                                  for a, b, y in rows(80)])  # fmt: skip
    code, _, err = run(capsys, "train", plain, "--target", "label", "--out",
                       tmp_path / "p.glassnet", *FAST)  # fmt: skip
    assert code == 0 and not [w for w in warnings(err) if "yes/no" in w]


# ------------------------------------------------ a number beyond float64's range


def test_a_number_beyond_float64_is_named_as_such_not_as_a_missing_value(capsys, tmp_path):
    """'1e400' (a unit error, say) was a 'Non-finite value' to fill in or impute, as 'inf'
    is; --stream said the column 'holds inf', a value the file does not hold."""
    cells = rows()
    cells[3][0] = "1e400"
    data = write_csv(tmp_path / "d.csv", HEADER, cells)
    code, _, err = run(capsys, "train", data, "--target", "label", *FAST)
    assert code == 2
    assert_one_line_error(
        err, "Number '1e400' at line 5", "column 'a'", "beyond float64's range", "check the value"
    )
    cells[3][0] = "inf"  # a written infinity keeps its message
    write_csv(data, HEADER, cells)
    code, _, err = run(capsys, "train", data, "--target", "label", *FAST)
    assert code == 2 and "Non-finite value 'inf' at line 5" in err
    pytest.importorskip("pyarrow")
    cells[3][0] = "1e400"
    write_csv(data, HEADER, cells)
    code, _, err = run(capsys, "train", data, "--target", "label", "--stream", *FAST)
    assert code == 2
    assert_one_line_error(err, "line 5", "column 'a'", "beyond float64's range, such as 1e400")


# ------------------------------------------------ a spreadsheet's formula errors


def test_spreadsheet_formula_errors_are_named_as_such_not_as_categories(capsys, tmp_path):
    """'#DIV/0!', '#VALUE!', '#REF!' in a number column (formulas that failed in the sheet):
    the advice was to pass --categorical, as if they were categories."""
    errors = ["#DIV/0!", "#VALUE!", "#N/A", "#REF!"]
    cells = [[a, errors[k % 4] if k % 9 == 0 else b, y] for k, (a, b, y) in enumerate(rows(80))]
    data = write_csv(tmp_path / "d.csv", HEADER, cells)
    code, _, err = run(capsys, "train", data, "--target", "label", *FAST)
    assert code == 2
    assert_one_line_error(
        err, "'#DIV/0!', '#VALUE!', '#N/A', '#REF!' are spreadsheet formula errors",
        "fix the formulas and export the file again", "--missing '#DIV/0!'",
    )  # fmt: skip
    assert "--categorical" not in err
    cells = [[a, "#DIV/0!" if k == 5 else b, y] for k, (a, b, y) in enumerate(rows(80))]
    write_csv(data, HEADER, cells)
    code, _, err = run(capsys, "train", data, "--target", "label", *FAST)
    assert code == 2
    assert_one_line_error(err, "'#DIV/0!' is a spreadsheet formula error", "--missing '#DIV/0!'")


def test_predict_out_replaces_only_predictions_of_the_model(capsys, tmp_path):
    """predict --out replaces an earlier run's predictions (the model's target, --id and
    p(...) columns), never another table in silence (it replaced any text file that lacked
    one of the model's feature columns)."""
    data = write_csv(tmp_path / "d.csv", HEADER, rows(40))
    model = tmp_path / "m.glassnet"
    code, _, err = run(capsys, "train", data, "--target", "label", "--out", model, *FAST)
    assert code == 0, err
    out = tmp_path / "out.csv"
    for kept in ("name,score\nann,3\n", "old content\n"):  # another project's table, a note
        out.write_text(kept)
        code, _, err = run(capsys, "predict", model, data, "--out", out)
        assert code != 0 and out.read_text() == kept
        assert "exists and holds no predictions of this model" in err and "--force" in err
    code, _, err = run(capsys, "predict", model, data, "--out", out, "--force")
    assert code == 0 and out.read_text().startswith("label\n")
    for earlier in ("label\nyes\n", "label,p(no),p(yes)\nyes,0.1,0.9\n"):
        out.write_text(earlier)
        code, stdout, _ = run(capsys, "predict", model, data, "--out", out)
        assert code == 0 and "wrote 40 predictions" in stdout
    out.write_text("a,b,label\n1,2,yes\n")  # the data itself: named as data
    code, _, err = run(capsys, "predict", model, data, "--out", out)
    assert code != 0 and "holds data, not predictions" in err


def test_a_one_column_header_the_model_knows_is_no_title(capsys, tmp_path):
    """The title-line advice ('delete it') fired on any one-name header: a predictions file
    given to evaluate, a file missing a feature; those are headers, not titles."""
    data = write_csv(tmp_path / "d.csv", HEADER, rows(40))
    model = tmp_path / "m.glassnet"
    assert run(capsys, "train", data, "--target", "label", "--out", model, *FAST)[0] == 0
    preds = tmp_path / "preds.csv"
    assert run(capsys, "predict", model, data, "--out", preds)[0] == 0
    code, _, err = run(capsys, "evaluate", model, preds)
    assert code != 0 and "missing: a, b" in err and "title" not in err
    only_a = write_csv(tmp_path / "a.csv", ["a"], [["1.0"], ["2.0"]])
    code, _, err = run(capsys, "predict", model, only_a)
    assert code != 0 and "missing: b" in err and "title" not in err
    titled = tmp_path / "t.csv"
    titled.write_text("Sales report 2024\n" + data.read_text())
    code, _, err = run(capsys, "predict", model, titled)
    assert code != 0 and "looks like a title above the header row" in err


def test_letter_codes_are_no_yes_no_spellings(capsys, tmp_path):
    """Among letter codes (A-Z), T and Y beside F and N warned of 'spellings of the same
    yes/no answer'; the warning is for a column of yes/no spellings alone."""
    rng = np.random.default_rng(0)
    letters = [chr(65 + i) for i in range(26)]
    body = [[f"{v:.3f}", letters[i % 26]] for i, v in enumerate(rng.normal(size=104))]
    data = write_csv(tmp_path / "l.csv", ["x", "letter"], body)
    out = tmp_path / "m.glassnet"  # (not the working directory's model.glassnet)
    code, _, err = run(capsys, "train", data, "--target", "letter", "--out", out, *FAST)
    assert code == 0 and "yes/no" not in err
    said = ["yes", "Y", "no", "N"]
    mixed = [[f"{v:.3f}", said[i % 4]] for i, v in enumerate(rng.normal(size=40))]
    data = write_csv(tmp_path / "y.csv", ["x", "answer"], mixed)
    code, _, err = run(capsys, "train", data, "--target", "answer", "--out", out, *FAST)
    assert code == 0 and "spellings of the same yes/no answer" in err


def test_a_tsv_of_a_target_with_a_comma_is_replaced_by_its_rerun(capsys, tmp_path):
    """predict --out X.tsv read the existing header with a guessed delimiter: a target named
    'cost, usd' split at its comma, and the rerun was refused as another table."""
    rng = np.random.default_rng(0)
    body = [[f"{a:.3f}", f"{2 * a + 1:.3f}"] for a in rng.normal(size=40)]
    data = write_csv(tmp_path / "r.csv", ["a", "cost, usd"], body)
    model = tmp_path / "r.glassnet"
    assert run(capsys, "train", data, "--target", "cost, usd", "--out", model, *FAST)[0] == 0
    out = tmp_path / "p.tsv"
    for _ in range(2):
        code, stdout, err = run(capsys, "predict", model, data, "--out", out)
        assert code == 0, err
    assert out.read_text().startswith("cost, usd\n")


def test_predict_to_a_terminal_that_cannot_show_a_label_is_an_error(monkeypatch, tmp_path):
    """On a terminal (stdout wrapped so that reports escape what it cannot show), predict
    wrote 'Montr\\xe9al' and ended with status 0; predictions never hold escapes."""
    import io

    body = [[f"{v:.3f}", "Montréal" if v > 0 else "Paris"]
            for v in np.random.default_rng(0).normal(size=40)]  # fmt: skip
    data = write_csv(tmp_path / "c.csv", ["x", "city"], body)
    model = tmp_path / "c.glassnet"
    assert cli.main(["train", str(data), "--target", "city", "--out", str(model), *FAST]) == 0
    term = io.TextIOWrapper(io.BytesIO(), encoding="ascii")
    monkeypatch.setattr(cli, "_isatty", lambda stream: True)
    monkeypatch.setattr(sys, "stdout", term)
    assert cli.main(["predict", str(model), str(data)]) != 0
    term.flush()
    assert b"\\x" not in term.buffer.getvalue()
