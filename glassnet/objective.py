"""The loss and its gradient at the current weights, for whoever drives training.

:class:`Objective` is the training step without the update: for optimizers that move the
weights themselves (SciPy's L-BFGS behind ``glassnet.sklearn``), each call runs one
forward and one backward pass of the engine ``glassnet.fit`` would use (the fast path
where the model and loss allow it, the autodiff graph otherwise) and leaves dL/dw in every
parameter's ``.grad``. :func:`evaluate_loss` is the loss alone, without a graph.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from . import tasks
from ._validation import check_positive, not_a_network
from .nn.layers import Dropout
from .nn.module import Module
from .tensor import Tensor
from .train import fast_path, graph_step

__all__ = ["Objective", "evaluate_loss"]


def _check_model(model: Any, owner: str) -> None:
    if not isinstance(model, Module):
        raise TypeError(not_a_network(model, owner, f"{owner}(est.model_, X, y)"))


def evaluate_loss(
    model: Module, X: Any, y: Any, loss: Any = "mse", sample_weight: Any = None
) -> float:
    """The loss of ``model`` on (X, y) without recording a graph, in eval mode.

    ``y`` is checked and shaped as in :func:`fit` (1-D targets of one output are fine).
    """
    _check_model(model, "evaluate_loss")
    spec = tasks.loss_spec(loss, "evaluate_loss")
    X, y, w = tasks.check_data(model, spec, X, y, sample_weight, "evaluate_loss", loss=loss)
    return tasks.score(model, spec, loss, X, y, w, with_metric=False)[0]


class Objective:
    """The loss of ``model`` on fixed data, and its gradient, at the current weights.

    For optimizers that drive training themselves (SciPy's L-BFGS behind
    ``glassnet.sklearn``): each call runs one forward and one backward pass — on the fused
    engine when the model and loss allow it, on the autodiff graph otherwise — returns
    L(w) and leaves dL/dw in every parameter's ``.grad``. Buffers are reused across calls.

    Parameters
    ----------
    model : Module
    X : array of shape (n_samples, n_features); y : targets as :func:`fit` takes them
    loss : a loss name of :func:`fit`, or ``f(output, y) -> scalar Tensor``
    sample_weight : array of shape (n_samples,), optional (named losses only)
    l2 : float
        Adds ``l2 / (2 n_samples) * sum ||W||^2`` over weight matrices, as :func:`fit` does.
    """

    def __init__(
        self,
        model: Module,
        X: Any,
        y: Any,
        loss: str | Callable[..., Tensor] = "mse",
        *,
        sample_weight: Any = None,
        l2: float = 0.0,
    ) -> None:
        _check_model(model, "Objective")
        self.model = model
        spec = tasks.loss_spec(loss, "Objective")
        drop = [m for m in model.modules() if isinstance(m, Dropout) and m.training and m.p > 0]
        if drop:  # new masks at every call: L(w) would change at the same weights
            raise ValueError(
                f"Objective: the model has {drop[0]!r} in training mode, which draws new masks "
                "at every call, so the loss would change at the same weights and a line "
                "search fails. Call model.eval() first (no dropout), or train it with "
                "glassnet.fit."
            )
        self.X, self.y, self.w = tasks.check_data(
            model, spec, X, y, sample_weight, "Objective", loss=loss
        )
        self.l2 = float(check_positive("l2", l2, "Objective", allow_zero=True))
        self._loss = loss
        self._engines()

    def _engines(self) -> None:
        """The fused step (where the model and loss allow it) and the graph's, built for the
        model: at construction, and again after unpickling (they hold closures)."""
        spec = tasks.loss_spec(self._loss, "Objective")
        self.fused = fast_path(self.model, spec, self.l2)
        self.engine = "fused" if self.fused is not None else "graph"
        self._graph = graph_step(self.model, spec, self._loss, self.l2)

    def __getstate__(self) -> dict[str, Any]:
        """The model, data, loss and l2; the engines are rebuilt by :meth:`__setstate__`, so
        an Objective pickles (a worker process of an external optimizer gets one)."""
        return {k: v for k, v in vars(self).items() if k not in ("fused", "engine", "_graph")}

    def __setstate__(self, state: dict[str, Any]) -> None:
        vars(self).update(state)
        self._engines()

    def __call__(self) -> float:
        """L(w) for the current weights; dL/dw is left in each parameter's ``.grad``."""
        if self.fused is not None:
            return self.fused.step(self.X, self.y, self.w)
        return self._graph(self.X, self.y, self.w)
