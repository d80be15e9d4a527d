"""A loss on raw scores (cross_entropy, binary_cross_entropy_with_logits) given a model that
ends in another head's sigmoid or softmax is refused, saying what to do: it trained in
silence on probabilities squashed twice (fit_many refused cross_entropy on a sigmoid)."""

import numpy as np
import pytest

import glassnet as gn
from glassnet import nn

rng = np.random.default_rng(0)
X = rng.normal(size=(200, 3))
Y = (X[:, 0] > 0.8).astype(np.int64)

CASES = [  # loss, output layer, outputs, what the refusal offers
    ("binary_cross_entropy_with_logits", "sigmoid", 1, "loss='binary_cross_entropy'"),
    ("cross_entropy", "sigmoid", 2, "output_activation='softmax'"),
    ("binary_cross_entropy_with_logits", "softmax", 2, "loss='cross_entropy'"),
]


@pytest.mark.parametrize(("loss", "head", "outputs", "fix"), CASES)
@pytest.mark.parametrize("engine", ["auto", "graph"])
def test_a_logits_loss_on_another_heads_probabilities_is_refused(loss, head, outputs, fix, engine):
    net = nn.MLP([3, 8, outputs], output_activation=head, rng=0)
    y = Y if outputs == 1 or loss == "cross_entropy" else np.eye(2)[Y]
    with pytest.raises(ValueError, match=rf"^fit: the model ends in {head}, so its outputs") as e:
        gn.fit(net, X, y, loss=loss, epochs=1, verbose=0, engine=engine)
    assert fix in str(e.value)


def test_fit_many_refuses_it_too():
    nets = [nn.MLP([3, 4, 1], output_activation="sigmoid", rng=s) for s in range(2)]
    with pytest.raises(ValueError, match=r"^fit_many: the model ends in sigmoid"):
        gn.fit_many(nets, X, Y, loss="binary_cross_entropy_with_logits", epochs=1)


@pytest.mark.parametrize(
    ("loss", "head", "outputs"),
    [
        ("binary_cross_entropy", "sigmoid", 1),
        ("binary_cross_entropy_with_logits", "identity", 1),
        ("cross_entropy", "softmax", 2),
        ("cross_entropy", "identity", 2),
    ],
)
def test_each_loss_with_its_own_head_or_logits_trains(loss, head, outputs):
    net = nn.MLP([3, 8, outputs], output_activation=head, rng=0)
    h = gn.fit(net, X, Y, loss=loss, lr=0.5, epochs=200, validation_split=0.3, seed=0, verbose=0)
    assert h.val_metric[-1] > 0.8  # (0.2, the share of positives, with a head squashed twice)
