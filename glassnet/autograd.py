"""PyTorch's ``torch.autograd.grad``: the gradients of outputs with respect to chosen inputs,
returned, not added into any ``.grad``.

``loss.backward()`` adds dL/dw into the ``.grad`` of every leaf of the graph (the lecture's
backward pass, and the training loop's); ``grad(loss, [w1, b1])`` gives dL/dw1 and dL/db1
and leaves every ``.grad`` of the graph as it was: the same backward pass, run with the
leaves' gradients set aside and put back. An input may be a leaf or a tensor the graph
computed (dL/dz of a layer's pre-activation, the slides' δ).

Differences from PyTorch, refused rather than approximated: ``create_graph=True`` (glassnet's
backward pass is not itself recorded, so there are no second derivatives) is an error;
``retain_graph`` is taken and changes nothing (glassnet keeps every graph).

``backward(tensors, grad_tensors)`` is PyTorch's ``torch.autograd.backward``: ``t.backward(g)``
for each tensor and its seed, accumulating into ``.grad``. A seed of the wrong shape raises
:class:`GradShapeError`, both a RuntimeError (PyTorch's class) and a ValueError.

>>> import glassnet as gn
>>> w = gn.tensor([1.0, 2.0], requires_grad=True)
>>> z = w * w
>>> loss = z.sum()
>>> dw, dz = gn.autograd.grad(loss, [w, z])
>>> dw.data, dz.data, w.grad
(array([2., 4.], dtype=float32), array([1., 1.], dtype=float32), None)
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from ._validation import GradShapeError
from .tensor import Tensor

__all__ = ["GradShapeError", "backward", "grad"]


def _tensors(value: Any, name: str, who: str = "grad") -> list[Tensor]:
    items = [value] if isinstance(value, Tensor) else list(value) if value is not None else []
    if not items or not all(isinstance(t, Tensor) for t in items):
        raise TypeError(
            f"{who}: {name} must be a Tensor or a sequence of Tensors. Got {value!r:.80}."
        )
    return items


def _outputs(value: Any, name: str, who: str, item: str, create_graph: Any) -> list[Tensor]:
    """The tensors whose backward passes ``who`` (grad, backward) runs, checked: each requires
    grad (``item`` names one, ``"output {}"``), and ``create_graph=True`` is refused (no
    second derivatives)."""
    outs = _tensors(value, name, who)
    if not isinstance(create_graph, (bool, np.bool_)):
        raise TypeError(f"{who}: create_graph must be True or False. Got {create_graph!r:.40}.")
    k = next((i for i, t in enumerate(outs) if not t.requires_grad), None)
    if k is not None:
        raise RuntimeError(
            f"{who}: {item.format(k)} does not require grad (it was not computed from a tensor "
            "that requires it, or ran inside no_grad()), so there is no gradient to take from it."
        )
    if create_graph:
        raise ValueError(
            f"{who}(create_graph=True): glassnet does not record its backward pass, so there are "
            "no second derivatives; differentiate once (create_graph=False)."
        )
    return outs


def _seeds(outs: list[Tensor], given: Any, who: str, name: str) -> list[Any]:
    """The seed of each output's backward pass from ``given`` (``name``: grad_outputs or
    grad_tensors), checked before any pass runs: None only for a one-value output, else of
    the output's shape."""
    one = isinstance(given, (Tensor, np.ndarray, int, float, np.number))
    seeds = [None] * len(outs) if given is None else list([given] if one else given)
    if len(seeds) != len(outs):
        raise ValueError(
            f"{who}: {len(seeds)} {name} for {len(outs)} outputs; pass one per output (None "
            "for a one-value output)."
        )
    for k, (out, seed) in enumerate(zip(outs, seeds)):
        if seed is None:
            if out.data.size != 1:
                raise RuntimeError(
                    f"{who}: output {k} has shape {out.shape}, and a gradient can be implicitly "
                    f"created only for a one-value output; pass {name}= with a tensor of that "
                    "shape for it (or reduce the output to a scalar first, .sum() or .mean())."
                )
            continue
        shape = np.shape(seed.data if isinstance(seed, Tensor) else seed)
        if tuple(shape) != tuple(out.shape):
            raise GradShapeError(
                f"{who}: {name}[{k}] has shape {tuple(shape)} but output {k} has shape "
                f"{tuple(out.shape)}; pass one of the output's shape."
            )
    return [seed.data if isinstance(seed, Tensor) else seed for seed in seeds]


def backward(
    tensors: Any,
    grad_tensors: Any = None,
    retain_graph: bool | None = None,
    create_graph: bool = False,
    *,
    inputs: Any = None,
) -> None:
    """PyTorch's ``torch.autograd.backward``: each of ``tensors`` (a Tensor or a sequence of
    them) runs its backward pass seeded with its ``grad_tensors`` entry (None, or left out,
    for a one-value tensor: 1), and the gradients *accumulate* into ``.grad``, as
    ``t.backward(g)`` for each. ``inputs``: add into these tensors' ``.grad`` only.
    ``retain_graph`` changes nothing (glassnet keeps every graph); ``create_graph=True`` is
    refused (no second derivatives). ``inputs`` is keyword-only (PyTorch's fifth positional
    argument is the deprecated ``grad_variables``).

    >>> import glassnet as gn
    >>> x = gn.tensor([2.0, 3.0], requires_grad=True)
    >>> gn.autograd.backward([(x**2).sum(), x * 3], [None, gn.ones(2)])
    >>> x.grad
    array([7., 9.], dtype=float32)
    """
    outs = _outputs(tensors, "tensors", "autograd.backward", "element {} of tensors", create_graph)
    seeds = _seeds(outs, grad_tensors, "autograd.backward", "grad_tensors")
    for out, seed in zip(outs, seeds):
        out.backward(seed, inputs=inputs)


def _graph(outputs: Sequence[Tensor]) -> list[Tensor]:
    """Every tensor that requires grad in the graphs of ``outputs`` (each once)."""
    found: dict[int, Tensor] = {}
    todo = [t for t in outputs if t.requires_grad]
    while todo:
        t = todo.pop()
        if id(t) not in found:
            found[id(t)] = t
            todo.extend(p for p in t.parents if p.requires_grad)
    return list(found.values())


def grad(
    outputs: Any,
    inputs: Any,
    grad_outputs: Any = None,
    retain_graph: bool | None = None,
    create_graph: bool = False,
    allow_unused: bool | None = None,
    materialize_grads: bool = False,
) -> tuple[Tensor | None, ...]:
    """d(outputs)/d(inputs), as PyTorch's ``torch.autograd.grad``: one Tensor per input (no
    gradient flows through it), the sum over the outputs of each output's backward pass
    seeded with its ``grad_outputs`` entry (1 for a one-value output). No ``.grad`` of the
    graph changes. An input the outputs do not depend on is an error, or None with
    ``allow_unused=True``, or zeros of its shape with ``materialize_grads=True`` (PyTorch's,
    which implies ``allow_unused``)."""
    outs = _outputs(outputs, "outputs", "grad", "output {}", create_graph)
    ins = _tensors(inputs, "inputs")
    for name, flag in (("allow_unused", allow_unused), ("materialize_grads", materialize_grads)):
        if flag is not None and not isinstance(flag, (bool, np.bool_)):
            raise TypeError(f"grad: {name} must be True or False. Got {flag!r:.40}.")
    if materialize_grads and allow_unused is False:
        raise ValueError(
            "grad: materialize_grads=True gives zeros for the unused inputs, which "
            "allow_unused=False refuses; leave allow_unused out (or pass True)."
        )
    allow_unused = bool(allow_unused or materialize_grads)
    seeds = _seeds(outs, grad_outputs, "grad", "grad_outputs")
    for t in ins:
        if not t.requires_grad:
            raise RuntimeError(
                "grad: an input does not require grad, so no gradient reaches it; build it with "
                "requires_grad=True (or x.requires_grad_())."
            )
    nodes = _graph(outs)
    saved = [(t, t.grad, t._retain) for t in {id(t): t for t in [*nodes, *ins]}.values()]
    try:
        for t, _, _ in saved:  # every gradient set aside: backward adds into none of them
            t.grad = None
        for t in ins:
            t._retain = True  # (a computed input keeps its dL/dt too, as retain_grad does)
        for out, seed in zip(outs, seeds):
            out.backward(seed)
        got = [None if t.grad is None else Tensor(np.array(t.grad, copy=True)) for t in ins]
    finally:
        for t, g, retain in saved:
            t.grad, t._retain = g, retain
    if not allow_unused and any(g is None for g in got):
        raise RuntimeError(
            "grad: an input was not used to compute the outputs (no gradient reaches it); "
            "pass allow_unused=True to get None for it."
        )
    if materialize_grads:  # (zeros of each unused input's shape and dtype, as PyTorch's)
        got = [Tensor(np.zeros_like(t.data)) if g is None else g for t, g in zip(ins, got)]
    return tuple(got)
