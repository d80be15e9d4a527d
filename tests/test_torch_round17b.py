"""PyTorch's habits against torch's own numbers: a wrapper optimizer sharing its base's param
groups, group keys a built-in does not read, a schedule replacing another, get_lr() at
epoch 0 and a get_lr() that returns a generator."""

import collections
import warnings

import numpy as np
import pytest

torch = pytest.importorskip("torch")

from glassnet import nn, optim  # noqa: E402
from glassnet.optim import lr_scheduler as L  # noqa: E402

TL = torch.optim.lr_scheduler


def test_a_schedule_replacing_another_after_the_epochs_steps_does_not_warn():
    # warm-up for 2 epochs, then a cosine built and stepped right after that epoch's
    # optimizer steps: in order (torch is silent; its flag is the optimizer's)
    def loop(opt, lib, set_grad):
        sched, lrs = lib.LinearLR(opt, 0.1, total_iters=2), []
        for epoch in range(6):
            for _ in range(3):
                set_grad()
                opt.step()
            if epoch == 1:
                sched = lib.CosineAnnealingLR(opt, 4)
            sched.step()
            lrs.append(opt.param_groups[0]["lr"])
        return lrs

    p = nn.Parameter(np.zeros(2))
    opt = optim.SGD([p], lr=0.1)
    tp = torch.zeros(2, dtype=torch.float64, requires_grad=True)
    topt = torch.optim.SGD([tp], lr=0.1)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        mine = loop(opt, L, lambda: setattr(p, "grad", np.ones(2)))
        theirs = loop(topt, TL, lambda: setattr(tp, "grad", torch.ones(2, dtype=torch.float64)))
    np.testing.assert_allclose(mine[:5], theirs[:5], rtol=0, atol=1e-15)


def test_a_schedule_stepped_before_its_optimizer_still_warns():
    p = nn.Parameter(np.zeros(2))
    opt = optim.SGD([p], lr=0.1)
    sched = L.StepLR(opt, 1, 0.5)
    sched.step()  # before any optimizer step
    p.grad = np.ones(2)
    opt.step()
    with pytest.warns(UserWarning, match="before `optimizer.step\\(\\)`"):
        sched.step()


@pytest.mark.parametrize(
    "make",
    [
        lambda o, lib: lib.ExponentialLR(o, 0.9),
        lambda o, lib: lib.CosineAnnealingLR(o, 4),
        lambda o, lib: lib.CosineAnnealingLR(o, 1),
        lambda o, lib: lib.PolynomialLR(o, 4, 2.0),
        lambda o, lib: lib.MultiplicativeLR(o, lambda e: 0.9 - 0.1 * e),
    ],
    ids=["exponential", "cosine", "cosine-T1", "polynomial", "multiplicative"],
)
def test_get_lr_right_after_construction_is_torchs(make):
    p = nn.Parameter(np.zeros(2))
    opt = optim.SGD([p], lr=0.1, momentum=0.9)
    tp = torch.zeros(2, dtype=torch.float64, requires_grad=True)
    topt = torch.optim.SGD([tp], lr=0.1, momentum=0.9)
    sched, tsched = make(opt, L), make(topt, TL)
    for _ in range(3):
        with pytest.warns(UserWarning, match="get_last_lr"):
            mine = sched.get_lr()
        with pytest.warns(UserWarning, match="get_last_lr"):
            theirs = tsched.get_lr()
        np.testing.assert_allclose(mine, theirs, rtol=1e-15, atol=0)
        assert opt.param_groups[0]["lr"] == pytest.approx(topt.param_groups[0]["lr"], abs=1e-16)
        p.grad, tp.grad = np.ones(2), torch.ones(2, dtype=torch.float64)
        opt.step()
        topt.step()
        sched.step()
        tsched.step()


def test_get_lr_may_return_a_generator():
    class Halves(L.LRScheduler):
        def get_lr(self):
            return (b * 0.5**self.last_epoch for b in self.base_lrs)

    class THalves(TL.LRScheduler):
        def get_lr(self):
            return (b * 0.5**self.last_epoch for b in self.base_lrs)

    p = nn.Parameter(np.zeros(2))
    opt = optim.SGD([{"params": [p]}, {"params": [nn.Parameter(np.zeros(1))], "lr": 0.3}], lr=0.1)
    tp, tq = torch.zeros(2, requires_grad=True), torch.zeros(1, requires_grad=True)
    topt = torch.optim.SGD([{"params": [tp]}, {"params": [tq], "lr": 0.3}], lr=0.1)
    sched, tsched = Halves(opt), THalves(topt)
    for _ in range(3):
        opt.step()
        topt.step()
        sched.step()
        tsched.step()
        assert [g["lr"] for g in opt.param_groups] == [g["lr"] for g in topt.param_groups]


# --- wrapper optimizers written PyTorch's way, around a built-in one ---
START = np.random.default_rng(0).normal(size=(2, 3))


def _grad(w):
    return 0.5 * w + np.sin(w)


def _run(lib_opt, make, make_sched=None, closure_style=False, steps=8):
    """Weights after ``steps`` steps of ``make`` on a smooth function, in glassnet (lib_opt is
    glassnet.optim) or torch, a schedule stepped after each step."""
    if lib_opt is optim:
        ps = [nn.Parameter(START[i].copy()) for i in (0, 1)]

        def setgrads():
            for p in ps:
                p.grad = _grad(p.data)
    else:
        ps = [torch.tensor(START[i].copy(), requires_grad=True) for i in (0, 1)]

        def setgrads():
            for p in ps:
                p.grad = torch.tensor(_grad(p.detach().numpy()))

    opt = make(ps)
    sched = make_sched(opt) if make_sched else None
    for _ in range(steps):
        if closure_style:
            opt.step(lambda: setgrads() or 0.0)
        else:
            setgrads()
            opt.step()
        if sched:
            sched.step()
    out = np.stack([np.asarray(p.data if lib_opt is optim else p.detach().numpy()) for p in ps])
    return out, opt


def _ema(Base):
    class EMA(Base):  # built on the base's groups: super().__init__(base.param_groups, ...)
        def __init__(self, base, decay=0.5):
            self.base = base
            super().__init__(base.param_groups, dict(lr=base.defaults["lr"], decay=decay))

        def step(self, closure=None):
            return self.base.step(closure)

    return EMA


@pytest.mark.parametrize("momentum", [0.0, 0.9])
def test_a_wrapper_built_on_the_base_groups_shares_them_and_its_schedule_reaches_the_base(
    momentum,
):
    def make(lib):
        return lambda ps: _ema(lib.Optimizer)(lib.SGD(ps, lr=0.1, momentum=momentum))

    mine, opt = _run(optim, make(optim), lambda o: L.StepLR(o, 1, 0.5))
    theirs, topt = _run(torch.optim, make(torch.optim), lambda o: TL.StepLR(o, 1, 0.5))
    assert opt.param_groups[0] is opt.base.param_groups[0]
    assert opt.base.param_groups[0]["lr"] == topt.base.param_groups[0]["lr"] == 0.1 * 0.5**8
    assert opt.base.param_groups[0]["decay"] == 0.5  # (the wrapper's key, kept as torch's)
    np.testing.assert_allclose(mine, theirs, rtol=0, atol=1e-15)


def _lookahead(Base):
    class Lookahead(Base):  # timm's: its settings put into the base's groups
        def __init__(self, base, alpha=0.5, k=3):
            extra = dict(lookahead_alpha=alpha, lookahead_k=k, lookahead_step=0)
            self.base, self.param_groups = base, base.param_groups
            self.defaults = {**base.defaults, **extra}
            self.state = collections.defaultdict(dict)
            for group in self.param_groups:
                for key, value in extra.items():
                    group.setdefault(key, value)

        def step(self, closure=None):
            loss = self.base.step(closure)
            for group in self.param_groups:
                group["lookahead_step"] += 1
                if group["lookahead_step"] % group["lookahead_k"]:
                    continue
                for p in group["params"]:
                    fast = p.data if isinstance(p.data, np.ndarray) else p.detach().numpy()
                    slow = self.state[p].setdefault("slow", fast.copy())
                    slow += (fast - slow) * group["lookahead_alpha"]
                    fast[...] = slow
            return loss

    return Lookahead


def test_lookahead_with_its_keys_in_the_base_groups_matches_torch():
    def make(lib):
        return lambda ps: _lookahead(lib.Optimizer)(lib.Adam(ps, lr=0.1))

    mine, opt = _run(optim, make(optim), lambda o: L.StepLR(o, 2, 0.5))
    theirs, _ = _run(torch.optim, make(torch.optim), lambda o: TL.StepLR(o, 2, 0.5))
    assert opt.base.param_groups[0]["lookahead_step"] == 8
    np.testing.assert_allclose(mine, theirs, rtol=0, atol=1e-14)


def _sam(Base, torchy):
    class SAM(Base):  # davda54's: the base optimizer built on the wrapper's groups
        def __init__(self, params, base_optimizer, rho=0.05, **kwargs):
            super().__init__(params, dict(rho=rho, **kwargs))
            self.base_optimizer = base_optimizer(self.param_groups, **kwargs)
            self.param_groups = self.base_optimizer.param_groups
            self.defaults.update(self.base_optimizer.defaults)

        def _g(self, p):
            return p.grad.numpy() if torchy else np.asarray(p.grad)

        def step(self, closure=None):
            closure()
            ps = [p for g in self.param_groups for p in g["params"]]
            norm = np.sqrt(sum((self._g(p) ** 2).sum() for p in ps))
            for group in self.param_groups:
                scale = group["rho"] / (norm + 1e-12)
                for p in group["params"]:
                    e = self._g(p) * scale
                    self.state[p]["old_p"] = (p.detach().numpy() if torchy else p.data).copy()
                    if torchy:
                        with torch.no_grad():
                            p.add_(torch.as_tensor(e))
                    else:
                        p.data += e
            self.zero_grad()
            closure()
            for p in ps:
                if torchy:
                    with torch.no_grad():
                        p.copy_(torch.as_tensor(self.state[p]["old_p"]))
                else:
                    p.data[...] = self.state[p]["old_p"]
            self.base_optimizer.step()

    return SAM


def test_sam_with_rho_in_the_groups_and_a_schedule_matches_torch():
    def make(lib):
        sam = _sam(lib.Optimizer, lib is torch.optim)
        return lambda ps: sam(ps, lib.SGD, lr=0.1, momentum=0.9)

    mine, opt = _run(optim, make(optim), lambda o: L.CosineAnnealingLR(o, 5), True)
    theirs, topt = _run(torch.optim, make(torch.optim), lambda o: TL.CosineAnnealingLR(o, 5), True)
    assert opt.base_optimizer.param_groups[0]["rho"] == 0.05
    assert opt.base_optimizer.lr == pytest.approx(topt.base_optimizer.param_groups[0]["lr"])
    np.testing.assert_allclose(mine, theirs, rtol=0, atol=1e-14)


def test_a_group_key_of_ones_own_is_kept_and_a_misspelled_setting_refused():
    p, q = nn.Parameter(np.zeros(2)), nn.Parameter(np.zeros(1))
    opt = optim.SGD([{"params": [p], "name": "head"}], lr=0.1)
    assert opt.param_groups[0]["name"] == "head"
    p.grad = np.ones(2)
    opt.step()
    np.testing.assert_array_equal(p.data, [-0.1, -0.1])
    with pytest.raises(ValueError, match=r"SGD has no settings \['momentun'\].*'momentun' looks "):
        optim.SGD([{"params": [q], "momentun": 0.9}], lr=0.1)
    opt.param_groups[0]["Nesterov"] = True
    with pytest.raises(ValueError, match="'Nesterov' looks like 'nesterov'"):
        opt.step()
