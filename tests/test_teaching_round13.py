"""The teaching surface: exercise sheets written whole, the separable-weights answers graded
with their reason, the explanation of a saturated output, the graph's labels."""

from __future__ import annotations

from pathlib import Path

import pytest

from glassnet import exercises as X
from glassnet.cli import main


def _sheet(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir()) if p.is_file()}


# ------------------------------------------------------------------ 2. a sheet written whole
def test_a_folder_in_the_way_leaves_the_earlier_sheet_whole_and_says_which(tmp_path, capsys):
    out = tmp_path / "mix"
    assert main(["exercise", "--seed", "1", "--out", str(out)]) == 0
    (out / "answers.md").unlink()
    (out / "answers.md").mkdir()
    seed1 = _sheet(out)
    assert main(["exercise", "--seed", "2", "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert _sheet(out) == seed1  # nothing of seed 2 (its questions.md came before)
    assert f"{str(out / 'answers.md')!r} is a folder, in the way of that file" in err
    assert "move or rename it, or choose another folder. Nothing was written." in err
    assert "give a file path inside it" not in err  # the user gave the folder


def test_a_write_that_fails_midway_puts_back_the_files_before_it(tmp_path, monkeypatch):
    X.write(1, tmp_path)
    (tmp_path / "notes.txt").write_text("mine\n")  # a file of the user's, kept
    (tmp_path / "answers.html").unlink()  # written new by the failing write, then removed
    seed1 = _sheet(tmp_path)
    real = X.atomic_write

    def failing(path, data):
        if Path(path).name == "key.json":
            raise X.WriteError(f"cannot write '{path}' (No space left on device)")
        return real(path, data)

    monkeypatch.setattr(X, "atomic_write", failing)
    with pytest.raises(X.WriteError, match="No space left on device"):
        X.write(2, tmp_path)
    assert _sheet(tmp_path) == seed1
