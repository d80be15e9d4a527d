"""pandas audit 27: a Series row read by its labels (pipelines, predict, model(x)); the
feature-name check in explain, Objective and the viz plots; exact whole numbers in object
and categorical columns; duplicate and mixed column names at fit; missing stratify and
LabelEncoder labels; predict's width message; infer_task's classes message; the float64
model's rounding advice; object columns in model(df)."""

import warnings

import numpy as np
import pytest

import glassnet as gn
import glassnet.preprocessing as gp
from glassnet import nn
from glassnet.cli import main
from glassnet.io import load_pipeline
from glassnet.objective import evaluate_loss
from glassnet.tasks import infer_task

pd = pytest.importorskip("pandas")


def _fitted(cols=("a", "b")):
    rng = np.random.default_rng(0)
    X = pd.DataFrame({c: rng.normal(size=20) + 5 * k for k, c in enumerate(cols)})
    y = pd.Series(rng.normal(size=20))
    m = nn.Sequential(nn.Linear(len(cols), 3), nn.Tanh(), nn.Linear(3, 1))
    gn.fit(m, X, y, epochs=1, verbose=0)
    return m, X, y


# 1. load_pipeline(...).predict on a Series row
@pytest.fixture(scope="module")
def pipeline(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("pandas27")
    rng = np.random.default_rng(1)
    lines = ["age,plan,tenure,churn"]
    for _ in range(60):
        age, ten = rng.integers(18, 80), rng.uniform(0, 10)
        lines.append(f"{age},{rng.choice(['pro', 'free'])},{ten:.2f},{int(age > 50)}")
    data = tmp / "c.csv"
    data.write_text("\n".join(lines) + "\n")
    model = tmp / "c.glassnet"
    argv = ["train", str(data), "--target", "churn", "--hidden", "4", "--epochs", "3", "-q"]
    assert main([*argv, "--out", str(model)]) == 0
    return load_pipeline(model), pd.read_csv(data, dtype=str).drop(columns="churn")


def test_pipeline_reads_a_series_row_by_its_labels(pipeline):
    p, X = pipeline
    r = X.iloc[0]
    swapped = r[["tenure", "plan", "age"]]
    want = p.predict_proba(r.to_dict())
    np.testing.assert_array_equal(p.predict_proba(r), want)
    np.testing.assert_array_equal(p.predict_proba(swapped), want)
    np.testing.assert_array_equal(p.predict(swapped), p.predict(r.to_frame().T))


def test_pipeline_refuses_a_column_series(pipeline):
    p, X = pipeline
    with pytest.raises(TypeError, match=r"Got Series.*to_frame|Got Series.*iloc\[\[i\]\]"):
        p.predict(X["age"].iloc[3:6])  # (a RangeIndex from 0: a row of values, as a list)


# 2. Module.predict / model(x) on a Series
def test_predict_reads_a_series_row_by_its_labels_and_refuses_another_order():
    m, X, _ = _fitted()
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # (no "X has no column names" warning)
        got = m.predict(X.iloc[0])
    np.testing.assert_array_equal(got, m.predict(X.iloc[[0]])[0])  # (1-D: one sample)
    with pytest.raises(ValueError, match="another order"):
        m.predict(X.iloc[0][["b", "a"]])
    with pytest.raises(ValueError, match="another order"):
        m(X.iloc[0][["b", "a"]])


def test_predict_refuses_a_column_series_on_a_model_with_names():
    m, X, _ = _fitted()
    with pytest.raises(ValueError, match=r"a column, not a row\?.*to_frame\(\).*iloc\[\[i\]\]"):
        m.predict(X["a"].iloc[2:4])
    with pytest.raises(ValueError, match=r"a column, not a row\?"):
        m(X["a"].iloc[2:4])


# 3. explain, Objective and the plots check the names
def test_objective_explain_and_plots_refuse_reordered_columns():
    m, X, y = _fitted(("height", "weight"))
    R = X[["weight", "height"]]
    gn.Objective(m, X, y, "mse")  # (the fitted order: fine)
    with pytest.raises(ValueError, match="another order"):
        gn.Objective(m, R, y, "mse")
    with pytest.raises(ValueError, match="another order"):
        evaluate_loss(m, R, y)
    with pytest.raises(ValueError, match="another order"):
        gn.explain(m, R.iloc[[0]], y.iloc[[0]])
    pytest.importorskip("matplotlib")
    from glassnet import viz

    for plot in (viz.plot_decision_boundary, viz.plot_hidden_space, viz.plot_neuron_outputs):
        with pytest.raises(ValueError, match="another order"):
            plot(m, R, y)


# 4. exact whole numbers in object, categorical columns and object arrays
BIG = 2**24 + 1


@pytest.mark.parametrize(
    "make",
    [
        lambda X: X.astype({"c": object}),
        lambda X: X.assign(c=pd.Categorical(X.c)),
    ],
    ids=["object", "categorical"],
)
def test_object_and_categorical_int_columns_are_checked_for_exactness(make):
    Xi = pd.DataFrame({"a": [0.5, 1.5], "c": np.array([BIG, BIG + 2], dtype="int64")})
    m = nn.Linear(2, 1)
    with pytest.raises(ValueError, match=r"16777217 at index \(0, 1\) \(column 'c'\)"):
        m.predict(make(Xi))
    with pytest.raises(ValueError, match="16777217"):
        gn.fit(nn.Linear(2, 1), make(Xi), np.array([0.0, 1.0]), epochs=1, verbose=0)
    with pytest.raises(ValueError, match="16777217"):
        m(make(Xi))


def test_object_arrays_and_float64_models_are_checked_for_exactness():
    m = nn.Linear(2, 1)
    with pytest.raises(ValueError, match=r"16777217 at index \(0, 1\)"):
        m.predict(np.array([[0.5, BIG]], dtype=object))
    m.predict(np.array([[0.5, 2**24]], dtype=object))  # (exact: fine)
    m64 = nn.Linear(2, 1, dtype=gn.float64)
    X = pd.DataFrame({"a": [1.0, 2.0], "c": pd.Series([2**53 + 1] * 2, dtype=object)})
    with pytest.raises(ValueError, match=str(2**53 + 1)):
        m64.predict(X)


# 9. the float64 model's advice
def test_rounding_refusal_on_a_float64_model_does_not_advise_float64():
    m = nn.Linear(2, 1, dtype=gn.float64)
    X = pd.DataFrame({"a": [1.0, 2.0], "id": np.array([2**53 + 1, 3], dtype="int64")})
    for call in (m.predict, lambda X: gn.fit(m, X, np.array([0.0, 1.0]), epochs=1, verbose=0)):
        with pytest.raises(ValueError, match="not exact in float64") as e:
            call(X)
        assert "Train a float64" not in str(e.value) and "Scale" in str(e.value)
    with pytest.raises(ValueError, match="not exact in float64") as e:
        nn.Linear(2, 1, dtype=gn.float64).predict(np.array([[1.0, 2**53 + 1]], dtype=object))
    assert "Train a float64" not in str(e.value)


# 5. duplicate column names
def test_duplicate_column_names_are_refused_at_fit():
    D = pd.DataFrame([[1.0, 10.0], [2.0, 30.0]], columns=["a", "a"])
    with pytest.raises(ValueError, match=r"\['a'\].*more than once"):
        gn.fit(nn.Linear(2, 1), D, pd.Series([0.0, 1.0]), epochs=1, verbose=0)
    with pytest.raises(ValueError, match=r"\['a'\].*more than once"):
        gp.StandardScaler().fit(D)
    with pytest.raises(ValueError, match=r"\['a'\].*more than once"):
        gp.OneHotEncoder().fit(D.astype(str))


# 6. stratify with NaN / pd.NA
@pytest.mark.parametrize("dtype", ["float64", "Int64"])
def test_stratify_refuses_missing_labels(dtype):
    st = pd.Series([np.nan] * 4 + [0, 1] * 4).astype(dtype)
    with pytest.raises(ValueError, match="missing label.*first at row 0"):
        gp.train_test_split(np.arange(12), stratify=st, seed=0, test_size=4)


# 7. predict's width message
def test_predict_names_x_width_and_the_model_inputs():
    m = nn.Sequential(nn.Linear(2, 3), nn.ReLU(), nn.Linear(3, 1))
    X = pd.DataFrame({"a": [1.0, 2], "b": [3.0, 4], "c": [5.0, 6]})
    cols = r"X has 3 features per sample \(columns \['a', 'b', 'c'\]\).*expects 2"
    with pytest.raises(ValueError, match=cols):
        m.predict(X)
    with pytest.raises(ValueError, match=r"X has 3 features per sample.*expects 2"):
        m.predict(np.ones((2, 3)))


# 8. infer_task's classes message
def test_infer_task_classes_message_shows_types():
    shown = r"\[1, 2\]; classes: \['1', '2'\] \(y's labels are \['int'\], the classes \['str'\]"
    with pytest.raises(ValueError, match=shown):
        infer_task(pd.Series([1, 2, 1]), classes=["1", "2"])


# 10. model(df) / gn.tensor(df) with object numbers
def test_model_and_tensor_read_object_numbers_as_predict_does():
    X = pd.DataFrame({"a": [1, 2], "c": [3, 4]}, dtype=object)
    m = nn.Linear(2, 1)
    np.testing.assert_allclose(m(X).data, m.predict(X), rtol=1e-6)
    np.testing.assert_array_equal(gn.tensor(X).data, [[1, 3], [2, 4]])
    with pytest.raises(ValueError, match="text"):
        m(pd.DataFrame({"a": [1, "x"], "c": [3, 4]}, dtype=object))


# 11. LabelEncoder on Int64 <NA>
def test_label_encoder_names_a_missing_int64_label():
    with pytest.raises(ValueError, match="missing label.*position 1"):
        gp.LabelEncoder().fit(pd.Series([1, None, 2], dtype="Int64"))


# 12. mixed column names
def test_fit_refuses_mixed_str_and_int_column_names():
    m, X, y = _fitted()
    with pytest.raises(TypeError, match="only supported if all input features have string"):
        gn.fit(nn.Linear(2, 1), X.set_axis(["a", 1], axis=1), y, epochs=1, verbose=0)
    m2 = nn.Linear(2, 1)
    gn.fit(m2, X.set_axis([0, 1], axis=1), y, epochs=1, verbose=0)
    assert not hasattr(m2, "feature_names_in_")


# review rev27d of the mend
def test_tensor_refuses_object_ints_as_int64_columns_and_the_parent():
    Xo = pd.DataFrame({"a": [1, 2**53 + 1], "b": [1.5, 2.0]}).astype({"a": object})
    with pytest.raises(ValueError, match=r"9007199254740993.*\(column 'a'\).*not exact in float64"):
        gn.tensor(Xo)
    with pytest.raises(TypeError, match="too large for int64"):
        gn.tensor(pd.Series([1, 2**64 + 1], dtype=object))
    with pytest.raises(TypeError, match="past float64's range"):
        gn.tensor(pd.Series([1, 10**400], dtype=object))
    got = gn.tensor(pd.DataFrame({"a": [1, 3], "b": [1.5, 2.0]}).astype({"a": object}))
    np.testing.assert_array_equal(got.data, [[1, 1.5], [3, 2]])


class _MySeq(nn.Sequential):
    pass


@pytest.mark.parametrize(
    "make",
    [
        lambda: nn.MLP([2, 3, 1]),
        lambda: nn.Sequential(nn.MLP([2, 3, 1])),
        lambda: _MySeq(nn.Linear(2, 3), nn.ReLU(), nn.Linear(3, 1)),
    ],
)
def test_predict_width_message_for_mlp_and_sequential_subclasses(make):
    m = make()
    with pytest.raises(ValueError, match=r"X has 3 features per sample.*expects 2") as e:
        m.predict(np.ones((2, 3)))
    assert "inputs=" not in str(e.value) and "same columns as at fit" in str(e.value)


def test_width_messages_name_the_columns_at_fit_and_predict():
    m, X, y = _fitted()
    X3 = X.assign(c=1.0)
    with pytest.raises(ValueError, match=r"\(columns \['a', 'b', 'c'\]\).*expects 2"):
        gn.fit(nn.Linear(2, 1), X3, y, epochs=1, verbose=0)
    with pytest.warns(UserWarning, match="no column names"):
        with pytest.raises(ValueError, match=r"trained on 2 columns.*\['a', 'b'\]") as e:
            m.predict(np.ones((2, 3)))
    assert "build the model" not in str(e.value)


def test_pyarrow_table_with_duplicate_names_is_refused_at_fit():
    pa = pytest.importorskip("pyarrow")
    t = pa.Table.from_arrays([pa.array([1.0, 2, 3]), pa.array([10.0, 30, 20])], names=["a", "a"])
    with pytest.raises(ValueError, match=r"column name\(s\) \['a'\] more than once"):
        gn.fit(nn.Linear(2, 1), t, np.array([0.0, 1, 2]), epochs=1, verbose=0)


def test_object_decimal_columns_and_object_y_are_checked_for_exactness():
    import decimal

    big = decimal.Decimal(2**24 + 1)
    Xd = pd.DataFrame({"a": [0.5, 1.5], "c": pd.Series([big, decimal.Decimal(2)], dtype=object)})
    with pytest.raises(ValueError, match=r"16777217.*not exact in float32"):
        nn.Linear(2, 1).predict(Xd)
    X = pd.DataFrame({"a": [0.5, 1.5] * 2, "b": [1.0, 2.0] * 2})
    with pytest.raises(ValueError, match=r"16777217.*not exact in float32"):
        gn.fit(nn.Linear(2, 1), X, pd.Series([2**24 + 1, 3] * 2, dtype=object), epochs=1, verbose=0)


@pytest.mark.parametrize("make", [gp.StandardScaler, gp.OneHotEncoder])
def test_transformers_refuse_mixed_str_and_int_column_names(make):
    X = pd.DataFrame([[1.0, 10.0], [2.0, 30.0]], columns=["a", 1])
    with pytest.raises(TypeError, match="only supported if all input features have string"):
        make().fit(X)


def test_a_positional_series_is_read_as_a_1d_array_on_a_named_model(pipeline):
    m, X, _ = _fitted()
    row = [1.0, 2.0]
    with pytest.warns(UserWarning, match="no column names"):
        got = m.predict(pd.Series(row))
    with pytest.warns(UserWarning, match="no column names"):
        np.testing.assert_array_equal(got, m.predict(np.array(row)))
    with pytest.warns(UserWarning, match="no column names"):
        m.predict(pd.DataFrame([row]).iloc[0])
    p, Xp = pipeline
    r = Xp.iloc[0]
    positional = pd.Series(r.tolist())
    np.testing.assert_array_equal(p.predict_proba(positional), p.predict_proba(r.tolist()))


def test_categorical_columns_are_checked_by_their_categories(monkeypatch):
    import glassnet._validation as v

    sizes, inexact = [], v.inexact_cell

    def counted(cells, dtype):
        sizes.append(np.asarray(cells).size)
        return inexact(cells, dtype)

    monkeypatch.setattr(v, "inexact_cell", counted)
    rng = np.random.default_rng(0)
    n = 20_000
    ints = rng.integers(0, 50, n)
    Xc = pd.DataFrame({"a": rng.normal(size=n), "c": pd.Categorical(ints)})
    m = nn.Linear(2, 1)
    m.predict(Xc)
    m(Xc)
    assert sizes and max(sizes) <= 50  # (the categories, not the 20,000 cells)
    bad = pd.DataFrame({"a": [0.5] * 3, "c": pd.Categorical([2, 2**24 + 1, 2])})
    with pytest.raises(ValueError, match=r"16777217 at index \(1, 1\) \(column 'c'\)"):
        m.predict(bad)


def test_stratify_float_labels_are_checked_without_a_python_loop(monkeypatch):
    def no_loop(value):
        raise AssertionError("a label checked in Python")

    monkeypatch.setattr(gp, "_is_missing", no_loop)
    st = np.random.default_rng(0).integers(0, 3, 1000).astype(float)
    gp.train_test_split(np.arange(1000), stratify=st, seed=0)
    st[5] = np.nan
    with pytest.raises(ValueError, match="1 missing label.*first at row 5"):
        gp.train_test_split(np.arange(1000), stratify=st, seed=0)


def test_huge_categorical_class_labels_keep_the_label_encoder_advice():
    rng = np.random.default_rng(0)
    X = pd.DataFrame({"a": rng.normal(size=20), "b": rng.normal(size=20)})
    y = pd.Series(pd.Categorical([2**60 + 1, 2**60 + 3] * 10))
    with pytest.raises(ValueError, match="LabelEncoder") as e:
        gn.fit(nn.Sequential(nn.Linear(2, 2)), X, y, loss="cross_entropy", epochs=1, verbose=0)
    assert "float64" not in str(e.value)


def test_huge_object_ints_are_shown_shortened_with_their_digit_count():
    X = pd.DataFrame({"a": [0.5, 1.5], "c": pd.Series([10**40, 2], dtype=object)})
    with pytest.raises(ValueError, match=r"1\.000e\+40 \(41 digits\).*its last digits lost"):
        nn.Linear(2, 1, dtype=gn.float64).predict(X)
