"""PyTorch's name tests over named_parameters() ("weight" in name, name.endswith("bias"))
select no glassnet Linear parameter, whose names are W and b: they warn now, where a
ported init loop or AdamW no-decay group did nothing, in silence."""

import warnings

import numpy as np
import pytest

from glassnet import nn


def _model():
    return nn.Sequential(nn.Linear(4, 8, rng=0), nn.LayerNorm(8), nn.Linear(8, 2, rng=0))


def test_a_pytorch_init_loop_over_names_warns():
    model = _model()
    with pytest.warns(UserWarning, match=r"'weight' in the parameter name 'layers\.[02]\.W'.*ndim"):
        for name, p in model.named_parameters():
            if "weight" in name:
                p.data[...] = 0
    assert not np.any(model[1].weight.data) and np.any(model[0].W.data)  # (what it did)


def test_the_no_decay_grouping_warns_for_the_biases():
    model = _model()
    with pytest.warns(UserWarning, match=r"'bias' in the parameter name 'layers\.[02]\.b'"):
        [n for n, _ in model.named_parameters() if not any(nd in n for nd in ["bias"])]
    with pytest.warns(UserWarning, match="'bias'"):
        [n for n, _ in model.named_parameters() if n.endswith(".bias")]


def test_glassnets_own_tests_and_other_layers_names_are_quiet():
    model = _model()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        names = [n for n, _ in model.named_parameters()]
        assert [n for n in names if n.endswith((".W", ".weight"))] == [
            "layers.0.W", "layers.1.weight", "layers.2.W"
        ]  # fmt: skip
        assert [n for n in names if "LayerNorm.weight" in n or ".b" in n] == [
            "layers.0.b", "layers.1.bias", "layers.2.b"
        ]  # fmt: skip
        assert "weight" in "layers.1.weight" and "layers.0.W" in dict(model.named_parameters())
        assert type(names[0]).__mro__[1] is str and names[0] == "layers.0.W"


def test_a_name_pickles_as_the_plain_str_it_is():
    import pickle

    names = [n for n, _ in _model().named_parameters()]
    data = pickle.dumps(names)
    assert b"_validation" not in data and pickle.loads(data) == names
    assert type(pickle.loads(data)[0]) is str


def test_the_last_part_of_a_split_name_warns_too():
    # (the second porting audit: name.split(".")[-1] == "bias" put every Linear bias under
    # weight decay, with no warning)
    model = _model()
    with pytest.warns(UserWarning, match=r"'bias' in the parameter name 'layers\.[02]\.b'"):
        decay = [n for n, _ in model.named_parameters() if n.split(".")[-1] != "bias"]
    assert "layers.0.b" in decay  # (the test's result is Python's: the warning says so)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        last = [n.rsplit(".", 1)[-1] for n, _ in model.named_parameters()]
        assert last == ["W", "b", "weight", "bias", "W", "b"] and {last[0]: 1}["W"] == 1
        assert [n.rpartition(".")[2] for n, _ in model.named_parameters()][1] == "b"
