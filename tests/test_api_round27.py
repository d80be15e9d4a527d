"""Round 27 API audit (api27): wrong types refused with clear messages, pickling, reprs."""

import pickle

import numpy as np
import pytest

import glassnet as gn
from glassnet import micrograd as mg
from glassnet._validation import ParameterError
from glassnet.nn import init


@pytest.fixture(autouse=True)
def _keep_dtype():
    before = gn.get_default_dtype()
    yield
    gn.set_default_dtype(before)


# 1 -------------------------------------------------------------------------------------
def test_set_default_dtype_none_refused():
    with pytest.raises(TypeError, match="set_default_dtype"):
        gn.set_default_dtype(None)
    assert gn.get_default_dtype() == np.float32


def test_preprocessor_transform_dtype_none_refused():
    from glassnet.datasets import Table
    from glassnet.preprocessing import Preprocessor

    table = Table({"a": ["1", "2", "3"], "b": ["x", "y", "x"]})
    pre = Preprocessor().fit(table)
    with pytest.raises(TypeError, match="Preprocessor.transform"):
        pre.transform(table, dtype=None)


# 2 -------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "call",
    [
        lambda: gn.arange(0, 1e300, 1e299),
        lambda: gn.linspace(0, 1e300, 3),
        lambda: gn.linspace(-1e300, 0, 2),
    ],
)
def test_arange_linspace_beyond_float32_refused(call):
    with pytest.raises(ValueError, match="beyond the range of float32"):
        call()


def test_linspace_inexact_whole_number_refused():
    with pytest.raises(ValueError, match="not exact in float32"):
        gn.linspace(2**24, 2**24 + 2, 3)
    assert gn.linspace(2**24, 2**24 + 2, 3, dtype=gn.float64).tolist() == [
        2**24,
        2**24 + 1,
        2**24 + 2,
    ]
    assert gn.linspace(0, 1, 5).tolist() == [0.0, 0.25, 0.5, 0.75, 1.0]
    assert gn.linspace(2**24, 2**24 + 1, 3, dtype=gn.float64).shape == (3,)  # (halves: fine)
    assert np.isnan(gn.linspace(0, float("nan"), 3).data[1:]).all()  # (NaN kept, as before)
    assert gn.linspace(0, float("inf"), 2).data[-1] == np.inf


# 3 + 7 ---------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "call, words",
    [
        (lambda: init.xavier_uniform((2, 3), rng=0, dtype=np.int64), "float32 or float64"),
        (lambda: init.uniform((2, 3), rng=0, dtype=np.float16), "float32 or float64"),
        (lambda: init.normal((2, 2), rng=0, std=-1), "std"),
        (lambda: init.normal((2, 2), rng=0, std="a"), "std"),
        (lambda: init.uniform((2, 2), rng=0, low=1, high=0), "low"),
        (lambda: init.he_uniform((0, 3), rng=0), "shape"),
        (lambda: init.he_normal((), rng=0), "shape"),
        (lambda: init.xavier_normal((0, 0), rng=0), "shape"),
        (lambda: init.normal(None, rng=0), "shape"),
        (lambda: init.xavier_uniform(3.5), "shape"),
        (lambda: init.zeros((2, -1)), "shape"),
        (lambda: init.constant("abc"), "shape"),
        (lambda: init.constant((2,), value="a"), "value"),
        (lambda: init.xavier_uniform((2, 2), gain=None), "gain"),
    ],
)
def test_plain_initializers_check_their_arguments(call, words):
    with pytest.raises(ParameterError, match=words):
        call()


def test_plain_initializers_unchanged_for_good_arguments():
    a = init.xavier_uniform((2, 3), rng=0)
    b = np.random.default_rng(0).uniform(-np.sqrt(6 / 5), np.sqrt(6 / 5), (2, 3))
    assert a.dtype == np.float32 and np.array_equal(a, b.astype(np.float32))
    assert init.zeros([3]).shape == (3,) and init.constant((2, 2), value=3).sum() == 12
    assert init.he_normal((4, 2), rng=1, dtype="float64").dtype == np.float64
    assert init.normal((2,), rng=0, std=0).tolist() == [0.0, 0.0]
    assert init.xavier_uniform.__name__ == "xavier_uniform"
    assert pickle.loads(pickle.dumps(init.he_uniform)) is init.he_uniform


# 4 -------------------------------------------------------------------------------------
@pytest.mark.parametrize("nonlin", ["tanh", "linear", None, 2, 0.5])
def test_micrograd_nonlin_must_be_a_bool(nonlin):
    with pytest.raises(TypeError, match="nonlin=True"):
        mg.Neuron(3, nonlin=nonlin)
    with pytest.raises(TypeError, match="nonlin=True"):
        mg.Layer(3, 2, nonlin=nonlin)


def test_micrograd_nonlin_bools_and_01():
    assert repr(mg.Neuron(3, nonlin=False)) == "LinearNeuron(3)"
    assert repr(mg.Neuron(3, nonlin=0)) == "LinearNeuron(3)"
    assert repr(mg.Neuron(3, nonlin=1)) == "ReLUNeuron(3)"
    assert repr(mg.Neuron(3, nonlin=np.bool_(True))) == "ReLUNeuron(3)"
    assert "LinearNeuron" in repr(mg.MLP(2, [3, 1]))


# 5 -------------------------------------------------------------------------------------
@pytest.mark.parametrize("bad", [None, "abc", {"a": 1}, object(), [1, "a"]])
@pytest.mark.parametrize(
    "fn",
    [gn.zeros_like, gn.ones_like, gn.empty_like, gn.rand_like, gn.randn_like],
)
def test_like_functions_refuse_non_numbers(fn, bad):
    with pytest.raises(TypeError, match=f"{fn.__name__}.*input"):
        fn(bad)


def test_full_like_refuses_non_numbers_and_keeps_numbers():
    with pytest.raises(TypeError, match="full_like"):
        gn.full_like(None, 1.0)
    assert gn.zeros_like([1, 2]).shape == (2,)
    assert gn.ones_like(np.zeros((2, 3), np.float64)).dtype == np.float64
    assert gn.zeros_like(3).shape == ()
    assert gn.zeros_like(np.array([True, False])).shape == (2,)


# 6 -------------------------------------------------------------------------------------
def test_manual_seed_none_refused():
    with pytest.raises(TypeError, match="manual_seed"):
        gn.manual_seed(None)
    with pytest.raises(TypeError) as e:
        gn.manual_seed("a")
    assert "None" not in str(e.value).split("Got")[0]
    gn.manual_seed(0)


# 8 -------------------------------------------------------------------------------------
@pytest.mark.parametrize("loss", ["mse", "half_mse"])
def test_objective_and_explanation_pickle(loss):
    rng = np.random.default_rng(0)
    X = rng.standard_normal((20, 2))
    y = X[:, :1]
    m = gn.nn.MLP([2, 3, 1], rng=0)
    obj = gn.Objective(m, X, y, loss=loss)
    back = pickle.loads(pickle.dumps(obj))
    assert back() == obj() and back.engine == obj.engine
    assert all(
        np.array_equal(p.grad, q.grad)
        for p, q in zip(obj.model.parameters(), back.model.parameters())
    )
    e = gn.explain.explain(m, [1.0, 0.0], [1.0], loss=loss)
    e2 = pickle.loads(pickle.dumps(e))
    assert e2.loss == e.loss
    from glassnet.functional import LOSSES

    k = pickle.loads(pickle.dumps(LOSSES[loss].kernel))
    P, Y = np.array([[1.0, 2.0]]), np.array([[0.5, 0.0]])
    G1, G2 = np.empty_like(P), np.empty_like(P)
    assert np.array_equal(k(P, Y, G1), LOSSES[loss].kernel(P, Y, G2))
    assert np.array_equal(G1, G2)


# 9 -------------------------------------------------------------------------------------
@pytest.mark.parametrize("fn", [gn.cat, gn.stack])
def test_cat_stack_take_a_generator(fn):
    a = gn.tensor([1.0, 2.0])
    assert fn(t for t in [a, a]).tolist() == fn([a, a]).tolist()
    with pytest.raises(TypeError, match=f"{fn.__name__}.*None"):
        fn(None)


# 10 ------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "call, words",
    [
        (lambda x: x + None, "add: the other operand"),
        (lambda x: x * "a", "mul: the other operand"),
        (lambda x: gn.maximum(x, None), "maximum: the other operand"),
        (lambda x: gn.cat([x, None]), r"(cat|concatenate): tensors\[1\]"),
        (lambda x: gn.stack([x, None]), r"stack: tensors\[1\]"),
        (lambda x: gn.sum(None), "sum: the input"),
        (lambda x: x.pow("2"), "pow: the other operand"),
    ],
)
def test_non_number_operands_named(call, words):
    with pytest.raises(TypeError, match=words):
        call(gn.randn(3, 4))


# 11 ------------------------------------------------------------------------------------
def test_small_leaks():
    from glassnet.preprocessing import LabelEncoder

    with pytest.raises(TypeError, match="classes"):
        LabelEncoder(classes=3.5)
    with pytest.raises(TypeError, match="read_pipe"):
        gn.datasets.read_pipe(None)
    with pytest.raises(ParameterError, match="zeros_like"):
        gn.zeros_like(gn.zeros(2), dtype="abc")
    with pytest.raises(ValueError, match="X is None"):
        gn.fit(gn.nn.MLP([2, 1], rng=0), None, np.zeros((3, 1)), epochs=1)
    with pytest.raises((TypeError, ValueError)) as e:
        gn.nn.Softmax(dim="a")
    assert "softmax(dim='a')" not in str(e.value)


def test_lr_schedule_base_class_direct():
    opt = gn.optim.SGD(gn.nn.Linear(2, 2).parameters(), lr=0.1)
    with pytest.raises(TypeError, match="base class"):
        gn.schedules.LRSchedule(opt)


# 12 ------------------------------------------------------------------------------------
_METHODS = (
    "add_ copy_ cpu cuda dim div_ double fill_ float mul_ neg numel square sub_ tolist tril "
    "triu zero_"
).split()


def test_docstrings():
    assert gn.is_grad_enabled.__doc__
    from glassnet import tasks

    assert tasks.model_dtype.__doc__
    missing = [m for m in _METHODS if not getattr(gn.Tensor, m).__doc__]
    assert not missing


def test_bool_of_one_value():
    assert bool(gn.tensor(1.0)) is True
    assert bool(gn.tensor([0.0])) is False
    assert bool(gn.tensor([[2.0]])) is True
    with pytest.raises(TypeError, match="ambiguous"):
        bool(gn.tensor([1.0, 2.0]))


# 13-15 ---------------------------------------------------------------------------------
def test_empty_repr_shows_shape():
    assert repr(gn.zeros(0, 5)) == "Tensor([], size=(0, 5), dtype=float32)"
    assert "size=(2, 0, 3)" in repr(gn.zeros(2, 0, 3))


def test_sentinel_defaults_readable():
    import inspect

    text = str(inspect.signature(gn.where)) + str(inspect.signature(gn.Tensor.repeat))
    text += str(inspect.signature(gn.Tensor.split))
    assert "object at" not in text


def test_constant_lr_repr():
    opt = gn.optim.SGD(gn.nn.Linear(2, 2).parameters(), lr=0.1)
    assert "(;" not in repr(gn.schedules.ConstantLR(opt))


# 17 ------------------------------------------------------------------------------------
@pytest.mark.parametrize("name", ["make_moons", "make_circles", "make_blobs"])
def test_make_datasets_take_random_state(name):
    fn = getattr(gn.datasets, name)
    a = fn(20, seed=3)
    b = fn(20, random_state=3)
    assert np.array_equal(np.asarray(a[0]), np.asarray(b[0]))
    c = fn(20, seed=3, random_state=3)
    assert np.array_equal(np.asarray(a[0]), np.asarray(c[0]))
    with pytest.raises(ParameterError, match="random_state"):
        fn(20, seed=3, random_state=4)


def test_train_test_split_equal_seed_and_random_state():
    X = np.arange(20.0).reshape(10, 2)
    a = gn.preprocessing.train_test_split(X, seed=0)
    b = gn.preprocessing.train_test_split(X, seed=0, random_state=0)
    assert all(np.array_equal(np.asarray(u), np.asarray(v)) for u, v in zip(a, b))


# apifix27 (review rev27a) ----------------------------------------------------------------
LIKES = [gn.zeros_like, gn.ones_like, gn.empty_like, gn.rand_like, gn.randn_like]


@pytest.mark.parametrize("fn", LIKES + [lambda x: gn.full_like(x, 2.0)])
def test_like_takes_what_tensor_takes(fn):
    pd = pytest.importorskip("pandas")
    df = pd.DataFrame({"a": pd.array([1, 2], dtype="Int64"), "b": [1.5, 2.5]})
    assert gn.tensor(df).shape == (2, 2)
    assert fn(df).shape == (2, 2)


@pytest.mark.parametrize("fn", LIKES)
def test_like_refuses_what_tensor_refuses_named(fn):
    from decimal import Decimal

    for bad in (np.array([1, 2.0], dtype=object), [Decimal(1)], np.array([1j])):
        with pytest.raises(TypeError):
            gn.tensor(bad)
        with pytest.raises(TypeError, match=fn.__name__):
            fn(bad)


@pytest.mark.parametrize(
    "ok", [np.int64(1), np.int64(0), np.array(True), np.array(False), np.uint8(1), True, 0]
)
def test_micrograd_nonlin_numpy_ints_and_0d_bools(ok):
    n = mg.nn.Neuron(3, nonlin=ok)
    assert n.nonlin is bool(ok)
    assert mg.nn.Layer(3, 2, nonlin=ok).neurons[0].nonlin is bool(ok)


@pytest.mark.parametrize("bad", ["relu", np.int64(2), 1.0, np.array([1]), None])
def test_micrograd_nonlin_others_refused(bad):
    with pytest.raises(TypeError, match="nonlin"):
        mg.nn.Neuron(3, nonlin=bad)


def test_init_takes_an_ndarray_shape():
    a = init.uniform(np.array([2, 3]), rng=0)
    assert a.shape == (2, 3) and a.dtype == np.float32
    assert np.array_equal(a, init.uniform((2, 3), rng=0))
    assert init.he_normal(np.array([4, 2]), rng=0).shape == (4, 2)
    with pytest.raises(ParameterError, match="shape"):
        init.uniform(np.array([2.0, 3.0]), rng=0)
    with pytest.raises(ParameterError, match="shape"):
        init.uniform(np.array([[2, 3]]), rng=0)


@pytest.mark.parametrize("fn", [init.xavier_normal, init.xavier_uniform])
def test_negative_xavier_gain_named(fn):
    with pytest.raises(ParameterError, match="gain") as e:
        fn((2, 2), rng=0, gain=-1)
    assert "std" not in str(e.value) and "low" not in str(e.value)
    inplace = getattr(init, fn.__name__ + "_")
    with pytest.raises(ParameterError, match="gain") as e:
        inplace(gn.zeros((2, 2)), gain=-1)
    assert "std" not in str(e.value) and "low=" not in str(e.value)


@pytest.mark.parametrize(
    "args",
    [
        (0, 2**53 + 1, 2, gn.float64),
        (2**60 + 1, 2**60 + 1, 1, None),
        (0, 2**53 + 1, 2, None),
        (0.0, 16777217, 2, None),
        (16777217, 0.0, 2, None),
        (0, 2**63 - 1, 2, gn.float64),
        (np.int64(2**53 + 1), 0, 2, gn.float64),
    ],
)
def test_linspace_checks_the_given_whole_ends(args):
    start, end, k, dt = args
    with pytest.raises(ParameterError, match="linspace.*not exact"):
        gn.linspace(start, end, k, dtype=dt)


def test_linspace_exact_ends_still_work():
    assert gn.linspace(0, 2**53, 2, dtype=gn.float64).tolist() == [0.0, 2.0**53]
    assert gn.linspace(0.0, 16777217.0, 2).tolist() == [0.0, 16777216.0]  # (floats: rounded,
    assert gn.tensor(16777217.0).item() == 16777216.0  # as gn.tensor and gn.full round them)
    assert gn.linspace(0, 1, 5).tolist() == [0.0, 0.25, 0.5, 0.75, 1.0]
    assert gn.linspace(0, 10**30, 2, dtype=gn.float64).tolist() == [0.0, 1e30]  # (past int64:
    # a float, as PyTorch's linspace takes it; tests/test_tensor_round21.py)


@pytest.mark.parametrize(
    "call,name",
    [
        (lambda t: t.add(None), "add"),
        (lambda t: t.sub(None), "sub"),
        (lambda t: t.mul(None), "mul"),
        (lambda t: t.div(None), "div"),
        (lambda t: gn.add(t, None), "add"),
        (lambda t: gn.mul(t, "a"), "mul"),
        (lambda t: gn.where(t > 1, t, None), "where: b"),
        (lambda t: gn.where(t > 1, None, t), "where: a"),
        (lambda t: None - t, "sub"),
        (lambda t: "a" - t, "sub"),
        (lambda t: t - None, "sub"),
        (lambda t: None / t, "div"),  # (the reflected ops: round 28)
        (lambda t: "2" ** t, "pow"),
        (lambda t: None @ t, "matmul"),
        (lambda t: t @ None, "matmul"),
        (lambda t: t.matmul("a"), "matmul"),
    ],
)
def test_operand_named_in_methods_functions_and_rsub(call, name):
    t = gn.tensor([1.0, 2.0])
    other = "" if ":" in name else ": the other operand"
    with pytest.raises(TypeError, match=f"^{name}{other} must be a number") as e:
        call(t)
    assert "add" not in str(e.value) or name == "add"


def test_decimal_operand_says_decimal_is_not_supported():
    from decimal import Decimal

    t = gn.tensor([1.0, 2.0])
    with pytest.raises(TypeError):
        gn.tensor(Decimal(2))  # (gn.tensor refuses a Decimal: so do the ops, saying why)
    for call in (lambda: t * Decimal(2), lambda: t.add(Decimal(1)), lambda: Decimal(1) - t):
        with pytest.raises(TypeError, match="Decimal") as e:
            call()
        assert "must be a number" not in str(e.value)


def test_valid_operands_unchanged():
    t = gn.tensor([[1.0, 2.0]])
    assert (t + np.array([1.0, 2.0])).tolist() == [[2.0, 4.0]]
    assert (t + [1.0, 2.0]).tolist() == [[2.0, 4.0]]
    assert (t + np.float32(2)).dtype == np.float32
    assert (3 - t).tolist() == [[2.0, 1.0]] and (True + t).tolist() == [[2.0, 3.0]]
    assert t.add(np.array([1.0, 1.0]), alpha=2).tolist() == [[3.0, 4.0]]


def _same(a, b):
    if isinstance(a, np.ndarray) or isinstance(b, np.ndarray):
        return np.array_equal(a, b, equal_nan=True)
    if isinstance(a, (list, tuple)):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b))
    if isinstance(a, dict):
        return a.keys() == b.keys() and all(_same(a[k], b[k]) for k in a)
    if isinstance(a, (int, float, str, bool, type(None), np.generic)):
        return a == b or (a != a and b != b)
    return True  # (a callable or module: not a number)


@pytest.mark.parametrize("loss", ["mse", "half_mse", "cross_entropy"])
def test_explanation_pickle_keeps_every_number(loss):
    m = gn.nn.MLP([2, 3, 2 if loss == "cross_entropy" else 1], rng=0)
    y = [1] if loss == "cross_entropy" else [1.0]
    e = gn.explain.explain(m, [1.0, 0.0], y, loss=loss)
    e2 = pickle.loads(pickle.dumps(e))
    assert str(e2) == str(e) and repr(e2) == repr(e)
    assert vars(e).keys() == vars(e2).keys()
    for k in vars(e):
        assert _same(vars(e)[k], vars(e2)[k]), k


def test_objective_pickles_on_the_graph_engine():
    rng = np.random.default_rng(0)
    X = rng.standard_normal((20, 2))
    y = X[:, :1]
    m = gn.nn.Sequential(
        gn.nn.Linear(2, 3, rng=0), gn.nn.Tanh(), gn.nn.Dropout(0.5), gn.nn.Linear(3, 1, rng=1)
    )
    m.eval()
    obj = gn.Objective(m, X, y, loss=gn.functional.mse)
    back = pickle.loads(pickle.dumps(obj))
    assert back.engine == obj.engine == "graph"
    assert back() == obj()
    for p, q in zip(obj.model.parameters(), back.model.parameters()):
        assert np.array_equal(p.grad, q.grad) and np.array_equal(p.data, q.data)
    back.model.parameters()[0].data += 1.0
    assert back() != obj()


@pytest.mark.parametrize("fn", LIKES)
def test_like_still_takes_bool_and_longdouble_shapes(fn):
    # (gn.tensor refuses their values as data; a *_like reads only the shape: kept, as before)
    assert fn(np.array([True, False])).shape == (2,)
    assert fn(np.ones(3, np.longdouble)).dtype == gn.get_default_dtype()
