"""Beginners' mistakes that must be refused with a message that says what to do."""

import numpy as np
import pytest

import glassnet as gn
from glassnet import nn


def _data(n=40, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, 3))
    return X, (X[:, 0] > 0).astype(float), rng.integers(0, 3, n)


@pytest.mark.parametrize(
    "view",
    [lambda o: o.squeeze(1), lambda o: o.view(-1), lambda o: o.flatten(), lambda o: o[:, 0],
     lambda o: o.T[0], lambda o: o[:10].reshape(-1)],
)  # fmt: skip
def test_logits_loss_refuses_a_sigmoid_output_seen_through_a_view(view):
    X, y, _ = _data()
    model = nn.Sequential(nn.Linear(3, 8), nn.ReLU(), nn.Linear(8, 1), nn.Sigmoid())
    out = view(model(gn.Tensor(X)))
    with pytest.raises(ValueError, match="takes logits.*squash twice"):
        nn.BCEWithLogitsLoss()(out, gn.Tensor(y[: out.shape[0]]))


@pytest.mark.parametrize(
    "view", [lambda o: o[:20], lambda o: o.view(40, 3), lambda o: o.T.T, lambda o: o[:, :2]]
)
def test_cross_entropy_refuses_a_softmax_output_seen_through_a_view(view):
    X, _, lab = _data()
    model = nn.Sequential(nn.Linear(3, 3), nn.Softmax(dim=1))
    out = view(model(gn.Tensor(X)))
    with pytest.raises(ValueError, match="cross_entropy takes logits"):
        nn.CrossEntropyLoss()(out, lab[: out.shape[0]] % out.shape[1])


def test_logits_loss_still_takes_viewed_logits():
    X, y, lab = _data()
    logits = nn.Linear(3, 1)(gn.Tensor(X))
    assert nn.BCEWithLogitsLoss()(logits.squeeze(1), gn.Tensor(y)).item() > 0
    z = nn.Linear(3, 3)(gn.Tensor(X))
    assert nn.CrossEntropyLoss()(z.view(40, 3)[:20], lab[:20]).item() > 0


def test_fit_refuses_a_loss_class_and_says_to_instantiate_it():
    X, _, lab = _data()
    net = nn.MLP([3, 4, 3], rng=0)
    with pytest.raises(TypeError, match=r"class CrossEntropyLoss: pass CrossEntropyLoss\(\)"):
        gn.fit(net, X, lab, loss=nn.CrossEntropyLoss, lr=0.1, epochs=1, verbose=0)


@pytest.mark.parametrize(
    "call",
    [lambda z, y: nn.BCEWithLogitsLoss()(z, gn.Tensor(y)),
     lambda z, y: nn.BCEWithLogitsLoss(pos_weight=[2.0])(z, y),
     lambda z, y: gn.nn.functional.binary_cross_entropy_with_logits(z, y),
     lambda z, y: gn.functional.binary_cross_entropy_with_logits(z, y)],
)  # fmt: skip
def test_logits_bce_refuses_minus_one_plus_one_targets(call):
    X, y, _ = _data()
    z = nn.Linear(3, 1)(gn.Tensor(X))
    with pytest.raises(
        ValueError, match=r"target must lie in \[0, 1\].*from -1 to 1.*\(y \+ 1\) / 2"
    ):
        call(z, (2 * y - 1).reshape(-1, 1))
    assert call(z, (0.8 * y + 0.1).reshape(-1, 1)).item() > 0  # (soft targets, as PyTorch's)


@pytest.mark.parametrize("head, width", [("sigmoid", 1), ("softmax", 3)])
def test_fit_refuses_a_squashing_head_for_targets_it_cannot_reach(head, width):
    rng = np.random.default_rng(0)
    X, y = rng.normal(size=(30, 3)), 5 * rng.normal(size=(30, width))
    net = nn.MLP([3, 8, width], activation="relu", output_activation=head, rng=0)
    with pytest.raises(
        ValueError, match=rf"ends in {head}.*\[0, 1\].*output_activation='identity'"
    ):
        gn.fit(net, X, y, loss="mse", lr=0.1, epochs=1, verbose=0)
    y01 = (y > 0).astype(float)  # (targets in [0, 1]: the lecture's sigmoid + mse is fine)
    assert np.isfinite(gn.fit(net, X, y01, loss="mse", lr=0.1, epochs=1, verbose=0).loss[-1])


@pytest.mark.parametrize("make", [gn.Tensor, gn.tensor])
def test_a_ragged_list_gets_a_message_that_names_the_rows(make):
    with pytest.raises(ValueError, match=r"rectangular.*row 1 has 1 value\(s\), row 0 has 2"):
        make([[1, 2], [3]])


def test_a_function_written_with_self_is_told_to_use_staticmethod():
    class Sq(gn.autograd.Function):
        def forward(self, ctx, x):
            ctx.save_for_backward(x)
            return x * x

        def backward(self, ctx, g):
            return 2 * ctx.saved_tensors[0] * g

    with pytest.raises(TypeError, match=r"Sq.forward takes self.*@staticmethod def forward\(ctx"):
        Sq.apply(gn.Tensor([1.0, 2.0], requires_grad=True))


def test_cli_notes_a_batch_size_larger_than_the_training_set(tmp_path, capsys):
    from glassnet import cli

    rng = np.random.default_rng(0)
    X = rng.normal(size=(60, 2))
    rows = [f"{a:.3f},{b:.3f},{int(a > 0)}" for a, b in X]
    (tmp_path / "d.csv").write_text("a,b,label\n" + "\n".join(rows) + "\n")
    args = ["train", str(tmp_path / "d.csv"), "--target", "label", "--epochs", "1", "-q"]
    assert cli.main([*args, "--batch-size", "1000", "--out", str(tmp_path / "m.glassnet")]) == 0
    err = capsys.readouterr().err
    assert "--batch-size 1000 is larger than the training set (" in err
    assert "rows after the validation and test split)" in err


def test_fractional_class_labels_are_named_not_their_dtype():
    out = gn.Tensor(np.random.default_rng(0).normal(size=(30, 3)))
    with pytest.raises(TypeError, match=r"integer class labels.*Got 0.5, not a whole number"):
        nn.CrossEntropyLoss()(out, np.full(30, 0.5))
