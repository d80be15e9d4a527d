"""Round 22, fix11: review_i's defects 1, 2 and 4 (numbers held as objects for
sample_weight, MLP sizes as a range or NumPy array, a .gz file cut off in its magic)."""

import decimal
import fractions
import random
from pathlib import Path

import numpy as np
import pytest
from cli_helpers import assert_one_line_error, run

import glassnet as gn
import glassnet.functional as F
from glassnet.micrograd.nn import MLP


def _bt():
    b = gn.tensor(np.random.default_rng(0).normal(size=4).astype("float32"))
    return b, np.array([0, 1, 1, 0.0])


@pytest.mark.parametrize(
    "w",
    [
        np.array([1.0, 2.0, 1.0, 1.0], dtype=object),  # (df[col].values of an object column)
        np.array([1, 2.0, decimal.Decimal(1), fractions.Fraction(1)], dtype=object),
        [decimal.Decimal("1"), 2.0, 1, np.float32(1)],
    ],
)
def test_sample_weight_of_numbers_held_as_objects_is_taken(w):
    b, t = _bt()
    want = F.mse(b, t, sample_weight=np.array([1.0, 2.0, 1.0, 1.0])).data
    assert float(F.mse(b, t, sample_weight=w).data) == pytest.approx(float(want))


@pytest.mark.parametrize(
    "w, kind, words",
    [
        (np.array([1.0, "2", 1, 1], dtype=object), ValueError, "must be numeric.*'2'"),
        (np.array([1.0, True, 1, 1], dtype=object), TypeError, "holds bools"),
        (np.array([1.0, None, 1, 1], dtype=object), ValueError, "must be numeric.*None"),
        (np.array([1.0, 1j, 1, 1], dtype=object), ValueError, "must be numeric.*1j"),
    ],
)
def test_sample_weight_objects_not_real_numbers_are_refused(w, kind, words):
    b, t = _bt()
    with pytest.raises(kind, match=words):
        F.mse(b, t, sample_weight=w)


def test_class_weight_and_sample_weight_take_the_same_object_array():
    w = np.array([1.0, 2.0], dtype=object)
    assert gn.nn.CrossEntropyLoss(weight=w).weight.tolist() == [1.0, 2.0]
    x = gn.tensor(np.zeros((2, 2), np.float32))
    F.cross_entropy(x, np.array([0, 1]), sample_weight=w)  # (no error)


@pytest.mark.parametrize(
    "nouts", [range(3, 5), np.array([3, 4]), np.arange(3, 5), (3, 4), np.array([3, 4], np.int8)]
)
def test_mlp_sizes_in_any_ordered_sequence_or_1d_int_array_build(nouts):
    random.seed(3)
    a = MLP(2, [3, 4])
    random.seed(3)
    b = MLP(2, nouts)
    assert [p.data for p in a.parameters()] == [p.data for p in b.parameters()]
    assert repr(a) == repr(b)


@pytest.mark.parametrize(
    "nouts, kind, words",
    [
        ({3: 0, 4: 0}.keys(), TypeError, "'nouts'.*dict_keys"),
        (iter([3, 4]), TypeError, "'nouts'.*list_iterator"),
        (b"\x03\x04", TypeError, "'nouts'.*bytes"),
        (range(0), TypeError, "'nouts'.*empty"),
        (np.array([], int), TypeError, "'nouts'.*empty"),
        (np.array([[3, 4]]), TypeError, "'nouts'.*ndarray"),
        (np.array([3.0, 4.0]), ValueError, r"'nouts\[0\]'.*Got 3.0"),
        (np.array([True, True]), ValueError, r"'nouts\[0\]'.*Got True"),
        (range(1, 10**30), ValueError, "over the 1000000 "),
        (range(10**30), ValueError, r"'nouts\[0\]'.*Got 0"),
    ],
)
def test_mlp_sizes_unordered_one_shot_or_odd_still_refused(nouts, kind, words):
    with pytest.raises(kind, match=words):
        MLP(2, nouts)


@pytest.mark.parametrize("extra", [(), ("--stream",)], ids=["memory", "stream"])
def test_cli_a_gz_file_cut_off_in_its_magic_is_said_cut_off(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, extra: tuple[str, ...]
) -> None:
    data = tmp_path / "one.csv.gz"
    data.write_bytes(b"\x1f")  # (a download cut off after gzip's first byte)
    out = tmp_path / "m.glassnet"
    code, _, err = run(capsys, "train", data, "--target", "label", *extra, "--out", out)
    assert code == 2
    assert_one_line_error(err, str(data), "cut off or damaged")
    assert "without .gz" not in err


def test_stream_fit_a_gz_file_cut_off_in_its_magic_is_said_cut_off(tmp_path: Path) -> None:
    from glassnet.stream import not_gzip

    assert "cut off or damaged" in not_gzip("one.csv.gz", b"\x1f")
    assert "without .gz" in not_gzip("one.csv.gz", b"\x1e")


@pytest.mark.parametrize(
    "item, shown",
    [(10**400, r"1000000.*at index \(1,\), beyond the range"), (decimal.Decimal("sNaN"), "sNaN")],
)
def test_sample_weight_objects_without_a_float_value_are_refused_in_words(item, shown):
    b, t = _bt()
    w = np.array([1, item, 1, 1], dtype=object)
    with pytest.raises(ValueError, match=f"mse.*sample_weight must hold finite weights.*{shown}"):
        F.mse(b, t, sample_weight=w)
