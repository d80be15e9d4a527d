"""train --checkpoint-every/--resume (round 22 audit): the thread count, the effective
--val-split and --dtype are settings a resume names; a truncated checkpoint is said to be
one; an interrupted run (Ctrl-C, SIGTERM) writes the last completed epoch's checkpoint."""

from __future__ import annotations

import signal
from pathlib import Path

import numpy as np
import pytest
from cli_helpers import assert_one_line_error, run, train_interrupted

import glassnet as gn
from glassnet import cli
from glassnet.io import load_checkpoint, save_checkpoint

MOONS = ["train", "--dataset", "moons", "--hidden", "8", "-q"]


def _train(capsys, tmp_path: Path, *argv: object, out: str = "m.glassnet"):
    return run(capsys, *MOONS, "--out", tmp_path / out, *argv)


def _weights(path: Path) -> dict[str, np.ndarray]:
    return gn.io.load_model(path).network.state_dict()


def _same(a: Path, b: Path) -> bool:
    x, y = _weights(a), _weights(b)
    return x.keys() == y.keys() and all(np.array_equal(x[k], y[k]) for k in x)


# ------------------------------------------------------------------- 1. --threads


def test_the_checkpoint_stores_the_thread_count_used_and_resume_names_a_change(capsys, tmp_path):
    code, _, err = _train(capsys, tmp_path, "--epochs", "2", "--checkpoint-every", "1",
                          "--threads", "1")  # fmt: skip
    assert code == 0, err
    code, _, err = _train(capsys, tmp_path, "--epochs", "4", "--checkpoint-every", "1",
                          "--threads", "2", "--resume")  # fmt: skip
    assert code == 2
    assert_one_line_error(err, "threads 1 -> 2", "--threads 1")


def test_auto_threads_are_stored_as_the_count_they_resolved_to(capsys, tmp_path):
    code, _, err = _train(capsys, tmp_path, "--epochs", "2", "--checkpoint-every", "1")
    assert code == 0, err
    threads = load_checkpoint(tmp_path / "m.glassnet.ckpt").meta["settings"]["threads"]
    assert isinstance(threads, int) and threads >= 1
    code, _, err = _train(capsys, tmp_path, "--epochs", "3", "--checkpoint-every", "1",
                          "--threads", str(threads), "--resume")  # fmt: skip
    assert code == 0, err


def test_an_older_checkpoint_without_the_thread_count_resumes_with_a_note(capsys, tmp_path):
    code, _, err = _train(capsys, tmp_path, "--epochs", "2", "--checkpoint-every", "1")
    assert code == 0, err
    path = tmp_path / "m.glassnet.ckpt"
    ck = load_checkpoint(path)
    del ck.meta["settings"]["threads"]
    save_checkpoint(path, ck.model_state, ck.optimizer_state, ck.meta, replace_any=True)
    code, _, err = _train(capsys, tmp_path, "--epochs", "3", "--checkpoint-every", "1",
                          "--resume")  # fmt: skip
    assert code == 0, err
    assert "thread count" in err and "note" in err


# ---------------------------------------------------------- 2. the effective val split


@pytest.mark.parametrize(
    ("first", "then"), [([], ["--val-split", "0.1"]), (["--val-split", "0.1"], [])]
)
def test_early_stopping_resumes_with_or_without_the_default_val_split(
    capsys, tmp_path, first, then
):
    es = ["--checkpoint-every", "2", "--early-stopping"]
    code, _, err = _train(capsys, tmp_path, "--epochs", "2", *es, *first)
    assert code == 0, err
    assert load_checkpoint(tmp_path / "m.glassnet.ckpt").meta["settings"]["val_split"] == 0.1
    code, _, err = _train(capsys, tmp_path, "--epochs", "4", *es, *then, "--resume")
    assert code == 0, err


# ----------------------------------------------------------------------- 3. --dtype


def test_another_dtype_in_memory_is_named(capsys, tmp_path):
    code, _, err = _train(capsys, tmp_path, "--epochs", "2", "--checkpoint-every", "1")
    assert code == 0, err
    code, _, err = _train(capsys, tmp_path, "--epochs", "4", "--checkpoint-every", "1",
                          "--dtype", "float64", "--resume")  # fmt: skip
    assert code == 2
    assert_one_line_error(err, "dtype 'float32' -> 'float64'")
    assert "data differ" not in err


# ------------------------------------------------------------ 4. a truncated checkpoint


def test_a_truncated_checkpoint_is_said_to_be_one_and_force_is_not_advised(capsys, tmp_path):
    code, _, err = _train(capsys, tmp_path, "--epochs", "2", "--checkpoint-every", "1")
    assert code == 0, err
    path = tmp_path / "m.glassnet.ckpt"
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])
    code, _, err = _train(capsys, tmp_path, "--epochs", "4", "--checkpoint-every", "1",
                          "--resume")  # fmt: skip
    assert code != 0
    assert "truncated or corrupt" in err and "--force" not in err, err
    assert path.read_bytes() == data[: len(data) // 2]  # (left as it was)


# ------------------------------------------------- 5. an interrupt writes a checkpoint


class _CtrlC(gn.train.Callback):
    """Ctrl-C in the middle of epoch ``epoch`` (after its first step)."""

    def __init__(self, epoch: int) -> None:
        self.epoch = epoch

    def on_step_end(self, state) -> None:
        if state.epoch == self.epoch:
            raise KeyboardInterrupt


@pytest.mark.parametrize("extra", [[], ["--early-stopping", "--patience", "50"]])
def test_ctrl_c_writes_the_last_completed_epoch_and_resume_is_exact(
    capsys, tmp_path, monkeypatch, extra
):
    args = ["--epochs", "6", "--checkpoint-every", "100", *extra]
    code, _, err = _train(capsys, tmp_path, *args, out="full.glassnet")
    assert code == 0, err
    fit = cli.fit

    def interrupted(*a, callbacks=(), **kw):
        return fit(*a, callbacks=[*callbacks, _CtrlC(4)], **kw)

    monkeypatch.setattr(cli, "fit", interrupted)
    code, out, err = _train(capsys, tmp_path, *args)
    assert code == 130, err
    ck = load_checkpoint(tmp_path / "m.glassnet.ckpt")
    assert ck.meta["state"]["epoch"] == 3
    monkeypatch.setattr(cli, "fit", fit)
    code, out, err = _train(capsys, tmp_path, *args, "--resume")
    assert code == 0, err
    assert _same(tmp_path / "m.glassnet", tmp_path / "full.glassnet")


def test_sigterm_writes_the_last_completed_epoch_and_resume_is_exact(capsys, tmp_path):
    args = ["train", "--dataset", "digits", "--hidden", "16", "--epochs", "1000",
            "--checkpoint-every", "5000", "--threads", "1", "-q"]  # fmt: skip
    code, err = train_interrupted(tmp_path / "m.glassnet", signal.SIGTERM)
    assert code == 143, err
    assert "the last completed" in err
    epoch = load_checkpoint(tmp_path / "m.glassnet.ckpt").meta["state"]["epoch"]
    assert 1 <= epoch < 1000
    args[args.index("1000")] = str(epoch + 1)
    code, _, err = run(capsys, *args, "--out", tmp_path / "m.glassnet", "--resume")
    assert code == 0, err
    code, _, err = run(capsys, *args, "--out", tmp_path / "full.glassnet")
    assert code == 0, err
    assert _same(tmp_path / "m.glassnet", tmp_path / "full.glassnet")


# ------------------------------------------------ round 22 review g: fix6


def test_ctrl_c_inside_a_checkpoint_write_keeps_that_epoch_for_the_interrupt_write(
    capsys, tmp_path, monkeypatch
):
    args = ["--epochs", "6", "--checkpoint-every", "3", "--threads", "1"]
    code, _, err = _train(capsys, tmp_path, *args, out="full.glassnet")
    assert code == 0, err
    save, calls = cli.save_checkpoint, []

    def interrupted_once(*a, **kw):
        calls.append(1)
        if len(calls) == 1:  # (Ctrl-C inside the epoch-3 write)
            raise KeyboardInterrupt
        return save(*a, **kw)

    monkeypatch.setattr(cli, "save_checkpoint", interrupted_once)
    code, _, err = _train(capsys, tmp_path, *args)
    assert code == 130, err
    assert "no epoch completed" not in err and "epoch 3" in err, err
    assert load_checkpoint(tmp_path / "m.glassnet.ckpt").meta["state"]["epoch"] == 3
    monkeypatch.setattr(cli, "save_checkpoint", save)
    code, _, err = _train(capsys, tmp_path, *args, "--resume")
    assert code == 0, err
    assert _same(tmp_path / "m.glassnet", tmp_path / "full.glassnet")


def _stored_threads(tmp_path: Path, threads: int) -> None:
    path = tmp_path / "m.glassnet.ckpt"
    ck = load_checkpoint(path)
    ck.meta["settings"]["threads"] = threads
    save_checkpoint(path, ck.model_state, ck.optimizer_state, ck.meta, replace_any=True)


def test_threads_load_resumes_when_the_load_changed_the_count_with_a_note(capsys, tmp_path):
    args = ["--checkpoint-every", "1", "--threads", "load"]
    code, _, err = _train(capsys, tmp_path, "--epochs", "2", *args)
    assert code == 0, err
    _stored_threads(tmp_path, 97)  # (as if the load had been other then)
    code, _, err = _train(capsys, tmp_path, "--epochs", "3", *args, "--resume")
    assert code == 0, err
    assert "note" in err and "97" in err and "thread count" in err, err


def test_a_changed_thread_count_names_the_exact_flag_not_the_refused_command(capsys, tmp_path):
    code, _, err = _train(capsys, tmp_path, "--epochs", "2", "--checkpoint-every", "1")
    assert code == 0, err
    _stored_threads(tmp_path, 97)
    code, _, err = _train(capsys, tmp_path, "--epochs", "3", "--checkpoint-every", "1",
                          "--resume")  # fmt: skip
    assert code == 2
    assert_one_line_error(err, "threads 97 ->", "--threads 97")
    assert "rerun the original command" not in err, err


@pytest.mark.parametrize("cut", ["half", "20 bytes", "empty"])
def test_a_damaged_checkpoint_says_what_to_do(capsys, tmp_path, cut):
    code, _, err = _train(capsys, tmp_path, "--epochs", "2", "--checkpoint-every", "1")
    assert code == 0, err
    path = tmp_path / "m.glassnet.ckpt"
    data = path.read_bytes()
    path.write_bytes({"half": data[: len(data) // 2], "20 bytes": data[:20], "empty": b""}[cut])
    code, _, err = _train(capsys, tmp_path, "--epochs", "4", "--checkpoint-every", "1",
                          "--resume")  # fmt: skip
    assert code != 0
    assert "start afresh without --resume" in err and "restore a good copy" in err, err
    if cut == "empty":
        assert "empty checkpoint" in err and "not a model file" not in err, err


def test_keeping_the_last_epoch_copies_in_place_not_a_state_dict_per_epoch(
    capsys, tmp_path, monkeypatch
):
    calls: list[str] = []
    model_sd, rule_names = gn.nn.Module.state_dict, cli._rule_names

    def counted(self):
        calls.append("state_dict")
        return model_sd(self)

    def names(model):
        calls.append("names")
        return rule_names(model)

    monkeypatch.setattr(gn.nn.Module, "state_dict", counted)
    monkeypatch.setattr(cli, "_rule_names", names)
    args = ["--epochs", "30", "--batch-size", "0", "--early-stopping", "--patience", "100"]
    code, _, err = _train(capsys, tmp_path, *args, "--checkpoint-every", "100")
    assert code == 0, err
    assert calls.count("names") <= 1 and calls.count("state_dict") < 10, calls
