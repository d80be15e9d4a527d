"""One answer, in explain, summary and the drawings, to an estimator given where a glassnet
network is wanted (each tool wrote its own, and explain told a RandomForestClassifier's
user to fit glassnet.sklearn.RandomForestClassifier)."""

import warnings

import numpy as np
import pytest

import glassnet as gn
from glassnet.sklearn import MLPClassifier

sklearn = pytest.importorskip("sklearn")
from sklearn.ensemble import RandomForestClassifier  # noqa: E402
from sklearn.neural_network import MLPClassifier as SkMLP  # noqa: E402

X, Y = np.random.default_rng(0).normal(size=(40, 3)), np.arange(40) % 2
TOOLS = {
    "explain": lambda est: gn.explain(est, X[:1], Y[:1]),
    "summary": lambda est: gn.summary(est),
    "draw_network": lambda est: gn.viz.draw_network(est),
}


def _fitted(est):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return est.fit(X, Y)


@pytest.mark.parametrize("tool", sorted(TOOLS))
def test_each_tool_gives_the_same_advice(tool):
    call = TOOLS[tool]
    cases = [
        (RandomForestClassifier(), r"Got RandomForestClassifier, an estimator \(sklearn\..*\) "
         r"that has no glassnet network\.$"),
        (_fitted(SkMLP(max_iter=5, random_state=0)), r"scikit-learn's own estimator .*Fit "
         rf"glassnet\.sklearn\.MLPClassifier instead .*then {tool}\(est\.model_"),
        (MLPClassifier(), rf"once fitted: train it first, est\.fit\(X, y\), then "
         rf"{tool}\(est\.model_"),
        (_fitted(MLPClassifier(max_iter=3)),
         rf"an estimator; pass its network: {tool}\(est\.model_"),
    ]  # fmt: skip
    for est, message in cases:
        with pytest.raises(TypeError, match=rf"^{tool}: model must be a glassnet Module") as e:
            call(est)
        assert e.match(message)
        assert "glassnet.sklearn.RandomForestClassifier" not in str(e.value)
