"""Drawings, round 26: arrowheads drawn in place, with no marker and no id (two drawings on
one HTML page each keep their own arrowheads), constants of non-scalar graphs written,
viz.save's paths and texts, and a few rough edges (long titles, one array style, the
dashed line's legend handle, the elision note's inputs)."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from pathlib import Path

import numpy as np
import pytest
from browser_helpers import needs_browser

import glassnet as gn
from glassnet import viz

F64 = np.float64


def _scalar_graph():
    a = gn.Tensor(2.0, requires_grad=True, label="a")
    b = gn.Tensor(-3.0, requires_grad=True, label="b")
    return (a * b).named("L")


def _net() -> gn.nn.Module:
    net = gn.nn.MLP([2, 2, 1], activation="sigmoid", output_activation="sigmoid", dtype=F64)
    net.layers[0].W.data[:] = [[4, -4], [4, -4]]
    net.layers[0].b.data[:] = [-6, 2]
    net.layers[2].W.data[:] = [[1], [1]]
    net.layers[2].b.data[:] = [-0.5]
    return net


def _heads(svg: str) -> list[tuple[float, float, float, float, float, float]]:
    """Each arrow head's three corners (base, tip, base)."""
    out = []
    for d in re.findall(r'<path class="arrow" d="([^"]+)"', svg):
        out.append(tuple(float(v) for v in re.findall(r"-?[0-9.]+", d)))
    return out


# ------------------------------------------------------------- 1. arrows on one page
def test_arrow_heads_are_drawn_in_place_pointing_the_right_way() -> None:
    """Every draw_graph used a <marker id="gn-arrow"> and every backward draw_network
    "gn-arrow-bw": on one HTML page the second drawing's arrows took the first's marker.
    Now the heads are drawn in place (no ids), and a drawing stays byte-identical."""
    L = _scalar_graph()
    fwd, bwd = viz.draw_graph(L), viz.draw_graph(L, backward=True)
    net = viz.draw_network(_net(), [0, 0], 1, backward=True)
    for svg in (fwd, bwd, net):
        assert "marker" not in svg and " id=" not in svg
        ET.fromstring(svg)
    assert len(_heads(fwd)) == len(_heads(bwd)) == 2  # a*b: two edges
    assert all(tip_x > base_x for base_x, _, tip_x, *_ in _heads(fwd))  # to the result
    assert all(tip_x < base_x for base_x, _, tip_x, *_ in _heads(bwd))  # back to the inputs
    assert 'fill="#c0392b"' in re.findall(r'<path class="arrow"[^>]+>', bwd)[0]
    assert len(_heads(net)) == net.count("<line ") == 10  # one head per edge
    assert 'class="arrow"' not in viz.draw_network(_net(), [0, 0])
    assert viz.draw_graph(_scalar_graph(), backward=True) == bwd
    assert viz.draw_network(_net(), [0, 0], 1, backward=True) == net


_TIPS = """() => [...document.querySelectorAll('svg')].map((svg, k) => {
  const visible = svg.getBoundingClientRect().width > 0;
  return {k, visible, tips: [...svg.querySelectorAll('path.arrow')].map(el => {
    const [x, y] = el.getAttribute('d').split(' ')[1].slice(1).split(',').map(Number);
    const m = el.getScreenCTM();
    return m ? [m.a * x + m.c * y + m.e + window.scrollX, m.b * x + m.d * y + m.f + window.scrollY]
             : [0, 0];
  })};
})"""


@needs_browser
def test_two_drawings_on_one_page_keep_their_own_arrowheads(browser, tmp_path: Path) -> None:
    """The audit's page: a hidden forward graph, a backward graph, the same forward graph
    again, then two backward networks, the first hidden. The backward graph's heads were
    grey (the forward's marker), the later forward graph and the second network had none
    (their marker was in a hidden drawing). One page load, one screenshot: around every
    tip of a visible drawing, a filled head of its own colour."""
    from PIL import Image

    L = _scalar_graph()
    fwd, bwd = viz.draw_graph(L), viz.draw_graph(L, backward=True)
    net1 = viz.draw_network(_net(), [0, 0], 1, backward=True)
    net2 = viz.draw_network(_net(), [1, 1], 1, backward=True)
    hide = '<div style="display:none">{}</div>'
    page_html = (
        "<!doctype html><html><body style='margin:0;background:white'>"
        + hide.format(fwd) + bwd + fwd + hide.format(net1) + net2 + "</body></html>"
    )  # fmt: skip
    path = tmp_path / "two.html"
    path.write_text(page_html, encoding="utf-8")
    ctx = browser.new_context(viewport={"width": 1200, "height": 800})
    try:
        page = ctx.new_page()
        page.goto(path.as_uri())
        svgs = page.evaluate(_TIPS)
        shot = tmp_path / "two.png"
        page.screenshot(path=str(shot), full_page=True)
    finally:
        ctx.close()
    visible = [s for s in svgs if s["visible"]]
    assert [s["k"] for s in visible] == [1, 2, 4]
    img = np.asarray(Image.open(shot).convert("RGB")).astype(int)

    def count(tip: list[float], test) -> int:
        x, y = round(tip[0]), round(tip[1])
        box = img[max(y - 6, 0) : y + 7, max(x - 6, 0) : x + 7]
        return int(np.count_nonzero(test(box[..., 0], box[..., 1], box[..., 2])))

    def red(r, g, b):
        return (r > 150) & (g < 110) & (b < 110)

    def dark(r, g, b):
        return (r < 120) & (g < 120) & (b < 120)

    bwd_tips, fwd_tips, net_tips = (visible[j]["tips"] for j in range(3))
    assert len(bwd_tips) == len(fwd_tips) == 2 and len(net_tips) == 10
    # a filled head of 10 px (the 1.3-px line alone: about 10 pixels of the box)
    assert all(count(t, red) >= 18 for t in bwd_tips), [count(t, red) for t in bwd_tips]
    assert all(count(t, red) == 0 for t in fwd_tips), [count(t, red) for t in fwd_tips]
    assert all(count(t, dark) >= 18 for t in fwd_tips), [count(t, dark) for t in fwd_tips]
    assert all(count(t, dark) >= 25 for t in net_tips), [count(t, dark) for t in net_tips]


# ---------------------------------------------------- 2. constants of non-scalar graphs
def _texts(svg: str) -> list[str]:
    return [t for t in re.findall(r">([^<]+)<", svg) if t.strip()]


def test_constants_of_vector_graphs_are_written() -> None:
    """(x + 2.5) * 3 for a vector x drew both constants as 'c'; 2.5 and 3 were nowhere."""
    x = gn.Tensor([1.0, 2.0], requires_grad=True, label="x")
    svg = viz.draw_graph((x + 2.5) * 3, backward=True)
    texts = _texts(svg)
    assert any(re.search(r"x \+ 2\.5(00)?$", t) for t in texts), texts
    assert any(t.startswith("3 ") or t == "3" for t in texts), texts  # "3 · #1" / edge "3"
    assert not any(re.search(r"(^|\W)c(\W|$)", t) for t in texts), texts
    y = gn.Tensor([1.0, 2.0], requires_grad=True, label="y")
    texts = _texts(viz.draw_graph(y * np.array([2.0, 3.0]) - 1, backward=True))
    assert any("[2, 3]" in t for t in texts), texts
    assert any("− 1" in t for t in texts), texts
    texts = _texts(viz.draw_graph(y / 4, backward=True))
    assert "y/4" in texts and "1/4" in texts, texts
    texts = _texts(viz.draw_graph(y * 0 + y, backward=True))
    assert "0 y" in texts, texts
    # a scalar graph reads as before
    s = gn.Tensor(2.0, requires_grad=True, label="s")
    assert "3 s" in _texts(viz.draw_graph(s * 3))


# --------------------------------------------------------------------- 3-5. viz.save
def test_save_refuses_a_folder_path_and_svg_text_under_another_suffix(tmp_path: Path) -> None:
    """save(svg, "newdir2/") wrote a file named newdir2; SVG under .md or no suffix was
    written silently."""
    from glassnet.files import WriteError

    svg = viz.draw_graph(_scalar_graph())
    dot = viz.draw_graph(_scalar_graph(), fmt="dot")
    with pytest.raises(ValueError, match="ends in a separator.*a file name inside it"):
        viz.save(svg, str(tmp_path / "newdir2") + "/")
    with pytest.raises(WriteError, match="it is a directory"):
        viz.save(svg, tmp_path)
    for name in ("x.md", "x", "x.txt"):
        with pytest.raises(ValueError, match=r"SVG text.*save it as \.svg"):
            viz.save(svg, tmp_path / name)
    with pytest.raises(ValueError, match=r"DOT text.*save it as \.dot or \.gv"):
        viz.save(dot, tmp_path / "x.txt")
    assert not list(tmp_path.iterdir())
    assert viz.save(svg, tmp_path / "a" / "g.svg").read_text() == svg
    assert viz.save(dot, tmp_path / "g.gv").read_text() == dot
    assert viz.save("| a |\n|---|\n", tmp_path / "t.md").read_text() == "| a |\n|---|\n"


def test_save_calls_only_dot_text_dot(tmp_path: Path) -> None:
    """'graph theory notes' was called DOT text."""
    with pytest.raises(ValueError, match="neither SVG nor DOT.*'graph theory notes'"):
        viz.save("graph theory notes", tmp_path / "notes.svg")
    with pytest.raises(ValueError, match="neither SVG nor DOT"):
        viz.save("strictly speaking", tmp_path / "notes.dot")
    for text in ("digraph {\n}\n", 'strict graph "g" {}', "digraph G{a->b}", "GRAPH x {}"):
        with pytest.raises(ValueError, match="this drawing is DOT text"):
            viz.save(text, tmp_path / "x.svg")
        assert viz.save(text, tmp_path / "x.dot").read_text() == text


# ------------------------------------------------------------------- 5. rough edges
def test_a_long_title_wraps_and_does_not_widen_the_drawing() -> None:
    title = "A very long title " * 20
    net = _net()
    for draw in (
        lambda t: viz.draw_network(net, [0, 0], title=t),
        lambda t: viz.draw_network(net, [0, 0], 1, backward=True, title=t),
    ):
        plain, long = draw(""), draw(title)
        w0 = float(ET.fromstring(plain).get("width"))
        w1 = float(ET.fromstring(long).get("width"))
        assert w1 <= max(w0, 480), (w0, w1)
        words = {"A", "very", "long", "title"}
        lines = [t for t in _texts(long) if set(t.split()) <= words and t != title]
        assert len(lines) > 1
        assert " ".join(ln.strip() for ln in lines) == title.strip()
        assert not viz.overlapping_texts(long)


def test_draw_graph_writes_matrices_and_vectors_in_one_style() -> None:
    """b₁ read [0.013, 0.021] (commas) beside W₁'s [0.007 0.013] (no commas)."""
    W = gn.Tensor([[0.335, -0.564], [0.1, 0.2]], requires_grad=True, label="W")
    b = gn.Tensor([0.013, 0.021], requires_grad=True, label="b")
    x = gn.Tensor([[1.0, 2.0]], label="x")
    texts = _texts(viz.draw_graph(((x @ W) + b).sum(), backward=True))
    assert "value [0.013, 0.021]" in " ".join(texts)
    assert "value [0.335, -0.564]" in texts, texts  # (not [0.335 -0.564])
    assert "[0.100,  0.200]" in [t.strip() for t in texts], texts  # (the columns aligned)


def test_dashed_line_legend_handle_is_a_dark_bar_with_white_dashes() -> None:
    """The white dashes' legend handle, outlined dash by dash, read '==:'."""
    pytest.importorskip("matplotlib")
    import matplotlib.pyplot as plt

    X = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], dtype=F64)
    fig = viz.plot_neuron_outputs(_net(), X, np.array([1, 0, 0, 1]))
    try:
        leg = fig.legends[0]
        labels = [t.get_text() for t in leg.get_texts()]
        assert labels[-1] == "z = 0"
        handle = leg.legend_handles[-1]
        assert not handle.get_path_effects()  # no outline around each dash
        fig.canvas.draw()
        img = np.asarray(fig.canvas.buffer_rgba())[..., :3].astype(int)
        box = handle.get_window_extent(fig.canvas.get_renderer())
        h = img.shape[0]
        y = round(h - (box.y0 + box.y1) / 2)
        row = img[y, int(box.x0) + 1 : int(box.x1) - 1]
        dark = row.max(axis=-1) < 120
        light = row.min(axis=-1) > 200  # (white dashes, antialiased at 100 dpi)
        # a dark bar with light dashes in it: dark, light, dark, light... along the row
        changes = np.count_nonzero(dark[1:] != dark[:-1])
        assert dark.any() and light.any() and changes >= 3, row
    finally:
        plt.close(fig)


def test_elision_note_calls_inputs_inputs() -> None:
    net = gn.nn.MLP([100, 3, 1], rng=0)
    svg = viz.draw_network(net)
    assert "input: 8 of 100 inputs drawn." in svg, _texts(svg)[-3:]
    net = gn.nn.MLP([64, 32, 1], rng=0)
    assert "input: 8 of 64 inputs, hidden 1: 8 of 32 neurons drawn." in viz.draw_network(net)


# ------------------------------------------------- review rev26g: constants, viz.save
def _formulas(y: gn.Tensor) -> list[str]:
    return [t for t in _texts(viz.draw_graph(y)) if not t.startswith(("value", "grad", "shape"))]


def test_a_tensor_constant_is_read_from_the_operand_not_from_every_entry(monkeypatch) -> None:
    """draw_graph of a 300x300 tensor times a number snapped every entry in Python, several
    times per node (0.03 s -> 7 s). The constant is the op's own operand: the entries are
    never looked at (a graph of 90,000 entries makes as many rounding calls as one of 4)."""
    from glassnet.viz import graph

    calls = []
    snap = graph._snap
    monkeypatch.setattr(graph, "_snap", lambda *a: calls.append(1) or snap(*a))
    counts = []
    for n in (2, 300):
        x = gn.Tensor(np.ones((n, n), np.float32), requires_grad=True, label="x")
        calls.clear()
        texts = _texts(viz.draw_graph(((x * 3 + 0.5) / 4).sum(), backward=True))
        assert "3 x + 0.500" in texts and "1/4" in texts, texts
        counts.append(len(calls))
    assert counts[0] == counts[1] <= 4, counts
    # the number comes from the code, not from the values (changed after the op here)
    x = gn.Tensor([1.0, 2.0], requires_grad=True, label="x")
    y = x * 3
    y.data[:] = np.nan
    assert "3 x" in _formulas(y)


def test_a_small_constant_on_a_float32_tensor_is_not_drawn_as_0() -> None:
    """(x + 1e-7).log() read log (x + 0); [1000, 1] + 0.001 read x + [0, 0.001]."""
    x = gn.Tensor([0.5, 0.9], requires_grad=True, label="x")
    assert x.data.dtype == np.float32
    texts = _formulas((x + 1e-7).log())
    assert "log (x + 1.00e-07)" in texts and "x + 0" not in texts, texts
    xb = gn.Tensor([1000.0, 1.0], requires_grad=True, label="x")
    assert "x + 0.001" in _formulas(xb + 0.001)
    big = gn.Tensor(np.array([1e8, 1.0], np.float32), requires_grad=True, label="x")
    assert "x + 2.500" in _formulas(big + 2.5)
    s = gn.Tensor(0.5, requires_grad=True, label="s")  # the scalar path too
    assert "s + 1.00e-07" in _formulas(s + 1e-7)
    assert "1.00e-07 s" in _formulas(s * 1e-7)
    assert "0.100 s" in _formulas(s * 0.1)  # (not float32's 0.1000000015)


def test_a_broadcast_constant_is_written_in_its_own_shape() -> None:
    """X + [1, 2] read x + [1, 2, 1, 2]; a 2x2 constant read [1, 2, 3, 4] x."""
    X = gn.Tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True, label="x")
    assert "x + [1, 2]" in _formulas(X + np.array([1.0, 2.0]))
    assert "x + [[1], [2]]" in _formulas(X + np.array([[1.0], [2.0]]))
    texts = _texts(viz.draw_graph(X * np.array([[1.0, 2.0], [3.0, 4.0]]), backward=True))
    assert "[[1, 2], [3, 4]] x" in texts, texts
    flat = [t for t in texts if "1, 2, 3" in t or "1, 2, 1" in t]
    assert not flat, flat
    # a larger constant is c with its shape, never flattened
    texts = _formulas(X * np.arange(1.0, 7.0).reshape(3, 1, 2))
    assert any("c₃ₓ₁ₓ₂" in t for t in texts), texts
    x = gn.Tensor([1.0, 2.0], requires_grad=True, label="x")
    assert "x + 2.500" in _formulas(x + 2.5) and "[2, 3] x" in _formulas(x * [2.0, 3.0])


def test_save_svg_to_html_xml_that_is_not_svg_and_dot_grammar(tmp_path: Path) -> None:
    svg = viz.draw_graph(_scalar_graph())
    # an SVG in an .html file shows in every browser: written (documented in save)
    assert viz.save(svg, tmp_path / "slide.html").read_text() == svg
    assert viz.save(svg, tmp_path / "slide.htm").read_text() == svg
    # XML that is not SVG is other text: written under its own suffix, not called SVG
    plist = '<?xml version="1.0"?><plist/>'
    assert viz.save(plist, tmp_path / "a.xml").read_text() == plist
    with pytest.raises(ValueError, match="neither SVG nor DOT"):
        viz.save(plist, tmp_path / "a.svg")
    lead = '<?xml version="1.0"?>\n<!-- made by hand -->\n<svg xmlns="http://www.w3.org/2000/svg"/>'
    with pytest.raises(ValueError, match="this drawing is SVG text"):
        viz.save(lead, tmp_path / "a.xml")
    assert viz.save(lead, tmp_path / "a.svg").read_text() == lead
    # DOT: a keyword, then whitespace before a bare ID; an HTML ID <...> is an ID
    for text in ("digraph <<b>G</b>> {}", 'graph"g"{}', "digraph\tG {}"):
        assert viz.save(text, tmp_path / "h.dot").read_text() == text
    for text in ("graphfoo {", "digraphG{}", "digraph <b>G</b> {"):
        with pytest.raises(ValueError, match="neither SVG nor DOT"):
            viz.save(text, tmp_path / "h.dot")


def test_save_a_folder_path_is_a_value_error_for_every_drawing(tmp_path: Path) -> None:
    """A path ending in '/' for a figure or a Tensor raised WriteError (an OSError) where
    it raised ValueError before: a bad path argument is a ValueError, as the others."""
    y = _scalar_graph()
    for drawing in (y, viz.draw_graph(y)):
        with pytest.raises(ValueError, match="ends in a separator"):
            viz.save(drawing, str(tmp_path / "plots") + "/")
    pytest.importorskip("matplotlib")
    import matplotlib.pyplot as plt

    fig = plt.figure()
    try:
        with pytest.raises(ValueError, match="ends in a separator.*plot.png"):
            viz.save(fig, str(tmp_path / "plots") + "/")
    finally:
        plt.close(fig)
    assert not list(tmp_path.iterdir())


def test_save_dot_after_comments_and_svg_after_a_byte_order_mark(tmp_path: Path) -> None:
    """DOT allows comments before the graph; an SVG file's text may begin with a BOM."""
    for text in ("// c\ndigraph G { a -> b }", "/* c */ digraph G { a -> b }", "# 1\ngraph {}"):
        assert viz.save(text, tmp_path / "c.dot").read_text() == text
        with pytest.raises(ValueError, match="this drawing is DOT text"):
            viz.save(text, tmp_path / "c.svg")
    svg = "\ufeff" + viz.draw_graph(_scalar_graph())
    assert viz.save(svg, tmp_path / "b.svg").read_text() == svg
    with pytest.raises(ValueError, match="neither SVG nor DOT"):
        viz.save("// just a comment", tmp_path / "c.dot")
