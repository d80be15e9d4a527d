"""glassnet.explain: the lecture's numbers, checked against hand formulas and autodiff."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

import numpy as np
import pytest

import glassnet as gn
from glassnet import functional as F
from glassnet.explain import Explanation, explain

F64 = np.float64


def lecture_net(w: list[float]) -> gn.nn.Sequential:
    """The slides' 2-2-1 network without biases: z1 = w1 x1 + w3 x2, z2 = w2 x1 + w4 x2,
    z3 = w5 a1 + w6 a2 (W of shape (inputs, neurons), numbered row by row)."""
    net = gn.nn.Sequential(
        gn.nn.Linear(2, 2, bias=False, dtype=F64),
        gn.nn.Sigmoid(),
        gn.nn.Linear(2, 1, bias=False, dtype=F64),
        gn.nn.Sigmoid(),
    )
    net.layers[0].W.data[:] = [[w[0], w[1]], [w[2], w[3]]]
    net.layers[2].W.data[:] = [[w[4]], [w[5]]]
    return net


def xnor_net() -> gn.nn.MLP:
    """The slides' XNOR network: a1 = sigma(-6 + 4x1 + 4x2), a2 = sigma(2 - 4x1 - 4x2)."""
    net = gn.nn.MLP([2, 2, 1], activation="sigmoid", output_activation="sigmoid", dtype=F64)
    net.layers[0].W.data[:] = [[4, -4], [4, -4]]
    net.layers[0].b.data[:] = [-6, 2]
    net.layers[2].W.data[:] = [[1], [1]]
    net.layers[2].b.data[:] = [-0.5]
    return net


def sig(z: float) -> float:
    return 1.0 / (1.0 + np.exp(-z))


def md_table(md: str, first_header: str) -> list[dict[str, str]]:
    """Parse the Markdown pipe table whose first header cell is ``first_header``."""
    lines = md.splitlines()
    for i, line in enumerate(lines):
        cells = [c.strip().strip("`") for c in line.strip().strip("|").split("|")]
        if line.startswith("|") and cells[0] == first_header:
            rows = []
            for row in lines[i + 2 :]:
                if not row.startswith("|"):
                    break
                vals = [c.strip().strip("`") for c in row.strip().strip("|").split("|")]
                rows.append(dict(zip(cells, vals)))
            return rows
    raise AssertionError(f"no table starting with {first_header!r}")


# ------------------------------------------------------------------ the lecture's 2-2-1
W6 = [0.5, -0.3, 0.8, 0.2, 1.0, -1.5]
X1, X2, Y = 1.0, 0.5, 1.0


def hand_221() -> dict[str, float]:
    """The slides' formulas, written out by hand for the 2-2-1 network."""
    w1, w2, w3, w4, w5, w6 = W6
    z1, z2 = w1 * X1 + w3 * X2, w2 * X1 + w4 * X2
    a1, a2 = sig(z1), sig(z2)
    z3 = w5 * a1 + w6 * a2
    yh = sig(z3)
    g = {k: sig(v) * (1 - sig(v)) for k, v in {"z1": z1, "z2": z2, "z3": z3}.items()}
    dz3 = (yh - Y) * g["z3"]
    dz1 = dz3 * w5 * g["z1"]
    dz2 = dz3 * w6 * g["z2"]
    return {
        "z1": z1,
        "z2": z2,
        "z3": z3,
        "a1": a1,
        "a2": a2,
        "y_hat": yh,
        "L": 0.5 * (yh - Y) ** 2,
        "dL/dy_hat": yh - Y,
        "dz3": dz3,
        "dz1": dz1,
        "dz2": dz2,
        # dL/dx1 = (y_hat - y) g'(z3) w5 g'(z1) w1 + (y_hat - y) g'(z3) w6 g'(z2) w2
        "dx1": (yh - Y) * g["z3"] * w5 * g["z1"] * w1 + (yh - Y) * g["z3"] * w6 * g["z2"] * w2,
        "dx2": dz1 * w3 + dz2 * w4,
        "w1": dz1 * X1,
        "w2": dz2 * X1,
        "w3": dz1 * X2,
        "w4": dz2 * X2,
        "w5": dz3 * a1,
        "w6": dz3 * a2,
    }


def autodiff_221() -> dict[str, float]:
    """The same network as a graph of scalar glassnet Tensors; backward() fills .grad."""
    x1 = gn.Tensor(X1, requires_grad=True, dtype=F64, label="x1")
    x2 = gn.Tensor(X2, requires_grad=True, dtype=F64, label="x2")
    w = [gn.Tensor(v, requires_grad=True, dtype=F64, label=f"w{i + 1}") for i, v in enumerate(W6)]
    z1 = (w[0] * x1 + w[2] * x2).named("z1").retain_grad()
    z2 = (w[1] * x1 + w[3] * x2).named("z2").retain_grad()
    a1, a2 = F.sigmoid(z1), F.sigmoid(z2)
    z3 = (w[4] * a1 + w[5] * a2).named("z3").retain_grad()
    yh = F.sigmoid(z3)
    L = 0.5 * (yh - Y) ** 2
    L.backward()
    out = {f"w{i + 1}": float(t.grad) for i, t in enumerate(w)}
    out.update(
        dx1=float(x1.grad),
        dx2=float(x2.grad),
        dz1=float(z1.grad),
        dz2=float(z2.grad),
        dz3=float(z3.grad),
        L=float(L.data),
    )
    return out


def test_221_forward_matches_the_slides_formulas() -> None:
    e = explain(lecture_net(W6), [X1, X2], Y)
    h = hand_221()
    for name in ("z1", "z2", "z3", "a1", "a2", "y_hat"):
        assert e.value(name)[0] == pytest.approx(h[name], rel=1e-12)
    assert e.loss == pytest.approx(h["L"], rel=1e-12)
    assert e.dL_dyhat[0, 0] == pytest.approx(h["dL/dy_hat"], rel=1e-12)


def test_221_gradients_match_hand_formulas_and_autodiff() -> None:
    e = explain(lecture_net(W6), [X1, X2], Y)
    h, ad = hand_221(), autodiff_221()
    assert ad["L"] == pytest.approx(e.loss, rel=1e-12)
    for k in ("dz1", "dz2", "dz3"):
        assert e.gradient(k[1:])[0] == pytest.approx(h[k], rel=1e-10)
        assert e.gradient(k[1:])[0] == pytest.approx(ad[k], rel=1e-10)
    for k in ("dx1", "dx2"):
        assert e.gradient(k[1:])[0] == pytest.approx(h[k], rel=1e-10)
        assert e.gradient(k[1:])[0] == pytest.approx(ad[k], rel=1e-10)
    for i in range(1, 7):
        assert e.gradient(f"w{i}") == pytest.approx(h[f"w{i}"], rel=1e-10)
        assert e.gradient(f"w{i}") == pytest.approx(ad[f"w{i}"], rel=1e-10)


def test_221_paths_are_the_slides_expression() -> None:
    e = explain(lecture_net(W6), [X1, X2], Y, notation="ascii")
    p = e.paths("x1")
    assert p.symbolic == ("(y_hat - y) g'(z3) w5 g'(z1) w1 + (y_hat - y) g'(z3) w6 g'(z2) w2")
    assert p.total_terms == 2
    assert sum(p.products) == pytest.approx(hand_221()["dx1"], rel=1e-12)
    assert e.paths("z1").symbolic == "(y_hat - y) g'(z3) w5 g'(z1)"
    assert e.paths("a1").symbolic == "(y_hat - y) g'(z3) w5"
    assert e.paths("w1").symbolic == "(y_hat - y) g'(z3) w5 g'(z1) x1"
    assert e.paths("w5").symbolic == "(y_hat - y) g'(z3) a1"
    assert e.paths("y_hat").symbolic == "(y_hat - y)"
    # the rendered output carries the expression, the numbers and each step
    text = str(explain(lecture_net(W6), [X1, X2], Y, paths=True, notation="ascii"))
    assert "dL/dx1 = (y_hat - y) g'(z3) w5 g'(z1) w1 + (y_hat - y) g'(z3) w6 g'(z2) w2" in text
    for needle in (
        "w1*x1 + w3*x2",
        "0.500*1 + 0.800*0.500",
        "Step 1",
        "Step 2",
        "Step 3",
        "y_hat - y = 0.509 - 1 = -0.491",
        "g'(z3) = y_hat (1 - y_hat)",
        "dL/dz1 * w1 + dL/dz2 * w2",
        "dL/dz1 * x1",
    ):
        assert needle in text, needle


def test_221_rendered_numbers_are_the_computed_ones() -> None:
    e = explain(lecture_net(W6), [X1, X2], Y, lr=0.5)
    md = e.to_markdown(notation="ascii")
    h = hand_221()
    fwd = {r["neuron"]: r for r in md_table(md, "neuron")}
    assert fwd["z1"]["z"] == f"{h['z1']:.3f}"
    assert fwd["z3"]["a"] == f"{h['y_hat']:.3f}"
    wg = {r["weight"]: r for r in md_table(md, "weight")}
    for i in range(1, 7):
        assert float(wg[f"w{i}"]["dL/dw"]) == pytest.approx(h[f"w{i}"], abs=6e-4)
    step = md_table(md, "weight")  # the first 'weight' table: dL/dw; the step table is next
    assert step
    preview = e.step()
    for i in range(1, 7):
        w, g, new = preview[f"w{i}"]
        assert w == W6[i - 1]
        assert new == pytest.approx(W6[i - 1] - 0.5 * h[f"w{i}"], rel=1e-12)


# ------------------------------------------------------------------------------ XNOR
def test_xnor_hidden_table_appears_in_every_rendering() -> None:
    X, y = gn.datasets.xnor_gate()
    e = explain(xnor_net(), X, y, notation="ascii")
    np.testing.assert_allclose(
        e.A[0].round(3), [[0.002, 0.881], [0.119, 0.119], [0.119, 0.119], [0.881, 0.002]]
    )
    rows = md_table(e.to_markdown(notation="ascii"), "#")
    got = [(r["a1"], r["a2"]) for r in rows]
    assert got == [("0.002", "0.881"), ("0.119", "0.119"), ("0.119", "0.119"), ("0.881", "0.002")]
    text = str(e)
    assert "z1 = -6 + 4*x1 + 4*x2" in text
    assert "z2 = 2 + (-4)*x1 + (-4)*x2" in text
    for line, (a1, a2) in zip(
        [ln for ln in text.splitlines() if ln[:2] in ("1 ", "2 ", "3 ", "4 ")], got
    ):
        assert a1 in line and a2 in line
    html = e.to_html()
    assert e._repr_html_() == e.to_html(notation="latex") and r"\(a_{1}\)" in e._repr_html_()
    root = ET.fromstring(f"<root>{html}</root>")  # well-formed
    cells = [td.text for td in root.iter("td")]
    assert "0.002" in cells and "0.881" in cells
    # the predictions follow the slide: XNOR is right at all four corners
    assert ((e.y_hat[:, 0] > 0.5) == (y > 0.5)).all()


# ------------------------------------------------------------------- against autodiff
def autodiff_grads(model, X, Y, loss):
    """Gradients from glassnet's autodiff on the same model and loss."""
    model.zero_grad()
    for p in model.parameters():
        p.grad = None
    xt = gn.Tensor(X, requires_grad=True, dtype=F64)
    out = model.eval()(xt)
    if loss == "half_mse":
        L = F.mse(out, Y, half=True)
    elif loss == "mse":
        L = F.mse(out, Y)
    elif loss == "binary_cross_entropy":
        L = F.binary_cross_entropy(out, Y)
    elif loss == "binary_cross_entropy_with_logits":
        L = F.binary_cross_entropy_with_logits(out, Y)
    elif loss == "cross_entropy" and model.layers[-1].__class__.__name__ == "Softmax":
        T = gn.Tensor(F.one_hot(Y, out.shape[1], dtype=F64))
        L = -(T * out.log()).sum(axis=1).mean()  # through softmax's Jacobian
    else:
        L = F.cross_entropy(out, Y)
    L.backward()
    lins = [m for m in model.layers if isinstance(m, gn.nn.Linear)]
    return float(L.data), xt.grad, [(m.W.grad, None if m.b is None else m.b.grad) for m in lins]


CASES = [
    # sizes, hidden activation, output activation, loss, batch
    ([2, 2, 1], "sigmoid", "sigmoid", "half_mse", 1),
    ([3, 4, 2], "tanh", "identity", "mse", 5),
    ([2, 3, 3, 1], "relu", "sigmoid", "binary_cross_entropy", 4),
    ([2, 3, 1], "leaky_relu", "identity", "binary_cross_entropy_with_logits", 3),
    ([4, 5, 3], "tanh", "softmax", "cross_entropy", 6),
    ([3, 4, 3], "sigmoid", "identity", "cross_entropy", 2),
    ([2, 3, 3], "relu", "softmax", "half_mse", 3),  # softmax Jacobian with a squared error
    ([2, 3, 2], "tanh", "leaky_relu", "mse", 4),  # g'(z) = alpha on the output layer too
]


@pytest.mark.parametrize("sizes,act,out,loss,n", CASES)
def test_gradients_equal_autodiff(sizes, act, out, loss, n) -> None:
    rng = np.random.default_rng(sum(sizes) + n)
    model = gn.nn.MLP(sizes, activation=act, output_activation=out, rng=rng, dtype=F64)
    for m in model.layers:
        if isinstance(m, gn.nn.Linear):
            m.b.data[:] = rng.normal(0, 0.5, m.b.shape)
    X = rng.normal(size=(n, sizes[0]))
    K = sizes[-1]
    if loss == "cross_entropy":
        y = rng.integers(0, K, n)
        Y = F.one_hot(y, K, dtype=F64)
    elif "binary" in loss:
        Y = rng.integers(0, 2, (n, K)).astype(F64)
        y = Y
    else:
        Y = rng.normal(size=(n, K))
        y = Y
    e = explain(model, X if n > 1 else X[0], y if n > 1 else y[0], loss=loss)
    L, gx, grads = autodiff_grads(model, X, y if loss == "cross_entropy" else Y, loss)
    assert e.loss == pytest.approx(L, rel=1e-9)
    np.testing.assert_allclose(e.dL_dx, gx, rtol=1e-8, atol=1e-12)
    for (gw, gb), ew, eb in zip(grads, e.grad_W, e.grad_b):
        np.testing.assert_allclose(ew, gw, rtol=1e-8, atol=1e-12)
        np.testing.assert_allclose(eb, gb, rtol=1e-8, atol=1e-12)
    # every path sum adds up to its gradient (all paths, for data point 0)
    for name in e.names.x + [e.names.w[0][0][0], e.names.z[0][-1], e.names.a[0][0]]:
        p = e.paths(name, max_terms=10_000)
        assert p.total_terms == len(p.terms)
        assert p.value == pytest.approx(sum(p.products), rel=1e-8, abs=1e-14)
        g = e.gradient(name)
        if not isinstance(g, float):
            assert p.value == pytest.approx(g[0], rel=1e-12, abs=1e-15)
        elif n == 1:
            assert p.value == pytest.approx(g, rel=1e-12, abs=1e-15)


def test_intermediate_gradients_equal_autodiff_retain_grad() -> None:
    rng = np.random.default_rng(0)
    model = gn.nn.MLP([3, 4, 2], activation="tanh", output_activation="sigmoid", rng=rng, dtype=F64)
    X, Y = rng.normal(size=(3, 3)), rng.uniform(size=(3, 2))
    e = explain(model, X, Y)
    lin1, _, lin2, _ = model.layers
    z1 = F.linear(gn.Tensor(X), lin1.W, lin1.b).retain_grad()
    a1 = F.tanh(z1).retain_grad()
    z2 = F.linear(a1, lin2.W, lin2.b).retain_grad()
    F.mse(F.sigmoid(z2), Y, half=True).backward()
    np.testing.assert_allclose(e.dL_dZ[0], z1.grad, rtol=1e-10)
    np.testing.assert_allclose(e.dL_dA[0], a1.grad, rtol=1e-10)
    np.testing.assert_allclose(e.dL_dZ[1], z2.grad, rtol=1e-10)


def test_softmax_output_shows_its_jacobian() -> None:
    model = gn.nn.MLP([2, 3], output_activation="softmax", rng=0, dtype=F64)
    e = explain(model, [0.3, -1.0], 2, loss="cross_entropy", notation="ascii")
    s = e.y_hat[0]
    np.testing.assert_allclose(e.gprime[-1][0], np.diag(s) - np.outer(s, s), atol=1e-15)
    np.testing.assert_allclose(e.dL_dZ[-1][0], s - [0, 0, 1], atol=1e-12)
    text = str(e)
    assert "y_hat1 (delta_12 - y_hat2)" in text
    assert "softmax(z1, z2, z3)_3" in text


# ----------------------------------------------------------------------------- names
def test_single_neuron_uses_the_slides_names() -> None:
    n = gn.nn.Neuron(2, "sigmoid", rng=0, dtype=F64)
    n.set_weights([1.0, 1.0], -1.5)  # the slide's AND neuron
    e = explain(n, [1, 1], 1, notation="ascii")
    assert e.names.b == [["w0"]] and e.names.w[0] == [["w1"], ["w2"]]
    text = str(e)
    assert "w0 + w1*x1 + w2*x2" in text and "-1.500 + 1*1 + 1*1" in text
    assert "y_hat = sigmoid(z)" in text
    assert e.value("z")[0] == pytest.approx(0.5)
    assert e.gradient("w0") == pytest.approx(e.gradient("z")[0])


def test_layered_names_and_auto_switch() -> None:
    small = gn.nn.MLP([2, 3, 3, 1], rng=0)
    assert explain(small, [0, 1], 0).names.scheme == "lecture"
    big = gn.nn.MLP([4, 5, 3], rng=0)  # 35 weights
    e = explain(big, np.ones(4), np.zeros(3), notation="ascii")
    assert e.names.scheme == "layered"
    assert e.names.w[0][1][2] == "w[1]_23"  # row 2 = input 2, column 3 = neuron 3
    assert e.names.z[1][0] == "z[2]_1" and e.names.a[1] == ["y_hat1", "y_hat2", "y_hat3"]
    p = e.paths("x1", max_terms=2)
    assert p.total_terms == 15 and len(p.terms) == 2 and "(13 more paths)" in p.symbolic
    assert p.symbolic.startswith("(y_hat1 - y1)/3 g'(z[2]_1) w[2]_11 g'(z[1]_1) w[1]_11")
    e2 = explain(small, [0, 1], 0, names="layered")
    assert "w[1]_12" in e2.to_text(notation="ascii") and "w⁽¹⁾₁₂" in str(e2)


def test_dropout_is_skipped_and_model_untouched() -> None:
    model = gn.nn.MLP([2, 4, 1], dropout=0.5, rng=0, dtype=F64)
    before = [p.data.copy() for p in model.parameters()]
    model.train()
    e = explain(model, [[1, 2], [3, 4]], [0.5, 1.0])
    for p, b in zip(model.parameters(), before):
        np.testing.assert_array_equal(p.data, b)
        assert p.grad is None
    np.testing.assert_allclose(e.y_hat, model.predict(np.array([[1, 2], [3, 4]])), rtol=1e-12)


def test_paths_rendered_on_request_only() -> None:
    net = lecture_net(W6)
    assert "sum over the paths" not in str(explain(net, [X1, X2], Y))
    e = explain(net, [X1, X2], Y, paths=["w1"], notation="ascii")
    assert "dL/dw1 = (y_hat - y) g'(z3) w5 g'(z1) x1" in str(e)
    assert "dL/dx1 =" not in str(e)


def test_small_values_do_not_print_as_zero() -> None:
    e = explain(xnor_net(), [0, 0], 1, decimals=3)
    g = e.gradient("z1")[0]
    assert abs(g) < 5e-4 and g != 0
    assert f"{g:.2e}" in str(e)


# ---------------------------------------------------------------------------- errors
@pytest.mark.parametrize(
    "kwargs,exc,words",
    [
        ({"loss": "hinge"}, ValueError, "'loss' parameter"),
        ({"lr": -1.0}, ValueError, "'lr' parameter"),
        ({"names": "greek"}, ValueError, "'names' parameter"),
        ({"decimals": 99}, ValueError, "'decimals' parameter"),
        ({"paths": ["w99"]}, ValueError, "'paths' parameter"),
        ({"x": [1.0, 2.0, 3.0]}, ValueError, "shape (2,)"),
        ({"x": np.zeros((40, 2)), "y": np.zeros(40)}, ValueError, "pass 1 to 32 rows"),
        ({"x": [np.nan, 1.0]}, ValueError, "NaN"),
        ({"y": [1.0, 2.0]}, ValueError, "target value"),
        ({"x": "ab"}, TypeError, "numbers"),
        # numbers as text were read (every other check of arrays refuses them); None was
        # "contains NaN or inf"; y of shape (1, N) was read as N rows; bce's targets were
        # refused by "FastMLP.trace:", which the caller never called; a list in paths was
        # "unhashable type: 'list'"
        ({"x": ["1", "0"]}, TypeError, "x must be real numbers (text is not read"),
        ({"y": "1"}, TypeError, "y must be real numbers (text is not read"),
        ({"x": None}, TypeError, "x must be real numbers. Got None."),
        ({"y": None}, TypeError, "y must be real numbers. Got None."),
        ({"x": [[1.0, 0.0], [0.0, 1.0]], "y": [[1.0, 0.0]]}, ValueError, "Got shape (1, 2)."),
        ({"loss": "bce", "y": 2.0}, ValueError, "explain: loss='binary_cross_entropy' needs"),
        ({"paths": [["x1"]]}, ValueError, "'paths' parameter of explain must be True"),
    ],
)
def test_bad_input_is_named(kwargs, exc, words) -> None:
    args = {"x": [1.0, 0.0], "y": 1.0}
    args.update(kwargs)
    x, y = args.pop("x"), args.pop("y")
    with pytest.raises(exc, match=words.replace("(", r"\(").replace(")", r"\)")):
        explain(lecture_net(W6), x, y, **args)


def test_unsupported_models_and_losses() -> None:
    class Custom(gn.nn.Module):
        def forward(self, x):
            return x * 2.0

    with pytest.raises(TypeError, match="holds a Custom, a module of your own.*op 'mul'"):
        explain(gn.nn.Sequential(gn.nn.Linear(2, 2), Custom()), [1, 2], [0, 0])
    with pytest.raises(TypeError, match="glassnet Module"):
        explain("net", [1, 2], 0)
    with pytest.raises(ValueError, match="softmax output"):
        explain(gn.nn.MLP([2, 2], output_activation="sigmoid"), [1, 2], 0, loss="cross_entropy")
    reg = gn.nn.MLP([2, 1], rng=0)
    reg.layers[0].b.data[:] = 5.0
    with pytest.raises(ValueError, match="predictions in \\[0, 1\\]"):
        explain(reg, [1, 2], 1, loss="binary_cross_entropy")
    with pytest.raises(ValueError, match="class labels"):
        explain(gn.nn.MLP([2, 3], output_activation="softmax"), [1, 2], 7, loss="cross_entropy")
    e = explain(lecture_net(W6), [1, 0], 1)
    with pytest.raises(KeyError, match="no quantity named"):
        e.paths("w42")
    with pytest.raises(ValueError, match="'sample'"):
        e.paths("w1", sample=3)
    assert isinstance(e, Explanation)


def test_numpy_numbers_are_numbers_and_bad_names_are_named() -> None:
    """lr=np.float32(0.5) and decimals=np.int64(2) were refused ('must be a float > 0. Got
    np.float32(0.5)'); e.paths(['x1']) was "unhashable type"; to_text(parts=3) "'int'
    object is not iterable"; typeset(text, 'greek') wrote LaTeX; a one-output model's
    cross_entropy took y = 3 (a 'probability' of 3)."""
    from glassnet.explain import typeset

    e = explain(lecture_net(W6), [1.0, 0.0], 1.0, lr=np.float32(0.5), decimals=np.int64(2))
    same = explain(lecture_net(W6), [1.0, 0.0], 1.0, lr=float(np.float32(0.5)), decimals=2)
    assert str(e) == str(same) and e.decimals == 2 and type(e.decimals) is int
    with pytest.raises(KeyError, match=r"no quantity named \['x1'\]"):
        e.paths(["x1"])
    with pytest.raises(ValueError, match="'parts' parameter must list sections"):
        e.to_text(parts=3)
    with pytest.raises(ValueError, match="'notation' parameter of typeset must be"):
        typeset("dL/dz1", "greek")
    with pytest.raises(TypeError, match="typeset: text must be a str. Got NoneType."):
        typeset(None)
    with pytest.raises(TypeError, match=r"typeset: math must be a pair of delimiters"):
        typeset("dL/dz1", "latex", math="$")
    one = gn.nn.MLP([2, 1], rng=0, dtype=F64)
    with pytest.raises(ValueError, match="class labels 0..0 or one-hot rows of length 1. Got 3"):
        explain(one, [1.0, 2.0], 3, loss="cross_entropy")
    assert explain(one, [1.0, 2.0], 0, loss="cross_entropy").y.tolist() == [[1.0]]


def test_the_symbol_helpers_and_odd_numbers_are_named() -> None:
    """unicode_symbol(None) and latex_markdown('t', 'text') raised re's "expected string or
    bytes-like object", latex_symbol(3) "'int' object has no attribute 'startswith'", x of
    10**400 "int too large to convert to float"; dates were read as days since 1970."""
    from glassnet.explain import latex_markdown, latex_symbol, unicode_symbol

    with pytest.raises(TypeError, match="unicode_symbol: name must be a str such as 'z1'"):
        unicode_symbol(None)
    with pytest.raises(TypeError, match="latex_symbol: token must be a str such as 'dL/dz1'"):
        latex_symbol(3)
    with pytest.raises(TypeError, match="latex_markdown: title must be a str and sections a"):
        latex_markdown("t", "text")
    with pytest.raises(TypeError, match="x must be real numbers within float64's range"):
        explain(lecture_net(W6), [10**400, 0], 1.0)
    with pytest.raises(TypeError, match="x must be real numbers. Got array"):
        explain(lecture_net(W6), np.array(["2020-01-01", "2020-01-02"], dtype="datetime64[D]"), 1)


# ------------------------------------------------------------------ parts and the docs
def test_parts_pick_sections() -> None:
    e = explain(xnor_net(), [0, 1], 0)
    fwd = e.to_text("forward")
    assert "1. Forward pass" in fwd and "2. Backward pass" not in fwd
    md = e.to_markdown(["backward", "weights"])
    assert "Backward pass" in md and "Weight gradients" in md and "Forward pass" not in md
    assert "Gradient-descent step" in e.to_html("step") and "<h4>" in e.to_html("step")
    with pytest.raises(ValueError, match="'parts' parameter"):
        e.to_text("everything")


def _load_doc_script(name: str):
    import importlib.util
    from pathlib import Path

    path = Path(__file__).resolve().parents[1] / "docs" / f"{name}.py"
    spec = importlib.util.spec_from_file_location(f"glassnet_docs_{name}", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module, path.parent


def test_lecture_md_is_generated_and_up_to_date(tmp_path) -> None:
    gen, docs = _load_doc_script("lecture_gen")
    out = tmp_path / "lecture.md"
    assert gen.main(["--out", str(out)]) == 0
    text = out.read_text(encoding="utf-8")
    committed = (docs / "lecture.md").read_text(encoding="utf-8")
    assert text == committed, "docs/lecture.md is stale: run python docs/lecture_gen.py"
    # the lecture's own numbers are in it
    assert "1  0   0   1  -6  0.002  2   0.881" in text  # the XNOR table, row (0, 0)
    assert "2  0   1   0  -2  0.119  -2  0.119" in text
    assert "∂L/∂x₁ = (ŷ − y) g′(z₃) w₅ g′(z₁) w₁ + (ŷ − y) g′(z₃) w₆ g′(z₂) w₂" in text
    assert "AND z = -1.5 + x1 + x2:" in text and "class = [0 0 0 1]" in text
    for topic in (
        "## 1. The neuron",
        "## 2. Activation functions",
        "## 3. Logic gates",
        "## 4. XNOR",
        "## 5. Multi-layer networks",
        "## 6. Forward propagation",
        "## 7. The four tasks",
        "## 8. Gradient descent",
        "## 9. Backpropagation",
    ):
        assert topic in text
    # the lecture's order: gradient descent, then backpropagation; and the sections
    # the lecture teaches, each with glassnet's own numbers
    assert text.index("## 8. Gradient descent") < text.index("## 9. Backpropagation")
    for shown in (
        "**hidden layer**",
        "**multi-layer perceptron**",
        "glassnet y_hat =",  # the L-layer composition
        "**Chain rule (1).**",
        "**Chain rule (2).**",
        "(y_hat - y) g'(z) x_j",
        "Cat   [1, 0, 0]",
        "**Binary cross-entropy**",
        "tanh     output:",
        "stop_reason='weight_change'",
        "stop_reason='max_steps'",
    ):
        assert shown in text, shown
    # the single neuron's gradient: formula = autodiff = finite difference, for w0, w1, w2
    import re

    rows = re.findall(r"= (-?[\d.]+) +autodiff (-?[\d.]+) +finite difference (-?[\d.]+)", text)
    assert len(rows) == 3
    for formula, autodiff, numeric in rows:
        assert float(formula) == float(autodiff) and abs(float(numeric) - float(formula)) < 1e-7
    images = {
        line.split("(img/")[1].rstrip(")")
        for line in text.splitlines()
        if line.startswith("![") and "(img/" in line
    }
    assert images and all((docs / "img" / name).exists() for name in images)
    assert gen.main(["--out", str(out), "--check"]) == 0
    out.write_text(text + "stale\n", encoding="utf-8")
    assert gen.main(["--out", str(out), "--check"]) == 1


def test_wide_layers_elide_long_sums_but_keep_exact_values():
    import glassnet as gn

    model = gn.nn.MLP([30, 64, 3], activation="relu", output_activation="softmax", rng=0)
    x = np.random.default_rng(0).standard_normal(30)
    e = gn.explain(model, x, np.array([1]), loss="cross_entropy")
    text = str(e)
    assert "more terms)" in text
    assert max(len(line) for line in text.splitlines()) < 600
    # the elision is display only: z of the first hidden neuron is still the full sum
    lin = model.layers[0]
    z = float(x @ lin.W.data[:, 0].astype(np.float64) + lin.b.data[0])
    assert e.Z[0][0, 0] == pytest.approx(z, rel=1e-5)


# -------------------------------------------------------------------------- notation
def test_the_lectures_notation_in_every_rendering() -> None:
    """Unicode in the terminal, LaTeX in Markdown and notebooks, the same numbers."""
    e = explain(lecture_net(W6), [X1, X2], Y, paths=["x1", "w1"])
    text = str(e)
    assert "∂L/∂x₁ = (ŷ − y) g′(z₃) w₅ g′(z₁) w₁ + (ŷ − y) g′(z₃) w₆ g′(z₂) w₂" in text
    assert "L = ½(ŷ − y)²" in text and "y_hat" not in text and "dL/dz1" not in text
    ascii_text = e.to_text(notation="ascii")
    assert "dL/dx1 = (y_hat - y) g'(z3) w5 g'(z1) w1" in ascii_text
    number = re.compile(r"(?<![\w₀-₉⁰-⁹])-?\d+(?:\.\d+)?(?:e[-+]\d+)?")
    plain = ascii_text.replace("1/2 (", "(").replace(")^2", ")")  # written ½( and )² in Unicode
    assert number.findall(text) == number.findall(plain)  # numbers untouched
    md = e.to_markdown()
    assert r"$\frac{\partial L}{\partial \hat{y}}$" in md and "$w_{5}$" in md
    assert e._repr_markdown_() == md
    # outside the maths, Markdown's special characters are escaped
    outside = re.split(r"\$[^$]*\$", md)
    assert all(re.search(r"(?<!\\)_", seg) is None for seg in outside)
    html = e.to_html(notation="latex")
    assert r"\(\frac{\partial L}{\partial z_{1}}\)" in html
    ET.fromstring(f"<root>{html}</root>")
    assert "∂L/∂w₁" in e.to_html()  # plain HTML: Unicode, readable without MathJax
    layered = explain(
        gn.nn.MLP([2, 3, 3, 1], rng=0, dtype=np.float64), [0.5, -1.0], 1.0, names="layered"
    )
    assert "w⁽²⁾₁₂" in str(layered) and "$w^{(2)}_{12}$" in layered.to_markdown()
    with pytest.raises(ValueError, match="'notation'"):
        explain(lecture_net(W6), [X1, X2], Y, notation="latex")  # a terminal cannot show it
    with pytest.raises(ValueError, match="'notation'"):
        e.to_markdown(notation="klingon")


def test_bias_as_w0_and_the_matrix_form() -> None:
    """The slides' lecture notation: each bias the weight w0 of x0 = 1, and the forward
    pass with column vectors, y_hat = g(W^T x)."""
    net = xnor_net()
    e = explain(net, [0, 1], 0, bias="w0", matrix=True, notation="ascii")
    ref = explain(net, [0, 1], 0)
    assert e.names.b == [["w0,1", "w0,2"], ["w0,3"]]
    for k, name in enumerate(["w0,1", "w0,2"]):
        assert e.gradient(name) == ref.gradient(f"b{k + 1}") == float(ref.grad_b[0][k])
        assert e.value(name) == ref.value(f"b{k + 1}")
    text = str(e)
    assert "w0,1*x0 + w1*x1 + w3*x2" in text and "(-6)*1 + 4*0 + 4*1" in text
    assert "w0,3*a0 + w5*a1 + w6*a2" in text and "x0 = 1" in text
    matrix = e.to_text("matrix")
    # W^T with the biases in column 0, times (1, x1, x2), equals z: the slide's numbers
    rows = [ln for ln in matrix.splitlines() if ln.startswith("[")]
    assert rows[0].split("]")[0] == "[ -6   4   4 " and "[ -2 ]" in rows[0]
    assert rows[1].split("]")[0] == "[  2  -4  -4 " and "[ -2 ]" in rows[1]
    assert "[ 1 ]" in matrix.splitlines()[[i for i, ln in enumerate(matrix.splitlines())
                                           if "x0 = 1" in ln][0] + 1]  # fmt: skip
    assert "W⁽¹⁾ᵀ" in e.to_text("matrix", notation="unicode")
    layered = explain(gn.nn.MLP([2, 3, 1], rng=0, dtype=np.float64), [1, 2], 1, bias="w0",
                      names="layered")  # fmt: skip
    assert layered.names.b[0] == ["w[1]_01", "w[1]_02", "w[1]_03"]
    assert "w⁽¹⁾₀₁" in str(layered)
    plain = explain(net, [0, 1], 0, matrix=True, notation="ascii").to_text("matrix")
    assert "z[1] = W[1]^T x + b[1]" in plain  # without w0: the bias column added
    with pytest.raises(ValueError, match="'bias'"):
        explain(net, [0, 1], 0, bias="theta")
    with pytest.raises(ValueError, match="'matrix'"):
        explain(net, [0, 1], 0, matrix="yes")
    with pytest.raises(ValueError, match="bias='w0'"):
        explain(net, [0, 1], 0, bias="w0", paths=["b1"])


def test_a_terminal_without_unicode_gets_ascii(monkeypatch: pytest.MonkeyPatch) -> None:
    import io
    import sys

    e = explain(lecture_net(W6), [X1, X2], Y)
    assert "∂L/∂" in str(e)
    latin1 = io.TextIOWrapper(io.BytesIO(), encoding="latin-1")
    monkeypatch.setattr(sys, "stdout", latin1)
    text = str(e)
    assert "dL/dz1" in text and "∂" not in text
    text.encode("latin-1")  # printable there
    assert "∂L/∂" in e.to_text(notation="unicode")  # asked for explicitly: as asked


def test_saturated_sigmoid_bce_path_multiplies_out_to_its_gradient() -> None:
    # sigmoid(40) rounds to 1.0 in float64, so g'(z) = a (1 - a) = 0 while the stable
    # dL/dz = (y_hat - y) is 1: the path shown must still multiply out to dL/dz
    lin = gn.nn.Linear(1, 1, dtype=np.float64)
    lin.W.data[:] = [[1.0]]
    lin.b.data[:] = [0.0]
    e = explain(gn.nn.Sequential(lin, gn.nn.Sigmoid()), [40.0], 0.0, "binary_cross_entropy")
    assert e.gprime[0][0, 0] == 0.0 and e.dL_dZ[0][0, 0] == 1.0
    for name in ("z", "w1", "w0"):
        p = e.paths(name)
        assert sum(p.products) == pytest.approx(p.value, abs=1e-12), str(p)
        assert p.value == pytest.approx(e.gradient(name)[0] if name == "z" else e.gradient(name))


def test_saturated_outputs_step3_numbers_multiply_out_to_the_value() -> None:
    # sigmoid(40) = 1.0 and softmax's e^-1600 = 0 in float64: g'(z) and the Jacobian are 0
    # there, so dL/dy_hat * g'(z) shown as (4.50e+15)*0 would not give dL/dz = y_hat - y
    sig = gn.nn.Linear(1, 1, dtype=np.float64)
    sig.W.data[:] = [[1.0]]
    sig.b.data[:] = [0.0]
    soft = gn.nn.Linear(2, 3, dtype=np.float64)
    soft.W.data[:] = [[1.0, -1.0, 0.0], [0.0, 0.0, 0.0]]
    soft.b.data[:] = [0.0, 0.0, 0.0]
    cases = [
        (gn.nn.Sequential(sig, gn.nn.Sigmoid()), [40.0], 0.0, "binary_cross_entropy"),
        (gn.nn.Sequential(soft, gn.nn.Softmax()), [800.0, 0.0], 1, "cross_entropy"),
    ]
    for net, x, y, loss in cases:
        e = explain(net, x, y, loss)
        backward = next(s for s in e._sections() if s.key == "backward")
        step3 = [b for b in backward.blocks if b.kind == "table"][-1]
        for node, _, numbers, value in step3.rows:
            shown = eval(numbers, {"__builtins__": {}})  # e.g. "(-0.123)*0.250 + 0.046*1"
            assert shown == pytest.approx(float(value), abs=1e-3), (loss, node, numbers, value)


def test_an_unknown_name_of_a_wide_network_writes_a_few_names_only() -> None:
    """The KeyError for a name not in the explanation listed the first names by writing
    every name: 2.6 s and four million names for a 2-2000-2000-1 network's typo."""
    net = gn.nn.MLP([2, 300, 300, 1], rng=0)
    e = explain(net, [0.1, 0.2], 0.5)
    written = sum(len(w._written) for w in e.names.w)  # (the rows of weight names written)
    with pytest.raises(KeyError, match=r"named 'nope'. Names .*: inputs x1, x2; sums z\[1\]_1"):
        e.paths("nope")
    assert sum(len(w._written) for w in e.names.w) == written < 10


def test_an_unknown_name_in_paths_of_a_wide_network_writes_a_few_names_only(monkeypatch) -> None:
    # (explain(..., paths=['nope']) listed its examples by writing every weight's name:
    # 2.3 s for a 2-2000-2000-1 network)
    from glassnet.report import WeightNames

    rows = []
    write = WeightNames._row
    monkeypatch.setattr(WeightNames, "_row", lambda self, i: rows.append(i) or write(self, i))
    net = gn.nn.MLP([2, 300, 300, 1], rng=0)
    with pytest.raises(ValueError, match=r"unknown quantities \['nope'\].* such as x1, x2, z"):
        explain(net, [0.1, 0.2], 0.5, paths=["nope"])
    with pytest.raises(ValueError, match="unknown quantities"):
        explain(net, [0.1, 0.2], 0.5, paths=["w[4]_1,1"])  # (a weight past the last layer)
    assert len(rows) < 10


@pytest.mark.parametrize("name", ["w₁", "w[1]_₁₂", "w[1]_1,₂", "z₁"])
def test_a_name_copied_from_the_unicode_output_is_named_as_unknown(name):
    # "w₁" raised int()'s "invalid literal ... '₁'": str.isdigit takes subscript digits
    # (the printed symbols themselves, w₁ and z₁, are read back as w1 and z1 since)
    e = gn.explain(gn.nn.MLP([2, 2, 1], rng=0), [1.0, 2.0], 1.0)
    if name in ("w₁", "z₁"):
        assert str(e.paths(name)) == str(e.paths(name.replace("₁", "1")))
        shown = gn.explain(gn.nn.MLP([2, 2, 1], rng=0), [1.0, 2.0], 1.0, paths=[name])
        assert str(e.paths(name)) in shown.to_text(notation="ascii")
        return
    with pytest.raises(KeyError, match="no quantity named"):
        e.paths(name)
    with pytest.raises(ValueError, match="'paths' parameter of explain names unknown"):
        gn.explain(gn.nn.MLP([2, 2, 1], rng=0), [1.0, 2.0], 1.0, paths=[name])


def test_step_3_writes_its_rule_in_the_symbols_its_rows_use() -> None:
    # the rule read "(dL/d(edge source) x edge's local derivative)": an x for the product,
    # beside inputs named x1, x2, and a gradient the typesetter could not set
    e = explain(lecture_net(W6), [X1, X2], Y)
    text = str(explain(lecture_net(W6), [X1, X2], Y, notation="ascii"))
    rule = next(line for line in text.splitlines() if line.startswith("Step 3"))
    assert " x " not in rule and "dL/du * " in rule
    tex = next(ln for ln in e.to_markdown().splitlines() if ln.startswith("Step 3"))
    assert r"\frac{\partial L}{\partial u}" in tex and "dL/d" not in tex
