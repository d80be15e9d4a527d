"""How many BLAS threads a training run should use, and a context manager that applies it.

A training step is a handful of matrix products (GEMMs). For a layer with ``inputs``
inputs and ``neurons`` neurons and a batch of ``N`` rows, each of the three products of a
step, forward ``Z = X @ W`` (N, inputs) @ (inputs, neurons), the weight gradient
``dW = X.T @ dZ`` and the input gradient ``dX = dZ @ W.T``, costs

    2 * N * inputs * neurons   floating-point operations (FLOP).

Threads pay off only when each of them gets enough of that work to hide the cost of
waking it and waiting for it. The rule (:func:`blas_threads`):

1. **Size.** ``n_size = max(1, floor(largest GEMM FLOP / FLOPS_PER_THREAD))``: one thread
   per 1 MFLOP of the step's largest product. Measured on a 2-core Xeon with OpenBLAS
   0.3.31 (docs/threads.md): a second thread gains nothing below about 1 MFLOP per GEMM
   and 1.2-1.9x from 2 MFLOP up. (OpenBLAS itself already runs a GEMM under 0.5 MFLOP on
   one thread; the rule also keeps the step's other calls, e.g. the bias gradient's GEMV,
   on one.)
2. **Cores.** Never more than the CPUs this process may use (its CPU affinity and a
   cgroup CPU quota, e.g. ``docker --cpus``), and never more than the BLAS limit already in
   force (``OPENBLAS_NUM_THREADS``, an enclosing ``threadpool_limits``, joblib's limit in
   its workers): ``auto`` only ever lowers the thread count.
3. **Contention (``threads='load'`` only).** When ``n_size > 1``, count the CPUs that
   other work is using right now: the kernel's count of runnable threads
   (``/proc/loadavg``, 4th field) minus this process's own running threads, the median of
   3 readings about 0.5 ms apart (a process that keeps a core busy shows in all three, a
   passing one rarely). Use at most the CPUs left over, and at least 1. Under contention a
   BLAS thread that shares a core with another process is descheduled, and every GEMM
   waits for it at the end: measured, 2 threads with one core busy ran W1 (784-256-128-10,
   batch 32-1024) 2-2.5 times slower than 1 thread. The 1-minute load average
   (``os.getloadavg``) is the fallback where ``/proc/loadavg`` is missing.

**Why the default leaves the load out.** OpenBLAS's products do not always give the same
bits at 1 and at 2 threads: the threaded driver cuts the sum over ``k`` into other blocks
than the one-thread driver where ``k`` lies past its block size (``k`` not a multiple of
32: ``X @ W`` with 784 inputs, in float32 and float64), and splitting the rows or columns
among threads moves some of them to other edge kernels (float64 ``X.T @ dZ`` for 64 inputs
and 100 neurons). The numbers are as good either way, a few units in the last place apart,
but training amplifies such differences (ReLU networks end far apart). A count that
follows the load would make the same call give other weights on a busy machine than on a
quiet one; ``threads='auto'`` (the default) is therefore rules 1 and 2 alone, which depend
only on the sizes, the CPUs this process may use and the BLAS limit in force: the same call
on the same machine gives the same weights, bit for bit. ``threads='load'`` adds rule 3,
for speed on a machine other work keeps busy, at the price of weights that depend in their
last bits on the load (docs/threads.md measures both).

``threads=`` overrides the rule: an int sets exactly that many threads; ``'load'`` adds
rule 3; ``'keep'`` sets none and runs with the count in force.

Applying the choice needs threadpoolctl (``pip install 'glassnet[fast]'``). Without it
``threads='auto'`` (or None) leaves BLAS as it is, and an explicit int raises
ImportError. :func:`limit` restores the previous limits when it exits.

The choice is made once, when the run starts; a load that starts or stops later in a long
run is not followed. Limits are process-wide (BLAS has one thread pool per process), and a
product's bits can depend on the count: the count a fit sets (``'auto'``, ``'load'`` or an
int) holds for the whole process while it runs, and can change the last bits of what other
Python threads compute meanwhile (a served model's predict). A process whose other threads
compute while it trains sets the count once at start-up
(``threadpoolctl.threadpool_limits(n, user_api='blas')`` or ``OPENBLAS_NUM_THREADS``) and
fits with ``threads='keep'``, which changes no count (docs/threads.md). While
several ``limit`` blocks overlap (nested) the most recently entered one that is still open
holds (an ``auto`` one inside another never goes above it: rule 2), and the limits in force
before the first are restored after the last. From a Python thread other than the main one
nothing is changed where the BLAS is OpenBLAS, which takes a lower count from there but not
always the higher one back (a pool of fits left the whole process at one thread):
``threads='auto'`` (and an int, with a warning once a process) runs with the count in
force, which for small networks in a pool of threads oversubscribes the cores: set the count
around the threads with ``threadpoolctl.threadpool_limits`` from the main thread.
``best_effort=True`` (glassnet's own calls, such as :func:`glassnet.fit_many`'s one thread
under its shares) takes the count in force there without a word.

:func:`model_threads` is the other count: how many Python threads
:func:`glassnet.fit_many` splits its stack of networks over (one per
:data:`FLOPS_PER_SHARE` of the stacked step, then rules 2 and 3), with BLAS held to one
thread under them (there the load is read under ``'auto'`` too: every count of shares
gives the same bits).

>>> blas_threads([2, 2, 1], batch_size=4)   # XNOR: 32 FLOP per GEMM at most
1
>>> blas_threads([784, 256, 10], batch_size=128, threads=3)
3
"""

from __future__ import annotations

import contextlib
import itertools
import math
import numbers
import os
import statistics
import sys
import threading
import time
import warnings
from collections.abc import Iterator, Sequence
from typing import Any

from ._validation import ParameterError, check_number

_WARNED_OFF_MAIN: list[str] = []  # limit's warning of a count asked off the main thread: once

__all__ = [
    "FLOPS_PER_SHARE",
    "FLOPS_PER_THREAD",
    "blas_threads",
    "busy_cpus",
    "check_threads",
    "current_blas_threads",
    "explain",
    "gemm_flops",
    "limit",
    "model_threads",
    "usable_cpus",
]

FLOPS_PER_THREAD = 1_000_000  # one BLAS thread per 1 MFLOP of the largest GEMM (module doc)
FLOPS_PER_SHARE = 6_000_000  # fit_many: one thread per 6 MFLOP of a stacked step (model_threads)
_SAMPLES = 3  # contention readings, median taken
_SAMPLE_GAP_S = 0.0005
_INSTALL = "pip install 'glassnet[fast]'"


# --------------------------------------------------------------------- the step's GEMMs
def _layer_shapes(model_or_layer_sizes: Any, owner: str) -> list[tuple[int, int]]:
    """[(inputs, neurons)] per layer, from layer sizes or from a model's 2-D parameters."""
    obj = model_or_layer_sizes
    params = getattr(obj, "parameters", None)
    if callable(params):
        shapes = []
        for p in params():
            shape = getattr(getattr(p, "data", p), "shape", ())
            if len(shape) == 2:  # a weight matrix W: (inputs, neurons)
                shapes.append((int(shape[0]), int(shape[1])))
        return shapes
    if getattr(obj, "ndim", None) == 1 and callable(getattr(obj, "tolist", None)):
        obj = obj.tolist()  # (a NumPy array of sizes: its ints)
    if isinstance(obj, (str, bytes)) or not isinstance(obj, Sequence):
        raise ParameterError(
            f"The 'model_or_layer_sizes' parameter of {owner} must be a model (anything with "
            f"parameters(), e.g. glassnet.nn.MLP) or a list of layer sizes such as "
            f"[784, 256, 10]. Got {obj!r}."
        )
    sizes = [check_number(s, "model_or_layer_sizes", owner, low=1, integer=True) for s in obj]
    if len(sizes) < 2:
        raise ParameterError(
            f"The 'model_or_layer_sizes' parameter of {owner} needs at least 2 sizes "
            f"(inputs and outputs), e.g. [784, 256, 10]. Got {list(obj)!r}."
        )
    return list(zip(sizes[:-1], sizes[1:]))


def gemm_flops(model_or_layer_sizes: Any, batch_size: int) -> list[int]:
    """FLOP of one matrix product per layer, ``2 * batch_size * inputs * neurons``.

    Each layer runs three products of this size per step (forward ``X @ W``, ``X.T @ dZ``
    and ``dZ @ W.T``; the first layer skips the last).

    >>> gemm_flops([784, 256, 128, 10], batch_size=32)
    [12845056, 2097152, 81920]
    """
    shapes = _layer_shapes(model_or_layer_sizes, "gemm_flops")
    n = check_number(batch_size, "batch_size", "gemm_flops", low=1, integer=True)
    return [2 * n * i * o for i, o in shapes]


# --------------------------------------------------------------------- the machine
def _cgroup_cpus() -> float | None:
    """CPUs allowed by a cgroup quota (v2 ``cpu.max``, v1 ``cfs_quota_us``), or None."""
    try:
        with open("/sys/fs/cgroup/cpu.max") as f:
            quota, period = f.read().split()[:2]
        return None if quota == "max" else int(quota) / int(period)
    except (OSError, ValueError):
        pass
    try:
        with open("/sys/fs/cgroup/cpu/cpu.cfs_quota_us") as f:
            quota_us = int(f.read())
        with open("/sys/fs/cgroup/cpu/cpu.cfs_period_us") as f:
            period_us = int(f.read())
        return None if quota_us <= 0 else quota_us / period_us
    except (OSError, ValueError):
        return None


_CGROUP: list[float | None] = []  # read once per process


def usable_cpus() -> int:
    """CPUs this process may run on: its CPU affinity (``os.process_cpu_count`` on Python
    3.13+), capped by a cgroup CPU quota rounded up; at least 1."""
    count = getattr(os, "process_cpu_count", None)
    if count is not None:
        n = count()
    else:
        try:
            n = len(os.sched_getaffinity(0))
        except (AttributeError, OSError):
            n = os.cpu_count()
    n = n or 1
    if not _CGROUP:
        _CGROUP.append(_cgroup_cpus())
    if _CGROUP[0] is not None:
        n = min(n, max(1, math.ceil(_CGROUP[0])))
    return max(1, n)


def _own_running_threads() -> int:
    """This process's threads in state R (running or runnable)."""
    n = 0
    try:
        tids = os.listdir("/proc/self/task")
    except OSError:
        return 1
    for tid in tids:
        try:
            with open(f"/proc/self/task/{tid}/stat") as f:
                stat = f.read()
        except OSError:  # the thread ended
            continue
        if stat[stat.rindex(")") + 2 :].startswith("R"):
            n += 1
    return max(1, n)


def busy_cpus() -> float:
    """CPUs' worth of runnable threads of *other* processes, right now.

    Linux: the median over 3 readings, 0.5 ms apart, of the kernel's runnable-thread count
    (``/proc/loadavg``, 4th field) minus this process's own running threads. Elsewhere:
    the 1-minute load average minus 1 (this process), at least 0.
    """
    readings = []
    for k in range(_SAMPLES):
        if k:
            time.sleep(_SAMPLE_GAP_S)
        try:
            with open("/proc/loadavg") as f:
                running = int(f.read().split()[3].split("/")[0])
        except (OSError, ValueError, IndexError):
            break
        readings.append(max(0, running - _own_running_threads()))
    if readings:
        return float(statistics.median(readings))
    try:
        return max(0.0, os.getloadavg()[0] - 1.0)
    except (AttributeError, OSError):
        return 0.0


# --------------------------------------------------------------------- threadpoolctl
_LOCK = threading.RLock()
_CONTROLLER: list[Any] = []  # [(len(sys.modules) when made, ThreadpoolController)]


def _controller(required: bool) -> Any:
    """A cached ``threadpoolctl.ThreadpoolController`` (remade when modules were imported
    since, as they may have loaded another BLAS), or None without threadpoolctl."""
    try:
        import threadpoolctl
    except ImportError:
        if required:
            raise ImportError(
                "Setting the BLAS thread count (threads=<int>) needs threadpoolctl. Install "
                f"it with: {_INSTALL}; or leave threads='auto'."
            ) from None
        return None
    with _LOCK:
        stamp = len(sys.modules)
        if not _CONTROLLER or _CONTROLLER[0][0] != stamp:
            _CONTROLLER[:] = [(stamp, threadpoolctl.ThreadpoolController())]
        return _CONTROLLER[0][1]


def current_blas_threads() -> int | None:
    """The BLAS thread limit in force (the largest over the BLAS libraries loaded), or None
    without threadpoolctl or without a BLAS it can see."""
    ctl = _controller(required=False)
    if ctl is None:
        return None
    counts = [d["num_threads"] for d in ctl.info() if d.get("user_api") == "blas"]
    return max(counts) if counts else None


# --------------------------------------------------------------------- the rule
_RULES = ("auto", "load", "keep")


def _keeps(threads: Any) -> bool:
    """Whether ``threads`` is ``'keep'``: the count in force, never changed."""
    return isinstance(threads, str) and threads == "keep"


def check_threads(threads: Any, owner: str, what: str = "BLAS threads") -> int | None:
    """None for a rule (``'auto'``, None, ``'load'`` or ``'keep'``), else the int >= 1 asked
    for, at most 2**31 - 1 (what a BLAS takes): the one bound of every reader of ``threads``
    (fit, fit_many, the estimators, :func:`blas_threads`, :func:`explain`, :func:`limit`;
    :func:`limit` refuses a count above the BLAS's own cap too, which only setting it reads).

    Raises
    ------
    ParameterError
        Anything else, naming ``owner``, the value and the accepted forms (``what``: what
        the int counts).
    """
    if threads is None or (isinstance(threads, str) and threads in _RULES):
        return None
    want = (
        f"The 'threads' parameter of {owner} must be 'auto' (or None: chosen from the "
        f"matrix sizes and the CPUs), 'load' (also leaves out the CPUs other work keeps busy: "
        f"faster on a busy machine, but the weights' last bits may then depend on the load), "
        f"'keep' (BLAS's count in force, left unchanged: for a process whose other threads "
        f"compute meanwhile) or an int >= 1 (exactly that many {what}). Got {threads!r}."
    )
    if isinstance(threads, str) and threads.strip().lower() in _RULES:
        want += f" Write it {threads.strip().lower()!r}, in lower case."
    elif isinstance(threads, numbers.Integral) and not isinstance(threads, bool) and threads < 1:
        want += (
            " (joblib's n_jobs=-1, every CPU, is threads='auto' here: up to every usable "
            "CPU, as many as the step has work for.)"
        )
    elif isinstance(threads, numbers.Integral) and threads > _MOST_THREADS:
        want += (
            f" A BLAS takes at most 2**31 - 1 = {_MOST_THREADS} threads (and its build often "
            "64): give the CPUs to use, such as os.cpu_count(), or 'auto'."
        )
    if isinstance(threads, str):
        raise ParameterError(want)
    try:
        return check_number(threads, "threads", owner, low=1, high=_MOST_THREADS, integer=True)
    except ParameterError:
        raise ParameterError(want) from None


def _choose(
    model_or_layer_sizes: Any, batch_size: Any, threads: Any, owner: str
) -> tuple[Any, list[str], bool]:
    """(threads, the reasons in words, whether it was asked for explicitly); under
    ``'keep'`` the count in force, or None where it cannot be read."""
    asked = check_threads(threads, owner)
    rows = check_number(batch_size, "batch_size", owner, low=1, integer=True)
    flops = max([2 * rows * i * o for i, o in _layer_shapes(model_or_layer_sizes, owner)] or [0])
    if asked is not None:
        return asked, [f"threads={asked} asked for"], True
    if _keeps(threads):
        held = current_blas_threads()
        return held, [f"threads='keep': the BLAS count in force ({held}), left as it is"], False
    by_size = max(1, int(flops // FLOPS_PER_THREAD))
    why = [f"largest GEMM {flops / 1e6:.3g} MFLOP: {by_size} thread(s) by size"]
    n = by_size
    if n > 1:
        cpus = usable_cpus()
        why.append(f"{cpus} usable CPU(s)")
        n = min(n, cpus)
        ceiling = current_blas_threads()
        if ceiling is not None:
            why.append(f"BLAS limit in force {ceiling}")
            n = min(n, ceiling)
    if n > 1 and not (isinstance(threads, str) and threads == "load"):
        why.append("the load is not read (threads='load' reads it: docs/threads.md)")
    elif n > 1:
        busy, cpus = busy_cpus(), usable_cpus()
        free = max(0, int(cpus - busy))
        if busy <= cpus:
            why.append(f"{busy:g} CPU(s) busy with other work, {free} free")
        else:  # (more runnable threads than CPUs: every one busy, not more CPUs than exist)
            why.append(
                f"{busy:g} runnable thread(s) of other work on {cpus} usable CPU(s): all "
                f"{cpus} busy, 0 free"
            )
        n = min(n, max(1, free))
    return max(1, n), why, False


def model_threads(flops_per_step: float, models: int, threads: Any = None) -> int:
    """How many threads :func:`glassnet.fit_many` splits its ``models`` networks over, each
    thread stepping its share of the stack (NumPy's calls release the GIL, so the shares'
    arithmetic runs on that many cores at once).

    ``threads`` None / ``'auto'``: one thread per :data:`FLOPS_PER_SHARE` of the stack's
    step (``flops_per_step``, all networks' products together; under that a thread's
    share costs less than handing it over), at most one per network, then rule 2 of the
    module docstring (the CPUs this process may use): the load is not read, so the same
    call on the same machine gets the same count. ``'load'``: rule 3 too (at most the CPUs
    other work leaves free). ``'keep'``: as ``'auto'`` (it keeps BLAS's count, not this
    one). An int: exactly that many (at most ``models``).

    >>> model_threads(16 * 2.1e6, models=16)   # 16 networks 20-64-64-1, batch 64
    ...                                         # doctest: +SKIP
    2
    >>> model_threads(100 * 112, models=100)   # 100 XNOR networks: one thread
    1
    """
    flops_per_step = check_number(flops_per_step, "flops_per_step", "model_threads", low=0)
    models = check_number(models, "models", "model_threads", low=1, integer=True)
    what = "threads, each stepping a share of the networks"
    asked = check_threads(threads, "fit_many", what)
    if asked is not None:
        if asked > models:
            raise ParameterError(
                f"The 'threads' parameter of fit_many ({asked}) is more than the {models} "
                f"network(s) to share among them; give at most {models}, or 'auto'."
            )
        return asked
    n = min(models, max(1, int(flops_per_step // FLOPS_PER_SHARE)))
    if n > 1:
        n = min(n, usable_cpus())
    if n > 1 and threads == "load":
        n = min(n, max(1, int(usable_cpus() - busy_cpus())))
    return n


def blas_threads(model_or_layer_sizes: Any, batch_size: int, threads: Any = None) -> int | None:
    """The BLAS thread count for training ``model_or_layer_sizes`` on batches of
    ``batch_size`` rows (the rule in the module docstring).

    Parameters
    ----------
    model_or_layer_sizes : model or list of int
        A model (each 2-D parameter is a weight matrix ``W`` of shape (inputs, neurons))
        or the layer sizes ``[inputs, hidden..., outputs]``.
    batch_size : int >= 1
        Rows per step (the number of samples for full-batch training).
    threads : 'auto', None, 'load', 'keep' or int >= 1, default None
        None / 'auto': one thread per :data:`FLOPS_PER_THREAD` of the largest product, at
        most the CPUs this process may use and the BLAS limit in force (rules 1 and 2). The
        load of the machine is not read: OpenBLAS's products differ in their last bits
        between thread counts for some shapes, so a count that followed the load would
        give other weights on a busy machine than on a quiet one; this one gives the same
        call on the same machine the same count, and the same weights bit for bit.
        'load': rules 1 and 2, then at most the CPUs that other work leaves free (rule 3):
        faster while other processes keep cores busy, but the weights may then differ in
        their last bits with the load. 'keep': the count in force (what
        :func:`current_blas_threads` reads), which :func:`limit` then leaves as it is.
        An int: exactly that many.

    Returns
    -------
    int >= 1, or None for 'keep' where the count in force cannot be read (no threadpoolctl,
    or no BLAS it sees)

    >>> blas_threads([20, 64, 64, 1], batch_size=64)   # 0.5 MFLOP per GEMM at most
    1
    """
    return _choose(model_or_layer_sizes, batch_size, threads, "blas_threads")[0]


def explain(model_or_layer_sizes: Any, batch_size: int, threads: Any = None) -> str:
    """The choice of :func:`blas_threads` and its reasons, in one line.

    >>> explain([2, 2, 1], batch_size=4)
    '1 BLAS thread(s): largest GEMM 3.2e-05 MFLOP: 1 thread(s) by size'
    """
    n, why, _ = _choose(model_or_layer_sizes, batch_size, threads, "explain")
    return f"{'unchanged' if n is None else n} BLAS thread(s): " + "; ".join(why)


_ACTIVE: dict[int, int] = {}  # token -> threads, one per open limit()
_ORIGINAL: list[Any] = []  # the threadpoolctl limiter holding the limits before the first
_TOKENS = itertools.count()
_MOST_THREADS = 2**31 - 1  # the largest count a BLAS's set_num_threads(int) takes


def _apply(ctl: Any) -> int:
    """Set the count of the most recently entered open limit(); return it."""
    n = _ACTIVE[next(reversed(_ACTIVE))]
    ctl.limit(limits=n, user_api="blas")
    return n


@contextlib.contextmanager
def limit(
    model_or_layer_sizes: Any,
    batch_size: int,
    threads: Any = None,
    *,
    owner: str = "limit",
    best_effort: bool = False,
) -> Iterator[int | None]:
    """Run the block with the BLAS thread count of :func:`blas_threads`, then restore the
    limits in force before.

    Yields the count in force inside the block, or None where nothing was changed
    (``threads='auto'`` without threadpoolctl, or no BLAS that threadpoolctl can set).
    ``threads='keep'`` changes nothing, in any thread, and yields the count in force (as
    :func:`current_blas_threads` reads it: None without threadpoolctl or a BLAS it sees).
    The count set is the whole process's while the block runs: other Python threads'
    products run at it meanwhile (docs/threads.md).
    ``owner`` names the caller in error messages (``fit``, ``MLPClassifier``).

    Raises
    ------
    ParameterError
        ``threads`` neither 'auto', None, 'load', 'keep' nor an int >= 1.
    ImportError
        ``threads`` an int and threadpoolctl not installed (``pip install 'glassnet[fast]'``).
    RuntimeError
        ``threads`` an int and threadpoolctl finds no BLAS library to set.

    >>> with limit([784, 256, 10], batch_size=128, threads=1) as n:
    ...     n
    1
    """
    n, _, asked = _choose(model_or_layer_sizes, batch_size, threads, owner)
    if _keeps(threads):  # (a service's fit: another thread's products keep their bits)
        yield n
        return
    ctl = _controller(required=asked)
    blas = [] if ctl is None else [c for c in ctl.lib_controllers if c.user_api == "blas"]
    if not blas:
        if asked:
            raise RuntimeError(
                f"{owner}: threads={n} asked for, but threadpoolctl finds no BLAS library "
                "whose thread count it can set in this process. Leave threads='auto', or "
                "set the thread count of your BLAS with its environment variable (e.g. "
                "OPENBLAS_NUM_THREADS) before Python starts."
            )
        yield None
        return
    if threading.current_thread() is not threading.main_thread() and any(
        c.internal_api == "openblas" for c in blas
    ):
        # OpenBLAS takes a lower count from another thread but not always a higher one
        # back (0.3.31: a count raised there reads, and runs, as the lower one), so a fit
        # in a worker thread left the whole process at its count: there nothing changes
        held = min(c.num_threads for c in blas)
        if asked and n != held and not best_effort and not _WARNED_OFF_MAIN:
            _WARNED_OFF_MAIN.append(owner)  # (once a process: a pool would say it per fit)
            warnings.warn(
                f"{owner}: threads={n} from a thread other than the main one runs with the BLAS "
                f"count in force ({held}): OpenBLAS cannot reliably take a count back from "
                "there (the whole process would keep it). Set it around your threads from the "
                f"main thread: with threadpoolctl.threadpool_limits({n}, user_api='blas').",
                RuntimeWarning,
                stacklevel=4,
            )
        yield held if asked else None
        return
    token = next(_TOKENS)
    with _LOCK:
        # (BLAS takes a C int: 2**32 + 1 read as 1 thread, and 10**30 raised ctypes' error
        # with this block left open; check_threads refuses a count above the largest int)
        _ACTIVE[token] = m = n
        try:
            if len(_ACTIVE) == 1:  # the first: keep the limits before, to restore them (None:
                same = all(c.num_threads == m for c in blas)  # m already, nothing to do)
                _ORIGINAL[:] = [None if same else ctl.limit(limits=m, user_api="blas")]
                inside = m
            else:
                inside = _apply(ctl)
        except BaseException:  # (nothing applied is left behind, and the block is closed)
            del _ACTIVE[token]
            if _ACTIVE:
                _apply(ctl)
            raise
    try:
        # a BLAS caps an int at its build's maximum (OpenBLAS's is often 64): not silently
        granted = min(c.num_threads for c in blas) if asked else n
        if granted != n:
            raise ParameterError(
                f"The 'threads' parameter of {owner} asks for {n} BLAS threads, but the BLAS "
                f"in this process runs at most {granted}. Give threads={granted} or fewer, "
                "or threads='auto'."
            )
        yield inside
    finally:
        with _LOCK:
            del _ACTIVE[token]
            if _ACTIVE:
                _apply(ctl)
            else:
                original = _ORIGINAL.pop()
                if original is not None:
                    original.restore_original_limits()
