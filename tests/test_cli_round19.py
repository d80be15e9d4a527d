"""The command line in scripts (CI, Makefiles, cron, containers): reproducible model files
(SOURCE_DATE_EPOCH), SIGTERM and Ctrl-C during train, GLASSNET_MEMORY_LIMIT's errors,
explain --names in every view, exercise check's status, TERM=dumb and NO_COLOR, the log's
progress lines, evaluate --json, export --no-verify, and the options named in messages."""

from __future__ import annotations

import json
import os
import pty
import re
import select
import signal
import struct
import subprocess
import sys
import time
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pytest
from cli_helpers import assert_one_line_error, run, write_csv

from glassnet import cli
from glassnet.io import load_arrays


@pytest.fixture()
def simple(tmp_path: Path) -> Path:
    rng = np.random.default_rng(0)
    X = rng.normal(size=(200, 2))
    rows = [[f"{a:.3f}", f"{b:.3f}", int(a + b > 0)] for a, b in X]
    return write_csv(tmp_path / "simple.csv", ["x1", "x2", "y"], rows)


@pytest.fixture()
def model(tmp_path: Path, simple: Path, capsys: pytest.CaptureFixture[str]) -> Path:
    out = tmp_path / "m.glassnet"
    code, _, err = run(capsys, "train", simple, "--target", "y", "--epochs", "3", "-q",
                       "--out", out)  # fmt: skip
    assert code == 0, err
    return out


def _glassnet(*argv: object, cwd: Path, env: dict[str, str] | None = None, **kw: object) -> list:
    """The argv of the glassnet command (``python -m glassnet``) and its keyword arguments."""
    return [[sys.executable, "-m", "glassnet", *map(str, argv)],
            {"cwd": cwd, "env": {**os.environ, **(env or {})}, **kw}]  # fmt: skip


def _header(path: Path) -> tuple[dict, bytes]:
    """A safetensors file's header (its JSON) and the bytes after it."""
    data = path.read_bytes()
    n = struct.unpack("<Q", data[:8])[0]
    return json.loads(data[8 : 8 + n]), data[8 + n :]


# ------------------------------------------------------- 1. reproducible model files


def test_source_date_epoch_gives_the_same_model_file_twice(tmp_path: Path, simple: Path) -> None:
    """The same train command, with SOURCE_DATE_EPOCH set, run twice: the same file. The
    header's text is compared whole but for the order of the keys of its ``__metadata__``
    map, which the safetensors library writes in an order of its own per process."""
    for i in (1, 2):
        argv, kw = _glassnet("train", "simple.csv", "--target", "y", "--epochs", "20",
                             "--seed", "3", "-q", "--out", f"same{i}.glassnet", cwd=tmp_path,
                             env={"SOURCE_DATE_EPOCH": "1700000000"})  # fmt: skip
        done = subprocess.run(argv, capture_output=True, text=True, timeout=120, **kw)
        assert done.returncode == 0, done.stderr
    (h1, rest1), (h2, rest2) = (
        _header(tmp_path / "same1.glassnet"),
        _header(tmp_path / "same2.glassnet"),
    )
    assert rest1 == rest2  # the weights, byte for byte
    assert h1 == h2  # the description (the training time too), and the checksum
    for h in (h1, h2):
        h["__metadata__"] = dict(sorted(h["__metadata__"].items()))
    assert json.dumps(h1).encode() == json.dumps(h2).encode()
    assert (tmp_path / "same1.glassnet").stat().st_size == (
        tmp_path / "same2.glassnet"
    ).stat().st_size
    meta = load_arrays(tmp_path / "same1.glassnet")[1]["meta"]
    assert meta["history"]["seconds"] is None and meta["training"]["data"] == "simple.csv"


def test_source_date_epoch_leaves_the_time_out_and_info_says_so(
    tmp_path: Path, simple: Path, capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:  # fmt: skip
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "0")
    out = tmp_path / "m.glassnet"
    code, stdout, err = run(capsys, "train", simple, "--target", "y", "--epochs", "2",
                            "--checkpoint-every", "1", "--out", out)  # fmt: skip
    assert code == 0, err
    assert "stopped   after 2 epochs (" in stdout  # (the terminal still sees the time)
    code, stdout, _ = run(capsys, "info", out)
    assert "history       2 epochs (no training time stored: SOURCE_DATE_EPOCH)" in stdout
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "yesterday")
    code, _, err = run(capsys, "train", simple, "--target", "y", "--out", tmp_path / "n.glassnet")
    assert code == 2
    assert_one_line_error(err, "SOURCE_DATE_EPOCH='yesterday' is not a whole number of seconds")
    assert not (tmp_path / "n.glassnet").exists()


def test_the_docs_say_what_is_identical() -> None:
    docs = (Path(__file__).parent.parent / "docs" / "cli.md").read_text(encoding="utf-8")
    section = docs[docs.index("### Reproducibility") : docs.index("## 4. When something")]
    assert "bit for bit (on the" not in section
    assert "SOURCE_DATE_EPOCH" in section


# ------------------------------------------------------------- 2. SIGTERM and Ctrl-C


def _big(tmp_path: Path) -> Path:
    rng = np.random.default_rng(1)
    X = rng.normal(size=(4000, 5))
    rows = [[*(f"{v:.3f}" for v in x), int(x.sum() > 0)] for x in X]
    return write_csv(tmp_path / "big.csv", ["a", "b", "c", "d", "e", "y"], rows)


def _train_until_signal(tmp_path: Path, signum: int) -> tuple[int, str, str]:
    """train on a terminal (stderr a pseudo-terminal, where the progress line is redrawn
    at every epoch's end, 0.1 s apart), ``signum`` sent once it reaches epoch 3: (status,
    stdout, stderr)."""
    _big(tmp_path)
    master, slave = pty.openpty()
    argv, kw = _glassnet("train", "big.csv", "--target", "y", "--epochs", "100000",
                         "--checkpoint-every", "1", "--out", "m.glassnet", cwd=tmp_path,
                         env={"TERM": "xterm", "NO_COLOR": "1"})  # fmt: skip
    proc = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=slave, **kw)
    os.close(slave)
    err = b""
    try:
        deadline = time.monotonic() + 60
        # (epoch 3's line: epoch 1's checkpoint is written, as the epochs' ends write it)
        while not re.search(rb"epoch ([3-9]|\d\d+)/", err) and time.monotonic() < deadline:
            if select.select([master], [], [], 1.0)[0]:
                err += os.read(master, 4096)
        assert re.search(rb"epoch ([3-9]|\d\d+)/", err), err
        proc.send_signal(signum)
        stdout = proc.stdout.read().decode()  # type: ignore[union-attr]
        proc.wait(timeout=60)
        while True:
            try:
                chunk = os.read(master, 4096)
            except OSError:  # (the terminal's other end closed)
                break
            if not chunk:
                break
            err += chunk
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        proc.stdout.close()  # type: ignore[union-attr]
        os.close(master)
    return proc.returncode, stdout, err.decode().replace("\r\n", "\n")


def _stop_reason(path: Path) -> str:
    return load_arrays(path)[1]["meta"]["history"]["stop_reason"]


def test_sigterm_during_train_keeps_the_weights_like_ctrl_c(tmp_path: Path) -> None:
    code, stdout, err = _train_until_signal(tmp_path, signal.SIGTERM)
    assert code == 143, (stdout, err)
    assert (tmp_path / "m.glassnet").is_file() and (tmp_path / "m.glassnet.ckpt").is_file()
    assert _stop_reason(tmp_path / "m.glassnet") == "interrupted"
    assert "interrupted (SIGTERM); the weights so far are kept" in stdout
    assert "continue from the checkpoint 'm.glassnet.ckpt' with --resume" in stdout
    last = err.strip().splitlines()[-1]
    assert last == (
        "glassnet: error: stopped by SIGTERM: 'm.glassnet' holds the weights so far; continue "
        "from the checkpoint 'm.glassnet.ckpt' with --resume"
    ), err


def test_ctrl_c_during_train_says_so_on_stderr(tmp_path: Path) -> None:
    code, stdout, err = _train_until_signal(tmp_path, signal.SIGINT)
    assert code == 130, (stdout, err)
    assert _stop_reason(tmp_path / "m.glassnet") == "interrupted"
    assert "interrupted (Ctrl-C); the weights so far are kept" in stdout
    last = err.strip().splitlines()[-1]
    assert last.startswith("glassnet: error: interrupted (Ctrl-C): 'm.glassnet' holds the "
                           "weights so far"), err  # fmt: skip


# ------------------------------------------------------------ 3. GLASSNET_MEMORY_LIMIT


@pytest.mark.parametrize("command", ["predict", "evaluate", "info", "explain", "export"])
def test_a_bad_memory_limit_is_not_blamed_on_the_model_file(
    command: str, model: Path, simple: Path, tmp_path: Path,
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch,
) -> None:  # fmt: skip
    argv = {
        "predict": ["predict", model, simple], "evaluate": ["evaluate", model, simple],
        "info": ["info", model], "explain": ["explain", model, simple, "--row", "1"],
        "export": ["export", model, tmp_path / "m.onnx"],
    }[command]  # fmt: skip
    monkeypatch.setenv("GLASSNET_MEMORY_LIMIT", "10GB")
    code, out, err = run(capsys, *argv)
    assert code == 2 and out == ""
    assert err == (
        "glassnet: error: GLASSNET_MEMORY_LIMIT='10GB' is not a size; give bytes, e.g. 8G or 500M\n"
    )
    if command == "export":
        pytest.importorskip("onnx")
    monkeypatch.setenv("GLASSNET_MEMORY_LIMIT", "1")
    code, out, err = run(capsys, *argv)
    assert code == 2 and out == ""
    assert_one_line_error(err, f"loading the model '{model}': MLP([2, 64, 1]) needs about",
                          "more than GLASSNET_MEMORY_LIMIT=1 (1 bytes): raise "
                          "GLASSNET_MEMORY_LIMIT")  # fmt: skip
    assert "cannot be built" not in err and "{" not in err


def test_the_exit_status_of_memory_refusals_is_the_one_help_gives(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code, out, _ = run(capsys, "--help")
    epilog = " ".join(out.split())
    assert "1 training failed, memory ran out" in epilog
    assert (
        "2 usage or data error (also work refused before it starts as needing more memory" in epilog
    )


# ---------------------------------------------------------------- 4. explain --names


def test_explain_names_in_the_compact_and_layer_views(
    model: Path, simple: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    texts = {}
    for view in ([], ["--layer", "1"], ["--layer", "2", "--neuron", "1"]):
        for names in ("auto", "lecture", "layered"):
            code, out, err = run(capsys, "explain", model, simple, "--row", "1",
                                 "--names", names, *view)  # fmt: skip
            assert code == 0, err
            texts[tuple(view), names] = out
        assert len({texts[tuple(view), n] for n in ("auto", "lecture", "layered")}) == 3, view
    assert re.search(r"^  z\[1\]_\d+ ", texts[(), "layered"], re.M)
    assert re.search(r"^  z\d+ ", texts[(), "lecture"], re.M)
    assert re.search(r"^  z65 ", texts[(), "lecture"], re.M)  # (the output neuron: 64 + 1)
    assert re.search(r"^  z1_\d+ ", texts[(), "auto"], re.M)  # (as before)
    assert (
        "layer 2, neuron 1 (z[2]_1, sigmoid)" in texts[("--layer", "2", "--neuron", "1"), "layered"]
    )


# ------------------------------------------------------------- 5. exercise check's status


def test_exercise_check_with_wrong_answers_exits_3(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    sheet = tmp_path / "sheet"
    code, _, err = run(capsys, "exercise", "--seed", "17", "--out", sheet)
    assert code == 0, err
    code, out, _ = run(capsys, "exercise", "check", sheet / "key.json",
                       sheet / "answers_template.txt")  # fmt: skip
    assert code == 3 and "total: 0/" in out
    code, out, _ = run(capsys, "--help")
    assert "3 'exercise check' graded the answers and some are wrong" in " ".join(out.split())
    docs = Path(__file__).parent.parent / "docs"
    cli_md = " ".join((docs / "cli.md").read_text(encoding="utf-8").split())
    teaching = " ".join((docs / "teaching.md").read_text(encoding="utf-8").split())
    assert "`exercise check` exits with 3 when it graded the answers and some are wrong" in cli_md
    assert "all are right, 3 when some are wrong" in teaching
    assert "1 otherwise" not in teaching


# ------------------------------------------------------------ 6. TERM=dumb, NO_COLOR


def _on_a_terminal(argv: list[str], cwd: Path, env: dict[str, str]) -> bytes:
    """What ``python -m glassnet *argv`` writes to a pseudo-terminal (stdout and stderr)."""
    master, slave = pty.openpty()
    full = {k: v for k, v in os.environ.items() if k not in ("NO_COLOR", "TERM")}
    proc = subprocess.Popen([sys.executable, "-m", "glassnet", *argv], cwd=cwd,
                            env={**full, **env}, stdout=slave, stderr=slave)  # fmt: skip
    os.close(slave)
    got = b""
    try:
        while True:
            try:
                chunk = os.read(master, 4096)
            except OSError:
                break
            if not chunk:
                break
            got += chunk
        proc.wait(timeout=120)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        os.close(master)
    return got


def test_term_dumb_gets_no_escape_codes(tmp_path: Path, simple: Path) -> None:
    demo = _on_a_terminal(["demo", "--epochs", "5"], tmp_path, {"TERM": "dumb"})
    assert b"glassnet demo" in demo and b"\x1b" not in demo
    train = _on_a_terminal(["train", "simple.csv", "--target", "y", "--epochs", "30",
                            "--out", "t.glassnet"], tmp_path, {"TERM": "dumb"})  # fmt: skip
    # (a run this short logs no progress line; before TERM=dumb was honoured it drew one)
    assert b"saved     t.glassnet" in train and b"\x1b" not in train
    assert b"\r" not in train.replace(b"\r\n", b"")
    # an xterm gets the colours and the line redrawn in place
    demo = _on_a_terminal(["demo", "--epochs", "5"], tmp_path, {"TERM": "xterm"})
    assert b"\x1b[1m" in demo
    train = _on_a_terminal(["train", "simple.csv", "--target", "y", "--epochs", "30", "--out",
                            "t.glassnet", "--force"], tmp_path, {"TERM": "xterm"})  # fmt: skip
    assert b"\x1b[K" in train


def test_no_color_counts_only_when_not_empty(tmp_path: Path) -> None:
    empty = _on_a_terminal(["demo", "--epochs", "5"], tmp_path, {"TERM": "xterm", "NO_COLOR": ""})
    assert b"\x1b[1m" in empty
    set_ = _on_a_terminal(["demo", "--epochs", "5"], tmp_path, {"TERM": "xterm", "NO_COLOR": "1"})
    assert b"glassnet demo" in set_ and b"\x1b" not in set_


# ------------------------------------------------------------ 7. the log's progress


def test_the_log_progress_starts_at_two_seconds(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """A 6 s run of 120 epochs (50 ms each, a clock of its own): its log's first line comes
    at the first tenth of the epochs past 2 s, as docs/cli.md says (epoch 48, 2.4 s; the log
    had nothing before 5 s)."""
    clock = [0.0]
    monkeypatch.setattr(time, "perf_counter", lambda: clock[0])
    progress = cli._LogProgress(120, 1)
    history = SimpleNamespace(val_loss=[], metric_name="none")
    for epoch in range(1, 121):
        clock[0] = epoch * 0.05
        progress.on_epoch_end(SimpleNamespace(epoch=epoch, epoch_loss=0.5, history=history))
    lines = capsys.readouterr().err.splitlines()
    assert lines[0] == "glassnet: epoch 48/120, loss 0.5 (2.4 s)"
    assert lines[-1] == "glassnet: epoch 120/120, loss 0.5 (6.0 s)"
    times = [float(re.search(r"\(([\d.]+) s\)", x)[1]) for x in lines]
    assert all(b - a >= 5.0 for a, b in zip(times[1:-2], times[2:-1]))  # (at most every 5 s)


# ------------------------------------------------------------------ 8. evaluate --json


def test_evaluate_json_holds_the_text_reports_numbers(
    model: Path, simple: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, text, err = run(capsys, "evaluate", model, simple)
    assert code == 0, err
    code, out, err = run(capsys, "evaluate", model, simple, "--json")
    assert code == 0 and err == "", err
    report = json.loads(out)
    assert report["rows"] == 200 and report["task"] == "binary" and report["targets"] == ["y"]
    m = report["metrics"]
    right = re.search(r"accuracy  ([\d.]+)  \((\d+) of (\d+) right\)", text)
    assert f"{m['accuracy']:.4f}" == right[1] and report["right"] == int(right[2])
    for entry in report["classes"]:
        row = re.search(
            rf"^  {entry['class']}\s+([\d.]+)\s+([\d.]+)\s+([\d.]+)\s+(\d+)$", text, re.M
        )
        assert [f"{entry[k]:.4f}" for k in ("precision", "recall", "f1")] == list(row.groups()[:3])
        assert entry["support"] == int(row[4])
    macro = re.search(r"^  macro avg\s+([\d.]+)\s+([\d.]+)\s+([\d.]+)", text, re.M)
    assert [f"{m[k]:.4f}" for k in ("macro_precision", "macro_recall", "macro_f1")] == list(
        macro.groups()
    )
    assert sum(map(sum, m["confusion"])) == 200
    # --stream gives the same numbers
    code, out, err = run(capsys, "evaluate", model, simple, "--json", "--stream")
    assert code == 0 and json.loads(out)["metrics"]["accuracy"] == m["accuracy"], err


def test_evaluate_json_of_a_regression(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    rng = np.random.default_rng(2)
    X = rng.normal(size=(60, 2))
    data = write_csv(tmp_path / "r.csv", ["a", "b", "t"],
                     [[f"{a:.3f}", f"{b:.3f}", f"{a - 2 * b:.3f}"] for a, b in X])  # fmt: skip
    out_model = tmp_path / "r.glassnet"
    code, _, err = run(capsys, "train", data, "--target", "t", "--epochs", "3", "-q",
                       "--out", out_model)  # fmt: skip
    assert code == 0, err
    code, text, _ = run(capsys, "evaluate", out_model, data)
    code, out, _ = run(capsys, "evaluate", out_model, data, "--json")
    report = json.loads(out)
    assert report["task"] == "regression" and set(report["metrics"]) == {"mse", "mae", "r2"}
    assert f"{report['metrics']['r2'][0]:.4f}".rstrip("0") in text


# ------------------------------------------------------------------------ 9. export


def test_export_without_onnxruntime_names_the_cli_option(
    model: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:  # fmt: skip
    pytest.importorskip("onnx")
    monkeypatch.setitem(sys.modules, "onnxruntime", None)  # (an import of it fails)
    code, out, err = run(capsys, "export", model, tmp_path / "m.onnx")
    assert code == 1 and out == "" and not (tmp_path / "m.onnx").exists()
    assert_one_line_error(err, "onnxruntime", "give --no-verify to write the graph unchecked")
    assert "verify=" not in err
    code, out, err = run(capsys, "export", model, tmp_path / "m.onnx", "--no-verify")
    assert code == 0, err
    assert out.endswith("checked  not checked in onnxruntime (--no-verify)\n")
    assert (tmp_path / "m.onnx").is_file()


def test_export_opset_message_names_the_option(
    model: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    pytest.importorskip("onnx")
    code, _, err = run(capsys, "export", model, tmp_path / "m.onnx", "--opset", "99")
    assert code == 2
    assert_one_line_error(err, "--opset must be")
    assert "parameter" not in err


# ---------------------------------------------------------------- 10. minor messages


def test_options_are_named_as_the_command_line_spells_them(
    tmp_path: Path, simple: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = run(capsys, "exercise", "--kinds", "bogus", "--out", tmp_path / "ex")
    assert code == 2
    assert_one_line_error(err, "--kinds must be", "Got 'bogus'")
    code, _, err = run(capsys, "playground", "--port", "99999", "--no-browser")
    assert code == 2
    assert_one_line_error(err, "--port must be", "Got 99999")
    code, _, err = run(capsys, "train", simple, "--target", "y", "--dataset", "iris",
                       "--out", tmp_path / "m.glassnet")  # fmt: skip
    assert code == 2
    assert_one_line_error(
        err, f"both a CSV file ('{simple}') and --dataset iris were given", "not both"
    )


def test_a_demo_whose_loss_rises_fails(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "demo", "--lr", "1e9")
    assert code == 1 and out == ""
    assert_one_line_error(err, "training diverged: the loss rose from 0.7594 to",
                          "--lr 1e+09 is too large", "is 5)")  # fmt: skip
    code, out, _ = run(capsys, "demo")
    assert code == 0 and "all 4 rows right" in out
