"""Data at the door: pyarrow data read with its own dtype and nulls, whole numbers a float32
model would round, scipy.sparse hints, DataFrame column names kept by fit."""

import numpy as np
import pytest

import glassnet as gn
from glassnet import nn
from glassnet.data import DataLoader, TensorDataset

pa = pytest.importorskip("pyarrow")
pd = pytest.importorskip("pandas")


# ------------------------------------------------------------- pyarrow float64 kept
@pytest.mark.parametrize(
    "make", [pa.array, pa.chunked_array, lambda c: pa.table({"a": c})], ids=["arr", "chk", "tab"]
)
def test_pyarrow_float64_is_read_as_float64(make):
    col = [1.0000001, 0.1]
    data = make([col]) if make is pa.chunked_array else make(col)
    t = gn.tensor(data)
    assert t.data.dtype == np.float64
    assert t.data.ravel().tolist() == col


def test_float64_model_on_a_pyarrow_table_equals_numpy():
    m = nn.MLP([1, 1], output_activation="identity", rng=0, dtype=gn.float64)
    x = np.array([[1.0000001], [0.1]])
    assert np.array_equal(m(x).data, m(pa.table({"a": x[:, 0]})).data)


def test_pyarrow_float32_stays_float32():
    assert gn.tensor(pa.array(np.float32([0.5, 1.5]))).data.dtype == np.float32


# ------------------------------------------------------------- pyarrow nulls refused
def test_pyarrow_null_refused_by_tensor_and_tensordataset():
    with pytest.raises(ValueError, match=r"missing value\) at index \(1,\)"):
        gn.tensor(pa.array([1.5, None]))
    with pytest.raises(ValueError, match=r"arrays\[1\] holds .*missing value\) at index \(2,\)"):
        TensorDataset(np.eye(4)[:, :3], pa.array([0, 1, None, 1]))
    with pytest.raises(ValueError, match="missing value"):
        gn.tensor(pa.table({"a": [1.0, None]}))


# ------------------------------------------------------- pyarrow y, weights, predict
def _m():
    return nn.MLP([3, 1], output_activation="sigmoid", rng=0)


def test_pyarrow_bool_y_trains_as_numpy_bools():
    X = np.eye(4)[:, :3]
    a, b = _m(), _m()
    gn.fit(a, X, pa.array([True, False, True, False]), loss="binary_cross_entropy", epochs=2,
           verbose=0)  # fmt: skip
    gn.fit(b, X, np.array([True, False, True, False]), loss="binary_cross_entropy", epochs=2,
           verbose=0)  # fmt: skip
    assert np.array_equal(a.predict(X), b.predict(X))


def test_pyarrow_text_y_gets_the_label_encoder_hint():
    X = np.eye(4)[:, :3]
    for y in (pa.array(["a", "b", "a", "b"]), pa.array(["a", "b", "a", "b"]).dictionary_encode()):
        with pytest.raises(ValueError, match="LabelEncoder"):
            gn.fit(_m(), X, y, loss="binary_cross_entropy", epochs=1, verbose=0)


def test_pyarrow_null_y_and_weight_refused_in_words():
    X = np.eye(4)[:, :3]
    with pytest.raises(ValueError, match="y contains NaN"):
        gn.fit(_m(), X, pa.array([0, 1, None, 1]), loss="binary_cross_entropy", epochs=1,
               verbose=0)  # fmt: skip
    with pytest.raises(ValueError, match="sample_weight"):
        gn.fit(_m(), X, np.array([0, 1, 0, 1]), sample_weight=pa.array([1.0, 1.0, None, 1.0]),
               loss="binary_cross_entropy", epochs=1, verbose=0)  # fmt: skip


def test_pyarrow_bool_predict_as_numpy_bools():
    m = _m()
    rows = [True, False, True]
    assert np.array_equal(m.predict(pa.array(rows)), m.predict(np.array(rows)))


def test_fit_many_takes_a_pyarrow_bool_y():
    X = np.eye(4)[:, :3]
    gn.fit_many([_m(), _m()], X, pa.array([True, False, True, False]),
                loss="binary_cross_entropy", epochs=1)  # fmt: skip


# ---------------------------------------------------- whole numbers past float32
X_BIG = np.array([[1700000001], [1700000060], [1700000100]])


def test_whole_numbers_past_float32_refused_at_predict_call_and_fit():
    m = nn.MLP([1, 1], output_activation="identity", rng=0)
    with pytest.raises(ValueError, match="whole number 1700000001 .* not exact in float32"):
        m(X_BIG)
    with pytest.raises(ValueError, match="predict: X holds the whole number 1700000001"):
        m.predict(X_BIG)
    with pytest.raises(ValueError, match="fit: X holds the whole number 1700000001"):
        gn.fit(m, X_BIG, np.array([0.0, 1.0, 2.0]), loss="mse", epochs=1, verbose=0)
    with pytest.raises(ValueError, match="fit: y holds the whole number 16777217"):
        gn.fit(m, np.zeros((3, 1)), np.array([16777217, 16777219, 16777221]), loss="mse",
               epochs=1, verbose=0)  # fmt: skip
    df = pd.DataFrame({"a": pd.array([2**24 + 1] * 3, dtype="Int64")})
    with pytest.raises(ValueError, match="not exact in float32"):
        gn.fit(m, df, np.zeros(3), loss="mse", epochs=1, verbose=0)


def test_whole_numbers_exact_in_the_dtype_pass():
    m = nn.MLP([1, 1], output_activation="identity", rng=0)
    small = np.array([[0], [1], [2**24], [-(2**24)], [2**25]])  # (2**25 is exact in float32)
    assert np.array_equal(m(small).data, m(small.astype(np.float32)).data)
    assert np.array_equal(m.predict(small), m.predict(small.astype(np.float32)))
    gn.fit(m, np.array([[0], [1], [1]]), np.array([0, 1, 1]), loss="mse", epochs=1, verbose=0)
    m64 = nn.MLP([1, 1], output_activation="identity", rng=0, dtype=gn.float64)
    assert np.array_equal(m64.predict(X_BIG), m64.predict(X_BIG.astype(np.float64)))


# ------------------------------------------------------------ scipy.sparse hints
def test_sparse_gets_the_toarray_hint_wherever_data_enters():
    sp = pytest.importorskip("scipy.sparse")
    C = sp.csr_matrix(np.eye(4))
    m = nn.MLP([4, 2], rng=0)
    for call in (
        lambda: gn.tensor(C),
        lambda: m(C),
        lambda: TensorDataset(C, np.arange(4)),
        lambda: DataLoader(C, batch_size=2),
    ):
        with pytest.raises(ValueError, match=r"scipy.sparse matrix; pass .*\.toarray\(\)"):
            call()


def test_dataloader_of_a_pyarrow_table_says_wrap_it():
    with pytest.raises(ValueError, match=r"pyarrow Table.*TensorDataset\(data\)"):
        DataLoader(pa.table({"a": [1.0, 2.0]}), batch_size=2)
    ds = TensorDataset(pa.table({"a": [1.0, 2.0]}))
    (batch,) = list(DataLoader(ds, batch_size=2))
    assert np.array_equal(np.asarray(batch[0].data).ravel(), [1.0, 2.0])


# ------------------------------------------------------- train_test_split of sparse X
@pytest.mark.parametrize("fmt", ["csr", "csc", "coo", "lil", "dok", "bsr", "dia", "csr_array"])
def test_train_test_split_splits_sparse_rows_in_their_format(fmt):
    sp = pytest.importorskip("scipy.sparse")
    from glassnet.preprocessing import train_test_split

    dense = np.arange(30.0).reshape(10, 3) * (np.arange(30).reshape(10, 3) % 4 == 0)
    X = sp.csr_array(dense) if fmt == "csr_array" else sp.csr_matrix(dense).asformat(fmt)
    y = np.arange(10)
    X_tr, X_te, y_tr, y_te = train_test_split(X, y, test_size=0.3, seed=0)
    assert type(X_tr) is type(X) and type(X_te) is type(X)
    assert X_tr.shape == (7, 3) and X_te.shape == (3, 3)
    assert np.array_equal(X_tr.toarray(), dense[y_tr])
    assert np.array_equal(X_te.toarray(), dense[y_te])


# ---------------------------------------------- containers of no rows, said in words
def test_fit_and_predict_say_what_container_was_given():
    m = nn.MLP([3, 2], rng=0)
    X = np.eye(3)
    with pytest.raises(ValueError, match=r"predict: X .* Got a generator .*pass list\(X\)"):
        m.predict(r for r in X)
    with pytest.raises(ValueError, match=r"X .* Got a list of dicts .*pd.DataFrame\(X\)"):
        gn.fit(m, [dict(a=1.0, b=0.0, c=0.0)] * 3, np.zeros(3), loss="mse", epochs=1, verbose=0)
    with pytest.raises(ValueError, match=r"X .* Got a dict .*pd.DataFrame\(X\)"):
        gn.fit(m, {"a": X[0], "b": X[1], "c": X[2]}, np.zeros(3), loss="mse", epochs=1,
               verbose=0)  # fmt: skip
    with pytest.raises(ValueError, match=r"y .* Got a set, which has no order"):
        gn.fit(m, X, {0.0, 1.0, 2.0}, loss="mse", epochs=1, verbose=0)


# ------------------------------------------------- a DataFrame's column names kept by fit
def _frame_fit():
    rng = np.random.default_rng(0)
    df = pd.DataFrame(rng.normal(size=(50, 3)), columns=["age", "income", "score"])
    y = (df.age > 0).astype(int)
    m = nn.MLP([3, 4, 1], output_activation="sigmoid", rng=0)
    gn.fit(m, df, y, loss="binary_cross_entropy", epochs=5, verbose=0)
    return m, df, y


def test_fit_records_the_columns_and_predict_refuses_another_order_or_names():
    m, df, y = _frame_fit()
    assert m.feature_names_in_ == ["age", "income", "score"]
    for other in (df[["score", "age", "income"]], df.rename(columns={"age": "AGE"})):
        with pytest.raises(ValueError, match=r"feature_names_in_\]"):
            m.predict(other)
        with pytest.raises(ValueError, match="fitted on columns"):
            m(other)
    with pytest.raises(ValueError, match="another order"):
        m.predict(df[["score", "age", "income"]])
    with pytest.raises(ValueError, match=r"lacks \['age'\] and has \['AGE'\]"):
        m.predict(df.rename(columns={"age": "AGE"}))
    shuffled = df[["score", "age", "income"]]
    assert np.array_equal(m.predict(shuffled[m.feature_names_in_]), m.predict(df))


def test_an_array_after_a_frame_fit_warns_at_predict_as_scikit_learn():
    m, df, _ = _frame_fit()
    with pytest.warns(UserWarning, match="has no column names"):
        out = m.predict(df.to_numpy())
    assert np.array_equal(out, m.predict(df))
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("error")
        m(df.to_numpy())  # (the PyTorch call: no names, no warning)
        m.predict(df)


def test_validation_data_and_a_second_fit_are_checked_against_the_columns():
    m, df, y = _frame_fit()
    with pytest.raises(ValueError, match=r"validation_data\[0\] is a DataFrame"):
        gn.fit(m, df, y, loss="binary_cross_entropy", epochs=1, verbose=0,
               validation_data=(df[["income", "age", "score"]], y))  # fmt: skip
    with pytest.raises(ValueError, match="fit: X is a DataFrame"):
        gn.fit(m, df[["income", "age", "score"]], y, loss="binary_cross_entropy", epochs=1,
               verbose=0)  # fmt: skip
    del m.feature_names_in_  # (the way out the message gives)
    gn.fit(m, df[["income", "age", "score"]], y, loss="binary_cross_entropy", epochs=1,
           verbose=0)  # fmt: skip
    assert m.feature_names_in_ == ["income", "age", "score"]


def test_fit_many_records_each_models_columns():
    rng = np.random.default_rng(0)
    df = pd.DataFrame(rng.normal(size=(20, 3)), columns=["a", "b", "c"])
    ms = [nn.MLP([3, 1], output_activation="sigmoid", rng=s) for s in (0, 1)]
    gn.fit_many(ms, df, (df.a > 0).astype(int), loss="binary_cross_entropy", epochs=1)
    assert [m.feature_names_in_ for m in ms] == [["a", "b", "c"]] * 2


def test_arrays_and_unnamed_frames_record_nothing():
    m = nn.MLP([2, 1], rng=0)
    gn.fit(m, np.zeros((4, 2)), np.zeros(4), loss="mse", epochs=1, verbose=0)
    gn.fit(m, pd.DataFrame(np.zeros((4, 2))), np.zeros(4), loss="mse", epochs=1, verbose=0)
    assert getattr(m, "feature_names_in_", None) is None


@pytest.mark.parametrize("how", ["gn.save", "save_model"])
def test_the_columns_are_kept_by_model_files(tmp_path, how):
    from glassnet import io

    m, df, _ = _frame_fit()
    path = tmp_path / "m.safetensors"
    if how == "gn.save":
        gn.save(m, path)
        back = gn.load(path)
    else:
        io.save_model(m, path)
        back = io.load_model(path)
    assert back.feature_names_in_ == ["age", "income", "score"]
    assert np.array_equal(back.predict(df), m.predict(df))
    with pytest.raises(ValueError, match="another order"):
        back.predict(df[["score", "age", "income"]])


def test_a_torch_bfloat16_tensor_gets_the_float_hint():
    torch = pytest.importorskip("torch")
    t = torch.ones(4, 3, dtype=torch.bfloat16)
    m = nn.MLP([3, 1], rng=0)
    for call in (
        lambda: gn.tensor(t),
        lambda: m(t),
        lambda: m.predict(t),
        lambda: gn.fit(m, t, np.zeros(4), loss="mse", epochs=1, verbose=0),
        lambda: TensorDataset(t),
    ):
        with pytest.raises(TypeError, match=r"bfloat16 tensor.*\.float\(\)"):
            call()
    assert np.array_equal(m.predict(t.float()), m.predict(np.ones((4, 3), np.float32)))


def test_dataloader_refuses_pandas_data_it_would_read_by_label():
    shuffled = pd.Series([0.0, 1.0, 2.0], index=[2, 1, 0])
    with pytest.raises(ValueError, match=r"row labelled i.*TensorDataset\(data\)"):
        DataLoader(shuffled, batch_size=2)
    with pytest.raises(ValueError, match="DataFrame, whose data"):
        DataLoader(pd.DataFrame({"a": [1.0, 2.0]}), batch_size=2)
    batches = list(DataLoader(TensorDataset(shuffled), batch_size=2))
    assert np.asarray(batches[0][0].data).tolist() == [0.0, 1.0]
    plain = list(DataLoader(pd.Series([0.0, 1.0, 2.0]), batch_size=2))  # (0..n-1: as before)
    assert np.asarray(getattr(plain[0], "data", plain[0])).tolist() == [0.0, 1.0]


# ------------------------------------------- the estimators predict sparse X by blocks
@pytest.mark.parametrize("kind", ["classifier", "regressor"])
def test_estimators_predict_sparse_x_by_blocks_with_the_bits_of_dense(kind, monkeypatch):
    sp = pytest.importorskip("scipy.sparse")
    pytest.importorskip("sklearn")
    import warnings

    import glassnet.sklearn as gsk

    rng = np.random.default_rng(0)
    X = sp.random(1000, 50, density=0.1, format="csr", random_state=0)
    y = (rng.random(1000) > 0.5).astype(int)
    est = gsk.MLPClassifier if kind == "classifier" else gsk.MLPRegressor
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # (max_iter=2: not converged)
        m = est(hidden_layer_sizes=(100,), max_iter=2, random_state=0).fit(X, y)
    dense = m.predict(X.toarray())
    calls = []
    real = gsk.row_blocks
    monkeypatch.setattr(gsk, "FORWARD_BYTES", 1 << 16)  # (blocks of 256 rows here)
    monkeypatch.setattr(gsk, "row_blocks", lambda *a: calls.append(a) or real(*a))
    assert np.array_equal(m.predict(X), dense)
    assert len(real(*calls[0])) > 3  # (several blocks were taken)
    if kind == "classifier":
        assert np.array_equal(m.predict_proba(X), m.predict_proba(X.toarray()))


# ---------------------------------------- model(ndarray): the cheap way, refusals kept
def test_a_float_or_bool_array_passes_model_input_as_it_is():
    from glassnet._validation import model_input

    m = nn.MLP([2, 1], output_activation="identity", rng=0)
    for x in (np.zeros((3, 2), np.float32), np.zeros((3, 2)), np.zeros((3, 2), bool)):
        assert model_input(x, m, np.float32) is x
    with pytest.raises(ValueError, match="not exact in float32"):
        m(np.array([[2**24 + 1, 1]]))  # (an int array is still checked)


def test_a_torch_int64_tensor_past_float32_is_refused_at_the_call():
    torch = pytest.importorskip("torch")
    m = nn.MLP([2, 1], output_activation="identity", rng=0)
    with pytest.raises(ValueError, match="whole number 16777217 .* not exact in float32"):
        m(torch.tensor([[2**24 + 1, 1]]))
    small = torch.tensor([[2**24, 1]])
    assert np.array_equal(m(small).data, m(np.float32([[2**24, 1]])).data)
    with pytest.raises(TypeError, match="bfloat16"):
        m(torch.zeros((1, 2), dtype=torch.bfloat16))


# ------------------------------------ a pyarrow Table's column names count as a frame's
def test_a_pyarrow_table_records_and_is_checked_against_the_columns():
    m, df, y = _frame_fit()
    swapped = pa.table({"income": df["income"], "age": df["age"], "score": df["score"]})
    with pytest.raises(ValueError, match=r"pyarrow Table .*another order.*X\.select\("):
        m.predict(swapped)
    with pytest.raises(ValueError, match="fitted on columns"):
        m(swapped)
    with pytest.raises(ValueError, match="fitted on columns"):
        gn.fit(m, swapped, y, loss="binary_cross_entropy", epochs=1, verbose=0)
    with pytest.raises(ValueError, match="fitted on columns"):
        m(pa.RecordBatch.from_pandas(df[["score", "age", "income"]], preserve_index=False))
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("error")  # (no false "no column names" warning)
        same = m.predict(pa.Table.from_pandas(df, preserve_index=False))
        assert np.array_equal(same, m.predict(df))
        assert np.array_equal(m.predict(swapped.select(m.feature_names_in_)), same)
    t = nn.MLP([3, 4, 1], output_activation="sigmoid", rng=0)
    gn.fit(t, swapped, y, loss="binary_cross_entropy", epochs=1, verbose=0)
    assert t.feature_names_in_ == ["income", "age", "score"]
    with pytest.raises(ValueError, match="DataFrame with columns"):
        t.predict(df)


# ---------------------------------------- fit's "no column names" warning: the user's line
def test_fits_no_column_names_warning_points_at_the_callers_line():
    import warnings

    m, df, y = _frame_fit()
    for call in (
        lambda: gn.fit(m, df.to_numpy(), y, loss="binary_cross_entropy", epochs=1, verbose=0),
        lambda: m.predict(df.to_numpy()),
    ):
        with warnings.catch_warnings(record=True) as seen:
            warnings.simplefilter("always")
            call()
        named = [w for w in seen if "has no column names" in str(w.message)]
        assert named and {w.filename for w in named} == {__file__}, [w.filename for w in named]


# ----------------------------- blocks of rows in float32: the numbers of one pass, to rounding
# A float32 product's rows need not have the same last bits in a block as in the product of
# all the rows (OpenBLAS 0.3.31's Haswell sgemm: most rows of a later block differ, wherever
# it starts), so float32 blocks are held to rounding (a few float32 ulps); float64 (dgemm)
# stays bit for bit in the tests beside this one.
F32_BLOCKS_RTOL = 1e-5  # (1.2e-6 seen at outputs near 1 of a 200-100-100 model: ~10 ulps)


def test_forward_rows_in_float32_blocks_agree_with_one_pass_to_rounding():
    from glassnet import tasks

    X = np.random.default_rng(0).standard_normal((3000, 200)).astype(np.float32)
    for dtype in (np.float32, np.float64):
        m = nn.MLP([200, 100, 100], activation="tanh", output_activation="identity", rng=0)
        m = m.to(dtype) if dtype is np.float64 else m
        whole = m(X.astype(dtype)).data
        assert len(tasks.row_blocks(3000, 640, [(200, 100), (100, 100)])) > 3
        blocks = tasks.forward_rows(m, X.astype(dtype), nbytes=640 * 3 * 200 * 4).data
        if dtype is np.float64:
            assert np.array_equal(blocks, whole)
        else:
            np.testing.assert_allclose(blocks, whole, rtol=F32_BLOCKS_RTOL, atol=1e-5)


def test_a_float32_estimator_predicts_sparse_x_by_blocks_to_rounding(monkeypatch):
    sp = pytest.importorskip("scipy.sparse")
    pytest.importorskip("sklearn")
    import warnings

    import glassnet.sklearn as gsk

    X = sp.random(3000, 50, density=0.1, format="csr", random_state=0)
    y = (np.random.default_rng(0).random(3000) > 0.5).astype(int)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # (max_iter=2: not converged)
        m = gsk.MLPClassifier(hidden_layer_sizes=(100,), max_iter=2, random_state=0,
                              dtype="float32").fit(X, y)  # fmt: skip
    dense = m.predict_proba(X.toarray())
    monkeypatch.setattr(gsk, "FORWARD_BYTES", 1 << 18)  # (blocks of 640 rows here)
    assert len(gsk.row_blocks(3000, (1 << 18) // 800, [(50, 100), (100, 1)])) > 3
    np.testing.assert_allclose(m.predict_proba(X), dense, rtol=F32_BLOCKS_RTOL, atol=1e-7)
