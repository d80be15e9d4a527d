"""A Linear whose weight W was set to None (PyTorch lets it be) is refused by name by every
door that reads the weights without calling the layer, as fit already did."""

import numpy as np
import pytest

import glassnet as gn


def unset_model():
    m = gn.nn.MLP([2, 3, 1], activation="tanh", output_activation="sigmoid", rng=0)
    m.layers[2].W = None
    return m


X = np.random.default_rng(0).random((8, 2)).astype(np.float32)
Y = (X[:, 0] > 0.5).astype(np.int64)
MESSAGE = r"the Linear layer 'layers\.2' has its weight W set to None; .*shape \(3, 1\)"


@pytest.mark.parametrize(
    "owner, call",
    [
        ("fit", lambda m, tmp: gn.fit(m, X, Y, epochs=1)),
        ("fit_many", lambda m, tmp: gn.fit_many([m, unset_model()], X, Y, epochs=1)),
        ("summary", lambda m, tmp: gn.summary(m)),
        ("save", lambda m, tmp: gn.save(m, tmp / "model.gnet")),
        ("save_model", lambda m, tmp: gn.io.save_model(m, tmp / "model.glassnet")),
        ("explain", lambda m, tmp: gn.explain(m, X[:1], Y[:1])),
    ],
)
def test_a_weight_set_to_none_is_named(owner, call, tmp_path):
    with pytest.raises(ValueError, match=f"{owner}: {MESSAGE}"):
        call(unset_model(), tmp_path)
    assert list(tmp_path.iterdir()) == []  # (save wrote nothing)
