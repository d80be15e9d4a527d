"""The playground, round 21b: a shared link rebuilds the same run, mid-run changes too.

The link (the URL after '#') held only the settings in force when it was copied, so a run
whose learning rate (or regularization) changed mid-run, or with a weight typed in the
explain panel, was not rebuilt by a classmate opening the link: the same steps gave other
numbers. Now the link holds the starting settings and the run's changes by step
(``changes=``), the page sends them with its /api/run request, and the server applies each
after its step as the live control would (checked as the live controls' values are)."""

from __future__ import annotations

import json
import urllib.error
import urllib.request

import pytest
from browser_helpers import needs_browser, open_playground, steps

from glassnet.playground import Playground


@pytest.fixture(scope="module")
def pg():
    p = Playground().start()
    yield p
    p.close()


def _call(pg, path, body=None):
    req = urllib.request.Request(
        pg.url.split("?")[0].rstrip("/") + path,
        data=None if body is None else json.dumps(body).encode(),
        headers={"X-Glassnet-Token": pg.token, "Content-Type": "application/json"},
        method="GET" if body is None else "POST",
    )
    try:
        with urllib.request.urlopen(req, timeout=60) as r:
            return r.status, json.loads(r.read())
    except urllib.error.HTTPError as e:
        return e.code, json.loads(e.read())


def _ok(pg, path, body=None):
    status, out = _call(pg, path, body)
    assert status == 200, out
    return out


def _state(pg, rid):
    return _ok(pg, f"/api/state?run={rid}")


_CONFIG = {"dataset": "circle", "seed": 4, "lr": 0.03, "batch_size": 10}


def _teacher(pg):
    """A run with changes mid-run: an lr at an epoch's end, a weight typed, an L2 penalty
    mid-epoch and a bias typed at the same step; its frames (the numbers the page shows)."""
    rid = _ok(pg, "/api/run", {"config": _CONFIG})["run"]
    shown = [_ok(pg, "/api/train", {"run": rid, "epochs": 1, "side": False})["frame"]]
    _ok(pg, "/api/settings", {"run": rid, "lr": 1})
    shown.append(_ok(pg, "/api/step", {"run": rid})["frame"])
    target = {"kind": "edge", "layer": 1, "from": 0, "to": 1}
    shown.append(_ok(pg, "/api/weight", {"run": rid, "target": target, "value": 0.5})["frame"])
    for _ in range(3):
        shown.append(_ok(pg, "/api/step", {"run": rid})["frame"])
    _ok(pg, "/api/settings", {"run": rid, "regularization": "L2", "reg_rate": 0.01})
    bias = {"kind": "neuron", "layer": 2, "index": 0}
    _ok(pg, "/api/weight", {"run": rid, "target": bias, "value": -0.25})
    shown.append(_ok(pg, "/api/train", {"run": rid, "epochs": 2, "side": False})["frame"])
    return rid, shown


_NUMBERS = ("epoch", "step", "train_loss", "test_loss", "W", "b", "accuracy")


def test_a_run_replayed_with_its_changes_is_the_live_run_bit_for_bit(pg):
    rid, live = _teacher(pg)
    record = _state(pg, rid)["changes"]
    assert len(record) == 4 and record[0] == {
        "step": 25, "lr": 1.0, "regularization": "none", "reg_rate": 0.0
    }  # fmt: skip
    # the student's run: the starting settings and the changes, the same calls (no change)
    out = _ok(pg, "/api/run", {"config": _CONFIG, "changes": record})
    sid = out["run"]
    assert out["frame"]["replay"] == {"pending": 4, "next": 25}
    assert out["frame"]["training"]["lr"] == 0.03  # (in force: the first change is at 25)
    again = [_ok(pg, "/api/train", {"run": sid, "epochs": 1, "side": False})["frame"]]
    assert again[0]["training"]["lr"] == 1.0  # applied after step 25, shown in the frame
    again.append(_ok(pg, "/api/step", {"run": sid})["frame"])
    assert again[-1]["W"][0][0][1] == 0.5  # the weight typed after step 26, in its frame
    for _ in range(3):
        again.append(_ok(pg, "/api/step", {"run": sid})["frame"])
    assert again[-1]["training"] == {"lr": 1.0, "regularization": "L2", "reg_rate": 0.01}
    assert again[-1]["b"][1][0] == -0.25 and again[-1]["replay"] is None
    again.append(_ok(pg, "/api/train", {"run": sid, "epochs": 2, "side": False})["frame"])
    # the teacher's frames after a change (a typed weight's) are the replay's after its step
    # (the teacher's step 26 and 29 before their weight was typed: not the replay's)
    for a, b in zip([live[k] for k in (0, 2, 3, 4, 6)], [again[k] for k in (0, 1, 2, 3, 5)]):
        assert {k: a.get(k) for k in _NUMBERS} == {k: b.get(k) for k in _NUMBERS}
    assert live[5]["step"] == again[4]["step"] == 29  # (its bias: typed after the frame)
    assert live[5]["b"][1][0] != -0.25
    assert live[-1]["history"] == again[-1]["history"]
    s, t = _state(pg, rid), _state(pg, sid)
    assert s["parameters"] == t["parameters"]  # bit for bit (JSON's floats round-trip)
    assert s["changes"] == t["changes"]  # its own record: the same, so its link and script too
    assert _ok(pg, f"/api/state?run={rid}")["config"] == t["config"]


def test_without_the_changes_the_link_gives_other_numbers(pg):
    # (the defect: the settings in force alone do not rebuild the run)
    rid, live = _teacher(pg)
    now = _state(pg, rid)["config"]
    in_force = {**_CONFIG, **{k: now[k] for k in ("lr", "regularization", "reg_rate")}}
    sid = _ok(pg, "/api/run", {"config": in_force})["run"]
    _ok(pg, "/api/train", {"run": sid, "epochs": 1, "side": False})
    for _ in range(4):
        _ok(pg, "/api/step", {"run": sid})
    last = _ok(pg, "/api/train", {"run": sid, "epochs": 2, "side": False})["frame"]
    assert last["train_loss"] != live[-1]["train_loss"]


def test_a_live_change_before_the_last_replayed_one_drops_the_rest_and_says_so(pg):
    rid, _ = _teacher(pg)
    record = _state(pg, rid)["changes"]
    sid = _ok(pg, "/api/run", {"config": _CONFIG, "changes": record})["run"]
    _ok(pg, "/api/train", {"run": sid, "epochs": 1, "side": False})  # the lr at 25 replayed
    out = _ok(pg, "/api/settings", {"run": sid, "lr": 0.3})
    assert out["replay_dropped"] == {"dropped": 3, "next": 26, "at": 25}
    frame = _ok(pg, "/api/step", {"run": sid})["frame"]
    assert frame["replay"] is None and frame["training"]["lr"] == 0.3
    assert frame["W"][0][0][1] != 0.5  # the typed weight was not replayed
    # (the lr at step 25 is the own one: it replaced the replayed one, as live changes do)
    assert _state(pg, sid)["changes"] == [
        {"step": 25, "lr": 0.3, "regularization": "none", "reg_rate": 0.0}
    ]
    # a change once the replay is done drops nothing
    rid2 = _ok(pg, "/api/run", {"config": _CONFIG, "changes": record[:1]})["run"]
    _ok(pg, "/api/train", {"run": rid2, "epochs": 1, "side": False})
    assert "replay_dropped" not in _ok(pg, "/api/settings", {"run": rid2, "lr": 0.3})
    target = {"kind": "edge", "layer": 1, "from": 0, "to": 1}
    # a weight typed mid-replay drops the rest too, and the view says so
    sid = _ok(pg, "/api/run", {"config": _CONFIG, "changes": record})["run"]
    out = _ok(pg, "/api/weight", {"run": sid, "target": target, "value": 2})
    assert out["replay_dropped"] == {"dropped": 4, "next": 25, "at": 0}
    assert out["frame"]["replay"] is None


@pytest.mark.parametrize(
    ("changes", "words"),
    [
        ("25:lr", "'changes' must be a list"),
        ([{"step": 1, "lr": 1}] * 1001, "at most 1000"),
        ([{"step": -1, "lr": 1}], "changes[0]"),
        ([{"step": 1.5, "lr": 1}], "step"),
        ([{"step": True, "lr": 1}], "step"),
        ([{"step": 5, "lr": 1}, {"step": 4, "lr": 2}], "step order"),
        ([{"step": 1, "lr": 0}], "lr"),
        ([{"step": 1, "lr": 11}], "lr"),
        ([{"step": 1, "lr": "fast"}], "lr"),
        ([{"step": 1, "regularization": "L3"}], "regularization"),
        ([{"step": 1, "reg_rate": -1}], "reg_rate"),
        ([{"step": 1}], "changes[0]"),
        ([{"step": 1, "lr": 1, "noise": 3}], "noise"),
        ([{"step": 1, "set": [1, 0, 0, 101]}], "value"),
        ([{"step": 1, "set": [1, 0, 0, "x"]}], "value"),
        ([{"step": 1, "set": [4, 0, 0, 1]}], "layer"),
        ([{"step": 1, "set": [1, 2, 0, 1]}], "from"),
        ([{"step": 1, "set": [1, 0, 4, 1]}], "to"),
        ([{"step": 1, "set": [1, -1, 4, 1]}], "index"),
        ([{"step": 1, "set": [1, -2, 0, 1]}], "from"),
        ([{"step": 1, "set": [1, 0, 0]}], "'set'"),
        ([{"step": 1, "set": [1, 0, 0, 1], "lr": 1}], "changes[0]"),
        (["25:lr"], "changes[0]"),
    ],
)
def test_a_bad_change_is_refused_with_a_400_naming_it(pg, changes, words):
    held = pg.runs_info()["held"]
    status, out = _call(pg, "/api/run", {"config": _CONFIG, "changes": changes})
    assert status in (400, 413), out
    if status == 400:
        assert words in out["error"], out["error"]
    assert pg.runs_info()["held"] == held  # (no run made)


def test_an_old_link_without_changes_is_as_before(pg):
    out = _ok(pg, "/api/run", {"config": _CONFIG})
    assert out["frame"]["replay"] is None and out["frame"]["changes"] == []
    out = _ok(pg, "/api/run", {"config": _CONFIG, "changes": []})
    assert out["frame"]["replay"] is None


# ------------------------------------------------------------------ the page (Chromium)
_SHOWN = (
    "[...['epoch','steps','train-loss','test-loss','accuracy']].map((i) => "
    "document.getElementById(i).textContent).join(' | ') + ' | lr ' + "
    "document.getElementById('lr').value"
)


def _choose_w2(page):
    """Click the edge from x2 into z1 (layer 1's weight W[1][0], where it crosses w2's): its
    weight box shows."""
    box = page.locator("#edges path.hit >> nth=1").bounding_box()  # (w1 is level: no box)
    page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    page.mouse.move(5, 5)
    page.wait_for_selector("#set-value")
    assert page.evaluate("selected.target") == {"kind": "edge", "layer": 1, "from": 1, "to": 0}


@needs_browser
def test_a_copied_link_rebuilds_the_run_with_its_mid_run_changes(browser, server):
    from browser_helpers import page_of

    a_gen, b_gen = page_of(browser), page_of(browser)
    a, b = next(a_gen), next(b_gen)
    open_playground(a, server, "#seed=4")
    steps(a, 5)
    a.select_option("#lr", "1")
    a.wait_for_function("run.config.lr === 1 && location.hash.includes('changes=')")
    steps(a, 3)
    _choose_w2(a)  # an edge: its weight box in the explain panel
    a.fill("#set-value", "0.75")
    a.press("#set-value", "Enter")
    a.wait_for_function("frame.W[0][1][0] === 0.75 && location.hash.includes(',0.75')")
    steps(a, 2)
    link = a.url
    assert "lr=0.03" in link  # the starting learning rate, and the changes by step
    assert "changes=5:t,1,none,0;8:w,1,1,0,0.75" in link
    teacher = a.evaluate(_SHOWN)

    open_playground(b, server, "#" + link.split("#", 1)[1])
    assert b.evaluate("document.getElementById('lr').value") == "0.03"
    steps(b, 5)  # the replayed lr is shown on its control after step 5
    b.wait_for_function("document.getElementById('lr').value === '1'")
    steps(b, 5)
    assert b.evaluate(_SHOWN) == teacher
    assert b.evaluate("frame.W") == a.evaluate("frame.W")
    assert b.url.split("#", 1)[1] == link.split("#", 1)[1]  # its own link: the same run
    for gen in (a_gen, b_gen):
        next(gen, None)


@needs_browser
def test_an_own_change_mid_replay_is_said_and_the_rest_dropped(browser, server):
    from browser_helpers import page_of

    gen = page_of(browser)
    page = next(gen)
    open_playground(page, server, "#seed=4&changes=2:t,1,none,0;6:w,1,0,1,0.75")
    line = page.locator("#link-status")
    assert "replaying the link's run: 2 changes to come" in line.text_content().lower()
    steps(page, 3)
    page.select_option("#lr", "0.3")
    page.wait_for_function("document.getElementById('link-status').textContent.includes('dropped')")
    assert line.get_attribute("role") == "status"  # (read politely)
    said = line.text_content()
    assert "step 3" in said and "1 remaining change, from step 6" in said
    page.wait_for_function("location.hash.includes('changes=2:t,1,none,0;3:t,0.3,none,0')")
    steps(page, 4)
    assert page.evaluate("frame.W[0][0][1]") != 0.75
    next(gen, None)


@needs_browser
def test_a_link_past_its_cap_says_it_carries_the_first_changes(browser, server):
    from browser_helpers import page_of

    gen = page_of(browser)
    page = next(gen)
    open_playground(page, server, "#seed=4")
    # one weight set before each of 51 steps, through the page's own calls (the weight box
    # 51 times over is slow, and tested above)
    page.evaluate(
        """async () => {
        const target = { kind: "edge", layer: 1, from: 1, to: 0 };
        for (let k = 1; k <= 51; k++) {
          show(await api("/api/weight", { run: run.id, target, value: k / 100 }));
          show(await api("/api/step", { run: run.id }));
        }
      }"""
    )
    assert page.evaluate("frame.step") == 51
    page.wait_for_function(
        "document.querySelector('#link-status').textContent.includes('first 50')"
    )
    text = page.locator("#link-status").text_content()
    assert "script" in text and "51" in text
    assert page.url.split("changes=", 1)[1].count(";") == 49
    next(gen, None)


def test_the_link_cap_is_the_pages(pg):
    # (the frame carries the first LINK_CHANGES of the record and its length)
    from glassnet.playground.engine import LINK_CHANGES

    rid = _ok(pg, "/api/run", {"config": _CONFIG})["run"]
    target = {"kind": "edge", "layer": 1, "from": 0, "to": 1}
    for k in range(LINK_CHANGES + 2):
        _ok(pg, "/api/weight", {"run": rid, "target": target, "value": k / 100})
        frame = _ok(pg, "/api/step", {"run": rid})["frame"]
    assert len(frame["changes"]) == LINK_CHANGES and frame["changes_total"] == LINK_CHANGES + 2


def test_run_replay_in_python_and_on_a_run_already_trained():
    from glassnet._validation import ParameterError
    from glassnet.playground import Run

    run = Run({"samples": 40, "grid": 10, "seed": 2})
    run.train(2)
    run.set_training({"lr": 0.5})
    run.set_weight({"kind": "neuron", "layer": 1, "index": 0}, 1.5)
    run.train(2)
    twin = Run(run.initial)
    twin.replay(run.changes)
    twin.train(4)
    assert twin.parameters().tolist() == run.parameters().tolist()
    assert twin.changes == run.changes and twin.history == run.history
    with pytest.raises(ParameterError, match=r"changes\[0\] is after step 4.*new run"):
        twin.replay(run.changes)
