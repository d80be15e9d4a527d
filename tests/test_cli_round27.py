"""The command line, round 27: flag combinations (the cliflags27 audit). A bundled set's
--task regression says why (and a 0/1 target is a number); a misnamed output is refused
before --force is advised; explain --top K shows K terms; demo's advice after few epochs;
info's command line trains the same model; evaluate of a two-target model given one
--target; --lr's help and gd; --categorical with --drop; options given twice; --stream's
batch and buffer notes; bundled sets' target names; export --impute-from's error."""

import shlex
import shutil
import subprocess

import numpy as np
import pytest
from cli_helpers import FAST, run, write_csv


def table(tmp_path, n=40, name="d.csv", features=2):
    rng = np.random.default_rng(0)
    X = rng.normal(size=(n, features))
    header = [f"x{j + 1}" for j in range(features)] + ["c", "label"]
    body = [[*(f"{v:.3f}" for v in x), "ab"[i % 2], "yes" if x.sum() > 0 else "no"]
            for i, x in enumerate(X)]  # fmt: skip
    return write_csv(tmp_path / name, header, body)


def model(capsys, tmp_path, *more, features=2):
    data = table(tmp_path, features=features)
    out = tmp_path / "m.glassnet"
    code, _, err = run(capsys, "train", data, "--target", "label", "--out", out, *FAST, *more)
    assert code == 0, err
    return data, out


# ------------------------------------------------ 1. --dataset NAME --task regression


def test_dataset_of_class_names_regression_says_why(capsys, tmp_path):
    pytest.importorskip("sklearn")
    code, _, err = run(capsys, "train", "--dataset", "iris", "--task", "regression",
                       "--out", tmp_path / "m.glassnet", *FAST)  # fmt: skip
    assert code == 2, err
    assert not err.rstrip().endswith(":"), err
    assert "setosa" in err and "--task multiclass" in err, err


def test_dataset_xor_regression_fits_its_0_1_target(capsys, tmp_path):
    code, out, err = run(capsys, "train", "--dataset", "xor", "--task", "regression",
                         "--out", tmp_path / "m.glassnet", *FAST)  # fmt: skip
    assert code == 0, err
    code, out, err = run(capsys, "info", tmp_path / "m.glassnet")
    assert code == 0 and "task          regression" in out, out


# ------------------------------------------------ 2. a misnamed output: no --force advice


def test_predict_out_misnamed_existing_file_is_not_advised_force(capsys, tmp_path):
    data, m = model(capsys, tmp_path)
    other = tmp_path / "mm.glassnet"
    other.write_bytes(m.read_bytes())
    for extra in ([], ["--force"]):
        code, _, err = run(capsys, "predict", m, data, "--out", other, *extra)
        assert code == 2, err
        assert "--force" not in err and ".csv" in err, err


def test_export_misnamed_existing_file_is_not_advised_force(capsys, tmp_path):
    data, m = model(capsys, tmp_path)
    other = tmp_path / "ic.csv"
    other.write_text(data.read_text())
    for extra in ([], ["--force"]):
        code, _, err = run(capsys, "export", m, other, *extra)
        assert code == 2, err
        assert "--force" not in err and ".onnx" in err, err


# ------------------------------------------------ 3. explain --top K: K terms


def test_explain_top_k_shows_k_terms(capsys, tmp_path):
    data, m = model(capsys, tmp_path, features=6)
    code, out, err = run(capsys, "explain", m, data, "--row", "1", "--top", "4")
    assert code == 0, err
    lines = [ln for ln in out.splitlines() if ln.strip().startswith("z1_")]
    assert lines and all("(+ 4 more" in ln for ln in lines), out  # 8 inputs: 6 and c one-hot
    code, out, err = run(capsys, "explain", m, data, "--row", "1", "--top", "1")
    lines = [ln for ln in out.splitlines() if ln.strip().startswith("z1_")]
    assert len(lines) == 1 and "(+ 7 more" in lines[0], out


# ------------------------------------------------ 4. demo's advice


def test_demo_with_few_epochs_suggests_more_epochs(capsys):
    code, out, _ = run(capsys, "demo", "--epochs", "5")
    assert code == 0
    assert "barely" not in out and "--epochs 1000" in out, out


def test_demo_plateau_is_measured(capsys):
    code, out, _ = run(capsys, "demo", "--seed", "1")  # (seed 1: stalls at the default)
    assert code == 0
    assert "plateau" in out and "over the last 100" in out and "--seed" in out, out


# ------------------------------------------------ 5. info's command line


def test_info_command_trains_the_same_model(capsys, tmp_path, monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "0")
    monkeypatch.chdir(tmp_path)
    data = table(tmp_path, n=60, features=3)
    first = tmp_path / "f.glassnet"
    code, _, err = run(capsys, "train", data.name, "--target", "label", "--epochs", "7",
                       "--hidden", "5,3", "--activation", "tanh", "--optimizer", "rmsprop",
                       "--lr", "0.005", "--batch-size", "16", "--l2", "0.01", "--dtype",
                       "float64", "--val-split", "0.2", "--early-stopping", "--patience", "3",
                       "--seed", "5", "--test-split", "0.1", "--no-standardize", "--id",
                       "x3", "--categorical", "c", "--classes", "yes,no", "--threads", "1",
                       "--out", first.name, "-q")  # fmt: skip
    assert code == 0, err
    code, out, err = run(capsys, "info", first.name)
    assert code == 0, err
    line = next(ln for ln in out.splitlines() if "glassnet train " in ln)
    argv = shlex.split(line[line.index("glassnet train ") :])[1:]
    for flag in ("--patience", "--val-split", "--test-split", "--dtype", "--id", "--classes"):
        assert flag in argv, line
    code, _, err = run(capsys, *argv, "--out", "g.glassnet", "-q")
    assert code == 0, err
    assert (tmp_path / "g.glassnet").read_bytes() == first.read_bytes()


# ------------------------------------------------ 6. evaluate: one --target of two


def test_evaluate_two_output_model_with_one_target_names_both(capsys, tmp_path):
    rng = np.random.default_rng(0)
    X = rng.normal(size=(40, 3))
    body = [[*(f"{v:.3f}" for v in x), f"{x[0] + x[1]:.3f}", f"{x[2]:.3f}"] for x in X]
    data = write_csv(tmp_path / "ml.csv", ["a", "b", "c", "y1", "y2"], body)
    m = tmp_path / "mo.glassnet"
    code, _, err = run(capsys, "train", data, "--target", "y1,y2", "--out", m, *FAST)
    assert code == 0, err
    code, _, err = run(capsys, "evaluate", m, data, "--target", "y1")
    assert code == 2, err
    assert "feature column" not in err and "--target y1,y2" in err, err


# ------------------------------------------------ 7. --lr's help


def test_lr_help_names_gd(capsys):
    code, out, _ = run(capsys, "train", "--help")
    assert code == 0
    assert "gd" in " ".join(out.split()).split("--lr LR learning", 1)[1].split("--epochs")[0], out


# ------------------------------------------------ 8. rough edges


@pytest.mark.parametrize("flag", ["--drop", "--id"])
def test_categorical_column_left_out_is_refused(capsys, tmp_path, flag):
    data = table(tmp_path)
    code, _, err = run(capsys, "train", data, "--target", "label", "--categorical", "c", flag,
                       "c", "--out", tmp_path / "m.glassnet", *FAST)  # fmt: skip
    assert code == 2, err
    assert "--categorical" in err and flag in err and "'c'" in err, err


@pytest.mark.parametrize(
    "argv",
    [
        ["train", "{data}", "--target", "label", "--epochs", "3", "--epochs", "2",
         "--out", "{m}", "--hidden", "4"],
        ["train", "{data}", "--target", "label", "--lr", "0.1", "--lr", "0.2", "--epochs",
         "2", "--out", "{m}", "--hidden", "4"],
    ],
)  # fmt: skip
def test_an_option_given_twice_warns(capsys, tmp_path, argv):
    data = table(tmp_path)
    argv = [a.format(data=data, m=tmp_path / "m.glassnet") for a in argv]
    code, _, err = run(capsys, *argv, "-q")
    assert code == 0, err
    flag = argv[4]
    assert f"glassnet: warning: {flag} was given 2 times" in err, err
    assert f"only the last one, {flag} {argv[7]}, was used" in err, err


def test_predict_out_given_twice_warns(capsys, tmp_path):
    data, m = model(capsys, tmp_path)
    a, b = tmp_path / "a.csv", tmp_path / "b.csv"
    code, _, err = run(capsys, "predict", m, data, "--out", a, "--out", b)
    assert code == 0, err
    assert "--out was given 2 times" in err and b.is_file() and not a.exists(), err


def test_stream_batch_larger_than_the_data_is_noted(capsys, tmp_path):
    pytest.importorskip("pyarrow")
    data = table(tmp_path)
    code, _, err = run(capsys, "train", data, "--target", "label", "--stream", "--batch-size",
                       "1000", "--out", tmp_path / "m.glassnet", "--epochs", "1", "--hidden",
                       "4")  # fmt: skip
    assert code == 0, err
    assert "--batch-size 1000 is larger than the training set" in err, err


def test_stream_buffer_in_whole_batches_is_noted(capsys, tmp_path):
    pytest.importorskip("pyarrow")
    data = table(tmp_path)
    code, _, err = run(capsys, "train", data, "--target", "label", "--stream", "--batch-size",
                       "32", "--buffer-size", "8", "--out", tmp_path / "m.glassnet", "--epochs",
                       "1", "--hidden", "4")  # fmt: skip
    assert code == 0, err
    assert "--buffer-size 8" in err and "32 rows" in err, err


def test_dataset_iris_target_is_species(capsys, tmp_path):
    pytest.importorskip("sklearn")
    code, out, err = run(capsys, "train", "--dataset", "iris", "--out",
                         tmp_path / "m.glassnet", *FAST)  # fmt: skip
    assert code == 0, err
    code, out, err = run(capsys, "info", tmp_path / "m.glassnet")
    assert "target        'species'" in out, out


def test_export_impute_from_without_the_target_names_the_flag(capsys, tmp_path):
    pytest.importorskip("onnx")
    rng = np.random.default_rng(0)
    X = rng.normal(size=(40, 2))
    rows = [[f"{a:.3f}", "" if i == 3 else f"{b:.3f}", f"{a - b:.3f}"] for i, (a, b) in
            enumerate(X)]  # fmt: skip
    data = write_csv(tmp_path / "r.csv", ["a", "b", "t"], rows)
    m = tmp_path / "r.glassnet"
    code, _, err = run(capsys, "train", data, "--target", "t", "--impute", "mean", "--out", m,
                       *FAST)  # fmt: skip
    assert code == 0, err
    other = write_csv(tmp_path / "o.csv", ["a", "b"], [r[:2] for r in rows])
    code, _, err = run(capsys, "export", m, tmp_path / "r.onnx", "--impute-from", other)
    assert code == 2, err
    assert "--impute-from" in err and "'t'" in err, err


# ------------------------------------------------ round 27 review (rev27f)


def _info_line_argv(capsys, path):
    code, out, err = run(capsys, "info", path)
    assert code == 0, err
    line = next(ln for ln in out.splitlines() if "glassnet train " in ln)
    return shlex.split(line[line.index("glassnet train ") :])[1:]


@pytest.mark.parametrize(
    "more",
    [
        ["--classes", "maybe,no,yes"],  # (sorted, but 'maybe' is not in the data)
        [],  # (inferred: sorted labels)
    ],
)
def test_info_command_keeps_a_sorted_classes_list_with_an_absent_class(
    capsys, tmp_path, monkeypatch, more
):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "0")
    monkeypatch.chdir(tmp_path)
    data = table(tmp_path, n=40)
    first = tmp_path / "f.glassnet"
    code, _, err = run(capsys, "train", data.name, "--target", "label", *more, "--epochs",
                       "3", "--hidden", "4", "--out", first.name, "-q")  # fmt: skip
    assert code == 0, err
    argv = _info_line_argv(capsys, first.name)
    if more:
        assert argv[argv.index("--classes") + 1] == "maybe,no,yes", argv
    code, _, err = run(capsys, *argv, "--out", "g.glassnet", "-q")
    assert code == 0, err
    assert (tmp_path / "g.glassnet").read_bytes() == first.read_bytes()


def test_info_command_round_trips_numeric_classes(capsys, tmp_path, monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "0")
    monkeypatch.chdir(tmp_path)
    rng = np.random.default_rng(1)
    X = rng.normal(size=(40, 2))
    body = [[f"{a:.3f}", f"{b:.3f}", str((1, 2, 10)[i % 3])] for i, (a, b) in enumerate(X)]
    data = write_csv(tmp_path / "n.csv", ["x1", "x2", "k"], body)
    first = tmp_path / "f.glassnet"
    code, _, err = run(capsys, "train", data.name, "--target", "k", "--task", "multiclass",
                       "--epochs", "3", "--hidden", "4", "--out", first.name, "-q")  # fmt: skip
    assert code == 0, err
    argv = _info_line_argv(capsys, first.name)
    code, _, err = run(capsys, *argv, "--out", "g.glassnet", "-q")
    assert code == 0, err
    assert (tmp_path / "g.glassnet").read_bytes() == first.read_bytes()


def test_demo_with_a_low_lr_suggests_the_default_lr_not_a_seed(capsys):
    code, out, _ = run(capsys, "demo", "--lr", "0.01")
    assert code == 0
    assert "wrong" in out, out  # (the premise: 0.01 leaves rows wrong after 1000 epochs)
    assert "plateau" not in out and "another --seed" not in out.split("wrong")[-1][:200], out
    assert "--lr 5" in out and "--epochs" in out, out


def test_an_option_given_twice_with_the_same_value_does_not_warn(capsys, tmp_path):
    data = table(tmp_path)
    code, _, err = run(capsys, "train", data, "--target", "label", "--epochs", "2",
                       "--epochs", "2", "--hidden", "4", "--out", tmp_path / "m.glassnet",
                       "-q")  # fmt: skip
    assert code == 0, err
    assert "given 2 times" not in err, err


@pytest.mark.skipif(shutil.which("bash") is None, reason="needs bash to read the line back")
def test_info_lines_words_read_back_in_bash_whole_even_with_a_line_break():
    # info's train line wrote a class label "yes\nreally" with shlex.quote, whose quotes hold
    # the raw line break: the command spilled onto a second line of info's table
    from glassnet.cli import _shell_word

    for text in ["no,yes\nreally", "it's", "a\tb\\c", "plain", "bell\x07", "x\r\ny"]:
        word = _shell_word(text)
        assert "\n" not in word and "\r" not in word
        out = subprocess.run(["bash", "-c", f"printf %s {word}"], capture_output=True)
        assert out.stdout.decode() == text, (text, word)
