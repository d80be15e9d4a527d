"""Hyperparameter sweeps on a cluster: glassnet's MLPClassifier and MLPRegressor inside
GridSearchCV / RandomizedSearchCV run through joblib on a Dask cluster and on Ray (local
clusters of 2 workers, in their own processes) and find the same best parameters and the
same scores as the serial run."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

pytest.importorskip("sklearn")
joblib = pytest.importorskip("joblib")

from sklearn.datasets import make_classification, make_regression  # noqa: E402
from sklearn.exceptions import ConvergenceWarning  # noqa: E402
from sklearn.model_selection import GridSearchCV, RandomizedSearchCV  # noqa: E402

from glassnet.sklearn import MLPClassifier, MLPRegressor  # noqa: E402


def searches():
    """Two small searches: a grid over a classifier, random draws over a regressor."""
    Xc, yc = make_classification(120, 6, random_state=0)
    Xr, yr = make_regression(120, 5, noise=5.0, random_state=0)
    grid = GridSearchCV(
        MLPClassifier(max_iter=15, random_state=0),
        {"hidden_layer_sizes": [(4,), (16,)], "alpha": [1e-4, 1.0]},
        cv=3,
    )
    rand = RandomizedSearchCV(
        MLPRegressor(max_iter=15, random_state=0, learning_rate_init=0.01),
        {"hidden_layer_sizes": [(8,), (16,), (8, 8)], "alpha": [1e-4, 1e-2, 1.0]},
        n_iter=4,
        cv=3,
        random_state=0,
    )
    return [(grid, Xc, yc), (rand, Xr, yr)]


def run(backend=None):
    out = []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)  # 15 epochs: short on purpose
        for search, X, y in searches():
            if backend is None:
                search.fit(X, y)
            else:
                with joblib.parallel_backend(backend):
                    search.fit(X, y)
            out.append(search)
    return out


@pytest.fixture(scope="module")
def serial():
    return run()


def same_as_serial(got, serial):
    for g, s in zip(got, serial):
        assert g.best_params_ == s.best_params_
        # the same fits on the same folds in other processes: the same numbers (a different
        # BLAS thread count could change the last bits, hence the tolerance and not ==)
        np.testing.assert_allclose(g.best_score_, s.best_score_, rtol=1e-9)
        for key in ("mean_test_score", "std_test_score"):
            np.testing.assert_allclose(g.cv_results_[key], s.cv_results_[key], rtol=1e-9)
        assert g.cv_results_["params"] == s.cv_results_["params"]


def test_dask_cluster_of_two_workers(serial):
    pytest.importorskip("dask.distributed")
    from dask.distributed import Client, LocalCluster

    with (
        LocalCluster(
            n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None
        ) as cluster,
        Client(cluster) as client,
    ):
        got = run("dask")
        assert len(client.scheduler_info()["workers"]) == 2
        # the fits ran on the workers: each worker process holds glassnet
        assert all(client.run(lambda: "glassnet.sklearn" in __import__("sys").modules).values())
    same_as_serial(got, serial)


def test_ray_cluster_of_two_workers(serial):
    ray = pytest.importorskip("ray")
    from ray.util.joblib import register_ray

    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False, configure_logging=False)
    try:
        register_ray()
        got = run("ray")
        assert ray.cluster_resources().get("CPU") == 2
    finally:
        ray.shutdown()
    same_as_serial(got, serial)
