"""The methods glassnet.optim_habits and glassnet.train_habits attach keep the names of
the methods they replaced (round 29): ``Optimizer.zero_grad``, ``_Books.state_dict``,
``History.__repr__``, ... in glassnet.optim and glassnet.train, so Python's own argument
errors name the class, and ``load_state_dict`` reads each group through ``self._loaded``,
which a subclass may override."""

from __future__ import annotations

import pickle

import numpy as np
import pytest

import glassnet as gn
from glassnet.optim import Optimizer
from glassnet.train import EarlyStopping, History, Tolerance, WeightChange

NAMES = [
    (Optimizer, "Optimizer", name, "glassnet.optim")
    for name in ("zero_grad", "state_dict", "load_state_dict", "_loaded", "_regroup", "__repr__")
] + [
    (cls, "_Books", name, "glassnet.train")
    for cls in (Tolerance, WeightChange, EarlyStopping)
    for name in ("state_dict", "load_state_dict")
] + [(History, "History", "__repr__", "glassnet.train")]  # fmt: skip


@pytest.mark.parametrize(("cls", "owner", "name", "module"), NAMES)
def test_attached_methods_keep_their_names(cls, owner, name, module):
    fn = getattr(cls, name)
    assert (fn.__name__, fn.__qualname__, fn.__module__) == (name, f"{owner}.{name}", module)
    assert pickle.loads(pickle.dumps(fn)) is fn  # (found again by its module and name)


def _sgd() -> gn.optim.SGD:
    return gn.optim.SGD([gn.Tensor(np.ones(2, dtype=np.float32), requires_grad=True)], lr=0.1)


def test_python_argument_errors_name_the_class():
    opt = _sgd()
    with pytest.raises(TypeError, match=r"^Optimizer\.load_state_dict\(\) takes 2 positional"):
        opt.load_state_dict(opt.state_dict(), False)  # type: ignore[misc]
    with pytest.raises(TypeError, match=r"^Optimizer\.zero_grad\(\) takes from 1 to 2"):
        opt.zero_grad(True, 1)  # type: ignore[call-arg]
    with pytest.raises(TypeError, match=r"^_Books\.state_dict\(\) takes 1 positional"):
        EarlyStopping(1e-4, 3).state_dict(1)  # type: ignore[call-arg]


def test_load_state_dict_reads_each_group_through_the_instance():
    seen = []

    class Logged(gn.optim.SGD):
        def _loaded(self, entry, pack, finite=True):
            seen.append(finite)
            return super()._loaded(entry, pack, finite)

    params = [gn.Tensor(np.ones(2, dtype=np.float32), requires_grad=True)]
    opt = Logged(params, lr=0.1, momentum=0.9)
    opt.load_state_dict(opt.state_dict(), finite=False)
    assert seen == [False]
