"""Round 26: glassnet.micrograd against micrograd 0.1.0 itself (the audit micro26).

relu's backward is micrograd's gate (an inf or NaN gradient at a unit that is off gives
NaN, as micrograd's), NumPy float32 numbers are kept and computed in as micrograd's, a bool
operand is its number, a NumPy zero divides as NumPy's, and the refusals say what to do.
"""

from __future__ import annotations

import math
import random
import struct
import warnings

import numpy as np
import pytest

import glassnet as gn
import glassnet.micrograd.engine as G
import glassnet.micrograd.nn as GN

M = pytest.importorskip("micrograd.engine")


def _key(x):
    """A number as its kind and bits: a NumPy scalar's own bytes (float32 stays float32), a
    Python int or float (micrograd's ints are glassnet's floats) or a NumPy int (micrograd's
    ``np.True_ * 1``, glassnet's ``np.True_ * 1.0``) as a float64's."""
    if isinstance(x, np.generic) and x.dtype.kind in "fc":
        return (x.dtype.name, x.tobytes())
    return ("float64", struct.pack("<d", float(x)))


@pytest.fixture
def operand_order(monkeypatch):
    """micrograd's Value with its children in operand order: micrograd keeps them in a
    set, ordered by memory address, so its sums where three or more paths meet are in an
    order that changes from run to run (in float32, its last bit often); glassnet's is the
    operand order, one of those."""
    init = M.Value.__init__

    def ordered(self, data, _children=(), _op=""):
        init(self, data, _children, _op)
        self._prev = list(dict.fromkeys(_children))

    monkeypatch.setattr(M.Value, "__init__", ordered)


# ------------------------------------------------------------------ 1. relu's gate
def _relu_inf(V):
    x = V(-1.0)
    z = x.relu() * 1e200 * 1e200
    z.backward()
    return x.grad


def _relu_nan(V):
    x = V(-1.0)
    z = x.relu() * V(float("nan")) + x
    z.backward()
    return x.grad


def _relu_inf_value(V):
    x = V(-1.0)
    z = x.relu() * V(float("inf"))
    z.backward()
    return x.grad


@pytest.mark.parametrize("case", [_relu_inf, _relu_nan, _relu_inf_value])
def test_relu_gate_gives_micrograds_nan_for_an_inf_gradient_at_a_dead_unit(case):
    assert math.isnan(case(M.Value))
    assert math.isnan(case(G.Value))  # (glassnet gave 0.0, 1.0 and 0.0)


def test_relu_gate_on_the_tensor_path_and_by_hand():
    # a drawn graph (its Tensors built) and the lecture's node-by-node _backward()
    x = G.Value(-1.0)
    r = x.relu()
    z = r * G.Value(float("inf"))
    assert z.tensor.requires_grad  # (the Tensor graph, built now)
    z.backward()
    assert math.isnan(x.grad)
    x = G.Value(-1.0)
    r = x.relu()
    r.grad = float("inf")
    r._backward()
    assert math.isnan(x.grad)
    x = G.Value(2.0)  # a live unit passes the gradient on, inf included
    z = x.relu() * G.Value(float("inf"))
    z.backward()
    assert x.grad == math.inf


def test_relu_of_nan_still_passes_nothing_on():
    for V in (M.Value, G.Value):
        x = V(float("nan"))
        y = x.relu() + x
        y.backward()
        assert x.grad == 1.0


# ------------------------------------------------------------------ 2. float32 kept
def _f32_graph(V, seed):
    r = random.Random(seed)
    f32 = np.float32
    leaves = [V(f32(r.uniform(-2, 2)) if r.random() < 0.6 else r.uniform(-2, 2)) for _ in range(4)]
    nodes = list(leaves)
    for _ in range(16):
        op, a, b = r.randrange(7), r.choice(nodes), r.choice(nodes)
        if op == 0:
            n = a + b
        elif op == 1:
            n = a * b
        elif op == 2:
            n = a - r.uniform(-1, 1)
        elif op == 3:
            n = a.relu()
        elif op == 4:
            n = a * (b * b + 1) ** -1
        elif op == 5:
            n = a**2
        else:
            n = f32(r.uniform(-1, 1)) * a - b
        nodes.append(n)
    root = sum(nodes[-5:], V(0.0))
    root.backward()
    return [(n.data, n.grad) for n in nodes]


@pytest.mark.parametrize("seed", range(40))
def test_float32_numbers_are_micrograds_bit_for_bit(seed, operand_order):
    want = _f32_graph(M.Value, seed)
    got = _f32_graph(G.Value, seed)
    for (d1, g1), (d2, g2) in zip(want, got):
        # (.data + 0: the sign of a zero differs where micrograd computes in ints, its
        # relu's 0 of a Python float, as documented)
        assert _key(d1 + 0) == _key(d2 + 0) and _key(g1) == _key(g2)


def test_float32_value_examples():
    a = G.Value(np.float32(0.1))
    c = a * 3
    assert type(c.data) is np.float32 and c.data == np.float32(0.1) * 3
    assert repr(c) == repr(M.Value(np.float32(0.1)) * 3)  # 0.30000001192092896
    b = G.Value(2.0)
    d = b * np.float32(0.5)
    d.backward()
    assert type(d.data) is np.float32 and type(b.grad) is np.float32
    assert type(G.Value(np.array([[0.5]], dtype=np.float32)).data) is np.float32


def test_float32_past_its_range_is_inf_as_numpy_warns():
    a, m = G.Value(np.float32(3e38)), M.Value(np.float32(3e38))
    with pytest.warns(RuntimeWarning, match="overflow"):
        y = a * 10
    with pytest.warns(RuntimeWarning, match="overflow"):
        w = m * 10
    assert type(y.data) is np.float32 and y.data == w.data == np.inf
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        z, v = G.Value(np.float32(-2.0)) ** 0.5, M.Value(np.float32(-2.0)) ** 0.5
    assert math.isnan(z.data) and math.isnan(v.data)  # (a Python float's raises: a complex)


def test_a_float32_graph_refuses_its_tensor_in_words():
    y = G.Value(np.float32(0.5)) * 2 + 1
    with pytest.raises(TypeError, match="float64.*float32.*float\\(x\\)"):
        _ = y.tensor
    with gn.detect_anomaly():  # (its Tensor checks need the Tensors: the float path runs)
        y.backward()
    assert y.grad == 1.0


def _train(nn, V, dtype):
    """micrograd's demo loop, small: its SVM loss, L2 term and update, on ``dtype`` data
    with int64 labels (``y * 2 - 1``)."""
    X = np.random.RandomState(0).randn(6, 2).astype(dtype)
    y = np.array([1, 0, 1, 1, 0, 0]) * 2 - 1
    random.seed(3)
    m = nn.MLP(2, [4, 4, 1])
    out = []
    for _ in range(3):
        scores = [m(list(map(V, x))) for x in X]
        loss = sum(((1 + -yi * s).relu() for yi, s in zip(y, scores)), V(0.0)) * (1.0 / len(X))
        loss = loss + 1e-4 * sum(p * p for p in m.parameters())
        m.zero_grad()
        loss.backward()
        for p in m.parameters():
            p.data -= 0.1 * p.grad
        out.append(loss.data)
    return out + [p.data for p in m.parameters()] + [p.grad for p in m.parameters()]


@pytest.mark.parametrize("dtype", [np.float32, np.float64, np.float16])
def test_a_training_loop_on_numpy_data_is_micrograds_bit_for_bit(dtype, operand_order):
    import micrograd.nn as MN

    want, got = _train(MN, M.Value, dtype), _train(GN, G.Value, dtype)
    assert [_key(x) for x in got] == [_key(x) for x in want]
    assert type(got[0]) is np.dtype(dtype).type  # (float32 data: a float32 loss)
    assert type(got[-1]) is type(want[-1])  # (and NumPy's types where micrograd has them)


def test_numpy_numbers_are_kept_and_still_draw():
    assert type(G.Value(np.float64(1.5)).data) is np.float64
    assert type(G.Value(np.int64(3)).data) is np.int64
    x = G.Value(np.float64(-0.5))
    y = (x * np.int64(3)).relu() + x * x
    y.backward()
    before = x.grad
    assert y.tensor.dtype == np.float64  # (float64 and int numbers: the Tensor graph)
    x.grad = 0
    y.backward()
    assert x.grad == before


# ------------------------------------------------------------------ 3. size-1 arrays
def test_a_size_one_array_is_its_number_a_larger_one_refused():
    assert G.Value(np.array([[5.0]])).data == 5.0  # (micrograd keeps [[5.]]; it takes it)
    v = G.Value(0.0)
    v.data = np.array([3.0])
    assert v.data == 3.0
    with pytest.raises(TypeError, match="shape \\(3,\\).*glassnet.Tensor"):
        G.Value(np.zeros(3))


# ------------------------------------------------------------------ 4. the refusals
def test_a_float32_tensor_operand_says_what_to_do():
    with pytest.raises(TypeError, match="Value\\(t.item\\(\\)\\).*float64"):
        G.Value(2.0) * gn.Tensor(3.0)
    with pytest.raises(TypeError, match="stay with glassnet.Tensor"):
        G.Value(gn.Tensor(np.ones(2)))


def test_a_micrograd_value_is_named_with_its_package():
    from glassnet.micrograd.nn import MLP

    with pytest.raises(TypeError, match="micrograd.engine.Value from the micrograd package.*"
                       "glassnet.micrograd.engine"):  # fmt: skip
        MLP(2, [3, 1])([M.Value(1.0), M.Value(2.0)])
    with pytest.raises(TypeError, match="a Value already"):
        G.Value(G.Value(2.0))


@pytest.mark.parametrize(
    "expr", ["a ** True", "a + True", "a * np.bool_(True)", "True - a", "a * np.bool_(False) + 1"]
)
def test_a_bool_operand_is_its_number_as_micrograds(expr):
    want = eval(expr, {"a": M.Value(2.0), "np": np})
    got = eval(expr, {"a": G.Value(2.0), "np": np})
    assert float(got.data) == float(want.data) and got._op == want._op


@pytest.mark.parametrize("b", [True, np.bool_(True)])
def test_a_value_of_a_bool_is_refused_naming_the_bool(b):
    with pytest.raises(TypeError, match="Value holds one real number.*bool.*float\\(x\\)") as e:
        G.Value(b)
    assert "array" not in str(e.value)


def test_mlp_with_a_hidden_layer_of_one_names_the_cause():
    m = GN.MLP(2, [1, 1])
    with pytest.raises(TypeError, match="MLP\\(2, \\[1, 1\\]\\): hidden layer 0 has one neuron.*"
                       "bare Value"):  # fmt: skip
        m([1.0, 2.0])
    with pytest.raises(TypeError, match="single Value.*\\[v\\]"):
        GN.Neuron(1)(G.Value(1.0))


# ------------------------------------------------------------------ 5. the docstring
def test_zero_grad_between_two_backward_calls_is_not_claimed_to_give_micrograds():
    assert "as micrograd's lessons do, and the" not in " ".join(G.__doc__.split())
    random.seed(1)
    m = GN.MLP(2, [2, 1])
    loss = (m([1.0, 2.0]) - 1) ** 2
    m.zero_grad()
    loss.backward()
    first = m.parameters()[0].grad
    m.zero_grad()
    loss.backward()  # (this call's gradient; micrograd's passes the kept ones on too)
    assert m.parameters()[0].grad == first


# ------------------------------------------------------------------ 6. rough edges
def test_division_by_a_numpy_zero_is_numpys_inf_as_micrograds():
    for V in (M.Value, G.Value):
        with pytest.warns(RuntimeWarning, match="divide by zero"):
            y = V(2.0) / np.float64(0)
        assert y.data == math.inf
        with pytest.warns(RuntimeWarning, match="divide by zero"):
            y = V(2.0) / V(np.float64(0))
        assert y.data == math.inf
    with pytest.raises(ZeroDivisionError):
        G.Value(2.0) / 0.0  # (Python's zero raises, as micrograd's)


def test_a_tensor_first_in_an_op_with_a_value_says_what_to_do():
    """t * v runs the Tensor's op first, which met the Value as an object array ("Tensor
    data must be numbers. Got dtype object."): it names the Value and the ways out."""
    import glassnet as gn
    from glassnet.micrograd.engine import Value

    v = Value(2.0)
    for op in (lambda t: t * v, lambda t: t + v, lambda t: t - v):
        with pytest.raises(TypeError, match=r"micrograd Value in a Tensor's op\. Use v\.tensor"):
            op(gn.Tensor(3.0))
    with pytest.raises(
        TypeError, match="mul: the other operand must be a number or an array of numbers"
    ):
        gn.Tensor(3.0) * object()  # (another object: the plain refusal)
    assert (v * gn.Tensor(3.0, dtype=gn.float64)).data == 6.0  # (the Value first works)


# ------------------------------------------------------------------ round 26, review rev26a
def _quiet(f):
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # (no warning here: none is NumPy's)
        return f()


@pytest.mark.parametrize("narrow", [np.float32, np.float16])
def test_a_narrow_numpy_number_with_a_drawn_node_computes_as_micrograds(narrow, operand_order):
    import micrograd.nn as MN

    def lecture(nn, draw):
        random.seed(0)
        n = nn.Neuron(2)
        o = n([2.0, 3.0])
        if draw:
            gn.viz.draw_graph(o)
        loss = (o - narrow(1.0)) ** 2
        loss.backward()
        return loss.data, n.w[0].grad

    want, got = lecture(MN, False), _quiet(lambda: lecture(GN, True))
    # the Tensor path is float64: within float32's rounding of micrograd's numbers (the
    # tolerance the module's notes give, a relative 2**-24 an op; float16's 2**-11)
    rtol = 4 * float(np.finfo(narrow).eps)
    assert got[0] == pytest.approx(float(want[0]), rel=rtol)
    assert got[1] == pytest.approx(float(want[1]), rel=rtol)


def test_a_narrow_number_with_any_node_that_has_its_tensor_computes():
    a = G.Value(1.0) * 2
    _ = a.tensor
    assert _quiet(lambda: a * np.float32(2.0)).data == 4.0
    t = gn.Tensor(2.0, dtype="float64", requires_grad=True)
    c = _quiet(lambda: G.Value(t) * np.float32(3))
    c.backward()
    assert c.data == 6.0 and float(t.grad) == 3.0
    b = G.Value(1.0) * 3
    gn.viz.draw_graph(b)
    y = G.Value(np.float32(0.5)) * 2  # a float32 graph beneath the other operand
    d = _quiet(lambda: b + G.Value(np.float16(1)) + y)
    d.backward()
    assert d.data == 5.0 and y.grad == 1.0


def test_no_private_class_name_in_a_refusal():
    y = G.Value(np.float32(0.5)) * 2 + 1
    with pytest.raises(TypeError) as e:
        _ = y.tensor
    assert type(e.value) is TypeError and "float(x)" in str(e.value)
    with pytest.raises(TypeError) as e:
        gn.viz.draw_graph(y)
    assert type(e.value) is TypeError


def test_exp_of_a_numpy_number_is_the_lectures_math_exp():
    # micrograd's lecture: Value(math.exp(x)): a float; OverflowError past the float range,
    # a NumPy number's too (math.exp(np.float64(1000)) raises)
    with pytest.raises(OverflowError):
        math.exp(np.float64(1000))
    for x in (np.float64(1000), np.float32(1000), 1000.0):
        with pytest.raises(OverflowError, match="past the float range"):
            G.Value(x).exp()
    y = _quiet(lambda: G.Value(np.float32(100)).exp())
    assert type(y.data) is float and y.data == pytest.approx(math.exp(100.0), rel=1e-15)


def test_a_value_exponent_past_the_range_is_numpys_inf_with_its_warning_or_raises():
    # a number exponent is micrograd's: np.float64(10) ** 400.0 is NumPy's inf, with its
    # warning; a Value exponent does the same with NumPy numbers, and raises with floats
    with pytest.warns(RuntimeWarning, match="overflow"):
        m = M.Value(np.float64(10)) ** 400.0
    with pytest.warns(RuntimeWarning, match="overflow"):
        g = G.Value(np.float64(10)) ** 400.0
    assert m.data == g.data == np.inf
    with pytest.warns(RuntimeWarning, match="overflow"):
        v = G.Value(np.float64(10)) ** G.Value(400.0)
    assert v.data == np.inf
    with pytest.raises(OverflowError, match="past the float range"):
        G.Value(10.0) ** G.Value(400.0)


def test_a_negated_dead_numpy_relu_is_micrograds_zero_not_minus_zero():
    def graph(V):
        x = V(np.float32(-1.0))
        h = -x.relu()
        z = (V(np.float32(0.5)) * h) ** -1
        out = (z + 1.0).relu() * 2.0
        out.backward()
        return h.data, z.data, out.data

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        want, got = graph(M.Value), graph(G.Value)
    assert [_key(w) for w in want] == [_key(g) for g in got]
    assert math.copysign(1, got[0]) == 1 and got[1] == np.inf
    w, g = M.Value(np.float32(2.0)) * 3 - 1, G.Value(np.float32(2.0)) * 3 - 1
    assert _key(w.data) == _key(g.data)  # (an int constant is micrograd's: float32 kept)
    assert G.Value(2).data == 2.0 and type(G.Value(2).data) is float


def test_an_overflow_leaves_the_operand_as_it_was():
    x = G.Value(np.float64(1000))
    with pytest.raises(OverflowError):
        x.exp()
    a, p = G.Value(10.0), G.Value(1000.0)
    with pytest.raises(OverflowError):
        a**p
    assert type(x.data) is np.float64 and x._t is None  # (no Tensor built for the error)
    assert a._t is None and p._t is None
