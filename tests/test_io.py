"""Tests for glassnet.io: round trips, atomic writes, and refusing malformed files."""

from __future__ import annotations

import json
import os
import stat
import struct
import sys
import tempfile

import numpy as np
import pytest
import safetensors.numpy as stnp

import glassnet as gn
from glassnet import io as gio
from glassnet.io import (
    Checkpoint,
    ModelFileError,
    check_arrays_against,
    load_arrays,
    load_checkpoint,
    load_model,
    load_pipeline,
    save_arrays,
    save_checkpoint,
    save_model,
)

ALLOWED = {np.dtype(t) for t in ("f2", "f4", "f8", "i4", "i8", "u1", "?")}


# ----------------------------------------------------------------------------- helpers


def glassnet_metadata(description: object = None, **override: str) -> dict[str, str]:
    meta = {
        "format": "glassnet",
        "format_version": "1",
        "glassnet": json.dumps({} if description is None else description),
    }
    meta.update(override)
    return {k: v for k, v in meta.items() if v is not None}


def raw_file(header: dict | bytes, data: bytes = b"", length: int | None = None) -> bytes:
    """A safetensors file built by hand: length field, header, data."""
    raw = header if isinstance(header, bytes) else json.dumps(header).encode()
    return struct.pack("<Q", len(raw) if length is None else length) + raw + data


def one_tensor_header(**entry: object) -> dict:
    """A glassnet header with one float32 tensor 'W' of shape (2,) at [0, 8], edited."""
    info = {"dtype": "F32", "shape": [2], "data_offsets": [0, 8]}
    info.update(entry)
    return {"__metadata__": glassnet_metadata(), "W": info}


def write(tmp_path, content: bytes, name: str = "m.glassnet"):
    path = tmp_path / name
    path.write_bytes(content)
    return path


def sample_arrays(seed: int = 0) -> dict[str, np.ndarray]:
    rng = np.random.default_rng(seed)
    return {
        "layers.0.W": rng.standard_normal((2, 16)).astype(np.float32),
        "layers.0.b": np.zeros(16, np.float32),
        "layers.1.W": rng.standard_normal((16, 1)),
        "layers.1.b": np.array([0.5]),
        "steps": np.arange(5, dtype=np.int64),
    }


def assert_same(a: dict[str, np.ndarray], b: dict[str, np.ndarray]) -> None:
    assert list(a) == list(b)
    for name in a:
        assert a[name].dtype == b[name].dtype, name
        assert a[name].shape == b[name].shape, name
        np.testing.assert_array_equal(a[name], b[name])


# ----------------------------------------------------------------------------- round trips


def test_round_trip_mixed_dtypes_and_meta(tmp_path):
    arrays = sample_arrays()
    meta = {"task": "xnor", "sizes": [2, 16, 1], "lr": 0.1, "nested": {"ok": True, "x": None}}
    path = save_arrays(tmp_path / "m.glassnet", arrays, meta)
    assert path == tmp_path / "m.glassnet"
    loaded, loaded_meta = load_arrays(path)
    assert_same(arrays, loaded)
    assert loaded_meta == meta


@pytest.mark.parametrize("dtype", ["float16", "float32", "float64", "int32", "int64", "uint8"])
def test_round_trip_each_dtype(tmp_path, dtype):
    a = (np.arange(24).reshape(2, 3, 4) % 7).astype(dtype)
    loaded, meta = load_arrays(save_arrays(tmp_path / "a.glassnet", {"a": a}))
    assert_same({"a": a}, loaded)
    assert meta == {}


def test_round_trip_bool_0d_empty_and_str_path(tmp_path):
    arrays = {
        "mask": np.array([True, False, True]),
        "scalar": np.array(3.5, dtype=np.float32),
        "empty": np.zeros((0, 3)),
        "empty_int": np.zeros((4, 0), np.int32),
    }
    path = save_arrays(str(tmp_path / "z.glassnet"), arrays, {})
    loaded, _ = load_arrays(str(path))
    assert_same(arrays, loaded)
    assert loaded["scalar"].shape == ()


def test_round_trip_many_tensors_keeps_order(tmp_path):
    rng = np.random.default_rng(1)
    # names out of alphabetical order and dtypes mixed, so the file order differs
    arrays = {
        f"t{(i * 37) % 200}": rng.standard_normal(i % 5 + 1).astype(["f4", "f8", "f2"][i % 3])
        for i in range(200)
    }
    loaded, _ = load_arrays(save_arrays(tmp_path / "many.glassnet", arrays, {"n": 200}))
    assert_same(arrays, loaded)


def test_loaded_arrays_are_writeable_and_independent(tmp_path):
    arrays = sample_arrays()
    loaded, _ = load_arrays(save_arrays(tmp_path / "m.glassnet", arrays))
    for a in loaded.values():
        assert a.flags.writeable and a.flags.c_contiguous
    loaded["layers.0.b"] += 1.0
    again, _ = load_arrays(tmp_path / "m.glassnet")
    np.testing.assert_array_equal(again["layers.0.b"], np.zeros(16, np.float32))


def test_noncontiguous_and_big_endian_inputs_are_stored_by_value(tmp_path):
    base = np.arange(12, dtype=np.float64).reshape(3, 4)
    arrays = {
        "transposed": base.T,
        "strided": base[:, ::2],
        "big_endian": base.astype(">f4"),
    }
    loaded, _ = load_arrays(save_arrays(tmp_path / "v.glassnet", arrays))
    for name, a in arrays.items():
        np.testing.assert_array_equal(loaded[name], a)
    assert loaded["big_endian"].dtype == np.dtype("float32")


def test_meta_json_conversions(tmp_path):
    meta = {"pair": (1, 2), "np_int": np.int64(3), "np_float": np.float32(0.5), "u": "héllo ✓"}
    _, loaded = load_arrays(save_arrays(tmp_path / "m.glassnet", {"a": np.ones(1)}, meta))
    assert loaded == {"pair": [1, 2], "np_int": 3, "np_float": 0.5, "u": "héllo ✓"}
    assert type(loaded["np_int"]) is int


def test_file_is_plain_safetensors_with_glassnet_metadata(tmp_path):
    path = save_arrays(tmp_path / "m.glassnet", {"W": np.eye(2, dtype=np.float32)}, {"k": 1})
    data = path.read_bytes()
    assert b"pickle" not in data
    n = struct.unpack("<Q", data[:8])[0]
    header = json.loads(data[8 : 8 + n])
    assert header["__metadata__"]["format"] == "glassnet"
    assert header["__metadata__"]["format_version"] == "1"
    assert json.loads(header["__metadata__"]["glassnet"]) == {"k": 1}
    np.testing.assert_array_equal(stnp.load(data)["W"], np.eye(2))


def test_plain_safetensors_file_needs_expect_format_false(tmp_path):
    arrays = {"w": np.arange(3, dtype=np.float32)}
    path = write(tmp_path, stnp.save(arrays, metadata={"format": "pt"}), "plain.safetensors")
    with pytest.raises(ModelFileError, match="not a glassnet model file.*expect_format=False"):
        load_arrays(path)
    loaded, meta = load_arrays(path, expect_format=False)
    assert_same(arrays, loaded)
    assert meta == {"format": "pt"}
    bare = write(tmp_path, stnp.save(arrays), "bare.safetensors")
    assert load_arrays(bare, expect_format=False)[1] == {}


def test_expect_format_false_still_checks_glassnet_files(tmp_path):
    header = one_tensor_header()
    header["__metadata__"]["format_version"] = "9"
    path = write(tmp_path, raw_file(header, bytes(8)))
    with pytest.raises(ModelFileError, match="format_version '9'"):
        load_arrays(path, expect_format=False)


def test_plain_safetensors_with_unsupported_dtype_is_refused(tmp_path):
    path = write(tmp_path, stnp.save({"w": np.arange(3, dtype=np.int16)}))
    with pytest.raises(ModelFileError, match="unknown dtype 'I16'"):
        load_arrays(path, expect_format=False)


# ----------------------------------------------------------------------------- bad input to save


@pytest.mark.parametrize(
    ("arrays", "error", "match"),
    [
        ([np.ones(2)], TypeError, "'arrays' must be a dict"),
        ({"a": [1.0, 2.0]}, TypeError, r"arrays\['a'\] must be a numpy.ndarray.*numpy.asarray"),
        ({"a": np.ones(2, np.complex64)}, ValueError, r"arrays\['a'\] has dtype complex64"),
        ({"a": np.ones(2, np.int16)}, ValueError, "has dtype int16.*astype"),
        ({"a": np.array(["x"])}, ValueError, "has dtype <U1"),
        ({"a": np.array([None])}, ValueError, "has dtype object"),
        ({"a": np.array([1.0, np.nan])}, ValueError, r"arrays\['a'\] holds 1 NaN.*index \(1,\)"),
        ({"a": np.array([[np.inf]], np.float16)}, ValueError, "NaN or infinite"),
        ({"": np.ones(1)}, ValueError, "non-empty strings"),
        ({3: np.ones(1)}, ValueError, "non-empty strings"),
        ({"__metadata__": np.ones(1)}, ValueError, "reserves"),
        (
            {"a": np.ma.masked_array([1.0, 2.0], mask=[False, True])},
            ValueError,
            r"arrays\['a'\] is a masked array with 1 masked value.*\.filled",
        ),
    ],
)
def test_save_refuses_bad_arrays(tmp_path, arrays, error, match):
    with pytest.raises(error, match=match):
        save_arrays(tmp_path / "m.glassnet", arrays)
    assert list(tmp_path.iterdir()) == []


def test_a_masked_array_without_masked_values_is_stored_as_its_values(tmp_path):
    path = save_arrays(tmp_path / "m.glassnet", {"a": np.ma.masked_array([1.0, 2.0])})
    a = load_arrays(path)[0]["a"]
    assert type(a) is np.ndarray
    np.testing.assert_array_equal(a, [1.0, 2.0])


@pytest.mark.parametrize(
    ("meta", "error", "match"),
    [
        ([1, 2], TypeError, "'meta' must be a dict"),
        ({"s": {1, 2}}, TypeError, r"meta\['s'\] is a set"),
        ({"a": {"b": object()}}, TypeError, r"meta\['a'\]\['b'\] is a object"),
        ({"w": np.ones(2)}, TypeError, r"meta\['w'\] is a numpy array.*tolist"),
        ({"loss": float("nan")}, ValueError, r"meta\['loss'\] is nan"),
        ({"x": [1, float("inf")]}, ValueError, r"meta\['x'\]\[1\] is inf"),
        ({1: "a"}, TypeError, "key 1 of type int.*must be str"),
    ],
)
def test_save_refuses_bad_meta(tmp_path, meta, error, match):
    with pytest.raises(error, match=match):
        save_arrays(tmp_path / "m.glassnet", {"a": np.ones(1)}, meta)
    assert list(tmp_path.iterdir()) == []


def test_save_refuses_self_referencing_meta(tmp_path):
    meta: dict = {}
    meta["self"] = meta
    with pytest.raises(ValueError, match="contains itself"):
        save_arrays(tmp_path / "m.glassnet", {"a": np.ones(1)}, meta)


def test_path_must_be_a_path():
    with pytest.raises(TypeError, match="'path' must be a str or os.PathLike, got int"):
        save_arrays(3, {"a": np.ones(1)})
    with pytest.raises(TypeError, match="'path' must be a str or os.PathLike, got bytes"):
        load_arrays(b"m.glassnet")


# ----------------------------------------------------------------------------- atomic writes


def old_file(tmp_path):
    path = save_arrays(tmp_path / "m.glassnet", {"a": np.zeros(3)}, {"version": "old"})
    return path, path.read_bytes()


def assert_old_file_intact(tmp_path, path, before):
    assert path.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == [path.name]  # no temporary left
    arrays, meta = load_arrays(path)
    assert meta == {"version": "old"}


@pytest.mark.parametrize("target", ["os.replace", "os.fsync", "os.chmod"])
def test_failed_write_leaves_old_file_and_no_temporary(tmp_path, monkeypatch, target):
    path, before = old_file(tmp_path)

    def fail(*args, **kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(target, fail)
    with pytest.raises(ModelFileError, match="No space left on device.*untouched"):
        save_arrays(path, {"a": np.ones(3)}, {"version": "new"})
    monkeypatch.undo()
    assert_old_file_intact(tmp_path, path, before)


def test_interrupted_write_cleans_up_and_reraises(tmp_path, monkeypatch):
    path, before = old_file(tmp_path)

    def interrupt(fd):
        raise KeyboardInterrupt

    monkeypatch.setattr(os, "fsync", interrupt)
    with pytest.raises(KeyboardInterrupt):
        save_arrays(path, {"a": np.ones(3)}, {"version": "new"})
    monkeypatch.undo()
    assert_old_file_intact(tmp_path, path, before)


def test_serializer_failure_leaves_old_file(tmp_path, monkeypatch):
    path, before = old_file(tmp_path)

    def broken(*args, **kwargs):
        raise RuntimeError("serializer broke")

    monkeypatch.setattr(stnp, "save", broken)
    with pytest.raises(ModelFileError, match="could not serialize.*serializer broke"):
        save_arrays(path, {"a": np.ones(3)}, {"version": "new"})
    monkeypatch.undo()
    assert_old_file_intact(tmp_path, path, before)


def test_overwrite_replaces_content_and_keeps_permissions(tmp_path):
    path, _ = old_file(tmp_path)
    os.chmod(path, 0o640)
    save_arrays(path, {"b": np.ones(2, np.float32)}, {"version": "new"})
    arrays, meta = load_arrays(path)
    assert list(arrays) == ["b"] and meta == {"version": "new"}
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o640
    assert sorted(p.name for p in tmp_path.iterdir()) == [path.name]


def test_new_file_gets_umask_permissions(tmp_path):
    old = os.umask(0o027)
    try:
        path = save_arrays(tmp_path / "m.glassnet", {"a": np.ones(1)})
    finally:
        os.umask(old)
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o640


# ----------------------------------------------------------------------------- unwritable paths


def test_missing_directory(tmp_path):
    target = tmp_path / "no" / "such" / "m.glassnet"
    with pytest.raises(ModelFileError, match=r"cannot write .*m\.glassnet.*does not exist"):
        save_arrays(target, {"a": np.ones(1)})


def test_parent_is_a_file(tmp_path):
    (tmp_path / "afile").write_text("x")
    # (it said "the directory '.../afile' is not a directory; create it first")
    with pytest.raises(ModelFileError, match="afile' is a file, not a directory; choose ") as e:
        save_arrays(tmp_path / "afile" / "m.glassnet", {"a": np.ones(1)})
    assert "create it first" not in str(e.value)


def test_target_is_a_directory(tmp_path):
    with pytest.raises(ModelFileError, match="it is a directory"):
        save_arrays(tmp_path, {"a": np.ones(1)})


def test_unwritable_directory(tmp_path, monkeypatch):
    # Simulated: permission bits do not stop a superuser, and tests may run as one.
    def denied(*args, **kwargs):
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(tempfile, "NamedTemporaryFile", denied)
    with pytest.raises(ModelFileError, match=r"cannot write .*m\.glassnet.*Permission denied"):
        save_arrays(tmp_path / "m.glassnet", {"a": np.ones(1)})


# ----------------------------------------------------------------------------- safetensors missing


def test_missing_safetensors_says_how_to_install_and_reading_needs_none(tmp_path, monkeypatch):
    path = save_arrays(tmp_path / "m.glassnet", {"a": np.arange(3.0)})
    monkeypatch.setitem(sys.modules, "safetensors", None)
    monkeypatch.setitem(sys.modules, "safetensors.numpy", None)
    expected = r'saving glassnet models needs safetensors: pip install "glassnet\[io\]"'
    with pytest.raises(ImportError, match=expected):
        save_arrays(tmp_path / "n.glassnet", {"a": np.ones(1)})
    # reading is checked and done by glassnet itself: NumPy is enough
    assert load_arrays(path)[0]["a"].tolist() == [0.0, 1.0, 2.0]


# ----------------------------------------------------------------------------- malformed files

F32_2 = struct.pack("<2f", 1.0, 2.0)  # data for one float32 tensor of shape (2,)


def with_metadata(**override):
    header = one_tensor_header()
    header["__metadata__"] = glassnet_metadata(**override)
    return raw_file(header, F32_2)


def with_entries(entries: dict, data: bytes) -> bytes:
    return raw_file({"__metadata__": glassnet_metadata(), **entries}, data)


MALFORMED = {
    "empty": (b"", "the file is empty"),
    "shorter than 8": (b"\x01\x00\x00", "3 bytes long, shorter than the 8-byte"),
    "header longer than file": (raw_file(b'{"a": 1}', length=9), "says 9 bytes but only 8"),
    "header absurdly large": (raw_file(b"{}", length=2**64 - 1), "more than the 100000000"),
    "header length zero": (raw_file(b"{}", length=0), "not a JSON object"),
    "header not utf-8": (raw_file(b'{"\xff": 1}'), "not valid UTF-8"),
    "header not json": (raw_file(b"{not json"), "not valid JSON"),
    "header a list": (raw_file(b"[1, 2]"), "not a JSON object"),
    "header whitespace first": (raw_file(b" {}"), "not a JSON object"),
    "header duplicate key": (
        raw_file(b'{"W": {}, "W": {}}'),
        "duplicate key 'W'",
    ),
    "header NaN": (raw_file(b'{"a": NaN}'), "NaN is not a JSON number"),
    "header deeply nested": (
        raw_file(b'{"a": ' + b"[" * 100_000 + b"]" * 100_000 + b"}"),
        "not valid JSON",
    ),
    "metadata not an object": (
        raw_file({"__metadata__": [1]}),
        "'__metadata__' must be a JSON object",
    ),
    "metadata value not a string": (
        raw_file({"__metadata__": {"format": 1}}),
        "'__metadata__' must be a JSON object whose values are strings",
    ),
    "entry not an object": (raw_file({"W": [1, 2]}), "tensor 'W': its entry is a JSON list"),
    "entry missing key": (
        raw_file({"W": {"dtype": "F32", "shape": [0]}}),
        "exactly 'dtype', 'shape' and 'data_offsets'",
    ),
    "entry extra key": (
        raw_file(one_tensor_header(extra=1), F32_2),
        "exactly 'dtype', 'shape' and 'data_offsets'",
    ),
    "empty name": (raw_file({"": {}}), "empty name"),
    "dtype unknown": (raw_file(one_tensor_header(dtype="F8_E4M3"), F32_2), "unknown dtype"),
    "dtype bf16": (raw_file(one_tensor_header(dtype="BF16"), F32_2), "unknown dtype 'BF16'"),
    "dtype not string": (raw_file(one_tensor_header(dtype=4), F32_2), "unknown dtype 4"),
    "shape negative": (raw_file(one_tensor_header(shape=[-2]), F32_2), "non-negative integers"),
    "shape float": (raw_file(one_tensor_header(shape=[2.0]), F32_2), "non-negative integers"),
    "shape bool": (raw_file(one_tensor_header(shape=[True, 2]), F32_2), "non-negative integers"),
    "shape not list": (raw_file(one_tensor_header(shape=2), F32_2), "found 2"),
    "shape too many dims": (raw_file(one_tensor_header(shape=[1] * 40), F32_2), "at most 32"),
    "offsets one number": (
        raw_file(one_tensor_header(data_offsets=[8]), F32_2),
        "two non-negative integers",
    ),
    "offsets negative": (
        raw_file(one_tensor_header(data_offsets=[-8, 0]), F32_2),
        "two non-negative integers",
    ),
    "offsets reversed": (
        raw_file(one_tensor_header(data_offsets=[8, 0]), F32_2),
        "end before they begin",
    ),
    "offsets past the data": (
        raw_file(one_tensor_header(data_offsets=[0, 8]), F32_2[:4]),
        r"run past the end of the data \(4 bytes\)",
    ),
    "offsets huge": (
        raw_file(one_tensor_header(shape=[2**40, 2**40], data_offsets=[0, 2**62]), F32_2),
        "run past the end",
    ),
    "empty tensor with huge sizes": (
        raw_file(one_tensor_header(shape=[2**40, 2**40, 0], data_offsets=[0, 0])),
        r"shape \(1099511627776, 1099511627776, 0\) is too large for any array",
    ),
    "empty tensor with a size past int64": (
        raw_file(one_tensor_header(shape=[2**70, 0], data_offsets=[0, 0])),
        "is too large for any array",
    ),
    "offsets size mismatch": (
        raw_file(one_tensor_header(shape=[3]), F32_2),
        r"shape \(3,\) of F32 needs 12 bytes but data_offsets \[0, 8\] hold 8",
    ),
    "offsets overlap": (
        with_entries(
            {
                "a": {"dtype": "F32", "shape": [2], "data_offsets": [0, 8]},
                "b": {"dtype": "F32", "shape": [1], "data_offsets": [4, 8]},
            },
            F32_2,
        ),
        "overlap another tensor",
    ),
    "offsets empty tensor inside another": (
        with_entries(
            {
                "a": {"dtype": "F32", "shape": [2], "data_offsets": [0, 8]},
                "b": {"dtype": "F32", "shape": [0], "data_offsets": [4, 4]},
            },
            F32_2,
        ),
        "overlap another tensor",
    ),
    "offsets leave a gap": (
        with_entries({"a": {"dtype": "F32", "shape": [1], "data_offsets": [4, 8]}}, F32_2),
        "4 data bytes before tensor 'a' belong to no tensor",
    ),
    "trailing bytes": (raw_file(one_tensor_header(), F32_2 + b"xx"), "2 bytes after the last"),
    "no metadata": (raw_file({"W": one_tensor_header()["W"]}, F32_2), "no '__metadata__'"),
    "no glassnet key": (
        with_metadata(glassnet=None, format=None, format_version=None),
        "'__metadata__' has no 'glassnet' description",
    ),
    "other format": (with_metadata(format="pt"), "says format 'pt', not 'glassnet'"),
    "glassnet key missing": (with_metadata(glassnet=None), "has no 'glassnet' description"),
    "version unknown": (
        with_metadata(format_version="2"),
        "format_version '2'; this glassnet reads format version.s. 1",
    ),
    "version missing": (with_metadata(format_version=None), "has no format_version"),
    "kind unknown": (with_metadata(kind="pickle"), "unknown kind 'pickle'"),
    "description not json": (with_metadata(glassnet="{oops"), "description is not valid JSON"),
    "description a list": (with_metadata(glassnet="[1]"), "description is a JSON list"),
    "description NaN": (with_metadata(glassnet='{"a": NaN}'), "description is not valid JSON"),
    "order not json": (with_metadata(order="["), "tensor order is not valid JSON"),
    "order wrong names": (with_metadata(order='["V"]'), "does not list the file's tensors"),
    "order repeated": (with_metadata(order='["W", "W"]'), "does not list the file's tensors"),
    "float data NaN": (
        raw_file(one_tensor_header(), struct.pack("<2f", 1.0, float("nan"))),
        r"tensor 'W' holds 1 NaN or infinite value.*index \(1,\)",
    ),
    "float data inf": (
        raw_file(one_tensor_header(), struct.pack("<2f", float("-inf"), 0.0)),
        "tensor 'W' holds 1 NaN or infinite",
    ),
}


@pytest.mark.parametrize("case", list(MALFORMED))
def test_malformed_file_is_refused_with_a_clear_message(tmp_path, case):
    content, match = MALFORMED[case]
    path = write(tmp_path, content)
    with pytest.raises(ModelFileError, match=match) as info:
        load_arrays(path)
    message = str(info.value)
    assert "\n" not in message
    assert message.startswith(f"'{path}'")


def foreign_files(tmp_path):
    """Files of other kinds a user might pass for a model file, by name."""
    import pickle

    np.savez(tmp_path / "w.npz", W=np.ones(2))
    np.save(tmp_path / "w.npy", np.ones(2))
    (tmp_path / "w.pkl").write_bytes(pickle.dumps({"W": [1.0, 2.0]}))
    (tmp_path / "w.json").write_text(json.dumps({"W": [1.0, 2.0]}))
    (tmp_path / "d.csv").write_text("x1,x2,y\n1,2,3\n")
    (tmp_path / "w.h5").write_bytes(b"\x89HDF\r\n\x1a\n" + bytes(100))
    return tmp_path


@pytest.mark.parametrize(
    ("name", "match"),
    [
        ("w.npz", r"zip archive \(a NumPy .npz.*numpy.load.*save_arrays"),
        ("w.npy", r"a NumPy .npy file.*numpy.load.*save_arrays"),
        ("w.pkl", r"a Python pickle.*never unpickles"),
        ("w.json", r"a text file \(CSV or JSON\?\).*save_model"),
        ("d.csv", r"a text file \(CSV or JSON\?\).*save_model"),
        ("w.h5", r"an HDF5 file.*save_arrays"),
    ],
)
def test_a_file_of_another_kind_is_named_with_what_to_do(tmp_path, name, match):
    path = foreign_files(tmp_path) / name
    with pytest.raises(ModelFileError, match=match) as info:
        load_model(path)
    assert str(info.value).startswith(f"'{path}': ")


def test_hand_built_valid_file_loads(tmp_path):
    # the building blocks above make a valid file when left unedited
    arrays, meta = load_arrays(write(tmp_path, with_metadata()))
    np.testing.assert_array_equal(arrays["W"], np.array([1.0, 2.0], np.float32))
    assert meta == {}


def test_missing_file_and_not_a_file(tmp_path):
    with pytest.raises(ModelFileError, match=r"nope\.glassnet': no such file"):
        load_arrays(tmp_path / "nope.glassnet")
    with pytest.raises(ModelFileError, match="is a directory, not a model file"):
        load_arrays(tmp_path)
    if hasattr(os, "mkfifo"):  # a FIFO would block a reader that opened it
        fifo = tmp_path / "fifo"
        os.mkfifo(fifo)
        with pytest.raises(ModelFileError, match="not a regular file"):
            load_arrays(fifo)


def test_glassnet_reads_what_safetensors_reads(tmp_path):
    arrays = {
        "W": np.arange(6, dtype=np.float32).reshape(2, 3),
        "i": np.array([1, -2], np.int64),
        "m": np.array([True, False]),
        "s": np.array(2.5),
        "e": np.zeros((0, 3), np.float16),
    }
    path = save_arrays(tmp_path / "m.glassnet", arrays)
    ours = load_arrays(path)[0]
    theirs = stnp.load(path.read_bytes())
    assert set(ours) == set(theirs)
    for name, a in theirs.items():
        assert ours[name].dtype == a.dtype and np.array_equal(ours[name], a)


# ----------------------------------------------------------------------------- fuzzing


def mutate(data: bytes, rng: np.random.Generator) -> bytes:
    """One seeded random corruption of ``data``."""
    buf = bytearray(data)
    n = struct.unpack("<Q", data[:8])[0]
    kind = rng.integers(7)
    if kind == 0:  # flip bits anywhere
        for _ in range(rng.integers(1, 5)):
            i = rng.integers(len(buf))
            buf[i] ^= 1 << int(rng.integers(8))
    elif kind == 1:  # flip a bit inside the JSON header
        i = 8 + rng.integers(n)
        buf[i] ^= 1 << int(rng.integers(8))
    elif kind == 2:  # truncate
        del buf[rng.integers(len(buf)) :]
    elif kind == 3:  # insert random bytes
        i = rng.integers(len(buf) + 1)
        buf[i:i] = rng.integers(0, 256, rng.integers(1, 9), dtype=np.uint8).tobytes()
    elif kind == 4:  # delete a few bytes
        i = rng.integers(len(buf))
        del buf[i : i + rng.integers(1, 9)]
    elif kind == 5:  # edit the header length a little
        buf[:8] = struct.pack("<Q", max(0, n + int(rng.integers(-16, 17))))
    else:  # overwrite the header length with anything
        buf[:8] = rng.integers(0, 256, 8, dtype=np.uint8).tobytes()
    return bytes(buf)


def check_arrays_result(result) -> None:
    for a in result[0].values():
        assert isinstance(a, np.ndarray) and a.dtype in ALLOWED
        if a.dtype.kind == "f":
            assert np.isfinite(a).all()


def fuzz(tmp_path, data, loader, rounds, seed, check=check_arrays_result) -> tuple[int, int]:
    """Load ``rounds`` seeded corruptions of ``data``: each is refused with a one-line
    ModelFileError or loads and passes ``check``. Returns (loaded, refused)."""
    rng = np.random.default_rng(seed)
    path = tmp_path / "fuzz.glassnet"
    loaded = refused = 0
    for _ in range(rounds):
        path.write_bytes(mutate(data, rng))
        try:
            result = loader(path)
        except ModelFileError as exc:
            assert "\n" not in str(exc)
            refused += 1
            continue
        loaded += 1
        check(result)
    return loaded, refused


def same_arrays(a: dict, b: dict) -> bool:
    return list(a) == list(b) and all(
        a[k].dtype == b[k].dtype and np.array_equal(a[k], b[k]) for k in a
    )


def test_fuzzed_files_load_or_raise_model_file_error(tmp_path):
    """The checksum catches what the structural checks cannot (bit flips in the weights):
    a corrupted file is refused, never loaded with other numbers."""
    arrays = sample_arrays()
    arrays["mask"] = np.array([True, False])
    path = save_arrays(tmp_path / "m.glassnet", arrays, {"task": "xnor", "sizes": [2, 16, 1]})

    def check(result):
        check_arrays_result(result)
        assert same_arrays(result[0], arrays)  # only a mutation that changed nothing loads

    loaded, refused = fuzz(tmp_path, path.read_bytes(), load_arrays, 400, seed=0, check=check)
    assert refused >= 390


def test_a_flipped_weight_bit_is_a_checksum_error(tmp_path):
    path = save_arrays(tmp_path / "m.glassnet", {"W": np.arange(4, dtype=np.float32)})
    data = bytearray(path.read_bytes())
    data[-3] ^= 0x01  # a finite float32 still, so only the checksum can tell
    path.write_bytes(bytes(data))
    with pytest.raises(ModelFileError, match="the checksum does not match the contents"):
        load_arrays(path)


def test_an_edited_description_is_a_checksum_error(tmp_path):
    path = save_arrays(tmp_path / "m.glassnet", {"W": np.ones(2)}, {"classes": ["cat", "dog"]})
    data = path.read_bytes()
    edited = data.replace(b"cat", b"cow")  # same length: the structure stays valid
    assert edited != data
    path.write_bytes(edited)
    with pytest.raises(ModelFileError, match="checksum does not match"):
        load_arrays(path)


def test_a_file_without_a_checksum_still_loads(tmp_path):
    """Files of earlier glassnets (no checksum) and hand-made files read as before."""
    header = one_tensor_header()
    path = write(tmp_path, raw_file(header, np.array([1, 2], "<f4").tobytes()))
    assert load_arrays(path)[0]["W"].tolist() == [1.0, 2.0]


def test_fuzzed_checkpoints_load_or_raise_model_file_error(tmp_path):
    path = save_checkpoint(tmp_path / "c.glassnet", *checkpoint_parts())
    original = load_checkpoint(path)

    def check(result):
        assert same_arrays(result.model_state, original.model_state)

    loaded, refused = fuzz(tmp_path, path.read_bytes(), load_checkpoint, 200, seed=1, check=check)
    assert refused >= 195


def test_fuzzed_model_files_load_or_raise_model_file_error(tmp_path):
    net = gn.nn.MLP([3, 4, 2], activation="tanh", output_activation="softmax", rng=0)
    path = save_model(net, tmp_path / "net.glassnet", meta={"classes": ["a", "b"]})
    expected = net.predict(np.ones((1, 3)))

    def check(model):
        assert isinstance(model, gn.nn.Module)
        assert np.array_equal(model.predict(np.ones((1, 3))), expected)

    loaded, refused = fuzz(tmp_path, path.read_bytes(), load_model, 200, seed=2, check=check)
    assert refused >= 195


# ----------------------------------------------------------------------------- check_arrays_against


def test_check_arrays_against_accepts_a_match():
    arrays = sample_arrays()
    expected = {name: (a.shape, a.dtype) for name, a in arrays.items()}
    check_arrays_against(arrays, expected)
    check_arrays_against(arrays, {name: (None, None) for name in arrays})


def test_check_arrays_against_lists_every_problem():
    arrays = {
        "layers.0.W": np.zeros((3, 16), np.float32),
        "layers.0.b": np.zeros(16, np.float64),
        "extra": np.zeros(1),
    }
    expected = {
        "layers.0.W": ((2, 16), np.float32),
        "layers.0.b": ((16,), "float32"),
        "layers.1.W": ((16, 1), np.float32),
    }
    with pytest.raises(ModelFileError) as info:
        check_arrays_against(arrays, expected)
    message = str(info.value)
    assert "missing 'layers.1.W'" in message
    assert "unexpected 'extra'" in message
    assert "'layers.0.W': expected shape (2, 16) float32, found (3, 16) float32" in message
    assert "'layers.0.b': expected shape (16,) float32, found (16,) float64" in message


def test_check_arrays_against_wildcards_and_bad_spec():
    arrays = {"W": np.zeros((2, 3), np.float32)}
    check_arrays_against(arrays, {"W": (None, np.float32)})
    with pytest.raises(ModelFileError, match="expected shape any float64"):
        check_arrays_against(arrays, {"W": (None, np.float64)})
    with pytest.raises(TypeError, match=r"expected\['W'\] must be a \(shape, dtype\) pair"):
        check_arrays_against(arrays, {"W": (2, 3)[0:1]})


# ----------------------------------------------------------------------------- checkpoints


def checkpoint_parts():
    rng = np.random.default_rng(2)
    model = {
        "layers.0.W": rng.standard_normal((2, 4)).astype(np.float32),
        "layers.0.b": np.zeros(4),
    }
    optim = {
        "step": 7,
        "lr": 1e-3,
        "betas": (0.9, 0.999),
        "amsgrad": False,
        "schedule": None,
        "name": "adam",
        "state": {
            0: {"m": rng.standard_normal((2, 4)).astype(np.float32), "v": np.ones((2, 4))},
            1: {"m": np.zeros(4), "v": np.zeros(4), "count": np.array(3)},
        },
        "velocity": {"layers.0.W": np.full((2, 4), 0.5)},
        "__private": 1,
        "history": [np.arange(3.0), 4],
    }
    meta = {"epoch": 12, "loss": [0.7, 0.3]}
    return model, optim, meta


def assert_state_equal(a, b):
    assert type(a) is type(b), (a, b)
    if isinstance(a, dict):
        assert list(a) == list(b)
        for key in a:
            assert_state_equal(a[key], b[key])
    elif isinstance(a, (list, tuple)):
        assert len(a) == len(b)
        for x, y in zip(a, b, strict=True):
            assert_state_equal(x, y)
    elif isinstance(a, np.ndarray):
        assert a.dtype == b.dtype and a.shape == b.shape
        np.testing.assert_array_equal(a, b)
    else:
        assert a == b


def test_checkpoint_round_trip(tmp_path):
    model, optim, meta = checkpoint_parts()
    path = save_checkpoint(tmp_path / "c.glassnet", model, optim, meta)
    checkpoint = load_checkpoint(path)
    assert isinstance(checkpoint, Checkpoint)
    model2, optim2, meta2 = checkpoint
    assert_same(model, model2)
    assert_state_equal(optim, optim2)
    assert meta2 == meta
    # it is an ordinary glassnet file: arrays under "model/" and "optim/"
    arrays, _ = load_arrays(path)
    assert {"model/layers.0.W", "optim/state/0/m", "optim/velocity/layers.0.W"} <= set(arrays)
    assert all(name.startswith(("model/", "optim/")) for name in arrays)


def test_checkpoint_colliding_paths_and_defaults(tmp_path):
    optim = {"a/b": np.ones(1), "a": {"b": np.zeros(1)}}
    model2, optim2, meta2 = load_checkpoint(save_checkpoint(tmp_path / "c.glassnet", {}, optim))
    assert model2 == {} and meta2 == {}
    assert_state_equal(optim, optim2)


@pytest.mark.parametrize(
    ("optim", "error", "match"),
    [
        ([1], TypeError, "'optimizer_state' must be a dict"),
        ({"lr": float("nan")}, ValueError, r"optimizer_state\['lr'\] is nan"),
        ({1.5: 1}, TypeError, "key 1.5 of type float.*str or int"),
        ({"m": np.ones(2, np.complex128)}, ValueError, r"optimizer_state\['m'\] has dtype"),
        ({"m": {0: np.array([np.nan])}}, ValueError, r"optimizer_state\['m'\]\[0\] holds 1 NaN"),
        ({"f": print}, TypeError, "builtin_function_or_method, which JSON cannot hold"),
    ],
)
def test_save_checkpoint_refuses_bad_state(tmp_path, optim, error, match):
    with pytest.raises(error, match=match):
        save_checkpoint(tmp_path / "c.glassnet", {"W": np.ones(1)}, optim)
    assert list(tmp_path.iterdir()) == []


def test_load_checkpoint_refuses_other_kinds(tmp_path):
    path = save_arrays(tmp_path / "m.glassnet", {"a": np.ones(1)})
    with pytest.raises(ModelFileError, match="is a glassnet arrays file, not a checkpoint"):
        load_checkpoint(path)


def raw_checkpoint(tmp_path, arrays: dict, description: object) -> os.PathLike:
    metadata = glassnet_metadata(description, kind="checkpoint")
    return write(tmp_path, stnp.save(arrays, metadata=metadata), "c.glassnet")


@pytest.mark.parametrize(
    ("arrays", "description", "match"),
    [
        ({}, {"optimizer": {}}, "must hold exactly 'meta'"),
        ({}, {"meta": [], "optimizer": {}}, "must hold exactly 'meta'"),
        ({}, {"meta": {}, "optimizer": [1]}, "not an object"),
        ({"W": np.ones(1)}, {"meta": {}, "optimizer": {}}, "neither 'model/' nor 'optim/'"),
        ({}, {"meta": {}, "optimizer": {"m": {"__tensor__": "optim/m"}}}, "lacks"),
        (
            {"model/W": np.ones(1)},
            {"meta": {}, "optimizer": {"m": {"__tensor__": "model/W"}}},
            "lacks",
        ),
        ({"optim/m": np.ones(1)}, {"meta": {}, "optimizer": {}}, "belongs to no optimizer"),
        ({}, {"meta": {}, "optimizer": {"__eval__": "x"}}, "unknown tag"),
        ({}, {"meta": {}, "optimizer": {"__tuple__": [], "x": 1}}, "mixes the tag"),
        ({}, {"meta": {}, "optimizer": {"__items__": [[1]]}}, "not a .key, value. pair"),
        ({}, {"meta": {}, "optimizer": {"__items__": [[True, 1]]}}, "not a .key, value. pair"),
    ],
)
def test_load_checkpoint_refuses_inconsistent_state(tmp_path, arrays, description, match):
    path = raw_checkpoint(tmp_path, arrays, description)
    with pytest.raises(ModelFileError, match=match):
        load_checkpoint(path)


# ----------------------------------------------------------------------------- models


@pytest.mark.parametrize(
    "make",
    [
        lambda: gn.nn.MLP([2, 5, 3], activation="relu", output_activation="softmax", rng=1),
        lambda: gn.nn.MLP([4, 3, 3, 1], activation=["tanh", "leaky_relu"], rng=2, dtype="float64"),
        lambda: gn.nn.Neuron(3, "sigmoid", rng=3),
        lambda: gn.nn.Sequential(
            gn.nn.Linear(2, 4, rng=4), gn.nn.Tanh(), gn.nn.Linear(4, 1, rng=5)
        ),
    ],
    ids=["mlp", "mlp-float64", "neuron", "sequential"],
)
def test_model_round_trip(tmp_path, make):
    net = make()
    path = save_model(net, tmp_path / "net.glassnet", meta={"task": "demo"})
    same = load_model(path)
    assert type(same) is type(net)
    assert same.config() == net.config()
    assert_same(net.state_dict(), same.state_dict())
    inputs = next(iter(net.state_dict().values())).shape[0]  # first W: (inputs, neurons)
    X = np.random.default_rng(0).standard_normal((5, inputs))
    np.testing.assert_array_equal(same.predict(X), net.predict(X))
    _, description = load_arrays(path)
    assert description == {"config": net.config(), "meta": {"task": "demo"}}


def test_save_model_refuses_non_models(tmp_path):
    with pytest.raises(TypeError, match="'model' must be a glassnet.nn.Module, got dict"):
        save_model({"W": np.ones(1)}, tmp_path / "m.glassnet")

    assert list(tmp_path.iterdir()) == []


class TwoTowers(gn.nn.Module):
    """A module of the user's own: glassnet cannot rebuild it from a file."""

    def __init__(self, seed: int = 0):
        rng = np.random.default_rng(seed)
        self.left = gn.nn.Linear(3, 2, rng=rng)
        self.right = gn.nn.Linear(3, 2, rng=rng)

    def forward(self, x):
        return self.left(x) + self.right(x)


def test_a_custom_module_is_saved_and_loaded_into_a_new_instance(tmp_path):
    net = TwoTowers(seed=1)
    path = save_model(net, tmp_path / "towers.glassnet", meta={"note": "mine"})
    with pytest.raises(ModelFileError, match=r"holds the weights of TwoTowers, a module of your "
                       r"own.*glassnet.io.load_weights\(TwoTowers\(\.\.\.\), path\)"):  # fmt: skip
        load_model(path)
    fresh = gio.load_weights(TwoTowers(seed=2), path)
    assert_same(fresh.state_dict(), net.state_dict())
    X = np.ones((2, 3), np.float32)
    np.testing.assert_array_equal(fresh.predict(X), net.predict(X))
    assert load_arrays(path)[1]["meta"] == {"note": "mine"}


class Doubled(gn.nn.Sequential):
    """A Sequential of the user's own: its config() is Sequential's, its forward is not."""

    def forward(self, x):
        return super().forward(x) * 2.0


def changed_mlp(seed: int) -> gn.nn.MLP:
    """An MLP built with ReLU whose hidden activation was swapped for Tanh afterwards."""
    net = gn.nn.MLP([3, 4, 1], activation="relu", rng=seed)
    net.layers[1] = gn.nn.Tanh()
    return net


@pytest.mark.parametrize(
    "make",
    [lambda seed: Doubled(gn.nn.Linear(3, 1, rng=seed)), changed_mlp],
    ids=["Sequential subclass", "MLP changed after it was built"],
)
def test_a_model_its_config_does_not_rebuild_is_saved_as_weights_only(tmp_path, make):
    """load_model must not rebuild another model (the base class, the MLP as first built)
    and run it silently: such a model is saved as a module of your own."""
    net = make(1)
    path = save_model(net, tmp_path / "net.glassnet")
    name = type(net).__name__
    with pytest.raises(ModelFileError, match=rf"holds the weights of {name}, a module of your own"):
        load_model(path)
    fresh = gio.load_weights(make(2), path)
    X = np.linspace(-1, 1, 6, dtype=np.float32).reshape(2, 3)
    np.testing.assert_array_equal(fresh.predict(X), net.predict(X))


def test_load_weights_checks_names_and_shapes(tmp_path):
    path = save_model(gn.nn.MLP([3, 2], rng=0), tmp_path / "mlp.glassnet")
    with pytest.raises(ModelFileError, match="missing 'left.W'.*unexpected 'layers.0.W'"):
        gio.load_weights(TwoTowers(), path)
    checkpoint = save_checkpoint(tmp_path / "c", TwoTowers(seed=3).state_dict(), {})
    assert_same(gio.load_weights(TwoTowers(), checkpoint).state_dict(),
                TwoTowers(seed=3).state_dict())  # fmt: skip
    with pytest.raises(TypeError, match="must be a glassnet.nn.Module you constructed"):
        gio.load_weights("TwoTowers", path)


def test_load_model_refuses_other_kinds(tmp_path):
    arrays_file = save_arrays(tmp_path / "a.glassnet", {"W": np.ones(1)})
    with pytest.raises(ModelFileError, match="arrays file, not a model file.*load_arrays"):
        load_model(arrays_file)
    checkpoint = save_checkpoint(tmp_path / "c.glassnet", {"W": np.ones(1)}, {})
    with pytest.raises(ModelFileError, match="checkpoint file, not a model file.*load_checkpoint"):
        load_model(checkpoint)


def raw_model(tmp_path, arrays: dict, description: object):
    metadata = glassnet_metadata(description, kind="model")
    return write(tmp_path, stnp.save(arrays, metadata=metadata), "net.glassnet")


def test_load_model_refuses_inconsistent_files(tmp_path):
    net = gn.nn.MLP([2, 3, 1], rng=0)
    state, config = net.state_dict(), net.config()
    cases = [
        ({"config": config}, "exactly 'config' and 'meta'"),
        ({"config": [1], "meta": {}}, "exactly 'config' and 'meta'"),
        ({"config": {"type": "Pickle"}, "meta": {}}, "config cannot be built.*unknown module"),
        ({"config": {"type": "MLP"}, "meta": {}}, "config cannot be built"),
        # a tiny file asking for 10^12 weights is refused before anything is built
        ({"config": {**config, "sizes": [10**6, 10**6]}, "meta": {}}, "asks for at least"),
        ({"config": {**config, "sizes": [2, 4, 1]}, "meta": {}}, r"'layers.0.W': expected shape"),
    ]
    for description, match in cases:
        path = raw_model(tmp_path, state, description)
        with pytest.raises(ModelFileError, match=match):
            load_model(path)
    wrong_dtype = {name: a.astype(np.float64) for name, a in state.items()}
    path = raw_model(tmp_path, wrong_dtype, {"config": config, "meta": {}})
    with pytest.raises(ModelFileError, match="expected shape .2, 3. float32, found .2, 3. float64"):
        load_model(path)


def test_module_exports():
    for name in gio.__all__:
        assert hasattr(gio, name)


# ----------------------------------------------------------------------------- reading costs


@pytest.mark.parametrize("head", [b"\0" * 8, struct.pack("<Q", 12) + b"not json!!!!"])
def test_a_large_sparse_file_is_refused_after_reading_its_header_only(tmp_path, head):
    """The header length is read and checked first: a 256 MB file of zeros (or with a
    broken header) is refused without reading what follows."""
    import tracemalloc

    path = tmp_path / "sparse.glassnet"
    with open(path, "wb") as f:
        f.write(head)
        f.truncate(256 * 2**20)  # sparse: costs no disk
    tracemalloc.start()
    try:
        with pytest.raises(ModelFileError, match="not a JSON object|not a safetensors"):
            load_arrays(path)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 2**20


def test_file_kind_reads_the_header_only(tmp_path):
    net = gn.nn.MLP([2, 1], rng=0)
    assert gio.file_kind(save_model(net, tmp_path / "m.glassnet")) == "model"
    assert gio.file_kind(save_checkpoint(tmp_path / "c", *checkpoint_parts())) == "checkpoint"
    assert gio.file_kind(save_arrays(tmp_path / "a", {"x": np.ones(1)})) == "arrays"
    (tmp_path / "s").write_bytes(stnp.save({"x": np.ones(1)}))
    assert gio.file_kind(tmp_path / "s") == "safetensors"
    (tmp_path / "d.csv").write_text("x,y\n1,2\n")
    assert gio.file_kind(tmp_path / "d.csv") == "text"
    (tmp_path / "e").write_bytes(b"")
    assert gio.file_kind(tmp_path / "e") == "empty"
    (tmp_path / "b").write_bytes(b"\x89PNG\r\n\x1a\n\0\0")
    assert gio.file_kind(tmp_path / "b") == "binary"


def test_file_kind_refuses_what_is_not_a_regular_file(tmp_path):
    with pytest.raises(OSError, match="is not a regular file"):
        gio.file_kind(tmp_path)
    if hasattr(os, "mkfifo"):  # opening a FIFO blocks until a writer comes: never done
        fifo = tmp_path / "fifo"
        os.mkfifo(fifo)
        with pytest.raises(OSError, match="is not a regular file"):
            gio.file_kind(fifo)


def hand_model_file(tmp_path, config: dict, arrays: dict) -> object:
    """A model file written by hand (no checksum, as another writer might), for hostile configs."""
    header: dict = {}
    data = b""
    for name, a in arrays.items():
        raw = np.ascontiguousarray(a, dtype="<f4").tobytes()
        header[name] = {"dtype": "F32", "shape": list(a.shape),
                        "data_offsets": [len(data), len(data) + len(raw)]}  # fmt: skip
        data += raw
    description = {"config": config, "meta": {}}
    header["__metadata__"] = glassnet_metadata(description, kind="model")
    return write(tmp_path, raw_file(header, data))


@pytest.mark.parametrize("depth", [5, 101])
def test_a_nested_config_asking_for_more_weights_than_the_file_holds_is_refused(tmp_path, depth):
    """The weight count is taken at every depth: Linear(12000, 12000) inside 101 Sequentials
    (1.7 GB) is refused as surely as inside 5, before anything is built."""
    import tracemalloc

    cfg: dict = {"type": "Linear", "inputs": 12000, "neurons": 12000, "bias": True}
    for _ in range(depth):
        cfg = {"type": "Sequential", "layers": [cfg]}
    path = hand_model_file(tmp_path, cfg, {"layers.0.W": np.ones((2, 2))})
    tracemalloc.start()
    try:
        with pytest.raises(ModelFileError, match="asks for at least 144000000 weights|levels deep"):
            load_model(path)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 2**22


def test_a_config_nested_past_the_limit_is_refused_even_when_small(tmp_path):
    cfg: dict = {"type": "ReLU"}
    for _ in range(gio.MAX_CONFIG_DEPTH + 1):
        cfg = {"type": "Sequential", "layers": [cfg]}
    path = hand_model_file(tmp_path, cfg, {})
    with pytest.raises(ModelFileError, match="nests more than 64 levels deep"):
        load_model(path)


def test_a_model_too_large_to_build_twice_keeps_its_config(tmp_path, monkeypatch):
    """Checking that the config rebuilds the model builds a second one: when memory does
    not allow it, the classes alone decide, and load_model still rebuilds the model."""
    net = gn.nn.MLP([2, 3, 1], rng=0)

    def out_of_memory(config):
        raise MemoryError("no room for a second model")

    monkeypatch.setattr(gn.nn, "from_config", out_of_memory)
    path = save_model(net, tmp_path / "big.glassnet")
    monkeypatch.undo()
    loaded = load_model(path)
    assert type(loaded) is gn.nn.MLP
    X = np.ones((2, 2), np.float32)
    np.testing.assert_array_equal(loaded.predict(X), net.predict(X))


def test_a_model_nested_past_the_limit_is_saved_so_its_weights_load(tmp_path):
    """save_model does not write a config that load_model refuses as hostile."""

    def nested(seed: int) -> gn.nn.Module:
        net: gn.nn.Module = gn.nn.Linear(2, 1, rng=seed)
        for _ in range(gio.MAX_CONFIG_DEPTH + 5):
            net = gn.nn.Sequential(net)
        return net

    net = nested(1)
    path = save_model(net, tmp_path / "deep.glassnet")
    with pytest.raises(ModelFileError, match="holds the weights of Sequential"):
        load_model(path)
    fresh = gio.load_weights(nested(2), path)
    assert_same(fresh.state_dict(), net.state_dict())


def test_load_state_dict_of_load_arrays_says_what_to_call(tmp_path):
    import glassnet as gn

    model = gn.nn.MLP([3, 4, 2], rng=0)
    path = tmp_path / "m.glassnet"
    gn.io.save_model(model, path)
    other = gn.nn.MLP([3, 4, 2], rng=1)
    before = [p.data.copy() for p in other.parameters()]
    with pytest.raises(TypeError, match=r"load_arrays\(path\)\[0\]"):
        other.load_state_dict(gn.io.load_arrays(path))
    assert all((p.data == b).all() for p, b in zip(other.parameters(), before))
    other.load_state_dict(gn.io.load_arrays(path)[0])  # what the message says works
    assert all((p.data == q.data).all() for p, q in zip(other.parameters(), model.parameters()))


def test_load_model_of_a_train_file_is_the_pipeline_that_takes_raw_rows(tmp_path, capsys):
    from glassnet.cli import main

    data = tmp_path / "d.csv"
    rng = np.random.default_rng(0)
    rows = ["x1,x2,color,label"] + [
        f"{a:.3f},{b:.3f},{'red' if a > 0 else 'blue'},{'yes' if a + b > 0 else 'no'}"
        for a, b in rng.standard_normal((80, 2)) * 10 + 5
    ]
    data.write_text("\n".join(rows) + "\n")
    out = tmp_path / "m.glassnet"
    assert main(["train", str(data), "--target", "label", "--out", str(out), "--epochs", "5"]) == 0
    loaded = gn.io.load_model(out)
    assert isinstance(loaded, gn.io.Pipeline)  # not the bare network, which misreads raw rows
    raw = [[1.0, 2.0, "red"], [-30.0, -20.0, "blue"]]
    assert list(loaded.predict(raw)) == list(gn.io.load_pipeline(out).predict(raw))
    net = gn.io.load_model(out, network_only=True)
    assert isinstance(net, gn.nn.Module) and loaded.network.config() == net.config()


def test_a_train_file_replaced_while_it_loads_gives_one_file_s_pipeline(tmp_path, monkeypatch):
    """The network, preprocessing and labels come from one read of the file: a file
    replaced by another training run between reads must not mix the two models."""
    from glassnet.cli import main

    rng = np.random.default_rng(0)
    paths = []
    for name, scale in (("a", 1.0), ("b", 1000.0)):
        data = tmp_path / f"{name}.csv"
        rows = ["x1,x2,label"] + [
            f"{a * scale:.3f},{b:.3f},{'yes' if a + b > 0 else 'no'}"
            for a, b in rng.standard_normal((40, 2))
        ]
        data.write_text("\n".join(rows) + "\n")
        out = tmp_path / f"{name}.glassnet"
        argv = ["train", str(data), "--target", "label", "--out", str(out), "--epochs", "2"]
        assert main(argv) == 0
        paths.append(out)
    expected = gn.io.load_model(paths[0])
    target = tmp_path / "served.glassnet"
    target.write_bytes(paths[0].read_bytes())
    real_load = gio._load

    def load_then_replace(*args, **kwargs):
        result = real_load(*args, **kwargs)
        target.write_bytes(paths[1].read_bytes())  # another run finishes meanwhile
        return result

    monkeypatch.setattr(gio, "_load", load_then_replace)
    loaded = gn.io.load_model(target)
    assert loaded.meta == expected.meta
    for p, q in zip(loaded.network.parameters(), expected.network.parameters()):
        np.testing.assert_array_equal(p.data, q.data)


@pytest.fixture
def pipeline_file(tmp_path, capsys):
    from glassnet.cli import main

    data = tmp_path / "d.csv"
    rng = np.random.default_rng(0)
    rows = ["a,b,label"] + [
        f"{a:.3f},{b:.3f},{'yes' if a + b > 0 else 'no'}" for a, b in rng.standard_normal((40, 2))
    ]
    data.write_text("\n".join(rows) + "\n")
    out = tmp_path / "m.glassnet"
    assert main(["train", str(data), "--target", "label", "--out", str(out), "--epochs", "3"]) == 0
    capsys.readouterr()
    return out


def test_pipeline_refuses_a_value_that_overflows_the_network_s_dtype(pipeline_file):
    """1e300 became inf in float32, NaN in the network: a class, with a RuntimeWarning only
    (the command line's predict refuses it)."""
    p = gio.load_pipeline(pipeline_file)
    with pytest.raises(ValueError, match=r"row 1 of X, column 'a', is 1\.\d+e\+300 as the net"):
        p.predict([[0.1, 0.2], [1e300, 0.0]])
    with pytest.raises(ValueError, match="beyond float32's largest"):
        p.predict_proba({"a": [0.1], "b": [-1e39]})
    assert p.predict([[0.1, 0.2]]).shape == (1,)


def test_pipeline_reads_a_dict_of_single_values_as_one_row_and_pandas_na_as_missing(
    pipeline_file,
):
    """{'a': 0.1, 'b': 0.2} was "TypeError: 'float' object is not iterable"; pandas.NA
    "'<NA>' ... is categorical, not numeric"; unknown='foo' was ignored."""
    p = gio.load_pipeline(pipeline_file)
    assert list(p.predict({"a": 0.1, "b": 0.2})) == list(p.predict([[0.1, 0.2]]))
    with pytest.raises(ValueError, match=r"column 'b' is one value \(0\.2\) where other"):
        p.predict({"a": [0.1, 0.3], "b": 0.2})
    with pytest.raises(ValueError, match="Missing value nan in row 0 of X, column 'a'"):
        p.predict([[np.float32("nan"), 0.2]])
    pd = pytest.importorskip("pandas")
    with pytest.raises(ValueError, match="Missing value <NA> in row 0 of X, column 'a'"):
        p.predict([[pd.NA, 0.2]])
    with pytest.raises(ValueError, match="The 'unknown' parameter must be 'error' or 'ignore'"):
        p.predict([[0.1, 0.2]], unknown="foo")


def test_pipeline_errors_speak_of_the_rows_x_a_caller_passed(pipeline_file):
    """The reader's words for a file ("at line 3 of <Pipeline input>", "pass
    impute='mean'", which predict does not take, "use a Preprocessor") said of X."""
    p = gio.load_pipeline(pipeline_file)  # (trained without --impute: it cannot fill)
    with pytest.raises(ValueError) as e:
        p.predict({"a": [0.1, None], "b": [0.2, 0.3]})
    message = str(e.value)
    assert message.startswith("Missing value None in row 1 of X, column 'a': fill it in or drop")
    assert "trained without --impute" in message and "impute=" not in message
    assert "<Pipeline input>" not in message and "line" not in message
    with pytest.raises(ValueError) as e:
        p.predict({"a": [0.1, "abc"], "b": [0.2, 0.3]})
    assert str(e.value) == (
        "'abc' in row 1 of X, column 'a' is not a number, and the model reads column 'a' as "
        "numbers: fix the value."
    )


# ----------------------------------------------------------------------------- not ours


def test_an_onnx_file_is_named_as_one_with_what_to_do(tmp_path):
    """An ONNX model (a protobuf ModelProto: ir_version first, then the producer's name)
    given where a glassnet model file is expected is called one, not a broken safetensors
    file."""
    path = tmp_path / "model.onnx"
    path.write_bytes(b"\x08\x09\x12\x08glassnet\x1a\x050.1.0" + bytes(200))
    for load in (load_model, load_arrays, load_pipeline):
        with pytest.raises(ModelFileError) as info:
            load(path)
        message = str(info.value)
        assert "it looks like an ONNX model (as 'glassnet export' writes)" in message
        assert "glassnet reads its own model files (.safetensors" in message
        assert "give the model file it was exported from" in message
        assert "header length" not in message
    assert gio.file_kind(path) == "binary"  # (what --force decides by: unchanged)
    short = tmp_path / "short.onnx"
    short.write_bytes(b"\x08\x09\x12\x08glassnet")  # cut short: still called ONNX
    with pytest.raises(ModelFileError, match="looks like an ONNX model"):
        load_model(short)


def test_a_real_onnx_export_is_named_as_one(tmp_path):
    onnx = pytest.importorskip("onnx")
    from onnx import TensorProto, helper

    graph = helper.make_graph(
        [helper.make_node("Identity", ["x"], ["y"])],
        "g",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, [1])],
    )
    path = tmp_path / "m.onnx"
    onnx.save(helper.make_model(graph, producer_name="glassnet"), str(path))
    with pytest.raises(ModelFileError, match="looks like an ONNX model"):
        load_model(path)


# ----------------------------------------------------------------------------- read-only


def test_a_read_only_file_is_never_replaced(tmp_path):
    """A file made read-only (mode 0444) is refused by every writer of model files, even
    run as root (who may write any file): the user meant to protect it."""
    model = gn.nn.MLP([2, 3, 1], rng=0)
    path = tmp_path / "kept.glassnet"
    save_model(model, path)
    before = path.read_bytes()
    os.chmod(path, 0o444)
    assert gio.read_only(path) and not gio.read_only(tmp_path / "missing.glassnet")
    other = gn.nn.MLP([2, 3, 1], rng=1)
    writers = [
        lambda: save_model(other, path),
        lambda: save_arrays(path, {"w": np.zeros(2)}),
        lambda: save_checkpoint(path, other.state_dict(), {}),
    ]
    for write in writers:
        with pytest.raises(ModelFileError) as info:
            write()
        message = str(info.value)
        assert f"cannot write '{path}': the file is read-only (mode 0444)" in message
        assert f"chmod u+w '{path}'" in message and "choose another path" in message
        assert path.read_bytes() == before and stat.S_IMODE(os.stat(path).st_mode) == 0o444
    os.chmod(path, 0o644)  # made writable again: replaced as before
    save_model(other, path)
    assert path.read_bytes() != before and not gio.read_only(path)


def test_a_config_in_pytorchs_names_asking_for_more_weights_is_refused_too(tmp_path):
    """Linear(in_features=25000, out_features=25000) counted 0 weights: the 520-byte file
    built a 2.5 GB matrix (7 GB at its peak) before its tensors were compared."""
    import tracemalloc

    cfg = {"type": "Linear", "in_features": 12000, "out_features": 12000, "dtype": "float32"}
    path = hand_model_file(tmp_path, cfg, {"W": np.zeros((4, 8))})
    tracemalloc.start()
    try:
        with pytest.raises(ModelFileError, match="asks for at least 144000000 weights"):
            load_model(path)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 2**22
