"""A teacher's audit of the exercise keys and explain's step table (round 20).

1. explain's gradient-descent step table (section 4) prints w and dL/dw so that
   ``w - lr * dL/dw`` worked out by hand from the printed numbers gives the new weight as
   printed, in the text, Markdown and HTML forms (0 - 0.5*(-0.017) printed as 0.008 before).
2. ``exercise check`` names the fix of an answer id written with a typographic apostrophe
   (``2.g’(z3)``), as it does for the prime ``′``.
3. One-hot exercises differ for seeds 0-999; the other kinds' exercises are unchanged.
4. ``glassnet exercise --kinds forward,,backprop`` refuses the empty item, as generate does.
"""

from __future__ import annotations

import hashlib
import html
import json
import re
from decimal import ROUND_HALF_UP, Context, Decimal, getcontext, localcontext

import numpy as np
import pytest

import glassnet as gn
from glassnet import exercises as ex

# --------------------------------------------------------------------------- 1. step table


def _half_up(x: Decimal, decimals: int) -> Decimal:
    return x.quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP)


def _reads_as(exact: Decimal, printed: str, decimals: int = 3) -> bool:
    """Whether ``printed`` is ``exact`` rounded as docs/teaching.md says fmt rounds: to
    ``decimals`` decimals, a half up (away from zero); a value printed in scientific
    notation to its printed significant digits, a half up."""
    if "e" in printed:
        mantissa = printed.partition("e")[0]
        digits = len(mantissa.replace("-", "").replace(".", ""))
        if exact == 0:
            return False
        shift = exact.adjusted() - (digits - 1)
        return _half_up(exact.scaleb(-shift), 0).scaleb(shift) == Decimal(printed)
    return _half_up(exact, decimals) == Decimal(printed)


_NUM = re.compile(r"^-?\d+(\.\d+)?(e[-+]\d+)?$")


def _rows_text(text: str) -> list[list[str]]:
    lines = text.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith("weight"))
    rows = []
    for line in lines[start + 2 :]:
        if not line.strip():
            break
        rows.append(re.split(r"\s{2,}", line.strip()))
    return rows


def _rows_markdown(text: str) -> list[list[str]]:
    rows = []
    for line in text.splitlines():
        if line.startswith("|") and not line.startswith("|---"):
            cells = [c.strip() for c in line.strip().strip("|").split("|")]
            if cells[0] != "weight":
                rows.append(cells)
    return rows


def _rows_html(text: str) -> list[list[str]]:
    body = text.partition("<tbody>")[2].partition("</tbody>")[0]
    return [
        [html.unescape(c) for c in re.findall(r"<td>(.*?)</td>", tr)]
        for tr in re.findall(r"<tr>(.*?)</tr>", body)
    ]


def _lr_printed(text: str) -> str:
    return re.search(r"lr = ([^)]+)\)", text).group(1)  # ((lr = 0.5), (γ = lr = 0.5))


def _bad_rows(rows: list[list[str]], lr: str) -> list[list[str]]:
    bad = []
    for row in rows:
        assert len(row) == 4, row
        w, g, new = row[1:]
        assert _NUM.match(w) and _NUM.match(g) and _NUM.match(new), row
        # (a context of its own: the caller's, a later test's, keeps no flags of these)
        with localcontext(Context(prec=100)):
            exact = Decimal(w) - Decimal(lr) * Decimal(g)
            if not _reads_as(exact, new):
                bad.append(row)
    return bad


def _random_explanations(n: int):
    acts = ["sigmoid", "tanh", "relu"]
    lrs = [0.5, 0.1, 0.3, 0.05, 1.0, 0.25, 0.01, 0.2]
    for s in range(n):
        rng = np.random.default_rng(1000 + s)
        sizes = [[2, 3, 1], [2, 2, 1], [3, 4, 2], [2, 1]][s % 4]
        out = ["sigmoid", "identity"][s % 2]
        net = gn.nn.MLP(
            sizes, activation=acts[s % 3], output_activation=out, rng=s, dtype=np.float64
        )
        batch = 1 if s % 5 else 3
        x = np.round(rng.normal(size=(batch, sizes[0])), 1)
        y = np.round(rng.uniform(size=(batch, sizes[-1])), 1)
        if batch == 1:
            x, y = x[0], y[0]
        yield gn.explain(net, x, y, lr=lrs[s % len(lrs)])


def test_step_rows_add_up_in_every_form():
    forms = [
        (lambda e: e.to_text(parts="step", max_rows=None), _rows_text),
        (lambda e: e.to_text(parts="step", notation="ascii", max_rows=None), _rows_text),
        (lambda e: e.to_markdown(parts="step", max_rows=None), _rows_markdown),
        (lambda e: e.to_markdown(parts="step", notation="unicode", max_rows=None), _rows_markdown),
        (lambda e: e.to_html(parts="step", max_rows=None), _rows_html),
        (lambda e: e.to_html(parts="step", notation="latex", max_rows=None), _rows_html),
    ]
    total = 0
    getcontext().clear_flags()
    for e in _random_explanations(60):
        step = e.step()
        for render, parse in forms:
            text = render(e)
            rows = parse(text)
            assert len(rows) == len(step), text
            total += len(rows)
            bad = _bad_rows(rows, _lr_printed(text))
            assert not bad, (text, bad)
            assert "Not an equation" not in text
            # the new weight printed is still the unrounded step's, with 3 decimals
            for row, (_, _, new) in zip(rows, step.values()):
                assert row[3] == gn.report.fmt(new, 3)
    assert total > 3000
    assert not any(getcontext().flags.values())  # (explain and this test: their own contexts)


def test_step_table_of_the_audit():
    net = gn.nn.MLP([2, 2, 1], activation="sigmoid", output_activation="sigmoid", rng=0)
    e = gn.explain(net, [1.0, 0.5], [1.0], lr=0.5)
    rows = {r[0]: r for r in _rows_text(e.to_text(parts="step", notation="ascii"))}
    b1 = [k for k in rows if k.startswith("b") and k.endswith("1")][0]
    # 0 - 0.5 * (-0.0165) = 0.00825, which reads 0.008 (with -0.017: 0.0085, 0.009)
    assert rows[b1][1:] == ["0", "-0.0165", "0.008"]
    # a row that adds up with 3 decimals keeps them (the lecture's tables)
    assert [len(c.partition(".")[2]) for c in rows["w1"][1:] if "." in c] == [3, 3, 3]


def test_step_header_prints_the_learning_rate_the_step_uses():
    net = gn.nn.MLP([2, 2, 1], activation="sigmoid", output_activation="sigmoid", rng=0)
    e = gn.explain(net, [1.0, 0.5], [1.0], lr=0.123456789)
    text = e.to_text(parts="step", notation="ascii")
    assert _lr_printed(text) == "0.123456789"
    assert not _bad_rows(_rows_text(text), "0.123456789")
    e = gn.explain(net, [1.0, 0.5], [1.0], lr=0.1)
    assert _lr_printed(e.to_text(parts="step")) == "0.1"


def test_step_row_that_no_decimals_make_add_up_is_named():
    # w = 0.1 + 0.2 and dL/dw = 0.3 with lr = 1: the new weight is float noise (5.55e-17),
    # which no printed decimals of 0.3 give: the table says so rather than print a false row
    net = gn.nn.Sequential(gn.nn.Linear(1, 1, bias=False))
    net.layers[0].W.data[...] = 0.1 + 0.2
    # L = 1/2 (w x - y)^2: dL/dw = (w x - y) x = 0.3 with x = 1, y = w - 0.3
    y = (0.1 + 0.2) - 0.3
    e = gn.explain(net, [1.0], [y], lr=1.0)
    (w, g, new) = next(iter(e.step().values()))
    assert 0 < abs(new) < 1e-12 and gn.report.fmt(g, 3) == "0.300"  # (IEEE doubles)
    text = e.to_text(parts="step", notation="ascii")
    assert "Not an equation as printed" in text
    assert "the new weight printed" in text


# --------------------------------------------------------------------------- 2. apostrophe


@pytest.mark.parametrize("mark", ["\u2019", "\u2018", "\u00b4", "`", "\u02bc", "\u2032"])
def test_typographic_apostrophe_in_an_id_is_named_with_the_fix(tmp_path, mark):
    files = ex.write(3, tmp_path / "s3")
    key = json.loads((tmp_path / "s3" / "key.json").read_text(encoding="utf-8"))
    backprop = next(e for e in key["exercises"] if e["kind"] == "backprop")
    ids = [s["id"] for s in backprop["steps"] if s["id"].startswith("g'")]
    assert ids
    num = backprop["number"]
    answers = tmp_path / "a.txt"
    lines = [f"{num}.{i.replace(chr(39), mark)} = 1" for i in ids]
    answers.write_text("\n".join(lines) + "\n", encoding="utf-8")
    report = str(ex.check(files["key.json"], answers))
    for i in ids:
        written = f"{num}.{i.replace(chr(39), mark)}"
        assert f"{written} (write {num}.{i})" in report, report


# --------------------------------------------------------------------------- 3. one-hot


def test_one_hot_exercises_differ_for_seeds_0_to_999():
    seen: dict[str, int] = {}
    for seed in range(1000):
        (e,) = ex.generate(seed, ["one_hot"])
        k = json.dumps(e.data, sort_keys=True)
        assert k not in seen, (seed, seen.get(k), e.data)
        seen[k] = seed


def test_one_hot_pairs_of_the_audit_differ():
    for a, b in ((59, 194), (111, 147)):
        assert ex.generate(a, ["one_hot"])[0].data != ex.generate(b, ["one_hot"])[0].data


def test_one_hot_keeps_its_rules():
    for seed in range(300):
        (e,) = ex.generate(seed, ["one_hot"])
        order, labels = e.data["classes"], e.data["labels"]
        ranked = sorted(order)
        assert len(set(order)) == len(order) >= 3
        assert len(set(labels)) > 1
        assert any(order.index(s) != ranked.index(s) for s in labels)
        for step, lab in zip(e.steps, labels):
            assert step.value == [float(c == lab) for c in order]


# sha256 of generate(seed)'s exercises of every kind but one_hot, seeds 0-199, as their
# kind, title and givens (e.data: the drawn numbers every key value is computed from),
# as of before the one-hot mend: a changed draw of another kind for an existing seed
# fails this
OTHER_KINDS_DIGEST = "8994077646771a1ceb62cb3dfbc43a0622c235481537a22fc077b7f26fd84799"


def test_other_kinds_are_unchanged_for_existing_seeds():
    h = hashlib.sha256()
    for seed in range(200):
        for e in ex.generate(seed):
            if e.kind != "one_hot":
                h.update(json.dumps([e.kind, e.title, e.data], sort_keys=True).encode())
    assert h.hexdigest() == OTHER_KINDS_DIGEST


# the same of the one-hot exercises of seeds 0-199 but 147 and 194, before the mend
ONE_HOT_KEPT_DIGEST = "3e5c92ef2774ce1a7c5a8a72a2c4be45a6e871728bd46c7f51a91c9713d25fef"


def test_one_hot_keys_change_only_for_the_seeds_that_repeated_an_earlier_one():
    # seeds 0-199: 147 and 194 drew 111's and 59's exercise; they draw again, and every
    # other seed keeps its exercise
    h = hashlib.sha256()
    for seed in range(200):
        (e,) = ex.generate(seed, ["one_hot"])
        if seed not in (147, 194):
            h.update(json.dumps([e.kind, e.title, e.data], sort_keys=True).encode())
    assert h.hexdigest() == ONE_HOT_KEPT_DIGEST
    assert ex.generate(59, ["one_hot"])[0].data == {
        "classes": ["Fish", "Bird", "Dog"],
        "labels": ["Dog", "Bird", "Dog", "Dog"],
    }


# --------------------------------------------------------------------------- 4. --kinds


def test_cli_kinds_refuses_an_empty_item(tmp_path, capsys, monkeypatch):
    from glassnet import cli

    monkeypatch.chdir(tmp_path)
    with pytest.raises(ValueError, match="Got ''") as api:
        ex.generate(0, ["forward", ""])
    # the API's words, with --kinds for "the 'kinds' parameter of generate"
    wording = str(api.value).replace("The 'kinds' parameter of generate", "--kinds")
    for kinds in ("forward,,backprop", "forward,", ",forward", "forward, ,backprop"):
        rc = cli.main(["exercise", "--kinds", kinds, "--out", str(tmp_path / "o")])
        err = capsys.readouterr().err
        assert rc == 2, err
        assert wording in err, err
        assert not (tmp_path / "o").exists()


def test_cli_kinds_still_reads_a_list(tmp_path, capsys, monkeypatch):
    from glassnet import cli

    monkeypatch.chdir(tmp_path)
    rc = cli.main(["exercise", "--kinds", "forward, backprop", "--out", str(tmp_path / "o")])
    assert rc == 0
    text = (tmp_path / "o" / "questions.md").read_text(encoding="utf-8")
    heads = re.findall(r"^## (\d)\. (\w+)", text, flags=re.M)
    assert heads == [("1", "Forward"), ("2", "Backpropagation")]
