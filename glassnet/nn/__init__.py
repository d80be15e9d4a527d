"""Layers and networks: ``Module``, ``Parameter``, ``Linear``, activations, ``MLP``, ``Neuron``,
PyTorch's further layers (``GELU``, ``SiLU``, ``ELU``, ``Softplus``, ``LayerNorm``,
``BatchNorm1d``, ``LogSoftmax``: :mod:`glassnet.nn.torch_layers`, on the graph only), loss
modules (``MSELoss``, ``CrossEntropyLoss``, ``SmoothL1Loss``, ``KLDivLoss``, ...), the containers
``ModuleList`` and ``ModuleDict``, ``nn.init`` (initializers, PyTorch's in-place ones too),
``nn.utils`` (gradient clipping) and ``nn.functional`` (PyTorch's ``F``: its losses and
activations as functions)."""

# The names are listed as rows of data (isort and the formatter would give each a line).
# isort: off
from .torch_module import StateDictError  # (first: Module's PyTorch surface, containers wraps)
from . import functional, init, utils
from .containers import Flatten, ModuleDict, ModuleList, ParameterDict, ParameterList, from_config
from .flat import FlatParameters, flatten_parameters
from .layers import (
    MLP, ActivationModule, Dropout, Identity, LeakyReLU, Linear, Neuron, ReLU, Sequential,
    Sigmoid, Softmax, TableActivation, Tanh, activation_module,
)  # fmt: skip
from .losses import (
    BCELoss, BCEWithLogitsLoss, CrossEntropyLoss, HuberLoss, KLDivLoss, L1Loss, MSELoss,
    NLLLoss, SmoothL1Loss,
)  # fmt: skip
from .module import Module, Parameter
from .torch_layers import (
    ELU, GELU, BatchNorm1d, Hardtanh, LayerNorm, LogSoftmax, SiLU, Softplus, Unflatten,
)  # fmt: skip
# isort: on

# fmt: off
__all__ = [
    "MLP", "ActivationModule", "BCELoss", "BCEWithLogitsLoss", "CrossEntropyLoss", "Dropout",
    "FlatParameters", "Flatten", "HuberLoss", "Identity", "L1Loss", "LeakyReLU", "Linear",
    "MSELoss", "Module", "ModuleDict", "ModuleList", "NLLLoss", "Neuron", "Parameter", "ReLU",
    "Sequential", "Sigmoid", "Softmax", "Tanh", "activation_module", "flatten_parameters",
    "from_config", "functional", "init", "utils", "ELU", "GELU", "LayerNorm", "LogSoftmax",
    "SiLU", "Softplus", "KLDivLoss", "SmoothL1Loss", "BatchNorm1d", "ParameterDict",
    "ParameterList", "StateDictError", "TableActivation", "Hardtanh", "Unflatten",
]
# fmt: on
