"""The command line's round-9 fixes: a quoted header row after a byte-order mark (a second
file joined in) recognised as the header row again, in memory and streamed."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from cli_helpers import FAST, assert_one_line_error, run

pytest.importorskip("pyarrow")


def _lines(n: int = 30, seed: int = 0, text: bool = False) -> list[str]:
    """``n`` data lines of ``a,b,y`` (b a text column when ``text``), y a 0/1 label."""
    rng = np.random.default_rng(seed)
    out = []
    for i in range(n):
        a = rng.normal()
        b = ["x", "z"][i % 2] if text else f"{rng.normal():.3f}"
        out.append(f"{a:.3f},{b},{int(a > 0)}")
    return out


# ------------------------------------------- a quoted header after a byte-order mark


@pytest.mark.parametrize("text", [False, True])
@pytest.mark.parametrize("stream", [False, True])
def test_quoted_header_after_a_bom_is_the_header_again(capsys, tmp_path, text, stream):
    """Two Excel 'CSV UTF-8' files with quoted headers joined into one (cat a.csv b.csv):
    the second one's header row, ``\\ufeff"a","b","y"``, is the header row again, not the
    value '\\ufeff"a"' of column a (the byte-order mark kept the quote from opening the
    cell, so the name stayed quoted)."""
    one = '\ufeff"a","b","y"\n' + "\n".join(_lines(text=text)) + "\n"
    data = tmp_path / "joined.csv"
    data.write_text(one + one, encoding="utf-8")
    flags = ["--stream"] if stream else []
    code, _, err = run(
        capsys, "train", data, "--target", "y", "--out", tmp_path / "m.glassnet", *FAST, *flags
    )
    assert code == 2, err
    assert_one_line_error(err, "header row", "byte-order mark (U+FEFF)", "remove that line")
    if not stream:
        assert "line 32 of" in err
    assert '\\ufeff"a"' not in err


# ------------------------------------------------------------- '-' as an output path


def _small(tmp_path: Path) -> Path:
    data = tmp_path / "d.csv"
    data.write_text("a,b,y\n" + "\n".join(_lines()) + "\n")
    return data


@pytest.mark.parametrize(
    ("argv", "flag", "kind"),
    [
        (["train", "D", "--target", "y", "--out", "-"], "argument --out:", "file"),
        (
            ["train", "D", "--target", "y", "--checkpoint-every", "1", "--checkpoint", "-"],
            "argument --checkpoint:",
            "file",
        ),
        (["export", "m.glassnet", "-"], "argument OUT.onnx:", "file"),
        (["exercise", "--out", "-"], "argument --out:", "folder"),
    ],
)
def test_dash_as_a_file_to_write_is_refused(capsys, tmp_path, monkeypatch, argv, flag, kind):
    """'-' stands for standard input as the data argument (and standard output as predict's
    --out); given to an option that writes a file (train's model and checkpoint, export's
    ONNX file, exercise's folder) it wrote one named '-' in the working directory."""
    monkeypatch.chdir(tmp_path)
    data = _small(tmp_path)
    code, out, err = run(capsys, *[str(data) if a == "D" else a for a in argv], *FAST)
    assert code == 2, err
    assert_one_line_error(
        err, flag, "'-' would write", f"to a {kind} named '-'", "standard output",
        f"give a {kind} name such as", f"./- for a {kind} named '-'",
    )  # fmt: skip
    assert not (tmp_path / "-").exists()
    assert out == ""


def test_dash_stays_standard_output_for_predict_and_a_path_can_name_a_file_dash(
    capsys, tmp_path, monkeypatch
):
    """./- writes a file named '-' when that is what is meant; predict's --out - is
    standard output, as documented."""
    monkeypatch.chdir(tmp_path)
    data = _small(tmp_path)
    code, _, err = run(capsys, "train", data, "--target", "y", "--out", "./-", *FAST)
    assert code == 0, err
    assert (tmp_path / "-").is_file()
    code, out, err = run(capsys, "predict", "./-", data, "--out", "-")
    assert code == 0, err
    assert out.splitlines()[0] == "y" and len(out.splitlines()) == 31


# ------------------------------------------- '?' and '-' among a streamed text column


def test_missing_marks_are_noted_under_stream_too(capsys, tmp_path):
    """A text column holding '?' and '-' beside its values gets the in-memory note (how
    many rows hold each, the --missing flags), under --stream too, with a stream's fix (it
    cannot impute)."""
    rng = np.random.default_rng(1)
    marks = rng.choice(["red", "blue", "?", "-"], 40, p=[0.4, 0.4, 0.1, 0.1])
    lines = [f"{rng.normal():.3f},{m},{i % 2}" for i, m in enumerate(marks)]
    data = tmp_path / "d.csv"
    data.write_text("a,color,y\n" + "\n".join(lines) + "\n")
    shown = f"'-' ({np.sum(marks == '-')} row(s)), '?' ({np.sum(marks == '?')} row(s))"
    notes = {}
    for stream in (False, True):
        flags = ["--stream"] if stream else []
        code, _, err = run(
            capsys, "train", data, "--target", "y", "--out", tmp_path / "m.glassnet", *FAST, *flags
        )
        assert code == 0, err
        notes[stream] = [x for x in err.splitlines() if x.startswith("glassnet: note: ")]
        assert len(notes[stream]) == 1, err
        assert f"the text column 'color' holds {shown}" in notes[stream][0]
        assert "--missing '' --missing - --missing '?'" in notes[stream][0]
    assert "without --stream) with --impute mean" in notes[True][0]
    assert "fill or drop those rows" in notes[True][0]


def test_stream_columns_count_each_category(tmp_path):
    """from_csv's statistics pass counts the rows of each category, in every block."""
    from glassnet.stream import from_csv

    data = tmp_path / "d.csv"
    cells = ["x", "z", "x", "?", "x"] * 400
    data.write_text("c,y\n" + "".join(f"{c},{i % 2}\n" for i, c in enumerate(cells)))
    cols = from_csv(data, "y", block_size=1 << 10).columns
    assert cols.categories["c"] == ["?", "x", "z"]
    assert cols.category_counts["c"] == [400, 1200, 400]
