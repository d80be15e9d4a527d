"""Round 22: glassnet.micrograd's Value after its graph is drawn, copies, pickles, inputs."""

import copy
import gc
import pickle
import random

import numpy as np
import pytest

import glassnet as gn
import glassnet.micrograd.engine as E
from glassnet.micrograd import MLP, Value
from glassnet.micrograd.nn import Layer, Neuron
from glassnet.viz import draw_graph


def _step(model):
    rows = [(0.1, 0.2, 1), (0.5, -0.3, -1)]
    loss = sum((1 + -y * model([Value(a), Value(b)])).relu() for a, b, y in rows)
    model.zero_grad()
    loss.backward()
    for p in model.parameters():
        p.data -= 0.1 * p.grad
    return loss


def _tensors() -> int:
    return sum(type(o) is gn.Tensor for o in gc.get_objects())


@pytest.mark.parametrize("how", ["draw", "tensor"])
def test_a_drawn_graph_leaves_later_steps_on_the_float_path(monkeypatch, how):
    # after draw_graph(loss) or one weight's .tensor, the parameters kept their Tensors and
    # every later op went through a Tensor op (_eager), backward() through the Tensor graph
    eager = []
    orig = E._eager
    monkeypatch.setattr(E, "_eager", lambda *a, **k: eager.append(1) or orig(*a, **k))
    runs = []
    for drawn in (False, True):
        random.seed(1337)
        model = MLP(2, [4, 1])
        losses = [_step(model).data]
        if drawn:
            loss = _step(model)
            if how == "draw":
                assert "ReLU" in draw_graph(loss) or draw_graph(loss)
            else:
                model.parameters()[0].tensor  # noqa: B018
            loss.backward()  # (the drawn graph's backward: the Tensor's, into the weights)
            kept = loss  # noqa: F841 (its Tensors kept: not counted as freed below)
            losses.append(loss.data)
            model.zero_grad()
        else:
            loss = _step(model)
            loss.backward()
            losses.append(loss.data)
            model.zero_grad()
        eager.clear()
        gc.collect()
        before = _tensors()
        for _ in range(3):
            loss = _step(model)
            losses.append(loss.data)
        assert not eager, f"{len(eager)} ops on the Tensor path after {how}"
        assert _tensors() == before  # no Tensor made by the steps
        ps = model.parameters()
        runs.append(losses + [p.data for p in ps] + [p.grad for p in ps])
    assert runs[0] == runs[1]  # the same numbers, drawn or not


def test_a_drawn_weight_is_still_its_tensor_both_ways():
    w, x = Value(2.0), Value(3.0)
    t = w.tensor
    y = w * x + w  # (the float path, on the weight's number)
    assert y._t is None
    y.backward()
    assert float(t.grad) == 4.0 == w.grad and x.grad == 2.0
    w.data = 5.0
    assert float(t.data) == 5.0 and w.tensor is t
    t.grad = np.array(0.5)
    assert w.grad == 0.5


def test_a_copy_of_a_drawn_value_is_its_own():
    p = Value(1.0)
    p.tensor  # noqa: B018
    q = copy.copy(p)
    q.data, q.grad = 5.0, 3.0
    assert (p.data, p.grad) == (1.0, 0) and (q.data, q.grad) == (5.0, 3.0)
    a = Value(2.0)
    b = a * a
    b.backward()
    b.tensor  # noqa: B018
    c = pickle.loads(pickle.dumps(b))
    assert (c.data, c.grad, c._op) == (4.0, 1.0, "*")
    (k,) = c._prev
    assert (k.data, k.grad) == (2.0, 4.0)
    d = copy.copy(b)
    d.data = 9.0
    assert b.data == 4.0 and d._prev == b._prev


def test_a_copy_of_a_node_made_on_the_tensor_path_is_its_own():
    c = Value(2.0) * 1.5
    c.tensor  # noqa: B018
    e = (c.relu() * 3).relu()  # (an op on a drawn node: a Tensor op made its Tensor)
    assert e._t is not None
    b = e + Value(1.0).tanh()
    b.tensor  # noqa: B018
    c = pickle.loads(pickle.dumps(b))
    assert c.data == b.data
    c.backward()
    assert c.grad == 1.0


def test_neuron_layer_and_mlp_take_any_iterable():
    random.seed(0)
    n, layer, mlp = Neuron(2), Layer(2, 3), MLP(2, [3, 1])
    row = [1.0, -2.0]
    assert n(x for x in row).data == n(row).data
    assert [v.data for v in layer(iter(row))] == [v.data for v in layer(row)]
    assert mlp(map(Value, row)).data == mlp(row).data
    with pytest.raises(TypeError, match="Neuron.*iterable.*Got int"):
        n(5)


def test_a_zero_gradient_is_a_float_once_set_or_passed():
    x2, w2 = Value(0.0), Value(1.0)
    m = x2 * w2
    m.grad = 1.0
    m._backward()
    assert repr(w2) == "Value(data=1.0, grad=0.0)" and type(w2.grad) is float
    a = Value(1.0)
    assert repr(a.grad) == "0"  # (micrograd's int 0 before any gradient)
    a.grad = 0.0
    assert repr(a.grad) == "0.0"
    a.grad = 0  # (micrograd's zero_grad: the int)
    assert repr(a.grad) == "0"
    b = Value(1.0)
    b.tensor  # noqa: B018
    b.grad = 0.0
    assert repr(b) == "Value(data=1.0, grad=0.0)"


def test_an_int_past_the_float_range_is_refused_in_words():
    with pytest.raises(OverflowError, match=r"Value holds one real number.*float range"):
        Value(10**400)
    with pytest.raises(OverflowError, match=r"float range"):
        Value(1.0) + 10**400


_OPS = {
    "add": lambda h, e: h + e,
    "add number": lambda h, e: 2.0 + h,
    "mul": lambda h, e: h * e,
    "mul number": lambda h, e: h * 3.0,
    "pow number": lambda h, e: h**3,
    "pow value": lambda h, e: h**e,
    "relu": lambda h, e: h.relu(),
    "tanh": lambda h, e: h.tanh(),
    "exp": lambda h, e: h.exp(),
    "sub": lambda h, e: h - e,
    "rsub": lambda h, e: 5.0 - h,
    "div": lambda h, e: h / e,
    "rdiv": lambda h, e: 3.0 / h,
    "neg": lambda h, e: -h,
}


@pytest.mark.parametrize("how", ["copy", "pickle"])
@pytest.mark.parametrize("op", list(_OPS))
def test_a_copy_of_each_op_made_on_the_tensor_path_has_the_float_paths_gradients(op, how):
    # (a ** Value node made by _eager recorded (output, output), not (exponent, output): its
    # copy's backward ran with the output as the exponent, a.grad 1024.0 where 12.0 is right)
    a, e = Value(2.0), Value(3.0)
    z = _OPS[op](a * 1.0, e)
    z.backward()
    want = (z.data, a.grad, e.grad)
    a, e = Value(2.0), Value(3.0)
    h = a * 1.0
    h.tensor  # noqa: B018  (a drawn op node: the op on it runs on the Tensor path)
    z = _OPS[op](h, e)
    assert z._t is not None
    if how == "copy":
        zc = copy.copy(z)
    else:
        zc, a, e = pickle.loads(pickle.dumps((z, a, e)))
    zc.backward()
    assert (zc.data, a.grad, e.grad) == want


def test_a_number_past_the_float_range_is_named_by_its_type():
    from fractions import Fraction

    with pytest.raises(OverflowError, match=r"Got a Fraction, past the float range"):
        Value(Fraction(10**400, 3))
    with pytest.raises(OverflowError, match=r"Got an int of 401 digits, past"):
        Value(10**400)


@pytest.mark.parametrize(
    "call",
    [lambda x: Neuron(2)(x), lambda x: Layer(2, 3)(x), lambda x: MLP(2, [2, 1])(x)],
)
def test_an_endless_iterable_of_inputs_is_refused_after_one_too_many(call):
    import itertools

    seen = itertools.count()
    with pytest.raises(ValueError, match="takes 2 inputs. Got more than 2"):
        call(seen)
    assert next(seen) <= 4  # (read 3, not all of them)


@pytest.mark.parametrize("x", [{1: 1, 2: 2}, {1, 2}, "12"])
def test_a_dict_set_or_text_of_inputs_is_refused(x):
    with pytest.raises(TypeError, match=f"Got {type(x).__name__}.*list"):
        Neuron(2)(x)


@pytest.mark.parametrize(
    "make, words",
    [
        (lambda: MLP(2, (n for n in [3, 1])), "'nouts'.*generator"),
        (lambda: MLP(2, __import__("itertools").count(1)), "'nouts'.*count"),
        (lambda: MLP(2, "31"), "'nouts'.*'31'"),
        (lambda: MLP(2, {3: 0, 1: 0}), "'nouts'.*dict"),
        (lambda: MLP(2, {3, 1}), "'nouts'.*set"),
        (lambda: MLP(2, []), "'nouts'.*empty"),
        (lambda: MLP(2, [3.0, 1]), r"'nouts\[0\]'.*int >= 1. Got 3.0"),
        (lambda: MLP(2, [True, 1]), r"'nouts\[0\]'.*Got True"),
        (lambda: MLP(0, [1]), "'nin'.*Got 0"),
        (lambda: Layer(2, (i for i in [3])), "'nout'.*generator"),
        (lambda: Layer(2, 0), "'nout'.*Got 0"),
        (lambda: Neuron(0), "'nin' parameter of Neuron must be an int >= 1. Got 0"),
        (lambda: Neuron(2.5), "'nin'.*Got 2.5"),
        (lambda: MLP(2, [10**30]), "3000000000000000000000000000000 Values"),
        (lambda: Neuron(10**9), "1000000001 Values"),
    ],
)
def test_odd_sizes_are_refused_naming_the_argument(make, words):
    with pytest.raises((TypeError, ValueError), match=words):
        make()


def test_sizes_of_ints_in_a_list_or_tuple_and_numpy_ints_build():
    random.seed(1)
    a = MLP(2, [3, 1])
    random.seed(1)
    b = MLP(np.int64(2), (np.int64(3), 1))
    assert [p.data for p in a.parameters()] == [p.data for p in b.parameters()]
    assert repr(a) == repr(b)
    with pytest.raises(ValueError, match=r"'nouts\[0\]'.*Got 0"):  # (a range is read in order)
        MLP(2, range(10**30))
