"""The playground, round 18 (no browser): ``Run.table``'s ``limit`` is checked by name, and a
change of nothing (``Run.set_training({})``, ``POST /api/settings`` with no setting) is
refused, not a silent no-op."""

from __future__ import annotations

import json
import urllib.error
import urllib.request

import pytest

from glassnet._validation import ParameterError
from glassnet.playground import Run


@pytest.fixture(scope="module")
def run():
    return Run({"grid": 10})


@pytest.mark.parametrize("limit", [0, -1, 2.5, True, "3"])
def test_a_bad_table_limit_is_refused_by_name(run, limit):
    # 0 and -1 ended in a ZeroDivisionError (an empty forward pass), 2.5 in an IndexError
    message = r"'limit' parameter of Run\.table must be an int >= 1"
    with pytest.raises(ParameterError, match=message):
        run.table(limit)


def test_a_good_table_limit_gives_that_many_rows(run):
    for limit in (1, 3, 16):
        t = run.table(limit)
        assert len(t["rows"]) == len(t["index"]) == limit
        assert t["index"] == list(range(limit))  # the first points (500 distinct ones)
    lecture = Run({"preset": "lecture"})  # its four distinct points, whatever the limit
    assert len(lecture.table(1)["rows"]) == 1
    assert len(lecture.table(16)["rows"]) == 4


def test_an_empty_training_change_is_refused(run):
    before = (dict(run.config), list(run.changes))
    with pytest.raises(ParameterError) as err:
        run.set_training({})
    message = str(err.value)
    for name in ("'lr'", "'regularization'", "'reg_rate'"):
        assert name in message
    assert "got none" in message
    assert (dict(run.config), list(run.changes)) == before
    run.set_training({"lr": 0.1})  # a change still works, and is recorded
    assert run.config["lr"] == 0.1 and run.changes[-1]["lr"] == 0.1


def _post(server, path, body):
    base, token = server.url.split("/?")[0], server.url.split("token=")[1]
    req = urllib.request.Request(
        base + path,
        data=json.dumps(body).encode(),
        headers={"Content-Type": "application/json", "X-Glassnet-Token": token},
    )
    try:
        with urllib.request.urlopen(req, timeout=60) as r:
            return r.status, json.loads(r.read())
    except urllib.error.HTTPError as e:
        return e.code, json.loads(e.read())


def test_settings_with_no_setting_is_a_400_naming_the_fields(server):
    status, out = _post(server, "/api/run", {"config": {"grid": 10}})
    assert status == 200
    rid = out["run"]
    status, out = _post(server, "/api/settings", {"run": rid})
    assert status == 400, out
    for name in ("'lr'", "'regularization'", "'reg_rate'"):
        assert name in out["error"]
    assert out["error"].startswith("/api/settings needs at least one of")
    status, out = _post(server, "/api/settings", {"run": rid, "lr": 0.3})
    assert status == 200 and out["config"]["lr"] == 0.3
    _post(server, "/api/drop", {"runs": [rid]})
