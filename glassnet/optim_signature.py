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
constructors call. So is what each setting must be (``RULES``, glassnet.optim.RULES, which
:mod:`glassnet.torch_optim` extends) and its check (``check_rule``): refusals of a
constructor's or a param group's settings, never run by a step.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from typing import Any, TypeVar, cast

from ._validation import check_setting, torch_switches

__all__ = ["RULES", "check_rule", "setting", "signatures"]

_UNIT = {"low": 0, "high": 1, "high_open": True}  # [0, 1)
RULES: dict[str, Any] = {  # what each setting must be: check_number's bounds, bool, choices
    "momentum": _UNIT,
    **dict.fromkeys(("nesterov", "amsgrad"), bool),
    **dict.fromkeys(("lr", "weight_decay"), {"low": 0}),  # (lr=0.0 too, as PyTorch's)
    "eps": {"low": 0, "low_open": True},
    "t": {"low": 0, "integer": True},
    "dampening": {"low": 0, "high": 1},
    "style": ("torch", "sklearn"),
    "betas": {"pair": True, **_UNIT},
}


def check_rule(value: Any, name: str, owner: str, rule: Any = None) -> Any:
    """``value`` if it is what ``rule`` (default ``RULES[name]``) asks, else a
    ParameterError: ``The 'lr' parameter of SGD must be a float >= 0. Got -1.``"""
    return check_setting(value, name, owner, RULES[name] if rule is None else rule)


def setting(name: str) -> property:
    """``opt.<name>``: the first param group's setting; assigning it sets every group's."""

    def set_all(self: Any, value: Any) -> None:
        for group, checked in [(g, self._validate({**g, name: value})) for g in self.param_groups]:
            group[name] = checked[name]

    def first(self: Any) -> Any:
        try:
            return self.param_groups[0][name]
        except KeyError:  # (a subclass whose defaults dict has none: getattr(opt, name, x))
            raise AttributeError(
                f"{type(self).__name__}.{name}: its param groups hold no {name!r} (its "
                f"defaults dict has none); read the settings it has in opt.param_groups[0]."
            ) from None

    doc = f"The {name!r} setting of the first param group; setting it sets every group's."
    return property(first, set_all, doc=doc)


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
        # a call that gives params alone by position and settings by keyword (fit's, most
        # users'): what bind and apply_defaults make of it, without their walk (some 10 us)
        settings = {n: p.default for n, p in sig.parameters.items() if n not in ("self", "params")}
        plain = P.empty not in settings.values()  # (each setting has a default)

        def __init__(self: Any, *args: Any, **kw: Any) -> None:
            kw = torch_switches(type(self).__name__, kw, sig.parameters)  # (foreach=, ...)
            if plain and len(args) == 1 and kw.keys() <= settings.keys():
                given = {"self": self, "params": args[0], **settings, **kw}  # (bind's, in order)
            else:
                try:
                    call = sig.bind(self, *args, **kw)
                except TypeError as e:  # (inspect's words name no class)
                    raise TypeError(f"{type(self).__name__}(): {e}") from None
                call.apply_defaults()
                given = call.arguments
            base.__init__(self, given["params"], given["lr"], given)

        __init__.__signature__ = sig  # type: ignore[attr-defined]
        __init__.__qualname__ = "signature.<locals>.__init__"  # (its name where optim made it)
        __init__.__module__ = base.__module__
        return cast(_Init, __init__)

    signature.__module__, signature.__qualname__ = base.__module__, "signature"  # (optim's)
    return signature
