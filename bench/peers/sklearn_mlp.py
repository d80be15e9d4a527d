"""scikit-learn's ``MLPClassifier`` / ``MLPRegressor``, started from the shared weights.

Settings: ``solver="sgd"`` with ``momentum=0``, ``nesterovs_momentum=False``,
``learning_rate="constant"`` (``solver="adam"``, betas 0.9/0.999, eps 1e-8 for W4),
``learning_rate_init=lr``, ``alpha=0`` (no L2), ``batch_size``, ``max_iter=epochs``,
``shuffle=True``, ``tol=0`` and ``n_iter_no_change=epochs+1`` so every epoch runs.

Loading the initial weights (scikit-learn has no ``coefs_init`` argument): with
``warm_start=True`` a ``fit`` starts from the current ``coefs_``/``intercepts_`` and skips
its own initialisation, so the runner (1) primes the estimator by a one-epoch ``fit`` on a
few rows that hold every class (this sets ``classes_``, ``out_activation_``,
``n_layers_`` ...), then (2) overwrites the public ``coefs_`` and ``intercepts_`` with
copies of the shared weights and resets ``loss_curve_``, ``best_loss_`` and ``t_``. The
timed ``fit`` then starts from exactly the shared weights with a fresh optimizer
(scikit-learn builds a new one on every non-incremental ``fit``). The loss check after the
run confirms it trained the same problem.

Loss conventions: ``log_loss`` is the mean cross-entropy (softmax, multi-class) or the mean
binary cross-entropy (logistic output, one column), as glassnet's. ``squared_error`` is
reported as half the mean over all elements, and its gradient is that of
``sum over outputs / (2 N)``: for W4's 3 outputs 1.5 times the gradient of glassnet's
``mse``. Adam is invariant to that scale (up to ``eps``), so W4 is the same run.
scikit-learn has no sigmoid output with squared error (``MLPRegressor``'s output is the
identity), so W3 is not run. scikit-learn shuffles with its own generator
(``random_state=0``); it also computes the batch loss and the (zero) L2 term every step.
"""

from __future__ import annotations

import warnings

import numpy as np
from workloads import Data, Weights, Workload

ACT = {"relu": "relu", "tanh": "tanh", "sigmoid": "logistic"}


def probe() -> dict:
    import sklearn

    return {"version": sklearn.__version__}


def unsupported(w: Workload) -> str | None:
    if w.loss == "mse" and w.output != "identity":
        return "no sigmoid output with squared error in scikit-learn (MLPRegressor is identity)"
    return None


class Runner:
    def __init__(self, w: Workload, data: Data, init: Weights) -> None:
        from sklearn.neural_network import MLPClassifier, MLPRegressor

        self.w, self.init = w, init
        self.X = data.X
        classify = w.loss in ("cross_entropy", "binary_cross_entropy")
        self.y = data.y.ravel() if classify else data.y
        kw: dict = dict(
            hidden_layer_sizes=tuple(w.sizes[1:-1]),
            activation=ACT[w.activation],
            alpha=0.0,
            batch_size=w.batch,
            learning_rate_init=w.lr,
            max_iter=w.epochs,
            shuffle=w.shuffle,
            random_state=0,
            tol=0.0,
            n_iter_no_change=w.epochs + 1,
            early_stopping=False,
            warm_start=True,
        )
        if w.optimizer == "adam":
            kw.update(solver="adam", beta_1=0.9, beta_2=0.999, epsilon=1e-8)
        else:
            kw.update(
                solver="sgd", momentum=0.0, nesterovs_momentum=False, learning_rate="constant"
            )
        self.est = (MLPClassifier if classify else MLPRegressor)(**kw)
        # rows for the priming fit: the first row of every class (or the first 8 rows)
        if classify:
            rows = np.unique(self.y, return_index=True)[1]
        else:
            rows = np.arange(min(8, len(self.y)))
        self.prime_rows = np.sort(rows)
        self.reset()

    def reset(self) -> None:
        est = self.est
        est.set_params(max_iter=1)
        with warnings.catch_warnings():
            # a one-epoch fit on a few rows: non-convergence and batch clipping are expected
            warnings.simplefilter("ignore")
            est.fit(self.X[self.prime_rows], self.y[self.prime_rows])
        est.set_params(max_iter=self.w.epochs)
        for k, (W, _) in enumerate(self.init):
            if est.coefs_[k].shape != W.shape:
                raise RuntimeError(f"layer {k}: coefs_ {est.coefs_[k].shape} vs init {W.shape}")
        est.coefs_ = [W.copy() for W, _ in self.init]
        est.intercepts_ = [b.copy() for _, b in self.init]
        est.loss_curve_ = []
        est.best_loss_ = np.inf
        est.t_ = 0

    def warmup(self) -> None:
        pass  # nothing compiles; the priming fit in reset() already ran every code path

    def train(self) -> None:
        from sklearn.exceptions import ConvergenceWarning

        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            self.est.fit(self.X, self.y)
        if self.est.n_iter_ != self.w.epochs:
            raise RuntimeError(f"scikit-learn ran {self.est.n_iter_} of {self.w.epochs} epochs")

    def weights(self) -> Weights:
        return [(W.copy(), b.copy()) for W, b in zip(self.est.coefs_, self.est.intercepts_)]
