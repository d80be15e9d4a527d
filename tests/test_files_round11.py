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
