"""See-through drawings: computational graphs, network diagrams and plots.

* :func:`draw_graph` - the graph behind any Tensor, forward or reversed (SVG or DOT).
* :func:`draw_network` - an MLP's neurons and weights, with the activations for an input (SVG).
* ``plot_*`` - matplotlib figures (optional extra ``glassnet[viz]``; imported only when
  a plot is made): decision boundaries, hidden neurons over the input plane, the
  hidden feature space, training curves, activations and their derivatives, decision
  boundaries at chosen epochs of a training run (:func:`plot_training_snapshots`).
* :func:`save` - write any of these to a file (text drawings atomically).
* :func:`text_boxes`, :func:`overlapping_texts` - the box of every text of an SVG drawn
  here, and the pairs that overlap (a layout check for tests and for your own figures).

The SVG and DOT drawings need nothing beyond NumPy.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from ..files import atomic_write
from ..tensor import Tensor
from ._svg import overlapping_texts, text_boxes
from .graph import draw_graph, graph_nodes, local_derivative
from .network import draw_network
from .plots import (
    plot_activations,
    plot_decision_boundary,
    plot_hidden_space,
    plot_history,
    plot_neuron_outputs,
    plot_training_snapshots,
)

__all__ = [
    "draw_graph",
    "draw_network",
    "graph_nodes",
    "local_derivative",
    "overlapping_texts",
    "plot_activations",
    "plot_decision_boundary",
    "plot_hidden_space",
    "plot_history",
    "plot_neuron_outputs",
    "plot_training_snapshots",
    "save",
    "text_boxes",
]


def save(drawing: Any, path: str | os.PathLike[str], **kwargs: Any) -> Path:
    """Write a drawing to ``path`` and return the path.

    ``drawing`` is the SVG or DOT text of :func:`draw_graph` / :func:`draw_network`,
    a matplotlib ``Figure`` from a ``plot_*`` function (saved with ``savefig``; the
    file type follows the suffix, e.g. ``.png``), or a Tensor (drawn with
    :func:`draw_graph` in the format of the suffix, ``.svg`` or ``.dot``/``.gv``;
    ``kwargs`` go to draw_graph).
    """
    p = Path(path)
    if hasattr(drawing, "savefig"):
        p.parent.mkdir(parents=True, exist_ok=True)
        drawing.savefig(p, **kwargs)
        return p
    if isinstance(drawing, Tensor):
        fmt = "dot" if p.suffix.lower() in (".dot", ".gv") else "svg"
        if p.suffix.lower() not in (".svg", ".dot", ".gv"):
            raise ValueError(
                f"save: a Tensor is drawn as .svg or .dot/.gv. Got the path {str(path)!r}."
            )
        text = draw_graph(drawing, fmt=fmt, **kwargs)
    elif isinstance(drawing, str):
        if kwargs:
            raise TypeError(f"save: options {sorted(kwargs)} apply only to Tensors and figures.")
        text = drawing
    else:
        raise TypeError(
            "save: expected SVG/DOT text, a matplotlib Figure or a Tensor. "
            f"Got {type(drawing).__name__}."
        )
    p.parent.mkdir(parents=True, exist_ok=True)
    return atomic_write(p, text)
