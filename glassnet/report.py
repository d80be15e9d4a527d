"""Presenting numbers and reports: the one formatter and renderer behind glassnet's
see-through tools.

:func:`fmt` prints a number as the lecture's slides do. A report is a title and a list
of :class:`Section` s (paragraphs, preformatted lines, tables) that
:func:`render_text`, :func:`render_markdown` and :func:`render_html` turn into a
terminal page, Markdown or an HTML fragment. :func:`make_names` gives every input,
weighted sum, activation, weight and bias its symbol (``x1``, ``z1``, ``w1``, ...).
``explain``, ``summary`` and ``viz`` all use these, so the same number reads the same
everywhere.

>>> s = Section("Weights")
>>> s.table(["name", "value"], [["w1", fmt(0.5)], ["w2", fmt(-2.0)]])
>>> print(render_text("Example", [s]), end="")
Example
=======
<BLANKLINE>
Weights
-------
name  value
----  -----
w1    0.500
w2    -2
"""

from __future__ import annotations

import html
import math
import sys
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import MAX_EMAX, MAX_PREC, MIN_EMIN, ROUND_HALF_UP, Context, Decimal, localcontext
from numbers import Number
from typing import Any

from ._validation import ParameterError, check_choice, check_number
from .fused import flatten  # re-exported: the one walk over nested Sequentials

__all__ = [
    "Block",
    "Names",
    "Section",
    "flatten",
    "fmt",
    "make_names",
    "render_html",
    "render_markdown",
    "render_text",
]

AUTO_LECTURE_MAX_WEIGHTS = 24
"""``make_names(..., "auto")`` uses the lecture's flat names (w1, w2, ...) up to this many
weights, and per-layer names (w[1]_12) above it."""


# =====================================================================================
# Numbers
# =====================================================================================
def fmt(v: float, decimals: int = 3) -> str:
    """A number as the slides print it: fixed decimals, integers without them, tiny or
    huge values in scientific notation (so 0.0003 does not print as 0.000).

    A half is rounded up (away from zero), as by hand: ``fmt(0.125, 2)`` is ``0.13``, not
    Python's ``0.12`` (format rounds half to even). The rounding is decimal, of the
    shortest digits that give the float back (its ``repr``): ``2.675``, stored as
    2.67499999999999982236431605997495353221893310546875, is ``2.68`` as by hand from the
    printed 2.675, not format's ``2.67``. A NumPy float32 is read as the float64 of the same
    value (np.float32(2.675) holds 2.6749999523... and prints 2.67). The lecture's XNOR
    table (0.002, 0.881, 0.119) holds no half and reads the same either way. A value of at
    most half a unit of the last decimal (0.0005 with 3 decimals, 0.5 with 0) prints in
    scientific notation, as a smaller one does: rounded, it would read 0 or twice itself.
    The rounding is the same in any ``decimal`` context of the caller's (its own is used),
    and only a half goes through ``Decimal``: for any other value, ``format``'s digits are
    the same (see :func:`sci_notation`), and fmt is as fast as format.

    >>> fmt(0.125, 2), fmt(2.675, 2), fmt(-0.0625), fmt(0.881), fmt(0.0005), fmt(2.0)
    ('0.13', '2.68', '-0.063', '0.881', '5.00e-04', '2')
    """
    if type(decimals) is not int or decimals < 0:  # (the common case checked fast)
        decimals = check_number(decimals, "decimals", "fmt", low=0, integer=True)
    try:
        v = float(v)
    except OverflowError:  # an int beyond a float's range (10**400) raised OverflowError
        return _huge_int(v, max(decimals - 1, 1))
    except (TypeError, ValueError):
        raise ParameterError(  # (a TypeError and a ValueError, as float()'s were)
            f"fmt prints a number (a float, an int, a NumPy scalar). Got {v!r:.60}."
        ) from None
    if math.isnan(v):
        return "nan"
    if math.isinf(v):
        return "inf" if v > 0 else "-inf"
    if v == int(v) and abs(v) < 1e6:
        return str(int(v))
    r = repr(v)  # the shortest digits of the float, which hand rounding reads
    if abs(v) <= _half_unit(decimals):
        return sci_notation(v, r, max(decimals - 1, 1))
    whole, _, frac = r.partition(".")
    if "e" in r:  # (below 1e-4 or from 1e16: rare here, rounded by Decimal)
        fixed = decimal_fixed(r, decimals)
    elif len(frac) <= decimals:  # (the digits as they are, padded with zeros)
        fixed = r + "0" * (decimals - len(frac)) if decimals else whole
    elif len(frac) == decimals + 1 and frac[-1] == "5":  # (a half: rounded up by Decimal)
        fixed = decimal_fixed(r, decimals)
    else:  # (no half: format's rounding of the binary value is the repr's, see sci_notation)
        fixed = f"{v:.{decimals}f}"
    # scientific where the fixed decimals would hide the value (0.0003 as 0.000) or double
    # it (at most half a unit of the last decimal, above: 0.5 with decimals=0 read 1, where
    # half to even read 0), or where they reach a million (999999.9996 read 1000000.000,
    # where 1e6 itself reads 1.00e+06)
    if abs(v) >= 999999 and abs(float(fixed)) >= 1e6:
        return sci_notation(v, r, max(decimals - 1, 1))
    return fixed


# The arithmetic on Decimals is done in these contexts, never in the caller's (whose
# precision or traps, decimal.getcontext().prec = 4 or the Inexact trap on, made fmt
# round 0.00054 to 5.40e-04 instead of 0.001, or raise decimal.Inexact).
_HALF_UP = Context(  # (ROUND_HALF_UP: away from zero)
    prec=MAX_PREC, rounding=ROUND_HALF_UP, Emin=MIN_EMIN, Emax=MAX_EMAX, traps=[], flags=[]
)
_NORMAL = sys.float_info.min  # (below it, a float has fewer binary digits)
_HALF_UNITS = [float(f"5e-{d + 1}") for d in range(32)]


def _half_unit(decimals: int) -> float:
    """Half a unit of the last of ``decimals`` decimals, as the float nearest to it: a
    float is at most that (as a Decimal of its repr) exactly when its repr is, as the
    repr is the shortest decimal of the float, and ``5e-(d+1)`` a shorter one than any
    other between them."""
    return _HALF_UNITS[decimals] if decimals < 32 else float(f"5e-{decimals + 1}")


def decimal_fixed(r: str, decimals: int) -> str:
    """The decimal ``r`` with ``decimals`` decimals, a half rounded up (away from zero)."""
    with localcontext(_HALF_UP):
        return f"{Decimal(r).quantize(Decimal(1).scaleb(-decimals)):f}"


def sci_notation(v: float, r: str, digits: int) -> str:
    """``v`` (whose repr is ``r``) in scientific notation with ``digits`` decimals, its
    half rounded up. Fast where format's ``e`` (which rounds the float's binary value, half
    to even) gives the same: unless the repr's significant digits end in a 5 just past
    the last digit shown (a half, rounded up by Decimal), or are so many (more than 15)
    that the binary value's own digits could show, or of a subnormal float (5e-324 is
    4.94e-324 to format). Why no other case differs: a rounding
    boundary between the repr and the binary value would be a decimal of at most as many
    digits, closer to the value, which the repr (the shortest, then the closest) would be."""
    sig = r.partition("e")[0].lstrip("-").replace(".", "").strip("0")
    if digits > 14 or (len(sig) == digits + 2 and sig[-1] == "5") or abs(v) < _NORMAL:
        return scientific(Decimal(r), digits)
    return f"{v:.{digits}e}"


def scientific(exact: Decimal, digits: int) -> str:
    """``exact`` as format's ``e`` writes it (``1.25e-05``, an exponent of at least two
    digits) with ``digits`` decimals, its half rounded up as :func:`fmt`'s fixed digits."""
    with localcontext(_HALF_UP):
        head = _HALF_UP.copy()
        head.prec = digits + 1
        head = head.plus(exact)
        mantissa, _, exponent = f"{head:.{digits}e}".partition("e")
    return f"{mantissa}e{int(exponent):+03d}"


def _huge_int(v: Any, keep: int) -> str:
    """An integer too large for a float (``10**400``) in scientific notation with ``keep``
    decimals, from its digits."""
    try:
        n = int(v)
    except (TypeError, ValueError, OverflowError):
        raise ParameterError(
            f"fmt prints a number (a float, an int, a NumPy scalar). Got {v!r:.60}."
        ) from None
    digits = str(abs(n))
    head = int(digits[: keep + 2])  # one digit more than shown, to round on
    mantissa = (head + 5) // 10  # keep + 1 digits, rounded half up
    exponent = len(digits) - 1
    if len(str(mantissa)) > keep + 1:  # (9.999e+400 rounds up to 1.00e+401)
        mantissa //= 10
        exponent += 1
    m = str(mantissa)
    return f"{'-' if n < 0 else ''}{m[0]}.{m[1:]}e+{exponent}"


# =====================================================================================
# Symbols
# =====================================================================================
@dataclass
class Names:
    scheme: str
    x: list[str]
    z: list[list[str]]
    a: list[list[str]]
    w: list[Sequence[list[str]]]  # [layer][input][neuron]: WeightNames, not lists (JSON: list())
    b: list[list[str] | None]
    y: list[str]

    def lookup(self) -> Mapping[str, tuple]:
        """Each name's place: ``("x", i)``, ``("z", l, k)``, ``("a", l, k)``,
        ``("w", l, i, k)`` or ``("b", l, k)``. A weight's place is worked out from its name
        when asked for (a table of the 16 million weights of two 4000-wide layers took
        20 s to build)."""
        head: dict[str, tuple] = {}
        for i, n in enumerate(self.x):
            head[n] = ("x", i)
        for l, names in enumerate(self.z):
            for k, n in enumerate(names):
                head[n] = ("z", l, k)
        for l, names in enumerate(self.a):
            for k, n in enumerate(names):
                head[n] = ("a", l, k)
        tail: dict[str, tuple] = {}
        for l, names in enumerate(self.b):
            for k, n in enumerate(names or []):
                tail[n] = ("b", l, k)
        return _Lookup(head, self.w, tail)


class WeightNames(Sequence):
    """The names of a layer's weights, row i (input i) a list of its neurons' weights:
    ``names[i][k]``. Each row is written when it is read (the 16 million names of two
    4000-wide layers took seconds to write, and a drawing reads a few of them)."""

    def __init__(self, inputs: int, neurons: int, pattern: str, start: int = 0) -> None:
        self.inputs, self.neurons, self.pattern, self.start = inputs, neurons, pattern, start
        self._written: dict[int, list[str]] = {}  # the rows read so far (read again often)

    def _row(self, i: int) -> list[str]:
        row = self._written.get(i)
        if row is not None:
            return row
        if "_" in self.pattern:  # layered: w[l]_ik, by input and neuron
            row = [self.pattern.format(i + 1, k + 1) for k in range(self.neurons)]
        else:  # lecture: numbered through the network
            first = self.start + i * self.neurons
            row = [self.pattern.format(first + k + 1) for k in range(self.neurons)]
        self._written[i] = row
        return row

    def last(self) -> str:
        """The last weight's name, written alone (its row is not kept): an error's example."""
        i, k = self.inputs, self.neurons
        return self.pattern.format(*((i, k) if "_" in self.pattern else (self.start + i * k,)))

    def __getitem__(self, i: Any) -> Any:
        row = self._written.get(i) if type(i) is int else None  # (the common case, fast)
        if row is not None:
            return row
        if isinstance(i, slice):
            return [self._row(j) for j in range(self.inputs)[i]]
        return self._row(range(self.inputs)[i])  # (an IndexError past the end, as a list)

    def __len__(self) -> int:
        return self.inputs

    def __eq__(self, other: object) -> bool:
        if isinstance(other, WeightNames):
            mine = (self.inputs, self.neurons, self.pattern, self.start)
            return mine == (other.inputs, other.neurons, other.pattern, other.start)
        return isinstance(other, Sequence) and list(self) == list(other)

    def __repr__(self) -> str:
        return repr(list(self))


def _digits(text: str) -> bool:
    """Whether ``text`` is ASCII digits: ``str.isdigit`` takes subscripts such as "₁" (from
    the unicode output), which ``int`` cannot read."""
    return text.isascii() and text.isdigit()


class _Lookup(Mapping):
    """The table of :meth:`Names.lookup`: the inputs, neurons and biases in dicts; a
    weight found by reading its name back (``w7``, ``w[2]_13``, ``w[2]_1,3``) and checking
    that the name at that place is the one asked for. Iterates in the order x, z, a, w, b;
    a later kind wins where two share a name, as in one dict filled in that order."""

    def __init__(self, head: dict[str, tuple], w: Sequence[Any], tail: dict[str, tuple]):
        self.head, self.w, self.tail = head, w, tail
        shapes = [(len(rows), len(rows[0]) if len(rows) else 0) for rows in w]
        self.shapes = shapes
        self.starts = [0]  # the lecture's flat numbering: the first weight of each layer
        for n_in, n_out in shapes:
            self.starts.append(self.starts[-1] + n_in * n_out)

    def _weight(self, name: str) -> tuple | None:
        for l, i, k in self._places(name):
            if l < len(self.shapes) and i < self.shapes[l][0] and k < self.shapes[l][1]:
                if self.w[l][i][k] == name:
                    return ("w", l, i, k)
        return None

    def _places(self, name: str) -> list[tuple[int, int, int]]:
        """Where a weight of this name can be, by each scheme's way of writing it."""
        out = []
        if _digits(name[1:]) and name[:1] == "w":  # lecture: w1, w2, ... through the net
            flat = int(name[1:]) - 1
            for l, (_, n_out) in enumerate(self.shapes):
                if self.starts[l] <= flat < self.starts[l + 1] and n_out:
                    out.append((l, *divmod(flat - self.starts[l], n_out)))
        head, _, rest = name.partition("]_")
        if head[:2] == "w[" and _digits(head[2:]) and rest:
            l = int(head[2:]) - 1
            if "," in rest:
                i, _, k = rest.partition(",")
                if _digits(i) and _digits(k):
                    out.append((l, int(i) - 1, int(k) - 1))
            elif len(rest) == 2 and _digits(rest):
                out.append((l, int(rest[0]) - 1, int(rest[1]) - 1))
        return [(l, i, k) for l, i, k in out if min(l, i, k) >= 0]

    def __getitem__(self, name: str) -> tuple:
        if isinstance(name, str):
            found = self.tail.get(name) or self._weight(name) or self.head.get(name)
            if found is not None:
                return found
        raise KeyError(name)

    def __contains__(self, name: object) -> bool:
        return isinstance(name, str) and (
            name in self.tail or name in self.head or self._weight(name) is not None
        )

    def __iter__(self) -> Iterator[str]:
        yield from self.head
        for rows in self.w:
            for row in rows:
                yield from row
        yield from (n for n in self.tail if self._weight(n) is None)

    def __len__(self) -> int:
        return sum(1 for _ in self)


def make_names(layers: Sequence[Any], scheme: str) -> Names:
    """The symbol of every number in a network of ``layers`` (each with ``inputs``,
    ``neurons`` and ``b``, None without a bias).

    ``scheme``: ``'lecture'`` numbers neurons and weights through the whole network as
    the slides do (z1, a1, w1, ...; a single neuron's bias is w0), ``'layered'`` tags
    them by layer (z[1]_1, w[1]_12), ``'auto'`` picks 'lecture' for at most
    ``AUTO_LECTURE_MAX_WEIGHTS`` weights. The output layer's activations are y_hat.
    """
    check_choice(scheme, "names", "explain", ("auto", "lecture", "layered"))
    if isinstance(layers, (str, bytes)) or not isinstance(layers, Sequence):
        raise TypeError(
            f"make_names: 'layers' must be a list of layers (each with inputs, neurons and b). "
            f"Got {layers!r:.40} of type {type(layers).__name__}."
        )
    if not len(layers):
        raise ValueError("make_names needs at least one layer (each with inputs and neurons).")
    for i, lay in enumerate(layers):  # (an AttributeError from deep inside before)
        missing = [a for a in ("inputs", "neurons", "b") if not hasattr(lay, a)]
        if missing:
            raise TypeError(
                f"make_names: layer {i} ({lay!r:.40}, of type {type(lay).__name__}) has no "
                f"{', '.join(missing)}; give the layers of glassnet.fused.layers_of(model) or "
                "Linear layers."
            )
    n_weights = sum(lay.inputs * lay.neurons for lay in layers)
    if scheme == "auto":
        scheme = "lecture" if n_weights <= AUTO_LECTURE_MAX_WEIGHTS else "layered"
    d = layers[0].inputs
    K = layers[-1].neurons
    x = [f"x{i + 1}" for i in range(d)]
    y = ["y"] if K == 1 else [f"y{k + 1}" for k in range(K)]
    yhat = ["y_hat"] if K == 1 else [f"y_hat{k + 1}" for k in range(K)]
    z: list[list[str]] = []
    a: list[list[str]] = []
    w: list[Sequence[list[str]]] = []
    b: list[list[str] | None] = []
    L = len(layers)
    if scheme == "lecture":
        single = L == 1 and K == 1
        k_neuron = 0
        k_weight = 0
        for l, lay in enumerate(layers):
            zs, as_ = [], []
            for _ in range(lay.neurons):
                k_neuron += 1
                zs.append("z" if single else f"z{k_neuron}")
                as_.append(f"a{k_neuron}")
            z.append(zs)
            a.append(yhat if l == L - 1 else as_)
            w.append(WeightNames(lay.inputs, lay.neurons, "w{}", k_weight))
            k_weight += lay.inputs * lay.neurons
            if lay.b is None:
                b.append(None)
            elif single:
                b.append(["w0"])
            else:
                b.append([f"b{zn[1:]}" for zn in zs])
    else:  # "layered"
        for l, lay in enumerate(layers):
            tag = f"[{l + 1}]"
            n_in, n_out = lay.inputs, lay.neurons  # (read once: a 4000 x 4000 layer took 25 s)
            z.append([f"z{tag}_{j + 1}" for j in range(n_out)])
            a.append(yhat if l == L - 1 else [f"a{tag}_{j + 1}" for j in range(n_out)])
            sep = "" if max(n_in, n_out) < 10 else ","
            w.append(WeightNames(n_in, n_out, f"w{tag}_{{}}{sep}{{}}"))
            b.append(None if lay.b is None else [f"b{tag}_{j + 1}" for j in range(lay.neurons)])
    return Names(scheme, x, z, a, w, b, y)


# =====================================================================================
# Sections and their renderers
# =====================================================================================
@dataclass
class Block:
    kind: str  # "p" paragraph, "pre" preformatted lines, "table"
    text: str = ""
    headers: list[str] = field(default_factory=list)
    rows: list[list[str]] = field(default_factory=list)


@dataclass
class Section:
    title: str
    blocks: list[Block] = field(default_factory=list)
    key: str = ""

    def __post_init__(self) -> None:
        _check_text(self.title, "title", "Section")

    def p(self, text: str) -> None:
        _check_text(text, "text", "Section.p")
        self.blocks.append(Block("p", text))

    def pre(self, text: str) -> None:
        _check_text(text, "text", "Section.pre")
        self.blocks.append(Block("pre", text))

    def table(self, headers: list[str], rows: list[list[str]]) -> None:
        """A table of text cells, each row as many as ``headers`` (refused otherwise: the
        text renderer failed, the Markdown and HTML ones drew a ragged table). ``rows``
        may be any iterable of rows (a generator is read once, here)."""
        if isinstance(rows, (str, bytes)) or not isinstance(rows, Iterable):
            raise TypeError(
                f"Section.table: rows must be a list of rows, each a list of text cells. Got "
                f"{rows!r:.40} of type {type(rows).__name__}."
            )
        # (a generator of rows was used up by these checks and drew an empty table)
        rows = rows if isinstance(rows, list) else list(rows)
        for where, cells in [("headers", headers), *((f"row {i}", r) for i, r in enumerate(rows))]:
            if not isinstance(cells, (list, tuple)) or len(cells) != len(headers):
                shown = len(cells) if isinstance(cells, (list, tuple)) else type(cells).__name__
                raise ValueError(
                    f"Section.table: {where} must be a list of {len(headers)} cells, one per "
                    f"header. Got {shown}."
                )
            bad = next((c for c in cells if not isinstance(c, str)), None)
            if bad is not None:
                raise TypeError(
                    f"Section.table: the cells of {where} must be text. Got {bad!r:.40}: "
                    "write numbers with fmt() (or str())."
                )
        self.blocks.append(Block("table", headers=headers, rows=rows))


def _check_text(text: Any, name: str, owner: str) -> None:
    if not isinstance(text, str):
        hint = "write a number with fmt() (or str())" if isinstance(text, Number) else "give a str"
        raise TypeError(
            f"{owner}: '{name}' must be text (a str). Got {text!r:.40} of type "
            f"{type(text).__name__}; {hint}."
        )


def _check_report(title: Any, sections: Any, owner: str) -> list[Section]:
    """The title and sections of a report, checked (a Section given alone, a title that is
    not text: the renderers failed deep inside with a TypeError)."""
    _check_text(title, "title", owner)
    if isinstance(sections, Section):
        raise TypeError(
            f"{owner}: 'sections' must be a list of Section. Got one Section "
            f"({sections.title!r:.40}); pass it in a list: [section]."
        )
    if isinstance(sections, (str, bytes)) or not isinstance(sections, Iterable):
        raise TypeError(
            f"{owner}: 'sections' must be a list of Section. Got {sections!r:.40} of type "
            f"{type(sections).__name__}."
        )
    sections = list(sections)
    for i, sec in enumerate(sections):
        if not isinstance(sec, Section):
            raise TypeError(
                f"{owner}: 'sections' must be a list of Section; item {i} is {sec!r:.40} of "
                f"type {type(sec).__name__}. Make one with Section(title) and its p(), "
                "pre() and table()."
            )
    return sections


def _text_table(headers: list[str], rows: list[list[str]]) -> str:
    widths = [len(h) for h in headers]
    multi = False  # a cell of several lines (each line laid out in its column)
    for r in rows:
        for i, c in enumerate(r):
            if "\n" in c:
                multi = True
                widths[i] = max(widths[i], *(len(part) for part in c.split("\n")))
            else:
                widths[i] = max(widths[i], len(c))

    def line(cells: list[str]) -> str:
        return "  ".join(c.ljust(widths[i]) for i, c in enumerate(cells)).rstrip()

    def lines(cells: list[str]) -> list[str]:
        if not multi or not any("\n" in c for c in cells):
            return [line(cells)]
        parts = [c.split("\n") for c in cells]  # (a newline in a cell broke the columns)
        depth = max(len(p) for p in parts)
        return [line([p[k] if k < len(p) else "" for p in parts]) for k in range(depth)]

    out = [*lines(headers), "  ".join("-" * w for w in widths)]
    for r in rows:
        out += lines(r)
    return "\n".join(out)


def render_text(title: str, sections: list[Section]) -> str:
    """``sections`` as a terminal page under ``title``."""
    sections = _check_report(title, sections, "render_text")
    out = [title, "=" * len(title)]
    for s in sections:
        if s.title:
            out += ["", s.title, "-" * len(s.title)]
        for b in s.blocks:
            if b.kind == "table":
                out.append(_text_table(b.headers, b.rows))
            elif b.kind == "pre":
                out.append(b.text)
            else:
                out.append(b.text)
    return "\n".join(out) + "\n"


def _md_cell(c: str) -> str:
    """A table cell: formulas (with * _ ^) as code spans, so nothing needs escaping."""
    if not c:
        return " "
    if "\n" in c:  # (a newline ended the table row): each line, joined by <br>
        return "<br>".join(_md_cell(part) for part in c.split("\n"))
    c = c.replace("|", "\\|")
    return f"`{c}`" if any(ch in c for ch in "*_^") else c


def _md_text(t: str) -> str:
    """Paragraph or heading text: escape the characters Markdown would interpret."""
    return t.replace("\\", "\\\\").replace("*", "\\*").replace("_", "\\_")


def render_markdown(
    title: str,
    sections: Sequence[Section],
    level: int = 3,
    text: Callable[[str], str] = _md_text,
    cell: Callable[[str], str] = _md_cell,
) -> str:
    """``sections`` as Markdown: headings and paragraphs escaped by ``text``, table cells by
    ``cell`` (explain's LaTeX Markdown passes escapers that leave ``$...$`` alone).
    ``level`` is the title's heading depth, 1 to 5 (sections take the next one)."""
    check_number(level, "level", "to_markdown", low=1, high=5, integer=True)
    sections = _check_report(title, sections, "render_markdown")
    h = "#" * level
    out = [f"{h} {text(title)}"]
    for s in sections:
        if s.title:
            out += ["", f"{h}# {text(s.title)}"]
        for b in s.blocks:
            out.append("")
            if b.kind == "table":
                out.append("| " + " | ".join(cell(c) for c in b.headers) + " |")
                out.append("|" + "|".join("---" for _ in b.headers) + "|")
                out += ["| " + " | ".join(cell(c) for c in r) + " |" for r in b.rows]
            elif b.kind == "pre":
                out += ["```text", b.text, "```"]
            else:
                out.append(text(b.text))
    return "\n".join(out) + "\n"


_HTML_STYLE = (
    "<style>.glassnet-explain table{border-collapse:collapse;margin:4px 0 10px 0}"
    ".glassnet-explain td,.glassnet-explain th{border:1px solid #ccc;padding:2px 8px;"
    "font-family:monospace;text-align:left}.glassnet-explain th{background:#f3f3f3}"
    ".glassnet-explain pre{background:#f8f8f8;padding:6px}</style>"
)


def render_html(title: str, sections: list[Section], cls: str = "glassnet-explain") -> str:
    """``sections`` as an HTML fragment: a ``<div>`` of class ``cls``."""
    sections = _check_report(title, sections, "render_html")
    _check_text(cls, "cls", "render_html")
    e = html.escape
    out = [_HTML_STYLE, f'<div class="{e(cls)}">', f"<h3>{e(title)}</h3>"]
    for s in sections:
        if s.title:
            out.append(f"<h4>{e(s.title)}</h4>")
        for b in s.blocks:
            if b.kind == "table":
                out.append(
                    "<table><thead><tr>"
                    + "".join(f"<th>{e(c)}</th>" for c in b.headers)
                    + "</tr></thead><tbody>"
                )
                out += ["<tr>" + "".join(f"<td>{e(c)}</td>" for c in r) + "</tr>" for r in b.rows]
                out.append("</tbody></table>")
            elif b.kind == "pre":
                out.append(f"<pre>{e(b.text)}</pre>")
            else:
                out.append(f"<p>{e(b.text)}</p>")
    out.append("</div>")
    return "\n".join(out) + "\n"
