"""PyTorch's ``torch.utils`` place: ``glassnet.utils.data`` is :mod:`glassnet.data` (``from
glassnet.utils.data import DataLoader, TensorDataset``, or ``torch.utils.data.DataLoader``
after ``import glassnet as torch``), so a PyTorch script's import lines run as written."""

from . import data

__all__ = ["data"]
