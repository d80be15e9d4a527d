"""A model saved with gn.save and loaded with gn.load keeps its dropout random stream: an
int seed given as rng= is saved; a Generator or None draws from the default generator."""

import json

import numpy as np

import glassnet as gn
from glassnet import nn

X = np.random.default_rng(1).normal(size=(24, 4))
Y = (X[:, 0] > 0).astype(float).reshape(-1, 1)


def _tuned(model, seed=None):
    if seed is not None:
        gn.manual_seed(seed)
    gn.fit(model, X, Y, lr=0.1, batch_size=8, epochs=1, seed=0, verbose=0)
    return [p.data.copy() for p in model.parameters()]


def _same(a, b):
    return all(np.array_equal(u, v) for u, v in zip(a, b, strict=True))


def _masks(model, n=3):
    model.train()
    return [model(gn.Tensor(np.ones((5, 4)))).data.copy() for _ in range(n)]


def _seq(rng):
    return nn.Sequential(
        nn.Linear(4, 8, rng=0), nn.ReLU(), nn.Dropout(0.5, rng=rng), nn.Linear(8, 1, rng=1)
    )


def test_loaded_twice_fit_same_weights(tmp_path):
    for i, model in enumerate([_seq(7), nn.MLP([4, 8, 1], dropout=0.5, rng=7)]):
        gn.save(model, path := tmp_path / f"m{i}.glassnet")
        assert _same(_tuned(gn.load(path)), _tuned(gn.load(path)))


def test_int_seed_saved_loaded_equals_fresh(tmp_path):
    gn.save(_seq(7), tmp_path / "s.glassnet")
    assert nn.Dropout(0.5, rng=7).config() == {"type": "Dropout", "p": 0.5, "seed": 7}
    assert _same(_masks(gn.load(tmp_path / "s.glassnet")), _masks(_seq(7)))
    a, b = nn.MLP([4, 8, 1], dropout=0.5, rng=5), nn.MLP([4, 8, 1], dropout=0.5, rng=7)
    b.load_state_dict(a.state_dict())
    gn.save(a, tmp_path / "a.glassnet")
    gn.save(b, tmp_path / "b.glassnet")
    fresh7 = nn.MLP([4, 8, 1], dropout=0.5, rng=7)
    fresh7.load_state_dict(a.state_dict())
    assert _same(_masks(gn.load(tmp_path / "b.glassnet")), _masks(fresh7))
    assert not _same(
        _tuned(gn.load(tmp_path / "a.glassnet")), _tuned(gn.load(tmp_path / "b.glassnet"))
    )
    assert _same(_tuned(gn.load(tmp_path / "b.glassnet")), _tuned(b))


def test_unseeded_follows_manual_seed(tmp_path):
    for i, model in enumerate(
        [_seq(None), nn.MLP([4, 8, 1], dropout=0.5), _seq(np.random.default_rng(3))]
    ):
        gn.save(model, path := tmp_path / f"n{i}.glassnet")
        assert gn.load(path).config() == model.config()
        one, two = _tuned(gn.load(path), 1), _tuned(gn.load(path), 2)
        assert not _same(one, two)
        assert _same(one, _tuned(gn.load(path), 1))


def test_config_without_seed_loads():
    cfg = nn.MLP([4, 8, 1], dropout=0.5, rng=3).config()
    cfg.pop("seed", None)
    cfg = json.loads(json.dumps(cfg))
    gn.manual_seed(1)
    one = _masks(nn.from_config(cfg))
    gn.manual_seed(2)
    assert not _same(one, _masks(nn.from_config(cfg)))
    assert nn.MLP([4, 8, 1], rng=3).config() == {**cfg, "dropout": 0.0}  # (no seed: no dropout)
