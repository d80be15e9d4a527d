"""glassnet.lbfgs.LBFGS: PyTorch's torch.optim.LBFGS, step(closure) by step(closure).

1. Against torch 2.13 (skipped without torch): the same float64 problems from the same
   weights (a 2-4-1 tanh network on fixed data, Rosenbrock's function of one 2-vector),
   with and without the strong-Wolfe line search: the weights after every step, the losses
   returned, the evaluation counts and the state; float32 computed in float32.
2. Without torch: Rosenbrock's minimum (1, 1) reached, XNOR learned in far fewer gradient
   evaluations than gradient descent needs.
3. Bad input refused with a message that says what to do.
4. state_dict / load_state_dict: a resumed run equals an unbroken one.
5. Frozen parameters left as they are; 6. a parameter with no gradient handled as in torch.
"""

from __future__ import annotations

import copy
import re

import numpy as np
import pytest

import glassnet as gn
import glassnet.nn.functional as F
from glassnet import nn
from glassnet.lbfgs import LBFGS
from glassnet.optim import SGD, Optimizer, get_optimizer
from glassnet.schedules import StepLR

# ----------------------------------------------------------------------------- problems

ROSEN_START = np.array([-1.5, 2.0])


def rosenbrock(x):
    """(1 − x₀)² + 100 (x₁ − x₀²)², for a glassnet or a torch tensor; minimum 0 at (1, 1)."""
    return (1 - x[0]) ** 2 + 100 * (x[1] - x[0] ** 2) ** 2


def net_data():
    """Fixed data and starting weights of a 2-4-1 tanh network (W as (inputs, outputs) in
    both libraries, so that both lay the parameters out the same)."""
    rng = np.random.default_rng(0)
    X = rng.normal(size=(8, 2))
    y = np.tanh(X[:, :1] * X[:, 1:])
    init = [
        rng.normal(size=(2, 4)),
        0.1 * rng.normal(size=4),
        rng.normal(size=(4, 1)),
        0.1 * rng.normal(size=1),
    ]
    return X, y, init


def net_loss(ps, X, y, tanh):
    W1, b1, W2, b2 = ps
    return ((tanh(X @ W1 + b1) @ W2 + b2 - y) ** 2).mean()


def glassnet_problem(problem, dtype="float64", **kw):
    """(params, optimizer, closure) of ``problem`` in glassnet."""
    if problem == "rosen":
        params = [nn.Parameter(ROSEN_START.astype(dtype))]

        def loss_of():
            return rosenbrock(params[0])
    else:
        X, y, init = net_data()
        params = [nn.Parameter(a.astype(dtype)) for a in init]
        Xg, yg = gn.tensor(X.astype(dtype)), gn.tensor(y.astype(dtype))

        def loss_of():
            return net_loss(params, Xg, yg, lambda z: z.tanh())

    opt = LBFGS(params, **kw)

    def closure():
        opt.zero_grad()
        loss = loss_of()
        loss.backward()
        return loss

    return params, opt, closure


def torch_problem(torch, problem, dtype="float64", **kw):
    """(params, optimizer, closure) of ``problem`` in torch."""
    tdtype = getattr(torch, dtype)
    if problem == "rosen":
        params = [torch.tensor(ROSEN_START, dtype=tdtype, requires_grad=True)]

        def loss_of():
            return rosenbrock(params[0])
    else:
        X, y, init = net_data()
        params = [torch.tensor(a, dtype=tdtype, requires_grad=True) for a in init]
        Xt, yt = torch.tensor(X, dtype=tdtype), torch.tensor(y, dtype=tdtype)

        def loss_of():
            return net_loss(params, Xt, yt, torch.tanh)

    opt = torch.optim.LBFGS(params, **kw)

    def closure():
        opt.zero_grad()
        loss = loss_of()
        loss.backward()
        return loss

    return params, opt, closure


def _rel(a, b):
    """The largest relative difference, value by value."""
    a, b = np.asarray(a, np.float64), np.asarray(b, np.float64)
    return float(np.max(np.abs(a - b) / np.abs(b))) if a.size else 0.0


def _close(a, b, atol):
    """a equal to b, value by value, to ``atol``."""
    a, b = np.asarray(a, np.float64), np.asarray(b, np.float64)
    assert a.shape == b.shape
    assert np.max(np.abs(a - b)) <= atol, (np.max(np.abs(a - b)), atol)


# --------------------------------------------------------------- 1. against torch 2.13

# Rosenbrock without a line search takes lr=0.1 (at lr=1 its steps overshoot); every case
# stops short of the minimum after its steps, where the losses are still far from 0 and
# their relative differences say something.
CASES = [  # (problem, line search, settings, calls of step)
    ("rosen", None, {"lr": 0.1, "max_iter": 5}, 6),
    ("rosen", "strong_wolfe", {"max_iter": 5}, 6),
    ("net", None, {"max_iter": 5}, 6),
    ("net", "strong_wolfe", {"max_iter": 5}, 6),
    ("net", None, {"max_iter": 10, "history_size": 3}, 4),  # the history full: pairs dropped
    ("net", "strong_wolfe", {"max_iter": 10, "history_size": 3}, 4),
]


@pytest.mark.parametrize("problem,line_search_fn,kw,calls", CASES)
def test_same_steps_as_torch_float64(problem, line_search_fn, kw, calls):
    torch = pytest.importorskip("torch")
    pg, og, cg = glassnet_problem(problem, line_search_fn=line_search_fn, **kw)
    pt, ot, ct = torch_problem(torch, problem, line_search_fn=line_search_fn, **kw)
    first_loss = float(cg().data)  # the scales of the loss, the gradients and the weights
    grad = max(np.abs(p.grad).max() for p in pg)
    weight = max(np.abs(p.data).max() for p in pg)
    step = grad * og.lr
    for call in range(calls):
        lg, lt = og.step(cg), ot.step(ct)
        assert _rel(lg.data, lt.detach().numpy()) < 1e-10, (call, lg, lt)
        for a, b in zip(pg, pt):
            assert a.data.dtype == np.float64
            assert _rel(a.data, b.detach().numpy()) < 1e-10, (call, a.data, b)
        sg, st = og.state[pg[0]], ot.state[pt[0]]
        assert (sg["n_iter"], sg["func_evals"]) == (st["n_iter"], st["func_evals"]), call
    # the state a next step starts from: each vector to 1e-10 of its scale (a gradient near
    # the minimum is a difference of terms as large as the first gradient, a step one of
    # weights: their own small values carry those terms' rounding)
    sg, st = og.state[pg[0]], ot.state[pt[0]]
    assert len(sg["old_dirs"]) == len(st["old_dirs"]) == len(sg["ro"])
    assert len(sg["ro"]) <= kw.get("history_size", 100)
    for key, scale in [("d", step), ("prev_flat_grad", grad)]:
        _close(sg[key], st[key].numpy(), 1e-10 * scale)
    for a, b in zip(sg["old_dirs"], st["old_dirs"]):
        _close(a, b.numpy(), 1e-10 * grad)
    for a, b in zip(sg["old_stps"], st["old_stps"]):
        _close(a, b.numpy(), 1e-10 * weight)
    for a, b in zip(sg["ro"] + [sg["H_diag"]], st["ro"] + [st["H_diag"]]):
        assert _rel(a, float(b)) < 1e-8  # (1/yᵀs and sᵀy/yᵀy: ratios of those small values)
    assert sg["t"] == float(st["t"]) or _rel(sg["t"], float(st["t"])) < 1e-8
    assert abs(sg["prev_loss"] - st["prev_loss"]) < 1e-10 * first_loss


def test_default_settings_as_torch():
    # PyTorch's defaults (lr 1, 20 iterations, 25 evaluations): the network's first two steps
    torch = pytest.importorskip("torch")
    pg, og, cg = glassnet_problem("net")
    pt, ot, ct = torch_problem(torch, "net")
    assert og.defaults == {k: v for k, v in ot.defaults.items() if k in og.defaults}
    for _ in range(2):
        assert _rel(og.step(cg).data, ot.step(ct).detach().numpy()) < 1e-10
        for a, b in zip(pg, pt):
            assert _rel(a.data, b.detach().numpy()) < 1e-10
    assert og.state[pg[0]]["func_evals"] == ot.state[pt[0]]["func_evals"]


@pytest.mark.parametrize("line_search_fn", [None, "strong_wolfe"])
def test_float32_computed_in_float32_as_torch(line_search_fn):
    # PyTorch computes in the parameters' dtype, its scalars 0-d float32 tensors: here NumPy
    # float32 numbers. Rosenbrock's first steps are the same floats as torch's (its later
    # ones amplify the last bit of a sum that the two libraries round differently).
    torch = pytest.importorskip("torch")
    kw = {
        "max_iter": 4,
        "line_search_fn": line_search_fn,
        "lr": 0.1 if line_search_fn is None else 1,
    }
    pg, og, cg = glassnet_problem("rosen", "float32", **kw)
    pt, ot, ct = torch_problem(torch, "rosen", "float32", **kw)
    for _ in range(2):
        og.step(cg), ot.step(ct)
        np.testing.assert_array_equal(pg[0].data, pt[0].detach().numpy())
    state = og.state[pg[0]]
    assert pg[0].data.dtype == state["d"].dtype == state["prev_flat_grad"].dtype == np.float32
    assert all(a.dtype == np.float32 for a in state["old_dirs"] + state["old_stps"])
    assert all(np.asarray(v).dtype == np.float32 for v in state["ro"] + [state["H_diag"]])


def test_a_schedule_sets_lr_between_steps_as_torchs():
    torch = pytest.importorskip("torch")
    pg, og, cg = glassnet_problem("net", max_iter=3)
    pt, ot, ct = torch_problem(torch, "net", max_iter=3)
    sg, st = StepLR(og, step_size=1, gamma=0.5), torch.optim.lr_scheduler.StepLR(ot, 1, 0.5)
    for _ in range(4):
        og.step(cg), ot.step(ct)
        sg.step(), st.step()
        assert og.lr == ot.param_groups[0]["lr"]
        for a, b in zip(pg, pt):
            assert _rel(a.data, b.detach().numpy()) < 1e-10


def test_gradient_free_parameter_as_torch():
    # 6. a parameter the loss does not use: its gradient stays None, it counts as 0 (torch's
    # _gather_flat_grad), it is moved by 0, and the others take the steps they take without it
    torch = pytest.importorskip("torch")
    pg, og, cg = glassnet_problem("net", max_iter=5, line_search_fn="strong_wolfe")
    pt, ot, ct = torch_problem(torch, "net", max_iter=5, line_search_fn="strong_wolfe")
    extra_g, extra_t = (
        nn.Parameter(np.array([3.0, -2.0])),
        torch.tensor([3.0, -2.0], dtype=torch.float64, requires_grad=True),
    )
    og2, ot2 = (
        LBFGS([*pg, extra_g], max_iter=5, line_search_fn="strong_wolfe"),
        torch.optim.LBFGS([*pt, extra_t], max_iter=5, line_search_fn="strong_wolfe"),
    )
    for _ in range(3):
        og2.step(cg), ot2.step(ct)
        assert extra_g.grad is None and extra_t.grad is None
        np.testing.assert_array_equal(extra_g.data, [3.0, -2.0])
        assert torch.equal(extra_t.detach(), torch.tensor([3.0, -2.0], dtype=torch.float64))
        for a, b in zip(pg, pt):
            assert _rel(a.data, b.detach().numpy()) < 1e-10
    d = og2.state[pg[0]]["d"]
    assert d.shape == (17 + 2,) and np.array_equal(d[17:], [0.0, 0.0])


# ------------------------------------------------------------------- 2. without torch


def test_rosenbrock_reaches_its_minimum():
    # (tolerance_change 1e-9, the default, stops once the loss changes by less: at about
    # 1e-11, 3e-6 from the minimum)
    kw = {"line_search_fn": "strong_wolfe", "tolerance_change": 1e-14}
    (x,), opt, closure = glassnet_problem("rosen", **kw)
    for _ in range(3):
        opt.step(closure)
    np.testing.assert_allclose(x.data, [1.0, 1.0], rtol=0, atol=1e-6)
    assert float(closure().data) < 1e-12
    assert opt.state[x]["func_evals"] <= 3 * 25


def test_rosenbrock_minimum_without_line_search():
    # PyTorch's fixed step (lr) instead: more iterations, but there too
    (x,), opt, closure = glassnet_problem("rosen", max_iter=100, tolerance_change=1e-14)
    for _ in range(10):
        opt.step(closure)
    np.testing.assert_allclose(x.data, [1.0, 1.0], rtol=0, atol=1e-6)


def test_xnor_in_far_fewer_evaluations_than_gradient_descent():
    X, y = gn.datasets.logic_gate("xnor")
    Xt, yt = gn.tensor(X), gn.tensor(y.reshape(-1, 1))

    def build():
        return nn.MLP([2, 2, 1], activation="sigmoid", output_activation="sigmoid", rng=0)

    net = build()
    opt = LBFGS(net.parameters(), line_search_fn="strong_wolfe")

    def closure():
        opt.zero_grad()
        loss = F.mse_loss(net(Xt), yt)
        loss.backward()
        return loss

    for _ in range(3):
        opt.step(closure)
    evaluations = opt.state[net.parameters()[0]]["func_evals"]
    reached = float(closure().data)
    assert evaluations <= 75 and reached < 1e-6
    np.testing.assert_array_equal(np.round(net.predict(X).ravel()), y)

    gd = build()  # the same start, full-batch gradient descent
    sgd = SGD(gd.parameters(), lr=1.0)
    losses = []
    for _ in range(2000):
        sgd.zero_grad()
        loss = F.mse_loss(gd(Xt), yt)
        loss.backward()
        sgd.step()
        losses.append(float(loss.data))
    assert losses[evaluations - 1] > 0.2  # as many gradients as L-BFGS took: still near the start
    assert min(losses) > 100 * reached  # 2000 steps: not there yet


def test_float32_stays_float32():
    X, y = gn.datasets.logic_gate("xnor")
    net = nn.MLP([2, 2, 1], activation="sigmoid", output_activation="sigmoid", rng=0).float()
    Xt, yt = gn.tensor(X.astype(np.float32)), gn.tensor(y.reshape(-1, 1).astype(np.float32))
    opt = LBFGS(net.parameters(), line_search_fn="strong_wolfe")

    def closure():
        opt.zero_grad()
        loss = F.mse_loss(net(Xt), yt)
        loss.backward()
        return loss

    first = opt.step(closure)
    for _ in range(3):
        opt.step(closure)
    assert all(p.data.dtype == np.float32 for p in net.parameters())
    assert opt.state[net.parameters()[0]]["d"].dtype == np.float32
    assert float(closure().data) < 1e-3 * float(first.data)


# ------------------------------------------------------------------------ 3. bad input


def _params():
    return [nn.Parameter(np.zeros(2))]


def test_step_without_a_closure_is_refused():
    opt = LBFGS(_params())
    with pytest.raises(TypeError, match=r"LBFGS.step needs a closure.*return loss"):
        opt.step()
    with pytest.raises(TypeError, match=r"needs a closure.*Got float"):
        opt.step(0.5)
    assert opt.t == 0 and opt.state == {}


@pytest.mark.parametrize(
    "returned,error,message",
    [
        (None, TypeError, "returned None; it must return the loss"),
        ("0.5", TypeError, "must return the loss, one number.*Got str"),
        (np.array([1.0, 2.0]), ValueError, r"one value. Got a loss of shape \(2,\)"),
        (gn.tensor([1.0, 2.0]), ValueError, r"shape \(2,\); reduce it to one value"),
        (True, TypeError, "one number"),
    ],
)
def test_a_closure_must_return_one_loss(returned, error, message):
    p = nn.Parameter(np.array([1.0, 2.0]))
    opt = LBFGS([p])

    def closure():
        opt.zero_grad()
        (p * p).sum().backward()
        return returned

    with pytest.raises(error, match=message):
        opt.step(closure)


def test_a_closure_may_return_a_number():
    p = nn.Parameter(np.array([1.0, 2.0]))
    opt = LBFGS([p], line_search_fn="strong_wolfe")

    def closure():
        opt.zero_grad()
        loss = (p * p).sum()
        loss.backward()
        return float(loss.data)

    assert opt.step(closure) == 5.0  # (the closure's first loss, as it returned it)
    np.testing.assert_allclose(p.data, 0.0, atol=1e-12)


@pytest.mark.parametrize(
    "kw,message",
    [
        ({"lr": -1.0}, "The 'lr' parameter of LBFGS must be a float >= 0. Got -1.0."),
        ({"history_size": 0}, "The 'history_size' parameter of LBFGS must be an int >= 1. Got 0."),
        ({"max_iter": 0}, "The 'max_iter' parameter of LBFGS must be an int >= 1. Got 0."),
        ({"max_iter": 2.5}, "The 'max_iter' parameter of LBFGS must be an int"),
        ({"max_eval": 0}, "The 'max_eval' parameter of LBFGS must be an int >= 1. Got 0."),
        ({"tolerance_grad": -1e-7}, "The 'tolerance_grad' parameter of LBFGS must be a float >= 0"),
        ({"tolerance_change": float("nan")}, "The 'tolerance_change' parameter of LBFGS"),
        (
            {"line_search_fn": "armijo"},
            "The 'line_search_fn' parameter of LBFGS must be None or 'strong_wolfe' "
            "(PyTorch's LBFGS supports only these). Got 'armijo'.",
        ),
        ({"line_search_fn": True}, "must be None or 'strong_wolfe'"),
    ],
)
def test_bad_settings_are_refused(kw, message):
    with pytest.raises(ValueError, match=re.escape(message)):
        LBFGS(_params(), **kw)


def test_settings_set_later_are_checked():
    opt = LBFGS(_params())
    with pytest.raises(ValueError, match="'history_size' parameter of LBFGS"):
        opt.history_size = 0
    opt.lr = 0  # (a schedule may bring lr to 0: the step then moves nothing)
    opt.param_groups[0]["line_search_fn"] = "armijo"
    p = opt.param_groups[0]["params"][0]

    def closure():
        opt.zero_grad()
        loss = ((p - 1) ** 2).sum()
        loss.backward()
        return loss

    with pytest.raises(ValueError, match="must be None or 'strong_wolfe'"):
        opt.step(closure)
    opt.param_groups[0]["line_search_fn"] = None
    opt.step(closure)
    np.testing.assert_array_equal(p.data, [0.0, 0.0])


def test_one_param_group_only():
    a, b = _params(), _params()
    with pytest.raises(
        ValueError, match=r"doesn't support per-parameter options \(parameter groups\)"
    ):
        LBFGS([{"params": a}, {"params": b, "lr": 0.1}])
    opt = LBFGS([{"params": a, "lr": 0.5}])  # one group as a dict: PyTorch's too
    assert opt.lr == 0.5 and opt.max_eval == 25
    with pytest.raises(ValueError, match="parameter groups"):
        opt.add_param_group({"params": b})
    opt.param_groups.append({"params": b})
    with pytest.raises(ValueError, match="param_groups holds 2 groups; keep one"):
        opt.step(lambda: 0.0)


def test_parameters_checked_as_every_optimizer_checks_them():
    p = nn.Parameter(np.zeros(2))
    with pytest.raises(ValueError, match="same object"):
        LBFGS([p, p])
    with pytest.raises(ValueError, match="is empty"):
        LBFGS([])
    with pytest.raises(TypeError, match="unexpected keyword argument"):
        LBFGS([p], foo=1)
    with pytest.raises(ValueError, match="iterable of parameters"):
        LBFGS(p)


def test_built_by_get_optimizer_from_the_class():
    opt = get_optimizer(LBFGS, _params(), lr=0.5, line_search_fn="strong_wolfe")
    assert isinstance(opt, LBFGS) and isinstance(opt, Optimizer)
    assert (opt.lr, opt.line_search_fn, opt.max_iter, opt.max_eval) == (0.5, "strong_wolfe", 20, 25)
    assert LBFGS(_params(), max_iter=7).max_eval == 8  # PyTorch's max_iter * 5 // 4


def test_fit_cannot_drive_it_and_says_so():
    X, y = gn.datasets.logic_gate("xnor")
    net = nn.MLP([2, 2, 1], activation="sigmoid", output_activation="sigmoid", rng=0)
    with pytest.raises(ValueError, match=r"steps with a closure.*write the loop"):
        gn.fit(net, X, y, loss="mse", optimizer=LBFGS(net.parameters()), epochs=1, verbose=0)
    opt = LBFGS(net.parameters())  # (a step without its closure, as a loop of fit's kind takes)
    with pytest.raises(TypeError, match=r"needs a closure.*glassnet.fit .*cannot drive LBFGS"):
        opt.step()


# --------------------------------------------------------------------- 4. state dicts


def test_state_dict_round_trip_and_resume_equals_unbroken():
    kw = {"max_iter": 4, "history_size": 5, "line_search_fn": "strong_wolfe"}
    pa, oa, ca = glassnet_problem("net", **kw)  # unbroken: 6 steps
    pb, ob, cb = glassnet_problem("net", **kw)  # 3 steps, saved, resumed elsewhere
    for _ in range(3):
        oa.step(ca), ob.step(cb)
    saved = ob.state_dict()
    assert saved["type"] == "LBFGS" and saved["t"] == 3
    assert saved["param_groups"] == [ob.defaults]
    state = ob.state[pb[0]]
    assert set(saved["state"]) == set(state) == {
        "func_evals", "n_iter", "d", "t", "old_dirs", "old_stps", "ro", "H_diag",
        "prev_flat_grad", "prev_loss",
    }  # fmt: skip
    assert saved["state"]["d"] is not state["d"]  # (copies)
    assert saved["state"]["old_dirs"][0] is not state["old_dirs"][0]
    saved = copy.deepcopy(saved)

    pc, oc, cc = glassnet_problem("net", **kw)  # a new run, from b's weights and state
    for p, q in zip(pc, pb):
        p.data[...] = q.data
    oc.load_state_dict(saved)
    again = oc.state_dict()
    for k, v in saved["state"].items():
        w = again["state"][k]
        if isinstance(v, list):
            assert len(v) == len(w) and all(np.array_equal(x, y) for x, y in zip(v, w)), k
        else:
            assert np.array_equal(v, w), k
    for _ in range(3):
        la, lc = oa.step(ca), oc.step(cc)
        assert float(la.data) == float(lc.data)
        for a, c in zip(pa, pc):
            np.testing.assert_array_equal(a.data, c.data)
    assert oa.state[pa[0]]["func_evals"] == oc.state[pc[0]]["func_evals"]
    assert oa.t == oc.t == 6


@pytest.mark.parametrize("dtype", ["float64", "float32"])
def test_resumed_from_a_checkpoint_file_as_unbroken(tmp_path, dtype):
    # through glassnet.io's checkpoint (NumPy numbers come back as Python floats: the state
    # takes them back in the parameters' dtype, as the step made them)
    from glassnet.io import load_checkpoint, save_checkpoint

    kw = {"max_iter": 4, "line_search_fn": "strong_wolfe"}
    pa, oa, ca = glassnet_problem("net", dtype, **kw)
    pb, ob, cb = glassnet_problem("net", dtype, **kw)
    for _ in range(2):
        oa.step(ca), ob.step(cb)
    weights = {f"p{i}": p.data for i, p in enumerate(pb)}
    save_checkpoint(tmp_path / "run.glassnet", weights, ob.state_dict())
    model_state, optimizer_state, _ = load_checkpoint(tmp_path / "run.glassnet")
    pc, oc, cc = glassnet_problem("net", dtype, **kw)
    for i, p in enumerate(pc):
        p.data[...] = model_state[f"p{i}"]
    oc.load_state_dict(optimizer_state)
    for _ in range(3):
        assert float(oa.step(ca).data) == float(oc.step(cc).data)
        for a, c in zip(pa, pc):
            np.testing.assert_array_equal(a.data, c.data)


def test_state_dict_of_a_fresh_optimizer_loads():
    opt = LBFGS(_params())
    saved = opt.state_dict()
    assert saved["state"] == {} and saved["t"] == 0
    LBFGS(_params()).load_state_dict(saved)


def test_bad_state_dicts_are_refused_before_anything_changes():
    pb, ob, cb = glassnet_problem("net", max_iter=3)
    ob.step(cb)
    good = ob.state_dict()
    _, other, _ = glassnet_problem("net", max_iter=3)
    before = other.state_dict()
    d, grad, group = good["state"]["d"], good["state"]["prev_flat_grad"], good["param_groups"][0]

    def with_state(**kw):
        return {**good, "state": {**good["state"], **kw}}

    bad = [
        ({**good, "type": "Adam"}, "saved from 'Adam', not LBFGS"),
        ({**good, "param_groups": [group] * 2}, "must be a list of one group"),
        (with_state(d=np.zeros(3)), r"'d' must be a float64 array of shape \(17,\)"),
        (with_state(d=d.astype(np.float32)), "'d' must be a float64 array"),
        (with_state(ro=[]), "must be lists of one length"),
        (with_state(al=[]), r"unknown keys \['al'\]"),
        (with_state(prev_flat_grad=np.full_like(grad, np.nan)), "contains NaN or inf"),
        (with_state(H_diag="1"), "'H_diag' must be a number"),
        ({**good, "state": {k: v for k, v in good["state"].items() if k != "H_diag"}},
         r"lacks \['H_diag'\]"),
        ({**good, "param_groups": [{**group, "history_size": 0}]}, "'history_size' parameter"),
    ]  # fmt: skip
    for state, message in bad:
        with pytest.raises((ValueError, TypeError), match=message):
            other.load_state_dict(state)
        assert other.state == {} and other.state_dict()["t"] == before["t"]
    with pytest.raises(ValueError, match="more than its history_size 1"):
        LBFGS(other.param_groups[0]["params"], max_iter=3, history_size=1).load_state_dict(
            {**good, "param_groups": [{**good["param_groups"][0], "history_size": 1}],
             "state": {**good["state"], "old_dirs": good["state"]["old_dirs"] * 2,
                       "old_stps": good["state"]["old_stps"] * 2, "ro": good["state"]["ro"] * 2}}
        )  # fmt: skip


# ----------------------------------------------------------- 5. frozen parameters


def test_frozen_parameters_are_left_untouched():
    X, y, init = net_data()
    params = [nn.Parameter(a) for a in init]
    params[2].requires_grad = False  # W2 frozen
    frozen_values = params[2].data.copy()
    params[2].grad = np.ones_like(frozen_values)  # an old gradient: not read
    Xg, yg = gn.tensor(X), gn.tensor(y)
    opt = LBFGS(params, line_search_fn="strong_wolfe")

    def closure():
        opt.zero_grad()
        loss = net_loss(params, Xg, yg, lambda z: z.tanh())
        loss.backward()
        return loss

    first = opt.step(closure)
    params[2].grad = np.ones_like(frozen_values)
    for _ in range(3):
        opt.step(closure)
    np.testing.assert_array_equal(params[2].data, frozen_values)
    assert float(closure().data) < 0.5 * float(first.data)  # the others trained
    assert not np.array_equal(params[0].data, init[0])


def test_a_graph_of_the_old_weights_refuses_backward():
    # the step writes each weight in place as `w += ...` under no_grad(): a graph built from
    # the old values is refused (glassnet's in-place rule), not run with the new ones
    (x,), opt, closure = glassnet_problem("rosen", line_search_fn="strong_wolfe", max_iter=2)
    old = rosenbrock(x)
    opt.step(closure)
    with pytest.raises(RuntimeError):
        old.backward()


def test_duck_typed_parameters_take_the_same_steps():
    # anything with .data and .grad, as every glassnet optimizer takes (here a gradient
    # written by hand): the steps taken on a Parameter whose gradient backward() wrote (to
    # rounding: the two compute the loss and its gradient in another order)
    class P:
        def __init__(self, data):
            self.data, self.grad = data, None

    w = P(ROSEN_START.copy())
    opt = LBFGS([w], line_search_fn="strong_wolfe", max_iter=5)

    def closure():
        x0, x1 = w.data
        w.grad = np.array([-2 * (1 - x0) - 400 * x0 * (x1 - x0**2), 200 * (x1 - x0**2)])
        return (1 - x0) ** 2 + 100 * (x1 - x0**2) ** 2

    (x,), ref, ref_closure = glassnet_problem("rosen", line_search_fn="strong_wolfe", max_iter=5)
    for _ in range(3):
        loss = opt.step(closure)
        assert isinstance(loss, float) and _rel(loss, ref.step(ref_closure).data) < 1e-12
        np.testing.assert_allclose(w.data, x.data, rtol=1e-12)
    assert opt.state[w]["n_iter"] == ref.state[x]["n_iter"]


def test_the_closure_records_gradients_inside_no_grad():
    # as PyTorch's (torch.enable_grad around the closure): a step taken inside no_grad()
    (x,), opt, closure = glassnet_problem("rosen", line_search_fn="strong_wolfe")
    with gn.no_grad():
        first = opt.step(closure)
    assert float(first.data) == rosenbrock(ROSEN_START) and x.data[0] != ROSEN_START[0]
    assert gn.is_grad_enabled()  # (and recording is back on after the block)


def test_at_pytorchs_place_and_by_name():
    import glassnet.optim as optim

    assert optim.LBFGS is LBFGS and gn.optim.LBFGS is LBFGS and "LBFGS" in optim.__all__
    opt = gn.optim.get_optimizer("lbfgs", _params(), lr=0.5, line_search_fn="strong_wolfe")
    assert type(opt) is LBFGS and (opt.lr, opt.line_search_fn) == (0.5, "strong_wolfe")
    assert "lbfgs" not in optim.OPTIMIZERS  # (fit, fit_many and the CLI step without a closure)
