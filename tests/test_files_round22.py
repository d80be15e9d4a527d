"""Round 22 (files): a model file's preprocessing and label metadata, its tensors and its
values are checked as strictly as the rest of the file."""

from __future__ import annotations

import copy
import json

import numpy as np
import pandas as pd
import pytest
import safetensors.numpy as stn

import glassnet as gn
from glassnet import io
from glassnet.io import ModelFileError

X = pd.DataFrame({"a": [0.1, 0.2, -1.0], "b": [1.0, 2.0, 0.5], "c": ["red", "blue", "red"]})
LABELS = {"type": "LabelEncoder", "label_type": "str", "classes": ["cat", "dog", "eel"]}
SCALER = {"type": "StandardScaler", "mean": [0.5], "scale": [2.0]}


def _meta(task: str = "regression", labels: dict | None = None, scaler: dict | None = None):
    """A ``glassnet train`` description (columns a, b numeric, c text; target t)."""
    n_out = 3 if task == "multiclass" else 1
    return {
        "format": "glassnet-cli-model",
        "format_version": 1,
        "task": {"name": task, "n_outputs": n_out},
        "target": {"names": ["t"], "labels": labels, "scaler": scaler},
        "preprocessing": {
            "preprocessor": {
                "type": "Preprocessor",
                "columns": ["a", "b", "c"],
                "kinds": ["numeric", "numeric", "categorical"],
                "scaler": {"type": "StandardScaler", "mean": [0.0, 0.2], "scale": [1.0, 0.9]},
                "encoder": {
                    "type": "OneHotEncoder",
                    "names": ["c"],
                    "categories": [["blue", "red"]],
                },
            }
        },
    }


def _regression(tmp_path, edit=None, dtype=np.float32):
    meta = _meta(scaler=copy.deepcopy(SCALER))
    if edit:
        edit(meta)
    path = tmp_path / "r.glassnet"
    io.save_model(gn.nn.MLP([4, 3, 1], dtype=dtype), path, meta=meta)
    return path


def _classes(tmp_path, label_type, classes):
    meta = _meta("multiclass", {**LABELS, "label_type": label_type, "classes": classes})
    path = tmp_path / "c.glassnet"
    io.save_model(gn.nn.MLP([4, 3, 3], output_activation="softmax"), path, meta=meta)
    return path


def test_honest_descriptions_load_and_predict(tmp_path):
    assert io.load_pipeline(_regression(tmp_path)).predict(X).shape == (3,)
    p = io.load_pipeline(_classes(tmp_path, "str", ["cat", "dog", "eel"]))
    assert set(p.predict(X)) <= {"cat", "dog", "eel"}
    p = io.load_pipeline(_classes(tmp_path, "int", ["2", "7", "18446744073709551615"]))
    assert p.labels.classes_.tolist() == [2, 7, 2**64 - 1]
    p = io.load_pipeline(_classes(tmp_path, "float", ["0.1", "1.5", "1e+300"]))
    assert p.labels.classes_.tolist() == [0.1, 1.5, 1e300]


# ---------------------------------------------------------------- 1) repeated columns


def test_a_column_listed_twice_is_refused_naming_the_file_and_field(tmp_path):
    def edit(m):
        m["preprocessing"]["preprocessor"]["columns"] = ["a", "a", "c"]

    path = _regression(tmp_path, edit)
    says = r"r\.glassnet.*preprocessing\.preprocessor.*'columns' repeats \['a'\]"
    with pytest.raises(ModelFileError, match=says):
        io.load_pipeline(path)


@pytest.mark.parametrize("where", ["columns", "names", "categories"])
def test_a_column_name_or_category_that_is_not_text_is_refused(tmp_path, where):
    def edit(m):
        pre = m["preprocessing"]["preprocessor"]
        if where == "columns":
            pre["columns"] = ["a", 1, "c"]
        elif where == "names":
            pre["encoder"]["names"] = [["c"]]
        else:
            pre["encoder"]["categories"] = [[1, 2]]

    with pytest.raises(ModelFileError, match=rf"'{where}' must be a list of str.*Got"):
        io.load_pipeline(_regression(tmp_path, edit))


# ---------------------------------------------------------------- 2) scaler numbers


@pytest.mark.parametrize(
    ("part", "key", "value", "says"),
    [
        ("target", "scale", ["2.2181476865139294"], r"'scale'.*Item 0 is '2\.218.*a str, not"),
        ("target", "mean", [True], r"'mean'.*Item 0 is True: a bool, not a number"),
        ("target", "mean", [None], r"'mean'.*Item 0 is None: a NoneType"),
        ("target", "mean", [10**400], r"'mean'.*not finite"),
        ("input", "mean", [0.0, "0.2"], r"'mean'.*Item 1 is '0\.2'"),
        ("input", "scale", [1.0, False], r"'scale'.*Item 1 is False"),
    ],
)
def test_scaler_numbers_must_be_json_numbers(tmp_path, part, key, value, says):
    def edit(m):
        if part == "target":
            m["target"]["scaler"][key] = value
        else:
            m["preprocessing"]["preprocessor"]["scaler"][key] = value

    field = "target.scaler" if part == "target" else "preprocessing.preprocessor"
    with pytest.raises(ModelFileError, match=rf"r\.glassnet.*{field}.*{says}"):
        io.load_pipeline(_regression(tmp_path, edit))


# ---------------------------------------------------------------- 3) class labels


@pytest.mark.parametrize(
    ("label_type", "classes", "bad"),
    [
        ("int", [1.9, 2.5, "3"], "1.9"),
        ("int", ["1", "2", "3.0"], "'3.0'"),
        ("int", ["1", "2", True], "True"),
        ("float", ["NaN", "nan", "1.0"], "'NaN'"),
        ("float", ["nan", "inf", "1.0"], "'nan'"),
        ("float", ["1.0", "2.0", "3"], "'3'"),
        ("str", [True, False, None], "True"),
        ("str", ["cat", "dog", None], "None"),
        ("str", ["cat", "dog", ["x"]], r"\['x'\]"),
        ("str", ["cat", "dog", 3], "3"),
        ("bool", ["True", "False", 1], "1"),
    ],
)
def test_class_labels_must_be_exactly_of_their_type(tmp_path, label_type, classes, bad):
    path = _classes(tmp_path, label_type, classes)
    with pytest.raises(ModelFileError, match=rf"c\.glassnet.*target\.labels.*'classes'.*{bad} \("):
        io.load_pipeline(path)


def test_label_encoder_round_trips_every_label_type():
    from glassnet.preprocessing import LabelEncoder

    for y in (
        np.array([1.5, 2.25, -0.0, 1e300, 1e-300]),
        np.array([2**63 + 5, 3], dtype=np.uint64),
        np.array([-(2**63), 4, 2**62]),
        np.array(["a", "b", ""]),
        np.array([True, False]),
    ):
        enc = LabelEncoder().fit(y)
        back = LabelEncoder.from_dict(json.loads(json.dumps(enc.to_dict())))
        assert back.classes_.tolist() == enc.classes_.tolist()
        assert back.classes_.dtype == enc.classes_.dtype


# ---------------------------------------------------------------- 5) tensors checked first

MLP_CONFIG = {"type": "MLP", "sizes": [3, 4, 2], "activation": ["relu"], "dtype": "float32"}


def _sparse_bomb(path, extra="layers.9.W", shape=(2**28,), kind="model", prefix=""):
    """A [3, 4, 2] MLP file plus one tensor the config does not use (or one of its own of
    another shape), declared as 1 GiB and left sparse (truncate): a few KiB on disk."""
    arrays = gn.nn.MLP([3, 4, 2]).state_dict()
    arrays = {prefix + k: np.float32(v) for k, v in arrays.items()}
    arrays = {k: v for k, v in arrays.items() if k != extra}  # (extra: last)
    entries, blobs, off = {}, [], 0
    for name, a in arrays.items():
        b = a.tobytes()
        place = [off, off + len(b)]
        entries[name] = {"dtype": "F32", "shape": list(a.shape), "data_offsets": place}
        off, _ = off + len(b), blobs.append(b)
    size = 4 * int(np.prod(shape))
    entries[extra] = {"dtype": "F32", "shape": list(shape), "data_offsets": [off, off + size]}
    desc = {"config": MLP_CONFIG, "meta": {}} if kind == "model" else {"meta": {}, "optimizer": {}}
    md = {"format": "glassnet", "format_version": "1", "kind": kind, "sha256": "0" * 64,
          "order": json.dumps(list(entries)), "glassnet": json.dumps(desc)}  # fmt: skip
    head = json.dumps({"__metadata__": md, **entries}).encode()
    head += b" " * (-len(head) % 8)
    with open(path, "wb") as f:
        f.write(len(head).to_bytes(8, "little"))
        f.write(head)
        f.writelines(blobs)
        f.truncate(8 + len(head) + off + size)
    return path


@pytest.fixture
def no_tensor_read(monkeypatch):
    """Fail a test that reads the tensors of a file refused by its header."""

    def read(*args, **kwargs):
        raise AssertionError("the tensors were read before the names were checked")

    monkeypatch.setattr(io, "_read_tensors", read)


def test_load_model_refuses_an_unused_tensor_before_reading_any(tmp_path, no_tensor_read):
    path = _sparse_bomb(tmp_path / "bomb.glassnet")
    with pytest.raises(ModelFileError, match=r"bomb\.glassnet.*unexpected 'layers\.9\.W'"):
        io.load_model(path)
    with pytest.raises(ModelFileError, match=r"bomb\.glassnet.*unexpected 'layers\.9\.W'"):
        io.load_file(path)
    with pytest.raises(ModelFileError, match=r"bomb\.glassnet.*unexpected 'layers\.9\.W'"):
        io.load_weights(gn.nn.MLP([3, 4, 2]), path)


@pytest.mark.parametrize(
    ("extra", "says"),
    [("junk", "neither 'model/' nor 'optim/'"), ("optim/unused", "belongs to no optimizer")],
)
def test_a_checkpoint_with_an_unused_tensor_is_refused_before_reading_any(
    tmp_path, no_tensor_read, extra, says
):
    path = _sparse_bomb(tmp_path / "ck.glassnet", extra, kind="checkpoint", prefix="model/")
    for load in (
        io.load_checkpoint,
        io.load_file,
        gn.load,
        lambda p: io.load_weights(gn.nn.MLP([3, 4, 2]), p),  # (it dropped 'junk' silently)
    ):
        with pytest.raises(ModelFileError, match=rf"ck\.glassnet.*{extra}.*{says}"):
            load(path)


def _same(a, b):
    """``a`` and ``b`` alike, arrays byte for byte, containers item by item."""
    if isinstance(a, np.ndarray):
        return isinstance(b, np.ndarray) and a.dtype == b.dtype and a.tobytes() == b.tobytes()
    if isinstance(a, dict):
        return isinstance(b, dict) and list(a) == list(b) and all(_same(a[k], b[k]) for k in a)
    if isinstance(a, (list, tuple)):
        return type(a) is type(b) and len(a) == len(b) and all(map(_same, a, b))
    return type(a) is type(b) and a == b


def test_honest_checkpoints_load_bit_identically_after_the_early_check(tmp_path):
    net = gn.nn.MLP([3, 4, 2])
    opt = gn.optim.Adam(net.parameters(), lr=0.01)
    out = net(gn.tensor(np.ones((2, 3), np.float32)))
    (out * out).sum().backward()
    opt.step()
    io.save_checkpoint(tmp_path / "c.glassnet", net.state_dict(), opt.state_dict(), meta={"e": 1})
    ck = io.load_checkpoint(tmp_path / "c.glassnet")
    assert ck.meta == {"e": 1} and _same(ck.optimizer_state, opt.state_dict())
    for back in (ck.model_state, gn.load(tmp_path / "c.glassnet")["model"]):
        assert all(back[k].tobytes() == v.tobytes() for k, v in net.state_dict().items())
    into = io.load_weights(gn.nn.MLP([3, 4, 2]), tmp_path / "c.glassnet")
    assert all(into.state_dict()[k].tobytes() == v.tobytes() for k, v in net.state_dict().items())


def test_load_model_refuses_a_wrong_shape_before_reading_any(tmp_path, no_tensor_read):
    path = _sparse_bomb(tmp_path / "w.glassnet", extra="layers.0.W", shape=(2**14, 2**14))
    with pytest.raises(ModelFileError, match=r"w\.glassnet.*'layers\.0\.W': expected shape"):
        io.load_model(path)


def test_honest_files_still_load_bit_identically_after_the_early_check(tmp_path):
    for dtype in (np.float32, np.float64):
        net = gn.nn.MLP([3, 5, 2], dtype=dtype).eval()
        path = tmp_path / f"m{np.dtype(dtype).name}.glassnet"
        io.save_model(net, path)
        for back in (io.load_model(path), io.load_file(path).value):
            for (n1, a), (n2, b) in zip(net.state_dict().items(), back.state_dict().items()):
                assert n1 == n2 and a.dtype == b.dtype and a.tobytes() == b.tobytes()
        into = io.load_weights(gn.nn.MLP([3, 5, 2], dtype=dtype), path)
        assert all(
            a.tobytes() == b.tobytes()
            for a, b in zip(net.state_dict().values(), into.state_dict().values())
        )


# ---------------------------------------------------------------- 6) gn.load's Tensors


def _object_file(path, array, requires_grad=False):
    """A file as gn.save writes one for {"x": Tensor}, its array replaced by ``array``."""
    arrays = {"optim/x": array}
    desc = {
        "glassnet.save": "object",
        "value": {"x": {"__tensor__": "optim/x"}},
        "tensors": [[["x"], requires_grad]],
    }
    md = {"format": "glassnet", "format_version": "1", "kind": "arrays",
          "order": json.dumps(list(arrays)), "glassnet": json.dumps(desc)}  # fmt: skip
    md["sha256"] = io._checksum(io._digests(arrays), md)
    stn.save_file(arrays, str(path), metadata=md)
    return path


@pytest.mark.parametrize(
    "array",
    [
        np.array([2**60 + 1, 3], np.int64),
        np.array([1, 2], np.uint8),
        np.array([True, False]),
        np.array([0.1, 2], np.float16),
    ],  # fmt: skip
    ids=["int64", "uint8", "bool", "float16"],
)
def test_gn_load_refuses_a_tensor_stored_in_another_dtype(tmp_path, array):
    path = _object_file(tmp_path / "rg.glassnet", array, requires_grad=True)
    with pytest.raises(ModelFileError, match=rf"rg\.glassnet.*\['x'\].*stored as {array.dtype}"):
        gn.load(path)


@pytest.mark.parametrize("array", [np.array([2**60 + 1]), np.array([1, 0], np.uint8)])
def test_gn_load_refuses_a_single_tensor_file_stored_in_another_dtype(tmp_path, array):
    path = tmp_path / "tint.glassnet"
    io.save_arrays(
        path, {"tensor": array}, meta={"glassnet.save": "tensor", "requires_grad": False}
    )
    with pytest.raises(ModelFileError, match=rf"tint\.glassnet.*Tensor is stored as {array.dtype}"):
        gn.load(path)
    for dtype in (np.float32, np.float64):  # (what gn.save(tensor) writes: back as it was)
        t = gn.tensor(np.array([0.1, 2**60 + 1], dtype), requires_grad=True)
        gn.save(t, tmp_path / "t.glassnet")
        back = gn.load(tmp_path / "t.glassnet")
        assert (
            back.dtype == dtype and back.requires_grad and back.data.tobytes() == t.data.tobytes()
        )


def test_gn_load_gives_back_float_tensors_as_saved(tmp_path):
    for dtype in (np.float32, np.float64):
        t = gn.tensor(np.array([0.1, 2**60 + 1], dtype), requires_grad=True)
        gn.save({"x": t}, tmp_path / "t.glassnet")
        back = gn.load(tmp_path / "t.glassnet")["x"]
        assert back.dtype == dtype and back.requires_grad
        assert back.data.tobytes() == t.data.tobytes()
    path = _object_file(tmp_path / "ok.glassnet", np.array([1.5, 2.5], np.float32))
    assert gn.load(path)["x"].data.tolist() == [1.5, 2.5]


# ---------------------------------------------------------------- 7) overflow, named


def _torch_state(bias):
    return {"0.weight": np.ones((4, 3), np.float32), "0.bias": bias,
            "2.weight": np.ones((2, 4), np.float32), "2.bias": np.zeros(2, np.float32)}  # fmt: skip


def test_a_finite_value_overflowing_float32_is_named_as_such_with_the_file(tmp_path):
    path = tmp_path / "t.safetensors"
    stn.save_file(_torch_state(np.array([0.0, 0.0, -1e300, 0.0])), str(path))
    says = r"'0\.bias' \(the model's 'layers\.0\.b'\) overflows float32 \(\|x\| > 3\.4e\+38\): "
    says += r"-1e\+300 at index \(2,\)"  # (the caller's key first)
    with pytest.raises(
        gn.nn.StateDictError, match=rf"^load_torch_state_dict\('.*t\.safetensors'\): {says}"
    ):
        io.load_torch_state_dict(gn.nn.MLP([3, 4, 2]), path)
    with pytest.raises(gn.nn.StateDictError, match=rf"^load_torch_state_dict: {says}"):
        io.load_torch_state_dict(gn.nn.MLP([3, 4, 2]), _torch_state(np.array([0, 0, -1e300, 0])))
    model = gn.nn.MLP([3, 4, 2])
    state = {k: np.asarray(v, np.float64) for k, v in model.state_dict().items()}
    state["layers.2.b"] = np.array([0.0, 1e39])
    with pytest.raises(
        gn.nn.StateDictError,
        match=r"MLP\.load_state_dict: 'layers\.2\.b' overflows float32.*1e\+39 at index \(1,\)",
    ):
        model.load_state_dict(state)


def test_a_torch_weight_overflowing_is_named_by_the_callers_key_and_its_transpose():
    state = _torch_state(np.zeros(4))
    state["2.weight"] = np.zeros((2, 4))
    state["2.weight"][0, 3] = 1e300  # (PyTorch's (out, in): the model's W[3, 0])
    says = r"'2\.weight' \(the model's 'layers\.2\.W', its \.T\) overflows float32.*\(3, 0\)"
    with pytest.raises(gn.nn.StateDictError, match=rf"^load_torch_state_dict: {says}"):
        io.load_torch_state_dict(gn.nn.MLP([3, 4, 2]), state)


def test_nan_is_still_called_so_and_a_mismatch_names_the_file(tmp_path):
    state = _torch_state(np.array([0.0, np.nan, 0.0, 0.0], np.float32))
    with pytest.raises(
        gn.nn.StateDictError,
        match=r"^load_torch_state_dict: '0\.bias' \(the model's 'layers\.0\.b'\) contains NaN",
    ):
        io.load_torch_state_dict(gn.nn.MLP([3, 4, 2]), state)
    path = tmp_path / "n.safetensors"
    stn.save_file(_torch_state(np.array([0.0, 1e38, 0.0, 0.0])), str(path))  # (fits float32)
    with pytest.raises(
        ValueError, match=r"^load_torch_state_dict\('.*n\.safetensors'\): layer '2'"
    ):
        io.load_torch_state_dict(gn.nn.MLP([3, 4, 3]), path)
    model = io.load_torch_state_dict(gn.nn.MLP([3, 4, 2]), path)
    assert model.state_dict()["layers.0.b"][1] == np.float32(1e38)


# ---------------------------------------------------------------- 4) a target scale too large


BIG_TARGETS = [[3e306 * v for v in range(-30, 30)], [1.7e308] * 85 + [-1.7e308] * 15]


@pytest.mark.parametrize("y", BIG_TARGETS)
def test_a_target_scale_that_a_fit_on_finite_targets_writes_loads_and_predicts(tmp_path, y):
    fitted = gn.preprocessing.StandardScaler().fit(np.array(y).reshape(-1, 1))
    assert np.all(np.isfinite(fitted.mean_)) and np.all(np.isfinite(fitted.scale_))

    def edit(m):
        m["target"]["scaler"] = fitted.to_dict()

    p = io.load_pipeline(_regression(tmp_path, edit))
    W, b = p.network.parameters()[-2:]
    W.data[...], b.data[...] = 0.0, 0.5  # (every output half a standard deviation)
    want = 0.5 * fitted.scale_[0] + fitted.mean_[0]
    assert np.isfinite(want) and p.predict(X).tolist() == [want] * 3


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_a_glassnet_train_model_of_targets_of_std_3e306_loads_and_predicts(tmp_path, capsys, dtype):
    from cli_helpers import run, write_csv

    r = np.random.RandomState(0)
    rows = [[a, b, (a + 0.5 * b) * 3e306] for a, b in r.randn(60, 2)]
    data = write_csv(tmp_path / "t.csv", ["a", "b", "y"], rows)
    out = tmp_path / "t.glassnet"
    argv = ["train", data, "--target", "y", "--task", "regression", "--epochs", "2", "-q"]
    assert run(capsys, *argv, "--dtype", dtype, "--out", out)[0] == 0
    assert run(capsys, "info", out)[0] == 0  # (refused as 'the file is corrupt')
    p = io.load_pipeline(out)
    got = p.predict(pd.DataFrame(rows[:3], columns=["a", "b", "y"]).drop(columns="y"))
    assert np.all(np.isfinite(got)) and p.target_scaler.scale_[0] > 1e306


def test_a_large_but_honest_target_scale_loads(tmp_path):
    def edit(m):
        m["target"]["scaler"].update(mean=[-3e303], scale=[1.5e304])

    p = io.load_pipeline(_regression(tmp_path, edit))
    assert np.all(np.isfinite(p.predict(X)))


def test_an_overflowing_prediction_names_the_row_and_its_standard_deviations(tmp_path):
    p = io.load_pipeline(_regression(tmp_path))
    W, b = p.network.parameters()[-2:]
    W.data[...], b.data[...] = 0.0, 5.0  # (every output 5)
    p.target_scaler.scale_ = np.array([1e308])  # (changed after the load's check)
    says = r"Pipeline\.predict: the network's output for row 0 of X is 5 standard deviations"
    with pytest.raises(ValueError, match=says + r".*far beyond the range of the training data"):
        p.predict(X)


class _Masked(gn.nn.Module):
    def __init__(self):
        super().__init__()
        self.lin = gn.nn.Linear(2, 2)
        self.register_buffer("mask", np.triu(np.full((2, 2), -np.inf, np.float32), 1))


@pytest.mark.parametrize("fill", [-np.inf, np.finfo(np.float64).min, -1e300])
def test_a_float64_buffer_beyond_float32_becomes_inf_as_in_pytorch(fill):  # (warnings: errors)
    model = _Masked()
    state = dict(model.state_dict())
    state["mask"] = np.triu(np.full((2, 2), fill, np.float64), 1)
    model.load_state_dict(state)
    assert model.state_dict()["mask"].tolist() == [[0.0, -np.inf], [0.0, 0.0]]
    state["lin.b"] = np.array([0.0, -1e300])  # (a parameter: refused, as before)
    with pytest.raises(gn.nn.StateDictError, match=r"'lin\.b' overflows float32"):
        model.load_state_dict(state)


@pytest.mark.filterwarnings("error")
def test_a_buffer_beyond_float32_loads_whole_with_warnings_as_errors():
    model = _Masked()
    state = {k: v.astype(np.float64) + 7 for k, v in model.state_dict().items()}
    state["mask"] = np.full((2, 2), -1e300)  # (the last key: the weights were copied first)
    model.load_state_dict(state)  # (no "overflow encountered in cast")
    got = model.state_dict()
    assert got["lin.W"].tolist() == state["lin.W"].astype(np.float32).tolist()
    assert got["mask"].tolist() == [[-np.inf] * 2] * 2


class _Counted(_Masked):
    def __init__(self):
        super().__init__()
        self.register_buffer("seen", np.zeros(2, np.int64))


@pytest.mark.filterwarnings("error")
@pytest.mark.parametrize("value", [np.inf, 1e300])
def test_a_value_an_int_buffer_cannot_hold_is_refused_before_anything_is_written(value):
    model = _Counted()
    before = model.state_dict()
    state = {k: v.astype(np.float64) + 7 for k, v in before.items()}
    state["seen"] = np.array([3.0, value])  # (an int buffer, after the ones that fit)
    with pytest.raises(gn.nn.StateDictError, match=r"'seen' holds a value that int64 cannot"):
        model.load_state_dict(state)
    after = model.state_dict()
    assert all(np.array_equal(before[k], after[k]) for k in before)  # nothing written


def test_a_config_that_disagrees_with_the_tensors_says_the_file_may_be_damaged(tmp_path):
    path = tmp_path / "c.glassnet"
    io.save_model(gn.nn.MLP([3, 5, 2]), path)
    data = path.read_bytes()
    at = data.index(b"[3, 5, 2]")  # (the config's sizes: one byte flipped)
    path.write_bytes(data[:at] + data[at : at + 9].replace(b"5", b"6") + data[at + 9 :])
    says = r"'layers\.0\.W': expected shape \(3, 6\).*the file is damaged or was edited"
    for load in (io.load_model, io.load_file, gn.load):
        with pytest.raises(ModelFileError, match=rf"c\.glassnet.*{says}"):
            load(path)


# ---------------------------------------------------------------- preprocessing, uniformly


@pytest.mark.parametrize(
    ("value", "says"),
    [
        (10**400, r"'fill\.a' must hold finite numbers.*Item 0 is 1000.*not finite"),
        ("1.5", r"'fill\.a' must hold finite numbers.*Item 0 is '1\.5': a str, not a number"),
        (True, r"'fill\.a'.*Item 0 is True: a bool, not a number"),
    ],
    ids=["int-beyond-float64", "str", "bool"],
)
def test_a_fill_value_is_checked_as_the_scalers_numbers(tmp_path, value, says):
    def edit(m):
        m["preprocessing"]["preprocessor"]["fill"] = {"a": value, "c": "red"}

    with pytest.raises(ModelFileError, match=rf"r\.glassnet.*{says}"):
        io.load_pipeline(_regression(tmp_path, edit))


def test_a_fill_of_a_text_column_must_be_text(tmp_path):
    def edit(m):
        m["preprocessing"]["preprocessor"]["fill"] = {"a": 0.5, "c": 1}

    with pytest.raises(ModelFileError, match=r"'fill\.c' must be a str .* Got 1 \(int\)"):
        io.load_pipeline(_regression(tmp_path, edit))


def _names_in(m, names):
    m["preprocessing"]["preprocessor"]["encoder"]["names_in"] = names


def _scaler_names(m, names):
    m["preprocessing"]["preprocessor"]["scaler"]["names"] = names


@pytest.mark.parametrize(
    ("edit", "field", "names"),
    [(_scaler_names, "names", ["a", "a"]), (_names_in, "names_in", ["c"])],
)
def test_repeated_scaler_names_or_encoder_names_in_are_refused(tmp_path, edit, field, names):
    if edit is _names_in:  # (a second categorical column, so that one can repeat)
        edit = _two_categorical
    with pytest.raises(ModelFileError, match=rf"'{field}' repeats \['[ac]'\]: each is listed"):
        io.load_pipeline(_regression(tmp_path, lambda m: edit(m, names)))
    fine = ["a", "b"] if field == "names" else ["c", "d"]
    assert io.load_file(_regression(tmp_path, lambda m: edit(m, fine))).kind == "model"


def _two_categorical(m, names):
    """Columns a, b numeric, c and d text, the encoder's names_in ``names`` made two."""
    pre = m["preprocessing"]["preprocessor"]
    pre["columns"], pre["kinds"] = ["a", "b", "c", "d"], ["numeric"] * 2 + ["categorical"] * 2
    pre["encoder"].update(names=["c", "d"], categories=[["red"], ["x"]])  # (4 inputs)
    pre["encoder"]["names_in"] = names if len(names) == 2 else names * 2


def test_preprocessor_fit_refuses_a_column_given_twice():
    from glassnet.datasets import Table

    table = Table({"a": ["1", "2"], "b": ["3", "4"], "c": ["x", "y"]})
    says = r"'columns' parameter of Preprocessor\.fit repeats \['a'\]: list each column once"
    with pytest.raises(ValueError, match=says):
        gn.preprocessing.Preprocessor().fit(table, columns=["a", "a", "c"])
    fitted = gn.preprocessing.Preprocessor().fit(table, columns=["a", "c"])
    assert fitted.columns_ == ["a", "c"]
