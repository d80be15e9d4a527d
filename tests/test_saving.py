"""gn.save / gn.load, PyTorch's torch.save / torch.load habit on glassnet's safe files: a
state dict, a model of glassnet's layers or a Tensor round trips; what a file of arrays
cannot hold (a class of the user's own, an optimizer's nested state) is refused saying what
to save instead."""

from __future__ import annotations

import numpy as np
import pytest

import glassnet as gn
from glassnet import nn
from glassnet.io import ModelFileError


class Net(nn.Module):
    def __init__(self):
        self.fc1, self.fc2 = nn.Linear(3, 4, rng=0), nn.Linear(4, 2, rng=1)

    def forward(self, x):
        return self.fc2(self.fc1(x).relu())


def test_a_state_dict_round_trips_into_a_new_model(tmp_path):
    net = Net()
    path = tmp_path / "net.glassnet"
    gn.save(net.state_dict(), path)
    loaded = gn.load(path)
    assert list(loaded) == list(net.state_dict())  # (its order)
    again = Net()
    for p in again.parameters():
        p.data[...] = 0.0
    assert again.load_state_dict(loaded) == ([], [])
    x = np.random.default_rng(0).standard_normal((5, 3))
    np.testing.assert_array_equal(again(x).data, net(x).data)


def test_a_model_of_glassnets_layers_and_a_tensor_round_trip(tmp_path):
    mlp = nn.MLP([3, 5, 2], rng=0)
    gn.save(mlp, tmp_path / "mlp.glassnet")
    back = gn.load(tmp_path / "mlp.glassnet")
    assert type(back) is nn.MLP
    x = np.ones((2, 3))
    np.testing.assert_array_equal(back(x).data, mlp(x).data)
    t = gn.tensor([[1.0, 2.0]], dtype=gn.float64)
    gn.save(t, tmp_path / "t.glassnet")
    got = gn.load(tmp_path / "t.glassnet")
    assert isinstance(got, gn.Tensor) and got.dtype == np.float64
    assert got.data.tolist() == [[1.0, 2.0]]


def test_what_a_file_of_arrays_cannot_hold_is_refused(tmp_path):
    path = tmp_path / "x.glassnet"
    with pytest.raises(TypeError, match=r"Module of your own class.*gn.save\(model.state_dict"):
        gn.save(Net(), path)
    opt = gn.optim.Adam(Net().parameters())
    with pytest.raises(TypeError, match="save_checkpoint"):
        gn.save(opt.state_dict(), path)
    with pytest.raises(TypeError, match="never pickled objects"):
        gn.save([1, 2], path)
    assert not path.exists()
    with pytest.raises(ModelFileError, match="no such file"):
        gn.load(tmp_path / "missing.glassnet")
