"""glassnet.sklearn: a one-shot iterable as hidden_layer_sizes, a hand-set 'softmax' on a
two-class classifier, numeric parameters given as bools, and partial_fit's classes given
as a set, a generator or dict keys."""

from __future__ import annotations

import numpy as np
import pytest

pytest.importorskip("sklearn")

from sklearn.base import clone  # noqa: E402
from sklearn.utils._param_validation import InvalidParameterError  # noqa: E402

from glassnet._validation import ParameterError, check_number  # noqa: E402
from glassnet.sklearn import MLPClassifier, MLPParameterError, MLPRegressor  # noqa: E402

pytestmark = [pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")]

RNG = np.random.default_rng(0)
X = RNG.normal(size=(60, 3))
Y3 = np.arange(60) % 3
Y2 = (X[:, 0] > 0).astype(int)


# ------------------------------------------------- hidden_layer_sizes, one-shot iterables
def _one_shot():
    return {
        "generator": (int(s) for s in "4 2".split()),
        "iter": iter([4, 2]),
        "map": map(int, ["4", "2"]),
    }


@pytest.mark.parametrize("kind", ["generator", "iter", "map"])
@pytest.mark.parametrize("Est", [MLPClassifier, MLPRegressor])
def test_one_shot_hidden_layer_sizes_refused_and_left_unread(Est, kind):
    """scikit-learn refuses an iterator (not an array-like); glassnet read it to check it,
    then built the network from the exhausted iterator: no hidden layers, in silence."""
    sizes = _one_shot()[kind]
    est = Est(hidden_layer_sizes=sizes, max_iter=2, random_state=0)
    y = Y3 if Est is MLPClassifier else X[:, 0]
    with pytest.raises(MLPParameterError) as info:
        est.fit(X, y)
    assert isinstance(info.value, InvalidParameterError)
    msg = str(info.value)
    assert f"The 'hidden_layer_sizes' parameter of {Est.__name__}" in msg, msg
    assert "can be read only once" in msg and "tuple(" in msg, msg
    assert "(64, 32)" in msg, msg
    assert not hasattr(est, "coefs_")
    # the refusal does not consume it: get_params still holds the same, unread object
    assert est.get_params()["hidden_layer_sizes"] is sizes
    assert list(sizes) == [4, 2]


def test_one_shot_hidden_layer_sizes_with_activation_list_and_partial_fit():
    """With one activation per layer the check passed (it saw 2 sizes) and the build then
    said '0 hidden layers but 2 activations'; partial_fit takes the same check."""
    est = MLPClassifier(hidden_layer_sizes=iter([4, 2]), activation=["relu", "tanh"])
    with pytest.raises(MLPParameterError, match="can be read only once"):
        est.fit(X, Y3)
    est = MLPClassifier(hidden_layer_sizes=iter([4, 2]))
    with pytest.raises(MLPParameterError, match="can be read only once"):
        est.partial_fit(X, Y3, classes=[0, 1, 2])


@pytest.mark.parametrize(
    "sizes, hidden",
    [
        ((4, 2), [4, 2]),
        ([4, 2], [4, 2]),
        (range(4, 6), [4, 5]),
        (np.array([4, 2]), [4, 2]),
        (4, [4]),
        (np.int64(3), [3]),
        ((), []),
    ],
)
def test_reusable_hidden_layer_sizes_still_build_their_layers(sizes, hidden):
    est = MLPClassifier(hidden_layer_sizes=sizes, max_iter=2, random_state=0).fit(X, Y3)
    assert [W.shape[1] for W in est.coefs_[:-1]] == hidden
    # fitting twice (and a clone) builds the same layers again
    est.fit(X, Y3)
    assert [W.shape[1] for W in est.coefs_[:-1]] == hidden
    assert [W.shape[1] for W in clone(est).fit(X, Y3).coefs_[:-1]] == hidden


# ----------------------------------------------- 'softmax' set by hand, two classes
def test_binary_softmax_refused_clearly():
    """The softmax of one output is 1 whatever the input: scikit-learn's predict_proba is
    [0, 1] on every row, glassnet's was one column of ones. Refused, saying so."""
    clf = MLPClassifier(max_iter=3, random_state=0).fit(X, Y2)
    before = clf.predict_proba(X[:3])
    clf.out_activation_ = "softmax"
    for method in (clf.predict_proba, clf.predict_log_proba, clf.predict):
        with pytest.raises(ValueError) as info:
            method(X[:3])
        msg = str(info.value)
        assert "out_activation_='softmax'" in msg and "one output" in msg, msg
        assert "'logistic'" in msg and "'identity'" in msg, msg
    with pytest.raises(ValueError, match="out_activation_='softmax'"):
        clf.score(X, Y2)
    clf.out_activation_ = "logistic"
    np.testing.assert_array_equal(clf.predict_proba(X[:3]), before)
    clf.out_activation_ = "identity"  # the logits, [1 - z, z], as before
    assert clf.predict_proba(X[:3]).shape == (3, 2)


def test_softmax_still_applies_where_there_are_several_outputs():
    clf = MLPClassifier(max_iter=3, random_state=0).fit(X, Y3)
    assert clf.out_activation_ == "softmax"
    P = clf.predict_proba(X[:5])
    assert P.shape == (5, 3)
    np.testing.assert_allclose(P.sum(axis=1), 1.0)
    multi = np.stack([Y2, 1 - Y2, (X[:, 1] > 0).astype(int)], axis=1)
    ml = MLPClassifier(max_iter=3, random_state=0).fit(X, multi)
    ml.out_activation_ = "softmax"  # over the labels, as scikit-learn's
    P = ml.predict_proba(X[:5])
    assert P.shape == (5, 3)
    np.testing.assert_allclose(P.sum(axis=1), 1.0)


# ------------------------------------------------------ numbers given as bools
BOOLS = [
    ({"alpha": False}, "alpha=0.0"),
    ({"tol": False}, "tol=0.0"),
    ({"power_t": True}, "power_t=1.0"),
    ({"momentum": False, "solver": "sgd"}, "momentum=0.0"),
    ({"max_iter": True}, "max_iter=1"),
    ({"batch_size": True}, "batch_size=1"),
    ({"n_iter_no_change": True}, "n_iter_no_change=1"),
    ({"max_fun": True}, "max_fun=1"),
    ({"epsilon": True}, "epsilon=1.0"),
    ({"validation_fraction": False}, "validation_fraction=0.0"),
    ({"dropout": False}, "dropout=0.0"),
    # where the number the bool stands for is out of range too: the range
    ({"learning_rate_init": False}, "write a float > 0"),
    ({"beta_1": True}, "write a float in [0, 1)"),
    ({"max_iter": False}, "write an int >= 1"),
]


@pytest.mark.parametrize("params, fix", BOOLS)
def test_bool_for_a_number_says_why_and_what_to_write(params, fix):
    name = next(iter(params))
    est = MLPClassifier(**params)
    with pytest.raises(MLPParameterError) as info:
        est.fit(X, Y2)
    msg = str(info.value)
    value = params[name]
    assert f"The '{name}' parameter of MLPClassifier must be" in msg, msg
    assert f"Got {value}: a bool is not taken as a number" in msg, msg
    assert fix in msg, msg


def test_check_number_bool_message_and_other_values_unchanged():
    with pytest.raises(ParameterError) as info:
        check_number(np.True_, "lr", "SGD", low=0, low_open=True)
    assert str(info.value) == (
        "The 'lr' parameter of SGD must be a float > 0. Got True: a bool is not taken as "
        "a number; write lr=1.0."
    )
    with pytest.raises(ParameterError) as info:
        check_number(False, "sizes[0]", "MLP", low=1, integer=True)
    assert str(info.value).endswith(
        "Got False: a bool is not taken as a number; write an int >= 1."
    )
    with pytest.raises(ParameterError) as info:  # no bool: the message as before
        check_number(-1, "lr", "SGD", low=0, low_open=True)
    assert str(info.value) == "The 'lr' parameter of SGD must be a float > 0. Got -1."


# ---------------------------------------- partial_fit's classes: not a sequence
@pytest.mark.parametrize(
    "classes, shown",
    [
        ({0, 1, 2}, "a set"),
        ((c for c in range(3)), "a generator"),
        ({0: "a", 1: "b", 2: "c"}.keys(), "a dict_keys"),
    ],
)
def test_partial_fit_classes_not_a_sequence(classes, shown):
    clf = MLPClassifier(max_iter=2, random_state=0)
    with pytest.raises(ValueError) as info:
        clf.partial_fit(X, Y3, classes=classes)
    msg = str(info.value)
    # scikit-learn's words first, then what classes is and how to pass it
    assert msg.startswith("Expected array-like (array or non-string sequence), got "), msg
    assert shown in msg and "list or an array" in msg and "sorted(" in msg, msg
    assert "astype" not in msg and "Python objects" not in msg, msg
    assert not hasattr(clf, "classes_")
    # a later call checks it the same way
    clf.partial_fit(X, Y3, classes=[0, 1, 2])
    with pytest.raises(ValueError, match="Expected array-like.*list or an array"):
        clf.partial_fit(X, Y3, classes={0, 1, 2})


def test_partial_fit_classes_sequences_still_taken():
    for classes in ([2, 0, 1], (0, 1, 2), np.array([0, 1, 2]), range(3)):
        clf = MLPClassifier(max_iter=2, random_state=0).partial_fit(X, Y3, classes=classes)
        np.testing.assert_array_equal(clf.classes_, [0, 1, 2])
    # objects that are ints: the conversion advice, as before
    with pytest.raises(ValueError, match=r"classes\.astype\(int\)"):
        MLPClassifier().partial_fit(X, Y3, classes=np.array([0, 1, 2], dtype=object))


# ------------------------------------------------- docs/sklearn.md's bool row, against sklearn
def test_the_docs_bool_row_says_which_bools_scikit_learn_takes():
    """The row said scikit-learn reads a bool given for a number as 0 and 1; it refuses
    validation_fraction=True and n_iter_no_change=False (the number is out of range)."""
    import re
    from pathlib import Path

    from sklearn.neural_network import MLPClassifier as SkMLP

    docs = Path(__file__).resolve().parents[1] / "docs" / "sklearn.md"
    row = next(
        r
        for r in docs.read_text().splitlines()
        if r.startswith("| a number parameter given as a bool")
    )
    theirs = row.split(" | ")[1]
    taken = re.search(r"taken where [^(]*\(([^)]*)\)", theirs).group(1)
    refused = re.search(r"refused where [^(]*\(([^)]*)\)", theirs).group(1)
    pairs = {
        side: [(k, v == "True") for k, v in re.findall(r"`(\w+)=(True|False)`", text)]
        for side, text in (("taken", taken), ("refused", refused))
    }
    assert len(pairs["taken"]) >= 4 and len(pairs["refused"]) >= 2, theirs
    for name, value in pairs["taken"]:
        SkMLP(**{"hidden_layer_sizes": (3,), "max_iter": 2, name: value}).fit(X, Y2)
    for name, value in pairs["refused"]:
        with pytest.raises(InvalidParameterError, match=f"Got {value} instead"):
            SkMLP(**{"max_iter": 2, name: value}).fit(X, Y2)
