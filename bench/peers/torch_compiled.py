"""``torch.compile`` of the PyTorch training step (see ``torch_eager`` for the model).

The whole step function (batch gather, forward, loss, ``backward()``, ``opt.step()``) is
passed to ``torch.compile(..., dynamic=False)``: Dynamo compiles the forward with its
AOTAutograd backward and, after the graph break at ``backward()``, the optimizer step.
Each batch shape (the full batch and the partial last one) gets its own graph; they are
compiled in ``warmup()``, whose time the harness reports apart from the throughput.
Needs a C++ compiler for Inductor's CPU kernels; a failure is reported, not raised.
"""

from __future__ import annotations

import shutil

from workloads import Workload

from peers import torch_eager

THREADS = torch_eager.THREADS


def probe() -> dict:
    info = torch_eager.probe()
    cxx = next((c for c in ("c++", "g++", "clang++") if shutil.which(c)), None)
    if cxx is None:
        raise RuntimeError("torch.compile needs a C++ compiler (c++/g++/clang++) on PATH")
    info["cxx"] = cxx
    return info


def unsupported(w: Workload) -> str | None:
    return None


class Runner(torch_eager.Runner):
    compile = True
