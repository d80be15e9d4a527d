"""The command line's advice for the texts of a number column (proposed with the cli diff)."""

from cli_helpers import assert_one_line_error, run


def test_every_marker_and_the_categorical_flag_on_the_command_line(capsys, tmp_path):
    cells = ["1.5", "NA", "2", "?", "N/A", "3", "-", "", "4", "null", "5", "NaN", "?", "6"] * 3
    p = tmp_path / "m.csv"
    p.write_text("a,label\n" + "".join(f"{c},{'ny'[i % 2]}\n" for i, c in enumerate(cells)))
    code, out, err = run(capsys, "train", p, "--target", "label", "--impute", "mean",
                         "--out", tmp_path / "m.glassnet")  # fmt: skip
    assert code == 2
    assert_one_line_error(
        err, "Its texts, with their counts of cells: '?' (6), '-' (3).",
        "If '?' and '-' mark missing cells, list every text that does with --missing, e.g. "
        "--missing '' --missing N/A --missing NA --missing NaN --missing null --missing '?' "
        "--missing -.",  # (the default's texts the column holds too: --missing replaces it)
    )  # fmt: skip
    cells = ["1", "abc", "2", "3", "12kg", "4", "abc", "5"] * 3
    p.write_text("w,label\n" + "".join(f"{c},{'ny'[i % 2]}\n" for i, c in enumerate(cells)))
    code, out, err = run(capsys, "train", p, "--target", "label", "--out", tmp_path / "m.glassnet")
    assert code == 2
    assert_one_line_error(
        err, "If the column holds categories ('abc', '12kg'), pass --categorical w (its numbers "
        "are then categories too).",
    )  # fmt: skip
    assert "missing=" not in err and "categorical=" not in err
