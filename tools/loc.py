"""Code lines per module: blank lines, comments and docstrings left out.

    python tools/loc.py            # every module of the package, the core's total last
    python tools/loc.py --check    # exit 1 when the core is over its budget

The core is the engine a reader must understand to know how glassnet trains: tensor,
functional, nn, the fast path (fused), optim and train. ``tasks`` sits between nn and the
fast path in the layering but is counted outside the budget, as the issue that set it did.

Seven files of ``nn`` are PyTorch's surface rather than the engine, and are listed apart
(``outside``): ``nn/losses.py`` (the loss *modules*, ``nn.CrossEntropyLoss`` and the rest:
thin wrappers over functional's losses, with PyTorch's class weights and label
smoothing), ``nn/utils.py`` (``clip_grad_norm_``/``clip_grad_value_``), ``nn/containers.py``
(``nn.ModuleList``/``nn.ModuleDict``, which a model written as PyTorch models are keeps its
layers in, and ``nn.from_config``, which rebuilds a model file's modules) and
``nn/init_inplace.py`` (PyTorch's in-place initializers on a tensor,
``nn.init.kaiming_uniform_`` and the rest, beside glassnet's own initializers of a shape)
and ``nn/functional.py`` (PyTorch's ``torch.nn.functional`` names: the loss modules and
activations called as functions) and ``nn/torch_layers.py`` (PyTorch's further layers,
``nn.GELU``, ``nn.SiLU``, ``nn.ELU``, ``nn.Softplus``, ``nn.LayerNorm``, ``nn.LogSoftmax``,
``nn.BatchNorm1d``,
which run on the graph only: the fast path, ``explain`` and the ONNX export refuse them)
and ``nn/torch_module.py`` (a module's PyTorch surface, attached to ``Module`` and the
layers: ``named_parameters``/``named_buffers``/``buffers``, ``state_dict``/
``load_state_dict``, ``to()``, the reprs, and ``config()``, the description ``gn.save`` keeps,
a buffer's bookkeeping when set again or deleted, ``LeakyReLU.negative_slope``).
``nn/containers.py`` also holds a Sequential's list habits (``len()``, iteration,
``append``/``insert``/``pop``, item assignment), attached to it: the engine only slices one.
They serve a hand-written PyTorch-style loop or model; nothing in the engine (fit, the fast
path, the graph, the optimizers) imports them, so a reader learning how glassnet trains
never needs them. They stay in ``nn`` because that is where a PyTorch user looks for them.

For the same reason PyTorch's further optimizers (RMSprop, Adagrad, Adadelta, Adamax, NAdam,
RAdam) are ``torch_optim.py``, beside ``optim`` (whose ``OPTIMIZERS`` names them): the lecture's
and scikit-learn's rules (SGD with momentum, Adam, AdamW) are ``optim``'s own, and the compiled
loop takes only those.
So is ``optim_habits.py``: an optimizer's PyTorch habits (``state_dict``/``load_state_dict``,
``zero_grad``, the checks of ``param_groups`` edited between steps, the repr, the old import
paths), which ``optim`` imports at its end and attaches to ``Optimizer``: ``fit`` steps an
optimizer through its update rules alone.
So is ``optim_signature.py``, a layer below ``optim``: how a constructor and a setting look
from outside (PyTorch's positional ``__init__`` made from one declaration, ``opt.momentum``
reading the first group's setting) and what each setting must be (``RULES``, its check), which
optim's classes use; a step never calls them.
So is ``train_habits.py``: the stopping rules' ``state_dict``/``load_state_dict`` (what a
checkpoint keeps of them) and the History's repr, which ``train`` imports at its end and
attaches: ``fit`` reads a rule's books, never saves or prints them.
So is ``fitting.py``, a layer below ``train`` as ``tasks`` and ``engines`` are: what ``fit``
does around its loop that is not the loop (a stream's first chunk opened and checked, a
divergence reported with the last finite weights put back, the warning of a run Ctrl-C ended,
its ``callbacks`` and ``stop_rules`` taken as given: a function made a callback, and the
shuffle orders of the epochs a run resumed with an int seed already did, drawn and dropped).

For the same reason ``habits.py`` (indexing, in-place writes and PyTorch's shape ops on the
Tensor) is its own module, a layer above the engine, which attaches them as ``functional``
attaches the activations: nothing in the engine calls them (but ``habits.Parameters``, the
list type ``model.parameters()`` returns). So is ``ops.py``: the Tensor
ops beyond micrograd's set (max/min, abs, sqrt, clip, where, maximum/minimum, concatenate,
stack), which only losses and models written by users call.

The epoch runners ``fit`` hands an epoch to when nothing of the caller's runs between
steps (``eager.py`` in NumPy, ``jit.py`` compiled, ``capture.py`` on a GPU) sit between
the fast path and ``train`` under one contract and are counted outside, as the other
engines of scale (``distributed.py``, ``stream.py``) are: ``fit``'s per-step loop is the
reference loop they reproduce, and the tests hold them to it. So is ``engines.py``, the
hand-off between them and ``fit``: which runner takes a run, and ``fit``'s books from the
losses a runner returns (the rules of each runner, which a reader of the loop needs no
more than the runners themselves).

So is ``tensor_habits.py``: a Tensor's ``register_hook``/``retain_grad`` (what ``backward`` does
with hooks and retained gradients stays in ``tensor.py``; registering them is PyTorch's
surface), the repr, ``item()``, ``numpy()``, ``named()`` (the label drawings show) and
``zero_grad()`` (a gradient zeroed in place: ``fit`` sets gradients to None), which it
attaches to ``Tensor``: the forward and backward passes call none of them (the truth value
and ``astype``, which the core's reductions and losses call, stay in ``tensor.py``).

``loss_checks.py`` holds the refusals of functional's losses (class labels, probabilities,
the reduction, sample weights, a target that requires grad or is squashed twice), counted
outside as ``_validation``'s checks are: each loss calls one check whose name says what it
refuses. Reading a target in the loss's dtype (a graph node) stays in ``functional``.

``grad_modes.py``, a layer below ``tensor``, holds autograd's switches (``no_grad``/
``enable_grad``, ``Switch``, ``is_grad_enabled``), anomaly mode's checks and
``backward(inputs=...)``'s reach; ``tensor`` imports every name back (``from glassnet.tensor
import no_grad`` works as before): the lecture's backward is the topological order and the
chain rule, which stay in ``tensor.py``.
So is ``detached.py``: ``t.detach()`` and what ``Tensor(t)`` links to (a stand-in of a graph's
node, sharing its values and clock, not its graph), which it attaches to ``Tensor``: the
forward and backward passes never make a tensor of another's values (the version clock by
which ``backward`` refuses values written in place stays in ``tensor.py``).
``tracing.py`` is the fast path's see-through, ``FastMLP.trace``, which it attaches: every
number of one pass (Z, A, g'(Z), dL/dA, dL/dZ, dL/dW, dL/db) for ``explain``, ``viz`` and
``diagnostics`` to show. It reads the step's own record; ``fit`` never calls it.

``nn/_gate.py`` is generic concurrency machinery, not the lecture's mathematics, and is
counted outside as ``_validation``'s checks are: the readers-writer gate that lets predicts
of a model whose class has its own ``train()`` run together while that ``train()`` waits.
``nn/module.py`` only calls it. It sits in ``nn``, not beside ``_validation``, since only
nn uses it and the layering contract (pyproject.toml, exhaustive) then needs no new entry.
So is ``nn/_checks.py``, for the same reasons: the refusals of nn's core modules (a layer's
constructor arguments, what ``predict`` takes and gives, what ``flatten_parameters`` packs),
each one call there named for what it checks, as ``_validation``'s are.
"""

from __future__ import annotations

import argparse
import ast
import io
import sys
import tokenize
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1] / "glassnet"
CORE = ("tensor.py", "functional.py", "nn", "fused.py", "optim.py", "train.py")
BUDGET = 2200
# in nn for PyTorch's users, not the engine (and nn's gate and checks, machinery): see above
OUTSIDE = (
    "nn/losses.py", "nn/utils.py", "nn/containers.py", "nn/init_inplace.py", "nn/functional.py",
    "nn/torch_layers.py", "nn/_gate.py", "nn/torch_module.py", "nn/_checks.py",
)  # fmt: skip


def code_lines(path: Path) -> int:
    """Lines holding code: not blank, not only a comment, not part of a docstring."""
    source = path.read_text(encoding="utf-8")
    doc_lines: set[int] = set()
    for node in ast.walk(ast.parse(source)):
        body = getattr(node, "body", None)
        if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)):
            first = body[0] if body else None
            if (
                isinstance(first, ast.Expr)
                and isinstance(first.value, ast.Constant)
                and isinstance(first.value.value, str)
            ):
                doc_lines.update(range(first.lineno, first.end_lineno + 1))
    lines: set[int] = set()
    for tok in tokenize.generate_tokens(io.StringIO(source).readline):
        if tok.type in (
            tokenize.COMMENT,
            tokenize.NL,
            tokenize.NEWLINE,
            tokenize.INDENT,
            tokenize.DEDENT,
            tokenize.ENDMARKER,
        ):
            continue
        lines.update(range(tok.start[0], tok.end[0] + 1))
    return len(lines - doc_lines)


def is_core(rel: Path) -> bool:
    return rel.parts[0] in CORE and rel.as_posix() not in OUTSIDE


def main(argv: list[str]) -> int:
    ap = argparse.ArgumentParser(
        prog="tools/loc.py",
        description=__doc__.split("\n\n")[0],
        epilog=__doc__.split("\n\n")[1],
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    ap.add_argument(
        "--check", action="store_true", help=f"exit 1 when the core is over its budget ({BUDGET})"
    )
    args = ap.parse_args(argv)  # (an unknown or mistyped flag: a usage error, status 2)
    rows = []
    for f in sorted(ROOT.rglob("*.py")):
        rel = f.relative_to(ROOT)
        rows.append((str(rel), code_lines(f), is_core(rel)))
    width = max(len(r[0]) for r in rows)
    for name, n, core in rows:
        tag = "  core" if core else "  outside (see the docstring)" if name in OUTSIDE else ""
        print(f"{name:<{width}}  {n:>5}{tag}")
    core_total = sum(n for _, n, c in rows if c)
    print(f"{'total':<{width}}  {sum(n for _, n, _ in rows):>5}")
    print(f"{'core':<{width}}  {core_total:>5}  (budget {BUDGET})")
    if args.check and core_total > BUDGET:
        print(f"the core is {core_total - BUDGET} code lines over its budget", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
