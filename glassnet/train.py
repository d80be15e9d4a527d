"""The training loop: mini-batch gradient descent with termination criteria.

``fit`` follows the lecture's recipe (start at some w; step against the gradient;
repeat until a termination criterion holds) and scikit-learn's ``_fit_stochastic``:
shuffle indices, weight each batch by its size, record the curve, stop with a
message naming the criterion, and let Ctrl-C return what was learned so far.

Each step runs on one of two engines, which compute the same numbers:

* ``"fused"``: the fast path (:mod:`glassnet.fused`) for the lecture's networks, a
  ``Sequential``/``MLP`` of ``Linear`` layers each followed by an activation, with a
  named loss;
* ``"graph"``: the computational graph of :class:`~glassnet.Tensor` and ``backward()``,
  for any model and any loss.

``engine="auto"`` (default) picks ``"fused"`` when the model and loss allow it.

The termination criteria are small callbacks (:class:`Tolerance`,
:class:`EarlyStopping`) that ``fit`` builds from its arguments; the scikit-learn
estimators and the command line pass their own through ``stop_rules``. Progress
(:class:`Progress`), diagnostics and checkpoints are callbacks too. Which loss a run
trains on, the checks on its data and the validation score belong to :mod:`glassnet.tasks`
(``loss_spec``, ``check_data``, ``score``), shared with the estimators and the CLI.
"""

from __future__ import annotations

import contextlib
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

from . import backend, engines, fitting, tasks
from . import distributed as dist_mod
from . import eager as eager_mod
from . import functional as F
from ._validation import check_setting, train_message
from .engines import fast_path  # (which engine runs a step: glassnet.engines; named here too)
from .fused import add_l2, keep_finite
from .interrupts import deferred
from .loss_checks import checked_by_fit
from .nn.layers import Linear
from .nn.module import Module
from .progress import STOP_REASONS, Progress
from .schedules import check_schedule, end_epoch
from .tensor import Tensor
from .threads import check_threads
from .threads import limit as blas_limit

if TYPE_CHECKING:  # (train_habits' methods of the stopping rules: for type checkers)
    from .declarations import Books
else:
    Books = object

# fmt: off
__all__ = [
    "fit", "History", "Callback", "TrainState", "DivergenceError", "fast_path", "graph_step",
    "as_callback", "Progress", "Tolerance", "EarlyStopping", "WeightChange", "STOP_REASONS",
]
# fmt: on


class DivergenceError(FloatingPointError):
    """Training produced a NaN or infinite loss (or its last update, non-finite weights).
    ``.history`` holds the run so far; ``.epoch`` is the epoch it diverged in: the one after
    ``history.epochs`` when it was cut short, ``history.epochs`` itself when it ended."""

    def __init__(self, message: str, history: History, epoch: int | None = None) -> None:
        super().__init__(message)
        self.history, self.epoch = history, epoch


@dataclass
class History:
    """What ``fit`` did: the curves, the stop reason and counters.

    Attributes
    ----------
    loss : list of float
        Training loss per epoch (batch losses weighted by batch size).
    val_loss, val_metric : list of float
        Validation loss and metric (accuracy for classification, R^2 for regression;
        ``metric_name``) per epoch, when validation data is used. A loss function of yours
        whose targets are not one per output (a Gaussian NLL's mean and variance) has no
        metric: ``metric_name`` "none", NaN values.
    stop_reason : str
        One of ``max_epochs``, ``max_steps``, ``tol``, ``val_tol`` (:class:`Tolerance` on
        the validation loss), ``weight_change``, ``early_stopping``, ``callback``,
        ``interrupted``, ``min_lr``, ``lr_zero``, ``diverged``.
    epochs, steps : int
        The run's last epoch, counted from its start (one that ``max_steps`` cut short
        counts; one a divergence or Ctrl-C cut short does not): a run resumed at
        ``initial_epoch`` counts on from there, one with no epoch left to run is at
        ``initial_epoch``; and the optimizer steps this call took.
    engine : str
        ``"fused"``, ``"graph"``, ``"jit"`` (the compiled loop of :mod:`glassnet.jit`) or
        ``"captured"`` (on a GPU, the step replayed from a CUDA graph: :mod:`glassnet.capture`).
    diagnostics : list of dict
        Per-epoch records of the ``glassnet.diagnostics.Diagnostics`` callback.
    weight_change : list of float
        ||Δw|| per epoch, when the :class:`WeightChange` rule (``tol_weights``) watches it.
    best_epoch, best_loss : int or None, float
        The epoch of the best score the stopping rule watches (the validation loss with early
        stopping, whose weights it puts back; a resumed run's rule remembers it), and the
        lowest training loss of this call's epochs (not that epoch's loss under early
        stopping: read ``val_loss[best_epoch - initial_epoch - 1]`` for that).
    """

    loss: list[float] = field(default_factory=list)
    val_loss: list[float] = field(default_factory=list)
    val_metric: list[float] = field(default_factory=list)
    metric_name: str = ""
    lr: list[float] = field(default_factory=list)
    stop_reason: str = ""
    epochs: int = 0
    steps: int = 0
    samples_seen: int = 0
    best_epoch: int | None = None
    best_loss: float = math.inf
    engine: str = ""
    diagnostics: list[dict[str, Any]] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    weight_change: list[float] = field(default_factory=list)

    @property
    def message(self) -> str:
        """One sentence naming the criterion that stopped training (during training, or of
        a History with no stop reason: how far it went)."""
        why = STOP_REASONS.get(self.stop_reason, self.stop_reason)
        count = lambda k, what: f"{k} {what}" + "s" * (k != 1)  # noqa: E731
        done = f"{count(self.epochs, 'epoch')} ({count(self.steps, 'step')})"
        return f"Stopped after {done}: {why}." if why else f"Trained {done}; not stopped yet."


@dataclass
class TrainState:
    """Handed to callbacks: read anything, set ``stop = True`` to end training."""

    model: Module
    optimizer: Any
    history: History
    epoch: int = 0
    step: int = 0
    batch_loss: float = math.nan
    epoch_loss: float = math.nan
    stop: bool = False
    stop_reason: str = ""  # a stopping rule names itself; a plain callback's stop is "callback"
    X: Any = None  # the training data of this run (after any validation split)
    verbose: int = 0
    rules: list = field(default_factory=list)  # the stopping rules in force (fit's or given)


class Callback:
    """Override any of these; a plain function passed as a callback is ``on_epoch_end``.
    ``on_epoch_end`` returning True (or NumPy's True) stops the run, as a function's does."""

    def on_train_begin(self, state: TrainState) -> None: ...

    def on_epoch_end(self, state: TrainState) -> Any: ...

    def on_step_end(self, state: TrainState) -> None: ...

    def on_train_end(self, state: TrainState) -> None: ...


class _FunctionCallback(Callback):
    def __init__(self, fn: Callable[[TrainState], Any]) -> None:
        self.fn = fn

    def on_epoch_end(self, state: TrainState) -> Any:
        if fitting.asks_stop(result := self.fn(state)):
            state.stop = True  # (True stops here too, for a loop of the user's own)
        return result


def as_callback(c: Callback | Callable[[TrainState], Any], arg: str = "callbacks") -> Callback:
    """A :class:`Callback` (or an object with its methods; ``on_step_end`` optional) as is;
    a function ``f(state)`` as an ``on_epoch_end`` callback; else a TypeError naming fit's
    ``arg``."""
    return c if fitting.whole_callback(c, arg) else _FunctionCallback(c)  # type: ignore[return-value]


OneCallback = Callback | Callable[[TrainState], Any]  # (fit's callbacks: one, or a list)


def graph_step(model: Module, spec: F.Loss | None, loss: Any, l2: float) -> Callable[..., float]:
    """``step(X, y, w) -> L``: one forward and backward pass on the autodiff graph, with
    dL/dw in each parameter's ``.grad`` (the graph engine's counterpart of FastMLP.step;
    ``spec`` is ``tasks.loss_spec(loss)``, ``l2`` the penalty of :func:`fit`)."""
    forward, loss_fn, _ = tasks.loss_parts(model, spec, loss)
    weights = [m.W for m in model.modules() if isinstance(m, Linear)]
    if spec is not None and F.LOSSES.get(spec.name) is spec:  # (a user's Loss checks)
        loss_fn = checked_by_fit(loss_fn)  # (fit checked y and w)

    def step(X: np.ndarray, y: np.ndarray, w: np.ndarray | None) -> float:
        model.zero_grad()
        lt = loss_fn(forward(Tensor(X)), y, w)
        lt.backward()
        return float(lt.data) + (add_l2(weights, l2, X.shape[0]) if l2 else 0.0)

    return step


# ------------------------------------------------------------ stopping rules
class _Books(Callback, Books):
    """A stopping rule's books (``books``), kept across calls of fit: they go on when a run
    starts at the epoch they end at (``initial_epoch``), whatever the model object (one
    loaded from a checkpoint too); a run from epoch 0 starts them again, and a run resumed
    at another epoch is refused. ``state_dict()`` gives them for ``gn.save`` (beside the
    model's and the optimizer's; attached by :mod:`glassnet.train_habits`); pickle and
    ``copy.deepcopy`` keep them, so a copy resumes as the rule itself would."""

    books: tuple[str, ...] = ("bad", "epoch")
    ran: bool = False  # (a run seen)
    epoch: int | None = None  # (the last epoch it saw)

    def _new_run(self, state: TrainState, refuse: bool = True) -> bool:
        """Given to another run than the one it last saw, resumed at its epoch: its books
        go (books set before a first run, as the command line's resume sets them, stay);
        with ``refuse``, one resumed at another epoch than it saw raises (none seen: fresh)."""
        if refuse and self.ran and state.epoch and self.epoch not in (None, state.epoch):
            raise ValueError(train_message("new_run", rule=self, initial=state.epoch))
        return self.ran and self.epoch != state.epoch


class Tolerance(_Books):
    """Stop when the watched score (``"loss"``: the training loss; ``"val_loss"``) has not
    improved by more than ``tol`` for ``n_iter_no_change`` epochs (stop reason ``'tol'``, or
    ``'val_tol'`` on the validation loss). ``tol=None`` never stops but still records
    ``history.best_epoch``. Its books (best, bad epochs, best epoch; :class:`EarlyStopping`'s
    best weights too) go on in a run resumed at the epoch it last saw: the same object, a
    pickled or deep copy, or one given its ``state_dict()``; a run from epoch 0 resets them."""

    reason = "tol"  # (on the validation loss "val_tol", whose message names the loss)
    books: tuple[str, ...] = ("best", "bad", "best_epoch", "epoch")

    def __init__(self, tol: float | None, n_iter_no_change: int, monitor: str = "loss") -> None:
        self.tol, self.patience = tol, n_iter_no_change
        self.monitor = check_setting(monitor, "monitor", "Tolerance", ("loss", "val_loss"))
        self.reason = "val_tol" if monitor == "val_loss" and self.reason == "tol" else self.reason
        self.best, self.bad, self.best_epoch = math.inf, 0, None

    def on_train_begin(self, state: TrainState) -> None:
        if self.monitor == "val_loss" and not state.history.metric_name:  # (set with val. data)
            raise ValueError(train_message("no_validation", kind=type(self).__name__))
        if self._new_run(state):
            self.best, self.bad, self.best_epoch = math.inf, 0, None
        self.ran, state.history.best_epoch = True, self.best_epoch  # (resumed: still its best)

    def on_epoch_end(self, state: TrainState) -> None:
        self.epoch = state.epoch
        score = getattr(state.history, self.monitor)[-1]
        self.bad = 0 if score < self.best - (self.tol or 0.0) else self.bad + 1
        if score < self.best:
            self.best = score
            self.best_epoch = state.history.best_epoch = state.epoch
            self.improved(state)
        if self.tol is not None and self.bad >= self.patience:
            state.stop, state.stop_reason = True, self.reason

    def improved(self, state: TrainState) -> None: ...


class WeightChange(_Books):
    """The lecture's "small change" criterion: stop when ||Δw||, the L2 norm of the change
    of all parameters over an epoch, is below ``eps`` for ``n_iter_no_change`` epochs in a
    row (recorded in ``history.weight_change``; the stop reason is ``'weight_change'``)."""

    reason = "weight_change"

    def __init__(self, eps: float, n_iter_no_change: int = 1) -> None:
        self.eps, self.patience, self.bad = eps, n_iter_no_change, 0

    def on_train_begin(self, state: TrainState) -> None:  # (resumed where it left off: counts on)
        self.bad, self.ran = 0 if self._new_run(state) else self.bad, True
        self.last = [p.data.copy() for p in state.model.parameters()]

    def on_epoch_end(self, state: TrainState) -> None:
        self.epoch, now = state.epoch, [p.data for p in state.model.parameters()]
        with np.errstate(over="ignore", invalid="ignore"):  # (fit's own rule: silent on the
            dw = math.sqrt(sum(float(((a - b) ** 2).sum()) for a, b in zip(now, self.last)))
        state.history.weight_change.append(dw)  # way to a divergence, as fit's steps)
        self.last, self.bad = [a.copy() for a in now], self.bad + 1 if dw < self.eps else 0
        if self.bad >= self.patience and not state.stop:
            state.stop, state.stop_reason = True, self.reason


class EarlyStopping(Tolerance):
    """:class:`Tolerance` on the validation loss that keeps the best weights seen and puts
    them back when training ends."""

    reason, books = "early_stopping", (*Tolerance.books, "weights", "last")

    def __init__(self, tol: float | None, n_iter_no_change: int) -> None:
        super().__init__(tol or 0.0, n_iter_no_change, "val_loss")
        self.weights: list[np.ndarray] | None = None
        self.last: list[np.ndarray] | None = None  # the run's own, before the best came back

    def on_train_begin(self, state: TrainState) -> None:
        new, arrays = self._new_run(state, refuse=False), self._arrays(state.model)
        super().on_train_begin(state)  # (first: a run it refuses leaves the weights as given)
        self.weights = None if new else self.weights  # (as the books)
        if (
            self.last is not None
            and self.weights is not None
            and all(np.array_equal(a, v) for a, v in zip(arrays, self.weights))
        ):  # resumed with the best put back: on from its last epoch's, as the run unbroken
            for a, v in zip(arrays, self.last):
                a[...] = v
        self.last = None

    def _new_run(self, state: TrainState, refuse: bool = True) -> bool:  # (a model of other
        held = [a.shape for a in self.weights or ()]  # shapes: another run)
        other = held not in ([], [a.shape for a in self._arrays(state.model)])
        return super()._new_run(state, refuse) or self.ran and other

    # the weights and then the buffers (a BatchNorm's running statistics go with its weights)
    _arrays = staticmethod(lambda model: [p.data for p in model.parameters()] + model.buffers())

    def improved(self, state: TrainState) -> None:
        self.weights = [a.copy() for a in self._arrays(state.model)]

    def on_train_end(self, state: TrainState) -> None:
        if self.weights is not None:
            self.last = [a.copy() for a in self._arrays(state.model)]
            for a, v in zip(self._arrays(state.model), self.weights):
                a[...] = v


# -------------------------------------------------------------------- fit
def fit(
    model: Module,
    X: Any,
    y: Any,
    *,
    loss: str | Callable[..., Tensor] = "mse",
    optimizer: Any = "sgd",
    lr: float | None = None,
    epochs: int = 100,
    max_steps: int | None = None,
    batch_size: int | None = None,
    shuffle: bool = True,
    seed: Any = None,
    tol: float | None = None,
    n_iter_no_change: int | None = None,
    tol_weights: float | None = None,
    validation_split: float = 0.0,
    validation_data: tuple[Any, ...] | None = None,
    early_stopping: bool = False,
    schedule: Any = None,
    callbacks: OneCallback | Sequence[OneCallback] = (),
    sample_weight: Any = None,
    l2: float = 0.0,
    diagnostics: bool = False,
    verbose: int = 1,
    engine: str = "auto",
    stop_rules: Sequence[Callback] | None = None,
    initial_epoch: int = 0,
    distributed: Any = None,
    device: str | None = None,
    threads: int | str | None = None,
) -> History:
    """Train ``model`` on (X, y) by mini-batch gradient descent.

    Each step: 1) forward on a batch, 2) loss, 3) backward (chain rule), 4) the
    optimizer's update (for plain gradient descent ``w <- w - lr * dL/dw``).

    The model is left in training mode (``model.train()``, as a PyTorch loop leaves it;
    ``predict`` runs in eval mode whatever the flag). Ctrl-C ends the run between two steps
    (one arriving during an update is raised once the step is whole, so the weights, the
    optimizer's state and ``history.steps`` describe the same step), with
    ``history.stop_reason`` ``"interrupted"`` and a ``UserWarning`` naming the steps done
    (at every ``verbose``, as scikit-learn's MLP warns).

    Parameters
    ----------
    model : Module
    X : array of shape (n_samples, n_features), or data larger than memory
        (:mod:`glassnet.stream`): a CSV or Parquet path (``y`` then names the target
        column), a NumPy memmap, an iterable of ``(X, y)`` chunks (``y`` None) or a
        ``Stream``; read chunk by chunk every epoch, shuffled within a buffer.
    y : array of shape (n_samples,) or (n_samples, n_outputs)
        Class labels 0..C-1 (or one-hot rows) for ``'cross_entropy'``, 0/1 for
        ``'binary_cross_entropy'``, real values for ``'mse'``.
    loss : str or callable
        ``'mse'``, ``'half_mse'`` (the lecture's 1/2 (y_hat - y)^2),
        ``'binary_cross_entropy'``, ``'binary_cross_entropy_with_logits'``,
        ``'cross_entropy'``, or ``f(output, y) -> scalar Tensor``. A sigmoid or
        softmax final layer is fused with its cross-entropy (computed from logits).
    optimizer : str or optimizer
        An optimizer built on ``model.parameters()``, or a name from
        ``glassnet.optim.OPTIMIZERS`` created with ``lr``.
    lr : float, default 0.01
        Learning rate (gamma on the slides) when ``optimizer`` is a name (else a ValueError).
    epochs, max_steps : int
        Termination: at most this many passes over the data / optimizer steps. ``epochs``
        counts the run's total (a run resumed at ``initial_epoch`` goes on to it);
        ``max_steps`` counts this call's steps, as ``history.steps`` does.
    batch_size : int or None
        ``None``: full-batch gradient descent, as on the slides. Larger than ``X``'s rows:
        refused. Larger than the rows a validation split leaves (but not than ``X``'s): one
        batch of those rows per epoch, as Keras and PyTorch's DataLoader do (the split's size
        is not the user's to count; ``fit_many`` does the same).
    shuffle : bool; seed : int, Generator, or a function of the epoch
        Batches are drawn from a permutation of indices made with ``seed``. A function
        ``seed(epoch) -> int or Generator`` gives each epoch (1, 2, ...) its own stream,
        so a run resumed at ``initial_epoch`` draws the same batches as an uninterrupted one;
        ``seed(0)`` draws the rows ``validation_split`` holds out. An int does too: a resumed
        run draws (and drops) the orders of the epochs done first (a stream cannot: it warns).
        A Generator goes on from where it is: pass the one the first call drew from.
    tol, n_iter_no_change :
        Stop when the training loss improves by less than ``tol`` for
        ``n_iter_no_change`` epochs (default 10; ``tol=None``: off). With ``early_stopping``
        the same rule watches the validation loss and the best weights are restored.
        ``n_iter_no_change`` given without ``tol``, ``early_stopping`` or ``tol_weights``
        (the rules that count it) would change nothing: a ValueError.
    tol_weights : float > 0, optional
        The lecture's "small change": stop when ||Δw|| (all parameters, over an epoch)
        stays below ``tol_weights`` for ``n_iter_no_change`` epochs (:class:`WeightChange`,
        ``history.weight_change``); alongside ``tol`` or the ``stop_rules`` given,
        whichever stops first.
    validation_split : float in [0, 1); validation_data : (X_val, y_val[, w_val])
        Held-out data scored after each epoch (loss and accuracy / R^2); one or the other.
        Weighted when the held-out rows have weights (``w_val``, checked as
        ``sample_weight`` is; or, split off, their ``sample_weight``): the loss as the
        training loss is, accuracy as the weighted fraction correct, R^2 as scikit-learn's
        ``r2_score(..., sample_weight=)``; early stopping watches that weighted loss.
    early_stopping : bool
        Stop when the validation loss has not improved by more than ``tol`` (``tol=None``:
        by any amount) for ``n_iter_no_change`` epochs, and put back the weights of its best
        epoch when the run ends (whatever ended it, but a DivergenceError). Without
        ``validation_data`` or ``validation_split`` it holds out 0.1 of the rows (drawn with
        ``seed``, stratified for classification), which then do not train.
    schedule : learning-rate schedule from glassnet.optim, stepped once per epoch
        (``ReduceLROnPlateau`` with the epoch's training loss, also with validation data:
        to watch the validation loss, step it from a callback's ``on_epoch_end`` with
        ``state.history.val_loss[-1]`` and pass no ``schedule``).
    callbacks : Callbacks or functions ``f(state)`` (one, or a list) called after each epoch
        (return True or set ``state.stop`` to stop). They, ``stop_rules``, a schedule and a
        loss function of yours run under your NumPy error state (``np.errstate``); fit's own
        steps run with NumPy's overflow warnings off (a NaN or inf loss is a DivergenceError).
    sample_weight : array of shape (n_samples,) or a number; l2 : float
        Per-sample loss weights (a batch's loss is ``sum_i w_i l_i / n_batch``; the rows
        ``validation_split`` holds out keep theirs, and weigh the validation scores; a
        number ``w`` weighs every sample alike, as ``np.full(n_samples, w)``: the loss and
        its gradient times ``w``, so with SGD a larger step, where the MLP estimators
        (glassnet's and scikit-learn's) normalise the weights and ignore a constant one); an L2
        penalty ``l2 / (2 n_batch) * sum ||W||^2`` on weight matrices (scikit-learn's ``alpha``).
    diagnostics : moved to a callback
        ``callbacks=[glassnet.diagnostics.Diagnostics()]`` records per-layer gradient
        norms, dead-ReLU and saturation fractions and update-to-weight ratios each epoch
        in ``history.diagnostics``; ``diagnostics=True`` raises, saying so.
    verbose : int
        0 silent, 1 a progress line for runs longer than 2 s, 2 from the start. On a
        terminal the line is redrawn; elsewhere (a log, a notebook's captured stderr) a
        plain line is written every 10 s (``verbose=2``: the first epoch's at once), and at
        the last epoch.
    engine : ``'auto'``, ``'fused'``, ``'graph'`` or ``'jit'``
        Which engine runs the steps (below, and docs/engines.md); ``'jit'`` asks for the
        compiled loop and raises, saying why, for a run it cannot take.
    initial_epoch : int
        Epochs already done (a resumed run): training runs epochs ``initial_epoch + 1`` to
        ``epochs``. The rules built from ``tol`` and ``early_stopping`` are new at each
        call, their counts of epochs without improvement starting again; to resume those
        too, pass ``stop_rules`` (:class:`Tolerance`, :class:`EarlyStopping`,
        :class:`WeightChange`) to both calls: the same objects, copies, or new ones given the
        first's ``state_dict()`` (saved with ``gn.save`` beside the model's and optimizer's).
        A rule goes on with its books in a run resumed at the epoch it last saw
        (:class:`glassnet.ModelCheckpoint` saves and restores them all, fit's own too). A
        glassnet optimizer that is not the interrupted run's state is warned of (a
        UserWarning, not a refusal): one that keeps state (Adam, a momentum) but never
        stepped (``optimizer="adam"`` builds such a one), or whose step count is not
        ``initial_epoch`` epochs' (another batch size or data, another epoch, a run cut
        within an epoch). Load its ``state_dict()`` to resume exactly; a fresh optimizer
        on purpose: ignore the warning (``warnings.filterwarnings``).
    stop_rules : callbacks that decide termination (they set ``state.stop`` and
        ``state.stop_reason``) in place of the :class:`Tolerance` / :class:`EarlyStopping`
        rule built from ``tol`` and ``early_stopping`` (both then left off: else a ValueError).
        Their hooks run as the callbacks' do, ``on_step_end`` after each step included.
    distributed : None or ``'mpi'``
        Data-parallel training over the ranks of ``mpiexec -n N`` (mpi4py): every rank
        passes the same arguments, runs its shard of each global batch, and one Allreduce
        per step gives every rank the global batch's gradient; callbacks and the progress
        line run on rank 0 (see :mod:`glassnet.distributed`).

    device : None, ``'cpu'`` or ``'cuda'``
        Move the model there first (in place, as ``model.to(device)``); None trains where
        its parameters are. On ``'cuda'`` (CuPy, ``glassnet[gpu]``) the data moves to the
        GPU once and every batch is gathered there; the fast path runs it (a model or loss
        that needs the graph, validation data, a stream and MPI stay on the CPU for now).

    threads : ``'auto'``, None, ``'load'``, ``'keep'`` or int >= 1
        BLAS threads for this run (:mod:`glassnet.threads`, docs/threads.md). None /
        ``'auto'``: one per MFLOP of the step's largest matrix product (2 x batch x inputs
        x neurons), at most the usable CPUs and the BLAS limit in force; the machine's load
        is not read, so the same call on the same machine gets the same count and the same
        weights, bit for bit (OpenBLAS's products can differ in their last bits between
        counts). ``'load'``: also only the CPUs other processes leave free (faster beside
        other work; the weights may then differ in their last bits with the load). An int:
        exactly that many. The count is the whole process's while fit runs; ``'keep'``
        sets none (the count in force: for a process whose other threads compute
        meanwhile, docs/threads.md). The limits before are
        restored when fit returns. Without threadpoolctl (``pip install 'glassnet[fast]'``)
        ``'auto'`` changes nothing and an int raises ImportError.

    ``engine="jit"`` trains a small network in numba-compiled calls (``glassnet[jit]``,
    :mod:`glassnet.jit`; ``history.engine == "jit"``): the same steps, to rounding
    (docs/jit.md). ``engine="auto"`` never picks it, so every loop it picks gives the same
    bits: a resumed run, a callback or a log level changes no weight. With
    no ``on_step_end`` callback (nothing between two steps), binary cross-entropy's epochs
    and a quiet full-batch run (``verbose=0``, no ``tol``) run in :mod:`glassnet.eager`'s
    loop: the same weights and history, the books kept once an epoch. Which loop runs a
    step, and when: docs/engines.md.

    Returns
    -------
    History

    Raises
    ------
    DivergenceError
        When a loss becomes NaN or inf; the model keeps finite weights.
    """
    tasks.check_patience(
        n_iter_no_change, "fit", tol=tol, early_stopping=early_stopping, tol_weights=tol_weights
    )
    if distributed is not None and not isinstance(distributed, dist_mod.DataParallel):
        return dist_mod.run(fit, dict(locals()))  # reruns fit on a DataParallel, see there
    n_iter_no_change = 10 if n_iter_no_change is None else n_iter_no_change
    dp = distributed
    # 0) validate at the boundary
    tasks.check_trainable(model, diagnostics)
    spec = tasks.loss_spec(loss)
    takes = spec is None and tasks.takes_labels(loss)  # (nn.CrossEntropyLoss: class labels)
    # data larger than memory: its first chunk here, each checked as it comes (else arrays)
    data, held = (X, y, sample_weight), (validation_split, early_stopping, validation_data)
    src, check, (X, y, sample_weight) = fitting.open_stream(
        model, spec, loss, takes, data, batch_size, epochs - initial_epoch, held
    )
    X, y_arr, w_arr = tasks.check_data(
        model, spec, X, y, sample_weight, "fit", whole=src is None, labels=takes, loss=loss
    )
    verbose = int(verbose) if isinstance(verbose, bool) else verbose  # (False: 0, True: 1)
    given = locals()  # (each setting by its rule; batch_size within the rows, a stream's unknown)
    epochs, max_steps, batch_size, n_iter_no_change, initial_epoch, verbose = tasks.check_run(
        "fit", X.shape[0] if src is None else None, **{k: given[k] for k in tasks.RUNS}
    )  # (the counts as Python ints: NumPy's too)
    l2 = None if l2 is None else float(l2)  # (NumPy's float64 would widen a float32 step)
    check_threads(threads, "fit")
    cbs = fitting.as_callbacks(callbacks, "callbacks", as_callback)
    if stop_rules is not None:  # (None: fit's own rule, built once the loop is chosen)
        stop_rules = fitting.as_callbacks(stop_rules, "stop_rules", as_callback)
    tasks.check_stops(initial_epoch, epochs, stop_rules, tol, early_stopping)
    # a seed function's epoch 0 draws the split (and is called only for one)
    split = validation_split > 0 or (early_stopping and validation_data is None)
    rng = tasks.epoch_rng(seed, 0, call=split)

    X, y_arr, w_arr, Xv, yv, wv = tasks.validation_set(
        model, spec, X, y_arr, w_arr, validation_data, validation_split, early_stopping, rng,
        labels=takes, loss=loss,
    )  # fmt: skip
    backend.place(model, device, optimizer, Xv is None and src is None and dp is None)
    # optimizer: a name, or one built on exactly the model's parameters
    params = model.parameters()
    optimizer = engines.optimizer_for(optimizer, params, lr, schedule, "fit", cbs)
    schedule = check_schedule(schedule, optimizer, "fit", initial_epoch)
    engines.check_resumed(optimizer, initial_epoch, epochs, X.shape[0], batch_size, (src, dp))
    seen0 = getattr(schedule, "samples_seen", 0)  # (InvScalingLR's clock goes on, resumed)

    # engine: the fast path where it applies, else the graph
    l2_step = l2 if dp is None else 0.0  # distributed: added once, to the summed gradient
    fast = fast_path(model, spec, l2_step) if engine != "graph" else None
    fitting.check_fused(engine, fast, model, spec)  # (engine='fused' for a model it cannot take)
    users = np.geterr()  # (the caller's NumPy error state: their code runs under it)
    train_step = fast.step if fast else graph_step(model, spec, tasks.under(users, loss), l2_step)
    xp = backend.namespace(params[0].data)  # NumPy, or CuPy: the data follows the model
    if xp is not np:
        X, y_arr, w_arr = (None if a is None else xp.asarray(a) for a in (X, y_arr, w_arr))

    # (epochs counts the run's total: a resumed run that stops in its first epoch is there)
    history = History(engine="fused" if fast else "graph", epochs=initial_epoch)
    history.warnings += engines.graph_note(model, spec) if engine == "auto" and not fast else []
    if Xv is not None:
        history.metric_name = fitting.metric_name(model, spec, loss, y_arr, takes)
    state = TrainState(model, optimizer, history, epoch=initial_epoch, X=X, verbose=verbose)
    hook = Callback.on_step_end  # (a plain callback's, which does nothing)
    hooked = [*(stop_rules or ()), *cbs]  # (the rules given first, as at an epoch's end)
    step_cbs = [c for c in hooked if getattr(type(c), "on_step_end", hook) is not hook]
    if dp is not None and not dp.root:
        cbs, verbose = [], 0  # rank 0 writes and prints; on_step_end runs on every rank
    # between two steps on the fast path only the gradients' values change, unless something
    # of the caller's runs (or MPI rebinds .grad): the optimizer's checks once per epoch then
    quick = fast is not None and not step_cbs and dp is None and hasattr(optimizer, "prepared")
    replan = bool(cbs) or schedule is not None or bool(stop_rules)
    progress = Progress(epochs, verbose)

    n = X.shape[0]
    bs = n if batch_size is None else batch_size
    full_batch = bs >= n and src is None
    # an int seed resumed: its first initial_epoch orders drawn (a stream's: a warning)
    fitting.replay_orders(rng, seed, initial_epoch, n, shuffle and not full_batch, src)
    # refused before allocating: gradients and optimizer state (3 copies of the weights), and
    # per batch row each layer's activation, its dL/dZ and a scratch buffer
    tasks.check_fit_memory(model, params, bs, params[0].dtype)  # (tasks.model_dtype's)

    if dp is not None:  # rank 0's weights everywhere, one gradient sum per step
        train_step = dp.begin(model, train_step, l2, (X, y_arr, w_arr), seed, rng, optimizer, src)
    whole = [(p, p.data.copy()) for p in params]  # each parameter, its last known finite weights
    # an epoch (full batch: the whole run) in a loop of its own when nothing of the caller's
    # runs between steps: compiled, captured on a GPU, or eager (glassnet.engines)
    loop = engines.choose(
        fast, optimizer, engine=engine, tol=tol,
        steps_by=engines.between(on_step_end=step_cbs, distributed=dp is not None,
                                 stream=src is not None),
        epochs_by=engines.between(callbacks=cbs, validation_data=validation_data is not None,
                                  validation_split=validation_split, early_stopping=early_stopping,
                                  stop_rules=bool(stop_rules), tol_weights=tol_weights),
        schedule=schedule, verbose=verbose, batch_size=bs, n=n, epochs=epochs - initial_epoch,
        snapshot=whole, warnings=history.warnings,
        graph_why=engines.graph_reason(model, spec) if engine == "jit" and not fast else "",
    )  # fmt: skip
    # the stopping rules, fit's own unless given: built once the loop is chosen (a loop of its
    # own runs fit's rule alone, and is told only whether rules were given; [] is none)
    rule = Tolerance(tol, n_iter_no_change)  # (with stop_rules=[], tol is None: it never stops)
    if stop_rules is None:
        stop_rules = [EarlyStopping(tol, n_iter_no_change) if early_stopping else rule]
    watch = [] if tol_weights is None else [WeightChange(tol_weights, n_iter_no_change)]
    state.rules = stop_rules = [*stop_rules, *watch]  # (tol_weights: beside those built or given)
    history.engine = history.engine if loop is None else loop.engine
    gather = eager_mod.Batches(X, y_arr, w_arr, bs, dp, fresh=True)  # (a batch kept stays)
    blas = blas_limit(model, bs, threads=threads, owner="fit")  # restored in finally
    blas.__enter__()  # first: it may refuse (threads=N without threadpoolctl), changing nothing
    model.train()
    # NumPy's overflow warnings on the way to a NaN/inf loss are silenced in fit's own steps:
    # a non-finite loss is reported once, as DivergenceError (set once, not per step); the
    # caller's code (callbacks, stop_rules, a schedule, a loss function) runs under `users`
    errstate = np.errstate(over="ignore", invalid="ignore", divide="ignore")
    errstate.__enter__()
    ctrl_c = deferred()  # (a Ctrl-C in an update raised once the step is whole)
    hold, update = ctrl_c.__enter__(), None
    try:
        # (the caller's code, under the caller's error state; a rule that refuses the run first)
        tasks.call_hooks((*stop_rules, *cbs), "on_train_begin", state, users)
        if loop is not None and loop.whole:  # every epoch in one call, fit's tol rule inside
            tasks.epoch_rng(seed, initial_epoch + 1) if callable(seed) else None  # (its return)
            history.stop_reason = loop.run_whole(
                X, y_arr, w_arr, epochs - initial_epoch, tol, n_iter_no_change, max_steps,
                history, state, rule, initial_epoch,
            )  # fmt: skip
        for epoch in range(initial_epoch + 1, epochs + 1) if not history.stop_reason else ():
            state.epoch = epoch
            if loop is None and (update is None or replan or (quick and update == optimizer.step)):
                update = optimizer.prepared() if quick else optimizer.step
            if callable(seed):
                rng = tasks.epoch_rng(seed, epoch)
            total, seen = 0.0, 0
            if src is not None:  # through the shuffle buffer, each rank's shard sliced
                batches = dist_mod.shards(src.batches(bs, rng if shuffle else None, check), dp)
            elif full_batch and dp is None:  # the arrays themselves, every epoch
                batches, order = ((X, y_arr, w_arr, n),), None
            else:
                order = rng.permutation(n) if shuffle and not full_batch else None
                order = order if order is None or xp is np else xp.asarray(order)  # on its device
                batches = gather.epoch(order)
            if loop is not None:  # the epoch's steps in one call; the books kept from their losses
                total, seen = loop.run_epoch(X, y_arr, w_arr, order, bs, max_steps, history, state)
            # a fresh optimizer's first step binds every gradient: then the rules only
            retry = quick and update == optimizer.step
            # 1) the batch (this rank's rows of it, distributed), of m rows in all
            for xb, ybt, wbt, m in batches if loop is None else ():
                # 2) forward + loss + 3) backward, 4) the optimizer's update
                batch_loss = train_step(xb, ybt, wbt)
                if not math.isfinite(batch_loss):
                    raise engines.Diverged(history.steps + 1, epoch, batch_loss)
                hold.held = True
                update()
                history.steps += 1
                history.samples_seen += m
                hold.held = False
                if hold.pending:  # (a Ctrl-C during the update: raised now, the step whole)
                    hold.release()
                total += batch_loss * m
                seen += m
                state.step, state.batch_loss = history.steps, batch_loss
                if retry:  # (after the books: a Ctrl-C in it leaves the step counted)
                    update, retry = optimizer.prepared(), False
                if step_cbs:  # (the caller's code, under the caller's error state)
                    tasks.call_hooks(step_cbs, "on_step_end", state, users)
                if history.steps % 64 == 0:
                    keep_finite(whole)
                if (max_steps is not None and history.steps >= max_steps) or state.stop:
                    break
            # end of epoch: record, validate, then the callbacks and the termination criteria
            epoch_loss = total / max(seen, 1)  # batch losses weighted by batch size
            history.loss.append(epoch_loss)
            history.epochs = epoch
            history.lr.append(float(getattr(optimizer, "lr", math.nan)))
            history.best_loss = min(history.best_loss, epoch_loss)
            state.epoch_loss = epoch_loss
            if Xv is not None:
                vl, vm, history.metric_name = tasks.score(model, spec, loss, Xv, yv, wv, users)
                history.val_loss.append(vl)
                history.val_metric.append(vm)
            if verbose:
                progress.on_epoch_end(state)
            # the stopping rules first (they keep their books every epoch), then the
            # schedule's step (after every epoch: a run resumed finds it at its epoch), then
            # the callbacks, which see the optimizer and schedule as the next epoch starts
            # them (a checkpoint written there resumes as the run goes on); a stop asked by
            # a plain callback is "callback"
            with np.errstate(**users) if replan else contextlib.nullcontext():  # (the caller's)
                fitting.epoch_end(stop_rules, state)
                why = end_epoch(schedule, epoch_loss, seen0 + history.samples_seen, epochs - epoch)
                fitting.epoch_end(cbs, state)
            # a stop is named in this order (max_steps over a rule's, as every loop names it)
            if state.stop and not state.stop_reason:
                state.stop_reason = "callback"
            elif max_steps is not None and history.steps >= max_steps:
                state.stop, state.stop_reason = True, "max_steps"
            elif why and (why != "lr_zero" or epoch < epochs):
                state.stop, state.stop_reason = True, why
            if dp is not None:
                dp.agree(state)
            if state.stop:
                history.stop_reason = state.stop_reason
                break
        else:
            history.stop_reason = history.stop_reason or "max_epochs"
        engines.check_end(history, optimizer, params)  # (weights, optimizer state finite)
    except KeyboardInterrupt:
        history.stop_reason = "interrupted"
    except engines.Diverged as d:  # (the last finite weights put back)
        message = fitting.diverged(d, loop, optimizer, whole, spec)
        history.stop_reason = "diverged"
        progress.close("")
        raise DivergenceError(message, history, d.epoch) from None
    finally:
        blas.__exit__(None, None, None)
        errstate.__exit__(None, None, None)
        ctrl_c.__exit__(None, None, None)
    for c in (*stop_rules, *cbs):
        c.on_train_end(state)
    progress.close(history.message)
    fitting.warn_interrupted(history)  # (the notebook's Stop button: said at every verbose)
    return history


# PyTorch's habits: the rules' state dicts, the History's repr (glassnet.train_habits)
from . import train_habits  # noqa: E402, F401
