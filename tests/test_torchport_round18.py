"""Round 18's PyTorch-port mends: autograd.backward, autograd.grad's messages naming
grad_outputs, nll_loss/NLLLoss label errors in their own name, gn.load on a PyTorch .pt."""

import numpy as np
import pytest

import glassnet as gn
import glassnet.nn.functional as F
from glassnet import nn


@pytest.mark.parametrize(
    ("target", "cls", "words"),
    [([5, 1], ValueError, "must lie in [0, 2]"), ([0.5, 1.7], TypeError, "integer class labels")],
)
def test_nll_loss_label_errors_name_nll_loss_and_target(target, cls, words):
    x = gn.tensor([[-1.0, -2.0, -3.0], [-1.0, -2.0, -3.0]])
    t = gn.tensor(target)
    for call, name in ((F.nll_loss, "nll_loss"), (nn.NLLLoss(), "NLLLoss")):
        with pytest.raises(cls) as info:
            call(x, t)
        text = str(info.value)
        assert text.startswith(f"{name}: target"), text
        assert "one_hot" not in text and words in text and "Got" in text
    with pytest.raises(ValueError, match=r"^CrossEntropyLoss: target"):
        nn.CrossEntropyLoss(label_smoothing=0.1)(x, gn.tensor([5, 1]))


def test_autograd_backward_accumulates_as_pytorch():
    x = gn.tensor([2.0, 3.0], requires_grad=True)
    gn.autograd.backward([(x**2).sum()], grad_tensors=[gn.tensor(1.0)])
    assert np.allclose(x.grad, [4.0, 6.0])
    gn.autograd.backward([(x**2).sum(), x * 3], [None, gn.ones(2)])  # accumulates
    assert np.allclose(x.grad, [11.0, 15.0])
    y = gn.tensor([1.0, 1.0], requires_grad=True)
    gn.autograd.backward(x * y, gn.ones(2), inputs=[y])  # one tensor; inputs= only
    assert np.allclose(y.grad, [2.0, 3.0]) and np.allclose(x.grad, [11.0, 15.0])
    gn.autograd.backward((x * 2).sum())
    assert np.allclose(x.grad, [13.0, 17.0])


def test_autograd_backward_refusals_name_its_arguments():
    x = gn.tensor([2.0, 3.0], requires_grad=True)
    with pytest.raises(RuntimeError, match=r"autograd\.backward: output 0 .*grad_tensors="):
        gn.autograd.backward(x * 2)
    with pytest.raises(RuntimeError, match=r"grad_tensors\[0\] has shape \(2,\)") as info:
        gn.autograd.backward([(x * 2).sum()], [gn.ones(2)])
    assert isinstance(info.value, ValueError)
    with pytest.raises(ValueError, match="1 grad_tensors for 2 outputs"):
        gn.autograd.backward([x.sum(), x.sum()], [None])
    with pytest.raises(RuntimeError, match="element 0 of tensors does not require grad"):
        gn.autograd.backward(gn.tensor(1.0))
    with pytest.raises(ValueError, match="create_graph"):
        gn.autograd.backward(x.sum(), create_graph=True)
    assert x.grad is None  # nothing ran for any refusal


def test_autograd_grad_messages_name_grad_outputs():
    x = gn.tensor([2.0, 3.0], requires_grad=True)
    with pytest.raises(RuntimeError) as info:
        gn.autograd.grad(x * 2, x)
    text = str(info.value)
    assert text.startswith("grad:") and "grad_outputs=" in text and "grad=" not in text
    assert "backward()" not in text
    with pytest.raises(RuntimeError) as info:  # PyTorch's class, and ValueError as before
        gn.autograd.grad((x * 2).sum(), x, grad_outputs=gn.ones(2))
    assert isinstance(info.value, ValueError)
    text = str(info.value)
    assert "grad_outputs[0] has shape (2,)" in text and "backward()" not in text
    (g,) = gn.autograd.grad(x * 2, x, grad_outputs=gn.ones(2))
    assert np.allclose(g.data, [2.0, 2.0]) and x.grad is None


def _pt_zip(path):
    import zipfile

    with zipfile.ZipFile(path, "w", zipfile.ZIP_STORED) as z:  # (torch.save's layout)
        z.writestr("t/data.pkl", b"\x80\x02}q\x00.")
        z.writestr("t/byteorder", b"little")
        z.writestr("t/.data/version", b"3\n")


@pytest.mark.parametrize("legacy", [False, True])
def test_load_of_a_pytorch_pt_file_says_so_first(tmp_path, legacy):
    path = tmp_path / "t.pt"
    if legacy:  # (torch.save(..., _use_new_zipfile_serialization=False): a pickle, magic first)
        path.write_bytes(b"\x80\x02\x8a\nl\xfc\x9cF\xf9 j\xa8P\x19.\x80\x02M\xe9\x03." * 4)
    else:
        _pt_zip(path)
    with pytest.raises(gn.io.ModelFileError) as info:
        gn.load(path)
    text = str(info.value)
    assert text.startswith(f"'{path}': it is a PyTorch .pt file"), text
    assert "header length" not in text
    assert "load_torch_state_dict(model, torch.load(path, weights_only=True))" in text
