"""fit's fast path an epoch at a time, in NumPy: the steps in one tight loop, the books
kept once, the costly loss values counted afterwards.

On a small network a training step is a few dozen NumPy calls of a microsecond or two.
:func:`glassnet.fit`'s per-step loop (:mod:`glassnet.train`) adds its own work to each: the
loss value read back as a Python float, checked, added up, the history and state written,
the callbacks' hooks looked up. When nothing of the caller's runs between two steps (no
``on_step_end`` callback, one process, the data in memory, an optimizer with
``prepared()``), fit hands two kinds of run to this module, under the contract of
:mod:`glassnet.jit`'s compiled loop and :mod:`glassnet.capture`'s captured step, and keeps
its books from the losses returned: the epochs of binary cross-entropy on mini-batches
(:func:`run_epoch`), whose loss value the step need not compute, and a whole full-batch run
(:func:`run_full_batch`), where fit's bookkeeping is a large part of each epoch. (For a
squared error or cross-entropy on mini-batches the per-step loop is as fast: see
:func:`use`.) Either function takes any loss of the table, and counts every loss late:

    per step         gather the batch rows (``np.take`` into buffers made once); the fast
                     path's forward and backward (``FastMLP.run``) with the loss kernel
                     computing the gradient alone (``value=False``: binary
                     cross-entropy's value is an exp and a log per entry, about a third
                     of W2's NumPy calls); the optimizer's prepared update; the output
                     layer's values (the logits) copied into the counter
    every 64 steps   the losses of those steps, counted from the kept outputs in one call
    (or sooner,      of the same kernel (the table's, :data:`glassnet.functional.LOSSES`)
    when the kept    and summed per step as ``FastMLP.step`` sums them; with L2, each
    rows are full)   step's penalty from its ||W||², as ``FastMLP.penalty``

The steps between two counts run in one tight loop with nothing else in it. The weights
are those of fit's per-step loop, bit for bit: the same calls on the same buffers. The
loss values are the same numbers: elementwise kernels and NumPy's own sums give the same
bits on 64 batches at once as on one (tests/test_eager.py checks equality); cross-entropy's
row sums are einsum's on the CPU (the same bits over any rows) but a GEMV on CuPy, which
may round otherwise over many rows at once: its kernel counts each step's rows alone.

**Divergence** is seen when the steps are counted, after the steps that followed the
bad one: the loop then puts back the weights and the optimizer's state kept at the start
of the call and every 512 steps, and takes again the steps up to the one before the bad
one, so that the run ends as the per-step loop ends it: :func:`run_epoch` returns the
losses up to the first non-finite one, whose update is not made, and fit raises with the
same message, weights and optimizer state.

**Ctrl-C** between two steps, or during an update (which is then not counted): the steps
taken are counted and go with the ``KeyboardInterrupt`` (``e.losses``), as with the
compiled loop; while a late divergence's steps are taken again, the run ends after those
taken again (a second Ctrl-C while counting: counted all the same).

:func:`run_full_batch` runs every epoch of full-batch gradient descent the same way (one
step an epoch, the targets of the epochs a count holds tiled once) when fit has nothing
to do between epochs: no tolerance rule (``tol=None``, fit's default), no callbacks, no
validation, no schedule, ``verbose=0`` (a whole run has no progress line to show).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator, Sequence
from itertools import groupby
from typing import Any

import numpy as np

from ._validation import check_positive
from .backend import namespace
from .fused import FastMLP, keep_finite, l2_value, takes
from .gradient import loss_sum
from .interrupts import deferred
from .jit import FullBatchRun, check_order, put_back

__all__ = ["use", "run_epoch", "run_full_batch", "Batches"]

_EVERY = 64  # steps per count; fit's snapshots of the last finite weights come at these too
_BASE = 512  # steps between two copies of the state a late divergence goes back to
_ROWS = 1 << 14  # at most this many output values per count (more batches: counted sooner)


def use(fast: FastMLP, optimizer: Any, whole: bool = False) -> bool:
    """Whether fit should hand epochs of ``fast`` and ``optimizer`` to :func:`run_epoch`
    (``whole``: a whole full-batch run to :func:`run_full_batch`): one network (not a
    stack), a loss kernel that computes the gradient alone (``value=False``, as the
    table's do), an optimizer with ``prepared()``, ``params`` and state dicts (a late
    divergence puts its state back); and, for mini-batches, binary cross-entropy: a loss
    cheap to compute in the step (``_IN_STEP``) gains nothing here over fit's per-step loop
    on mini-batches (measured: bench/README.md)."""
    value = takes(fast.loss.kernel, "value")
    late = whole or fast.loss.name not in _IN_STEP  # (a whole run counts every loss late)
    # (a late divergence puts the optimizer's state back: it must give it)
    restorable = hasattr(optimizer, "params") and all(
        callable(getattr(optimizer, a, None)) for a in ("state_dict", "load_state_dict")
    )
    return (not fast.lead and value and callable(getattr(optimizer, "prepared", None))
            and late and restorable)  # fmt: skip


# losses whose value costs the step little: a squared error's is one multiply of its
# gradient's buffer; cross-entropy's a log and a pick per row (the softmax is the
# gradient's). On mini-batches fit's per-step loop computes them in the step as fast as
# this loop counts them later (the outputs copied, the targets gathered again); binary
# cross-entropy's value is an exp and a log per entry.
_IN_STEP = ("mse", "half_mse", "cross_entropy")


class _Counter:
    """The outputs of the steps taken since the last count (and, with L2, each step's
    ||W||²), and counting them: the table's loss kernel on all of them at once."""

    def __init__(self, fast: FastMLP, y: Any, w: Any, rows: int) -> None:
        self.fast, self.y, self.w = fast, y, w
        K, L = fast.layers[-1].neurons, len(fast.layers)
        self.per_row = 1 if fast.loss.per_row else K  # loss entries per row
        self.cap = max(rows, min(_EVERY * rows, _ROWS // K))  # rows held at most
        self.room = self.cap // rows  # steps of ``rows`` rows held at most
        self.outs = np.empty((self.cap, K), fast.dtype)
        self.sq = np.empty((_EVERY, L), fast.dtype) if fast.l2 else None
        self.steps: list[int] = []  # rows of each step held
        self.rows = 0  # rows held
        self.first = 0  # index into the epoch's rows of the first row held
        self.src: dict[int, tuple[Any, Any]] = {}  # per batch size: the fast path's buffers

    def keep(self, m: int) -> None:
        """After ``fast.run`` on m rows: its outputs held (and each ||W||²)."""
        src = self.src.get(m)
        if src is None:  # (the fast path keeps its buffers per batch size)
            outputs, L = self.fast.outputs(m), len(self.fast.layers)
            src = self.src[m] = (self.fast.output(m), outputs[outputs.size - L :])
        rows = self.rows  # (assignments: np.copyto's wrapper costs more than these copies)
        self.outs[rows : rows + m] = src[0]
        if self.sq is not None:
            self.sq[len(self.steps)] = src[1]
        self.steps.append(m)
        self.rows = rows + m

    def count(self, rows: Any) -> list[float]:
        """The loss of each step held, ``rows`` the indices of their rows (a slice or an
        index array into y and w); empties the counter."""
        losses, fast = self._values(rows), self.fast
        if self.sq is not None:  # + the L2 penalty, as FastMLP.penalty
            losses = [L + l2_value(fast.l2, m, sq) for L, m, sq in zip(losses, self.steps, self.sq)]
        self.first += self.rows
        self.steps, self.rows = [], 0
        return losses

    def _values(self, rows: Any) -> list[float]:
        """Each held step's loss from its outputs: the table's kernel on all at once (on
        each step's rows for a loss per row, cross-entropy)."""
        out, fast = self.outs[: self.rows], self.fast
        y = self.y[rows] if isinstance(rows, slice) else self.y.take(rows, 0)
        if fast.loss.per_row:  # (cross-entropy's row sums, a GEMV on CuPy: over many steps'
            per, at = [], 0  # rows at once they may round otherwise; each step's rows alone)
            for m in self.steps:
                o = out[at : at + m]
                per.append(fast.loss.kernel(o, y[at : at + m], np.empty_like(o)))
                at += m
            per = np.concatenate(per)
        else:
            per = fast.loss.kernel(out, y, np.empty_like(out))  # the table's kernel: the values
        if self.w is not None:
            w = self.w[rows] if isinstance(rows, slice) else self.w.take(rows)
            per = per * w.reshape((-1,) + (1,) * (per.ndim - 1))
        per = per.reshape(-1)
        losses, at = [], 0
        for m, run in groupby(self.steps):  # runs of equal batches: one reduction each
            k, c = len(list(run)), m * self.per_row
            sums = loss_sum(per[at : at + k * c].reshape(k, c), axis=1)  # as FastMLP.step
            losses += [s / c for s in sums.tolist()]
            at += k * c
        return losses


class _Base:
    """The weights and the optimizer's state at a step whose loss and every loss before it
    were counted finite: where a late-seen divergence goes back to, to take again the steps
    up to the one whose loss was not finite (so the run ends as the per-step loop ends:
    before that step, with its weights and its optimizer state)."""

    def __init__(self, optimizer: Any) -> None:
        self.optimizer, self.params = optimizer, list(optimizer.params)

    def take(self, k: int) -> None:
        """Keep the state after k steps of this call."""
        self.k = k
        self.weights = [p.data.copy() for p in self.params]
        self.state = self.optimizer.state_dict()

    def restore(self) -> Any:
        """Put the kept state back; the optimizer's prepared rules for the steps again."""
        for p, w in zip(self.params, self.weights):
            np.copyto(p.data, w)
        # (as it was: Adam's v = g² may have overflowed while every loss was still finite)
        put_back(self.optimizer, self.state)
        return self.optimizer.prepared()


class Batches:
    """One epoch's mini-batches, as fit's per-step loop and :func:`run_epoch` draw them:
    after :meth:`epoch` (``order``), ``batches[k]`` is ``(X, y, w, m)``, the rows
    ``order[k bs : (k + 1) bs]`` gathered into buffers made once for every epoch (``order``
    None: those rows in order, as views; all of them: the arrays themselves), m the rows of
    the whole batch; with ``dp`` (:class:`glassnet.distributed.DataParallel`), only this
    rank's shard of each. With ``fresh``, each gathered batch is new arrays instead, as a
    PyTorch DataLoader's: fit's per-step loop hands its batches to the caller's code (a
    forward, a hook, a loss), which may keep them; the fast path shows its batches to none."""

    def __init__(
        self, X: Any, y: Any, w: Any, bs: int, dp: Any = None, fresh: bool = False
    ) -> None:
        self.X, self.y, self.w, self.bs, self.dp, self.fresh = X, y, w, bs, dp, fresh
        self.n, self.order, self.bufs, self.views = X.shape[0], None, None, {}
        self.starts = range(0, self.n, bs)
        self.clip = ("clip",) if type(X) is np.ndarray else ()  # (CuPy's take has no mode)

    def epoch(self, order: Any) -> Batches:
        """This epoch's batches: the rows in ``order`` (None: in order, as views)."""
        if order is not None and self.bufs is None and not self.fresh:  # (made once)
            X, y, w, bs, xp = self.X, self.y, self.w, self.bs, namespace(self.X)
            Xb, yb = xp.empty((bs, X.shape[1]), X.dtype), xp.empty((bs, *y.shape[1:]), y.dtype)
            self.bufs = Xb, yb, None if w is None else xp.empty(bs, w.dtype)
        self.order = order
        return self

    def __len__(self) -> int:
        return len(self.starts)

    def __iter__(self) -> Iterator[tuple[Any, Any, Any, int]]:
        return map(self.__getitem__, range(len(self.starts)))

    def __getitem__(self, k: int) -> tuple[Any, Any, Any, int]:
        X, y, w, s = self.X, self.y, self.w, self.starts[k]
        m = min(self.bs, self.n - s)
        lo, hi = (s, s + m) if self.dp is None else self.dp.shard(s, s + m)
        if self.order is None:
            if hi - lo == self.n:  # full batch: the arrays themselves
                return X, y, w, m
            return X[lo:hi], y[lo:hi], None if w is None else w[lo:hi], m
        idx, r, clip = self.order[lo:hi], hi - lo, self.clip
        if self.fresh:  # (new arrays: take's out=None)
            wbt = None if w is None else w.take(idx, None, None, *clip)
            return X.take(idx, 0, None, *clip), y.take(idx, 0, None, *clip), wbt, m
        v = self.views.get(r)
        if v is None:  # (the same views every epoch: a step bound to them, eager._bound)
            Xb, yb, wb = self.bufs
            v = self.views[r] = Xb[:r], yb[:r], None if wb is None else wb[:r]
        xb = X.take(idx, 0, v[0], *clip)  # (the method: np.take's wrapper costs more
        ybt = y.take(idx, 0, v[1], *clip)  # than the copy here)
        return xb, ybt, None if w is None else w.take(idx, None, v[2], *clip), m


def _check(
    owner: str, fast: Any, X: Any, y: Any, w: Any, max_steps: Any, step0: Any, snapshot: Any
) -> Any:
    """The arguments of :func:`run_epoch` and :func:`run_full_batch` a caller of its own
    may get wrong, named as :mod:`glassnet.jit`'s loop names them (the scalars, and the
    data's shapes; not its values: fit has checked them, and this runs every epoch).
    Returns the snapshot as a list."""
    if max_steps is not None:
        check_positive("max_steps", max_steps, owner, integer=True)
    check_positive("step0", step0, owner, integer=True, allow_zero=True)
    snapshot = None if snapshot is None else list(snapshot)
    if any(not (isinstance(pair, tuple) and len(pair) == 2) for pair in snapshot or ()):
        raise TypeError(f"{owner}: snapshot must be a list of (parameter, array) pairs.")
    if not isinstance(fast, FastMLP):
        raise TypeError(
            f"{owner}: fast must be a glassnet.fused.FastMLP. Got {type(fast).__name__}."
        )
    inputs = fast.layers[0].inputs
    if np.ndim(X) != 2 or np.shape(X)[1] != inputs:
        raise ValueError(
            f"{owner}: X must be an array of shape (rows, {inputs}) (the network's inputs). "
            f"Got shape {np.shape(X)}."
        )
    n = np.shape(X)[0]
    if np.ndim(y) == 0 or np.shape(y)[0] != n:
        raise ValueError(
            f"{owner}: y must hold one target row per row of X ({n}). Got shape {np.shape(y)}."
        )
    if w is not None and np.shape(w) != (n,):
        raise ValueError(
            f"{owner}: w must hold one sample weight per row of X ({n}), or be None. Got "
            f"shape {np.shape(w)}."
        )
    return snapshot


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
    """One epoch of mini-batches, rows ``order[s : s + batch_size]`` (None: the rows in
    order, as views), one update per batch; the contract of :func:`glassnet.jit.run_epoch`.
    Returns the batch losses (float64), up to the first non-finite one, whose update is
    not made. ``step0`` is the steps taken before (the 64-step snapshots follow it);
    ``snapshot`` is fit's (parameter, copy) pairs."""
    snapshot = _check("run_epoch", fast, X, y, w, max_steps, step0, snapshot)
    check_positive("batch_size", batch_size, "run_epoch", integer=True)
    if batch_size > X.shape[0]:  # (as glassnet.jit's run_epoch)
        raise ValueError(
            f"run_epoch: batch_size ({batch_size}) is larger than the number of samples "
            f"({X.shape[0]}); use run_full_batch for full-batch training."
        )
    batch = Batches(X, y, w, batch_size)
    if order is not None:  # (once an epoch: a permutation of the rows, as fit draws it)
        order = check_order(order, batch.n, "run_epoch")
    batch.epoch(order)
    counter = _Counter(fast, y, w, batch_size)  # (a count's rows: consecutive in the order)
    steps = len(batch.starts[:max_steps])
    rows = lambda c: _rows(order, c.first, c.first + c.rows)  # noqa: E731
    return _run(fast, optimizer, batch.__getitem__, steps, counter, rows, step0, snapshot)


def _run(
    fast: FastMLP, optimizer: Any, batch: Callable[[int], tuple], steps: int, counter: _Counter,
    rows: Callable[[_Counter], Any], step0: int, snapshot: Any, whole: Any = None,
) -> np.ndarray:  # fmt: skip
    """Steps 0 .. steps - 1, step k on ``batch(k)`` = (X, y, w, rows), in runs that end
    where a count falls: at each 64th step of training (``step0`` taken before) and where
    the counter's rows are full; the counter's rows ``rows(counter)`` of y and w. Returns
    every step's loss up to the first non-finite one (the run then put back to the step
    before it, :func:`_diverged`). Ctrl-C: the steps taken are counted and go with the
    ``KeyboardInterrupt`` (``e.losses``). A step on arrays seen before (the same
    buffers) runs as :func:`_bound` binds it, bound when they come back (an epoch's short
    last batch, stepped once, is never bound); ``whole``: the (X, y, w, rows) of every
    step (a full-batch run: then nothing is gathered)."""

    def again(k: int, rules: Any) -> None:  # step k taken again (a late divergence)
        fast.run(*batch(k)[:3], value=False)
        rules()

    update, fresh, base, losses, done = optimizer.prepared(), True, _Base(optimizer), [], 0
    bound: dict[int, tuple] = {}  # per batch size: its step bound (_bound: None, seen once;
    # False, not bindable) and its arrays
    step, keep = fast.run, counter.keep  # (looked up once; value=False passed by position)
    ctrl_c = deferred()  # (a Ctrl-C in an update: raised once the step is whole, counted)
    hold = ctrl_c.__enter__()
    try:
        base.take(0)
        while done < steps:
            run = min(steps - done, _EVERY - (step0 + done) % _EVERY, counter.room)
            go = bound.get(whole[3], (None,))[0] if whole is not None else None
            if go:  # a full batch: its step bound, nothing to gather
                m = whole[3]
                for _ in range(run):
                    go()
                    hold.held = True
                    update()
                    keep(m)
                    hold.held = False
                    if hold.pending:
                        hold.release()
                run, done = 0, done + run
            for k in range(done, done + run):
                xb, yb, wb, m = batch(k)
                b = bound.get(m)
                if b is not None and b[1] is xb and b[2] is yb and b[3] is wb:
                    go = b[0]
                    if go is None:  # the same arrays a second time: bound now, then kept
                        go = _bound(fast, optimizer, update, xb, yb, wb) or False
                        bound[m] = (go, xb, yb, wb)
                    go() if go else step(xb, yb, wb, None, False)  # (fast.run's calls)
                else:
                    step(xb, yb, wb, None, False)
                    if not fresh:  # (its gradients and the rules bound): seen once, not bound
                        bound[m] = (None, xb, yb, wb)  # (an epoch's last batch never comes back)
                hold.held = True
                update()
                keep(m)
                hold.held = False
                if hold.pending:  # (a Ctrl-C during the update: raised now, the step whole)
                    hold.release()
                if fresh:  # a fresh optimizer's first step binds its gradients: then the rules
                    update, fresh = optimizer.prepared() if k + 1 < steps else update, False
            done += run
            if _counted(losses, counter, rows, base, again):
                break
            if (step0 + done) % _EVERY == 0:
                keep_finite(snapshot)
                if (step0 + done) % _BASE == 0:
                    base.take(done)
    except KeyboardInterrupt as e:  # between two steps: the steps taken go with it
        e.losses = _interrupted(losses, counter, rows, base, again)
        raise
    finally:
        ctrl_c.__exit__(None, None, None)
    return _done(losses, counter, rows, base, again)


def _interrupted(losses: list[float], counter: _Counter, rows: Any, base: _Base, again: Any) -> Any:
    """:func:`_done` after a Ctrl-C; another Ctrl-C while the steps are counted (or taken
    again, :func:`_diverged`) counts what is left again, so that the losses of the steps
    taken always go with the interrupt."""
    while True:
        try:
            return _done(losses, counter, rows, base, again)
        except KeyboardInterrupt:
            continue


def _counted(losses: list[float], counter: _Counter, rows: Any, base: _Base, again: Any) -> bool:
    """Count the steps held into ``losses``; whether one of them was not finite (the run is
    then put back to the step before it: :func:`_diverged`)."""
    start = len(losses)
    losses += counter.count(rows(counter))
    return _diverged(losses, base, again, start)


def _diverged(losses: list[float], base: _Base, again: Any, start: int = 0) -> bool:
    """After a count: whether a loss is not finite. The steps since the base are then taken
    again up to the one before it (``again(k, rules)``: step k of this call, forward,
    backward and the update), so that the run ends as the per-step loop ends: before that
    step, its weights and optimizer state those of the step before. ``start``: where the
    losses of this count begin (those before it were found finite)."""
    if all(map(math.isfinite, losses[start:])):  # (the common case: no index to find)
        return False
    bad = next(i for i in range(start, len(losses)) if not math.isfinite(losses[i]))
    if base.k <= bad:
        rules, k = None, base.k
        try:
            rules = base.restore()
            for k in range(base.k, bad):
                again(k, rules)
        except KeyboardInterrupt:  # the run ends after the k steps taken again, as the
            if rules is None:  # per-step loop's interrupted there (step k not kept)
                base.restore()
            del losses[k:]
            raise
        base.k = len(losses) + 1  # (done: not again)
    return True


def _rows(order: Any, start: int, stop: int) -> Any:
    """The epoch's rows ``start:stop`` (in the order drawn)."""
    return slice(start, stop) if order is None else order[start:stop]


def _done(losses: list[float], counter: _Counter, rows: Any, base: _Base, again: Any) -> np.ndarray:
    """Every step's loss, up to the first non-finite one (the steps still held counted)."""
    if counter.steps and all(map(math.isfinite, losses)):
        _counted(losses, counter, rows, base, again)
    else:  # (a count a Ctrl-C cut short before it took a divergence back: taken back now)
        _diverged(losses, base, again)
    finite = all(map(math.isfinite, losses))  # (the common case: no index to find)
    bad = None if finite else next(i for i, v in enumerate(losses) if not math.isfinite(v))
    return np.array(losses if bad is None else losses[: bad + 1], dtype=np.float64)


def run_full_batch(
    fast: FastMLP,
    optimizer: Any,
    X: Any,
    y: Any,
    w: Any,
    epochs: int,
    tol: float | None = None,
    n_iter_no_change: int = 10,
    *,
    max_steps: int | None = None,
    step0: int = 0,
    snapshot: Sequence[tuple[Any, Any]] | None = None,
) -> FullBatchRun:
    """Full-batch gradient descent for ``epochs`` epochs (at most ``max_steps`` steps in
    all): one step an epoch on all of (X, y, w), counted as :func:`run_epoch` counts them,
    the targets of the epochs a count holds tiled once; the contract of
    :func:`glassnet.jit.run_full_batch` with fit's rule recorded but never stopping (``tol``
    must be None: fit then has nothing to decide between epochs)."""
    if tol is not None:
        raise ValueError("eager.run_full_batch counts losses afterwards: it needs tol=None.")
    snapshot = _check("run_full_batch", fast, X, y, w, max_steps, step0, snapshot)
    check_positive("epochs", epochs, "run_full_batch", integer=True)
    check_positive("n_iter_no_change", n_iter_no_change, "run_full_batch", integer=True)
    n = X.shape[0]
    steps = epochs if max_steps is None else min(epochs, max_steps)
    counter = _Counter(fast, y, w, n)
    counter.room = min(counter.room, steps)  # (the targets of the epochs run, not of 64)
    counter.y, counter.w = _tiled(y, counter.room), None if w is None else _tiled(w, counter.room)
    reason = "max_steps" if max_steps is not None and max_steps <= epochs else "max_epochs"
    whole, rows = (X, y, w, n), lambda c: slice(0, c.rows)  # (every epoch: the same rows)
    try:
        got = _run(fast, optimizer, lambda k: whole, steps, counter, rows, step0, snapshot, whole)
    except KeyboardInterrupt as e:  # (one in the loop's set-up: before any step, none)
        got, reason = getattr(e, "losses", np.zeros(0)), "interrupted"
    losses = got.tolist()
    diverged = bool(losses) and not math.isfinite(losses[-1])  # (they end at the first one)
    run = FullBatchRun(got, "diverged" if diverged else reason, len(losses) - diverged)
    if run.steps:  # fit's Tolerance with tol=None: the best (its first epoch), and since
        i = int(np.argmin(got[: run.steps]))  # then, epochs without a lower loss
        run.best, run.best_epoch, run.bad = losses[i], i, run.steps - 1 - i
    return run


def _bound(fast: FastMLP, optimizer: Any, update: Any, X: Any, y: Any, w: Any) -> Any:
    """``fast.run(X, y, w, None, False)`` bound to these arrays (:meth:`FastMLP.bind`), for
    a run whose every step is on them (a full batch, a batch size's reused buffers). None
    where the binding would not hold: an optimizer whose update is its own ``step``, which
    may rebind a ``.grad`` or ``.data`` (``fast.run`` binds again at every step). Made after
    the first step (the optimizer's rules bound)."""
    return None if update == optimizer.step else fast.bind(X, y, w, None, False)


def _tiled(a: Any, k: int) -> Any:
    """``a`` repeated k times along its first axis (the targets of k epochs' outputs; ``a``
    itself for one: only read)."""
    return a if k == 1 else np.concatenate([a] * k)
