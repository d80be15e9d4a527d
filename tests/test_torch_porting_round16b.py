"""A second porting audit's finds: gn.cat / gn.stack of labels keep them integers, where(mask)
alone, bincount and the function form of unique, as PyTorch's."""

import numpy as np
import pytest

import glassnet as gn
from glassnet.habits import Array


def test_cat_and_stack_of_labels_stay_integer_arrays():
    # (they became float32 Tensors, and a classification report read 0.0, 1.0, 2.0)
    preds = [gn.Tensor(np.eye(3)).argmax(1), gn.LongTensor([2, 0])]
    joined = gn.cat(preds)
    assert type(joined) is Array and joined.dtype == np.int64
    assert joined.tolist() == [0, 1, 2, 2, 0]
    stacked = gn.stack([preds[1], preds[1]], dim=1)
    assert type(stacked) is Array and stacked.shape == (2, 2)
    names = np.array(["a", "b", "c"])
    assert names[joined].tolist() == ["a", "b", "c", "c", "a"]
    mixed = gn.cat([gn.Tensor([1.0]), preds[1]])  # (a float Tensor among them: one Tensor)
    assert isinstance(mixed, gn.Tensor) and mixed.data.tolist() == [1.0, 2.0, 0.0]


def test_where_of_a_mask_alone_gives_its_indices():
    t = gn.Tensor([[1.0, -2.0], [3.0, 4.0]])
    rows, cols = gn.where(t > 0)
    assert rows.tolist() == [0, 1, 1] and cols.tolist() == [0, 0, 1]
    with pytest.raises(TypeError, match="takes both a and b"):
        gn.where(t > 0, t)


def test_bincount_and_unique_as_functions():
    y = gn.LongTensor([0, 2, 2, 1])
    assert y.bincount().tolist() == [1, 1, 2] and gn.bincount(y, minlength=5).tolist()[3:] == [0, 0]
    assert gn.bincount(y, weights=[1.0, 2.0, 3.0, 4.0]).data.tolist() == [1.0, 4.0, 5.0]
    with pytest.raises(ValueError, match="whole numbers >= 0"):
        gn.LongTensor([-1, 2]).bincount()
    with pytest.raises(TypeError, match="pass the labels"):
        gn.bincount(gn.Tensor([1.0]))
    values, counts = gn.unique(y, return_counts=True)
    assert values.tolist() == [0, 1, 2] and counts.tolist() == [1, 1, 2]
    assert gn.unique(gn.Tensor([3.0, 1.0, 3.0])).data.tolist() == [1.0, 3.0]


def test_against_pytorch():
    torch = pytest.importorskip("torch")
    y = [0, 2, 2, 1, 5]
    assert (
        gn.bincount(y, minlength=7).tolist()
        == torch.bincount(torch.tensor(y), minlength=7).tolist()
    )
    a = torch.tensor([[True, False], [True, True]])
    got = gn.where(np.array(a.numpy()).view(Array))
    want = torch.where(a)
    assert [g.tolist() for g in got] == [w.tolist() for w in want]


def test_a_grads_out_of_place_arithmetic():
    # (p.grad.add(p, alpha=wd), a hand-written weight decay, raised AttributeError)
    w = gn.Tensor([1.0, 2.0], requires_grad=True)
    (w * w).sum().backward()
    np.testing.assert_allclose(w.grad.add(w, alpha=0.1), [2.1, 4.2])
    np.testing.assert_allclose(w.grad.sub(1.0), [1.0, 3.0])
    np.testing.assert_allclose(w.grad.mul(2), [4.0, 8.0])
    np.testing.assert_allclose(w.grad.div(2), [1.0, 2.0])
    np.testing.assert_allclose(w.grad.sqrt() ** 2, [2.0, 4.0], rtol=1e-6)
    np.testing.assert_allclose(w.grad.square(), [4.0, 16.0])
    assert w.grad.tolist() == [2.0, 4.0]  # (the gradient itself unchanged)


def test_the_like_factories_take_pytorchs_memory_format():
    # (torch's own Adam state setup: zeros_like(p, memory_format=torch.preserve_format))
    p = gn.Tensor([1.0, 2.0])
    for fmt in (gn.preserve_format, gn.contiguous_format, None):
        assert gn.zeros_like(p, memory_format=fmt).data.tolist() == [0.0, 0.0]
    assert gn.ones_like(p, memory_format=gn.preserve_format).shape == (2,)
    with pytest.raises(ValueError, match="one layout"):
        gn.zeros_like(p, memory_format="channels_last")


def test_weighted_sampling_with_extreme_weights():
    # (the fuzzing audit: tiny weights drew a weight-0 index, an overflowing sum raised)
    from collections import Counter

    from glassnet.utils.data import WeightedRandomSampler

    for weights in ([0, 1e-300, 1e-300], [0, 1e-320, 1e-320]):
        drawn = {tuple(sorted(WeightedRandomSampler(weights, 2, replacement=False, generator=s)))
                 for s in range(40)}  # fmt: skip
        assert drawn == {(1, 2)}
    counts = Counter(
        i for s in range(200) for i in WeightedRandomSampler([1e308, 1e308, 0], 2, generator=s)
    )
    assert set(counts) == {0, 1} and min(counts.values()) > 150  # (about 200 each)


def test_gn_save_takes_an_array_alone(tmp_path):
    # (the fuzzing audit: refused, saying a file cannot hold what it lists as held)
    for a in (np.arange(3.0), np.array(2.5), np.arange(6).reshape(2, 3).T, np.array([True])):
        gn.save(a, tmp_path / "a.glassnet")
        back = gn.load(tmp_path / "a.glassnet")
        assert type(back) is np.ndarray and back.dtype == a.dtype
        np.testing.assert_array_equal(back, a)
