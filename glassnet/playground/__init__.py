"""The playground: watch a network learn, live, in the browser.

``glassnet playground`` (or :func:`serve` from Python) starts a local web app in the
spirit of TensorFlow Playground. The training is glassnet itself, in this Python
process (:mod:`glassnet.playground.engine`: ``nn.MLP``, ``fused.FastMLP``,
``optim.SGD``); the page (HTML, JavaScript and CSS shipped in this package, no network
access) is the view and the controls. Beyond TF Playground it shows the slides'
numbers: click a neuron or an edge to see, for one data point and the current weights,
what :func:`glassnet.explain` computes (the weighted sum and its terms, a = g(z), g'(z),
dL/dz, dL/dw = dL/du · v, the chain-rule path sum); "step" shows every weight before
and after ``w − γ·dL/dw``; the "lecture" preset is the slides' XNOR network.

>>> from glassnet.playground import Run
>>> run = Run({"preset": "lecture"})
>>> [round(v, 3) for v in run.table()["rows"][0][2:4]]   # a1, a2 of (0, 0): the slide's
[0.002, 0.881]

See ``docs/playground.md``.
"""

from __future__ import annotations

from .engine import FEATURES, LECTURE, Diverged, Run, check_config, feature_matrix, make_dataset
from .server import Playground, lan_addresses, serve

__all__ = [
    "FEATURES",
    "LECTURE",
    "Diverged",
    "Playground",
    "Run",
    "check_config",
    "feature_matrix",
    "lan_addresses",
    "make_dataset",
    "serve",
]
