"""Model files and ONNX, an adversarial pass: the paths users mistype (an empty path, a '~'
that nothing replaced), arguments of the wrong type, files that are not what a reader
expects, and ONNX graphs whose weights are not of the graph's float type."""

from __future__ import annotations

import os

import numpy as np
import pytest

pytest.importorskip("safetensors")

import glassnet as gn  # noqa: E402
from glassnet import io as gio  # noqa: E402
from glassnet import nn  # noqa: E402


def _net():
    return nn.MLP([4, 5, 2], rng=0)


# ----------------------------------------------------------------------------- paths


@pytest.mark.parametrize(
    "read",
    [
        gio.load_model,
        gio.load_arrays,
        gio.load_checkpoint,
        gn.load,
        gio.load_pipeline,
        lambda p: gio.load_weights(_net(), p),
    ],  # fmt: skip
)
def test_an_empty_path_is_named_empty_not_the_working_directory(read):
    # Path("") is '.': the readers said "'.' is a directory, not a model file"
    with pytest.raises(gio.ModelFileError, match=r"the path is empty") as info:
        read("")
    assert "directory" not in str(info.value)


def test_file_kind_of_an_empty_path_says_it_is_empty():
    with pytest.raises(OSError, match=r"the path is empty") as info:
        gio.file_kind("")
    assert "'.'" not in str(info.value)


@pytest.fixture
def home(tmp_path, monkeypatch):
    """A home folder of the test's own, and a working directory without a '~' in it."""
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    (tmp_path / "home").mkdir()
    (tmp_path / "work").mkdir()
    monkeypatch.chdir(tmp_path / "work")
    return tmp_path / "home"


@pytest.mark.parametrize(
    "write",
    [
        lambda p: gio.save_model(_net(), p),
        lambda p: gn.save(_net().state_dict(), p),
        lambda p: gio.save_arrays(p, {"a": np.zeros(2)}),
        lambda p: gio.save_checkpoint(p, _net().state_dict(), {}),
    ],  # fmt: skip
)
def test_a_path_starting_with_a_tilde_is_refused_saying_nothing_replaced_it(home, write):
    with pytest.raises(gio.ModelFileError) as info:
        write("~/m.glassnet")
    message = str(info.value)
    assert "'~' is not replaced by your home folder" in message
    assert os.fspath(home / "m.glassnet") in message  # (the path to give instead)
    assert not (home / "m.glassnet").exists()


@pytest.mark.parametrize("read", [gio.load_model, gn.load, gio.load_arrays])
def test_reading_a_path_starting_with_a_tilde_says_nothing_replaced_it(home, read):
    gio.save_model(_net(), home / "m.glassnet")
    with pytest.raises(gio.ModelFileError, match="no such file") as info:
        read("~/m.glassnet")
    assert "'~' is not replaced by your home folder" in str(info.value)
    assert os.fspath(home / "m.glassnet") in str(info.value)


def test_a_folder_named_tilde_that_exists_is_used_as_it_is(home):
    os.mkdir("~")  # (a folder called '~' in the working directory: the path names it)
    gio.save_model(_net(), "~/m.glassnet")
    assert os.path.exists(os.path.join("~", "m.glassnet"))
    assert isinstance(gio.load_model("~/m.glassnet"), nn.MLP)
    with pytest.raises(gio.ModelFileError, match="no such file") as info:
        gio.load_model("~/other.glassnet")
    assert "home folder" not in str(info.value)


def test_onnx_export_and_load_of_a_path_starting_with_a_tilde_say_nothing_replaced_it(home):
    pytest.importorskip("onnx")
    pytest.importorskip("onnxruntime")
    from glassnet.onnx import export, load

    with pytest.raises(OSError, match="does not exist") as info:
        export(_net(), "~/m.onnx")
    assert "'~' is not replaced by your home folder" in str(info.value)
    assert os.fspath(home / "m.onnx") in str(info.value)
    export(_net(), home / "m.onnx")
    with pytest.raises(FileNotFoundError, match="no such ONNX file") as info:
        load("~/m.onnx")
    assert "'~' is not replaced by your home folder" in str(info.value)
    assert os.fspath(home / "m.onnx") in str(info.value)


# ----------------------------------------------------------------------------- PyTorch


@pytest.mark.parametrize("order", [5, 2.5, object()])
def test_load_torch_state_dict_refuses_an_order_that_is_no_list_naming_it(order):
    state = {
        "0.weight": np.ones((5, 4), np.float32),
        "0.bias": np.zeros(5, np.float32),
        "2.weight": np.ones((2, 5), np.float32),
        "2.bias": np.zeros(2, np.float32),
    }
    # (it raised Python's own "'int' object is not iterable")
    with pytest.raises(TypeError, match=r"'order' must be a list of the state_dict's layer") as e:
        gio.load_torch_state_dict(_net(), state, order=order)
    assert "'0', '2'" in str(e.value) and type(order).__name__ in str(e.value)


# ----------------------------------------------------------------------------- ONNX import


def _gemm_file(w_dtype, b_dtype, cast_to=None):
    """A one-layer ONNX file, float32 input X (4 features), Gemm (transB=1) to Y (3)."""
    onnx = pytest.importorskip("onnx")
    from onnx import TensorProto, helper, numpy_helper

    rng = np.random.default_rng(0)
    W = (rng.normal(size=(3, 4)) * 4).astype(w_dtype)
    b = (rng.normal(size=3) / 3).astype(b_dtype)
    nodes, x = [], "X"
    if cast_to is not None:
        nodes.append(helper.make_node("Cast", ["X"], ["Xc"], to=cast_to, name="cast"))
        x = "Xc"
    nodes.append(helper.make_node("Gemm", [x, "W", "b"], ["Y"], transB=1, name="dense"))
    out = TensorProto.FLOAT if cast_to is None else cast_to
    graph = helper.make_graph(
        nodes,
        "g",
        [helper.make_tensor_value_info("X", TensorProto.FLOAT, ["N", 4])],
        [helper.make_tensor_value_info("Y", out, ["N", 3])],
        initializer=[numpy_helper.from_array(W, "W"), numpy_helper.from_array(b, "b")],
    )
    return onnx.helper.make_model(graph, opset_imports=[helper.make_opsetid("", 19)]), W, b


@pytest.mark.parametrize(
    ("w_dtype", "b_dtype", "name", "found"),
    [
        (np.int64, np.float32, "'W'", "int64"),  # (it said "the layers mix float32 and float64")
        (np.float64, np.float64, "'W'", "float64"),  # (it loaded a float64 network)
        (np.float32, np.float64, "'b'", "float64"),  # (the bias was rounded to float32)
    ],
)
def test_onnx_load_refuses_weights_of_another_type_than_the_data(w_dtype, b_dtype, name, found):
    pytest.importorskip("onnxruntime")
    from glassnet.onnx import OnnxError, load

    proto, _, _ = _gemm_file(w_dtype, b_dtype)
    with pytest.raises(OnnxError, match=r"node 'dense' \(Gemm\)") as info:
        load(proto)
    message = str(info.value)
    assert f"{name} is {found}, but the data it takes is float32" in message
    assert "onnxruntime refuses this file too" in message


def test_onnx_load_refuses_a_matmul_add_bias_of_another_type():
    onnx = pytest.importorskip("onnx")
    from onnx import TensorProto, helper, numpy_helper

    from glassnet.onnx import OnnxError, load

    W = np.ones((4, 3), np.float32)
    graph = helper.make_graph(
        [
            helper.make_node("MatMul", ["X", "W"], ["Z"], name="mm"),
            helper.make_node("Add", ["b", "Z"], ["Y"], name="bias"),
        ],
        "g",
        [helper.make_tensor_value_info("X", TensorProto.FLOAT, ["N", 4])],
        [helper.make_tensor_value_info("Y", TensorProto.FLOAT, ["N", 3])],
        initializer=[
            numpy_helper.from_array(W, "W"),
            numpy_helper.from_array(np.full(3, 0.1, np.float64), "b"),
        ],
    )
    proto = onnx.helper.make_model(graph, opset_imports=[helper.make_opsetid("", 19)])
    with pytest.raises(OnnxError, match=r"node 'bias' \(Add\): its bias 'b' is float64, but"):
        load(proto)


def test_onnx_load_takes_the_weights_of_the_type_a_cast_makes():
    ort = pytest.importorskip("onnxruntime")
    from onnx import TensorProto

    from glassnet.onnx import load

    proto, _, _ = _gemm_file(np.float64, np.float64, cast_to=TensorProto.DOUBLE)
    net = load(proto)
    assert net.layers[0].W.data.dtype == np.float64
    X = np.random.default_rng(1).normal(size=(6, 4)).astype(np.float32)
    sess = ort.InferenceSession(proto.SerializeToString(), providers=["CPUExecutionProvider"])
    (expected,) = sess.run(None, {"X": X})
    np.testing.assert_allclose(net.predict(X.astype(np.float64)), expected, rtol=1e-12, atol=0)


# ----------------------------------------------------------------------------- estimators


@pytest.mark.filterwarnings("ignore")
@pytest.mark.parametrize("save", ["save_model", "gn.save"])
def test_saving_a_scikit_learn_estimator_says_how_to_keep_it(tmp_path, save):
    pytest.importorskip("sklearn")
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    from glassnet.sklearn import MLPClassifier

    write = (lambda obj, p: gio.save_model(obj, p)) if save == "save_model" else gn.save
    X = np.random.default_rng(0).normal(size=(20, 2))
    fitted = MLPClassifier(hidden_layer_sizes=(3,), max_iter=5, random_state=0).fit(
        X, np.arange(20) % 2
    )
    # (it said "for plain arrays use save_arrays", or nothing of what to do)
    with pytest.raises(TypeError, match=r"MLPClassifier \(a fitted scikit-learn estimator\)") as e:
        write(fitted, tmp_path / "m.glassnet")
    assert f"{save}(est.model_, path)" in str(e.value)
    assert "glassnet.onnx.export(est, 'model.onnx')" in str(e.value)
    assert "joblib.dump" in str(e.value)
    for other in (MLPClassifier(), make_pipeline(StandardScaler(), MLPClassifier())):
        with pytest.raises(TypeError, match=r"a scikit-learn estimator, not a network") as e:
            write(other, tmp_path / "m.glassnet")
        assert "joblib.dump" in str(e.value)
    assert not (tmp_path / "m.glassnet").exists()
    write(fitted.model_, tmp_path / "m.glassnet")  # (the network, as the message says)
    np.testing.assert_array_equal(
        gn.load(tmp_path / "m.glassnet").predict(X), fitted.model_.predict(X)
    )


# ----------------------------------------------------------------------------- readers


def test_load_checkpoint_of_a_model_file_points_to_load_model(tmp_path):
    gio.save_model(_net(), tmp_path / "m.glassnet")
    # (it said "read it with load_arrays", which gives the arrays, not the model)
    with pytest.raises(
        gio.ModelFileError, match=r"model file, not a checkpoint: read it with load_model"
    ):
        gio.load_checkpoint(tmp_path / "m.glassnet")
    gio.save_arrays(tmp_path / "a.glassnet", {"a": np.zeros(2)})
    with pytest.raises(
        gio.ModelFileError, match=r"arrays file, not a checkpoint: read it with load_arrays"
    ):
        gio.load_checkpoint(tmp_path / "a.glassnet")


@pytest.mark.parametrize("key", [1.5, ("a", 1), None])  # (an int key is kept: round 16)
def test_gn_save_names_a_key_that_is_no_str(tmp_path, key):
    # (it said "1 holds numpy.ndarray", as if the array were wrong)
    with pytest.raises(TypeError, match=r"the key .* is a \w+, not a str") as info:
        gn.save({key: np.ones(2)}, tmp_path / "sd.glassnet")
    assert "holds numpy.ndarray" not in str(info.value)
    assert not (tmp_path / "sd.glassnet").exists()


# ----------------------------------------------------------------------------- ONNX export


@pytest.mark.parametrize(
    "layer", [nn.GELU(), nn.ELU(), nn.SiLU(), nn.Softplus(), nn.BatchNorm1d(5), nn.LayerNorm(5)]
)
def test_onnx_export_of_a_layer_it_cannot_write_names_it_and_what_it_writes(tmp_path, layer):
    pytest.importorskip("onnx")
    pytest.importorskip("onnxruntime")
    from glassnet.onnx import export

    model = nn.Sequential(nn.Linear(4, 5), layer, nn.Linear(5, 2)).eval()
    # (it said "The model holds a GELU." and nothing of what export takes)
    with pytest.raises(TypeError, match=rf"The model holds an? {type(layer).__name__}\.") as e:
        export(model, tmp_path / "m.onnx")
    assert "glassnet exports nn.Linear layers, the activations ReLU, LeakyReLU" in str(e.value)
    assert "glassnet.io.save_model" in str(e.value)
    assert not (tmp_path / "m.onnx").exists()


def test_onnx_load_of_a_path_with_nul_or_a_broken_link_says_what_it_is(tmp_path):
    pytest.importorskip("onnx")
    from glassnet.onnx import OnnxError, load

    # (both said "no such ONNX file", the NUL printed as nothing visible)
    with pytest.raises(OnnxError, match=r"a path cannot hold a NUL character"):
        load(str(tmp_path / "a\0b.onnx"))
    os.symlink(tmp_path / "loop2", tmp_path / "loop1")
    os.symlink(tmp_path / "loop1", tmp_path / "loop2")
    with pytest.raises(FileNotFoundError, match=r"is a symbolic link to .*loop2', which leads"):
        load(tmp_path / "loop1")
    os.symlink(tmp_path / "gone.onnx", tmp_path / "dangling.onnx")
    with pytest.raises(FileNotFoundError, match=r"symbolic link to .*gone.onnx'.*a missing file"):
        load(tmp_path / "dangling.onnx")
    with pytest.raises(FileNotFoundError, match=r"no such ONNX file"):
        load(tmp_path / "absent.onnx")


def test_load_torch_state_dict_of_a_glassnet_model_file_points_to_its_readers(tmp_path):
    net = _net()
    gio.save_model(net, tmp_path / "m.glassnet")
    # (it said the state_dict "also holds ['layers.0.W', ...] (another kind of layer?)")
    with pytest.raises(gio.ModelFileError, match=r"is a glassnet model file .*load_model\(path\)"):
        gio.load_torch_state_dict(_net(), tmp_path / "m.glassnet")
    gio.save_checkpoint(tmp_path / "c.glassnet", net.state_dict(), {})
    with pytest.raises(
        gio.ModelFileError, match=r"is a glassnet checkpoint file .*load_checkpoint"
    ):
        gio.load_torch_state_dict(_net(), tmp_path / "c.glassnet")
    # a glassnet file of arrays holding a PyTorch state_dict still loads
    state = {
        "0.weight": np.ones((5, 4), np.float32),
        "0.bias": np.zeros(5, np.float32),
        "2.weight": np.ones((2, 5), np.float32),
        "2.bias": np.zeros(2, np.float32),
    }
    gn.save(state, tmp_path / "sd.glassnet")
    loaded = gio.load_torch_state_dict(_net(), tmp_path / "sd.glassnet")
    np.testing.assert_array_equal(loaded.predict(np.ones((1, 4), np.float32)), [[20.0, 20.0]])


# ----------------------------------------------------------------------------- hostile files


def _hostile_model_file(path, config):
    """A file of one small array whose (checksummed) description asks for ``config``."""
    import safetensors.numpy as st

    description = {"config": config, "meta": {}}
    gio._save(path, st, {"x": np.zeros(1, np.float32)}, description, kind="model")
    return path


@pytest.mark.parametrize(
    ("config", "asked"),
    [
        ({"type": "BatchNorm1d", "num_features": 50_000_000}, 50_000_000),
        (
            {"type": "Sequential", "layers": [{"type": "BatchNorm1d", "num_features": 10**12}]},
            10**12,
        ),
        ({"type": "LayerNorm", "normalized_shape": [100_000, 100_000]}, 10**10),
        ({"type": "LayerNorm", "normalized_shape": 50_000_000}, 50_000_000),
    ],
)
def test_a_normalization_layer_too_large_for_the_file_is_refused_before_it_is_built(
    tmp_path, monkeypatch, config, asked
):
    # (a 372-byte file built a BatchNorm1d of 50 million features, 800 MB and 8 s, before
    # its arrays were found missing; 10**12 features asked for terabytes)
    import glassnet.nn as gnn

    def never(*args, **kwargs):
        raise AssertionError("the model was built")

    path = _hostile_model_file(tmp_path / "bomb.glassnet", config)
    monkeypatch.setattr(gnn, "from_config", never)
    with pytest.raises(gio.ModelFileError, match=rf"asks for at least {asked} weights but the"):
        gio.load_model(path)
    with pytest.raises(gio.ModelFileError, match=rf"asks for at least {asked} weights"):
        gn.load(path)


def test_normalization_layers_of_honest_files_still_load(tmp_path):
    for norm in (
        nn.BatchNorm1d(5),
        nn.BatchNorm1d(5, affine=False),
        nn.BatchNorm1d(5, track_running_stats=False),
        nn.BatchNorm1d(5, affine=False, track_running_stats=False),
        nn.LayerNorm(5),
        nn.LayerNorm(5, elementwise_affine=False),
    ):
        model = nn.Sequential(nn.Linear(4, 5), norm, nn.Linear(5, 2)).eval()
        gio.save_model(model, tmp_path / "m.glassnet")
        same = gio.load_model(tmp_path / "m.glassnet").eval()
        X = np.random.default_rng(0).normal(size=(6, 4)).astype(np.float32)
        np.testing.assert_array_equal(same(gn.Tensor(X)).data, model(gn.Tensor(X)).data)


def test_onnx_export_of_a_pytorch_model_points_to_torch_onnx_export():
    pytest.importorskip("onnx")
    torch = pytest.importorskip("torch")
    from glassnet.onnx import export

    # (it said only that a glassnet network was expected)
    with pytest.raises(TypeError, match=r"Got torch\..*Linear\. A PyTorch model exports with") as e:
        export(torch.nn.Linear(2, 2))
    assert "torch.onnx.export(model, x, 'model.onnx')" in str(e.value)
    assert "glassnet.io.load_torch_state_dict(net, model.state_dict())" in str(e.value)


# ----------------------------------------------------------------------------- train models


def _train_model(tmp_path):
    """A 'glassnet train' model file (a number and a text column, a yes/no target)."""
    from glassnet.cli import main

    rng = np.random.default_rng(0)
    lines = ["a,c,y"] + [
        f"{v:.3f},{rng.choice(['x', 'z'])},{'yes' if v > 0 else 'no'}" for v in rng.normal(size=40)
    ]
    (tmp_path / "d.csv").write_text("\n".join(lines) + "\n")
    model = tmp_path / "m.glassnet"
    argv = ["train", str(tmp_path / "d.csv"), "--target", "y", "--epochs", "1", "-q"]
    assert main([*argv, "--out", str(model)]) == 0
    return model


@pytest.mark.parametrize("how", ["save_model", "gn.save"])
def test_a_train_model_loaded_saves_back_as_the_same_train_model(tmp_path, how):
    path = _train_model(tmp_path)
    pipe = gio.load_model(path) if how == "save_model" else gn.load(path)
    assert isinstance(pipe, gio.Pipeline)
    copy = tmp_path / "copy.glassnet"
    # (it raised "'model' must be a glassnet.nn.Module, got Pipeline; for plain arrays use
    # save_arrays": a file load_model read could not be saved again)
    if how == "save_model":
        gio.save_model(pipe, copy)
    else:
        gn.save(pipe, copy)
    again = gio.load_model(copy)
    assert isinstance(again, gio.Pipeline)
    assert again.meta == pipe.meta and gio.file_kind(copy) == "model"
    rows = {"a": [0.5, -1.0, 2.0], "c": ["x", "z", "x"]}
    np.testing.assert_array_equal(again.predict(rows), pipe.predict(rows))
    np.testing.assert_array_equal(again.predict_proba(rows), pipe.predict_proba(rows))
    with pytest.raises(TypeError, match=r"a Pipeline .* is saved with its own description"):
        gio.save_model(pipe, tmp_path / "other.glassnet", meta={"note": 1})
    assert not (tmp_path / "other.glassnet").exists()


def test_onnx_export_of_a_loaded_train_model_says_to_export_its_file(tmp_path):
    pytest.importorskip("onnx")
    pytest.importorskip("onnxruntime")
    from glassnet.onnx import export

    path = _train_model(tmp_path)
    pipe = gio.load_model(path)
    # (it said only "must be a glassnet network ... Got glassnet.io.Pipeline.")
    with pytest.raises(TypeError, match=r"Got glassnet\.io\.Pipeline\. A Pipeline") as e:
        export(pipe, tmp_path / "m.onnx")
    assert "export('model.glassnet', 'model.onnx')" in str(e.value)
    assert "export(pipeline.network)" in str(e.value)
    export(pipe.network)  # (as the message says)
    export(path, tmp_path / "m.onnx")


# ----------------------------------------------------------------------------- arguments


def test_swapped_arguments_are_named_as_such(tmp_path):
    net, path = _net(), tmp_path / "m.glassnet"
    # (each said what the first argument must be, not that the two were swapped)
    with pytest.raises(TypeError, match=r"save_model\(model, path\): the model comes first"):
        gio.save_model(path, net)
    with pytest.raises(TypeError, match=r"save_arrays\(path, arrays\): the path comes first"):
        gio.save_arrays({"a": np.zeros(2)}, path)
    with pytest.raises(TypeError, match=r"save_checkpoint\(path, model_state, optimizer_st"):
        gio.save_checkpoint(net.state_dict(), path, {})
    gio.save_model(net, path)
    with pytest.raises(TypeError, match=r"load_weights\(module, path\): the module comes first"):
        gio.load_weights(path, _net())


@pytest.mark.parametrize("value", ["yes", "no", None, 1])
def test_replace_any_and_network_only_take_bools_only(tmp_path, value):
    net, path = _net(), tmp_path / "m.glassnet"
    # ('no' replaced a CSV file, as any truthy value did; network_only='no' gave the network)
    (tmp_path / "d.csv").write_text("a,b\n1,2\n")
    for write in (
        lambda: gio.save_model(net, tmp_path / "d.csv", replace_any=value),
        lambda: gio.save_arrays(tmp_path / "d.csv", {"a": np.zeros(1)}, replace_any=value),
        lambda: gio.save_checkpoint(tmp_path / "d.csv", net.state_dict(), {}, replace_any=value),
    ):
        with pytest.raises(TypeError, match=r"'replace_any' parameter of save_\w+ must be a bool"):
            write()
    assert (tmp_path / "d.csv").read_text() == "a,b\n1,2\n"
    gio.save_model(net, path)
    with pytest.raises(TypeError, match=r"'network_only' parameter of load_model must be a bool"):
        gio.load_model(path, network_only=value)
    with pytest.raises(TypeError, match=r"'expect_format' parameter of load_arrays must be a"):
        gio.load_arrays(path, expect_format=value)


# ----------------------------------------------------------------------------- damaged files


@pytest.mark.parametrize("kind", ["model", "checkpoint"])
def test_a_damaged_format_marker_is_a_corrupt_file_not_another_writers(tmp_path, kind):
    net, path = _net(), tmp_path / "m.glassnet"
    if kind == "model":
        gio.save_model(net, path)
    else:
        gio.save_checkpoint(path, net.state_dict(), {"lr": 0.1})
    data = path.read_bytes()
    at = data.index(b'"format":"glassnet"')
    damaged = 0
    for i in range(at + 1, at + len(b'"format":"glassnet"') - 1):
        if data[i : i + 1] in b'":':
            continue
        flipped = bytearray(data)
        flipped[i] ^= 0x01  # (the key 'format' or its value 'glassnet', one bit)
        path.write_bytes(bytes(flipped))
        # (gn.load gave the arrays of a model file as a dict, the checksum unchecked: the file
        # read as another writer's safetensors file)
        for read in (gn.load, gio.load_file, lambda p: gio.load_arrays(p, expect_format=False)):
            with pytest.raises(gio.ModelFileError, match=r"the header of a glassnet file is dama"):
                read(path)
        damaged += 1
    assert damaged == 14


def test_safetensors_files_of_other_writers_still_read(tmp_path):
    from safetensors.numpy import save_file

    a = np.arange(6, dtype=np.float32).reshape(2, 3)
    for metadata in (None, {"format": "pt"}, {"format": "np", "sha256": "x", "kind": "y"}):
        save_file({"a": a}, str(tmp_path / "f.safetensors"), metadata=metadata)
        np.testing.assert_array_equal(gn.load(tmp_path / "f.safetensors")["a"], a)


def test_onnx_export_refuses_a_doc_that_utf8_cannot_hold_naming_it(tmp_path):
    pytest.importorskip("onnx")
    from glassnet.onnx import export

    # (protobuf's UnicodeEncodeError came out of the serialization)
    with pytest.raises(ValueError, match=r"'doc' cannot be written as UTF-8.*'\\ud800' at char"):
        export(_net(), tmp_path / "m.onnx", doc="data \ud800.csv")
    assert not (tmp_path / "m.onnx").exists()
    proto = export(_net(), doc="data é.csv")
    assert proto.doc_string.startswith("data é.csv")


def test_onnx_export_of_big_endian_weights_names_the_byte_order():
    pytest.importorskip("onnx")
    from glassnet.onnx import OnnxError, export

    net = _net()
    net.layers[0].W.data = net.layers[0].W.data.astype(">f4")  # (from a big-endian file)
    # (it said "weights must be float32 or float64. Got >f4.")
    with pytest.raises(OnnxError, match=r"layer 1's weights are float32 in big-endian byte orde"):
        export(net)


def test_an_open_file_given_for_a_path_is_told_to_pass_the_path(tmp_path):
    import io as pyio

    gio.save_model(_net(), tmp_path / "m.glassnet")
    # (each said only what the path must be)
    with open(tmp_path / "m.glassnet", "rb") as f:
        for read in (gio.load_model, gn.load):
            with pytest.raises(TypeError, match=r"an open file: pass the file's path instead"):
                read(f)
    with pytest.raises(TypeError, match=r"an open file: pass the file's path instead"):
        gio.save_model(_net(), pyio.BytesIO())
    pytest.importorskip("onnx")
    from glassnet.onnx import export, load

    export(_net(), tmp_path / "m.onnx")
    with open(tmp_path / "m.onnx", "rb") as f:
        with pytest.raises(TypeError, match=r"an open file: pass its path, or its bytes, f\.read"):
            load(f)
        f.seek(0)
        assert isinstance(load(f.read()), nn.MLP)  # (as the message says)


@pytest.mark.parametrize(
    ("compress", "name"),
    [("gzip", "gzip"), ("bz2", "bzip2"), ("lzma", "xz")],
)
def test_a_compressed_model_file_is_named_as_such(tmp_path, compress, name):
    import importlib

    gio.save_model(_net(), tmp_path / "m.glassnet")
    packed = importlib.import_module(compress).compress((tmp_path / "m.glassnet").read_bytes())
    (tmp_path / "m.glassnet.z").write_bytes(packed)
    # (it said "the file is corrupt or not a safetensors file", nothing of what it is)
    with pytest.raises(gio.ModelFileError, match=rf"it looks like a {name}-compressed file"):
        gio.load_model(tmp_path / "m.glassnet.z")


def test_a_utf16_text_file_is_named_as_text(tmp_path):
    (tmp_path / "d.csv").write_bytes("x,y\n1,2\n3,4\n".encode("utf-16"))
    with pytest.raises(gio.ModelFileError, match=r"it looks like a UTF-16 text file"):
        gio.load_model(tmp_path / "d.csv")


def test_onnx_export_of_weights_that_overflow_says_so_and_verify_false_writes_it(tmp_path):
    ort = pytest.importorskip("onnxruntime")
    from glassnet.onnx import OnnxError, export

    net = _net()
    net.layers[0].W.data *= np.float32(1e37)  # (finite weights whose outputs overflow float32)
    net.layers[2].W.data *= np.float32(1e10)
    # (MLP.predict's "Scale the features" ValueError came out of export, verify=False too)
    with pytest.raises(OnnxError, match=r"glassnet refused its own outputs for them: MLP\.pre"):
        export(net, tmp_path / "m.onnx")
    assert not (tmp_path / "m.onnx").exists()
    export(net, tmp_path / "m.onnx", verify=False)
    sess = ort.InferenceSession(str(tmp_path / "m.onnx"), providers=["CPUExecutionProvider"])
    X = np.full((1, 4), 1e-40, np.float32)
    np.testing.assert_allclose(sess.run(None, {"X": X})[0], net.predict(X), rtol=1e-5)


def test_loading_a_gn_save_state_dict_as_a_model_says_how_to_load_it(tmp_path):
    net = _net()
    gn.save(net.state_dict(), tmp_path / "sd.glassnet")
    # (it said only "read it with load_arrays", which gives the arrays, not the model)
    for read in (gio.load_model, gio.load_checkpoint, gio.load_pipeline):
        with pytest.raises(gio.ModelFileError, match=r"gn\.save wrote it from a state dict") as e:
            read(tmp_path / "sd.glassnet")
        assert "model.load_state_dict(gn.load(path))" in str(e.value)
    gn.save(gn.Tensor(np.ones(2)), tmp_path / "t.glassnet")
    with pytest.raises(gio.ModelFileError, match=r"gn\.load\(path\) gives the Tensor"):
        gio.load_model(tmp_path / "t.glassnet")
    gio.save_arrays(tmp_path / "a.glassnet", {"a": np.zeros(2)})
    with pytest.raises(gio.ModelFileError, match=r"not a model file: read it with load_arrays$"):
        gio.load_model(tmp_path / "a.glassnet")


@pytest.mark.parametrize("how", ["save_model", "gn.save"])
def test_a_pipeline_whose_network_no_longer_fits_is_refused_when_saved(tmp_path, how):
    """A loaded train model with another network put in was saved, then refused by
    load_model ('the preprocessing makes 3 inputs; the network takes 2')."""
    pipe = gio.load_model(_train_model(tmp_path))
    pipe.network = nn.MLP([2, 2, 1])
    bad = tmp_path / "bad.glassnet"
    with pytest.raises(ValueError, match=r"pipeline.network and pipeline.meta no longer fit"):
        gio.save_model(pipe, bad) if how == "save_model" else gn.save(pipe, bad)
    assert not bad.exists()


def test_a_truncated_model_file_is_not_taken_for_another_format(tmp_path):
    """A safetensors length whose low bytes are gzip's or UTF-16's magic: the file is a
    damaged model file (its header starts '{'), not a compressed or UTF-16 one."""
    for length in (0x8B1F, 0xFEFF, 0x1FFFE):
        path = tmp_path / f"cut{length}.glassnet"
        head = b'{"__metadata__":{"format":"glassnet"' + b" " * 1000
        path.write_bytes(length.to_bytes(8, "little") + head)
        with pytest.raises(gio.ModelFileError) as e:
            gio.load_model(path)
        assert "truncated or corrupt" in str(e.value)
        assert "compressed" not in str(e.value) and "UTF-16" not in str(e.value)
