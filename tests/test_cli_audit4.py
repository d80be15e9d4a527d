"""Tests for glassnet.cli from a fourth audit: the in-memory path's warnings of columns that
train on nothing (row numbers, codes with leading zeros, IDs longer than float64 keeps,
dates) given by --stream too, files written with decimal commas (--decimal), explain reading
no more of a file than the row it shows, and Ctrl-C while the command line starts."""

from __future__ import annotations

import numpy as np
import pytest
from cli_helpers import FAST, HEADER, assert_one_line_error, rows, run, warnings, write_csv

from glassnet import cli
from glassnet.io import load_arrays, load_checkpoint
from glassnet.train import Callback


def train(capsys, data, *extra: object) -> str:
    """stderr of a training run that succeeds."""
    out = data.parent / "m.glassnet"
    code, _, err = run(capsys, "train", data, "--target", "label", "--out", out, *FAST, *extra)
    assert code == 0, err
    return err


# ---------------------------------------------------------------- 1. --stream's warnings


def test_a_row_number_column_is_warned_of_when_streamed(capsys, tmp_path):
    pytest.importorskip("pyarrow")
    order = np.random.default_rng(1).permutation(40)
    table = [[str(1000 + int(k)), *r] for k, r in zip(order, rows(), strict=True)]
    data = write_csv(tmp_path / "d.csv", ["id", *HEADER], table)
    [memory] = warnings(train(capsys, data))
    [warning] = warnings(train(capsys, data, "--stream"))
    for needle in ["'id'", "1000 to 1039, each once:", "row number or an ID", "--drop id"]:
        assert needle in warning and needle in memory, (needle, warning)
    assert "write the file without it" in warning and "without --stream" in warning
    # a yearly series, or whole numbers with a gap: no row numbers, streamed or not
    table = [[str(1980 + i), *r] for i, r in enumerate(rows())]
    data = write_csv(tmp_path / "y.csv", ["Year", *HEADER], table)
    assert warnings(train(capsys, data, "--stream")) == []
    table = [[str(k), *r] for k, r in zip([*range(39), 50], rows(), strict=True)]
    data = write_csv(tmp_path / "g.csv", ["id", *HEADER], table)
    assert warnings(train(capsys, data, "--stream")) == []


def test_codes_with_leading_zeros_are_warned_of_when_streamed(capsys, tmp_path):
    pytest.importorskip("pyarrow")
    zips = ["02134", "90210", "10001", "00501"]
    table = [[zips[i % 4], *r] for i, r in enumerate(rows())]
    data = write_csv(tmp_path / "d.csv", ["zip", *HEADER], table)
    [warning] = warnings(train(capsys, data, "--stream"))
    for needle in ["'zip'", "leading zeros (02134 at line 2, 20 such cell(s))", "codes"]:
        assert needle in warning, (needle, warning)
    assert "pass --categorical zip" in warning
    # as it says: --categorical keeps the codes as written, leading zeros and all
    out = train(capsys, data, "--stream", "--categorical", "zip")
    assert warnings(out) == [], out
    # amounts with a whole value among them: no codes
    plain = write_csv(tmp_path / "e.csv", HEADER, [["0.5", "0", "yes"], *rows()])
    assert warnings(train(capsys, plain, "--stream")) == []


def test_ids_longer_than_float64_keeps_are_warned_of_when_streamed(capsys, tmp_path):
    pytest.importorskip("pyarrow")
    table = [[str(10**19 + 1000 * i), *r] for i, r in enumerate(rows())]
    data = write_csv(tmp_path / "d.csv", ["account", *HEADER], table)
    [warning] = warnings(train(capsys, data, "--stream"))
    needles = ["'account'", "more digits than float64 keeps", "10000000000000000000 at line 2"]
    needles += ["40 distinct ones in the file", "read as 20 distinct"]
    for needle in needles:
        assert needle in warning, (needle, warning)
    # 19 digits, within int64: pyarrow reads them exactly, the stream's float64 does not
    table = [[str(10**18 + i), *r] for i, r in enumerate(rows())]
    data = write_csv(tmp_path / "e.csv", ["account", *HEADER], table)
    warned = warnings(train(capsys, data, "--stream"))
    assert any("more digits than float64 keeps" in w for w in warned), warned
    few = [[str(10**15 + 7 * i), *r] for i, r in enumerate(rows())]  # 16 digits: all kept
    data = write_csv(tmp_path / "f.csv", ["account", *HEADER], few)
    assert not any("float64 keeps" in w for w in warnings(train(capsys, data, "--stream")))


@pytest.mark.parametrize(
    "dates",
    [
        [f"{i % 12 + 1}/{i % 28 + 1}/2023" for i in range(40)],
        [f"{i % 3 + 1:02d}.01.2024" for i in range(40)],
    ],
)
def test_a_date_column_is_warned_of_when_streamed(capsys, tmp_path, dates):
    # (pyarrow reads ISO dates as dates, which --stream refuses: test_cli_stream.py)
    pytest.importorskip("pyarrow")
    table = [[d, *r] for d, r in zip(dates, rows(), strict=True)]
    data = write_csv(tmp_path / "d.csv", ["when", *HEADER], table)
    [warning] = warnings(train(capsys, data, "--stream"))
    needles = ["text column 'when' holds dates", f"({dates[0]} at line 2)"]
    needles += ["write the file without it", "a year, a month, a day of the week"]
    for needle in needles:
        assert needle in warning, (needle, warning)
    assert "an ID or free text" not in warning


def test_a_streamed_file_longer_than_its_first_block_says_what_was_inspected(capsys, tmp_path):
    """The streamed warnings look at the file's first block (4 MiB): a row-number column
    sorted in the file is named with the rows it was seen in."""
    pytest.importorskip("pyarrow")
    n = 120_000  # (about 5 MiB: two blocks)
    rng = np.random.default_rng(0)
    X = rng.normal(size=(n, 2))
    pad = "x" * 20
    with open(tmp_path / "big.csv", "w") as f:
        f.write("id,a,b,pad,zip,label\n")
        for i, (a, b) in enumerate(X):
            f.write(f"{i + 1},{a:.3f},{b:.3f},{pad},{i % 7:05d},{'yes' if a + b > 0 else 'no'}\n")
    data = tmp_path / "big.csv"
    argv = ["--epochs", "1", "--batch-size", "4096", "--stream"]
    code, _, err = run(capsys, "train", data, "--target", "label", "--out",
                       tmp_path / "m", "--hidden", "4", "-q", *argv)  # fmt: skip
    assert code == 0, err
    [warning] = [w for w in warnings(err) if "'id'" in w]
    assert "holds the whole numbers 1 to " in warning and ", each once in its first " in warning
    [warning] = [w for w in warnings(err) if "'zip'" in w]
    assert (
        "leading zeros (00000 at line 2, " in warning and " such cell(s) in its first " in warning
    )


# ---------------------------------------------------------------- 2. --decimal


def european(path, sep: str = ";", n: int = 40, seed: int = 0):
    """The rows of :func:`rows` with decimal commas, ``sep`` between cells."""
    table = [[a.replace(".", ","), b.replace(".", ","), y] for a, b, y in rows(n, seed)]
    return write_csv(path, HEADER, table, delimiter=sep)


def test_decimal_commas_read_with_decimal_as_the_plain_numbers(capsys, tmp_path):
    # a ';' export with decimal commas trains the model the same numbers written plainly do
    plain = write_csv(tmp_path / "plain.csv", HEADER, rows())
    eu = european(tmp_path / "eu.csv")
    a, b = tmp_path / "a.glassnet", tmp_path / "b.glassnet"
    for data, out, extra in ((plain, a, []), (eu, b, ["--decimal", ","])):
        code, _, err = run(capsys, "train", data, "--target", "label", "--out", out, *FAST, *extra)
        assert code == 0, err
    code, expected, err = run(capsys, "predict", a, plain, "--proba")
    assert code == 0, err
    code, out, err = run(capsys, "predict", b, eu, "--proba", "--decimal", ",")
    assert code == 0 and out == expected, err
    code, expected, _ = run(capsys, "evaluate", a, plain)
    code, out, err = run(capsys, "evaluate", b, eu, "--decimal", ",")
    assert code == 0 and out.replace("eu.csv", "plain.csv").replace("b.glassnet", "a.glassnet") \
        == expected, err  # fmt: skip
    code, out, err = run(capsys, "explain", b, "--row", "3", eu, "--decimal", ",")
    assert code == 0, err
    code, expected, _ = run(capsys, "explain", a, "--row", "3", plain)
    assert out.splitlines()[1:] == expected.splitlines()[1:]  # (line 1: the cells as written)


@pytest.mark.parametrize("command", ["train", "predict", "evaluate", "explain"])
def test_decimal_commas_without_decimal_are_told_the_flag(capsys, tmp_path, command):
    plain = write_csv(tmp_path / "plain.csv", HEADER, rows())
    model = tmp_path / "m.glassnet"
    code, _, err = run(capsys, "train", plain, "--target", "label", "--out", model, *FAST)
    assert code == 0, err
    eu = european(tmp_path / "eu.csv")
    argv = {
        "train": ["train", eu, "--target", "label", "--out", tmp_path / "n.glassnet", *FAST],
        "predict": ["predict", model, eu],
        "evaluate": ["evaluate", model, eu],
        "explain": ["explain", model, "--row", "1", eu],
    }[command]
    code, out, err = run(capsys, *argv)
    assert code == 2 and out == ""
    assert_one_line_error(err, "column 'a'", "decimal comma", "pass --decimal ,")
    # with commas between cells the decimal commas are quoted, and --decimal , cannot be
    # given: the advice is to export the file again with ';' between cells (round 26)
    quoted = european(tmp_path / "q.csv", sep=",")
    code, out, err = run(capsys, *[quoted if a == eu else a for a in argv])
    assert code == 2 and "pass --decimal ,;" not in err, err
    if command == "train":
        assert "export the file again with ';' between cells" in err, err


@pytest.mark.parametrize("given", ["ab", "1", "", "-", "e", " "])
def test_a_bad_decimal_is_a_usage_error(capsys, tmp_path, given):
    eu = european(tmp_path / "eu.csv")
    code, out, err = run(capsys, "train", eu, "--target", "label", "--decimal", given)
    assert code == 2 and out == ""
    assert_one_line_error(err, "argument --decimal", "one character", repr(given))


def test_a_decimal_mark_that_is_the_separator_is_refused(capsys, tmp_path):
    plain = write_csv(tmp_path / "plain.csv", HEADER, rows())
    out = tmp_path / "m.glassnet"
    for extra in ([], ["--delimiter", ","]):
        code, _, err = run(capsys, "train", plain, "--target", "label", "--decimal", ",",
                           "--out", out, *FAST, *extra)  # fmt: skip
        assert code == 2 and not out.exists()
        assert_one_line_error(err, "--decimal ',' is also the delimiter of", "--delimiter")
    code, _, err = run(capsys, "train", plain, "--target", "label", "--out", out, *FAST)
    assert code == 0, err
    for command in (["predict", out, plain], ["evaluate", out, plain]):
        code, _, err = run(capsys, *command, "--decimal", ",")
        assert code == 2
        assert_one_line_error(err, "--decimal ',' is also the delimiter of")
    code, _, err = run(capsys, "train", "--dataset", "xor", "--decimal", ",", "--out", out)
    assert code == 2
    assert_one_line_error(err, "--decimal is for reading a CSV file")


def test_a_decimal_point_among_decimal_commas_is_named(capsys, tmp_path):
    table = [[a.replace(".", ","), b.replace(".", ","), y] for a, b, y in rows()]
    table[5][0] = "0.5"
    eu = write_csv(tmp_path / "eu.csv", HEADER, table, delimiter=";")
    code, _, err = run(capsys, "train", eu, "--target", "label", "--decimal", ",", *FAST)
    assert code == 2
    assert_one_line_error(err, "'0.5' at line 7", "--decimal ',' does not read", "1234,5")
    assert "--impute" not in err
    table = [[a.replace("-", "").replace(".", "") + ".5", b, y] for a, b, y in table]
    eu = write_csv(tmp_path / "pt.csv", HEADER, table, delimiter=";")  # every cell 0125.5
    code, _, err = run(capsys, "train", eu, "--target", "label", "--decimal", ",", *FAST)
    assert code == 2
    assert_one_line_error(err, "column 'a'", "--decimal ',' does not read", "1234,5")


def test_decimal_commas_streamed_train_the_plain_numbers_model(capsys, tmp_path):
    pytest.importorskip("pyarrow")
    plain = write_csv(tmp_path / "plain.csv", HEADER, rows(200))
    eu = european(tmp_path / "eu.tsv", sep="\t", n=200)
    a, b = tmp_path / "a.glassnet", tmp_path / "b.glassnet"
    for data, out, extra in ((plain, a, []), (eu, b, ["--decimal", ","])):
        code, _, err = run(capsys, "train", data, "--target", "label", "--out", out,
                           "--stream", *FAST, *extra)  # fmt: skip
        assert code == 0, err
    code, expected, err = run(capsys, "predict", a, plain, "--proba")
    assert code == 0, err
    code, out, err = run(capsys, "predict", b, eu, "--proba", "--decimal", ",")
    assert code == 0 and out == expected, err
    # a decimal point among them: the column is named, not one-hot encoded
    text = eu.read_text().splitlines()
    cell = text[150].split("\t")[0]
    text[150] = text[150].replace(",", ".", 1)
    eu.write_text("\n".join(text) + "\n")
    code, _, err = run(capsys, "train", eu, "--target", "label", "--out", b, "--stream",
                       "--decimal", ",", *FAST)  # fmt: skip
    assert code == 2
    assert_one_line_error(
        err, "column 'a'", "--decimal ',' does not read", repr(cell.replace(",", ".")), "1234,5"
    )
    # a comma-separated file: the comma is its separator
    code, _, err = run(capsys, "train", plain, "--target", "label", "--stream",
                       "--decimal", ",", *FAST)  # fmt: skip
    assert code == 2
    assert_one_line_error(err, "--decimal ','", "field separator", "--delimiter")


def test_read_csv_and_from_csv_take_the_decimal_mark(tmp_path):
    from glassnet.datasets import read_csv

    eu = european(tmp_path / "eu.csv")
    table = read_csv(eu, target="label", decimal=",")
    expected = np.array([float(r[0]) for r in rows()])
    assert table.kinds["a"] == "numeric" and table.delimiter == ";"
    np.testing.assert_array_equal(table.numbers("a"), expected)
    np.testing.assert_array_equal(table.take(np.array([3, 1])).numbers("a"), expected[[3, 1]])
    with pytest.raises(ValueError, match=r"Column 'a' .* decimal comma .* pass decimal=','"):
        read_csv(eu, target="label")  # (the default: '.')
    assert read_csv(eu, target="label", decimal_commas="text").kinds["a"] == "categorical"
    with pytest.raises(ValueError, match="'decimal' parameter of read_csv must be one char"):
        read_csv(eu, decimal="..")
    with pytest.raises(ValueError, match=r"read_csv, ',', is also the delimiter .*\(given\)"):
        read_csv(eu, decimal=",", delimiter=",")
    pytest.importorskip("pyarrow")
    from glassnet.stream import from_csv

    tsv = european(tmp_path / "eu.tsv", sep="\t")
    X = next(iter(from_csv(tsv, "label", decimal=",").chunks()))[0]
    np.testing.assert_array_equal(X[:, 0], expected.astype(np.float32))
    # a ';' file: its header row is one column under a comma, and ';' splits it
    X = next(iter(from_csv(eu, "label", decimal=",").chunks()))[0]
    np.testing.assert_array_equal(X[:, 0], expected.astype(np.float32))
    with pytest.raises(ValueError, match="'decimal' parameter of from_csv is ','"):
        from_csv(eu, "label", decimal=",", delimiter=",")
    commas = european(tmp_path / "plain.csv", sep=",")
    with pytest.raises(ValueError, match="'decimal' parameter of from_csv is ','"):
        from_csv(commas, "label", decimal=",")  # (its comma splits the header: the delimiter)


# ---------------------------------------------------------------- 4. Ctrl-C


def test_ctrl_c_while_the_command_line_is_built_is_one_line_and_130(capsys, monkeypatch):
    """Ctrl-C before a command starts (the parser being built, the arguments read) was a
    traceback; during a command it is one line and status 130. (During the imports that
    come before main, the console script's own, no function of glassnet.cli can catch it.)"""
    from glassnet import cli

    def interrupted() -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(cli, "build_parser", interrupted)
    try:
        code = cli.main(["info", "--help"])
    except KeyboardInterrupt:
        pytest.fail("Ctrl-C escaped glassnet.cli.main as a traceback")
    out, err = capsys.readouterr()
    assert code == 130 and out == ""
    assert err == "glassnet: error: interrupted\n"


@pytest.mark.parametrize("share", [1, 4])
def test_a_typographic_minus_sign_among_decimal_commas_is_named(capsys, tmp_path, share):
    # '−0,5' (U+2212) with --decimal ',': "Non-numeric value ... pass --impute mean" (one
    # cell), or a column refused as written with a thousands separator (most cells)
    table = [[a.replace(".", ","), b.replace(".", ","), y] for a, b, y in rows()]
    table = [[a.replace("-", "\u2212") if i % 4 < share else a, b, y]
             for i, (a, b, y) in enumerate(table)]  # fmt: skip
    eu = write_csv(tmp_path / "eu.csv", HEADER, table, delimiter=";")
    code, _, err = run(capsys, "train", eu, "--target", "label", "--decimal", ",", *FAST)
    assert code == 2
    assert_one_line_error(err, "MINUS SIGN (U+2212)", "write '-' in place of the minus sign")
    assert "--impute" not in err


@pytest.mark.parametrize("token", ["n.a.", "k.A.", "n,v,"])
def test_a_missing_marker_with_points_or_commas_is_missing_under_decimal_comma(
    capsys, tmp_path, token
):
    # the decimal mark is swapped for reading numbers; a missing marker is matched as written
    from glassnet.datasets import read_csv

    lines = ["a;b;label", *(f"{i},5;{i + 1},25;{'yes' if i % 2 else 'no'}" for i in range(20))]
    lines[3] = f"2,5;{token};no"
    data = tmp_path / "eu.csv"
    data.write_text("\n".join(lines) + "\n", encoding="utf-8")
    t = read_csv(data, decimal=",", missing=[token, ""], impute="mean")
    assert t.kinds["b"] == "numeric" and np.isfinite(t.numbers("b")).all()
    err = train(capsys, data, "--decimal", ",", "--missing", token, "--impute", "mean")
    assert "Non-numeric" not in err


# ------------------------------------------------- Ctrl-C never replaces a finished model


class _StopAt3(Callback):
    def on_epoch_end(self, state):
        if state.epoch == 3:
            raise KeyboardInterrupt


def _stop_reason(path):
    return load_arrays(path)[1]["meta"]["history"]["stop_reason"]


def test_ctrl_c_keeps_a_finished_model_and_saves_the_new_weights_beside_it(
    capsys, tmp_path, monkeypatch
):
    data = write_csv(tmp_path / "d.csv", HEADER, rows())
    out = tmp_path / "m.glassnet"
    args = ["train", data, "--target", "label", "--out", out, "--epochs", "6", "--hidden", "4"]
    code, _, err = run(capsys, *args, "--seed", "0", "-q")
    assert code == 0, err
    finished = out.read_bytes()
    real = cli.fit

    def interrupted_fit(*a, **kw):
        return real(*a, **{**kw, "callbacks": [*kw["callbacks"], _StopAt3()]})

    monkeypatch.setattr(cli, "fit", interrupted_fit)
    for _ in range(2):  # (a second interruption replaces the first one's weights aside)
        code, stdout, _ = run(capsys, *args, "--seed", "1")
        assert code == 130
        assert out.read_bytes() == finished  # the finished run's model, untouched
        assert _stop_reason(tmp_path / "m.interrupted.glassnet") == "interrupted"
        assert "m.interrupted.glassnet holds the weights so far" in stdout
        assert "written by a finished run before this one, is kept" in stdout
    # a model that an interrupted run wrote is replaced by the next run, as before
    out.unlink()
    code, _, _ = run(capsys, *args, "--seed", "2", "-q")
    assert code == 130 and _stop_reason(out) == "interrupted"
    first = out.read_bytes()
    code, _, _ = run(capsys, *args, "--seed", "3", "-q")
    assert code == 130 and out.read_bytes() != first


def test_the_weights_set_aside_skip_the_checkpoints_name_and_say_how_to_resume(
    capsys, tmp_path, monkeypatch
):
    data = write_csv(tmp_path / "d.csv", HEADER, rows())
    out, ckpt = tmp_path / "m.glassnet", tmp_path / "m.interrupted.glassnet"
    args = ["train", data, "--target", "label", "--out", out, "--epochs", "6", "--hidden", "4"]
    code, _, err = run(capsys, *args, "--seed", "0", "-q")
    assert code == 0, err
    real = cli.fit

    def interrupted_fit(*a, **kw):
        return real(*a, **{**kw, "callbacks": [*kw["callbacks"], _StopAt3()]})

    monkeypatch.setattr(cli, "fit", interrupted_fit)
    code, stdout, _ = run(
        capsys, *args, "--seed", "1", "--checkpoint", ckpt, "--checkpoint-every", "2"
    )
    assert code == 130
    aside = tmp_path / "m.interrupted-2.glassnet"  # (the first name is the checkpoint's)
    assert _stop_reason(aside) == "interrupted" and load_checkpoint(ckpt)
    assert f"continue from the checkpoint '{ckpt}' with --resume" in stdout
