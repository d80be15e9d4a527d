"""micrograd's API on glassnet's engine: ``Value`` and its ``nn``, for learners coming
from Andrej Karpathy's micrograd (github.com/karpathy/micrograd) and its video.

``from glassnet.micrograd.engine import Value`` and ``from glassnet.micrograd.nn import
MLP`` stand where ``micrograd.engine`` and ``micrograd.nn`` stand, with micrograd's
behaviour: a ``Value`` holds one number, ``.data`` and ``.grad`` are floats (``.grad``
starts at 0; a NumPy number, float32 say, is kept and computed in as micrograd's),
``c += x`` makes a new node as micrograd's does, and every node of the graph keeps
its gradient after ``backward()``. Each node is a glassnet :class:`~glassnet.Tensor`
underneath (``v.tensor``), so the graph is glassnet's: gradient-checked ops, and the
see-through tools (``glassnet.viz.draw_graph(v)``). The Tensors are built when first
asked for: until then a Value holds Python floats and ``backward()`` runs glassnet's chain
rule on them, the same numbers to the bit, faster than micrograd's own Values
(``bench/micrograd_speed.py``). micrograd's own tests run on it
(``tests/test_micrograd_upstream.py``), and its numbers are micrograd's: the same seed of
Python's ``random`` gives the same network and the same training run. One difference:
a second ``backward()`` with no ``zero_grad`` between, from the same root or a second root
whose graph shares its nodes, adds that call's own gradients, where micrograd's nodes pass
on the kept ones too (so the same root twice agrees only for a one-op graph:
``glassnet.micrograd.engine`` shows the cases). Another: a ``backward()`` on a graph built
before a ``.data`` change (a weight update) uses the values the graph was built with;
micrograd's reads the new ones (a forward pass after each update, as micrograd's loop
does, gives micrograd's numbers). micrograd's way to add an op works:
``out = Value(y, (x,), 'op'); out._backward = fn`` (with ``+=`` in ``fn``, as the
lecture's fix: ``glassnet.micrograd.engine`` says what an assigning ``fn`` gives), at about
micrograd's speed where such ops do the work; every node has ``_backward`` (a hook around a
node's own works) and a ``label``.
"""

from __future__ import annotations

from .engine import Value
from .nn import MLP, Layer, Module, Neuron

__all__ = ["MLP", "Layer", "Module", "Neuron", "Value"]
