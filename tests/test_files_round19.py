"""Model files, from a security audit: a named pipe that no program reads (every writer
waited for it for ever), a read error in onnx.load (a bare OSError naming no file), and a
file without a format_version (blamed on a newer glassnet)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
from pathlib import Path

import numpy as np
import pytest

import glassnet as gn
import glassnet.io as gio
from glassnet import nn
from glassnet.files import WriteError, atomic_write

fifo = pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="named pipes are POSIX")

WAIT = 30.0  # seconds a write may take before it is taken for one waiting for ever


def finishes(write, pipe: Path) -> BaseException | None:
    """Run ``write()`` in a thread; the exception it raised (None: none). A write still
    waiting after :data:`WAIT` seconds fails the test: a reader is opened then, so that
    the thread can finish and the test ends."""
    outcome: list[BaseException | None] = []

    def target():
        try:
            write()
        except BaseException as exc:  # noqa: BLE001 - handed to the test
            outcome.append(exc)
        else:
            outcome.append(None)

    thread = threading.Thread(target=target, daemon=True)
    thread.start()
    thread.join(WAIT)
    if thread.is_alive():
        reader = os.open(pipe, os.O_RDONLY | os.O_NONBLOCK)  # (lets the blocked open go on)
        try:
            thread.join(WAIT)
        finally:
            os.close(reader)
        pytest.fail(f"writing to the named pipe '{pipe}' without a reader waited for ever")
    return outcome[0]


def _model():
    return nn.Sequential(nn.Linear(3, 4), nn.ReLU(), nn.Linear(4, 1))


def _writers(tmp_path):
    model = _model()
    sgd = gn.optim.SGD(model.parameters(), lr=0.1)
    writers = {
        "atomic_write": lambda p: atomic_write(p, b"x"),
        "save_model": lambda p: gio.save_model(model, p),
        "gn.save(model)": lambda p: gn.save(model, p),
        "gn.save(state_dict)": lambda p: gn.save(model.state_dict(), p),
        "gn.save(checkpoint dict)": lambda p: gn.save({"model": model.state_dict(), "n": 1}, p),
        "gn.save(tensor)": lambda p: gn.save(gn.tensor([1.0, 2.0]), p),
        "save_arrays": lambda p: gio.save_arrays(p, {"a": np.zeros(3)}),
        "save_checkpoint": lambda p: gio.save_checkpoint(p, model.state_dict(), sgd.state_dict()),
    }
    try:
        import glassnet.onnx as gx
    except ImportError:
        pass
    else:
        writers["onnx.export"] = lambda p: gx.export(model, p)
    return writers


@fifo
@pytest.mark.parametrize(
    "writer",
    [
        "atomic_write",
        "save_model",
        "gn.save(model)",
        "gn.save(state_dict)",
        "gn.save(checkpoint dict)",
        "gn.save(tensor)",
        "save_arrays",
        "save_checkpoint",
        "onnx.export",
    ],
)
def test_a_named_pipe_that_no_program_reads_is_refused_at_once(tmp_path, writer):
    """io.save_model(model, 'fifo.gn') sat in open() for ever, with no message."""
    writers = _writers(tmp_path)
    if writer not in writers:
        pytest.importorskip("onnx")
    pipe = tmp_path / "fifo.gn"
    os.mkfifo(pipe)
    exc = finishes(lambda: writers[writer](pipe), pipe)
    assert isinstance(exc, WriteError), repr(exc)  # (ModelWriteError is one too)
    message = str(exc)
    assert f"cannot write '{pipe}'" in message, message
    assert "named pipe (FIFO) that no program is reading" in message, message
    assert "start its reader first" in message, message
    assert os.path.exists(pipe) and not os.path.isfile(pipe)  # (left as it was)
    assert [p.name for p in tmp_path.iterdir()] == ["fifo.gn"]  # (no temporary left)


@fifo
def test_a_named_pipe_with_a_reader_still_gets_the_whole_file(tmp_path):
    """A reader present: the write goes on in place, blocking as a pipe's does (a model
    larger than the pipe's buffer is written whole while the reader reads)."""
    pipe = tmp_path / "m.fifo"
    os.mkfifo(pipe)
    model = nn.Sequential(nn.Linear(200, 300))  # (about 240 KB: several pipe buffers)
    got = bytearray()

    def read():
        with open(pipe, "rb") as f:
            while chunk := f.read(4096):
                got.extend(chunk)

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    exc = finishes(lambda: gio.save_model(model, pipe), pipe)
    reader.join(WAIT)
    assert exc is None, repr(exc)
    copy = tmp_path / "copy.glassnet"
    copy.write_bytes(bytes(got))
    loaded = gio.load_model(copy)
    for (name, a), (_, b) in zip(model.state_dict().items(), loaded.state_dict().items()):
        np.testing.assert_array_equal(np.asarray(a), np.asarray(b), err_msg=name)


@fifo
def test_train_out_a_named_pipe_without_a_reader_ends_with_one_line(tmp_path):
    """glassnet train ... --out fifo.gn trained, printed its results and then hung."""
    data = tmp_path / "d.csv"
    rows = [f"{i % 3},{(i * 7) % 5},{i % 2}" for i in range(12)]
    data.write_text("a,b,y\n" + "\n".join(rows) + "\n")
    pipe = tmp_path / "fifo.gn"
    os.mkfifo(pipe)
    argv = ["train", str(data), "--target", "y", "--hidden", "4", "--epochs", "2", "-q"]
    code = "import sys; from glassnet.cli import main; sys.exit(main(sys.argv[1:]))"
    try:
        done = subprocess.run(
            [sys.executable, "-c", code, *argv, "--out", str(pipe)],
            cwd=tmp_path,
            capture_output=True,
            text=True,
            timeout=120,
        )
    except subprocess.TimeoutExpired:
        pytest.fail("train --out a named pipe without a reader waited for ever")
    assert done.returncode == 2, (done.returncode, done.stderr)
    lines = [line for line in done.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and "Traceback" not in done.stderr, done.stderr
    assert f"'{pipe}'" in lines[0] and "no program is reading" in lines[0], lines[0]


# ------------------------------------------------------ 2. onnx.load: a failed read


@pytest.mark.skipif(not os.path.exists("/proc/self/mem"), reason="needs Linux's /proc")
def test_onnx_load_names_the_file_when_reading_it_fails():
    """gx.load('/proc/self/mem'): OSError: [Errno 5] Input/output error (no file named)."""
    gx = pytest.importorskip("glassnet.onnx")
    with pytest.raises(gx.OnnxError) as info:
        gx.load("/proc/self/mem")
    message = str(info.value)
    assert "load: '/proc/self/mem' cannot be read (Input/output error)" in message, message
    assert isinstance(info.value.__cause__, OSError)


# ------------------------------------------------------ 3. no format_version


def _file_with_metadata(path: Path, **changes) -> Path:
    """A glassnet file of arrays whose ``__metadata__`` has ``changes`` (None: removed)."""
    raw = gio.save_arrays(path, {"a": np.ones(2)}).read_bytes()
    n = int.from_bytes(raw[:8], "little")
    header = json.loads(raw[8 : 8 + n])
    for key, value in changes.items():
        if value is None:
            header["__metadata__"].pop(key)
        else:
            header["__metadata__"][key] = value
    text = json.dumps(header).encode()
    path.write_bytes(len(text).to_bytes(8, "little") + text + raw[8 + n :])
    return path


def _readers():
    return {
        "gn.load": gn.load,
        "load_model": gio.load_model,
        "load_arrays": gio.load_arrays,
        "load_file": gio.load_file,
        "load_pipeline": gio.load_pipeline,
        "load_weights": lambda p: gio.load_weights(nn.Sequential(nn.Linear(2, 1)), p),
    }


@pytest.mark.parametrize(
    "reader", ["gn.load", "load_model", "load_arrays", "load_file", "load_pipeline", "load_weights"]
)
def test_a_file_without_a_format_version_is_not_blamed_on_a_newer_glassnet(tmp_path, reader):
    """'the file has no format_version ... a newer glassnet wrote it, so upgrade glassnet':
    every glassnet writes one, so upgrading cannot help."""
    path = _file_with_metadata(tmp_path / "nv.gn", format_version=None)
    with pytest.raises(gio.ModelFileError) as info:
        _readers()[reader](path)
    message = str(info.value)
    assert f"'{path}'" in message, message
    assert "has no format_version" in message, message
    assert "corrupt or was not written by glassnet" in message, message
    assert "upgrade" not in message and "newer" not in message, message


@pytest.mark.parametrize("version", ["0", "0.9", "1.0.1", "abc", "", "2.x", "1e3"])
def test_a_format_version_no_glassnet_writes_is_not_blamed_on_a_newer_glassnet(tmp_path, version):
    path = _file_with_metadata(tmp_path / "v.gn", format_version=version)
    for read in (gn.load, gio.load_arrays):
        with pytest.raises(gio.ModelFileError) as info:
            read(path)
        message = str(info.value)
        assert f"format_version {version!r}, which no glassnet writes" in message, message
        assert "corrupt or was not written by glassnet" in message, message
        assert "upgrade" not in message, message


@pytest.mark.parametrize("version", ["2", "1.2", "10", "1.1.1"])
def test_a_really_newer_format_version_still_says_to_upgrade(tmp_path, version):
    path = _file_with_metadata(tmp_path / "v.gn", format_version=version)
    with pytest.raises(gio.ModelFileError, match=r"a newer glassnet wrote it, so upgrade"):
        gn.load(path)


def _train_model(tmp_path) -> Path:
    from glassnet.cli import main

    lines = ["a,b,y"] + [f"{i % 4},{(i * 3) % 5},{i % 2}" for i in range(16)]
    (tmp_path / "d.csv").write_text("\n".join(lines) + "\n")
    model = tmp_path / "m.glassnet"
    argv = ["train", str(tmp_path / "d.csv"), "--target", "y", "--epochs", "1", "-q"]
    assert main([*argv, "--out", str(model)]) == 0
    return model


@pytest.mark.parametrize("version", [None, "1", 0, 1.0, True])
def test_a_train_description_without_a_valid_format_version_is_not_blamed_on_a_newer_one(
    tmp_path, version
):
    """load_pipeline: "written in description format None; ... upgrade glassnet"."""
    import safetensors.numpy as st

    arrays, description = gio.load_arrays(_train_model(tmp_path))
    if version is None:
        description["meta"].pop("format_version")
    else:
        description["meta"]["format_version"] = version
    path = tmp_path / "odd.glassnet"
    gio._save(path, st, arrays, description, kind="model")
    with pytest.raises(gio.ModelFileError) as info:
        gio.load_pipeline(path)
    message = str(info.value)
    assert f"'{path}'" in message, message
    assert "corrupt or was not written by glassnet" in message, message
    assert "upgrade" not in message and "newer" not in message, message
    if version is None:
        assert "has no description format version" in message, message
    description["meta"]["format_version"] = 7  # (a newer glassnet's: upgrading helps)
    gio._save(path, st, arrays, description, kind="model")
    with pytest.raises(gio.ModelFileError, match="description format 7.*upgrade glassnet"):
        gio.load_pipeline(path)
