"""train --checkpoint-every (round 22 fuzz, defect 1): a second Ctrl-C or SIGTERM while
the interrupted run writes the last completed epoch's checkpoint is noted, not obeyed;
the checkpoint is written whole and the command exits as interrupted (a third stops at
once); the signal handlers found are put back."""

from __future__ import annotations

import os
import signal
import threading
from pathlib import Path

import numpy as np
from cli_helpers import run, train_interrupted

import glassnet as gn
from glassnet import cli
from glassnet.io import load_checkpoint

MOONS = ["train", "--dataset", "moons", "--hidden", "8", "-q"]
ARGS = ["--epochs", "6", "--checkpoint-every", "100", "--threads", "1"]


def _train(capsys, tmp_path: Path, *argv: object, out: str = "m.glassnet"):
    return run(capsys, *MOONS, "--out", tmp_path / out, *argv)


def _same(a: Path, b: Path) -> bool:
    x = gn.io.load_model(a).network.state_dict()
    y = gn.io.load_model(b).network.state_dict()
    return x.keys() == y.keys() and all(np.array_equal(x[k], y[k]) for k in x)


class _Signal(gn.train.Callback):
    """A real ``signum`` to this process in the middle of epoch ``epoch``."""

    def __init__(self, epoch: int, signum: int = signal.SIGINT) -> None:
        self.epoch, self.signum, self.sent = epoch, signum, False

    def on_step_end(self, state) -> None:
        if state.epoch == self.epoch and not self.sent:
            self.sent = True
            os.kill(os.getpid(), self.signum)


def _interrupt(monkeypatch, first: int, *more: int) -> list[int]:
    """fit gets ``first`` in epoch 4; the checkpoint writer gets ``more`` as it starts."""
    fit, save, calls = cli.fit, cli.save_checkpoint, []

    def interrupted(*a, callbacks=(), **kw):
        return fit(*a, callbacks=[*callbacks, _Signal(4, first)], **kw)

    def save_while_signalled(*a, **kw):
        calls.append(1)
        for signum in more:
            os.kill(os.getpid(), signum)
        return save(*a, **kw)

    monkeypatch.setattr(cli, "fit", interrupted)
    monkeypatch.setattr(cli, "save_checkpoint", save_while_signalled)
    return calls


def _handlers() -> tuple[object, object]:
    return signal.getsignal(signal.SIGINT), signal.getsignal(signal.SIGTERM)


def test_a_second_ctrl_c_during_the_interrupt_write_is_noted_and_resume_is_exact(
    capsys, tmp_path, monkeypatch
):
    code, _, err = _train(capsys, tmp_path, *ARGS, out="full.glassnet")
    assert code == 0, err
    before = _handlers()
    calls = _interrupt(monkeypatch, signal.SIGINT, signal.SIGINT)
    code, _, err = _train(capsys, tmp_path, *ARGS)
    assert _handlers() == before
    assert code == 130, err
    assert calls == [1]
    assert "interrupted again" in err and "epoch 3, the last completed, is written" in err, err
    assert load_checkpoint(tmp_path / "m.glassnet.ckpt").meta["state"]["epoch"] == 3
    monkeypatch.undo()
    code, _, err = _train(capsys, tmp_path, *ARGS, "--resume")
    assert code == 0, err
    assert _same(tmp_path / "m.glassnet", tmp_path / "full.glassnet")


def test_sigterm_then_ctrl_c_writes_the_checkpoint_and_exits_143(capsys, tmp_path, monkeypatch):
    before = _handlers()
    _interrupt(monkeypatch, signal.SIGTERM, signal.SIGINT)
    code, _, err = _train(capsys, tmp_path, *ARGS)
    assert _handlers() == before
    assert code == 143, err
    assert load_checkpoint(tmp_path / "m.glassnet.ckpt").meta["state"]["epoch"] == 3


def test_a_third_interrupt_stops_at_once_and_the_handlers_are_put_back(
    capsys, tmp_path, monkeypatch
):
    before = _handlers()
    _interrupt(monkeypatch, signal.SIGINT, signal.SIGINT, signal.SIGINT)
    code, _, err = _train(capsys, tmp_path, *ARGS)
    assert _handlers() == before
    assert code == 130 and "interrupted" in err, err
    assert not (tmp_path / "m.glassnet.ckpt").exists()


def test_two_real_ctrl_c_in_quick_succession_write_the_checkpoint(tmp_path):
    out = tmp_path / "m.glassnet"
    code, err = train_interrupted(out, signal.SIGINT, signal.SIGINT, gap=0.002)
    assert code == 130, err
    assert "the last completed, is written" in err, err
    assert 1 <= load_checkpoint(Path(f"{out}.ckpt")).meta["state"]["epoch"] < 1000
    assert out.is_file()


def test_a_second_ctrl_c_while_the_model_is_saved_is_noted_too(capsys, tmp_path, monkeypatch):
    before = _handlers()
    _interrupt(monkeypatch, signal.SIGINT)
    save_model = cli.save_model

    def save_while_signalled(*a, **kw):
        os.kill(os.getpid(), signal.SIGINT)
        return save_model(*a, **kw)

    monkeypatch.setattr(cli, "save_model", save_while_signalled)
    code, _, err = _train(capsys, tmp_path, *ARGS)
    assert _handlers() == before
    assert code == 130 and "interrupted again" in err, err
    assert gn.io.load_model(tmp_path / "m.glassnet").network is not None
    assert load_checkpoint(tmp_path / "m.glassnet.ckpt").meta["state"]["epoch"] == 3


class _CtrlC(gn.train.Callback):
    """Ctrl-C (no signal: off the main thread none can be sent) in epoch 4."""

    def on_step_end(self, state) -> None:
        if state.epoch == 4:
            raise KeyboardInterrupt


def test_off_the_main_thread_no_handler_is_set_and_the_checkpoint_is_written(
    capsys, tmp_path, monkeypatch
):
    fit, before, codes = cli.fit, _handlers(), []

    def interrupted(*a, callbacks=(), **kw):
        assert _handlers() == before  # (no handler can be set off the main thread)
        return fit(*a, callbacks=[*callbacks, _CtrlC()], **kw)

    monkeypatch.setattr(cli, "fit", interrupted)
    argv = [str(a) for a in [*MOONS, "--out", tmp_path / "m.glassnet", *ARGS]]
    worker = threading.Thread(target=lambda: codes.append(cli.main(argv)))
    worker.start()
    worker.join(60)
    err = capsys.readouterr().err
    assert codes == [130], err
    assert load_checkpoint(tmp_path / "m.glassnet.ckpt").meta["state"]["epoch"] == 3


def test_a_second_ctrl_c_while_the_test_rows_are_scored_is_noted_too(capsys, tmp_path, monkeypatch):
    before = _handlers()
    _interrupt(monkeypatch, signal.SIGINT)
    outputs, sent = cli._Bundle.outputs, []

    def scored_while_signalled(self, *a, **kw):  # (the held-out scoring, after fit)
        if not sent:
            sent.append(1)
            os.kill(os.getpid(), signal.SIGINT)
        return outputs(self, *a, **kw)

    monkeypatch.setattr(cli._Bundle, "outputs", scored_while_signalled)
    code, _, err = _train(capsys, tmp_path, *ARGS)
    assert sent and _handlers() == before
    assert code == 130 and "interrupted again" in err, err
    assert gn.io.load_model(tmp_path / "m.glassnet").network is not None
    assert load_checkpoint(tmp_path / "m.glassnet.ckpt").meta["state"]["epoch"] == 3
