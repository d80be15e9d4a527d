"""A PyTorch user's habits, round 13: a param group added with ``add_param_group`` while a
schedule runs (unfreezing a layer mid-run) joins the curve at its own lr, as with PyTorch's
chainable schedulers, where PyTorch's behaviour is defined; elsewhere a refusal whose advice,
followed, gives PyTorch's rates. Each case against the formula always and against PyTorch's
schedulers (``torch==2.13.0``, optional) where installed."""

from __future__ import annotations

import math

import numpy as np
import pytest

import glassnet as gn
from glassnet import nn, optim, schedules


def _torch():
    try:
        import torch
    except ImportError:
        return None
    return torch


def _c(e, t):
    return (1 + math.cos(math.pi * e / t)) / 2


# name, settings, the epoch the group is added at (after that many steps), the factor of the
# curve at epoch e (the starting lr's multiplier: the adopted group's lr is lr · f(e) / f(k))
ADOPTED = [
    ("StepLR", {"step_size": 2, "gamma": 0.5}, 3, lambda e: 0.5 ** (e // 2)),
    (
        "MultiStepLR",
        {"milestones": [1, 3, 4, 4], "gamma": 0.3},
        2,
        lambda e: 0.3 ** sum(m <= e for m in (1, 3, 4, 4)),
    ),
    ("ExponentialLR", {"gamma": 0.5}, 2, lambda e: 0.5**e),
    (
        "ConstantLR",
        {"factor": 0.5, "total_iters": 4},
        2,
        lambda e: 0.5 if e < 4 else 1.0,
    ),
    (
        "LinearLR",
        {"start_factor": 0.25, "total_iters": 5},
        2,
        lambda e: 0.25 + 0.75 * min(e, 5) / 5,
    ),
    (
        "PolynomialLR",
        {"total_iters": 6, "power": 2.0},
        2,
        lambda e: (1 - min(e, 6) / 6) ** 2,
    ),
]


def _opt_and_extra(lib):
    """An SGD optimizer at lr 0.2 over one group, and the parameters of a group to add:
    glassnet's or PyTorch's."""
    if lib is gn:
        return optim.SGD(nn.Linear(2, 2, rng=0).parameters(), lr=0.2), nn.Linear(
            2, 1, rng=1
        ).parameters()
    return lib.optim.SGD([lib.nn.Parameter(lib.zeros(2))], lr=0.2), [lib.nn.Parameter(lib.zeros(1))]


def _run(lib, name, kw, added, lr, steps):
    """Each group's lr after every step, a second group (lr ``lr``) added after ``added``
    steps: glassnet's or PyTorch's."""
    opt, extra = _opt_and_extra(lib)
    sched = getattr(lib.optim.lr_scheduler, name)(opt, **kw)
    out = []
    for e in range(steps):
        if e == added:
            opt.add_param_group({"params": extra, "lr": lr})
        opt.step()
        sched.step()
        out.append([float(g["lr"]) for g in opt.param_groups])
    return out


@pytest.mark.parametrize("name, kw, added, f", ADOPTED, ids=[c[0] for c in ADOPTED])
def test_a_group_added_mid_run_joins_the_curve_at_its_lr(name, kw, added, f):
    ours = _run(gn, name, kw, added, 0.01, 9)
    for e, lrs in enumerate(ours, 1):
        want = [0.2 * f(e)] + ([0.01 * f(e) / f(added)] if e > added else [])
        np.testing.assert_allclose(lrs, want, rtol=1e-12, atol=1e-15)
    torch = _torch()
    if torch is not None:
        theirs = _run(torch, name, kw, added, 0.01, 9)
        for a, b in zip(ours, theirs, strict=True):
            np.testing.assert_allclose(a, b, rtol=1e-12, atol=1e-15)


def test_the_audits_exponential_numbers():
    """ExponentialLR(gamma=0.5), a group added after 2 steps at lr 0.01: PyTorch's rates,
    not the decay so far applied to it (0.00125, 0.000625, ... with base_lrs appended)."""
    ours = _run(gn, "ExponentialLR", {"gamma": 0.5}, 2, 0.01, 5)
    assert [lrs[1:] for lrs in ours] == [[], [], [0.005], [0.0025], [0.00125]]


def test_cosine_adopts_a_group_until_its_bottom_as_pytorchs_recursive_form():
    kw, added, eta = {"T_max": 8, "eta_min": 0.001}, 3, 0.001
    ours = _run(gn, "CosineAnnealingLR", kw, added, 0.01, 8)
    for e, lrs in enumerate(ours, 1):
        want = [eta + (0.2 - eta) * _c(e, 8)]
        if e > added:
            want.append(eta + (0.01 - eta) * _c(e, 8) / _c(added, 8))
        np.testing.assert_allclose(lrs, want, rtol=1e-12, atol=1e-15)
    torch = _torch()
    if torch is not None:  # (PyTorch's, one step past T_max, reads a missing base_lr: raises)
        theirs = _run(torch, "CosineAnnealingLR", kw, added, 0.01, 8)
        for a, b in zip(ours, theirs, strict=True):
            np.testing.assert_allclose(a, b, rtol=1e-12, atol=1e-15)


def test_cosine_adopts_a_group_added_below_eta_min_as_pytorchs_recursive_form():
    """lr 0.001 added after 2 steps of CosineAnnealingLR(T_max=6, eta_min=0.01): PyTorch's
    recursive form raises it towards eta_min, eta_min + (lr − eta_min) · c(e) / c(2); here its
    starting lr, eta_min + (lr − eta_min) / c(2), is below 0 and the rates are PyTorch's."""
    kw, added, eta = {"T_max": 6, "eta_min": 0.01}, 2, 0.01
    ours = _run(gn, "CosineAnnealingLR", kw, added, 0.001, 6)
    for e, lrs in enumerate(ours, 1):
        want = [eta + (0.2 - eta) * _c(e, 6)]
        if e > added:
            want.append(eta + (0.001 - eta) * _c(e, 6) / _c(added, 6))
        np.testing.assert_allclose(lrs, want, rtol=1e-12, atol=1e-15)
    assert ours[-1] == [pytest.approx(0.01, rel=1e-12)] * 2
    torch = _torch()
    if torch is not None:
        theirs = _run(torch, "CosineAnnealingLR", kw, added, 0.001, 6)
        for a, b in zip(ours, theirs, strict=True):
            np.testing.assert_allclose(a, b, rtol=1e-12, atol=1e-15)


def test_a_cosine_group_below_zero_is_refused_where_its_rate_would_be_below_0():
    opt, extra = _opt_and_extra(gn)
    sched = schedules.CosineAnnealingLR(opt, T_max=6, eta_min=0.01)
    for _ in range(2):
        sched.step()
    opt.add_param_group({"params": extra, "lr": 0.001})
    for _ in range(8):  # (past T_max the curve falls back towards its starting lr, -0.002)
        sched.step()
    base = 0.01 + (0.001 - 0.01) / _c(2, 6)
    assert sched.base_lrs == [0.2, pytest.approx(base, rel=1e-12)] and base < 0
    assert sched.get_last_lr()[1] == pytest.approx(0.01 + (base - 0.01) * _c(10, 6), rel=1e-9)
    state = sched.state_dict()  # (a negative starting lr saves and loads)
    with pytest.raises(ValueError, match=r"epoch 11 .*starting lr \(-0\.002.* below 0.*"
                       r"set the group's starting lr in schedule\.base_lrs"):  # fmt: skip
        sched.step()
    assert sched.epoch == 10  # (a refused step changes nothing)
    sched.base_lrs[1] = 0.01  # (what it says: eta_min holds the group at eta_min)
    sched.step()
    assert sched.get_last_lr()[1] == pytest.approx(0.01, rel=1e-12)
    opt2, extra2 = _opt_and_extra(gn)
    again = schedules.CosineAnnealingLR(opt2, T_max=6, eta_min=0.01)
    opt2.add_param_group({"params": extra2, "lr": 0.001})
    again.load_state_dict(state)
    assert again.base_lrs == state["base_lrs"] and again.epoch == 10
    # added past T_max below eta_min: the curve through its lr falls below 0 at once
    # (PyTorch's recursive form gives it negative lrs): refused, nothing changed
    opt, extra = _opt_and_extra(gn)
    sched = schedules.CosineAnnealingLR(opt, T_max=6, eta_min=0.01)
    for _ in range(9):
        sched.step()
    opt.add_param_group({"params": extra, "lr": 0.001})
    with pytest.raises(ValueError, match=r"param group 1.*falls below 0 at the next step"):
        sched.step()
    assert sched.base_lrs == [0.2] and sched.epoch == 9


def test_a_cosine_group_added_at_its_bottom_is_refused_naming_the_curves_value():
    opt, extra = _opt_and_extra(gn)
    sched = schedules.CosineAnnealingLR(opt, T_max=6, eta_min=0.01)
    for _ in range(6):
        sched.step()
    opt.add_param_group({"params": extra, "lr": 0.001})
    with pytest.raises(ValueError, match=r"curve is at 0\.01 for any starting lr.*bottom of the "
                       r"cosine, eta_min, at epoch T_max=6.*fails at the next step"):  # fmt: skip
        sched.step()
    assert sched.base_lrs == [0.2] and sched.epoch == 6


def test_a_chain_of_scaling_schedules_adopts_a_group_as_pytorchs():
    def run(lib):
        opt, extra = _opt_and_extra(lib)
        L = lib.optim.lr_scheduler
        warm = L.ConstantLR(opt, factor=0.5, total_iters=3)
        chain = L.ChainedScheduler([warm, L.ExponentialLR(opt, gamma=0.9)], optimizer=opt)
        out = []
        for e in range(6):
            if e == 1:
                opt.add_param_group({"params": extra, "lr": 0.04})
            opt.step()
            chain.step()
            out.append([float(g["lr"]) for g in opt.param_groups])
        return out

    ours = run(gn)
    want = [0.04 * 0.9 ** (e - 1) * (2.0 if e >= 3 else 1.0) for e in range(2, 7)]
    np.testing.assert_allclose([lrs[1] for lrs in ours[1:]], want, rtol=1e-12)
    torch = _torch()
    if torch is not None:
        for a, b in zip(ours, run(torch), strict=True):
            np.testing.assert_allclose(a, b, rtol=1e-12)


@pytest.mark.parametrize("min_lr", [0.001, [0.001]])
def test_plateau_floors_an_added_group_as_pytorchs(min_lr):
    def run(lib):
        opt, extra = _opt_and_extra(lib)
        sched = lib.optim.lr_scheduler.ReduceLROnPlateau(opt, factor=0.1, patience=0, min_lr=min_lr)
        out = []
        for e in range(5):
            if e == 1:
                opt.add_param_group({"params": extra, "lr": 0.05})
            try:
                sched.step(1.0)
            except (ValueError, RuntimeError) as err:
                assert "min_lrs" in str(err)
                sched.min_lrs.append(0.002)  # (what both messages ask)
                sched.step(1.0)
            out.append([float(g["lr"]) for g in opt.param_groups])
        return out

    ours = run(gn)
    floor = 0.001 if not isinstance(min_lr, list) else 0.002
    assert ours[-1] == [0.001, pytest.approx(floor, rel=1e-12)]
    assert ours[1][1] == pytest.approx(0.005, rel=1e-12)
    torch = _torch()
    if torch is not None:
        for a, b in zip(ours, run(torch), strict=True):
            np.testing.assert_allclose(a, b, rtol=1e-12)


def test_a_state_saved_after_an_added_group_resumes():
    def build(groups):
        opt = optim.SGD(nn.Linear(2, 2, rng=0).parameters(), lr=0.2)
        if groups == 2:
            opt.add_param_group({"params": nn.Linear(2, 1, rng=1).parameters(), "lr": 0.01})
        return opt

    opt = build(1)
    sched = schedules.StepLR(opt, step_size=2, gamma=0.5)
    sched.step()
    opt.add_param_group({"params": nn.Linear(2, 1, rng=1).parameters(), "lr": 0.01})
    for _ in range(2):
        sched.step()
    state, lrs = sched.state_dict(), sched.get_last_lr()
    sched.step()
    want = sched.get_last_lr()
    # resumed: the optimizer rebuilt as the run had it (the added group put back) before the
    # schedule's state is loaded, built before or after the group was added
    for before in (True, False):
        opt2 = build(1 if before else 2)
        again = schedules.StepLR(opt2, step_size=2, gamma=0.5)
        if before:
            opt2.add_param_group({"params": nn.Linear(2, 1, rng=1).parameters(), "lr": 0.01})
        again.load_state_dict(state)
        for g, lr in zip(opt2.param_groups, lrs):
            g["lr"] = lr  # (the optimizer's own state dict)
        again.step()
        assert again.get_last_lr() == want
    with pytest.raises(ValueError, match=r"'base_lrs' must list one lr per param group \(1\)"):
        schedules.StepLR(build(1), step_size=2).load_state_dict(state)


FLAT = [
    ("PolynomialLR", {"total_iters": 2}),
    ("PolynomialLR", {"total_iters": 3, "power": 2.0}),
    ("LinearLR", {"start_factor": 0.5, "end_factor": 0.0, "total_iters": 2}),
]


@pytest.mark.parametrize("name, kw", FLAT, ids=["poly", "poly-power", "linear-to-0"])
@pytest.mark.parametrize("extra_steps", [0, 1])
def test_a_group_added_where_the_curve_has_ended_at_zero_keeps_its_lr_as_pytorchs(
    name, kw, extra_steps
):
    """Past total_iters PyTorch's step leaves each lr as it is: a group added there at 0.05
    keeps it ([0.0, 0.05]), where no starting lr puts it on this curve (at 0 for all)."""
    added = kw["total_iters"] + extra_steps
    ours = _run(gn, name, kw, added, 0.05, added + 4)
    assert [lrs[1:] for lrs in ours[added:]] == [[0.05]] * 4
    assert all(lrs[0] == 0.0 for lrs in ours[kw["total_iters"] - 1 :])
    torch = _torch()
    if torch is not None:
        theirs = _run(torch, name, kw, added, 0.05, added + 4)
        for a, b in zip(ours, theirs, strict=True):
            np.testing.assert_allclose(a, b, rtol=1e-12, atol=1e-15)


def test_a_held_group_saves_and_loads_and_the_run_goes_on_while_it_has_an_lr():
    opt, extra = _opt_and_extra(gn)
    sched = optim.lr_scheduler.PolynomialLR(opt, total_iters=2)
    assert "held" not in sched.state_dict()  # (none held: the state an older glassnet reads)
    assert [sched.step(), sched.step()] == [False, True]  # (every lr 0 for good: the end)
    opt.add_param_group({"params": extra, "lr": 0.05})
    assert sched.step() is False  # (the added group still trains)
    state = sched.state_dict()
    assert state["held"] == [1] and state["base_lrs"] == [0.2, 0.05]
    state["held"].append(5)  # (a copy: the schedule's own list is not changed)
    assert sched.held == [1]
    state = sched.state_dict()
    opt2, extra2 = _opt_and_extra(gn)
    again = optim.lr_scheduler.PolynomialLR(opt2, total_iters=2)
    opt2.add_param_group({"params": extra2, "lr": 0.05})
    again.load_state_dict(state)
    again.step()
    assert again.get_last_lr() == [0.0, 0.05] and again.held == [1]
    fresh = optim.lr_scheduler.PolynomialLR(optim.SGD(nn.Linear(2, 1, rng=0).parameters()), 2)
    old = {k: v for k, v in fresh.state_dict().items() if k != "held"}  # (saved before)
    fresh.load_state_dict(old)
    assert fresh.held == []
    for bad in ([2], [-1], [1, 1], ["1"]):  # ([0]: group 0 held after a hand-set lr)
        with pytest.raises(ValueError, match="held"):
            again.load_state_dict({**state, "held": bad})
    assert again.held == [1]


def test_a_group_added_where_a_decay_has_underflowed_to_zero_is_refused_saying_what_to_do():
    opt, extra = _opt_and_extra(gn)
    sched = optim.lr_scheduler.ExponentialLR(opt, gamma=1e-200)
    sched.step()
    sched.step()  # (gamma ** 2 is below the float range: the curve is at 0 for any lr)
    opt.add_param_group({"params": extra, "lr": 0.01})
    with pytest.raises(ValueError, match=r"param group 1, added .* curve is at 0\.0 .*Stop "):
        sched.step()
    assert sched.base_lrs == [0.2] and sched.epoch == 2


def test_schedules_pytorch_refuses_a_group_for_are_refused_with_advice_that_gives_its_rates():
    """LambdaLR and CosineAnnealingWarmRestarts read per-group lists (PyTorch's raise):
    refused, and the advice, followed in both, gives PyTorch's rates."""
    fn = lambda e: 0.9**e  # noqa: E731
    for name, kw, advice, follow in (
        ("LambdaLR", {"lr_lambda": fn}, r"PyTorch's LambdaLR refuses it too.*lr_lambdas",
         lambda s: (s.base_lrs.append(0.05), s.lr_lambdas.append(fn))),
        ("CosineAnnealingWarmRestarts", {"T_0": 3}, r"refuses it too.*restarts from",
         lambda s: s.base_lrs.append(0.05)),
    ):  # fmt: skip

        def run(lib, name=name, kw=kw, advice=advice, follow=follow):
            opt, extra = _opt_and_extra(lib)
            sched = getattr(lib.optim.lr_scheduler, name)(opt, **kw)
            opt.step()
            sched.step()
            opt.add_param_group({"params": extra, "lr": 0.05})
            if lib is gn:  # (PyTorch's raises too, after moving its epoch on)
                with pytest.raises(ValueError, match=advice):
                    sched.step()
                assert sched.last_epoch == 1  # (a refused step changes nothing)
            follow(sched)
            out = []
            for _ in range(5):
                sched.step()
                out.append([float(g["lr"]) for g in opt.param_groups])
            return out

        ours = run(gn)
        torch = _torch()
        if torch is not None:
            for a, b in zip(ours, run(torch), strict=True):
                np.testing.assert_allclose(a, b, rtol=1e-12)


@pytest.mark.parametrize("kind", ["CyclicLR", "OneCycleLR"])
def test_a_cycle_refuses_an_added_group_naming_its_per_group_bounds(kind):
    opt = optim.SGD(nn.Linear(2, 1, rng=0).parameters(), lr=0.1, momentum=0.9)
    sched = (
        schedules.CyclicLR(opt, base_lr=0.01, max_lr=0.1, step_size_up=2)
        if kind == "CyclicLR"
        else schedules.OneCycleLR(opt, max_lr=1.0, total_steps=10)
    )
    opt.add_param_group({"params": nn.Linear(2, 1, rng=1).parameters(), "lr": 0.5})
    with pytest.raises(ValueError, match=rf"PyTorch's {kind} refuses it too.*max_lrs"):
        sched.step()


def test_multiplicative_and_sequential_refusals_say_what_pytorch_does():
    opt = optim.SGD(nn.Linear(2, 1, rng=0).parameters(), lr=0.1)
    mult = schedules.MultiplicativeLR(opt, lambda e: 0.5)
    opt.add_param_group({"params": nn.Linear(2, 1, rng=1).parameters(), "lr": 0.5})
    with pytest.raises(ValueError, match=r"refuses it too.*1\.0 to schedule\.products"):
        mult.step()
    opt = optim.SGD(nn.Linear(2, 1, rng=0).parameters(), lr=0.1)
    L = optim.lr_scheduler
    seq = L.SequentialLR(opt, [L.LinearLR(opt, total_iters=2), L.ExponentialLR(opt, 0.5)], [2])
    opt.add_param_group({"params": nn.Linear(2, 1, rng=1).parameters(), "lr": 0.5})
    with pytest.raises(ValueError, match=r"SequentialLR fails at the next milestone"):
        seq.step()


# ------------------------------------------------------- gn.save of inf and NaN values
class _Masked(nn.Module):
    """A causal mask of -inf as a buffer (the audit's model)."""

    def __init__(self, n):
        super().__init__()
        self.fc = nn.Linear(n, n, rng=0)
        self.register_buffer("mask", np.triu(np.full((n, n), -np.inf, dtype=np.float32), 1))

    def forward(self, x):
        return (self.fc(x) + self.mask).softmax(dim=-1)


def _metadata(path):
    from safetensors import safe_open

    with safe_open(str(path), framework="numpy") as f:
        return f.metadata()


def test_a_state_dict_with_a_minus_inf_mask_round_trips_as_torch_saves_it(tmp_path):
    m = _Masked(3)
    x = np.arange(9, dtype=np.float32).reshape(3, 3) / 9
    gn.save(m.state_dict(), tmp_path / "m.glassnet")
    back = gn.load(tmp_path / "m.glassnet")
    assert list(back) == list(m.state_dict())
    np.testing.assert_array_equal(back["mask"], m.mask)
    assert np.isneginf(back["mask"]).sum() == 3
    fresh = _Masked(3)
    fresh.fc.W.data[...] = 0.0
    fresh.fc.load_state_dict({k[3:]: v for k, v in back.items() if k.startswith("fc.")})
    fresh.mask = back["mask"]  # (Module.load_state_dict refuses a non-finite buffer so far)
    np.testing.assert_array_equal(fresh(x).data, m(x).data)
    meta = _metadata(tmp_path / "m.glassnet")  # (only the mask is listed as non-finite)
    assert meta["format_version"] == "1.1" and meta["nonfinite"] == '["mask"]'
    gn.save(m.fc.state_dict(), tmp_path / "fc.glassnet")  # (finite: version 1, as before)
    meta = _metadata(tmp_path / "fc.glassnet")
    assert meta["format_version"] == "1" and "nonfinite" not in meta
    torch = _torch()
    if torch is not None:  # (what torch.save keeps, gn.save keeps)
        torch.save({"mask": torch.tensor(m.mask)}, tmp_path / "m.pt")
        theirs = torch.load(tmp_path / "m.pt")["mask"].numpy()
        np.testing.assert_array_equal(back["mask"], theirs)


def test_a_tensor_with_inf_and_nan_round_trips(tmp_path):
    t = gn.tensor(np.array([1.0, np.inf, -np.inf, np.nan], dtype=np.float64))
    gn.save(t, tmp_path / "t.glassnet")
    back = gn.load(tmp_path / "t.glassnet")
    np.testing.assert_array_equal(back.data, t.data)  # (NaN equal to NaN here)
    arrays = {"a": np.array([np.nan, 1.0], np.float16), "b": np.ones(2, np.float32)}
    from glassnet import io as gio

    gio.save_arrays(tmp_path / "a.glassnet", arrays, nonfinite=True)
    got, _ = gio.load_arrays(tmp_path / "a.glassnet")
    assert np.isnan(got["a"][0]) and got["a"].dtype == np.float16
    with pytest.raises(TypeError, match="nonfinite"):
        gio.save_arrays(tmp_path / "b.glassnet", arrays, nonfinite="yes")


def test_model_files_and_checkpoints_still_refuse_them_with_advice_that_fits(tmp_path):
    from glassnet import io as gio

    m = _Masked(3)
    for save in (
        lambda: gio.save_checkpoint(tmp_path / "c.glassnet", m.state_dict(), {}),
        lambda: gio.save_arrays(tmp_path / "a.glassnet", {"mask": m.mask}),
    ):
        with pytest.raises(ValueError, match=r"holds 3 NaN or infinite.*gn\.save\(model\."
                           r"state_dict\(\), path\).*persistent=False"):  # fmt: skip
            save()
    lin = nn.Linear(2, 1, rng=0)
    lin.W.data[0, 0] = np.nan
    with pytest.raises(ValueError, match=r"NaN or infinite.*a run gone wrong"):
        gio.save_model(lin, tmp_path / "lin.glassnet")


def _raw(path, arrays, **metadata):
    from safetensors.numpy import save_file

    meta = {"format": "glassnet", "kind": "arrays", "glassnet": "{}", **metadata}
    save_file(arrays, str(path), metadata=meta)  # (no checksum: read without that check)
    return path


def test_a_non_finite_value_the_file_does_not_list_is_still_corruption(tmp_path):
    from glassnet import io as gio

    a = np.array([-np.inf, 0.0], np.float32)
    b = np.array([np.nan, 0.0], np.float32)
    p = _raw(tmp_path / "x.glassnet", {"a": a, "b": b}, format_version="1.1", nonfinite='["a"]')
    with pytest.raises(gio.ModelFileError, match=r"tensor 'b' holds 1 NaN.*corrupt"):
        gio.load_arrays(p)
    p = _raw(tmp_path / "y.glassnet", {"a": a}, format_version="1.1", nonfinite='["a"]')
    assert np.isneginf(gio.load_arrays(p)[0]["a"][0])
    for meta, why in (
        ({"format_version": "1", "nonfinite": '["a"]'}, "format_version '1'"),
        ({"format_version": "1.1"}, "without a list"),
        ({"format_version": "1.1", "nonfinite": '["z"]'}, "does not name tensors"),
        ({"format_version": "1.1", "nonfinite": "[]"}, "does not name tensors"),
        ({"format_version": "1.1", "nonfinite": '["a"]', "kind": "checkpoint"}, "kind 'checkp"),
    ):
        p = _raw(tmp_path / "z.glassnet", {"a": a}, **meta)
        with pytest.raises(gio.ModelFileError, match=rf"{why}.*the file is corrupt"):
            gio.load_arrays(p)


def test_a_flat_schedules_state_names_held_only_when_a_group_is_held():
    """A state with none held is what glassnet before held's time reads (it refused the
    unknown key); one with a group held keeps it, and both load."""
    opt = optim.SGD(nn.Linear(2, 2, rng=0).parameters(), lr=0.2)
    sched = gn.optim.lr_scheduler.PolynomialLR(opt, total_iters=2)
    assert "held" not in sched.state_dict()
    fresh = gn.optim.lr_scheduler.PolynomialLR(opt, total_iters=2)
    fresh.load_state_dict(sched.state_dict())
    for _ in range(3):
        opt.step()
        sched.step()
    opt.add_param_group({"params": nn.Linear(2, 1, rng=1).parameters(), "lr": 0.05})
    opt.step()
    sched.step()
    state = sched.state_dict()
    assert state["held"] == [1]
    again = gn.optim.lr_scheduler.PolynomialLR(opt, total_iters=2)
    again.load_state_dict(state)
    assert again.held == [1]
