"""Round 22's stream mends: the line a late unseen category names, Columns.transform's
dtype, a late bad cell's advice, pandas_index as a bool, fit(model, 'x.csv.gz', target),
the function an error names, and the memory the statistics pass holds."""

from __future__ import annotations

import functools
import re
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest

import glassnet.cli as cli
from glassnet import stream
from tests.cli_helpers import assert_one_line_error, run


def _csv(path: Path, n: int, extra: dict[int, str] | None = None) -> Path:
    """``n`` rows of three numbers, a category and a 0/1 label; ``extra[i]`` after row i."""
    rng = np.random.default_rng(0)
    X = rng.normal(size=(n, 3))
    lines = ["x0,x1,x2,cat,label\n"]
    for i in range(n):
        cat = "abc"[i % 3]
        lines.append(f"{X[i, 0]:.4f},{X[i, 1]:.4f},{X[i, 2]:.4f},{cat},{int(X[i, 0] > 0)}\n")
        if extra and i in extra:
            lines.append(extra[i])
    path.write_text("".join(lines))
    return path


def test_stream_predict_names_the_block_of_a_late_unseen_category(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(cli, "_SNIFFED_BYTES", 0)
    _csv(tmp_path / "train.csv", 60)
    code, _, err = run(capsys, "train", "train.csv", "--target", "label", "--epochs", "1",
                       "--hidden", "4", "-q", "--out", "m.glassnet")  # fmt: skip
    assert code == 0, err
    _csv(tmp_path / "late.csv", 60, extra={39: "1,2,3,zz,1\n"})  # the file's line 42
    assert (tmp_path / "late.csv").read_text().splitlines()[41] == "1,2,3,zz,1"
    for command in ("predict", "evaluate"):
        code, _, err = run(capsys, command, "m.glassnet", "late.csv", "--stream",
                           "--chunk-rows", "10")  # fmt: skip
        assert code != 0
        assert_one_line_error(err, "not seen at fit", "'zz'")
        first, last = map(int, re.search(r"in lines (\d+) to (\d+) of the file", err).groups())
        assert first <= 42 <= last == first + 9, err


@pytest.mark.parametrize("dtype", [np.int32, bool, "banana", "int8"])
def test_columns_transform_refuses_a_dtype_that_is_not_floating(
    tmp_path: Path, dtype: object
) -> None:
    pa = pytest.importorskip("pyarrow")
    src = stream.from_csv(_csv(tmp_path / "s.csv", 30), "label", standardize=True)
    table = pa.table({"x0": [0.5], "x1": [1.0], "x2": [2.0], "cat": ["a"], "label": [1]})
    with pytest.raises(TypeError, match=r"The 'dtype' parameter of Columns.transform must be a "
                       r"floating dtype such as np.float32 or np.float64. Got "):  # fmt: skip
        src.columns.transform(table, dtype=dtype)
    X, _ = src.columns.transform(table, dtype=np.float64)
    assert X.dtype == np.float64 and X[0, 0] != 0


@pytest.mark.parametrize("flag", ["no", "False", 1, None])
def test_from_csv_pandas_index_must_be_a_bool(tmp_path: Path, flag: object) -> None:
    path = _csv(tmp_path / "s.csv", 30)
    with pytest.raises(TypeError, match=r"The 'pandas_index' parameter of from_csv must be a "
                       rf"bool \(True or False\). Got {re.escape(repr(flag))}"):  # fmt: skip
        stream.from_csv(path, "label", pandas_index=flag)


def test_a_late_text_or_empty_cell_among_numbers_gets_the_first_blocks_advice(
    tmp_path: Path,
) -> None:
    q = _csv(tmp_path / "q.csv", 400, extra={300: "1,?,3,a,1\n"})  # line 303
    with pytest.raises(ValueError) as e:
        stream.from_csv(q, "label", block_size=4096)
    text = str(e.value)
    assert "line 303: column 'x1' holds '?' where its first rows hold numbers" in text
    assert "missing=['', 'n/a', 'na', 'nan', 'null', '?']" in text
    assert "categorical=['x1']" in text and "one type throughout" not in text
    empty = _csv(tmp_path / "e.csv", 400, extra={300: "1,,3,a,1\n"})
    with pytest.raises(ValueError) as e:
        stream.from_csv(empty, "label", missing=["?"], block_size=4096)
    text = str(e.value)
    assert "line 303: column 'x1' has a missing value (an empty cell)" in text
    assert "missing=['?', '']" in text and "one type throughout" not in text
    # the first block's message gives the same advice, in the same words
    with pytest.raises(ValueError) as first:
        stream.from_csv(empty, "label", missing=["?"])
    advice = text.split("hold numbers: ")[1].rstrip(".")
    assert advice in str(first.value)


def test_a_late_text_cell_on_the_command_line_names_the_options(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(stream, "from_csv", functools.partial(stream.from_csv, block_size=4096))
    _csv(tmp_path / "q.csv", 400, extra={300: "1,zz,3,a,1\n"})
    code, _, err = run(capsys, "train", "q.csv", "--target", "label", "--stream", "-q")
    assert code != 0
    assert_one_line_error(err, "line 303: column 'x1' holds 'zz'", "pass --missing zz",
                          "pass --categorical x1")  # fmt: skip
    assert "from_csv" not in err and "categorical=[" not in err


def test_fit_reads_a_gzipped_csv_by_its_path_as_from_csv_does(tmp_path: Path) -> None:
    import gzip
    import shutil

    from glassnet import nn
    from glassnet.train import fit

    plain = _csv(tmp_path / "s.csv", 200)
    packed = tmp_path / "s.csv.gz"
    with open(plain, "rb") as f, gzip.open(packed, "wb") as g:
        shutil.copyfileobj(f, g)
    history = fit(nn.Sequential(nn.Linear(6, 2)), str(packed), "label", loss="cross_entropy",
                  batch_size=64, epochs=1, shuffle=False)  # fmt: skip
    assert history.epochs == 1
    # gzip bytes under a .csv name: said so, not a row of garbled cells
    shutil.copy(packed, tmp_path / "g.csv")
    with pytest.raises(ValueError, match=r"'.*g\.csv' is gzip-compressed"):
        stream.from_csv(tmp_path / "g.csv", "label")
    with pytest.raises(ValueError, match=r"stream\.from_csv\(path, target\)"):
        fit(nn.Sequential(nn.Linear(6, 2)), str(tmp_path / "s.json"), "label")


def test_errors_of_a_reader_called_directly_name_it_not_fit(tmp_path: Path) -> None:
    pytest.importorskip("pyarrow.parquet")
    import pandas as pd

    from glassnet import nn
    from glassnet.train import fit

    path = _csv(tmp_path / "s.csv", 30)
    pd.read_csv(path).to_parquet(tmp_path / "s.parquet")
    with pytest.raises(ValueError, match=r"^from_csv: the target column 'nope' is not in"):
        stream.from_csv(path, "nope")
    with pytest.raises(FileNotFoundError, match=r"^from_csv: no file at"):
        stream.from_csv(tmp_path / "nope.csv", "label")
    with pytest.raises(ValueError, match=r"^from_arrays: X has 5 rows but y has 4"):
        stream.from_arrays(np.zeros((5, 6)), np.zeros(4))
    for call in (
        lambda: stream.from_parquet(tmp_path / "s.parquet", "label", buffer_size=-3),
        lambda: stream.from_arrays(np.zeros((10, 3)), np.zeros(10), buffer_size=0),
    ):
        with pytest.raises(ValueError, match=r"The 'buffer_size' parameter of from_(parquet|"
                           r"arrays) must be an int >= 1"):  # fmt: skip
            call()
    # fit reading a path says fit, as before
    with pytest.raises(ValueError, match=r"^fit: the target column 'nope' is not in"):
        fit(nn.Sequential(nn.Linear(6, 2)), str(path), "nope", loss="cross_entropy")


ROOT = Path(__file__).resolve().parents[1]


def test_stream_rss_measures_the_block_size_asked_and_the_docs_say_what_the_peak_holds(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """docs/scaling.md said the peak depends 'not on the file'; it grows with a file of up
    to about 40 blocks (pyarrow's read-ahead), measured with stream_rss.py --block-size."""
    import json
    import os
    import subprocess
    import sys

    pytest.importorskip("pyarrow")
    monkeypatch.syspath_prepend(str(ROOT / "bench"))
    import stream_rss

    path = _csv(tmp_path / "s.csv", 300)
    env = {**os.environ, "PYTHONPATH": str(ROOT), "OPENBLAS_NUM_THREADS": "1"}
    proc = subprocess.run([sys.executable, "-c", stream_rss.TRAIN, str(path), "4096"],
                          capture_output=True, text=True, env=env, timeout=120)  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    r = json.loads(proc.stdout.strip().splitlines()[-1])
    assert r["block_size"] == 4096 and r["rows"] == 300
    assert 0 < r["stats_peak_rss_mb"] <= r["peak_rss_mb"]
    with pytest.raises(SystemExit):
        stream_rss.main(["--block-size", "0"])
    docs = (ROOT / "docs" / "scaling.md").read_text()
    assert "`buffer_size`, not on the file. (" not in docs
    assert "up to 32 blocks of `block_size` bytes" in docs
    assert "`python bench/stream_rss.py --sizes\n0.01,0.03,0.06,0.12,0.24`" in docs


def test_the_name_an_error_starts_with_follows_the_entry_point_not_the_import_path(
    tmp_path: Path,
) -> None:
    """fit(model, path, target) says fit: even where glassnet was imported through a path
    with '..' in it (the name is passed, not guessed from the calling frame's file)."""
    import subprocess
    import sys

    _csv(tmp_path / "s.csv", 20)
    repo = Path(__file__).resolve().parent
    script = (
        "import sys\n"
        f"sys.path.insert(0, {str(repo / '..')!r})\n"
        "from glassnet import nn\n"
        "from glassnet.train import fit\n"
        "try:\n"
        "    fit(nn.Sequential(nn.Linear(4, 2)), 's.csv', 'nope', loss='cross_entropy')\n"
        "except ValueError as e:\n"
        "    print(str(e)[:40])\n"
    )
    out = subprocess.run([sys.executable, "-c", script], cwd=tmp_path, capture_output=True,
                         text=True, timeout=60)  # fmt: skip
    assert out.stdout.startswith("fit: the target column 'nope'"), out.stdout + out.stderr


def test_a_reader_s_errors_carry_one_name_in_every_pass(tmp_path: Path) -> None:
    """A data error reads the same whichever pass finds it: from_csv's own name for a
    stream the user made (the statistics pass and fit's epochs alike), fit's for a path
    given to fit, and the name a caller passes."""
    from glassnet import nn
    from glassnet.train import fit

    path = _csv(tmp_path / "s.csv", 40)
    with pytest.raises(ValueError, match=r"^fit: the target column 'nope'"):
        stream.from_csv(path, "nope", caller="fit")
    with pytest.raises(ValueError, match=r"^glassnet train: the target column 'nope'"):
        stream.from_csv(path, "nope", caller="glassnet train")
    src = stream.from_csv(path, "label")
    with open(path, "a") as f:  # (found by the epoch, not the statistics pass)
        f.write("0.1,0.2,0.3,a,1\n")
    with pytest.raises(ValueError, match=r"^from_csv: '.*s\.csv' changed after"):
        fit(nn.Sequential(nn.Linear(6, 2)), src, None, loss="cross_entropy", batch_size=8)
    X = np.lib.format.open_memmap(tmp_path / "x.npy", mode="w+", shape=(5, 2))
    with pytest.raises(ValueError, match=r"^fit: X has 5 rows but y has 4"):
        fit(nn.Sequential(nn.Linear(2, 1)), X, np.zeros(4), loss="mse", batch_size=2)


def test_a_gzipped_file_is_recognised_by_its_suffix_in_any_case(tmp_path: Path) -> None:
    """G.CSV.GZ is decompressed as g.csv.gz is (as .CSV is read as .csv); a gzipped
    Parquet file is refused saying so (Parquet compresses inside the file)."""
    import gzip
    import shutil

    pytest.importorskip("pyarrow.parquet")
    import pandas as pd

    from glassnet import nn
    from glassnet.train import fit

    plain = _csv(tmp_path / "s.csv", 50)
    with open(plain, "rb") as f, gzip.open(tmp_path / "G.CSV.GZ", "wb") as g:
        shutil.copyfileobj(f, g)
    history = fit(nn.Sequential(nn.Linear(6, 2)), str(tmp_path / "G.CSV.GZ"), "label",
                  loss="cross_entropy", batch_size=16, epochs=1)  # fmt: skip
    assert history.epochs == 1
    src = stream.from_csv(tmp_path / "G.CSV.GZ", "label")
    assert sum(len(c[0]) for c in src.chunks()) == 50
    pd.read_csv(plain).to_parquet(tmp_path / "s.parquet")
    for name in ("s.parquet.gz", "S.PQ.GZ"):
        with open(tmp_path / "s.parquet", "rb") as f, gzip.open(tmp_path / name, "wb") as g:
            shutil.copyfileobj(f, g)
        with pytest.raises(ValueError, match=r"^fit: '.*' is gzip-compressed.*gunzip"):
            fit(nn.Sequential(nn.Linear(6, 2)), str(tmp_path / name), "label",
                loss="cross_entropy", batch_size=16)  # fmt: skip
    with pytest.raises(ValueError, match=r"^from_parquet: '.*' is gzip-compressed.*gunzip"):
        stream.from_parquet(tmp_path / "s.parquet.gz", "label")


def _rows(n: int) -> list[str]:
    rng = np.random.default_rng(1)
    return [f"{rng.normal():.3f},{rng.normal():.3f},{i % 2}" for i in range(n)]


def _text(lines: list[str], nl: str = "\n", bom: bool = False) -> str:
    return ("\ufeff" if bom else "") + nl.join(lines) + nl


_H, _R = "x0,x1,label", _rows(40)
#: Messy CSV texts that the mending reader mends or that an error names by line.
_MESSY = {
    "blank lines": _text([_H, *_R[:10], "", "", *_R[10:]]),
    "a row of blank cells": _text([_H, *_R[:10], ",,", *_R[10:]]),
    "a blank line before the header": _text(["", _H, *_R[:5], ",,", *_R[5:]]),
    "a row ending in an empty field": _text([_H, *_R[:10], _R[10] + ",", *_R[11:]]),
    "a ragged row": _text([_H, *_R[:30], _R[30] + ",5", *_R[31:]]),
    "a late bad cell": _text([_H, *_R[:33], "zz,1,0", *_R[33:]]),
    "a late empty cell": _text([_H, *_R[:33], ",1,0", *_R[33:]]),
    "a repeated header": _text([_H, *_R[:20], _H, *_R[20:]]),
    "CRLF and a bad cell": _text([_H, *_R[:33], "zz,1,0", *_R[33:]], nl="\r\n"),
    "CRLF and mended rows": _text([_H, *_R[:10], _R[10] + ",", "", *_R[11:]], nl="\r\n"),
    "a BOM and a mended row": _text([_H, *_R[:10], _R[10] + ",", *_R[11:]], bom=True),
    "a BOM and a bad cell": _text([_H, *_R[:33], "zz,1,0", *_R[33:]], bom=True),
    "semicolons": _text([x.replace(",", ";") for x in [_H, *_R]]),
    "a sep= line": _text(["sep=,", _H, *_R]),
    "a comment line": _text([_H, *_R[:10], "# a note", *_R[10:]]),
    "a stray quote": _text([_H, *_R[:10], '"1.0,2,0', *_R[10:]]),
    "a value in an unnamed column": _text(
        ["x0,x1,label,", *[x + "," for x in _R[:10]], _R[10] + ",7", *[x + "," for x in _R[11:]]]
    ),
}


def _outcome(call: Callable[[], object], folder: Path) -> object:
    """What ``call`` gives, or its error's type and text (the file's name without .gz)."""
    try:
        return call()
    except Exception as e:  # noqa: BLE001 (compared, plain file against gzipped)
        return type(e).__name__, str(e).replace(str(folder), "D").replace(".csv.gz", ".csv")


@pytest.mark.parametrize("case", list(_MESSY))
def test_a_gzipped_messy_csv_reads_as_the_plain_one(tmp_path: Path, case: str) -> None:
    """The mending reader, the delimiter's sniffing, the sep= check and the helpers that name
    a bad row's line read a .csv.gz decompressed: it trains to the same model bit for bit,
    or fails with the same error and line (each read the compressed bytes: a ragged row
    became 'line 2 has 2 cells', a bad cell's line '?', a sep= line went unseen)."""
    import gzip

    import glassnet as gn
    from glassnet import nn
    from glassnet.train import fit

    data = _MESSY[case].encode()
    plain, packed = tmp_path / "s.csv", tmp_path / "s.csv.gz"
    plain.write_bytes(data)
    packed.write_bytes(gzip.compress(data))

    def trained(path: Path) -> list[bytes]:
        gn.manual_seed(0)
        model = nn.Sequential(nn.Linear(2, 2))
        fit(model, str(path), "label", loss="cross_entropy", batch_size=8, epochs=2,
            shuffle=False)  # fmt: skip
        return [np.asarray(p.data).tobytes() for p in model.parameters()]

    def streamed(path: Path, **kw: object) -> object:
        s = stream.from_csv(path, "label", **kw)
        chunks = [tuple(np.asarray(a).tobytes() for a in c if a is not None) for c in s.chunks()]
        return chunks, s.columns.line_notes

    for call in (trained, streamed):
        a, b = (_outcome(functools.partial(call, p), tmp_path) for p in (plain, packed))
        assert a == b, (call.__name__, a if isinstance(a, tuple) else "trained", b)


@pytest.mark.parametrize("row", ["zz,1,0", ",1,0", "0.5,1,0,9", ",,", "0.5,1,0,", "# x", _H])
def test_a_gzipped_csv_s_late_messy_row_reads_as_the_plain_one(tmp_path: Path, row: str) -> None:
    """A messy row past the first block (the reader read again, mended, or the row's line
    looked up): the same in a .csv.gz as in the .csv."""
    import gzip

    rows = _rows(300)
    data = _text([_H, *rows[:250], row, *rows[250:]]).encode()
    (tmp_path / "s.csv").write_bytes(data)
    (tmp_path / "s.csv.gz").write_bytes(gzip.compress(data))

    def streamed(name: str) -> object:
        s = stream.from_csv(tmp_path / name, "label", block_size=512)
        chunks = [tuple(np.asarray(a).tobytes() for a in c if a is not None) for c in s.chunks()]
        return chunks, s.columns.line_notes

    a, b = (_outcome(functools.partial(streamed, n), tmp_path) for n in ("s.csv", "s.csv.gz"))
    assert a == b


def test_a_csv_named_gz_that_is_not_gzipped_is_said_so(tmp_path: Path) -> None:
    (tmp_path / "t.csv.gz").write_text("a,label\n1,0\n2,1\n")
    with pytest.raises(ValueError, match=r"^from_csv: '.*t\.csv\.gz' is named \.gz but is not "
                       r"gzip-compressed .*name it without \.gz"):  # fmt: skip
        stream.from_csv(tmp_path / "t.csv.gz", "label")


def _gz_rows(n: int) -> bytes:
    import gzip

    return gzip.compress(("x0,x1,label\n" + _text(_rows(n))).encode())


def _cut_gz(raw: bytes, how: str) -> bytes:
    """``raw`` cut at half its bytes, or with its tail's CRC damaged."""
    if how == "half":
        return raw[: len(raw) // 2]
    damaged = bytearray(raw)
    damaged[-6] ^= 0xFF  # (the CRC-32, in the 8 bytes of the tail)
    return bytes(damaged)


def _cannot_decompress(caller: str, path: Path) -> str:
    return re.escape(
        f"{caller}: cannot decompress '{path}': it is cut off or damaged (gzip -t tests it)"
    )


@pytest.mark.parametrize("how", ["half", "crc"])
@pytest.mark.parametrize("n", [30, 3000])
def test_a_cut_off_or_damaged_gz_is_said_so_by_from_csv_and_fit(
    tmp_path: Path, how: str, n: int
) -> None:
    """A .csv.gz cut off (an interrupted download or copy) or damaged is said so, naming
    the file and the reader (it was a bare EOFError, or pyarrow's 'Truncated compressed
    stream' / 'zlib inflate failed'), in the command line's words."""
    import glassnet as gn

    path = tmp_path / "x.csv.gz"
    path.write_bytes(_cut_gz(_gz_rows(n), how))
    with pytest.raises(ValueError, match=_cannot_decompress("from_csv", path)):
        stream.from_csv(str(path), "label")
    with pytest.raises(ValueError, match=_cannot_decompress("fit", path)):
        gn.fit(gn.nn.MLP([2, 4, 1]), str(path), "label", epochs=1, verbose=0)


@pytest.mark.parametrize("how", ["half", "crc"])
def test_a_gz_cut_off_before_a_later_pass_is_said_so_in_that_pass(
    tmp_path: Path, how: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A .csv.gz of several blocks, cut off after the reader was made (after the first
    block's compressed bytes): the later pass (fit's next epoch) says so too. (The file's
    stamp check is off here: it stands for a damage the stamp does not show, as a bad disk
    block or a network file system's.)"""
    monkeypatch.setattr(stream, "_unchanged", lambda path, read_as: None)
    path = tmp_path / "x.csv.gz"
    raw = _gz_rows(20000)
    path.write_bytes(raw)
    for caller in ("from_csv", "fit"):
        s = stream.from_csv(str(path), "label", block_size=4096, caller=caller)
        path.write_bytes(raw[: len(raw) * 3 // 4] if how == "half" else _cut_gz(raw, how))
        chunks = s._chunks()
        next(chunks)  # (the first block is whole)
        with pytest.raises(ValueError, match=_cannot_decompress(caller, path)):
            list(chunks)
        path.write_bytes(raw)


@pytest.mark.parametrize("caller", ["", "  ", 3, None, b"fit"])
def test_a_reader_s_caller_must_be_a_name(tmp_path: Path, caller: object) -> None:
    """``caller=`` names the caller, that errors begin with: a non-empty str (caller=''
    began them ': no file at ...')."""
    with pytest.raises(
        (TypeError, ValueError), match=r"The 'caller' parameter of from_csv must be"
    ) as info:
        stream.from_csv(str(tmp_path / "nope.csv"), "label", caller=caller)
    assert repr(caller) in str(info.value)
    with pytest.raises((TypeError, ValueError), match=r"'caller' parameter of from_arrays"):
        stream.from_arrays(np.zeros((4, 2)), np.zeros(4), caller=caller)


@pytest.mark.parametrize("how", ["half", "crc"])
def test_the_command_line_says_a_cut_off_gz_in_the_reader_s_words(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, how: str
) -> None:
    """glassnet train on a cut-off or damaged .csv.gz says what from_csv says (one wording,
    stream.cannot_decompress), with the file's name as given."""
    data = tmp_path / "s.csv.gz"
    data.write_bytes(_cut_gz(_gz_rows(3000), how))
    argv = ("train", data, "--target", "label", "--epochs", "1", "--out", tmp_path / "m")
    code, _, err = run(capsys, *argv)
    assert code == 2
    assert_one_line_error(err, stream.cannot_decompress(data))
