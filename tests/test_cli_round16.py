"""The command line (round 16): an old Macintosh file (bare CR line ends) read with
--stream, one delimiter rule for every reading, a comment line amid the rows, class
names that hold a comma, --hidden 0, docs/cli.md's explain output; and
preprocessing.train_test_split with scikit-learn's random_state= and shuffle=."""

from __future__ import annotations

import io
import random
import re
from pathlib import Path

import numpy as np
import pytest
from cli_helpers import FAST, HEADER, assert_one_line_error, rows, run, write_csv

import glassnet.cli as cli

# ---------------------------------------------------------- 1. bare CR lines, --stream


def cr_file(tmp_path, n: int = 200):
    """The audits' table with a blank line amid it, its lines ended by a bare CR."""
    table = [",".join(HEADER)] + [",".join(r) for r in rows(n)]
    table.insert(60, "")
    path = tmp_path / "mac.csv"
    path.write_bytes(("\r".join(table) + "\r").encode())
    return path


def test_predict_stream_reads_a_bare_cr_file_as_in_memory(capsys, tmp_path):
    """The same predictions and the same note as in memory (it said '1 lines', '-200 blank')."""
    data = write_csv(tmp_path / "d.csv", HEADER, rows(200))
    model = tmp_path / "m.glassnet"
    assert run(capsys, "train", data, "--target", "label", *FAST, "--out", model)[0] == 0
    mac = cr_file(tmp_path)
    code, _, err = run(capsys, "predict", model, mac, "--out", tmp_path / "a.csv")
    assert code == 0, err
    code, _, err2 = run(
        capsys, "predict", model, mac, "--stream", "--chunk-rows", "7", "--out", tmp_path / "b.csv"
    )
    assert code == 0, err2
    assert (tmp_path / "a.csv").read_bytes() == (tmp_path / "b.csv").read_bytes()
    assert "200 rows from 202 lines (1 header, 1 blank)" in err, err
    assert err2 == err
    code, out, _ = run(capsys, "evaluate", model, mac, "--stream", "--chunk-rows", "7")
    assert code == 0 and "read 200 rows from 202 lines (1 header, 1 blank)" in out, out


def test_stream_blocks_of_a_bare_cr_file_are_bounded(monkeypatch):
    """A bare-CR file is cut into blocks of --chunk-rows lines, not read as one line."""
    monkeypatch.setattr(cli, "_SNIFFED_BYTES", 0)
    text = b"a,b\r" + b"".join(b"%d,%d\r" % (i, i) for i in range(100))
    blocks = list(cli._LineBlocks(io.BytesIO(text), 10, ","))
    assert len(blocks) == 10, [len(b[2]) for b in blocks]
    assert [b[0] for b in blocks[:3]] == [1, 12, 22]
    assert b"".join(line for b in blocks for line in b[2]) == text


@pytest.mark.parametrize("size", [1, 2, 3, 5, 64])
def test_file_lines_cut_as_the_in_memory_reader(size):
    """\\n, \\r\\n and a bare \\r each end a line, a \\r\\n split across two reads one end."""
    rng = random.Random(size)
    for _ in range(300):
        data = bytes(rng.choice(b"ab\r\n,") for _ in range(rng.randint(0, 40)))
        want = [x.encode() for x in io.StringIO(data.decode(), newline="")]
        assert list(cli._file_lines(io.BytesIO(data), size)) == want, data


# ----------------------------------------------- 2. one delimiter rule, --stream or not


def euro_header(tmp_path, decimal: str):
    """A ';' file whose header row names a column 'income, EUR' (a comma inside a name)."""
    rng = random.Random(3)
    lines = ["age;income, EUR;city;buy"]
    for _ in range(120):
        income = f"{rng.uniform(30000, 70000):.2f}".replace(".", decimal)
        lines.append(
            f"{rng.randint(18, 70)};{income};{rng.choice('KMZ')};{rng.choice(['Yes', 'No'])}"
        )
    path = tmp_path / f"euro{'c' if decimal == ',' else 'p'}.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


@pytest.mark.parametrize("decimal", [",", "."])
def test_train_stream_sniffs_the_delimiter_as_in_memory(capsys, tmp_path, decimal):
    """train --stream read the header 'income, EUR' as split by ',' (the decimal mark, or
    a comma file's): refused the --decimal, or blamed rows that are fine; now ';' as in
    memory and as predict --stream."""
    data = euro_header(tmp_path, decimal)
    opts = ["--target", "buy", "--decimal", decimal, *FAST]
    code, out, err = run(capsys, "train", data, *opts, "--out", tmp_path / "m.glassnet")
    assert code == 0, err
    assert "3 feature columns" in out, out
    code, out, err = run(capsys, "train", data, *opts, "--stream", "--out", tmp_path / "s.glassnet")
    assert code == 0, err
    assert "3 feature columns" in out, out
    code, out, _ = run(capsys, "info", tmp_path / "s.glassnet")
    assert code == 0 and "income, EUR" in out, out


def test_stream_csv_delimiter_is_never_the_decimal_mark_another_splits(tmp_path):
    """stream.csv_delimiter gave ',' for 'id;income, EUR;buy' with decimal=','."""
    from glassnet.stream import csv_delimiter

    data = euro_header(tmp_path, ",")
    assert csv_delimiter(data, ",") == ";"
    only = tmp_path / "only.csv"
    only.write_text("a,b\n1,2\n")
    assert csv_delimiter(only, ",") == ","  # (nothing else splits it: from_csv refuses it)


# ------------------------------------------------------ 3. a comment line amid the rows


def commented(tmp_path, every: int = 50):
    """The audits' table with '# exported by tool' before every ``every``-th row."""
    lines = [",".join(HEADER)]
    for i, r in enumerate(rows(200)):
        if i % every == 0:
            lines.append("# exported by tool")
        lines.append(",".join(r))
    path = tmp_path / "comment.csv"
    path.write_text("\n".join(lines) + "\n")
    return path


@pytest.mark.parametrize("stream", [False, True])
def test_a_comment_line_amid_the_rows_is_named(capsys, tmp_path, stream):
    """It said 'has 1 field(s) ... a missing or extra ','' (in memory) and 'give every row
    one cell per column' (--stream): now its line, its text, how many, what to do."""
    data = commented(tmp_path)
    more = ["--stream"] if stream else []
    code, _, err = run(capsys, "train", data, "--target", "label", *FAST, *more)
    assert code == 2
    assert_one_line_error(
        err, "line 2 of ", "is a comment line, '# exported by tool'",
        "(one of 4 lines that start with '#')", "remove them", "grep -v",
    )  # fmt: skip
    assert "field(s)" not in err and "cell per column" not in err


@pytest.mark.parametrize("command", ["predict", "evaluate"])
def test_a_comment_line_in_a_later_block_of_stream_is_named(capsys, tmp_path, monkeypatch, command):
    """predict and evaluate --stream: its line and count the file's, not the block's."""
    data = write_csv(tmp_path / "d.csv", HEADER, rows(200))
    model = tmp_path / "m.glassnet"
    assert run(capsys, "train", data, "--target", "label", *FAST, "--out", model)[0] == 0
    monkeypatch.setattr(cli, "_SNIFFED_BYTES", 64)
    lines = data.read_text().splitlines()
    lines[150:150] = ["# part two, exported by tool"]
    lines[20:20] = ["# part one"]
    data.write_text("\n".join(lines) + "\n")
    code, _, err = run(capsys, command, model, data, "--stream", "--chunk-rows", "10")
    assert code == 2
    assert_one_line_error(
        err, f"line 21 of '{data}' is a comment line, '# part one' (one of 2 lines"
    )
    lines[20:21] = []
    data.write_text("\n".join(lines) + "\n")
    code, _, err = run(capsys, command, model, data, "--stream", "--chunk-rows", "10")
    assert_one_line_error(err, f"line 151 of '{data}' is a comment line, '# part two, exported")


# ------------------------------------------------------- 4. class names with a comma


def verdicts(tmp_path):
    rng = random.Random(4)
    names = ['No "never"', "Yes, definitely", "maybe"]
    table = [[f"{rng.random():.3f}", rng.choice(names)] for _ in range(90)]
    return write_csv(tmp_path / "lab.csv", ["x", "verdict"], table)


def test_class_names_with_a_comma_are_listed_csv_quoted(capsys, tmp_path):
    """'3 classes: No "never", Yes, definitely, maybe' read as 4 names: now CSV-quoted,
    in train's summary and in glassnet info."""
    data, model = verdicts(tmp_path), tmp_path / "m.glassnet"
    code, out, err = run(capsys, "train", data, "--target", "verdict", *FAST, "--out", model)
    assert code == 0, err
    want = '3 classes: "No ""never""", "Yes, definitely", maybe'
    assert want in out, out
    code, out, _ = run(capsys, "info", model)
    assert code == 0 and want in out, out


def test_classes_takes_csv_quoted_names(capsys, tmp_path):
    """--classes split at every comma: a class holding one could not be named at all."""
    data, model = verdicts(tmp_path), tmp_path / "m.glassnet"
    given = 'maybe, "Yes, definitely","No ""never"""'
    code, out, err = run(
        capsys, "train", data, "--target", "verdict", *FAST, "--classes", given, "--out", model
    )
    assert code == 0, err
    assert 'classes: maybe, "Yes, definitely", "No ""never"""' in out, out
    code, out, _ = run(capsys, "predict", model, data, "--proba")
    assert out.splitlines()[0] == 'verdict,p(maybe),"p(Yes, definitely)","p(No ""never"")"', out


QUOTED = '--classes \'"No ""never""","Yes, definitely",maybe\''


@pytest.mark.parametrize(
    "given, needles",
    [
        ('maybe,"Yes, definitely,No "never"', ["its double quotes do not make one CSV row"]),
        (
            'maybe,Yes, definitely,No "never"',
            ["also holds 'Yes, definitely'", QUOTED],
        ),
    ],
)
def test_classes_wrongly_quoted_says_how_to_quote(capsys, tmp_path, given, needles):
    data = verdicts(tmp_path)
    code, _, err = run(capsys, "train", data, "--target", "verdict", *FAST, "--classes", given)
    assert code == 2
    assert_one_line_error(err, f"--classes {given}", *needles)


def test_classes_help_says_how_to_name_a_class_with_a_comma(capsys):
    code, out, _ = run(capsys, "train", "--help")
    assert code == 0
    out = " ".join(out.split())
    said = "a label that holds a comma in double quotes, as in a CSV file: '\"Yes, definitely\",No'"
    assert said in out, out


# ------------------------------------------------------------------ 6. --hidden 0


@pytest.mark.parametrize("given", ["0", " 0", ""])
def test_hidden_zero_is_refused_naming_none(capsys, tmp_path, given):
    """--hidden 0 meant no hidden layer in silence, where --hidden 8,0 and nn.MLP refuse 0."""
    data = write_csv(tmp_path / "d.csv", HEADER, rows())
    code, _, err = run(capsys, "train", data, "--target", "label", *FAST, "--hidden", given)
    assert code == 2
    assert_one_line_error(err, "argument --hidden", f"got {given!r}", "none")
    code, out, err = run(
        capsys, "train", data, "--target", "label", *FAST, "--hidden", "none",
        "--out", tmp_path / "m.glassnet",
    )  # fmt: skip
    assert code == 0 and "no hidden layer" in out, err


# ------------------------------- 7. train_test_split with scikit-learn's keywords


def test_train_test_split_takes_random_state_as_seed():
    """random_state= was Python's bare 'unexpected keyword argument' TypeError."""
    from glassnet.preprocessing import train_test_split

    X, y = np.arange(40).reshape(20, 2), np.arange(20)
    by_seed = train_test_split(X, y, test_size=0.25, seed=3)
    by_state = train_test_split(X, y, test_size=0.25, random_state=3)
    assert all(np.array_equal(a, b) for a, b in zip(by_seed, by_state))
    with pytest.raises(TypeError, match=r"seed=1 and random_state=0: .*give one of the two"):
        train_test_split(X, y, seed=1, random_state=0)
    with pytest.raises(ValueError, match=r"'random_state' parameter of train_test_split"):
        train_test_split(X, y, random_state=-1)


@pytest.mark.parametrize("test_size, n_test", [(0.25, 6), (0.3, 7), (5, 5), (1, 1)])
def test_train_test_split_shuffle_false_keeps_the_order_as_scikit_learn(test_size, n_test):
    """shuffle=False: the first n - n_test rows train, the last n_test test (scikit-learn's
    parts, test_size a fraction rounded up as there)."""
    from glassnet.preprocessing import train_test_split

    X, y = np.arange(46).reshape(23, 2), np.arange(23)
    X_tr, X_te, y_tr, y_te = train_test_split(X, y, test_size=test_size, shuffle=False)
    assert np.array_equal(y_tr, np.arange(23 - n_test))
    assert np.array_equal(y_te, np.arange(23 - n_test, 23))
    assert np.array_equal(X_te, X[23 - n_test :]) and np.array_equal(X_tr, X[: 23 - n_test])


def test_train_test_split_refuses_stratify_without_shuffle_and_a_non_bool_shuffle():
    from glassnet.preprocessing import train_test_split

    X, y = np.arange(40).reshape(20, 2), np.arange(20) % 2
    with pytest.raises(ValueError, match=r"stratify cannot be combined with shuffle=False"):
        train_test_split(X, y, shuffle=False, stratify=y)
    with pytest.raises(TypeError, match=r"'shuffle' parameter .* True or False. Got 'no'"):
        train_test_split(X, y, shuffle="no")


# ------------------------------------ 5. docs/cli.md's explain output is the command's

DOCS = Path(__file__).resolve().parents[1] / "docs" / "cli.md"


def test_cli_md_explain_row_1_is_what_the_command_prints(capsys, tmp_path, monkeypatch):
    """The page says every output is real; its explain --row 1 showed 3 decimals in the z3
    and x2 rows, where the command prints the decimals that make the arithmetic come out."""
    page = DOCS.read_text(encoding="utf-8")
    make = re.search(r"```bash\npython - <<'PY'\n(.*?)\nPY\n```", page, flags=re.S)
    assert make is not None and 'write("moons.csv"' in make[1]
    monkeypatch.chdir(tmp_path)
    exec(compile(make[1], "cli.md", "exec"), {})
    train = "$ glassnet train moons.csv --target moon --hidden 2 --activation tanh --epochs 200"
    assert train in page
    code, _, err = run(capsys, *train[2:].split()[1:], "--out", "small.glassnet")
    assert code == 0, err
    shown = page.split("$ glassnet explain small.glassnet --row 1 test.csv\n", 1)[1]
    shown = shown.split("```", 1)[0]
    code, out, err = run(capsys, "explain", "small.glassnet", "--row", "1", "test.csv")
    assert code == 0, err
    # The words and layout exactly; the numbers to their last printed digit, give or take
    # 2: the trained weights' last bits depend on the BLAS kernel OpenBLAS picks for the CPU
    # at run time (Haswell's and SkylakeX's differ there: -3.868534 against -3.868535).
    number = r"-?\d+(?:\.\d+)?(?:e[-+]?\d+)?"
    assert re.split(number, out) == re.split(number, shown)
    for a, b in zip(re.findall(number, out), re.findall(number, shown), strict=True):
        last = 10.0 ** -len(b.split(".")[1].split("e")[0]) if "." in b else 1.0
        assert abs(float(a) - float(b)) <= 2 * last * max(1.0, abs(float(b)) / 10), (a, b)


def test_a_divergence_before_any_update_gets_no_learning_rate_advice():
    # (fit says the learning rate is not the cause; the command line added "Try a smaller
    # --lr" after it)
    import argparse

    from glassnet.cli import _diverged
    from glassnet.train import DivergenceError

    text = (
        "fit: the loss became inf at step 1 (epoch 1), before any update, so the learning "
        "rate is not the cause: ... Scale y (e.g. y / y.std(), and the predictions back) and "
        "X, or train a float64 model (model.double()); or check the loss function"
    )
    args = argparse.Namespace(standardize=True, l2=0.0)
    message = str(_diverged(DivergenceError(text, None), args, None, 0.01, 10))
    assert "smaller --lr" not in message and "--dtype float64" in message
    assert "model.double()" not in message and message.endswith("No model was written.")


def test_data_rows_that_start_with_a_hash_are_not_called_comments(tmp_path):
    # (the review: an id '#A12' row with one field too many was called a comment line, and
    # the advice, grep -v '^#', would have deleted every row)
    lines = ["id,a,b,y"] + [f"#A{i},{i % 7}.5,{i % 3}.25,{i % 2}" for i in range(60)]
    lines[31] += ",9"
    path = tmp_path / "ids.csv"
    path.write_text("\n".join(lines) + "\n")
    from glassnet.stream import comment_line_text

    assert comment_line_text(path, 32) is None
    lines = ["a,b,y"] + [f"{i % 7}.5,{i % 3}.25,{i % 2}" for i in range(60)]
    lines.insert(30, "# second export, 2026")
    path.write_text("\n".join(lines) + "\n")
    assert "is a comment line" in comment_line_text(path, 31)


def test_classes_take_blanks_after_a_quoted_name():
    import argparse

    from glassnet.cli import _label_encoder

    y = np.array(["Yes, definitely", "maybe", "maybe"], dtype=object)
    args = argparse.Namespace(classes='"Yes, definitely" , maybe')
    assert list(_label_encoder(args, y, "y").classes_) == ["Yes, definitely", "maybe"]


def test_a_delimiter_absent_from_the_header_is_not_sniffed():
    # (the review: quoted cells opening with '|' made the sniffer pick '|' for a comma file)
    from glassnet.datasets import sniff_delimiter

    cells = ['"alpha a, b |",8.21,8.06,yes', '"| a, b",-7.35,-2.50,no', "plain,4.25,3.06,yes",
             "x | y,1.46,-6.15,no"]  # fmt: skip
    sample = "note,a,b,y\n" + "\n".join(cells * 10) + "\n"
    assert sniff_delimiter(sample) == ","
    assert sniff_delimiter("a;b\n3,14;2,5\n", ",") == ";"
