"""Data larger than memory: ``fit`` on a stream of chunks, with bounded memory.

A :class:`Stream` re-reads its source once per epoch, chunk by chunk, and hands ``fit``
mini-batches drawn through a **shuffle buffer** of ``buffer_size`` rows (TensorFlow's
``Dataset.shuffle`` semantics, batched): the buffer is filled from the stream, then each
batch is the rows of ``batch_size`` random slots, which the next rows of the stream refill;
at the end of the stream the rest of the buffer is shuffled and emitted. Memory is
bounded by the buffer and the reader's chunks (pyarrow's CSV reader reads up to 32 blocks
ahead: docs/scaling.md), whatever the size of the data. With ``buffer_size`` at least the
number of rows the shuffle is a full one; smaller buffers mix rows within about
``buffer_size`` rows of each other (shuffle a file's rows once on disk if its order is
sorted).

Sources (:func:`as_stream` picks one for ``fit``):

* any re-iterable of ``(X, y)`` or ``(X, y, sample_weight)`` arrays, or a function
  returning a fresh iterator each epoch (:func:`from_chunks`; a generator serves one epoch);
  every chunk has the first's layout (y's shape, weights or none), empty chunks are skipped;
* NumPy memmaps, read ``chunk_rows`` rows at a time (:func:`from_arrays`); each chunk's
  pages are released once read, so they do not accumulate in the process;
* a CSV or Parquet path, read in record batches by pyarrow (:func:`from_csv`,
  :func:`from_parquet`; ``pip install pyarrow``). One streaming pass first collects what
  preprocessing needs: each numeric column's mean and standard deviation (Chan et al.'s
  pairwise merge of chunk moments, for ``standardize=True``) and its lowest and highest
  value (``Columns.low``, ``Columns.high``: a constant column's are equal), each text
  column's categories
  (one-hot encoded) and the target's classes (labels 0..C-1 in sorted order; a single
  class is an error). A cell that cannot train (empty, NA/NaN, inf, text in a number
  column: in pyarrow's first block too, where it makes the column text, which is refused
  when more of its distinct values are numbers than not, as the command line decides) or
  a row with too few or too many cells is an error naming the file and its line (a
  Parquet file: its row); a CSV row
  that only ends in empty fields past the header's (``1,2,0,,``) is read as
  :func:`glassnet.datasets.read_csv` reads it, those fields left out (``Columns.trailing``),
  and so is a row whose every cell is blank (``,,``): skipped (``Columns.blank``).

Kept below ``train`` so that ``fit`` can take a path: the scaling and one-hot encoding it
applies are the few lines of :class:`Columns`; the in-memory equivalents with model-file
round-trips are :mod:`glassnet.preprocessing`'s.
"""

from __future__ import annotations

import difflib
import functools
import io
import itertools
import math
import mmap
import os
import re
import warnings
import weakref
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NamedTuple

import numpy as np

from ._validation import check_bool, check_number, user_level

__all__ = [
    "Stream",
    "Columns",
    "as_stream",
    "from_chunks",
    "from_arrays",
    "from_csv",
    "csv_delimiter",
    "sniff_delimiter",
    "from_parquet",
    "null_values",
    "number_value",
    "missing_tokens",
    "line_notes_text",
    "long_label_runs",
    "label_runs_of",
    "label_runs_warning",
    "LABEL_RUNS_SHARE",
    "LABEL_RUNS_OFF",
    "LABEL_RUNS_KEPT",
    "LabelRuns",
    "label_shares",
]

Chunk = tuple[np.ndarray, np.ndarray, "np.ndarray | None"]


class Stream:
    """A re-readable source of ``(X, y, w)`` chunks and the shuffle buffer over it.

    Parameters
    ----------
    chunks : function returning a fresh iterator of ``(X, y)`` or ``(X, y, w)`` per epoch
    buffer_size : int
        Rows held by the shuffle buffer (default 65,536).
    columns : Columns, optional
        How a table source's columns became X and y (names, scaling, categories, classes).

    A stream whose labels come in long runs (a file sorted or grouped by its label:
    :func:`long_label_runs`) warns (a ``UserWarning`` naming the file, its runs and the
    buffer) the first time it is read for training with a shuffle, as the command line
    warns: through a buffer far smaller than the file, fit trains on one class after the
    other. ``warn_label_runs = False`` silences it (it is set so once it warned). A table
    stream's statistics pass counts the runs; a stream of arrays (:func:`from_arrays`, a
    memmap given to fit) and one of a list or tuple of chunks (:func:`from_chunks`) read
    their labels once for it (``runs_of_labels``, :func:`label_runs_of`: 1-D labels of integers,
    bools or whole numbers, at most 1,000 classes); a function or other iterable of chunks
    is not read for it.
    """

    def __init__(
        self,
        chunks: Callable[[], Iterable[Any]],
        *,
        buffer_size: int = 65_536,
        columns: Columns | None = None,
    ) -> None:
        check_number(buffer_size, "buffer_size", "Stream", low=1, integer=True)
        self._chunks, self.buffer_size, self.columns = chunks, int(buffer_size), columns
        self.epochs = None  # (a one-shot iterator's stream: 1, the epochs it can serve)
        # the rows of one pass where known (from_arrays; from_csv: the statistics pass's
        # count), else None: distributed training sees a buffer that holds them all
        self.rows: int | None = None
        self.rows_at_most: int | None = None  # (a bound where only that is known: the CLI's
        # training rows, its test split drawn per chunk)
        self.warn_label_runs = True  # (the warning of long label runs: once)
        # a stream of arrays (from_arrays, a memmap given to fit, a list of chunks): its
        # labels' runs (label_runs_of), read for that warning (a table stream's columns
        # hold them)
        self.runs_of_labels: Callable[[], Columns | None] | None = None
        self._last: Any = None  # the iterator the source gave last (each pass needs a new one)
        # a table file's stream: the file and place of data row ``row`` (-1: the file), as
        # its errors name them (its classes refused before training: the first row's line)
        self.where: Callable[[int], str] | None = None

    def __repr__(self) -> str:
        return f"Stream(buffer_size={self.buffer_size}, columns={self.columns!r})"

    def chunks(self) -> Iterator[Chunk]:
        """One pass over the source: ``(X, y, w or None)`` per chunk."""
        source = self._chunks()
        if source is self._last and iter(source) is source:  # (a list may be read again)
            raise ValueError(_READ_ONCE)
        self._last = source
        with _closing(source):
            for i, c in enumerate(source):
                if not isinstance(c, (tuple, list)) or len(c) not in (2, 3) or np.ndim(c[0]) != 2:
                    raise TypeError(
                        f"fit: chunk {i} of the stream is a {type(c).__name__} ({c!r:.60}); a "
                        "stream yields (X, y) or (X, y, sample_weight) with X of shape (rows, "
                        "features). Training on arrays? Pass y too: fit(model, X, y)."
                    )
                yield c[0], c[1], (c[2] if len(c) == 3 else None)

    def batches(
        self, batch_size: int, rng: np.random.Generator | None, check: Callable[..., Chunk]
    ) -> Iterator[Chunk]:
        """One epoch of mini-batches of ``batch_size`` rows (the last may be smaller),
        through the shuffle buffer (``rng=None``: in stream order). ``check(X, y, w)``
        checks and converts each chunk."""
        bs = batch_size
        if rng is not None and self.warn_label_runs:
            self.warn_label_runs = False
            runs = self.columns
            if runs is None and self.runs_of_labels is not None:
                try:
                    runs = self.runs_of_labels()
                except Exception:  # (labels fit refuses: its checks of the chunks say why)
                    runs = None
            text = None if runs is None else label_runs_warning(runs, self.buffer_size, bs)
            if text is not None:  # (at the caller's line: its fit call)
                warnings.warn(text, UserWarning, stacklevel=user_level())
        cap = max(self.buffer_size // bs, 1) * bs  # whole batches
        buf: list[np.ndarray | None] | None = None
        fill, perm, pos, tail = 0, np.empty(0, np.intp), 0, None
        empty = True
        for block in _blocks(_checked(self.chunks(), check), bs):  # (each closes its source)
            empty = False
            if rng is None:
                yield block
                continue
            m = block[0].shape[0]
            if fill + m <= cap and (buf is None or fill + m > len(buf[0])):
                # grown as it fills, up to cap: a buffer_size far above the data's rows
                # allocates only what the data needs
                rows = min(cap, max(fill + m, 2 * (0 if buf is None else len(buf[0]))))
                buf = _grown(buf or block, rows, fill)
            assert buf is not None
            if fill + m <= cap:  # filling
                for b, a in zip(buf, block):
                    if b is not None:
                        b[fill : fill + m] = a
                fill += m
                continue
            if m < bs:  # the stream's last, short block: emitted with the rest
                tail = block
                break
            if pos + m > perm.size:  # a new round: each slot emitted once per round
                perm, pos = rng.permutation(cap), 0
            slots = perm[pos : pos + m]
            pos += m
            out = tuple(None if b is None else b[slots] for b in buf)  # (m, ...) copies
            for b, a in zip(buf, block):
                if b is not None:
                    b[slots] = a
            yield out  # type: ignore[misc]
        if empty:  # (fit's look at the first chunk found rows: this pass is another's)
            raise ValueError(_READ_ONCE)
        if buf is not None and fill:  # the end of the stream: the rest, shuffled
            rest = tuple(None if b is None else b[:fill] for b in buf)
            if tail is not None:
                rest = _concat([rest, tail])  # type: ignore[list-item]
            order = rng.permutation(rest[0].shape[0]) if rng is not None else None
            for s in range(0, rest[0].shape[0], bs):
                idx = order[s : s + bs]  # type: ignore[index]
                yield tuple(None if b is None else b[idx] for b in rest)  # type: ignore[misc]

    def first(
        self, check: Callable[..., Chunk], batch_size: Any, split: bool, epochs: int = 1
    ) -> Chunk:
        """The first chunk, checked (what fit inspects before training), once fit's settings
        are seen to suit a stream: a ``batch_size``, no validation ``split`` asked of it, and
        no more ``epochs`` to run than the source can serve."""
        if batch_size is None or split:
            raise ValueError(
                "fit on a stream (a file path, chunks, a memmap or a Stream, read chunk by "
                "chunk) needs a batch_size, and validation_data (not validation_split) for "
                "validation or early stopping. A memmap that fits in memory trains as an "
                "array: fit(model, np.asarray(X), y, ...)."
            )
        if self.epochs is not None and epochs > self.epochs:
            raise ValueError(
                f"fit: the stream is an iterator, which can be read once: it serves one epoch, "
                f"and fit was asked for {epochs}. Pass a list of chunks, an object whose "
                "__iter__ starts over, or a function returning a fresh iterator; or epochs=1."
            )
        seen: list[bool] = []

        def first_checked(*c: Any) -> Chunk:  # (the classes, before the first chunk's rows)
            if not seen:
                seen.append(True)
                self._classes_held(check, *c)
            return check(*c)

        try:
            for c in _checked(self.chunks(), first_checked):
                return c
        except _ClassesRefused as e:  # (the file's, not the first chunk's: said as is)
            raise ValueError(str(e)) from None
        raise ValueError("fit: the stream yielded no chunks; it has no data to train on.")

    def _classes_held(self, check: Callable[..., Chunk], X: Any, y: Any, w: Any) -> None:
        """Refuse, before training, a table's target classes (counted by its statistics
        pass) that ``check`` refuses of a chunk (more classes than the model has outputs),
        naming the file's place of the first row of the lowest refused class: such a row
        deep in the file was refused when an epoch reached it, after steps had changed the
        model, at its place in the shuffled epoch. ``X, y, w``: the first chunk, as read."""
        cols = self.columns
        if cols is None or not isinstance(cols.target, str) or not cols.classes or np.ndim(y) != 1:
            return

        def refused(*labels: int) -> str | None:
            k = len(labels)
            one = (np.repeat(X[:1], k, axis=0), np.array(labels, y.dtype))
            try:
                check(*one, None if w is None else np.ones(k, w.dtype))
            except (ValueError, TypeError) as e:
                return _bare(e)
            return None

        n = len(cols.classes)
        why = refused(*range(n))
        if not len(y) or why is None or refused(y[0]) is not None:  # (X's own: said as read)
            return
        # the lowest refused class: the shortest run of labels 0..m-1 refused (a few checks
        # of a bisection; each class alone was O(classes) checks), m - 1 refused alone
        lo, hi = 0, n
        while hi - lo > 1:
            mid = (lo + hi) // 2
            lo, hi = (lo, mid) if refused(*range(mid)) is not None else (mid, hi)
        bad = hi - 1 if refused(hi - 1) is not None else -1
        row = -1  # the data row (file order) of that class's first row
        if bad >= 0 and cols.run_classes is not None and cols.run_rows is not None:
            at = np.flatnonzero(cols.run_classes == bad)
            row = int(cols.run_rows[: at[0]].sum()) if at.size else -1
        elif bad >= 0:  # (a file of many runs: read again, in order, up to that row)
            start = 0
            with _closing(self.chunks()) as chunks:
                for _, yc, _ in chunks:
                    hit = np.flatnonzero(np.asarray(yc) == bad)
                    if hit.size:
                        row = start + int(hit[0])
                        break
                    start += len(yc)
        shown = ", ".join(map(repr, cols.classes[:10])) + (", ..." if n > 10 else "")
        place = self.where(row) if self.where is not None else "the stream"
        held = ""
        if row >= 0:
            many = cols.class_counts[bad] if cols.class_counts else 2
            rows = "its one row" if many == 1 else f"the first of its {many} rows"
            held = f"holds class {cols.classes[bad]!r} ({rows}), and "
        raise _ClassesRefused(
            f"fit: {place}: the target column {cols.target!r} {held}the statistics pass "
            f"counted {n} classes in it before training ({shown}): {why}"
        )


class _ClassesRefused(Exception):
    """:meth:`Stream._classes_held`'s refusal, past the first chunk's check (which names
    the chunk): ``fit`` raises it as a ValueError."""


#: Long runs of a label (:func:`long_label_runs`): some stretch of the epoch (a tenth of
#: it, or the buffer's rows where fewer) whose rows, as the shuffle buffer emits them,
#: hold the classes in shares off the file's by more than this (half the sum over the
#: classes of the differences of shares: the share of the stretch's rows that would have
#: to change class). Measured through the stream's own buffer (2 classes sorted, buffer
#: 65,536, batch 64: 70,000 rows give tenths of 0.49-0.51 of class 1, off by 0.02;
#: 80,000 rows, 0.38-0.53, off by 0.11; 100,000 rows, 0.23-0.64, off by 0.26; 200,000
#: rows, 0-1, off by 0.5; 90,000 rows of one class then 10,000 of the other, off by 0.10,
#: the second class absent from the first 30% of the epoch; runs of 8,000 rows of either
#: class in turn, off by 0.06, which trains as well as a shuffled file; 10 classes in runs
#: of 1,000 through a buffer of 4,096, off by 0.58), where a shuffled file is off by 0.
#: Only a file of fewer changes of class than :data:`LABEL_RUNS_SHARE` of a shuffled
#: file's is checked (a shuffled file with many rare classes has windows off by chance).
LABEL_RUNS_OFF = 0.08

#: The runs of a label that a table stream's statistics pass keeps, in order
#: (``Columns.run_classes``); a file of more is taken as shuffled (its runs average below
#: a 100th of a 100-million-row file), and checked by the average run alone.
LABEL_RUNS_KEPT = 1_000_000

#: Long runs: fewer changes of class from row to row than this share of a shuffled file's;
#: for a file whose runs were not kept (:data:`LABEL_RUNS_KEPT`), with a buffer that holds
#: fewer runs than there are classes, on average.
LABEL_RUNS_SHARE = 0.5


class LabelRuns(NamedTuple):
    """What :func:`long_label_runs` found: the file's ``changes`` of class from row to row
    and a shuffled file's, ``expected``; ``off``, the most a stretch of the epoch's class
    shares are off the file's (half the sum of the differences; NaN where the runs were not
    kept); ``label``, the class whose share is off most there, its ``share`` of that
    stretch's rows and ``overall``, its share of the file; ``start`` and ``stop``, the
    stretch's place in the epoch (0 to 1)."""

    changes: int
    expected: float
    off: float
    label: Any = None
    share: float = math.nan
    overall: float = math.nan
    start: float = math.nan
    stop: float = math.nan


def label_shares(
    columns: Columns, buffer_size: int, batch_size: int = 1
) -> tuple[np.ndarray, np.ndarray] | None:
    """``(bounds, shares)``: the class shares of the rows a shuffle buffer of
    ``buffer_size`` rows emits over an epoch in batches of ``batch_size``, in expectation,
    computed from the label's runs (``columns.run_classes`` and ``run_rows``, kept by the
    statistics pass): ``shares[i]`` is the share of each class (in the order of
    ``columns.classes``) among the rows emitted from row ``bounds[i]`` to ``bounds[i + 1]``
    of the epoch, stretches of a tenth of the epoch, or of the buffer's rows where fewer.
    None where the runs were not kept, or the buffer holds the file (a full shuffle).

    The buffer (:meth:`Stream.batches`) holds ``cap`` rows (``buffer_size`` rounded down
    to whole batches) and replaces each slot once per round of ``cap`` rows read, so it
    emits the file's rows ``k cap`` to ``(k + 1) cap`` in random order during round
    ``k + 1``; what is left at the end (the rest of the last full window, and the rows read
    since) is shuffled together."""
    if columns.run_classes is None or columns.run_rows is None or not columns.class_counts:
        return None
    n, classes = columns.rows, len(columns.class_counts)
    cap = max(buffer_size // batch_size, 1) * batch_size
    if n <= cap:
        return None
    ends = np.cumsum(columns.run_rows)  # each run's end row
    windows = n // cap  # windows of cap rows the buffer emits whole (some of the last one)
    cuts = np.arange(1, windows + 1) * cap  # (windows,) the windows' ends
    # the file's rows of each class before each cut: split the runs at the cuts
    pieces = np.union1d(np.concatenate([[0], ends]), cuts)  # (sorted) piece starts and ends
    lo, hi = pieces[:-1], pieces[1:]
    run = np.searchsorted(ends, lo, side="right")  # the run each piece is part of
    before = np.zeros((windows + 1, classes))  # class rows in windows 0..windows-1, then rest
    np.add.at(before, (np.minimum(lo // cap, windows), columns.run_classes[run]), hi - lo)
    window = before[:windows] / cap  # (windows, classes) each full window's shares
    tail = n - cap - (n - cap) % batch_size  # (rows read into full batches after the fill)
    k, a = divmod(tail, cap)  # the last round: window k, a rows of it emitted
    # the rows left at the end: window k's not emitted, and the rows read after it
    rest = (cap - a) * window[k] + before[k + 1 :].sum(axis=0)
    # the emitted share as a function of the epoch's row: window j's over rows j cap to
    # (j + 1) cap up to row ``tail``, then the rest's
    starts = np.concatenate([np.arange(k + 1) * cap, [tail]]).astype(np.float64)
    rates = np.vstack([window[: k + 1], rest / (n - tail)])
    span = min(n / 10, cap)
    bounds = np.linspace(0, n, int(math.ceil(n / span)) + 1)
    widths = np.diff(np.append(starts, n))
    total = np.vstack([np.zeros(classes), np.cumsum(rates * widths[:, None], axis=0)])
    at = np.clip(np.searchsorted(starts, bounds, side="right") - 1, 0, len(starts) - 1)
    emitted = total[at] + (bounds - starts[at])[:, None] * rates[at]  # (bounds, classes)
    return bounds, np.diff(emitted, axis=0) / np.diff(bounds)[:, None]


def long_label_runs(columns: Columns, buffer_size: int, batch_size: int = 1) -> LabelRuns | None:
    """A :class:`LabelRuns` when a table's single target of class labels comes in runs long
    enough for a shuffle buffer of ``buffer_size`` rows (in batches of ``batch_size``) to
    emit skewed batches: some stretch of the epoch (a tenth of it, or the buffer's rows
    where fewer) holds the classes in shares off the file's by more than
    :data:`LABEL_RUNS_OFF` (half the sum over the classes of the differences of shares),
    by :func:`label_shares`, which the statistics pass's runs give without reading the
    file again; and the file has fewer changes of class than :data:`LABEL_RUNS_SHARE` of a
    shuffled file's, about ``(n - 1) * (1 - sum n_c (n_c - 1) / (n (n - 1)))``. A file of
    more than :data:`LABEL_RUNS_KEPT` runs, or of more than 16,777,216 windows of the
    buffer's rows times classes: such changes, and a buffer that holds fewer runs than
    there are classes, on average. None otherwise, and for a file of no more rows than
    the buffer (shuffled whole) or without such a target."""
    n, runs, counts = columns.rows, columns.label_runs, columns.class_counts
    if runs is None or counts is None or n <= buffer_size or n < 2:
        return None
    same = sum(c * (c - 1) for c in counts) / (n * (n - 1))
    expected = (n - 1) * (1.0 - same)  # a shuffled file's changes of class
    changes = runs - 1
    if changes >= LABEL_RUNS_SHARE * expected:
        return None
    cap = max(buffer_size // batch_size, 1) * batch_size
    cells = (n // cap + 1) * len(counts)  # (label_shares' windows by classes)
    found = label_shares(columns, buffer_size, batch_size) if cells <= 1 << 24 else None
    if found is None:
        if columns.run_classes is not None and cells <= 1 << 24:  # (the buffer holds the file)
            return None
        held = buffer_size * runs / n  # (the runs a buffer holds, on average)
        return None if held >= len(counts) else LabelRuns(changes, expected, math.nan)
    bounds, shares = found
    overall = np.asarray(counts, np.float64) / n
    off = 0.5 * np.abs(shares - overall).sum(axis=1)
    i = int(np.argmax(off))
    if off[i] <= LABEL_RUNS_OFF:
        return None
    c = int(np.argmax(np.abs(shares[i] - overall)))
    return LabelRuns(
        changes, expected, float(off[i]), (columns.classes or [0.0, 1.0])[c], float(shares[i, c]),
        float(overall[c]), float(bounds[i] / n), float(bounds[i + 1] / n),
    )  # fmt: skip


def label_runs_of(blocks: Iterable[Any], source: str = "") -> Columns | None:
    """The label runs of a stream of arrays (``blocks``: its y, block by block, in stream
    order) as :class:`Columns` holding ``rows``, ``classes``, ``class_counts``,
    ``label_runs``, ``run_classes`` and ``run_rows`` (no features), for
    :func:`long_label_runs`; ``source`` names them in the warning. None where y is no 1-D
    labels (a float of fractions, NaN, more than 1,000 values, several columns) or holds
    more than :data:`LABEL_RUNS_KEPT` runs (shuffled, in effect)."""
    values: list[Any] = []  # each run's label and rows, in order
    rows: list[int] = []
    n = 0
    for y in blocks:
        y = np.asarray(y)
        if y.ndim == 2 and y.shape[1] == 1:
            y = y[:, 0]
        if y.ndim != 1 or y.dtype.kind not in "biuf":
            return None
        if not len(y):
            continue
        if y.dtype.kind == "f":
            y = y + 0.0  # (-0.0 is 0.0)
        starts = np.concatenate([[0], np.flatnonzero(y[1:] != y[:-1]) + 1])
        vals, lengths = y[starts], np.diff(np.append(starts, len(y)))
        if y.dtype.kind == "f" and not np.all(vals == np.round(vals)):  # (NaN too)
            return None
        if values and vals[0] == values[-1]:
            rows[-1] += int(lengths[0])
            vals, lengths = vals[1:], lengths[1:]
        values += vals.tolist()
        rows += lengths.tolist()
        n += len(y)
        if len(values) > LABEL_RUNS_KEPT:
            return None
    classes = sorted(set(values))
    if n < 2 or len(classes) > 1000:
        return None
    index = {v: i for i, v in enumerate(classes)}
    run_classes = np.array([index[v] for v in values], np.intp)
    run_rows = np.array(rows, np.int64)
    counts = np.bincount(run_classes, weights=run_rows, minlength=len(classes))
    return Columns(
        "y", classes=classes, rows=n, class_counts=[int(c) for c in counts],
        label_runs=len(values), run_classes=run_classes, run_rows=run_rows, source=source,
    )  # fmt: skip


def label_runs_warning(columns: Columns, buffer_size: int, batch_size: int = 1) -> str | None:
    """The warning a stream of ``columns`` gives when its labels come in long runs for a
    shuffle buffer of ``buffer_size`` rows, in batches of ``batch_size``
    (:func:`long_label_runs`); None when they do not."""
    found = long_label_runs(columns, buffer_size, batch_size)
    if found is None:
        return None
    changes, expected = found.changes, found.expected
    assert columns.label_runs is not None and columns.class_counts is not None
    n = columns.rows
    need = buffer_size  # (the smallest buffer, doubled, that emits balanced stretches)
    while need < n and long_label_runs(columns, need, batch_size) is not None:
        need *= 2
    plural = "" if changes == 1 else "s"
    bigger = (
        f"{n:,} rows (the file's rows: a full shuffle)" if need >= n
        else f"{need:,} rows ({n:,}, the file's rows, shuffles it whole)"
    )  # fmt: skip
    skew = (
        "" if math.isnan(found.off)
        else f", so the rows it gives fit from {found.start:.0%} to {found.stop:.0%} of each "
        f"epoch hold class {found.label!r} at {found.share:.2f} of them, where the file holds "
        f"{found.overall:.2f}"
    )  # fmt: skip
    if not columns.features and not columns.kinds:  # (a stream of arrays: label_runs_of)
        bigger = bigger.replace("the file's rows", "all the rows")
        return (
            f"the labels y of {columns.source or 'the stream'} come in long runs "
            f"({changes:,} change{plural} of class in {n:,} rows, where shuffled rows have "
            f"about {expected:,.0f}: sorted or grouped by the label?): the stream reads the "
            f"rows in order through a shuffle buffer of {buffer_size:,} rows (buffer_size)"
            f"{skew.replace('the file holds', 'all the rows hold')}; fit trains on one class "
            f"after the other and the model favours the last ones, however good its loss "
            f"looks. Shuffle the rows once (one permutation for X, y and any sample weights, "
            f"saved anew); or give a buffer_size of at least {bigger}, if they fit in memory."
        )
    return (
        f"{columns.source or 'the file'} holds the classes of {columns.target!r} in long runs "
        f"({changes:,} change{plural} of class in {n:,} rows, where a shuffled file has about "
        f"{expected:,.0f}: sorted or grouped by the label?): the stream reads the rows in file "
        f"order through a shuffle buffer of {buffer_size:,} rows (buffer_size){skew}; fit "
        f"trains on one class after the other and the model favours the last ones, however "
        f"good its loss looks. Shuffle the file's rows once on disk, keeping its header; or "
        f"give a buffer_size of at least {bigger}, if they fit in memory."
    )


_READ_ONCE = (
    "fit: the stream's source gave no new rows for this pass over it (fit reads it once "
    "before training, to look at its first chunk, then once per epoch): a function given as "
    "the source must return a fresh iterator on each call, not one it returned before "
    "(lambda: my_generator). Build a new one per call (def chunks(): ... yield X, y), or "
    "pass a list of chunks. (A file source: was it emptied while fit read it?)"
)


def _grown(buf: Any, rows: int, fill: int) -> list[np.ndarray | None]:
    """A shuffle buffer of ``rows`` rows, the arrays' dtypes and row shapes of ``buf``
    (the buffer so far, or the first block), holding ``buf``'s first ``fill`` rows."""
    out = [None if a is None else np.empty((rows, *a.shape[1:]), a.dtype) for a in buf]
    for b, a in zip(out, buf):
        if b is not None:
            b[:fill] = a[:fill]
    return out


def _checked(chunks: Iterable[Chunk], check: Callable[..., Chunk]) -> Iterator[Chunk]:
    """``check(*c)`` of each chunk, a chunk it refuses named with its rows (an error's
    rows and indices are the chunk's own)."""
    start, first, weighted = 0, None, False
    with _closing(chunks):
        for i, c in enumerate(chunks):
            if not len(c[0]):  # an empty chunk: nothing to train on, nothing to check
                continue
            rows = f"rows {start} to {start + len(c[0]) - 1} of the epoch"
            try:
                out = check(*c)
            except (ValueError, TypeError) as e:
                kind = ValueError if isinstance(e, ValueError) else TypeError
                raise kind(f"fit: chunk {i} of the stream ({rows}): {_bare(e)}") from None
            y, w = out[1], out[2]
            first = first or (i, y.shape[1:], w is None)
            if y.shape[1:] != first[1]:
                raise ValueError(
                    f"fit: chunk {i} of the stream ({rows}) has y of shape {y.shape} where "
                    f"chunk {first[0]} has y of shape {_rows(first[1])}; give every chunk's y "
                    "one layout (labels, or one-hot rows)."
                )
            if (w is None) != first[2]:
                has = ("has no", "them") if w is None else ("has", "none")
                raise ValueError(
                    f"fit: chunk {i} of the stream ({rows}) {has[0]} sample weights and chunk "
                    f"{first[0]} has {has[1]}; give every chunk (X, y, sample_weight), or none."
                )
            start += out[0].shape[0]
            weighted = weighted or w is None or bool(w.any())
            yield out
    if first is not None and not weighted:  # (as fit refuses arrays whose weights are all 0)
        raise ValueError(
            f"fit: every sample_weight of the stream is 0 ({start} rows), so there is nothing "
            "to train on: every loss and gradient is 0. Give the samples to learn from a "
            "weight > 0."
        )


def _rows(shape: tuple[int, ...]) -> str:
    return f"(rows, {', '.join(map(str, shape))})" if shape else "(rows,)"


@contextmanager
def _closing(it: Any) -> Iterator[Any]:
    """``it``, closed however the block ends (an error, a pass abandoned): a file reader
    inside it is closed then, not kept open by an error's traceback until collected."""
    try:
        yield it
    finally:
        close = getattr(it, "close", None)
        if close is not None:
            close()


def _bare(e: Exception) -> str:
    s = str(e)
    return s[len("fit: ") :] if s.startswith("fit: ") else s


def _blocks(chunks: Iterable[Chunk], bs: int) -> Iterator[Chunk]:
    """Re-cut chunks into blocks of exactly ``bs`` rows (the last may be shorter)."""
    held: list[Chunk] = []
    rows = 0
    with _closing(chunks):
        for c in chunks:
            held.append(c)
            rows += c[0].shape[0]
            if rows < bs:
                continue
            joined = _concat(held)
            n_full = rows // bs * bs
            for s in range(0, n_full, bs):
                yield tuple(None if a is None else a[s : s + bs] for a in joined)  # type: ignore[misc]
            held = [tuple(None if a is None else a[n_full:] for a in joined)]  # type: ignore[list-item]
            rows -= n_full
    if rows:
        yield _concat(held)


def _concat(parts: list[Chunk]) -> Chunk:
    if len(parts) == 1:
        return parts[0]
    if any(p[2] is None for p in parts) and not all(p[2] is None for p in parts):
        raise ValueError("fit: some chunks of the stream have sample weights and some do not.")
    return tuple(  # type: ignore[return-value]
        None if parts[0][k] is None else np.concatenate([p[k] for p in parts]) for k in range(3)
    )


# ----------------------------------------------------------------- sources
def from_chunks(chunks: Any, *, buffer_size: int = 65_536) -> Stream:
    """A stream over ``chunks``: a re-iterable of ``(X, y[, w])`` (a list, or an object
    whose ``__iter__`` starts over) or a function returning a fresh iterator. A generator
    or other iterator is read once: it serves one epoch (``epochs=1``); the chunk fit looks
    at first is kept with it, so a fit call refused after that look loses no rows."""
    check_number(buffer_size, "buffer_size", "from_chunks", low=1, integer=True)
    if callable(chunks):
        return Stream(chunks, buffer_size=buffer_size)
    if not isinstance(chunks, Iterable):
        raise TypeError(
            f"The 'chunks' parameter of from_chunks must be a list of (X, y) or (X, y, "
            "sample_weight) chunks, an object whose __iter__ yields them, or a function "
            f"returning a fresh iterator of them. Got {type(chunks).__name__} {chunks!r:.60}."
        )
    if iter(chunks) is chunks:  # a generator or iterator: readable once
        stream = Stream(_once(chunks), buffer_size=buffer_size)
        stream.epochs = 1
        return stream
    stream = Stream(lambda: iter(chunks), buffer_size=buffer_size)
    if isinstance(chunks, (list, tuple)):  # (in memory: its labels read once for the warning)
        stream.runs_of_labels = lambda: label_runs_of(
            (c[1] for c in chunks if isinstance(c, (tuple, list)) and len(c) in (2, 3)),
            "the list of chunks",
        )
    return stream


def _worded(reader: Callable[..., Stream]) -> Callable[..., Stream]:
    """``reader`` (from_csv, ...) whose errors start with the name its ``caller`` argument
    gives (its own by default; "fit" where fit reads a path or memmap, "glassnet train" on
    the command line): those of the call (its statistics pass) and of each pass over the
    stream it returns (fit's epochs), whose texts begin "fit: "."""

    @functools.wraps(reader)
    def call(*args: Any, **kwargs: Any) -> Stream:
        caller = kwargs.get("caller", reader.__name__)
        if not isinstance(caller, str) or not caller.strip():
            raise (ValueError if isinstance(caller, str) else TypeError)(
                f"The 'caller' parameter of {reader.__name__} must be a non-empty str, the "
                f"name its errors begin with (such as 'fit'). Got {caller!r}."
            )
        path = args[0] if args else kwargs.get("path")
        gz = path if isinstance(path, (str, os.PathLike)) and gzipped(path) else None
        with _said_by(caller, gz):
            stream = reader(*args, **kwargs)
        source = stream._chunks

        def again() -> Iterator[Any]:
            with _said_by(caller, gz):
                yield from source()

        stream._chunks = again
        return stream

    return call


def cannot_decompress(path: Any) -> str:
    """The words for a .gz file ``path`` that gzip cannot read to its end (the reader's and
    the command line's)."""
    return f"cannot decompress '{path}': it is cut off or damaged (gzip -t tests it)"


def _undecompressed(e: BaseException) -> bool:
    """Whether ``e`` is gzip's (Python's or pyarrow's) for a .gz file cut off or damaged."""
    import gzip
    import zlib

    if isinstance(e, (EOFError, zlib.error, gzip.BadGzipFile)):
        return True
    text = str(e).lower()  # (pyarrow's: "Truncated compressed stream", "zlib inflate failed")
    return type(e) is OSError and e.errno is None and ("compressed" in text or "zlib" in text)


@contextmanager
def _said_by(caller: str, gz: Any = None) -> Iterator[None]:
    """An error of the block whose text begins "fit: ", begun with ``caller``'s name; one
    of decompressing the .gz file ``gz`` (None: not one) said so (:func:`cannot_decompress`)."""
    try:
        yield
    except Exception as e:
        if gz is not None and _undecompressed(e):
            raise ValueError(f"{caller}: {cannot_decompress(gz)}") from e
        text = e.args[0] if e.args else None
        if caller != "fit" and isinstance(text, str) and text.startswith("fit: "):
            e.args = (f"{caller}: {text[len('fit: ') :]}", *e.args[1:])
        raise


def _once(it: Iterator[Any]) -> Callable[[], Iterator[Any]]:
    """A one-shot iterator as a source: fit's look at its first chunk (a pass that reads one
    chunk) is replayed by the next pass, which reads on; a pass after that is an error."""
    read = [False]  # a pass read on past the first chunk: the iterator is this stream's

    def again() -> Iterator[Any]:
        if read[0]:
            raise ValueError(
                "fit: the stream is an iterator, which can be read once, and it was read by "
                "an epoch of training: another epoch or another fit call finds no rows. Pass "
                "a list of chunks, an object whose __iter__ starts over, or a function "
                "returning a fresh iterator."
            )
        return _pass(it, read)

    return again


def _pass(it: Iterator[Any], read: list[bool]) -> Iterator[Any]:
    """One pass over ``it``: the chunks a pass before stopped after come first (kept with the
    iterator, so a fit call refused after its look at the first chunk loses no rows, nor
    does a later fit call given the same iterator), then ``it``'s next ones. Reading on
    past the first chunk with rows forgets them and sets ``read[0]``."""
    held = _held(it)
    i = 0
    while True:
        if i < len(held):
            c = held[i]
        else:
            c = next(it, _END)
            if c is _END:
                _forget(it)
                return
            held.append(c)
        i += 1
        yield c
        if not _no_rows(c):  # asked for more than fit's look: the rest is this pass's
            _forget(it)
            read[0] = True
            yield from it
            return


_END = object()
#: the chunks a stopped pass read (fit's look), by iterator: held as long as the iterator is
_PEEKS: weakref.WeakKeyDictionary[Any, list[Any]] = weakref.WeakKeyDictionary()
#: the same for the latest iterator that cannot be weakly referenced (iter(list), zip, map)
_PEEK: list[Any] = [None, []]  # [the iterator, its chunks]


def _held(it: Any) -> list[Any]:
    """The chunks a stopped pass over ``it`` read (a list kept for ``it``, empty at first)."""
    try:
        return _PEEKS.setdefault(it, [])
    except TypeError:  # not weakly referable: the latest such iterator's chunks are kept
        if _PEEK[0] is not it:
            _PEEK[:] = [it, []]
        return _PEEK[1]


def _forget(it: Any) -> None:
    try:
        _PEEKS.pop(it, None)
    except TypeError:
        if _PEEK[0] is it:
            _PEEK[:] = [None, []]


def _no_rows(c: Any) -> bool:
    """An empty chunk (which fit's look skips, to read the next)."""
    chunk = isinstance(c, (tuple, list)) and len(c) in (2, 3) and np.ndim(c[0]) == 2
    return chunk and not len(c[0])


@_worded
def from_arrays(
    X: Any,
    y: Any,
    sample_weight: Any = None,
    *,
    chunk_rows: int = 65_536,
    buffer_size: int = 65_536,
    caller: str = "from_arrays",
) -> Stream:
    """A stream over arrays too large for memory, typically ``numpy.memmap``s (or
    ``numpy.load(path, mmap_mode="r")``), ``chunk_rows`` rows at a time. ``caller``: as
    :func:`from_csv`'s."""
    check_number(chunk_rows, "chunk_rows", "from_arrays", low=1, integer=True)
    check_number(buffer_size, "buffer_size", "from_arrays", low=1, integer=True)
    if y is None:
        raise TypeError(
            "fit: X is a memmap, which holds no targets: pass y (an array or a memmap of as "
            "many rows), fit(model, X, y)."
        )
    if np.ndim(X) != 2:  # (chunk 0 would be refused as no (X, y) pair)
        raise ValueError(
            f"fit: X of from_arrays must be 2-D, of shape (rows, features). Got shape "
            f"{np.shape(X)}; a single feature is X.reshape(-1, 1)."
        )
    arrays = [X, y, sample_weight]
    n = len(X)
    for name, a in zip(("y", "sample_weight"), arrays[1:]):
        if a is not None and len(a) != n:
            raise ValueError(f"fit: X has {n} rows but {name} has {len(a)}; they must match.")

    def chunks() -> Iterator[Chunk]:
        for s in range(0, n, chunk_rows):
            e = min(s + chunk_rows, n)
            yield tuple(None if a is None else _read_rows(a, s, e) for a in arrays)  # type: ignore[misc]

    def labels() -> Iterator[np.ndarray]:
        for s in range(0, n, chunk_rows):
            yield _read_rows(y, s, min(s + chunk_rows, n))

    stream = Stream(chunks, buffer_size=buffer_size)
    stream.rows = n
    stream.runs_of_labels = lambda: label_runs_of(labels(), "the arrays streamed")
    return stream


def _mapping(a: np.memmap) -> tuple[Any, Any]:
    """The ``mmap.mmap`` under the memmap ``a`` (a memmap over it, or a slice of one,
    whose ``.base`` is that memmap) and the memmap whose base it is; (None, None) if none."""
    m: Any = a
    while isinstance(m, np.ndarray):
        if isinstance(m.base, mmap.mmap):
            return m.base, m if isinstance(m, np.memmap) else None
        m = m.base
    return None, None


def _read_rows(a: Any, s: int, e: int) -> np.ndarray:
    """Rows [s, e) of ``a`` as an in-memory array. A memmap's rows are read from its own
    mapping (what the array holds, even when its file was since replaced or deleted) and
    their pages then leave the process (``MADV_DONTNEED``; they would otherwise pile up in
    its RSS); a shared mapping's writes live in the file's page cache, not in those pages.
    Without madvise (Windows, where a mapped file cannot be replaced), the rows are read
    through a mapping of their own, unmapped again. A copy-on-write memmap (mode ``"c"``)
    keeps its pages: what was written to it is there."""
    base, top = _mapping(a) if isinstance(a, np.memmap) else (None, None)
    if not (top is not None and a.mode != "c" and a.flags.c_contiguous and e > s):
        return np.array(a[s:e])
    row = int(np.prod(a.shape[1:], dtype=np.int64)) * a.dtype.itemsize
    # a slice of a memmap (X[1000:]) shares its offset with the memmap over the whole
    # mapping (``top``, whose offset is its first byte's in the file): its own first byte is
    # that many bytes further
    ahead = a.ctypes.data - top.ctypes.data
    if not hasattr(mmap, "MADV_DONTNEED") and a.filename is not None:
        start = top.offset + ahead + s * row  # (the file's byte of row s)
        part = np.memmap(a.filename, a.dtype, "r", offset=start, shape=(e - s, *a.shape[1:]))
        out = np.array(part)
        del part
        return out
    out = np.array(a[s:e])
    if hasattr(mmap, "MADV_DONTNEED"):
        # numpy maps from the allocation boundary below the array's first byte (its offset)
        lo = top.offset % mmap.ALLOCATIONGRANULARITY + ahead + s * row
        hi = min(lo + (e - s) * row, len(base))
        first = lo - lo % mmap.PAGESIZE
        base.madvise(mmap.MADV_DONTNEED, first, hi - first)
    return out


@dataclass
class Columns:
    """How a table's columns become X and y, from one streaming pass.

    ``features``: the feature columns in file order, each ``"numeric"`` or
    ``"categorical"`` in ``kinds``; X has, in that order, one column per number column
    (standardized with ``mean`` and ``scale``, the population standard deviation, 1 for a
    constant column, when ``standardize``) and one 0/1 column per category of a text column
    (``categories``, sorted; an unseen one is an error; ``category_counts``: how many rows
    hold each). ``classes``: the target's sorted
    classes when it is a label (y becomes 0..C-1), else None (y as float, its mean and
    population standard deviation in ``target_moments``). The layout is
    :class:`glassnet.preprocessing.Preprocessor`'s: see :meth:`preprocessor_dict`.

    Several target columns (``target`` a list, :func:`from_csv`'s ``target=[...]``): each
    is a column of labels read as text, as written; ``classes`` holds each one's sorted
    texts, ``counts`` how many rows hold each of them (in the same order), and y is
    (rows, K), column k the index of each cell in ``classes[k]``.
    """

    target: str | list[str]
    features: list[str] = field(default_factory=list)
    kinds: dict[str, str] = field(default_factory=dict)
    categories: dict[str, list[str]] = field(default_factory=dict)
    mean: np.ndarray | None = None  # (numeric columns,)
    scale: np.ndarray | None = None
    classes: list[Any] | None = None
    target_moments: tuple[float, float] | None = None  # a number target's (mean, std)
    target_range: tuple[float, float] | None = None  # and its (lowest, highest) value
    low: np.ndarray | None = None  # (numeric columns,) each one's lowest value in the file
    high: np.ndarray | None = None  # (numeric columns,) and its highest
    rows: int = 0
    counts: list[list[int]] | None = None  # several targets: each one's rows per class
    # each text column's rows per category (in the order of ``categories``)
    category_counts: dict[str, list[int]] = field(default_factory=dict)
    # a single target of class labels: its rows per class (in the order of ``classes``),
    # (a number target of 0s and 1s read by its type, labels=None as for binary
    # cross-entropy: its rows of 0.0 and of 1.0, ``classes`` staying None), and its runs in
    # file order (rows of one class in a row: 1 + its changes of class; a
    # file sorted by the label has one per class, a shuffled one about rows * (1 - sum of
    # each class's share squared))
    class_counts: list[int] | None = None
    label_runs: int | None = None
    # and those runs in file order, each one's class (an index into ``classes``) and rows,
    # for the shuffle buffer's class shares (:func:`label_shares`); None for a file of more
    # than LABEL_RUNS_KEPT runs (a shuffled one, in effect)
    run_classes: np.ndarray | None = None
    run_rows: np.ndarray | None = None
    # from_csv(pandas_index=True): the lowest and highest row numbers of the unnamed first
    # column left out as pandas' row index (else None)
    index_dropped: tuple[int, int] | None = None
    # the file's columns left out, neither features nor targets: pandas' row index, which
    # a Parquet file written by DataFrame.to_parquet lists in its metadata (a filtered or
    # sorted frame's '__index_level_0__', a set_index column), left out as pd.read_parquet
    # takes it for the index; and from_csv(pandas_index=True)'s unnamed first column, ''
    dropped: list[str] = field(default_factory=list)
    # the file the statistics pass read, quoted ("'train.csv'"), for the messages ('' when
    # the columns come from no file)
    source: str = ""
    # a CSV file's rows that ended in empty fields past the header's columns, which were
    # left out (a delimiter ending the line): how many rows by the number of such fields
    trailing: dict[int, int] = field(default_factory=dict)
    # a CSV file's rows whose every cell is blank (,, or cells of blanks only), skipped as
    # the in-memory reader skips them; and the lines of the file, counted where such rows
    # (or rows of another width) had it read mended, else 0 (see line_notes)
    blank: int = 0
    lines: int = 0
    # the statistics passes made over the file: one more where a pass stopped, after
    # ``stopped_at`` data rows, to read the file again mended (rows pyarrow refused, or
    # rows of blank cells: see from_csv), and one more per column of ``retyped``; else 1
    passes: int = 1
    stopped_at: int | None = None
    # the number columns a pass stopped in, and the line of the cell it stopped at, a cell
    # pyarrow refuses and the in-memory reader reads (7\xa0, a digit of another script), to
    # read the file again with the column read as text, then as numbers by float()
    retyped: dict[str, int | str] = field(default_factory=dict)

    @property
    def line_notes(self) -> str:
        """How the file's lines became its rows, as the in-memory reader's ``line_notes``
        says it (``"600 rows from 604 lines (1 header, 3 blank)"``: blank lines and rows of
        blank cells, over the whole file), where the lines were counted (a file read
        mended: rows of blank cells, or of another width than the header's); else ''."""
        if not self.lines:
            return ""
        return line_notes_text(self.rows, self.lines, self.lines - 1 - self.rows)

    @property
    def targets(self) -> list[str]:
        """The target columns: ``[target]``, or the several ones."""
        return [self.target] if isinstance(self.target, str) else list(self.target)

    @property
    def numeric(self) -> list[str]:
        return [c for c in self.features if self.kinds[c] == "numeric"]

    @property
    def feature_names(self) -> list[str]:
        """X's columns: ``name`` or ``name=category``."""
        return [
            n
            for c in self.features
            for n in (
                [c] if self.kinds[c] == "numeric" else [f"{c}={v}" for v in self.categories[c]]
            )
        ]

    def __repr__(self) -> str:
        k = f", classes={len(self.classes)}" if self.classes is not None else ""
        return (  # (counts: features, the columns of .features; inputs, the encoded widths)
            f"Columns(target={self.target!r}, rows={self.rows}, features={len(self.features)}, "
            f"inputs={len(self.feature_names)}, standardized={self.mean is not None}{k})"
        )

    def preprocessor_dict(self) -> dict[str, Any]:
        """These statistics as ``glassnet.preprocessing.Preprocessor.to_dict()`` writes them
        (``Preprocessor.from_dict`` rebuilds it: a model file's preprocessing)."""
        num, cat = self.numeric, [c for c in self.features if self.kinds[c] != "numeric"]
        mean = self.mean if self.mean is not None else np.zeros(len(num))
        scale = self.scale if self.scale is not None else np.ones(len(num))
        return {
            "type": "Preprocessor",
            "columns": list(self.features),
            "kinds": [self.kinds[c] for c in self.features],
            "scaler": {
                "type": "StandardScaler",
                "mean": [float(v) for v in mean],
                "scale": [float(v) for v in scale],
            }
            if num
            else None,  # fmt: skip
            "encoder": {
                "type": "OneHotEncoder",
                "names": cat,
                "categories": [[str(v) for v in self.categories[c]] for c in cat],
            }
            if cat
            else None,  # fmt: skip
        }

    def transform(self, batch: Any, dtype: Any = np.float32) -> tuple[np.ndarray, np.ndarray]:
        """A pyarrow RecordBatch/Table to (X, y): X in ``dtype``; y the class codes, or a
        number target as the file holds it, in float64 (checked to fit in ``dtype``), so
        that scaling it (the command line's) rounds once, as in memory.

        The rows of another file (a validation file) go through the training file's
        statistics: its means and scales, categories and classes. A pandas DataFrame is
        converted with ``pyarrow.Table.from_pandas`` (its index left out). The table needs
        every feature column and the target (for rows without a target, to predict on:
        ``glassnet.preprocessing.Preprocessor.from_dict(columns.preprocessor_dict())``).
        ``dtype`` None is the default, float32, even where ``glassnet.set_default_dtype`` makes
        the layers' another. A cell that cannot be transformed (a category or
        class the training file did not hold: it has no one-hot column or class code; an empty cell;
        a number that is not finite) is a ``ValueError`` naming its row (0-based), column and value.
        A target of bools (true/false in a CSV, ``df.y.astype(bool)``) where the training file's
        classes are the numbers 0 and 1 is read as 1 and 0, as a bool feature is; against other
        number classes it is a ``ValueError``.
        """
        dtype = _float_dtype(dtype, "Columns.transform")
        table = self._table(batch)
        try:
            return self._transform(table, dtype)
        except _BadCell as e:
            raise ValueError(self._bad_cell_text(e)) from None

    def _table(self, batch: Any) -> Any:
        """``batch`` as a pyarrow Table or RecordBatch with the columns :meth:`transform`
        reads, each of a type it can read; a DataFrame converted; else an error."""
        pa = _pyarrow()
        if type(batch).__module__.split(".")[0] == "pandas" and hasattr(batch, "columns"):
            try:
                batch = pa.Table.from_pandas(batch, preserve_index=False)
            except (pa.ArrowInvalid, pa.ArrowTypeError, pa.ArrowNotImplementedError) as e:
                raise TypeError(
                    f"Columns.transform: pyarrow.Table.from_pandas could not convert the "
                    f"DataFrame ({e}); give each column one type (numbers, or text), or "
                    "pass a pyarrow table (pyarrow.csv.read_csv(path))."
                ) from None
        if not isinstance(batch, (pa.Table, pa.RecordBatch)):
            raise TypeError(
                f"Columns.transform takes a pyarrow Table or RecordBatch (such as "
                f"pyarrow.csv.read_csv('val.csv') or pyarrow.parquet.read_table(path)) or a "
                f"pandas DataFrame (a polars one: its .to_arrow()). Got "
                f"{type(batch).__name__}"
                + (f" of shape {batch.shape}." if hasattr(batch, "shape") else f" {batch!r:.60}.")
            )
        names = batch.schema.names
        where = f" of the training file {self.source}" if self.source else ""
        training = f"the training file {self.source}" if self.source else "the training data"
        for name in [*self.features, *self.targets]:
            role = (
                "the target" if name in self.targets
                else "a number feature" if self.kinds[name] == "numeric"
                else "a feature of categories"
            )  # fmt: skip
            if name not in names:
                close = difflib.get_close_matches(name, names, n=1)
                extra = (
                    " (rows without a target, to predict on: glassnet.preprocessing."
                    "Preprocessor.from_dict(columns.preprocessor_dict()) transforms their "
                    "features)" if name in self.targets else ""
                )  # fmt: skip
                raise ValueError(
                    f"Columns.transform: the table has no column {name!r}, {role}{where}; its "
                    f"columns are {names!r:.300}."
                    + (f" Did you mean {close[0]!r}?" if close else "")
                    + f" Give the table every column the stream was trained on{extra}."
                )
            t = batch.schema.field(name).type
            text = _text_type(pa, t)
            if self.kinds.get(name) == "numeric" or (name in self.targets and not self._labels):
                if text:
                    raise ValueError(
                        f"Columns.transform: column {name!r} of the table holds text ({t}), "
                        f"where in {training} it holds numbers ({role}); give it numbers."
                    )
                continue
            cats = self._categories_of(name)
            want_text = bool(cats) and isinstance(cats[0], str)
            if pa.types.is_boolean(t) and cats and not want_text and name in self.targets:
                if any(isinstance(c, (bool, np.bool_)) for c in cats):
                    continue  # (bool classes: as the training file held them)
                if sorted(cats) != [0, 1]:
                    raise ValueError(
                        f"Columns.transform: column {name!r} of the table holds bool ({t}), "
                        f"where in {training} it holds numbers ({role}: {cats[:5]!r:.80}); "
                        f"give it the numbers of those classes."
                    )
                # true and false against classes 0 and 1: as 1 and 0 (as a bool feature is
                # read), df.y.astype(bool) or a CSV's true/false of a 0/1 target
                if isinstance(batch, pa.RecordBatch):
                    batch = pa.Table.from_batches([batch])
                i = batch.schema.get_field_index(name)
                batch = batch.set_column(i, name, batch.column(name).cast(pa.array(cats).type))
                continue
            if text != want_text:
                given = f"text ({t})" if text else f"numbers ({t})"
                want = "text" if want_text else "numbers"
                raise ValueError(
                    f"Columns.transform: column {name!r} of the table holds {given}, where "
                    f"in {training} it holds {want} ({role}: {cats[:5]!r:.80}); read it as "
                    f"{want}" + (
                        f" (pyarrow.csv.read_csv(path, convert_options=pyarrow.csv."
                        f"ConvertOptions(column_types={{{name!r}: pyarrow.string()}})))."
                        if want_text else "."
                    )
                )  # fmt: skip
        return batch

    @property
    def _labels(self) -> bool:
        return self.classes is not None

    def _categories_of(self, name: str) -> list[Any]:
        """A text column's categories, or a target's classes."""
        if name not in self.targets:
            return self.categories[name]
        assert self.classes is not None
        if isinstance(self.target, str):
            return self.classes
        return self.classes[self.targets.index(name)]

    def _bad_cell_text(self, e: _BadCell) -> str:
        """:meth:`transform`'s message for a cell it cannot use: its row, column, what it
        holds, and, a category or class unseen, that the training file did not hold it."""
        place = f"Columns.transform: row {e.row} (0-based) of the table: column {e.column!r}"
        training = f"the training file {self.source}" if self.source else "the training data"
        if e.unseen is _NONE:
            return f"{place} {e.what}; {e.todo}"
        cats = self._categories_of(e.column)
        what, whats = ("class", "classes") if e.column in self.targets else (
            "category", "categories")  # fmt: skip
        return (
            f"{place} holds {e.unseen!r}, a {what} that was not in {training} (its "
            f"{whats}: {cats!r:.200}), so it has no "
            + ("class code" if what == "class" else "one-hot column")
            + ": drop the rows that hold it, or train on a file that holds it too."
        )

    def _transform(self, batch: Any, dtype: Any = np.float32) -> tuple[np.ndarray, np.ndarray]:
        """:meth:`transform` of a table of the columns it needs; a cell it cannot use, a
        :class:`_BadCell` (the stream's epochs name the file's line)."""
        X = np.zeros((batch.num_rows, len(self.feature_names)), dtype)
        j = k = 0
        for name in self.features:
            if self.kinds[name] == "numeric":
                x = _numbers(batch, name)
                # standardized in float64, then cast, as Preprocessor.transform does (cast
                # first, a column 1e6 + 0.01 z kept nothing of z in float32)
                with np.errstate(over="ignore"):
                    X[:, j] = x if self.mean is None else (x - self.mean[k]) / self.scale[k]
                _in_range(X[:, j], x, name)
                j, k = j + 1, k + 1
            else:
                cats = self.categories[name]
                X[np.arange(batch.num_rows), j + _codes(batch.column(name), cats, name)] = 1
                j += len(cats)
        if not isinstance(self.target, str):  # several label columns: (rows, K) codes
            assert self.classes is not None
            y = np.stack(
                [_codes(batch.column(t), c, t) for t, c in zip(self.target, self.classes)], axis=1
            )
        elif self.classes is not None:
            y = _codes(batch.column(self.target), self.classes, self.target)
        else:
            y = _numbers(batch, self.target)
            with np.errstate(over="ignore"):
                _in_range(y.astype(dtype), y, self.target)
        return X, y


def _in_range(cast: np.ndarray, x: np.ndarray, name: str) -> None:
    """A number that became inf in ``cast`` (float32: beyond 3.4e38) is an error."""
    bad = ~np.isfinite(cast)
    if bad.any():
        row = int(np.argmax(bad))
        raise _BadCell(
            name, row, f"holds {x[row]:g}, beyond {cast.dtype.name}'s range",
            "scale the column down, or train in float64 (dtype=np.float64).",
        )  # fmt: skip


_NONE = object()


def _text_type(pa: Any, t: Any) -> bool:
    """Whether the pyarrow type ``t`` holds text (a dictionary: its values)."""
    if pa.types.is_dictionary(t):
        t = t.value_type
    return bool(pa.types.is_string(t) or pa.types.is_large_string(t))


class _BadCell(ValueError):
    """A cell of a record batch that training cannot use: its column, its row in the batch
    (the file's readers name the file and line), what it holds and what to do; ``unseen``:
    a category or class that the statistics pass did not find, the value."""

    def __init__(
        self, column: str, row: int, what: str, todo: str, shown: str | None = None,
        unseen: Any = _NONE,
    ) -> None:  # fmt: skip
        self.column, self.row, self.what, self.todo = column, row, what, todo
        self.shown = shown  # (the value as ``what`` prints it, "holds inf": the cell's text)
        self.unseen = unseen
        super().__init__(f"fit: column {column!r} {what} (row {row + 1} of a chunk); {todo}")


_EMPTY = "a stream trains on complete rows: fill or drop the empty values first."


def _no_empty(col: Any, name: str) -> None:
    if col.null_count:
        row = int(np.argmax(col.is_null().to_numpy(zero_copy_only=False)))
        raise _BadCell(name, row, "has a missing value (an empty cell, NA, NaN, ...)", _EMPTY)


def _numbers(batch: Any, name: str) -> np.ndarray:
    col = batch.column(name)
    _no_empty(col, name)
    x = col.to_numpy(zero_copy_only=False).astype(np.float64, copy=False)
    bad = ~np.isfinite(x)
    if bad.any():
        row = int(np.argmax(bad))
        todo = "replace or drop the non-finite values first."
        if np.isinf(x[row]):  # (pyarrow reads a number beyond float64's range as inf too)
            todo = (
                "replace or drop the non-finite values first (a number beyond float64's "
                "range, such as 1e400, reads as inf too: check the value, or scale it down)."
            )
        raise _BadCell(name, row, f"holds {x[row]}", todo, shown=str(x[row]))
    return x


def _codes(col: Any, cats: list[Any], name: str) -> np.ndarray:
    """Each value's index in ``cats``; a value outside them is an error."""
    import pyarrow as pa
    import pyarrow.compute as pc

    _no_empty(col, name)
    if pa.types.is_dictionary(col.type):  # a pandas category column in Parquet: its values
        col = col.cast(col.type.value_type)
    col = _signless(col)
    idx = pc.index_in(col, value_set=pa.array(cats, type=col.type))
    if idx.null_count:
        row = int(np.argmax(idx.is_null().to_numpy(zero_copy_only=False)))
        raise _BadCell(
            name, row, f"holds {col[row].as_py()!r}, which the statistics pass did not see",
            "the file changed while fit read it; train on a file that stays as it is.",
            unseen=col[row].as_py(),
        )  # fmt: skip
    return idx.to_numpy(zero_copy_only=False).astype(np.intp)


def _signless(col: Any) -> Any:
    """A float column with each -0.0 read as 0.0 (one class value, as ``np.unique`` and
    Python's ``==`` take them; pyarrow's hashing keeps them apart); another column as it is.
    """
    import pyarrow as pa
    import pyarrow.compute as pc

    if pa.types.is_floating(col.type):
        return pc.add(col, pa.scalar(0.0, col.type))  # (-0.0 + 0.0 is 0.0)
    return col


def _table_args(
    caller: str, target: Any, standardize: Any, labels: Any, dtype: Any, several: bool = False
) -> Any:
    """A file stream's arguments checked before the file is read: "no" is no bool (it
    was true), an int dtype truncated standardized values, a target is a column's name
    (or, where ``several`` may be, a non-empty list of names, each once, of labels).
    Returns ``dtype``, None read as float32."""
    names = several and isinstance(target, list | tuple) and len(target) > 0
    if names and all(isinstance(t, str) for t in target) and len(set(target)) == len(target):
        if labels is False:
            raise ValueError(
                f"The 'labels' parameter of {caller} is False, but several target columns "
                f"({list(target)!r:.80}) are read as labels only: give labels=True (or None), "
                f"or one target column."
            )
    elif not isinstance(target, str):
        alone = "the target column's name (a str)"
        want = f"{alone}, or a list of label columns' names, each once" if several else alone
        raise TypeError(
            f"The 'target' parameter of {caller} must be {want}. Got "
            f"{type(target).__name__} {target!r:.60}."
        )
    check_bool(standardize, "standardize", caller)
    if labels is not None:
        check_bool(labels, "labels", caller)
    return _float_dtype(dtype, caller)  # (None: float32)


def _float_dtype(dtype: Any, caller: str) -> Any:
    """``dtype`` if a floating NumPy dtype (None: float32, the readers' own default, whatever
    ``set_default_dtype`` makes the layers' default; NumPy would read None as float64), else
    an error naming ``caller``'s argument."""
    if dtype is None:
        return np.float32
    try:
        kind = np.dtype(dtype).kind
    except TypeError:
        kind = None
    if kind != "f":
        raise TypeError(
            f"The 'dtype' parameter of {caller} must be a floating dtype such as np.float32 "
            f"or np.float64. Got {dtype!r:.60}."
        )
    return dtype


def _pyarrow() -> Any:
    try:
        import pyarrow
    except ImportError as e:
        raise ImportError(
            'Reading CSV and Parquet files in chunks needs pyarrow: pip install "glassnet[stream]"'
        ) from e
    return pyarrow


def _table_stream(
    batches: Callable[[], Iterator[Any]],
    target: str | list[str],
    *,
    standardize: bool,
    labels: bool | None,
    buffer_size: int,
    dtype: Any,
    where: Callable[[int], str],
    decimal: str | None = None,
    missing: frozenset[str] | None = None,
    written: Callable[[int, str], str | None] | None = None,
    index: str | None = None,
    categorical: frozenset[str] = frozenset(),
    dropped: frozenset[str] = frozenset(),
    row_note: Callable[[int], str] | None = None,
) -> Stream:
    """The statistics pass over ``batches()`` (record batches), then the stream.
    ``where(row)``: the file and place of data row ``row`` (0-based; -1: the file), for the
    errors. ``decimal``: a CSV file's decimal mark, whose text columns are checked to hold
    text, not numbers with a few cells of text (:func:`_text_among_numbers`); None: not
    checked (a Parquet file's columns are typed by its writer). ``missing``: the CSV
    file's texts read as missing cells (from_csv's ``missing``; None: the defaults).
    ``written(row, column)``: a CSV file's cell as written, for an error that quotes it.
    ``index``: the column that holds pandas' row index (from_csv's ``pandas_index``), left
    out of the features, and checked to hold row numbers in order (:func:`_row_numbers`).
    ``categorical``: the columns read as text by request (from_csv's ``categorical``), not
    checked to hold numbers. ``dropped``: columns left out unchecked (a Parquet file's
    pandas index columns), unless one is the target. ``row_note(row)``: a sentence ending
    the error of a cell of data row ``row``, saying how ``where`` counts the rows."""
    pa = _pyarrow()
    cols: Columns | None = None
    count, mean, m2 = 0, None, None  # (mean and M2 in units of scale, a power of two)
    scale = None  # each column's power of two near its largest |x| so far (as StandardScaler)
    low, high = None, None  # each number column's extremes (a constant one: low == high)
    cats: dict[str, Counter] = {}  # each text column's rows per category
    classes: set = set()
    several = not isinstance(target, str)  # label columns, each counted value by value
    targets = list(target) if several else [target]
    tallies: dict[str, Counter] = {t: Counter() for t in targets} if several else {}
    label_tally: Counter = Counter()  # (a single label target: its rows per class)
    runs, last = 0, None  # (its runs of one class, and the last row's label)
    run_values: list | None = []  # (each run's label and rows, up to LABEL_RUNS_KEPT runs,
    run_rows: list[np.ndarray] = []  # block by block)
    numbered: float | None = math.nan  # pandas' index: its first number (None: not one)
    # a float target read as numbers by its type (labels=None: binary cross-entropy's
    # targets), its runs counted too while it holds 0s and 1s only (hard 0/1 targets)
    zero_one, ones = labels is None and not several, 0
    with _closing(batches()) as source:  # (an error's traceback keeps no file open)
        for b in source:
            if cols is None:
                names = b.schema.names
                _unique(names, where(-1))
                absent = [t for t in targets if t not in names]
                if absent:
                    close = difflib.get_close_matches(absent[0], names, n=1)
                    raise ValueError(
                        f"fit: the target column {absent[0]!r} is not in {where(-1)}; its "
                        f"columns are {names}." + (f" Did you mean {close[0]!r}?" if close else "")
                    )
                left = [n for n in names if n not in targets and (n == index or n in dropped)]
                text = [
                    n
                    for n, t in zip(names, b.schema.types)
                    if pa.types.is_string(t)
                    or pa.types.is_large_string(t)
                    or pa.types.is_dictionary(t)
                ]
                odd = [
                    (n, t)
                    for n, t in zip(names, b.schema.types)
                    if n not in text
                    and n not in left
                    and not any(
                        is_type(t)
                        for is_type in (
                            pa.types.is_integer,
                            pa.types.is_floating,
                            pa.types.is_boolean,
                            pa.types.is_null,
                        )
                    )
                ]
                if odd:  # a timestamp would train as nanoseconds since 1970, a list not at all
                    raise ValueError(
                        f"fit: column {odd[0][0]!r} of {where(-1)} is of type {odd[0][1]}; fit "
                        "trains on numbers (int, float, bool) and text (one-hot encoded). "
                        "Convert it first: a date or time to numbers (e.g. seconds since a "
                        "date, or its year, month and day) or to text, a decimal to float64."
                    )
                feats = [n for n in names if n not in targets and n not in left]
                kinds = {n: "categorical" if n in text else "numeric" for n in feats}
                cols = Columns(target, feats, kinds, dropped=left, source=where(-1))
                cats = {n: Counter() for n in feats if n in text}
                if several:
                    labels = True
                elif labels is None:
                    t = b.schema.field(target).type
                    labels = not pa.types.is_floating(t)
                elif not labels and target in text:
                    first = b.column(target)[0].as_py()
                    raise ValueError(
                        f"fit: the target column {target!r} holds text ({first!r:.40}, ...) "
                        "and the loss trains on numbers; for class labels use a cross-entropy "
                        "loss, else give the column numbers."
                    )
                zero_one = zero_one and not labels
            m = b.num_rows
            if not m:
                continue
            moments = cols.numeric + ([] if labels else [target])  # a number target's too
            try:
                x = np.column_stack([_numbers(b, n) for n in moments]) if moments else None
                for n in [*cats, *(targets if labels else [])]:
                    _no_empty(b.column(n), n)
            except _BadCell as e:
                row = count + e.row
                raise _placed(
                    e, where(row), _cell_at(written, row), row_note(row) if row_note else ""
                ) from None
            if x is not None:  # Chan et al.: merge this chunk's mean and M2 into the running ones
                # in units of a power of two near each column's largest |x| so far, so that
                # values near float64's limit (1e300) do not overflow the sums of squares, as
                # StandardScaler.fit divides them (a larger unit later rescales the moments
                # kept, exactly: a power of two)
                with np.errstate(over="ignore", invalid="ignore"):  # beyond 1e308: checked below
                    top = np.max(np.abs(x), axis=0)
                    top = np.where((top > 0) & np.isfinite(top), top, 1.0)
                    p = np.ldexp(1.0, np.frexp(top)[1] - 1)  # (columns,) top / 2 < p <= top
                    if scale is not None:
                        p = np.maximum(p, scale)
                        ratio = scale / p  # (columns,) powers of two, at most 1
                        mean, m2 = mean * ratio, m2 * ratio**2
                    scale = p
                    u = x / p  # (m, columns) |u| < 2, exact
                    mu = u.mean(axis=0)
                    d2 = ((u - mu) ** 2).sum(axis=0)
                    if mean is None:
                        mean, m2 = mu, d2
                    else:
                        delta = mu - mean
                        mean = mean + delta * m / (count + m)
                        m2 = m2 + d2 + delta**2 * count * m / (count + m)
                lo, hi = x.min(axis=0), x.max(axis=0)
                low = lo if low is None else np.minimum(low, lo)
                high = hi if high is None else np.maximum(high, hi)
            if index is not None and numbered is not None:
                numbered = _row_numbers(b.column(index), numbered, count)
            count += m
            if zero_one:
                assert x is not None
                zero_one = bool(np.all((x[:, -1] == 0) | (x[:, -1] == 1)))
                ones += int(np.count_nonzero(x[:, -1] == 1))
            if (labels and not several) or zero_one:
                col = _signless(b.column(target))
                classes.update(col.unique().to_pylist())
                counted = col.value_counts()  # (values, counts)
                values, counts = counted.field("values"), counted.field("counts")
                label_tally.update(dict(zip(values.to_pylist(), counts.to_pylist())))
                started = _label_starts(col, last)
                if run_values is not None and runs + len(started) > LABEL_RUNS_KEPT:
                    run_values = None  # (a shuffled file, in effect: its runs not kept)
                if run_values is not None:
                    ends = np.append(started, m)
                    if ends[0]:  # (the last block's run goes on)
                        run_rows[-1][-1] += ends[0]
                    if len(started):
                        run_values.append(col.take(pa.array(started)))
                        run_rows.append(np.diff(ends).astype(np.int64))
                runs, last = runs + len(started), col[m - 1].as_py()
            for n, tally in {**cats, **tallies}.items():
                counted = _signless(b.column(n)).value_counts()  # (values, counts)
                values, counts = counted.field("values"), counted.field("counts")
                tally.update(dict(zip(values.to_pylist(), counts.to_pylist())))
    if cols is None or count == 0:
        raise ValueError(f"fit: {where(-1)} has no rows to train on.")
    sd = None  # (numeric columns,) each one's population standard deviation
    if mean is not None:  # in the columns' units again (a variance's would overflow)
        with np.errstate(over="ignore", invalid="ignore"):
            mean, sd = mean * scale, np.sqrt(m2 / count) * scale
    cols.rows = count
    if index is not None:
        if numbered is None or math.isnan(numbered):
            raise ValueError(
                f"fit: the first column of {where(-1)} has no name in the header row, and its "
                "cells are not the row numbers that pandas' to_csv writes for its index, in "
                "order (0, 1, 2, ...): name the column in the header row, or delete it (a "
                "frame written with to_csv(index=False) has none); the in-memory reader, "
                "glassnet.datasets.read_csv(path, target, pandas_index=True), takes a shuffled "
                "frame's index, its numbers in any order."
            )
        cols.index_dropped = (int(numbered), int(numbered) + count - 1)
    cols.categories = {n: sorted(s) for n, s in cats.items()}
    cols.category_counts = {n: [cats[n][v] for v in c] for n, c in cols.categories.items()}
    cols.classes = sorted(classes) if labels else None
    if labels and not several:
        cols.class_counts = [label_tally[c] for c in cols.classes]
        cols.label_runs = runs
    if zero_one and 0 < ones < count:  # (runs of 0.0 and 1.0, for the warning)
        cols.class_counts = [count - ones, ones]
        cols.label_runs = runs
    if cols.class_counts is not None and run_values is not None:
        values = pa.chunked_array(run_values).combine_chunks()
        if pa.types.is_dictionary(values.type):  # (a pandas category column: its values)
            values = values.cast(values.type.value_type)
        import pyarrow.compute as pc

        known = cols.classes or [0.0, 1.0]
        idx = pc.index_in(values, value_set=pa.array(known, type=values.type))
        if idx.null_count:  # (-0.0 beside 0.0: as Python compares them)
            code = {c: i for i, c in enumerate(known)}
            idx = pa.array([code[v] for v in values.to_pylist()])
        cols.run_classes = idx.to_numpy(zero_copy_only=False).astype(np.intp)
        cols.run_rows = np.concatenate(run_rows)
    if decimal is not None:
        _text_among_numbers(
            cols, decimal, batches, where, missing_tokens(missing), categorical=categorical
        )
    if labels and not several and len(cols.classes) < 2:  # (as the command line refuses it)
        raise ColumnsRefused(
            f"fit: the target column {target!r} of {where(-1)} has a single class "
            f"({cols.classes[0]!r}) in its {count} rows: a classifier needs at least two "
            "classes. Train on rows of every class (is the file a part of the data, sorted "
            "by the target?).",
            cols,
        )
    if several:
        cols.classes = [sorted(tallies[t]) for t in targets]
        cols.counts = [[tallies[t][v] for v in c] for t, c in zip(targets, cols.classes)]
    if not labels:  # the target's moments, last (for scaling y, as the command line does)
        cols.target_moments = (float(mean[-1]), float(sd[-1]))
        cols.target_range = (float(low[-1]), float(high[-1]))
        mean, sd = (mean[:-1], sd[:-1]) if len(mean) > 1 else (None, None)
        low, high = (low[:-1], high[:-1]) if len(low) > 1 else (None, None)
    cols.low, cols.high = low, high
    if standardize and mean is not None:
        std = sd
        bad = ~(np.isfinite(std) & np.isfinite(mean))
        if bad.any():  # (as StandardScaler.fit refuses it in memory)
            name = cols.numeric[int(np.argmax(bad))]
            raise ValueError(
                f"fit: column {name!r} has values too large to standardize (they span more "
                "than float64's range, 1.8e308); scale the column down first."
            )
        # a constant column (low == high) has std 0 up to rounding: scale 1 (StandardScaler's
        # rule, with its rounding relative to the column's largest |x|, not to 1: a column of
        # values near 1e-20 that vary is scaled like any other)
        top = np.maximum(np.abs(low), np.abs(high))  # (numeric columns,) the largest |x|
        top = np.where((top > 0) & np.isfinite(top), top, 1.0)
        tiny = 10 * np.finfo(np.float64).eps * top
        cols.mean, cols.scale = mean, np.where((std < tiny) | (low == high), 1.0, std)

    def chunks() -> Iterator[tuple[np.ndarray, np.ndarray]]:
        start = 0
        with _closing(batches()) as source:
            for b in source:
                if not b.num_rows:
                    continue
                try:
                    chunk = cols._transform(b, dtype)
                except _BadCell as e:
                    row = start + e.row
                    raise _placed(
                        e, where(row), _cell_at(written, row), row_note(row) if row_note else ""
                    ) from None
                start += b.num_rows
                yield chunk

    out = Stream(chunks, buffer_size=buffer_size, columns=cols)
    out.where, out.rows = where, cols.rows
    return out


def _row_numbers(col: Any, first: float, start: int) -> float | None:
    """The first of the row numbers that column ``col`` (a record batch's, rows ``start``
    on) holds, pandas' index in order (``first`` NaN: the file's first block, its own
    first number), as whole numbers going up by one from row to row; None where they are
    not."""
    import pyarrow as pa

    if col.null_count or not (pa.types.is_integer(col.type) or pa.types.is_floating(col.type)):
        return None
    x = col.to_numpy(zero_copy_only=False).astype(np.float64, copy=False)
    if not x.size:
        return first
    first = float(x[0]) if math.isnan(first) else first
    if first < 0 or first != round(first):
        return None
    want = first + start + np.arange(x.size, dtype=np.float64)
    return first if np.array_equal(x, want) else None


def _label_starts(col: Any, last: Any) -> np.ndarray:
    """The rows (0-based, in order) of ``col`` (a record batch's column, no missing cell)
    that start a run of one value, the row before it holding ``last`` (None: the file's
    first row)."""
    import pyarrow.compute as pc

    m = len(col)
    changed = (
        np.flatnonzero(
            pc.not_equal(col.slice(1), col.slice(0, m - 1)).to_numpy(zero_copy_only=False)
        )
        + 1
        if m > 1
        else np.empty(0, np.intp)
    )  # fmt: skip
    first = last is None or col[0].as_py() != last
    return np.concatenate([[0], changed]).astype(np.intp) if first else changed


def _cell_at(
    written: Callable[[int, str], str | None] | None, row: int
) -> Callable[[str], str | None] | None:
    """``written`` of data row ``row``: a column's cell there, as written."""
    return None if written is None else functools.partial(written, row)


class ColumnsRefused(ValueError):
    """A statistics pass's refusal of what it found in a whole file (a column of numbers
    with text in it, a target of one class): ``columns``, the :class:`Columns` it collected,
    for a caller that words the refusal its own way (the command line)."""

    def __init__(
        self,
        message: str,
        columns: Columns,
        place: str | None = None,
        column: str | None = None,
        cell: str | None = None,
    ) -> None:
        super().__init__(message)
        self.columns = columns
        #: where the refused cell is ("'data.csv' line 42"), its column and the cell, when
        #: the refusal names a cell
        self.place, self.column, self.cell = place, column, cell


#: The error values of spreadsheet formulas, as Excel, LibreOffice and Google Sheets export
#: them into a CSV file's cells (upper case).
SHEET_ERRORS = frozenset(
    {"#DIV/0!", "#VALUE!", "#REF!", "#NAME?", "#NUM!", "#NULL!", "#N/A", "#SPILL!", "#CALC!",
     "#GETTING_DATA", "#FIELD!", "#ERROR!"}
)  # fmt: skip


def sheet_errors(values: Iterable[str]) -> list[str]:
    """The distinct ``values`` that are spreadsheet formula errors (:data:`SHEET_ERRORS`:
    '#N/A', '#DIV/0!'), in order."""
    return [v for v in dict.fromkeys(values) if v.strip().upper() in SHEET_ERRORS]


#: Cell texts that stand for a missing value, beside those without letter or digit (?, -).
MISSING_WORDS = frozenset(
    {"missing", "unknown", "none", "nil", "n.a.", "#n/a", "n/d", "empty", "blank", "not available",
     "n/a", "na", "nan", "null"}  # (the last four: the default missing texts, when missing=
)  # replaces them)  # fmt: skip

#: The ISO 4217 codes of the currencies most often written beside an amount ("1686.71 EUR",
#: "USD 2990.45").
CURRENCY_CODES = (
    "USD", "EUR", "GBP", "JPY", "CHF", "CAD", "AUD", "NZD", "CNY", "HKD", "SGD", "INR", "KRW",
    "SEK", "NOK", "DKK", "PLN", "CZK", "HUF", "RUB", "TRY", "BRL", "MXN", "ZAR",
)  # fmt: skip

_AMOUNT = (
    r"[+-]?[$€£¥]?\s?[+-]?"
    r"(\d{1,3}(,\d{3})+(\.\d+)?|\d{1,3}(\.\d{3})+(,\d+)?|\d{1,3}([ \u00a0\u202f]\d{3})+([.,]\d+)?"
    r"|\d{1,3}(['\u2019_]\d{3})+(\.\d+)?|\d+,\d+|\d+(\.\d+)?)"
    r"\s?[%$€£¥]?"
)
_CODE = "(" + "|".join(CURRENCY_CODES) + ")"
# an amount that reads as money: grouped thousands or a decimal part, or a currency sign
# ("(1)", "2-" and "USD 1" stay the codes, grades and plan names they are in their columns)
_GROUPED = (
    r"(\d{1,3}(,\d{3})+(\.\d+)?|\d{1,3}(\.\d{3})+(,\d+)?|\d{1,3}([ \u00a0\u202f]\d{3})+([.,]\d+)?"
    r"|\d{1,3}(['\u2019_]\d{3})+(\.\d+)?|\d+[.,]\d+)"
)
_MONEY = rf"([$€£¥]\s?(\d+|{_GROUPED})|{_GROUPED}\s?[$€£¥]?|\d+\s?[$€£¥])"

#: A number written for people: thousands separators ("1,234.5", "1.234,5", a blank or a
#: no-break space as in "1 234,5", an apostrophe as in "1'234.50", an underscore as in
#: "1_234"), a decimal comma ("0,75"),
#: a currency sign or a percent ("$1,013", "12 €", "45%"), a currency code ("1686.71 EUR",
#: "USD 2990.45"), a negative as accountants write it, in parentheses ("(1,234.56)") or
#: with its minus sign after it ("1234.56-"); these last three of amounts that read as
#: money (grouped, with decimals or a currency sign: "(1)", "2-", "USD 1" are codes).
FORMATTED_NUMBER = re.compile(
    rf"{_AMOUNT}|(?:{_CODE}\s?)?(?:\(\s?[+-]?{_MONEY}\s?\)|[+-]?{_MONEY}-)(?:\s?{_CODE})?"
    rf"|{_CODE}\s?[+-]?{_MONEY}|[+-]?{_MONEY}\s?{_CODE}"
)


#: A number with a multiplier or a unit written after it ("5.3k", "$5.3k", "5.25M", "5.3 kg"):
#: a number written for people (:func:`people_numbers`) when a column's cells share the unit.
UNIT_NUMBER = re.compile(r"(?:[$€£¥]\s?)?[+-]?\d+(?:[.,]\d+)?\s?([A-Za-zµ]{1,3})")


def people_numbers(
    counts: dict[str, int],
    decimal: str = ".",
    missing: Iterable[str] = ("",),
    also: Callable[[str], object] | None = None,
) -> tuple[list[str], list[str]] | None:
    """The numbers written for people of a text column, and its few other texts, when the
    column is one of numbers (plain, or written for people: :data:`FORMATTED_NUMBER`, ``also``
    for the caller's other forms, or a number with a unit or a multiplier after it, "5.3k",
    "5.3 kg": :data:`UNIT_NUMBER`, when every such cell has the same unit, many distinct
    numbers (:func:`_many`: 20 at least, or 10 at least that are half the cells) and one with
    decimals, so that codes such as 12a, 64GB or 5k and categories such as 3G, 4.5G, 5G are
    not) but for at most three distinct texts ("n.v.", "TBD", "—": marks of a missing cell),
    in fewer cells than its numbers; with such texts, only with many distinct numbers (10%,
    20%, 50% and BOGO are categories) and none of the texts a list ("1,2,3": the answers of
    a multi-select question, beside "1" and "1,2"). ``counts``: each distinct cell's rows;
    ``missing``: the texts read as missing cells (lowercase). The distinct cells written for
    people and the other texts, in the order of ``counts``; None if the column is not such a
    column (no number written for people in it: text, or numbers the reader reads; a few
    categories, as above). The one test of the in-memory reader
    (:func:`glassnet.datasets.read_csv`), :func:`from_csv` and the command line."""
    gone = set(missing)
    formatted, units, texts = [], [], []
    numbers = skipped = 0
    for cell, n in counts.items():
        v = cell.strip()
        if v.lower() in gone:
            skipped += 1
            continue
        if number_value(v, decimal) is not None:
            numbers += n
        elif FORMATTED_NUMBER.fullmatch(v) or (also is not None and also(cell)):
            formatted.append(cell)
            numbers += n
        elif UNIT_NUMBER.fullmatch(v):
            units.append(cell)
        else:
            texts.append(cell)
    suffixes = {UNIT_NUMBER.fullmatch(u.strip()).group(1) for u in units}  # type: ignore[union-attr]
    distinct = len(counts) - len(texts) - len(units) - skipped  # (distinct numbers)
    if (
        len(suffixes) == 1
        and _many(distinct + len(units), numbers + sum(counts[u] for u in units))
        and any(re.search(r"[.,]\d", u) for u in units)
    ):
        formatted += units
        numbers += sum(counts[u] for u in units)
        distinct += len(units)
    else:
        texts += units
    if not formatted or len(texts) > 3 or sum(counts[t] for t in texts) >= numbers:
        return None
    if texts and (not _many(distinct, numbers) or any(_LIST.fullmatch(t) for t in texts)):
        return None  # (a few categories, "10%", "50%", "BOGO"; answers "1", "1,2", "1,2,3")
    order = {c: i for i, c in enumerate(counts)}
    return sorted(formatted, key=order.__getitem__), texts


#: A list of whole numbers, a survey's multi-select answers ("1,2,3", "2, 4"): not a number
#: with a thousands separator (whose groups have three digits).
_LIST = re.compile(r"\s*\d+(\s*[,;]\s*\d+){2,}\s*")


def _many(distinct: int, cells: int) -> bool:
    """Whether ``distinct`` distinct values in ``cells`` cells are many, as a column of
    amounts has (20 at least, or 10 at least that are half its cells or more), not a few
    categories written with a unit or a sign (3G, 4G, 5G; 10%, 20%, 50%; 2.5 kg, 5 kg)."""
    return distinct >= 20 or (distinct >= 10 and 2 * distinct >= cells)


def formatted_form(cell: str) -> str:
    """How the number written for people ``cell`` (:data:`FORMATTED_NUMBER`) is written,
    for an error that says "a number written with" it: "parentheses for its minus sign, as
    accounting writes negatives", "its minus sign after it", "a currency code", or "a
    thousands separator, a decimal comma or a currency or percent sign"."""
    text = cell.strip()
    if text.startswith("(") or text.endswith(")") or re.search(rf"\({_AMOUNT}\)", text):
        return "parentheses for its minus sign, as accounting writes negatives"
    if re.search(r"\d-(\s?[A-Z]{3})?$", text):
        return "its minus sign after it"
    if re.search(_CODE, text):
        return "a currency code"
    if UNIT_NUMBER.fullmatch(text) and not FORMATTED_NUMBER.fullmatch(text):
        return "a unit or a multiplier after it, such as k, M or kg,"
    return "a thousands separator, a decimal comma or a currency or percent sign"


def plain_example(cell: str) -> str:
    """The whole part of a plain number to show for the number written for people ``cell``:
    "-1234" for a negative as accounting writes it, "1234" for others."""
    neg = formatted_form(cell).startswith(("parentheses", "its minus")) or "-" in cell
    return "-1234" if neg else "1234"


def _missing_marker(text: str) -> bool:
    """Whether the cell ``text`` looks like a mark of a missing value: no letter or digit
    ('?', '-', '.'), or a word such as 'unknown' (:data:`MISSING_WORDS`)."""
    return not any(ch.isalnum() for ch in text) or text.strip().lower() in MISSING_WORDS


def _not_numbers(values: list[str], decimal: str) -> list[str]:
    """The texts of ``values`` that :func:`number_value` reads as no number, in order:
    ASCII cells by a regular expression of what Python's float() reads (a fourth of the
    time of float()'s refusals, for a column of 200,000 distinct names), the others (３,
    7\xa0) by float() itself."""
    match = _ascii_number(decimal).fullmatch
    return [
        v
        for v in values
        if (match(v) is None if v.isascii() else number_value(v.strip(), decimal) is None)
    ]


@functools.lru_cache(maxsize=8)
def _ascii_number(decimal: str) -> re.Pattern[str]:
    """An ASCII cell that Python's float() reads with the decimal mark ``decimal`` (blanks
    around it, a sign, digits with that mark, an exponent; inf, infinity or nan in any case;
    no '_', which :func:`number_value` refuses)."""
    d = re.escape(decimal)
    return re.compile(
        rf"\s*[+-]?(?:(?:\d+(?:{d}\d*)?|{d}\d+)(?:[eE][+-]?\d+)?|(?i:inf|infinity|nan))\s*"
    )


def _text_among_numbers(
    cols: Columns,
    decimal: str,
    batches: Callable[[], Iterator[Any]],
    where: Callable[[int], str],
    missing: frozenset[str] = frozenset({""}),
    categorical: frozenset[str] = frozenset(),
) -> None:
    """A text column of numbers, which pyarrow read as text in the file's first block, is
    an error naming the line of its first cell of text, not a column one-hot encoded with
    each number a category, as the in-memory reader decides it
    (:func:`glassnet.datasets.read_csv`): when its cells of numbers outnumber its cells of
    text (:func:`numbers_majority`, counted from ``category_counts``: a stray 'TBD',
    '#DIV/0!' or '12 kg' among 200 numbers; shoe sizes 35 ... 46 with a few S, M, L cells,
    which the in-memory reader reads as numbers unless told categorical=[name]); and, with
    two distinct numbers at least, when its other values all look like marks of a missing
    value (no letter or digit: '?', '-'; or a word such as 'unknown': the command line's
    rule, :data:`MISSING_WORDS`) or are numbers written for people ('1,234', '$5', '45%':
    :data:`FORMATTED_NUMBER`). A column of text categories some of which are numbers, in
    fewer cells than its texts (sizes S, M, L, XL in most rows, 10, 12, 14 in a few),
    stays text; so does one of a single text beside two distinct finite numbers or more
    only when told (:func:`single_text`: 'A' in most cells, 1 or 2 in the others, which
    the in-memory reader refuses too). ``missing``: the texts read as missing cells
    (from_csv's ``missing``), for the advice. ``categorical``: columns read as text by
    request (from_csv's ``categorical``), never refused."""
    for name, cats in cols.categories.items():
        if name in categorical:
            continue
        values = [str(v) for v in cats]
        text = _not_numbers(values, decimal)
        if not text:
            continue
        counts = dict(zip(values, cols.category_counts.get(name, [1] * len(values))))
        texts = set(text)
        numbers = [v for v in values if v not in texts]
        # (cells as the in-memory reader counts them: 'nan' is a missing cell, no number)
        n_numbers = sum(counts[v] for v in numbers if not math.isnan(number_value(v, decimal)))
        majority = numbers_majority(n_numbers, sum(counts[v] for v in text))
        # (one text beside two numbers or more: codes, or a mark of missing cells, refused
        # by the in-memory reader whatever the counts of cells)
        codes = not majority and single_text(text, [number_value(v, decimal) for v in numbers])
        # (numbers written for people and a few texts, "5,2" and "n.v.": the in-memory test)
        people = people_numbers(counts, decimal, missing)
        majority = majority or codes or people is not None
        if not majority and len(numbers) < 2:
            continue
        markers, formatted, others = [], [], []
        written = set(people[0]) if people is not None else set()  # (a set: one look-up a cell)
        for v in text:
            if _missing_marker(v):
                markers.append(v)
            elif FORMATTED_NUMBER.fullmatch(v.strip()) is not None or v in written:
                formatted.append(v)
            else:
                others.append(v)
                if not majority:  # (a column of names: its first name decides)
                    break
        if others and not majority:
            continue  # (a column of categories, some of them numbers: text, as in memory)
        _refuse_text_among_numbers(
            name, values, markers, formatted, others, decimal, batches, where, missing, cols
        )


def single_text(texts: list[str], numbers: Iterable[float | None]) -> bool:
    """Whether a column whose distinct values are the texts ``texts`` and the numbers
    ``numbers`` (as read; NaN, the cells read as missing, and infinities are not counted)
    holds numbers and a single text beside them, at least two distinct finite numbers ('A'
    in 323 of 400 cells, 1 or 2 in the others; 'none_given' beside 1 and 2), which the
    in-memory reader (:func:`glassnet.datasets.read_csv`) refuses whatever the counts of
    cells, unless told the column is categorical: each number would be a category of its
    own. The command line's ``train --stream`` decides alike."""
    finite = {v for v in numbers if v is not None and math.isfinite(v)}
    return len(texts) == 1 and len(finite) >= 2


def numbers_majority(numbers: int, texts: int) -> bool:
    """Whether a column whose cells are ``numbers`` cells of numbers (inf among them; not
    the cells read as missing) and ``texts`` cells of text is a column of numbers with
    stray text in it, which the in-memory reader (:func:`glassnet.datasets.read_csv`)
    refuses unless told the column is categorical: its numbers outnumber its texts, cell
    by cell ('TBD' or '#DIV/0!' once among 200 numbers; shoe sizes 35 ... 46 in most rows
    and S, M, L in a few). A column whose texts fill as many cells as its numbers or more
    (sizes S, M, L, XL, with 10 and 12 in a few rows) is a column of categories. The
    command line's ``train --stream`` decides alike."""
    return numbers > texts


def _refuse_text_among_numbers(
    name: str,
    values: list[str],
    markers: list[str],
    formatted: list[str],
    others: list[str],
    decimal: str,
    batches: Callable[[], Iterator[Any]],
    where: Callable[[int], str],
    missing: frozenset[str],
    cols: Columns,
) -> None:
    """The error of :func:`_text_among_numbers`, naming the line of the column's first cell
    of ``markers``, ``formatted`` or ``others`` (texts of neither kind). Where two
    distinct numbers or more stand beside the texts (grades K, 1 ... 12), the advice names
    ``categorical`` too."""
    import pyarrow as pa
    import pyarrow.compute as pc

    text = markers + formatted + others
    row, cell = 0, text[0]
    with _closing(batches()) as source:  # (the line of its first cell of text)
        for b in source:
            col = b.column(name)
            hit = pc.is_in(col, value_set=pa.array(text, type=col.type))
            hit = hit.to_numpy(zero_copy_only=False)
            if hit.any():
                j = int(np.argmax(hit))
                row, cell = row + j, col[j].as_py()
                break
            row += b.num_rows
    numbers = len(values) - len(text)
    head = (
        f"fit: {where(row)}: column {name!r} holds {cell!r}, and {numbers} of its "
        f"{len(values)} distinct values are numbers"
    )

    def shown(texts: list[str]) -> str:
        return ", ".join(repr(t) for t in texts[:5]) + (", ..." if len(texts) > 5 else "")

    place = where(row)
    if cell in formatted:
        raise ColumnsRefused(
            f"{head}: a column of numbers written with {formatted_form(cell)} "
            f"({shown(formatted)}) is read as text, each "
            f"number one-hot encoded as a category of its own: write every cell of the column "
            f"as a plain number such as {plain_example(cell)}{decimal}5"
            + (
                " (decimal=',' reads decimal commas such as 3,14)"
                if decimal == "." and all(re.fullmatch(r"[+-]?\d+,\d+", v) for v in formatted)
                else ""
            )
            + (
                f"; if {(markers + others)[0]!r} marks a missing value, "
                f"{_as_missing((markers + others)[0], missing, markers + others)}."
                if markers or others
                else "."
            ),
            cols,
            place,
            name,
            cell,
        )
    if cell in others:
        what = f"{len(text)} value(s) that are not numbers: {shown(others + markers)}"
        codes = markers or len(others) > 1 or numbers >= 2  # (codes: K, 1 ... 12)
        fix = _text_cell_fix(cell, name, decimal, shown(others) if codes else None)
    else:
        what = f"{len(markers)} value(s) that mark missing cells: {shown(markers)}"
        fix = "else write every cell of the column as a number."
    raise ColumnsRefused(
        f"{head}: a column of numbers with text in it ({what}) is read as text, each number "
        f"one-hot encoded as a category of its own. If {cell!r} marks a missing value, "
        f"{_as_missing(cell, missing, markers)}; {fix}",
        cols,
        place,
        name,
        cell,
    )


def _as_missing(cell: str, missing: Iterable[str], markers: Iterable[str] = ()) -> str:
    """How to read a number column's text ``cell`` (and ``markers``) as missing: the
    advice of every error of a text among numbers, the first block's and a later one's."""
    given = sorted(missing)
    given += [m for m in dict.fromkeys([*markers, cell]) if m.strip().lower() not in missing]
    return (
        f"read the file with stream.from_csv(path, target, missing={given!r}) (the texts read "
        "as missing now, and the column's), which names each row that holds one (a stream "
        "trains on complete rows: fill or drop them)"
    )


def _text_cell_fix(cell: str, name: str, decimal: str, categories: str | None) -> str:
    """What else to do with a text ``cell`` among column ``name``'s numbers: fix it, or
    (``categories``: the column's texts, shown) read the column as categories."""
    odd = "" if cell.isascii() else " (a minus sign other than '-', or a character not ASCII?)"
    fix = f"else fix the cell at that line, a plain number such as 1234{decimal}5{odd}."
    if categories is not None:
        fix += (
            f" If the column holds categories ({categories}), pass "
            f"categorical=[{name!r}] (its numbers are then categories too)."
        )
    return fix


def _unique(names: list[str], where: str) -> None:
    """A table whose columns repeat a name is an error (pyarrow cannot tell them apart)."""
    dup = sorted(n for n, k in Counter(names).items() if k > 1)
    if dup:
        raise ValueError(
            f"fit: the columns of {where} repeat the names {dup}; give every column a name of "
            "its own."
        )


def _placed(
    e: _BadCell, place: str, written: Callable[[str], str | None] | None = None, note: str = ""
) -> ValueError:
    """``e`` at ``place``; ``written(column)``: the cell's text as the file writes it (a
    CSV file's), quoted where it differs from the value read ('Infinity', not inf);
    ``note``: a sentence to end with (how ``place`` counts the rows)."""
    what = e.what
    cell = written(e.column) if written is not None and e.shown is not None else None
    if cell is not None and cell.strip() != e.shown:
        what = what.replace(f"holds {e.shown}", f"holds {cell.strip()!r}", 1)
    return ValueError(f"fit: {place}: column {e.column!r} {what}; {e.todo}{note}")


def _csv_cell(path: str, delimiter: str, row: int, column: str) -> str | None:
    """The text of data row ``row``'s (0-based, as :func:`csv_line` counts rows) cell of
    ``column`` in a CSV file, as written (read again: an error's path); None if not found."""
    for i, (_, cells, header) in enumerate(_csv_rows(path, delimiter)):
        if i == row:
            names = [h.strip() for h in header]
            if column.strip() in names and names.index(column.strip()) < len(cells):
                return cells[names.index(column.strip())]
            return None
    return None


def sniff_delimiter(sample: str, decimal: str = ".", path: Any = None) -> str | None:
    """The delimiter of the CSV text ``sample`` (a file's first 64 KiB): ``,`` ``;`` a tab
    or ``|``, as :class:`csv.Sniffer` finds it (``,`` when it finds none), never the decimal
    mark ``decimal`` (``3,14;2,5`` is split by ``;``). None when the header row (the first
    non-blank line) holds ``decimal`` and none of the others: the file's delimiter is the
    decimal mark, which cannot be. A ``.tsv`` file's (``path``) is a tab where its header
    row holds one, whatever else its cells hold (``income, EUR``).

    >>> sniff_delimiter("a;b\\n3,14;2,5\\n", decimal=","), sniff_delimiter("a,b\\n1,2\\n", ",")
    (';', None)
    """
    import csv as pycsv

    candidates = ",;\t|"
    if decimal in candidates:
        header = next((line for line in sample.splitlines() if line.strip()), "")
        candidates = candidates.replace(decimal, "")
        if decimal in header and not any(c in header for c in candidates):
            return None
    header = next((line for line in sample.splitlines() if line.strip()), "")
    if "\t" in header and Path(str(path or "")).suffix.lower() == ".tsv":
        return "\t"
    try:
        found = pycsv.Sniffer().sniff(sample, delimiters=candidates).delimiter
    except pycsv.Error:  # (rows unlike each other: the header row decides)
        found = candidates[0]
    if found not in header:  # (a '|' inside quoted cells: the header's own delimiter wins)
        found = next((c for c in candidates if c in header), found)
    return found


def gzipped(path: str | os.PathLike[str]) -> bool:
    """Whether the CSV file ``path`` is read decompressed: named .gz (in any case)."""
    return str(path).lower().endswith(".gz")


def _open_csv(path: str | os.PathLike[str], mode: str = "rb", **text: Any) -> Any:
    """The CSV file ``path`` opened for reading as :func:`from_csv` reads it: decompressed
    when it is named .gz (:func:`gzipped`), as it is else; ``mode`` ``"rb"`` or ``"r"``
    (text, ``text``: open's encoding, errors, newline)."""
    if gzipped(path):
        import gzip

        return gzip.open(path, mode if "b" in mode else "rt", **text)
    return open(path, mode, **text)


def csv_delimiter(path: str | os.PathLike[str], decimal: str = ".") -> str:
    """The delimiter :func:`from_csv` reads ``path`` with when none is given, found as the
    in-memory reader finds it: :func:`sniff_delimiter`'s from the file's first 64 Ki
    characters (a European spreadsheet's export, ``a;b;label`` with cells ``3,14``, is read
    with ``;``; so is ``id;income, EUR;label`` whatever the decimal mark); the decimal mark
    ``decimal`` where the header row holds it and no other delimiter (from_csv refuses it
    then, naming both).

    >>> import os, tempfile
    >>> folder = tempfile.TemporaryDirectory()
    >>> path = os.path.join(folder.name, "e.csv")
    >>> with open(path, "w") as f:
    ...     _ = f.write("id;income, EUR;label\\n1;3.5;yes\\n2;4.5;no\\n")
    >>> csv_delimiter(path, ","), csv_delimiter(path, ".")
    (';', ';')
    >>> folder.cleanup()
    """
    try:
        with _open_csv(path) as f:
            head = f.read(1 << 18)  # (64 Ki characters of UTF-8 at most)
    except OSError:
        return ","  # (the reader says what is wrong with the file)
    sample = head.decode("utf-8-sig", errors="replace")[:65536]
    return sniff_delimiter(sample, decimal, path) or decimal


@_worded
def from_csv(
    path: str | os.PathLike[str],
    target: str | list[str],
    *,
    standardize: bool = False,
    labels: bool | None = None,
    block_size: int = 1 << 22,
    buffer_size: int = 65_536,
    dtype: Any = np.float32,
    delimiter: str | None = None,
    missing: Iterable[str] | None = None,
    decimal: str = ".",
    pandas_index: bool = False,
    categorical: Iterable[str] | None = None,
    caller: str = "from_csv",
) -> Stream:
    """A CSV file read in blocks of ``block_size`` bytes by pyarrow's streaming reader.

    The first block's types decide the columns: numbers become features (standardized with
    ``standardize``), text columns are one-hot encoded; every later block is read with those
    types; a column of numbers with a cell that pyarrow refuses and the in-memory reader
    reads (``7\\xa0``, a non-breaking space; ``３`` or ``١٢``, digits of another script) is
    read as numbers, as in memory, by float() (:func:`script_numbers`; one more statistics
    pass when such a cell comes past the first block: ``columns.retyped``). ``labels``:
    whether the target holds class labels (default: unless its type is floating point).
    ``delimiter``: when not given, :func:`csv_delimiter`'s (the in-memory reader's:
    :func:`sniff_delimiter`'s ``,``, ``;``, tab or ``|``).
    ``missing``: the cell texts that are missing cells (errors: a stream trains on complete
    rows), matched in any case, as :func:`glassnet.datasets.read_csv` takes them; e.g.
    ``("", "?")`` makes ``?`` missing and ``NA`` an ordinary text. Default:
    :data:`MISSING_TOKENS` (empty, ``nan``, ``NA``, ``N/A``, ``null``, in any case), the
    in-memory reader's. ``decimal``: the numbers' decimal mark (``","`` reads ``3,14`` as
    3.14, as :func:`glassnet.datasets.read_csv` does), other than the delimiter. A row
    that ends in more fields than the header, the extra ones empty (``1,2,0,,``: a
    delimiter ending the line, as spreadsheets export), is read as ``read_csv`` reads it,
    those fields left out and counted in ``columns.trailing``; a row whose every cell is
    blank (``,,``, or blanks between the delimiters) is skipped, as ``read_csv`` skips
    it, and counted in ``columns.blank`` (``columns.line_notes``: the note ``read_csv``
    gives, over the whole file). Such rows have the file read again, mended as read
    (:class:`_Mended`), once one is found; a file without them is read by pyarrow alone.
    ``pandas_index``: leave out an unnamed first column (its header cell empty, every other
    column named) that holds the row numbers pandas' ``to_csv`` writes for its index, as
    :func:`glassnet.datasets.read_csv` does (``columns.index_dropped``: its lowest and
    highest numbers); the statistics pass checks that they are whole numbers that go up by
    one from row to row (0, 1, 2, ...), else the column is an error (the in-memory reader
    takes them in any order: a shuffled frame's).
    ``dtype``: X's floating dtype (default float32; None too, not NumPy's float64, nor the
    layers' default that ``glassnet.set_default_dtype`` sets).
    ``categorical``: feature columns read as text and one-hot encoded whatever their cells
    (codes such as floors G, B, 1 ... 20, or grades K, 1 ... 12, which are refused as
    numbers with text in them otherwise), as :func:`glassnet.datasets.read_csv`'s
    ``categorical`` reads them: each cell as written, the blanks around it stripped.

    ``target`` a list of column names: several label columns (a multi-label target), each
    read as text as written (the blanks around a cell stripped); y is (rows, K), column k
    each cell's index in ``columns.classes[k]`` (that column's sorted texts; how many rows
    hold each in ``columns.counts[k]``). Deciding which of them is a label's positive value
    is the caller's (``glassnet train --task multilabel --stream`` does it as in memory).

    ``caller``: the name this reader's errors begin with, those of this call and of each
    pass over the stream (from_parquet's and from_arrays' too): ``"fit"`` where
    ``fit(model, path, target)`` reads the file.
    """
    pa = _pyarrow()
    from pyarrow import csv

    check_number(block_size, "block_size", "from_csv", low=1, integer=True)
    check_number(buffer_size, "buffer_size", "from_csv", low=1, integer=True)
    dtype = _table_args("from_csv", target, standardize, labels, dtype, several=True)
    check_bool(pandas_index, "pandas_index", "from_csv")
    several = not isinstance(target, str)
    if several:
        target = list(target)
    targets = target if several else [target]
    if delimiter is not None and (
        not isinstance(delimiter, str) or len(delimiter) != 1 or delimiter in '\r\n"'
    ):
        raise ValueError(
            f"The 'delimiter' parameter of from_csv must be one character such as ',' or ';'. "
            f"Got {delimiter!r:.60}."
        )
    tokens = missing_tokens(missing, "from_csv")  # (the texts as given, for the messages)
    nulls = _NULLS if missing is None else null_values(tokens, "from_csv")
    decimal = check_decimal(decimal, "from_csv")
    path = _existing(path)
    with open(path, "rb") as f:  # (a spreadsheet's "sep=;" line: the reader's header else)
        magic = f.read(4)
        if magic == b"PAR1":  # (a Parquet file's magic bytes)
            raise ValueError(
                f"fit: '{path}' is a Parquet file, not a CSV file: read it with "
                "stream.from_parquet(path, target) (or fit(model, path, target) with a "
                ".parquet name)."
            )
        if magic[:2] == b"\x1f\x8b" and not gzipped(path):
            raise ValueError(
                f"fit: '{path}' is gzip-compressed: name it with .gz at the end (such as "
                "data.csv.gz), which the reader decompresses, or decompress it (gunzip)."
            )
        if gzipped(path) and not_gzip(path, magic):
            raise ValueError(f"fit: {not_gzip(path, magic)}.")
    with _open_csv(path) as f:
        hint = re.match(rb"(?:\xef\xbb\xbf)?\s*sep=.\s*$", f.readline(64))
    if hint:
        raise ValueError(
            f"fit: '{path}' starts with a spreadsheet's "
            f"{hint.group(0).decode('utf-8-sig').strip()!r} line, "
            "which the streaming reader would take for the header: delete that line."
        )
    delimiter = delimiter or csv_delimiter(path, decimal)
    if delimiter == decimal:
        raise ValueError(
            f"The 'decimal' parameter of from_csv is {decimal!r}, which is also the delimiter "
            f"of '{path}': the decimal mark must differ from the character between cells; "
            f"give the delimiter (such as '\\t'), or another decimal mark."
        )
    read = csv.ReadOptions(block_size=block_size)
    parse = csv.ParseOptions(delimiter=delimiter)
    # an empty cell of a text column is empty (an error), not the category ""
    convert = csv.ConvertOptions(
        null_values=sorted(nulls), strings_can_be_null=True, decimal_point=decimal
    )
    try:
        first = first_csv_block(path, delimiter, convert, block_size)
    except pa.ArrowInvalid as e:
        raise unreadable(path, delimiter, e, {}, nulls, block_size, decimal) from None
    # rows of another width than the header's that the in-memory reader takes (a delimiter
    # ending the line), and rows of blank cells: read through _Mended once pyarrow refuses
    # one (_mendable) or the statistics pass finds one (_blank_row); that pass then starts
    # over, and counts the rows cut short in ``trailing``, the rows skipped and the lines
    mend = False
    mended = _Mends()
    if first is None:
        raise ValueError(f"fit: '{path}' has no rows.")
    # the columns are named as the in-memory reader names them: without the blanks around
    # a name in the header row ("a , b"), which pyarrow keeps (pyarrow's names key types);
    # so are text cells (_stripped)
    raw = first.schema.names
    names = [n.strip() for n in raw]
    # unnamed columns at the end of the header row (a delimiter ending every line, as
    # spreadsheets write): left out, as the in-memory reader leaves them; their cells must
    # be empty (checked by the statistics pass)
    named = len(names)
    while named > 1 and not names[named - 1]:
        named -= 1
    names = names[:named]
    # pandas' row index: an unnamed first column, the others named (checked by the pass)
    index = "" if pandas_index and len(names) > 1 and not names[0] and all(names[1:]) else None
    empty = [j + 1 for j, n in enumerate(names) if not n and (j or index is None)]
    if empty == [1] and len(names) > 1:  # (pandas' to_csv of a frame with its index)
        raise ValueError(_unnamed_first_column(path, first.column(0)))
    if empty:
        raise ValueError(
            f"fit: the header row of '{path}' has no name for column(s) {empty} (counted from "
            "1): give every column a name in the first line (a delimiter at the end of each "
            "line leaves an unnamed column; remove it, or read the file in memory, which "
            "skips such columns when they are empty)."
        )
    _unique(names, f"'{path}'")
    asked = _categorical_names(categorical, names, targets, path)
    _decimal_commas(first, names, path, delimiter, decimal, [*(targets if several else []), *asked])
    # later blocks are read with the first block's types (a number column stays a number);
    # integers are read as float64 so that a column like 1, 2, 2.5 does not fail mid-file
    # (all but a target of class labels)
    as_float = {r for r, n in zip(raw, names) if n not in targets or labels is False}
    as_text = {r for r, n in zip(raw, names) if (several and n in targets) or n in asked}
    # a date or time column is text, as the in-memory reader reads it (one-hot encoded),
    # not the days or seconds since 1970 that pyarrow's date32 and timestamp hold
    types = {
        f.name: (
            pa.string()
            if f.name in as_text
            else pa.float64()
            if pa.types.is_integer(f.type) and f.name in as_float
            else pa.string()
            if pa.types.is_temporal(f.type) or j >= named
            else f.type
        )
        for j, f in enumerate(first.schema)
    }
    # a column of numbers that pyarrow types as text for a cell such as 7\xa0 (a
    # non-breaking space) or ３ (a digit of another script), which the in-memory reader reads
    # as a number (Python's float()): read as numbers, each block's cells by float()
    # (:func:`_as_numbers`); so is one whose such cell comes past the first block (pyarrow
    # refuses it: the statistics pass starts over with the column read as text, _Retype)
    as_numbers = {
        raw[j]
        for j, f in enumerate(first.schema)
        if j < named and f.name not in as_text
        if script_numbers(first.column(j), decimal, nulls) is not None
    }
    kinds = {
        n: "whole numbers" if pa.types.is_integer(t) else "numbers"
        for n, t in types.items()
        if not pa.types.is_string(t) or n in as_numbers
    }
    convert = csv.ConvertOptions(
        column_types=types, null_values=sorted(nulls), strings_can_be_null=True,
        decimal_point=decimal,
    )  # fmt: skip

    checked = False  # (the statistics pass checks every cell; the epochs read the same)
    blanks: set[int] = set()  # the text columns with cells that have blanks around them
    stopped: list[int] = []  # the data rows a statistics pass read before it stopped
    read_as: list[tuple[int, ...]] = []  # the file's stamp as the statistics pass read it
    retyped: dict[str, int | str] = {}  # the columns read again as numbers (_Retype): the line
    # of the cell pyarrow refused, found as the pass reads the file again (refused: the
    # cells not found yet, as pyarrow's error wrote them, and the rows before their block)
    refused: dict[int, tuple[str, int]] = {}

    def batches() -> Iterator[Any]:
        nonlocal checked, mended, convert
        row = 0
        mends = _Mends()  # this pass's rows mended (_Mended)
        if checked:  # every later pass (an epoch, the test rows) reads the file it read
            _unchanged(path, read_as)
        try:
            with _csv_input(path, delimiter, mends if mend else None) as f:
                for b in csv.open_csv(
                    f, read_options=read, parse_options=parse, convert_options=convert
                ):
                    if not mend and not checked and _blank_row(b, row, path, delimiter):
                        stopped.append(row)
                        raise _Mend  # (the statistics pass, read again mended)
                    if b.num_columns > named:  # (the unnamed columns at the end)
                        if not checked:
                            _unnamed_empty(b, named, row, path, delimiter)
                        b = pa.RecordBatch.from_arrays(b.columns[:named], raw[:named])
                    start = row
                    if not checked:
                        _one_line_cells(b, row, path, delimiter)
                        row += b.num_rows
                        if refused:
                            _find_refused(b, start)
                    b = _stripped(b, names, None if not checked else blanks, blanks, nulls)
                    if as_numbers:
                        b = _numbers_read(b, [raw.index(n) for n in as_numbers], start)
                    yield b
        except pa.ArrowInvalid as e:
            j = None if checked else _script_number_column(e, decimal)
            if j is not None and j < named and raw[j] not in as_numbers:
                as_numbers.add(raw[j])  # (read again, that column as text, then numbers)
                cell = _INVALID_CELL.search(str(e))
                refused[j] = (cell.group(2) if cell is not None else "", row)
                retyped[names[j]] = "?"
                kinds.setdefault(raw[j], "numbers")
                types[raw[j]] = pa.string()
                convert = csv.ConvertOptions(
                    column_types=types, null_values=sorted(nulls), strings_can_be_null=True,
                    decimal_point=decimal,
                )  # fmt: skip
                raise _Retype from None
            if not mend and not checked and _mendable(path, delimiter, e, nulls):
                stopped.append(row)
                raise _Mend from None  # (the statistics pass, read again mended)
            raise unreadable(path, delimiter, e, kinds, nulls, block_size, decimal) from None
        if not checked:
            mended = mends
            read_as.append(_stamp(path))
        else:
            _unchanged(path, read_as)
        checked = True

    def _find_refused(b: Any, start: int) -> None:
        """The line of each cell of ``refused`` that block ``b`` (its cells as written; data
        rows from ``start``) holds, into ``retyped``: as written, or without the spaces and
        tabs around it (a quoted cell "  ３", which pyarrow's message names '３')."""
        import pyarrow.compute as pc

        for j, (cell, _) in list(refused.items()):
            col = b.column(j)
            hit = pc.or_kleene(pc.equal(col, cell), pc.equal(pc.utf8_trim(col, " \t"), cell))
            hit = pc.fill_null(hit, False)
            if pc.any(hit).as_py():
                k = int(np.argmax(hit.to_numpy(zero_copy_only=False)))
                retyped[names[j]] = csv_line(path, delimiter, start + k)
                del refused[j]

    def _numbers_read(b: Any, columns: list[int], start: int) -> Any:
        """Block ``b`` with its ``columns`` (text as pyarrow read them) read as numbers as
        the in-memory reader reads them; a cell that is no number, an error naming its line
        (``start``: the block's first data row)."""
        arrays = list(b.columns)
        for j in columns:
            arrays[j], bad = _as_numbers(arrays[j], decimal, nulls)
            if bad is not None:
                cell = b.column(j)[bad].as_py().strip()
                raise ValueError(
                    f"fit: '{path}' line {csv_line(path, delimiter, start + bad)}: column "
                    f"{names[j]!r} holds {cell!r} where its first rows hold numbers; give the "
                    f"column one type throughout."
                )
            if names[j] == target and labels is not False:
                arrays[j] = _whole_labels(arrays[j], b.column(j), start)
        return pa.RecordBatch.from_arrays(arrays, b.schema.names)

    whole: list[bool] = []  # whether the target read by float() holds whole numbers (labels)

    def _whole_labels(numbers: Any, cells: Any, start: int) -> Any:
        """The target ``numbers`` (float64, read by float() for a cell such as '１' or
        '1\xa0') as int64 when they are all whole, so that its classes are the whole numbers
        of the plain file (0, 1, 2), not a regression target read from its float64 type;
        decided by the file's first block (``start`` 0) in the statistics pass, as pyarrow
        types a plain column: from its cells as written (``cells``), every filled one an
        integer ('1', '１', '1\xa0'), not from its values ('1.0', which pyarrow reads as a
        float, is a regression target's number however whole).
        A later block's number that is not whole, in a target of whole numbers, is an error
        naming its line."""
        import pyarrow.compute as pc

        try:
            whole_numbers = pc.cast(numbers, pa.int64())  # (a safe cast: whole numbers only)
        except pa.ArrowInvalid:
            whole_numbers = None
        if start == 0 and not checked:  # (a later pass counts no rows: start is 0 there)
            written = pc.match_substring_regex(
                pc.utf8_trim_whitespace(cells), r"^[+-]?\p{Nd}+$"
            )  # (an integer as written: digits of any script, blanks trimmed)
            filled = numbers.is_valid()
            integers = pc.all(pc.or_kleene(pc.invert(filled), written)).as_py() is not False
            whole[:] = [whole_numbers is not None and integers]
        if not whole[0]:  # (a regression target, or labels of numbers that are not whole)
            return numbers
        if whole_numbers is not None:
            return whole_numbers
        values = numbers.to_numpy(zero_copy_only=False)  # (missing cells: NaN)
        filled = numbers.is_valid().to_numpy(zero_copy_only=False)
        with np.errstate(invalid="ignore"):
            whole_ones = (values == np.trunc(values)) & (np.abs(values) < 2.0**63)
        bad = int(np.flatnonzero(filled & ~whole_ones)[0])
        raise ValueError(
            f"fit: '{path}' line {csv_line(path, delimiter, start + bad)}: the target column "
            f"{target!r} holds {cells[bad].as_py().strip()!r} where its first rows hold whole "
            f"numbers, read as class labels; give labels=False for a regression target, or "
            f"write every cell of the column as a class label."
        )

    def stream() -> Stream:
        return _table_stream(
            batches, target, standardize=standardize, labels=labels, buffer_size=buffer_size,
            dtype=dtype, where=lambda row: f"'{path}'" + (
                f" line {csv_line(path, delimiter, row)}" if row >= 0 else ""
            ), decimal=decimal, missing=tokens,
            written=lambda row, column: _csv_cell(path, delimiter, row, column), index=index,
            categorical=frozenset(asked),
        )  # fmt: skip

    while True:  # (each _Retype reads one more column as text: at most one per column)
        try:
            out = stream()
            break
        except _Mend:
            if mend:
                raise
            mend = True
        except _Retype:
            pass
    assert out.columns is not None
    out.columns.trailing = dict(sorted(mended.cut.items()))
    out.columns.blank, out.columns.lines = mended.blank, mended.lines
    if stopped:  # (a first pass stopped, the file read again mended: two passes made)
        out.columns.stopped_at = stopped[0]
    for j, (_, before) in refused.items():  # (not found again: the block's first line)
        retyped[names[j]] = f"the block from line {csv_line(path, delimiter, before)}"
    out.columns.retyped = retyped
    out.columns.passes = 1 + len(stopped) + len(retyped)
    return out


def _unnamed_first_column(path: str, col: Any) -> str:
    """The error for a CSV file whose first column, alone, has no name in the header row
    (``,a,b,label``): most often pandas' index, which ``to_csv`` writes unless told not to
    (``col``: the column's cells in the first block); ``pandas_index=True`` leaves it out."""
    first = _row_numbers(col, math.nan, 0)
    head = (
        f"fit: the header row of '{path}' has no name for column(s) [1] (counted from 1: its "
        "first column)"
    )
    if first is None:  # (not row numbers in order: a shuffled frame's index, or data)
        return (
            f"{head}, and its cells are not the row numbers in order (0, 1, 2, ...) that "
            "pandas' to_csv writes for a frame's index: give the column a name in the first "
            "line, or delete it (a frame written with to_csv(index=False) has none); the "
            "in-memory reader, glassnet.datasets.read_csv(path, target, pandas_index=True), "
            "leaves out a shuffled frame's index, its numbers in any order."
        )
    a, b, c = (int(first) + k for k in range(3))
    return (
        f"{head}, which holds the row numbers {a}, {b}, {c}, ...: the row index that pandas' "
        "df.to_csv(path) writes (or R's write.csv). Pass pandas_index=True to leave it out "
        "(stream.from_csv(path, target, pandas_index=True), and fit(model, that_stream, "
        "None)), or write the file with df.to_csv(path, index=False)."
    )


def _categorical_names(
    categorical: Iterable[str] | None, names: list[str], targets: list[str], path: str
) -> list[str]:
    """from_csv's ``categorical``, checked: a list of feature columns of the file."""
    if categorical is None:
        return []
    if isinstance(categorical, str):
        categorical = [categorical]
    try:
        given = list(categorical)
    except TypeError:
        given = [categorical]  # type: ignore[list-item]
    odd = [c for c in given if not isinstance(c, str)]
    if odd:
        raise TypeError(
            f"The 'categorical' parameter of from_csv must be a list of column names. Got "
            f"{odd[0]!r:.60} in it."
        )
    unknown = [c for c in given if c not in names]
    if unknown:
        raise ValueError(
            f"The 'categorical' parameter of from_csv names columns not in '{path}': "
            f"{unknown}. Available columns: {names}."
        )
    target = [c for c in given if c in targets]
    if target:
        raise ValueError(
            f"The 'categorical' parameter of from_csv names the target column {target[0]!r}: "
            f"it lists feature columns to one-hot encode; leave the target out of it (a "
            f"target of class labels is read as labels: labels=True)."
        )
    return list(dict.fromkeys(given))


def _stamp(path: str) -> tuple[int, ...]:
    """The size, modification time (ns), inode and status-change time (ns) of the file at
    ``path`` (a rewrite of the same size whose modification time was put back, ``cp -p``,
    ``rsync -t``, still changes the last two)."""
    st = os.stat(path)
    return st.st_size, st.st_mtime_ns, st.st_ino, st.st_ctime_ns


def _unchanged(path: str, read_as: list[tuple[int, ...]]) -> None:
    """An error when the file at ``path`` is not as the statistics pass read it (``read_as``:
    its size and time then): a file still being written (rows appended, a download or an
    export not yet done) would train on rows that its statistics never saw, in silence."""
    if not read_as:
        return
    now = _stamp(path)
    if now != read_as[0]:
        size = now[0]
        grew = (
            f"its size went from {read_as[0][0]:,} to {size:,} bytes"
            if size != read_as[0][0]
            else "it was modified"
        )
        raise ValueError(
            f"fit: '{path}' changed after the statistics pass read it ({grew}): a file still "
            f"being written (rows appended, an export or a download not yet done) would "
            f"train on rows its statistics never saw; wait until it is written, or train on "
            f"a copy that stays as it is."
        )


class _Mend(Exception):
    """pyarrow refused a row that the in-memory reader takes, or read a row of blank cells
    that it skips: read the file again, mended."""


class _Retype(Exception):
    """The statistics pass stopped at a number column's cell that pyarrow refuses and the
    in-memory reader reads (:func:`_script_number_column`): read again, that column as text
    read as numbers."""


@dataclass
class _Mends:
    """What a mended reading of a CSV file (:class:`_Mended`) did: the rows cut short, by
    the number of empty fields past the header's named columns (``cut``), the rows of
    blank cells left out (``blank``), and the lines of the file (``lines``, once read to
    its end)."""

    cut: Counter[int] = field(default_factory=Counter)
    blank: int = 0
    lines: int = 0


def first_csv_block(path: str, delimiter: str, convert: Any, block_size: int = 1 << 22) -> Any:
    """The first record batch of pyarrow's streaming reader of CSV file ``path`` (None for
    a file of a header only), read as :func:`from_csv` reads it: with a row of another
    width than the header's that the in-memory reader takes, or a row of blank cells (in
    that block: whose cells would decide its columns' types), mended (:class:`_Mended`).
    ``convert``: pyarrow's ConvertOptions. pyarrow's ArrowInvalid for any other row."""
    import pyarrow as pa
    from pyarrow import csv

    read = csv.ReadOptions(block_size=block_size)
    parse = csv.ParseOptions(delimiter=delimiter)
    nulls = frozenset(convert.null_values)
    for mend in (False, True):
        try:
            with _csv_input(path, delimiter, _Mends() if mend else None) as f:
                rows = csv.open_csv(f, read_options=read, parse_options=parse,
                                    convert_options=convert)  # fmt: skip
                first = next(iter(rows), None)
            if mend or first is None or not _blank_row(first, 0, path, delimiter):
                return first
        except pa.ArrowInvalid as e:
            if mend or not _mendable(path, delimiter, e, nulls):
                raise
    raise AssertionError("unreachable")


def _csv_input(path: str, delimiter: str, mends: _Mends | None) -> Any:
    """The file as pyarrow reads it: as it is (``mends`` None), or mended (:class:`_Mended`,
    what it mended counted in ``mends``)."""
    import pyarrow as pa

    if mends is None:  # (pyarrow detects .gz in lower case only)
        return pa.input_stream(path, "gzip" if gzipped(path) else "detect")
    return pa.PythonFile(_Mended(path, delimiter, mends), mode="r")


def _blank(cells: list[str]) -> bool:
    """Whether a row of ``cells`` (as Python's csv reads it) is one whose every cell is
    blank, which the in-memory reader skips (``,,``, blanks between the delimiters,
    ``"",""``, a line of blanks)."""
    return not "".join(cells).strip()


def _blank_row(batch: Any, start: int, path: str, delimiter: str) -> bool:
    """Whether a row of ``batch``, read from the file as it is (its first data row
    ``start``, 0-based), is one whose every cell is blank, which pyarrow reads as a row of
    missing cells (or of empty texts) and the in-memory reader skips (:func:`_blank`).
    The file's rows are looked into only for the rows whose every cell in ``batch`` is
    missing or blank text; a column without such cells (most number columns) settles it."""
    import pyarrow as pa
    import pyarrow.compute as pc

    if not batch.num_columns or not batch.num_rows:
        return False
    text = [pa.types.is_string(c.type) or pa.types.is_large_string(c.type) for c in batch.columns]
    if any(not t and not c.null_count for t, c in zip(text, batch.columns)):
        return False
    empty = None  # (rows,) each row's cells so far missing or blank
    for t, c in sorted(zip(text, batch.columns), key=lambda tc: tc[0]):  # (numbers first)
        blank = c.is_null()
        if t:
            blank = pc.or_kleene(blank, pc.equal(pc.utf8_trim_whitespace(c), ""))
        empty = blank if empty is None else pc.and_kleene(empty, blank)
        if not pc.any(empty).as_py():
            return False
    assert empty is not None
    candidates = np.flatnonzero(empty.fill_null(False).to_numpy(zero_copy_only=False)) + start
    if not len(candidates):
        return False
    look = iter(candidates.tolist())
    want = next(look)
    for i, (_, cells, _) in enumerate(_csv_rows(path, delimiter, True)):
        if i == want:
            if _blank(cells):
                return True
            want = next(look, None)
            if want is None:
                return False
    return False


def _takes(cells: list[str], header: list[str]) -> int | None:
    """Whether the in-memory reader (:func:`glassnet.datasets.read_csv`) takes a row of
    ``cells`` under a header row of the fields ``header`` where pyarrow, which reads rows
    of the header's width only, refuses it (a row of another width): the number of empty
    fields it ends in past the header's named columns (a delimiter, or several, ending the
    line, as spreadsheets write: left out), 0 for a row that lacks some of the empty fields
    of unnamed columns that end the header (a delimiter ending the header line); else
    None."""
    width, n = len(header), len(cells)
    named = width
    while named > 1 and not header[named - 1].strip():
        named -= 1
    if n > width and not "".join(cells[width:]).strip():
        return n - named
    if named <= n < width:
        return 0
    return None


def _mendable(path: str, delimiter: str, error: Exception, nulls: frozenset[str]) -> bool:
    """Whether pyarrow's ``error`` refuses a row of ``path`` that the in-memory reader
    takes, so that :class:`_Mended` reads it. Refused for its width: the first row of
    another width than the header's is one :func:`_takes` takes, or a row of blank cells
    (:func:`_blank`). Refused for a blank cell of a number column (blanks between two
    delimiters: a cell that is none of ``nulls``, the texts pyarrow reads as missing, is
    read as a number): the first row with such a cell in that column is a row of blank
    cells. (Another error, such as a text in a number column, is not looked into: the
    file would be read to its end for a row to mend.)"""
    if re.search(r"Expected \d+ columns?, got \d+", str(error)):
        for _, cells, header in _csv_rows(path, delimiter, True):
            if len(cells) != len(header):
                return _blank(cells) or _takes(cells, header) is not None
        return False
    found = re.search(
        r"column #(\d+): CSV conversion error to \w+: invalid value '\s*'", str(error)
    )
    if found is None:
        return False
    j = int(found.group(1))
    for _, cells, _ in _csv_rows(path, delimiter, True):
        if j < len(cells) and not cells[j].strip() and cells[j] not in nulls:
            return _blank(cells)
    return False


class _Mended(io.RawIOBase):
    """A CSV file's bytes, each data row that pyarrow refuses for its width and the
    in-memory reader takes (:func:`_takes`) made the header's width, as that reader reads
    it: one that ends in more fields than the header, the extra ones empty, cut short
    (counted in ``mends.cut``, by the number of empty fields past the header's named
    columns); one without some of the empty fields of unnamed columns ending the header,
    given them. A row whose every cell is blank (:func:`_blank`), which that reader skips,
    becomes an empty line, which pyarrow skips (counted in ``mends.blank``). Other rows,
    the header and every line break are left as they are, so that lines keep their
    numbers (:func:`csv_line`; ``mends.lines``: the file's, once read to its end). A row of
    one line each: a quoted cell that runs on across lines is refused by the stream anyway
    (:func:`_one_line_cells`)."""

    def __init__(self, path: str, delimiter: str, mends: _Mends) -> None:
        super().__init__()
        self._file = _open_csv(path)  # (closed by close())
        self._delimiter, self._mends = delimiter, mends
        self._parts = self._mended()
        self._left = memoryview(b"")
        self._count, self._last = 0, b""  # (the lines read so far, the last byte read)

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        """``buffer`` filled up (short at the end of the file only: pyarrow takes a short
        first read, such as a blank line before the header, for the whole file)."""
        done = 0
        while done < len(buffer):
            if not len(self._left):
                part = next(self._parts, None)
                if part is None:
                    break
                self._left = memoryview(part)
            n = min(len(buffer) - done, len(self._left))
            buffer[done : done + n] = self._left[:n]
            self._left = self._left[n:]
            done += n
        return done

    def close(self) -> None:
        self._file.close()
        super().close()

    def _raw(self, size: int) -> bytes:
        """The file's next ``size`` bytes, its lines counted: into ``mends.lines`` at the
        end of the file, each ending in CR LF, CR or LF, as Python's csv counts lines, and
        a last line without a line break one too."""
        raw = self._file.read(size)
        if raw:
            self._count += raw.count(b"\n") + raw.count(b"\r") - raw.count(b"\r\n")
            if self._last == b"\r" and raw[:1] == b"\n":  # (a CR LF across two reads)
                self._count -= 1
            self._last = raw[-1:]
        else:
            self._mends.lines = self._count + (self._last not in (b"", b"\r", b"\n"))
        return raw

    def _mended(self) -> Iterator[bytes]:
        import csv as pycsv

        d = self._delimiter
        # the header: the first line that is not blank, left as it is (a line ends in CR
        # LF, LF or CR, as a Macintosh CSV file's lines end; a CR last read may be CR LF's)
        header: list[str] = []
        carry = b""  # (read, not yet passed on)
        while not header:
            found = re.search(rb"\r\n|\n|\r(?!\Z)", carry)
            if found is None:
                more = self._raw(1 << 16)
                if more:
                    carry += more
                    continue
                if not carry:
                    return
            end = len(carry) if found is None else found.end()
            line, carry = carry[:end], carry[end:]
            yield line
            if line.strip():
                text = line.decode("utf-8-sig", "surrogateescape").rstrip("\r\n")
                header = next(pycsv.reader([text], delimiter=d), []) or [""]
        width = len(header)
        named = width
        while named > 1 and not header[named - 1].strip():
            named -= 1
        every = named < width  # (a short row ends in no delimiter: each row is read)
        maybe = _maybe_mended(d)
        while True:
            block = self._raw(1 << 20)
            data = carry + block
            if not block:
                if data:
                    yield self._lines(data, header, every, maybe)
                return
            end = max(data.rfind(b"\n"), data.rfind(b"\r")) + 1
            data, carry = data[:end], data[end:]
            if data:
                yield self._lines(data, header, every, maybe)

    def _lines(self, data: bytes, header: list[str], every: bool, maybe: Any) -> bytes:
        """``data`` (whole lines), its rows mended."""
        import csv as pycsv

        ends, lone = maybe
        if not every and not (ends(data) or any(search(data) for search in lone)):
            return data  # (no line ends in an empty field: none ends in more, none is blank)
        d, width = self._delimiter, len(header)
        out = []
        for line in data.splitlines(keepends=True):
            body = line.rstrip(b"\r\n")
            if not body or not (every or ends(body) or lone[-1](body)):
                out.append(line)
                continue
            text = body.decode("utf-8", "surrogateescape")
            cells = next(pycsv.reader([text], delimiter=d), [])
            if _blank(cells) and not text.count('"') % 2:  # (a lone quote opens a cell)
                self._mends.blank += 1
                out.append(line[len(body) :])  # (an empty line: its line break only)
                continue
            k = _takes(cells, header)
            if k is None or len(cells) == width:
                out.append(line)
                continue
            if len(cells) < width:
                mended = text + d * (width - len(cells))
            else:
                self._mends.cut[k] += 1
                mended = _cut_short(text, cells, width, d)
            out.append(mended.encode("utf-8", "surrogateescape") + line[len(body) :])
        return b"".join(out)


#: A blank as str.strip strips it (ASCII's, the separators 0x1c-0x1f, Unicode's spaces, in
#: UTF-8) or a quote: what a row's empty fields and a row of blank cells are written with.
_WS = (
    rb'(?:[ \t\x0b\x0c\x1c-\x1f"]|\xc2[\x85\xa0]|\xe1\x9a\x80|\xe2\x80[\x80-\x8a\xa8\xa9\xaf]'
    rb"|\xe2\x81\x9f|\xe3\x80\x80)"
)


def _maybe_mended(delimiter: str) -> tuple[Callable[[bytes], Any], list[Callable[[bytes], Any]]]:
    """The searches of whole lines of a CSV file for a row that may be one to mend
    (:class:`_Mended`): a line that ends in the ``delimiter`` then blanks (an empty field);
    and lines of blanks only, after a LF, after a CR, and at the start (of a line alone:
    the last). Each searched for apart, from a byte that starts it: an alternation of them
    reads 1 MiB in 45 ms, these in 5 ms."""
    starts = rb"(?=[ \t\x0b\x0c\x1c-\x1f\"\xc2\xe1\xe2\xe3\r\n]|\Z)"  # (a blank's first byte)
    ends = re.compile(re.escape(delimiter.encode()) + starts + rb"%s*(?=[\r\n]|\Z)" % _WS)
    lone = [re.compile(rb"%s%s+(?=[\r\n]|\Z)" % (a, _WS)).search for a in (rb"\n", rb"\r", rb"\A")]
    return ends.search, lone


def _cut_short(text: str, cells: list[str], width: int, delimiter: str) -> str:
    """The row ``text`` (its ``cells``, as Python's csv reads it) without its empty fields
    past the first ``width``: its end cut off, as written, or written anew when that
    reads otherwise (a cell whose quotes the cut would leave open)."""
    import csv as pycsv

    blank = rf'{re.escape(delimiter)}[ \t]*(?:"[ \t]*"[ \t]*)?'
    found = re.search(rf"(?:{blank}){{{len(cells) - width}}}$", text)
    if found is not None:
        kept = text[: found.start()]
        if next(pycsv.reader([kept], delimiter=delimiter), []) == cells[:width]:
            return kept
    out = io.StringIO()
    pycsv.writer(out, delimiter=delimiter, lineterminator="").writerow(cells[:width])
    return out.getvalue()


# a number as a European spreadsheet writes it: 3,5 or 2 or 1.003,50 (a thousands point)
_EUROPEAN = re.compile(r"\s*[+-]?(\d{1,3}(\.\d{3})+|\d+)(,\d+)?([eE][+-]?\d+)?\s*")


def _decimal_commas(
    first: Any, names: list[str], path: str, delimiter: str, decimal: str, skip: list[str]
) -> None:
    """A text column of the first block whose every cell is a number as a European
    spreadsheet writes it (``3,14``, ``2``, ``1.003,50``), one at least with a comma, in a
    file not separated by commas and read with the decimal point, is an error saying to
    pass ``decimal=","``: it would be one-hot encoded, a category per number (the command
    line refuses such cells in memory too; ``datasets.read_csv`` reads them as text).
    ``skip``: label columns, read as text as written."""
    if decimal != "." or delimiter == ",":
        return
    import pyarrow as pa

    for name, column in zip(names, first.columns):
        if not pa.types.is_string(column.type) or name in skip:
            continue
        cells = [c for c in column.drop_null().to_pylist()[:1000] if c.strip()]
        commas = any("," in c for c in cells)
        if cells and commas and all(_EUROPEAN.fullmatch(c) for c in cells):
            raise ValueError(
                f"fit: column {name!r} of '{path}' holds numbers written with a comma "
                f"({cells[0].strip()!r}), which would be read as text (a category per number): "
                f"if the file writes decimal commas (3,14), pass decimal=',' (glassnet train: "
                f"--decimal ,); if the commas separate thousands, write plain numbers."
            )


def _stripped(
    batch: Any, names: list[str], only: set[int] | None, found: set[int], nulls: frozenset[str]
) -> Any:
    """``batch`` with its columns called ``names`` and the blanks around its text cells
    removed, as the in-memory reader reads them (pyarrow keeps them: " yes" was a class of its
    own, which predict never gives); a cell that is then one of ``nulls`` (" NA ") is missing,
    as it is in memory. ``only``: the columns to strip (those that have such cells), or None
    for every text column; the ones whose cells changed are added to ``found``."""
    import pyarrow as pa
    import pyarrow.compute as pc

    columns = list(batch.columns)
    for i, c in enumerate(columns):
        if only is not None and i not in only:
            continue
        if pa.types.is_string(c.type) or pa.types.is_large_string(c.type):
            stripped = pc.utf8_trim_whitespace(c)
            if not stripped.equals(c):
                missing = pc.is_in(stripped, value_set=pa.array(sorted(nulls), type=c.type))
                columns[i] = pc.if_else(missing, pa.scalar(None, type=c.type), stripped)
                found.add(i)
    if names == batch.schema.names and all(a is b for a, b in zip(columns, batch.columns)):
        return batch
    return pa.RecordBatch.from_arrays(columns, names)


def _number_text(cell: str, decimal: str) -> str:
    """The number ``cell`` (a number as :func:`number_value` reads it) in ASCII, as
    written with the decimal mark ``decimal`` (a whole number without a point)."""
    x = number_value(cell.strip(), decimal)
    text = str(int(x)) if x is not None and x.is_integer() and abs(x) < 2**53 else repr(x)
    return text.replace(".", decimal)


def number_value(cell: str, decimal: str = ".") -> float | None:
    """``cell`` (stripped) as the in-memory reader reads a number (Python's float(), with the
    decimal mark ``decimal``; not 1_000 or 18_24: digits grouped by '_' are Python's, no
    file's, and read as text), or None."""
    if "_" in cell:
        return None
    try:
        return float(as_point(cell, decimal))
    except ValueError:
        return None


def _as_numbers(col: Any, decimal: str, nulls: frozenset[str]) -> tuple[Any, int | None]:
    """The text column ``col`` read as numbers as the in-memory reader reads them: each cell
    stripped of blanks (a non-breaking space among them) and read by Python's float(), which
    also reads digits of other scripts (``３``, ``١٢``) that pyarrow refuses; a cell of
    ``nulls`` is missing. A float64 array, and the row of the first cell that is no number
    (None if every cell is one)."""
    import pyarrow as pa
    import pyarrow.compute as pc

    stripped = pc.utf8_trim_whitespace(col)
    plain, ascii_ = None, None
    if decimal == ".":
        try:  # (a block of ASCII numbers: pyarrow's reading, at once)
            return pc.cast(stripped, pa.float64()), None
        except pa.ArrowInvalid:
            pass
        ascii_ = pc.fill_null(pc.string_is_ascii(stripped), True)
        none = pa.scalar(None, type=stripped.type)
        try:  # its ASCII cells so, and the others (a few: ３, ١٢) by float() below
            plain = pc.cast(pc.if_else(ascii_, stripped, none), pa.float64())
            stripped = pc.if_else(ascii_, none, stripped)
        except pa.ArrowInvalid:  # (text among them, or " NA ": every cell by float())
            pass
    distinct = pc.unique(stripped).to_pylist()
    values = [
        None if v is None or v in nulls else number_value(v, decimal) for v in distinct
    ]  # fmt: skip
    bad = [v for v, x in zip(distinct, values) if x is None and v is not None and v not in nulls]
    idx = pc.index_in(stripped, value_set=pa.array(distinct, type=stripped.type))
    numbers = pa.array(values, type=pa.float64()).take(idx)
    if plain is not None:
        numbers = pc.if_else(ascii_, plain, numbers)
    if bad:
        rows = pc.is_in(stripped, value_set=pa.array(bad, type=stripped.type))
        return numbers, int(np.argmax(rows.to_numpy(zero_copy_only=False)))
    return numbers, None


def script_numbers(col: Any, decimal: str = ".", nulls: frozenset[str] | None = None) -> Any:
    """The pyarrow text column ``col`` as float64 when each of its cells is a number that
    the in-memory reader reads (Python's float(), the cell stripped) but pyarrow's CSV reader
    does not, so that it typed the column as text: a number with a non-breaking space
    (``7\xa0``) or written in digits of another script (``３``, ``١٢``) among numbers;
    else None (a column of ASCII text, of text, or not of text)."""
    import pyarrow as pa
    import pyarrow.compute as pc

    if not (pa.types.is_string(col.type) or pa.types.is_large_string(col.type)):
        return None
    ascii_ = pc.string_is_ascii(col)
    if pc.all(ascii_).as_py() is not False:  # (ASCII, or every cell missing)
        return None
    nulls = _NULLS if nulls is None else nulls
    odd = col.filter(pc.invert(ascii_))

    def text(cells: Any) -> bool:
        return any(
            c.strip() not in nulls and number_value(c.strip(), decimal) is None
            for c in cells.to_pylist()
        )

    if text(odd.slice(0, 64)) or text(pc.unique(odd)):  # (a text column: its first ones)
        return None
    numbers, bad = _as_numbers(col, decimal, nulls)
    return numbers if bad is None else None


#: pyarrow's refusal of a cell of a number column: the column's index and the cell
_INVALID_CELL = re.compile(
    r"In CSV column #(\d+): CSV conversion error to \w+: invalid value '(.*)'$", re.S
)


def _script_number_column(e: Exception, decimal: str) -> int | None:
    """The index of the column whose cell pyarrow's error ``e`` refuses when that cell is a
    number the in-memory reader reads (:func:`script_numbers`: ``7\xa0``, ``３``); else None."""
    m = _INVALID_CELL.search(str(e))
    if m is None or m.group(2).isascii():
        return None
    return int(m.group(1)) if number_value(m.group(2).strip(), decimal) is not None else None


def _unnamed_empty(batch: Any, named: int, start: int, path: str, delimiter: str) -> None:
    """A cell with a value in one of the unnamed columns after the header's ``named`` ones
    is an error, as in memory (:func:`glassnet.datasets.read_csv`): the columns are left
    out only when empty. ``start``: the batch's first data row (0-based) in the file."""
    import pyarrow.compute as pc

    for j in range(named, batch.num_columns):
        filled = pc.not_equal(pc.utf8_trim_whitespace(batch.column(j)), "").fill_null(False)
        if pc.any(filled).as_py():
            row = int(np.argmax(filled.to_numpy(zero_copy_only=False)))
            raise ValueError(
                f"fit: '{path}' line {csv_line(path, delimiter, start + row)} has a value in "
                f"column {j + 1}, which the header row leaves unnamed: name it in the first "
                f"line."
            )


def _one_line_cells(batch: Any, start: int, path: str, delimiter: str) -> None:
    """A text cell holding a line break is an error: pyarrow reads a quote that is never
    closed (a stray quote) as a cell that takes in the following lines, rows and all.
    ``start``: the batch's first data row (0-based) in the file."""
    import pyarrow as pa
    import pyarrow.compute as pc

    for name, col in zip(batch.schema.names, batch.columns):
        if not (pa.types.is_string(col.type) or pa.types.is_large_string(col.type)):
            continue
        broken = pc.or_(pc.match_substring(col, "\n"), pc.match_substring(col, "\r"))
        if not pc.any(broken).as_py():
            continue
        row = int(np.argmax(broken.fill_null(False).to_numpy(zero_copy_only=False)))
        cell = col[row].as_py()
        first = 2  # (the header is line 1)
        for i, (line, _, _) in enumerate(_csv_rows(path, delimiter)):
            if i == start + row:
                break
            first = line + 1
        raise ValueError(
            f"fit: '{path}' line {first}: column {name!r} holds a cell that runs on across "
            f"lines ({_short_cell(cell)}): a quote that is never closed (a stray quote) takes "
            "the lines after it into one cell; close or remove that quote. Line breaks inside "
            "quoted cells are read in memory only: glassnet.datasets.read_csv(path, "
            "multiline=True)."
        )


def _short_cell(cell: str) -> str:
    text = repr(cell)
    return text if len(text) <= 60 else text[:57] + "..."


def _csv_rows(
    path: str, delimiter: str, blank: bool = False
) -> Iterator[tuple[int, list[str], list[str]]]:
    """``(line, cells, header)`` for each row after the header, as pyarrow counts rows
    (blank lines skipped), and as it reads them mended (rows of blank cells skipped too,
    :class:`_Mended`: a file without them is read as it is), unless ``blank``; ``line``
    is where the row ends."""
    import csv as pycsv

    size = 2**31 - 1 if gzipped(path) else min(os.path.getsize(path), 2**31 - 1)
    if pycsv.field_size_limit() < size:  # (a long cell is no error)
        pycsv.field_size_limit(size)
    with _open_csv(path, "r", newline="", encoding="utf-8-sig", errors="replace") as f:
        reader = pycsv.reader(f, delimiter=delimiter)
        header = next((cells for cells in reader if cells), [])  # (blank lines skipped)
        for cells in reader:
            if cells and (blank or not _blank(cells)):
                yield reader.line_num, cells, header


def csv_line(path: str, delimiter: str, row: int) -> int | str:
    """The line of data row ``row`` (0-based) of a CSV file (read again: an error's path),
    its rows counted as the stream reads them: blank lines and rows of blank cells
    skipped (the rows before the first of those are numbered alike read as it is)."""
    for i, (line, _, _) in enumerate(_csv_rows(path, delimiter)):
        if i == row:
            return line
    return "?"


def _long_line(path: str, block_size: int, e: Exception) -> ValueError | None:
    """pyarrow's refusal of a line longer than ``block_size`` bytes, named: a header
    longer than it read as "empty", a row as "straddles two block boundaries"."""
    if "straddl" not in str(e):
        if "Empty CSV file" not in str(e):
            return None
        with _open_csv(path) as f:  # (a header line and its line break past block_size)
            if len(f.readline(block_size + 1)) <= block_size:
                return None  # an empty file indeed
    return ValueError(
        f"fit: '{path}' has a line longer than block_size ({block_size} bytes), the most "
        "pyarrow reads at once: pass a block_size above the longest line's length (the "
        "default is 4 MiB)."
    )


def not_gzip(path: str, magic: bytes) -> str | None:
    """The refusal of the file ``path``, named .gz, that starts with ``magic`` (its first
    bytes): None where they are gzip's, or where there are none (an empty file: the
    reader's "is empty" says so, not "name it without .gz"); gzip's first byte alone is a
    download cut off, said so."""
    if not magic or magic[:2] == b"\x1f\x8b":  # (gzip's magic bytes)
        return None
    if magic == b"\x1f":
        return cannot_decompress(path)
    return (
        f"'{path}' is named .gz but is not gzip-compressed (it starts with {magic!r}): name "
        "it without .gz (such as data.csv), or compress it (gzip)"
    )


def unreadable(
    path: str,
    delimiter: str,
    e: Exception,
    kinds: dict[str, str],
    nulls: frozenset[str],
    block_size: int | None = None,
    decimal: str = ".",
) -> ValueError:
    """pyarrow's refusal of a CSV file as an error naming the line (pyarrow names none);
    ``kinds``: the number columns, ``"numbers"`` or ``"whole numbers"``; ``nulls``: the
    cells read as missing; ``block_size``: the reader's, to name a line longer than it
    when no row is found at fault; ``decimal``: the decimal mark the numbers are read with."""
    long = _long_line(path, block_size, e) if block_size is not None else None
    if "Empty CSV file" in str(e):
        if long is not None:
            return long
        return ValueError(f"fit: '{path}' is empty: a CSV file needs a header row and data rows.")
    named = _INVALID_CELL.search(str(e))  # (the column pyarrow names: the one looked in)
    at = int(named.group(1)) if named else None
    for line, cells, header in _csv_rows(path, delimiter):  # (rows of blank cells skipped)
        if len(cells) != len(header):
            if _takes(cells, header) is None:
                return _cells_off(path, line, cells, header)
            cells = cells[: len(header)]  # (read by _Mended, as the header's width)
        for j, (name, cell) in enumerate(zip(header, cells)):
            if at is not None and j != at or name not in kinds:
                continue
            if _number(cell, kinds[name] == "whole numbers", nulls, decimal):
                continue
            if not cell.isascii() and number_value(cell.strip(), decimal) is not None:
                return ValueError(
                    f"fit: '{path}' line {line}: column {name!r} holds {cell!r}, a number "
                    f"written with a character other than ASCII digits and blanks (a "
                    f"non-breaking space, a digit of another script), which the streaming "
                    f"reader does not read here; write it as {_number_text(cell, decimal)}, "
                    f"or read the file in memory, which reads it so."
                )
            missing = {n.lower() for n in nulls}  # (the texts given: nulls spells each so)
            if not cell.strip():
                return ValueError(
                    f"fit: '{path}' line {line}: column {name!r} has a missing value (an empty "
                    f"cell) where its first rows hold {kinds[name]}: "
                    f"{_as_missing(cell, missing)}."
                )
            return ValueError(
                f"fit: '{path}' line {line}: column {name!r} holds {cell!r} where its first "
                f"rows hold {kinds[name]}. If {cell!r} marks a missing value, "
                f"{_as_missing(cell, missing)}; "
                f"{_text_cell_fix(cell, name, decimal, repr(cell))}"
            )
    return long or ValueError(f"fit: pyarrow cannot read '{path}': {e}.")


def comment_line_text(path: str | os.PathLike[str], line: int) -> str | None:
    """What to say of line ``line`` (from 1) of the CSV file ``path``, a row of another
    number of fields than the header's, when it is a comment line (its first non-blank
    character ``#``, as a tool's export or files joined into one write them): its text, how
    many lines of the file are such, and what to do. None when it is no comment line, and
    when ``#`` starts the file's data rows (``#A12``, a category ``#3``): an earlier row
    that starts with ``#`` was read as a row, or half the lines start with it."""
    try:
        with _open_csv(path, "r", encoding="utf-8-sig", errors="replace", newline="") as f:
            starts = [x.lstrip().startswith("#") for x in f]
    except OSError:
        return None
    if not 1 <= line <= len(starts) or not starts[line - 1]:
        return None
    count = sum(starts)
    if any(starts[1 : line - 1]) or 2 * count >= len(starts):  # ('#' opens data rows)
        return None
    with _open_csv(path, "r", encoding="utf-8-sig", errors="replace", newline="") as f:
        text = next(itertools.islice(f, line - 1, None), "")
    import shlex  # (not at import: glassnet._startup's Ctrl-C handler is not set yet)

    text = text.strip()
    shown = repr(text) if len(text) <= 60 else repr(text[:57] + "...")
    more = f" (one of {count} lines that start with '#')" if count > 1 else ""
    return (
        f"line {line} of '{path}' is a comment line, {shown}{more}, which the CSV reader "
        f"takes for a row: glassnet reads no comment lines; remove them from the file "
        f"(grep -v '^[[:space:]]*#' {shlex.quote(str(path))} > clean.csv) and give that file"
    )


def _cells_off(path: str, line: int, cells: list[str], header: list[str]) -> ValueError:
    """A row of another number of cells than the header's, named: the header's named
    columns and its unnamed empty ones after them (a delimiter ending the header line) told
    apart (a row that only ends in more empty fields than the header, or lacks some of its
    unnamed ones, is read mended: :class:`_Mended`)."""
    named = len(header)
    while named > 1 and not header[named - 1].strip():
        named -= 1
    unnamed = len(header) - named
    comment = comment_line_text(path, line) if cells and cells[0].lstrip()[:1] == "#" else None
    if comment is not None:
        return ValueError(f"fit: {comment}.")
    columns = f"{named} column{'s' * (named != 1)}" + (
        f" and {unnamed} unnamed empty one{'s' * (unnamed != 1)} after them (a delimiter "
        f"ending the header line): {len(header)} fields"
        if unnamed
        else ""
    )
    said = f"fit: '{path}' line {line} has {len(cells)} cells where the header names {columns}"
    return ValueError(f"{said}; give every row one cell per column.")


def check_decimal(decimal: Any, caller: str) -> str:
    """``decimal``, checked: one character that can mark a number's decimal point (not a
    digit or a letter, which numbers and nan/inf are written with, a sign, a quote, a blank
    or a line break); else a ValueError naming the ``decimal`` parameter of ``caller``."""
    if not isinstance(decimal, str) or len(decimal) != 1 or decimal.isalnum() or (
        decimal in "+-\"'" or decimal.isspace() or not decimal.isprintable()
    ):  # fmt: skip
        raise ValueError(
            f"The 'decimal' parameter of {caller} must be one character that marks a "
            f"number's decimal point, such as '.' or ','. Got {decimal!r:.60}."
        )
    return decimal


def as_point(cell: str, decimal: str) -> str:
    """``cell`` as Python's float() reads numbers written with the decimal mark ``decimal``:
    that mark becomes the point, and a "." becomes the mark (so float() refuses it, as it is
    no number's: ``3.14`` under ``decimal=","``). The cell itself for ``"."``."""
    return cell if decimal == "." else cell.translate(_swaps(decimal))


@functools.lru_cache(maxsize=8)
def _swaps(decimal: str) -> dict[int, int]:
    return str.maketrans({decimal: ".", ".": decimal})


def _number(cell: str, whole: bool, nulls: frozenset[str], decimal: str = ".") -> bool:
    """Whether pyarrow's CSV reader reads ``cell`` in a column of numbers (``whole``: of
    whole numbers): a missing cell, or ASCII that Python reads as such a number (pyarrow
    refuses 7\xa0 and ３, which float() reads)."""
    if cell.strip() in nulls or (not cell.strip() and "" in nulls):  # (as written: "n.a.")
        return True
    if not cell.isascii() or "_" in cell:
        return False
    cell = as_point(cell, decimal)
    try:
        int(cell) if whole else float(cell)
    except ValueError:
        return False
    return True


#: Cells read as missing by default, by every CSV reader of glassnet (in memory, streamed, the
#: exported ONNX graph): compared lower-case, after stripping blanks. A reader's ``missing``
#: parameter replaces the set. (Also ``glassnet.datasets.MISSING_TOKENS``.)
MISSING_TOKENS: frozenset[str] = frozenset({"", "nan", "na", "n/a", "null"})

#: The most letters a missing-cell text may have: each is matched in every upper/lower-case
#: spelling (2**letters of them), as glassnet's in-memory reader ignores case.
MAX_MISSING_LETTERS = 12


def missing_tokens(missing: Iterable[str] | None, caller: str = "read_csv") -> frozenset[str]:
    """The cell texts read as missing: :data:`MISSING_TOKENS` for None, else ``missing``'s
    strings stripped of blanks and lower-cased (cells are compared so). A str, or an item
    that is not a str, is a TypeError naming the ``missing`` parameter of ``caller``.

    >>> sorted(missing_tokens(["", " ? ", "N/A"]))
    ['', '?', 'n/a']
    """
    if missing is None:
        return MISSING_TOKENS
    if isinstance(missing, str | bytes) or not isinstance(missing, Iterable):
        example = f"({missing!r},)" if isinstance(missing, str) else "('', '?')"
        raise TypeError(
            f"The 'missing' parameter of {caller} must be a list or tuple of the cell texts "
            f"read as missing, such as ('', '?'), or None for the default "
            f"{sorted(MISSING_TOKENS)}. Got {type(missing).__name__} {missing!r:.80}"
            + (f": write {example} for that one text." if isinstance(missing, str) else ".")
        )
    tokens = list(missing)
    bad = [t for t in tokens if not isinstance(t, str)]
    if bad:
        raise TypeError(
            f"The 'missing' parameter of {caller} must hold str cell texts, such as "
            f"('', '?'). Got {type(bad[0]).__name__} {bad[0]!r:.80} among {tokens!r:.120}."
        )
    return frozenset(t.strip().lower() for t in tokens)


def null_values(missing: Iterable[str], caller: str = "from_csv") -> frozenset[str]:
    """Every spelling of the cell texts ``missing`` (as :func:`missing_tokens` checks and
    normalizes them) in upper and lower case, for readers that compare cells exactly
    (pyarrow's ``null_values``, an ONNX ``LabelEncoder``). A text of more than
    :data:`MAX_MISSING_LETTERS` letters is an error naming the ``missing`` parameter.

    >>> sorted(null_values(["", "n/a"]))
    ['', 'N/A', 'N/a', 'n/A', 'n/a']
    """
    out: set[str] = set()
    for token in missing_tokens(missing, caller):
        letters = sum(c.lower() != c.upper() for c in token)
        if letters > MAX_MISSING_LETTERS:
            raise ValueError(
                f"The 'missing' parameter of {caller} holds {token!r:.80}, of {letters} "
                f"letters: it would be matched in its 2**{letters} upper/lower-case "
                f"spellings; give a missing-cell text of at most {MAX_MISSING_LETTERS} letters."
            )
        options = [(c.lower(), c.upper()) if c.lower() != c.upper() else (c,) for c in token]
        out.update("".join(p) for p in itertools.product(*options))
    return frozenset(out)


def line_notes_text(
    n_rows: int, n_lines: int, blank: int, joined: int = 0, hint: bool = False
) -> str:
    """How ``n_lines`` lines of a CSV file became its ``n_rows`` rows, as its readers say
    it: '' when each line after the header is one row, else e.g. ``"300 rows from 302
    lines (1 header, 1 blank)"``: ``blank`` lines (and rows of blank cells) skipped,
    ``joined`` lines read as part of quoted cells that hold line breaks, and a
    spreadsheet's ``sep=`` line (``hint``). (Shared by
    :func:`glassnet.datasets.read_csv`'s ``line_notes`` and :attr:`Columns.line_notes`.)"""
    if n_rows + 1 == n_lines:
        return ""
    why = ["1 header"] + (["1 'sep=' line"] if hint else [])
    if blank:
        why.append(f"{blank} blank")
    if joined:
        why.append(f"{joined} inside quoted cells that hold line breaks")
    return f"{n_rows} rows from {n_lines} lines ({', '.join(why)})"


def float_columns(
    rows: str | bytes, delimiter: str, n_columns: int, wanted: Iterable[int], n_rows: int
) -> dict[int, np.ndarray]:
    """The columns ``wanted`` (0-based) of ``rows``, read as float64 by pyarrow's CSV reader
    (in C, on every core): ``{column: values}`` for each whose every cell pyarrow reads as a
    number, its ``n_rows`` values those Python's ``float()`` gives the cell (both round the
    decimal text correctly, bit for bit); a column with a cell that pyarrow reads as no
    number (an empty cell, text, ``1_000``, digits of another script) is left out, for the
    caller to read as it reads any column. ``{}`` without pyarrow, or for rows that are not
    ``n_rows`` lines of ``n_columns`` cells each.

    ``rows``: data rows of a CSV file without its header row (str, or its UTF-8 bytes),
    that hold no quote (``"``) and
    no carriage return (``\r``), ``delimiter`` between the cells and ``\n`` between the rows
    (:func:`glassnet.datasets.read_csv`'s fast path for such a file: NumPy's parsing of a
    cell's text costs as much as the rest of the reading)."""
    wanted = sorted(set(wanted))
    data = rows.encode("utf-8") if isinstance(rows, str) else rows
    end = data.find(b"\n")
    first = data if end < 0 else data[:end]
    if not wanted or not n_rows or first.count(delimiter.encode()) + 1 != n_columns:
        return {}
    try:
        import pyarrow as pa
        from pyarrow import csv
    except ImportError:
        return {}
    read = csv.ReadOptions(autogenerate_column_names=True)
    parse = csv.ParseOptions(
        delimiter=delimiter, quote_char=False, double_quote=False, escape_char=False,
        newlines_in_values=False, ignore_empty_lines=False,
    )  # fmt: skip
    out: dict[int, np.ndarray] = {}
    for _ in range(4):  # (each cell pyarrow refuses names its column: read without it)
        if not wanted:
            break
        names = [f"f{j}" for j in wanted]
        convert = csv.ConvertOptions(
            column_types=dict.fromkeys(names, pa.float64()), include_columns=names,
            null_values=[], strings_can_be_null=False, quoted_strings_can_be_null=False,
        )  # fmt: skip
        try:
            table = csv.read_csv(
                io.BytesIO(data), read_options=read, parse_options=parse, convert_options=convert
            )
        except pa.ArrowInvalid as e:
            bad = re.match(r"In CSV column #(\d+): ", str(e))
            if bad is None or int(bad[1]) not in wanted:
                return {}  # (a row of another width: not such rows)
            wanted.remove(int(bad[1]))
            continue
        except pa.ArrowException:  # (anything else: the caller reads every column)
            return {}
        if table.num_rows != n_rows or table.num_columns != len(wanted):
            return {}
        for j, name in zip(wanted, names):
            column = table.column(name)
            if column.null_count or column.type != pa.float64():
                continue
            out[j] = np.ascontiguousarray(column.to_numpy(), dtype=np.float64)
        return out
    return {}


class PlainRows:
    """The data rows of a plain CSV file read by pyarrow's CSV reader as text, a column at
    a time (:func:`plain_rows`): each column's cells as written, joined, or as numbers."""

    def __init__(self, table: Any) -> None:
        self._table = table
        self.n_rows = int(table.num_rows)

    def texts(self, j: int) -> list[str]:
        """Column ``j``'s cells as written, a str each."""
        return self._table.column(j).to_pylist()

    def joined(self, j: int, sep: str) -> str | None:
        """Column ``j``'s cells as written, joined by ``sep`` (one str, made by pyarrow); None
        when pyarrow cannot (2 GiB of text or more)."""
        pa = _pyarrow()
        import pyarrow.compute as pc

        try:
            column = self._table.column(j).combine_chunks()
            offsets = pa.array([0, len(column)], pa.int32())
            return pc.binary_join(pa.ListArray.from_arrays(offsets, column), sep)[0].as_py()
        except pa.ArrowException:
            return None

    def numbers(self, j: int) -> np.ndarray | None:
        """Column ``j``'s numbers (float64), those Python's ``float()`` (and NumPy) reads from
        each cell's text, bit for bit (both round the decimal text correctly); None when
        pyarrow reads a cell as no number (blanks around it, ``1_000``, digits of another
        script, an empty cell), which the caller then reads itself."""
        pa = _pyarrow()
        import pyarrow.compute as pc

        try:
            values = pc.cast(self._table.column(j), pa.float64())
        except pa.ArrowException:
            return None
        if values.null_count:
            return None
        return np.ascontiguousarray(values.to_numpy(), dtype=np.float64)

    def blank_row(self) -> bool:
        """Whether a row's every cell is empty (a row ``,,`` that the readers skip)."""
        import pyarrow.compute as pc

        empty = None  # the rows whose cells are empty in every column so far
        for column in self._table.columns:
            none = pc.equal(pc.binary_length(column), 0)
            empty = none if empty is None else pc.and_(empty, none)
            if not pc.any(empty).as_py():
                return False
        return True


def plain_rows(rows: bytes, delimiter: str, n_columns: int, n_rows: int) -> PlainRows | None:
    """The data rows ``rows`` (UTF-8) of a CSV file without its header row, that hold no
    quote (``"``) and no carriage return, ``delimiter`` between the cells and ``\n`` between
    the rows, read by pyarrow's CSV reader (in C, on every core) as text; None without
    pyarrow, or unless they are ``n_rows`` rows of ``n_columns`` cells each.
    (:func:`glassnet.datasets.read_csv`'s fast path for a file of plain rows: splitting
    the text into a Python str per cell, and NumPy's parsing of each number through
    ``float()``, cost more than the rest of the reading.)"""
    try:
        import pyarrow as pa
        from pyarrow import csv
    except ImportError:
        return None
    names = [f"f{j}" for j in range(n_columns)]
    try:
        table = csv.read_csv(
            io.BytesIO(rows),
            read_options=csv.ReadOptions(autogenerate_column_names=True),
            parse_options=csv.ParseOptions(
                delimiter=delimiter, quote_char=False, double_quote=False, escape_char=False,
                newlines_in_values=False, ignore_empty_lines=False,
            ),
            convert_options=csv.ConvertOptions(
                column_types=dict.fromkeys(names, pa.string()), null_values=[],
                strings_can_be_null=False, quoted_strings_can_be_null=False,
            ),
        )  # fmt: skip
    except pa.ArrowException:  # (a row of another width, ...: not such rows)
        return None
    if table.num_rows != n_rows or table.column_names != names:
        return None
    if any(not pa.types.is_string(t) for t in table.schema.types):
        return None
    return PlainRows(table)


# the default set in every spelling, for pyarrow (which compares exactly): the in-memory
# reader's (pyarrow's own default adds #N/A, 1.#IND, ..., which glassnet reads as text)
_NULLS = null_values(MISSING_TOKENS)


@_worded
def from_parquet(
    path: str | os.PathLike[str],
    target: str,
    *,
    standardize: bool = False,
    labels: bool | None = None,
    batch_rows: int = 65_536,
    buffer_size: int = 65_536,
    dtype: Any = np.float32,
    caller: str = "from_parquet",
) -> Stream:
    """A Parquet file read ``batch_rows`` rows at a time (pyarrow ``iter_batches``).

    The columns that pandas' ``DataFrame.to_parquet`` writes for the frame's row index (those
    its ``b'pandas'`` metadata lists in ``index_columns``: ``'__index_level_0__'`` for a
    filtered, sorted or concatenated frame's index, the column of ``set_index('id')``) are
    left out of the features, as ``pd.read_parquet`` takes them for the index, not for
    data; ``columns.dropped`` names them. One named as the ``target`` is the target. To
    train on such a column, save the frame after ``reset_index()`` (a frame's default
    index, 0..n-1, is saved as metadata only, with no column). ``caller``: as
    :func:`from_csv`'s.
    """
    check_number(batch_rows, "batch_rows", "from_parquet", low=1, integer=True)
    check_number(buffer_size, "buffer_size", "from_parquet", low=1, integer=True)
    dtype = _table_args("from_parquet", target, standardize, labels, dtype)
    pa = _pyarrow()
    import pyarrow.parquet as pq

    path = _existing(path)

    def opened() -> Any:
        try:
            return pq.ParquetFile(path)
        except pa.ArrowInvalid as e:  # an empty file, a CSV named .parquet, a cut-off copy
            with open(path, "rb") as f:
                if f.read(2) == b"\x1f\x8b":  # (gzip's magic bytes)
                    raise ValueError(
                        f"fit: '{path}' is gzip-compressed, which pyarrow does not read for a "
                        "Parquet file (it reads the compression inside one: snappy, gzip, "
                        "zstd): decompress it (gunzip) and read the .parquet file."
                    ) from None
            raise ValueError(
                f"fit: '{path}' is not a Parquet file that pyarrow can read ({e}); check that "
                "the file is complete, or read a CSV file with from_csv."
            ) from None

    read_as: list[tuple[int, ...]] = []  # the file's stamp as the statistics pass read it

    def batches() -> Iterator[Any]:
        # every pass reads the file the statistics pass read (a file replaced, or rows
        # appended between epochs, refused as from_csv refuses it)
        stamp = _stamp(path)
        _unchanged(path, read_as)
        with opened() as f:
            yield from f.iter_batches(batch_size=batch_rows)
        _unchanged(path, read_as or [stamp])
        if not read_as:
            read_as.append(stamp)

    with opened() as f:
        index = _pandas_index_columns(f.schema_arrow)
    return _table_stream(
        batches, target, standardize=standardize, labels=labels, buffer_size=buffer_size,
        dtype=dtype, where=lambda row: f"'{path}'" + (f" row {row + 1}" if row >= 0 else ""),
        dropped=index, row_note=_parquet_rows,
    )  # fmt: skip


def _parquet_rows(row: int) -> str:
    """How a Parquet error's row (data row ``row``, 0-based, named ``row + 1``) counts."""
    return (
        f" (Rows count from 1, the file's first row being row 1: in pandas, this is "
        f"df.iloc[{row}], 0-based, as Columns.transform counts rows.)"
    )


def _pandas_index_columns(schema: Any) -> frozenset[str]:
    """The columns of a table ``schema`` that hold pandas' row index, as its ``b'pandas'``
    metadata lists them (``index_columns``: a name per stored index level; a RangeIndex is
    described there, not stored); none for a file that pandas did not write."""
    import json

    meta = (schema.metadata or {}).get(b"pandas")
    if meta is None:
        return frozenset()
    try:
        listed = json.loads(meta).get("index_columns", [])
    except (ValueError, AttributeError):  # (metadata another writer garbled: no index known)
        return frozenset()
    if not isinstance(listed, list):
        return frozenset()
    return frozenset(n for n in listed if isinstance(n, str) and n in schema.names)


def _existing(path: Any) -> str:
    if not isinstance(path, (str, os.PathLike)):
        raise TypeError(
            f"fit: a file to read must be a path, a str or a pathlib.Path. Got "
            f"{type(path).__name__} {path!r:.60}."
        )
    p = Path(path)
    if p.is_dir():
        raise IsADirectoryError(f"fit: '{p}' is a directory, not a CSV file; give a file's path.")
    if not p.is_file():
        from .files import tilde_hint

        raise FileNotFoundError(f"fit: no file at '{p}'{tilde_hint(p)}.")
    return str(p)


def as_stream(
    X: Any, y: Any, sample_weight: Any = None, labels: bool | None = None
) -> Stream | None:
    """:func:`_as_stream`, whose sorted-label warning is for class labels only: with
    ``labels=False`` (a regression's loss) whole-number targets in runs (ratings 1-5 sorted)
    are no classes one after the other, and the stream does not warn."""
    src = _as_stream(X, y, sample_weight, labels)
    if src is not None and labels is False and hasattr(src, "warn_label_runs"):
        src.warn_label_runs = False
    return src


def _as_stream(
    X: Any, y: Any, sample_weight: Any = None, labels: bool | None = None
) -> Stream | None:
    """The stream ``fit`` trains on for ``X`` (None for in-memory arrays): a Stream as is,
    a .csv/.parquet path (``y`` names the target column), memmaps, or an iterable of chunks
    or a function returning a fresh iterator of them (``y`` None)."""
    if isinstance(X, np.memmap):
        if isinstance(y, str):
            raise TypeError(
                f"fit: X is a memmap and y is {y!r}, a column's name: a target column is "
                "named in a CSV or Parquet file (fit(model, 'data.csv', 'label')); beside "
                "arrays or memmaps, y is the targets themselves (an array or memmap)."
            )
        if X.ndim != 2:  # (fit's argument named, not from_arrays', which fit calls)
            raise ValueError(
                f"fit: X (a memmap, which fit streams) must be 2-D, of shape (rows, "
                f"features). Got shape {X.shape}; a single feature is X.reshape(-1, 1)."
            )
        return from_arrays(X, y, sample_weight, caller="fit")
    if isinstance(X, Stream) and y is not None:
        raise TypeError(
            f"fit: X is a Stream, which holds its targets: pass y=None (got {_given(y)}, "
            "which fit would ignore)."
        )
    chunks = (
        "a function returning chunks" if callable(X) and not hasattr(X, "__array__")
        else "a list of chunks" if _chunk_list(X)
        else None
    )  # fmt: skip
    if chunks is not None and y is not None:
        raise TypeError(
            f"fit: X is {chunks}, whose chunks carry their own targets ((X, y) or (X, y, "
            f"sample_weight) each): pass y=None (got {_given(y)})."
        )
    source = (
        "a Stream" if isinstance(X, Stream)
        else "a file path" if isinstance(X, (str, os.PathLike))
        else "an iterable of chunks" if y is None and _chunky(X)
        else None
    )  # fmt: skip
    if source is not None and sample_weight is not None:
        raise TypeError(
            f"fit: X is {source}, so a sample_weight array beside it would be ignored: give "
            "the weights in the chunks, (X, y, sample_weight), or pass memmaps: fit(model, "
            "X, y, sample_weight=w)."
        )
    if isinstance(X, Stream):
        return X
    if isinstance(X, (str, os.PathLike)):
        if not isinstance(y, str):
            raise TypeError(
                f"fit: X is a file path, so y names its target column (a str). Got "
                f"{type(y).__name__}."
            )
        suffix = Path(Path(X).name.lower().removesuffix(".gz")).suffix  # (from_csv unzips)
        # read as float64, as the file holds them: fit's checks convert each chunk to the
        # model's dtype (float32 first would round a float64 model's data)
        if suffix in (".parquet", ".pq"):
            return from_parquet(X, y, labels=labels, dtype=np.float64, caller="fit")
        if suffix in (".csv", ".txt", ".tsv") or suffix.startswith(".csv"):
            return from_csv(X, y, labels=labels, dtype=np.float64, caller="fit")
        raise ValueError(
            f"fit: '{X}' is neither a .csv (.csv.gz) nor a .parquet file: read it with "
            "stream.from_csv(path, target) or stream.from_parquet(path, target) and pass that "
            "stream."
        )
    if source is not None:
        return from_chunks(X)
    return None


def _given(y: Any) -> str:
    """``y`` in a few words: an array's type and shape, else its type and text."""
    shape = getattr(y, "shape", None)
    if isinstance(shape, tuple):
        return f"{type(y).__name__} of shape {shape}"
    return f"{type(y).__name__} {y!r:.40}"


def _chunk_list(X: Any) -> bool:
    """A list (or tuple) of chunks: its first item an (X, y) or (X, y, w) of a 2-D X."""
    if not isinstance(X, (list, tuple)) or not X:
        return False
    c = X[0]
    return isinstance(c, (tuple, list)) and len(c) in (2, 3) and np.ndim(c[0]) == 2


def _chunky(X: Any) -> bool:
    """An iterable of chunks, or a function returning one (not an array)."""
    return (hasattr(X, "__iter__") or callable(X)) and not hasattr(X, "__array__")


def warn_resumed(seed: Any, initial_epoch: int) -> None:
    """fit's warning: an int seed resumed on a stream repeats epoch 1's shuffle order."""
    warnings.warn(  # (its buffer draws as many numbers as its rows need: not skipped)
        f"fit: seed={seed} with initial_epoch={initial_epoch} on a stream repeats epoch 1's "
        "shuffle order; for a resumable order train with a seed function of the epoch, "
        f"seed=lambda e: numpy.random.default_rng([{seed}, e]).", UserWarning,
        stacklevel=user_level(),
    )  # fmt: skip
