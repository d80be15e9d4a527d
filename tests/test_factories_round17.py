"""PyTorch's generator states: Generator.get_state/set_state, get_rng_state/set_rng_state."""

import numpy as np
import pytest

import glassnet as gn


def test_a_generators_state_round_trips_through_a_checkpoint(tmp_path):
    """PyTorch's g.get_state()/g.set_state() for an exact resume: AttributeError before."""
    g = gn.Generator().manual_seed(7)
    gn.randperm(10, generator=g)
    state = g.get_state()
    assert state.dtype == np.uint8 and state.ndim == 1
    gn.save({"rng": state}, tmp_path / "ckpt.pt")
    ahead = gn.randperm(10, generator=g).tolist()
    back = g.set_state(gn.load(tmp_path / "ckpt.pt")["rng"])
    assert back is g
    assert gn.randperm(10, generator=g).tolist() == ahead
    assert g.initial_seed() == 7


def test_the_default_generators_state_repeats_initial_weights():
    gn.manual_seed(11)
    state = gn.get_rng_state()
    first = gn.nn.Linear(3, 2).W.data.copy()
    gn.set_rng_state(state)
    assert np.array_equal(gn.nn.Linear(3, 2).W.data, first)


def test_another_kind_of_state_is_refused_by_name():
    mt = np.random.Generator(np.random.MT19937(0))
    with pytest.raises(ValueError, match=r"state of a MT19937 generator"):
        gn.Generator().set_state(gn.factories.rng_state(mt))
    with pytest.raises(ValueError, match=r"set_rng_state takes the uint8 array"):
        gn.set_rng_state(np.zeros(5))
    with pytest.raises(ValueError, match=r"Got uint8 values of shape \(3,\)"):
        gn.set_rng_state(np.zeros(3, dtype=np.uint8))


def test_set_state_gives_back_the_initial_seed_as_pytorchs():
    g = gn.Generator().manual_seed(5)
    state = g.get_state()
    g.manual_seed(9)
    assert g.set_state(state).initial_seed() == 5


def test_a_state_of_another_kind_says_which_generator_takes_it():
    mt = np.random.Generator(np.random.MT19937(0))
    with pytest.raises(ValueError, match=r"np.random.Generator\(np.random.MT19937\(\)\)"):
        gn.set_rng_state(gn.factories.rng_state(mt))
    other = np.random.Generator(np.random.MT19937(1))
    gn.factories.set_rng_state(gn.factories.rng_state(mt), other)
    assert other.random() == np.random.Generator(np.random.MT19937(0)).random()
