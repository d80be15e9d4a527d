"""Tensor.register_hook, as PyTorch's: a hook sees dL/dtensor in backward() and may replace it."""

import numpy as np
import pytest

import glassnet as gn


def test_leaf_hook_replaces_the_gradient_accumulated():
    x = gn.tensor([1.0, 2.0], requires_grad=True, dtype=np.float64)
    seen = []
    x.register_hook(lambda g: seen.append(np.array(g)) or g * 10)
    (x * x).sum().backward()
    np.testing.assert_array_equal(seen[0], [2.0, 4.0])  # dL/dx before the hook
    np.testing.assert_array_equal(x.grad, [20.0, 40.0])
    (x * x).sum().backward()  # runs again, before accumulating
    np.testing.assert_array_equal(x.grad, [40.0, 80.0])


def test_non_leaf_hook_changes_what_flows_to_the_inputs():
    a = gn.tensor([1.0, 2.0], requires_grad=True, dtype=np.float64)
    b = (a * 3).retain_grad()
    b.register_hook(lambda g: g + 1)
    (b * b).sum().backward()
    # dL/db = 2b = [6, 12]; hooked: [7, 13], kept in b.grad (as PyTorch's retain_grad) and
    # passed on: dL/da = 3 * [7, 13]
    np.testing.assert_array_equal(b.grad, [7.0, 13.0])
    np.testing.assert_array_equal(a.grad, [21.0, 39.0])


def test_a_tensor_used_twice_is_hooked_once_with_the_sum():
    x = gn.tensor([3.0], requires_grad=True, dtype=np.float64)
    h = x * 2
    calls = []
    h.register_hook(lambda g: calls.append(float(g[0])))
    (h * h + h).sum().backward()  # dL/dh = 2h + 1 = 13
    assert calls == [13.0]
    np.testing.assert_array_equal(x.grad, [26.0])


def test_hooks_run_in_order_and_a_handle_removes_one():
    x = gn.tensor([1.0], requires_grad=True, dtype=np.float64)
    first = x.register_hook(lambda g: g * 2)
    x.register_hook(lambda g: g + 1)
    (x * 1).sum().backward()
    np.testing.assert_array_equal(x.grad, [3.0])  # (1 * 2) + 1
    first.remove()
    first.remove()  # (again: nothing more to do, as PyTorch's)
    x.grad = None
    (x * 1).sum().backward()
    np.testing.assert_array_equal(x.grad, [2.0])


def test_a_with_block_takes_the_hook_off():
    x = gn.tensor([1.0], requires_grad=True, dtype=np.float64)
    with x.register_hook(lambda g: g * 5):
        (x * 1).sum().backward()
    (x * 1).sum().backward()
    np.testing.assert_array_equal(x.grad, [6.0])


def test_refusals_say_what_to_do():
    with pytest.raises(RuntimeError, match="does not require grad: set requires_grad=True"):
        gn.tensor([1.0]).register_hook(lambda g: g)
    x = gn.tensor([1.0, 2.0], requires_grad=True)
    with pytest.raises(TypeError, match="takes a function"):
        x.register_hook(3)
    h = x.register_hook(lambda g: np.zeros(3, np.float32))
    with pytest.raises(ValueError, match=r"shape \(2,\).*returned ndarray of shape \(3,\)"):
        (x * x).sum().backward()
    h.remove()
    h = x.register_hook(lambda g: np.zeros(2))  # float64 for a float32 tensor
    with pytest.raises(ValueError, match="dtype float32.*dtype float64"):
        (x * x).sum().backward()
    h.remove()
    x.register_hook(lambda g: g.clamp_(0, 1))  # in place: g may be another tensor's too
    with pytest.raises(ValueError, match="wrote into its gradient.*return a new one"):
        (x * x).sum().backward()


def test_in_place_write_refused_even_where_the_gradient_is_shared():
    # add passes its gradient on to both inputs as one array: a hook writing into it would
    # change the other input's gradient too
    a = gn.tensor([1.0], requires_grad=True, dtype=np.float64)
    b = gn.tensor([1.0], requires_grad=True, dtype=np.float64)
    a.register_hook(lambda g: g.__imul__(100))
    with pytest.raises(ValueError, match="wrote into its gradient"):
        (a + b).sum().backward()


def test_same_numbers_as_pytorch():
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(0)
    X, W = rng.normal(size=(5, 3)), rng.normal(size=(3, 2))
    got = []
    for lib in ("gn", "torch"):
        if lib == "gn":
            x, w = gn.tensor(X), gn.tensor(W, requires_grad=True)
            z = x @ w
            z.register_hook(lambda g: g.clip(-0.3, 0.3))
            w.register_hook(lambda g: g * 0.5)
            (z.tanh() ** 2).sum().backward()
            got.append(np.asarray(w.grad))
        else:
            x, w = torch.tensor(X), torch.tensor(W, requires_grad=True)
            z = x @ w
            z.register_hook(lambda g: g.clamp(-0.3, 0.3))
            w.register_hook(lambda g: g * 0.5)
            (z.tanh() ** 2).sum().backward()
            got.append(w.grad.numpy())
    np.testing.assert_allclose(got[0], got[1], rtol=1e-12)


def _data():
    rng = np.random.default_rng(1)
    X = rng.normal(size=(64, 3)).astype(np.float32)
    return X, (X[:, :1] > 0).astype(np.float32)


def test_fit_honours_a_parameters_hook():
    # a hook that zeroes the first layer's weight gradient: SGD must leave those weights as
    # they were (the fast path computes gradients without backward(), so fit takes the graph)
    X, y = _data()
    gn.manual_seed(0)
    net = gn.nn.MLP([3, 4, 1], activation="tanh", output_activation="sigmoid")
    first, last = net.parameters()[0], net.parameters()[-2]
    before_first, before_last = first.data.copy(), last.data.copy()
    calls = []
    first.register_hook(lambda g: calls.append(1) or np.zeros_like(g))
    gn.fit(net, X, y, loss="bce", epochs=2, batch_size=32, lr=0.5)
    assert len(calls) == 4  # 2 epochs x 2 batches
    np.testing.assert_array_equal(first.data, before_first)
    assert not np.array_equal(last.data, before_last)


def test_fit_fused_refuses_a_hooked_parameter():
    X, y = _data()
    net = gn.nn.MLP([3, 4, 1], activation="tanh", output_activation="sigmoid")
    net.parameters()[0].register_hook(lambda g: g)
    with pytest.raises(ValueError, match=r"gradient hooks \(register_hook\)"):
        gn.fit(net, X, y, loss="bce", epochs=1, engine="fused")


def test_a_modules_output_hooked_from_a_forward_hook():
    # the README's stand-in for PyTorch's module backward hooks: dL/d(layer's output)
    gn.manual_seed(0)
    net = gn.nn.MLP([3, 4, 1], activation="tanh", output_activation="sigmoid")
    grads = []

    def keep_output_grad(module, args, out):
        out.register_hook(lambda g: grads.append(np.array(g)))

    net.layers[0].register_forward_hook(keep_output_grad)
    X, y = _data()
    out = net(gn.tensor(X[:8]))
    z = net.layers[0](gn.tensor(X[:8]))
    assert z.shape == (8, 4)  # (the output is still the layer's: the hook returned None)
    gn.nn.functional.binary_cross_entropy(out, gn.tensor(y[:8])).backward()
    assert len(grads) == 1 and grads[0].shape == (8, 4) and np.abs(grads[0]).sum() > 0
