"""Model files: a path swapped for a FIFO while it is opened, and JSON nested deeply."""

from __future__ import annotations

import os
import stat
import sys
import threading

import numpy as np
import pytest

pytest.importorskip("safetensors")

from glassnet import io as gio  # noqa: E402
from glassnet import nn  # noqa: E402


def _at_depth(frames: int, fn):
    """Call ``fn()`` with about ``frames`` more frames on the call stack."""
    if frames <= 0:
        return fn()
    return _at_depth(frames - 1, fn)


def _stack_depth() -> int:
    depth, frame = 0, sys._getframe()
    while frame is not None:
        depth, frame = depth + 1, frame.f_back
    return depth


def _nested(depth: int):
    value: object = "leaf"
    for _ in range(depth):
        value = [value]
    return value


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs named pipes (POSIX)")
@pytest.mark.parametrize("reader", ["load_arrays", "file_kind"])
def test_a_path_that_becomes_a_fifo_after_its_check_is_refused_not_waited_on(
    tmp_path, monkeypatch, reader
):
    # The path is checked (os.stat), then opened: a FIFO put there in between blocked the
    # open until a writer came, forever. os.stat is made to say "regular file" for it, as
    # it said for the file that was there at the check.
    fifo = tmp_path / "model.glassnet"
    os.mkfifo(fifo)
    real_stat = os.stat
    regular = real_stat(tmp_path / ".." / tmp_path.name)  # any stat result, mode replaced

    class Regular:
        def __getattr__(self, name):
            if name == "st_mode":
                return stat.S_IFREG | 0o644
            return getattr(regular, name)

    def stat_(path, *args, **kwargs):
        if os.fspath(path) == os.fspath(fifo):
            return Regular()
        return real_stat(path, *args, **kwargs)

    monkeypatch.setattr(os, "stat", stat_)
    outcome: list[BaseException | object] = []

    def read():
        try:
            outcome.append(getattr(gio, reader)(fifo))
        except BaseException as exc:  # noqa: BLE001 - reported below
            outcome.append(exc)

    worker = threading.Thread(target=read, daemon=True)
    worker.start()
    worker.join(20)
    if worker.is_alive():  # unblock it: a writer comes and goes
        os.close(os.open(fifo, os.O_WRONLY | os.O_NONBLOCK))
        worker.join(20)
        pytest.fail(f"{reader} waited on a FIFO for a writer")
    (result,) = outcome
    expected = gio.ModelFileError if reader == "load_arrays" else OSError
    assert isinstance(result, expected), result
    assert "not a regular file" in str(result) and str(fifo) in str(result)


def test_a_description_glassnet_wrote_loads_however_deep_the_caller_s_stack(tmp_path):
    # Parsing JSON takes a level of Python's recursion limit per level: a description
    # saved from a shallow stack failed to load ("not valid JSON") from a deep one.
    path = tmp_path / "deep.glassnet"
    meta = {"x": _nested(gio.MAX_JSON_DEPTH - 2)}
    gio.save_arrays(path, {"a": np.ones(2, np.float32)}, meta)
    frames = sys.getrecursionlimit() - _stack_depth() - gio.MAX_JSON_DEPTH - 50
    arrays, back = _at_depth(frames, lambda: gio.load_arrays(path))
    assert back == meta and np.array_equal(arrays["a"], np.ones(2, np.float32))


@pytest.mark.parametrize("save", ["save_arrays", "save_model", "save_checkpoint"])
def test_meta_nested_deeper_than_the_readers_read_is_refused_when_saving(tmp_path, save):
    path = tmp_path / "m.glassnet"
    meta = {"x": _nested(gio.MAX_JSON_DEPTH)}
    calls = {
        "save_arrays": lambda: gio.save_arrays(path, {"a": np.ones(1)}, meta),
        "save_model": lambda: gio.save_model(nn.Linear(2, 1, rng=0), path, meta=meta),
        "save_checkpoint": lambda: gio.save_checkpoint(path, {"a": np.ones(1)}, {}, meta),
    }
    with pytest.raises(ValueError, match=rf"'meta' nests {gio.MAX_JSON_DEPTH + 1} levels"):
        calls[save]()
    assert not path.exists()


def test_optimizer_state_nested_deeper_than_the_readers_read_is_refused(tmp_path):
    path = tmp_path / "c.glassnet"
    state = {"x": _nested(gio.MAX_JSON_DEPTH)}
    with pytest.raises(ValueError, match=r"'optimizer_state' nests \d+ levels"):
        gio.save_checkpoint(path, {"a": np.ones(1)}, state)
    assert not path.exists()
    gio.save_checkpoint(path, {"a": np.ones(1)}, {"x": _nested(gio.MAX_JSON_DEPTH - 3)})
    assert gio.load_checkpoint(path).optimizer_state == {"x": _nested(gio.MAX_JSON_DEPTH - 3)}


def test_a_file_nested_deeper_than_the_limit_is_refused_wherever_it_is_read(tmp_path):
    # Written by another tool (here: the writer's checks bypassed): refused from a shallow
    # stack too, with the limit named, not "maximum recursion depth exceeded".
    path = tmp_path / "hostile.glassnet"
    st = gio._safetensors_numpy("saving")
    arrays = gio._clean_arrays({"a": np.ones(1)}, "arrays")
    gio._save(path, st, arrays, {"x": _nested(gio.MAX_JSON_DEPTH)}, kind="arrays")
    for frames in (0, 300):
        with pytest.raises(gio.ModelFileError) as info:
            _at_depth(frames, lambda: gio.load_arrays(path))
        message = str(info.value)
        assert str(path) in message and f"more than {gio.MAX_JSON_DEPTH} levels deep" in message
        assert "recursion" not in message


def test_a_header_nested_a_hundred_thousand_deep_names_the_limit(tmp_path):
    path = tmp_path / "deep.glassnet"
    body = b'{"a":' + b"[" * 100_000 + b"]" * 100_000 + b"}"
    path.write_bytes(len(body).to_bytes(8, "little") + body)
    with pytest.raises(gio.ModelFileError, match=f"more than {gio.MAX_JSON_DEPTH} levels deep"):
        gio.load_arrays(path)


def test_a_model_nested_as_deep_as_load_model_builds_still_round_trips(tmp_path):
    # MAX_CONFIG_DEPTH modules nested is about 130 JSON levels: within MAX_JSON_DEPTH.
    model: nn.Module = nn.Linear(2, 2, rng=0)
    for _ in range(gio.MAX_CONFIG_DEPTH - 1):
        model = nn.Sequential(model)
    path = gio.save_model(model, tmp_path / "nested.glassnet")
    back = gio.load_model(path)
    x = np.ones((1, 2), np.float32)
    assert np.array_equal(back.predict(x), model.predict(x))


class _OwnedBy:
    """An ``os.stat`` result with another owner and group."""

    def __init__(self, real, uid, gid):
        self._real, self.st_uid, self.st_gid = real, uid, gid

    def __getattr__(self, name):
        return getattr(self._real, name)


@pytest.mark.skipif(not hasattr(os, "chown"), reason="needs POSIX owners")
@pytest.mark.parametrize("root", [True, False])
def test_a_replaced_model_file_keeps_its_owner_and_group(tmp_path, monkeypatch, root):
    # A group-writable model of a shared directory became the writer's primary group's (the
    # team lost write access), and root replacing a user's file made it root's.
    path = gio.save_arrays(tmp_path / "team.glassnet", {"a": np.ones(2)})
    real_stat = os.stat
    resolved = os.path.realpath(path)

    def stat_(p, *args, **kwargs):
        info = real_stat(p, *args, **kwargs)
        if os.path.realpath(p) == resolved:
            return _OwnedBy(info, 4321, 8765)
        return info

    calls = []

    def chown(p, uid, gid, **kwargs):  # (os.chown's dir_fd=, None beside the target)
        calls.append((os.path.dirname(p) == str(tmp_path), uid, gid))
        if not root and uid != -1:
            raise PermissionError(1, "Operation not permitted")

    monkeypatch.setattr(os, "stat", stat_)
    monkeypatch.setattr(os, "chown", chown)
    gio.save_arrays(path, {"a": np.zeros(2)})
    expected = [(True, 4321, 8765)] + ([] if root else [(True, -1, 8765)])
    assert calls == expected  # (the temporary file, beside the target, before the rename)
    monkeypatch.undo()
    assert np.array_equal(gio.load_arrays(path)[0]["a"], np.zeros(2))


def test_a_new_model_file_is_not_given_away(tmp_path, monkeypatch):
    calls = []
    monkeypatch.setattr(os, "chown", lambda *args: calls.append(args))
    gio.save_arrays(tmp_path / "new.glassnet", {"a": np.ones(2)})
    gio.save_arrays(tmp_path / "new.glassnet", {"a": np.ones(3)})  # (the same owner)
    assert calls == []


def test_a_tensor_too_large_for_memory_is_a_model_file_error_naming_it(tmp_path, monkeypatch):
    # A file as large as its header says (a sparse file of a terabyte costs no disk) passes
    # every check against its size; NumPy's MemoryError then escaped the loaders.
    path = gio.save_arrays(tmp_path / "huge.glassnet", {"big": np.ones(1000, np.float32)})
    real_empty = np.empty

    def empty(shape, *args, **kwargs):
        if tuple(np.atleast_1d(shape)) == (1000,):
            raise MemoryError("Unable to allocate 1.00 TiB")
        return real_empty(shape, *args, **kwargs)

    monkeypatch.setattr(np, "empty", empty)
    for loader in (gio.load_arrays, gio.load_model, gio.load_checkpoint):
        with pytest.raises(gio.ModelFileError) as info:
            loader(path)
        message = str(info.value)
        if loader is not gio.load_arrays:  # (an arrays file: refused by its kind, nothing read)
            assert str(path) in message and "is a glassnet arrays file, not a " in message
            continue
        assert str(path) in message and "tensor 'big' of shape (1000,) takes 3.9 KiB" in message
        assert "more memory than can be allocated here" in message


@pytest.mark.parametrize(
    ("content", "named"),
    [(b"a,b\n", "a text file (CSV or JSON?)"), (b"{}", "a text file (CSV or JSON?)")],
)
def test_a_file_shorter_than_the_length_field_is_named_by_its_kind(tmp_path, content, named):
    path = tmp_path / "short.glassnet"
    path.write_bytes(content)
    with pytest.raises(gio.ModelFileError, match="shorter than the 8-byte header length") as info:
        gio.load_model(path)
    assert f"it looks like {named}, not a glassnet file" in str(info.value)


def test_text_utf8_cannot_encode_is_a_write_error_naming_the_file(tmp_path):
    # A lone surrogate (text decoded from invalid bytes, e.g. a hostile model file's names)
    # raised a bare UnicodeEncodeError that named no file.
    from glassnet.files import WriteError, atomic_write

    path = tmp_path / "preds.csv"
    with pytest.raises(WriteError) as info:
        atomic_write(path, "x,y\n1,\ud800\n")
    message = str(info.value)
    assert str(path) in message and "'\\ud800' at position 6" in message
    assert "nothing was written" in message
    assert list(tmp_path.iterdir()) == []


class _Bfloat16Tensor:
    """What torch's bfloat16 tensors do here: .numpy() raises TypeError (NumPy has no
    bfloat16), .float() widens them exactly (torch itself may not be installed)."""

    def __init__(self, values):
        self.values = np.asarray(values, np.float32)
        self.dtype = "torch.bfloat16"

    def detach(self):
        return self

    def cpu(self):
        return self

    def numpy(self):
        raise TypeError("Got unsupported ScalarType BFloat16")

    def is_floating_point(self):
        return True

    def float(self):
        return _Float32Tensor(self.values)


class _Float32Tensor(_Bfloat16Tensor):
    def numpy(self):
        return self.values


def test_a_bfloat16_state_dict_loads_into_an_mlp_exactly():
    # NumPy's TypeError ("Got unsupported ScalarType BFloat16") escaped, naming no key.
    weight = np.array([[1.5, -2.0], [0.25, 3.0], [1.0, 0.0]], np.float32)
    state = {"0.weight": _Bfloat16Tensor(weight), "0.bias": _Bfloat16Tensor([0.5, 0, -1])}
    model = gio.load_torch_state_dict(nn.MLP([2, 3], rng=0), state)
    assert np.array_equal(model.state_dict()["layers.0.W"], weight.T)
    assert np.array_equal(model.state_dict()["layers.0.b"], np.array([0.5, 0, -1], np.float32))


def test_a_bfloat16_safetensors_file_is_refused_saying_how_to_convert_it(tmp_path):
    path = tmp_path / "torch.safetensors"
    header = b'{"0.bias": {"dtype": "BF16", "shape": [1], "data_offsets": [0, 2]}}'
    path.write_bytes(len(header).to_bytes(8, "little") + header + b"\0\0")
    with pytest.raises(gio.ModelFileError, match=r"unknown dtype 'BF16'.*v\.float\(\)"):
        gio.load_torch_state_dict(nn.MLP([1, 1], rng=0), path)


@pytest.mark.parametrize("checksum", [True, False])
def test_a_file_written_in_place_while_it_is_read_is_refused_as_such(
    tmp_path, monkeypatch, checksum
):
    # Another program rewriting the file in place (not atomically) while it is read: with
    # a checksum the file was called corrupt ("train again"); without one (another
    # writer's safetensors file) the arrays of two versions loaded mixed, silently.
    path = tmp_path / "m.glassnet"
    n = 50_000  # (more than a read buffer holds: the second tensor is read from the disk)
    first = gio.save_arrays(path, {"a": np.zeros(n), "b": np.zeros(n)}).read_bytes()
    gio.save_arrays(path, {"a": np.ones(n), "b": np.ones(n)})
    second = path.read_bytes()
    if not checksum:  # (the same file without its checksum, as other writers write)
        import json

        def strip(raw):
            n = int.from_bytes(raw[:8], "little")
            header = json.loads(raw[8 : 8 + n])
            del header["__metadata__"]["sha256"]
            text = json.dumps(header).encode()
            return len(text).to_bytes(8, "little") + text + raw[8 + n :]

        first, second = strip(first), strip(second)
    path.write_bytes(first)
    real_read = gio._read_tensors

    def read_while_written(f, entries, source):
        out = real_read(f, entries[:1], source)  # the first tensor of the first version,
        with open(path, "r+b") as g:  # then the rest of the second, written in place
            g.write(second)
        os.utime(path, ns=(os.stat(path).st_atime_ns, os.stat(path).st_mtime_ns + 10**9))
        f.seek(8 + int.from_bytes(second[:8], "little") + entries[1].begin)
        out.update(real_read(f, entries[1:], source))
        return out

    monkeypatch.setattr(gio, "_read_tensors", read_while_written)
    with pytest.raises(gio.ModelFileError, match="the file changed while it was read") as info:
        gio.load_arrays(path)
    assert str(path) in str(info.value) and "checksum" not in str(info.value)


def test_a_file_of_thousands_of_tensors_that_do_not_fit_gets_a_message_of_one_screen(tmp_path):
    # Every name was listed: 20,000 tensors made a message of 189,000 characters.
    path = gio.save_arrays(
        tmp_path / "many.glassnet", {f"t{i}": np.zeros(1, np.float32) for i in range(20_000)}
    )
    with pytest.raises(gio.ModelFileError) as info:
        gio.load_weights(nn.MLP([2, 3], rng=0), path)
    message = str(info.value)
    assert len(message) < 1000, len(message)
    assert "missing 'layers.0.W', 'layers.0.b'; unexpected 't0', 't1'," in message
    assert "'t9' and 19990 more" in message


def test_many_tensors_of_another_shape_are_listed_ten_then_counted():
    expected = {f"w{i}": ((2, 2), np.float32) for i in range(25)}
    arrays = {f"w{i}": np.zeros((3, 2), np.float32) for i in range(25)}
    with pytest.raises(gio.ModelFileError) as info:
        gio.check_arrays_against(arrays, expected)
    message = str(info.value)
    assert message.count("expected shape (2, 2) float32, found (3, 2) float32") == 10
    assert message.endswith("; and 15 more of another shape or dtype")


def test_meta_larger_than_a_header_holds_is_refused_naming_meta(tmp_path):
    # safetensors' "header too large" came as "could not serialize the arrays".
    path = tmp_path / "big.glassnet"
    with pytest.raises(gio.ModelFileError) as info:
        gio.save_arrays(path, {"a": np.ones(2)}, {"notes": "x" * (gio.MAX_HEADER_BYTES + 1)})
    message = str(info.value)
    assert str(path) in message
    assert "would take more than the 100 MB a safetensors header holds" in message
    assert "keep less in 'meta'" in message and "serialize the arrays" not in message
    assert not path.exists()


def test_a_header_over_the_limit_once_escaped_is_refused_naming_meta(tmp_path):
    # 60 MB of quotes: under the limit as text, over it escaped twice in the header.
    path = tmp_path / "big.glassnet"
    with pytest.raises(gio.ModelFileError, match="keep less in 'meta'") as info:
        gio.save_arrays(path, {"a": np.ones(2)}, {"notes": '"' * 30_000_000})
    assert "would take more than the 100 MB" in str(info.value) and not path.exists()


def test_load_torch_state_dict_of_hundreds_of_layers_gets_a_short_message():
    # Every layer name was listed (300 layers: a message of some 2,500 characters).
    state = {}
    for i in range(300):
        state[f"{i}.weight"], state[f"{i}.bias"] = np.ones((2, 2)), np.zeros(2)
    with pytest.raises(ValueError, match="holds 300 Linear layers") as info:
        gio.load_torch_state_dict(nn.MLP([2, 2, 2], rng=0), state)
    assert len(str(info.value)) < 1000 and "'9' and 290 more" in str(info.value)
    with pytest.raises(ValueError, match="in some order") as info:
        gio.load_torch_state_dict(nn.MLP([2, 2, 2], rng=0), state, order=["0"])
    assert len(str(info.value)) < 1000


@pytest.mark.parametrize("writer", ["model", "arrays", "checkpoint"])
@pytest.mark.parametrize("content", [b"a,b,y\n1,2,3\n", b"\x93NUMPY\x00\x01binary"])
def test_the_writers_refuse_to_replace_a_file_of_yours(tmp_path, writer, content):
    """save_model over data.csv replaced the user's data in silence (gn.save and the
    command line refused)."""
    import glassnet as gn
    from glassnet import io as gio

    path = tmp_path / "data.csv"
    path.write_bytes(content)
    net = gn.nn.MLP([2, 3, 1], rng=0)
    write = {
        "model": lambda **kw: gio.save_model(net, path, **kw),
        "arrays": lambda **kw: gio.save_arrays(path, net.state_dict(), **kw),
        "checkpoint": lambda **kw: gio.save_checkpoint(path, net.state_dict(), {}, **kw),
    }[writer]
    with pytest.raises(gio.ModelFileError, match="not a glassnet file .* Delete it or choose"):
        write()
    assert path.read_bytes() == content  # nothing written
    write(replace_any=True)
    assert gio.file_kind(path) in ("model", "arrays", "checkpoint")
    write()  # a glassnet file is replaced as before
