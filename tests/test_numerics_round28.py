"""Round 28 numerics audit: where the graph and the fast path are bit-identical (and where
they agree to rounding), what fit's DivergenceError says happened, and messages that name
what the user called."""

import pathlib
import warnings

import numpy as np
import pytest

import glassnet as gn
from glassnet import nn

F = gn.functional
DOCS = pathlib.Path(__file__).resolve().parents[1] / "docs"


# 3. the graph and the fast path: bit for bit where the output's derivative is exact or the
# loss is on the logits; to rounding for a squared error through a sigmoid/tanh/softmax head
def _engines(out: str, loss: str, y: np.ndarray) -> float:
    X = np.random.default_rng(1).standard_normal((30, 3))
    got = {}
    for engine in ("graph", "fused"):
        net = nn.MLP([3, 5, y.shape[1]], activation="tanh", output_activation=out, rng=0)
        net = net.double()
        kw = dict(loss=loss, lr=0.5, epochs=2, batch_size=8, verbose=0, shuffle=False)
        assert gn.fit(net, X, y, engine=engine, threads=1, **kw).engine == engine
        got[engine] = np.concatenate([p.data.ravel() for p in net.parameters()])
    return float(np.abs(got["graph"] - got["fused"]).max())


@pytest.mark.parametrize(
    "out,loss", [("identity", "mse"), ("relu", "half_mse"), ("sigmoid", "bce"), ("softmax", "ce")]
)
def test_graph_and_fast_path_bit_identical_where_the_docs_say(out, loss):
    rng = np.random.default_rng(2)
    y = rng.random((30, 3)) if loss != "ce" else np.eye(3)[rng.integers(0, 3, 30)]
    loss = {"bce": "binary_cross_entropy", "ce": "cross_entropy"}.get(loss, loss)
    assert _engines(out, loss, y) == 0.0


@pytest.mark.parametrize("out", ["sigmoid", "tanh", "softmax"])
def test_squared_error_on_a_squashing_head_agrees_to_rounding_as_documented(out):
    y = np.random.default_rng(2).random((30, 3))
    assert 0.0 < _engines(out, "mse", y) < 1e-14  # (1/N applied before g'(z) or after it)
    text = " ".join((DOCS / "engines.md").read_text().split())
    assert "bit for bit" in text and "agree to rounding" in text
    at = text.index("agree to rounding")
    for word in ("`sigmoid`", "`tanh`", "`softmax`", "1/N", "g'(z)"):
        assert word in text[at - 300 : at + 600], word


# 4. the DivergenceError blames a loss function of the user's, not the squared error, for a
# loss not finite before any update
def _diverge(**kw):
    rng = np.random.default_rng(0)
    X, y = kw.pop("X", rng.standard_normal((20, 3))), kw.pop("y", rng.standard_normal((20, 1)))
    m = kw.pop("model", None) or nn.MLP([3, 4, 1], activation="tanh", rng=0)
    with pytest.raises(gn.DivergenceError) as e:
        gn.fit(m, X, y, verbose=0, **kw)
    return " ".join(str(e.value).split())


def test_a_loss_function_not_finite_before_any_update_is_blamed_not_the_data():
    msg = _diverge(loss=lambda p, t: -(p - p).log().mean(), epochs=2)
    assert "before any update" in msg and "loss function" in msg
    assert "mean squared error" not in msg and "square past" not in msg
    assert "detect_anomaly" in msg and "learning rate is not the cause" in msg


def test_a_squared_error_overflowing_before_any_update_still_says_so():
    X = np.full((8, 3), 1e30, np.float32)
    model = nn.Sequential(nn.Linear(3, 1, rng=0))
    msg = _diverge(X=X, y=np.zeros((8, 1)), model=model, loss="mse", epochs=1)
    assert "before any update" in msg and "square" in msg


class _Root(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.w = nn.Parameter(np.zeros((1,), np.float64))

    def forward(self, x):
        return x * self.w.sqrt()


def test_a_nan_gradient_under_adam_keeps_its_hint():
    X = np.ones((4, 1))
    msg = _diverge(X=X, y=X, model=_Root(), optimizer="adam", lr=0.1, epochs=3)
    assert "NaN gradient" in msg


def test_a_large_learning_rate_is_still_blamed_on_the_learning_rate():
    msg = _diverge(loss="mse", optimizer="sgd", lr=1e4, epochs=50)
    assert "smaller learning rate" in msg


# 5. the same diverged step from both engines, and no NumPy warning from glassnet's own
# arithmetic (fit reports it)
def _bce_data():
    rng = np.random.default_rng(0)
    for scale in (1e6, 1e-6, 1.0):
        X = rng.standard_normal((40, 3)) * scale
        for k in range(4):
            y = [
                rng.standard_normal((40, 2)) * 1e8,
                rng.standard_normal((40, 2)),
                rng.integers(0, 2, 40),
                rng.integers(0, 2, (40, 2)).astype(float),
            ][k]
            if scale == 1e6 and k == 3:
                data = (X.astype(np.float32), y)
    return data


def test_a_diverged_bce_step_reads_the_same_from_graph_and_fast_path():
    X, y = _bce_data()
    said = {}
    for engine in ("graph", "fused"):
        m = nn.MLP([3, 5, 2], activation="leaky_relu", output_activation="sigmoid", rng=0)
        kw = dict(loss="binary_cross_entropy", lr=1e-3, epochs=5, batch_size=16, seed=0)
        with warnings.catch_warnings(record=True) as seen:
            warnings.simplefilter("always")
            with pytest.raises(gn.DivergenceError) as e:
                gn.fit(m, X, y, verbose=0, engine=engine, **kw)
        assert not [w for w in seen if issubclass(w.category, RuntimeWarning)], engine
        said[engine] = str(e.value)
    # the same step (the fast path's loss reads nan where the graph takes the loss's limit
    # at an infinite logit, inf; the command line and other tests read these lead words)
    assert "became inf at step 9 (epoch 3)" in said["graph"], said
    assert "became nan at step 9 (epoch 3)" in said["fused"], said


# 6. BCE on probabilities below eps: the gradient at the clipped point, documented
def test_bce_below_eps_keeps_a_large_finite_gradient_and_says_why():
    p = gn.tensor([1e-20], dtype=gn.float64, requires_grad=True)
    F.binary_cross_entropy(p, np.array([1.0])).backward()
    assert np.isfinite(p.grad).all() and p.grad[0] < -1e15
    doc = " ".join(F.binary_cross_entropy.__doc__.split())
    assert "below eps" in doc and "finite difference" in doc


# 7. messages name what the user called
def test_backward_gradient_out_of_range_names_the_gradient():
    x = gn.tensor([1.0], requires_grad=True)
    with pytest.raises(ValueError) as e:
        (x * 2).backward(np.array([1e300]))
    msg = str(e.value)
    assert "gradient" in msg and "Tensor: data" not in msg and "backward" in msg


def test_max_over_an_empty_axis_names_max():
    for fn, op in ((gn.max, "max"), (gn.min, "min")):
        with pytest.raises(ValueError) as e:
            fn(gn.zeros(0, 3), 0)
        assert str(e.value).startswith(f"{op} of a tensor"), str(e.value)


@pytest.mark.parametrize(
    "loss,target",
    [(nn.MSELoss(), np.zeros((0, 3))), (nn.CrossEntropyLoss(), np.zeros((0,), np.int64))],
)
def test_an_empty_batch_is_refused_in_the_loss_modules_name(loss, target):
    with pytest.raises(ValueError) as e:
        loss(gn.zeros(0, 3), target)
    assert str(e.value).startswith(type(loss).__name__ + ": the batch is empty")
