"""Round 21's reviews of the round's mends: each test failed before its mend."""

import warnings

import numpy as np
import pytest

import glassnet as gn
import glassnet.nn.functional as NF
from glassnet import nn
from glassnet.data import TensorDataset, random_split


@pytest.mark.parametrize("loss", [nn.MSELoss(), NF.mse_loss], ids=["module", "function"])
def test_glassnets_own_loss_objects_are_silent_on_the_way_to_a_divergence(loss):
    # fit runs a loss function of the caller's under the caller's NumPy error state, but
    # nn.MSELoss() and F.mse_loss are glassnet's: silent as loss='mse' (a DivergenceError)
    X = np.random.default_rng(0).normal(size=(20, 2))
    gn.manual_seed(0)
    net = nn.Sequential(nn.Linear(2, 3), nn.ReLU(), nn.Linear(3, 1))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with pytest.raises(gn.DivergenceError):
            gn.fit(net, X * 1e3, X[:, :1] * 1e6, loss=loss, epochs=50, lr=10.0, verbose=0)


def test_a_users_own_loss_function_still_runs_under_the_callers_state():
    seen = []

    def loss(out, y):
        seen.append(np.geterr()["divide"])
        return ((out - y) ** 2).mean()

    X = np.random.default_rng(0).normal(size=(8, 2))
    with np.errstate(divide="raise"):
        gn.fit(nn.Linear(2, 1), X, X[:, :1], loss=loss, epochs=1, verbose=0, engine="graph")
    assert seen and set(seen) == {"raise"}


def test_a_nan_targets_advice_runs():
    # the refusal says: m = np.isfinite(y), then the loss of (output[m], y[m])
    out = gn.tensor(np.ones((3, 2)), requires_grad=True)
    y = np.array([[1.0, np.nan], [2.0, 3.0], [np.inf, 1.0]])
    with pytest.raises(ValueError, match=r"m = np.isfinite\(y\)") as e:
        nn.MSELoss()(out, y)
    assert "reduction='none'" not in str(e.value)
    m = np.isfinite(y)
    loss = nn.MSELoss()(out[m], y[m])
    loss.backward()
    assert np.isfinite(loss.item()) and np.isfinite(out.grad).all()


def test_random_split_lets_a_users_own_type_error_through():
    class Lengths:
        def __iter__(self):
            raise TypeError("the user's own bug")

    with pytest.raises(TypeError, match="the user's own bug"):
        random_split(TensorDataset(np.zeros((4, 1))), Lengths())


def test_batchnorm_counts_only_the_arrays_it_makes():
    # affine=False, track_running_stats=False: no array of num_features is made at all
    bn = nn.BatchNorm1d(10**12, affine=False, track_running_stats=False)
    assert bn.weight is None and bn.running_mean is None
    with pytest.raises(MemoryError, match="BatchNorm1d"):
        nn.BatchNorm1d(10**12)


@pytest.mark.parametrize(
    "make",
    [
        lambda: nn.BCELoss(),
        lambda: nn.BCEWithLogitsLoss(),
        lambda: nn.BCEWithLogitsLoss(pos_weight=np.array([2.0])),
    ],  # fmt: skip
)
def test_the_bce_losses_name_a_nan_targets_first_index_as_the_others(make):
    # the README's loss row: a NaN or inf target is refused, naming its first bad index
    # (the BCE losses said "values from nan to nan")
    with pytest.raises(ValueError, match=r"NaN or inf \(first at index \(1,\)\)"):
        make()(gn.tensor([0.5, 0.5, 0.5]), np.array([0.0, np.nan, 1.0]))
    with pytest.raises(TypeError, match="must be numeric"):  # (text: still check_target's)
        make()(gn.tensor([0.5, 0.5, 0.5]), ["a", "b", "c"])


def test_a_bare_schedules_constant_lr_is_the_constant_rate_pytorchs_is_at_its_place():
    # README: schedules.ConstantLR(opt) bare stays scikit-learn's constant rate; PyTorch's
    # bare ConstantLR (1/3 for 5 epochs) is glassnet.optim.lr_scheduler.ConstantLR
    from glassnet import schedules

    opt = gn.optim.SGD(nn.Linear(2, 1).parameters(), lr=0.3)
    schedules.ConstantLR(opt)
    assert opt.param_groups[0]["lr"] == 0.3
    gn.optim.lr_scheduler.ConstantLR(opt)
    assert opt.param_groups[0]["lr"] == pytest.approx(0.1)


def test_explain_refuses_a_masked_array_as_fit_does_and_reads_torchs_tensors():
    net = nn.MLP([2, 2, 1], activation="sigmoid", output_activation="sigmoid", rng=0)
    with pytest.raises(ValueError, match=r"explain: x is a masked array with 1 masked value"):
        gn.explain(net, np.ma.array([1.0, 0.5], mask=[False, True]), [1.0])
    want = gn.explain(net, [1.0, 0.5], [1.0]).gradient("w1")
    assert gn.explain(net, np.ma.array([1.0, 0.5]), [1.0]).gradient("w1") == want
    torch = pytest.importorskip("torch")
    x = torch.tensor([1.0, 0.5], dtype=torch.float64, requires_grad=True)
    assert gn.explain(net, x, [1.0]).gradient("w1") == want


def test_a_callback_that_runs_only_at_the_ends_keeps_fits_whole_run_loop():
    # the command line's and the estimators' OwnInterrupt (between_epochs = False) cost the
    # demo its whole-run loop (2.5x slower); another callback still runs between epochs
    from glassnet import engines
    from glassnet.interrupts import OwnInterrupt

    assert engines.between(callbacks=[OwnInterrupt()]) == ""
    assert "callbacks (1 given)" in engines.between(callbacks=[OwnInterrupt(), gn.Callback()])
    X = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], float)
    y = np.array([[1], [0], [0], [1]], float)
    nets = [nn.MLP([2, 2, 1], activation="sigmoid", output_activation="sigmoid", rng=0)]
    nets.append(nn.MLP([2, 2, 1], activation="sigmoid", output_activation="sigmoid", rng=0))
    for net, cbs in zip(nets, ([], [OwnInterrupt()])):
        gn.fit(net, X, y, loss="mse", lr=2.0, epochs=500, verbose=0, callbacks=cbs)
    np.testing.assert_array_equal(nets[0].layers[0].W.data, nets[1].layers[0].W.data)


def test_demo_stopped_by_ctrl_c_says_so_and_exits_130(monkeypatch, capsys):
    # docs/cli.md: Ctrl-C elsewhere is "glassnet: error: interrupted" (130); the demo printed
    # its table as if training had finished and exited 0 (a Ctrl-C at epoch 5, from fit's
    # own callbacks, as fit holds a real one)
    from glassnet import cli

    real = cli.fit

    def fit(*args, callbacks=(), **kw):
        def ctrl_c(state):
            if state.epoch == 5:
                raise KeyboardInterrupt

        return real(*args, callbacks=[ctrl_c, *callbacks], **kw)

    monkeypatch.setattr(cli, "fit", fit)
    assert cli.main(["demo", "--epochs", "1000"]) == 130
    out, err = capsys.readouterr()
    assert "glassnet: error: interrupted (Ctrl-C) after 5 of 1000 epochs" in err, err
    assert "rows wrong" not in out and "rows right" not in out


def test_a_closed_standard_output_is_an_error_not_a_bug(tmp_path):
    import subprocess
    import sys

    done = subprocess.run(
        [sys.executable, "-c", "import os, sys; os.close(1); sys.stdout = None; "
         "from glassnet.cli import main; sys.exit(main(['exercise', '--seed', '1']))"],
        capture_output=True, text=True, timeout=60, cwd=tmp_path,
    )  # fmt: skip
    assert done.returncode == 1, done.stderr
    assert "standard output is closed" in done.stderr and "bug" not in done.stderr
