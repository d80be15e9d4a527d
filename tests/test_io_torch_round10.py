"""``glassnet.io.load_torch_state_dict`` of a PyTorch network holding ``nn.LayerNorm``s.

It took every ``<layer>.weight``/``<layer>.bias`` pair for a Linear layer's, so a
``Sequential(Linear, LayerNorm, GELU, Linear)`` was refused with "holds 3 Linear layers ...
but the model has 2". Now the glassnet modules holding weights (Linear, LayerNorm) are
matched in order to PyTorch's, each by its kind: a Linear's weight (out, in) transposed into
``W``, a LayerNorm's weight and bias copied as they are; a mismatch names the kind of layer
at the first position where the two differ, on both sides.

The first tests use hand-made dicts of NumPy arrays with PyTorch's names and layouts (they
run without PyTorch); the last ones build the networks in PyTorch 2.13 itself
(``pytest.importorskip`` in those tests only)."""

from __future__ import annotations

import math

import numpy as np
import pytest

import glassnet as gn
from glassnet import io as gio
from glassnet import nn

TOL64 = {"rtol": 1e-12, "atol": 1e-12}


def _torch_state(rng: np.random.Generator, dtype=np.float64) -> dict[str, np.ndarray]:
    """A PyTorch Sequential(Linear(3, 5), LayerNorm(5), GELU(), Linear(5, 2)) state_dict, in
    PyTorch's names and layouts (a Linear's weight is (out, in)); the LayerNorm's weight and
    bias away from their initial 1 and 0, so a transposed or dropped copy shows."""
    state = {
        "0.weight": rng.standard_normal((5, 3)), "0.bias": rng.standard_normal(5),
        "1.weight": rng.uniform(0.5, 2.0, 5), "1.bias": rng.standard_normal(5),
        "3.weight": rng.standard_normal((2, 5)), "3.bias": rng.standard_normal(2),
    }  # fmt: skip
    return {k: v.astype(dtype) for k, v in state.items()}


def _forward(state: dict[str, np.ndarray], X: np.ndarray) -> np.ndarray:
    """The PyTorch network's forward pass, written in NumPy from the formulas."""
    h = X @ state["0.weight"].T + state["0.bias"]
    mean, var = h.mean(-1, keepdims=True), h.var(-1, keepdims=True)  # (biased, as PyTorch)
    h = (h - mean) / np.sqrt(var + 1e-5) * state["1.weight"] + state["1.bias"]
    h = h * 0.5 * (1 + np.vectorize(math.erf)(h / math.sqrt(2)))  # exact GELU
    return h @ state["3.weight"].T + state["3.bias"]


def _model(dtype=np.float64, norm: int = 5, rng: int = 0) -> nn.Sequential:
    return nn.Sequential(
        nn.Linear(3, 5, rng=rng, dtype=dtype),
        nn.LayerNorm(norm, dtype=dtype),
        nn.GELU(),
        nn.Linear(norm, 2, rng=rng + 1, dtype=dtype),
    )


def _weights(model: nn.Module) -> dict[str, np.ndarray]:
    return {k: np.array(v) for k, v in model.state_dict().items()}


# ----------------------------------------------------------------- without PyTorch
def test_a_state_dict_with_a_layernorm_loads_each_layer_by_its_kind():
    rng = np.random.default_rng(0)
    state = _torch_state(rng)
    X = rng.standard_normal((7, 3))
    model = gio.load_torch_state_dict(_model(), state)
    np.testing.assert_allclose(model(X).numpy(), _forward(state, X), **TOL64)
    got = model.state_dict()
    np.testing.assert_array_equal(got["layers.0.W"], state["0.weight"].T)  # transposed
    np.testing.assert_array_equal(got["layers.0.b"], state["0.bias"])
    np.testing.assert_array_equal(got["layers.1.weight"], state["1.weight"])  # as it is
    np.testing.assert_array_equal(got["layers.1.bias"], state["1.bias"])
    np.testing.assert_array_equal(got["layers.3.W"], state["3.weight"].T)
    np.testing.assert_array_equal(got["layers.3.b"], state["3.bias"])


def test_a_safetensors_file_with_a_layernorm_loads_and_named_layers_take_order(tmp_path):
    from safetensors.numpy import save_file

    rng = np.random.default_rng(1)
    state = _torch_state(rng)
    X = rng.standard_normal((4, 3))
    save_file(state, str(tmp_path / "seq.safetensors"))  # numbered names: ordered
    model = gio.load_torch_state_dict(_model(), tmp_path / "seq.safetensors")
    np.testing.assert_allclose(model(X).numpy(), _forward(state, X), **TOL64)

    names = {"0": "fc", "1": "norm", "3": "head"}  # a module of the user's, registered so
    named = {f"{names[k.split('.')[0]]}.{k.split('.')[1]}": v for k, v in state.items()}
    model = gio.load_torch_state_dict(_model(rng=5), named)  # a dict keeps its order
    np.testing.assert_allclose(model(X).numpy(), _forward(state, X), **TOL64)
    save_file(named, str(tmp_path / "named.safetensors"))
    with pytest.raises(ValueError, match="does not keep the order"):
        gio.load_torch_state_dict(_model(), tmp_path / "named.safetensors")
    model = gio.load_torch_state_dict(
        _model(rng=6), tmp_path / "named.safetensors", order=["fc", "norm", "head"]
    )
    np.testing.assert_allclose(model(X).numpy(), _forward(state, X), **TOL64)
    with pytest.raises(ValueError, match="PyTorch's entry 1 \\('norm'\\) is a LayerNorm's"):
        gio.load_torch_state_dict(  # the order given wrong: the kinds tell
            _model(), tmp_path / "named.safetensors", order=["norm", "fc", "head"]
        )


def test_a_missing_layernorm_is_named_by_kind_on_both_sides():
    state = _torch_state(np.random.default_rng(2))
    model = nn.Sequential(nn.Linear(3, 5, dtype=np.float64), nn.GELU(), nn.Linear(5, 2))
    before = _weights(model)
    with pytest.raises(ValueError) as info:
        gio.load_torch_state_dict(model, state)
    message = str(info.value)
    assert "holds 3 Linear layers" not in message  # (the misleading message it was)
    assert "the state_dict holds 3 ([Linear, LayerNorm, Linear]), the model 2 " in message
    assert "([Linear, Linear])" in message
    assert (
        "PyTorch's entry 2 ('1') is a LayerNorm's weight (5,), glassnet's module 2 "
        "('layers.2') is a Linear(5, 2)" in message
    )
    assert "nn.LayerNorm for nn.LayerNorm" in message
    assert all(np.array_equal(v, _weights(model)[k]) for k, v in before.items())


def test_an_extra_or_misplaced_layernorm_is_named_by_kind_on_both_sides():
    state = _torch_state(np.random.default_rng(3))
    extra = nn.Sequential(*_model().layers, nn.LayerNorm(2, dtype=np.float64))
    with pytest.raises(
        ValueError,
        match="the state_dict has no entry 4, glassnet's module 4 \\('layers.4'\\) is a "
        "LayerNorm\\(2\\)",
    ):
        gio.load_torch_state_dict(extra, state)
    swapped = nn.Sequential(
        nn.LayerNorm(3, dtype=np.float64), nn.Linear(3, 5, dtype=np.float64), nn.Linear(5, 2)
    )
    with pytest.raises(
        ValueError,
        match="PyTorch's entry 1 \\('0'\\) is a Linear's weight \\(5, 3\\), glassnet's module 1 "
        "\\('layers.0'\\) is a LayerNorm\\(3\\)",
    ):
        gio.load_torch_state_dict(swapped, state)
    fewer = {k: v for k, v in state.items() if not k.startswith("3.")}
    with pytest.raises(
        ValueError,
        match="PyTorch's entry 3 \\('3'\\) is a Linear's weight \\(2, 5\\), the model has no "
        "module 3",
    ):
        gio.load_torch_state_dict(nn.Sequential(*_model().layers[:3]), state)
    gio.load_torch_state_dict(nn.Sequential(*_model().layers[:3]), fewer)  # (matches)


def test_a_layernorm_of_another_size_or_bias_is_named_with_its_shapes():
    state = _torch_state(np.random.default_rng(4))
    model = nn.Sequential(
        nn.Linear(3, 5, dtype=np.float64), nn.LayerNorm(4, dtype=np.float64), nn.Linear(5, 2)
    )
    with pytest.raises(
        ValueError,
        match="layer '1' holds weight \\(5,\\) and bias \\(5,\\), but the matching glassnet "
        "layer LayerNorm\\(\\(4,\\).*\\(module 2, 'layers.1'\\) needs weight \\(4,\\) and a "
        "bias \\(4,\\)",
    ):
        gio.load_torch_state_dict(model, state)
    no_bias = nn.Sequential(
        nn.Linear(3, 5, dtype=np.float64),
        nn.LayerNorm(5, bias=False, dtype=np.float64),
        nn.Linear(5, 2, dtype=np.float64),
    )
    with pytest.raises(
        ValueError, match="layer '1' holds weight \\(5,\\) and bias \\(5,\\).*no bias"
    ):
        gio.load_torch_state_dict(no_bias, state)
    without = {k: v for k, v in state.items() if k != "1.bias"}  # nn.LayerNorm(5, bias=False)
    model = gio.load_torch_state_dict(no_bias, without)
    np.testing.assert_array_equal(model.state_dict()["layers.1.weight"], state["1.weight"])
    with pytest.raises(ValueError, match="layer '1' holds weight \\(5,\\) and bias None.*a bias"):
        gio.load_torch_state_dict(_model(), without)


def test_a_layernorm_without_weights_is_skipped_on_both_sides():
    # nn.LayerNorm(5, elementwise_affine=False) has no entry in the state_dict, and no
    # parameter in glassnet: the Linears on either side of it still match.
    rng = np.random.default_rng(5)
    state = {k: v for k, v in _torch_state(rng).items() if not k.startswith("1.")}
    model = nn.Sequential(
        nn.Linear(3, 5, dtype=np.float64),
        nn.LayerNorm(5, elementwise_affine=False, dtype=np.float64),
        nn.GELU(),
        nn.Linear(5, 2, dtype=np.float64),
    )
    X = rng.standard_normal((3, 3))
    model = gio.load_torch_state_dict(model, state)
    full = {**state, "1.weight": np.ones(5), "1.bias": np.zeros(5)}
    np.testing.assert_allclose(model(X).numpy(), _forward(full, X), **TOL64)


def test_a_layernorm_over_two_axes_is_copied_as_it_is():
    # Its weight (2, 3) has a Linear's rank: the glassnet LayerNorm it is matched to tells.
    rng = np.random.default_rng(6)
    weight = rng.standard_normal((2, 3))
    for state in ({"0.weight": weight}, {"0.weight": weight, "0.bias": weight + 1}):
        norm = nn.LayerNorm((2, 3), bias="0.bias" in state, dtype=np.float64)
        gio.load_torch_state_dict(nn.Sequential(norm), state)
        np.testing.assert_array_equal(norm.weight.data, weight)  # not transposed
    with pytest.raises(
        ValueError, match="is a Linear's weight \\(2, 3\\).*is a LayerNorm\\(\\(3, 2\\)\\)"
    ):
        gio.load_torch_state_dict(
            nn.Sequential(nn.LayerNorm((3, 2), bias=False)), {"0.weight": weight}
        )


def test_the_all_linear_messages_are_kept():
    state = {"0.weight": np.ones((3, 2)), "0.bias": np.zeros(3)}
    with pytest.raises(
        ValueError, match="holds 1 Linear layer \\(\\['0'\\]\\) but the model has 2"
    ):
        gio.load_torch_state_dict(nn.MLP([2, 3, 1]), state)
    with pytest.raises(
        ValueError, match="layer '0' holds weight \\(3, 2\\).*needs weight \\(4, 2\\)"
    ):
        gio.load_torch_state_dict(nn.MLP([2, 4]), state)


def test_many_layers_of_two_kinds_get_a_short_message():
    state = {}
    for i in range(300):
        shape = (2, 2) if i % 2 == 0 else (2,)
        state[f"{i}.weight"], state[f"{i}.bias"] = np.ones(shape), np.zeros(2)
    with pytest.raises(ValueError, match="PyTorch's entry 2 \\('1'\\) is a LayerNorm's") as info:
        gio.load_torch_state_dict(nn.MLP([2, 2, 2]), state)
    assert len(str(info.value)) < 1000 and "and 290 more" in str(info.value)


# ------------------------------------------------------------------ bad input
class _Scale(nn.Module):
    def __init__(self) -> None:
        self.s = nn.Parameter(np.ones(5))

    def forward(self, x):
        return x * self.s


def test_a_glassnet_module_of_another_kind_with_weights_is_refused_by_name():
    model = nn.Sequential(nn.Linear(3, 5, dtype=np.float64), _Scale(), nn.Linear(5, 2))
    with pytest.raises(
        ValueError,
        match="glassnet's module 2 \\('layers.1'\\) is a _Scale holding parameters "
        "\\['layers.1.s'\\]; only Linear and LayerNorm.*model.load_state_dict",
    ):
        gio.load_torch_state_dict(model, _torch_state(np.random.default_rng(7)))


def test_a_pytorch_layer_of_another_kind_is_named_by_its_shapes():
    state = {"0.weight": np.ones((4, 3, 3, 3)), "0.bias": np.zeros(4)}  # an nn.Conv2d
    with pytest.raises(
        ValueError,
        match="PyTorch's entry 1 \\('0'\\) is a weight \\(4, 3, 3, 3\\) and a bias \\(4,\\), of "
        "no Linear or LayerNorm",
    ):
        gio.load_torch_state_dict(nn.MLP([3, 4]), state)
    with pytest.raises(ValueError, match="is a bias \\(4,\\) with no weight"):
        gio.load_torch_state_dict(nn.MLP([3, 4]), {"0.bias": np.zeros(4)})
    with pytest.raises(
        ValueError, match="entry 1 \\('0'\\) is a BatchNorm1d's weight.*is a Linear"
    ):
        gio.load_torch_state_dict(
            nn.MLP([3, 4]), {"0.weight": np.ones(3), "0.running_mean": np.zeros(3)}
        )


def test_a_model_that_is_no_glassnet_module_is_refused_naming_it():
    with pytest.raises(TypeError, match="'model' must be a glassnet model.*Got dict\\."):
        gio.load_torch_state_dict({"0.weight": np.ones((1, 1))}, {"0.weight": np.ones((1, 1))})
    with pytest.raises(TypeError, match="'source' must be a state_dict.*Got Sequential\\.$"):
        gio.load_torch_state_dict(_model(), _model())  # (a glassnet one: no state_dict hint)


@pytest.mark.parametrize(
    "head",
    [b"PK\x03\x04" + b"\0" * 60, b"\x80\x02}q\x00(X\x08\x00\x00\x00" + b"\0" * 40],
    ids=["zip", "pickle"],
)
def test_a_pt_file_is_refused_saying_to_pass_torch_load_of_it(tmp_path, head):
    # torch.save writes a zip archive (a pickle inside), the legacy format a bare pickle;
    # the message spoke of a zip archive or pickle and glassnet.io.save_arrays.
    path = tmp_path / "model.pt"
    path.write_bytes(head)
    with pytest.raises(gio.ModelFileError) as info:
        gio.load_torch_state_dict(_model(), path)
    message = str(info.value)
    assert "looks like a PyTorch .pt file" in message and str(path) in message
    assert "torch.load(path, weights_only=True)" in message
    assert "safetensors.torch.save_file" in message


def test_other_files_keep_their_own_message(tmp_path):
    path = tmp_path / "data.csv"
    path.write_text("a,b\n1,2\n")
    with pytest.raises(gio.ModelFileError, match="a text file") as info:
        gio.load_torch_state_dict(_model(), path)
    assert "PyTorch" not in str(info.value)
    with pytest.raises(gio.ModelFileError, match="no such file"):
        gio.load_torch_state_dict(_model(), tmp_path / "missing.pt")


# ------------------------------------------------------------------ against PyTorch
def _torch_net(torch):
    torch.manual_seed(0)
    net = torch.nn.Sequential(
        torch.nn.Linear(8, 16), torch.nn.LayerNorm(16), torch.nn.GELU(), torch.nn.Linear(16, 8)
    )
    with torch.no_grad():  # away from the initial 1 and 0
        net[1].weight.uniform_(0.5, 2.0)
        net[1].bias.normal_()
    return net


def _glassnet_net() -> nn.Sequential:
    return gn.nn.Sequential(
        gn.nn.Linear(8, 16), gn.nn.LayerNorm(16), gn.nn.GELU(), gn.nn.Linear(16, 8)
    )


def test_a_torch_linear_layernorm_gelu_linear_gives_torchs_outputs(tmp_path):
    torch = pytest.importorskip("torch")
    from safetensors.torch import save_file

    net = _torch_net(torch)
    X = np.random.default_rng(8).standard_normal((64, 8)).astype(np.float32)
    want = net(torch.from_numpy(X)).detach().numpy()
    save_file(net.state_dict(), str(tmp_path / "net.safetensors"))
    torch.save(net.state_dict(), tmp_path / "net.pt")
    sources = {
        "state_dict": net.state_dict(),
        "safetensors": tmp_path / "net.safetensors",
        "torch.load": torch.load(tmp_path / "net.pt", weights_only=True),
    }
    for how, source in sources.items():
        model = gio.load_torch_state_dict(_glassnet_net(), source)
        got = model(X).numpy()
        assert got.dtype == np.float32, how
        np.testing.assert_allclose(got, want, rtol=1e-6, atol=1e-6, err_msg=how)
    with pytest.raises(gio.ModelFileError, match="looks like a PyTorch .pt file"):
        gio.load_torch_state_dict(_glassnet_net(), tmp_path / "net.pt")


def test_a_torch_mismatch_and_a_torch_model_passed_are_named():
    torch = pytest.importorskip("torch")
    net = _torch_net(torch)
    plain = gn.nn.Sequential(gn.nn.Linear(8, 16), gn.nn.GELU(), gn.nn.Linear(16, 8))
    with pytest.raises(
        ValueError,
        match="PyTorch's entry 2 \\('1'\\) is a LayerNorm's weight \\(16,\\), glassnet's module 2 "
        "\\('layers.2'\\) is a Linear\\(16, 8\\)",
    ):
        gio.load_torch_state_dict(plain, net.state_dict())
    with pytest.raises(TypeError, match="Got Sequential \\(a model: pass its state_dict\\(\\)"):
        gio.load_torch_state_dict(_glassnet_net(), net)
    with pytest.raises(TypeError, match="'model' must be a glassnet model.*a PyTorch module"):
        gio.load_torch_state_dict(net, _glassnet_net())
