"""matplotlib plots of what a network learned (optional extra: ``pip install glassnet[viz]``).

matplotlib is imported only when a plot is made, and figures are built on the
non-interactive Agg canvas (``matplotlib.figure.Figure``, not ``pyplot``): no
window opens, no global backend is changed, nothing needs a display. Each function
returns the ``Figure``; save it with :func:`glassnet.viz.save` (cropped to what is
drawn, as a notebook shows it) or ``fig.savefig(path)`` (the whole figure, of pixel size
``figsize * dpi``).

* :func:`plot_decision_boundary` - the regions a 2-D classifier assigns to each class,
  with the data (binary and multi-class).
* :func:`plot_neuron_outputs` - every hidden neuron's activation over the input plane:
  the learned feature transformations.
* :func:`plot_hidden_space` - the data in a hidden layer's coordinates (a1, a2), where
  XNOR becomes linearly separable, with the output layer's boundary there.
* :func:`plot_history` - training and validation curves from :class:`glassnet.History`.
* :func:`plot_activations` - the activation functions g(z) and their derivatives g'(z).
"""

from __future__ import annotations

import contextlib
import math
import textwrap
from collections.abc import Iterator, Sequence
from typing import Any

import numpy as np

from .. import functional as F
from .._validation import (
    check_names,
    check_number,
    micrograd_network,
    not_a_network,
    sklearn_mlp,
)
from ..fused import FastMLP, Layer, layers_of
from ..nn.module import Module
from ..report import fmt, make_names
from ..tensor import Tensor
from ..train import History
from ._svg import whole

__all__ = [
    "plot_decision_boundary",
    "plot_neuron_outputs",
    "plot_hidden_space",
    "plot_history",
    "plot_activations",
]

_CLASS_COLORS = [
    "#c53030",
    "#2b6cb0",
    "#2f855a",
    "#d69e2e",
    "#6b46c1",
    "#dd6b20",
    "#319795",
    "#b83280",
    "#4a5568",
    "#744210",
]


def _figure(figsize: tuple[float, float], dpi: int) -> Any:
    """A Figure on the Agg canvas; a clear message when matplotlib is missing."""
    try:
        from matplotlib.backends.backend_agg import FigureCanvasAgg
    except ImportError as err:  # pragma: no cover - depends on the environment
        raise ImportError(
            "glassnet's plots need matplotlib, an optional extra: pip install 'glassnet[viz]' "
            "(or pip install matplotlib). The SVG drawings draw_graph and draw_network need "
            "nothing extra."
        ) from err
    fig = _notebook_figure()(figsize=figsize, dpi=dpi)
    FigureCanvasAgg(fig)
    return fig


_NOTEBOOK_FIGURE: list[Any] = []


def _notebook_figure() -> Any:
    """matplotlib's Figure with a PNG for IPython (``_repr_png_``): a Figure made without
    pyplot has none until pyplot loads the inline backend (which registers its own printer,
    taken first), so a fresh notebook showed ``<Figure size ...>`` text, not the plot."""
    if not _NOTEBOOK_FIGURE:
        from matplotlib.figure import Figure

        class NotebookFigure(Figure):  # type: ignore[misc]
            """A matplotlib Figure that a notebook draws, pyplot or not."""

            def _repr_png_(self) -> bytes:
                import io

                buf = io.BytesIO()  # (as the inline backend draws a figure)
                with placed_texts_kept(self):
                    self.savefig(buf, format="png", bbox_inches="tight")
                return buf.getvalue()

        NotebookFigure.__module__, NotebookFigure.__qualname__ = __name__, "NotebookFigure"
        NotebookFigure.__name__ = "Figure"  # (its repr: <Figure size ...>, as matplotlib's)
        _NOTEBOOK_FIGURE.append(NotebookFigure)
    return _NOTEBOOK_FIGURE[0]


@contextlib.contextmanager
def placed_texts_kept(fig: Any) -> Iterator[None]:
    """Within it, ``fig.savefig(..., bbox_inches="tight")`` crops to every text and legend
    drawn: the ones placed by hand outside the layout (``set_in_layout(False)``: a training
    curve's legend moved below its panel, its "Stopped after ..." caption) were left
    outside the crop, lost from the notebook's picture and a saved file."""
    from matplotlib.legend import Legend
    from matplotlib.text import Text

    placed = [
        a
        for a in fig.findobj(lambda a: isinstance(a, (Legend, Text)))
        if a.get_visible() and not a.get_in_layout()
    ]
    for a in placed:
        a.set_in_layout(True)
    try:
        yield
    finally:
        for a in placed:
            a.set_in_layout(False)


def __getattr__(name: str) -> Any:  # (a pickled figure's class, made on first use)
    if name == "NotebookFigure":
        return _notebook_figure()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def _check_size(figsize: Any, dpi: Any, owner: str) -> tuple[tuple[float, float], int]:
    ok = (
        isinstance(figsize, (tuple, list))
        and len(figsize) == 2
        and all(isinstance(v, (int, float)) and 0 < v <= 50 for v in figsize)
    )
    if not ok:
        raise ValueError(
            f"The 'figsize' parameter of {owner} must be (width, height) in inches, each in "
            f"(0, 50]. Got {figsize!r}."
        )
    if whole(dpi) is None or not 10 <= dpi <= 600:  # (NumPy's ints too)
        raise ValueError(
            f"The 'dpi' parameter of {owner} must be an int in [10, 600]. Got {dpi!r}."
        )
    return (float(figsize[0]), float(figsize[1])), int(dpi)


def network_layers(model: Any, owner: str) -> list[Layer]:
    """``layers_of(model)``, or the error that points an estimator to a network: a fitted
    glassnet.sklearn one's ``model_``, scikit-learn's own MLP to its glassnet twin."""
    if not isinstance(model, Module):  # (an estimator, a micrograd network: what to do)
        raise TypeError(not_a_network(model, owner))
    return layers_of(model, owner)


def _linears_dtype(model: Any) -> Any:
    """The dtype of a network of Linear layers' weights."""
    return layers_of(model, "plot")[0].W.dtype


def _axes_figure(ax: Any, owner: str) -> Any:
    """The figure of the matplotlib Axes ``ax``, or the error that says what ax must be."""
    if not (hasattr(ax, "figure") and hasattr(ax, "plot")):
        raise TypeError(
            f"{owner}: ax must be a matplotlib Axes to draw into (e.g. fig.add_subplot()), "
            f"or None for a new figure. Got {type(ax).__name__}."
        )
    return ax.figure


def not_real(value: Any) -> str:
    """Why ``value`` is no array of real numbers although the conversion to floats would
    take it in silence (dropping an imaginary part, reading "0.5" as 0.5: glassnet's other
    checks refuse both), or "" when it is fine (or ragged: the caller's conversion says so)."""
    try:
        kind = np.asarray(value).dtype.kind
    except (TypeError, ValueError):
        return ""
    if kind == "c":
        return "it holds complex numbers (only real numbers are supported)"
    if kind in "US" or (kind == "O" and any(isinstance(v, (str, bytes)) for v in np.ravel(value))):
        return "it holds text (convert numbers written as text first: np.asarray(..., dtype=float))"
    return ""


def real_numbers(value: Any, name: str, owner: str) -> Any:
    """``value`` as given, or the error of :func:`not_real` naming ``name``."""
    why = not_real(value)
    if why:
        raise ValueError(f"{owner}: {name} must be numbers; {why}.")
    return value


def _not_one_hot(y: np.ndarray) -> tuple[int, list[Any]] | None:
    """The first row (its index and values) of the 2-D ``y`` that is not one-hot (one 1,
    the rest 0; numbers or bools), or None when every row is."""
    if y.dtype.kind in "biuf":
        ok = np.all((y == 0) | (y == 1), axis=1) & (np.sum(y == 1, axis=1) == 1)
    else:  # (text or objects are not one-hot rows)
        ok = np.zeros(len(y), dtype=bool)
    if ok.all():
        return None
    r = int(np.argmin(ok))
    return r, y[r].tolist()


def _check_xy(X: Any, y: Any, owner: str, need_2d: bool = True) -> tuple[np.ndarray, np.ndarray]:
    X = X.data if isinstance(X, Tensor) else X
    y = y.data if isinstance(y, Tensor) else y
    X = real_numbers(X, "X", owner)
    try:
        Xa = np.asarray(X, dtype=np.float64)
    except (TypeError, ValueError):
        raise ValueError(
            f"{owner}: X must be numbers of shape (N, d). Got {type(X).__name__} that is not "
            "numeric."
        ) from None
    if Xa.ndim != 2 and not need_2d:
        raise ValueError(
            f"{owner}: X must have shape (N, d), one row per sample. Got shape {Xa.shape}."
        )
    if Xa.ndim == 2 and Xa.shape[1] == 1 and need_2d:
        raise ValueError(
            f"{owner}: X has 1 feature, shape {Xa.shape}: its classes are split at points of "
            "the x1 line, not by a boundary in a plane. Draw model.predict over "
            "np.linspace(lo, hi, 200).reshape(-1, 1) against x1 instead."
        )
    if Xa.ndim != 2 or (need_2d and Xa.shape[1] != 2):
        raise ValueError(
            f"{owner}: X must have shape (N, 2) (points of the input plane). Got shape "
            f"{Xa.shape}; plot two features, or use plot_hidden_space for other widths."
        )
    if Xa.shape[0] == 0:
        raise ValueError(f"{owner}: X has no rows; pass the data points to draw.")
    if not np.all(np.isfinite(Xa)):
        raise ValueError(f"{owner}: X contains NaN or inf.")
    if y is None:
        raise ValueError(
            f"{owner}: y is required (the class label of each row of X, shape (N,), or "
            "one-hot rows (N, C)). Got None."
        )
    ya = np.asarray(y)
    fix = {
        "plot_decision_boundary": "for a regression model, plot_neuron_outputs(model, X, "
        "layer=<the output layer's index>) draws its output over the plane",
        "plot_neuron_outputs": "pass y=None to draw the points in one colour",
    }.get(owner, "pass the classes of a classifier's data, e.g. (y > 0).astype(int)")
    if ya.ndim == 2 and ya.shape[1] > 1:
        # rows of a 2-output regression's targets were argmaxed into two made-up classes
        bad = _not_one_hot(ya)
        if bad is not None:
            row = ", ".join(f"{v:g}" if isinstance(v, float) else repr(v) for v in bad[1][:6])
            raise ValueError(
                f"{owner}: y of shape {ya.shape} must be one-hot rows (each row one 1, the "
                "rest 0) or class labels of shape (N,): the points are coloured and named by "
                f"class. Got row {bad[0]} = [{row}{', ...' if ya.shape[1] > 6 else ''}]"
                " (regression targets, or probabilities?); for probabilities pass "
                f"y.argmax(axis=1), {fix}."
            )
        ya = ya.argmax(axis=1)  # one-hot rows
    ya = ya.reshape(-1)
    if ya.shape[0] != Xa.shape[0]:
        raise ValueError(
            f"{owner}: X has {Xa.shape[0]} rows but y has {ya.shape[0]} labels; they must match."
        )
    if ya.dtype.kind in "fc" and not np.all(np.isfinite(ya)):  # (a class "nan" in the legend)
        raise ValueError(
            f"{owner}: y contains NaN or inf (first at row {int(np.argmin(np.isfinite(ya)))}); "
            "every point needs its class label."
        )
    if ya.dtype.kind == "f" and not np.all(ya == np.round(ya)):
        # regression targets: each value was taken for a class, a legend of "class 0.4293..."
        # entries, one per point, ran off the picture
        first = float(ya[np.argmax(ya != np.round(ya))])
        raise ValueError(
            f"{owner}: y must be class labels (whole numbers, text or one-hot rows): the "
            f"points are coloured and named by class. Got {len(np.unique(ya))} distinct "
            f"values, {first:g} not a whole number (regression targets?); {fix}."
        )
    return Xa, ya


def _labels(
    y: np.ndarray, outputs: int = 0, known: Any = None
) -> tuple[np.ndarray, dict[int, Any]]:
    """Each point's colour index, and the label of each colour index present.

    ``known``: a classifier's ``classes_`` (the order of its ``predict_proba`` columns);
    a label's colour is then its position there.

    With the model's number of ``outputs``, labels that are its class indices keep them
    (0..K-1 for K outputs; 0/1, or -1/1, for one output), so a point has the colour of
    its class's region even when some classes are missing from ``y`` (a test set without
    class 0); other labels are numbered in sorted order.
    """
    if known is not None:
        order = list(np.asarray(known).tolist())
        labels = np.asarray(y).tolist()
        if all(v in order for v in labels):
            idx = np.array([order.index(v) for v in labels], dtype=np.int64)
            return idx, {i: order[i] for i in sorted(set(idx.tolist()))}
    classes = np.unique(y)
    idx = np.searchsorted(classes, y)
    names = classes.tolist()
    if classes.dtype.kind in "biuf":
        cf = classes.astype(np.float64)
        if np.all(np.isfinite(cf)) and np.all(cf == np.round(cf)):
            ints = cf.astype(np.int64).tolist()
            names = ints  # 0.0/1.0 labels shown as 0/1
            values = np.asarray(y, dtype=np.float64).astype(np.int64)
            if outputs == 1 and set(ints) <= {0, 1}:
                return values, {c: c for c in ints}
            if outputs == 1 and set(ints) <= {-1, 1}:
                return (values > 0).astype(np.int64), {int(c > 0): c for c in ints}
            if outputs > 1 and min(ints) >= 0 and max(ints) < outputs:
                return values, {c: c for c in ints}
    return idx, dict(enumerate(names))


def _extent(
    X: np.ndarray | None, padding: Any, default: Sequence[float], owner: str
) -> list[float]:
    """The plane drawn: the data's box widened by ``padding`` (a fraction of each side),
    or ``default`` (a user's ``extent``) without data."""
    padding = check_number(padding, "padding", owner, low=0)
    if X is None:
        ok = (
            isinstance(default, (tuple, list, np.ndarray))
            and len(default) == 4
            and all(
                isinstance(v, (int, float, np.integer, np.floating)) and not isinstance(v, bool)
                for v in default
            )
        )
        if ok:
            a, b, c, d = (float(v) for v in default)
            ok = bool(np.all(np.isfinite([a, b, c, d]))) and a < b and c < d
        if not ok:
            raise ValueError(
                f"The 'extent' parameter of {owner} must be (x1_min, x1_max, x2_min, x2_max) "
                f"with each min < its max. Got {default!r}."
            )
        return [float(v) for v in default]
    lo, hi = X.min(axis=0), X.max(axis=0)
    span = np.where(hi > lo, hi - lo, 1.0)
    return [
        lo[0] - padding * span[0],
        hi[0] + padding * span[0],
        lo[1] - padding * span[1],
        hi[1] + padding * span[1],
    ]


def _grid(ext: Sequence[float], resolution: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    xs = np.linspace(ext[0], ext[1], resolution)
    ys = np.linspace(ext[2], ext[3], resolution)
    gx, gy = np.meshgrid(xs, ys)
    return gx, gy, np.column_stack([gx.ravel(), gy.ravel()])


def _trace(layers: list[Layer], X: np.ndarray) -> list[dict[str, np.ndarray]]:
    """Each layer's ``Z`` and ``A`` for the points X, (N, d): the fast path's forward trace in
    float64 (without targets no loss is computed, so any loss name does; no softmax head's
    (N, K, K) Jacobian, which no plot reads)."""
    fast = FastMLP(layers, "mse", dtype=np.float64)
    return fast.trace(X, finite=False, jacobians=False).layers


def _check_threshold(threshold: Any, owner: str) -> float | None:
    return None if threshold is None else check_number(threshold, "threshold", owner)


def _panels(n: int, ncols: Any, panel_size: Any, most: int, owner: str) -> tuple[int, int, float]:
    """(rows, columns, inches per panel) of a grid of n panels, at most ``most`` a row
    unless ``ncols`` says otherwise."""
    if ncols is not None:
        check_number(ncols, "ncols", owner, low=1, integer=True)
    size = check_number(panel_size, "panel_size", owner, low=0, low_open=True, high=20)
    nc = min(int(ncols), n) if ncols is not None else min(n, most)
    nr = -(-n // nc)
    if max(size * nc, size * nr) > 49:  # a figure is at most 50 inches a side
        raise ValueError(
            f"{owner}: {n} panels, {nr} rows of {nc}, at panel_size={size:g} inches need a "
            f"figure of {size * nc:.0f} x {size * nr:.0f} inches (at most 50 x 50). Pass a "
            "smaller panel_size"
            + {
                "plot_neuron_outputs": ", another ncols, or one layer with layer=...",
                "plot_training_snapshots": " or fewer epochs",
            }.get(owner, " or another ncols")
            + "."
        )
    return nr, nc, size


def _decide(out: np.ndarray, head: str, threshold: float | None) -> tuple[np.ndarray, float]:
    """Class index per row from network outputs: threshold for one output, else argmax."""
    if out.shape[1] == 1:
        t = threshold if threshold is not None else (0.0 if head == "tanh" else 0.5)
        return (out[:, 0] > t).astype(int), t
    return out.argmax(axis=1), float("nan")


def _literal(label: Any) -> str:
    """A user's label as matplotlib text that reads as written: ``$`` escaped, so two of
    them (``"$10 bill$"``) are not typeset as maths."""
    return str(label).replace("$", r"\$")


def _scatter(ax: Any, X: np.ndarray, idx: np.ndarray, classes: dict[int, Any]) -> None:
    for c in sorted(classes):
        m = idx == c
        ax.scatter(
            X[m, 0],
            X[m, 1],
            s=36 if len(X) > 16 else 80,
            c=_CLASS_COLORS[c % len(_CLASS_COLORS)],
            edgecolors="black",
            linewidths=0.8,
            label=f"class {_literal(classes[c])}",
            zorder=3,
        )


def _head(model: Any) -> str:
    try:
        return layers_of(model, "plot")[-1].act
    except TypeError:
        return ""


def _check_res(resolution: Any, owner: str) -> int:
    if whole(resolution) is None or not (10 <= resolution <= 2000):
        raise ValueError(
            f"The 'resolution' parameter of {owner} must be an int in [10, 2000]. "
            f"Got {resolution!r}."
        )
    return int(resolution)


def plot_decision_boundary(
    model: Any,
    X: Any,
    y: Any,
    *,
    ax: Any = None,
    resolution: int = 200,
    padding: float = 0.2,
    threshold: float | None = None,
    title: str = "",
    figsize: tuple[float, float] = (5.0, 4.5),
    dpi: int = 100,
) -> Any:
    """The regions a 2-D classifier assigns to each class, with the data points.

    One output: class 1 where y_hat > ``threshold`` (0.5, or 0 for a tanh output),
    the probability y_hat shaded and the boundary y_hat = threshold drawn; for a
    sigmoid output this is the lecture's z = 0 line. Several outputs: class
    argmax y_hat, each region in its class colour.

    Parameters
    ----------
    model : a glassnet Module with 2 inputs (anything with ``predict(X)`` works; a
        classifier with ``predict_proba``, such as glassnet.sklearn's, is drawn from its
        class probabilities)
    X : array (N, 2); y : class labels (N,) or one-hot rows (N, C)
    ax : matplotlib Axes to draw into (default: a new Figure)
    resolution : grid points per axis; padding : margin around the data, as a fraction
    threshold : decision threshold for one output (pass 0 for a model that outputs
        logits, e.g. one trained with ``loss='binary_cross_entropy_with_logits'``)
    title : the axes' title (default: "decision boundary" and the threshold or classes)
    figsize, dpi : size of a new figure (pixels = figsize * dpi)

    Returns
    -------
    matplotlib.figure.Figure
    """
    owner = "plot_decision_boundary"
    check_names(model, X, owner, "X")  # (a DataFrame of the fitted columns, in order)
    Xa, ya = _check_xy(X, y, owner)
    threshold = _check_threshold(threshold, owner)
    res = _check_res(resolution, owner)
    size, dpi = _check_size(figsize, dpi, owner)
    if not callable(getattr(model, "predict", None)):
        raise TypeError(
            not_a_network(model, owner)  # (told what it is and what to do)
            if micrograd_network(model)
            else f"{owner}: model must have a predict(X) method (a glassnet Module or "
            f"estimator). Got {type(model).__name__}."
        )
    try:
        inputs = layers_of(model, owner)[0].inputs
    except TypeError:  # not a network of Linear layers: anything with predict(X)
        inputs = None
    if inputs is not None and inputs != 2:
        raise ValueError(
            f"{owner}: the model takes {inputs} inputs; a decision boundary is drawn over "
            "the plane of a model with 2 inputs (train one on two features, or look at a "
            "hidden layer with plot_hidden_space)."
        )
    ext = _extent(Xa, padding, (0, 1, 0, 1), owner)
    if inputs is not None:  # the plane in the model's dtype (float32 ends near 3.4e38)
        big = max(abs(v) for v in ext)
        limit = float(np.finfo(_linears_dtype(model)).max)
        if big > limit:
            raise ValueError(
                f"{owner}: X reaches {big:.3g} (with the padding) but the model computes in "
                f"{np.dtype(_linears_dtype(model)).name}, which ends at {limit:.3g}. Scale the "
                "features (e.g. glassnet.preprocessing.StandardScaler), or use a float64 model."
            )
    gx, gy, pts = _grid(ext, res)
    known = None
    if callable(getattr(model, "predict_proba", None)) and not isinstance(model, Module):
        # a classifier (scikit-learn's API): predict gives labels, predict_proba the
        # probability of each class, in the order of classes_
        out = np.asarray(model.predict_proba(pts), dtype=np.float64).reshape(len(pts), -1)
        known = getattr(model, "classes_", None)
        if out.shape[1] == 2:
            out = out[:, 1:]  # two classes: the probability of the second, as one output
    else:
        out = np.asarray(model.predict(pts), dtype=np.float64).reshape(len(pts), -1)
    if not np.any(np.isfinite(out)):
        raise ValueError(
            f"{owner}: the model predicts NaN or inf everywhere on the plane (has training "
            "diverged?); there is no boundary to draw. Retrain it, e.g. with a smaller "
            "learning rate."
        )
    head = _head(model)
    pred, t = _decide(out, head, threshold)
    own = ax is None
    fig = _figure(size, dpi) if ax is None else _axes_figure(ax, owner)
    if ax is None:
        ax = fig.add_subplot(1, 1, 1)
    idx, classes = _labels(ya, out.shape[1], known)
    side = ""  # one output that never crosses the threshold: which side the plane is on
    from matplotlib.colors import ListedColormap

    if out.shape[1] == 1:
        from matplotlib.colors import TwoSlopeNorm

        v = np.where(np.isfinite(out[:, 0]), out[:, 0], np.nan)  # inf: no colour
        lo, hi = float(np.nanmin(v[np.isfinite(v)])), float(np.nanmax(v[np.isfinite(v)]))
        if hi <= lo:
            hi = lo + 1e-9
        # colours span the values the model produces, white at the threshold: red below
        # it (class 0's side), blue above, also where every value lies on one side
        eps = 1e-9 * max(1.0, abs(t))
        norm = TwoSlopeNorm(vcenter=t, vmin=min(lo, t - eps), vmax=max(hi, t + eps))
        cf = ax.contourf(
            gx,
            gy,
            v.reshape(gx.shape),
            levels=np.linspace(lo, hi, 21),
            cmap="RdBu",
            alpha=0.45,
            norm=norm,
        )
        bar = fig.colorbar(cf, ax=ax, label="y_hat", shrink=0.85)
        _distinct_ticks(bar)
        if lo < t < hi:
            ax.contour(gx, gy, v.reshape(gx.shape), levels=[t], colors="black", linewidths=2.0)
        elif lo > t or hi <= t:
            side = f"; not crossed: y_hat {'>' if lo > t else '<='} {t:g} everywhere"
    else:
        n = out.shape[1]
        cmap = ListedColormap([_CLASS_COLORS[c % len(_CLASS_COLORS)] for c in range(n)])
        ax.contourf(
            gx, gy, pred.reshape(gx.shape), levels=np.arange(n + 1) - 0.5, cmap=cmap, alpha=0.3
        )
        ax.contour(
            gx,
            gy,
            pred.reshape(gx.shape),
            levels=np.arange(n) + 0.5,
            colors="black",
            linewidths=1.2,
        )
    _scatter(ax, Xa, idx, classes)
    ax.set_xlim(ext[0], ext[1])
    ax.set_ylim(ext[2], ext[3])
    ax.set_xlabel("x1")
    ax.set_ylabel("x2")
    ax.set_title(
        title
        or (
            "decision boundary"
            + (f" (y_hat = {t:g}{side})" if out.shape[1] == 1 else f" ({out.shape[1]} classes)")
        )
    )
    if own:
        _title_inside(ax)
    _legend_off_points(ax, own)
    return fig


def plot_neuron_outputs(
    model: Any,
    X: Any = None,
    y: Any = None,
    *,
    layer: int | None = None,
    resolution: int = 120,
    extent: Sequence[float] = (-0.5, 1.5, -0.5, 1.5),
    padding: float = 0.2,
    ncols: int | None = None,
    panel_size: float = 2.6,
    dpi: int = 100,
) -> Any:
    """Every hidden neuron's activation a = g(z) over the input plane.

    Each panel shades one neuron's output for every point (x1, x2) and draws its
    line z = 0: the feature that neuron computes (for the slides' XNOR network, a1
    is "x1 AND x2" and a2 is "NOR"). Needs a model with 2 inputs.

    Parameters
    ----------
    model : Sequential / MLP / Neuron with 2 inputs
    X, y : optional data drawn on every panel (then the plane spans the data)
    layer : index of the hidden layer (0 = first); default every hidden layer (the
        output layer for a network without one)
    resolution : grid points per axis of each panel
    extent : (x1_min, x1_max, x2_min, x2_max) without data
    padding : margin around the data, as a fraction of its range (with X)
    ncols : panels per row; panel_size : inches per panel; dpi

    Returns
    -------
    matplotlib.figure.Figure
    """
    owner = "plot_neuron_outputs"
    check_names(model, X, owner, "X")  # (a DataFrame of the fitted columns, in order)
    layers = network_layers(model, owner)
    if layers[0].inputs != 2:
        raise ValueError(
            f"{owner}: the input plane needs a model with 2 inputs; this one has "
            f"{layers[0].inputs}. Use plot_hidden_space to look at a hidden layer instead."
        )
    res = _check_res(resolution, owner)
    hidden = list(range(len(layers) - 1)) or [0]
    if layer is not None:
        if whole(layer) is None or not 0 <= layer < len(layers):
            raise ValueError(
                f"The 'layer' parameter of {owner} must be an int in [0, {len(layers) - 1}]. "
                f"Got {layer!r}."
            )
        hidden = [layer]
    Xa = ya = None
    if X is not None:  # without y: the points in one colour (no class is known)
        Xa, ya = _check_xy(X, np.zeros(len(np.asarray(X))) if y is None else y, owner)
        ya = None if y is None else ya
    ext = _extent(Xa, padding, extent, owner)
    gx, gy, pts = _grid(ext, res)
    fw = _trace(layers[: max(hidden) + 1], pts)
    nm = make_names(layers, "auto")
    panels = [(l, k) for l in hidden for k in range(layers[l].neurons)]
    nr, nc, panel = _panels(len(panels), ncols, panel_size, 4, owner)
    size, dpi = _check_size((panel * nc + 0.4, panel * nr + 0.3), dpi, owner)
    fig = _figure(size, dpi)
    # one colour scale for every panel: the activations' full range (sigmoid [0, 1], tanh
    # [-1, 1]) or, for unbounded ones, the range of all the panels' values
    bounded = {"sigmoid": (0.0, 1.0), "tanh": (-1.0, 1.0)}
    los, his = [], []
    for l, k in panels:
        a = fw[l]["A"][:, k]
        a = a[np.isfinite(a)]  # a diverged neuron's NaN sets no scale (its panel is blank)
        if layers[l].act in bounded or a.size:
            # (the data's range only where there is no bound: a tanh neuron NaN everywhere
            # took a.min() of no values, and NumPy's "zero-size array" error came out)
            lo_, hi_ = bounded.get(layers[l].act) or (float(a.min()), float(a.max()))
            los.append(lo_)
            his.append(hi_)
    lo, hi = min(los, default=0.0), max(his, default=1.0)
    if hi <= lo:
        hi = lo + 1.0
    axes, image, boundary = [], None, False
    for p, (l, k) in enumerate(panels):
        ax = fig.add_subplot(nr, nc, p + 1)
        axes.append(ax)
        Z, A = fw[l]["Z"], fw[l]["A"]  # (resolution^2, neurons)
        a = A[:, k].reshape(gx.shape)
        act = layers[l].act
        image = ax.imshow(
            a,
            origin="lower",
            extent=ext,
            cmap="viridis",
            vmin=lo,
            vmax=hi,
            aspect="auto",
            interpolation="bilinear",
        )
        z = Z[:, k].reshape(gx.shape)
        if z.min() < 0 < z.max():
            ax.contour(gx, gy, z, levels=[0.0], colors="white", linewidths=1.2, linestyles="--")
            boundary = True
        if Xa is not None and ya is None:
            ax.scatter(
                Xa[:, 0],
                Xa[:, 1],
                s=36 if len(Xa) > 16 else 80,
                c="white",
                edgecolors="black",
                linewidths=0.8,
                zorder=3,
            )
        elif Xa is not None:
            idx, classes = _labels(ya, layers[-1].neurons)
            _scatter(ax, Xa, idx, classes)
        ax.set_title(f"{nm.a[l][k]} = {act}({nm.z[l][k]})", fontsize=9)
        ax.set_xlabel(nm.x[0], fontsize=8, labelpad=1)  # (the axes were not named)
        ax.set_ylabel(nm.x[1], fontsize=8, labelpad=1)
        ax.tick_params(labelsize=7)
        bad = float(np.mean(~np.isfinite(A[:, k])))
        note = ""
        if bad:  # (a diverged neuron's panel, blank there: say why)
            where = "everywhere" if bad == 1 else f"on {_share(bad)} of the plane"
            note = f"NaN or inf\n{where}\n(diverged?)"
        elif np.ptp(A[:, k]) == 0:  # one flat colour: a dead ReLU or a saturated unit
            dead = act == "relu" and A[0, k] == 0
            note = f"a = {float(A[0, k]):.3g} everywhere" + ("\n(a dead ReLU)" if dead else "")
        if note:
            ax.text(
                0.5,
                0.5,
                note,
                transform=ax.transAxes,
                ha="center",
                va="center",
                fontsize=8,
                color=_CLASS_COLORS[0],
                bbox={"facecolor": "white", "alpha": 0.85, "edgecolor": "none"},
            )
    # one legend, on the first panel: the classes of the points and the dashed line (a
    # teacher had to say what the dots' colours and the white dashes were)
    handles, _ = axes[0].get_legend_handles_labels()
    labels = [h.get_label() for h in handles]
    if boundary:
        from matplotlib.lines import Line2D

        # white dashes in a dark bar (the plane behind them): white dashes outlined one
        # by one read "==:" in the legend's short handle
        handles.append(
            (Line2D([], [], color="#333", linewidth=2.6),
             Line2D([], [], color="white", linestyle=(0, (3, 2)), linewidth=1.2))
        )  # fmt: skip
        labels.append("z = 0")
    if handles:  # (beneath the panels: on one, it covered the plane it explains)
        # in one row where it fits across the figure, else in as many columns as fit (one
        # neuron's panel and 5 classes: the row ran past both edges, "class 0" cut off)
        renderer = fig.canvas.get_renderer()
        for ncol in range(len(handles), 0, -1):
            legend = fig.legend(handles, labels, loc="lower center", ncol=ncol, fontsize=7,
                                frameon=False, markerscale=0.7, borderaxespad=0.2)  # fmt: skip
            box = legend.get_window_extent(renderer)
            if ncol == 1 or box.width <= fig.bbox.width - 4:
                break
            legend.remove()
        # (0.24 in of the height for one row, the panels' share; more rows take more)
        strip = 0.24 if ncol == len(handles) else max(0.24, box.height / fig.dpi + 0.06)
        strip /= fig.get_size_inches()[1]
        fig.tight_layout(rect=(0, min(strip, 0.5), 1, 1))
    else:
        fig.tight_layout()
    fig.colorbar(image, ax=axes, label="a = g(z)", shrink=0.9, pad=0.02)
    _room_for_the_colour_bar(fig)
    return fig


def _distinct_ticks(bar: Any) -> None:
    """A colour bar's ticks with two decimals, or as many more as tell them apart (a
    near-constant output's seven ticks all read 0.73)."""
    lo, hi = sorted((bar.mappable.norm.vmin, bar.mappable.norm.vmax))
    ticks = [float(t) for t in bar.get_ticks() if lo <= t <= hi] or [lo, hi]
    for d in range(2, 13):
        texts = [f"{t:.{d}f}" for t in ticks]
        if len(set(texts)) == len(texts):
            break
    bar.set_ticks(ticks, labels=texts)


def _legend_off_points(ax: Any, own: bool) -> None:
    """The classes' legend where matplotlib's 'best' puts it, or, where that covers data
    points (many classes, long class names: a point showed as a ghost behind 'class 0'),
    below the panel as :func:`plot_history` places one over its curves (in a figure of its
    own; an ``ax`` given keeps its figure's layout, the legend then under its x label)."""
    ax.legend(loc="best", fontsize=8, framealpha=0.8)
    if own:
        _legends_clear_of_data(ax.figure, 0.0, [ax])
        return
    if _covered_points(ax, ax.get_legend().get_window_extent()):  # (any canvas)
        n = len(ax.get_legend_handles_labels()[1])
        ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.15), ncol=min(n, 4), fontsize=8,
                  frameon=False)  # fmt: skip


def _title_inside(ax: Any, smallest: float = 8.0) -> None:
    """Shrink ``ax``'s title until it fits across its figure ("hidden feature space (layer
    1, neurons 1 and 2 of 3)" ran past a 5-inch figure's right edge, its end cut off)."""
    fig = ax.figure
    t = ax.title
    while t.get_fontsize() > smallest:
        fig.canvas.draw()
        box = t.get_window_extent(fig.canvas.get_renderer())
        if box.x0 >= 0 and box.x1 <= fig.get_size_inches()[0] * fig.dpi:
            return
        t.set_fontsize(max(smallest, t.get_fontsize() - 0.5))


def _room_for_the_colour_bar(fig: Any) -> None:
    """Widen ``fig`` where its texts run past its right edge: a colour bar beside one panel
    (one neuron, one snapshot) had its label, ``a = g(z)`` or ``y_hat``, cut off."""
    renderer = fig.canvas.get_renderer()
    for _ in range(3):
        # measured without drawing the figure (two draws of 64 neurons' panels took 7 s):
        # the titles, and the y axes whose label or ticks are on the right (a colour bar's;
        # the others' are left of their panel), each axes where a draw puts it (a colour
        # bar's locator moves it)
        for ax in fig.axes:
            locator = ax.get_axes_locator()
            ax.apply_aspect(locator(ax, renderer) if locator else None)
        boxes = [ax.title.get_window_extent(renderer) for ax in fig.axes if ax.get_title()]
        boxes += [
            ax.yaxis.get_tightbbox(renderer)
            for ax in fig.axes
            if "right" in (ax.yaxis.get_label_position(), ax.yaxis.get_ticks_position())
        ]
        right = max((b.x1 for b in boxes if b is not None), default=0.0)
        width, height = fig.get_size_inches()
        over = right + 4 - width * fig.dpi  # (4 px to spare)
        if over <= 0:
            return
        # the axes keep their size in inches; the new width goes to the right margin
        scale = width / (width + over / fig.dpi)
        for ax in fig.axes:
            box = ax.get_position()
            ax.set_position([box.x0 * scale, box.y0, box.width * scale, box.height])
        fig.set_size_inches(width + over / fig.dpi, height)


def _share(f: float) -> str:
    """A fraction in (0, 1) as a percentage that reads neither 0% nor 100% (0.999 read
    "100%" beside "everywhere", 0.001 "0%"): whole, else cut to the first digit that shows
    it."""
    pct = 100 * f
    if 1 <= pct < 99.5:
        return f"{pct:.0f}%"
    digits = 1
    while digits < 12 and (math.floor(pct * 10**digits) == 100 * 10**digits or pct < 10**-digits):
        digits += 1
    return f"{math.floor(pct * 10**digits) / 10**digits:.{digits}f}%"


def plot_hidden_space(
    model: Any,
    X: Any,
    y: Any,
    *,
    layer: int = 0,
    dims: tuple[int, int] = (0, 1),
    ax: Any = None,
    boundary: bool = True,
    annotate: bool | None = None,
    threshold: float | None = None,
    title: str = "",
    figsize: tuple[float, float] = (5.0, 4.5),
    dpi: int = 100,
) -> Any:
    """The data in a hidden layer's coordinates (a_i, a_j): the learned feature space.

    The slides' XNOR network maps the four corners to (0.002, 0.881), (0.119,
    0.119), (0.119, 0.119), (0.881, 0.002): there the two classes are separated by
    a straight line. When ``layer`` is the last hidden layer and has exactly two
    neurons, the output layer's decision regions in that plane are shaded and
    its boundary drawn (``boundary=True``).

    Parameters
    ----------
    model : Sequential / MLP with at least one hidden layer
    X : inputs (N, d); y : class labels (N,) or one-hot rows
    layer : hidden layer index (0 = first); dims : the two neurons shown
    ax : matplotlib Axes to draw into (default: a new Figure)
    boundary : shade the output layer's regions in the plane, where it can (see above)
    annotate : write each point's input next to it (default: for at most 16 points)
    threshold : decision threshold for one output (default 0.5; 0 for tanh)
    title : the axes' title (default: "hidden feature space (layer k ...)")
    figsize, dpi : size of a new figure (pixels = figsize * dpi)

    Returns
    -------
    matplotlib.figure.Figure
    """
    owner = "plot_hidden_space"
    check_names(model, X, owner, "X")  # (a DataFrame of the fitted columns, in order)
    layers = network_layers(model, owner)
    if len(layers) < 2:
        raise ValueError(f"{owner}: the model has no hidden layer; there is no feature space.")
    if whole(layer) is None or not 0 <= layer < len(layers) - 1:
        raise ValueError(
            f"The 'layer' parameter of {owner} must be a hidden layer index in "
            f"[0, {len(layers) - 2}]. Got {layer!r}."
        )
    width = layers[layer].neurons
    if width < 2:
        raise ValueError(
            f"{owner}: hidden layer {layer} has 1 neuron; its feature space is a line, not a "
            "plane of two neurons. Look at that neuron with plot_neuron_outputs instead."
        )
    ok = (
        isinstance(dims, (tuple, list))
        and len(dims) == 2
        and dims[0] != dims[1]
        and all(whole(v) is not None and 0 <= v < width for v in dims)
    )
    if not ok:
        raise ValueError(
            f"The 'dims' parameter of {owner} must be two different neuron indices in "
            f"[0, {width - 1}]. Got {dims!r}."
        )
    Xa, ya = _check_xy(X, y, owner, need_2d=False)
    threshold = _check_threshold(threshold, owner)
    if Xa.shape[1] != layers[0].inputs:
        raise ValueError(
            f"{owner}: X has {Xa.shape[1]} features but the model expects {layers[0].inputs}."
        )
    size, dpi = _check_size(figsize, dpi, owner)
    fig = _figure(size, dpi) if ax is None else _axes_figure(ax, owner)
    own = ax is None
    if ax is None:
        ax = fig.add_subplot(1, 1, 1)
    H = _trace(layers[: layer + 1], Xa)[layer]["A"][:, list(dims)]
    if not np.all(np.isfinite(H)):
        raise ValueError(
            f"{owner}: hidden layer {layer}'s activations are NaN or inf for some rows of X "
            "(are the weights NaN, has training diverged?); there is no point to draw for "
            "them. Retrain the model, e.g. with a smaller learning rate."
        )
    nm = make_names(layers, "auto")
    i, j = dims
    act = layers[layer].act
    if act == "sigmoid":
        ext = [-0.05, 1.05, -0.05, 1.05]
    elif act == "tanh":
        ext = [-1.05, 1.05, -1.05, 1.05]
    else:
        ext = _extent(H, 0.15, (0, 1, 0, 1), owner)
    idx, classes = _labels(ya, layers[-1].neurons)
    if boundary and layer == len(layers) - 2 and width == 2:
        gx, gy, pts = _grid(ext, 200)
        out = _trace(layers[-1:], pts)[0]["A"]  # the output layer over the hidden plane
        pred, t = _decide(out, layers[-1].act, threshold)
        from matplotlib.colors import ListedColormap

        n = max(out.shape[1], 2)
        cmap = ListedColormap([_CLASS_COLORS[c % len(_CLASS_COLORS)] for c in range(n)])
        ax.contourf(
            gx, gy, pred.reshape(gx.shape), levels=np.arange(n + 1) - 0.5, cmap=cmap, alpha=0.18
        )
        if len(np.unique(pred)) > 1:
            ax.contour(
                gx,
                gy,
                pred.reshape(gx.shape),
                levels=np.arange(n - 1) + 0.5,
                colors="black",
                linewidths=2.0,
            )
    _scatter(ax, H, idx, classes)
    if annotate is None:
        annotate = len(Xa) <= 16
    ax.set_xlim(ext[0], ext[1])
    ax.set_ylim(ext[2], ext[3])
    ax.set_xlabel(f"{nm.a[layer][i]} = {act}({nm.z[layer][i]})")
    ax.set_ylabel(f"{nm.a[layer][j]} = {act}({nm.z[layer][j]})")
    # a wider layer: say which two of its neurons make the plane
    which = f", neurons {i + 1} and {j + 1} of {width}" if width > 2 else ""
    ax.set_title(title or f"hidden feature space (layer {layer + 1}{which})")
    if own:  # the axis labels inside the figure
        fig.tight_layout()
        _title_inside(ax)
    if annotate:  # (once the axes have their final size)
        _annotate_inputs(ax, H, Xa, ext)
    _legend_off_points(ax, own)
    return fig


def _annotate_inputs(ax: Any, H: np.ndarray, Xa: np.ndarray, ext: Sequence[float]) -> None:
    """Write each point's input ``x=(..)`` beside it (left of the points in the right part of
    the plane, so that it stays inside), moved down, then up, until it overlaps no label
    written before: points close together (XNOR's (1, 0) and (1, 1) in a tanh layer) keep
    readable labels."""
    boxes: list[Any] = []  # (get_window_extent finds a renderer on any canvas, matplotlib 3.6)
    for p in range(len(Xa)):
        txt = "x=(" + ", ".join(f"{v:g}" for v in Xa[p]) + ")"
        right = (H[p, 0] - ext[0]) / (ext[1] - ext[0]) > 0.7
        ann = ax.annotate(
            txt,
            (H[p, 0], H[p, 1]),
            xytext=(-8 if right else 8, 6),
            textcoords="offset points",
            ha="right" if right else "left",
            fontsize=8,
        )
        for k in range(1, 4 * len(Xa) + 1):
            box = ann.get_window_extent()
            if not any(box.overlaps(b) for b in boxes):
                break
            step = (k + 1) // 2 * (-1 if k % 2 else 1)  # -1, 1, -2, 2, ... lines of 11 pt
            ann.set_position((-8 if right else 8, 6 + 11 * step))
        boxes.append(ann.get_window_extent())


def _curve(history: Any, name: str, owner: str) -> list[float]:
    """``history.<name>`` as a list of floats (NaN and inf kept), or the error that says
    which curve holds something else."""
    curve = list(getattr(history, name, None) or [])
    try:
        return np.asarray(curve, dtype=np.float64).reshape(len(curve)).tolist()
    except (TypeError, ValueError):
        raise ValueError(
            f"{owner}: history.{name} must hold one number per epoch. Got {curve[:3]!r}"
            + (" ..." if len(curve) > 3 else "")
            + "; pass the History returned by glassnet.fit."
        ) from None


def _epoch_ticks() -> Any:
    """matplotlib's default tick choice, on whole epochs only (one epoch: one tick)."""
    from matplotlib.ticker import MaxNLocator

    return MaxNLocator("auto", steps=[1, 2, 5, 10], integer=True, min_n_ticks=1)


def _sklearn_mlp_history(est: Any) -> Any:
    """A fitted scikit-learn MLP's curves as a History (None for anything else): its
    ``loss_curve_`` (the training loss per epoch; 'lbfgs' records none) and, with early
    stopping, ``validation_scores_`` (accuracy or R^2), whose best epoch is the one whose
    weights it restored."""
    curve = getattr(est, "loss_curve_", None)
    if not sklearn_mlp(est) or not isinstance(curve, list):
        return None
    h = History(loss=[float(v) for v in curve], epochs=len(curve))
    scores = getattr(est, "validation_scores_", None)
    if scores:
        h.val_metric = [float(v) for v in scores]
        h.metric_name = "accuracy" if hasattr(est, "classes_") else "r2"
        if np.any(np.isfinite(h.val_metric)):
            h.best_epoch = int(np.nanargmax(h.val_metric)) + 1
            h.best_by = f"validation {h.metric_name}"  # type: ignore[attr-defined]
    _sklearn_mlp_run(est, h)
    return h


def _sklearn_mlp_run(est: Any, h: Any) -> None:
    """The steps (minibatch updates) and the stop reason of a fitted scikit-learn MLP on
    ``h``: it counts the samples it saw (``t_``), not steps, and says why it stopped only
    in a warning (the caption read '(0 steps); not stopped yet.')."""
    n_iter, seen = int(getattr(est, "n_iter_", 0) or 0), int(getattr(est, "t_", 0) or 0)
    if n_iter <= 0:
        return
    n_train = seen // n_iter  # rows per epoch (the validation split held out)
    bs = est.batch_size
    bs = min(200, n_train) if bs == "auto" else int(np.clip(bs, 1, max(n_train, 1)))
    h.steps, h.samples_seen = n_iter * -(-n_train // max(bs, 1)), seen
    tol, patience = est.tol, est.n_iter_no_change
    if n_iter >= est.max_iter:
        h.stop_reason = f"reached max_iter={est.max_iter}"
    elif est.solver == "sgd" and est.learning_rate == "adaptive":
        h.stop_reason = "min_lr"
    elif est.early_stopping and h.val_metric:
        best = h.best_epoch
        h.stop_reason = (
            f"the validation {h.metric_name} improved by less than tol={tol:g} for more than "
            f"n_iter_no_change={patience} epochs; the weights of its best epoch, {best} "
            f"({h.metric_name} {fmt(h.val_metric[best - 1], 3)}), were restored"
            if best
            else f"the validation {h.metric_name} improved by less than tol={tol:g} for "
            f"more than n_iter_no_change={patience} epochs"
        )
    else:
        h.stop_reason = (
            f"the training loss improved by less than tol={tol:g} for more than "
            f"n_iter_no_change={patience} epochs"
        )


def plot_history(
    history: Any,
    *,
    log: bool | None = None,
    title: str = "",
    figsize: tuple[float, float] = (9.0, 3.5),
    dpi: int = 100,
) -> Any:
    """Training and validation curves of :func:`glassnet.fit`'s History, of a fitted
    glassnet.sklearn estimator (its ``history_``), or of a fitted scikit-learn MLP (its
    ``loss_curve_``, and ``validation_scores_`` with early stopping).

    Left: the loss per epoch (training, and validation when there is one), on a
    log scale when it spans more than two decades (``log``). Right, when validation
    data was used: the validation metric (accuracy or R^2).

    ``history.best_epoch`` is drawn labelled by what it is best by: "(lowest training
    loss)" (fit's rule watches the training loss unless early stopping or a validation
    ``Tolerance`` watches the validation loss), "(lowest validation loss)", or a fitted
    estimator's "(best validation accuracy)" (its ``best_by``). Where the best epoch is
    the training loss's, the validation loss's lowest epoch is marked too.

    Returns
    -------
    matplotlib.figure.Figure
    """
    owner = "plot_history"
    if log is not None and not isinstance(log, (bool, np.bool_)):
        raise ValueError(
            f"The 'log' parameter of {owner} must be True, False or None (automatic). Got {log!r}."
        )
    if isinstance(getattr(history, "loss", ""), str):  # (an estimator's loss='log_loss')
        history = getattr(history, "history_", None) or history  # a fitted glassnet.sklearn one
    if isinstance(getattr(history, "loss", ""), str):
        history = _sklearn_mlp_history(history) or history  # a fitted scikit-learn MLP's curve
    if isinstance(getattr(history, "loss", ""), str):
        kind = type(history)
        if not hasattr(history, "fit"):
            why = "."
        elif kind.__module__.split(".")[0] == "glassnet":
            why = " that is not fitted yet (fit it first)."
        elif sklearn_mlp(history) and hasattr(history, "n_iter_"):
            why = (  # (fitted: solver='lbfgs' records its final loss_ only)
                f" ({kind.__module__}), scikit-learn's own estimator, fitted with "
                f"solver={getattr(history, 'solver', '?')!r}, which records no loss_curve_ "
                f"(only its final loss_, {getattr(history, 'loss_', float('nan')):.6g}): "
                "there is no curve to draw; glassnet.sklearn's keeps one for each solver."
            )
        elif sklearn_mlp(history):
            why = (
                f" ({kind.__module__}), scikit-learn's own estimator, not fitted yet: fit it "
                "first (its loss_curve_ is drawn)."
            )
        else:
            why = f" ({kind.__module__}), an estimator that records no training curve."
        raise TypeError(
            f"{owner}: expected the History returned by glassnet.fit (it has .loss, "
            f".val_loss, ...), a fitted glassnet.sklearn estimator, or a fitted scikit-learn "
            f"MLP. Got {kind.__name__}{why}"
        )
    loss = _curve(history, "loss", owner)
    if not loss:
        raise ValueError(
            f"{owner}: the history has no recorded loss. Pass the History returned by "
            "glassnet.fit after at least one epoch."
        )
    val = _curve(history, "val_loss", owner)
    metric = _curve(history, "val_metric", owner)
    if not np.any(np.isfinite(loss + val)):
        raise ValueError(
            f"{owner}: every recorded loss is NaN or inf ({len(loss)} epochs): there is no "
            "curve to draw. Training diverged from its first epoch; try a smaller learning "
            "rate, or standardize the features."
        )
    size, dpi = _check_size(figsize, dpi, owner)
    fig = _figure(size, dpi)
    two = bool(metric) and getattr(history, "metric_name", "") != "none"  # (no metric: NaN)
    ax = fig.add_subplot(1, 2 if two else 1, 1)
    # a resumed run (fit's initial_epoch) records its own epochs only: they end at
    # history.epochs, where its best_epoch is counted from
    last = getattr(history, "epochs", None)
    last = last if isinstance(last, (int, np.integer)) and last >= len(loss) else len(loss)

    def at(curve: list) -> np.ndarray:  # the epochs of a curve's points, ending at `last`
        return np.arange(last - len(curve) + 1, last + 1)

    def draw(ax: Any, curve: list, color: str, label: str) -> None:
        """The curve; a point between NaN or inf neighbours (or alone) as a dot, which a
        line does not draw; and each NaN or inf epoch as a cross at the top."""
        x, v = at(curve), np.asarray(curve)
        fin = np.isfinite(v)
        ax.plot(x, v, color=color, label=label, **({"marker": "o"} if len(v) == 1 else {}))
        lone = fin & ~np.r_[False, fin[:-1]] & ~np.r_[fin[1:], False]
        if lone.any() and len(v) > 1:
            ax.plot(x[lone], v[lone], "o", color=color, markersize=4)
        if not fin.all():
            bad = int(np.count_nonzero(~fin))
            ax.plot(
                x[~fin],
                np.full(bad, 0.97),
                "x",
                color=color,
                transform=ax.get_xaxis_transform(),  # y in axes units: the top
                clip_on=False,
                label=f"{label}: NaN or inf ({bad} of {len(v)} epochs)",
            )

    draw(ax, loss, _CLASS_COLORS[1], "training loss")
    if val:
        draw(ax, val, _CLASS_COLORS[0], "validation loss")
    best = getattr(history, "best_epoch", None)
    lowest = {  # the first epoch of each loss's minimum (a stopping rule's best is the first)
        what: int(at(curve)[np.nanargmin(np.where(np.isfinite(curve), curve, np.nan))])
        for what, curve in (("training loss", loss), ("validation loss", val))
        if np.any(np.isfinite(curve))
    }
    by = getattr(history, "best_by", "") or ""  # (a fitted estimator's: its validation score)
    if best and not by:  # glassnet.fit's rules keep the best by the loss they watch
        same = [what for what, epoch in lowest.items() if epoch == best]
        by = " and ".join(same) if len(same) < 2 else "training and validation loss"
    best_label = f"best epoch {best}" + (f" (lowest {by})" if "loss" in by else f" (best {by})")
    if best:
        best_label = best_label if by else f"best epoch {best}"
        ax.axvline(best, color="#888", linestyle=":", linewidth=1, label=best_label)
    if val and "validation loss" in lowest and "validation" not in by:
        vbest = lowest["validation loss"]  # best_epoch is the training loss's: mark this one too
        ax.axvline(
            vbest,
            color=_CLASS_COLORS[0],
            linestyle="--",
            linewidth=1,
            alpha=0.7,
            label=f"lowest validation loss: epoch {vbest}",
        )
    values = np.array(loss + val, dtype=np.float64)
    values = values[np.isfinite(values)]  # NaN or inf (drawn as crosses) set no scale
    pos = values[values > 0]
    if log is None:
        log = pos.size == values.size and pos.size > 0 and pos.max() / pos.min() > 100
    elif log and pos.size < values.size:  # (a log axis drops them: an empty picture)
        raise ValueError(
            f"{owner}: log=True draws the losses on a log scale, but {values.size - pos.size} "
            f"of them are 0 or negative (smallest {values.min():g}), which it cannot show. "
            "Pass log=False, or leave log out (a log scale only when it can draw every loss)."
        )
    if log:
        ax.set_yscale("log")
    ax.set_xlabel("epoch")
    ax.xaxis.set_major_locator(_epoch_ticks())  # epochs are whole numbers
    ax.set_ylabel("loss")
    ax.legend(fontsize=8)
    ax.get_legend().set_in_layout(False)  # (the panels laid out on their own)
    ax.grid(alpha=0.3)
    ax.set_title(title or "loss")
    if two:
        ax2 = fig.add_subplot(1, 2, 2)
        name = getattr(history, "metric_name", "") or "metric"
        draw(ax2, metric, _CLASS_COLORS[2], f"validation {name}")
        if best and by == f"validation {name}":  # (the estimators' early stopping: the score's)
            ax2.axvline(best, color="#888", linestyle=":", linewidth=1, label=best_label)
        ax2.set_xlabel("epoch")
        ax2.xaxis.set_major_locator(_epoch_ticks())
        ax2.set_ylabel(name)
        ax2.legend(fontsize=8)
        ax2.get_legend().set_in_layout(False)  # (the panels laid out on their own)
        ax2.grid(alpha=0.3)
        ax2.set_title(f"validation {name}")
    msg = getattr(history, "message", "")
    room = 0.0
    if msg:  # wrapped to the figure's width (8 pt characters are about 4.5 pt wide)
        msg = textwrap.fill(msg, width=max(40, int(size[0] * 72 / 4.6)))
        lines = msg.count("\n") + 1
        said = fig.suptitle(msg, fontsize=8, y=0.02, va="bottom", color="#555")
        said.set_in_layout(False)  # (tight_layout kept room for it at the top: blank there)
        room = min(0.4, 0.02 + lines * 11 / 72 / size[1])
    fig.tight_layout(rect=(0, room, 1, 1))
    _legends_clear_of_data(fig, room)
    return fig


def _covered_points(ax: Any, box: Any) -> int:
    """How many points of ``ax``'s lines (each segment sampled every pixel or so, so that a
    line crossing ``box`` counts though no recorded point lies in it) fall inside ``box``,
    a Bbox in display pixels (a legend's window extent)."""
    inside = 0
    for line in ax.get_lines():
        xy = line.get_transform().transform(np.asarray(line.get_xydata(), dtype=np.float64))
        xy = xy[np.all(np.isfinite(xy), axis=1)]
        if line.get_linestyle() not in ("None", "none", "", " ") and len(xy) > 1:
            steps = np.maximum(1, np.ceil(np.hypot(*np.diff(xy, axis=0).T)).astype(int))
            steps = np.minimum(steps, 10_000)  # (a segment far off the canvas: enough)
            t = np.concatenate([np.arange(n) / n for n in steps])
            i = np.repeat(np.arange(len(xy) - 1), steps)
            xy = np.vstack([xy[i] + t[:, None] * (xy[i + 1] - xy[i]), xy[-1:]])
        x, y = xy[:, 0], xy[:, 1]
        within = (x >= box.x0) & (x <= box.x1) & (y >= box.y0) & (y <= box.y1)
        inside += int(np.count_nonzero(within))
    from matplotlib.collections import PathCollection

    for c in ax.collections:  # scatter points: a marker that reaches into the box
        if type(c) is PathCollection and len(c.get_offsets()):
            xy = c.get_offset_transform().transform(np.asarray(c.get_offsets(), dtype=np.float64))
            r = np.sqrt(np.max(c.get_sizes(), initial=36.0)) / 2 * ax.figure.dpi / 72
            x, y = xy[:, 0], xy[:, 1]
            within = (x >= box.x0 - r) & (x <= box.x1 + r) & (y >= box.y0 - r) & (y <= box.y1 + r)
            inside += int(np.count_nonzero(within))
    return inside


def _legends_clear_of_data(fig: Any, room: float = 0.0, panels: list[Any] | None = None) -> bool:
    """Each panel's legend where matplotlib's 'best' put it, unless it covers a curve there
    (no place inside the panel is free of the data: a wide legend over a loss that falls
    across the whole panel). Such a legend goes below its panel, in a band above the
    bottom ``room`` (a message's) that the panels make room for: within the panel's share
    of the figure's width (its columns fewer, a label too long for it wrapped), so that it
    stays inside the figure and clear of the other panel's at any size. The legends are
    measured without drawing the figure. True when one moved. ``panels``: the figure's
    panels side by side (all its axes unless given: not a colour bar's)."""
    panels = list(fig.axes) if panels is None else panels
    axes = [ax for ax in panels if ax.get_legend() is not None]
    if not axes:
        return False
    renderer = fig.canvas.get_renderer()  # ('best' is worked out for this layout: no draw)
    moving = [ax for ax in axes if _covered_points(ax, ax.get_legend().get_window_extent(renderer))]
    if not moving:
        return False
    width, height = fig.bbox.width, fig.bbox.height  # (display pixels)
    share = width / len(panels)  # each panel's slot of the figure's width
    pad = 4 * fig.dpi / 72  # (4 points between the legend and the slot's edges)
    band = 0.0
    placed = []
    for ax in moving:
        old = ax.get_legend()
        size = old.get_texts()[0].get_fontsize() if old.get_texts() else 8
        handles, labels = ax.get_legend_handles_labels()
        given, ncol, wrap = labels, len(labels), max(map(len, labels))
        while True:  # the most columns that fit, then labels wrapped shorter
            legend = ax.legend(handles, labels, loc="upper center", fontsize=size, ncol=ncol,
                               frameon=False)  # fmt: skip
            legend.set_in_layout(False)  # (placed by hand below: not part of the panel)
            box = legend.get_window_extent(renderer)
            if box.width <= share - 2 * pad or (ncol == 1 and wrap <= 8):
                break
            if ncol > 1:
                ncol -= 1
            else:
                wrap = max(8, int(wrap * 0.8))
                labels = [textwrap.fill(t, wrap) for t in given]
        band = max(band, box.height)
        placed.append((ax, legend, box.width))
    # the panels' bottom raised by the band: their tick labels and "epoch" stay above it
    # (as far as the band reaches above the lowest tick label or "epoch" now)
    low = min(_xaxis_bottom(ax, renderer) for ax in fig.axes)
    frac = max(0.0, room * height + band + 2 * pad - low) / height
    fig.subplots_adjust(bottom=min(fig.subplotpars.bottom + frac, fig.subplotpars.top - 0.05))
    for ax, legend, w in placed:
        slot = panels.index(ax) * share
        pos = ax.get_position()
        centre = (pos.x0 + pos.x1) / 2 * width  # under the panel, kept inside its slot
        centre = min(max(centre, slot + pad + w / 2), slot + share - pad - w / 2)
        top = room + (band + pad) / height  # (the legends' tops in one line)
        legend.set_bbox_to_anchor((centre / width, top), transform=fig.transFigure)
    return True


def _xaxis_bottom(ax: Any, renderer: Any) -> float:
    """The bottom of ``ax``'s tick labels and axis label, in display pixels."""
    box = ax.xaxis.get_tightbbox(renderer)
    return float(box.y0) if box is not None else float(ax.bbox.y0)


_ACT_TITLES = {
    "sigmoid": r"$\sigma(z) = 1/(1+e^{-z})$",
    "tanh": r"$\tanh(z) = (e^{z}-e^{-z})/(e^{z}+e^{-z})$",
    "relu": r"$\mathrm{ReLU}(z) = \max(0,\ z)$",
    "leaky_relu": r"$g(z) = \max(a z,\ z)$",
}
"""The panels' formulas in the slides' notation (matplotlib's mathtext) where plain text
reads worse (``1 / (1 + e^-z)``); the identity's ``g(z) = z`` stays plain. The leaky
ReLU's max(a z, z) is what glassnet computes (``z if z > 0 else a z``) for a <= 1 only:
a steeper slope's panel writes the latter."""


def plot_activations(
    names: Sequence[str] | None = None,
    *,
    model: Any = None,
    alpha: float | None = None,
    z_range: tuple[float, float] = (-5.0, 5.0),
    ncols: int | None = None,
    panel_size: float = 2.8,
    dpi: int = 100,
) -> Any:
    """The lecture's activation functions g(z) (solid) and their derivatives g'(z) (dashed),
    drawn from :data:`glassnet.functional.ACTIVATIONS` (softmax is not elementwise and is
    left out).

    ``names`` default: every elementwise activation, or with ``model`` the activations that
    model uses. The leaky ReLU's slope a is ``alpha``, else the model's own (its first
    LeakyReLU's), else 0.1; the panel's title says which.

    Returns
    -------
    matplotlib.figure.Figure
    """
    owner = "plot_activations"
    model_alpha = None
    if model is not None:
        layers = network_layers(model, owner)
        used = [lay.act for lay in layers if F.get_activation(lay.act).elementwise]
        leaky = [lay.alpha for lay in layers if lay.act == "leaky_relu"]
        model_alpha = leaky[0] if leaky else None
        if names is None and not used:  # (it drew "identity", which the model does not use)
            raise ValueError(
                f"{owner}: this model's only activation is softmax, which is not elementwise "
                "(its derivative is a Jacobian, dy_hat_i/dz_k = y_hat_i (delta_ik - y_hat_k)): "
                "there is no curve g(z) to draw. explain(model, x, y) shows its Jacobian for a "
                "data point; names=[...] draws the activations named."
            )
        if names is None:
            names = list(dict.fromkeys(used))
    if names is None:
        names = ("sigmoid", "tanh", "relu", "leaky_relu", "identity")
    if alpha is not None and (
        isinstance(alpha, bool) or not isinstance(alpha, (int, float)) or not np.isfinite(alpha)
    ):
        raise ValueError(f"The 'alpha' parameter of {owner} must be a number. Got {alpha!r}.")
    slope = float(alpha) if alpha is not None else (model_alpha if model_alpha is not None else 0.1)
    if isinstance(names, str):
        names = [names]
    if not isinstance(names, (Sequence, np.ndarray)) or not all(isinstance(n, str) for n in names):
        raise ValueError(
            f"The 'names' parameter of {owner} must be an activation's name or a list of "
            f"them, e.g. ['sigmoid', 'relu']. Got {names!r}."
        )
    acts = [F.get_activation(n) for n in names]
    if any(not a.elementwise for a in acts):
        raise ValueError(
            f"{owner}: softmax is not elementwise (its derivative is a Jacobian); plot the "
            "elementwise activations: sigmoid, tanh, relu, leaky_relu, identity."
        )
    if not acts:
        raise ValueError(f"{owner}: pass at least one activation name.")
    ok = (
        isinstance(z_range, (tuple, list))
        and len(z_range) == 2
        and all(
            isinstance(v, (int, float, np.integer, np.floating)) and not isinstance(v, bool)
            for v in z_range
        )
    )
    lo, hi = z_range if ok else (0.0, 0.0)
    if not (ok and np.isfinite(lo) and np.isfinite(hi) and lo < hi):
        raise ValueError(
            f"The 'z_range' parameter of {owner} must be (low, high) with low < "
            f"high. Got {z_range!r}."
        )
    nr, nc, panel = _panels(len(acts), ncols, panel_size, 5, owner)
    size, dpi = _check_size((panel * nc + 0.3, panel * nr + 0.2), dpi, owner)
    fig = _figure(size, dpi)
    z = np.linspace(lo, hi, 801)
    for p, act in enumerate(acts):
        ax = fig.add_subplot(nr, nc, p + 1)
        kw = {"alpha": slope} if act.name == "leaky_relu" else {}
        a = act.fn(z, **kw)
        g = act.grad(z, a, **kw)
        # g'(z) jumps where g has a kink (ReLU's and the leaky ReLU's z = 0, where g'(0) is
        # not defined): a break there, not a vertical stroke that reads as every value
        # between the two slopes
        zg = z
        jumps = np.flatnonzero(np.abs(np.diff(g)) > 0.5 * (g.max() - g.min())) + 1
        if jumps.size:
            zg, g = np.insert(z, jumps, np.nan), np.insert(g, jumps, np.nan)
        # g′ drawn over g (ReLU's g′(z) = 0 for z < 0 lay under g(z) = 0, hidden)
        ax.plot(z, a, color=_CLASS_COLORS[1], linewidth=2, label="$g(z)$", zorder=2)
        ax.plot(
            zg, g, color=_CLASS_COLORS[0], linewidth=1.6, linestyle="--", label="$g'(z)$",
            zorder=3,
        )  # fmt: skip
        ax.axhline(0, color="#999", linewidth=0.6, zorder=1)
        ax.axvline(0, color="#999", linewidth=0.6, zorder=1)
        label = act.name + (f" (a = {slope:g})" if act.name == "leaky_relu" else "")
        formula = _ACT_TITLES.get(act.name, "g(z) = " + act.formula)
        if act.name == "leaky_relu" and slope > 1:  # (max(a z, z) is min(a z, z) for a > 1)
            formula = r"$g(z) = z$ if $z > 0$ else $a z$"
        ax.set_title(f"{label}\n{formula}", fontsize=8)
        ax.tick_params(labelsize=7)
        ax.grid(alpha=0.25)
        if p == 0:
            ax.legend(fontsize=7, loc="upper left")
    fig.tight_layout()
    return fig


def _untrained_loss(model: Any, layers: list[Layer], X: Any, y: Any, kw: dict) -> float:
    """The loss fit's history gives ``model`` at its weights now (epoch 0 of a snapshot),
    ``kw`` fit's arguments: an epoch's loss as fit counts it, on the rows fit trains on (a
    ``validation_split`` or early stopping's hold-out drawn as fit draws it, from a copy of
    its generator: the caller's draws nothing), the batches' losses weighted by their rows,
    each with ``l2 / (2 b) * sum ||W||^2`` for its ``b`` rows. NaN (the title gives no
    loss) where fit's arguments are refused: fit says why, next."""
    import copy
    import warnings

    from .. import tasks
    from ..objective import evaluate_loss

    loss, w = kw.get("loss", "mse"), kw.get("sample_weight")
    frac, stop = kw.get("validation_split", 0.0), kw.get("early_stopping", False)
    try:
        if (frac > 0 or stop) and kw.get("validation_data") is None:  # (fit's split)
            spec = tasks.loss_spec(loss)
            takes = spec is None and tasks.takes_labels(loss)
            with warnings.catch_warnings():  # (fit gives them)
                warnings.simplefilter("ignore")
                X, y, w = tasks.check_data(model, spec, X, y, w, "fit", labels=takes, loss=loss)
                rng = copy.deepcopy(tasks.epoch_rng(kw.get("seed"), 0))
                X, y, w = tasks.validation_set(
                    model, spec, X, y, w, None, frac, stop, rng, labels=takes, loss=loss
                )[:3]
    except Exception:  # (arguments fit refuses, in its own words, next)
        return math.nan
    value = evaluate_loss(model, X, y, loss, w)
    l2, n, b = kw.get("l2") or 0.0, len(X), kw.get("batch_size")
    if l2:  # (k batches of fit's: k * l2 / (2 n) * sum ||W||^2 in the epoch's loss)
        k = -(-n // b) if isinstance(b, (int, np.integer)) and 0 < b < n else 1
        value += k * float(l2) / (2 * n) * sum(float(np.sum(lay.W**2)) for lay in layers)
    return float(value)


def plot_training_snapshots(
    model: Any,
    X: Any,
    y: Any,
    epochs: Sequence[int] = (0, 10, 50, 200),
    *,
    resolution: int = 120,
    padding: float = 0.2,
    panel_size: float = 3.0,
    dpi: int = 100,
    **fit_kwargs: Any,
) -> Any:
    """Train ``model`` on (X, y) with :func:`glassnet.fit` and draw its decision boundary
    at the chosen epochs, side by side, on one colour scale.

    ``epochs``: the epochs after which to take a snapshot (0 = before training); training
    runs up to the largest. When a stopping rule (``tol``, ``early_stopping``) ends
    training before it, the epoch where it stopped gets a panel too, its title saying so.
    The model is trained in place and keeps its final weights. ``fit_kwargs`` go to
    :func:`glassnet.fit` (``loss``, ``optimizer``, ``lr``, ``seed``, ``callbacks``, ...;
    ``epochs`` is set here). One output: y_hat shaded on one scale shared by every
    panel, the boundary y_hat = 0.5 (0 for a tanh output, or for logits: a model trained
    with ``loss='binary_cross_entropy_with_logits'``) in black; several outputs: each
    class's region in its colour. Each panel's title gives its epoch and training loss
    (epoch 0's: the untrained network's, as fit counts an epoch's, on the rows it trains
    on, with its per-batch ``l2`` penalty).

    Returns
    -------
    matplotlib.figure.Figure
    """
    from ..tasks import loss_spec
    from ..train import fit

    owner = "plot_training_snapshots"
    layers = network_layers(model, owner)
    Xa, ya = _check_xy(X, y, owner)
    res = _check_res(resolution, owner)
    _extent(None, padding, (0, 1, 0, 1), owner)
    ok = (
        isinstance(epochs, (Sequence, np.ndarray))
        and not isinstance(epochs, str)
        and len(epochs) > 0
        and all(
            not isinstance(e, bool) and isinstance(e, (int, np.integer)) and e >= 0 for e in epochs
        )
    )
    if not ok:
        raise ValueError(
            f"The 'epochs' parameter of {owner} must be a non-empty list of ints >= 0. "
            f"Got {epochs!r}."
        )
    want = sorted({int(e) for e in epochs})
    _panels(len(want), None, panel_size, len(want), owner)  # checked before training
    if want == [0]:  # (fit's own error, "epochs must be > 0", named no snapshot)
        raise ValueError(
            f"{owner}: epochs=[0] asks for no training, only the untrained model; give later "
            "epochs too (e.g. [0, 10, 50]), or draw the untrained model with "
            "plot_decision_boundary."
        )
    if "epochs" in fit_kwargs:
        raise TypeError(
            f"{owner}: give the snapshot epochs as 'epochs'; training runs to the last."
        )
    snaps: dict[int, tuple[dict[str, np.ndarray], float]] = {}
    if 0 in want:  # the untrained network, with its loss as fit counts it (l2 too)
        loss0 = _untrained_loss(model, layers, Xa, ya, fit_kwargs)
        snaps[0] = ({k: v.copy() for k, v in model.state_dict().items()}, loss0)
    last: list[tuple[int, dict[str, np.ndarray], float]] = []  # the latest epoch's weights

    def snapshot(state: Any) -> None:
        weights = {k: v.copy() for k, v in state.model.state_dict().items()}
        last[:] = [(state.epoch, weights, float(state.epoch_loss))]
        if state.epoch in want:
            snaps[state.epoch] = (weights, float(state.epoch_loss))

    fit_kwargs.setdefault("verbose", 0)
    callbacks = [*fit_kwargs.pop("callbacks", ()), snapshot]
    history = fit(model, Xa, ya, epochs=max(want), callbacks=callbacks, **fit_kwargs)
    final = {k: v.copy() for k, v in model.state_dict().items()}
    spec = loss_spec(fit_kwargs.get("loss", "mse"))
    on_logits = 0.0 if spec is not None and spec.name.endswith("_with_logits") else None
    stopped = None  # training stopped before the last snapshot epoch: show where it stopped
    if last and last[0][0] < want[-1] and last[0][0] not in snaps:
        stopped = last[0][0]
        snaps[stopped] = last[0][1:]
        want = sorted([*want, stopped])
    ext = _extent(Xa, padding, (0, 1, 0, 1), owner)
    gx, gy, pts = _grid(ext, res)
    head = layers[-1].act
    outs = []
    shown = [e for e in want if e in snaps]
    try:
        for e in shown:
            model.load_state_dict(snaps[e][0])
            outs.append(np.asarray(_trace(layers, pts)[-1]["A"], dtype=np.float64))
    finally:
        model.load_state_dict(final)
    _, _, panel = _panels(len(shown), None, panel_size, len(shown), owner)
    size, dpi = _check_size((panel * len(shown) + 0.8, panel + 0.4), dpi, owner)
    fig = _figure(size, dpi)
    idx, classes = _labels(ya, layers[-1].neurons)
    from matplotlib.colors import ListedColormap, Normalize, TwoSlopeNorm

    one = outs[0].shape[1] == 1
    lo = min(float(o.min()) for o in outs) if one else 0.0
    hi = max(float(o.max()) for o in outs) if one else 1.0
    if head == "sigmoid":
        lo, hi = 0.0, 1.0  # probabilities: the scale of every panel
    if hi <= lo:
        hi = lo + 1e-9
    norm = Normalize(lo, hi)
    if one and head != "sigmoid":  # white at the threshold (0 for tanh or logits), not mid-range
        t = _decide(outs[0], head, on_logits)[1]
        eps = 1e-9 * max(1.0, abs(t))
        norm = TwoSlopeNorm(vcenter=t, vmin=min(lo, t - eps), vmax=max(hi, t + eps))
    axes, mappable = [], None
    for p, (e, out) in enumerate(zip(shown, outs)):
        ax = fig.add_subplot(1, len(shown), p + 1)
        axes.append(ax)
        pred, t = _decide(out, head, on_logits)
        if one:
            v = out[:, 0].reshape(gx.shape)
            mappable = ax.contourf(
                gx, gy, v, levels=np.linspace(lo, hi, 21), cmap="RdBu", alpha=0.5, norm=norm
            )
            if v.min() < t < v.max():
                ax.contour(gx, gy, v, levels=[t], colors="black", linewidths=1.8)
        else:
            n = out.shape[1]
            cmap = ListedColormap([_CLASS_COLORS[c % len(_CLASS_COLORS)] for c in range(n)])
            ax.contourf(gx, gy, pred.reshape(gx.shape), levels=np.arange(n + 1) - 0.5,
                        cmap=cmap, alpha=0.3)  # fmt: skip
        _scatter(ax, Xa, idx, classes)
        loss = snaps[e][1]
        title = f"epoch {e}" + ("" if np.isnan(loss) else f", loss {loss:.3f}")
        if e == stopped:
            title += f"\n(training stopped: {history.stop_reason})"
        ax.set_title(title, fontsize=9)
        ax.set_xlim(ext[0], ext[1])
        ax.set_ylim(ext[2], ext[3])
        ax.tick_params(labelsize=7)
    fig.tight_layout()
    if one and mappable is not None:
        fig.colorbar(mappable, ax=axes, label="y_hat", shrink=0.9, pad=0.02, format="%.2f")
        _room_for_the_colour_bar(fig)
    fig.history = history  # the run's History, for the caller
    return fig
