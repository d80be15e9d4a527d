"""Round 19's command-line leftovers: model files byte for byte the same with
SOURCE_DATE_EPOCH (the safetensors header in a fixed order), exercise check's options
anywhere and its usage, train and predict --stream onto a named pipe, and glassnet jit's
message without SciPy."""

from __future__ import annotations

import json
import os
import struct
import subprocess
import sys
import threading
import types
from pathlib import Path

import numpy as np
import pytest
from cli_helpers import assert_one_line_error, run, write_csv

from glassnet import jit
from glassnet.io import load_arrays, load_checkpoint, load_model, save_arrays

DOCS = Path(__file__).parent.parent / "docs"


@pytest.fixture()
def simple(tmp_path: Path) -> Path:
    rng = np.random.default_rng(0)
    X = rng.normal(size=(200, 2))
    rows = [[f"{a:.3f}", f"{b:.3f}", int(a + b > 0)] for a, b in X]
    return write_csv(tmp_path / "simple.csv", ["x1", "x2", "y"], rows)


def _glassnet(*argv: object, cwd: Path, env: dict[str, str] | None = None,
              timeout: float = 120) -> subprocess.CompletedProcess:  # fmt: skip
    """``python -m glassnet *argv`` in ``cwd``, never waiting more than ``timeout`` s."""
    return subprocess.run(
        [sys.executable, "-m", "glassnet", *map(str, argv)], cwd=cwd,
        env={**os.environ, **(env or {})}, capture_output=True, text=True, timeout=timeout,
    )  # fmt: skip


def _header_pairs(path: Path) -> tuple[int, list[tuple[str, object]], list]:
    """A safetensors file's header length and its JSON as (key, value) pairs in the order
    written (``__metadata__``'s too)."""
    data = path.read_bytes()
    n = struct.unpack("<Q", data[:8])[0]
    pairs = json.loads(data[8 : 8 + n], object_pairs_hook=list)
    meta = dict(pairs).get("__metadata__")
    return n, pairs, meta


# ------------------------------------------------------- 1. the same bytes twice


def test_source_date_epoch_gives_the_same_bytes_twice(tmp_path: Path, simple: Path) -> None:
    """Two train runs in two processes with SOURCE_DATE_EPOCH: the same file, byte for byte
    (the safetensors library writes ``__metadata__``'s keys in a hash map's order, which
    varies from process to process; glassnet writes them sorted)."""
    for i in (1, 2):
        done = _glassnet("train", "simple.csv", "--target", "y", "--epochs", "20", "--seed",
                         "3", "-q", "--out", f"same{i}.glassnet", "--checkpoint-every", "5",
                         cwd=tmp_path, env={"SOURCE_DATE_EPOCH": "1700000000"})  # fmt: skip
        assert done.returncode == 0, done.stderr
    assert (tmp_path / "same1.glassnet").read_bytes() == (tmp_path / "same2.glassnet").read_bytes()
    ckpts = [(tmp_path / f"same{i}.glassnet.ckpt").read_bytes() for i in (1, 2)]
    assert ckpts[0] == ckpts[1]
    for name in ("same1.glassnet", "same1.glassnet.ckpt"):
        n, pairs, meta = _header_pairs(tmp_path / name)
        assert n % 8 == 0
        assert pairs[0][0] == "__metadata__"
        assert [k for k, _ in meta] == sorted(k for k, _ in meta)
    assert load_model(tmp_path / "same1.glassnet") is not None
    assert load_checkpoint(tmp_path / "same1.glassnet.ckpt") is not None


def test_a_file_of_arrays_has_its_header_sorted_and_loads_everywhere(tmp_path: Path) -> None:
    st = pytest.importorskip("safetensors.numpy")
    arrays = {"b": np.arange(3, dtype=np.float32), "a": np.ones((2, 2)),
              "empty": np.zeros(0, np.float32), "é": np.arange(5)}  # fmt: skip
    meta = {"note": 'héllo\n"quoted"\u2028', "n": 3}
    for i in (1, 2):
        save_arrays(tmp_path / f"a{i}.safetensors", arrays, meta=meta)
    one, two = (
        (tmp_path / "a1.safetensors").read_bytes(),
        (tmp_path / "a2.safetensors").read_bytes(),
    )
    assert one == two
    n, pairs, listed = _header_pairs(tmp_path / "a1.safetensors")
    assert n % 8 == 0 and pairs[0][0] == "__metadata__"
    keys = [k for k, _ in listed]
    assert keys == sorted(keys) and len(keys) >= 5
    offsets = [dict(v)["data_offsets"] for k, v in pairs[1:]]
    assert offsets == sorted(offsets)
    got = st.load_file(str(tmp_path / "a1.safetensors"))  # safetensors itself reads it
    assert set(got) == set(arrays)
    for name, a in arrays.items():
        np.testing.assert_array_equal(got[name], a)
    back, info = load_arrays(tmp_path / "a1.safetensors")
    assert list(back) == list(arrays)  # (the order saved, kept in the metadata)
    assert info == meta


# -------------------------------------------------- 2. and 3. exercise check's words


@pytest.fixture()
def sheet(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> Path:
    out = tmp_path / "sheet17"
    code, _, err = run(capsys, "exercise", "--seed", "17", "--out", out)
    assert code == 0, err
    return out


@pytest.mark.parametrize(
    "words",
    [
        ["check", "--tol", "0.1", "KEY", "ANSWERS"],
        ["check", "KEY", "--tol", "0.1", "ANSWERS"],
        ["check", "KEY", "ANSWERS", "--tol", "0.1"],
        ["--tol", "0.1", "check", "KEY", "ANSWERS"],
        ["check", "--tol=0.1", "KEY", "ANSWERS"],
    ],
)
def test_exercise_check_takes_its_options_anywhere(
    words: list[str], sheet: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    paths = {"KEY": sheet / "key.json", "ANSWERS": sheet / "answers_template.txt"}
    code, out, err = run(capsys, "exercise", *[paths.get(w, w) for w in words])
    assert code == 3, err  # graded: the template's answers are all missing
    assert "glassnet exercise check: seed 17, tolerance 0.1" in out
    assert "unrecognized" not in err


def test_exercise_check_with_seed_between_its_words_warns_and_grades(sheet: Path) -> None:
    done = _glassnet("exercise", "check", "--seed", "18", "sheet17/key.json",
                     "sheet17/answers_template.txt", cwd=sheet.parent)  # fmt: skip
    assert done.returncode == 3, done.stderr
    assert "seed 17, tolerance 0.01" in done.stdout
    assert "--seed is used when writing a sheet only" in done.stderr


def test_exercise_check_of_several_files_with_an_option_between(
    sheet: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    answers = tmp_path / "answers"
    answers.mkdir()
    for name in ("ann.txt", "bob.txt"):
        (answers / name).write_text((sheet / "answers_template.txt").read_text())
    code, out, err = run(capsys, "exercise", "check", sheet / "key.json", answers / "ann.txt",
                         "--tol", "0.1", answers / "bob.txt")  # fmt: skip
    assert code == 3, err
    assert out.count("seed 17, tolerance 0.1") >= 2 and "ann.txt" in out and "bob.txt" in out
    code, folder, err = run(capsys, "exercise", "check", "--tol", "0.1", sheet / "key.json",
                            answers)  # fmt: skip
    assert code == 3, err
    assert "ann.txt" in folder and "bob.txt" in folder  # a folder: check_all's table
    (answers / "carl.txt").write_bytes(b"%PDF-1.4 not an answers file")
    code, _, err = run(capsys, "exercise", "check", sheet / "key.json", answers)
    assert code == 2
    assert "could not be graded: " in err and "carl.txt" in err


@pytest.mark.parametrize(
    "words",
    [
        ["check", "--bogus", "KEY", "ANSWERS"],
        ["check", "KEY", "--bogus", "ANSWERS"],
        ["check", "--tol", "0.1", "KEY", "ANSWERS", "--bogus"],
        ["check", "KEY", "ANSWERS", "-x"],
    ],
)
def test_exercise_check_still_refuses_an_unknown_option(
    words: list[str], sheet: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    paths = {"KEY": sheet / "key.json", "ANSWERS": sheet / "answers_template.txt"}
    code, _, err = run(capsys, "exercise", *[paths.get(w, w) for w in words])
    assert code == 2
    bad = next(w for w in words if w in ("--bogus", "-x"))
    assert_one_line_error(err, "unrecognized arguments: ", bad, "glassnet exercise --help")


def test_exercise_usage_says_several_answers_files_are_taken(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("COLUMNS", "100")
    code, text, _ = run(capsys, "exercise", "--help")
    assert code == 0
    assert "[check KEY ANSWERS [ANSWERS ...]]" in text
    assert "...] ...]" not in text
    flat = " ".join(text.split())
    assert (
        "grade answers files (or folders of them) against one key; with several, a summary table"
        in flat
    )
    assert "(with several files: one of them could not be graded, the table says why)" in flat
    docs = " ".join((DOCS / "cli.md").read_text(encoding="utf-8").split())
    assert "`glassnet exercise check sheet17/key.json answers/` prints each file's report" in docs


def test_the_docs_promise_the_same_bytes() -> None:
    docs = (DOCS / "cli.md").read_text(encoding="utf-8")
    section = " ".join(docs[docs.index("### Reproducibility") : docs.index("## 4. When")].split())
    assert "the same file, byte for byte" in section
    assert "not the bytes" not in section and "may vary between processes" not in section


# ------------------------------------------------------------- 4. named pipes


def _fifo(tmp_path: Path, name: str = "pipe") -> Path:
    if not hasattr(os, "mkfifo"):
        pytest.skip("no named pipes on this system")
    path = tmp_path / name
    os.mkfifo(path)
    return path


def test_train_onto_a_pipe_nobody_reads_is_refused_before_training(
    tmp_path: Path, simple: Path
) -> None:
    pipe = _fifo(tmp_path)
    done = _glassnet("train", "simple.csv", "--target", "y", "--epochs", "3", "--out", "pipe",
                     cwd=tmp_path, timeout=60)  # fmt: skip
    assert done.returncode == 2
    assert_one_line_error(
        done.stderr,
        "cannot write the model file 'pipe': it is a named pipe (FIFO) that no program is reading",
        "start its reader first",
    )
    assert "stopped" not in done.stdout and "epoch" not in done.stdout  # no training
    assert pipe.exists() and not pipe.is_file()


def test_a_checkpoint_onto_a_pipe_is_refused_before_training(tmp_path: Path, simple: Path) -> None:
    _fifo(tmp_path)
    done = _glassnet("train", "simple.csv", "--target", "y", "--epochs", "3", "--out",
                     "m.glassnet", "--checkpoint-every", "1", "--checkpoint", "pipe",
                     cwd=tmp_path, timeout=60)  # fmt: skip
    assert done.returncode == 2
    assert_one_line_error(done.stderr, "cannot write the checkpoint 'pipe': it is a named pipe")
    assert not (tmp_path / "m.glassnet").exists() and "stopped" not in done.stdout


class _Reader:
    """A thread reading the named pipe ``path`` to its end (its open waits for a writer)."""

    def __init__(self, path: Path) -> None:
        self.path, self.data = path, b""
        self.thread = threading.Thread(target=self._read, daemon=True)
        self.thread.start()

    def _read(self) -> None:
        with open(self.path, "rb") as f:
            self.data = f.read()

    def wait(self) -> bytes:
        self.thread.join(timeout=60)
        if self.thread.is_alive():  # (a writer's open ends its wait: no thread left behind)
            fd = os.open(self.path, os.O_WRONLY | os.O_NONBLOCK)
            os.close(fd)
            self.thread.join(timeout=10)
            pytest.fail("the reader of the pipe saw no end of its input")
        return self.data


def test_train_onto_a_pipe_with_a_reader_writes_the_whole_model(
    tmp_path: Path, simple: Path
) -> None:
    """The output check opens the pipe to see that a program reads it; the reader gets
    the whole model file all the same, not an end of file at the check."""
    pipe = _fifo(tmp_path)
    reader = _Reader(pipe)
    done = _glassnet("train", "simple.csv", "--target", "y", "--epochs", "3", "-q", "--out",
                     "pipe", cwd=tmp_path, timeout=60)  # fmt: skip
    assert done.returncode == 0, done.stderr
    got = tmp_path / "copy.glassnet"
    got.write_bytes(reader.wait())
    assert load_model(got) is not None


def test_predict_stream_onto_a_pipe_nobody_reads_does_not_wait(
    tmp_path: Path, simple: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = run(capsys, "train", simple, "--target", "y", "--epochs", "2", "-q", "--out",
                       tmp_path / "m.glassnet")  # fmt: skip
    assert code == 0, err
    _fifo(tmp_path)
    for stream in (["--stream"], []):
        done = _glassnet("predict", "m.glassnet", "simple.csv", *stream, "--out", "pipe",
                         cwd=tmp_path, timeout=60)  # fmt: skip
        assert done.returncode == 2, done.stderr
        assert_one_line_error(done.stderr, "'pipe': it is a named pipe (FIFO) that no program "
                              "is reading")  # fmt: skip
    pipe = tmp_path / "pipe"
    reader = _Reader(pipe)
    done = _glassnet("predict", "m.glassnet", "simple.csv", "--stream", "--out", "pipe",
                     cwd=tmp_path, timeout=60)  # fmt: skip
    assert done.returncode == 0, done.stderr
    lines = reader.wait().decode().splitlines()
    assert lines[0] == "y" and len(lines) == 201


def test_predict_stream_onto_a_full_device_is_one_line(
    tmp_path: Path, simple: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    if not os.path.exists("/dev/full"):
        pytest.skip("no /dev/full on this system")
    model = tmp_path / "m.glassnet"
    code, _, err = run(capsys, "train", simple, "--target", "y", "--epochs", "2", "-q",
                       "--out", model)  # fmt: skip
    assert code == 0, err
    code, _, err = run(capsys, "predict", model, simple, "--stream", "--out", "/dev/full")
    assert code == 2
    assert_one_line_error(err, "cannot write '/dev/full' (No space left on device)")


# ------------------------------------------------------------- 5. glassnet jit


@pytest.fixture()
def numba_without_scipy(monkeypatch: pytest.MonkeyPatch) -> None:
    """numba importable (a stand-in module when it is not installed), SciPy not."""
    if "numba" not in sys.modules:
        try:
            import numba  # noqa: F401
        except Exception:
            monkeypatch.setitem(sys.modules, "numba", types.ModuleType("numba"))
    for name in [m for m in sys.modules if m == "scipy" or m.startswith("scipy.")]:
        monkeypatch.delitem(sys.modules, name)
    for name in ("scipy", "scipy.linalg", "scipy.linalg.cython_blas"):
        monkeypatch.setitem(sys.modules, name, None)  # import raises ModuleNotFoundError
    monkeypatch.setattr(jit, "_numba", None)
    monkeypatch.setattr(jit, "_compiled", False)


def test_jit_command_names_scipy_when_numba_is_there(
    numba_without_scipy: None, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = run(capsys, "jit")
    assert code == 1 and out == ""
    assert_one_line_error(err, "glassnet jit needs numba and SciPy: numba is installed but SciPy "
                          "cannot be imported", 'pip install "glassnet[jit]"')  # fmt: skip
    assert "glassnet.jit" not in err and "needs numba:" not in err


def test_jit_command_without_numba_says_why(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setitem(sys.modules, "numba", None)
    monkeypatch.setattr(jit, "_numba", None)
    code, _, err = run(capsys, "jit")
    assert code == 1
    assert_one_line_error(err, 'glassnet jit needs numba: pip install "glassnet[jit]" (numba '
                          "cannot be imported: ")  # fmt: skip
