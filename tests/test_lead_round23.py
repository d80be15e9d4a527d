"""Round 23's mends made by the lead: messages and behaviour found by porting PyTorch scripts."""

import numpy as np
import pytest

import glassnet as gn


def test_max_method_refusal_names_the_function_that_gives_values_and_indices():
    x = gn.tensor([[1.0, 2.0], [3.0, 4.0]])
    with pytest.raises(TypeError, match=r"gn\.max\(x, 1\) for PyTorch's \(values, indices\)"):
        x.max(1)
    values, indices = gn.max(x, 1)
    np.testing.assert_array_equal(values.numpy(), [2.0, 4.0])
    np.testing.assert_array_equal(indices, [1, 1])


def test_detach_does_not_keep_the_graph_alive():
    import gc
    import weakref

    w = gn.Tensor(np.ones((3, 3)), requires_grad=True)
    h = gn.Tensor(np.ones((2, 3)))
    first = None
    for _ in range(5):
        z = (h @ w).tanh()
        if first is None:
            first = weakref.ref(z)
        z.sum().backward()
        h = z.detach()  # truncated backprop through time: the chunk before is let go
    del z
    gc.collect()
    assert first() is None  # the first chunk's node is freed
    v = gn.Tensor(np.ones(3), requires_grad=True)
    (h * v).sum().backward()  # a detached tensor still works as an input
    np.testing.assert_allclose(v.grad, h.numpy().sum(axis=0))


def test_detach_of_a_graph_node_still_refuses_a_write_and_pickles():
    import pickle

    w = gn.Tensor(np.ones((2, 2)), requires_grad=True)
    z = w * 3
    x = z.detach()
    with pytest.raises(RuntimeError, match="as z.detach\\(\\) does"):
        x[0] = 5.0
    back = pickle.loads(pickle.dumps(x))
    np.testing.assert_array_equal(back.numpy(), np.full((2, 2), 3.0))


def test_detach_of_a_view_of_a_parameter_still_sees_a_later_write_to_it():
    w = gn.Tensor(np.ones((2, 2)), requires_grad=True)
    v = gn.Tensor(np.ones(2), requires_grad=True)
    x = w[0].detach()  # w[0] is a node of the graph; its values are w's
    y = (x * v).sum()
    with gn.no_grad():
        w += 1.0  # changes x's values after y used them
    with pytest.raises(RuntimeError, match="changed in place"):
        y.backward()


@pytest.mark.parametrize(
    "call",
    [
        lambda F, t: F.mse(gn.tensor(np.zeros(3)), t),
        lambda F, t: gn.nn.functional.mse_loss(gn.tensor(np.zeros(3)), t),
        lambda F, t: F.cross_entropy(gn.tensor(np.zeros((3, 3))), t.astype(int)),
        lambda F, t: F.one_hot(t.astype(int), 3),
    ],
)
def test_losses_refuse_a_masked_target_cell(call):
    import glassnet.functional as F

    t = np.ma.array([1.0, 2.0, 100.0], mask=[0, 0, 1])
    with pytest.raises(ValueError, match="masked value"):
        call(F, t)
    call(F, np.ma.array([1.0, 2.0, 0.0]))  # nothing masked: read as its values


def test_detached_and_written_tensors_unpickle_without_a_stale_clock(monkeypatch):
    import pickle

    import glassnet.tensor as T

    w = gn.Tensor(np.ones(3), requires_grad=True)
    for _ in range(3):
        with gn.no_grad():
            w -= 0.1  # moves the process-wide clock and w's own
    x = (w * 2).detach()
    for t in (x, w):
        blob = pickle.dumps(t)
        monkeypatch.setattr(T._state, "version", 0)  # a fresh process: its clock at 0
        back = pickle.loads(blob)
        v = gn.Tensor(np.ones(3), requires_grad=True)
        (back * v).sum().backward()  # (a stale clock read as "changed in place")
        np.testing.assert_allclose(v.grad, t.numpy())


def test_detach_of_a_long_chain_of_views_and_under_detect_anomaly():
    w = gn.Tensor(np.ones(4), requires_grad=True)
    z = w * 1.0
    for _ in range(1500):
        z = z.view(-1)
    assert z.detach().shape == (4,)  # (a RecursionError)
    bad = w * np.inf
    with gn.detect_anomaly():
        assert np.isinf(bad.detach().numpy()).all()  # detach runs no op: nothing to check


@pytest.mark.parametrize("bad", [None, 3])
def test_optimizer_state_dict_whose_param_groups_is_no_list_is_refused_in_words(bad):
    m = gn.nn.Linear(2, 1)
    opt = gn.optim.SGD(m.parameters(), lr=0.1)
    state = dict(opt.state_dict(), param_groups=bad)
    with pytest.raises(ValueError, match="'param_groups' must be a list"):
        opt.load_state_dict(state)


@pytest.mark.parametrize(
    "loss",
    [
        lambda x, t: gn.nn.functional.cross_entropy(x, t),
        lambda x, t: gn.nn.CrossEntropyLoss()(x, t),
        lambda x, t: gn.nn.CrossEntropyLoss(label_smoothing=0.1)(x, t),
        lambda x, t: gn.nn.NLLLoss()(x, t),
    ],
)
def test_loss_modules_refuse_masked_class_labels(loss):
    x = gn.tensor([[5.0, 0.0, 0.0], [0.0, 5.0, 0.0]])
    with pytest.raises(ValueError, match="masked value"):
        loss(x, np.ma.array([0, 2], mask=[0, 1]))  # (the hidden 2 was read: 2.5134)
    loss(x, np.ma.array([0, 1]))  # nothing masked: its values


def test_loss_module_refuses_a_masked_class_weight():
    x = gn.tensor([[5.0, 0.0, 0.0], [0.0, 5.0, 0.0]])
    weight = np.ma.array([1.0, 1.0, 9.0], mask=[0, 0, 1])
    with pytest.raises(ValueError, match="weight is a masked array"):
        gn.nn.CrossEntropyLoss(weight=weight)(x, np.array([0, 1]))


@pytest.mark.parametrize("op", ["masked_fill", "masked_fill_"])
def test_masked_fill_refuses_a_mask_with_a_masked_cell(op):
    x = gn.tensor([1.0, 2.0, 3.0])
    mask = np.ma.array([True, False, True], mask=[0, 0, 1])
    with pytest.raises(ValueError, match="mask is a masked array"):
        getattr(x, op)(mask, 0.0)
    out = getattr(x, op)(np.ma.array([True, False, False]), 0.0)  # nothing masked: its values
    np.testing.assert_array_equal(out.numpy(), [0.0, 2.0, 3.0])
