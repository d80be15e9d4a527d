"""print(model) of a Module of the user's, as PyTorch prints it."""

from __future__ import annotations

import glassnet as gn
from glassnet import nn


class Net(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.fc1 = nn.Linear(3, 4)
        self.body = nn.Sequential(nn.ReLU(), nn.Linear(4, 2))
        self.heads = [nn.Sigmoid()]


def test_a_module_of_yours_prints_its_sub_modules_one_per_line_nested():
    # it printed "Net()": the layers a PyTorch user looks for were not shown
    assert repr(Net()) == (
        "Net(\n"
        "  (fc1): Linear(inputs=3, neurons=4)\n"
        "  (body): Sequential(\n"
        "    (0): ReLU()\n"
        "    (1): Linear(inputs=4, neurons=2)\n"
        "  )\n"
        "  (heads.0): Sigmoid()\n"
        ")"
    )


def test_a_leaf_module_keeps_its_one_line():
    assert repr(nn.Linear(2, 3)) == "Linear(inputs=2, neurons=3)"
    assert repr(nn.LeakyReLU(0.5)) == "LeakyReLU(alpha=0.5)"

    class Empty(gn.nn.Module):
        pass

    assert repr(Empty()) == "Empty()"
