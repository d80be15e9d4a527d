"""Audit of the teaching modules (exercises, summary, report), round 6: every fix here
failed before it."""

from __future__ import annotations

import pytest

from glassnet.report import Section, fmt, render_html, render_markdown, render_text


# =====================================================================================
# report: fmt and the renderers
# =====================================================================================
def test_fmt_int_beyond_float_range_prints_scientific():
    # (an OverflowError from float() inside fmt)
    assert fmt(10**400) == "1.00e+400"
    assert fmt(-(10**400)) == "-1.00e+400"
    assert fmt(99949 * 10**396) == "9.99e+400"
    assert fmt(99999 * 10**396) == "1.00e+401"
    assert fmt(10**400, 1) == "1.0e+400"


def test_fmt_never_prints_a_nonzero_value_as_zero_or_a_million_in_fixed_decimals():
    assert fmt(0.5, 0) != "0"  # the half rounded to even
    assert float(fmt(0.5, 0)) == 0.5
    # 1e6 reads 1.00e+06; a value that rounds to a million reads the same way
    assert fmt(1e6) == "1.00e+06"
    assert fmt(999999.9996) == "1.00e+06"
    assert fmt(-999999.9996) == "-1.00e+06"
    assert fmt(999999.5) == "999999.500"  # (unchanged: below a million in 3 decimals)


def test_table_rows_from_a_generator_are_kept():
    # (the checks used the generator up: the table was drawn without a row, in silence)
    s = Section("T")
    s.table(["a", "b"], ([str(i), str(i * i)] for i in range(3)))
    text = render_text("x", [s])
    assert "2  4" in text and "1  1" in text
    assert "| 2 | 4 |" in render_markdown("x", [s])


def test_table_rows_not_iterable_refused():
    with pytest.raises(TypeError, match="rows must be a list of rows.*int"):
        Section("T").table(["a"], 5)


@pytest.mark.parametrize("render", [render_text, render_markdown, render_html])
def test_renderers_name_a_bad_title_or_sections(render):
    s = Section("T")
    s.p("hello")
    with pytest.raises(TypeError, match=rf"{render.__name__}: 'title' must be text.*None"):
        render(None, [s])
    with pytest.raises(TypeError, match=r"one Section \('T'\); pass it in a list"):
        render("x", s)
    with pytest.raises(TypeError, match="item 0 is 'abc' of type str"):
        render("x", ["abc"])


def test_section_text_must_be_text():
    with pytest.raises(TypeError, match=r"Section.p: 'text' must be text.*5 of type int.*fmt"):
        Section("T").p(5)
    with pytest.raises(TypeError, match="Section.pre: 'text' must be text.*None"):
        Section("T").pre(None)
    with pytest.raises(TypeError, match="Section: 'title' must be text.*3 of type int"):
        Section(3)


def test_render_html_escapes_the_class():
    out = render_html("x", [], cls='a"><script>alert(1)</script>')
    assert "<script>" not in out
    assert 'class="a&quot;&gt;&lt;script&gt;' in out
