"""What the playground exports: the model file, the data as CSV, and a script.

* :func:`model_bytes`: the network in glassnet's model-file format (safetensors weights,
  JSON description, written by :func:`glassnet.io.save_model`) with the description
  ``glassnet train`` writes, so ``glassnet predict``, ``evaluate``, ``explain`` and
  ``info`` accept it. Its input columns are the playground's features (``x1``,
  ``x2``, ``x1^2``, ...), unscaled.
* :func:`data_csv`: the data set as a CSV file with those columns and the target, which
  those commands read.
* :func:`script`: a Python script that rebuilds the run with glassnet's API and
  replays its gradient-descent steps, reaching the same weights.
"""

from __future__ import annotations

import csv
import io
import json
import tempfile
import textwrap
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:
    from .engine import Run

__all__ = ["data_csv", "model_bytes", "script", "TARGET"]

TARGET = "label"  # the target column's name in the exported data (classification)
REG_TARGET = "y"  # ... and for regression


def _target_name(run: Run) -> str:
    return TARGET if run.config["problem"] == "classification" else REG_TARGET


def model_bytes(run: Run) -> bytes:
    """The model file's bytes: :func:`glassnet.io.save_model` with the description of
    ``glassnet train`` (task, identity preprocessing of the feature columns, labels)."""
    from .. import __version__
    from ..cli import MODEL_FORMAT, MODEL_FORMAT_VERSION
    from ..io import save_model
    from .engine import ACTIVATIONS

    c = run.config
    classify = c["problem"] == "classification"
    feats = list(c["features"])
    # the epochs as the page counts them: 30 steps of 25 an epoch are 1.2 (it said 1, and
    # `glassnet info` "--epochs 1"); `--epochs` is written for whole epochs only (it is an
    # integer), the fraction in the history's message and the playground's own fields
    epochs = round(run.epochs_done, 6)
    whole = {"epochs": run.epoch} if epochs == run.epoch else {}
    per = run.steps_per_epoch
    done = (
        f"after {run.step_count} step{'' if run.step_count == 1 else 's'}, {epochs:g} "
        f"epoch{'' if epochs == 1 else 's'} ({per} step{'' if per == 1 else 's'} an epoch)"
    )
    meta = {
        "format": MODEL_FORMAT,
        "format_version": MODEL_FORMAT_VERSION,
        "glassnet_version": __version__,
        "task": {
            "name": "binary" if classify else "regression",
            "loss": run.loss_name,
            "output_activation": "sigmoid" if classify else "identity",
            "n_outputs": 1,
        },
        "target": {
            "names": [_target_name(run)],
            "labels": {"type": "LabelEncoder", "label_type": "int", "classes": ["0", "1"]}
            if classify
            else None,
            "scaler": None,
        },
        "preprocessing": {
            "standardize": False,
            "impute": None,
            "inputs": feats,
            "preprocessor": {
                "type": "Preprocessor",
                "columns": feats,
                "kinds": ["numeric"] * len(feats),
                "scaler": {
                    "type": "StandardScaler",
                    "mean": [0.0] * len(feats),
                    "scale": [1.0] * len(feats),
                },
                "encoder": None,
            },
        },
        "training": {  # the fields `glassnet info` shows, then the playground's own
            "data": f"glassnet playground: {c['dataset']} (noise {c['noise']}, "
            f"{c['samples']} points)",
            "hidden": list(c["hidden"]),
            "activation": ACTIVATIONS[c["activation"]],
            "optimizer": "sgd",
            "lr": c["lr"],
            "batch_size": c["batch_size"],
            **whole,
            "seed": c["seed"],
            "rows": {"train": len(run.train_idx), "validation": 0, "test": len(run.test_idx)},
            "playground": {
                "settings": dict(c),
                "steps": run.step_count,
                "epochs": epochs,
                "steps_per_epoch": per,
                "changes": list(run.changes),
            },
        },
        "history": {
            "epoch": run.epoch,
            "seconds": run.seconds,
            "message": f"exported from the playground {done}",
            "epochs": [h[0] for h in run.history],
            "loss": [h[1] for h in run.history],
            "test_loss": [h[2] for h in run.history],
        },
    }
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "playground.glassnet"
        save_model(run.model, path, meta=json.loads(json.dumps(meta)))
        return path.read_bytes()


def data_csv(run: Run, which: str = "all") -> str:
    """The data set as CSV: one column per feature, then the target (``label`` 0/1, or
    ``y``). ``which``: ``'all'``, ``'train'`` or ``'test'``."""
    rows = {"all": np.arange(len(run.targets)), "train": run.train_idx, "test": run.test_idx}[which]
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow([*run.config["features"], _target_name(run)])
    classify = run.config["problem"] == "classification"
    for r in rows:
        y = str(int(run.targets[r])) if classify else repr(float(run.targets[r]))
        w.writerow([repr(float(v)) for v in run.X[r]] + [y])
    return buf.getvalue()


_SCRIPT = '''\
"""A glassnet playground run, reproduced with glassnet's API.

Settings: {summary}
It replays the playground's {steps} gradient-descent step(s) and ends with its weights.
Run it with:  python {filename}
"""

import numpy as np

import glassnet as gn
from glassnet.fused import FastMLP, layers_of
from glassnet.playground import feature_matrix, make_dataset

config = {config}
# changes made during the run, applied before step "step": a new learning rate or
# regularization, or a weight set by hand ("set": [layer, input (-1: the bias), neuron, value])
changes = {changes}
steps = {steps}
seed = config["seed"]

# 1) the data: points (N, 2) and targets, split into train and test, and the features
points, y = make_dataset(config)
order = np.random.default_rng([seed, 1]).permutation(len(y))
n_train = max(1, round(len(y) * config["train_ratio"] / 100))
train, test = order[:n_train], order[n_train:]
X = feature_matrix(points, config["features"])  # (N, features)
Y = y.reshape(-1, 1)  # (N, 1)

# 2) the network: {sizes}, {activation} hidden, {output} output, loss {loss}
model = gn.nn.MLP(
    {sizes},
    activation={activation!r},
    output_activation={output!r},
    rng=np.random.default_rng([seed, 3]),
    dtype=np.float64,
)
{weights}layers = layers_of(model)
opt = gn.optim.SGD(model.parameters(), lr=config["lr"])
engine = FastMLP(layers, {loss!r})  # forward + backward of a batch, dL/dw into .grad

# 3) gradient descent: epoch e visits the training points in a seeded random order
reg, rate = config["regularization"], config["reg_rate"]


def apply_changes(step):
    global reg, rate
    for ch in changes:
        if ch["step"] != step:
            continue
        if "set" in ch:
            l, i, j, value = ch["set"]
            lin = layers[l - 1].linear
            if i < 0:
                lin.b.data[j] = value
            else:
                lin.W.data[i, j] = value
        else:
            opt.lr, reg, rate = ch["lr"], ch["regularization"], ch["reg_rate"]


epoch, perm, pos = 0, None, 0
for step in range(steps):
    apply_changes(step)
    if perm is None:
        perm, pos = np.random.default_rng([seed, 2, epoch]).permutation(n_train), 0
    rows = train[perm[pos : pos + config["batch_size"]]]
    pos += config["batch_size"]
    if pos >= n_train:
        perm, epoch = None, epoch + 1
    engine.step(X[rows], Y[rows])  # dL/dW, dL/db of the batch's mean loss
    if rate and reg != "none":  # + the penalty's gradient on the weights (not the biases)
        for W in (lay.linear.W for lay in layers):
            W.grad += rate * (W.data if reg == "L2" else np.sign(W.data))
    opt.step()  # w <- w - lr * dL/dw


apply_changes(steps)  # what was changed after the last step


def data_loss(rows):
    out = engine.forward(X[rows])[-1]
    return float(np.mean(engine.loss.kernel(out, Y[rows], np.empty_like(out))))


print(f"epoch {{epoch}}, {{steps}} steps: train loss {{data_loss(train):.6f}}", end="")
print(f", test loss {{data_loss(test):.6f}}" if len(test) else "")
'''


def script(config: Mapping[str, Any], changes: Sequence[Mapping[str, Any]], steps: int) -> str:
    """The reproducing script for a run with ``config`` (as :func:`check_config` gives
    it), the mid-run ``changes`` and ``steps`` gradient-descent steps so far."""
    from .engine import ACTIVATIONS, LECTURE, LOSSES, check_config

    c = check_config(dict(config))
    classify = c["problem"] == "classification"
    sizes = [len(c["features"]), *c["hidden"], 1]
    weights = ""
    if c["preset"] == "lecture":
        weights = (
            "# the lecture's slide weights: a1 = σ(-6 + 4 x1 + 4 x2), a2 = σ(2 - 4 x1 - 4 x2),\n"
            "# y_hat = σ(-0.5 + a1 + a2)\n"
            f"for lin, W, b in zip(model.layers[::2], {LECTURE['W']!r}, {LECTURE['b']!r}):\n"
            "    lin.W.data[...], lin.b.data[...] = W, b\n"
        )
    summary = textwrap.fill(", ".join(f"{k}={v}" for k, v in c.items()), width=88)
    return _SCRIPT.format(
        summary=summary,
        steps=int(steps),
        filename="playground_run.py",
        config="{\n" + "".join(f"    {k!r}: {v!r},\n" for k, v in c.items()) + "}",
        changes="[\n" + "".join(f"    {dict(ch)!r},\n" for ch in changes) + "]"
        if changes
        else "[]",
        sizes=sizes,
        activation=ACTIVATIONS[c["activation"]],
        output="sigmoid" if classify else "identity",
        loss=LOSSES[c["loss"]],
        weights=weights,
    )
