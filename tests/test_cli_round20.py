"""The command line, round 20: evaluate --json's per-class lists."""

import json

from cli_helpers import HEADER, run, write_csv
from test_cli_round18 import model_of


def test_evaluate_json_metrics_null_for_a_class_absent_from_truth_and_predictions(capsys, tmp_path):
    """metrics' per-class precision, recall and F1 said 0.0 for a class no row is of nor
    predicted as, where the report and the JSON's own "classes" say n/a (null)."""
    _, model = model_of(capsys, tmp_path)
    one = write_csv(tmp_path / "one.csv", ["a", "b"], [["0.5", "0.4"]])
    said = run(capsys, "predict", model, one)[1].splitlines()[1]
    data = write_csv(tmp_path / "e.csv", HEADER, [["0.5", "0.4", said]] * 3)
    code, out, err = run(capsys, "evaluate", model, data, "--json")
    assert code == 0, err
    report = json.loads(out)
    names = [c["class"] for c in report["classes"]]
    other, mine = names.index({"yes": "no", "no": "yes"}[said]), names.index(said)
    for k in ("precision", "recall", "f1"):
        assert report["metrics"][k][other] is None, report["metrics"]
        assert report["classes"][other][k] is None
        assert report["metrics"][k][mine] == report["classes"][mine][k] == 1.0
    assert report["metrics"]["macro_f1"] == 1.0
