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
