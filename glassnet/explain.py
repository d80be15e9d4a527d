"""Every number of the lecture, on your own network: :func:`explain`.

``explain(model, x, y)`` runs one data point (or a small batch) through a
network of fully-connected layers in float64 and lays out every intermediate
number as the lecture's slides do. The numbers are the trace of the fast path
that trains the network (:meth:`glassnet.fused.FastMLP.trace`), whose activations
and losses come from :mod:`glassnet.functional`'s tables; explain adds the names,
the formulas and the chain-rule bookkeeping (an entry replaced in a table is shown with
its own texts, never the built-in's formula: :func:`glassnet.functional.replaced_entry`):

1. **Forward.** For each neuron its weighted sum ``z = b + w1*x1 + ...`` (with the
   numbers substituted) and its activation ``a = g(z)``; the prediction y_hat and
   the loss (the lecture's ``L = 1/2 (y_hat - y)^2`` by default).
2. **Backward**, in the slides' three steps: (1) dL/dy_hat; (2) the reversed
   graph, each edge weighted by its local derivative: ``g'(z)`` on an activation
   edge, the weight ``w`` on a weighted-sum edge (a softmax output has a
   Jacobian ``y_hat_i (delta_ij - y_hat_j)`` instead of ``g'``); (3) dL/dz for
   every neuron and dL/dx for every input, summing over the edges that leave a node.
3. **Weight gradients** ``dL/dw = dL/du * v`` (u the neuron the weight feeds, v
   the value it multiplies; a bias multiplies 1), both factors shown.
4. **A gradient-descent step preview**: each weight before and after
   ``w - lr * dL/dw``.
5. **Chain-rule paths** (``paths=True`` or :meth:`Explanation.paths`): each
   gradient as the sum over the paths of the reversed graph, as the slides
   write it: ``(y_hat - y) g'(z3) w5 g'(z1) w1 + (y_hat - y) g'(z3) w6 g'(z2) w2``.

Names
-----
``names="lecture"`` numbers the lecture's way: inputs ``x1..xd``; neurons
``z1, z2, ...`` layer after layer (a 2-2-1 network has hidden ``z1, z2`` and
output ``z3``), their activations ``a1, a2, ...`` and the output ``y_hat`` (``y_hat1,
y_hat2, ...`` for several outputs); weights ``w1, w2, ...`` numbered along the
rows of each ``W`` of shape (inputs, neurons), layer after layer, so that
``z1 = w1*x1 + w3*x2`` and ``z2 = w2*x1 + w4*x2`` as on the slides; biases ``b1,
b2, ...`` numbered like the neuron they belong to. A single neuron uses the
slides' ``w0`` for its bias and ``z`` for its sum.

``names="layered"`` names by layer, as the slides' matrices do: ``z[l]_j``,
``a[l]_j``, ``w[l]_ij`` (row i = input i, column j = neuron j of ``W^[l]``) and
``b[l]_j``, with l = 1 for the first weight layer. ``names="auto"`` (default)
uses the lecture's numbering for networks with at most 24 weights, else the
layered scheme.

Losses
------
``'half_mse'`` (default; the lecture's ``1/2 (y_hat - y)^2``), ``'mse'``,
``'binary_cross_entropy'``, ``'binary_cross_entropy_with_logits'`` and
``'cross_entropy'`` (on a softmax output's probabilities, or on logits when the
output is the identity). The loss is averaged the way :mod:`glassnet.functional`
averages it: over every entry for the squared errors and binary cross-entropy,
over the data points for cross-entropy. For one data point with one output this
is the slides' loss. Any alias of :data:`glassnet.functional.LOSS_ALIASES` works too
(``'lecture'``, ``'bce'``, ``'ce'``, ...).

>>> import numpy as np, glassnet as gn
>>> from glassnet.explain import explain
>>> net = gn.nn.Sequential(gn.nn.Linear(2, 2, bias=False), gn.nn.Sigmoid(),
...                        gn.nn.Linear(2, 1, bias=False), gn.nn.Sigmoid())
>>> e = explain(net, [1.0, 0.0], 1.0)
>>> print(e.paths("x1").symbolic)
(y_hat - y) g'(z3) w5 g'(z1) w1 + (y_hat - y) g'(z3) w6 g'(z2) w2
"""

from __future__ import annotations

import functools
import itertools
import math
import re
import sys
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from decimal import Context, Decimal, localcontext
from typing import Any

import numpy as np

from . import functional as F
from ._validation import (
    check_choice,
    check_names,
    check_number,
    detached,
    not_a_network,
    unmasked,
)
from .backend import host_model
from .chain import as_chain
from .engines import check_followed
from .fused import FastMLP, Layer, flatten, l2_value, layers_of
from .nn.layers import Dropout, Linear
from .nn.module import Module
from .report import (
    Names,
    Section,
    WeightNames,
    decimal_fixed,
    fmt,
    make_names,
    render_html,
    render_markdown,
    render_text,
    sci_notation,
    scientific,
)

__all__ = [
    "explain",
    "Explanation",
    "PathSum",
    "MAX_COLUMNS",
    "MAX_ROWS",
    "MAX_SAMPLES",
    "NOTATIONS",
    "latex_symbol",
    "latex_markdown",
    "replaced_entry",
    "terminal_shows_unicode",
    "typeset",
    "unicode_symbol",
]

MAX_SAMPLES = 32  # explain shows every number of every data point: keep batches small

# the losses explain writes out (their notation is below); any alias of functional's works
_KINDS = (
    "half_mse",
    "mse",
    "binary_cross_entropy",
    "binary_cross_entropy_with_logits",
    "cross_entropy",
)


# the built-in entries' texts: a replaced entry (functional.replaced_entry, also importable
# from here) that keeps the built-in's text shows none
_BUILTIN_TEXTS = (
    {n: a.derivative for n, a in F.ACTIVATIONS.items()},
    {n: loss.formula for n, loss in F.LOSSES.items()},
)
replaced_entry = F.replaced_entry


def _own_text(text: str, builtin: str, **names: str) -> str | None:
    """A replaced entry's own ``text`` (its formula or derivative), or None where it is the
    built-in's ``builtin`` still (which the entry no longer computes); ``names`` substitute
    the entry's symbols (``g(z)`` -> ``a1``, ``z`` -> ``z1``)."""
    if not isinstance(text, str) or not text.strip() or text == builtin:
        return None
    return _with_names(text, **names)


def _with_names(text: str, a: str = "", z: str = "") -> str:
    """A table entry's text with the node's names: ``g(z)`` as ``a``, ``z`` as ``z``."""
    if a:
        text = text.replace("g(z)", a)
    return re.sub(r"(?<![\w\\])z(?!\w)", z, text) if z else text


def loss_kind(loss: Any) -> str | None:
    """The table's name of the loss named ``loss`` (any case, an alias too), else None."""
    try:
        return F.get_loss(loss).name if isinstance(loss, str) else None
    except ValueError:
        return None


# =====================================================================================
# The slides' symbols in Unicode
# =====================================================================================
_SUB = str.maketrans("0123456789,", "₀₁₂₃₄₅₆₇₈₉,")
_SUP = str.maketrans("0123456789", "⁰¹²³⁴⁵⁶⁷⁸⁹")


def unicode_symbol(name: str) -> str:
    """A glassnet name in the slides' typography, for terminals and pictures.

    ``y_hat`` -> ``ŷ``, ``z1`` -> ``z₁``, ``w12`` -> ``w₁₂``, ``y_hat2`` -> ``ŷ₂``,
    ``w[1]_12`` -> ``w⁽¹⁾₁₂`` (layer l as a superscript: glassnet's rendering of the
    lecture's W^{[l]}, Unicode having no superscript bracket); any other
    name is returned unchanged.

    >>> [unicode_symbol(n) for n in ("y_hat", "z3", "w[2]_1,10", "loss")]
    ['ŷ', 'z₃', 'w⁽²⁾₁,₁₀', 'loss']
    """
    if not isinstance(name, str):  # (None was re's "expected string or bytes-like object")
        raise TypeError(f"unicode_symbol: name must be a str such as 'z1'. Got {name!r:.60}.")
    m = re.fullmatch(r"(y_hat|[a-zA-Z])(?:\[(\d+)\]_)?([\d,]*)", name)
    if m is None:
        return name
    head = "ŷ" if m.group(1) == "y_hat" else m.group(1)
    layer = f"⁽{m.group(2).translate(_SUP)}⁾" if m.group(2) else ""
    return head + layer + m.group(3).translate(_SUB)


NOTATIONS = ("unicode", "latex", "ascii")
"""How :class:`Explanation` writes its symbols: ``'unicode'`` (ŷ, ∂L/∂z₁, g′(z₁), w⁽¹⁾₁₂;
the terminal's default), ``'latex'`` (``$\\hat{y}$``, ``$\\frac{\\partial L}{\\partial z_{1}}$``
in Markdown, ``\\(...\\)`` in HTML, for MathJax and KaTeX) or ``'ascii'`` (y_hat, dL/dz1)."""

_NAME = r"(?:y_hat\d*|[xzawbWy]\[\d+\]_\d+(?:,\d+)?|[xzawbWy]\d+(?:,\d+)?)"
# the softmax's symbols: its Jacobian dy_hat1/dz3 = y_hat1 (delta_11 - y_hat1), the
# cross-entropy -sum_k y_k log y_hat_k, a batch's sum_n
_SOFTMAX_SYMBOL = rf"d{_NAME}/d{_NAME}|delta_\d+(?:,\d+)?|sum_[kn]|y_hat_k|y_k"
_SYMBOL = re.compile(
    rf"(?<![\w/\\'])(?:dL/d(?:{_NAME}|node|[zwuvbxy]|w0|y_hat|x0)|g'\((?:{_NAME}|z)\)"
    rf"|{_SOFTMAX_SYMBOL}|{_NAME}|y_hat)"
    r"(?![\w\[])"
)
_INDEX = re.compile(r"\)_(k|\d+)(?![\w\[])")  # softmax(z3, z4, z5)_1, softmax(y_hat)_k
_INDEX_SUB = {"k": "ₖ", "n": "ₙ"}
# a symbol squared (not e^2, a power of e, which the exercises write as it is)
_SQUARE = re.compile(r"(?<=[A-Za-df-zŷ₀-₉])\^2(?!\d|\.\d)")


_UNSUB = {ord(c): str(i) for i, c in enumerate("₀₁₂₃₄₅₆₇₈₉")}
_UNSUP = {ord(c): str(i) for i, c in enumerate("⁰¹²³⁴⁵⁶⁷⁸⁹")}


def ascii_name(symbol: str) -> str:
    """The name a printed symbol stands for (:func:`unicode_symbol` read back):
    ``w⁽¹⁾₁,₁`` -> ``w[1]_1,1``, ``ŷ₂`` -> ``y_hat2``, ``z₃`` -> ``z3``; any other text is
    returned unchanged.

    >>> [ascii_name(s) for s in ("w⁽²⁾₁,₁₀", "ŷ", "z₃", "loss")]
    ['w[2]_1,10', 'y_hat', 'z3', 'loss']
    """
    m = re.fullmatch(r"(ŷ|[a-zA-Z])(?:⁽([⁰-⁹¹²³]+)⁾)?([₀-₉,]*)", symbol.strip())
    if m is None:
        return symbol
    head = "y_hat" if m[1] == "ŷ" else m[1]
    layer = f"[{m[2].translate(_UNSUP)}]_" if m[2] else ""
    return head + layer + m[3].translate(_UNSUB)


def _spelled(name: Any, lookup: Any) -> Any:
    """``name`` as ``lookup`` spells it (see Explanation._name_of), else as it is."""
    if not isinstance(name, str) or name in lookup:
        return name
    plain = ascii_name(name)
    m = re.fullmatch(r"([wW])\[(\d+)\]_(\d+),(\d+)", plain)
    if m and len(m[3]) == len(m[4]) == 1 and plain not in lookup:  # (w[1]_11)
        plain = f"{m[1]}[{m[2]}]_{m[3]}{m[4]}"
    return plain if plain in lookup else name


def _latex_name(name: str) -> str:
    m = re.fullmatch(r"(y_hat|[a-zA-Z])(?:\[(\d+)\]_)?([\d,]*)", name)
    if m is None:
        return name
    head = r"\hat{y}" if m.group(1) == "y_hat" else m.group(1)
    sup = f"^{{({m.group(2)})}}" if m.group(2) else ""
    sub = f"_{{{m.group(3)}}}" if m.group(3) else ""
    return head + sup + sub


def latex_symbol(token: str) -> str:
    """A glassnet symbol in LaTeX: ``dL/dz1`` -> ``\\frac{\\partial L}{\\partial z_{1}}``,
    ``dL/dnode`` -> ``\\frac{\\partial L}{\\partial \\text{node}}`` (a word, upright),
    ``g'(z3)`` -> ``g'(z_{3})``, ``w[1]_12`` -> ``w^{(1)}_{12}`` (glassnet's rendering of
    the lecture's W^{[1]}, as in Unicode)."""
    if not isinstance(token, str):  # (3 was "'int' object has no attribute 'startswith'")
        raise TypeError(f"latex_symbol: token must be a str such as 'dL/dz1'. Got {token!r:.60}.")
    if token.startswith("dL/d"):
        name = _latex_name(token[4:])
        if re.fullmatch(r"[A-Za-z]{2,}", name):  # a word (dL/dnode), not a product n*o*d*e
            name = rf"\text{{{name}}}"
        return rf"\frac{{\partial L}}{{\partial {name}}}"
    if token.startswith("g'("):
        return f"g'({_latex_name(token[3:-1])})"
    m = re.fullmatch(rf"d({_NAME})/d({_NAME})", token)
    if m:  # a softmax output's Jacobian entry
        return rf"\frac{{\partial {_latex_name(m[1])}}}{{\partial {_latex_name(m[2])}}}"
    if re.fullmatch(r"delta_\d+(?:,\d+)?", token):
        return rf"\delta_{{{token[6:]}}}"
    if re.fullmatch(r"sum_[kn]|y_hat_k|y_k", token):
        head = {"sum": r"\sum", "y_hat": r"\hat{y}", "y": "y"}[token[:-2]]
        return f"{head}_{{{token[-1]}}}"
    return _latex_name(token)


def _unicode_token(token: str) -> str:
    if token.startswith("dL/d"):
        return "∂L/∂" + unicode_symbol(token[4:])
    if token.startswith("g'("):
        return f"g′({unicode_symbol(token[3:-1])})"
    m = re.fullmatch(rf"d({_NAME})/d({_NAME})", token)
    if m:  # a softmax output's Jacobian entry, ∂ŷ₁/∂z₃
        return f"∂{unicode_symbol(m[1])}/∂{unicode_symbol(m[2])}"
    if re.fullmatch(r"delta_\d+(?:,\d+)?", token):
        return "δ" + token[6:].translate(_SUB)
    if re.fullmatch(r"sum_[kn]|y_hat_k|y_k", token):
        head = {"sum": "Σ", "y_hat": "ŷ", "y": "y"}[token[:-2]]
        return head + _INDEX_SUB[token[-1]]
    return unicode_symbol(token)


# the gradient-descent step as ASCII writes it, ``w <- w - lr * dL/dw (lr = 0.5)``: in
# Unicode and LaTeX the slides' w ← w − γ ∂L/∂w (γ = lr = 0.5). Only an update (the same
# name on both sides): a reversed edge's ``a <- z`` stays.
_UPDATE = re.compile(
    r"(?<![\w/])(w(?:\d*|\[\d+\]_\d+)) <- \1 - lr(?: \*)? (dL/d\1)(?![\w\[])(?: \(lr = ([^)]*)\))?"
)


def _update(m: re.Match[str], a: str = "", b: str = "") -> str:
    """An :data:`_UPDATE` match in Unicode, or in LaTeX between the delimiters ``a``, ``b``;
    γ is tied to lr, the name the reader types (``(γ = lr)``, ``(γ = lr = 0.5)``)."""
    lr = " = lr" + ("" if m[3] is None else f" = {m[3]}") + ")"
    if not a:  # (Unicode: typeset's symbols and minus signs follow)
        return f"{m[1]} ← {m[1]} - γ {m[2]} (γ{lr}"
    w, grad = _latex_name(m[1]), latex_symbol(m[2])
    rate = f" ({a}\\gamma{b}{lr}"
    return f"{a}{w} \\leftarrow {w} - \\gamma {grad}{b}{rate}"


def typeset(text: str, notation: str = "unicode", math: tuple[str, str] = ("$", "$")) -> str:
    """``text`` written by explain (``dL/dz1 = (y_hat - y) g'(z3)``) in ``notation``:
    Unicode (``∂L/∂z₁ = (ŷ − y) g′(z₃)``), LaTeX (each symbol wrapped in ``math``
    delimiters) or unchanged (``'ascii'``). Numbers are never touched. The step
    ``w <- w - lr * dL/dw`` is written as the slides write it, ``w ← w − γ ∂L/∂w (γ = lr)``.

    >>> typeset("dL/dw1 = dL/dz1 * x1 = (y_hat - y) g'(z3)")
    '∂L/∂w₁ = ∂L/∂z₁ · x₁ = (ŷ − y) g′(z₃)'
    """
    check_choice(notation, "notation", "typeset", NOTATIONS)  # ('greek' wrote LaTeX)
    if not isinstance(text, str):
        raise TypeError(f"typeset: text must be a str. Got {type(text).__name__}.")
    if not (isinstance(math, tuple) and len(math) == 2 and all(isinstance(m, str) for m in math)):
        raise TypeError(
            f"typeset: math must be a pair of delimiters such as ('$', '$'). Got {math!r:.60}."
        )
    if notation == "ascii":
        return text
    if notation == "unicode":
        text = _UPDATE.sub(lambda m: _update(m), text)
        out = _SYMBOL.sub(lambda m: _unicode_token(m.group(0)), text)
        out = _INDEX.sub(lambda m: ")" + _INDEX_SUB.get(m[1], m[1].translate(_SUB)), out)
        out = re.sub(r"(?<=[\w)\]]) - (?=[\w(])", " − ", out)  # binary minus, not -0.3
        out = out.replace(" * ", " · ").replace("^T", "ᵀ").replace("sum_n ", "Σₙ ")
        out = re.sub(  # a layer's vector or matrix, z[1] -> z⁽¹⁾
            r"(?<![\w\\.])([zaWbx])\[(\d+)\](?!_)",
            lambda m: m.group(1) + "⁽" + m.group(2).translate(_SUP) + "⁾",
            out,
        )
        out = _SQUARE.sub("²", out)  # tanh's g'(z) = 1 - a1^2 -> 1 − a₁²
        return out.replace("1/2 (", "½(").replace(")^2", ")²")
    a, b = math
    text = _UPDATE.sub(lambda m: _update(m, a, b), text)
    out = _SYMBOL.sub(lambda m: f"{a}{latex_symbol(m.group(0))}{b}", text)
    out = out.replace(f"{b}^2", f"^{{2}}{b}")  # $a_{1}$^2 -> $a_{1}^{2}$
    # the lecture's loss, 1/2 (y_hat - y)^2: its half and its square in the maths too
    out = out.replace("1/2 (", f"{a}\\frac{{1}}{{2}}{b}(")
    out = re.sub(r"\)\^2(?!\d|\.\d)", lambda m: f"){a}^{{2}}{b}", out)
    return _INDEX.sub(lambda m: f"){a}_{{{m[1]}}}{b}", out)


def _terminal_shows_unicode() -> bool:
    """Whether sys.stdout can encode the slides' symbols (∂, ŷ, subscripts, ′)."""
    enc = getattr(sys.stdout, "encoding", None) or "utf-8"
    try:
        "∂ŷ₁⁽¹⁾′·−½²ᵀΣₙₖδ".encode(enc)
    except (UnicodeEncodeError, LookupError):
        return False
    return True


_PLAIN = re.compile(r"[-+*()0-9.e, ]*")


def _is_plain(text: str) -> bool:
    """Whether ``text`` is numbers only (a cell such as ``0.031*1.000 + (-0.022)*0.414``),
    which :func:`typeset` returns unchanged in any notation: it has no letter of a symbol,
    no binary minus or `` * `` and no ``^``, ``_`` or ``/`` (a table's cells are mostly
    such, and typeset's patterns cost time on each)."""
    return _PLAIN.fullmatch(text) is not None and " - " not in text and " * " not in text


def _typeset_sections(
    sections: Sequence[Section], notation: str, math: tuple[str, str]
) -> list[Section]:
    """Copies of ``sections`` with every text, header and cell typeset."""
    if notation == "ascii":
        return list(sections)

    def t(s: str) -> str:
        return s if _is_plain(s) else typeset(s, notation, math)

    out = []
    for sec in sections:
        new = Section(t(sec.title), key=sec.key)
        for blk in sec.blocks:
            if blk.kind == "table":
                new.table([t(h) for h in blk.headers], [[t(c) for c in r] for r in blk.rows])
            elif blk.kind == "pre":
                new.pre(typeset(blk.text, "unicode"))  # code blocks: no maths there
            else:
                new.p(t(blk.text))
        out.append(new)
    return out


#: The delimiters explain and summary write their Markdown formulas with, turned into
#: ``$...$`` by :func:`latex_markdown`, which escapes every other ``$`` (a user's name's:
#: ``cost $a`` paired with a formula's ``$`` and typeset the row as one formula).
MARKDOWN_MATH = ("\ue001", "\ue002")


def _texts(title: str, sections: Sequence[Section]) -> Iterator[str]:
    yield title
    for sec in sections:
        yield sec.title
        for blk in sec.blocks:
            yield blk.text
            yield from blk.headers
            for r in blk.rows:
                yield from r


def _no_html(text: str) -> str:
    """``text`` with what Markdown would pass through as HTML escaped, as the HTML forms
    escape it: a tag's ``<`` (``<img``, ``</b``, ``<!--``) and an entity's ``&`` (a user's
    layer named ``<script>`` was raw HTML in a notebook's Markdown); ``a <- z`` stays."""
    return re.sub(r"<(?=[A-Za-z/!?])", "&lt;", re.sub(r"&(?=[A-Za-z#])", "&amp;", text))


def _latex_markdown(
    title: str, sections: Sequence[Section], level: int, marked: bool | None = None
) -> str:
    """Markdown whose symbols are LaTeX (``$...$``): GitHub, Jupyter, MkDocs with MathJax
    or KaTeX typeset them. Text outside the maths is escaped; tables are pipe tables.
    ``marked``: the formulas are between :data:`MARKDOWN_MATH`'s delimiters, so every
    other ``$`` is escaped, in sections with no formula too (a summary that cannot lay
    its model out has none: ``Cost$5to$10`` was typeset as maths); None: when any text
    holds the delimiters."""

    if marked is None:
        marked = any(MARKDOWN_MATH[0] in t for t in _texts(title, sections))

    def esc(text: str) -> str:
        if marked:  # glassnet's formulas marked apart: every other $ is a user's, escaped
            parts = re.split(f"({MARKDOWN_MATH[0]}[^{MARKDOWN_MATH[1]}]*{MARKDOWN_MATH[1]})", text)
            return "".join(
                "$" + p[1:-1].replace("$", "\\$") + "$"
                if p.startswith(MARKDOWN_MATH[0])
                else _no_html(p.replace("$", "\\$"))
                .replace("*", "\\*")
                .replace("_", "\\_")
                .replace("|", "\\|")
                for p in parts
            )
        parts = re.split(r"(\$[^$]*\$)", text)
        return "".join(
            p
            if p.startswith("$")
            else _no_html(p).replace("*", "\\*").replace("_", "\\_").replace("|", "\\|")
            for p in parts
        )

    return render_markdown(title, sections, level, esc, lambda c: esc(c) or " ")


def terminal_shows_unicode() -> bool:
    """Whether ``sys.stdout`` can encode the slides' symbols; where it cannot (a Windows
    console in cp1252, say) explain and summary print the plain names instead."""
    return _terminal_shows_unicode()


def latex_markdown(
    title: str, sections: Sequence[Section], level: int = 3, *, marked: bool | None = None
) -> str:
    """``sections`` (:class:`glassnet.report.Section`) as Markdown whose ``$...$`` LaTeX is
    left for MathJax/KaTeX and whose other text is escaped: the renderer of explain's and
    summary's ``to_markdown(notation='latex')``. ``marked=True``: the formulas are written
    between :data:`MARKDOWN_MATH`'s delimiters (as explain and summary write them) and every
    ``$`` outside them is text, escaped; by default (None) they count as marked when any
    text holds a delimiter, and otherwise ``$...$`` is LaTeX."""
    if not (
        isinstance(title, str)
        and isinstance(sections, (list, tuple))
        and all(isinstance(sec, Section) for sec in sections)
    ):  # (a str for sections was "expected string or bytes-like object")
        raise TypeError(
            "latex_markdown: title must be a str and sections a list of glassnet.report.Section "
            f"(as Explanation and summary make them). Got {title!r:.40} and {sections!r:.60}."
        )
    if marked is not None and not isinstance(marked, bool):
        raise TypeError(f"latex_markdown: marked must be True, False or None. Got {marked!r}.")
    return _latex_markdown(title, sections, level, marked)


# =====================================================================================
# Number formatting and rendering
# =====================================================================================
MAX_ROWS = 200
"""Tables longer than this (a wide network's: a 2-1000-1 network's run to 4000 rows) show
their first rows and say how many they leave out; ``to_text(max_rows=None)`` shows all.
The numbers themselves are always complete (``e.grad_W``, ``e.gradient(name)``)."""

MAX_COLUMNS = 64
"""Tables wider than this (a batch's forward table of a wide network has two columns per
neuron) show their first columns, ``...`` and the last; ``max_rows=None`` shows all."""

MAX_TERMS = 10
"""Sums longer than this are shown with their first terms and a count of the rest, so a
wide layer's table stays readable (the values are always computed from every term)."""


def _join_terms(terms: Sequence[str], limit: int = MAX_TERMS) -> str:
    """``a + b + c``; past ``limit`` terms: ``a + b + ... (+N more terms)``."""
    terms = list(terms)
    if len(terms) <= limit:
        return " + ".join(terms)
    return " + ".join(terms[:limit]) + f" + ... (+{len(terms) - limit} more terms)"


def _named_values(names: Sequence[str], values: np.ndarray, d: int) -> list[str]:
    """``name = value`` items for :func:`_join_list`: the ones it shows formatted, the
    others (an image's 784 inputs) only counted."""
    shown = len(names) if len(names) <= 2 * MAX_TERMS else 2 * MAX_TERMS
    items = [f"{n} = {fmt(v, d)}" for n, v in zip(names[:shown], values[:shown])]
    return items + [""] * (len(names) - shown)


def _join_list(items: Sequence[str], limit: int = 2 * MAX_TERMS) -> str:
    """``a, b, c``; past ``limit`` items: ``a, b, ... (+N more)``."""
    if len(items) <= limit:
        return ", ".join(items)
    return ", ".join(items[:limit]) + f", ... (+{len(items) - limit} more)"


def _par(v: float, decimals: int, more: int | None = None) -> str:
    """A factor in a product: negative numbers in parentheses, as the slides write (-4) x 0.
    ``more``: see :func:`fmt_more`."""
    s = fmt(v, decimals) if more is None else fmt_more(v, decimals, more)
    return f"({s})" if s.startswith("-") else s


def fmt_more(v: float, decimals: int, more: int) -> str:
    """``v`` with ``more`` decimals (from :func:`decimals_for`), or with ``decimals`` where
    those give it exactly (0.3 stays 0.300, not 0.3000). A value that ``decimals`` print in
    scientific notation keeps it, with as many digits as ``more`` decimals resolve and
    never fewer: 2.71e-04 to 4 decimals is 2.71e-04 (not 0.0003, which would show fewer
    digits than 2.71e-04 elsewhere in the table), to 7 decimals 2.708e-04.

    >>> fmt_more(0.0002708, 3, 4), fmt_more(0.0002708, 3, 7), fmt_more(-0.0426, 3, 4)
    ('2.71e-04', '2.708e-04', '-0.0426')
    >>> fmt_more(0.3, 3, 5)
    '0.300'
    """
    return _fmt_more_of(float(v), decimals, more)


_SCI_DIGITS = 1000
"""Added to :func:`fmt_more`'s ``more`` (by :func:`_adding_decimals`, where the usual
digits do not make a sum add up): a value in scientific notation then gets ``more -
decimals`` more digits than its usual print (4.8335555e-04 to 9 decimals, not
4.83356e-04), for a tiny result that rests on a tiny factor."""


@functools.lru_cache(maxsize=1 << 16)  # (a table prints each value in many rows)
def _fmt_more_of(v: float, decimals: int, more: int) -> str:
    sci_digits = more >= _SCI_DIGITS
    more -= _SCI_DIGITS if sci_digits else 0
    short = fmt(v, decimals)
    if more == decimals or not math.isfinite(v) or float(short) == v:
        return short
    if "e" in short:  # (tiny or huge: in the same form, with the digits ``more`` decimals
        # resolve: -6.02e-05 to 7 decimals is -6.02e-05 still, as -0.0000602 would be)
        digits = max(decimals - 1, 1)
        exponent = int(short.partition("e")[2])
        if exponent < 0 and not sci_digits:
            return sci_notation(v, repr(v), max(digits, more + exponent))
        return sci_notation(v, repr(v), digits + more - decimals)
    return fmt(v, more)


MAX_EXTRA_DECIMALS = 6
"""How many decimals :func:`decimals_for` may add to the factors of a written-out sum."""

_EXACT = Context(prec=120, traps=[])
"""The context :func:`_adding_decimals` works out a written sum in: exact for sums and
products of the printed numbers (a quotient is rounded to 120 digits)."""


def _fmt_exact(x: Any, decimals: int) -> str:
    """:func:`glassnet.report.fmt` of the exact decimal ``x`` (a float: fmt's own): rounded
    half up (away from zero), as fmt rounds a float's printed digits, and as by hand."""
    if not isinstance(x, Decimal) or not x.is_finite():
        return fmt(float(x), decimals)
    with localcontext(_EXACT):
        if x == x.to_integral_value() and abs(x) < 1000000:
            return str(int(x))
        if abs(x) <= Decimal(5).scaleb(-(decimals + 1)):
            return scientific(x, max(decimals - 1, 1))
        fixed = decimal_fixed(str(x), decimals)
        if abs(x) >= 999999 and abs(Decimal(fixed)) >= 1000000:
            return scientific(x, max(decimals - 1, 1))
    return fixed


def decimals_for(values: Sequence[float], evaluate: Any, result: float, decimals: int) -> int:
    """The decimals to print ``values`` with, so that the arithmetic written with them gives
    the result as printed: worked out exactly, then rounded as fmt rounds (a half up, away
    from zero, so -0.007 * 0.500 = -0.0035 reads -0.004, and a printed -0.003 needs
    -0.0066 * 0.5000). ``decimals`` where they already do (the lecture's tables), else
    one more at a time (at most :data:`MAX_EXTRA_DECIMALS`). ``(-0.043)*4 + (-0.001)*(-4)``
    (which makes -0.168) becomes ``(-0.0426)*4 + (-0.0010)*(-4)`` beside its ``-0.166``.
    ``evaluate`` computes the result from the values as printed, read back as Decimals
    (so it uses +, -, *, / and ints only). Where no number of decimals does, ``decimals``
    (:func:`_adding_decimals` tells that case apart)."""
    k = _adding_decimals(values, evaluate, result, decimals)
    return decimals if k is None else k


def _adding_decimals(
    values: Sequence[float], evaluate: Any, result: float, decimals: int
) -> int | None:
    """:func:`decimals_for`'s decimals, or None where even :data:`MAX_EXTRA_DECIMALS` more
    do not make the arithmetic as written give the result as printed (the sum of many
    rounded terms, or a result that is float noise around 0): a table that shows the
    arithmetic then says so rather than print a false equation."""
    values = [float(v) for v in values]
    if not all(math.isfinite(v) for v in values) or not math.isfinite(float(result)):
        return decimals
    goal = fmt(result, decimals)
    before = None
    tries = range(decimals, decimals + MAX_EXTRA_DECIMALS + 1)
    for k in itertools.chain(tries, (_SCI_DIGITS + k for k in tries if k > decimals)):
        texts = [fmt_more(v, decimals, k) for v in values]
        if texts == before:  # (every value already exact: more decimals change nothing)
            continue
        before = texts
        try:
            with localcontext(_EXACT):
                got = evaluate([Decimal(t) for t in texts])
        except (ArithmeticError, ValueError):
            return decimals
        if _fmt_exact(got, decimals) == goal:
            return k
    return None


def _sum_of_products(n: int) -> Any:
    """The weight-gradient table's arithmetic, for :func:`_adding_decimals`: ``values`` holds
    the n values of dL/du, the n values of v, then the L2 penalty's term (0 without)."""

    def evaluate(v: list[float]) -> float:
        return sum(a * b for a, b in zip(v[:n], v[n : 2 * n])) + v[2 * n]

    return evaluate


def _written_sum(texts: list[str], n: int) -> str:
    """What the weight-gradient table's numbers as printed (``texts``, laid out as for
    :func:`_sum_of_products`) add up to, worked out exactly in decimal, as by hand."""
    ctx = Context(prec=200)  # (its own: exact for these, the caller's context untouched)
    v = [ctx.create_decimal(t) for t in texts]
    total = v[2 * n]
    for a, b in zip(v[:n], v[n : 2 * n]):
        total = ctx.add(total, ctx.multiply(a, b))
    return "0" if total == 0 else format(ctx.normalize(total), "f")


# =====================================================================================
# Chain-rule paths
# =====================================================================================
@dataclass
class PathSum:
    """A gradient written as a sum over the paths of the reversed graph.

    Each term is a product of factors (symbol, value): the loss's derivative, then
    ``g'(z)`` and ``w`` along the path, then the value ``v`` a weight multiplies.
    The sum of the terms' products equals the gradient (for the data point shown).

    Attributes
    ----------
    name : str
        The quantity differentiated: ``'x1'``, ``'w5'``, ``'z1'``, ...
    terms : list of list of (str, float)
        The paths shown (at most ``max_terms``; with explain's ``l2`` and one data
        point, a weight's sum also ends with the penalty's term ``l2 * w``).
    total_terms : int
        The number of paths in all (may exceed ``len(terms)``).
    value : float
        dL/d(name) for this data point (the sum over *all* paths).
    """

    name: str
    sample: int
    terms: list[list[tuple[str, float]]]
    total_terms: int
    value: float
    decimals: int = 3

    @property
    def symbolic(self) -> str:
        """``(y_hat - y) g'(z3) w5 g'(z1) w1 + ...``"""
        parts = [" ".join(s for s, _ in t) for t in self.terms]
        more = self.total_terms - len(self.terms)
        return " + ".join(parts) + (f" + ... ({more} more paths)" if more > 0 else "")

    @property
    def numeric(self) -> str:
        """The same sum with the numbers substituted."""
        d = self.decimals
        if self.total_terms == len(self.terms):  # (every path shown: they sum to the value)
            sizes = [len(t) for t in self.terms]

            def evaluate(v: list[float]) -> float:
                total, j = 0, 0
                for n in sizes:
                    total += math.prod(v[j : j + n])
                    j += n
                return total

            vals = [float(v) for t in self.terms for _, v in t]
            c = decimals_for(vals, evaluate, float(self.value), d)
        else:
            c = d
        parts = ["".join(f"({fmt_more(v, d, c)})" for _, v in t) for t in self.terms]
        more = self.total_terms - len(self.terms)
        return " + ".join(parts) + (f" + ... ({more} more paths)" if more > 0 else "")

    @property
    def products(self) -> list[float]:
        """Each shown path's product of factors."""
        return [math.prod(v for _, v in t) for t in self.terms]

    def __str__(self) -> str:
        return (
            f"dL/d{self.name} = {self.symbolic}\n"
            f"{' ' * (len(self.name) + 4)} = {self.numeric}\n"
            f"{' ' * (len(self.name) + 4)} = {fmt(self.value, self.decimals)}"
        )

    __repr__ = __str__


# =====================================================================================
# The explanation
# =====================================================================================
class Explanation:
    """Every number of one forward and backward pass; see :func:`explain`.

    Renders as a terminal table (``str``), Markdown (:meth:`to_markdown`) and HTML
    (:meth:`to_html`, shown by notebooks). The numbers are attributes too:

    Attributes
    ----------
    x : array (N, d); y, y_hat : arrays (N, K); loss : float; sample_loss : array (N,)
    Z, A : list of arrays (N, neurons_l)
        Weighted sums and activations of each layer (the last A is y_hat).
    dL_dyhat : array (N, K); dL_dZ, dL_dA : lists of arrays (N, neurons_l); dL_dx : (N, d)
        Gradients of the loss with respect to each value of the forward pass. A sigmoid
        output under binary cross-entropy gets dL/dz = (y_hat - y)/count straight from z,
        as the backward pass takes it; where the loss clips y_hat to [eps, 1 - eps] (y_hat
        within 2.2e-16 of 0 or 1), dL_dyhat is the clipped y_hat's and is not
        dL_dZ / gprime (the text says so, and its paths show y_hat - y as one factor).
    gprime : list of arrays
        g'(Z) per layer, (N, neurons_l); for a softmax output the Jacobian (N, K, K), an
        ndarray made on the first read of ``gprime`` (the explanation's own text reads
        only the entries it shows, so a 1000-class head's Jacobian is never made unless
        asked for).
    grad_W, grad_b : lists of arrays
        dL/dW (inputs, neurons) and dL/db (neurons,) per layer (grad_b[l] is None
        without a bias): what autodiff puts in each parameter's ``.grad``.
    W, b : lists of arrays
        The weights used (float64 copies of the model's).
    sample_weight : array (N,) or None; l2 : float; penalty : float
        explain's ``sample_weight`` (``sample_loss`` and every gradient include it) and
        ``l2``; ``penalty`` = ``l2 / (2 N) * sum w^2``, included in ``loss`` (0 without l2).
    names : object with ``x, z, a, w, b, y`` lists of names.
    """

    def __init__(
        self,
        layers: list[Layer],
        X: np.ndarray,
        Y: np.ndarray,
        kind: str,
        lr: float,
        names: Names,
        decimals: int,
        show_paths: bool | Sequence[str],
        model_name: str,
        sample_weight: np.ndarray | None = None,
        l2: float = 0.0,
    ) -> None:
        self._layers = layers
        self.sample_weight = sample_weight
        self.l2 = l2
        self.x = X
        self.y = Y
        self.kind = kind
        spec = F.LOSSES[kind]
        fused = bool(spec.head) and layers[-1].act == spec.head
        self._loss_entry = spec
        # the loss's replaced table entry (or, fused with it, its logits' form's or its
        # head's), "" for built-in ones; and each activation's entry, and whether replaced:
        # a replaced entry's numbers are shown with its own texts, never a built-in formula
        self._loss_replaced = next(
            (n for n, loss in ((kind, True), (spec.on_logits, True), (spec.head, False))
             if (n == kind or fused) and replaced_entry(n, loss=loss)),
            "",
        )  # fmt: skip
        self._acts = {lay.act: (F.ACTIVATIONS[lay.act], replaced_entry(lay.act)) for lay in layers}
        self.lr = lr
        self.names = names
        self.decimals = decimals
        self._show_paths = show_paths
        self._model_name = model_name
        self.notation = "unicode"
        self.bias = "b"
        self.matrix = False
        self.dropout = ""  # (explain's sentence on the model's Dropout layers, left out)
        self._cache: dict[tuple[Any, ...], list[Section]] = {}
        self.W = [lay.W.astype(np.float64) for lay in layers]
        # (weight, bias) of each layer that requires no grad: fit leaves it, the step too
        self.frozen = [
            (not lay.linear.W.requires_grad, lay.b is not None and not lay.linear.b.requires_grad)
            for lay in layers
        ]
        self.b = [None if lay.b is None else lay.b.astype(np.float64) for lay in layers]
        # every number of one pass, from the fast path's trace in float64:
        # 1) forward Z = A_prev @ W + b, A = g(Z); 2) the loss; 3) backward dL/dZ = dL/dA g'(Z)
        # (NumPy's overflow and NaN warnings are silenced here: a diverged or huge model's
        # numbers are checked below and the header says what went wrong, see _problems)
        with np.errstate(all="ignore"):
            t = FastMLP(layers, kind, l2=l2, dtype=np.float64).trace(
                X, Y, sample_weight, finite=False, jacobians=False
            )
        self.Z = [r["Z"] for r in t.layers]  # (N, neurons_l)
        self.A = [r["A"] for r in t.layers]
        # softmax: (N, K, K), each entry made when read (a 1000-class head's 32 rows were
        # 256 MB kept, which cross-entropy's dL/dz = y_hat - y never reads)
        # (the text reads _gprime; the attribute gprime is arrays, made on first read)
        self._gprime: list[Any] = [
            r["gprime"] if "gprime" in r else Jacobians(lay, r["Z"], r["A"])
            for lay, r in zip(layers, t.layers)
        ]
        self._gprime_arrays: list[np.ndarray] | None = None
        self.y_hat = self.A[-1]
        if kind == "binary_cross_entropy" and np.any((self.y_hat < 0) | (self.y_hat > 1)):
            raise ValueError(
                f"explain: loss='binary_cross_entropy' needs predictions in [0, 1] (a sigmoid "
                f"output); this model's output ({layers[-1].act}) gives values from "
                f"{self.y_hat.min():.4g} to {self.y_hat.max():.4g}. Use "
                "loss='binary_cross_entropy_with_logits' for raw scores."
            )
        per = t.per_sample  # (N, K); (N,) for cross-entropy
        self._count = per.size  # the loss averages over every entry (N for cross-entropy)
        self.sample_loss = per if per.ndim == 1 else per.mean(axis=1)  # (N,) each L_n
        self.loss = float(self.sample_loss.mean())  # L = mean over the data points of L_n
        # fit's L2 penalty l2 / (2 N) sum ||W||^2 (its gradient l2 / N W is in grad_W)
        self.penalty = 0.0
        if l2:
            with np.errstate(all="ignore"):
                squares = [W.ravel() @ W.ravel() for W in self.W]
                self.penalty = float(l2_value(l2, X.shape[0], squares))
            self.loss += self.penalty
        self.dL_dA = [r["dA"] for r in t.layers]
        self.dL_dyhat = self.dL_dA[-1]  # (N, K)
        self.dL_dZ = [r["dZ"] for r in t.layers]
        with np.errstate(all="ignore"):
            self.dL_dx = self.dL_dZ[0] @ self.W[0].T  # (N, d)
        # 4) weight gradients: dL/dW = A_prev^T dL/dZ (the sum over data points of v * dL/du)
        self.grad_W = [r["dW"] for r in t.layers]
        self.grad_b = [None if b is None else r["db"] for b, r in zip(self.b, t.layers)]
        self._lookup = names.lookup()
        self.problems = self._problems()

    def _problems(self) -> list[str]:
        """What makes some numbers NaN or inf, in words (empty when every number is
        finite): NaN or inf weights (a diverged training run) or a pass that overflows
        float64 (weights or inputs too large). The header shows them."""
        bad_w = sum(int(np.count_nonzero(~np.isfinite(W))) for W in self.W)
        bad_w += sum(int(np.count_nonzero(~np.isfinite(b))) for b in self.b if b is not None)
        if bad_w:
            return [
                f"{bad_w} of the model's weights and biases are NaN or inf (has training "
                "diverged?); every number they reach below is NaN or inf too. Re-initialise "
                "the model, or train it again with a smaller learning rate."
            ]
        numbers = (
            self.Z + self.A + self.dL_dA + self.dL_dZ + [self.dL_dx, self.sample_loss] + self.grad_W
        )
        numbers += [g for g in self.grad_b if g is not None]
        if math.isfinite(self.loss) and all(np.all(np.isfinite(a)) for a in numbers):
            return []
        where = [
            f"z of layer {l + 1}"
            for l, (Z, A) in enumerate(zip(self.Z, self.A))
            if not (np.all(np.isfinite(Z)) and np.all(np.isfinite(A)))
        ]
        where += [] if math.isfinite(self.loss) else ["the loss"]
        first = (where or ["the backward pass"])[0]
        # The numbers that multiply the pass: fit's l2 and sample_weight are among them.
        largest = max(float(np.abs(W).max()) for W in self.W)
        causes = [f"the weights (largest |w| {fmt(largest, 3)})", "the inputs"]
        fixes = ["Scale the inputs"]
        if self.sample_weight is not None:
            causes.append(f"sample_weight (largest {float(self.sample_weight.max()):g})")
            fixes.append("lower sample_weight")
        if self.l2:
            causes.append(f"l2 = {self.l2:g}")
            fixes.append("lower l2")
        return [
            f"the numbers overflow float64 from {first} on (they read inf or nan): "
            f"{', '.join(causes[:-1])} or {causes[-1]} are too large for these numbers to be "
            f"computed. {', '.join(fixes)}, or re-initialise the model."
        ]

    # ----------------------------------------------------------------- access
    @property
    def n_samples(self) -> int:
        return self.x.shape[0]

    @property
    def gprime(self) -> list[np.ndarray]:
        """g'(Z) per layer as arrays; a softmax head's (N, K, K) Jacobian is made on the
        first read and kept (see the class's Attributes)."""
        if self._gprime_arrays is None:
            self._gprime_arrays = [np.asarray(g) for g in self._gprime]
        return self._gprime_arrays

    @gprime.setter
    def gprime(self, value: list[np.ndarray]) -> None:
        self._gprime = list(value)
        self._gprime_arrays = None

    def _name_of(self, name: str) -> str:
        """``name`` as the lookup spells it: the printed symbol (``w⁽¹⁾₁,₁``, ``ŷ₂``) read
        back, a layered weight of a narrow net with the comma of a wide one's (``w[1]_1,1``
        for ``w[1]_11``, which is one weight only while input and neuron are below 10)."""
        return _spelled(name, self._lookup)

    def _kind_of(self, name: str) -> tuple:
        name = self._name_of(name)
        if not isinstance(name, str) or name not in self._lookup:
            raise KeyError(
                f"Explanation has no quantity named {name!r:.60}. Names here (scheme "
                f"{self.names.scheme!r}, or their printed symbols such as "
                f"{unicode_symbol(self.names.w[0][0][0])}): {self._some_names()}."
            )
        return self._lookup[name]

    def _some_names(self) -> str:
        """A few names of each kind, the first and the last over the whole network (the
        output's among them): what a KeyError shows (a weight's too, which a list of the
        first names of a wide net never reached)."""

        def few(names: Sequence[str], what: str) -> str:
            shown = list(names[:2]) + (["...", names[-1]] if len(names) > 3 else list(names[2:]))
            return f"{what} {', '.join(shown)}"

        nm, L = self.names, len(self._layers)
        ws = nm.w[-1]  # (the last weight's name, its row not written: a 4000-wide net's)
        w_first, w_last = nm.w[0][0][:2], ws.last() if isinstance(ws, WeightNames) else ws[-1][-1]
        every = lambda per_layer: [n for names in per_layer for n in names or ()]  # noqa: E731
        kinds = [few(nm.x, "inputs"), few(every(nm.z), "sums"), few(every(nm.a), "activations")]
        kinds.append(f"weights {', '.join(w_first)}, ..., {w_last}")
        if nm.scheme == "layered":
            # (w[l]_ik, no comma, is a name only in a layer of fewer than 10 inputs and neurons)
            short = [
                str(l + 1) for l, y in enumerate(self._layers) if max(y.inputs, y.neurons) < 10
            ]
            comma = "w[l]_i,k" + (
                ", or w[l]_ik"
                if len(short) == L
                else ""
                if not short
                else f", or w[l]_ik in layer {', '.join(short)} (under 10 inputs and neurons)"
            )
            kinds[-1] += f" ({comma}: layer l = 1..{L}, input i, neuron k)"
        else:
            kinds[-1] += " (numbered through the network, row by row)"
        if every(nm.b):
            kinds.append(few(every(nm.b), "biases"))
        return "; ".join(kinds)

    def value(self, name: str) -> float | np.ndarray:
        """A weight's value (float) or a node's value per data point (array (N,))."""
        k = self._kind_of(name)
        if k[0] == "x":
            return self.x[:, k[1]]
        if k[0] == "z":
            return self.Z[k[1]][:, k[2]]
        if k[0] == "a":
            return self.A[k[1]][:, k[2]]
        if k[0] == "w":
            return float(self.W[k[1]][k[2], k[3]])
        return float(self.b[k[1]][k[2]])  # type: ignore[index]

    def gradient(self, name: str) -> Any:  # (which of the two, the name says at run time)
        """dL/d(name), as :meth:`value` returns the value: for a weight or bias
        (``'w1'``, ``'w[1]_12'``, ``'b1'``) a float, the gradient of the loss averaged over
        the data points; for a value, an input, weighted sum or activation (``'x1'``,
        ``'z3'``, ``'a1'``, ``'y_hat'``), an array of shape (N,), one gradient per data point
        (``e.gradient('x1')[0]`` for one data point)."""
        k = self._kind_of(name)
        if k[0] == "x":
            return self.dL_dx[:, k[1]]
        if k[0] == "z":
            return self.dL_dZ[k[1]][:, k[2]]
        if k[0] == "a":
            return self.dL_dA[k[1]][:, k[2]]
        if k[0] == "w":
            return float(self.grad_W[k[1]][k[2], k[3]])
        return float(self.grad_b[k[1]][k[2]])  # type: ignore[index]

    def step(self) -> dict[str, tuple[float, float, float]]:
        """The gradient-descent preview: ``{name: (w, dL/dw, w - lr * dL/dw)}``."""
        out = {}
        for name, l, i, k in self._weights():
            w = float(self.W[l][i, k] if i >= 0 else self.b[l][k])  # type: ignore[index]
            g = float(self.grad_W[l][i, k] if i >= 0 else self.grad_b[l][k])  # type: ignore[index]
            out[name] = (w, g, w if self.frozen[l][i < 0] else w - self.lr * g)
        return out

    def _n_weights(self) -> int:
        """How many rows :meth:`_weights` yields."""
        return sum(
            lay.neurons * (lay.inputs + (self.names.b[l] is not None))
            for l, lay in enumerate(self._layers)
        )

    def _weights(self) -> Iterator[tuple[str, int, int, int]]:
        """(name, layer, input i (-1 for a bias), neuron k): each layer's W row by row
        (w1, w2, ... in the lecture's numbering), then its biases."""
        for l in range(len(self._layers)):
            for i in range(self._layers[l].inputs):
                for k in range(self._layers[l].neurons):
                    yield self.names.w[l][i][k], l, i, k
            if self.names.b[l] is not None:
                for k in range(self._layers[l].neurons):
                    yield self.names.b[l][k], l, -1, k  # type: ignore[index]

    # ------------------------------------------------------------------ paths
    def _loss_symbol(self, k: int) -> str:
        """dL/dy_hat_k for one data point, as a symbol (including the loss's averaging)."""
        yh, y = self.names.a[-1][k], self.names.y[k]
        if self._loss_replaced:  # (a replaced entry's: the number itself, weights and all)
            return f"dL/d{yh}"
        core = {
            "half_mse": f"({yh} - {y})",
            "mse": f"2 ({yh} - {y})",
            "binary_cross_entropy": f"({yh} - {y}) / ({yh} (1 - {yh}))",
            "binary_cross_entropy_with_logits": f"(sigmoid({yh}) - {y})",
            "cross_entropy": f"(-{y} / {yh})"
            if self._layers[-1].act == "softmax"
            else f"(softmax({yh}) - {y})",
        }[self.kind]
        core = self._weighted(core)
        return f"{core}/{self._count}" if self._count > 1 else core

    def _dz_symbol(self, k: int, div: int) -> str:
        """dL/dz_k of an output fused with its loss, ``(y_hat - y)/div`` (times s with
        weights); ``dL/dz3`` itself where a table entry it comes from was replaced."""
        if self._loss_replaced:
            return f"dL/d{self.names.z[-1][k]}"
        sym = self._weighted(f"({self.names.a[-1][k]} - {self.names.y[k]})")
        return f"{sym}/{div}" if div > 1 else sym

    def _weighted(self, sym: str) -> str:
        """``sym`` times the data point's sample weight s (unchanged without weights)."""
        if self.sample_weight is None:
            return sym
        return f"s {sym}" if sym.startswith("(") else f"s ({sym})"

    def _top_paths(self, k: int, n: int) -> list[list[tuple[str, float]]]:
        """Paths from the loss to output neuron k's weighted sum z."""
        lay = self._layers[-1]
        zk = self.names.z[-1][k]
        if self._vector(lay):
            if self.kind == "cross_entropy":
                return [[(self._dz_symbol(k, self.n_samples), float(self.dL_dZ[-1][n, k]))]]
            J = self._gprime[-1][n]  # (K, K)
            return [
                [
                    (self._loss_symbol(i), float(self.dL_dyhat[n, i])),
                    (f"d{self.names.a[-1][i]}/d{zk}", float(J[i, k])),
                ]
                for i in range(lay.neurons)
            ]
        if self.kind == "binary_cross_entropy" and lay.act == "sigmoid":
            # dL/dy_hat * g'(z), with dL/dy_hat taken so that the product is the stable
            # dL/dz = (y_hat - y)/count that the backward pass uses
            gp = float(self._gprime[-1][n, k])
            dz = float(self.dL_dZ[-1][n, k])
            dyhat = float(self.dL_dyhat[n, k])
            if (
                gp == 0
                or not math.isfinite(dz / gp)
                or not math.isclose(dz / gp, dyhat, rel_tol=1e-6, abs_tol=1e-12)
            ):
                # a saturated sigmoid (a rounds to 0 or 1, so g'(z) = 0; or y_hat so near
                # that the loss clips it, and Step 1's dL/dy_hat, the clipped y_hat's, times
                # g'(z) is not dL/dz): show their product, (y_hat - y)/count, as Step 3 does
                return [[(self._dz_symbol(k, self._count), dz)]]
            return [[(self._loss_symbol(k), dz / gp), (f"g'({zk})", gp)]]
        return [
            [
                (self._loss_symbol(k), float(self.dL_dyhat[n, k])),
                (f"g'({zk})", float(self._gprime[-1][n, k])),
            ]
        ]

    def _paths_z(self, l: int, k: int, n: int) -> Iterator[list[tuple[str, float]]]:
        if l == len(self._layers) - 1:
            yield from self._top_paths(k, n)
            return
        g = (f"g'({self.names.z[l][k]})", float(self._gprime[l][n, k]))
        for nxt in range(self._layers[l + 1].neurons):
            w = (self.names.w[l + 1][k][nxt], float(self.W[l + 1][k, nxt]))
            for p in self._paths_z(l + 1, nxt, n):
                yield p + [w, g]

    def _count_z(self, l: int) -> int:
        c = (
            self._layers[-1].neurons
            if (self._vector(self._layers[-1]) and self.kind != "cross_entropy")
            else 1
        )
        for lay in self._layers[l + 1 :]:
            c *= lay.neurons
        return c

    def paths(self, name: str, sample: int = 0, max_terms: int = 32) -> PathSum:
        """dL/d(name) for data point ``sample`` as a sum over the reversed graph's paths.

        ``name`` is an input (``'x1'``), a neuron's sum or activation (``'z1'``,
        ``'a1'``), a weight (``'w1'``) or a bias. Each path multiplies the loss's
        derivative, ``g'(z)`` and ``w`` along the way (the slides' chain rule (2):
        the paths' contributions add up).
        """
        k, name = self._kind_of(name), self._name_of(name)
        max_terms = check_number(max_terms, "max_terms", "paths", low=1, integer=True)
        if not (isinstance(sample, (int, np.integer)) and 0 <= sample < self.n_samples):
            raise ValueError(
                f"The 'sample' parameter of paths must be an int in [0, {self.n_samples}). "
                f"Got {sample!r}."
            )
        L = len(self._layers)
        n = int(sample)
        gens: list[Iterator[list[tuple[str, float]]]] = []
        total = 0

        # (a wide layer's paths are made as they are taken: the first max_terms only)
        def through(l: int, i: int) -> Iterator[list[tuple[str, float]]]:
            for nxt in range(self._layers[l].neurons):
                w = (self.names.w[l][i][nxt], float(self.W[l][i, nxt]))
                yield from _extend(self._paths_z(l, nxt, n), [w])

        if k[0] == "x":
            i = k[1]
            gens.append(through(0, i))
            total = self._layers[0].neurons * self._count_z(0)
            value = float(self.dL_dx[n, i])
        elif k[0] == "z":
            l, j = k[1], k[2]
            gens.append(self._paths_z(l, j, n))
            total = self._count_z(l) if l < L - 1 else len(self._top_paths(j, n))
            value = float(self.dL_dZ[l][n, j])
        elif k[0] == "a":
            l, j = k[1], k[2]
            if l == L - 1:
                gens.append(iter([[(self._loss_symbol(j), float(self.dL_dyhat[n, j]))]]))
                total = 1
            else:
                gens.append(through(l + 1, j))
                total = self._layers[l + 1].neurons * self._count_z(l + 1)
            value = float(self.dL_dA[l][n, j])
        else:
            l, j = k[1], k[-1]
            if k[0] == "w":
                i = k[2]
                vname = self.names.x[i] if l == 0 else self.names.a[l - 1][i]
                v = float(self.x[n, i] if l == 0 else self.A[l - 1][n, i])
                gens.append(_extend(self._paths_z(l, j, n), [(vname, v)]))
                value = float(self.dL_dZ[l][n, j]) * v
            elif self.bias == "w0":  # w0 times its constant input x0 = 1: (y_hat - y) g'(z) x0
                gens.append(_extend(self._paths_z(l, j, n), [(_constant(self.names, l), 1.0)]))
                value = float(self.dL_dZ[l][n, j])
            else:
                gens.append(self._paths_z(l, j, n))
                value = float(self.dL_dZ[l][n, j])
            total = self._count_z(l) if l < L - 1 else len(self._top_paths(j, n))
        terms = list(itertools.islice(itertools.chain(*gens), max_terms))
        if k[0] == "w" and self.l2 and self.n_samples == 1:
            # The L2 penalty l2/2 * w^2 is the reversed graph's direct edge from L to the
            # weight: its term l2 * w is one more path, always shown, so the sum is
            # section 3's gradient. (With a batch, the paths are one data point's share,
            # and the penalty's l2/N * w is added once for the batch.)
            w = float(self.W[l][k[2], j])
            terms.append([("l2", self.l2), (self.names.w[l][k[2]][j], w)])
            total += 1
            value += self.l2 * w
        return PathSum(name, n, terms, total, value, self.decimals)

    # -------------------------------------------------------------- rendering
    def _title(self) -> str:
        sizes = "-".join(
            str(s) for s in [self._layers[0].inputs] + [lay.neurons for lay in self._layers]
        )
        acts = ", ".join(lay.act for lay in self._layers)
        pts = "1 data point" if self.n_samples == 1 else f"{self.n_samples} data points"
        return f"glassnet.explain: {self._model_name} {sizes} ({acts}), {pts}"

    def _loss_formula(self) -> str:
        if self._loss_replaced:  # (the entry's own formula, else its name)
            own = _own_text(self._loss_entry.formula, _BUILTIN_TEXTS[1][self.kind])
            s = "" if self.sample_weight is None else "s * "
            if own is None or self._loss_replaced != self.kind:
                return (
                    f"L = {s}{self.kind}(y_hat, y), from the table's replaced entry "
                    f"{self._loss_replaced!r}"
                )
            return f"L = {s}({own})" if s else f"L = {own}"
        y, yh = ("y", "y_hat")
        text = {
            "half_mse": f"L = 1/2 ({yh} - {y})^2",
            "mse": f"L = ({yh} - {y})^2",
            "binary_cross_entropy": f"L = -({y} log {yh} + (1 - {y}) log(1 - {yh}))",
            "binary_cross_entropy_with_logits": f"L = -({y} log sigmoid({yh}) "
            f"+ (1 - {y}) log(1 - sigmoid({yh})))",
            "cross_entropy": "L = -sum_k y_k log y_hat_k"
            if self._layers[-1].act == "softmax"
            else "L = -sum_k y_k log softmax(y_hat)_k",
        }[self.kind]
        if self.sample_weight is not None:  # L = s * (the data point's loss)
            rhs = text[4:]
            text = f"L = s * ({rhs})" if rhs.startswith("-") else f"L = s * {rhs}"
        return text

    def _sum_text(self, l: int, k: int) -> tuple[str, str, list[tuple[str, str]]]:
        """Weighted sum of neuron k in layer l: (symbolic, with numbers for sample 0, inputs)."""
        d = self.decimals
        ins = self.names.x if l == 0 else self.names.a[l - 1]
        prev = self.x if l == 0 else self.A[l - 1]
        sym, num, coef = [], [], []
        c = d  # (the factors' decimals: enough that the sum written gives z as printed)
        if len(ins) + (self.names.b[l] is not None) <= MAX_TERMS:
            bias = [] if self.names.b[l] is None else [float(self.b[l][k])]  # type: ignore[index]
            vals = bias + [float(t) for i in range(len(ins)) for t in (self.W[l][i, k], prev[0, i])]
            nb = len(bias)
            c = decimals_for(
                vals,
                lambda v: sum(v[:nb]) + sum(v[j] * v[j + 1] for j in range(nb, len(v), 2)),
                float(self.Z[l][0, k]),
                d,
            )
        if self.names.b[l] is not None and self.bias == "w0":  # w0 x0 with x0 = 1
            x0 = "x0" if l == 0 else "a0"
            sym.append(f"{self.names.b[l][k]}*{x0}")  # type: ignore[index]
            num.append(f"{_par(self.b[l][k], d, c)}*1")  # type: ignore[index]
            coef.append(f"{_par(self.b[l][k], d)}*{x0}")  # type: ignore[index]
        elif self.names.b[l] is not None:
            sym.append(self.names.b[l][k])  # type: ignore[index]
            num.append(fmt_more(self.b[l][k], d, c))  # type: ignore[index]
            coef.append(fmt(self.b[l][k], d))  # type: ignore[index]
        # (past MAX_TERMS terms, _join_terms shows the first ones and counts the rest:
        # the rest are not formatted, a wide layer's 1024 terms a row took seconds)
        shown = len(ins) if len(sym) + len(ins) <= MAX_TERMS else max(MAX_TERMS - len(sym), 0)
        for i, nm in enumerate(ins[:shown]):
            sym.append(f"{self.names.w[l][i][k]}*{nm}")
            num.append(f"{_par(self.W[l][i, k], d, c)}*{_par(prev[0, i], d, c)}")
            coef.append(f"{_par(self.W[l][i, k], d)}*{nm}")
        for terms in (sym, num, coef):
            terms += [""] * (len(ins) - shown)
        return _join_terms(sym), _join_terms(num), _join_terms(coef)  # type: ignore[return-value]

    def _vector(self, lay: Any) -> bool:
        """Whether layer ``lay``'s activation is a vector one (its table entry's
        ``elementwise=False``: softmax, or one added to the table), whose g' is a Jacobian
        (N, K, K) and not one g'(z) per neuron."""
        return not self._acts[lay.act][0].elementwise

    def _act_text(self, l: int, k: int) -> str:
        lay = self._layers[l]
        zs = self.names.z[l]
        if self._vector(lay):
            inner = ", ".join(zs) if len(zs) <= 4 else "z"
            return f"{lay.act}({inner})_{k + 1}"
        if lay.act == "leaky_relu":
            return f"leaky_relu({zs[k]}, {lay.alpha:g})"
        return f"{lay.act}({zs[k]})"

    def _matrix_section(self) -> Section:
        """The forward pass with column vectors, as the slides write ŷ = g(Wᵀx): per layer
        Wᵀ (neurons x inputs) times the input column = z, then a = g(z); with bias='w0'
        the biases are W's row 0 and the input column starts with x0 = 1."""
        d = self.decimals
        sec = Section("Matrix form (column vectors, data point #1)", key="matrix")
        L = len(self._layers)
        lines: list[str] = []
        for l in range(L):
            tag = f"[{l + 1}]" if L > 1 else ""
            v = self.x[0] if l == 0 else self.A[l - 1][0]
            vin = "x" if l == 0 else f"a[{l}]"
            W = self.W[l]
            b = self.b[l]
            z = self.Z[l][0]
            if max(W.shape) > 2 * MAX_TERMS:  # an image's 784 inputs: lines of 5000 characters
                lines += [
                    f"z{tag} = W{tag}^T {vin}"
                    + (f" + b{tag}" if b is not None else "")
                    + f"   (W{tag} is {W.shape[0]} x {W.shape[1]}: too wide to write out here; "
                    f"it is e.W[{l}], z{tag} is e.Z[{l}])",
                    "",
                ]
                continue
            col = lambda a: [[fmt(t, d)] for t in a]  # noqa: E731
            WT = [[fmt(t, d) for t in row] for row in W.T]  # (neurons, inputs)
            if b is not None and self.bias == "w0":
                WT = [[fmt(bk, d)] + row for bk, row in zip(b, WT)]
                vin_col = col(np.concatenate([[1.0], v]))
                x0 = "x0" if l == 0 else "a0"
                lines.append(
                    f"z{tag} = W{tag}^T {vin}   (W{tag}: row 0 holds the biases w0, {x0} = 1)"
                )
                lines += _matrices([WT, vin_col, col(z)], ["", "=", ""])
            else:
                lines.append(f"z{tag} = W{tag}^T {vin}" + (f" + b{tag}" if b is not None else ""))
                blocks, ops = [WT, col(v)], ["", "+" if b is not None else "="]
                if b is not None:
                    blocks.append(col(b))
                    ops.append("=")
                lines += _matrices(blocks + [col(z)], ops + [""])
            act = self._layers[l].act
            aname = "y_hat" if l == L - 1 else f"a{tag}"
            lines.append(f"{aname} = {act}(z{tag})")
            lines += _matrices([col(self.A[l][0])], [""])
            lines.append("")
        sec.pre("\n".join(lines).rstrip())
        return sec

    def _sections(self, limit: int | None = None) -> list[Section]:
        """The sections, each table's rows formatted only up to ``limit`` (its other rows
        counted, for :func:`_cut` to say how many it leaves out; None formats all): a
        wide network's tables have millions of rows, and formatting them all took
        seconds to minutes for a display that shows the first ``MAX_ROWS``."""
        key = (
            limit,
            self.decimals,
            self.bias,
            self.matrix,
            self.lr,
            self.l2,
            repr(self._show_paths),
        )
        cached = self._cache.get(key)
        if cached is not None:  # (a notebook asks for the text, HTML and Markdown forms)
            return cached
        secs = self._build_sections(limit)
        self._cache = {key: secs}
        return secs

    def _build_sections(self, limit: int | None) -> list[Section]:
        d = self.decimals
        N = self.n_samples
        nm = self.names
        L = len(self._layers)
        one = N == 1
        secs: list[Section] = []

        # ------------------------------------------------------------ header
        head = Section("", key="header")
        # (an image's 784 inputs: the first ones, and how many more)
        inputs = _join_list(_named_values(nm.x, self.x[0], d))
        target = _join_list(_named_values(nm.y, self.y[0], d))
        if one:
            head.p(f"Data point: {inputs}; target {target}.")
        head.p(
            f"Loss: {self._loss_formula()}"
            + (
                ""
                if self._count == 1
                else f", averaged over {self._count} "
                + (
                    "data points"
                    if self.kind == "cross_entropy"
                    else "values (data points x outputs)"
                )
            )
            + f". Names: {nm.scheme} scheme."
            + (
                " Each bias is the weight w0 of a constant input x0 = 1"
                + (" (a0 = 1 for a hidden layer's neurons)" if len(self.W) > 1 else "")
                + ", as the slides write z = sum_j w_j x_j from j = 0."
                if self.bias == "w0"
                else ""
            )
        )
        if self.dropout:
            head.p(self.dropout)
        if self.sample_weight is not None:
            sw = _join_list([fmt(v, d) for v in self.sample_weight])
            head.p(
                f"s is the data point's sample_weight (s = {sw}"
                + ("" if one else f" for data points #1 to #{N}")
                + "), as fit(..., sample_weight=) weights the loss: every gradient below is "
                "s times the unweighted one."
            )
        if self.l2:
            norms = sum(float(W.ravel() @ W.ravel()) for W in self.W)
            head.p(
                f"Plus the L2 penalty of fit(..., l2=) on this batch of N = {N}: "
                f"l2/(2N) * sum w^2 over every weight (no bias) = {self.l2:g}/{2 * N} * "
                f"{fmt(norms, d)} = {fmt(self.penalty, d)}; it adds l2/N * w to each "
                "weight's gradient (section 3)."
            )
        for problem in self.problems:
            head.p(f"Warning: {problem}")
        secs.append(head)

        # ----------------------------------------------------------- forward
        fw = Section("1. Forward pass: z = weighted sum, a = g(z)", key="forward")
        if one:
            cap = _Capped(limit)
            for l in range(L):
                for k in range(self._layers[l].neurons):
                    if not cap.room():
                        cap.skip()
                        continue
                    sym, num, _ = self._sum_text(l, k)
                    cap.add(
                        [
                            nm.z[l][k],
                            sym,
                            num,
                            fmt(self.Z[l][0, k], d),
                            f"{nm.a[l][k]} = {self._act_text(l, k)}",
                            fmt(self.A[l][0, k], d),
                        ]
                    )
            cap.table(fw, ["neuron", "z = weighted sum", "with numbers", "z", "a = g(z)", "a"])
            yh = ", ".join(f"{n} = {fmt(v, d)}" for n, v in zip(nm.a[-1], self.y_hat[0]))
            fw.p(f"Prediction {yh}; loss L = {self._loss_sum()}.")
        else:
            lines = _Capped(None if limit is None else 4 * limit)
            for l in range(L):
                for k in range(self._layers[l].neurons):
                    if not lines.room():
                        lines.skip()
                        continue
                    sym, _, coef = self._sum_text(l, k)
                    lines.add(
                        f"{nm.z[l][k]} = {coef}   ({sym});  {nm.a[l][k]} = {self._act_text(l, k)}"
                    )
            lines.pre(fw)
            # a column per input, target and neuron, then L_n: past MAX_COLUMNS only the
            # first ones are shown (see _cut), so only those are formatted
            sw = [] if self.sample_weight is None else [("s", self.sample_weight)]
            cols = itertools.chain(
                zip(nm.x, self.x.T), zip(nm.y, self.y.T), sw,
                ((nm_[k], M[:, k]) for l in range(L) for k in range(self._layers[l].neurons)
                 for nm_, M in ((nm.z[l], self.Z[l]), (nm.a[l], self.A[l]))),
            )  # fmt: skip
            width = 1 + len(nm.x) + len(nm.y) + len(sw) + 2 * sum(nm_n.neurons for nm_n in
                                                                     self._layers) + 1  # fmt: skip
            cut = limit is not None and width > MAX_COLUMNS
            shown = list(itertools.islice(cols, MAX_COLUMNS - 3 if cut else None))
            headers = ["#"] + [h for h, _ in shown] + ["..."] * cut + ["L_n"]
            rows = [
                [str(n + 1)] + [fmt(v[n], d) for _, v in shown] + ["..."] * cut
                + [fmt(self.sample_loss[n], d)]
                for n in range(N)
            ]  # fmt: skip
            fw.table(headers, rows)
            if cut:
                more = width - (MAX_COLUMNS - 2) - 1
                fw.p(f"... {more} more columns of this table (max_rows=None shows every column).")
            fw.p(
                "Loss L = mean over the data points"
                + (" + L2 penalty" if self.l2 else "")
                + f" = {self._loss_sum()}."
            )
        secs.append(fw)
        if self.matrix:
            secs.append(self._matrix_section())

        # ---------------------------------------------------------- backward
        bw = Section("2. Backward pass, in the lecture's three steps", key="backward")
        cols = ["value"] if one else [f"#{n + 1}" for n in range(N)]

        def vals(arr: np.ndarray) -> list[str]:
            return [fmt(v, d) for v in arr]

        # step 1
        bw.p(
            f"Step 1. Gradient of the loss with respect to the prediction: "
            f"dL/dy_hat = {self._dyhat_formula()}."
        )
        bw.table(
            ["node", "dL/dnode"] + ([] if one else cols),
            [
                [f"{nm.a[-1][k]}"]
                + (
                    [fmt(self.dL_dyhat[0, k], d)]
                    if one
                    else ["dL/d" + nm.a[-1][k]] + vals(self.dL_dyhat[:, k])
                )
                for k in range(self._layers[-1].neurons)
            ],
        )
        # step 2: edges of the reversed graph
        bw.p(
            "Step 2. Reverse the graph; each edge carries its local derivative: g'(z) "
            "on the activation edge a <- z, the weight w on the weighted-sum edge z <- v."
        )
        cap = _Capped(limit)
        for l in range(L - 1, -1, -1):
            lay = self._layers[l]
            sep = "," if lay.neurons > 9 else ""  # delta_1,12 and delta_11,2, not delta_112
            for k in range(lay.neurons):
                if not cap.room():
                    cap.skip(lay.neurons if self._vector(lay) else 1)
                elif self._vector(lay):
                    for i in range(lay.neurons):
                        if not cap.room():
                            cap.skip()
                            continue
                        cap.add(
                            [
                                f"{nm.a[l][i]} -> {nm.z[l][k]}",
                                _jacobian_label(
                                    *self._acts[lay.act], nm.a[l], nm.z[l], i, k, sep, lay.act
                                ),
                            ]
                            + vals(self._gprime[l][:, i, k])
                        )
                else:
                    cap.add(
                        [
                            f"{nm.a[l][k]} -> {nm.z[l][k]}",
                            _gprime_label(
                                lay.act, *self._acts[lay.act], nm.a[l][k], nm.z[l][k], lay.alpha
                            ),
                        ]
                        + vals(self._gprime[l][:, k])
                    )
            ins = nm.x if l == 0 else nm.a[l - 1]
            for k in range(lay.neurons):
                for i, v in enumerate(ins):
                    if not cap.room():
                        cap.skip(len(ins) - i)
                        break
                    cap.add(
                        [
                            f"{nm.z[l][k]} -> {v}",
                            nm.w[l][i][k],
                            *([fmt(self.W[l][i, k], d)] * len(cols)),
                        ]
                    )
        cap.table(bw, ["edge (reversed)", "local derivative"] + cols)
        # step 3
        bw.p(
            "Step 3. Walk the reversed graph: dL/dnode = the sum over the edges into the "
            "node of dL/du * the edge's local derivative, u being the node the edge comes from."
        )
        cap = _Capped(limit)
        for l in range(L - 1, -1, -1):
            lay = self._layers[l]
            for k in range(lay.neurons):
                if not cap.room():
                    cap.skip()
                    continue
                if self._vector(lay):
                    column = self._gprime[l][0, :, k]  # (read at once: made when read)
                    parts = [
                        (
                            f"dL/d{nm.a[l][i]} * d{nm.a[l][i]}/d{nm.z[l][k]}",
                            self.dL_dA[l][0, i],
                            column[i],
                        )
                        for i in range(lay.neurons)
                    ]
                else:
                    parts = [
                        (
                            f"dL/d{nm.a[l][k]} * g'({nm.z[l][k]})",
                            self.dL_dA[l][0, k],
                            self._gprime[l][0, k],
                        )
                    ]
                if l == L - 1 and one:
                    parts = self._saturated_top(k, parts)
                cap.add(self._grad_row(f"{nm.z[l][k]}", parts, self.dL_dZ[l][:, k]))
            below = nm.x if l == 0 else nm.a[l - 1]
            grads = self.dL_dx if l == 0 else self.dL_dA[l - 1]
            for i, v in enumerate(below):
                if not cap.room():
                    cap.skip(len(below) - i)
                    break
                parts = [
                    (f"dL/d{nm.z[l][k]} * {nm.w[l][i][k]}", self.dL_dZ[l][0, k], self.W[l][i, k])
                    for k in range(lay.neurons)
                ]
                cap.add(self._grad_row(v, parts, grads[:, i]))
        cap.table(bw, ["node", "dL/dnode ="] + (["with numbers", "value"] if one else cols))
        secs.append(bw)

        # --------------------------------------------------- weight gradients
        pen = " + l2/N * w" if self.l2 else ""
        wg = Section(f"3. Weight gradients: dL/dw = dL/du * v{pen}", key="weights")
        wg.p(
            "u is the weighted sum the weight feeds, v the value it multiplies ("
            + ("x0 = 1 for a bias w0" if self.bias == "w0" else "1 for a bias")
            + ")."
            + (
                ""
                if one
                else " With several data points the products add up over "
                "the data points (the loss's average is inside dL/du)."
            )
            + (
                f" The L2 penalty adds l2/N * w to each weight's gradient (l2/N = "
                f"{self.l2:g}/{N}); a bias has none."
                if self.l2
                else ""
            )
        )
        cap, off = _Capped(limit), []
        for name, l, i, k in self._weights():
            if not cap.room():  # (the rows not shown: counted, not formatted)
                cap.skip(self._n_weights() - cap.total)
                break
            u = nm.z[l][k]
            if i < 0:
                # under bias='w0' the bias is w0's, times its constant input x0 = 1 (a0 = 1
                # for a hidden layer), as the forward pass writes w0*x0: dL/dw0 = dL/dz * x0
                x0 = _constant(nm, l) if self.bias == "w0" else "1"
                vname, v = x0, np.ones(N)
            else:
                vname = nm.x[i] if l == 0 else nm.a[l - 1][i]
                v = self.x[:, i] if l == 0 else self.A[l - 1][:, i]
            g = self.grad_W[l][i, k] if i >= 0 else self.grad_b[l][k]  # type: ignore[index]
            du = self.dL_dZ[l][:, k]
            term = f" + l2/N * {name}" if self.l2 and i >= 0 else ""  # (fit's L2: no bias)
            # (Python floats: an l2 near float64's largest reads inf, with no NumPy warning)
            penalty = self.l2 / N * float(self.W[l][i, k]) if i >= 0 else 0.0
            decay = [fmt(penalty, d) if i >= 0 else ""] if self.l2 else []
            # the factors with the decimals that make the arithmetic as written give dL/dw
            # as printed (Step 3's rule); where none do, the row is named below the table
            vals = [float(t) for t in du] + [float(t) for t in v] + [penalty]
            c = _adding_decimals(vals, _sum_of_products(N), float(g), d)
            if c is None:
                c = d + MAX_EXTRA_DECIMALS
                off.append(f"{name} ({_written_sum([fmt_more(t, d, c) for t in vals], N)})")
            if one:
                shown = [fmt_more(du[0], d, c), fmt_more(v[0], d, c)]
                decay = [fmt_more(penalty, d, c)] if decay and i >= 0 else decay
                cap.add([name, f"dL/d{u} * {vname}{term}", *shown, *decay, fmt(g, d)])
            else:
                prods = " + ".join(f"{_par(a, d, c)}*{_par(b, d, c)}" for a, b in zip(du, v))
                prods += f" + {_par(penalty, d, c)}" if term else ""
                cap.add([name, f"sum_n dL/d{u} * {vname}{term}", prods, fmt(g, d)])
        if one:
            decay = ["l2/N * w"] if self.l2 else []
            cap.table(wg, ["weight", f"dL/dw = dL/du * v{pen}", "dL/du", "v", *decay, "dL/dw"])
        else:
            cap.table(wg, ["weight", "dL/dw =", "with numbers", "dL/dw"])
        if off:
            wg.p(
                f"Not an equation as printed: the numbers of {_join_list(off)} give the value "
                f"in parentheses, not the dL/dw printed, even with {MAX_EXTRA_DECIMALS} more "
                "decimals (rounding each of many terms, or a result that is rounding noise "
                "around 0). dL/dw is computed from the unrounded numbers."
            )
        secs.append(wg)

        # ----------------------------------------------------- descent step
        # lr as the step uses it (0.123456789, not :g's 0.123457), so the rows' arithmetic
        # is the one written
        lr_text = f"{self.lr:g}" if float(f"{self.lr:g}") == self.lr else repr(float(self.lr))
        gd = Section(f"4. Gradient-descent step: w <- w - lr * dL/dw (lr = {lr_text})", key="step")
        step_rows, step_off = _Capped(limit), []
        lr_exact = Decimal(lr_text)

        def stepped(v: list[Any]) -> Any:
            return v[0] - lr_exact * v[1]

        for name, l, i, k in self._weights():
            if not step_rows.room():
                step_rows.skip(self._n_weights() - step_rows.total)
                break
            w = float(self.W[l][i, k] if i >= 0 else self.b[l][k])  # type: ignore[index]
            g = float(self.grad_W[l][i, k] if i >= 0 else self.grad_b[l][k])  # type: ignore[index]
            if self.frozen[l][i < 0]:  # (requires_grad=False: fit's step leaves it)
                step_rows.add([f"{name} (frozen)", fmt(w, d), fmt(g, d), fmt(w, d)])
                continue
            new = w - self.lr * g  # (as step() computes it)
            # w and dL/dw with the decimals that make w - lr * dL/dw as written give the
            # new weight as printed (Step 3's rule: 0 - 0.5*(-0.017) is 0.0085, which
            # reads 0.009, so beside a printed 0.008 the row writes -0.0165)
            c = _adding_decimals([w, g], stepped, new, d)
            if c is None:
                c = d + MAX_EXTRA_DECIMALS
                shown = [fmt_more(w, d, c), fmt_more(g, d, c)]
                ctx = Context(prec=200)  # (exact for these; the caller's context untouched)
                got = ctx.subtract(
                    ctx.create_decimal(shown[0]),
                    ctx.multiply(lr_exact, ctx.create_decimal(shown[1])),
                )
                step_off.append(f"{name} ({'0' if got == 0 else format(ctx.normalize(got), 'f')})")
            step_rows.add([name, fmt_more(w, d, c), fmt_more(g, d, c), fmt(new, d)])
        step_rows.table(gd, ["weight", "w", "dL/dw", "w - lr * dL/dw"])
        kinds = ("weights", "biases")
        still = [f"layer {l + 1}'s " + " and ".join(kinds[j] for j in (0, 1) if f[j])
                 for l, f in enumerate(self.frozen) if any(f)]  # fmt: skip
        if still:
            gd.p(
                f"Frozen (requires_grad=False): {_join_list(still)}. fit leaves them as they "
                "are, so the step does too (their rows keep w); dL/dw is shown all the same."
            )
        if step_off:
            gd.p(
                f"Not an equation as printed: the numbers of {_join_list(step_off)} give the "
                f"value in parentheses, not the new weight printed, even with "
                f"{MAX_EXTRA_DECIMALS} more decimals (a result that is rounding noise around "
                "0). The new weight is computed from the unrounded numbers."
            )
        secs.append(gd)

        # ------------------------------------------------------------ paths
        if self._show_paths:
            ps = Section(
                "5. Each gradient as a sum over the paths of the reversed graph", key="paths"
            )
            if N > 1:
                ps.p("For data point #1 (the batch gradient adds these over the data points).")
            if self.l2 and N > 1:
                ps.p(
                    "A weight's batch gradient in section 3 adds these over the data points, "
                    "and the batch's l2/N * w once."
                )
            elif self.l2:
                ps.p("The L2 penalty's term l2 * w ends each weight's sum.")
            listed = not isinstance(self._show_paths, bool)
            want = (
                iter(self._show_paths)
                if listed
                else itertools.chain(nm.x, (n for n, *_ in self._weights()))
            )  # (every weight's name is not written: those shown are)
            count = len(self._show_paths) if listed else len(nm.x) + self._n_weights()
            # only the sums shown are worked out: every path sum of a 784-128-10 network
            # (100,000 of them) took seconds to minutes for a display of the first ones
            lines = _Capped(None if limit is None else 4 * limit)
            for j, n in enumerate(want):
                if not lines.room():
                    lines.skip(4 * (count - j))  # (each: a blank line and 3 lines)
                    break
                for line in [""] * (j > 0) + str(self.paths(n)).split("\n"):
                    lines.add(line)
            lines.pre(ps)
            secs.append(ps)
        return secs

    def _loss_sum(self) -> str:
        """L's value, as the data term + the L2 penalty with l2."""
        d = self.decimals
        if not self.l2:
            return fmt(self.loss, d)
        data = float(self.sample_loss.mean())
        return f"{fmt(data, d)} + {fmt(self.penalty, d)} = {fmt(self.loss, d)}"

    def _dyhat_formula(self) -> str:
        K = self._layers[-1].neurons
        if self._loss_replaced:  # (no formula: the kernel's gradient, as fit takes it)
            div = self._count if self.kind != "cross_entropy" else self.n_samples
            text = f"the gradient from the table's replaced entry {self._loss_replaced!r}"
            text = text if self.sample_weight is None else f"s * {text}"
            text += "" if div == 1 else f", divided by {div}"
            if self.n_samples == 1 and K == 1:
                text += f" = {fmt(self.dL_dyhat[0, 0], self.decimals)}"
            return text
        base = {
            "half_mse": "y_hat - y",
            "mse": "2 (y_hat - y)",
            "binary_cross_entropy": "(y_hat - y) / (y_hat (1 - y_hat))",
            "binary_cross_entropy_with_logits": "sigmoid(y_hat) - y",
            "cross_entropy": "-y_k / y_hat_k"
            if self._layers[-1].act == "softmax"
            else "softmax(y_hat)_k - y_k",
        }[self.kind]
        div = self._count if self.kind != "cross_entropy" else self.n_samples
        sw = self.sample_weight
        if sw is not None:  # each data point's dL/dy_hat is s times the unweighted one
            text = f"s * ({base})" + ("" if div == 1 else f" / {div}")
        else:
            text = base if div == 1 else f"({base}) / {div}"
        if self.n_samples == 1 and K == 1:
            d = self.decimals
            c = d  # (the numbers' decimals: enough that the formula gives dL/dy_hat as printed)
            forms = {
                "half_mse": lambda v: v[0] - v[1],
                "mse": lambda v: 2 * (v[0] - v[1]),
                "binary_cross_entropy": lambda v: (v[0] - v[1]) / (v[0] * (1 - v[0])),
            }
            if self.kind in forms:
                form = forms[self.kind]
                s0 = 1.0 if sw is None else float(sw[0])
                c = decimals_for(
                    [float(self.y_hat[0, 0]), float(self.y[0, 0]), s0],
                    lambda v: v[2] * form(v) / div,
                    float(self.dL_dyhat[0, 0]),
                    d,
                )
            yh, y = (
                fmt_more(self.y_hat[0, 0], d, c),
                _par(self.y[0, 0], d, c),
            )  # (-0.289 - (-0.700))
            num = {
                "half_mse": f"{yh} - {y}",
                "mse": f"2 ({yh} - {y})",
                "binary_cross_entropy": f"({yh} - {y}) / ({yh} (1 - {yh}))",
            }.get(self.kind)
            p = float(self.y_hat[0, 0])
            if self.kind == "binary_cross_entropy" and min(p, 1 - p) < 0.5 * 10.0**-d:
                # y_hat prints as 0 or 1: the numbers would read x / 0 (the loss clips
                # y_hat to [eps, 1 - eps], which keeps the value finite)
                eps = float(np.finfo(np.float64).eps)
                zk = self.names.z[-1][0]
                # dL/dz as Step 3 and the paths write it (s (y_hat - y) with a weight); it
                # is fit's fast path's, on the logits: autograd's binary_cross_entropy on
                # the clipped y_hat, then .backward(), gives another loss and dL/dz here
                dz = self._weighted(f"{self.names.a[-1][0]} - {self.names.y[0]}")
                dz += f"/{self._count}" if self._count > 1 else ""
                clip = (
                    f"; the loss clips it to [eps, 1 - eps], eps = {eps:.2e}, so this times "
                    f"g'({zk}) is not dL/d{zk}: fit's backward pass (glassnet's fast path, on "
                    f"the logits) takes dL/d{zk} = {dz} straight from the sum, as Step 3 and "
                    "the paths show; binary_cross_entropy on the clipped y_hat, then "
                    ".backward(), gives other numbers here"
                    if min(p, 1 - p) < eps
                    else ""
                )
                return (
                    f"{text} = {fmt(self.dL_dyhat[0, 0], d)} (y_hat = {p!r}, which rounds to "
                    f"{yh}{clip})"
                )
            if num:
                text += f" = {num}" if sw is None else f" = {fmt_more(sw[0], d, c)} * ({num})"
            text += f" = {fmt(self.dL_dyhat[0, 0], d)}"
        return text

    def _saturated_top(
        self, k: int, parts: list[tuple[str, float, float | None]]
    ) -> list[tuple[str, float, float | None]]:
        """Output neuron k's step-3 terms, or, where they cannot multiply out to dL/dz (a
        sigmoid under binary cross-entropy or a softmax under cross-entropy saturated, so
        g'(z) or the Jacobian rounds to 0), their simplified product (y_hat - y)/count."""
        dz = float(self.dL_dZ[-1][0, k])
        with np.errstate(all="ignore"):
            shown = float(sum(a * b for _, a, b in parts))  # type: ignore[operator]
        if math.isfinite(shown) and math.isclose(shown, dz, rel_tol=1e-9, abs_tol=1e-12):
            return parts
        return [(self._dz_symbol(k, self._count), dz, None)]

    def _grad_row(
        self, node: str, parts: list[tuple[str, float, float | None]], values: np.ndarray
    ) -> list[str]:
        d = self.decimals
        sym = _join_terms([p[0] for p in parts])
        if self.n_samples == 1:
            c = d
            if len(parts) <= MAX_TERMS:  # (every term shown: the sum written gives the value)
                vals = [float(t) for _, a, b in parts for t in ((a,) if b is None else (a, b))]
                kinds = [b is None for _, _, b in parts]

                def evaluate(v: list[float]) -> float:
                    total, j = 0, 0
                    for single in kinds:
                        total += v[j] if single else v[j] * v[j + 1]
                        j += 1 if single else 2
                    return total

                c = decimals_for(vals, evaluate, float(values[0]), d)
            shown = parts if len(parts) <= MAX_TERMS else parts[:MAX_TERMS]
            num = _join_terms(
                [
                    _par(a, d, c) if b is None else f"{_par(a, d, c)}*{_par(b, d, c)}"
                    for _, a, b in shown
                ]
                + [""] * (len(parts) - len(shown))  # (counted by _join_terms, not shown)
            )
            return [node, sym, num, fmt(values[0], d)]
        return [node, sym] + [fmt(v, d) for v in values]

    def _parts(self, parts: Sequence[str] | str | None, max_rows: int | None) -> list[Section]:
        if max_rows is not None:
            max_rows = check_number(max_rows, "max_rows", "Explanation", low=1, integer=True)
        secs = self._sections(max_rows)
        if parts is not None:
            if isinstance(parts, str):
                parts = [parts]
            known = [sec.key for sec in secs] + ([] if self._show_paths else ["paths"])
            if not isinstance(parts, (list, tuple)):  # (3 was "'int' object is not iterable")
                parts = [parts]
            bad = [p for p in parts if not isinstance(p, str) or p not in known]
            if bad:
                raise ValueError(
                    f"The 'parts' parameter must list sections among {known}. Got {bad}."
                )
            secs = [sec for sec in secs if sec.key in parts]
        return secs if max_rows is None else [_cut(sec, max_rows) for sec in secs]

    def to_text(
        self,
        parts: Sequence[str] | str | None = None,
        notation: str | None = None,
        max_rows: int | None = MAX_ROWS,
    ) -> str:
        """The terminal table (``str(e)``); ``parts`` picks sections: ``'header'``,
        ``'forward'``, ``'backward'``, ``'weights'``, ``'step'``, ``'paths'``.
        ``notation``: ``'unicode'`` or ``'ascii'`` (default: the one given to explain).
        ``max_rows``: a table longer than this (a wide network's) shows its first rows and
        says how many it leaves out (:data:`MAX_ROWS`; None shows every row)."""
        nt = self._notation(notation, ("unicode", "ascii"))
        if notation is None and nt == "unicode" and not _terminal_shows_unicode():
            nt = "ascii"  # e.g. a Windows console in cp1252: print() would fail
        secs = self._parts(parts, max_rows)
        return render_text(self._title(), _typeset_sections(secs, nt, ("", "")))

    def _notation(self, notation: str | None, allowed: Sequence[str]) -> str:
        nt = self.notation if notation is None else notation
        if nt not in allowed:
            nt = "unicode" if notation is None else nt
        check_choice(nt, "notation", "Explanation", tuple(allowed))
        return nt

    def __str__(self) -> str:
        return self.to_text()

    def __repr__(self) -> str:
        return self.to_text()

    def to_markdown(
        self,
        parts: Sequence[str] | str | None = None,
        level: int = 3,
        notation: str = "latex",
        max_rows: int | None = MAX_ROWS,
    ) -> str:
        """The explanation as Markdown: headings and pipe tables (``level``: heading depth;
        ``parts`` and ``max_rows`` as in :meth:`to_text`). ``notation='latex'`` (default)
        writes each symbol as ``$...$`` LaTeX; ``'unicode'`` and ``'ascii'`` as in
        :meth:`to_text`."""
        nt = self._notation(notation, NOTATIONS)
        secs = _typeset_sections(self._parts(parts, max_rows), nt, MARKDOWN_MATH)
        if nt == "latex":
            return _latex_markdown(self._title(), secs, level, marked=True)
        return render_markdown(self._title(), secs, level)

    def to_html(
        self,
        parts: Sequence[str] | str | None = None,
        notation: str = "unicode",
        max_rows: int | None = MAX_ROWS,
    ) -> str:
        """The explanation as an HTML fragment (tables). ``notation='unicode'`` (default)
        reads everywhere; ``'latex'`` writes ``\\(...\\)`` for MathJax or KaTeX. ``parts``
        and ``max_rows`` as in :meth:`to_text`."""
        nt = self._notation(notation, NOTATIONS)
        secs = _typeset_sections(self._parts(parts, max_rows), nt, (r"\(", r"\)"))
        return render_html(self._title(), secs)

    def _repr_html_(self) -> str:
        """Jupyter: the tables with MathJax/KaTeX markup (Jupyter typesets it)."""
        return self.to_html(notation="latex")

    def _repr_markdown_(self) -> str:
        return self.to_markdown(notation="latex")


class Jacobians:
    """A vector activation's g'(Z) (softmax's d a_i / d z_k per row), shape (N, C, C), whose
    entries are made when they are read (``J[n]``, ``J[:, i, k]``, ``J[0, :, k]``;
    ``np.asarray(J)`` makes all): the same numbers as the table's ``grad(Z, A)``, in O(N C)
    memory until read (an explanation reads the few it shows). The built-in softmax's
    entries are a_i (delta_ik - a_k), as its grad computes each; another entry's rows are
    its grad of one row at a time."""

    ndim = 3

    def __init__(self, layer: Layer, Z: np.ndarray, A: np.ndarray) -> None:
        self._layer, self._Z, self._A = layer, Z, A
        self.shape = (*A.shape, A.shape[-1])
        self.dtype = A.dtype
        self._softmax = layer.activation.grad is F.softmax_jac

    def __getitem__(self, key: Any) -> Any:
        key = key if isinstance(key, tuple) else (key,)
        if len(key) > 3 or any(k is Ellipsis or k is None for k in key):
            return np.asarray(self)[key]
        n, i, k = (*key, slice(None), slice(None))[:3]
        C = self.shape[-1]
        rows, ins, outs = np.arange(self.shape[0])[n], np.arange(C)[i], np.arange(C)[k]
        r, a, b = (np.atleast_1d(v) for v in (rows, ins, outs))
        if self._softmax:  # (each entry's arithmetic as softmax_jac's: a_i * (delta - a_k))
            A = self._A[r]
            delta = (a[:, None] == b[None, :]).astype(self.dtype)
            J = A[:, a, None] * (delta - A[:, None, b])
        else:
            grad, Z, kw = self._layer.activation.grad, self._Z, self._layer.kw
            J = np.stack([grad(Z[m : m + 1], self._A[m : m + 1], **kw)[0][np.ix_(a, b)] for m in r])
        return J[tuple(0 if np.ndim(v) == 0 else slice(None) for v in (rows, ins, outs))]

    def __array__(self, dtype: Any = None, copy: Any = None) -> np.ndarray:
        whole = self._layer.activation.grad(self._Z, self._A, **self._layer.kw)
        return whole if dtype is None else whole.astype(dtype)

    def __len__(self) -> int:
        return self.shape[0]


class _Capped:
    """A table's rows (or a block's lines) up to ``limit`` (None: no limit), counting the
    ones past it without making them."""

    def __init__(self, limit: int | None) -> None:
        self.limit = limit
        self.items: list[Any] = []
        self.total = 0

    def room(self) -> bool:
        return self.limit is None or len(self.items) < self.limit

    def add(self, item: Any) -> None:
        self.items.append(item)
        self.total += 1

    def skip(self, n: int = 1) -> None:
        self.total += n

    def table(self, sec: Section, headers: list[str]) -> None:
        sec.table(headers, self.items)
        if self.total > len(self.items):
            setattr(sec.blocks[-1], "total", self.total)  # noqa: B010 (read by _cut)

    def pre(self, sec: Section) -> None:
        sec.pre("\n".join(self.items))
        if self.total > len(self.items):
            setattr(sec.blocks[-1], "total", self.total)  # noqa: B010


def _cut(sec: Section, max_rows: int) -> Section:
    """``sec`` with each table cut to its first ``max_rows`` rows and each preformatted
    block to its first ``4 * max_rows`` lines, a line saying how many are left out (a wide
    network's tables ran to thousands of rows)."""
    out = Section(sec.title, key=sec.key)
    for blk in sec.blocks:
        if blk.kind == "table" and len(blk.headers) > MAX_COLUMNS:
            # a batch's forward table has a column per neuron: the first ones and the last
            # (the loss), "..." between
            keep = MAX_COLUMNS - 2
            more = len(blk.headers) - keep - 1
            out.table(
                blk.headers[:keep] + ["..."] + blk.headers[-1:],
                [r[:keep] + ["..."] + r[-1:] for r in blk.rows],
            )
            out.p(f"... {more} more columns of this table (max_rows=None shows every column).")
            continue
        total = getattr(blk, "total", len(blk.rows))  # (rows counted, not formatted)
        if blk.kind == "table" and total > max_rows:
            more = total - max_rows
            out.table(blk.headers, blk.rows[:max_rows])
            out.p(f"... {more} more rows of this table (max_rows=None shows every row).")
        elif blk.kind == "pre" and getattr(blk, "total", blk.text.count("\n") + 1) > 4 * max_rows:
            lines = blk.text.split("\n")
            more = getattr(blk, "total", len(lines)) - 4 * max_rows
            out.pre("\n".join(lines[: 4 * max_rows] + [f"... {more} more lines (max_rows=None)"]))
        else:
            out.blocks.append(blk)
    return out


def _extend(
    paths: Iterator[list[tuple[str, float]]], tail: list[tuple[str, float]]
) -> Iterator[list[tuple[str, float]]]:
    """Append the factors ``tail`` to every path (a function, so ``tail`` binds now)."""
    for p in paths:
        yield p + tail


def _jacobian_label(
    entry: F.Activation,
    replaced: bool,
    a: list[str],
    z: list[str],
    i: int,
    k: int,
    sep: str,
    act: str = "softmax",
) -> str:
    """A softmax edge's label: its Jacobian's entry ``a_i (delta_ik - a_k)``; for a
    replaced ``entry`` its own ``derivative`` text, or none (see :func:`_gprime_label`);
    for another vector entry ``act`` added to the table, its ``derivative`` text."""
    if act != "softmax" and not replaced:  # (an added vector entry: its own text)
        text = f": {entry.derivative}" if entry.derivative else ""
        return f"d{a[i]}/d{z[k]} of {act!r}{text}"
    if not replaced:
        return f"{a[i]} (delta_{i + 1}{sep}{k + 1} - {a[k]})"
    text = _own_text(entry.derivative, _BUILTIN_TEXTS[0]["softmax"])
    at = f"d{a[i]}/d{z[k]}"
    return f"{at} of the table's replaced entry 'softmax'" if text is None else f"{at}: {text}"


def _gprime_label(
    act: str, entry: F.Activation, replaced: bool, a: str, z: str, alpha: float
) -> str:
    """The activation edge's label, ``g'(z1) = 1 - a1^2``: the lecture's formula of a
    built-in entry, an added entry's ``derivative`` with the node's names, and for a
    replaced ``entry`` its own ``derivative`` text, or none where that text is still the
    built-in's (whose formula would contradict the numbers beside it)."""
    if replaced:
        text = _own_text(entry.derivative, _BUILTIN_TEXTS[0][act], a=a, z=z)
        if text is None:
            return f"g'({z}) of the table's replaced entry {act!r}"
        return f"g'({z}) = {text}"
    formula = {
        "sigmoid": f"{a} (1 - {a})",
        "tanh": f"1 - {a}^2",
        "relu": f"1 if {z} > 0 else 0",
        "leaky_relu": f"1 if {z} > 0 else {alpha:g}",
        "identity": "1",
    }.get(act)
    return f"g'({z}) = " + (_with_names(entry.derivative, a, z) if formula is None else formula)


# =====================================================================================
# The public function
# =====================================================================================
def _numbers(value: Any, name: str) -> np.ndarray:
    """``value`` (numbers, an array or a Tensor) as a float64 array, or a TypeError naming
    ``name``: text is refused, numbers written as text too (as glassnet's every check of
    arrays refuses them), and so are None and lists of uneven rows."""
    value = unmasked(detached(value), name, "explain")  # (a torch tensor's values too)
    text = False
    try:
        arr = np.asarray(value)
        objects = arr.ravel().tolist() if arr.dtype.kind == "O" else []  # (None; text in numbers)
        text = arr.dtype.kind in "US" or any(isinstance(v, (str, bytes)) for v in objects)
        if text or arr.dtype.kind not in "biufO" or any(v is None for v in objects):
            raise TypeError(arr.dtype)  # (dates were read as days since 1970)
        return arr.astype(np.float64)
    except (TypeError, ValueError, OverflowError) as err:
        hint = ""
        if text:
            try:  # numbers written as text, or words ("cat", for which float() is no fix)
                np.asarray(value, dtype=np.float64)
                numeric = True
            except (TypeError, ValueError):
                numeric = False
            if numeric:
                hint = f" (text is not read: convert it, e.g. np.asarray({name}, dtype=float))"
            elif name == "y":
                hint = (
                    " (class names are not read: encode them as the class labels 0, 1, ... "
                    "the model was trained on, e.g. glassnet.preprocessing.LabelEncoder)"
                )
            else:
                hint = (
                    " (text is not read: encode it as numbers first, e.g. "
                    "glassnet.preprocessing.OneHotEncoder for categories)"
                )
        elif isinstance(err, OverflowError):  # (10**400 was "int too large to convert")
            hint = " within float64's range (about 1.8e308)"
        raise TypeError(f"explain: {name} must be real numbers{hint}. Got {value!r:.60}.") from err


def _as_inputs(x: Any, d: int) -> tuple[np.ndarray, bool]:
    X = _numbers(x, "x")
    single = X.ndim <= 1
    if X.ndim == 0:
        X = X.reshape(1, 1)
    elif X.ndim == 1:
        X = X.reshape(1, -1)
    if X.ndim != 2 or X.shape[1] != d:
        raise ValueError(
            f"explain: x must be one data point of shape ({d},) or a batch of shape (N, {d}) "
            f"for this model's {d} inputs. Got shape {np.shape(x)}."
        )
    if X.shape[0] == 0 or X.shape[0] > MAX_SAMPLES:
        raise ValueError(
            f"explain shows every number of every data point: pass 1 to {MAX_SAMPLES} rows. "
            f"Got {X.shape[0]}; take a few rows, e.g. x[:4], y[:4]."
        )
    if not np.all(np.isfinite(X)):
        raise ValueError("explain: x contains NaN or inf; pass finite inputs.")
    return X, single


def _as_targets(y: Any, N: int, K: int, kind: str, head: str = "") -> np.ndarray:
    Y = _numbers(y, "y")
    if not np.all(np.isfinite(Y)):
        raise ValueError("explain: y contains NaN or inf; pass finite targets.")
    labels = None
    if kind == "cross_entropy" and (Y.size == N and (Y.ndim <= 1 or Y.shape[-1] != K)):
        labels = Y.reshape(N)  # class labels 0..K-1 (fit's, for one output too: 0 only)
    if labels is not None:
        if not np.all(labels == np.round(labels)) or labels.min() < 0 or labels.max() >= K:
            raise ValueError(
                f"explain: cross_entropy targets must be class labels 0..{K - 1} or one-hot "
                f"rows of length {K}. Got {y!r:.60}."
            )
        return F.one_hot(labels.astype(np.int64), K, dtype=np.float64)
    looks_like_labels = (
        kind != "cross_entropy"
        and K > 1
        and Y.size == N
        and (Y.ndim <= 1 or Y.shape[-1] == 1)
        and np.all(Y == np.round(Y))
        and Y.min() >= 0
        and Y.max() < K
    )
    if looks_like_labels:  # (fit says the same of the same mistake)
        onehot = f"pass one-hot rows (y of shape ({N}, {K})) to loss={kind!r}"
        fix = (
            f"explain them with loss='cross_entropy' (the loss of "
            f"{'an' if head == 'identity' else 'a'} {head} output trained on class labels), "
            f"or {onehot}"
            if head in ("softmax", "identity")
            else onehot
        )
        raise ValueError(
            f"explain: y holds 1 value per data point ({N} data point(s): "
            f"{_join_list([f'{v:g}' for v in Y.reshape(-1)[:6]])}), but the model has {K} "
            f"outputs; these look like class labels 0..{K - 1}: {fix}."
        )
    if Y.size != N * K or Y.ndim > 2 or (Y.ndim == 2 and Y.shape != (N, K)):
        # ((1, N) for N data points of one output was read as N rows, in silence)
        raise ValueError(
            f"explain: y must hold {K} target value(s) per data point ({N} data point(s), "
            f"{K} output(s)), i.e. shape ({N}, {K}) or ({N * K},). Got shape {Y.shape}."
        )
    Y = Y.reshape(N, K)
    if kind.startswith("binary_cross_entropy") and (Y.min() < 0 or Y.max() > 1):
        raise ValueError(
            f"explain: loss={kind!r} needs targets in [0, 1] (class labels 0 and 1). Got "
            f"values from {Y.min():.4g} to {Y.max():.4g}; encode the two classes as 0/1 "
            "(glassnet.preprocessing.LabelEncoder) or use cross_entropy for more classes."
        )
    sums = Y.sum(axis=1)
    if kind == "cross_entropy" and not (np.all(Y >= 0) and np.allclose(sums, 1.0)):
        # (dL/dz = y_hat - y, as explain writes it, holds for targets that sum to 1)
        raise ValueError(
            f"explain: cross_entropy targets must be class labels 0..{K - 1}, or rows of {K} "
            f"probabilities (one-hot, or non-negative and summing to 1). Got rows summing to "
            f"{np.round(sums, 6).tolist()}."
        )
    return Y


def _as_weights(w: Any, N: int) -> np.ndarray:
    """sample_weight as (N,) float64: one finite value >= 0 per data point (a number for
    one data point), as fit takes it."""
    s = _numbers(w, "sample_weight")
    if s.ndim > 1 or s.size != N:
        raise ValueError(
            f"explain: sample_weight must hold one weight per data point of x: {N} value(s), "
            f"shape ({N},). Got shape {s.shape}."
        )
    if not np.all(np.isfinite(s)) or np.any(s < 0):
        raise ValueError(
            f"explain: sample_weight must hold finite values >= 0 (as fit's sample_weight). "
            f"Got {_join_list([f'{v:g}' for v in s.reshape(-1)])}; give each data point a "
            "weight >= 0 (0 leaves it out)."
        )
    return s.reshape(N)


def explain(
    model: Module,
    x: Any,
    y: Any,
    loss: str = "half_mse",
    *,
    lr: float = 0.1,
    sample_weight: Any = None,
    l2: float | None = 0.0,
    names: str = "auto",
    paths: bool | Sequence[str] = False,
    decimals: int = 3,
    notation: str = "unicode",
    bias: str = "b",
    matrix: bool = False,
) -> Explanation:
    """Every number of one forward and backward pass, the lecture's way.

    Parameters
    ----------
    model : Module
        A ``Sequential``, ``MLP`` or ``Neuron`` of ``Linear`` layers and
        activations (sigmoid, tanh, relu, leaky_relu, identity; softmax on the output).
        It is not modified; its weights are read in float64. Dropout is skipped (the
        numbers are the eval-mode pass's), and the header says so. A weight or bias that
        requires no grad is kept by the step preview, as fit keeps it.
    x : array of shape (d,) for one data point, or (N, d) with N <= 32
    y : target(s): a number or shape (K,) per data point, i.e. (N,) or (N, K); for
        ``'cross_entropy'`` also class labels 0..K-1 of shape (N,).
    loss : str
        ``'half_mse'`` (default, the lecture's ``L = 1/2 (y_hat - y)^2``), ``'mse'``,
        ``'binary_cross_entropy'``, ``'binary_cross_entropy_with_logits'`` or
        ``'cross_entropy'``.
    lr : float
        Learning rate of the previewed gradient-descent step ``w - lr * dL/dw``.
    sample_weight : array of shape (N,), optional
        Each data point's weight s >= 0, as ``fit(..., sample_weight=)`` weights the
        loss: L = mean of s * (the data point's loss), so every gradient is s times the
        unweighted one (a weight 0 leaves the data point out of the gradients).
    l2 : float >= 0
        The L2 penalty of ``fit(..., l2=)``: L gains ``l2 / (2 N) * sum w^2`` over every
        weight (no bias), each weight's gradient ``l2 / N * w``, N the rows of x (fit's
        batch). The gradients shown are then those fit's step uses on this batch.
    names : ``'auto'``, ``'lecture'`` or ``'layered'``
        How neurons and weights are named (see the module docstring).
    paths : bool or list of names
        Add each gradient as its chain-rule sum of paths (all inputs and weights, or
        the names listed) to the rendered output. :meth:`Explanation.paths` gives any
        one on request.
    decimals : int
        Decimals shown (values below 0.5e-decimals switch to scientific notation).
    notation : ``'unicode'`` (default) or ``'ascii'``
        How ``str()`` writes the symbols: the slides' ŷ, ∂L/∂z₁, g′(z₁) (and w⁽¹⁾₁₂,
        glassnet's rendering of the lecture's W^{[1]}), or the plain y_hat, dL/dz1.
        Markdown and HTML take their own (LaTeX by default in Markdown and in notebooks);
        see :data:`NOTATIONS`.
    bias : ``'b'`` (default) or ``'w0'``
        ``'w0'`` writes every bias as the weight w0 of a constant input x0 = 1, as the
        slides do for one neuron, in multi-layer networks too: ``w0,3`` for neuron z3's
        (lecture names), ``w[1]_02`` for neuron 2 of layer 1 (layered names).
    matrix : bool
        Add the forward pass in matrix form with column vectors, the slides' ŷ = g(Wᵀx):
        each layer's Wᵀ, its input column (starting with x0 = 1 under ``bias='w0'``) and z.

    Returns
    -------
    Explanation
        ``str()`` gives a terminal table, ``.to_markdown()`` and ``.to_html()`` the
        same in Markdown and HTML; the numbers are attributes (``Z``, ``A``,
        ``dL_dZ``, ``grad_W``, ...).

    >>> import glassnet as gn
    >>> from glassnet.explain import explain
    >>> net = gn.nn.MLP([2, 2, 1], activation="sigmoid", output_activation="sigmoid")
    >>> net.layers[0].W.data[:] = [[4, -4], [4, -4]]; net.layers[0].b.data[:] = [-6, 2]
    >>> e = explain(net, [[0, 0], [0, 1], [1, 0], [1, 1]], [1, 0, 0, 1])
    >>> print(e.A[0].round(3))                      # the slides' XNOR table: a1, a2
    [[0.002 0.881]
     [0.119 0.119]
     [0.119 0.119]
     [0.881 0.002]]
    """
    if not isinstance(model, Module):  # (an estimator, a micrograd network: what to do)
        raise TypeError(not_a_network(model, "explain", "explain(est.model_, x, y, ...)"))
    check_names(model, x, "explain", "x")  # (a DataFrame of the fitted columns, in order)
    model = host_model(model) if isinstance(model, Module) else model  # (GPU: a host copy)
    title = type(model).__name__
    skipped = dropout_note(model)
    model = as_chain(model, x)  # (a Module of the user's own: its chain of layers)
    layers = layers_of(model)
    uses = [l for l, lay in enumerate(layers) if any(lay.linear is o.linear for o in layers[:l])]
    if uses:
        first = next(k for k, o in enumerate(layers) if o.linear is layers[uses[0]].linear)
        raise TypeError(
            f"explain: layers {first + 1} and {uses[0] + 1} of the model are one Linear layer "
            "used twice (shared weights). explain names and steps each weight once per "
            "layer, so a shared weight's gradient would be one use's share, not the sum "
            "autodiff gives. Give each use its own Linear layer (copy the weights) to see "
            "the numbers."
        )
    known = sorted(n for n in set(F.LOSSES) | set(F.LOSS_ALIASES) if F.get_loss(n).name in _KINDS)
    kind = loss_kind(loss)  # (the table's name, any case or alias)
    if kind not in _KINDS:
        raise ValueError(f"The 'loss' parameter of explain must be one of {known}. Got {loss!r}.")
    check_followed(F.LOSSES[kind], "explain")  # (a replaced fn: fit's numbers, not the kernel's)
    # (NumPy numbers too: np.float32(0.1) was refused as "must be a float > 0")
    lr = check_number(lr, "lr", "explain", low=0, low_open=True)
    decimals = check_number(decimals, "decimals", "explain", low=0, high=12, integer=True)
    l2 = 0.0 if l2 is None else check_number(l2, "l2", "explain", low=0)  # (None: off, as fit)
    if kind == "cross_entropy" and layers[-1].act not in ("softmax", "identity"):
        raise ValueError(
            f"explain: loss='cross_entropy' needs a softmax output (probabilities) or an "
            f"identity output (logits); this model's output activation is {layers[-1].act}."
        )
    X, _ = _as_inputs(x, layers[0].inputs)
    Y = _as_targets(y, X.shape[0], layers[-1].neurons, kind, layers[-1].act)
    s = None if sample_weight is None else _as_weights(sample_weight, X.shape[0])
    nm = make_names(layers, names) if isinstance(names, str) else None
    if nm is None:
        raise ValueError(
            f"The 'names' parameter of explain must be 'auto', 'lecture' or 'layered'. "
            f"Got {names!r}."
        )
    if not isinstance(paths, bool):
        if isinstance(paths, str):
            paths = [paths]
        if not isinstance(paths, (list, tuple)) or not all(isinstance(p, str) for p in paths):
            raise ValueError(
                "The 'paths' parameter of explain must be True, False or a list of names "
                f"such as ['x1', 'w1']. Got {paths!r}."
            )
        lookup = nm.lookup()
        paths = [_spelled(p, lookup) for p in paths]  # (a printed symbol: its name)
        # (under bias='w0' the biases' names are w0's, checked below: paths=['w0,1'] was
        # refused here as unknown, so no bias's paths could be asked for by name)
        bad = [p for p in paths if p not in lookup] if bias != "w0" else []
        if bad:
            raise ValueError(
                f"The 'paths' parameter of explain names unknown quantities {bad}; use names "
                f"such as {', '.join(itertools.islice(lookup, 8))}."
            )
        paths = list(paths)
    check_choice(notation, "notation", "explain", ("unicode", "ascii"))
    check_choice(bias, "bias", "explain", ("b", "w0"))
    if not isinstance(matrix, bool):
        raise ValueError(f"The 'matrix' parameter of explain must be a bool. Got {matrix!r}.")
    if bias == "w0":
        nm = _bias_as_w0(nm)
        if not isinstance(paths, bool):
            lookup = nm.lookup()
            paths = [_spelled(p, lookup) for p in paths]
            bad = [p for p in paths if p not in lookup]
            if bad:
                raise ValueError(
                    f"The 'paths' parameter of explain names unknown quantities {bad}; use names "
                    f"such as {', '.join(itertools.islice(lookup, 8))}; with bias='w0' the "
                    f"biases are named {', '.join(n for b in nm.b for n in b or [])}."
                )
    e = Explanation(layers, X, Y, kind, lr, nm, decimals, paths, title, sample_weight=s, l2=l2)
    e.dropout = skipped
    e.notation = notation
    e.bias = bias
    e.matrix = matrix
    return e


def dropout_note(model: Any, short: bool = False) -> str:
    """A sentence on ``model``'s Dropout layers (p > 0), which explain's and draw_network's
    numbers leave out (they are those of the eval-mode pass); '' where it has none. A
    Sequential's dropout is placed after its layer; another Module's is named by its path.
    ``short``: a drawing's line.

    >>> import glassnet as gn
    >>> dropout_note(gn.nn.MLP([3, 4, 2], dropout=0.5).eval())[:52]
    'Dropout 0.5 after layer 1: off, as in eval mode, the'
    """
    if not isinstance(model, Module):
        return ""
    if isinstance(model, Linear) or not list(model.modules())[1:]:
        return ""
    drops, seen = [], 0
    chain = list(flatten(model))
    mods = chain if len(chain) > 1 else [m for _, m in model.named_modules()]
    paths = {id(m): p for p, m in model.named_modules()}
    for m in mods:
        seen += isinstance(m, Linear)
        if isinstance(m, Dropout) and m.p > 0:
            place = f"after layer {seen}" if len(chain) > 1 else f"({paths.get(id(m), '')})"
            drops.append((f"{m.p:g} {place}", m.training))
    if not drops:
        return ""
    which = _join_list([t for t, _ in drops])
    training = any(training for _, training in drops)
    if short:
        return f"Dropout {which}: not drawn, the eval-mode pass" + (
            " (the model is in training mode: its own output differs)." if training else "."
        )
    if training:
        return (
            f"Dropout {which} not applied: these are the numbers of the model in eval mode "
            "(model.eval()). It is in training mode now, where its own forward zeroes values "
            "at random (and scales the rest by 1/(1 - p)), so its output differs from y_hat "
            "here."
        )
    return (
        f"Dropout {which}: off, as in eval mode, the model's mode now: these are the numbers "
        "of its own forward."
    )


def _constant(nm: Names, l: int) -> str:
    """The constant input 1 of layer ``l``'s weighted sums, which w0 multiplies: x0, and for
    a hidden layer's a0, the layer's own (a[1]_0 in the layered scheme, as w[2]_01 reads)."""
    return "x0" if l == 0 else f"a[{l}]_0" if nm.scheme == "layered" else "a0"


def _bias_as_w0(nm: Names) -> Names:
    """The names with each bias as w0 (the weight of the constant input x0 = 1)."""
    b: list[list[str] | None] = []
    for l, names in enumerate(nm.b):
        if names is None:
            b.append(None)
        elif nm.scheme == "layered":
            sep = "," if len(names) >= 10 else ""
            b.append([f"w[{l + 1}]_0{sep}{k + 1}" for k in range(len(names))])
        elif names == ["w0"]:
            b.append(names)  # one neuron: the slides' w0 already
        else:
            b.append([f"w0,{z[1:]}" for z in nm.z[l]])
    return Names(nm.scheme, nm.x, nm.z, nm.a, nm.w, b, nm.y)


def _matrices(blocks: list[list[list[str]]], ops: list[str]) -> list[str]:
    """Matrices side by side in brackets, centred on one middle row where the operators
    stand (a text rendering of the slides' column vectors)."""
    height = max(len(m) for m in blocks)
    mid = (height - 1) // 2
    cols = []
    for m, op in zip(blocks, ops):
        widths = [max(len(r[j]) for r in m) for j in range(len(m[0]))]
        body = [f"[ {'  '.join(c.rjust(w) for c, w in zip(r, widths))} ]" for r in m]
        w = len(body[0])
        top = mid - (len(m) - 1) // 2
        rows = [" " * w] * top + body + [" " * w] * (height - top - len(m))
        pad = len(op) + 2 if op else 1
        cols.append(
            [r + (f" {op} " if (i == mid and op) else " " * pad) for i, r in enumerate(rows)]
        )
    return ["".join(c[i] for c in cols).rstrip() for i in range(height)]
