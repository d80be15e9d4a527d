"""glassnet: neural networks you can see through, that train fast.

>>> import glassnet as gn
>>> gn.__version__
'0.1.0'
"""

from . import (
    data,
    datasets,
    functional,
    habits,
    io,
    nn,
    ops,
    optim,
    preprocessing,
    schedules,
    tasks,
    viz,
)
from ._validation import manual_seed
from .explain import explain
from .gradcheck import GradcheckError, GradcheckReport, gradcheck
from .many import fit_many
from .objective import Objective
from .ops import concatenate, maximum, minimum, stack, where
from .summary import summary
from .tensor import (
    AnomalyError,
    Tensor,
    as_tensor,
    detect_anomaly,
    enable_grad,
    get_default_dtype,
    is_grad_enabled,
    no_grad,
    set_default_dtype,
)
from .train import Callback, DivergenceError, History, TrainState, fit

__version__ = "0.1.0"

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
    "as_tensor",
    "concatenate",
    "detect_anomaly",
    "enable_grad",
    "functional",
    "get_default_dtype",
    "gradcheck",
    "is_grad_enabled",
    "manual_seed",
    "maximum",
    "minimum",
    "nn",
    "no_grad",
    "set_default_dtype",
    "stack",
    "where",
]
