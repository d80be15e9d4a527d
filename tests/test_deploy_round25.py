"""Deployment messages: feeds of a category pandas reads as missing, evaluate's --target
column absent, model and ONNX files under each other's names from Python, columns the
model does not take, and pickle/joblib files given as model files."""

import warnings

import numpy as np
import pytest

import glassnet as gn
from glassnet import io as gio
from glassnet.cli import main


@pytest.fixture(scope="module")
def trained(tmp_path_factory):
    """A 'glassnet train' model whose text column 'region' has the category 'NA'."""
    tmp = tmp_path_factory.mktemp("deploy25")
    rng = np.random.default_rng(1)
    lines = ["a,region,y"]
    for _ in range(60):
        a = rng.normal()
        lines.append(f"{a:.3f},{rng.choice(['NA', 'EU', 'AS'])},{int(a > 0)}")
    data = tmp / "m.csv"
    data.write_text("\n".join(lines) + "\n")
    model = tmp / "m.glassnet"
    argv = ["train", str(data), "--target", "y", "--epochs", "2", "--missing", "", "-q"]
    assert main([*argv, "--out", str(model)]) == 0
    return tmp, data, model


def test_feeds_names_keep_default_na_for_a_category_pandas_reads_as_missing(trained):
    pd = pytest.importorskip("pandas")
    pytest.importorskip("onnx")
    from glassnet.onnx import export, feeds

    tmp, data, model = trained
    proto = export(model, tmp / "m.onnx")
    with pytest.raises(ValueError, match=r"'NA'.*keep_default_na=False") as info:
        feeds(proto, pd.read_csv(data).drop(columns="y"))
    assert "--impute" not in str(info.value)
    got = feeds(proto, pd.read_csv(data, keep_default_na=False).drop(columns="y"))
    assert "NA" in got["region"][:, 0].tolist()


def test_evaluate_with_a_target_the_file_lacks_says_so(trained, tmp_path, capsys):
    tmp, data, model = trained
    bare = tmp_path / "bare.csv"
    bare.write_text("a,region\n0.5,EU\n")
    assert main(["evaluate", str(model), str(bare), "--target", "y"]) == 2
    err = capsys.readouterr().err
    assert "(name the target with --target)" not in err
    assert "--target names the column 'y', which" in err and "a, region" in err


def test_python_writers_refuse_a_name_of_the_other_format(tmp_path):
    pytest.importorskip("onnx")
    from glassnet.onnx import export

    net = gn.nn.MLP([3, 2], rng=0)
    with pytest.raises(ValueError, match=r"names an ONNX model \(\.onnx\), but save_model writes"):
        gio.save_model(net, tmp_path / "model.onnx")
    with pytest.raises(ValueError, match="names a CSV file .* which that name would misdescribe"):
        gio.save_model(net, tmp_path / "preds.csv")
    with pytest.raises(ValueError, match=r"names a glassnet model file \(\.glassnet\), but export"):
        export(net, tmp_path / "net.glassnet", verify=False)
    assert not list(tmp_path.iterdir())
    for name in ("m.glassnet", "m.safetensors", "m.gn", "m"):  # (any other name: as before)
        gio.save_model(net, tmp_path / name)
    export(net, tmp_path / "m.onnx", verify=False)
    gio.save_model(net, tmp_path / "x.onnx", replace_any=True)  # (the opt-out)


def test_columns_the_model_does_not_take_are_named(trained):
    pd = pytest.importorskip("pandas")
    pytest.importorskip("onnx")
    from glassnet.onnx import export, feeds

    tmp, data, model = trained
    rows = pd.read_csv(data, keep_default_na=False)
    rows["note"] = "x"
    pipe = gio.load_pipeline(model)
    with pytest.raises(ValueError, match=r"not in the model: note.*remove them"):
        pipe.predict(rows)
    pipe.predict(rows.drop(columns="note"))  # (the target column: read, not used, as predict)
    proto = export(model, tmp / "m2.onnx")
    with pytest.warns(UserWarning, match=r"not in the model: note"):
        feeds(proto, rows)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        feeds(proto, rows.drop(columns=["note", "y"]))


def test_a_joblib_file_is_named_with_the_way_to_keep_an_estimator(tmp_path):
    joblib = pytest.importorskip("joblib")
    est = {"weights": [1.0, 2.0] * 50}
    joblib.dump(est, tmp_path / "plain.glassnet")
    joblib.dump(est, tmp_path / "packed.glassnet", compress=3)
    with pytest.raises(gio.ModelFileError) as plain:
        gio.load_model(tmp_path / "plain.glassnet")
    assert "pickle" in str(plain.value) and "joblib" in str(plain.value)
    assert "save the model with save_model" not in str(plain.value)
    assert "glassnet.onnx.export(est" in str(plain.value)
    with pytest.raises(gio.ModelFileError, match=r"zlib-compressed.*joblib\.dump"):
        gio.load_model(tmp_path / "packed.glassnet")


def test_export_of_a_hidden_softmax_says_what_to_do():
    pytest.importorskip("onnx")
    from glassnet.onnx import export

    net = gn.nn.MLP([3, 4, 2], activation="softmax", rng=0)
    with pytest.raises(TypeError, match=r"layer 1 of 2 uses it\. .*relu, tanh or sigmoid"):
        export(net)


def test_a_foreign_file_is_named_first_and_a_one_byte_file_in_the_singular(tmp_path):
    import pickle

    (tmp_path / "p.glassnet").write_bytes(pickle.dumps({"a": list(range(50))}, protocol=4))
    with pytest.raises(gio.ModelFileError) as info:
        gio.load_model(tmp_path / "p.glassnet")
    assert str(info.value).split(": ", 1)[1].startswith("it looks like a Python pickle")
    (tmp_path / "one.glassnet").write_bytes(b"a")
    with pytest.raises(gio.ModelFileError, match="the file is 1 byte long,"):
        gio.load_model(tmp_path / "one.glassnet")
