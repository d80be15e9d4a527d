"""The engines of scale (fit_many, search, the compiled and eager loops, MPI, the data
loader, the thread rule) under an adversarial user: each case against what fit, PyTorch
or the docs say, or a refusal that names the argument, what was given and what to do."""

from __future__ import annotations

import copy
import functools

import numpy as np
import pytest

from glassnet import nn, train
from glassnet.many import fit_many

# the separate fits on the NumPy fast path, what fit_many stacks (as tests/test_many.py)
fit = functools.partial(train.fit, engine="fused", verbose=0)


@pytest.mark.parametrize(
    "head, loss, outputs",
    [("softmax", "cross_entropy", 2), ("sigmoid", "binary_cross_entropy", 1)],
)
def test_fit_many_scores_a_near_tie_of_the_head_s_outputs_as_fit_does(head, loss, outputs):
    # logits 1e-9 apart: the float32 softmax (or sigmoid) rounds them to a tie, which fit's
    # accuracy (read from the model's output) breaks towards class 0; fit_many read the
    # logits, which are not tied, and reported another accuracy than fit's
    model = nn.MLP([1, 2, outputs], activation="tanh", output_activation=head, rng=0)
    model = model.to(np.float32)
    model.layers[2].W.data[...] = 0
    model.layers[2].b.data[...] = 1e-9 if outputs == 1 else [0, 1e-9]
    X, y = np.ones((4, 1)), np.array([1, 1, 0, 1])
    alone = copy.deepcopy(model)
    kw = dict(loss=loss, lr=1e-30, epochs=1, validation_data=(X, y))
    h = fit_many([model], X, y, **kw)[0]
    h_fit = fit(alone, X, y, **kw)
    assert h.val_loss == h_fit.val_loss
    assert h.val_metric == h_fit.val_metric == [0.25]


def test_a_loader_with_batch_size_none_gives_the_items_one_at_a_time_as_pytorch_s():
    # PyTorch's batch_size=None turns batching off (each item as dataset[i]); glassnet
    # refused it as "an int >= 1", without saying what PyTorch's None means
    from glassnet.data import DataLoader, TensorDataset

    X, y = np.arange(10.0).reshape(5, 2), np.arange(5)
    loader = DataLoader(TensorDataset(X, y), batch_size=None)
    items = list(loader)
    assert len(loader) == len(items) == 5 and loader.batch_size is None
    assert [(xi.data.tolist(), int(yi)) for xi, yi in items] == [
        (X[i].tolist(), i) for i in range(5)
    ]
    order = [int(yi) for _, yi in DataLoader(TensorDataset(X, y), None, shuffle=True, generator=0)]
    assert order == np.random.default_rng(0).permutation(5).tolist()
    rows = list(DataLoader(X, batch_size=None, sampler=[4, 1]))
    assert [r.data.tolist() for r in rows] == [X[4].tolist(), X[1].tolist()]
    assert list(DataLoader([10, 20], batch_size=None, collate_fn=lambda v: v + 1)) == [11, 21]
    with pytest.raises(ValueError, match="batch_size=None .* drop_last=True"):
        DataLoader(X, batch_size=None, drop_last=True)
    # shuffle=None is PyTorch's default, meaning no shuffling
    assert len(list(DataLoader(X, batch_size=2, shuffle=None))) == 3


@pytest.mark.parametrize(
    "X, y, given",
    [("big.csv", "label", "X is a file path"), (None, None, "y is None")],
)
def test_search_names_a_stream_it_cannot_train_on_as_fit_many_does(X, y, given):
    # search read a file path as an array of text ("X must be numeric"), and chunks of
    # (X, y) with y None as "y must have 1 or 2 dimensions"; fit_many says what it is
    from glassnet.many import search

    rng = np.random.default_rng(0)
    chunks = [(rng.standard_normal((8, 2)), rng.integers(0, 2, 8).astype(float))]
    X = chunks if X is None else X

    def build(p):
        return nn.MLP([2, 3, 1], activation="tanh", output_activation="sigmoid", rng=0)

    with pytest.raises(TypeError, match=f"search trains on arrays held in memory.*{given}"):
        search(build, X, y, {"lr": [0.1, 0.2]}, loss="bce", epochs=1)


@pytest.mark.parametrize("bad", [3, None, 2.5])
def test_jit_warmup_names_dtypes_that_are_no_dtype_nor_a_list_of_them(bad):
    # warmup(3) raised Python's "'int' object is not iterable" from its loop
    from glassnet import jit

    with pytest.raises(TypeError, match=r"warmup: dtypes must be a dtype or a list of them.*Got"):
        jit.warmup(bad)


def test_a_torch_generator_given_to_the_loader_or_the_split_says_to_pass_its_seed():
    # PyTorch's idiom, generator=torch.Generator().manual_seed(7), was told "must be None,
    # an int >= 0 or a numpy.random.Generator" without the seed to pass instead
    from glassnet.data import DataLoader, random_split

    class Generator:  # (what torch.Generator().manual_seed(7) answers, without torch)
        __module__ = "torch._C"

        def initial_seed(self):
            return 7

    with pytest.raises(ValueError, match=r"is a Generator of PyTorch.*pass a seed \(generator=7\)"):
        random_split(range(5), [2, 3], generator=Generator())
    with pytest.raises(ValueError, match=r"'generator' parameter of DataLoader .*generator=7"):
        DataLoader(range(5), shuffle=True, generator=Generator())


def test_fit_many_says_what_to_do_with_a_model_it_cannot_stack():
    # "fit_many: model 0: fit_many handles networks of Linear layers and activations
    # (Sequential, MLP, Neuron). The model holds a Dropout." said what, not what to do
    X, y = np.zeros((4, 2)), np.array([0.0, 1.0, 1.0, 0.0])
    models = [nn.MLP([2, 3, 1], output_activation="sigmoid", dropout=0.5, rng=s) for s in range(2)]
    match = r"holds a Dropout\. .*train such a model with glassnet\.fit"
    with pytest.raises(TypeError, match=match):
        fit_many(models, X, y, loss="bce", epochs=1)


def test_distributed_false_is_named_as_such_not_as_mpi4py_missing(monkeypatch):
    # fit(distributed=False), "off" to a user, imported mpi4py first: without it the user was
    # told to pip install glassnet[mpi]; with it, "Got bool." and no word of None
    import sys

    X, y = np.zeros((4, 2)), np.zeros(4)
    monkeypatch.setitem(sys.modules, "mpi4py", None)  # import mpi4py now raises ImportError
    with pytest.raises(TypeError, match=r"Got False \(bool\)\. Leave it out \(None\) to train"):
        train.fit(nn.MLP([2, 1], rng=0), X, y, epochs=1, verbose=0, distributed=False)
    with pytest.raises(ValueError, match=r"Got 'mpi '\. Write it 'mpi', without spaces\."):
        train.fit(nn.MLP([2, 1], rng=0), X, y, epochs=1, verbose=0, distributed="mpi ")


def test_fit_many_refuses_an_optimizer_class_with_a_step_of_its_own():
    # a subclass clipping each gradient by its norm in step() was stepped over the stack:
    # the norm spanned the K models' gradients, and each model ended 5e-3 away from its fit
    from glassnet import optim

    class ClipSGD(optim.SGD):
        def step(self, closure=None):
            for p in self.params:
                norm = np.linalg.norm(p.grad)
                p.grad *= min(1.0, 0.01 / max(norm, 1e-12))
            return super().step(closure)

    class QuietAdam(optim.Adam):  # (its settings alone: the built-in update, taken)
        pass

    X, y = np.array([[0.0, 0], [0, 1], [1, 0], [1, 1]]), np.array([1.0, 0, 0, 1])
    models = [nn.MLP([2, 3, 1], output_activation="sigmoid", rng=s) for s in range(2)]
    with pytest.raises(TypeError, match=r"ClipSGD has a step\(\) of its own.*glassnet\.fit"):
        fit_many(models, X, y, loss="bce", optimizer=ClipSGD, lr=1.0, epochs=1)
    assert len(fit_many(models, X, y, loss="bce", optimizer=QuietAdam, lr=0.1, epochs=1)) == 2


def test_the_eager_loop_names_the_arguments_of_a_caller_of_its_own_as_the_jit_loop_does():
    # glassnet.eager.run_epoch (the contract of glassnet.jit.run_epoch) checked nothing:
    # batch_size=0 raised range()'s "arg 3 must not be zero", max_steps=-1 ran all the
    # epoch's batches but the last, a 1-D X raised an IndexError inside the fast path
    from glassnet import eager, optim
    from glassnet.fused import FastMLP, layers_of

    X = np.random.default_rng(0).standard_normal((20, 2))
    y = (X[:, :1] > 0).astype(float)
    model = nn.MLP([2, 3, 1], activation="tanh", output_activation="sigmoid", rng=0)
    model = model.to(np.float64)
    fast = FastMLP(layers_of(model, training=True), "binary_cross_entropy")
    opt = optim.SGD(model.parameters(), lr=0.1)
    for kw, match in [
        (dict(batch_size=0), r"'batch_size' parameter of run_epoch must be an int > 0\. Got 0"),
        (dict(batch_size=30), r"batch_size \(30\) is larger than the number of samples \(20\)"),
        (dict(max_steps=-1), r"'max_steps' parameter of run_epoch must be an int > 0\. Got -1"),
        (dict(X=X[:, 0]), r"X must be an array of shape \(rows, 2\).*Got shape \(20,\)"),
        (dict(y=y[:5]), r"y must hold one target row per row of X \(20\)\. Got shape \(5, 1\)"),
        (dict(w=np.ones(3)), r"w must hold one sample weight per row of X \(20\)"),
    ]:
        args = {"X": X, "y": y, "w": None, "batch_size": 5, **kw}
        with pytest.raises(ValueError, match=match):
            eager.run_epoch(fast, opt, args.pop("X"), args.pop("y"), args.pop("w"), None, **args)
    with pytest.raises(ValueError, match=r"'epochs' parameter of run_full_batch .* Got 0"):
        eager.run_full_batch(fast, opt, X, y, None, 0)
    assert len(eager.run_epoch(fast, opt, X, y, None, None, 5, max_steps=3)) == 3
