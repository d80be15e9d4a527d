"""Round 28: ``glassnet explain`` explains a model with the loss its file names."""

from __future__ import annotations

import numpy as np
import pytest
from cli_helpers import assert_one_line_error, run

from glassnet.io import load_arrays, save_model
from glassnet.playground import Run
from glassnet.playground.export import data_csv, model_bytes


@pytest.mark.parametrize("loss", ["half_mse", "cross_entropy"])
def test_explain_reads_the_loss_the_model_file_names(capsys, tmp_path, loss):
    # a playground export of the Lecture preset names the slides' loss, half_mse (info
    # said so), but explain explained it with cross-entropy: another dL/dŷ, other gradients
    page = Run({"preset": "lecture", "loss": loss})
    model, data = tmp_path / "m.glassnet", tmp_path / "d.csv"
    model.write_bytes(model_bytes(page))
    data.write_text(data_csv(page))
    code, out, err = run(capsys, "explain", model, data, "--row", "2")
    assert code == 0, err
    x = np.array([[0.0, 1.0]])  # row 2 of the lecture's XNOR table: target 0
    y_hat = float(page.model.predict(x).ravel()[0])
    if loss == "half_mse":
        assert "Loss: L = ½(ŷ − y)²" in out, out[:400]
        want = 0.5 * y_hat**2
    else:
        assert "Loss: L = -(y log ŷ + (1 − y) log(1 − ŷ))" in out, out[:400]
        want = -np.log(1 - y_hat)
    assert f"loss L = {want:.3f}." in out


@pytest.mark.parametrize("loss", ["cross_entropy", "binary_cross_entropy_with_logits", "huber"])
def test_a_loss_the_model_file_names_that_does_not_fit_its_task_is_refused_by_name(
    capsys, tmp_path, loss
):
    # an edited file's loss: cross-entropy on a binary model was refused in explain's own
    # words, and BCE-with-logits on its sigmoid output explained with the output squashed twice
    page = Run({"preset": "lecture"})
    model, data = tmp_path / "m.glassnet", tmp_path / "d.csv"
    model.write_bytes(model_bytes(page))
    data.write_text(data_csv(page))
    meta = load_arrays(model)[1]["meta"]
    meta["task"]["loss"] = loss
    save_model(page.model, model, meta=meta, replace_any=True)
    code, out, err = run(capsys, "explain", model, data, "--row", "2")
    assert code == 2 and "Traceback" not in err
    assert_one_line_error(err, f"names the loss '{loss}'", "binary_cross_entropy, mse or half_mse")
