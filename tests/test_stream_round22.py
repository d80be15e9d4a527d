"""Round 22's stream mends: the line a late unseen category names, Columns.transform's
dtype, a late bad cell's advice, pandas_index as a bool, fit(model, 'x.csv.gz', target),
the function an error names, and the memory the statistics pass holds."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pytest

import glassnet.cli as cli
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
