"""Argument checks shared by every `lib` module.

Each check raises :class:`ValueError` whose message names the argument and says what was expected, so that a
learner who passes the wrong thing learns which argument to fix.
"""

from __future__ import annotations

import math
from numbers import Real

import torch

REDUCTIONS = ("none", "mean", "sum")


def check_tensor(name: str, value) -> None:
    """Raise unless ``value`` is a ``torch.Tensor``."""
    if not isinstance(value, torch.Tensor):
        raise ValueError(f"`{name}` must be a torch.Tensor, got {type(value).__name__}")


def check_floating(name: str, value) -> None:
    """Raise unless ``value`` is a floating-point ``torch.Tensor``."""
    check_tensor(name, value)
    if not value.is_floating_point():
        raise ValueError(
            f"`{name}` must be a floating-point tensor (e.g. torch.float32), got dtype {value.dtype}"
        )


def check_same_shape(input: torch.Tensor, target: torch.Tensor, names=("input", "target")) -> None:
    """Raise unless the two tensors have exactly the same shape (no broadcasting)."""
    if input.shape != target.shape:
        a, b = names
        raise ValueError(
            f"`{b}` must have the same shape as `{a}` ({tuple(input.shape)}), got {tuple(target.shape)}; "
            "shapes are not broadcast, because (N, 1) against (N,) would silently compare every pair"
        )


def check_same_dtype(input: torch.Tensor, target: torch.Tensor, names=("input", "target")) -> None:
    """Raise unless the two tensors share a dtype."""
    if input.dtype != target.dtype:
        a, b = names
        raise ValueError(f"`{b}` must have the same dtype as `{a}` ({input.dtype}), got {target.dtype}")


def check_pair(input, target) -> None:
    """The checks every elementwise loss makes: two floating tensors of one shape and one dtype."""
    check_floating("input", input)
    check_floating("target", target)
    check_same_shape(input, target)
    check_same_dtype(input, target)


def check_reduction(reduction) -> None:
    """Raise unless ``reduction`` is one of ``'none'``, ``'mean'``, ``'sum'``."""
    if reduction not in REDUCTIONS:
        raise ValueError(f"`reduction` must be one of {REDUCTIONS}, got {reduction!r}")


def reduce(loss: torch.Tensor, reduction: str) -> torch.Tensor:
    """Apply a torch-style reduction to an elementwise loss."""
    check_reduction(reduction)
    if reduction == "mean":
        return loss.mean()
    if reduction == "sum":
        return loss.sum()
    return loss


def check_number(name: str, value, *, low=None, high=None, low_open=False, high_open=False) -> float:
    """Raise unless ``value`` is a finite real number in the given interval; return it as a float.

    ``low_open=True`` excludes ``low`` itself (so ``low=0, low_open=True`` means "> 0").
    """
    if isinstance(value, bool) or not isinstance(value, Real) or not math.isfinite(value):
        raise ValueError(f"`{name}` must be a finite real number, got {value!r}")
    too_low = low is not None and (value <= low if low_open else value < low)
    too_high = high is not None and (value >= high if high_open else value > high)
    if too_low or too_high:
        left = "(" if low_open else "["
        right = ")" if high_open else "]"
        lo = "-inf" if low is None else low
        hi = "inf" if high is None else high
        raise ValueError(f"`{name}` must be in {left}{lo}, {hi}{right}, got {value!r}")
    return float(value)
