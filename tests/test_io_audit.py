"""A security review of glassnet.io: hostile and damaged model files are refused with
ModelFileError, naming the file, before they can cost much memory or time."""

from __future__ import annotations

import contextlib
import io
import json
import struct
import sys

import numpy as np
import pytest
from memory_helpers import traced

import glassnet as gn
from glassnet import io as gio
from glassnet.io import ModelFileError


def raw_file(header: dict | bytes, data: bytes = b"") -> bytes:
    """A safetensors file built by hand: length field, header, data."""
    raw = header if isinstance(header, bytes) else json.dumps(header).encode()
    return struct.pack("<Q", len(raw)) + raw + data


def glassnet_metadata(description: str = "{}", **more: str) -> dict[str, str]:
    """The ``__metadata__`` of a glassnet arrays file without a checksum (as an earlier
    glassnet, or a hostile writer, would make it)."""
    return {"format": "glassnet", "format_version": "1", "glassnet": description, **more}


def refused(path, loader=gio.load_arrays) -> str:
    with pytest.raises(ModelFileError) as info:
        loader(path)
    message = str(info.value)
    assert f"'{path}'" in message and "\n" not in message
    return message


def refused_with_peak(path) -> tuple[str, int]:
    """:func:`refused`, and the peak of the memory Python allocated meanwhile (bytes)."""
    return traced(refused, path)


# ----------------------------------------------------------------------------- hostile JSON


@pytest.mark.parametrize("number", ["1e999", "-1e999", "1E400"])
def test_a_number_beyond_a_float_s_range_is_refused_not_read_as_infinity(tmp_path, number):
    """``json.loads`` reads 1e999 as inf, which NaN/Infinity checks do not see."""
    path = tmp_path / "m.glassnet"
    path.write_bytes(raw_file({"__metadata__": glassnet_metadata('{"lr": ' + number + "}")}))
    assert "beyond a float's range" in refused(path)


def test_an_optimizer_state_of_infinite_numbers_is_refused(tmp_path):
    path = gio.save_checkpoint(tmp_path / "c.glassnet", {"W": np.ones(2)}, {"lr": 0.5})
    header_len = struct.unpack("<Q", path.read_bytes()[:8])[0]
    header = json.loads(path.read_bytes()[8 : 8 + header_len])
    del header["__metadata__"]["sha256"]  # (a file without a checksum reads unchecked)
    header["__metadata__"]["glassnet"] = header["__metadata__"]["glassnet"].replace("0.5", "1e999")
    path.write_bytes(raw_file(header, path.read_bytes()[8 + header_len :]))
    assert "beyond a float's range" in refused(path, gio.load_checkpoint)


def test_a_header_of_millions_of_tiny_values_is_refused_before_it_is_parsed(tmp_path):
    """A 6 MB header of ``[],[],...`` would become 2 million lists (130 MB) if parsed."""
    path = tmp_path / "m.glassnet"
    path.write_bytes(raw_file(b'{"k":[' + b"[]," * 2_000_001 + b"[]]}"))
    message, peak = refused_with_peak(path)
    assert f"more than the {gio.MAX_JSON_ITEMS}" in message
    assert peak < 3 * path.stat().st_size  # (the header's bytes, read once)


def test_a_description_of_too_many_escaped_items_is_refused_before_it_is_parsed(
    tmp_path, monkeypatch
):
    """Commas written ``\\u002c`` hide from a count of the header's bytes: the description
    is counted again once decoded."""
    monkeypatch.setattr(gio, "MAX_JSON_ITEMS", 1000)
    hidden = b'{\\"a\\":[' + b"[]\\u002c" * 600 + b"[]]}"  # (a JSON string's escapes)
    meta = json.dumps(glassnet_metadata("X")).encode().replace(b'"X"', b'"' + hidden + b'"')
    path = tmp_path / "m.glassnet"
    path.write_bytes(raw_file(b'{"__metadata__":' + meta + b"}"))
    assert gio._json_items(path.read_bytes()) < 1000
    assert "the glassnet description is not valid JSON (it holds about 1204 items" in refused(path)


def test_the_writers_refuse_a_file_the_readers_would_refuse(tmp_path, monkeypatch):
    """Else a long training run would end by writing a model file nothing can read."""
    path = gio.save_arrays(tmp_path / "m.glassnet", {"W": np.ones(2)})
    before = path.read_bytes()
    monkeypatch.setattr(gio, "MAX_JSON_ITEMS", 1000)
    with pytest.raises(ModelFileError, match=r"its header would hold about \d+ JSON items"):
        gio.save_arrays(path, {"W": np.ones(2)}, {"history": list(range(1000))})
    with pytest.raises(ModelFileError, match="more than the 1000 glassnet reads back"):
        gio.save_arrays(path, {f"w{i}": np.ones(1) for i in range(200)})
    assert path.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == ["m.glassnet"]  # no temporary left
    gio.save_arrays(path, {"W": np.ones(2)}, {"history": list(range(100))})
    assert gio.load_arrays(path)[1] == {"history": list(range(100))}


def test_a_checkpoint_whose_optimizer_entries_share_one_tensor_is_refused(tmp_path):
    """Adam's m and v as one array would each update the other."""
    state = {"m": np.zeros(2), "v": np.zeros(2)}
    path = gio.save_checkpoint(tmp_path / "c.glassnet", {"W": np.ones(2)}, state)
    header_len = struct.unpack("<Q", path.read_bytes()[:8])[0]
    header = json.loads(path.read_bytes()[8 : 8 + header_len])
    meta = header["__metadata__"]
    del meta["sha256"]
    description = json.loads(meta["glassnet"])
    v = description["optimizer"]["v"]["__tensor__"]
    description["optimizer"]["v"]["__tensor__"] = description["optimizer"]["m"]["__tensor__"]
    description["optimizer"]["w"] = {"__tensor__": v}  # (every tensor still used)
    meta["glassnet"] = json.dumps(description)
    path.write_bytes(raw_file(header, path.read_bytes()[8 + header_len :]))
    assert "refers to the tensor 'optim/m' twice" in refused(path, gio.load_checkpoint)


@pytest.mark.parametrize(
    ("entry", "match"),
    [
        ({"dtype": "O"}, "unknown dtype 'O'"),
        ({"dtype": "|O"}, "unknown dtype"),
        ({"dtype": "V8"}, "unknown dtype"),
        ({"dtype": ">f8"}, "unknown dtype"),
        ({"dtype": "[('a', '<f4')]"}, "unknown dtype"),
        ({"shape": [10**12]}, "needs 4000000000000 bytes"),
        ({"shape": [0, 2**62]}, "too large for any array"),
        ({"shape": [2**70, 0]}, "too large for any array"),
        ({"shape": [-2]}, "non-negative integers"),
        ({"shape": [2.0]}, "non-negative integers"),
        ({"shape": [True, 2]}, "non-negative integers"),
        ({"data_offsets": [-8, 0]}, "non-negative integers"),
        ({"data_offsets": [0, 2**64 + 8]}, "run past the end"),
    ],
)
def test_hostile_dtypes_shapes_and_offsets_cost_no_memory(tmp_path, entry, match):
    info = {"dtype": "F32", "shape": [2], "data_offsets": [0, 8], **entry}
    path = tmp_path / "m.glassnet"
    path.write_bytes(raw_file({"__metadata__": glassnet_metadata(), "W": info}, bytes(8)))
    message, peak = refused_with_peak(path)
    assert match in message and peak < 1_000_000


@pytest.mark.parametrize("depth", [10**5, 10**6])
def test_json_nested_a_million_deep_is_refused_without_recursion_error(tmp_path, depth):
    nested = "[" * depth + "]" * depth
    path = tmp_path / "m.glassnet"
    path.write_bytes(raw_file({"__metadata__": glassnet_metadata('{"a": ' + nested + "}")}))
    assert "not valid JSON" in refused(path)
    path.write_bytes(raw_file(b'{"a":' + nested.encode() + b"}"))
    assert "not valid JSON" in refused(path)


# ----------------------------------------------------------------------------- damaged files


KINDS = {"model", "checkpoint", "arrays", "safetensors", "empty", "text", "binary"}


def damaged(data: bytes, flips: int, seed: int):
    """Every truncation of ``data``, then ``flips`` seeded copies with one to three bits
    flipped (a flip undone by another is no damage and is left out)."""
    for end in range(len(data)):
        yield data[:end]
    rng = np.random.default_rng(seed)
    for _ in range(flips):
        buf = bytearray(data)
        for _ in range(int(rng.integers(1, 4))):
            buf[int(rng.integers(len(buf)))] ^= 1 << int(rng.integers(8))
        if bytes(buf) != data:
            yield bytes(buf)


def test_every_truncation_and_thousands_of_bit_flips_are_refused(tmp_path):
    """The checksum makes every damaged glassnet file a ModelFileError naming the file:
    none loads with other numbers, none escapes as another exception."""
    net = gn.nn.MLP([3, 4, 2], activation="tanh", output_activation="softmax", rng=0)
    model = gio.save_model(net, tmp_path / "net.glassnet", meta={"classes": ["a", "b"]})
    state = {"lr": 0.1, "m": [np.zeros(3)], "step": (1, 2), 3: {"__x": 1}}
    ckpt = gio.save_checkpoint(tmp_path / "c.glassnet", {"W": np.ones(3, np.float32)}, state)
    path = tmp_path / "x.glassnet"
    for source, loader, flips in [(model, gio.load_model, 2000), (ckpt, gio.load_checkpoint, 500)]:
        for content in damaged(source.read_bytes(), flips, seed=0):
            path.write_bytes(content)
            refused(path, loader)
            assert gio.file_kind(path) in KINDS  # (from the header alone: no checksum)


@pytest.fixture(scope="module")
def train_file(tmp_path_factory):
    from glassnet.cli import main

    folder = tmp_path_factory.mktemp("train")
    rng = np.random.default_rng(0)
    rows = ["a,b,color,label"] + [
        f"{a:.3f},{b:.3f},{'red' if a > 0 else 'blue'},{'yes' if a + b > 0 else 'no'}"
        for a, b in rng.standard_normal((40, 2))
    ]
    (folder / "d.csv").write_text("\n".join(rows) + "\n")
    out = folder / "m.glassnet"
    args = ["train", str(folder / "d.csv"), "--target", "label", "--out", str(out)]
    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
        assert main([*args, "--epochs", "2", "--hidden", "3"]) == 0
    return out


VALUES = [None, True, 0, -1, 3, 2**63, 10**30, 0.5, 1e308, "", "x", "relu", "os.system",
          "__import__", "__tensor__", "object", [], [1], [[]], {}, {"type": "Linear"},
          {"type": "MLP", "sizes": [10**6, 10**6]}, {"__items__": [[1, 2]]}, ["a"] * 3]  # fmt: skip


def test_a_hostile_train_description_is_refused_or_loads(tmp_path, train_file):
    """A file without a checksum can say anything: seeded random values put anywhere in
    a ``glassnet train`` description (class names, sizes, module types, activations)
    either load as a Pipeline or are refused with ModelFileError; nothing is imported."""
    data = train_file.read_bytes()
    header_len = struct.unpack("<Q", data[:8])[0]
    header = json.loads(data[8 : 8 + header_len])
    meta = header["__metadata__"]
    del meta["sha256"]
    description = json.loads(meta["glassnet"])

    def places(x, at=()):
        yield at
        items = x.items() if isinstance(x, dict) else enumerate(x) if isinstance(x, list) else ()
        for k, v in items:
            yield from places(v, (*at, k))

    spots = [at for at in places(description) if at]
    rng = np.random.default_rng(0)
    path = tmp_path / "x.glassnet"
    outcomes = {"loaded": 0, "refused": 0}
    for _ in range(400):
        edited = json.loads(meta["glassnet"])
        at = spots[int(rng.integers(len(spots)))]
        node = edited
        for k in at[:-1]:
            node = node[k]
        node[at[-1]] = json.loads(json.dumps(VALUES[int(rng.integers(len(VALUES)))]))
        header["__metadata__"] = {**meta, "glassnet": json.dumps(edited)}
        path.write_bytes(raw_file(header, data[8 + header_len :]))
        try:
            pipeline = gio.load_model(path)
        except ModelFileError as exc:
            assert f"'{path}'" in str(exc)
            outcomes["refused"] += 1
            continue
        outcomes["loaded"] += 1
        with contextlib.suppress(ValueError, TypeError):  # (a value the rows do not fit)
            pipeline.predict([[1.0, 2.0, "red"]])
    assert outcomes["loaded"] > 50 and outcomes["refused"] > 50


def test_an_integer_of_millions_of_digits_is_refused_even_without_python_s_limit(tmp_path):
    """With ``sys.set_int_max_str_digits(0)`` (a program may switch Python's limit off),
    ``int()`` of a 10-million-digit header number would take minutes: the reader counts the
    digits first and never converts a text of more than ``MAX_INT_DIGITS`` of them."""

    def header_number(digits: str) -> str:
        path = tmp_path / f"m{len(digits)}.glassnet"
        info = '{"dtype": "F32", "shape": [2], "data_offsets": [0, ' + digits + "]}"
        path.write_bytes(raw_file(('{"W": ' + info + "}").encode(), bytes(8)))
        return refused(path)

    limit = sys.get_int_max_str_digits()
    try:
        # Python's limit off: the reader's own bound refuses
        sys.set_int_max_str_digits(0)
        message = header_number("9" * (gio.MAX_INT_DIGITS + 700))
        assert f"an integer has {gio.MAX_INT_DIGITS + 700} digits, more than 4300" in message
        # a million digits, with Python's limit as a tripwire at ten times the reader's: an
        # int() of the text before its digits were counted would fail with Python's message
        # (with the limit off, it would cost the time of a million-digit conversion)
        sys.set_int_max_str_digits(10 * gio.MAX_INT_DIGITS)
        message = header_number("9" * 1_000_000)
        assert "an integer has 1000000 digits, more than 4300" in message, message
    finally:
        sys.set_int_max_str_digits(limit)


def model_file(path, config: dict, values: int = 0) -> object:
    """A model file of one tensor of ``values`` zeros, written by hand (no checksum), for
    hostile configs."""
    header: dict = {"__metadata__": glassnet_metadata(json.dumps({"config": config, "meta": {}}))}
    header["__metadata__"]["kind"] = "model"
    if values:
        header["x"] = {"dtype": "F32", "shape": [values], "data_offsets": [0, 4 * values]}
    path.write_bytes(raw_file(header, bytes(4 * values)))
    return path


@pytest.mark.parametrize(
    "config",
    [
        {"type": "Sequential", "layers": [{"type": "ReLU"}] * 10_001},
        {"type": "MLP", "sizes": [0] * 5_002},
    ],
)
def test_a_config_of_more_modules_than_the_limit_is_refused_before_it_is_built(
    tmp_path, monkeypatch, config
):
    """1.3 million ``{"type": "ReLU"}`` (30 MB) took 550 MB and 8 s to build."""
    monkeypatch.setattr(gn.nn, "from_config", lambda cfg: pytest.fail("built"))
    path = model_file(tmp_path / "m.glassnet", config)
    message = refused(path, gio.load_model)
    assert "builds more than 10000 modules" in message
    # (an honest file of a glassnet before the limit is told where its weights are, not
    # called corrupt)
    assert "load_arrays reads its weights" in message and "corrupt" not in message
    assert isinstance(gio.load_arrays(path)[0], dict)


def test_a_model_of_more_modules_than_the_limit_is_saved_so_its_weights_load(tmp_path):
    """save_model does not write a config that load_model refuses as hostile."""

    def wide(seed: int) -> gn.nn.Module:
        relus = [gn.nn.ReLU() for _ in range(10_000)]
        return gn.nn.Sequential(gn.nn.Linear(2, 1, rng=seed), *relus)

    net = wide(1)
    path = gio.save_model(net, tmp_path / "wide.glassnet")
    with pytest.raises(ModelFileError, match="holds the weights of Sequential"):
        gio.load_model(path)
    fresh = gio.load_weights(wide(2), path)
    np.testing.assert_array_equal(fresh.layers[0].W.data, net.layers[0].W.data)


@pytest.mark.parametrize(
    ("config", "match"),
    [
        ({"type": "MLP", "sizes": [2, 3, 1], "activation": "os.system"}, "os.system"),
        ({"type": "MLP", "sizes": [2, 1], "output_activation": "__import__"}, "__import__"),
        ({"type": "Linear", "inputs": 2, "neurons": 1, "init": "numpy.load"}, "numpy.load"),
        ({"type": "Linear", "inputs": 2, "neurons": 1, "dtype": "O"}, "float32 or float64"),
        ({"type": "subprocess.Popen", "args": ["true"]}, "unknown module type"),
        ({"type": "Sequential", "layers": [{"type": "builtins.eval"}]}, "unknown module type"),
        ({"type": "Sequential", "layers": [{"type": "glassnet.io.save_model"}]}, "unknown"),
    ],
)
def test_names_in_a_config_are_looked_up_in_glassnet_s_tables_never_imported(
    tmp_path, config, match
):
    path = model_file(tmp_path / "m.glassnet", config, values=9)
    message = refused(path, gio.load_model)
    assert "the model config cannot be built" in message and match in message


def test_the_class_name_of_a_weights_only_file_is_only_named_never_imported(tmp_path):
    description = json.dumps({"config": None, "meta": {}, "module": "os.system\n\x1b[2J"})
    path = tmp_path / "m.glassnet"
    path.write_bytes(raw_file({"__metadata__": glassnet_metadata(description, kind="model")}))
    message = refused(path, gio.load_model)  # (one line: the name's control characters escaped)
    assert "holds the weights of os.system\\n\\x1b[2J, a module of your own" in message


@pytest.mark.parametrize("reads", [0, 1, 2])
def test_a_disk_error_while_reading_the_header_is_a_model_file_error(tmp_path, monkeypatch, reads):
    """EIO at the length field, the header or the data: the loaders say which file could
    not be read, as they do for any other unreadable file."""
    path = gio.save_arrays(tmp_path / "m.glassnet", {"W": np.ones(3)})
    real_open = open

    class FailingDisk:
        def __init__(self, *args, **kwargs):
            self.file = real_open(*args, **kwargs)
            self.left = reads

        def __getattr__(self, name):
            return getattr(self.file, name)

        def __enter__(self):
            return self

        def __exit__(self, *exc):
            return self.file.__exit__(*exc)

        def _next(self):
            if self.left == 0:
                raise OSError(5, "Input/output error")
            self.left -= 1

        def read(self, *args):
            self._next()
            return self.file.read(*args)

        def readinto(self, *args):
            self._next()
            return self.file.readinto(*args)

    monkeypatch.setattr(gio, "open", FailingDisk, raising=False)
    for loader in (gio.load_arrays, gio.load_model, gio.load_checkpoint):
        message = refused(path, loader)
        if reads == 2 and loader is not gio.load_arrays:  # (its kind refused before its data)
            assert "is a glassnet arrays file, not a " in message
            continue
        assert "cannot be read ([Errno 5] Input/output error)" in message


def test_a_path_with_a_nul_character_is_a_model_file_error(tmp_path):
    for loader in (gio.load_arrays, gio.load_model, gio.load_checkpoint):
        with pytest.raises(ModelFileError, match=r"a\\x00b.glassnet': a path cannot hold a NUL"):
            loader(tmp_path / "a\0b.glassnet")
    with pytest.raises(ModelFileError, match="a path cannot hold a NUL character"):
        gio.save_arrays(tmp_path / "a\0b.glassnet", {"W": np.ones(2)})


@pytest.mark.parametrize("limit", [None, 0])
def test_the_writers_refuse_an_integer_the_readers_would_refuse(tmp_path, limit):
    """An integer of more than 4300 digits in a description is refused when it is written
    (with Python's limit switched off it was written, and the file then refused on loading),
    its minus sign not counted as a digit."""
    before = sys.get_int_max_str_digits()
    if limit is not None:
        sys.set_int_max_str_digits(limit)
    try:
        path = tmp_path / "m.glassnet"
        for big in (10**4300, -(10**4300)):
            with pytest.raises(ValueError, match=r"\['n'\] is an integer of more than 4300"):
                gio.save_arrays(path, {"W": np.ones(2)}, {"n": big})
        assert not path.exists()
        for edge in (10**4300 - 1, -(10**4300 - 1)):  # 4300 digits, either sign
            gio.save_arrays(path, {"W": np.ones(2)}, {"n": edge})
            assert gio.load_arrays(path)[1] == {"n": edge}
    finally:
        sys.set_int_max_str_digits(before)


def test_an_integer_of_4301_digits_is_refused_whatever_its_sign(tmp_path):
    limit = sys.get_int_max_str_digits()
    sys.set_int_max_str_digits(0)
    try:
        path = tmp_path / "m.glassnet"
        for digits in ("9" * 4301, "-" + "9" * 4301):
            info = '{"dtype": "F32", "shape": [2], "data_offsets": [0, ' + digits + "]}"
            path.write_bytes(raw_file(('{"W": ' + info + "}").encode(), bytes(8)))
            assert "an integer has 4301 digits, more than 4300" in refused(path)
    finally:
        sys.set_int_max_str_digits(limit)


def test_file_kind_of_a_path_with_a_nul_character_is_an_os_error(tmp_path):
    """As its other unreadable paths: the command line catches OSError."""
    with pytest.raises(OSError, match=r"a\\x00b.csv': a path cannot hold a NUL character"):
        gio.file_kind(tmp_path / "a\0b.csv")
