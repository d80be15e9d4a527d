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

import io
import os
import re
from contextlib import nullcontext
from pathlib import Path
from typing import Any

from ..files import WriteError, atomic_write, home_refusal
from ..tensor import Tensor
from ._svg import overlapping_texts, text_boxes
from .graph import draw_graph, graph_nodes, local_derivative
from .network import draw_network
from .plots import (
    placed_texts_kept,
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
    a matplotlib ``Figure`` from a ``plot_*`` function (saved with ``savefig``, ``kwargs``
    going to it; the file type follows the suffix, e.g. ``.png``, ``.svg``, ``.pdf``;
    cropped to what is drawn, as a notebook shows it, unless ``bbox_inches`` is given:
    ``bbox_inches=None`` keeps the figure's own size), or a
    Tensor (drawn with :func:`draw_graph` in the format of the suffix, ``.svg`` or
    ``.dot``/``.gv``; ``kwargs`` go to draw_graph). Every file is written atomically
    (:func:`glassnet.files.atomic_write`: a reader sees the old file or the new one), its
    directory created when missing. A suffix that does not fit the drawing (SVG text to
    ``.png``) is refused. SVG text goes to ``.svg``, or to ``.html``/``.htm`` (an ``<svg>``
    alone in an HTML file shows in every browser); DOT text to ``.dot``/``.gv``; other text
    (a Markdown table, XML that is not SVG) to any other suffix. A path ending in a
    separator (``"plots/"``) is a ValueError, as a wrong suffix is; an existing directory
    is a :class:`~glassnet.files.WriteError`.
    """
    if not isinstance(path, (str, os.PathLike)):
        raise TypeError(
            f"save: path must be a file path (str or pathlib.Path). Got {type(path).__name__}."
        )
    text_path = os.fspath(path)
    example = "plot.png" if hasattr(drawing, "savefig") else "drawing.svg"
    seps = tuple(sep for sep in ("/", os.sep, os.altsep) if sep)
    if isinstance(text_path, str) and text_path.endswith(seps):  # (a bad argument: ValueError)
        raise ValueError(
            f"save: cannot write {text_path!r}: it ends in a separator, the name of a folder; give "
            f"a file name inside it instead (e.g. {text_path + example!r})"
        )
    p = Path(path)
    suffix = p.suffix.lower()
    if p.is_dir():
        raise WriteError(
            f"cannot write '{p}': it is a directory; give a file path inside it instead"
        )
    if hasattr(drawing, "savefig"):
        data = _figure_bytes(drawing, p, suffix, kwargs)
    elif isinstance(drawing, Tensor):
        fmt = "dot" if suffix in (".dot", ".gv") else "svg"
        if suffix not in (".svg", ".dot", ".gv"):
            raise ValueError(
                f"save: a Tensor is drawn as .svg or .dot/.gv. Got the path {str(path)!r}."
            )
        data = draw_graph(drawing, fmt=fmt, **kwargs)
    elif isinstance(drawing, str):
        if kwargs:
            raise TypeError(f"save: options {sorted(kwargs)} apply only to Tensors and figures.")
        head = drawing.lstrip().lstrip("\ufeff").lstrip()  # (a byte order mark too)
        kind = ""
        if _SVG_START.match(head):
            kind = "SVG"
        elif _DOT_START.match(head):
            kind = "DOT"
        # (an SVG in an .html page shows in every browser, as draw_graph's in a notebook)
        fits = {"SVG": (".svg", ".html", ".htm"), "DOT": (".dot", ".gv")}
        # a drawing goes to its own suffix only (SVG markup in notes.md, or in a file with
        # no suffix, was written without a word); other text keeps any but these
        wrong = {".svg", ".dot", ".gv"} | _IMAGE_SUFFIXES
        if not kind and suffix in wrong:
            raise ValueError(
                f"save: this text is neither SVG nor DOT (it starts {head[:30]!r}); a path "
                f"ending in {suffix} would hold text that is not {suffix[1:].upper()}. Got the "
                f"path {str(path)!r}; pass a drawing (draw_network, draw_graph, a plot_* "
                "figure), or save other text under its own suffix (.md, .txt)."
            )
        if kind and suffix not in fits[kind]:
            ending = (
                f"a path ending in {suffix} would hold text that is not {suffix[1:].upper()}"
                if suffix in wrong
                else f"a path ending in {suffix} is not {'an' if kind == 'SVG' else 'a'} {kind} "
                "file's name"
                if suffix
                else "a path without a suffix would hide what it holds"
            )
            # (for slides: how to make the image from the saved text; rsvg-convert and
            # cairosvg write PNG, PDF, PS and EPS)
            image = suffix[1:] if suffix[1:] in ("png", "pdf", "ps", "eps") else "png"
            convert = (
                "; then, for an image, open the .svg in a browser and take a screenshot or "
                f"print it to PDF, or convert it: rsvg-convert -f {image} x.svg -o x.{image} "
                f"(librsvg) or cairosvg x.svg -o x.{image}"
                if kind == "SVG"
                else f"; then, for an image, run Graphviz: dot -T{suffix[1:]} x.gv -o x{suffix}"
            )
            raise ValueError(
                f"save: this drawing is {kind} text; {ending}. Got the path {str(path)!r}; "
                f"save it as {'.svg' if kind == 'SVG' else '.dot or .gv'}"
                + (
                    f"{convert} (matplotlib plots are the ones saved as images)."
                    if suffix in _IMAGE_SUFFIXES
                    else "."
                )
            )
        data = drawing
    else:
        raise TypeError(
            "save: expected SVG/DOT text, a matplotlib Figure or a Tensor. "
            f"Got {type(drawing).__name__}."
        )
    _make_directory(p)
    return atomic_write(p, data)


# DOT text, by DOT's grammar: [strict] graph|digraph [ID] {, keywords in any case, a bare ID
# (a name or a number) after whitespace ("graph theory notes" and "graphfoo {" are not DOT),
# a quoted or an HTML ID (<...>, its angle brackets balanced: <<b>G</b>>) after any; after
# any comments (// and # lines, /* */)
_DOT_START = re.compile(
    r"(\s|//[^\n]*\n|#[^\n]*\n|/\*([^*]|\*+[^*/])*\*+/)*"  # (comments: no backtracking)
    r"(strict\s+)?(di)?graph(\s+([A-Za-z_\x80-\uffff][\w\x80-\uffff]*|-?(\.\d+|\d+(\.\d*)?))"
    r'|\s*"(?:[^"\\]|\\.)*"|\s*<(?:[^<>]|<(?:[^<>]|<[^<>]*>)*>)*>)?\s*\{',
    re.IGNORECASE,
)

# SVG text: its root element is <svg>, maybe after an XML declaration, comments and a
# doctype (any other XML, a .plist, is other text)
_SVG_START = re.compile(r"(<\?xml\b.*?\?>|<!--.*?-->|<!DOCTYPE[^>]*>|\s)*<svg[\s>/]", re.DOTALL)

_IMAGE_SUFFIXES = {".png", ".jpg", ".jpeg", ".pdf", ".gif", ".bmp", ".tif", ".tiff", ".webp"}
_IMAGE_SUFFIXES |= {".eps", ".ps", ".svgz", ".avif"}


def _figure_bytes(fig: Any, p: Path, suffix: str, kwargs: dict[str, Any]) -> bytes:
    """The file's bytes of a matplotlib Figure, in the format its suffix names."""
    given = kwargs.pop("format", None)
    fmt = given or suffix[1:]
    same = {"jpg": "jpeg", "tif": "tiff"}
    if given and suffix and same.get(given, given) != same.get(suffix[1:], suffix[1:]):
        raise ValueError(
            f"save: format={given!r} but the path {str(p)!r} ends in {suffix}; the file would "
            "not be what its name says. Give one of them, or make them agree."
        )
    supported = fig.canvas.get_supported_filetypes()
    if fmt not in supported:
        raise ValueError(
            f"save: a figure's file type follows its path's suffix; {str(p)!r} "
            + ("has none" if not fmt else f"names {fmt!r}, which matplotlib cannot write")
            + f". Use one of: {', '.join('.' + k for k in sorted(supported))}."
        )
    given_kwargs = dict(kwargs)
    # cropped to the drawing as the notebook shows it (the figure's _repr_png_): without,
    # a decision boundary's y label next to its colour bar was cut at the file's left edge
    kwargs.setdefault("bbox_inches", "tight")
    buf = io.BytesIO()
    try:
        tight = isinstance(kwargs["bbox_inches"], str) and kwargs["bbox_inches"] == "tight"
        with placed_texts_kept(fig) if tight else nullcontext():
            fig.savefig(buf, format=fmt, **kwargs)
    except (TypeError, ValueError, AttributeError) as err:  # (raised deep in matplotlib)
        if not given_kwargs:
            raise
        raise ValueError(
            f"save: matplotlib's savefig could not use the options {kwargs!r} ({err}). Give "
            "savefig's own keywords with their types, e.g. dpi=150, bbox_inches='tight', "
            "transparent=True; nothing was written."
        ) from err
    return buf.getvalue()


def _make_directory(p: Path) -> None:
    """Create the directory ``p`` goes in, or say why it cannot be."""
    if not p.parent.exists() and home_refusal(p):  # (not a folder named '~' here)
        raise WriteError(home_refusal(p))
    try:
        p.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise WriteError(
            f"cannot write '{p}': cannot create its directory '{p.parent}' "
            f"({exc.strerror or exc}); a part of that path may be a file. Choose another path."
        ) from exc
