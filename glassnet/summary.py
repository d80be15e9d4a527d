"""A table of a model's layers: shapes, parameter counts and activations.

>>> import glassnet as gn
>>> from glassnet.summary import summary
>>> s = summary(gn.nn.MLP([2, 2, 1], activation="sigmoid", output_activation="sigmoid"))
>>> s.total_parameters
9
>>> print(s.to_text(notation="ascii"))
MLP 2-2-1: 9 parameters (float32, 36 bytes)
===========================================
#  layer computes                 activation  input   output  W       b     parameters
-  -----------------------------  ----------  ------  ------  ------  ----  ----------
1  A1 = sigmoid(X @ W1 + b1)      sigmoid     (N, 2)  (N, 2)  (2, 2)  (2,)  6
2  y_hat = sigmoid(A1 @ W2 + b2)  sigmoid     (N, 2)  (N, 1)  (2, 1)  (1,)  3
Total: 9 parameters, 9 trainable.
<BLANKLINE>
>>> [r for r in s.to_text(notation="unicode").splitlines() if r.startswith("2 ")]
['2  ŷ = sigmoid(A⁽¹⁾ W⁽²⁾ + b⁽²⁾)  sigmoid     (N, 2)  (N, 1)  (2, 1)  (1,)  3']

``str(s)`` uses the lecture's symbols (Unicode; plain names where the terminal cannot
show them), ``to_markdown()`` and Jupyter LaTeX (``$\\hat{y}$``), ``notation='ascii'``
the plain names, as :func:`glassnet.explain.explain` does.
"""

from __future__ import annotations

import contextlib
import contextvars
import re
import threading
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from . import functional as F
from ._validation import check_choice, not_a_network
from .explain import (
    MARKDOWN_MATH,
    NOTATIONS,
    latex_markdown,
    latex_symbol,
    terminal_shows_unicode,
    unicode_symbol,
)
from .fused import flatten
from .nn.layers import ActivationModule, Dropout, Identity, Linear
from .nn.module import Module, evaluating
from .nn.torch_layers import BatchNorm1d, LayerNorm
from .report import Section, render_html, render_markdown, render_text
from .tasks import WATCHES, builtin_forward, check_weights_set
from .tensor import Tensor, enable_grad, no_grad

__all__ = ["summary", "ModelSummary", "LayerRow"]


@dataclass
class LayerRow:
    """One row of the summary: a layer (a ``Linear`` with the activation after it, or
    another module) and what it computes."""

    index: int
    layer: str
    computes: str
    input_shape: str
    output_shape: str
    activation: str
    W_shape: str
    b_shape: str
    parameters: int
    # (output, activation, input, W, b) of a Linear row in plain names, for the notations
    terms: tuple[str, str, str, str, str | None] | None = field(default=None, repr=False)
    shared_with: int | None = None  # the row that first uses (and counts) a parameter of it
    # (name, row) of each of its parameters counted in an earlier row (tied weights, a
    # layer used again): a shared parameter is counted once, at its first use
    shared: tuple[tuple[str, int], ...] = field(default=(), repr=False)
    # the module's attribute path in the model (``a``, ``blocks.0.fc``): the rows of a
    # model traced on an example input (one that is not a chain of layers)
    name: str = ""


class ModelSummary:
    """The result of :func:`summary`: ``str()`` is a terminal table, :meth:`to_markdown`
    and :meth:`to_html` the same table in Markdown and HTML.

    Attributes
    ----------
    rows : list of LayerRow
    total_parameters, trainable_parameters : int
    dtype : str; nbytes : int (memory of the parameters)
    """

    def __init__(
        self,
        title: str,
        rows: list[LayerRow],
        total: int,
        trainable: int,
        dtype: str,
        nbytes: int,
        notation: str = "unicode",
        nonfinite: list[tuple[str, int, int]] | None = None,
    ) -> None:
        check_choice(notation, "notation", "summary", NOTATIONS)
        self.notation = notation
        # (name, values not finite, values) of each parameter holding NaN or inf
        self.nonfinite = list(nonfinite or [])
        self.title = title
        self.rows = rows
        self.total_parameters = total
        self.trainable_parameters = trainable
        self.dtype = dtype
        self.nbytes = nbytes

    def _sections(
        self, notation: str = "ascii", math: tuple[str, str] = ("$", "$")
    ) -> list[Section]:
        s = Section("")
        named = any(r.name for r in self.rows)  # (a traced model's layers: their names)
        s.table(
            ["#"]
            + (["layer"] if named else [])
            + ["layer computes", "activation", "input", "output", "W", "b", "parameters"],
            [
                [str(r.index)]
                + ([r.name or "-"] if named else [])
                + [
                    _formula(r.terms, notation, math) if r.terms else r.computes,
                    r.activation,
                    r.input_shape,
                    r.output_shape,
                    r.W_shape,
                    r.b_shape,
                    f"{r.parameters:,}" + _shared_mark(r, notation, math),
                ]
                for r in self.rows
            ],
        )
        s.p(
            f"Total: {self.total_parameters:,} parameters, {self.trainable_parameters:,} trainable."
        )
        uses: dict[str, list[int]] = {}  # a shared parameter's name -> the rows using it
        for r in self.rows:
            for n, first in r.shared:
                rows = uses.setdefault(n, [first])
                if r.index not in rows:
                    rows.append(r.index)
        if uses:  # (a learner adding the column up would count a tied weight twice)
            said = [
                f"{_param_name(n, notation, math)} (rows {', '.join(map(str, rows))})"
                for n, rows in list(uses.items())[:6]
            ]
            more = f" and {len(uses) - 6} more" if len(uses) > 6 else ""
            s.p(
                f"Shared: {', '.join(said)}{more}. A parameter used by several rows is counted "
                "once, in the first row that uses it, so the total is model.num_parameters()."
            )
        if any("?" in (r.input_shape, r.output_shape) for r in self.rows):
            s.p(  # (the ? alone said nothing of how to learn the shapes)
                "Shapes shown as ? are not known without running the model: pass an example "
                "input, summary(model, input_data=x), or input_shape=(batch, d) to list each "
                "layer it calls with the shapes it saw."
            )
        if self.nonfinite:  # (the table looked the same for a model whose weights are NaN)
            bad = ", ".join(f"{n} ({k:,} of {size:,})" for n, k, size in self.nonfinite[:6])
            more = f" and {len(self.nonfinite) - 6} more" if len(self.nonfinite) > 6 else ""
            s.p(
                f"Not finite: {bad}{more} hold NaN or infinite values, so the model's outputs "
                "are not numbers; it diverged in training (a smaller learning rate) or was "
                "loaded from a damaged file."
            )
        return [s]

    def _notation(self, notation: str | None, allowed: tuple[str, ...]) -> str:
        nt = notation
        if nt is None:  # the summary's own notation, where this format can show it
            nt = self.notation if self.notation in allowed else allowed[0]
        check_choice(nt, "notation", "ModelSummary", allowed)
        return nt

    def to_text(self, notation: str | None = None) -> str:
        """The terminal table (``str(s)``). ``notation``: ``'unicode'`` (A⁽¹⁾, W⁽¹⁾, ŷ) or
        ``'ascii'`` (A1, W1, y_hat); by default the one given to summary, plain names
        where the terminal cannot encode the symbols."""
        nt = self._notation(notation, ("unicode", "ascii"))
        if notation is None and nt == "unicode" and not terminal_shows_unicode():
            nt = "ascii"  # e.g. a Windows console in cp1252: print() would fail
        return render_text(self.title, self._sections(nt))

    def __str__(self) -> str:
        return self.to_text()

    def __repr__(self) -> str:
        return self.to_text()

    def to_markdown(self, level: int = 3, notation: str = "latex") -> str:
        """The summary as a Markdown heading and pipe table. ``notation='latex'``
        (default) writes each formula as ``$...$`` for MathJax/KaTeX (GitHub, Jupyter);
        ``'unicode'`` and ``'ascii'`` as in :meth:`to_text`."""
        nt = self._notation(notation, NOTATIONS)
        if nt == "latex":  # (its formulas marked: a $ in a name is escaped)
            return latex_markdown(self.title, self._sections(nt, MARKDOWN_MATH), level, marked=True)
        return render_markdown(self.title, self._sections(nt), level)

    def to_html(self, notation: str = "unicode") -> str:
        """The summary as an HTML fragment; ``notation='latex'`` writes ``\\(...\\)``
        for MathJax or KaTeX."""
        nt = self._notation(notation, NOTATIONS)
        return render_html(self.title, self._sections(nt, (r"\(", r"\)")), cls="glassnet-explain")

    def _repr_html_(self) -> str:
        """Jupyter: the table with MathJax/KaTeX markup (Jupyter typesets it)."""
        return self.to_html(notation="latex")

    def _repr_markdown_(self) -> str:
        return self.to_markdown(notation="latex")


def _param_name(name: str, notation: str, math: tuple[str, str] = ("$", "$")) -> str:
    """A parameter's name in the notes: a layer's W1, b1 in ``notation`` (LaTeX between
    the ``math`` delimiters); a dotted name (``enc.W``) as it is."""
    if notation == "ascii" or not re.fullmatch(r"[AWbH]\d+", name):
        return name
    sym = _symbol(name, notation)
    return sym if notation != "latex" else math[0] + sym + math[1]


def _shared_mark(r: LayerRow, notation: str, math: tuple[str, str] = ("$", "$")) -> str:
    """`` (shared with row 1)`` after a row's count when all its parameters are counted in
    row 1, `` (W1 shared with row 1)`` when some are: nothing when none is shared."""
    if not r.shared:
        return ""
    firsts = sorted({k for _, k in r.shared})
    if r.parameters == 0 and len(firsts) == 1:
        return f" (shared with row {firsts[0]})"
    parts = [
        ", ".join(_param_name(n, notation, math) for n, k in r.shared if k == first)
        + f" shared with row {first}"
        for first in firsts
    ]
    return " (" + "; ".join(parts) + ")"


class _Counted:
    """Which row counts each parameter: a parameter (tied weights, a layer used again) is
    counted once, in the first row that uses it, as model.num_parameters() counts it."""

    def __init__(self) -> None:
        self.first: dict[int, tuple[int, Any]] = {}  # id(parameter) -> (row, parameter)

    def count(self, row: int, params: list[Any]) -> tuple[int, list[tuple[Any, int]]]:
        """The number of values of ``params`` no earlier row counts (now counted in
        ``row``), and (parameter, its first row) of the others."""
        new, shared = 0, []
        for q in params:
            seen = self.first.get(id(q))
            if seen is None:
                self.first[id(q)] = (row, q)
                new += int(q.data.size)
            elif seen[0] != row and all(q is not p for p, _ in shared):
                shared.append((q, seen[0]))
        return new, shared


def _named(row: LayerRow, n: int, shared: list[tuple[Any, int]], names: dict[int, str]) -> LayerRow:
    """``row`` with its count ``n`` of parameters first counted here, and its shared ones
    named (``names``: id(parameter) -> its name in the table)."""
    row.parameters = n
    row.shared = tuple((names.get(id(q), q.label or "?"), k) for q, k in shared)
    row.shared_with = min((k for _, k in shared), default=None)
    return row


def _symbol(name: str, notation: str) -> str:
    """A plain name in ``notation``: a layer's matrix A1, W1, b1 as A⁽¹⁾, W⁽¹⁾, b⁽¹⁾ (the
    slides' layer superscript), y_hat as ŷ, a neuron's w0 as w₀."""
    if notation == "ascii" or name == "X":
        return name
    if " " in name:  # plain words, as they are
        return name if notation == "unicode" else r"\text{" + name + "}"
    m = re.fullmatch(r"([AWbH])(\d+)", name)
    token = f"{m.group(1)}[{m.group(2)}]_" if m else name  # 'W[1]_': layer 1, no unit index
    return unicode_symbol(token) if notation == "unicode" else latex_symbol(token)


def _formula(
    terms: tuple[str, str, str, str, str | None], notation: str, math: tuple[str, str] = ("$", "$")
) -> str:
    """``A1 = g(X @ W1 + b1)`` in ``notation`` (terms: output, activation, input, W, b);
    LaTeX goes between the ``math`` delimiters."""
    out, _, inp, W, b = (_symbol(t, notation) if t else t for t in terms)
    # the activations applied in order ("relu, sigmoid": sigmoid(relu(...)))
    acts = [a for a in terms[1].split(", ") if a != "identity"]
    inner = inp if not W else f"{inp} @ {W}" if notation == "ascii" else f"{inp} {W}"
    inner += f" + {b}" if b else ""
    for act in acts:
        g = act if notation != "latex" else r"\operatorname{" + act.replace("_", r"\_") + "}"
        inner = f"{g}({inner})"
    body = f"{out} = {inner}"
    return body if notation != "latex" else math[0] + body + math[1]


def _shape(n: Any, d: int | None) -> str:
    return "?" if d is None else f"({n}, {d})"


def _parse_input_shape(input_shape: Any, d: int | None) -> tuple[str, int | None]:
    """``None``, ``d``, ``(d,)`` or ``(N, d)`` -> (batch symbol, width)."""
    if input_shape is None:
        return "N", d
    shp = (input_shape,) if isinstance(input_shape, (int, np.integer)) else input_shape
    ok = (
        isinstance(shp, (tuple, list))
        and len(shp) in (1, 2)
        and all(
            (v is None or (isinstance(v, (int, np.integer)) and not isinstance(v, bool) and v >= 1))
            for v in shp
        )
        and shp[-1] is not None
    )
    if not ok:
        more = (
            "; for inputs of more axes (images before a Flatten), give an example input as "
            "input_data instead"
            if isinstance(shp, (tuple, list)) and len(shp) > 2
            else ""
        )
        raise ValueError(
            "The 'input_shape' parameter of summary must be the number of features d, (d,) "
            f"or (batch, d) with positive ints (batch may be None). Got {input_shape!r}{more}."
        )
    width = int(shp[-1])
    if d is not None and width != d:
        raise ValueError(
            f"summary: input_shape {tuple(shp)} gives {width} features per sample but the "
            f"model's first layer expects {d}."
        )
    batch = "N" if len(shp) == 1 or shp[0] is None else str(int(shp[0]))
    return batch, width


class NotPutBack(RuntimeError):
    """summary could not put a part of the model back as it found it (raised after every
    other part is put back)."""


class _SummaryRun:
    """The run summary makes of ``model`` to learn its shapes, in ``mode`` (torchinfo's
    names): ``'eval'`` runs every module in evaluation mode in this thread alone (no flag
    written: another thread's calls run in their own mode), ``'train'`` sets every module to
    training mode, ``'same'`` leaves each module's as it is. On exit, whatever happened, each
    module's mode and attributes (any a forward sets again) are put back, one at a time (a
    module's attributes are never emptied: another thread may be walking them). In
    evaluation mode nothing draws and no running statistic moves. Where a module runs in
    training mode, a BatchNorm updates its running statistics in place: the buffers whose
    values the run changed are written back (a read-only one, a constant, cannot change in
    place and is left as it is). Generators are not rewound: dropout in training mode draws
    from them as a training step would (rewinding a shared one would hand another thread's
    draws out again)."""

    def __init__(self, model: Module, mode: str) -> None:
        self.model = model
        self.mode = mode
        self.evaluating = evaluating() if mode == "eval" else contextlib.nullcontext()

    def __enter__(self) -> _SummaryRun:
        mods = list(self.model.modules())
        self.attrs = [(m, dict(vars(m))) for m in mods]  # (their modes, ``training``, too)
        self.buffers: list[tuple[Any, Any]] = []
        self.evaluating.__enter__()
        if self.mode == "train":
            for m in mods:
                m.training = True
        if any(m.training for m in mods):  # (in evaluation mode no statistic moves)
            for value in self.model.buffers():
                writable = getattr(getattr(value, "flags", None), "writeable", True)
                if hasattr(value, "__setitem__") and hasattr(value, "copy") and writable:
                    self.buffers.append((value, value.copy()))
        return self

    def __exit__(self, *exc: Any) -> None:
        # each part given back whatever another part does: never a model half restored
        self.evaluating.__exit__(*exc)
        failed: list[str] = []
        for m, attrs in self.attrs:
            try:
                now = vars(m)
                for key in [k for k in now if k not in attrs]:  # (one at a time, never
                    del now[key]  # an empty module another thread could see)
                for key, value in attrs.items():
                    if key not in now or now[key] is not value:
                        now[key] = value
            except Exception as e:  # (a module whose attributes cannot be set)
                failed.append(f"{type(m).__name__} ({type(e).__name__}: {e})")
        for array, values in self.buffers:
            try:
                if not bool((array == values).all()):  # only what the run changed
                    array[...] = values
            except Exception as e:
                failed.append(f"a buffer of shape {tuple(values.shape)} ({type(e).__name__}: {e})")
        if failed and exc[0] is None:
            raise NotPutBack(
                "summary: the model could not be put back as it was found after the run: "
                + "; ".join(failed)
            )


_TRACING = threading.RLock()  # (one thread traces at a time; a summary within a traced forward too)
_TRACER: contextvars.ContextVar[object] = contextvars.ContextVar("glassnet_tracer", default=None)


def _traced_rows(model: Module, example: Any, batch: str, mode: str = "eval") -> list[LayerRow]:
    """One row per innermost module ``model`` calls on ``example``, in call order, with the
    shapes seen (as torchinfo does): for models that are not a chain of layers. Each of
    those modules' ``forward`` is wrapped on the instance for the run (so a direct
    ``layer.forward(x)`` call is seen too) and the wrapper records this run's calls only:
    another thread's predict meanwhile, or a summary within this one, passes straight
    through and is no row; the instance is left as it was found (see _SummaryRun)."""
    leaves = [m for m in model.modules() if m is not model and len(list(m.modules())) == 1]
    seen: list[tuple[Module, tuple[int, ...], tuple[int, ...]]] = []
    outputs: list[Any] = []  # each call's output, to find an activation applied as a function
    inputs: list[Any] = []  # each call's input, to name it in the formula
    me, token = threading.get_ident(), object()

    def traced(m: Module) -> Any:
        forward = m.forward

        def run(*args: Any, **kwargs: Any) -> Any:
            out = forward(*args, **kwargs)
            if _TRACER.get() is token and threading.get_ident() == me:
                seen.append((m, tuple(np.shape(args[0])) if args else (), tuple(np.shape(out))))
                outputs.append(out)
                inputs.append(args[0] if args else None)
            return out

        setattr(run, WATCHES, forward)  # (glassnet's wrapper: builtin_forward looks through it)
        return run

    def run(grad: Any) -> Any:
        with _SummaryRun(model, mode), grad():
            for m in leaves:
                m.forward = traced(m)  # type: ignore[method-assign]
            mine = _TRACER.set(token)
            try:
                return model(example)
            finally:
                _TRACER.reset(mine)

    final = None
    # the model is run in ``mode`` and left as it was found (see _SummaryRun)
    try:
        with _TRACING:
            try:  # recorded (the parameters require grad): the graph shows F.relu(z) after a layer
                final = run(enable_grad)
            except NotPutBack:
                raise
            except Exception:  # (a forward that cannot run recorded, one writing in place: as
                seen.clear()  # it ran before, without the graph; its activations show '-')
                outputs.clear()
                inputs.clear()
                run(no_grad)
    except NotPutBack:
        raise
    except Exception as e:
        hint = (  # (a BatchNorm in training mode refuses one row)
            f", or summary(..., mode='eval') (it ran with mode={mode!r})" if mode != "eval" else ""
        )
        raise ValueError(
            f"summary: running {type(model).__name__} on the example input of shape "
            f"{np.shape(example)} failed ({type(e).__name__}: {e}); give an input it "
            f"accepts{hint}."
        ) from None

    def shape(t: tuple[int, ...]) -> str:
        if len(t) < 2:  # no batch axis (one sample, or a scalar): the shape as it is
            return str(t)
        return "(" + ", ".join([batch, *map(str, t[1:])]) + ")"

    after = _activations_after(final, outputs, inputs)  # each call's functions after it
    names = {id(q): n for n, q in model.named_parameters()}  # (a shared one: its first name)
    counted = _Counted()
    rows: list[LayerRow] = []
    first_row: dict[int, int] = {}  # id(module) -> the row of its first call
    paths = _module_paths(model)
    made: dict[int, str] = {}  # id(a call's output) -> its name in the formulas (A1)
    j = 0
    symbols = layer_names((m.W, m.b) for m, _, _ in seen if isinstance(m, Linear))
    for (m, x_shape, out_shape), out, inp, fns in zip(seen, outputs, inputs, after):
        own = builtin_forward(m)  # (a subclass with a forward of yours: no
        linear = isinstance(m, Linear) and own  # formula of its class's; shown as it is)
        first_row.setdefault(id(m), len(rows) + 1)
        terms = None
        if linear:  # the lecture's formula: A2 = g(A1 W2 + b2), its input named where known
            j += 1
            W = symbols.get(id(m.W), m.W.label)
            b = None if m.b is None else symbols.get(id(m.b), m.b.label)
            last = _ends_the_model(out, final, fns)
            terms = ("y_hat" if last else f"A{j}", fns or "identity", "", W, b)
            terms = terms[:2] + (_input_name(inp, example, made),) + terms[3:]
            made[id(out)] = terms[0]
        elif isinstance(m, ActivationModule) and own:  # H2 = relu(A1): its output named
            terms = (f"H{len(rows) + 1}", m.name, _input_name(inp, example, made), "", None)
            made[id(out)] = terms[0]
        path = paths.get(id(m))
        row = LayerRow(
            index=len(rows) + 1,
            layer=_one_line(m),
            name=path or "",
            computes=_formula(terms, "ascii") if terms else m.__class__.__name__,
            input_shape=shape(x_shape),
            output_shape=shape(out_shape),
            activation=getattr(m, "name", "-")
            if isinstance(m, ActivationModule) and own
            else fns or "-",
            W_shape=str(tuple(m.W.shape)) if linear else "-",
            b_shape=str(tuple(m.b.shape)) if linear and m.b is not None else "-",
            parameters=0,
            terms=terms,
        )
        # a module called again, or one holding another's parameter (tied weights): each
        # parameter is counted at its first use
        rows.append(_named(row, *counted.count(row.index, m.parameters()), names))
    # parameters no call above counts (their sum fell short of the total, in silence): a
    # layer the forward did not call, and the model's own (x @ self.w in its forward)
    for m in leaves:
        if id(m) not in first_row and m.parameters():
            row = _param_row(len(rows) + 1, _one_line(m), type(m).__name__, [])
            rows.append(_named(row, *counted.count(row.index, m.parameters()), names))
            rows[-1].computes += " (not called on the example input)"
            rows[-1].name = paths.get(id(m), "")
            if isinstance(m, Linear):
                rows[-1].W_shape = str(tuple(m.W.shape))
                rows[-1].b_shape = str(tuple(m.b.shape)) if m.b is not None else "-"
    in_leaves = {id(q) for m in leaves for q in m.parameters()}
    own = [(n, q) for n, q in model.named_parameters() if id(q) not in in_leaves]
    if own:
        names_own = ", ".join(n for n, _ in own[:4]) + (", ..." if len(own) > 4 else "")
        row = _param_row(
            len(rows) + 1,
            type(model).__name__,
            f"{type(model).__name__}.forward with its own parameters {names_own}",
            [q for _, q in own],
        )
        counted.count(row.index, [q for _, q in own])
        row.input_shape = shape(tuple(np.shape(example)))
        if isinstance(final, Tensor):
            row.output_shape = shape(tuple(final.shape))
        rows.append(row)
    return rows


def _module_paths(model: Module) -> dict[int, str]:
    """id(sub-module) -> its attribute path in ``model`` (``a``, ``blocks.0.fc``; the
    first path of a module held twice), as named_parameters names its parameters."""
    return {id(m): name for name, m in model.named_modules() if name}


def _ends_the_model(out: Any, final: Any, fns: str | None) -> bool:
    """Whether a layer's output ``out`` is the model's output ``final``, as it is or through
    the activation functions its row lists (``fns``, all of those between them)."""
    if out is final:
        return True
    cur, between = final, []
    while isinstance(cur, Tensor) and cur.op in F.ACTIVATIONS and len(cur.parents) == 1:
        between.append(cur.op)
        cur = cur.parents[0]
        if cur is out:
            return fns == ", ".join(reversed(between))
    return False


def _input_name(inp: Any, example: Any, made: dict[int, str]) -> str:
    """The name of a layer's input in the formulas: X for the model's input, A1 for an
    earlier layer's output (through the activation functions applied to it), or, where
    the trace cannot tell, plain words."""
    if inp is example or (isinstance(inp, Tensor) and inp.data is example):
        return "X"
    cur = inp
    while isinstance(cur, Tensor):
        if id(cur) in made:
            return made[id(cur)]
        if cur.op not in F.ACTIVATIONS or len(cur.parents) != 1:
            break
        cur = cur.parents[0]
    if not isinstance(example, (np.ndarray, Tensor)) and not getattr(inp, "parents", ()):
        # an example the model's call converted (a list): the same numbers are X
        try:
            given = np.asarray(example, dtype=np.float64)
            seen = np.asarray(getattr(inp, "data", inp), dtype=np.float64)
        except (TypeError, ValueError):
            return "(its input)"
        if seen.shape == given.shape and np.array_equal(seen, given):
            return "X"
    return "(its input)"


def _one_line(m: Module) -> str:
    """A module's repr for one table cell: a container's repr runs over several lines (its
    children's), which broke the Markdown table (a row ends at a line's end) and the HTML
    one's layout: its lines joined, or its class name where they run past 100 characters."""
    text = repr(m)
    if "\n" not in text:
        return text
    joined = " ".join(line.strip() for line in text.splitlines()).replace("( ", "(")
    return joined.replace(" )", ")") if len(joined) <= 100 else f"{type(m).__name__}(...)"


def own_label(label: str | None, attribute: str) -> bool:
    """Whether a parameter's label is a name of its own for the formulas (MLP's ``W1``, a
    Neuron's ``w``): not None, not a dotted path (``layers.0.W``, the name
    ``parameters()`` gives an unlabelled parameter) and not the bare attribute name a
    Linear's own ``parameters()`` labels it with (``W``, ``b``).

    >>> own_label("W1", "W"), own_label("layers.0.W", "W"), own_label("W", "W")
    (True, False, False)
    """
    return bool(label) and "." not in label and label != attribute  # type: ignore[operator]


def layer_names(layers: Iterable[tuple[Any, Any]], taken: Iterable[str] = ()) -> dict[int, str]:
    """``id(parameter) -> "W{j}"`` (``"b{j}"``) for the weights and bias of the j-th of
    ``layers`` (each a linear layer's ``(W, b)`` in the order of use, ``b`` None without
    one) that have no name of their own (:func:`own_label`), as ``nn.MLP`` labels its own.
    A parameter used twice keeps its first name. A number whose W or b is taken (by a
    parameter's own label, ``nn.MLP``'s W1 inside a Sequential, or by a name in ``taken``)
    is skipped, so no two parameters share a name: summary's rows and draw_graph's boxes
    read one name each, the same in both."""
    pairs = [tuple(zip((W, b), "Wb")) for W, b in layers]
    claimed: dict[str, int] = {}  # a label's symbol -> the parameter that has it first
    for p, a in (q for pair in pairs for q in pair if q[0] is not None):
        if own_label(p.label, a):  # (a second MLP's W1 is numbered anew: two boxes read W₁)
            claimed.setdefault(unicode_symbol(p.label), id(p))
    own = set(claimed.values())
    taken = set(claimed) | {unicode_symbol(name) for name in taken}
    names: dict[int, str] = {}
    for j, pair in enumerate(pairs, start=1):
        todo = [(p, a) for p, a in pair
                if p is not None and id(p) not in own and id(p) not in names]  # fmt: skip
        n = j
        while any(unicode_symbol(f"{a}{n}") in taken for _, a in todo):
            n += 1
        for p, a in todo:
            names[id(p)] = f"{a}{n}"
            taken.add(unicode_symbol(names[id(p)]))
    return names


def _param_row(index: int, layer: str, computes: str, params: list[Any]) -> LayerRow:
    """A row for parameters outside the layers called: their count, shapes unknown."""
    return LayerRow(
        index, layer, computes, "-", "-", "-", "-", "-", int(sum(q.data.size for q in params))
    )


def _activations_after(final: Any, outputs: list[Any], inputs: list[Any]) -> list[str | None]:
    """For each module call, the activations that follow its output as functions
    (``F.relu(z)``, ``z.tanh()``: no module call of their own), their names in order
    ("relu, tanh"), or None; found by walking the recorded graph back from the model's
    output. A call that returns its input (an eval-mode Dropout, an Identity) computes
    nothing and stands where it was called: the functions before it are the earlier
    call's, those after it its own (the last of such calls on one tensor), so each is
    listed once, in the forward's order."""
    if not isinstance(final, Tensor):
        return [None] * len(outputs)
    passes = [o is i for o, i in zip(outputs, inputs)]
    called = {id(o) for o, p in zip(outputs, passes) if not p}
    at = {id(o) for o, p in zip(outputs, passes) if p}  # where a pass-through stands
    uses: dict[int, list[Any]] = {}  # id(tensor) -> the nodes computed from it
    seen, todo = set(), [final]
    while todo:
        node = todo.pop()
        if id(node) in seen:
            continue
        seen.add(id(node))
        for p in node.parents:
            uses.setdefault(id(p), []).append(node)
            todo.append(p)
    found: list[str | None] = []
    for c, out in enumerate(outputs):
        names, cur = [], out
        later = any(p and o is out for o, p in zip(outputs[c + 1 :], passes[c + 1 :]))
        while not later and len(uses.get(id(cur), [])) == 1:
            (nxt,) = uses[id(cur)]
            if nxt.op not in F.ACTIVATIONS or id(nxt) in called:
                break
            names.append(nxt.op)
            cur = nxt
            if id(cur) in at:  # (a pass-through called on it: what follows is its)
                break
        found.append(", ".join(names) if names else None)
    return found


def summary(
    model: Module,
    input_shape: Any = None,
    notation: str = "unicode",
    input_data: Any = None,
    mode: str = "eval",
) -> ModelSummary:
    """Summarize ``model``: each layer, the shapes it maps, its parameters and activation.

    A ``Linear`` layer and the activation (and dropout) after it form one row,
    written as the lecture computes it: ``A1 = g(X @ W1 + b1)``, with W of shape
    (inputs, neurons) and b of shape (neurons,); such a layer has
    ``inputs * neurons + neurons`` parameters.

    Parameters
    ----------
    model : Module
    input_shape : int, (d,) or (batch, d), optional
        Checked against the first layer; the batch size (``N`` by default) appears in
        the shapes.
    input_data : array, optional
        An example input. A model that is not a chain of layers (a custom ``forward``) is
        run on it (or on zeros of ``input_shape``, given as (batch, d)) without a graph, and
        every layer it calls is listed in call order with the shapes it saw, as torchinfo
        does (in ``mode``). Without either, such a model's shapes show as ``?``.
    notation : {'unicode', 'latex', 'ascii'}, default 'unicode'
        How ``str()`` writes the formulas: the lecture's symbols (``A⁽¹⁾ = sigmoid(X W⁽¹⁾ +
        b⁽¹⁾)``, ``ŷ``) or the plain names (``A1 = sigmoid(X @ W1 + b1)``). Markdown and
        Jupyter use LaTeX whatever this says; ``to_text``/``to_markdown``/``to_html`` take
        ``notation=`` too.

    mode : {'eval', 'train', 'same'}, default 'eval'
        The mode the example run is in, as torchinfo's ``mode``: ``'eval'`` runs every
        module in evaluation mode (dropout off, BatchNorm on its running statistics: nothing
        draws and no statistic moves, and one row is enough), ``'train'`` in training mode,
        ``'same'`` each module in the mode it is in. Each module's mode is put back after
        the run, whatever happens. Where a module runs in training mode, a BatchNorm's
        running statistics and ``num_batches_tracked`` are written back after the run
        (torchinfo leaves them updated: summary only describes the model); dropout draws
        from its generators as a training step would, so they advance. Threads: ``'eval'``
        is this thread's alone (no flag written), and a model that is no chain is traced
        through a wrapper of each layer's ``forward`` that records this run's calls only,
        so another thread's ``predict`` meanwhile runs as before and is no row;
        ``'train'`` writes the flags, which other threads see until the run ends
        (docs/threads.md).

    Returns
    -------
    ModelSummary
    """
    check_choice(mode, "mode", "summary", ("eval", "train", "same"))
    if not isinstance(model, Module):
        raise TypeError(not_a_network(model, "summary", "summary(est.model_)"))
    check_weights_set(model, "summary")
    mods = list(flatten(model))
    # the input width: the first Linear's, unless a module that may change the width (one of
    # the user's) comes before it: then unknown, shown as ? (with how to learn it)
    keeps = (ActivationModule, Dropout, Identity, BatchNorm1d, LayerNorm)
    lead = next((m for m in mods if not isinstance(m, keeps)), None)
    first = lead if isinstance(lead, Linear) else None
    batch, width = _parse_input_shape(input_shape, first.inputs if first else None)
    rows: list[LayerRow] = []
    outs: dict[int, tuple[str, str, str, str | None]] = {}  # row -> (output, input, W, b)
    j = 0
    prev_name = "X"
    cur = width
    after: dict[int, tuple[list[str], list[str]]] = {}  # row -> (activations, dropouts)
    first_use: dict[int, int] = {}  # id(Linear) -> the row of its first use
    counted = _Counted()
    # id(parameter) -> its name in the formulas: its own short label (MLP's W1, a Neuron's w)
    # or the lecture's W_j, numbered around the names taken (dotted names given by
    # named_parameters, 'layers.0.W', and the bare 'W' a Linear's own parameters() gives
    # read worse in a formula); a parameter used before keeps its name
    names = layer_names((m.W, m.b) for m in mods if isinstance(m, Linear))
    later: list[tuple[LayerRow, list[tuple[Any, int]]]] = []  # shared ones, named at the end
    for m in mods:
        own = builtin_forward(m)  # (a forward of yours: another kind, below)
        if isinstance(m, Linear) and own:
            j += 1
            again = first_use.get(id(m))
            first_use.setdefault(id(m), len(rows) + 1)
            W = names.get(id(m.W), m.W.label)
            b = None if m.b is None else names.get(id(m.b), m.b.label)
            layer = "Linear" if m.b is not None else "Linear (no bias)"
            row = LayerRow(
                index=len(rows) + 1,
                layer=layer if again is None else f"{layer}, shared with row {again}",
                computes="",
                input_shape=_shape(batch, cur if cur is not None else m.inputs),
                output_shape=_shape(batch, m.neurons),
                activation="identity",
                W_shape=str(tuple(m.W.shape)),
                b_shape=str(tuple(m.b.shape)) if m.b is not None else "-",
                parameters=0,
            )
            rows.append(_named(row, *counted.count(row.index, m.parameters()), names))
            out = f"A{j}"  # (y_hat when no other module follows: see below)
            outs[len(rows) - 1] = (out, prev_name, W, b)
            after[len(rows) - 1] = ([], [])
            prev_name = out
            cur = m.neurons
        elif (
            isinstance(m, (ActivationModule, Dropout, Identity))
            and own
            and rows
            and (len(rows) - 1 in outs)
        ):
            acts, drops = after[len(rows) - 1]
            if isinstance(m, Dropout):
                drops.append(f"dropout {m.p:g}")
            elif not isinstance(m, Identity):
                acts.append(m.name)
            rows[-1].activation = ", ".join((acts or ["identity"]) + drops)
        elif isinstance(m, (ActivationModule, Dropout, Identity)) and own:
            # before any Linear layer (or after another module): its own row, the shape kept
            rows.append(
                LayerRow(
                    len(rows) + 1,
                    _one_line(m),
                    _one_line(m),
                    _shape(batch, cur),
                    _shape(batch, cur),
                    getattr(m, "name", "-") if isinstance(m, ActivationModule) else "-",
                    "-",
                    "-",
                    0,
                )
            )
            prev_name = f"H{len(rows)}"
        else:  # another kind of module: counted, shapes unknown from here on
            row = LayerRow(
                len(rows) + 1, _one_line(m), _one_line(m), _shape(batch, cur), "?", "-", "-", "-", 0
            )
            n, shared = counted.count(row.index, m.parameters())
            row.parameters = n
            later.append((row, shared))  # (named once every Linear has named its own)
            rows.append(row)
            cur = None
            prev_name = f"H{len(rows)}"  # this module's output, shape unknown
    if outs and max(outs) == len(rows) - 1:  # the last row is a Linear's: its output is y_hat
        outs[len(rows) - 1] = ("y_hat", *outs[len(rows) - 1][1:])
    for i, (out, inp, W, b) in outs.items():
        rows[i].terms = (out, ", ".join(after[i][0]) or "identity", inp, W, b)
        rows[i].computes = _formula(rows[i].terms, "ascii")
    if later:  # (named now that every Linear has named its own)
        dotted = {id(q): n for n, q in model.named_parameters()}
        for row, shared in later:
            _named(row, row.parameters, shared, {**dotted, **names})
    custom = any(r.output_shape == "?" for r in rows)
    if input_data is None and custom and input_shape is not None and width is not None:
        # (two rows where the batch is not given: a BatchNorm in training mode needs more
        # than one; the table shows the batch as N)
        n = 2 if batch == "N" else int(batch)
        input_data = np.zeros((n, width), dtype=(model.parameters() or [np.zeros(0)])[0].dtype)
    if input_data is not None and not custom:
        try:  # (a dict or a str read as "of shape ()", as if its size were the fault)
            np.asarray(input_data, dtype=np.float64)
        except (TypeError, ValueError):
            raise ValueError(
                f"summary: input_data must be an array of numbers, (N, d) or (d,). Got "
                f"{input_data!r:.60} of type {type(input_data).__name__}."
            ) from None
    if input_data is not None and (custom or np.ndim(input_data) > 2):
        rows = _traced_rows(model, input_data, batch, mode)  # (a Linear on (N, ..., d): traced)
    elif (
        input_data is not None
        and first is not None
        and np.shape(input_data)[-1:] != (first.inputs,)
    ):
        raise ValueError(
            f"summary: input_data of shape {np.shape(input_data)} does not fit the first "
            f"layer, which expects {first.inputs} features per sample."
        )
    params = model.parameters()
    total = int(sum(p.data.size for p in params))
    trainable = int(sum(p.data.size for p in params if p.requires_grad))
    dtypes = sorted({str(p.dtype) for p in params}) or ["-"]
    nbytes = int(sum(p.data.nbytes for p in params))
    name = type(model).__name__
    # the widths of a chain of layers (another module between them maps widths of its own)
    chain = first is not None and not custom
    widths = [first.inputs] + [m.neurons for m in mods if isinstance(m, Linear)] if chain else []
    arch = (" " + "-".join(str(w) for w in widths)) if widths else ""
    title = f"{name}{arch}: {total:,} parameters ({', '.join(dtypes)}, {nbytes:,} bytes)"
    nonfinite = []
    for pname, q in model.named_parameters():
        k = int(q.data.size - np.count_nonzero(np.isfinite(q.data)))
        if k:
            nonfinite.append((pname, k, int(q.data.size)))
    return ModelSummary(
        title, rows, total, trainable, ", ".join(dtypes), nbytes, notation, nonfinite
    )
