"""What ``fit`` does before its loop and after it ends, that is not the loop.

:mod:`glassnet.train` is the lecture's loop (batches, forward, loss, backward, the update)
and its termination rules. Around it, ``fit`` opens data larger than memory
(:mod:`glassnet.stream`: its first chunk read and checked, the rest as the epochs come),
reports a divergence (the last finite weights put back, the message saying where and
why) and warns of a run that Ctrl-C ended; it also refuses ``engine='fused'`` for a model
the fast path cannot take, names the validation metric, and takes its ``callbacks`` and
``stop_rules`` as given (one, a list, None; a function ``f(state)`` made an
``on_epoch_end`` callback, :class:`FunctionCallback`); a run resumed with an int seed
draws the shuffle orders of the epochs done first (:func:`replay_orders`). Those are here,
a layer below ``train``, as the checks of :mod:`glassnet.tasks` and the hand-offs of
:mod:`glassnet.engines` are: a reader learning how glassnet trains reads ``fit``'s calls of
them by their names.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable, Iterable
from typing import Any

import numpy as np

from . import engines, tasks
from . import stream as stream_mod
from ._validation import train_message, user_level
from .interrupts import interrupted_warning

__all__ = [
    "as_callbacks",
    "check_fused",
    "diverged",
    "metric_name",
    "open_stream",
    "replay_orders",
    "warn_interrupted",
    "whole_callback",
]


def whole_callback(c: Any, arg: str = "callbacks") -> bool:
    """Whether ``c`` has a :class:`glassnet.train.Callback`'s hooks (``on_step_end``
    optional); False for a function ``f(state)``, which fit calls after each epoch; else a
    TypeError naming fit's ``arg``."""
    whole = all(hasattr(c, h) for h in ("on_train_begin", "on_epoch_end", "on_train_end"))
    if isinstance(c, type) or not (callable(c) or whole):
        raise TypeError(train_message("callback", arg=arg, c=c))
    return whole


def asks_stop(result: Any) -> bool:
    """Whether a callback's ``on_epoch_end`` result stops the run: True or NumPy's True
    (``np.mean(...) < t``); None and every other value do not."""
    return isinstance(result, (bool, np.bool_)) and bool(result)


def epoch_end(callbacks: Iterable[Any], state: Any) -> None:
    """Each callback's ``on_epoch_end(state)`` in turn; one whose result :func:`asks_stop`
    stops the run, as one that sets ``state.stop`` does."""
    for c in callbacks:
        if asks_stop(c.on_epoch_end(state)):
            state.stop = True


def as_callbacks(given: Any, arg: str, convert: Callable[[Any, str], Any]) -> list[Any]:
    """fit's ``callbacks`` or ``stop_rules``: None (none), one, or a list (an iterable),
    each made a callback by ``convert`` (:func:`glassnet.train.as_callback`)."""
    many = isinstance(given, Iterable) and not isinstance(given, (str, bytes, dict))
    many = many and getattr(given, "ndim", 1) != 0  # (a 0-d array: one value, refused as one)
    return [convert(c, arg) for c in (given if many else () if given is None else [given])]


def check_fused(engine: str, fast: Any, model: Any, spec: Any) -> None:
    """fit's refusal of ``engine='fused'`` where the fast path does not take the model or
    loss (``fast`` None), a ValueError saying why (:func:`glassnet.engines.fused_refusal`)."""
    if engine == "fused" and fast is None:
        raise ValueError(engines.fused_refusal(model, spec))


def metric_name(model: Any, spec: Any, loss: Any, y: np.ndarray, takes: bool) -> str:
    """The name of the validation metric fit reports beside the validation loss (accuracy,
    R^2 or "none"): :func:`glassnet.tasks.metric_name` of the loss and targets ``y``, the
    model's output width where it is known (unseen: the targets' width; the first scores
    say)."""
    width = tasks.n_outputs(model) or y.shape[-1]
    return tasks.metric_name(spec or tasks.metric_loss(loss), y, width, takes)


def open_stream(
    model: Any, spec: Any, loss: Any, takes: bool, data: tuple, batch: Any, epochs: int, held: tuple
) -> tuple[Any, Callable[..., Any] | None, tuple]:
    """``(stream, check, (X, y, sample_weight))``: fit's ``data`` as a :mod:`glassnet.stream`
    source where it is larger than memory (a CSV or Parquet path, a memmap, chunks), its
    first chunk read and checked in place of ``X, y, sample_weight`` and ``check`` the
    check of each chunk to come; ``(None, None, data)`` for arrays. A file's target is read
    as class labels for cross-entropy; for binary cross-entropy its type decides (0.1/0.9:
    soft targets). A stream is refused without a ``batch`` size or with a validation split
    asked of it (``held``: fit's validation_split, early_stopping and validation_data)."""
    name = spec.name if spec else ""
    labels = True if name == "cross_entropy" else (None if "entropy" in name else False)
    src = stream_mod.as_stream(*data, labels=labels)
    if src is None:
        return None, None, data

    def check(*c: Any) -> Any:
        return tasks.check_data(model, spec, *c, "fit", whole=False, labels=takes, loss=loss)

    validation_split, early_stopping, validation_data = held
    split = validation_split > 0 or (early_stopping and not validation_data)
    return src, check, src.first(check, batch, split, epochs)


def diverged(d: engines.Diverged, loop: Any, optimizer: Any, whole: list, spec: Any) -> str:
    """The message of fit's DivergenceError for the non-finite loss ``d``, each parameter
    of ``whole`` (``(parameter, its last known finite weights)``) put back to them where
    a weight is no longer finite (always after a captured step, which sees a loss after
    the steps that followed it)."""
    params = [p for p, _ in whole]
    captured = loop is not None and loop.engine == "captured"
    finite = not captured and all(np.isfinite(p.data).all() for p in params)
    why = tasks.divergence_reason(d.step, d.epoch, d.value, optimizer, params, spec)
    for p, v in whole if not finite else ():
        p.data[...] = v
    return engines.diverged_message(why, finite)


def warn_interrupted(history: Any) -> None:
    """The notebook's Stop button (Ctrl-C): said at every verbose, as scikit-learn's MLP
    says it, so ``fit(); save_model(...)`` in one cell does not save a half-trained model
    unnoticed (the command line filters it out and says it in its own words: the signal,
    the checkpoint). The warning names the caller's ``fit`` line (distributed.run's too)."""
    if history.stop_reason == "interrupted":
        warnings.warn(interrupted_warning(history), UserWarning, stacklevel=user_level())


def replay_orders(
    rng: Any, seed: Any, initial_epoch: int, n: int, shuffled: bool, src: Any
) -> None:
    """A run resumed at ``initial_epoch`` with an int ``seed`` (whose epochs each draw an
    order of n rows from ``rng``: ``shuffled``) draws and drops the orders of the epochs done
    first, so its batches are those of the run unbroken; a stream's draws (``src``) are not
    known ahead: a warning says so."""
    if not (initial_epoch and shuffled and isinstance(seed, (int, np.integer))):
        return
    if src is not None:
        stream_mod.warn_resumed(seed, initial_epoch)
    for _ in range(initial_epoch) if src is None else ():
        rng.permutation(n)
