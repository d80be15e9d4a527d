"""Model files and ONNX: a path ending in '/', and ONNX Gemm scalings that make weights
NaN or inf."""

from __future__ import annotations

import numpy as np
import pytest

pytest.importorskip("safetensors")

import glassnet as gn  # noqa: E402
from glassnet import io as gio  # noqa: E402
from glassnet import nn  # noqa: E402

# ------------------------------------------------------------ a path that ends in '/'


@pytest.mark.parametrize(
    "write",
    [
        lambda p: gio.save_model(nn.MLP([2, 1], rng=0), p),
        lambda p: gio.save_arrays(p, {"a": np.ones(2)}),
        lambda p: gio.save_checkpoint(p, {"W": np.ones(2)}, {"t": 1}),
        lambda p: gn.save(nn.MLP([2, 1], rng=0), p),
        lambda p: gn.save({"a": np.ones(2)}, p),
    ],
    ids=["save_model", "save_arrays", "save_checkpoint", "gn.save", "gn.save(state dict)"],
)
def test_a_path_ending_in_a_slash_is_refused_not_written_as_a_file(tmp_path, write):
    # 'models/' names a directory: writing a file called 'models' put the model where the
    # user meant a directory (and a later mkdir failed)
    path = f"{tmp_path}/models/"
    with pytest.raises(gio.ModelFileError, match="ends in '/', so it names a directory"):
        write(path)
    assert list(tmp_path.iterdir()) == []


def test_a_path_ending_in_a_slash_writes_into_an_existing_directory_never(tmp_path):
    (tmp_path / "models").mkdir()
    with pytest.raises(gio.ModelFileError, match="it is a directory"):
        gio.save_model(nn.MLP([2, 1], rng=0), f"{tmp_path}/models/")
    assert list((tmp_path / "models").iterdir()) == []


@pytest.mark.parametrize("read", [gio.load_model, gio.load_arrays, gn.load])
def test_a_file_is_not_read_through_a_path_ending_in_a_slash(tmp_path, read):
    # open('m.glassnet/') is NotADirectoryError; the reader read the file 'm.glassnet'
    gio.save_model(nn.MLP([2, 1], rng=0), tmp_path / "m.glassnet")
    with pytest.raises(gio.ModelFileError, match="ends in '/'.*is a file"):
        read(f"{tmp_path}/m.glassnet/")


def test_a_path_ending_in_a_slash_after_a_file_name_says_so(tmp_path):
    gio.save_model(nn.MLP([2, 1], rng=0), tmp_path / "m.glassnet")
    before = (tmp_path / "m.glassnet").read_bytes()
    with pytest.raises(gio.ModelFileError, match="names a directory, but .* is a file"):
        gio.save_model(nn.MLP([2, 1], rng=1), f"{tmp_path}/m.glassnet/")
    assert (tmp_path / "m.glassnet").read_bytes() == before


# ------------------------------------------------------------ ONNX Gemm's alpha and beta


def _gemm_model(alpha: float = 1.0, beta: float = 1.0, w: float = 1.0, dtype=np.float32):
    onnx = pytest.importorskip("onnx")
    from onnx import helper, numpy_helper

    elem = onnx.TensorProto.FLOAT if dtype == np.float32 else onnx.TensorProto.DOUBLE
    graph = helper.make_graph(
        [helper.make_node("Gemm", ["X", "W", "b"], ["Y"], alpha=alpha, beta=beta)],
        "g",
        [helper.make_tensor_value_info("X", elem, ["N", 3])],
        [helper.make_tensor_value_info("Y", elem, ["N", 2])],
        [
            numpy_helper.from_array(np.full((3, 2), w, dtype), "W"),
            numpy_helper.from_array(np.ones(2, dtype), "b"),
        ],
    )
    return helper.make_model(graph, opset_imports=[helper.make_opsetid("", 19)])


@pytest.mark.parametrize(
    "kw, what",
    [
        ({"alpha": float("nan")}, "alpha nan"),
        ({"beta": float("inf")}, "beta inf"),
        ({"alpha": 1e38, "w": 10.0}, "alpha 1e\\+38"),
        ({"alpha": 1e30, "w": 1e290, "dtype": np.float64}, "alpha 1e\\+30"),
    ],
)
def test_onnx_gemm_scalings_that_make_weights_nan_or_inf_are_refused(kw, what):
    # a NaN weight tensor is refused; Gemm's alpha and beta multiply the weights on the
    # way in, and a NaN, an inf or an overflow there loaded a network predicting NaN/inf
    from glassnet.onnx import OnnxError, load

    with pytest.raises(OnnxError, match=f"Gemm.*{what}.*NaN or inf"):
        load(_gemm_model(**kw))


def test_onnx_gemm_finite_scalings_still_load():
    from glassnet.onnx import load

    net = load(_gemm_model(alpha=0.5, beta=2.0, w=4.0))
    W, b = (p.data for p in net.parameters())
    assert np.array_equal(W, np.full((3, 2), 2.0, np.float32))
    assert np.array_equal(b, np.full(2, 2.0, np.float32))
