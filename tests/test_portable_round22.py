"""Round 22, portable: paths, encodings, terminals and permissions (audit 'portable')."""

from __future__ import annotations

import os
import subprocess
import sys
import types

import pytest

import glassnet.exercises as exercises
import glassnet.files as files
import glassnet.stream as stream
from glassnet.files import WriteError, atomic_write
from glassnet.progress import Progress

MODEL_CSV = "x1,x2,moon\n" + "".join(
    f"{i / 10},{(i * 7 % 10) / 10},{'a' if i % 2 else 'b'}\n" for i in range(20)
)


def _cli(args, cwd, **env):
    return subprocess.run(
        [sys.executable, "-m", "glassnet", *args],
        cwd=cwd,
        capture_output=True,
        env={**os.environ, **env},
        timeout=120,
    )


@pytest.fixture(scope="module")
def trained(tmp_path_factory):
    d = tmp_path_factory.mktemp("pt")
    (d / "d.csv").write_text(MODEL_CSV)
    args = ["train", "d.csv", "--target", "moon", "-q", "--epochs", "1", "--out", "m.glassnet"]
    r = _cli(args, d)
    assert r.returncode == 0, r.stderr
    return d


@pytest.mark.parametrize("stream_flag", [[], ["--stream"]])
def test_predict_wrote_line_escaped_on_ascii_stdout(trained, stream_flag):
    # defect 1: the file was written, then status 2 and a codec error
    r = _cli(
        ["predict", "m.glassnet", "d.csv", "--out", "é.csv", *stream_flag],
        trained,
        PYTHONIOENCODING="ascii",
    )
    assert r.returncode == 0, r.stderr
    assert r.stdout.decode() == "wrote 20 predictions to \\xe9.csv\n"


def test_predict_wrote_line_escapes_terminal_codes(trained):
    # defect 2: a path's escape codes went to the terminal
    r = _cli(["predict", "m.glassnet", "d.csv", "--out", "a\x1b[2Jb.csv"], trained)
    assert r.returncode == 0, r.stderr
    assert b"\x1b" not in r.stdout and b"a\\x1b[2Jb.csv" in r.stdout


def _read_only_mount(monkeypatch):
    monkeypatch.setattr(os, "statvfs", lambda p: types.SimpleNamespace(f_flag=os.ST_RDONLY))
    monkeypatch.setattr(os, "access", lambda p, m, **k: False)


def test_read_only_file_system_is_not_a_read_only_file(tmp_path, monkeypatch):
    # defect 3: 'the file is read-only (mode 0644) ... chmod u+w', which cannot work
    target = tmp_path / "m.bin"
    target.write_bytes(b"old")
    _read_only_mount(monkeypatch)
    assert not files.read_only(target)
    with pytest.raises(WriteError, match="read-only file system") as info:
        atomic_write(target, b"new")
    assert "chmod" not in str(info.value)
    assert target.read_bytes() == b"old"


def test_exercises_write_on_read_only_file_system(tmp_path, monkeypatch):
    exercises.write(1, tmp_path / "ex")
    _read_only_mount(monkeypatch)
    with pytest.raises(WriteError, match="read-only file system") as info:
        exercises.write(1, tmp_path / "ex")
    assert "chmod" not in str(info.value)


def test_same_file_symlink_loop(tmp_path, trained):
    # defect 4: RuntimeError from Path.resolve, an internal error in the CLI
    loop = tmp_path / "loop"
    loop.symlink_to(loop)
    assert files.same_file(loop, tmp_path / "other") is False
    assert files.same_file(loop, loop) is True
    r = _cli(["predict", "m.glassnet", "d.csv", "--out", str(loop)], trained)
    assert r.returncode == 2
    assert b"symbolic link that cannot be followed" in r.stderr
    assert b"bug in glassnet" not in r.stderr


def _near_path_max(base, name):
    """A directory under ``base`` whose path plus '/' + ``name`` is 4092 bytes (under
    PATH_MAX, 4096 with its NUL), the temporary's longer name beside it over."""
    room = 4092 - len(os.fsencode(str(base))) - 1 - len(name)
    parts = [("d" * 250)] * (room // 251)
    last = room - 251 * len(parts) - 1
    directory = os.path.join(str(base), *parts, "e" * last)
    os.makedirs(directory)
    assert len(os.fsencode(os.path.join(directory, name))) == 4092
    return directory


def test_path_near_path_max_is_written(tmp_path):
    # defect 5: the temporary's long name passed PATH_MAX; the directory was blamed
    import glassnet as gn

    directory = _near_path_max(tmp_path, "p.csv")
    target = os.path.join(directory, "p.csv")
    atomic_write(target, "x\n")
    atomic_write(target, "y\n")  # (replaced, as atomically)
    with open(target) as f:
        assert f.read() == "y\n"
    gn.save(gn.nn.Linear(2, 1), os.path.join(directory, "m.gn"))
    assert sorted(os.listdir(directory)) == ["m.gn", "p.csv"]  # (no temporary left)


def test_cli_output_near_path_max(trained, tmp_path):
    directory = _near_path_max(tmp_path, "p.csv")
    r = _cli(["predict", "m.glassnet", "d.csv", "--out", os.path.join(directory, "p.csv")], trained)
    assert r.returncode == 0, r.stderr
    assert os.listdir(directory) == ["p.csv"]


@pytest.mark.parametrize("which", ["viz", "exercises"])
def test_tilde_output_refused(tmp_path, monkeypatch, which):
    # defect 6: a folder named '~' was created in the current directory
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    with pytest.raises(WriteError, match="home folder") as info:
        if which == "viz":
            import glassnet as gn
            import glassnet.viz as viz

            x = gn.tensor([[1.0, 2.0]], requires_grad=True)
            viz.save((x * x).sum(), "~/plots/g.svg")
        else:
            exercises.write(1, "~/sheet")
    assert str(tmp_path / "home") in str(info.value)
    assert not (tmp_path / "~").exists()


def test_exercise_command_tilde_refused(tmp_path):
    r = _cli(["exercise", "--seed", "1", "--out=~/ex2"], tmp_path, HOME=str(tmp_path / "h"))
    assert r.returncode == 2 and b"home folder" in r.stderr
    assert not (tmp_path / "~").exists()


def test_progress_line_fits_the_terminal(monkeypatch, capsys):
    # defect 7: a 67-character line redrawn on a 20-column terminal
    monkeypatch.setattr(sys.stderr, "isatty", lambda: True, raising=False)
    monkeypatch.setenv("COLUMNS", "20")
    monkeypatch.delenv("TERM", raising=False)
    p = Progress(40, verbose=2)
    hist = types.SimpleNamespace(val_loss=[], metric_name="none", val_metric=[])
    p.on_epoch_end(types.SimpleNamespace(history=hist, epoch=6, epoch_loss=0.01265))
    out = capsys.readouterr().err
    line = out.removeprefix("\r").removesuffix("\x1b[K")
    assert line.startswith("epoch 6/40") and len(line) <= 19


def test_from_csv_directory_and_tilde(tmp_path, monkeypatch):
    # defect 9: 'no file at' for a directory, and no hint for '~'
    (tmp_path / "dir with space").mkdir()
    with pytest.raises(OSError, match="is a directory"):
        stream.from_csv(tmp_path / "dir with space", "moon")
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.chdir(tmp_path)
    with pytest.raises(FileNotFoundError, match="expanduser") as info:
        stream.from_csv("~/x.csv", "moon")
    assert str(tmp_path / "home" / "x.csv") in str(info.value)


def test_exercises_write_nul(tmp_path, monkeypatch):
    # defect 10: Python's bare 'embedded null byte'
    monkeypatch.chdir(tmp_path)
    with pytest.raises(ValueError, match=r"'out' .*NUL character"):
        exercises.write(1, "a\x00b")


@pytest.mark.parametrize("encoding", ["ascii", "utf-8"])
def test_table_columns_line_up_escaped_and_wide(monkeypatch, encoding):
    # defect 8: widths measured before escaping, and 中文🙂 counted as 3 columns
    from glassnet import cli

    monkeypatch.setattr(sys, "stdout", types.SimpleNamespace(encoding=encoding))
    rows = [["", "été", "中文🙂"], ["été", "43", "7"], ["中文🙂", "6", "44"]]
    lines = cli._render(rows, "lrr")
    ends = {cli._display_width(line) for line in lines}
    assert len(ends) == 1, lines  # (right-aligned numbers end in the same column)


def test_dash_names_get_a_way_forward(tmp_path):
    # defect 11: argparse's bare 'unrecognized arguments' / 'expected one argument'
    (tmp_path / "-data.csv").write_text(MODEL_CSV)
    r = _cli(["train", "-data.csv", "--target", "moon"], tmp_path)
    assert r.returncode == 2 and b"./-data.csv" in r.stderr
    r = _cli(["train", "d.csv", "--target", "-moon"], tmp_path)
    assert r.returncode == 2 and b"--target=-moon" in r.stderr
