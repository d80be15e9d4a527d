"""glassnet with ``fit(..., engine="graph")``: the autodiff graph (Tensor ops and
``backward()``) instead of the fused MLP engine that ``engine="auto"`` picks for an
``nn.MLP``. Opt-in (``--frameworks glassnet.graph``): it shows what the see-through
graph costs next to the fused path."""

from __future__ import annotations

from workloads import Workload

from peers import glassnet_fit

probe = glassnet_fit.probe


def unsupported(w: Workload) -> str | None:
    return None


class Runner(glassnet_fit.Runner):
    extra = {"engine": "graph"}
