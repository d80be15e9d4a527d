"""The frameworks the benchmark compares, one module each.

Each module keeps its heavy imports inside functions (the harness imports every module
to ask ``unsupported``) and provides:

- ``probe() -> dict``: import the library; return its version and notes. Raises when the
  framework cannot run here (the harness reports ``unavailable: <error>``).
- ``unsupported(w) -> str | None``: why the framework cannot run workload ``w`` faithfully.
- ``Runner(w, data, init)``: builds the model with the initial weights, then
  ``warmup()`` (runs every batch shape once, compiling where the framework compiles, and
  puts the initial weights and a fresh optimizer state back), ``train()`` (the timed
  run: shuffling, every batch, every update), ``reset()`` (initial weights and a fresh
  optimizer state again, between repeated timed runs) and ``weights()`` (the trained ``[(W, b)]``
  in ``(inputs, neurons)`` layout, read after timing for the loss check); optionally
  ``info()`` (a dict of facts about the run, added to the record).
"""

from __future__ import annotations

import importlib
from types import ModuleType

FRAMEWORKS: dict[str, str] = {
    "numpy": "fused_numpy",
    "torch": "torch_eager",
    "torch.compile": "torch_compiled",
    "sklearn": "sklearn_mlp",
    "jax": "jax_jit",
    "glassnet": "glassnet_fit",
    "glassnet.graph": "glassnet_graph",  # opt-in: fit(engine="graph")
}


def load(name: str) -> ModuleType:
    """The runner module of framework ``name``."""
    if name not in FRAMEWORKS:
        raise ValueError(f"framework {name!r} is unknown; choose from {', '.join(FRAMEWORKS)}")
    return importlib.import_module(f"{__name__}.{FRAMEWORKS[name]}")
