"""PyTorch forms glassnet took as written: contiguous, view_as, index_select, flip, roll,
tril, triu and detach_ on a Tensor; nn.functional.linear in its __all__; an optimizer given
named_parameters() or a group holding one tensor; the predict-side --missing advice."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

import glassnet as gn

RNG = np.random.default_rng(0)
A = RNG.normal(size=(3, 4, 5))


def _index(t: Any, values: Any) -> Any:
    """The same integer index for torch (a LongTensor) and glassnet (an int64 array)."""
    import torch

    return torch.tensor(values) if isinstance(t, torch.Tensor) else np.array(values)


def _shape_of(t: Any, shape: tuple[int, ...]) -> Any:
    import torch

    return torch.zeros(shape) if isinstance(t, torch.Tensor) else np.zeros(shape)


FORMS = {
    "contiguous": lambda t: t.transpose(0, 1).contiguous().view(-1),
    "view_as": lambda t: t.view_as(_shape_of(t, (5, 12))),
    "index_select dim=1": lambda t: t.index_select(1, _index(t, [0, 2, 2])),
    "index_select dim=-1 one": lambda t: t.index_select(-1, _index(t, 3)),
    "flip 0": lambda t: t.flip(0),
    "flip 0 2": lambda t: t.flip(0, 2),
    "flip list": lambda t: t.flip([1, -1]),
    "roll flat": lambda t: t.roll(2),
    "roll dims": lambda t: t.roll((1, -3), (0, 2)),
    "roll one dim": lambda t: t.roll(1, 1),
    "tril": lambda t: t.tril(),
    "tril -1": lambda t: t.tril(-1),
    "triu 1": lambda t: t.triu(1),
    "triu -2": lambda t: t.triu(diagonal=-2),
}


@pytest.mark.parametrize("name", sorted(FORMS))
def test_values_and_gradients_match_torch(name: str):
    torch = pytest.importorskip("torch")
    fn = FORMS[name]
    x = gn.Tensor(A.copy(), dtype=np.float64, requires_grad=True)
    xt = torch.tensor(A, requires_grad=True)
    y, yt = fn(x), fn(xt)
    np.testing.assert_allclose(y.data, yt.detach().numpy())
    r = np.random.default_rng(1).normal(size=tuple(yt.shape))
    y.backward(r)
    yt.backward(torch.tensor(r))
    np.testing.assert_allclose(x.grad, xt.grad.numpy())


@pytest.mark.parametrize("name", ["flip", "roll", "tril", "triu", "index_select"])
def test_function_forms(name: str):
    x = gn.tensor(A)
    args = {"flip": (0,), "roll": (1, 2), "tril": (), "triu": (1,), "index_select": (2, [4, 0])}
    a = args[name] if name != "index_select" else (2, np.array([4, 0]))
    np.testing.assert_array_equal(getattr(gn, name)(x, *a).data, getattr(x, name)(*a).data)


def test_contiguous_is_the_tensor_itself():
    x = gn.tensor([[1.0, 2.0]])
    assert x.contiguous() is x
    with pytest.raises(TypeError, match="memory_format"):
        x.contiguous(memory_format="channels_last")


def test_mistakes_are_named():
    x = gn.tensor(A)
    with pytest.raises(ValueError, match="vector"):
        x.index_select(0, np.array([[0, 1]]))
    with pytest.raises(IndexError, match="out of range"):
        x.index_select(1, np.array([-1]))
    with pytest.raises(TypeError, match="integers"):
        x.index_select(1, np.array([0.5]))
    with pytest.raises(TypeError, match="name the axes"):
        x.flip()
    with pytest.raises(ValueError, match="more than once"):
        x.flip(0, 0)
    with pytest.raises(ValueError, match="one shift per dim"):
        x.roll((1, 2), 0)
    with pytest.raises(ValueError, match="at least 2 axes"):
        gn.tensor([1.0, 2.0]).tril()
    with pytest.raises(TypeError, match="Tensor or an array"):
        x.view_as((5, 12))


def test_detach_in_place_of_a_leaf_as_torch():
    torch = pytest.importorskip("torch")
    w, wt = gn.ones(3, requires_grad=True), torch.ones(3, requires_grad=True)
    assert w.detach_() is w and wt.detach_() is wt
    assert w.requires_grad is wt.requires_grad is False
    assert (w * 2).requires_grad is False


def test_detach_in_place_of_an_op_result_says_to_reassign():
    x = gn.ones(3, requires_grad=True)
    h = x * 2
    with pytest.raises(RuntimeError, match=r"x = x\.detach\(\)"):
        h.detach_()
    assert h.requires_grad  # (nothing changed)
    (h * 3).sum().backward()
    np.testing.assert_array_equal(x.grad, [6.0, 6.0, 6.0])


def test_nn_functional_linear_is_exported():
    torch = pytest.importorskip("torch")
    import glassnet.nn.functional as NF

    assert "linear" in NF.__all__
    names: dict[str, Any] = {}
    exec("from glassnet.nn.functional import *", names)
    x, w, b = RNG.normal(size=(4, 3)), RNG.normal(size=(2, 3)), RNG.normal(size=2)
    expected = torch.nn.functional.linear(*map(torch.tensor, (x, w, b))).numpy()
    np.testing.assert_allclose(names["linear"](gn.tensor(x), w, b).data, expected, rtol=1e-6)


def _stepped(make_params: Any) -> list[np.ndarray]:
    """The parameters of a seeded model after two Adam steps on a fixed batch, the optimizer
    built on ``make_params(model)``."""
    gn.manual_seed(0)
    model = gn.nn.Sequential(gn.nn.Linear(3, 4), gn.nn.ReLU(), gn.nn.Linear(4, 2))
    opt = gn.optim.Adam(make_params(model), lr=0.1)
    x, y = gn.tensor(A[:, 0, :3]), gn.tensor(np.ones((3, 2)))
    for _ in range(2):
        opt.zero_grad()
        ((model(x) - y) ** 2).mean().backward()
        opt.step()
    return [p.data.copy() for p in model.parameters()]


PARAM_FORMS = {
    "named_parameters": lambda m: m.named_parameters(),
    "named list": lambda m: list(m.named_parameters()),
    "groups of one tensor": lambda m: [{"params": p} for p in m.parameters()],
    "group of named": lambda m: [{"params": m.named_parameters(), "lr": 0.1}],
}


@pytest.mark.parametrize("form", sorted(PARAM_FORMS))
def test_optimizer_takes_torch_param_forms(form: str):
    expected = _stepped(lambda m: m.parameters())
    got = _stepped(PARAM_FORMS[form])
    assert len(got) == len(expected) == 4
    for g, e in zip(got, expected):
        np.testing.assert_array_equal(g, e)


def test_torch_takes_the_same_forms():
    torch = pytest.importorskip("torch")
    m = torch.nn.Linear(3, 2)
    assert len(torch.optim.Adam(m.named_parameters(), lr=0.1).param_groups[0]["params"]) == 2
    assert len(torch.optim.Adam([{"params": m.weight}], lr=0.1).param_groups[0]["params"]) == 1
    g = gn.nn.Linear(3, 2)
    assert gn.optim.Adam(g.named_parameters(), lr=0.1).params == list(g.parameters())
    assert gn.optim.Adam([{"params": g.W}], lr=0.1).param_groups[0]["params"] == [g.W]


def test_named_and_unnamed_mixed_are_refused_as_torch():
    g = gn.nn.Linear(3, 2)
    with pytest.raises(ValueError, match="mixes"):
        gn.optim.SGD([("W", g.W), g.b], lr=0.1)
    with pytest.raises(ValueError, match="wrap a single parameter"):
        gn.optim.SGD(g.W, lr=0.1)  # (a lone tensor outside a group: refused, as PyTorch)


@pytest.mark.parametrize("cells", [["?", "#N/A"], ["#N/A", "?"]])
def test_predict_missing_example_names_each_marker_once(
    cells: list[str], tmp_path: Any, monkeypatch: pytest.MonkeyPatch, capsys: Any
):
    """predict on a number column holding '?' and '#N/A': the --missing example lists each
    marker once (it said --missing '?' twice, or --missing '#N/A' twice)."""
    from tests.cli_helpers import FAST, HEADER, assert_one_line_error, rows, run, write_csv

    monkeypatch.chdir(tmp_path)
    train = write_csv(tmp_path / "train.csv", HEADER, rows())
    model = tmp_path / "model.glassnet"
    code, _, err = run(capsys, "train", train, "--target", "label", "--out", model, *FAST)
    assert code == 0, err
    new = [["0.1", "0.2"], [cells[0], "0.5"], [cells[1], "0.3"], [cells[0], "0.4"]]
    data = write_csv(tmp_path / "new.csv", HEADER[:2], new)
    code, _, err = run(capsys, "predict", model, data)
    assert code != 0
    assert_one_line_error(err, "--missing '?'", "--missing '#N/A'")
    for marker in ("?", "#N/A"):
        assert err.count(f"--missing '{marker}'") == 1, err


def test_add_param_group_takes_one_tensor_as_pytorchs():
    # the constructor's group took {"params": w}; add_param_group refused it
    a, b = gn.nn.Linear(2, 2), gn.nn.Linear(2, 1)
    opt = gn.optim.SGD(a.parameters(), lr=0.1)
    opt.add_param_group({"params": b.W, "lr": 0.5})
    assert opt.param_groups[-1]["params"] == [b.W] and opt.param_groups[-1]["lr"] == 0.5
