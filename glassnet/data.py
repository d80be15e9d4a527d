"""Mini-batches for hand-written training loops, shaped like PyTorch's
``DataLoader(TensorDataset(X, y), batch_size=..., shuffle=...)``.

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

from collections.abc import Iterator, Mapping
from typing import Any

import numpy as np

from ._validation import ParameterError, as_rng, check_bool, check_number
from .tensor import Tensor

__all__ = ["DataLoader", "TensorDataset"]


def _batch(a: np.ndarray) -> Any:
    """Rows as a Tensor (float data) or as an array (integer or bool labels: a Tensor holds
    floats, and glassnet's losses take integer class labels as arrays)."""
    return Tensor(a) if a.dtype.kind == "f" else a


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


class TensorDataset:
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


class DataLoader:
    """Mini-batches of a dataset, as PyTorch's ``DataLoader`` (single process).

    Parameters
    ----------
    dataset : TensorDataset, an array or Tensor (batches of its rows), or any object with
        ``len()`` and ``dataset[i]``: a tuple of arrays (stacked into a batch per
        position), a dict (key by key) or one array (stacked).
    batch_size : int >= 1, default 1
    shuffle : bool, default False
        A new order every epoch (every ``iter(loader)``), drawn from ``generator``.
    drop_last : bool, default False
        Leave out the last, smaller batch.
    generator : None, int or numpy.random.Generator
        The shuffling's randomness; None: glassnet's default generator at each
        ``iter(loader)`` (so :func:`glassnet.manual_seed` called after the loader was made
        still decides the order, as ``torch.manual_seed`` does).
    num_workers : 0
        PyTorch's argument, accepted as 0: each batch is made in this process when the
        loop asks for it (NumPy slicing costs less than worker processes would).

    ``len(loader)`` is the number of batches. Each batch of a TensorDataset is a list with
    one entry per array of the dataset: a Tensor for float data, an array for integer
    labels; a batch of an array's or Tensor's rows is one Tensor (or array).
    """

    def __init__(
        self,
        dataset: Any,
        batch_size: int = 1,
        shuffle: bool = False,
        drop_last: bool = False,
        generator: Any = None,
        num_workers: int = 0,
    ) -> None:
        if isinstance(num_workers, bool) or num_workers != 0:
            raise ParameterError(
                "The 'num_workers' parameter of DataLoader must be 0: glassnet makes each batch "
                f"in this process when the loop asks for it. Got {num_workers!r}; leave it out."
            )
        if not (hasattr(dataset, "__len__") and hasattr(dataset, "__getitem__")):
            raise ParameterError(
                "The 'dataset' parameter of DataLoader must support len(dataset) and "
                f"dataset[i]: a TensorDataset(X, y), an array or a list of items. Got "
                f"{type(dataset).__name__}; wrap arrays as TensorDataset(X, y)."
            )
        self.dataset = dataset
        self.batch_size = check_number(batch_size, "batch_size", "DataLoader", low=1, integer=True)
        self.shuffle = check_bool(shuffle, "shuffle", "DataLoader")
        self.drop_last = check_bool(drop_last, "drop_last", "DataLoader")
        # None stays None: the default generator is looked up at each iter(loader)
        self.generator = None if generator is None else as_rng(generator, "DataLoader", "generator")

    def __len__(self) -> int:
        n, b = len(self.dataset), self.batch_size
        return n // b if self.drop_last else -(-n // b)

    def __iter__(self) -> Iterator[Any]:
        data, n = self.dataset, len(self.dataset)
        order = as_rng(self.generator).permutation(n) if self.shuffle else np.arange(n)
        arrays = getattr(data, "arrays", None)  # a TensorDataset: index its arrays
        rows = _array(data) if isinstance(data, (np.ndarray, Tensor)) else None
        for start in range(0, len(self) * self.batch_size, self.batch_size):
            idx = order[start : start + self.batch_size]
            if arrays is not None:
                yield [_batch(a[idx]) for a in arrays]
            elif rows is not None:  # an array or Tensor: a batch of its rows
                yield _batch(rows[idx])
            else:  # any dataset: its items stacked, position by position
                yield _collate([data[int(i)] for i in idx])
