"""gn.save/gn.load of PyTorch's checkpoint dict, continued: NaN and inf floats kept at any
depth (a diverged run's loss.item()), the depth limit named with its key path for gn.save
and save_checkpoint each, one array or Tensor at several places stored once and given back
one object (as torch.load gives it), and a crafted file loaded only when it is what the
writer writes."""

from __future__ import annotations

import math

import numpy as np
import pytest

import glassnet as gn
import glassnet.io as gio
from glassnet.io import ModelFileError

LIMIT = gio.MAX_JSON_DEPTH - 2  # (gn.save's object: one level inside save_arrays' meta)


def _deep(n: int, leaf=1, wrap=lambda v: [v]):
    value = leaf
    for _ in range(n):
        value = wrap(value)
    return value


def _is_float(value, expected: float) -> bool:
    if type(value) is not float:
        return False
    return math.isnan(value) if math.isnan(expected) else value == expected


# ----------------------------------------------------------------------------- NaN floats


def test_nan_and_inf_floats_round_trip_as_floats_at_any_depth(tmp_path):
    path = tmp_path / "ck.pt"
    nan, inf = float("nan"), float("inf")
    ck = {
        "epoch": 3,
        "loss": nan,  # (loss.item() after the run diverged)
        "np_loss": np.float32("nan"),
        "best": inf,
        "worst": -np.inf,
        "deep": [{"x": (nan, {3: [np.float64(-inf), {"y": [inf, nan]}]})}],
        "w": np.array([np.nan, 1.0]),
    }
    gn.save(ck, path)
    back = gn.load(path)
    assert _is_float(back["loss"], nan) and _is_float(back["np_loss"], nan)
    assert _is_float(back["best"], inf) and _is_float(back["worst"], -inf)
    x = back["deep"][0]["x"]
    assert isinstance(x, tuple) and _is_float(x[0], nan)
    assert _is_float(x[1][3][0], -inf)
    assert _is_float(x[1][3][1]["y"][0], inf) and _is_float(x[1][3][1]["y"][1], nan)
    assert np.isnan(back["w"][0]) and back["w"][1] == 1.0
    for alone in (nan, -inf, [nan]):  # (the object itself, too)
        gn.save(alone, path)
        again = gn.load(path)
        assert repr(again) == repr(alone)
    # a dict of the tag's one key is the user's dict, not a number
    gn.save({"d": {"__float__": "nan"}}, path)
    assert gn.load(path) == {"d": {"__float__": "nan"}}


def test_save_checkpoint_still_refuses_a_nan_setting_saying_what_it_keeps(tmp_path):
    path = tmp_path / "ck.glassnet"
    with pytest.raises(ValueError, match=r"optimizer_state\['loss'\] is nan") as info:
        gio.save_checkpoint(path, {}, {"loss": float("nan")})
    message = str(info.value)
    assert "keeps inf and -inf but not NaN" in message and "gn.save keeps" in message
    assert "finite numbers only" not in message
    assert not path.exists()
    # a checkpoint crafted with the NaN tag gn.save's object uses is refused
    st = gio._safetensors_numpy("saving")
    gio._save(path, st, {}, {"meta": {}, "optimizer": {"loss": {"__float__": "nan"}}}, "checkpoint")
    with pytest.raises(ModelFileError, match="unknown tag '__float__'"):
        gio.load_checkpoint(path)


# ----------------------------------------------------------------------------- depth


def test_gn_save_holds_exactly_its_depth_limit_and_names_the_key_path(tmp_path):
    path = tmp_path / "deep.pt"
    assert LIMIT == 198
    cases = [  # (the deepest that saves, the least that is refused, the refused key path)
        (lambda n: _deep(n), LIMIT, "[0][0]"),
        (lambda n: {"history": {"runs": _deep(n - 2)}}, LIMIT, "history.runs[0]"),
        (lambda n: {"a": _deep(n - 2, leaf=np.ones(1))}, LIMIT, "a[0][0]"),
        (lambda n: {"t": _deep(n - 2, leaf=gn.tensor([1.0]))}, LIMIT, "t[0][0]"),
        (lambda n: {"f": _deep(n - 2, leaf=float("nan"))}, LIMIT, "f[0][0]"),
    ]
    for make, deepest, where in cases:
        gn.save(make(deepest), path)
        assert repr(gn.load(path)) == repr(make(deepest))
        path.unlink()
        with pytest.raises(ValueError) as info:
            gn.save(make(deepest + 1), path)
        message = str(info.value)
        assert message.startswith(f"save: '{where}"), message
        assert f"more than the {LIMIT} levels it holds" in message, message
        assert "'meta'" not in message and "'obj'" not in message
        assert not path.exists()

    # a tuple takes two levels as stored (root dict 1 + 2 * 98), a dict of int keys three
    def tuples(k):
        return {"a": _deep(k, wrap=lambda v: (v,))}

    def int_keyed(k):
        return _deep(k, wrap=lambda v: {0: v})

    for make, most, where in ((tuples, 98, "a[0]"), (int_keyed, 66, "[0][0]")):
        gn.save(make(most), path)
        assert gn.load(path) == make(most)
        path.unlink()
        with pytest.raises(ValueError) as info:
            gn.save(make(most + 1), path)
        assert str(info.value).startswith(f"save: '{where}"), str(info.value)
        assert f"more than the {LIMIT} levels it holds" in str(info.value)
        assert not path.exists()
    for n in (LIMIT + 50, 5000):  # (refused before Python's call stack runs out)
        with pytest.raises(ValueError, match=rf"more than the {LIMIT} levels it holds"):
            gn.save({"x": _deep(n)}, path)


def test_save_checkpoint_depth_refusals_name_their_argument_and_key_path(tmp_path):
    path = tmp_path / "ck.glassnet"
    most = gio.MAX_JSON_DEPTH - 1  # (each lies one level inside the description)
    gio.save_checkpoint(path, {"a": np.ones(1)}, {"x": _deep(most - 1)}, {"m": _deep(most - 1)})
    ck = gio.load_checkpoint(path)
    assert ck.optimizer_state == {"x": _deep(most - 1)} and ck.meta == {"m": _deep(most - 1)}
    path.unlink()
    # an int-keyed dict takes three levels as stored: {"__items__": [[0, ...]]}
    gio.save_checkpoint(path, {}, {"state": {0: _deep(most - 4)}})
    assert gio.load_checkpoint(path).optimizer_state == {"state": {0: _deep(most - 4)}}
    path.unlink()
    with pytest.raises(ValueError) as info:
        gio.save_checkpoint(path, {"a": np.ones(1)}, {"state": {0: _deep(most - 3)}})
    message = str(info.value)
    assert message.startswith(f"'optimizer_state' nests {most + 1} levels"), message
    assert f"more than the {most} a glassnet file holds: optimizer_state['state'][0][0]" in (
        message
    )
    with pytest.raises(ValueError, match=rf"'meta' nests {most + 1} levels.*: meta\['m'\]\[0\]"):
        gio.save_checkpoint(path, {"a": np.ones(1)}, {}, {"m": _deep(most)})
    assert not path.exists()
    for state in ({"x": _deep(5000)}, {"s": {0: _deep(300)}}):  # (before the stack runs out)
        with pytest.raises(ValueError) as info:
            gio.save_checkpoint(path, {}, state)
        message = str(info.value)
        assert message.startswith(f"'optimizer_state' nests more than the {most} levels")
        assert f": optimizer_state['{next(iter(state))}'][0]" in message, message
    loop: dict = {}
    loop["a"] = loop
    with pytest.raises(ValueError, match=r"optimizer_state\['a'\]\['a'\].*holds itself"):
        gio.save_checkpoint(path, {}, loop)
    assert not path.exists()


# ----------------------------------------------------------------------------- sharing


def test_one_array_or_tensor_at_several_places_is_stored_once_and_given_back_one(tmp_path):
    path = tmp_path / "ck.pt"
    a = np.arange(1000.0)
    t = gn.tensor([1.0, 2.0, 3.0], requires_grad=True)
    ck = {
        "model": {"w": a, "t": t},
        "ema": {"w": a, "t": t},  # (an EMA copy that is the same objects)
        "tied": [a, (a,)],
        "t_data": t.data,  # (glassnet's Tensor holds this array itself)
        "t_detached": t.detach(),  # (another Tensor over the same array)
        "view": a[1:],  # (another array over the same memory: stored whole)
        "epoch": 1,
    }
    gn.save(ck, path)
    back = gn.load(path)
    w = back["model"]["w"]
    assert w is back["ema"]["w"] and w is back["tied"][0] and w is back["tied"][1][0]
    assert np.array_equal(w, a)
    assert back["model"]["t"] is back["ema"]["t"] and isinstance(back["model"]["t"], gn.Tensor)
    assert back["model"]["t"].requires_grad
    assert back["t_data"] is back["model"]["t"].data
    detached = back["t_detached"]
    assert detached is not back["model"]["t"] and detached.data is back["t_data"]
    assert not detached.requires_grad
    assert np.array_equal(back["view"], a[1:]) and not np.shares_memory(back["view"], w)
    # stored once: the file holds one copy, not three
    gn.save({"model": {"w": a}, "ema": {"w": a}, "tied": [a]}, path)
    shared = path.stat().st_size
    gn.save({"model": {"w": a}, "ema": {"w": a.copy()}, "tied": [a.copy()]}, path)
    assert shared < a.nbytes + 2000 and path.stat().st_size > 3 * a.nbytes


# ----------------------------------------------------------------------------- crafted files


def _crafted(path, arrays, value, tensors=(), **more):
    meta = {"glassnet.save": "object", "value": value, "tensors": list(tensors), **more}
    gio.save_arrays(path, arrays, meta=meta)
    return path


def _tag(name: str) -> dict:
    return {"__tensor__": f"optim/{name}"}


def test_a_crafted_file_as_the_writer_writes_shared_arrays_loads_them_shared(tmp_path):
    path = tmp_path / "crafted.pt"
    one = {"optim/a": np.ones(2)}
    # what the writer writes for shared arrays and a Tensor met again: loaded
    back = gn.load(_crafted(path, one, {"a": _tag("a"), "b": [_tag("a")]}))
    assert back["a"] is back["b"][0]
    back = gn.load(
        _crafted(
            path, one, {"a": _tag("a"), "b": _tag("a")}, [[["a"], True]],
            same_tensors=[[["b"], 0]],
        )
    )  # fmt: skip
    assert back["a"] is back["b"] and back["a"].requires_grad


def test_a_crafted_file_not_as_the_writer_writes_is_refused_as_corrupt(tmp_path):
    path = tmp_path / "crafted.pt"
    one, two = {"optim/a": np.ones(2)}, {"optim/a": np.ones(2), "optim/b": np.zeros(2)}
    refused = {
        "a tensor the header does not list": (one, {"a": _tag("a"), "b": _tag("b")}, [], {}),
        "a stored tensor nothing refers to": (two, {"a": _tag("a")}, [], {}),
        "one Tensor place listed twice": (
            one, {"a": _tag("a")}, [[["a"], True], [["a"], False]], {},
        ),
        "a Tensor met again over another array": (
            two, {"a": _tag("a"), "b": _tag("b")}, [[["a"], True]],
            {"same_tensors": [[["b"], 0]]},
        ),
        "a Tensor met again before its first place": (
            one, {"b": _tag("a"), "a": _tag("a")}, [[["a"], True]],
            {"same_tensors": [[["b"], 0]]},
        ),
        "a Tensor met again at its own first place": (
            one, {"a": _tag("a")}, [[["a"], True]], {"same_tensors": [[["a"], 0]]},
        ),
        "a Tensor met again of no index": (
            one, {"a": _tag("a"), "b": _tag("a")}, [[["a"], True]],
            {"same_tensors": [[["b"], 1]]},
        ),
        "a Tensor met again of a bool index": (
            one, {"a": _tag("a"), "b": _tag("a")}, [[["a"], True]],
            {"same_tensors": [[["b"], False]]},
        ),
        "a Tensor met again at no entry": (
            one, {"a": _tag("a")}, [[["a"], True]], {"same_tensors": [[["zz"], 0]]},
        ),
        "an empty list of Tensors met again": (
            one, {"a": _tag("a")}, [[["a"], True]], {"same_tensors": []},
        ),
        "a key of its own in the description": (one, {"a": _tag("a")}, [], {"extra": 1}),
        "a dict's key listed twice": (one, {"__items__": [[0, _tag("a")], [0, 2]]}, [], {}),
    }  # fmt: skip
    for why, (arrays, value, tensors, more) in refused.items():
        _crafted(path, arrays, value, tensors, **more)
        with pytest.raises(ModelFileError, match="inconsistent.*the file is corrupt"):
            gn.load(path)
            pytest.fail(f"loaded: {why}")


def test_a_checkpoint_still_refuses_one_tensor_at_two_places(tmp_path):
    # (save_checkpoint writes each place's own copy: an optimizer's two entries over one
    # array would update each other)
    path = tmp_path / "ck.glassnet"
    a = np.ones(2)
    gio.save_checkpoint(path, {}, {"m": a, "v": a})
    ck = gio.load_checkpoint(path)
    assert ck.optimizer_state["m"] is not ck.optimizer_state["v"]
    st = gio._safetensors_numpy("saving")
    description = {"meta": {}, "optimizer": {"m": _tag("m"), "v": _tag("m")}}
    gio._save(path, st, {"optim/m": a}, description, "checkpoint")
    with pytest.raises(ModelFileError, match="refers to the tensor 'optim/m' twice"):
        gio.load_checkpoint(path)


def test_a_flat_dict_of_one_array_at_two_names_keeps_it_one(tmp_path):
    path = tmp_path / "ema.pt"
    a = np.arange(1000.0)
    t = gn.tensor([1.0, 2.0], requires_grad=True)
    gn.save({"w": a, "w_ema": a, "t": t, "t_ema": t}, path)
    back = gn.load(path)
    assert back["w"] is back["w_ema"] and back["t"] is back["t_ema"]
    assert back["t"].requires_grad and np.array_equal(back["w"], a)
    assert path.stat().st_size < a.nbytes + 2000
    gn.save({"w": a, "w_ema": a.copy()}, path)  # (a state dict of its own arrays: by name)
    assert gio.load_arrays(path)[0].keys() == {"w", "w_ema"}
