"""glassnet.sklearn's partial_fit checks its input once: the same weights, the same errors,
and a count of the validation calls per call, so the saving cannot silently come back.

The timing against scikit-learn's own partial_fit is ``bench/sklearn_fit.py --partial-fit``
(tests never assert a time).
"""

from __future__ import annotations

import contextlib
import functools
import sys
from collections import Counter
from unittest import mock

import numpy as np
import pytest

pytest.importorskip("sklearn")
pytest.importorskip("scipy")

import sklearn.neural_network as skmlp  # noqa: E402
import sklearn.utils.multiclass as sk_multiclass  # noqa: E402
import sklearn.utils.validation as sk_validation  # noqa: E402
from sklearn.preprocessing import LabelBinarizer  # noqa: E402

from glassnet.sklearn import MLPClassifier, MLPRegressor  # noqa: E402

no_convergence_warning = pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")


def _data(n=60, features=20, classes=3, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, features))
    y = np.arange(n) % classes  # every class in every 15-row batch
    rng.shuffle(y)
    return X, y


def _batches(n, size):
    return [slice(i, i + size) for i in range(0, n, size)]


# ------------------------------------------------- the weights, against NumPy
def _numpy_sgd(Ws, bs, batches, lr, alpha, head):
    """Plain gradient descent on one MLP (ReLU hidden layers), one full-batch step per batch.

    ``Z_l = A_{l-1} @ W_l + b_l``, ``A_l = max(0, Z_l)``; the output head is softmax
    (cross-entropy), logistic (binary cross-entropy) or identity (1/2 squared error), so
    ``dL/dZ_out = (P - Y) / n`` for all three; ``dL/dW_l = A_{l-1}^T dZ_l + alpha W_l / n``,
    ``dL/db_l = sum_i dZ_l``, ``dZ_{l-1} = (dZ_l @ W_l^T) * [Z_{l-1} > 0]``; ``w <- w - lr g``.
    """
    Ws, bs = [W.copy() for W in Ws], [b.copy() for b in bs]
    for X, Y in batches:
        n = X.shape[0]
        A = [X]
        for W, b in zip(Ws[:-1], bs[:-1]):
            A.append(np.maximum(A[-1] @ W + b, 0.0))  # (n, neurons)
        Z = A[-1] @ Ws[-1] + bs[-1]  # (n, K)
        if head == "softmax":
            E = np.exp(Z - Z.max(axis=1, keepdims=True))
            P = E / E.sum(axis=1, keepdims=True)
        elif head == "logistic":
            P = 1.0 / (1.0 + np.exp(-Z))
        else:
            P = Z
        D = (P - Y) / n  # (n, K)
        grads = []
        for i in reversed(range(len(Ws))):
            grads.append((i, A[i].T @ D + alpha * Ws[i] / n, D.sum(axis=0)))
            if i > 0:
                D = (D @ Ws[i].T) * (A[i] > 0)
        for i, dW, db in grads:
            Ws[i] -= lr * dW
            bs[i] -= lr * db
    return Ws, bs


@pytest.mark.parametrize(
    "labels, classes, head",
    [
        (np.array(["c", "a", "b"]), ["a", "b", "c"], "softmax"),  # str labels, sorted classes_
        (np.array([0, 1, 2]), np.array([0, 1, 2]), "softmax"),
        (np.array([2.0, 5.0, 5.0]), [2.0, 5.0], "logistic"),  # float labels, binary
    ],
)
def test_partial_fit_weights_match_plain_gradient_descent(labels, classes, head):
    """N partial_fit calls take N gradient-descent steps of the encoded labels: weights equal
    a NumPy transcription of backpropagation, from the weights after the first call."""
    X, y = _data()
    y_lab = labels[y]
    clf = MLPClassifier(
        hidden_layer_sizes=(7, 5),
        solver="sgd",
        momentum=0.0,
        learning_rate_init=0.1,
        alpha=0.01,
        shuffle=False,
        random_state=0,
    )
    clf.partial_fit(X[:15], y_lab[:15], classes=classes)
    Ws = [W.copy() for W in clf.coefs_]
    bs = [b.copy() for b in clf.intercepts_]
    batches = []
    for sl in _batches(60, 15)[1:] + [slice(0, 20), slice(20, 60)]:
        clf.partial_fit(X[sl], y_lab[sl], classes=classes if sl.start == 0 else None)
        col = np.searchsorted(np.unique(labels), y_lab[sl])  # the class's column, independently
        Y = np.eye(len(np.unique(labels)))[col]
        batches.append((X[sl], Y[:, 1:] if head == "logistic" else Y))
    Ws_ref, bs_ref = _numpy_sgd(Ws, bs, batches, 0.1, 0.01, head)
    for got, want in zip(clf.coefs_ + clf.intercepts_, Ws_ref + bs_ref):
        np.testing.assert_allclose(got, want, rtol=1e-10, atol=1e-12)


def test_regressor_partial_fit_weights_match_plain_gradient_descent():
    X, _ = _data()
    y = X[:, 0] - 0.5 * X[:, 1]
    reg = MLPRegressor(
        hidden_layer_sizes=(6,),
        solver="sgd",
        momentum=0.0,
        learning_rate_init=0.05,
        alpha=0.001,
        shuffle=False,
        random_state=0,
    )
    reg.partial_fit(X[:15], y[:15])
    Ws, bs = [W.copy() for W in reg.coefs_], [b.copy() for b in reg.intercepts_]
    batches = []
    for sl in _batches(60, 15)[1:]:
        reg.partial_fit(X[sl], y[sl])
        batches.append((X[sl], y[sl].reshape(-1, 1)))
    Ws_ref, bs_ref = _numpy_sgd(Ws, bs, batches, 0.05, 0.001, "identity")
    for got, want in zip(reg.coefs_ + reg.intercepts_, Ws_ref + bs_ref):
        np.testing.assert_allclose(got, want, rtol=1e-10, atol=1e-12)


# ------------------------------ the label fast path, against the general path
_CASES = {
    "int multiclass": (np.array([0, 1, 2]), [0, 1, 2], {}),
    "str labels, classes every call": (np.array(["x", "y", "z"]), ["x", "y", "z"], {}),
    "object str labels (pandas)": (np.array(["x", "y", "z"], dtype=object), ["x", "y", "z"], {}),
    "bool binary": (np.array([False, True, True]), [False, True], {}),
    "float binary, sample weights": (np.array([3.0, 7.0, 7.0]), [3.0, 7.0], {}),
    "one class": (np.array([4, 4, 4]), [4], {}),
    "int32 labels": (np.array([5, 6, 9], dtype=np.int32), np.array([5, 6, 9], np.int32), {}),
    "class_weight, float32": (
        np.array([0, 1, 2]),
        [0, 1, 2],
        {"class_weight": {0: 2.0, 1: 1.0, 2: 0.5}, "dtype": "float32"},
    ),
    "batch without a class": (np.array([0, 1, 1]), [0, 1, 2], {}),
    "multi-label": (np.array([[1, 0, 1], [0, 1, 1], [0, 0, 0]]), [0, 1, 2], {}),
}


def _run_partial_fits(case, general):
    labels, classes, kw = _CASES[case]
    X, y = _data(seed=1)
    y_lab = labels[y]
    sw = np.random.default_rng(2).random(60) if "weights" in case else None
    clf = MLPClassifier(hidden_layer_sizes=(8,), random_state=0, **kw)
    ctx = (
        mock.patch.object(MLPClassifier, "_encode_labels", lambda *a, **k: None)
        if general
        else contextlib.nullcontext()
    )
    with ctx:
        for i, sl in enumerate(_batches(60, 15)):
            every = "every call" in case or i == 0
            clf.partial_fit(
                X[sl],
                y_lab[sl],
                sample_weight=None if sw is None else sw[sl],
                classes=classes if every else None,
            )
        proba = clf.predict_proba(X)
    return [np.array(p) for p in clf.coefs_ + clf.intercepts_], proba, clf.classes_


@pytest.mark.parametrize("case", list(_CASES))
def test_label_fast_path_gives_the_general_paths_weights(case):
    """Bit for bit: the labels encoded without re-checking them train the same network as
    scikit-learn's LabelBinarizer path (``_encode_labels`` switched off)."""
    fast, p_fast, c_fast = _run_partial_fits(case, general=False)
    slow, p_slow, c_slow = _run_partial_fits(case, general=True)
    np.testing.assert_array_equal(c_fast, c_slow)
    for a, b in zip(fast, slow):
        np.testing.assert_array_equal(a, b)
    np.testing.assert_array_equal(p_fast, p_slow)


@no_convergence_warning
def test_warm_start_fit_fast_path_gives_the_general_paths_weights():
    X, y = _data(seed=3)

    def run(general):
        clf = MLPClassifier(hidden_layer_sizes=(8,), warm_start=True, max_iter=3, random_state=0)
        ctx = (
            mock.patch.object(MLPClassifier, "_encode_labels", lambda *a, **k: None)
            if general
            else contextlib.nullcontext()
        )
        with ctx:
            for sl in _batches(60, 15):
                clf.fit(X[sl], y[sl])
        return [np.array(p) for p in clf.coefs_ + clf.intercepts_]

    for a, b in zip(run(False), run(True)):
        np.testing.assert_array_equal(a, b)


@pytest.mark.parametrize(
    "y, classes",
    [
        (np.array([2, 0, 1, 1, 0]), np.array([0, 1, 2])),
        (np.array([1, 0, 1, 1]), np.array([0, 1])),
        (np.array([1, 1, 1]), np.array([1])),
        (np.array([1, 1, 2]), np.array([0, 1, 2])),  # a binary batch of a 3-class problem
        (np.array(["b", "a", "b"]), np.array(["a", "b"])),
        (np.array(["b", "c", "c"]), np.array(["a", "b", "c"])),
        (np.array([0.0, 3.0, 3.0]), np.array([0.0, 3.0])),
        (np.array([True, False]), np.array([False, True])),
        (np.array(["b", "a", "b"], dtype=object), np.array(["a", "b"])),
        (np.array(["b", "c"], dtype=object), np.array(["a", "b", "c"], dtype=object)),
        (np.array([[1, 0, 1], [0, 0, 0]]), np.array([[0, 1, 1], [1, 0, 0]])),  # multi-label
        (np.array([[1.0, 0.0], [0.0, 0.0]]), np.array([[0, 1], [1, 1]])),
        (np.array([[True, False], [True, True]]), np.array([[0, 1], [1, 0]])),
    ],
)
def test_encode_labels_equals_label_binarizer(y, classes):
    """``classes``: the labels (or, 2-D, a multi-label y) the binarizer was fitted on."""
    clf = MLPClassifier()
    clf._label_binarizer = LabelBinarizer().fit(classes)
    clf.classes_ = clf._label_binarizer.classes_
    want = clf._label_binarizer.transform(y).astype(np.float64)
    got = clf._encode_labels(y, every_class=False)
    assert got is not None and got.dtype == np.float64
    np.testing.assert_array_equal(got, want)


@pytest.mark.parametrize(
    "y, classes",
    [
        (np.array([0, 1, 5]), np.array([0, 1, 2])),  # a label outside classes_
        (np.array([0.5, 1.0]), np.array([0.0, 1.0])),  # continuous: type_of_target decides
        (np.array([0, 1]), np.array([0.0, 1.0])),  # kinds differ: label_binarize's casts
        (np.array([0, 1], dtype=np.int32), np.array([0, 1])),  # int dtypes differ
        (np.array(["a", 1], dtype=object), np.array(["1", "a"])),  # a mix: unique_labels'
        (np.array([1, 2], dtype=object), np.array([1, 2])),  # objects, not str: type_of_target
        (np.array([[0, 2], [2, 0]]), np.array([[0, 1], [1, 0]])),  # not 0/1
        (np.array([[0, 1, 0], [1, 0, 0]]), np.array([[0, 1], [1, 0]])),  # another label count
        (np.array([[0, 1], [1, 0]]), np.array([0, 1])),  # multi-label y, binary fit
    ],
)
def test_encode_labels_leaves_the_rest_to_the_general_path(y, classes):
    clf = MLPClassifier()
    clf._label_binarizer = LabelBinarizer().fit(classes)
    clf.classes_ = clf._label_binarizer.classes_
    assert clf._encode_labels(y, every_class=False) is None


# ----------------------------------------------- the errors, as scikit-learn's
def _message(est_cls, first, later, general=False):
    """The error a later partial_fit call raises, with the class name taken out;
    ``general``: with the label fast path switched off (the checks as they were)."""
    est = est_cls(hidden_layer_sizes=(4,), random_state=0)
    est.partial_fit(*first)
    ctx = (
        mock.patch.object(MLPClassifier, "_encode_labels", lambda *a, **k: None)
        if general
        else contextlib.nullcontext()
    )
    with ctx, pytest.raises((ValueError, TypeError)) as e:
        est.partial_fit(*later)
    return f"{type(e.value).__name__}: {e.value}".replace(est_cls.__name__, "<est>")


_X, _Y = _data()
_X_NAN = _X[:10].copy()
_X_NAN[3, 4] = np.nan
_ERRORS = {
    "wrong number of features": ((_X[:10], _Y[:10], [0, 1, 2]), (_X[:10, :5], _Y[:10])),
    "NaN in X": ((_X[:10], _Y[:10], [0, 1, 2]), (_X_NAN, _Y[:10])),
    "a label not in classes": ((_X[:10], _Y[:10], [0, 1, 2]), (_X[:10], _Y[:10] + 1)),
    "continuous y": ((_X[:10], _Y[:10], [0, 1, 2]), (_X[:10], _Y[:10] + 0.5)),
    "other classes": ((_X[:10], _Y[:10], [0, 1, 2]), (_X[:10], _Y[:10], None, [0, 1, 3])),
    "str labels, then int": (
        (_X[:10], np.array(list("abc"))[_Y[:10]], ["a", "b", "c"]),
        (_X[:10], _Y[:10]),
    ),
    "fewer samples in y": ((_X[:10], _Y[:10], [0, 1, 2]), (_X[:10], _Y[:9])),
    "str and int labels mixed": (  # NumPy's TypeError from sorting them, as scikit-learn's
        (_X[:10], np.array(list("abc"))[_Y[:10]], ["a", "b", "c"]),
        (_X[:10], np.array(["a", 1] * 5, dtype=object)),
    ),
}


@pytest.mark.parametrize("case", list(_ERRORS))
def test_partial_fit_errors_are_unchanged_and_scikit_learns(case):
    """The same error as with every check run (the fast path off), which is
    scikit-learn's MLPClassifier's own except for continuous y: scikit-learn's partial_fit
    does not call check_classification_targets there and fails later, in unique_labels,
    with a message that names no cause; glassnet keeps the one that does."""
    first, later = _ERRORS[case]
    first = (first[0], first[1], None, first[2])  # (X, y, sample_weight, classes)
    ours = _message(MLPClassifier, first, later)
    assert ours == _message(MLPClassifier, first, later, general=True)
    if case == "continuous y":
        assert ours.startswith("ValueError: Unknown label type: continuous.")
    else:
        assert ours == _message(skmlp.MLPClassifier, first, later)


def test_regressor_partial_fit_errors_are_scikit_learns():
    X, y = _data()
    for later in [(X[:10, :5], y[:10]), (_X_NAN, y[:10]), (X[:10], y[:10] * np.nan)]:
        ours = _message(MLPRegressor, (X[:10], y[:10].astype(float)), later)
        theirs = _message(skmlp.MLPRegressor, (X[:10], y[:10].astype(float)), later)
        assert ours == theirs


def test_classes_that_mix_strings_and_numbers_are_still_refused():
    """NumPy reads ["1", 2] as strings; unique_labels refuses the mix, on later calls too."""
    X, _ = _data()
    clf = MLPClassifier(hidden_layer_sizes=(4,), random_state=0)
    clf.partial_fit(X[:4], np.array(["1", "2", "1", "2"]), classes=["1", "2"])
    with pytest.raises(ValueError, match="Mix of label input types"):
        clf.partial_fit(X[:4], np.array(["1", "2", "1", "2"]), classes=["1", 2])


# ------------------------------------------------ the count of checks per call
_COUNTED = {
    "check_array": sk_validation.check_array,
    "type_of_target": sk_multiclass.type_of_target,
    "unique_labels": sk_multiclass.unique_labels,
}


@contextlib.contextmanager
def _count_calls():
    """Count calls of scikit-learn's validators wherever a module bound them (their own
    modules, scikit-learn's others, glassnet.sklearn)."""
    counts: Counter[str] = Counter()

    def counting(name, f):
        @functools.wraps(f)
        def wrapper(*a, **k):
            counts[name] += 1
            return f(*a, **k)

        return wrapper

    with contextlib.ExitStack() as stack:
        for modname, module in list(sys.modules.items()):
            if module is None or not modname.startswith(("sklearn", "glassnet")):
                continue
            for name, f in _COUNTED.items():
                if getattr(module, name, None) is f:
                    stack.enter_context(mock.patch.object(module, name, counting(name, f)))
        yield counts


@pytest.mark.parametrize(
    "labels, classes_every_call",
    [
        (np.array([0, 1, 2]), False),
        (np.array([0, 1, 2]), True),
        (np.array(["a", "b", "c"]), True),
        (np.array(["a", "b", "c"], dtype=object), False),
    ],
)
def test_partial_fit_checks_its_input_once(labels, classes_every_call):
    """After the first call: validate_data's two check_array calls (X and y) and no
    type_of_target or unique_labels (scikit-learn's own MLPClassifier.partial_fit makes 10
    and 3; glassnet made 12 and 4 before checking once)."""
    X, y = _data()
    y_lab = labels[y]
    classes = np.unique(labels)
    clf = MLPClassifier(hidden_layer_sizes=(8,), random_state=0)
    with _count_calls() as counts:
        clf.partial_fit(X[:15], y_lab[:15], classes=classes)
        assert counts["type_of_target"] >= 1  # the counters are wired: the first call checks
        counts.clear()
        for sl in _batches(60, 15)[1:]:
            clf.partial_fit(X[sl], y_lab[sl], classes=classes if classes_every_call else None)
    assert counts["check_array"] == 2 * 3
    assert counts["type_of_target"] == 0
    assert counts["unique_labels"] == 0


def test_multi_label_partial_fit_checks_its_input_once():
    X, _ = _data()
    Y = (np.random.default_rng(5).random((60, 4)) < 0.4).astype(int)
    clf = MLPClassifier(hidden_layer_sizes=(8,), random_state=0)
    clf.partial_fit(X[:15], Y[:15], classes=np.arange(4))
    with _count_calls() as counts:
        for sl in _batches(60, 15)[1:]:
            clf.partial_fit(X[sl], Y[sl])
    assert counts["check_array"] == 2 * 3
    assert counts["type_of_target"] == 0


def test_regressor_partial_fit_checks_its_input_once():
    X, _ = _data()
    y = X[:, 0]
    reg = MLPRegressor(hidden_layer_sizes=(8,), random_state=0)
    reg.partial_fit(X[:15], y[:15])
    with _count_calls() as counts:
        for sl in _batches(60, 15)[1:]:
            reg.partial_fit(X[sl], y[sl])
    assert counts["check_array"] == 2 * 3
    assert counts["type_of_target"] == 0


def test_a_batch_with_a_new_label_is_still_checked_in_full():
    """The fast path gives way: a label outside classes_ goes through scikit-learn's checks."""
    X, y = _data()
    clf = MLPClassifier(hidden_layer_sizes=(8,), random_state=0)
    clf.partial_fit(X[:15], y[:15], classes=[0, 1, 2])
    with _count_calls() as counts, pytest.raises(ValueError, match="not in `self.classes_`"):
        clf.partial_fit(X[15:30], y[15:30] + 1)
    assert counts["unique_labels"] == 1


@pytest.mark.parametrize("est_cls", [MLPClassifier, MLPRegressor])
def test_int_random_state_shuffles_as_a_fresh_random_state_at_every_call(est_cls):
    """A later partial_fit keeps its shuffle seed instead of seeding a RandomState at each
    call: the same batches as an estimator handed a fresh RandomState(seed) every call."""
    X, y = _data(seed=4)
    y = y if est_cls is MLPClassifier else X[:, 0]
    kw = {"classes": [0, 1, 2]} if est_cls is MLPClassifier else {}
    kept = est_cls(hidden_layer_sizes=(8,), batch_size=10, random_state=3)
    fresh = est_cls(hidden_layer_sizes=(8,), batch_size=10, random_state=3)
    for i, sl in enumerate(_batches(60, 30)):
        kept.partial_fit(X[sl], y[sl], **(kw if i == 0 else {}))
        fresh.set_params(random_state=np.random.RandomState(3))
        fresh.partial_fit(X[sl], y[sl], **(kw if i == 0 else {}))
    kept.set_params(random_state=5)  # a new seed is drawn anew
    fresh.set_params(random_state=np.random.RandomState(5))
    kept.partial_fit(X[:30], y[:30])
    fresh.partial_fit(X[:30], y[:30])
    for a, b in zip(kept.coefs_ + kept.intercepts_, fresh.coefs_ + fresh.intercepts_):
        np.testing.assert_array_equal(a, b)
