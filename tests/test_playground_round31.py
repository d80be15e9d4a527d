"""The playground, round 31 (a teacher preparing the lecture, a student following it): the
lecture's first example, OR and AND with one sigmoid neuron (docs/lecture.md, section 3),
has its data sets in the page, so that its numbers reproduce there."""

from __future__ import annotations

import numpy as np
import pytest
from browser_helpers import needs_browser, open_playground

from glassnet._validation import ParameterError
from glassnet.playground import Run, check_config
from glassnet.playground.engine import CLASSIFICATION_DATASETS, domain, make_dataset, previews

# docs/lecture.md, section 3: z = w0 + x1 + x2, y_hat = sigmoid(z) on (0,0), (0,1), (1,0), (1,1)
_LECTURE = {
    "or": (-0.5, [0.378, 0.622, 0.622, 0.818], [0, 1, 1, 1]),
    "and": (-1.5, [0.182, 0.378, 0.378, 0.622], [0, 0, 0, 1]),
}


def _one_neuron(gate, w0):
    run = Run(
        {"dataset": gate, "hidden": [], "activation": "sigmoid", "noise": 0, "train_ratio": 100}
    )
    for i in (0, 1):
        run.set_weight({"kind": "edge", "layer": 1, "from": i, "to": 0}, 1.0)
    run.set_weight({"kind": "neuron", "layer": 1, "index": 0}, w0)
    return run


@pytest.mark.parametrize("gate", ["or", "and"])
def test_the_lectures_gates_with_one_neuron_give_the_lectures_numbers(gate):
    """OR and AND were no data set of the playground: the lecture's first example (one
    neuron, z = -0.5 + x1 + x2 for OR) could not be shown in it."""
    assert gate in CLASSIFICATION_DATASETS
    w0, y_hat, y = _LECTURE[gate]
    run = _one_neuron(gate, w0)
    t = run.table()
    assert t["columns"] == ["x1", "x2", "y", "y_hat"]
    rows = np.array(t["rows"])
    assert rows[:, :2].tolist() == [[0, 0], [0, 1], [1, 0], [1, 1]]
    assert rows[:, 2].tolist() == y
    assert np.round(rows[:, 3], 3).tolist() == y_hat
    assert run.frame()["accuracy"][0] == 1.0  # every point on its side of the line z = 0


@pytest.mark.parametrize("gate", ["or", "and"])
def test_the_gates_are_the_lectures_points_on_the_xnor_plane(gate):
    cfg = check_config({"dataset": gate, "noise": 0})
    X, y = make_dataset({**cfg, "samples": 8})
    Xg, yg = np.array([[0, 0], [0, 1], [1, 0], [1, 1]]), np.array(_LECTURE[gate][2])
    assert X.tolist() == np.tile(Xg, (2, 1)).tolist() and y.tolist() == np.tile(yg, 2).tolist()
    assert domain(gate) == domain("xnor") == (-0.5, 1.5)
    assert previews()[gate]["domain"] == [-0.5, 1.5]
    with pytest.raises(ParameterError, match="'or'"):  # named among the choices
        check_config({"dataset": "nand"})


def test_a_single_neuron_cannot_learn_xnor_but_learns_or():
    """The lecture's point: one neuron learns OR, and not XNOR (it stays below 100 %)."""
    base = {"hidden": [], "activation": "sigmoid", "noise": 0, "train_ratio": 100, "lr": 1}
    runs = {g: Run({**base, "dataset": g}) for g in ("or", "xnor")}
    for r in runs.values():
        r.train(30)
    assert runs["or"].frame()["accuracy"][0] == 1.0
    assert runs["xnor"].frame()["accuracy"][0] <= 0.75


@needs_browser
def test_the_page_has_the_gates_and_shows_the_lectures_or_neuron(page, server):
    """In the page: the OR button, and a link with the lecture's weights typed at step 0
    shows the lecture's y_hat in the table."""
    changes = "0:w,1,0,0,1;0:w,1,1,0,1;0:w,1,-1,0,-0.5"
    open_playground(
        page,
        server,
        f"#dataset=or&hidden=&activation=sigmoid&noise=0&train_ratio=100&changes={changes}",
    )
    for gate in ("or", "and"):
        assert page.locator(f"#datasets button[data-name='{gate}']").is_visible()
    assert page.get_attribute("#datasets button[data-name='or']", "aria-pressed") == "true"
    page.wait_for_function("document.querySelector('#table').textContent.includes('0.818')")
    cells = page.locator("#table tr").all_inner_texts()[1:]
    assert [c.split("\t")[-2:] for c in cells] == [
        ["0", "0.378"],
        ["1", "0.622"],
        ["1", "0.622"],
        ["1", "0.818"],
    ]
    assert page.text_content("#accuracy").startswith("100")
    page.click("#datasets button[data-name='and']")
    page.wait_for_function("run.config.dataset === 'and'")
    assert page.get_attribute("#datasets button[data-name='and']", "aria-pressed") == "true"


# ------------------------------------------------------------- a classroom's runs kept
# A page keeps its run before the current one (late answers to it land quietly) until its
# next new run: "Runs kept: 2 of 32" with one page open. Past the limit, the run used least
# recently went first: an idle student's current run, while the runs other pages had left
# behind stayed (20 students who each clicked once hold 40 runs: 8 idle pages dropped).
_SMALL = {"samples": 40, "hidden": [2]}


def test_a_run_its_page_left_behind_goes_before_an_idle_pages_run(capsys):
    from glassnet.playground import Playground
    from glassnet.playground.server import RequestError

    pg = Playground(max_runs=3)
    try:
        idle, _ = pg.new_run(_SMALL)  # a student who opened the page and waits
        b1, _ = pg.new_run(_SMALL)  # another student ...
        b2, _ = pg.new_run({**_SMALL, "hidden": [3]}, supersedes=[b1])  # ... changes a setting
        assert set(pg.runs) == {idle, b1, b2}  # (b1 kept for its late answers)
        c, _ = pg.new_run(_SMALL)  # a third student opens the page
        assert set(pg.runs) == {idle, b2, c}, "the left-behind run goes first"
        assert f"dropped run {b1}" in capsys.readouterr().err
        pg.run_of(idle)  # the idle page's run is there
        with pytest.raises(RequestError, match="'supersedes' must be a list"):
            pg.new_run(_SMALL, supersedes="b2")
    finally:
        pg.close()


@needs_browser
def test_the_page_names_the_run_it_leaves_behind(page, server):
    sent = []
    page.on(
        "request", lambda r: sent.append(r.post_data_json) if r.url.endswith("/api/run") else None
    )
    open_playground(page, server)
    first = page.evaluate("run.id")
    page.click("#datasets button[data-name='xor']")
    page.wait_for_function("run.config.dataset === 'xor'")
    assert sent[0]["supersedes"] == [] and sent[-1]["supersedes"] == [first]


@needs_browser
def test_leaving_the_lecture_for_a_gate_names_the_gate(page, server):
    """The note read "on 500 or points": the gates are named in capitals, OR, AND, XNOR."""
    open_playground(page, server)
    page.click("#lecture")
    page.wait_for_function("run.config.preset === 'lecture'")
    page.click("#datasets button[data-name='or']")
    page.wait_for_function("run.config.dataset === 'or'")
    assert "random starting weights on 500 OR points" in page.text_content("#status")
    assert page.get_attribute("#datasets button[data-name='and']", "title").startswith("AND")
