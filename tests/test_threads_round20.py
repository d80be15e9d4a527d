"""threads='auto' (the default of fit, the estimators and the CLI) no longer reads the
machine's load: OpenBLAS's products differ in their last bits between 1 and 2 threads for
some shapes (here the forward product of a 400-input layer, whose sum over 400 terms the
threaded driver cuts into other blocks), so a count that followed the load gave the same
call other weights on a busy machine than on a quiet one. The load-aware rule is
threads='load'; an int still sets exactly that many."""

import numpy as np
import pytest

import glassnet as gn
from glassnet import nn, threads
from glassnet._validation import ParameterError
from tests.cli_helpers import FAST, HEADER, rows, run, write_csv

threadpoolctl = pytest.importorskip("threadpoolctl")

SIZES = [400, 32, 1]  # 2 * 128 * 400 * 32 = 3.3 MFLOP: 2 threads by size on 2 CPUs
BATCH = 128


@pytest.fixture
def machine(monkeypatch):
    """A 2-CPU machine whose other work keeps ``busy`` CPUs busy (what the rule reads)."""

    def set_(busy: float) -> None:
        monkeypatch.setattr(threads, "usable_cpus", lambda: 2)
        monkeypatch.setattr(threads, "busy_cpus", lambda: busy)
        monkeypatch.setattr(threads, "current_blas_threads", lambda: 2)

    return set_


class _Seen(gn.Callback):
    """The BLAS thread count in force while the fit runs."""

    def __init__(self) -> None:
        self.counts: list[int] = []

    def on_epoch_end(self, state) -> None:
        info = threadpoolctl.threadpool_info()
        self.counts += [d["num_threads"] for d in info if d["user_api"] == "blas"]


def _fit(threads_: object = None) -> tuple[np.ndarray, list[int]]:
    rng = np.random.default_rng(0)
    X, y = rng.normal(size=(256, 400)), rng.normal(size=(256, 1))
    model = nn.MLP(SIZES, activation="relu", rng=0, dtype=np.float64)
    seen = _Seen()
    kw = {} if threads_ is None else {"threads": threads_}
    gn.fit(model, X, y, loss="mse", optimizer="sgd", lr=0.01, batch_size=BATCH, epochs=3,
           seed=0, verbose=0, callbacks=[seen], engine="fused", **kw)  # fmt: skip
    return np.concatenate([p.data.ravel() for p in model.parameters()]), seen.counts


def _blas_present() -> None:
    if not [d for d in threadpoolctl.threadpool_info() if d["user_api"] == "blas"]:
        pytest.skip("threadpoolctl sees no BLAS library in this process")


@pytest.mark.parametrize("default", [None, "auto"])
def test_a_fit_gives_the_same_weights_whatever_load_the_rule_sees(machine, default):
    _blas_present()
    machine(busy=0.0)
    quiet, quiet_counts = _fit(default)
    machine(busy=1.0)  # one of the 2 CPUs busy with other work
    busy, busy_counts = _fit(default)
    machine(busy=7.0)  # more runnable threads than CPUs
    very_busy, very_busy_counts = _fit(default)
    assert quiet_counts and set(quiet_counts) == set(busy_counts) == set(very_busy_counts) == {2}
    assert np.array_equal(quiet, busy) and np.array_equal(quiet, very_busy)


def test_the_count_is_the_same_under_any_load_and_explain_says_the_load_is_not_read(machine):
    for busy in (0.0, 1.0, 2.0, 7.0):
        machine(busy=busy)
        assert threads.blas_threads(SIZES, BATCH) == 2
        assert threads.blas_threads(SIZES, BATCH, threads="auto") == 2
        text = threads.explain(SIZES, BATCH)
        assert text.startswith("2 BLAS thread(s)"), text
        assert "the load is not read (threads='load' reads it" in text, text


def test_load_still_follows_the_load(machine):
    machine(busy=0.0)
    assert threads.blas_threads(SIZES, BATCH, threads="load") == 2
    machine(busy=1.0)
    assert threads.blas_threads(SIZES, BATCH, threads="load") == 1
    assert "1 CPU(s) busy with other work, 1 free" in threads.explain(SIZES, BATCH, "load")


def test_an_int_still_overrides_under_any_load(machine):
    _blas_present()
    machine(busy=7.0)
    _, counts = _fit(1)
    assert set(counts) == {1}
    machine(busy=0.0)
    _, counts = _fit(1)
    assert set(counts) == {1}
    machine(busy=7.0)
    assert threads.blas_threads(SIZES, BATCH, threads=2) == 2
    assert threads.blas_threads(SIZES, BATCH, threads=1) == 1


def test_the_docstrings_say_what_auto_and_load_do():
    doc = " ".join(threads.blas_threads.__doc__.split())
    assert "The load of the machine is not read" in doc
    assert "'load': rules 1 and 2, then at most the CPUs that other work leaves free" in doc
    mod = " ".join(threads.__doc__.split())
    assert "Contention (``threads='load'`` only)" in mod
    assert "the same call on the same machine gives the same weights, bit for bit" in mod


@pytest.mark.parametrize("bad", ["LOAD", " Load", "loaded"])
def test_a_misspelt_load_is_refused_naming_the_forms(bad):
    with pytest.raises(ParameterError) as e:
        threads.blas_threads(SIZES, BATCH, threads=bad)
    text = str(e.value)
    assert "'threads' parameter of blas_threads" in text and repr(bad) in text
    assert "'load'" in text and "'auto'" in text
    if bad.strip().lower() == "load":
        assert "Write it 'load', in lower case." in text


@pytest.mark.parametrize(("flag", "given"), [([], "auto"), (["--threads", "1"], 1),
                                             (["--threads", "auto"], "auto"),
                                             (["--threads", "load"], "load")])  # fmt: skip
def test_cli_train_passes_threads_to_fit(tmp_path, capsys, monkeypatch, flag, given):
    import glassnet.train as train_mod

    seen = []
    real = train_mod.blas_limit

    def spy(*args, **kwargs):
        seen.append(kwargs.get("threads"))
        return real(*args, **kwargs)

    monkeypatch.setattr(train_mod, "blas_limit", spy)
    data = write_csv(tmp_path / "d.csv", HEADER, rows())
    code, _, err = run(capsys, "train", data, "--target", "label", *FAST, "--out",
                       tmp_path / "m.glassnet", *flag)  # fmt: skip
    assert code == 0, err
    assert seen == [given]


@pytest.mark.parametrize("bad", ["0", "two", "AUTO", "-1"])
def test_cli_train_refuses_a_bad_threads_naming_the_forms(tmp_path, capsys, bad):
    data = write_csv(tmp_path / "d.csv", HEADER, rows())
    code, _, err = run(capsys, "train", data, "--target", "label", *FAST, f"--threads={bad}")
    assert code == 2, err
    assert "argument --threads: expected 'auto', 'load', 'keep' or a whole number > 0" in err
    assert repr(bad) in err
