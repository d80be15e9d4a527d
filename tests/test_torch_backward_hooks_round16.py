"""Module backward hooks, as PyTorch's: ``register_full_backward_hook`` and
``register_full_backward_pre_hook`` (the deprecated ``register_backward_hook`` refused)."""

import numpy as np
import pytest

import glassnet as gn
from glassnet import nn

F64 = np.float64


def _net(seed=0):
    rng = np.random.default_rng(seed)
    m = nn.Sequential(nn.Linear(3, 4), nn.Tanh(), nn.Linear(4, 2)).double()
    for layer in (m[0], m[2]):
        layer.W.data[...] = rng.normal(size=layer.W.shape)
        layer.b.data[...] = rng.normal(size=layer.b.shape)
    x = gn.Tensor(rng.normal(size=(5, 3)), requires_grad=True, dtype=F64)
    y = gn.Tensor(rng.normal(size=(5, 2)), dtype=F64)
    return m, x, y


def _loss(m, x, y):
    return ((m(x) - y) ** 2).mean()


def test_hook_sees_the_gradients_of_its_argument_and_output():
    m, x, y = _net()
    seen = []
    m[2].register_full_backward_hook(lambda mod, gi, go: seen.append((mod, gi, go)))
    h = m[1](m[0](x))  # the Linear's argument, kept to compare with its gradient
    h.retain_grad()
    out = m[2](h)
    out.retain_grad()
    ((out - y) ** 2).mean().backward()
    ((mod, gi, go),) = seen
    assert mod is m[2] and len(gi) == 1 and len(go) == 1
    np.testing.assert_array_equal(gi[0], h.grad)
    np.testing.assert_array_equal(go[0], out.grad)
    assert not gi[0].flags.writeable and not go[0].flags.writeable


def test_hooks_run_in_backward_order_and_replace_gradients():
    m, x, y = _net()
    _loss(m, x, y).backward()
    plain_x, plain_b = x.grad.copy(), m[0].b.grad.copy()
    m, x, y = _net()
    order = []
    m[2].register_full_backward_pre_hook(lambda mod, go: (go[0] * 2,))
    m[1].register_full_backward_hook(lambda mod, gi, go: (gi[0] * 3,))
    for name, layer in (("linear0", m[0]), ("tanh", m[1]), ("linear2", m[2]), ("seq", m)):
        layer.register_full_backward_hook(lambda mod, gi, go, name=name: order.append(name))
    _loss(m, x, y).backward()
    assert order == ["linear2", "tanh", "linear0", "seq"]  # (PyTorch's order)
    np.testing.assert_allclose(x.grad, 6 * plain_x, rtol=1e-12)  # (both taken)
    np.testing.assert_allclose(m[0].b.grad, 6 * plain_b, rtol=1e-12)


def test_argument_without_gradient_gives_none_and_the_hook_still_runs():
    m, x, y = _net()
    seen = []
    m[0].register_full_backward_hook(lambda mod, gi, go: seen.append((gi, go)))
    _loss(m, gn.Tensor(x.data), y).backward()
    ((gi, go),) = seen
    assert gi == (None,) and go[0].shape == (5, 4)


def test_remove_and_no_grad_leave_the_call_plain():
    m, x, y = _net()
    calls = []
    handle = m[0].register_full_backward_hook(lambda *a: calls.append(1))
    with gn.no_grad():
        out = m(x)
    assert out.op != "backward_hook" and not calls
    handle.remove()
    assert "_hooked" not in vars(m[0])
    _loss(m, x, y).backward()
    assert not calls


@pytest.mark.parametrize(
    "result, message",
    [
        ((None,), "None where a gradient flows"),
        ((np.zeros((5, 4)), np.zeros(1)), "tuple of 1 gradient"),
        ((np.zeros((5, 3)),), "shape"),
        ((np.zeros((5, 4), np.float32),), "dtype"),
        ("no", "return None or a tuple"),
    ],
)
def test_a_bad_replacement_is_refused(result, message):
    m, x, y = _net()
    m[2].register_full_backward_hook(lambda mod, gi, go: result)
    with pytest.raises(ValueError, match=message):
        _loss(m, x, y).backward()


def test_writing_into_the_gradient_is_refused():
    m, x, y = _net()

    def writes(mod, gi, go):
        gi[0][...] = 0

    m[2].register_full_backward_hook(writes)
    with pytest.raises(ValueError, match="wrote into its gradient"):
        _loss(m, x, y).backward()


def test_several_tensor_arguments_or_outputs_are_refused_naming_the_way():
    class Two(nn.Module):
        def forward(self, a, b):
            return a * b

    class Pair(nn.Module):
        def forward(self, a):
            return a, a * 2

    a = gn.Tensor(np.ones(2), requires_grad=True)
    two, pair = Two(), Pair()
    two.register_full_backward_hook(lambda *args: None)
    pair.register_full_backward_hook(lambda *args: None)
    with pytest.raises(NotImplementedError, match="register_hook"):
        two(a, a)
    with pytest.raises(NotImplementedError, match="register_hook"):
        pair(a)
    with pytest.raises(NotImplementedError, match="register_full_backward_hook"):
        nn.Linear(2, 2).register_backward_hook(lambda *args: None)


def test_fit_runs_a_hooked_model_on_the_graph_and_calls_the_hook():
    rng = np.random.default_rng(1)
    X, y = rng.normal(size=(32, 3)), rng.normal(size=(32, 1))
    model = nn.Sequential(nn.Linear(3, 4), nn.Tanh(), nn.Linear(4, 1))
    norms = []
    model[0].register_full_backward_hook(
        lambda mod, gi, go: norms.append(float(np.linalg.norm(go[0])))
    )
    gn.fit(model, X, y, loss="mse", epochs=2, batch_size=16, seed=0, verbose=False)
    assert len(norms) == 4 and all(n > 0 for n in norms)


def test_same_hooks_as_pytorch():
    torch = pytest.importorskip("torch")
    m, x, y = _net()
    tm = torch.nn.Sequential(torch.nn.Linear(3, 4), torch.nn.Tanh(), torch.nn.Linear(4, 2)).double()
    with torch.no_grad():
        for i in (0, 2):
            tm[i].weight.copy_(torch.tensor(m[i].W.data.T))
            tm[i].bias.copy_(torch.tensor(m[i].b.data))
    tx = torch.tensor(x.data, requires_grad=True)

    def hooked(net, as_array):
        log = []

        def hook(mod, gi, go):
            log.append([None if g is None else as_array(g) for g in (*gi, *go)])

        net[2].register_full_backward_pre_hook(lambda mod, go: (go[0] * 2,))
        net[1].register_full_backward_hook(lambda mod, gi, go: (gi[0] * 3,))
        for layer in (net[0], net[1], net[2], net):
            layer.register_full_backward_hook(hook)
        return log

    ours = hooked(m, np.array)
    theirs = hooked(tm, lambda g: g.detach().numpy().copy())
    _loss(m, x, y).backward()
    ((tm(tx) - torch.tensor(y.data)) ** 2).mean().backward()
    assert len(ours) == len(theirs) == 4
    for a, b in zip(ours, theirs):
        for p, q in zip(a, b):
            np.testing.assert_allclose(p, q, rtol=1e-12)
    np.testing.assert_allclose(x.grad, tx.grad.numpy(), rtol=1e-12)


def test_a_backward_hook_changes_no_forward_tool():
    # explain, the drawings, the ONNX export and an estimator's predictions run no backward
    # pass: a backward hook is no reason to refuse them (they said "forward hooks")
    m, x, y = _net()
    m[2].register_full_backward_hook(lambda *a: None)
    e = gn.explain(m, x.data[:1], y.data[:1])
    assert e is not None
    assert gn.viz.draw_network(m).startswith("<svg")
    from glassnet.fused import layers_of

    with pytest.raises(TypeError, match="module backward hooks"):  # (fit's fast path would skip it)
        layers_of(m, "fit", training=True)


def test_a_module_under_no_grad_gets_no_tap():
    m, x, y = _net()
    m[0].register_full_backward_hook(lambda *a: None)
    with gn.no_grad():
        out = m[0](x)
    assert out.op != "backward_hook"
    out = m[0](x)
    assert out.op == "backward_hook"
