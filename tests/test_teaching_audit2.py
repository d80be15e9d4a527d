"""A second audit of the teaching tools, as a lecturer and a student use them: the
pictures read cleanly, and the grader never decides silently."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import numpy as np
import pytest

import glassnet as gn
from glassnet import viz
from glassnet.viz._svg import Box, segment_hits_box, text_box

F64 = np.float64
SVG = "{http://www.w3.org/2000/svg}"


def _num(v: str | None, default: float = 0.0) -> float:
    return default if v is None else float(v.rstrip("px"))


Cover = tuple[int, str, tuple[float, ...]]  # (document position, "rect" or "circle", shape)


def _covered(b: Box, covers: list[Cover], after: int, before: int) -> bool:
    """Whether an opaque shape drawn between positions ``after`` and ``before`` covers
    the text box ``b``: a white backing holding it, or a filled circle around it."""
    for j, kind, c in covers:
        if not after < j < before:
            continue
        if kind == "rect" and (
            c[0] <= b.x0 + 0.5 and c[1] <= b.y0 + 0.5 and c[2] >= b.x1 - 0.5 and c[3] >= b.y1 - 0.5
        ):
            return True
        corners = [(px, py) for px in (b.x0, b.x1) for py in (b.y0, b.y1)]
        if kind == "circle" and all(np.hypot(px - c[0], py - c[1]) <= c[2] for px, py in corners):
            return True
    return False


def struck_texts(svg: str) -> list[str]:
    """The texts of an SVG that an edge drawn before them crosses with nothing opaque
    between: no white backing drawn after the edge covers the text's box, and the text
    is not inside a filled circle drawn after it. (A thin halo around each glyph does
    not count: a thick edge shows between the letters.)"""
    root = ET.fromstring(svg)
    base = _num(root.get("font-size"), 12.0)
    lines: list[tuple[int, tuple[float, float, float, float]]] = []
    covers: list[Cover] = []
    struck = []
    for i, el in enumerate(root.iter()):
        tag = el.tag.replace(SVG, "")
        get = el.get
        if tag == "line":
            x1, y1, x2, y2 = (_num(get(k)) for k in ("x1", "y1", "x2", "y2"))
            lines.append((i, (x1, y1, x2, y2)))
        elif tag == "rect" and get("fill") == "white" and _num(get("fill-opacity"), 1) >= 0.9:
            x, y, w, h = (_num(get(k)) for k in ("x", "y", "width", "height"))
            covers.append((i, "rect", (x, y, x + w, y + h)))
        elif tag == "circle" and get("fill") not in (None, "none"):
            covers.append((i, "circle", tuple(_num(get(k)) for k in ("cx", "cy", "r"))))
        elif tag == "text":
            text = "".join(el.itertext())
            size = _num(get("font-size"), base)
            b = text_box(_num(get("x")), _num(get("y")), text, size, get("text-anchor", "start"))
            hit = [j for j, seg in lines if segment_hits_box(*seg, b.grown(-0.5))]
            if any(not _covered(b, covers, j, i) for j in hit):
                struck.append(text)
    return struck


def lecture_221() -> gn.nn.Sequential:
    net = gn.nn.Sequential(
        gn.nn.Linear(2, 2, bias=False, dtype=F64),
        gn.nn.Sigmoid(),
        gn.nn.Linear(2, 1, bias=False, dtype=F64),
        gn.nn.Sigmoid(),
    )
    net.layers[0].W.data[:] = [[0.5, -0.3], [0.8, 0.2]]
    net.layers[2].W.data[:] = [[1.0], [-1.5]]
    return net


DRAWINGS = {
    # the slides' 2-2-1 (clean before: the checker must not flag a clean picture)
    "lecture 2-2-1 backward": lambda: viz.draw_network(
        lecture_221(), [1.0, 0.5], 1.0, backward=True
    ),
    # a softmax classifier: every z caption (z, b, dL/db) crossed by weight edges
    "3-4-3 softmax backward": lambda: viz.draw_network(
        gn.nn.MLP([3, 4, 3], activation="tanh", output_activation="softmax", rng=0, dtype=F64),
        [0.5, -1.0, 2.0],
        1,
        backward=True,
        loss="cross_entropy",
    ),
    # a wide hidden layer (elided): the inputs' captions lie where 16 edges converge
    "2-20-1 backward": lambda: viz.draw_network(
        gn.nn.MLP([2, 20, 1], activation="sigmoid", output_activation="sigmoid", rng=0),
        [1.0, 1e-7],
        1.0,
        backward=True,
        loss="binary_cross_entropy",
    ),
    "4-6-6-3 backward": lambda: viz.draw_network(
        gn.nn.MLP([4, 6, 6, 3], activation="relu", output_activation="softmax", rng=0),
        [0.5, -1.0, 2.0, 1.0],
        2,
        backward=True,
        loss="cross_entropy",
    ),
    "64-32-10 backward": lambda: viz.draw_network(
        gn.nn.MLP([64, 32, 10], activation="relu", output_activation="softmax", rng=0),
        np.linspace(-1, 1, 64),
        3,
        backward=True,
        loss="cross_entropy",
    ),
    "3-4-2 forward": lambda: viz.draw_network(
        gn.nn.MLP([3, 4, 2], activation="tanh", rng=0, dtype=F64), [0.5, -1.0, 2.0]
    ),
    "64-32-10 forward": lambda: viz.draw_network(
        gn.nn.MLP([64, 32, 10], activation="relu", output_activation="softmax", rng=0),
        np.linspace(0, 1, 64),
    ),
}


@pytest.mark.parametrize("name", list(DRAWINGS))
def test_no_edge_strikes_through_a_caption_or_label(name: str) -> None:
    """A node's captions (its forward value, bias, dL/db) and the '⋮ N more' marker sit
    on a white backing drawn over the edges, as the edge labels do: with only a 3-px
    halo round each glyph, a 4-px edge showed between the letters and the caption
    under a node where many edges converge (an input of a wide layer, 'x₁ = 1') could
    not be read."""
    svg = DRAWINGS[name]()
    assert struck_texts(svg) == []
    assert viz.overlapping_texts(svg) == []


def test_the_checker_sees_a_struck_caption() -> None:
    """The checker itself: a text drawn over an edge with no backing is reported."""
    svg = (
        '<svg xmlns="http://www.w3.org/2000/svg" width="200" height="100" font-size="12">'
        '<rect x="0" y="0" width="200" height="100" fill="white"/>'
        '<line x1="0" y1="50" x2="200" y2="50" stroke="red" stroke-width="4"/>'
        '<text x="100" y="54" font-size="12" text-anchor="middle" stroke="white" '
        'stroke-width="3" paint-order="stroke">x₁ = 1</text>'
        '<rect x="10" y="70" width="60" height="20" fill="white" fill-opacity="0.92"/>'
        "</svg>"
    )
    assert struck_texts(svg) == ["x₁ = 1"]
    backing = '<rect x="70" y="40" width="60" height="20" fill="white" fill-opacity="0.92"/>'
    backed = svg.replace("<text", backing + "<text")
    assert struck_texts(backed) == []
