"""PyTorch's ``torch.utils.data``: the names of :mod:`glassnet.data` (``Dataset``,
``TensorDataset``, ``Subset``, ``random_split``, ``DataLoader``), the same objects, at
PyTorch's import path.

>>> from glassnet.utils.data import DataLoader, TensorDataset
>>> import glassnet.data
>>> DataLoader is glassnet.data.DataLoader
True
"""

from ..data import *  # noqa: F403 (the same names, at PyTorch's path)
from ..data import __all__  # noqa: F401
