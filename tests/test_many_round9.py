"""fit_many and search, round 9: what a practitioner's settings and typos get back."""

from __future__ import annotations

import functools

import numpy as np
import pytest
from memory_helpers import traced

import glassnet as gn
from glassnet import nn, train
from glassnet.many import fit_many, search


@pytest.fixture(autouse=True)
def _numpy_reference_fits(monkeypatch):
    """The separate fits are the NumPy fast path, what fit_many stacks (engine="auto" may
    hand a long run of a small network to glassnet.jit, equal only to rounding)."""
    monkeypatch.setattr(gn, "fit", functools.partial(train.fit, engine="fused"))


def data(n=60, d=5, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, d))
    return X, (X[:, 0] + X[:, 1] > 0).astype(float)


def nets(k, sizes=(5, 4, 1), dtype=np.float64):
    return [
        nn.MLP(list(sizes), activation="tanh", output_activation="sigmoid", rng=s, dtype=dtype)
        for s in range(k)
    ]


def test_a_seed_list_with_none_twice_is_refused_as_one_stream_shared():
    """seed=[None, None]: both models drew from glassnet's default generator in turns
    (each epoch one permutation for model 0, then one for model 1), so neither got the
    batches its own fit draws after gn.manual_seed; refused, as one Generator given twice."""
    X, y = data()
    with pytest.raises(ValueError, match=r"seed 2 is seed 0 \(both None: glassnet's default"):
        fit_many(nets(3), X, y, loss="bce", epochs=2, batch_size=10, seed=[None, 1, None])
    # one None among seeds of their own draws what its fit draws after manual_seed
    gn.manual_seed(0)
    many = nets(2)
    fit_many(many, X, y, loss="bce", lr=0.5, epochs=3, batch_size=10, seed=[None, 1])
    gn.manual_seed(0)
    for k, (alone, s) in enumerate(zip(nets(2), [None, 1])):
        gn.fit(alone, X, y, loss="bce", lr=0.5, epochs=3, batch_size=10, seed=s, verbose=0)
        for p, q in zip(many[k].parameters(), alone.parameters()):
            np.testing.assert_array_equal(p.data, q.data)


@pytest.mark.parametrize(
    "typo, meant",
    [("epoch", "epochs"), ("batchsize", "batch_size"), ("momentun", "momentum")],
)
def test_a_misspelt_option_is_named_with_the_option_it_may_have_meant(typo, meant):
    """fit_many(epoch=3) was told 'SGD got unexpected keyword arguments ['epoch']; its
    settings are [...]', as if it were the optimizer's: it names fit_many's own options now
    and the one it was probably meant as."""
    X, y = data()
    with pytest.raises(TypeError, match=r"SGD got unexpected keyword arguments") as e:
        fit_many(nets(2), X, y, epochs=1, **{typo: 3})
    assert "batch_size, early_stopping, epochs" in str(e.value)
    assert f"{typo!r}: did you mean {meant!r}?" in str(e.value)


def test_search_names_the_grid_key_that_changes_the_models_layers():
    """A grid key read by build for the hidden width made models of two shapes, and search
    said fit_many's 'model 1 has layers ...; call fit_many once per shape', which names
    neither the key nor the grid points."""
    X, y = data(n=80)

    def build(p):
        return nn.MLP([5, p["hidden"], 1], activation="tanh", output_activation="sigmoid",
                      rng=p["seed"])  # fmt: skip

    grid = {"lr": [0.1, 0.5], "hidden": [4, 8], "seed": [0, 1]}
    with pytest.raises(ValueError, match=r"search: the grid's 'hidden' changes the models' ") as e:
        search(build, X, y, grid, loss="bce", epochs=2)
    assert "5->4 tanh, 4->1 sigmoid float32" in str(e.value)
    assert "5->8 tanh, 8->1 sigmoid float32" in str(e.value)
    assert "call search once per value of 'hidden'" in str(e.value)
    # one search per width trains (what the message asks for)
    for hidden in (4, 8):
        result = search(build, X, y, {**grid, "hidden": [hidden]}, loss="bce", epochs=2)
        assert len(result.models) == 4


@pytest.mark.parametrize(
    "key, meant",
    [("learning_rate", "lr"), ("learning_rate_init", "lr"), ("l2_reg", "l2"), ("seeds", "seed")],
)
def test_search_refuses_a_grid_key_that_changes_nothing(key, meant):
    """{'learning_rate': [0.01, 0.1]} (sklearn's name, or a typo) went to build only, which
    ignored it: every grid point trained the same network and the table ranked them as if
    a sweep had been run."""
    X, y = data(n=80)

    def build(p):
        return nn.MLP([5, 4, 1], activation="tanh", output_activation="sigmoid", rng=0)

    with pytest.raises(ValueError, match=rf"grid\['{key}'\] changes nothing") as e:
        search(build, X, y, {key: [1, 2]}, loss="bce", epochs=2)
    assert f"Did you mean {meant!r}?" in str(e.value)


def test_search_takes_a_grid_key_that_build_reads():
    """A key build reads (an initial scale, a seed of its own) changes the models: trained."""
    X, y = data(n=80)

    def build(p):
        model = nn.MLP([5, 4, 1], activation="tanh", output_activation="sigmoid", rng=p["init"])
        for q in model.parameters():
            q.data *= p["scale"]
        return model

    result = search(build, X, y, {"init": [0, 1], "scale": [0.5, 1.0]}, loss="bce", epochs=2)
    assert len(result.models) == 4
    # a key whose values do not change the model when another one does: still refused
    with pytest.raises(ValueError, match=r"grid\['tag'\] changes nothing"):
        search(lambda p: build({**p, "scale": 1.0}), X, y, {"init": [0, 1], "tag": ["a", "b"]},
               loss="bce", epochs=2)  # fmt: skip


def test_a_search_whose_every_model_diverged_has_no_best_model():
    """Every model diverged: best_params and best_model still named the first of them, with
    weights from before its overflow, as though it had won; ranked last is not best."""
    X, _ = data(n=80)
    y = X @ np.arange(1.0, 6.0) * 1e3

    def build(p):
        return nn.MLP([5, 8, 1], activation="relu", output_activation="identity", rng=0)

    result = search(build, X, y, {"lr": [10.0, 100.0]}, epochs=5, batch_size=16)
    assert [h.stop_reason for h in result.histories] == ["diverged", "diverged"]
    for attr in ("best_index", "best_params", "best_model"):
        with pytest.raises(ValueError, match=r"none of the 2 models is best: every one diverged"):
            getattr(result, attr)
    assert "diverged" in result.table()  # (the table still shows each one)
    # one model trained beside a diverged one: it is best, the diverged one ranked last
    result = search(build, X / 1e3, y / 1e3, {"lr": [1e-3, 100.0]}, epochs=5, batch_size=16)
    assert result.best_params == {"lr": 1e-3} and result.ranking.tolist() == [0, 1]


def test_a_grid_split_over_dask_workers_scores_as_one_search():
    """search on a Dask cluster (docs/scaling.md): the grid cut into one search per worker
    (here one per hidden width, which one stacked run cannot vary, and one per lr) gives each
    grid point the scores of the search that trains it alone, and the trained models come
    back with the result (fit_many trains the models in place: on a worker, those are
    copies)."""
    pytest.importorskip("dask.distributed")
    from dask.distributed import Client, LocalCluster

    X, y = data(n=80)

    def build(p):
        return nn.MLP([5, p["hidden"], 1], activation="tanh", output_activation="sigmoid",
                      rng=p["seed"])  # fmt: skip

    options = {"loss": "bce", "epochs": 5, "batch_size": 16}
    whole = search(build, X, y, {"hidden": [4], "lr": [0.1, 0.5], "seed": [0, 1]}, **options)
    with (
        LocalCluster(n_workers=2, threads_per_worker=1, processes=False, dashboard_address=None)
        as cluster,
        Client(cluster) as client,
    ):  # fmt: skip
        futures = [
            client.submit(search, build, X, y, {"hidden": [h], "lr": [lr], "seed": [0, 1]},
                          **options, pure=False)
            for h in (4, 8) for lr in (0.1, 0.5)
        ]  # fmt: skip
        parts = client.gather(futures)
    np.testing.assert_array_equal(np.concatenate([p.val_loss for p in parts[:2]]), whole.val_loss)
    for part, mine in zip(parts[:2], (whole.models[:2], whole.models[2:])):
        for got, want in zip(part.models, mine):
            for p, q in zip(got.parameters(), want.parameters()):
                np.testing.assert_array_equal(p.data, q.data)
    assert [len(p.params) for p in parts] == [2, 2, 2, 2]
    assert parts[3].models[0].parameters()[0].data.shape == (5, 8)


@pytest.mark.parametrize("optimizer", ["adam", "RMSprop", gn.optim.Adam])
def test_search_over_lr_with_adam_trains_each_rate(optimizer):
    """search's grid['lr'] beside optimizer='adam' was refused (per-model rates were SGD's
    only); each rate trains its own model now (tests/test_many_round17.py checks them
    against separate fits), and the grid's learning rates with SGD still train."""
    X, y = data(n=80)

    def build(p):
        return nets(1)[0]

    result = search(build, X, y, {"lr": [0.01, 0.1]}, optimizer=optimizer, loss="bce", epochs=1)
    assert [p["lr"] for p in result.params] == [0.01, 0.1]
    assert len(result.models) == 2
    assert len(search(build, X, y, {"lr": [0.01, 0.1]}, loss="bce", epochs=1).models) == 2


def test_validation_of_many_models_costs_about_a_training_step_s_memory():
    """Validation ran all K networks over every held-out row at once, its buffers kept for
    the run: 40 networks of 20-64-64-1 scored on 2,000 rows peaked at 260 MB (200 on
    4,000 rows, 2.5 GB), where training takes a few MB; and fit_many's memory check did not
    count it. It runs over groups of networks now (64 MiB of rows at a time)."""

    rng = np.random.default_rng(0)
    X = rng.standard_normal((10_000, 20))
    y = (X[:, 0] > 0).astype(float)
    models = [
        nn.MLP([20, 64, 64, 1], activation="tanh", output_activation="sigmoid", rng=s,
               dtype=np.float64)
        for s in range(40)
    ]  # fmt: skip
    hs, peak = traced(fit_many, models, X, y, loss="bce", lr=0.1, epochs=1, batch_size=100,
                      validation_split=0.2, seed=1, threads=1)  # fmt: skip
    assert peak < 128 << 20, f"peak {peak / 2**20:.0f} MiB"
    assert all(len(h.val_loss) == 1 and np.isfinite(h.val_loss[0]) for h in hs)


@pytest.mark.parametrize("seed", [1, [1, 2, 3]])
def test_validation_in_groups_of_networks_scores_each_as_its_own_fit(monkeypatch, seed):
    """One network per validation group: every History and weight is its fit's, bit for bit
    (a seed per model: each its own held-out rows, weighted; one seed: rows shared)."""
    import glassnet.tasks

    monkeypatch.setattr(glassnet.tasks, "FORWARD_BYTES", 1)
    X, y = data(n=103)
    w = np.random.default_rng(1).uniform(0.1, 2.0, 103)
    options = {"loss": "bce", "lr": 0.3, "epochs": 12, "batch_size": 16,
               "validation_split": 0.2, "early_stopping": True, "n_iter_no_change": 2}  # fmt: skip
    many = nets(3, sizes=(5, 8, 1))
    hs = fit_many(many, X, y, seed=seed, sample_weight=w, **options)
    for k, alone in enumerate(nets(3, sizes=(5, 8, 1))):
        own = seed[k] if isinstance(seed, list) else seed
        h = gn.fit(alone, X, y, seed=own, sample_weight=w, verbose=0, **options)
        assert (hs[k].val_loss, hs[k].val_metric, hs[k].loss) == (h.val_loss, h.val_metric, h.loss)
        for p, q in zip(many[k].parameters(), alone.parameters()):
            np.testing.assert_array_equal(p.data, q.data)


def test_a_build_that_reads_a_setting_the_grid_lacks_is_told_which():
    """build = lambda p: MLP(..., rng=p["seed"]) (the README's) with a grid without "seed"
    raised a bare KeyError: 'seed' from inside the user's lambda."""
    X, y = data(n=40)

    def build(p):
        return nn.MLP([5, 4, 1], activation="tanh", output_activation="sigmoid", rng=p["seed"])

    with pytest.raises(KeyError, match=r"read params\['seed'\], and the grid has no 'seed'"):
        search(build, X, y, {"lr": [0.1, 0.2]}, loss="bce", epochs=1)

    def broken(p):  # a KeyError of the user's own, for a key the grid has: as it was
        return {}[p["lr"]]

    with pytest.raises(KeyError, match=r"^0\.1$"):
        search(broken, X, y, {"lr": [0.1, 0.2]}, loss="bce", epochs=1)

    acts = {"relu": "relu", "tanh": "tanh"}

    def lookup(p):  # a grid value missing from build's own table: its KeyError, as it was
        act = acts[p["act"]]
        return nn.MLP([5, 4, 1], activation=act, output_activation="sigmoid", rng=0)

    with pytest.raises(KeyError, match=r"^'Tanh'$"):
        search(lookup, X, y, {"act": ["relu", "Tanh"]}, loss="bce", epochs=1)


def test_search_refuses_a_validation_split_beside_validation_data():
    """search(validation_data=..., validation_split=0.5) scored every model on
    validation_data and ignored the split in silence; fit and fit_many refuse the two."""
    X, y = data(n=60)

    def build(p):
        return nets(1)[0]

    with pytest.raises(ValueError, match=r"validation_data and validation_split=0.5 were both"):
        search(build, X, y, {"lr": [0.1]}, validation_data=(X[:10], y[:10]),
               validation_split=0.5, loss="bce", epochs=1)  # fmt: skip
    # either one alone, and the default split (0.2 of the rows: 48 trained on)
    search(build, X, y, {"lr": [0.1]}, validation_data=(X[:10], y[:10]), loss="bce", epochs=1)
    result = search(build, X, y, {"lr": [0.1]}, loss="bce", epochs=1)
    assert result.histories[0].samples_seen == 48
    result = search(build, X, y, {"lr": [0.1]}, validation_split=0.5, loss="bce", epochs=1)
    assert result.histories[0].samples_seen == 30
    with pytest.raises(ValueError, match=r"'validation_split' parameter of search"):
        search(build, X, y, {"lr": [0.1]}, validation_split=0, loss="bce", epochs=1)


def test_l2_given_as_none_turns_the_penalty_off_as_in_fit():
    """fit(l2=None) trains without a penalty (None turns it off); fit_many refused it
    ('must be a float >= 0. Got None'), so a configuration that fit takes failed there."""
    X, y = data()
    many = nets(2)
    fit_many(many, X, y, loss="bce", lr=0.1, l2=None, epochs=3, batch_size=10, seed=[1, 2])
    for k, alone in enumerate(nets(2)):
        gn.fit(alone, X, y, loss="bce", lr=0.1, l2=None, epochs=3, batch_size=10, seed=k + 1,
               verbose=0)  # fmt: skip
        for p, q in zip(many[k].parameters(), alone.parameters()):
            np.testing.assert_array_equal(p.data, q.data)
    with pytest.raises(ValueError, match=r"'l2' parameter of fit_many must be a float >= 0"):
        fit_many(nets(2), X, y, l2=[0.1, None], epochs=1)  # (one per model: each a number)
