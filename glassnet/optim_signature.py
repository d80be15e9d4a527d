"""How an optimizer's constructor and settings look from outside: PyTorch's signature, ``opt.lr``.

:mod:`glassnet.optim` holds the update rules and how a step applies them; a step reads a
group's settings from its dict and never calls a constructor. What a user (or ``help()``,
``get_optimizer``, a type checker) sees of an optimizer's constructor is PyTorch's:
``SGD(params, lr, momentum, dampening, ...)`` positionally, ``style`` keyword only, PyTorch's
switches (``foreach=``) taken; and ``opt.momentum`` reads the first group's setting, setting
it sets every group's. Both are made here, from one declaration per optimizer, and used by
optim's classes (``@signature``, ``momentum = setting("momentum")``), which keeps optim.py
the update rules in one sitting. It sits below :mod:`glassnet.optim`, which imports it, and
knows no optimizer: :func:`signatures` is given the base class whose ``__init__`` the
constructors call.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from typing import Any, TypeVar, cast

from ._validation import torch_switches

__all__ = ["setting", "signatures"]


def setting(name: str) -> property:
    """``opt.<name>``: the first param group's setting; assigning it sets every group's."""

    def set_all(self: Any, value: Any) -> None:
        for group, checked in [(g, self._validate({**g, name: value})) for g in self.param_groups]:
            group[name] = checked[name]

    doc = f"The {name!r} setting of the first param group; setting it sets every group's."
    return property(lambda self: self.param_groups[0][name], set_all, doc=doc)


_Init = TypeVar("_Init", bound=Callable[..., None])


def signatures(base: type) -> Callable[[_Init], _Init]:
    """The decorator ``signature`` of ``base``'s subclasses (:class:`glassnet.optim.Optimizer`'s),
    whose constructors call ``base.__init__(self, params, lr, settings)``."""

    def signature(declared: _Init) -> _Init:
        """PyTorch's ``__init__(self, params, lr, *defaults)`` of an optimizer, made from the
        ``declared`` one (its settings in PyTorch's positional order with their defaults and
        types; ``style``, glassnet's own, keyword only; ``**switches``, PyTorch's switches of
        ``torch_switches``, for type checkers only): what ``help()`` shows, ``get_optimizer``
        checks, a call binds to and a type checker reads, from one declaration per optimizer."""
        P = inspect.Parameter
        params = inspect.signature(declared).parameters.values()
        kept = [p for p in params if p.kind != P.VAR_KEYWORD]
        sig = inspect.Signature([p.replace(annotation=P.empty) for p in kept])  # (as help() shows)

        def __init__(self: Any, *args: Any, **kw: Any) -> None:
            kw = torch_switches(type(self).__name__, kw, sig.parameters)  # (foreach=, ...)
            try:
                call = sig.bind(self, *args, **kw)
            except TypeError as e:  # (inspect's words name no class)
                raise TypeError(f"{type(self).__name__}(): {e}") from None
            call.apply_defaults()
            base.__init__(self, call.arguments["params"], call.arguments["lr"], call.arguments)

        __init__.__signature__ = sig  # type: ignore[attr-defined]
        __init__.__qualname__ = "signature.<locals>.__init__"  # (its name where optim made it)
        __init__.__module__ = base.__module__
        return cast(_Init, __init__)

    signature.__module__, signature.__qualname__ = base.__module__, "signature"  # (optim's)
    return signature
