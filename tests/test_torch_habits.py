"""PyTorch habits in glassnet.nn, glassnet.optim, glassnet.data and glassnet.io.

Each habit runs the same snippet twice: in glassnet against an independent reference
(a NumPy transcription of the documented formula, a finite-difference gradient check),
always; and in PyTorch (``torch==2.13.0``, optional) with the same initial weights, the
numbers compared in float64 to 1e-10.
"""

from __future__ import annotations

import copy
import warnings

import numpy as np
import pytest

import glassnet as gn
from glassnet import nn, optim
from glassnet.data import DataLoader, TensorDataset
from glassnet.io import load_torch_state_dict
from glassnet.nn.utils import clip_grad_norm_, clip_grad_value_

TOL = {"rtol": 1e-10, "atol": 1e-12}


def torch_or_none():
    """torch when installed (the comparisons are optional); None otherwise."""
    try:
        import torch
    except ImportError:
        return None
    return torch


def two_layer(rng, sizes=(3, 4, 2)):
    """A glassnet MLP in float64 and its weights as PyTorch's (weight (out, in), bias)."""
    model = nn.MLP(list(sizes), activation="tanh", rng=rng, dtype=np.float64)
    weights = [
        (m.W.data.T.copy(), m.b.data.copy()) for m in model.layers if isinstance(m, nn.Linear)
    ]
    return model, weights


def torch_two_layer(torch, weights):
    layers = []
    for w, b in weights:
        lin = torch.nn.Linear(w.shape[1], w.shape[0]).double()
        with torch.no_grad():
            lin.weight.copy_(torch.tensor(w))
            lin.bias.copy_(torch.tensor(b))
        layers += [lin, torch.nn.Tanh()]
    return torch.nn.Sequential(*layers[:-1])


def glassnet_weights(model):
    return [p.data.copy() for p in model.parameters()]


def torch_weights(tmodel):
    out = []
    for m in tmodel:
        if hasattr(m, "weight"):
            out += [m.weight.detach().numpy().T.copy(), m.bias.detach().numpy().copy()]
    return out


# --------------------------------------------------------------------------- frozen parameters


@pytest.mark.parametrize(
    ("name", "kw"),
    [
        ("SGD", {"lr": 0.1, "momentum": 0.9, "weight_decay": 0.1}),
        ("Adam", {"lr": 0.01, "weight_decay": 0.1}),
        ("AdamW", {"lr": 0.01, "weight_decay": 0.1}),
        ("RMSprop", {"lr": 0.01, "momentum": 0.5, "weight_decay": 0.1}),
    ],
)
def test_frozen_parameters_do_not_move(name, kw):
    rng = np.random.default_rng(0)
    X, Y = rng.standard_normal((8, 3)), rng.standard_normal((8, 2))
    model, weights = two_layer(rng)
    ref = copy.deepcopy(model)
    opt = getattr(optim, name)(model.parameters(), **kw)
    loss_fn = nn.MSELoss()

    def run(model, opt, loss_fn, X, Y, freeze):
        for step in range(5):
            if step == 2:  # momentum and moments are built up; now freeze the first layer
                freeze()
            opt.zero_grad()
            loss_fn(model(X), Y).backward()
            opt.step()

    W1 = model.layers[0].W
    run(model, opt, loss_fn, X, Y, lambda: setattr(W1, "requires_grad", False))
    # the reference: the same run, stopped after two steps, shows W1's value when frozen
    ref_opt = getattr(optim, name)(ref.parameters(), **kw)
    for _ in range(2):
        ref_opt.zero_grad()
        loss_fn(ref(X), Y).backward()
        ref_opt.step()
    frozen_at = ref.layers[0].W.data.copy()
    np.testing.assert_array_equal(W1.data, frozen_at)  # not moved by decay or momentum
    assert W1.grad is None  # and no gradient was made up for it
    assert not np.array_equal(model.layers[0].b.data, ref.layers[0].b.data)  # the rest trains

    torch = torch_or_none()
    if torch is None:
        return
    tmodel = torch_two_layer(torch, weights)
    topt = getattr(torch.optim, name)(tmodel.parameters(), **kw)
    run(tmodel, topt, torch.nn.MSELoss(), torch.tensor(X), torch.tensor(Y),
        lambda: tmodel[0].weight.requires_grad_(False))  # fmt: skip
    for a, b in zip(glassnet_weights(model), torch_weights(tmodel), strict=True):
        np.testing.assert_allclose(a, b, **TOL)


def test_module_zero_grad_to_none_or_in_place():
    model = nn.MLP([2, 3, 1], rng=0)
    model(np.ones((4, 2), np.float32)).sum().backward()
    grads = [p.grad for p in model.parameters()]
    model.zero_grad(set_to_none=False)  # zeros in place (an optimizer's views stay bound)
    assert all(p.grad is g and not g.any() for p, g in zip(model.parameters(), grads))
    model.zero_grad()  # PyTorch's default (>= 2.0): None, so a step skips what gets none
    assert all(p.grad is None for p in model.parameters())


def test_a_parameter_without_gradient_is_skipped_and_requires_grad_false_too():
    p, q = nn.Parameter(np.ones(2), dtype=np.float64), nn.Parameter(np.ones(2), dtype=np.float64)
    opt = optim.SGD([p, q], lr=0.1, momentum=0.9, weight_decay=0.5)
    p.grad, q.grad = np.ones(2), np.ones(2)
    opt.step()
    q.requires_grad = False  # a stale gradient is not used either
    p.grad = None
    opt.step()
    np.testing.assert_array_equal(p.data, 1 - 0.1 * (1 + 0.5))  # one step only
    np.testing.assert_array_equal(q.data, p.data)
    assert p.grad is None


# --------------------------------------------------------------------------- param groups


def test_param_groups_with_their_own_lr_and_weight_decay_follow_pytorch():
    rng = np.random.default_rng(1)
    X, Y = rng.standard_normal((8, 3)), rng.standard_normal((8, 2))
    model, weights = two_layer(rng)
    first, second = model.layers[0], model.layers[2]

    def groups(a, b):
        return [{"params": a, "lr": 0.05, "weight_decay": 0.1}, {"params": b}]

    def run(model, opt, sched, loss_fn, X, Y, steps):
        for _ in range(steps):
            opt.zero_grad()
            loss_fn(model(X), Y).backward()
            opt.step()
            sched.step()

    opt = optim.SGD(groups(first.parameters(), second.parameters()), lr=0.1, momentum=0.9)
    assert [g["lr"] for g in opt.param_groups] == [0.05, 0.1]
    assert [g["weight_decay"] for g in opt.param_groups] == [0.1, 0.0]
    assert opt.param_groups[0]["params"] == first.parameters()
    sched = gn.schedules.StepLR(opt, step_size=2, gamma=0.5)
    run(model, opt, sched, nn.MSELoss(), X, Y, 3)
    assert [g["lr"] for g in opt.param_groups] == [0.025, 0.05]  # each from its own base
    # the state dict round-trips the groups: resuming equals going on
    state, sched_state = opt.state_dict(), sched.state_dict()
    assert [g["lr"] for g in state["param_groups"]] == [0.025, 0.05]
    twin = nn.MLP([3, 4, 2], activation="tanh", rng=9, dtype=np.float64)
    twin.load_state_dict(model.state_dict())
    opt2 = optim.SGD(groups(twin.layers[0].parameters(), twin.layers[2].parameters()), lr=0.5)
    opt2.load_state_dict(state)
    sched2 = gn.schedules.StepLR(opt2, step_size=2, gamma=0.5)
    sched2.load_state_dict(sched_state)
    run(model, opt, sched, nn.MSELoss(), X, Y, 3)
    run(twin, opt2, sched2, nn.MSELoss(), X, Y, 3)
    for a, b in zip(model.parameters(), twin.parameters(), strict=True):
        np.testing.assert_array_equal(a.data, b.data)

    torch = torch_or_none()
    if torch is None:
        return
    tmodel = torch_two_layer(torch, weights)
    topt = torch.optim.SGD(
        groups(tmodel[0].parameters(), tmodel[2].parameters()), lr=0.1, momentum=0.9
    )
    tsched = torch.optim.lr_scheduler.StepLR(topt, step_size=2, gamma=0.5)
    run(tmodel, topt, tsched, torch.nn.MSELoss(), torch.tensor(X), torch.tensor(Y), 6)
    assert [g["lr"] for g in topt.param_groups] == [g["lr"] for g in opt.param_groups]
    for a, b in zip(glassnet_weights(model), torch_weights(tmodel), strict=True):
        np.testing.assert_allclose(a, b, **TOL)


def test_param_group_settings_are_checked():
    p = nn.Parameter(np.zeros(2))
    opt = optim.Adam([{"params": [p], "betas": (0.5, 0.6)}], lr=0.1)
    assert opt.param_groups[0]["betas"] == (0.5, 0.6) and opt.beta1 == 0.5
    opt.param_groups[0]["lr"] = -1.0  # set in the dict: checked at the next step
    with pytest.raises(ValueError, match="The 'lr' parameter of Adam must be a float >= 0"):
        opt.step()
    opt.param_groups[0]["lr"] = 0.2
    opt.step()
    with pytest.raises(
        ValueError, match=r"SGD has no settings \['weight_decya'\]; its settings are"
    ):
        optim.SGD([{"params": [nn.Parameter(np.zeros(1))], "weight_decya": 0.1}])
    q = nn.Parameter(np.zeros(1))
    with pytest.raises(ValueError, match="more than one param group"):
        optim.SGD([{"params": [q]}, {"params": [q]}])
    opt.add_param_group({"params": [q], "lr": 0.5})
    assert opt.param_groups[1]["lr"] == 0.5 and opt.param_groups[1]["betas"] == (0.9, 0.999)
    opt.param_groups[1]["bettas"] = (0.5, 0.6)  # (a near-miss of a setting: refused; a key
    with pytest.raises(ValueError, match=r"Adam has no settings \['bettas'\]"):  # of its
        opt.step()  # own, such as Lookahead's, is kept, as PyTorch keeps it: a583709)


def test_a_glassnet_0_1_state_dict_still_loads():
    p = nn.Parameter(np.zeros(3), dtype=np.float64)
    old = {
        "type": "Adam", "lr": 0.01, "t": 4, "beta1": 0.8, "beta2": 0.9, "eps": 1e-8,
        "weight_decay": 0.0, "amsgrad": False, "numel.0": 3, "dtype.0": "float64",
        "m.0": np.full(3, 0.5), "v.0": np.full(3, 0.25),
    }  # fmt: skip
    opt = optim.Adam([p])
    opt.load_state_dict(old)
    assert opt.t == 4 and opt.lr == 0.01 and opt.betas == (0.8, 0.9)
    np.testing.assert_array_equal(opt.state_dict()["param_groups"][0]["m.0"], 0.5)


# --------------------------------------------------------------------------- loss modules


def np_log_softmax(z):
    m = z.max(axis=1, keepdims=True)
    return z - m - np.log(np.exp(z - m).sum(axis=1, keepdims=True))


def reference_loss(name, kw, x, t):
    """The documented formula, in NumPy, per entry then reduced as PyTorch does."""
    red, w = kw.get("reduction", "mean"), kw.get("weight")
    total = None
    if name == "MSELoss":
        per = (x - t) ** 2
    elif name == "L1Loss":
        per = np.abs(x - t)
    elif name == "HuberLoss":
        d, delta = x - t, kw.get("delta", 1.0)
        per = np.where(np.abs(d) < delta, 0.5 * d**2, delta * (np.abs(d) - 0.5 * delta))
    elif name in ("BCELoss", "BCEWithLogitsLoss"):
        p = x if name == "BCELoss" else 1 / (1 + np.exp(-x))
        per = -(t * np.log(p) + (1 - t) * np.log(1 - p)) * (1 if w is None else w)
    else:  # CrossEntropyLoss, NLLLoss
        c = x.shape[1]
        logp = x if name == "NLLLoss" else np_log_softmax(x)
        w = np.ones(c) if w is None else w
        rows = np.eye(c)[t] if t.ndim == 1 else t
        eps = kw.get("label_smoothing", 0.0)
        per = -(w * ((1 - eps) * rows + eps / c) * logp).sum(axis=1)
        total = (rows @ w).sum() if t.ndim == 1 else len(t)
    if red == "none":
        return per
    return per.sum() if red == "sum" else per.sum() / (per.size if total is None else total)


def loss_cases():
    rng = np.random.default_rng(2)
    x = rng.standard_normal((6, 4))
    t = rng.standard_normal((6, 4))
    p, y01 = 1 / (1 + np.exp(-x)), (rng.random((6, 4)) < 0.5).astype(float)
    labels = np.array([0, 3, 1, 1, 2, 3])
    soft = np.exp(rng.standard_normal((6, 4)))
    soft /= soft.sum(axis=1, keepdims=True)
    w4 = np.array([0.5, 2.0, 1.0, 3.0])
    cases = []
    for red in ("mean", "sum", "none"):
        cases += [
            ("MSELoss", {"reduction": red}, x, t),
            ("L1Loss", {"reduction": red}, x, t),
            ("HuberLoss", {"reduction": red, "delta": 0.7}, x, t),
            ("BCELoss", {"reduction": red, "weight": rng.random(4)}, p, y01),
            ("BCEWithLogitsLoss", {"reduction": red}, x, y01),
            ("CrossEntropyLoss", {"reduction": red}, x, labels),
            ("CrossEntropyLoss", {"reduction": red, "weight": w4}, x, labels),
            (
                "CrossEntropyLoss",
                {"reduction": red, "label_smoothing": 0.2, "weight": w4},
                x,
                labels,
            ),
            ("CrossEntropyLoss", {"reduction": red, "label_smoothing": 0.1}, x, soft),
            ("CrossEntropyLoss", {"reduction": red, "weight": w4}, x, soft),
            ("NLLLoss", {"reduction": red, "weight": w4}, np_log_softmax(x), labels),
            ("NLLLoss", {"reduction": red}, np_log_softmax(x), labels),
        ]
    return cases


@pytest.mark.parametrize(("name", "kw", "x", "t"), loss_cases())
def test_loss_modules_match_the_formula_and_pytorch(name, kw, x, t):
    loss = getattr(nn, name)(**kw)
    xt = gn.Tensor(x, requires_grad=True)
    out = loss(xt, t)
    np.testing.assert_allclose(out.data, reference_loss(name, kw, x, t), **TOL)
    out.sum().backward() if out.ndim else out.backward()
    torch = torch_or_none()
    if torch is None:
        return
    tkw = {k: torch.tensor(v) if isinstance(v, np.ndarray) else v for k, v in kw.items()}
    tx = torch.tensor(x, requires_grad=True)
    tout = getattr(torch.nn, name)(**tkw)(tx, torch.tensor(t))
    np.testing.assert_allclose(out.data, tout.detach().numpy(), **TOL)
    (tout.sum() if tout.ndim else tout).backward()
    np.testing.assert_allclose(xt.grad, tx.grad.numpy(), **TOL)


@pytest.mark.parametrize(
    ("name", "kw", "target"),
    [
        ("L1Loss", {}, "real"),
        ("HuberLoss", {"delta": 0.5}, "real"),
        ("NLLLoss", {"weight": [0.5, 2.0, 1.0]}, "labels"),
        ("CrossEntropyLoss", {"weight": [0.5, 2.0, 1.0], "label_smoothing": 0.3}, "labels"),
        ("CrossEntropyLoss", {"weight": [0.5, 2.0, 1.0]}, "rows"),
        ("BCELoss", {"weight": [0.5, 2.0, 1.0]}, "probabilities"),
    ],
)
def test_losses_written_as_tensor_ops_pass_gradcheck(name, kw, target):
    rng = np.random.default_rng(3)
    x = rng.standard_normal((5, 3))
    t = {
        "real": x + rng.choice([-1.0, 1.0], (5, 3)) * rng.uniform(0.1, 2.0, (5, 3)),  # |d| != delta
        "labels": np.array([0, 2, 1, 1, 0]),
        "rows": rng.dirichlet(np.ones(3), 5),
        "probabilities": rng.random((5, 3)),
    }[target]
    if name == "BCELoss":
        x = rng.uniform(0.1, 0.9, (5, 3))
    gn.gradcheck(lambda a: getattr(nn, name)(**kw)(a, t), x)


@pytest.mark.parametrize("name", ["BCELoss", "BCEWithLogitsLoss"])
def test_bce_weight_keeps_a_float32_input_float32(name):
    x = gn.Tensor(np.array([[0.2, 0.7], [0.9, 0.4]], np.float32), requires_grad=True)
    loss = getattr(nn, name)(weight=np.array([0.5, 2.0]))  # a float64 weight
    out = loss(x, np.array([[0.0, 1.0], [1.0, 0.0]]))
    assert out.dtype == np.float32
    out.backward()
    assert x.grad.dtype == np.float32


@pytest.mark.parametrize(
    ("name", "kw"),
    [
        ("MSELoss", {}),
        ("L1Loss", {}),
        ("HuberLoss", {"delta": 0.5}),
        ("MSELoss", {"reduction": "sum"}),
    ],
)
def test_a_target_that_requires_grad_receives_its_gradient(name, kw):
    # nn.MSELoss()(f(x), g(x)): both sides are graphs, and PyTorch differentiates both
    rng = np.random.default_rng(6)
    x = rng.standard_normal((4, 3))
    t = x + rng.choice([-1.0, 1.0], (4, 3)) * rng.uniform(0.1, 2.0, (4, 3))  # |d| != delta
    gn.gradcheck(lambda a, b: getattr(nn, name)(**kw)(a, b), x, t)


@pytest.mark.parametrize(
    ("name", "x", "t"),
    [
        ("BCELoss", np.full((2, 3), 0.5), np.ones((2, 3))),
        ("BCEWithLogitsLoss", np.zeros((2, 3)), np.ones((2, 3))),
        ("CrossEntropyLoss", np.zeros((2, 3)), np.full((2, 3), 1 / 3)),
        ("NLLLoss", np.full((2, 3), -1.0), np.full((2, 3), 1 / 3)),
    ],
)
def test_a_target_that_requires_grad_is_refused_where_no_gradient_reaches_it(name, x, t):
    target = gn.Tensor(t, requires_grad=True)
    with pytest.raises(RuntimeError, match=f"{name}: the target requires grad.*detach"):
        getattr(nn, name)()(gn.Tensor(x, requires_grad=True), target)
    out = getattr(nn, name)()(gn.Tensor(x, requires_grad=True), target.detach())
    assert out.requires_grad
    with gn.no_grad():  # no gradient wanted: nothing to refuse
        getattr(nn, name)()(gn.Tensor(x), target)


@pytest.mark.parametrize("name", ["CrossEntropyLoss", "NLLLoss", "BCELoss", "BCEWithLogitsLoss"])
def test_a_weight_given_as_a_tensor_is_its_values(name):
    # PyTorch's habit: weight=torch.tensor([...]); a glassnet Tensor was "not numeric"
    w = np.array([0.5, 2.0, 1.0])
    x = np.full((2, 3), 0.3)
    t = np.array([0, 2]) if name in ("CrossEntropyLoss", "NLLLoss") else np.ones((2, 3))
    want = getattr(nn, name)(weight=w)(gn.Tensor(x), t)
    got = getattr(nn, name)(weight=gn.Tensor(w))(gn.Tensor(x), t)
    np.testing.assert_array_equal(got.data, want.data)


@pytest.mark.parametrize(
    ("name", "kw"),
    [
        ("NLLLoss", {}),
        ("NLLLoss", {"weight": [1.0, 2.0, 3.0]}),
        ("CrossEntropyLoss", {"weight": [1.0, 2.0, 3.0]}),
        ("CrossEntropyLoss", {"weight": [1.0, 2.0, 3.0], "reduction": "none"}),
    ],
)
def test_a_masked_class_of_logit_minus_inf_gives_a_finite_loss(name, kw):
    # masked logits (attention, invalid actions): PyTorch picks the target's term and gets a
    # finite loss; the rows' 0 * -inf at the masked class made it NaN
    masked = np.array([[0.0, -np.inf, 1.0], [2.0, 0.5, -np.inf]])
    labels = np.array([2, 0])

    def run(z):
        x = gn.Tensor(z, requires_grad=True)
        out = getattr(nn, name)(**kw)(x.log_softmax(1) if name == "NLLLoss" else x, labels)
        out.sum().backward()
        return out.data, x.grad

    with np.errstate(invalid="ignore", divide="ignore"):
        got, grad = run(masked)
    want, want_grad = run(np.where(np.isinf(masked), -1e300, masked))  # the same softmax
    assert np.all(np.isfinite(got))
    np.testing.assert_allclose(got, want, **TOL)
    np.testing.assert_allclose(grad, want_grad, **TOL)


def test_loss_modules_refuse_bad_arguments():
    with pytest.raises(ValueError, match="'reduction' parameter of MSELoss must be 'mean', 'sum'"):
        nn.MSELoss(reduction="avg")
    with pytest.raises(ValueError, match="'label_smoothing' parameter of CrossEntropyLoss"):
        nn.CrossEntropyLoss(label_smoothing=1.5)
    with pytest.raises(ValueError, match="'weight' has shape \\(2,\\) but the input has 3 classes"):
        nn.CrossEntropyLoss(weight=[1.0, 2.0])(np.zeros((2, 3)), np.array([0, 1]))
    with pytest.raises(ValueError, match="NLLLoss takes an input of shape \\(N, C\\)"):
        nn.NLLLoss()(np.zeros(3), np.array([0, 1, 2]))
    with pytest.raises(ValueError, match="CrossEntropyLoss takes an input of shape \\(N, C\\)"):
        nn.CrossEntropyLoss(label_smoothing=0.1)(np.zeros(3), np.array([0, 1, 2]))
    with pytest.raises(ValueError, match=r"labels must lie in \[0, 2\]"):
        nn.NLLLoss()(np.zeros((2, 3)), np.array([0, 5]))
    assert repr(nn.HuberLoss(delta=2.0)) == "HuberLoss(reduction=mean, delta=2.0)"


@pytest.mark.parametrize("name", ["MSELoss", "L1Loss", "HuberLoss"])
def test_regression_losses_refuse_a_target_of_another_shape(name):
    x, t = np.zeros((4, 1)), np.arange(4.0)  # (4, 1) against (4,) would broadcast to (4, 4)
    for reduction in ("none", "mean"):
        with pytest.raises(ValueError, match=r"\(4, 1\) and target of shape \(4,\) differ"):
            getattr(nn, name)(reduction=reduction)(gn.Tensor(x), t)
    np.testing.assert_allclose(  # the same shapes are fine
        getattr(nn, name)(reduction="none")(gn.Tensor(x), t.reshape(4, 1)).data.ravel(),
        {"MSELoss": t**2, "L1Loss": t, "HuberLoss": np.where(t < 1, t**2 / 2, t - 0.5)}[name],
    )
    torch = torch_or_none()
    if torch is not None:  # PyTorch broadcasts to (4, 4) with only a warning
        with pytest.warns(UserWarning, match="different to the input size"):
            out = getattr(torch.nn, name)(reduction="none")(torch.tensor(x), torch.tensor(t))
        assert tuple(out.shape) == (4, 4)


# --------------------------------------------------------------------------- gradient clipping


@pytest.mark.parametrize("norm_type", [2.0, 1.0, 3.0, float("inf")])
def test_clip_grad_norm_matches_pytorch(norm_type):
    rng = np.random.default_rng(4)
    grads = [rng.standard_normal((3, 2)), rng.standard_normal(4)]
    ps = [nn.Parameter(np.zeros(g.shape), dtype=np.float64) for g in grads]
    for p, g in zip(ps, grads, strict=True):
        p.grad = g.copy()
    total = clip_grad_norm_(ps, max_norm=0.5, norm_type=norm_type)
    flat = np.concatenate([g.ravel() for g in grads])
    want = (
        np.abs(flat).max()
        if norm_type == np.inf
        else (np.abs(flat) ** norm_type).sum() ** (1 / norm_type)
    )
    np.testing.assert_allclose(total.item(), want, **TOL)
    for p, g in zip(ps, grads, strict=True):
        np.testing.assert_allclose(p.grad, g * min(1.0, 0.5 / (want + 1e-6)), **TOL)
    again = clip_grad_norm_(ps, max_norm=100.0, norm_type=norm_type)  # under the bound: kept
    assert again.item() == pytest.approx(0.5, rel=1e-5)

    torch = torch_or_none()
    if torch is None:
        return
    tps = [torch.zeros(g.shape, dtype=torch.float64, requires_grad=True) for g in grads]
    for tp, g in zip(tps, grads, strict=True):
        tp.grad = torch.tensor(g)
    ttotal = torch.nn.utils.clip_grad_norm_(tps, max_norm=0.5, norm_type=norm_type)
    np.testing.assert_allclose(total.item(), ttotal.item(), **TOL)
    for p, tp in zip(ps, tps, strict=True):  # (the second clip above changed nothing)
        np.testing.assert_allclose(p.grad, tp.grad.numpy(), **TOL)


@pytest.mark.parametrize("norm_type", [2.0, 1.0, 0.5, 3.0])
@pytest.mark.parametrize(("dtype", "scale"), [(np.float32, 1e30), (np.float64, 1e200)])
def test_clip_grad_norm_of_huge_gradients_is_finite(norm_type, dtype, scale):
    # |g|^p overflows the dtype although the norm itself is representable: clipping must
    # rescale such a gradient to max_norm, not zero it and report inf
    w = nn.Parameter(np.zeros(2), dtype=dtype)
    w.grad = np.array([3.0, 4.0], dtype) * dtype(scale)
    unit = (3.0**norm_type + 4.0**norm_type) ** (1 / norm_type)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        total = clip_grad_norm_(w, max_norm=1.0, norm_type=norm_type)
    assert total.dtype == dtype
    np.testing.assert_allclose(total.item(), unit * scale, rtol=1e-5)
    np.testing.assert_allclose(w.grad, np.array([3.0, 4.0]) / unit, rtol=1e-5)


def test_clip_grad_norm_of_tiny_gradients_is_not_zero():
    w = nn.Parameter(np.zeros(2), dtype=np.float64)
    w.grad = np.array([3e-200, 4e-200])
    np.testing.assert_allclose(clip_grad_norm_([w], max_norm=1.0).item(), 5e-200, rtol=1e-12)


@pytest.mark.parametrize("clip", [clip_grad_norm_, clip_grad_value_])
def test_clipping_names_parameters_that_are_not_tensors(clip):
    with pytest.raises(TypeError, match="parameters must be a Tensor or an iterable of Tensors"):
        clip(nn.Linear(2, 3), 1.0)  # the module, not its parameters()
    with pytest.raises(TypeError, match="Got ndarray; pass model.parameters"):
        clip([np.zeros(2)], 1.0)


def test_clip_grad_value_and_the_flat_views():
    rng = np.random.default_rng(5)
    model = nn.MLP([3, 4, 1], rng=0, dtype=np.float64)
    opt = optim.SGD(model.parameters(), lr=0.1)
    opt.zero_grad(set_to_none=False)  # binds every .grad to a flat view
    views = [p.grad for p in model.parameters()]
    for p in model.parameters():
        p.grad[...] = 3 * rng.standard_normal(p.data.shape)
    grads = [p.grad.copy() for p in model.parameters()]
    assert clip_grad_value_(model.parameters(), 0.5) is None
    for p, g, v in zip(model.parameters(), grads, views, strict=True):
        assert p.grad is v  # in place
        np.testing.assert_array_equal(p.grad, np.clip(g, -0.5, 0.5))
    nan = nn.Parameter(np.zeros(1))
    nan.grad = np.full_like(nan.data, np.nan)
    with pytest.raises(RuntimeError, match="total norm of the gradients is nan"):
        clip_grad_norm_([nan], 1.0, error_if_nonfinite=True)
    assert opt.param_groups
    torch = torch_or_none()
    if torch is None:
        return
    tps = [torch.tensor(g, requires_grad=True) for g in grads]
    for tp, g in zip(tps, grads, strict=True):
        tp.grad = torch.tensor(g)
    torch.nn.utils.clip_grad_value_(tps, 0.5)
    for p, tp in zip(model.parameters(), tps, strict=True):
        np.testing.assert_array_equal(p.grad, tp.grad.numpy())


# --------------------------------------------------------------------------- dtypes, devices


def test_to_double_float_convert_parameters_in_place():
    rng = np.random.default_rng(6)
    model = nn.MLP([3, 4, 2], activation="tanh", rng=0)  # float32
    params = model.parameters()
    model(np.ones((2, 3), np.float32)).sum().backward()
    assert model.double() is model
    assert model.parameters() == params  # the same objects
    assert all(p.dtype == np.float64 and p.grad.dtype == np.float64 for p in params)
    assert model.config()["dtype"] == "float64"
    assert model.to(np.float32).parameters()[0].dtype == np.float32
    assert model.to("float64", device="cpu").parameters()[0].dtype == np.float64
    model.float()
    assert model.parameters()[0].dtype == np.float32
    with pytest.raises(ValueError, match="the device 'tpu' is not one glassnet knows"):
        model.to("tpu")
    try:
        import cupy  # noqa: F401
    except ImportError:  # no CuPy: the GPU is refused with the way to get it, nothing moved
        with pytest.raises(ImportError, match=r"pip install 'glassnet\[gpu\]'"):
            model.to("cuda")
        assert all(type(p.data) is np.ndarray for p in model.parameters())
    with pytest.raises(ValueError, match="must be float32 or float64"):
        model.to(np.int64)
    opt = optim.SGD(model.parameters(), lr=0.1)
    model.double()
    with pytest.raises(TypeError, match="changed dtype from float32 to float64.*after"):
        opt.step()

    torch = torch_or_none()
    if torch is None:
        return
    model, weights = two_layer(rng)
    tmodel = torch_two_layer(torch, weights).float().double()
    model.float().double()
    X = rng.standard_normal((5, 3))
    assert model.to(torch.float64) is model
    np.testing.assert_allclose(model.predict(X), tmodel(torch.tensor(X)).detach().numpy(), **TOL)


def test_to_a_device_object_names_the_device():
    class Device:  # what torch.device("cuda") looks like to glassnet: .type and str()
        def __init__(self, kind):
            self.type = kind

        def __str__(self):
            return self.type

    model = nn.MLP([3, 2], rng=0, dtype=np.float64)
    for call in (lambda d: model.to(d), lambda d: model.to(device=d)):
        with pytest.raises(ValueError, match="the device 'tpu' is not one glassnet knows"):
            call(Device("tpu"))
        assert call(Device("cpu")) is model
    torch = torch_or_none()
    if torch is None:
        return
    for dev, says in (
        (torch.device("cuda:1"), "current CuPy device"),
        (torch.device("meta"), "not one glassnet knows"),
    ):
        with pytest.raises(ValueError, match=says):
            model.to(dev)
        with pytest.raises(ValueError, match=says):
            model.to(torch.float32, device=dev)
    assert model.to(torch.device("cpu"), torch.float32) is model
    assert model.parameters()[0].dtype == np.float32  # a device and a dtype together


# --------------------------------------------------------------------------- manual_seed


def test_manual_seed_makes_default_initialisation_reproducible():
    gn.manual_seed(123)
    a = [p.data.copy() for p in nn.MLP([3, 5, 2]).parameters()]
    b = [p.data.copy() for p in nn.MLP([3, 5, 2]).parameters()]
    gn.manual_seed(123)
    c = [p.data.copy() for p in nn.MLP([3, 5, 2]).parameters()]
    assert all(np.array_equal(x, y) for x, y in zip(a, c, strict=True))
    assert not np.array_equal(a[0], b[0])  # the stream goes on between models
    np.testing.assert_array_equal(  # an explicit seed does not depend on it
        nn.Linear(2, 2, rng=0).W.data, (gn.manual_seed(7), nn.Linear(2, 2, rng=0))[1].W.data
    )
    with pytest.raises(ValueError, match="'seed' parameter of manual_seed must be an int >= 0"):
        gn.manual_seed(-1)
    torch = torch_or_none()
    if torch is None:
        return
    torch.manual_seed(123)
    t1 = torch.nn.Linear(3, 5).weight.detach().clone()
    torch.manual_seed(123)
    assert torch.equal(t1, torch.nn.Linear(3, 5).weight)  # the same habit, the same promise


# --------------------------------------------------------------------------- DataLoader


def test_dataloader_batches_like_pytorch():
    X, y = np.arange(20.0).reshape(10, 2), np.arange(10) % 3
    loader = DataLoader(TensorDataset(X, y), batch_size=4)
    assert len(loader) == 3
    batches = list(loader)
    assert [xb.shape for xb, _ in batches] == [(4, 2), (4, 2), (2, 2)]
    assert isinstance(batches[0][0], gn.Tensor) and batches[0][1].dtype.kind == "i"
    np.testing.assert_array_equal(np.concatenate([xb.data for xb, _ in batches]), X)
    dropped = DataLoader(TensorDataset(X, y), batch_size=4, drop_last=True)
    assert len(dropped) == 2 and [len(yb) for _, yb in dropped] == [4, 4]
    a = [yb.tolist() for _, yb in DataLoader(TensorDataset(X, y), 3, shuffle=True, generator=0)]
    b = [yb.tolist() for _, yb in DataLoader(TensorDataset(X, y), 3, shuffle=True, generator=0)]
    assert a == b and sorted(sum(a, [])) == sorted(y.tolist()) and sum(a, []) != y.tolist()
    shuffled = DataLoader(TensorDataset(X, y), batch_size=10, shuffle=True, generator=1)
    first, second = (
        xb.data[:, 0].tolist() for xb, _ in [next(iter(shuffled)), next(iter(shuffled))]
    )
    assert first != second  # a new order each epoch
    ds = TensorDataset(X, y)
    assert len(ds) == 10 and ds[3][0].data.tolist() == [6.0, 7.0] and ds[3][1] == 0
    with pytest.raises(ValueError, match="same number of rows"):
        TensorDataset(X, y[:5])
    with pytest.raises(
        ValueError, match="'batch_size' parameter of DataLoader must be an int >= 1"
    ):
        DataLoader(ds, batch_size=0)

    class Pairs:  # any dataset with len() and [i]
        def __len__(self):
            return 5

        def __getitem__(self, i):
            return np.full(2, float(i)), i

    assert [yb.tolist() for _, yb in DataLoader(Pairs(), batch_size=2)] == [[0, 1], [2, 3], [4]]


def test_dataloader_takes_num_workers_0_and_refuses_other_values():
    X, y = np.arange(12.0).reshape(6, 2), np.arange(6)
    got = [yb.tolist() for _, yb in DataLoader(TensorDataset(X, y), 4, num_workers=0)]
    assert got == [[0, 1, 2, 3], [4, 5]]  # in this process, as without the argument
    for bad in (2, -1, True, "0"):
        with pytest.raises(ValueError, match="'num_workers' parameter of DataLoader must be 0"):
            DataLoader(TensorDataset(X, y), 4, num_workers=bad)
    torch = torch_or_none()
    if torch is None:
        return
    tdata = torch.utils.data.TensorDataset(torch.tensor(X), torch.tensor(y))
    assert [yb.tolist() for _, yb in torch.utils.data.DataLoader(tdata, 4, num_workers=0)] == got


def test_a_hand_written_loop_over_a_dataloader_trains_as_in_pytorch():
    rng = np.random.default_rng(7)
    X, labels = rng.standard_normal((10, 3)), rng.integers(0, 2, 10)
    model, weights = two_layer(rng)

    def train(model, opt, loss_fn, loader, epochs=2):
        for _ in range(epochs):
            for xb, yb in loader:
                opt.zero_grad()
                loss_fn(model(xb), yb).backward()
                opt.step()

    loader = DataLoader(TensorDataset(X, labels), batch_size=4)
    train(model, optim.Adam(model.parameters(), lr=0.05), nn.CrossEntropyLoss(), loader)
    torch = torch_or_none()
    if torch is None:
        return
    from torch.utils.data import DataLoader as TDataLoader
    from torch.utils.data import TensorDataset as TTensorDataset

    tmodel = torch_two_layer(torch, weights)
    tloader = TDataLoader(TTensorDataset(torch.tensor(X), torch.tensor(labels)), batch_size=4)
    train(
        tmodel, torch.optim.Adam(tmodel.parameters(), lr=0.05), torch.nn.CrossEntropyLoss(), tloader
    )
    for a, b in zip(glassnet_weights(model), torch_weights(tmodel), strict=True):
        np.testing.assert_allclose(a, b, **TOL)


# --------------------------------------------------------------------------- PyTorch weights


def test_load_torch_state_dict_from_arrays_and_safetensors(tmp_path):
    rng = np.random.default_rng(8)
    state = {  # a PyTorch nn.Sequential(Linear(3, 4), ReLU(), Linear(4, 2)) state_dict
        "0.weight": rng.standard_normal((4, 3)), "0.bias": rng.standard_normal(4),
        "2.weight": rng.standard_normal((2, 4)), "2.bias": rng.standard_normal(2),
    }  # fmt: skip
    X = rng.standard_normal((5, 3))
    want = np.maximum(X @ state["0.weight"].T + state["0.bias"], 0) @ state["2.weight"].T
    want += state["2.bias"]
    model = load_torch_state_dict(nn.MLP([3, 4, 2], rng=0, dtype=np.float64), state)
    np.testing.assert_allclose(model.predict(X), want, **TOL)
    np.testing.assert_array_equal(model.layers[0].W.data, state["0.weight"].T)

    from safetensors.numpy import save_file

    save_file(state, str(tmp_path / "torch.safetensors"))
    model2 = load_torch_state_dict(
        nn.MLP([3, 4, 2], rng=1, dtype=np.float64), tmp_path / "torch.safetensors"
    )
    np.testing.assert_array_equal(model2.predict(X), model.predict(X))

    before = model.layers[0].W.data.copy()
    with pytest.raises(
        ValueError, match="layer '2' holds weight \\(2, 4\\).*needs weight \\(3, 4\\)"
    ):
        load_torch_state_dict(nn.MLP([3, 4, 3], dtype=np.float64), state)
    with pytest.raises(ValueError, match="holds 2 Linear layers .* but the model has 3"):
        load_torch_state_dict(nn.MLP([3, 4, 4, 2], dtype=np.float64), state)
    with pytest.raises(ValueError, match="entry 2 \\('1'\\) is a BatchNorm1d's running stat"):
        load_torch_state_dict(model, {**state, "1.running_mean": np.zeros(4)})
    with pytest.raises(TypeError, match="'source' must be a state_dict"):
        load_torch_state_dict(model, [1, 2])
    np.testing.assert_array_equal(model.layers[0].W.data, before)  # nothing changed

    torch = torch_or_none()
    if torch is None:
        return
    tmodel = torch.nn.Sequential(torch.nn.Linear(3, 4), torch.nn.ReLU(), torch.nn.Linear(4, 2))
    tmodel.double()
    from safetensors.torch import save_file as save_torch

    save_torch(tmodel.state_dict(), str(tmp_path / "t.safetensors"))
    for source in (tmodel.state_dict(), tmp_path / "t.safetensors"):
        model = load_torch_state_dict(nn.MLP([3, 4, 2], dtype=np.float64), source)
        np.testing.assert_allclose(
            model.predict(X), tmodel(torch.tensor(X)).detach().numpy(), **TOL
        )


def _relu_net(state, names, X):
    """The NumPy forward of Linear -> ReLU -> ... -> Linear through the layers ``names``."""
    for i, name in enumerate(names):
        X = X @ state[f"{name}.weight"].T + state[f"{name}.bias"]
        X = np.maximum(X, 0) if i < len(names) - 1 else X
    return X


@pytest.mark.parametrize("names", [("hidden", "head"), ("fc2", "fc10"), ("z", "a", "m")])
def test_load_torch_state_dict_keeps_the_network_order(tmp_path, names):
    rng = np.random.default_rng(9)
    state = {}  # layers of equal shapes: only the order tells them apart
    for name in names:
        state[f"{name}.weight"], state[f"{name}.bias"] = rng.standard_normal((4, 4)), rng.random(4)
    X = rng.standard_normal((5, 4))
    mlp = nn.MLP([4] * (len(names) + 1), activation="relu", dtype=np.float64)
    model = load_torch_state_dict(copy.deepcopy(mlp), state)  # a dict keeps its order
    np.testing.assert_allclose(model.predict(X), _relu_net(state, names, X), **TOL)

    from safetensors.numpy import save_file

    save_file(state, str(tmp_path / "named.safetensors"))  # a file keeps no order
    before = glassnet_weights(mlp)
    with pytest.raises(ValueError, match="does not keep the order.*order=\\["):
        load_torch_state_dict(mlp, tmp_path / "named.safetensors")
    with pytest.raises(ValueError, match="'order' must name each layer of the state_dict once"):
        load_torch_state_dict(mlp, tmp_path / "named.safetensors", order=names[:1])
    assert all(np.array_equal(a, b) for a, b in zip(before, glassnet_weights(mlp)))
    model = load_torch_state_dict(mlp, tmp_path / "named.safetensors", order=names)
    np.testing.assert_allclose(model.predict(X), _relu_net(state, names, X), **TOL)

    torch = torch_or_none()
    if torch is None:
        return

    class Net(torch.nn.Module):  # registered in `names` order, as PyTorch users write it
        def __init__(self):
            super().__init__()
            for name in names:
                setattr(self, name, torch.nn.Linear(4, 4).double())

        def forward(self, x):
            for i, name in enumerate(names):
                x = getattr(self, name)(x)
                x = torch.relu(x) if i < len(names) - 1 else x
            return x

    net = Net()
    model = load_torch_state_dict(copy.deepcopy(mlp), net.state_dict())
    np.testing.assert_allclose(model.predict(X), net(torch.tensor(X)).detach().numpy(), **TOL)


def test_load_torch_state_dict_orders_numbered_names_as_numbers(tmp_path):
    rng = np.random.default_rng(10)
    names = [f"layers.{i}" for i in (0, 2, 10)]  # as a file lists them: 0, 10, 2
    state = {f"{n}.{k}": rng.standard_normal((4, 4) if k == "weight" else 4)
             for n in sorted(names) for k in ("weight", "bias")}  # fmt: skip
    X = rng.standard_normal((3, 4))
    mlp = nn.MLP([4, 4, 4, 4], activation="relu", dtype=np.float64)
    from safetensors.numpy import save_file

    save_file(state, str(tmp_path / "seq.safetensors"))
    for source in (state, tmp_path / "seq.safetensors"):
        model = load_torch_state_dict(copy.deepcopy(mlp), source)
        np.testing.assert_allclose(model.predict(X), _relu_net(state, names, X), **TOL)
    mixed = {**state, "head.weight": state["layers.0.weight"], "head.bias": np.zeros(4)}
    save_file(mixed, str(tmp_path / "mixed.safetensors"))  # 'head' against 'layers.N': no order
    with pytest.raises(ValueError, match="does not keep the order"):
        load_torch_state_dict(nn.MLP([4] * 5, dtype=np.float64), tmp_path / "mixed.safetensors")


# --------------------------------------------------- per-parameter steps, no gradient, groups
def _late_steps(cls, kw, grads, new, as_grad, values):
    """a has a gradient at every step, b from the second step on, c joins by add_param_group
    at the third: each parameter counts its own steps (PyTorch's state["step"])."""
    a, b, c = (new(np.linspace(-1.0, 1.0, 3) * (i + 1)) for i in range(3))
    opt = cls([a, b], lr=0.1, **kw)
    for k, (ga, gb, gc) in enumerate(grads):
        opt.zero_grad()
        a.grad = as_grad(ga)
        if k > 0:
            b.grad = as_grad(gb)
        if k == 2:
            opt.add_param_group({"params": [c]})
        if k >= 2:
            c.grad = as_grad(gc)
        opt.step()
    return [values(p) for p in (a, b, c)]


def _reference(name, kw, w, gs, lr=0.1):
    """A NumPy transcription of PyTorch's update for one parameter; None: no gradient."""
    b1, b2 = kw.get("betas", (0.9, 0.999))
    wd, mu, damp = kw.get("weight_decay", 0.0), kw.get("momentum", 0.0), kw.get("dampening", 0.0)
    m = v = buf = None
    k = 0
    for g in gs:
        if g is None:
            continue
        k += 1
        if name == "AdamW":
            w = w * (1 - lr * wd)
        else:
            g = g + wd * w
        if name == "SGD":
            buf = g if buf is None else mu * buf + (1 - damp) * g
            w = w - lr * buf
            continue
        m = (1 - b1) * g if m is None else b1 * m + (1 - b1) * g
        v = (1 - b2) * g * g if v is None else b2 * v + (1 - b2) * g * g
        w = w - lr * (m / (1 - b1**k)) / (np.sqrt(v / (1 - b2**k)) + 1e-8)
    return w


LATE = [
    ("Adam", {"weight_decay": 0.1}),
    ("AdamW", {"weight_decay": 0.1, "betas": (0.8, 0.9)}),
    ("SGD", {"momentum": 0.9, "dampening": 0.5, "weight_decay": 0.1}),
]


@pytest.mark.parametrize(("name", "kw"), LATE, ids=[n for n, _ in LATE])
def test_each_parameter_counts_its_own_steps_as_in_pytorch(name, kw):
    rng = np.random.default_rng(11)
    grads = [[rng.standard_normal(3) for _ in range(3)] for _ in range(5)]
    got = _late_steps(getattr(optim, name), kw, grads, nn.Parameter, np.asarray, lambda p: p.data)
    for i, w in enumerate(got):  # against the transcription: b from step 2, c from step 3
        gs = [g[i] if i == 0 or k >= i else None for k, g in enumerate(grads)]
        want = _reference(name, kw, np.linspace(-1, 1, 3) * (i + 1), gs)
        np.testing.assert_allclose(w, want, **TOL)
    torch = torch_or_none()
    if torch is None:
        return
    new = lambda v: torch.nn.Parameter(torch.tensor(v))  # noqa: E731
    want = _late_steps(getattr(torch.optim, name), kw, grads, new, torch.tensor,
                       lambda p: p.detach().numpy())  # fmt: skip
    for w, t in zip(got, want, strict=True):
        np.testing.assert_allclose(w, t, **TOL)


def test_per_parameter_steps_survive_a_state_dict():
    rng = np.random.default_rng(12)
    grads = [rng.standard_normal(2) for _ in range(6)]
    p, q = nn.Parameter(np.ones(2)), nn.Parameter(np.ones(2))
    opt = optim.Adam([p, q], lr=0.1)
    for k in range(3):
        p.grad, q.grad = grads[k], (grads[k] if k == 2 else None)
        opt.step()
    state = opt.state_dict()
    np.testing.assert_array_equal(state["param_groups"][0]["steps"], [3, 1])
    p2, q2 = nn.Parameter(p.data.copy()), nn.Parameter(q.data.copy())
    opt2 = optim.Adam([p2, q2], lr=0.1)
    opt2.load_state_dict(state)
    for k in range(3, 6):
        p.grad, q.grad, p2.grad, q2.grad = grads[k], grads[k], grads[k], grads[k]
        opt.step()
        opt2.step()
    np.testing.assert_array_equal(p.data, p2.data)
    np.testing.assert_array_equal(q.data, q2.data)


class _Two(nn.Module):
    """Two parameters; the forward pass uses q only when asked."""

    def __init__(self, new):
        self.p, self.q = new(np.ones(2)), new(np.ones(2))


@pytest.mark.parametrize("use_zero_grad", [True, False])
def test_a_parameter_without_a_gradient_is_not_moved_as_in_pytorch(use_zero_grad):
    model = _Two(nn.Parameter)
    p, q = model.p, model.q
    opt = optim.SGD(model.parameters(), lr=0.1, momentum=0.9, weight_decay=0.1)
    assert p.grad is None and q.grad is None  # building an optimizer makes up no gradient
    for k in range(3):
        if use_zero_grad:
            model.zero_grad()
        ((p * 2.0).sum() + ((q * 3.0).sum() if k == 0 else 0.0)).backward()
        opt.step()
    ones, kw = np.ones(2), {"momentum": 0.9, "weight_decay": 0.1}
    if use_zero_grad:  # q: a gradient at the first step only; after that it is left alone
        p_grads, q_grads = [2 * ones] * 3, [3 * ones, None, None]
        assert q.grad is None
    else:  # no zero_grad: gradients accumulate, and q's first one stays (PyTorch's too)
        p_grads, q_grads = [2 * ones, 4 * ones, 6 * ones], [3 * ones] * 3
    np.testing.assert_allclose(p.data, _reference("SGD", kw, ones, p_grads), **TOL)
    np.testing.assert_allclose(q.data, _reference("SGD", kw, ones, q_grads), **TOL)
    torch = torch_or_none()
    if torch is None:
        return
    tp, tq = (torch.nn.Parameter(torch.ones(2, dtype=torch.float64)) for _ in range(2))
    topt = torch.optim.SGD([tp, tq], lr=0.1, **kw)
    for k in range(3):
        if use_zero_grad:
            topt.zero_grad()
        ((tp * 2.0).sum() + ((tq * 3.0).sum() if k == 0 else 0.0)).backward()
        topt.step()
    np.testing.assert_allclose(p.data, tp.detach().numpy(), **TOL)
    np.testing.assert_allclose(q.data, tq.detach().numpy(), **TOL)


def test_edits_of_param_groups_are_followed_or_refused():
    def appended(lib, new, as_grad):
        p, q = new(np.zeros(2)), new(np.zeros(2))
        opt = lib.SGD([p], lr=0.1)
        opt.param_groups.append({"params": [q], "lr": 0.5})  # as add_param_group
        p.grad, q.grad = as_grad(np.ones(2)), as_grad(np.ones(2))
        opt.step()
        return p, q, opt

    p, q, opt = appended(optim, nn.Parameter, np.asarray)
    np.testing.assert_allclose(q.data, [-0.5, -0.5])
    assert len(opt.param_groups) == 2 and opt.param_groups[1]["lr"] == 0.5
    r = nn.Parameter(np.zeros(2))
    for edit in (
        lambda: opt.param_groups[0]["params"].append(r),
        lambda: opt.param_groups[0].__setitem__("params", [r]),
        lambda: opt.param_groups.__delitem__(0),
        lambda: opt.param_groups.__setitem__(1, {"params": [q], "lr": 0.1}),
    ):
        before = [x.data.copy() for x in (p, q, r)]
        saved = list(opt.param_groups), [list(g["params"]) for g in opt.param_groups]
        edit()
        p.grad, q.grad, r.grad = np.ones(2), np.ones(2), np.ones(2)
        with pytest.raises(RuntimeError, match="param_groups was edited.*add_param_group"):
            opt.step()
        assert all(np.array_equal(x.data, b) for x, b in zip((p, q, r), before))
        opt.param_groups[:] = saved[0]  # undo
        for g, ps in zip(opt.param_groups, saved[1]):
            g["params"] = ps
        opt.step()  # as before the edit
    torch = torch_or_none()
    if torch is None:
        return
    with pytest.raises(KeyError):  # PyTorch fails at the step too: use add_param_group there
        appended(torch.optim, lambda v: torch.nn.Parameter(torch.tensor(v)), torch.tensor)
