"""Layers and networks: ``Module``, ``Parameter``, ``Linear``, activations, ``MLP``, ``Neuron``,
loss modules (``MSELoss``, ``CrossEntropyLoss``, ...), the containers ``ModuleList`` and
``ModuleDict``, ``nn.init`` (initializers, PyTorch's in-place ones too), ``nn.utils``
(gradient clipping) and ``nn.functional`` (PyTorch's ``F``: its losses and activations as
functions)."""

# The names are listed as rows of data (isort and the formatter would give each a line).
# isort: off
from . import functional, init, utils
from .containers import Flatten, ModuleDict, ModuleList
from .flat import FlatParameters, flatten_parameters
from .layers import (
    MLP, ActivationModule, Dropout, Identity, LeakyReLU, Linear, Neuron, ReLU, Sequential,
    Sigmoid, Softmax, Tanh, activation_module, from_config,
)  # fmt: skip
from .losses import (
    BCELoss, BCEWithLogitsLoss, CrossEntropyLoss, HuberLoss, L1Loss, MSELoss, NLLLoss,
)  # fmt: skip
from .module import Module, Parameter
# isort: on

# fmt: off
__all__ = [
    "MLP", "ActivationModule", "BCELoss", "BCEWithLogitsLoss", "CrossEntropyLoss", "Dropout",
    "FlatParameters", "Flatten", "HuberLoss", "Identity", "L1Loss", "LeakyReLU", "Linear",
    "MSELoss", "Module", "ModuleDict", "ModuleList", "NLLLoss", "Neuron", "Parameter", "ReLU",
    "Sequential", "Sigmoid", "Softmax", "Tanh", "activation_module", "flatten_parameters",
    "from_config", "functional", "init", "utils",
]
# fmt: on
