"""Which engine runs ``fit``'s steps and which loop its epochs, and ``fit``'s books from
what that loop returns (the table of docs/engines.md, in code).

A step runs on the fast path (:mod:`glassnet.fused`) where :func:`fast_path` finds one for
the model and loss, else on the autodiff graph (``glassnet.train.graph_step``).
:func:`glassnet.fit`'s per-step loop (:mod:`glassnet.train`) is the reference: after every
step it checks the loss, keeps the books and runs the caller's callbacks. When nothing of
the caller's runs between two steps, the steps can go to a loop of their own that takes
the same steps to the same numbers, an epoch at a time (for full-batch gradient descent,
the whole run at once), under one contract (``run_epoch``, ``run_full_batch``):

* :mod:`glassnet.capture`: on a GPU, the step captured once and replayed
  (``history.engine == "captured"``);
* :mod:`glassnet.jit`: a small network's epochs in one numba-compiled call, with
  ``glassnet[jit]`` installed (``"jit"``);
* :mod:`glassnet.eager`: the fast path's NumPy steps in one tight loop, the books kept
  once (``"fused"``, as the per-step loop).

:func:`choose` says which (the rules: docs/engines.md); :meth:`Loop.run_whole` and
:meth:`Loop.run_epoch` run it and fill ``fit``'s History and TrainState as the per-step
loop fills them. A non-finite loss raises :class:`Diverged`, which ``fit`` reports as its
``DivergenceError``, as it does for its own loop.
"""

from __future__ import annotations

import dataclasses
import math
import warnings
from typing import Any

import numpy as np

from . import capture, eager, jit
from . import functional as F
from . import optim as optim_mod
from ._validation import all_finite, check_optimizer, check_positive, user_level
from .backend import namespace
from .fused import FastMLP, layers_of
from .nn.layers import Sequential
from .nn.module import Module
from .tasks import kind_of, own_layer
from .torch_optim import rule_state, state_buffers, torch_state_names

__all__ = [
    "fast_path", "between", "choose", "Loop", "Diverged", "record_epoch", "optimizer_for",
    "check_end", "check_resumed",
]  # fmt: skip


def check_resumed(
    optimizer: Any, initial_epoch: int, epochs: int, rows: int, batch_size: int | None,
    other: tuple = (),
) -> None:  # fmt: skip
    """In a run resumed after epoch ``initial_epoch`` (with a step to run: ``epochs`` past
    it), a UserWarning where ``optimizer`` (a glassnet one) is not the interrupted run's
    state, as a resume bit for bit needs: one with state (moments, a velocity, sums) that
    never stepped (``optimizer="adam"`` builds such a one), or one whose step count ``t`` is
    not that of ``initial_epoch`` epochs where a plain run's count is known (``rows``
    training rows in batches of ``batch_size``, None the whole set, and no stream or
    distributed run among ``other``). A warning, not a refusal: a fresh optimizer, another
    batch size or more data on purpose (fine-tuning) are a user's choice; plain SGD keeps
    no state, and a fresh one is taken in silence."""
    names = rule_state(optimizer)
    if not initial_epoch or initial_epoch >= epochs or names is None:
        return
    name, t, k = type(optimizer).__name__, optimizer.t, initial_epoch
    ignore = "on purpose: ignore this warning (warnings.filterwarnings)."
    if t == 0:
        if names:
            warnings.warn(
                f"fit: the run resumes after epoch {k} with a fresh {name} (no moments): to "
                "resume the interrupted run exactly, load its optimizer state_dict "
                f"(opt = glassnet.optim.{name}(model.parameters(), ...); opt.load_state_dict"
                f"(saved); fit(..., optimizer=opt): optimizer='{name.lower()}' builds a fresh "
                f"one); a fresh optimizer {ignore}",
                UserWarning, stacklevel=user_level(),
            )  # fmt: skip
        return
    per_epoch = math.ceil(rows / (batch_size or rows)) if rows else 0
    if per_epoch and all(o is None for o in other) and t != k * per_epoch:
        warnings.warn(
            f"fit: the run resumes after epoch {k}, which takes {k} x {per_epoch} = "
            f"{k * per_epoch} steps ({rows} rows in batches of {batch_size or rows}), but the "
            f"{name} has taken {t} steps: its state belongs to another batch size or data, to "
            "another epoch, or to a run cut within an epoch (max_steps, a stop in on_step_end, "
            "Ctrl-C), so the run will not be the uninterrupted one's. To resume that exactly, "
            f"load the optimizer state_dict saved at the end of epoch {k}, with the same "
            f"batch_size and data; a change {ignore}",
            UserWarning, stacklevel=user_level(),
        )  # fmt: skip


def optimizer_for(
    optimizer: Any, params: list, lr: Any, schedule: Any, owner: str, callbacks: Any = ()
) -> Any:
    """The optimizer ``fit`` trains ``params`` with: one built from a name (at ``lr``, 0.01
    by default), or the object given, checked to hold exactly ``params``; refused: an
    optimizer that steps with a closure (L-BFGS), an ``lr`` beside an object built with
    another (unless a ``schedule`` starts from it), and one at lr 0 in every group that
    nothing can raise (no ``schedule``, no ``callbacks``: one may step a schedule)."""
    closure = tuple(optim_mod.CLOSURE_OPTIMIZERS.values())
    if (
        optim_mod.CLOSURE_OPTIMIZERS.get(optimizer.lower()) in closure
        if isinstance(optimizer, str)
        else isinstance(optimizer, closure)
    ):
        raise ValueError(
            f"{owner}: optimizer {optimizer!r:.40} steps with a closure, opt.step(closure), and "
            f"{owner} steps from each batch's gradients: write the loop (glassnet.optim.LBFGS's "
            "docstring shows one), or use an estimator's solver='lbfgs' (SciPy's)."
        )
    if isinstance(optimizer, str):
        lr = check_positive("lr", 0.01 if lr is None else lr, owner)
        optimizer = optim_mod.get_optimizer(optimizer, params, lr=lr)
    elif (
        lr is not None
        and not isinstance(optimizer, type)  # (a class: check_optimizer says what to pass)
        and lr != getattr(optimizer, "lr", None)
        and not (  # (the schedule's start: it sets lr)
            schedule is not None and lr == getattr(optimizer, "defaults", {}).get("lr")
        )
    ):
        raise ValueError(
            f"{owner}: lr={lr!r} builds an optimizer given by name; this "
            f"{type(optimizer).__name__} trains with its own lr "
            f"({getattr(optimizer, 'lr', '?')}): set it there, or drop lr."
        )
    check_optimizer(optimizer, params, owner)
    groups = getattr(optimizer, "param_groups", None) or [{"lr": None}]
    if any(g.get("lr", None) is None for g in getattr(optimizer, "param_groups", None) or ()):
        raise ValueError(  # (before an epoch: fit records each epoch's lr, schedules set it)
            f"{owner}: optimizer {type(optimizer).__name__} has no lr in its param groups "
            f"(lr={next((g.get('lr') for g in groups), None)!r}: missing from its defaults "
            "dict, or None); fit records each epoch's lr, and schedules set it: give it a "
            "number (super().__init__(params, dict(lr=lr, ...)), its step() reading "
            "group['lr']), or write the training loop (for x, y in loader: ...) yourself."
        )
    coasts = getattr(optimizer, "t", 0) and any(  # (a velocity of its own, resumed, at lr 0)
        g.get("style") == "sklearn" and g.get("momentum") for g in groups
    )
    if schedule is None and not callbacks and all(g.get("lr") == 0 for g in groups) and not coasts:
        raise ValueError(  # (as fit(lr=0): every epoch would move nothing)
            f"{owner}: the {type(optimizer).__name__}'s lr is 0 in every param group, so no "
            "step would move a weight: give it an lr > 0, or pass the schedule that raises "
            "it (schedule=, a warm-up from 0, or a callback that steps one)."
        )
    return optimizer


def fast_path(model: Module, spec: F.Loss | None, l2: float) -> FastMLP | None:
    """The fused engine for ``model`` and the loss, or None when it needs the graph: a
    callable loss, a layer the fast path does not have, dropout, mixed dtypes, or a
    probability loss on an output that is not its head (:func:`graph_reason` says which)."""
    layers, _ = _fast_layers(model, spec)
    return None if layers is None else FastMLP(layers, spec.name, l2=l2)  # type: ignore[union-attr]


def graph_reason(model: Module, spec: F.Loss | None) -> str:
    """Why :func:`fast_path` gives None for ``model`` and the loss, in words (what fit's
    ``engine='fused'`` and ``'jit'`` refusals name)."""
    return _fast_layers(model, spec)[1]


_LOSSES = dict(F.LOSSES)  # the built-in entries, as glassnet's import left them


def replaced_loss(spec: F.Loss) -> str:
    """Why the fast path, which computes a loss by its table entry's ``kernel`` alone, cannot
    follow ``spec``'s entry (or its ``on_logits`` one) in :data:`glassnet.functional.LOSSES`:
    one replaced (:func:`glassnet.functional.replaced_entry`) in more than its kernel (its
    ``fn``, which the graph calls...), in words; '' when it can."""
    for name in dict.fromkeys(n for n in (spec.name, spec.on_logits) if n):
        if not F.replaced_entry(name, loss=True):  # (the entry import left: not compared)
            continue
        entry, built = F.LOSSES.get(name), _LOSSES[name]
        kept = dict(kernel=built.kernel, formula=built.formula)  # (the kernel: followed)
        if not isinstance(entry, F.Loss) or dataclasses.replace(entry, **kept) != built:
            return (
                f"the entry {name!r} of glassnet.functional.LOSSES was replaced (its fn, which "
                "the graph calls, or more than its kernel, the one function the fast path runs)"
            )
    return ""


def check_followed(spec: F.Loss, owner: str) -> None:
    """Refuse, in words, a loss whose table entry ``owner`` would not follow: ``owner``
    (explain, fit_many) computes it by the entry's kernel alone, as the fast path does, and
    the entry was replaced in more than its kernel (:func:`replaced_loss`)."""
    why = replaced_loss(spec)
    if why:
        raise ValueError(
            f"{owner}: {why}. {owner} computes the loss by the entry's kernel alone, as fit's "
            "fast path does, so its numbers would not be those fit trains on (on the graph, "
            "engine='auto', by the entry's fn). Restore the entry, or replace its kernel alone "
            "(which fit, explain and fit_many all follow)."
        )


def _fast_layers(model: Module, spec: F.Loss | None) -> tuple[Any, str]:
    """(the fast path's layers, "") for a model and loss it takes, else (None, why)."""
    if spec is None:
        return None, "the loss is a function of your own (the fast path takes a named loss)"
    if replaced_loss(spec):
        return None, replaced_loss(spec)
    if not isinstance(model, Sequential):
        return None, f"the model is a {type(model).__name__} (the fast path takes a Sequential)"
    mine = own_layer(model)
    if mine is not None:  # (read by its class, never called: its forward would not run)
        held = "is" if mine is model else "holds"
        return None, f"the model {held} {kind_of(mine)}, which the fast path would not run"
    try:
        layers = layers_of(model, "fit", training=True)
    except TypeError as e:  # (its message names the layer: "The model holds a Dropout.")
        said = str(e).removeprefix("fit: ").rsplit(". ", 1)[-1].rstrip(".")
        return None, said[:1].lower() + said[1:]
    if len({lay.linear.W.dtype for lay in layers}) != 1:
        return None, "its layers mix float32 and float64"
    out = layers[-1].act
    if spec.head and out != spec.head and not (out == "identity" and spec.on_logits == spec.name):
        # a loss on probabilities (or logits) given something else: the graph's checks say
        # what is wrong with it
        return None, f"its output layer, {out}, is not the head the loss {spec.name!r} takes"
    return layers, ""


class Diverged(Exception):
    """A loss was NaN or inf at ``step`` (counted from 1) of ``epoch``; the update of that
    step was not made."""

    def __init__(self, step: int, epoch: int, value: float) -> None:
        self.step, self.epoch, self.value = step, epoch, value


# what of fit's call runs between two steps or two epochs, as engine='jit' names it
_BETWEEN = {
    "on_step_end": lambda cbs: (  # (fit's stop_rules first, then its callbacks: one list)
        f"the on_step_end hook of {type(cbs[0]).__name__} (a stop rule or callback given to "
        "fit) runs after every step"
    ),
    "distributed": lambda _: "MPI (distributed='mpi') sums the gradients after every step",
    "stream": lambda _: "streamed data (a file, a memmap or chunks) is read batch by batch",
    "callbacks": lambda cbs: f"callbacks ({len(cbs)} given) run after every epoch",
    "validation_data": lambda _: "validation_data is scored after every epoch",
    "validation_split": lambda v: f"validation_split={v} holds out rows scored after every epoch",
    "early_stopping": lambda _: "early_stopping=True watches the validation loss after every epoch",
    "stop_rules": lambda _: "the stop_rules given run after every epoch",
    "tol_weights": lambda v: f"tol_weights={v} measures the weights' change after every epoch",
}


def between(**given: Any) -> str:
    """What of ``fit``'s call runs between two steps or two epochs ('' for nothing): one
    clause per keyword of :data:`_BETWEEN` given a true value, joined by "; ". A callback
    whose class sets ``between_epochs = False`` (it does nothing between epochs:
    :class:`glassnet.interrupts.OwnInterrupt`) runs at the ends of training only."""
    if given.get("callbacks"):
        given["callbacks"] = [c for c in given["callbacks"] if getattr(c, "between_epochs", 1)]
    return "; ".join(_BETWEEN[k](v) for k, v in given.items() if v)


def choose(
    fast: Any, optimizer: Any, *, engine: str, steps_by: str, epochs_by: str,
    tol: float | None, schedule: Any, verbose: int, batch_size: int, n: int, epochs: int,
    snapshot: Any, warnings: list[str], graph_why: str = "",
) -> Loop | None:  # fmt: skip
    """The loop to run ``fit``'s epochs, or None for its per-step loop.

    ``fast`` is fit's fast path (None: the graph, which only the per-step loop runs);
    ``engine`` fit's (the captured loop only under ``"auto"``, the compiled loop only
    under ``"jit"``: a run it cannot take is then a ValueError saying why);
    ``steps_by``: what of the caller's runs between two steps ('' for nothing: no
    ``on_step_end`` callback, one process, the data in memory; :func:`between` says it);
    ``epochs_by``: what runs between two epochs ('' for nothing: no callbacks, validation
    data, stopping rules given, early stopping or ``tol_weights``); ``tol``, ``schedule``,
    ``verbose`` fit's; ``epochs`` the epochs to run on ``n`` rows;
    ``snapshot`` fit's (parameter, copy) pairs of the last finite weights; ``warnings``
    ``history.warnings``.

    The rules: on a GPU, the captured loop (``auto``, nothing between epochs); on NumPy,
    the compiled loop under ``"jit"`` alone, else the eager loop where
    :func:`glassnet.eager.use` takes it (a whole full-batch run: nothing between epochs,
    ``tol=None``, no schedule, ``verbose=0``). Every loop ``auto`` picks on NumPy gives the
    step-by-step loop's bits, so a resumed run, a callback or a log level never changes
    the weights; the compiled loop agrees to rounding only, which training can grow (a
    float32 ReLU net ended 1.09 apart), so ``auto`` never picks it by itself.
    """
    full = fast is not None and batch_size >= n
    steps_alone, epochs_alone = not steps_by, not epochs_by
    if engine == "jit":
        why = _no_jit(fast, optimizer, steps_by, epochs_by, full, schedule, verbose)
        why += f": {graph_why}" if fast is None and graph_why else ""
        if why:
            other = "'graph'" if fast is None else "'fused'"  # (dropout: 'fused' fails too)
            raise ValueError(
                f"fit: engine='jit' cannot train this run: {why}. Use engine='auto' or {other}."
            )
    if fast is None or not steps_alone or epochs <= 0:  # (no epoch to run: no loop named)
        return None
    if namespace(fast.layers[0].W) is not np:  # on a GPU
        ok = engine == "auto" and epochs_alone
        ok = ok and capture.use(fast, optimizer, batch_size, n, warnings)
        return Loop(capture, fast, optimizer, snapshot) if ok else None
    if engine == "jit":  # (asked for only: its numbers are the NumPy path's to rounding)
        return Loop(jit, fast, optimizer, snapshot, whole=full)
    whole = full and epochs_alone and tol is None and schedule is None and not verbose
    if (not full or whole) and eager.use(fast, optimizer, whole):
        return Loop(eager, fast, optimizer, snapshot, whole=whole)
    return None


def _no_jit(
    fast: Any, optimizer: Any, steps_by: str, epochs_by: str, full: bool,
    schedule: Any, verbose: int,
) -> str:  # fmt: skip
    """Why ``fit(engine="jit")`` cannot hand this run to the compiled loop ('' when it can):
    ``steps_by`` / ``epochs_by`` what of the call runs between steps / epochs (:func:`between`)."""
    if fast is None:
        return "the model or the loss needs the autodiff graph"
    if namespace(fast.layers[0].W) is not np:
        return "the model is on the GPU, where the captured step runs (glassnet.capture)"
    if steps_by:
        return f"{steps_by} (the compiled loop runs an epoch's steps with nothing between them)"
    if epochs_by:
        return (
            f"{epochs_by} (the compiled loop runs its epochs with nothing between them: no "
            "callbacks, validation data, stop_rules, early stopping or tol_weights)"
        )
    if full and schedule is not None:
        return (
            "a full-batch run goes in one compiled call, so it takes no schedule; a "
            "batch_size below the number of rows steps the schedule between epochs"
        )
    if full and verbose >= 2:
        return "a full-batch run goes in one compiled call, with no progress line: verbose=2 given"
    why = jit.why_not(fast, optimizer)
    if why is None and not jit.available():
        why = jit.unavailable_reason()
    return why or ""


class Loop:
    """A loop of its own (``module``: :mod:`glassnet.jit`, :mod:`glassnet.capture` or
    :mod:`glassnet.eager`) running ``fit``'s epochs of ``fast`` with ``optimizer``;
    ``whole``: every epoch of a full-batch run in one call (:meth:`run_whole`)."""

    def __init__(
        self, module: Any, fast: Any, optimizer: Any, snapshot: Any, whole: bool = False
    ) -> None:
        self.module, self.fast, self.optimizer = module, fast, optimizer
        self.snapshot, self.whole = snapshot, whole
        self.engine = {jit: "jit", capture: "captured"}.get(module, "fused")  # history.engine

    def run_whole(
        self, X: Any, y: Any, w: Any, epochs: int, tol: float | None, n_iter_no_change: int,
        max_steps: int | None, history: Any, state: Any, rule: Any, epoch0: int,
    ) -> str:  # fmt: skip
        """Every epoch of full-batch gradient descent in one call (fit's ``tol`` rule
        inside, ``rule`` its Tolerance), fit's books filled; returns the stop reason. The
        compiled loop takes fit's checked data and settings as checked (jit.fit_full_batch)."""
        if self.module is jit:
            run = jit.fit_full_batch(
                self.fast, self.optimizer, X, y, w, epochs, tol, n_iter_no_change, max_steps,
                self.snapshot,
            )  # fmt: skip
        else:
            run = self.module.run_full_batch(
                self.fast, self.optimizer, X, y, w, epochs, tol, n_iter_no_change,
                max_steps=max_steps, step0=0, snapshot=self.snapshot,
            )  # fmt: skip
        run.record(history, state, rule, epoch0, X.shape[0], self.optimizer.lr)
        if run.stop_reason == "diverged":
            raise Diverged(run.steps + 1, epoch0 + run.steps + 1, float(run.losses[-1]))
        if run.stop_reason == "interrupted":
            raise KeyboardInterrupt
        return run.stop_reason

    def run_epoch(
        self, X: Any, y: Any, w: Any, order: Any, batch_size: int, max_steps: int | None,
        history: Any, state: Any,
    ) -> tuple[float, int]:  # fmt: skip
        """One epoch, batches of ``order`` (None: the rows in order), at most ``max_steps``
        steps; fit's books filled from its losses. Returns the epoch's loss sum (each
        batch's loss times its rows) and its rows."""
        left = None if max_steps is None else max_steps - history.steps
        try:
            got, stopped = self.module.run_epoch(
                self.fast, self.optimizer, X, y, w, order, batch_size, max_steps=left,
                step0=history.steps, snapshot=self.snapshot,
            ), None  # fmt: skip
        except KeyboardInterrupt as e:  # its steps were taken: counted, then raised
            got, stopped = getattr(e, "losses", np.empty(0)), e
        total, rows, k = record_epoch(got, batch_size, X.shape[0], history, state)
        if k < len(got):  # (the steps up to a non-finite loss are counted)
            raise Diverged(history.steps + 1, state.epoch, float(got[k]))
        if stopped is not None:
            raise stopped
        return total, rows


def record_epoch(got: np.ndarray, bs: int, n: int, history: Any, state: Any) -> tuple:
    """Fill ``fit``'s books with one epoch a loop ran in batches of ``bs`` of n rows
    (``got``: its steps' losses, as ``run_epoch`` returns them), as fit's per-step loop
    fills them step by step. Returns the epoch's loss sum (each batch's loss times its
    rows), its rows, and how many steps counted: those before a non-finite loss."""
    ok = np.isfinite(got)
    k = len(got) if ok.all() else int(ok.argmin())
    rows, total = np.minimum(bs, n - np.arange(0, k * bs, bs)).tolist(), 0.0
    for batch_loss, m in zip(got[:k].tolist(), rows):  # (added in the per-step loop's order)
        total += batch_loss * m
    history.steps += k
    history.samples_seen += sum(rows)
    state.step, state.batch_loss = history.steps, float(got[k - 1]) if k else math.nan
    return total, sum(rows), k


def graph_note(model: Module, spec: F.Loss | None) -> list[str]:
    """fit's note (for ``history.warnings``) where ``engine='auto'`` trains ``model`` on the
    autodiff graph because one of its layers has a forward of the user's, which the fast
    path, reading layers by their class, would not run; [] otherwise."""
    mine = own_layer(model) if spec is not None and isinstance(model, Sequential) else None
    if mine is None:
        return []
    return [
        f"fit: the model {'is' if mine is model else 'holds'} {kind_of(mine)}, so it trained "
        "on the autodiff graph, which runs that forward, and not on the faster fused path, "
        "which reads glassnet's layers by their class. To keep the fused path, leave forward "
        "and __call__ to glassnet's class (a subclass that only adds attributes keeps it); "
        "engine='graph' chooses the graph without this note."
    ]


def fused_refusal(model: Module, spec: F.Loss | None) -> str:
    """fit's refusal of ``engine='fused'`` for a model or loss the fast path does not take."""
    return (
        "fit: engine='fused' handles a Sequential/MLP of Linear layers of one dtype, each "
        "followed by sigmoid, tanh, relu, leaky_relu or identity (softmax as the last "
        "layer), with a named loss; this model or loss needs engine='graph' (or 'auto'): "
        f"{graph_reason(model, spec)}."
    )


def check_end(history: Any, optimizer: Any, params: list) -> None:
    """The end of a run whose every loss was finite: a weight that is not finite (a step's
    update overflowed) is a divergence, :class:`Diverged`; an optimizer state buffer that is
    not (Adam's v = (1 − β₂) g² past float32's range: inf, its step m / √v then 0) froze
    its weights while the loss stayed finite: said, in ``history.warnings`` and as a
    UserWarning (PyTorch's Adam freezes the same way, in silence). Read once, not per step."""
    if not history.steps:
        return
    if not all(np.isfinite(p.data).all() for p in params):
        raise Diverged(history.steps, history.epochs, None)
    for name, b in state_buffers(optimizer):  # (glassnet's optimizers; not another's)
        if not all_finite(b):
            history.warnings.append(note := _frozen_note(optimizer, name, b, history))
            warnings.warn(note, UserWarning, stacklevel=user_level())
            return


def _frozen_note(optimizer: Any, name: str, b: Any, history: Any) -> str:
    """fit's words for the state buffer ``name`` of ``optimizer`` holding inf or NaN."""
    cls, torch = type(optimizer), torch_state_names(optimizer)
    bad = int(np.count_nonzero(~np.isfinite(np.asarray(b))))
    return (
        f"fit: {cls.__name__}'s state {name!r} (opt.state[p][{torch.get(name, name)!r}]) is not "
        f"finite at {bad} of its {b.size} values: a gradient's square (or a step's) overflowed "
        f"{b.dtype}, so those weights' steps became 0 (divided by sqrt(inf)) and they stopped "
        f"moving, while the loss ({history.loss[-1] if history.loss else math.nan:.4g}) "
        "stayed finite; training did not converge for them. Scale the data and targets "
        "(glassnet.preprocessing.StandardScaler; y / y.std()), lower the learning rate lr "
        f"(now {getattr(optimizer, 'lr', math.nan):.4g}), or train a float64 model "
        "(model.double())."
    )


def diverged_message(why: str, finite: bool) -> str:
    """fit's DivergenceError message: why, and which weights the model keeps."""
    kept = (
        "its weights from before that step."
        if finite
        else "the last finite weights recorded (up to 64 steps earlier)."
    )
    return f"fit: {why}. The model keeps " + kept
