"""Model-file writers' refusals name what is in the way and what to pass."""

import numpy as np
import pytest

pytest.importorskip("safetensors")

import glassnet as gn  # noqa: E402


def test_an_onnx_file_in_the_way_is_named_as_one(tmp_path):
    """save_model and gn.save over an ONNX export call it one (they called it data of
    yours: a CSV file, a NumPy file); a CSV file keeps that wording."""
    pytest.importorskip("onnx")
    import glassnet.onnx as gonnx

    model = gn.nn.Sequential(gn.nn.Linear(2, 1))
    path = tmp_path / "m.onnx"
    gonnx.export(model, path)
    before = path.read_bytes()
    for save in (lambda: gn.io.save_model(model, path), lambda: gn.save(model.state_dict(), path)):
        with pytest.raises(gn.io.ModelWriteError, match="an ONNX model, as glassnet.onnx.export"):
            save()
    assert path.read_bytes() == before
    csv = tmp_path / "d.csv"
    csv.write_text("a,b\n1,2\n")
    with pytest.raises(gn.io.ModelWriteError, match="data of yours: a CSV file"):
        gn.save(model.state_dict(), csv)


def test_a_tensor_in_a_checkpoints_optimizer_state_says_to_pass_its_values(tmp_path):
    model = gn.nn.Sequential(gn.nn.Linear(2, 1))
    state = {"param_groups": [{"lr": 0.1, "ema": gn.tensor([1.0, 2.0])}]}
    with pytest.raises(TypeError, match=r"is a Tensor.*x\.numpy\(\)"):
        gn.io.save_checkpoint(tmp_path / "c.ckpt", model.state_dict(), state)
    state["param_groups"][0]["ema"] = np.array([1.0, 2.0])  # (the way the message gives)
    gn.io.save_checkpoint(tmp_path / "c.ckpt", model.state_dict(), state)
    ema = gn.io.load_checkpoint(tmp_path / "c.ckpt")[1]["param_groups"][0]["ema"]
    np.testing.assert_array_equal(ema, [1.0, 2.0])
