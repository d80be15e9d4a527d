"""glassnet: neural networks you can see through, that train fast.

>>> import glassnet as gn
>>> gn.__version__
'0.1.0'

``glassnet.explain``, ``glassnet.gradcheck`` and ``glassnet.summary`` are modules that
can be called as their function of the same name: ``gn.explain(model, x, y)`` is
``gn.explain.explain(model, x, y)``, and ``import glassnet.explain as ex`` (or ``from
glassnet import explain``) gives the module, whose other names (``ex.typeset``,
``ex.Explanation``) are there too.
"""

import inspect as _inspect
import types as _types
import typing as _typing

from . import (  # _startup first: a Ctrl-C while the rest is imported (glassnet._startup)
    _startup,
    autograd,
    data,
    datasets,
    detached,  # noqa: F401 (loaded for the methods it attaches)
    factories,
    functional,
    habits,
    io,
    metrics,
    nn,
    ops,
    optim,
    preprocessing,
    schedules,
    tasks,
    tensor_habits,  # noqa: F401 (loaded for the methods it attaches)
    torch_tensor,
    tracing,  # noqa: F401 (loaded for the methods it attaches)
    utils,
    viz,
)
from ._validation import manual_seed
from .autograd import detect_anomaly, set_grad_enabled
from .factories import (
    Generator,
    arange,
    as_tensor,
    contiguous_format,
    empty,
    empty_like,
    eye,
    float32,
    float64,
    from_numpy,
    full,
    full_like,
    get_rng_state,
    is_tensor,
    linspace,
    ones,
    ones_like,
    preserve_format,
    rand,
    rand_like,
    randn,
    randn_like,
    set_rng_state,
    zeros,
    zeros_like,
)
from .gradcheck import GradcheckError, GradcheckReport
from .habits import (
    DoubleTensor,
    FloatTensor,
    LongTensor,
    accelerator,
    bincount,
    cuda,
    device,
    inference_mode,
    randint,
    randperm,
    return_types,
)
from .habits import unique_of as unique
from .many import fit_many
from .objective import Objective
from .ops import cat, concatenate, maximum, minimum, stack, where
from .saving import ModelCheckpoint, load, save
from .tensor import (
    AnomalyError,
    Tensor,
    enable_grad,
    get_default_dtype,
    is_anomaly_enabled,
    is_grad_enabled,
    no_grad,
    set_default_dtype,
)
from .torch_tensor import (
    count_nonzero,
    diag,
    diagonal,
    einsum,
    erf,
    floor_divide,
    fmod,
    index_put,
    masked_select,
    median,
    nan_to_num,
    narrow,
    quantile,
    reciprocal,
    remainder,
    repeat_interleave,
    rsqrt,
    select,
    std_mean,
    trace,
    unbind,
    unflatten,
    var_mean,
)
from .train import Callback, DivergenceError, History, TrainState, fit

__version__ = "0.1.0"


if not _typing.TYPE_CHECKING:  # (a type checker still refuses gn.autocast and other typos)

    def __getattr__(name: str) -> _typing.NoReturn:  # PyTorch's names glassnet has not
        raise torch_tensor.missing_name(__name__, name)


class _CallableModule(_types.ModuleType):
    """A module that is also its main function, the one of its own name (a module's class
    may be changed so, as the Python docs show for customizing module attribute access)."""

    def __call__(self, *args, **kwargs):
        return getattr(self, self.__name__.rpartition(".")[2])(*args, **kwargs)

    @property
    def __signature__(self) -> _inspect.Signature:  # (inspect, and editors: the function's)
        return _inspect.signature(getattr(self, self.__name__.rpartition(".")[2]))

    @property
    def __doc__(self) -> str:  # (help() and inspect.getdoc: the function's, then the module's)
        name = self.__name__.rpartition(".")[2]
        own = vars(self).get("__doc__") or ""
        return f"{getattr(self, name).__doc__}\n\nThe module glassnet.{name}:\n\n{own}"


if _typing.TYPE_CHECKING:  # (type checkers see the calls gn.explain(...) as calls of the functions)
    from .explain import explain
    from .gradcheck import gradcheck
    from .summary import summary
else:
    from . import explain, gradcheck, summary

    for _module in (explain, gradcheck, summary):
        _module.__class__ = _CallableModule
    del _module


class _TensorModule(_types.ModuleType):
    """``glassnet.tensor``, the module of the Tensor class, called as PyTorch's
    ``torch.tensor(data, dtype=None, requires_grad=False)``: :func:`glassnet.factories.tensor`
    (the module keeps its name, which every ``from glassnet.tensor import`` uses)."""

    def __call__(self, *args, **kwargs):
        return factories.tensor(*args, **kwargs)

    @property
    def __signature__(self) -> _inspect.Signature:
        return _inspect.signature(factories.tensor)


if _typing.TYPE_CHECKING:  # (type checkers see gn.tensor(...) as the call of the function)
    from .factories import tensor
else:
    from . import tensor

    tensor.__class__ = _TensorModule

if _typing.TYPE_CHECKING:  # (the names set by the two loops below: glassnet/functions.pyi)
    from .functions import *  # noqa: F403

# PyTorch's function forms of Tensor methods, torch.sum(x, dim=1) as gn.sum(x, dim=1) (not in
# __all__: a star import would shadow Python's sum and abs)
globals().update({_name: habits.function(_name) for _name in habits.FUNCTIONS})
# PyTorch's torch.max / torch.min ((values, indices) with a dim), not in __all__ either
max, min = habits.torch_max, habits.torch_min  # noqa: A001
# PyTorch's dtype names (torch.float, torch.long, ...), not in __all__ for the same reason
globals().update(factories.DTYPE_NAMES)

__all__ = [
    "Callback",
    "DivergenceError",
    "History",
    "Objective",
    "TrainState",
    "fit",
    "fit_many",
    "optim",
    "habits",
    "ops",
    "schedules",
    "data",
    "utils",
    "datasets",
    "io",
    "preprocessing",
    "tasks",
    "metrics",
    "explain",
    "summary",
    "viz",
    "AnomalyError",
    "GradcheckError",
    "GradcheckReport",
    "Tensor",
    "arange",
    "as_tensor",
    "cat",
    "concatenate",
    "detect_anomaly",
    "enable_grad",
    "functional",
    "get_default_dtype",
    "gradcheck",
    "is_anomaly_enabled",
    "is_grad_enabled",
    "manual_seed",
    "get_rng_state",
    "set_rng_state",
    "maximum",
    "minimum",
    "nn",
    "no_grad",
    "set_default_dtype",
    "stack",
    "where",
    "autograd",
    "factories",
    "float32",
    "float64",
    "empty",
    "empty_like",
    "eye",
    "from_numpy",
    "full",
    "full_like",
    "inference_mode",
    "device",
    "accelerator",
    "cuda",
    "randint",
    "randperm",
    "return_types",
    "load",
    "save",
    "ModelCheckpoint",
    "is_tensor",
    "linspace",
    "set_grad_enabled",
    "ones",
    "ones_like",
    "rand",
    "rand_like",
    "randn",
    "randn_like",
    "tensor",
    "zeros",
    "zeros_like",
    "FloatTensor",
    "DoubleTensor",
    "LongTensor",
    "Generator",
    "bincount",
    "unique",
    "preserve_format",
    "contiguous_format",
    "count_nonzero",
    "diag",
    "diagonal",
    "einsum",
    "erf",
    "floor_divide",
    "fmod",
    "index_put",
    "masked_select",
    "median",
    "nan_to_num",
    "narrow",
    "quantile",
    "reciprocal",
    "remainder",
    "repeat_interleave",
    "rsqrt",
    "select",
    "std_mean",
    "trace",
    "unbind",
    "unflatten",
    "var_mean",
]

_startup.done()
