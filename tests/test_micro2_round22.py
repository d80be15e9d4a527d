"""Round 22 (micro2): the note of --impute mean|median on predict, evaluate and explain of a
model trained without --impute names each column's fill (a text column's is its most
frequent value, not a 'column mean')."""

from __future__ import annotations

import pytest
from cli_helpers import FAST, run, write_csv

from glassnet.cli import main


@pytest.mark.parametrize("command", ["predict", "evaluate", "explain"])
def test_the_impute_note_names_each_columns_fill(capsys, tmp_path, command):
    rows = [[f"{i % 5 * 0.3:.1f}", "rgb"[i % 3], "yn"[i % 2]] for i in range(30)]
    data = write_csv(tmp_path / "train.csv", ["a", "c", "y"], rows)
    model = tmp_path / "m.glassnet"
    assert main(["train", str(data), "--target", "y", "--out", str(model), *FAST]) == 0
    holes = write_csv(
        tmp_path / "holes.csv", ["a", "c", "y"], [["", "r", "y"], ["0", "", "n"], ["1", "g", "y"]]
    )
    extra = ["--row", "1"] if command == "explain" else []
    code, _, err = run(capsys, command, model, holes, "--impute", "median", *extra)
    assert code == 0, err
    assert (
        f"filled 2 missing cell(s) of '{holes}' from this file's columns: "
        "a (1, median), c (1, most frequent)"
    ) in err
