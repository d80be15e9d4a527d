"""Round 26's fuzz audit: functional.binary_cross_entropy's target outside [0, 1] refused as
nn.BCELoss's is, and NaN in its prediction named; class labels beyond int64 (1e20, inf) named
as given; the shape hint of the functional losses fitting the shapes; X or y of zero columns;
a Pipeline given a repeated column; the reduction keywords of var/std/logsumexp/norm/amax; one
policy for NumPy's RuntimeWarnings in Tensor ops; the minor rough edges."""

import warnings

import numpy as np
import pytest

import glassnet as gn
import glassnet.functional as F
from glassnet import nn
from glassnet._validation import ParameterError


# 1. functional.binary_cross_entropy: a target outside [0, 1]
@pytest.mark.parametrize("t", [2.0, -1.0, np.nan])
def test_bce_target_outside_unit_refused(t):
    p = gn.Tensor(np.array([[0.9], [0.5]]), requires_grad=True)
    y = np.array([[t], [1.0]])
    with pytest.raises(
        ValueError,
        match=r"op 'binary_cross_entropy': the (target must lie in \[0, 1\]|target contains NaN)",
    ):
        F.binary_cross_entropy(p, y)


def test_bce_target_in_unit_still_taken():
    p = gn.Tensor(np.array([[0.9], [0.2]]), requires_grad=True)
    loss = F.binary_cross_entropy(p, np.array([[1.0], [0.25]]))
    loss.backward()
    assert np.isfinite(loss.item()) and loss.item() > 0


# 5. NaN in the prediction of binary_cross_entropy
def test_bce_nan_prediction_named():
    p = gn.Tensor(np.array([[np.nan], [0.5]]))
    with pytest.raises(ValueError, match=r"holds NaN \(first at index \(0, 0\)\)") as e:
        F.binary_cross_entropy(p, np.array([[0.0], [1.0]]))
    assert "nan to nan" not in str(e.value)


def test_bce_prediction_outside_unit_names_values_outside():
    p = gn.Tensor(np.array([[1.5], [0.5], [-0.25]]))
    with pytest.raises(
        ValueError,
        match=r"probabilities must lie in \[0, 1\]\. Got 2 value\(s\) outside, from -0\.25 to 1\.5",
    ):
        F.binary_cross_entropy(p, np.array([[0.0], [1.0], [1.0]]))


# 2. float class labels beyond int64 (or inf): named as given, no cast warning
def _ce_model():
    return nn.MLP([2, 3], output_activation="softmax", rng=0)


@pytest.mark.parametrize("big", [1e20, 2.0**63, -1e20])
def test_fit_labels_beyond_int64_named(big):
    y = np.array([0, 1, big])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with pytest.raises(ValueError, match=r"fit: y has labels from") as e:
            gn.fit(_ce_model(), np.zeros((3, 2)), y, loss="cross_entropy", verbose=0)
    assert "9223372036854775808" not in str(e.value)
    assert str(float(big)) in str(e.value)


def test_fit_uint64_labels_beyond_int64_named():
    y = np.array([0, 1, 2**64 - 1], dtype=np.uint64)
    with pytest.raises(ValueError, match=r"fit: y has labels from 0 to 18446744073709551615"):
        gn.fit(_ce_model(), np.zeros((3, 2)), y, loss="cross_entropy", verbose=0)


def test_fit_labels_in_range_and_negative_message_kept():
    with pytest.raises(ValueError, match=r"fit: y has labels from -1 to 2, but the model has 3"):
        gn.fit(
            _ce_model(), np.zeros((3, 2)), np.array([-1.0, 0, 2]), loss="cross_entropy", verbose=0
        )
    gn.fit(
        _ce_model(),
        np.zeros((3, 2)),
        np.array([0.0, 1, 2]),
        loss="cross_entropy",
        verbose=0,
        epochs=1,
    )


@pytest.mark.parametrize("bad", [np.inf, -np.inf, 1e20, 2.0**63])
@pytest.mark.parametrize("module", [False, True])
def test_cross_entropy_labels_inf_or_beyond_int64_named(bad, module):
    z = gn.Tensor(np.zeros((2, 2)))
    y = np.array([0.0, bad])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with pytest.raises(ValueError, match=r"labels must lie in \[0, 1\]") as e:
            nn.CrossEntropyLoss()(z, y) if module else F.cross_entropy(z, y)
    assert "9223372036854775808" not in str(e.value)
    assert str(float(bad)) in str(e.value)


# 3. the shape hint of the functional losses fits the shapes
def test_cross_entropy_label_column_hint():
    z = gn.Tensor(np.zeros((4, 3)))
    with pytest.raises(
        ValueError, match=r"one column \(4, 1\) beside 3 classes.*reshape\(-1\)"
    ) as e:
        F.cross_entropy(z, np.array([[0], [1], [2], [1]]))
    assert "reshape(-1, 1)" not in str(e.value)


def test_cross_entropy_one_hot_width_hint():
    z = gn.Tensor(np.zeros((4, 3)))
    with pytest.raises(ValueError, match=r"3 columns, one per class") as e:
        F.cross_entropy(z, np.eye(4))
    assert "reshape(-1, 1)" not in str(e.value)


def test_cross_entropy_scalar_target_hint():
    z = gn.Tensor(np.zeros((4, 3)))
    with pytest.raises(ValueError, match=r"class labels of shape \(4,\)") as e:
        F.cross_entropy(z, np.array(1.0))
    assert "reshape(-1, 1)" not in str(e.value)


@pytest.mark.parametrize(
    ("xs", "ys", "hint"),
    [
        ((4, 1), (4,), "y.reshape(-1, 1)"),
        ((4,), (4, 1), "y.reshape(-1)"),
        ((2, 3), (3, 2), "y.T"),
        ((4, 3), (), "np.broadcast_to(y, (4, 3))"),
        ((4, 3), (4,), "one value per entry of the prediction"),
    ],
)
def test_mse_shape_hint_fits(xs, ys, hint):
    with pytest.raises(ValueError, match=r"op 'mse': prediction of shape") as e:
        F.mse(gn.Tensor(np.zeros(xs)), np.zeros(ys))
    assert hint in str(e.value)


# 4. X or y of zero columns is not called "empty ... at least one sample"
def test_fit_x_zero_columns():
    with pytest.raises(
        ValueError,
        match=r"fit: X has 10 rows but 0 columns \(shape \(10, 0\)\); pass at least one feature",
    ) as e:
        gn.fit(nn.MLP([3, 2, 1], rng=0), np.zeros((10, 0)), np.zeros(10), verbose=0)
    assert "sample" not in str(e.value)


def test_fit_y_zero_columns():
    with pytest.raises(ValueError, match=r"fit: y has 10 rows but 0 columns \(shape \(10, 0\)\)"):
        gn.fit(nn.MLP([3, 2, 1], rng=0), np.zeros((10, 3)), np.zeros((10, 0)), verbose=0)


def test_fit_zero_rows_still_empty():
    with pytest.raises(
        ValueError, match=r"fit: X is empty \(shape \(0, 3\)\); pass at least one sample"
    ):
        gn.fit(nn.MLP([3, 2, 1], rng=0), np.zeros((0, 3)), np.zeros(0), verbose=0)


# 6. Pipeline.predict: a repeated column of a DataFrame; a bool column read as 1/0
@pytest.fixture
def pipe(tmp_path, capsys):
    from glassnet.cli import main

    data = tmp_path / "d.csv"
    rng = np.random.default_rng(0)
    rows = ["x1,x2,color,label"] + [
        f"{a:.3f},{b:.3f},{'red' if a > 0 else 'blue'},{'yes' if a + b > 0 else 'no'}"
        for a, b in rng.standard_normal((40, 2))
    ]
    data.write_text("\n".join(rows) + "\n")
    out = tmp_path / "m.glassnet"
    assert main(["train", str(data), "--target", "label", "--out", str(out), "--epochs", "2"]) == 0
    capsys.readouterr()
    return gn.io.load_pipeline(out)


def test_pipeline_repeated_column_named(pipe):
    pd = pytest.importorskip("pandas")
    good = pd.DataFrame({"x1": [0.1, 2.0], "x2": [0.3, -1.0], "color": ["red", "blue"]})
    with pytest.raises(ValueError, match=r"X has the column 'x1' twice") as e:
        pipe.predict(pd.concat([good, good[["x1"]]], axis=1))
    assert "is not a number" not in str(e.value)
    with pytest.raises(ValueError, match=r"X has the column 'x2' twice"):
        pipe.predict(pd.concat([good, good[["x2"]]], axis=1))
    assert pipe.predict(good).shape == (2,)


def test_pipeline_bool_column_named_as_a_bool(pipe):
    pd = pytest.importorskip("pandas")
    good = pd.DataFrame({"x1": [1.0, 0.0], "x2": [0.3, -1.0], "color": ["red", "blue"]})
    with pytest.raises(
        ValueError,
        match=r"column 'x1' holds True at row 0, a bool, not a number"
        r".*X\.astype\(\{'x1': float\}\)",
    ):
        pipe.predict(good.assign(x1=[True, False]))
    assert pipe.predict(good.assign(x1=good.x1.astype(float))).shape == (2,)


# 8. glassnet's own chain rule is silent, as PyTorch's: divide and overflow too
def test_log1p_backward_at_minus_one_is_inf_without_a_warning():
    x = gn.Tensor(np.array([-1.0, 0.0]), requires_grad=True)
    x.log1p().sum().backward()  # (pytest: warnings are errors)
    np.testing.assert_array_equal(x.grad, [np.inf, 1.0])


def test_gradient_accumulation_overflow_is_inf_without_a_warning():
    x = gn.Tensor(np.array([1e308]), requires_grad=True)
    with np.errstate(over="ignore"):  # (the forward's overflow: the caller's error state)
        loss = (x * x).sum()
    loss.backward()  # (each product's gradient 1e308, their sum inf: PyTorch's)
    np.testing.assert_array_equal(x.grad, [np.inf])


def test_forward_ops_follow_the_callers_numpy_error_state():
    with pytest.warns(RuntimeWarning, match="invalid value"):
        gn.Tensor([-1.0]).sqrt()
    with np.errstate(all="ignore"):
        assert np.isnan(gn.Tensor([-1.0]).sqrt().item())
        assert np.isinf((1.0 / gn.Tensor([0.0])).item())


# 7. the reduction keywords: NumPy's axis=/keepdims= and PyTorch's dim=/keepdim= everywhere
def _x64(shape=(3, 4), seed=0):
    return np.random.default_rng(seed).uniform(0.3, 2.0, shape) * np.random.default_rng(
        seed + 1
    ).choice([-1.0, 1.0], shape)


REDUCE = {  # name: (the NumPy-spelled call, the PyTorch-spelled one)
    "var": (lambda t, a, k: t.var(axis=a, keepdims=k), lambda t, a, k: t.var(dim=a, keepdim=k)),
    "std": (lambda t, a, k: t.std(axis=a, keepdims=k), lambda t, a, k: t.std(dim=a, keepdim=k)),
    "logsumexp": (
        lambda t, a, k: t.logsumexp(axis=a, keepdims=k),
        lambda t, a, k: t.logsumexp(dim=a, keepdim=k),
    ),
    "norm": (
        lambda t, a, k: t.norm(axis=a, keepdims=k),
        lambda t, a, k: t.norm(dim=a, keepdim=k),
    ),
    "norm1": (
        lambda t, a, k: t.norm(1, axis=a, keepdims=k),
        lambda t, a, k: t.norm(1, dim=a, keepdim=k),
    ),
    "amax": (lambda t, a, k: t.amax(axis=a, keepdims=k), lambda t, a, k: t.amax(dim=a, keepdim=k)),
    "amin": (lambda t, a, k: t.amin(axis=a, keepdims=k), lambda t, a, k: t.amin(dim=a, keepdim=k)),
}


@pytest.mark.parametrize("name", list(REDUCE))
@pytest.mark.parametrize("axis", [0, 1, -1, (0, 1)])
@pytest.mark.parametrize("keep", [False, True])
def test_reduction_axis_keepdims_gradcheck(name, axis, keep):
    numpy_call, torch_call = REDUCE[name]
    x = _x64()
    t = gn.Tensor(x, requires_grad=True)
    a, b = numpy_call(t, axis, keep), torch_call(gn.Tensor(x), axis, keep)
    np.testing.assert_array_equal(a.data, b.data)
    assert a.shape == b.shape
    assert gn.gradcheck(lambda v: numpy_call(v, axis, keep), gn.Tensor(x, requires_grad=True))


def test_reduction_axis_keepdims_match_numpy():
    x = _x64()
    t = gn.Tensor(x)
    np.testing.assert_allclose(t.var(axis=0, keepdims=True).data, x.var(0, ddof=1, keepdims=True))
    np.testing.assert_allclose(t.std(axis=1, keepdims=True, ddof=0).data, x.std(1, keepdims=True))
    np.testing.assert_allclose(t.amax(axis=1, keepdims=True).data, x.max(1, keepdims=True))
    np.testing.assert_allclose(t.norm(axis=0).data, np.linalg.norm(x, axis=0))
    m = x.max(0, keepdims=True)
    np.testing.assert_allclose(
        t.logsumexp(axis=0).data, (m + np.log(np.exp(x - m).sum(0, keepdims=True)))[0]
    )


@pytest.mark.parametrize("name", ["var", "std", "logsumexp", "norm", "amax", "amin"])
def test_reduction_both_spellings_refused_naming_the_method(name):
    t = gn.Tensor(np.ones((2, 3)))
    with pytest.raises(TypeError, match=rf"{name}\(\): pass axis or dim"):
        getattr(t, name)(axis=0, dim=0)
    with pytest.raises(TypeError, match=rf"{name}\(\): pass axis or dim, keepdims or keepdim"):
        getattr(t, name)(dim=0, keepdims=True, keepdim=True)


@pytest.mark.parametrize(
    "name",
    ["var", "std", "logsumexp", "norm", "amax", "amin", "log1p", "sqrt", "max", "clamp", "prod"],
)
def test_unknown_keyword_names_the_public_method(name):
    t = gn.Tensor(np.ones((2, 3)))
    with pytest.raises(TypeError) as e:
        getattr(t, name)(bogus=1)
    assert f"Tensor.{name}()" in str(e.value) or f"x.{name}(" in str(e.value)
    assert f"_{name}(" not in str(e.value)


# 10. rough edges: a seed function's return; fit_many([]); Sequential's layer; pandas string
def _reg():
    rng = np.random.default_rng(0)
    return rng.normal(size=(20, 3)).astype(np.float32), rng.normal(size=20)


@pytest.mark.parametrize("batch_size", [None, 4])
@pytest.mark.parametrize("engine", ["auto", "graph"])
def test_seed_function_returning_garbage_refused(batch_size, engine):
    X, y = _reg()
    model = nn.MLP([3, 4, 1], activation="relu", rng=0)
    with pytest.raises(
        ParameterError,
        match=r"fit: seed\(1\) returned 'x' of type str; a seed function must return None, "
        r"an int >= 0 or a numpy\.random\.Generator",
    ):
        gn.fit(
            model,
            X,
            y,
            epochs=3,
            batch_size=batch_size,
            verbose=0,
            seed=lambda e: "x",
            engine=engine,
        )


def test_seed_function_for_the_split_named():
    X, y = _reg()
    model = nn.MLP([3, 4, 1], activation="relu", rng=0)
    with pytest.raises(ParameterError, match=r"fit: seed\(0\) returned -1"):
        gn.fit(model, X, y, epochs=2, verbose=0, seed=lambda e: -1, validation_split=0.25)


def test_seed_function_good_still_reproducible():
    X, y = _reg()
    runs = []
    for _ in range(2):
        m = nn.MLP([3, 4, 1], activation="relu", rng=0)
        gn.fit(m, X, y, epochs=3, batch_size=4, verbose=0, seed=lambda e: e + 7)
        runs.append([p.data.copy() for p in m.parameters()])
    for a, b in zip(*runs):
        np.testing.assert_array_equal(a, b)


def test_fit_many_empty_list_says_empty():
    with pytest.raises(
        ValueError,
        match=r"fit_many: models must be a non-empty list .* Got an empty list: pass at least "
        "one model",
    ):
        gn.fit_many([], np.zeros((4, 2)), np.zeros(4))
    with pytest.raises(TypeError, match=r"fit_many: models must be a non-empty list .* Got int"):
        gn.fit_many(3, np.zeros((4, 2)), np.zeros(4))


def test_sequential_width_error_names_the_layer():
    net = nn.Sequential(nn.Linear(3, 2), nn.Linear(3, 2))
    with pytest.raises(
        ValueError,
        match=r"Sequential layer 1 \(Linear.*\): op 'linear': input of shape \(4, 2\) does not "
        r"fit weights of shape \(3, 2\)",
    ):
        net(np.zeros((4, 3)))
    with pytest.raises(
        ValueError, match=r"^MLP layer 0 \(Linear.*\): op 'linear': input of shape \(4, 2\)"
    ):
        nn.MLP([3, 2, 1])(np.zeros((4, 2)))
    outer = nn.Sequential(nn.Linear(3, 3), nn.Sequential(nn.Linear(2, 1)))  # (net[1][0])
    with pytest.raises(
        ValueError, match=r"^Sequential layer 1\.0 \(Linear\(inputs=2, neurons=1\)\): op .linear."
    ):
        outer(np.zeros((4, 3)))


def test_text_column_named_with_the_users_dtype():
    pd = pytest.importorskip("pandas")
    X = pd.DataFrame({"a": [1.0, 2, 3], "b": pd.array(["x", "y", "z"], dtype="string")})
    with pytest.raises(
        ValueError,
        match=r"fit: X must be numeric\. Its column 'b' holds text \(dtype string\), e\.g\. 'x'",
    ):
        gn.fit(nn.MLP([2, 1]), X, np.zeros(3), verbose=0)
    with pytest.raises(ValueError, match=r"Its column 'b' holds text \(dtype object\)"):
        nn.MLP([2, 1]).predict(X.astype({"b": object}))
    y = pd.Series(["a", "b", "c"], dtype="string")
    with pytest.raises(
        ValueError, match=r"fit: y must be numeric\. It holds text \(dtype string\)"
    ):
        gn.fit(nn.MLP([2, 1]), np.zeros((3, 2)), y, verbose=0)
    with pytest.raises(ValueError, match=r"fit: X must be numeric\. It holds text \(dtype <U1\)"):
        gn.fit(nn.MLP([2, 1]), np.array([["a", "b"]] * 3), np.zeros(3), verbose=0)


def test_verbose_true_is_taken_as_documented():
    """README: verbose must be 0, 1 or 2 (True and False are 1 and 0), as Keras' and
    scikit-learn's verbose flag; the counts (epochs=True) are refused, a bool no number."""
    X, y = _reg()
    a = gn.fit(nn.MLP([3, 4, 1], rng=0), X, y, epochs=2, verbose=True)
    assert a.loss == gn.fit(nn.MLP([3, 4, 1], rng=0), X, y, epochs=2, verbose=1).loss
    with pytest.raises(ValueError, match="bool"):
        gn.fit(nn.MLP([3, 4, 1], rng=0), X, y, epochs=True, verbose=0)


# rev26b's mends: bool class labels, the chain's width errors, float16 labels, the hint
# for a transposed target, name_layer's path, std's own name, validation X's wording
def _bool_data():
    X = np.random.default_rng(0).normal(size=(40, 2)).astype(np.float32)
    return X, X[:, 0] > 0


def test_bool_class_labels_train_as_their_integers():
    X, yb = _bool_data()
    runs = []
    for y in (yb, yb.astype(np.int64), list(yb)):
        m = nn.MLP([2, 4, 2], rng=0)
        gn.fit(m, X, y, loss="cross_entropy", epochs=3, verbose=0, validation_data=(X, y))
        runs.append([p.data.copy() for p in m.parameters()])
    for run in runs[1:]:
        assert all(np.array_equal(a, b) for a, b in zip(runs[0], run))


def test_bool_class_labels_in_fit_many_and_evaluate_loss():
    from glassnet.objective import evaluate_loss

    X, yb = _bool_data()
    ms = [nn.MLP([2, 4, 2], rng=s) for s in range(2)]
    gn.fit_many(ms, X, yb, loss="cross_entropy", epochs=2)
    got = evaluate_loss(ms[0], X, yb, loss="cross_entropy")
    assert got == evaluate_loss(ms[0], X, yb.astype(np.int64), loss="cross_entropy")


def test_float16_class_labels_warn_nothing():
    y = np.array([0, 1, 2, 1], np.float16)
    z = gn.tensor(np.zeros((4, 3), np.float32))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        a = F.cross_entropy(z, y).item()
        b = nn.CrossEntropyLoss()(z, y).item()
        X = np.random.default_rng(0).normal(size=(4, 2)).astype(np.float32)
        gn.fit(nn.MLP([2, 3], rng=0), X, y, loss="cross_entropy", epochs=1, verbose=0)
    assert a == b == pytest.approx(np.log(3))
    with pytest.raises(ValueError, match=r"labels from 0 to inf"):
        F.cross_entropy(z, np.array([0, 1, np.inf, 1], np.float16))


class _Doubler(nn.Module):  # (its forward takes no input as wide as its Linear)
    def __init__(self):
        super().__init__()
        self.body = nn.Sequential(nn.Linear(4, 1))

    def forward(self, x):
        return self.body(gn.cat([x, x], 1))


def test_chain_tells_a_width_error_inside_a_sequential():
    from glassnet.chain import as_chain

    with pytest.raises(TypeError, match=r"took no input as wide as one of its Linear layers"):
        as_chain(_Doubler(), None, "draw_network")
    with pytest.raises(TypeError, match=r"took no input as wide as one of its Linear layers"):
        gn.viz.draw_network(_Doubler())


@pytest.mark.parametrize(
    ("xs", "ys", "hint", "not_in"),
    [
        ((2, 3), (3, 2), "looks transposed", "reshape"),
        ((2, 6), (3, 4), "(2, 6)", "reshape"),
        ((4, 3), (12,), "(4, 3)", "reshape"),
        ((3,), (1, 3), "y.reshape(3)", "transposed"),
        ((4, 1), (1, 4), "y.reshape(4, 1)", "transposed"),
    ],
)
def test_shape_hint_reshapes_only_a_column_or_row(xs, ys, hint, not_in):
    for loss in (F.mse, nn.MSELoss()):
        with pytest.raises(ValueError, match=r"prediction of shape") as e:
            loss(gn.Tensor(np.zeros(xs)), np.zeros(ys))
        assert hint in str(e.value) and not_in not in str(e.value)


def test_name_layer_idempotent_on_a_cached_error():
    class Cached(nn.Module):
        def __init__(self):
            super().__init__()
            self.lin, self.err = nn.Linear(3, 1), None

        def forward(self, x):
            if self.err is None:
                try:
                    self.lin(x)
                except ValueError as e:
                    self.err = e
            raise self.err

    nets = ((nn.Sequential(Cached()), "0"), (nn.Sequential(nn.Sequential(Cached())), "0.0"))
    for net, path in nets:
        for _ in range(3):  # (the same exception each call: named once)
            named = rf"(?s)^Sequential layer {path} \(Cached\(.*\)\): op .linear.: input"
            with pytest.raises(ValueError, match=named):
                net(np.zeros((4, 2)))


def test_name_layer_path_through_a_module_of_ones_own():
    class Block(nn.Module):
        def __init__(self):
            super().__init__()
            self.seq = nn.Sequential(nn.Linear(3, 3), nn.Linear(2, 1))

        def forward(self, x):
            return self.seq(x)

    net = nn.Sequential(nn.Linear(2, 3), Block())
    with pytest.raises(
        ValueError, match=r"^Sequential layer 1\.seq\.1 \(Linear\(inputs=2, neurons=1\)\): op"
    ):
        net(np.zeros((4, 2)))


def test_std_too_many_positionals_names_std():
    x = gn.tensor(np.ones((3, 4)))
    with pytest.raises(TypeError, match=r"^Tensor\.std\(\) takes from 1 to 4 positional"):
        x.std(0, True, True, 5)


def test_validation_x_zero_columns_says_feature():
    with pytest.raises(ValueError, match=r"validation_data\[0\] .*pass at least one feature"):
        gn.fit(
            nn.MLP([3, 2, 1], rng=0), np.zeros((10, 3)), np.zeros(10), verbose=0,
            validation_data=(np.zeros((5, 0)), np.zeros(5)),
        )  # fmt: skip


def test_std_argument_given_twice_names_std():
    x = gn.tensor(np.ones((3, 4)))
    with pytest.raises(TypeError, match=r"^Tensor\.std\(\) got multiple values for argument .unb"):
        x.std(0, True, unbiased=False)


def test_a_width_error_named_by_a_sequential_does_not_hold_the_model():
    """The error keeps the naming Sequential's id, not the object: pickled (a worker
    process's error) it stays small and needs no pickling of the model."""
    import pickle

    seq = gn.nn.Sequential(gn.nn.Linear(1000, 1000), gn.nn.Linear(3, 2))
    seq.hook = lambda: None  # (a model that does not pickle)
    with pytest.raises(ValueError, match=r"Sequential layer 1 \(Linear") as e:
        seq(np.ones((2, 1000), np.float32))
    blob = pickle.dumps(e.value)
    assert len(blob) < 4000
    assert "Sequential layer 1" in str(pickle.loads(blob))


@pytest.mark.parametrize("x,y", [((2, 3, 1), (2, 3)), ((2, 3), (2, 3, 1)), ((2, 1, 3), (2, 3))])
def test_shapes_apart_by_axes_of_size_1_are_told_the_reshape(x, y):
    with pytest.raises(ValueError, match=rf"y\.reshape\({', '.join(map(str, x))}\)"):
        F.mse(gn.Tensor(np.zeros(x)), np.zeros(y))
