"""``glassnet predict --stream``: the file read a block of lines at a time, the same bytes
as the in-memory predict for every kind of model, errors naming the file's own lines, and
an --out written whole or not at all."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pytest

import glassnet.cli as cli
from tests.cli_helpers import assert_one_line_error, run

FAST = ["--epochs", "3", "--hidden", "6", "--seed", "0", "-q"]


def _table(n: int = 60, seed: int = 0) -> tuple[list[str], list[list[str]]]:
    """Rows with an id, two numbers (some missing), a colour, and targets of each kind."""
    rng = np.random.default_rng(seed)
    header = ["id", "a", "b", "color", "label", "kind", "price", "size", "hot", "cold"]
    rows = []
    for i in range(n):
        a, b = rng.normal(size=2) * 3
        color = ["red", "green", "blue"][i % 3]
        rows.append([
            f"r{i}", "" if i % 9 == 4 else f"{a:.3f}", f"{b:.3f}", color,
            "yes" if a + b > 0 else "no", ["x", "y", "z"][int(abs(a)) % 3],
            f"{1000 * a + 50 * b + 7:.2f}", f"{a - b:.4f}", "on" if a > 0 else "off",
            "1" if b > 0 else "0",
        ])  # fmt: skip
    return header, rows


def _write(path: Path, header: list[str], rows: list[list[str]], sep: str = ",",
           end: str = "\n", bom: bool = False) -> Path:  # fmt: skip
    text = end.join(sep.join(r) for r in [header, *rows]) + end
    path.write_bytes((("\ufeff" if bom else "") + text).encode("utf-8"))
    return path


#: train's options for each kind of model the command line trains
KINDS = {
    "binary": ["--target", "label", "--id", "id", "--impute", "mean", "--drop", "kind,price,"
               "size,hot,cold"],
    "multiclass": ["--target", "kind", "--impute", "mean", "--drop", "id,label,price,size,hot,"
                   "cold"],
    "regression": ["--target", "price", "--id", "id", "--impute", "median", "--drop",
                   "label,kind,size,hot,cold"],
    "multioutput": ["--target", "price,size", "--impute", "mean", "--drop", "id,label,kind,"
                    "hot,cold"],
    "multilabel": ["--target", "hot,cold", "--task", "multilabel", "--id", "id", "--impute",
                   "mean", "--drop", "label,kind,price,size"],
}  # fmt: skip


@pytest.fixture
def trained(tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch):
    monkeypatch.chdir(tmp_path)
    # the first block holds the file's first 256 KiB at least, where the in-memory reader
    # sniffs the delimiter (a test below): here blocks of the lines asked, for small files
    monkeypatch.setattr(cli, "_SNIFFED_BYTES", 0)
    header, rows = _table()
    _write(tmp_path / "train.csv", header, rows)
    models = {}
    for kind, options in KINDS.items():
        model = f"{kind}.glassnet"
        code, _, err = run(capsys, "train", "train.csv", *options, *FAST, "--out", model)
        assert code == 0, err
        models[kind] = f"{kind}.glassnet"
    return models


def _predict(capsys: pytest.CaptureFixture[str], *argv: object) -> tuple[int, str, str]:
    return run(capsys, "predict", *argv)


@pytest.mark.parametrize("kind", sorted(KINDS))
def test_stream_writes_the_same_bytes_for_every_kind_and_block_size(
    trained: dict[str, str], capsys: pytest.CaptureFixture[str], kind: str
) -> None:
    header, rows = _table(47, seed=3)  # (new rows: a missing cell at lines 6, 15, ...)
    _write(Path("new.csv"), header, rows)
    proba = ["--proba"] if kind in ("binary", "multiclass", "multilabel") else []
    code, out, err = _predict(capsys, trained[kind], "new.csv", "--out", "mem.csv", *proba)
    assert code == 0, err
    expected = Path("mem.csv").read_bytes()
    for chunk in ("1", "7", "100000"):
        code, out, err_s = _predict(capsys, trained[kind], "new.csv", "--out", "st.csv", *proba,
                                    "--stream", "--chunk-rows", chunk)  # fmt: skip
        assert code == 0, err_s
        assert Path("st.csv").read_bytes() == expected, (kind, chunk)
        assert out == "wrote 47 predictions to st.csv\n"
        assert err_s == err, (kind, chunk)  # the same notes, counted over the whole file
        code, out, _ = _predict(capsys, trained[kind], "new.csv", *proba, "--stream",
                                "--chunk-rows", chunk)  # fmt: skip
        assert code == 0 and out.encode() == expected  # (standard output)
    assert not [p for p in os.listdir(".") if p.endswith(".tmp")]


def test_stream_computes_rows_in_the_in_memory_batches(
    trained: dict[str, str], capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    # the network computes _PREDICT_BATCH rows at a time from the file's first, in memory
    # and streamed alike (a product's rounding may differ with its number of rows): blocks
    # of 7 lines feed batches of 5 rows across their ends
    monkeypatch.setattr(cli, "_PREDICT_BATCH", 5)
    header, rows = _table(53, seed=4)
    _write(Path("new.csv"), header, rows)
    for kind in ("multiclass", "regression"):
        _predict(capsys, trained[kind], "new.csv", "--out", f"{kind}-mem.csv")
        for chunk in ("1", "3", "7", "64"):
            code, _, err = _predict(capsys, trained[kind], "new.csv", "--out", f"{kind}.csv",
                                    "--stream", "--chunk-rows", chunk)  # fmt: skip
            assert code == 0, err
            assert Path(f"{kind}.csv").read_bytes() == Path(f"{kind}-mem.csv").read_bytes()


def test_a_bad_cell_in_a_later_block_names_its_own_line(
    trained: dict[str, str], capsys: pytest.CaptureFixture[str]
) -> None:
    header, rows = _table(40, seed=5)
    rows[20][2] = "abc"  # line 22, in block 3 of 7 rows (lines 16 to 22)
    _write(Path("new.csv"), header, rows)
    Path("st.csv").write_text("id,label\nold,yes\n")  # an earlier run's predictions
    code, _, err = _predict(capsys, trained["binary"], "new.csv", "--out", "mem.csv")
    assert code != 0
    assert "line 22" in err and "'b'" in err
    code, _, err_s = _predict(capsys, trained["binary"], "new.csv", "--out", "st.csv",
                              "--stream", "--chunk-rows", "7")  # fmt: skip
    assert code != 0
    assert_one_line_error(err_s, "line 22", "'b'", "new.csv")
    assert err_s == err  # the very error of the in-memory predict
    assert Path("st.csv").read_text() == "id,label\nold,yes\n"  # left as it was
    assert not [p for p in os.listdir(".") if p.endswith(".tmp")]
    assert not Path("mem.csv").exists()


def test_a_later_block_of_text_in_a_number_column_is_refused(
    trained: dict[str, str], capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(cli, "_PREDICT_BATCH", 7)  # (rows go out 7 at a time)
    header, rows = _table(40, seed=6)
    for r in rows[21:28]:  # lines 23 to 29: a whole block of text where the model has numbers
        r[1] = "high"
    _write(Path("new.csv"), header, rows)
    code, _, err_m = _predict(capsys, trained["binary"], "new.csv", "--out", "mem.csv")
    assert code != 0 and "line 23" in err_m
    code, out, err = _predict(capsys, trained["binary"], "new.csv", "--stream",
                              "--chunk-rows", "7")  # fmt: skip
    assert code != 0
    assert_one_line_error(err, "line 23", "'a'", "new.csv", "high")
    assert out.count("\n") == 1 + 21  # standard output: the rows before the block, as printed


def test_unknown_categories_are_counted_over_the_whole_file(
    trained: dict[str, str], capsys: pytest.CaptureFixture[str]
) -> None:
    header, rows = _table(30, seed=7)
    rows[3][3], rows[17][3], rows[25][3] = "pink", "pink", "teal"
    _write(Path("new.csv"), header, rows)
    code, _, err = _predict(capsys, trained["binary"], "new.csv", "--out", "st.csv",
                            "--stream", "--chunk-rows", "7")  # fmt: skip
    assert_one_line_error(err, "'pink'", "lines 2 to 8 of the file", "--unknown ignore")
    code, _, err_m = _predict(capsys, trained["binary"], "new.csv", "--out", "mem.csv",
                              "--unknown", "ignore")  # fmt: skip
    code, _, err_s = _predict(capsys, trained["binary"], "new.csv", "--out", "st.csv",
                              "--unknown", "ignore", "--stream", "--chunk-rows", "7")  # fmt: skip
    assert code == 0 and err_s == err_m and "3 cell(s)" in err_s
    assert Path("st.csv").read_bytes() == Path("mem.csv").read_bytes()


@pytest.mark.parametrize(
    "layout",
    ["bom-crlf", "semicolon-decimal-comma", "quoted", "blank-lines", "trailing-empty", "sep-line",
     "pandas-index"],
)  # fmt: skip
def test_messy_files_read_as_in_memory(
    trained: dict[str, str], capsys: pytest.CaptureFixture[str], layout: str
) -> None:
    header, rows = _table(25, seed=8)
    path = Path("new.csv")
    if layout == "bom-crlf":
        _write(path, header, rows, end="\r\n", bom=True)
    elif layout == "semicolon-decimal-comma":
        rows = [[c.replace(".", ",") for c in r] for r in rows]
        _write(path, header, rows, sep=";")
    elif layout == "quoted":
        rows = [[f'"{c}"' if j in (0, 3) else c for j, c in enumerate(r)] for r in rows]
        _write(path, [f'"{h}"' for h in header], rows)
    elif layout == "blank-lines":
        text = "\n".join(",".join(r) for r in [header, *rows]) + "\n"
        lines = text.split("\n")
        lines[5:5] = ["", ""]
        lines[14:14] = [",,,,,,,,,"]
        path.write_text("\n" + "\n".join(lines) + "\n\n")
    elif layout == "trailing-empty":
        _write(path, header, [r + ([""] if i % 4 == 0 else []) for i, r in enumerate(rows)])
    elif layout == "sep-line":
        path.write_text("sep=;\n" + "\n".join(";".join(r) for r in [header, *rows]) + "\n")
    else:  # pandas' to_csv: an unnamed first column of row numbers
        _write(path, ["", *header], [[str(i), *r] for i, r in enumerate(rows)])
    decimal = ["--decimal", ","] if layout == "semicolon-decimal-comma" else []
    code, _, err = _predict(capsys, trained["binary"], path, "--out", "mem.csv", "--proba",
                            *decimal)  # fmt: skip
    assert code == 0, err
    for chunk in ("1", "4", "1000"):
        code, _, err_s = _predict(capsys, trained["binary"], path, "--out", "st.csv", "--proba",
                                  *decimal, "--stream", "--chunk-rows", chunk)  # fmt: skip
        assert code == 0, err_s
        assert Path("st.csv").read_bytes() == Path("mem.csv").read_bytes(), (layout, chunk)
        assert err_s == err, (layout, chunk)


def test_a_shuffled_pandas_index_is_refused_with_what_to_do(
    trained: dict[str, str], capsys: pytest.CaptureFixture[str]
) -> None:
    header, rows = _table(6000, seed=9)  # (more than the first block's 256 KiB)
    order = np.random.default_rng(0).permutation(6000)
    _write(Path("new.csv"), ["", *header], [[str(i), *rows[i]] for i in order])
    assert _predict(capsys, trained["binary"], "new.csv", "--out", "mem.csv")[0] == 0
    code, _, err = _predict(capsys, trained["binary"], "new.csv", "--stream", "--chunk-rows", "4")
    assert code != 0
    assert_one_line_error(err, "unnamed first column", "index=False", "drop --stream")


def test_stream_refusals(trained: dict[str, str], capsys: pytest.CaptureFixture[str]) -> None:
    header, rows = _table(10, seed=10)
    _write(Path("new.csv"), header, rows)
    code, _, err = _predict(capsys, trained["binary"], "new.csv", "--chunk-rows", "5")
    assert_one_line_error(err, "--chunk-rows 5", "add --stream")
    code, _, err = _predict(capsys, trained["binary"], "new.csv", "--stream", "--chunk-rows", "0")
    assert code == 2 and "--chunk-rows" in err
    code, _, err = _predict(capsys, trained["binary"], "new.csv", "--stream", "--multiline-cells")
    assert_one_line_error(err, "--multiline-cells", "drop --stream")
    # a model trained without --impute: --impute would fill from this file's means
    _write(Path("full.csv"), header, [r for r in _table(40)[1] if r[1]])
    code, _, err = run(capsys, "train", "full.csv", "--target", "label", "--drop",
                       "id,kind,price,size,hot,cold", *FAST, "--out", "plain.glassnet")  # fmt: skip
    assert code == 0, err
    code, _, err = _predict(capsys, "plain.glassnet", "new.csv", "--stream", "--impute", "mean")
    assert_one_line_error(err, "--impute mean cannot be combined with --stream", "drop --stream")


def test_out_is_replaced_only_at_the_end(
    trained: dict[str, str], capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    header, rows = _table(30, seed=11)
    _write(Path("new.csv"), header, rows)
    Path("st.csv").write_text("id,label\nold,yes\n")
    os.chmod("st.csv", 0o640)
    killed = Path(".st.csv.999999999.abcd1234.tmp")  # a write killed two days ago
    killed.write_text("x")
    os.utime(killed, (killed.stat().st_mtime - 2 * 86400,) * 2)
    seen = []
    real = cli._prediction_rows

    def spy(*a: object, **k: object) -> None:  # the old file stays while rows are written
        seen.append(Path("st.csv").read_text())
        real(*a, **k)  # type: ignore[arg-type]

    monkeypatch.setattr(cli, "_prediction_rows", spy)
    monkeypatch.setattr(cli, "_PREDICT_BATCH", 8)
    code, _, err = _predict(capsys, trained["binary"], "new.csv", "--out", "st.csv", "--stream",
                            "--chunk-rows", "5")  # fmt: skip
    assert code == 0, err
    assert len(seen) == 4 and set(seen) == {"id,label\nold,yes\n"}
    assert Path("st.csv").read_text().count("\n") == 31
    assert os.stat("st.csv").st_mode & 0o777 == 0o640  # (its permissions kept)
    assert not [p for p in os.listdir(".") if p.endswith(".tmp")]  # (the killed one's too)


# ------------------------------------------------------------------ evaluate --stream


@pytest.mark.parametrize("kind", sorted(KINDS))
def test_evaluate_stream_prints_the_in_memory_report(
    trained: dict[str, str], capsys: pytest.CaptureFixture[str], kind: str
) -> None:
    header, rows = _table(47, seed=12)
    text = "\n".join(",".join(r) for r in [header, *rows]) + "\n"
    Path("new.csv").write_text(text.replace("\nr9,", "\n\nr9,"))  # (a blank line: a note)
    code, out, err = run(capsys, "evaluate", trained[kind], "new.csv")
    assert code == 0, err
    assert "47 rows from 49 lines (1 header, 1 blank)" in out
    for chunk in ("1", "7", "100000"):
        code, out_s, err_s = run(capsys, "evaluate", trained[kind], "new.csv", "--stream",
                                 "--chunk-rows", chunk)  # fmt: skip
        assert code == 0, err_s
        assert (out_s, err_s) == (out, err), (kind, chunk)


def test_evaluate_stream_sums_across_batches(
    trained: dict[str, str], capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(cli, "_PREDICT_BATCH", 5)
    header, rows = _table(53, seed=13)
    _write(Path("new.csv"), header, rows)
    for kind in ("multiclass", "multioutput", "multilabel"):
        out = run(capsys, "evaluate", trained[kind], "new.csv")[1]
        for chunk in ("3", "8"):
            code, out_s, err = run(capsys, "evaluate", trained[kind], "new.csv", "--stream",
                                   "--chunk-rows", chunk)  # fmt: skip
            assert code == 0, err
            assert out_s == out, (kind, chunk)


def test_evaluate_stream_names_a_later_block_s_bad_target_by_its_line(
    trained: dict[str, str], capsys: pytest.CaptureFixture[str]
) -> None:
    header, rows = _table(40, seed=14)
    rows[30][4] = "maybe"  # line 32: a label the model never saw
    rows[33][6] = "n/a?"  # line 35: a price that is no number
    _write(Path("new.csv"), header, rows)
    code, _, err = run(capsys, "evaluate", trained["binary"], "new.csv")
    code_s, out, err_s = run(capsys, "evaluate", trained["binary"], "new.csv", "--stream",
                             "--chunk-rows", "7")  # fmt: skip
    assert code_s == code == 2 and out == ""
    assert_one_line_error(err_s, "'maybe'", "line 32")
    assert err_s == err
    code, _, err = run(capsys, "evaluate", trained["regression"], "new.csv")
    code_s, out, err_s = run(capsys, "evaluate", trained["regression"], "new.csv", "--stream",
                             "--chunk-rows", "7")  # fmt: skip
    assert code_s == code == 2 and out == ""
    assert_one_line_error(err_s, "line 35", "'price'")
    assert err_s == err
    code, _, err = run(capsys, "evaluate", trained["binary"], "new.csv", "--chunk-rows", "7")
    assert_one_line_error(err, "--chunk-rows 7", "add --stream")


def test_memory_refusals_name_stream_and_chunk_rows(
    trained: dict[str, str], capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    header, rows = _table(20000, seed=15)
    _write(Path("big.csv"), header, rows)
    monkeypatch.setenv("GLASSNET_MEMORY_LIMIT", "6M")
    code, _, err = _predict(capsys, trained["binary"], "big.csv", "--out", "p.csv")
    assert_one_line_error(err, "into memory needs about", "with --stream")
    code, _, err = _predict(capsys, trained["binary"], "big.csv", "--out", "p.csv", "--stream",
                            "--chunk-rows", "20000")  # fmt: skip
    assert_one_line_error(err, "reading a block of 'big.csv'", "give a smaller --chunk-rows")
    assert not Path("p.csv").exists()
    code, out, err = _predict(capsys, trained["binary"], "big.csv", "--out", "p.csv", "--stream",
                              "--chunk-rows", "2000")  # fmt: skip
    assert code == 0 and out == "wrote 20000 predictions to p.csv\n", err


@pytest.mark.parametrize(
    "text",
    [  # a tab-separated file whose first rows alone sniff as one column (csv.Sniffer)
        '\r\nid\ta\tb\tcolor\tlabel\r\nr0\t\t3.829\tgreen\tyes\t\r\n"r1"\t"-0.610"\t"1.255"\t'
        '"green"\t"no"\r\nr2\t-0.639\t1.937\tgreen\tyes\r\n\t\t\t\t\r\nr3\t-0.003\t-2.793\t'
        "red\tyes\r\n",
        # Excel's sep= line after a byte-order mark: no header row
        '\ufeffsep=,\nid,a,b,color,label\nr0,,-0.364,green,no,\n"r1","1.106","2.526","blue",'
        '"no"\n  \nr3,-1.723,0.678,red,yes\n',
    ],
)
def test_the_first_block_reads_the_file_s_start_as_in_memory(
    trained: dict[str, str],
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    text: str,
) -> None:
    monkeypatch.setattr(cli, "_SNIFFED_BYTES", 1 << 18)  # (as it is)
    Path("new.csv").write_bytes(text.encode("utf-8"))
    expected = _predict(capsys, trained["binary"], "new.csv")
    assert expected[0] == 0, expected
    for chunk in ("1", "2"):
        got = _predict(capsys, trained["binary"], "new.csv", "--stream", "--chunk-rows", chunk)
        assert got == expected, chunk


def test_a_first_line_of_a_byte_order_mark_alone_is_blank(
    trained: dict[str, str], capsys: pytest.CaptureFixture[str]
) -> None:
    header, rows = _table(9, seed=16)
    text = "\ufeff\n" + "\n".join(",".join(r) for r in [header, *rows]) + "\n"
    Path("new.csv").write_bytes(text.encode("utf-8"))
    expected = _predict(capsys, trained["binary"], "new.csv")
    assert expected[0] == 0, expected
    for chunk in ("1", "4"):
        got = _predict(capsys, trained["binary"], "new.csv", "--stream", "--chunk-rows", chunk)
        assert got == expected, chunk


def test_blocks_are_cut_at_their_bytes_too(
    trained: dict[str, str], capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    # a block holds --chunk-rows lines and below 4 MiB of the file (the in-memory reader
    # estimates the memory of larger files first, which cost more than reading a block)
    monkeypatch.setattr(cli, "_BLOCK_BYTES", 300)  # (about 5 lines of these)
    header, rows = _table(40, seed=17)
    _write(Path("new.csv"), header, rows)
    expected = _predict(capsys, trained["multiclass"], "new.csv", "--proba")
    got = _predict(capsys, trained["multiclass"], "new.csv", "--proba", "--stream")
    assert got == expected and expected[0] == 0
    rows[33][2] = "1.2.3"  # line 35
    _write(Path("new.csv"), header, rows)
    code, _, err = _predict(capsys, trained["multiclass"], "new.csv", "--stream")
    assert_one_line_error(err, "'1.2.3' at line 35", "'b'")
    assert err == _predict(capsys, trained["multiclass"], "new.csv")[2]


def test_an_output_overflow_names_its_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(cli, "_PREDICT_BATCH", 4)
    rng = np.random.default_rng(1)
    rows = [[f"{a:.3f}", f"{b:.3f}", f"{3 * a - b:.3f}"] for a, b in rng.normal(size=(60, 2))]
    _write(Path("reg.csv"), ["a", "b", "y"], rows)
    code, _, err = run(capsys, "train", "reg.csv", "--target", "y", "--no-standardize", *FAST,
                       "--out", "reg.glassnet")  # fmt: skip
    assert code == 0, err
    rows[40][0] = "3e38"  # line 42: float32's largest, times the weights: inf
    _write(Path("new.csv"), ["a", "b", "y"], rows)
    code, _, err = _predict(capsys, "reg.glassnet", "new.csv", "--out", "p.csv")
    assert code == 2 and "line 42" in err
    code, _, err = _predict(capsys, "reg.glassnet", "new.csv", "--out", "p.csv", "--stream",
                            "--chunk-rows", "7")  # fmt: skip
    assert_one_line_error(err, "overflows float32", "at line 42", "--dtype float64")
    assert not Path("p.csv").exists()


def test_ctrl_c_midway_leaves_out_as_it_was(
    trained: dict[str, str], capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    header, rows = _table(30, seed=18)
    _write(Path("new.csv"), header, rows)
    Path("st.csv").write_text("id,label\nold,yes\n")
    calls = []
    real = cli._prediction_rows

    def interrupted(*a: object, **k: object) -> None:
        calls.append(1)
        if len(calls) == 2:
            raise KeyboardInterrupt
        real(*a, **k)  # type: ignore[arg-type]

    monkeypatch.setattr(cli, "_prediction_rows", interrupted)
    monkeypatch.setattr(cli, "_PREDICT_BATCH", 8)
    code, _, err = _predict(capsys, trained["binary"], "new.csv", "--out", "st.csv", "--stream",
                            "--chunk-rows", "5")  # fmt: skip
    assert code == 130, err
    assert Path("st.csv").read_text() == "id,label\nold,yes\n"
    assert not [p for p in os.listdir(".") if p.endswith(".tmp")]


def test_a_byte_that_is_no_utf8_in_a_later_block_is_named_as_in_memory(
    trained: dict[str, str], capsys: pytest.CaptureFixture[str]
) -> None:
    header, rows = _table(30, seed=19)
    _write(Path("new.csv"), header, rows)
    data = Path("new.csv").read_bytes().splitlines(keepends=True)
    data[25] = data[25].replace(b"r24", b"r\xff24")  # line 26, in the fourth block of 7
    Path("new.csv").write_bytes(b"".join(data))
    expected = _predict(capsys, trained["binary"], "new.csv")
    assert expected[0] == 2 and "line 26" in expected[2] and "offset" in expected[2]
    got = _predict(capsys, trained["binary"], "new.csv", "--stream", "--chunk-rows", "7")
    assert got == expected


def test_the_filled_cells_note_lists_columns_in_the_file_s_order(
    trained: dict[str, str], capsys: pytest.CaptureFixture[str]
) -> None:
    header, rows = _table(20, seed=20)
    for r in rows:
        r[1] = r[1] or "0.5"
    rows[1][2], rows[12][1] = "", ""  # b empty in the first block, a in a later one
    _write(Path("new.csv"), header, rows)
    expected = _predict(capsys, trained["binary"], "new.csv")
    assert "a (1), b (1)" in expected[2]
    assert (
        _predict(capsys, trained["binary"], "new.csv", "--stream", "--chunk-rows", "3") == expected
    )


def test_the_streamed_temporary_carries_this_machines_tag(
    trained: dict[str, str], capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    # its own .NAME.PID.XXXXXXXX.tmp lacked the tag atomic_write's carry: a kill -9's leftover
    # waited a day, as another machine's, before a later write removed it
    from glassnet.files import stale_temporaries, temporary_prefix

    header, rows = _table(30, seed=19)
    _write(Path("new.csv"), header, rows)
    seen = []
    real = cli._prediction_rows

    def look(*a: object, **k: object) -> None:
        seen.extend(p for p in os.listdir(".") if p.endswith(".tmp"))
        real(*a, **k)  # type: ignore[arg-type]

    monkeypatch.setattr(cli, "_prediction_rows", look)
    code, _, err = _predict(capsys, trained["binary"], "new.csv", "--out", "p.csv", "--stream")
    assert code == 0, err
    assert seen and all(p.startswith(temporary_prefix("p.csv")) for p in seen)
    killed = temporary_prefix("p.csv").replace(f".{os.getpid()}.", ".99999999.")
    Path(killed + "k1ll3d00.tmp").write_text("half")  # (no process 99999999 can exist)
    assert [p.name for p in stale_temporaries("p.csv")] == [killed + "k1ll3d00.tmp"]
