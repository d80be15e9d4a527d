"""The Python examples of docs/*.md run, and print the numbers the docs show.

Each doc's ```python blocks run in order in one namespace, in a temporary directory, as
a reader would paste them (tests/test_readme.py does the same for README.md). Where a
block is followed by a ```text block, that text is what the block prints, exactly.

Where a snippet uses data the doc leaves to the reader (``X``, ``y``, a ``model``), the
test defines it first, and says so. Left out, with the reason:

* cli.md's ``load_pipeline`` block: its churn.csv and customers.csv are the reader's own
  files, not made anywhere on the page (the fruit ONNX block is run, below).
* gpu.md: needs CuPy and an NVIDIA GPU (tests/test_gpu.py, bench/gpu.py).
* jit.md: compiles numba kernels, 15-30 s on a cold cache (tests/test_jit.py runs the
  same entry points).
* onnx.md's ``load`` block: ``gn.fit(net, X, y, ...)`` is an outline, not a call.
* playground.md's ``serve()`` block: blocks until Ctrl-C and opens a browser
  (tests/test_playground.py starts the server without one).
* scaling.md: MPI, Dask or Ray, and files the reader brings (tests/test_distributed.py,
  tests/test_stream.py, tests/test_sweeps.py).
* threads.md's ``explain`` doctest: its answer depends on the machine's load at the time.
* engines.md has no code; the ```bash blocks are commands (benchmarks, installs).
"""

from __future__ import annotations

import contextlib
import io
import re
import subprocess
from pathlib import Path

import numpy as np
import pytest

DOCS = Path(__file__).resolve().parent.parent / "docs"


def _fenced(doc: str) -> list[tuple[str, str]]:
    """Every fenced block of a doc, as (language, body)."""
    text = (DOCS / doc).read_text(encoding="utf-8")
    return re.findall(r"```(\w*)\n(.*?)```", text, flags=re.S)


def _python(doc: str) -> list[str]:
    return [body for lang, body in _fenced(doc) if lang == "python"]


def _run(doc: str, i: int, block: str, namespace: dict) -> str:
    """Run one block; returns what it printed."""
    out = io.StringIO()
    try:
        with contextlib.redirect_stdout(out):
            exec(compile(block, f"{doc} block {i}", "exec"), namespace)
    except Exception as e:  # pragma: no cover - the message says which block failed
        raise AssertionError(f"{doc} python block {i} failed: {e!r}\n{block}") from e
    return out.getvalue()


@pytest.fixture
def in_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)  # examples that write files write them here
    return tmp_path


def test_lecture_examples_print_what_the_doc_shows(in_tmp: Path):
    blocks = _fenced("lecture.md")
    namespace: dict = {}
    printed = None
    checked = 0
    for i, (lang, body) in enumerate(blocks):
        if lang == "python":
            printed = _run("lecture.md", i, body, namespace)
        elif lang == "text" and printed is not None:
            assert printed.strip() == body.strip(), f"lecture.md block {i - 1} printed:\n{printed}"
            checked += 1
            printed = None
    assert checked >= 20  # every example of the lecture shows its output


def test_teaching_examples(in_tmp: Path):
    from glassnet import exercises

    blocks = _python("teaching.md")
    assert len(blocks) == 2
    _run("teaching.md", 0, blocks[0], {})
    svg = (in_tmp / "backprop.svg").read_text(encoding="utf-8")
    assert "<svg" in svg

    # The console example grades an answers.txt with one wrong step, 2.dL/dz1 = 1.5:
    # the reader's file, made here from seed 17's key.
    exercises.write(17, "key17")
    key = __import__("json").loads((in_tmp / "key17" / "key.json").read_text(encoding="utf-8"))
    lines = []
    for exercise in key["exercises"]:
        for step in exercise["steps"]:
            value = 1.5 if (exercise["number"], step["id"]) == (2, "dL/dz1") else step["value"]
            lines.append(f"{exercise['number']}.{step['id']} = {value}")
    (in_tmp / "answers.txt").write_text("\n".join(lines) + "\n", encoding="utf-8")

    printed = _run("teaching.md", 1, blocks[1], {})
    console = next(body for lang, body in _fenced("teaching.md") if lang == "console")
    wrote, _, check = console.partition("$ glassnet exercise check sheet17/key.json answers.txt\n")
    assert printed.strip() == check.strip()  # the doc's `glassnet exercise check` output
    for line in wrote.splitlines()[1:]:  # `glassnet exercise --seed 17` wrote these files
        assert (in_tmp / line.removeprefix("wrote ")).exists(), line


def test_teaching_matrix_view_is_explains():
    import glassnet as gn
    from glassnet.explain import explain

    xnor = gn.nn.MLP([2, 2, 1], activation="sigmoid", output_activation="sigmoid")
    xnor.layers[0].W.data[:] = [[4, -4], [4, -4]]
    xnor.layers[0].b.data[:] = [-6, 2]
    xnor.layers[2].W.data[:] = [[1], [1]]
    xnor.layers[2].b.data[:] = [-0.5]
    shown = next(body for lang, body in _fenced("teaching.md") if lang == "text")
    e = explain(xnor, np.array([0.0, 1.0]), 1.0, matrix=True, bias="w0")
    assert shown.strip() in str(e)


def test_sklearn_examples(in_tmp: Path):
    pytest.importorskip("sklearn")
    from glassnet.datasets import make_moons

    # the data the snippets leave to the reader
    X, y = make_moons(300, noise=0.2, seed=0)
    namespace = {
        "X": X,
        "y": y,
        "X_train": X[:200],
        "y_train": y[:200],
        "X_test": X[200:],
        "y_test": y[200:],
        "y_in_0_1": (X[:, 0] - X[:, 0].min()) / np.ptp(X[:, 0]),
    }
    blocks = _python("sklearn.md")
    assert len(blocks) == 2
    with pytest.warns(Warning):  # 200 epochs of Adam do not converge on the moons
        _run("sklearn.md", 0, blocks[0], namespace)
    _run("sklearn.md", 1, blocks[1], namespace)
    clf, reg = namespace["clf"], namespace["reg"]
    assert len(clf.validation_loss_curve_) == clf.n_iter_
    assert clf.stop_reason_ in {"early_stopping", "tol", "max_iter", "callback"}
    assert reg.out_activation_ == "logistic"
    assert 0 <= reg.predict(X).min() and reg.predict(X).max() <= 1


def test_sklearn_parameter_error_reads_as_documented():
    pytest.importorskip("sklearn")
    from glassnet.sklearn import MLPClassifier

    text = (DOCS / "sklearn.md").read_text(encoding="utf-8")
    quoted = re.search(r"`(The 'solver' parameter of\s+MLPClassifier[^`]*)`", text)
    assert quoted is not None
    with pytest.raises(ValueError) as err:
        MLPClassifier(solver="newton").fit([[0.0], [1.0]], [0, 1])
    assert str(err.value) == " ".join(quoted.group(1).split())


def test_threads_using_it(in_tmp: Path):
    pytest.importorskip("sklearn")
    pytest.importorskip("threadpoolctl")
    from glassnet import nn

    blocks = _python("threads.md")
    assert blocks[0].startswith(">>> ")  # the load-dependent doctest, left out
    namespace = {"model": nn.MLP([784, 256, 10], rng=0)}  # the reader's model
    _run("threads.md", 1, blocks[1], namespace)
    assert namespace["n"] is None or namespace["n"] >= 1


def test_playground_run_without_a_browser(in_tmp: Path):
    blocks = _python("playground.md")
    assert "serve()" in blocks[0]  # blocks until Ctrl-C: left out
    namespace: dict = {}
    script = _run("playground.md", 1, blocks[1], namespace)
    run = namespace["run"]
    assert 50 < run.history[-1][0] < 51  # 50 epochs and one step (epochs count in steps)
    assert set(namespace["update"]) == {"lr", "batch", "batch_size", "rows"}
    assert "glassnet" in script


def test_playground_exported_script_prints_the_doc_losses(in_tmp: Path):
    from glassnet.playground import Run

    commands = next(body for lang, body in _fenced("playground.md") if "playground_run.py" in body)
    shown = re.search(r"python playground_run\.py\s+# (.*)", commands).group(1)
    assert "circle data, lr 0.1, seed 1, after 28 epochs" in commands
    run = Run({"dataset": "circle", "lr": 0.1, "seed": 1})
    run.train(28)
    printed = _run("playground_run.py", 0, run.script(), {"__name__": "__main__"})
    assert printed.strip() == shown.strip()


def test_graph_speed_loop(in_tmp: Path):
    import glassnet as gn

    rng = np.random.default_rng(0)
    # the reader's batches: 32 features, 10 classes
    batches = [(rng.normal(size=(64, 32)), rng.integers(0, 10, 64)) for _ in range(3)]
    namespace = {"gn": gn, "batches": batches}
    (block,) = _python("graph_speed.md")
    _run("graph_speed.md", 0, block, namespace)
    assert np.isfinite(float(namespace["loss"].data))


def test_onnx_examples(in_tmp: Path):
    pytest.importorskip("onnxruntime")
    pytest.importorskip("skl2onnx")
    pytest.importorskip("sklearn")
    from glassnet.datasets import make_moons

    blocks = _python("onnx.md")
    assert "load(" in blocks[2]  # the outline of load(): left out
    namespace: dict = {}
    _run("onnx.md", 0, blocks[0], namespace)
    # "(Y,) = sess.run(...)   # == net.predict(X), to 1e-5"
    np.testing.assert_allclose(namespace["Y"], namespace["net"].predict(namespace["X"]), atol=1e-5)
    X, y = make_moons(100, seed=0)
    with pytest.warns(Warning):  # the default 200 epochs do not converge
        _run("onnx.md", 1, blocks[1], {"X": X, "y": y})


def test_cli_fruit_onnx_block(in_tmp: Path):
    pytest.importorskip("onnxruntime")
    pytest.importorskip("safetensors")
    from glassnet.cli import main

    bash = [body for lang, body in _fenced("cli.md") if lang == "bash"]
    fruit = next(body for body in bash if "cat > fruit.csv" in body)
    subprocess.run(["bash", "-c", fruit], check=True)
    text = (DOCS / "cli.md").read_text(encoding="utf-8")
    train = re.search(r"^\$ glassnet (train fruit\.csv .*--out fruit\.glassnet)$", text, re.M)
    with contextlib.redirect_stdout(io.StringIO()):  # the doc's command, as it trains
        assert main([*train.group(1).split(), "-q"]) == 0
        assert main(["export", "fruit.glassnet", "fruit.onnx"]) == 0  # the stored medians
    block = next(b for b in _python("cli.md") if "fruit.onnx" in b)
    namespace: dict = {}
    _run("cli.md", 0, block, namespace)
    # "label, proba = sess.run(None, feeds(sess, rows))   # ['apple' 'orange' 'lemon']"
    assert list(namespace["label"]) == ["apple", "orange", "lemon"]
