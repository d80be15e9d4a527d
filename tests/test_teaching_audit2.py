"""A second audit of the teaching tools, as a lecturer and a student use them: the
pictures read cleanly, and the grader never decides silently."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

import numpy as np
import pytest

import glassnet as gn
from glassnet import functional as F
from glassnet import viz
from glassnet.report import fmt
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


# ------------------------------------------------------- draw_graph: edges between ranks
def _path_points(d: str) -> list[tuple[float, float]]:
    """Points along an SVG path of M, C and L commands (each curve sampled 40 times)."""
    nums = [float(v) for v in re.findall(r"-?[\d.]+", d)]
    cmds = re.findall(r"[MCL]", d)
    pts: list[tuple[float, float]] = []
    q = 0
    for c in cmds:
        if c in "ML":
            pts.append((nums[q], nums[q + 1]))
            q += 2
        else:
            (x0, y0), (x1, y1, x2, y2, x3, y3) = pts[-1], nums[q : q + 6]
            q += 6
            for u in np.linspace(0, 1, 41)[1:]:
                a, b, cc, dd = (1 - u) ** 3, 3 * (1 - u) ** 2 * u, 3 * (1 - u) * u * u, u**3
                pts.append(
                    (a * x0 + b * x1 + cc * x2 + dd * x3, a * y0 + b * y1 + cc * y2 + dd * y3)
                )
    return pts


def edges_under_nodes(svg: str) -> list[tuple[str, str]]:
    """(node, edge end) for every edge of a draw_graph SVG that runs beneath a node other
    than the two it joins: the node hides it, and the edge seems to start there."""
    root = ET.fromstring(svg)
    rects = []
    for g in root.iter(f"{SVG}g"):
        if g.get("class") == "node":
            r = g.find(f"{SVG}rect")
            x, y, w, h = (float(r.get(k)) for k in ("x", "y", "width", "height"))
            title = "".join(g.find(f"{SVG}text").itertext())
            rects.append((title, x, y, x + w, y + h))
    bad = []
    for p in root.iter(f"{SVG}path"):
        if p.get("fill") != "none":
            continue
        pts = _path_points(p.get("d"))
        ends = [
            t for t, x0, y0, x1, y1 in rects
            for px, py in (pts[0], pts[-1])
            if x0 - 1 <= px <= x1 + 1 and y0 - 1 <= py <= y1 + 1
        ]  # fmt: skip
        for t, x0, y0, x1, y1 in rects:
            if t in ends:
                continue
            if any(x0 + 1 < px < x1 - 1 and y0 + 1 < py < y1 - 1 for px, py in pts):
                bad.append((t, " -> ".join(ends)))
    return bad


def bce_graph() -> gn.Tensor:
    """The slides' 2-2-1 network as scalar tensors, with the binary cross-entropy
    L = -(y log ŷ + (1 - y) log(1 - ŷ)) written out: the edge from the sum to y log ŷ
    spans three ranks (the other term's path is longer)."""
    x = [
        gn.Tensor(v, requires_grad=True, dtype=F64, label=f"x{i + 1}")
        for i, v in enumerate([1.0, 0.5])
    ]
    w = [
        gn.Tensor(v, requires_grad=True, dtype=F64, label=f"w{i + 1}")
        for i, v in enumerate([0.5, -0.3, 0.8, 0.2, 1.0, -1.5])
    ]
    a1 = F.sigmoid((w[0] * x[0] + w[2] * x[1]).named("z1")).named("a1")
    a2 = F.sigmoid((w[1] * x[0] + w[3] * x[1]).named("z2")).named("a2")
    yh = F.sigmoid((w[4] * a1 + w[5] * a2).named("z3")).named("y_hat")
    y = 1.0
    return -(y * yh.log() + (1 - y) * (1 - yh).log())


@pytest.mark.parametrize("backward", [False, True])
def test_no_graph_edge_runs_beneath_a_node_it_does_not_join(backward: bool) -> None:
    """An edge spanning several ranks takes a lane through each rank between its ends.
    Drawn as one curve from end to end, the edge from the sum to y·log ŷ ran beneath
    the log(1 − ŷ) and 0·log(1 − ŷ) nodes, so the picture showed y·log ŷ computed from
    log(1 − ŷ): a wrong edge."""
    L = bce_graph()
    svg = viz.draw_graph(L, backward=backward)
    assert edges_under_nodes(svg) == []
    assert viz.overlapping_texts(svg) == []
    # still one path per edge, each with its label in the backward view
    paths = [p for p in ET.fromstring(svg).iter(f"{SVG}path") if p.get("fill") == "none"]
    assert len(paths) == sum(len(t.parents) for t in viz.graph_nodes(L))


def test_a_network_graph_with_skip_edges_keeps_them_clear_of_nodes() -> None:
    """A residual connection (z + x, x from two ranks back) and a reused value."""
    rng = np.random.default_rng(0)
    x = gn.Tensor(rng.normal(size=(1, 3)), requires_grad=True, dtype=F64, label="x")
    W1 = gn.Tensor(rng.normal(size=(3, 3)), requires_grad=True, dtype=F64, label="W1")
    W2 = gn.Tensor(rng.normal(size=(3, 3)), requires_grad=True, dtype=F64, label="W2")
    h = (x @ W1).tanh().named("h")
    out = ((h @ W2).tanh() + x + h).named("out")
    L = (out * out).sum()
    for backward in (False, True):
        svg = viz.draw_graph(L, backward=backward)
        assert edges_under_nodes(svg) == []
        assert viz.overlapping_texts(svg) == []


# ------------------------------------------------------------ exercise check: one answer
def test_an_answer_given_twice_is_refused_naming_both_lines(tmp_path) -> None:
    """A student who corrects an answer by adding a line below, and leaves the first,
    was graded on whichever came last, without a word: the grader now names both."""
    from glassnet import exercises

    files = exercises.write(7, tmp_path / "sheet")
    key = files["key.json"]
    e1 = exercises.generate(7)[4].steps[0]  # 5.e^z1
    right = f"{e1.value:.4f}"
    ans = tmp_path / "answers.txt"
    ans.write_text(f"5.e^z1 = {right}\n# later\n5.e^z1 = 9\n", encoding="utf-8")
    with pytest.raises(ValueError, match=r"answers 5\.e\^z1 twice, on lines 1 and 3"):
        exercises.check(key, ans)
    js = tmp_path / "answers.json"
    js.write_text('{"5.e^z1": ' + right + ', "5.e^z1": 9}', encoding="utf-8")
    with pytest.raises(ValueError, match=r"answers 5\.e\^z1 twice"):
        exercises.check(key, js)
    # the template's empty lines and one filled answer below them are one answer
    template = files["answers_template.txt"].read_text(encoding="utf-8")
    ans.write_text(template, encoding="utf-8")
    blank = exercises.check(key, ans).right
    ans.write_text(template + f"5.e^z1 = {right}\n", encoding="utf-8")
    result = exercises.check(key, ans)
    assert result.right == blank + 1 and "5.e^z1" not in result.first_wrong.get(5, "")


# -------------------------------------------------- NumPy's ints, as explain takes them
def test_the_drawings_take_numpy_ints_as_explain_does() -> None:
    """explain(decimals=np.int64(2)) works; draw_network refused the same number with
    "must be an int in [0, 12]. Got np.int64(2)" (and draw_graph, and the plots' dpi,
    resolution and layer): a loop over np.arange, or a layer picked by np.argmax, failed.
    The drawings are the same as with Python's ints."""
    import matplotlib

    matplotlib.use("Agg")
    net = gn.nn.MLP([2, 3, 3, 1], activation="tanh", output_activation="sigmoid", rng=0)
    x = [1.0, 0.5]
    gn.explain(net, x, 1.0, decimals=np.int64(2))
    for kw in ({"decimals": 2, "max_neurons": 2}, {"decimals": 4}):
        as_np = {k: np.int64(v) for k, v in kw.items()}
        assert viz.draw_network(net, x, **as_np) == viz.draw_network(net, x, **kw)
        assert viz.draw_network(net, x, 1.0, backward=True, **as_np) == viz.draw_network(
            net, x, 1.0, backward=True, **kw
        )
    L = gn.functional.mse(net(gn.Tensor(np.array([x]))), np.ones((1, 1)))
    assert viz.draw_graph(L, decimals=np.int32(2), max_nodes=np.int64(200)) == viz.draw_graph(
        L, decimals=2, max_nodes=200
    )
    X, y = gn.datasets.logic_gate("xnor")
    layer = np.argmax([0, 1])  # np.int64(1)
    for fig in (
        viz.plot_decision_boundary(net, X, y, resolution=np.int64(20), dpi=np.int64(50)),
        viz.plot_neuron_outputs(net, X, y, layer=layer, resolution=np.int16(20)),
        viz.plot_hidden_space(net, X, y, layer=layer, dims=(np.int64(0), np.int64(2))),
    ):
        assert fig.axes
    # bools and floats stay refused, naming the parameter
    for bad in (True, 2.0, np.bool_(True)):
        with pytest.raises(ValueError, match="'decimals' parameter of draw_network"):
            viz.draw_network(net, x, decimals=bad)
        with pytest.raises(ValueError, match="'decimals' parameter of draw_graph"):
            viz.draw_graph(L, decimals=bad)


def test_a_blank_answers_file_scores_nothing(tmp_path) -> None:
    """The key of an inseparable gate (XOR, XNOR) says 'no weights exist: leave the answer
    empty'. That empty answer counted as right even when the student answered nothing
    at all, so a blank sheet scored a point per such gate. It counts once the exercise
    is answered (separable = 0)."""
    from glassnet import exercises

    seeds = [s for s in range(40) if exercises.generate(s)[3].steps[0].value == 0.0][:3]
    assert seeds  # XOR or XNOR drawn
    for seed in seeds:
        files = exercises.write(seed, tmp_path / str(seed))
        ans = tmp_path / f"answers{seed}.txt"
        ans.write_text(files["answers_template.txt"].read_text(encoding="utf-8"), "utf-8")
        blank = exercises.check(files["key.json"], ans)
        assert blank.right == 0 and blank.total == 53 and not blank.passed
        assert "4.separable is missing" in blank.first_wrong[4]
        ans.write_text("4.separable = 0\n", encoding="utf-8")
        graded = exercises.check(files["key.json"], ans)
        assert graded.right == 2 and 4 not in graded.first_wrong
        ans.write_text("4.separable = 0\n4.weights = [1, 1, -0.5]\n", encoding="utf-8")
        assert "but no weights exist" in exercises.check(files["key.json"], ans).first_wrong[4]


# ------------------------------------------------------------------------- gradcheck
def test_gradcheck_of_inputs_with_no_entries_says_nothing_was_checked() -> None:
    """gradcheck(fn, np.zeros(0)) reported 'ok yes' with an error of 0: nothing was
    compared. Like gradcheck(fn) with no inputs, it is refused; an empty input beside
    others is still checked with them."""
    with pytest.raises(ValueError, match=r"no entries \(shapes \(0,\), \(2, 0\)\)"):
        gn.gradcheck(lambda a, b: a.sum() + b.sum(), np.zeros(0), np.zeros((2, 0)))
    report = gn.gradcheck(lambda a, b: (a * a).sum() + b.sum(), np.array([1.0, 2.0]), np.zeros(0))
    assert report.ok and [r["shape"] for r in report.rows] == [(2,), (0,)]


# ------------------------------------------------- the backward picture's loss formula
@pytest.mark.parametrize("K", [3, 1])
def test_cross_entropy_on_logits_writes_the_softmax_in_its_loss(K: int) -> None:
    """On an identity output (logits), cross-entropy is −Σ y log softmax(ŷ), as explain
    writes it; the picture's loss node wrote −Σₖ yₖ log ŷₖ, the log of a logit (ŷ₁ =
    −0.547 here: a number no student can take the log of, and not the loss shown)."""
    net = gn.nn.MLP([2, 3, K], activation="tanh", output_activation="identity", rng=0, dtype=F64)
    y = min(2, K - 1)
    svg = viz.draw_network(net, [1.0, 0.5], y, backward=True, loss="cross_entropy")
    texts = ["".join(t.itertext()) for t in ET.fromstring(svg).iter(f"{SVG}text")]
    assert "L = −Σₖ yₖ log softmax(ŷ)ₖ" in texts and "L = −Σₖ yₖ log ŷₖ" not in texts
    e = gn.explain(net, [1.0, 0.5], y, loss="cross_entropy")
    z = e.y_hat[0]
    p = np.exp(z - z.max()) / np.exp(z - z.max()).sum()
    assert e.loss == pytest.approx(-np.log(p[y]), rel=1e-12)  # the formula written is the loss
    assert f"= {fmt(e.loss, 3)}" in texts
    # a softmax output keeps the slides' −Σₖ yₖ log ŷₖ (ŷ are probabilities)
    soft = gn.nn.MLP([2, 3, 3], activation="tanh", output_activation="softmax", rng=0, dtype=F64)
    svg = viz.draw_network(soft, [1.0, 0.5], 2, backward=True, loss="cross_entropy")
    texts = ["".join(t.itertext()) for t in ET.fromstring(svg).iter(f"{SVG}text")]
    assert "L = −Σₖ yₖ log ŷₖ" in texts


def test_exercise_kinds_given_empty_is_refused_not_read_as_all(tmp_path, capsys) -> None:
    """`glassnet exercise --kinds ""` (an unset shell variable) wrote a sheet of every
    kind without a word, while `--kinds ","` was refused as empty; both are refused,
    naming the kinds, and nothing is written."""
    from glassnet.cli import main

    for given in ("", ",", " , "):
        out = tmp_path / f"sheet{len(given)}"
        assert main(["exercise", "--seed", "3", "--kinds", given, "--out", str(out)]) == 2
        err = capsys.readouterr().err  # (round 26: in the option's name, not generate's)
        assert "--kinds is empty" in err and "forward, backprop" in err, err
        assert not out.exists()
    out = tmp_path / "all"
    assert main(["exercise", "--seed", "3", "--out", str(out)]) == 0  # left out: every kind
    assert "6. One-hot encoding" in (out / "questions.md").read_text(encoding="utf-8")


def test_a_loss_from_the_keys_own_rounded_probability_is_graded_right(tmp_path) -> None:
    """The softmax key shows ŷ to 3 decimals and says L = −log ŷ of the true class. A
    student who carried that shown ŷ into the log was graded wrong in 3 % of sheets (the
    true class's ŷ = 0.013: −log 0.013 = 4.343 against 4.327, off by 0.016 > 0.01): −log
    moves fast near 0. The key now grades L within tol plus the most that rounding ŷ to
    3 decimals moves it (stored with the step), and still refuses a wrong L."""
    import math

    from glassnet import exercises

    seeds = []
    for seed in range(200):
        ex = exercises.generate(seed, ["softmax"])[0]
        st = {s.id: s.value for s in ex.steps}
        shown = round(st[f"y_hat{ex.data['label'] + 1}"], 3)
        if abs(-math.log(shown) - st["L"]) > exercises.DEFAULT_TOL:
            seeds.append((seed, -math.log(shown), st["L"]))
    assert len(seeds) >= 3
    for seed, carried, exact in seeds[:3]:
        files = exercises.write(seed, tmp_path / str(seed), kinds=["softmax"])
        ans = tmp_path / f"a{seed}.txt"
        ans.write_text(f"1.L = {carried:.3f}\n", encoding="utf-8")
        assert exercises.check(files["key.json"], ans).right == 1
        ans.write_text(f"1.L = {exact + 0.1:.3f}\n", encoding="utf-8")  # a wrong L
        assert exercises.check(files["key.json"], ans).right == 0
        assert "graded within tol +" in files["answers.md"].read_text(encoding="utf-8")
    # the slack is the bound on that rounding, and a key without it grades as before
    for seed in range(60):
        ex = exercises.generate(seed, ["softmax"])[0]
        step = next(s for s in ex.steps if s.id == "L")
        p = ex.steps[4 + ex.data["label"]].value
        assert step.slack == pytest.approx(math.log(p / (p - 0.0005)), rel=1e-12)
        assert all(s.slack == 0 for s in ex.steps if s.id != "L")


def test_a_damaged_key_is_named_not_an_internal_error(tmp_path, capsys) -> None:
    """A key.json with its format marker but a step, the exercises or the seed missing
    (hand-edited, cut short) raised KeyError or TypeError: 'internal error ... a bug in
    glassnet', exit 1, which is also check's 'some answers wrong'. It is a clear error
    naming the key and its first fault (exit 2); every key write() makes passes."""
    import copy
    import json

    from glassnet import exercises
    from glassnet.cli import main

    for seed in range(12):
        files = exercises.write(seed, tmp_path / f"s{seed}")
        exercises.check(files["key.json"], files["answers_template.txt"])  # no error
    good = json.loads(files["key.json"].read_text(encoding="utf-8"))
    ans = tmp_path / "answers.txt"
    ans.write_text("1.z1 = 1\n", encoding="utf-8")

    def without(path: tuple, field: str) -> dict:
        d = copy.deepcopy(good)
        node = d
        for p in path:
            node = node[p]
        del node[field]
        return d

    damaged = {
        "it holds no list of exercises": without((), "exercises"),
        "its seed is None": without((), "seed"),
        "step 1.z1 has check None": without(("exercises", 0, "steps", 0), "check"),
        "exercise 2 has no steps": without(("exercises", 1), "steps"),
        "step 1.z1 has check 'value' and value 'x'": json.loads(
            json.dumps(good).replace(
                '"value": ' + json.dumps(good["exercises"][0]["steps"][0]["value"]),
                '"value": "x"',
                1,
            )
        ),
    }
    for words, doc in damaged.items():
        bad = tmp_path / "key.json"
        bad.write_text(json.dumps(doc), encoding="utf-8")
        with pytest.raises(ValueError, match=f"is damaged: {re.escape(words)}"):
            exercises.check(bad, ans)
        assert main(["exercise", "check", str(bad), str(ans)]) == 2
        err = capsys.readouterr().err
        assert "internal error" not in err and "write the sheet again" in err


def test_a_log_of_a_formula_is_titled_with_it() -> None:
    """docs/teaching.md: an unnamed node is titled with its formula (log ŷ). The log of
    1 − ŷ, one level deeper, was titled 'log', beside its input '1 − ŷ' and the other
    term's 'log ŷ': the binary cross-entropy's two logs could not be told apart."""
    svg = viz.draw_graph(bce_graph(), backward=True)
    titles = [
        "".join(t.itertext())
        for t in ET.fromstring(svg).iter(f"{SVG}text")
        if t.get("font-weight") == "bold"
    ]
    assert "log (1 − ŷ)" in titles and "log ŷ" in titles and "1 − ŷ" in titles
    assert "log" not in titles
