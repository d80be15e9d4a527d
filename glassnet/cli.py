"""glassnet's command line: train on a CSV file, save a model, predict, evaluate, explain.

::

    glassnet demo                                    # the lecture's XNOR network, trained live
    glassnet train data.csv --target label           # -> model.glassnet
    glassnet predict model.glassnet new.csv --out preds.csv
    glassnet evaluate model.glassnet test.csv
    glassnet explain model.glassnet --row 3 test.csv
    glassnet info model.glassnet

Every subcommand has ``--help``; ``docs/cli.md`` walks through a session.

How ``train`` works
-------------------
1) Read the data (:func:`glassnet.datasets.read_csv`, or a named data set) and
   split off a test set (``--test-split``, stratified for classification).
2) Fit a :class:`~glassnet.preprocessing.Preprocessor` on the training rows:
   numeric columns standardized ``z = (x - mean) / scale`` (unless
   ``--no-standardize``), categorical columns one-hot encoded. Class labels are
   encoded ``0 .. C-1`` (:class:`~glassnet.preprocessing.LabelEncoder`);
   regression targets are standardized too and mapped back at prediction time.
3) Build ``task.build_model(n_inputs, hidden, activation)``: an MLP
   ``[n_inputs, *hidden, n_outputs]`` with the task's output layer and loss.
4) Train one epoch at a time with :func:`glassnet.fit`. Epoch ``e`` draws its
   batches from ``numpy.random.default_rng([seed, 0, e])``, so the order of every
   epoch depends only on the seed and the epoch number: a run stopped after a
   checkpoint and resumed with ``--resume`` ends with bit-identical weights to a
   run that was never stopped. Early stopping is done here (not by ``fit``) so its
   state (best validation loss, patience counter, best weights) is checkpointed too.
5) Score the test set, then write the model file (:func:`glassnet.io.save_model`):
   the weights, plus a JSON description holding the task, the label names, the
   fitted preprocessing, the training settings, the history and the test scores.

``predict``, ``evaluate`` and ``explain`` apply the stored preprocessing to a new
CSV file, so the file needs the same feature columns (in any order).

Exit codes: 0 success, 1 training diverged / out of memory / a missing optional
package / an internal error, 2 a usage or data error (or work refused beforehand as
needing more memory than may be used), 3 ``exercise check``'s answers not all right, 130
interrupted (Ctrl-C), 143 SIGTERM (129 SIGHUP; train saves its weights so far). Errors print
one line ``glassnet: error: ...`` on stderr; ``--debug`` prints the traceback before it
(the exit status is the same; a bug in glassnet is Python's own traceback).
Notes and warnings (``glassnet: note: ...``, ``glassnet: warning: ...``) follow a
command that succeeds. Everything printed has its non-printable characters escaped.

No command destroys a file it reads: an output that is the same file as an input,
the checkpoint or another output (links followed) is refused, and an existing file
of another kind is replaced only with ``--force`` (:func:`_guard_paths`).
"""

from __future__ import annotations

import argparse
import ast
import contextlib
import csv
import difflib
import gzip
import hashlib
import importlib.util
import io as _io
import json
import math
import os
import re
import shlex
import shutil
import sys
import tempfile
import textwrap
import time
import traceback
import unicodedata
import warnings
import zlib
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TextIO

import numpy as np

from . import _startup
from . import distributed as _distributed
from . import functional as F
from . import io as _model_io
from . import optim as _optim
from ._validation import ParameterError, bytes_text, check_memory, check_number, memory_limit
from .datasets import (
    DATASETS,
    MISSING_TOKENS,
    CSVMemoryError,
    Table,
    check_header,
    dot_thousands_text,
    headerless,
    iconv_command,
    load_dataset,
    missing_tokens,
    read_pipe,
    sniff_delimiter,
    trailing_fields_text,
    utf8_text,
)
from .datasets import read_csv as _read_csv_file
from .files import (
    NOT_CSV,
    NOT_MODEL,
    NOT_ONNX,
    WriteError,
    atomic_write,
    misnamed,
    probe_directory,
    same_file,
    unreplaced_home,
)
from .interrupts import OwnInterrupt
from .io import (
    CLI_MODEL_FORMAT,
    CLI_MODEL_FORMAT_VERSION,
    LABEL_WORDS,
    Checkpoint,
    ModelFileError,
    file_kind,
    load_arrays,
    load_checkpoint,
    load_file,
    load_model,
    load_pipeline,
    read_only,
    save_checkpoint,
    save_model,
)
from .metrics import r2_per_output
from .preprocessing import (
    FAR_OUTSIDE,
    LONGEST_SHOWN,
    LabelEncoder,
    Preprocessor,
    StandardScaler,
    abridge,
    differ_points,
    first_beyond,
    invisible_characters,
    loose_spelling,
    loose_text,
    number_written_otherwise,
    train_test_split,
    visible_text,
)
from .progress import Progress, dumb_terminal
from .saving import ModelCheckpoint
from .stream import (
    FORMATTED_NUMBER,
    MISSING_WORDS,
    as_point,
    check_decimal,
    formatted_form,
    long_label_runs,
    not_gzip,
    number_value,
    numbers_majority,
    people_numbers,
    plain_example,
    sheet_errors,
    single_text,
)
from .stream import gzipped as _gzip_named
from .tasks import Task, get_task, infer_task
from .tensor import no_grad
from .train import Callback, DivergenceError, EarlyStopping, History, TrainState, fit

__all__ = [
    "MODEL_FORMAT",
    "MODEL_FORMAT_VERSION",
    "build_parser",
    "classification_metrics",
    "main",
    "multilabel_metrics",
    "regression_metrics",
]

#: ``"format"`` and ``"format_version"`` of the JSON description ``glassnet train`` writes.
MODEL_FORMAT = CLI_MODEL_FORMAT
MODEL_FORMAT_VERSION = CLI_MODEL_FORMAT_VERSION
CHECKPOINT_FORMAT = "glassnet-cli-checkpoint"

#: ``train`` warns about a text feature column with more distinct values than this share
#: of the rows (and more than MIN_CATEGORIES_WARNED): an ID or free text, most likely.
MAX_CATEGORIES_SHARE = 0.5
MIN_CATEGORIES_WARNED = 20

#: A numeric target with integer values is read as class labels when it has at most
#: this many distinct values, else as a regression target (``--task`` overrides).
MAX_INFERRED_CLASSES = 20

_TASK_CHOICES = (
    "auto", "binary", "multiclass", "regression", "multioutput_regression", "multilabel",
)  # fmt: skip
_ACTIVATION_CHOICES = tuple(sorted(n for n in F.ACTIVATIONS if n != "softmax"))
_OPTIMIZER_CHOICES = tuple(sorted(_optim.OPTIMIZERS))
# the adaptive optimizers default to 0.01; Adadelta's rate multiplies an update already
# scaled to the weights, so 1.0, PyTorch's default (at 0.01 it barely moves)
_DEFAULT_LR = {"sgd": 0.1, "gd": 0.1, "adadelta": 1.0}
_BEST = "best:"  # prefix of the early-stopping best weights in a checkpoint


class CLIError(Exception):
    """A user-facing error: printed as one line, exit status ``code`` (2: usage or data)."""

    def __init__(self, message: str, code: int = 2) -> None:
        super().__init__(message)
        self.code = code


# ======================================================================== formatting


def _oneline(text: str) -> str:
    return " ".join(str(text).split())


def _esc(text: Any) -> str:
    """``text`` with every non-printable character escaped (``\\x1b``, ``\\n``,
    ``\\u202e``, ...): nothing read from a file reaches the terminal as a control code."""
    s = str(text)
    if s.isprintable():
        return s
    return "".join(c if c.isprintable() else repr(c)[1:-1] for c in s)


def _q(text: Any) -> str:
    """``text`` quoted as ``repr`` quotes a str, each non-printable character escaped once
    (``'1\\xa0000'``; ``_esc(text)!r`` escaped the escapes again: ``'1\\\\xa0000'``)."""
    return repr(str(text))


def _shown(text: Any, differ_at: int = 0) -> str:
    """``text`` escaped (:func:`_esc`), or for a long one (a free-text cell as a class or a
    category) its first and last characters and its length: "qqq...qqq (5,000 characters)";
    with ``differ_at`` also where it first differs from the texts shown beside it."""
    s = _esc(text)
    if len(s) <= LONGEST_SHOWN:
        return s
    return abridge(s, differ_at, len(str(text)))


def _shown_apart(texts: Sequence[Any]) -> list[str]:
    """:func:`_shown` of each of ``texts`` (shown together: classes), a long one abridged so
    as to show where it first differs from the others (URLs differing in the middle)."""
    escaped = [_esc(t) for t in texts]
    return [_shown(t, p) for t, p in zip(texts, differ_points(escaped))]


#: A quoted value in a message (the opening quote after no letter, the closing one before
#: none), or a run of text without blanks or commas, of 200 characters or more: a cell's.
_LONG_IN_MESSAGE = re.compile(
    r"(?<!\w)'[^'\n]{200,}'(?!\w)|(?<!\w)\"[^\"\n]{200,}\"(?!\w)|[^\s'\",;]{200,}"
)

#: The texts of this run's command line (its paths, its names): a message shows them whole,
#: as the user must recognize and fix what they typed; and a command a message prints to
#: paste (:func:`_whole`).
_USER_TEXTS: set[str] = set()


def _whole(word: str) -> str:
    """``word`` (a quoted --drop to paste) shown whole by :func:`_abridged`: an abridged one
    cannot be pasted."""
    _USER_TEXTS.add(word)
    return word


def _abridged(message: str) -> str:
    """``message`` with each long quoted value or blank-less run (a free-text cell, the
    file's long header) shown by its start and end and its length, so that an error or a
    warning stays a line a user reads; long values of one message that share their start
    (URLs) show where each differs, and the user's own arguments (a long path) stay whole."""
    found = list(_LONG_IN_MESSAGE.finditer(message))
    if not found:
        return message
    users = [u for u in _USER_TEXTS if len(u) >= 200]

    def inner(m: re.Match[str]) -> str:
        text = m.group(0)
        return text[1:-1] if text[0] in "'\"" and text[-1] == text[0] else text

    points = differ_points([inner(m) for m in found])
    out, at = [], 0
    for m, p in zip(found, points):
        text, value = m.group(0), inner(m)
        out.append(message[at : m.start()])
        at = m.end()
        if any(u in value or value in u for u in users):  # (a path the user gave: whole)
            out.append(text)
            continue
        quote = text[0] if value != text else ""
        out.append(f"{quote}{abridge(value, p)}{quote} ({len(value):,} characters)")
    out.append(message[at:])
    return "".join(out)


def _num(v: float, digits: int = 4) -> str:
    """A number for a report: ``digits`` significant digits, 'n/a' for None/NaN; a negative
    zero (a dead ReLU's gradient, 0 times a negative number) reads 0."""
    if v is None or (isinstance(v, float) and math.isnan(v)):
        return "n/a"
    return f"{float(v) + 0.0:.{digits}g}"  # (-0.0 + 0.0 is 0.0)


def _display_width(text: str) -> int:
    """The columns ``text`` takes on a terminal: 2 for a wide (CJK, emoji) character, 0 for
    a combining one, 1 for any other."""
    return sum(
        0 if unicodedata.combining(ch) else 2 if unicodedata.east_asian_width(ch) in "WF" else 1
        for ch in text
    )


def _render(rows: Sequence[Sequence[str]], align: str, indent: str = "  ") -> list[str]:
    """Rows of cells as aligned text lines; ``align`` holds 'l', 'r' or 'c' per column."""
    enc = getattr(sys.stdout, "encoding", None) or "utf-8"  # (measured as printed: \xe9)
    rows = [[_esc(c).encode(enc, "backslashreplace").decode(enc) for c in r] for r in rows]
    widths = [max(_display_width(r[i]) for r in rows) for i in range(len(align))]
    out = []
    for r in rows:
        cells = []
        for c, w, a in zip(r, widths, align):  # (padded by display width: 中文 takes 4)
            n = w - _display_width(c)
            left = n if a == "r" else n // 2 if a == "c" else 0
            cells.append(" " * left + c + " " * (n - left))
        out.append((indent + "  ".join(cells)).rstrip())
    return out


class _Style:
    """Bold/green/red for a terminal: off when not a TTY, on a dumb terminal (``TERM=dumb``)
    and when NO_COLOR is set to a text that is not empty (no-color.org)."""

    def __init__(self, stream: TextIO) -> None:
        isatty = getattr(stream, "isatty", lambda: False)
        self.on = bool(isatty()) and not os.environ.get("NO_COLOR") and not dumb_terminal()

    def _wrap(self, code: str, text: str) -> str:
        return f"\x1b[{code}m{text}\x1b[0m" if self.on else text

    def bold(self, text: str) -> str:
        return self._wrap("1", text)

    def good(self, text: str) -> str:
        return self._wrap("32", text)

    def bad(self, text: str) -> str:
        return self._wrap("31", text)

    def dim(self, text: str) -> str:
        return self._wrap("2", text)


# ======================================================================== metrics


def classification_metrics(
    y_true: np.ndarray, y_pred: np.ndarray, n_classes: int, *, confusion_max: int | None = None
) -> dict[str, Any]:
    """Accuracy, per-class precision/recall/F1, their macro averages and the confusion matrix.

    With ``C[i, j]`` the number of rows of true class ``i`` predicted as ``j``::

        precision_j = C[j, j] / sum_i C[i, j]     (of the rows predicted j, the right ones)
        recall_j    = C[j, j] / sum_k C[j, k]     (of the rows of class j, the ones found)
        F1_j        = 2 precision_j recall_j / (precision_j + recall_j)
        accuracy    = trace(C) / N

    A ratio with a zero denominator counts as 0. The macro averages are the plain
    means over the classes that occur in ``y_true`` or ``y_pred``.

    Parameters
    ----------
    y_true, y_pred : int arrays of shape (N,), class indices ``0 .. n_classes - 1``
    n_classes : int
    confusion_max : int, optional
        With more classes than this, the ``n_classes`` x ``n_classes`` matrix is neither
        built nor returned: ``confusion_left_out`` (:func:`_left_out`) says so and lists
        the largest confusions (what a model file keeps: :data:`CONFUSION_STORED_MAX`).

    Returns
    -------
    dict
        ``accuracy``, ``precision``, ``recall``, ``f1``, ``support`` (lists of
        length ``n_classes``), ``macro_precision``, ``macro_recall``, ``macro_f1``
        and ``confusion`` (``n_classes`` lists of ``n_classes`` ints).

    >>> m = classification_metrics(np.array([0, 0, 1, 1]), np.array([0, 1, 1, 1]), 2)
    >>> m["accuracy"], m["precision"], m["recall"], m["confusion"]
    (0.75, [1.0, 0.6666666666666666], [0.5, 1.0], [[1, 1], [0, 2]])
    """
    t = np.asarray(y_true, dtype=np.int64).reshape(-1)
    p = np.asarray(y_pred, dtype=np.int64).reshape(-1)
    if confusion_max is not None and n_classes > confusion_max:
        wrong = t != p
        pairs = dict(zip(*(v.tolist() for v in np.unique(
            t[wrong] * n_classes + p[wrong], return_counts=True))))  # fmt: skip
        tp = np.bincount(t[~wrong], minlength=n_classes).astype(np.float64)  # (C,)
        predicted = np.bincount(p, minlength=n_classes).astype(np.float64)  # (C,)
        support = np.bincount(t, minlength=n_classes).astype(np.float64)  # (C,)
        left = _Confusions(pairs, predicted.astype(np.int64))
        return {**_class_scores(tp, predicted, support), "confusion_left_out": left}
    cm = np.zeros((n_classes, n_classes), dtype=np.int64)  # (C, C): rows true, columns predicted
    np.add.at(cm, (t, p), 1)
    return _confusion_metrics(cm)


#: The most classes whose test-set confusion matrix (classes x classes counts) a model
#: file of ``glassnet train`` stores in its description: above it the file keeps each
#: class's scores and the :data:`TOP_CONFUSIONS` largest confusions, and says so in
#: ``test_metrics.confusion_left_out`` (a matrix of 1,500 classes made the file unsaveable).
CONFUSION_STORED_MAX = 100
#: The most classes whose confusion matrix ``evaluate`` prints (a table as many columns
#: wide); above it, the largest confusions, and ``--json`` holds the whole matrix.
CONFUSION_PRINTED_MAX = 20
#: How many of the largest off-diagonal cells stand in for a confusion matrix left out.
TOP_CONFUSIONS = 20


class _Confusions(Counter[int]):
    """The confusion matrix left out (``confusion_left_out`` of :func:`classification_metrics`
    with ``confusion_max``): the count of each off-diagonal cell that is not 0, keyed by
    true * C + predicted class index, and ``predicted`` (C,), the rows predicted as each class."""

    def __init__(self, pairs: Mapping[int, int], predicted: np.ndarray) -> None:
        super().__init__(pairs)
        self.predicted = predicted


def _class_scores(tp: np.ndarray, predicted: np.ndarray, support: np.ndarray) -> dict[str, Any]:
    """:func:`classification_metrics`' scores (all but the matrix) from each class's right
    rows ``tp``, rows predicted as it and rows of it, each (C,)."""
    precision = np.divide(tp, predicted, out=np.zeros_like(tp), where=predicted > 0)
    recall = np.divide(tp, support, out=np.zeros_like(tp), where=support > 0)
    denom = precision + recall
    f1 = np.divide(2 * precision * recall, denom, out=np.zeros_like(tp), where=denom > 0)
    present = (support > 0) | (predicted > 0)
    if not present.any():
        present[:] = True
    return {
        "accuracy": float(tp.sum() / max(int(support.sum()), 1)),
        "precision": precision.tolist(),
        "recall": recall.tolist(),
        "f1": f1.tolist(),
        "support": support.astype(np.int64).tolist(),
        "macro_precision": float(precision[present].mean()),
        "macro_recall": float(recall[present].mean()),
        "macro_f1": float(f1[present].mean()),
    }


def _top_confusions(pairs: Mapping[int, int], classes: Sequence[Any], k: int) -> list[Any]:
    """The ``k`` largest confusions of ``pairs`` (true * C + predicted class index: rows),
    largest first (ties: in the classes' order), as ``{"true", "predicted", "rows"}``."""
    c = len(classes)
    top = sorted(pairs.items(), key=lambda kv: (-kv[1], kv[0]))[:k]
    return [
        {"true": classes[code // c], "predicted": classes[code % c], "rows": int(n)}
        for code, n in top
    ]


def _check_file_fits(
    args: argparse.Namespace, pre: Any, classes: Sequence[Any] | None, model: Any, lists: int
) -> None:
    """Refuse, before training, a run whose model file glassnet would refuse to write
    after it (a header of more than ``glassnet.io.MAX_JSON_ITEMS`` JSON items or
    ``MAX_HEADER_BYTES`` bytes): what grows with the data and the flags is each class's
    name and test scores (the confusion matrix is left out above
    :data:`CONFUSION_STORED_MAX` classes), the preprocessing's categories and names, and
    ``lists`` numbers per epoch in the history. The estimate is generous (24 characters a
    number), so a refusal here is a file that would fail."""
    names = [str(c) for c in classes or ()]
    k = len(names)
    pre_text = json.dumps(pre.to_dict()) + json.dumps(list(pre.feature_names_out))
    cells = k * k if k <= CONFUSION_STORED_MAX else 4 * TOP_CONFUSIONS  # (the matrix kept)
    parts = {  # (JSON items, characters) of each part that grows
        "classes": (5 * k + cells,
                    sum(len(json.dumps(c)) + 1 for c in names) + 24 * (4 * k + cells)),
        "epochs": (lists * args.epochs, 24 * lists * args.epochs),
        "inputs": (sum(pre_text.count(c) for c in ",:[{"), len(pre_text)),
    }  # fmt: skip
    arrays = len(model.state_dict())
    items = sum(i for i, _ in parts.values()) + 16 * arrays + 1000
    chars = int(1.2 * sum(c for _, c in parts.values())) + 200 * arrays + 50_000  # (\" escapes)
    most_items, most_bytes = _model_io.MAX_JSON_ITEMS, _model_io.MAX_HEADER_BYTES
    if items <= most_items and chars <= most_bytes:
        return
    part = max(parts, key=lambda name: parts[name][0] / most_items + parts[name][1] / most_bytes)
    size = (
        f"about {items:,} JSON items, more than the {most_items:,} glassnet reads back"
        if items > most_items
        else f"about {bytes_text(chars)} of description, more than the "
        f"{most_bytes // 10**6} MB a safetensors header holds"
    )
    why = f"the model file would hold {size}, so it could not be saved after training"
    if part == "classes":
        target = ", ".join(_split_names(args.target)) if args.target else "the target"
        raise CLIError(
            f"the target {_q(target)} has {k:,} classes: {why} (each class's name and test "
            f"scores are stored); a target of that many distinct values is more often an "
            f"identifier or free text than classes: name the column to predict with --target, "
            f"or group its values into fewer classes"
        )
    if part == "epochs":
        fewer = max(1, (most_items - (items - parts["epochs"][0])) // max(lists, 1))
        fewer = min(fewer, max(1, math.floor((most_bytes - chars) / (29 * lists)) + args.epochs))
        if getattr(args, "early_stopping", False) and fewer < args.epochs:
            _warn(  # (a run early stopping ends: not refused, its epochs capped to the file's)
                f"--epochs {args.epochs:,}: the model file holds the history of at most "
                f"{fewer:,} epochs ({lists} number(s) each), so the run stops there if early "
                f"stopping has not ended it before"
            )
            args.epochs = fewer
            return _check_file_fits(args, pre, classes, model, lists)
        raise CLIError(
            f"--epochs {args.epochs}: {why} (the history keeps {lists} number(s) per epoch): "
            f"give --epochs {fewer:,} or fewer"
        )
    raise CLIError(
        f"the {pre.n_features_out:,} inputs of the feature columns (a text column's every "
        f"distinct value is an input, its name stored): {why}; leave the columns of many "
        f"distinct values (an ID, free text) out with --drop COL, or keep them in the "
        f"predictions with --id COL"
    )


def _say_left_out(say: Callable[[str], None], m: dict[str, Any]) -> None:
    """train's line under the test scores when the confusion matrix is left out of the file."""
    if "confusion_left_out" in m:
        k = len(m["support"])
        say(
            f"          the {k} x {k} confusion matrix is not stored (more than "
            f"{CONFUSION_STORED_MAX} classes): the file keeps each class's scores and the "
            f"{TOP_CONFUSIONS} largest confusions (test_metrics.confusion_left_out); "
            f"'glassnet evaluate MODEL DATA --json' gives a file's whole matrix"
        )


def _stored_metrics(m: dict[str, Any] | None, classes: Sequence[Any] | None) -> Any:
    """The test metrics ``m`` as a model file stores them: a matrix of more than
    :data:`CONFUSION_STORED_MAX` classes (``m["confusion_left_out"]``, the confusions'
    counts) replaced by a note of what was left out and the largest confusions."""
    if m is None or "confusion_left_out" not in m or classes is None:
        return _finite_or_none(m)
    pairs = m.pop("confusion_left_out")
    out = _finite_or_none(m)
    out["confusion_left_out"] = _left_out(pairs, [str(c) for c in classes])
    return out


def _left_out(pairs: Mapping[int, int], classes: Sequence[str]) -> dict[str, Any]:
    """``test_metrics.confusion_left_out`` of a model file: why the matrix is not stored,
    and its :data:`TOP_CONFUSIONS` largest off-diagonal cells."""
    return {
        "classes": len(classes),
        "stored_up_to": CONFUSION_STORED_MAX,
        "why": (
            f"a confusion matrix of {len(classes)} x {len(classes)} counts is stored only "
            f"up to {CONFUSION_STORED_MAX} classes; each class's scores are kept, and "
            f"'top_confusions' lists the {TOP_CONFUSIONS} largest counts of rows of one class "
            f"predicted as another; 'glassnet evaluate MODEL DATA --json' gives the whole "
            f"matrix of a file's rows"
        ),
        "top_confusions": _top_confusions(pairs, classes, TOP_CONFUSIONS),
    }


def _label_scores(per: list[dict[str, Any]]) -> dict[str, list[Any]]:
    """Each label's accuracy, precision, recall, F1 and positives, from its 2-class
    ``classification_metrics`` (``per``, one per label): multilabel_metrics' lists."""
    return {
        "accuracy": [m["accuracy"] for m in per],
        "precision": [m["precision"][1] for m in per],
        "recall": [m["recall"][1] for m in per],
        "f1": [m["f1"][1] for m in per],
        "positives": [m["support"][1] for m in per],
    }


def multilabel_metrics(y_true: np.ndarray, y_pred: np.ndarray) -> dict[str, Any]:
    """A multi-label model's scores; ``y_true``, ``y_pred``: (N, K) 0/1, one column a label.

    Per label its ``accuracy`` and the ``precision``, ``recall`` and ``f1`` of its positive
    value, and ``positives`` (its true positives' count, the support); ``hamming_score``
    the mean of the label accuracies (the share of all N * K labels right), and
    ``subset_accuracy`` the share of rows with every label right.

    >>> m = multilabel_metrics(np.array([[1, 0], [0, 1]]), np.array([[1, 1], [0, 1]]))
    >>> m["accuracy"], m["hamming_score"], m["subset_accuracy"]
    ([1.0, 0.5], 0.75, 0.5)
    """
    t = np.asarray(y_true, dtype=np.int64)
    p = np.asarray(y_pred, dtype=np.int64)
    per = [classification_metrics(t[:, k], p[:, k], 2) for k in range(t.shape[1])]
    return {
        **_label_scores(per),
        "hamming_score": float(np.mean(t == p)) if t.size else 0.0,
        "subset_accuracy": float(np.mean(np.all(t == p, axis=1))) if len(t) else 0.0,
    }


def regression_metrics(y_true: np.ndarray, y_pred: np.ndarray) -> dict[str, list[float | None]]:
    """MSE, MAE and R^2 for each output column.

    For output ``k`` over ``N`` rows::

        MSE_k = 1/N sum_i (y_ik - y_hat_ik)^2
        MAE_k = 1/N sum_i |y_ik - y_hat_ik|
        R^2_k = 1 - sum_i (y_ik - y_hat_ik)^2 / sum_i (y_ik - mean_k)^2

    R^2 is None (undefined) for a constant column.

    Parameters
    ----------
    y_true, y_pred : arrays of shape (N,) or (N, K)

    Returns
    -------
    dict
        ``mse``, ``mae``, ``r2``: lists of length ``K``.

    >>> regression_metrics(np.array([1.0, 2.0, 3.0]), np.array([1.0, 2.0, 4.0]))
    {'mse': [0.3333333333333333], 'mae': [0.3333333333333333], 'r2': [0.5]}
    """
    yt = np.asarray(y_true, dtype=np.float64)
    yt = yt.reshape(len(yt), -1)  # (N, K)
    yp = np.asarray(y_pred, dtype=np.float64).reshape(yt.shape)  # (N, K)
    err = yp - yt
    mse = (err**2).mean(axis=0)  # (K,)
    mae = np.abs(err).mean(axis=0)  # (K,)
    r2: list[float | None] = [None if np.isnan(v) else float(v) for v in r2_per_output(yt, yp)]
    return {"mse": mse.tolist(), "mae": mae.tolist(), "r2": r2}


# ======================================================================== files


def _check_writable(path: Path, what: str, given: str | None = None) -> None:
    """Refuse, before any work is done, an output path that cannot be written. ``given``: the
    path as typed (a trailing '/', which ``Path`` drops, names a directory)."""
    if path.is_dir():
        raise CLIError(f"cannot write the {what} '{path}': it is a directory; give a file name")
    if given is not None and given.endswith(("/", os.sep)):
        raise CLIError(
            f"cannot write the {what} '{given}': the path ends in '/', so it names a directory, "
            f"which does not exist; give a file name (or create the directory and put the file "
            f"in it)"
        )
    parent = path.parent
    home = None if parent.is_dir() else unreplaced_home(path)
    if home:
        raise CLIError(
            f"cannot write the {what} '{path}': its '~' was not replaced by your home folder "
            f"(a shell does not, after '='); give the path as '{home[1]}', or write the option "
            f"and the path apart (--out ~/...)"
        )
    if parent.exists() and not parent.is_dir():
        raise CLIError(
            f"cannot write the {what} '{path}': '{parent}' is a file, not a directory; choose "
            f"another path"
        )
    if not parent.is_dir():
        raise CLIError(
            f"cannot write the {what} '{path}': the directory '{parent}' does not exist; "
            f"create it first or choose another path"
        )
    if not os.access(parent, os.W_OK | os.X_OK):
        raise CLIError(
            f"cannot write the {what} '{path}': the directory '{parent}' is read-only; choose "
            f"a path in a directory you can write to"
        )
    in_place = path.exists() and not path.is_file()  # (a device or a pipe: written in place)
    try:  # (root may write anywhere, but not in /proc: a file made there says so, now)
        if not in_place:
            probe_directory(parent)  # (by its descriptor: a path near PATH_MAX too)
    except OSError as exc:
        raise CLIError(
            f"cannot write the {what} '{path}': cannot create a file in '{parent}' "
            f"({exc.strerror or _oneline(str(exc))}); choose a path in a directory you can "
            f"write to"
        ) from None
    if read_only(path):  # (its mode bits too: root may write any file, but was told not to)
        raise CLIError(
            f"cannot write the {what} '{path}': the file is read-only, so it is left as it "
            f"is (--force does not replace it); make it writable first (chmod u+w '{path}') "
            f"to replace it, or choose another path"
        )
    if in_place:
        _hold_pipe(path, what)


#: The named pipes (FIFOs) that :func:`_check_writable` found a reader on, held open for
#: writing until the command ends (:func:`_pipes_held`): a reader sees the end of its input
#: when the last writer closes, so closing the check's descriptor at once would end it
#: before the file is written.
_HELD_PIPES: list[Any] = []


def _hold_pipe(path: Path, what: str) -> None:
    """Refuse, before any work, a named pipe at ``path`` that no program reads (writing
    would wait for ever, after the work), and a checkpoint onto any pipe; hold a pipe with
    a reader open for writing until the command ends (:data:`_HELD_PIPES`)."""
    import stat

    from .files import open_in_place

    try:
        mode = os.stat(path).st_mode
    except OSError:  # (gone since: the write says what it finds then)
        return
    if not stat.S_ISFIFO(mode):
        return
    if what == "checkpoint":
        raise CLIError(
            f"cannot write the checkpoint '{path}': it is a named pipe (FIFO), and a "
            f"checkpoint is a file written anew at every --checkpoint-every and read back by "
            f"--resume, which a pipe cannot hold; give a file path"
        )
    try:
        _HELD_PIPES.append(open_in_place(path))
    except WriteError as exc:
        message = str(exc).replace(f"cannot write '{path}'", f"cannot write the {what} '{path}'", 1)
        raise CLIError(message.replace("and write again", "and run the command again")) from None


@contextlib.contextmanager
def _pipes_held() -> Iterator[None]:
    """Close the pipes :func:`_hold_pipe` held open once the command ends (their readers
    then see the end of the file)."""
    try:
        yield
    finally:
        while _HELD_PIPES:
            with contextlib.suppress(OSError):
                _HELD_PIPES.pop().close()
        _release_locks()


#: What may already be at an output path of each kind without --force ("empty": 0 bytes).
_REPLACEABLE = {"model": ("empty", "model"), "checkpoint": ("empty", "checkpoint"),
                "csv": ("empty", "text"), "onnx": ("empty", "onnx")}  # fmt: skip
_KIND_NAMES = {
    "model": "a glassnet model file", "checkpoint": "a glassnet checkpoint",
    "arrays": "a glassnet arrays file", "safetensors": "a safetensors file",
    "text": "a text (CSV) file", "binary": "a binary file", "csv": "a CSV file",
    "onnx": "an ONNX file",
}  # fmt: skip


def _is_onnx(path: Path) -> bool:
    """Whether ``path`` holds an ONNX model (which an export may replace)."""
    try:
        import onnx

        proto = onnx.load(str(path), load_external_data=False)
    except Exception:  # (not ONNX: protobuf's DecodeError and the like, or no onnx)
        return False
    return proto.ir_version > 0 and len(proto.opset_import) > 0


def _guard_paths(
    reads: Sequence[tuple[str, Path]], writes: Sequence[tuple[str, Path, str]], force: bool
) -> None:
    """Refuse, before any work is done, the outputs that would destroy a file.

    ``reads``: (what, path) of every input; ``writes``: (flag, path, kind) of every
    output, kind ``"model"``, ``"checkpoint"``, ``"csv"`` or ``"onnx"``. An output that is the same
    file as an input or as another output (symbolic and hard links followed: the same
    device and inode) is always refused; an existing output of another kind than the
    one written (a model over a CSV file, a CSV file over a model) unless ``force``.
    """
    for i, (flag, path, kind) in enumerate(writes):
        for what, source in reads:
            if same_file(path, source):
                raise CLIError(
                    f"{flag} '{path}' is the same file as the {what} '{source}': writing it "
                    f"would destroy the {what}; choose another path for {flag}"
                )
        for other_flag, other, _ in writes[:i]:
            if same_file(path, other):
                raise CLIError(
                    f"{flag} '{path}' is the same file as {other_flag} '{other}': one would "
                    f"overwrite the other; give them different paths"
                )
        if force or not path.is_file():
            continue
        try:
            found = file_kind(path)
        except OSError:
            continue  # _check_writable or the write itself says what is wrong
        if kind == "onnx" and found in ("text", "binary") and _is_onnx(path):
            found = "onnx"
        if found not in _REPLACEABLE[kind]:
            raise CLIError(
                f"{flag} '{path}' exists and is {_KIND_NAMES[found]}, not "
                f"{_KIND_NAMES[kind]}: writing would replace it; choose another path, or pass "
                f"--force to replace it"
            )


def _peek_header(
    path: Path, delimiter: str | None, decimal: str = ".", raw: bool = False
) -> list[str] | None:
    """The column names of a CSV file (its first non-blank row), or None if unreadable.

    Read as :func:`read_csv` reads them: after a spreadsheet's ``sep=;`` first line (whose
    delimiter it takes), and without the unnamed columns that a delimiter ending every
    line leaves. Reads the file only up to the end of that row (however wide it is). The
    decimal mark ``decimal`` (--decimal) is no delimiter, as read_csv sniffs it. ``raw``:
    the names as written, with the blanks around them."""
    try:
        with open(path, "rb") as f:
            head = f.read(65536)
        if b"\x00" in head:
            return None  # binary: read_csv says so
        try:
            sample = head.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            if exc.start < len(head) - 3:
                return None  # not UTF-8: read_csv says so
            sample = head[: exc.start].decode("utf-8-sig")  # a character cut at the chunk's end
        hint = re.match(r"[ \t]*sep=(.)[ \t]*(?:\r\n|\r|\n)", sample, flags=re.IGNORECASE)
        if hint:
            delimiter = delimiter or hint.group(1)
        if delimiter is None:
            delimiter = sniff_delimiter(sample, decimal, path)
            if delimiter is None:
                return None  # (the decimal mark is the delimiter: read_csv says so)
        with open(path, encoding="utf-8-sig", newline="") as text:
            if hint:
                text.readline()  # the "sep=" line
            for row in csv.reader(text, delimiter=delimiter):
                if row and any(c.strip() for c in row):
                    header = [c.strip() for c in row]
                    while len(header) > 1 and not header[-1]:
                        header.pop()  # unnamed columns after the last name
                    return row[: len(header)] if raw else header
    except (OSError, csv.Error, UnicodeDecodeError):
        return None
    return None


def _check_delimiter(path: Path, delimiter: str | None) -> None:
    """A --delimiter that leaves the header row one column, which another delimiter
    separates (';' given for a comma-separated file), is an error saying which to give."""
    header = _peek_header(path, delimiter) if delimiter is not None else None
    if header is not None and len(header) == 1:
        other = [d for d in ",;\t|" if d != delimiter and d in header[0]]
        if other:
            raise CLIError(
                f"--delimiter {delimiter!r} splits no column of '{path}': its header row "
                f"{_esc(_short(header[0]))} is one column, which {other[0]!r} seems to "
                f"separate; give --delimiter {other[0]!r}, or leave it out to have it sniffed"
            )


#: read_csv's refusal of a column of numbers and one text; group 1: the column's repr
_MIXED = re.compile(
    r"""Column ('(?:[^'\\]|\\.)*'|"(?:[^"\\]|\\.)*") of .* holds numbers and """
    r"(?:the text |empty cells)"
)

#: read_csv's advice to read a number column with texts such as 'abc' as categories; group 1:
#: the column's repr
_CODES = re.compile(r"pass categorical=\[('(?:[^'\\]|\\.)*'|\"(?:[^\"\\]|\\.)*\")\]")

#: read_csv's refusal of a text cell in a number column, up to its advice; group 1: the
#: cell's repr
_WRITTEN = re.compile(
    r"""Non-numeric value ('(?:[^'\\]|\\.)*'|"(?:[^"\\]|\\.)*") at .*?, a numeric """
    r"column(?: \(and \d+ more in this column\))?"
)


#: Characters that typography or a web page put for the '-' of a number.
_MINUS_SIGNS = "\u2212\u2013\u2012\ufe63\uff0d"


def _typographic_number(cell: str, decimal: str = ".") -> str | None:
    """What to change in ``cell`` to make it a number, when it is one but for a minus sign
    other than '-' (U+2212, an en dash) or invisible characters (a zero-width space, a
    byte-order mark); None if that is not so, or if it is a number written for people (a
    blank between thousands: :data:`FORMATTED_NUMBER`). ``decimal``: the decimal mark
    numbers are read with (--decimal)."""
    if FORMATTED_NUMBER.fullmatch(cell):
        return None
    # format characters only (Cf: a zero-width space, a byte-order mark, a soft hyphen): a
    # blank inside ("2 1", "020 7946 1048") is text, a score or a phone number, not a number
    odd = [ch for ch in cell if ch in _MINUS_SIGNS or unicodedata.category(ch) == "Cf"]
    plain = "".join("-" if ch in _MINUS_SIGNS else "" if ch in odd else ch for ch in cell)
    if not odd or number_value(plain, decimal) is None:
        return None
    named = [
        f"{unicodedata.name(ch, 'a character')} (U+{ord(ch):04X})" for ch in dict.fromkeys(odd)
    ]
    minus = [ch for ch in dict.fromkeys(odd) if ch in _MINUS_SIGNS]
    todo = "write '-' in place of the minus sign" if minus else "remove it"
    if minus and len(minus) < len(named):
        todo += " and remove the others"
    return f"{', '.join(named)}, which glassnet does not read in a number: {todo} ({plain!r})"


def read_csv(path: str | os.PathLike[str], **options: Any) -> Table:
    """:func:`glassnet.datasets.read_csv` as the command line reads a file: an unnamed first
    column that holds pandas' row index is left out (``table.index_dropped``), and a column
    of decimal commas read as text is left to the command line's own checks, which name
    --decimal and a model's columns."""
    table = _read_csv_file(
        path, pandas_index=True, decimal_commas="text", memory_hint=_MEMORY_HINT,
        dot_thousands="decimal", **options,
    )  # fmt: skip
    kept = set(options.get("categorical") or ())
    for name in table.names if table.delimiter == ";" and table.decimal == "." else ():
        problem = None if name in kept else dot_thousands_text(table, name)
        if problem is not None:  # (the evidence is never certain: a warning, as read_csv's)
            _warn(
                problem.replace("read it with decimal=','", "give --decimal ,").replace(
                    "pass dot_thousands='decimal' (read so, as written)", "ignore this warning"
                )
            )
    return table


#: What to do about a file too large to score in memory (its inputs, its outputs).
_SCORING_HINT = "predict or evaluate it with --stream, which reads a block of lines at a time"

#: What to do about a file too large to read into memory (read_csv's refusal says so).
_MEMORY_HINT = (
    "train with --stream, which reads the file a chunk at a time (predict and evaluate: "
    "--stream too; explain: give the rows in parts), or set GLASSNET_MEMORY_LIMIT higher if "
    "more memory is free"
)


def _reader_error(
    message: str,
    *,
    path: str,
    decimal: str,
    targets: Sequence[str],
    target_fix: str,
    missing: frozenset[str],
    impute: Any,
    model: str | None,
    found: Sequence[str] = (),
    empties: tuple[str, int, int, list[str] | None] | None = None,
) -> CLIError:
    """read_csv's error ``message`` for a cell, phrased for the command line (the flags for
    its parameters, a model's missing-cell texts that --missing cannot change); the
    arguments are :func:`_read_table`'s, and ``found``: the texts of the column read as
    missing now ('N/A' under the default --missing), which an example that replaces the
    default keeps; ``empties``: a column's name, its missing cells, its cells and its values
    when one or two (read_csv's ``missing_cells``), for the advice about a checkbox column
    or a nearly empty one."""
    nearly = _empty_column_advice(message, empties, targets, model)
    if nearly is not None:
        return CLIError(nearly)
    written = _WRITTEN.match(message)
    cell = ast.literal_eval(written[1]) if written is not None else None
    if cell is not None and _totals_text(cell):  # a spreadsheet's row of totals, last
        # (emptied and imputed, its sums would be trained on as a row's numbers)
        return CLIError(
            f"{written[0]}: the label of a row of totals, whose numbers are sums of the rows "
            f"above, not a row of data: delete that line from the file"
        )
    first = written is not None and re.search(r" at line 2 of .*, a numeric column$", written[0])
    unit = cell is not None and not any(ch.isdigit() for ch in cell)
    unit = unit and any(ch.isalpha() for ch in cell) and not cell.lstrip().startswith("#")
    if unit and first and cell.strip().lower() not in MISSING_WORDS and not _totals_text(cell):
        # "cm" under "height", the column's one text, in the row below the header: units
        return CLIError(
            f"{written[0]}: the column's only text, in the row below the header: a second "
            f"header row (units such as 'cm', or a description)? delete that line from the "
            f"file; else fix the value"
            + ("" if model else ", or leave the cell empty and pass --impute mean")
        )
    if cell is not None and decimal != "." and FORMATTED_NUMBER.fullmatch(cell):
        # "3.14" among "2,5" with --decimal ',': a point or a separator it does not read
        return CLIError(
            f"{written[0]}: a number that --decimal {decimal!r} does not read (a decimal "
            f"point other than {decimal!r}, a thousands separator, or a currency or percent "
            f"sign); write the column's numbers with {decimal!r} as their only mark, such "
            f"as 1234{decimal}5"
        )
    if cell is not None and FORMATTED_NUMBER.fullmatch(cell):
        # "1,304.0" among plain numbers: the advice to empty the cell and impute it
        # would throw a number away
        return CLIError(
            f"{written[0]}: a number written with {formatted_form(cell)}, which glassnet "
            f"does not read; write the column's numbers plain, such as "
            f"{plain_example(cell)}.5"
        )
    fix = _typographic_number(cell, decimal) if cell is not None else None
    if fix is not None:  # "−0.5" (a minus sign, U+2212): as plain as "-0.5" to the eye
        return CLIError(f"{written[0]}: a number but for {fix}")
    about = [t for t in targets if f", column {t!r}, a numeric column" in message]
    if about and message.startswith("Non-numeric value "):  # never imputed nor missing
        head = message.split(": fix the value", 1)[0]
        fix = target_fix.format(name=shlex.quote(about[0]))
        return CLIError(f"{head}: fix the value{fix}")
    codes = _CODES.search(message)
    if codes is not None:  # texts such as 'abc' in a number column: categories, perhaps
        flag = f"--categorical {shlex.quote(ast.literal_eval(codes[1]))}"
        fix = f"pass {flag}" if model is None else f"retrain the model with {flag}"
        message = message.replace(codes[0], fix)
    marker = re.search(r" If (.*) (marks?) missing cells, pass missing=(\(.*\))\.$", message)
    if marker is not None:  # a "?" or "-" in a number column: the flag that reads it so
        # the texts the reader adds to those read as missing now: the column's markers
        try:
            given = ast.literal_eval(marker.group(3))  # (a tuple's repr)
        except (ValueError, SyntaxError):
            given = ()
        added = [t for t in given if t.lower() not in missing]
        # the example lists the texts --missing gives now (or the empty cell, its
        # default) and these: --missing replaces the default, it does not add to it
        # (under the default, the empty cell and the default's texts the column holds,
        # such as 'N/A': the example leaves none of the column's markers out)
        lower = [t.lower() for t in found]  # (--missing reads NaN as nan: one of them)
        kept = [t for i, t in enumerate(found) if lower[i] not in lower[:i]]
        texts = sorted(missing) if missing != MISSING_TOKENS else ["", *kept]
        example = " ".join(_missing_option(t) for t in dict.fromkeys([*texts, *added]))
        head = message[: marker.start()]
        if added == [""] and missing != MISSING_TOKENS:  # an empty cell, which --missing left out
            head = head.split(": fix the value", 1)[0] + (
                ": the cell is empty, but --missing lists the texts that mark missing cells "
                "and the empty cell is not among them"
            )
            message = f"{head}; add it: {example}."
        else:
            if "" not in missing:  # (an empty cell is no missing cell then: not that advice)
                head = re.sub(r", or leave the cell empty[^.]*", "", head)
            message = head + (
                f" If {marker.group(1)} {marker.group(2)} missing cells, list every text that "
                f"does with --missing, e.g. {example}."
            )
    if any(f"column {t!r}" in message for t in targets):
        message = message.replace(
            'fill it in, drop the row, or pass impute="mean"',
            "fill it in or drop the row (targets are never imputed)",
        )
    if impute is not None:  # (already given: it fills an empty cell, not a text one)
        message = message.replace(
            'leave the cell empty and pass impute="mean"',
            "leave the cell empty (--impute fills it)",
        )
    keep = re.search(
        r"pass only the texts that mark missing cells, e\.g\. missing=(\(.*\))", message
    )
    if keep is not None:  # a text column's value read as missing: the flags that keep it
        rest = ast.literal_eval(keep.group(1))  # (the texts given but the value)
        # the default, or no other text given: the empty cell, the flag's nearest to none
        rest = [""] if missing == MISSING_TOKENS or not rest else list(rest)
        flags = " ".join(_missing_option(t) for t in rest)
        message = message.replace(
            keep.group(0),
            f"list only the texts that mark missing cells with --missing, e.g. {flags}"
            + " for empty cells" * (rest == [""]),
        )
    message = message.replace('pass impute="mean"', "pass --impute mean")
    message = message.replace("pass multiline=True", "pass --multiline-cells")
    message = message.replace("The 'drop' parameter names", "--drop/--id name")
    message = message.replace(
        "The 'categorical' parameter names columns", "--categorical names column(s)"
    )
    if model is not None:  # a --missing other than the model's is refused: retrain instead
        retrain = {
            "list every text that does with --missing, e.g.": "retrain the model with every "
            "text that does, e.g.",
            "list only the texts that mark missing cells with --missing, e.g.": "retrain "
            "the model with only the texts that mark missing cells, e.g.",
            "; add it: ": "; fill it in, or retrain the model with it: ",
            "but --missing lists the texts that mark missing cells and the empty cell is "
            "not among them": "but the model was trained with a --missing that leaves it out",
        }
        told = message
        for given, fix in retrain.items():
            message = message.replace(given, fix)
        if message != told:
            message += (
                f" The model '{model}' reads as missing what its training run did "
                f"({_missing_text(missing)}): --missing cannot change that."
            )
    clash = re.match(r"The 'decimal' parameter of read_csv, ('.'), is ", message)
    if clash is not None:  # (the decimal mark given, the delimiter given or sniffed)
        message = f"--decimal {clash[1]} is " + message[clash.end() :]
        message = message.replace(" (given)", " (given by --delimiter)").replace(
            "give the delimiter (such as ';'), or another decimal mark.",
            _COMMA_FILE_FIX
            if clash[1] == "','"
            else "give the file's delimiter with --delimiter (such as ';'), or another --decimal.",
        )
    return CLIError(message)


#: A column with at least this share of its cells missing is nearly empty: leave it out.
NEARLY_EMPTY = 0.9


def _empty_column_advice(
    message: str,
    empties: tuple[str, int, int, list[str] | None] | None,
    targets: Sequence[str],
    model: str | None,
) -> str | None:
    """read_csv's refusal of a missing cell, ``message``, worded for a checkbox column (one
    value, such as 'x' or 1, and empty cells: empty for no), which --impute would fill with
    that value, making the column constant; or for a nearly empty column (:data:`NEARLY_EMPTY`
    of its cells missing), to leave out rather than impute. None for other columns, a
    target's, or a model's data (its --missing and --impute are the training run's)."""
    if empties is None or model is not None or not message.startswith("Missing value "):
        return None
    name, blanks, cells, values = empties
    if name in targets or not blanks or blanks >= cells:
        return None
    head = message.split(": ", 1)[0]
    flag = shlex.quote(name)
    single = values is not None and len(values) == 1
    if blanks >= NEARLY_EMPTY * cells:
        keep = ""
        if single:  # (a box ticked in few rows: its empty cells may mean no)
            codes = f" --categorical {flag}" if number_value(values[0]) is not None else ""
            keep = " (or, if an empty cell means no, keep it as a value of its own with "
            keep += f"--missing NA{codes})"
        return (
            f"{head}: column {_q(name)} is nearly empty ({blanks} of its {cells} cells "
            f"missing), too few values to learn from or to impute from: leave it out with "
            f"--drop {flag}{keep}"
        )
    if single:  # a checkbox: 'x' or empty
        v = values[0]
        numbers = number_value(v) is not None
        keep = f"--categorical {flag} --missing NA" if numbers else "--missing NA"
        zero = "0" if numbers else "'no'"
        return (
            f"{head}: column {_q(name)} holds only {_q(v)} and empty cells ({blanks} of its "
            f"{cells}), as a checkbox does, empty for no? --impute would fill every empty cell "
            f"with {_q(v)}, making the column one value: write a value ({zero}) in its empty "
            f"cells; or, where no other column has empty cells, keep the empty cell as a value "
            f"of its own with {keep} (--missing applies to every column); or leave the column "
            f"out with --drop {flag}"
        )
    return None


class _OutOfMemoryReading(MemoryError):
    """Memory ran out while a data file was read into memory (``path``): the command's
    error says what to do about the file (train --stream, a file split in parts)."""

    def __init__(self, path: str) -> None:
        super().__init__(path)
        self.path = path


def _read_table(
    path: str,
    *,
    target: str | None = None,
    impute: str | None = None,
    categorical: Sequence[str] = (),
    delimiter: str | None = None,
    multiline: bool = False,
    drop: Sequence[str] = (),
    targets: Sequence[str] = (),
    missing: frozenset[str] = MISSING_TOKENS,
    target_fix: str = "",
    model: str | None = None,
    decimal: str = ".",
    nrows: int | None = None,
) -> Table:
    """:func:`read_csv` with the file checks and the hints phrased for the command line.

    ``nrows``: read only the header and the first ``nrows`` rows (explain's), not the whole
    file. An unnamed first column that holds pandas' row index (``df.to_csv()``'s 0, 1, 2,
    ...) is left out, with a note.

    ``targets``: the target columns when there are several (``target`` is None), which
    are never imputed: a missing cell in one is an error that does not suggest --impute,
    and one filled by ``impute`` is an error naming its line. ``target_fix``: what to do
    about a text cell in a target read as numbers, after "fix the value". ``model``: the
    model file whose missing-cell texts ``missing`` are (which --missing cannot change)."""
    given = dict(locals())  # (read again, one column more as text: below)
    p = Path(path)
    if not p.exists():
        raise CLIError(f"no such file '{path}' (the working directory is '{os.getcwd()}')")
    if p.is_dir():
        raise CLIError(f"'{path}' is a directory, not a CSV file")
    _check_delimiter(p, delimiter)
    try:
        table = read_csv(
            p, target=target, impute=impute, categorical=categorical, delimiter=delimiter,
            multiline=multiline, drop=drop, missing=missing, decimal=decimal, nrows=nrows,
        )  # fmt: skip
    except CSVMemoryError as exc:  # refused before reading: how much, and what to do
        raise CLIError(str(exc)) from None
    except MemoryError:  # (the estimates are of the work after the read)
        raise _OutOfMemoryReading(path) from None
    except PermissionError:
        raise CLIError(
            f"cannot read the data file '{path}': permission denied (its mode, or its "
            f"directory's, keeps this user out); make it readable (chmod u+r '{path}', if it "
            f"is yours) or ask its owner"
        ) from None
    except ValueError as exc:
        message = str(exc)
        _refuse_header_again(message, path)
        _refuse_comment_line(message, path)
        nofill = _NO_FILL.match(message)
        if nofill is not None:  # every cell missing or inf (1e999): the inf, a typo, named
            column = ast.literal_eval(nofill[1])
            text = _no_finite_fill_text(
                path, column, impute, model, delimiter=delimiter, multiline=multiline,
                decimal=decimal,
            )  # fmt: skip
            if text is not None:
                raise CLIError(text) from None
        mixed = _MIXED.match(message)
        if mixed is not None:  # numbers and one text ("?"): read as text; the command line's
            # checks that follow (a number column's text, or a model's) say what to do
            column = ast.literal_eval(mixed.group(1))
            return _read_table(**{**given, "categorical": [*categorical, column]})
        raise _reader_error(
            message, path=path, decimal=decimal, targets=targets, target_fix=target_fix,
            missing=missing, impute=impute, model=model,
            found=getattr(exc, "missing_found", ()), empties=getattr(exc, "missing_cells", None),
        ) from None  # fmt: skip
    # a row that is the header row again: none when a column's text (one search over its
    # cells joined) does not hold its name, as a column of numbers under a name does not
    if table.names and all(_unbom(c) in table.joined(c) for c in table.names):
        again = np.ones(table.n_rows, dtype=bool)  # (N,) rows that are the header row again
        for k, c in enumerate(table.names):
            raw = table.raw(c)
            if k == 0:  # (a second file's byte-order mark, U+FEFF, in the middle of the file)
                raw = np.array([_unbom(cell) for cell in raw], dtype=object)
            again &= raw == _unbom(c)
        if again.any():  # (text columns only: a number column's is an error)
            r = int(np.flatnonzero(again)[0])
            bom = str(table.raw(table.names[0])[r]).startswith(_BOM)
            raise CLIError(
                _header_again_text(int(table.line_numbers[r]), path, int(again.sum()), bom)
            )
    # a cell such as 18_24 (an age band) or 2023_01 is a number to Python's float() only
    # (1824, 202301): spreadsheets, pandas and --stream read it as text, and so does glassnet
    # (a cell --missing names, such as N_A, is no number: only a cell float() reads counts)
    underscored = [
        c
        for c, kind in table.kinds.items()
        if kind == "numeric" and c not in categorical and _underscored_cell(table, c) is not None
    ]
    if underscored:
        return _read_table(**{**given, "categorical": [*categorical, *underscored]})
    for t in targets:
        if t in table.imputed:
            raise CLIError(
                f"the target column '{t}' of '{path}' has a missing value at line "
                f"{table.imputed[t][0]}: targets are never imputed; fill it in or drop the row"
            )
    if table.index_dropped is not None:
        low, high = table.index_dropped
        rows = "1 row" if table.n_rows == 1 else f"{table.n_rows} rows"
        read = f" in the {rows} read" if nrows is not None else ""
        _note(
            f"'{path}': its unnamed first column holds the row numbers {low} to {high}{read}, the "
            f"index that pandas' to_csv writes (or R's write.csv): left out, not a feature "
            f"(to_csv(index=False) writes no such column)"
        )
    return table


#: The reader's error for a text cell of a number column, its parts named.
_NON_NUMERIC = re.compile(
    r"Non-numeric value (?P<cell>.*) at line (?P<line>\d+) of .*, column (?P<column>.*), "
    r"a numeric column"
)


#: The byte-order mark that Excel's "CSV UTF-8" (and Notepad) write at a file's start.
_BOM = "\ufeff"

#: What a header row again that starts with a byte-order mark says of the file.
_BOM_JOINED = (
    "; that line starts with a byte-order mark (U+FEFF), which Excel's 'CSV UTF-8' writes "
    "at the start of a file: two such files joined into one (cat a.csv b.csv)? "
)


def _unbom(cell: str) -> str:
    """``cell`` without a leading byte-order mark (U+FEFF); a quoted name after the mark
    (``\ufeff"a"``, a quoted header row of a second file joined in) unquoted: the readers
    keep that cell as written, since its quote is not its first character."""
    if not cell.startswith(_BOM):
        return cell
    rest = cell[1:].strip()
    if len(rest) >= 2 and rest[0] == rest[-1] == '"' and '"' not in rest[1:-1].replace('""', ""):
        return rest[1:-1].replace('""', '"')
    return cell[1:]


#: read_csv's refusal of a number column with no finite cell to impute from, in either
#: wording ("no numeric values ...: drop the column.", or "no finite numbers ...: its cells
#: are missing or non-finite, such as 'inf' at line 2 ..."); group 1: the column's repr
_NO_FILL = re.compile(
    r"""Column ('(?:[^'\\]|\\.)*'|"(?:[^"\\]|\\.)*") of .* has no (?:numeric values|"""
    r"finite numbers) to impute from"
)


def _no_finite_fill_text(
    path: str,
    column: str,
    impute: Any,
    model: str | None,
    *,
    delimiter: str | None,
    multiline: bool,
    decimal: str,
) -> str | None:
    """The error for a number column whose cells are all missing or non-finite (``inf``,
    ``1e999``, beyond float64's range), so that --impute has no number to fill them with:
    it names the non-finite cells, which are more often typos than values (read_csv's
    "drop the column" fits an empty column, not one with a typo; a model needs the
    column). None when the file cannot be read again, or holds no such cell."""
    try:  # every cell as written: as text, none missing
        names = [n for n in _peek_header(Path(path), delimiter, decimal) or [] if n]
        table = read_csv(
            Path(path), categorical=names, delimiter=delimiter, multiline=multiline,
            missing=(), decimal=decimal,
        )  # fmt: skip
        cells = table.raw(column)
    except (OSError, ValueError):
        return None
    bad = [
        (int(line), cell)
        for line, cell in zip(table.line_numbers, cells, strict=True)
        if (v := number_value(cell, decimal)) is not None and math.isinf(v)
    ]
    if not bad:
        return None
    line, cell = bad[0]
    more = f" (and {len(bad) - 1} more like it)" if len(bad) > 1 else ""
    head = (
        f"column {column!r} of '{path}' has no finite number for --impute {impute} to fill "
        f"its missing cells with: its only numbers are infinite, {_q(cell)} at line "
        f"{line}{more} (a typo? a number beyond float64's range, about 1.8e308, reads as "
        f"infinite); fix that value"
    )
    if model is None:
        return f"{head}, or drop the column (--drop {shlex.quote(column)})"
    return (
        f"{head} (the model '{model}' needs the column; it was trained without --impute, "
        f"so it stores no values of its own to fill cells with: retrain with --impute "
        f"{impute} to have it store the training data's)"
    )


def _header_again_text(line: int, path: str, count: int, bom: bool = False) -> str:
    more = f" (and {count - 1} more line(s) like it)" if count > 1 else ""
    why = (
        _BOM_JOINED
        if bom
        else ": two files joined into one, or a header written again when rows were appended? "
    )
    return (
        f"line {line} of '{path}' repeats the header row{more}{why}remove that line, so that "
        f"it is not read as a row of data"
    )


def _refuse_comment_line(message: str, path: str) -> None:
    """The reader's error for a row of another number of fields than the header's, when
    that row is a comment line (``# exported by ...`` amid the rows): said so, with what to
    do, not "a missing or extra ','"."""
    found = re.match(r"Line (\d+) of .* has \d+ field\(s\) but the header has ", message)
    if found is not None:
        from .stream import comment_line_text

        text = comment_line_text(path, int(found[1]))
        if text is not None:
            raise CLIError(text)


def _refuse_header_again(message: str, path: str) -> None:
    """The reader's error for a text cell of a number column, when that cell is the column's
    own name: the header row again (``cat a.csv b.csv``), said so, not a value to fix, to
    impute or to read as missing."""
    found = _NON_NUMERIC.match(message)
    if found is None:
        return
    try:
        cell, column = (ast.literal_eval(found[k]) for k in ("cell", "column"))
    except (ValueError, SyntaxError):
        return
    if _unbom(cell) == _unbom(column):
        if cell.startswith(_BOM):  # (a second file's byte-order mark, in the middle)
            raise CLIError(
                f"line {found['line']} of '{path}' holds {_q(_unbom(cell))}, the name of "
                f"its number column: the header row again"
                + _BOM_JOINED
                + "remove that line, so that it is not read as a row of data"
            )
        raise CLIError(
            f"line {found['line']} of '{path}' holds {_q(cell)}, the name of its number "
            f"column: the header row again (two files joined into one, or a header written "
            f"again when rows were appended)? remove that line, so that it is not read as a "
            f"row of data"
        )


# ======================================================================== memory

#: Optimizer state per parameter, in copies of the weights (Adam keeps two moments).
_STATE_COPIES = {"adam": 2, "adamw": 2, "rmsprop": 1, "sgd": 1, "gd": 0, "adagrad": 1,
                 "adadelta": 2, "adamax": 2, "nadam": 3, "radam": 2}  # fmt: skip


def _bytes_text(n: float) -> str:
    return bytes_text(n)


def _memory_limit() -> tuple[int | None, str]:
    try:
        return memory_limit()
    except ParameterError as e:
        raise CLIError(str(e)) from None


def _check_memory(what: str, nbytes: float, fix: str) -> None:
    """Refuse, before allocating, work whose arrays need more bytes than may be used."""
    _memory_limit()  # a bad GLASSNET_MEMORY_LIMIT is a command-line error
    try:
        check_memory(what, nbytes, fix)
    except MemoryError as e:
        raise CLIError(str(e)) from None


def _widest_columns_fix(pre: Preprocessor, k: int = 3) -> str:
    """What to do when the one-hot inputs are too many for memory: leave out the (up to
    ``k``) text columns with the most categories, named with their counts of inputs."""
    fallback = "drop the columns with many distinct values (--drop) or use fewer rows"
    enc = pre.encoder_
    if enc is None or enc.categories_ is None or not enc.names_:
        return fallback
    sizes = sorted(
        ((int(c.size), n) for n, c in zip(enc.names_, enc.categories_, strict=True)),
        key=lambda t: -t[0],
    )[:k]
    if sizes[0][0] < 100:
        return fallback
    shown = ", ".join(f"{_q(n)} ({size} inputs)" for size, n in sizes)
    flag = shlex.quote(",".join(n for _, n in sizes))
    return (
        f"the text columns with the most distinct values, one-hot encoded as an input each, "
        f"are {_esc(shown)}: leave them out with --drop {flag} (an ID or free text?), or "
        f"use fewer rows"
    )


def _training_bytes(
    sizes: Sequence[int], rows: int, batch: int, optimizer: str, best: bool, itemsize: int = 4
) -> int:
    """The bytes ``glassnet train`` allocates for an MLP with layer widths ``sizes`` (float32):
    weights, gradients, the optimizer's state and early stopping's best copy, per parameter;
    for ``batch`` rows at a time, each layer's Z, A, g'(Z) and dL/dZ; and the outputs of
    a forward pass over ``rows`` rows (the validation and test scores)."""
    params = sum((a + 1) * b for a, b in zip(sizes[:-1], sizes[1:]))
    copies = 2 + _STATE_COPIES.get(optimizer, 2) + (1 if best else 0)
    activations = batch * sum(sizes) * 4 + rows * max(sizes)
    return itemsize * (copies * params + activations)


# ======================================================================== data


@dataclass
class _Data:
    """Features (a Table) and targets for training or scoring."""

    table: Table
    features: list[str]
    targets: list[str]
    source: str
    y_numeric: np.ndarray | None = None  # (N,) or (N, K) float64, when the targets are numbers
    y_labels: np.ndarray | None = None  # (N,) labels (str, int or float), single target only
    label_error: str | None = None  # why the target is not numeric, if it is not
    task_hint: str | None = None  # a named data set's task
    y_multilabel: np.ndarray | None = None  # (N, K) 0/1, --task multilabel's labels
    label_values: list[dict[str, Any]] | None = None  # each label's kind and two values
    categorical: list[str] = field(default_factory=list)  # the columns --categorical names


def _labels_of(table: Table, name: str) -> tuple[np.ndarray, np.ndarray | None]:
    """A target column as class labels, and as float64 numbers when it is numeric.

    Numeric columns with integer values give int64 labels (so ``1`` and ``1.0`` are
    the same class), read from the cells' text where a value is 2**53 or more (float64
    keeps no more digits: 9007199254740993 is not ...992); where one is beyond int64,
    float labels as float64 reads them (``1e20``, ``9.0``), or each number's digits where
    float64 would make two distinct labels one; other numeric columns float labels; text
    columns str labels.
    """
    if table.kinds[name] == "numeric":
        values = table.numbers(name)  # (N,)
        if np.all(values == np.round(values)):
            if np.all(np.abs(values) < 2**53):
                return values.astype(np.int64), values
            exact = _whole_labels(table.raw(name).tolist(), table.decimal, values)
            if exact is not None:
                return exact, values
        return values, values
    return np.array([str(v) for v in table.raw(name)], dtype=str), None


def _whole_number(cell: str, decimal: str = ".", underscores: bool = False) -> int | None:
    """The whole number a label's ``cell`` spells, exactly ('9007199254740993', '7.0',
    '1e3' with ``decimal`` as its decimal mark), or None for any other text; digits grouped
    by '_' (``1_000``, as Python's int() reads them) only with ``underscores``."""
    text = cell.strip()
    if "_" in text and not underscores:  # (Decimal reads 1_000; a CSV reader does not)
        return None
    if text.isascii() and text.lstrip("+-").isdigit():  # (most labels: no Decimal)
        return int(text)
    from decimal import Decimal, InvalidOperation

    try:
        exact = Decimal(as_point(text, decimal))
    except (InvalidOperation, ValueError):
        return None
    if not exact.is_finite() or exact != exact.to_integral_value():
        return None
    return int(exact)


def _whole_labels(
    cells: Sequence[str], decimal: str = ".", values: np.ndarray | None = None
) -> np.ndarray | None:
    """Class labels of whole numbers read exactly from their ``cells``: int64; where one is
    beyond int64, ``values`` (float64, as the cells read: 1e20, 9.0, as glassnet always
    read them) when float64 keeps every two distinct labels apart, else each number's
    digits as text ('12345678901234567890123'); None when a cell is no whole number."""
    numbers = [_whole_number(c, decimal) for c in cells]
    if any(v is None for v in numbers):
        return None
    if all(-(2**63) <= v < 2**63 for v in numbers):  # type: ignore[operator]
        return np.array(numbers, dtype=np.int64)
    distinct = set(numbers)
    if values is not None and len({float(v) for v in distinct}) == len(distinct):  # type: ignore[arg-type]
        return values
    return np.array([str(v) for v in numbers], dtype=str)


def _digit_labels(classes: Sequence[Any]) -> bool:
    """Whether a model's classes are the digits of whole numbers read exactly (labels beyond
    int64 that float64 would merge), so a cell is found by its number ('2e20', '9.0')."""
    return (
        bool(classes)
        and all(isinstance(c, str) and re.fullmatch(r"-?[0-9]+", c) for c in classes)
        and any(abs(int(c)) >= 2**63 for c in classes)
    )


#: The words a multi-label column may hold, in any case: (negative, positive).
_LABEL_WORDS = LABEL_WORDS  # (negative, positive): the words a model file may hold


def _number_text(v: float) -> str:
    return str(int(v)) if v == round(v) and abs(v) < 2**53 else repr(v)


def _label_column(cells: Sequence[str], decimal: str = ".") -> dict[str, Any] | str:
    """A multi-label target column's kind and two values, ``{"kind", "values"}`` (values as
    text, the negative one first), or why it is no label column (a str).

    Numbers (two of them, such as 0/1: the larger is positive), the words true/false or
    yes/no in any case (true and yes are positive) or the signs -/+ (+ positive), or two
    texts as written (the second in sorted order is positive)."""
    return _label_column_of(Counter(cells), decimal)


def _label_column_of(counts: Mapping[str, int], decimal: str = ".") -> dict[str, Any] | str:
    """:func:`_label_column` of a column given as how many rows hold each cell text
    (``counts``: a streamed run's statistics pass collects them chunk by chunk)."""
    distinct = sorted(counts)
    numbers: dict[str, float] = {}
    for c in distinct:
        try:
            v = float(as_point(c.strip(), decimal))
        except ValueError:
            break
        if not math.isfinite(v):
            break
        numbers[c] = v
    if distinct and len(numbers) == len(distinct):
        values = sorted(set(numbers.values()))
        if len(values) == 2:
            return {"kind": "number", "values": [_number_text(v) for v in values]}
        return f"{len(values)} value(s): {_few([_number_text(v) for v in values])}"
    lower = {c.strip().lower() for c in distinct}
    words = any(lower <= set(pair) for pair in _LABEL_WORDS)  # (A and a: two texts)
    if len(lower) == 1 and len(distinct) > 1 and words:  # yes and YES: one word, two spellings
        return f"1 value(s): {_few([_shown(c) for c in distinct])}, one word in any case"
    for words in _LABEL_WORDS:
        if lower <= set(words) and len(lower) == 2:
            spelled = []
            for w in words:  # each word as the file spells it most often (ties: sorted first)
                tally: dict[str, int] = {}
                for c, n in counts.items():
                    if c.strip().lower() == w:
                        tally[c.strip()] = tally.get(c.strip(), 0) + n
                spelled.append(min(tally, key=lambda t: (-tally[t], t)))
            return {"kind": "words", "values": spelled}
    if len(distinct) == 2:
        return {"kind": "text", "values": distinct}
    return f"{len(distinct)} value(s): {_few([_shown(c) for c in distinct])}"


def _label_codes(entry: dict[str, Any], cells: Sequence[str], decimal: str = ".") -> np.ndarray:
    """A label column's cells as 0/1 by its ``entry`` (:func:`_label_column`'s): (N,) int64,
    -1 for a cell that is neither of its values."""
    kind, values = entry["kind"], entry["values"]
    codes = np.full(len(cells), -1, dtype=np.int64)
    for r, c in enumerate(cells):
        t = c.strip()
        if kind == "number":
            try:
                v = float(as_point(t, decimal))
            except ValueError:
                continue
            hit = [k for k in (0, 1) if v == float(values[k])]
        elif kind == "words":
            hit = [k for k in (0, 1) if t.lower() == values[k].lower()]
        else:
            hit = [k for k in (0, 1) if c == values[k]]
        if hit:
            codes[r] = hit[0]
    return codes


def _label_pair(entry: dict[str, Any]) -> str:
    """A label's two values, negative/positive, as ``info`` and ``train`` show them."""
    return "/".join(_shown(v) for v in entry["values"])


def _one_label_value(column: str, source: Any, entry: str, rows: int) -> CLIError:
    """--task multilabel's refusal of a label column that holds one value (``entry``, the
    label reader's "1 value(s): ..."), in memory and streamed alike."""
    return CLIError(
        f"--task multilabel: the label column {_q(column)} of '{source}' holds the "
        f"single value {entry[len('1 value(s): ') :]} in all {rows} rows: there is nothing "
        f"to learn about it; leave it out of --target"
    )


def _multilabel_targets(table: Table, targets: Sequence[str], source: str) -> _Data:
    """--task multilabel's labels: one column of two values per label, each read by
    :func:`_label_column`; a column of one value, or of three or more, is an error."""
    entries, codes = [], []
    for t in targets:
        cells = [str(v) for v in table.raw(t).tolist()]
        entry = _label_column(cells, table.decimal)
        if isinstance(entry, str) and entry.startswith("1 value(s): "):
            raise _one_label_value(t, source, entry, len(cells))
        if isinstance(entry, str):
            raise CLIError(
                f"--task multilabel: the label column {_q(t)} of '{source}' holds {entry}; "
                f"each label column holds two values: 0/1, true/false, yes/no or two texts "
                f"(a column of more classes is a --task multiclass target of its own)"
            )
        entries.append(entry)
        codes.append(_label_codes(entry, cells, table.decimal))
    data = _Data(table, [], list(targets), source)
    data.y_multilabel = np.stack(codes, axis=1)  # (N, K) 0/1
    data.label_values = entries
    return data


#: A number written with a decimal comma and nothing else ("3,14", "-0,5").
_DECIMAL_COMMA = re.compile(r"[+-]?\d+,\d+")


#: What to do with a file whose cells are separated by commas and whose numbers are written
#: with decimal commas (quoted: "0,13"), which no reader of glassnet's reads.
_COMMA_FILE_FIX = (
    "glassnet reads no decimal comma in a file whose cells are separated by commas, even "
    "in quoted cells (\"0,13\"): export the file again with ';' between cells (in "
    "LibreOffice or Excel: CSV with ';' as the field delimiter) and pass --decimal ,, or "
    "write the numbers with decimal points; if the cells are separated by another "
    "character, give it with --delimiter."
)


def _decimal_hint(table: Table, cell: str) -> str:
    """The advice to pass --decimal , when ``cell`` is written with a decimal comma in a
    file read with the decimal point whose cells are not separated by commas (a ';' export
    of a European spreadsheet); "" if not so."""
    if table.decimal != "." or table.delimiter is None or not _DECIMAL_COMMA.fullmatch(cell):
        return ""
    if table.delimiter == ",":  # (quoted: "0,13")
        return "; if they are decimal commas (3,14), " + _COMMA_FILE_FIX[:-1]
    return "; if the file writes decimal commas (3,14), pass --decimal ,"


def _formatted_numbers(table: Table, name: str) -> tuple[int, list[str]] | None:
    """The first row of a text column whose cells are numbers written for people
    (:data:`FORMATTED_NUMBER`, a typographic minus sign, a unit such as 5.3k: the stream's
    :func:`people_numbers`) or plain but for a few texts that mark missing cells (n.v., TBD),
    which glassnet reads as text, and those texts; None if not so. With --decimal ',' a cell
    such as 3.14 is one of those."""
    cells = table.raw(name)  # (N,) str
    if _grouped_by_underscores(table, name) is not None:
        return None  # (bands 100_200, 200_500: text, as spreadsheets and pandas read them)
    found = people_numbers(
        Counter(cells.tolist()),
        table.decimal,
        table.missing,
        also=lambda c: _typographic_number(c, table.decimal),
    )
    if found is None:
        return None
    return int(np.flatnonzero(cells == found[0][0])[0]), found[1]


#: A band written with '_': two numbers, the lower first (18_24, 100_200, 0.5_1.5).
_BAND = re.compile(r"\s*(\d+(?:\.\d+)?)_(\d+(?:\.\d+)?)\s*")


def _grouped_by_underscores(table: Table, name: str) -> int | None:
    """The first row of a column whose every cell (but missing ones) is a band written
    with '_', exactly two numbers a_b with a < b (the age bands 18_24, 25_34; 100_200,
    200_500), or None. Such a column is text, with no message. Amounts grouped by '_'
    (1_000, 2_500, 10_000: 10 > 0 in 10_000) are numbers written for people, an error
    (:func:`_formatted_numbers`)."""
    cells = table.raw(name).astype(str)  # (N,) str
    first = None
    for cell in dict.fromkeys(cells.tolist()):
        if cell.strip().lower() in table.missing:
            continue
        band = _BAND.fullmatch(cell)
        if band is None or not float(band.group(1)) < float(band.group(2)):
            return None
        if first is None:
            first = cell
    return None if first is None else int(np.flatnonzero(cells == first)[0])


def _marker_advice(
    table: Table, name: str, texts: Sequence[str], target: bool = False, model: bool = False
) -> str:
    """What a column of numbers written for people says of its few other ``texts`` (n.v.,
    TBD, —): where they are, and the --missing flags that read them as missing cells (a
    ``target``'s rows are then dropped, never imputed; a ``model``'s file, read as its
    training run read: empty them); "" for none."""
    if not texts:
        return ""
    cells = table.raw(name)  # (N,) str
    shown = []
    for t in texts[:3]:
        rows = np.flatnonzero(cells == t)
        shown.append(f"{_q(t)} at line {int(table.line_numbers[rows[0]])} ({rows.size} cell(s))")
    given = sorted(table.missing) if table.missing != MISSING_TOKENS else [""]
    flags = " ".join(_missing_option(t) for t in dict.fromkeys([*given, *texts]))
    if model:  # (a model reads as missing what its training run did: no --missing here)
        return (
            f"; its other cells, {_esc(', '.join(shown))}, are text: write numbers there too"
            + ("" if target else ", or empty them if they mark missing cells")
            + (" (or drop those rows)" if target else "")
        )
    return (
        f"; its other cells, {_esc(', '.join(shown))}, are text: if they mark missing cells, "
        f"pass {_esc(flags)} "
        + (
            "and drop those rows (a target is never imputed)"
            if target
            else "(with --impute mean to fill them)"
        )
    )


def _refuse_formatted_numbers(
    table: Table,
    names: Sequence[str],
    source: str,
    fix: str,
    target: bool = False,
    model: bool = False,
) -> None:
    """A column of numbers written with separators or signs (``target``: the target's) is an
    error, not text."""
    for name in names:
        found = _formatted_numbers(table, name)
        r, texts = found if found is not None else (None, [])
        cell = table.raw(name)[r] if r is not None else ""
        more = _marker_advice(table, name, texts, target, model)
        typographic = _typographic_number(cell, table.decimal) if r is not None else None
        if r is not None and typographic is not None:  # "−0.5": a minus sign, U+2212
            raise CLIError(
                f"column {_q(name)} of '{source}' holds numbers that are read as text: "
                f"{_q(table.raw(name)[r])} at line {int(table.line_numbers[r])} is a "
                f"number but for {typographic}; fix every such cell, "
                + fix.format(name=_option_names([name]))
                + more
            )
        if r is not None and table.decimal != ".":
            d = table.decimal
            raise CLIError(
                f"column {_q(name)} of '{source}' holds numbers that --decimal {d!r} does "
                f"not read ({_q(table.raw(name)[r])} at line {int(table.line_numbers[r])}: "
                f"a decimal point other than {d!r}, a thousands separator, or a currency or "
                f"percent sign), which are read as text: write them with {d!r} as their only "
                f"mark, such as 1234{d}5, " + fix.format(name=_option_names([name])) + more
            )
        if r is not None:
            raise CLIError(
                f"column {_q(name)} of '{source}' holds numbers written with "
                f"{formatted_form(cell)} ({_q(cell)} at line {int(table.line_numbers[r])}), "
                f"which are read as text: write them as plain numbers such as "
                f"{plain_example(cell)}.5, "
                + fix.format(name=_option_names([name]))
                + _decimal_hint(table, cell)
                + more
            )


def _underscored_cell(table: Table, name: str) -> int | None:
    """The first row of column ``name`` whose cell is a number to Python's float() only, its
    digits grouped by '_' (18_24, 2023_01), or None. A cell the table reads as missing (--missing
    N_A) is no such cell, nor is text with a '_' that float() refuses (N_A, a_b)."""
    if "_" not in table.joined(name):  # (one search; a column read_csv parsed holds none)
        return None
    cells = table.raw(name).astype(str)  # (N,) str
    for r in np.flatnonzero(np.char.find(cells, "_") >= 0).tolist():
        cell = str(cells[r])
        if cell.strip().lower() in table.missing:
            continue
        try:
            float(as_point(cell, table.decimal))
        except ValueError:
            continue
        return r
    return None


def _refuse_underscored(table: Table, name: str, source: str) -> None:
    """A cell of a column a model reads as numbers that is a number to Python's float() only,
    its digits grouped by '_' (18_24, 2023_01), is an error naming it: it is read as text."""
    r = _underscored_cell(table, name)
    if r is not None:
        cells = table.raw(name)  # (N,) str
        raise CLIError(
            f"column {_q(name)} of '{source}' holds {_q(cells[r])} at line "
            f"{int(table.line_numbers[r])}, which is text, not a number: digits grouped by '_' "
            f"are read as text, as spreadsheets, pandas and --stream read them (Python alone "
            f"reads 18_24 as 1824); the model was trained on numbers in this column: write "
            f"plain numbers there"
        )


def _refuse_numbers_with_a_marker(
    table: Table, names: Sequence[str], source: str, missing: frozenset[str]
) -> None:
    """A text column whose cells are numbers but for one text (a "?" or "unknown" as many
    times as the numbers, or more, which makes the column text) is an error: each number
    would be one-hot encoded as a category of its own. --missing reads the text as missing
    cells, --categorical keeps the column as codes."""
    for name in names:
        counts = Counter(table.raw(name).tolist())
        numbers: set[float] = set()
        texts = []
        for cell in counts:
            value = number_value(cell, table.decimal)
            if value is None:
                if cell.lower() not in missing:
                    texts.append(cell)
                continue
            if math.isfinite(value):
                numbers.add(value)
        if len(texts) != 1 or len(numbers) < 2:
            continue
        marker = texts[0]
        # the texts --missing gives now, or (by default) those of the column: it replaces them
        given = [c for c in counts if c.lower() in missing] or [""]
        if missing != MISSING_TOKENS:
            given = sorted(missing)
        flags = " ".join(_missing_option(t) for t in dict.fromkeys([*given, marker]))
        filled = sum(n for c, n in counts.items() if c.lower() not in missing)
        raise CLIError(
            f"column {_q(name)} of '{source}' holds numbers and the text "
            f"{_q(marker)} ({counts[marker]} of its {filled} filled cells), so it is read "
            f"as text and each number would be a category of its own: if {_q(marker)} "
            f"marks missing cells, list every text that does with --missing, e.g. {flags} "
            f"(--impute fills them); if the numbers are codes, pass --categorical "
            f"{shlex.quote(name)}"
        )


#: What to do when a file scored by a regression model holds text in a target column.
_SCORED_FIX = "The model predicts numbers: fix the value, or name the target with --target."
#: ... or in a column the model reads as numbers.
_INPUT_FIX = "The model was trained on numbers in this column: fix the values (a shifted column?)."


def _marker_text(table: Table, name: str) -> tuple[str, list[str]] | None:
    """read_csv's error for the first text cell of a numeric column, for a column that a
    model reads as numbers but read_csv read as text, when its texts are all markers of
    missing cells ("?", "-", "missing") that outnumber its numbers (a small file: x1 = ?,
    -, 0.5): the column is the model's numbers, and the cell is what to fix (or the
    marker, read as missing: --impute fills it), not a shifted column; and the markers, in
    the order of their first cells. None otherwise."""
    cells = table.raw(name)
    texts = [
        (int(line), cell)
        for line, cell in zip(table.line_numbers, cells, strict=True)
        if cell.lower() not in table.missing and number_value(cell, table.decimal) is None
    ]
    kinds = dict.fromkeys(cell for _, cell in texts)
    markers = [t for t in kinds if not any(ch.isalnum() for ch in t) or t.lower() in MISSING_WORDS]
    if not texts or len(markers) < len(kinds):
        return None
    line, cell = texts[0]
    more = f" (and {len(texts) - 1} more in this column)" if len(texts) > 1 else ""
    empty = ', or leave the cell empty and pass impute="mean"' if "" in table.missing else ""
    given = (*sorted(table.missing), *markers)
    text = (
        f"Non-numeric value {cell!r} at line {line} of {table.source!r}, column {name!r}, a "
        f"numeric column{more}: fix the value{empty}. If {cell!r} marks missing cells, pass "
        f"missing={given!r}."
    )
    return text, markers


def _numbers(table: Table, name: str, fix: str) -> np.ndarray:
    """``table.numbers(name)`` (N,), or an error naming the text cell, with ``fix`` in place
    of the Python hint (a Preprocessor) that means nothing on the command line."""
    try:
        return table.numbers(name)
    except ValueError as exc:
        text = _oneline(str(exc)).split(" Use a Preprocessor")[0]
        raise CLIError(f"{text} {fix}") from None


def _target_numbers(table: Table, names: Sequence[str], source: str) -> np.ndarray:
    """The target columns ``names`` of a file scored by a regression model, (N, K); a column
    of numbers written for people (1,304.5, $1,200) is named as such, not as "categorical"."""
    texts = [n for n in names if table.kinds[n] != "numeric"]
    _refuse_formatted_numbers(table, texts, source, "as the model predicts numbers", True, True)
    return np.stack([_numbers(table, t, _SCORED_FIX) for t in names], axis=1)


def _did_you_mean(missing: Sequence[str], names: Sequence[str], lead: str = " ") -> str:
    """``lead`` and "Did you mean 'label'?" for column names not in ``names`` (the same but
    for case, or one close to it), as train and evaluate say of a --target; "" if none."""
    folded = {n.casefold(): n for n in names}
    near = [
        folded.get(t.casefold()) or next(iter(difflib.get_close_matches(t, names, 1)), None)
        for t in missing
    ]
    near = [n for n in dict.fromkeys(near) if n is not None]
    return f"{lead}Did you mean {' and '.join(repr(n) for n in near)}?" if near else ""


def _csv_data(args: argparse.Namespace) -> _Data:
    header = (
        _peek_header(Path(args.data), args.delimiter, args.decimal)
        if Path(args.data).is_file()
        else None
    )
    targets = _split_names(args.target, header)
    if not targets:
        raise CLIError("--target needs a column name, e.g. --target label")
    twice = [t for i, t in enumerate(targets) if t in targets[:i]]
    if twice:
        raise CLIError(
            f"--target {args.target} names the column {twice[0]!r} twice; name each target "
            f"column once"
        )
    categorical = _split_names(args.categorical, header)
    drop = list(dict.fromkeys(_split_names(args.drop, header) + ([args.id] if args.id else [])))
    clash = [t for t in targets if t in drop]
    if clash:
        raise CLIError(
            f"the target column {clash[0]!r} is also named by --drop or --id; a column is "
            f"either predicted or left out"
        )
    both = [c for c in categorical if c in drop and c not in targets]
    if both:  # (a target's --categorical reads its labels: no feature)
        flag = "--id" if both[0] == args.id else "--drop"
        raise CLIError(
            f"the column {both[0]!r} is named by --categorical and by {flag}: --categorical "
            f"reads a feature as categories, {flag} leaves it out of the features; give it "
            f"to one of them"
        )
    single = targets[0] if len(targets) == 1 else None
    labels = args.task == "multilabel"  # (its label columns are read as text, as written)
    reading: dict[str, Any] = dict(
        target=single,
        impute=args.impute,
        categorical=[c for c in categorical if c not in drop]
        + [t for t in targets if labels and (header is None or t in header)],
        delimiter=args.delimiter,
        multiline=args.multiline_cells,
        drop=drop,
        targets=targets,
        missing=_missing_flag(args) or MISSING_TOKENS,
        decimal=args.decimal,
        target_fix=(
            " (a target is never imputed), or pass --categorical {name} if the column "
            "holds class labels: its cells are then read as labels"
            if single is not None
            else " (a target is never imputed): several target columns make a "
            "multi-output regression of numbers (--task multilabel: labels of two values)"
        ),
    )
    try:
        table = _read_table(args.data, **reading)
        zeros = None
        if single is not None and table.kinds.get(single) == "numeric" and args.task in (
            "auto", "binary", "multiclass"
        ):  # fmt: skip
            zeros = _leading_zeros(
                table.numbers(single), table.raw(single).tolist, text=lambda: table.joined(single)
            )
        if (
            zeros is not None
            and args.task == "auto"
            and not _few_whole_values(table.numbers(single))
            and not _fixed_width_codes(table.raw(single).tolist())
        ):  # scores 074 beside 100, or one price typed 0133207: numbers (a regression), as
            # they would be read without the zeros; codes of one width, most of them
            # zero-padded (001 to 025), are classes kept as written, however many
            r, count = zeros
            cell, line = table.raw(single)[r], int(table.line_numbers[r])
            distinct = int(np.unique(table.numbers(single)).size)
            _warn(_numbers_with_zeros_text(single, _esc(cell), line, count, f"{distinct}"))
            zeros = None
        if zeros is not None:  # class labels written 01, 02, 10: kept as written, not 1, 2, 10
            r, count = zeros
            cell, line = table.raw(single)[r], int(table.line_numbers[r])
            table = _read_table(
                args.data, **{**reading, "categorical": [*reading["categorical"], single]}
            )
            _note(
                f"the target {single!r} holds whole numbers written with leading zeros "
                f"({_esc(cell)} at line {line}, {count} such cell(s)), as codes are: its "
                f"classes are read as written (--task regression reads them as numbers)"
            )
    except CLIError as exc:  # an empty column: the flag that leaves it out
        empty = re.fullmatch(
            r"Column (.*) of .* values to impute from: drop the column\.", str(exc)
        )
        if empty is None:
            _refuse_empty_column(args, str(exc), targets)
            _refuse_totals_target(args, str(exc), targets)
            raise
        name = shlex.quote(empty.group(1)[1:-1])  # (the name as repr() wrote it)
        message = str(exc)[: -len("drop the column.")]
        raise CLIError(f"{message}leave it out with --drop {name}") from None
    missing = [t for t in targets if t not in table.names]
    if missing:
        hint = _did_you_mean(missing, table.names, ". ")
        raise CLIError(
            f"target column(s) {missing} are not in '{args.data}'; its columns are: "
            f"{_names_text(table.names)}{_HEADERLESS * headerless(table.names)}{hint}"
        )
    for t in targets:
        if t in table.imputed:
            line = table.imputed[t][0]
            raise CLIError(
                f"the target column '{t}' of '{args.data}' has a missing value at line {line}: "
                f"targets are never imputed; fill it in or drop the row"
            )
    features = [n for n in table.names if n not in targets]
    if not features:
        raise CLIError(f"'{args.data}' has no feature columns besides the target {targets}")
    for name in [*targets, *features]:  # '#N/A' in a text column: no class, no category
        if table.kinds[name] == "categorical":
            cells = table.raw(name).tolist()
            counts = Counter(c for c in cells if c.strip().lower() not in table.missing)
            errors = sheet_errors(counts)
            if errors:
                r = cells.index(errors[0])
                where = f"line {int(table.line_numbers[r])}"
                _refuse_sheet_errors(args.data, name, errors, counts, where, name in targets)
    texts = [n for n in features if table.kinds[n] == "categorical" and n not in categorical]
    _refuse_formatted_numbers(
        table, texts, args.data, "or pass --categorical {name} if they are codes, not amounts"
    )
    _refuse_numbers_with_a_marker(table, texts, args.data, _missing_flag(args) or MISSING_TOKENS)
    _warn_totals_row(table, args.data)
    _warn_imputed(table, targets)
    if single is not None and table.kinds[single] == "categorical" and args.task == "auto":
        if not getattr(args, "classes", None):
            _refuse_formatted_numbers(
                table,
                [single],
                args.data,
                "or pass --task multiclass if they are class labels",
                True,
            )
    if labels:
        data = _multilabel_targets(table, targets, args.data)
        data.features, data.categorical = features, categorical
        return data
    data = _Data(table, features, targets, args.data, categorical=categorical)
    if single is None and args.task == "auto":
        _suggest_multilabel(table, targets, args.data)
    if single is not None:
        data.y_labels, data.y_numeric = _labels_of(table, single)
        if data.y_numeric is None:
            try:
                _numbers(table, single, "Fix the value, or leave out --task for classes.")
            except CLIError as exc:
                data.label_error = str(exc)
    else:
        fix = "Fix the value: several target columns make a multi-output regression of numbers."
        data.y_numeric = np.stack([_numbers(table, t, fix) for t in targets], axis=1)  # (N, K)
    return data


def _refuse_sheet_errors(
    source: str,
    name: str,
    errors: list[str],
    counts: Mapping[str, int],
    where: str | None,
    target: bool,
) -> None:
    """A label or text column holding spreadsheet formula errors (``errors``: '#N/A',
    '#DIV/0!', each with its cells in ``counts``; ``where``: the line of the first, or None
    where unknown, the stream's) is an error, as in a number column: each would be a class
    (a ``target``'s) or a category of its own."""
    shown = ", ".join(f"{_q(e)} ({counts[e]} cell(s))" for e in errors[:5])
    one = len(errors) == 1
    first = f", the first at {where}" if where else " (without --stream, the error names each line)"
    flags = " ".join(_missing_option(t) for t in ["", *errors])
    if target:
        fix = "or drop those rows (a target is never imputed)"
    elif where is None:  # (--stream, which refuses --impute and trains on complete rows)
        fix = (
            f"or drop those rows (a stream trains on complete rows), or train without --stream "
            f"with {_esc(flags)} --impute mean to read them as missing cells"
        )
    else:
        fix = f"or, to read them as missing cells, pass {_esc(flags)} with --impute mean"
    raise CLIError(
        f"column {_q(name)} of '{source}' holds {_esc(shown)}{first}: "
        f"{'a spreadsheet formula error' if one else 'spreadsheet formula errors'} (a formula "
        f"that failed in the sheet, exported as its error text), which would be read as "
        f"{'a class' if target else 'a category'} of {'its' if one else 'their'} own: fix the "
        f"formula{'' if one else 's'} and export the file again, {fix}"
    )


#: The first cell of a spreadsheet's row of totals ("Total", "Grand total:", "SUM").
_TOTALS = re.compile(r"\s*(grand\s+|sub-?\s?)?(totals?|sum)\s*:?\s*", re.IGNORECASE)


def _totals_text(cell: str) -> bool:
    """Whether ``cell`` is the label of a row of totals ("Total", "Totals", "Sum", "Grand
    total", "Subtotal")."""
    return _TOTALS.fullmatch(cell) is not None


def _warn_totals_row(table: Table, source: str) -> None:
    """Warn of a spreadsheet's row of totals read as a row of data: a text column whose
    cell "Total" (:func:`_totals_text`) stands in a single row, the file's last or one
    whose numbers are the sums of the other rows'. Trained on, its label is a category
    (or a class) of its own and its sums, tens or hundreds of times any row's, skew the
    scaling (the mean and scale of every number column)."""
    numeric = [c for c in table.names if table.kinds[c] == "numeric"]
    for name in table.names:
        if table.kinds[name] != "categorical":
            continue
        cells = table.raw(name)  # (N,) str
        rows = [r for r, cell in enumerate(cells.tolist()) if _totals_text(cell)]
        if len(rows) != 1 or table.n_rows < 3:
            continue
        r = rows[0]
        summed = []
        for c in numeric:
            values = table.numbers(c)  # (N,)
            others = float(np.nansum(np.delete(values, r)))
            if (
                math.isfinite(values[r])
                and others
                and abs(values[r] - others) <= 0.01 * abs(others)
            ):
                summed.append(c)
        if not summed and r != table.n_rows - 1:
            continue
        sums = (
            f", its {_esc(_few([repr(c) for c in summed], 3))} the sums of the other rows'"
            if summed
            else ""
        )
        _warn(
            f"line {int(table.line_numbers[r])} of '{source}' looks like a row of totals "
            f"({_q(cells[r])} in column {_q(name)}{sums}): it is trained on as a row of "
            f"data, {_q(cells[r])} a category of its own and its sums skewing the scaling of "
            f"every number column; delete that line from the file"
        )
        return


def _suggest_multilabel(table: Table, targets: Sequence[str], source: str) -> None:
    """Several targets under --task auto are a multi-output regression of numbers: when
    every one holds two values (0/1, yes/no, two texts), a note (numbers) or an error (text)
    names --task multilabel, which auto never picks."""
    entries = [_label_column([str(v) for v in table.raw(t).tolist()], table.decimal)
               for t in targets]  # fmt: skip
    if not all(isinstance(e, dict) for e in entries):
        return
    text = [t for t, e in zip(targets, entries) if table.kinds[t] != "numeric"]
    if text:
        raise CLIError(
            f"the target column {_q(text[0])} of '{source}' holds text "
            f"({_label_pair(entries[targets.index(text[0])])}), and several target columns "
            f"make a multi-output regression of numbers: if each column is a label of two "
            f"values, add --task multilabel"
        )
    if any(e["values"] != ["0", "1"] for e in entries):  # type: ignore[index]
        return
    _note(
        f"the target columns {_esc(', '.join(targets))} each hold only 0 and 1: they are "
        f"trained as a multi-output regression (--task auto); if each is a yes/no label, add "
        f"--task multilabel (one sigmoid output per label, binary cross-entropy)"
    )


def _refuse_totals_target(args: argparse.Namespace, message: str, targets: Sequence[str]) -> None:
    """An empty target cell in a row whose number cells are the sums of the other rows' (a
    spreadsheet's row of totals, its label cell empty) is said to be such a row, to delete,
    not a label to fill in. On the error's path only, for a file up to 16 MiB: read again."""
    m = re.match(
        r"Missing value '' at line (\d+) of .*, column ('.*?'): fill it in or drop the row\.$",
        message,
    )
    path = Path(args.data)
    if m is None or m[2][1:-1] not in targets or not path.is_file():
        return
    if path.stat().st_size > 1 << 24:
        return
    line, decimal = int(m[1]), args.decimal or "."
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError):
        return
    hint = re.match(r"[ \t]*sep=(.)[ \t]*(?:\r\n|\r|\n)", text, flags=re.IGNORECASE)
    delimiter = args.delimiter or (hint[1] if hint else sniff_delimiter(text[:65536], decimal))
    if delimiter is None:
        return
    reader = csv.reader(_io.StringIO(text, newline=""), delimiter=delimiter)
    header, rows, total = None, [], None
    try:
        for row in reader:
            if not any(c.strip() for c in row) or (hint and reader.line_num == 1):
                continue
            if header is None:
                header = [c.strip() for c in row]
            elif reader.line_num == line:
                total = row
            else:
                rows.append(row)
    except csv.Error:
        return
    if header is None or total is None or len(rows) < 2:
        return
    summed = []
    for j, name in enumerate(header):
        if name in targets or j >= len(total):
            continue
        cells = [r[j] for r in rows if j < len(r) and r[j].strip()]
        values = [number_value(c, decimal) for c in cells]
        value = number_value(total[j], decimal)
        if value is None or not values or any(v is None for v in values):
            continue
        others = math.fsum(values)  # type: ignore[arg-type]
        if others and abs(value - others) <= 0.005 * abs(others):
            summed.append(name)
    if summed:
        raise CLIError(
            f"{message.rstrip('.')}; but line {line} looks like a row of totals, not a row "
            f"of data (its {_esc(_few([repr(c) for c in summed], 3))} the sums of the other "
            f"rows'): delete that line from the file"
        )


def _refuse_empty_column(args: argparse.Namespace, message: str, targets: Sequence[str]) -> None:
    """A missing cell that opens a feature column missing in every row is that column's
    error, with the flag that leaves it out (filling it in row by row, or --impute, which then
    finds no value to fill with, is no fix). On the error's path only: the file is read again."""
    first = re.match(
        r"Missing value .* column ('.*?')(?: \(and \d+ more in this column\))?: ", message
    )
    if first is None or args.impute is not None or first.group(1)[1:-1] in targets:
        return
    name, flags = first.group(1)[1:-1], _missing_flag(args)
    try:
        read_csv(
            args.data,
            impute="mean",
            delimiter=args.delimiter,
            multiline=args.multiline_cells,
            missing=flags,
            decimal=args.decimal,
        )
    except (ValueError, OSError) as again:
        empty = rf"Column {re.escape(first.group(1))} of .* values to impute from: .*"
        if re.fullmatch(empty, str(again)):
            raise CLIError(
                f"column {_esc(first.group(1))} of '{args.data}' is empty in every row: leave it "
                f"out with --drop {shlex.quote(name)}"
            ) from None


#: The target's name of a bundled classification set, as its source names it (UCI's
#: iris "species", breast cancer "diagnosis", wine "cultivar", digits "digit"); the gates'
#: and generated sets', which have none, is "y" (docs/cli.md).
_DATASET_TARGETS = {"iris": "species", "breast_cancer": "diagnosis", "wine": "cultivar",
                    "digits": "digit"}  # fmt: skip


def _dataset_data(name: str, seed: int) -> _Data:
    ds = load_dataset(name, seed=seed)
    source = f"--dataset {ds.name}"
    names = list(ds.feature_names)
    columns = {n: [repr(float(v)) for v in ds.X[:, j]] for j, n in enumerate(names)}
    table = Table(columns, source=source)
    if ds.task_hint in ("binary", "multiclass"):
        labels = np.array(ds.target_names, dtype=str)[np.asarray(ds.y).astype(np.int64)]
        target = _DATASET_TARGETS.get(ds.name, "y")
        data = _Data(table, names, [target], source, y_labels=labels, task_hint=ds.task_hint)
        try:  # class names that are numbers (a gate's 0/1): a numeric target too
            data.y_numeric = labels.astype(np.float64)
        except ValueError:
            data.label_error = (
                f"the target '{target}' of {source} holds class names "
                f"({', '.join(ds.target_names[:5])}{', ...' if len(ds.target_names) > 5 else ''}), "
                f"not numbers: train a classifier with --task {ds.task_hint} (or leave --task "
                f"out)"
            )
        return data
    y = np.asarray(ds.y, dtype=np.float64)
    data = _Data(table, names, list(ds.target_names), source, y_numeric=y)
    data.task_hint = ds.task_hint
    if y.ndim == 1:  # (for --task binary / multiclass)
        data.y_labels = y.astype(np.int64) if np.all(y == np.round(y)) else y
    return data


def _missing_flag(args: argparse.Namespace) -> frozenset[str] | None:
    """The cell texts --missing names (lower-case, blanks stripped); None when not given."""
    given = getattr(args, "missing", None)
    return None if given is None else missing_tokens(given)


def _missing_option(text: str) -> str:
    """``--missing TEXT`` as a shell reads it; ``--missing=TEXT`` for a text that starts
    with '-' but is not '-' itself (``--missing -?`` would read it as an option, and
    ``--missing --`` as the end of the options; ``--missing -`` reads)."""
    quoted = shlex.quote(text)
    dash = text.startswith("-") and text != "-"
    return f"--missing={quoted}" if dash else f"--missing {quoted}"


class _AppendMissing(argparse.Action):
    """--missing's values, in order; ``--missing=--`` is the text '--' (argparse drops a
    '--' as the end of the options, which left no value at all)."""

    def __call__(
        self,
        parser: argparse.ArgumentParser,
        namespace: argparse.Namespace,
        values: Any,
        option_string: str | None = None,
    ) -> None:
        if isinstance(values, list):  # (only '--' gives no value: the option needs one)
            values = "--"
        setattr(namespace, self.dest, [*(getattr(namespace, self.dest, None) or []), values])


def _missing_text(tokens: frozenset[str]) -> str:
    """The texts read as missing, as --missing flags: ``--missing '' --missing '?'``."""
    return " ".join(_missing_option(t) for t in sorted(tokens)) or "(none)"


def _names_text(names: Sequence[str]) -> str:
    """Column ``names`` comma-separated, a name that holds a comma or a double quote
    written in double quotes as --target takes it (``x1, "price, EUR"``)."""
    return ", ".join('"' + n.replace('"', '""') + '"' if "," in n or '"' in n else n for n in names)


def _split_names(text: str | None, header: Sequence[str] | None = None) -> list[str]:
    """The comma-separated names in ``text``; with the file's ``header``, a name that holds
    commas itself ("Price, USD") is one name."""
    if not text:
        return []
    if any(p.strip().startswith('"') for p in text.split(",")):
        # CSV-quoted, as --classes and a file's header are: '"price, EUR",x1'
        try:
            row = csv.reader([re.sub(r'"[ \t]+(?=,|$)', '"', text)], strict=True,
                             skipinitialspace=True)  # fmt: skip
            return [name for name in (c.strip() for c in next(row)) if name]
        except csv.Error:
            pass  # (no CSV row: the names as typed, the error names them)
    pieces = text.split(",")
    known = set(header or ())
    names = []
    i = 0
    while i < len(pieces):
        j = i + 1
        for k in range(min(len(pieces), i + 16), i + 1, -1):  # the longest name first
            if ",".join(pieces[i:k]).strip() in known:
                j = k
                break
        name = ",".join(pieces[i:j]).strip()
        if name:
            names.append(name)
        i = j
    return names


# ======================================================================== the model bundle


def _written_otherwise(value: str, known: str) -> str:
    """How ``value`` differs from the model's category ``known``, which it reads as loosely
    (:func:`loose_text`'s steps, those that change either): "accent encoding" (a letter and
    a combining mark for one character: NFD for NFC), "width or compatibility form"
    (full-width 'ｒｅｄ', a ligature: NFKC), "an invisible character", "blanks" (doubled,
    leading or trailing), "case"; or how one number is written otherwise
    (:func:`number_written_otherwise`: leading zeros lost, a whole number as a float)."""
    number = number_written_otherwise(value, known)
    if number:
        return number
    steps = (
        ("accent encoding", lambda t: unicodedata.normalize("NFC", t)),
        ("width or compatibility form", lambda t: unicodedata.normalize("NFKC", t)),
        ("an invisible character", lambda t: "".join(
            ch for ch in t if unicodedata.category(ch) != "Cf")),
        ("blanks", lambda t: " ".join(t.split())),
    )  # fmt: skip
    why, a, b = [], value, known
    for name, step in steps:
        if a != b and (step(a) != a or step(b) != b):
            why.append(name)
        a, b = step(a), step(b)
    if a != b:  # (the same casefolded: loose_text's last step)
        why.append("case")
    return ", ".join(why)


def _blanks_shown(text: str) -> str:
    """``text`` with its spaces beyond one between words (doubled, leading, trailing: inside
    the quotes of a repr) written ``\\x20``, as a one-line message collapses them."""
    return re.sub(r"(?<=^.) +| +(?=.$)| {2,}", lambda m: "\\x20" * len(m[0]), text)


def _unknown_warning(
    counts: Mapping[str, int], near: Mapping[tuple[str, str], str], source: str
) -> str:
    """The warning for the cells of categories the model never saw (--unknown ignore):
    their count by column, and those that are a category of the model's written otherwise
    (:meth:`_Bundle.near_categories`: all of them, the first 5 named with what to write and
    how they differ, then how many more), as the refusal without --unknown ignore names
    them."""
    text = (
        f"{sum(counts.values())} cell(s) of '{source}' hold categories the model never saw, "
        f"encoded as all zeros (--unknown ignore): "
        + _few([f"{c} ({n})" for c, n in counts.items()])
    )
    if near:
        pairs = list(near.items())
        text += (
            "; some differ from the model's categories only in how they are written, and "
            "categories must match exactly (the same Unicode characters, case included): "
            "write "
            + ", ".join(
                f"{visible_text(m)} for {_blanks_shown(visible_text(u))} "
                f"({c}: {_written_otherwise(u, m)})"
                for (c, u), m in pairs[:5]
            )
            + (f" (and {len(pairs) - 5} more)" if len(pairs) > 5 else "")
        )
    return text


@dataclass
class _Bundle:
    """A model file written by ``glassnet train``: the network and what it needs to predict."""

    path: str
    model: Any
    meta: dict[str, Any]
    task: Task
    pre: Preprocessor
    labels: LabelEncoder | None
    y_scaler: StandardScaler | None
    #: :meth:`inputs`' cells of categories written otherwise (:meth:`near_categories`)
    near_unknown: dict[tuple[str, str], str] = field(default_factory=dict)

    @property
    def targets(self) -> list[str]:
        return list(self.meta["target"]["names"])

    @property
    def columns(self) -> list[str]:
        return list(self.pre.columns_ or [])

    @property
    def categorical(self) -> list[str]:
        kinds = self.pre.kinds_ or {}
        return [c for c in self.columns if kinds.get(c) == "categorical"]

    @property
    def classes(self) -> list[str]:
        if self.labels is None or self.labels.classes_ is None:
            return []
        return [str(c) for c in self.labels.classes_.tolist()]

    @property
    def label_values(self) -> list[dict[str, Any]]:
        """A multi-label model's labels, each ``{"kind", "values"}`` (its two values as
        text, the negative first; checked by load_pipeline); [] for another task."""
        if self.task.name != "multilabel":
            return []
        return list(self.meta["target"]["multilabel"])

    @property
    def id_column(self) -> str | None:
        """The --id column of the training run (copied into predictions), if any."""
        return _dig(self.meta, "preprocessing", "id", kind=str)

    @property
    def missing(self) -> frozenset[str]:
        """The cell texts the model was trained to read as missing (lower-case): those of
        its description, or the default set for a file written before it stored them."""
        stored = _dig(self.meta, "preprocessing", "missing", kind=list)
        return missing_tokens(stored)  # (None: the default set)

    @property
    def decimal(self) -> str:
        """The decimal mark the model's training data was read with (train's --decimal),
        which new files are read with unless --decimal is given: '.' for a file written
        before it was stored."""
        stored = _dig(self.meta, "training", "decimal")
        if stored is None:
            return "."
        try:
            return check_decimal(stored, "")
        except (TypeError, ValueError):
            raise CLIError(
                f"'{self.path}': the model description is malformed (training.decimal "
                f"must be the one character its training data's numbers were read with, such "
                f"as ','; got {_short(stored)}); give the file's decimal mark with --decimal"
            ) from None

    @property
    def multiline_cells(self) -> bool:
        """Whether the model's training data was read with --multiline-cells (quoted cells
        that hold line breaks), which new files are read with unless --multiline-cells or
        --no-multiline-cells is given: False for a file written before it was stored."""
        stored = _dig(self.meta, "training", "multiline_cells")
        if stored is None:
            return False
        if not isinstance(stored, bool):
            raise CLIError(
                f"'{self.path}': the model description is malformed (training."
                f"multiline_cells must be true or false; got {_short(stored)}); give "
                f"--multiline-cells or --no-multiline-cells"
            )
        return stored

    @property
    def left_out(self) -> list[str]:
        """The columns the training run read but did not use (--drop, --id)."""
        drop = _dig(self.meta, "preprocessing", "drop", kind=list) or []
        names = [c for c in drop if isinstance(c, str)]
        return names + ([self.id_column] if self.id_column else [])

    def inputs(self, table: Table, unknown: str = "error") -> np.ndarray:
        """The table's features, preprocessed: (N, n_inputs) in the model's dtype."""
        n_out = self.task.n_outputs
        _check_memory(
            f"scoring {table.n_rows} rows with {self.pre.n_features_out} inputs",
            table.n_rows * (self.pre.n_features_out * 12 + n_out * 16),
            _SCORING_HINT,
        )
        try:
            X = self.pre.transform(table, extra="ignore", unknown=unknown)  # (N, n_inputs)
        except ValueError as exc:
            if "not seen at fit" not in str(exc):
                raise
            raise CLIError(
                f"'{table.source}': {_oneline(str(exc))}".replace(
                    "(unknown='ignore')", "(--unknown ignore)"
                )
            ) from None
        self.near_unknown = {}
        if self.pre.unknown_counts_:
            counts = self.pre.unknown_counts_
            self.near_unknown = self.near_categories(table, counts)
            _warn(_unknown_warning(counts, self.near_unknown, str(table.source)))
        dtype = _model_dtype(self.model)
        _check_range(
            X, self.pre, table, dtype, f"'{table.source}'",
            f"{FAR_OUTSIDE}: check it (or retrain with --dtype float64)",
        )  # fmt: skip
        return X.astype(dtype, copy=False)

    def near_categories(self, table: Table, columns: Iterable[str]) -> dict[tuple[str, str], str]:
        """The cells of ``columns`` that are no category of the model's but one written
        otherwise ('Red' for 'red', an NFD 'Cafe\u0301' for the NFC 'Café', an invisible
        character): (column, the cell's value) -> the model's category, every one (the
        warning names 5 and counts the others)."""
        encoder = self.pre.encoder_
        if encoder is None or encoder.names_ is None or encoder.categories_ is None:
            return {}
        known = dict(zip(encoder.names_, encoder.categories_, strict=True))
        near: dict[tuple[str, str], str] = {}
        for c in columns:
            if c not in known or c not in table.names:
                continue
            cats = [str(v) for v in known[c].tolist()]
            exact, folded = set(cats), {}
            for v in cats:  # ('2134' for '02134', '1.0' for '1': one number, too)
                folded.setdefault(loose_spelling(v), v)
            for value in dict.fromkeys(table.strings(c).tolist()):
                if value in exact or loose_spelling(value) not in folded:
                    continue
                near[(c, value)] = folded[loose_spelling(value)]
        return near

    def outputs(self, X: np.ndarray, table: Table | None = None) -> np.ndarray:
        """The network's outputs (probabilities, or standardized values): (N, n_outputs).

        ``table``: the rows of ``X`` as read (:meth:`inputs`'s), whose lines and values an
        output that overflows the model's dtype (inf or NaN) is then an error naming, with
        the command line's advice (the Python API's names a 0-based row and a Python
        call)."""
        try:
            return np.asarray(self.model.predict(X))
        except ValueError as exc:
            if table is None or "the output holds NaN or inf in" not in str(exc):
                raise
            raise CLIError(self._overflow_text(X, table)) from None

    def _overflow_text(self, X: np.ndarray, table: Table) -> str:
        """The error for rows of ``table`` whose outputs overflow the network's dtype."""
        dtype = _model_dtype(self.model)
        with no_grad(), np.errstate(all="ignore"):  # the outputs, inf and NaN kept
            out = np.asarray(self.model.eval()(X).data).reshape(len(X), -1)
        bad = np.flatnonzero(~np.isfinite(out).all(axis=1))
        r = int(bad[0]) if bad.size else 0
        more = f" (and {bad.size - 1} more line(s))" if bad.size > 1 else ""
        names = self.pre.feature_names_out
        # the row's inputs of the largest magnitude, as the file writes them (a number
        # column's cell; a category's column=value)
        order = [int(j) for j in np.argsort(-np.abs(X[r]), kind="stable")[:3] if X[r, j] != 0]
        cells = [
            f"{_shown(names[j])}={_shown(table.raw(names[j])[r])}"
            if names[j] in table.names
            else _shown(names[j])
            for j in order
        ]
        values = f" ({', '.join(cells)})" if cells else ""
        scaled = _dig(self.meta, "preprocessing", "standardize") is not False
        why = (
            "they are far outside its training data's range, even standardized (a typo?)"
            if scaled
            else "the model takes them unscaled (it was trained with --no-standardize)"
        )
        fixes = [] if scaled else ["without --no-standardize (which scales each column)"]
        if dtype == np.float32:
            fixes.append("with --dtype float64")
        fix = f": check them, or retrain the model {' or '.join(fixes)}" if fixes else (
            ": check them (the model computes in float64 already)")  # fmt: skip
        return (
            f"'{table.source}': the network's output overflows {dtype} (inf or NaN) at line "
            f"{int(table.line_numbers[r])}{more}, whose values{values} are too large for "
            f"a {dtype} network to compute with: {why}{fix}"
        )

    def decode(self, out: np.ndarray) -> np.ndarray:
        """Class indices (N,) for classification; values in the target's units otherwise."""
        if self.task.is_classifier:
            return np.asarray(self.task.decode(out)).astype(np.int64)
        values = out.astype(np.float64).reshape(len(out), -1)  # (N, K)
        if self.y_scaler is not None:
            values = self.y_scaler.inverse_transform(values)
        return values


def _model_dtype(model: Any) -> np.dtype:
    params = model.parameters()
    return params[0].dtype if params else np.dtype(np.float32)


def _make_task(name: str, n_outputs: int) -> Task:
    """A fitted Task whose classes are the indices ``0 .. C-1`` (or with ``n_outputs`` values)."""
    task = get_task(name)
    if name == "multilabel":  # (one output per label)
        return task.fit(np.zeros((1, n_outputs), dtype=np.int64))
    if task.is_classifier:
        return task.fit(np.arange(max(n_outputs, 2)))
    return task.fit(np.zeros((1, n_outputs)) if name == "multioutput_regression" else np.zeros(1))


def _not_a_checkpoint(path: str) -> None:
    """A checkpoint given where a model file goes is an error saying how to finish its run
    (glassnet.io's says to read it with load_checkpoint, a Python call)."""
    with contextlib.suppress(OSError, ModelFileError):
        if file_kind(path) == "checkpoint":
            raise CLIError(
                f"'{path}' is a glassnet checkpoint file, not a model file: give the model "
                f"file (its train run's --out), or, if that run did not finish, rerun its "
                f"command with --resume added, which writes it"
            )


def _not_a_text_file(args: argparse.Namespace) -> None:
    """A text file (a CSV file) given as the model is an error saying what a model file is,
    and, when the data argument is the model, that the two are swapped (the safetensors
    reader's words were of a header length field of 7305508662777359457 bytes)."""
    with contextlib.suppress(OSError):
        if file_kind(args.model) != "text":
            return
        swap = ""
        data = getattr(args, "data", None)
        with contextlib.suppress(OSError, TypeError):
            if data is not None and file_kind(data) == "model":
                row = f" --row {args.row}" if args.command == "explain" else ""
                swap = (
                    f"; '{data}' is the model: the model file comes first, e.g. glassnet "
                    f"{args.command} {shlex.quote(data)}{row} {shlex.quote(args.model)}"
                )
        raise CLIError(
            f"the model file '{args.model}' is a text file (a CSV file?), not a safetensors "
            f"file as glassnet train writes: give the model file (train's --out){swap}"
        )


#: The reader's refusal of a model whose network needs more memory than may be used (its
#: config checks the size before allocating); group 1: the size and the limit.
_MODEL_TOO_LARGE = re.compile(
    r"the model config cannot be built \(MemoryError: (.* needs about .*? of memory, more "
    r"than .*?)(?:: use fewer or narrower layers)?\)$"
)


@contextlib.contextmanager
def _loading(path: str) -> Iterator[None]:
    """Loading the model file ``path``: a network refused as larger than the memory that may
    be used (``GLASSNET_MEMORY_LIMIT``, or the memory available) is that limit's error, as
    train's, not a fault of the file (status 2, as every refusal made before allocating)."""
    try:
        yield
    except ModelFileError as exc:
        found = _MODEL_TOO_LARGE.search(str(exc))
        if found is None:
            raise
        raise CLIError(
            f"loading the model '{path}': {found[1]}: raise GLASSNET_MEMORY_LIMIT (or free "
            f"memory) to load it"
        ) from None


def _no_model_file(path: str) -> CLIError:
    """The refusal of a model file ``path`` that does not exist; '-' is standard input only
    as the data argument, never a model."""
    if path == "-":
        return CLIError(
            "the model file '-': a model is read from a file, not from standard input ('-' "
            "stands for standard input only as the data argument); give the model file's "
            "path (./- for a file named '-')"
        )
    return CLIError(f"no such model file '{path}' (the working directory is '{os.getcwd()}')")


def _load_any(path: str, checkpoint: bool = False) -> tuple[Any, dict[str, Any]]:
    """A model file's network and JSON ``meta`` (``checkpoint``: a checkpoint file's
    :class:`~glassnet.io.Checkpoint` and meta, from the same read, for ``info``)."""
    p = Path(path)
    if not p.exists():
        raise _no_model_file(path)
    with _loading(path):
        loaded = load_file(p)  # (one read: a file replaced meanwhile is one version or the other)
    if loaded.kind == "checkpoint" and checkpoint:
        return loaded.value, loaded.meta if isinstance(loaded.meta, dict) else {}
    if loaded.kind == "checkpoint":
        _not_a_checkpoint(path)
    if loaded.kind != "model":
        load_model(p, network_only=True)  # (its refusal of a file of arrays, in its words)
    meta = loaded.meta
    return getattr(loaded.value, "network", loaded.value), meta if isinstance(meta, dict) else {}


def _load_bundle(path: str) -> _Bundle:
    """The network and its description (:func:`glassnet.io.load_pipeline`: every number
    of the description checked against the weights before anything is built from it, so a
    6 KB file that claims 300 million outputs is refused at once)."""
    p = Path(path)
    if not p.exists():
        raise _no_model_file(path)
    _not_a_checkpoint(path)
    with _loading(path):
        pipe = load_pipeline(p)
    return _Bundle(
        path, pipe.network, pipe.meta, pipe.task, pipe.preprocessor, pipe.labels,
        pipe.target_scaler,
    )  # fmt: skip


def _short(value: Any, limit: int = 60) -> str:
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _read_for_model(
    bundle: _Bundle, args: argparse.Namespace, need_target: bool, nrows: int | None = None
) -> _Data:
    """Read a CSV file to score with ``bundle``: the model's feature columns, checked;
    ``nrows``: only its header and first ``nrows`` rows (the rest is not read).

    Its numbers are read with the decimal mark of --decimal, or without it the model's
    (train's --decimal, stored in the model file), which an error about it then names as
    the model's. Quoted cells that hold line breaks are read as --multiline-cells (or
    --no-multiline-cells) says, or without either as the training file was."""
    if args.multiline_cells is None:
        args.multiline_cells = bundle.multiline_cells
    if args.decimal is not None:
        return _read_for_model_with(bundle, args, need_target, nrows)
    args.decimal = bundle.decimal
    try:
        return _read_for_model_with(bundle, args, need_target, nrows)
    except CLIError as exc:
        if args.decimal == "." or "--decimal" not in str(exc):
            raise
        raise CLIError(
            f"{exc} (--decimal {args.decimal!r} is the model's: '{bundle.path}' was trained "
            f"on numbers written so and reads new files with it unless --decimal is given; "
            f"give --decimal . for a file written with decimal points)",
            exc.code,
        ) from None


def _read_for_model_with(
    bundle: _Bundle, args: argparse.Namespace, need_target: bool, nrows: int | None
) -> _Data:
    """:func:`_read_for_model` with the decimal mark ``args.decimal``.

    A pipe (``/dev/stdin``, ``<(zcat new.csv.gz)``) is read once into a temporary file
    first: its header row is read before its rows, which a pipe gives only once."""
    path = Path(args.data)
    if not path.exists() or path.is_file() or path.is_dir():
        return _read_file_for_model(bundle, args, need_target, nrows)
    import tempfile

    limit, source = memory_limit()  # (the copy is read into memory next: no larger)
    with tempfile.TemporaryDirectory(prefix="glassnet-") as tmp:
        copy = Path(tmp) / "data.csv"
        try:  # (binary, /dev/zero: read up to its first NUL, which says what it is)
            copy.write_bytes(read_pipe(path, math.inf if limit is None else limit))
        except MemoryError:
            raise CLIError(
                f"'{args.data}' gives more data than {source} ({bytes_text(limit)}), and "
                f"{args.command} reads it into memory: give it a smaller file"
            ) from None
        except OSError as exc:
            raise CLIError(f"cannot read '{args.data}': {exc.strerror or exc}") from None
        spooled = argparse.Namespace(**{**vars(args), "data": str(copy)})
        noted = len(_PENDING)
        try:
            data = _read_file_for_model(bundle, spooled, need_target, nrows)
        except (CLIError, ValueError) as exc:  # (the messages name the file as given)
            raise CLIError(_renamed(str(exc), str(copy), args.data)) from None
        finally:  # (and so do the notes: "filled 1 missing cell(s) of '/dev/stdin'")
            _PENDING[noted:] = [m.replace(str(copy), _esc(args.data)) for m in _PENDING[noted:]]
    data.table.source = data.source = args.data
    return data


def _read_file_for_model(
    bundle: _Bundle, args: argparse.Namespace, need_target: bool, nrows: int | None = None
) -> _Data:
    """:func:`_read_for_model` of a file that can be read twice (its header, then its rows)."""
    header = (
        _peek_header(Path(args.data), args.delimiter, args.decimal)
        if Path(args.data).is_file()
        else None
    )
    if header is not None and len(header) > 1 and not header[0] and all(header[1:]):
        header = header[1:]  # pandas' row index, perhaps (its values say: _read_table)
    if header is not None:
        _check_delimiter(Path(args.data), args.delimiter)
        try:  # a name twice is no "missing: b" (the column count is right)
            written = _peek_header(Path(args.data), args.delimiter, args.decimal, raw=True)
            if written is not None and len(written) == len(header) + 1:
                written = written[1:]  # (pandas' row index, as above)
            check_header(header, args.data, written)
        except ValueError as exc:
            raise CLIError(str(exc)) from None
    targets = bundle.targets
    if need_target and getattr(args, "target", None):
        targets = _split_names(args.target, header)
        inputs = [t for t in targets if t in bundle.columns]
        if inputs:
            raise CLIError(
                f"--target {inputs[0]!r} is one of the model's feature columns; the model "
                f"predicts {', '.join(map(repr, bundle.targets))}: name the column of "
                f"'{args.data}' that holds it"
            )
        if sorted(targets) == sorted(bundle.targets):  # its own names, in any order: by name
            targets = list(bundle.targets)
        if targets and len(targets) != len(bundle.targets):  # (y2 was no stray feature)
            raise CLIError(
                f"--target names {len(targets)} column(s) ({_names_text(targets)}) but the "
                f"model predicts {len(bundle.targets)} ({_names_text(bundle.targets)}): name "
                f"the column of '{args.data}' that holds each, in the model's order, --target "
                f"{_option_names(bundle.targets)}, or leave --target out where the file names "
                f"them so"
            )
        moved = [
            (k, t) for k, t in enumerate(targets) if t in bundle.targets and t != bundle.targets[k]
        ]
        if moved and len(targets) == len(bundle.targets):
            k, t = moved[0]
            raise CLIError(
                f"--target names {t!r} as the column of the model's output {k + 1}, which "
                f"predicts {bundle.targets[k]!r} ({t!r} is its output "
                f"{bundle.targets.index(t) + 1}): list the columns in the model's order, "
                f"{','.join(bundle.targets)}, each the column of '{args.data}' that holds it"
            )
    present = [t for t in targets if header is not None and t in header]
    if need_target and header is not None and len(present) < len(targets):
        lacking = [t for t in targets if t not in present]
        fix = " (name the target with --target)"
        if headerless(header):
            fix = (
                "; that first line looks like a row of data, not column names: add a header "
                f"row naming the columns ({_few([*bundle.columns, *targets])}) as the first line"
            )
        elif _title(header) and not set(header) & {*bundle.columns, *targets, *bundle.left_out}:
            fix = "; " + _title(header)  # (one name the model knows: a header, no title)
        elif getattr(args, "target", None):  # (named already: the file lacks it)
            raise CLIError(
                f"--target names the column {lacking[0]!r}, which '{args.data}' does not "
                f"have (its columns: {_few(header)}): name the column that holds the true "
                f"values, or add it; 'glassnet predict' takes rows without it"
                + _did_you_mean(lacking, header, ". ")
            )
        raise CLIError(
            f"'{args.data}' has no target column {lacking[0]!r} to score against; its "
            f"columns are: {', '.join(header)}{fix}"
            + _did_you_mean(lacking, [h for h in header if h not in bundle.columns], ". ")
        )
    # the model's --id and --drop columns may be there; they are read but not used
    left_out = [c for c in bundle.left_out if header is not None and c in header]
    if header is not None:  # the columns first, before any cell is parsed
        _check_columns(bundle.columns, header, present + left_out, args.data, targets)
    if not need_target:  # predict ignores the targets: their cells (empty, often) are not parsed
        left_out += present
        present = []
    single = present[0] if len(present) == 1 else None
    categorical = [c for c in bundle.categorical if header is None or c in header]
    if bundle.task.is_classifier:  # labels, as text: a "yes" among numbers is a label too
        categorical += present  # (_target_indices reads 1.0 as the class 1 of a model of ints)
    fills = bundle.pre.fill_  # the training data's values, when it was trained with --impute
    trained = _dig(bundle.meta, "preprocessing", "impute", kind=str)
    if fills and args.impute is not None and args.impute != trained:
        raise CLIError(
            f"--impute {args.impute} differs from the model's: '{bundle.path}' was trained "
            f"with --impute {trained or 'given'} and fills missing cells with its training "
            f"data's values, so that it reads new data as it read its training data; leave "
            f"out --impute (the model's values are used), or retrain with --impute "
            f"{args.impute}"
        )
    given = _missing_flag(args)
    if given is not None and given != bundle.missing:
        raise CLIError(
            f"{_missing_text(given)} differs from the missing-cell texts the model "
            f"'{bundle.path}' was trained with ({_missing_text(bundle.missing)}): a model "
            f"reads new data as it read its training data; leave out --missing (the model's "
            f"are used), or retrain with the --missing you want"
        )
    try:
        table = _read_table(
            args.data,
            target=single,
            impute=fills or args.impute,
            categorical=categorical,
            delimiter=args.delimiter,
            multiline=args.multiline_cells,
            drop=left_out,
            targets=present,
            missing=bundle.missing,
            target_fix=" (a target is never imputed): the model predicts numbers",
            model=bundle.path,
            decimal=args.decimal,
            nrows=nrows,
        )
    except CLIError as exc:  # an empty column: the model needs it, dropping it is no fix
        if not str(exc).endswith("has no values to impute from: drop the column."):
            raise
        raise CLIError(
            f"{str(exc)[: -len(': drop the column.')]} (every cell is missing), and the "
            f"model '{bundle.path}' stores no values of its own, as it was trained without "
            f"--impute: fill the column in, or retrain with --impute {args.impute}, which "
            f"stores the training data's values"
        ) from None
    if not fills:  # --impute's fills from this file's columns, which the user asked for:
        # given values, as impute={column: value} gives them (the Preprocessor refuses a
        # table's own statistics in place of training values it lacks)
        table.impute, table.fill_values = dict(table.fill_values), {}
    _check_columns(bundle.columns, list(table.names), present, args.data, bundle.targets)
    kinds = bundle.pre.kinds_ or {}
    for c in bundle.columns:
        if kinds.get(c) == "numeric" and table.kinds[c] != "numeric":
            fix = "as the model was trained on plain numbers in this column"
            _refuse_formatted_numbers(table, [c], args.data, fix, model=True)  # "0,5", "−0.5"
            _refuse_underscored(table, c, args.data)
            marked = _marker_text(table, c)  # "?", "-" more often than numbers: per cell
            if marked is not None:
                text, markers = marked
                error = _reader_error(
                    text, path=args.data, decimal=args.decimal, targets=present,
                    target_fix="", missing=bundle.missing, impute=fills or args.impute,
                    model=bundle.path,
                )  # fmt: skip
                # its example of --missing lists the first marker: every one ("?" and "-")
                had = sorted(bundle.missing) if bundle.missing != MISSING_TOKENS else [""]
                one, every = ([*had, *m] for m in (markers[:1], markers))
                first, each = (" ".join(_missing_option(t) for t in dict.fromkeys(x))
                               for x in (one, every))  # fmt: skip
                text = str(error)  # (the reader's example may list every marker already:
                if each not in text:  # then extending it repeated the later ones)
                    text = text.replace(first, each)
                raise CLIError(text) from None
            _numbers(table, c, _INPUT_FIX)
    if table.imputed:
        cells = sum(len(v) for v in table.imputed.values())
        how = "with the training data's values" if fills else "from this file's columns"
        by = {c: "" if fills else f", {args.impute}" for c in table.imputed}
        by.update({c: ", most frequent" for c in by if by[c] and isinstance(table.impute[c], str)})
        _note(
            f"filled {cells} missing cell(s) of '{args.data}' {how}: "
            + _few([f"{c} ({len(v)}{by[c]})" for c, v in table.imputed.items()])
        )
    return _Data(table, bundle.columns, present, args.data)


def _title(header: list[str]) -> str:
    """The advice to delete a title line above the header row (a report's "Sales 2024", as
    spreadsheets export them) for a header row of one name, else ""."""
    named = [n for n in header if n.strip()]
    if len(named) != 1:
        return ""
    return (
        f"its first line, '{_shown(named[0])}', looks like a title above the header row: "
        f"delete it (and any other line above the header)"
    )


def _unseen_name(name: str) -> str:
    """A column name as a message lists it: as written, or escaped where it is not what it
    looks like (combining accents not composed, an invisible character): 'gro\u0308sse'."""
    if name.isascii() or (
        unicodedata.is_normalized("NFC", name) and not invisible_characters(name)
    ):
        return name
    return visible_text(name)


def _check_columns(
    columns: list[str],
    names: list[str],
    targets: list[str],
    source: str,
    model_targets: Sequence[str] = (),
) -> None:
    """The file's feature columns must be the model's (in any order), no more, no fewer;
    ``model_targets``: the model's target columns, named where an extra column is one of
    them written otherwise ('LABEL' for 'label')."""
    have, known, skip = set(names), set(columns), set(targets)  # (linear in the columns)
    missing = [c for c in columns if c not in have]
    extra = [c for c in names if c not in known and c not in skip]
    if missing or extra:
        n_have = sum(c not in skip for c in names)
        detail = []
        if missing:
            detail.append(f"missing: {_few([_unseen_name(c) for c in missing])}")
        if extra:
            detail.append(f"not in the model: {_few([_unseen_name(c) for c in extra])}")
        folded: dict[str, str] = {}
        for c in missing:
            folded.setdefault(loose_text(c), c)
        alike = [(e, folded[loose_text(e)]) for e in extra if loose_text(e) in folded]
        if alike:  # "Color" for "color", an NFD "größe": names are compared as written
            fix = (
                "names must match exactly (the same Unicode characters), case included: "
                "rename "
                + ", ".join(f"{visible_text(e)} to {visible_text(m)}" for e, m in alike[:5])
            )
            nfd = [
                (e, m) for e, m in alike
                if e != m and unicodedata.normalize("NFC", e) == unicodedata.normalize("NFC", m)
            ]  # fmt: skip
            if nfd:
                e, m = nfd[0]
                fix += (
                    f" ({visible_text(e)} and {visible_text(m)} look alike but are two "
                    f"Unicode forms of one name: one writes its accents as combining marks "
                    f"(NFD, as macOS tools write names), the other as one character each (NFC))"
                )
            if len(alike) < max(len(missing), len(extra)):
                fix += ", and add or remove the others"
        elif missing and headerless(extra):
            fix = (
                "its first line looks like a row of data, not column names: add a header row "
                f"naming the columns ({_few(columns)}) as the first line"
            )
        elif missing and len(columns) > 1 and _title(names) and _title(extra):
            fix = _title(names)  # (one name, and not one the model knows: a title)
        elif missing and extra:
            fix = "is it the file the model was made for? rename or add the columns"
        elif missing:
            fix = "add them to the file"
        else:
            fix = "remove them from the file"
            targeted = {loose_text(t): t for t in model_targets if t not in have}
            renamed = [(e, targeted[loose_text(e)]) for e in extra if loose_text(e) in targeted]
            if renamed:  # (a target column is left out as its name, written as the model's)
                e, t = renamed[0]
                fix += (
                    f", or, if {visible_text(e)} holds the model's target {visible_text(t)}, "
                    f"rename it to {visible_text(t)} (names must match exactly, case "
                    f"included; a target column is left out)"
                )
        counted = (  # (the same count: the names differ, which the counts would hide)
            f"the feature columns of '{source}' differ from the model's ({_few(columns)})"
            if n_have == len(columns)
            else f"'{source}' has {n_have} feature column(s) but the model was trained on "
            f"{len(columns)} ({_few(columns)})"
        )
        raise CLIError(f"{counted}; {'; '.join(detail)}: {fix}")


# ======================================================================== argument types


def _number_flag(want: str, *, integer: bool = False, **bounds: Any) -> Callable[[str], Any]:
    """An argparse ``type``: the flag's text as a number that passes ``check_number``
    with ``bounds``, else the usage error ``expected {want}, got '...'`` (with how to write
    it, when it is a number as people write it: 0,1 or 25% or 1e3 for a whole number)."""

    def number(text: str) -> Any:
        value = int(text) if integer else float(text)
        return check_number(value, "flag", "glassnet", integer=integer, **bounds)

    def convert(text: str) -> Any:
        try:
            return number(text)
        except ValueError:  # not a number, or outside the bounds
            pass
        for candidate, how in _number_spellings(text, integer):
            with contextlib.suppress(ValueError):
                number(candidate)
                raise argparse.ArgumentTypeError(
                    f"expected {want}, got {text!r} (write it {how}: {candidate})"
                )
        raise argparse.ArgumentTypeError(f"expected {want}, got {text!r}")

    return convert


def _number_spellings(text: str, integer: bool) -> list[tuple[str, str]]:
    """``text`` written as a number the flags read, when people write it otherwise."""
    out = []
    if not integer and text.count(",") == 1:
        out.append((text.replace(",", "."), "with a decimal point"))
    if not integer and text.endswith("%"):
        with contextlib.suppress(ValueError):
            out.append((repr(float(text[:-1]) / 100), "as a fraction, not a percentage"))
    if integer:
        with contextlib.suppress(ValueError, OverflowError):
            value = float(text)
            if value == int(value) and str(int(value)) != text:
                out.append((str(int(value)), "as digits"))
    return out


_positive_int = _number_flag("a whole number > 0", integer=True, low=0, low_open=True)
_nonneg_int = _number_flag("a whole number >= 0", integer=True, low=0)
_positive_float = _number_flag("a number > 0", low=0, low_open=True)
_nonneg_float = _number_flag("a number >= 0", low=0)
_fraction = _number_flag("a fraction in [0, 1)", low=0, high=1, high_open=True)
_max_runs = _number_flag("a whole number from 1 to 1000", integer=True, low=1, high=1000)
_connections = _number_flag(
    "a whole number from 1 to 100000", integer=True, low=1, high=100_000
)  # (--max-per-client, --max-connections: Playground's bounds)


def _threads_flag(text: str) -> str | int:
    """--threads: 'auto', 'load', 'keep' or a whole number > 0 (BLAS threads while training)."""
    if text in ("auto", "load", "keep"):
        return text
    try:
        return _positive_int(text)
    except argparse.ArgumentTypeError:
        raise argparse.ArgumentTypeError(
            f"expected 'auto', 'load', 'keep' or a whole number > 0, got {text!r}"
        ) from None


def _check_threads_flag(args: argparse.Namespace) -> None:
    """--threads N: refused before any work, naming --threads, where threadpoolctl (which
    sets BLAS's thread count) is not installed or the BLAS runs fewer than N threads."""
    n = getattr(args, "threads", "auto")
    if not isinstance(n, int):
        return
    try:
        import threadpoolctl  # noqa: F401
    except ImportError:
        raise CLIError(
            f"--threads {n} sets the BLAS thread count, which needs threadpoolctl: install "
            "it (pip install 'glassnet[fast]'), or give --threads auto (or leave it out)"
        ) from None
    from .threads import limit

    try:
        with limit([1, 1], 1, threads=n, owner="--threads"):
            pass
    except ParameterError as exc:
        most = re.search(r"runs at most (\d+)", str(exc))
        fewer = f"--threads {most.group(1)} or fewer, " if most else ""
        raise CLIError(
            f"--threads {n}: the BLAS in this process runs at most "
            f"{most.group(1) if most else 'fewer'} threads; give {fewer}or --threads auto"
        ) from None


def _hidden(text: str) -> list[int]:
    """--hidden's widths; 'none' for none (0 or nothing is refused, naming 'none': a
    layer of 0 neurons is no layer, as nn.MLP refuses it)."""
    if text.strip().lower() == "none":
        return []
    if not text.strip():
        raise argparse.ArgumentTypeError(
            f"got {text!r}, no layer width: give widths such as 64,32, or 'none' for no "
            f"hidden layer"
        )
    try:
        sizes = [int(s) for s in text.split(",")]
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"expected layer widths separated by commas such as 64,32, got {text!r}"
        ) from None
    if sizes == [0]:
        raise argparse.ArgumentTypeError(
            f"layer widths must be > 0, got {text!r}: for no hidden layer (a linear or "
            f"logistic model) write --hidden none"
        )
    if any(s <= 0 for s in sizes):
        raise argparse.ArgumentTypeError(f"layer widths must be > 0, got {text!r}")
    return sizes


class _Repeated(argparse.Action):
    """``store`` that remembers each value given (``args.given_<dest>``), so that the
    command can say when an option given more than once kept its last value only."""

    def __call__(self, parser: Any, namespace: Any, values: Any, option: Any = None) -> None:
        given = getattr(namespace, f"given_{self.dest}", None) or []
        setattr(namespace, f"given_{self.dest}", [*given, values])
        setattr(namespace, self.dest, values)
        if option is not None:  # (every option's, in order: _warn_repeated)
            seen = getattr(namespace, "options_given", None) or []
            name = max(self.option_strings, key=len)  # (--out, not -o or an abbreviation)
            namespace.options_given = [*seen, (name, self.dest, values)]


#: The options whose repetition their command answers itself: --hidden's own warning (the
#: widths of each), --target's refusal (the columns of each, in one option).
_REPEATS_TOLD = ("hidden", "target")


def _warn_repeated(args: argparse.Namespace) -> None:
    """A warning for each option of one value given more than once (--epochs 3 --epochs 4):
    the last one counts, as argparse takes it, which the user may not have meant."""
    by: dict[str, list[tuple[str, Any]]] = {}
    for option, dest, value in getattr(args, "options_given", None) or []:
        by.setdefault(dest, []).append((option, value))
    for dest, given in by.items():
        if len(given) < 2 or dest in _REPEATS_TOLD or all(v == given[0][1] for _, v in given):
            continue  # (the same value each time: nothing was overridden)
        texts = [_exact(v) if isinstance(v, float) else str(v) for _, v in given]
        option = given[-1][0]
        _warn(
            f"{option} was given {len(given)} times ({', then '.join(texts)}): only the last "
            f"one, {option} {texts[-1]}, was used; give it once"
        )


def _target_given_once(args: argparse.Namespace) -> None:
    """--target given more than once is refused: the last one alone would count."""
    targets = getattr(args, "given_target", None) or []
    if len(targets) > 1:
        raise CLIError(
            f"--target was given {len(targets)} times ({', then '.join(targets)}): give the "
            f"columns in one option, --target {','.join(targets)} (several targets: a "
            f"multi-output regression, or with --task multilabel one yes/no label each)"
        )


def _hidden_text(args: argparse.Namespace) -> str:
    """The hidden layers' activation as train's model line names it ("relu hidden"), or
    "no hidden layer" for --hidden none (whose --activation acts on nothing)."""
    return f"{args.activation} hidden" if args.hidden else "no hidden layer"


def _hidden_given_twice(args: argparse.Namespace) -> None:
    """A warning when --hidden was given more than once: the last one counts (as for every
    option), which is not the layers of all of them."""
    given = getattr(args, "given_hidden", None) or []
    if len(given) < 2:
        return
    texts = [",".join(map(str, sizes)) or "none" for sizes in given]
    layers = [n for sizes in given for n in sizes]
    _warn(
        f"--hidden was given {len(given)} times ({', then '.join(texts)}): only the last one, "
        f"--hidden {texts[-1]}, was used; for one hidden layer per width give them in one "
        f"option, --hidden {','.join(map(str, layers))}"
    )


#: --delimiter names for characters that are hard to type in a shell.
_DELIMITER_NAMES = {"\\t": "\t", "tab": "\t", "comma": ",", "semicolon": ";", "pipe": "|"}


def _delimiter(text: str) -> str:
    """An argparse ``type``: one field-separator character (``\\t`` or ``tab``: a tab)."""
    char = _DELIMITER_NAMES.get(text.lower(), text)
    if len(char) != 1 or char in '"\r\n':
        raise argparse.ArgumentTypeError(
            f"expected one character such as ',' or ';' ('\\t' or 'tab' for a tab), got {text!r}"
        )
    return char


def _path_text(text: str) -> str:
    """An argparse ``type``: a path to write, not empty (``--out "$OUT"`` with ``OUT`` unset
    printed the predictions, wrote the exercises to ./exercises, or named the directory '.')."""
    if not text.strip():
        raise argparse.ArgumentTypeError(
            f"an empty path ({text!r}: an unset shell variable?); give the file to write"
        )
    return text


def _file_to_write(what: str, example: str, kind: str = "file") -> Callable[[str], str]:
    """An argparse ``type``: :func:`_path_text`, and not ``-``, which stands for standard
    input as a data argument (and standard output as predict's --out): an option that
    writes ``what`` (a model, an exercise sheet) to a ``kind`` ("file", "folder") made one
    named '-' instead."""

    def path(text: str) -> str:
        if text.strip() == "-":
            raise argparse.ArgumentTypeError(
                f"'-' would write {what} to a {kind} named '-' in the working directory "
                f"(not to standard output: '-' stands for standard input only as the data "
                f"argument); give a {kind} name such as {example} (./- for a {kind} named '-')"
            )
        return _path_text(text)

    return path


def _input_text(text: str) -> str:
    """An argparse ``type``: a path to read, not empty (an empty one read as the directory
    '.', "'' is a directory")."""
    if not text.strip():
        raise argparse.ArgumentTypeError(
            f"an empty path ({text!r}: an unset shell variable?); give the file to read"
        )
    return text


def _decimal(text: str) -> str:
    """An argparse ``type``: the decimal mark of the file's numbers, one character."""
    try:
        return check_decimal(text, "")
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"expected one character that marks a number's decimal point, such as ',' for "
            f"3,14 (default '.'), got {text!r}"
        ) from None


def _dataset_name(text: str) -> str:
    key = text.strip().lower().replace("-", "_")
    if key not in DATASETS:
        raise argparse.ArgumentTypeError(
            f"unknown data set {text!r}; choose from {', '.join(DATASETS)}"
        )
    return key


# ======================================================================== the parser


class UsageError(SystemExit):
    """A usage error under ``mpiexec -n N`` (N > 1), not printed yet: :func:`main` has the
    ranks agree on who prints it (every rank running the same command line hits it)."""

    def __init__(self, message: str) -> None:
        super().__init__(2)
        self.message = message

    def __str__(self) -> str:
        return self.message


class HelpRequested(SystemExit):
    """A help text under ``mpiexec -n N`` (N > 1), not printed yet (``--help``, ``--version``,
    or ``glassnet`` without a command: ``code`` 2, on stderr): :func:`main` has the ranks
    agree on who prints it, rank 0 when every rank has the same (every rank runs the same
    command line)."""

    def __init__(self, text: str, code: int = 0) -> None:
        super().__init__(code)
        self.text = text

    def __str__(self) -> str:  # (what another rank's fit names: the help's first line)
        return self.text.strip().splitlines()[0] if self.text.strip() else "--help"


class _Version(argparse.Action):
    """``--version`` (argparse's action), printed once under ``mpiexec -n N`` (N > 1):
    :class:`HelpRequested`."""

    def __init__(
        self,
        option_strings: Sequence[str],
        version: str,
        dest: str = argparse.SUPPRESS,
        default: Any = argparse.SUPPRESS,
        help: str = "show program's version number and exit",
    ) -> None:
        super().__init__(option_strings, dest, nargs=0, default=default, help=help)
        self.version = version

    def __call__(self, parser: Any, namespace: Any, values: Any, option: Any = None) -> None:
        if _distributed.launched()[1] > 1:
            raise HelpRequested(self.version + "\n")
        sys.stdout.write(self.version + "\n")
        parser.exit()


class _Parser(argparse.ArgumentParser):
    """argparse, with usage errors as one line: ``glassnet: error: ...``; a long option
    only as spelled in full (``allow_abbrev=False``: ``--epo 3`` is refused, as a script
    written with it would break the day an option of that prefix is added)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs["allow_abbrev"] = False
        super().__init__(*args, **kwargs)

    def error(self, message: str) -> Any:  # type: ignore[override]
        names = re.fullmatch(r"argument (\S+): expected one argument", message)
        words = getattr(self, "_words", [])
        for i, w in enumerate(words[:-1]):  # (--target -moon: a value starting with '-')
            if names and w in names.group(1).split("/") and words[i + 1].startswith("-"):
                flag = names.group(1).split("/")[-1]
                message += f"; a value that starts with '-' goes after '=': {flag}={words[i + 1]}"
                break
        message = f"{message} (see '{self.prog} --help')"
        if _distributed.launched()[1] > 1:  # printed once, by main()
            raise UsageError(message)
        self.exit(2, f"glassnet: error: {message}\n")

    def parse_known_args(self, args: Any = None, namespace: Any = None) -> Any:  # type: ignore[override]
        """argparse's, with the words no option of a command takes told by that command's
        parser (its help named: ``glassnet predict --help``), not the top-level one's; a
        word after train's data file, the target's name without --target, says so."""
        self._words = [str(w) for w in (sys.argv[1:] if args is None else args)]
        parsed, extras = super().parse_known_args(args, namespace)
        command = getattr(parsed, "command", None)
        if command == "exercise" and extras and not any(w.startswith("-") for w in extras):
            # (the words of 'check KEY ANSWERS' after an option, 'check --tol 0.1 KEY
            # ANSWERS': argparse gives its one positional the words before the option only)
            parsed.check, extras = [*(parsed.check or []), *extras], []
        subs = [a.choices for a in self._actions if isinstance(a.choices, dict)]  # (commands)
        sub = subs[0].get(command) if subs and command is not None else None
        if extras and sub is not None and self.prog == "glassnet":
            message = f"unrecognized arguments: {' '.join(extras)}"
            # (a word after an unknown option is that option's value, not a column's name)
            words = [
                w
                for i, w in enumerate(extras)
                if not w.startswith("-")
                and not (i and extras[i - 1].startswith("-") and "=" not in extras[i - 1])
            ]
            known = [o for a in sub._actions for o in a.option_strings if o.startswith("--")]
            meant = []
            for w in extras:
                if w.startswith("--"):  # (compared without the dashes every option has)
                    bare, typed = [k[2:] for k in known], w.split("=", 1)[0][2:]
                    close = difflib.get_close_matches(typed, bare, n=1, cutoff=0.75)
                    # (else an option like the word's end, --output-activation: --activation;
                    # else the longest option it starts with, --lr-rate: --lr)
                    rest = typed.split("-", 1)[1] if "-" in typed else ""
                    close = close or difflib.get_close_matches(rest, bare, n=1, cutoff=0.6)
                    starts = [k for k in bare if len(k) >= 2 and typed.startswith(k)]
                    close = close or sorted(starts, key=len)[-1:]
                    # (an abbreviation, --epo: options are taken spelled in full only)
                    close = close or sorted(k for k in bare if typed and k.startswith(typed))[:1]
                    meant += [f"--{close[0]} (for {w.split('=', 1)[0]})"] if close else []
            if command == "train" and getattr(parsed, "target", None) is None and len(words) == 1:
                data = getattr(parsed, "data", None) or "DATA.csv"
                message += (
                    f"; if {words[0]!r} is the target column, name it with --target: "
                    f"glassnet train {shlex.quote(str(data))} --target {shlex.quote(words[0])}"
                )
            if meant:
                message += f"; did you mean {', '.join(meant)}?"
            dashed = [w for w in extras if w.startswith("-") and os.path.isfile(w)]
            if dashed:  # (a file named '-data.csv' reads as an option)
                message += f"; for the file {dashed[0]!r} write ./{dashed[0]} (or put -- before it)"
            sub.error(message)
        return parsed, extras

    def print_help(self, file: Any = None) -> None:
        if file is None and _distributed.launched()[1] > 1:  # --help: printed once, by main()
            raise HelpRequested(self.format_help())
        super().print_help(file)


def _wrap(text: str) -> str:
    """A help paragraph wrapped for an 80-column terminal (argparse keeps it as written)."""
    return textwrap.fill(text, width=79)


class _HelpFormatter(argparse.RawDescriptionHelpFormatter):
    """argparse's, but a positional of ``nargs="*"`` whose metavar says how it repeats
    (``check KEY ANSWERS [ANSWERS ...]``) is shown so in the usage, without a second
    ``...`` (``[check KEY ANSWERS [ANSWERS ...] ...]``)."""

    def _format_args(self, action: argparse.Action, default_metavar: str) -> str:
        metavar = action.metavar
        if action.nargs == argparse.ZERO_OR_MORE and isinstance(metavar, str):
            if metavar.endswith("...]"):
                return f"[{metavar}]"
        return super()._format_args(action, default_metavar)


def build_parser() -> argparse.ArgumentParser:
    """The ``glassnet`` argument parser with its six subcommands."""
    from . import __version__

    fmt = _HelpFormatter
    parser = _Parser(
        prog="glassnet",
        description="glassnet: neural networks you can see through, that train fast.\n\n"
        "  glassnet demo                                     the lecture's XNOR network\n"
        "  glassnet train data.csv --target label            train, write model.glassnet\n"
        "  glassnet predict model.glassnet new.csv           predictions as CSV\n"
        "  glassnet evaluate model.glassnet test.csv         scores, confusion matrix\n"
        "  glassnet explain model.glassnet --row 1 test.csv  one row's backprop trace\n"
        "  glassnet info model.glassnet                      what the model file holds\n"
        "  glassnet export model.glassnet model.onnx         ONNX, for onnxruntime\n"
        "  glassnet playground                               watch a network learn, live\n"
        "  glassnet exercise --seed 17 --out sheet17         an exercise sheet and its key\n"
        "  glassnet jit                                      compile the small-network kernels",
        formatter_class=fmt,
        epilog="Run 'glassnet COMMAND --help' for a command's options.\n"
        "Exit status: 0 ok; 1 training failed, memory ran out, an output could not be\n"
        "written (a full disk), a package is missing, or an internal error; 2 usage or\n"
        "data error (also work refused before it starts as needing more memory than may\n"
        "be used); 3 'exercise check' graded the answers and some are wrong; 130\n"
        "interrupted (Ctrl-C); 143 stopped by SIGTERM (129: SIGHUP).",
    )
    parser.add_argument("--version", action=_Version, version=f"glassnet {__version__}")
    parser.add_argument(
        "--debug", action="store_true", help="show Python tracebacks instead of one-line errors"
    )
    debug = argparse.ArgumentParser(add_help=False)
    debug.add_argument(
        "--debug", action="store_true", default=argparse.SUPPRESS, help=argparse.SUPPRESS
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    def command(
        name: str,
        func: Callable[[argparse.Namespace], int],
        help: str,
        description: str,
        model: str | None = None,
        epilog: str | None = None,
    ) -> argparse.ArgumentParser:
        """The subcommand ``name`` running ``func``; ``model``: the help of its MODEL argument
        (the commands that read a model file)."""
        q = sub.add_parser(
            name, parents=[debug], help=help, description=_wrap(description),
            formatter_class=fmt, epilog=epilog,
        )  # fmt: skip
        for key in (None, "store"):  # (an option given twice: _warn_repeated)
            q.register("action", key, _Repeated)
        q.set_defaults(func=func)
        if model is not None:
            q.add_argument("model", type=_input_text, metavar="MODEL", help=model)
        return q

    # -- demo ---------------------------------------------------------------------
    p = command(
        "demo",
        _cmd_demo,
        "train the lecture's XNOR network live and print its table",
        "Train the lecture's 2-2-1 sigmoid network on XNOR by full-batch gradient "
        "descent (a fixed seed, so it converges) and print x1, x2, y, the hidden features "
        "a1, a2, y_hat and the prediction, next to the slide's hand-set weights.",
    )
    p.add_argument(
        "--loss",
        choices=("bce", "mse"),
        default="bce",
        help="binary cross-entropy (default) or mean squared error",
    )
    p.add_argument("--lr", type=_positive_float, help="learning rate (default: 5 bce, 10 mse)")
    p.add_argument(
        "--epochs",
        type=_positive_int,
        help="epochs of gradient descent (default: 1000 bce, 2000 mse)",
    )
    p.add_argument("--seed", type=_nonneg_int, default=0, help="initial weights' seed (default 0)")

    # -- train --------------------------------------------------------------------
    p = command(
        "train",
        _cmd_train,
        "train a network on a CSV file (or a bundled data set) and save it",
        "Train an MLP on a CSV file with a header row and save it as a model file. "
        "Numeric feature columns are standardized, text columns one-hot encoded, class labels "
        "encoded; all of it is stored in the model file and applied again by predict.",
        epilog="examples:\n"
        "  glassnet train iris.csv --target species\n"
        "  glassnet train houses.csv --target price --hidden 64,32 --epochs 300\n"
        "  glassnet train --dataset digits --out digits.glassnet --early-stopping\n"
        "  glassnet train big.csv --target y --checkpoint-every 10   # then: ... --resume\n"
        "  glassnet train huge.csv --target y --stream --batch-size 1024   # larger than memory",
    )
    src = p.add_argument_group("data")
    src.add_argument(
        "data",
        nargs="?",
        type=_input_text,
        metavar="DATA.csv",
        help="CSV file with a header row (- for standard input)",
    )
    src.add_argument(
        "--dataset",
        type=_dataset_name,
        metavar="NAME",
        help=f"a bundled data set instead of a file: {', '.join(DATASETS)}",
    )
    src.add_argument(
        "--target",
        metavar="COL",
        action=_Repeated,
        help="the column to predict (several, comma-separated: multi-output regression, or "
        "with --task multilabel one yes/no label each; a name holding a comma in double "
        "quotes, as --classes takes it: --target '\"price, EUR\"')",
    )
    src.add_argument(
        "--task",
        choices=_TASK_CHOICES,
        default="auto",
        help="default auto: text or small-integer targets are classes (binary / multiclass), "
        f"other numbers regression (integers with more than {MAX_INFERRED_CLASSES} values too), "
        "several targets multi-output regression; multilabel: each --target column a label of "
        "two values (0/1, true/false, yes/no, or two texts: the second sorted is positive), one "
        "sigmoid output each",
    )
    src.add_argument(
        "--classes",
        metavar="LIST",
        help="the class labels, comma-separated, in the order of the outputs (one-hot "
        "columns), e.g. Cat,Dog,Bird (default: sorted); for binary the second is the "
        "positive class; a label that holds a comma in double quotes, as in a CSV file: "
        "'\"Yes, definitely\",No'",
    )
    src.add_argument(
        "--categorical",
        metavar="COLS",
        help="comma-separated columns to one-hot encode even though they look numeric",
    )
    src.add_argument(
        "--impute",
        choices=("mean", "median"),
        help="fill missing/NaN/inf feature cells with the column's mean or median "
        "(text columns: the most frequent value); without it they are errors",
    )
    src.add_argument("--missing", action=_AppendMissing, metavar="TEXT", help=_MISSING_HELP)
    src.add_argument(
        "--delimiter", metavar="CHAR", type=_delimiter,
        help="field separator: one character, or \\t or tab for a tab (default: sniffed)",
    )  # fmt: skip
    src.add_argument("--decimal", metavar="CHAR", type=_decimal, default=".", help=_DECIMAL_HELP)
    src.add_argument("--multiline-cells", action="store_true", help=_MULTILINE_HELP)
    src.add_argument(
        "--drop",
        metavar="COLS",
        help="comma-separated columns to leave out (IDs, free text, leaks of the target)",
    )
    src.add_argument(
        "--id",
        metavar="COL",
        help="a row identifier: not a feature, but copied into predict's output",
    )
    src.add_argument(
        "--no-standardize",
        dest="standardize",
        action="store_false",
        help="feed numeric columns (and regression targets) unscaled",
    )
    src.add_argument(
        "--test-split",
        type=_fraction,
        default=None,
        metavar="F",
        help="fraction of rows held out for the final scores (default 0.25, and 0 for a "
        "truth table's 4 rows, --dataset and|or|...; 0: none)",
    )
    src.add_argument(
        "--stream",
        action="store_true",
        help="data larger than memory: read the CSV file in chunks every epoch (pyarrow), "
        "statistics from one streaming pass, batches shuffled within --buffer-size rows",
    )
    src.add_argument(
        "--buffer-size",
        type=_positive_int,
        metavar="N",
        help="with --stream: rows held by the shuffle buffer (default 65536; at least the "
        "file's rows for a full shuffle); held in whole --batch-size batches (rounded down, one "
        "batch at least)",
    )
    net = p.add_argument_group("network and training")
    net.add_argument(
        "--hidden",
        type=_hidden,
        action=_Repeated,
        default=[64],
        metavar="N,N",
        help="hidden layer widths, e.g. 64,32 (default 64; 'none' for no hidden layer)",
    )
    net.add_argument(
        "--activation",
        choices=_ACTIVATION_CHOICES,
        action=_Repeated,
        default="relu",
        help="hidden activation (default relu)",
    )
    net.add_argument("--optimizer", choices=_OPTIMIZER_CHOICES, default="adam", help="default adam")
    net.add_argument(
        "--lr",
        type=_positive_float,
        help="learning rate (default 0.01; 0.1 for sgd and gd, 1.0 for adadelta)",
    )
    net.add_argument("--epochs", type=_positive_int, default=100, help="default 100")
    net.add_argument(
        "--batch-size",
        type=_nonneg_int,
        default=32,
        metavar="N",
        help="rows per gradient step (default 32; 0: the whole training set)",
    )
    net.add_argument("--l2", type=_nonneg_float, default=0.0, help="L2 penalty (default 0)")
    net.add_argument(
        "--dtype",
        choices=("float32", "float64"),
        default="float32",
        help="the network's floating-point type (default float32; float64 for values "
        "beyond 3.4e38 or for exactness)",
    )
    net.add_argument(
        "--val-split",
        type=_fraction,
        action=_Repeated,  # (args.given_val_split: --val-split 0 given, or the default)
        default=0.0,
        metavar="F",
        help="fraction of the training rows scored after each epoch (default 0)",
    )
    net.add_argument(
        "--early-stopping",
        action="store_true",
        help="stop when the validation loss stops improving and keep the best weights "
        "(uses --val-split, 0.1 if not given)",
    )
    net.add_argument(
        "--patience",
        type=_positive_int,
        default=None,  # (10, set by train: given without --early-stopping it is an error)
        metavar="N",
        help="epochs without improvement before early stopping (default 10)",
    )
    net.add_argument(
        "--seed",
        type=_nonneg_int,
        default=0,
        help="seed of the splits, the initial weights and the batch order (default 0)",
    )
    net.add_argument(
        "--threads",
        type=_threads_flag,
        default="auto",
        metavar="N|auto|load|keep",
        help="BLAS threads while training: auto (default) from the matrix sizes and the "
        "CPUs, the same count on every run on this machine; load also leaves out the CPUs "
        "other work keeps busy (faster on a busy machine, but the weights' last bits may "
        "then differ from run to run); keep: the count in force, unchanged; N: exactly N",
    )
    out = p.add_argument_group("output")
    out.add_argument(
        "--out",
        default="model.glassnet",
        type=_file_to_write("the model", "model.glassnet"),
        metavar="PATH",
        help="model file to write (default model.glassnet)",
    )
    out.add_argument(
        "--checkpoint-every",
        type=_positive_int,
        metavar="N",
        help="write a checkpoint (weights, optimizer state, epoch, history) every N epochs",
    )
    out.add_argument(
        "--checkpoint",
        type=_file_to_write("the checkpoint", "model.glassnet.ckpt"),
        metavar="PATH",
        help="checkpoint file (default: the --out path plus .ckpt)",
    )
    out.add_argument(
        "--resume",
        action="store_true",
        help="continue from the checkpoint; run the same command with --resume added",
    )
    out.add_argument("-q", "--quiet", action="store_true", help="no progress bar")
    out.add_argument(
        "--force",
        action="store_true",
        help="replace an existing --out or --checkpoint file that is not a glassnet model "
        "(or checkpoint), or the checkpoint of an unfinished run; an output that is the same "
        "file as an input, or named as another format (.csv, .onnx), is always refused",
    )

    # -- predict ------------------------------------------------------------------
    p = command(
        "predict",
        _cmd_predict,
        "predict with a model file (CSV out, original label names)",
        "Predict every row of a CSV file. The file needs the model's feature "
        "columns (a target column, if present, is ignored). Writes CSV: one column per "
        "target, named after it, holding class names or values.",
        model="a model file written by glassnet train",
    )
    p.add_argument(
        "data",
        type=_input_text,
        metavar="DATA.csv",
        help="CSV file with the model's feature columns (- for standard input)",
    )
    p.add_argument(
        "--out",
        type=_path_text,
        metavar="PATH",
        help="CSV file to write (default, or '-': standard output)",
    )
    p.add_argument(
        "--force",
        action="store_true",
        help="replace an existing --out file that holds no predictions of this model (its "
        "target, --id and p(...) columns): another table, the data, a file of another kind; "
        "an output that is the same file as an input, or named as another format (.xlsx, "
        ".gz), is always refused",
    )
    p.add_argument(
        "--proba",
        action="store_true",
        help="add one probability column per class, p(<label>) (classification only)",
    )
    p.add_argument(
        "--stream",
        action="store_true",
        help="data larger than memory: read the file --chunk-rows lines at a time and write "
        "each block's predictions as it goes (to a temporary file renamed onto --out once "
        "every row is predicted); the same output as without it",
    )
    _add_chunk_rows(p)
    _add_read_options(p)

    # -- evaluate -----------------------------------------------------------------
    p = command(
        "evaluate",
        _cmd_evaluate,
        "score a model on labelled data (metrics, confusion matrix)",
        "Score a model on a CSV file that holds the target. Classification: "
        "accuracy, precision, recall and F1 per class and macro-averaged, and the confusion "
        "matrix. Regression: MSE, MAE and R^2 per output.",
        model="a model file written by glassnet train",
    )
    p.add_argument(
        "data",
        type=_input_text,
        metavar="DATA.csv",
        help="CSV file with the features and the target (- for standard input)",
    )
    _add_target_option(p)
    p.add_argument(
        "--stream",
        action="store_true",
        help="data larger than memory: read the file --chunk-rows lines at a time, the "
        "scores summed block by block; the same report as without it",
    )
    _add_chunk_rows(p)
    p.add_argument(
        "--json",
        action="store_true",
        help="print the scores as one JSON object instead of the text report (for scripts: "
        "rows, task, targets, per-class or per-label scores, metrics)",
    )
    _add_read_options(p)

    # -- explain ------------------------------------------------------------------
    p = command(
        "explain",
        _cmd_explain,
        "print the forward and backward pass of one row",
        "Trace one row through the network, the lecture's way: every neuron's "
        "weighted sum z and activation a on the way forward, the loss, every gradient on the "
        "way back, and the gradient-descent step it leads to. The row needs its target.",
        model="a model file written by glassnet train",
    )
    p.add_argument(
        "--row",
        type=_positive_int,
        required=True,
        metavar="N",
        help="the data row to explain, counted from 1 (the first row after the header)",
    )
    p.add_argument(
        "data",
        type=_input_text,
        metavar="DATA.csv",
        help="CSV file with the model's feature columns and target (- for standard input)",
    )
    _add_target_option(p)
    p.add_argument(
        "--lr",
        type=_positive_float,
        help="learning rate of the gradient-descent step shown (default: the training --lr)",
    )
    p.add_argument(
        "--l2",
        type=_nonneg_float,
        default=0.0,
        metavar="L2",
        help="show the gradients with the L2 penalty of 'train --l2': L2/(2N) * sum w^2 added "
        "to the loss, L2/N * w to each weight's gradient, N = 1 (the row as a batch of one; "
        "default 0)",
    )
    p.add_argument(
        "--layer",
        type=_positive_int,
        metavar="L",
        help="show layer L (counted from 1) in full: every neuron's z, a and dL/dz",
    )
    p.add_argument(
        "--neuron",
        type=_positive_int,
        metavar="J",
        help="with --layer: neuron J's weighted sum, activation, gradients and step",
    )
    p.add_argument(
        "--top",
        type=_positive_int,
        metavar="K",
        help="how many neurons, and terms of each, the compact view shows, largest first "
        "(default 5 neurons, 3 terms); given, it asks for the compact view of a small network "
        "too",
    )
    p.add_argument(
        "--full",
        action="store_true",
        help=f"the whole lecture trace even for a network of more than "
        f"{EXPLAIN_FULL_WEIGHTS} weights (printed compactly by default)",
    )
    p.add_argument(
        "--names",
        choices=("auto", "lecture", "layered"),
        default="auto",
        help="lecture: z1, w1, ... numbered through the network; layered: z[l]_j, w[l]_ij; "
        "auto (default): lecture for networks of at most 24 weights",
    )
    _add_read_options(p)

    # -- info ---------------------------------------------------------------------
    p = command(
        "info",
        _cmd_info,
        "show a model file's layers, task, preprocessing and training history",
        "Show what a model file holds: layers, shapes, parameter counts and "
        "activations; task and labels; preprocessing; training settings and history.",
        model="a glassnet model file",
    )
    p.add_argument("--json", action="store_true", help="print the JSON description instead")

    # -- export -------------------------------------------------------------------
    p = command(
        "export",
        _cmd_export,
        "write a model as ONNX, with its preprocessing, to run in onnxruntime",
        "Write MODEL as an ONNX file (glassnet.onnx.export): raw rows in (one input per "
        "feature column), predictions out, with the stored scaling, one-hot encoding, "
        "imputation and labels. Needs the onnx extra: pip install 'glassnet[onnx]'.",
        model="a glassnet model file",
    )
    p.add_argument(
        "out",
        type=_file_to_write("the ONNX model", "model.onnx"),
        metavar="OUT.onnx",
        help="the ONNX file to write",
    )
    p.add_argument("--opset", type=_positive_int, default=None, help="ai.onnx opset (>= 17)")
    p.add_argument(
        "--no-verify",
        action="store_true",
        help="write the graph without checking it in onnxruntime (by default its outputs are "
        "compared with glassnet's on 64 random rows, which needs onnxruntime)",
    )
    p.add_argument(
        "--force",
        action="store_true",
        help="replace an existing OUT.onnx file that is not an ONNX file; an output that is "
        "the same file as an input, or named as another format (.glassnet, .csv), is "
        "always refused",
    )
    p.add_argument(
        "--impute-from",
        metavar="CSV",
        help="the training CSV of a model trained with --impute, whose file does not store "
        "the imputation statistics: they are recomputed from it",
    )

    # -- playground ---------------------------------------------------------------
    p = command(
        "playground",
        _cmd_playground,
        "watch a network learn, live, in the browser",
        "Start the playground: a local web app where glassnet trains a small network on 2-D "
        "data while you watch (decision boundary, every neuron's output, the weights, the "
        "slides' numbers). Prints its URL with a new access token and opens it.",
    )
    p.add_argument("--port", type=_nonneg_int, default=0, help="port (default 0: a free one)")
    p.add_argument(
        "--host", default=None,
        help="the address to listen on (default: 127.0.0.1 and ::1, this computer only); "
        "0.0.0.0 opens it to the room: every computer on this computer's networks that "
        "has the URL with its token can use it (the URLs for the room are printed)",
    )  # fmt: skip
    p.add_argument("--no-browser", action="store_true", help="print the URL only")
    p.add_argument(
        "--max-runs", metavar="N", type=_max_runs, default=None,
        help="runs kept at once, one per open page (default 32, at most 1000); past it the "
        "run used least recently is dropped, and its page and this terminal say so",
    )  # fmt: skip
    p.add_argument(
        "--max-per-client", metavar="N", type=_connections, default=None,
        help="connections one computer (client address) may hold open at once (default 24; "
        "a browser opens up to 6); students behind one address, a NAT, share it: raise it",
    )  # fmt: skip
    p.add_argument(
        "--max-connections", metavar="N", type=_connections, default=None,
        help="connections open at once in all (default 512, or fewer where the system "
        "gives fewer file descriptors); past either limit a new one gets 503",
    )  # fmt: skip

    # -- exercise -----------------------------------------------------------------
    p = command(
        "exercise",
        _cmd_exercise,
        "write a worked exercise sheet and its answer key; grade answers",
        "Write a sheet of the lecture's exercises for one student's seed (forward pass, "
        "backpropagation, a gradient-descent step, linear separability, softmax and "
        "cross-entropy, one-hot encoding) with its answer key, as Markdown and HTML; the "
        "same seed gives the same files. 'glassnet exercise check KEY ANSWERS' grades an "
        "answers file and names each exercise's first wrong step; with several answers "
        "files, or a folder of them, it grades each and adds a summary table.",
        epilog="examples:\n"
        "  glassnet exercise --seed 17 --out sheet17\n"
        "  glassnet exercise check sheet17/key.json answers.txt\n"
        "  glassnet exercise check sheet17/key.json answers/\n\n"
        "exit status of check: 0 every answer right, 3 some answers wrong, 2 a usage error\n"
        "or a key or answers file that cannot be read (with several files: one of them\n"
        "could not be graded, the table says why), 1 an internal error.",
    )
    p.add_argument(
        "check", nargs="*", metavar="check KEY ANSWERS [ANSWERS ...]",
        help="grade answers files (or folders of them) against one key; with several, a "
        "summary table",
    )  # fmt: skip
    # (no defaults here: exercises.run_cli tells an option given to 'check' from one left out)
    p.add_argument("--seed", type=_nonneg_int, help="the student's seed (default 0)")
    p.add_argument(
        "--out",
        type=_file_to_write("the sheet and its key", "sheet17", "folder"),
        metavar="DIR",
        help="output folder (default ./exercises)",
    )
    p.add_argument("--kinds", help="comma-separated kinds (default: all)")
    p.add_argument("--tol", type=float, help="tolerance of check (default 0.01)")
    p.add_argument(
        "--force",
        action="store_true",
        help="replace another sheet in --out (of another seed or other kinds)",
    )

    # -- jit ----------------------------------------------------------------------
    command(
        "jit",
        _cmd_jit,
        "compile the small-network kernels now (glassnet[jit])",
        "Compile the compiled loop's kernels for small networks (glassnet.jit, numba) for "
        "float32 and float64 now, or load them from numba's cache, and print how long each "
        "took. Optional: the first training run that uses them (fit(..., engine='jit')) "
        "does it otherwise (30-60 s, once per machine and glassnet version). Needs the jit "
        "extra: pip install 'glassnet[jit]'. Replaces 'python -m glassnet.jit', which still "
        "works but makes Python warn that glassnet.jit was imported before it ran.",
    )
    for name in _QUIET_COMMANDS:  # (train's -q: no progress bar; see _flush_pending)
        sub.choices[name].add_argument(
            "-q",
            "--quiet",
            action="store_true",
            help="no notes on stderr (glassnet: note: ..., such as the cells filled by "
            "--impute): for cron and scripts; warnings and errors are still printed",
        )
    return parser


#: The commands whose -q/--quiet leaves out the notes (train's: the progress bar).
_QUIET_COMMANDS = ("predict", "evaluate", "explain")


def _add_chunk_rows(p: argparse.ArgumentParser) -> None:
    """predict's and evaluate's --chunk-rows (with --stream)."""
    p.add_argument(
        "--chunk-rows",
        type=_positive_int,
        metavar="N",
        help=f"with --stream: lines of the file read at a time, at most (default "
        f"{_CHUNK_ROWS}; a block also ends near 4 MiB of the file; memory grows with it)",
    )


_MISSING_HELP = (
    "a cell text that marks a missing cell, compared in any case; repeat it for each one, "
    "e.g. --missing '' --missing '?' (empty cells and ?; then NA is an ordinary value). "
    "It replaces the default set: empty, nan, NA, N/A, null"
)
_MISSING_READ_HELP = (
    "the model reads cells as its training run did (its --missing, stored in the model "
    "file); a --missing other than those is refused"
)

_DECIMAL_HELP = (
    "the decimal mark of the file's numbers: one character, e.g. ',' to read 3,14 (as "
    "European spreadsheets write it, with ';' between cells); then 3.14 is no number "
    "(default '.')"
)
_DECIMAL_READ_HELP = (
    "the decimal mark of the file's numbers: one character, e.g. ',' to read 3,14 (then "
    "3.14 is no number); default: the model's, the --decimal of its training run (stored in "
    "the model file; '.' for a model trained without it), so give it only for a file written "
    "otherwise"
)
_MULTILINE_HELP = (
    "accept quoted cells that hold line breaks (without it they are errors naming the "
    "line: usually a stray quote)"
)


_MULTILINE_READ_HELP = (
    "accept quoted cells that hold line breaks (default: as the model's training file was "
    "read, train's --multiline-cells; --no-multiline-cells makes them errors naming the line)"
)


def _add_target_option(p: argparse.ArgumentParser) -> None:
    """evaluate's and explain's --target (given twice: refused, :func:`_target_given_once`)."""
    p.add_argument(
        "--target", metavar="COL", action=_Repeated,
        help="the target column (default: the one trained on)",
    )  # fmt: skip


def _add_read_options(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--impute",
        choices=("mean", "median"),
        help="for a model trained without --impute: fill missing/NaN/inf feature cells from "
        "this file's column mean or median, a text column's most frequent value (a model "
        "trained with --impute fills them with "
        "its training data's values; another --impute than its own is refused)",
    )
    p.add_argument(
        "--unknown",
        choices=("error", "ignore"),
        default="error",
        help="a category the model never saw: an error (default), or encoded as all zeros "
        "and counted in a warning",
    )
    p.add_argument("--missing", action=_AppendMissing, metavar="TEXT", help=_MISSING_READ_HELP)
    p.add_argument(
        "--delimiter", metavar="CHAR", type=_delimiter,
        help="field separator: one character, or \\t or tab for a tab (default: sniffed)",
    )  # fmt: skip
    p.add_argument("--decimal", metavar="CHAR", type=_decimal, help=_DECIMAL_READ_HELP)
    p.add_argument(
        "--multiline-cells", action=argparse.BooleanOptionalAction, default=None,
        help=_MULTILINE_READ_HELP,
    )  # fmt: skip


# ======================================================================== demo

# The lecture's hand-set hidden layer for XNOR: a1 = sigmoid(-6 + 4 x1 + 4 x2),
# a2 = sigmoid(2 - 4 x1 - 4 x2); the slide then separates the (a1, a2) points with
# the line z = -0.5 + a1 + a2 = 0.
_SLIDE_W1 = np.array([[4.0, -4.0], [4.0, -4.0]])  # (inputs, neurons)
_SLIDE_B1 = np.array([-6.0, 2.0])  # (neurons,)
_DEMO_DEFAULTS = {"bce": (5.0, 1000), "mse": (10.0, 2000)}


def _sigmoid(z: np.ndarray) -> np.ndarray:
    return np.asarray(F.sigmoid_fn(np.asarray(z, dtype=np.float64)))


def _affine(bias: float, weights: Sequence[float], names: Sequence[str]) -> str:
    """``b + w1 x1 + w2 x2`` with signs written out: 'sigmoid(2.00 - 4.00 x1 - 4.00 x2)',
    every number with two decimals (a slide's reader tells 14.00 from 13.99); one that
    rounds to zero as 0.00, no minus; from a million on, three digits (1e+20)."""
    text = _demo_number(bias)
    for w, n in zip(weights, names):
        shown = _demo_number(w)
        text += f" {'-' if shown.startswith('-') else '+'} {shown.lstrip('-')} {n}"
    return f"sigmoid({text})"


def _demo_number(value: float) -> str:
    text = f"{value:.2f}" if abs(value) < 1e6 else f"{value:.3g}"
    return "0.00" if text == "-0.00" else text


def _demo_table(
    rows: list[list[str]], align: str, style: _Style, marks: Sequence[str] = ()
) -> list[str]:
    """A demo table: a bold header, a rule under it, an optional mark after each row."""
    lines = _render(rows, align)
    rule = "  " + "".join("+" if ch == "|" else "-" for ch in lines[0][2:])
    out = [style.bold(lines[0]), rule]
    for i, line in enumerate(lines[1:]):
        out.append(f"{line}   {marks[i]}" if marks else line)
    return out


def _cmd_demo(args: argparse.Namespace) -> int:
    from .datasets import xnor_gate
    from .nn import MLP

    out = sys.stdout
    style = _Style(out)
    default_lr, default_epochs = _DEMO_DEFAULTS[args.loss]
    lr = args.lr if args.lr is not None else default_lr
    epochs = args.epochs if args.epochs is not None else default_epochs
    loss = "binary_cross_entropy" if args.loss == "bce" else "mse"

    X, y = xnor_gate()  # (4, 2), (4,)
    net = MLP(
        [2, 2, 1],
        activation="sigmoid",
        output_activation="sigmoid",
        rng=args.seed,
        dtype=np.float64,
    )
    t0 = time.perf_counter()
    history = OwnInterrupt.named(  # (an interrupt: told in the command line's words)
        fit(net, X, y, loss=loss, optimizer="sgd", lr=lr, epochs=epochs, batch_size=None,
            verbose=0, callbacks=[OwnInterrupt()])
    )  # fmt: skip
    seconds = time.perf_counter() - t0
    if history.stop_reason == "interrupted":  # (docs/cli.md: Ctrl-C 130, SIGTERM 143; the
        text, status = _stop_signal_text()  # demo printed its table as if it had finished)
        stop = f"interrupted ({text})" if text == "Ctrl-C" else f"stopped by {text}"
        raise CLIError(f"{stop} after {history.epochs} of {epochs} epochs", status)
    if history.loss[-1] > history.loss[0]:  # (float64: large weights stay finite; as train's
        # divergence, status 1; the demo's own --lr for either loss never gets here)
        given = f"--loss {args.loss}" if args.loss != "bce" else "the default --loss bce"
        raise CLIError(
            f"training diverged: the loss rose from {history.loss[0]:.4g} to "
            f"{history.loss[-1]:.4g} over {history.epochs} epochs: --lr {lr:g} is too large "
            f"and each step overshoots; try a smaller --lr (the demo's, for {given}, is "
            f"{default_lr:g})",
            1,
        )

    lin1, lin2 = net.layers[0], net.layers[2]
    W1, b1 = lin1.W.data, lin1.b.data  # (2, 2), (2,)
    W2, b2 = lin2.W.data, lin2.b.data  # (2, 1), (1,)
    A = _sigmoid(X @ W1 + b1)  # (4, 2): the hidden features a1, a2
    y_hat = _sigmoid(A @ W2 + b2)[:, 0]  # (4,)
    pred = (y_hat > 0.5).astype(int)
    right = pred == y.astype(int)

    loss_name = "binary cross-entropy" if args.loss == "bce" else "mean squared error"
    lines = [
        style.bold("glassnet demo: the lecture's XNOR network, trained live"),
        "",
        "  XNOR is 1 when x1 = x2. No single neuron separates it (no straight line splits",
        "  the four corners), but two hidden neurons can build features a1, a2 that do.",
        "",
        "  network   2-2-1, sigmoid neurons: a = g(x W1 + b1), y_hat = g(a W2 + b2)",
        f"  training  {loss_name}, full-batch gradient descent, lr {lr:g}, "
        f"{history.epochs} epochs, seed {args.seed}",
        f"  loss      {history.loss[0]:.4f} -> {history.loss[-1]:.4g}   ({seconds:.2f} s)",
        "",
    ]
    rows = [["x1", "x2", "|", "y", "|", "a1", "a2", "|", "y_hat", "prediction"]]
    for i in range(4):
        rows.append([
            f"{X[i, 0]:.0f}", f"{X[i, 1]:.0f}", "|", f"{y[i]:.0f}", "|",
            f"{A[i, 0]:.3f}", f"{A[i, 1]:.3f}", "|", f"{y_hat[i]:.3f}", f"{pred[i]}",
        ])  # fmt: skip
    lines += _demo_table(rows, "rrcccrrcrc", style, marks=[
        style.good("right") if ok else style.bad("wrong") for ok in right
    ])  # fmt: skip
    lines += [
        "",
        "  learned weights (W has shape (inputs, neurons), as on the slides):",
        f"    a1    = {_affine(b1[0], W1[:, 0], ('x1', 'x2'))}",
        f"    a2    = {_affine(b1[1], W1[:, 1], ('x1', 'x2'))}",
        f"    y_hat = {_affine(b2[0], W2[:, 0], ('a1', 'a2'))}",
        "",
        style.bold("  the slide's hand-set weights:"),
        "    a1 = sigmoid(-6 + 4 x1 + 4 x2)",
        "    a2 = sigmoid( 2 - 4 x1 - 4 x2)",
        "    and the line z = -0.5 + a1 + a2 = 0 splits the classes in the (a1, a2) plane",
        "",
    ]
    A_slide = _sigmoid(X @ _SLIDE_W1 + _SLIDE_B1)  # (4, 2)
    z_slide = -0.5 + A_slide.sum(axis=1)  # (4,): the slide's line z = -0.5 + a1 + a2
    rows = [["x1", "x2", "|", "y", "|", "a1", "a2", "|", "z", "prediction"]]
    for i in range(4):
        rows.append([
            f"{X[i, 0]:.0f}", f"{X[i, 1]:.0f}", "|", f"{y[i]:.0f}", "|",
            f"{A_slide[i, 0]:.3f}", f"{A_slide[i, 1]:.3f}", "|", f"{z_slide[i]:+.3f}",
            f"{int(z_slide[i] > 0)}",
        ])  # fmt: skip
    lines += _demo_table(rows, "rrcccrrcrc", style)
    lines.append("")
    if right.all():
        lines.append(
            "  Trained or hand-set, the hidden layer moves the four corners to points that\n"
            "  one straight line splits: " + style.good("all 4 rows right.")
        )
    else:
        lines.append(style.bad(f"  {int((~right).sum())} of 4 rows wrong: ") + _demo_advice(
            history.loss, epochs, default_epochs, lr, default_lr
        ))  # fmt: skip
    out.write("\n".join(lines) + "\n")
    return 0


def _demo_advice(loss: list[float], epochs: int, default: int, lr: float, default_lr: float) -> str:
    """What to try when the demo left rows wrong: more --epochs when it ran fewer than its
    default or its loss still fell over the last tenth of the epochs (by 0.1% or more); the
    default --lr (or more epochs) when --lr was below it (small steps: a slow fall, no
    plateau); else another --seed (the loss moved less: this start stalled on a plateau)."""
    tail = max(epochs // 10, 1)
    before = loss[-tail - 1] if len(loss) > tail else loss[0]
    fall = (before - loss[-1]) / max(abs(loss[-1]), 1e-12)
    if epochs < default:
        return (
            f"{epochs} epochs are fewer than the demo's {default}: try more\n"
            f"  epochs first (--epochs {default}), then another --seed if rows stay wrong."
        )
    if lr < default_lr:
        return (
            f"--lr {_exact(lr)} is below the demo's {_exact(default_lr)}: its small steps\n"
            f"  need more epochs; try the default --lr {_exact(default_lr)} (or more --epochs),\n"
            f"  then another --seed if rows stay wrong."
        )
    if fall >= 1e-3:
        return (
            f"the loss still fell by {fall:.1%} over the last {tail} epochs: try more\n"
            f"  --epochs (then another --seed if rows stay wrong)."
        )
    return (
        f"this start stalled on a plateau (the loss moved {fall:.2%} over the last {tail}\n"
        f"  epochs: hidden neurons saturated); try another --seed."
    )


# ======================================================================== train


@dataclass
class _RunState:
    """What a checkpoint holds besides the weights and the optimizer state."""

    epoch: int = 0
    loss: list[float] = field(default_factory=list)
    val_loss: list[float] = field(default_factory=list)
    val_metric: list[float] = field(default_factory=list)
    metric_name: str = ""
    best_val: float | None = None
    best_epoch: int | None = None
    bad_epochs: int = 0
    stop_reason: str | None = None
    seconds: float = 0.0

    def to_json(self) -> dict[str, Any]:
        return dict(self.__dict__)

    @classmethod
    def from_json(cls, d: dict[str, Any]) -> _RunState:
        keys = set(cls.__dataclass_fields__)
        if not isinstance(d, dict) or set(d) != keys:
            raise ValueError("the checkpoint's run state is malformed")
        real, whole, text = (int, float), (int,), (str,)
        kinds = {  # each field's JSON types (None where the field may be None)
            "epoch": whole, "bad_epochs": whole, "best_epoch": (*whole, type(None)),
            "seconds": real, "best_val": (*real, type(None)), "metric_name": text,
            "stop_reason": (*text, type(None)),
        }  # fmt: skip
        for name, value in d.items():
            ok = kinds.get(name)
            if ok is None:  # the curves: lists of numbers
                good = isinstance(value, list) and all(isinstance(v, real) for v in value)
            else:
                good = isinstance(value, ok) and not isinstance(value, bool)
            if not good:
                raise ValueError(f"the checkpoint's run state holds {name}={value!r:.40}")
        return cls(**d)


def reproducible() -> bool:
    """Whether ``SOURCE_DATE_EPOCH`` is set (reproducible-builds.org's convention; empty
    counts as unset): the files train writes then hold no training time, so that the same
    command on the same data writes the same bytes. A value that is not a whole number of
    seconds since 1970 is refused, as the convention asks."""
    text = os.environ.get("SOURCE_DATE_EPOCH", "")
    if not text:
        return False
    if not (text.isascii() and text.isdigit()):
        raise CLIError(
            f"SOURCE_DATE_EPOCH={text!r} is not a whole number of seconds since 1970 (the "
            f"reproducible-builds convention): give one, such as SOURCE_DATE_EPOCH=0, or "
            f"unset it"
        )
    return True


def _history(state: _RunState, stop: str) -> dict[str, Any]:
    """A model file's "history": the run's state and its stop message, the training time
    to the millisecond (as a number of 5 characters from 0.001 to 9.999 s, whose digits
    otherwise move the file's size from run to run: see docs/cli.md's sizes), or None
    under ``SOURCE_DATE_EPOCH`` (:func:`reproducible`: the wall clock differs from run to
    run, and the file's bytes then must not)."""
    seconds = None if reproducible() else round(state.seconds, 3)
    return {**state.to_json(), "seconds": seconds, "message": stop}


def _resolve_task(args: argparse.Namespace, data: _Data) -> str:
    """The task name: --task, else inferred from the targets."""
    multi = data.y_numeric is not None and data.y_numeric.ndim == 2
    task = args.task
    if task == "multilabel":
        if data.y_multilabel is None:
            raise CLIError(
                "--task multilabel needs label columns of a CSV file, --target a,b,c; a "
                "--dataset names its own task"
            )
        return "multilabel"
    if multi:
        if task not in ("auto", "regression", "multioutput_regression"):
            raise CLIError(
                f"--task {task} needs one target column; several targets {data.targets} "
                f"make a multi-output regression"
            )
        return "multioutput_regression"
    if task == "multioutput_regression":
        raise CLIError("--task multioutput_regression needs several --target columns, a,b")
    if task == "regression":
        if data.y_numeric is None:
            raise CLIError(
                f"--task regression needs a numeric target: {_oneline(data.label_error or '')}"
            )
        return "regression"
    if task in ("binary", "multiclass"):
        if data.y_labels is None:
            raise CLIError(f"--task {task} needs one target column of class labels")
        return task
    if data.task_hint is not None:
        return data.task_hint
    labels = data.y_labels
    assert labels is not None
    distinct = np.unique(labels)
    if len(distinct) < 2:
        need = "two different values" if data.y_numeric is not None else "two classes"
        raise CLIError(
            f"the target '{data.targets[0]}' of {data.source} has a single value "
            f"({str(distinct[0])!r}) in all {len(labels)} rows: there is nothing to learn; "
            f"a model needs at least {need}"
        )
    # auto: infer_task says text and integer labels are classes, other numbers regression
    name = infer_task(labels).name
    if (
        name in ("binary", "multiclass")
        and data.y_numeric is not None
        and len(distinct) > MAX_INFERRED_CLASSES
    ):
        name = "regression"
    return name


def _labels_text(names: Sequence[str], entries: Sequence[dict[str, Any]], limit: int = 8) -> str:
    """A multi-label model's labels: 'a' 0/1, 'b' no/yes, ..."""
    shown = [f"{_q(t)} {_label_pair(e)}" for t, e in zip(names, entries)]
    return _few(shown, limit)


def _few(names: Sequence[str], limit: int = 8) -> str:
    """At most ``limit`` names, comma-separated, then how many there are in all."""
    shown = ", ".join(names[:limit])
    return shown + (f", ... ({len(names)} in all)" if len(names) > limit else "")


def _csv_quoted(name: str, shown: str) -> str:
    """``shown`` (the name ``name`` as a message shows it) in double quotes, each of its
    own doubled, when ``name`` holds a comma or a double quote, as a CSV file writes it
    (and --classes reads it): a list of such names is read one way only."""
    if "," in name or '"' in name:
        return '"' + shown.replace('"', '""') + '"'
    return shown


def _classes_text(classes: Sequence[str], limit: int = 8) -> str:
    """The class names, comma-separated, one that holds a comma or a quote CSV-quoted."""
    some = list(classes[:limit])
    shown = ", ".join(_csv_quoted(str(c), t) for c, t in zip(some, _shown_apart(some)))
    return shown + (f", ... ({len(classes)} in all)" if len(classes) > limit else "")


def _settings(args: argparse.Namespace, data: _Data, task_name: str, lr: float) -> dict[str, Any]:
    """The training settings: stored in the model, and checked on --resume."""
    return {
        "data": _SHOWN.get(data.source, data.source),  # ("-": standard input, not its copy)
        "target": data.targets,
        "task": task_name,
        "hidden": list(args.hidden),
        "activation": args.activation,
        "optimizer": args.optimizer,
        "lr": lr,
        "batch_size": args.batch_size,
        "l2": args.l2,
        "val_split": _val_split(args),  # (the split held out: 0.1 with --early-stopping alone)
        "early_stopping": bool(args.early_stopping),
        "patience": args.patience,
        "seed": args.seed,
        "test_split": args.test_split,
        "standardize": bool(args.standardize),
        "impute": args.impute,
        "categorical": data.categorical if args.data else _split_names(args.categorical),
        "dtype": args.dtype,
    }


def _val_split(args: argparse.Namespace) -> float:
    """The fraction of the training rows held out for validation (--early-stopping alone: 0.1)."""
    return args.val_split if args.val_split > 0 else (0.1 if args.early_stopping else 0.0)


def _fingerprint(*arrays: np.ndarray | None) -> str:
    h = hashlib.sha256()
    for a in arrays:
        if a is not None:
            a = np.ascontiguousarray(a)
            h.update(f"{a.dtype.str}{a.shape}".encode())
            h.update(a.tobytes())
    return h.hexdigest()[:32]


@dataclass
class _Prepared:
    """The data of a training run, split and preprocessed."""

    data: _Data
    task_name: str
    task: Task
    labels: LabelEncoder | None
    y_all: np.ndarray  # (N,) class indices, or (N, K) target values
    train_rows: np.ndarray
    val_rows: np.ndarray
    test_rows: np.ndarray
    pre: Preprocessor
    X_all: np.ndarray  # (N, n_inputs) float32, preprocessed
    Y_all: np.ndarray  # (N, n_outputs) as the loss expects them
    y_scaler: StandardScaler | None

    @property
    def classes(self) -> list[str]:
        return [] if self.labels is None else [str(c) for c in self.labels.classes_.tolist()]


def _split_rows(
    args: argparse.Namespace, y_all: np.ndarray, classifier: bool
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Train, validation and test row indices, stratified by class where the classes can
    be (room for one row of each in both parts). A class of one row cannot be in both: its
    row trains (the model is never scored on a class it could not learn), the others are
    stratified; unless the other classes have too few rows to hold out from."""

    def split(rows: np.ndarray, size: float, seed: np.random.Generator, flag: str) -> list:
        strat, held = None, math.ceil(size * len(rows))  # (train_test_split's count)
        if held >= len(rows):  # (in the flag's words: train_test_split names its test_size)
            what = f"the {len(rows)} rows"
            if flag == "--val-split" and args.test_split > 0:
                what = f"the {len(rows)} rows that --test-split {args.test_split} leaves"
            raise CLIError(
                f"{flag} {size} holds out {held} of {what}, which leaves none to train on: use "
                f"a smaller {flag}"
            )
        lone = rows[:0]  # (the rows of classes of one row, kept for training)
        if classifier:
            _, inverse, counts = np.unique(y_all[rows], return_inverse=True, return_counts=True)
            single = counts[inverse] == 1  # (n,)
            if single.any() and held < np.count_nonzero(~single):
                lone, rows, counts = rows[single], rows[~single], counts[counts > 1]
            if counts.min() >= 2 and counts.size <= held <= len(rows) - counts.size:
                strat = y_all[rows]
        try:
            train, test = train_test_split(rows, test_size=held, seed=seed, stratify=strat)
        except ValueError as exc:
            raise CLIError(f"{flag} {size}: {_oneline(str(exc))}") from None
        return [np.concatenate([train, lone]), test]

    rows = np.arange(len(y_all))
    train_rows, test_rows = rows, rows[:0]
    if args.test_split > 0:
        rng = np.random.default_rng([args.seed, 2])
        train_rows, test_rows = split(rows, args.test_split, rng, "--test-split")
    val_split = _val_split(args)
    val_rows = train_rows[:0]
    if val_split > 0:
        rng = np.random.default_rng([args.seed, 3])
        train_rows, val_rows = split(train_rows, val_split, rng, "--val-split")
    return train_rows, val_rows, test_rows


def _label_encoder(args: argparse.Namespace, y_labels: np.ndarray, target: str) -> LabelEncoder:
    """The target's LabelEncoder: sorted classes, or --classes in the user's order (each
    read as the labels' type: 1 and 1.0 are the same class)."""
    if not getattr(args, "classes", None):
        return LabelEncoder().fit(y_labels)
    given = f"--classes {args.classes}"
    try:  # (CSV-quoted as a file's cells are: "Yes, definitely",No)
        text = re.sub(r'"[ \t]+(?=,|$)', '"', args.classes)  # ("Yes, definitely" , No)
        row = csv.reader([text], strict=True, skipinitialspace=True)
        names = [c.strip() for c in next(row)]
    except csv.Error as exc:
        raise CLIError(
            f"{given}: its double quotes do not make one CSV row ({exc}); write a class "
            f"name that holds a comma in double quotes, each quote inside it doubled, as a "
            f"CSV file does, e.g. --classes '\"Yes, definitely\",No'"
        ) from None
    if not all(names):
        raise CLIError(
            f"{given}: an empty class name (a comma at an end, or two in a row); list each "
            f"class once, comma-separated, e.g. Cat,Dog,Bird"
        )
    twice = [c for i, c in enumerate(names) if c in names[:i]]
    if twice:
        raise CLIError(f"{given}: {twice[0]!r} is listed twice; list each class once")
    present = np.unique(y_labels)  # (C,) sorted
    classes: list[Any] = names
    if y_labels.dtype.kind in "iuf":  # numbers: 1 and 1.0 are the same class
        whole = y_labels.dtype.kind in "iu"
        classes = []
        for c in names:
            try:
                v = float(c)
            except ValueError:
                v = math.nan
            exact = _whole_number(c, underscores=True) if whole else None  # (...993 exactly)
            if not math.isfinite(v) or (whole and exact is None):
                raise CLIError(
                    f"{given}: {c!r} is not {'a whole number' if whole else 'a number'}, but "
                    f"the target '{target}' holds numbers ({_few([str(x) for x in present])}); "
                    f"list those"
                )
            classes.append(exact if whole else v)
    elif _digit_labels(present.tolist()):  # (digits beyond int64: '2e20' is 200000...)
        exacts = [_whole_number(c, underscores=True) for c in names]
        classes = [c if e is None else str(e) for c, e in zip(names, exacts, strict=True)]
        twice = [c for i, c in enumerate(classes) if c in classes[:i]]
        if twice:
            raise CLIError(f"{given}: {twice[0]!r} is listed twice; list each class once")
    listed = set(classes)
    lacking = [str(c) for c in present.tolist() if c not in listed]
    if lacking:
        quoting = ""
        if any("," in c or '"' in c for c in present.astype(str).tolist()):
            buf = _io.StringIO()
            csv.writer(buf, lineterminator="").writerow(present.astype(str).tolist())
            quoting = (
                f" (a name that holds a comma in double quotes, as a CSV file writes it: "
                f"--classes {shlex.quote(buf.getvalue())})"
            )
        held = set(present.astype(str).tolist())  # (a listed class the target holds is right)
        spelled = {loose_spelling(str(n)): str(n) for n in names if str(n) not in held}
        near = [(c, spelled[loose_spelling(c)]) for c in lacking if loose_spelling(c) in spelled]
        if near:  # ('yes' listed for the target's 'Yes')
            quoting += (
                "; the names must match the target's exactly, case included: write "
                + ", ".join(f"{c!r} for {n!r}" for c, n in near)
            )
        raise CLIError(
            f"{given}: the target '{target}' also holds {_few([repr(c) for c in lacking])}, "
            f"which the list lacks; list every class of the target once{quoting}"
        )
    seen = set(present.tolist())
    unused = [str(c) for c in classes if c not in seen]
    if unused:
        _warn(
            f"{given}: {_few([repr(c) for c in unused])} never occur(s) in the target "
            f"'{target}', so the model's output for it is never trained (a typo?)"
        )
    return LabelEncoder(classes=classes).fit(y_labels)


def _prepare(args: argparse.Namespace) -> _Prepared:
    """Read the data, settle the task, split the rows, fit the preprocessing on them."""
    # 1) data and task
    data = _csv_data(args) if args.data is not None else _dataset_data(args.dataset, args.seed)
    task_name = _resolve_task(args, data)
    n = data.table.n_rows
    labels = None
    if getattr(args, "classes", None) and task_name not in ("binary", "multiclass"):
        raise CLIError(
            f"--classes names class labels, but the target '{data.targets[0]}' is treated as "
            f"{task_name} targets: add --task multiclass (or binary), or drop --classes"
        )
    if task_name in ("binary", "multiclass"):
        assert data.y_labels is not None
        labels = _label_encoder(args, data.y_labels, data.targets[0])
        classes = [str(c) for c in labels.classes_.tolist()]
        if getattr(args, "classes", None) and args.task == "auto":  # the list's length
            task_name = "binary" if len(classes) == 2 else "multiclass"
        if len(classes) < 2:
            raise CLIError(
                f"the target '{data.targets[0]}' of {data.source} has a single class "
                f"({classes[0]!r}) in its {n} rows: a classifier needs at least two classes"
            )
        if task_name == "binary" and len(classes) > 2:
            raise CLIError(
                f"--task binary needs 2 classes but the target has {len(classes)}: "
                f"{_classes_text(classes)}; use --task multiclass"
            )
        if labels.classes_.dtype.kind == "U" and not getattr(args, "classes", None):
            _warn_lookalikes(
                classes,
                f"classes of the target '{data.targets[0]}'",
                "each is trained as a class of its own: if they are one class, write them the "
                "same way in the file",
            )
        y_all = labels.transform(data.y_labels)  # (N,) class indices
        n_outputs = 1 if task_name == "binary" else len(classes)
    elif task_name == "multilabel":
        assert data.y_multilabel is not None
        y_all = data.y_multilabel  # (N, K) 0/1
        n_outputs = y_all.shape[1]
    else:
        assert data.y_numeric is not None
        y_all = data.y_numeric.reshape(n, -1)  # (N, K)
        n_outputs = y_all.shape[1]
        if args.task == "auto" and args.data is not None:
            for k, name in enumerate(data.targets):
                _warn_identifier_target(name, y_all[:, k])
    task = _make_task(task_name, n_outputs)

    # 2) rows
    train_rows, val_rows, test_rows = _split_rows(args, y_all, labels is not None)
    if labels is not None:  # a class whose every row is held out is never learned
        classes = [str(c) for c in labels.classes_.tolist()]
        counts = np.bincount(y_all, minlength=len(classes))  # (C,)
        trained = np.bincount(y_all[train_rows], minlength=len(classes))  # (C,)
        unlearned = [f"{classes[k]} ({int(counts[k])} row(s))"
                     for k in np.flatnonzero((trained == 0) & (counts > 0))]  # fmt: skip
        ones = int(np.count_nonzero(counts == 1))
        named = len(classes) > 2 and 2 * ones > n  # most rows a class of their own: an ID?
        if named:
            _warn(
                f"the target '{data.targets[0]}' has {len(classes)} classes in {n} rows, "
                f"{ones} of them of a single row, which teaches nothing about them (a name or "
                f"an ID?): if it is not the column to predict, name that one with --target"
            )
        if unlearned and not named:
            cut = _cut_short(data, y_all, counts, counts - trained)
            _warn(
                f"class(es) of '{data.targets[0]}' with no training rows, every row held out "
                f"for validation or testing, so the model never learns them: "
                f"{_esc(_few(unlearned))}; add rows of them, or try another --seed or a "
                f"smaller --test-split / --val-split{cut}"
            )
        single = np.flatnonzero((counts == 1) & (trained > 0))  # (learned from one row)
        held = len(val_rows) + len(test_rows)
        # (a table of a few rows, as the bundled truth tables, has classes of one row)
        if single.size and not named and n >= 20 and Path(data.source).is_file():
            where = [int(data.table.line_numbers[np.flatnonzero(y_all == k)[0]]) for k in single]
            shown = [f"{classes[k]!r} (line {line})" for k, line in zip(single, where)]
            _warn(
                f"class(es) of '{data.targets[0]}' with a single row: {_esc(_few(shown))}"
                f"{', kept in the training rows (never scored)' if held else ''}; one "
                f"row is too few to learn a class from, and is often a typo: fix or drop the "
                f"row, or add rows of the class{_cut_short(data, y_all, counts, trained)}"
            )

    # 3) preprocessing: the categories come from every row (a category seen only in the
    # test rows is known), the means and scales from the training rows only
    pre = Preprocessor().fit(data.table, columns=data.features)
    if pre.encoder_ is not None and pre.encoder_.categories_ is not None:
        for c, cats in zip(pre.encoder_.names_ or [], pre.encoder_.categories_, strict=True):
            date = _first_date(data.table, c, cats)
            if date is not None:
                flag = shlex.quote(c)
                _warn(
                    _dates_text(
                        c, date, cats.size, f"leave it out with --drop {flag} or --id {flag}"
                    )
                )
            elif cats.size > MAX_CATEGORIES_SHARE * n and cats.size > MIN_CATEGORIES_WARNED:
                _warn(
                    f"the text column {c!r} has {cats.size} distinct values in {n} rows, so "
                    f"one-hot encoding turns it into {cats.size} inputs that new data will "
                    f"rarely match (an ID or free text?): leave it out with --drop "
                    f"{_option_names([c])}, or keep it in the predictions with --id "
                    f"{_shell_word(c)}"
                )
            _note_missing_marks(c, cats.tolist(), data.table, args)
            _warn_lookalikes(
                cats.tolist(),
                f"categories of the text column {c!r}",
                "each becomes an input of its own: if they are one category, write them the "
                "same way in the file",
            )
    numeric = [c for c in data.features if data.table.kinds[c] == "numeric"]
    _warn_row_numbers(data.table, numeric)
    _warn_single_values(data.table, pre, numeric, args.dataset)
    _warn_leading_zeros(data.table, numeric)
    if numeric and args.standardize:
        pre.scaler_ = StandardScaler().fit(data.table.take(train_rows).to_array(numeric))
    elif numeric:
        k = len(numeric)
        pre.scaler_ = StandardScaler.from_dict(
            {"type": "StandardScaler", "mean": [0.0] * k, "scale": [1.0] * k}
        )
    _check_memory(
        f"preprocessing {n} rows into {pre.n_features_out} inputs",
        n * pre.n_features_out * 12,  # (the float64 transform and its float32 copy)
        _widest_columns_fix(pre),
    )
    X64 = pre.transform(data.table, extra="ignore")  # (N, n_inputs) float64
    dtype = np.dtype(args.dtype)
    fix = "scale the column (divide it by a power of ten)"
    if dtype == np.float32:
        fix += " or pass --dtype float64"
    _check_range(X64, pre, data.table, dtype, data.source, fix)
    X_all = X64.astype(dtype)  # (N, n_inputs)
    _warn_collapsed(X_all, pre, data.table, numeric)
    _warn_lost_digits(data.table, numeric)
    kinds = data.table.kinds
    if not task.is_classifier:  # (class labels are read exactly, past 2**53 too)
        _warn_lost_digits(data.table, [t for t in data.targets if kinds.get(t) == "numeric"], True)
    _warn_repeated_rows(X64, y_all, pre, numeric, data.source, (train_rows, val_rows, test_rows))
    y_scaler = None
    if task.is_classifier:
        Y_all = task.encode(y_all)  # (N, 1) 0/1, (N, C) one-hot or (N, K) labels 0/1
    else:
        Y_all = y_all.astype(np.float64)  # (N, K)
        if args.standardize:
            y_scaler = StandardScaler().fit(Y_all[train_rows])
            Y_all = y_scaler._transform(Y_all)
        found = first_beyond(Y_all, dtype, by_row=True)  # (N, K): too large for the dtype
        if found is not None:
            r, k = found.row, found.column
            raise CLIError(
                f"the target column {_q(data.targets[k])} overflows {dtype.name} at line "
                f"{int(data.table.line_numbers[r])} of {data.source}: {y_all[r, k]:.3g} is "
                f"{found.words()}: {fix}"
                + ("" if args.standardize else " (or leave out --no-standardize)")
            )
        _warn_collapsed_targets(y_all, Y_all.astype(dtype), data)
    return _Prepared(
        data, task_name, task, labels, y_all, train_rows, val_rows, test_rows,
        pre, X_all, Y_all, y_scaler,
    )  # fmt: skip


#: A date or a date and time as spreadsheets and databases write them: 2024-01-31,
#: 2024-01-31T12:00:00Z, 31/01/2024, 1/31/24 12:00, 31.01.2024 (dotted with its four-digit
#: year only: 1.2.10 and 3.10.12 are versions); and with the month's name, as Excel and
#: e-mail write them: 01-Jan-24, 1 Jan 2024, January 01, 2024, Jan 1 2024, Mon, 01 Jan
#: 2024 (a weekday first, its comma optional).
_MONTH = (
    r"(jan(uary)?|feb(ruary)?|mar(ch)?|apr(il)?|may|june?|july?|aug(ust)?"
    r"|sep(t(ember)?)?|oct(ober)?|nov(ember)?|dec(ember)?)\.?"
)
_WEEKDAY = r"((mon|tue|wed|thu|fri|sat|sun)[a-z]*\.?,? )?"
_DATE = re.compile(
    r"(\d{4}-\d{1,2}-\d{1,2}|\d{4}/\d{1,2}/\d{1,2}|\d{1,2}[/-]\d{1,2}[/-](\d{4}|\d{2})"
    r"|\d{1,2}\.\d{1,2}\.\d{4}"
    rf"|(?i:{_WEEKDAY}\d{{1,2}}[- ]{_MONTH}[- ,]\s?(\d{{4}}|\d{{2}}))"
    rf"|(?i:{_WEEKDAY}{_MONTH} \d{{1,2}}(st|nd|rd|th)?,? \d{{4}}))"
    r"([ T]\d{1,2}:\d{2}(:\d{2}([.,]\d+)?)?( ?[AaPp][Mm])?( ?(Z|[+-]\d{2}:?\d{2}|GMT|UTC))?)?"
)


def _all_dates(categories: Sequence[Any]) -> bool:
    """Whether every one of two or more distinct values is a date (or a date and time)."""
    return len(categories) >= 2 and all(_DATE.fullmatch(str(c)) for c in categories)


def _first_date(table: Table, name: str, categories: np.ndarray) -> str | None:
    """ "2024-01-31 at line 2" when every category of a text column is a date (or a date and
    time), which one-hot encoding makes a category each; None if not so."""
    if not _all_dates(categories):
        return None
    cells = table.raw(name)
    for r, cell in enumerate(cells.tolist()):
        if cell.lower() not in table.missing:
            return f"{cell} at line {int(table.line_numbers[r])}"
    return None


#: A target inferred as a regression whose values are all distinct whole numbers, in at
#: least this many rows, is warned about as looking like an identifier (if also sorted,
#: nearly consecutive, or named as an identifier: _identifier_sign).
MIN_IDENTIFIER_ROWS = 20

#: A column name that names an identifier: a word id, key, number, no, num or code
#: ("customer_id", "Order No", "CustomerID", "ticket-number").
_ID_NAME = re.compile(r"(?:^|[^a-z])(?:ids?|keys?|numbers?|no|num|code)(?:$|[^a-z])")


def _identifier_sign(name: str, v: np.ndarray) -> str:
    """Why distinct whole numbers ``v`` (in file order) look like an identifier rather than
    a quantity of whole units (prices in whole dollars, counts): sorted, nearly consecutive
    (spanning at most twice as many integers as there are rows), or a column named as an
    identifier; '' if none of these."""
    d = np.diff(v)
    if np.all(d > 0) or np.all(d < 0):
        return "in order"
    if v.max() - v.min() + 1 <= 2 * v.size:
        return "nearly consecutive"
    named = _ID_NAME.search(name.lower()) or re.search(r"[a-z]I[dD]$", name)  # (CustomerID)
    return "its name an identifier's" if named else ""


def _warn_identifier_target(name: str, values: np.ndarray) -> None:
    """Warn of a regression target (inferred: no --task) whose ``values`` (N,) are distinct
    whole numbers, at least :data:`MIN_IDENTIFIER_ROWS` of them, and sorted, nearly
    consecutive or named as an identifier (:func:`_identifier_sign`): a customer number or an
    order ID, which no feature predicts; ``--task regression`` says it is meant."""
    v = values[np.isfinite(values)]
    if v.size < MIN_IDENTIFIER_ROWS or not np.all(v == np.round(v)):
        return
    if np.unique(v).size != v.size:
        return
    sign = _identifier_sign(name, v)
    if not sign:
        return
    _warn(
        f"the target {_q(name)} holds {v.size} distinct whole numbers, one per row ({sign}), "
        f"so it looks like an identifier (a customer or order number), which no feature predicts; "
        f"it is trained as a regression: if it is not the column to predict, name that one "
        f"with --target (give --task regression to say it is meant, and leave out this "
        f"warning)"
    )


def _dates_text(name: str, date: str, count: int, fix: str) -> str:
    return (
        f"the text column {_q(name)} holds dates ({_esc(date)}), so one-hot encoding makes "
        f"each of its {count} dates an input of its own, which a date that new data brings (a "
        f"later one) matches none of: {fix}, or write it as numbers (a year, a month, a day of "
        f"the week) in columns of their own"
    )


#: A whole number written with a leading zero, as codes are (zip code 02134, part 0042):
#: searched in a column's cells joined by line breaks (one search, not one per cell).
_LEADING_ZERO = re.compile(r"^0\d+$", re.MULTILINE)


def _leading_zeros(
    values: np.ndarray,
    cells: Callable[[], Sequence[str]],
    text: Callable[[], str] | None = None,
) -> tuple[int, int] | None:
    """The first row and the count of the cells written as whole numbers with leading zeros
    (02134) in a column of ``values`` (N,), or None. ``cells()``: the column's cells as read,
    asked for only when every value is whole (a column of amounts has no codes: the one
    search over the cells, joined by line breaks, is skipped); ``text()``, if given: those
    cells joined by line breaks (:meth:`Table.joined`), asked for instead."""
    if not np.all(values == np.round(values)):
        return None
    text = text() if text is not None else "\n".join(cells())
    first = _LEADING_ZERO.search(text)
    if first is None:
        return None
    return text.count("\n", 0, first.start()), len(_LEADING_ZERO.findall(text))


def _fixed_width_codes(cells: Sequence[str]) -> bool:
    """Whether a column's ``cells`` (as written) are codes: every cell (blank ones left out)
    of one width, more than half of them written with leading zeros, the largest one too
    (001 to 025: a width wider than the numbers need). Scores 074 beside 100 (zeros that
    pad to the largest number's width), or one price typed 0133207 among others (widths
    vary), are not: they are numbers."""
    written = [c.strip() for c in cells if c.strip()]
    if not written or len({len(c) for c in written}) != 1:
        return False
    padded = [c for c in written if _LEADING_ZERO.match(c)]
    return 2 * len(padded) > len(written) and max(written) in padded


def _numbers_with_zeros_text(name: str, cell: str, line: int | str, count: int, among: str) -> str:
    """The warning of a target with leading zeros read as numbers (a regression)."""
    return (
        f"the target {name!r} holds whole numbers written with leading zeros "
        f"({cell} at line {line}, {count} such cell(s)) among {among} distinct values, more "
        f"than {MAX_INFERRED_CLASSES}, and they are not codes of one width most of which are "
        f"zero-padded: it is read as numbers (a regression); if they are class codes, pass "
        f"--categorical {shlex.quote(name)} or --task multiclass to keep them as written"
    )


def _few_whole_values(values: np.ndarray) -> bool:
    """Whether numbers ``values`` (N,) would be read as classes with --task auto: whole, with
    at most MAX_INFERRED_CLASSES distinct values (the rule :func:`_resolve_task` and the
    stream's :func:`_stream_target_kind` infer classes by)."""
    values = values[~np.isnan(values)] if values.dtype.kind == "f" else values
    return (
        bool(np.all(values == np.round(values))) and np.unique(values).size <= MAX_INFERRED_CLASSES
    )


def _leading_zeros_text(
    name: str, cell: str, line: int | str, count: int, where: str, fix: str
) -> str:
    return (
        f"the column {_q(name)} holds whole numbers written with leading zeros "
        f"({_esc(cell)} at line {line}, {count} such cell(s){where}), as codes are (zip "
        f"codes, product codes), and is read as amounts: if they are codes, {fix}"
    )


def _warn_leading_zeros(table: Table, numeric: list[str]) -> None:
    """Warn of a numeric feature column with whole numbers written with leading zeros
    (02134): codes (zip codes, product codes), which as numbers are standardized as amounts
    (02134 near 02135, far from 90210), with the zeros lost."""
    for name in numeric:  # (the cells as one text: no str object per cell)
        found = _leading_zeros(table.numbers(name), list, text=lambda name=name: table.joined(name))
        if found is not None:
            r, count = found
            cell = table.raw(name)[r]
            fix = f"pass --categorical {shlex.quote(name)}"
            _warn(_leading_zeros_text(name, cell, int(table.line_numbers[r]), count, "", fix))


def _row_numbers(name: str, values: np.ndarray) -> tuple[float, float] | None:
    """The lowest and highest value of a column of distinct whole numbers in steps of one
    (1, 2, 3, ... or 1001 to 1060 in any order), or None; a column named for years (a yearly
    series, a row a year) is none. ``values``: (N,), N above MIN_CATEGORIES_WARNED."""
    if "year" in name.casefold() or values.size <= MIN_CATEGORIES_WARNED:
        return None
    low, high = float(values.min()), float(values.max())
    if high - low != values.size - 1 or not np.all(values == np.round(values)):
        return None
    return (low, high) if np.unique(values).size == values.size else None


def _row_numbers_text(name: str, span: tuple[float, float], where: str, fix: str) -> str:
    return (
        f"the column {_q(name)} holds the whole numbers {span[0]:.0f} to {span[1]:.0f}, "
        f"each once{where}: if it is a row number or an ID, the network would learn the "
        f"file's order from it: {fix}"
    )


#: A category that reads as the mark of a missing cell: one to three of ? - . * _ / # ~
#: or a dash (a spreadsheet's "-", a form's "?", "--", "..."); not "+" (a sign's category).
_MISSING_MARK = re.compile("[?\\-.*_/#~\u2012\u2013\u2014\u2015]{1,3}")


def _missing_marks_text(name: str, marks: list[str], counts: list[int], fix: str) -> str:
    shown = ", ".join(f"{_q(m)} ({k} row(s))" for m, k in zip(marks, counts))
    flags = " ".join(_missing_option(m) for m in ["", *marks])
    return (
        f"the text column {_q(name)} holds {shown}, which read as marks of a missing cell, "
        f"not values: each is one-hot encoded as a category of its own; if they mark missing "
        f"cells, pass {_esc(flags)} (--missing replaces the default set: empty, nan, NA, N/A, "
        f"null) {fix}"
    )


def _missing_marks(categories: Sequence[Any]) -> list[str]:
    """The categories of a text column that read as the marks of a missing cell
    (:data:`_MISSING_MARK`), when others do not and none is ``+`` (a column of signs)."""
    marks = [c for c in categories if _MISSING_MARK.fullmatch(str(c).strip())]
    if len(marks) == len(categories) or "+" in categories:
        return []
    return marks


def _note_missing_marks(
    name: str, categories: list[str], table: Table, args: argparse.Namespace
) -> None:
    """Note the categories of text column ``name`` that read as the marks of a missing cell
    (:data:`_MISSING_MARK`: ``?``, ``-``), beside categories that do not (a column that
    holds ``+`` is one of signs: its ``-`` is a value): --missing makes them missing cells,
    which --impute fills with the column's most frequent value (without it they are errors
    naming their line)."""
    marks = _missing_marks(categories)
    if not marks:
        return
    cells = table.raw(name)  # (N,) str
    counts = [int(np.count_nonzero(cells == m)) for m in marks]
    if getattr(args, "impute", None):
        fix = f"and --impute {args.impute} fills them with the column's most frequent value"
    else:
        fix = (
            "with --impute mean (or median), which fills them with the column's most frequent "
            "value (without --impute, a missing cell is an error naming its line)"
        )
    _note(_missing_marks_text(name, marks, counts, fix))


def _warn_row_numbers(table: Table, numeric: list[str]) -> None:
    """Warn of a numeric feature column of distinct whole numbers in steps of one: a row
    number or an ID, from which the network learns the file's order (when the file is sorted
    by the target, a perfect score that new rows will not see); :func:`_row_numbers`. Else
    of one of distinct whole numbers named as an identifier is (:func:`_identifier_numbers`:
    random IDs, customer_id)."""
    for name in numeric:
        values = table.numbers(name)[_not_imputed(table, name)]  # (--impute's fills: no IDs)
        span = _row_numbers(name, values)
        flag = shlex.quote(name)
        fix = f"leave it out with --drop {flag}, or keep it in the predictions with --id {flag}"
        if span is not None:
            _warn(_row_numbers_text(name, span, "", fix))
        elif _identifier_numbers(name, values):
            _warn(_identifier_numbers_text(name, int(values.size), "", fix))


def _not_imputed(table: Table, name: str) -> np.ndarray:
    """(n_rows,) bool: the rows of column ``name`` whose cell was not filled by --impute."""
    lines = table.imputed.get(name)
    if not lines:
        return np.ones(table.n_rows, dtype=bool)
    return ~np.isin(np.asarray(table.line_numbers), np.asarray(lines))


#: A column name that reads as an identifier's: id, uuid, guid, key or pk, alone or after
#: a separator (customer_id, order-key, "user id") or before one (id_customer), or in camel
#: case after a lower-case letter or a digit (customerID, userId). Not paid, valid, monkey.
_IDENTIFIER_NAME = re.compile(
    r"(?i:(?:^|[_\-\s.])(?:id|uuid|guid|key|pk)$|^(?:id|uuid|guid|key|pk)[_\-\s.])"
    r"|[a-z0-9](?:ID|Id|UUID|Uuid|GUID|Guid|Key|PK)$"
)


def _identifier_numbers(name: str, values: np.ndarray) -> bool:
    """Whether a number column is one of identifiers: named as one (:data:`_IDENTIFIER_NAME`)
    and holding distinct whole numbers, each once (missing cells left out), in more than
    MIN_CATEGORIES_WARNED rows, spread over a range more than twice their count (IDs drawn
    at random, or a table's keys after a filter; a run of numbers in steps of one is
    :func:`_row_numbers`', and one such run with a gap is warned of by neither). Distinct
    amounts (12.5, 3.75) are a feature's, and so are whole numbers under another name:
    neither is warned of. ``values``: (N,)."""
    if not _IDENTIFIER_NAME.search(name.strip()):
        return False
    values = values[~np.isnan(values)] if values.dtype.kind == "f" else values
    if values.size <= MIN_CATEGORIES_WARNED or not np.all(values == np.round(values)):
        return False
    if float(values.max()) - float(values.min()) + 1 <= 2 * values.size:
        return False
    return bool(np.unique(values).size == values.size)


def _identifier_numbers_text(name: str, count: int, where: str, fix: str) -> str:
    return (
        f"the column {_q(name)} holds {count} distinct whole numbers, each once{where}, "
        f"and its name reads as an identifier's: an ID tells the network nothing that new "
        f"rows share (they bring IDs of their own), so it learns noise from it: {fix}"
    )


def _single_value_text(single: dict[str, str], rows: int, fix: str) -> str:
    """The warning of the columns that hold one value in every row (``single``: each
    one's value), one line for them all (a bundled image's border pixels are dozens)."""
    if len(single) == 1:
        [(name, value)] = single.items()
        return (
            f"the column {_q(name)} holds the single value {_q(value)} in all {rows} "
            f"rows: it carries no information to learn from: {fix}"
        )
    shown = _few([f"{_q(n)} ({_q(v)})" for n, v in single.items()])
    return (
        f"{len(single)} columns each hold a single value in all {rows} rows: {shown}; they "
        f"carry no information to learn from: {fix}"
    )


#: The longest command-line argument Linux passes (MAX_ARG_STRLEN: UTF-8 bytes, its
#: terminating NUL included); past it a --drop of every name fails with "Argument list too
#: long". Then a warning lists the first DROP_LISTED names, each cut to DROP_NAME_SHOWN.
ARGUMENT_MAX = 128 * 1024
DROP_LISTED = 30
DROP_NAME_SHOWN = 40


def _drop_fits(names: Sequence[str]) -> bool:
    """Whether ``--drop`` with every one of ``names`` is one argument a shell can pass."""
    return len(_names_value(names).encode("utf-8", "surrogatepass")) + 1 <= ARGUMENT_MAX


def _drop_cut(names: Sequence[str]) -> str:
    """Why --drop cannot take ``names`` (past ARGUMENT_MAX), and the first of them in
    --drop's syntax, a long name cut short with an ellipsis (to find them in the file)."""
    cut = [n if len(n) <= DROP_NAME_SHOWN else n[: DROP_NAME_SHOWN - 1] + "…" for n in names]
    more = len(names) - DROP_LISTED
    return (
        f"--drop cannot take all {len(names)} names: one command-line argument holds "
        f"128 KiB at most; keep the other columns with a CSV tool; the first ones: "
        f"{_whole(_option_names(cut[:DROP_LISTED]))}" + (f" and {more} more" if more > 0 else "")
    )


def _drop_fix(names: Sequence[str], streamed: bool = False) -> str:
    """A warning's advice to leave the columns ``names`` out: ``--drop NAMES`` whole, quoted
    for a shell and pasteable, while it fits one argument (ARGUMENT_MAX); past it, a file
    written without them, saying why (200,000 constant columns made a line of 1.4 MB).
    ``streamed``: a stream takes no --drop, training in memory does."""
    them = "it" if len(names) == 1 else "them"
    if not _drop_fits(names):
        return f"write the file without them ({_drop_cut(names)})"
    if streamed:
        return (
            f"write the file without {them}, or train in memory (without --stream) with "
            f"--drop {_whole(_option_names(names))}"
        )
    return f"leave {them} out with --drop {_whole(_option_names(names))}"


def _warn_single_values(
    table: Table, pre: Preprocessor, numeric: list[str], dataset: str | None = None
) -> None:
    """Warn of a feature column that holds one value in every row (after --impute's
    fills): a constant input, which tells no row from another. Of a bundled ``dataset``
    (--dataset, whose columns are its own: no --drop) it is a note, with nothing to do."""
    n = table.n_rows
    if n < 2:
        return
    single: dict[str, str] = {}
    for name in numeric:
        values = table.numbers(name)
        if not np.isnan(values).any() and np.all(values == values[0]):
            kept = np.flatnonzero(_not_imputed(table, name))  # (a filled cell's text is '')
            raw = table.raw(name)
            if _exact_count([raw[int(i)] for i in kept]) > 1:
                continue  # (2**63 + i: one float, many numbers; the digits warning's case)
            first = int(kept[0]) if kept.size else 0
            single[name] = str(raw[first]).strip()
    if pre.encoder_ is not None and pre.encoder_.categories_ is not None:
        for c, cats in zip(pre.encoder_.names_ or [], pre.encoder_.categories_, strict=True):
            if cats.size == 1:
                single[c] = str(cats[0])
    # (in file order; a column --impute made one value has its own warning)
    single = {c: single[c] for c in table.names if c in single and c not in _filled_whole(table)}
    if single and dataset is not None:  # (digits' border pixels, blank in every image)
        _note(
            _single_value_text(
                single, n,
                f"nothing to do for --dataset {dataset}, which is trained on whole (the "
                f"network learns nothing from them and loses nothing by them); --drop leaves "
                f"such columns out of a CSV file",
            )
        )  # fmt: skip
    elif single:
        _warn(_single_value_text(single, n, _drop_fix(list(single))))


def _exact_count(cells: Sequence[Any]) -> int:
    """How many distinct numbers the text ``cells`` hold, read exactly (as decimals:
    9223372036854775808 and 9223372036854775809 differ, their floats do not); 1 where a
    cell is not such a number (a decimal comma's: the floats' count stands)."""
    import decimal

    try:
        return len({decimal.Decimal(str(c).strip()) for c in cells})
    except (decimal.InvalidOperation, ValueError):
        return 1


def _filled_whole(table: Table) -> set[str]:
    """The feature columns that --impute made one value: each empty cell, a tenth of the
    cells or more, filled with the one value the others hold (a checkbox's 'x'; a few empty
    cells among 5s: a column of one value, which the single-value warning names)."""
    made = set()
    for name in table.imputed:
        k = len(table.imputed[name])
        if name not in table.names or not 0.1 * table.n_rows <= k < table.n_rows:
            continue
        values = table.numbers(name) if table.kinds[name] == "numeric" else table.strings(name)
        if np.unique(values).size == 1:
            made.add(name)
    return made


def _warn_imputed(table: Table, targets: Sequence[str]) -> None:
    """Warn of --impute filling a column into one value (the 'x' of a checkbox, whose empty
    cells meant no) or filling most of its cells (a nearly empty column): the column
    trained on is then the fill, not the data."""
    whole = _filled_whole(table)
    for name, lines in table.imputed.items():
        if name in targets or name not in table.names:
            continue
        k, n = len(lines), table.n_rows
        flag = shlex.quote(name)
        if name in whole:
            value = str(table.strings(name)[0]) if table.kinds[name] != "numeric" else None
            value = value if value is not None else _number_text(float(table.numbers(name)[0]))
            keep = "--missing NA" if table.kinds[name] != "numeric" else (
                f"--categorical {flag} --missing NA")  # fmt: skip
            _warn(
                f"--impute filled {k} of the {n} cells of column {_q(name)} with {_q(value)}, "
                f"its only value, making the column one value, which teaches nothing: if an "
                f"empty cell means no (a checkbox), keep it as a value of its own with {keep} "
                f"in place of --impute, or leave the column out with --drop {flag}"
            )
        elif k > n / 2:
            _warn(
                f"--impute filled {k} of the {n} cells of column {_q(name)}, most of them: the "
                f"column trained on is mostly its fill value"
                + (", nearly empty: leave it out with --drop " if k >= NEARLY_EMPTY * n else
                   ": if its empty cells mean something (none, no), write that in them, or "
                   "leave it out with --drop ")
                + flag
            )  # fmt: skip


def _cut_short(data: _Data, y: np.ndarray, counts: np.ndarray, among: np.ndarray) -> str:
    """A note that the file may have been cut short, when its last row holds a class of one
    row (counted in ``among``) and the file ends without a line break (a download or a copy
    stopped mid-line: "yes" cut to "y"); "" if not so. ``y``: (N,) class indices."""
    path = Path(data.source)
    last = y[-1]
    if counts[last] != 1 or among[last] == 0 or not path.is_file():
        return ""
    with contextlib.suppress(OSError), open(path, "rb") as f:
        if f.seek(0, os.SEEK_END) > 0:
            f.seek(-1, os.SEEK_END)
            if f.read(1) not in b"\r\n":
                return (
                    f" (line {int(data.table.line_numbers[-1])}, the file's last, ends without "
                    f"a line break: was the file cut short?)"
                )
    return ""


#: The loose spellings (:func:`loose_spelling`) of yes and no: True for yes, False for no.
_YES_NO = {
    **dict.fromkeys(("yes", "y", "true", "t", "on", repr(1.0)), True),
    **dict.fromkeys(("no", "n", "false", "f", "off", repr(0.0)), False),
}


def _warn_lookalikes(values: Sequence[str], what: str, fix: str) -> None:
    """Warn of distinct ``values`` (a target's classes, a text column's categories) that
    differ only in case, blanks or how a number is written: each is trained on as one of
    its own, and "Yes" beside "yes" is more often a typo than a distinction."""
    groups: dict[str, list[str]] = {}
    for v in values:
        groups.setdefault(loose_spelling(v), []).append(v)
    alike = [" and ".join(visible_text(v) for v in g) for g in groups.values() if len(g) > 1]
    # yes/no written several ways (data merged from sources: yes, Y, 1, true beside no, N,
    # 0, false): each spelling a class or a category of its own
    answers: dict[bool, list[str]] = {True: [], False: []}
    for key, g in groups.items():
        if key in _YES_NO:
            answers[_YES_NO[key]].append(g[0])
    said = []
    if alike:
        more = f"; {len(alike) - 3} more" * (len(alike) > 3)
        chars = list(dict.fromkeys(c for v in values for c in invisible_characters(v)))
        hidden = f" ({', '.join(chars[:3])})" if chars else ""  # (the same way: which
        # form is right is the data's, a Persian word's joiner is its spelling)
        said.append(
            f"differ only in case, blanks, how a number is written, how an accent is "
            f"encoded or an invisible character{hidden} ({_esc('; '.join(alike[:3]))}{more})"
        )
    # (yes and y beside no: a line cut short? and among letter codes, A-Z, T and Y beside F
    # and N are no answers: only a column of yes/no spellings alone)
    spelled = sum(map(len, answers.values()))
    if min(len(v) for v in answers.values()) > 1 and spelled == len(groups):
        shown = "; ".join(
            " and ".join(visible_text(v) for v in answers[side]) + f" for {word}"
            for side, word in ((True, "yes"), (False, "no"))
        )
        said.append(f"are spellings of the same yes/no answer ({_esc(shown)})")
    if said:
        _warn(f"some {what} {', or '.join(said)}, so {fix}")


def _warn_collapsed(X: np.ndarray, pre: Preprocessor, table: Table, numeric: list[str]) -> None:
    """Warn of a numeric column whose values, as the network's inputs (standardized, in its
    dtype), are fewer than half as many distinct ones as in the file: an extreme value
    (1e300 among values near 1) leaves the others equal to the dtype's precision. Counted
    on the first 10,000 rows."""
    where: dict[str, int] = {}  # each column's first input (list.index: quadratic in them)
    for j, c in enumerate(_input_columns(pre)):
        where.setdefault(c, j)
    for name in numeric:
        j = where[name]
        raw = table.numbers(name)  # (N,)
        n_raw, n_in, r = _dwarfed(raw, X[:10_000, j])
        if r is not None:
            _warn(
                f"column {_q(name)} has {n_raw} distinct values but only {n_in} distinct "
                f"inputs to the network ({X.dtype.name}): its value {raw[r]:.3g} at line "
                f"{int(table.line_numbers[r])} dwarfs the others, which become equal; fix or "
                f"drop that value, or scale the column (a logarithm)"
            )


#: The share of the held-out rows repeating a training row above which train warns.
REPEATED_ROWS_WARNED = 0.05

#: The chance under which the counts of records seen once, twice and three times tell
#: copies of rows, not rows that repeat by chance (:func:`_copied_rows`).
REPEATED_ROWS_CHANCE = 0.01

#: The share of the distinct records a number column's distinct values (a feature's, or
#: a target's of numbers) must pass for a repeat to be no chance (a measurement): at or
#: below it (dose levels, a price fixed by its product) records repeat by nature and train
#: does not warn. (The target is in the records compared: dose levels x replicates, whose
#: responses differ, are distinct records.)
REPEATED_ROWS_UNIQUE = 0.5


def _mix64(z: np.ndarray) -> np.ndarray:
    """splitmix64's finalizer on uint64 ``z`` (any shape), in place: every input bit moves
    every output bit (wrapping arithmetic, as uint64 does)."""
    z ^= z >> np.uint64(30)
    z *= np.uint64(0xBF58476D1CE4E5B9)
    z ^= z >> np.uint64(27)
    z *= np.uint64(0x94D049BB133111EB)
    z ^= z >> np.uint64(31)
    return z


def _row_hashes(*blocks: np.ndarray, chunk_bytes: int = 1 << 21) -> np.ndarray:
    """A 64-bit hash of each row of the float64 arrays ``blocks`` (each (N, d_i), read side
    by side as one row), computed a chunk of rows at a time (about ``chunk_bytes`` of
    temporaries, never a copy of the whole table): equal rows hash equal (-0.0 as 0.0);
    different rows almost never do (the caller confirms a match)."""
    n = len(blocks[0])
    out = np.zeros(n, dtype=np.uint64)  # (N,)
    offset = 0
    with np.errstate(over="ignore"):
        for block in blocks:
            d = block.shape[1]
            # (each column's own odd multiplier and offset: position matters)
            cols = np.arange(offset, offset + d, dtype=np.uint64)
            mult = _mix64(cols + np.uint64(0x9E3779B97F4A7C15)) | np.uint64(1)  # (d,)
            add = _mix64(cols * np.uint64(0xD6E8FEB86659FD93) + np.uint64(1))  # (d,)
            step = max(1, chunk_bytes // max(8 * d, 1))
            for start in range(0, n, step):
                part = np.ascontiguousarray(block[start : start + step], dtype=np.float64) + 0.0
                z = part.view(np.uint64) * mult + add  # (rows, d) (the chunk's temporary)
                out[start : start + step] += _mix64(z).sum(axis=1, dtype=np.uint64)
            offset += d
    return _mix64(out)


def _warn_repeated_rows(
    X: np.ndarray,
    y: np.ndarray,
    pre: Preprocessor,
    numeric: list[str],
    source: str,
    split: tuple[np.ndarray, np.ndarray, np.ndarray],
) -> None:
    """Warn when the held-out rows (test, validation) repeat training rows: a record whose
    feature values and target equal a training row's exactly (a file written twice, rows
    appended again) is no unseen row, and the score on it overstates how the model does on
    new data. Only where a repeat is no chance: when a numeric column, or a target of
    numbers, has more distinct values than REPEATED_ROWS_UNIQUE of the distinct records
    (dose levels times replicates, a price fixed by its product, a truth table repeat
    records by nature).
    ``X``: (N, n_inputs) the preprocessed inputs; ``y``: (N,) class indices or (N, K)
    numbers; ``split``: the train, validation and test row indices. Rows are hashed to 64
    bits a chunk at a time (no sorted copy of the whole table): held-out rows whose hash a
    training row has are compared with those rows, so only real repeats are counted."""
    train_rows, val_rows, test_rows = split
    if not numeric or not (val_rows.size or test_rows.size) or not train_rows.size:
        return
    target = np.asarray(y, dtype=np.float64).reshape(len(X), -1)  # (N, K)
    h = _row_hashes(X, target)  # (N,)
    distinct, first, seen = np.unique(h, return_index=True, return_counts=True)  # (D,) each
    if distinct.size == len(X):
        return  # (no record repeats another)
    order = train_rows[np.argsort(h[train_rows], kind="stable")]  # training rows by hash
    hashes = h[order]  # (T,) sorted

    def repeats(rows: np.ndarray) -> int:
        lo = np.searchsorted(hashes, h[rows], side="left")  # (R,)
        hi = np.searchsorted(hashes, h[rows], side="right")
        k = 0
        for r, a, b in zip(rows[hi > lo].tolist(), lo[hi > lo].tolist(), hi[hi > lo].tolist()):
            for t in order[a:b].tolist():  # (a hash match: the record itself compared)
                if np.array_equal(X[r], X[t]) and np.array_equal(target[r], target[t]):
                    k += 1
                    break
        return k

    found = []
    for rows, what in ((test_rows, "test"), (val_rows, "validation")):
        k = repeats(rows) if rows.size else 0
        if k >= 2 and k >= REPEATED_ROWS_WARNED * rows.size:
            found.append((k, rows.size, what))
    if not found:
        return
    inputs = _input_columns(pre)
    where = {c: j for j, c in reversed(list(enumerate(inputs)))}  # each column's first input
    unique = REPEATED_ROWS_UNIQUE * first.size
    columns = [X[first, where[c]] for c in numeric]  # (D,) each
    if np.ndim(y) == 2:  # a target of numbers (not class indices): one more column
        columns += [target[first, k] for k in range(target.shape[1])]
    # (a column of at most MAX_INFERRED_CLASSES values holds levels, as a dose does: among
    # few distinct records, as dose x a yes/no outcome gives, it passes half by nature)
    counts = [np.unique(v).size for v in columns]
    if not any(n > unique and n > MAX_INFERRED_CLASSES for n in counts):
        return
    # (the counts of the records decide: a fine column may be computed from coarse ones, a
    # total of price x quantity, so that rows agreeing on all else agree on it by chance
    # too, which a comparison of such pairs took for copies, 333 of 750 independent rows;
    # copies too few for the counts to tell from chance, 30 among 270 records, go unwarned)
    if not _copied_rows(seen):  # (rows drawn independently repeat so by chance)
        return
    parts = [f"{k} of the {n} {what} rows ({100 * k / n:.0f}%)" for k, n, what in found]
    _warn(
        f"{' and '.join(parts)} repeat a training row exactly, its feature values and its "
        f"target ({source} holds {len(X) - first.size} repeated rows): their score is not on "
        f"unseen data and overstates how the model does on new rows; if the file holds copies "
        f"of rows, remove them (e.g. pandas' drop_duplicates) to hold out rows the model never "
        f"saw"
    )


def _copied_rows(seen: np.ndarray) -> bool:
    """Whether the rows' repeats are copies of rows (a file written twice, rows appended
    again), not repeats by chance of rows drawn independently (integer prices and their
    revenue, 200 rows: 14 of the 50 test rows repeat one of the 150 others), from the
    counts of the records (``seen``: how many rows hold each distinct record). Rows drawn
    independently, from any distribution, hold records seen three times at least
    ``f2**2 / (1.5 f1)`` times on average, ``f1`` and ``f2`` the records seen once and
    twice (the counts of a mixture of Poisson draws, times k!, are log-convex); copies
    hold records seen exactly twice and few seen three times: told when chance gives so
    few records seen three times with a probability under REPEATED_ROWS_CHANCE (``f1`` and
    ``f2`` moved by a standard deviation each in chance's favour)."""
    f = np.bincount(seen, minlength=4).astype(np.float64)  # records seen 0, 1, 2, 3 ... times
    least = max(f[2] - math.sqrt(f[2]), 0.0) ** 2 / (1.5 * (f[1] + math.sqrt(f[1]) + 1.0))
    if least == 0.0:
        return False
    # (Poisson's probability of f3 or fewer, its terms in logs: f3 may be large)
    tail = sum(
        math.exp(i * math.log(least) - least - math.lgamma(i + 1.0)) for i in range(int(f[3]) + 1)
    )
    return tail < REPEATED_ROWS_CHANCE


#: A whole number of more digits than float64 keeps (about 15.9): 20-digit IDs, card numbers.
_LONG_INTEGER = re.compile(r"[+-]?0*[1-9]\d{15,}")


def _lost_digits(
    values: np.ndarray, cells: Callable[[], Sequence[str]]
) -> tuple[str, int, int] | None:
    """A cell of a column of whole numbers of more digits than float64 keeps, the count of
    such distinct numbers and the count of distinct float64 values they read as, when
    fewer (10000000000000000001 and ...02 read as one number); None if not so. ``values``:
    the column's numbers; ``cells()``: its cells as read, asked for only when a value is at
    least 2**53 (below, every whole number is exact)."""
    if not np.any(np.abs(values) >= 2.0**53):
        return None
    long: dict[str, str] = {}  # each whole number (sign and digits, no leading zeros): a cell
    for c in cells():
        if _LONG_INTEGER.fullmatch(c):
            long.setdefault(c[0] * (c[0] in "+-") + c.lstrip("+-").lstrip("0"), c)
    n_read = np.unique(np.array(list(long), dtype=np.float64)).size
    if n_read < len(long):
        return next(iter(long.values())), len(long), n_read
    return None


def _lost_digits_text(
    name: str, found: tuple[str, int, int], line: int, where: str, fix: str
) -> str:
    shown, n_long, n_read = found
    return (
        f"column {_q(name)} holds whole numbers of more digits than float64 keeps "
        f"({_esc(shown)} at line {line}): {n_long} distinct ones {where} read as {n_read} "
        f"distinct number(s), which the network cannot tell apart; {fix}"
    )


def _warn_lost_digits(table: Table, numeric: list[str], target: bool = False) -> None:
    """Warn of a numeric column whose whole numbers have more digits than float64 keeps, so
    that distinct values in the file read as one number (IDs, account numbers), which the
    network cannot tell apart (:func:`_lost_digits`), or, for a ``target``, classes that
    become one. Counted on the first 10,000 rows."""
    for name in numeric:  # (the cells are read only when a value is at least 2**53)
        found = _lost_digits(
            table.numbers(name)[:10_000], lambda name=name: table.raw(name)[:10_000].tolist()
        )
        if found is not None:
            cells = table.raw(name)[:10_000]  # (<= 10,000,) str
            r = int(np.flatnonzero(cells == found[0])[0])
            flag = shlex.quote(name)
            where = "in the file" if len(table) <= 10_000 else "in its first 10,000 rows"
            fix = (
                f"if they are IDs, leave them out with --drop {flag} or --id {flag}; if codes, "
                f"pass --categorical {flag}"
            )
            if target:  # (20-digit account codes as class labels: merged into fewer classes)
                fix = f"if they are class labels, pass --categorical {flag}, read as written"
            _warn(_lost_digits_text(name, found, int(table.line_numbers[r]), where, fix))


def _dwarfed(raw: np.ndarray, used: np.ndarray) -> tuple[int, int, int | None]:
    """Distinct values of a column as read (its first 10,000) and as the network gets them
    (``used``), and the row of the value that dwarfs the others when fewer than half stay
    distinct (None when they do)."""
    n_raw, n_in = np.unique(raw[:10_000]).size, np.unique(used).size
    if n_raw >= 4 and n_in < n_raw / 2:
        return n_raw, n_in, int(np.argmax(np.abs(raw - np.median(raw))))
    return n_raw, n_in, None


def _warn_collapsed_targets(y: np.ndarray, Y: np.ndarray, data: _Data) -> None:
    """Warn of a regression target whose values, as the network's targets (standardized, in
    its dtype), are fewer than half as many distinct ones as in the file: a value such as
    1e300 among values near 1 leaves the others equal, nothing to learn (as _warn_collapsed
    warns of a feature). ``y``: (N, K) as read; ``Y``: (N, K) as trained on."""
    for k, name in enumerate(data.targets):
        n_raw, n_in, r = _dwarfed(y[:10_000, k], Y[:10_000, k])
        if r is not None:
            raw = y[:10_000, k]
            _warn(
                f"the target {_q(name)} has {n_raw} distinct values but only {n_in} "
                f"distinct ones as the network's targets ({Y.dtype.name}): its value "
                f"{raw[r]:.3g} at line {int(data.table.line_numbers[r])} dwarfs the others, "
                f"which become equal; fix or drop that row, or scale the column (a logarithm)"
            )


def _input_columns(pre: Preprocessor) -> list[str]:
    """The feature column behind each of the network's inputs (one-hot blocks repeat it)."""
    kinds = pre.kinds_ or {}
    cats = pre.encoder_.categories_ if pre.encoder_ is not None else None
    width = {}
    if cats is not None:
        width = dict(zip([c for c in pre.columns_ or [] if kinds.get(c) != "numeric"],
                         (k.size for k in cats)))  # fmt: skip
    out: list[str] = []
    for c in pre.columns_ or []:
        out += [c] * (1 if kinds.get(c) == "numeric" else width.get(c, 0))
    return out


def _check_range(
    X: np.ndarray, pre: Preprocessor, table: Table, dtype: np.dtype, source: str, fix: str
) -> None:
    """The network's inputs ``X`` (float64, preprocessed) must be finite in ``dtype``:
    else an error naming the first column that overflows, its line and its value."""
    found = first_beyond(X, dtype)  # (inf, NaN, or too large for dtype)
    if found is None:
        return
    r, j = found.row, found.column
    name = _input_columns(pre)[j]
    cell = str(table.raw(name)[r]) if name in table.names else "?"
    more = f" ({found.columns} columns overflow)" if found.columns > 1 else ""
    raise CLIError(
        f"column {_q(name)} overflows {dtype.name} at line {int(table.line_numbers[r])} of "
        f"{source}: the value {_esc(cell)} {found.as_input()}{more}: {fix}"
    )


def _describe_run(
    args: argparse.Namespace, p: _Prepared, model: Any, lr: float, batch: int | None, resumed: int
) -> list[str]:
    """The lines ``train`` prints before training."""
    data, kinds = p.data, p.pre.kinds_ or {}
    n_cat = sum(kind == "categorical" for kind in kinds.values())
    lines = [
        f"data      {data.source}: {data.table.n_rows} rows, {len(data.features)} feature "
        f"columns ({len(data.features) - n_cat} numeric, {n_cat} categorical) -> "
        f"{p.X_all.shape[1]} inputs"
    ]
    if data.table.line_notes:
        lines.append(f"          read {data.table.line_notes}")
    if data.table.imputed:
        cells = sum(len(v) for v in data.table.imputed.values())
        by_kind = [
            f"{_esc(c)} ({len(v)}, "
            f"{'most frequent' if kinds.get(c) == 'categorical' else args.impute})"
            for c, v in data.table.imputed.items()
        ]
        lines.append(f"          imputed {cells} missing cell(s): {_few(by_kind)}")
    if data.table.dropped:
        lines.append(f"          left out: {_esc(_few(list(data.table.dropped)))} (--drop, --id)")
    how = "--task" if args.task != "auto" else "inferred" if data.task_hint is None else "data set"
    if data.label_values is not None:
        lines.append(
            f"task      multilabel classification ({how}), {len(data.targets)} label(s), each "
            f"negative/positive: {_labels_text(data.targets, data.label_values)}"
        )
    elif p.task.is_classifier:
        lines.append(
            f"task      {p.task_name} classification of '{_esc(data.targets[0])}' ({how}), "
            f"{len(p.classes)} classes: {_classes_text(p.classes)}"
        )
    else:
        targets = ", ".join(repr(t) for t in data.targets)
        lines.append(f"task      {p.task_name} of {targets} ({how})")
    split = f"{len(p.train_rows)} train"
    if len(p.val_rows):
        split += f", {len(p.val_rows)} validation"
    split += f", {len(p.test_rows)} test" if len(p.test_rows) else ", no test split"
    split = f"{split} (seed {args.seed})"
    gate = _truth_table(args)
    if gate is not None and not len(p.test_rows) and not len(p.val_rows):
        split += f": --dataset {gate} is a truth table, trained and scored whole"
    lines.append(f"split     {split}")
    sizes = " -> ".join(str(s) for s in model.sizes)
    lines.append(
        f"model     MLP {sizes}, {_hidden_text(args)}, {p.task.output_activation} output, "
        f"{model.num_parameters()} parameters, loss {p.task.loss}"
    )
    lines.append(
        f"training  {args.optimizer} lr {lr:g}, batch {batch or 'full'}, {args.epochs} epochs"
        + (", early stopping" if args.early_stopping else "")
        + (f"; resuming after epoch {resumed}" if args.resume else "")
    )
    return lines


_TUNING_HINT = (
    "it overfits (small data: try --early-stopping, fewer --epochs, a smaller --hidden or "
    "--l2 0.001) or has not learned (try more --epochs or another --lr)"
)


class _LogProgress(Progress):
    """Progress for a log (stderr not a terminal): once a run has lasted ``after`` seconds,
    a plain line about every tenth of the epochs (the first at the first tenth past
    ``after``), at most every ``every`` seconds, and the last epoch's::

        glassnet: epoch 30/100, loss 0.05121, val_loss 0.0611 (3.2 s)
    """

    AFTER, EVERY = 2.0, 5.0  # seconds

    def __init__(self, total: int, verbose: int) -> None:
        super().__init__(total, verbose, after=self.AFTER)
        self.every, self.step = self.EVERY, max(total // 10, 1)
        self.last = -math.inf  # (the first line once the run has lasted AFTER seconds, not EVERY)

    def on_epoch_end(self, state: TrainState) -> None:
        now, h = time.perf_counter(), state.history
        if not self.verbose or now - self.t0 < self.after:
            return
        if state.epoch < self.total and (state.epoch % self.step or now - self.last < self.every):
            return
        self.last = now
        val = f", val_loss {h.val_loss[-1]:.4g}" if h.val_loss else ""
        sys.stderr.write(
            f"glassnet: epoch {state.epoch}/{self.total}, loss {state.epoch_loss:.4g}{val} "
            f"({now - self.t0:.1f} s)\n"
        )
        sys.stderr.flush()

    def close(self, message: str = "") -> None:
        pass  # (every line is complete)


class _EarlyStopping(EarlyStopping):
    """glassnet.train's early stopping, putting the best weights back only when it ended
    the run or Ctrl-C did: a run that reaches --epochs keeps its last epoch's weights, as
    ``glassnet train`` always has (``fit(early_stopping=True)`` restores them in any case)."""

    def on_train_end(self, state: TrainState) -> None:
        if state.history.stop_reason in ("early_stopping", "interrupted"):
            super().on_train_end(state)


def _rule_names(model: Any) -> list[str]:
    """The names of the arrays that :class:`~glassnet.train.EarlyStopping` keeps as its best
    weights, in its order: the parameters, then the buffers (``state_dict`` interleaves
    them, module by module, so its order is not the rule's once a model has a buffer)."""
    return [k for k, _ in model.named_parameters()] + [k for k, _ in model.named_buffers()]


def _mark(h: History, rule: EarlyStopping | None) -> tuple[int, int, int | None, float, int, float]:
    """Where a run stands at an epoch's end, in numbers (for ``run_state(h, why, mark)``):
    the lengths of ``h.loss`` and ``h.val_loss``, ``h.best_epoch``, the rule's best score
    and bad-epoch count, and the clock."""
    best, bad = (rule.best, rule.bad) if rule is not None else (math.inf, 0)
    return len(h.loss), len(h.val_loss), h.best_epoch, best, bad, time.perf_counter()


class _Checkpoints(ModelCheckpoint):
    """Writes the checkpoint at ``path`` every ``every`` epochs and after the run's last
    epoch (once), with :class:`glassnet.ModelCheckpoint`'s machinery: the weights, the
    early-stopping best weights under ``best:``, the optimizer's state, and ``meta`` with
    the run state (``run_state(history, stop_reason, mark)``).

    Every write happens in on_epoch_end, the last one included: fit calls the stopping
    rules' on_train_end before the callbacks', and early stopping puts the best weights
    back there, while a checkpoint holds the last epoch's. Between writes the last
    completed epoch's state is kept in memory, and :meth:`write_kept` writes it after
    Ctrl-C or SIGTERM (which may land mid-epoch, with weights no epoch ended with), from
    :func:`_write_interrupted`, which says so. To keep it costs little: two sets of copies
    of the weights and the optimizer's buffers, made once and refreshed in turn with
    np.copyto (an interrupt within one leaves the other whole), the rule's best weights by
    reference (it makes new ones), and the run state as numbers (:func:`_mark`); the
    checkpoint itself is built when written.
    """

    def __init__(
        self, path: Path, every: int, last: int, meta: dict[str, Any],
        run_state: Callable[..., _RunState], rule: EarlyStopping | None,
    ) -> None:  # fmt: skip
        super().__init__(path, every, epochs=last)
        self.meta, self.run_state, self.rule = meta, run_state, rule

    def kept_extra(self, state: TrainState, last: bool) -> tuple[Any, ...]:
        # the stop reason as fit will report it (it names max_epochs after the callbacks)
        why = state.stop_reason or ("max_epochs" if last else "")
        best = self.rule.weights if self.rule is not None else None
        return best, state.history, why, _mark(state.history, self.rule)

    def on_train_end(self, state: TrainState) -> None:
        pass  # (an interrupted run's checkpoint: _write_interrupted writes it, and says so)

    def write(self, copies: tuple, best: Any, h: History, why: str, mark: Any) -> int:
        weights, optimizer_state = copies
        weights = dict(weights)
        if best is not None:  # (the rule's order, not state_dict's)
            weights.update({_BEST + k: v for k, v in zip(self._names, best)})
        run = self.run_state(h, why, mark).to_json()
        if reproducible():  # (SOURCE_DATE_EPOCH: no wall-clock time in the file)
            run["seconds"] = 0.0
        save_checkpoint(  # (a file of another kind there: refused before, or --force)
            self.path, weights, optimizer_state, {**self.meta, "state": run}, replace_any=True
        )
        return int(run["epoch"])


def _write_interrupted(saver: _Checkpoints | None, h: History) -> None:
    """After Ctrl-C or SIGTERM: the checkpoint of the last completed epoch, said where."""
    if saver is None or h.stop_reason != "interrupted":
        return
    epoch = saver.write_kept()
    if epoch is not None:
        _note(f"the checkpoint of epoch {epoch}, the last completed, is written to '{saver.path}'")
    elif not saver.path.is_file():
        _note(f"no epoch completed: no checkpoint written to '{saver.path}'; start afresh")


def _run_epochs(
    args: argparse.Namespace,
    p: _Prepared,
    model: Any,
    optimizer: Any,
    batch: int | None,
    before: _RunState,
    best: dict[str, np.ndarray] | None,
    checkpoint: tuple[Path, dict[str, Any]] | None,
) -> _RunState:
    """Train from ``before.epoch`` to ``args.epochs`` with one :func:`fit` call.

    Epoch ``e`` draws its batches from ``numpy.random.default_rng([seed, 0, e])``, so a
    resumed run draws those of an uninterrupted one. With --early-stopping,
    :class:`~glassnet.train.EarlyStopping` watches the validation loss, starting from the
    resumed run's best loss, bad-epoch count and best weights (``best``); it puts the best
    weights back when it stops the run or Ctrl-C does (stop reason ``"interrupted"``).
    ``checkpoint``: the path and the description of the checkpoint to write every
    --checkpoint-every epochs, or None. Returns the whole run's state.
    """
    X_tr, Y_tr = p.X_all[p.train_rows], p.Y_all[p.train_rows]
    validation = (p.X_all[p.val_rows], p.Y_all[p.val_rows]) if len(p.val_rows) else None
    if before.stop_reason == "early_stopping":  # a resumed run that had stopped: no epochs
        if best is not None:
            model.load_state_dict(best)
        return before
    rule = None
    if args.early_stopping and validation is not None:
        rule = _EarlyStopping(tol=0.0, n_iter_no_change=args.patience)
        rule.best = math.inf if before.best_val is None else before.best_val
        rule.bad = before.bad_epochs
        rule.weights = None if best is None else [best[k] for k in _rule_names(model)]
    t0 = time.perf_counter() - before.seconds

    def run_state(h: History, stop_reason: str, mark: Any = None) -> _RunState:
        """The earlier run's curves (when resumed) followed by this fit's (up to ``mark``,
        :func:`_mark` at an epoch's end; by default now)."""
        n_loss, n_val, best_epoch, best, bad, now = mark or _mark(h, rule)
        # complete epochs only (a Ctrl-C may land between an epoch's loss and its validation)
        done = n_val if h.metric_name else n_loss
        return _RunState(
            epoch=before.epoch + done,
            loss=before.loss + h.loss[:done],
            val_loss=before.val_loss + h.val_loss[:done],
            val_metric=before.val_metric + h.val_metric[:done],
            metric_name=h.metric_name or before.metric_name,
            best_val=best if best < math.inf else None,
            best_epoch=before.best_epoch if best_epoch is None else best_epoch,
            bad_epochs=bad,
            stop_reason=stop_reason or None,
            seconds=now - t0,
        )

    if _isatty(sys.stderr) and not dumb_terminal():
        progress = Progress(args.epochs, 0 if args.quiet else 2, after=0.0, tty_only=True)
    else:  # a log file, a pipe or a dumb terminal: plain lines, no carriage return or escape
        progress = _LogProgress(args.epochs, 0 if args.quiet else 1)
    callbacks: list[Callback] = [progress]
    saver = None
    if checkpoint is not None:
        path, meta = checkpoint
        saver = _Checkpoints(path, args.checkpoint_every, args.epochs, meta, run_state, rule)
        callbacks.append(saver)
    try:
        with _signals_stop_training(saver is not None):  # (SIGTERM, SIGHUP: Ctrl-C)
            h = fit(
                model, X_tr, Y_tr, loss=p.task.loss, optimizer=optimizer, epochs=args.epochs,
                initial_epoch=before.epoch, batch_size=batch,
                seed=lambda e: np.random.default_rng([args.seed, 0, e]),
                validation_data=validation, l2=args.l2, verbose=0,
                **_told_in_our_words(callbacks, [rule] if rule is not None else []),
                distributed="mpi" if _distributed.launched()[1] > 1 else None,
                threads=args.threads,
            )  # fmt: skip
            OwnInterrupt.named(h)
            _write_interrupted(saver, h)
    except DivergenceError as exc:
        raise _diverged(exc, args, model, optimizer.lr, batch or len(X_tr)) from None
    finally:
        progress.close()
    return run_state(h, h.stop_reason)


#: The advice of fit's divergence message, replaced where the L2 penalty is the cause.
_LR_ADVICE = re.compile(r"Try a smaller learning rate \(now [^)]*\), standardize the features, "
                        r"or check X and y for extreme values\.")  # fmt: skip


def _l2_cause(args: argparse.Namespace, model: Any, lr: float, rows: int | None) -> str | None:
    """The advice of a diverged run when the L2 penalty ``--l2 / (2 rows) * sum ||W||^2`` is
    the likely cause, or None when it is not: its gradient ``--l2 / rows * W`` or its value
    overflows the weights' dtype, or, for plain gradient descent, a step takes more than
    twice each weight off it (``--lr * --l2 / rows > 2``), so the weights grow without
    bound. Only an outsized penalty is blamed, one whose gradient is at least the weights
    themselves (``--l2 / rows >= 1``; else the learning rate, say, made the weights large).
    Judged on the weights the run kept (the last finite ones)."""
    c = args.l2 / rows if rows else 0.0
    if c < 1:  # a penalty whose gradient is smaller than the weights is not what blew up
        return None
    weights = [np.asarray(p.data) for p in model.parameters() if p.data.ndim == 2]
    if not weights:
        return None
    dtype = weights[0].dtype
    top = float(np.finfo(dtype).max)
    finite = [w[np.isfinite(w)].astype(np.float64) for w in weights]
    largest = max(float(np.abs(w).max(initial=0.0)) for w in finite)
    squares = sum(float(np.square(w).sum()) for w in finite)
    smaller = "use a much smaller --l2 (0.0001 to 0.1 is usual) or leave it out"
    if c * largest > top:
        what = f"the penalty's gradient ({c:.3g} times each weight)"
    elif args.optimizer in ("sgd", "gd") and lr * c > 2:
        return (
            f"The L2 penalty is the likely cause: with --lr {lr:g} and batches of {rows} rows, "
            f"--l2 {args.l2:g} takes {lr * c:.3g} times each weight off it at every step, and "
            f"more than 2 makes the weights grow without bound; keep --lr * --l2 / {rows} "
            f"below 2: {smaller}, or a smaller --lr."
        )
    elif c / 2 * squares > top:
        what = "the penalty's value"
    else:
        return None
    return (
        f"The L2 penalty is the likely cause: with --l2 {args.l2:g} over batches of {rows} "
        f"rows, {what} overflows {dtype}; {smaller}."
    )


#: fit's closing sentence, on the weights the model keeps: the command line writes no model.
_KEPT = re.compile(r" The model keeps [^.]*(\([^)]*\))?\.$")


def _diverged(
    exc: DivergenceError, args: argparse.Namespace, model: Any, lr: float, rows: int | None
) -> DivergenceError:
    """fit's divergence error in the command line's words: its advice names the L2 strength
    where that is the likely cause (:func:`_l2_cause`), else ``--lr`` and the file (fit's
    names the Python arguments), and it says that no model was written."""
    unscaled = "leave out --no-standardize, " if not getattr(args, "standardize", True) else ""
    advice = _l2_cause(args, model, lr, rows) or (
        f"Try a smaller --lr (now {lr:g}), {unscaled}or check the file for extreme values."
    )
    message = str(exc)
    if _LR_ADVICE.search(message):
        message = _LR_ADVICE.sub(lambda _: advice, message, count=1)
    elif "before any update" in message:  # (fit's: the learning rate is not the cause)
        message = _before_any_update(message, args)
    else:
        message = f"{message} {advice}"
    message = _KEPT.sub("", message.removeprefix("fit: ")) + " No model was written."
    return DivergenceError(message, exc.history)


#: fit's advice on a loss past the dtype's range before any update, in Python's words.
_SCALE_ADVICE = re.compile(
    r"Scale y \(e\.g\. y / y\.std\(\), and the predictions back\) and X, or train a "
    r"float64 model \(model\.double\(\)\)(?:; or check the loss function(?: and the "
    r"starting weights)?)?"
)


def _before_any_update(message: str, args: argparse.Namespace) -> str:
    """fit's error on a loss not finite before any update, its advice in the command line's
    words: leave out --no-standardize where it was given (it left the target unscaled),
    --dtype float64 only for a float32 network, the file's values rather than X and y."""
    fixes = (
        "leave out --no-standardize, which leaves the target and the features unscaled"
        if not getattr(args, "standardize", True)
        else "scale the target column and the feature columns in the file (a logarithm, or "
        "a larger unit)"
    )
    if np.dtype(getattr(args, "dtype", None) or "float32") != np.float64:
        fixes += ", or train with --dtype float64"
    message = message.replace("starting weights on X and y", "starting weights on the rows")
    return _SCALE_ADVICE.sub(
        lambda _: f"{fixes[0].upper()}{fixes[1:]}; or check the file for extreme values",
        message, count=1,
    )  # fmt: skip


def _guard_unfinished(path: Path) -> None:
    """A checkpoint of a run that did not finish (stopped by Ctrl-C, or killed) is the only
    record of its epochs: a new run without --resume would replace it at its first write."""
    try:
        state = load_checkpoint(path).meta.get("state")
    except (OSError, ValueError, ModelFileError):
        return  # not a readable checkpoint: _guard_paths or the write says what is wrong
    if isinstance(state, dict) and state.get("stop_reason") is None:
        raise CLIError(
            f"--checkpoint '{path}' holds an unfinished run (stopped after epoch "
            f"{state.get('epoch')}): add --resume to continue it, or pass --force to start "
            f"afresh and replace it"
        )


def _train_files(args: argparse.Namespace) -> tuple[Path, Path, bool]:
    """The model file and the checkpoint of a train run (and whether it writes checkpoints),
    checked before any work: safetensors installed, both writable, no output that is an
    input, and a checkpoint to resume from."""
    if importlib.util.find_spec("safetensors") is None:
        raise CLIError('glassnet model files need safetensors: pip install "glassnet[io]"', code=1)
    out_path = Path(args.out)
    _model_file_name(out_path)
    _check_writable(out_path, "model file", args.out)
    ckpt_path = (
        Path(args.checkpoint) if args.checkpoint else out_path.with_name(out_path.name + ".ckpt")
    )
    checkpointing = args.checkpoint_every is not None
    if args.checkpoint and not checkpointing and not args.resume:
        raise CLIError(
            f"--checkpoint '{args.checkpoint}' names the checkpoint file, which is written only "
            f"with --checkpoint-every N (and read by --resume): add --checkpoint-every N, or "
            f"leave --checkpoint out"
        )
    if checkpointing:
        _check_writable(ckpt_path, "checkpoint", args.checkpoint)
    reads = [("training data", Path(args.data))] if args.data is not None else []
    writes = [("--out", out_path, "model")]
    if checkpointing:
        writes.append(("--checkpoint", ckpt_path, "checkpoint"))
    elif args.resume:
        reads.append(("checkpoint", ckpt_path))
    with contextlib.suppress(OSError):  # (read, not written: a damaged one's cause, not --force)
        if args.resume and ckpt_path.is_file() and file_kind(ckpt_path) != "checkpoint":
            _resumed_checkpoint(ckpt_path)
    _guard_paths(reads, writes, args.force)
    if checkpointing and args.checkpoint:  # (after: "is the same file as --out" says more)
        _checkpoint_file_name(ckpt_path)
    if checkpointing and not args.resume and not args.force and ckpt_path.is_file():
        _guard_unfinished(ckpt_path)
    if args.resume and not ckpt_path.is_file():
        raise CLIError(
            f"--resume: no checkpoint at '{ckpt_path}'; train without --resume first "
            f"(with --checkpoint-every N), or name the file with --checkpoint"
        )
    if args.resume and not checkpointing:  # (written on at the interval it was written with)
        args.checkpoint_every = _kept_interval(ckpt_path)
        checkpointing = args.checkpoint_every is not None
        if checkpointing:
            _check_writable(ckpt_path, "checkpoint", args.checkpoint)
    if not _distributed.launched()[0]:  # (under mpiexec, rank 0 writes the files)
        _lock_output(out_path, "--out")
        if checkpointing and args.checkpoint:  # (the default one is beside --out's lock)
            _lock_output(ckpt_path, "--checkpoint")
        args._out_seen = _file_state(out_path)
    return out_path, ckpt_path, checkpointing


#: The lock files train holds (open, flock'ed) on its outputs until the command ends.
_HELD_LOCKS: list[tuple[Any, Path]] = []


def _lock_output(path: Path, flag: str) -> None:
    """Refuse, before any work, a train run whose output ``path`` another glassnet train
    run is writing (two runs on one --out replaced each other's file, each saying "saved",
    the last one's kept): ``path.lock`` beside it is held locked (``flock``, which the
    system releases when a process ends, even killed) until the command ends, and then
    deleted. Where no lock can be taken (no ``fcntl``: Windows; a directory that takes no
    new file; a file system without locks) the run goes on unlocked, as before. The lock
    is beside the file ``path`` resolves to (symlinks followed), so every spelling of one
    file meets it."""
    try:
        import fcntl
    except ImportError:
        return
    if not path.parent.is_dir() or (path.exists() and not path.is_file()):
        return  # (a pipe or a device as --out: no file to replace)
    real = Path(os.path.realpath(path))  # (a symlink's file: one lock however it is named)
    lock = real.with_name(real.name + ".lock")
    for _ in range(5):  # (a lock deleted as it was taken: taken again, on the new file)
        try:
            f = open(lock, "a+")  # noqa: SIM115 (held until the command ends)
        except OSError:
            return
        try:
            fcntl.flock(f, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            f.seek(0)
            pid = f.read(32).strip()
            f.close()
            by = f" (process {pid})" if pid.isdigit() else ""
            raise CLIError(
                f"another glassnet train{by} is writing '{path}' now (it holds the lock "
                f"'{lock}'): two runs writing one {flag} would replace each other's file, the "
                f"last one's kept; wait for it to end, or give another {flag}"
            ) from None
        except OSError:  # (a file system without locks)
            f.close()
            return
        try:
            same = os.fstat(f.fileno()).st_ino == os.stat(lock).st_ino
        except OSError:
            same = False
        if same:
            f.seek(0)
            f.truncate()
            f.write(f"{os.getpid()}\n")
            f.flush()
            _HELD_LOCKS.append((f, lock))
            return
        f.close()


def _release_locks() -> None:
    """Delete and unlock the lock files :func:`_lock_output` took (the command ended)."""
    while _HELD_LOCKS:
        f, lock = _HELD_LOCKS.pop()
        with contextlib.suppress(OSError):
            lock.unlink()
        with contextlib.suppress(OSError):
            f.close()


def _file_state(path: Path) -> tuple[int, int, int] | None:
    """The (inode, size, modification time in ns) of ``path``, None where there is none."""
    try:
        st = os.stat(path)
    except OSError:
        return None
    return (st.st_ino, st.st_size, st.st_mtime_ns)


def _warn_replaced(args: argparse.Namespace, out_path: Path) -> None:
    """Warn, as the model is saved, when ``out_path`` changed while this run trained (a
    program that takes no lock wrote it, or a run on another machine of a shared disk):
    this run's model replaces that file."""
    seen = getattr(args, "_out_seen", "unknown")
    if seen != "unknown" and _file_state(out_path) != seen:
        _warn(
            f"'{out_path}' was {'written' if seen is None else 'changed'} by another program "
            f"while this run trained; this run's model replaces it (give each run its own "
            f"--out to keep both)"
        )


#: The bundled truth tables (--dataset): 4 rows, each a case of its own.
_TRUTH_TABLES = ("and", "or", "nand", "nor", "xor", "xnor")


def _truth_table(args: argparse.Namespace) -> str | None:
    """The truth table --dataset names (lower case), or None."""
    name = str(getattr(args, "dataset", None) or "").lower()
    return name if name in _TRUTH_TABLES else None


def _cmd_train(args: argparse.Namespace) -> int:
    from . import __version__

    # a truth table's rows are its 4 cases, none inferable from the others: one held out
    # is unseen by construction (accuracy 0), so it is trained and scored whole
    if args.test_split is None:
        args.test_split = 0.0 if _truth_table(args) else 0.25
    if args.patience is not None and not args.early_stopping:
        raise CLIError(
            f"--patience {args.patience} is the patience of early stopping: add "
            f"--early-stopping, or leave --patience out"
        )
    if args.patience is None:
        args.patience = 10
    _hidden_given_twice(args)
    _target_given_once(args)
    if args.early_stopping and getattr(args, "given_val_split", None) and not args.val_split:
        raise CLIError(
            "--early-stopping stops on the validation loss, and --val-split 0 holds out no "
            "validation rows: give --val-split F (such as 0.1), or leave --val-split out "
            "(--early-stopping then holds out 0.1 of the training rows)"
        )
    if not args.hidden and getattr(args, "given_activation", None):
        raise CLIError(
            f"--activation {args.activation} is the activation of the hidden layers, and "
            f"--hidden none gives no hidden layer: leave out --activation, or give --hidden "
            f"widths (e.g. --hidden 16)"
        )
    _check_threads_flag(args)  # (before the data is read and training starts printing)
    reproducible()  # (a SOURCE_DATE_EPOCH that is no number: refused before any work)
    if args.stream or args.buffer_size is not None:  # data larger than memory
        return _train_streamed(args)

    say: Callable[[str], None] = lambda s: sys.stdout.write(s + "\n")  # noqa: E731
    if _distributed.launched()[0]:  # `mpiexec -n N glassnet train`: rank 0 prints
        say = lambda s: None  # noqa: E731

    # 0) what argparse cannot check alone, and the output paths, before any work
    if args.data is not None and args.dataset is not None:
        raise CLIError(
            f"both a CSV file ('{_SHOWN.get(args.data, args.data)}') and --dataset "
            f"{args.dataset} were given: give a CSV file or --dataset NAME, not both"
        )
    if args.data is None and args.dataset is None:
        raise CLIError("give a CSV file (glassnet train DATA.csv --target COL) or --dataset NAME")
    if args.dataset is not None:
        named = [
            ("--target", args.target),
            ("--drop", args.drop),
            ("--id", args.id),
            ("--categorical", args.categorical),
        ]
        flags = [flag for flag, value in named if value]
        if flags:
            raise CLIError(f"{flags[0]} is for CSV files; a --dataset names its own columns")
        if args.delimiter is not None or args.multiline_cells or args.decimal != ".":
            flag = "--delimiter" if args.delimiter is not None else "--multiline-cells"
            flag = "--decimal" if args.decimal != "." else flag
            raise CLIError(
                f"{flag} is for reading a CSV file; a --dataset is no file to read: leave "
                f"{flag} out"
            )
    if args.dataset is not None and args.missing is not None:
        raise CLIError("--missing is for CSV files; a --dataset has no missing cells")
    if args.data is not None and not args.target:
        raise CLIError(f"name the column to predict: glassnet train {args.data} --target COL")
    out_path, ckpt_path, checkpointing = _train_files(args)

    # 1) data, task, rows, preprocessing
    p = _prepare(args)

    # 2) model, optimizer, and the checkpoint to resume from
    lr = args.lr if args.lr is not None else _DEFAULT_LR.get(args.optimizer, 0.01)
    settings = _settings(args, p.data, p.task_name, lr)  # (and "threads", below)
    rng = np.random.default_rng([args.seed, 1])
    sizes = [p.X_all.shape[1], *args.hidden, p.task.n_outputs]
    n_train = len(p.train_rows)
    _check_memory(
        f"training an MLP {' -> '.join(map(str, sizes))} "
        f"({sum((a + 1) * b for a, b in zip(sizes[:-1], sizes[1:])):,} parameters)",
        _training_bytes(sizes, max(len(p.val_rows), len(p.test_rows)),
                        min(args.batch_size or n_train, n_train), args.optimizer,
                        args.early_stopping, np.dtype(args.dtype).itemsize),
        "use smaller --hidden widths (or a smaller --batch-size)",
    )  # fmt: skip
    model = p.task.build_model(
        p.X_all.shape[1], args.hidden, args.activation, rng=rng, dtype=np.dtype(args.dtype)
    )
    _check_file_fits(args, p.pre, p.classes, model, 3 if len(p.val_rows) else 1)
    optimizer = _optim.get_optimizer(args.optimizer, model.parameters(), lr=lr)
    batch = None if args.batch_size == 0 or args.batch_size >= n_train else args.batch_size
    settings["threads"] = _threads_used(args, model, batch or n_train)
    if args.batch_size > n_train and args.batch_size != 32:  # (not the default on small data)
        _note(
            f"--batch-size {args.batch_size} is larger than the training set ({n_train} rows "
            "after the validation and test split): each step uses all of them, as "
            "--batch-size 0 does"
        )
    fingerprint = _fingerprint(
        p.X_all[p.train_rows], p.Y_all[p.train_rows], p.X_all[p.val_rows], p.Y_all[p.val_rows]
    )
    state = _RunState()
    best_weights: dict[str, np.ndarray] | None = None
    if args.resume:
        state, best_weights = _resume(
            ckpt_path, model, optimizer, settings, fingerprint, args.threads == "load"
        )
        if state.epoch > args.epochs:
            raise CLIError(
                f"--resume: the checkpoint '{ckpt_path}' is at epoch {state.epoch}, past "
                f"--epochs {args.epochs}; give --epochs {state.epoch} or more"
            )
    for line in _describe_run(args, p, model, lr, batch, state.epoch):
        say(line)
    sys.stdout.flush()

    checkpoint = {
        "format": CHECKPOINT_FORMAT,
        "format_version": MODEL_FORMAT_VERSION,
        "glassnet_version": __version__,
        "settings": settings,
        "fingerprint": fingerprint,
        "checkpoint_every": args.checkpoint_every,  # (what --resume keeps without one)
    }  # and "state", the run state, at each write

    # 3) train; early stopping (and Ctrl-C with early stopping) keeps the best epoch's weights
    state = _run_epochs(
        args, p, model, optimizer, batch, state, best_weights,
        (ckpt_path, checkpoint) if checkpointing else None,
    )  # fmt: skip
    interrupted = state.stop_reason == "interrupted"
    held = interrupted and checkpointing  # (a further interrupt from here to the save: noted)
    with _signals_stop_training(True, True) if held else contextlib.nullcontext():
        return _report_and_save(args, p, model, state, settings, say, out_path, ckpt_path, held)


def _report_and_save(
    args: argparse.Namespace, p: Any, model: Any, state: Any, settings: dict[str, Any],
    say: Callable[[str], None], out_path: Path, ckpt_path: Path, checkpointing: bool,
) -> int:  # fmt: skip
    """train's end (``_cmd_train``'s, after fit): the stopped lines, the held-out scores,
    the model file; its exit code. (``checkpointing`` matters only to a run interrupted.)"""
    from . import __version__

    interrupted = state.stop_reason == "interrupted"
    kept = "the best epoch's weights" if args.early_stopping else "the weights so far"
    stop = {
        "max_epochs": f"reached --epochs {args.epochs}",
        "early_stopping": f"the validation loss did not improve for --patience {args.patience} "
        f"epochs (the best epoch's weights are kept)",
        "interrupted": f"interrupted ({_stop_signal_text()[0]}); {kept} are kept",
    }[state.stop_reason or "max_epochs"]
    say(f"stopped   after {state.epoch} epochs ({state.seconds:.2f} s): {stop}")
    if state.loss:
        last = f"final loss {state.loss[-1]:.4g}"
        if state.val_loss:
            last += f", validation loss {state.val_loss[-1]:.4g}"
            last += f", validation {state.metric_name} {state.val_metric[-1]:.4g}"
        if state.best_epoch is not None and args.early_stopping:
            last += f"; best epoch {state.best_epoch}"
        say(f"          {last}")

    if _distributed.launched()[0]:
        return 0  # under mpiexec, rank 0 scores the model and writes its file
    # 4) the held-out scores, then the model file
    test_metrics = None
    if len(p.test_rows):
        bundle = _Bundle(str(out_path), model, {}, p.task, p.pre, p.labels, p.y_scaler)
        pred = bundle.decode(bundle.outputs(p.X_all[p.test_rows]))
        truth, n_test = p.y_all[p.test_rows], len(p.test_rows)
        if p.task_name == "multilabel":
            test_metrics = multilabel_metrics(truth, pred)
            say(
                f"test      {n_test} rows: Hamming score {test_metrics['hamming_score']:.4f} "
                f"(mean label accuracy), subset accuracy {test_metrics['subset_accuracy']:.4f} "
                f"(rows with every label right)"
            )
        elif p.task.is_classifier:
            test_metrics = classification_metrics(
                truth, pred, len(p.classes), confusion_max=CONFUSION_STORED_MAX
            )
            say(
                f"test      {n_test} rows: accuracy {test_metrics['accuracy']:.4f}, "
                f"macro F1 {test_metrics['macro_f1']:.4f}"
            )
            _say_left_out(say, test_metrics)
            majority = int(np.bincount(p.y_all[p.train_rows]).argmax())
            base = float(np.mean(truth == majority))
            if _truth_table(args):  # (no advice: no tuning learns a case never shown)
                pass
            elif test_metrics["accuracy"] < base:  # worse than always guessing the majority
                _warn(
                    f"the held-out accuracy {test_metrics['accuracy']:.4f} is below "
                    f"{base:.4f}, what always predicting the most frequent class scores: "
                    f"{_TUNING_HINT}"
                )
        else:
            test_metrics = regression_metrics(truth, pred)
            for k, name in enumerate(p.data.targets):
                r2, mae, mse = (_num(test_metrics[m][k]) for m in ("r2", "mae", "mse"))
                say(f"test      {n_test} rows, {_esc(name)}: R^2 {r2}, MAE {mae}, MSE {mse}")
                r2_k = test_metrics["r2"][k]
                if r2_k is not None and r2_k < 0:  # worse than predicting the mean
                    _warn(
                        f"the held-out R^2 of {name!r} is {r2_k:.3g}: the model predicts it "
                        f"worse than its mean would: {_TUNING_HINT}"
                    )
    gate = _truth_table(args)
    if gate is not None and not len(p.test_rows) and not p.task.is_classifier:
        bundle = _Bundle(str(out_path), model, {}, p.task, p.pre, p.labels, p.y_scaler)
        fit_all = regression_metrics(p.y_all, bundle.decode(bundle.outputs(p.X_all)))
        r2, mae, mse = (_num(fit_all[m][0]) for m in ("r2", "mae", "mse"))  # (--task regression)
        say(f"table     {len(p.y_all)} rows, the whole truth table: R^2 {r2}, MAE {mae}, MSE {mse}")
    elif gate is not None and not len(p.test_rows):  # (the lecture's: scored on its 4 rows)
        bundle = _Bundle(str(out_path), model, {}, p.task, p.pre, p.labels, p.y_scaler)
        table = classification_metrics(
            p.y_all, bundle.decode(bundle.outputs(p.X_all)), len(p.classes)
        )
        right = int(round(table["accuracy"] * len(p.y_all)))
        say(
            f"table     {len(p.y_all)} rows, the whole truth table: accuracy "
            f"{table['accuracy']:.4f} ({right} of {len(p.y_all)} right)"
        )
    if gate is not None and (len(p.test_rows) or len(p.val_rows)):
        given_test = [f"--test-split {args.test_split:g}"] if len(p.test_rows) else []
        given_val = []  # (the options that held the validation rows out, as given)
        if len(p.val_rows) and args.val_split > 0:
            given_val.append(f"--val-split {args.val_split:g}")
        if len(p.val_rows) and args.early_stopping:
            given_val.append("--early-stopping")
        held = [f"{len(p.test_rows)} for testing ({given_test[0]})"] if given_test else []
        if len(p.val_rows):
            held.append(f"{len(p.val_rows)} for validation ({', '.join(given_val)})")
        given = [f"{x} (0 is a truth table's default)" for x in given_test] + given_val
        leave = given[0] if len(given) == 1 else f"{', '.join(given[:-1])} and {given[-1]}"
        _warn(
            f"--dataset {gate} is a truth table of {len(p.y_all)} rows, each a case of its "
            f"own: the rows held out, {' and '.join(held)}, are cases the network never saw, "
            f"which the other rows do not determine, so their scores say nothing of what "
            f"it learned; train and score on the whole table: leave out {leave}"
        )
    meta = {
        "format": MODEL_FORMAT,
        "format_version": MODEL_FORMAT_VERSION,
        "glassnet_version": __version__,
        "task": {
            "name": p.task_name,
            "loss": p.task.loss,
            "output_activation": p.task.output_activation,
            "n_outputs": p.task.n_outputs,
        },
        "target": {
            "names": p.data.targets,
            "labels": p.labels.to_dict() if p.labels is not None else None,
            "scaler": p.y_scaler.to_dict() if p.y_scaler is not None else None,
            **({"multilabel": p.data.label_values} if p.data.label_values is not None else {}),
        },
        "preprocessing": {
            "standardize": bool(args.standardize),
            "impute": args.impute,
            "inputs": p.pre.feature_names_out,
            "preprocessor": p.pre.to_dict(),
            "drop": [c for c in p.data.table.dropped if c != args.id] if args.data else [],
            "id": args.id if args.data is not None else None,
            "missing": sorted(p.data.table.missing),
        },
        "training": {
            **settings,
            "epochs": args.epochs,
            "rows": {
                "train": len(p.train_rows),
                "validation": len(p.val_rows),
                "test": len(p.test_rows),
            },
            "batch_order": "numpy.random.default_rng([seed, 0, epoch])",
            "decimal": args.decimal,  # (the read of new files: predict's default --decimal)
            # (predict's default --multiline-cells: a file like the training file reads)
            "multiline_cells": bool(args.multiline_cells),
        },
        "history": _history(state, stop),
        "test_metrics": _stored_metrics(test_metrics, p.classes),
    }
    _warn_replaced(args, out_path)
    return _save_trained(model, out_path, meta, say, interrupted, checkpointing, ckpt_path, kept)


# ------------------------------------------------------------------ train --stream

#: train options that a streamed run cannot honour, and why (checked in this order).
_NOT_STREAMED = (
    ("dataset", "--dataset", "a bundled data set is loaded in memory; drop --stream"),
    ("impute", "--impute", "a stream trains on complete rows (its statistics pass cannot "
     "impute); fill or drop the empty cells first, or train in memory without --stream"),
    ("drop", "--drop", "a stream reads every column but the target; write the file without "
     "those columns, or train in memory without --stream"),
    ("id", "--id", "a stream reads every column but the target; write the file without it, "
     "or train in memory without --stream"),
    ("multiline_cells", "--multiline-cells", "the streaming reader takes one row per line; "
     "train in memory without --stream"),
    ("val_split", "--val-split", "a stream holds no rows in memory to validate on, and "
     "glassnet train has no --validation FILE option yet; drop it (the --test-split rows "
     "are scored after training)"),
    ("early_stopping", "--early-stopping", "it needs a validation set, which a stream does "
     "not hold (and glassnet train has no --validation FILE option yet); give --epochs instead"),
    ("classes", "--classes", "a streamed run encodes the classes it reads in sorted order; "
     "train in memory without --stream for your own order"),
)  # fmt: skip


def _stream_delimiter(args: argparse.Namespace) -> str:
    """The delimiter a streamed run reads ``args.data`` with: --delimiter if given, else
    the in-memory reader's (:func:`read_csv`'s): a ``sep=`` first line's, else
    :func:`sniff_delimiter`'s from the file's first 64 Ki characters, never the --decimal
    mark unless the header row holds it alone (then it is returned, and refused)."""
    if args.delimiter:
        return str(args.delimiter)
    known = getattr(args, "_sniffed_delimiter", None)
    if known is not None and known[0] == (args.data, args.decimal):
        return str(known[1])
    try:
        with open(args.data, "rb") as f:
            head = f.read(1 << 18)  # (64 Ki characters of UTF-8 at most)
    except OSError:
        return ","  # (the reader says what is wrong with the file)
    sample = head.decode("utf-8-sig", errors="replace")
    hint = re.match(r"[ \t]*sep=(.)[ \t]*(?:\r\n|\r|\n)", sample, flags=re.IGNORECASE)
    if hint:
        found = hint.group(1)
    else:
        found = sniff_delimiter(sample[:65536], args.decimal, args.data) or args.decimal
    args._sniffed_delimiter = ((args.data, args.decimal), found)
    return found


def _stream_refusals(args: argparse.Namespace) -> None:
    """One-line errors for the train options that cannot work with ``--stream``."""
    if not args.stream:
        raise CLIError(
            f"--buffer-size {args.buffer_size} is the shuffle buffer of a streamed run: "
            f"add --stream, or leave --buffer-size out"
        )
    for attr, flag, why in _NOT_STREAMED:
        if getattr(args, attr):
            raise CLIError(f"{flag} cannot be combined with --stream: {why}")
    if args.data is None:
        raise CLIError("--stream needs a CSV file: glassnet train DATA.csv --target COL --stream")
    if not args.target:
        raise CLIError(
            f"name the column to predict: glassnet train {args.data} --target COL --stream"
        )
    targets = _split_names(args.target)
    twice = [t for i, t in enumerate(targets) if t in targets[:i]]
    if twice:
        raise CLIError(
            f"--target {args.target} names the column {twice[0]!r} twice; name each target "
            f"column once"
        )
    several = len(targets) != 1 and args.task != "multilabel"
    if several or args.task == "multioutput_regression":
        raise CLIError(
            "--stream trains on one --target column, or with --task multilabel on several "
            "label columns; several targets of numbers (a multi-output regression) need the "
            "in-memory path: drop --stream"
            + (
                f" (or, if {_q(args.target)} is one column's name, write it in double quotes: "
                f"--target {shlex.quote(_names_text([args.target.strip()]))})"
                if len(targets) > 1 and args.task != "multilabel"
                else ""
            )
        )
    if args.delimiter is not None:
        _check_delimiter(Path(args.data), args.delimiter)
    if args.decimal == _stream_delimiter(args):
        given = "given by --delimiter" if args.delimiter is not None else "sniffed from its header"
        fix = (
            _COMMA_FILE_FIX[:-1]
            if args.decimal == ","
            else "give the file's delimiter with --delimiter (such as ';'), or another --decimal"
        )
        raise CLIError(
            f"--decimal {args.decimal!r} is the field separator of '{args.data}' ({given}): "
            f"the decimal mark must differ from it; {fix}"
        )
    if args.batch_size == 0:
        raise CLIError(
            "--batch-size 0 (the whole training set per step) cannot be combined with "
            "--stream, which never holds the whole set; give --batch-size N"
        )
    if args.missing is not None:
        from .stream import null_values

        try:
            null_values(args.missing)
        except ValueError as exc:
            text = str(exc).replace("The 'missing' parameter of from_csv", "--missing")
            raise CLIError(
                text.rstrip(".") + ", or drop --stream (the in-memory reader takes any length)"
            ) from None


def _about_file(path: str, exc: Exception) -> str:
    """A stream's error (which speaks of fit()) as the command line's, about the file: named
    once, by the message when it names it (a cell's line), else in front."""
    text = _oneline(str(exc)).replace("glassnet train: ", "").replace("fit: ", "")
    if "invalid UTF8" in text:  # (past the first block, which is checked before reading)
        text += (
            " The file is not UTF-8 throughout: save it as 'CSV UTF-8', or convert it: "
            f"{iconv_command(path, 'CP1252')}."
        )
    return text if f"'{path}'" in text else f"'{path}': {text}"


def _stream_source(args: argparse.Namespace, target: str | list[str], labels: bool) -> Any:
    """``glassnet.stream.from_csv`` of the training file: its statistics pass."""
    from . import stream as gs

    try:
        return gs.from_csv(
            args.data, target, standardize=bool(args.standardize), labels=labels,
            buffer_size=args.buffer_size, dtype=np.dtype(args.dtype), missing=args.missing,
            decimal=args.decimal, delimiter=_stream_delimiter(args), pandas_index=True,
            categorical=_split_names(args.categorical) or None, caller="glassnet train",
        )  # fmt: skip
    except FileNotFoundError:
        raise CLIError(
            f"no such file '{args.data}' (the working directory is '{os.getcwd()}')"
        ) from None
    except gs.ColumnsRefused as exc:  # (the command line's words, the statistics at hand)
        cols = exc.columns
        if isinstance(target, str) and cols.classes is not None:
            _refuse_one_class(args, target, cols)
        _refuse_repeated_header(args, cols)
        _refuse_streamed_numbers_as_text(
            args.data, cols.categories, args.decimal, _stream_delimiter(args),
            {exc.column: (exc.place, exc.cell)} if exc.place else None, cols.category_counts,
        )  # fmt: skip
        raise CLIError(_about_file(args.data, exc)) from None
    except ValueError as exc:  # the stream's messages speak of fit(); here it is the file
        text = (
            _about_file(args.data, exc)
            .replace("The 'categorical' parameter of from_csv names", "--categorical names")
            .replace(
                "(a target of class labels is read as labels: labels=True)",
                "(a target's classes are read by --task: multiclass or binary)",
            )
            .replace(
                "glassnet.datasets.read_csv(path, multiline=True).",
                "drop --stream and pass --multiline-cells.",
            )
            .replace(
                "the in-memory reader, glassnet.datasets.read_csv(path, target, "
                "pandas_index=True), takes",
                "train without --stream takes",
            )
        )
        text = re.sub(  # (a late text cell among numbers: the options, not from_csv's)
            r"read the file with stream\.from_csv\(path, target, missing=\[.*, (.*?)\]\) "
            r"\(the texts read as missing now, and the column's\)",
            lambda m: (
                f"pass --missing {shlex.quote(ast.literal_eval(m[1]))} (with the other "
                "texts that mark one)"
            ),
            text,
        )
        text = re.sub(
            r"pass categorical=\[('.*?')\]",
            lambda m: f"pass --categorical {shlex.quote(ast.literal_eval(m[1]))}",
            text,
        )
        if "has a missing value" in text and args.missing is None:
            text += (
                " If a text such as NA is a value of that column (a region code), not a "
                "missing cell, list only the texts that mark missing cells with --missing, "
                "e.g. --missing ''."
            )
        raise CLIError(text) from None


#: What to do about a first line of data read as the header row.
_HEADERLESS = (
    "; its first line looks like a row of data, not column names: add a header row naming "
    "the columns as the first line"
)


def _stream_header_hint(names: Sequence[str]) -> str:
    """What to do about a header row that pyarrow reads as one column which another
    delimiter separates (the decimal mark's, or a --delimiter given); "" if it is not one."""
    other = [d for d in ";\t|" if len(names) == 1 and d in names[0]]
    if not other and headerless(names):
        return f" {_HEADERLESS[2:].capitalize()}."
    if not other:
        return ""
    return (
        f" The header row is one column to the streaming reader, and {other[0]!r} seems to "
        f"separate it: give --delimiter {other[0]!r} (with a --decimal other than it)."
    )


def _stream_target_kind(args: argparse.Namespace, target: str | list[str]) -> tuple[bool, Any]:
    """Whether the target holds class labels, decided as the in-memory path decides it
    (text and whole numbers are labels, other numbers regression targets; --task rules),
    from the file's first block: the same block whose types the stream reads with; and that
    block (a pyarrow RecordBatch, its columns named as the file names them). ``target``:
    --task multilabel's label columns (a list), read as text, as in memory."""
    targets = [target] if isinstance(target, str) else list(target)
    from .stream import first_csv_block, null_values

    try:
        import pyarrow as pa
        from pyarrow import csv as pa_csv
    except ImportError:
        raise CLIError(
            'glassnet train --stream reads CSV files with pyarrow: pip install "glassnet[stream]"',
            1,
        ) from None
    path = Path(args.data)
    if not path.is_file():
        why = "is a directory, not a CSV file" if path.is_dir() else "does not exist"
        raise CLIError(f"'{args.data}' {why} (the working directory is '{os.getcwd()}')")
    try:
        with open(path, "rb") as f:
            head = utf8_text(f.read(1 << 22), args.data, complete=False)  # (the first block)
    except OSError as exc:
        raise CLIError(f"cannot read '{args.data}': {exc.strerror or exc}") from None
    except ValueError as exc:
        raise CLIError(str(exc)) from None
    hint = re.match(r"[ \t]*sep=.[ \t]*(\r\n|\r|\n)", head, flags=re.IGNORECASE)
    if hint:
        raise CLIError(
            f"'{args.data}' starts with a spreadsheet's {_q(hint.group(0).strip())} line, "
            f"which the streaming reader would take for the header: delete that line, or drop "
            f"--stream"
        )
    try:  # from_csv's first block, delimiter, and rows mended (as the stream reads them)
        convert = pa_csv.ConvertOptions(  # and its missing cells (None: the default set)
            null_values=sorted(null_values(args.missing)), strings_can_be_null=True,
            decimal_point=args.decimal,
        )  # fmt: skip
        first = first_csv_block(str(path), _stream_delimiter(args), convert, 1 << 22)
    except pa.ArrowInvalid as exc:  # (a row of another width: the stream's error, its line)
        from .stream import unreadable

        nulls = null_values(args.missing)
        bad = unreadable(str(path), _stream_delimiter(args), exc, {}, nulls, decimal=args.decimal)
        text = _about_file(args.data, bad)
        first_line = head.lstrip("\ufeff").splitlines()[0] if head.strip() else ""
        cells = first_line.split(_stream_delimiter(args))
        raise CLIError(text + _stream_header_hint(cells)) from None
    except UnicodeDecodeError as exc:
        raise CLIError(f"'{args.data}' cannot be read as CSV: {_oneline(str(exc))}") from None
    if first is None or not first.num_rows:
        raise CLIError(f"'{args.data}' has no data rows")
    named = first.num_columns  # (unnamed columns at the end: left out, as in memory)
    while named > 1 and not first.schema.names[named - 1].strip():
        named -= 1
    first = pa.RecordBatch.from_arrays(first.columns[:named], first.schema.names[:named])
    # a column of numbers that pyarrow reads as text for a cell such as 7\xa0 or ３, which
    # the stream reads as numbers, as the in-memory reader does: numbers here too
    from .stream import script_numbers

    text = [t for t in targets if args.task == "multilabel"]  # (label columns: as written)
    nulls = null_values(args.missing)
    columns = list(first.columns)
    for j, n in enumerate(first.schema.names):
        numbers = None if n.strip() in text else script_numbers(columns[j], args.decimal, nulls)
        columns[j] = columns[j] if numbers is None else numbers
    first = pa.RecordBatch.from_arrays(columns, first.schema.names)
    block = first  # (named as the file names them: what pyarrow's column_types take)
    # (named as the stream names them: without blanks around a header row's names)
    first = pa.RecordBatch.from_arrays(first.columns, [n.strip() for n in first.schema.names])
    absent = [t for t in targets if t not in first.schema.names]
    if absent:
        names = first.schema.names
        close = difflib.get_close_matches(absent[0], names, n=1)  # (as the in-memory path)
        hint = f" Did you mean {close[0]!r}?" if close else _stream_header_hint(names)
        raise CLIError(
            f"target column(s) {absent} are not in '{args.data}'; its columns are: "
            f"{_names_text([_esc(n) for n in names])}" + ("." + hint if hint else "")
        )
    if len(first.schema.names) <= len(targets):
        raise CLIError(f"'{args.data}' has no feature columns besides the target {targets}")
    names = [n.strip() for n in first.schema.names]
    twice = [n for i, n in enumerate(names) if n and n in names[:i]]
    if twice:
        raise CLIError(
            f"the header row of '{args.data}' names the column {_q(twice[0])} twice: give "
            f"every column its own name"
        )
    # (an unnamed first column, the others named: pandas' row index, which the statistics
    # pass checks and leaves out, as the in-memory path does: stream.from_csv(pandas_index))
    unnamed = [i + 1 for i, n in enumerate(names) if not n]
    if unnamed == [1] and len(names) > 2:
        unnamed = []
    if unnamed:
        last = unnamed == [len(first.schema.names)]
        why = " (a delimiter ending every line?)" if last else ""
        if unnamed == [1]:  # (without --stream, pandas' row index is left out, with a note)
            why = (
                " (the row index that pandas' to_csv writes? write the file with "
                "index=False; without --stream it is left out)"
            )
        raise CLIError(
            f"column {unnamed[0]} of '{args.data}' has no name in the header row{why}: the "
            f"streaming reader needs every column named; name it, delete it, or drop --stream"
        )
    for f in first.schema:  # what pyarrow reads as neither numbers nor text (true/false, dates)
        if f.name in targets and args.task == "multilabel":
            continue  # (label columns are read as text, as written)
        t = f.type
        if pa.types.is_null(t) and not (f.name in targets and args.task == "multilabel"):
            # every cell of the block missing: no type to read, nothing to learn from
            rows = "" if path.stat().st_size <= 1 << 22 else f" of its first {first.num_rows}"
            if f.name in targets:
                raise CLIError(
                    f"the target column {_q(f.name)} of '{args.data}' is empty in every "
                    f"row{rows} (its cells are missing: empty, NA, ...): fill it in, or name "
                    f"another --target"
                )
            raise CLIError(
                f"the column {_q(f.name)} of '{args.data}' is empty in every row{rows} "
                f"(its cells are missing: empty, NA, ...), and a stream trains on complete "
                f"rows: delete the column from the file, or drop --stream and leave it out "
                f"with --drop {_option_names([f.name])}"
            )
        if not (pa.types.is_integer(t) or pa.types.is_floating(t) or pa.types.is_string(t)):
            raise CLIError(
                f"the column {f.name!r} of '{args.data}' is read as {t} by the streaming "
                f"reader, which would encode it otherwise than predict reads it (as text "
                f"categories); write it as numbers (0/1, a day count), or drop --stream"
            )
    if args.task == "multilabel":
        return True, block
    kind = first.schema.field(target).type
    numeric = pa.types.is_integer(kind) or pa.types.is_floating(kind)
    values = first.column(target).drop_null().to_numpy(zero_copy_only=False) if numeric else None
    written: list[str] = []  # the target's cells in the first block, as written
    if numeric and args.task != "regression":
        column = names.index(target)
        if csv.field_size_limit() < len(head):  # (its default, 131,072 characters, refused a
            csv.field_size_limit(min(len(head), 2**31 - 1))  # long free-text cell)
        rows = csv.reader(head.lstrip("\ufeff").splitlines()[1:], delimiter=_stream_delimiter(args))
        written = [row[column] for row in rows if len(row) > column]
        written = written[: first.num_rows]  # (the block's rows: a last line may be cut)
    codes = numeric and _fixed_width_codes(written)
    whole = numeric and bool(np.all(values == np.round(values)))
    if numeric and args.task == "auto" and whole and not codes:
        padded = [i for i, c in enumerate(written) if _LEADING_ZERO.match(c.strip())]
        if padded and not _few_whole_values(values.astype(float)):
            # scores 074 beside 100: numbers (a regression), as the in-memory path reads them
            distinct = int(np.unique(values).size)
            _warn(
                _numbers_with_zeros_text(
                    target, _esc(written[padded[0]].strip()), padded[0] + 2, len(padded),
                    f"{distinct} (in its first block)",
                )
            )  # fmt: skip
    if numeric and (args.task in ("binary", "multiclass") or (
        args.task == "auto" and whole and (codes or _few_whole_values(values.astype(float)))
    )):  # fmt: skip
        # class codes 01, 02: read as 1, 2 by pyarrow (numbers with more distinct values,
        # such as scores 074 beside 100, are a regression's, as the in-memory path reads them)
        for i, cell in enumerate(written):
            if _LEADING_ZERO.match(cell.strip()):
                raise CLIError(
                    f"the target '{target}' of '{args.data}' holds whole numbers written with "
                    f"leading zeros ({_q(cell.strip())} at line {i + 2}, in its "
                    f"first block), as class codes are: the streaming reader reads them as "
                    f"numbers (01 as 1), so its classes would not be the file's; drop --stream "
                    f"(the in-memory reader keeps them as written), or pass --task regression "
                    f"if they are amounts"
                )
    if args.task == "regression":
        if not numeric:
            raise CLIError(
                f"--task regression needs a numeric target: the column '{target}' holds "
                f"{kind} values"
            )
        return False, block
    if args.task in ("binary", "multiclass") or not numeric:
        return True, block
    # numbers: classes if whole and at most MAX_INFERRED_CLASSES distinct values; when the
    # first block already has more, the statistics pass need not collect them
    assert values is not None
    whole = bool(np.all(values == np.round(values)))
    return whole and np.unique(values).size <= MAX_INFERRED_CLASSES, block


def _warn_streamed_columns(args: argparse.Namespace, block: Any, cols: Any) -> set[str]:
    """The in-memory path's warnings of feature columns (:func:`_prepare`) for a streamed
    run, decided on the file's first block (``block``, the RecordBatch of
    :func:`_stream_target_kind`, 4 MiB of the file, the block whose types the stream reads
    with), as no streaming pass keeps a column's cells: a number column that is a row number
    or an ID (its whole numbers in steps of one, each once, in that block), one of codes
    written with leading zeros (02134), one of whole numbers longer than float64 keeps (in
    its first 10,000 rows), and a text column of dates (every distinct value of the block a
    date). ``cols``: the statistics pass's columns (after it succeeded: no missing cells).
    The fixes are a stream's: --drop, --id and --categorical need the in-memory path.
    Returns the text columns warned of as dates."""
    import pyarrow as pa
    from pyarrow import csv as pa_csv

    from .stream import csv_line, first_csv_block, null_values

    path = str(args.data)
    delimiter = _stream_delimiter(args)
    m = block.num_rows
    partial = m < cols.rows  # (the file is longer than its first block)
    raw = dict(zip([n.strip() for n in block.schema.names], block.schema.names))
    values = {  # (N,) each number column's values in the block
        n: block.column(raw[n]).to_numpy(zero_copy_only=False).astype(np.float64)
        for n in cols.numeric
    }
    # gates, as in memory, so that the cells are read as text only for a column that may
    # hold such cells: a cell of the block's text that starts with 0 and a digit (one
    # search), a column of whole values; a value of 2**53 or more
    with open(path, "rb") as f:
        head = f.read(1 << 22).decode("utf-8", "replace")
    zero = re.compile(rf'(?:^|[{re.escape(delimiter)}])[ \t]*"?0\d', re.MULTILINE)
    zeros = zero.search(head) is not None
    wanted = [
        n for n, v in values.items()
        if (zeros and np.all(v == np.round(v))) or np.any(np.abs(v[:10_000]) >= 2.0**53)
    ]  # fmt: skip
    texts: dict[str, list[str]] = {}

    def cells(name: str) -> list[str]:
        """The first block's cells of number column ``name`` as read (the block holds them
        as numbers): that block read again once, the wanted columns only, as text."""
        if not texts:
            convert = pa_csv.ConvertOptions(
                include_columns=[raw[n] for n in wanted],
                column_types={raw[n]: pa.string() for n in wanted},
                null_values=sorted(null_values(args.missing)), strings_can_be_null=True,
            )  # fmt: skip
            again = first_csv_block(path, delimiter, convert, 1 << 22)
            for n in wanted:
                column = again.column(raw[n]).fill_null("")
                texts[n] = [c.strip() for c in column.to_pylist()]
        return texts[name]

    def line(row: int) -> int | str:
        return csv_line(path, delimiter, row)

    dates: set[str] = set()

    rows = f" in its first {m:,} rows" if partial else ""
    for name, column in values.items():
        flag = shlex.quote(name)
        span = _row_numbers(name, column)
        if span is not None:
            fix = (
                f"write the file without it, or train in memory (without --stream) with "
                f"--drop {flag} or --id {flag}"
            )
            _warn(_row_numbers_text(name, span, rows, fix))
        elif _identifier_numbers(name, column):
            fix = (
                f"write the file without it, or train in memory (without --stream) with "
                f"--drop {flag} or --id {flag}"
            )
            _warn(_identifier_numbers_text(name, int(column.size), rows, fix))
        k = cols.numeric.index(name)
        with np.errstate(over="ignore", invalid="ignore"):  # (the network's inputs, as in memory)
            used = column if cols.mean is None else (column - cols.mean[k]) / cols.scale[k]
            used = used[:10_000].astype(args.dtype)
        n_raw, n_in, r = _dwarfed(column, used)
        if r is not None:  # (1e300 among values near 1: the others become equal)
            first = f" in its first {min(m, 10_000):,} rows" if partial or m > 10_000 else ""
            _warn(
                f"column {_q(name)} has {n_raw} distinct values{first} but only {n_in} "
                f"distinct inputs to the network ({used.dtype.name}): its value "
                f"{column[r]:.3g} at line {line(r)} dwarfs the others, which become equal; "
                f"fix or drop that value, or scale the column (a logarithm)"
            )
        found = _leading_zeros(column, lambda name=name: cells(name)) if zeros else None
        if found is not None:
            r, count = found
            fix = (
                f"pass --categorical {flag}, which reads its cells as written (without it the "
                f"streaming reader reads numbers as numbers)"
            )
            _warn(_leading_zeros_text(name, cells(name)[r], line(r), count, rows, fix))
        digits = _lost_digits(column[:10_000], lambda name=name: cells(name)[:10_000])
        if digits is not None:
            r = cells(name).index(digits[0])
            where = "in the file" if not partial and m <= 10_000 else (
                f"in its first {min(m, 10_000):,} rows")  # fmt: skip
            fix = (
                f"if they are IDs, write the file without them; if codes, pass --categorical {flag}"
            )
            _warn(_lost_digits_text(name, digits, line(r), where, fix))
    for name, cats in cols.categories.items():
        column = block.column(raw[name])
        seen = column.unique().drop_null().to_pylist()
        if _all_dates(seen):
            first = column.drop_null()[0].as_py().strip()
            row = int(np.argmax(column.is_valid().to_numpy(zero_copy_only=False)))
            date = f"{first} at line {line(row)}"
            _warn(_dates_text(name, date, len(cats), "write the file without it"))
            dates.add(name)
    # a column of one value in every row of the file (the statistics pass's extremes and
    # categories: the whole file, not its first block)
    single: dict[str, str] = {n: str(c[0]) for n, c in cols.categories.items() if len(c) == 1}
    if cols.low is not None and cols.high is not None and cols.rows >= 2:
        for name, low, high in zip(cols.numeric, cols.low, cols.high):
            if low == high:
                single[name] = _number_text(float(low))
    single = {n: single[n] for n in cols.features if n in single}  # (in file order)
    if single:
        _warn(_single_value_text(single, cols.rows, _drop_fix(list(single), streamed=True)))
    return dates


def _warn_label_runs(args: argparse.Namespace, target: str, cols: Any) -> None:
    """Warn when a streamed file's class labels come in long runs (a file sorted or grouped
    by its label): the stream reads the rows in file order through a shuffle buffer of
    --buffer-size rows, so runs longer than a part of it train the classes one after the
    other (a model of the last class, with a loss that looks good). The rule is the
    Python stream's, :func:`glassnet.stream.long_label_runs`: a stretch of the epoch whose
    rows, as the buffer emits them, hold the classes in shares off the file's."""
    found = long_label_runs(cols, args.buffer_size, args.batch_size or 1)
    if found is None:
        return
    changes, expected, n = found.changes, found.expected, cols.rows
    data = shlex.quote(str(args.data))
    out = shlex.quote(str(Path(args.data).with_name("shuffled_" + Path(args.data).name)))
    plural = "" if changes == 1 else "s"
    _warn(
        f"'{args.data}' holds the classes of '{target}' in long runs ({changes:,} change{plural} "
        f"of class in {n:,} rows, where a shuffled file has about {expected:,.0f}: sorted or "
        f"grouped by the label?): the stream reads the rows in file order through a shuffle "
        f"buffer of {args.buffer_size:,} rows, so it trains on one class after the other and "
        f"the model favours the last ones, however good its loss looks: shuffle the file "
        f"first, keeping its header (e.g. (head -n 1 {data}; tail -n +2 {data} | shuf) > "
        f"{out}), or train in memory without --stream"
    )


def _refuse_one_class(args: argparse.Namespace, target: str, cols: Any) -> None:
    """A target of class labels with a single class in the whole file is an error (two
    labels that the stream's float64 made one: named as such)."""
    _stream_labels_kept_apart(args, target, cols.classes or [])
    classes = [str(c) for c in _stream_label_encoder(cols.classes, target).classes_.tolist()]
    if len(classes) < 2:
        raise CLIError(
            f"the target '{target}' of {args.data} has a single class ({classes[0]!r}) "
            f"in its {cols.rows} rows: a classifier needs at least two classes"
        )


def _refuse_repeated_header(args: argparse.Namespace, cols: Any) -> None:
    """A file whose header row comes again further down (each column holding its own name
    as a value) is an error, not a row of data."""
    # (a second file's byte-order mark, U+FEFF, before the first name: compared without it)
    again = [
        c for c, cats in cols.categories.items() if _unbom(c) in {_unbom(str(v)) for v in cats}
    ]
    if cols.features and len(again) == len(cols.features):  # each column holds its name
        bom = any(str(v).startswith(_BOM) for cats in cols.categories.values() for v in cats)
        why = "two files joined into one, or a header written again when rows were appended? "
        if bom:
            why = _BOM_JOINED[2:].replace("that line", "the repeated row", 1)
        raise CLIError(
            f"'{args.data}' repeats its header row further down (each column holds its own "
            f"name as a value: {_esc(_few([repr(c) for c in again], 3))}): {why}remove that "
            f"line, so that it is not read as a row of data (without --stream, the error "
            f"names it)"
        )


def _refuse_streamed_text_columns(
    args: argparse.Namespace, target: str, cols: Any, multilabel: bool
) -> None:
    """As the in-memory path refuses them: spreadsheet formula errors ('#N/A') in the
    target's classes or a text feature's categories, and a target of amounts written for
    people ('$1,234.56', a few 'TBD') that --task auto would read as classes."""
    columns = dict(cols.categories)
    counts = dict(cols.category_counts)
    if cols.classes is not None and not multilabel:
        columns[target] = cols.classes
        counts[target] = cols.class_counts or [1] * len(cols.classes)
    for name, values in columns.items():
        rows = dict(zip(map(str, values), counts.get(name) or [1] * len(values)))
        errors = sheet_errors(rows)
        if errors:
            _refuse_sheet_errors(args.data, name, errors, rows, None, name == target)
    if cols.classes is not None and not multilabel and args.task == "auto":
        rows = dict(zip(map(str, cols.classes), counts[target]))
        found = people_numbers(rows, args.decimal, ())
        if found is not None:
            formatted, texts = found
            marker = (
                f"; its other cells, {_esc(_few([repr(t) for t in texts], 3))}, are text: if "
                f"they mark missing cells, drop those rows (a target is never imputed)"
                if texts
                else ""
            )
            raise CLIError(
                f"column {_q(target)} of '{args.data}' holds numbers written with "
                f"{formatted_form(formatted[0])} ({_few([repr(t) for t in formatted], 5)}), which "
                f"are read as text: write them as plain numbers such as "
                f"{plain_example(formatted[0])}{args.decimal}5, or pass --task multiclass if "
                f"they are class labels{marker}"
            )


def _refuse_streamed_numbers_as_text(
    source: str,
    categories: dict[str, list[Any]],
    decimal: str = ".",
    delimiter: str = ",",
    places: dict[str, str] | None = None,
    counts: dict[str, list[int]] | None = None,
) -> None:
    """A column of numbers that the streaming reader reads as text (a few cells such as '?'
    or '-' among them, or numbers written for people: "1,234", "$5") is an error, as in
    memory, not hundreds of one-hot categories. With only its distinct values at hand, a
    column counts as numbers when two of them at least are numbers and the others all
    mark missing cells (no letter or digit, or a word of ``stream.MISSING_WORDS``), or,
    with ``counts`` (each category's rows, ``Columns.category_counts``), as the in-memory
    path decides: when its cells of numbers outnumber its cells of text
    (``stream.numbers_majority``: a stray 'TBD' among 200 numbers; shoe sizes 35 ... 46 and
    a few S, M, L), or when a single text stands beside two numbers or more (``--categorical``
    keeps such codes as text, in memory); a column of sizes S, M, L, XL in most rows and 10,
    12 in a few is text. ``decimal``: the decimal mark numbers are read with (--decimal);
    ``delimiter``: the file's (a file not separated by commas whose numbers are written 3,14
    is told to pass --decimal ,); ``places``: a column's line of the cell the stream refused
    and the cell there (``ColumnsRefused.place``, ``.cell``), named in the error."""
    for name, cats in categories.items():
        plain, formatted, text = [], [], []
        for v in map(str, cats):
            if number_value(v, decimal) is not None:
                plain.append(v)
            else:
                number = FORMATTED_NUMBER.fullmatch(v) or _typographic_number(v, decimal)
                (formatted if number else text).append(v)
        # (the stream's rule: texts that all mark missing cells, no letter or digit or a
        # word such as 'unknown'; and the in-memory path's, by the counts of cells: more
        # cells of numbers than of text, or one text beside two numbers or more)
        words = [v for v in text if any(ch.isalnum() for ch in v)]
        stray = [v for v in words if v.strip().lower() not in MISSING_WORDS]
        if not (text or formatted):
            continue
        rows = dict(zip(map(str, cats), (counts or {}).get(name, [])))
        numbers = [v for v in plain if not math.isnan(number_value(v, decimal) or 0.0)]
        majority = bool(rows) and numbers_majority(
            sum(rows[v] for v in numbers), sum(rows[v] for v in formatted + text)
        )
        # (stream.from_csv's rule too, as the in-memory reader's)
        single = bool(rows) and single_text(
            formatted + text, [number_value(v, decimal) for v in numbers]
        )
        # (numbers written for people and a few texts, "5,2" and "n.v.": the in-memory test)
        people = people_numbers(
            rows or dict.fromkeys(map(str, cats), 1),
            decimal,
            (),
            also=lambda c: _typographic_number(c, decimal),
        )
        if people is not None:
            formatted, text = people
            stray = [v for v in text if v in stray]
        if stray and not (majority or single or people):
            continue
        if len(plain) + len(formatted) < 2 and not majority:
            continue
        typographic = [v for v in formatted if _typographic_number(v, decimal) is not None]
        if text:
            what = f"{len(text)} value(s) that are not numbers ({_few([repr(t) for t in text], 5)})"
        elif typographic:  # "−0.5", with U+2212
            shown = _few([repr(t) for t in typographic], 5)
            what = (
                f"numbers with a minus sign other than '-' or an invisible character ({shown}: "
                f"{_typographic_number(typographic[0], decimal)})"
            )
        elif decimal != ".":
            what = (
                f"numbers that --decimal {decimal!r} does not read: a decimal point other than "
                f"{decimal!r}, a thousands separator, or a currency or percent sign "
                f"({_few([repr(t) for t in formatted], 5)})"
            )
        else:
            what = (
                f"numbers written with {formatted_form(formatted[0])} "
                f"({_few([repr(t) for t in formatted], 5)})"
            )
        comma = decimal == "." and delimiter != "," and formatted and not text
        if comma and all(_DECIMAL_COMMA.fullmatch(v) for v in formatted):
            raise CLIError(
                f"column {_q(name)} of '{source}' holds numbers written with a comma "
                f"({_few([repr(t) for t in formatted], 5)}), which the streaming reader reads "
                f"as text: if the file writes decimal commas (3,14), pass --decimal , (if the "
                f"commas separate thousands, write every cell as a plain number such as 1234.5)"
            )
        if people is not None and text:  # "5,2" and "n.v.": the numbers, then the texts
            example = plain_example(formatted[0])
            comma = decimal == "." and delimiter != "," and _DECIMAL_COMMA.fullmatch(formatted[0])
            raise CLIError(
                f"column {_q(name)} of '{source}' holds numbers written with "
                f"{formatted_form(formatted[0])} ({_few([repr(t) for t in formatted], 5)}) and "
                f"{_esc(_few([repr(t) for t in text], 3))}, so the streaming reader reads it as "
                f"text, {len(cats)} categories one-hot encoded: write every cell as a plain "
                f"number such as {example}{decimal}5"
                + (
                    ", or pass --decimal , if the file writes decimal commas (3,14)"
                    if comma
                    else ""
                )
                + f"; if {_esc(repr(text[0]))} marks a missing cell, pass "
                f"{_esc(' '.join(_missing_option(t) for t in text))} (the stream then names each "
                f"row that holds one); --categorical {_esc(shlex.quote(name))} keeps codes as text"
            )
        place, cell = (places or {}).get(name, (None, None))
        if stray and cell not in stray:  # (the line named holds no stray text: none named)
            place, cell = None, stray[0]
        of = f"{_esc(place)}: column {_q(name)}" if place else f"column {_q(name)} of '{source}'"
        if stray == [cell] and _totals_text(cell) and rows.get(cell) == 1:  # a totals row
            raise CLIError(
                f"{of} holds numbers and {_esc(repr(cell))}, the label of a row of totals, "
                f"whose numbers are sums of the rows above, not a row of data: delete that "
                f"line from the file"
            )
        if stray:  # (a stray text among numbers: its line, and what to do)
            raise CLIError(
                f"{of} holds numbers and {_esc(what)}, so the "
                f"streaming reader reads it as text, {len(cats)} categories one-hot encoded: "
                f"if {_esc(repr(cell))} marks a missing cell, pass --missing "
                f"{_esc(shlex.quote(cell))} (with the other texts that mark one; the "
                f"stream then names each row that holds one); else fix the cell"
                f"{' at that line' if place else ''}, writing it as a plain number such as "
                f"1234{decimal}5; if the column holds categories "
                f"({_esc(_few([repr(t) for t in stray], 5))}), pass "
                f"--categorical {_esc(shlex.quote(name))} (its numbers are then categories too)"
            )
        example = plain_example(formatted[0]) if formatted else "1234"
        raise CLIError(  # (no "numbers and" for a column of '5.3k' cells alone)
            f"{of} holds {'numbers and ' if plain else ''}{_esc(what)}, so the "
            f"streaming reader reads it as text, {len(cats)} categories one-hot encoded: write "
            f"every cell as a plain number such as {example}{decimal}5, or drop --stream (the "
            f"in-memory "
            f"reader names each cell's line); --categorical {_esc(shlex.quote(name))} keeps "
            f"codes as text"
            + (
                f"; if they are decimal commas (3,14), {_COMMA_FILE_FIX[:-1]}"
                if decimal == "."
                and delimiter == ","
                and formatted
                and all(_DECIMAL_COMMA.fullmatch(v) for v in formatted)
                else ""
            )
        )


def _stream_labels_kept_apart(args: argparse.Namespace, target: str, classes: list[Any]) -> None:
    """Refuse class labels beyond int64 that the stream's float64 made one (``1e20`` and
    ``100000000000000000001``), naming both cells: the target column's texts are read once
    more, only where a class is that large (float64 keeps the others apart, or they are
    int64)."""
    if not any(
        isinstance(c, (float, np.floating)) and math.isfinite(c) and abs(c) >= 2**63
        for c in classes
    ):
        return
    seen: dict[float, tuple[int, str]] = {}
    with open(args.data, newline="", encoding="utf-8-sig") as f:
        rows = csv.reader(f, delimiter=_stream_delimiter(args))
        header = next(rows, [])
        if target not in header:
            return
        j = header.index(target)
        for row in rows:
            if j >= len(row):
                continue
            exact = _whole_number(row[j], args.decimal)
            if exact is None or abs(exact) < 2**53:
                continue
            first = seen.setdefault(float(exact), (exact, row[j].strip()))
            if first[0] != exact:
                raise CLIError(
                    f"the target '{target}' holds the class labels {first[1]!r} and "
                    f"{row[j].strip()!r}, which float64 reads as one number "
                    f"({_number_text(float(exact))}): train --stream reads labels as float64, "
                    f"so they would become one class: drop --stream, which reads them exactly"
                )


def _stream_label_encoder(classes: list[Any], target: str) -> LabelEncoder:
    """The LabelEncoder the in-memory path fits on these labels (whole numbers as int64, as
    :func:`_labels_of` reads them), checked to encode class ``k`` of the stream as ``k``."""
    whole = None
    if all(isinstance(c, (int, np.integer)) and not isinstance(c, bool) for c in classes):
        whole = _whole_labels([str(c) for c in classes])  # (exact past 2**53)
    if all(isinstance(c, str) for c in classes):
        values = np.array(classes, dtype=str)
    elif whole is not None:
        values = whole
    else:
        values = np.array(classes, dtype=np.float64)
        whole_values = bool(np.all(values == np.round(values)))
        if whole_values and np.any((np.abs(values) >= 2**53) & (np.abs(values) < 2**63)):
            # (written with a point or exponent, read as float64 by the stream's reader,
            # where in memory they are int64 exactly; beyond int64 both read float64, and the
            # stream refuses two distinct labels that float64 makes one)
            big = next(c for c in classes if 2**53 <= abs(float(c)) < 2**63)
            raise CLIError(
                f"the target '{target}' holds whole numbers of more digits than float64 "
                f"keeps (one reads as {_number_text(float(big))}): train --stream reads them "
                f"as float64, so distinct class labels can become one: drop --stream, which "
                f"reads them exactly, as written"
            )
        if whole_values and np.all(np.abs(values) < 2**63):
            values = values.astype(np.int64)
    enc = LabelEncoder().fit(values)
    if not np.array_equal(enc.transform(values), np.arange(len(classes))):
        raise CLIError(f"the classes of '{target}' do not sort the same way in the stream", 1)
    return enc


def _confusion_metrics(cm: np.ndarray) -> dict[str, Any]:
    """:func:`classification_metrics` from the confusion matrix ``cm`` (C, C) (rows true,
    columns predicted), summed over the chunks of a stream: the same formulas and keys."""
    tp = np.diag(cm).astype(np.float64)  # (C,)
    predicted, support = cm.sum(axis=0).astype(np.float64), cm.sum(axis=1).astype(np.float64)
    return {**_class_scores(tp, predicted, support), "confusion": cm.tolist()}


class _StreamedScores:
    """Test scores summed chunk by chunk (memory independent of the rows): a confusion
    matrix, or per output the squared and absolute errors and the truth's moments (Chan
    et al.'s merge, for R^2's total sum of squares). The sums are kept in units of a power
    of two near the largest target seen (``2**exp``, raised as larger chunks come, the sums
    rescaled exactly), as :func:`~glassnet.metrics.r2_per_output` scales a column: targets
    of 1e200 square without overflow and R^2 is the in-memory run's."""

    def __init__(self, n_classes: int | None, confusion_max: int | None = None) -> None:
        # (more classes than confusion_max: each class's counts and the confusions', the
        # classes x classes matrix never built, as classification_metrics(confusion_max=))
        self.sparse = None
        if n_classes is not None and confusion_max is not None and n_classes > confusion_max:
            self.sparse = (np.zeros((3, n_classes), np.int64), Counter[int]())
            n_classes = None
        self.cm = None if n_classes is None else np.zeros((n_classes, n_classes), np.int64)
        self.n, self.sse, self.sae, self.mean, self.m2 = 0, 0.0, 0.0, 0.0, 0.0
        self.exp: int | None = None

    def add(self, truth: np.ndarray, pred: np.ndarray) -> None:
        if self.sparse is not None:  # (right, predicted, of the class; the confusions)
            counts, pairs = self.sparse
            t, p, c = truth.astype(np.int64), pred.astype(np.int64), counts.shape[1]
            wrong = t != p
            for row, v in enumerate((t[~wrong], p, t)):
                counts[row] += np.bincount(v, minlength=c)
            codes, n = np.unique(t[wrong] * c + p[wrong], return_counts=True)
            pairs.update(dict(zip(codes.tolist(), n.tolist())))
            return
        if self.cm is not None:
            np.add.at(self.cm, (truth.astype(np.int64), pred.astype(np.int64)), 1)
            return
        t, p = truth.astype(np.float64).reshape(-1), pred.astype(np.float64).reshape(-1)
        if t.size == 0:
            return
        exp = int(np.frexp(np.abs(t).max())[1])
        if self.exp is None:
            self.exp = exp
        elif exp > self.exp:  # (exact: a power of two)
            shift = self.exp - exp
            self.sse, self.m2 = (float(np.ldexp(v, 2 * shift)) for v in (self.sse, self.m2))
            self.sae, self.mean = (float(np.ldexp(v, shift)) for v in (self.sae, self.mean))
            self.exp = exp
        t, p = np.ldexp(t, -self.exp), np.ldexp(p, -self.exp)
        m, mu = t.size, float(t.mean())
        self.sse += float(((p - t) ** 2).sum())
        self.sae += float(np.abs(p - t).sum())
        d2, delta = float(((t - mu) ** 2).sum()), mu - self.mean
        self.mean += delta * m / (self.n + m)
        self.m2 += d2 + delta * delta * self.n * m / (self.n + m)
        self.n += m

    def metrics(self) -> dict[str, Any]:
        if self.sparse is not None:
            counts, pairs = self.sparse
            tp, predicted, support = counts.astype(np.float64)
            left = _Confusions(pairs, counts[1].copy())
            return {**_class_scores(tp, predicted, support), "confusion_left_out": left}
        if self.cm is not None:
            return _confusion_metrics(self.cm)
        r2 = 1.0 - self.sse / self.m2 if self.m2 > 0 else None
        exp = self.exp or 0
        with np.errstate(over="ignore"):  # (a mean square of 1e200s: inf, as in memory)
            mse = float(np.ldexp(self.sse / self.n, 2 * exp))
            mae = float(np.ldexp(self.sae / self.n, exp))
        return {"mse": [mse], "mae": [mae], "r2": [r2]}


class _StreamedLabelScores:
    """A multi-label model's test scores summed chunk by chunk: per label a 2 x 2 confusion
    matrix, and the rows with every label right (:func:`multilabel_metrics`' keys)."""

    def __init__(self, n_labels: int) -> None:
        self.cm = np.zeros((n_labels, 2, 2), np.int64)  # (K, truth, predicted)
        self.n, self.exact = 0, 0

    def add(self, truth: np.ndarray, pred: np.ndarray) -> None:
        t, p = truth.astype(np.int64), pred.astype(np.int64)  # (m, K) 0/1
        k = np.broadcast_to(np.arange(t.shape[1]), t.shape)
        np.add.at(self.cm, (k, t, p), 1)
        self.n += len(t)
        self.exact += int(np.all(t == p, axis=1).sum())

    def metrics(self) -> dict[str, Any]:
        per = [_confusion_metrics(cm) for cm in self.cm]
        right = int(sum(np.trace(cm) for cm in self.cm))
        return {
            **_label_scores(per),
            "hamming_score": right / (self.n * len(self.cm)) if self.n else 0.0,
            "subset_accuracy": self.exact / self.n if self.n else 0.0,
        }


def _streamed_labels(
    args: argparse.Namespace, cols: Any
) -> tuple[list[dict[str, Any]], list[np.ndarray]]:
    """--task multilabel --stream: each label column's two values, decided as in memory
    (:func:`_label_column`) from the statistics pass's count of each cell text, and each
    text's 0/1 (indexed by the stream's codes, ``cols.classes[k]``). A column of one value,
    or of three or more, is the in-memory error; for three or more it names the line of
    the first cell that is neither of the column's two most frequent values."""
    entries, codes = [], []
    for t, texts, counts in zip(cols.targets, cols.classes, cols.counts):
        cells = [str(c) for c in texts]
        entry = _label_column_of(dict(zip(cells, counts)), args.decimal)
        if isinstance(entry, str) and entry.startswith("1 value(s): "):
            raise _one_label_value(t, args.data, entry, cols.rows)
        if isinstance(entry, str):
            first, second, stray = _stray_label_cells(dict(zip(cells, counts)), args.decimal)
            line, cell = _first_line_of(args, t, stray)
            raise CLIError(
                f"--task multilabel: '{args.data}' line {line}: the label column {_q(t)} "
                f"holds {_q(cell)}, beside its most frequent values {_q(first)} "
                f"and {_q(second)} (the column holds {entry}); each label column "
                f"holds two values: 0/1, true/false, yes/no or two texts: fix or drop that row "
                f"(a column of more classes is a --task multiclass target of its own)"
            )
        hits = _label_codes(entry, cells, args.decimal)  # (each text of the column, once)
        if np.any(hits < 0):  # (every text is one of the two values it was read from)
            raise CLIError(f"the label column {t!r}: {cells} do not fit {entry}", 1)
        entries.append(entry)
        codes.append(hits)
    return entries, codes


def _label_key(cell: str, decimal: str = ".") -> tuple[str, Any]:
    """The value a label column's ``cell`` stands for, as :func:`_label_column_of` reads
    it: a number by its value (1 and 1.0 alike), a label word (yes, true, ...) in any case,
    any other text as written."""
    t = cell.strip()
    try:
        v = float(as_point(t, decimal))
        if math.isfinite(v):
            return ("number", v)
    except ValueError:
        pass
    if any(t.lower() in pair for pair in _LABEL_WORDS):
        return ("word", t.lower())
    return ("text", cell)


def _stray_label_cells(counts: Mapping[str, int], decimal: str = ".") -> tuple[str, str, set[str]]:
    """A refused label column's two most frequent values (each as the file spells it most
    often) and the cell texts outside them, from how many rows hold each cell text: the
    texts are grouped by the value they stand for (:func:`_label_key`: No beside no, 1.0
    beside 1), so that a spelling of one of the two values is never the stray cell. When
    the column holds two values or fewer so read (yes, Yes and maybe: three texts to
    :func:`_label_column_of`), the texts themselves are ranked."""
    groups: dict[tuple[str, Any], dict[str, int]] = {}
    for c, n in counts.items():
        groups.setdefault(_label_key(c, decimal), {})[c] = n
    if len(groups) < 3:
        groups = {("text", c): {c: n} for c, n in counts.items()}

    def spelled(texts: dict[str, int]) -> str:
        return min(texts, key=lambda c: (-texts[c], c))

    ranked = sorted(groups.values(), key=lambda g: (-sum(g.values()), spelled(g)))
    stray = {c for g in ranked[2:] for c in g}
    return spelled(ranked[0]), spelled(ranked[1]), stray


def _first_line_of(args: argparse.Namespace, column: str, cells: set[str]) -> tuple[int, str]:
    """The line of ``args.data`` of the first row whose cell of ``column`` (stripped, as
    the stream reads it) is one of ``cells``, and that cell (read again: an error's path)."""
    with open(args.data, newline="", encoding="utf-8-sig", errors="replace") as f:
        reader = csv.reader(f, delimiter=_stream_delimiter(args))
        header = [n.strip() for n in next(reader, [])]
        j = header.index(column)
        for row in reader:
            if len(row) > j and row[j].strip() in cells:
                return reader.line_num, row[j].strip()
    return 0, sorted(cells)[0]


def _train_streamed(args: argparse.Namespace) -> int:
    """``glassnet train DATA.csv --target COL --stream``: training on a file larger than
    memory, through :mod:`glassnet.stream`.

    1) One streaming pass (``stream.from_csv``) collects the preprocessing statistics: each
       number column's mean and standard deviation (unless --no-standardize), each text
       column's categories, the target's classes (or, for a regression, its mean and
       standard deviation, which scale y as in memory).
    2) The task is decided as in memory (:func:`_stream_target_kind`); a whole-number
       target with more than MAX_INFERRED_CLASSES values is a regression, which takes a
       second statistics pass for the target's moments when the first block had fewer.
    3) The --test-split rows are drawn per chunk with ``default_rng([seed, 2, chunk])``
       (not stratified) and left out of training; every epoch reads the other rows through
       the shuffle buffer (--buffer-size), epoch ``e`` shuffled by ``default_rng([seed, 0,
       e])``. The statistics come from all rows (the held-out ones included: one pass).
    4) The test rows are scored chunk by chunk, and the model file is written as the
       in-memory path writes it: predict, evaluate, explain, info and export read it alike.
    """
    from . import __version__
    from . import stream as gs

    say: Callable[[str], None] = lambda s: sys.stdout.write(s + "\n")  # noqa: E731
    rank, size = _distributed.launched()
    if rank:  # `mpiexec -n N glassnet train --stream`: rank 0 prints and writes
        say = lambda s: None  # noqa: E731
    _stream_refusals(args)
    out_path, ckpt_path, checkpointing = _train_files(args)
    buffer_size = args.buffer_size or 65_536
    held = max(buffer_size // args.batch_size, 1) * args.batch_size if args.batch_size else 0
    if args.buffer_size is not None and held > buffer_size:  # (as stream.py holds: rounded
        _note(  # down to whole batches, as its --help says, or raised to one)
            f"--buffer-size {buffer_size} is less than one batch of --batch-size "
            f"{args.batch_size}: the shuffle buffer holds whole batches, one of {held} rows"
        )
    args.buffer_size = buffer_size
    targets = _split_names(args.target)
    target = targets[0]
    multilabel = args.task == "multilabel"  # (several label columns, read as text)

    # 1) statistics pass, 2) task
    t0 = time.perf_counter()
    labels_wanted, block = _stream_target_kind(args, targets if multilabel else target)
    src = _stream_source(args, targets if multilabel else target, labels_wanted)
    cols = src.columns
    if cols.index_dropped is not None:  # (as the in-memory path notes it)
        low, high = cols.index_dropped
        _note(
            f"'{args.data}': its unnamed first column holds the row numbers {low} to {high}, "
            f"the index that pandas' to_csv writes (or R's write.csv): left out, not a "
            f"feature (to_csv(index=False) writes no such column)"
        )
    _refuse_streamed_text_columns(args, target, cols, multilabel)
    passes = [cols]  # the statistics passes' columns (each with the passes it made)
    entries, codes = None, None  # multi-label: each label's values, and its texts' 0/1
    if multilabel:
        entries, codes = _streamed_labels(args, cols)
    elif cols.classes is not None and args.task == "auto":
        numbers = [c for c in cols.classes if not isinstance(c, str)]
        whole = all(float(c) == round(float(c)) for c in numbers)
        if numbers and (len(cols.classes) > MAX_INFERRED_CLASSES or not whole):
            src = _stream_source(args, target, False)  # a regression target: again
            cols = src.columns
            passes.append(cols)
    labels, y_scaler = None, None
    if entries is not None:
        task_name, n_outputs = "multilabel", len(targets)
    elif cols.classes is not None:
        _stream_labels_kept_apart(args, target, cols.classes)
        labels = _stream_label_encoder(cols.classes, target)
        classes = [str(c) for c in labels.classes_.tolist()]
        _refuse_one_class(args, target, cols)
        task_name = args.task if args.task != "auto" else "binary" if len(classes) == 2 else (
            "multiclass")  # fmt: skip
        if task_name == "binary" and len(classes) > 2:
            raise CLIError(
                f"--task binary needs 2 classes but the target has {len(classes)}: "
                f"{_classes_text(classes)}; use --task multiclass"
            )
        n_outputs = 1 if task_name == "binary" else len(classes)
        _warn_label_runs(args, target, cols)
        if labels.classes_.dtype.kind == "U":  # ("Yes" beside "yes": as in memory)
            _warn_lookalikes(
                classes,
                f"classes of the target '{target}'",
                "each is trained as a class of its own: if they are one class, write them the "
                "same way in the file",
            )
    else:
        task_name, n_outputs = "regression", 1
        mean, std = cols.target_moments
        top = max(map(abs, cols.target_range or (0.0, 0.0)))
        if not (math.isfinite(mean) and math.isfinite(std)):
            raise CLIError(
                f"the target '{target}' of {args.data} has values too large to scale (they "
                f"span more than float64's range): fix or drop the extreme values, or scale "
                f"the column down (divide it by a power of ten)"
            )
        if top > float(np.finfo(args.dtype).max):  # (the stream reads y in the dtype)
            raise CLIError(
                f"the target '{target}' of {args.data} has values too large to scale ({top:.3g} "
                f"is beyond {np.dtype(args.dtype).name}'s range, which the stream reads the "
                f"target in): fix or drop the extreme values, scale the column down (divide it "
                f"by a power of ten), or pass --dtype float64"
            )
        if args.standardize:
            tiny = 10 * np.finfo(np.float64).eps * max(1.0, abs(mean))
            y_scaler = StandardScaler.from_dict(
                {"type": "StandardScaler", "mean": [mean], "scale": [std if std >= tiny else 1.0]}
            )
    task = _make_task(task_name, n_outputs)
    _refuse_repeated_header(args, cols)
    asked = set(_split_names(args.categorical))  # (--categorical: text by request)
    _refuse_streamed_numbers_as_text(
        args.data, {n: c for n, c in cols.categories.items() if n not in asked}, args.decimal,
        _stream_delimiter(args), None, cols.category_counts,
    )  # fmt: skip
    pre = Preprocessor.from_dict(cols.preprocessor_dict())
    stats_s = time.perf_counter() - t0
    dates = _warn_streamed_columns(args, block, cols)
    for c, cats in cols.categories.items():
        many = len(cats) > MAX_CATEGORIES_SHARE * cols.rows and len(cats) > MIN_CATEGORIES_WARNED
        if many and c not in dates:
            _warn(
                f"the text column {c!r} has {len(cats)} distinct values in {cols.rows} rows, "
                f"so one-hot encoding turns it into {len(cats)} inputs that new data will "
                f"rarely match (an ID or free text?): write the file without it"
            )
        totals = [v for v, k in zip(map(str, cats), cols.category_counts[c]) if k == 1]
        totals = [v for v in totals if _totals_text(v)]
        if len(totals) == 1:  # a spreadsheet's row of totals (the in-memory warning's words)
            line, cell = _first_line_of(args, c, set(totals))
            _warn(
                f"line {line} of '{args.data}' looks like a row of totals ({_q(cell)} in column "
                f"{_q(c)}, in a single row): it is trained on as a row of data, {_q(cell)} a "
                f"category of its own and its sums skewing the scaling of every number column; "
                f"delete that line from the file"
            )
        marks = _missing_marks(cats)
        if marks:  # (as in memory; a stream cannot impute: --missing makes them errors)
            counts = dict(zip(cats, cols.category_counts[c]))
            fix = (
                "and fill or drop those rows (a stream trains on complete rows: a missing cell "
                "is an error naming its line), or train in memory (without --stream) with "
                "--impute mean (or median), which fills them with the column's most frequent "
                "value"
            )
            _note(_missing_marks_text(c, marks, [counts[m] for m in marks], fix))
        _warn_lookalikes(
            [str(v) for v in cats],
            f"categories of the text column {c!r}",
            "each becomes an input of its own: if they are one category, write them the same "
            "way in the file",
        )

    # 3) the rows: a chunk's test rows are drawn from default_rng([seed, 2, chunk index])
    dtype = np.dtype(args.dtype)

    def rows(test: bool) -> Callable[[], Any]:
        def chunks() -> Any:
            for i, (X, y, _) in enumerate(src.chunks()):
                if codes is not None:  # each label's texts as 0/1, as in memory: (m, K)
                    y = task.encode(np.stack([c[y[:, k]] for k, c in enumerate(codes)], axis=1))
                if y_scaler is not None:
                    y = y_scaler._transform(y.astype(np.float64).reshape(-1, 1))
                if args.test_split > 0:
                    held = np.random.default_rng([args.seed, 2, i]).random(len(X)) < args.test_split
                    keep = held if test else ~held
                    X, y = X[keep], y[keep]
                if len(X):
                    yield X, (y.astype(dtype) if y_scaler is not None else y)

        return chunks

    train_src = gs.from_chunks(rows(False), buffer_size=buffer_size)
    train_src.rows_at_most = cols.rows  # (distributed: a buffer holding them all agrees)
    if args.batch_size > cols.rows and args.batch_size != 32:  # (not the default: as in memory)
        _note(
            f"--batch-size {args.batch_size} is larger than the training set ({cols.rows} rows "
            f"in the file, before the test split): each step uses all of them"
        )
    if args.test_split > 0:  # (each row drawn: a training row found, or none at all)
        probe = rows(False)()
        try:
            left = next(probe, None) is not None
        except ValueError as exc:
            raise CLIError(_about_file(args.data, exc)) from None
        finally:
            probe.close()
        if not left:
            raise CLIError(
                f"--test-split {args.test_split} holds out {cols.rows} of the {cols.rows} "
                f"rows (each row drawn with that probability, chunk by chunk), which leaves "
                f"none to train on: use a smaller --test-split"
            )
    n_in = len(cols.feature_names)
    sizes = [n_in, *args.hidden, task.n_outputs]
    _check_memory(
        f"training an MLP {' -> '.join(map(str, sizes))} on a stream "
        f"({sum((a + 1) * b for a, b in zip(sizes[:-1], sizes[1:])):,} parameters, a "
        f"{buffer_size:,}-row shuffle buffer)",
        _training_bytes(sizes, buffer_size, args.batch_size, args.optimizer, False,
                        dtype.itemsize) + 2 * buffer_size * (n_in + n_outputs) * dtype.itemsize,
        "use a smaller --buffer-size, smaller --hidden widths or a smaller --batch-size",
    )  # fmt: skip
    rng = np.random.default_rng([args.seed, 1])
    model = task.build_model(n_in, args.hidden, args.activation, rng=rng, dtype=dtype)
    _check_file_fits(args, pre, classes if labels is not None else None, model, 1)
    lr = args.lr if args.lr is not None else _DEFAULT_LR.get(args.optimizer, 0.01)
    optimizer = _optim.get_optimizer(args.optimizer, model.parameters(), lr=lr)
    settings = {
        "data": _SHOWN.get(args.data, args.data),
        "target": targets if multilabel else [target], "task": task_name,
        "hidden": list(args.hidden),
        "activation": args.activation, "optimizer": args.optimizer, "lr": lr,
        "batch_size": args.batch_size, "l2": args.l2, "val_split": 0.0,
        "early_stopping": False, "patience": args.patience, "seed": args.seed,
        "test_split": args.test_split, "standardize": bool(args.standardize), "impute": None,
        "categorical": _split_names(args.categorical), "stream": True,
        "buffer_size": buffer_size,
        "dtype": args.dtype, "threads": _threads_used(args, model, args.batch_size),
    }  # fmt: skip
    # the data's fingerprint: the statistics pass's results (a checkpoint of a stream is
    # resumed only on a file with the same rows, columns, scaling, categories and classes)
    fingerprint = _fingerprint(
        np.frombuffer(json.dumps([cols.rows, cols.preprocessor_dict(), repr(cols.classes),
                                  cols.target_moments]).encode(), np.uint8)
    )  # fmt: skip
    before = _RunState()
    if args.resume:
        before, _ = _resume(
            ckpt_path, model, optimizer, settings, fingerprint, args.threads == "load"
        )
        if before.epoch > args.epochs:
            raise CLIError(
                f"--resume: the checkpoint '{ckpt_path}' is at epoch {before.epoch}, past "
                f"--epochs {args.epochs}; give --epochs {before.epoch} or more"
            )

    n_cat = sum(k == "categorical" for k in cols.kinds.values())
    say(
        f"data      {args.data} (streamed): {cols.rows} rows, {len(cols.features)} feature "
        f"columns ({len(cols.features) - n_cat} numeric, {n_cat} categorical) -> {n_in} inputs"
    )
    say(f"          {_passes_text(passes)} in {stats_s:.2f} s; shuffle buffer {buffer_size:,} rows")
    if cols.line_notes:  # (blank lines and rows of blank cells, where the file was read mended)
        say(f"          read {cols.line_notes}")
    if cols.trailing:  # (rows ending in a delimiter or several: read as in memory, said so)
        named = len(cols.features) + len(cols.targets)
        say(f"          {trailing_fields_text(cols.trailing, cols.rows, named)}")
    how = "--task" if args.task != "auto" else "inferred"
    if entries is not None:
        say(
            f"task      multilabel classification ({how}), {len(targets)} label(s), each "
            f"negative/positive: {_labels_text(targets, entries)}"
        )
    elif task.is_classifier:
        say(
            f"task      {task_name} classification of '{_esc(target)}' ({how}), {len(classes)} "
            f"classes: {_classes_text(classes)}"
        )
    else:
        say(f"task      {task_name} of '{_esc(target)}' ({how})")
    split = f"{args.test_split:g} of the rows held out for testing" if args.test_split else (
        "no test split")  # fmt: skip
    say(f"split     {split} (seed {args.seed}, drawn per chunk)")
    say(
        f"model     MLP {' -> '.join(str(s) for s in model.sizes)}, {_hidden_text(args)}, "
        f"{task.output_activation} output, {model.num_parameters()} parameters, loss {task.loss}"
    )
    say(
        f"training  {args.optimizer} lr {lr:g}, batch {args.batch_size}, {args.epochs} epochs"
        + (f"; resuming after epoch {before.epoch}" if args.resume else "")
    )
    sys.stdout.flush()

    t_train = time.perf_counter() - before.seconds

    def run_state(h: History, stop_reason: str, mark: Any = None) -> _RunState:
        """The earlier run's curve (when resumed) followed by this fit's (up to ``mark``)."""
        n, _, _, _, _, now = mark or _mark(h, None)
        return _RunState(
            epoch=before.epoch + n, loss=before.loss + h.loss[:n],
            stop_reason=stop_reason or None, seconds=now - t_train,
        )  # fmt: skip

    if _isatty(sys.stderr) and not dumb_terminal():
        progress = Progress(args.epochs, 0 if args.quiet else 2, after=0.0, tty_only=True)
    else:  # (a dumb terminal too)
        progress = _LogProgress(args.epochs, 0 if args.quiet else 1)
    callbacks: list[Callback] = [progress]
    saver = None
    if checkpointing:
        meta = {"format": CHECKPOINT_FORMAT, "format_version": MODEL_FORMAT_VERSION,
                "glassnet_version": __version__, "settings": settings,
                "fingerprint": fingerprint, "checkpoint_every": args.checkpoint_every}  # fmt: skip
        saver = _Checkpoints(ckpt_path, args.checkpoint_every, args.epochs, meta, run_state, None)
        callbacks.append(saver)
    try:
        with _signals_stop_training(saver is not None):  # (SIGTERM, SIGHUP: Ctrl-C)
            h = fit(
                model, train_src, None, loss=task.loss, optimizer=optimizer, epochs=args.epochs,
                initial_epoch=before.epoch, batch_size=args.batch_size,
                seed=lambda e: np.random.default_rng([args.seed, 0, e]), l2=args.l2, verbose=0,
                **_told_in_our_words(callbacks, None),
                distributed="mpi" if size > 1 else None, threads=args.threads,
            )  # fmt: skip
            OwnInterrupt.named(h)
            _write_interrupted(saver, h)
    except ValueError as exc:  # a chunk that fails fit's checks: the file's data
        raise CLIError(_about_file(args.data, exc)) from None
    except DivergenceError as exc:
        raise _diverged(exc, args, model, lr, args.batch_size or None) from None
    finally:
        progress.close()
    state = run_state(h, h.stop_reason)
    interrupted = state.stop_reason == "interrupted"
    stop = {
        "max_epochs": f"reached --epochs {args.epochs}",
        "interrupted": f"interrupted ({_stop_signal_text()[0]}); the weights so far are kept",
    }.get(state.stop_reason or "max_epochs", state.stop_reason or "")
    say(f"stopped   after {state.epoch} epochs ({state.seconds:.2f} s): {stop}")
    if state.loss:
        say(f"          final loss {state.loss[-1]:.4g}")
    if rank:
        return 0

    # 4) the held-out scores, chunk by chunk, then the model file
    n_train: int | None = cols.rows
    n_test: int | None = 0
    test_metrics = None
    if args.test_split > 0 and interrupted:
        n_train = n_test = None  # (scoring is another pass over the file: not after Ctrl-C)
        _note("training was interrupted, so the held-out rows were not scored")
    elif args.test_split > 0:
        bundle = _Bundle(str(out_path), model, {}, task, pre, labels, y_scaler)
        scores: Any = _StreamedScores(
            len(classes) if task.is_classifier and entries is None else None,
            CONFUSION_STORED_MAX,
        )
        if entries is not None:
            scores = _StreamedLabelScores(len(targets))
        count = 0
        try:  # (another pass over the file: its errors are the file's, as the epochs')
            for X, y in rows(True)():
                pred = bundle.decode(bundle.outputs(X))
                truth = y if y_scaler is None else y_scaler.inverse_transform(y.astype(np.float64))
                scores.add(truth, pred)
                count += len(X)
        except ValueError as exc:
            raise CLIError(_about_file(args.data, exc) + " No model was written.") from None
        n_train, n_test = cols.rows - count, count
        if not n_test:  # (in memory, ceil(test_split * rows) rows: 1 at least)
            _note(
                f"--test-split {args.test_split} held out 0 of the {cols.rows} rows (each row "
                f"drawn with that probability, chunk by chunk), so there are no test scores: "
                f"use a larger --test-split to score the model on held-out rows"
            )
        if n_test:
            test_metrics = scores.metrics()
            if entries is not None:
                say(
                    f"test      {n_test} rows: Hamming score "
                    f"{test_metrics['hamming_score']:.4f} (mean label accuracy), subset "
                    f"accuracy {test_metrics['subset_accuracy']:.4f} (rows with every label "
                    f"right)"
                )
            elif task.is_classifier:
                say(
                    f"test      {n_test} rows: accuracy {test_metrics['accuracy']:.4f}, "
                    f"macro F1 {test_metrics['macro_f1']:.4f}"
                )
                _say_left_out(say, test_metrics)
            else:
                r2, mae, mse = (_num(test_metrics[m][0]) for m in ("r2", "mae", "mse"))
                say(f"test      {n_test} rows, {_esc(target)}: R^2 {r2}, MAE {mae}, MSE {mse}")
                if test_metrics["r2"][0] is not None and test_metrics["r2"][0] < 0:
                    _warn(
                        f"the held-out R^2 of {target!r} is {test_metrics['r2'][0]:.3g}: the "
                        f"model predicts it worse than its mean would: {_TUNING_HINT}"
                    )
    meta = {
        "format": MODEL_FORMAT,
        "format_version": MODEL_FORMAT_VERSION,
        "glassnet_version": __version__,
        "task": {
            "name": task_name,
            "loss": task.loss,
            "output_activation": task.output_activation,
            "n_outputs": task.n_outputs,
        },
        "target": {
            "names": targets if multilabel else [target],
            "labels": labels.to_dict() if labels is not None else None,
            "scaler": y_scaler.to_dict() if y_scaler is not None else None,
            **({"multilabel": entries} if entries is not None else {}),
        },
        "preprocessing": {
            "standardize": bool(args.standardize),
            "impute": None,
            "inputs": pre.feature_names_out,
            "preprocessor": pre.to_dict(),
            "drop": [],
            "id": None,
            "missing": sorted(_missing_flag(args) or MISSING_TOKENS),
            "statistics": "one streaming pass over all rows (the held-out test rows included)",
        },
        "training": {
            **settings,
            "epochs": args.epochs,
            "rows": {"train": n_train, "validation": 0, "test": n_test},
            "batch_order": "a shuffle buffer of buffer_size rows, "
            "numpy.random.default_rng([seed, 0, epoch])",
            "test_rows": "per chunk i: numpy.random.default_rng([seed, 2, i]).random(rows) "
            "< test_split",
            "decimal": args.decimal,  # (the read of new files: predict's default --decimal)
            # (predict's default --multiline-cells: a file like the training file reads)
            "multiline_cells": bool(args.multiline_cells),
        },
        "history": _history(state, stop),
        "test_metrics": _stored_metrics(test_metrics, classes if labels is not None else None),
    }
    _warn_replaced(args, out_path)
    return _save_trained(
        model, out_path, meta, say, interrupted, checkpointing, ckpt_path, "the weights so far"
    )


def _passes_text(made: Sequence[Any]) -> str:
    """The statistics passes a streamed run made over its file, counted as made: ``made``
    holds each reading's columns (``glassnet.stream.Columns``: its ``passes``, 2 where a
    first pass stopped to read the file again mended, after ``stopped_at`` rows; one more
    per column of ``retyped``, read again as numbers: the line of the cell that stopped it)."""
    count = sum(c.passes for c in made)
    text = f"{count} statistics pass{'es' if count > 1 else ''}"
    stopped = [
        "in its first block of rows" if not c.stopped_at else f"after {c.stopped_at:,} rows"
        for c in made
        if c.stopped_at is not None
    ]
    if stopped:
        which = "one of them" if len(stopped) == 1 else f"{len(stopped)} of them"
        text += (
            f" ({which} stopped {' and '.join(stopped)} to read the file again mended, for "
            "rows of blank cells or of another width than the header's)"
        )
    retyped = [
        f"{_q(n)} at line {line}" if isinstance(line, int) else f"{_q(n)} in {line}"
        for c in made
        for n, line in c.retyped.items()
    ]
    if retyped:
        which = "one of them" if len(retyped) == 1 else f"{len(retyped)} of them"
        text += (
            f" ({which} stopped at a number that pyarrow does not read, such as 7\\xa0 or a "
            f"digit of another script, in column {' and '.join(retyped)}, to read the "
            f"column again as the in-memory reader reads it)"
        )
    return text


def _save_trained(
    model: Any,
    out_path: Path,
    meta: dict[str, Any],
    say: Callable[[str], None],
    interrupted: bool,
    checkpointing: bool,
    ckpt_path: Path,
    kept: str,
) -> int:
    """Write a trained model and return train's exit code: 130 after Ctrl-C, 143 after
    SIGTERM (129: SIGHUP), saying what the model holds and how to continue from a
    checkpoint on stdout, and that the run was interrupted on stderr; else 0.

    After Ctrl-C a model file that a finished run wrote before is kept: the weights so far
    go beside it (``NAME.interrupted.glassnet``), not over it. (One written by an
    interrupted run, as a resumed run's own earlier save, is replaced as usual.)"""
    held = interrupted and checkpointing  # (a further interrupt while saving: noted)
    with _signals_stop_training(True, True) if held else contextlib.nullcontext():
        hint = ""
        if interrupted and checkpointing and ckpt_path.is_file():
            hint = f"; continue from the checkpoint '{ckpt_path}' with --resume"
        if interrupted and _finished_model(out_path):
            kept_path = _aside(out_path, ckpt_path)
            save_model(model, kept_path, meta=meta, replace_any=True)
            say(f"saved     {kept_path}")
            say(
                f"          training was interrupted: {kept_path} holds {kept}; '{out_path}', "
                "written by a finished run before this one, is kept (move the new file over it "
                f"to use the new weights){hint}"
            )
            return _interrupted(f"'{kept_path}' holds {kept}{hint}")
        save_model(model, out_path, meta=meta, replace_any=True)  # (--force checked before)
        say(f"saved     {out_path}")
        if interrupted:
            say(f"          training was interrupted: the model holds {kept}{hint}")
            return _interrupted(f"'{out_path}' holds {kept}{hint}")
        return 0


def _interrupted(saved: str) -> int:
    """The error line of a training run that Ctrl-C or a signal stopped (``saved``: what
    was saved where), printed on stderr once the command ends; returns its exit status."""
    how, code = _stop_signal_text()
    what = "interrupted (Ctrl-C)" if code == 130 else f"stopped by {how}"
    _PENDING.append(f"glassnet: error: {_esc(_oneline(f'{what}: {saved}'))}\n")
    return code


def _finished_model(path: Path) -> bool:
    """Whether ``path`` holds a glassnet model whose run was not interrupted."""
    try:
        if file_kind(path) != "model":
            return False
        _, description = load_arrays(path)
    except (OSError, ValueError):  # (a file that cannot be read as one: no model to keep)
        return False
    meta = description.get("meta") if isinstance(description, dict) else None
    return _dig(meta, "history", "stop_reason") != "interrupted"


def _aside(path: Path, checkpoint: Path) -> Path:
    """``path`` with ``.interrupted`` before its suffix (``m.glassnet``:
    ``m.interrupted.glassnet``; ``model``: ``model.interrupted``), ``-2``, ``-3``, ... added
    when that name holds a file that is not a glassnet model, or is the checkpoint's."""
    for i in range(1, 100):
        tag = ".interrupted" if i == 1 else f".interrupted-{i}"
        aside = path.with_name(f"{path.stem}{tag}{path.suffix}")
        try:
            if aside.resolve() == checkpoint.resolve():
                continue
            if not aside.exists() or file_kind(aside) in ("model", "empty"):
                return aside
        except OSError:
            continue
    raise CLIError(f"no free name beside '{path}' for the interrupted run's weights")


def _finite_or_none(value: Any) -> Any:
    """``value`` with every non-finite float replaced by None (JSON holds finite numbers only;
    a score can overflow, e.g. the MSE of targets near 1e308)."""
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, dict):
        return {k: _finite_or_none(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_finite_or_none(v) for v in value]
    return value


#: The settings that a streamed run alone stores (``train --stream``'s shuffle buffer), or
#: that older checkpoints lack (the dtype of an in-memory run, the thread count): not
#: compared with a run's that lacks them.
_STREAM_ONLY_SETTINGS = ("buffer_size", "dtype", "threads")


def _threads_used(args: argparse.Namespace, model: Any, rows: int) -> int | None:
    """The BLAS thread count that fit will train ``model`` with on batches of ``rows`` rows
    (--threads resolved: 'auto' and 'load' as the int they give; the products' last bits
    can depend on it, so a checkpoint stores it and --resume compares it)."""
    from .threads import blas_threads

    return blas_threads(model, rows, args.threads)


def _kept_interval(path: Path) -> int | None:
    """The --checkpoint-every interval a --resume run without one keeps: the one the
    checkpoint at ``path`` was written with (noted), so a resumed run goes on writing it and
    a later interruption loses no more than an interval; None (noted) for a checkpoint of an
    older glassnet, which does not record it, or none readable (the resume says why)."""
    try:
        meta = load_checkpoint(path).meta
    except (OSError, ValueError, ModelFileError):
        return None
    every = meta.get("checkpoint_every") if isinstance(meta, dict) else None
    if isinstance(every, int) and not isinstance(every, bool) and every > 0:
        _note(f"--resume: the checkpoint is written every {every} epochs, as before "
              f"(--checkpoint-every {every}); give --checkpoint-every N to change it")  # fmt: skip
        return every
    _note(
        f"--resume without --checkpoint-every: '{path}' is not written again in this run (it "
        "does not record its interval); add --checkpoint-every N to keep it current"
    )
    return None


def _resumed_checkpoint(path: Path) -> Any:
    """``load_checkpoint(path)`` for --resume: a damaged (cut-off or empty) file's error
    says the ways out."""
    try:
        return load_checkpoint(path)
    except ModelFileError as exc:
        text = str(exc)
        if "the file is empty" in text:
            text = f"'{path}' is an empty checkpoint (was its writing cut short?)"
        elif "not a checkpoint" in text or "model files are written by" in text:
            model = "is a model file (what train --out writes), not" if "model file, not" in \
                text else "is not"  # fmt: skip
            raise CLIError(
                f"--resume: '{path}' {model} a checkpoint; --resume reads the checkpoint "
                f"that train --checkpoint-every N writes: '<out>.ckpt' beside --out's file, or "
                f"the --checkpoint file given with --checkpoint-every. Name that one with "
                f"--checkpoint, or train without --resume"
            ) from None
        elif "truncated or corrupt" not in text:
            raise
        raise ModelFileError(
            f"{text}; start afresh without --resume, or restore a good copy of the file"
        ) from None


def _resume(
    path: Path,
    model: Any,
    optimizer: Any,
    settings: dict[str, Any],
    fingerprint: str,
    load: bool = False,
) -> tuple[_RunState, dict[str, np.ndarray] | None]:
    """Load a checkpoint into ``model`` and ``optimizer`` after checking it fits this run
    (``load``: --threads load, whose thread count may change, and is not compared)."""
    ckpt = _resumed_checkpoint(path)
    meta = ckpt.meta
    if meta.get("format") != CHECKPOINT_FORMAT:
        raise CLIError(f"'{path}' is not a checkpoint written by glassnet train")
    saved = meta.get("settings", {})
    if not isinstance(saved, dict):  # (a checkpoint edited by hand, or damaged)
        raise ModelFileError(
            f"'{path}': the checkpoint's settings must be a JSON object of the run's options; "
            f"got {type(saved).__name__}. Start afresh without --resume."
        )
    current = json.loads(json.dumps(settings))
    if saved.get("early_stopping") and not saved.get("val_split"):  # (before round 22: 0.0
        saved = {**saved, "val_split": 0.1}  # stored for the 0.1 that --early-stopping holds out)
    if "threads" in current and "threads" not in saved:
        _note(
            f"--resume: '{path}' does not record the thread count it was trained with "
            f"(written by an older glassnet); if it was not {current['threads']}, the weights' "
            f"last bits will differ from an unbroken run's"
        )
    elif load and saved.get("threads") != current.get("threads"):  # (never bit for bit)
        _note(
            f"--resume: '{path}' was trained with thread count {saved.get('threads')}, "
            f"--threads load now gives {current.get('threads')}; the weights' last bits "
            f"will differ from an unbroken run's"
        )
        saved = {**saved, "threads": current.get("threads")}

    def value(run: dict[str, Any], k: str) -> Any:
        return run.get(k, False if k == "stream" else None)  # (an in-memory run: no stream)

    # (the data's path may differ: the fingerprint checks the data themselves; the settings
    # that a streamed run alone writes are no change of the other run's, which has none)
    alone = {k for k in _STREAM_ONLY_SETTINGS if (k in saved) != (k in current)}
    changed = [
        f"{k} {value(saved, k)!r} -> {value(current, k)!r}"
        for k in sorted(set(saved) | set(current))
        if k != "data" and k not in alone and value(saved, k) != value(current, k)
    ]
    if changed:
        threads = any(c.startswith("threads ") for c in changed)
        flag = f"--threads {saved.get('threads')}"
        way = ("rerun the original command with --resume" + (f" and {flag}" if threads else "")
               if len(changed) > threads
               else f"resume with {flag} (the thread count it ran with: bit for bit)")  # fmt: skip
        raise CLIError(
            f"--resume: '{path}' was written with other settings ({'; '.join(changed)}); "
            f"{way}, or start afresh without it"
        )
    if meta.get("fingerprint") != fingerprint:
        raise CLIError(
            f"--resume: the training data differ from the data '{path}' was trained on; "
            f"resume with the same data, or start afresh without --resume"
        )
    try:
        state = _RunState.from_json(meta.get("state"))
        weights = {k: v for k, v in ckpt.model_state.items() if not k.startswith(_BEST)}
        best = {k[len(_BEST) :]: v for k, v in ckpt.model_state.items() if k.startswith(_BEST)}
        model.load_state_dict(weights)
        if best and any(k not in best or best[k].shape != v.shape for k, v in weights.items()):
            raise ValueError("its best weights do not match its weights")
        optimizer.load_state_dict(ckpt.optimizer_state)
    except (TypeError, ValueError) as exc:
        raise ModelFileError(
            f"'{path}': the checkpoint does not fit this model ({_oneline(str(exc))})"
        ) from None
    if state.stop_reason == "interrupted":
        state.stop_reason = None
    elif state.stop_reason == "max_epochs":
        state.stop_reason = None  # more epochs may have been asked for
    return state, (best or None)


# ======================================================================== predict


def _fmt_value(v: float) -> str:
    return f"{float(v):.7g}"


def _csv_value(v: float, dtype: Any = np.float64) -> str:
    """A predicted value as written to predict's CSV: the shortest text that reads back as
    the same value of ``dtype`` (seven significant digits wrote every prediction near 1e9
    as 1e+09; float64's digits of a float32 value wrote 0.1 as 0.10000000149011612), laid
    out as Python's repr lays out a float (positional from 1e-4 up to 1e16, else
    scientific: 3.0, 1e-05, 1e+16)."""
    if np.dtype(dtype) == np.float64:
        return repr(float(v))
    x = np.dtype(dtype).type(v)
    if x == 0 or not np.isfinite(x) or 1e-4 <= abs(x) < 1e16:
        return np.format_float_positional(x, unique=True, trim="0")
    return np.format_float_scientific(x, unique=True, trim="-", exp_digits=2)


def _guard_predictions(path: Path, bundle: _Bundle) -> None:
    """An existing CSV file at predict's --out is replaced without --force only when it holds
    predictions of this model (an earlier run's): every column of its header is the model's
    --id column, a target, or a probability column ``p(...)``. Any other file (the training
    data given as --out by mistake, another project's table) is replaced only with --force."""
    if not path.is_file() or path.stat().st_size == 0:
        return
    written = "\t" if path.suffix.lower() in (".tsv", ".tab") else ","  # (as predict writes)
    headers = [h for h in (_peek_header(path, written), _peek_header(path, None)) if h]
    if not headers:
        return  # not a text file: _guard_paths has refused it already
    ours = {bundle.id_column, *bundle.targets}
    others = [
        [c for c in h if c not in ours and not (c.startswith("p(") and c.endswith(")"))]
        for h in headers
    ]  # (read with predict's delimiter, or the one the file seems to use)
    header, other = headers[-1], min(others, key=len)
    if other:
        data = bundle.columns and set(bundle.columns) <= set(header)
        what = (
            f"data, not predictions: it has every feature column of the model "
            f"({_esc(_few(bundle.columns))})"
            if data
            else f"no predictions of this model: it has the column(s) {_esc(_few(other))}"
        )
        raise CLIError(
            f"--out '{path}' exists and holds {what}; writing would replace it; choose another "
            f"path, or pass --force to replace it"
        )


_NOT_CSV, _NOT_MODEL, _NOT_ONNX = NOT_CSV, NOT_MODEL, NOT_ONNX

#: Names of files that train's checkpoint (binary safetensors, of a run to --resume) would
#: only pretend to be: those of a model file's, less its own (.ckpt; .glassnet is allowed,
#: as a glassnet file: the weights an interrupted run sets aside are named so).
_NOT_CHECKPOINT = {k: v for k, v in _NOT_MODEL.items() if k not in (".ckpt", ".safetensors")}


def _refuse_misnamed(
    path: Path,
    flag: str,
    table: dict[str, str],
    writes: str,
    suffix: str,
    tail: str = "",
    fix: str | None = None,
) -> None:
    """Refuse an output named as a format other than the one written there (train --out
    preds.csv, export m.glassnet, --checkpoint ck.json, predict --out preds.xlsx): the
    file would be under that name in silence, and the tools that go by the suffix (a
    spreadsheet, pandas, predict's reader, ``zcat``) then fail on it. ``table`` maps the
    refused suffixes to what they name; ``writes`` says what the command writes there;
    ``suffix`` is the name's ending to give instead (``fix``: other advice). No option
    accepts such a name: --force replaces an existing file, it does not rename one."""
    message = misnamed(path, flag, table, writes, suffix, fix)
    if message is not None:
        raise CLIError(message + tail)


def _model_file_name(path: Path) -> None:
    """train --out: a glassnet model file."""
    _refuse_misnamed(
        path,
        "--out",
        _NOT_MODEL,
        "train writes a glassnet model file (binary safetensors)",
        ".glassnet",
        " (predict --out writes the predictions as CSV)",
    )


def _onnx_file_name(path: Path) -> None:
    """export's OUT: an ONNX model."""
    _refuse_misnamed(path, "OUT", _NOT_ONNX, "export writes an ONNX model (binary)", ".onnx")


def _checkpoint_file_name(path: Path) -> None:
    """train --checkpoint: a checkpoint (a name without a suffix, .glassnet or
    .safetensors is taken as it is)."""
    _refuse_misnamed(
        path,
        "--checkpoint",
        _NOT_CHECKPOINT,
        "train writes a checkpoint there (binary safetensors, read back by --resume)",
        ".ckpt",
        " (--out names the model file)",
    )


def _plain_csv_name(path: Path, args: argparse.Namespace) -> None:
    """predict --out: plain CSV text (a compressed name: pipe standard output instead)."""
    suffix = path.suffix.lower()
    tool = {".gz": "gzip", ".bz2": "bzip2", ".xz": "xz", ".zst": "zstd"}.get(suffix)
    fix = None
    if tool is not None:
        command = shlex.join(["glassnet", "predict", args.model, args.data])
        fix = (
            f"compress the CSV on standard output: {command} (with your other options, "
            f"without --out) | {tool} > {shlex.quote(str(path))}"
        )
    _refuse_misnamed(path, "--out", _NOT_CSV, "predict writes plain CSV text", ".csv", fix=fix)


#: Rows the network computes at once in predict, counted from the file's first row, in
#: memory and with --stream alike: a matrix product's sums (BLAS's kernel and blocking) may
#: round differently for another number of rows, so both cut the rows at the same places
#: and write the same digits, whatever --chunk-rows is.
_PREDICT_BATCH = 65_536

#: predict and evaluate --stream's default --chunk-rows: lines of the file read at a time
#: (at most: see _BLOCK_BYTES).
_CHUNK_ROWS = 65_536


def _prediction_header(bundle: _Bundle, proba: bool, with_id: bool) -> list[str]:
    """predict's header row: the --id column (when the file has it), then the targets,
    then with ``proba`` each class's (or label's) probability column."""
    first = [bundle.id_column] if with_id else []
    if bundle.label_values:  # multi-label: each label's own value, then its probability
        header = [*first, *bundle.targets]
        if proba:
            header += [
                f"p({t}={e['values'][1]})" for t, e in zip(bundle.targets, bundle.label_values)
            ]
        return header  # type: ignore[return-value]
    if bundle.task.is_classifier:
        return [*first, bundle.targets[0]] + ([f"p({c})" for c in bundle.classes] if proba else [])  # type: ignore[list-item]
    return [*first, *bundle.targets]  # type: ignore[list-item]


def _prediction_rows(
    bundle: _Bundle, outputs: np.ndarray, ids: Sequence[str] | None, proba: bool, writer: Any
) -> None:
    """predict's CSV rows of the network's ``outputs`` (N, n_outputs), written by ``writer``
    (a csv.writer), each after its --id cell (``ids``: N cells, or None)."""
    pred = bundle.decode(outputs)
    lead = (lambda i: [ids[i]]) if ids is not None else (lambda i: [])
    if bundle.label_values:  # multi-label: each label's own value, then its probability
        entries = bundle.label_values
        for i, hits in enumerate(pred.tolist()):
            row = [*lead(i), *(e["values"][h] for e, h in zip(entries, hits))]
            if proba:
                row += [f"{p:.6g}" for p in outputs[i]]
            writer.writerow(row)
    elif bundle.task.is_classifier:
        assert bundle.labels is not None
        names = bundle.labels.inverse_transform(pred)
        probs = np.asarray(bundle.task.proba(outputs)) if proba else None  # type: ignore[attr-defined]
        for i, label in enumerate(names.tolist()):
            row = [*lead(i), str(label)]
            if probs is not None:
                row += [f"{p:.6g}" for p in probs[i]]
            writer.writerow(row)
    else:
        # the network's own values (unscaled: --no-standardize) in its dtype's digits; a
        # standardized target's, mapped back in float64, are float64 values
        dtype = outputs.dtype if bundle.y_scaler is None else np.float64
        for i, row in enumerate(pred):
            writer.writerow([*lead(i), *(_csv_value(v, dtype) for v in row)])


def _check_stdout_encoding(text: str) -> None:
    """Refuse predictions that standard output's encoding cannot write, before a byte of
    ``text`` is written (checked against the terminal's own encoding too: its escaping
    wrapper would write Montr\\xe9al, and predictions never hold escapes)."""
    raw = getattr(sys.stdout, "stream", sys.stdout)
    try:
        text.encode(getattr(raw, "encoding", None) or "utf-8")
    except UnicodeEncodeError as exc:
        char = exc.object[exc.start : exc.end]
        raise CLIError(
            f"standard output's encoding, {exc.encoding}, cannot write the predictions: "
            f"they hold {_q(char)}; write them to a file with --out (UTF-8), or set "
            f"PYTHONIOENCODING=utf-8 (or a UTF-8 locale, such as LANG=C.UTF-8)"
        ) from None


def _cmd_predict(args: argparse.Namespace) -> int:
    if getattr(args, "chunk_rows", None) is not None and not args.stream:
        raise CLIError(
            f"--chunk-rows {args.chunk_rows} is the number of lines predict --stream reads at "
            f"a time: add --stream, or leave --chunk-rows out"
        )
    out_path = Path(args.out) if args.out and args.out != "-" else None  # ('-': stdout)
    if out_path is not None:  # before any work: the output must destroy nothing
        _check_writable(out_path, "predictions file", args.out)
        reads = [("model file", Path(args.model)), ("data file", Path(args.data))]
        _guard_paths(reads, [("--out", out_path, "csv")], True)  # (an input: refused first)
        _plain_csv_name(out_path, args)  # (a name --force does not accept: before its advice)
        _guard_paths(reads, [("--out", out_path, "csv")], args.force)
    _not_a_text_file(args)
    bundle = _load_bundle(args.model)
    if args.proba and not bundle.task.is_classifier:
        raise CLIError(f"--proba needs a classification model; '{args.model}' is a regression")
    if out_path is not None and not args.force:
        _guard_predictions(out_path, bundle)
    if out_path is not None and not _rank_writes(out_path):
        out_path = None  # (to this rank's standard output, which goes nowhere)
    try:
        if args.stream:
            return _predict_streamed(args, bundle, out_path)
        data = _read_for_model(bundle, args, need_target=False)
    except CLIError as exc:  # a header and no rows (a day of no new rows): no predictions
        if not re.search(r"has a header row \(.*\) but no data rows\.$", str(exc)):
            raise
        return _no_predictions(args, bundle, out_path, exc)
    X = bundle.inputs(data.table, args.unknown)  # (N, n_inputs)
    buf = _io.StringIO()
    tabs = out_path is not None and out_path.suffix.lower() in (".tsv", ".tab")
    writer = csv.writer(buf, lineterminator="\n", delimiter="\t" if tabs else ",")
    ids = data.table.dropped.get(bundle.id_column or "")  # the --id column, first
    if bundle.id_column and ids is None:
        _note(
            f"'{args.data}' has no column {_q(bundle.id_column)}, the model's --id: the "
            f"predictions are written without it, in the file's row order"
        )
    writer.writerow(_prediction_header(bundle, args.proba, ids is not None))
    for s in range(0, len(X), _PREDICT_BATCH):  # (the rows --stream computes at once)
        try:
            outputs = bundle.outputs(X[s : s + _PREDICT_BATCH])  # (B, n_outputs)
        except ValueError:  # inf or NaN: the error naming the row's line and values
            bundle.outputs(X, data.table)
            raise
        part = None if ids is None else ids[s : s + _PREDICT_BATCH]
        _prediction_rows(bundle, outputs, part, args.proba, writer)
    if data.table.line_notes:  # (on stderr: standard output holds the predictions)
        _note(f"'{args.data}': {data.table.line_notes}")
    return _emit_predictions(buf.getvalue(), out_path, len(X))


def _emit_predictions(text: str, out_path: Path | None, n: int) -> int:
    """predict's CSV ``text`` of ``n`` rows to standard output (encoded whole before a byte
    is written) or, atomically, to ``out_path``, saying so."""
    if out_path is None:
        _check_stdout_encoding(text)
        sys.stdout.write(text)
        return 0
    try:
        atomic_write(out_path, text)
    except WriteError as exc:
        raise CLIError(str(exc)) from None
    _Escaping(sys.stdout).write(f"wrote {n} predictions to {out_path}\n")
    return 0


def _no_predictions(
    args: argparse.Namespace, bundle: _Bundle, out_path: Path | None, exc: CLIError
) -> int:
    """predict on a file of a header row and no rows: its predictions file holds the header
    row alone, with a note (a batch of no new rows is no error), when the header names
    every column of the model's (else ``exc``, the error of no rows, stands)."""
    header = _peek_header(Path(args.data), args.delimiter, args.decimal or ".") or []
    if Path(args.data).is_file() is False or any(c not in header for c in bundle.columns):
        raise exc
    buf = _io.StringIO()
    tabs = out_path is not None and out_path.suffix.lower() in (".tsv", ".tab")
    writer = csv.writer(buf, lineterminator="\n", delimiter="\t" if tabs else ",")
    writer.writerow(_prediction_header(bundle, args.proba, bundle.id_column in header))
    _note(f"'{args.data}' has a header row but no data rows: no predictions to write")
    return _emit_predictions(buf.getvalue(), out_path, 0)


# ------------------------------------------------------------------ predict --stream


#: A line reference of a message ("line 7", "Line 7", "lines 3, 5 and 9"), whose numbers
#: are a block's own in predict --stream's reading of it (its header row on line 1).
_LINE_REF = re.compile(r"(?i)\b(lines? )(\d+(?:(?:, | and | to |-)\d+)*)")

#: Bytes of a file's start that hold the 64 Ki characters the in-memory reader sniffs the
#: delimiter from (4 bytes a character at most, in UTF-8).
_SNIFFED_BYTES = 1 << 18

#: Bytes of the file in a block of --stream at most (beyond its first line): below 4 MiB,
#: a size the in-memory reader reads without first estimating the memory it needs (whose
#: sampling cost more than a block's own reading), and memory bounded whatever the lines.
_BLOCK_BYTES = (1 << 22) - (1 << 12)

#: Bytes that a line of nothing but them (and delimiters) holds no row: blanks, quotes.
_NO_ROW_BYTES = b' \t\r\n\x0b\x0c"'


class _LineBlocks:
    """A CSV file's lines in blocks for --stream: ``(first line, lines)`` each, the
    first block from the file's start (its header row and whatever precedes it), each
    holding ``rows`` lines that are not blank (blank lines ride along, uncounted, as the
    reader skips them); ``header`` is the header row's line as written (its line number
    ``header_line``), which each later block is read under. Lines end at ``\\n``,
    ``\\r\\n`` or a bare ``\\r`` (an old Macintosh file's), as the in-memory reader's."""

    def __init__(self, f: Any, rows: int, delimiter: str | None) -> None:
        self.f, self.rows = f, rows
        # (any delimiter until the first block's is known: the caller sets it then)
        self.blank = _NO_ROW_BYTES + (delimiter or ",;\t|").encode("utf-8")
        self.header: bytes | None = None
        self.header_line, self.lines, self.hint = 1, 0, False

    def __iter__(self) -> Iterator[tuple[int, int, list[bytes]]]:
        """``(first line, its byte offset in the file, lines)`` per block."""
        lines: list[bytes] = []
        kept, first, given, size, at = 0, 1, False, 0, 0
        for line in _file_lines(self.f):
            self.lines += 1
            lines.append(line)
            size += len(line)
            if self.lines == 1 and re.match(rb"(?:\xef\xbb\xbf)?[ \t]*sep=.", line, re.I):
                self.hint = True  # (Excel's sep= line: the reader's, not a header)
                continue
            if not (line[3:] if line.startswith(b"\xef\xbb\xbf") else line).strip(self.blank):
                continue  # (a blank line; the first may hold a byte-order mark alone)
            if self.header is None:
                self.header, self.header_line = line, self.lines
                continue
            kept += 1
            # (the first block holds the file's first 256 KiB at least: the text, 64 Ki
            # characters, that the in-memory reader sniffs the delimiter from)
            full = kept >= self.rows or size >= _BLOCK_BYTES - len(self.header)
            if full and (given or size >= _SNIFFED_BYTES):
                yield first, at, lines
                given, first, lines, kept, at, size = True, self.lines + 1, [], 0, at + size, 0
        if kept or not given:  # (trailing blank lines alone: no rows to read)
            yield first, at, lines


def _file_lines(f: Any, size: int = 1 << 20) -> Iterator[bytes]:
    """The lines of the binary file ``f``, each with its end (``\\n``, ``\\r\\n`` or a
    bare ``\\r``), as ``io.StringIO(text, newline="")`` cuts the in-memory reader's text;
    read ``size`` bytes at a time, so that a file of bare ``\\r`` is no one line."""
    held: list[bytes] = []  # a line's start, its end not read yet (a \r: perhaps of \r\n)
    while chunk := f.read(size):
        if held and held[-1].endswith(b"\r"):  # (ended, and by \r\n if \n comes next)
            if chunk.startswith(b"\n"):
                held.append(b"\n")
                chunk = chunk[1:]
            yield b"".join(held)
            held = []
            if not chunk:
                continue
        lines = chunk.splitlines(keepends=True)  # (bytes: cut at \n, \r\n and \r only)
        last = lines.pop()
        if lines:
            if held:
                lines[0] = b"".join([*held, lines[0]])
                held = []
            yield from lines
        held.append(last)
        if last.endswith(b"\n"):
            yield b"".join(held)
            held = []
    if held:
        yield b"".join(held)


def _shift_lines(text: str, offset: int, header_line: int) -> str:
    """``text`` with a block's line numbers made the file's: its line 1 (the header row
    it was read under) is ``header_line``, its line n > 1 the file's line n + ``offset``."""

    def shift(m: re.Match[str]) -> str:
        def one(d: re.Match[str]) -> str:
            n = int(d[0])
            return str(header_line if n == 1 else n + offset)

        return m[1] + re.sub(r"\d+", one, m[2])

    return _LINE_REF.sub(shift, text)


@contextlib.contextmanager
def _streamed_output(out_path: Path | None) -> Iterator[Any]:
    """Where predict --stream writes its text as it goes (``.write(str)``): standard output
    (``out_path`` None), a device or pipe in place (``/dev/null``), else a temporary file
    beside ``out_path`` (``.NAME.PID.hTAG.XXXXXXXX.tmp``, the name :func:`atomic_write`
    gives its own), renamed onto it only once the block ends without an error: an error or
    Ctrl-C midway removes it and leaves any earlier file at ``out_path`` as it was."""
    import stat

    if out_path is None:

        class _Stdout:
            def write(self, text: str) -> None:
                _check_stdout_encoding(text)
                sys.stdout.write(text)

        yield _Stdout()
        return
    target = out_path
    try:
        mode = os.stat(target).st_mode  # (links followed: /dev/stdout names a pipe or tty)
    except OSError:
        mode = None
    if mode is not None and not (stat.S_ISREG(mode) or stat.S_ISDIR(mode)):  # no file to replace
        from .files import open_in_place

        try:  # (never waits: a pipe that no program reads is refused at once)
            raw = open_in_place(target)
        except WriteError as exc:
            raise CLIError(f"--out: {exc}") from None
        try:
            with _io.TextIOWrapper(raw, encoding="utf-8", newline="") as f:
                yield f
        except OSError as exc:  # (/dev/full, a pipe whose reader left: EPIPE)
            raise CLIError(f"cannot write '{out_path}' ({exc.strerror or exc})") from None
        return
    if target.is_symlink():  # written through: the link stays, the file it names changes
        target = target.resolve()
    from .files import replace_into, stale_temporaries, temporary_beside

    for leftover in stale_temporaries(target):  # (of writes killed before cleaning up)
        with contextlib.suppress(OSError):
            os.unlink(leftover)
    try:  # (near PATH_MAX a short name, relative to the directory's descriptor fd)
        tmp, name, fd = temporary_beside(target, mode="w", encoding="utf-8", newline="")
    except OSError as exc:
        raise CLIError(
            f"cannot write '{out_path}': cannot create a file in '{target.parent}' "
            f"({exc.strerror or exc}); choose another --out"
        ) from None
    done = False
    try:
        with tmp:
            yield tmp
            tmp.flush()
            os.fsync(tmp.fileno())
        replace_into(name, target, fd)  # (atomic_write's: owner, mode, rename, fsync)
        done = True
    except UnicodeEncodeError as exc:
        raise CLIError(
            f"cannot write '{out_path}': the predictions hold {exc.object[exc.start : exc.end]!r}, "
            f"a character UTF-8 cannot encode; nothing was written"
        ) from None
    except OSError as exc:
        raise CLIError(
            f"cannot write '{out_path}' ({exc.strerror or exc}); nothing was written"
        ) from None
    finally:
        if not done:
            with contextlib.suppress(OSError):
                os.unlink(name, dir_fd=fd)
        if fd is not None:
            os.close(fd)


def _stream_predict_refusals(args: argparse.Namespace, bundle: _Bundle) -> None:
    """One-line errors for what predict and evaluate --stream cannot do as in memory."""
    multiline = bundle.multiline_cells if args.multiline_cells is None else args.multiline_cells
    if multiline:
        whose = "--multiline-cells" if args.multiline_cells else (
            f"the model's: '{bundle.path}' was trained with --multiline-cells")  # fmt: skip
        raise CLIError(
            f"--stream reads the file a block of lines at a time, cut at line ends, so it "
            f"cannot read quoted cells that hold line breaks ({whose}): drop --stream, or "
            f"pass --no-multiline-cells if the file has no such cell"
        )
    if args.impute is not None and not bundle.pre.fill_:
        raise CLIError(
            f"--impute {args.impute} cannot be combined with --stream: it fills missing cells "
            f"with this file's column {args.impute}, which needs every row before the first "
            f"prediction; fill the cells in the file, drop --stream, or use a model trained "
            f"with --impute (it fills them with its training data's values)"
        )


class _StreamedNotes:
    """The notes and warnings of predict --stream's blocks, gathered into one of each
    kind for the whole file (a block's own would name its rows and counts only)."""

    def __init__(self, args: argparse.Namespace, bundle: _Bundle) -> None:
        self.args, self.bundle = args, bundle
        self.rows, self.filled, self.unknown = 0, Counter(), Counter()
        self.near: dict[tuple[str, str], str] = {}  # categories written otherwise
        self.trailing, self.columns = Counter(), 0
        self.index: list[tuple[int, int]] = []  # each block's pandas row numbers, low/high
        self.index_note = ""
        self.names: list[str] = []  # the file's columns, in its order (the notes' order)
        self.lines, self.hint = 0, False  # (the file's lines, and its sep= line: at the end)
        self.others: dict[str, str] = {}  # by its text without digits: the first of a kind

    def add(self, table: Table, notes: list[str], fix: Callable[[str], str]) -> None:
        """A block's ``table`` and the notes its reading left (``fix``: their lines and
        file name made the file's)."""
        self.rows += table.n_rows
        self.names = self.names or list(table.names)
        for c, lines in table.imputed.items():
            self.filled[c] += len(lines)
        self.unknown.update(self.bundle.pre.unknown_counts_ or {})
        for key, known in self.bundle.near_unknown.items():  # (every block's, each once)
            self.near.setdefault(key, known)
        if table.index_dropped is not None:
            self.index.append(table.index_dropped)
        m = re.search(
            r"(?:all (\d+) rows|(\d+) of the \d+ rows) end in ([\d/]+) empty field\(s\) past "
            r"the header's (\d+) columns", table.line_notes,
        )  # fmt: skip
        if m is not None:  # rows that end in empty fields past the header's: left out
            fields = [int(k) for k in m[3].split("/")]
            self.trailing[fields[0]] += int(m[1] or m[2])
            self.trailing.update(dict.fromkeys(fields[1:], 0))
            self.columns = int(m[4])
        for note in notes:
            if " missing cell(s) of " in note and note.startswith("glassnet: note: filled "):
                continue  # (counted from the tables)
            if "hold categories the model never saw" in note:
                continue
            if "its unnamed first column holds the row numbers" in note:
                self.index_note = self.index_note or fix(note)
                continue
            self.others.setdefault(re.sub(r"\d+", "", note), fix(note))

    def finish(self, note: bool = True) -> str:
        """The gathered notes, pending as a command's are; the line notes (the file's
        :attr:`Table.line_notes`) a note too, or with ``note`` False returned only
        (evaluate prints them)."""
        lines, hint = self.lines, self.hint
        from .stream import line_notes_text

        data = self.args.data
        if self.index:  # one range of row numbers, each once: pandas' index, as in memory
            spans = sorted(self.index)
            apart = any(b[0] != a[1] + 1 for a, b in zip(spans, spans[1:]))
            if apart:
                raise CLIError(
                    f"'{data}': its unnamed first column is not pandas' row index as read with "
                    f"--stream: its numbers do not run as one range, block by block (a "
                    f"shuffled frame's index?); name the column in the header row (and "
                    f"retrain, or drop it with the model's --drop), write the file without "
                    f"it (to_csv(index=False)), or drop --stream"
                )
            note = re.sub(
                r"row numbers \d+ to \d+", f"row numbers {spans[0][0]} to {spans[-1][1]}",
                self.index_note,
            )  # fmt: skip
            _PENDING.append(note)
        _PENDING.extend(self.others.values())
        if self.filled:
            _note(
                f"filled {sum(self.filled.values())} missing cell(s) of '{data}' with the "
                f"training data's values: "
                + _few([f"{c} ({self.filled[c]})" for c in self.names if c in self.filled])
            )
        if self.unknown:
            cols = dict.fromkeys([*self.bundle.columns, *self.unknown])  # (the model's order)
            counts = {c: self.unknown[c] for c in cols if c in self.unknown}
            order = list(cols)  # (by column, as in memory; in each, the file's order)
            near = sorted(self.near.items(), key=lambda kv: order.index(kv[0][0]))
            _warn(_unknown_warning(counts, dict(near), data))
        notes = line_notes_text(self.rows, lines, lines - 1 - hint - self.rows, 0, hint)
        if self.trailing:
            head = notes or f"{self.rows} rows from {self.rows + 1} lines (1 header)"
            notes = f"{head}; {trailing_fields_text(self.trailing, self.rows, self.columns)}"
        if notes and note:
            _note(f"'{data}': {notes}")
        return notes


class _HeldRows:
    """Rows read and preprocessed by --stream but not yet computed: their inputs ``X``,
    what goes with each row (``extra``: --id cells, or targets; None for none) and their
    lines, handed out :data:`_PREDICT_BATCH` rows at a time, counted from the file's first
    row as the in-memory commands cut theirs."""

    def __init__(self) -> None:
        self.parts: list[tuple[np.ndarray, Any, np.ndarray]] = []
        self.count = 0

    def add(self, X: np.ndarray, extra: Any, lines: np.ndarray) -> None:
        self.parts.append((X, extra, lines))
        self.count += len(X)

    def batches(self, final: bool) -> Iterator[tuple[np.ndarray, Any, np.ndarray]]:
        """Whole batches of the rows held (and with ``final`` the rest)."""
        while self.count >= _PREDICT_BATCH or (final and self.count):
            take, out = min(self.count, _PREDICT_BATCH), []
            self.count -= take
            while take:
                X, extra, lines = self.parts[0]
                k = min(take, len(X))
                out.append((X[:k], None if extra is None else extra[:k], lines[:k]))
                if k == len(X):
                    self.parts.pop(0)
                else:
                    self.parts[0] = (X[k:], None if extra is None else extra[k:], lines[k:])
                take -= k
            if len(out) == 1:
                yield out[0]
                continue
            extra = None
            if out[0][1] is not None:
                arrays = isinstance(out[0][1], np.ndarray)
                parts = [p[1] for p in out]
                extra = np.concatenate(parts) if arrays else [c for p in parts for c in p]
            X = np.concatenate([p[0] for p in out])
            yield X, extra, np.concatenate([p[2] for p in out])


def _streamed_outputs(bundle: _Bundle, X: np.ndarray, lines: np.ndarray, data: str) -> np.ndarray:
    """The network's outputs of a batch of --stream's rows (``lines``: theirs in the file
    ``data``), an output that overflows the network's dtype an error naming its line."""
    try:
        return bundle.outputs(X)  # (B, n_outputs)
    except ValueError as exc:
        if "the output holds NaN or inf in" not in str(exc):
            raise
    dtype = _model_dtype(bundle.model)
    with no_grad(), np.errstate(all="ignore"):
        out = np.asarray(bundle.model.eval()(X).data).reshape(len(X), -1)
    bad = np.flatnonzero(~np.isfinite(out).all(axis=1))
    more = f" (and {bad.size - 1} more line(s) among these)" if bad.size > 1 else ""
    raise CLIError(
        f"'{data}': the network's output overflows {dtype} (inf or NaN) at line "
        f"{int(lines[bad[0] if bad.size else 0])}{more}, whose values are too large for a "
        f"{dtype} network to compute with: check them (without --stream the error names "
        f"them), or retrain with --dtype float64"
    )


@dataclass
class _Block:
    """A block of --stream's reading: its rows as read (``data``), their inputs ``X``,
    their lines in the file, and ``fix`` that makes a message about the block the file's
    (its temporary file's name and line numbers)."""

    data: _Data
    X: np.ndarray
    lines: np.ndarray
    fix: Callable[[str], str]
    first: bool


def _streamed_blocks(
    args: argparse.Namespace, bundle: _Bundle, need_target: bool, notes: _StreamedNotes
) -> Iterator[_Block]:
    """The data file of predict or evaluate --stream read ``args.chunk_rows`` lines at a
    time, each block by the in-memory reader (:func:`_read_for_model`) under the file's
    header row and preprocessed by the model; its notes gathered into ``notes``, whose
    ``finish`` the caller calls once every block is used. (The lines of the file and a
    ``sep=`` line's presence: ``notes.lines``, ``notes.hint`` at the end.)"""
    _stream_predict_refusals(args, bundle)
    path = Path(args.data)
    if not path.exists():
        raise CLIError(f"no such file '{args.data}' (the working directory is '{os.getcwd()}')")
    if path.is_dir():
        raise CLIError(f"'{args.data}' is a directory, not a CSV file")
    with contextlib.ExitStack() as stack:
        try:
            f = stack.enter_context(open(path, "rb"))
        except OSError as exc:
            raise CLIError(
                f"cannot read the data file '{args.data}': {exc.strerror or exc}"
            ) from None
        tmp = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="glassnet-")))
        tmp /= "block.csv"
        blocks = _LineBlocks(f, args.chunk_rows or _CHUNK_ROWS, args.delimiter)
        delimiter = args.delimiter
        for number, (first, at, lines) in enumerate(blocks):
            with open(tmp, "wb") as part:  # the block, under the header row if not the first
                part.writelines(lines if number == 0 else [blocks.header, *lines])  # type: ignore[list-item]
            offset = 0 if number == 0 else first - 2
            start = first if number else blocks.header_line + 1  # (its first line of data)
            at -= 0 if number == 0 else len(blocks.header)  # (its bytes: after the header's)

            def fix(text: str, offset: int = offset, start: int = start, at: int = at) -> str:
                text = _renamed(text, str(tmp), args.data)
                for hint in (_MEMORY_HINT, _SCORING_HINT):  # (a block too large: a smaller one)
                    if hint in text:
                        text = text.replace("reading '", "reading a block of '", 1)
                        text = text.replace(hint, "give a smaller --chunk-rows (lines at a time)")
                if "no name for column(s) [1]" in text:  # (pandas' index, a block's numbers)
                    text = text.rstrip(".") + (
                        "; read with --stream, each block's row numbers must make up a range "
                        "(a shuffled frame's index does not): drop --stream to read it whole"
                    )
                if offset:
                    text = re.sub(
                        r"\bat offset (\d+)", lambda m: f"at offset {int(m[1]) + at}", text
                    )
                    text = _shift_lines(text, offset, blocks.header_line)
                    comment = re.match(r"line (\d+) of '.*' is a comment line, ", text)
                    if comment is not None:  # (the whole file's lines that are such counted)
                        from .stream import comment_line_text

                        text = comment_line_text(args.data, int(comment[1])) or text
                if "not seen at fit" in text:  # (the file's lines already: after the shift)
                    text = text.rstrip(".") + (
                        f" (--stream: in lines {start} to {blocks.lines} of the file, the block "
                        f"that holds the first; the lines after it are not read yet)."
                    )
                return text

            block = argparse.Namespace(**vars(args))
            block.data, block.delimiter = str(tmp), delimiter
            mark = len(_PENDING)
            try:
                data = _read_for_model(bundle, block, need_target=need_target)
                X = bundle.inputs(data.table, args.unknown)  # (n, n_inputs)
            except CLIError as exc:
                raise CLIError(fix(str(exc)), exc.code) from None
            except _OutOfMemoryReading:
                raise CLIError(
                    f"out of memory reading {len(lines)} lines of '{args.data}' (from line "
                    f"{first}): give a smaller --chunk-rows"
                ) from None
            except ValueError as exc:  # (the in-memory command's error, its lines the file's)
                raise CLIError(fix(str(exc))) from None
            notes.add(data.table, _PENDING[mark:], fix)
            del _PENDING[mark:]
            if delimiter is None:  # (sniffed from the first block: kept for the rest)
                delimiter = data.table.delimiter
                blocks.blank = _NO_ROW_BYTES + delimiter.encode("utf-8")
            data.source = data.table.source = args.data
            lines_read = np.asarray(data.table.line_numbers) + offset
            yield _Block(data, X, lines_read, fix, number == 0)
        notes.lines, notes.hint = blocks.lines, blocks.hint


def _predict_streamed(args: argparse.Namespace, bundle: _Bundle, out_path: Path | None) -> int:
    """predict --stream: the file read ``args.chunk_rows`` lines at a time, each block's
    rows predicted and written as they come (to a temporary file renamed onto --out at the
    end), the network computing the rows :data:`_PREDICT_BATCH` at a time from the file's
    first, as the in-memory predict does: the same bytes, in memory bounded by the block."""
    tabs = out_path is not None and out_path.suffix.lower() in (".tsv", ".tab")
    buf = _io.StringIO()
    writer = csv.writer(buf, lineterminator="\n", delimiter="\t" if tabs else ",")
    notes = _StreamedNotes(args, bundle)
    held = _HeldRows()
    written = 0

    def emit(sink: Any, final: bool) -> None:  # (each batch's rows written as it is computed)
        nonlocal written
        for X, ids, lines in held.batches(final):
            outputs = _streamed_outputs(bundle, X, lines, args.data)
            _prediction_rows(bundle, outputs, ids, args.proba, writer)
            sink.write(buf.getvalue())
            buf.seek(0)
            buf.truncate()
            written += len(X)

    try:  # ('predict --stream ... | head': the blocks' warnings said, as in memory)
        with contextlib.ExitStack() as stack:
            sink: Any = None
            blocks = stack.enter_context(
                contextlib.closing(_streamed_blocks(args, bundle, False, notes))
            )
            for block in blocks:
                ids = block.data.table.dropped.get(bundle.id_column or "")  # the --id column
                if block.first:
                    if bundle.id_column and ids is None:
                        _note(
                            f"'{args.data}' has no column {_q(bundle.id_column)}, the model's "
                            f"--id: the predictions are written without it, in the file's row order"
                        )
                    sink = stack.enter_context(_streamed_output(out_path))
                    writer.writerow(_prediction_header(bundle, args.proba, ids is not None))
                held.add(block.X, ids, block.lines)
                del block
                emit(sink, final=False)
            emit(sink, final=True)
            if not written:  # (a header row and no rows: the reader refused it already)
                sink.write(buf.getvalue())
            notes.finish()
    except BrokenPipeError:  # (of the rows read: the file's line count is not known)
        if out_path is None and _stdout_reader_left():
            with contextlib.suppress(CLIError):
                notes.finish(note=False)
            _flush_pending(True)
        raise
    if out_path is not None:
        _Escaping(sys.stdout).write(f"wrote {written} predictions to {out_path}\n")
    return 0


# ======================================================================== evaluate


def _target_indices(bundle: _Bundle, data: _Data) -> np.ndarray:
    """The evaluation file's labels as the model's class indices, or an error naming unseen ones."""
    name = data.targets[0]
    raw = [str(v) for v in data.table.raw(name).tolist()]
    assert bundle.labels is not None  # (a classifier's bundle has its labels)
    kind = bundle.labels.to_dict()["label_type"]
    lookup = {c: i for i, c in enumerate(bundle.classes)}
    if kind == "float":
        lookup = {repr(float(c)): i for c, i in lookup.items()}

    def key(cell: str) -> str:
        if kind in ("int", "float"):
            try:
                v = float(cell)
            except ValueError:
                return cell
            if kind == "int" and v == round(v) and math.isfinite(v):
                if abs(v) < 2**53:  # (float64 holds it exactly: no Decimal)
                    return str(int(v))
                exact = _whole_number(cell)  # (9007199254740993 is not ...992)
                return str(int(v) if exact is None else exact)
            return repr(v)
        if digits and cell not in lookup:  # ('2e20' for the model's 200000000000000000000)
            exact = _whole_number(cell, data.table.decimal)
            return cell if exact is None else str(exact)
        return cell

    digits = kind == "str" and _digit_labels(bundle.classes)

    keys = [key(c) for c in raw]
    unseen = list(dict.fromkeys(k for k in keys if k not in lookup))
    if unseen:
        first = next(i for i, k in enumerate(keys) if k not in lookup)
        line = int(data.table.line_numbers[first])
        known = {loose_spelling(c): c for c in bundle.classes}
        alike = [(u, known[loose_spelling(u)]) for u in unseen if loose_spelling(u) in known]
        fix = ""
        if alike:  # "YES" for the model's "yes": labels are compared as they are written
            fix = "; labels must match exactly, case included: write " + ", ".join(
                f"{_esc(visible_text(m))} for {_esc(visible_text(u))}" for u, m in alike[:5]
            )
        raise CLIError(
            f"the target column '{name}' of '{data.source}' holds label(s) the model was not "
            f"trained on: [{', '.join(map(visible_text, unseen[:10]))}] (first at line {line}); "
            f"the model knows "
            f"{_classes_text(bundle.classes, 20)}{fix}"
        )
    return np.array([lookup[k] for k in keys], dtype=np.int64)


def _label_truth(bundle: _Bundle, data: _Data) -> np.ndarray:
    """The evaluation file's label columns as 0/1, (N, K), by the model's two values of
    each label; a cell that is neither is an error naming it, its line and the values."""
    cols = []
    for t, entry in zip(data.targets, bundle.label_values):
        cells = [str(v) for v in data.table.raw(t).tolist()]
        codes = _label_codes(entry, cells, data.table.decimal)
        bad = np.flatnonzero(codes < 0)
        if bad.size:
            r = int(bad[0])
            case = " (as written, case included)" if entry["kind"] == "text" else ""
            raise CLIError(
                f"the label column {_q(t)} of '{data.source}' holds {_shown(cells[r])} at "
                f"line {int(data.table.line_numbers[r])} ({bad.size} such cell(s)), which is "
                f"neither of the model's values of the label, {_label_pair(entry)}{case}: fix "
                f"the cell"
            )
        cols.append(codes)
    return np.stack(cols, axis=1)


def _evaluation_truth(bundle: _Bundle, data: _Data) -> np.ndarray:
    """The targets of evaluate's file as the model's decoded predictions are: a
    multi-label model's (N, K) 0/1, a classifier's class indices (N,), else (N, K) numbers."""
    if len(data.targets) != len(bundle.targets):
        raise CLIError(
            f"the model predicts {len(bundle.targets)} target(s) ({', '.join(bundle.targets)}) "
            f"but --target names {len(data.targets)}"
        )
    if bundle.label_values:
        return _label_truth(bundle, data)  # (N, K) 0/1
    if bundle.task.is_classifier:
        return _target_indices(bundle, data)  # (N,)
    return _target_numbers(data.table, data.targets, data.source)  # (N, K)


def _cmd_evaluate(args: argparse.Namespace) -> int:
    if getattr(args, "chunk_rows", None) is not None and not args.stream:
        raise CLIError(
            f"--chunk-rows {args.chunk_rows} is the number of lines evaluate --stream reads at "
            f"a time: add --stream, or leave --chunk-rows out"
        )
    _target_given_once(args)
    _not_a_text_file(args)
    bundle = _load_bundle(args.model)
    if args.stream:
        return _evaluate_streamed(args, bundle)
    data = _read_for_model(bundle, args, need_target=True)
    # everything is checked and computed before anything is printed
    truth = _evaluation_truth(bundle, data)
    X = bundle.inputs(data.table, args.unknown)
    parts = []
    for s in range(0, len(X), _PREDICT_BATCH):  # (the rows --stream computes at once)
        try:
            parts.append(bundle.decode(bundle.outputs(X[s : s + _PREDICT_BATCH])))
        except ValueError:  # inf or NaN: the error naming the row's line and values
            bundle.outputs(X, data.table)
            raise
    pred = parts[0] if len(parts) == 1 else np.concatenate(parts)
    if bundle.label_values:
        m = multilabel_metrics(truth, pred)
    elif bundle.task.is_classifier:  # (the report prints the matrix up to a size only)
        most = None if getattr(args, "json", False) else CONFUSION_PRINTED_MAX
        m = classification_metrics(truth, pred, len(bundle.classes), confusion_max=most)
    else:
        m = regression_metrics(truth, pred)
    _print_evaluation(args, bundle, data.targets, data.table.n_rows, data.table.line_notes, m)
    return 0


def _evaluate_streamed(args: argparse.Namespace, bundle: _Bundle) -> int:
    """evaluate --stream: the file read ``args.chunk_rows`` lines at a time, as predict
    --stream reads it, the scores summed batch by batch (a confusion matrix; squared and
    absolute errors and the targets' moments per output), printed at the end."""
    notes = _StreamedNotes(args, bundle)
    held = _HeldRows()
    if bundle.label_values:
        scores: list[Any] = [_StreamedLabelScores(len(bundle.targets))]
    elif bundle.task.is_classifier:  # (the report prints the matrix up to a size only)
        most = None if getattr(args, "json", False) else CONFUSION_PRINTED_MAX
        scores = [_StreamedScores(len(bundle.classes), most)]
    else:
        scores = [_StreamedScores(None) for _ in bundle.targets]
    targets: list[str] = []

    def score(final: bool) -> None:
        for X, truth, lines in held.batches(final):
            pred = bundle.decode(_streamed_outputs(bundle, X, lines, args.data))
            if len(scores) == 1:
                scores[0].add(truth, pred if pred.ndim == truth.ndim else pred[:, 0])
            else:
                for k, s in enumerate(scores):
                    s.add(truth[:, k], pred[:, k])

    with contextlib.closing(_streamed_blocks(args, bundle, True, notes)) as blocks:
        for block in blocks:
            try:
                truth = _evaluation_truth(bundle, block.data)
            except CLIError as exc:
                raise CLIError(block.fix(str(exc)), exc.code) from None
            targets = block.data.targets
            held.add(block.X, truth, block.lines)
            del block
            score(final=False)
        score(final=True)
    line_notes = notes.finish(note=False)
    if len(scores) == 1:
        m = scores[0].metrics()
    else:
        each = [s.metrics() for s in scores]
        m = {key: [e[key][0] for e in each] for key in ("mse", "mae", "r2")}
    _print_evaluation(args, bundle, targets, notes.rows, line_notes, m)
    return 0


def _print_evaluation(
    args: argparse.Namespace,
    bundle: _Bundle,
    targets: list[str],
    n: int,
    line_notes: str,
    m: dict[str, Any],
) -> None:
    """evaluate's report of the metrics ``m`` of ``n`` rows (those of
    :func:`multilabel_metrics`, :func:`classification_metrics` or
    :func:`regression_metrics`, or their sums over a stream)."""
    if getattr(args, "json", False):
        sys.stdout.write(json.dumps(_evaluation_json(args, bundle, targets, n, line_notes, m),
                                    indent=2) + "\n")  # fmt: skip
        return
    named = _esc(", ".join(targets))
    lines = [f"evaluate {args.model} on {args.data}: {n} rows, target {named}"]
    if line_notes:
        lines.append(f"  read {line_notes}")
    lines.append("")
    if bundle.label_values:
        every = int(round(m["subset_accuracy"] * n))
        lines += [
            f"  subset accuracy  {m['subset_accuracy']:.4f}  ({every} of {n} rows with every "
            f"label right)",
            f"  Hamming score    {m['hamming_score']:.4f}  (the mean of the label accuracies)",
            "",
        ]
        rows = [["label", "positive", "accuracy", "precision", "recall", "f1", "positives"]]
        undefined = []  # each label's (precision, recall, f1): whether 0/0
        for k in range(len(targets)):
            true = int(m["positives"][k])
            tp = int(round(m["recall"][k] * true))
            fp = int(round(n - m["accuracy"][k] * n)) - (true - tp)  # (wrong ones, less fn)
            undefined.append((tp + fp == 0, true == 0, tp + fp + true == 0))
        marked = _marked_scores(m, undefined, range(len(targets)))
        for k, (t, e) in enumerate(zip(targets, bundle.label_values)):
            rows.append([_shown(t), _shown(e["values"][1]), f"{m['accuracy'][k]:.4f}",
                         *marked[k], str(m["positives"][k])])  # fmt: skip
        lines += _render(rows, "llrrrrr")
        lines += ["", "  (precision, recall and f1 of each label's positive value)"]
        lines += _zero_division_lines(undefined, "no row predicted positive", "no row positive",
                                      "no row positive nor predicted so", "")  # fmt: skip
    elif bundle.task.is_classifier:
        right = int(round(m["accuracy"] * n))
        lines += [f"  accuracy  {m['accuracy']:.4f}  ({right} of {n} right)", ""]
        rows = [["class", "precision", "recall", "f1", "support"]]
        left = m.get("confusion_left_out")  # (more classes than the matrix printed)
        cm = None if left is not None else np.asarray(m["confusion"], dtype=np.int64)
        support = np.asarray(m["support"]) if cm is None else cm.sum(axis=1)  # (C,)
        predicted = left.predicted if cm is None else cm.sum(axis=0)  # (C,)
        absent = ((support == 0) & (predicted == 0)).tolist()
        absent = [False] * len(absent) if all(absent) else absent  # (_absent_classes')
        # a class that occurs, but that no row is predicted as (precision 0/0) or no row is
        # of (recall 0/0): the score is 0, in the macro average too, marked (scikit-learn's
        # zero_division, with its UndefinedMetricWarning); F1 is then 0, defined
        undefined = [
            (not absent[i] and not predicted[i], not absent[i] and not support[i], False)
            for i in range(len(bundle.classes))
        ]
        marked = _marked_scores(m, undefined, range(len(bundle.classes)))
        pad = " " if any(any(u) for u in undefined) else ""  # (the marks' column)
        for i, c in enumerate(_shown_apart(list(bundle.classes))):
            scores = [f"n/a{pad}"] * 3 if absent[i] else marked[i]
            rows.append([c, *scores, str(m["support"][i])])
        rows.append(["macro avg", f"{m['macro_precision']:.4f}{pad}",
                     f"{m['macro_recall']:.4f}{pad}", f"{m['macro_f1']:.4f}{pad}",
                     str(n)])  # fmt: skip
        lines += _render(rows, "lrrrr")
        zeros = _zero_division_lines(
            undefined, "no row predicted as the class", "no row of the class", "",
            " and in the macro average",
        )  # fmt: skip
        if any(absent) or zeros:
            lines.append("")
        if any(absent):
            lines.append(
                "  (n/a: no row is of the class nor predicted as it; the macro average is over "
                "the other classes)"
            )
        lines += zeros
        lines += _confusion_lines(left if cm is None else cm, _shown_apart(list(bundle.classes)))
    else:
        rows = [["target", "MSE", "MAE", "R^2"]]
        for k, t in enumerate(targets):
            rows.append([t, _num(m["mse"][k], 6), _num(m["mae"][k], 6), _num(m["r2"][k], 4)])
        lines += _render(rows, "lrrr")
    sys.stdout.write("\n".join(lines) + "\n")


def _confusion_lines(cm: np.ndarray | _Confusions, names: list[str]) -> list[str]:
    """evaluate's confusion matrix ``cm`` (C, C) of the classes ``names`` as printed: the
    table up to :data:`CONFUSION_PRINTED_MAX` classes; above it (a table as wide, hundreds
    of characters a line) the :data:`TOP_CONFUSIONS` largest off-diagonal cells (``cm``
    may then be their counts alone, :class:`_Confusions`), saying so and where the whole
    matrix is (``--json``'s ``metrics.confusion``)."""
    k = len(names)
    if isinstance(cm, np.ndarray) and k <= CONFUSION_PRINTED_MAX:
        rows = [["", *names]] + [[c, *(str(v) for v in cm[i])] for i, c in enumerate(names)]
        return ["", "  confusion matrix (rows: true class, columns: predicted class)",
                *_render(rows, "l" + "r" * k)]  # fmt: skip
    if isinstance(cm, np.ndarray):
        a = cm.copy()
        np.fill_diagonal(a, 0)
        codes = np.flatnonzero(a)
        pairs: Mapping[int, int] = dict(zip(codes.tolist(), a.reshape(-1)[codes].tolist()))
    else:
        pairs = cm
    top = _top_confusions(pairs, list(range(k)), TOP_CONFUSIONS)
    lines = [
        "",
        f"  confusion matrix: {k} x {k}, more than the {CONFUSION_PRINTED_MAX} classes "
        f"printed; 'glassnet evaluate ... --json' holds the whole matrix (metrics.confusion)",
    ]
    if not top:
        return [*lines, "  (no row is predicted as another class)"]
    rows = [["true class", "predicted as", "rows"]]
    rows += [[names[e["true"]], names[e["predicted"]], str(e["rows"])] for e in top]
    shown = f"the {len(top)} largest" if len(pairs) > len(top) else f"all {len(top)}"
    return [
        *lines, f"  {shown} of its {len(pairs)} nonzero cells off the diagonal (rows of one "
        "class predicted as another), largest first:", *_render(rows, "llr"),
    ]  # fmt: skip


def _absent_classes(cm: Sequence[Sequence[int]]) -> list[bool]:
    """Per class of the confusion matrix ``cm``, whether no row is of it nor predicted as
    it: its scores are undefined (0/0), and the macro average is over the classes that
    occur (scikit-learn's, without labels=); none is when no class occurs."""
    absent = [not any(cm[i]) and not any(r[i] for r in cm) for i in range(len(cm))]
    return [False] * len(absent) if all(absent) else absent


def _evaluation_json(
    args: argparse.Namespace,
    bundle: _Bundle,
    targets: list[str],
    n: int,
    line_notes: str,
    m: dict[str, Any],
) -> dict[str, Any]:
    """``evaluate --json``: the report's numbers as one JSON object. ``metrics`` holds
    the metrics as computed (a non-finite one as null; a class's precision, recall and F1
    null where the text report says n/a: no row is of the class nor predicted as it); a
    classifier's ``classes`` lists each class's scores by name, a multi-label model's
    ``labels`` each label's."""
    out: dict[str, Any] = {
        "model": args.model,
        "data": _SHOWN.get(args.data, args.data),  # ('-': standard input, not its copy)
        "rows": n,
        "task": _dig(bundle.meta, "task", "name", kind=str),
        "targets": list(targets),
        "read": line_notes or None,
    }
    metrics = _finite_or_none(m)
    if bundle.label_values:
        out["labels"] = [
            {"label": t, "positive": e["values"][1],
             **{k: metrics[k][i] for k in ("accuracy", "precision", "recall", "f1", "positives")}}
            for i, (t, e) in enumerate(zip(targets, bundle.label_values))
        ]  # fmt: skip
    elif bundle.task.is_classifier:
        absent = _absent_classes(m["confusion"])
        for k in ("precision", "recall", "f1"):  # (n/a, as in the report: no row, no guess)
            metrics[k] = [None if gone else v for v, gone in zip(metrics[k], absent)]
        out["classes"] = [
            {"class": c, **{k: metrics[k][i] for k in ("precision", "recall", "f1")},
             "support": metrics["support"][i]}
            for i, c in enumerate(bundle.classes)
        ]  # fmt: skip
        out["right"] = int(round(m["accuracy"] * n))
    out["metrics"] = metrics
    return out


# ======================================================================== explain


def _marked_scores(
    m: dict[str, Any], undefined: list[tuple[bool, bool, bool]], indices: Iterable[int]
) -> list[list[str]]:
    """Each row's precision, recall and F1 as printed: those that are 0/0 (``undefined``)
    marked ``*``, the others followed by a blank to keep the columns' points aligned (when
    any is marked)."""
    pad = " " if any(any(u) for u in undefined) else ""
    return [
        [
            f"{m[key][i]:.4f}{'*' if bad else pad}"
            for key, bad in zip(("precision", "recall", "f1"), undefined[i])
        ]
        for i in indices
    ]


def _zero_division_lines(
    undefined: list[tuple[bool, bool, bool]], precision: str, recall: str, f1: str, where: str
) -> list[str]:
    """The line under a score table for its scores of 0/0 marked ``*`` (none: []): which
    they are, and that they count as 0, as scikit-learn's classification_report counts
    them (zero_division, with an UndefinedMetricWarning)."""
    kinds = [
        f"{name} with {why}"
        for k, (name, why) in enumerate(
            (("precision", precision), ("recall", recall), ("f1", f1))
        )  # fmt: skip
        if any(u[k] for u in undefined)
    ]
    if not kinds:
        return []
    return [
        f"  (*: 0/0, taken as 0 in the row{where}, as scikit-learn's classification_report "
        f"takes it (zero_division): {', '.join(kinds)})"
    ]


def _cmd_explain(args: argparse.Namespace) -> int:
    _target_given_once(args)
    try:
        from .explain import explain  # written alongside the CLI; imported only when asked for
    except ImportError as exc:
        raise CLIError(
            f"'glassnet explain' needs the module glassnet.explain, which cannot be imported "
            f"in this installation ({_oneline(str(exc))})",
            code=1,
        ) from None
    if args.neuron is not None and args.layer is None:
        raise CLIError("--neuron needs --layer: e.g. --layer 1 --neuron 3")
    if args.full and (args.layer is not None or args.top is not None):
        shown = "--layer" if args.layer is not None else "--top"
        raise CLIError(
            f"--full prints the whole trace, every layer and neuron, and {shown} picks part of "
            f"it for the compact view: give one of them"
        )
    _not_a_text_file(args)
    bundle = _load_bundle(args.model)
    if args.layer is not None:  # before anything is printed
        from .fused import layers_of

        layers = layers_of(bundle.model, owner="explain")
        if args.layer > len(layers):
            raise CLIError(f"--layer {args.layer}: the network has layers 1 to {len(layers)}")
        neurons = layers[args.layer - 1].neurons
        if args.neuron is not None and args.neuron > neurons:
            raise CLIError(f"--neuron {args.neuron}: layer {args.layer} has neurons 1 to {neurons}")
    # a large file's rows up to --row only, not its every row; but --impute's fill values
    # from this file's columns (a model trained without --impute) need all of them
    path = Path(args.data)
    whole = args.impute is not None and not bundle.pre.fill_
    whole = whole or not path.is_file() or path.stat().st_size <= EXPLAIN_WHOLE_BYTES
    data = _read_for_model(bundle, args, need_target=True, nrows=None if whole else args.row)
    n = data.table.n_rows
    if args.row > n:
        raise CLIError(f"--row {args.row}: '{args.data}' has {n} data rows (rows count from 1)")
    i = args.row - 1
    one = _Data(data.table.take(np.array([i])), data.features, data.targets, data.source)
    X = bundle.inputs(one.table, args.unknown)  # (1, n_inputs), as the network sees them
    if bundle.label_values:
        y = bundle.task.encode(_label_truth(bundle, one))  # (1, K) 0/1
    elif bundle.task.is_classifier:
        y = bundle.task.encode(_target_indices(bundle, one))  # (1, 1) 0/1 or (1, C) one-hot
    else:
        values = _target_numbers(one.table, data.targets, data.source)  # (1, K)
        y = bundle.y_scaler._transform(values) if bundle.y_scaler is not None else values
    line = int(data.table.line_numbers[i])
    cells = _few([f"{_shown(c)}={_shown(data.table.raw(c)[i])}" for c in bundle.columns], 16)
    pred = bundle.decode(bundle.outputs(X, one.table))  # (before anything is printed)
    sys.stdout.write(f"row {args.row} of {args.data} (line {line}): {cells}\n")
    if bundle.label_values:
        pairs = zip(data.targets, bundle.label_values, np.asarray(pred)[0].tolist())
        shown = ", ".join(f"{_shown(t)}={_shown(e['values'][h])}" for t, e, h in pairs)
        truth = ", ".join(f"{_shown(t)}={_shown(data.table.raw(t)[i])}" for t in data.targets)
    elif bundle.task.is_classifier and bundle.labels is not None:
        shown = _shown(bundle.labels.inverse_transform(pred)[0])
        truth = _shown(data.table.raw(data.targets[0])[i])
    else:
        shown = ", ".join(_fmt_value(v) for v in np.asarray(pred)[0])
    if bundle.task.is_classifier:
        coded = ", ".join(f"{v:g}" for v in np.asarray(y).reshape(-1))
        sys.stdout.write(f"target: {truth} (y = {coded} for the network); prediction: {shown}\n")
    else:  # the row's numbers, and what the network is trained toward: y standardized
        truth = ", ".join(_fmt_value(v) for v in values[0])
        if bundle.y_scaler is not None:
            mean, scale = bundle.y_scaler.mean_, bundle.y_scaler.scale_  # (K,), (K,)
            coded = ", ".join(
                f"({_fmt_value(v)} {'+' if m < 0 else '-'} {_g(abs(m))})/{_g(sd)} = {_g(z)}"
                for v, m, sd, z in zip(values[0], mean, scale, np.asarray(y)[0], strict=True)
            )
        else:
            coded = ", ".join(_fmt_value(v) for v in np.asarray(y)[0])
        sys.stdout.write(f"target: {truth} (y = {coded} for the network); prediction: {shown}\n")
    if _dig(bundle.meta, "preprocessing", "standardize") is not False:
        sys.stdout.write(
            "(the trace shows the inputs as the network sees them, "
            "after the model's preprocessing)\n"
        )
    sys.stdout.write("\n")
    lr = args.lr if args.lr is not None else _dig(bundle.meta, "training", "lr", kind=(int, float))
    if lr is None or not 0 < lr < math.inf:
        lr = 0.1  # (the description does not say: a hand-written or older file)
    # the loss the file names (a playground export's slides' half_mse): the task's own or a
    # squared error, which fits any output; another (an edited file's) is refused by name
    loss = _dig(bundle.meta, "task", "loss", kind=str) or bundle.task.loss
    if loss != bundle.task.loss and loss not in ("mse", "half_mse"):
        raise CLIError(
            f"the model file '{args.model}' names the loss '{_shown(loss)}', which does not fit "
            f"its {bundle.task.name} task ({bundle.task.output_activation} output): explain "
            f"takes {bundle.task.loss}, mse or half_mse for it; was the file edited?",
            2,
        )
    result = explain(bundle.model, X, y, loss=loss, lr=lr, l2=args.l2, names=args.names)
    if args.full or (args.layer is None and args.top is None and _explain_is_small(result)):
        # (--full: every row of every table; a small network's fit in explain's default;
        # --top K asks for the compact view's K largest, whatever the network's size)
        sys.stdout.write(result.to_text(max_rows=None).rstrip("\n") + "\n")
    else:
        sys.stdout.write("\n".join(_compact_explanation(result, bundle, args, lr)) + "\n")
    return 0


#: ``explain`` reads a data file of at most this many bytes whole, every row checked as
#: ``predict`` checks them; a larger one only up to its ``--row`` (and its first 256 KiB),
#: so a huge file is not read into memory, nor its later rows checked.
EXPLAIN_WHOLE_BYTES = 1 << 20

#: ``explain`` prints the full trace for networks of at most this many weights and layers
#: at most this wide; larger ones get the compact view (--full forces the trace).
EXPLAIN_FULL_WEIGHTS = 60
EXPLAIN_FULL_WIDTH = 8


def _explain_is_small(result: Any) -> bool:
    return (
        sum(W.size for W in result.W) <= EXPLAIN_FULL_WEIGHTS
        and max(max(W.shape) for W in result.W) <= EXPLAIN_FULL_WIDTH
    )


def _terms(values: np.ndarray, names: Sequence[str], k: int) -> str:
    """The ``k`` entries of ``values`` largest in size: 'x3 0.81, x7 -0.42 (+ 11 more: 0.03)'."""
    order = np.argsort(-np.abs(values), kind="stable")[:k]
    text = ", ".join(f"{names[i]} {_num(values[i], 3)}" for i in order)
    rest = len(values) - len(order)
    if rest > 0:
        text += f" (+ {rest} more, summing to {_num(float(np.delete(values, order).sum()), 3)})"
    return text


def _compact_explanation(
    result: Any, bundle: _Bundle, args: argparse.Namespace, lr: float
) -> list[str]:
    """A wide network's forward and backward pass, neuron by neuron but only the largest
    numbers: per layer the --top K neurons by |dL/dz| with their largest contributions
    ``w * input``; with --layer L (and --neuron J) one layer (one neuron) in full."""
    from .fused import layers_of

    layers = layers_of(bundle.model, owner="explain")
    k = args.top if args.top is not None else 5
    terms = args.top if args.top is not None else 3  # (per neuron: the table's width)
    n_layers = len(layers)
    names = [[_shown(c) for c in bundle.pre.feature_names_out]]
    # --names lecture or layered: the neurons named by that scheme, as in the full trace
    # (the inputs keep their columns' names); auto: a1_1, z1_1, ... by layer
    scheme = result.names if args.names != "auto" else None
    if scheme is not None:
        names += [list(scheme.a[l]) for l in range(n_layers)]
        z_names = [list(scheme.z[l]) for l in range(n_layers)]
    else:
        names += [[f"a{l + 1}_{j + 1}" for j in range(lay.neurons)] for l, lay in enumerate(layers)]
        z_names = [[n.replace("a", "z", 1) for n in layer] for layer in names[1:]]
        z_names[-1] = [str(j + 1) for j in range(layers[-1].neurons)]
    sizes = "-".join(str(n) for n in [layers[0].inputs, *(lay.neurons for lay in layers)])
    weights = sum(W.size for W in result.W)
    out = [
        f"glassnet.explain (compact): MLP {sizes} "
        f"({', '.join(lay.act for lay in layers)}), 1 data point, {weights:,} weights",
        f"loss L = {_num(result.loss)}"
        + (f" (with the L2 penalty, {_num(result.penalty)})" if args.l2 else "")
        + "; prediction y_hat = "
        + ", ".join(_num(v, 3) for v in result.y_hat[0]),
        "(per layer, the --top K neurons by |dL/dz|, each with its largest terms w * input; "
        "--layer L [--neuron J] shows one in full, --full the whole lecture trace)",
    ]
    chosen = range(n_layers) if args.layer is None else [args.layer - 1]
    for l in chosen:
        lay = layers[l]
        inputs = result.A[l - 1][0] if l else result.x[0]  # (inputs,)
        z, a, dz = result.Z[l][0], result.A[l][0], result.dL_dZ[l][0]  # (neurons,)
        if args.neuron is not None:
            j = args.neuron - 1  # (in range: _cmd_explain checked it)
            contrib = result.W[l][:, j] * inputs  # (inputs,): w_ij * input_i
            bias = 0.0 if result.b[l] is None else float(result.b[l][j])
            grad = result.grad_W[l][:, j]  # (inputs,): dL/dw_ij = input_i * dL/dz_j
            named = f"{z_names[l][j]}, " if scheme is not None else ""
            out += [
                "",
                f"layer {l + 1}, neuron {j + 1} ({named}{lay.act}), {lay.inputs} input"
                + ("" if lay.inputs == 1 else "s"),
                f"  z = b + sum_i w_i * input_i = {_num(bias, 3)} + "
                f"{_terms(contrib, names[l], k)} = {_num(z[j])}",
                f"  a = {lay.act}(z) = {_num(a[j])}",
                f"  dL/dz = y_hat_j - y_j = {_num(dz[j])} (softmax with cross-entropy)"
                if lay.act == "softmax"
                else f"  dL/da = {_num(result.dL_dA[l][0][j])}; "
                f"dL/dz = dL/da * g'(z) = {_num(dz[j])}",
                "  dL/dw_i = input_i * dL/dz"
                + (f" + {args.l2:g} * w_i (--l2)" if args.l2 else "")
                + f", largest: {_terms(grad, names[l], k)}",
                f"  step (lr {lr:g}): w_i <- w_i - {lr:g} * dL/dw_i; "
                f"b <- {_num(bias, 4)} - {lr:g} * {_num(dz[j], 4)}",
            ]
            continue
        shown = np.argsort(-np.abs(dz), kind="stable")[: (lay.neurons if args.layer else k)]
        # ("layer 2: 1 neurons (sigmoid)": a one-output network's output layer)
        out += [
            "",
            f"layer {l + 1}: {lay.neurons} neuron{'' if lay.neurons == 1 else 's'} "
            f"({lay.act}), {lay.inputs} input{'' if lay.inputs == 1 else 's'}",
        ]
        rows = [["neuron", "z", "a = g(z)", "dL/dz", "largest terms w * input"]]
        for j in shown:
            contrib = result.W[l][:, j] * inputs
            rows.append([
                z_names[l][j],
                _num(z[j], 3), _num(a[j], 3), _num(dz[j], 3),
                _terms(contrib, names[l], terms),
            ])  # fmt: skip
        out += _render(rows, "lrrrl")
        if len(shown) < lay.neurons:
            rest = lay.neurons - len(shown)
            out.append(f"  ... {rest} more neuron{'' if rest == 1 else 's'} (--layer {l + 1})")
    return out


# ======================================================================== info


def _layer_rows(model: Any) -> list[list[str]]:
    """One row per Linear layer: index, shapes, parameter count, activation."""
    from .nn import ActivationModule, Dropout, Linear

    rows = [["layer", "inputs -> neurons", "W shape", "b shape", "parameters", "activation"]]
    layers = list(getattr(model, "layers", [model]))
    k = 0
    for j, m in enumerate(layers):
        if not isinstance(m, Linear):
            continue
        k += 1
        act = "identity"
        for nxt in layers[j + 1 :]:
            if isinstance(nxt, Dropout):
                continue
            if isinstance(nxt, ActivationModule):
                act = nxt.name
            break
        b = m.b.data.shape if m.b is not None else None
        count = m.W.data.size + (m.b.data.size if m.b is not None else 0)
        rows.append([
            str(k), f"{m.inputs} -> {m.neurons}", str(tuple(m.W.data.shape)),
            str(tuple(b)) if b is not None else "-", str(count), act,
        ])  # fmt: skip
    return rows


def _cmd_export(args: argparse.Namespace) -> int:
    """``glassnet export MODEL OUT.onnx``: :func:`glassnet.onnx.export` of the model file."""
    try:
        from . import onnx as gn_onnx  # the onnx extra, imported only when asked for
    except ImportError as exc:
        raise CLIError(f"'glassnet export' needs the onnx extra: {_oneline(str(exc))}", 1) from None
    out = Path(args.out)
    model = Path(args.model)
    if model.is_dir():
        raise CLIError(f"the model file '{args.model}' is a directory, not a model file")
    if not model.exists():
        raise _no_model_file(args.model)
    _not_a_checkpoint(args.model)
    _not_a_text_file(args)
    _check_writable(out, "ONNX file", args.out)
    for source in (args.model, args.impute_from):
        if source is not None and same_file(source, out):
            raise CLIError(f"the ONNX file '{out}' is an input ('{source}'); choose another path")
    _onnx_file_name(out)  # (--force replaces a file; it does not accept a misleading name)
    _guard_paths([], [("the ONNX file", out, "onnx")], args.force)
    if not _rank_writes(out):
        return 0
    opset = gn_onnx.DEFAULT_OPSET if args.opset is None else args.opset
    try:
        with _loading(args.model):
            proto = gn_onnx.export(  # (--force and the kinds checked by _guard_paths above)
                args.model, out, opset=opset, impute_from=args.impute_from, replace_any=True,
                verify=not args.no_verify,
            )  # fmt: skip
    except WriteError as exc:  # (the path is the user's: exit 2, as for the other outputs)
        raise CLIError(str(exc)) from None
    except ImportError as exc:  # (export's words are the Python API's: verify=False)
        if "onnxruntime" not in str(exc):
            raise
        why = _oneline(str(exc.__cause__ or exc))
        raise CLIError(
            f"'glassnet export' checks the ONNX graph in onnxruntime, which cannot be imported "
            f"({why}): pip install 'glassnet[onnx]', or give --no-verify to write the graph "
            f"unchecked",
            1,
        ) from None
    except (FileNotFoundError, IsADirectoryError):
        if args.impute_from is None or Path(args.impute_from).is_file():
            raise
        why = "is a directory, not a CSV file" if Path(args.impute_from).is_dir() else (
            "does not exist")  # fmt: skip
        raise CLIError(f"--impute-from '{args.impute_from}' {why} (the working directory is "
                       f"'{os.getcwd()}')") from None  # fmt: skip
    except ValueError as exc:  # (export's messages name its Python parameter)
        lacks = re.match(r"Target column (.*) is not in .*?\. Available columns: (.*?)\.?$",
                         str(exc), flags=re.DOTALL)  # fmt: skip
        if lacks and args.impute_from is not None:  # (read_csv's words: no flag named)
            raise CLIError(
                f"--impute-from '{args.impute_from}' lacks the model's target column "
                f"{lacks.group(1)} (its columns: {_oneline(lacks.group(2))}): pass the CSV "
                f"the model was trained on"
            ) from None
        message = str(exc).replace("The 'impute_from' parameter of export", "--impute-from")
        message = message.replace("The 'opset' parameter of export", "--opset")
        message = message.replace("leave out 'impute_from'", "leave out --impute-from")
        message = message.replace("'impute_from' (--impute-from)", "--impute-from")
        message = message.replace("Leave out 'impute_from'", "Leave out --impute-from")
        message = message.replace("(verify=True)", "(glassnet export checks it so)")
        message = message.replace("pass verify=False", "give --no-verify")
        raise CLIError(message.replace("export: 'impute_from'", "export: --impute-from")) from None
    verified = {p.key: p.value for p in proto.metadata_props}.get("glassnet.verified", "")
    if args.no_verify:
        verified = "not checked in onnxruntime (--no-verify)"
    sys.stdout.write(f"wrote {out} (ONNX opset {opset})\nchecked  {verified}\n")
    return 0


#: ``glassnet exercise check``'s status when the answers were graded and some are wrong
#: (1 is an internal error's, 2 a usage or data error's).
EXIT_ANSWERS_WRONG = 3


def _cmd_exercise(args: argparse.Namespace) -> int:
    from .exercises import run_cli

    try:
        code = run_cli(args)
    except WriteError as exc:  # (a user's path: exit 2, as for the other commands' outputs)
        raise CLIError(str(exc).replace("write: ", "--out: ", 1)) from None
    except ValueError as exc:  # (write's and generate's messages name their Python parameters)
        message = str(exc).replace("write: 'out'", "--out")
        raise CLIError(message.replace("The 'kinds' parameter of generate", "--kinds")) from None
    # run_cli's 1: check graded the answers, and not every one is right
    return EXIT_ANSWERS_WRONG if code == 1 and args.check else code


def _cmd_jit(args: argparse.Namespace) -> int:
    """``glassnet jit``: :func:`glassnet.jit.warmup`, the kernels compiled (or loaded) now."""
    from . import jit

    if not jit.available():
        why = jit.unavailable_reason() or ""
        if "SciPy cannot be imported" in why:  # (numba is installed: SciPy is what is missing)
            raise CLIError(why.replace("glassnet.jit needs", "glassnet jit needs", 1), code=1)
        found = re.search(r"numba cannot be imported \((.*)\)\. pip install", why)
        detail = f" (numba cannot be imported: {found[1]})" if found else ""
        raise CLIError(f'glassnet jit needs numba: pip install "glassnet[jit]"{detail}', code=1)
    for name, seconds in jit.warmup().items():
        sys.stdout.write(f"glassnet.jit: {name} kernels ready in {seconds:.1f} s\n")
    return 0


def _cmd_playground(args: argparse.Namespace) -> int:
    from .playground import serve

    kept = {
        k: getattr(args, k)
        for k in ("max_runs", "max_per_client", "max_connections")
        if getattr(args, k) is not None
    }
    if args.host is not None:
        if not args.host.strip():
            raise CLIError(
                f"--host must be an address of this computer, such as 0.0.0.0 (every "
                f"address) or 127.0.0.1; got {args.host!r}"
            )
        kept["host"] = args.host
    try:
        serve(port=args.port, open_browser=not args.no_browser, **kept)
    except ValueError as exc:  # (serve's messages name its Python parameters)
        message = str(exc)
        for name in ("port", "max_runs", "max_per_client", "max_connections"):
            flag = "--" + name.replace("_", "-")
            message = message.replace(f"The '{name}' parameter of playground", flag)
        raise CLIError(message) from None
    except OSError as exc:  # the port is taken (on 127.0.0.1, or on ::1), or not ours to bind
        where = getattr(exc, "where", "")  # (the playground's BindError: which address)
        import errno

        if args.host is not None and exc.errno not in (errno.EADDRINUSE, errno.EACCES):
            raise CLIError(  # (an address not this computer's, or a name that resolves not)
                f"cannot serve on {where or args.host}: {exc.strerror or exc}; give --host an "
                "address of this computer (0.0.0.0: every address), or leave it out (this "
                "computer only)"
            ) from None
        where = where if where.startswith("[::1]:") else f"port {args.port}"  # (the IPv6 half)
        raise CLIError(
            f"cannot serve on {where}: {exc.strerror or exc}; choose another --port, "
            f"or leave --port out to have a free one"
        ) from None
    return 0


def _cmd_info(args: argparse.Namespace) -> int:
    _not_a_text_file(args)
    model, meta = _load_any(args.model, checkpoint=True)
    if isinstance(model, Checkpoint):  # (info shows a checkpoint too: its epoch, settings)
        return _info_checkpoint(args, model)
    mode, in_eval, frozen = _restored_state(model)
    if args.json:
        state = {"mode": mode, "eval_modules": in_eval, "frozen": frozen}
        out = {"config": model.config(), "meta": meta, **state}
        sys.stdout.write(json.dumps(out, indent=2) + "\n")
        return 0
    say: Callable[[str], None] = lambda s: sys.stdout.write(s + "\n")  # noqa: E731
    size = Path(args.model).stat().st_size
    ours = meta.get("format") == MODEL_FORMAT
    version = meta.get("glassnet_version", "?")
    who = f"written by glassnet {version} train" if ours else "written with the Python API"
    say(f"{args.model}: glassnet model file, {size} bytes, {who}")
    say("")
    cfg = model.config()
    kind = cfg.get("type", type(model).__name__)
    if "sizes" in cfg:
        kind += " " + " -> ".join(str(s) for s in cfg["sizes"])
    say(f"architecture  {kind}, {model.num_parameters()} parameters, dtype {_model_dtype(model)}")
    rows = _layer_rows(model)
    if len(rows) > 1:
        for line in _render(rows, "rrrrrl", indent="    "):
            say(line)
    shown = f"mixed: {', '.join(in_eval)} in eval mode, the rest training" if in_eval else mode
    if not ours or mode != "train":  # (a 'glassnet train' file is saved training)
        say(f"mode          {shown} (as saved: loading the file gives it)")
    if frozen:
        say(f"frozen        {', '.join(frozen)} (requires_grad False, as saved)")
    if not ours:
        if meta:
            say(f"description   {json.dumps(meta)[:200]}")
        return 0
    bundle = _load_bundle(args.model)
    for line in _info_lines(bundle, meta):
        say(line)
    return 0


def _info_checkpoint(args: argparse.Namespace, ckpt: Checkpoint) -> int:
    """``info`` of a checkpoint: its epoch, how its run stood, the run's settings (a
    ``glassnet train`` checkpoint's) and the model's arrays, by name and shape."""
    meta = ckpt.meta if isinstance(ckpt.meta, dict) else {}
    weights = {k: v for k, v in ckpt.model_state.items() if not k.startswith(_BEST)}
    if args.json:
        shapes = {k: list(v.shape) for k, v in weights.items()}
        out = {"kind": "checkpoint", "meta": meta, "weights": shapes}
        sys.stdout.write(json.dumps(out, indent=2) + "\n")
        return 0
    say: Callable[[str], None] = lambda s: sys.stdout.write(s + "\n")  # noqa: E731
    size = Path(args.model).stat().st_size
    ours = meta.get("format") == CHECKPOINT_FORMAT
    who = f"written by glassnet {meta.get('glassnet_version', '?')} train" if ours else (
        "written with the Python API")  # fmt: skip
    say(f"{args.model}: glassnet checkpoint file, {size} bytes, {who}")
    say("")
    state = _dig(meta, "state", kind=dict) or {}
    epoch = state.get("epoch", meta.get("epoch"))
    why = state.get("stop_reason")
    stood = "unfinished (resume it: rerun its train command with --resume)" if ours and \
        why is None else f"stopped: {why}"  # fmt: skip
    epoch = "no epoch recorded" if epoch is None else epoch
    say(f"epoch         {epoch}, {stood}" if ours else f"epoch         {epoch}")
    losses = _dig(state, "loss", kind=list)
    if losses:
        val = _dig(state, "val_loss", kind=list)
        last = f"last loss {_g(losses[-1])}" + (f", val_loss {_g(val[-1])}" if val else "")
        best = state.get("best_epoch")
        say(f"training      {last}" + (f"; best epoch {best}" if best is not None else ""))
    if isinstance(meta.get("checkpoint_every"), int):
        say(f"written       every {meta['checkpoint_every']} epochs (--checkpoint-every)")
    n = sum(int(v.size) for v in weights.values())
    say(f"model         {len(weights)} arrays, {n} values")
    for k, v in list(weights.items())[:40]:
        say(f"    {k:<24} {tuple(v.shape)} {v.dtype}")
    settings = _dig(meta, "settings", kind=dict)
    if settings:
        say("settings")
        for k, v in settings.items():
            say(f"    {k:<24} {json.dumps(v)[:120]}")
    elif meta:
        say(f"description   {json.dumps(meta)[:200]}")
    return 0


def _restored_state(model: Any) -> tuple[str, list[str], list[str]]:
    """What loading a model file restores besides its weights (``gn.save`` records it, and
    ``glassnet train`` files hold their modes): the mode, ``'train'``, ``'eval'`` or
    ``'mixed'``; the modules in eval mode when mixed; the frozen parameters."""
    modes = {name or "model": m.training for name, m in model.named_modules()}
    mode = "train" if all(modes.values()) else "eval" if not any(modes.values()) else "mixed"
    in_eval = [name for name, training in modes.items() if not training] * (mode == "mixed")
    return mode, in_eval, [n for n, p in model.named_parameters() if not p.requires_grad]


def _dig(meta: Any, *keys: str | int, kind: type | tuple[type, ...] = object) -> Any:
    """``meta[k1][k2]...`` when every key is there and the value is a ``kind``; else None.

    Everything in a description but what predict needs is optional: a file written by
    hand, or by another version, may lack any of it."""
    for key in keys:
        if isinstance(key, int):
            if not isinstance(meta, list) or not -len(meta) <= key < len(meta):
                return None
        elif not isinstance(meta, dict) or key not in meta:
            return None
        meta = meta[key]
    if kind is not object and (not isinstance(meta, kind) or isinstance(meta, bool)):
        return None
    return meta


def _g(value: Any, spec: str = ".4g") -> str:
    """A number for ``info``: formatted with ``spec``, '?' when it is not a number."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return "?"
    return format(value, spec)


def _option_names(names: Sequence[str]) -> str:
    """Column ``names`` as one --target/--drop/--categorical value, quoted for a shell (a
    name that holds a comma or a double quote in double quotes, as _split_names reads it)."""
    return _shell_word(_names_value(names))


def _names_value(names: Sequence[str]) -> str:
    """Column ``names`` as one --drop value as the program reads it (before shell quoting)."""
    return ",".join('"' + n.replace('"', '""') + '"' if "," in n or '"' in n else n for n in names)


def _shell_word(text: str) -> str:
    """``text`` as one word of a POSIX shell's command line on one line: shlex.quote's, or,
    where it holds a line break or another control character (a class label "yes\nreally"),
    bash's $'...' with the character escaped (shlex.quote would break the line there)."""
    if not any(ord(c) < 32 or ord(c) == 127 for c in text):
        return shlex.quote(text)
    named = {"\\": "\\\\", "'": "\\'", "\n": "\\n", "\t": "\\t", "\r": "\\r"}
    return (
        "$'"
        + "".join(
            named.get(c) or (f"\\x{ord(c):02x}" if ord(c) < 32 or ord(c) == 127 else c)
            for c in text
        )
        + "'"
    )


def _exact(value: Any) -> str:
    """A stored number as an option's value that reads back as the same float (repr's
    shortest digits: --lr 0.0012345678, not 'g''s 0.00123457); '?' when it is no number."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return "?"
    text = repr(float(value))
    return text[:-2] if text.endswith(".0") else text


def _chosen(value: Any, choices: Sequence[str]) -> str:
    """A stored setting as train's option value: ``value`` when it is one of ``choices``
    (train wrote nothing else), else '?' (an edited file's text never reaches the line)."""
    return value if isinstance(value, str) and value in choices else "?"


def _retrain_command(bundle: _Bundle, meta: dict[str, Any], t: dict[str, Any]) -> str:
    """``info``'s command line that trains the model again: the stored data and every
    stored setting that shapes the weights, each as its train option (the defaults too,
    where a default depends on the data: --task, --test-split); '?' where one is missing.

    The description is the file's to say (its checksum is unkeyed: anyone may edit it and
    write a new one), and users paste this line into a shell: a setting with a closed set
    of values (task, activation, optimizer, dtype, impute, a bundled data set, the widths)
    is printed only when it is one train takes, else '?'; every other text (paths, column
    names, labels) is one quoted shell word."""
    data = _dig(t, "data", kind=str) or "?"
    name = data[len("--dataset ") :] if data.startswith("--dataset ") else None
    dataset = name is not None
    if dataset:
        words = ["glassnet", "train", "--dataset", _chosen(name, DATASETS)]
    else:  # (a path that starts with '-' would read as an option: ./-x.csv is the same file)
        path = f"./{data}" if data.startswith("-") and data != "-" else data
        words = ["glassnet", "train", "?" if data == "?" else _shell_word(path)]
    prep = _dig(meta, "preprocessing", kind=dict) or {}
    if not dataset:
        words += ["--target", _option_names(_dig(t, "target", kind=list) or bundle.targets)]
    words += ["--task", _chosen(_dig(t, "task") or bundle.task.name, _TASK_CHOICES[1:])]
    classes = bundle.classes
    if classes and not dataset and not _dig(t, "stream"):  # (a sorted list may hold a class
        words += ["--classes", _option_names([str(c) for c in classes])]  # the data lack)
    hidden = _dig(t, "hidden", kind=list)
    widths = hidden is not None and all(type(h) is int and h > 0 for h in hidden)
    words += ["--hidden", ",".join(map(str, hidden)) or "none" if widths else "?"]
    if hidden != []:  # (no hidden layer: train refuses an --activation)
        words += ["--activation", _chosen(_dig(t, "activation"), _ACTIVATION_CHOICES)]
    words += [
        "--optimizer", _chosen(_dig(t, "optimizer"), _OPTIMIZER_CHOICES),
        "--lr", _exact(_dig(t, "lr")),
        "--batch-size", _g(_dig(t, "batch_size"), "d"), "--epochs", _g(_dig(t, "epochs"), "d"),
        "--seed", _g(_dig(t, "seed"), "d"), "--test-split", _exact(_dig(t, "test_split")),
    ]  # fmt: skip
    if _dig(t, "l2", kind=(int, float)):
        words += ["--l2", _exact(t["l2"])]
    if _dig(t, "dtype", kind=str) not in (None, "float32"):
        words += ["--dtype", _chosen(t["dtype"], ("float64",))]
    if _dig(t, "val_split", kind=(int, float)):
        words += ["--val-split", _exact(t["val_split"])]
    if _dig(t, "early_stopping") is True:
        words += ["--early-stopping", "--patience", _g(_dig(t, "patience"), "d")]
    if _dig(t, "standardize") is False:
        words.append("--no-standardize")
    if _dig(t, "impute", kind=str):
        words += ["--impute", _chosen(t["impute"], ("mean", "median"))]
    for flag, names in (("--categorical", _dig(t, "categorical", kind=list)),
                        ("--drop", _dig(prep, "drop", kind=list))):  # fmt: skip
        if names and not dataset:
            words += [flag, _option_names([str(n) for n in names])]
    if _dig(prep, "id", kind=str):
        words += ["--id", _shell_word(prep["id"])]
    if bundle.missing != MISSING_TOKENS and bundle.missing:
        words.append(_missing_text(bundle.missing))
    if bundle.decimal != ".":
        words += ["--decimal", _shell_word(bundle.decimal)]
    if bundle.multiline_cells:
        words.append("--multiline-cells")
    if _dig(t, "stream") is True:
        words += ["--stream", "--buffer-size", _g(_dig(t, "buffer_size"), "d")]
    if _dig(t, "threads", kind=int):  # (the BLAS threads it ran with: the weights' last bits)
        words += ["--threads", _g(t["threads"], "d")]
    return " ".join(words)


def _info_lines(bundle: _Bundle, meta: dict[str, Any]) -> list[str]:
    """The lines ``info`` prints about a ``glassnet train`` model; each optional part of the
    description that is absent (or of the wrong type) is left out or shown as '?'."""
    out = [""]
    task = bundle.task
    loss = _dig(meta, "task", "loss", kind=str) or task.loss
    act = _dig(meta, "task", "output_activation", kind=str) or task.output_activation
    out.append(f"task          {task.name}, loss {loss}, output {act}")
    if bundle.label_values:
        out.append(
            f"target        {len(bundle.targets)} label(s), each negative/positive: "
            f"{_labels_text(bundle.targets, bundle.label_values, 20)}"
        )
    elif bundle.classes:
        out.append(
            f"target        '{_esc(bundle.targets[0])}', {len(bundle.classes)} classes: "
            f"{_classes_text(bundle.classes, 20)}"
        )
    else:
        scaled = " (standardized for training)" if bundle.y_scaler is not None else ""
        out.append(f"target        {', '.join(repr(t) for t in bundle.targets)}{scaled}")
    pre = bundle.pre
    impute = _dig(meta, "preprocessing", "impute", kind=str)
    standardize = _dig(meta, "preprocessing", "standardize")  # (kind=bool: never a bool)
    out.append(
        f"features      {len(bundle.columns)} columns -> {pre.n_features_out} inputs"
        + (f", missing cells imputed ({impute})" if impute else "")
    )
    if bundle.missing != MISSING_TOKENS:  # the training run's --missing
        texts = ", ".join(repr(t) for t in sorted(bundle.missing))
        out.append(f"missing       cells reading {texts or '(none)'}, in any case (--missing)")
    if bundle.decimal != ".":  # the training run's --decimal, new files' default
        out.append(f"numbers       read with the decimal mark {bundle.decimal!r} (--decimal)")
    if bundle.multiline_cells:  # the training run's --multiline-cells, new files' default
        out.append("cells         quoted cells may hold line breaks (--multiline-cells)")
    rows = [["column", "kind", "preprocessing"]]
    kinds = pre.kinds_ or {}
    num = {c: j for j, c in enumerate(c for c in bundle.columns if kinds.get(c) == "numeric")}
    cat = {c: j for j, c in enumerate(bundle.categorical)}
    for c in bundle.columns[:20]:
        if c in num and pre.scaler_ is not None:
            j = num[c]
            if standardize is not False:
                how = f"(x - {_num(pre.scaler_.mean_[j])}) / {_num(pre.scaler_.scale_[j])}"
            else:
                how = "as is"
            rows.append([c, "numeric", how])
        elif c in cat and pre.encoder_ is not None and pre.encoder_.categories_ is not None:
            cats = pre.encoder_.categories_[cat[c]].tolist()
            rows.append([c, "categorical", f"one-hot: {_classes_text([str(v) for v in cats])}"])
    out += _render(rows, "lll", indent="    ")
    if len(bundle.columns) > 20:
        out.append(f"    ... and {len(bundle.columns) - 20} more columns")
    t = _dig(meta, "training", kind=dict)
    if t is not None:
        out.append("")
        rows_of = [_g(_dig(t, "rows", k), "d") for k in ("train", "validation", "test")]
        out.append(
            f"training      data {_dig(t, 'data', kind=str) or '?'}, rows {rows_of[0]} train "
            f"/ {rows_of[1]} validation / {rows_of[2]} test"
        )
        out.append(f"              {_retrain_command(bundle, meta, t)}")
    h = _dig(meta, "history", kind=dict)
    if h is not None:
        why = _dig(h, "message", kind=str) or _dig(h, "stop_reason", kind=str) or "?"
        seconds = _dig(h, "seconds")
        took = (
            " (no training time stored: SOURCE_DATE_EPOCH)"
            if "seconds" in h and seconds is None
            else f" in {_g(seconds, '.2f')} s"
        )
        out.append(f"history       {_g(_dig(h, 'epoch'), 'd')} epochs{took}; stopped: {why}")
        losses = _dig(h, "loss", kind=list)
        if losses:
            line = f"              loss {_g(losses[0])} -> {_g(losses[-1])}"
            val_loss, val_metric = _dig(h, "val_loss", -1), _dig(h, "val_metric", -1)
            if val_loss is not None:
                line += (
                    f"; validation loss {_g(val_loss)}, "
                    f"{_dig(h, 'metric_name', kind=str) or 'metric'} {_g(val_metric)}"
                )
            best = _dig(h, "best_epoch", kind=int)
            if best and t is not None and _dig(t, "early_stopping") is True:
                line += f"; best epoch {best}"
            out.append(line)
    tm = _dig(meta, "test_metrics", kind=dict)
    if tm:
        if "hamming_score" in tm:
            out.append(
                f"test scores   Hamming score {_g(tm.get('hamming_score'), '.4f')}, "
                f"subset accuracy {_g(tm.get('subset_accuracy'), '.4f')}"
            )
        elif "accuracy" in tm:
            out.append(
                f"test scores   accuracy {_g(tm.get('accuracy'), '.4f')}, "
                f"macro F1 {_g(tm.get('macro_f1'), '.4f')}"
            )
        else:
            for k, target in enumerate(bundle.targets):
                r2, mae = _dig(tm, "r2", k), _dig(tm, "mae", k)
                out.append(f"test scores   {_esc(target)}: R^2 {_g(r2)}, MAE {_g(mae)}")
    return out


# ======================================================================== main


def _exit_code(code: Any) -> int:
    if code is None:
        return 0
    return code if isinstance(code, int) else 1


#: Notes and warnings of the running command, printed once it succeeds (a command that
#: fails prints its one error line only).
_PENDING: list[str] = []


def _warn(message: str) -> None:
    """A one-line warning on stderr: the command went on, but the user should act."""
    _PENDING.append(f"glassnet: warning: {_abridged(_esc(_oneline(message)))}\n")


def _note(message: str) -> None:
    """A one-line note on stderr (what the user should know; not an error)."""
    _PENDING.append(f"glassnet: note: {_abridged(_esc(_oneline(message)))}\n")


#: Whether the running command was given -q to leave out its notes (:data:`_QUIET_COMMANDS`).
_NOTES_OFF: list[bool] = [False]


def _flush_pending(show: bool) -> None:
    # (under mpiexec -n N: rank 0 prints them, and a rank of an MPMD launch's other command)
    if _NOTES_OFF[0]:  # (-q: the notes left out, the warnings kept)
        _PENDING[:] = [line for line in _PENDING if not line.startswith("glassnet: note: ")]
    if show and (not _distributed.launched()[0] or _distributed.appnum()):
        with contextlib.suppress(OSError):  # (a stderr that takes no writes: 2>&-)
            sys.stderr.write("".join(dict.fromkeys(_PENDING)))
            sys.stderr.flush()
    _PENDING.clear()


def _error(message: str) -> None:
    with contextlib.suppress(OSError):  # (a stderr that takes no writes: the status stands)
        sys.stderr.write(f"glassnet: error: {_abridged(_esc(_oneline(message)))}\n")
        sys.stderr.flush()


def _isatty(stream: Any) -> bool:
    return bool(getattr(stream, "isatty", lambda: False)())


class _Escaping:
    """A text stream that escapes non-printable characters (but newlines and tabs) on their
    way to ``stream``: a label ``x\\x1b[2Jy`` from a CSV file or a model file prints as
    those characters, never as a terminal command."""

    def __init__(self, stream: Any) -> None:
        self.stream, self.gone = stream, False

    def write(self, text: str) -> int:
        if not text.isprintable():
            text = "\n".join("\t".join(_esc(p) for p in line.split("\t"))
                             for line in text.split("\n"))  # fmt: skip
        try:
            try:
                return self.stream.write(text)
            except UnicodeEncodeError:  # a terminal (or PYTHONIOENCODING) of another encoding
                # than UTF-8 without a character of a name or a label: escaped ('\xe9'), as
                # stderr escapes it, not an error halfway through a report
                encoding = getattr(self.stream, "encoding", None) or "ascii"
                return self.stream.write(text.encode(encoding, "backslashreplace").decode(encoding))
        except BrokenPipeError:  # the reader left ('glassnet train ... | head'): the rest of
            self._left()  # the report goes nowhere and the command finishes its work
            return len(text)

    def flush(self) -> None:
        try:
            self.stream.flush()
        except BrokenPipeError:
            self._left()

    def _left(self) -> None:
        self.stream, self.gone = _Nowhere(), True  # (no file opened: main() may be a host's)

    def __getattr__(self, name: str) -> Any:  # isatty, fileno, ...
        return getattr(self.stream, name)


class _Nowhere(_io.TextIOBase):
    """Where the rest of a report goes once its reader has left: nowhere, no file."""

    def write(self, text: str) -> int:
        return len(text)


#: The standard outputs whose reader left during a command (see :func:`_quiet_at_exit`),
#: as weak references: a stream its caller let go is not kept open for the check at exit.
_GONE_STDOUTS: list[Any] = []
_SILENCED_AT_EXIT: list[bool] = []  # (the handler at exit, registered once a process)


def _quiet_at_exit(stream: Any) -> None:
    """Let the interpreter's flush of ``stream`` at exit, a standard output whose reader
    left (``glassnet train ... | head -1``), go to /dev/null if ``stream`` is still
    ``sys.stdout`` then: no "Exception ignored ... BrokenPipeError" after the command's
    last line. Only then: :func:`main` called in a host's process gives the host back the
    ``sys.stdout`` it was called with, and opens no file, nor keeps the stream alive."""
    import weakref

    if not _SILENCED_AT_EXIT:
        import atexit

        atexit.register(_silence_gone_stdout)
        _SILENCED_AT_EXIT.append(True)
    _GONE_STDOUTS[:] = [ref for ref in _GONE_STDOUTS if ref() is not None]
    if not any(ref() is stream for ref in _GONE_STDOUTS):
        try:
            _GONE_STDOUTS.append(weakref.ref(stream))
        except TypeError:  # (a stream that takes no weak reference: kept, as it was)
            _GONE_STDOUTS.append(lambda: stream)


def _silence_gone_stdout() -> None:
    if not any(ref() is sys.stdout for ref in _GONE_STDOUTS):
        return
    try:
        sys.stdout.flush()  # (what it still holds, where its reader is still there)
    except (OSError, ValueError):
        with contextlib.suppress(OSError):
            sys.stdout = open(os.devnull, "w")  # noqa: SIM115 - the process ends


def _run_quietly(args: argparse.Namespace) -> int:
    """Run the subcommand with NumPy's floating-point warnings off (every result that
    matters is checked, and a problem is reported as one line naming its column) and
    Python warnings shown as one line each, ``glassnet: warning: ...``, once it returns (also
    with status 3: ``exercise check``'s answers that are not all right)."""
    stdout = wrapped = sys.stdout
    raw = args.command == "demo" or (args.command == "predict" and not _isatty(stdout))
    try:
        if not raw:  # (the demo's colours are glassnet's own; predictions piped stay exact)
            sys.stdout = wrapped = _Escaping(stdout)  # type: ignore[assignment]
        with warnings.catch_warnings(record=True) as caught, np.errstate(all="ignore"):
            warnings.simplefilter("always")
            code = int(args.func(args))
    finally:
        sys.stdout = stdout  # (the caller's, also once the reader left)
        if getattr(wrapped, "gone", False):
            _quiet_at_exit(stdout)
    for w in caught:
        if not (w.category is RuntimeWarning and "numpy" in str(w.filename)):
            _warn(str(w.message))
    return code


#: The commands that read data or model files, whose sizes GLASSNET_MEMORY_LIMIT caps.
_MEMORY_COMMANDS = ("train", "predict", "evaluate", "explain", "info", "export")

#: The commands whose data file '-' names standard input.
_STDIN_COMMANDS = ("train", "predict", "evaluate", "explain")

#: The temporary copy of standard input (for a data file given as '-') -> '-', as the
#: messages and the model file name it.
_SHOWN: dict[str, str] = {}


class _Renaming:
    """A text stream that writes ``old`` as ``new`` on its way to ``stream``: the
    temporary copy of standard input named as the user gave it, '-'."""

    def __init__(self, stream: Any, old: str, new: str) -> None:
        self.stream, self.old, self.new = stream, old, new

    def write(self, text: str) -> int:
        self.stream.write(_renamed(text, self.old, self.new))
        return len(text)

    def __getattr__(self, name: str) -> Any:  # flush, isatty, fileno, ...
        return getattr(self.stream, name)


def _renamed(text: str, old: str, new: str) -> str:
    """``text`` with the temporary file ``old`` named ``new``, the file as given, and its
    conversion to UTF-8 (iconv's command, :func:`iconv_command`) the given file's: a .gz
    one decompressed and compressed again, standard input's without names."""
    if "iconv -f" in text:
        text = re.sub(
            rf"iconv -f (\S+) -t UTF-8 {re.escape(shlex.quote(old))} > \S+?(?=[.,;]?(?:\s|$))",
            lambda m: iconv_command(new, m[1]),
            text,
        )
    return text.replace(old, new)


class _Signalled(SystemExit):
    """SIGTERM or SIGHUP while the temporary copy of standard input exists: an exit
    (status 128 + the signal's number) that removes the copy on its way out."""

    def __init__(self, signum: int) -> None:
        super().__init__(128 + signum)
        self.signum = signum


@contextlib.contextmanager
def _signals_exit() -> Any:
    """SIGTERM and SIGHUP raise :class:`_Signalled` inside the block (their default
    action would end the process with no cleanup), the handlers found restored after; a
    signal ignored (``nohup``) or handled by the caller is left as it is, and nothing
    changes outside the main thread, where no handler can be set."""
    import signal
    import threading

    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = {}
    for name in ("SIGTERM", "SIGHUP"):
        number = getattr(signal, name, None)
        if number is not None and signal.getsignal(number) == signal.SIG_DFL:
            previous[number] = signal.signal(number, _raise_signalled)
    try:
        yield
    finally:
        for number, handler in previous.items():
            signal.signal(number, handler if handler is not None else signal.SIG_DFL)


def _raise_signalled(signum: int, frame: Any) -> None:
    raise _Signalled(signum)


class _Terminated(KeyboardInterrupt):
    """SIGTERM or SIGHUP during training: stops the run as Ctrl-C does (fit keeps the
    weights learned so far, stop reason ``"interrupted"``); :data:`_STOPPED_BY` names it."""


#: The signal that stopped the current training run (SIGTERM or SIGHUP), if one did.
_STOPPED_BY: list[int] = []
#: The interrupts (signal numbers) since the current training run began.
_INTERRUPTS: list[int] = []


def _told_in_our_words(callbacks: list[Callback], stop_rules: list[Any] | None) -> dict[str, Any]:
    """fit's ``callbacks`` and ``stop_rules`` with :class:`OwnInterrupt` last, so that fit
    does not warn of an interrupt the command line tells in its own words (the signal, the
    checkpoint, the exit status), without a warning filter: among the callbacks (after the
    others' ``on_train_end``), or, on an ``mpiexec`` rank other than 0 (where fit runs no
    callbacks: rank 0 prints), among the stop rules. The caller puts the name back on fit's
    History (:meth:`OwnInterrupt.named`)."""
    if _distributed.launched()[0]:
        return {"callbacks": callbacks, "stop_rules": [*(stop_rules or []), OwnInterrupt()]}
    return {"callbacks": [*callbacks, OwnInterrupt()], "stop_rules": stop_rules}


@contextlib.contextmanager
def _signals_stop_training(checkpointing: bool = False, stopped: bool = False) -> Any:
    """Inside the block (a training run's fit), SIGTERM and SIGHUP stop training as Ctrl-C
    does (:class:`_Terminated`): the weights so far are saved, with the checkpoint and the
    resume hint, and the command exits with status 128 + the signal's number. Only a signal
    left at its default action, or at :func:`_signals_exit`'s, is taken over (one ignored,
    ``nohup``, or handled by the caller stays as it is); nothing changes outside the main
    thread. With ``checkpointing`` (Ctrl-C's default handler taken over too), a second
    interrupt after the one that stopped the run is noted, not raised, so the checkpoint of
    the last completed epoch (and, in the block of ``stopped``, a run already stopped, the
    model) is written whole; a third stops at once."""
    import signal
    import threading

    if not stopped:
        _STOPPED_BY.clear()
        _INTERRUPTS.clear()
    elif not _INTERRUPTS:  # (stopped by a KeyboardInterrupt that no signal raised)
        _INTERRUPTS.append(0)
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def _stop(signum: int, frame: Any) -> None:
        _INTERRUPTS.append(signum)
        if len(_INTERRUPTS) == 2 and checkpointing:  # (a quick second Ctrl-C: the write goes on)
            with contextlib.suppress(Exception):  # (stderr busy: the note is skipped)
                sys.stderr.write("glassnet: note: interrupted again: the checkpoint of the last "
                                 "completed epoch and the weights so far are written first; "
                                 "interrupt a third time to stop without them\n")  # fmt: skip
                sys.stderr.flush()
            return
        if _INTERRUPTS == [signum] and signum != signal.SIGINT:  # (the one that stops)
            _STOPPED_BY.append(signum)
        raise KeyboardInterrupt if signum == signal.SIGINT else _Terminated

    previous = {}
    for name in ("SIGTERM", "SIGHUP", "SIGINT"):
        number = getattr(signal, name, None)
        ours = (signal.default_int_handler,) if checkpointing and name == "SIGINT" else ()
        if number is not None and signal.getsignal(number) in (
            (signal.SIG_DFL, _raise_signalled) if name != "SIGINT" else ours
        ):
            previous[number] = signal.signal(number, _stop)
    try:
        yield
    finally:
        for number, handler in previous.items():
            signal.signal(number, handler if handler is not None else signal.SIG_DFL)


def _stop_signal_text() -> tuple[str, int]:
    """How an interrupted training run was stopped, and its exit status: Ctrl-C (130), or
    the signal in :data:`_STOPPED_BY` (128 + its number: SIGTERM 143, SIGHUP 129)."""
    import signal

    if not _STOPPED_BY:
        return "Ctrl-C", 130
    return signal.Signals(_STOPPED_BY[0]).name, 128 + _STOPPED_BY[0]


def _copy_stdin(source: Any, f: Any, row: int | None) -> None:
    """Standard input ``source`` (binary) copied to the file ``f``: the whole of it; or for
    ``explain --row row`` (``row`` given), which reads a file larger than
    EXPLAIN_WHOLE_BYTES up to its row only, its lines up to the CSV record past that row
    (its header and a line such as ``sep=;`` counted among them), once past
    EXPLAIN_WHOLE_BYTES, the rest read and dropped: no copy of a whole stream on disk for
    one row, and the program writing into the pipe still sees it read to its end (no
    broken pipe). Records are told apart as Python's csv reads them (quoted cells with line
    breaks, blank rows skipped); text it cannot read so is copied whole."""
    if row is None:
        shutil.copyfileobj(source, f)
        return
    size = found = 0

    def lines() -> Iterator[str]:
        nonlocal size
        for line in iter(source.readline, b""):
            f.write(line)
            size += len(line)
            yield line.decode("utf-8", "replace")

    try:
        for record in csv.reader(lines()):
            found += bool("".join(record).strip())
            if found > row + 2 and size > EXPLAIN_WHOLE_BYTES:
                while source.read(1 << 20):  # (dropped)
                    pass
                return
    except csv.Error:  # (a cell over csv's size limit, as a quote never closed makes one:
        pass  # the rest copied whole, for the reader's error)
    shutil.copyfileobj(source, f)


def _streamed_pipe(args: argparse.Namespace) -> bool:
    """Whether ``train --stream`` is given a data file that is a named pipe or a device
    (``<(zcat big.csv.gz)``, ``/dev/fd/N``): a stream reads its file once for the statistics,
    again for each epoch and for the test rows, which a pipe gives once, so it is copied
    to a temporary file first, as standard input '-' is."""
    import stat

    data = getattr(args, "data", None)
    streamed = getattr(args, "stream", False) or getattr(args, "buffer_size", None) is not None
    if args.command != "train" or not streamed or not isinstance(data, str) or data == "-":
        return False
    try:
        mode = os.stat(data).st_mode
    except (OSError, ValueError):  # (no such file: the reader says so)
        return False
    return stat.S_ISFIFO(mode) or stat.S_ISCHR(mode) or stat.S_ISSOCK(mode)


def _rank_reads_a_pipe(args: argparse.Namespace) -> str | None:
    """The usage error of a data file given as standard input '-', a named pipe or a device
    (``/dev/stdin``, ``<(zcat d.csv.gz)``) to a rank of a launch of several (``mpiexec -n
    N``, N > 1, as the launcher's variables say, before MPI starts; not a process a rank
    started, nor one whose PMI_FD is no launcher's socket): MPICH's mpiexec sends
    standard input to rank 0 alone and leaves the other ranks' open and empty for ever (a
    rank copying it waited for ever, and rank 0 in MPI_Init for that rank); a pipe's rows
    would go to one rank or be split among them. None where the data file is a file."""
    import stat

    data = getattr(args, "data", None)
    _, size, var = _distributed.launcher()  # (every rank's words alike: printed once)
    if args.command not in _STDIN_COMMANDS or not isinstance(data, str) or size < 2:
        return None
    if not _distributed.rank_process():  # (a process a rank started; a launcher's PMI_FD
        return None  # left over, no socket of its: no rank, its standard input its own)
    how = (
        f"this process is one of {size} ranks, as {var}={size} says (if no mpiexec or srun "
        f"started glassnet, {var} is left over in this shell: unset {var})"
    )
    todo = (
        f"Write the data to a file every rank can read (cat ... > data.csv, on a file system "
        f"every node sees) and give its path: mpiexec -n {size} glassnet {args.command} ... "
        "data.csv"
    )
    if data == "-":
        return (
            f"the data file '-' is standard input, which a launch of several ranks cannot "
            f"read: mpiexec gives it to rank 0 alone (the other ranks' never ends, and they "
            f"would wait for ever); {how}. {todo}"
        )
    try:
        mode = os.stat(data).st_mode
    except (OSError, ValueError):  # (no such file: the reader says so)
        return None
    if stat.S_ISFIFO(mode) or stat.S_ISCHR(mode) or stat.S_ISSOCK(mode):
        kind = "a named pipe" if stat.S_ISFIFO(mode) else "a device or socket, not a file"
        return (
            f"the data file '{data}' is {kind}, which every rank of a launch of several "
            f"would read from one writer: each rank a part of its rows, or waiting for "
            f"ever; {how}. {todo}"
        )
    return None


@contextlib.contextmanager
def _stdin_as_file(args: argparse.Namespace) -> Any:
    """For a data file given as '-' (train, predict, evaluate, explain): standard input,
    copied to a temporary file first (the commands read a file more than once: its header,
    then its rows; --stream, once per epoch), which the messages name '-'. A data file
    named .gz (any case) is so too, decompressed: read as the plain file, named as given."""
    data = getattr(args, "data", None)
    gz = isinstance(data, str) and _gzip_named(data) and Path(data).is_file()
    pipe = _streamed_pipe(args)
    if args.command not in _STDIN_COMMANDS or (data != "-" and not gz and not pipe):
        yield
        return
    stdin = sys.stdin
    if pipe:  # (train --stream reads its file once per pass: a pipe's rows, kept)
        try:
            stdin = open(data, "rb")  # noqa: SIM115 (closed below, as the .gz file is)
        except OSError as exc:
            raise CLIError(f"cannot read '{data}': {exc.strerror or exc}") from None
    elif gz:
        with open(data, "rb") as f:
            magic = f.read(4)
        if not_gzip(data, magic):  # (an empty file: "is empty", as fit says)
            raise CLIError(not_gzip(data, magic))
        stdin = gzip.open(data, "rb")
    elif stdin is None or _isatty(stdin):
        raise CLIError(
            f"the data file '-' is standard input, which is a terminal here, not a file: pipe "
            f"the CSV file in (zcat data.csv.gz | glassnet {args.command} ... -), or give its "
            f"path"
        )
    with _signals_exit(), tempfile.TemporaryDirectory(prefix="glassnet-") as tmp:
        copy = str(Path(tmp) / ("data.csv" if gz else "stdin.csv"))
        # explain --row reads a file larger than EXPLAIN_WHOLE_BYTES up to its row only
        # (its --impute, from the file's columns, may need every row)
        rows = args.row if args.command == "explain" and args.impute is None else None
        try:
            with open(copy, "wb") as f, stdin if gz or pipe else contextlib.nullcontext():
                _copy_stdin(getattr(stdin, "buffer", stdin), f, rows)
        except KeyboardInterrupt:  # Ctrl-C while the pipe is read: as during a command
            raise CLIError("interrupted", 130) from None
        except (EOFError, zlib.error, gzip.BadGzipFile):  # (a damaged .gz: the reader's words)
            from .stream import cannot_decompress

            raise CLIError(cannot_decompress(data)) from None
        except OSError as exc:
            what = f"'{data}' decompressed" if gz else "the data file '-' (standard input)"
            what = f"the pipe '{data}'" if pipe else what
            raise CLIError(
                f"cannot read {what} into a temporary file in '{tmp}': {exc.strerror or exc}"
            ) from None
        args.data, shown = copy, "-" if data == "-" else data
        _SHOWN[copy] = shown
        out, err = sys.stdout, sys.stderr
        if args.command != "predict":  # (predictions go out as computed)
            sys.stdout = _Renaming(out, copy, shown)  # type: ignore[assignment]
        sys.stderr = _Renaming(err, copy, shown)  # type: ignore[assignment]
        try:
            yield
        finally:
            sys.stdout, sys.stderr = out, err
            _SHOWN.pop(copy, None)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the ``glassnet`` command line; returns the exit status.

    ``argv`` defaults to ``sys.argv[1:]``. Errors that come from the input
    (``ValueError``, :class:`~glassnet.io.ModelFileError`, file-system errors) and
    :class:`~glassnet.DivergenceError` print one line ``glassnet: error: ...`` on
    stderr; anything else is a bug in glassnet, reported as one line too unless
    ``--debug`` is given, which lets every traceback through. With ``--debug`` the
    traceback of an input error comes before its line, and the exit status is the same.
    """
    if sys.stderr is not None:
        return _main_argv(argv)
    # 2>&-: stderr closed (Python's sys.stderr is None): the messages go nowhere, and the
    # exit status is the one they would have had (not 1, of the failing write)
    with open(os.devnull, "w") as null:
        sys.stderr = null
        try:
            return _main_argv(argv)
        finally:
            sys.stderr = None  # type: ignore[assignment]


def _main_argv(argv: Sequence[str] | None) -> int:
    """:func:`main`, with a standard error to write to."""
    try:
        parser = build_parser()
        args = parser.parse_args(argv)
    except UsageError as exc:  # under mpiexec -n N: train's, every rank's, printed once
        words = [a for a in (sys.argv[1:] if argv is None else argv) if not a.startswith("-")]
        # (no option before the command takes a value: its first word is the command; a
        # word that is no command, a mistyped one, is None: printed once too)
        command = words[0] if words and words[0] in _COMMANDS else None
        return _end_command(exc, (exc.message, 2), command)
    except HelpRequested as exc:  # under mpiexec -n N: --help, printed once
        return _help_once(exc)
    except SystemExit as exc:  # --help, --version and usage errors
        return _exit_code(exc.code)
    except KeyboardInterrupt:  # Ctrl-C before a command starts: as during one (130)
        _error("interrupted")
        return 130
    if args.command is None:
        if _distributed.launched()[1] > 1:
            return _help_once(HelpRequested(parser.format_help(), 2))
        parser.print_help(sys.stderr)
        return 2
    refused = _rank_reads_a_pipe(args)  # (before anything reads it: on every rank alike)
    if refused is not None:
        return _end_command(UsageError(refused), (refused, 2), args.command)
    if args.command != "train" and _distributed.rank_process():  # (not a rank's child)
        _ranks_agree_at_the_end()
    _PENDING.clear()
    _NOTES_OFF[0] = args.command in _QUIET_COMMANDS and bool(getattr(args, "quiet", False))
    _USER_TEXTS.clear()
    _USER_TEXTS.update(str(a) for a in (sys.argv[1:] if argv is None else argv))
    _warn_repeated(args)
    try:  # (train: SIGTERM and SIGHUP end it with a line, as in fit they stop it)
        if sys.stdout is None:  # (>&-: an error before any work, as a full disk's, no bug)
            raise CLIError(
                "standard output is closed (>&-): glassnet writes its report there; "
                "redirect it (> /dev/null drops it)",
                1,
            )
        if args.command in _MEMORY_COMMANDS:  # a bad GLASSNET_MEMORY_LIMIT: its own error
            _memory_limit()
        with _signals_exit() if args.command == "train" else contextlib.nullcontext():
            with _stdin_as_file(args), _pipes_held(), _rank0_prints(args):
                return _main(args)
    except CLIError as exc:  # (standard input, unread)
        return _report(exc, (str(exc), exc.code))
    except _Signalled as exc:  # SIGTERM/SIGHUP with standard input's copy: removed
        import signal

        _error(f"stopped by {signal.Signals(exc.signum).name}")
        return int(exc.code)  # type: ignore[arg-type]


def _main(args: argparse.Namespace) -> int:
    """:func:`main` once the arguments are parsed."""
    if args.debug:
        try:
            return int(args.func(args))
        except (Exception, KeyboardInterrupt) as exc:
            failure = _failure(exc, args)
            if failure is None:
                raise  # a bug in glassnet: the traceback, as Python prints it
            traceback.print_exc()  # then the one line and the status the run without --debug has
            return _end_command(exc, failure, args.command)
        finally:
            _flush_pending(True)
    try:
        try:
            code = _run_quietly(args)
        except BaseException:
            _flush_pending(False)  # an error is the one line printed
            raise
        _flush_pending(True)  # (a command that returns ran: 0, 130, 143, exercise check's 3)
        return code
    except (Exception, KeyboardInterrupt) as exc:
        failure = _failure(exc, args)
        if failure is None:  # a bug in glassnet: one line, the traceback with --debug
            failure = (
                f"internal error ({type(exc).__name__}: {exc}); this is a bug in glassnet: "
                f"rerun with --debug to see the traceback and please report it",
                1,
            )
        return _end_command(exc, failure, args.command)


def _end_command(exc: BaseException, failure: tuple[str | None, int], command: str | None) -> int:
    """Report ``exc`` of ``command`` (its one line, ``failure``) and return its status, as
    :func:`_end_the_job` does. Under ``mpiexec -n N`` (N > 1), a command other than train
    first has the ranks agree (:func:`glassnet.distributed.end_rank`): an error every rank
    hit alike (a usage error, a data file missing) is printed by rank 0 alone, the others
    ending with the same status; a rank failing alone prints its own, and the other ranks,
    busy with a command of their own (no fit waits on this one), are never ended."""
    if command in ("train", None) or _distributed.launched()[1] < 2:
        return _end_the_job(exc, failure, command)
    _distributed.install()  # (every rank runs the same command: its end is the others' news)
    if _distributed.end_rank(exc) == "quiet":
        return failure[1]
    return _report(exc, failure)  # ("abort": the others did not answer; they run on)


def _ranks_agree_at_the_end() -> None:
    """Under ``mpiexec -n N`` (N > 1), a command other than train (whose fit joins the
    ranks): every rank starts MPI now and tells the others when it ends
    (:func:`glassnet.distributed.install`), so that an error every rank hits alike (a data
    file missing, a model file refused) is printed once, by rank 0 (:func:`_end_command`),
    and a rank failing alone (a file missing on its node) does not wait in ``MPI_Init`` for
    ranks that would never start MPI. Without mpi4py, each rank reports its own errors."""
    _distributed.install()
    with contextlib.suppress(Exception):  # (mpi4py missing, or its MPI failing to start)
        from mpi4py import MPI  # noqa: F401 - MPI_Init, on every rank alike


@contextlib.contextmanager
def _rank0_prints(args: argparse.Namespace) -> Iterator[None]:
    """Under ``mpiexec -n N`` (N > 1), predict, evaluate, explain, info and export run on
    every rank (an error every rank hits alike is printed once, every rank ending with its
    status), but rank 0 alone prints their output, as train's rank 0 does: one process's
    output, not N copies of it. Another rank's standard output goes nowhere; a file they
    write (predict's --out, export's OUT) is written by each rank whole (atomically: the
    same bytes), a device or pipe (/dev/stdout, a FIFO) by rank 0 alone
    (:func:`_rank_writes`). A rank of another command line of an MPMD launch (``mpiexec
    -n 1 A : -n 1 B``) than rank 0's prints and writes its own."""
    if (
        args.command not in ("predict", "evaluate", "explain", "info", "export")
        or not _distributed.launched()[0]
        or _distributed.appnum()
    ):
        yield
        return
    stdout = sys.stdout
    with open(os.devnull, "w", encoding="utf-8") as sys.stdout:
        _QUIET_RANK.append(True)
        try:
            yield
        finally:
            sys.stdout = stdout
            _QUIET_RANK.clear()


_QUIET_RANK: list[bool] = []  # [True] in a rank whose output rank 0 prints (_rank0_prints)


def _rank_writes(path: Path) -> bool:
    """Whether this process writes the output ``path``: not a rank whose output rank 0
    prints when ``path`` is a device or pipe (``/dev/stdout``), which each rank's write
    would add to."""
    import stat

    try:
        mode = os.stat(path).st_mode
    except OSError:  # (no file yet: written whole, atomically, by each)
        return True
    return not _QUIET_RANK or stat.S_ISREG(mode) or stat.S_ISDIR(mode)


def _help_once(exc: HelpRequested) -> int:
    """Print the help text of ``exc`` (on stdout; on stderr for a status of 2) and return
    its status. Under ``mpiexec -n N`` (N > 1) the ranks agree first, as on a usage error
    (:func:`glassnet.distributed.end_rank`): rank 0 alone prints a help every rank asked
    for, the others ending with the same status; a rank asking for a help of its own
    prints it (and a train running on the other ranks stops, naming it)."""
    told = "report"
    if _distributed.launched()[1] > 1:
        _distributed.install()
        told = _distributed.end_rank(exc)
    code = _exit_code(exc.code)
    if told != "quiet":
        stream = sys.stderr if code else sys.stdout
        stream.write(exc.text)
        stream.flush()
    return code


#: The subcommands: a usage error before one is known (a mistyped command) is every rank's.
_COMMANDS = ("demo", "train", "predict", "evaluate", "explain", "info", "export",
             "playground", "exercise", "jit")  # fmt: skip


def _end_the_job(
    exc: BaseException, failure: tuple[str | None, int], command: str | None = "train"
) -> int:
    """Report ``exc`` (its one line, ``failure``) and return its status. Under ``mpiexec -n N``
    (N > 1), train's error first goes to the other ranks (:func:`glassnet.distributed.end_rank`):
    an error every rank hit alike (a bad argument) is printed by rank 0 alone, the others
    ending with the same status; a rank failing on its own (a file missing on that rank,
    before its fit) ends the others' fit with a DistributedError naming it, and ends the
    whole job with ``MPI_Abort`` when they do not answer (busy elsewhere). So does a usage
    error before any command is known (``command`` None: a mistyped one, ``glassnet tarin``),
    which every rank of the same command line hits alike. Any other subcommand's error is
    this rank's own here (only train's fit waits on the other ranks: nothing to end);
    :func:`_end_command` has the ranks agree on who prints it first."""
    if command not in ("train", None) or _distributed.launched()[1] < 2:
        return _report(exc, failure)
    _distributed.install()  # (every rank runs the same train: its end is the others' news)
    told = _distributed.end_rank(exc)
    if told == "quiet":
        return failure[1]
    code = _report(exc, failure)
    if told == "abort":
        from mpi4py import MPI  # (end_rank started it)

        sys.stderr.flush()
        MPI.COMM_WORLD.Abort(code or 1)
    return code


#: The reader's refusal of a compressed data file; group 1: the compression, group 2: its
#: advice (the command that decompresses the file to a copy)
_COMPRESSED = re.compile(r"it is (gzip|bzip2|xz|zstd)-compressed; decompress it first \(([^)]*)\)")

#: The command that writes a compressed file's text to standard output, by compression.
_CAT = {"gzip": "zcat", "bzip2": "bzcat", "xz": "xzcat", "zstd": "zstdcat"}


def _compressed_hint(line: str, args: argparse.Namespace) -> str:
    """``line``, with the way to read a compressed data file without a copy on disk added
    to the reader's advice to decompress it: piped in as '-' (standard input)."""
    found = _COMPRESSED.search(line)
    data = getattr(args, "data", None)
    if found is None or args.command not in _STDIN_COMMANDS or not isinstance(data, str):
        return line
    model = f" {shlex.quote(args.model)}" if isinstance(getattr(args, "model", None), str) else ""
    pipe = f"{_CAT[found[1]]} {shlex.quote(data)} | glassnet {args.command}{model} -"
    if data in _SHOWN:  # (already standard input: decompressed on its way in)
        pipe = f"... | {_CAT[found[1]]} | glassnet {args.command}{model} -"
    told = f", or pipe it in decompressed, as the data file '-': {pipe} (and the options as given)"
    if found[1] == "gzip" and data not in _SHOWN:  # (a name ending in .gz is read decompressed)
        named = shlex.quote(data + ".gz")
        told = f", or name it with .gz at the end ({named}), which is read decompressed{told}"
    return line[: found.end()] + told + line[found.end() :]


def _failure(exc: BaseException, args: argparse.Namespace) -> tuple[str | None, int] | None:
    """The one line (None: no line) and the exit status for the error ``exc`` of a command,
    or None when it is no input error but a bug in glassnet."""
    if isinstance(exc, CLIError):
        return _compressed_hint(str(exc), args), exc.code
    if isinstance(exc, DivergenceError):
        return str(exc), 1
    if isinstance(exc, _distributed.DistributedError):  # another rank's error, named
        return str(exc), 1
    if isinstance(exc, _distributed.Unjoined):  # a launch whose ranks MPI does not join
        return exc.detail, 1
    if isinstance(exc, BrokenPipeError) and _stdout_reader_left():
        # 'glassnet predict ... | head': the reader took what it wanted and left, which is
        # no error of a filter (status 0, no line, as when the report's reader leaves
        # train: _Escaping); with --stream as without it, no rows computed past it
        return None, 0
    if isinstance(exc, BrokenPipeError):  # (another pipe than standard output's)
        return f"{exc.strerror or exc}{f' {exc.filename!r}' if exc.filename else ''}", 1
    if isinstance(exc, (ModelFileError, ValueError)):
        return _compressed_hint(str(exc), args), 2
    if isinstance(exc, OSError):
        where = f" '{exc.filename}'" if exc.filename else ""
        mistake = (FileNotFoundError, IsADirectoryError, NotADirectoryError, PermissionError)
        return f"{exc.strerror or exc}{where}", 2 if isinstance(exc, mistake) else 1
    if isinstance(exc, ImportError):
        return str(exc), 1
    if isinstance(exc, KeyboardInterrupt):
        return "interrupted", 130
    if isinstance(exc, MemoryError):  # what the estimates before each allocation did not foresee
        return _out_of_memory_text(exc, args), 1
    return None


def _stdout_reader_left() -> bool:
    """Whether standard output is a pipe whose reader has closed it (poll's POLLERR on
    its write end), or a stream that cannot say (no file descriptor, no poll): a broken
    pipe there is taken for standard output's."""
    import select

    try:
        fd = sys.stdout.fileno()
        poller = select.poll()
    except (AttributeError, OSError, ValueError, _io.UnsupportedOperation):
        return True
    poller.register(fd, select.POLLOUT)
    try:
        events = poller.poll(0)
    except OSError:
        return True
    return any(e & (select.POLLERR | select.POLLHUP) for _, e in events)


def _out_of_memory_text(exc: MemoryError, args: argparse.Namespace) -> str:
    """The error for memory that ran out in a command, with what that command can do about
    it: its options, and, when it ran out reading the data file into memory, that file's
    (train --stream reads it in chunks; predict, evaluate and explain take it in parts)."""
    command = args.command
    cap = " (GLASSNET_MEMORY_LIMIT sets a cap)"
    if isinstance(exc, _OutOfMemoryReading):
        path = _SHOWN.get(exc.path, exc.path)
        size = ""
        with contextlib.suppress(OSError):
            size = f" ({bytes_text(os.stat(exc.path).st_size)})"
        head = f"out of memory reading the data file '{path}'{size} into memory"
        if command == "train":
            return (
                f"{head}: train on it with --stream, which reads it in chunks, or on fewer "
                f"of its rows{cap}"
            )
        if command in ("predict", "evaluate"):
            return (
                f"{head}: {command} it with --stream, which reads it a block of lines at a "
                f"time, or split the file into parts, each with the header row{cap}"
            )
        if command == "explain":
            lines = (getattr(args, "row", 0) or 0) + 1
            return f"{head}: give explain the file's first {lines} lines, up to the row{cap}"
        return f"{head}: give a smaller file{cap}"
    head = f"out of memory running 'glassnet {command}'"
    if command == "train" and getattr(args, "stream", False):
        fix = "use a smaller --buffer-size, smaller --hidden widths or a smaller --batch-size"
    elif command == "train":
        fix = (
            "use smaller --hidden widths, a smaller --batch-size, or --stream, which reads "
            "the file in chunks (or fewer rows)"
        )
    elif command in ("predict", "evaluate") and getattr(args, "stream", False):
        fix = "give a smaller --chunk-rows (lines read at a time)"
    elif command in ("predict", "evaluate"):
        fix = (
            f"{command} with --stream, which reads the file a block of lines at a time, or "
            f"split the data file into parts, each with the header row"
        )
    elif command == "explain":
        fix = "give explain the data file's first lines only, up to the row"
    else:
        fix = "close other programs, or give smaller files"
    return f"{head}: {fix}{cap}"


def _report(exc: BaseException, failure: tuple[str | None, int]) -> int:
    line, code = failure
    if isinstance(exc, BrokenPipeError):
        _quiet_at_exit(sys.stdout)  # (the flush at exit; the caller's stdout stays)
    if line is not None:
        _error(line)
    return code


_startup.done(final=True)  # (the glassnet command's Ctrl-C while starting: see glassnet._startup)

if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
