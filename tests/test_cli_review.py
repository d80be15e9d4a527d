"""Tests for glassnet.cli from a review of the command line's audit: a missing-cell text
with a '_' (N_A), numbers written with a leading zero, the repeated-rows warning on files
that repeat values by nature, long values that differ in the middle, decomposed text."""

from __future__ import annotations

import numpy as np
from cli_helpers import FAST, HEADER, rows, run, warnings, write_csv

# ---------------------------------------------------------------- 1. N_A marks missing cells


def ages_with_n_a(tmp_path):
    """A whole-number column 'age' whose missing cells are written N_A (a '_' in a text that
    --missing names, not digits grouped by '_')."""
    rng = np.random.default_rng(3)
    table = []
    for i in range(80):
        age, income = int(rng.integers(18, 80)), int(rng.integers(20000, 90000))
        table.append(["N_A" if i % 9 == 0 else age, income, "y" if age > 45 else "n"])
    return write_csv(tmp_path / "na.csv", ["age", "income", "label"], table)


def test_a_missing_marker_with_an_underscore_keeps_a_number_column_numeric(capsys, tmp_path):
    """--missing N_A: 'age' was read as text (one-hot, imputed by the most frequent value)
    because N_A holds a '_'; it is a number column with mean imputation."""
    data, model = ages_with_n_a(tmp_path), tmp_path / "m.glassnet"
    code, out, err = run(
        capsys, "train", data, "--target", "label", "--missing", "N_A", "--impute", "mean",
        "--out", model, *FAST[:-1],
    )  # fmt: skip
    assert code == 0, err
    assert "2 feature columns (2 numeric, 0 categorical) -> 2 inputs" in out, out
    assert "age (9, mean)" in out, out
    code, out, err = run(capsys, "info", model)
    assert code == 0, err
    assert "categorical" not in [
        w for line in out.splitlines() if "age" in line for w in line.split()
    ]
    for argv in (["predict", model, data], ["evaluate", model, data]):
        code, out, err = run(capsys, *argv)
        assert code == 0, err
        assert "declared categorical" not in err


# ---------------------------------------------------------------- 2. leading zeros in a target


def scores(tmp_path, typo_only: bool = False):
    """Scores 0-100 written zero-padded (074 beside 100), or prices with one typed 0133207:
    numbers."""
    rng = np.random.default_rng(5)
    table = []
    for i in range(200):
        hours = float(rng.uniform(0, 10))
        if typo_only:
            price = int(50000 + 9000 * hours + rng.integers(0, 1000))
            table.append([f"{hours:.2f}", f"0{price}" if i == 7 else price])
        else:
            score = 100 if i % 50 == 0 else min(100, int(9 * hours + rng.integers(0, 10)))
            table.append([f"{hours:.2f}", f"{score:03d}"])  # 074 beside 100
    return write_csv(tmp_path / "scores.csv", ["hours", "y"], table)


def test_zero_padded_numbers_with_many_values_stay_a_regression(capsys, tmp_path):
    """074 made the target text: 87 classes of scores, 198 classes of prices; they are
    numbers, as without the zeros, with a warning naming the flags that keep them."""
    for typo in (False, True):
        data = scores(tmp_path, typo)
        out_ = ["--out", tmp_path / "m.glassnet", "--force"]
        code, out, err = run(capsys, "train", data, "--target", "y", *out_, *FAST[:-1])
        assert code == 0, err
        assert "task      regression of 'y' (inferred)" in out, out
        said = [x for x in err.splitlines() if "leading zeros" in x]
        assert len(said) == 1 and said[0].startswith("glassnet: warning: "), err
        assert "--categorical y" in said[0] and "--task multiclass" in said[0], said
        code, out, err = run(capsys, "train", data, "--target", "y", "--stream", *out_, *FAST[:-1])
        assert code == 0, err
        assert "regression of 'y'" in out, out


def test_zero_padded_numbers_are_classes_when_asked(capsys, tmp_path):
    data = scores(tmp_path)
    code, out, err = run(
        capsys, "train", data, "--target", "y", "--task", "multiclass",
        "--out", tmp_path / "m.glassnet", *FAST[:-1],
    )  # fmt: skip
    assert code == 0, err
    assert "classes: 000, 001" in out or "classes: 00" in out, out


# ---------------------------------------------------------------- 3-4. repeated rows


def test_rows_are_compared_by_hash_not_by_sorting_the_whole_table(capsys, tmp_path, monkeypatch):
    """np.unique over whole float64 rows doubled the peak memory (100,000 rows x 402 inputs:
    774 MB -> 1,521 MB): rows are hashed to 64 bits instead; np.unique never sees a row."""
    import glassnet.cli as cli

    seen = []
    real = np.unique

    def unique(a, *args, **kwargs):
        seen.append((np.asarray(a).dtype, np.asarray(a).ndim))
        return real(a, *args, **kwargs)

    monkeypatch.setattr(cli.np, "unique", unique)
    table = rows(60) * 2  # a file written twice: the warning still comes
    data = write_csv(tmp_path / "twice.csv", HEADER, table)
    code, _, err = run(capsys, "train", data, "--target", "label", "--out", tmp_path / "m", *FAST)
    monkeypatch.undo()
    assert code == 0, err
    assert [w for w in warnings(err) if "repeat a training row" in w], err
    assert not [d for d, ndim in seen if d.kind == "V" or ndim > 1], seen


def test_a_hash_match_is_confirmed_on_the_row_itself():
    """Rows that hash alike but differ are no repeat (the hash is only a first sieve)."""
    import glassnet.cli as cli

    X = np.array([[1.0, 2.0], [1.0, 2.0], [3.0, 4.0], [5.0, 6.0]])
    y = np.zeros(4)
    h = cli._row_hashes(X, y[:, None])
    assert h[0] == h[1] and len(set(h.tolist())) == 3
    X2 = np.array([[-0.0, 1.0], [0.0, 1.0]])
    h2 = cli._row_hashes(X2, np.zeros((2, 1)))
    assert h2[0] == h2[1]  # -0.0 and 0.0 are one value, as == says
    assert (
        cli._row_hashes(np.array([[1.0, 2.0]]), np.zeros((1, 1)))[0]
        != cli._row_hashes(np.array([[2.0, 1.0]]), np.zeros((1, 1)))[0]
    )  # (the order of the columns matters)


def legit_repeats(tmp_path):
    """Files whose feature values repeat by nature, the targets differing: dose levels times
    replicates (a measured response), a binary outcome per dose, a price fixed by its
    product. (A feature rounded to 1 decimal whose values are more than half of the
    distinct records is warned of: its held-out rows are records the model saw.)"""
    rng = np.random.default_rng(4)
    dose = [[d, f"{0.3 * d + rng.normal():.3f}"] for d in rng.integers(0, 10, 200).tolist()]
    alive = [
        [d, "yes" if rng.random() < d / 10 else "no"] for d in rng.integers(0, 10, 200).tolist()
    ]
    prices = {f"p{i}": f"{rng.uniform(5, 50):.2f}" for i in range(12)}
    shop = []
    for p in rng.choice(sorted(prices), 300).tolist():
        shop.append([p, prices[p], "y" if rng.random() < 0.3 else "n"])
    return [
        (write_csv(tmp_path / "dose.csv", ["dose", "response"], dose), "response"),
        (write_csv(tmp_path / "alive.csv", ["dose", "alive"], alive), "alive"),
        (write_csv(tmp_path / "shop.csv", ["product", "price", "returned"], shop), "returned"),
    ]


def test_values_that_repeat_by_nature_are_not_warned_of(capsys, tmp_path):
    """The warning fired on dose levels x replicates and a price fixed by its product, and
    its advice (drop_duplicates) removed no row there."""
    for data, target in legit_repeats(tmp_path):
        code, _, err = run(
            capsys, "train", data, "--target", target, "--out", tmp_path / "m.glassnet",
            "--force", *FAST,
        )  # fmt: skip
        assert code == 0, (data, err)
        assert not [w for w in warnings(err) if "repeat a training row" in w], (data.name, err)


def test_the_advice_to_drop_copies_is_conditional(capsys, tmp_path):
    data = write_csv(tmp_path / "twice.csv", HEADER, rows(60) * 2)
    code, _, err = run(capsys, "train", data, "--target", "label", "--out", tmp_path / "m", *FAST)
    assert code == 0, err
    said = [w for w in warnings(err) if "repeat a training row" in w]
    assert len(said) == 1 and "if the file holds copies of rows" in said[0], err
    assert "its feature values and its target" in said[0]


# ---------------------------------------------------------------- 5. long values told apart


def urls(tmp_path):
    base = "https://shop.example.com/catalog/electronics/computers/laptops/ultrabooks/item-{}-details/reviews?ref=homepage"
    rng = np.random.default_rng(1)
    table = [[base.format(i % 3), f"{rng.normal():.3f}", "y" if i % 2 else "n"] for i in range(60)]
    train = write_csv(tmp_path / "urls.csv", ["page", "x", "bought"], table)
    new = write_csv(tmp_path / "new.csv", ["page", "x"], [[base.format(7), "0.1"]])
    return train, new


def test_long_values_that_differ_in_the_middle_are_shown_apart(capsys, tmp_path):
    """URLs differing in the middle printed identically ('https://...lapt...=homepage')."""
    train, new = urls(tmp_path)
    model = tmp_path / "m.glassnet"
    code, _, err = run(capsys, "train", train, "--target", "bought", "--out", model, *FAST)
    assert code == 0, err
    code, _, err = run(capsys, "predict", model, new)
    assert code == 2
    for i in (7, 0, 1, 2):
        assert f"item-{i}-details" in err, err
    assert len(err) < 1000, err


def test_shown_apart_keeps_where_values_differ():
    from glassnet.cli import _shown_apart

    a, b = "x" * 150 + "A" + "y" * 150, "x" * 150 + "B" + "y" * 150
    shown = _shown_apart([a, b])
    assert shown[0] != shown[1] and all(len(s) < 120 for s in shown), shown
    assert "xA" in shown[0] and "xB" in shown[1], shown
    assert _shown_apart(["q" * 300])[0].endswith("(300 characters)")


def test_a_long_path_the_user_gave_is_shown_whole(capsys, tmp_path):
    """A path argument of 200+ characters was cut in the error that names it."""
    deep = tmp_path / ("d" * 120) / ("e" * 120)
    deep.mkdir(parents=True)
    path = str(deep / "data.csv")
    code, _, err = run(capsys, "train", path, "--target", "y")
    assert code == 2
    assert path in err, err
    code, _, err = run(capsys, "predict", str(deep / "m.glassnet"), path)
    assert code == 2
    assert str(deep / "m.glassnet") in err or path in err, err


# ---------------------------------------------------------------- 6. decomposed text


def test_decomposed_text_escapes_only_its_combining_marks():
    """ascii() of any non-NFC text printed decomposed Korean as \\u1103\\u1162... and an
    11,400-character decomposed cell as a 17.6 KB line: only combining marks are escaped,
    and the escaped text is abridged."""
    import unicodedata

    from glassnet.preprocessing import visible_text

    korean = unicodedata.normalize("NFD", "대구")
    assert korean != "대구"
    assert "\\u11" not in visible_text(korean), visible_text(korean)
    assert visible_text(unicodedata.normalize("NFD", "Café")) == "'Cafe\\u0301'"
    long = unicodedata.normalize("NFD", "crème brûlée " * 900)
    shown = visible_text(long)
    assert len(shown) < 120 and "\\u0300" in shown and f"({len(long):,} characters)" in shown


# ---------------------------------------------------------------- 7. MPI_Abort, train only


class _FakeMPI:
    """mpi4py's MPI module as _end_the_job uses it: Abort recorded, not run."""

    def __init__(self):
        self.aborted = []
        fake = self

        class _World:
            def Abort(self, code):  # noqa: N802 (mpi4py's name)
                fake.aborted.append(code)

        self.COMM_WORLD = _World()

    def Is_finalized(self):  # noqa: N802
        return False


def _under_mpiexec(monkeypatch, mpi):
    import sys
    import types

    import glassnet.cli as cli

    monkeypatch.setattr(cli._distributed, "launched", lambda: (1, 2))
    monkeypatch.setattr(cli._distributed, "install", lambda: None)  # (no hooks in pytest)
    module = types.ModuleType("mpi4py")
    if isinstance(mpi, Exception):

        def fail(name):
            raise mpi

        module.__getattr__ = fail
    else:
        module.MPI = mpi
    monkeypatch.setitem(sys.modules, "mpi4py", module)
    return cli


def test_only_train_ends_an_mpi_job(monkeypatch, capsys):
    """Every subcommand's error under mpiexec aborted the job ('Abort(2) on node N' from each
    rank); only train's fit waits on the other ranks, so only train tells them
    (glassnet.distributed.end_rank), and aborts only when they do not answer."""
    mpi = _FakeMPI()
    cli = _under_mpiexec(monkeypatch, mpi)
    told = []
    answer = {"value": "report"}
    monkeypatch.setattr(cli._distributed, "end_rank", lambda e: told.append(e) or answer["value"])
    exc = FileNotFoundError("missing.csv")
    failure = ("no such file: missing.csv", 2)
    for command in ("predict", "evaluate", "info", "export", "explain"):
        assert cli._end_the_job(exc, failure, command) == 2
    assert told == [] and mpi.aborted == []
    assert capsys.readouterr().err.count("no such file: missing.csv") == 5
    assert cli._end_the_job(exc, failure, "train") == 2  # told, then reported
    assert told == [exc] and mpi.aborted == []
    assert "no such file: missing.csv" in capsys.readouterr().err
    answer["value"] = "quiet"  # another rank reports it: this one prints nothing
    assert cli._end_the_job(exc, failure, "train") == 2
    assert capsys.readouterr().err == "" and mpi.aborted == []
    answer["value"] = "abort"  # the others did not answer: reported, then MPI_Abort
    assert cli._end_the_job(exc, failure, "train") == 2
    assert "no such file: missing.csv" in capsys.readouterr().err and mpi.aborted == [2]


def test_an_mpi_that_fails_to_load_leaves_the_exit_to_the_status(monkeypatch, capsys):
    """`from mpi4py import MPI` caught only ImportError: an MPI library that fails to load
    (RuntimeError) replaced the one error line with a traceback."""
    cli = _under_mpiexec(monkeypatch, RuntimeError("cannot load libmpi.so"))
    exc = FileNotFoundError("missing.csv")
    assert cli._end_the_job(exc, ("no such file: missing.csv", 2)) == 2  # (train: the default)
    err = capsys.readouterr().err
    assert "no such file: missing.csv" in err and "Traceback" not in err


# ---------------------------------------------------------------- 10. bands such as 100_200


def test_bands_grouped_in_threes_are_text_as_documented(capsys, tmp_path):
    """100_200, 200_500 (spending bands) were refused as numbers with a thousands separator,
    though bands a_b (a < b) are text; a column of amounts (salaries 140_000) is refused as
    numbers with a thousands separator, as 1_000 among plain numbers is
    (tests/test_cli_audit5.py)."""
    rng = np.random.default_rng(6)
    names = ["100_200", "200_500", "500_900"]
    table = []
    for _ in range(60):
        b = int(rng.integers(0, 3))
        table.append([f"{rng.normal():.3f}", names[b], names[b]])
    data = write_csv(tmp_path / "bands.csv", ["x", "spend", "label"], table)
    out_ = ["--out", tmp_path / "m.glassnet", "--force"]
    code, out, err = run(capsys, "train", data, "--target", "label", *out_, *FAST[:-1])
    assert code == 0, err
    assert "3 classes: 100_200, 200_500, 500_900" in out, out
    assert "(1 numeric, 1 categorical)" in out, out
    assert not [w for w in warnings(err) if "'_'" in w], err
    salaries = [[f"{int(k)}_000", "hi" if k > 80 else "lo"] for k in rng.integers(20, 200, 80)]
    data = write_csv(tmp_path / "salary.csv", ["salary", "y"], salaries)
    code, out, err = run(capsys, "train", data, "--target", "y", *out_, *FAST[:-1])
    assert code == 2, err  # (amounts, not bands a_b with a < b: the thousands' error)
    assert "thousands separator" in err and "--categorical salary" in err, err


def test_an_abridged_text_never_cuts_an_escape_in_two():
    """The end kept of an abridged text began inside an escape ('u0301abcd'), showing a
    text the file does not hold."""
    import unicodedata

    from glassnet.preprocessing import visible_text

    value = unicodedata.normalize("NFD", "q" * 200 + "é" + "abcd")
    shown = visible_text(value)
    assert shown.endswith("\\u0301abcd' (206 characters)"), shown
