"""What docs/jit.md, gpu.md, engines.md, graph_speed.md, teaching.md and sklearn.md say
about glassnet, checked against what it does (numbers the text quotes, messages, names)."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pytest

DOCS = Path(__file__).resolve().parent.parent / "docs"
BENCH = Path(__file__).resolve().parent.parent / "bench"


def _doc(name: str) -> str:
    return (DOCS / name).read_text(encoding="utf-8")


def _flat(text: str) -> str:
    """The text with its line breaks as spaces (a quote may wrap)."""
    return " ".join(text.split())


# ----------------------------------------------------------------------------- jit.md
def _fast(sizes: list[int], batch: int) -> int:
    from glassnet import jit, nn
    from glassnet.fused import FastMLP, layers_of

    model = nn.MLP(sizes, activation="tanh", output_activation="sigmoid", rng=0)
    return jit._macs(FastMLP(layers_of(model, training=True), "binary_cross_entropy"), batch)


def test_jit_size_rule_examples_are_the_rules_numbers():
    """ "(W3: 4 rows, 24; W2: 64 rows, 348k; W1 at batch 32, 7.5M, ...)": the forward pass's
    multiply-adds jit.is_small counts for each workload."""
    text = _flat(_doc("jit.md"))
    m = re.search(r"\(W3: 4 rows, ([\d.]+); W2: 64 rows, (\d+)k; W1 at batch 32, ([\d.]+)M,", text)
    assert m, "jit.md: the size rule's workload examples"
    w3, w2, w1 = float(m.group(1)), float(m.group(2)), float(m.group(3))
    assert w3 == _fast([2, 2, 1], 4)
    assert w2 == round(_fast([20, 64, 64, 1], 64) / 1e3)
    assert w1 == round(_fast([784, 256, 128, 10], 32) / 1e6, 1)


def test_jit_size_rule_wins_are_the_tables():
    """ "Within it every measured step won, by A× to B×": the smallest and largest NumPy / jit
    ratio of the crossover table's rows that the size rule takes (rows <= SMALL_ROWS,
    forward multiply-adds <= SMALL_MACS)."""
    from glassnet import jit

    text = _doc("jit.md")
    m = re.search(r"Within it every measured step won, by ([\d.]+)× to ([\d.]+)×", _flat(text))
    assert m, "jit.md: the size rule's measured wins"
    row = r"^\| (\d+) \| (\d+) \| ([\d,]+) \| [\d.]+ \| [\d.]+ \| ([\d.]+)× \|$"
    rows = re.findall(row, text, re.M)
    assert len(rows) == 24  # the crossover table
    inside = [
        float(r)
        for _, batch, macs, r in rows
        if int(batch) <= jit.SMALL_ROWS and int(macs.replace(",", "")) <= jit.SMALL_MACS
    ]
    assert inside and min(inside) > 1.0  # the rule keeps to the measured wins
    assert (float(m.group(1)), float(m.group(2))) == (round(min(inside), 1), round(max(inside), 1))


# ----------------------------------------------------------------------------- gpu.md
def test_gpu_cuda_1_is_refused_with_the_way_to_pick_a_device():
    """gpu.md: which calls refuse 'cuda:1' naming cupy.cuda.Device(n).use(); both do (fit
    once only listed 'cpu' and 'cuda', and the doc still said so)."""
    import glassnet as gn

    text = _flat(_doc("gpu.md"))
    said = re.search(
        r"(`[^`]*\"cuda:1\"\)`(?: and `[^`]*\"cuda:1\"\)`)?) (?:is|are) refused with", text
    )
    assert said, "gpu.md: what refuses 'cuda:1'"
    calls = re.findall(r"`([^`]*)`", said.group(1))
    assert calls == ['model.to("cuda:1")', 'fit(device="cuda:1")']
    model = gn.nn.MLP([2, 3, 1], rng=0)
    X, y = np.zeros((4, 2)), np.zeros((4, 1))
    for call in (lambda: model.to("cuda:1"), lambda: gn.fit(model, X, y, device="cuda:1")):
        with pytest.raises(ValueError, match=re.escape("cupy.cuda.Device(n).use()")):
            call()
    assert "only lists the accepted" not in text


# ------------------------------------------------------------------------- engines.md
def test_engines_cross_entropy_row_sums_are_the_rows_own():
    """engines.md: cross-entropy's row sums are taken in an order each row alone fixes
    (einsum; they were a GEMV, whose order depended on the rows beside, and the doc still
    said "BLAS's"), so 64 steps' rows counted at once give each step's own bits."""
    import inspect

    from glassnet import functional as F

    text = _flat(_doc("engines.md"))
    assert "row sums are BLAS's" not in text
    assert "each in an order the row alone fixes (`np.einsum`)" in text
    assert "np.einsum(" in inspect.getsource(F._ce_kernel)
    kernel = F.LOSSES["cross_entropy"].kernel
    rng = np.random.default_rng(9)
    for dtype in (np.float32, np.float64):
        for classes, rows in ((3, 1), (10, 7), (40, 64)):
            Z = (rng.normal(size=(64 * rows, classes)) * 3).astype(dtype)
            labels = rng.integers(0, classes, 64 * rows)
            for y in (labels, np.eye(classes, dtype=dtype)[labels]):
                at_once = kernel(Z, y, np.empty_like(Z))
                steps = [slice(s, s + rows) for s in range(0, 64 * rows, rows)]
                each = [kernel(Z[s], y[s], np.empty_like(Z[s])) for s in steps]
                assert np.array_equal(at_once, np.concatenate(each))


# --------------------------------------------------------------------- graph_speed.md
def test_graph_speed_names_the_kernels_row_sums():
    """graph_speed.md: glassnet's cross-entropy kernel sums its rows with np.einsum now, the
    NumPy reference (bench/graph_grid.py) with a GEMV; the doc said both took "the same
    kernel choices", row sums included, and that the kernel's row sums are a GEMV."""
    import inspect

    from glassnet import functional as F

    text = _flat(_doc("graph_speed.md"))
    assert "np.einsum(" in inspect.getsource(F._ce_kernel)
    assert "the cross-entropy head's row reductions" not in text
    assert "A later change sums each row with `np.einsum`" in text
    reference = (BENCH / "graph_grid.py").read_text(encoding="utf-8")
    assert "np.matmul(a, onesK, out=s)  # row sums as a GEMV" in reference
    assert "Its row sums are the GEMV" in text


# ------------------------------------------------------------------------ teaching.md
def test_teaching_bias_w0_weighted_sum_reads_as_quoted():
    """teaching.md quotes z₁'s weighted sum under bias="w0" as explain prints it (the doc
    wrote `·` where explain writes `*`)."""
    import glassnet as gn
    from glassnet.explain import explain

    text = _flat(_doc("teaching.md"))
    m = re.search(r"the weighted sums read `([^`]+)` for z₁", text)
    assert m, "teaching.md: the bias='w0' weighted sum"
    net = gn.nn.MLP([2, 2, 1], activation="sigmoid", output_activation="sigmoid", rng=0)
    shown = str(explain(net, np.array([0.0, 1.0]), 1.0, bias="w0"))
    row = next(line for line in shown.splitlines() if line.startswith("z₁ "))
    assert m.group(1) in row


def test_teaching_long_table_row_count():
    """ "a 2-1000-1 network's tables run to N rows": explain shows MAX_ROWS of them and says
    how many more (one row per weight and bias: 4001; the doc said 4000)."""
    import glassnet as gn
    from glassnet.explain import MAX_ROWS, explain

    text = _flat(_doc("teaching.md"))
    m = re.search(r"a 2-1000-1 network's tables run to (\d+) rows", text)
    assert m, "teaching.md: the 2-1000-1 network's tables"
    net = gn.nn.MLP([2, 1000, 1], activation="sigmoid", output_activation="sigmoid", rng=0)
    shown = str(explain(net, np.array([0.5, 1.0]), 1.0))
    more = [int(k) for k in re.findall(r"\.\.\. (\d+) more rows of this table", shown)]
    assert int(m.group(1)) == max(more) + MAX_ROWS == net.num_parameters()


# ------------------------------------------------------------------------- sklearn.md
def test_sklearn_speed_tables_name_the_command_that_made_them():
    """Each speed table's header ("BLAS threads T, median of R round(s)") follows the
    command that gives it: bench/sklearn_fit.py's defaults (3 rounds, 2 threads) or the
    options named (a 5-round table was introduced as the default command)."""
    text = _doc("sklearn.md")
    script = (BENCH / "sklearn_fit.py").read_text(encoding="utf-8")
    assert 'help="default 3 (fit), 15 (--partial-fit)"' in script  # the default rounds
    assert 'default=2, help="BLAS threads (default 2' in script
    heads = re.findall(r"^(.*):\n\n.*BLAS threads (\d+), median of (\d+) round\(s\)\.$", text, re.M)
    assert len(heads) == 2
    for intro, threads, rounds in heads:
        command = re.fullmatch(r"`python bench/sklearn_fit\.py([^`]*)`.*", intro)
        assert command, f"sklearn.md: say which command made the table: {intro!r}"
        options = command.group(1)
        given = re.search(r"--rounds (\d+)", options)
        assert int(rounds) == (int(given.group(1)) if given else 3), intro
        given = re.search(r"--threads (\d+)", options)
        assert int(threads) == (int(given.group(1)) if given else 2), intro


def test_sklearn_one_sample_class_error_reads_as_the_differences_table_says():
    """The Differences row on a class of 1 sample under early stopping: scikit-learn's
    error with its code for the class (`['True']`), then what the codes stand for (the row
    said glassnet showed the label itself, `[1]`)."""
    pytest.importorskip("sklearn")
    from glassnet.sklearn import MLPClassifier

    text = _flat(_doc("sklearn.md"))
    row = re.search(r"\| early-stopping split with a class of 1 sample \|[^|]*\|([^|]*)\|", text)
    assert row, "sklearn.md: the Differences row on a class of 1 sample"
    quoted = re.findall(r"`([^`]*)`", row.group(1))
    X = np.random.default_rng(0).normal(size=(40, 3))
    y = np.zeros(40, int)
    y[0] = 1
    with pytest.raises(ValueError) as err:
        MLPClassifier(max_iter=2, early_stopping=True).fit(X, y)
    message = str(err.value)
    assert message.startswith("MLPClassifier: early_stopping=True holds out")
    for quote in quoted:
        if quote != "validation_fraction":
            assert quote in message, quote
    assert "Classes with too few members are: ['True']" in message


def _nested_callback():
    def stop(state):
        return False

    return stop


@pytest.mark.filterwarnings("ignore:Stochastic Optimizer")  # 1 epoch: not converged
def test_sklearn_callbacks_pickling_errors_are_the_ones_named():
    """sklearn.md names the error pickling an estimator with a lambda or a nested function
    callback raises; pickle.dumps of a nested one raised AttributeError, which it did not
    name."""
    pytest.importorskip("sklearn")
    import io
    import pickle

    import joblib

    from glassnet.sklearn import MLPClassifier

    text = _flat(_doc("sklearn.md"))
    said = text[text.index("needs them defined at a module's top level") :]
    said = said[: said.index("GridSearchCV(n_jobs=2)")]
    X = np.random.default_rng(0).normal(size=(20, 2))
    y = (X[:, 0] > 0).astype(int)
    for callback in (lambda state: False, _nested_callback()):
        clf = MLPClassifier(hidden_layer_sizes=(3,), max_iter=1, callbacks=[callback])
        clf.fit(X, y)
        for dump in (pickle.dumps, lambda est: joblib.dump(est, io.BytesIO())):
            with pytest.raises(Exception) as err:
                dump(clf)
            assert f"`{type(err.value).__name__}`" in said, (callback, err.value)


def test_sklearn_mixed_labels_example_mixes_them():
    """The Differences row on labels mixing text and numbers gives an example that mixes
    them: an object array (a list [1, 'a'] is NumPy's strings '1', 'a', which both fit)."""
    pytest.importorskip("sklearn")
    from sklearn.neural_network import MLPClassifier as SkMLP

    from glassnet.sklearn import MLPClassifier

    text = _flat(_doc("sklearn.md"))
    row = re.search(r"\| labels mixing text and numbers \(`([^`]*)`[^|]*\|([^|]*)\|([^|]*)\|", text)
    assert row, "sklearn.md: the Differences row on mixed labels"
    example, theirs, ours = row.groups()
    labels = eval(example, {"np": np})  # the doc's example: an expression
    X = np.random.default_rng(0).normal(size=(len(labels) * 10, 2))
    y = np.concatenate([labels] * 10)
    with pytest.raises(TypeError) as err:
        SkMLP(max_iter=1).fit(X, y)
    assert str(err.value) in theirs
    with pytest.raises(ValueError, match=r"\(int, str\)"):
        MLPClassifier(max_iter=1).fit(X, y)
    assert "`int, str`" in ours


# ------------------------------------------------------------------------- threads.md
def test_threads_digits_speedup_is_the_tables():
    """threads.md's digits MLP on a busy machine: "A-B times faster fit for fit (C times,
    median to median)" from the table of the fits' seconds, taken alternately (the doc
    said 16-25: the first pair is 12.9x)."""
    text = _doc("threads.md")
    two = re.search(r"^\| `threads=2` [^|]*\| ([\d., ]+) \|$", text, re.M)
    rule = re.search(r"^\| `threads=None` [^|]*\| ([\d., ]+) \|$", text, re.M)
    said = re.search(
        r"(\d+)-(\d+) times faster fit for fit \((\d+) times, median to median\)", _flat(text)
    )
    assert two and rule and said, "threads.md: the digits table and its speedup"
    slow = [float(s) for s in two.group(1).split(",")]
    fast = [float(s) for s in rule.group(1).split(",")]
    pairs = [a / b for a, b in zip(slow, fast)]
    low, high, median = (int(g) for g in said.groups())
    assert (low, high) == (round(min(pairs)), round(max(pairs)))
    assert median == round(float(np.median(slow) / np.median(fast)))


def test_threads_one_busy_core_slowdown_at_two_threads_is_the_tables():
    """ "at 2 threads, as before, W1 kept A-B: C-D times slower": the `glassnet@2` columns
    (quiet, one core busy) of the one-busy-core table (the doc said 5-16; W1-b32's is 17)."""
    text = _doc("threads.md")
    said = re.search(
        r"at 2 threads, as before, W1 kept ([\d.]+)-([\d.]+): (\d+)-(\d+) times slower",
        _flat(text),
    )
    assert said, "threads.md: W1's slowdown at 2 threads"
    rows = re.findall(
        r"^\| (W1-b\d+) \| [^|]+\| [^|]+\| \*\*[\d.]+\*\* \| ([\d,]+)[^|]*\| ([\d,]+)[^|]*\| "
        r"([\d.]+) \|$",
        text,
        re.M,
    )
    assert len(rows) == 3, "threads.md: the one-busy-core table's W1 rows"
    slower = [int(q.replace(",", "")) / int(b.replace(",", "")) for _, q, b, _ in rows]
    kept = [float(k) for *_, k in rows]
    assert (float(said.group(1)), float(said.group(2))) == (min(kept), max(kept))
    assert (int(said.group(3)), int(said.group(4))) == (round(min(slower)), round(max(slower)))


def test_jit_use_names_both_step_counts():
    """jit.use's rule in docs/jit.md: a run of MIN_STEPS_COLD steps or more, and
    MIN_STEPS_PER_CALL to each compiled call (engines.md's row once left the second out: 16
    batches an epoch stay on NumPy however many steps the run has). engines.md's row says
    that engine='auto' never picks the compiled loop (round 20)."""
    from glassnet import jit, nn, optim
    from glassnet.fused import FastMLP, layers_of

    row = next(line for line in _doc("engines.md").splitlines() if line.startswith("| compiled |"))
    assert '`engine="jit"` alone' in row and '`engine="auto"` never picks it' in row, row
    text = " ".join(_doc("jit.md").split())
    said = re.search(r"at least `MIN_STEPS_PER_CALL` \((\d+)\) steps.* at least `MIN_STEPS_COLD` "
                     r"\(([\d,]+)\) steps", text)  # fmt: skip
    assert said, "jit.md: the compiled loop's step counts"
    assert int(said.group(2).replace(",", "")) == jit.MIN_STEPS_COLD
    assert int(said.group(1)) == jit.MIN_STEPS_PER_CALL
    pytest.importorskip("numba", reason="whether jit.use takes a run needs numba")
    model = nn.MLP([2, 4, 1], output_activation="sigmoid", rng=0)
    fast = FastMLP(layers_of(model, training=True), "binary_cross_entropy")
    opt = optim.SGD(model.parameters(), lr=0.1)
    steps = 2 * jit.MIN_STEPS_COLD
    assert jit.use(fast, opt, 4, steps, per_call=jit.MIN_STEPS_PER_CALL)
    assert not jit.use(fast, opt, 4, steps, per_call=jit.MIN_STEPS_PER_CALL - 1)


def test_engines_captured_row_nothing_between_epochs(monkeypatch):
    """engines.md's row of the captured loop: nothing between steps *or epochs* (an epoch
    callback keeps a GPU run uncaptured; the row said steps only). On the CPU, through the
    recording stand-in for CuPy and CUDA graphs of tests/test_backend.py."""
    import test_backend as tb

    import glassnet as gn
    from glassnet import nn, optim

    row = next(line for line in _doc("engines.md").splitlines() if line.startswith("| captured |"))
    assert "nothing between steps or epochs" in row
    monkeypatch.setattr(tb.RECORDING, "cuda", tb.StandInCuda, raising=False)

    class EachEpoch(gn.Callback):
        def on_epoch_end(self, state):
            pass

    engines = []
    try:
        for callbacks in (None, [EachEpoch()]):
            rng = np.random.default_rng(0)
            X = rng.standard_normal((100, 5))
            y = (X[:, :1] > 0).astype(float)
            model = nn.MLP([5, 8, 1], "tanh", "sigmoid", rng=0)
            tb._recorded(model)
            opt = optim.SGD(model.parameters(), lr=0.1)
            kw = dict(loss="binary_cross_entropy", optimizer=opt, epochs=2, batch_size=32)
            engines.append(gn.fit(model, X, y, callbacks=callbacks, verbose=0, **kw).engine)
    finally:
        tb.CAPTURE[0] = None
    assert engines == ["captured", "fused"]


def _stand_in_fit(tb, **kw):
    """fit on the recording stand-in for CuPy (tests/test_backend.py): its History."""
    import glassnet as gn
    from glassnet import nn, optim

    rng = np.random.default_rng(0)
    X = rng.standard_normal((100, 5))
    y = (X[:, :1] > 0).astype(float)
    model = nn.MLP([5, 8, 1], "tanh", "sigmoid", rng=0)
    tb._recorded(model)
    opt = optim.SGD(model.parameters(), lr=0.1)
    return gn.fit(model, X, y, loss="binary_cross_entropy", optimizer=opt, epochs=2,
                  batch_size=32, verbose=0, **kw)  # fmt: skip


def test_gpu_early_stopping_is_refused_not_run_eagerly(monkeypatch):
    """gpu.md: early stopping on the GPU is refused with validation data (it holds some
    out), not run eagerly without a note as the doc listed it; tol_weights runs eagerly."""
    import test_backend as tb

    text = _flat(_doc("gpu.md"))
    eager = re.search(
        r"without a note, when something of the caller's runs between ([^)]*)\)", text
    )
    assert eager, "gpu.md: what runs eagerly without a note"
    assert "early stopping" not in eager.group(1) and "`tol_weights`" in eager.group(1)
    assert "Validation data (so early stopping too), a stream and MPI are refused" in text
    monkeypatch.setattr(tb.RECORDING, "cuda", tb.StandInCuda, raising=False)
    try:
        with pytest.raises(ValueError, match="fit on the GPU trains without validation data"):
            _stand_in_fit(tb, early_stopping=True)
        h = _stand_in_fit(tb, tol_weights=1e-9)
        assert (h.engine, h.warnings) == ("fused", [])
    finally:
        tb.CAPTURE[0] = None
