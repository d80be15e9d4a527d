"""Teaching tools, round 7: shared parameters in the summary, a scalar parameter's title in
draw_graph, the rounding of report.fmt, and as_chain's check of a branch on x.data."""

from __future__ import annotations

import numpy as np
import pytest

import glassnet as gn
from glassnet.summary import summary

# ----------------------------------------------------------------------------- summary


def _tied() -> gn.nn.Module:
    """Two Linear layers sharing their weight matrix (tied weights), biases of their own."""
    a, b = gn.nn.Linear(3, 3, rng=0), gn.nn.Linear(3, 3, rng=1)
    b.W = a.W
    return gn.nn.Sequential(a, gn.nn.Tanh(), b)


def test_summary_counts_a_weight_shared_by_two_layers_once_and_says_so():
    """Two Linear layers holding one Parameter: the rows counted it twice (12 + 12 = 24 for
    a model of 15 parameters), and nothing said they share it."""
    net = _tied()
    s = summary(net)
    assert [r.parameters for r in s.rows] == [12, 3]
    assert sum(r.parameters for r in s.rows) == s.total_parameters == net.num_parameters() == 15
    assert s.rows[1].shared_with == 1 and s.rows[0].shared_with is None
    text = s.to_text(notation="ascii")
    # the second layer's formula names the same W as the first's
    assert [r.computes for r in s.rows] == ["A1 = tanh(X @ W1 + b1)", "y_hat = A1 @ W1 + b2"]
    assert "3 (W1 shared with row 1)" in text
    assert "Shared: W1 (rows 1, 2)." in text
    assert "counted once" in text and "model.num_parameters()" in text
    assert "W⁽¹⁾ shared with row 1" in s.to_text(notation="unicode")
    assert "$W^{(1)}$ shared with row 1" in s.to_markdown()


def test_summary_of_a_layer_used_twice_notes_the_sharing():
    lin = gn.nn.Linear(2, 2, rng=0)
    net = gn.nn.Sequential(lin, gn.nn.ReLU(), lin)
    s = summary(net)
    assert sum(r.parameters for r in s.rows) == s.total_parameters == net.num_parameters() == 6
    text = s.to_text(notation="ascii")
    assert "0 (shared with row 1)" in text and "Shared: W1 (rows 1, 2), b1 (rows 1, 2)." in text


def test_a_model_without_sharing_has_no_shared_note():
    text = summary(gn.nn.MLP([2, 2, 1])).to_text(notation="ascii")
    assert "Shared" not in text and "shared" not in text


class _TiedAutoencoder(gn.nn.Module):
    """A custom forward whose decoder holds the encoder's weight matrix (tied)."""

    def __init__(self) -> None:
        self.enc = gn.nn.Linear(4, 4, rng=0)
        self.act = gn.nn.Tanh()
        self.dec = gn.nn.Linear(4, 4, rng=1)
        self.dec.W = self.enc.W

    def forward(self, x):
        return self.dec(self.act(self.enc(x)))


def test_traced_summary_counts_a_tied_weight_once():
    """The traced rows (a custom forward) summed each layer's parameters: the tied W twice."""
    net = _TiedAutoencoder()
    s = summary(net, input_data=np.ones((2, 4)))
    assert [r.parameters for r in s.rows] == [20, 0, 4]
    assert sum(r.parameters for r in s.rows) == s.total_parameters == net.num_parameters() == 24
    assert s.rows[2].shared_with == 1
    text = s.to_text(notation="ascii")
    assert "4 (enc.W shared with row 1)" in text and "Shared: enc.W (rows 1, 3)." in text


def test_traced_summary_counts_a_tied_weight_of_a_layer_not_called_once():
    class Net(gn.nn.Module):
        def __init__(self) -> None:
            self.enc, self.dec = gn.nn.Linear(4, 2, rng=0), gn.nn.Linear(4, 2, rng=1)
            self.dec.W = self.enc.W

        def forward(self, x):
            return self.enc(x)

    net = Net()
    s = summary(net, input_data=np.ones((2, 4)))
    assert [r.parameters for r in s.rows] == [10, 2]
    assert sum(r.parameters for r in s.rows) == net.num_parameters() == 12
    assert "not called" in s.rows[1].computes and s.rows[1].shared_with == 1


def test_a_module_of_another_kind_holding_a_layers_weight_is_counted_once():
    """A module of the user's own (counted as a whole, shapes unknown) holding a Linear
    layer's weight in a chain of layers."""

    class Scale(gn.nn.Module):
        def __init__(self, W) -> None:
            self.W = W

        def forward(self, x):
            return x @ self.W

    lin = gn.nn.Linear(2, 2, rng=0)
    net = gn.nn.Sequential(lin, Scale(lin.W))
    s = summary(net)
    assert [r.parameters for r in s.rows] == [6, 0]
    assert sum(r.parameters for r in s.rows) == net.num_parameters() == 6
    assert "0 (shared with row 1)" in s.to_text(notation="ascii")


# ----------------------------------------------------------------------------- draw_graph


def _titles(root) -> list[str]:
    import re

    from glassnet.viz import draw_graph

    dot = draw_graph(root, fmt="dot")
    # each node's tooltip starts with its title ("w: parameter (leaf)"), the root's last
    return [t.split(":")[0] for t in re.findall(r'tooltip="((?:[^"\\]|\\.)*)"', dot)]


def test_draw_graph_titles_a_one_value_parameter_that_multiplies_w_not_b():
    """y = x * a with a one-value Parameter a: the node of a read 'b' (the second input's
    letter), the bias's name, and the product 'a b'; a multiplier is a weight."""
    from glassnet.nn.module import Parameter

    for shape in [(1,), ()]:
        a = Parameter(np.full(shape, 2.0))
        x = gn.Tensor(np.array([[1.0], [2.0]]))
        for y, product in ((x * a, "x w"), (a * x, "w x")):
            titles = _titles(y)
            assert titles == (["x", "w", product] if y.parents[1] is a else ["w", "x", product])
            assert "b" not in titles


def test_draw_graph_keeps_b_for_a_one_value_bias_and_names_the_edges_by_role():
    from glassnet.nn.module import Parameter
    from glassnet.viz.graph import local_derivative

    w, b = Parameter(np.array([2.0])), Parameter(np.array([0.5]))
    x = gn.Tensor(np.array([[1.0], [3.0]]))
    z = x * w
    y = z + b
    titles = _titles(y)
    assert titles[-1] == "a + b"
    assert "b" in titles and "w" in titles
    assert local_derivative(z, 0) == "w"  # d(x w)/dx: the weight, by its role
    assert local_derivative(z, 1) == "x"  # d(x w)/dw: the other factor ('b' before)
    # a bias added first keeps its name too: b + x w
    assert _titles(b + z)[:3].count("b") == 1


def test_draw_graph_names_a_parameter_divisor_and_two_parameter_factors_by_role():
    from glassnet.nn.module import Parameter
    from glassnet.viz.graph import local_derivative

    s = Parameter(np.array([4.0]))
    x = gn.Tensor(np.array([[1.0], [3.0]]))
    q = x / s
    assert _titles(q)[-1] == "x/w"
    assert local_derivative(q, 0) == "1/w"
    v, w = Parameter(np.array([2.0])), Parameter(np.array([3.0]))
    assert _titles(v * w) == ["v", "w", "v w"]
    # with a Python number or a constant array: still a weight (a bias when added)
    a = Parameter(np.array([2.0]))
    assert _titles(a * 3.0) == ["w", "3 w"] and _titles(a / 2.0) == ["w", "w/2"]
    assert _titles(a + 1.0) == ["b", "b + 1"]
    # a named parameter titles itself; its factor is still x
    k = Parameter(np.array([2.0]))
    k.label = "k"
    assert _titles(x * k) == ["x", "k", "x k"]
    # two tensors that are no parameters keep the a and b of a product
    p = gn.Tensor(np.ones((2, 1)), requires_grad=True) * gn.Tensor(np.ones((2, 1)))
    assert _titles(p)[-1] == "a b"


def test_draw_graph_titles_a_parameter_times_itself_w_w():
    """w * w (one Parameter twice) was titled 'v w', its edges' derivatives 'w = 2' and
    'v = 2': a second parameter v that is not there."""
    from glassnet.nn.module import Parameter
    from glassnet.viz.graph import local_derivative

    w = Parameter(np.array([2.0]))
    y = w * w
    assert _titles(y) == ["w", "w w"]
    assert [local_derivative(y, k) for k in (0, 1)] == ["w = 2", "w = 2"]
    assert _titles(w + w) == ["b", "b + b"] and _titles(w / w) == ["w", "w/w"]
    assert local_derivative(w / w, 1) == "−w/w² = -0.500"
    # two parameters keep v and w; a tensor times itself is a a (it read a b)
    assert _titles(Parameter(np.array([3.0])) * w) == ["v", "w", "v w"]
    t = gn.Tensor(np.ones((2, 1)), requires_grad=True)
    assert _titles(t * t)[-1] == "a a"


# ----------------------------------------------------------------------------- report.fmt


def test_fmt_rounds_a_half_up_as_by_hand():
    """format() rounds half to even (and binary floats): a table read 0.125 as 0.12 and
    0.0625 as 0.062, where a learner's hand arithmetic gives 0.13 and 0.063."""
    from glassnet.report import fmt

    assert fmt(0.125, 2) == "0.13"
    assert fmt(0.0625) == "0.063" and fmt(-0.0625) == "-0.063"  # away from zero
    assert fmt(0.375, 2) == "0.38" and fmt(2.5, 0) == "3" and fmt(-1.45, 1) == "-1.5"
    assert fmt(0.05 * 1.25) == "0.063"  # 0.1/2 * 1.250 in explain's penalty line
    # decimal rounding of the shortest digits: 2.675 is stored as 2.67499999999999982...
    assert fmt(2.675, 2) == "2.68" and fmt(1.005, 2) == "1.01"
    # scientific notation rounds its digits the same way
    assert fmt(1.25e-7, 2) == "1.3e-07" and fmt(3.125e-6) == "3.13e-06"


def test_fmt_keeps_the_lectures_xnor_table_and_every_value_that_is_no_half():
    from glassnet.report import fmt

    sig = 1 / (1 + np.exp(-np.array([-6.0, -2.0, 2.0, 6.0, 2.0])))  # a₁, a₂ of XNOR
    assert [fmt(v) for v in sig] == ["0.002", "0.119", "0.881", "0.998", "0.881"]
    assert [fmt(np.float32(v)) for v in sig] == ["0.002", "0.119", "0.881", "0.998", "0.881"]
    assert fmt(0.25) == "0.250" and fmt(3.14159) == "3.142" and fmt(-2.0) == "-2"
    assert fmt(0.0003) == "3.00e-04" and fmt(1e6) == "1.00e+06"
    assert fmt(999999.9996) == "1.00e+06" and fmt(999999.5) == "999999.500"


def test_fmt_prints_at_most_half_a_last_decimal_in_scientific_notation():
    """0.5 with decimals=0 (0.0005 with 3) rounded would read 1 (0.001), twice the value;
    it reads as a smaller one does, in scientific notation."""
    from glassnet.report import fmt

    assert fmt(0.5, 0) == "5.0e-01" and fmt(0.0005) == "5.00e-04" and fmt(-0.0005) == "-5.00e-04"
    assert fmt(0.00051) == "0.001" and fmt(0.51, 0) == "1"
    assert len(fmt(1.25, 2000)) == 2002  # (any number of decimals, as format takes)


def _fmt_by_decimal(v: float, decimals: int) -> str:
    """fmt's rule done wholly in Decimal arithmetic (its first form, slow): the shortest
    digits of the float rounded half up, scientific at most half a last decimal or from
    a million."""
    from decimal import MAX_EMAX, MAX_PREC, MIN_EMIN, ROUND_HALF_UP, Context, Decimal

    v = float(v)
    if v == int(v) and abs(v) < 1e6:
        return str(int(v))
    ctx = Context(prec=MAX_PREC, rounding=ROUND_HALF_UP, Emin=MIN_EMIN, Emax=MAX_EMAX, traps=[])
    exact = Decimal(repr(v))
    fixed = f"{ctx.quantize(exact, Decimal(1).scaleb(-decimals, ctx)):f}"
    if ctx.compare(ctx.abs(exact), Decimal(f"5e-{decimals + 1}")) <= 0 or abs(float(fixed)) >= 1e6:
        digits = max(decimals - 1, 1)
        head = Context(prec=digits + 1, rounding=ROUND_HALF_UP, traps=[]).plus(exact)
        mantissa, _, exponent = format(head, f".{digits}e").partition("e")
        return f"{mantissa}e{int(exponent):+03d}"
    return fixed


def _fmt_cases() -> list[tuple[float, int]]:
    rng = np.random.default_rng(7)
    n = rng.standard_normal(20000)
    values = [
        n,
        n * 1e3,
        n * 1e-4,  # (scientific: at most half a last decimal)
        n * 1e5 + 9e5,  # (near a million)
        *(np.round(rng.standard_normal(5000), k) for k in range(8)),  # (short digits)
        rng.integers(-(10**6), 10**6, 10000) / 10**6,
    ]
    cases = [(v, i % 7) for i, v in enumerate(np.concatenate(values).tolist())]
    for d in range(7):  # exact halves of the last decimal (the repr's digit d + 1 is a 5)
        for k in rng.integers(-(10**5), 10**5, 2000).tolist():
            whole, frac = divmod(abs(k), 10**d)
            digits = f"{frac:0{d}d}" if d else ""
            cases.append((float(f"{'-' if k < 0 else ''}{whole}.{digits}5"), d))
        # halves in scientific notation: d + 1 digits, then a 5 (a repr of d + 2 digits)
        for k in rng.integers(10**d, 10 ** (d + 1), 300).tolist():
            cases.append((float(f"{k}5e-{d + 12}"), d + 1))
            cases.append((float(f"-{k}5e{rng.integers(6, 20)}"), d + 1))
    for d in (0, 3, 6, 15, 16, 17, 20):  # subnormals, long decimals, huge values
        cases += [(5e-324, d), (-2.5e-320, d), (1 / 3, d), (0.1 + 0.2, d), (1.7e308, d)]
        cases += [(float(f"5e-{d + 1}"), d), (np.nextafter(float(f"5e-{d + 1}"), 1), d)]
    return cases


def test_fmt_fast_path_agrees_with_the_decimal_rule_on_every_value_and_half():
    """fmt formats with format() unless a half (or digits format's binary rounding could
    change) needs Decimal: ~100k values (ties among them) at decimals 0 to 6, each printed
    as the Decimal rule alone prints it."""
    from glassnet.report import fmt

    cases = _fmt_cases()
    assert len(cases) > 100_000
    wrong = [(v, d, fmt(v, d), _fmt_by_decimal(v, d)) for v, d in cases]
    wrong = [w for w in wrong if w[2] != w[3]]
    assert not wrong, wrong[:10]


def test_fmt_of_a_value_that_is_no_half_does_no_decimal_arithmetic(monkeypatch):
    """Rounding every number through Decimal made fmt 3x slower (explain, summary and
    draw_graph call it for each number they print): only a half needs it."""
    import glassnet.report as report

    expected = [report.fmt(v) for v in (0.881, -0.119, 3.14159, 0.0003, 1e6, 123.4567, 0.25)]

    def refused(*args):
        raise AssertionError("Decimal used for a value that is no half")

    monkeypatch.setattr(report, "Decimal", refused)
    assert [report.fmt(v) for v in (0.881, -0.119, 3.14159, 0.0003, 1e6, 123.4567, 0.25)] == (
        expected
    )
    assert report.fmt(0.1234, 2) == "0.12" and report.fmt(1.2e-7, 2) == "1.2e-07"
    with pytest.raises(AssertionError, match="no half"):  # (a half does)
        report.fmt(0.125, 2)


def test_fmt_does_not_depend_on_the_callers_decimal_context():
    """fmt rounded in decimal.getcontext(): with prec=4 and the Inexact trap on,
    fmt(0.123456) raised decimal.Inexact; with prec=1, fmt(0.00054, 3) read 5.40e-04."""
    import decimal

    from glassnet.report import fmt

    cases = [(0.123456, 3), (12.34567, 3), (0.00050001, 3), (0.00054, 3), (0.00149, 3)]
    cases += [(0.125, 2), (2.675, 2), (1.25e-7, 2), (3.125e-6, 3), (0.0005, 3), (5e-324, 3)]
    cases += [(999999.9995, 3), (1 / 3, 20), (0.05, 1), (-0.0625, 3), (1e300, 3)]
    expected = [fmt(v, d) for v, d in cases]
    assert expected[3] == "0.001" and expected[0] == "0.123"
    for prec in (1, 4):
        with decimal.localcontext() as ctx:
            ctx.prec, ctx.rounding, ctx.Emax, ctx.Emin = prec, decimal.ROUND_DOWN, 9, -9
            ctx.clear_flags()  # (flags copied from the context an earlier test left: not fmt's)
            for trap in (decimal.Inexact, decimal.Rounded, decimal.Overflow, decimal.Underflow):
                ctx.traps[trap] = True
            assert [fmt(v, d) for v, d in cases] == expected
            assert not any(ctx.flags.values())  # (the caller's context untouched)


# ----------------------------------------------------------------------------- as_chain


class _FarBranch(gn.nn.Module):
    """A branch on x.data that no check row reaches (they go up to 1e6 times the rows)."""

    def __init__(self) -> None:
        self.fc = gn.nn.Linear(2, 1, rng=0)

    def forward(self, x):
        if x.data.max() > 1e12:  # the far branch
            return self.fc(x).tanh()
        return self.fc(x).sigmoid()


class _ElementBranch(_FarBranch):
    def forward(self, x):
        h = self.fc(x)
        return h.tanh() if abs(float(h.data[0, 0])) > 1e15 else h.sigmoid()


class _ShapeOnly(_FarBranch):
    def forward(self, x):  # (the shape is no value: the same for every row's numbers)
        assert x.data.shape[-1] == 2
        print(x.data[:1])  # (printing reads every value and branches on none)
        return self.fc(x).sigmoid()


def test_as_chain_refuses_a_branch_on_x_data_its_check_rows_do_not_reach():
    """The chain of the branch the rows took was returned (and explained, exported) in
    silence: rows with a value over 1e12 compute tanh, not sigmoid."""
    from glassnet.chain import as_chain

    for model in (_FarBranch(), _ElementBranch()):
        rows = np.ones((3, 2))
        with pytest.raises(TypeError) as e:
            as_chain(model, rows)
        msg = str(e.value)
        assert "takes values of its input (or computed from it) out of their array" in msg
        assert "test_teaching_round7.py:" in msg and "no check can vouch" in msg
        assert "nn.Sequential" in msg
        with pytest.raises(TypeError, match="out of their array"):
            gn.explain(model, rows, np.ones(3))
        with pytest.raises(TypeError, match="out of their array"):
            as_chain(model)  # (its own random rows)
        # what the chain would have missed: the other branch on a far row
        far = model(np.full((1, 2), 1e16)).data
        assert not np.array_equal(far, model.fc(np.full((1, 2), 1e16)).sigmoid().data)
    assert "`if x.data.max() > 1e12:  # the far branch`" in str(
        pytest.raises(TypeError, as_chain, _FarBranch(), np.ones((2, 2))).value
    )
    assert "float()" in str(pytest.raises(TypeError, as_chain, _ElementBranch(), rows).value)


def test_as_chain_takes_a_forward_that_reads_only_the_shape_or_prints(capsys):
    from glassnet.chain import _DATA_READS, _TRACING, as_chain

    chain = as_chain(_ShapeOnly(), np.ones((3, 2)))
    assert [type(m).__name__ for m in chain] == ["Linear", "Sigmoid"]
    assert not _DATA_READS and not _TRACING  # (nothing left behind)
    # a branch the check rows reach keeps its own message: the outputs differ there
    with pytest.raises(TypeError, match="does not give its outputs on every row"):

        class Near(_FarBranch):
            def forward(self, x):
                return self.fc(x).tanh() if x.data.max() > 1e5 else self.fc(x).sigmoid()

        as_chain(Near(), np.ones((3, 2)))


_DISPLAY_FORWARDS = """
import colorsys
import logging

import numpy as np

import glassnet as gn

log = logging.getLogger("glassnet_display_test")


class Base(gn.nn.Module):
    def __init__(self):
        self.fc = gn.nn.Linear(2, 1, rng=0)


class Percent(Base):
    def forward(self, x):
        h = self.fc(x)
        print("max %.3f" % h.data.max(), "min %d" % h.data.min())
        return h.sigmoid()


class Logged(Base):
    def forward(self, x):
        h = self.fc(x)
        log.info("max %.3f", h.data.max())
        log.info(f"mean {h.data.mean():.3f} {h.data[0, 0]!r}")
        return h.sigmoid()


class Asserts(Base):
    def forward(self, x):
        assert np.isfinite(x.data).all(), "the rows hold a NaN or inf"
        assert not np.isnan(x.data).any() and x.data.max() < 1e30
        return self.fc(x).sigmoid()


class Rounded(Base):
    def forward(self, x):
        h = self.fc(x)
        print("max", round(float(h.data.max()), 3))  # counted: float() as in an if
        return h.sigmoid()


class Raises(Base):
    def forward(self, x):
        if not np.isfinite(x.data).all():  # counted: an if, even one that raises
            raise ValueError("the rows hold a NaN or inf")
        return self.fc(x).sigmoid()


class Library(Base):
    def forward(self, x):
        h = self.fc(x)
        hue = colorsys.rgb_to_hsv(h.data[0, 0], h.data.min(), h.data.max())  # the read
        return h.sigmoid()


class Typed(Base):
    def forward(self, x):
        h = self.fc(x)
        m = h.data.max()  # (a 0-d array while recorded, a NumPy scalar at predict)
        return h.sigmoid() if isinstance(m, np.floating) else h.tanh()


class Keyed(Base):
    def forward(self, x):
        h = self.fc(x)
        cache = {h.data.argmax(): 1}
        return h.sigmoid()
"""


@pytest.fixture
def display_forwards(tmp_path, monkeypatch):
    """The forwards of a module of the user's (not a test module, whose asserts pytest
    rewrites into ifs)."""
    import importlib

    (tmp_path / "display_forwards.py").write_text(_DISPLAY_FORWARDS)
    monkeypatch.syspath_prepend(str(tmp_path))
    return importlib.import_module("display_forwards")


def test_as_chain_takes_a_forward_that_only_prints_logs_or_asserts_a_value(
    display_forwards, capsys
):
    """print('max %.3f' % h.data.max()), logging.info('max %.3f', h.data.max()) and
    assert np.isfinite(x.data).all() were refused as branches (logging's read blamed on
    logging/__init__.py); they were taken before the check of x.data's reads."""
    import io
    import logging

    from glassnet.chain import _DATA_READS, as_chain

    log = logging.getLogger("glassnet_display_test")
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    log.addHandler(handler)
    log.setLevel(logging.INFO)
    try:
        for name in ("Percent", "Logged", "Asserts"):
            chain = as_chain(getattr(display_forwards, name)(), np.ones((3, 2)))
            assert [type(m).__name__ for m in chain] == ["Linear", "Sigmoid"], name
    finally:
        log.removeHandler(handler)
    assert "max " in stream.getvalue() and "mean " in stream.getvalue()  # (formatted)
    assert "max " in capsys.readouterr().out and not _DATA_READS


def test_as_chain_still_counts_a_float_or_an_if_and_blames_the_users_line(display_forwards):
    """float(h.data.max()) (in a print too) and an if that raises are reads, as a
    branch's; a read made by a standard-library function is blamed on the line of the
    user's that called it (logging's read was blamed on logging/__init__.py)."""
    from glassnet.chain import as_chain

    lines = _DISPLAY_FORWARDS.split("\n")

    def at(code: str) -> str:  # the file, line and code of the read, as the message names it
        n = next(i for i, line in enumerate(lines) if code in line)
        return f"at display_forwards.py:{n + 1}: `{code}"

    expected = {
        "Rounded": "float() " + at('print("max", round(float(h.data.max()), 3))'),
        "Raises": "bool() " + at("if not np.isfinite(x.data).all():"),
        "Library": "bool() " + at("hue = colorsys.rgb_to_hsv("),
    }
    for name, where in expected.items():
        with pytest.raises(TypeError, match="out of their array") as e:
            as_chain(getattr(display_forwards, name)(), np.ones((3, 2)))
        assert where in str(e.value), (name, str(e.value))


def test_as_chain_hashing_a_value_is_a_read_not_a_crash(display_forwards):
    """{h.data.argmax(): 1} raised TypeError: unhashable type: '_Watched' (a reduction
    stays a 0-d array while traced); it is a read of the value, named with its line, and
    an array of more values stays unhashable, as NumPy's."""
    from glassnet.chain import _TRACING, _Watched, as_chain

    with pytest.raises(TypeError, match="out of their array") as e:
        as_chain(display_forwards.Keyed(), np.ones((3, 2)))
    n = _DISPLAY_FORWARDS.split("\n").index("        cache = {h.data.argmax(): 1}") + 1
    assert f"hash() at display_forwards.py:{n}: `cache = {{h.data.argmax(): 1}}`" in str(e.value)
    assert not _TRACING
    with pytest.raises(TypeError, match="unhashable type: 'numpy.ndarray'"):
        hash(np.ones(3).view(_Watched))
    assert hash(np.asarray(7).view(_Watched)) == hash(7)  # (outside a trace: no read)


def test_as_chain_refuses_a_forward_that_tests_the_type_of_a_reduction(display_forwards):
    """A reduction is a 0-d array while recorded (so its truth value is seen), a NumPy
    scalar at predict: a forward testing its type takes another path there, and the check
    rows refuse the recorded path's chain rather than return it."""
    from glassnet.chain import as_chain

    model = display_forwards.Typed()
    assert np.array_equal(model(np.ones((2, 2))).data, model.fc(np.ones((2, 2))).sigmoid().data)
    with pytest.raises(TypeError, match="does not give its outputs on every row"):
        as_chain(model, np.ones((3, 2)))
