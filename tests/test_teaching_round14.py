"""draw_graph names a computed input that has no name of its own by its node's number (#3),
never by a letter (a, b, x) that reads as the learner's own variable, and writes a product
of two numbers with a dot."""

from __future__ import annotations

import math
import re
import xml.etree.ElementTree as ET

import numpy as np

import glassnet as gn
from glassnet import viz
from glassnet.micrograd.engine import Value

SVG = "{http://www.w3.org/2000/svg}"


def _micrograd_example():
    """micrograd's README expression, a = -4 and b = 2 (g = 24.7041...)."""
    a, b = Value(-4.0), Value(2.0)
    c = a + b
    d = a * b + b**3
    c += c + 1
    c += 1 + c + (-a)
    d += d * 2 + (b + a).relu()
    d += 3 * d + (b - a).relu()
    e = c - d
    f = e**2
    g = f / 2.0
    g += 10.0 / f
    g.backward()
    return g


def _nodes(svg: str) -> list[dict]:
    """Each node box: its title (bold), its number (#3, or ""), its value, its tooltip."""
    out = []
    for g in ET.fromstring(svg).iter(f"{SVG}g"):
        if g.get("class") != "node":
            continue
        texts = g.findall(f"{SVG}text")
        title = next(t.text for t in texts if t.get("font-weight") == "bold")
        tags = [t.text for t in texts if t.get("text-anchor") == "end"]
        value = next(t.text for t in texts if (t.text or "").startswith("value "))
        out.append(
            {
                "title": title,
                "tag": tags[0] if tags else "",
                "value": value[len("value ") :],
                "tip": g.find(f"{SVG}title").text,
            }
        )
    return out


def _edge_labels(svg: str) -> list[str]:
    """Each edge label's whole text (its tooltip: 'd(...)/d(...) = LABEL (op ...)')."""
    out = []
    for g in ET.fromstring(svg).iter(f"{SVG}g"):
        if g.get("class") == "label":
            tip = g.find(f"{SVG}title").text
            out.append(re.match(r"d\(.*\)/d\(.*\) = (.*) \(op \w+\)$", tip).group(1))
    return out


def _evaluate(title: str, numbered: dict[str, float]) -> float:
    """A title's formula evaluated, each #n by the value of the node numbered n."""
    py = re.sub(r"#\d+", lambda m: f"({numbered[m.group(0)]!r})", title)
    for old, new in (("·", "*"), ("−", "-"), ("²", "**2"), ("³", "**3"), ("⁻¹", "**-1")):
        py = py.replace(old, new)
    assert re.fullmatch(r"[-+*/(). 0-9eReLU]*", py), (title, py)  # numbers and ReLU only
    return eval(py, {"ReLU": lambda v: max(v, 0.0)})  # noqa: S307 - the test's own text


def test_micrograd_titles_name_computed_inputs_by_their_node_number_and_evaluate():
    """With a = -4 and b = 2, nodes were titled 'a + 1' (value -2), 'a + b' (values -1, 6
    and -7, where the learner's a + b is -2), 'a · 3', 'x²', 'x⁻¹': the letters stood for
    other nodes. Now every title is numbers and #n, the node numbered n in the drawing,
    and each title, evaluated with those nodes' values, gives its node's value."""
    g = _micrograd_example()
    for backward in (False, True):
        svg = viz.draw_graph(g, backward=backward, decimals=9)
        nodes = _nodes(svg)
        titles = [n["title"] for n in nodes]
        assert not [t for t in titles if re.search(r"\b[abxyz]\b", t)], titles
        numbered = {n["tag"]: float(n["value"]) for n in nodes if n["tag"]}
        assert sorted(numbered, key=lambda t: int(t[1:])) == [f"#{i}" for i in range(1, 18)]
        referenced = {r for t in titles for r in re.findall(r"#\d+", t)}
        assert referenced == set(numbered)  # each number shown is named by a title
        for n in nodes:
            want = float(n["value"])
            assert math.isclose(_evaluate(n["title"], numbered), want, abs_tol=1e-6), n
        for n in nodes:  # the tooltip says the number too
            assert n["tip"].startswith(f"{n['tag']} {n['title']}: ") or not n["tag"]
        assert "#1 + 1" in titles and "#13²" in titles and "#14⁻¹" in titles
        # the legend says what #n stands for
        assert "#1, #2, ...: the value of the node with that number" in svg


def test_edge_labels_name_a_computed_input_by_its_number():
    """The backward view's d(#13²)/d(#13) read '2 x = -14' (x: the data?); it reads
    '2 · #13 = -14', the number the node shows."""
    svg = viz.draw_graph(_micrograd_example(), backward=True)
    labels = _edge_labels(svg)
    assert "2 · #13 = -14" in labels and "-1 · #14⁻² = -4.16e-04" in labels
    assert not [t for t in labels if re.search(r"\b[abx]\b", t)], labels
    tags = {n["tag"] for n in _nodes(svg)}
    assert {r for t in labels for r in re.findall(r"#\d+", t)} <= tags


def test_a_sum_squared_is_not_titled_by_its_leafs_name():
    """(x.sum())²: the square was titled 'x²' beside the leaf titled x, value [1, 2] (x² is
    not 9); now '#1²', the sum's node numbered #1, its edge '2 · #1'."""
    s = gn.Tensor([[1.0, 2.0]], requires_grad=True, dtype=np.float64).sum()
    svg = viz.draw_graph(s**2, backward=True)
    nodes = {n["title"]: n for n in _nodes(svg)}
    assert set(nodes) == {"x", "Σ x", "#1²"}
    assert nodes["Σ x"]["tag"] == "#1" and nodes["#1²"]["value"] == "9"
    assert "2 · #1 = 6" in _edge_labels(svg)
    dot = viz.draw_graph(s**2, backward=True, fmt="dot")
    assert 'label="Σ x   #1\\nvalue 3' in dot and 'label="2 · #1 = 6"' in dot


def test_a_named_loss_of_an_unnamed_output_names_it_by_its_number():
    """L = mean ½(x − y)² read as if the loss compared the data x with y; the network's
    output (unnamed) is #1 in the formula, on the loss's edge and on its node."""
    X, y = gn.datasets.logic_gate("xnor")
    net = gn.nn.MLP([2, 2, 1], activation="sigmoid", output_activation="sigmoid", rng=0)
    L = gn.functional.mse(net(X), y.reshape(-1, 1), half=True).named("L")
    svg = viz.draw_graph(L, backward=True)
    nodes = {n["title"]: n for n in _nodes(svg)}
    assert nodes["σ(A W₂ + b₂)"]["tag"] == "#1"
    assert "= mean ½(#1 − y)²" in svg and "(#1 − y)/4" in _edge_labels(svg)
    # named inputs keep their names, and a layer's roles stay (X, W₁, b₁, A, z)
    assert {"X", "W₁", "b₁", "X W₁ + b₁", "σ(X W₁ + b₁)", "A W₂ + b₂", "L"} <= set(nodes)


def test_named_nodes_need_no_number():
    """The lecture's graph, every input named: no number, no legend line about them."""
    x1 = gn.Tensor(1.0, requires_grad=True, label="x1", dtype=np.float64)
    w1 = gn.Tensor(0.5, requires_grad=True, label="w1", dtype=np.float64)
    z = (w1 * x1).named("z1")
    y_hat = gn.functional.sigmoid(z).named("y_hat")
    L = (0.5 * (y_hat - 1.0) ** 2).named("L")
    svg = viz.draw_graph(L, backward=True)
    assert "#" not in "".join(t.text or "" for t in ET.fromstring(svg).iter(f"{SVG}text"))
    assert {n["title"] for n in _nodes(svg)} >= {"z₁", "ŷ", "ŷ − 1", "L"}


def test_a_product_of_two_numbers_has_a_dot():
    """docs/teaching.md: a product of two numbers has a dot; 2 * (-3) was titled '2 (-3)'
    (0 · 1 had one)."""
    out = Value(2.0) * Value(-3.0)
    out.backward()
    titles = [n["title"] for n in _nodes(viz.draw_graph(out))]
    assert titles[-1] == "2 · (-3)"
    ex = viz.graph.expression

    def num(v: float) -> gn.Tensor:
        return gn.Tensor(v, requires_grad=True, dtype=np.float64)

    assert ex(num(-4.0) * num(-1.0)) == "-4 · (-1)" and ex(num(0.5) * num(2.0)) == "0.500 · 2"
    x = gn.Tensor(1.5, requires_grad=True, label="x", dtype=np.float64)
    assert ex(x * num(3.0)) == "x · 3" and ex(x * num(-3.0)) == "x · (-3)"
    assert ex(num(3.0) * x) == "3 x"  # a symbol second: no dot
