"""Round 22, fix8: fuzz22's defects 7-11 (functional sample_weight dtypes, a model file's
categorical fill, an empty .gz in the CLI, the threads bound, dtype=None in stream)."""

from pathlib import Path

import numpy as np
import pytest
from cli_helpers import assert_one_line_error, run

import glassnet as gn
import glassnet.functional as F


@pytest.mark.parametrize("loss", ["mse", "binary_cross_entropy_with_logits"])
def test_functional_sample_weight_text_and_bools_refused(loss):
    b = gn.tensor(np.array([0.1, -0.2, 0.3, 0.0], dtype="float32"))
    t = np.array([0, 1, 1, 0.0])
    with pytest.raises(ValueError, match="sample_weight must be numeric"):
        getattr(F, loss)(b, t, sample_weight=["a", "b", "c", "d"])
    with pytest.raises(TypeError, match="holds bools.*True is no weight"):
        getattr(F, loss)(b, t, sample_weight=[True, True, True, True])


def test_cross_entropy_sample_weight_text_refused():
    x = gn.tensor(np.zeros((2, 3), dtype="float32"))
    with pytest.raises(ValueError, match="sample_weight must be numeric"):
        F.cross_entropy(x, np.array([0, 1]), sample_weight="ab")


@pytest.mark.parametrize("fill", ["never-seen", ""])
def test_preprocessor_from_dict_refuses_a_fill_outside_the_categories(fill):
    from glassnet.datasets import Table
    from glassnet.preprocessing import Preprocessor

    t = Table({"size": ["1", "3"], "color": ["red", "blue"], "y": ["0", "1"]}, target="y")
    d = Preprocessor().fit(t).to_dict()
    Preprocessor.from_dict(d)  # (as written: loads)
    d["fill"] = {"color": fill}
    with pytest.raises(ValueError, match=r"'fill\.color' is .*not one of the categories"):
        Preprocessor.from_dict(d)


@pytest.mark.parametrize("extra", [(), ("--stream",)], ids=["memory", "stream"])
def test_cli_an_empty_gz_file_is_said_empty(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, extra: tuple[str, ...]
) -> None:
    data = tmp_path / "zero.csv.gz"
    data.write_bytes(b"")  # (a failed download: not "name it without .gz")
    out = tmp_path / "m.glassnet"
    code, _, err = run(capsys, "train", data, "--target", "label", *extra, "--out", out)
    assert code == 2
    assert_one_line_error(err, str(data), "is empty")
    assert "without .gz" not in err


def test_threads_over_the_bound_refused_by_every_reader() -> None:
    from glassnet import threads
    from glassnet._validation import ParameterError

    for f in (threads.blas_threads, threads.explain):
        with pytest.raises(ParameterError, match=r"2\*\*31 - 1"):
            f([3, 4, 2], 32, 10**30)
    with pytest.raises(ParameterError, match=r"of limit .*2\*\*31 - 1"):
        with threads.limit([3, 4, 2], 32, 10**30):
            pass
    assert threads.blas_threads([3, 4, 2], 32, 3) == 3


def test_estimator_names_itself_for_too_many_threads() -> None:
    from glassnet._validation import ParameterError
    from glassnet.sklearn import MLPClassifier

    X, y = np.random.default_rng(0).random((20, 3)), np.arange(20) % 2
    with pytest.raises(ParameterError, match="parameter of MLPClassifier"):
        MLPClassifier(threads=10**30, max_iter=2).fit(X, y)
    threadpoolctl = pytest.importorskip("threadpoolctl")
    apis = {i.get("internal_api") for i in threadpoolctl.threadpool_info()}
    if "openblas" not in apis:  # (OpenBLAS caps a count at its build's, 64 or so)
        pytest.skip("the BLAS's own cap is OpenBLAS's here")
    with pytest.raises(ParameterError, match="parameter of MLPClassifier asks for 99999"):
        MLPClassifier(threads=99999, max_iter=2).fit(X, y)


def test_stream_dtype_none_is_the_default_float32(tmp_path: Path) -> None:
    import glassnet.stream as gs

    pc = pytest.importorskip("pyarrow.csv")
    path = tmp_path / "d.csv"
    path.write_text("a,b,label\n" + "".join(f"{i},{i % 3},{i % 2}\n" for i in range(12)))
    stream = gs.from_csv(str(path), "label", dtype=None)
    assert next(stream.chunks())[0].dtype == np.float32
    X, _ = stream.columns.transform(pc.read_csv(str(path)), dtype=None)
    assert X.dtype == np.float32
