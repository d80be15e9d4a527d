"""A param group's own keys (not settings) survive a state dict round trip, as PyTorch's."""

import numpy as np
import pytest

import glassnet as gn

OPTIMIZERS = [
    lambda g: gn.optim.SGD(g, lr=0.1, momentum=0.9),
    lambda g: gn.optim.Adam(g, lr=0.01),
    lambda g: gn.optim.AdamW(g, lr=0.01),
    lambda g: gn.optim.RMSprop(g, lr=0.01),
]


def _trained(make):
    gn.manual_seed(0)
    model = gn.nn.Linear(3, 2)
    opt = make([{"params": model.parameters(), "name": "body", "tags": ["a", "b"]}])
    x = gn.tensor(np.linspace(-1, 1, 12).reshape(4, 3))
    for _ in range(3):
        opt.zero_grad()
        (model(x) ** 2).mean().backward()
        opt.step()
    return model, opt


@pytest.mark.parametrize("make", OPTIMIZERS)
def test_group_keys_saved_and_restored(make):
    _, opt = _trained(make)
    state = opt.state_dict()
    assert state["param_groups"][0]["extra"] == {"name": "body", "tags": ["a", "b"]}
    tags = opt.param_groups[0]["tags"]
    assert state["param_groups"][0]["extra"]["tags"] is tags  # (the object, as PyTorch's)
    opt.param_groups[0]["name"] = "renamed"
    opt.param_groups[0]["added"] = 1
    opt.load_state_dict(state)
    group = opt.param_groups[0]
    assert group["name"] == "body" and group["tags"] == ["a", "b"]
    assert "added" not in group  # (PyTorch's load makes the group the saved one)
    assert group["lr"] == opt.defaults["lr"]


def test_group_keys_in_a_checkpoint_file(tmp_path):
    model, opt = _trained(OPTIMIZERS[1])
    path = tmp_path / "run.ckpt"
    gn.io.save_checkpoint(path, model.state_dict(), opt.state_dict())
    _, saved, _ = gn.io.load_checkpoint(path)
    fresh = gn.optim.Adam([{"params": model.parameters(), "name": "other"}], lr=0.01)
    fresh.load_state_dict(saved)
    assert fresh.param_groups[0]["name"] == "body"


def test_no_extra_entry_without_own_keys():
    opt = gn.optim.Adam(gn.nn.Linear(2, 1).parameters(), lr=0.1)
    assert "extra" not in opt.state_dict()["param_groups"][0]


def test_matches_torch_group_keys():
    torch = pytest.importorskip("torch")
    w = torch.nn.Parameter(torch.zeros(2))
    topt = torch.optim.Adam([{"params": [w], "name": "body"}], lr=0.1)
    theirs = {k for k in topt.state_dict()["param_groups"][0] if k not in topt.defaults}
    opt = gn.optim.Adam([{"params": gn.nn.Linear(2, 1).parameters(), "name": "body"}], lr=0.1)
    assert set(opt.state_dict()["param_groups"][0]["extra"]) == theirs - {"params"}


def test_bad_extra_refused_before_anything_changes():
    _, opt = _trained(OPTIMIZERS[1])
    state = opt.state_dict()
    before = opt.state_dict()
    for bad in ([1, 2], {"lr": 0.5}, {"params": []}):
        state["param_groups"][0]["extra"] = bad
        with pytest.raises(ValueError, match="'extra'"):
            opt.load_state_dict(state)
    after = opt.state_dict()
    assert after["t"] == before["t"] and after["param_groups"][0]["extra"]["name"] == "body"


def test_lbfgs_keeps_own_keys_and_refuses_a_misspelling():
    model = gn.nn.Linear(2, 1)
    opt = gn.optim.LBFGS([{"params": model.parameters(), "name": "all"}])
    assert opt.param_groups[0]["name"] == "all"
    state = opt.state_dict()
    assert state["param_groups"][0]["extra"] == {"name": "all"}
    opt.param_groups[0]["name"] = "x"
    opt.load_state_dict(state)
    assert opt.param_groups[0]["name"] == "all"
    with pytest.raises(ValueError, match="'max_iterr' looks like 'max_iter'"):
        gn.optim.LBFGS([{"params": model.parameters(), "max_iterr": 3}])


def test_fit_takes_groups_holding_objects_a_copy_cannot_take():
    """fit takes a state dict of its optimizer at every run: a group's own key holding a lock
    (or a large array) is carried as the object, never copied (a deep copy raised, and a
    compiled run gave the group copies of its objects)."""
    import threading

    lock, slow = threading.Lock(), [np.zeros(3)]
    X = np.linspace(-1, 1, 16).reshape(8, 2)
    y = X.sum(1, keepdims=True)
    import importlib.util

    jit = ("jit",) if importlib.util.find_spec("numba") else ()  # (glassnet[jit] installed)
    for engine in ("auto", "fused", "graph", *jit):
        model = gn.nn.Sequential(gn.nn.Linear(2, 1))
        opt = gn.optim.SGD([{"params": model.parameters(), "lock": lock, "slow": slow}], lr=0.1)
        gn.fit(model, X, y, optimizer=opt, epochs=3, verbose=0, engine=engine)
        assert opt.param_groups[0]["lock"] is lock and opt.param_groups[0]["slow"] is slow


def test_a_state_dict_without_extra_leaves_the_groups_own_keys():
    """A state dict saved with no keys of the group's own (or before glassnet saved them)
    leaves the group's own keys as they are, where they were deleted."""
    _, opt = _trained(OPTIMIZERS[1])
    state = opt.state_dict()
    del state["param_groups"][0]["extra"]
    opt.load_state_dict(state)
    assert opt.param_groups[0]["name"] == "body"
