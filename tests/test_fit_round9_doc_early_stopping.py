"""fit's docstring documents early_stopping: alone it holds out 0.1 of the rows, which then do
not train (the parameter had no entry; only tasks.validation_set's docstring said so)."""

import inspect
import re

import numpy as np

import glassnet as gn
from glassnet import nn


def _entry(name):
    doc = inspect.getdoc(gn.fit)
    m = re.search(rf"^{name} :.*?(?=^\w)", doc, re.S | re.M)
    return " ".join(m.group(0).split()) if m else ""


def test_fit_documents_early_stoppings_own_split_and_it_holds():
    entry = _entry("early_stopping")
    assert "holds out 0.1 of the rows" in entry and "do not train" in entry
    X = np.random.default_rng(0).normal(size=(50, 3))
    y = X[:, 0].copy()
    h = gn.fit(nn.MLP([3, 4, 1], rng=0), X, y, early_stopping=True, epochs=1, verbose=0)
    assert h.samples_seen == 45  # 0.1 of 50 rows held out
