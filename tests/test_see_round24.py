"""The see-through tools on real-sized models: summary reads an activation function that a
Dropout module follows, glassnet.functional.dropout refuses PyTorch's argument order in
words, explain's names, frozen weights, the softmax Jacobian's memory, dropout notes,
bounded formatting and legible numbers."""

from __future__ import annotations

import re

import numpy as np
import pytest

import glassnet as gn
import glassnet.functional as F
from glassnet import nn


class _Net(nn.Module):
    """PyTorch's MNIST pattern: F.relu(fc1(x)), then a Dropout module (or dropout first and
    a tanh after it)."""

    def __init__(self, order: str) -> None:
        super().__init__()
        self.fc1 = nn.Linear(4, 3)
        self.fc2 = nn.Linear(3, 2)
        self.drop = nn.Dropout(0.2)
        self.order = order

    def forward(self, x):  # type: ignore[no-untyped-def]
        if self.order == "relu_then_drop":
            return self.fc2(self.drop(F.relu(self.fc1(x))))
        return self.fc2(self.drop(self.fc1(x)).tanh())


def _rows(s: gn.summary) -> list[list[str]]:  # type: ignore[valid-type]
    return [r.split() for r in str(s).splitlines() if r[:1].isdigit()]


@pytest.mark.parametrize("mode", ["train", "eval"])
def test_summary_keeps_relu_before_a_dropout_module(mode: str) -> None:
    m = _Net("relu_then_drop")
    getattr(m, mode)()
    s = gn.summary(m, input_data=np.ones((5, 4), np.float32))
    rows = [r for r in s.rows]
    assert rows[0].activation == "relu"
    assert "relu(" in rows[0].computes
    assert rows[1].activation == "-"  # (the Dropout row: relu is fc1's, listed once)
    assert "relu" in str(gn.explain(m, np.ones(4), [0.0, 1.0])).splitlines()[0]


@pytest.mark.parametrize("mode", ["train", "eval"])
def test_summary_lists_tanh_after_dropout_once(mode: str) -> None:
    m = _Net("drop_then_tanh")
    getattr(m, mode)()
    s = gn.summary(m, input_data=np.ones((5, 4), np.float32))
    assert [r.activation for r in s.rows].count("tanh") == 1
    # (listed where the forward applies it: after the Dropout, on its row)
    assert [r.activation for r in s.rows] == ["-", "tanh", "-"]


def test_functional_dropout_refuses_pytorch_order_in_words() -> None:
    x = gn.tensor(np.ones((2, 3), np.float32))
    for bad in (False, True, 0.5, None):
        with pytest.raises(TypeError, match=r"glassnet\.nn\.functional\.dropout"):
            F.dropout(x, 0.2, bad)
    # the Generator order still works, and nn.functional takes PyTorch's
    assert F.dropout(x, 0.2, np.random.default_rng(0), False) is x
    assert gn.nn.functional.dropout(x, 0.2, False) is x


@pytest.mark.parametrize("sizes", [[5, 8, 1], [20, 16, 10]])
def test_gradient_takes_the_printed_symbol_and_lists_weight_names(sizes: list[int]) -> None:
    from glassnet.explain import unicode_symbol

    net = nn.MLP(sizes, activation="relu", rng=0)
    loss = "half_mse" if sizes[-1] == 1 else "cross_entropy"
    e = gn.explain(net, np.linspace(-1, 1, sizes[0]), 0, loss=loss, names="layered")
    first = e.names.w[0][0][0]
    g = e.gradient(first)
    assert e.gradient(unicode_symbol(first)) == g  # (w⁽¹⁾₁₁ or w⁽¹⁾₁,₁, as printed)
    assert e.gradient("w⁽¹⁾₁,₁") == g and e.gradient("w[1]_1,1") == g
    assert e.value(unicode_symbol(first)) == e.value(first)
    assert e.paths(unicode_symbol(first)).name == first
    with pytest.raises(KeyError) as info:
        e.gradient("w1")
    text = str(info.value)
    assert first in text and "weights" in text and "biases" in text
    assert "input i, neuron k" in text and e.names.x[-1] in text


def test_gradient_message_of_the_lecture_scheme_names_weights() -> None:
    e = gn.explain(nn.MLP([2, 3, 1], activation="tanh", rng=0), [0.5, -1.0], 0.3)
    assert e.gradient("w₁") == e.gradient("w1")
    with pytest.raises(KeyError, match=r"weights w1, w2, \.\.\., w9"):
        e.gradient("w[1]_11")


def test_step_preview_leaves_frozen_weights_as_fit_does() -> None:
    net = nn.MLP([3, 4, 2], activation="relu", rng=0)
    net.layers[0].requires_grad_(False)
    x, y = np.array([0.5, -1.0, 2.0]), np.array([1.0, 0.0])
    e = gn.explain(net, x, y, lr=0.5)
    W0 = net.layers[0].W.data.copy()
    W1 = [m for m in net.layers if isinstance(m, nn.Linear)][1].W.data.astype(np.float64)
    gn.fit(net, x[None], y[None], loss="half_mse", lr=0.5, epochs=1, verbose=0)
    assert np.array_equal(net.layers[0].W.data, W0)
    for name in sum(e.names.w[0], []) + list(e.names.b[0]):
        w, g, new = e.step()[name]
        assert new == w  # (frozen: kept, although dL/dw is shown)
    moved = [e.step()[n][2] for n in sum(e.names.w[1], [])]
    assert np.allclose(np.reshape(moved, W1.shape), W1 - 0.5 * e.grad_W[1])
    text = str(e)
    step = text[text.index("4. Gradient-descent step") :]
    assert "(frozen)" in step and "Frozen (requires_grad=False): layer 1's weights" in step
    assert step.count("(frozen)") == 12 + 4  # (3x4 weights and 4 biases, no more)
    assert "rozen" in e.to_html()


def test_step_preview_of_a_frozen_bias_alone() -> None:
    seq = nn.Sequential(nn.Linear(2, 2), nn.Tanh(), nn.Linear(2, 1))
    seq.layers[2].b.requires_grad_(False)
    e = gn.explain(seq, [0.5, -1.0], 0.3, names="layered")
    (b,) = e.names.b[1]
    assert e.step()[b][0] == e.step()[b][2]
    assert "layer 2's biases." in str(e) and "layer 2's weights" not in str(e)


def _softmax_net(K: int, seed: int = 0) -> nn.Module:
    return nn.MLP([6, 5, K], activation="tanh", output_activation="softmax", rng=seed)


def test_softmax_jacobian_is_not_stored_for_cross_entropy() -> None:
    import tracemalloc

    K, N = 400, 32  # (the whole Jacobian: 32 x 400 x 400 float64 = 41 MB)
    net = _softmax_net(K)
    X = np.random.default_rng(0).standard_normal((N, 6))
    gn.explain(net, X[:2], [0, 1], loss="cross_entropy")  # (imports and caches warmed)
    tracemalloc.start()
    try:
        e = gn.explain(net, X, np.arange(N) % K, loss="cross_entropy")
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 8_000_000, peak  # (was about 82 MB: the Jacobian and a temporary of it)
    assert e.gprime[-1].shape == (N, K, K)


@pytest.mark.parametrize("loss", ["cross_entropy", "half_mse"])
def test_softmax_jacobian_read_gives_the_numbers_of_the_whole(loss: str) -> None:
    K, N = 12, 3
    net = _softmax_net(K, seed=1)
    X = np.random.default_rng(1).standard_normal((N, 6))
    y = np.array([0, 5, 11]) if loss == "cross_entropy" else np.eye(K)[[0, 5, 11]]
    e = gn.explain(net, X, y, loss=loss, paths=True)
    J = e.gprime[-1]
    whole = F.softmax_jac(e.Z[-1], e.A[-1])
    assert np.array_equal(np.asarray(J), whole)
    assert np.array_equal(J[1], whole[1]) and np.array_equal(J[:, 2, 7], whole[:, 2, 7])
    assert np.array_equal(J[0, :, 4], whole[0, :, 4]) and J[2, 3, 3] == whole[2, 3, 3]
    assert np.array_equal(J[1:, 2:5, ::2], whole[1:, 2:5, ::2])
    # everything shown is what the stored Jacobian showed
    eager = gn.explain(net, X, y, loss=loss, paths=True)
    eager.gprime[-1] = whole
    assert str(e) == str(eager) and e.to_html() == eager.to_html()
    assert str(e.paths("x2", sample=1)) == str(eager.paths("x2", sample=1))
    svg = gn.viz.draw_network(net, X[0], y[0], loss=loss, backward=True)
    assert "svg" in svg


@pytest.mark.parametrize("mode", ["train", "eval"])
def test_explain_and_draw_network_say_dropout_is_left_out(mode: str) -> None:
    dn = nn.Sequential(nn.Linear(5, 4), nn.ReLU(), nn.Dropout(0.5), nn.Linear(4, 3))
    getattr(dn, mode)()
    x = np.random.default_rng(0).standard_normal(5)
    e = gn.explain(dn, x, 1, loss="cross_entropy")
    assert "Dropout 0.5 after layer 1" in str(e) and "Dropout 0.5 after layer 1" in e.to_html()
    assert ("differs" in e.dropout) is (mode == "train")
    assert ("eval mode" in e.dropout) and "Dropout 0.5 after layer 1" in e.to_markdown()
    backward = gn.viz.draw_network(dn, x, 1, backward=True, loss="cross_entropy")
    for svg in (gn.viz.draw_network(dn, x), backward):
        assert "Dropout 0.5 after layer 1: not drawn" in svg
        assert ("training mode" in svg) is (mode == "train")
        assert gn.viz.overlapping_texts(svg) == []


def test_dropout_of_a_forward_of_ones_own_is_named_by_its_path() -> None:
    m = _Net("relu_then_drop").train()
    e = gn.explain(m, np.ones(4), [0.0, 1.0])
    assert "Dropout 0.2 (drop) not applied" in str(e)
    plain = gn.explain(nn.MLP([3, 4, 1], rng=0), [1.0, 2.0, 3.0], 0.5)
    assert plain.dropout == "" and "ropout" not in str(plain)


def _formatting_calls(width: int, monkeypatch: pytest.MonkeyPatch, paths: bool) -> tuple:
    import glassnet.explain as ex

    calls = [0]
    real_fmt, real_more = ex.fmt, ex.fmt_more

    def counting_fmt(*a, **k):  # type: ignore[no-untyped-def]
        calls[0] += 1
        return real_fmt(*a, **k)

    def counting_more(*a, **k):  # type: ignore[no-untyped-def]
        calls[0] += 1
        return real_more(*a, **k)

    rng = np.random.default_rng(0)
    net = nn.MLP([16, width, 1], activation="tanh", rng=0)
    for layer in net.layers[::2]:  # (numbers of the same sizes at either width: z_out's too)
        layer.W.data[:] = rng.uniform(-0.5, 0.5, layer.W.shape) / np.sqrt(layer.W.shape[0] / 16)
    X, y = rng.standard_normal((16, 16)), rng.standard_normal(16)
    e = gn.explain(net, X, y, paths=paths)
    monkeypatch.setattr(ex, "fmt", counting_fmt)
    monkeypatch.setattr(ex, "fmt_more", counting_more)
    text = str(e)
    monkeypatch.undo()
    return calls[0], len(text), sum(len(rows._written) for rows in e.names.w)


@pytest.mark.parametrize("paths", [False, True])
def test_printing_formats_what_is_shown_not_the_layer_width(monkeypatch, paths: bool) -> None:
    # two widths past every cap (800 lines of the forward pass, 200 rows of a table), so
    # the text shown is about as long at either
    narrow, short, _ = _formatting_calls(1000, monkeypatch, paths)
    wide, chars, rows = _formatting_calls(4000, monkeypatch, paths)
    assert 0.8 < chars / short < 1.25
    # (the forward table formatted 2 x 16 numbers per neuron: 96,000 more calls at 4000)
    assert wide < 1.25 * narrow, (narrow, wide)
    small = gn.explain(nn.MLP([16, 40, 1], rng=0), np.ones((2, 16)), [0.0, 1.0])
    assert "more columns of this table" in str(small)
    if paths:
        assert rows < 300  # (the paths listed every weight's name: 4016 rows of them)


def test_a_capped_forward_table_is_the_columns_of_the_whole() -> None:
    rng = np.random.default_rng(3)
    e = gn.explain(nn.MLP([8, 40, 2], rng=0), rng.standard_normal((3, 8)), np.ones((3, 2)))
    capped = str(e).splitlines()
    whole = e.to_text(max_rows=None).splitlines()
    head = next(i for i, line in enumerate(capped) if line.startswith("#  x"))
    full = next(i for i, line in enumerate(whole) if line.startswith("#  x"))
    for a, b in zip(capped[head + 2 : head + 5], whole[full + 2 : full + 5]):
        cells_a, cells_b = a.split(), b.split()
        assert cells_a[:62] == cells_b[:62] and cells_a[-1] == cells_b[-1] and cells_a[62] == "..."
    assert "... 33 more columns of this table" in str(e)


@pytest.mark.parametrize("loss", ["half_mse", "mse"])
def test_step_1_puts_a_negative_target_in_parentheses(loss: str) -> None:
    net = nn.MLP([2, 3, 1], activation="tanh", rng=0)
    e = gn.explain(net, [0.5, -1.0], -0.7, loss=loss)
    step = next(line for line in str(e).splitlines() if line.startswith("Step 1"))
    assert "− (-0.700)" in step and "- -" not in step and "− -" not in step
    ascii_text = e.to_text(notation="ascii")
    assert "- (-0.700)" in ascii_text and "- -0.7" not in ascii_text
    assert "(-0.700)" in e.to_markdown() and "- -0.7" not in e.to_html()
    positive = gn.explain(net, [0.5, -1.0], 0.7, loss=loss)
    assert "− 0.700" in next(ln for ln in str(positive).splitlines() if ln.startswith("Step 1"))


def test_explain_paths_takes_printed_symbols_too() -> None:
    net = nn.MLP([20, 16, 10], activation="relu", rng=0)
    x = np.linspace(-1, 1, 20)
    e = gn.explain(net, x, 3, loss="cross_entropy", paths=["w⁽¹⁾₁,₂", "x₃"])
    plain = gn.explain(net, x, 3, loss="cross_entropy", paths=["w[1]_1,2", "x3"])
    assert str(e) == str(plain) and e._show_paths == ["w[1]_1,2", "x3"]
    with pytest.raises(ValueError, match="names unknown"):
        gn.explain(net, x, 3, loss="cross_entropy", paths=["w⁽⁹⁾₁,₂"])


def _printed_numbers(text: str) -> list[str]:
    return re.findall(r"-?\d+(?:\.\d+)?(?:e[+-]\d+)?", text)


def test_a_written_sum_between_1e5_and_1e6_adds_up_as_printed() -> None:
    net = nn.MLP([2, 2, 1], activation="relu", rng=0)
    e = gn.explain(net, np.array([150000.0, 3.0]), 250000.0)
    row = next(ln for ln in str(e).splitlines() if ln.startswith("x₂ "))
    cells = re.split(r"\s{2,}", row.strip())
    total = float(cells[-1])
    assert 1e5 <= abs(total) < 1e6, row
    terms = [
        _printed_numbers(term) for term in cells[-2].replace("(", "").replace(")", "").split(" + ")
    ]
    by_hand = sum(float(a) * float(b) for a, b in terms)
    decimals = len(cells[-1].split(".")[1]) if "." in cells[-1] else 0
    assert "e+" not in cells[-1] and abs(by_hand - total) <= 10.0**-decimals, row


def test_whole_number_data_print_exactly() -> None:
    net = nn.MLP([2, 1], activation="relu", rng=0)
    text = str(gn.explain(net, np.array([123456.0, 3.0]), 654321.0))
    data = next(ln for ln in text.splitlines() if "x₁ =" in ln)
    assert "x₁ = 123456" in data and "y = 654321" in data and "e+05" not in data


def test_gprime_is_an_ndarray_and_explaining_a_wide_head_stays_small() -> None:
    import tracemalloc

    K, N = 1000, 32
    net = _softmax_net(K)
    X = np.random.default_rng(0).standard_normal((N, 6))
    y = np.arange(N) % K
    gn.explain(net, X[:2], [0, 1], loss="cross_entropy")  # (imports and caches warmed)
    tracemalloc.start()
    try:
        e = gn.explain(net, X, y, loss="cross_entropy")
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.reset_peak()
        str(e), e.to_html(), str(e.paths("x2", sample=1))
        shown = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    # (the whole Jacobian alone is 32 x 1000 x 1000 x 8 = 256 MB; the text and HTML of a
    # 1000-class head, with their cached tables, take about 12 MB of their own)
    assert peak < 8_000_000 and shown < 32_000_000, (peak, shown)
    small = gn.explain(_softmax_net(12, seed=1), X[:3], [0, 5, 11], loss="cross_entropy")
    J = small.gprime[-1]
    assert isinstance(J, np.ndarray) and J.shape == (3, 12, 12)
    assert np.array_equal(J, F.softmax_jac(small.Z[-1], small.A[-1]))
    assert np.array_equal(J * 2, 2 * J.copy()) and J.T.shape == (12, 12, 3) and J.size == 432
    assert all(isinstance(g, np.ndarray) for g in small.gprime)


def test_functional_dropout_takes_the_rngs_the_library_takes() -> None:
    x = gn.tensor(np.ones((200, 3)))
    # no mask drawn: rng is not read, None included
    assert F.dropout(x, 0.5, None, training=False) is x and F.dropout(x, 0.0, None) is x
    a = F.dropout(x, 0.5, 7).data
    assert np.array_equal(a, F.dropout(x, 0.5, np.random.default_rng(7)).data)
    b = F.dropout(x, 0.5, np.random.RandomState(0)).data
    assert np.array_equal(b, F.dropout(x, 0.5, np.random.RandomState(0)).data)
    assert set(np.unique(a)) == {0.0, 2.0} and set(np.unique(b)) == {0.0, 2.0}
    for bad in (-1, "0", 1.5, True):
        with pytest.raises(TypeError, match="an int seed >= 0"):
            F.dropout(x, 0.5, bad)


class _After(nn.Module):
    """A function between the layer and a pass-through module, and one after it."""

    def __init__(self, kind: str) -> None:
        super().__init__()
        self.l, self.i, self.d, self.o = (
            nn.Linear(4, 3),
            nn.Identity(),
            nn.Dropout(0.5),
            nn.Linear(3, 1),
        )
        self.kind = kind

    def forward(self, x):  # type: ignore[no-untyped-def]
        if self.kind == "tanh_drop_relu":
            return F.relu(self.d(F.tanh(self.l(x))))
        return self.o(self.d(self.i(F.relu(self.l(x)))).tanh())


@pytest.mark.parametrize(
    ("kind", "expected"),
    [
        ("tanh_drop_relu", ["tanh", "relu", "-"]),  # (o: a layer not called, its own row)
        ("relu_ident_drop_tanh", ["relu", "identity", "tanh", "-"]),
    ],
)
def test_summary_lists_each_function_once_where_the_forward_applies_it(
    kind: str, expected: list[str]
) -> None:
    m = _After(kind)
    m.eval()
    s = gn.summary(m, input_data=np.ones((2, 4), np.float32))
    assert [r.activation for r in s.rows] == expected
    later = "relu" if expected[0] == "tanh" else "tanh"
    assert f"{expected[0]}(" in s.rows[0].computes and later not in s.rows[0].computes


@pytest.mark.parametrize(
    ("sizes", "hint"),
    [
        ([3, 13, 2], "(w[l]_i,k: layer"),
        ([3, 4, 2], "(w[l]_i,k, or w[l]_ik: layer"),
        ([3, 4, 13], "(w[l]_i,k, or w[l]_ik in layer 1 (under 10 inputs and neurons): layer"),
    ],
)
def test_unknown_name_hint_says_where_the_comma_free_weight_name_holds(
    sizes: list[int], hint: str
) -> None:
    net = nn.MLP(sizes, activation="tanh", rng=0)
    e = gn.explain(net, np.ones(3), np.zeros(sizes[-1]), names="layered")
    with pytest.raises(KeyError) as info:
        e.gradient("w[9]_12")
    assert hint in str(info.value) and "while both are below 10" not in str(info.value)
    if sizes[1] == 13:  # (w[1]_12 is refused there: the hint no longer offers it)
        with pytest.raises(KeyError, match=r"w\[l\]_i,k: layer"):
            e.gradient("w[1]_12")
