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


# ------------------------------------------------------------ feeds and --decimal ,


@pytest.fixture(scope="module")
def comma_model(tmp_path_factory):
    """A 'glassnet train' model of a ';'-separated file with decimal commas, exported."""
    pytest.importorskip("onnx")
    from glassnet.cli import main
    from glassnet.onnx import export

    tmp = tmp_path_factory.mktemp("comma")
    rng = np.random.default_rng(3)
    lines = ["a;b;c;y"]
    for _ in range(60):
        a, b = rng.normal(), 3 * rng.normal()
        cells = [f"{a:.3f}", f"{b:.2f}", str(rng.choice(["x", "z"])), "yes" if a + b > 0 else "no"]
        lines.append(";".join(cell.replace(".", ",") for cell in cells))
    data = tmp / "eu.csv"
    data.write_text("\n".join(lines) + "\n")
    model = tmp / "eu.glassnet"
    argv = ["train", str(data), "--target", "y", "--decimal", ",", "--epochs", "2"]
    assert main([*argv, "--out", str(model), "-q"]) == 0
    onnx_path = tmp / "eu.onnx"
    export(model, onnx_path)
    return model, onnx_path


def test_feeds_reads_numbers_with_the_decimal_mark_of_the_training_data(comma_model):
    # feeds read '2,041' with float(): "holds the text '2,041'", where glassnet predict and
    # Pipeline.predict read the model's --decimal ','
    ort = pytest.importorskip("onnxruntime")
    from glassnet.onnx import feeds

    model, onnx_path = comma_model
    rows = {"a": ["2,041", "-0,568", " 1,5 "], "b": ["-7,67", "-1,36", "NA"], "c": ["x", "z", "x"]}
    # (round 16: 'NA' is a missing cell, which a model trained without --impute refuses)
    with pytest.raises(ValueError, match="row 2 of column 'b' is missing"):
        feeds(ort.InferenceSession(str(onnx_path), providers=["CPUExecutionProvider"]), rows)
    rows["b"][2] = "0,5"
    got = feeds(ort.InferenceSession(str(onnx_path), providers=["CPUExecutionProvider"]), rows)
    assert np.array_equal(got["a"], np.array([[2.041], [-0.568], [1.5]]))
    assert got["b"][:, 0].tolist() == [-7.67, -1.36, 0.5]
    sess = ort.InferenceSession(str(onnx_path), providers=["CPUExecutionProvider"])
    rows = {"a": ["2,041", "-0,568"], "b": ["-7,67", "1,36"], "c": ["x", "z"]}
    label, proba = sess.run(None, feeds(sess, rows))
    pipe = gio.load_pipeline(model)
    assert label.tolist() == pipe.predict(rows).tolist()
    np.testing.assert_allclose(proba, pipe.predict_proba(rows), rtol=1e-5, atol=1e-6)


def test_feeds_refuses_a_point_in_a_number_of_a_decimal_comma_model(comma_model):
    # '1.234' is no number to a model read with --decimal ',' (a thousands separator there:
    # 1234); feeds read it as 1.234, a thousand times smaller, in silence
    from glassnet.onnx import feeds

    _, onnx_path = comma_model
    rows = {"a": ["1.234"], "b": ["0,5"], "c": ["x"]}
    with pytest.raises(ValueError, match=r"'1\.234'.*decimal mark ','"):
        feeds(onnx_path, rows)
    assert feeds(onnx_path, {"a": [1.234], "b": [0.5], "c": ["x"]})["a"][0, 0] == 1.234
    # a Decimal is read by its text, '2.5', refused there too: the hint is given as for a str
    # (it was left out: "which is not a number." and nothing more)
    from decimal import Decimal

    with pytest.raises(ValueError, match=r"Decimal\('2\.5'\).*decimal mark ','"):
        feeds(onnx_path, {"a": [Decimal("2.5")], "b": [0.5], "c": ["x"]})


def test_feeds_of_a_model_of_the_decimal_point_is_unchanged(tmp_path):
    pytest.importorskip("onnx")
    from glassnet.cli import main
    from glassnet.onnx import export, feeds

    rng = np.random.default_rng(0)
    lines = ["a,c,y"] + [
        f"{v:.3f},{rng.choice(['x', 'z'])},{'yes' if v > 0 else 'no'}" for v in rng.normal(size=40)
    ]
    (tmp_path / "d.csv").write_text("\n".join(lines) + "\n")
    argv = ["train", str(tmp_path / "d.csv"), "--target", "y", "--epochs", "1", "-q"]
    assert main([*argv, "--out", str(tmp_path / "m.glassnet")]) == 0
    proto = export(tmp_path / "m.glassnet")
    assert feeds(proto, {"a": ["1.5"], "c": ["x"]})["a"][0, 0] == 1.5
    with pytest.raises(ValueError, match="holds the text '1,5' at row 0, which is not"):
        feeds(proto, {"a": ["1,5"], "c": ["x"]})


# ------------------------------------------------------------ checkpoints: inf and NaN settings


def test_a_checkpoint_keeps_a_schedulers_state_before_its_first_step(tmp_path):
    # ReduceLROnPlateau starts with best = inf: save_checkpoint refused its state_dict
    # ("is inf; JSON holds finite numbers only") until a first metric was stepped
    from glassnet import optim
    from glassnet.lr_scheduler import ReduceLROnPlateau

    model = nn.MLP([3, 4, 2], rng=0)
    opt = optim.Adam(model.parameters(), lr=0.1)
    sched = ReduceLROnPlateau(opt)
    state = sched.state_dict()
    assert state["best"] == np.inf
    path = tmp_path / "ck.glassnet"
    training = {"optimizer": opt.state_dict(), "scheduler": state}
    gio.save_checkpoint(path, model.state_dict(), training, meta={"epoch": 0, "sched": state})
    _, back, meta = gio.load_checkpoint(path)
    assert back["scheduler"] == state and meta["sched"] == state and meta["epoch"] == 0
    again = ReduceLROnPlateau(optim.Adam(nn.MLP([3, 4, 2]).parameters(), lr=0.1))
    again.load_state_dict(back["scheduler"])
    assert again.state_dict() == state
    assert gn.load(path)["meta"]["sched"]["best"] == np.inf


@pytest.mark.parametrize("value", [np.inf, -np.inf, np.float32(-np.inf)])
def test_checkpoint_settings_of_inf_come_back_as_they_were(tmp_path, value):
    path = tmp_path / "ck.glassnet"
    gio.save_checkpoint(path, {}, {"best": value, "t": (1, value)}, meta={"m": [value]})
    _, state, meta = gio.load_checkpoint(path)
    assert state == {"best": float(value), "t": (1, float(value))}
    assert meta == {"m": [float(value)]}


def test_checkpoint_nan_setting_is_still_refused(tmp_path):
    # (a setting of NaN is a run gone wrong, not a state to resume)
    with pytest.raises(ValueError, match=r"optimizer_state\['loss'\] is nan"):
        gio.save_checkpoint(tmp_path / "ck.glassnet", {}, {"loss": float("nan")})
    with pytest.raises(ValueError, match=r"meta\['loss'\] is nan"):
        gio.save_checkpoint(tmp_path / "ck.glassnet", {}, {}, meta={"loss": float("nan")})
    assert not (tmp_path / "ck.glassnet").exists()


def test_a_checkpoint_meta_that_looks_like_the_tag_is_refused(tmp_path):
    # a dict of the one key glassnet marks such numbers with would read back as the number
    with pytest.raises(ValueError, match="'__float__'"):
        gio.save_checkpoint(tmp_path / "ck.glassnet", {}, {}, meta={"x": {"__float__": "inf"}})
    assert not (tmp_path / "ck.glassnet").exists()


def test_model_and_arrays_descriptions_still_refuse_inf(tmp_path):
    # (their meta is plain JSON, which any reader gets as it is)
    with pytest.raises(ValueError, match="is inf; JSON holds finite numbers only"):
        gio.save_model(nn.MLP([2, 1], rng=0), tmp_path / "m.glassnet", meta={"best": np.inf})


# ------------------------------------------------------------ ONNX paths that are no file


@pytest.mark.skipif(not hasattr(__import__("os"), "mkfifo"), reason="needs named pipes (POSIX)")
def test_onnx_readers_name_an_existing_path_that_is_no_regular_file(tmp_path):
    # a named pipe that exists was "no such ONNX file" / "no such model file"
    import os

    pytest.importorskip("onnx")
    from glassnet.onnx import OnnxError, export, feeds, load

    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    for call in (lambda: load(fifo), lambda: feeds(fifo, {})):
        with pytest.raises(OnnxError, match="'.*pipe' is not a regular file"):
            call()
    with pytest.raises(gio.ModelFileError, match="'.*pipe' is not a regular file"):
        export(fifo)


def test_onnx_readers_refuse_a_file_path_ending_in_a_slash(tmp_path):
    pytest.importorskip("onnx")
    from glassnet.onnx import OnnxError, export, load

    net = nn.MLP([2, 1], rng=0)
    export(net, tmp_path / "m.onnx")
    gio.save_model(net, tmp_path / "m.glassnet")
    with pytest.raises(OnnxError, match="ends in '/', so it names a directory, but .* is a file"):
        load(f"{tmp_path}/m.onnx/")
    with pytest.raises(gio.ModelFileError, match="ends in '/'.*is a file"):
        export(f"{tmp_path}/m.glassnet/")
    assert len(load(tmp_path / "m.onnx").layers) == 1


# ------------------------------------------------ export of a newer 'glassnet train' file


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


def test_export_refuses_a_train_model_of_a_newer_description_format(tmp_path):
    # load_pipeline, predict and gn.load refuse it ("upgrade glassnet"); export wrote an
    # ONNX graph of its preprocessing as this glassnet reads it, which may not be the file's
    pytest.importorskip("onnx")
    import safetensors.numpy as st

    from glassnet.onnx import export

    model = _train_model(tmp_path)
    arrays, description = gio.load_arrays(model)
    description["meta"]["format_version"] = 2  # (as a newer glassnet would write it)
    newer = tmp_path / "newer.glassnet"
    gio._save(newer, st, arrays, description, kind="model")
    with pytest.raises(gio.ModelFileError, match="description format 2.*upgrade glassnet"):
        gio.load_pipeline(newer)
    with pytest.raises(gio.ModelFileError, match="description format 2.*upgrade glassnet"):
        export(newer, tmp_path / "newer.onnx")
    assert not (tmp_path / "newer.onnx").exists()
    export(model, tmp_path / "m.onnx")  # (the file as written exports)


def test_a_file_of_a_newer_format_version_says_to_upgrade(tmp_path):
    import json

    path = gio.save_arrays(tmp_path / "a.glassnet", {"a": np.ones(2)})
    raw = path.read_bytes()
    n = int.from_bytes(raw[:8], "little")
    header = json.loads(raw[8 : 8 + n])
    header["__metadata__"]["format_version"] = "2"
    text = json.dumps(header).encode()
    path.write_bytes(len(text).to_bytes(8, "little") + text + raw[8 + n :])
    for read in (gio.load_arrays, gio.load_model, gn.load):
        with pytest.raises(gio.ModelFileError, match="format_version '2'.*upgrade glassnet"):
            read(path)


@pytest.mark.parametrize(
    "edit, found",
    [
        (lambda m: m["target"].__setitem__("names", [7]), "target.names"),
        (lambda m: m["target"].__setitem__("names", "y"), "target.names"),
        (lambda m: m["target"].pop("labels"), "class labels"),
    ],
    ids=["a number as name", "a text as the list", "no labels"],
)
def test_export_of_a_malformed_train_description_says_so(tmp_path, edit, found):
    # a description that still parses but is malformed (edited, or written by another
    # tool, with its checksum): export raised TypeError, IndexError or AssertionError from
    # deep inside, where predict and load_pipeline say what is wrong
    pytest.importorskip("onnx")
    import safetensors.numpy as st

    from glassnet.onnx import export

    model = _train_model(tmp_path)
    arrays, description = gio.load_arrays(model)
    edit(description["meta"])
    gio._save(model, st, arrays, description, kind="model")
    with pytest.raises(gio.ModelFileError, match=f"description is malformed.*{found}"):
        gio.load_pipeline(model)
    with pytest.raises(gio.ModelFileError, match=f"description is malformed.*{found}"):
        export(model, tmp_path / "m.onnx")
    assert not (tmp_path / "m.onnx").exists()


# ------------------------------------------------------------ feeds: cells of a number column


@pytest.fixture(scope="module")
def point_model(tmp_path_factory):
    """A 'glassnet train' model of a number column 'a' and a text column 'c', exported."""
    pytest.importorskip("onnx")
    from glassnet.onnx import export

    model = _train_model(tmp_path_factory.mktemp("point"))
    return model, export(model)


@pytest.mark.parametrize(
    "cell",
    [
        pytest.param("pd.Timestamp", id="Timestamp"),
        pytest.param(np.datetime64("2020-01-01"), id="datetime64"),
        pytest.param(1 + 2j, id="complex"),
        pytest.param(object(), id="object"),
        pytest.param(b"12", id="bytes"),
        pytest.param(True, id="bool"),
        pytest.param("1_000", id="digits grouped by _"),
    ],
)
def test_feeds_refuses_what_predict_refuses_in_a_number_column(point_model, cell):
    # a Timestamp or a datetime64 raised float()'s TypeError naming no column; b'12', True
    # and '1_000' were read as 12, 1 and 1000, where predict (and the CSV reader) refuse them
    from glassnet.onnx import feeds

    if cell == "pd.Timestamp":
        cell = pytest.importorskip("pandas").Timestamp("2020-01-01")
    model, proto = point_model
    rows = {"a": [0.5, cell], "c": ["x", "z"]}
    with pytest.raises(ValueError, match=r"feeds: column 'a' is a number column .* row 1"):
        feeds(proto, rows)
    with pytest.raises(ValueError, match="not a number"):
        gio.load_pipeline(model).predict(rows)


def test_feeds_reads_numbers_of_any_numeric_type_as_predict_does(point_model):
    import decimal

    from glassnet.onnx import feeds

    model, proto = point_model
    cells = [1, np.int32(-2), np.float32(0.5), decimal.Decimal("1.25"), " 3.5 ", "1e3", None]
    with pytest.raises(ValueError, match="row 6 of column 'a' is missing"):  # (None: no value
        feeds(proto, {"a": cells, "c": ["x"] * len(cells)})  # in a model without --impute)
    got = feeds(proto, {"a": cells[:-1], "c": ["x"] * (len(cells) - 1)})["a"][:, 0]
    assert got.tolist() == [1.0, -2.0, 0.5, 1.25, 3.5, 1000.0]
    rows = {"a": cells[:-1], "c": ["x"] * (len(cells) - 1)}
    assert len(gio.load_pipeline(model).predict(rows)) == len(cells) - 1


def test_export_never_replaces_a_model_file_or_data(tmp_path):
    """export(net, "net.glassnet") destroyed the model, export(net, "data.csv") the data; the
    other writers (save_model, the command line) refuse it."""
    pytest.importorskip("onnx")
    from glassnet.onnx import export

    net = nn.MLP([2, 1], rng=0)
    gio.save_model(net, tmp_path / "net.glassnet")
    (tmp_path / "data.csv").write_text("a,b\n1,2\n")
    for name in ("net.glassnet", "data.csv"):
        before = (tmp_path / name).read_bytes()
        with pytest.raises(ValueError, match="writing the ONNX model would replace it"):
            export(net, tmp_path / name)
        assert (tmp_path / name).read_bytes() == before
    export(net, tmp_path / "data.csv", replace_any=True)
    export(net, tmp_path / "m.onnx")
    export(net, tmp_path / "m.onnx")  # (an ONNX file: replaced)
    (tmp_path / "e.onnx").write_bytes(b"")
    export(net, tmp_path / "e.onnx")


def test_onnx_load_scales_a_float16_gemm_in_float32(tmp_path):
    """alpha x B was taken in float16 (40000 x 2 overflows it), and the Gemm called corrupt;
    the network is float32, where the weights, 80000, are finite."""
    onnx = pytest.importorskip("onnx")
    from onnx import TensorProto, helper, numpy_helper

    from glassnet import onnx as gx

    B = numpy_helper.from_array(np.full((2, 3), 40000, np.float16), "B")
    C = numpy_helper.from_array(np.zeros(3, np.float16), "C")
    node = helper.make_node("Gemm", ["X", "B", "C"], ["Y"], alpha=2.0)
    graph = helper.make_graph(
        [node], "g", [helper.make_tensor_value_info("X", TensorProto.FLOAT16, [None, 2])],
        [helper.make_tensor_value_info("Y", TensorProto.FLOAT16, [None, 3])], [B, C],
    )  # fmt: skip
    path = tmp_path / "g16.onnx"
    onnx.save(helper.make_model(graph, opset_imports=[helper.make_opsetid("", 19)]), path)
    W = next(iter(gx.load(path).parameters())).data
    assert W.dtype == np.float32
    np.testing.assert_array_equal(W, 80000.0)
