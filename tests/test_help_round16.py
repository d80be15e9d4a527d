"""help(gn.explain), help(gn.summary) and help(gn.gradcheck) show the function's parameters:
the three are modules called as their functions, and help() showed the module's docstring,
which names none of them."""

import inspect

import pytest

import glassnet as gn


@pytest.mark.parametrize(
    "tool, names",
    [
        ("explain", ["sample_weight", "l2", "decimals", "notation", "matrix"]),
        ("summary", ["input_shape", "input_data"]),
        ("gradcheck", ["eps", "atol", "rtol", "seed"]),
    ],
)
def test_help_shows_the_functions_parameters_first(tool, names):
    doc = inspect.getdoc(getattr(gn, tool))
    first, _, module = doc.partition(f"The module glassnet.{tool}:")
    assert all(name in first for name in names)
    assert module.strip()  # (the module's own text follows)
    assert set(inspect.signature(getattr(gn, tool)).parameters) >= set(names)
