"""The Python examples of docs/*.md run, and print the numbers the docs show.

Each doc's ```python blocks run in order, in a temporary directory, as a reader would paste
them (tests/test_readme.py does the same for README.md). Where a block is followed by a
```text block, that text is what the block prints, exactly.

Where a snippet uses data the doc leaves to the reader (``X``, ``y``, a ``model``), the
test defines it first, and says so. A block that cannot run here says so in the doc, on
the line before its fence, with the reason: ``<!-- not run: REASON -->`` (an MPI run, a
GPU, a server that blocks, a cluster, an outline). ``RUNS`` counts, per doc, the blocks
its test runs: every other Python block of every doc must carry that mark
(``test_every_python_block_runs_or_says_why``).
"""

from __future__ import annotations

import contextlib
import io
import re
import subprocess
from pathlib import Path

import numpy as np
import pytest
from test_readme import _resolves  # (one reader of dotted names for both)

DOCS = Path(__file__).resolve().parent.parent / "docs"
NOT_RUN = re.compile(r"<!-- not run: (.*?) -->\n$")

# the Python blocks each doc's test below runs: all of the doc's blocks not marked not run
RUNS = {
    "cli.md": 2,
    "extending.md": 1,
    "graph_speed.md": 1,
    "jit.md": 1,
    "lecture.md": 24,
    "onnx.md": 4,
    "playground.md": 2,
    "scaling.md": 1,
    "sklearn.md": 2,
    "teaching.md": 2,
    "threads.md": 1,
}


def _marked(doc: str) -> list[tuple[str, str, str | None]]:
    """Every fenced block of a doc: (language, body, the reason it is not run, or None)."""
    text = (DOCS / doc).read_text(encoding="utf-8")
    blocks = []
    for m in re.finditer(r"```(\w*)\n(.*?)```", text, flags=re.S):
        mark = NOT_RUN.search(text, 0, m.start())
        blocks.append((m.group(1), m.group(2), mark.group(1) if mark else None))
    return blocks


def _fenced(doc: str) -> list[tuple[str, str]]:
    """Every fenced block of a doc, as (language, body)."""
    return [(lang, body) for lang, body, _ in _marked(doc)]


def _python(doc: str) -> list[str]:
    """The Python blocks of a doc that run: every one not marked ``not run``."""
    blocks = [body for lang, body, why in _marked(doc) if lang == "python" and why is None]
    assert len(blocks) == RUNS[doc], f"{doc}: run the new block in its test, or mark it"
    return blocks


def test_every_python_block_runs_or_says_why():
    for path in sorted(DOCS.glob("*.md")):
        blocks = [(body, why) for lang, body, why in _marked(path.name) if lang == "python"]
        run = [body for body, why in blocks if why is None]
        assert len(run) == RUNS.get(path.name, 0), f"{path.name}: a block neither run nor marked"
        for body, why in blocks:
            assert why is None or why.strip(), f"{path.name}: say why it is not run\n{body}"


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
    _python("lecture.md")  # every block is run (the doc is generated: nothing is marked)
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

    (block,) = _python("threads.md")  # the explain doctest is marked: load-dependent
    namespace = {"model": nn.MLP([784, 256, 10], rng=0)}  # the reader's model
    _run("threads.md", 0, block, namespace)
    assert namespace["n"] is None or namespace["n"] >= 1


def test_playground_run_without_a_browser(in_tmp: Path):
    serve, run_block = _python("playground.md")  # serve() itself blocks: marked
    namespace: dict = {}
    printed = _run("playground.md", 0, serve, namespace)
    url = namespace["pg"].url
    assert url.startswith("http://127.0.0.1:") and "/?token=" in url
    assert url in printed
    namespace = {}
    script = _run("playground.md", 1, run_block, namespace)
    run = namespace["run"]
    assert 50 < run.history[-1][0] < 51  # 50 epochs and one step (epochs count in steps)
    assert set(namespace["update"]) == {"lr", "batch", "batch_size", "rows", "printed"}
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


def test_jit_hand_written_loop(in_tmp: Path):
    """W2's five epochs through jit.run_epoch (numba compiles or loads its kernels once per
    process: tests/test_jit.py then finds them loaded)."""
    pytest.importorskip("numba", reason='glassnet.jit needs numba: pip install -e ".[jit]"')
    rng = np.random.default_rng(0)
    X = rng.normal(size=(640, 20)).astype(np.float32)  # the reader's data: (n, 20) float32
    y = (X[:, :1] > 0).astype(np.float32)  # (n, 1) 0/1
    namespace = {"X": X, "y": y}
    (block,) = _python("jit.md")
    _run("jit.md", 0, block, namespace)
    losses = namespace["losses"]
    assert losses.shape == (10,) and np.isfinite(losses).all()  # 640 rows, batch 64


def _cli_bash(doc: str, needle: str) -> str:
    """The ```bash block of a doc holding ``needle``."""
    return next(body for lang, body in _fenced(doc) if lang == "bash" and needle in body)


def _churn_model() -> None:
    """docs/cli.md's customer table and the model of its ``--id customer_id`` command."""
    from glassnet.cli import main

    script = _cli_bash("cli.md", 'write("churn.csv"')
    exec(script.split("python - <<'PY'\n")[1].split("PY\n")[0], {})  # the doc's generator
    text = (DOCS / "cli.md").read_text(encoding="utf-8")
    train = re.search(r"^\$ glassnet (train churn\.csv .*--id customer_id .*)$", text, re.M)
    with contextlib.redirect_stdout(io.StringIO()):
        assert main([*train.group(1).split(), "-q"]) == 0


def test_onnx_examples(in_tmp: Path):
    pytest.importorskip("onnxruntime")
    pytest.importorskip("skl2onnx")
    pytest.importorskip("sklearn")
    pytest.importorskip("safetensors")
    from glassnet.cli import main
    from glassnet.datasets import make_moons

    export, churn, pipeline, agreement = _python("onnx.md")  # load()'s outline is marked
    namespace: dict = {}
    _run("onnx.md", 0, export, namespace)
    # "(Y,) = sess.run(...)   # == net.predict(X), to 1e-5"
    np.testing.assert_allclose(namespace["Y"], namespace["net"].predict(namespace["X"]), atol=1e-5)

    _churn_model()
    commands = _cli_bash("onnx.md", "glassnet export churn.glassnet")
    export_churn = re.search(r"^glassnet (export churn\.glassnet .*)$", commands, re.M).group(1)
    with contextlib.redirect_stdout(io.StringIO()):
        assert main(export_churn.split()) == 0
    with pytest.warns(UserWarning, match=r"feeds: 1 missing cell\(s\), by column 'age'"):
        printed = _run("onnx.md", 1, churn, {})  # (as the page says: the second has no age)
    label, inputs = printed.splitlines()
    assert label == "['yes' 'no']"  # "print(label)   # ['yes' 'no'], as glassnet predict"
    assert f"# {inputs}" in churn  # the inputs the block's comment lists

    X, y = make_moons(100, seed=0)
    with pytest.warns(Warning):  # the default 200 epochs do not converge
        _run("onnx.md", 2, pipeline, {"X": X, "y": y})

    # the measured agreement: the first row of the table, within the 1e-5 the doc promises
    printed = _run("onnx.md", 3, agreement, {})
    assert float(printed) < 1e-5


def test_cli_python_blocks(in_tmp: Path):
    pytest.importorskip("onnxruntime")
    pytest.importorskip("safetensors")
    pytest.importorskip("pandas")
    from glassnet.cli import main

    fruit_block, pipeline_block = _python("cli.md")
    subprocess.run(["bash", "-c", _cli_bash("cli.md", "cat > fruit.csv")], check=True)
    text = (DOCS / "cli.md").read_text(encoding="utf-8")
    train = re.search(r"^\$ glassnet (train fruit\.csv .*--out fruit\.glassnet)$", text, re.M)
    with contextlib.redirect_stdout(io.StringIO()):  # the doc's command, as it trains
        assert main([*train.group(1).split(), "-q"]) == 0
        assert main(["export", "fruit.glassnet", "fruit.onnx"]) == 0  # the stored medians
    namespace: dict = {}
    with pytest.warns(UserWarning) as caught:  # (the page's rows)
        _run("cli.md", 0, fruit_block, namespace)
    said = [str(w.message) for w in caught]
    assert any("feeds: 2 missing cell(s)" in m for m in said)
    assert any("1 cell(s) hold categories the model never saw" in m for m in said)
    # "label, proba = sess.run(None, feeds(sess, rows))   # ['apple' 'orange' 'lemon']"
    assert list(namespace["label"]) == ["apple", "orange", "lemon"]

    _churn_model()  # churn.csv, customers.csv and churn.glassnet, as the page makes them
    namespace = {}
    with pytest.warns(UserWarning, match=r"filled 1 missing cell\(s\) of X"):  # (as the page
        _run("cli.md", 1, pipeline_block, namespace)  # says: customers.csv's empty age)
    churn = namespace["churn"]
    # "churn.predict(pd.read_csv("customers.csv", ...))  # array(['yes', 'no'], ...)"
    with pytest.warns(UserWarning, match="'age' \\(1\\)"):
        assert list(churn.predict(namespace["pd"].read_csv("customers.csv"))) == ["yes", "no"]
    proba = churn.predict_proba([{"age": 34, "plan": "pro", "tenure": 3}])
    assert proba.shape == (1, 2) and np.isclose(proba.sum(), 1)


def test_scaling_stream_block(in_tmp: Path):
    pytest.importorskip("pyarrow")
    import csv

    from glassnet import nn

    # the reader's big.csv, small: bench/stream_rss.py's columns (16 numbers, a text column
    # with 5 categories, a yes/no label), 2,048 rows
    rng = np.random.default_rng(0)
    colors, w = ["red", "green", "blue", "cyan", "magenta"], rng.standard_normal(16)
    with open("big.csv", "w", newline="") as f:
        out = csv.writer(f)
        out.writerow([*(f"x{i}" for i in range(16)), "color", "label"])
        for _ in range(2048):
            x, c = rng.standard_normal(16).round(3), int(rng.integers(0, 5))
            out.writerow([*x, colors[c], "yes" if x @ w + (c == 0) > 0 else "no"])
    # the reader's model (16 numbers and 5 categories: 21 inputs) and arrays
    X = rng.standard_normal((2048, 21)).astype(np.float32)
    y = (X[:, 0] > 0).astype(np.int64)
    np.save("X.npy", X)
    np.save("y.npy", y)
    namespace = {"model": nn.MLP([21, 32, 2], output_activation="softmax", rng=0)}
    namespace.update(X_val=X[:256], y_val=y[:256], X0=X[:1024], y0=y[:1024])
    namespace.update(X1=X[1024:], y1=y[1024:])
    (block,) = _python("scaling.md")  # MPI, Dask and Ray are marked
    printed = _run("scaling.md", 0, block, namespace)
    shown = re.search(r"print\(src\.columns\)\s+# (.*)", block).group(1)
    assert re.fullmatch(re.escape(shown).replace(r"\.\.\.", r"\d+"), printed.strip()), printed
    assert len(namespace["history"].loss) == 5 and np.isfinite(namespace["history"].loss).all()


@pytest.mark.parametrize(
    ("script", "lines"),
    [
        ("or_and_neuron.py", ["OR accuracy: 1.00", "AND accuracy: 1.00"]),
        ("lbfgs_xnor.py", ["   0  0  1   1.0000", "   1  0  0   0.0000", "L-BFGS accuracy: 1.00"]),
        (
            "xnor.py",
            [
                "  final loss 0.6931 (ln 2 = 0.6931: the best a line can do)",
                "2-2-1 network accuracy: 1.00",
                "slide network accuracy: 1.00",
                "forward propagation by hand equals the network's output: True",
            ],
        ),
    ],
)
def test_the_quick_examples_run_and_say_what_their_docstrings_promise(in_tmp, script, lines):
    """examples/four_tasks.py and examples/xnor_seeds.py take several seconds each: not run
    here (the README's fit_many block is xnor_seeds.py's first experiment, and its test
    checks the success count the README quotes)."""
    import runpy

    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        runpy.run_path(str(DOCS.parent / "examples" / script), run_name="__main__")
    printed = out.getvalue().splitlines()
    for line in lines:
        assert line in printed, f"examples/{script} printed:\n{out.getvalue()}"


def test_cli_md_reference_is_the_current_help(monkeypatch: pytest.MonkeyPatch, capsys):
    """docs/cli.md's "Reference" shows every subcommand's --help as it reads now (blanks
    aside: argparse wraps lines by the terminal's width and Python's version)."""
    from glassnet.cli import main

    def help_of(*command: str) -> str:
        with contextlib.suppress(SystemExit):  # argparse's exit, or main's status 0
            main([*command, "--help"])
        return capsys.readouterr().out

    monkeypatch.setenv("COLUMNS", "100")  # the width the page was made at
    text = (DOCS / "cli.md").read_text(encoding="utf-8")
    shown = dict(re.findall(r"```\n\$ glassnet (\w+) --help\n(.*?)```", text, flags=re.S))
    listed = help_of().split("positional arguments:")[1].split("options:")[0]
    assert sorted(shown) == sorted(re.findall(r"^    (\w+)", listed, re.M))  # every command
    for command, help_text in shown.items():
        got = help_of(command)
        assert got.split() == help_text.split(), f"cli.md: glassnet {command} --help is:\n{got}"


# the keys an ONNX file's metadata holds (docs/onnx.md), not Python names
ONNX_METADATA = {
    f"glassnet.{key}"
    for key in (
        "classes config feature_names imputation kind params target task verified version"
    ).split()
}


def test_every_glassnet_name_in_the_docs_exists():
    """`glassnet.train.EarlyStopping`, `glassnet.explain.MAX_ROWS`, ...: each name a doc
    gives is there to import (the generated lecture.md is checked by running it)."""
    pytest.importorskip("sklearn")
    pytest.importorskip("onnx")
    for path in sorted(DOCS.glob("*.md")):
        if path.name == "lecture.md":
            continue
        text = path.read_text(encoding="utf-8")
        names = set(re.findall(r"(?<![\w/.])(glassnet(?:\.[A-Za-z_]\w*)+)", text)) - ONNX_METADATA
        missing = sorted(name for name in names if not _resolves(name))
        assert not missing, f"docs/{path.name} names what is not there: {missing}"


def test_extending_example_prints_what_the_doc_shows(in_tmp, tables):
    """docs/extending.md's example adds an entry to functional's table (``tables``
    restores it after)."""
    (block,) = _python("extending.md")
    text = [body for lang, body in _fenced("extending.md") if lang == "text"][0]
    assert _run("extending.md", 0, block, {}).strip() == text.strip()
