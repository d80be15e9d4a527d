"""The command line's round-6 fixes: a Ctrl-C while it imports, explain reading only the
rows it shows, --decimal stored in the model file, and pandas' row index."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pytest
from cli_helpers import FAST, assert_one_line_error, run, write_csv

ROOT = Path(__file__).resolve().parents[1]

#: Run ``python -m glassnet --help`` as runpy does, with a Ctrl-C (a KeyboardInterrupt)
#: raised when the module named by argv[1] is imported: the moment a user presses it while
#: the command line is still importing.
_INTERRUPTED_IMPORT = textwrap.dedent(
    """
    import runpy, sys

    module = sys.argv[1]

    class Interrupt:
        def find_spec(self, name, path=None, target=None):
            if name == module:
                raise KeyboardInterrupt
            return None

    sys.meta_path.insert(0, Interrupt())
    sys.argv = ["-m", "--help"]
    runpy.run_module("glassnet", run_name="__main__", alter_sys=True)
    """
)


@pytest.mark.parametrize("module", ["glassnet.cli", "argparse", "shlex"])
def test_ctrl_c_while_the_command_line_imports_is_one_line_and_130(module):
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    env.pop("PYTHONSTARTUP", None)
    proc = subprocess.run(
        [sys.executable, "-c", _INTERRUPTED_IMPORT, module],
        capture_output=True, text=True, env=env, cwd=ROOT, timeout=120,
    )  # fmt: skip
    assert "Traceback" not in proc.stderr, proc.stderr
    assert proc.stderr == "glassnet: error: interrupted\n"
    assert proc.returncode == 130
    assert proc.stdout == ""


# ---------------------------------------------------------------- --decimal in the model file


def _comma_rows(n: int = 40, seed: int = 0) -> list[list[str]]:
    """Rows of a European spreadsheet's export: decimal commas, ';' between cells."""
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, 2))
    return [
        [f"{a:.3f}".replace(".", ","), f"{b:.3f}".replace(".", ","), "yes" if a + b > 0 else "no"]
        for a, b in X
    ]


@pytest.fixture
def comma_model(tmp_path):
    data = write_csv(tmp_path / "eu.csv", ["a", "b", "label"], _comma_rows(), delimiter=";")
    model = tmp_path / "eu.glassnet"
    code = run_quiet("train", data, "--target", "label", "--decimal", ",", "--out", model)
    assert code == 0
    return data, model


def run_quiet(*argv: object) -> int:
    from glassnet.cli import main

    return main([str(a) for a in argv] + FAST)


def test_decimal_of_train_is_stored_and_is_the_default_of_predict_evaluate_explain(
    tmp_path, capsys, comma_model
):
    data, model = comma_model
    capsys.readouterr()
    new = write_csv(tmp_path / "new.csv", ["a", "b"], [["1,5", "0,25"], ["-2,5", "-1,75"]], ";")
    code, out, err = run(capsys, "predict", model, new)
    assert (code, err) == (0, ""), err
    assert len(out.splitlines()) == 3
    # the same predictions as with --decimal given again, and as the same numbers written
    # with decimal points and read with --decimal .
    assert run(capsys, "predict", model, new, "--decimal", ",")[1] == out
    points = write_csv(tmp_path / "pt.csv", ["a", "b"], [["1.5", "0.25"], ["-2.5", "-1.75"]])
    assert run(capsys, "predict", model, points, "--decimal", ".")[1] == out
    code, out, err = run(capsys, "evaluate", model, data)
    assert code == 0 and "accuracy" in out, err
    code, out, err = run(capsys, "explain", model, "--row", "2", data)
    assert code == 0, err
    assert out.startswith("row 2 of ") and "a=" in out
    code, out, err = run(capsys, "info", model)
    assert "numbers       read with the decimal mark ',' (--decimal)" in out
    from glassnet.io import load_arrays

    assert load_arrays(model)[1]["meta"]["training"]["decimal"] == ","


def test_an_explicit_decimal_overrides_the_models(tmp_path, capsys, comma_model):
    _, model = comma_model
    capsys.readouterr()
    points = write_csv(tmp_path / "pt.csv", ["a", "b"], [["1.5", "0.25"], ["-2.5", "-1.75"]])
    code, out, err = run(capsys, "predict", model, points, "--decimal", ".")
    assert (code, err) == (0, ""), err
    assert len(out.splitlines()) == 3
    # without it the model's ',' is used, and the error says it is the model's
    code, out, err = run(capsys, "predict", model, points)
    assert code == 2
    assert_one_line_error(err, "--decimal ','", "is the model's", "give --decimal . for a file")


def test_a_model_file_without_a_stored_decimal_reads_with_the_point(tmp_path, capsys):
    from glassnet.io import load_arrays, load_model, save_model

    rng = np.random.default_rng(1)
    X = rng.normal(size=(40, 2))
    rows = [[f"{a:.3f}", f"{b:.3f}", "yes" if a + b > 0 else "no"] for a, b in X]
    data = write_csv(tmp_path / "d.csv", ["a", "b", "label"], rows)
    model = tmp_path / "m.glassnet"
    assert run_quiet("train", data, "--target", "label", "--out", model) == 0
    meta = load_arrays(model)[1]["meta"]
    assert meta["training"].pop("decimal") == "."
    old = save_model(load_model(model, network_only=True), tmp_path / "old.glassnet", meta=meta)
    capsys.readouterr()
    code, out, err = run(capsys, "predict", old, data)
    assert (code, err) == (0, ""), err
    assert len(out.splitlines()) == 41
    assert "decimal mark" not in run(capsys, "info", old)[1]


# ---------------------------------------------------------------- explain reads only its rows


def _points(n: int, seed: int = 0) -> list[str]:
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, 2))
    return [f"{a:.3f},{b:.3f},{'yes' if a + b > 0 else 'no'}\n" for a, b in X]


@pytest.fixture
def big_file(tmp_path):
    """A model of a, b -> label, and a data file over explain's whole-read size whose last
    line is no row (a text cell in a number column, then a quote never closed)."""
    from glassnet.cli import EXPLAIN_WHOLE_BYTES

    small = tmp_path / "small.csv"
    small.write_text("a,b,label\n" + "".join(_points(40)))
    model = tmp_path / "m.glassnet"
    assert run_quiet("train", small, "--target", "label", "--out", model) == 0
    lines = _points(EXPLAIN_WHOLE_BYTES // 10, seed=1)
    big = tmp_path / "big.csv"
    big.write_text("a,b,label\n" + "".join(lines) + 'oops,"never closed,yes\n')
    assert big.stat().st_size > EXPLAIN_WHOLE_BYTES
    clean = tmp_path / "clean.csv"  # the same rows, without the broken last line
    clean.write_text("a,b,label\n" + "".join(lines))
    return model, big, clean


def test_explain_reads_a_large_file_only_up_to_its_row(capsys, big_file):
    model, big, clean = big_file
    capsys.readouterr()
    # the whole file is no CSV file a model can read: predict says so
    code, _, err = run(capsys, "predict", model, big)
    assert code == 2 and "never closed" in err
    # explain stops at its row: the same trace as of the file without the broken line
    code, out, err = run(capsys, "explain", model, "--row", "3", big)
    assert (code, err) == (0, ""), err
    assert out.startswith(f"row 3 of {big} (line 4): ")
    assert out.replace(str(big), "F") == run(capsys, "explain", model, "--row", "3", clean)[
        1
    ].replace(str(clean), "F")


def test_explain_reads_the_rows_it_needs_and_counts_a_short_file(capsys, big_file, tmp_path):
    model, big, clean = big_file
    rows = clean.read_text().count("\n") - 1
    capsys.readouterr()
    code, out, err = run(capsys, "explain", model, "--row", str(rows), big)  # the last good row
    assert code == 0, err
    code, out, err = run(capsys, "explain", model, "--row", str(rows + 5), clean)
    assert code == 2 and out == ""
    assert_one_line_error(err, f"--row {rows + 5}: '{clean}' has {rows} data rows")
    # --impute from the file's own columns (a model trained without it) reads every row
    code, out, err = run(capsys, "explain", model, "--row", "3", big, "--impute", "mean")
    assert code == 2 and "never closed" in err


def test_explain_of_a_small_file_checks_every_row_as_predict_does(capsys, big_file, tmp_path):
    model, _, _ = big_file
    small = tmp_path / "broken.csv"
    small.write_text("a,b,label\n" + "".join(_points(10)) + 'oops,"never closed,yes\n')
    capsys.readouterr()
    code, out, err = run(capsys, "explain", model, "--row", "1", small)
    assert code == 2 and out == ""
    assert_one_line_error(err, "Line 12 of", "never closed")


# ---------------------------------------------------------------- pandas' row index


def _pandas_rows(index: list[int], seed: int = 0) -> list[list[object]]:
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(len(index), 2))
    return [
        [i, f"{a:.3f}", f"{b:.3f}", "yes" if a + b > 0 else "no"]
        for i, (a, b) in zip(index, X, strict=True)
    ]


def test_pandas_row_index_is_left_out_with_a_note(capsys, tmp_path):
    rows = _pandas_rows(list(range(40)))
    indexed = write_csv(tmp_path / "pd.csv", ["", "a", "b", "label"], rows)
    plain = write_csv(tmp_path / "plain.csv", ["a", "b", "label"], [r[1:] for r in rows])
    model = tmp_path / "m.glassnet"
    code, out, err = run(capsys, "train", indexed, "--target", "label", "--out", model, *FAST)
    assert code == 0, err
    assert "2 feature columns" in out
    note = (
        f"glassnet: note: '{indexed}': its unnamed first column holds the row numbers 0 to 39, "
        f"the index that pandas' to_csv writes (or R's write.csv): left out, not a feature"
    )
    assert note in err
    from glassnet.io import load_arrays

    meta = load_arrays(model)[1]["meta"]
    assert meta["preprocessing"]["preprocessor"]["columns"] == ["a", "b"]
    # the same model as trained on the file without the index
    other = tmp_path / "o.glassnet"
    assert run(capsys, "train", plain, "--target", "label", "--out", other, *FAST)[0] == 0
    for k, w in load_arrays(other)[0].items():
        np.testing.assert_array_equal(load_arrays(model)[0][k], w)
    # predict, evaluate and explain leave it out too, with the note; a shuffled frame's
    # index (a permutation of 0 .. n-1), or a slice's (from 100), is one as well
    shuffled = [int(i) for i in np.random.default_rng(3).permutation(40)]
    for name, index in (("shuffled", shuffled), ("slice", list(range(100, 140)))):
        new = write_csv(tmp_path / f"{name}.csv", ["", "a", "b", "label"], _pandas_rows(index))
        code, out, err = run(capsys, "predict", model, new)
        assert code == 0, err
        assert out == run(capsys, "predict", model, plain)[1]
        low, high = min(index), max(index)
        assert err.startswith(f"glassnet: note: '{new}': its unnamed first column holds the row ")
        assert f"row numbers {low} to {high}," in err and len(err.splitlines()) == 1
    for command in (["evaluate", model, indexed], ["explain", model, "--row", "2", indexed]):
        code, out, err = run(capsys, *command)
        assert code == 0, err
        assert err.startswith(f"glassnet: note: '{indexed}': its unnamed first column")


@pytest.mark.parametrize(
    "index",
    [
        [2 * i for i in range(40)],  # not a range
        [0, *range(39)],  # a number twice
        [f"{i:03d}" for i in range(40)],  # codes with leading zeros: not as pandas writes
        [f"r{i}" for i in range(40)],  # row names
    ],
)
def test_an_unnamed_first_column_that_is_no_row_index_is_still_an_error(capsys, tmp_path, index):
    data = write_csv(tmp_path / "d.csv", ["", "a", "b", "label"], _pandas_rows(index))
    code, out, err = run(capsys, "train", data, "--target", "label", *FAST)
    assert code == 2 and out == ""
    assert_one_line_error(err, "no name for column(s) [1]", "row index", "index=False")


def test_an_unnamed_column_elsewhere_is_still_an_error(capsys, tmp_path):
    rows = [[r[1], r[0], r[2], r[3]] for r in _pandas_rows(list(range(40)))]
    data = write_csv(tmp_path / "d.csv", ["a", "", "b", "label"], rows)
    code, out, err = run(capsys, "train", data, "--target", "label", *FAST)
    assert code == 2 and out == ""
    assert_one_line_error(err, "no name for column(s) [2]")


# ---------------------------------------------------------------- decimal commas, CLI


def test_the_command_lines_own_message_for_decimal_commas_is_kept(capsys, tmp_path):
    """read_csv now refuses a column of decimal commas read with '.'; the command line's
    message names --decimal, not read_csv's decimal=',' (and a model's columns)."""
    data = write_csv(tmp_path / "eu.csv", ["a", "b", "label"], _comma_rows(), delimiter=";")
    code, out, err = run(capsys, "train", data, "--target", "label", *FAST)
    assert code == 2 and out == ""
    assert_one_line_error(err, "pass --decimal ,")
    assert "decimal=" not in err


def test_stream_names_pandas_row_index_in_its_error(capsys, tmp_path):
    """--stream leaves pandas' row index out, as in memory (it refused the file); an
    unnamed first column of other numbers is refused, naming the index and what to do."""
    pytest.importorskip("pyarrow")  # (--stream reads with pyarrow)
    data = write_csv(tmp_path / "pd.csv", ["", "a", "b", "label"], _pandas_rows(list(range(40))))
    out_file = ["--out", tmp_path / "m.glassnet"]
    code, out, err = run(capsys, "train", data, "--target", "label", "--stream", *FAST, *out_file)
    assert code == 0, err
    assert "2 feature columns" in out and "its unnamed first column holds the row numbers" in err
    rows = _pandas_rows([2 * i for i in range(40)])
    data = write_csv(tmp_path / "pd2.csv", ["", "a", "b", "label"], rows)
    code, out, err = run(capsys, "train", data, "--target", "label", "--stream", *FAST, *out_file)
    assert code == 2 and out == ""
    assert_one_line_error(
        err, "first column of", "the row numbers that pandas' to_csv writes", "index=False"
    )


def test_explain_of_a_large_file_with_pandas_index_says_the_numbers_are_of_the_rows_read(
    capsys, big_file, tmp_path
):
    """The note named the row numbers of the rows read as if they were the file's
    ('0 to 0' for a file of 0 to 59999)."""
    model, _, clean = big_file
    lines = clean.read_text().splitlines()[1:]
    indexed = tmp_path / "indexed.csv"
    indexed.write_text(",a,b,label\n" + "".join(f"{i},{ln}\n" for i, ln in enumerate(lines)))
    capsys.readouterr()
    code, out, err = run(capsys, "explain", model, "--row", "1", indexed)
    assert code == 0, err
    assert "holds the row numbers 0 to " in err and " read, the index that pandas" in err


def test_target_given_twice_is_refused_naming_the_one_option(capsys, tmp_path):
    """--target a --target b trained on b alone, in silence."""
    data = tmp_path / "d.csv"
    data.write_text("a,b,y\n" + "".join(f"{i},{i % 3},{i % 2}\n" for i in range(30)))
    code, out, err = run(
        capsys, "train", data, "--target", "a", "--target", "y", "--out", tmp_path / "m"
    )
    assert code == 2 and out == ""
    assert_one_line_error(err, "--target was given 2 times (a, then y): give the columns in one")
    assert "--target a,y" in err


@pytest.mark.parametrize("command", ["evaluate", "explain"])
def test_target_given_twice_is_refused_by_evaluate_and_explain(capsys, tmp_path, command):
    data = tmp_path / "d.csv"
    data.write_text("a,b,y\n" + "".join(f"{i},{i % 3},{i % 2}\n" for i in range(30)))
    model = tmp_path / "m.glassnet"
    assert run(capsys, "train", data, "--target", "y", "--out", model, *FAST)[0] == 0
    capsys.readouterr()
    row = ["--row", "1"] if command == "explain" else []
    code, out, err = run(capsys, command, model, data, *row, "--target", "y", "--target", "a")
    assert code == 2 and out == ""
    assert_one_line_error(err, "--target was given 2 times (y, then a)")
