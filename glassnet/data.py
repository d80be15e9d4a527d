"""Mini-batches for hand-written training loops, shaped like PyTorch's
``DataLoader(TensorDataset(X, y), batch_size=..., shuffle=...)``, with PyTorch's
``Dataset`` and ``IterableDataset`` base classes, ``Subset``, ``ConcatDataset``,
``ChainDataset``, ``random_split``, ``default_collate`` and the samplers (``Sampler``,
``SequentialSampler``, ``RandomSampler``, ``SubsetRandomSampler``,
``WeightedRandomSampler``, ``BatchSampler``), whose draws come from glassnet's generators.

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

import bisect
import itertools
import warnings
from collections.abc import Iterable, Iterator, Mapping
from typing import Any, Generic, TypeVar

import numpy as np

from ._validation import (
    ParameterError,
    arrow_read,
    as_rng,
    check_bool,
    check_number,
    detached,
    not_sparse,
    tensor_data,
    unmasked,
)
from .habits import Array
from .tensor import Tensor

# fmt: off
__all__ = [
    "BatchSampler", "ChainDataset", "ConcatDataset", "DataLoader", "Dataset", "IterableDataset",
    "RandomSampler", "Sampler", "SequentialSampler", "Subset", "SubsetRandomSampler",
    "StackDataset", "TensorDataset", "WeightedRandomSampler", "default_collate",
    "default_convert", "get_worker_info", "random_split",
]
# fmt: on

T_co = TypeVar("T_co", covariant=True)


def _batch(a: np.ndarray) -> Any:
    """Rows as a Tensor (float data) or as an array (integer or bool labels: a Tensor holds
    floats, and glassnet's losses take integer class labels as arrays): a
    :class:`glassnet.habits.Array`, with the calls a PyTorch loop makes on its labels
    (``y.to(device)``, ``y.float()``, ``y.long()``, ``y.view(-1, 1)``, ``y.size(0)``)."""
    a = np.asarray(a)  # (a[i] of a 1-D array is a NumPy scalar, which no view makes an Array)
    return Tensor(a) if a.dtype.kind == "f" else a.view(Array) if a.dtype.kind in "biu" else a


def default_convert(data: Any) -> Any:
    """PyTorch's ``default_convert``, the DataLoader's handling of one item with
    ``batch_size=None``: NumPy arrays and scalars as a batch's would be (float values a
    Tensor, integer or bool ones an :class:`~glassnet.habits.Array`), inside tuples, lists
    and dicts, without stacking; anything else as it is.

    >>> import numpy as np
    >>> x, y = default_convert((np.array([1.0, 2.0]), np.int64(3)))
    >>> type(x).__name__, int(y)
    ('Tensor', 3)
    """
    if isinstance(data, Mapping):
        return {k: default_convert(v) for k, v in data.items()}
    if isinstance(data, (tuple, list)):
        items = map(default_convert, data)  # (a namedtuple takes its fields one by one)
        return type(data)(*items) if hasattr(data, "_fields") else type(data)(items)
    return _batch(data) if isinstance(data, (np.ndarray, np.generic)) else data


_convert = default_convert


def _array(a: Any) -> np.ndarray:
    return np.asarray(detached(a))  # (a glassnet or torch tensor's values)


def _text(a: np.ndarray) -> bool:
    """Whether an object array holds text (pandas' text Series reads as one)."""
    return a.dtype == object and any(isinstance(v, (str, bytes)) for v in a.flat)


def _stack(items: list[Any]) -> Any:
    arrays = [_array(v) for v in items]
    shapes = {a.shape for a in arrays}
    if len(shapes) > 1:
        raise ValueError(
            f"default_collate: the items of a batch have different shapes {sorted(shapes)}, "
            "so they do not stack into one array: give the DataLoader a collate_fn that pads "
            "or lists them, or items of one shape."
        )
    stacked = np.stack(arrays)
    if stacked.dtype.kind in "US":  # (PyTorch's default_collate refuses them too)
        raise TypeError(
            "default_collate: batch must contain tensors, numpy arrays, numbers, dicts or "
            f"lists; found {stacked.dtype} (text), as PyTorch refuses it: convert numbers "
            "written as text with .astype(float), encode text, or give the DataLoader a "
            "collate_fn that batches them."
        )
    if stacked.dtype == object:  # (None, a Fraction, a set: PyTorch's TypeError)
        bad = next((v for v, a in zip(items, arrays) if a.dtype == object), items[0])
        raise TypeError(
            "default_collate: batch must contain tensors, numpy arrays, numbers, dicts or "
            f"lists; found {type(bad)} ({bad!r:.40}), as PyTorch refuses it: make the "
            "dataset's items arrays or numbers, or give the DataLoader a collate_fn that "
            "batches them."
        )
    return _batch(stacked)


def _collate(items: list[Any]) -> Any:
    """Items of a dataset stacked into a batch, as PyTorch's ``default_collate``: tuples
    and lists position by position (a list of batches; a namedtuple stays one), dicts key
    by key, strings as the list of them, and anything else (an array, a Tensor, a number)
    stacked along a new first axis."""
    first = items[0]
    if isinstance(first, Mapping):
        return {k: _collate([item[k] for item in items]) for k in first}
    if isinstance(first, (str, bytes)):
        return list(items)
    if isinstance(first, (tuple, list)):
        if any(not isinstance(item, (tuple, list)) or len(item) != len(first) for item in items):
            raise ValueError(
                f"default_collate: each item of a batch must hold as many values as the first "
                f"({len(first)}), as PyTorch requires; got items of lengths "
                f"{sorted({len(i) if isinstance(i, (tuple, list)) else -1 for i in items})} "
                "(-1: not a tuple or list). Give the DataLoader a collate_fn for ragged items."
            )
        cols = [_collate(list(col)) for col in zip(*items)]
        return type(first)(*cols) if hasattr(first, "_fields") else cols
    return _stack(items)


def default_collate(batch: Any) -> Any:
    """PyTorch's ``default_collate(batch)``: a list of a dataset's items made one batch, as
    the :class:`DataLoader` makes it without a ``collate_fn``: arrays, Tensors and numbers
    stacked along a new first axis (a Tensor of float values, an :class:`~glassnet.habits.Array`
    of integer or bool ones), tuples and lists position by position (a list of batches; a
    namedtuple stays one), dicts key by key, strings as the list of them. Anything else
    (None, a set, an object) raises PyTorch's ``TypeError``, naming its type.

    >>> import numpy as np
    >>> xb, yb = default_collate([(np.array([1.0, 2.0]), 0), (np.array([3.0, 4.0]), 1)])
    >>> xb.shape, yb.tolist()
    ((2, 2), [0, 1])
    """
    if isinstance(batch, (str, bytes, Mapping)) or not hasattr(batch, "__len__") or not len(batch):
        raise ValueError(
            "default_collate: batch must be a non-empty list of a dataset's items (what "
            f"dataset[i] gives). Got {batch!r:.60}."
        )
    return _collate(list(batch))


class Dataset(Generic[T_co]):
    """PyTorch's base class of a map-style dataset: a subclass gives ``__getitem__(i)`` (an
    item: an array, a tuple of them, a dict) and ``__len__``; :class:`DataLoader` batches it.
    ``ds1 + ds2`` is their :class:`ConcatDataset`, as PyTorch's. As PyTorch's, the base
    class has no ``__len__`` (``len()`` of a subclass without one is a ``TypeError``, and
    ``list()`` of an :class:`IterableDataset` without one reads its items)."""

    def __getitem__(self, i: int) -> Any:
        raise NotImplementedError(f"{type(self).__name__} must define __getitem__(self, i).")

    def __add__(self, other: Any) -> ConcatDataset:
        return ConcatDataset([self, other])


class IterableDataset(Dataset[T_co]):
    """PyTorch's base class of a dataset read as a stream: a subclass gives ``__iter__``
    (the items in order, anew at each ``iter()``), and may give ``__len__``.

    :class:`DataLoader` batches it as PyTorch's loader does (``num_workers=0``): each epoch
    walks ``iter(dataset)`` and collates ``batch_size`` items at a time (``drop_last``
    leaves out a shorter last batch; ``batch_size=None`` gives the items one at a time).
    Its order is the dataset's own, so ``shuffle=True``, ``sampler``, ``batch_sampler`` and
    ``generator`` are refused (shuffle inside ``__iter__``); ``len(loader)`` needs the
    dataset's ``len``. ``ds1 + ds2`` is their :class:`ChainDataset`.

    >>> class Squares(IterableDataset):
    ...     def __iter__(self):
    ...         return iter([float(i * i) for i in range(5)])
    >>> [b.tolist() for b in DataLoader(Squares(), batch_size=2)]
    [[0.0, 1.0], [4.0, 9.0], [16.0]]
    """

    def __iter__(self) -> Iterator[T_co]:
        raise NotImplementedError(
            f"{type(self).__name__} must define __iter__(self), giving the items in order."
        )

    def __add__(self, other: Any) -> ChainDataset:  # type: ignore[override]
        return ChainDataset([self, other])


def get_worker_info() -> None:
    """PyTorch's ``get_worker_info()``: None, as in PyTorch's main process; glassnet's
    loader has no worker processes (``num_workers=0``), so an :class:`IterableDataset` that
    splits its stream among workers gives the whole of it."""
    return None


class ConcatDataset(Dataset):
    """The items of several map-style datasets, one after the other (PyTorch's
    ``ConcatDataset(datasets)``); ``cumulative_sizes`` holds the running totals of their
    lengths. ``ds[i]`` takes negative ``i`` from the end, as PyTorch's.

    >>> import numpy as np
    >>> both = TensorDataset(np.zeros((3, 2))) + TensorDataset(np.ones((2, 2)))
    >>> len(both), both.cumulative_sizes, both[3][0].tolist()
    (5, [3, 5], [1.0, 1.0])
    """

    def __init__(self, datasets: Iterable[Any]) -> None:
        if isinstance(datasets, (str, bytes, Mapping)) or not isinstance(datasets, Iterable):
            raise ParameterError(
                "The 'datasets' parameter of ConcatDataset must be a list of datasets. Got "
                f"{datasets!r:.60}; wrap one dataset as [dataset]."
            )
        self.datasets = list(datasets)
        if not self.datasets:
            raise ParameterError(
                "The 'datasets' parameter of ConcatDataset is empty (PyTorch refuses it too): "
                "give at least one dataset."
            )
        for k, d in enumerate(self.datasets):
            if isinstance(d, IterableDataset):
                raise ParameterError(
                    f"ConcatDataset joins map-style datasets (len and [i]); datasets[{k}] is "
                    f"an IterableDataset ({type(d).__name__}), as PyTorch refuses too: join "
                    "iterable ones with ChainDataset."
                )
            if not (hasattr(d, "__len__") and hasattr(d, "__getitem__")):
                raise ParameterError(
                    f"ConcatDataset: datasets[{k}] must support len() and [i] (a Dataset, a "
                    f"TensorDataset, an array). Got {type(d).__name__}."
                )
        sizes = itertools.accumulate(len(d) for d in self.datasets)
        self.cumulative_sizes = [int(c) for c in sizes]

    def __len__(self) -> int:
        return self.cumulative_sizes[-1]

    def __getitem__(self, idx: Any) -> Any:
        if isinstance(idx, bool) or not isinstance(idx, (int, np.integer)):
            raise TypeError(f"ConcatDataset takes one index (an int). Got {idx!r:.40}.")
        n, idx = len(self), int(idx)
        if idx < 0:
            if -idx > n:
                raise ValueError(  # (PyTorch's type of error, for a negative index)
                    f"ConcatDataset: index {idx} is further back than the dataset's {n} items "
                    f"(from {-n} to {n - 1})."
                )
            idx += n
        if idx >= n:
            raise IndexError(
                f"ConcatDataset: index {idx} is outside the dataset's {n} items (0 to {n - 1})."
            )
        k = bisect.bisect_right(self.cumulative_sizes, idx)
        return self.datasets[k][idx - (self.cumulative_sizes[k - 1] if k else 0)]


class StackDataset(Dataset):
    """Several map-style datasets of one length side by side (PyTorch's
    ``StackDataset(*args, **kwargs)``): item ``i`` is the tuple of their items ``i`` (given
    by position) or the dict of them (given by name).

    >>> import numpy as np
    >>> images, labels = TensorDataset(np.zeros((3, 2))), np.arange(3)
    >>> pair = StackDataset(images, labels)
    >>> len(pair), int(pair[2][1])
    (3, 2)
    >>> sorted(StackDataset(x=images, y=labels)[0])
    ['x', 'y']
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        if args and kwargs:  # (PyTorch's rule)
            raise ParameterError(
                "StackDataset takes its datasets by position (items are tuples) or by name "
                "(items are dicts), not both, as PyTorch's. Got "
                f"{len(args)} by position and {sorted(kwargs)} by name."
            )
        if not (args or kwargs):
            raise ParameterError(
                "StackDataset needs at least one dataset (PyTorch refuses none too)."
            )
        named = kwargs or {f"datasets[{k}]": d for k, d in enumerate(args)}
        for name, d in named.items():
            if isinstance(d, IterableDataset) or not (
                hasattr(d, "__len__") and hasattr(d, "__getitem__")
            ):
                raise ParameterError(
                    f"StackDataset stacks map-style datasets (len and [i]); {name} is "
                    f"{type(d).__name__}. Give a Dataset, a TensorDataset or an array."
                )
        lengths = {name: len(d) for name, d in named.items()}
        if len(set(lengths.values())) > 1:
            raise ParameterError(
                "StackDataset: the datasets must have one length, as PyTorch requires. Got "
                + ", ".join(f"{n}: {k}" for n, k in lengths.items())
                + "."
            )
        self.datasets: tuple[Any, ...] | dict[str, Any] = dict(kwargs) if kwargs else args
        self._length = next(iter(lengths.values()))

    def __len__(self) -> int:
        return self._length

    def __getitem__(self, index: Any) -> Any:
        if isinstance(self.datasets, dict):
            return {k: d[index] for k, d in self.datasets.items()}
        return tuple(d[index] for d in self.datasets)


class ChainDataset(IterableDataset):
    """Several :class:`IterableDataset` s read one after the other (PyTorch's
    ``ChainDataset(datasets)``); ``len`` is the sum of theirs (a ``TypeError`` when one
    has no ``len()``, as PyTorch's)."""

    def __init__(self, datasets: Iterable[Any]) -> None:
        if isinstance(datasets, (str, bytes, Mapping)) or not isinstance(datasets, Iterable):
            raise ParameterError(
                "The 'datasets' parameter of ChainDataset must be a list of IterableDatasets. "
                f"Got {datasets!r:.60}."
            )
        self.datasets = list(datasets)
        for k, d in enumerate(self.datasets):
            if not isinstance(d, IterableDataset):
                raise ParameterError(
                    f"ChainDataset chains IterableDatasets (as PyTorch's); datasets[{k}] is a "
                    f"{type(d).__name__}: join map-style datasets with ConcatDataset."
                )

    def __iter__(self) -> Iterator[Any]:
        for d in self.datasets:
            yield from d

    def __len__(self) -> int:
        return sum(len(d) for d in self.datasets)


def _whole(indices: Any, owner: str) -> np.ndarray:
    """``indices`` (a list, an array, a Tensor) as a 1-D int64 array of whole numbers."""
    idx = np.asarray(indices.data if isinstance(indices, Tensor) else indices)
    exact = float(2 ** (np.finfo(idx.dtype).nmant + 1)) if idx.dtype.kind == "f" else 0.0
    whole = idx.dtype.kind in "iu" or (  # (floats: whole, finite, in their exact range)
        idx.dtype.kind == "f" and np.all(np.isfinite(idx)) and np.all(idx == np.round(idx))
        and np.all(np.abs(idx) < exact)
    )  # fmt: skip
    if idx.ndim != 1 or (idx.size and not whole):  # (gn.arange's floats: whole numbers)
        raise ParameterError(
            f"{owner}: indices must be a list of whole numbers (positions in the dataset), "
            f"floats only where they hold them exactly (float32 up to 2**24): pass integer "
            f"indices. Got {indices!r:.60}."
        )
    return idx.astype(np.int64)


class Subset(Dataset):
    """The items of ``dataset`` at ``indices``, in that order (PyTorch's ``Subset``)."""

    def __init__(self, dataset: Any, indices: Any) -> None:
        self.dataset, self.indices = dataset, _whole(indices, "Subset")

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


def _kept(generator: Any, owner: str) -> Any:
    """A sampler's or loader's ``generator``, checked now, to draw from at each epoch: a seed
    made its Generator once (so each epoch goes on with its stream), None (glassnet's
    default generator, looked up at each epoch) and a generator object kept as given (so
    re-seeding it later, as a torch.Generator is re-seeded, still counts)."""
    if generator is None:
        return None
    rng = _rng(generator, owner)
    return rng if isinstance(generator, (int, np.integer)) else generator


def random_split(dataset: Any, lengths: Any, generator: Any = None) -> list[Subset]:
    """``dataset`` split at random into :class:`Subset` s of ``lengths``, as PyTorch's:
    counts that sum to ``len(dataset)``, or fractions that sum to 1 (each gets the floor of
    its share, and the rows left over go one each to the first subsets). ``generator``: a
    seed or a NumPy Generator (None: glassnet's default one, which :func:`manual_seed`
    seeds): NumPy's permutation, so a seed does not split as PyTorch's does. Fractions that
    leave a subset empty warn, as PyTorch's (``UserWarning``: "Length of split at index 1 is
    0. This might result in an empty dataset.")."""
    n, many = len(dataset), hasattr(lengths, "__iter__") and getattr(lengths, "ndim", 1) != 0
    parts = list(lengths) if many else []  # (one number, None, a 0-d array: refused below)
    fractions = parts and all(isinstance(k, (float, np.floating)) and 0 <= k <= 1 for k in parts)
    if fractions and abs(sum(parts) - 1) < 1e-9:
        counts = [int(np.floor(n * k)) for k in parts]
        for i in range(n - sum(counts)):
            counts[i % len(counts)] += 1
        parts = counts
        for i, k in enumerate(parts):  # (PyTorch's warning, its words)
            if k == 0:
                warnings.warn(
                    f"Length of split at index {i} is 0. This might result in an empty dataset.",
                    UserWarning,
                    stacklevel=2,
                )
    if not parts or any(isinstance(k, bool) or not isinstance(k, (int, np.integer)) or k < 0
                        for k in parts) or sum(parts) != n:  # fmt: skip
        raise ParameterError(
            f"random_split: lengths must be a list of counts >= 0 that sum to the dataset's "
            f"length ({n}), or of fractions that sum to 1 (e.g. [0.8, 0.2]). Got {lengths!r:.80}."
        )
    order = _rng(generator, "random_split").permutation(n)
    ends = np.cumsum(parts)
    return [Subset(dataset, order[e - k : e]) for k, e in zip(parts, ends)]


def _numbers(a: Any, name: str) -> Any:
    """TensorDataset's array ``a`` (named ``name``): pyarrow data as pandas data
    (:func:`arrow_read`); nullable numbers as gn.tensor reads them (a missing value refused:
    it was NaN in silence); anything else as it is (text: refused by TensorDataset)."""
    a = unmasked(not_sparse(arrow_read(a), name, "TensorDataset"), name, "TensorDataset")
    dtypes = getattr(a, "dtypes", None)
    kinds = list(dtypes) if hasattr(dtypes, "items") else [dtypes]
    if any(not isinstance(t, np.dtype) and getattr(t, "kind", "O") in "biuf" for t in kinds):
        return tensor_data(a, "TensorDataset", name)
    return a


class TensorDataset(Dataset):
    """Arrays (or Tensors) of the same length, indexed together: ``ds[i]`` is the tuple of
    their i-th rows, as PyTorch's ``TensorDataset``."""

    def __init__(self, *arrays: Any) -> None:
        self._given = arrays
        self.arrays = [_array(_numbers(a, f"arrays[{i}]")) for i, a in enumerate(arrays)]
        odd = next((a.dtype for a in self.arrays if a.dtype.kind in "USmM" or _text(a)), None)
        if odd is not None:  # (a batch of them reaches the model as raw text or dates)
            raise TypeError(
                f"TensorDataset takes arrays of numbers. Got dtype {odd} (text, dates or "
                "durations): convert numbers written as text with .astype(float), encode "
                "text, and turn dates into numbers, e.g. days since a date, first."
            )
        lengths = [a.shape[0] if a.ndim else None for a in self.arrays]
        if not arrays or None in lengths or len(set(lengths)) != 1:
            raise ParameterError(
                f"TensorDataset takes one or more arrays with the same number of rows. Got "
                f"shapes {[a.shape for a in self.arrays]}."
            )

    @property
    def tensors(self) -> tuple[Any, ...]:
        """PyTorch's ``ds.tensors``: the tuple of the dataset's arrays, each a Tensor given
        as it was, else a Tensor of its float values or an :class:`~glassnet.habits.Array` of
        its integer ones (sharing its memory)."""
        return tuple(
            g if isinstance(g, Tensor) else _batch(a) for g, a in zip(self._given, self.arrays)
        )

    def __len__(self) -> int:
        return self.arrays[0].shape[0]

    def __getitem__(self, i: Any) -> tuple[Any, ...]:
        return tuple(_batch(a[i]) for a in self.arrays)


def _reusable(value: Any, name: str, owner: str = "DataLoader") -> Any:
    """DataLoader's (or BatchSampler's) ``sampler`` or ``batch_sampler``: None, or an
    iterable that ``iter()`` walks anew each epoch (a list, an array, a :class:`Sampler`)."""
    if value is None:
        return None
    if (
        isinstance(value, (str, bytes, Mapping, Tensor))
        or not hasattr(value, "__iter__")
        or getattr(value, "ndim", 1) == 0  # (a 0-d array: one number, no iterable)
    ):
        what = "a Tensor (pass an integer array)" if isinstance(value, Tensor) else f"{value!r:.60}"
        raise ParameterError(
            f"The '{name}' parameter of {owner} must be an iterable of "
            f"{'lists of ' if name == 'batch_sampler' else ''}indices into the dataset (a "
            f"list, an integer array, or a Sampler). Got {what}."
        )
    if iter(value) is value:
        raise ParameterError(
            f"The '{name}' parameter of {owner} is a one-pass iterator "
            f"({type(value).__name__}): the second epoch would have no batches. Pass a list "
            f"(list({name})) or an object whose iter() starts anew each time."
        )
    return value


# ------------------------------------------------------------------------ samplers
# PyTorch's sampler classes, drawing from glassnet's generators: ``generator`` None (glassnet's
# default generator, looked up at each iter(), so glassnet.manual_seed decides it), a seed or
# a NumPy Generator (turned into one Generator when the sampler is made: its stream goes on
# from epoch to epoch, as a torch.Generator's does).


class Sampler(Generic[T_co]):
    """PyTorch's base class of a sampler: a subclass gives ``__iter__`` (the indices into a
    dataset, or lists of them for a ``batch_sampler``, anew at each ``iter()``) and may give
    ``__len__``. :class:`DataLoader` takes one as ``sampler=`` or ``batch_sampler=``."""

    def __iter__(self) -> Iterator[T_co]:
        raise NotImplementedError(
            f"{type(self).__name__} must define __iter__(self), giving indices into the dataset."
        )


def _sized(data_source: Any, owner: str) -> Any:
    if not hasattr(data_source, "__len__"):
        raise ParameterError(
            f"The 'data_source' parameter of {owner} must have a len() (a dataset). Got "
            f"{type(data_source).__name__}."
        )
    return data_source


def _positive(value: Any, name: str, owner: str) -> int:
    """PyTorch's check of ``num_samples`` and ``batch_size``: an int > 0 (a bool refused)."""
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value <= 0:
        raise ParameterError(
            f"The {name!r} parameter of {owner} must be a positive int (PyTorch's rule too). "
            f"Got {value!r:.60}."
        )
    return int(value)


class SequentialSampler(Sampler[int]):
    """The indices 0, 1, ..., len(data_source) - 1, in order (PyTorch's)."""

    def __init__(self, data_source: Any) -> None:
        self.data_source = _sized(data_source, "SequentialSampler")

    def __iter__(self) -> Iterator[int]:
        return iter(range(len(self.data_source)))

    def __len__(self) -> int:
        return len(self.data_source)


class RandomSampler(Sampler[int]):
    """The indices of ``data_source`` in a random order (PyTorch's ``RandomSampler``).

    ``replacement=False``: a new permutation each epoch; ``num_samples`` (default
    ``len(data_source)``, read at each epoch) larger than the dataset goes on with further
    permutations, as PyTorch's. ``replacement=True``: ``num_samples`` indices drawn
    uniformly, each independently. ``generator``: None, a seed or a NumPy Generator (see
    above); a seed's permutation is ``np.random.default_rng(seed).permutation(n)``, the
    order ``DataLoader(shuffle=True, generator=seed)`` gives, not PyTorch's.

    >>> order = list(RandomSampler(range(5), generator=0))
    >>> order == np.random.default_rng(0).permutation(5).tolist()
    True
    """

    def __init__(
        self,
        data_source: Any,
        replacement: bool = False,
        num_samples: int | None = None,
        generator: Any = None,
    ) -> None:
        self.data_source = _sized(data_source, "RandomSampler")
        self.replacement = check_bool(replacement, "replacement", "RandomSampler")
        if num_samples is None and len(data_source) == 0:
            raise ParameterError(
                "RandomSampler: the data_source is empty, so num_samples (its length) is 0 and "
                "there is nothing to draw (PyTorch refuses it too); give a non-empty dataset."
            )
        self._num_samples = None if num_samples is None else _positive(
            num_samples, "num_samples", "RandomSampler"
        )  # fmt: skip
        self.generator = _kept(generator, "RandomSampler")

    @property
    def num_samples(self) -> int:
        return len(self.data_source) if self._num_samples is None else self._num_samples

    def __iter__(self) -> Iterator[int]:
        n, k, rng = len(self.data_source), self.num_samples, as_rng(self.generator)
        if n == 0:
            raise ValueError("RandomSampler: the data_source is empty now; nothing to draw from.")
        if self.replacement:
            yield from rng.integers(0, n, size=k).tolist()
            return
        for _ in range(k // n):
            yield from rng.permutation(n).tolist()
        if k % n:
            yield from rng.permutation(n)[: k % n].tolist()

    def __len__(self) -> int:
        return self.num_samples


class SubsetRandomSampler(Sampler[int]):
    """The given ``indices`` in a new random order each epoch, without replacement
    (PyTorch's ``SubsetRandomSampler``): e.g. a validation split of one dataset.
    ``generator`` as :class:`RandomSampler`'s."""

    def __init__(self, indices: Any, generator: Any = None) -> None:
        self._indices = _whole(indices, "SubsetRandomSampler")
        self.indices = indices
        self.generator = _kept(generator, "SubsetRandomSampler")

    def __iter__(self) -> Iterator[int]:
        order = as_rng(self.generator).permutation(len(self._indices))
        return iter(self._indices[order].tolist())

    def __len__(self) -> int:
        return len(self._indices)


class WeightedRandomSampler(Sampler[int]):
    """``num_samples`` indices into ``weights``, index i drawn with probability
    ``weights[i] / sum(weights)`` (PyTorch's ``WeightedRandomSampler``): e.g. weights of
    1 / (its class's count) give a balanced stream from imbalanced classes.

    ``replacement=True`` (the default): each draw independent. ``replacement=False``: an
    index at most once per epoch, each next one drawn among those left in proportion to
    their weights; ``num_samples`` at most ``len(weights)``, and, as PyTorch's, once the
    positive weights are used up the indices of weight 0 follow, in random order.
    ``generator`` as :class:`RandomSampler`'s.

    Weights that are not finite or negative, all zero, or not 1-D, and ``num_samples``
    above ``len(weights)`` without replacement, are refused when the sampler is made
    (PyTorch's raises a RuntimeError when iterated).

    >>> s = WeightedRandomSampler([0.0, 1.0, 3.0], num_samples=6, generator=0)
    >>> len(s), set(s) <= {1, 2}
    (6, True)
    """

    def __init__(
        self, weights: Any, num_samples: int, replacement: bool = True, generator: Any = None
    ) -> None:
        owner = "WeightedRandomSampler"
        self.num_samples = _positive(num_samples, "num_samples", owner)
        self.replacement = check_bool(replacement, "replacement", owner)
        try:
            w = np.asarray(weights.data if isinstance(weights, Tensor) else weights, np.float64)
        except (TypeError, ValueError):
            raise ParameterError(
                f"The 'weights' parameter of {owner} must be a 1-D sequence of numbers (one "
                f"weight per item of the dataset). Got {weights!r:.60}."
            ) from None
        if w.ndim != 1 or not w.size:
            raise ParameterError(
                f"The 'weights' parameter of {owner} must be a non-empty 1-D sequence (one "
                f"weight per item of the dataset). Got shape {w.shape}."
            )
        bad = ~np.isfinite(w) | (w < 0)
        if bad.any():
            k = int(np.argmax(bad))
            raise ParameterError(
                f"The 'weights' parameter of {owner} must hold finite numbers >= 0 (relative "
                f"probabilities). Got weights[{k}] = {w[k]}."
            )
        if not (w > 0).any():
            raise ParameterError(
                f"The 'weights' parameter of {owner} is all zeros: no index can be drawn. Give "
                "at least one weight > 0."
            )
        if not self.replacement and self.num_samples > w.size:
            raise ParameterError(
                f"{owner}: num_samples={self.num_samples} draws without replacement "
                f"(replacement=False) from {w.size} weights: at most {w.size}. Lower "
                "num_samples, or pass replacement=True."
            )
        self.weights = w
        self.generator = _kept(generator, owner)

    def __iter__(self) -> Iterator[int]:
        rng, w, k = as_rng(self.generator), self.weights, self.num_samples
        positive = w > 0
        with np.errstate(over="ignore"):
            total = w.sum()
        if not np.isfinite(total) or w[positive].min() < 1e-200:  # (1e308s, 1e-300s:
            w = w / w.max()  # their ratios are the law, which the sums would lose)
        if self.replacement:
            return iter(rng.choice(w.size, size=k, p=w / w.sum()).tolist())
        # without replacement: an Exp(1) draw over each weight, the k smallest in order, is
        # drawing one index after another in proportion to the weights left (Efraimidis and
        # Spirakis); the weights of 0 come last, in the order of a second draw
        keys = rng.exponential(size=w.size)
        with np.errstate(over="ignore", divide="ignore"):
            ratio = keys[positive] / w[positive]
            if not np.isfinite(ratio).all():  # (a subnormal weight: compare logarithms)
                ratio = np.log(keys[positive]) - np.log(w[positive])
        keys[~positive] += max(ratio.max(), 0.0) + 1.0  # (after every positive one)
        keys[positive] = ratio
        return iter(np.argsort(keys, kind="stable")[:k].tolist())

    def __len__(self) -> int:
        return self.num_samples


class BatchSampler(Sampler[list[int]]):
    """The indices of ``sampler`` in lists of ``batch_size`` (PyTorch's ``BatchSampler``),
    the last shorter unless ``drop_last``: a ``batch_sampler`` for :class:`DataLoader`.

    >>> list(BatchSampler(SequentialSampler(range(7)), batch_size=3, drop_last=False))
    [[0, 1, 2], [3, 4, 5], [6]]
    """

    def __init__(self, sampler: Any, batch_size: int, drop_last: bool) -> None:
        self.sampler = _reusable(sampler, "sampler", "BatchSampler")
        if sampler is None:
            raise ParameterError(
                "The 'sampler' parameter of BatchSampler must be a sampler or a list of "
                "indices. Got None."
            )
        self.batch_size = _positive(batch_size, "batch_size", "BatchSampler")
        self.drop_last = check_bool(drop_last, "drop_last", "BatchSampler")

    def __iter__(self) -> Iterator[list[int]]:
        it, b = iter(self.sampler), self.batch_size
        while (batch := list(itertools.islice(it, b))) and (len(batch) == b or not self.drop_last):
            yield batch

    def __len__(self) -> int:
        n = len(self.sampler)
        return n // self.batch_size if self.drop_last else -(-n // self.batch_size)


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


#: PyTorch's attributes of a loader's worker options, with num_workers=0 (a loader pickled
#: by an earlier glassnet, without them, gets these)
_WORKER_DEFAULTS = {
    "num_workers": 0,
    "pin_memory": False,
    "timeout": 0,
    "worker_init_fn": None,
    "prefetch_factor": None,
    "persistent_workers": False,
    "multiprocessing_context": None,
    "pin_memory_device": "",
    "in_order": True,
}

_SET_AFTER = (
    "DataLoader's {0} cannot be set after the loader is made (PyTorch refuses it too): "
    "make a new DataLoader with {0}=."
)


class DataLoader:
    """Mini-batches of a dataset, as PyTorch's ``DataLoader`` (single process).

    Parameters
    ----------
    dataset : TensorDataset, an array or Tensor (batches of its rows), or any object with
        ``len()`` and ``dataset[i]``: a tuple of arrays (stacked into a batch per
        position), a dict (key by key) or one array (stacked); or an
        :class:`IterableDataset`, read in its own order (no ``shuffle``, ``sampler``,
        ``batch_sampler`` or ``generator``).
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
    The worker options are kept as attributes, as PyTorch's loader keeps them
    (``loader.num_workers`` is 0, ``loader.pin_memory``, ``loader.timeout``, ...), so code
    that copies a loader's settings to another runs.

    sampler : iterable of indices, optional
        The order of the items, as PyTorch's: a list or array of indices into the dataset,
        or an object whose ``iter()`` yields them anew each epoch (a :class:`Sampler`:
        :class:`RandomSampler`, :class:`WeightedRandomSampler`, ...),
        taken ``batch_size`` at a time. Not with ``shuffle=True`` (the sampler decides the
        order) nor with ``generator``; a one-pass iterator (a generator) is refused, as its
        second epoch would have no batches.
    batch_sampler : iterable of lists of indices, optional
        The batches themselves, as PyTorch's: each item a list of indices (a
        :class:`BatchSampler`, or a list of lists). Not with
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
        array = getattr(num_workers, "ndim", 0)  # (an array's != 0 is no bool)
        if isinstance(num_workers, (bool, np.bool_)) or array or num_workers != 0:
            raise ParameterError(
                "The 'num_workers' parameter of DataLoader must be 0: glassnet makes each batch "
                f"in this process when the loop asks for it. Got {num_workers!r}; leave it out."
            )
        _no_workers(timeout, worker_init_fn, multiprocessing_context, prefetch_factor,
                    persistent_workers, pin_memory_device, in_order)  # fmt: skip
        self._stream = isinstance(dataset, IterableDataset)
        if self._stream:  # (PyTorch's rule: the dataset's own order)
            given = ["shuffle=True"] if shuffle not in (None, False) else []
            given += [n for n, v in (("sampler", sampler), ("batch_sampler", batch_sampler),
                                     ("generator", generator)) if v is not None]  # fmt: skip
            if given:
                raise ParameterError(
                    f"DataLoader with an IterableDataset ({type(dataset).__name__}): the items "
                    f"come in the dataset's own order, so {', '.join(given)} has nothing to "
                    "order (PyTorch refuses them too). Leave them out, and shuffle inside the "
                    "dataset's __iter__ if you need to."
                )
        elif type(dataset).__module__.startswith("pyarrow"):  # (table[i]: a column)
            raise ParameterError(
                f"The 'dataset' parameter of DataLoader is a pyarrow {type(dataset).__name__}, "
                "whose data[i] is no row (a Table's is its i-th column): wrap it as "
                "TensorDataset(data) (with its targets, TensorDataset(data, y)), which reads "
                "its rows."
            )
        elif hasattr(dataset, "iloc") and (
            hasattr(dataset, "columns")
            or not np.array_equal(np.asarray(dataset.index), np.arange(len(dataset)))
        ):  # (data[i]: a DataFrame's column i, a Series's row labelled i, not its i-th row)
            what = "DataFrame, whose data[i] is its column" if hasattr(dataset, "columns") else (
                "Series whose index is not 0..n-1: its data[i] is the row labelled i, not the "
                "i-th row (a shuffled or filtered Series gives its rows in another order)"
            )  # fmt: skip
            raise ParameterError(
                f"The 'dataset' parameter of DataLoader is a pandas {what}: wrap it as "
                "TensorDataset(data) (with its targets, TensorDataset(data, y)), which reads "
                "its rows by position."
            )
        elif not (hasattr(not_sparse(dataset, "dataset", "DataLoader"), "__len__")
                  and hasattr(dataset, "__getitem__")):  # fmt: skip
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
        # PyTorch's attributes of the worker options, as given (num_workers is 0)
        self.num_workers, self.pin_memory, self.timeout = 0, bool(pin_memory), timeout
        self.worker_init_fn, self.prefetch_factor = worker_init_fn, prefetch_factor
        self.persistent_workers, self.multiprocessing_context = persistent_workers, None
        self.pin_memory_device, self.in_order = pin_memory_device, in_order
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
        self._sampler = _reusable(sampler, "sampler")
        self._batch_sampler = _reusable(batch_sampler, "batch_sampler")
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
        self.generator = _kept(generator, "DataLoader")
        self._defaults: tuple[Any, ...] = ()

    def __setstate__(self, state: dict[str, Any]) -> None:  # (one an earlier glassnet pickled)
        for name in ("sampler", "batch_sampler"):
            if name in state:
                state[f"_{name}"] = state.pop(name)
        self.__dict__.update({"_defaults": (), **_WORKER_DEFAULTS, **state})

    def _default_samplers(self) -> tuple[Any, Any]:
        """PyTorch's loader's own sampler and batch_sampler (made at the first look: a
        RandomSampler of an empty dataset would refuse to be made; made again where the
        settings they read were set since: shuffle, generator, batch_size, drop_last)."""
        key = (self.shuffle, self.generator, self.batch_size, self.drop_last)
        if self._defaults[:1] != (key,):
            if self._stream:
                sampler = None  # (an IterableDataset's own order)
            elif self.shuffle:  # (the permutation the loader draws: RandomSampler's)
                sampler = RandomSampler(self.dataset, generator=self.generator)
            else:
                sampler = SequentialSampler(self.dataset)
            given = self._sampler if self._sampler is not None else sampler
            batches = None
            if not self._items and given is not None:
                batches = BatchSampler(given, self.batch_size, self.drop_last)
            self._defaults = (key, sampler, batches)
        return self._defaults[1:]

    @property
    def sampler(self) -> Any:
        """The ``sampler`` given, else PyTorch's default: a :class:`SequentialSampler`, or
        with ``shuffle=True`` a :class:`RandomSampler` drawing from the loader's
        ``generator`` (the order the loader takes); None for an :class:`IterableDataset`."""
        return self._sampler if self._sampler is not None else self._default_samplers()[0]

    @property
    def batch_sampler(self) -> Any:
        """The ``batch_sampler`` given, else PyTorch's default: a :class:`BatchSampler` of
        :attr:`sampler`, ``batch_size`` and ``drop_last`` (None with ``batch_size=None``, or
        for an :class:`IterableDataset`)."""
        if self._batch_sampler is not None:
            return self._batch_sampler
        return self._default_samplers()[1]

    @sampler.setter
    def sampler(self, value: Any) -> None:
        raise ValueError(_SET_AFTER.format("sampler"))

    @batch_sampler.setter
    def batch_sampler(self, value: Any) -> None:
        raise ValueError(_SET_AFTER.format("batch_sampler"))

    def __len__(self) -> int:
        if self._batch_sampler is not None or self._sampler is not None:
            name = "batch_sampler" if self._batch_sampler is not None else "sampler"
            try:
                n = len(self._batch_sampler if self._batch_sampler is not None else self._sampler)
            except TypeError as e:
                raise TypeError(
                    f"len(loader): the loader's {name} has no len() (it is iterable only), so "
                    "the number of batches is not known before the epoch; count them as they "
                    "come, or give the sampler a __len__."
                ) from e
            if self._batch_sampler is not None:
                return n
        elif self._stream:
            try:
                n = len(self.dataset)
            except (TypeError, NotImplementedError) as e:
                raise TypeError(
                    f"len(loader): the loader's IterableDataset ({type(self.dataset).__name__}) "
                    "has no len(), so the number of batches is not known before the epoch; "
                    "count them as they come, or give the dataset a __len__."
                ) from e
        else:
            n = len(self.dataset)
        b = 1 if self._items else self.batch_size
        return n // b if self.drop_last else -(-n // b)

    def _batches(self, n: int) -> Iterator[np.ndarray]:
        """The indices of each batch: from batch_sampler, from sampler ``batch_size`` at a
        time, or from the order of range(n) (shuffled with ``shuffle``)."""
        if self._batch_sampler is not None:
            for batch in self._batch_sampler:
                if isinstance(batch, (int, np.integer)) or not hasattr(batch, "__iter__"):
                    raise ParameterError(
                        "Each batch of DataLoader's 'batch_sampler' must be a list of indices. "
                        f"Got {batch!r:.40}: for a sequence of single indices, pass it as "
                        "sampler= with batch_size=."
                    )
                yield _indices(list(batch), "batch_sampler", n)
            return
        b = 1 if self._items else self.batch_size
        if self._sampler is not None:
            it = iter(self._sampler)
            while (chunk := list(itertools.islice(it, b))) and (
                len(chunk) == b or not self.drop_last
            ):
                yield _indices(chunk, "sampler", n)
            return
        order = as_rng(self.generator).permutation(n) if self.shuffle else np.arange(n)
        for start in range(0, len(self) * b, b):
            yield order[start : start + b]

    def _streamed(self) -> Iterator[Any]:
        """An IterableDataset's items, ``batch_size`` at a time (one by one with
        ``batch_size=None``), collated."""
        it, collate = iter(self.dataset), self.collate_fn
        if self._items:
            for item in it:
                yield collate(item) if collate is not None else _convert(item)
            return
        b = self.batch_size
        while (chunk := list(itertools.islice(it, b))) and (len(chunk) == b or not self.drop_last):
            yield collate(chunk) if collate is not None else _collate(chunk)

    def __iter__(self) -> Iterator[Any]:
        if self._stream:
            yield from self._streamed()
            return
        data, n = self.dataset, len(self.dataset)
        # a TensorDataset whose items are its arrays' rows: index the arrays at once (a
        # subclass with its own __getitem__, an augmentation, is asked item by item)
        own = type(data).__getitem__ is TensorDataset.__getitem__
        arrays = data.arrays if own else None
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
