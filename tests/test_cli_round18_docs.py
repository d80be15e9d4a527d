"""docs/cli.md's model-file sizes are those its own commands give: the page was made by
running them in one folder, and `glassnet info`'s byte counts (and a truncated file's
header length) went stale silently when the model description gained keys (5820 bytes
shown for 6004). The page's data-making blocks and train commands run here, as the page
runs them, and each size it shows is compared with the file made now."""

from __future__ import annotations

import contextlib
import io
import re
import subprocess
from pathlib import Path

import pytest

DOC = Path(__file__).resolve().parent.parent / "docs" / "cli.md"

#: The width of the training time that a model file records, in the page's runs and in
#: any between 0.001 and 9.999 s: train writes it to the millisecond ("0.052"). The sizes
#: are compared with the time's digits taken as this many, so exactly: a key more in the
#: model description moves them (safetensors pads the header to a multiple of 8 bytes).
TIME_WIDTH = 5


def normalised(path: Path) -> tuple[int, int]:
    """(the file's size, its header length field) with its recorded training time written
    TIME_WIDTH characters wide: the sizes of the page's run, whatever this run's time."""
    raw = path.read_bytes()
    n = int.from_bytes(raw[:8], "little")
    header = raw[8 : 8 + n]
    times = re.findall(rb'\\"seconds\\": ([-+.0-9eE]+)[,}]', header)
    assert len(times) == 1, header[:200]
    unpadded = len(header.rstrip(b" ")) - len(times[0]) + TIME_WIDTH
    padded = -(-unpadded // 8) * 8
    return 8 + padded + (len(raw) - 8 - n), padded


# The header is padded to a multiple of 8 bytes, and it holds the test set's scores as JSON
# numbers written at their shortest: one more or one fewer digit there (the trained weights'
# last bits depend on the BLAS kernel OpenBLAS picks for the CPU at run time: Haswell's and
# SkylakeX's differ) can move the padded header, and the file, by one step of 8 bytes.
PAD = 8


def page() -> str:
    return DOC.read_text(encoding="utf-8")


def bash_block(needle: str) -> str:
    """The page's ```bash block that holds ``needle`` (a data-making script)."""
    blocks = re.findall(r"```bash\n(.*?)```", page(), flags=re.S)
    return next(b for b in blocks if needle in b)


def command(pattern: str) -> list[str]:
    """The arguments of the page's ``$ glassnet ...`` line that matches ``pattern``."""
    m = re.search(rf"^\$ glassnet ({pattern})$", page(), re.M)
    assert m, f"docs/cli.md: no command {pattern}"
    return m.group(1).split()


def glassnet(*argv: str) -> tuple[int, str, str]:
    from glassnet.cli import main

    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(list(argv))
    return code, out.getvalue(), err.getvalue()


def shown_after(line: str) -> str:
    """The page's output line after the command ``line`` (the line that follows it)."""
    m = re.search(rf"^\$ {re.escape(line)}\n(.*)$", page(), re.M)
    assert m, f"docs/cli.md: no output after $ {line}"
    return m.group(1)


def size_line(text: str, name: str) -> tuple[int, str]:
    """(bytes, the line with its count taken out) of `glassnet info NAME`'s first line."""
    m = re.fullmatch(rf"{re.escape(name)}: glassnet model file, (\d+) bytes, (.*)", text)
    assert m, text
    return int(m.group(1)), m.group(2)


@pytest.fixture
def made(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The page's files, made as it makes them: moons.csv and model.glassnet, fruit.csv and
    fruit.glassnet (the page's own commands, in its order)."""
    pytest.importorskip("safetensors")
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("COLUMNS", "100")  # (the width the page was made at)
    for needle in ('write("moons.csv"', "cat > fruit.csv"):
        subprocess.run(["bash", "-c", bash_block(needle)], check=True, cwd=tmp_path)
    for argv in (command(r"train moons\.csv --target moon"),
                 command(r"train fruit\.csv .*--out fruit\.glassnet")):  # fmt: skip
        code, _, err = glassnet(*argv, "-q")
        assert code == 0, err
    return tmp_path


@pytest.mark.parametrize("name", ["model.glassnet", "fruit.glassnet"])
def test_the_sizes_info_shows_on_the_page_are_the_files(made, name):
    code, out, err = glassnet("info", name)
    assert code == 0, err
    got, rest = size_line(out.splitlines()[0], name)
    shown, shown_rest = size_line(shown_after(f"glassnet info {name}"), name)
    assert got == (made / name).stat().st_size
    assert rest == shown_rest
    size, _ = normalised(made / name)
    assert abs(size - shown) <= PAD, (
        f"docs/cli.md shows {name} as {shown} bytes; its command makes {size} (with a "
        f"training time of {TIME_WIDTH} characters): run the page's commands again and update it"
    )


def test_the_truncated_files_header_length_on_the_page_is_the_files(made):
    """`head -c 1000 model.glassnet > broken.glassnet; glassnet info broken.glassnet`."""
    assert "$ head -c 1000 model.glassnet > broken.glassnet" in page()
    (made / "broken.glassnet").write_bytes((made / "model.glassnet").read_bytes()[:1000])
    code, _, err = glassnet("info", "broken.glassnet")
    assert code == 2
    pattern = r"the header length field says (\d+) bytes but only (\d+) follow it"
    got = re.search(pattern, err)
    shown = re.search(pattern, shown_after("glassnet info broken.glassnet"))
    assert got and shown, err
    assert got.group(2) == shown.group(2) == "992"
    _, header = normalised(made / "model.glassnet")
    assert int(got.group(1)) == int.from_bytes((made / "model.glassnet").read_bytes()[:8], "little")
    assert abs(header - int(shown.group(1))) <= PAD, (
        f"docs/cli.md shows a header of {shown.group(1)} bytes; the file has {header} (with a "
        f"training time of {TIME_WIDTH} characters)"
    )


def test_the_truth_table_block_is_what_train_prints(tmp_path, monkeypatch):
    """The page's `glassnet train --dataset xnor` block (times aside)."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("COLUMNS", "100")
    block = re.search(r"^\$ glassnet (train --dataset xnor [^\n]*)\n(.*?)```", page(), re.M | re.S)
    assert block, "docs/cli.md: the truth-table block"
    code, out, err = glassnet(*block.group(1).split())
    assert code == 0 and err == "", err
    times = re.compile(r"\(\d+\.\d+ s\)")
    assert times.sub("(T s)", out) == times.sub("(T s)", block.group(2)), out
