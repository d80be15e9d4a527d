"""The captured step: on the GPU, a whole training step replayed from one CUDA graph.

On a GPU a small step is mostly launch overhead: W1 (784-256-128-10) at batch 128 is about
forty kernels of a few microseconds each, and Python launches them one by one. CUDA graphs
record those launches once and replay them with one call. This module does that for
:func:`glassnet.fit`'s fast path when the model lives on the GPU (CuPy):

    per step, in the graph     gather the batch rows on the device (from a device index
                               array) into preallocated buffers; forward, loss and backward
                               (``FastMLP.run``); the optimizer's update (its own ``_rule``,
                               on its own flat buffers)
    per step, around it        copy the step's row indices and the step's numbers into
                               two small device buffers (device-to-device, asynchronous),
                               launch, copy the losses out (device-to-device)
    per epoch                  one host-to-device copy of the epoch's numbers, one
                               device-to-host copy of its losses (the only synchronisation)

The calls are :class:`glassnet.fused.FastMLP`'s and :mod:`glassnet.optim`'s own, in the
model's dtype, so a captured run gives bit for bit the weights of the eager run on the same
device (tests/test_capture.py checks it on the CPU, see below). What capture demands of
them:

* **No allocation inside the graph.** Every temporary is a buffer made before capture (per
  batch size): the batch here; each layer's Z/A, dL/dZ and scratch, the loss kernels'
  intermediates and the outputs vector (per-entry losses, each ||W||²) in the fast path,
  which makes them at its first batch of a size (the uncaptured warm-up step) and reuses
  them after; the optimizer's scratch and state. A temporary allocated while capturing
  would be handed back to the memory pool and reused by someone else while the graph still
  writes it at every replay. (An activation without in-place kernels, or a loss kernel
  that is not the table's, allocates: those have no captured step.)
* **No number baked at capture time that changes between steps.** The optimizer's numbers
  of step t (the learning rate, which a schedule changes between epochs; Adam's bias
  corrections; SGD's first-step dampening; see ``Optimizer._per_step``) live in a small
  device array that is refreshed before every replay. Settings that do not change between
  steps (momentum, betas, eps, weight decay, the batch's 1/n) are part of the graph; when
  one of them changes, the graph is captured again.
* **No host synchronisation per step.** The loss of every step is kept on the device (its
  per-entry losses and ||W||², copied out of the fast path's outputs vector) and read once
  per epoch; fit keeps its books from them as from
  :mod:`glassnet.jit`'s compiled loop (same :func:`run_epoch` contract). The sums are taken
  on the host, exactly as the eager step takes them.

The first step of each batch size runs uncaptured (it compiles CuPy's kernels and sets up
cuBLAS); the next one is captured and replayed, and so is every later one. The last,
shorter batch of an epoch gets its own graph the same way (captured in the second epoch).
CuPy's CUB reductions are switched off for these steps (they take scratch memory from the
pool). When a graph cannot be captured, the steps run uncaptured (the same calls) and fit's
``history.warnings`` says why; when the model, loss or optimizer has no captured form,
:func:`use` says so there and fit runs its eager loop.

**The CUDA API** comes from the array library's namespace: ``xp.cuda`` (CuPy's
``cupy.cuda``: ``Stream(non_blocking=True)`` with ``begin_capture``/``end_capture``, a graph
with ``launch(stream)``). tests/test_capture.py gives the recording array library of
tests/test_backend.py a stand-in whose capture records each NumPy call with its operand
objects, without running it, and whose ``launch`` runs the recorded calls again on the same
objects: exactly what a CUDA graph does with kernels and pointers. A temporary made while
capturing then holds stale values on replay, and a number baked at capture time is wrong
on replay; both change the weights, so bit-for-bit equality with the eager run proves the
step has neither. What the stand-in cannot show (cuBLAS and CuPy's kernels under a real
capture, the speed) ``python bench/gpu.py`` checks on a GPU.

**Divergence.** Without a per-step synchronisation a NaN or infinite loss is seen at the
end of its epoch: :func:`run_epoch` returns the losses up to the first non-finite one (fit
raises as ever), and the steps after it were taken; the weights of the last multiple of 64
steps before it (device copies made as the epoch runs) go into fit's ``snapshot``.
"""

from __future__ import annotations

import math
import weakref
from collections.abc import Sequence
from contextlib import contextmanager
from typing import Any

import numpy as np

from . import functional as F
from .backend import namespace, to_device
from .fused import FastMLP
from .gradient import loss_sum
from .jit import check_order
from .optim import Optimizer

__all__ = ["cuda_api", "why_not", "use", "run_epoch"]


def cuda_api(xp: Any) -> Any:
    """The CUDA API of the array library ``xp`` (``cupy.cuda`` for CuPy), or None when it
    has none that can capture a stream."""
    api = getattr(xp, "cuda", None)
    return api if hasattr(getattr(api, "Stream", None), "begin_capture") else None


# ---------------------------------------------------------------- what can be captured
_LOSSES = ("mse", "half_mse", "binary_cross_entropy_with_logits", "cross_entropy")
_TABLE = {name: F.LOSSES[name].kernel for name in _LOSSES}  # (a replaced entry: no capture)


def _no_kernels(fast: FastMLP) -> str | None:
    """Why some layer's activation would allocate in the step (it has no in-place kernels
    in ``functional.INPLACE``: a replaced table entry, softmax not fused with its loss)."""
    last = len(fast.layers) - 1
    for i, lay in enumerate(fast.layers):
        act = F.ACTIVATIONS["identity" if (i == last and fast.fused) else lay.act]
        if (act.fn, act.grad) not in F.INPLACE:
            return f"layer {i + 1}'s activation {lay.act!r} has no in-place kernels"
    return None


class _Buffers:
    """One step of ``m`` rows: the batch's buffers (the fast path keeps its own per batch
    size), its outputs vector, and its graph once captured."""

    def __init__(self, plan: _Plan, m: int) -> None:
        xp, fast = plan.xp, plan.fast
        self.m, self.graph, self.seen = m, None, False
        self.idx = xp.empty(m, np.int64)
        self.X = xp.empty((m, plan.X.shape[1]), fast.dtype)
        self.y = xp.empty((m, *plan.y.shape[1:]), plan.y.dtype)
        self.w = None if plan.w is None else xp.empty(m, plan.w.dtype)
        self.out = fast.outputs(m)  # the per-entry losses, then each layer's ||W||²
        K = fast.layers[-1].neurons
        self.per_shape = (m,) if fast.loss.per_row else (m, K)
        self.count = int(np.prod(self.per_shape))


class _Plan:
    """The captured steps of one fit: buffers and graphs per batch size, the step's numbers
    in device memory, the optimizer's buffers; valid while they stay the same objects."""

    def __init__(self, fast: FastMLP, opt: Any, X: Any, y: Any, w: Any) -> None:
        self.fast, self.opt, self.X, self.y, self.w = fast, opt, X, y, w
        self.xp, self.dtype = namespace(X), fast.dtype
        self.api = cuda_api(self.xp)
        self.stream = self.api.Stream(non_blocking=True)
        self.bufs: dict[int, _Buffers] = {}
        self.failed = ""
        self.warnings = _NOTES.get(fast, [])  # fit's history.warnings, given to use()
        self.rows = self.xp.arange(X.shape[0], dtype=np.int64)  # order=None: rows in order
        self.slots: list[Any] = []  # device copies of θ every 64 steps
        self.key = self._key()
        self._numbers()

    def _key(self) -> tuple:
        """What the graphs point into or bake in: the flat buffers, and every setting but
        the learning rate (in device memory)."""
        packs = self.opt._packs
        bufs = tuple(id(a) for p in packs for a in (*p.flat.data, *p.flat.grad))
        keep = [{k: v for k, v in p.settings.items() if k != "lr"} for p in packs]
        return bufs, repr(keep)

    def _numbers(self) -> None:
        """The step's numbers in device memory: per group, 'lr' and the names its
        ``_per_step`` adds; each rule sees one-element device views in their place."""
        hs = [self.opt._per_step({**p.settings, "t": int(p.steps[0]) + 1}) for p in self.opt._packs]
        self.names = [["lr", *(k for k in h if k not in p.settings and k != "t")]
                      for h, p in zip(hs, self.opt._packs)]  # fmt: skip
        self.numbers = self.xp.zeros(sum(map(len, self.names)), self.dtype)
        self.h, i = [], 0
        for h, names in zip(hs, self.names):
            self.h.append(
                {**h, **{k: self.numbers[i + j : i + j + 1] for j, k in enumerate(names)}}
            )
            i += len(names)

    def table(self, steps: int) -> Any:
        """The numbers of the next ``steps`` steps (row k: step t0 + k + 1), on the device."""
        rows = []
        for k in range(steps):
            row = []
            for pack, names in zip(self.opt._packs, self.names):
                h = self.opt._per_step({**pack.settings, "t": int(pack.steps[0]) + k + 1})
                row += [float(h[name]) for name in names]
            rows.append(row)
        host = np.array(rows, dtype=np.float64).reshape(steps, -1).astype(self.dtype)
        return self.xp.asarray(host)

    # ------------------------------------------------------------------ the step
    def step(self, b: _Buffers) -> None:
        """One whole step on the batch whose rows are ``b.idx``: device calls only, each
        writing into a buffer made before (so it can be captured and replayed): the
        gather, the fast path's forward, loss and backward (``FastMLP.run``, which
        allocates nothing after its first batch of a size), the optimizer's rule."""
        np.take(self.X, b.idx, axis=0, out=b.X)  # the batch, gathered on the device
        np.take(self.y, b.idx, axis=0, out=b.y)
        if b.w is not None:
            np.take(self.w, b.idx, axis=0, out=b.w)
        self.fast.run(b.X, b.y, b.w)  # losses and ||W||² into b.out, dL/dθ into the flat buffer
        for pack, h in zip(self.opt._packs, self.h):  # the optimizer's own rule
            for chunk in zip(pack.flat.data, pack.flat.grad, pack.work, pack.state):
                self.opt._rule(*chunk, h)

    def run(self, b: _Buffers) -> None:
        """Step ``b``: its first time uncaptured (warm-up), then captured once and
        replayed (or uncaptured for good when capture failed)."""
        if b.graph is not None:
            b.graph.launch(self.stream)
            return
        if not b.seen or self.failed:
            b.seen = True
            self.step(b)
            return
        try:
            self.stream.begin_capture()
            try:
                self.step(b)
            finally:
                graph = self.stream.end_capture()
        except Exception as e:  # (a CUDA error, an operation that cannot be captured)
            self.failed = f"{type(e).__name__}: {e}"
            self.warnings.append(
                "fit: the training step could not be captured in a CUDA graph "
                f"({self.failed}); its steps run uncaptured."
            )
            self.step(b)  # (nothing of a capture runs: this step is still to take)
            return
        b.graph = graph
        graph.launch(self.stream)


_PLANS: weakref.WeakKeyDictionary[FastMLP, _Plan] = weakref.WeakKeyDictionary()
_NOTES: weakref.WeakKeyDictionary[FastMLP, list[str]] = weakref.WeakKeyDictionary()


def why_not(fast: Any, optimizer: Any) -> str | None:
    """Why ``fast`` (a :class:`~glassnet.fused.FastMLP`) and ``optimizer`` have no
    captured step, or None when they have one."""
    xp = namespace(fast.layers[0].W)
    if cuda_api(xp) is None:
        return f"the array library {getattr(xp, '__name__', xp)!r} has no CUDA graph API"
    if fast.lead:
        return "a stack of networks is trained by glassnet.many"
    no_kernels = _no_kernels(fast)
    if no_kernels is not None:
        return no_kernels
    name = fast.loss.name
    if name not in _TABLE or fast.loss.kernel is not _TABLE[name]:
        return f"the loss {fast.spec.name!r} has no captured form"
    packs = getattr(optimizer, "_packs", None)
    if packs is None or not hasattr(optimizer, "_per_step"):
        return f"the optimizer {type(optimizer).__name__} is not one of glassnet.optim's"
    if "step" in vars(optimizer) or type(optimizer).step is not Optimizer.step:  # (a replay
        return f"the optimizer {type(optimizer).__name__} has a step() of its own"  # runs rules)
    for pack in packs:
        if len(pack.flat.data) != 1 or pack.flat.data[0].dtype != fast.dtype:
            return "the parameters are not all of the model's dtype"
        if np.ptp(pack.steps) or not all(
            getattr(p, "requires_grad", True) for p in pack.flat.params
        ):
            return "some parameters sit out steps (requires_grad=False, or other step counts)"
    return None


def use(fast: Any, optimizer: Any, batch_size: int, n: int, warnings: list[str]) -> bool:
    """Whether fit should run its epochs through :func:`run_epoch`: the model is on a GPU
    (not NumPy) and :func:`why_not` finds nothing (full batch too: one captured step per
    epoch, every epoch's loss read as it ends). Otherwise, for a model on a GPU, the reason
    goes into ``warnings`` (fit's ``history.warnings``)."""
    if namespace(fast.layers[0].W) is np:
        return False
    reason = why_not(fast, optimizer)
    if reason is not None:
        warnings.append(f"fit: the GPU steps run uncaptured (eager): {reason}.")
    _NOTES[fast] = warnings
    return reason is None


@contextmanager
def _plain_reductions(xp: Any) -> Any:
    """CuPy without its CUB accelerators (their reductions take scratch memory from the
    pool, which a captured graph must not); nothing for another library."""
    try:
        from cupy._core import _accelerator as acc  # (CuPy's own switch)
    except ImportError:
        yield
        return
    kinds = ("elementwise", "reduction", "routine")
    try:  # (a CuPy without these switches: nothing to switch off)
        before = [getattr(acc, f"get_{k}_accelerators")() for k in kinds]
    except AttributeError:
        yield
        return
    for k in kinds:
        getattr(acc, f"set_{k}_accelerators")([])
    try:
        yield
    finally:
        for k, b in zip(kinds, before):
            getattr(acc, f"set_{k}_accelerators")(b)


def run_epoch(
    fast: FastMLP,
    optimizer: Any,
    X: Any,
    y: Any,
    w: Any,
    order: Any,
    batch_size: int,
    *,
    max_steps: int | None = None,
    step0: int = 0,
    snapshot: Sequence[tuple[Any, Any]] | None = None,
) -> np.ndarray:
    """One epoch of mini-batches drawn by the device index array ``order`` (None: the rows
    in order), each step captured and replayed as the module docstring says; the contract
    of :func:`glassnet.jit.run_epoch`. Returns the batch losses (float64, on the host), up
    to the first non-finite one. ``step0`` is the steps taken before (the 64-step snapshots
    follow it); ``snapshot`` is fit's (parameter, copy) pairs."""
    if order is not None:  # (once an epoch: a permutation of the rows, as fit draws it)
        order = check_order(order, X.shape[0], "run_epoch")
    optimizer.prepared()  # the checks of a step; then every .data/.grad is its flat view
    for pack in optimizer._packs:  # again (a None gradient as 0: fit writes them all)
        pack.flat.sync()
    plan = _PLANS.get(fast)
    if (
        plan is None
        or plan.opt is not optimizer
        or plan.key != plan._key()
        or any(a is not b for a, b in zip((plan.X, plan.y, plan.w), (X, y, w)))
    ):  # fmt: skip  (new data, a setting or the optimizer's buffers changed: capture again)
        plan = _PLANS[fast] = _Plan(fast, optimizer, X, y, w)
    n, bs, xp = X.shape[0], batch_size, plan.xp
    starts = list(range(0, n, bs))[: max_steps if max_steps is not None else None]
    order = plan.rows if order is None else order
    api, interrupt = plan.api, None
    api.get_current_stream().synchronize()  # the data and weights written before
    with _plain_reductions(xp), plan.stream:
        table = plan.table(len(starts))
        width = bs * fast.layers[-1].neurons + len(fast.layers)  # the most a step writes out
        losses_dev = xp.empty((len(starts), width), plan.dtype)
        taken = 0
        try:
            for k, s in enumerate(starts):
                m = min(bs, n - s)
                b = plan.bufs.get(m) or plan.bufs.setdefault(m, _Buffers(plan, m))
                np.copyto(b.idx, order[s : s + m])
                np.copyto(plan.numbers, table[k])
                plan.run(b)
                np.copyto(losses_dev[k, : b.out.size], b.out)
                taken = k + 1
                if (step0 + taken) % 64 == 0:  # θ after this step, two copies kept
                    copies = [p.flat.data[0].copy() for p in optimizer._packs]
                    plan.slots = [*plan.slots[-1:], (step0 + taken, copies)]
        except KeyboardInterrupt as e:
            interrupt = e
        plan.stream.synchronize()
        host = to_device(losses_dev[:taken], "cpu")
    for pack in optimizer._packs:
        pack.steps += taken
    optimizer.t += taken
    out = []
    for k in range(taken):
        m = min(bs, n - starts[k])
        b = plan.bufs[m]
        per = host[k, : b.count].reshape(b.per_shape)  # as FastMLP.step reduces them
        loss = float(loss_sum(per)) / b.count
        if fast.l2:
            loss += fast.penalty(m, host[k, b.count : b.out.size])
        out.append(loss)
        if not math.isfinite(loss):
            _restore(plan, step0 + k, snapshot)
            break
    losses = np.array(out, dtype=np.float64)
    if interrupt is not None:
        interrupt.losses = losses
        raise interrupt
    return losses


def _restore(plan: _Plan, bad: int, snapshot: Sequence[tuple[Any, Any]] | None) -> None:
    """Step ``bad`` (steps before it: ``bad``) had a non-finite loss: the latest copy of θ
    taken before it (the loss after it was finite) goes into fit's ``snapshot``."""
    kept = [copies for s, copies in plan.slots if s < bad]
    if not kept or snapshot is None:
        return
    where = {id(p): (i, sl) for i, pack in enumerate(plan.opt._packs)
             for p, (_, sl) in zip(pack.flat.params, pack.flat.slots)}  # fmt: skip
    for p, arr in snapshot:
        i, sl = where[id(p)]
        np.copyto(arr, kept[-1][i][sl].reshape(arr.shape))
