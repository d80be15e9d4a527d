"""Round 21: glassnet's own StandardScaler/OneHotEncoder (the command line's, a model
file's, a Preprocessor's) give arrays whatever scikit-learn's global transform_output says;
the command line's training runs leave the process's warning filters alone."""

import contextlib
import io
import threading
import warnings

import numpy as np
import pytest

sklearn = pytest.importorskip("sklearn")
pd = pytest.importorskip("pandas")

import glassnet.preprocessing as gp  # noqa: E402
from glassnet.cli import main  # noqa: E402
from glassnet.io import load_pipeline  # noqa: E402


@pytest.fixture
def pandas_output():
    """scikit-learn's global transform_output set to 'pandas' (as in many notebooks)."""
    old = sklearn.get_config()["transform_output"]
    sklearn.set_config(transform_output="pandas")
    try:
        yield
    finally:
        sklearn.set_config(transform_output=old)


def _csv(path, n=60, seed=0):
    rng = np.random.default_rng(seed)
    a, b = rng.normal(size=n), rng.normal(size=n)
    c = rng.choice(["x", "y", "z"], size=n)
    y = a + 2 * b + (c == "z") + 0.1 * rng.normal(size=n)
    lines = ["a,b,c,y"] + [
        f"{float(a[i])!r},{float(b[i])!r},{c[i]},{float(y[i])!r}" for i in range(n)
    ]
    path.write_text("\n".join(lines) + "\n")
    return path


def _run(argv):
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        rc = main([str(a) for a in argv])
    return rc, out.getvalue(), err.getvalue()


def _commands(tmp_path, tag):
    """Each command's output on a regression model (a target scaler), in memory and streamed."""
    data = _csv(tmp_path / "d.csv")
    got = {}
    for stream in ((), ("--stream",)):
        model = tmp_path / f"m{tag}{len(stream)}.glassnet"
        argv = ["train", data, "--target", "y", "--epochs", "3", "--seed", "1", "--out", model]
        rc, _, err = _run([*argv, *stream])
        assert rc == 0, err
        preds = tmp_path / f"p{tag}{len(stream)}.csv"
        assert _run(["predict", model, data, "--out", preds])[0] == 0
        got[f"predict{len(stream)}"] = preds.read_text()
        for cmd in (["evaluate", model, data], ["explain", model, "--row", "2", data]):
            rc, out, err = _run(cmd)
            assert rc == 0, err
            got[f"{cmd[0]}{len(stream)}"] = out.replace(str(model), "M")
        pipe = load_pipeline(model)
        frame = pd.read_csv(data, dtype={"c": str})
        got[f"pipeline{len(stream)}"] = (pipe.predict(frame), pipe.transform(frame))
    return got


def test_command_line_and_pipeline_ignore_the_global_pandas_output(tmp_path):
    plain = _commands(tmp_path, "plain")
    old = sklearn.get_config()["transform_output"]
    sklearn.set_config(transform_output="pandas")
    try:
        under = _commands(tmp_path, "pandas")
    finally:
        sklearn.set_config(transform_output=old)
    assert under.keys() == plain.keys()
    for key, value in plain.items():
        if key.startswith("pipeline"):
            for want, have in zip(value, under[key], strict=True):
                assert type(have) is np.ndarray
                np.testing.assert_array_equal(have, want)
        else:
            assert under[key] == value, key


def test_preprocessor_on_a_table_gives_the_same_array(tmp_path, pandas_output):
    from glassnet.datasets import read_csv

    table = read_csv(_csv(tmp_path / "d.csv"))
    pre = gp.Preprocessor().fit(table, ["a", "b", "c"])
    Z = pre.transform(table, extra="ignore")
    assert type(Z) is np.ndarray
    with sklearn.config_context(transform_output="default"):
        np.testing.assert_array_equal(Z, gp.Preprocessor().fit_transform(table, ["a", "b", "c"]))


def test_a_users_own_scaler_still_follows_the_global_setting(pandas_output):
    X = np.arange(6.0).reshape(3, 2)
    assert isinstance(gp.StandardScaler().fit_transform(X), pd.DataFrame)
    assert isinstance(gp.OneHotEncoder().fit_transform([["a"], ["b"]]), pd.DataFrame)
    s = gp.StandardScaler().fit(X)
    np.testing.assert_array_equal(s._transform(X), s.transform(X).to_numpy())
    assert type(s._transform(X)) is np.ndarray


def test_onnx_export_of_a_command_line_model_and_its_feeds(tmp_path, pandas_output):
    pytest.importorskip("onnx")
    ort = pytest.importorskip("onnxruntime")
    import glassnet.onnx as gx

    data = _csv(tmp_path / "d.csv")
    model = tmp_path / "m.glassnet"
    rc, _, err = _run(["train", data, "--target", "y", "--epochs", "3", "--out", model])
    assert rc == 0, err
    gx.export(model, tmp_path / "m.onnx")
    sess = ort.InferenceSession(str(tmp_path / "m.onnx"))
    frame = pd.read_csv(data, dtype=str)
    got = sess.run(None, gx.feeds(sess, frame))[0]
    with sklearn.config_context(transform_output="default"):
        want = load_pipeline(model).predict(pd.read_csv(data, dtype={"c": str}))
    np.testing.assert_allclose(np.asarray(got, dtype=np.float64).ravel(), want.ravel(), rtol=1e-5)


@pytest.mark.filterwarnings("ignore:Stochastic Optimizer")
def test_the_estimators_fit_and_predict_alike(pandas_output):
    from glassnet.sklearn import MLPRegressor

    rng = np.random.default_rng(0)
    X, y = rng.normal(size=(40, 3)), rng.normal(size=40)
    got = MLPRegressor(hidden_layer_sizes=(4,), max_iter=5, random_state=0).fit(X, y).predict(X)
    with sklearn.config_context(transform_output="default"):
        want = (
            MLPRegressor(hidden_layer_sizes=(4,), max_iter=5, random_state=0).fit(X, y).predict(X)
        )
    np.testing.assert_array_equal(got, want)


# ------------------------------ the command line's training runs add no warning filter
def _interrupt_filters():
    return [f for f in warnings.filters if f[1] is not None and "interrupted" in f[1].pattern]


def test_train_adds_no_filter_for_the_interrupt_warning(tmp_path, monkeypatch):
    import glassnet.cli as cli

    data, seen = _csv(tmp_path / "d.csv"), []
    real_fit = cli.fit

    def fit(*args, **kwargs):
        seen.append(_interrupt_filters())
        return real_fit(*args, **kwargs)

    monkeypatch.setattr(cli, "fit", fit)
    for stream in ((), ("--stream",)):
        argv = ["train", data, "--target", "y", "--epochs", "2", "--out", tmp_path / "m"]
        rc, _, err = _run([*argv, "--force", *stream])
        assert rc == 0, err
    assert seen == [[], []]


def test_overlapping_in_process_trains_leave_no_interrupt_filter(tmp_path, monkeypatch):
    import glassnet.cli as cli

    data = _csv(tmp_path / "d.csv")
    real_fit = cli.fit
    a_in_fit, b_in_fit, a_done = threading.Event(), threading.Event(), threading.Event()
    codes = {}

    def fit(*args, **kwargs):  # (A enters, B enters, A leaves, B leaves)
        if threading.current_thread().name == "B":
            b_in_fit.set()
            assert a_done.wait(60)
        else:
            a_in_fit.set()
            assert b_in_fit.wait(60)
        return real_fit(*args, **kwargs)

    def train(name):
        argv = ["train", data, "--target", "y", "--epochs", "2", "--out", tmp_path / name]
        codes[name] = main([str(a) for a in argv])  # (pytest's capture, shared: not _run's)
        if name == "A":
            a_done.set()

    monkeypatch.setattr(cli, "fit", fit)
    with warnings.catch_warnings():  # (the test's own: the filters come back after it)
        a = threading.Thread(target=train, args=("A",), name="A")
        a.start()
        assert a_in_fit.wait(60)  # (B's command starts while A trains)
        b = threading.Thread(target=train, args=("B",), name="B")
        b.start()
        a.join(120)
        b.join(120)
        assert codes == {"A": 0, "B": 0}
        assert _interrupt_filters() == []


def test_on_an_mpiexec_rank_other_than_0_a_stop_rule_renames_the_interrupt(monkeypatch):
    """fit runs no callbacks on a rank other than 0 (rank 0 prints): there the command line's
    OwnInterrupt is a stop rule, so that rank's fit does not warn of Ctrl-C either."""
    import glassnet.cli as cli
    from glassnet import fit
    from glassnet.interrupts import OwnInterrupt
    from glassnet.nn import MLP

    def stop(state):
        raise KeyboardInterrupt

    for rank, where in ((0, "callbacks"), (1, "stop_rules")):
        monkeypatch.setattr(cli._distributed, "launched", lambda rank=rank: (rank, 2))
        given = cli._told_in_our_words([stop], [])
        assert isinstance(given[where][-1], OwnInterrupt)
        X = np.random.default_rng(0).normal(size=(20, 2))
        with warnings.catch_warnings(record=True) as got:
            warnings.simplefilter("always")
            h = fit(MLP([2, 3, 1], rng=0), X, X[:, :1], loss="mse", epochs=3, verbose=0, **given)
        assert [str(w.message) for w in got] == []
        assert OwnInterrupt.named(h).stop_reason == "interrupted"
