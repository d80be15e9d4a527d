"""L-BFGS, as PyTorch's ``torch.optim.LBFGS``: full-batch training driven by a closure.

PyTorch's users who train a small network on all of its data at once write::

    opt = torch.optim.LBFGS(model.parameters(), lr=1, max_iter=20, line_search_fn="strong_wolfe")
    def closure():
        opt.zero_grad()
        loss = loss_fn(model(X), y)
        loss.backward()
        return loss
    loss = opt.step(closure)

and the same lines run here with ``glassnet.lbfgs.LBFGS`` (``import glassnet.nn.functional
as F``; ``F.mse_loss``, ...). Each ``step(closure)`` is PyTorch's, step by step, as in torch
2.13's ``torch/optim/lbfgs.py``: up to ``max_iter`` iterations of the two-loop recursion
over the last ``history_size`` pairs (s, y), each step either of length ``lr`` (the first
of a run ``min(1, 1/‖g‖₁)·lr``) or found by PyTorch's strong-Wolfe line search
(``line_search_fn="strong_wolfe"``: its bracketing, zoom and cubic interpolation), with its
stopping rules (``tolerance_grad`` on the largest gradient value, ``tolerance_change`` on
the loss, the step and the directional derivative, ``max_eval`` evaluations of the
closure per step). The state it keeps between steps is PyTorch's too: ``func_evals``,
``n_iter``, ``d``, ``t``, ``old_dirs``, ``old_stps``, ``ro``, ``H_diag``,
``prev_flat_grad`` and ``prev_loss``, in ``opt.state[first parameter]`` as in PyTorch.

Numbers are computed in the parameters' dtype, as PyTorch computes them: float64
parameters give PyTorch's float64 weights (to rounding: 1e-10 relative over a few steps),
float32 ones float32 arithmetic (each number a NumPy float32 where PyTorch has a 0-d
float32 tensor, with the same promotion of Python numbers). Parameters of both dtypes
together are handled in float64, as ``torch.cat`` promotes them.

Example: Rosenbrock's function, whose minimum is at (1, 1) (``tolerance_change=1e-14``:
the default 1e-9 stops once the loss changes by less, 3e-6 from there).

>>> import numpy as np
>>> import glassnet as gn
>>> x = gn.nn.Parameter(np.array([-1.5, 2.0]))
>>> opt = LBFGS([x], line_search_fn="strong_wolfe", tolerance_change=1e-14)
>>> def closure():
...     opt.zero_grad()
...     loss = (1 - x[0]) ** 2 + 100 * (x[1] - x[0] ** 2) ** 2
...     loss.backward()
...     return loss
>>> for _ in range(3):
...     loss = opt.step(closure)
>>> bool(np.abs(x.data - 1).max() < 1e-8), opt.state[x]["func_evals"]
(True, 55)
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Any

import numpy as np

from ._validation import ParameterError, check_setting, check_state_dict
from .optim import Optimizer
from .tensor import Tensor, enable_grad, no_grad
from .torch_optim import check_keys, checked_extras, group_extras, restore_extras

__all__ = ["LBFGS"]

# what each setting must be (glassnet._validation.check_setting's rules)
_RULES: dict[str, Any] = {
    "lr": {"low": 0},  # (0 too, as PyTorch's: a run that moves nothing)
    "max_iter": {"low": 1, "integer": True},
    "max_eval": {"low": 1, "integer": True},
    "tolerance_grad": {"low": 0},
    "tolerance_change": {"low": 0},
    "history_size": {"low": 1, "integer": True},
}
_RATE = {"low": 0}  # an lr once set: a schedule may bring it to 0
_LINE_SEARCHES = (None, "strong_wolfe")
# the state PyTorch keeps after a step that moved: all of these, or none of them
_DIRECTION = ("d", "t", "old_dirs", "old_stps", "ro", "H_diag", "prev_flat_grad", "prev_loss")
_STATE_KEYS = ("func_evals", "n_iter", *_DIRECTION)


def _cubic_interpolate(x1, f1, g1, x2, f2, g2, bounds=None):  # noqa: ANN001, ANN202
    """PyTorch's ``_cubic_interpolate``: the minimizer of the cubic through (x1, f1) and
    (x2, f2) with slopes g1 and g2, clamped to ``bounds`` (default: between x1 and x2); the
    middle of the bounds where the cubic has no minimum."""
    if bounds is not None:
        xmin_bound, xmax_bound = bounds
    else:
        xmin_bound, xmax_bound = (x1, x2) if x1 <= x2 else (x2, x1)
    d1 = g1 + g2 - 3 * (f1 - f2) / (x1 - x2)
    d2_square = d1**2 - g1 * g2
    if d2_square >= 0:
        d2 = np.sqrt(d2_square)
        if x1 <= x2:
            min_pos = x2 - (x2 - x1) * ((g2 + d2 - d1) / (g2 - g1 + 2 * d2))
        else:
            min_pos = x1 - (x1 - x2) * ((g1 + d2 - d1) / (g1 - g2 + 2 * d2))
        return min(max(min_pos, xmin_bound), xmax_bound)
    return (xmin_bound + xmax_bound) / 2.0


def _strong_wolfe(  # noqa: ANN202, C901
    obj_func: Callable[[Any, Any, np.ndarray], tuple[float, np.ndarray]],
    x: Any,
    t: Any,
    d: np.ndarray,
    f: float,
    g: np.ndarray,
    gtd: Any,
    c1: float = 1e-4,
    c2: float = 0.9,
    tolerance_change: float = 1e-9,
    max_ls: int = 25,
):
    """PyTorch's ``_strong_wolfe`` (from lswolfe.lua): a step length t along d that meets the
    strong Wolfe conditions, bracketed then zoomed in on by cubic interpolation. Returns
    ``(f_new, g_new, t, ls_func_evals)``. (Every gradient ``obj_func`` returns is a new
    array that nothing writes into, so PyTorch's clones are not needed here.)"""
    d_norm = np.abs(d).max()
    # evaluate objective and gradient using initial step
    f_new, g_new = obj_func(x, t, d)
    ls_func_evals = 1
    gtd_new = np.dot(g_new, d)

    # bracket an interval containing a point satisfying the Wolfe criteria
    t_prev, f_prev, g_prev, gtd_prev = 0, f, g, gtd
    done = False
    ls_iter = 0
    while ls_iter < max_ls:
        # check conditions
        if f_new > (f + c1 * t * gtd) or (ls_iter > 1 and f_new >= f_prev):
            bracket, bracket_f = [t_prev, t], [f_prev, f_new]
            bracket_g, bracket_gtd = [g_prev, g_new], [gtd_prev, gtd_new]
            break
        if abs(gtd_new) <= -c2 * gtd:
            bracket, bracket_f, bracket_g = [t], [f_new], [g_new]
            done = True
            break
        if gtd_new >= 0:
            bracket, bracket_f = [t_prev, t], [f_prev, f_new]
            bracket_g, bracket_gtd = [g_prev, g_new], [gtd_prev, gtd_new]
            break
        # interpolate
        min_step = t + 0.01 * (t - t_prev)
        max_step = t * 10
        tmp = t
        t = _cubic_interpolate(
            t_prev, f_prev, gtd_prev, t, f_new, gtd_new, bounds=(min_step, max_step)
        )
        # next step
        t_prev, f_prev, g_prev, gtd_prev = tmp, f_new, g_new, gtd_new
        f_new, g_new = obj_func(x, t, d)
        ls_func_evals += 1
        gtd_new = np.dot(g_new, d)
        ls_iter += 1

    # reached max number of iterations?
    if ls_iter == max_ls:
        bracket, bracket_f, bracket_g = [0, t], [f, f_new], [g, g_new]

    # zoom phase: we now have a point satisfying the criteria, or a bracket around it;
    # refine the bracket until the point satisfying the criteria is found
    insuf_progress = False
    # find high and low points in bracket
    low_pos, high_pos = (0, 1) if bracket_f[0] <= bracket_f[-1] else (1, 0)
    while not done and ls_iter < max_ls:
        # line-search bracket is so small
        if abs(bracket[1] - bracket[0]) * d_norm < tolerance_change:
            break
        # compute new trial value
        t = _cubic_interpolate(
            bracket[0], bracket_f[0], bracket_gtd[0], bracket[1], bracket_f[1], bracket_gtd[1]
        )
        # test that we are making sufficient progress: where t is so close to a boundary,
        # mark insufficient progress, and if the last step made insufficient progress too,
        # or t is at one of the boundaries, move t to 0.1 * len(bracket) away from the
        # nearest boundary point
        eps = 0.1 * (max(bracket) - min(bracket))
        if min(max(bracket) - t, t - min(bracket)) < eps:
            # interpolation close to boundary
            if insuf_progress or t >= max(bracket) or t <= min(bracket):
                # evaluate at 0.1 away from boundary
                if abs(t - max(bracket)) < abs(t - min(bracket)):
                    t = max(bracket) - eps
                else:
                    t = min(bracket) + eps
                insuf_progress = False
            else:
                insuf_progress = True
        else:
            insuf_progress = False

        # evaluate new point
        f_new, g_new = obj_func(x, t, d)
        ls_func_evals += 1
        gtd_new = np.dot(g_new, d)
        ls_iter += 1

        if f_new > (f + c1 * t * gtd) or f_new >= bracket_f[low_pos]:
            # Armijo condition not satisfied or not lower than lowest point
            bracket[high_pos], bracket_f[high_pos] = t, f_new
            bracket_g[high_pos], bracket_gtd[high_pos] = g_new, gtd_new
            low_pos, high_pos = (0, 1) if bracket_f[0] <= bracket_f[1] else (1, 0)
        else:
            if abs(gtd_new) <= -c2 * gtd:
                # Wolfe conditions satisfied
                done = True
            elif gtd_new * (bracket[high_pos] - bracket[low_pos]) >= 0:
                # old high becomes new low
                bracket[high_pos], bracket_f[high_pos] = bracket[low_pos], bracket_f[low_pos]
                bracket_g[high_pos] = bracket_g[low_pos]
                bracket_gtd[high_pos] = bracket_gtd[low_pos]
            # new point becomes new low
            bracket[low_pos], bracket_f[low_pos] = t, f_new
            bracket_g[low_pos], bracket_gtd[low_pos] = g_new, gtd_new

    # return stuff
    return bracket_f[low_pos], bracket_g[low_pos], bracket[low_pos], ls_func_evals


def _loss_value(loss: Any, owner: str) -> float:
    """``float(loss)`` for a closure's one-value loss (a Tensor, a NumPy value or a number),
    else an error that shows the closure PyTorch's LBFGS expects."""
    usage = (
        "def closure(): opt.zero_grad(); loss = loss_fn(model(X), y); loss.backward(); return loss"
    )
    if loss is None:
        raise TypeError(
            f"{owner}.step: the closure returned None; it must return the loss it computed "
            f"(end it with 'return loss'): {usage}."
        )
    value = loss.data if isinstance(loss, Tensor) else loss
    try:
        arr = np.asarray(value)
    except Exception:  # (an object NumPy cannot read as numbers)
        arr = np.asarray(None)
    if isinstance(value, (bool, np.bool_)) or arr.dtype.kind not in "iuf":
        raise TypeError(
            f"{owner}.step: the closure must return the loss, one number (a Tensor of one "
            f"value, as loss_fn gives, or a float). Got {type(loss).__name__}: {usage}."
        )
    if arr.size != 1:
        raise ValueError(
            f"{owner}.step: the closure must return the loss as one value. Got a loss of "
            f"shape {arr.shape}; reduce it to one value (loss.mean() or loss.sum()) before "
            "backward()."
        )
    return float(arr.reshape(()))


def _setting(name: str) -> property:
    """``opt.<name>``: the param group's setting; assigning it checks it and sets it."""

    def set_value(self: LBFGS, value: Any) -> None:
        group = self.param_groups[0]
        group[name] = self._validate({**group, name: value})[name]

    doc = f"The param group's {name!r} setting (assigning it sets it there)."
    return property(lambda self: self.param_groups[0][name], set_value, doc=doc)


class LBFGS(Optimizer):
    """L-BFGS with PyTorch's algorithm, settings and state (``torch.optim.LBFGS``).

    ``loss = opt.step(closure)``, where ``closure()`` zeroes the gradients, computes the
    loss, calls ``backward()`` and returns the loss: one step runs up to ``max_iter``
    iterations and calls the closure up to ``max_eval`` times, and returns the closure's
    first loss (before the step), as PyTorch's. ``step()`` without a closure is refused:
    L-BFGS needs the loss and gradient at the points it tries, which only the closure can
    give. So ``glassnet.fit``, which steps an optimizer once per batch from the gradients
    backward() left, cannot drive it: write the loop (or use the scikit-learn estimators,
    whose ``solver="lbfgs"`` is SciPy's L-BFGS through :mod:`glassnet.objective`).

    It is a :class:`glassnet.optim.Optimizer` for what the base class gives every
    optimizer: ``param_groups`` (one group, as PyTorch allows), ``lr`` as a property that a
    schedule of :mod:`glassnet.schedules` sets between steps, ``zero_grad``, and the checks
    of the parameters (float arrays, none given twice). It overrides ``step``, and keeps
    its own state and state dicts: the base class's machinery, an update rule applied to
    flat buffers once per gradient (``_rule``, its state buffers, ``prepared()``), does
    not fit an optimizer that calls the closure several times per step, searches along one
    direction of all the parameters, and keeps a history of whole-vector pairs
    (``prepared()`` therefore gives ``step``).

    Parameters
    ----------
    params : iterable of parameters (objects with ``.data`` and ``.grad``), or one dict
        PyTorch's LBFGS takes one param group only; a second one is refused.
    lr : float >= 0, default 1
        The step length of each iteration without a line search (the first of a run:
        ``min(1, 1/‖g‖₁)·lr``); the first step the line search tries.
    max_iter : int >= 1, default 20
        Iterations per ``step``.
    max_eval : int >= 1 or None, default None
        Evaluations of the closure per ``step``; None: ``max_iter * 5 // 4``, as PyTorch's.
    tolerance_grad : float >= 0, default 1e-7
        A step stops (or does not start) once the largest absolute gradient value is at most
        this.
    tolerance_change : float >= 0, default 1e-9
        A step stops once the loss, or the largest change of a weight, changes by less than
        this (or the directional derivative is above ``-tolerance_change``).
    history_size : int >= 1, default 100
        The pairs (s, y) kept: the memory of the inverse Hessian's approximation.
    line_search_fn : None or "strong_wolfe", default None
        PyTorch's one line search (any other name is refused: PyTorch supports only it).

    Differences from PyTorch's: the tolerances must be >= 0 and ``max_eval`` >= 1 (below,
    PyTorch never stops on them, or fails in its line search). A parameter with ``requires_grad``
    False is left as it is, and counts as a gradient of 0, even if it holds an old ``.grad``
    (PyTorch would read that gradient). A parameter whose ``.grad`` is None counts as a
    gradient of 0, as in PyTorch (which moves it by 0). PyTorch's ``state["al"]`` (scratch
    values of one step's two-loop recursion, written before they are read) is kept local
    to the step here. ``opt.t`` counts the calls of ``step`` (glassnet's optimizers' step
    count); the step length is ``opt.state[p]["t"]``.

    Attributes
    ----------
    state : dict
        ``{first parameter: {...}}``, PyTorch's layout: ``func_evals`` and ``n_iter`` (the
        closure's evaluations and the iterations of every step so far), then, once a step
        moved, ``d`` (the last direction), ``t`` (its step length), ``old_dirs``,
        ``old_stps`` (the pairs y and s, arrays of shape ``(numel,)``), ``ro`` (1/(yᵀs) of
        each pair), ``H_diag`` (the scale of the initial inverse Hessian),
        ``prev_flat_grad`` and ``prev_loss``.
    """

    _hyper = (
        "max_iter", "max_eval", "tolerance_grad", "tolerance_change", "history_size",
        "line_search_fn",
    )  # fmt: skip
    max_iter, max_eval, tolerance_grad, tolerance_change, history_size, line_search_fn = map(
        _setting, _hyper
    )

    def __init__(
        self,
        params: Iterable[Any] | Any,
        lr: float = 1,
        max_iter: int = 20,
        max_eval: int | None = None,
        tolerance_grad: float = 1e-7,
        tolerance_change: float = 1e-9,
        history_size: int = 100,
        line_search_fn: str | None = None,
    ) -> None:
        self.state: dict[Any, dict[str, Any]] = {}
        super().__init__(params, lr, locals())
        self._params = self.param_groups[0]["params"]
        self._dtype = np.result_type(*(p.data.dtype for p in self._params))
        self._numel = sum(p.data.size for p in self._params)
        self._errors = np.geterr()  # (NumPy's error settings a step's closure runs under)

    def _validate(self, settings: Mapping[str, Any], rate: Any = _RATE) -> dict[str, Any]:
        """The settings checked, ``max_eval`` None made ``max_iter * 5 // 4`` (PyTorch's);
        ``lr`` by the rule ``rate`` (None: ``_RULES``', for an lr the user gives; >= 0)."""
        name, known = type(self).__name__, ("lr", *self._hyper)
        check_keys(name, settings, known)  # (others' keys kept, as PyTorch's; misspellings refused)
        search = settings["line_search_fn"]
        if not isinstance(search, (str, type(None))) or search not in _LINE_SEARCHES:
            raise ParameterError(
                f"The 'line_search_fn' parameter of {name} must be None or 'strong_wolfe' "
                f"(PyTorch's LBFGS supports only these). Got {search!r:.60}."
            )
        h: dict[str, Any] = {}
        for k in known[:-1]:
            value = settings[k]
            if k == "max_eval" and value is None:
                value = h["max_iter"] * 5 // 4  # (>= 1: max_iter >= 1)
            rule = (_RULES["lr"] if rate is None else rate) if k == "lr" else _RULES[k]
            h[k] = check_setting(value, k, name, rule)
        return {**h, "line_search_fn": search}

    def add_param_group(self, param_group: Mapping[str, Any]) -> None:
        """The one param group (PyTorch's LBFGS refuses a second one, as here)."""
        if self.param_groups:
            raise ValueError(
                f"{type(self).__name__} doesn't support per-parameter options (parameter "
                "groups), as PyTorch's: it takes one group, and was given a second one. Build "
                "one LBFGS over all the parameters (a list of parameters, or one dict)."
            )
        super().add_param_group(param_group)
        numpy = [p for p in self.param_groups[0]["params"] if isinstance(p.data, np.ndarray)]
        if len(numpy) != len(self.param_groups[0]["params"]):
            raise TypeError(
                f"{type(self).__name__} works on NumPy arrays: its parameters' .data must be "
                "numpy.ndarray (move the model to the CPU with model.to('cpu') first)."
            )

    # ------------------------------------------------------------------ PyTorch's helpers
    def _group(self) -> dict[str, Any]:
        """The one param group's settings, checked (a schedule may have set its lr)."""
        name, groups = type(self).__name__, self.param_groups
        if len(groups) != 1:
            raise ValueError(
                f"{name} doesn't support per-parameter options (parameter groups): "
                f"param_groups holds {len(groups)} groups; keep one."
            )
        group = groups[0]
        params = group.get("params")
        if not isinstance(params, list) or list(map(id, params)) != list(map(id, self._params)):
            raise RuntimeError(
                f"{name}: param_groups[0]['params'] was changed after the optimizer was built; "
                "build a new LBFGS over the parameters to optimize."
            )
        return self._validate(group)

    def _gather_flat_grad(self) -> np.ndarray:
        """Every gradient in one new vector of shape ``(numel,)``: 0 for a parameter whose
        ``.grad`` is None or that does not require grad."""
        views = []
        for i, p in enumerate(self._params):
            g = p.grad
            if g is None or not getattr(p, "requires_grad", True):
                views.append(np.zeros(p.data.size, self._dtype))
                continue
            if np.shape(g) != p.data.shape:
                raise ValueError(
                    f"{type(self).__name__}: parameter {i} has .grad of shape {np.shape(g)} but "
                    f".data of shape {p.data.shape}; a gradient has its parameter's shape."
                )
            views.append(np.reshape(g, -1))
        return np.concatenate(views, dtype=self._dtype)

    def _write(self, values: list[Any], add: bool) -> None:
        """Each parameter that requires grad ← ``values[i]`` (``add``: += it), in place; a
        Tensor through its own in-place write (a graph of its old values then refuses
        backward)."""
        with no_grad():
            for p, v in zip(self._params, values):
                if v is None or not getattr(p, "requires_grad", True):
                    continue
                if isinstance(p, Tensor):
                    if add:
                        p += v
                    else:
                        p.copy_(v)
                elif add:
                    np.add(p.data, v, out=p.data)
                else:
                    p.data[...] = v

    def _add_grad(self, step_size: Any, update: np.ndarray) -> None:
        """Every parameter ← itself + ``step_size`` · its slice of ``update``."""
        values, offset = [], 0
        for p in self._params:
            n = p.data.size
            values.append(update[offset : offset + n].reshape(p.data.shape) * step_size)
            offset += n

        self._write(values, add=True)

    def _clone_param(self) -> list[np.ndarray]:
        return [np.array(p.data, copy=True) for p in self._params]

    def _set_param(self, params_data: list[np.ndarray]) -> None:
        self._write(params_data, add=False)

    def _evaluate(self, closure: Callable[[], Any]) -> Any:
        """``closure()``, with gradients recorded (PyTorch's ``enable_grad``), under the
        caller's NumPy error settings (the step's own arithmetic is silent, as PyTorch's)."""
        with np.errstate(**self._errors), enable_grad():
            return closure()

    def _directional_evaluate(
        self, closure: Callable[[], Any], x: list[np.ndarray], t: Any, d: np.ndarray
    ) -> tuple[float, np.ndarray]:
        self._add_grad(t, d)
        loss = _loss_value(self._evaluate(closure), type(self).__name__)
        flat_grad = self._gather_flat_grad()
        self._set_param(x)
        return loss, flat_grad

    # ------------------------------------------------------------------ the step
    def step(self, closure: Callable[[], Any] | None = None) -> Any:  # noqa: C901
        """One L-BFGS step, PyTorch's: ``closure()`` (zero the gradients, compute the loss,
        ``backward()``, return the loss) is called up to ``max_eval`` times. Returns the
        closure's first loss, as it returned it."""
        name = type(self).__name__
        if closure is None or not callable(closure):
            raise TypeError(
                f"{name}.step needs a closure, as PyTorch's: L-BFGS evaluates the loss and "
                "its gradient several times per step. Write def closure(): opt.zero_grad(); "
                "loss = loss_fn(model(X), y); loss.backward(); return loss, then "
                "loss = opt.step(closure)"
                + ("." if closure is None else f". Got {type(closure).__name__}.")
                + (
                    " (glassnet.fit steps an optimizer from the gradients of each batch and "
                    "cannot drive LBFGS: write the loop.)"
                    if closure is None
                    else ""
                )
            )
        group = self._group()
        lr = group["lr"]
        max_iter = group["max_iter"]
        max_eval = group["max_eval"]
        tolerance_grad = group["tolerance_grad"]
        tolerance_change = group["tolerance_change"]
        line_search_fn = group["line_search_fn"]
        history_size = group["history_size"]
        self.t += 1
        self._errors = np.geterr()  # (the closure runs under them)

        # LBFGS has only global state, kept as PyTorch keeps it: under the first parameter
        state = self.state.setdefault(self._params[0], {})
        state.setdefault("func_evals", 0)
        state.setdefault("n_iter", 0)

        # evaluate initial f(x) and df/dx
        orig_loss = self._evaluate(closure)
        loss = _loss_value(orig_loss, name)
        current_evals = 1
        state["func_evals"] += 1

        flat_grad = self._gather_flat_grad()
        opt_cond = np.abs(flat_grad).max() <= tolerance_grad

        # optimal condition
        if opt_cond:
            return orig_loss

        # the state of the last step
        d = state.get("d")
        t = state.get("t")
        old_dirs = state.get("old_dirs")
        old_stps = state.get("old_stps")
        ro = state.get("ro")
        H_diag = state.get("H_diag")
        prev_flat_grad = state.get("prev_flat_grad")
        prev_loss = state.get("prev_loss")

        n_iter = 0
        # optimize for a max of max_iter iterations
        with np.errstate(all="ignore"):  # (PyTorch's tensors give inf and NaN in silence)
            while n_iter < max_iter:
                # keep track of nb of iterations
                n_iter += 1
                state["n_iter"] += 1

                # compute gradient descent direction
                if state["n_iter"] == 1:
                    d = -flat_grad
                    old_dirs, old_stps, ro = [], [], []
                    H_diag = 1
                else:
                    # do lbfgs update (update memory)
                    y = flat_grad - prev_flat_grad
                    s = d * t
                    ys = np.dot(y, s)  # y*s
                    if ys > 1e-10:
                        # updating memory
                        if len(old_dirs) == history_size:
                            # shift history by one (limited-memory)
                            old_dirs.pop(0)
                            old_stps.pop(0)
                            ro.pop(0)
                        # store new direction/step
                        old_dirs.append(y)
                        old_stps.append(s)
                        ro.append(1.0 / ys)
                        # update scale of initial Hessian approximation
                        H_diag = ys / np.dot(y, y)  # (y*y)

                    # compute the approximate (L-BFGS) inverse Hessian multiplied by the
                    # gradient (the two loops over one buffer)
                    num_old = len(old_dirs)
                    al: list[Any] = [None] * num_old
                    q = -flat_grad
                    for i in range(num_old - 1, -1, -1):
                        al[i] = np.dot(old_stps[i], q) * ro[i]
                        q -= al[i] * old_dirs[i]
                    # multiply by initial Hessian; r/d is the final direction
                    d = r = q * H_diag
                    for i in range(num_old):
                        be_i = np.dot(old_dirs[i], r) * ro[i]
                        r += (al[i] - be_i) * old_stps[i]

                if prev_flat_grad is None:
                    prev_flat_grad = flat_grad.copy()
                else:
                    prev_flat_grad[...] = flat_grad
                prev_loss = loss

                # compute step length: reset initial guess for step size
                if state["n_iter"] == 1:
                    t = min(1.0, 1.0 / np.abs(flat_grad).sum()) * lr
                else:
                    t = lr

                # directional derivative
                gtd = np.dot(flat_grad, d)  # g * d

                # directional derivative is below tolerance
                if gtd > -tolerance_change:
                    break

                # optional line search: user function
                ls_func_evals = 0
                if line_search_fn is not None and t > 0:  # (lr 0: no search, nothing moves)
                    # perform line search, using user function
                    x_init = self._clone_param()

                    def obj_func(x: Any, t: Any, d: np.ndarray) -> tuple[float, np.ndarray]:
                        return self._directional_evaluate(closure, x, t, d)

                    loss, flat_grad, t, ls_func_evals = _strong_wolfe(
                        obj_func, x_init, t, d, loss, flat_grad, gtd,
                        max_ls=max_eval - current_evals,
                    )  # fmt: skip
                    self._add_grad(t, d)
                    opt_cond = np.abs(flat_grad).max() <= tolerance_grad
                else:
                    # no line search, simply move with fixed-step
                    self._add_grad(t, d)
                    if n_iter != max_iter:
                        # re-evaluate function only if not in last iteration (in a
                        # stochastic setting, no use to re-evaluate that function here)
                        loss = _loss_value(self._evaluate(closure), name)
                        flat_grad = self._gather_flat_grad()
                        opt_cond = np.abs(flat_grad).max() <= tolerance_grad
                        ls_func_evals = 1

                # update func eval
                current_evals += ls_func_evals
                state["func_evals"] += ls_func_evals

                # check conditions
                if n_iter == max_iter:
                    break
                if current_evals >= max_eval:
                    break
                # optimal condition
                if opt_cond:
                    break
                # lack of progress
                if np.abs(d * t).max() <= tolerance_change:
                    break
                if abs(loss - prev_loss) < tolerance_change:
                    break

        state["d"] = d
        state["t"] = t
        state["old_dirs"] = old_dirs
        state["old_stps"] = old_stps
        state["ro"] = ro
        state["H_diag"] = H_diag
        state["prev_flat_grad"] = prev_flat_grad
        state["prev_loss"] = prev_loss
        return orig_loss

    # ------------------------------------------------------------------ state dicts
    def state_dict(self) -> dict[str, Any]:
        """Everything needed to resume: ``{"type": "LBFGS", "t": ..., "param_groups":
        [settings], "state": {...}}``, the state as ``opt.state[first parameter]`` holds it
        (arrays and lists copied). The parameters' values are not included (save the model
        for those)."""
        group = self._group()
        state = self.state.get(self._params[0], {})
        saved = {}
        for k, v in state.items():
            if isinstance(v, np.ndarray):
                v = v.copy()
            elif isinstance(v, list):
                v = [a.copy() if isinstance(a, np.ndarray) else a for a in v]
            saved[k] = v
        group = {**group, **group_extras(self.param_groups[0], group)}
        return {"type": type(self).__name__, "t": self.t, "param_groups": [group], "state": saved}

    def load_state_dict(self, state_dict: Mapping[str, Any], *, finite: bool = True) -> None:
        """Restore what :meth:`state_dict` returned; a resumed run then takes the steps the
        unbroken run would have. Everything is checked before anything changes: the type,
        the keys, the settings, each array's shape ``(numel,)`` and dtype (the parameters'),
        and that it is finite (``finite=False`` takes NaN and inf too)."""
        name = type(self).__name__
        check_state_dict(state_dict, type(self), ["type", "t", "param_groups", "state"])
        t = check_setting(state_dict["t"], "t", name, {"low": 0, "integer": True})
        groups = state_dict["param_groups"]
        if not isinstance(groups, list) or len(groups) != 1:
            got = len(groups) if isinstance(groups, list) else type(groups).__name__
            raise ValueError(
                f"{name}.load_state_dict: 'param_groups' must be a list of one group (LBFGS "
                f"has one). Got {got}."
            )
        extra = checked_extras(groups[0], name, self.defaults)
        check_state_dict(groups[0], name, [*self.defaults, *["extra"][: "extra" in groups[0]]])
        settings = self._validate({k: groups[0][k] for k in self.defaults})
        lbfgs = self._loaded(state_dict["state"], settings, finite)
        group = self.param_groups[0]
        restore_extras(group, extra, settings)
        group.update(settings)
        self.state = {self._params[0]: lbfgs} if lbfgs else {}
        self.t = t

    def _loaded(self, saved: Any, settings: Mapping[str, Any], finite: bool) -> dict[str, Any]:
        """The L-BFGS state of a state dict, checked, its arrays copied and its numbers in
        the parameters' dtype (as the step made them)."""
        name, dtype, shape = type(self).__name__, self._dtype, (self._numel,)
        where = f"{name}.load_state_dict"
        if not isinstance(saved, Mapping):
            raise TypeError(f"{where}: 'state' must be a dict. Got {type(saved).__name__}.")
        unknown = sorted(set(saved) - set(_STATE_KEYS))
        if unknown:
            raise ValueError(
                f"{where}: 'state' has unknown keys {unknown}; its keys are {list(_STATE_KEYS)}."
            )
        given = [k for k in _DIRECTION if k in saved]
        missing = [k for k in (*_STATE_KEYS[:2], *(_DIRECTION if given else ())) if k not in saved]
        if missing and saved:
            raise ValueError(
                f"{where}: 'state' lacks {missing}; pass the dict {name}.state_dict() returned."
            )
        out: dict[str, Any] = {}
        for k in ("func_evals", "n_iter"):
            if k in saved:
                out[k] = check_setting(saved[k], k, name, {"low": 0, "integer": True})

        def array(value: Any, key: str) -> np.ndarray:
            arr = value if isinstance(value, np.ndarray) else None
            if arr is None or arr.shape != shape or arr.dtype != dtype:
                got = f"{arr.dtype} {arr.shape}" if arr is not None else type(value).__name__
                raise ValueError(f"{where}: {key!r} must be a {dtype} array of shape {shape}; "
                                 f"got {got}.")  # fmt: skip
            if finite and not np.isfinite(arr).all():
                raise ValueError(f"{where}: {key!r} contains NaN or inf.")
            return arr.copy()

        def number(value: Any, key: str, cast: bool = True) -> Any:
            arr = np.asarray(value) if not isinstance(value, (bool, np.bool_)) else None
            if arr is None or arr.shape != () or arr.dtype.kind not in "iuf":
                raise ValueError(f"{where}: {key!r} must be a number. Got {value!r:.60}.")
            if finite and not np.isfinite(arr):
                raise ValueError(f"{where}: {key!r} is NaN or inf.")
            return dtype.type(arr) if cast else arr

        if given:
            for k in ("d", "prev_flat_grad"):
                out[k] = array(saved[k], k)
            lists = [saved[k] for k in ("old_dirs", "old_stps", "ro")]
            if not all(isinstance(v, list) for v in lists) or len({len(v) for v in lists}) != 1:
                raise ValueError(
                    f"{where}: 'old_dirs', 'old_stps' and 'ro' must be lists of one length."
                )
            if len(lists[0]) > settings["history_size"]:
                raise ValueError(
                    f"{where}: the state holds {len(lists[0])} pairs, more than its "
                    f"history_size {settings['history_size']}."
                )
            out["old_dirs"] = [array(a, f"old_dirs[{i}]") for i, a in enumerate(lists[0])]
            out["old_stps"] = [array(a, f"old_stps[{i}]") for i, a in enumerate(lists[1])]
            out["ro"] = [number(v, f"ro[{i}]") for i, v in enumerate(lists[2])]
            out["t"], out["H_diag"] = number(saved["t"], "t"), number(saved["H_diag"], "H_diag")
            out["prev_loss"] = float(number(saved["prev_loss"], "prev_loss", cast=False))
        return out
