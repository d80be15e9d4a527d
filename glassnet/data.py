"""Mini-batches for hand-written training loops, shaped like PyTorch's
``DataLoader(TensorDataset(X, y), batch_size=..., shuffle=...)``, with PyTorch's
``Dataset`` base class, ``Subset`` and ``random_split``.

>>> import numpy as np
>>> from glassnet.data import DataLoader, TensorDataset
>>> X, y = np.arange(10.0).reshape(5, 2), np.array([0, 1, 0, 1, 1])
>>> loader = DataLoader(TensorDataset(X, y), batch_size=2, shuffle=True, generator=0)
>>> len(loader), [xb.shape for xb, yb in loader]
(3, [(2, 2), (2, 2), (1, 2)])

``fit`` batches by itself (faster: it gathers rows into reused buffers); these are for
loops written out step by step, as in the lecture::

    for xb, yb in loader:
        opt.zero_grad()
        loss = loss_fn(model(xb), yb)
        loss.backward()
        opt.step()
"""

from __future__ import annotations

import itertools
import warnings
from collections.abc import Iterator, Mapping
from typing import Any

import numpy as np

from ._validation import ParameterError, as_rng, check_bool, check_number
from .habits import Array
from .tensor import Tensor

__all__ = ["DataLoader", "Dataset", "Subset", "TensorDataset", "random_split"]


def _batch(a: np.ndarray) -> Any:
    """Rows as a Tensor (float data) or as an array (integer or bool labels: a Tensor holds
    floats, and glassnet's losses take integer class labels as arrays): a
    :class:`glassnet.habits.Array`, with the calls a PyTorch loop makes on its labels
    (``y.to(device)``, ``y.float()``, ``y.long()``, ``y.view(-1, 1)``, ``y.size(0)``)."""
    a = np.asarray(a)  # (a[i] of a 1-D array is a NumPy scalar, which no view makes an Array)
    return Tensor(a) if a.dtype.kind == "f" else a.view(Array) if a.dtype.kind in "biu" else a


def _convert(item: Any) -> Any:
    """PyTorch's ``default_convert`` of one item (``batch_size=None``): its NumPy arrays and
    scalars as a batch's would be (a Tensor, an Array), inside tuples, lists and dicts;
    anything else as it is."""
    if isinstance(item, Mapping):
        return {k: _convert(v) for k, v in item.items()}
    if isinstance(item, (tuple, list)):
        items = map(_convert, item)  # (a namedtuple takes its fields one by one)
        return type(item)(*items) if hasattr(item, "_fields") else type(item)(items)
    return _batch(item) if isinstance(item, (np.ndarray, np.generic)) else item


def _array(a: Any) -> np.ndarray:
    return np.asarray(a.data if isinstance(a, Tensor) else a)


def _collate(items: list[Any]) -> Any:
    """Items of a dataset stacked into a batch, as PyTorch's ``default_collate``: tuples
    and lists position by position (a list of batches), dicts key by key, and anything
    else (an array, a Tensor, a number) stacked along a new first axis."""
    first = items[0]
    if isinstance(first, Mapping):
        return {k: _collate([item[k] for item in items]) for k in first}
    if isinstance(first, (tuple, list)):
        return [_collate(list(col)) for col in zip(*items)]
    return _batch(np.stack([_array(v) for v in items]))


class Dataset:
    """PyTorch's base class of a map-style dataset: a subclass gives ``__getitem__(i)`` (an
    item: an array, a tuple of them, a dict) and ``__len__``; :class:`DataLoader` batches it."""

    def __getitem__(self, i: int) -> Any:
        raise NotImplementedError(f"{type(self).__name__} must define __getitem__(self, i).")

    def __len__(self) -> int:
        raise NotImplementedError(f"{type(self).__name__} must define __len__(self).")


class Subset(Dataset):
    """The items of ``dataset`` at ``indices``, in that order (PyTorch's ``Subset``)."""

    def __init__(self, dataset: Any, indices: Any) -> None:
        idx = np.asarray(indices.data if isinstance(indices, Tensor) else indices)
        exact = float(2 ** (np.finfo(idx.dtype).nmant + 1)) if idx.dtype.kind == "f" else 0.0
        whole = idx.dtype.kind in "iu" or (  # (floats: whole, finite, in their exact range)
            idx.dtype.kind == "f" and np.all(np.isfinite(idx)) and np.all(idx == np.round(idx))
            and np.all(np.abs(idx) < exact)
        )  # fmt: skip
        if idx.ndim != 1 or (idx.size and not whole):  # (gn.arange's floats: whole numbers)
            raise ParameterError(
                f"Subset: indices must be a list of whole numbers (positions in the dataset), "
                f"floats only where they hold them exactly (float32 up to 2**24): pass integer "
                f"indices. Got {indices!r:.60}."
            )
        self.dataset, self.indices = dataset, idx.astype(np.int64)

    def __getitem__(self, i: Any) -> Any:
        if isinstance(i, bool) or not isinstance(i, (int, np.integer)):
            raise TypeError(f"Subset takes one index (an int), as a dataset does. Got {i!r:.40}.")
        return self.dataset[int(self.indices[i])]

    def __len__(self) -> int:
        return len(self.indices)


def _rng(generator: Any, owner: str) -> np.random.Generator:
    """``as_rng`` of a loader's or split's ``generator``; PyTorch's ``torch.Generator``
    (what a PyTorch script passes) named, with what to pass instead."""
    if type(generator).__module__.split(".")[0] == "torch":
        seed = getattr(generator, "initial_seed", None)
        seed = f"{seed()}" if callable(seed) else "42"
        raise ParameterError(
            f"The 'generator' parameter of {owner} is a {type(generator).__name__} of PyTorch; "
            f"glassnet draws the order with NumPy: pass a seed (generator={seed}) or a "
            "numpy.random.Generator (np.random.default_rng(seed)). The same seed gives "
            "another order than PyTorch's."
        )
    return as_rng(generator, owner, "generator")


def random_split(dataset: Any, lengths: Any, generator: Any = None) -> list[Subset]:
    """``dataset`` split at random into :class:`Subset` s of ``lengths``, as PyTorch's:
    counts that sum to ``len(dataset)``, or fractions that sum to 1 (each gets the floor of
    its share, and the rows left over go one each to the first subsets). ``generator``: a
    seed or a NumPy Generator (None: glassnet's default one, which :func:`manual_seed`
    seeds): NumPy's permutation, so a seed does not split as PyTorch's does."""
    n, parts = len(dataset), list(lengths)
    fractions = parts and all(isinstance(k, (float, np.floating)) and 0 <= k <= 1 for k in parts)
    if fractions and abs(sum(parts) - 1) < 1e-9:
        counts = [int(np.floor(n * k)) for k in parts]
        for i in range(n - sum(counts)):
            counts[i % len(counts)] += 1
        parts = counts
    if not parts or any(isinstance(k, bool) or not isinstance(k, (int, np.integer)) or k < 0
                        for k in parts) or sum(parts) != n:  # fmt: skip
        raise ParameterError(
            f"random_split: lengths must be counts >= 0 that sum to the dataset's length ({n}), "
            f"or fractions that sum to 1. Got {lengths!r:.80}."
        )
    order = _rng(generator, "random_split").permutation(n)
    ends = np.cumsum(parts)
    return [Subset(dataset, order[e - k : e]) for k, e in zip(parts, ends)]


class TensorDataset(Dataset):
    """Arrays (or Tensors) of the same length, indexed together: ``ds[i]`` is the tuple of
    their i-th rows, as PyTorch's ``TensorDataset``."""

    def __init__(self, *arrays: Any) -> None:
        self.arrays = [_array(a) for a in arrays]
        lengths = [a.shape[0] if a.ndim else None for a in self.arrays]
        if not arrays or None in lengths or len(set(lengths)) != 1:
            raise ParameterError(
                f"TensorDataset takes one or more arrays with the same number of rows. Got "
                f"shapes {[a.shape for a in self.arrays]}."
            )

    def __len__(self) -> int:
        return self.arrays[0].shape[0]

    def __getitem__(self, i: Any) -> tuple[Any, ...]:
        return tuple(_batch(a[i]) for a in self.arrays)


def _reusable(value: Any, name: str) -> Any:
    """DataLoader's ``sampler`` or ``batch_sampler``: None, or an iterable that ``iter()``
    walks anew each epoch (a list, an array, a PyTorch ``Sampler``)."""
    if value is None:
        return None
    if isinstance(value, (str, bytes, Mapping, Tensor)) or not hasattr(value, "__iter__"):
        what = "a Tensor (pass an integer array)" if isinstance(value, Tensor) else f"{value!r:.60}"
        raise ParameterError(
            f"The '{name}' parameter of DataLoader must be an iterable of "
            f"{'lists of ' if name == 'batch_sampler' else ''}indices into the dataset (a "
            f"list, an integer array, or a Sampler). Got {what}."
        )
    if iter(value) is value:
        raise ParameterError(
            f"The '{name}' parameter of DataLoader is a one-pass iterator "
            f"({type(value).__name__}): the second epoch would have no batches. Pass a list "
            f"(list({name})) or an object whose iter() starts anew each time."
        )
    return value


def _no_workers(
    timeout: Any,
    worker_init_fn: Any,
    multiprocessing_context: Any,
    prefetch_factor: Any,
    persistent_workers: Any,
    pin_memory_device: Any,
    in_order: Any,
) -> None:
    """PyTorch's options of worker processes, as its loader takes them with
    ``num_workers=0`` (glassnet's only value): ``timeout=0``, ``worker_init_fn``,
    ``pin_memory_device`` and ``in_order`` taken, changing nothing (no worker to wait for,
    start or reorder); ``multiprocessing_context``, ``prefetch_factor``,
    ``persistent_workers=True`` and a ``timeout`` other than 0 refused, as PyTorch refuses
    them without workers."""
    check_number(timeout, "timeout", "DataLoader", low=0)
    check_bool(persistent_workers, "persistent_workers", "DataLoader")
    check_bool(in_order, "in_order", "DataLoader")
    if worker_init_fn is not None and not callable(worker_init_fn):
        raise ParameterError(
            "The 'worker_init_fn' parameter of DataLoader must be a function or None. Got "
            f"{worker_init_fn!r:.60}."
        )
    if not isinstance(pin_memory_device, str):
        raise ParameterError(
            "The 'pin_memory_device' parameter of DataLoader must be a str. Got "
            f"{pin_memory_device!r:.60}."
        )
    given = {
        "multiprocessing_context": multiprocessing_context is not None,
        "prefetch_factor": prefetch_factor is not None,
        "persistent_workers=True": persistent_workers,
        f"timeout={timeout!r}": timeout != 0,
    }
    if any(given.values()):
        names = ", ".join(k for k, v in given.items() if v)
        raise ParameterError(
            f"DataLoader: {names} need worker processes (PyTorch refuses them with "
            "num_workers=0 too), and glassnet makes each batch in this process "
            "(num_workers=0). Leave them out."
        )


def _indices(idx: list[Any], name: str, n: int) -> np.ndarray:
    """A batch's indices from the loader's ``name`` (sampler, batch_sampler) as an integer
    array, each in [0, n)."""
    arr = np.asarray(idx) if idx else np.zeros(0, np.int64)
    if not idx or arr.ndim != 1 or arr.dtype.kind not in "iu":
        each = "a non-empty list of them per batch" if name == "batch_sampler" else "one by one"
        raise ParameterError(
            f"DataLoader's '{name}' must give whole-number indices into the dataset ({each}). "
            f"Got {idx!r:.80}."
        )
    if arr.min() < 0 or arr.max() >= n:
        bad = arr[(arr < 0) | (arr >= n)][0]
        raise IndexError(
            f"DataLoader's '{name}' gave index {bad}, outside the dataset's {n} items "
            f"(0 to {n - 1})."
        )
    return arr


class DataLoader:
    """Mini-batches of a dataset, as PyTorch's ``DataLoader`` (single process).

    Parameters
    ----------
    dataset : TensorDataset, an array or Tensor (batches of its rows), or any object with
        ``len()`` and ``dataset[i]``: a tuple of arrays (stacked into a batch per
        position), a dict (key by key) or one array (stacked).
    batch_size : int >= 1 or None, default 1
        None: no batches, as PyTorch's ``batch_size=None``: the loader gives the items one
        at a time (``dataset[i]``: a TensorDataset's tuple of rows, an array's row; each
        passed to ``collate_fn`` when one is given), in the order of ``shuffle`` or
        ``sampler``, and ``len(loader)`` counts them; not with ``drop_last=True``.
    shuffle : bool or None, default False
        A new order every epoch (every ``iter(loader)``), drawn from ``generator``. None
        (PyTorch's default) is False.
    sampler, batch_sampler : see below
    num_workers : 0
        PyTorch's argument, accepted as 0: each batch is made in this process when the
        loop asks for it (NumPy slicing costs less than worker processes would).
    collate_fn : callable, optional
        ``collate_fn(items)`` makes each batch from the list of its items (``dataset[i]``),
        as PyTorch's; default: PyTorch's default collation (below).
    pin_memory : bool, default False
        PyTorch's page-locked host memory for copies to a GPU, which NumPy arrays do not
        have: True is taken with a warning that it changes nothing (PyTorch warns likewise
        without a GPU).
    drop_last : bool, default False
        Leave out the last, smaller batch.
    timeout, worker_init_fn, multiprocessing_context : PyTorch's options of worker processes
        ``timeout=0`` and ``worker_init_fn`` are taken and change nothing, as in PyTorch's
        loader with ``num_workers=0``; ``multiprocessing_context`` must be None.
    generator : None, int or numpy.random.Generator
        The shuffling's randomness; None: glassnet's default generator at each
        ``iter(loader)`` (so :func:`glassnet.manual_seed` called after the loader was made
        still decides the order, as ``torch.manual_seed`` does).
    prefetch_factor, persistent_workers, pin_memory_device, in_order : keyword-only
        PyTorch's: ``prefetch_factor`` None and ``persistent_workers`` False (PyTorch
        refuses the others without workers); ``pin_memory_device`` and ``in_order`` are
        taken and change nothing.

    The arguments are in PyTorch's order, so a positional call means what it means there.

    sampler : iterable of indices, optional
        The order of the items, as PyTorch's: a list or array of indices into the dataset,
        or an object whose ``iter()`` yields them anew each epoch (a PyTorch ``Sampler``),
        taken ``batch_size`` at a time. Not with ``shuffle=True`` (the sampler decides the
        order) nor with ``generator``; a one-pass iterator (a generator) is refused, as its
        second epoch would have no batches.
    batch_sampler : iterable of lists of indices, optional
        The batches themselves, as PyTorch's: each item a list of indices. Not with
        ``batch_size``, ``shuffle``, ``sampler``, ``drop_last`` or ``generator``.

    ``len(loader)`` is the number of batches. Each batch of a TensorDataset is a list with
    one entry per array of the dataset: a Tensor for float data, an array for integer
    labels; a batch of an array's or Tensor's rows is one Tensor (or array).
    """

    def __init__(
        self,
        dataset: Any,
        batch_size: int | None = 1,
        shuffle: bool | None = False,
        sampler: Any = None,
        batch_sampler: Any = None,
        num_workers: int = 0,
        collate_fn: Any = None,
        pin_memory: bool = False,
        drop_last: bool = False,
        timeout: float = 0,
        worker_init_fn: Any = None,
        multiprocessing_context: Any = None,
        generator: Any = None,
        *,
        prefetch_factor: Any = None,
        persistent_workers: bool = False,
        pin_memory_device: str = "",
        in_order: bool = True,
    ) -> None:
        if isinstance(num_workers, bool) or num_workers != 0:
            raise ParameterError(
                "The 'num_workers' parameter of DataLoader must be 0: glassnet makes each batch "
                f"in this process when the loop asks for it. Got {num_workers!r}; leave it out."
            )
        _no_workers(timeout, worker_init_fn, multiprocessing_context, prefetch_factor,
                    persistent_workers, pin_memory_device, in_order)  # fmt: skip
        if not (hasattr(dataset, "__len__") and hasattr(dataset, "__getitem__")):
            raise ParameterError(
                "The 'dataset' parameter of DataLoader must support len(dataset) and "
                f"dataset[i]: a TensorDataset(X, y), an array or a list of items. Got "
                f"{type(dataset).__name__}; wrap arrays as TensorDataset(X, y)."
            )
        if collate_fn is not None and not callable(collate_fn):
            raise ParameterError(
                f"The 'collate_fn' parameter of DataLoader must be a function of a list of items "
                f"or None. Got {collate_fn!r:.60}."
            )
        if check_bool(pin_memory, "pin_memory", "DataLoader"):
            warnings.warn(
                "DataLoader(pin_memory=True) changes nothing in glassnet: NumPy arrays have no "
                "page-locked memory (batches move to a GPU with fit(device=) or x.to('cuda')).",
                UserWarning,
                stacklevel=2,
            )
        self.collate_fn = collate_fn
        self.dataset = dataset
        # None: PyTorch's loader without batches (the items one at a time)
        self._items = batch_size is None and batch_sampler is None
        self.batch_size = None
        if batch_size is not None:
            self.batch_size = check_number(
                batch_size, "batch_size", "DataLoader", low=1, integer=True
            )
        self.shuffle = False if shuffle is None else check_bool(shuffle, "shuffle", "DataLoader")
        self.drop_last = check_bool(drop_last, "drop_last", "DataLoader")
        if self._items and self.drop_last:  # (PyTorch's rule, which names both too)
            raise ParameterError(
                "DataLoader: batch_size=None gives the items one at a time, with no batches, "
                "so drop_last=True has no last batch to leave out (PyTorch refuses the two "
                "together too). Give a batch_size, or leave drop_last out."
            )
        self.sampler = _reusable(sampler, "sampler")
        self.batch_sampler = _reusable(batch_sampler, "batch_sampler")
        if batch_sampler is not None:  # (PyTorch's rule and message, with what was given)
            given = [f"batch_size={batch_size!r}"] if batch_size != 1 else []
            given += ["shuffle=True"] if self.shuffle else []
            given += ["sampler"] if sampler is not None else []
            given += ["drop_last=True"] if self.drop_last else []
            given += ["generator"] if generator is not None else []
            if given:
                raise ParameterError(
                    "The 'batch_sampler' parameter of DataLoader is mutually exclusive with "
                    "batch_size, shuffle, sampler, drop_last and generator: its batches are "
                    f"the batches. Got also {', '.join(given)}; leave those out."
                )
            self.batch_size = None  # (as PyTorch's loader says)
        elif sampler is not None and (self.shuffle or generator is not None):
            raise ParameterError(
                "The 'sampler' parameter of DataLoader is mutually exclusive with shuffle=True "
                "and generator: the sampler decides the order (a shuffled one: pass "
                "np.random.default_rng(seed).permutation(n) as the sampler). Got sampler with "
                f"shuffle={shuffle!r}, generator={generator!r:.40}."
            )
        # None stays None: the default generator is looked up at each iter(loader)
        self.generator = None if generator is None else _rng(generator, "DataLoader")

    def __len__(self) -> int:
        if self.batch_sampler is not None or self.sampler is not None:
            name = "batch_sampler" if self.batch_sampler is not None else "sampler"
            try:
                n = len(self.batch_sampler if self.batch_sampler is not None else self.sampler)
            except TypeError as e:
                raise TypeError(
                    f"len(loader): the loader's {name} has no len() (it is iterable only), so "
                    "the number of batches is not known before the epoch; count them as they "
                    "come, or give the sampler a __len__."
                ) from e
            if self.batch_sampler is not None:
                return n
        else:
            n = len(self.dataset)
        b = 1 if self._items else self.batch_size
        return n // b if self.drop_last else -(-n // b)

    def _batches(self, n: int) -> Iterator[np.ndarray]:
        """The indices of each batch: from batch_sampler, from sampler ``batch_size`` at a
        time, or from the order of range(n) (shuffled with ``shuffle``)."""
        if self.batch_sampler is not None:
            for batch in self.batch_sampler:
                if isinstance(batch, (int, np.integer)) or not hasattr(batch, "__iter__"):
                    raise ParameterError(
                        "Each batch of DataLoader's 'batch_sampler' must be a list of indices. "
                        f"Got {batch!r:.40}: for a sequence of single indices, pass it as "
                        "sampler= with batch_size=."
                    )
                yield _indices(list(batch), "batch_sampler", n)
            return
        b = 1 if self._items else self.batch_size
        if self.sampler is not None:
            it = iter(self.sampler)
            while (chunk := list(itertools.islice(it, b))) and (
                len(chunk) == b or not self.drop_last
            ):
                yield _indices(chunk, "sampler", n)
            return
        order = as_rng(self.generator).permutation(n) if self.shuffle else np.arange(n)
        for start in range(0, len(self) * b, b):
            yield order[start : start + b]

    def __iter__(self) -> Iterator[Any]:
        data, n = self.dataset, len(self.dataset)
        arrays = getattr(data, "arrays", None)  # a TensorDataset: index its arrays
        rows = _array(data) if isinstance(data, (np.ndarray, Tensor)) else None
        for idx in self._batches(n):
            if self._items:  # batch_size=None: the item itself (collate_fn's of it)
                i = int(idx[0])
                if self.collate_fn is not None:  # (PyTorch's hands it the item as it is)
                    yield self.collate_fn(rows[i] if rows is not None else data[i])
                else:
                    yield _batch(rows[i]) if rows is not None else _convert(data[i])
            elif self.collate_fn is not None:  # the user's batches, of the items
                yield self.collate_fn([data[int(i)] for i in idx])
            elif arrays is not None:
                yield [_batch(a[idx]) for a in arrays]
            elif rows is not None:  # an array or Tensor: a batch of its rows
                yield _batch(rows[idx])
            else:  # any dataset: its items stacked, position by position
                yield _collate([data[int(i)] for i in idx])
