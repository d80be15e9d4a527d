"""PyTorch's ``torch.utils.data``: the names of :mod:`glassnet.data` (``Dataset``,
``IterableDataset``, ``TensorDataset``, ``Subset``, ``ConcatDataset``, ``ChainDataset``,
``random_split``, ``DataLoader``, ``default_collate``, ``get_worker_info``, and the samplers
``Sampler``, ``SequentialSampler``, ``RandomSampler``, ``SubsetRandomSampler``,
``WeightedRandomSampler``, ``BatchSampler``), the same objects, at PyTorch's import path.

>>> from glassnet.utils.data import DataLoader, TensorDataset
>>> import glassnet.data
>>> DataLoader is glassnet.data.DataLoader
True
"""

from ..data import *  # noqa: F403 (the same names, at PyTorch's path)
from ..data import __all__  # noqa: F401
