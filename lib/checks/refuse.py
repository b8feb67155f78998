"""Refusing references: while a learner's function runs, the function it is checked against (and its twins) raise
instead of answering, so an exercise cannot be passed by calling the reference that is on the page.

:class:`Refusal` finds every name bound to a refused object in the learner's function's globals, in the modules
those globals hold (``losses``, ``F``, ``torch``, ...) and in every loaded ``lib`` and ``torch`` module, and binds
it to a stand-in that raises :class:`RefusedCall` for the time of the call. A name the learner bound before the
check ran (``from lib.losses import huber_loss``) is covered because the globals are searched too, and a refused
tensor method (``torch.Tensor.log_softmax``) is shadowed on ``torch.Tensor``, so ``x.log_softmax(1)`` and the
functions that call it (``F.log_softmax``) are refused as well.
"""

from __future__ import annotations

import sys
import types
from collections.abc import Callable, Iterable


class RefusedCall(AssertionError):
    """The learner's code called a function that the exercise asks them to write themselves."""


def _describe(obj) -> str:
    module = getattr(obj, "__module__", None) or ""
    name = getattr(obj, "__qualname__", None) or getattr(obj, "__name__", None) or type(obj).__name__
    return f"{module}.{name}" if module and not module.startswith("__") else name


def _namespaces(fn: Callable) -> list[dict]:
    """The dicts in which a name could be bound to a refused object while ``fn`` runs."""
    spaces, seen = [], set()

    def add(space: dict) -> None:
        if id(space) not in seen:
            seen.add(id(space))
            spaces.append(space)

    fn_globals = getattr(getattr(fn, "__func__", fn), "__globals__", None)
    if isinstance(fn_globals, dict):
        add(fn_globals)
        for value in list(fn_globals.values()):
            if isinstance(value, types.ModuleType):
                add(vars(value))
    for name, module in list(sys.modules.items()):
        if module is not None and (name == "lib" or name.startswith(("lib.", "torch"))):
            add(vars(module))
    return spaces


def _stand_in(what: str, who: str) -> Callable:
    def refused(*args, **kwargs):
        raise RefusedCall(f"{who} calls {what}: the exercise is to write it yourself, so while your code runs the "
                          "check refuses the reference and its twins.")

    return refused


class Refusal:
    """The bindings of refused objects that ``fn`` can reach, found once; ``with refusal:`` swaps them for
    stand-ins that raise :class:`RefusedCall`, and restores them on leaving the block."""

    def __init__(self, fn: Callable, objects: Iterable, *, who: str):
        refused = {id(obj): obj for obj in objects if obj is not None}
        found = [
            (space, name, value)
            for space in (_namespaces(fn) if refused else [])
            for name, value in list(space.items())
            if id(value) in refused and value is refused[id(value)]
        ]
        # each object is named by its shortest module path (lib.losses.huber_loss, torch.square)
        names = {key: _describe(obj) for key, obj in refused.items()}
        for space, name, value in found:
            module = space.get("__name__")
            if isinstance(module, str) and space is not getattr(fn, "__globals__", None):
                path = f"{module}.{name}"
                names[id(value)] = min(names[id(value)], path, key=len)
        stand_ins = {key: _stand_in(names[key], who) for key in refused}
        self._bindings = [(space, name, value, stand_ins[id(value)]) for space, name, value in found]
        # Tensor methods (torch.Tensor.log_softmax): shadowed on the class, so that x.log_softmax() is refused too
        self._methods = []
        if refused:
            import torch

            own = vars(torch.Tensor)
            for name in dir(torch.Tensor):
                value = getattr(torch.Tensor, name, None)
                if id(value) in refused and value is refused[id(value)]:
                    stand_in = _stand_in(f"the tensor method .{name}()", who)
                    self._methods.append((torch.Tensor, name, name in own, own.get(name), stand_in))

    def __enter__(self) -> Refusal:
        for space, name, _, stand_in in self._bindings:
            space[name] = stand_in
        for cls, name, _, _, stand_in in self._methods:
            setattr(cls, name, stand_in)
        return self

    def __exit__(self, *exc) -> None:
        for space, name, value, _ in reversed(self._bindings):
            space[name] = value
        for cls, name, had_own, original, _ in reversed(self._methods):
            if had_own:
                setattr(cls, name, original)
            else:
                delattr(cls, name)


def check_forbid(forbid) -> tuple:
    """``forbid`` as a tuple of callables; a ValueError naming it otherwise."""
    if forbid is None:
        return ()
    if callable(forbid) or isinstance(forbid, (str, bytes)) or not isinstance(forbid, Iterable):
        raise ValueError(f"`forbid` must be a tuple of the functions or classes the learner may not call, "
                         f"got {type(forbid).__name__}")
    forbid = tuple(forbid)
    for i, obj in enumerate(forbid):
        if not callable(obj):
            raise ValueError(f"`forbid[{i}]` must be a function or class, got {type(obj).__name__}")
    return forbid
