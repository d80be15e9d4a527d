"""Core mends of round 13 (each failed before its fix)."""

from __future__ import annotations

import pytest

import glassnet as gn


@pytest.mark.parametrize(
    "kwargs, arg",
    [
        ({"output_activation": None}, "output_activation"),  # Keras's "no activation"
        ({"output_activation": ["relu"]}, "output_activation"),
        ({"activation": None}, "activation"),
        ({"activation": ["relu", None]}, "activation"),
    ],
)
def test_mlp_names_the_activation_argument_that_is_no_name(kwargs, arg):
    with pytest.raises(TypeError, match=rf"^MLP: {arg} must be an activation name: 'identity' "):
        gn.nn.MLP([2, 3, 3, 1], **kwargs)


def test_mlp_takes_one_name_per_hidden_layer_still():
    model = gn.nn.MLP([2, 3, 3, 1], activation=["relu", "tanh"], output_activation="sigmoid")
    assert model.activations == ["relu", "tanh"] and model.output_activation == "sigmoid"


def test_module_call_passes_keywords_tuples_and_no_input_as_pytorch():
    import numpy as np

    class Scaled(gn.nn.Module):
        def __init__(self):
            self.fc = gn.nn.Linear(3, 2)

        def forward(self, x, scale=1.0, mask=None):
            out = self.fc(x) * scale
            return out if mask is None else out * gn.tensor(mask)

    class Pair(gn.nn.Module):
        def forward(self, batch):
            a, b = batch
            return a + b

    class Free(gn.nn.Module):
        def __init__(self):
            self.w = gn.nn.Parameter(np.ones(2, np.float32))

        def forward(self):
            return self.w.sum()

    x = np.ones((4, 3), np.float32)
    m = Scaled()
    np.testing.assert_allclose(m(x, scale=2.0).data, 2 * m(x).data)
    assert m(x, mask=np.zeros((4, 2))).data.sum() == 0
    a, b = gn.tensor([1.0, 2.0]), gn.tensor([3.0, 4.0])
    np.testing.assert_array_equal(Pair()((a, b)).data, [4.0, 6.0])
    assert Free()().item() == 2.0
    flat = gn.nn.Flatten()  # (converts nothing itself: the call must)
    for numbers in ([[1.0, 2.0], [3.0, 4.0]], ((1.0, 2.0), (3.0, 4.0)), np.ones((2, 2))):
        out = flat(numbers)  # a list, tuple or array of numbers: made a Tensor
        assert isinstance(out, gn.Tensor) and out.shape == (2, 2)


def test_a_buffer_set_again_to_a_tensor_keeps_its_values_as_register_buffer_does():
    import numpy as np

    class Norm(gn.nn.Module):
        def __init__(self):
            self.fc = gn.nn.Linear(3, 1)
            self.register_buffer("mean", np.zeros(3, np.float32))

        def forward(self, x):
            self.mean = 0.9 * self.mean + 0.1 * x.mean(0).detach()  # PyTorch's running mean
            return self.fc(x - self.mean)

    m = Norm()
    m(np.ones((5, 3), np.float32))
    assert type(m.mean) is np.ndarray
    np.testing.assert_allclose(m.mean, [0.1, 0.1, 0.1], rtol=1e-6)
    state = m.state_dict()  # crashed: a Tensor under the buffer's name
    np.testing.assert_allclose(state["mean"], [0.1, 0.1, 0.1], rtol=1e-6)
    m.to(np.float64)  # crashed too
    assert m.mean.dtype == np.float64


def test_dropout_of_one_drops_every_value_as_pytorch():
    import numpy as np

    d = gn.nn.Dropout(1.0)
    x = gn.tensor(np.ones((2, 3)), requires_grad=True)
    out = d(x)
    np.testing.assert_array_equal(out.data, 0.0)
    out.sum().backward()
    np.testing.assert_array_equal(x.grad, 0.0)
    d.eval()
    np.testing.assert_array_equal(d(x).data, 1.0)  # eval: the identity, whatever p


def test_load_state_dict_takes_a_buffer_of_inf_and_refuses_a_weight_of_nan(tmp_path):
    import numpy as np

    class Masked(gn.nn.Module):
        def __init__(self):
            self.fc = gn.nn.Linear(3, 3)
            self.register_buffer("mask", np.triu(np.full((3, 3), -np.inf, np.float32), 1))

        def forward(self, x):
            return self.fc(x) + gn.tensor(self.mask)

    m = Masked()
    gn.save(m.state_dict(), tmp_path / "m.glassnet")
    fresh = Masked()
    fresh.mask[...] = 0
    fresh.load_state_dict(gn.load(tmp_path / "m.glassnet"))  # (refused the mask's -inf)
    np.testing.assert_array_equal(fresh.mask, m.mask)
    state = m.state_dict()
    state["fc.W"][0, 0] = np.nan
    with pytest.raises(ValueError, match="NaN or inf"):
        fresh.load_state_dict(state)
    np.testing.assert_array_equal(fresh.fc.W.data, m.fc.W.data)  # left intact


def test_a_parameter_set_on_a_buffers_name_becomes_a_parameter_as_pytorch():
    import numpy as np

    class M(gn.nn.Module):
        def __init__(self):
            self.fc = gn.nn.Linear(2, 2)
            self.register_buffer("b", np.zeros(2, np.float32))

    m = M()
    m.b = gn.nn.Parameter(np.ones(2, np.float32))
    assert [n for n, _ in m.named_parameters()] == ["b", "fc.W", "fc.b"]  # (PyTorch's order)
    assert list(m.named_buffers()) == []


def test_a_linear_subclass_sets_a_buffer_from_a_tensor_too():
    import numpy as np

    class Masked(gn.nn.Linear):
        def __init__(self):
            super().__init__(2, 2)
            self.register_buffer("mask", np.ones((2, 2), np.float32))

    m = Masked()
    m.mask = gn.tensor(np.zeros((2, 2)))
    assert type(m.mask) is np.ndarray
    assert set(m.state_dict()) == {"W", "b", "mask"}
    m.to(np.float64)


def test_load_state_dict_refuses_a_nan_buffer_and_lists_every_mismatch():
    import numpy as np

    model = gn.nn.Sequential(gn.nn.Linear(2, 3), gn.nn.BatchNorm1d(3))
    state = model.state_dict()
    var, w = (
        [k for k in state if k.endswith("running_var")][0],
        [k for k in state if k.endswith("W")][0],
    )
    mean = var.replace("running_var", "running_mean")
    state[var] = np.full(3, np.nan, np.float32)  # a run gone wrong
    with pytest.raises(ValueError, match=f"'{var}' contains NaN"):
        model.load_state_dict(state)
    state = model.state_dict()
    state[w], state[mean] = np.ones((5, 5)), np.ones(7)
    with pytest.raises(ValueError, match=f"'{w}' must be .*; '{mean}' must be"):
        model.load_state_dict(state)


def test_summary_traces_a_module_called_with_keywords():
    import numpy as np

    class Scale(gn.nn.Module):
        def forward(self, x, s=1.0):
            return x * s

    class Net(gn.nn.Module):
        def __init__(self):
            self.fc = gn.nn.Linear(2, 2)
            self.scale = Scale()

        def forward(self, x):
            return self.scale(self.fc(x), s=2.0)  # (a keyword: the tracer refused it)

    text = str(gn.summary(Net(), input_data=np.ones((1, 2), np.float32)))
    assert "Scale" in text


def test_module_call_passes_a_tuple_of_arrays_on_as_a_batch():
    import numpy as np

    class Pair(gn.nn.Module):
        def __init__(self):
            self.fc = gn.nn.Linear(3, 1)

        def forward(self, batch):
            X, y = batch
            return ((self.fc(X) - gn.tensor(y)) ** 2).mean()

    X, y = np.ones((4, 3), np.float32), np.zeros((4, 1), np.float32)
    assert Pair()((X, y)).shape == ()  # (stacked into one Tensor, it raised)
    assert isinstance(gn.nn.Identity()([np.float32(1.0), 2, True]), gn.Tensor)
    assert isinstance(gn.nn.Identity()([np.array(1.0), np.array(2.0)]), gn.Tensor)  # (0-d)
