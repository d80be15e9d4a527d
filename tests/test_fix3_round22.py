"""Round 22 mends (fix3): class weights far apart under 'mean', the fit-checked flag for
user-built losses, predict --stream --out's writer near PATH_MAX, one home-folder helper."""

import os
import warnings

import numpy as np
import pytest
from browser_helpers import needs_browser, open_playground
from test_portable_round22 import _cli, _near_path_max, trained  # noqa: F401

import glassnet as gn

X = np.array([[4.0, -3, 1], [5, -2, 0], [3, 1, 9], [1, 2, 3]])


def _ce(dt, w, t, x=X, **kw):
    z = gn.tensor(x, dtype=dt, requires_grad=True)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        loss = gn.nn.CrossEntropyLoss(weight=np.array(w), **kw)(z, np.array(t))
        loss.backward()
    return loss, z.grad


# 1. a tiny class weight beside a huge one: the mean of the tiny class alone (its ratio kept)
@pytest.mark.parametrize(
    "dt, w",
    [
        (gn.float32, [1e30, 1e-10, 1.0]),
        (gn.float32, [1e38, 1e-30, 1.0]),
        (gn.float64, [1e300, 1e-300, 1.0]),
    ],
)
def test_a_tiny_weight_beside_a_huge_one_keeps_its_mean(dt, w):
    loss, grad = _ce(dt, w, [1, 1, 1, 1])
    want, want_grad = _ce(gn.float64, [1.0, 1.0, 1.0], [1, 1, 1, 1])
    assert loss.item() == pytest.approx(want.item(), rel=1e-6)
    assert np.isfinite(grad).all()
    np.testing.assert_allclose(grad, want_grad, rtol=1e-5, atol=1e-7)


def test_far_apart_weights_gradient_matches_central_differences_in_float64():
    w, t = np.array([1e300, 1e-300, 3.0]), np.array([1, 1, 0, 2])
    for kw in ({}, {"label_smoothing": 0.2}, {"ignore_index": 0}):
        _, grad = _ce(gn.float64, w, t, **kw)
        num, h = np.zeros_like(X), 1e-6
        for i in np.ndindex(X.shape):
            d = np.zeros_like(X)
            d[i] = h
            loss = gn.nn.CrossEntropyLoss(weight=w, **kw)
            f = [loss(gn.tensor(X + s * d), t).item() for s in (1, -1)]
            num[i] = (f[0] - f[1]) / (2 * h)
        np.testing.assert_allclose(grad, num, atol=1e-8)


# 2. fit's "already checked" flag: glassnet's own losses only, and restored as it was
def test_a_user_built_loss_still_has_its_nan_target_refused_inside_fit():
    import dataclasses

    F = gn.functional
    rng = np.random.default_rng(0)
    X, y = rng.normal(size=(16, 3)), rng.normal(size=(16, 1))
    seen = []

    def mine(out, t, sample_weight=None):
        with pytest.raises(ValueError):
            F.mse(gn.tensor(np.zeros((2, 1))), np.array([[np.nan], [0.0]]))
        seen.append(F.CHECKED.on)
        return F.mse(out, t, sample_weight=sample_weight)

    loss = dataclasses.replace(F.LOSSES["mse"], name="my_mse", fn=mine)
    gn.fit(gn.nn.Sequential(gn.nn.Linear(3, 1)), X, y, loss=loss, epochs=1, engine="graph")
    assert seen and not any(seen)


def test_the_checked_flag_is_restored_not_cleared():
    F = gn.functional
    rng = np.random.default_rng(0)
    X, y = rng.normal(size=(8, 3)), rng.normal(size=(8, 1))
    F.CHECKED.on = True
    try:
        gn.fit(gn.nn.Sequential(gn.nn.Linear(3, 1)), X, y, loss="mse", epochs=1, engine="graph")
        assert F.CHECKED.on is True
    finally:
        F.CHECKED.on = False


# 3. the playground: a point key pressed just before the data change is not said of the new data
@needs_browser
def test_a_point_key_before_a_data_change_does_not_say_the_new_datas_point(page, server):
    open_playground(page, server)
    page.focus("#boundary")
    i = page.evaluate("""async () => {
      const plot = document.querySelector('#boundary');
      for (let k = 0; k < 3; k++) plot.dispatchEvent(new KeyboardEvent('keydown',
        {key: 'ArrowRight', bubbles: true, cancelable: true}));
      const i = selected.point;
      state.dataset = 'xor';
      await restart();
      return i; }""")
    # the 150 ms debounce and its request: on a quiet machine 400 ms is enough; under load a
    # status line may still be in flight then (seen at load 15 in a full test run), so wait
    # up to 5 s for the line to settle on the selected point or on nothing: a stale line
    # said of the new data (the bug) never settles and still fails
    settled = """() => { const said = document.querySelector('#point-status').textContent;
      return said === '' || said.startsWith('Point #' + selected.point + ', '); }"""
    page.wait_for_timeout(400)
    try:
        page.wait_for_function(settled, timeout=5000)
    except Exception:
        pass  # (the assertion below says what was shown)
    said, sel = page.evaluate(
        "[document.querySelector('#point-status').textContent, selected.point]"
    )
    assert said == "" or said.startswith(f"Point #{sel}, "), (i, sel, said)


# 4. predict --stream --out near PATH_MAX: its own writer makes a short temporary there too
def test_predict_stream_out_near_path_max(trained, tmp_path):  # noqa: F811
    directory = _near_path_max(tmp_path, "p.csv")
    out = os.path.join(directory, "p.csv")
    for _ in range(2):  # (written, then replaced)
        r = _cli(["predict", "m.glassnet", "d.csv", "--stream", "--out", out], trained)
        assert r.returncode == 0, r.stderr
    assert os.listdir(directory) == ["p.csv"]
    r = _cli(["predict", "m.glassnet", "d.csv", "--out", "whole.csv"], trained)
    with open(out) as f, open(os.path.join(trained, "whole.csv")) as g:
        assert f.read() == g.read()


# 5. one rule for a '~' that no shell replaced: files.home_refusal, io.tilde_hint and the CLI
def test_a_tilde_folder_that_exists_here_is_no_home_folder_to_the_cli(trained, tmp_path):  # noqa: F811
    os.mkdir(os.path.join(trained, "~"))
    try:  # ('~' names a folder here: '~/sub' is a missing folder in it, as files says)
        r = _cli(["predict", "m.glassnet", "d.csv", "--out=~/sub/p.csv"], trained)
    finally:
        os.rmdir(os.path.join(trained, "~"))
    assert r.returncode != 0
    assert b"home folder" not in r.stderr, r.stderr
    assert b"sub" in r.stderr


def test_the_three_tilde_checks_share_one_rule(tmp_path, monkeypatch):
    from glassnet import cli, files, io

    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    home = os.path.join(str(tmp_path / "home"), "x", "m.csv")
    assert files.unreplaced_home("~/x/m.csv") == ("~", home)
    assert files.unreplaced_home("x/m.csv") is None
    assert home in files.home_refusal("~/x/m.csv")
    assert home in io.tilde_hint("~/x/m.csv")
    with pytest.raises(cli.CLIError, match="home folder") as info:
        cli._check_writable(cli.Path("~/x/m.csv"), "predictions file", "~/x/m.csv")
    assert home in str(info.value)
