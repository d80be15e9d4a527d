"""What the tests of explain's and the exercises' written-out arithmetic share: the rows
of explain's weight-gradient table, a written sum worked out exactly in decimal, the
rounding rule (a half up, away from zero, as glassnet.report.fmt and the sheets round),
and a decimal context of their own (imported as an autouse fixture)."""

from __future__ import annotations

import decimal
import re
from decimal import ROUND_HALF_UP, Decimal

import pytest


@pytest.fixture(autouse=True)
def own_decimal_context():
    """These tests work out sums in decimal: in a context of their own, so that the flags
    they raise stay out of the thread's context (a later test reads its flags)."""
    with decimal.localcontext():
        yield


def weight_rows(e) -> list[list[str]]:
    """explain's weight-gradient table's rows (ascii notation), cells split at 2+ spaces."""
    sec = e.to_text(notation="ascii", parts=["weights"], max_rows=None)
    lines = sec.split("3. Weight gradients")[1].splitlines()
    return [re.split(r"\s{2,}", ln.strip()) for ln in lines if re.match(r"^[wb]\d* ", ln)]


def written_value(expr: str) -> Decimal:
    """A written-out sum of products, worked out exactly in decimal, as by hand."""
    total = Decimal(0)
    for term in expr.split(" + "):
        prod = Decimal(1)
        for f in term.split("*"):
            prod *= Decimal(f.strip("()"))
        total += prod
    return total


def rounds_to(got: Decimal, shown: str) -> bool:
    """``got``, rounded a half up (away from zero) to the digits of ``shown``, is ``shown``:
    -0.0035 reads -0.004, never -0.003 (a tie counts one way); an integer only when exact
    (fmt prints one only then)."""
    want = Decimal(shown)
    if "." not in shown and "e" not in shown:
        return got == want
    return got.quantize(want, rounding=ROUND_HALF_UP) == want
