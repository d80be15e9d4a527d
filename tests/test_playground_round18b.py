"""The playground, round 18b (no browser): ``Run.set_training`` refuses what is no mapping by
name, and ``POST /api/settings`` reports a missing or unknown run before an empty change."""

from __future__ import annotations

import pytest
from test_playground_round18 import _post  # (one way to post to the server)

from glassnet._validation import ParameterError
from glassnet.playground import Run


@pytest.fixture(scope="module")
def run():
    return Run({"grid": 10})


@pytest.mark.parametrize("changes", [[], (), "", None, 0.1, [("lr", 0.1)]])
def test_set_training_refuses_what_is_no_mapping_by_name(run, changes):
    # a bare TypeError ("'list' object is not a mapping", "'NoneType' object is not iterable")
    with pytest.raises(ParameterError) as err:
        run.set_training(changes)
    message = str(err.value)
    assert message.startswith("set_training takes a mapping of the settings to change")
    assert "{'lr': 0.1}" in message and f"Got {changes!r}." in message


@pytest.mark.parametrize(
    ("body", "status", "words"),
    [
        ({}, 400, "'run' must be the id a POST /api/run gave. Got None."),
        ({"run": "nope"}, 404, "unknown run 'nope' (the server restarted"),
        ({"run": "nope", "lr": 0.1}, 404, "unknown run 'nope' (the server restarted"),
    ],
)
def test_settings_reports_the_run_first(server, body, status, words):
    # {} and {"run": "nope"} said "needs at least one of 'lr', ..." (the run only on a 2nd try)
    got, out = _post(server, "/api/settings", body)
    assert (got, words in out["error"]) == (status, True), out
