"""An adversarial user's audit of glassnet.schedules, threads, report, metrics, objective
and gradcheck: each test is a defect found (it failed before its fix)."""

from __future__ import annotations

import numpy as np
import pytest

from glassnet import nn, optim, schedules, threads

W1 = [784, 256, 128, 10]


# ------------------------------------------------------------------ threads
@pytest.fixture
def blas_now():
    """The BLAS thread count in force (skips without threadpoolctl or a BLAS it sees)."""
    pytest.importorskip("threadpoolctl")
    before = threads.current_blas_threads()
    if before is None:
        pytest.skip("no BLAS that threadpoolctl can set")
    return before


@pytest.mark.parametrize("huge", [2**32 + 1, 10**30], ids=["wraps to 1", "past int64"])
def test_threads_past_a_c_int_are_refused_and_leave_no_limit_open(blas_now, huge):
    """2**32 + 1 reached BLAS as 1 thread ("runs at most 1"); 10**30 raised ctypes'
    ArgumentError and left its block open, so every later limit() failed on exit. Since
    round 22 a count past a C int is refused when the parameter is read, before any limit
    is entered; one within it but past the build's maximum is refused on entering."""
    with pytest.raises(ValueError, match="runs at most "):  # (the build's maximum, e.g. 64)
        with threads.limit(W1, 128, threads=10**6, owner="fit"):
            pass
    message = rf"Got {huge}\. A BLAS takes at most 2\*\*31 - 1 = 2147483647 threads"
    with pytest.raises(ValueError, match=message):
        with threads.limit(W1, 128, threads=huge, owner="fit"):
            pass
    assert threads.current_blas_threads() == blas_now
    with threads.limit(W1, 128, threads=1) as n:
        assert n == threads.current_blas_threads() == 1
    assert threads.current_blas_threads() == blas_now


def test_a_limit_that_fails_to_apply_closes_its_block(blas_now, monkeypatch):
    """Setting the count failed (once) on entering a nested block: that block stayed
    open, so the blocks after it set its count."""
    ctl = threads._controller(required=False)

    def refuse_once(**kw):
        monkeypatch.undo()
        raise RuntimeError("the BLAS refused")

    with threads.limit(W1, 128, threads=1):
        monkeypatch.setattr(ctl, "limit", refuse_once)
        with pytest.raises(RuntimeError, match="the BLAS refused"):
            with threads.limit(W1, 128, threads=2):
                pass
        assert threads.current_blas_threads() == 1
        with threads.limit(W1, 128, threads=3) as n:
            assert n == threads.current_blas_threads() == 3
        assert threads.current_blas_threads() == 1
    assert threads.current_blas_threads() == blas_now
    with threads.limit(W1, 128, threads=1) as n:  # a later block opens and closes cleanly
        assert n == 1
    assert threads.current_blas_threads() == blas_now


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ((1e9, 0), r"'models' parameter of model_threads must be an int >= 1\. Got 0"),
        ((1e9, -2), r"'models' parameter of model_threads must be an int >= 1\. Got -2"),
        ((1e9, 2.5), r"'models' parameter of model_threads must be an int >= 1\. Got 2\.5"),
        ((np.nan, 4), r"'flops_per_step' parameter of model_threads must be a float >= 0"),
        (("x", 4), r"'flops_per_step' parameter of model_threads must be a float >= 0"),
    ],
)
def test_model_threads_refuses_counts_that_are_not_counts(args, message):
    """models=0 answered 0 threads and models=-2 answered -2; a NaN step cost raised
    'cannot convert float NaN to integer' and text a TypeError."""
    with pytest.raises(ValueError, match=message):
        threads.model_threads(*args)
    assert threads.model_threads(100 * 144, np.int64(100)) == 1


# ------------------------------------------------------------------ schedules
def sgd(lr=0.1):
    return optim.SGD(nn.Linear(2, 1, rng=0).parameters(), lr=lr)


def test_a_param_group_added_after_the_schedule_joins_it_not_left_unscheduled():
    """StepLR halved the first group and left the added one at 0.2, silently; then it was
    refused; now the added group joins the curve at its own lr, as PyTorch's does."""
    params = nn.MLP([2, 3, 1], rng=0).parameters()
    opt = optim.SGD(params[:2], lr=0.1)
    sched = schedules.StepLR(opt, step_size=1, gamma=0.5)
    opt.add_param_group({"params": params[2:], "lr": 0.2})
    sched.step()
    assert sched.get_last_lr() == [0.05, 0.1] and sched.base_lrs == [0.1, 0.2]


@pytest.mark.parametrize("first", [True, False], ids=["StepLR first", "ExponentialLR first"])
def test_two_schedules_stepping_one_optimizer_are_refused_not_overwritten(first):
    """torch compounds StepLR and ExponentialLR on one optimizer; glassnet's last step
    overwrote the other's rate, so one of the two curves was silently lost."""
    opt = sgd()
    a = schedules.StepLR(opt, step_size=2, gamma=0.5)
    b = schedules.ExponentialLR(opt, gamma=0.9)
    order = (a, b) if first else (b, a)
    with pytest.raises(ValueError, match=r"Two schedules step one optimizer: .* LambdaLR"):
        for _ in range(2):
            for sched in order:
                sched.step()


def test_a_schedule_built_after_another_finished_takes_over():
    opt = sgd()
    first = schedules.StepLR(opt, step_size=1, gamma=0.5)
    first.step()
    second = schedules.AdaptiveLR(opt, patience=0, tol=10.0)  # e.g. a second fit
    second.step(1.0)
    assert second.step(1.0) is False and opt.lr == pytest.approx(0.01)
    first.step()  # back to the first: it goes on from the lr in force, as PyTorch's (0.01 / 2)
    assert opt.lr == 0.005


def test_schedules_built_up_front_and_used_one_after_the_other_are_phases():
    """A warm-up then a StepLR, both built before the first: the StepLR's first step was
    refused as a second schedule (its build came before the warm-up's steps)."""
    opt = sgd()
    warmup = schedules.LambdaLR(opt, lambda e: min(1.0, (e + 1) / 3))
    steps = schedules.StepLR(opt, step_size=1, gamma=0.5)
    for _ in range(3):
        warmup.step()
    for _ in range(2):
        steps.step()
    assert opt.lr == steps.base_lr * 0.25  # (its base: the lr when it was built)
    warmup.step()  # back to the first: its curve again (phases)
    with pytest.raises(ValueError, match="Two schedules step one optimizer: LambdaLR and StepLR"):
        steps.step()  # each stepped before and after the other: interleaved


def test_a_schedule_on_an_optimizer_that_cannot_be_weakly_referenced_steps():
    """A duck-typed optimizer of __slots__ (no weak references): TypeError from the check."""

    class Slotted:
        __slots__ = ("lr", "param_groups")

        def __init__(self):
            self.param_groups = [{"lr": 0.1, "params": []}]
            self.lr = 0.1

    opt = Slotted()
    sched = schedules.StepLR(opt, step_size=1, gamma=0.5)
    sched.step()
    assert opt.param_groups[0]["lr"] == 0.05


def test_multistep_takes_numpy_epochs_as_torch_does():
    """list(np.array([2, 4])) was refused: 'must be a list of epochs (ints >= 1)'."""
    for milestones in (np.array([2, 4]), list(np.array([2, 4])), [np.int32(2), 4]):
        sched = schedules.MultiStepLR(sgd(), milestones, gamma=0.5)
        assert sched.milestones == [2, 4] and all(type(m) is int for m in sched.milestones)
        assert [(sched.step(), sched.lr)[1] for _ in range(4)] == [0.1, 0.05, 0.05, 0.025]
    with pytest.raises(ValueError, match=r"'milestones' parameter of MultiStepLR"):
        schedules.MultiStepLR(sgd(), np.array([2.0]))


# ------------------------------------------------------------------ metrics
@pytest.mark.parametrize("scale", [1e200, 1e-200, 1e-160], ids=["1e200", "1e-200", "1e-160"])
def test_r2_is_finite_and_scale_free_at_extreme_magnitudes(scale):
    """1e200 targets: the squares overflowed, R^2 NaN; 1e-200: they underflowed to 0, and
    the column read as constant (r2_score 1.0, r2_per_output NaN). The truth is 0.5."""
    from glassnet.metrics import r2_per_output, r2_score

    y, p = np.array([1.0, 2.0, 3.0]) * scale, np.array([1.0, 2.0, 4.0]) * scale
    assert r2_score(y, p) == r2_score(y / scale, p / scale) == 0.5
    assert r2_per_output(y, p).tolist() == [0.5]  # (scikit-learn's r2_score of y / scale)


def test_r2_refuses_a_nan_target_naming_it():
    """A NaN target gave a NaN score, silently (scikit-learn refuses it)."""
    from glassnet.metrics import r2_per_output, r2_score

    for f in (r2_score, r2_per_output):
        with pytest.raises(ValueError, match=r"'y_true' holds nan at row 1, column 0; targets"):
            f([1.0, np.nan, 3.0], [1.0, 2.0, 3.0])
    with pytest.raises(ValueError, match=r"'y_true' holds inf at row 0, column 1"):
        r2_score([[1.0, np.inf], [2.0, 3.0]], [[1.0, 2.0], [2.0, 3.0]])
    assert np.isnan(r2_score([1.0, 2.0, 3.0], [1.0, np.nan, 3.0]))  # a NaN prediction: NaN


# ------------------------------------------------------------------ report
@pytest.mark.parametrize(
    ("row", "error", "message"),
    [
        (["1", "2", "3"], ValueError, r"row 0 must be a list of 2 cells, one per header\. Got 3"),
        (["1"], ValueError, r"row 0 must be a list of 2 cells, one per header\. Got 1"),
        ("12", ValueError, r"row 0 must be a list of 2 cells, one per header\. Got str"),
        (["1", 2.5], TypeError, r"the cells of row 0 must be text\. Got 2\.5: write numbers"),
    ],
    ids=["long", "short", "text", "number"],
)
def test_a_table_row_that_does_not_fit_its_headers_is_refused(row, error, message):
    """render_text raised IndexError or TypeError ("object of type 'float' has no len()")
    and render_markdown / render_html drew a ragged table or raised AttributeError."""
    from glassnet.report import Section, render_text

    section = Section("T")
    with pytest.raises(error, match=message):
        section.table(["a", "b"], [row])
    section.table(["a", "b"], [["1", "2"]])
    assert render_text("x", [section]).endswith("a  b\n-  -\n1  2\n")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ((1.5, -1), r"'decimals' parameter of fmt must be an int >= 0\. Got -1"),
        ((1.5, 2.0), r"'decimals' parameter of fmt must be an int >= 0\. Got 2\.0"),
        ((None,), r"fmt prints a number .* Got None"),
        ((np.ones(2),), r"fmt prints a number .* Got array"),
    ],
)
def test_fmt_refuses_what_it_cannot_print_naming_it(args, message):
    """decimals=-1 raised Python's 'Format specifier missing precision'; None and arrays
    raised float()'s messages."""
    from glassnet.report import fmt

    with pytest.raises(ValueError, match=message):
        fmt(*args)
    assert fmt(1.5, np.int64(2)) == "1.50" and fmt(np.float32(0.25)) == "0.250"


def test_make_names_of_no_layers_is_a_clear_error():
    from glassnet.report import make_names

    with pytest.raises(ValueError, match="make_names needs at least one layer"):
        make_names([], "auto")


# ------------------------------------------------------------------ gradcheck
def test_gradcheck_of_no_inputs_is_an_error_not_a_pass():
    """gradcheck(fn) checked nothing and reported ok=True."""
    import glassnet as gn

    with pytest.raises(ValueError, match=r"gradcheck: no inputs to check\. Pass the arrays"):
        gn.gradcheck(lambda: gn.Tensor(np.ones(1), dtype=np.float64).sum())


def test_gradcheck_refuses_a_complex_input_not_drops_its_imaginary_part():
    """1 + 1j was checked as 1.0 (NumPy's ComplexWarning only), and passed."""
    import glassnet as gn

    with pytest.raises(ValueError, match=r"input 1 is complex; gradcheck checks real"):
        gn.gradcheck(lambda a, b: (a * b).sum(), np.ones(2), np.array([1 + 1j, 2.0]))


# ------------------------------------------------------------------ objective
@pytest.mark.parametrize("model", ["mlp", None], ids=["name", "None"])
def test_objective_and_evaluate_loss_name_a_model_that_is_no_module(model):
    """They raised AttributeError ('str' object has no attribute 'modules'), as fit does not."""
    from glassnet.objective import Objective, evaluate_loss

    X, y = np.ones((4, 2)), np.ones(4)
    with pytest.raises(TypeError, match=r"Objective: model must be a glassnet Module.*Got"):
        Objective(model, X, y)
    with pytest.raises(TypeError, match=r"evaluate_loss: model must be a glassnet Module"):
        evaluate_loss(model, X, y)


def test_lr_at_checks_its_clock_and_says_what_it_cannot_give():
    """lr_at(-1) raised ZeroDivisionError (InvScalingLR), lr_at(1.5) answered, an overflow
    was Python's OverflowError, and AdaptiveLR.lr_at a bare NotImplementedError."""
    sched = schedules.ExponentialLR(sgd(), gamma=10.0)
    assert sched.lr_at(3) == 100.0 and sched.lr_at(np.int64(0)) == 0.1
    with pytest.raises(ValueError, match=r"'epoch' parameter of ExponentialLR\.lr_at must be"):
        sched.lr_at(1.5)
    with pytest.raises(ValueError, match=r"learning rate of inf at epoch 400 \(starting lr"):
        sched.lr_at(400)
    with pytest.raises(ValueError, match=r"'samples_seen' parameter of InvScalingLR\.lr_at"):
        schedules.InvScalingLR(sgd()).lr_at(-1)
    assert schedules.InvScalingLR(sgd(), power_t=0.5).lr_at(3) == 0.05
    with pytest.raises(TypeError, match=r"AdaptiveLR has no lr_at: its learning rate follows"):
        schedules.AdaptiveLR(sgd()).lr_at(0)


def test_adaptive_takes_patience_inf_as_scikit_learns_n_iter_no_change():
    """AdaptiveLR reproduces scikit-learn's 'adaptive' with patience=n_iter_no_change, and
    scikit-learn takes n_iter_no_change=np.inf (never shrink); AdaptiveLR refused it."""
    opt = sgd()
    sched = schedules.AdaptiveLR(opt, patience=np.inf, tol=10.0)
    assert [sched.step(1.0) for _ in range(30)] == [False] * 30 and opt.lr == 0.1
    again = schedules.AdaptiveLR(sgd())
    again.load_state_dict(sched.state_dict())
    assert again.patience == np.inf
    with pytest.raises(ValueError, match=r"'patience' parameter of AdaptiveLR must be an int "):
        schedules.AdaptiveLR(sgd(), patience=-np.inf)


def test_invscaling_rate_past_the_float_range_is_near_zero_not_inf():
    """power_t=60 after 10**6 samples: (t + 1) ** 60 overflows, and the rate, 1e-361 (0 in
    floats), was refused as 'a learning rate of inf ... (gamma > 1)'."""
    sched = schedules.InvScalingLR(sgd(), power_t=60.0)
    sched.step(10**6)
    assert sched.lr == 0.0 and sched.lr_at(10**6) == 0.0
    sched = schedules.InvScalingLR(sgd(), power_t=51.0)  # (just inside: 1e-307, as before)
    sched.step(10**6)
    assert sched.lr == 0.1 / (10**6 + 1) ** 51.0 > 0


@pytest.mark.parametrize(
    ("y_true", "y_pred", "message"),
    [
        (["a", "b"], [1.0, 2.0], r"r2_score: 'y_true' must be an array of numbers\. Got \['a'"),
        ([1.0, 2.0], [[1.0], [2.0, 3.0]], r"r2_score: 'y_pred' must be an array of numbers"),
    ],
    ids=["text", "ragged"],
)
def test_r2_names_an_argument_that_is_not_numbers(y_true, y_pred, message):
    """NumPy's 'could not convert string to float' and 'inhomogeneous shape', unnamed."""
    from glassnet.metrics import r2_score

    with pytest.raises(ValueError, match=message):
        r2_score(y_true, y_pred)


@pytest.mark.parametrize("base", [np.nan, "0.1", -0.1], ids=["nan", "text", "negative"])
def test_a_starting_lr_written_into_base_lrs_is_checked_naming_it(base):
    """The docs invite changing schedule.base_lrs; a NaN there was blamed on 'lr_lambda'
    (in a StepLR), text raised 'lr_lambda must return a number', a negative likewise."""
    sched = schedules.StepLR(sgd(), step_size=1, gamma=0.5)
    sched.base_lrs = [base]
    with pytest.raises(ValueError, match=r"'lr' parameter of StepLR\.base_lrs must be a float"):
        sched.step()
    assert sched.epoch == 0 and sched.lr == 0.1
