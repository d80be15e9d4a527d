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
    with pytest.raises(
        TypeError, match=r"a Net \(a class of your own\).*gn.save\(model.state_dict"
    ):
        gn.save(Net(), path)
    opt = gn.optim.Adam(Net().parameters())
    with pytest.raises(TypeError, match=r"'opt' holds a glassnet\.optim\.Adam.*never pickled"):
        gn.save({"opt": opt}, path)  # (its state_dict() is saved: test_state_files_round16)
    with pytest.raises(TypeError, match="never pickled objects"):
        gn.save([1, object()], path)
    assert not path.exists()
    with pytest.raises(ModelFileError, match="no such file"):
        gn.load(tmp_path / "missing.glassnet")


def test_review_findings_on_save_and_load(tmp_path):
    """A Linear subclass was saved as a model that load refused; a CSV file at the path was
    replaced; a checkpoint loaded as flattened internal names; a saved model lost eval()
    and its frozen weights; a Parameter came back without requires_grad."""

    class MyLin(nn.Linear):
        def forward(self, x):
            return super().forward(x) * 2

    path = tmp_path / "m.glassnet"
    for model in (MyLin(2, 1), nn.Sequential(MyLin(2, 1))):
        with pytest.raises(TypeError, match="MyLin \\(a class of your own\\)"):
            gn.save(model, path)
    with pytest.raises(TypeError, match="save its weights"):  # (a container: no description)
        gn.save(nn.ModuleList([nn.Linear(2, 1)]), path)
    assert not path.exists()
    data = tmp_path / "train.csv"
    data.write_text("a,b,y\n1,2,0\n")
    with pytest.raises(
        ValueError, match="is a text file, not a glassnet file.*save would replace it"
    ):
        gn.save({"w": np.ones(2)}, data)
    assert data.read_text() == "a,b,y\n1,2,0\n"
    mlp = nn.Sequential(nn.Linear(2, 3, rng=0), nn.Dropout(0.5), nn.Linear(3, 1, rng=1))
    mlp.eval()
    mlp[0].W.requires_grad_(False)
    gn.save(mlp, path)
    back = gn.load(path)
    assert not back.training and not back[1].training
    assert not back[0].W.requires_grad and back[2].W.requires_grad
    x = np.ones((2, 2))
    np.testing.assert_array_equal(back(x).data, back(x).data)  # (dropout off: eval kept)
    w = nn.Parameter(np.ones(3))
    gn.save(w, tmp_path / "w.glassnet")
    assert gn.load(tmp_path / "w.glassnet").requires_grad
    from glassnet.io import save_checkpoint

    opt = gn.optim.Adam(mlp.parameters())
    save_checkpoint(tmp_path / "c.glassnet", mlp.state_dict(), opt.state_dict())
    ck = gn.load(tmp_path / "c.glassnet")
    assert set(ck) == {"model", "optimizer", "meta"}
    assert nn.Sequential(nn.Linear(2, 3), nn.Dropout(0.5), nn.Linear(3, 1)).load_state_dict(
        ck["model"]
    ) == ([], [])
    with pytest.raises(TypeError, match="the object to save comes first"):
        gn.save(str(path), mlp.state_dict())
    with pytest.raises((TypeError, ValueError), match="the state dict"):
        gn.save({"": np.ones(2)}, path)


def test_a_model_its_description_cannot_rebuild_is_refused(tmp_path):
    """A layer used twice, or a loss module in a Sequential, was saved and then refused by
    load as 'a module of your own'."""
    shared = nn.Linear(2, 2, rng=0)
    for model in (
        nn.Sequential(shared, nn.ReLU(), shared),
        nn.Sequential(nn.Linear(3, 4), nn.MSELoss()),
    ):
        with pytest.raises(TypeError, match="cannot be rebuilt from its description"):
            gn.save(model, tmp_path / "m.glassnet")
    assert not (tmp_path / "m.glassnet").exists()
