"""A checkpoint written by a callback after epoch k resumes (initial_epoch=k) as the
uninterrupted run goes on: the schedule has stepped for epoch k when the callbacks run."""

import copy

import numpy as np
import pytest

import glassnet as gn
from glassnet import nn, optim, schedules

rng = np.random.default_rng(0)
X = rng.normal(size=(64, 3))
Y = (X[:, 0] > 0).astype(np.int64)
KW = dict(loss="binary_cross_entropy", batch_size=16, seed=lambda e: 100 + e, verbose=0)

SCHEDULES = {
    "step": lambda o: schedules.StepLR(o, step_size=2, gamma=0.5),
    "invscaling": lambda o: schedules.InvScalingLR(o, power_t=0.5),
    "plateau": lambda o: optim.lr_scheduler.ReduceLROnPlateau(o, factor=0.5, patience=0),
}


def _build(kind):
    net = nn.MLP([3, 5, 1], activation="tanh", output_activation="sigmoid", rng=0, dtype=np.float64)
    opt = optim.SGD(net.parameters(), lr=2.0)
    return net, opt, SCHEDULES[kind](opt)


@pytest.mark.parametrize("kind", sorted(SCHEDULES))
def test_a_checkpoint_written_by_a_callback_resumes_as_the_run_goes_on(kind):
    net, opt, sched = _build(kind)
    saved = {}

    def checkpoint(state):  # the model, optimizer and schedule after each epoch
        saved[state.epoch] = copy.deepcopy((net.state_dict(), opt.state_dict(), sched.state_dict()))

    whole = gn.fit(net, X, Y, optimizer=opt, schedule=sched, epochs=8, callbacks=checkpoint, **KW)
    for k in range(2, 8):
        net2, opt2, sched2 = _build(kind)
        model_state, opt_state, sched_state = saved[k]
        net2.load_state_dict(model_state)
        opt2.load_state_dict(opt_state)
        sched2.load_state_dict(sched_state)
        rest = gn.fit(net2, X, Y, optimizer=opt2, schedule=sched2, epochs=8, initial_epoch=k, **KW)
        assert rest.lr == whole.lr[k:], k
        assert rest.loss == whole.loss[k:], k
        for p, q in zip(net.parameters(), net2.parameters()):
            np.testing.assert_array_equal(p.data, q.data)
