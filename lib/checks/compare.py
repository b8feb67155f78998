"""What every check shares: the result a passed check shows (:class:`CheckResult`), the one comparison of a
learner's tensor with the reference (:func:`mismatch`), the checks of a check's own arguments, and the
CPU-independent report of a difference between two implementations (:func:`max_difference`,
:class:`Differences`, :func:`format_difference`) that the chapters print.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from numbers import Real

import torch

from lib._validate import check_floating, check_number


@dataclass(frozen=True)
class CheckResult:
    """What a passed check reports; its ``repr`` is the message, so a notebook cell shows it cleanly."""

    message: str

    def __repr__(self) -> str:
        return self.message


@dataclass(frozen=True)
class Mismatch:
    """Where ``got`` and ``want`` part: ``count`` of ``total`` values differ; ``index`` is the reported one."""

    count: int
    total: int
    index: tuple[int, ...]
    got: float
    want: float

    def values(self) -> str:
        return f"yours {self.got:.6g}, expected {self.want:.6g}"


def mismatch(
    got: torch.Tensor, want: torch.Tensor, *, atol: float, rtol: float, largest: bool = False
) -> Mismatch | None:
    """``None`` when two tensors of one shape and dtype agree (``torch.isclose``, nan equal to nan); otherwise how
    many values differ and one of them: the first in memory order, or with ``largest=True`` the one with the
    largest gap (a nan gap counts as the largest)."""
    bad = ~torch.isclose(got, want, atol=atol, rtol=rtol, equal_nan=True)
    if not bad.any():
        return None
    if largest:
        gap = torch.where(bad, (got - want).abs().nan_to_num(nan=math.inf), 0.0)
        index = tuple(int(i) for i in torch.unravel_index(gap.argmax(), gap.shape))
    else:
        index = tuple(int(i) for i in bad.nonzero()[0]) if got.dim() else ()
    return Mismatch(int(bad.sum()), bad.numel(), index, got[index].item(), want[index].item())


def check_callable(name: str, value) -> None:
    if not callable(value):
        raise ValueError(f"`{name}` must be a function (callable), got {type(value).__name__}")


def check_options(options) -> None:
    if options is not None and not isinstance(options, Mapping):
        raise ValueError(f"`options` must be a dict of keyword arguments, got {type(options).__name__}")


# ----- reporting a difference between two implementations ------------------------------------------------------


def _bucket(value: float) -> str:
    """Round-off-sized differences vary between CPUs; report them by order of magnitude so outputs are stable."""
    if value == 0:
        return "0"
    for bound in (1e-15, 1e-12, 1e-9, 1e-6):
        if value <= bound:
            return f"≤ {bound:.0e}"
    return f"{value:.2e}"


@dataclass(frozen=True)
class Differences:
    """Largest absolute differences between two implementations, in value and in gradient."""

    value: float
    gradient: float

    def __repr__(self) -> str:
        return f"max |difference|: value {_bucket(self.value)}, gradient {_bucket(self.gradient)}"


def max_difference(fn: Callable, reference: Callable, input: torch.Tensor, *args, **options) -> Differences:
    """Compare ``fn(input, *args, **options)`` with ``reference(...)``: the largest absolute difference of the
    outputs and of the gradients of their sums with respect to ``input``."""
    check_callable("fn", fn)
    check_callable("reference", reference)
    check_floating("input", input)
    results = []
    for f in (fn, reference):
        x = input.detach().clone().requires_grad_(True)
        out = f(x, *args, **options)
        (grad,) = torch.autograd.grad(out.sum(), x)
        results.append((out.detach(), grad))
    (a, ga), (b, gb) = results
    return Differences((a - b).abs().max().item(), (ga - gb).abs().max().item())


def format_difference(value: float, *, floor: float = 0.0) -> str:
    """A difference for a table whose text must not change between CPUs: 0, an order of magnitude (``≤ 1e-12``)
    for round-off-sized values, else the value itself to three significant digits.

    Round-off can land on either side of a bucket's edge from one run to the next (a matrix product may sum in a
    different order); with ``floor`` every value at or below it, 0 included, reads ``≤ floor``.
    """
    floor = check_number("floor", floor, low=0)
    if isinstance(value, torch.Tensor) and value.numel() == 1:
        value = value.item()
    if isinstance(value, bool) or not isinstance(value, Real):
        raise ValueError(f"`value` must be a real number (a difference), got {value!r}")
    if floor > 0 and value <= floor:
        return f"≤ {floor:.0e}"
    return _bucket(float(value))
