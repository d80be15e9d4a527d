"""A practitioner's second review of the modules past one machine (fit_many, search, MPI,
datasets): each test is a case where they did otherwise than glassnet.fit or their
documents say."""

from __future__ import annotations

import mpi_helpers
import numpy as np
import pytest

from glassnet import nn
from glassnet.many import fit_many
from glassnet.train import fit


def _bce_data(n=40, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, 3))
    return X, (X[:, 0] * X[:, 1] > 0).astype(float)


def _net(seed):
    return nn.MLP(
        [3, 5, 1], activation="tanh", output_activation="sigmoid", rng=seed, dtype=np.float64
    )


def _flat(m):
    return np.concatenate([p.data.ravel() for p in m.parameters()])


def test_fit_many_takes_a_range_of_seeds_one_per_model():
    # "seed takes one value for all models or a sequence of one per model": range(K), the
    # seed study's own spelling (search's grid takes it), was refused as no seed at all
    X, y = _bce_data()
    kw = dict(loss="binary_cross_entropy", lr=0.5, epochs=4, batch_size=8)
    models = [_net(k) for k in range(3)]
    hs = fit_many(models, X, y, seed=range(3), **kw)
    for k, (m, h) in enumerate(zip(models, hs)):
        alone = _net(k)
        ha = fit(alone, X, y, seed=k, verbose=0, engine="fused", **kw)
        np.testing.assert_array_equal(_flat(m), _flat(alone))
        assert h.loss == ha.loss
    with pytest.raises(ValueError, match=r"seed must be one value or one per model \(3\)"):
        fit_many([_net(k) for k in range(3)], X, y, seed=range(2), **kw)


# A script under mpiexec whose rank 1 fails after a distributed fit (writing its own report)
# while rank 0 trains on: rank 0 waited for rank 1 in its next Allreduce, and rank 1 in
# MPI_Finalize, until the job was killed from outside.
_FAILS_BETWEEN_FITS = """
import numpy as np
from glassnet import nn
from glassnet.distributed import launched
from glassnet.train import fit

X = np.random.default_rng(0).normal(size=(20, 3))
y = (X[:, 0] > 0).astype(float)
kw = dict(loss="binary_cross_entropy", epochs=2, batch_size=5, seed=0, verbose=0,
          distributed="mpi")
net = nn.MLP([3, 4, 1], output_activation="sigmoid", rng=0)
fit(net, X, y, **kw)
if launched()[0] == 1:
    raise OSError("cannot write the report of rank 1")
fit(net, X, y, **kw)
"""


def _mpiexec(n, script, timeout=60):
    """``mpiexec -n n python script`` in a session of its own, killed whole on a timeout
    (None then): a hung job's ranks must not outlive the test."""
    import sys

    return mpi_helpers.launch(["-n", n, sys.executable, script], timeout=timeout)


def test_a_rank_failing_after_a_distributed_fit_ends_the_job_not_a_hang(tmp_path):
    script = tmp_path / "job.py"
    script.write_text(_FAILS_BETWEEN_FITS)
    got = _mpiexec(2, script)
    assert got is not None, "rank 1's error left rank 0 waiting in its next fit: the job hung"
    rc, out, err = got
    assert rc != 0
    assert "OSError: cannot write the report of rank 1" in err


def test_table_to_array_reads_a_str_as_one_column_s_name(tmp_path):
    # as read_csv's categorical= and drop= read it: to_array("ab") gave the columns 'a'
    # and 'b' (a str's letters), the wrong numbers in silence, beside a column named 'ab'
    from glassnet.datasets import read_csv

    path = tmp_path / "t.csv"
    path.write_text("ab,a,b,y\n1,2,3,x\n4,5,6,y\n")
    table = read_csv(path, "y")
    np.testing.assert_array_equal(table.to_array("ab"), [[1.0], [4.0]])
    np.testing.assert_array_equal(table.to_array(["a", "b"]), [[2.0, 3.0], [5.0, 6.0]])
    with pytest.raises(ValueError, match="Column 'ba' is not in"):
        table.to_array("ba")


def test_read_csv_names_an_empty_path_not_the_directory_dot():
    # Path("") is ".": read_csv("") said "'.' is a directory, not a CSV file"
    from glassnet.datasets import read_csv

    with pytest.raises(ValueError, match="The 'path' parameter of read_csv is empty"):
        read_csv("", "y")


def test_fit_many_refuses_a_model_with_every_parameter_frozen_as_fit_does():
    # fit refuses it ("no parameter to train"); fit_many trained it: max_epochs, 3 steps
    # counted, weights unchanged
    X, y = _bce_data()
    models = [_net(0), _net(1)]
    for p in models[1].parameters():
        p.requires_grad_(False)
    with pytest.raises(ValueError, match="the model has no parameter to train"):
        fit(models[1], X, y, loss="binary_cross_entropy", epochs=3, verbose=0)
    with pytest.raises(ValueError, match=r"fit_many: model 1 has no parameter to train"):
        fit_many(models, X, y, loss="binary_cross_entropy", epochs=3)
    models[1].parameters()[0].requires_grad_(True)  # one left to train: trained
    before = _flat(models[1])
    hs = fit_many(models, X, y, loss="binary_cross_entropy", epochs=3)
    assert hs[1].steps == 3 and not np.array_equal(_flat(models[1]), before)
