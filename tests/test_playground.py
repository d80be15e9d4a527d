"""The playground: its runs (settings, data, training, the slides' numbers, exports) and its
HTTP server (token, origin, validation, a burst of malformed requests)."""

from __future__ import annotations

import http.client
import io
import json
import runpy
import subprocess
import sys
import threading
from importlib import resources
from pathlib import Path

import numpy as np
import pytest

import glassnet as gn
from glassnet import functional as F
from glassnet._validation import ParameterError
from glassnet.explain import explain
from glassnet.playground import LECTURE, Playground, Run, check_config, serve
from glassnet.playground.engine import (
    CLASSIFICATION_DATASETS,
    REGRESSION_DATASETS,
    Diverged,
    make_dataset,
)
from glassnet.playground.export import data_csv, model_bytes


# =====================================================================================
# Settings
# =====================================================================================
def test_defaults_are_tf_playgrounds_first_screen():
    c = check_config({})
    assert c["dataset"] == "circle" and c["hidden"] == [4, 2] and c["activation"] == "tanh"
    assert c["features"] == ["x1", "x2"] and c["lr"] == 0.03 and c["batch_size"] == 10


@pytest.mark.parametrize(
    "bad, word",
    [
        ({"dataset": "mnist"}, "dataset"),
        ({"dataset": "reg-plane"}, "dataset"),  # a regression set for a classification run
        ({"problem": "ranking"}, "problem"),
        ({"hidden": [4] * 7}, "hidden"),
        ({"hidden": [9]}, "hidden"),
        ({"hidden": [0]}, "hidden"),
        ({"hidden": [2.5]}, "hidden"),
        ({"hidden": "4,2"}, "hidden"),
        ({"features": []}, "features"),
        ({"features": ["x1", "x1"]}, "features"),
        ({"features": ["x3"]}, "features"),
        ({"activation": "gelu"}, "activation"),
        ({"lr": float("nan")}, "lr"),
        ({"lr": float("inf")}, "lr"),
        ({"lr": -1}, "lr"),
        ({"lr": "0.1"}, "lr"),
        ({"lr": True}, "lr"),
        ({"reg_rate": 11}, "reg_rate"),
        ({"regularization": "L3"}, "regularization"),
        ({"samples": 10**9}, "samples"),
        ({"grid": 5000}, "grid"),
        ({"noise": 51}, "noise"),
        ({"batch_size": 0}, "batch_size"),
        ({"seed": -1}, "seed"),
        ({"preset": "xnor"}, "preset"),
        ({"colour": "red"}, "colour"),
    ],
)
def test_every_setting_is_checked(bad, word):
    with pytest.raises(ParameterError, match=word):
        check_config(bad)


def test_the_lecture_preset_fixes_its_network_but_not_its_training():
    assert check_config({"preset": "lecture", "lr": 0.5})["lr"] == 0.5
    assert check_config({"preset": "lecture", "hidden": [2]})["hidden"] == [2]
    with pytest.raises(ParameterError, match="lecture preset fixes 'hidden'"):
        check_config({"preset": "lecture", "hidden": [3]})


def test_the_dataset_default_follows_the_problem():
    """{'problem': 'regression'} alone opens on the regression plane (the default dataset,
    'circle', is a classification one: it was refused as if the user had given it); a
    classification dataset given for regression is still refused."""
    run = Run({"problem": "regression"})
    assert run.config["dataset"] == "reg-plane" and run.loss_name == "half_mse"
    run.train(2)
    assert np.isfinite(run.history[-1][1])
    with pytest.raises(ParameterError, match="'reg-plane' or 'reg-gauss'. Got 'circle'"):
        Run({"problem": "regression", "dataset": "circle"})


def test_settings_must_be_an_object():
    with pytest.raises(ParameterError, match="JSON object"):
        check_config([1, 2])


@pytest.mark.parametrize("name", CLASSIFICATION_DATASETS + REGRESSION_DATASETS)
def test_every_dataset_is_finite_seeded_and_labelled(name):
    problem = "classification" if name in CLASSIFICATION_DATASETS else "regression"
    c = check_config({"dataset": name, "problem": problem, "noise": 20, "samples": 200})
    X, y = make_dataset(c)
    assert X.shape == (200, 2) and y.shape == (200,) and np.isfinite(X).all()
    if problem == "classification":
        assert set(np.unique(y)) == {0.0, 1.0}
    else:
        assert np.all(np.abs(y) <= 1) and y.std() > 0.05
    X2, y2 = make_dataset(c)
    assert np.array_equal(X, X2) and np.array_equal(y, y2)  # same seed, same data
    X3, _ = make_dataset({**c, "seed": 1})
    assert not np.array_equal(X, X3)


def test_the_spiral_is_tf_playgrounds():
    # two arms, 1.75 turns each out to radius 5: what 2-4-2-1 on x1, x2 cannot learn at once
    X, y = make_dataset(check_config({"dataset": "spiral", "samples": 400}))
    r = np.hypot(X[:, 0], X[:, 1])
    for label, offset in ((1, 0.0), (0, np.pi)):
        assert np.sum(y == label) == 200
        arm = (y == label) & (r > 0)  # (both arms start at the origin, where t is undefined)
        t = np.arctan2(X[arm, 0], X[arm, 1])  # x = r sin t, y = r cos t
        off = np.angle(np.exp(1j * (t - 2 * np.pi * 1.75 * r[arm] / 5 - offset)))
        assert np.abs(off).max() < 1e-9
    assert r.max() == pytest.approx(5 * 199 / 200)
    Xn, _ = make_dataset(check_config({"dataset": "spiral", "samples": 400, "noise": 50}))
    assert 0.4 < np.abs(Xn - X).max() <= 0.5  # uniform noise up to ±noise/100 an axis


# =====================================================================================
# Runs: training, the slides' numbers
# =====================================================================================
def test_lecture_preset_is_the_slides_xnor_network():
    run = Run({"preset": "lecture"})
    table = run.table()
    assert table["columns"] == ["x1", "x2", "a1", "a2", "y", "y_hat"]
    rows = np.array(table["rows"])
    # the slide: a1 = σ(-6 + 4x1 + 4x2), a2 = σ(2 - 4x1 - 4x2)
    assert rows[:, :2].tolist() == [[0, 0], [0, 1], [1, 0], [1, 1]]
    assert np.round(rows[:, 2:4], 3).tolist() == [
        [0.002, 0.881],
        [0.119, 0.119],
        [0.119, 0.119],
        [0.881, 0.002],
    ]
    # the hidden feature space: one line (-0.5 + a1 + a2 = 0) separates the classes
    hs = run.hidden_space()
    A = np.array(hs["points"])
    z = A @ np.array(hs["w"]) + hs["b"]
    assert np.array_equal(z > 0, run.targets == 1)
    assert hs["w"] == [1.0, 1.0] and hs["b"] == -0.5


def test_training_lowers_the_test_loss():
    run = Run({"dataset": "circle", "seed": 1, "lr": 0.1})
    start = run.history[-1][2]
    run.train(40)
    assert run.epoch == 40
    assert run.history[-1][2] < 0.5 * start
    frame = run.frame()
    assert frame["accuracy"][1] > 0.9
    assert len(frame["thumbs"]) == 1 + len(run.layers)  # inputs, each layer
    assert [len(t) for t in frame["thumbs"]] == [2, 4, 2, 1]


def test_heat_maps_are_the_networks_outputs_on_the_colour_scale():
    import base64

    run = Run({"seed": 2, "grid": 20, "activation": "relu"})
    run.train(2)
    f = run.frame()
    decode = lambda b64: np.frombuffer(base64.b64decode(b64), np.uint8).astype(int)  # noqa: E731
    acts = run.viewer.forward(run.grid_inputs)
    p = acts[-1][:, 0]  # (400,) probabilities: byte = round((2p - 1 + 1) * 127.5)
    assert np.abs(decode(f["output"]) - np.rint(255 * p)).max() <= 1
    relu = acts[0][run.thumb_idx, 2]  # a ReLU neuron, clipped to [-1, 1] for its colour
    assert np.abs(decode(f["thumbs"][1][2]) - np.rint((np.minimum(relu, 1) + 1) * 127.5)).max() <= 1
    x1 = run.grid_inputs[run.thumb_idx, 0] / 6  # an input, scaled by its largest value
    assert np.abs(decode(f["thumbs"][0][0]) - np.rint((x1 + 1) * 127.5)).max() <= 1


def test_regression_run_learns_the_plane():
    run = Run({"dataset": "reg-plane", "problem": "regression", "activation": "linear",
               "hidden": [], "lr": 0.01})  # fmt: skip
    start = run.history[-1][1]
    run.train(20)
    assert run.loss_name == "half_mse" and run.history[-1][1] < 0.05 * start


def _autodiff_grads(run, rows):
    """dL/dw of the batch's mean loss from glassnet's autodiff graph (the other engine)."""
    for p in run.model.parameters():
        p.grad = None
    out = run.model(gn.Tensor(run.X[rows]))
    F.binary_cross_entropy(out, gn.Tensor(run.Y[rows])).backward()
    return np.concatenate([p.grad.ravel() for p in run.model.parameters()])


def test_step_is_one_exact_gradient_descent_update():
    run = Run({"seed": 3, "hidden": [3]})
    rows = run.train_idx[np.random.default_rng([3, 2, 0]).permutation(len(run.train_idx))[:10]]
    expected = _autodiff_grads(Run({"seed": 3, "hidden": [3]}), rows)
    before = run.parameters()
    u = run.step()
    names, b, g, a = zip(*u["rows"])
    assert list(names) == run.parameter_names() and names[:3] == ("w1", "w2", "w3")
    assert sorted(u["batch"]) == sorted(rows.tolist())
    np.testing.assert_array_equal(b, before)
    np.testing.assert_allclose(g, expected, rtol=1e-10, atol=1e-14)
    np.testing.assert_array_equal(np.array(a), np.array(b) - u["lr"] * np.array(g))  # exactly
    np.testing.assert_array_equal(a, run.parameters())


@pytest.mark.parametrize("kind", ["L1", "L2"])
def test_regularization_adds_its_gradient_to_the_weights_only(kind):
    plain = Run({"seed": 2}).step()["rows"]
    reg = Run({"seed": 2, "regularization": kind, "reg_rate": 0.3}).step()["rows"]
    for (name, w, g0, _), (_, _, g1, _) in zip(plain, reg):
        extra = 0.0 if name.startswith("b") else 0.3 * (w if kind == "L2" else np.sign(w))
        assert g1 == pytest.approx(g0 + extra, abs=1e-12), name


# a deep linear network with learning rate 10: its loss becomes NaN within the first epoch
DIVERGING = {
    "activation": "linear",
    "lr": 10,
    "hidden": [8] * 6,
    "features": ["x1", "x2", "x1^2", "x2^2", "x1x2"],
}


def test_a_diverging_step_is_refused_and_the_run_says_why(tmp_path):
    run = Run(DIVERGING)
    with pytest.raises(Diverged, match="learning rate"):
        run.train(3)
    assert run.diverged is not None and "diverged" in run.diverged
    assert run.epoch == 0 and np.isfinite(run.parameters()).all()  # from before that step
    kept, steps = run.parameters(), run.step_count
    with pytest.raises(Diverged):
        run.step()
    assert run.step_count == steps and np.array_equal(run.parameters(), kept)
    frame = run.frame()
    assert frame["diverged"] == run.diverged and frame["train_loss"] is None
    with pytest.raises(Diverged, match="NaN or infinite"):
        run.explain(0, {"kind": "neuron", "layer": 1, "index": 0})
    # the exported script replays the steps taken, to the same weights
    path = tmp_path / "playground_run.py"
    path.write_text(run.script())
    with np.errstate(over="ignore", invalid="ignore"):  # its last line prints a NaN loss
        ns = runpy.run_path(str(path), run_name="__main__")
    mine = np.concatenate([p.data.ravel() for p in ns["model"].parameters()])
    np.testing.assert_array_equal(mine, kept)


def test_a_run_that_recovers_clears_its_divergence():
    run = Run({"preset": "lecture", "lr": 1.0})
    run.diverged = "an earlier refused step"
    run.step()
    assert run.diverged is None and run.frame()["diverged"] is None


def test_explain_numbers_are_glassnet_explains():
    run = Run({"seed": 5})
    run.train(3)
    e = explain(run.model, run.X[7], run.Y[7], "binary_cross_entropy", lr=run.opt.lr)
    n = run.explain(7, {"kind": "neuron", "layer": 2, "index": 1})
    assert n["z"] == e.Z[1][0, 1] and n["a"] == e.A[1][0, 1]
    assert n["gprime"] == e.gprime[1][0, 1] and n["dL_dz"] == e.dL_dZ[1][0, 1]
    assert n["z"] == pytest.approx(n["bias"][1] + sum(w * v for _, w, _, v in n["terms"]))
    assert n["dL_dz"] == pytest.approx(n["dL_da"] * n["gprime"])
    assert n["path"]["value"] == pytest.approx(n["dL_dz"]) and n["path"]["total"] == 1
    edge = run.explain(7, {"kind": "edge", "layer": 2, "from": 3, "to": 0})
    name = edge["name"]
    assert edge["dL_dw"] == e.gradient(name) == pytest.approx(edge["dL_du"] * edge["v"])
    assert edge["after"] == pytest.approx(edge["w"] - run.opt.lr * edge["dL_dw"])
    assert e.paths(name).symbolic == edge["path"]["symbolic"]
    inp = run.explain(7, {"kind": "neuron", "layer": 0, "index": 1})
    assert inp["dL"] == e.dL_dx[0, 1]


def test_explain_in_a_regression_run_uses_the_lectures_loss():
    run = Run({"dataset": "reg-gauss", "problem": "regression", "hidden": [3]})
    n = run.explain(2, {"kind": "neuron", "layer": 2, "index": 0})
    e = explain(run.model, run.X[2], run.Y[2], "half_mse", lr=run.opt.lr)
    assert n["loss_name"] == "half_mse" and n["loss"] == pytest.approx(e.loss)
    assert n["loss"] == pytest.approx(0.5 * (n["y_hat"] - n["y"]) ** 2)
    assert n["dL_da"] == pytest.approx(n["y_hat"] - n["y"])  # dL/dy_hat = y_hat - y
    assert n["activation"] == "identity" and n["gprime"] == 1.0


def test_set_weight_sets_one_weight_or_bias():
    run = Run({"seed": 1})
    before = run.parameters()
    run.set_weight({"kind": "edge", "layer": 2, "from": 3, "to": 1}, 1.5)
    run.set_weight({"kind": "neuron", "layer": 3, "index": 0}, -2)
    assert run.layers[1].W[3, 1] == 1.5 and run.layers[2].b[0] == -2.0
    changed = np.flatnonzero(run.parameters() != before)
    assert [run.parameter_names()[k] for k in changed] == ["w16", "b7"]
    assert run.explain(0, {"kind": "edge", "layer": 2, "from": 3, "to": 1})["w"] == 1.5
    for target, value in [
        ({"kind": "edge", "layer": 0, "from": 0, "to": 0}, 1.0),  # the inputs have no weights
        ({"kind": "edge", "layer": 2, "from": 4, "to": 0}, 1.0),
        ({"kind": "neuron", "layer": 1, "index": 4}, 1.0),
        ({"kind": "edge", "layer": 1, "from": 0, "to": 0}, float("nan")),
        ({"kind": "edge", "layer": 1, "from": 0, "to": 0}, 1e9),
        ({"kind": "edge", "layer": 1, "from": 0, "to": 0}, "1"),
        ("w1", 1.0),
    ]:
        with pytest.raises(ParameterError):
            run.set_weight(target, value)


def test_set_training_changes_only_the_training_settings():
    run = Run({})
    with pytest.raises(ParameterError, match="new run"):
        run.set_training({"hidden": [2]})
    with pytest.raises(ParameterError, match="lr"):
        run.set_training({"lr": -1})


@pytest.mark.parametrize(
    "point, target",
    [
        (10**6, {"kind": "neuron", "layer": 1, "index": 0}),
        (0, {"kind": "neuron", "layer": 1, "index": 99}),
        (0, {"kind": "neuron", "layer": 9, "index": 0}),
        (0, {"kind": "edge", "layer": 0, "from": 0, "to": 0}),
        (0, {"kind": "edge", "layer": 1, "from": 5, "to": 0}),
        (0, {"kind": "bias"}),
        (0, "neuron"),
        ("0", {"kind": "neuron", "layer": 1, "index": 0}),
    ],
)
def test_explain_requests_are_checked(point, target):
    with pytest.raises(ParameterError):
        Run({}).explain(point, target)


# =====================================================================================
# Exports
# =====================================================================================
def test_exported_script_reproduces_the_run(tmp_path, capsys):
    run = Run({"dataset": "xor", "hidden": [3], "seed": 4, "batch_size": 7})
    run.train(2)
    run.set_training({"lr": 0.1, "regularization": "L2", "reg_rate": 0.01})
    run.set_weight({"kind": "edge", "layer": 2, "from": 1, "to": 0}, 2.5)
    run.step()
    run.set_weight({"kind": "neuron", "layer": 1, "index": 2}, -0.75)
    run.train(1)
    run.set_weight({"kind": "edge", "layer": 1, "from": 0, "to": 0}, 0.125)  # after the last
    path = tmp_path / "playground_run.py"
    path.write_text(run.script())
    ns = runpy.run_path(str(path), run_name="__main__")
    mine = np.concatenate([p.data.ravel() for p in ns["model"].parameters()])
    np.testing.assert_array_equal(mine, run.parameters())
    assert f"epoch {run.epoch}" in capsys.readouterr().out


def test_exported_lecture_script_starts_from_the_slide():
    run = Run({"preset": "lecture"})
    run.step()
    ns = {}
    exec(compile(run.script(), "playground_run.py", "exec"), ns)  # noqa: S102
    mine = np.concatenate([p.data.ravel() for p in ns["model"].parameters()])
    np.testing.assert_array_equal(mine, run.parameters())


def _replayed(run):
    """The weights the run's exported script reaches."""
    ns = {}
    exec(compile(run.script(), "playground_run.py", "exec"), ns)  # noqa: S102
    return np.concatenate([p.data.ravel() for p in ns["model"].parameters()])


def test_changes_before_the_same_step_replace_each_other():
    """A slider dragged between two steps sends many values; only the last is replayed."""
    run = Run({"samples": 20, "hidden": [3]})
    run.step()
    for k in range(50):
        run.set_weight({"kind": "edge", "layer": 1, "from": 0, "to": 1}, k / 10)
        run.set_training({"lr": 0.01 + k / 100})
        run.set_weight({"kind": "neuron", "layer": 2, "index": 0}, -k / 10)
    assert run.config["lr"] == 0.5
    run.set_training({"lr": 0.5})  # the settings in effect: not recorded again
    run.step()
    assert run.changes == [
        {"step": 1, "set": [1, 0, 1, 4.9]},
        {"step": 1, "lr": 0.5, "regularization": "none", "reg_rate": 0.0},
        {"step": 1, "set": [2, -1, 0, -4.9]},
    ]
    np.testing.assert_array_equal(_replayed(run), run.parameters())


def test_changes_of_a_long_session_stay_capped_and_replay_exactly():
    """The record of changes grew by one per change made between steps, without end."""
    from glassnet.playground.engine import LIMITS

    run = Run({"samples": 20, "hidden": [5, 3], "regularization": "L1", "reg_rate": 0.001})
    for k in range(LIMITS["changes"] + 300):
        run.set_training({"lr": 0.02 + (k % 5) / 100, "reg_rate": (k % 3) / 1000})
        if k % 4 == 0:
            run.set_weight({"kind": "edge", "layer": 2, "from": k % 5, "to": k % 3}, k % 9 - 4.0)
        run.step()
        assert len(run.changes) <= LIMITS["changes"]
    np.testing.assert_array_equal(_replayed(run), run.parameters())
    # and after one more setting, with no step since the record started again
    run.set_training({"lr": 0.9})
    np.testing.assert_array_equal(_replayed(run), run.parameters())


def test_exported_model_works_with_glassnet_predict(tmp_path, capsys):
    pytest.importorskip("safetensors")
    from glassnet.cli import main

    run = Run({"dataset": "moons", "features": ["x1", "x2", "x1x2"], "seed": 2})
    run.train(5)
    model = tmp_path / "playground.glassnet"
    model.write_bytes(model_bytes(run))
    data = tmp_path / "data.csv"
    data.write_text(data_csv(run))
    loaded = gn.io.load_model(model, network_only=True)
    np.testing.assert_allclose(
        loaded.predict(run.X)[:, 0], run.viewer.forward(run.X)[-1][:, 0], rtol=1e-6
    )
    capsys.readouterr()
    assert main(["predict", str(model), str(data)]) == 0
    labels = capsys.readouterr().out.split()
    assert labels[0] == "label"
    predicted = (run.viewer.forward(run.X)[-1][:, 0] >= 0.5).astype(int)
    assert [int(v) for v in labels[1:]] == predicted.tolist()
    assert main(["evaluate", str(model), str(data)]) == 0
    capsys.readouterr()
    assert main(["info", str(model)]) == 0
    info = capsys.readouterr().out
    assert "data glassnet playground: moons" in info and "--epochs 5" in info


# =====================================================================================
# The server
# =====================================================================================


def _request(pg, method, path, body=None, headers=None, token=True, conn=None):
    h = {"Host": f"127.0.0.1:{pg.port}"}
    if token:
        h["X-Glassnet-Token"] = pg.token
    if body is not None and not isinstance(body, bytes):
        body = json.dumps(body).encode()
        h["Content-Type"] = "application/json"
    h.update(headers or {})
    c = conn or http.client.HTTPConnection("127.0.0.1", pg.port, timeout=10)
    c.request(method, path, body=body, headers=h)
    r = c.getresponse()
    data = r.read()
    if conn is None:
        c.close()
    return r.status, data, r


def test_page_and_assets_need_the_token(server):
    status, data, r = _request(server, "GET", f"/?token={server.token}", token=False)
    assert status == 200 and b"glassnet playground" in data and server.token.encode() in data
    assert "default-src 'none'" in r.getheader("Content-Security-Policy")
    for path in ("/", "/static/app.js", "/static/style.css", "/api/previews"):
        status, data, _ = _request(server, "GET", path, token=False)
        assert status == 403 and b"token" in data
    status, _, _ = _request(server, "GET", "/?token=" + "x" * 32, token=False)
    assert status == 403
    assert _request(server, "GET", "/static/app.js")[0] == 200


def test_only_this_host_and_origin(server):
    assert _request(server, "GET", "/", headers={"Host": "evil.example:80"})[0] == 403
    origin = {"Origin": "http://evil.example"}
    assert _request(server, "POST", "/api/run", {}, headers=origin)[0] == 403
    same = {"Origin": f"http://127.0.0.1:{server.port}"}
    assert _request(server, "POST", "/api/run", {}, headers=same)[0] == 200
    assert server.httpd.server_address[0] == "127.0.0.1"


def test_served_on_every_address_other_computers_ask_by_ip_address():
    pg = Playground(host="0.0.0.0").start()
    try:
        lan = f"192.168.1.10:{pg.port}"  # what another computer's browser sends
        assert _request(pg, "GET", "/api/previews", headers={"Host": lan})[0] == 200
        v6 = {"Host": f"[fe80::1]:{pg.port}"}
        assert _request(pg, "GET", "/api/previews", headers=v6)[0] == 200
        same = {"Host": lan, "Origin": f"http://{lan}"}
        assert _request(pg, "POST", "/api/run", {"config": {"samples": 20}}, headers=same)[0] == 200
        # still refused: a name (DNS rebinding), another port, another origin, no token
        for headers in (
            {"Host": f"evil.example:{pg.port}"},
            {"Host": "192.168.1.10:1"},
            {"Host": lan, "Origin": "http://evil.example"},
            {"Host": lan, "Origin": f"http://127.0.0.1:{pg.port}"},
        ):
            assert _request(pg, "POST", "/api/run", {}, headers=headers)[0] == 403, headers
        assert _request(pg, "GET", "/api/previews", headers={"Host": lan}, token=False)[0] == 403
    finally:
        pg.close()


def test_on_loopback_an_ip_address_host_is_still_refused(server):
    headers = {"Host": f"192.168.1.10:{server.port}"}
    assert _request(server, "GET", "/api/previews", headers=headers)[0] == 403


def test_a_session_through_the_api(server):
    status, data, _ = _request(server, "POST", "/api/run", {"config": {"seed": 1}})
    assert status == 200
    out = json.loads(data)
    rid = out["run"]
    assert out["frame"]["epoch"] == 0 and len(out["data"]["points"]) == 500
    status, data, _ = _request(server, "POST", "/api/train", {"run": rid, "epochs": 3})
    assert status == 200 and json.loads(data)["frame"]["epoch"] == 3
    status, data, _ = _request(server, "POST", "/api/step", {"run": rid})
    update = json.loads(data)["update"]
    state = json.loads(_request(server, "GET", f"/api/state?run={rid}")[1])
    assert [r[3] for r in update["rows"]] == state["parameters"]
    status, data, _ = _request(server, "POST", "/api/settings", {"run": rid, "lr": 0.3})
    assert status == 200 and json.loads(data)["config"]["lr"] == 0.3
    status, data, r = _request(server, "GET", f"/api/export?run={rid}&what=script")
    assert (
        status == 200 and b"glassnet" in data and "attachment" in r.getheader("Content-Disposition")
    )
    status, data, _ = _request(server, "GET", f"/api/export?run={rid}&what=data")
    assert status == 200 and data.startswith(b"x1,x2,label")


MALFORMED = [
    ("POST", "/api/run", b"{not json", {"Content-Type": "application/json"}, 400),
    ("POST", "/api/run", b"[1, 2]", {"Content-Type": "application/json"}, 400),
    ("POST", "/api/run", b'{"config": {"lr": NaN}}', {"Content-Type": "application/json"}, 400),
    (
        "POST",
        "/api/run",
        b'{"config": {"hidden": [8,8,8,8,8,8,8]}}',
        {"Content-Type": "application/json"},
        400,
    ),
    (
        "POST",
        "/api/run",
        b'{"config": {"samples": 1e308}}',
        {"Content-Type": "application/json"},
        400,
    ),
    (
        "POST",
        "/api/run",
        b'{"config": {"grid": 100000}}',
        {"Content-Type": "application/json"},
        400,
    ),
    (
        "POST",
        "/api/run",
        b'{"config": {"dataset": "../../etc/passwd"}}',
        {"Content-Type": "application/json"},
        400,
    ),
    ("POST", "/api/run", b'{"config": 5}', {"Content-Type": "application/json"}, 400),
    ("POST", "/api/run", b'{"evil": 1}', {"Content-Type": "application/json"}, 400),
    ("POST", "/api/run", b"\xff\xfe", {"Content-Type": "application/json"}, 400),
    # (past the body cap: /api/run's is MAX_RUN_BODY, for a link's 1,000 changes, the others'
    # MAX_BODY)
    ("POST", "/api/run", b"[" * 300000, {"Content-Type": "application/json"}, 413),
    ("POST", "/api/settings", b"[" * 100000, {"Content-Type": "application/json"}, 413),
    ("POST", "/api/run", b"[" * 60000, {"Content-Type": "application/json"}, 400),  # deep
    ("POST", "/api/run", b"{}", {"Content-Type": "text/plain"}, 415),
    ("POST", "/api/train", b'{"run": "nope"}', {"Content-Type": "application/json"}, 404),
    ("POST", "/api/train", b'{"run": 5}', {"Content-Type": "application/json"}, 400),
    (
        "POST",
        "/api/explain",
        b'{"run": null, "point": -1}',
        {"Content-Type": "application/json"},
        400,
    ),
    ("GET", "/api/run", None, {}, 405),
    ("DELETE", "/", None, {}, 405),
    ("GET", "/etc/passwd", None, {}, 404),
    ("GET", "/?" + "a=1&" * 30, None, {}, 400),
    ("GET", "/api/state?run=" + "x" * 5000, None, {}, 404),
    ("GET", "/static/../server.py", None, {}, 404),
    ("GET", "/api/export?run=x&what=../../x", None, {}, 404),
]


def test_a_burst_of_1000_malformed_requests_gets_4xx_and_the_server_survives(server):
    _, data, _ = _request(server, "POST", "/api/run", {})
    rid = json.loads(data)["run"]
    bad_for_run = [
        ("POST", "/api/train", {"run": rid, "epochs": 10**9}),
        ("POST", "/api/train", {"run": rid, "epochs": -1}),
        ("POST", "/api/train", {"run": rid, "epochs": "3"}),
        ("POST", "/api/settings", {"run": rid, "lr": "fast"}),
        ("POST", "/api/settings", {"run": rid, "hidden": [2]}),
        ("POST", "/api/explain", {"run": rid, "point": 10**9}),
        ("POST", "/api/explain", {"run": rid, "target": {"kind": "edge", "layer": 7}}),
        ("GET", f"/api/export?run={rid}&what=weights", None),
        ("POST", "/api/weight", {"run": rid, "target": {"kind": "edge", "layer": 1}, "value": 1}),
        ("POST", "/api/weight", {"run": rid, "target": {"kind": "neuron", "layer": 1, "index": 0}}),
    ]
    conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
    statuses = []
    for k in range(1000):
        if k % 3 == 0:
            method, path, body = bad_for_run[k % len(bad_for_run)]
            status, data, r = _request(server, method, path, body, conn=conn)
        else:
            method, path, body, headers, want = MALFORMED[k % len(MALFORMED)]
            status, data, r = _request(server, method, path, body, headers=headers, conn=conn)
            assert status == want, (method, path, body[:40] if body else None, data[:200])
        assert 400 <= status < 500 and "error" in json.loads(data)
        statuses.append(status)
        if r.getheader("Connection") == "close":
            conn.close()
            conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
    conn.close()
    assert len(statuses) == 1000
    assert _request(server, "POST", "/api/train", {"run": rid, "epochs": 1})[0] == 200


def _strict_json(data):
    """The body as the page's JSON.parse reads it: no NaN, Infinity or -Infinity."""

    def refuse(name):
        raise AssertionError(f"{name} in a JSON answer (JSON.parse refuses it)")

    return json.loads(data, parse_constant=refuse)


def test_a_diverging_run_answers_json_the_page_can_parse(server):
    status, data, _ = _request(server, "POST", "/api/run", {"config": DIVERGING})
    rid = _strict_json(data)["run"]
    status, data, _ = _request(server, "POST", "/api/train", {"run": rid, "epochs": 5})
    assert status == 200
    out = _strict_json(data)
    assert "Lower the learning rate" in out["frame"]["diverged"]
    assert out["frame"]["train_loss"] is None and out["frame"]["epoch"] == 0
    assert None in np.array(out["table"]["rows"], dtype=object).ravel()  # NaN as null
    status, data, _ = _request(server, "POST", "/api/step", {"run": rid})
    out = _strict_json(data)
    assert status == 200 and out["update"] is None and out["frame"]["diverged"]
    target = {"kind": "edge", "layer": 1, "from": 0, "to": 0}
    status, data, _ = _request(server, "POST", "/api/explain", {"run": rid, "target": target})
    assert status == 409 and "diverged" in _strict_json(data)["error"]
    status, data, _ = _request(server, "GET", f"/api/state?run={rid}")
    assert status == 200 and _strict_json(data)["epoch"] == 0
    status, data, _ = _request(server, "GET", f"/api/export?run={rid}&what=model")
    assert status == 200 and data[8:9] == b"{"


def test_error_messages_name_the_field(server):
    status, data, _ = _request(server, "POST", "/api/run", {"config": {"activation": "gelu"}})
    assert status == 400
    msg = json.loads(data)["error"]
    assert "'activation'" in msg and "'relu'" in msg and "gelu" in msg


def test_many_runs_are_capped(server):
    from glassnet.playground.server import MAX_RUNS

    for _ in range(MAX_RUNS + 3):
        assert (
            _request(server, "POST", "/api/run", {"config": {"grid": 10, "samples": 20}})[0] == 200
        )
    assert len(server.runs) == MAX_RUNS


def test_concurrent_requests_on_one_run(server):
    _, data, _ = _request(server, "POST", "/api/run", {"config": {"samples": 100}})
    rid = json.loads(data)["run"]
    results = []

    def go():
        results.append(_request(server, "POST", "/api/train", {"run": rid, "epochs": 2})[0])

    threads = [threading.Thread(target=go) for _ in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert results == [200] * 6
    assert json.loads(_request(server, "GET", f"/api/state?run={rid}")[1])["epoch"] == 12


def test_static_files_ship_and_need_no_network():
    static = resources.files("glassnet.playground").joinpath("static")
    names = {p.name for p in static.iterdir()}
    assert {"index.html", "app.js", "style.css"} <= names
    for name in names:
        text = static.joinpath(name).read_text()
        for url in ("http://", "https://", "//cdn"):
            cleaned = text.replace('"http://www.w3.org/2000/svg"', "")
            assert url not in cleaned, (name, url)


def test_serve_prints_one_url_line_with_the_token():
    out = io.StringIO()
    pg = serve(port=0, open_browser=False, block=False, out=out)
    try:
        line = out.getvalue().splitlines()[0]
        assert line == f"glassnet playground: {pg.url}"
        assert pg.url.startswith("http://127.0.0.1:") and pg.token in pg.url
        assert _request(pg, "GET", "/api/previews")[0] == 200
    finally:
        pg.close()
    other = Playground()
    assert other.token != pg.token  # new at each start
    other.close()


def test_a_playground_closes_whether_or_not_it_served():
    def close_twice(pg):
        pg.close()
        pg.close()

    for pg in (Playground(), Playground().start()):
        t = threading.Thread(target=close_twice, args=(pg,), daemon=True)
        t.start()
        t.join(timeout=10)
        assert not t.is_alive(), "close() hangs"
        with pytest.raises(OSError):  # the port is released: nothing answers there
            http.client.HTTPConnection("127.0.0.1", pg.port, timeout=2).connect()


def test_bad_port_is_refused():
    with pytest.raises(ParameterError, match="port"):
        Playground(port=70000)


@pytest.mark.parametrize("token", ["short", "my class password 1", "abcdefghijklmnop&x=1", 12])
def test_a_token_that_would_break_the_url_is_refused(token):
    with pytest.raises(ParameterError, match="'token'.*URL"):
        Playground(token=token)


def test_a_chosen_token_opens_the_page():
    with Playground(token="lecture-2026_03.a~b").start() as pg:
        assert pg.url.endswith("?token=lecture-2026_03.a~b")
        status, data, _ = _request(pg, "GET", "/?token=lecture-2026_03.a~b", token=False)
        assert status == 200 and b'content="lecture-2026_03.a~b"' in data


def test_command_line_serves_until_stopped():
    with subprocess.Popen(
        [sys.executable, "-m", "glassnet", "playground", "--no-browser", "--port", "0"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=Path(__file__).parent,
    ) as proc:
        try:
            line = proc.stdout.readline().strip()
            assert line.startswith("glassnet playground: http://127.0.0.1:") and "?token=" in line
            url = line.split(": ", 1)[1]
            port = int(url.split(":")[2].split("/")[0])
            token = url.split("token=")[1]
            c = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
            c.request("GET", f"/?token={token}")
            assert c.getresponse().status == 200
            c.close()
        finally:
            proc.terminate()
            proc.wait(timeout=10)


def test_lecture_weights_are_the_slides():
    assert LECTURE["W"][0] == [[4.0, -4.0], [4.0, -4.0]] and LECTURE["b"][0] == [-6.0, 2.0]


def test_command_line_refuses_a_busy_or_bad_port(server, capsys):
    from glassnet.cli import main

    assert main(["playground", "--no-browser", "--port", str(server.port)]) == 2
    assert "cannot serve on port" in capsys.readouterr().err
    assert main(["playground", "--no-browser", "--port", "70000"]) == 2
    assert "--port must be" in capsys.readouterr().err  # (the option, as given: round 19)


@pytest.mark.parametrize("preset", ["lecture", None])
def test_data_is_json_with_every_weights_name(preset) -> None:
    """The names of the weights came as report's WeightNames (written when read), which
    json cannot write: every new run of the page answered 500."""
    run = Run({"preset": preset} if preset else {"hidden": [3, 2]})
    names = json.loads(json.dumps(run.data()))["names"]
    assert names["weights"] == [[list(row) for row in w] for w in run.names.w]
    assert names["weights"][0][1][0] == run.names.w[0][1][0]
