"""PyTorch's ``torch.utils.data``: the names of :mod:`glassnet.data` (``Dataset``,
``IterableDataset``, ``TensorDataset``, ``Subset``, ``ConcatDataset``, ``ChainDataset``,
``StackDataset``, ``random_split``, ``DataLoader``, ``default_collate``, ``default_convert``,
``get_worker_info``, and the samplers
``Sampler``, ``SequentialSampler``, ``RandomSampler``, ``SubsetRandomSampler``,
``WeightedRandomSampler``, ``BatchSampler``), the same objects, at PyTorch's import path.

PyTorch's submodules are here too, holding the same objects, for the imports older scripts
write: ``from torch.utils.data.sampler import SubsetRandomSampler``,
``from torch.utils.data.dataset import Dataset``,
``from torch.utils.data.dataloader import default_collate``.

>>> from glassnet.utils.data import DataLoader, TensorDataset
>>> from glassnet.utils.data.sampler import SubsetRandomSampler
>>> import glassnet.data
>>> DataLoader is glassnet.data.DataLoader, SubsetRandomSampler is glassnet.data.SubsetRandomSampler
(True, True)
"""

import sys
import types

from .. import data as _data
from ..data import *  # noqa: F403 (the same names, at PyTorch's path)
from ..data import __all__  # noqa: F401

# PyTorch's torch.utils.data.sampler, .dataset and .dataloader: modules of the same objects,
# importable by their dotted names (registered in sys.modules, as this module is no package)
_PARTS = {
    "sampler": ["BatchSampler", "RandomSampler", "Sampler", "SequentialSampler",
                "SubsetRandomSampler", "WeightedRandomSampler"],
    "dataset": ["ChainDataset", "ConcatDataset", "Dataset", "IterableDataset", "StackDataset",
                "Subset", "TensorDataset", "random_split"],
    "dataloader": ["DataLoader", "default_collate", "default_convert", "get_worker_info"],
}  # fmt: skip
for _name, _names in _PARTS.items():
    _part = types.ModuleType(f"{__name__}.{_name}", f"PyTorch's torch.utils.data.{_name}: "
                             f"{', '.join(_names)} of glassnet.data.")  # fmt: skip
    _part.__dict__.update({n: getattr(_data, n) for n in _names}, __all__=_names)
    sys.modules[_part.__name__] = _part
    globals()[_name] = _part
