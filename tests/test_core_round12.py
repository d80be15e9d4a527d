"""Fixes of round 12 in the core and its neighbours, each with a test that failed before it."""

from __future__ import annotations

import numpy as np
import pytest

import glassnet as gn
from glassnet import nn


def _data():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(64, 2)).astype(np.float32)
    return X, (X[:, :1] > 0).astype(np.float32)


def _model():
    gn.manual_seed(0)
    return nn.Sequential(nn.Linear(2, 4), nn.Tanh(), nn.Linear(4, 1), nn.Sigmoid())


@pytest.mark.parametrize("engine", ["jit", "auto", "fused", "graph"])
@pytest.mark.parametrize("batch_size", [None, 16])
def test_empty_stop_rules_is_no_rule_on_every_engine(engine, batch_size):
    # stop_rules=[] (no rule at all) was refused by engine='jit' as if rules were given
    if engine == "jit":
        pytest.importorskip("numba")
    X, y = _data()
    a, b = _model(), _model()
    ha = gn.fit(a, X, y, loss="bce", epochs=12, engine=engine, batch_size=batch_size,
                stop_rules=[], seed=0)  # fmt: skip
    hb = gn.fit(b, X, y, loss="bce", epochs=12, engine=engine, batch_size=batch_size, seed=0)
    assert ha.engine == hb.engine and ha.stop_reason == "max_epochs" and ha.epochs == 12
    assert ha.loss == hb.loss
    for p, q in zip(a.parameters(), b.parameters()):
        np.testing.assert_array_equal(p.data, q.data)


def test_requires_grad_false_on_an_op_result_is_refused():
    # it was taken: backward() then stopped there and a, b got no gradient, in silence
    a = gn.Tensor([1.0, 2.0], requires_grad=True)
    x = a * 3.0
    with pytest.raises(RuntimeError, match=r"requires_grad=False on the result of op .*detach"):
        x.requires_grad = False
    with pytest.raises(RuntimeError, match="only a leaf's flag can change"):
        x.requires_grad_(False)
    assert x.requires_grad  # unchanged
    x.requires_grad = True  # (what it is: taken)
    x.sum().backward()
    np.testing.assert_array_equal(a.grad, [3.0, 3.0])


def test_requires_grad_on_leaves_and_no_grad_results_still_set():
    p = nn.Linear(2, 1).W
    p.requires_grad = False  # freezing a parameter
    assert not p.requires_grad
    p.requires_grad = np.bool_(True)
    assert p.requires_grad is True
    with gn.no_grad():
        y = p * 2.0  # a leaf: made outside the graph
    y.requires_grad = True
    y.requires_grad = False
    with pytest.raises(TypeError, match=r"requires_grad must be True or False. Got 'no'"):
        p.requires_grad = "no"
    with pytest.raises(TypeError, match=r"requires_grad must be True or False. Got 1"):
        gn.Tensor([1.0], requires_grad=1)


def test_retain_grad_on_a_tensor_without_grad_is_refused():
    # it was taken and did nothing: .grad stayed None after backward()
    t = gn.Tensor([1.0, 2.0])
    with pytest.raises(RuntimeError, match="retain_grad.. on a tensor that does not require"):
        t.retain_grad()
    a = gn.Tensor([1.0, 2.0], requires_grad=True)
    h = (a * 2.0).retain_grad()
    (h * h).sum().backward()
    np.testing.assert_array_equal(h.grad, 2 * h.data)


def test_torch_refuses_the_same_flags():
    torch = pytest.importorskip("torch")
    a = torch.ones(2, requires_grad=True)
    with pytest.raises(RuntimeError):
        (a * 3).requires_grad = False
    with pytest.raises(RuntimeError):
        torch.ones(2).retain_grad()
    with pytest.raises(RuntimeError):
        torch.ones(2).requires_grad = "no"


def test_backward_inputs_adds_only_into_the_tensors_named():
    # backward(inputs=) was a TypeError (PyTorch's keyword unknown)
    a = gn.Tensor([1.0, 2.0], requires_grad=True, dtype=np.float64)
    b = gn.Tensor([3.0, 4.0], requires_grad=True, dtype=np.float64)
    h = (a * b).retain_grad()
    loss = (h * h).sum()
    loss.backward(inputs=[a])
    np.testing.assert_array_equal(a.grad, 2 * (a.data * b.data) * b.data)  # dL/da = 2h b
    assert b.grad is None  # (not asked for)
    np.testing.assert_array_equal(h.grad, 2 * h.data)  # retained, on the path to a: PyTorch's
    loss.backward(inputs=(h, b))  # a computed tensor too; the gradients add up, as always
    np.testing.assert_array_equal(h.grad, 4 * h.data)
    np.testing.assert_array_equal(b.grad, 2 * h.data * a.data)
    np.testing.assert_array_equal(a.grad, 2 * h.data * b.data)  # unchanged
    loss.backward(inputs=a)  # one tensor
    np.testing.assert_array_equal(a.grad, 4 * h.data * b.data)


def test_backward_inputs_fills_retained_tensors_on_a_path_to_them_only_as_torch():
    torch = pytest.importorskip("torch")
    got = {}
    for lib in ("glassnet", "torch"):
        if lib == "glassnet":
            make = lambda v: gn.Tensor(np.array(v), requires_grad=True, dtype=np.float64)  # noqa: E731
        else:
            make = lambda v: torch.tensor(v, dtype=torch.float64, requires_grad=True)  # noqa: E731
        x, w = make([1.0, 2.0]), make([3.0, 4.0])
        h, u = x * 2 * 1.5, w * 3  # h on the path to x, u not
        h.retain_grad(), u.retain_grad()
        ((h * h).sum() + (u * u).sum()).backward(inputs=iter([x]))  # (any iterable)
        got[lib] = [None if t.grad is None else np.asarray(t.grad) for t in (x, h, u, w)]
    assert got["glassnet"][2:] == [None, None] == got["torch"][2:]
    for a, b in zip(got["glassnet"][:2], got["torch"][:2]):
        np.testing.assert_array_equal(a, b)


@pytest.mark.parametrize("bad", [[], 3, "a", [gn.Tensor([1.0])], [None]])
def test_backward_inputs_bad(bad):
    a = gn.Tensor([1.0, 2.0], requires_grad=True)
    with pytest.raises(ValueError, match=r"backward\(\): inputs must be a tensor that requires"):
        (a * a).sum().backward(inputs=bad)
    assert a.grad is None


def test_backward_inputs_as_torch():
    torch = pytest.importorskip("torch")
    x = np.array([1.0, 2.0])
    ta, tb = torch.tensor(x, requires_grad=True), torch.tensor(x + 2, requires_grad=True)
    ga, gb = gn.Tensor(x, requires_grad=True), gn.Tensor(x + 2, requires_grad=True)
    for a, b in ((ta, tb), (ga, gb)):
        ((a * b).tanh() * b).sum().backward(inputs=[b])
    np.testing.assert_allclose(gb.grad, tb.grad.numpy(), rtol=1e-12)
    assert ta.grad is None and ga.grad is None


def _big_endian_model(norm=None):
    gn.manual_seed(0)
    m = nn.Sequential(nn.Linear(2, 3), *([norm] if norm else []), nn.ReLU(), nn.Linear(3, 1))
    for p in m.parameters():  # (weights read with np.fromfile(path, ">f4"), say)
        p.data = p.data.astype(">f4")
    return m


@pytest.mark.parametrize("norm", [None, "BatchNorm1d", "LayerNorm"])
@pytest.mark.parametrize("how", ["gn.save", "save_model"])
def test_big_endian_float32_weights_save_and_load_as_their_values(tmp_path, how, norm):
    # save said the Sequential "cannot be rebuilt from its description (a layer used twice
    # ...)" and save_model wrote a file load_model took for a module of the user's own
    m = _big_endian_model(norm and getattr(nn, norm)(3))
    m.eval()
    assert m.config()["layers"][0]["dtype"] == "float32"
    path = tmp_path / "m.safetensors"
    if how == "gn.save":
        gn.save(m, path)
        back = gn.load(path)
    else:
        gn.io.save_model(m, path)
        back = gn.io.load_model(path).eval()  # (load_model gives training mode, as documented)
    x = gn.Tensor(np.random.default_rng(1).normal(size=(5, 2)).astype(np.float32))
    for p, q in zip(m.parameters(), back.parameters()):
        assert q.data.dtype == np.float32 and q.data.dtype.isnative
        np.testing.assert_array_equal(p.data, q.data)
    np.testing.assert_array_equal(back(x).data, m(x).data)


def test_big_endian_weights_in_an_optimizer_say_how_to_convert():
    m = _big_endian_model()
    with pytest.raises(TypeError, match=r">f4.*byte order: p.data = p.data.astype\('float32'\)"):
        gn.optim.SGD(m.parameters(), lr=0.1)


def test_is_anomaly_enabled_as_torch():
    assert gn.is_anomaly_enabled() is False
    with gn.detect_anomaly():
        assert gn.is_anomaly_enabled() is True
    assert gn.is_anomaly_enabled() is False


# a Parameter (requires_grad=False) and a Tensor pickled by glassnet before requires_grad was
# a property (the slot then held the flag; unpickling set it before backward_fn existed)
_OLD_PICKLE = (
    "gASVyAEAAAAAAACMEmdsYXNzbmV0Lm5uLm1vZHVsZZSMCVBhcmFtZXRlcpSTlCmBlE59lCiMBGRhdGGUjBZudW1weS5f"
    "Y29yZS5tdWx0aWFycmF5lIwMX3JlY29uc3RydWN0lJOUjAVudW1weZSMB25kYXJyYXmUk5RLAIWUQwFilIeUUpQoSwFL"
    "AoWUaAmMBWR0eXBllJOUjAJmOJSJiIeUUpQoSwOMATyUTk5OSv////9K/////0sAdJRiiUMQAAAAAAAAAAAAAAAAAADw"
    "P5R0lGKMBV9ncmFklE6MDXJlcXVpcmVzX2dyYWSUiYwCb3CUjACUjAdwYXJlbnRzlCmMBWxhYmVslIwBd5SMC2JhY2t3"
    "YXJkX2ZulE6MB19yZXRhaW6UiYwIX3ZlcnNpb26USwCMBV9iYXNllE51hpRijA9nbGFzc25ldC50ZW5zb3KUjAZUZW5z"
    "b3KUk5QpgZROfZQoaAVoCGgLSwCFlGgNh5RSlChLAUsChZRoEowCZjSUiYiHlFKUKEsDaBZOTk5K/////0r/////SwB0"
    "lGKJQwgAAIA/AACAP5R0lGJoGk5oG4loHGgdaB4paB9OaCFOaCKJaCNLAGgkTnWGlGKGlC4="
)


def test_tensors_pickled_before_the_property_still_load():
    import base64
    import pickle

    p, t = pickle.loads(base64.b64decode(_OLD_PICKLE))  # (AttributeError: backward_fn)
    assert isinstance(p, nn.Parameter) and p.requires_grad is False and p.label == "w"
    np.testing.assert_array_equal(p.data, [0.0, 1.0])
    assert t.requires_grad is False and t.dtype == np.float32
    q = pickle.loads(pickle.dumps(p))  # (and today's pickles)
    assert q.requires_grad is False and q.label == "w"


def test_fit_refuses_a_closure_optimizer_before_training():
    X, y = _data()
    m = _model()
    before = [p.data.copy() for p in m.parameters()]
    for opt in ("lbfgs", "LBFGS", gn.optim.LBFGS(m.parameters())):
        with pytest.raises(ValueError, match=r"steps with a closure.*write the loop"):
            gn.fit(m, X, y, loss="bce", epochs=2, optimizer=opt)
    for p, b in zip(m.parameters(), before):
        np.testing.assert_array_equal(p.data, b)


def test_optimizer_constructor_errors_name_the_class():
    p = [nn.Linear(2, 1).W]
    with pytest.raises(TypeError, match=r"^Adam\(\): got an unexpected keyword argument 'foo'"):
        gn.optim.Adam(p, foo=1)
    with pytest.raises(TypeError, match=r"^RMSprop\(\): too many positional arguments"):
        gn.optim.RMSprop(p, 0.1, 0.9, 1e-8, 0.0, 0.0, False, 1)


def test_load_arrays_hint_only_for_a_model():
    with pytest.raises(TypeError, match="load_arrays"):
        nn.Linear(2, 1).load_state_dict(({"W": np.zeros((2, 1))}, {}))
    opt = gn.optim.Adam(nn.Linear(2, 1).parameters())
    with pytest.raises(TypeError) as e:
        opt.load_state_dict((opt.state_dict(),))
    assert "load_arrays" not in str(e.value) and "load_weights" not in str(e.value)


@pytest.mark.parametrize("owner", ["fit", "fit_many"])
@pytest.mark.parametrize("bad", [0, "3", 2.5])
def test_n_iter_no_change_that_is_no_count_is_called_so(owner, bad):
    # "n_iter_no_change=3 counts epochs for tol ... none is set": a str printed as 3, 0 not
    # called invalid
    X, y = _data()
    with pytest.raises(ValueError, match=r"'n_iter_no_change' parameter of .* must be an int"):
        if owner == "fit":
            gn.fit(_model(), X, y, loss="bce", epochs=2, n_iter_no_change=bad)
        else:
            gn.fit_many([_model(), _model()], X, y, loss="bce", epochs=2, n_iter_no_change=bad)


def test_neuron_keeps_its_activation_name():
    assert nn.Neuron(2, "sigmoid").activation_name == "sigmoid"
