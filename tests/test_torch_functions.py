"""PyTorch's top-level functions (``gn.sum(x, dim=1)``, ``gn.sigmoid(x)``, ...), the Tensor
methods PyTorch code calls (``x.pow``, ``x.std``, ``x.norm``, ``x.mm``, ``x.add(y, alpha=)``,
``x.cpu()``, ``x.is_leaf``), grad modes (``set_grad_enabled``, ``inference_mode``) and
``nn.utils.parameters_to_vector``/``vector_to_parameters``.

New differentiable ops (``log1p``, ``norm``, ``var``, ``std``) are gradient-checked against
finite differences in float64; every call is compared with PyTorch's (``torch==2.13.0``,
optional) where it is installed, value and input gradient.
"""

from __future__ import annotations

import numpy as np
import pytest

import glassnet as gn
from glassnet import nn
from glassnet.gradcheck import gradcheck

X0 = np.random.default_rng(0).standard_normal((4, 3))


def torch_or_none():
    try:
        import torch
    except ImportError:
        return None
    return torch


# name, glassnet, torch: each a function of the input tensor
CALLS = [
    ("sum dim", lambda x: gn.sum(x, dim=1), lambda t, x: t.sum(x, dim=1)),
    ("mean keepdim", lambda x: gn.mean(x, 0, keepdim=True),
     lambda t, x: t.mean(x, 0, keepdim=True)),
    ("exp", lambda x: gn.exp(x), lambda t, x: t.exp(x)),
    ("log1p", lambda x: gn.log1p(x.abs()), lambda t, x: t.log1p(x.abs())),
    ("log1p method", lambda x: (x * x).log1p(), lambda t, x: (x * x).log1p()),
    ("sigmoid", lambda x: gn.sigmoid(x), lambda t, x: t.sigmoid(x)),
    ("softmax", lambda x: gn.softmax(x, dim=1), lambda t, x: t.softmax(x, dim=1)),
    ("matmul", lambda x: gn.matmul(x, x.T), lambda t, x: t.matmul(x, x.T)),
    ("mm method", lambda x: x.mm(x.T), lambda t, x: x.mm(x.T)),
    ("pow", lambda x: x.pow(3), lambda t, x: x.pow(3)),
    ("square", lambda x: gn.square(x), lambda t, x: t.square(x)),
    ("add alpha", lambda x: x.add(x * x, alpha=2), lambda t, x: x.add(x * x, alpha=2)),
    ("sub mul div neg", lambda x: x.sub(1.5).mul(x).div(2.0).neg(),
     lambda t, x: x.sub(1.5).mul(x).div(2.0).neg()),
    ("norm", lambda x: x.norm(), lambda t, x: x.norm()),
    ("norm dim", lambda x: gn.norm(x, dim=1), lambda t, x: t.norm(x, dim=1)),
    ("norm p1", lambda x: x.norm(p=1, dim=0, keepdim=True),
     lambda t, x: x.norm(p=1, dim=0, keepdim=True)),
    ("var", lambda x: x.var(), lambda t, x: x.var()),
    ("var dim pop", lambda x: x.var(dim=0, unbiased=False),
     lambda t, x: x.var(dim=0, unbiased=False)),
    ("var correction", lambda x: gn.var(x, 1, correction=0, keepdim=True),
     lambda t, x: t.var(x, 1, correction=0, keepdim=True)),
    ("std", lambda x: gn.std(x, dim=1), lambda t, x: t.std(x, dim=1)),
    ("flatten", lambda x: gn.flatten(x), lambda t, x: t.flatten(x)),
    ("transpose", lambda x: gn.transpose(x, 0, 1), lambda t, x: t.transpose(x, 0, 1)),
    ("unsqueeze", lambda x: gn.unsqueeze(x, 1), lambda t, x: t.unsqueeze(x, 1)),
]  # fmt: skip


@pytest.mark.parametrize("name, ours, theirs", CALLS, ids=[c[0] for c in CALLS])
def test_each_call_is_pytorchs_in_value_and_gradient(name, ours, theirs):
    x = gn.tensor(X0, dtype=gn.float64, requires_grad=True)
    out = ours(x)
    w = np.linspace(0.5, 1.5, out.data.size).reshape(out.shape)
    (out * w).sum().backward()
    torch = torch_or_none()
    if torch is None:
        assert np.all(np.isfinite(out.data)) and np.any(x.grad)
        return
    tx = torch.tensor(X0, dtype=torch.float64, requires_grad=True)
    tout = theirs(torch, tx)
    (tout * torch.tensor(w)).sum().backward()
    np.testing.assert_allclose(out.data, tout.detach().numpy(), rtol=1e-12, atol=1e-14)
    np.testing.assert_allclose(x.grad, tx.grad.numpy(), rtol=1e-10, atol=1e-14)


@pytest.mark.parametrize(
    "op",
    [
        lambda t: t.log1p(),
        lambda t: t.norm(),
        lambda t: t.norm(dim=0, keepdim=True),
        lambda t: t.norm(p=1, dim=1),
        lambda t: t.var(),
        lambda t: t.var(dim=1, correction=0),
        lambda t: t.std(),
        lambda t: t.std(dim=0, keepdim=True),
    ],
)
def test_the_new_ops_are_gradient_checked_in_float64(op):
    x = gn.tensor(np.abs(X0) + 0.1, dtype=gn.float64)
    report = gradcheck(op, x)
    assert report.ok, str(report)


def test_norm_and_std_have_a_finite_gradient_at_zero():
    z = gn.zeros(3, requires_grad=True)
    z.norm().backward()
    assert z.grad.tolist() == [0.0, 0.0, 0.0]
    c = gn.ones(2, 3, requires_grad=True)
    c.std(dim=1).sum().backward()
    assert np.all(np.isfinite(c.grad)) and not c.grad.any()


def test_var_of_too_few_values_and_a_bad_p_are_refused():
    with pytest.raises(ValueError, match="var/std of 1 value.*correction=0"):
        gn.tensor([3.0]).var()
    assert gn.tensor([3.0]).var(correction=0).item() == 0.0
    with pytest.raises(ValueError, match="p must be a number"):  # (p=3 is taken since round 19)
        gn.tensor([3.0]).norm(p="abc")
    assert gn.tensor([3.0, -4.0]).norm(p=3).item() == pytest.approx(91.0 ** (1 / 3))
    with pytest.raises(TypeError, match="mul.. takes no alpha"):
        gn.tensor([1.0]).mul(2.0, alpha=3)


def test_cpu_is_leaf_and_numpy_round_trip():
    w = gn.tensor([1.0, 2.0], requires_grad=True)
    y = w * 2
    assert w.cpu() is w and w.is_leaf and not y.is_leaf and gn.tensor([1.0]).is_leaf
    with gn.no_grad():
        assert (w * 2).is_leaf
    assert y.detach().cpu().numpy().tolist() == [2.0, 4.0]
    assert gn.is_tensor(w) and gn.is_tensor(nn.Linear(2, 1).W) and not gn.is_tensor(w.data)
    np.testing.assert_array_equal(gn.eye(2, 3).data, np.eye(2, 3))
    np.testing.assert_array_equal(gn.linspace(0, 1, 5).data, np.linspace(0, 1, 5))


def test_set_grad_enabled_as_a_call_and_as_a_block():
    w = gn.tensor([1.0], requires_grad=True)
    with gn.set_grad_enabled(False):
        assert not (w * 2).requires_grad
    assert (w * 2).requires_grad  # the mode before came back
    gn.set_grad_enabled(False)  # a call: off from here on
    try:
        assert not gn.is_grad_enabled() and not (w * 2).requires_grad
    finally:
        gn.set_grad_enabled(True)
    assert gn.is_grad_enabled()
    with pytest.raises(TypeError, match="set_grad_enabled: mode must be True or False"):
        gn.set_grad_enabled("no")


def test_inference_mode_is_no_grad_as_a_block_and_a_decorator():
    w = gn.tensor([1.0], requires_grad=True)
    with gn.inference_mode():
        assert not (w * 2).requires_grad

    @gn.inference_mode()
    def predict(x):
        return x * 2

    assert not predict(w).requires_grad
    with gn.inference_mode(False):
        assert (w * 2).requires_grad


def test_parameters_to_vector_and_back():
    model = nn.Sequential(nn.Linear(3, 2, rng=0), nn.Tanh(), nn.Linear(2, 1, rng=1))
    vec = nn.utils.parameters_to_vector(model.parameters())
    assert vec.shape == (11,) and not vec.requires_grad
    expected = np.concatenate([p.data.ravel() for p in model.parameters()])
    np.testing.assert_array_equal(vec.data, expected)
    nn.utils.vector_to_parameters(vec * 2, model.parameters())
    np.testing.assert_array_equal(
        nn.utils.parameters_to_vector(model.parameters()).data, 2 * expected
    )
    with pytest.raises(ValueError, match="a vector of 11 values"):
        nn.utils.vector_to_parameters(np.zeros(10), model.parameters())
    np.testing.assert_array_equal(
        nn.utils.parameters_to_vector(model.parameters()).data, 2 * expected
    )
    torch = torch_or_none()
    if torch is not None:  # the order PyTorch's gives for the same layers (weight transposed)
        tm = torch.nn.Sequential(torch.nn.Linear(3, 2), torch.nn.Tanh(), torch.nn.Linear(2, 1))
        assert torch.nn.utils.parameters_to_vector(tm.parameters()).shape == (11,)


def test_sequential_edits_get_submodule_parameter_flag_and_backward_gradient():
    s = nn.Sequential(nn.Linear(2, 3, rng=0))
    assert s.append(nn.ReLU()) is s
    s.extend([nn.Linear(3, 1, rng=1)]).insert(1, nn.Identity())
    assert [type(m).__name__ for m in s] == ["Linear", "Identity", "ReLU", "Linear"]
    assert len(s.parameters()) == 4 and s(gn.randn(5, 2, generator=0)).shape == (5, 1)
    with pytest.raises(TypeError, match="Sequential.append: a layer must be a glassnet Module"):
        s.append(np.tanh)
    assert len(s) == 4  # (nothing appended)
    assert s.get_submodule("layers.3") is s[3] and s.get_submodule("") is s
    with pytest.raises(AttributeError, match="has no sub-module 'fc'.*layers.0"):
        s.get_submodule("fc")
    p = nn.Parameter(np.zeros(2), requires_grad=False)
    assert not p.requires_grad and nn.Parameter(np.zeros(2)).requires_grad
    x = gn.tensor([1.0, 2.0, 3.0], requires_grad=True)
    (x * x).backward(gradient=np.array([1.0, 0.5, 0.0]))
    assert x.grad.tolist() == [2.0, 2.0, 0.0]
    with pytest.raises(TypeError, match="pass grad or gradient"):
        (x * 2).backward(np.ones(3), gradient=np.ones(3))
    torch = torch_or_none()
    if torch is not None:
        ts = torch.nn.Sequential(torch.nn.Linear(2, 3))
        ts.append(torch.nn.ReLU()).extend([torch.nn.Linear(3, 1)]).insert(1, torch.nn.Identity())
        assert [type(m).__name__ for m in ts] == ["Linear", "Identity", "ReLU", "Linear"]
        tx = torch.tensor([1.0, 2.0, 3.0], requires_grad=True)
        (tx * tx).backward(gradient=torch.tensor([1.0, 0.5, 0.0]))
        assert tx.grad.tolist() == x.grad.tolist()


def test_autograd_grad_returns_gradients_and_leaves_every_grad_as_it_was():
    model = nn.Sequential(nn.Linear(3, 4, rng=0, dtype="float64"), nn.Tanh(),
                          nn.Linear(4, 1, rng=1, dtype="float64"))  # fmt: skip
    x = gn.tensor(X0, dtype=gn.float64)
    W0 = model[0].W
    W0.grad = np.full(W0.shape, 7.0)  # a gradient already there stays
    z = model[0](x)
    loss = (model[2](z.tanh()) ** 2).mean()
    dW, dz = gn.autograd.grad(loss, [W0, z])
    assert W0.grad.tolist() == np.full(W0.shape, 7.0).tolist() and model[2].W.grad is None
    assert z.grad is None and not dW.requires_grad
    # the same numbers as backward() gives, and as finite differences
    W0.grad = None
    loss.backward()
    np.testing.assert_array_equal(dW.data, W0.grad)
    report = gradcheck(lambda w: (model[2](gn.tanh(x @ w + model[0].b)) ** 2).mean(), W0.data)
    assert report.ok
    z2 = model[0](x).retain_grad()  # dL/dz as backward() keeps it on a retained node
    (model[2](z2.tanh()) ** 2).mean().backward()
    np.testing.assert_array_equal(dz.data, z2.grad)
    # several outputs, seeded; an unused input; what is refused
    a = gn.tensor([1.0, 2.0], requires_grad=True)
    b = gn.tensor([3.0], requires_grad=True)
    (ga,) = gn.autograd.grad([a * a, a.sum()], a, grad_outputs=[np.ones(2), np.array(2.0)])
    assert ga.data.tolist() == [4.0, 6.0]
    with pytest.raises(RuntimeError, match="not used to compute the outputs"):
        gn.autograd.grad((a * a).sum(), [a, b])
    assert gn.autograd.grad((a * a).sum(), [a, b], allow_unused=True)[1] is None
    with pytest.raises(ValueError, match="create_graph=True"):
        gn.autograd.grad((a * a).sum(), a, create_graph=True)
    with pytest.raises(RuntimeError, match="does not require grad"):
        gn.autograd.grad((a * a).sum(), gn.tensor([1.0]))
    torch = torch_or_none()
    if torch is not None:
        ta = torch.tensor([1.0, 2.0], requires_grad=True)
        (tga,) = torch.autograd.grad(
            [ta * ta, ta.sum()], ta, grad_outputs=[torch.ones(2), torch.tensor(2.0)]
        )
        assert tga.tolist() == ga.data.tolist()


# ------------------------------------------------------------ a review's findings, each a test
def test_add_with_alpha_reads_a_list_as_the_operator_does():
    """x.add([1, 2], alpha=2) repeated the list ([1, 2, 1, 2]: Python's list * 2)."""
    x = gn.tensor([0.0, 0.0], requires_grad=True)
    y = x.add([1.0, 2.0], alpha=2)
    assert y.data.tolist() == [2.0, 4.0] and y.dtype == np.float32
    y.sum().backward()
    assert x.grad.tolist() == [1.0, 1.0]
    for bad in ("a", np.array([1.0, 2.0]), True):
        with pytest.raises(TypeError, match="alpha must be a number"):
            x.add([1.0, 2.0], alpha=bad)


def test_requires_grad_is_a_bool_and_a_parameters_second_argument_is_no_flag():
    """nn.Parameter(w, False) (PyTorch's requires_grad) stayed trainable as label=False;
    requires_grad='no' read as True."""
    with pytest.raises(TypeError, match=r"second argument is the label.*requires_grad=False"):
        nn.Parameter(np.ones(2), False)
    for make in (lambda: gn.tensor([1.0], requires_grad="no"), lambda: gn.ones(2, requires_grad=1)):
        with pytest.raises(TypeError, match="requires_grad must be True or False"):
            make()
    assert not nn.Parameter(np.ones(2), "w", requires_grad=False).requires_grad


def test_the_function_forms_pickle():
    import functools
    import pickle

    assert pickle.loads(pickle.dumps(gn.sum)) is gn.sum
    mean0 = pickle.loads(pickle.dumps(functools.partial(gn.mean, dim=0)))
    assert mean0(gn.tensor([[1.0, 3.0]])).data.tolist() == [1.0, 3.0]


def test_var_of_an_empty_batch_and_pytorchs_arguments():
    assert gn.zeros(0, 3).var(dim=1).shape == (0,)  # (PyTorch: tensor([]))
    x = gn.tensor([[1.0, 2.0], [3.0, 5.0]], dtype=gn.float64)
    assert x.var(False).item() == x.var(correction=0).item()  # positional unbiased
    assert x.std(1, True).data.tolist() == x.std(dim=1).data.tolist()
    assert x.var(correction=None).item() == x.var().item()
    with pytest.raises(TypeError, match="unbiased or correction, not both"):
        x.var(unbiased=True, correction=1)
    with pytest.raises(ValueError, match="correction must be a number >= 0"):
        x.var(correction=float("nan"))
    with pytest.raises(ValueError, match="'keepdim' parameter of var"):
        x.var(0, keepdim="yes")


def test_set_grad_enabled_as_a_decorator_and_reused():
    w = gn.tensor([1.0], requires_grad=True)

    @gn.set_grad_enabled(False)
    def off(x):
        return (x * 2).requires_grad

    assert gn.is_grad_enabled() and off(w) is False and gn.is_grad_enabled()
    block = gn.set_grad_enabled(False)
    with block:
        assert not gn.is_grad_enabled()
    with block:  # (a second with: PyTorch's object sets its mode again)
        assert not gn.is_grad_enabled()
    assert gn.is_grad_enabled()

    @gn.inference_mode
    def bare(x):
        return (x * 2).requires_grad

    assert bare(w) is False
    with gn.no_grad(), gn.inference_mode(False):
        assert (w * 2).requires_grad  # (as PyTorch's, recording inside no_grad)


def test_to_takes_non_blocking_and_copy():
    x = gn.tensor([1.0, 2.0], requires_grad=True)
    assert x.to("cpu", non_blocking=True) is x
    y = x.to(copy=True)
    assert y is not x and y.data.tolist() == [1.0, 2.0] and y.requires_grad


def test_insert_checks_its_index_and_get_submodule_follows_attributes():
    s = nn.Sequential(nn.Linear(2, 3, rng=0))
    s.insert(-1, nn.Identity())  # (before the last, as list.insert and PyTorch's)
    assert [type(m).__name__ for m in s] == ["Identity", "Linear"]
    with pytest.raises(IndexError, match=r"index must be in \[-2, 2\]"):
        s.insert(100, nn.ReLU())

    class Shared(nn.Module):
        def __init__(self):
            self.fc1 = nn.Linear(2, 2, rng=0)
            self.shared = self.fc1

    assert Shared().get_submodule("shared") is not None
    with pytest.raises(AttributeError, match="is not a Module"):
        s.get_submodule("layers")


def test_factories_refuse_what_pytorch_refuses():
    with pytest.raises(ValueError, match="never goes from 5 to 0"):
        gn.arange(5, 0)
    with pytest.raises(TypeError, match="fill_value must be a number"):
        gn.full((2,), [1.0, 2.0])
    with pytest.raises(ValueError, match="mm: both operands must be matrices"):
        gn.tensor([1.0, 2.0]).mm(gn.tensor([1.0, 2.0]))
    assert gn.tensor([gn.tensor(1.0), gn.tensor(2.0)]).data.tolist() == [1.0, 2.0]
    with pytest.raises(ValueError, match=r"Softmax\(dim=1.0\)"):
        nn.Softmax(dim=1.0)
    torch = torch_or_none()
    if torch is not None:
        assert gn.tensor([1.0], dtype=torch.float64).dtype == np.float64


def test_autograd_grad_names_what_is_wrong():
    a = gn.tensor([1.0, 2.0], requires_grad=True)
    with pytest.raises(RuntimeError, match="output 0 does not require grad"):
        gn.autograd.grad(gn.tensor([1.0]).sum(), a)
    with pytest.raises(RuntimeError, match="output 1 does not require grad"):  # (as PyTorch)
        gn.autograd.grad([(a * a).sum(), gn.tensor([1.0]).sum()], a)
    assert gn.autograd.grad((a * a).sum(), a, grad_outputs=2.0)[0].data.tolist() == [4.0, 8.0]
    with pytest.raises(TypeError, match="create_graph must be True or False"):
        gn.autograd.grad((a * a).sum(), a, create_graph="no")


def test_data_edge_cases():
    parts = gn.data.random_split(range(10), [np.float32(0.5), np.float32(0.5)], generator=0)
    assert [len(p) for p in parts] == [5, 5]
    with pytest.raises(gn._validation.ParameterError, match="indices must be a list of whole"):
        gn.data.Subset(range(10), [1.5])
    with pytest.raises(TypeError, match="Subset takes one index"):
        parts[0][0:2]


def test_std_of_values_whose_squares_overflow_float32_is_finite():
    """std of values about 1e20 in float32 was inf (the squares pass float32's range);
    PyTorch's gives 2.6e20."""
    x = gn.tensor(np.array([1e20, 2e20, -3e20], np.float32), requires_grad=True)
    y = x.std()
    y.backward()
    assert np.isfinite(y.item()) and y.item() == pytest.approx(
        np.std([1.0, 2.0, -3.0], ddof=1) * 1e20, rel=1e-6
    )
    np.testing.assert_allclose(x.grad, [0.18898223, 0.37796447, -0.56694674], rtol=1e-5)
    report = gradcheck(lambda t: t.std(dim=0), gn.tensor(X0 * 1e3, dtype=gn.float64))
    assert report.ok


def test_std_scales_each_slice_by_a_power_of_two():
    """A global scale (the largest |x| of the whole tensor) lost a small row beside a large
    one ([[1e30, 0, 2e30], [1e-10, 2e-10, 3e-10]] gave 0 for the second), moved an ordinary
    one (1.0000113 for [1, 2, 3] beside 1e20s) and gave NaN for float64's tiniest values."""
    rows = np.array([[1e30, 0.0, 2e30], [1e-10, 2e-10, 3e-10]], np.float32)
    np.testing.assert_allclose(gn.tensor(rows).std(dim=1).data, [1e30, 1e-10], rtol=1e-6)
    mixed = np.array([[1e20, 0.0, 2e20], [1.0, 2.0, 3.0]], np.float32)
    assert gn.tensor(mixed).std(dim=1).data[1] == 1.0
    tiny = gn.tensor(np.array([1e-310, 2e-310, 3e-310]))
    assert np.isfinite(tiny.std().item()) and tiny.std().item() == pytest.approx(1e-310)
    report = gradcheck(lambda t: t.std(dim=1, keepdim=True), gn.tensor(X0 * 1e-3, dtype=gn.float64))
    assert report.ok


def test_subset_takes_whole_float_indices_and_learning_rate_sets_lr():
    ds = gn.data.TensorDataset(np.arange(10.0).reshape(10, 1))
    sub = gn.data.Subset(ds, gn.arange(3))  # (gn.arange's whole numbers, held as floats)
    assert len(sub) == 3 and sub[2][0].data.tolist() == [2.0]
    opt = gn.optim.SGD(nn.Linear(2, 1).parameters(), lr=0.1)
    opt.learning_rate = 0.05  # (scikit-learn's name, both ways)
    assert opt.lr == 0.05 == opt.learning_rate


def test_subset_refuses_float_indices_past_their_exact_range():
    """float32 holds whole numbers exactly up to 2**24: gn.arange(16777216, 16777221) has
    repeats, which Subset took as indices (items repeated and missing); inf raised NumPy's
    cast warning and an IndexError later."""
    for bad in ([np.inf], [1e20], np.array([16777217.0], np.float32)):
        with pytest.raises(gn._validation.ParameterError, match="indices must be a list of whole"):
            gn.data.Subset(range(10), bad)


def test_var_and_std_take_numpys_axis_too():
    x = gn.tensor([[1.0, 2.0, 4.0], [3.0, 3.0, 3.0]], dtype=gn.float64)
    np.testing.assert_array_equal(x.std(axis=1).data, x.std(dim=1).data)
    np.testing.assert_array_equal(x.var(axis=0).data, np.var(x.data, axis=0, ddof=1))
    with pytest.raises(TypeError, match="pass axis or dim"):
        x.std(axis=1, dim=1)


def test_numpys_std_and_var_of_a_tensor():
    """np.std(x, axis=0) passes dtype, out and ddof to the method: it failed."""
    x = gn.tensor([[1.0, 2.0, 4.0], [3.0, 3.0, 3.0]], dtype=gn.float64)
    np.testing.assert_allclose(np.std(x, axis=0).data, np.std(x.data, axis=0))
    np.testing.assert_allclose(np.var(x, axis=1, ddof=1).data, np.var(x.data, axis=1, ddof=1))
    with pytest.raises(TypeError, match="ddof .* or correction, not both"):
        x.var(ddof=1, correction=1)
