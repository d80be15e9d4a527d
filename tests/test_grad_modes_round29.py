"""Round 29 (issue #10): autograd's switches, anomaly mode's checks and backward's inputs=
reach live in glassnet.grad_modes, outside the core; glassnet.tensor's names are the same."""

import glassnet as gn
import glassnet.grad_modes as modes
import glassnet.tensor as tensor

NAMES = ["AnomalyError", "Switch", "grad_mode", "anomaly_mode", "is_grad_enabled",
         "is_anomaly_enabled", "no_grad", "enable_grad"]  # fmt: skip


def test_tensor_keeps_the_switches_names():
    for name in NAMES:
        assert getattr(tensor, name) is getattr(modes, name), name
        assert name in tensor.__all__
    assert tensor.AnomalyError.__module__ == "glassnet.tensor"
    assert tensor.Switch.__module__ == "glassnet.tensor"


def test_anomaly_and_inputs_as_before():
    x = gn.Tensor([0.0, 1.0], requires_grad=True, label="x")
    with gn.autograd.detect_anomaly():
        try:
            x.log()
        except gn.AnomalyError as e:
            assert "forward of op 'log' (inputs 'x')" in str(e)
        else:
            raise AssertionError("no AnomalyError")
    a = gn.Tensor([1.0, 2.0], requires_grad=True)
    h = a * 3
    h.retain_grad()
    (h * h).sum().backward(inputs=[a])
    assert h.grad is not None and a.grad.tolist() == [18.0, 36.0]


def test_detach_lives_in_glassnet_detached_with_its_method_names():
    import glassnet.detached as detached

    assert gn.Tensor.detach is detached.detach
    assert gn.Tensor.detach.__qualname__ == "Tensor.detach"
    assert gn.Tensor._stand_in.__qualname__ == "Tensor._stand_in"
    x = gn.Tensor([1.0, 2.0], requires_grad=True)
    h = x * 2
    d = h.detach()  # (linked to a stand-in of h, not to h's graph)
    assert d.data is h.data and not d.requires_grad and d._base is not h
    assert d._base.parents == () and d._base.op == "mul"
    d = x.detach()
    y = (x * x).sum()
    d.data[0] = 5.0
    d._bump()
    try:
        y.backward()
    except RuntimeError as e:
        assert "in place" in str(e) or "in-place" in str(e)
    else:
        raise AssertionError("a graph whose values were written in place ran backward")
