"""glassnet.threads: the BLAS thread rule, the override, its errors, and limit() restoring
the limits in force before (read back with threadpoolctl.threadpool_info)."""

from __future__ import annotations

import contextlib
import os
import subprocess
import sys
import time

import numpy as np
import pytest

from glassnet import nn, threads
from glassnet._validation import ParameterError

threadpoolctl = pytest.importorskip("threadpoolctl")

W1 = [784, 256, 128, 10]  # bench W1: 2 * 128 * 784 * 256 = 51 MFLOP per GEMM at batch 128
W2 = [20, 64, 64, 1]
W3 = [2, 2, 1]
W4 = [8, 64, 3]


def _blas_counts() -> list[int]:
    return [d["num_threads"] for d in threadpoolctl.threadpool_info() if d["user_api"] == "blas"]


@pytest.fixture
def machine(monkeypatch):
    """A pretend machine: ``machine(cpus, busy, ceiling)`` sets what the rule reads."""

    def set_(cpus: int, busy: float = 0.0, ceiling: int | None = None) -> None:
        monkeypatch.setattr(threads, "usable_cpus", lambda: cpus)
        monkeypatch.setattr(threads, "busy_cpus", lambda: busy)
        monkeypatch.setattr(
            threads, "current_blas_threads", lambda: cpus if ceiling is None else ceiling
        )

    return set_


@pytest.fixture
def blas():
    """numpy's BLAS at 3 threads for the test (a known starting point), restored after."""
    if not _blas_counts():
        pytest.skip("threadpoolctl sees no BLAS library in this process")
    with threadpoolctl.threadpool_limits(limits=3, user_api="blas"):
        assert set(_blas_counts()) == {3}
        yield


# ------------------------------------------------------------------ the GEMM sizes
def test_gemm_flops_are_2_n_inputs_neurons_per_layer():
    assert threads.gemm_flops(W1, 32) == [2 * 32 * 784 * 256, 2 * 32 * 256 * 128, 2 * 32 * 128 * 10]
    assert threads.gemm_flops(W3, 4) == [32, 16]


def test_a_model_gives_the_same_sizes_as_its_layer_list(machine):
    machine(cpus=64)
    model = nn.MLP(W1, activation="relu", rng=0)
    assert threads.gemm_flops(model, 100) == threads.gemm_flops(W1, 100)
    for batch in (1, 32, 128, 1024):
        assert threads.blas_threads(model, batch) == threads.blas_threads(W1, batch)


# ------------------------------------------------------------------ the rule
@pytest.mark.parametrize(
    "sizes, batch", [(W2, 64), (W3, 4), (W4, 256), (W1, 1), ([64, 64, 64], 128)]
)
def test_small_gemms_get_one_thread_even_on_a_big_idle_machine(machine, sizes, batch):
    machine(cpus=64)
    assert max(threads.gemm_flops(sizes, batch)) < 2 * threads.FLOPS_PER_THREAD
    assert threads.blas_threads(sizes, batch) == 1


def test_threads_grow_with_the_largest_gemm_one_per_mflop(machine):
    machine(cpus=64)
    for batch in (1, 2, 4, 8, 16, 32, 64):
        flops = 2 * batch * 784 * 256
        want = max(1, min(64, flops // threads.FLOPS_PER_THREAD))
        assert threads.blas_threads(W1, batch) == want
    assert threads.blas_threads([64, 64], 256) == 2  # 2.1 MFLOP
    assert threads.blas_threads([64, 64], 128) == 1  # 1.05 MFLOP


def test_large_gemms_use_every_usable_cpu_when_quiet(machine):
    for cpus in (1, 2, 4, 8):
        machine(cpus=cpus)
        assert threads.blas_threads(W1, 128) == cpus
        assert threads.blas_threads(W1, 1024) == cpus


def test_busy_cores_lower_the_count_to_the_free_ones_and_never_below_one(machine):
    machine(cpus=2, busy=1)
    assert threads.blas_threads(W1, 128, threads="load") == 1
    machine(cpus=2, busy=2)
    assert threads.blas_threads(W1, 1024, threads="load") == 1
    machine(cpus=8, busy=3)
    assert threads.blas_threads(W1, 1024, threads="load") == 5
    machine(cpus=8, busy=20)
    assert threads.blas_threads(W1, 1024, threads="load") == 1


def test_auto_never_raises_the_blas_limit_in_force(machine):
    machine(cpus=8, ceiling=2)  # OPENBLAS_NUM_THREADS=2, or joblib's limit in a worker
    assert threads.blas_threads(W1, 1024) == 2
    machine(cpus=8, ceiling=None)
    assert threads.blas_threads(W1, 1024) == 8


def test_explain_names_the_reasons(machine):
    machine(cpus=2, busy=1)
    text = threads.explain(W1, 128, threads="load")
    assert text.startswith("1 BLAS thread(s)")
    assert "51.4 MFLOP" in text and "2 usable CPU(s)" in text and "1 free" in text
    machine(cpus=2, busy=5)
    assert threads.explain(W1, 128, threads="load").startswith("1 BLAS thread(s)")
    assert "5 runnable thread(s) of other work on 2 usable CPU(s): all 2 busy, 0 free" in (
        threads.explain(W1, 128, threads="load")
    )  # (not "5 CPU(s) busy" on 2 CPUs)


# ------------------------------------------------------------------ the override
def test_an_int_is_exactly_that_many_whatever_the_rule_says(machine):
    machine(cpus=2, busy=2)
    assert threads.blas_threads(W3, 4, threads=4) == 4
    assert threads.blas_threads(W1, 1024, threads=1) == 1
    assert threads.blas_threads(W1, 1024, threads=np.int64(3)) == 3
    machine(cpus=2)
    assert threads.blas_threads(W1, 1024, threads="auto") == 2
    assert threads.blas_threads(W1, 1024, threads=None) == 2


@pytest.mark.parametrize("bad", [0, -1, 2.5, True, "four", "Auto", [2]])
def test_bad_threads_are_refused_with_the_argument_the_value_and_the_fix(bad):
    with pytest.raises(ParameterError) as e:
        threads.blas_threads(W1, 32, threads=bad)
    msg = str(e.value)
    assert "'threads' parameter of blas_threads" in msg
    assert repr(bad) in msg
    assert "'auto'" in msg and "int >= 1" in msg
    with pytest.raises(ValueError, match="'threads' parameter of fit"):
        with threads.limit(W1, 32, threads=bad, owner="fit"):
            pass


@pytest.mark.parametrize(
    "bad, hint",
    [
        ("AUTO", "Write it 'auto', in lower case."),
        (" Auto", "Write it 'auto', in lower case."),
        (-1, "joblib's n_jobs=-1, every CPU, is threads='auto' here"),
        (np.int64(0), "joblib's n_jobs=-1, every CPU, is threads='auto' here"),
    ],
)
def test_auto_in_capitals_and_joblib_s_minus_one_say_what_to_write(bad, hint):
    with pytest.raises(ParameterError) as e:
        threads.check_threads(bad, "fit")
    assert hint in str(e.value)
    for other in (2.5, "four", True):  # (no hint where none fits)
        with pytest.raises(ParameterError) as e:
            threads.check_threads(other, "fit")
        assert "lower case" not in str(e.value) and "joblib" not in str(e.value)


def test_layer_sizes_given_as_a_numpy_array_count_as_the_list():
    sizes = np.array(W1)
    assert threads.gemm_flops(sizes, 128) == threads.gemm_flops(W1, 128)
    assert threads.explain(np.array(W3), 4) == threads.explain(W3, 4)
    with pytest.raises(ParameterError, match="must be a model"):
        threads.gemm_flops(np.array([W1]), 128)  # (2-D: not a list of sizes)


@pytest.mark.parametrize(
    "sizes, batch, match",
    [
        ("784-10", 32, "model_or_layer_sizes.*a model"),
        (784, 32, "model_or_layer_sizes.*a model"),
        ([784], 32, "at least 2 sizes"),
        ([784, 0, 10], 32, "'model_or_layer_sizes' parameter of blas_threads must be an int >= 1"),
        (W1, 0, "'batch_size' parameter of blas_threads must be an int >= 1. Got 0"),
        (W1, 2.0, "'batch_size' parameter of blas_threads must be an int >= 1. Got 2.0"),
    ],
)
def test_bad_sizes_are_refused(sizes, batch, match):
    with pytest.raises(ParameterError, match=match):
        threads.blas_threads(sizes, batch)


# ------------------------------------------------------------------ limit()
def test_limit_applies_the_choice_and_restores_the_limits_before(blas, machine):
    machine(cpus=2, ceiling=3)
    with threads.limit(W1, 128) as n:  # the rule: 2 CPUs
        assert n == 2
        assert set(_blas_counts()) == {2}
    assert set(_blas_counts()) == {3}
    with threads.limit(W2, 64) as n:  # small: 1
        assert n == 1 and set(_blas_counts()) == {1}
    assert set(_blas_counts()) == {3}
    with threads.limit(W2, 64, threads=2) as n:
        assert n == 2 and set(_blas_counts()) == {2}
    assert set(_blas_counts()) == {3}


def test_a_limit_already_in_force_is_not_set_again(blas, monkeypatch):
    """fit runs under limit() at every call: when the BLAS already has the count chosen,
    threadpoolctl is not asked to set and restore it (a cost paid by every partial_fit)."""
    ctl, calls = threads._controller(required=True), []
    limit = ctl.limit
    monkeypatch.setattr(ctl, "limit", lambda **kw: calls.append(kw) or limit(**kw))
    with threads.limit(W2, 64, threads=3) as n:
        assert n == 3 and set(_blas_counts()) == {3}
    assert calls == [] and set(_blas_counts()) == {3}
    with threads.limit(W2, 64, threads=1) as n:  # a change: set, then restored
        assert n == 1 and set(_blas_counts()) == {1}
        with threads.limit(W2, 64, threads=1):  # (nested: the latest open one holds)
            assert set(_blas_counts()) == {1}
        assert set(_blas_counts()) == {1}
    assert len(calls) == 3 and set(_blas_counts()) == {3}  # (the nested one: in and out)


def test_limit_restores_after_an_exception(blas):
    with pytest.raises(KeyboardInterrupt):
        with threads.limit(W1, 128, threads=1):
            assert set(_blas_counts()) == {1}
            raise KeyboardInterrupt
    assert set(_blas_counts()) == {3}


def test_overlapping_limits_the_latest_open_one_holds_the_last_one_out_restores(blas):
    with threads.limit(W1, 128, threads=2) as outer:
        assert outer == 2 and set(_blas_counts()) == {2}
        with threads.limit(W1, 128, threads=1) as inner:
            assert inner == 1 and set(_blas_counts()) == {1}
            with threads.limit(W1, 128, threads=3) as exact:  # an int is exactly that many
                assert exact == 3 and set(_blas_counts()) == {3}
            assert set(_blas_counts()) == {1}
            with threads.limit(W1, 1024) as auto:  # auto stays under the limit in force
                assert auto == 1 and set(_blas_counts()) == {1}
        assert set(_blas_counts()) == {2}
    assert set(_blas_counts()) == {3}
    # fits in two Python threads end in any order: a, b open; a closes first
    a, b = threads.limit(W1, 128, threads=1), threads.limit(W1, 128, threads=2)
    assert a.__enter__() == 1
    assert b.__enter__() == 2
    a.__exit__(None, None, None)
    assert set(_blas_counts()) == {2}
    b.__exit__(None, None, None)
    assert set(_blas_counts()) == {3}


def test_without_threadpoolctl_auto_does_nothing_and_an_int_says_what_to_install(blas, monkeypatch):
    monkeypatch.setitem(sys.modules, "threadpoolctl", None)  # import threadpoolctl fails
    with threads.limit(W1, 128) as n:
        assert n is None
    assert threads.current_blas_threads() is None
    assert isinstance(threads.blas_threads(W1, 128), int)  # the rule still answers
    with pytest.raises(ImportError, match=r"pip install 'glassnet\[fast\]'"):
        with threads.limit(W1, 128, threads=1):
            pass
    monkeypatch.undo()
    assert set(_blas_counts()) == {3}  # nothing was changed


def test_the_limit_in_force_is_read_back(blas):
    assert threads.current_blas_threads() == 3
    with threadpoolctl.threadpool_limits(limits=1, user_api="blas"):
        assert threads.current_blas_threads() == 1


# ------------------------------------------------------------------ the machine
def test_usable_cpus_is_between_1_and_the_cpu_count():
    n = threads.usable_cpus()
    assert 1 <= n <= (os.cpu_count() or 1)
    with contextlib.suppress(AttributeError):
        assert n <= len(os.sched_getaffinity(0))


@pytest.mark.skipif(not os.path.exists("/proc/loadavg"), reason="Linux /proc/loadavg only")
def test_busy_cpus_sees_processes_that_keep_cores_busy():
    spin = [subprocess.Popen([sys.executable, "-c", "while True: pass"]) for _ in range(2)]
    try:
        time.sleep(0.3)
        seen = max(threads.busy_cpus() for _ in range(3))
    finally:
        for p in spin:
            p.kill()
            p.wait()
    assert seen >= 2  # other work on a shared machine can only add to it


# ------------------------------------------------------------------ the estimators
@pytest.fixture
def sk():
    """glassnet.sklearn, imported before the ``blas`` fixture sets every BLAS loaded (SciPy
    brings its own)."""
    return pytest.importorskip("glassnet.sklearn")


@pytest.mark.parametrize("solver", ["adam", "lbfgs"])
def test_estimators_fit_under_their_threads_and_restore_the_limits(sk, blas, solver):
    X = np.random.default_rng(0).standard_normal((60, 4))
    y = (X[:, 0] > 0).astype(int)
    seen: list[list[int]] = []
    clf = sk.MLPClassifier(
        (8,),
        solver=solver,
        max_iter=3,
        random_state=0,
        threads=1,
        callbacks=[lambda state: seen.append(_blas_counts())],
    )
    with pytest.warns(Warning):  # 3 iterations do not converge
        clf.fit(X, y)
    assert seen and all(set(c) == {1} for c in seen)
    assert set(_blas_counts()) == {3}
    clf.set_params(threads=2)
    seen.clear()
    with pytest.warns(Warning):
        clf.fit(X, y)
    assert seen and all(set(c) == {2} for c in seen)
    assert set(_blas_counts()) == {3}


def test_estimators_threads_round_trips_through_get_params_set_params_and_clone(sk):
    from sklearn.base import clone

    for Est in (sk.MLPClassifier, sk.MLPRegressor):
        assert Est().get_params()["threads"] is None
        est = Est(threads=2)
        assert est.get_params()["threads"] == 2
        assert clone(est).threads == 2
        assert clone(est.set_params(threads="auto")).get_params()["threads"] == "auto"


@pytest.mark.parametrize("bad", [0, "four", 1.5])
def test_estimators_refuse_bad_threads_naming_the_estimator(sk, bad):
    X = np.zeros((10, 2))
    with pytest.raises(ValueError, match=f"'threads' parameter of MLPRegressor.*Got {bad!r}"):
        sk.MLPRegressor(threads=bad).fit(X, np.zeros(10))


def test_fit_refusing_its_threads_changes_nothing(monkeypatch):
    """threads=N without threadpoolctl: fit raises before anything starts, and leaves
    NumPy's error settings and the callbacks as they were."""
    import glassnet as gn
    import glassnet.threads as threads_mod

    def missing(required):
        if required:
            raise ImportError("threadpoolctl is not installed")
        return None

    monkeypatch.setattr(threads_mod, "_controller", missing)
    began = []

    class Spy(gn.Callback):
        def on_train_begin(self, state):
            began.append(state.epoch)

    before = np.geterr()
    X = np.random.default_rng(0).standard_normal((16, 3))
    with pytest.raises(ImportError, match="threadpoolctl"):
        gn.fit(gn.nn.MLP([3, 2, 1], rng=0), X, X[:, :1], threads=2, callbacks=[Spy()], verbose=0)
    assert np.geterr() == before and began == []


def test_more_threads_than_the_blas_runs_is_refused_not_capped():
    """threads=10**6 yielded 10**6 while OpenBLAS ran its build's maximum (64 here)."""
    pytest.importorskip("threadpoolctl")
    before = threads.current_blas_threads()
    if before is None:
        pytest.skip("no BLAS that threadpoolctl can set")
    with pytest.raises(ValueError, match=r"asks for 1000000 BLAS threads, but the BLAS in this"):
        with threads.limit(W1, 128, threads=10**6, owner="fit"):
            pass
    assert threads.current_blas_threads() == before  # the limits before are back


POOL_OF_FITS = """
from concurrent.futures import ThreadPoolExecutor
import numpy as np
from threadpoolctl import threadpool_info
import glassnet as gn

counts = lambda: [d["num_threads"] for d in threadpool_info() if d["user_api"] == "blas"]
X = np.random.default_rng(0).standard_normal((200, 10)).astype(np.float32)
y = (X[:, 0] > 0).astype(int)

def one(seed):
    model = gn.nn.MLP([10, 16, 1], output_activation="sigmoid", rng=seed)
    gn.fit(model, X, y, loss="binary_cross_entropy", epochs=10, batch_size=32, verbose=0)

before = counts()
for _ in range(4):
    with ThreadPoolExecutor(4) as pool:
        list(pool.map(one, range(8)))
    print(before, counts())
"""


def test_fits_in_a_pool_of_threads_leave_the_process_blas_count_as_it_was():
    """Fits in a ThreadPoolExecutor each lowered OpenBLAS to 1 thread and put it back from
    their own thread, which OpenBLAS does not always take: a fresh process (its BLAS at its
    default count) was left at 1 thread, for every later matrix product, after a pool."""
    env = dict(os.environ, OPENBLAS_NUM_THREADS="2", OMP_NUM_THREADS="2")
    out = subprocess.run(
        [sys.executable, "-c", POOL_OF_FITS], capture_output=True, text=True, timeout=120,
        env=env, check=True,
    ).stdout.splitlines()  # fmt: skip
    assert len(out) == 4
    for line in out:
        before, after = line.split("] [")
        assert before + "]" == "[" + after, out


def test_an_explicit_count_from_a_worker_thread_runs_with_the_count_in_force(blas, monkeypatch):
    """From a worker thread nothing changes: threads=N other than the count in force runs
    with that count and says so once (it was refused, which failed fit_many's own request
    of one thread under its shares, and GridSearchCV's threading backend with threads=1)."""
    from concurrent.futures import ThreadPoolExecutor

    import glassnet as gn

    monkeypatch.setattr(threads, "_WARNED_OFF_MAIN", [])

    def run(n: int) -> int | None:
        with threads.limit(W1, 128, threads=n, owner="fit") as got:
            return got

    with ThreadPoolExecutor(1) as pool:
        assert pool.submit(run, 3).result() == 3  # (the count in force: nothing to change)
        with pytest.warns(RuntimeWarning, match="from a thread other than the main one"):
            assert pool.submit(run, 1).result() == 3
        X = np.random.default_rng(0).standard_normal((64, 4)).astype(np.float32)
        y = X[:, :1].copy()
        models = [gn.nn.MLP([4, 8, 1], rng=k) for k in range(4)]
        fitted = pool.submit(lambda: gn.fit_many(models, X, y, threads=2, epochs=2))
        assert len(fitted.result()) == 4  # (its one BLAS thread under its shares: best effort)
    assert set(_blas_counts()) == {3}
