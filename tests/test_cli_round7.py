"""The command line's round-7 fixes: a model trained on a decimal-comma file keeps its
decimal mark in ``glassnet export --impute-from`` and in ``glassnet.io``'s Pipeline."""

from __future__ import annotations

import numpy as np
import pytest
from cli_helpers import FAST, assert_one_line_error, run, write_csv


def _comma_rows(n: int = 40, seed: int = 0) -> list[list[str]]:
    """Rows of a European spreadsheet's export: decimal commas, ';' between cells, and an
    empty cell or two (imputed)."""
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, 2))
    out = []
    for i, (a, b) in enumerate(X):
        cell_a = "" if i % 9 == 4 else f"{a:.3f}".replace(".", ",")
        out.append([cell_a, f"{b:.3f}".replace(".", ","), "yes" if a + b > 0 else "no"])
    return out


@pytest.fixture
def comma_model(tmp_path):
    from glassnet.cli import main

    data = write_csv(tmp_path / "eu.csv", ["a", "b", "label"], _comma_rows(), delimiter=";")
    model = tmp_path / "eu.glassnet"
    argv = ["train", data, "--target", "label", "--decimal", ",", "--impute", "mean"]
    assert main([str(a) for a in [*argv, "--out", model]] + FAST) == 0
    return data, model


def test_export_impute_from_reads_the_csv_with_the_models_decimal_mark(
    tmp_path, capsys, comma_model
):
    onnx = pytest.importorskip("onnx")
    pytest.importorskip("onnxruntime")
    from onnx import numpy_helper

    data, model = comma_model
    out = tmp_path / "eu.onnx"
    capsys.readouterr()
    code, _, err = run(capsys, "export", model, out)  # the file's stored fill values
    assert code == 0, err
    stored = onnx.load(out)
    # recomputed from the training CSV, read with the model's ',' (it was read with '.',
    # which refused the file's numbers)
    code, _, err = run(capsys, "export", model, out, "--impute-from", data)
    assert code == 0, err
    proto = onnx.load(out)
    assert [(i.name, numpy_helper.to_array(i).tolist()) for i in stored.graph.initializer] == [
        (i.name, numpy_helper.to_array(i).tolist()) for i in proto.graph.initializer
    ]


def test_export_impute_from_refuses_a_malformed_decimal_mark(tmp_path, comma_model):
    from glassnet.io import load_arrays
    from glassnet.onnx import OnnxError, _cli_fills
    from glassnet.preprocessing import Preprocessor

    data, model = comma_model
    meta = load_arrays(model)[1]["meta"]
    pre = Preprocessor.from_dict(meta["preprocessing"]["preprocessor"])
    fills = _cli_fills(meta, pre, data, model)
    assert fills is not None and fills["a"] == pytest.approx(pre.fill_["a"])
    meta["training"]["decimal"] = "ab"
    with pytest.raises(OnnxError, match=r"training\.decimal .*got 'ab'"):
        _cli_fills(meta, pre, data, model)


def test_pipeline_reads_text_numbers_with_the_models_decimal_mark(tmp_path, capsys, comma_model):
    from glassnet.io import load_pipeline

    _, model = comma_model
    new = write_csv(tmp_path / "new.csv", ["a", "b"], [["1,5", "0,25"], ["-2,5", "-1,75"]], ";")
    capsys.readouterr()
    code, out, err = run(capsys, "predict", model, new, "--proba")
    assert code == 0, err
    cli_rows = [line.split(",") for line in out.splitlines()[1:]]
    pipe = load_pipeline(model)
    assert pipe.decimal == ","
    as_text = {"a": ["1,5", "-2,5"], "b": ["0,25", "-1,75"]}  # as the CSV file writes them
    as_numbers = {"a": [1.5, -2.5], "b": [0.25, -1.75]}
    for X in (as_text, as_numbers):
        assert pipe.predict(X).tolist() == [r[0] for r in cli_rows]
        proba = pipe.predict_proba(X)
        expect = np.array([[float(v) for v in r[1:]] for r in cli_rows])
        np.testing.assert_allclose(proba, expect, atol=1e-4)
    # a point is no number's under ',' (as the CLI reads it): an error, not a silent value
    with pytest.raises(ValueError, match="not a number") as info:
        pipe.predict({"a": ["1.5"], "b": ["0,25"]})
    assert "with the decimal mark ',' of its training data (Pipeline.decimal)" in str(info.value)


# ---------------------------------------------------------------- two files joined, each with a BOM


def _excel_utf8(path, header: list[str], body: list[list[str]], times: int = 2):
    """``times`` copies of one Excel 'CSV UTF-8' export joined (``cat t1.csv t1.csv``): each
    starts with a byte-order mark, so the second header row's first cell holds one."""
    one = "\ufeff" + ",".join(header) + "\n" + "".join(",".join(r) + "\n" for r in body)
    path.write_text(one * times, encoding="utf-8")
    return path


@pytest.mark.parametrize("stream", [False, True])
@pytest.mark.parametrize("numeric_first", [False, True])
def test_a_header_row_again_after_a_byte_order_mark_is_refused(
    tmp_path, capsys, stream, numeric_first
):
    rng = np.random.default_rng(0)
    if numeric_first:
        header = ["x1", "color", "label"]
        body = [[f"{v:.3f}", c, lab] for v, c, lab in zip(
            rng.normal(size=30), ["red", "blue"] * 15, ["yes", "no", "no"] * 10, strict=True
        )]  # fmt: skip
    else:
        header = ["city", "color", "label"]
        body = [[c, k, lab] for c, k, lab in zip(
            ["Rome", "Paris", "Oslo"] * 10, ["red", "blue"] * 15, ["yes", "no", "no"] * 10,
            strict=True,
        )]  # fmt: skip
    data = _excel_utf8(tmp_path / "tcat.csv", header, body)
    argv = ["train", data, "--target", "label", "--out", tmp_path / "m.glassnet", *FAST]
    code, _, err = run(capsys, *argv, *(["--stream"] if stream else []))
    assert code == 2, err  # (it trained the second header as a row: a class named 'label')
    assert_one_line_error(err, "byte-order mark (U+FEFF)", "two such files joined into one")
    if not stream:
        assert "line 32 of" in err, err  # (the header is line 1; 30 rows; then the header again)
    else:
        assert "repeats its header row further down" in err, err
    # the same rows without the marks: the message it had, without the mark's words
    plain = tmp_path / "plain.csv"
    plain.write_text(data.read_text(encoding="utf-8").replace("\ufeff", ""), encoding="utf-8")
    argv[1] = plain
    code, _, err = run(capsys, *argv, *(["--stream"] if stream else []))
    assert code == 2 and "byte-order mark" not in err, err
    assert "repeats" in err or "the header row again" in err, err


# ------------------------------------------------- --impute with no finite number to fill with


@pytest.fixture
def plain_model(tmp_path):
    """A model of two number columns x1, x2 and a label, trained without --impute."""
    from glassnet.cli import main

    rng = np.random.default_rng(0)
    X = rng.random((60, 2))
    body = [[f"{a:.3f}", f"{b:.3f}", "a" if a > b else "b"] for a, b in X]
    data = write_csv(tmp_path / "tr.csv", ["x1", "x2", "y"], body)
    model = tmp_path / "tr.glassnet"
    assert main([str(a) for a in ["train", data, "--target", "y", "--out", model, *FAST]]) == 0
    return data, model


@pytest.mark.parametrize("cell", ["inf", "1e999", "-inf"])
def test_predict_impute_with_only_infinite_numbers_names_the_cell(
    tmp_path, capsys, plain_model, cell
):
    _, model = plain_model
    new = write_csv(tmp_path / "new.csv", ["x1", "x2"], [[cell, "0.5"], ["", "0.25"]])
    capsys.readouterr()
    code, out, err = run(capsys, "predict", model, new, "--impute", "mean")
    assert code == 2 and out == "", err
    # (it said: no numeric values to impute from: drop the column, which the model needs)
    assert_one_line_error(err, f"{cell!r} at line 2", "column 'x1'", "a typo?", "fix that value")
    assert "drop the column" not in err and "leave the column out" not in err, err
    assert "retrain with --impute mean" in err, err
    # an empty column is still said to be empty
    empty = write_csv(tmp_path / "empty.csv", ["x1", "x2"], [["", "0.5"]])
    code, _, err = run(capsys, "predict", model, empty, "--impute", "mean")
    assert code == 2 and "every cell is missing" in err, err


def test_train_impute_with_only_infinite_numbers_names_the_cell(tmp_path, capsys):
    body = [["inf" if i == 3 else "", f"{i}", "ab"[i % 2]] for i in range(20)]
    data = write_csv(tmp_path / "t.csv", ["x1", "x2", "y"], body)
    code, _, err = run(capsys, "train", data, "--target", "y", "--impute", "mean", *FAST)
    assert code == 2, err
    assert_one_line_error(err, "'inf' at line 5", "a typo?", "or drop the column (--drop x1)")


@pytest.mark.parametrize(
    "message",
    [
        "Column 'x1' of 'f.csv' has no numeric values to impute from: drop the column.",
        "Column 'x1' of 'f.csv' has no finite numbers to impute from: its cells are missing or "
        "non-finite, such as 'inf' at line 2; write finite numbers in it (a number beyond "
        "float64's range, such as 1e999, reads as inf), or leave the column out.",
    ],
)
def test_the_reader_s_no_fill_message_is_recognised_in_either_wording(message):
    from glassnet.cli import _NO_FILL

    found = _NO_FILL.match(message)
    assert found is not None and found[1] == "'x1'"


# ------------------------------------- a model's number column of mostly missing markers


@pytest.mark.parametrize("command", ["predict", "evaluate"])
def test_a_models_number_column_of_mostly_markers_gets_the_per_cell_message(
    tmp_path, capsys, plain_model, command
):
    _, model = plain_model
    header = ["x1", "x2", "y"] if command == "evaluate" else ["x1", "x2"]
    body = [["?", "0.5", "a"], ["-", "0.2", "b"], ["0.5", "0.1", "a"]]
    new = write_csv(tmp_path / "new.csv", header, [r[: len(header)] for r in body])
    capsys.readouterr()
    code, out, err = run(capsys, command, model, new)
    assert code == 2 and out == "", err
    # (it said: categorical, not numeric ... (a shifted column?))
    assert_one_line_error(
        err, "Non-numeric value '?' at line 2", "column 'x1', a numeric column",
        "(and 1 more in this column)", "--missing '' --missing '?' --missing -",
    )  # fmt: skip
    assert "shifted" not in err, err
    code, out, err = run(capsys, command, model, new, "--impute", "mean")
    assert code == 2 and "leave the cell empty (--impute fills it)" in err, err
    # a column of words where the model has numbers is still a shifted column, perhaps
    rows = [["red", *r[1:]] for r in body[:2]] + [body[2]]
    words = write_csv(tmp_path / "words.csv", header, [r[: len(header)] for r in rows])
    code, _, err = run(capsys, command, model, words)
    assert code == 2 and "a shifted column?" in err, err


# ------------------------------------------- the model file remembers --multiline-cells


def test_a_model_trained_with_multiline_cells_reads_new_files_with_it(tmp_path, capsys):
    from glassnet.io import load_arrays

    rng = np.random.default_rng(0)
    lines = ["a,note,label"]
    for i in range(40):
        a = rng.normal()
        note = '"line one\nline two"' if i % 10 == 0 else "ok"
        lines.append(f"{a:.3f},{note},{'yes' if a > 0 else 'no'}")
    data = tmp_path / "excel.csv"
    data.write_text("\n".join(lines) + "\n", encoding="utf-8")
    model = tmp_path / "m.glassnet"
    argv = ["train", data, "--target", "label", "--multiline-cells", "--out", model, *FAST]
    code, _, err = run(capsys, *argv)
    assert code == 0, err
    assert load_arrays(model)[1]["meta"]["training"]["multiline_cells"] is True
    code, out, err = run(capsys, "info", model)
    assert code == 0 and "(--multiline-cells)" in out, err
    # the same file, without the flag: read as the training run read it (it was an error)
    code, out, err = run(capsys, "predict", model, data)
    assert code == 0, err
    assert len(out.splitlines()) == 41, out
    code, out, err = run(capsys, "evaluate", model, data)
    assert code == 0, err
    code, out, err = run(capsys, "explain", model, data, "--row", "1")
    assert code == 0 and "line one\\nline two" in out, err
    # an explicit flag overrides it
    code, out, err = run(capsys, "predict", model, data, "--no-multiline-cells")
    assert code == 2 and out == "", err
    assert_one_line_error(err, "Line 2 of", "pass --multiline-cells")
    # a model trained without it reads as before: the error, and the flag to accept them
    plain = tmp_path / "plain.glassnet"
    one_line = tmp_path / "one_line.csv"
    one_line.write_text(data.read_text().replace("one\nline", "one line"), encoding="utf-8")
    argv = ["train", one_line, "--target", "label", "--out", plain, *FAST]
    assert run(capsys, *argv)[0] == 0
    assert "multiline_cells" in load_arrays(plain)[1]["meta"]["training"]
    code, _, err = run(capsys, "predict", plain, data)
    assert code == 2 and "pass --multiline-cells" in err, err
    code, out, err = run(capsys, "predict", plain, data, "--multiline-cells", "--unknown", "ignore")
    assert code == 0 and len(out.splitlines()) == 41, err


# -------------------------------------------------------------- '-': standard input


def _stdin(monkeypatch, data: bytes, tty: bool = False) -> None:
    import io

    class Stdin(io.TextIOWrapper):
        def isatty(self) -> bool:
            return tty

    monkeypatch.setattr("sys.stdin", Stdin(io.BytesIO(data), encoding="utf-8"))


def test_dash_reads_the_data_from_standard_input(tmp_path, capsys, monkeypatch, plain_model):
    from glassnet.io import load_arrays

    data, model = plain_model
    text = data.read_bytes()
    # train: read twice (a column of numbers and '?' is read again, as text): a pipe would
    # have given nothing the second time
    marked = tmp_path / "marked.csv"
    body = [["?" if i % 2 else f"0.{i}", f"{i}", "ab"[i % 2]] for i in range(1, 41)]
    write_csv(marked, ["x1", "x2", "y"], body)
    _stdin(monkeypatch, marked.read_bytes())
    code, _, err = run(capsys, "train", "-", "--target", "y", *FAST)
    assert code == 2, err
    assert_one_line_error(err, "column 'x1' of '-' holds numbers and the text '?'")
    for stream in ([], ["--stream"]):
        out_model = tmp_path / f"stdin{len(stream)}.glassnet"
        _stdin(monkeypatch, text)
        code, out, err = run(capsys, "train", "-", "--target", "y", "--out", out_model,
                             *stream, *FAST[:-1])  # fmt: skip
        assert code == 0, err
        assert "data      -" in out and "glassnet-" not in out + err, out + err
        assert load_arrays(out_model)[1]["meta"]["training"]["data"] == "-"
    # predict, evaluate and explain: as the file's path
    for argv in (["predict"], ["evaluate"], ["explain", "--row", "3"]):
        code, by_path, err = run(capsys, argv[0], model, data, *argv[1:])
        assert code == 0, err
        _stdin(monkeypatch, text)
        code, by_stdin, err = run(capsys, argv[0], model, "-", *argv[1:])
        assert code == 0, err
        assert by_stdin == by_path.replace(str(data), "-"), (by_stdin, by_path)
    # an error names the file '-', not its temporary copy
    _stdin(monkeypatch, b"x1,x2\n?,0.5\n-,0.2\n0.5,0.1\n")
    code, _, err = run(capsys, "predict", model, "-")
    assert code == 2 and "line 2 of '-'" in err and "glassnet-" not in err, err
    # a terminal is no file: refused, not waited on
    _stdin(monkeypatch, b"", tty=True)
    code, out, err = run(capsys, "predict", model, "-")
    assert code == 2 and out == "", err
    assert_one_line_error(err, "'-' is standard input, which is a terminal here")


def test_a_compressed_data_file_s_error_says_how_to_pipe_it_in(tmp_path, capsys, plain_model):
    import gzip

    data, model = plain_model
    packed = tmp_path / "new.csv"  # (gzip bytes; named .gz it is read: test_cligz_round22)
    packed.write_bytes(gzip.compress(data.read_bytes()))
    code, _, err = run(capsys, "predict", model, packed)
    assert code == 2, err
    assert_one_line_error(
        err, "gunzip -k FILE", f"zcat {packed} | glassnet predict {model} -"
    )  # fmt: skip
    code, _, err = run(capsys, "train", packed, "--target", "y", "--stream", *FAST)
    assert code == 2 and f"zcat {packed} | glassnet train -" in err, err


# ------------------------------------------------- outputs beyond the model's dtype


def test_an_output_that_overflows_names_the_line_and_values(tmp_path, capsys, plain_model):
    data, _ = plain_model
    model = tmp_path / "raw.glassnet"
    argv = ["train", data, "--target", "y", "--no-standardize", "--out", model, *FAST]
    assert run(capsys, *argv)[0] == 0
    code, out, _ = run(capsys, "info", model)
    assert "x1      numeric  as is" in out, out  # (it showed (x - 0) / 1)
    rows = [["0.5", "0.5", "a"], ["3e38", "-3e38", "b"], ["0.25", "0.75", "a"]]
    new = write_csv(tmp_path / "new.csv", ["x1", "x2", "y"], rows)
    for argv in (["predict"], ["evaluate"], ["explain", "--row", "2"]):
        code, out, err = run(capsys, argv[0], model, new, *argv[1:])
        assert code == 2, err
        assert out == "", out  # (explain printed its row's line first)
        # (it was the Python API's: MLP.predict ... row 1 ... StandardScaler ... model.double())
        assert_one_line_error(
            err, "overflows float32", "at line 3", "x1=3e38", "x2=-3e38",
            "trained with --no-standardize", "retrain the model without --no-standardize",
            "--dtype float64",
        )  # fmt: skip
        assert "model.double()" not in err and "row 1" not in err, err


# ------------------------------------------------ out of memory: each command's advice


def test_out_of_memory_says_what_each_command_can_do(tmp_path, capsys, monkeypatch, plain_model):
    import glassnet.cli as cli

    data, model = plain_model
    real = cli._read_csv_file

    def no_memory(*args, **kwargs):
        raise MemoryError

    # reading the file into memory: the file's advice, per command
    monkeypatch.setattr(cli, "_read_csv_file", no_memory)
    code, _, err = run(capsys, "train", data, "--target", "y", *FAST)
    assert code == 1, err
    assert_one_line_error(err, f"out of memory reading the data file '{data}'", "--stream")
    for command in ("predict", "evaluate", "explain"):
        code, out, err = run(
            capsys, command, model, data, *(["--row", "2"] * (command == "explain"))
        )
        assert code == 1 and out == "", err
        assert_one_line_error(err, f"out of memory reading the data file '{data}'")
        # (it said: use smaller --hidden widths, a smaller --batch-size, which predict lacks)
        assert "--hidden" not in err and "--batch-size" not in err, err
        assert ("split the file" in err) == (command != "explain"), err
    monkeypatch.setattr(cli, "_read_csv_file", real)
    # after the read: the command's own options
    monkeypatch.setattr(cli._Bundle, "outputs", no_memory)
    code, _, err = run(capsys, "predict", model, data)
    assert code == 1, err
    assert_one_line_error(err, "out of memory running 'glassnet predict'", "split the data file")
    assert "--hidden" not in err and "--batch-size" not in err, err
    monkeypatch.setattr(cli, "_run_epochs", no_memory)
    code, _, err = run(capsys, "train", data, "--target", "y", *FAST)
    assert code == 1, err
    assert_one_line_error(err, "out of memory running 'glassnet train'", "--hidden", "--stream")
