"""The playground, round 28 (a teacher lecturing live): the Lecture preset trains and
explains with the slides' loss 1/2 (y_hat - y)^2 (it used binary cross-entropy, so the
board's backprop did not match), the page's loss setting, the batch size inside the preset,
a finite mean loss past a float's sum (it read "infinite"), a divergence inside an epoch on
the loss curve, and the defaults back when the preset is left."""

from __future__ import annotations

import numpy as np
import pytest
from browser_helpers import needs_browser, open_playground, steps

from glassnet._validation import ParameterError
from glassnet.playground import Diverged, Run
from glassnet.playground.engine import mean_of


# ------------------------------------------------------------- the slides' network in NumPy
def _sig(z):
    return 1.0 / (1.0 + np.exp(-z))


def _slides(X, y):
    """The slides' 2-2-1 sigmoid network with the slide's weights and L = 1/2 (y_hat - y)^2,
    written out: the batch's mean loss and dL/d(every parameter) by the chain rule."""
    W1, b1 = np.array([[4.0, -4.0], [4.0, -4.0]]), np.array([-6.0, 2.0])
    W2, b2 = np.array([[1.0], [1.0]]), np.array([-0.5])
    a = _sig(X @ W1 + b1)  # (n, 2): a1, a2
    y_hat = _sig(a @ W2 + b2)  # (n, 1)
    n = len(X)
    dz2 = (y_hat - y) * y_hat * (1 - y_hat) / n  # dL/dz of the output, mean over the batch
    dW2, db2 = a.T @ dz2, dz2.sum(0)
    dz1 = (dz2 @ W2.T) * a * (1 - a)
    dW1, db1 = X.T @ dz1, dz1.sum(0)
    grads = {
        "w1": dW1[0, 0],
        "w2": dW1[0, 1],
        "w3": dW1[1, 0],
        "w4": dW1[1, 1],
        "b1": db1[0],
        "b2": db1[1],
        "w5": dW2[0, 0],
        "w6": dW2[1, 0],
        "b3": db2[0],
    }
    return float(np.mean(0.5 * (y_hat - y) ** 2)), grads


def test_the_lecture_step_is_the_slides_half_mse_against_numpy():
    """The step table's dL/dw read -0.0636 for w5 (binary cross-entropy's); the slides'
    1/2 (y_hat - y)^2 gives -0.0152, as a teacher's backprop on the board does."""
    run = Run({"preset": "lecture"})
    assert run.config["loss"] == "half_mse" and run.loss_name == "half_mse"
    X, y = run.X[run.train_idx], run.Y[run.train_idx]
    loss, want = _slides(X, y)
    assert run.history[0][1] == pytest.approx(loss, abs=1e-15)
    update = run.step()
    got = {name: g for name, _, g, _ in update["rows"]}
    for name, g in want.items():
        assert got[name] == pytest.approx(g, abs=1e-15), name
    assert got["w5"] == pytest.approx(-0.0152, abs=5e-5)
    assert got["b3"] == pytest.approx(0.0046, abs=5e-5)


def test_the_lecture_panel_explains_one_point_with_the_slides_loss():
    """The slides' numbers panel for one point: its loss, dL/dz and dL/dw, half-MSE's."""
    run = Run({"preset": "lecture"})
    for point in range(4):
        x, y = run.X[[point]], run.Y[[point]]
        loss, want = _slides(x, y)  # (a batch of one: the point's own numbers)
        e = run.explain(point, {"kind": "edge", "layer": 2, "from": 0, "to": 0})
        assert e["loss_name"] == "half_mse" and e["loss"] == pytest.approx(loss, abs=1e-15)
        assert e["dL_dw"] == pytest.approx(want["w5"], abs=1e-15)
        e = run.explain(point, {"kind": "edge", "layer": 1, "from": 1, "to": 0})
        assert e["dL_dw"] == pytest.approx(want["w3"], abs=1e-15)


def test_the_loss_setting():
    """A classifier takes cross-entropy (the default) or the slides' half_mse; regression
    half_mse only (refused by name); the Lecture preset takes cross-entropy too."""
    assert Run({"dataset": "xor"}).loss_name == "binary_cross_entropy"
    run = Run({"dataset": "xor", "loss": "half_mse", "seed": 2})
    assert run.loss_name == "half_mse" and run.config["loss"] == "half_mse"
    run.train(2)
    assert Run({"problem": "regression"}).config["loss"] == "half_mse"
    with pytest.raises(ParameterError, match="'loss'.*regression.*Got 'cross_entropy'"):
        Run({"problem": "regression", "loss": "cross_entropy"})
    with pytest.raises(ParameterError, match="'loss'"):
        Run({"loss": "mse"})
    bce = Run({"preset": "lecture", "loss": "cross_entropy"})
    assert bce.config["preset"] == "lecture" and bce.loss_name == "binary_cross_entropy"
    assert bce.step()["rows"][6][2] == pytest.approx(-0.0636, abs=5e-5)  # (the old number)
    # the exported script trains the run's loss, to the same losses
    assert "FastMLP(layers, 'half_mse')" in run.script()
    assert "'loss': 'half_mse'" in Run({"preset": "lecture"}).script()


def test_the_batch_size_stays_in_the_lecture_preset_and_the_data_is_fixed():
    """A batch size of 1 (one point a step) in the preset left it, with random weights on
    500 points; the data's noise and ratio are the preset's, refused by name."""
    run = Run({"preset": "lecture", "batch_size": 1})
    assert run.config["preset"] == "lecture" and run.config["batch_size"] == 1
    assert run.parameters()[:4].tolist() == [4.0, -4.0, 4.0, -4.0] and len(run.X) == 4
    assert run.step()["batch_size"] == 1 and run.steps_per_epoch == 4
    twin = Run(run.initial)  # (the link's and the script's settings keep it)
    assert twin.config["batch_size"] == 1 and twin.config["preset"] == "lecture"
    for k, v in (("noise", 20), ("train_ratio", 50)):
        with pytest.raises(ParameterError, match=f"fixes '{k}'"):
            Run({"preset": "lecture", k: v})


# ------------------------------------------------------------- 1. a sum past a float's range
def test_a_finite_mean_loss_is_not_infinite():
    """Every point's loss 7.48e+307 (finite) read 'infinite': np.mean's sum overflowed."""
    per = np.full((4, 1), 7.48e307)
    assert mean_of(per) == pytest.approx(7.48e307, rel=1e-15)
    assert mean_of(np.array([1.0, 2.0])) == 1.5
    assert np.isinf(mean_of(np.array([np.inf, 1.0])))
    assert np.isnan(mean_of(np.array([np.nan, 1.0])))
    # the audit's run: step 161's batch (every loss finite, the sum not) was refused as
    # "the batch's loss became infinite"; its loss is finite, so the step is taken now
    run = Run({"problem": "regression", "dataset": "reg-plane", "activation": "relu",
               "hidden": [8, 8, 8], "lr": 0.03, "seed": 1})  # fmt: skip
    run.set_training({"lr": 10})
    run.train(6)
    for _ in range(10):
        run.step()
    # the weights after step 160, which step 161 starts from: every training point's loss
    # is finite, their sum is not; the page shows their mean, and step 161 is taken
    with np.errstate(over="ignore"):
        acts = run.engine.forward(run.X[run.train_idx])
        per = 0.5 * (acts[-1] - run.Y[run.train_idx]) ** 2
        assert np.isfinite(per).all() and np.isinf(np.sum(per))
    frame = run.frame()
    assert frame["train_loss"] == pytest.approx(float(np.sum(per / len(per))), rel=1e-12)
    assert frame["loss_words"][0] is None and frame["train_loss"] > 1e307
    run.step()
    with pytest.raises(Diverged, match="at step 162 .* the batch's loss became infinite"):
        run.step()


# ------------------------------------------------------------- 4. a divergence mid-epoch
def test_a_divergence_inside_an_epoch_draws_its_climb():
    """The curve held [0, 0.378] and [0.16, null] alone: the steps' explosion was lost."""
    run = Run(
        {
            "problem": "regression",
            "dataset": "reg-gauss",
            "activation": "linear",
            "hidden": [3],
            "lr": 10,
            "seed": 1,
            "regularization": "L2",
            "reg_rate": 10,
        }
    )
    with pytest.raises(Diverged):
        run.train(1)
    finite = [h for h in run.history if h[1] is not None]
    assert len(finite) >= 2 and finite[-1][1] > 1e6, run.history
    assert run.history[-1][1] is None and run.history[-1][0] == run.epochs_done
    assert len({h[0] for h in run.history}) == len(run.history)  # (no point twice)
    # an ordinary run records once an epoch, as before
    run = Run({"seed": 4})
    run.train(3)
    assert [h[0] for h in run.history] == [0, 1, 2, 3]


# ------------------------------------------------------------- the page
def _status(page) -> str:
    return page.text_content("#status")


@needs_browser
def test_the_lecture_page_says_and_trains_the_slides_loss(page, server):
    open_playground(page, server)
    page.click("#lecture")
    page.wait_for_function("run.config.preset === 'lecture' && run.config.loss === 'half_mse'")
    assert page.evaluate("document.querySelector('#loss').value") == "half_mse"
    shown = "document.querySelector('#loss').selectedOptions[0].textContent"
    assert "\u00bd(\u0177 \u2212 y)\u00b2, the slides'" in page.evaluate(shown)
    steps(page, 1)
    text = page.evaluate("document.querySelector('#update').innerText")
    assert "-0.0152" in text, text
    # cross-entropy in the preset: the slide's network again, with cross-entropy's numbers
    page.select_option("#loss", "cross_entropy")
    page.wait_for_function("run.config.loss === 'cross_entropy' && run.config.preset === 'lecture'")
    assert page.evaluate(shown) == "Cross-entropy"
    # regression: the loss is 1/2 (y_hat - y)^2, the control greyed out and saying why
    page.select_option("#problem", "regression")
    page.wait_for_function("run.config.problem === 'regression'")
    off = page.evaluate("[document.querySelector('#loss').disabled, state.loss]")
    assert off == [True, "half_mse"]


@needs_browser
def test_the_lecture_preset_keeps_its_network_for_a_batch_size(page, server):
    open_playground(page, server, "#preset=lecture")
    assert page.evaluate("[noise.disabled, train_ratio.disabled, batch_size.disabled]") == [
        True, True, False]  # fmt: skip
    page.fill("#batch_size", "1")
    page.dispatch_event("#batch_size", "change")
    page.wait_for_function("run.config.batch_size === 1")
    assert page.evaluate("[run.config.preset, frame.W[0][0][0], run.data.points.length]") == [
        "lecture", 4, 4]  # fmt: skip
    assert "batch_size=1" in page.url and _status(page) == ""
    # leaving it: the default ratio and batch size come back, and the status line says so
    page.click("#datasets button[data-name='spiral']")
    page.wait_for_function("run.config.dataset === 'spiral'")
    assert page.evaluate("[run.config.train_ratio, run.config.batch_size]") == [50, 10]
    said = _status(page)
    assert "ratio 50%" in said and "batch size 10" in said, said


@needs_browser
def test_a_divergence_in_the_first_epoch_of_play_draws_and_says_infinite(page, server):
    link = ("#problem=regression&dataset=reg-gauss&activation=linear&hidden=3&lr=10&seed=1"
            "&regularization=L2&reg_rate=10")  # fmt: skip
    open_playground(page, server, link)
    page.click("#play")
    page.wait_for_function("!playing && frame.diverged")
    label = page.get_attribute("#loss-curve", "aria-label")
    assert "to infinite" in label and " -" not in label, label
    assert page.evaluate("lossHistory.filter((p) => p[1] !== null).length") >= 2


@needs_browser
def test_points_piled_on_one_spot_of_the_hidden_space_are_counted(page, server):
    """125 right and 125 wrong points saturated onto (-1, -1) drew as one dot, unsaid."""
    open_playground(page, server, "#hidden=2")
    label = page.evaluate("""() => {
        const train = new Set(run.data.train), pts = run.data.points.map((p, i) =>
            train.has(i) && i % 2 ? [-1, -1] : [0.3 + (i % 97) / 200, 0.5 - (i % 89) / 200]);
        drawHiddenSpace({points: pts, w: [1, 1], b: 0, names: ["a3", "a4"]});
        return document.querySelector('#hidden-space').getAttribute('aria-label');
    }""")
    n = page.evaluate("run.data.train.filter((i) => i % 2).length")
    assert f"{n} points on one spot at (-1, -1)" in label, label
    assert "of class 0 and" in label, label


@needs_browser
def test_the_page_opened_as_a_file_logs_no_errors(page):
    """Opened as a file, its style and script were asked for on the disk: two errors."""
    from pathlib import Path

    import glassnet.playground

    index = Path(glassnet.playground.__file__).parent / "static" / "index.html"
    page.goto(index.as_uri())
    assert "needs the glassnet process" in page.text_content("body")
    page.wait_for_timeout(100)
    # (the page fixture fails the test on any console error)


# ------------------------------------------------------------- a Lecture link of before
# (rev28b) a Lecture link copied before the loss setting has no loss=: it trained with
# cross-entropy then, and silently with 1/2 (y_hat - y)^2 after (0.087 for 0.520, unsaid)
_PARENT_LOSS = 0.5196354448863756  # the parent's Lecture run, 3 steps (binary cross-entropy)
_OLD_LINK = (
    "#dataset=xnor&problem=classification&activation=sigmoid&lr=1&regularization=none"
    "&reg_rate=0&noise=0&train_ratio=100&batch_size=4&seed=0&preset=lecture&show_test=false"
    "&discretize=false&features=x1%2Cx2&hidden=2"
)


def test_the_lecture_preset_with_cross_entropy_is_the_parents_run():
    """What a Lecture link of before gives with &loss=cross_entropy: the parent's run."""
    run = Run({"preset": "lecture", "lr": 1, "seed": 0, "loss": "cross_entropy"})
    for _ in range(3):
        run.step()
    assert run.frame()["train_loss"] == _PARENT_LOSS


@needs_browser
def test_a_lecture_link_copied_before_the_loss_setting_rebuilds_and_says_so(page, server):
    """A link the page wrote before (every setting, no loss=) trained with 1/2 (y_hat - y)^2,
    unsaid: it trains with cross-entropy, as when it was copied, and the status line says so."""
    open_playground(page, server, _OLD_LINK)
    assert page.evaluate("[run.config.preset, run.config.loss]") == ["lecture", "cross_entropy"]
    said = _status(page)
    assert "copied before" in said and "cross-entropy" in said, said
    assert "\u00bd(\u0177 \u2212 y)\u00b2" in said and "loss=half_mse" in said, said
    steps(page, 3)
    assert page.evaluate("frame.train_loss") == _PARENT_LOSS
    assert "loss=cross_entropy" in page.url  # (the address bar: the run it rebuilt)


@needs_browser
def test_a_typed_lecture_link_without_a_loss_says_the_preset_s_loss(page, server):
    """A typed (or trimmed) Lecture link without loss= takes the preset's 1/2 (y_hat - y)^2,
    said with the way back to a link of before's numbers (&loss=cross_entropy)."""
    open_playground(page, server, "#preset=lecture&lr=1&seed=0")
    assert page.evaluate("run.config.loss") == "half_mse"
    said = _status(page)
    assert "\u00bd(\u0177 \u2212 y)\u00b2" in said and "loss=cross_entropy" in said, said
    # the same link with &loss=cross_entropy: the parent's numbers, nothing to say
    page.goto("about:blank")
    open_playground(page, server, "#preset=lecture&lr=1&seed=0&loss=cross_entropy")
    assert _status(page) == ""
    steps(page, 3)
    assert page.evaluate("frame.train_loss") == _PARENT_LOSS
    # a link the page writes now holds its loss: no note
    page.goto("about:blank")
    open_playground(page, server, "#preset=lecture&loss=half_mse")
    assert _status(page) == ""


@needs_browser
@pytest.mark.parametrize("width", [390, 1280])
def test_the_loss_control_shows_its_whole_option(browser, server, width):
    """The option 1/2 (y_hat - y)^2, the slides' was cut off at the select's right edge:
    Chromium sized it 21 px wider than the text, and its arrow and inner padding take about
    25 (a phone's 390 px; 1280, which 1920 at 150 % zoom is too)."""
    context = browser.new_context(viewport={"width": width, "height": 900})
    try:
        page = context.new_page()
        open_playground(page, server, "#preset=lecture")
        fits = page.evaluate("""() => {
            const s = document.querySelector('#loss');
            const c = document.createElement('canvas').getContext('2d');
            c.font = getComputedStyle(s).font;
            const text = Math.max(...[...s.options].map((o) => c.measureText(o.textContent).width));
            const r = s.getBoundingClientRect();
            return [s.clientWidth - text >= 26, r.right <= document.documentElement.clientWidth,
                    s.clientWidth, text];
        }""")
        assert fits[0] and fits[1], fits
    finally:
        context.close()
