"""A few helpers to write SVG by hand (no system dependency), and to lay its labels out.

Every drawing uses one monospace font, so a text's box is known from its length:
a character is 0.6 em wide (DejaVu Sans Mono, Menlo and Consolas all advance 0.6 em).
:class:`Placer` puts each label at the first of its candidate positions whose box
touches no box placed before (nodes, captions, other labels); :func:`text_boxes`
reads the boxes back from a finished SVG, so tests check the picture itself.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

CHAR_EM = 0.6  # advance of one monospace character, in em
CHAR_W = 7.2  # width of one 12 px monospace character, in px
LINE_H = 15.0  # line height for 12 px text
FONT = "DejaVu Sans Mono, Menlo, Consolas, monospace"
ASCENT, DESCENT = 0.8, 0.25  # of the em box above and below the baseline
_NS = "{http://www.w3.org/2000/svg}"


_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


class SVG(str):
    """An SVG drawing: a ``str`` (write it to a ``.svg`` file, search it) that a notebook
    draws (``_repr_svg_``, as graphviz's and IPython's SVG objects), where a bare str
    showed its source."""

    __slots__ = ()

    def _repr_svg_(self) -> str:
        return str(self)


def esc(text: Any) -> str:
    """Escape text for an SVG/XML text node or attribute; a character XML cannot hold at
    all (a control character such as ESC) is written as U+FFFD, so the document parses."""
    text = _NOT_XML.sub("\ufffd", str(text))  # (xml.sax.saxutils' escape, without the
    # email, http and ssl modules its package imports: import glassnet stays light)
    return (
        text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")
    )


def whole(v: Any) -> int | None:
    """``v`` as a Python int when it is an int, Python's or NumPy's (``np.int64(3)`` from
    an array, as explain and fit take it), else None (a bool, a float such as 3.0, text)."""
    if isinstance(v, (bool, np.bool_)) or not isinstance(v, (int, np.integer)):
        return None
    return int(v)


def text_width(text: str, size: float = 12.0) -> float:
    """Width of monospace ``text`` at font size ``size`` (px)."""
    return len(text) * CHAR_EM * size


def wrap_text(text: str, width: int) -> list[str]:
    """``text`` as lines of at most ``width`` characters, broken at its spaces (a word
    longer than ``width`` keeps its own line). Joining the lines with single spaces gives
    ``text`` back (for text with single spaces)."""
    width = max(int(width), 1)
    lines: list[str] = []
    for word in text.split(" "):
        if lines and len(lines[-1]) + 1 + len(word) <= width:
            lines[-1] += " " + word
        else:
            lines.append(word)
    return lines or [""]


def svg_open(width: float, height: float, title: str = "", size: float = 12.0) -> list[str]:
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width:.0f}" height="{height:.0f}" '
        f'viewBox="0 0 {width:.0f} {height:.0f}" font-family="{FONT}" font-size="{size:g}">',
    ]
    if title:
        out.append(f"<title>{esc(title)}</title>")
    out.append(f'<rect x="0" y="0" width="{width:.0f}" height="{height:.0f}" fill="white"/>')
    return out


def arrow_head(x: float, y: float, ux: float, uy: float, color: str, size: float) -> str:
    """An arrow head drawn in place (no ``<marker>``: SVGs inlined into one HTML page
    share one id space, where ``url(#id)`` found the first drawing's marker, of another
    colour, or none when that drawing was hidden): its tip just past (x, y), pointing
    along the unit vector (ux, uy), ``size`` px long and wide."""
    tx, ty = x + ux * size * 0.1, y + uy * size * 0.1
    bx, by = x - ux * size * 0.9, y - uy * size * 0.9
    hx, hy = -uy * size / 2, ux * size / 2
    return (
        f'<path class="arrow" d="M{bx + hx:.1f},{by + hy:.1f} L{tx:.1f},{ty:.1f} '
        f'L{bx - hx:.1f},{by - hy:.1f} z" fill="{color}"/>'
    )


# =====================================================================================
# Boxes
# =====================================================================================
@dataclass(frozen=True)
class Box:
    """An axis-aligned rectangle (x0, y0) - (x1, y1), y downwards."""

    x0: float
    y0: float
    x1: float
    y1: float
    text: str = ""

    def overlaps(self, other: Box, margin: float = 0.0) -> bool:
        """Whether the two boxes share area (touching edges do not count)."""
        return (
            self.x0 < other.x1 + margin
            and other.x0 < self.x1 + margin
            and self.y0 < other.y1 + margin
            and other.y0 < self.y1 + margin
        )

    def grown(self, m: float) -> Box:
        return Box(self.x0 - m, self.y0 - m, self.x1 + m, self.y1 + m, self.text)


def text_box(x: float, y: float, text: str, size: float, anchor: str = "start") -> Box:
    """The box of ``text`` drawn at (x, y) (y the baseline) with ``text-anchor`` anchor."""
    w = text_width(text, size)
    x0 = {"start": x, "middle": x - w / 2, "end": x - w}[anchor]
    return Box(x0, y - ASCENT * size, x0 + w, y + DESCENT * size, text)


def text_el(
    x: float,
    y: float,
    text: str,
    size: float = 12.0,
    anchor: str = "start",
    fill: str = "#111",
    bold: bool = False,
    extra: str = "",
) -> str:
    """One ``<text>`` element (font size always written, so :func:`text_boxes` reads it)."""
    weight = ' font-weight="bold"' if bold else ""
    anch = f' text-anchor="{anchor}"' if anchor != "start" else ""
    return (
        f'<text x="{x:.1f}" y="{y:.1f}" font-size="{size:g}"{anch}{weight} fill="{fill}"'
        f"{extra}>{esc(text)}</text>"
    )


BACKING_OPACITY = 0.92  # a label's or caption's white backing: edges fade out beneath it


def backing_el(box: Box, pad: float = 1.5) -> str:
    """A white rectangle behind a text (``box``, grown by ``pad``), drawn after the edges:
    an edge beneath it fades out instead of striking through the letters (a halo around
    each glyph leaves the gaps between letters open to a thick edge)."""
    b = box.grown(pad)
    return (
        f'<rect class="backing" x="{b.x0:.1f}" y="{b.y0:.1f}" width="{b.x1 - b.x0:.1f}" '
        f'height="{b.y1 - b.y0:.1f}" rx="2" fill="white" fill-opacity="{BACKING_OPACITY:g}"/>'
    )


def label_el(
    lines: Sequence[tuple[str, str]], box: Box, size: float, pad: float, tip: str = ""
) -> str:
    """A label: white backing rectangle, then its lines (text, colour) centred in ``box``;
    ``tip``: its tooltip (an SVG ``<title>``, shown when the pointer rests on it)."""
    cx = (box.x0 + box.x1) / 2
    title = f"<title>{esc(tip)}</title>" if tip else ""
    out = [
        f'<g class="label">{title}<rect x="{box.x0:.1f}" y="{box.y0:.1f}" '
        f'width="{box.x1 - box.x0:.1f}" height="{box.y1 - box.y0:.1f}" rx="3" fill="white" '
        f'fill-opacity="{BACKING_OPACITY:g}"/>'
    ]
    lh = size * (ASCENT + DESCENT) + 1
    for j, (text, color) in enumerate(lines):
        out.append(text_el(cx, box.y0 + pad + ASCENT * size + j * lh, text, size, "middle", color))
    out.append("</g>")
    return "".join(out)


def label_size(lines: Sequence[str], size: float, pad: float) -> tuple[float, float]:
    """(width, height) of a label's box holding ``lines``."""
    lh = size * (ASCENT + DESCENT) + 1
    w = max(text_width(s, size) for s in lines) + 2 * pad
    return w, len(lines) * lh - 1 + 2 * pad


class Placer:
    """Greedy label layout: each label takes its first candidate position whose box
    overlaps no box taken before (node shapes and fixed text are taken up front).

    ``failed`` counts the labels that found no free position (they took the candidate
    with the least overlap); a drawing widens its gaps and tries again while it is > 0.
    """

    def __init__(self, taken: Iterable[Box] = (), margin: float = 2.0) -> None:
        self.taken: list[Box] = list(taken)
        self.margin = margin
        self.failed = 0

    def take(self, box: Box) -> None:
        self.taken.append(box)

    def place(
        self,
        w: float,
        h: float,
        centres: Iterable[tuple[float, float]],
        penalty: Callable[[Box], float] | None = None,
    ) -> Box:
        """The first free candidate box of size (w, h) centred at one of ``centres``;
        with ``penalty``, the free one of least penalty (ties: the earlier one)."""
        best: Box | None = None
        best_cost = float("inf")
        free: list[tuple[float, int, Box]] = []
        for j, (cx, cy) in enumerate(centres):
            b = Box(cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2)
            hits = [t for t in self.taken if b.overlaps(t, self.margin)]
            if not hits:
                if penalty is None:
                    self.taken.append(b)
                    return b
                free.append((penalty(b), j, b))
                continue
            cost = sum(_area(b, t) for t in hits) + 1.0
            if cost < best_cost:
                best, best_cost = b, cost
        if free:
            b = min(free, key=lambda f: (f[0], f[1]))[2]
            self.taken.append(b)
            return b
        assert best is not None, "Placer.place needs at least one candidate"
        self.failed += 1
        self.taken.append(best)
        return best


def _area(a: Box, b: Box) -> float:
    return max(0.0, min(a.x1, b.x1) - max(a.x0, b.x0)) * max(0.0, min(a.y1, b.y1) - max(a.y0, b.y0))


# =====================================================================================
# Reading a finished SVG back
# =====================================================================================
def _num(v: str | None, default: float = 0.0) -> float:
    if v is None:
        return default
    m = re.match(r"-?[\d.]+", v)
    return float(m.group(0)) if m else default


def text_boxes(svg: str) -> list[Box]:
    """The box of every ``<text>`` in an SVG document drawn by glassnet (monospace font,
    positions and font sizes written on each element or its ``<svg>``; translations of
    enclosing groups applied)."""
    if not isinstance(svg, (str, bytes)):
        raise TypeError(
            f"text_boxes: svg must be the SVG document as text (what draw_network and "
            f"draw_graph return). Got {type(svg).__name__}."
        )
    try:
        root = ET.fromstring(svg)
    except ET.ParseError as err:
        raise ValueError(
            f"text_boxes: svg is not an SVG document ({err}); it starts {svg[:40]!r}. Pass "
            "what draw_network or draw_graph returned (or the text of an .svg file)."
        ) from None
    base = _num(root.get("font-size"), 12.0)
    out: list[Box] = []

    def walk(el: ET.Element, dx: float, dy: float) -> None:
        m = re.match(r"translate\(([-\d.]+)[ ,]+([-\d.]+)\)", el.get("transform", ""))
        if m:
            dx, dy = dx + float(m.group(1)), dy + float(m.group(2))
        if el.tag == f"{_NS}text":
            size = _num(el.get("font-size"), base)
            text = "".join(el.itertext())
            if text:
                out.append(
                    text_box(
                        _num(el.get("x")) + dx,
                        _num(el.get("y")) + dy,
                        text,
                        size,
                        el.get("text-anchor", "start"),
                    )
                )
            return
        for child in el:
            walk(child, dx, dy)

    walk(root, 0.0, 0.0)
    return out


def overlapping_texts(svg: str) -> list[tuple[str, str]]:
    """Pairs of texts whose boxes overlap in an SVG drawn by glassnet (empty when the
    layout is clean)."""
    boxes = text_boxes(svg)
    return [(a.text, b.text) for i, a in enumerate(boxes) for b in boxes[i + 1 :] if a.overlaps(b)]


def segment_hits_box(x1: float, y1: float, x2: float, y2: float, b: Box) -> bool:
    """Whether the segment (x1, y1)-(x2, y2) passes through box ``b`` (Liang-Barsky)."""
    t0, t1 = 0.0, 1.0
    dx, dy = x2 - x1, y2 - y1
    for p, q in ((-dx, x1 - b.x0), (dx, b.x1 - x1), (-dy, y1 - b.y0), (dy, b.y1 - y1)):
        if p == 0:
            if q < 0:
                return False
            continue
        r = q / p
        if p < 0:
            t0 = max(t0, r)
        else:
            t1 = min(t1, r)
        if t0 > t1:
            return False
    return True


def segments_hit_box(seg: np.ndarray, b: Box) -> np.ndarray:
    """:func:`segment_hits_box` for many segments at once: ``seg`` of shape (M, 4) holds
    (x1, y1, x2, y2) rows; returns a bool array (M,)."""
    x1, y1, x2, y2 = seg[:, 0], seg[:, 1], seg[:, 2], seg[:, 3]
    dx, dy = x2 - x1, y2 - y1
    t0 = np.zeros(len(seg))
    t1 = np.ones(len(seg))
    ok = np.ones(len(seg), dtype=bool)
    with np.errstate(divide="ignore", invalid="ignore"):
        for p, q in ((-dx, x1 - b.x0), (dx, b.x1 - x1), (-dy, y1 - b.y0), (dy, b.y1 - y1)):
            zero = p == 0
            ok &= ~(zero & (q < 0))
            r = np.where(zero, 0.0, q / np.where(zero, 1.0, p))
            t0 = np.where(~zero & (p < 0), np.maximum(t0, r), t0)
            t1 = np.where(~zero & (p > 0), np.minimum(t1, r), t1)
    return ok & (t0 <= t1)
